//! A lower bound by Lagrangian relaxation of "every client is assigned once".
//!
//! With multipliers `λ_c`, the relaxed problem opens the `k` sites (forced ones first) of
//! least `ρ_j = Σ_c min(0, cost_jc − λ_c)`, and its value `Σ_c λ_c + Σ_open ρ_j` bounds the
//! optimum from below. Subgradient steps (Polyak, towards the heuristic's value) raise it.

use crate::{Problem, Rule};

pub(crate) fn bound(problem: &Problem, k: usize, upper: f64, steps: usize) -> f64 {
    let (m, n) = (problem.sites.len(), problem.clients.len());
    let allowed: Vec<usize> = (0..m).filter(|s| problem.sites[*s].rule != Rule::Closed).collect();
    // Start from each client's second-cheapest cost: a fair price for being served.
    let mut lambda: Vec<f64> = (0..n)
        .map(|c| {
            let mut costs: Vec<f64> = allowed.iter().map(|s| problem.cost(*s, c)).filter(|v| v.is_finite()).collect();
            costs.sort_by(f64::total_cmp);
            costs.get(1).or(costs.first()).copied().unwrap_or(0.0)
        })
        .collect();
    let mut best = f64::NEG_INFINITY;
    let mut mu = 2.0;
    let mut stall = 0;
    let mut rho = vec![0.0; m];
    for _ in 0..steps {
        for &s in &allowed {
            rho[s] = (0..n).map(|c| (problem.cost(s, c) - lambda[c]).min(0.0)).sum();
        }
        let mut order: Vec<usize> = allowed.iter().copied().filter(|s| problem.sites[*s].rule == Rule::Free).collect();
        order.sort_by(|a, b| rho[*a].total_cmp(&rho[*b]));
        let forced: Vec<usize> = allowed.iter().copied().filter(|s| problem.sites[*s].rule == Rule::Open).collect();
        let open: Vec<usize> =
            forced.iter().copied().chain(order.into_iter().take(k.saturating_sub(forced.len()))).collect();
        let value: f64 = lambda.iter().sum::<f64>() + open.iter().map(|s| rho[*s]).sum::<f64>();
        if value > best + 1e-9 {
            best = value;
            stall = 0;
        } else {
            stall += 1;
            if stall >= 50 {
                mu /= 2.0;
                stall = 0;
            }
        }
        if upper - best <= 1e-6 * upper.abs().max(1.0) || mu < 1e-6 {
            break;
        }
        let g: Vec<f64> =
            (0..n).map(|c| 1.0 - open.iter().filter(|s| problem.cost(**s, c) < lambda[c]).count() as f64).collect();
        let norm: f64 = g.iter().map(|x| x * x).sum();
        if norm == 0.0 {
            break;
        }
        let step = mu * (upper - value).max(1e-9) / norm;
        for (l, gc) in lambda.iter_mut().zip(&g) {
            *l += step * gc;
        }
    }
    best
}
