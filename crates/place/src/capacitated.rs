//! The capacitated heuristic (single sourcing), for what the MILP cannot finish in time.
//!
//! - **Assignment** of clients to a fixed set of open sites within capacities: clients in
//!   order of regret (what they lose if their cheapest site is full) to their cheapest site
//!   with room, one ejection when none has room, then shifts of clients and chains of two
//!   (a client moves in, one of the site's moves on, swaps included) while they pay (the
//!   generalised-assignment moves of Osman & Christofides 1994).
//! - **Site search**: swap an open site for a closed one, each candidate priced by a full
//!   reassignment; the closed sites tried for a slot are those cheapest for the clients it
//!   serves. A variable neighbourhood search shakes by random swaps around it.
//! - **Lagrangian guidance** (crate `lagrange`): the open sites of the relaxed solutions are
//!   reassigned too; they often land next to the optimum (Díaz & Fernández 2006 use the same
//!   idea).

use crate::exact::Answer;
use crate::lagrange::Relaxation;
use crate::{Clock, Infeasible, Method, Options, Placement, Problem, Progress, Rule};
use rand::seq::SliceRandom;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeSet;

/// Tolerance of capacity checks, as the bench's verifier uses.
const ROOM: f64 = 1e-9;
/// Nodes of the exact assignment search per call beyond one path through every client:
/// small cases finish, large ones stop.
const SEARCH_NODES: usize = 2_000;
/// Shakes in a row that find nothing better before the heuristic hands over to the MILP.
const PATIENCE: usize = 100;
/// Closed sites tried for each open slot in one pass of the site search.
const CANDIDATES_PER_SLOT: usize = 10;

/// A feasible placement.
#[derive(Clone, Debug)]
pub(crate) struct Solution {
    /// Open sites.
    pub open: Vec<usize>,
    /// Each client's site.
    pub assign: Vec<usize>,
    /// Total cost.
    pub total: f64,
}

fn capacity(problem: &Problem, s: usize) -> f64 {
    problem.sites[s].capacity.unwrap_or(f64::INFINITY)
}

/// Assigns every client to one of `open` within capacities, or `None` when this heuristic
/// finds no way to. When capacities keep some clients from their cheapest site, a bounded
/// branch and bound tries to do better.
pub(crate) fn assign(problem: &Problem, open: &[usize]) -> Option<Solution> {
    let n = problem.clients.len();
    let m = problem.sites.len();
    let demand = |c: usize| problem.clients[c].demand;
    // Each client's open sites, cheapest first.
    let choices: Vec<Vec<(f64, usize)>> = (0..n)
        .map(|c| {
            let mut list: Vec<(f64, usize)> =
                open.iter().map(|s| (problem.cost(*s, c), *s)).filter(|(d, _)| d.is_finite()).collect();
            list.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            list
        })
        .collect();
    if choices.iter().any(Vec::is_empty) {
        return None;
    }
    let regret = |c: usize| choices[c].get(1).map_or(f64::INFINITY, |second| second.0 - choices[c][0].0);
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|a, b| regret(*b).total_cmp(&regret(*a)).then(demand(*b).total_cmp(&demand(*a))).then(a.cmp(b)));
    let mut state = State { load: vec![0.0; m], members: vec![Vec::new(); m], site: vec![usize::MAX; n] };
    for c in order {
        let room = choices[c].iter().find(|(_, s)| state.load[*s] + demand(c) <= capacity(problem, *s) + ROOM);
        let placed = match room {
            Some(&(_, s)) => {
                state.put(problem, c, s);
                true
            }
            None => eject(problem, &choices, &mut state, c).is_some(),
        };
        if !placed {
            // The greedy packing failed; a search may still find one.
            let (site, total) = search_assignment(problem, &choices, f64::INFINITY)?;
            let mut open = open.to_vec();
            open.sort_unstable();
            return Some(Solution { open, assign: site, total });
        }
    }
    improve_assignment(problem, &choices, &mut state);
    let mut site = state.site;
    let mut total: f64 = (0..n).map(|c| problem.cost(site[c], c)).sum();
    // Every client at its cheapest site is the best there is; short of it, search.
    let cheapest: f64 = choices.iter().map(|list| list[0].0).sum();
    if total > cheapest + 1e-9
        && let Some((better, value)) = search_assignment(problem, &choices, total)
    {
        (site, total) = (better, value);
    }
    let mut open = open.to_vec();
    open.sort_unstable();
    Some(Solution { open, assign: site, total })
}

/// Depth-first branch and bound over the assignments cheaper than `upper`, largest
/// demands first, cut by each remaining client's cheapest cost: exact on small cases, and
/// bounded by [`SEARCH_NODES`] on large ones. The better assignment found, if any.
fn search_assignment(problem: &Problem, choices: &[Vec<(f64, usize)>], upper: f64) -> Option<(Vec<usize>, f64)> {
    struct Search<'a> {
        problem: &'a Problem,
        choices: &'a [Vec<(f64, usize)>],
        order: Vec<usize>,
        /// Cheapest costs of the clients from position i on.
        rest: Vec<f64>,
        load: Vec<f64>,
        site: Vec<usize>,
        best: Option<Vec<usize>>,
        upper: f64,
        nodes: usize,
        /// One path to a leaf visits every client: the limit is beyond that.
        limit: usize,
    }
    impl Search<'_> {
        fn descend(&mut self, i: usize, cost: f64) {
            if self.nodes >= self.limit || cost + self.rest[i] >= self.upper - 1e-9 {
                return;
            }
            self.nodes += 1;
            let Some(&c) = self.order.get(i) else {
                self.upper = cost;
                self.best = Some(self.site.clone());
                return;
            };
            let d = self.problem.clients[c].demand;
            for &(price, s) in &self.choices[c] {
                if self.load[s] + d <= capacity(self.problem, s) + ROOM {
                    self.load[s] += d;
                    self.site[c] = s;
                    self.descend(i + 1, cost + price);
                    self.load[s] -= d;
                }
            }
        }
    }
    let n = problem.clients.len();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|a, b| problem.clients[*b].demand.total_cmp(&problem.clients[*a].demand).then(a.cmp(b)));
    let mut rest = vec![0.0; n + 1];
    for i in (0..n).rev() {
        rest[i] = rest[i + 1] + choices[order[i]][0].0;
    }
    let mut search = Search {
        problem,
        choices,
        order,
        rest,
        load: vec![0.0; problem.sites.len()],
        site: vec![usize::MAX; n],
        best: None,
        upper,
        nodes: 0,
        limit: n + SEARCH_NODES,
    };
    search.descend(0, 0.0);
    let upper = search.upper;
    search.best.map(|site| (site, upper))
}

/// Loads and members of the open sites while assigning.
struct State {
    load: Vec<f64>,
    members: Vec<Vec<usize>>,
    site: Vec<usize>,
}

impl State {
    fn put(&mut self, problem: &Problem, c: usize, s: usize) {
        self.load[s] += problem.clients[c].demand;
        self.members[s].push(c);
        self.site[c] = s;
    }

    fn take(&mut self, problem: &Problem, c: usize) {
        let s = self.site[c];
        self.load[s] -= problem.clients[c].demand;
        let at = self.members[s].iter().position(|x| *x == c).expect("a member of its site");
        self.members[s].swap_remove(at);
        self.site[c] = usize::MAX;
    }
}

/// Makes room for `c` by moving one client of one of its sites elsewhere, the cheapest way.
fn eject(problem: &Problem, choices: &[Vec<(f64, usize)>], state: &mut State, c: usize) -> Option<()> {
    let d = problem.clients[c].demand;
    let mut best: Option<(f64, usize, usize, usize)> = None; // (added cost, site for c, moved, its new site)
    for &(cost_c, s) in &choices[c] {
        for &other in &state.members[s] {
            let od = problem.clients[other].demand;
            if state.load[s] - od + d > capacity(problem, s) + ROOM {
                continue;
            }
            for &(cost_o, s2) in &choices[other] {
                if s2 == s || state.load[s2] + od > capacity(problem, s2) + ROOM {
                    continue;
                }
                let added = cost_c + cost_o - problem.cost(s, other);
                if best.is_none_or(|b| added < b.0) {
                    best = Some((added, s, other, s2));
                }
            }
        }
    }
    let (_, s, other, s2) = best?;
    state.take(problem, other);
    state.put(problem, other, s2);
    state.put(problem, c, s);
    Some(())
}

/// Shifts and two-client chains while they lower the cost.
fn improve_assignment(problem: &Problem, choices: &[Vec<(f64, usize)>], state: &mut State) {
    let n = problem.clients.len();
    for _pass in 0..100 {
        let mut improved = false;
        for c in 0..n {
            let (here, d) = (state.site[c], problem.clients[c].demand);
            let now = problem.cost(here, c);
            // Shift to a cheaper site with room.
            if let Some(&(_, s)) = choices[c]
                .iter()
                .take_while(|(cost, _)| *cost < now - 1e-9)
                .find(|(_, s)| state.load[*s] + d <= capacity(problem, *s) + ROOM)
            {
                state.take(problem, c);
                state.put(problem, c, s);
                improved = true;
                continue;
            }
            // Move to a cheaper site by moving one of its clients on: to a third site, or
            // to c's own (a swap). c's side gains; the other's must not lose more.
            let chain = choices[c].iter().take_while(|(cost, _)| *cost < now - 1e-9).find_map(|&(cost, s)| {
                state.members[s].iter().copied().find_map(|other| {
                    let od = problem.clients[other].demand;
                    if state.load[s] - od + d > capacity(problem, s) + ROOM {
                        return None;
                    }
                    let gain = cost - now - problem.cost(s, other);
                    choices[other]
                        .iter()
                        .take_while(|(to_cost, _)| gain + to_cost < -1e-9)
                        .find(|&&(_, to)| {
                            let load = if to == here { state.load[to] - d } else { state.load[to] };
                            to != s && load + od <= capacity(problem, to) + ROOM
                        })
                        .map(|&(_, to)| (s, other, to))
                })
            });
            if let Some((s, other, to)) = chain {
                state.take(problem, c);
                state.take(problem, other);
                state.put(problem, c, s);
                state.put(problem, other, to);
                improved = true;
            }
        }
        if !improved {
            return;
        }
    }
}

/// Swaps open sites for closed ones while a swap pays, each priced by a full reassignment.
/// Stops at `stop()` or once the total is at most `good_enough`.
pub(crate) fn improve_sites(
    problem: &Problem,
    mut best: Solution,
    good_enough: f64,
    stop: &dyn Fn() -> bool,
) -> Solution {
    let free: Vec<usize> = (0..problem.sites.len()).filter(|s| problem.sites[*s].rule == Rule::Free).collect();
    'passes: loop {
        let mut improved = false;
        for slot in 0..best.open.len() {
            let j = best.open[slot];
            if problem.sites[j].rule != Rule::Free {
                continue;
            }
            for i in candidates_for(problem, &best, j, &free) {
                if stop() || best.total <= good_enough {
                    break 'passes;
                }
                let mut trial = best.open.clone();
                trial[slot] = i;
                if let Some(found) = assign(problem, &trial)
                    && found.total < best.total - 1e-9
                {
                    best = found;
                    improved = true;
                    break;
                }
            }
        }
        if !improved {
            break;
        }
    }
    best
}

/// The closed free sites cheapest for the clients that open site `j` serves.
fn candidates_for(problem: &Problem, best: &Solution, j: usize, free: &[usize]) -> Vec<usize> {
    let served: Vec<usize> = (0..best.assign.len()).filter(|c| best.assign[*c] == j).collect();
    let mut scored: Vec<(f64, usize)> = free
        .iter()
        .copied()
        .filter(|s| !best.open.contains(s))
        .map(|s| {
            let (reached, total) = served.iter().fold((0usize, 0.0), |(r, t), c| {
                let d = problem.cost(s, *c);
                if d.is_finite() { (r + 1, t + d) } else { (r, t) }
            });
            // Sites that reach more of the clients first, then the cheaper.
            (total - 1e12 * reached as f64, s)
        })
        .collect();
    scored.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    scored.into_iter().take(CANDIDATES_PER_SLOT).map(|(_, s)| s).collect()
}

/// Variable neighbourhood search: shake by `strength` random site swaps, reassign, descend by
/// site swaps, keep what is better. Stops after `shakes`, after `patience` shakes in a row
/// that found nothing better, at `stop()`, or at `good_enough`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn shake_and_descend(
    problem: &Problem,
    mut best: Solution,
    shakes: usize,
    patience: usize,
    seed: u64,
    good_enough: f64,
    stop: &dyn Fn() -> bool,
    on_better: &mut dyn FnMut(&Solution),
) -> Solution {
    let free: Vec<usize> = (0..problem.sites.len()).filter(|s| problem.sites[*s].rule == Rule::Free).collect();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    // Open sites are kept sorted, so the free ones' slots move as the best changes.
    let movable = |open: &[usize]| -> Vec<usize> {
        (0..open.len()).filter(|i| problem.sites[open[*i]].rule == Rule::Free).collect()
    };
    let count = movable(&best.open).len();
    if count == 0 || free.len() <= count {
        return best;
    }
    let strongest = (count / 4).clamp(2, 8).min(count);
    let mut strength = 1;
    let mut failed = 0;
    for _ in 0..shakes {
        if stop() || best.total <= good_enough || failed >= patience {
            break;
        }
        let mut trial = best.open.clone();
        let mut slots = movable(&trial);
        slots.shuffle(&mut rng);
        for &slot in slots.iter().take(strength) {
            let closed: Vec<usize> = free.iter().copied().filter(|s| !trial.contains(s)).collect();
            trial[slot] = closed[rng.random_range(0..closed.len())];
        }
        let found = assign(problem, &trial).map(|s| improve_sites(problem, s, good_enough, stop));
        match found {
            Some(found) if found.total < best.total - 1e-9 => {
                best = found;
                strength = 1;
                failed = 0;
                on_better(&best);
            }
            _ => {
                strength = if strength >= strongest { 1 } else { strength + 1 };
                failed += 1;
            }
        }
    }
    best
}

/// The capacitated solve: the heuristic under the Lagrangian bound, then, for a model small
/// enough, the MILP in the time left, started from the heuristic's placement.
pub(crate) fn solve(
    problem: &Problem,
    k: usize,
    options: &Options,
    clock: &Clock,
    progress: &mut dyn FnMut(Progress),
) -> Result<Placement, Infeasible> {
    let milp_next = problem.sites.len() * problem.clients.len() <= options.milp_cells;
    // The heuristic's share of the budget: half when the MILP follows, nearly all otherwise.
    let heuristic_share = if milp_next { 0.5 } else { 0.97 };
    let mut best: Option<Solution> = assign(problem, &crate::heuristic::start(problem, k).0);
    let mut relaxation = Relaxation::new(problem, k);
    let report = |best: &Option<Solution>, bound: f64, progress: &mut dyn FnMut(Progress)| {
        progress(Progress { incumbent: best.as_ref().map_or(f64::INFINITY, |b| b.total), bound })
    };
    report(&best, f64::NEG_INFINITY, progress);
    // The relaxation climbs; the open sites of its solutions are reassigned as they change.
    let mut tried: BTreeSet<Vec<usize>> = BTreeSet::new();
    let mut climb =
        |relaxation: &mut Relaxation, best: &mut Option<Solution>, until: f64, progress: &mut dyn FnMut(Progress)| {
            for step in 0..options.bound_steps {
                let upper = best.as_ref().map_or(f64::INFINITY, |b| b.total);
                if clock.share() >= until || best.as_ref().is_some_and(|b| problem.proves(b.total, relaxation.best)) {
                    break;
                }
                let Some(rose) = relaxation.step(upper) else { break };
                if rose || step % 10 == 0 {
                    let mut open = relaxation.open.clone();
                    open.sort_unstable();
                    if tried.insert(open.clone())
                        && let Some(found) = assign(problem, &open)
                        && found.total < upper - 1e-9
                    {
                        *best = Some(found);
                    }
                    report(best, relaxation.best, progress);
                }
            }
        };
    // The budget of the heuristic: a first climb, the site search, a second climb.
    climb(&mut relaxation, &mut best, 0.15 * heuristic_share, progress);
    if let Some(found) = best.take() {
        let stop = || clock.share() >= 0.8 * heuristic_share;
        let good_enough = problem.good_enough(relaxation.best);
        let found = improve_sites(problem, found, good_enough, &stop);
        report(&Some(found.clone()), relaxation.best, progress);
        let mut better = |s: &Solution| progress(Progress { incumbent: s.total, bound: relaxation.best });
        // With the MILP to follow, a search that stopped finding leaves it the time.
        let patience = if milp_next { PATIENCE } else { usize::MAX };
        best = Some(shake_and_descend(
            problem,
            found,
            options.shakes,
            patience,
            options.seed,
            good_enough,
            &stop,
            &mut better,
        ));
    }
    // Aim the subgradient at the better value.
    relaxation.restart();
    climb(&mut relaxation, &mut best, heuristic_share, progress);
    let bound = relaxation.best;
    let mut method = Method::Heuristic;
    if milp_next && !best.as_ref().is_some_and(|b| problem.proves(b.total, bound)) {
        // Leave a little of the budget for building the model and reading its answer.
        let limits = clock.left().zip(clock.seconds).map(|(left, budget)| (left - 0.03 * budget, left - 0.01 * budget));
        match crate::exact::solve_within(problem, k, best.as_ref(), limits)? {
            Answer::Optimal(s) => return Ok(Placement::proven(s, Method::Milp)),
            Answer::Incumbent(s) if best.as_ref().is_none_or(|b| s.total < b.total - 1e-9) => {
                best = Some(s);
                method = Method::Milp;
            }
            Answer::Incumbent(_) | Answer::Nothing => {}
        }
    }
    report(&best, bound, progress);
    match best {
        Some(s) => {
            let total = s.total;
            Ok(Placement::bounded(s, bound.min(total), problem, method))
        }
        None => Err(Infeasible::Capacity(
            "no placement within the capacities was found in the time given; give more time, raise capacities or open more sites".into(),
        )),
    }
}
