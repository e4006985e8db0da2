//! First solutions: greedy insertion of every parcel, the savings start, or a previous
//! plan's outings with the new parcels inserted.

use super::Solution;
use super::cost::CostEvaluator;
use super::recreate::greedy;
use crate::outing::{Outing, Stop, evaluate};

/// A first solution: the better of every parcel at its cheapest place (stairwell by
/// stairwell, highest first) and the savings construction (`savings.rs`).
pub(crate) fn construct(cost: &CostEvaluator) -> Solution {
    let ctx = cost.ctx;
    let mut sol = Solution::default();
    insert_all(cost, &mut sol, (0..ctx.parcels.len()).collect());
    match crate::savings::savings(cost) {
        Some(saved) if saved.estimate < sol.estimate - 1e-9 => saved,
        _ => sol,
    }
}

/// Inserts `pending` greedily: parcels no station reaches are left out; the others go
/// stairwell by stairwell, top floors first, as climbs fill from the top down (DOMAIN.md).
fn insert_all(cost: &CostEvaluator, sol: &mut Solution, mut pending: Vec<usize>) {
    let ctx = cost.ctx;
    pending.retain(|p| {
        let keep = !ctx.eligible[*p].is_empty();
        if !keep {
            sol.unserved.push(*p);
        }
        keep
    });
    pending.sort_by(|a, b| {
        let (pa, pb) = (&ctx.parcels[*a], &ctx.parcels[*b]);
        pa.stairwell.cmp(&pb.stairwell).then(pb.floor.cmp(&pa.floor)).then(pb.kg.total_cmp(&pa.kg)).then(a.cmp(b))
    });
    sol.recompute_estimate(cost);
    let mut touched = Vec::new();
    greedy(cost, sol, &pending, &mut touched);
    touched.sort_unstable();
    touched.dedup();
    sol.reorder_and_estimate(cost, &touched);
}

/// Starts from the outings of a previous plan (stations and jobs in visiting order), then
/// inserts what they do not hold. Parcels that no longer fit (carry limit, station no longer
/// eligible, storage) are inserted afresh.
pub(crate) fn construct_from(cost: &CostEvaluator, warm: &[crate::WarmOuting]) -> Solution {
    let ctx = cost.ctx;
    let mut sol = Solution::default();
    let mut of_job: Vec<Vec<usize>> = vec![Vec::new(); ctx.instance.jobs.len()];
    for (p, parcel) in ctx.parcels.iter().enumerate() {
        of_job[parcel.job].push(p);
    }
    let mut placed = vec![false; ctx.parcels.len()];
    for outing in warm {
        let mut route = Outing { station: outing.station, stops: Vec::new() };
        let (mut kg, mut added) = (0.0, 0.0);
        for &job in outing.jobs.iter().filter(|j| **j < of_job.len()) {
            for &p in &of_job[job] {
                let parcel = &ctx.parcels[p];
                let fits = !placed[p] && ctx.admits(&sol.outings, outing.station, &[p], Some(kg + parcel.kg), added);
                if !fits {
                    continue;
                }
                kg += parcel.kg;
                added += ctx.adds_kg(p);
                placed[p] = true;
                match route.stops.iter_mut().find(|s| s.stairwell == parcel.stairwell) {
                    Some(stop) => stop.parcels.push(p),
                    None => route.stops.push(Stop { stairwell: parcel.stairwell, parcels: smallvec::smallvec![p] }),
                }
            }
        }
        if route.stops.is_empty() {
            continue;
        }
        match evaluate(ctx.instance, ctx.parcels, &route) {
            Some(cost) => {
                sol.outings.push(route);
                sol.costs.push(cost);
            }
            None => route.stops.iter().flat_map(|s| &s.parcels).for_each(|p| placed[*p] = false),
        }
    }
    insert_all(cost, &mut sol, (0..ctx.parcels.len()).filter(|p| !placed[*p]).collect());
    sol
}
