//! Ruins: take parcels out of the solution (random, related, whole outings, the lightest
//! outing, worst, strings), or move outings to another station (`reroot`).

use super::{Context, Solution};
use crate::outing::{Stop, evaluate};
use rand::RngExt;
use rand_chacha::ChaCha8Rng;

/// Every served parcel with its outing, in the outings' order: one pass, so that a ruin
/// knows where each parcel it takes is without another.
fn served_parcels(sol: &Solution) -> Vec<(usize, usize)> {
    sol.outings.iter().enumerate().flat_map(|(r, route)| with_outing(&route.stops, r)).collect()
}

/// A stop's parcels with their outing `r`.
fn with_outing(stops: &[Stop], r: usize) -> impl Iterator<Item = (usize, usize)> + '_ {
    stops.iter().flat_map(move |s| s.parcels.iter().map(move |p| (*p, r)))
}

/// Share of iterations that move a whole outing to another station instead of ruining
/// parcels. Few: porters' outings rarely gain by it (a tenth cost the noon batch 0.4 % at the
/// default budget), while 3 % keep 2E-CVRP's gains (Set 3 at 4 s: 0.11-0.15 %, as with a
/// tenth).
const REROOT_SHARE: f64 = 0.03;

/// Moves a random outing, stops and all, to another station that serves all its parcels
/// and has room to store them; half the time every outing of its station goes along, so
/// that a station's whole share can change station in one step. Returns the outings moved.
/// The tricycles' cost of a station is a step in its load (a trip more or less), which
/// parcels moved one by one rarely cross (their stop order is redone by the
/// `reorder_and_estimate` that follows).
pub(crate) fn reroot(ctx: &Context, sol: &mut Solution, rng: &mut ChaCha8Rng) -> Vec<usize> {
    let r = rng.random_range(0..sol.outings.len());
    let from = sol.outings[r].station;
    let moved: Vec<usize> = if rng.random_bool(0.5) {
        (0..sol.outings.len()).filter(|o| sol.outings[*o].station == from).collect()
    } else {
        vec![r]
    };
    let parcels: Vec<usize> =
        moved.iter().flat_map(|o| sol.outings[*o].stops.iter().flat_map(|s| s.parcels.iter().copied())).collect();
    let kg: f64 = parcels.iter().map(|p| ctx.adds_kg(*p)).sum();
    let options: Vec<usize> = (0..ctx.instance.stations.len())
        .filter(|s| *s != from && parcels.iter().all(|p| ctx.serves(*p, *s)))
        .filter(|s| ctx.storage_ok(&sol.outings, *s, kg))
        .collect();
    if options.is_empty() {
        return Vec::new();
    }
    let to = options[rng.random_range(0..options.len())];
    for &o in &moved {
        sol.outings[o].station = to;
    }
    moved
}

pub(super) fn destroy(
    ctx: &Context,
    sol: &mut Solution,
    q: usize,
    rng: &mut ChaCha8Rng,
    touched: &mut Vec<usize>,
) -> Vec<usize> {
    if sol.outings.is_empty() {
        return Vec::new();
    }
    if ctx.instance.stations.len() > 1 && rng.random_bool(REROOT_SHARE) {
        touched.extend(reroot(ctx, sol, rng));
        reprice_costs(ctx, sol, touched);
        return Vec::new();
    }
    let mut served = served_parcels(sol);
    // (parcel, its outing) pairs.
    let mut removed: Vec<(usize, usize)> = Vec::new();
    match rng.random_range(0..5) {
        // Strings: a run of consecutive stops from each of the outings that pass near a seed
        // stairwell (string removal, Christiaens & Vanden Berghe 2020), so that the repair
        // can rebuild those outings' neighbourhood together.
        4 => {
            let home = ctx.parcels[served[rng.random_range(0..served.len())].0].stairwell;
            let mut route_of = vec![usize::MAX; ctx.stairwells];
            for (r, route) in sol.outings.iter().enumerate() {
                for stop in &route.stops {
                    route_of[stop.stairwell] = route_of[stop.stairwell].min(r);
                }
            }
            let mut done = Vec::new();
            for &w in &ctx.nearby[home] {
                let r = route_of[w];
                if removed.len() >= q || done.len() >= 4 {
                    break;
                }
                if r == usize::MAX || done.contains(&r) {
                    continue;
                }
                done.push(r);
                let stops = &sol.outings[r].stops;
                let at = stops.iter().position(|s| s.stairwell == w).expect("the route visits w");
                let len = rng.random_range(1..=stops.len().min(10).min(q - removed.len()).max(1));
                let first = rng.random_range(at.saturating_sub(len - 1)..=at).min(stops.len() - len);
                removed.extend(with_outing(&stops[first..first + len], r));
            }
        }
        // Random parcels.
        0 => {
            // The first q of a partial shuffle.
            for i in 0..q.min(served.len()) {
                let j = rng.random_range(i..served.len());
                served.swap(i, j);
                removed.push(served[i]);
            }
        }
        // Related: a seed stairwell and its neighbours on foot.
        1 => {
            let home = ctx.parcels[served[rng.random_range(0..served.len())].0].stairwell;
            // The served parcels by stairwell, in the order of `served` (a counting sort: one
            // pass, not one per neighbour).
            let mut start = vec![0usize; ctx.stairwells + 1];
            for &(p, _) in &served {
                start[ctx.parcels[p].stairwell + 1] += 1;
            }
            for w in 0..ctx.stairwells {
                start[w + 1] += start[w];
            }
            let mut by_stairwell = vec![(0usize, 0usize); served.len()];
            let mut next = start.clone();
            for &(p, r) in &served {
                let w = ctx.parcels[p].stairwell;
                by_stairwell[next[w]] = (p, r);
                next[w] += 1;
            }
            for &w in &ctx.nearby[home] {
                for &pair in &by_stairwell[start[w]..start[w + 1]] {
                    if removed.len() < q {
                        removed.push(pair);
                    }
                }
                if removed.len() >= q {
                    break;
                }
            }
        }
        // The lightest outing alone, so that its parcels may fill the others' room and one
        // outing fewer goes out.
        2 if rng.random_bool(0.25) => {
            let lightest = (0..sol.outings.len()).min_by(|a, b| sol.costs[*a].kg.total_cmp(&sol.costs[*b].kg));
            if let Some(r) = lightest {
                removed.extend(with_outing(&sol.outings[r].stops, r));
            }
        }
        // Whole outings, together with an outing of a nearby stairwell.
        2 => {
            let r = rng.random_range(0..sol.outings.len());
            let first = sol.outings[r].stops[0].stairwell;
            removed.extend(with_outing(&sol.outings[r].stops, r));
            let near = ctx.nearby[first].iter().take(4).copied().collect::<Vec<_>>();
            if let Some(other) = sol
                .outings
                .iter()
                .position(|o| o.stops.iter().any(|s| near.contains(&s.stairwell) && s.stairwell != first))
            {
                removed.extend(with_outing(&sol.outings[other].stops, other));
            }
            removed.sort_unstable();
            removed.dedup();
        }
        // Worst: parcels whose outings cost most per kg carried.
        _ => {
            let mut scored: Vec<(f64, (usize, usize))> = sol
                .outings
                .iter()
                .zip(&sol.costs)
                .enumerate()
                .flat_map(|(k, (r, c))| {
                    let per_kg = c.points / c.kg.max(0.1);
                    with_outing(&r.stops, k).map(move |pair| (per_kg, pair))
                })
                .collect();
            scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            // Randomised: skip some of the worst so repeated calls differ.
            for (_, pair) in scored {
                if removed.len() >= q {
                    break;
                }
                if rng.random_bool(0.7) {
                    removed.push(pair);
                }
            }
        }
    }
    for &(p, r) in &removed {
        if let Some(r) = sol.remove_parcel_from(p, r) {
            touched.push(r);
        }
    }
    reprice_costs(ctx, sol, touched);
    removed.into_iter().map(|(p, _)| p).collect()
}

/// After a ruin: evaluates the `touched` outings again, in their order, without estimating
/// the whole (insertion deltas are taken against these costs, so they must be current).
fn reprice_costs(ctx: &Context, sol: &mut Solution, touched: &[usize]) {
    for &r in touched {
        let cost = evaluate(ctx.instance, ctx.parcels, &sol.outings[r]).expect("ruins keep routes reachable");
        sol.energy += cost.energy_kj - sol.costs[r].energy_kj;
        sol.costs[r] = cost;
    }
    sol.largest = sol.costs.iter().map(|c| c.energy_kj).fold(0.0, f64::max);
}
