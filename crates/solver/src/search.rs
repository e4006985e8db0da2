//! Echelon 2 search: parcels into porter outings, by construction then large neighbourhood
//! search (ruin and recreate, Schrimpf et al. 2000; operators after Breunig et al. 2016).
//!
//! Destroy: random, related (same or nearby stairwells), whole outings, worst parcels,
//! strings; sometimes, instead, a whole outing moves to another station (`reroot`).
//! Repair: regret-2, greedy in random order, greedy farthest from a station first (as
//! SISR's recreate sorts), or greedy heaviest first (as first-fit decreasing packs climbs),
//! each picking the station, the outing and the position together; positions and 2-opt
//! moves are granular (next to one of a stairwell's nearest). After each repair, the
//! touched outings' stairwell order is re-optimised.
//! Acceptance is simulated annealing on the objective points of the outings.

use crate::outing::{Change, Legs, Outing, OutingCost, Stop, WalkPrice, evaluate, evaluate_with, leg, lone_climb};
use crate::parcel::Parcel;
use crate::trips::{Load, form_trips};
use lastmetre_model::Instance;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Where the search stands: outings and the parcels nobody carries.
#[derive(Debug, Default)]
pub(crate) struct Solution {
    /// Outings.
    pub outings: Vec<Outing>,
    /// Their costs, parallel to `outings`.
    pub costs: Vec<OutingCost>,
    /// Parcels left out.
    pub unserved: Vec<usize>,
    /// The search's estimate of the objective, in points: outings, left-out parcels, a bound
    /// of the workload balance and an echelon-1 estimate. The plan's own objective
    /// (`Metrics::objective`, after `assemble`) is what is reported.
    pub estimate: f64,
    /// Energy of all outings, kJ, and of the largest: the workload-balance bound.
    pub energy: f64,
    pub largest: f64,
    /// The echelon-1 estimate of the last assignment priced (see `Context::trip_points`).
    pub trips: TripMemo,
}

/// An echelon-1 estimate and the fingerprint of the parcels-to-stations assignment it priced.
#[derive(Debug, Default)]
pub(crate) struct TripMemo {
    fingerprint: Vec<u64>,
    points: f64,
}

impl Clone for TripMemo {
    fn clone(&self) -> Self {
        TripMemo { fingerprint: self.fingerprint.clone(), points: self.points }
    }

    fn clone_from(&mut self, source: &Self) {
        self.fingerprint.clone_from(&source.fingerprint);
        self.points = source.points;
    }
}

impl Clone for Solution {
    fn clone(&self) -> Self {
        let mut copy = Solution::default();
        copy.clone_from(self);
        copy
    }

    /// Into the allocations `self` already has (its outings' stops among them): the search
    /// copies the current solution into its candidate every iteration, and allocating it
    /// afresh cost more than many ruins.
    fn clone_from(&mut self, source: &Self) {
        self.outings.clone_from(&source.outings);
        self.costs.clone_from(&source.costs);
        self.unserved.clone_from(&source.unserved);
        self.estimate = source.estimate;
        self.energy = source.energy;
        self.largest = source.largest;
        self.trips.clone_from(&source.trips);
    }
}

/// A well-spread 64-bit image of `x`, so that sums of images tell sets apart.
fn mix(x: u64) -> u64 {
    lastmetre_model::seed::scramble(x.wrapping_add(lastmetre_model::seed::GOLDEN))
}

/// Fixed facts the search consults.
pub(crate) struct Context<'a> {
    pub instance: &'a Instance,
    pub parcels: &'a [Parcel],
    /// Stations that may serve each parcel (pinned, or every station that reaches it).
    pub eligible: Vec<Vec<usize>>,
    /// Penalty for leaving each parcel out.
    pub penalty: Vec<f64>,
    /// For each stairwell, its `NEARBY` nearest (itself first) by walking distance: what
    /// the related and string ruins walk through. A full sorted row per stairwell was
    /// n² memory and n² log n time, too much at district and XXL sizes.
    pub nearby: Vec<Vec<usize>>,
    /// Row-major stairwells × stairwells: `near[a * stairwells + b]` when b is among a's
    /// `GRANULARITY` nearest.
    pub near: Vec<bool>,
    pub stairwells: usize,
    pub max_carry: f64,
    /// Kilograms already stocked at each station (goods of frozen trips, failed deliveries).
    pub stocked_kg: Vec<f64>,
    /// Row-major parcels × stations: `eligible` as a table, for the hot insertion loop.
    pub serving: Vec<bool>,
    /// Energy the porters on duty spent before this cycle: (most, least, sum, porters).
    pub shift: (f64, f64, f64, f64),
    /// Most outings in all and from one station, when the fleet limits them.
    pub outing_limit: Option<usize>,
    pub station_outing_limit: Option<usize>,
    /// Points per outing beyond those limits. The limits are soft during the search, so
    /// that it can pass through a tight packing of outings instead of being stuck in the
    /// first; the plan itself never exceeds them (the schedule leaves such outings out).
    pub fleet_penalty: f64,
    /// Each station's place in the tricycles' best loop, for the echelon-1 estimate.
    pub loop_position: Vec<usize>,
    /// Walking's price where stop order changes only walking.
    pub walk_price: Option<WalkPrice>,
    /// Walking from stairwell a to b is as long as from b to a (true of every undirected
    /// walking graph and of benchmark distances): a leg into a stairwell can then be read
    /// from that stairwell's own row of the matrix, which stays in cache.
    pub walk_symmetric: bool,
    /// Each stairwell's walk from its nearest station, metres (infinite when none reaches it).
    pub station_distance: Vec<f64>,
}

impl<'a> Context<'a> {
    pub(crate) fn new(instance: &'a Instance, parcels: &'a [Parcel]) -> Self {
        let eligible: Vec<Vec<usize>> = parcels
            .iter()
            .map(|p| {
                let job = &instance.jobs[p.job];
                // Goods already at a station leave from there.
                match job.stocked.map(|s| s.station).or(job.pinned_station) {
                    Some(s) => vec![s].into_iter().filter(|s| reachable(instance, *s, p.stairwell)).collect(),
                    None => (0..instance.stations.len()).filter(|s| reachable(instance, *s, p.stairwell)).collect(),
                }
            })
            .collect();
        let penalty = parcels.iter().map(|p| instance.unserved_cost(p.job)).collect();
        let n = instance.stairwells.len();
        let nearby: Vec<Vec<usize>> = (0..n)
            .map(|a| {
                let mut others: Vec<usize> = (0..n).collect();
                let d = |b: &usize| instance.walk_stairwell_stairwell.get(a, *b).map_or(f64::INFINITY, |m| m.get());
                let order = |x: &usize, y: &usize| d(x).total_cmp(&d(y)).then(x.cmp(y));
                if n > NEARBY {
                    others.select_nth_unstable_by(NEARBY - 1, order);
                    others.truncate(NEARBY);
                }
                others.sort_by(order);
                others
            })
            .collect();
        let mut near = vec![false; n * n];
        for (a, others) in nearby.iter().enumerate() {
            for &b in others.iter().take(GRANULARITY) {
                near[a * n + b] = true;
            }
        }
        let spent: Vec<f64> = (0..instance.fleet.porters.count)
            .map(|i| instance.porter_state(i))
            .filter(|p| p.on_duty)
            .map(|p| p.spent_kj)
            .collect();
        let shift = (
            spent.iter().copied().fold(0.0, f64::max),
            spent.iter().copied().fold(f64::INFINITY, f64::min).min(f64::MAX),
            spent.iter().sum(),
            spent.len().max(1) as f64,
        );
        let stations = instance.stations.len();
        let mut serving = vec![false; parcels.len() * stations];
        for (p, list) in eligible.iter().enumerate() {
            for &st in list {
                serving[p * stations + st] = true;
            }
        }
        let mut stocked_kg = vec![0.0; stations];
        for job in &instance.jobs {
            if let Some(stock) = job.stocked {
                stocked_kg[stock.station] += job.kg();
            }
        }
        let porters = &instance.fleet.porters;
        let on_duty = (0..porters.count).filter(|i| instance.porter_state(*i).on_duty).count();
        let outing_limit = porters.outings_each.map(|n| n * on_duty);
        let station_outing_limit = porters.outings_each.zip(porters.per_station).map(|(n, k)| n * k);
        let mut loop_position = vec![0; stations];
        for (k, s) in crate::assemble::tour(instance, &(0..stations).collect::<Vec<_>>()).into_iter().enumerate() {
            loop_position[s] = k;
        }
        let walk = &instance.walk_stairwell_stairwell;
        let walk_symmetric = (0..n).all(|a| (0..a).all(|b| walk.get(a, b) == walk.get(b, a)));
        let station_distance = (0..n)
            .map(|w| {
                (0..stations)
                    .filter_map(|st| instance.walk_station_stairwell.get(st, w))
                    .map(|m| m.get())
                    .fold(f64::INFINITY, f64::min)
            })
            .collect();
        Context {
            walk_symmetric,
            station_distance,
            outing_limit,
            station_outing_limit,
            fleet_penalty: 0.0,
            loop_position,
            walk_price: WalkPrice::of(instance),
            stocked_kg,
            serving,
            shift,
            instance,
            parcels,
            eligible,
            penalty,
            nearby,
            near,
            stairwells: n,
            max_carry: instance.fleet.porters.max_carry_kg.get() + 1e-9,
        }
    }

    /// Metres from the station (`from` none) or stairwell `from` into stairwell `to`: [`leg`],
    /// read from `to`'s row where walking is symmetric.
    fn leg_into(&self, station: usize, from: Option<usize>, to: usize) -> Option<f64> {
        match from {
            Some(w) if self.walk_symmetric => self.instance.walk_stairwell_stairwell.get(to, w).map(|m| m.get()),
            _ => leg(self.instance, station, from, to),
        }
    }

    /// Station `s` may serve parcel `p`.
    pub(crate) fn serves(&self, p: usize, s: usize) -> bool {
        self.serving[p * self.instance.stations.len() + s]
    }

    /// The bound on the most tired porter's energy over the shift: at least what anyone has
    /// already spent, at least the least tired porter plus the largest outing, at least the
    /// average.
    fn balance(&self, largest: f64, energy: f64) -> f64 {
        let (most, least, spent, n) = self.shift;
        most.max(least + largest).max((spent + energy) / n)
    }

    /// Extra points for an outing going from `old` to `new` (cost of the change included).
    fn delta(&self, sol: &Solution, old: Option<&OutingCost>, new: &OutingCost) -> f64 {
        let (old_points, old_energy) = old.map_or((0.0, 0.0), |c| (c.points, c.energy_kj));
        let before = self.balance(sol.largest, sol.energy);
        let after = self.balance(sol.largest.max(new.energy_kj), sol.energy - old_energy + new.energy_kj);
        new.points - old_points + self.instance.fleet.weights.max_porter_energy_kj * (after - before)
    }

    /// The least points for leaving a parcel out.
    pub(crate) fn least_penalty(&self) -> f64 {
        self.penalty.iter().copied().fold(f64::INFINITY, f64::min)
    }

    /// Points for one more outing from `station`: the penalty when it exceeds a fleet limit.
    fn new_outing_points(&self, routes: &[Outing], station: usize) -> f64 {
        let over = self.outing_limit.is_some_and(|most| routes.len() >= most)
            || self
                .station_outing_limit
                .is_some_and(|most| routes.iter().filter(|r| r.station == station).count() >= most);
        if over { self.fleet_penalty } else { 0.0 }
    }

    /// Outings beyond the fleet's limits, in all and per station.
    pub(crate) fn excess_outings(&self, routes: &[Outing]) -> usize {
        let total = self.outing_limit.map_or(0, |most| routes.len().saturating_sub(most));
        let per_station = self.station_outing_limit.map_or(0, |most| {
            (0..self.instance.stations.len())
                .map(|s| routes.iter().filter(|r| r.station == s).count().saturating_sub(most))
                .sum()
        });
        total.max(per_station)
    }

    /// Points of echelon 1 for these outings: the trips the plan will form (`trips.rs`),
    /// with each station's goods in the tricycles' loop order, then by parcel, so that the
    /// figure depends only on which parcels leave from which station. `memo` keeps the last
    /// figure with that assignment's fingerprint: most iterations move parcels within their
    /// station, and forming the trips anew is a good part of an iteration's time.
    fn trip_points(&self, routes: &[Outing], memo: &mut TripMemo) -> f64 {
        let i = self.instance;
        let (t, w) = (&i.fleet.tricycles, &i.fleet.weights);
        if w.tricycle_trip == 0.0 && w.tricycle_km == 0.0 && t.trips_each.is_none() {
            return 0.0;
        }
        let carried = || {
            routes
                .iter()
                .flat_map(|r| r.stops.iter().flat_map(|s| &s.parcels).map(move |p| (r.station, *p)))
                .filter(|(_, p)| i.jobs[self.parcels[*p].job].stocked.is_none())
        };
        let mut fingerprint = vec![0u64; i.stations.len()];
        for (station, p) in carried() {
            fingerprint[station] = fingerprint[station].wrapping_add(mix(p as u64));
        }
        if memo.fingerprint == fingerprint {
            return memo.points;
        }
        let mut carried: Vec<(usize, usize)> = carried().collect();
        carried.sort_by_key(|&(station, p)| (self.loop_position[station], p));
        let loads: Vec<Load> = carried
            .into_iter()
            .map(|(station, p)| Load {
                station,
                kg: self.parcels[p].kg,
                litres: self.parcels[p].litres,
                rank: self.loop_position[station],
            })
            .collect();
        let points = form_trips(i, &self.loop_position, &loads).points;
        *memo = TripMemo { fingerprint, points };
        points
    }

    /// What parcel `p` adds to its station's load: nothing when it is already stocked there.
    pub(crate) fn adds_kg(&self, p: usize) -> f64 {
        if self.instance.jobs[self.parcels[p].job].stocked.is_some() { 0.0 } else { self.parcels[p].kg }
    }

    pub(crate) fn storage_ok(&self, routes: &[Outing], station: usize, extra_kg: f64) -> bool {
        match self.instance.stations[station].storage_kg {
            None => true,
            Some(limit) => {
                // Goods already stocked there count whether or not they go out; the rest
                // counts when an outing takes it.
                let carried: f64 = routes
                    .iter()
                    .filter(|r| r.station == station)
                    .flat_map(|r| r.stops.iter().flat_map(|s| &s.parcels))
                    .filter(|p| self.instance.jobs[self.parcels[**p].job].stocked.is_none())
                    .map(|p| self.parcels[*p].kg)
                    .sum();
                carried + self.stocked_kg[station] + extra_kg <= limit + 1e-9
            }
        }
    }
}

fn reachable(instance: &Instance, station: usize, stairwell: usize) -> bool {
    instance.walk_station_stairwell.get(station, stairwell).is_some()
}

impl Solution {
    /// Outing points, unserved penalties, and a lower bound of the workload-balance term:
    /// the most tired porter spends at least the largest outing and at least the average.
    pub(crate) fn recompute_estimate(&mut self, ctx: &Context) {
        let w = &ctx.instance.fleet.weights;
        self.energy = self.costs.iter().map(|c| c.energy_kj).sum();
        self.largest = self.costs.iter().map(|c| c.energy_kj).fold(0.0, f64::max);
        self.estimate = self.costs.iter().map(|c| c.points).sum::<f64>()
            + self.unserved.iter().map(|p| ctx.penalty[*p]).sum::<f64>()
            + w.max_porter_energy_kj * ctx.balance(self.largest, self.energy)
            + ctx.trip_points(&self.outings, &mut self.trips)
            + ctx.fleet_penalty * ctx.excess_outings(&self.outings) as f64;
    }

    /// Takes parcel `p` out of outing `r`, where a ruin found it: the outing, or `None` when
    /// it is no longer there (a ruin that picked it twice).
    fn remove_parcel_from(&mut self, p: usize, r: usize) -> Option<usize> {
        let route = self.outings.get_mut(r)?;
        for stop in route.stops.iter_mut() {
            if let Some(i) = stop.parcels.iter().position(|x| *x == p) {
                stop.parcels.remove(i);
                route.stops.retain(|s| !s.parcels.is_empty());
                return Some(r);
            }
        }
        None
    }

    /// Becomes `source` again where it may differ: the outings `changed`, the parcels left
    /// out and the figures. Copying the whole solution every iteration was a tenth of an
    /// iteration's time on large instances.
    fn copy_changes_from(&mut self, source: &Solution, changed: &[usize]) {
        for &r in changed.iter().filter(|r| **r < source.outings.len()) {
            self.outings[r].clone_from(&source.outings[r]);
            self.costs[r] = source.costs[r];
        }
        self.unserved.clone_from(&source.unserved);
        self.estimate = source.estimate;
        self.energy = source.energy;
        self.largest = source.largest;
        self.trips.clone_from(&source.trips);
    }

    /// After a move: re-orders and re-evaluates the touched outings, drops empty ones and
    /// estimates the whole again; whether any outing was dropped.
    fn reorder_and_estimate(&mut self, ctx: &Context, touched: &[usize]) -> bool {
        for &r in touched {
            if r < self.outings.len() {
                improve_order(ctx, &mut self.outings[r]);
                self.costs[r] = evaluate(ctx.instance, ctx.parcels, &self.outings[r]).expect("routes stay reachable");
            }
        }
        let (mut r, mut dropped) = (0, false);
        while r < self.outings.len() {
            if self.outings[r].stops.is_empty() {
                self.outings.swap_remove(r);
                self.costs.swap_remove(r);
                dropped = true;
            } else {
                r += 1;
            }
        }
        self.recompute_estimate(ctx);
        dropped
    }
}

/// Orders an outing's stops: every order of up to six stops (porters' outings are short),
/// 2-opt beyond (long vehicle routes of benchmark instances). Where only walking depends on
/// the order ([`WalkPrice`]), orders are priced from the legs alone.
pub(crate) fn improve_order(ctx: &Context, route: &mut Outing) {
    let n = route.stops.len();
    if n < 2 {
        return;
    }
    if n > 6 {
        match ctx.walk_price {
            Some(w) => two_opt_walking(ctx, w, route),
            None => two_opt(ctx, route),
        }
        return;
    }
    let original = route.stops.clone();
    let stairwells: Vec<usize> = original.iter().map(|s| s.stairwell).collect();
    let kg: Vec<f64> = original.iter().map(|s| s.parcels.iter().map(|p| ctx.parcels[*p].kg).sum()).collect();
    let mut candidate = route.clone();
    let mut price = |perm: &[usize]| match ctx.walk_price {
        Some(w) => walking_points(ctx, w, route.station, perm.iter().map(|i| (stairwells[*i], kg[*i]))),
        None => {
            for (slot, &i) in candidate.stops.iter_mut().zip(perm) {
                slot.clone_from(&original[i]);
            }
            evaluate(ctx.instance, ctx.parcels, &candidate).map(|c| c.points)
        }
    };
    let mut perm: Vec<usize> = (0..n).collect();
    let mut best = price(&perm).unwrap_or(f64::INFINITY);
    let mut best_perm = perm.clone();
    while next_permutation(&mut perm) {
        if let Some(c) = price(&perm)
            && c < best - 1e-9
        {
            best = c;
            best_perm.copy_from_slice(&perm);
        }
    }
    route.stops = best_perm.iter().map(|i| original[*i].clone()).collect();
}

/// Points of the walking of an outing from `station` through `stops` (stairwell, kg dropped
/// there) and back.
fn walking_points(
    ctx: &Context,
    price: WalkPrice,
    station: usize,
    stops: impl Iterator<Item = (usize, f64)> + Clone,
) -> Option<f64> {
    let mut load: f64 = stops.clone().map(|s| s.1).sum();
    let (mut metres, mut kg_metres) = (0.0, 0.0);
    let mut last = None;
    for (w, kg) in stops {
        let d = leg(ctx.instance, station, last, w)?;
        metres += d;
        kg_metres += load * d;
        load -= kg;
        last = Some(w);
    }
    if let Some(w) = last {
        metres += leg(ctx.instance, station, None, w)?;
    }
    Some(price.price(metres, kg_metres).0)
}

/// Reverses stretches of the route while that lowers its points (first improvement).
fn two_opt(ctx: &Context, route: &mut Outing) {
    let Some(mut best) = evaluate(ctx.instance, ctx.parcels, route).map(|c| c.points) else { return };
    let n = route.stops.len();
    for _ in 0..n {
        let mut improved = false;
        for i in 0..n - 1 {
            for j in i + 1..n {
                route.stops[i..=j].reverse();
                match evaluate(ctx.instance, ctx.parcels, route) {
                    Some(c) if c.points < best - 1e-9 => {
                        best = c.points;
                        improved = true;
                    }
                    _ => route.stops[i..=j].reverse(),
                }
            }
        }
        if !improved {
            break;
        }
    }
}

/// 2-opt priced from the legs: reversing stops `i..=j` changes the leg into the stretch, the
/// legs inside it (walked the other way, each with the load left at that point) and the leg
/// out of it. Growing `j` updates the stretch's sums in constant time, so a pass costs n²;
/// only reversals whose new legs join near stairwells read the matrix.
fn two_opt_walking(ctx: &Context, price: WalkPrice, route: &mut Outing) {
    let (instance, station) = (ctx.instance, route.station);
    let n = route.stops.len();
    let at = |r: &Outing, v: usize| r.stops[v].stairwell;
    let mut moves = 0;
    'pass: while moves < 4 * n {
        let Some(legs) = Legs::of(instance, ctx.parcels, route) else { return };
        // Each leg walked the other way, `reversed[j]` from stop j to stop j - 1: read once a
        // pass rather than once for every stretch that holds it (the matrix lookups were
        // most of this function's time on long routes).
        let reversed: Vec<Option<f64>> = (0..n)
            .map(|j| if j == 0 { None } else { leg(instance, station, Some(at(route, j)), at(route, j - 1)) })
            .collect();
        for i in 0..n - 1 {
            let prev = (i > 0).then(|| at(route, i - 1));
            let load_in = legs.load[i];
            // Reversed inside legs: metres, and metres × load of the stop they leave.
            let (mut inside, mut inside_load) = (0.0, 0.0);
            let (mut old_m, mut old_kgm) = (legs.legs[i], legs.load[i] * legs.legs[i]);
            for (j, back) in reversed.iter().enumerate().skip(i + 1) {
                // No way back along this leg: no longer stretch from i reverses either.
                let Some(r) = *back else { break };
                inside += r;
                inside_load += legs.load[j] * r;
                old_m += legs.legs[j];
                old_kgm += legs.load[j] * legs.legs[j];
                // Granular (HGS's neighbour lists, Vidal 2022): one of the two new legs joins
                // a stairwell to one of its nearest, or meets the station; the rest are
                // rarely shorter, and reading their legs was most of a long route's pass.
                let joins_near = match prev {
                    Some(w) if j + 1 < n => {
                        let stairwells = ctx.stairwells;
                        ctx.near[w * stairwells + at(route, j)]
                            || ctx.near[at(route, i) * stairwells + at(route, j + 1)]
                    }
                    _ => true,
                };
                if !joins_near {
                    continue;
                }
                let (old_out, load_out, new_out) = if j + 1 < n {
                    (legs.legs[j + 1], legs.load[j + 1], leg(instance, station, Some(at(route, i)), at(route, j + 1)))
                } else {
                    (legs.back, 0.0, leg(instance, station, None, at(route, i)))
                };
                let (Some(new_in), Some(new_out)) = (leg(instance, station, prev, at(route, j)), new_out) else {
                    continue;
                };
                let new_m = new_in + inside + new_out;
                let new_kgm = load_in * new_in + (load_in + load_out) * inside - inside_load + load_out * new_out;
                let gain = price.price(new_m - old_m - old_out, new_kgm - old_kgm - load_out * old_out).0;
                if gain < -1e-9 {
                    #[cfg(debug_assertions)]
                    let before = evaluate(instance, ctx.parcels, route).map(|c| c.points);
                    route.stops[i..=j].reverse();
                    #[cfg(debug_assertions)]
                    if let (Some(b), Some(a)) = (before, evaluate(instance, ctx.parcels, route).map(|c| c.points)) {
                        debug_assert!(
                            (a - b - gain).abs() < 1e-6 * b.abs().max(1.0),
                            "2-opt gain {gain}, evaluated {}",
                            a - b
                        );
                    }
                    moves += 1;
                    continue 'pass;
                }
            }
        }
        return;
    }
}

fn next_permutation(p: &mut [usize]) -> bool {
    let n = p.len();
    let Some(i) = (0..n.saturating_sub(1)).rev().find(|&i| p[i] < p[i + 1]) else { return false };
    let j = (i + 1..n).rev().find(|&j| p[j] > p[i]).expect("exists");
    p.swap(i, j);
    p[i + 1..].reverse();
    true
}

/// The cheapest place for a parcel: (extra points, route or new, stop position, joins stop).
#[derive(Clone, Copy, Debug)]
struct Insertion {
    delta: f64,
    /// Existing route index, or `None` for a new outing from `station`.
    route: Option<usize>,
    station: usize,
    /// Stop index to join (`joins`) or to insert before.
    at: usize,
    joins: bool,
}

/// Places for parcel `p` in route `r`; `granular`: only if the route passes near.
fn route_insertions(ctx: &Context, sol: &Solution, p: usize, r: usize, granular: bool, out: &mut Vec<Insertion>) {
    let parcel = &ctx.parcels[p];
    let route = &sol.outings[r];
    if !ctx.serves(p, route.station) || sol.costs[r].kg + parcel.kg > ctx.max_carry {
        return;
    }
    // Granular: only outings that already climb a stairwell near this one (an empty outing
    // is a new one, tried separately).
    let near = &ctx.near[parcel.stairwell * ctx.stairwells..][..ctx.stairwells];
    if granular && !route.stops.iter().any(|s| near[s.stairwell]) {
        return;
    }
    if !ctx.storage_ok(&sol.outings, route.station, ctx.adds_kg(p)) {
        return;
    }
    let base = &sol.costs[r];
    let mut push = |change: Change, at: usize, joins: bool| {
        if let Some(c) = evaluate_with(ctx.instance, ctx.parcels, route, change) {
            let delta = ctx.delta(sol, Some(base), &c);
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
    let Some(legs) = Legs::of(ctx.instance, ctx.parcels, route) else { return };
    let (instance, station, q, x) = (ctx.instance, route.station, parcel.stairwell, parcel.kg);
    let w = &instance.fleet.weights;
    let (climb_kj, climbs, moved) = lone_climb(instance, ctx.parcels, station, p);
    let climb_points = w.energy_kj * climb_kj + w.stair_climb * climbs as f64 + w.moved_order * moved as f64;
    let n = route.stops.len();
    let mut before = 0.0;
    for at in 0..=n {
        let prev = (at > 0).then(|| route.stops[at - 1].stairwell);
        // Granular positions too: next to a nearby stairwell, or first or last. A place
        // between two far stops is rarely best, and reading its legs is most of the time
        // an insertion takes on long routes.
        let beside_near = at == 0 || at == n || near[route.stops[at - 1].stairwell] || near[route.stops[at].stairwell];
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
            out.push(Insertion { delta: ctx.delta(sol, Some(base), &new), route: Some(r), station, at, joins: false });
        }
        if at < n {
            before += legs.legs[at];
        }
    }
}

/// Places for parcel `p` in a new outing from each eligible station.
fn new_route_insertions(ctx: &Context, sol: &Solution, p: usize, out: &mut Vec<Insertion>) {
    for &station in &ctx.eligible[p] {
        if !ctx.storage_ok(&sol.outings, station, ctx.adds_kg(p)) {
            continue;
        }
        let empty = Outing { station, stops: Vec::new() };
        if let Some(c) = evaluate_with(ctx.instance, ctx.parcels, &empty, Change::Insert { at: 0, parcel: p }) {
            let delta = ctx.delta(sol, None, &c) + ctx.new_outing_points(&sol.outings, station);
            out.push(Insertion { delta, route: None, station, at: 0, joins: false });
        }
    }
}

fn insertions(ctx: &Context, sol: &Solution, p: usize, out: &mut Vec<Insertion>) {
    out.clear();
    for r in 0..sol.outings.len() {
        route_insertions(ctx, sol, p, r, true, out);
    }
    // No outing nearby has room: any outing with room, before a new one (an outing fewer is
    // often worth a detour where capacity is tight).
    if out.is_empty() {
        for r in 0..sol.outings.len() {
            route_insertions(ctx, sol, p, r, false, out);
        }
    }
    new_route_insertions(ctx, sol, p, out);
}

fn apply(ctx: &Context, sol: &mut Solution, p: usize, ins: Insertion) -> usize {
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

/// Inserts parcels one by one at their cheapest place, in the given order.
fn greedy(ctx: &Context, sol: &mut Solution, order: &[usize], touched: &mut Vec<usize>) {
    let mut options = Vec::new();
    for &p in order {
        insertions(ctx, sol, p, &mut options);
        match options.iter().copied().min_by(|a, b| a.delta.total_cmp(&b.delta)) {
            Some(best) if best.delta < ctx.penalty[p] => touched.push(apply(ctx, sol, p, best)),
            _ => sol.unserved.push(p),
        }
    }
}

/// Regret-2: inserts first the parcel that loses most by not getting its best place.
/// Options are kept per parcel; after an insertion only the changed outing's are redone.
fn regret(ctx: &Context, sol: &mut Solution, pending: &mut Vec<usize>, touched: &mut Vec<usize>) {
    let mut options: Vec<Vec<Insertion>> = pending
        .iter()
        .map(|&p| {
            let mut o = Vec::new();
            insertions(ctx, sol, p, &mut o);
            o
        })
        .collect();
    let mut scratch = Vec::new();
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
        for (k, &q) in pending.iter().enumerate() {
            if storage {
                // A station filling up can close any of its outings: redo everything.
                insertions(ctx, sol, q, &mut options[k]);
                continue;
            }
            options[k].retain(|o| o.route != Some(changed));
            scratch.clear();
            route_insertions(ctx, sol, q, changed, true, &mut scratch);
            options[k].extend_from_slice(&scratch);
            if new_route {
                options[k].retain(|o| o.route.is_some());
                scratch.clear();
                new_route_insertions(ctx, sol, q, &mut scratch);
                options[k].extend_from_slice(&scratch);
            }
        }
    }
}

/// A first solution: the better of every parcel at its cheapest place (stairwell by
/// stairwell, highest first) and the savings construction (`savings.rs`).
pub(crate) fn construct(ctx: &Context) -> Solution {
    let mut sol = Solution::default();
    insert_all(ctx, &mut sol, (0..ctx.parcels.len()).collect());
    match crate::savings::savings(ctx) {
        Some(saved) if saved.estimate < sol.estimate - 1e-9 => saved,
        _ => sol,
    }
}

/// Inserts `pending` greedily: parcels no station reaches are left out; the others go
/// stairwell by stairwell, top floors first, as climbs fill from the top down (DOMAIN.md).
fn insert_all(ctx: &Context, sol: &mut Solution, mut pending: Vec<usize>) {
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
    sol.recompute_estimate(ctx);
    let mut touched = Vec::new();
    greedy(ctx, sol, &pending, &mut touched);
    touched.sort_unstable();
    touched.dedup();
    sol.reorder_and_estimate(ctx, &touched);
}

/// Starts from the outings of a previous plan (stations and jobs in visiting order), then
/// inserts what they do not hold. Parcels that no longer fit (carry limit, station no longer
/// eligible, storage) are inserted afresh.
pub(crate) fn construct_from(ctx: &Context, warm: &[crate::WarmOuting]) -> Solution {
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
                let fits = !placed[p]
                    && ctx.serves(p, outing.station)
                    && kg + parcel.kg <= ctx.max_carry
                    && ctx.storage_ok(&sol.outings, outing.station, ctx.adds_kg(p) + added);
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
    insert_all(ctx, &mut sol, (0..ctx.parcels.len()).filter(|p| !placed[*p]).collect());
    sol
}

/// Outings considered for a parcel: those visiting one of its stairwell's this many nearest
/// stairwells (itself first).
const GRANULARITY: usize = 10;

/// Stairwells kept in each `Context::nearby` list: far more than a ruin of at most 30
/// parcels, or its four outings, walks through.
const NEARBY: usize = 128;

/// Starting temperature of the annealing, as a share of the points per parcel carried, so
/// that it scales with the instance (porters' kJ, or a benchmark's distances) and weighs
/// about what moving one parcel changes. A share of an outing's points was hotter on long
/// routes: a savings start of Leuven1 (3,000 customers) stayed at 3.88 % above the BKS
/// after 100,000 iterations, against 2.41 % at this temperature.
const T0_SHARE: f64 = 0.3;

/// Points of an average outing of `sol`.
pub(crate) fn mean_outing_points(sol: &Solution) -> f64 {
    sol.costs.iter().map(|c| c.points).sum::<f64>() / sol.costs.len().max(1) as f64
}

/// The starting temperature for a search from `sol`.
pub(crate) fn start_temperature(sol: &Solution) -> f64 {
    let carried: usize = sol.outings.iter().map(|r| r.stops.iter().map(|s| s.parcels.len()).sum::<usize>()).sum();
    let points: f64 = sol.costs.iter().map(|c| c.points).sum();
    (T0_SHARE * points / carried.max(1) as f64).max(1e-3)
}

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

/// Large neighbourhood search from `start`; returns the best solution seen and where the
/// annealing stands, to go on from.
pub(crate) fn improve(ctx: &Context, start: Solution, run: &Run) -> (Solution, Solution) {
    let mut rng = ChaCha8Rng::seed_from_u64(run.seed);
    let served: usize = start.outings.iter().map(|r| r.stops.iter().map(|s| s.parcels.len()).sum::<usize>()).sum();
    let n = served + start.unserved.len();
    if n == 0 {
        return (start.clone(), start);
    }
    let mut best = start.clone();
    let mut current = start;
    // Start hot enough to accept a climb's worth of worsening, cool down to near zero as the
    // budget (iterations or time, whichever runs out first) is spent.
    let t0 = run.t0;
    let t_end = t0 * 1e-3;
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
        let temperature = t0 * (t_end / t0).powf(progress);
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
        let removed = destroy(ctx, &mut cand, q, &mut rng, &mut touched);
        let mut pending: Vec<usize> = removed;
        // Parcels no station reaches stay left out; the others get another chance, a few at
        // a time when many are left out (orders held for the next cycle, say), so that an
        // iteration stays as cheap as its destroy.
        let (mut stuck, mut retry): (Vec<usize>, Vec<usize>) =
            std::mem::take(&mut cand.unserved).into_iter().partition(|p| ctx.eligible[*p].is_empty());
        let chances = (2 * q).max(8);
        if retry.len() > chances {
            shuffle(&mut retry, &mut rng);
            stuck.extend(retry.drain(chances..));
        }
        cand.unserved = stuck;
        pending.extend(retry);
        match rng.random_range(0..4) {
            0 => regret(ctx, &mut cand, &mut pending, &mut touched),
            1 => {
                shuffle(&mut pending, &mut rng);
                greedy(ctx, &mut cand, &pending, &mut touched);
            }
            2 => {
                // Farthest from its nearest station first, as SISR's recreate sorts (far
                // customers placed first shape the routes the near ones join).
                let far = |p: usize| ctx.station_distance[ctx.parcels[p].stairwell];
                pending.sort_by(|a, b| far(*b).total_cmp(&far(*a)).then(a.cmp(b)));
                greedy(ctx, &mut cand, &pending, &mut touched);
            }
            _ => {
                // Heaviest first, as first-fit decreasing packs climbs best.
                pending.sort_by(|a, b| ctx.parcels[*b].kg.total_cmp(&ctx.parcels[*a].kg).then(a.cmp(b)));
                greedy(ctx, &mut cand, &pending, &mut touched);
            }
        }
        touched.sort_unstable();
        touched.dedup();
        let dropped = cand.reorder_and_estimate(ctx, &touched);
        reshaped = dropped || touched.last().is_some_and(|r| *r >= outings);
        let delta = cand.estimate - current.estimate;
        if delta < 1e-9 || rng.random_range(0.0..1.0) < (-delta / temperature).exp() {
            std::mem::swap(&mut current, &mut cand);
            if current.estimate < best.estimate - 1e-9 {
                best.clone_from(&current);
            }
        }
    }
    (best, current)
}

fn shuffle(v: &mut [usize], rng: &mut ChaCha8Rng) {
    for i in (1..v.len()).rev() {
        let j = rng.random_range(0..=i);
        v.swap(i, j);
    }
}

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

fn destroy(ctx: &Context, sol: &mut Solution, q: usize, rng: &mut ChaCha8Rng, touched: &mut Vec<usize>) -> Vec<usize> {
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
