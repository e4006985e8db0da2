//! The MILP, strong formulation: open `y_j`, assign `x_cj ≤ y_j`, every client once,
//! exactly `k` open, capacities `Σ_c d_c x_cj ≤ Q_j y_j`. Assignments are continuous when
//! there are no capacities (for fixed `y` the best assignment is integral anyway) and binary
//! otherwise (single sourcing). Pairs a site cannot serve get no variable.

use crate::{Infeasible, Method, Placement, Problem, Rule};
#[cfg(feature = "highs")]
use good_lp::highs as backend;
#[cfg(not(feature = "highs"))]
use good_lp::microlp as backend;
use good_lp::{Expression, ProblemVariables, Solution, SolverModel, Variable, constraint, variable};

/// The MILP backend this build uses.
pub const BACKEND: &str = if cfg!(feature = "highs") { "HiGHS" } else { "microlp" };

pub(crate) fn solve(problem: &Problem, k: usize) -> Result<Placement, Infeasible> {
    let (m, n) = (problem.sites.len(), problem.clients.len());
    let binary_x = problem.capacitated();
    let mut vars = ProblemVariables::new();
    let y: Vec<Variable> = problem
        .sites
        .iter()
        .map(|s| match s.rule {
            Rule::Free => vars.add(variable().binary()),
            Rule::Open => vars.add(variable().min(1.0).max(1.0)),
            Rule::Closed => vars.add(variable().min(0.0).max(0.0)),
        })
        .collect();
    let mut x: Vec<(usize, usize, Variable)> = Vec::new();
    for s in (0..m).filter(|s| problem.sites[*s].rule != Rule::Closed) {
        for c in 0..n {
            if problem.cost(s, c).is_finite() {
                let v = if binary_x { variable().binary() } else { variable().min(0.0).max(1.0) };
                x.push((s, c, vars.add(v)));
            }
        }
    }
    let objective: Expression = x.iter().map(|(s, c, v)| problem.cost(*s, *c) * *v).sum();
    let mut model = vars.minimise(objective).using(backend);
    let mut per_client: Vec<Expression> = vec![Expression::from(0.0); n];
    let mut per_site: Vec<Expression> = vec![Expression::from(0.0); m];
    for &(s, c, v) in &x {
        model = model.with(constraint!(v <= y[s]));
        per_client[c] += v;
        per_site[s] += problem.clients[c].demand * v;
    }
    for e in per_client {
        model = model.with(constraint!(e == 1.0));
    }
    let opened: Expression = y.iter().copied().sum();
    model = model.with(constraint!(opened == k as f64));
    for (s, e) in per_site.into_iter().enumerate() {
        if let Some(cap) = problem.sites[s].capacity {
            model = model.with(constraint!(e <= cap * y[s]));
        }
    }
    let solution = model.solve().map_err(|e| Infeasible::Model(e.to_string()))?;
    let open: Vec<usize> = (0..m).filter(|s| solution.value(y[*s]) > 0.5).collect();
    // Read the assignment back: each client to the open site carrying most of it.
    let mut assign = vec![usize::MAX; n];
    let mut share = vec![0.0f64; n];
    for &(s, c, v) in &x {
        let value = solution.value(v);
        if value > share[c] + 1e-9 {
            share[c] = value;
            assign[c] = s;
        }
    }
    let objective: f64 =
        (0..n).map(|c| if assign[c] == usize::MAX { f64::INFINITY } else { problem.cost(assign[c], c) }).sum();
    Ok(Placement { open, assign, objective, bound: objective, optimal: true, method: Method::Milp })
}
