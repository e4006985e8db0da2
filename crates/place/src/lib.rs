//! Where should the transfer stations be? A p-median placement over stairwell demand.
//!
//! A [`Problem`] has candidate sites (each free, forced open or forced closed, with an
//! optional storage capacity), clients with a demand weight (stairwells, in lastmetre), and
//! the cost of serving each client from each site (`None` when a site cannot serve it: out of
//! reach, or beyond a maximum walk). [`place`] opens `k` sites and assigns every client to one,
//! minimising the total cost:
//!
//! - **uncapacitated**, small: **exact** with a MILP (good_lp, pure-Rust microlp) in the
//!   strong formulation (`x_cj ≤ y_j`, never the aggregated one);
//! - **uncapacitated**, large: a **heuristic**: greedy opening, then Teitz–Bart interchange
//!   (best swap, with each client's nearest and second-nearest open site kept up to date)
//!   inside a variable neighbourhood search, with a **Lagrangian bound** (assignment
//!   constraints relaxed, subgradient steps) that proves optimality when it meets the
//!   heuristic's value;
//! - **capacitated** (single sourcing): a Lagrangian relaxation with a knapsack per site gives
//!   the bound and guides a heuristic (assignment under capacities, site swaps, shakes); when
//!   the model is small enough the MILP then gets the time left, starting from the heuristic's
//!   placement, to prove it or better it.
//!
//! [`Options::seconds`] is a budget every phase keeps: the answer is the best placement found,
//! with its bound and gap, whatever the size and the backend.
//!
//! Infeasible requests come back as [`Infeasible`], naming the constraint and the clients.
//!
//! ```
//! use lastmetre_place::{Client, Problem, Rule, Site, place, Options};
//! let sites = (0..4).map(|i| Site { id: format!("s{i}"), capacity: None, rule: Rule::Free }).collect();
//! let clients = (0..4).map(|i| Client { id: format!("c{i}"), demand: 1.0 }).collect();
//! // Sites and clients on a line, 10 m apart.
//! let problem = Problem::new(sites, clients, |s, c| Some((s as f64 - c as f64).abs() * 10.0));
//! let best = place(&problem, 2, &Options::default()).unwrap();
//! assert_eq!(best.objective, 20.0);
//! assert!(best.optimal);
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod area;
mod capacitated;
mod exact;
pub use exact::BACKEND;
mod heuristic;
mod lagrange;

use serde::Serialize;
use std::time::Instant;

/// Whether a site may, must or must not be opened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Rule {
    /// The model decides.
    Free,
    /// Forced open.
    Open,
    /// Forced closed.
    Closed,
}

/// A candidate site.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Site {
    /// Site id.
    pub id: String,
    /// Most demand it can serve; unlimited when `None`.
    pub capacity: Option<f64>,
    /// Forced open, forced closed, or free.
    pub rule: Rule,
}

/// A demand point.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Client {
    /// Client id (a stairwell id in lastmetre).
    pub id: String,
    /// Demand weight: counts against capacities (the cost already includes it).
    pub demand: f64,
}

/// A placement model.
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    /// Candidate sites.
    pub sites: Vec<Site>,
    /// Demand points.
    pub clients: Vec<Client>,
    /// Row-major sites × clients; infinite when the site cannot serve the client.
    cost: Vec<f64>,
    /// Every finite cost is an integer.
    integral: bool,
}

impl Problem {
    /// A problem whose cost of serving client `c` from site `s` is `cost(s, c)` (`None`:
    /// cannot serve).
    pub fn new(sites: Vec<Site>, clients: Vec<Client>, cost: impl Fn(usize, usize) -> Option<f64>) -> Self {
        let n = clients.len();
        let mut cells = Vec::with_capacity(sites.len() * n);
        for s in 0..sites.len() {
            for c in 0..n {
                cells.push(cost(s, c).filter(|v| v.is_finite()).unwrap_or(f64::INFINITY));
            }
        }
        let integral = cells.iter().filter(|c| c.is_finite()).all(|c| c.fract() == 0.0);
        Self { sites, clients, cost: cells, integral }
    }

    /// The cost of serving client `c` from site `s` (infinite: cannot).
    pub fn cost(&self, s: usize, c: usize) -> f64 {
        self.cost[s * self.clients.len() + c]
    }

    /// True when some site has a capacity.
    pub fn capacitated(&self) -> bool {
        self.sites.iter().any(|s| s.capacity.is_some())
    }

    /// The total cost of serving every client from its cheapest site among `open`, with
    /// the assignment; infinite if some client is served by none.
    pub fn evaluate(&self, open: &[usize]) -> (f64, Vec<usize>) {
        let mut total = 0.0;
        let assign = (0..self.clients.len())
            .map(|c| {
                let best = open.iter().copied().min_by(|a, b| self.cost(*a, c).total_cmp(&self.cost(*b, c)));
                let site = best.unwrap_or(usize::MAX);
                total += best.map_or(f64::INFINITY, |s| self.cost(s, c));
                site
            })
            .collect();
        (total, assign)
    }

    /// The cost of serving every client from `open` within the sites' capacities, with the
    /// assignment, as the capacitated heuristic assigns (without capacities: each client's
    /// cheapest site, as [`Problem::evaluate`]). `None` when it finds no assignment that
    /// keeps every capacity.
    pub fn evaluate_within_capacities(&self, open: &[usize]) -> Option<(f64, Vec<usize>)> {
        if !self.capacitated() {
            let (total, assign) = self.evaluate(open);
            return total.is_finite().then_some((total, assign));
        }
        capacitated::assign(self, open).map(|s| (s.total, s.assign))
    }

    /// Whether `open` and `assign` are a placement of `k` sites by the problem's own rules:
    /// the forced sites open and the closed ones not, every client served by an open site
    /// that can serve it, capacities kept.
    pub fn feasible(&self, open: &[usize], assign: &[usize], k: usize) -> bool {
        let mut load = vec![0.0; self.sites.len()];
        let is_open = |s: usize| open.contains(&s);
        let mut distinct = open.to_vec();
        distinct.sort_unstable();
        distinct.dedup();
        let sites_ok = open.len() == k
            && distinct.len() == k
            && open.iter().all(|s| *s < self.sites.len() && self.sites[*s].rule != Rule::Closed)
            && (0..self.sites.len()).all(|s| self.sites[s].rule != Rule::Open || is_open(s));
        if !sites_ok || assign.len() != self.clients.len() {
            return false;
        }
        for (c, &s) in assign.iter().enumerate() {
            if s >= self.sites.len() || !is_open(s) || !self.cost(s, c).is_finite() {
                return false;
            }
            load[s] += self.clients[c].demand;
        }
        (0..self.sites.len()).all(|s| self.sites[s].capacity.is_none_or(|cap| load[s] <= cap + 1e-6))
    }
}

/// How to solve.
#[derive(Clone, Debug, PartialEq)]
pub struct Options {
    /// Uncapacitated models: solve with the MILP when sites × clients is at most this.
    pub exact_cells: usize,
    /// Capacitated models: after the heuristic, give the MILP the time left when sites ×
    /// clients is at most this (beyond it, building the model alone takes too long).
    pub milp_cells: usize,
    /// Shakes of the variable neighbourhood search.
    pub shakes: usize,
    /// Subgradient steps of the Lagrangian bound.
    pub bound_steps: usize,
    /// Seed of the heuristic.
    pub seed: u64,
    /// Time budget of the solve, seconds. Every phase keeps to it, the MILP included, and
    /// the best placement found is answered with its bound. `None` (or infinite): no limit,
    /// and a small model is solved to proven optimality however long that takes.
    pub seconds: Option<f64>,
}

impl Default for Options {
    fn default() -> Self {
        Self { exact_cells: 5_000, milp_cells: 20_000, shakes: 300, bound_steps: 3_000, seed: 1, seconds: None }
    }
}

/// The incumbent and the bound, each time one improves.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Progress {
    /// Cost of the best placement found so far (infinite before the first).
    pub incumbent: f64,
    /// Best lower bound so far (minus infinity before the first).
    pub bound: f64,
}

/// The budget of one solve. The crate's only clock: without a budget nothing reads it, and
/// the answer depends on the seed alone.
pub(crate) struct Clock {
    started: Instant,
    pub(crate) seconds: Option<f64>,
}

impl Clock {
    /// An infinite budget is none; a negative or NaN one is used up already.
    fn start(seconds: Option<f64>) -> Self {
        let seconds = seconds.filter(|s| *s != f64::INFINITY).map(|s| if s > 0.0 { s } else { 0.0 });
        Self { started: Instant::now(), seconds }
    }

    /// Share of the budget used (0 without a budget).
    pub(crate) fn share(&self) -> f64 {
        self.seconds.map_or(0.0, |s| self.started.elapsed().as_secs_f64() / s.max(1e-9))
    }

    /// Seconds left (`None` without a budget).
    pub(crate) fn left(&self) -> Option<f64> {
        self.seconds.map(|s| (s - self.started.elapsed().as_secs_f64()).max(0.0))
    }
}

/// How a placement was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// MILP: proven optimal, or its incumbent when the budget stopped it.
    Milp,
    /// Heuristic with a Lagrangian bound (interchange; under capacities, the capacitated
    /// heuristic).
    Heuristic,
}

/// A placement: which sites open, and who is served from where.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Placement {
    /// Open sites (indices), ascending.
    pub open: Vec<usize>,
    /// For each client, its site.
    pub assign: Vec<usize>,
    /// Total cost.
    pub objective: f64,
    /// A lower bound on the optimum (equal to `objective` when proven optimal).
    pub bound: f64,
    /// Proven optimal.
    pub optimal: bool,
    /// How it was found.
    pub method: Method,
}

impl Placement {
    /// Relative gap between the objective and the bound, in per cent.
    pub fn gap_pct(&self) -> f64 {
        if self.objective <= 0.0 { 0.0 } else { 100.0 * (self.objective - self.bound).max(0.0) / self.objective }
    }
}

/// Why no placement exists.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum Infeasible {
    /// Some clients cannot be served by any site that may open (or, found by the heuristic,
    /// by the best `k` it could find).
    #[error("{} client(s) cannot be served by any site that may open, or by the k sites the search found (out of reach or beyond the maximum walk): {}", .0.len(), .0.join(", "))]
    Unreachable(Vec<String>),
    /// Fewer sites may open than asked for.
    #[error("{k} sites asked for, but only {allowed} may open (the others are forced closed)")]
    TooFewSites {
        /// Sites asked for.
        k: usize,
        /// Sites not forced closed.
        allowed: usize,
    },
    /// More sites are forced open than asked for.
    #[error("{forced} sites are forced open, more than the {k} asked for")]
    TooManyForced {
        /// Sites asked for.
        k: usize,
        /// Sites forced open.
        forced: usize,
    },
    /// Capacities cannot hold the demand.
    #[error("capacity: {0}")]
    Capacity(String),
    /// The MILP solver found no solution.
    #[error("the model has no solution: {0}")]
    Model(String),
}

/// Opens `k` sites at least cost. See the crate docs.
pub fn place(problem: &Problem, k: usize, options: &Options) -> Result<Placement, Infeasible> {
    place_with(problem, k, options, &mut |_| {})
}

/// [`place`], telling `progress` each time the incumbent or the bound improves.
pub fn place_with(
    problem: &Problem,
    k: usize,
    options: &Options,
    progress: &mut dyn FnMut(Progress),
) -> Result<Placement, Infeasible> {
    precheck(problem, k)?;
    let clock = Clock::start(options.seconds);
    if problem.capacitated() {
        return capacitated::solve(problem, k, options, &clock, progress);
    }
    let cells = problem.sites.len() * problem.clients.len();
    if cells <= options.exact_cells {
        // Half the budget at most, so that the heuristic has the other half if need be.
        let limits = clock.seconds.map(|budget| (0.45 * budget, 0.5 * budget));
        match exact::solve_within(problem, k, None, limits)? {
            exact::Answer::Optimal(s) => return Ok(Placement::proven(s, Method::Milp)),
            // Out of time (rare: uncapacitated models this small solve fast): the heuristic
            // answers in the time left.
            exact::Answer::Incumbent(_) | exact::Answer::Nothing => {}
        }
    }
    uncapacitated(problem, k, options, &clock, progress)
}

/// The interchange heuristic with its Lagrangian bound.
fn uncapacitated(
    problem: &Problem,
    k: usize,
    options: &Options,
    clock: &Clock,
    progress: &mut dyn FnMut(Progress),
) -> Result<Placement, Infeasible> {
    let first = heuristic::start(problem, k);
    progress(Progress { incumbent: first.1, bound: f64::NEG_INFINITY });
    // The budget: the first climb of the bound to 30 % of what is left (an abandoned MILP
    // may have taken half), the search to 92 %, a second climb to 98 %.
    let now = clock.share();
    let first_until = now + 0.3 * (1.0 - now).max(0.0);
    let mut bound =
        lagrange::bound(problem, k, first.1, options.bound_steps, &|| clock.share() >= first_until).min(first.1);
    progress(Progress { incumbent: first.1, bound });
    let good_enough = problem.good_enough(bound);
    let (open, objective) = heuristic::improve(problem, first, options, &|| clock.share() / 0.92, good_enough);
    if !problem.proves(objective, bound) {
        // Aim the subgradient at the better value.
        let more = lagrange::bound(problem, k, objective, options.bound_steps, &|| clock.share() >= 0.98);
        bound = bound.max(more.min(objective));
    }
    let (objective, assign) = problem.evaluate(&open);
    progress(Progress { incumbent: objective, bound });
    if !objective.is_finite() {
        let unserved: Vec<String> = (0..problem.clients.len())
            .filter(|c| assign[*c] == usize::MAX || !problem.cost(assign[*c], *c).is_finite())
            .map(|c| problem.clients[c].id.clone())
            .collect();
        return Err(Infeasible::Unreachable(unserved));
    }
    Ok(Placement::bounded(capacitated::Solution { open, assign, total: objective }, bound, problem, Method::Heuristic))
}

impl Problem {
    /// Whether `bound` proves `value` optimal. With integral costs every value is an
    /// integer, so a bound within one unit below proves it.
    pub(crate) fn proves(&self, value: f64, bound: f64) -> bool {
        value - bound <= 1e-6 * value.abs().max(1.0) || (self.integral && Self::up(bound) >= value - 1e-9)
    }

    /// The least integer at or above `bound`, but for rounding noise: a bound a hair above
    /// an integer (by float error) must not prove the next one.
    fn up(bound: f64) -> f64 {
        (bound - 1e-7 * bound.abs().max(1.0)).ceil()
    }

    /// The value at which a search may stop, given `bound`: no better one exists.
    pub(crate) fn good_enough(&self, bound: f64) -> f64 {
        if self.integral { Self::up(bound) } else { bound * (1.0 + 1e-6) }
    }
}

impl Placement {
    fn proven(s: capacitated::Solution, method: Method) -> Self {
        Self { open: s.open, assign: s.assign, objective: s.total, bound: s.total, optimal: true, method }
    }

    fn bounded(s: capacitated::Solution, bound: f64, problem: &Problem, method: Method) -> Self {
        if problem.proves(s.total, bound) {
            return Self::proven(s, method);
        }
        Self { open: s.open, assign: s.assign, objective: s.total, bound, optimal: false, method }
    }
}

/// Feasibility that needs no solving, explained.
fn precheck(problem: &Problem, k: usize) -> Result<(), Infeasible> {
    let allowed: Vec<usize> = (0..problem.sites.len()).filter(|s| problem.sites[*s].rule != Rule::Closed).collect();
    let forced = problem.sites.iter().filter(|s| s.rule == Rule::Open).count();
    if allowed.len() < k || k == 0 && !problem.clients.is_empty() {
        return Err(Infeasible::TooFewSites { k, allowed: allowed.len() });
    }
    if forced > k {
        return Err(Infeasible::TooManyForced { k, forced });
    }
    let unreachable: Vec<String> = (0..problem.clients.len())
        .filter(|c| allowed.iter().all(|s| !problem.cost(*s, *c).is_finite()))
        .map(|c| problem.clients[c].id.clone())
        .collect();
    if !unreachable.is_empty() {
        return Err(Infeasible::Unreachable(unreachable));
    }
    if problem.capacitated() {
        let demand: f64 = problem.clients.iter().map(|c| c.demand).sum();
        let mut caps: Vec<f64> = allowed.iter().map(|s| problem.sites[*s].capacity.unwrap_or(f64::INFINITY)).collect();
        caps.sort_by(|a, b| b.total_cmp(a));
        let most: f64 = caps.iter().take(k).sum();
        if most + 1e-9 < demand {
            return Err(Infeasible::Capacity(format!(
                "the {k} largest sites hold {most:.0}, less than the demand of {demand:.0}; raise capacities or open more sites"
            )));
        }
        let too_big: Vec<String> = (0..problem.clients.len())
            .filter(|c| {
                allowed.iter().all(|s| {
                    !problem.cost(*s, *c).is_finite()
                        || problem.sites[*s].capacity.is_some_and(|cap| cap + 1e-9 < problem.clients[*c].demand)
                })
            })
            .map(|c| problem.clients[c].id.clone())
            .collect();
        if !too_big.is_empty() {
            return Err(Infeasible::Capacity(format!(
                "no site in reach can hold the demand of {}",
                too_big.join(", ")
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
