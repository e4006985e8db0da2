//! A first solution by the savings of Clarke & Wright (1964), parallel version, over the
//! stairwells' neighbour lists so that it scales to thousands of stairwells.
//!
//! Greedy insertion in a fixed order starts large benchmark instances three to four times
//! above their best-known cost, and a ruin of at most 30 parcels takes long to mend that.
//! Savings start them a few percent above it. Every parcel begins alone on an outing from
//! its nearest station; pairs of nearby parcels are then taken by the walking they save,
//! `d(station, a) + d(station, b) - d(a, b)`, largest first, and two outings of the same
//! station join end to end when the joined outing is feasible and costs fewer points.

use crate::outing::{Outing, OutingCost, Stop, evaluate, leg};
use crate::search::{Context, CostEvaluator, Solution, improve_order};

/// Neighbours of each stairwell whose parcels are paired with its own: enough for the
/// routes of benchmark instances to form (Arnold et al. 2019 use 30–100 for large ones).
const NEIGHBOURS: usize = 40;

/// Outings built by savings, their stops re-ordered, and the solution's estimate; `None`
/// when a station's storage limits what it can send (the greedy construction weighs that).
pub(crate) fn savings(cost: &CostEvaluator) -> Option<Solution> {
    let ctx = cost.ctx;
    let instance = ctx.instance;
    if instance.stations.iter().any(|s| s.storage_kg.is_some()) {
        return None;
    }
    let mut sol = Solution::default();
    // Each parcel's station: the nearest that may serve it.
    let station_of: Vec<Option<usize>> = (0..ctx.parcels.len())
        .map(|p| {
            let w = ctx.parcels[p].stairwell;
            ctx.eligible[p]
                .iter()
                .filter_map(|&s| leg(instance, s, None, w).map(|d| (d, s)))
                .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)))
                .map(|(_, s)| s)
        })
        .collect();
    // Routes as parcel sequences; `route_of[p]` is where parcel p is, `usize::MAX` when left out.
    let mut routes: Vec<Vec<usize>> = Vec::new();
    let mut costs: Vec<Option<OutingCost>> = Vec::new();
    let mut kg: Vec<f64> = Vec::new();
    let mut route_of = vec![usize::MAX; ctx.parcels.len()];
    for (p, station) in station_of.iter().enumerate() {
        let cost = station.and_then(|s| evaluate(instance, ctx.parcels, &outing_of(ctx, s, &[p])));
        match cost {
            Some(cost) => {
                route_of[p] = routes.len();
                routes.push(vec![p]);
                costs.push(Some(cost));
                kg.push(ctx.parcels[p].kg);
            }
            None => sol.unserved.push(p),
        }
    }
    // The parcels at each stairwell, to pair a parcel with those of its neighbours.
    let mut at: Vec<Vec<usize>> = vec![Vec::new(); ctx.stairwells];
    for p in (0..ctx.parcels.len()).filter(|p| route_of[*p] != usize::MAX) {
        at[ctx.parcels[p].stairwell].push(p);
    }
    let mut pairs: Vec<(f64, usize, usize)> = Vec::new();
    for a in (0..ctx.parcels.len()).filter(|p| route_of[*p] != usize::MAX) {
        let (wa, s) = (ctx.parcels[a].stairwell, station_of[a].expect("served parcels have a station"));
        for &wb in ctx.nearby[wa].iter().take(NEIGHBOURS) {
            for &b in at[wb].iter().filter(|b| **b > a && station_of[**b] == Some(s)) {
                let saved = leg(instance, s, None, wa)
                    .zip(leg(instance, s, None, wb))
                    .zip(leg(instance, s, Some(wa), wb))
                    .map(|((da, db), dab)| da + db - dab);
                if let Some(saved) = saved.filter(|x| *x > 0.0) {
                    pairs.push((saved, a, b));
                }
            }
        }
    }
    pairs.sort_by(|x, y| y.0.total_cmp(&x.0).then((x.1, x.2).cmp(&(y.1, y.2))));
    for (_, a, b) in pairs {
        let (ra, rb) = (route_of[a], route_of[b]);
        if ra == rb || kg[ra] + kg[rb] > ctx.max_carry {
            continue;
        }
        // Joined end to end: a last on its outing, b first on its own, turning an outing
        // round where walking is the same both ways.
        let Some(joined) = join(ctx, &routes[ra], &routes[rb], a, b) else { continue };
        let station = station_of[a].expect("served parcels have a station");
        let Some(cost) = evaluate(instance, ctx.parcels, &outing_of(ctx, station, &joined)) else { continue };
        let before = costs[ra].map_or(0.0, |c| c.points) + costs[rb].map_or(0.0, |c| c.points);
        if cost.points >= before - 1e-9 {
            continue;
        }
        for &p in &joined {
            route_of[p] = ra;
        }
        routes[ra] = joined;
        routes[rb].clear();
        costs[ra] = Some(cost);
        costs[rb] = None;
        kg[ra] += kg[rb];
    }
    for route in routes.iter().filter(|route| !route.is_empty()) {
        let station = station_of[route[0]].expect("served parcels have a station");
        let mut outing = outing_of(ctx, station, route);
        improve_order(ctx, &mut outing);
        let priced = evaluate(instance, ctx.parcels, &outing)?;
        sol.outings.push(outing);
        sol.costs.push(priced);
    }
    sol.recompute_estimate(cost);
    Some(sol)
}

/// Routes `x` and `y` joined so that parcel `a` of `x` meets parcel `b` of `y`, or `None`
/// when either is inside its route, or when that would need a route walked backwards on
/// walking that is not the same both ways.
fn join(ctx: &Context, x: &[usize], y: &[usize], a: usize, b: usize) -> Option<Vec<usize>> {
    let (x_last, x_first) = (x.last() == Some(&a), x.first() == Some(&a));
    let (y_first, y_last) = (y.first() == Some(&b), y.last() == Some(&b));
    let mut joined = Vec::with_capacity(x.len() + y.len());
    if x_last && y_first {
        joined.extend_from_slice(x);
        joined.extend_from_slice(y);
    } else if x_first && y_last {
        joined.extend_from_slice(y);
        joined.extend_from_slice(x);
    } else if !ctx.walk_symmetric {
        return None;
    } else if x_last && y_last {
        joined.extend_from_slice(x);
        joined.extend(y.iter().rev());
    } else if x_first && y_first {
        joined.extend(x.iter().rev());
        joined.extend_from_slice(y);
    } else {
        return None;
    }
    Some(joined)
}

/// An outing from `station` through `parcels` in order, neighbours at one stairwell sharing
/// a climb.
fn outing_of(ctx: &Context, station: usize, parcels: &[usize]) -> Outing {
    let mut stops: Vec<Stop> = Vec::new();
    for &p in parcels {
        let stairwell = ctx.parcels[p].stairwell;
        match stops.last_mut() {
            Some(stop) if stop.stairwell == stairwell => stop.parcels.push(p),
            _ => stops.push(Stop { stairwell, parcels: smallvec::smallvec![p] }),
        }
    }
    Outing { station, stops }
}
