//! Greedy opening, then Teitz–Bart interchange inside a variable neighbourhood search.
//!
//! Each client keeps the cost of its nearest and second-nearest open site, so the value of a
//! swap (close `j`, open `i`) is one pass over the clients.

use crate::{Options, Problem, Rule};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Nearest and second-nearest open site of every client.
struct Nearest {
    first: Vec<(f64, usize)>,
    second: Vec<f64>,
}

impl Nearest {
    fn new(problem: &Problem, open: &[usize]) -> Self {
        let n = problem.clients.len();
        let mut first = vec![(f64::INFINITY, usize::MAX); n];
        let mut second = vec![f64::INFINITY; n];
        for c in 0..n {
            for &s in open {
                let d = problem.cost(s, c);
                if d < first[c].0 {
                    second[c] = first[c].0;
                    first[c] = (d, s);
                } else if d < second[c] {
                    second[c] = d;
                }
            }
        }
        Self { first, second }
    }

    fn total(&self) -> f64 {
        self.first.iter().map(|f| f.0).sum()
    }
}

/// Sites the search may move: free ones.
fn free_sites(problem: &Problem) -> Vec<usize> {
    (0..problem.sites.len()).filter(|s| problem.sites[*s].rule == Rule::Free).collect()
}

fn greedy(problem: &Problem, k: usize) -> Vec<usize> {
    let mut open: Vec<usize> = (0..problem.sites.len()).filter(|s| problem.sites[*s].rule == Rule::Open).collect();
    let free = free_sites(problem);
    let n = problem.clients.len();
    let mut best: Vec<f64> =
        (0..n).map(|c| open.iter().map(|s| problem.cost(*s, c)).fold(f64::INFINITY, f64::min)).collect();
    while open.len() < k {
        // The total if `s` opened (infinite while some client is still unserved by all).
        let total = |s: usize| -> f64 { (0..n).map(|c| best[c].min(problem.cost(s, c))).sum() };
        let Some(pick) =
            free.iter().copied().filter(|s| !open.contains(s)).min_by(|a, b| total(*a).total_cmp(&total(*b)))
        else {
            break;
        };
        for (c, b) in best.iter_mut().enumerate() {
            *b = b.min(problem.cost(pick, c));
        }
        open.push(pick);
    }
    open
}

/// Best-improvement interchange until no swap helps; returns the total. Each candidate `i`
/// to open is priced against every open site at once (fast interchange, after Whitaker
/// 1983): one pass over the clients gives the gain of opening `i` and, for each open `j`, the
/// extra loss of closing `j` as well.
fn local_search(problem: &Problem, open: &mut [usize], free: &[usize]) -> f64 {
    let mut loss = vec![0.0f64; problem.sites.len()];
    let mut is_open = vec![false; problem.sites.len()];
    loop {
        let nearest = Nearest::new(problem, open);
        is_open.iter_mut().for_each(|o| *o = false);
        open.iter().for_each(|j| is_open[*j] = true);
        let mut best: Option<(f64, usize, usize)> = None;
        for &i in free.iter().filter(|i| !is_open[**i]) {
            let mut gain = 0.0;
            for &j in open.iter() {
                loss[j] = 0.0;
            }
            for c in 0..nearest.first.len() {
                let (d1, s1) = nearest.first[c];
                let d = problem.cost(i, c);
                if d < d1 {
                    gain += d1 - d;
                } else if s1 != usize::MAX {
                    loss[s1] += d.min(nearest.second[c]) - d1;
                }
            }
            for (slot, &j) in open.iter().enumerate() {
                if problem.sites[j].rule != Rule::Free {
                    continue;
                }
                let delta = loss[j] - gain;
                if delta < -1e-9 && best.is_none_or(|b| delta < b.0) {
                    best = Some((delta, slot, i));
                }
            }
        }
        match best {
            Some((_, slot, i)) => open[slot] = i,
            None => return nearest.total(),
        }
    }
}

/// Greedy opening and a first descent.
pub(crate) fn start(problem: &Problem, k: usize) -> (Vec<usize>, f64) {
    let free = free_sites(problem);
    let mut open = greedy(problem, k);
    let total = local_search(problem, &mut open, &free);
    (open, total)
}

/// Variable neighbourhood search from `open`: shake by a few random swaps, descend, keep
/// what is better. Stops after the shakes, at the time budget, or once the total is at most
/// `good_enough` (a proven optimum).
pub(crate) fn improve(
    problem: &Problem,
    (mut best, mut best_total): (Vec<usize>, f64),
    options: &Options,
    elapsed: &dyn Fn() -> f64,
    good_enough: f64,
) -> (Vec<usize>, f64) {
    let free = free_sites(problem);
    let mut rng = ChaCha8Rng::seed_from_u64(options.seed);
    let movable: Vec<usize> = (0..best.len()).filter(|i| problem.sites[best[*i]].rule == Rule::Free).collect();
    if movable.is_empty() || free.len() <= movable.len() {
        best.sort_unstable();
        return (best, best_total);
    }
    let strongest = (movable.len() / 8).clamp(3, 12).min(movable.len());
    let mut strength = 1;
    for _ in 0..options.shakes {
        if elapsed() >= 1.0 || best_total <= good_enough {
            break;
        }
        let mut trial = best.clone();
        for _ in 0..strength {
            let slot = movable[rng.random_range(0..movable.len())];
            let closed: Vec<usize> = free.iter().copied().filter(|s| !trial.contains(s)).collect();
            trial[slot] = closed[rng.random_range(0..closed.len())];
        }
        let total = local_search(problem, &mut trial, &free);
        if total < best_total - 1e-9 {
            best = trial;
            best_total = total;
            strength = 1;
        } else {
            strength = if strength >= strongest { 1 } else { strength + 1 };
        }
    }
    best.sort_unstable();
    (best, best_total)
}
