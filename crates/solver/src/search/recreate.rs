//! Recreates: put the parcels a ruin took out back in, each at its cheapest place, in
//! some order (greedy) or regret first. Each is a named [`Recreate`], drawn from a weighted
//! table as the ruins are.

use super::cost::CostEvaluator;
use super::insertion::{Insertion, apply, insertions, new_route_insertions, route_insertions};
use super::{Solution, shuffle};
use rand_chacha::ChaCha8Rng;

/// A recreate operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Recreate {
    /// Regret-2 ([`regret`]).
    Regret,
    /// Greedy, in random order.
    RandomOrder,
    /// Greedy, farthest from its nearest station first, as SISR's recreate sorts (far
    /// customers placed first shape the routes the near ones join).
    FarthestFirst,
    /// Greedy, heaviest first, as first-fit decreasing packs climbs best.
    HeaviestFirst,
}

impl Recreate {
    /// Every recreate, in the order of the table and of reports.
    pub(crate) const ALL: [Recreate; 4] =
        [Recreate::Regret, Recreate::RandomOrder, Recreate::FarthestFirst, Recreate::HeaviestFirst];

    /// The name reports use.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Recreate::Regret => "regret",
            Recreate::RandomOrder => "random_order",
            Recreate::FarthestFirst => "farthest_first",
            Recreate::HeaviestFirst => "heaviest_first",
        }
    }

    /// How often it is drawn, relative to the others: all alike.
    pub(crate) fn weight(self) -> f64 {
        1.0
    }

    /// Inserts `pending` into `sol` (each where it costs least, or left out when that costs
    /// more than its penalty); the outings changed are added to `touched`.
    pub(crate) fn apply(
        self,
        cost: &CostEvaluator,
        sol: &mut Solution,
        pending: &mut Vec<usize>,
        rng: &mut ChaCha8Rng,
        touched: &mut Vec<usize>,
    ) {
        let ctx = cost.ctx;
        match self {
            Recreate::Regret => return regret(cost, sol, pending, touched),
            Recreate::RandomOrder => shuffle(pending, rng),
            Recreate::FarthestFirst => {
                let far = |p: usize| ctx.station_distance[ctx.parcels[p].stairwell];
                pending.sort_by(|a, b| far(*b).total_cmp(&far(*a)).then(a.cmp(b)));
            }
            Recreate::HeaviestFirst => {
                pending.sort_by(|a, b| ctx.parcels[*b].kg.total_cmp(&ctx.parcels[*a].kg).then(a.cmp(b)))
            }
        }
        greedy(cost, sol, pending, touched);
    }
}

/// Inserts parcels one by one at their cheapest place, in the given order.
pub(super) fn greedy(cost: &CostEvaluator, sol: &mut Solution, order: &[usize], touched: &mut Vec<usize>) {
    let ctx = cost.ctx;
    let mut options = Vec::new();
    for &p in order {
        insertions(cost, sol, p, &mut options);
        match options.iter().copied().min_by(|a, b| a.delta.total_cmp(&b.delta)) {
            Some(best) if best.delta < ctx.penalty[p] => touched.push(apply(ctx, sol, p, best)),
            _ => sol.unserved.push(p),
        }
    }
}

/// Regret-2: inserts first the parcel that loses most by not getting its best place.
/// Options are kept per parcel; after an insertion only the changed outing's are redone.
pub(super) fn regret(cost: &CostEvaluator, sol: &mut Solution, pending: &mut Vec<usize>, touched: &mut Vec<usize>) {
    let ctx = cost.ctx;
    let mut options: Vec<Vec<Insertion>> = pending
        .iter()
        .map(|&p| {
            let mut o = Vec::new();
            insertions(cost, sol, p, &mut o);
            o
        })
        .collect();
    let mut scratch = Vec::new();
    // The stairwells of the outing just changed: a parcel none of whose near stairwells it
    // climbs has no granular place in it, found in ten loads instead of a scan of its stops.
    let mut on_changed = vec![false; ctx.stairwells];
    while !pending.is_empty() {
        let mut pick: Option<(f64, usize)> = None;
        for (i, opts) in options.iter().enumerate() {
            let p = pending[i];
            let (mut best, mut second) = (f64::INFINITY, ctx.penalty[p]);
            for o in opts {
                if o.delta < best {
                    second = second.min(best);
                    best = o.delta;
                } else if o.delta < second {
                    second = o.delta;
                }
            }
            let score = if best.is_finite() { second - best } else { f64::INFINITY };
            if pick.is_none_or(|(s, _)| score > s) {
                pick = Some((score, i));
            }
        }
        let (_, i) = pick.expect("pending is not empty");
        let p = pending.swap_remove(i);
        let opts = options.swap_remove(i);
        let best = opts.iter().copied().min_by(|a, b| a.delta.total_cmp(&b.delta));
        let changed = match best {
            Some(b) if b.delta < ctx.penalty[p] => apply(ctx, sol, p, b),
            _ => {
                sol.unserved.push(p);
                continue;
            }
        };
        touched.push(changed);
        let new_route = changed + 1 == sol.outings.len() && best.is_some_and(|b| b.route.is_none());
        let storage = ctx.instance.stations.iter().any(|s| s.storage_kg.is_some());
        sol.outings[changed].stops.iter().for_each(|s| on_changed[s.stairwell] = true);
        for (k, &q) in pending.iter().enumerate() {
            if storage {
                // A station filling up can close any of its outings: redo everything.
                insertions(cost, sol, q, &mut options[k]);
                continue;
            }
            options[k].retain(|o| o.route != Some(changed));
            if ctx.near_of(ctx.parcels[q].stairwell).any(|b| on_changed[b]) {
                scratch.clear();
                route_insertions(cost, sol, q, changed, true, &mut scratch);
                options[k].extend_from_slice(&scratch);
            }
            if new_route {
                options[k].retain(|o| o.route.is_some());
                scratch.clear();
                new_route_insertions(cost, sol, q, &mut scratch);
                options[k].extend_from_slice(&scratch);
            }
        }
        sol.outings[changed].stops.iter().for_each(|s| on_changed[s.stairwell] = false);
    }
}
