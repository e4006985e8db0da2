//! The MILP, strong formulation: open `y_j`, assign `x_cj ≤ y_j`, every client once,
//! exactly `k` open, capacities `Σ_c d_c x_cj ≤ Q_j y_j`. Assignments are continuous when
//! there are no capacities (for fixed `y` the best assignment is integral anyway) and binary
//! otherwise (single sourcing). Pairs a site cannot serve get no variable.
//!
//! With a time limit the backend stops on its own (microlp and HiGHS both take one through
//! good_lp) and answers its incumbent, if any; a known placement is handed to it as its
//! first incumbent. microlp looks at its clock only every thousand pivots, which on a large
//! model overruns by seconds, so [`solve_within`] runs the solve on a thread of its own and
//! stops waiting at the deadline: the caller keeps its budget, and the abandoned solve ends
//! soon after by its own limit.

use crate::capacitated::Solution as Known;
use crate::{Infeasible, Problem, Rule};
#[cfg(feature = "highs")]
use good_lp::highs as backend;
#[cfg(not(feature = "highs"))]
use good_lp::microlp as backend;
use good_lp::{
    Expression, ProblemVariables, ResolutionError, Solution, SolutionStatus, SolverModel, Variable,
    WithInitialSolution, WithTimeLimit, constraint, variable,
};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

/// The MILP backend this build uses.
pub const BACKEND: &str = if cfg!(feature = "highs") { "HiGHS" } else { "microlp" };

/// What the MILP answered.
pub(crate) enum Answer {
    /// Proven optimal.
    Optimal(Known),
    /// The time limit stopped it with this incumbent.
    Incumbent(Known),
    /// The time limit stopped it before any incumbent.
    Nothing,
}

/// [`solve`] with `limits` = (the backend's time limit, the most seconds to wait for its
/// answer), or without a limit, in this thread, when `None`.
pub(crate) fn solve_within(
    problem: &Problem,
    k: usize,
    known: Option<&Known>,
    limits: Option<(f64, f64)>,
) -> Result<Answer, Infeasible> {
    let Some((seconds, wait)) = limits else { return solve(problem, k, known, None) };
    let (send, answer) = mpsc::channel();
    let (problem, known) = (problem.clone(), known.cloned());
    thread::spawn(move || {
        // The receiver is gone when the caller stopped waiting: nothing to tell.
        let _ = send.send(solve(&problem, k, known.as_ref(), Some(seconds)));
    });
    answer.recv_timeout(Duration::from_secs_f64(wait.max(0.0))).unwrap_or(Ok(Answer::Nothing))
}

/// Solves the model, within `seconds` when given, starting from `known` when given.
fn solve(problem: &Problem, k: usize, known: Option<&Known>, seconds: Option<f64>) -> Result<Answer, Infeasible> {
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
    if let Some(seconds) = seconds {
        model = model.with_time_limit(seconds.max(0.0));
    }
    if let Some(known) = known {
        let start = (0..m)
            .map(|s| (y[s], if known.open.contains(&s) { 1.0 } else { 0.0 }))
            .chain(x.iter().map(|(s, c, v)| (*v, if known.assign[*c] == *s { 1.0 } else { 0.0 })));
        model = model.with_initial_solution(start.collect::<Vec<_>>());
    }
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
    let solution = match model.solve() {
        Ok(solution) => solution,
        Err(ResolutionError::Infeasible) => return Err(Infeasible::Model("the MILP is infeasible".into())),
        // Out of time before an incumbent: microlp says so in an `Other` error.
        Err(_) if seconds.is_some() => return Ok(Answer::Nothing),
        Err(e) => return Err(Infeasible::Model(e.to_string())),
    };
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
    let total: f64 =
        (0..n).map(|c| if assign[c] == usize::MAX { f64::INFINITY } else { problem.cost(assign[c], c) }).sum();
    let answer = Known { open, assign, total };
    // A stopped backend may answer values that are no placement at all (HiGHS without an
    // incumbent): keep only what the problem's own rules accept.
    if !problem.feasible(&answer.open, &answer.assign, k) {
        return Ok(Answer::Nothing);
    }
    Ok(match solution.status() {
        SolutionStatus::Optimal => Answer::Optimal(answer),
        _ => Answer::Incumbent(answer),
    })
}
