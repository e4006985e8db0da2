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
