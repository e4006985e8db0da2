//! Echelon 2 search: parcels into porter outings, by construction then large neighbourhood
//! search (ruin and recreate, Schrimpf et al. 2000; operators after Breunig et al. 2016).
//!
//! Ruins (`ruin.rs`): random, related (same or nearby stairwells), whole outings, the
//! lightest outing, worst parcels, strings; sometimes, instead, outings move to another
//! station (`reroot`). Recreates (`recreate.rs`): regret-2, greedy in random order, greedy
//! farthest from a station first (as SISR's recreate sorts), or greedy heaviest first (as
//! first-fit decreasing packs climbs), each picking the station, the outing and the position
//! together (`insertion.rs`); positions and 2-opt moves are granular (next to one of a
//! stairwell's nearest). After each recreate, the touched outings' stairwell order is
//! re-optimised (`local.rs`).
//!
//! Each iteration draws one ruin and one recreate from weighted tables (`operators.rs`),
//! which count what each earns. Acceptance is simulated annealing on the estimate
//! (`acceptance.rs`).

mod acceptance;
mod construct;
mod context;
mod cost;
mod decompose;
mod insertion;
mod local;
#[cfg(test)]
mod operator_tests;
mod operators;
mod recreate;
mod ruin;
mod solution;

pub(crate) use acceptance::{mean_outing_points, start_temperature};
pub(crate) use construct::{construct, construct_from};
pub(crate) use context::Context;
pub(crate) use cost::CostEvaluator;
pub(crate) use decompose::{join, split, splits};
pub(crate) use local::improve_order;
#[cfg(test)]
pub(crate) use ruin::reroot;
pub(crate) use solution::Solution;

use acceptance::Annealing;
pub(crate) use operators::Counters;
pub use operators::OperatorStats;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Parameters of one island's search.
pub(crate) struct Run<'a> {
    pub iterations: u64,
    pub seed: u64,
    /// Iterations done before this run, of `total` in the whole search.
    pub first: u64,
    pub total: u64,
    /// Starting temperature.
    pub t0: f64,
    /// Share of the time budget used (see `Budget::elapsed`).
    pub elapsed: &'a (dyn Fn() -> f64 + Sync),
}

/// Large neighbourhood search from `start`: the best solution seen, where the annealing
/// stands (to go on from) and what each operator earned.
pub(crate) fn improve(cost: &CostEvaluator, start: Solution, run: &Run) -> (Solution, Solution, Counters) {
    let ctx = cost.ctx;
    let mut rng = ChaCha8Rng::seed_from_u64(run.seed);
    let mut counters = Counters::default();
    let served: usize = start.outings.iter().map(|r| r.stops.iter().map(|s| s.parcels.len()).sum::<usize>()).sum();
    let n = served + start.unserved.len();
    if n == 0 {
        return (start.clone(), start, counters);
    }
    let (ruins, recreates) = (operators::ruins(ctx), operators::recreates());
    let annealing = Annealing::new(run.t0);
    let mut best = start.clone();
    let mut current = start;
    let mut touched = Vec::new();
    // The candidate of each iteration, made equal to the current solution again where the
    // last iteration changed either (`touched`), or wholly when outings were added or
    // dropped (`reshaped`), in the same allocations every time.
    let mut cand = Solution::default();
    let mut reshaped = true;
    for i in 0..run.iterations {
        let time = (run.elapsed)();
        if time >= 1.0 {
            break;
        }
        let progress = ((run.first + i) as f64 / run.total.max(1) as f64).max(time);
        let temperature = annealing.temperature(progress);
        if reshaped {
            cand.clone_from(&current);
        } else {
            cand.copy_changes_from(&current, &touched);
        }
        debug_assert!(
            cand.outings == current.outings && cand.costs == current.costs && cand.unserved == current.unserved,
            "the candidate starts from the current solution"
        );
        touched.clear();
        let outings = cand.outings.len();
        let q = rng.random_range(1..=n.clamp(1, 30).min(4 + n / 8));
        let (ruin_index, ruin) = ruins.draw(&mut rng);
        let mut pending = ruin.apply(ctx, &mut cand, q, &mut rng, &mut touched);
        // Parcels no station reaches stay left out; the others get another chance, a few at
        // a time when many are left out (orders held for the next cycle, say), so that an
        // iteration stays as cheap as its ruin.
        let (mut stuck, mut retry): (Vec<usize>, Vec<usize>) =
            std::mem::take(&mut cand.unserved).into_iter().partition(|p| ctx.eligible[*p].is_empty());
        let chances = (2 * q).max(8);
        if retry.len() > chances {
            shuffle(&mut retry, &mut rng);
            stuck.extend(retry.drain(chances..));
        }
        cand.unserved = stuck;
        pending.extend(retry);
        let (recreate_index, recreate) = recreates.draw(&mut rng);
        recreate.apply(cost, &mut cand, &mut pending, &mut rng, &mut touched);
        touched.sort_unstable();
        touched.dedup();
        let dropped = cand.reorder_and_estimate(cost, &touched);
        reshaped = dropped || touched.last().is_some_and(|r| *r >= outings);
        let delta = cand.estimate - current.estimate;
        let accepted = Annealing::accepts(delta, temperature, &mut rng);
        let mut new_best = false;
        if accepted {
            std::mem::swap(&mut current, &mut cand);
            if current.estimate < best.estimate - 1e-9 {
                best.clone_from(&current);
                new_best = true;
            }
        }
        counters.ruins[ruin_index].count(delta, accepted, new_best);
        counters.recreates[recreate_index].count(delta, accepted, new_best);
    }
    (best, current, counters)
}

pub(super) fn shuffle(v: &mut [usize], rng: &mut ChaCha8Rng) {
    for i in (1..v.len()).rev() {
        let j = rng.random_range(0..=i);
        v.swap(i, j);
    }
}
