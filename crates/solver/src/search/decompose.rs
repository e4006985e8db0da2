//! Decomposition, so that more threads search more: the outings split into groups of
//! neighbouring outings, each group searched on a thread of its own, then put back together
//! (Arnold, Gendreau & Sörensen 2019 and HGS's decomposition phases split by region the same
//! way). Where the objective is a sum over outings, moves in different groups do not interact,
//! and T threads do about T times the useful work of one; islands searching the whole
//! solution each did no better with two threads than one (issue 22).

use super::cost::CostEvaluator;
use super::solution::Solution;
use rand::RngExt;
use rand_chacha::ChaCha8Rng;

/// Whether `sol` may be split into `parts`: the objective is a sum over outings and nothing
/// binds outings of different parts together (no fleet limits and no station storage limits,
/// which every outing of a station shares; no tricycle trips, which pool every station's
/// goods; no workload-balance term, which weighs the largest outing and the average), and
/// there are enough outings for each part to have a few.
pub(crate) fn splits(cost: &CostEvaluator, sol: &Solution, parts: usize) -> bool {
    let ctx = cost.ctx;
    let (fleet, weights) = (&ctx.instance.fleet, &ctx.instance.fleet.weights);
    let separable = ctx.outing_limit.is_none()
        && ctx.station_outing_limit.is_none()
        && ctx.instance.stations.iter().all(|s| s.storage_kg.is_none())
        && fleet.tricycles.trips_each.is_none()
        && weights.tricycle_trip == 0.0
        && weights.tricycle_km == 0.0
        && weights.max_porter_energy_kj == 0.0;
    separable && parts > 1 && sol.outings.len() >= MIN_OUTINGS_PER_PART * parts
}

/// The fewest outings per part worth a thread.
const MIN_OUTINGS_PER_PART: usize = 4;

/// Splits `sol` into `parts` solutions of as many outings each (one more in the first ones),
/// outings grouped with their neighbours: the first part's seed is an outing drawn with `rng`,
/// each further seed the outing farthest from the seeds so far, and each outing joins the
/// nearest seed's part that has room, the outings with most to lose by a farther part
/// first. An outing's place is its middle stop. The parcels left out go with the first part.
pub(crate) fn split(cost: &CostEvaluator, sol: &Solution, parts: usize, rng: &mut ChaCha8Rng) -> Vec<Solution> {
    let ctx = cost.ctx;
    let walk = &ctx.instance.walk_stairwell_stairwell;
    let place: Vec<usize> = sol.outings.iter().map(|o| o.stops[o.stops.len() / 2].stairwell).collect();
    let distance = |a: usize, b: usize| walk.get(place[a], place[b]).map_or(f64::INFINITY, |m| m.get());
    let mut seeds = vec![rng.random_range(0..sol.outings.len())];
    while seeds.len() < parts {
        let farthest = (0..sol.outings.len())
            .filter(|o| !seeds.contains(o))
            .map(|o| (seeds.iter().map(|s| distance(*s, o)).fold(f64::INFINITY, f64::min), o))
            .max_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)))
            .expect("more outings than parts");
        seeds.push(farthest.1);
    }
    // Per outing, its distance to each seed, and its regret: how much farther the second
    // nearest seed is than the nearest.
    let to_seeds: Vec<Vec<f64>> =
        (0..sol.outings.len()).map(|o| seeds.iter().map(|s| distance(*s, o)).collect()).collect();
    let regret: Vec<f64> = to_seeds
        .iter()
        .map(|d| {
            let mut d = d.clone();
            d.sort_by(f64::total_cmp);
            let gap = d[1] - d[0];
            if gap.is_nan() { 0.0 } else { gap }
        })
        .collect();
    let mut order: Vec<usize> = (0..sol.outings.len()).collect();
    order.sort_by(|a, b| regret[*b].total_cmp(&regret[*a]).then(a.cmp(b)));
    let (size, extra) = (sol.outings.len() / parts, sol.outings.len() % parts);
    let room = |k: usize| size + usize::from(k < extra);
    let mut groups: Vec<Vec<usize>> = vec![Vec::new(); parts];
    for o in order {
        let k = (0..parts)
            .filter(|k| groups[*k].len() < room(*k))
            .min_by(|a, b| to_seeds[o][*a].total_cmp(&to_seeds[o][*b]).then(a.cmp(b)))
            .expect("room for every outing");
        groups[k].push(o);
    }
    groups
        .into_iter()
        .enumerate()
        .map(|(k, mut outings)| {
            outings.sort_unstable();
            let mut part = Solution {
                outings: outings.iter().map(|o| sol.outings[*o].clone()).collect(),
                costs: outings.iter().map(|o| sol.costs[*o]).collect(),
                unserved: if k == 0 { sol.unserved.clone() } else { Vec::new() },
                ..Solution::default()
            };
            part.recompute_estimate(cost);
            part
        })
        .collect()
}

/// The parts back together, estimated whole.
pub(crate) fn join<'s>(cost: &CostEvaluator, parts: impl IntoIterator<Item = &'s Solution>) -> Solution {
    let mut whole = Solution::default();
    for part in parts {
        whole.outings.extend(part.outings.iter().cloned());
        whole.costs.extend_from_slice(&part.costs);
        whole.unserved.extend_from_slice(&part.unserved);
    }
    whole.recompute_estimate(cost);
    whole
}
