//! Simulated days: demand arrives, the dispatcher plans every cycle, and the field executes
//! each plan by its own times, with the disturbances of a real day: doors that do not
//! answer, a lane closed for a PCR test round in the morning, a porter who leaves at noon.
//!
//! Every plan goes through the independent checker; violations are collected, never hidden.
//! The simulation is deterministic: the same inputs and seed give the same day, byte for
//! byte (the search is bounded by iterations, never by a clock).

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod floor;
mod size;
pub use floor::climb_floor;
pub use size::{SAMPLE_ORDERS_PER_DAY, ServiceLevels, Sizing, Targets, Trial, size};

use lastmetre_area::Area;
use lastmetre_dispatch::{DispatchError, Dispatcher, Event, Failure, OutingRecord, Settings};
use lastmetre_model::{DemandProfile, Fleet, Order, Priority, Seconds};
use serde::Serialize;
use std::collections::BTreeMap;

/// Seconds in a day.
pub const DAY_S: f64 = 86_400.0;

/// What to play.
#[derive(Clone, Debug, PartialEq)]
pub struct Options {
    /// Days to play.
    pub days: u32,
    /// Seed of the disturbances (and of the search).
    pub seed: u64,
    /// Dispatcher settings (policy, iterations, cycle length).
    pub settings: Settings,
    /// Disturbances; [`Disturbances::none`] for a calm day.
    pub disturbances: Disturbances,
    /// Porters on call beyond the fleet's: off duty each morning, each called when a plan
    /// warns of promises at risk and asks for porters, on duty from the next cycle on.
    pub reserve_porters: usize,
}

/// The realistic troubles of a day (defaults from the founding case's reports).
#[derive(Clone, Debug, PartialEq)]
pub struct Disturbances {
    /// Share of hand-overs where nobody answers the door.
    pub door_failure: f64,
    /// A lane closed for a PCR test round: from, to (hours of each day).
    pub lane_closure: Option<(f64, f64)>,
    /// The last porter leaves for the day at this hour.
    pub porter_leaves_at: Option<f64>,
}

impl Default for Disturbances {
    fn default() -> Self {
        Self { door_failure: 0.05, lane_closure: Some((9.0, 10.0)), porter_leaves_at: Some(12.0) }
    }
}

impl Disturbances {
    /// No trouble at all.
    pub fn none() -> Self {
        Self { door_failure: 0.0, lane_closure: None, porter_leaves_at: None }
    }
}

/// Figures of one cycle, for the CSV and the chart. Trips, climbs and energy count the work
/// that started in the cycle.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct CycleRow {
    /// Day, from 1.
    pub day: u32,
    /// Cycle of the day, from 0.
    pub cycle: u32,
    /// Start, HH:MM.
    pub start: String,
    /// Orders that arrived since the previous cycle.
    pub new_orders: usize,
    /// Orders neither delivered nor cancelled at the cycle start.
    pub backlog: usize,
    /// Orders in this cycle's plan.
    pub planned_orders: usize,
    /// Orders the plan left out.
    pub left_out: usize,
    /// Orders the plan says it will deliver after their promise, not yet late before it (the
    /// dispatcher's warning).
    pub at_risk: usize,
    /// Porters the warning or the rush warning asks to call.
    pub call_porters: usize,
    /// Reserve porters who came on duty at the cycle start.
    pub porters_called: usize,
    /// Tricycle trips that left.
    pub tricycle_trips: usize,
    /// Porter outings that started.
    pub porter_outings: usize,
    /// Stair climbs.
    pub stair_climbs: usize,
    /// Net porter energy, kJ.
    pub porter_kj: f64,
    /// The most any porter has spent so far in the day, kJ.
    pub max_porter_kj: f64,
    /// Hand-overs.
    pub delivered: usize,
    /// Doors not answered.
    pub failed: usize,
}

/// One porter's day.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Welfare {
    /// Day, from 1.
    pub day: u32,
    /// Porter number, from 1.
    pub porter: usize,
    /// Vertical metres climbed.
    pub vertical_m: f64,
    /// Net energy, kJ.
    pub energy_kj: f64,
    /// Kilograms carried.
    pub kg: f64,
    /// Outings.
    pub outings: usize,
    /// Stair climbs.
    pub stair_climbs: usize,
    /// Level walking, km.
    pub walk_km: f64,
    /// Worked the whole day (did not leave early).
    pub full_day: bool,
    /// Over the shift limits (energy or vertical metres).
    pub over_limit: bool,
}

/// A day in figures.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct DaySummary {
    /// Day, from 1.
    pub day: u32,
    /// Orders that arrived.
    pub orders: usize,
    /// Orders delivered (by the end of the simulation).
    pub delivered: usize,
    /// Medicine orders that arrived.
    pub medicine: usize,
    /// Medicine orders delivered within the cycle they arrived in.
    pub medicine_in_cycle: usize,
    /// Medicine orders whose first attempt was in the cycle they arrived in (a door that did
    /// not answer makes the difference).
    pub medicine_attempted_in_cycle: usize,
    /// Orders delivered within two cycles of arriving.
    pub within_two_cycles: usize,
    /// Share of orders delivered within two cycles.
    pub within_two_cycles_share: f64,
    /// Doors not answered.
    pub failed_deliveries: usize,
    /// Tricycle trips.
    pub tricycle_trips: usize,
    /// Porter outings.
    pub porter_outings: usize,
    /// Stair climbs.
    pub stair_climbs: usize,
    /// The fewest climbs any dispatcher keeping every promise could make for the day's
    /// orders, each but medicine waiting at most one cycle ([`climb_floor`]: arrivals known,
    /// every door answered).
    pub climb_floor: usize,
    /// The same when no order waits.
    pub climb_floor_without_holding: usize,
    /// Net porter energy, all porters, kJ.
    pub porter_energy_kj: f64,
    /// The most any porter spent, kJ.
    pub max_porter_energy_kj: f64,
    /// The most any porter climbed, m.
    pub max_porter_vertical_m: f64,
    /// Porter walking, all porters, km.
    pub porter_walk_km: f64,
    /// Porters over the shift limits.
    pub porters_over_limit: usize,
    /// Energy spread among porters who worked the whole day: (most − least) / most.
    pub energy_spread: f64,
    /// Orders still undelivered at the end of the day.
    pub backlog_at_end: usize,
    /// Cycles whose plan warned of promises it would not keep, or of a rush next cycle.
    pub warned_cycles: usize,
    /// When the first warning came, HH:MM.
    pub first_warning: Option<String>,
    /// The most porters a warning asked to call.
    pub most_porters_called: usize,
    /// Reserve porters who came on duty ([`Options::reserve_porters`]).
    pub reserve_porters_called: usize,
    /// Orders not delivered within two cycles, with the cycles they took (none: not yet).
    pub late_orders: Vec<(String, Option<f64>)>,
}

/// Everything a simulation produced.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Simulation {
    /// Per cycle.
    pub cycles: Vec<CycleRow>,
    /// Per day.
    pub days: Vec<DaySummary>,
    /// Per porter and day.
    pub welfare: Vec<Welfare>,
    /// Checker violations, as "cycle N: …"; empty when every plan was feasible.
    pub violations: Vec<String>,
}

/// Why a simulation stopped.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// The dispatcher refused something (orders that do not fit the area, …).
    #[error(transparent)]
    Dispatch(#[from] DispatchError),
}

/// A day of generated demand for every household of `area` (DOMAIN.md's figures).
pub fn generated_demand(area: &Area, days: u32, seed: u64) -> Vec<Order> {
    generated_demand_scaled(area, &DemandProfile::default(), days, seed, 1.0)
}

/// Days of demand drawn from `profile` (a fleet file's `demand`), with `scale` times its
/// orders per household and day: 3 for the rush of a lockdown's first days. The same seed,
/// profile and scale give the same orders.
pub fn generated_demand_scaled(area: &Area, profile: &DemandProfile, days: u32, seed: u64, scale: f64) -> Vec<Order> {
    let households: Vec<&str> = area.households.iter().map(|h| h.id.as_str()).collect();
    let mut all = Vec::new();
    for day in 1..=days {
        let offset = f64::from(day - 1) * DAY_S;
        let mut options = lastmetre_synth::demand::DayOptions::new(seed, day);
        options.profile = profile.clone();
        options.rate = profile.per_household_day * scale;
        for mut o in lastmetre_synth::demand::day(&households, &options) {
            o.placed_at = Seconds(o.placed_at.get() + offset);
            all.push(o);
        }
    }
    all
}

/// Per-order bookkeeping.
struct Fate {
    id: String,
    priority: Priority,
    day: u32,
    /// Start of the cycle whose plan first sees the order.
    arrival: f64,
    first_attempt: Option<f64>,
    delivered: Option<f64>,
}

/// Plays `demand` (orders with `placed_at` in seconds from midnight of day 1) through the
/// dispatcher for `options.days` days of cycles. `progress(done, total)` is called after
/// each cycle.
pub fn simulate(
    area: Area,
    fleet: Fleet,
    demand: &[Order],
    options: &Options,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Simulation, SimError> {
    let cycle_s = options.settings.cycle_s;
    let per_day = (DAY_S / cycle_s).round() as u32;
    let total = (per_day * options.days) as usize;
    let stations: Vec<usize> = match &fleet.stations {
        Some(list) => list.iter().filter_map(|s| area.sites.iter().position(|x| x.id == s.id)).collect(),
        None => area.open_sites().collect(),
    };
    let lane = options.disturbances.lane_closure.and_then(|_| closable_lane(&area, &stations));
    let regular = fleet.porters.count;
    let mut fleet = fleet;
    fleet.porters.count += options.reserve_porters;
    let porters = fleet.porters.count;
    let mut d = Dispatcher::new(area, fleet, options.settings.clone())?;
    // Reserve porters called by the latest warning, and the next one still at home.
    let (mut called, mut next_reserve) = (0, porters);
    let mut sim = Simulation::default();
    let mut demand: Vec<&Order> = demand.iter().collect();
    demand.sort_by(|a, b| a.placed_at.get().total_cmp(&b.placed_at.get()));
    let mut next_order = 0;
    let mut fates: BTreeMap<String, Fate> = BTreeMap::new();
    let mut attempts: BTreeMap<String, u32> = BTreeMap::new();
    // Hand-overs of started outings, reported when their time has come.
    let mut pending: Vec<(f64, Event)> = Vec::new();
    let mut row = CycleRow::default();
    let mut left_early = vec![false; porters];
    let mut row_called = 0;
    for k in 0..total as u32 {
        let (day, c) = (k / per_day + 1, k % per_day);
        let now = f64::from(k) * cycle_s;
        let hour = (now - f64::from(day - 1) * DAY_S) / 3600.0;
        // What started in the cycle that ends now.
        let started = d.advance_to(Seconds(now));
        for o in &started {
            schedule_drops(o, options, &mut attempts, &mut pending);
        }
        if k > 0 {
            finish_row(&mut row, &d, &started, &pending, now - cycle_s, now);
            sim.cycles.push(std::mem::take(&mut row));
        }
        // The day that ends, read before anything of the new one is reported.
        if c == 0 && day > 1 {
            sim.welfare.extend(welfare(day - 1, &d, &left_early));
            left_early.fill(false);
        }
        pending.sort_by(|a, b| a.0.total_cmp(&b.0));
        let due = pending.partition_point(|e| e.0 <= now);
        for (at, event) in pending.drain(..due) {
            note_event(&event, at, &mut fates);
            d.report(Seconds(at), event)?;
        }
        if c == 0 {
            // A shift that starts at midnight (the whole-day default) resets the porters'
            // budgets now, if no report at midnight has already; other shifts reset at their
            // own start, when the cycle that starts there reports or plans.
            d.begin_shift(Seconds(now));
            // Reserve porters stay home until called; they do not work the full day.
            for (r, away) in left_early.iter_mut().enumerate().skip(regular) {
                d.report(Seconds(now), Event::PorterOffDuty { porter: r })?;
                *away = true;
            }
            next_reserve = regular;
        }
        // Porters called in the last cycle have come.
        while called > 0 && next_reserve < porters {
            d.report(Seconds(now), Event::PorterOnDuty { porter: next_reserve })?;
            row_called += 1;
            next_reserve += 1;
            called -= 1;
        }
        called = 0;
        // Disturbances at the cycle boundary.
        if let (Some((from, to)), Some(lane)) = (options.disturbances.lane_closure, &lane) {
            if (hour - from).abs() < 1e-9 {
                d.report(Seconds(now), Event::LaneClosed { lane: lane.clone() })?;
            }
            if (hour - to).abs() < 1e-9 {
                d.report(Seconds(now), Event::LaneReopened { lane: lane.clone() })?;
            }
        }
        if let Some(at) = options.disturbances.porter_leaves_at
            && (hour - at).abs() < 1e-9
            && regular > 1
        {
            d.report(Seconds(now), Event::PorterOffDuty { porter: regular - 1 })?;
            left_early[regular - 1] = true;
        }
        // Orders that arrived since the last cycle.
        let first = next_order;
        while next_order < demand.len() && demand[next_order].placed_at.get() <= now {
            next_order += 1;
        }
        let batch: Vec<Order> = demand[first..next_order].iter().map(|o| (*o).clone()).collect();
        d.add_orders(&batch)?;
        for o in &batch {
            let fate = Fate {
                id: o.id.clone(),
                priority: o.priority,
                day,
                arrival: now,
                first_attempt: None,
                delivered: None,
            };
            fates.insert(o.id.clone(), fate);
        }
        row = CycleRow {
            day,
            cycle: c,
            start: clock(now),
            new_orders: batch.len(),
            backlog: d.backlog(),
            ..CycleRow::default()
        };
        let cycle = d.next_plan(Seconds(now))?;
        let report = lastmetre_check::check(&cycle.instance, &cycle.plan);
        sim.violations.extend(report.violations.iter().map(|v| format!("cycle {k}: {v}")));
        row.planned_orders = cycle.plan.metrics.orders_total;
        row.left_out = cycle.plan.metrics.orders_unassigned;
        if let Some(w) = &cycle.warning {
            row.at_risk = w.medicine.len() + w.orders.len();
            row.call_porters = w.call_porters;
            called = row.call_porters;
        }
        if let Some(rush) = &cycle.rush {
            row.call_porters = row.call_porters.max(rush.porters);
            called = called.max(rush.porters);
        }
        row.porters_called = std::mem::take(&mut row_called);
        progress(k as usize + 1, total);
    }
    // The last cycle's work and every hand-over still to come.
    let end = f64::from(total as u32) * cycle_s;
    let started = d.advance_to(Seconds(end));
    for o in &started {
        schedule_drops(o, options, &mut attempts, &mut pending);
    }
    finish_row(&mut row, &d, &started, &pending, end - cycle_s, end);
    sim.cycles.push(row);
    pending.sort_by(|a, b| a.0.total_cmp(&b.0));
    for (at, event) in pending.drain(..) {
        note_event(&event, at, &mut fates);
        d.report(Seconds(at), event)?;
    }
    sim.welfare.extend(welfare(options.days, &d, &left_early));
    sim.days = (1..=options.days).map(|day| summary(day, &d, &fates, &sim, &demand, cycle_s)).collect();
    Ok(sim)
}

/// A tricycle lane whose closing keeps every open station in the tricycles' reach: the
/// lane a PCR test round would block without cutting the area off. The longest such lane.
fn closable_lane(area: &Area, stations: &[usize]) -> Option<String> {
    let mut candidates: Vec<usize> = (0..area.lanes.len()).filter(|l| area.lanes[*l].tricycle).collect();
    candidates.sort_by(|a, b| area.lanes[*b].length.get().total_cmp(&area.lanes[*a].length.get()).then(a.cmp(b)));
    candidates.into_iter().take(20).find_map(|l| {
        let m = area.matrices_without(&[l]);
        let all = stations.iter().all(|s| m.tricycle_distance.get(0, m.site_depot(*s)).is_some());
        all.then(|| area.lanes[l].id.clone())
    })
}

/// Queues the hand-overs of an outing that started: delivered, or (by a seeded draw per
/// order and attempt) not answered.
fn schedule_drops(
    outing: &OutingRecord,
    options: &Options,
    attempts: &mut BTreeMap<String, u32>,
    pending: &mut Vec<(f64, Event)>,
) {
    for drop in &outing.drops {
        let attempt = attempts.entry(drop.order.clone()).or_insert(0);
        *attempt += 1;
        let failed = unit_draw(options.seed, &drop.order, *attempt) < options.disturbances.door_failure;
        let event = if failed {
            Event::DeliveryFailed { order: drop.order.clone(), bags: drop.bags.clone(), reason: Failure::NobodyHome }
        } else {
            Event::Delivered { order: drop.order.clone(), bags: drop.bags.clone() }
        };
        pending.push((drop.at_s, event));
    }
}

/// A uniform draw in [0, 1) from (seed, order, attempt): the same doors fail whatever the
/// plan, so that policies meet the same day.
fn unit_draw(seed: u64, order: &str, attempt: u32) -> f64 {
    let mut z = lastmetre_model::seed::stream(seed, u64::from(attempt));
    // FNV-1a's prime folds the id in; the finaliser spreads it.
    for b in order.bytes() {
        z = (z ^ u64::from(b)).wrapping_mul(0x0100_0000_01B3);
    }
    (lastmetre_model::seed::scramble(z) >> 11) as f64 / (1u64 << 53) as f64
}

fn note_event(event: &Event, at: f64, fates: &mut BTreeMap<String, Fate>) {
    let (order, done) = match event {
        Event::Delivered { order, .. } => (order, true),
        Event::DeliveryFailed { order, .. } => (order, false),
        _ => return,
    };
    if let Some(f) = fates.get_mut(order) {
        f.first_attempt.get_or_insert(at);
        if done {
            f.delivered = Some(f.delivered.map_or(at, |t: f64| t.max(at)));
        }
    }
}

/// Fills in what started in the cycle [from, to).
fn finish_row(
    row: &mut CycleRow,
    d: &Dispatcher,
    started: &[OutingRecord],
    pending: &[(f64, Event)],
    from: f64,
    to: f64,
) {
    let (trips, _) = d.committed();
    let trips = trips.iter().filter(|t| t.start_s >= from && t.start_s < to);
    row.tricycle_trips = trips.count();
    row.porter_outings = started.len();
    row.stair_climbs = started.iter().map(|o| o.climbs).sum();
    // Rounded for the CSV (a tenth of a kJ is well below the model's accuracy).
    let tenth = |x: f64| (x * 10.0).round() / 10.0 + 0.0;
    row.porter_kj = tenth(started.iter().map(|o| o.energy_kj).sum());
    row.max_porter_kj = tenth(d.porters().iter().map(|p| p.energy_kj).fold(0.0, f64::max));
    let in_window = pending.iter().filter(|e| e.0 >= from && e.0 < to);
    row.delivered = in_window.clone().filter(|e| matches!(e.1, Event::Delivered { .. })).count();
    row.failed = in_window.filter(|e| matches!(e.1, Event::DeliveryFailed { .. })).count();
}

fn welfare(day: u32, d: &Dispatcher, left_early: &[bool]) -> Vec<Welfare> {
    let limits = d.fleet().porters.clone();
    d.porters()
        .iter()
        .enumerate()
        .map(|(i, p)| Welfare {
            day,
            porter: i + 1,
            vertical_m: p.vertical_m,
            energy_kj: p.energy_kj,
            kg: p.kg,
            outings: p.outings,
            stair_climbs: p.stair_climbs,
            walk_km: p.walk_km,
            full_day: !left_early.get(i).copied().unwrap_or(false),
            over_limit: p.energy_kj > limits.shift_energy.get() + 1e-6
                || p.vertical_m > limits.shift_climb.get() + 1e-6,
        })
        .collect()
}

fn summary(
    day: u32,
    d: &Dispatcher,
    fates: &BTreeMap<String, Fate>,
    sim: &Simulation,
    demand: &[&Order],
    cycle_s: f64,
) -> DaySummary {
    let mine = || fates.values().filter(|f| f.day == day);
    let medicine = || mine().filter(|f| f.priority == Priority::Medicine);
    let within = |f: &Fate, cycles: f64| f.delivered.is_some_and(|t| t < f.arrival + cycles * cycle_s);
    let rows = || sim.cycles.iter().filter(|r| r.day == day);
    let porters: Vec<&Welfare> = sim.welfare.iter().filter(|w| w.day == day).collect();
    let full: Vec<f64> = porters.iter().filter(|w| w.full_day).map(|w| w.energy_kj).collect();
    let most = full.iter().copied().fold(0.0, f64::max);
    let least = full.iter().copied().fold(f64::INFINITY, f64::min);
    let (trips, _) = d.committed();
    let day_start = f64::from(day - 1) * DAY_S;
    let trips: Vec<_> = trips.iter().filter(|t| t.start_s >= day_start && t.start_s < day_start + DAY_S).collect();
    let orders = mine().count();
    let arrived: Vec<Order> =
        demand.iter().filter(|o| fates.get(&o.id).is_some_and(|f| f.day == day)).map(|o| (*o).clone()).collect();
    let two = mine().filter(|f| within(f, 2.0)).count();
    DaySummary {
        day,
        orders,
        delivered: mine().filter(|f| f.delivered.is_some()).count(),
        medicine: medicine().count(),
        medicine_in_cycle: medicine().filter(|f| within(f, 1.0)).count(),
        medicine_attempted_in_cycle: medicine()
            .filter(|f| f.first_attempt.is_some_and(|t| t < f.arrival + cycle_s))
            .count(),
        within_two_cycles: two,
        within_two_cycles_share: if orders == 0 { 1.0 } else { two as f64 / orders as f64 },
        failed_deliveries: rows().map(|r| r.failed).sum(),
        tricycle_trips: trips.len(),
        porter_outings: rows().map(|r| r.porter_outings).sum(),
        stair_climbs: rows().map(|r| r.stair_climbs).sum(),
        climb_floor: climb_floor(d.area(), d.fleet(), &arrived, cycle_s, true),
        climb_floor_without_holding: climb_floor(d.area(), d.fleet(), &arrived, cycle_s, false),
        porter_energy_kj: porters.iter().map(|w| w.energy_kj).sum(),
        max_porter_energy_kj: porters.iter().map(|w| w.energy_kj).fold(0.0, f64::max),
        max_porter_vertical_m: porters.iter().map(|w| w.vertical_m).fold(0.0, f64::max),
        porter_walk_km: porters.iter().map(|w| w.walk_km).sum(),
        porters_over_limit: porters.iter().filter(|w| w.over_limit).count(),
        energy_spread: if most > 0.0 { (most - least) / most } else { 0.0 },
        backlog_at_end: mine().filter(|f| f.delivered.is_none()).count(),
        warned_cycles: rows().filter(|r| r.at_risk > 0 || r.call_porters > 0).count(),
        first_warning: rows().find(|r| r.at_risk > 0 || r.call_porters > 0).map(|r| r.start.clone()),
        most_porters_called: rows().map(|r| r.call_porters).max().unwrap_or(0),
        reserve_porters_called: rows().map(|r| r.porters_called).sum(),
        late_orders: mine()
            .filter(|f| !within(f, 2.0))
            .map(|f| (f.id.clone(), f.delivered.map(|t| ((t - f.arrival) / cycle_s * 10.0).round() / 10.0)))
            .collect(),
    }
}

/// HH:MM of a time (days wrap).
pub fn clock(seconds: f64) -> String {
    let m = (seconds.rem_euclid(DAY_S) / 60.0).round() as u64;
    format!("{:02}:{:02}", m / 60, m % 60)
}
