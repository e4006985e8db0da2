//! A lower bound by Lagrangian relaxation of "every client is assigned once".
//!
//! With multipliers `λ_c`, the relaxed problem splits by site. Site `j`'s best answer `ρ_j` is
//! the cheapest set of clients it could take at reduced costs `cost_jc − λ_c`: every client of
//! negative reduced cost when the site is unlimited, a 0–1 knapsack over its storage when it
//! has a capacity (the strong relaxation of the capacitated p-median). The relaxed problem
//! opens the `k` sites (forced ones first) of least `ρ_j`, and its value `Σ_c λ_c + Σ_open ρ_j`
//! bounds the optimum from below. Subgradient steps (Polyak, towards the best known value)
//! raise it; the relaxed solution's open sites are also good sites to try (the heuristic does).

use crate::{Problem, Rule};

/// Capacity units of the knapsack table: weights are scaled so that a site's capacity has
/// about this many (rounding weights down and capacities up keeps the bound valid).
const KNAPSACK_UNITS: f64 = 1000.0;

/// The relaxation and its subgradient state.
pub(crate) struct Relaxation<'p> {
    problem: &'p Problem,
    k: usize,
    allowed: Vec<usize>,
    lambda: Vec<f64>,
    rho: Vec<f64>,
    /// Per site, the clients its relaxed answer takes.
    taken: Vec<Vec<usize>>,
    knapsack: Knapsack,
    mu: f64,
    stall: usize,
    /// The best bound so far.
    pub best: f64,
    /// The open sites of the last relaxed solution.
    pub open: Vec<usize>,
}

impl<'p> Relaxation<'p> {
    pub(crate) fn new(problem: &'p Problem, k: usize) -> Self {
        let (m, n) = (problem.sites.len(), problem.clients.len());
        let allowed: Vec<usize> = (0..m).filter(|s| problem.sites[*s].rule != Rule::Closed).collect();
        // Start from each client's second-cheapest cost: a fair price for being served.
        let lambda = (0..n)
            .map(|c| {
                let mut costs: Vec<f64> =
                    allowed.iter().map(|s| problem.cost(*s, c)).filter(|v| v.is_finite()).collect();
                costs.sort_by(f64::total_cmp);
                costs.get(1).or(costs.first()).copied().unwrap_or(0.0)
            })
            .collect();
        Self {
            problem,
            k,
            allowed,
            lambda,
            rho: vec![0.0; m],
            taken: vec![Vec::new(); m],
            knapsack: Knapsack::for_problem(problem),
            mu: 2.0,
            stall: 0,
            best: f64::NEG_INFINITY,
            open: Vec::new(),
        }
    }

    /// Restarts the step size, to climb again towards a better `upper` value.
    pub(crate) fn restart(&mut self) {
        self.mu = 2.0;
        self.stall = 0;
    }

    /// One subgradient step towards `upper`. Returns whether the bound rose, or `None` when
    /// the steps are done: the bound meets `upper`, or the step size vanished.
    pub(crate) fn step(&mut self, upper: f64) -> Option<bool> {
        let (problem, n) = (self.problem, self.problem.clients.len());
        for i in 0..self.allowed.len() {
            let s = self.allowed[i];
            self.rho[s] = self.site_answer(s);
        }
        let mut order: Vec<usize> =
            self.allowed.iter().copied().filter(|s| problem.sites[*s].rule == Rule::Free).collect();
        order.sort_by(|a, b| self.rho[*a].total_cmp(&self.rho[*b]));
        let forced = self.allowed.iter().copied().filter(|s| problem.sites[*s].rule == Rule::Open);
        let forced_count = forced.clone().count();
        self.open = forced.chain(order.into_iter().take(self.k.saturating_sub(forced_count))).collect();
        let value: f64 = self.lambda.iter().sum::<f64>() + self.open.iter().map(|s| self.rho[*s]).sum::<f64>();
        let rose = value > self.best + 1e-9;
        if rose {
            self.best = value;
            self.stall = 0;
        } else {
            self.stall += 1;
            if self.stall >= 50 {
                self.mu /= 2.0;
                self.stall = 0;
            }
        }
        // Without a known value, aim a little above the bound.
        let upper = if upper.is_finite() { upper } else { self.best + 0.5 * self.best.abs().max(1.0) };
        if upper - self.best <= 1e-6 * upper.abs().max(1.0) || self.mu < 1e-6 {
            return None;
        }
        let mut g = vec![1.0; n];
        for &s in &self.open {
            for &c in &self.taken[s] {
                g[c] -= 1.0;
            }
        }
        let norm: f64 = g.iter().map(|x| x * x).sum();
        if norm == 0.0 {
            return None;
        }
        let step = self.mu * (upper - value).max(1e-9) / norm;
        for (l, gc) in self.lambda.iter_mut().zip(&g) {
            *l += step * gc;
        }
        Some(rose)
    }

    /// `ρ_s`: the least reduced cost of the clients site `s` could take, recording them.
    fn site_answer(&mut self, s: usize) -> f64 {
        let problem = self.problem;
        let taken = &mut self.taken[s];
        taken.clear();
        let mut profit = 0.0;
        let mut weight = 0.0;
        for (c, lambda) in self.lambda.iter().enumerate() {
            let gain = lambda - problem.cost(s, c);
            if gain > 0.0 {
                taken.push(c);
                profit += gain;
                weight += problem.clients[c].demand;
            }
        }
        match problem.sites[s].capacity {
            Some(cap) if weight > cap + 1e-9 => {
                let gains: Vec<f64> = taken.iter().map(|c| self.lambda[*c] - problem.cost(s, *c)).collect();
                let demands: Vec<f64> = taken.iter().map(|c| problem.clients[*c].demand).collect();
                let keep = self.knapsack.solve(&gains, &demands, cap);
                let mut i = 0;
                taken.retain(|_| {
                    i += 1;
                    keep[i - 1]
                });
                -taken.iter().map(|c| self.lambda[*c] - problem.cost(s, *c)).sum::<f64>()
            }
            _ => -profit,
        }
    }
}

/// The bound after at most `steps` steps towards `upper`, or until `stop()`.
pub(crate) fn bound(problem: &Problem, k: usize, upper: f64, steps: usize, stop: &dyn Fn() -> bool) -> f64 {
    let mut relaxation = Relaxation::new(problem, k);
    for _ in 0..steps {
        if stop() || relaxation.step(upper).is_none() {
            break;
        }
    }
    relaxation.best
}

/// A 0–1 knapsack by dynamic programming over scaled weights. Weights are rounded down and
/// the capacity up, so the answer is never worse than the true knapsack's: a relaxation, and
/// the bound stays a bound. Each capacity gets its own scale; with integral weights and a
/// small capacity the scale is 1 and the answer exact.
struct Knapsack {
    integral: bool,
    value: Vec<f64>,
    choice: Vec<bool>,
}

impl Knapsack {
    fn for_problem(problem: &Problem) -> Self {
        let integral = problem.clients.iter().all(|c| c.demand.fract() == 0.0);
        Self { integral, value: Vec::new(), choice: Vec::new() }
    }

    /// Which items to take for the most gain within `capacity`.
    fn solve(&mut self, gains: &[f64], demands: &[f64], capacity: f64) -> Vec<bool> {
        let scale = if self.integral && capacity <= KNAPSACK_UNITS { 1.0 } else { KNAPSACK_UNITS / capacity.max(1e-9) };
        // The capacity rounded up (but for float noise): a relaxation of the true one.
        let units = (capacity * scale - 1e-9).ceil().max(0.0) as usize;
        let weights: Vec<usize> = demands.iter().map(|d| (d * scale + 1e-9).floor().max(0.0) as usize).collect();
        let width = units + 1;
        self.value.clear();
        self.value.resize(width, 0.0);
        self.choice.clear();
        self.choice.resize(gains.len() * width, false);
        for (i, (&gain, &w)) in gains.iter().zip(&weights).enumerate() {
            for u in (w..=units).rev() {
                let with = self.value[u - w] + gain;
                if with > self.value[u] {
                    self.value[u] = with;
                    self.choice[i * width + u] = true;
                }
            }
        }
        let mut keep = vec![false; gains.len()];
        let mut u = units;
        for i in (0..gains.len()).rev() {
            if self.choice[i * width + u] {
                keep[i] = true;
                u -= weights[i];
            }
        }
        keep
    }
}
