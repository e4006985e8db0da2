//! The independent plan checker. It shares no code with the solver: it reads a [`Plan`] and
//! the [`Instance`] it claims to serve, and recomputes everything from the model's
//! definitions (DOMAIN.md's effort model, the fleet's speeds and capacities).
//!
//! It checks that every order is delivered whole exactly once or reported unassigned; that
//! bags go to the right stairwell and floor; carry, tricycle and station-storage limits;
//! that bags reach a station by tricycle before a porter takes them out; that no tricycle or
//! porter is in two places at once; the shift energy budget; and that every metric the plan
//! reports matches the recomputation.
//!
//! Conventions it relies on (docs/plan-format.md): porters and tricycles start where the
//! instance's fleet state puts them (with none given, porter `i` at station `i mod stations`
//! at time 0, tricycles at the gate at time 0); bags of a stocked job are at their station
//! from the stock's ready time and ride no tricycle.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

use lastmetre_model::plan::{Outing, Trip, priority_index};
use lastmetre_model::{Instance, Metrics, Plan, Priority};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// Slack on times and sums, seconds or kg: plans round-trip through JSON.
const EPS: f64 = 1e-6;

/// One porter's work in the plan, as the checker computes it.
#[derive(Clone, Copy, Debug, Default)]
struct PorterTotals {
    energy_kj: f64,
    walk_m: f64,
    vertical_m: f64,
    outings: usize,
    stair_climbs: usize,
    /// When the last outing is back at its station.
    finish_s: f64,
}

/// One outing replayed through the effort model (without the walk to its station).
#[derive(Clone, Copy, Debug, Default)]
struct OutingWalk {
    energy_kj: f64,
    walk_m: f64,
    vertical_m: f64,
    stair_climbs: usize,
    end_s: f64,
}

/// Kinds of violation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// An index in the plan points at nothing.
    BadReference,
    /// An order is missing, delivered twice, partly, or both delivered and unassigned.
    Delivery,
    /// A bag is dropped at the wrong stairwell or floor.
    WrongDoor,
    /// A porter carries more than the limit.
    Carry,
    /// A tricycle carries more than its capacity.
    TricycleCapacity,
    /// A bag leaves a station it never reached, or before it was unloaded.
    Synchronisation,
    /// Times of a trip or outing do not follow from distances and speeds.
    Timing,
    /// A tricycle or porter is in two places at once.
    Overlap,
    /// No route on the graph joins two places the plan moves between.
    Unreachable,
    /// A porter who is off duty has outings.
    OffDuty,
    /// A porter spends more than the shift energy budget.
    Energy,
    /// A station holds more than its storage.
    Storage,
    /// An order pinned to a station is served from another.
    Pinned,
    /// More trips per tricycle, outings per porter or porters per station than the fleet
    /// allows.
    FleetLimit,
    /// A reported metric differs from the recomputation.
    Metric,
}

/// One thing wrong with a plan.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Violation {
    /// What kind.
    pub kind: Kind,
    /// The details, naming orders, trips and outings.
    pub message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}: {}", self.kind, self.message)
    }
}

/// The checker's verdict.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    /// Everything found wrong; empty for a good plan.
    pub violations: Vec<Violation>,
    /// The metrics as the checker computes them.
    pub metrics: Metrics,
}

impl Report {
    /// True when the plan is feasible and its metrics are right.
    pub fn is_ok(&self) -> bool {
        self.violations.is_empty()
    }
}

/// Equal to a millionth, relative: reported figures round-trip through JSON.
fn same(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * a.abs().max(b.abs()).max(1.0)
}

struct Checker<'a> {
    instance: &'a Instance,
    plan: &'a Plan,
    out: Vec<Violation>,
}

impl Checker<'_> {
    fn flag(&mut self, kind: Kind, message: String) {
        self.out.push(Violation { kind, message });
    }
}

/// Kilograms an outing carries out of its station.
fn carried_kg(i: &Instance, outing: &Outing) -> f64 {
    outing
        .climbs
        .iter()
        .flat_map(|c| &c.drops)
        .flat_map(|d| d.bags.iter().map(|b| i.jobs[d.job].bags[*b].kg.get()))
        .sum()
}

/// Checks `plan` against `instance`.
pub fn check(instance: &Instance, plan: &Plan) -> Report {
    let mut c = Checker { instance, plan, out: Vec::new() };
    if !c.references() {
        return Report { violations: c.out, metrics: Metrics::default() };
    }
    c.deliveries();
    let ready = c.trips();
    let loads = c.outings(&ready);
    c.storage();
    c.limits();
    let metrics = c.metrics(loads);
    c.compare(&metrics);
    Report { violations: c.out, metrics }
}

impl Checker<'_> {
    fn references(&mut self) -> bool {
        let i = self.instance;
        let before = self.out.len();
        let job_ok = |j: usize, b: usize| j < i.jobs.len() && b < i.jobs[j].bags.len();
        for (t, trip) in self.plan.trips.iter().enumerate() {
            if trip.tricycle >= i.fleet.tricycles.count {
                self.flag(Kind::BadReference, format!("trip {t}: tricycle {} does not exist", trip.tricycle));
            }
            for stop in &trip.stops {
                if stop.station >= i.stations.len() {
                    self.flag(Kind::BadReference, format!("trip {t}: station {} does not exist", stop.station));
                }
                if let Some(b) = stop.bags.iter().find(|b| !job_ok(b.job, b.bag)) {
                    self.flag(Kind::BadReference, format!("trip {t}: bag {}/{} does not exist", b.job, b.bag));
                }
            }
        }
        for (o, outing) in self.plan.outings.iter().enumerate() {
            if outing.porter >= i.fleet.porters.count {
                self.flag(Kind::BadReference, format!("outing {o}: porter {} does not exist", outing.porter));
            }
            if outing.station >= i.stations.len() {
                self.flag(Kind::BadReference, format!("outing {o}: station {} does not exist", outing.station));
            }
            for climb in &outing.climbs {
                if climb.stairwell >= i.stairwells.len() {
                    self.flag(Kind::BadReference, format!("outing {o}: stairwell {} does not exist", climb.stairwell));
                }
                for d in &climb.drops {
                    if d.job >= i.jobs.len() || d.bags.iter().any(|b| !job_ok(d.job, *b)) {
                        self.flag(Kind::BadReference, format!("outing {o}: a drop names a bag that does not exist"));
                    }
                }
            }
        }
        for u in &self.plan.unassigned {
            if u.job >= i.jobs.len() {
                self.flag(Kind::BadReference, format!("unassigned order {} does not exist", u.job));
            }
        }
        self.out.len() == before
    }

    fn deliveries(&mut self) {
        let i = self.instance;
        let mut delivered: Vec<Vec<usize>> = i.jobs.iter().map(|j| vec![0; j.bags.len()]).collect();
        for (o, outing) in self.plan.outings.iter().enumerate() {
            for climb in &outing.climbs {
                for d in &climb.drops {
                    let job = &i.jobs[d.job];
                    if climb.stairwell != job.stairwell || d.floor != job.floor {
                        self.flag(
                            Kind::WrongDoor,
                            format!(
                                "outing {o}: order {} dropped at {} floor {}, but it goes to {} floor {}",
                                job.id,
                                i.stairwells[climb.stairwell].id,
                                d.floor,
                                i.stairwells[job.stairwell].id,
                                job.floor
                            ),
                        );
                    }
                    if let Some(s) = job.pinned_station
                        && s != outing.station
                    {
                        self.flag(
                            Kind::Pinned,
                            format!(
                                "order {} is pinned to {} but leaves from {}",
                                job.id, i.stations[s].id, i.stations[outing.station].id
                            ),
                        );
                    }
                    for &b in &d.bags {
                        delivered[d.job][b] += 1;
                    }
                }
            }
        }
        let mut unassigned = vec![0; i.jobs.len()];
        for u in &self.plan.unassigned {
            unassigned[u.job] += 1;
        }
        for (j, job) in i.jobs.iter().enumerate() {
            let counts = &delivered[j];
            let all_once = counts.iter().all(|c| *c == 1);
            let none = counts.iter().all(|c| *c == 0);
            let problem = match (unassigned[j], all_once, none) {
                (0, true, _) => None,
                (0, _, true) => Some("is neither delivered nor reported unassigned".to_owned()),
                (0, _, _) => Some(format!("has bags delivered {counts:?} times; each must be delivered once")),
                (1, _, true) => None,
                (1, _, _) => Some("is reported unassigned but has bags delivered".to_owned()),
                (n, _, _) => Some(format!("is reported unassigned {n} times")),
            };
            if let Some(p) = problem {
                self.flag(Kind::Delivery, format!("order {} {p}", job.id));
            }
        }
    }

    /// Checks trips; returns when each bag is ready at which station.
    fn trips(&mut self) -> BTreeMap<(usize, usize), (usize, f64)> {
        let i = self.instance;
        let t = &i.fleet.tricycles;
        let speed = t.speed.get();
        let mut ready = BTreeMap::new();
        for (j, job) in i.jobs.iter().enumerate() {
            if let Some(stock) = job.stocked {
                for b in 0..job.bags.len() {
                    ready.insert((j, b), (stock.station, stock.ready_s));
                }
            }
        }
        let mut by_tricycle: BTreeMap<usize, Vec<&Trip>> = BTreeMap::new();
        'trips: for (n, trip) in self.plan.trips.iter().enumerate() {
            by_tricycle.entry(trip.tricycle).or_default().push(trip);
            let (mut kg, mut litres) = (0.0, 0.0);
            let mut time = trip.start_s + t.load_s.get();
            let mut at: Option<usize> = None;
            for stop in &trip.stops {
                let Some(d) = i.ride_m(at, Some(stop.station)) else {
                    self.flag(
                        Kind::Unreachable,
                        format!("trip {n}: no tricycle route to {}", i.stations[stop.station].id),
                    );
                    continue 'trips;
                };
                time += d / speed;
                if (stop.arrive_s - time).abs() > EPS {
                    self.flag(
                        Kind::Timing,
                        format!(
                            "trip {n}: arrives at {} at {:.1} s, but the ride gives {time:.1} s",
                            i.stations[stop.station].id, stop.arrive_s
                        ),
                    );
                }
                time = stop.arrive_s.max(time) + t.unload_s.get();
                if (stop.ready_s - time).abs() > EPS {
                    self.flag(
                        Kind::Timing,
                        format!("trip {n}: unloaded at {:.1} s, expected {time:.1} s", stop.ready_s),
                    );
                }
                for b in &stop.bags {
                    let bag = &i.jobs[b.job].bags[b.bag];
                    kg += bag.kg.get();
                    litres += bag.litres.get();
                    if ready.insert((b.job, b.bag), (stop.station, stop.ready_s)).is_some() {
                        self.flag(
                            Kind::Synchronisation,
                            format!("order {} bag {} is unloaded twice", i.jobs[b.job].id, b.bag + 1),
                        );
                    }
                }
                at = Some(stop.station);
            }
            match i.ride_m(at, None) {
                Some(back) => time += back / speed,
                None => {
                    self.flag(Kind::Unreachable, format!("trip {n}: no tricycle route back to the gate"));
                    time = trip.end_s;
                }
            }
            if (trip.end_s - time).abs() > EPS {
                self.flag(
                    Kind::Timing,
                    format!("trip {n}: back at the gate at {:.1} s, expected {time:.1} s", trip.end_s),
                );
            }
            if kg > t.capacity_kg.get() + EPS || litres > t.capacity_litres.get() + EPS {
                self.flag(
                    Kind::TricycleCapacity,
                    format!("trip {n} carries {kg:.1} kg and {litres:.1} L, over the tricycle's capacity"),
                );
            }
        }
        for (tricycle, mut trips) in by_tricycle {
            trips.sort_by(|a, b| a.start_s.total_cmp(&b.start_s));
            let free = i.state.tricycles_free_s.get(tricycle).copied().unwrap_or(0.0);
            if trips.first().is_some_and(|t| t.start_s < free - EPS) {
                self.flag(Kind::Timing, format!("tricycle {tricycle} starts a trip before it is free at {free:.1} s"));
            }
            for w in trips.windows(2) {
                if w[1].start_s < w[0].end_s - EPS {
                    self.flag(
                        Kind::Overlap,
                        format!(
                            "tricycle {tricycle} starts a trip at {:.1} s before returning at {:.1} s",
                            w[1].start_s, w[0].end_s
                        ),
                    );
                }
            }
        }
        ready
    }

    /// Checks outings and porters; returns each porter's totals, as the checker computes them.
    fn outings(&mut self, ready: &BTreeMap<(usize, usize), (usize, f64)>) -> Vec<PorterTotals> {
        let i = self.instance;
        let p = &i.fleet.porters;
        let mut porters = vec![PorterTotals::default(); p.count];
        let mut by_porter: BTreeMap<usize, Vec<(usize, &Outing)>> = BTreeMap::new();
        for (o, outing) in self.plan.outings.iter().enumerate() {
            by_porter.entry(outing.porter).or_default().push((o, outing));
            let kg = carried_kg(i, outing);
            if kg > p.max_carry_kg.get() + EPS {
                self.flag(
                    Kind::Carry,
                    format!("outing {o} carries {kg:.1} kg; the limit is {} kg", p.max_carry_kg.get()),
                );
            }
            for d in outing.climbs.iter().flat_map(|c| &c.drops) {
                for &b in &d.bags {
                    match ready.get(&(d.job, b)) {
                        None => self.flag(
                            Kind::Synchronisation,
                            format!(
                                "outing {o}: order {} bag {} never reaches a station by tricycle",
                                i.jobs[d.job].id,
                                b + 1
                            ),
                        ),
                        Some((s, _)) if *s != outing.station => self.flag(
                            Kind::Synchronisation,
                            format!(
                                "outing {o}: order {} bag {} is unloaded at {}, not at {}",
                                i.jobs[d.job].id,
                                b + 1,
                                i.stations[*s].id,
                                i.stations[outing.station].id
                            ),
                        ),
                        Some((_, t)) if *t > outing.start_s + EPS => self.flag(
                            Kind::Synchronisation,
                            format!(
                                "outing {o} starts at {:.1} s, before order {} bag {} is unloaded at {t:.1} s",
                                outing.start_s,
                                i.jobs[d.job].id,
                                b + 1
                            ),
                        ),
                        _ => {}
                    }
                }
            }
        }
        let stations = i.stations.len().max(1);
        for (porter, mut list) in by_porter {
            list.sort_by(|a, b| a.1.start_s.total_cmp(&b.1.start_s));
            let state = i.state.porters.get(porter);
            if state.is_some_and(|s| !s.on_duty) {
                self.flag(Kind::OffDuty, format!("porter {porter} is off duty but has {} outing(s)", list.len()));
            }
            let mut at = state.map_or(porter % stations, |s| s.station);
            let mut free = state.map_or(0.0, |s| s.free_s);
            let (spent, climbed) = state.map_or((0.0, 0.0), |s| (s.spent_kj, s.climbed_m));
            let mut totals = PorterTotals { outings: list.len(), ..PorterTotals::default() };
            for (o, outing) in &list {
                let Some(transit) = i.walk_station_station.get(at, outing.station).map(|m| m.get()) else {
                    self.flag(Kind::Unreachable, format!("porter {porter} cannot walk to the station of outing {o}"));
                    continue;
                };
                if outing.start_s + EPS < free + transit / p.walk_speed.get() {
                    self.flag(
                        Kind::Overlap,
                        format!(
                            "porter {porter} starts outing {o} at {:.1} s but can be there at {:.1} s at the earliest",
                            outing.start_s,
                            free + transit / p.walk_speed.get()
                        ),
                    );
                }
                let transit_kj = i.fleet.effort.level_j_per_kg_m * p.body_mass_kg.get() * transit / 1000.0;
                totals.energy_kj += transit_kj;
                totals.walk_m += transit;
                let walked = self.replay(*o, outing);
                let kg = carried_kg(i, outing);
                let reported = [
                    ("transit_m", outing.transit_m, transit),
                    ("kg", outing.kg, kg),
                    ("vertical_m", outing.vertical_m, walked.vertical_m),
                    ("energy_kj", outing.energy_kj, walked.energy_kj + transit_kj),
                ];
                for (name, theirs, mine) in reported {
                    if !same(theirs, mine) {
                        self.flag(Kind::Metric, format!("outing {o}: {name} is {theirs}, the checker computes {mine}"));
                    }
                }
                totals.energy_kj += walked.energy_kj;
                totals.walk_m += walked.walk_m;
                totals.vertical_m += walked.vertical_m;
                totals.stair_climbs += walked.stair_climbs;
                free = walked.end_s;
                totals.finish_s = walked.end_s;
                at = outing.station;
            }
            if spent + totals.energy_kj > p.shift_energy.get() + EPS {
                self.flag(
                    Kind::Energy,
                    format!(
                        "porter {porter} spends {:.0} kJ in the shift; the budget is {} kJ",
                        spent + totals.energy_kj,
                        p.shift_energy.get()
                    ),
                );
            }
            if climbed + totals.vertical_m > p.shift_climb.get() + EPS {
                self.flag(
                    Kind::Energy,
                    format!(
                        "porter {porter} climbs {:.0} m in the shift; the budget is {} m",
                        climbed + totals.vertical_m,
                        p.shift_climb.get()
                    ),
                );
            }
            if porter < porters.len() {
                porters[porter] = totals;
            }
        }
        porters
    }

    /// Walks an outing through the effort model, flagging times that do not follow.
    fn replay(&mut self, o: usize, outing: &Outing) -> OutingWalk {
        let i = self.instance;
        let p = &i.fleet.porters;
        let e = &i.fleet.effort;
        let body = p.body_mass_kg.get();
        let k = e.hand_carry_factor;
        let weight =
            |d: &lastmetre_model::plan::Drop| -> f64 { d.bags.iter().map(|b| i.jobs[d.job].bags[*b].kg.get()).sum() };
        let mut load: f64 = outing.climbs.iter().flat_map(|c| &c.drops).map(weight).sum();
        let bags: usize = outing.climbs.iter().flat_map(|c| &c.drops).map(|d| d.bags.len()).sum();
        let mut t = outing.start_s + bags as f64 * p.pick_s.get();
        let (mut joules, mut walk, mut vertical) = (0.0, 0.0, 0.0);
        let mut ups = 0;
        let mut last: Option<usize> = None;
        for climb in &outing.climbs {
            let leg = match last {
                None => i.walk_station_stairwell.get(outing.station, climb.stairwell),
                Some(w) => i.walk_stairwell_stairwell.get(w, climb.stairwell),
            };
            let Some(leg) = leg.map(|m| m.get()) else {
                self.flag(
                    Kind::Unreachable,
                    format!("outing {o}: no walking route to {}", i.stairwells[climb.stairwell].id),
                );
                return OutingWalk { end_s: outing.end_s, ..OutingWalk::default() };
            };
            joules += e.level_j_per_kg_m * (body + k * load) * leg;
            walk += leg;
            t += leg / p.walk_speed.get();
            if (climb.arrive_s - t).abs() > EPS {
                self.flag(
                    Kind::Timing,
                    format!(
                        "outing {o}: at {} at {:.1} s, expected {t:.1} s",
                        i.stairwells[climb.stairwell].id, climb.arrive_s
                    ),
                );
            }
            let stairwell = &i.stairwells[climb.stairwell];
            let here: f64 = climb.drops.iter().map(weight).sum();
            let waiting = if p.leave_bags_at_entrance { 0.0 } else { load - here };
            // Up the stairs, lightening at each drop.
            let mut carried = here;
            let mut height = 0.0;
            let mut drops: Vec<&lastmetre_model::plan::Drop> = climb.drops.iter().collect();
            drops.sort_by_key(|d| d.floor);
            if drops.iter().zip(&climb.drops).any(|(a, b)| a.floor != b.floor) {
                self.flag(Kind::Timing, format!("outing {o}: drops at {} are not in floor order", stairwell.id));
            }
            for d in &climb.drops {
                let h = stairwell.height(d.floor).get();
                let rise = (h - height).max(0.0);
                joules += e.up_j_per_kg_m * (body + k * (carried + waiting)) * rise;
                t += rise / p.climb_speed.get() + p.handover_s.get();
                if (d.at_s - t).abs() > EPS {
                    self.flag(
                        Kind::Timing,
                        format!(
                            "outing {o}: order {} handed over at {:.1} s, expected {t:.1} s",
                            i.jobs[d.job].id, d.at_s
                        ),
                    );
                }
                carried -= weight(d);
                height = height.max(h);
            }
            joules += e.down_j_per_kg_m * (body + k * waiting) * height;
            t += height / p.descend_speed.get();
            vertical += height;
            ups += usize::from(height > 0.0);
            if (climb.leave_s - t).abs() > EPS {
                self.flag(
                    Kind::Timing,
                    format!("outing {o}: leaves {} at {:.1} s, expected {t:.1} s", stairwell.id, climb.leave_s),
                );
            }
            load -= here;
            last = Some(climb.stairwell);
        }
        if let Some(w) = last {
            let back = i.walk_station_stairwell.get(outing.station, w).map_or_else(
                || {
                    self.flag(Kind::Unreachable, format!("outing {o}: no walking route back to its station"));
                    0.0
                },
                |m| m.get(),
            );
            joules += e.level_j_per_kg_m * body * back;
            walk += back;
            t += back / p.walk_speed.get();
        }
        if (outing.end_s - t).abs() > EPS {
            self.flag(
                Kind::Timing,
                format!("outing {o}: back at the station at {:.1} s, expected {t:.1} s", outing.end_s),
            );
        }
        OutingWalk {
            energy_kj: joules / 1000.0,
            walk_m: walk,
            vertical_m: vertical,
            stair_climbs: ups,
            end_s: outing.end_s,
        }
    }

    /// The fleet's counts: trips per tricycle, outings per porter, porters per station.
    fn limits(&mut self) {
        let i = self.instance;
        if let Some(most) = i.fleet.tricycles.trips_each {
            let mut trips: BTreeMap<usize, usize> = BTreeMap::new();
            for t in &self.plan.trips {
                *trips.entry(t.tricycle).or_default() += 1;
            }
            for (tricycle, n) in trips.into_iter().filter(|(_, n)| *n > most) {
                self.flag(Kind::FleetLimit, format!("tricycle {tricycle} makes {n} trips; the fleet allows {most}"));
            }
        }
        if let Some(most) = i.fleet.porters.outings_each {
            let mut outings: BTreeMap<usize, usize> = BTreeMap::new();
            for o in &self.plan.outings {
                *outings.entry(o.porter).or_default() += 1;
            }
            for (porter, n) in outings.into_iter().filter(|(_, n)| *n > most) {
                self.flag(Kind::FleetLimit, format!("porter {porter} makes {n} outings; the fleet allows {most}"));
            }
        }
        if let Some(most) = i.fleet.porters.per_station {
            let mut porters: BTreeMap<usize, BTreeSet<usize>> = BTreeMap::new();
            for o in &self.plan.outings {
                porters.entry(o.station).or_default().insert(o.porter);
            }
            for (s, set) in porters.into_iter().filter(|(_, set)| set.len() > most) {
                self.flag(
                    Kind::FleetLimit,
                    format!("{} porters work from station {}; the fleet allows {most}", set.len(), i.stations[s].id),
                );
            }
        }
    }

    /// Station occupancy over time: + when unloaded, − when a porter takes the bags out.
    fn storage(&mut self) {
        let i = self.instance;
        for (s, station) in i.stations.iter().enumerate() {
            let Some(limit) = station.storage_kg else { continue };
            // (time, kg, unloaded by this plan): goods already stocked count, but only the
            // plan's own unloading can overfill the station.
            let mut events: Vec<(f64, f64, bool)> = Vec::new();
            for job in i.jobs.iter().filter(|j| j.stocked.is_some_and(|st| st.station == s)) {
                events.push((job.stocked.map_or(0.0, |st| st.ready_s), job.kg(), false));
            }
            for stop in self.plan.trips.iter().flat_map(|t| &t.stops).filter(|st| st.station == s) {
                let kg: f64 = stop.bags.iter().map(|b| i.jobs[b.job].bags[b.bag].kg.get()).sum();
                events.push((stop.ready_s, kg, true));
            }
            for outing in self.plan.outings.iter().filter(|o| o.station == s) {
                let kg = carried_kg(i, outing);
                events.push((outing.start_s, -kg, false));
            }
            events.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
            let mut held = 0.0;
            for (t, kg, unloaded) in events {
                held += kg;
                if unloaded && held > limit + EPS {
                    self.flag(
                        Kind::Storage,
                        format!("station {} holds {held:.1} kg at {t:.0} s; its storage is {limit} kg", station.id),
                    );
                    break;
                }
            }
        }
    }

    fn metrics(&self, porters: Vec<PorterTotals>) -> Metrics {
        let i = self.instance;
        let w = &i.fleet.weights;
        let plan = self.plan;
        let mut m =
            Metrics { orders_total: i.jobs.len(), orders_unassigned: plan.unassigned.len(), ..Metrics::default() };
        m.orders_delivered = m.orders_total.saturating_sub(m.orders_unassigned);
        for (j, job) in i.jobs.iter().enumerate() {
            let k = priority_index(job.priority);
            if plan.unassigned.iter().any(|u| u.job == j) {
                m.unassigned_by_priority[k] += 1;
            } else {
                m.delivered_by_priority[k] += 1;
            }
        }
        m.tricycle_trips = plan.trips.len();
        let mut ride = 0.0;
        for trip in &plan.trips {
            let mut at = None;
            for stop in &trip.stops {
                ride += i.ride_m(at, Some(stop.station)).unwrap_or(0.0);
                at = Some(stop.station);
            }
            ride += i.ride_m(at, None).unwrap_or(0.0);
        }
        m.tricycle_km = ride / 1000.0;
        m.porter_outings = plan.outings.len();
        m.stair_climbs = porters.iter().map(|p| p.stair_climbs).sum();
        m.door_visits = plan.outings.iter().map(|o| o.climbs.len()).sum();
        m.vertical_m = porters.iter().map(|p| p.vertical_m).sum();
        m.porter_energy_kj = porters.iter().map(|p| p.energy_kj).sum();
        m.porter_energy_kj_max = porters.iter().map(|p| p.energy_kj).fold(0.0, f64::max);
        m.porter_walk_km = porters.iter().map(|p| p.walk_m).sum::<f64>() / 1000.0;
        let drops = || plan.outings.iter().flat_map(|o| o.climbs.iter().flat_map(|c| &c.drops));
        m.last_delivery_s = drops().map(|d| d.at_s).fold(0.0, f64::max);
        m.last_medicine_s =
            drops().filter(|d| i.jobs[d.job].priority == Priority::Medicine).map(|d| d.at_s).fold(0.0, f64::max);
        m.porters = porters
            .iter()
            .map(|p| lastmetre_model::plan::PorterLoad {
                outings: p.outings,
                stair_climbs: p.stair_climbs,
                vertical_m: p.vertical_m,
                walk_km: p.walk_m / 1000.0,
                energy_kj: p.energy_kj,
                finish_s: p.finish_s,
            })
            .collect();
        let mut porter_of = vec![None; i.jobs.len()];
        for o in &plan.outings {
            for d in o.climbs.iter().flat_map(|c| &c.drops) {
                porter_of[d.job] = Some(o.porter);
            }
        }
        m.orders_moved = i
            .jobs
            .iter()
            .zip(&porter_of)
            .filter(|(job, porter)| job.announced.is_some_and(|a| **porter != Some(a.porter)))
            .count();
        let spent = |k: usize| i.state.porters.get(k).map_or(0.0, |s| s.spent_kj);
        let most_tired = porters.iter().enumerate().map(|(k, p)| spent(k) + p.energy_kj).fold(0.0, f64::max);
        let unserved: f64 = plan.unassigned.iter().map(|u| i.unserved_cost(u.job)).sum();
        m.objective = unserved
            + w.tricycle_trip * m.tricycle_trips as f64
            + w.tricycle_km * m.tricycle_km
            + w.stair_climb * m.stair_climbs as f64
            + w.energy_kj * m.porter_energy_kj
            + w.max_porter_energy_kj * most_tired
            + w.walk_km * m.porter_walk_km
            + w.porter_outing * m.porter_outings as f64
            + w.moved_order * m.orders_moved as f64
            + plan.outings.iter().map(|o| i.stations[o.station].handling_per_kg * carried_kg(i, o)).sum::<f64>();
        m
    }

    fn compare(&mut self, mine: &Metrics) {
        let theirs = &self.plan.metrics;
        let counts = [
            ("orders_total", theirs.orders_total, mine.orders_total),
            ("orders_delivered", theirs.orders_delivered, mine.orders_delivered),
            ("orders_unassigned", theirs.orders_unassigned, mine.orders_unassigned),
            ("tricycle_trips", theirs.tricycle_trips, mine.tricycle_trips),
            ("porter_outings", theirs.porter_outings, mine.porter_outings),
            ("stair_climbs", theirs.stair_climbs, mine.stair_climbs),
            ("door_visits", theirs.door_visits, mine.door_visits),
            ("orders_moved", theirs.orders_moved, mine.orders_moved),
        ];
        for (name, a, b) in counts {
            if a != b {
                self.flag(Kind::Metric, format!("{name}: the plan says {a}, the checker counts {b}"));
            }
        }
        let loads = |m: &Metrics| m.porters.iter().map(|p| (p.outings, p.stair_climbs)).collect::<Vec<_>>();
        let energies = |m: &Metrics| m.porters.iter().map(|p| p.energy_kj).collect::<Vec<_>>();
        let (a, b) = (energies(theirs), energies(mine));
        if loads(theirs) != loads(mine) || a.len() != b.len() || a.iter().zip(&b).any(|(x, y)| !same(*x, *y)) {
            self.flag(Kind::Metric, "per-porter workloads differ from the checker's".to_owned());
        }
        if theirs.delivered_by_priority != mine.delivered_by_priority
            || theirs.unassigned_by_priority != mine.unassigned_by_priority
        {
            self.flag(Kind::Metric, "orders by priority differ from the checker's count".to_owned());
        }
        let values = [
            ("tricycle_km", theirs.tricycle_km, mine.tricycle_km),
            ("vertical_m", theirs.vertical_m, mine.vertical_m),
            ("porter_energy_kj", theirs.porter_energy_kj, mine.porter_energy_kj),
            ("porter_energy_kj_max", theirs.porter_energy_kj_max, mine.porter_energy_kj_max),
            ("porter_walk_km", theirs.porter_walk_km, mine.porter_walk_km),
            ("last_delivery_s", theirs.last_delivery_s, mine.last_delivery_s),
            ("last_medicine_s", theirs.last_medicine_s, mine.last_medicine_s),
            ("objective", theirs.objective, mine.objective),
        ];
        for (name, a, b) in values {
            if !same(a, b) {
                self.flag(Kind::Metric, format!("{name}: the plan says {a}, the checker computes {b}"));
            }
        }
    }
}
