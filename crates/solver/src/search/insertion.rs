//! Where a parcel can go: every admissible place in the outings (granular: next to one of
//! its stairwell's nearest) or a new outing, with its extra points; and applying one.

use super::Solution;
use super::context::Context;
use super::cost::CostEvaluator;
use crate::outing::{Change, Legs, Outing, OutingCost, Stop, evaluate, evaluate_with, leg, lone_climb};

/// The cheapest place for a parcel: (extra points, route or new, stop position, joins stop).
#[derive(Clone, Copy, Debug)]
pub(super) struct Insertion {
    pub(super) delta: f64,
    /// Existing route index, or `None` for a new outing from `station`.
    pub(super) route: Option<usize>,
    pub(super) station: usize,
    /// Stop index to join (`joins`) or to insert before.
    pub(super) at: usize,
    pub(super) joins: bool,
}

thread_local! {
    /// The legs of the outing being priced, in one allocation per thread: reading them
    /// afresh for every parcel and outing was a tenth of a search's time in `malloc`.
    static LEGS: std::cell::Cell<Legs> = std::cell::Cell::new(Legs::default());
    /// One flag per stairwell, all false between uses: the stairwells near the parcel
    /// being placed in every outing, so that the granular test of each stop is one load.
    static NEAR: std::cell::Cell<Vec<bool>> = const { std::cell::Cell::new(Vec::new()) };
}

/// Places for parcel `p` in route `r`; `granular`: only if the route passes near.
pub(super) fn route_insertions(
    cost: &CostEvaluator,
    sol: &Solution,
    p: usize,
    r: usize,
    granular: bool,
    out: &mut Vec<Insertion>,
) {
    let near = cost.ctx.near_row(cost.ctx.parcels[p].stairwell);
    insertions_near(cost, sol, p, r, granular, |b| near.contains(&(b as u32)), out);
}

/// [`route_insertions`] with the test of the stairwells near `p`'s.
fn insertions_near(
    cost: &CostEvaluator,
    sol: &Solution,
    p: usize,
    r: usize,
    granular: bool,
    near: impl Fn(usize) -> bool,
    out: &mut Vec<Insertion>,
) {
    let ctx = cost.ctx;
    let parcel = &ctx.parcels[p];
    let route = &sol.outings[r];
    if !ctx.fits(route.station, &[p], Some(sol.costs[r].kg + parcel.kg)) {
        return;
    }
    // Granular: only outings that already climb a stairwell near this one (an empty outing
    // is a new one, tried separately). Before the storage check, a pass over all outings.
    if granular && !route.stops.iter().any(|s| near(s.stairwell)) {
        return;
    }
    if !ctx.has_room(&sol.outings, route.station, &[p], 0.0) {
        return;
    }
    let base = &sol.costs[r];
    let mut push = |change: Change, at: usize, joins: bool| {
        if let Some(c) = evaluate_with(ctx.instance, ctx.parcels, route, change) {
            let delta = cost.delta(sol, Some(base), &c);
            out.push(Insertion { delta, route: Some(r), station: route.station, at, joins });
        }
    };
    if let Some(at) = route.stops.iter().position(|s| s.stairwell == parcel.stairwell) {
        push(Change::Join { at, parcel: p }, at, true);
        return;
    }
    let Some(price) = ctx.walk_price else {
        for at in 0..=route.stops.len() {
            push(Change::Insert { at, parcel: p }, at, false);
        }
        return;
    };
    // A stop of its own: its climb costs the same at every position; the walking changes by
    // the legs around it and by its load carried on every leg before it.
    let mut legs = LEGS.take();
    if !legs.refill(ctx.instance, ctx.parcels, route) {
        LEGS.set(legs);
        return;
    }
    let (instance, station, q, x) = (ctx.instance, route.station, parcel.stairwell, parcel.kg);
    let w = &instance.fleet.weights;
    let (climb_kj, climbs, moved) = lone_climb(instance, ctx.parcels, station, p);
    let climb_points = w.energy_kj * climb_kj
        + w.stair_climb * climbs as f64
        + w.moved_order * moved as f64
        + instance.stations[station].handling_per_kg * x
        + if route.stops.is_empty() { w.porter_outing } else { 0.0 };
    let n = route.stops.len();
    let mut before = 0.0;
    for at in 0..=n {
        let prev = (at > 0).then(|| route.stops[at - 1].stairwell);
        // Granular positions too: next to a nearby stairwell, or first or last. A place
        // between two far stops is rarely best, and reading its legs is most of the time
        // an insertion takes on long routes.
        let beside_near = at == 0 || at == n || near(route.stops[at - 1].stairwell) || near(route.stops[at].stairwell);
        if granular && !beside_near {
            before += legs.legs[at];
            continue;
        }
        let (d_out, old, after) = if at < n {
            (leg(instance, station, Some(q), route.stops[at].stairwell), legs.legs[at], legs.load[at])
        } else {
            (leg(instance, station, None, q), legs.back, 0.0)
        };
        if let (Some(d_in), Some(d_out)) = (ctx.leg_into(station, prev, q), d_out) {
            let metres = d_in + d_out - old;
            let kg_metres = x * before + (after + x) * d_in + after * (d_out - old);
            let (points, kj) = price.price(metres, kg_metres);
            let new = OutingCost {
                points: base.points + points + climb_points,
                energy_kj: base.energy_kj + kj + climb_kj,
                kg: base.kg + x,
                ..*base
            };
            #[cfg(debug_assertions)]
            if let Some(full) = evaluate_with(instance, ctx.parcels, route, Change::Insert { at, parcel: p }) {
                let slack = 1e-6 * full.points.abs().max(1.0);
                debug_assert!((full.points - new.points).abs() < slack, "insertion priced {new:?}, evaluated {full:?}");
                debug_assert!(
                    (full.energy_kj - new.energy_kj).abs() < slack,
                    "insertion priced {new:?}, evaluated {full:?}"
                );
            }
            out.push(Insertion { delta: cost.delta(sol, Some(base), &new), route: Some(r), station, at, joins: false });
        }
        if at < n {
            before += legs.legs[at];
        }
    }
    LEGS.set(legs);
}

/// Places for parcel `p` in a new outing from each eligible station.
pub(super) fn new_route_insertions(cost: &CostEvaluator, sol: &Solution, p: usize, out: &mut Vec<Insertion>) {
    let ctx = cost.ctx;
    for &station in &ctx.eligible[p] {
        if !ctx.admits(&sol.outings, station, &[p], Some(ctx.parcels[p].kg), 0.0) {
            continue;
        }
        let empty = Outing { station, stops: Vec::new() };
        if let Some(c) = evaluate_with(ctx.instance, ctx.parcels, &empty, Change::Insert { at: 0, parcel: p }) {
            let delta = cost.delta(sol, None, &c) + cost.new_outing_points(&sol.outings, station);
            out.push(Insertion { delta, route: None, station, at: 0, joins: false });
        }
    }
}

pub(super) fn insertions(cost: &CostEvaluator, sol: &Solution, p: usize, out: &mut Vec<Insertion>) {
    out.clear();
    let ctx = cost.ctx;
    let mut flags = NEAR.take();
    flags.resize(flags.len().max(ctx.stairwells), false);
    let a = ctx.parcels[p].stairwell;
    ctx.near_of(a).for_each(|b| flags[b] = true);
    for r in 0..sol.outings.len() {
        insertions_near(cost, sol, p, r, true, |b| flags[b], out);
    }
    ctx.near_of(a).for_each(|b| flags[b] = false);
    NEAR.set(flags);
    // No outing nearby has room: any outing with room, before a new one (an outing fewer is
    // often worth a detour where capacity is tight).
    if out.is_empty() {
        for r in 0..sol.outings.len() {
            route_insertions(cost, sol, p, r, false, out);
        }
    }
    new_route_insertions(cost, sol, p, out);
}

pub(super) fn apply(ctx: &Context, sol: &mut Solution, p: usize, ins: Insertion) -> usize {
    let stairwell = ctx.parcels[p].stairwell;
    match ins.route {
        Some(r) => {
            let route = &mut sol.outings[r];
            if ins.joins {
                route.stops[ins.at].parcels.push(p);
            } else {
                route.stops.insert(ins.at, Stop { stairwell, parcels: smallvec::smallvec![p] });
            }
            let cost = evaluate(ctx.instance, ctx.parcels, &sol.outings[r]).expect("checked");
            sol.energy += cost.energy_kj - sol.costs[r].energy_kj;
            sol.largest = sol.largest.max(cost.energy_kj);
            sol.costs[r] = cost;
            r
        }
        None => {
            let route =
                Outing { station: ins.station, stops: vec![Stop { stairwell, parcels: smallvec::smallvec![p] }] };
            let cost = evaluate(ctx.instance, ctx.parcels, &route).expect("checked");
            sol.energy += cost.energy_kj;
            sol.largest = sol.largest.max(cost.energy_kj);
            sol.costs.push(cost);
            sol.outings.push(route);
            sol.outings.len() - 1
        }
    }
}
