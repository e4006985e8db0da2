//! Placement against enumeration on tiny cases.

use super::*;

/// Every subset of `k` allowed sites: the true optimum.
fn enumerate(problem: &Problem, k: usize) -> Option<f64> {
    let m = problem.sites.len();
    let mut best: Option<f64> = None;
    for mask in 0u32..(1 << m) {
        if mask.count_ones() as usize != k {
            continue;
        }
        let open: Vec<usize> = (0..m).filter(|s| mask & (1 << s) != 0).collect();
        let ok = open.iter().all(|s| problem.sites[*s].rule != Rule::Closed)
            && (0..m).all(|s| problem.sites[s].rule != Rule::Open || open.contains(&s));
        if !ok {
            continue;
        }
        let (total, _) = problem.evaluate(&open);
        if total.is_finite() && best.is_none_or(|b| total < b) {
            best = Some(total);
        }
    }
    best
}

/// A seeded grid problem: `m` sites and `n` clients at pseudo-random points.
fn grid(m: usize, n: usize, seed: u64) -> Problem {
    let mut z = seed;
    let mut next = || {
        z = z.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((z >> 33) % 1000) as f64
    };
    let sites: Vec<(f64, f64)> = (0..m).map(|_| (next(), next())).collect();
    let clients: Vec<(f64, f64, f64)> = (0..n).map(|_| (next(), next(), 1.0 + next() % 5.0)).collect();
    Problem::new(
        (0..m).map(|i| Site { id: format!("s{i}"), capacity: None, rule: Rule::Free }).collect(),
        clients.iter().enumerate().map(|(i, c)| Client { id: format!("c{i}"), demand: c.2 }).collect(),
        |s, c| Some(clients[c].2 * ((sites[s].0 - clients[c].0).hypot(sites[s].1 - clients[c].1)).round()),
    )
}

#[test]
fn exact_and_heuristic_match_enumeration() {
    for seed in 1..6 {
        let problem = grid(10, 40, seed);
        for k in 1..=4 {
            let truth = enumerate(&problem, k).unwrap();
            let exact = place(&problem, k, &Options::default()).unwrap();
            assert_eq!(exact.method, Method::Milp);
            assert!((exact.objective - truth).abs() < 1e-6, "seed {seed} k {k}: {} vs {truth}", exact.objective);
            let options = Options { exact_cells: 0, ..Options::default() };
            let heuristic = place(&problem, k, &options).unwrap();
            assert_eq!(heuristic.method, Method::Heuristic);
            assert!((heuristic.objective - truth).abs() < 1e-6, "seed {seed} k {k}");
            assert!(heuristic.bound <= truth + 1e-6, "the bound is a bound");
        }
    }
}

#[test]
fn adding_a_candidate_never_worsens_the_optimum() {
    let problem = grid(9, 30, 11);
    let mut more = grid(9, 30, 11);
    let extra = grid(10, 30, 11);
    // Same clients, one more site (the 10th of the larger grid) appended.
    let mut sites = more.sites.clone();
    sites.push(Site { id: "extra".into(), capacity: None, rule: Rule::Free });
    more = Problem::new(sites, more.clients.clone(), |s, c| {
        Some(if s < 9 { problem.cost(s, c) } else { extra.cost(9, c) })
    });
    for k in 1..=4 {
        let a = place(&problem, k, &Options::default()).unwrap().objective;
        let b = place(&more, k, &Options::default()).unwrap().objective;
        assert!(b <= a + 1e-9, "k {k}: {b} > {a}");
    }
}

#[test]
fn forced_sites_are_respected() {
    let mut problem = grid(8, 25, 3);
    problem.sites[5].rule = Rule::Open;
    problem.sites[2].rule = Rule::Closed;
    for options in [Options::default(), Options { exact_cells: 0, ..Options::default() }] {
        for k in 1..=3 {
            let p = place(&problem, k, &options).unwrap();
            assert!(p.open.contains(&5) && !p.open.contains(&2), "{:?}", p.open);
            assert!((p.objective - enumerate(&problem, k).unwrap()).abs() < 1e-6);
        }
    }
}

#[test]
fn capacities_are_honoured() {
    let mut problem = grid(6, 20, 5);
    let demand: f64 = problem.clients.iter().map(|c| c.demand).sum();
    for s in &mut problem.sites {
        s.capacity = Some((demand / 2.5).ceil());
    }
    let p = place(&problem, 3, &Options::default()).unwrap();
    for &s in &p.open {
        let load: f64 = (0..20).filter(|c| p.assign[*c] == s).map(|c| problem.clients[c].demand).sum();
        assert!(load <= problem.sites[s].capacity.unwrap() + 1e-6);
    }
    let free = place(
        &Problem::new(
            problem.sites.iter().map(|s| Site { capacity: None, ..s.clone() }).collect(),
            problem.clients.clone(),
            |s, c| Some(problem.cost(s, c)),
        ),
        3,
        &Options::default(),
    )
    .unwrap();
    assert!(p.objective >= free.objective - 1e-9);
}

#[test]
fn infeasible_requests_name_their_reason() {
    let mut problem = grid(4, 6, 2);
    problem = Problem::new(problem.sites.clone(), problem.clients.clone(), |s, c| {
        (c != 3 || s == 0).then(|| problem.cost(s, c))
    });
    problem.sites[0].rule = Rule::Closed;
    assert_eq!(place(&problem, 2, &Options::default()), Err(Infeasible::Unreachable(vec!["c3".into()])));
    assert!(matches!(place(&problem, 4, &Options::default()), Err(Infeasible::TooFewSites { k: 4, allowed: 3 })));
    problem.sites[0].rule = Rule::Free;
    for s in &mut problem.sites {
        s.capacity = Some(1.0);
    }
    assert!(matches!(place(&problem, 2, &Options::default()), Err(Infeasible::Capacity(_))));
}

#[test]
fn a_heuristic_that_cannot_serve_everyone_says_so() {
    // Each client is reachable from its own site only: k = 2 cannot serve 4 clients.
    let sites = (0..4).map(|i| Site { id: format!("s{i}"), capacity: None, rule: Rule::Free }).collect();
    let clients = (0..4).map(|i| Client { id: format!("c{i}"), demand: 1.0 }).collect();
    let problem = Problem::new(sites, clients, |s, c| (s == c).then_some(1.0));
    let options = Options { exact_cells: 0, ..Options::default() };
    assert!(matches!(place(&problem, 2, &options), Err(Infeasible::Unreachable(list)) if list.len() == 2));
    assert!(place(&problem, 2, &Options::default()).is_err(), "the MILP finds no solution either");
}

/// The true capacitated optimum: every `k` sites, every single-source assignment within
/// the capacities (depth first, cut at the best so far).
fn enumerate_capacitated(problem: &Problem, k: usize) -> Option<f64> {
    fn descend(problem: &Problem, open: &[usize], c: usize, load: &mut [f64], cost: f64, best: &mut f64) {
        if cost >= *best {
            return;
        }
        if c == problem.clients.len() {
            *best = cost;
            return;
        }
        let d = problem.clients[c].demand;
        for &s in open {
            let room = problem.sites[s].capacity.is_none_or(|cap| load[s] + d <= cap + 1e-9);
            if room && problem.cost(s, c).is_finite() {
                load[s] += d;
                descend(problem, open, c + 1, load, cost + problem.cost(s, c), best);
                load[s] -= d;
            }
        }
    }
    let m = problem.sites.len();
    let mut best = f64::INFINITY;
    for mask in 0u32..(1 << m) {
        if mask.count_ones() as usize != k {
            continue;
        }
        let open: Vec<usize> = (0..m).filter(|s| mask & (1 << s) != 0).collect();
        descend(problem, &open, 0, &mut vec![0.0; m], 0.0, &mut best);
    }
    best.is_finite().then_some(best)
}

/// Loads and cost of a placement, counted here and not by the solver.
fn verify(problem: &Problem, k: usize, p: &Placement) {
    assert_eq!(p.open.len(), k, "k sites open");
    let mut load = vec![0.0; problem.sites.len()];
    let mut total = 0.0;
    for (c, &s) in p.assign.iter().enumerate() {
        assert!(p.open.contains(&s), "client {c} served by closed site {s}");
        load[s] += problem.clients[c].demand;
        total += problem.cost(s, c);
    }
    for (s, l) in load.iter().enumerate() {
        if let Some(cap) = problem.sites[s].capacity {
            assert!(*l <= cap + 1e-6, "site {s} holds {l} over its capacity {cap}");
        }
    }
    assert!(
        (total - p.objective).abs() <= 1e-6 * total.max(1.0),
        "objective {} but the assignment costs {total}",
        p.objective
    );
    assert!(p.bound <= p.objective + 1e-6, "the bound {} is above the value {}", p.bound, p.objective);
}

/// `grid` with every site's capacity set to `share` of the demand that `k` sites must hold.
fn tight(m: usize, n: usize, seed: u64, k: usize, share: f64) -> Problem {
    let mut problem = grid(m, n, seed);
    let demand: f64 = problem.clients.iter().map(|c| c.demand).sum();
    for s in &mut problem.sites {
        s.capacity = Some((demand / (k as f64 * share)).ceil());
    }
    problem
}

#[test]
fn the_capacitated_heuristic_reaches_the_optimum_of_small_cases() {
    // The MILP is switched off: the heuristic alone, against enumeration.
    let heuristic = Options { milp_cells: 0, ..Options::default() };
    let mut cases = 0;
    for seed in 1..9 {
        for (k, share) in [(2, 0.8), (3, 0.9), (3, 0.7)] {
            let problem = tight(7, 9, seed, k, share);
            let Some(truth) = enumerate_capacitated(&problem, k) else { continue };
            cases += 1;
            let p = place(&problem, k, &heuristic).unwrap();
            assert_eq!(p.method, Method::Heuristic);
            verify(&problem, k, &p);
            assert!(
                (p.objective - truth).abs() < 1e-6,
                "seed {seed} k {k}: {} against the optimum {truth}",
                p.objective
            );
            assert!(p.bound <= truth + 1e-6, "seed {seed} k {k}: the bound {} is above the optimum {truth}", p.bound);
            // The MILP after it proves the same value.
            let exact = place(&problem, k, &Options::default()).unwrap();
            verify(&problem, k, &exact);
            assert!(exact.optimal && (exact.objective - truth).abs() < 1e-6);
        }
    }
    assert!(cases >= 20, "only {cases} feasible cases");
}

#[test]
fn a_hard_capacitated_instance_returns_within_its_budget() {
    // 100 clients and sites, 10 to open, 90 % of the capacity used: the MILP alone runs for
    // minutes on such instances (the published pmedcap1 family).
    let problem = tight(100, 100, 7, 10, 0.9);
    let budget = 2.0;
    let started = std::time::Instant::now();
    let mut seen = Vec::new();
    let options = Options { seconds: Some(budget), ..Options::default() };
    let p = place_with(&problem, 10, &options, &mut |progress| seen.push(progress)).unwrap();
    let took = started.elapsed().as_secs_f64();
    assert!(took <= 1.1 * budget + 0.2, "took {took:.2} s for a budget of {budget} s");
    verify(&problem, 10, &p);
    assert!(p.bound > 0.0 && p.bound.is_finite(), "a bound: {}", p.bound);
    assert!(seen.iter().any(|s| s.incumbent.is_finite() && s.bound.is_finite()), "progress reported");
    assert!(seen.last().is_some_and(|s| s.incumbent == p.objective));
}

#[test]
fn capacities_hold_in_every_answer() {
    for seed in 1..6 {
        let problem = tight(30, 60, seed, 5, 0.85);
        for options in [
            Options { milp_cells: 0, seconds: Some(0.5), ..Options::default() },
            Options { seconds: Some(0.5), ..Options::default() },
        ] {
            match place(&problem, 5, &options) {
                Ok(p) => verify(&problem, 5, &p),
                Err(e) => assert!(matches!(e, Infeasible::Capacity(_)), "{e}"),
            }
        }
    }
}

#[test]
fn the_knapsack_relaxation_is_a_bound() {
    // The Lagrangian bound alone never passes the enumerated optimum.
    for seed in 1..6 {
        let problem = tight(6, 8, seed, 2, 0.9);
        if let Some(truth) = enumerate_capacitated(&problem, 2) {
            let bound = lagrange::bound(&problem, 2, truth, 2000, &|| false);
            assert!(bound <= truth + 1e-6, "seed {seed}: bound {bound} above the optimum {truth}");
            assert!(bound > 0.0, "seed {seed}: the bound climbed");
        }
    }
}

#[test]
fn assignment_under_capacities_fills_the_cheapest_room() {
    // Two sites of capacity 2, three clients of demand 1 all nearest to site 0: one moves.
    let sites = (0..2).map(|i| Site { id: format!("s{i}"), capacity: Some(2.0), rule: Rule::Free }).collect();
    let clients = (0..3).map(|i| Client { id: format!("c{i}"), demand: 1.0 }).collect();
    let cost = [[1.0, 1.0, 1.0], [5.0, 2.0, 9.0]];
    let problem = Problem::new(sites, clients, |s, c| Some(cost[s][c]));
    let found = capacitated::assign(&problem, &[0, 1]).unwrap();
    assert_eq!(found.assign, vec![0, 1, 0], "the client that loses least moves");
    assert_eq!(found.total, 4.0);
    assert!(capacitated::assign(&problem, &[0]).is_none(), "one site cannot hold three");
}
