//! From outings to a complete plan: tricycle trips (echelon 1), porter schedule, times and
//! metrics.
//!
//! The packed policy fills trips as `trips.rs` says (in a row by urgency and the stations'
//! tour, or by station; an outing's parcels may ride two trips and its porter waits for
//! both), then routes each trip through its stations by dynamic programming (Held–Karp).
//! The manual loop carries whole outings. Porters take outings in order of readiness, each
//! to the porter who can start it first within the shift energy budget and the fleet's
//! limits.

use crate::outing::{Outing, OutingCost, evaluate};
use crate::parcel::Parcel;
use crate::trips::{Load, form_trips};
use lastmetre_model::plan::{BagRef, Climb, Drop, PorterLoad, Reason, Trip, TripStop, Unassigned, priority_index};
use lastmetre_model::{Instance, Metrics, Plan, Priority, plan};
use std::collections::BTreeMap;

/// How tricycle trips are formed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum TripPolicy {
    /// As few trips as capacity allows, urgent goods first, each trip routed optimally.
    Packed,
    /// The manual practice: every tricycle loops through all stations, one loop per interval.
    FixedLoop {
        /// Seconds between departures.
        interval_s: f64,
    },
}

/// Builds the plan for `routes`. Jobs with a parcel left out are left out whole.
pub(crate) fn assemble(
    instance: &Instance,
    parcels: &[Parcel],
    routes: &[Outing],
    unserved: &[usize],
    policy: TripPolicy,
) -> Plan {
    let mut left_out: BTreeMap<usize, Reason> = BTreeMap::new();
    for &p in unserved {
        left_out.entry(parcels[p].job).or_insert_with(|| unserved_reason(instance, &parcels[p]));
    }
    let on_duty = (0..instance.fleet.porters.count).any(|i| instance.porter_state(i).on_duty);
    if !on_duty || instance.fleet.tricycles.count == 0 {
        for j in 0..instance.jobs.len() {
            left_out.insert(j, Reason::NoFleet);
        }
    }
    // Scheduling may run out of porter energy; then the jobs concerned leave and we redo.
    loop {
        let kept: Vec<Outing> = routes
            .iter()
            .map(|r| {
                let mut r = r.clone();
                for s in &mut r.stops {
                    s.parcels.retain(|p| !left_out.contains_key(&parcels[*p].job));
                }
                r.stops.retain(|s| !s.parcels.is_empty());
                r
            })
            .filter(|r| !r.stops.is_empty())
            .collect();
        let costs: Vec<OutingCost> =
            kept.iter().map(|r| evaluate(instance, parcels, r).expect("solver routes are reachable")).collect();
        let trips = plan_trips(instance, parcels, &kept, policy);
        match schedule(instance, parcels, &kept, &costs, &trips, policy) {
            Ok((outings, porters)) => {
                let unassigned = left_out.iter().map(|(&job, &reason)| Unassigned { job, reason }).collect();
                let mut trips: Vec<Trip> = trips.into_iter().map(|t| t.trip).collect();
                if policy == TripPolicy::Packed {
                    carry_held(instance, &left_out, &mut trips);
                }
                let mut plan = Plan { trips, outings, unassigned, metrics: Metrics::default() };
                plan.metrics = metrics(instance, &plan, &costs, porters);
                return plan;
            }
            Err(jobs) => {
                for (j, reason) in jobs {
                    left_out.insert(j, reason);
                }
            }
        }
    }
}

/// Held orders ride along when a trip stops anyway at a station that reaches them on foot
/// and has room: their goods wait there, so that next cycle they need no trip of their own.
fn carry_held(instance: &Instance, left_out: &BTreeMap<usize, Reason>, trips: &mut [Trip]) {
    let t = &instance.fleet.tricycles;
    let load = |trip: &Trip| -> (f64, f64) {
        let bags = trip.stops.iter().flat_map(|s| &s.bags).map(|b| &instance.jobs[b.job].bags[b.bag]);
        bags.fold((0.0, 0.0), |(kg, l), bag| (kg + bag.kg.get(), l + bag.litres.get()))
    };
    let mut loads: Vec<(f64, f64)> = trips.iter().map(load).collect();
    for (&j, _) in left_out.iter().filter(|(_, r)| **r == Reason::Held) {
        let job = &instance.jobs[j];
        if job.stocked.is_some() {
            continue;
        }
        let (kg, litres) = (job.kg(), job.bags.iter().map(|b| b.litres.get()).sum::<f64>());
        let mut best: Option<(f64, usize, usize)> = None;
        for (k, trip) in trips.iter().enumerate() {
            if loads[k].0 + kg > t.capacity_kg.get() + 1e-9 || loads[k].1 + litres > t.capacity_litres.get() + 1e-9 {
                continue;
            }
            for (s, stop) in trip.stops.iter().enumerate() {
                let pinned_elsewhere = job.pinned_station.is_some_and(|p| p != stop.station);
                // Storage limits are planned by the search; keep held goods out of them.
                if pinned_elsewhere || instance.stations[stop.station].storage_kg.is_some() {
                    continue;
                }
                if let Some(d) = instance.walk_station_stairwell.get(stop.station, job.stairwell)
                    && best.is_none_or(|b| d.get() < b.0)
                {
                    best = Some((d.get(), k, s));
                }
            }
        }
        if let Some((_, k, s)) = best {
            let stop = &mut trips[k].stops[s];
            stop.bags.extend((0..job.bags.len()).map(|bag| BagRef { job: j, bag }));
            stop.bags.sort_unstable();
            loads[k].0 += kg;
            loads[k].1 += litres;
        }
    }
}

fn unserved_reason(instance: &Instance, parcel: &Parcel) -> Reason {
    let reaches =
        (0..instance.stations.len()).any(|s| instance.walk_station_stairwell.get(s, parcel.stairwell).is_some());
    if reaches && instance.jobs[parcel.job].hold.is_some() {
        Reason::Held
    } else if !reaches {
        Reason::NoStationReaches
    } else if instance.stations.iter().any(|s| s.storage_kg.is_some()) {
        Reason::StationStorage
    } else {
        Reason::NoFleet
    }
}

/// A trip with, for each outing it carries, the stop index.
struct PlannedTrip {
    trip: Trip,
    /// (outing index, stop index within the trip).
    carries: Vec<(usize, usize)>,
}

fn ride_s(instance: &Instance, from: Option<usize>, to: Option<usize>) -> f64 {
    instance.ride_m(from, to).unwrap_or(f64::INFINITY) / instance.fleet.tricycles.speed.get()
}

/// The best order to visit `stations` from the depot and back (Held–Karp up to 12 stations,
/// nearest neighbour beyond).
pub(crate) fn tour(instance: &Instance, stations: &[usize]) -> Vec<usize> {
    let n = stations.len();
    let d = |a: Option<usize>, b: Option<usize>| instance.ride_m(a, b).unwrap_or(f64::INFINITY);
    if n <= 1 {
        return stations.to_vec();
    }
    if n > 12 {
        let mut left = stations.to_vec();
        let mut at = None;
        let mut out = Vec::new();
        while !left.is_empty() {
            let i = (0..left.len()).min_by(|x, y| d(at, Some(left[*x])).total_cmp(&d(at, Some(left[*y])))).unwrap();
            at = Some(left.swap_remove(i));
            out.push(at.unwrap());
        }
        return out;
    }
    let full = (1usize << n) - 1;
    let mut best = vec![f64::INFINITY; (1 << n) * n];
    let mut prev = vec![usize::MAX; (1 << n) * n];
    for i in 0..n {
        best[(1 << i) * n + i] = d(None, Some(stations[i]));
    }
    for set in 1..=full {
        for last in 0..n {
            let here = best[set * n + last];
            if set & (1 << last) == 0 || !here.is_finite() {
                continue;
            }
            for next in 0..n {
                if set & (1 << next) != 0 {
                    continue;
                }
                let to = set | (1 << next);
                let cost = here + d(Some(stations[last]), Some(stations[next]));
                if cost < best[to * n + next] {
                    best[to * n + next] = cost;
                    prev[to * n + next] = last;
                }
            }
        }
    }
    let mut last = (0..n)
        .min_by(|a, b| {
            (best[full * n + a] + d(Some(stations[*a]), None))
                .total_cmp(&(best[full * n + b] + d(Some(stations[*b]), None)))
        })
        .unwrap();
    let mut set = full;
    let mut order = Vec::with_capacity(n);
    while last != usize::MAX {
        order.push(stations[last]);
        let p = prev[set * n + last];
        set &= !(1 << last);
        last = p;
    }
    order.reverse();
    order
}

/// How urgent an outing is: (rank, earliest placing). Rank orders by priority, then by
/// cycles waited (carried-over orders first), most urgent lowest.
fn urgency(instance: &Instance, parcels: &[Parcel], route: &Outing) -> ((usize, u32), f64) {
    let jobs = route.stops.iter().flat_map(|s| &s.parcels).map(|p| &instance.jobs[parcels[*p].job]);
    let rank = jobs.clone().map(|j| (priority_index(j.priority), u32::MAX - j.waited_cycles)).min().unwrap_or((2, 0));
    let placed = jobs.map(|j| j.placed_at.get()).fold(f64::INFINITY, f64::min);
    (rank, placed)
}

fn plan_trips(instance: &Instance, parcels: &[Parcel], routes: &[Outing], policy: TripPolicy) -> Vec<PlannedTrip> {
    let t = &instance.fleet.tricycles;
    // Goods already stocked at a station ride no tricycle.
    fn carried<'r>(instance: &'r Instance, parcels: &'r [Parcel], r: &'r Outing) -> impl Iterator<Item = &'r usize> {
        r.stops.iter().flat_map(|s| &s.parcels).filter(|p| instance.jobs[parcels[**p].job].stocked.is_none())
    }
    let carried = |r| carried(instance, parcels, r);
    let litres: Vec<f64> = routes.iter().map(|r| carried(r).map(|p| parcels[*p].litres).sum()).collect();
    let kg: Vec<f64> = routes.iter().map(|r| carried(r).map(|p| parcels[*p].kg).sum()).collect();
    let all: Vec<usize> = (0..instance.stations.len()).collect();
    let loop_order = tour(instance, &all);
    let position = |s: usize| loop_order.iter().position(|x| *x == s).unwrap_or(usize::MAX);
    let mut order: Vec<usize> = (0..routes.len()).filter(|o| carried(&routes[*o]).next().is_some()).collect();
    match policy {
        TripPolicy::Packed => order.sort_by(|a, b| {
            let (ua, ub) = (urgency(instance, parcels, &routes[*a]), urgency(instance, parcels, &routes[*b]));
            ua.0.cmp(&ub.0).then(position(routes[*a].station).cmp(&position(routes[*b].station))).then(a.cmp(b))
        }),
        TripPolicy::FixedLoop { .. } => order.sort_by(|a, b| {
            let (ua, ub) = (urgency(instance, parcels, &routes[*a]), urgency(instance, parcels, &routes[*b]));
            ua.1.total_cmp(&ub.1).then(a.cmp(b))
        }),
    }
    // Per trip: the (outing, parcel) pairs it carries.
    let loads: Vec<Vec<(usize, usize)>> = match policy {
        // Packed: the trips the search estimated (`trips.rs`), with the outings' urgency.
        TripPolicy::Packed => {
            let items: Vec<(usize, usize)> =
                order.iter().flat_map(|&o| carried(&routes[o]).map(move |p| (o, *p))).collect();
            let mut rank = vec![0; routes.len()];
            for (k, &o) in order.iter().enumerate() {
                rank[o] = k;
            }
            let goods: Vec<Load> = items
                .iter()
                .map(|&(o, p)| Load {
                    station: routes[o].station,
                    kg: parcels[p].kg,
                    litres: parcels[p].litres,
                    rank: rank[o],
                })
                .collect();
            let positions: Vec<usize> = (0..instance.stations.len()).map(position).collect();
            let formed = form_trips(instance, &positions, &goods);
            formed.trips.into_iter().map(|trip| trip.into_iter().map(|k| items[k]).collect()).collect()
        }
        // The loop keeps arrival order and whole outings: a tricycle leaves when the next
        // outing's goods do not fit.
        TripPolicy::FixedLoop { .. } => {
            let mut loads: Vec<Vec<(usize, usize)>> = Vec::new();
            let (mut trip_kg, mut trip_litres) = (0.0, 0.0);
            for o in order {
                let fits = !loads.is_empty()
                    && trip_kg + kg[o] <= t.capacity_kg.get() + 1e-9
                    && trip_litres + litres[o] <= t.capacity_litres.get() + 1e-9;
                if !fits {
                    loads.push(Vec::new());
                    (trip_kg, trip_litres) = (0.0, 0.0);
                }
                loads.last_mut().expect("a trip is open").extend(carried(&routes[o]).map(|p| (o, *p)));
                trip_kg += kg[o];
                trip_litres += litres[o];
            }
            loads
        }
    };
    let mut made = vec![0usize; t.count.max(1)];
    let mut free: Vec<f64> = (0..t.count.max(1)).map(|i| instance.tricycle_free_s(i)).collect();
    let mut trips = Vec::new();
    for (k, load) in loads.into_iter().enumerate() {
        let stations: Vec<usize> = match policy {
            TripPolicy::Packed => {
                let mut s: Vec<usize> = load.iter().map(|(o, _)| routes[*o].station).collect();
                s.sort_unstable();
                s.dedup();
                tour(instance, &s)
            }
            TripPolicy::FixedLoop { .. } => loop_order.clone(),
        };
        // The tricycle free first, among those with trips left (all of them past the limit:
        // the checker reports it; the search avoids it).
        let left = |i: &usize| t.trips_each.is_none_or(|n| made[*i] < n);
        let tricycle = (0..free.len())
            .filter(left)
            .min_by(|a, b| free[*a].total_cmp(&free[*b]).then(a.cmp(b)))
            .or_else(|| (0..free.len()).min_by(|a, b| free[*a].total_cmp(&free[*b]).then(a.cmp(b))))
            .unwrap();
        made[tricycle] += 1;
        let start = match policy {
            TripPolicy::Packed => free[tricycle],
            TripPolicy::FixedLoop { interval_s } => free[tricycle].max((k / free.len()) as f64 * interval_s),
        };
        let mut time = start + t.load_s.get();
        let mut at = None;
        let mut stops = Vec::new();
        let mut carries = Vec::new();
        for &s in &stations {
            time += ride_s(instance, at, Some(s));
            let arrive = time;
            time += t.unload_s.get();
            let mut bags = Vec::new();
            for &(o, p) in load.iter().filter(|(o, _)| routes[*o].station == s) {
                if carries.last() != Some(&(o, stops.len())) {
                    carries.push((o, stops.len()));
                }
                bags.extend(parcels[p].bags.iter().map(|b| BagRef { job: parcels[p].job, bag: *b }));
            }
            bags.sort_unstable();
            stops.push(TripStop { station: s, arrive_s: arrive, ready_s: time, bags });
            at = Some(s);
        }
        time += ride_s(instance, at, None);
        free[tricycle] = time;
        trips.push(PlannedTrip { trip: Trip { tricycle, start_s: start, stops, end_s: time }, carries });
    }
    trips
}

type Scheduled = (Vec<plan::Outing>, Vec<PorterLoad>);

/// How much later than the earliest possible start an outing may begin, so that it goes to a
/// less tired porter.
const BALANCE_S: f64 = 300.0;

/// In choosing the porter, the walk to another station counts this many times its energy:
/// porters keep to their station unless a colleague there is much more tired. Measured on
/// simulated niuxie days (docs/simulation.md): 2× let porters criss-cross the area for
/// balance, costing ~8 % of the day's energy; 25× keeps the spread among porters under 20 %.
const TRANSIT_AVERSION: f64 = 25.0;

/// Assigns outings to porters; on running out of energy, returns the jobs that cannot go.
fn schedule(
    instance: &Instance,
    parcels: &[Parcel],
    routes: &[Outing],
    costs: &[OutingCost],
    trips: &[PlannedTrip],
    policy: TripPolicy,
) -> Result<Scheduled, Vec<(usize, Reason)>> {
    let manual = matches!(policy, TripPolicy::FixedLoop { .. });
    let p = &instance.fleet.porters;
    let e = &instance.fleet.effort;
    // An outing waits for its stocked goods and for the trip that brings the rest.
    let mut ready: Vec<f64> = routes
        .iter()
        .map(|r| {
            let stocked =
                r.stops.iter().flat_map(|s| &s.parcels).filter_map(|p| instance.jobs[parcels[*p].job].stocked);
            stocked.map(|s| s.ready_s).fold(0.0, f64::max)
        })
        .collect();
    for trip in trips {
        for &(o, stop) in &trip.carries {
            ready[o] = ready[o].max(trip.trip.stops[stop].ready_s);
        }
    }
    let mut order: Vec<usize> = (0..routes.len()).collect();
    // Urgent outings first, each class in order of readiness: when the porters' energy runs
    // out, what is left out is the least urgent. The manual practice takes orders as they
    // arrive.
    order.sort_by(|a, b| {
        let (ua, ub) = (urgency(instance, parcels, &routes[*a]), urgency(instance, parcels, &routes[*b]));
        let rank = if manual { std::cmp::Ordering::Equal } else { ua.0.cmp(&ub.0) };
        rank.then(ready[*a].total_cmp(&ready[*b])).then(ua.1.total_cmp(&ub.1)).then(a.cmp(b))
    });
    let state: Vec<_> = (0..p.count).map(|i| instance.porter_state(i)).collect();
    let mut at: Vec<usize> = state.iter().map(|s| s.station).collect();
    let mut free: Vec<f64> = state.iter().map(|s| s.free_s).collect();
    let mut loads = vec![PorterLoad::default(); p.count];
    let (budget, climb_budget) = (p.shift_energy.get(), p.shift_climb.get());
    let mut outings = Vec::new();
    let mut stranded = Vec::new();
    let mut candidates = Vec::new();
    // Porters who worked from each station, for the fleet's limit per station.
    let mut working: Vec<Vec<usize>> = vec![Vec::new(); instance.stations.len()];
    for o in order {
        let station = routes[o].station;
        let mut pick: Option<(f64, f64, usize, f64)> = None;
        // The porter the outing's orders were announced to, if they agree on one.
        let mut announced =
            routes[o].stops.iter().flat_map(|s| &s.parcels).map(|x| instance.jobs[parcels[*x].job].announced);
        let first = announced.next().flatten().map(|a| a.porter);
        let keep = first.filter(|f| announced.all(|a| a.is_some_and(|a| a.porter == *f)));
        let station_full = p.per_station.is_some_and(|most| working[station].len() >= most);
        let may = |i: &usize| {
            state[*i].on_duty
                && p.outings_each.is_none_or(|most| loads[*i].outings < most)
                && (!station_full || working[station].contains(i))
        };
        // (transit metres and kJ) for a porter who can reach the station and has the energy.
        let able = |porter: usize| {
            let transit = instance.walk_station_station.get(at[porter], station)?.get();
            let transit_kj = e.level_j_per_kg_m * p.body_mass_kg.get() * transit / 1000.0;
            let spent = state[porter].spent_kj + loads[porter].energy_kj;
            let climbed = state[porter].climbed_m + loads[porter].vertical_m;
            let tired = spent + transit_kj + costs[o].energy_kj > budget + 1e-9
                || climbed + costs[o].vertical_m > climb_budget + 1e-9;
            (!tired).then_some((transit, transit_kj, spent))
        };
        for porter in (0..p.count).filter(may) {
            let Some((transit, transit_kj, spent)) = able(porter) else { continue };
            let start = ready[o].max(free[porter] + transit / p.walk_speed.get());
            // The walk counts twice: in the total, and in this porter's own tiredness.
            candidates.push((start, spent + TRANSIT_AVERSION * transit_kj, porter, transit));
        }
        // Balance: of the porters who can start within BALANCE_S of the earliest, the one
        // who will have spent least, walking to the station included.
        let earliest = candidates.iter().map(|c| c.0).fold(f64::INFINITY, f64::min);
        // The manual practice: whoever is free first takes the next climb.
        let window = if manual { 0.0 } else { BALANCE_S };
        for &key in candidates.iter().filter(|c| c.0 <= earliest + window) {
            if pick.is_none_or(|k| (key.1, key.0, key.2) < (k.1, k.0, k.2)) {
                pick = Some(key);
            }
        }
        // Stability: the porter already told about these orders keeps them when they can
        // start within the same window.
        if let Some(kept) = candidates.iter().find(|c| Some(c.2) == keep && c.0 <= earliest + window) {
            pick = Some(*kept);
        }
        candidates.clear();
        let Some((start, _, porter, transit)) = pick else {
            // The fleet's limits are why when a porter they bar has the energy for it.
            let barred = (0..p.count).any(|i| state[i].on_duty && !may(&i) && able(i).is_some());
            let reason = if barred { Reason::FleetLimit } else { Reason::PorterEnergy };
            stranded.extend(routes[o].stops.iter().flat_map(|s| &s.parcels).map(|x| (parcels[*x].job, reason)));
            continue;
        };
        let mut outing = timeline(instance, parcels, &routes[o], porter, start);
        outing.transit_m = transit;
        outing.kg = costs[o].kg;
        outing.vertical_m = costs[o].vertical_m;
        outing.energy_kj = costs[o].energy_kj + e.level_j_per_kg_m * p.body_mass_kg.get() * transit / 1000.0;
        let load = &mut loads[porter];
        load.outings += 1;
        load.stair_climbs += costs[o].climbs;
        load.vertical_m += costs[o].vertical_m;
        load.walk_km += (costs[o].walk_m + transit) / 1000.0;
        load.energy_kj += costs[o].energy_kj + e.level_j_per_kg_m * p.body_mass_kg.get() * transit / 1000.0;
        load.finish_s = outing.end_s;
        free[porter] = outing.end_s;
        at[porter] = station;
        if !working[station].contains(&porter) {
            working[station].push(porter);
        }
        outings.push(outing);
    }
    if stranded.is_empty() {
        Ok((outings, loads))
    } else {
        stranded.sort_unstable_by_key(|(job, _)| *job);
        stranded.dedup_by_key(|(job, _)| *job);
        Err(stranded)
    }
}

/// Times of an outing that starts picking at `start`.
fn timeline(instance: &Instance, parcels: &[Parcel], route: &Outing, porter: usize, start: f64) -> plan::Outing {
    let p = &instance.fleet.porters;
    let bags: usize = route.stops.iter().flat_map(|s| &s.parcels).map(|x| parcels[*x].bags.len()).sum();
    let mut t = start + bags as f64 * p.pick_s.get();
    let mut climbs = Vec::new();
    let mut last: Option<usize> = None;
    for stop in &route.stops {
        let leg = match last {
            None => instance.walk_station_stairwell.get(route.station, stop.stairwell),
            Some(w) => instance.walk_stairwell_stairwell.get(w, stop.stairwell),
        }
        .expect("reachable")
        .get();
        t += leg / p.walk_speed.get();
        let arrive = t;
        // One drop per job, bags of its parcels merged, lowest floor first.
        let mut by_job: BTreeMap<usize, (u32, f64, Vec<usize>)> = BTreeMap::new();
        for &x in &stop.parcels {
            let entry = by_job.entry(parcels[x].job).or_insert((parcels[x].floor, parcels[x].height, Vec::new()));
            entry.2.extend(&parcels[x].bags);
        }
        let mut drops: Vec<(usize, u32, f64, Vec<usize>)> = by_job
            .into_iter()
            .map(|(j, (f, h, mut b))| {
                b.sort_unstable();
                (j, f, h, b)
            })
            .collect();
        drops.sort_by(|a, b| a.2.total_cmp(&b.2).then(a.0.cmp(&b.0)));
        let mut height = 0.0;
        let mut out = Vec::new();
        for (job, floor, h, bags) in drops {
            t += (h - height) / p.climb_speed.get() + p.handover_s.get();
            height = h;
            out.push(Drop { job, floor, bags, at_s: t });
        }
        t += height / p.descend_speed.get();
        climbs.push(Climb { stairwell: stop.stairwell, arrive_s: arrive, drops: out, leave_s: t });
        last = Some(stop.stairwell);
    }
    if let Some(w) = last {
        t += instance.walk_station_stairwell.get(route.station, w).expect("reachable").get() / p.walk_speed.get();
    }
    plan::Outing {
        porter,
        station: route.station,
        start_s: start,
        climbs,
        end_s: t,
        transit_m: 0.0,
        kg: 0.0,
        vertical_m: 0.0,
        energy_kj: 0.0,
    }
}

fn metrics(instance: &Instance, plan: &Plan, costs: &[OutingCost], porters: Vec<PorterLoad>) -> Metrics {
    let w = &instance.fleet.weights;
    let mut m = Metrics { orders_total: instance.jobs.len(), ..Metrics::default() };
    for u in &plan.unassigned {
        m.unassigned_by_priority[priority_index(instance.jobs[u.job].priority)] += 1;
    }
    m.orders_unassigned = plan.unassigned.len();
    m.orders_delivered = m.orders_total - m.orders_unassigned;
    for (i, n) in m.delivered_by_priority.iter_mut().enumerate() {
        *n = instance.jobs.iter().filter(|j| priority_index(j.priority) == i).count() - m.unassigned_by_priority[i];
    }
    m.tricycle_trips = plan.trips.len();
    let mut ride = 0.0;
    for trip in &plan.trips {
        let mut at = None;
        for stop in &trip.stops {
            ride += instance.ride_m(at, Some(stop.station)).unwrap_or(0.0);
            at = Some(stop.station);
        }
        ride += instance.ride_m(at, None).unwrap_or(0.0);
    }
    m.tricycle_km = ride / 1000.0;
    m.porter_outings = plan.outings.len();
    m.stair_climbs = costs.iter().map(|c| c.climbs).sum();
    m.door_visits = plan.outings.iter().map(|o| o.climbs.len()).sum();
    m.vertical_m = costs.iter().map(|c| c.vertical_m).sum();
    m.porter_energy_kj = porters.iter().map(|p| p.energy_kj).sum();
    m.porter_energy_kj_max = porters.iter().map(|p| p.energy_kj).fold(0.0, f64::max);
    m.porter_walk_km = porters.iter().map(|p| p.walk_km).sum();
    let drops = plan.outings.iter().flat_map(|o| o.climbs.iter().flat_map(|c| &c.drops));
    m.last_delivery_s = drops.clone().map(|d| d.at_s).fold(0.0, f64::max);
    m.last_medicine_s =
        drops.filter(|d| instance.jobs[d.job].priority == Priority::Medicine).map(|d| d.at_s).fold(0.0, f64::max);
    let mut porter_of = vec![None; instance.jobs.len()];
    for o in &plan.outings {
        for d in o.climbs.iter().flat_map(|c| &c.drops) {
            porter_of[d.job] = Some(o.porter);
        }
    }
    m.orders_moved = (0..instance.jobs.len())
        .filter(|j| instance.jobs[*j].announced.is_some_and(|a| porter_of[*j] != Some(a.porter)))
        .count();
    // Balance is judged over the shift: what each porter spent before this cycle counts.
    let most_tired =
        porters.iter().enumerate().map(|(i, p)| instance.porter_state(i).spent_kj + p.energy_kj).fold(0.0, f64::max);
    let unserved: f64 = plan.unassigned.iter().map(|u| instance.unserved_cost(u.job)).sum();
    m.objective = unserved
        + w.tricycle_trip * m.tricycle_trips as f64
        + w.tricycle_km * m.tricycle_km
        + w.stair_climb * m.stair_climbs as f64
        + w.energy_kj * m.porter_energy_kj
        + w.max_porter_energy_kj * most_tired
        + w.walk_km * m.porter_walk_km
        + w.porter_outing * m.porter_outings as f64
        + w.moved_order * m.orders_moved as f64
        + plan.outings.iter().map(|o| instance.stations[o.station].handling_per_kg * o.kg).sum::<f64>();
    m.porters = porters;
    m
}
