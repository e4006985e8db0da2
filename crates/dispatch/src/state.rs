//! The dispatcher's state and the re-planning step.

use crate::foresight::{Catchment, Foresight, Outlook, catchments, hold};
use crate::promise::{self, PromiseWarning, RushWarning};
use crate::records::{self, JobMap, OutingRecord, TripRecord};
use crate::{DispatchError, Event, OrderStatus, Policy, Settings, TripRef};
use lastmetre_area::{Area, Code, Problem, TravelMatrices};
use lastmetre_model::{
    Announced, Fleet, FleetState, Instance, Order, Plan, PorterState, Seconds, StationSetting, Stock,
};
use lastmetre_solver::{Budget, WarmOuting};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// Where one bag is.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
enum Bag {
    /// At the gate.
    Gate,
    /// At a station from `ready_s` (on a departed trip until then).
    Station { station: String, ready_s: f64 },
    /// With a porter on a started outing.
    Out { porter: usize, station: String },
    /// Handed over.
    Delivered { at_s: f64 },
}

/// An order and where its bags are.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Tracked {
    order: Order,
    bags: Vec<Bag>,
    cancelled: bool,
    /// Cycles it has been planned and not yet gone out.
    waited: u32,
    /// Porter and station the latest plan gave it to.
    announced: Option<(usize, String)>,
    /// Some plan has given it to a porter (its delivery may be reported from then on).
    planned: bool,
    /// Start of the first cycle whose plan saw it: its promise runs from there.
    arrived_s: Option<f64>,
}

/// One porter's day so far: what the shift has cost them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PorterDay {
    /// Takes outings.
    pub on_duty: bool,
    /// Outings started.
    pub outings: usize,
    /// Stair climbs.
    pub stair_climbs: usize,
    /// Vertical metres climbed.
    pub vertical_m: f64,
    /// Net energy, kJ.
    pub energy_kj: f64,
    /// Kilograms carried.
    pub kg: f64,
    /// Level walking, km.
    pub walk_km: f64,
    /// Free again at (end of the latest started outing).
    pub free_s: f64,
    /// Station where the porter is or will be.
    pub station: String,
    /// Went off duty at, when off duty.
    pub off_since: Option<f64>,
    /// Reported on duty outside every shift: on call for medicine until the next shift.
    #[serde(default)]
    pub on_call: bool,
}

/// The plan for one cycle, with the work it had to respect.
#[derive(Clone, Debug)]
pub struct CyclePlan {
    /// Cycle number, from 0.
    pub cycle: u32,
    /// Start of the cycle.
    pub now: Seconds,
    /// What was planned: the pending work and the fleet as the cycle found it.
    pub instance: Instance,
    /// The plan; times from `now`. Check it against `instance`.
    pub plan: Plan,
    /// The plan's trips in absolute time, with the ids events use.
    pub trips: Vec<TripRecord>,
    /// The plan's outings in absolute time.
    pub outings: Vec<OutingRecord>,
    /// Trips frozen at `now`: departed or loading, not yet back.
    pub frozen_trips: Vec<TripRecord>,
    /// Outings frozen at `now`: started, not yet back.
    pub frozen_outings: Vec<OutingRecord>,
    /// What the dispatcher did on its own (a closed station's goods sent back, a station out
    /// of the tricycles' reach this cycle, …).
    pub notes: Vec<String>,
    /// Promises this plan will not keep, with what would keep them; none when it keeps all.
    pub warning: Option<PromiseWarning>,
    /// More orders expected next cycle than the porters on duty can carry in it.
    pub rush: Option<RushWarning>,
}

/// The latest plan's trips and outings, in absolute time.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct LatestPlan {
    trips: Vec<TripRecord>,
    outings: Vec<OutingRecord>,
}

/// One job of a re-plan's batch: a tracked order, or the part of it whose bags wait at the
/// gate or at one station.
struct PendingJob {
    order: Order,
    /// The tracked order's id and the bags (its indices) this job carries.
    source: (String, Vec<usize>),
    stocked: Option<Stock>,
    waited: u32,
    announced: Option<(usize, String)>,
}

/// Checks new orders as [`Dispatcher::add_orders`] does; see [`Dispatcher::order_check`].
#[derive(Clone)]
pub struct OrderCheck {
    area: Arc<Area>,
    matrices: Arc<TravelMatrices>,
    fleet: Fleet,
}

impl OrderCheck {
    /// Every problem of the batch (ids unique within it; `known` says which ids are taken
    /// already, `placed` how many orders the order's household has placed on the order's
    /// day), or none.
    pub fn check(
        &self,
        orders: &[Order],
        known: &dyn Fn(&str) -> bool,
        placed: &dyn Fn(&Order) -> usize,
    ) -> Vec<Problem> {
        check_orders(&self.area, &self.matrices, &self.fleet, orders, known, placed)
    }
}

fn check_orders(
    area: &Area,
    matrices: &TravelMatrices,
    fleet: &Fleet,
    orders: &[Order],
    known: &dyn Fn(&str) -> bool,
    placed: &dyn Fn(&Order) -> usize,
) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    let mut in_batch: BTreeMap<(i64, &str), usize> = BTreeMap::new();
    let mut over: BTreeSet<(i64, &str)> = BTreeSet::new();
    let most = fleet.orders.per_household;
    problems.extend(lastmetre_area::check_order_ids(orders));
    for (n, o) in orders.iter().enumerate() {
        let key = (day_of(o), o.household.as_str());
        let count = in_batch.entry(key).or_default();
        *count += 1;
        if placed(o).saturating_add(*count) > most && over.insert(key) {
            problems.push(Problem::new(
                Code::TooManyOrders,
                Some(&o.id),
                format!(
                    "household '{}' would have more than {most} orders on one day (orders.per_household)",
                    o.household
                ),
            ));
        }
        if o.id.contains(" (part ") {
            problems.push(Problem::new(
                Code::MalformedOrder,
                Some(&o.id),
                format!("order id '{}' contains \" (part \", which the dispatcher reserves for split orders", o.id),
            ));
        }
        if let Some(first) = seen.get(o.id.as_str()) {
            problems.push(Problem::new(
                Code::DuplicateOrder,
                Some(&o.id),
                format!("order id '{}' appears twice in this batch (/orders/{first} and /orders/{n})", o.id),
            ));
        } else if known(&o.id) {
            problems.push(Problem::new(
                Code::DuplicateOrder,
                Some(&o.id),
                format!("order '{}' is already known to the dispatcher", o.id),
            ));
        }
        seen.entry(o.id.as_str()).or_insert(n);
    }
    if let Err(more) = lastmetre_area::instance(area, matrices, orders, fleet, "new orders") {
        problems.extend(more.into_iter().filter(|p| p.code != Code::NotTricycleReachable));
    }
    problems
}

/// A day, seconds: shifts repeat every day.
const DAY_S: f64 = 86_400.0;

/// Outings that tell how long an order takes a porter (about two busy cycles' worth).
const RECENT_OUTINGS: usize = 100;

/// The rolling planner's state. See the crate docs. Cloning it forks the state (what-if
/// analyses, benchmarks).
#[derive(Clone)]
pub struct Dispatcher {
    area: Area,
    matrices: TravelMatrices,
    fleet: Fleet,
    settings: Settings,
    /// Each area stairwell's households that could join an order held there.
    catchments: Vec<Catchment>,
    /// What orders, events and plans have changed: all a checkpoint keeps.
    live: Progress,
}

/// The part of the dispatcher's state that orders, events and plans change; the rest follows
/// from the area, the fleet and the settings. A checkpoint is this, serialized.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Progress {
    /// Open station ids, in the fleet's order.
    stations: Vec<String>,
    orders: BTreeMap<String, Tracked>,
    /// Order ids in arrival order.
    arrival: Vec<String>,
    porters: Vec<PorterDay>,
    tricycles_free_s: Vec<f64>,
    closed_lanes: BTreeSet<usize>,
    departed: BTreeSet<TripRef>,
    /// All frozen trips and outings so far.
    committed_trips: Vec<TripRecord>,
    committed_outings: Vec<OutingRecord>,
    /// The latest plan, until the next re-plan freezes what of it is under way.
    latest: Option<LatestPlan>,
    /// The latest plan's outings, for the next warm start.
    announced: Vec<OutingRecord>,
    /// Orders each household has placed, by day of `placed_at` (`orders.per_household`).
    placed: BTreeMap<(i64, String), usize>,
    /// Start of the latest cycle planned.
    planned_at: f64,
    cycle: u32,
    /// Arrivals and door answers seen, for holding orders with foresight.
    foresight: Foresight,
    /// Start of the shift the porters' budgets belong to; none before the first plan or event.
    shift_start: Option<f64>,
}

/// What a checkpoint says it is: a checkpoint of another format is not read. `Progress` is
/// stored by position: any change of its fields needs a new number.
const CHECKPOINT_FORMAT: u32 = 2;

/// The day an order was placed on, from 0: a household's orders are limited per day.
fn day_of(order: &Order) -> i64 {
    (order.placed_at.get() / DAY_S).floor() as i64
}

impl Dispatcher {
    /// A dispatcher for `area` and `fleet`; stations are the fleet's, or the area's open
    /// sites. Fails when the fleet names stations the area lacks.
    pub fn new(area: Area, fleet: Fleet, settings: Settings) -> Result<Self, DispatchError> {
        let mut problems = lastmetre_area::check_fleet(&fleet);
        let matrices = area.matrices();
        if let Err(more) = lastmetre_area::instance(&area, &matrices, &[], &fleet, "check") {
            problems.extend(more);
        }
        if !problems.is_empty() {
            return Err(DispatchError::Problems(problems));
        }
        let stations: Vec<String> = match &fleet.stations {
            Some(list) => list.iter().map(|s| s.id.clone()).collect(),
            None => area.open_sites().map(|i| area.sites[i].id.clone()).collect(),
        };
        let porters = (0..fleet.porters.count)
            .map(|i| PorterDay { on_duty: true, station: stations[i % stations.len()].clone(), ..PorterDay::default() })
            .collect();
        let tricycles_free_s = vec![0.0; fleet.tricycles.count];
        let catchments = catchments(&area, &matrices);
        let live = Progress {
            stations,
            orders: BTreeMap::new(),
            arrival: Vec::new(),
            porters,
            tricycles_free_s,
            closed_lanes: BTreeSet::new(),
            departed: BTreeSet::new(),
            committed_trips: Vec::new(),
            committed_outings: Vec::new(),
            latest: None,
            announced: Vec::new(),
            placed: BTreeMap::new(),
            planned_at: f64::NEG_INFINITY,
            cycle: 0,
            foresight: Foresight::default(),
            shift_start: None,
        };
        Ok(Self { area, matrices, fleet, settings, catchments, live })
    }

    /// The dispatcher's state as bytes (MessagePack: every number exactly as it was), for a
    /// service's checkpoints. [`Dispatcher::resume`] reads it back.
    pub fn checkpoint(&self) -> Vec<u8> {
        // Serializing plain data into a Vec cannot fail.
        rmp_serde::to_vec(&(CHECKPOINT_FORMAT, &self.live)).unwrap_or_default()
    }

    /// A dispatcher for `area`, `fleet` and `settings` in the state a
    /// [`Dispatcher::checkpoint`] of one made with the same three recorded. It plans as that
    /// one would have: the same plans from the same orders and events.
    pub fn resume(area: Area, fleet: Fleet, settings: Settings, checkpoint: &[u8]) -> Result<Self, DispatchError> {
        let mut d = Self::new(area, fleet, settings)?;
        let (format, live): (u32, Progress) =
            rmp_serde::from_slice(checkpoint).map_err(|e| DispatchError::BadCheckpoint(e.to_string()))?;
        if format != CHECKPOINT_FORMAT {
            return Err(DispatchError::BadCheckpoint(format!(
                "checkpoint format {format}, this lastmetre reads {CHECKPOINT_FORMAT}"
            )));
        }
        if live.porters.len() != d.live.porters.len() || live.tricycles_free_s.len() != d.live.tricycles_free_s.len() {
            return Err(DispatchError::BadCheckpoint("it was made with another fleet".into()));
        }
        d.live = live;
        if !d.live.closed_lanes.is_empty() {
            d.refresh_matrices();
        }
        Ok(d)
    }

    /// The area.
    pub fn area(&self) -> &Area {
        &self.area
    }

    /// The fleet.
    pub fn fleet(&self) -> &Fleet {
        &self.fleet
    }

    /// Adds orders. All are checked first (household, bags, pinned station, ids unique
    /// among all orders so far); on any problem none is added.
    pub fn add_orders(&mut self, orders: &[Order]) -> Result<(), DispatchError> {
        let fleet = self.all_stations_fleet();
        let placed = |o: &Order| self.live.placed.get(&(day_of(o), o.household.clone())).copied().unwrap_or(0);
        let problems =
            check_orders(&self.area, &self.matrices, &fleet, orders, &|id| self.live.orders.contains_key(id), &placed);
        if !problems.is_empty() {
            return Err(DispatchError::Problems(problems));
        }
        for o in orders {
            let tracked = Tracked {
                order: o.clone(),
                bags: vec![Bag::Gate; o.bags.len()],
                cancelled: false,
                waited: 0,
                announced: None,
                planned: false,
                arrived_s: None,
            };
            self.live.arrival.push(o.id.clone());
            self.live.foresight.record_order(o.placed_at.get());
            self.live.orders.insert(o.id.clone(), tracked);
            *self.live.placed.entry((day_of(o), o.household.clone())).or_default() += 1;
        }
        Ok(())
    }

    /// The ids of the lanes closed now, in the area's order.
    pub fn closed_lanes(&self) -> Vec<String> {
        self.live.closed_lanes.iter().filter_map(|i| self.area.lanes.get(*i)).map(|l| l.id.clone()).collect()
    }

    /// The checks of [`Dispatcher::add_orders`] as a value that does not borrow the
    /// dispatcher: a service acknowledges orders with it while a re-plan holds the
    /// dispatcher. It sees the area as it is now (lanes closed later do not change it).
    pub fn order_check(&self) -> OrderCheck {
        OrderCheck {
            area: Arc::new(self.area.clone()),
            matrices: Arc::new(self.matrices.clone()),
            fleet: self.all_stations_fleet(),
        }
    }

    /// Cancels an order that has not gone out with a porter.
    pub fn cancel(&mut self, order: &str) -> Result<(), DispatchError> {
        let t = self.live.orders.get_mut(order).ok_or_else(|| DispatchError::UnknownOrder(order.to_owned()))?;
        if t.bags.iter().any(|b| *b != Bag::Gate) {
            return Err(DispatchError::TooLateToCancel(order.to_owned()));
        }
        t.cancelled = true;
        Ok(())
    }

    /// Where an order stands.
    pub fn status(&self, order: &str) -> Option<OrderStatus> {
        let t = self.live.orders.get(order)?;
        if t.cancelled {
            return Some(OrderStatus::Cancelled);
        }
        if let Some(Bag::Out { porter, .. }) = t.bags.iter().find(|b| matches!(b, Bag::Out { .. })) {
            return Some(OrderStatus::OutForDelivery { porter: *porter });
        }
        if let Some(Bag::Station { station, .. }) = t.bags.iter().find(|b| matches!(b, Bag::Station { .. })) {
            return Some(OrderStatus::AtStation { station: station.clone() });
        }
        if t.bags.contains(&Bag::Gate) {
            return Some(OrderStatus::Waiting);
        }
        let at_s = t.bags.iter().map(|b| if let Bag::Delivered { at_s } = b { *at_s } else { 0.0 }).fold(0.0, f64::max);
        Some(OrderStatus::Delivered { at_s })
    }

    /// Takes the orders finished before `before` (every bag handed over before it, or
    /// cancelled and placed before it) out of the state, with the trips and outings that
    /// ended before it (the latest outings that tell an order's porter time stay), and
    /// returns each order's final status. A service calls it at a new day with the day's
    /// start, so that weeks of past days do not weigh on every plan and checkpoint; what
    /// it returns is the record of them. Plans that follow are those of a dispatcher that
    /// never held them.
    pub fn retire(&mut self, before: Seconds) -> Vec<(String, OrderStatus)> {
        let before = before.get();
        let finished = |t: &Tracked| {
            if t.cancelled {
                return t.order.placed_at.get() < before && t.bags.iter().all(|b| *b == Bag::Gate);
            }
            !t.bags.is_empty() && t.bags.iter().all(|b| matches!(b, Bag::Delivered { at_s } if *at_s < before))
        };
        // An order the latest plan names stays until that plan is frozen: its outing may be
        // under way with it.
        let named: BTreeSet<&str> = self
            .live
            .latest
            .iter()
            .flat_map(|l| {
                let trips =
                    l.trips.iter().flat_map(|t| t.stops.iter().flat_map(|s| s.bags.iter().map(|b| b.0.as_str())));
                trips.chain(l.outings.iter().flat_map(|o| o.drops.iter().map(|d| d.order.as_str())))
            })
            .collect();
        let gone: Vec<String> = self
            .live
            .orders
            .iter()
            .filter(|(id, t)| finished(t) && !named.contains(id.as_str()))
            .map(|(id, _)| id.clone())
            .collect();
        let today = (before / DAY_S).floor() as i64;
        self.live.placed.retain(|(day, _), _| *day >= today - 1);
        if gone.is_empty() {
            return Vec::new();
        }
        let statuses: Vec<(String, OrderStatus)> =
            gone.iter().filter_map(|id| self.status(id).map(|s| (id.clone(), s))).collect();
        for id in &gone {
            self.live.orders.remove(id);
        }
        let held = &self.live.orders;
        self.live.arrival.retain(|id| held.contains_key(id));
        // Records stay a cycle longer: a late report may still name them.
        let before = before - self.settings.cycle_s;
        self.live.committed_trips.retain(|t| t.end_s >= before);
        let keep_from = self.live.committed_outings.len().saturating_sub(RECENT_OUTINGS);
        let mut k = 0;
        self.live.committed_outings.retain(|o| {
            k += 1;
            k > keep_from || o.end_s >= before
        });
        let trips: BTreeSet<TripRef> = self
            .live
            .committed_trips
            .iter()
            .chain(self.live.latest.iter().flat_map(|l| l.trips.iter()))
            .map(|t| t.id)
            .collect();
        self.live.departed.retain(|t| trips.contains(t));
        statuses
    }

    /// Orders neither delivered nor cancelled.
    pub fn backlog(&self) -> usize {
        self.live
            .orders
            .values()
            .filter(|t| !t.cancelled && !t.bags.iter().all(|b| matches!(b, Bag::Delivered { .. })))
            .count()
    }

    /// The porters' day so far.
    pub fn porters(&self) -> &[PorterDay] {
        &self.live.porters
    }

    /// Trips and outings frozen so far, in absolute time: what was executed.
    pub fn committed(&self) -> (&[TripRecord], &[OutingRecord]) {
        (&self.live.committed_trips, &self.live.committed_outings)
    }

    /// Starts a new shift if one of the fleet's shifts has started by `at` since the latest
    /// one: every porter on duty and rested. Reports and plans call it, so that budgets reset
    /// when a shift starts; call it first to read the day that ended (a simulation does).
    /// True when a shift started.
    pub fn begin_shift(&mut self, at: Seconds) -> bool {
        let Some(start) = self.latest_shift_start(at.get()) else { return false };
        match self.live.shift_start {
            Some(current) if current >= start => false,
            Some(_) => {
                self.new_shift();
                self.live.shift_start = Some(start);
                true
            }
            // The first shift of the dispatcher: its porters are rested already.
            None => {
                self.live.shift_start = Some(start);
                false
            }
        }
    }

    /// True when `at` lies in one of the fleet's shifts.
    pub fn on_shift(&self, at: Seconds) -> bool {
        let at = at.get();
        self.shift_starts(at).any(|(start, end)| start <= at && at < end)
    }

    /// The fleet's shifts that start on the day of `at` or the day before: (start, end).
    fn shift_starts(&self, at: f64) -> impl Iterator<Item = (f64, f64)> + '_ {
        let day = (at / DAY_S).floor() * DAY_S;
        [day - DAY_S, day].into_iter().flat_map(move |d| {
            self.fleet.porters.shifts.iter().map(move |s| (d + s.start_h * 3600.0, d + s.end_h * 3600.0))
        })
    }

    fn latest_shift_start(&self, at: f64) -> Option<f64> {
        self.shift_starts(at).map(|(start, _)| start).filter(|s| *s <= at).max_by(f64::total_cmp)
    }

    /// Starts a new shift: every porter on duty and rested, where they stand.
    pub fn new_shift(&mut self) {
        for p in &mut self.live.porters {
            *p = PorterDay { on_duty: true, station: p.station.clone(), free_s: p.free_s, ..PorterDay::default() };
        }
    }

    /// Takes in what the field reports, as of time `at`.
    pub fn report(&mut self, at: Seconds, event: Event) -> Result<(), DispatchError> {
        let at = at.get();
        // Reports come late (a porter reports a hand-over after the next re-plan), but not by
        // more than a cycle: anything older is a wrong clock or a wrong date.
        let earliest = self.live.planned_at - self.settings.cycle_s;
        if at < earliest {
            return Err(DispatchError::EventTooOld(at, earliest));
        }
        self.begin_shift(Seconds(at));
        match event {
            Event::TripDeparted { trip } => {
                let latest = self.live.latest.as_ref().and_then(|l| l.trips.iter().position(|t| t.id == trip));
                if let Some(k) = latest {
                    // Frozen now: its bags are on the way, and its unloading can be reported.
                    let record = self.live.latest.as_mut().map(|l| l.trips.remove(k));
                    record.into_iter().for_each(|t| self.commit_trip(t));
                } else if !self.live.committed_trips.iter().any(|t| t.id == trip) {
                    return Err(DispatchError::UnknownTrip(trip));
                }
                self.live.departed.insert(trip);
            }
            Event::BagsUnloaded { trip, station } => {
                let Some(record) = self.live.committed_trips.iter().find(|t| t.id == trip).cloned() else {
                    let planned = self.live.latest.as_ref().is_some_and(|l| l.trips.iter().any(|t| t.id == trip));
                    return Err(if planned {
                        DispatchError::NotDeparted(trip)
                    } else {
                        DispatchError::UnknownTrip(trip)
                    });
                };
                for stop in record.stops.iter().filter(|s| s.station == station) {
                    for (order, bag) in &stop.bags {
                        if let Some(Bag::Station { ready_s, .. }) =
                            self.live.orders.get_mut(order).and_then(|t| t.bags.get_mut(*bag))
                        {
                            *ready_s = ready_s.min(at);
                        }
                    }
                }
            }
            Event::Delivered { order, bags } => {
                let t = self.live.orders.get_mut(&order).ok_or_else(|| DispatchError::UnknownOrder(order.clone()))?;
                let named = handed_over(t, &order, &bags)?;
                if named.is_empty() || named.iter().all(|b| matches!(t.bags[*b], Bag::Delivered { .. })) {
                    return Err(DispatchError::AlreadyDelivered(order));
                }
                self.live.foresight.record_handover(false);
                // Bags reported before keep their time.
                for b in named {
                    if !matches!(t.bags[b], Bag::Delivered { .. }) {
                        t.bags[b] = Bag::Delivered { at_s: at };
                    }
                }
            }
            Event::DeliveryFailed { order, bags, .. } => {
                let t = self.live.orders.get_mut(&order).ok_or_else(|| DispatchError::UnknownOrder(order.clone()))?;
                let named = handed_over(t, &order, &bags)?;
                self.live.foresight.record_handover(true);
                for b in named {
                    if let Bag::Out { station, .. } = &t.bags[b] {
                        // The porter brings the bags back; they wait at the station.
                        t.bags[b] = Bag::Station { station: station.clone(), ready_s: at };
                    }
                }
            }
            Event::PorterOffDuty { porter } | Event::PorterOnDuty { porter } if porter >= self.live.porters.len() => {
                return Err(DispatchError::UnknownPorter(porter, self.live.porters.len()));
            }
            Event::PorterOffDuty { porter } => {
                self.live.porters[porter].on_duty = false;
                self.live.porters[porter].on_call = false;
                self.live.porters[porter].off_since = Some(at);
            }
            Event::PorterOnDuty { porter } => {
                let on_call = !self.on_shift(Seconds(at));
                let p = &mut self.live.porters[porter];
                p.on_duty = true;
                p.on_call = on_call;
                p.off_since = None;
            }
            Event::LaneClosed { lane } | Event::LaneReopened { lane }
                if !self.area.lanes.iter().any(|l| l.id == lane) =>
            {
                return Err(DispatchError::UnknownFeature("lane", lane));
            }
            Event::LaneClosed { lane } => {
                let i = self.area.lanes.iter().position(|l| l.id == lane).unwrap_or_default();
                self.live.closed_lanes.insert(i);
                self.refresh_matrices();
            }
            Event::LaneReopened { lane } => {
                let i = self.area.lanes.iter().position(|l| l.id == lane).unwrap_or_default();
                self.live.closed_lanes.remove(&i);
                self.refresh_matrices();
            }
            Event::StationClosed { station } => {
                if !self.live.stations.contains(&station) {
                    let known = self.area.sites.iter().any(|s| s.id == station);
                    return Err(if known {
                        DispatchError::StationAlreadyClosed(station)
                    } else {
                        DispatchError::UnknownFeature("station", station)
                    });
                }
                self.live.stations.retain(|s| *s != station);
                // Goods waiting there go back to the gate, to be brought to another station.
                for t in self.live.orders.values_mut() {
                    for b in &mut t.bags {
                        if matches!(b, Bag::Station { station: s, .. } if *s == station) {
                            *b = Bag::Gate;
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// Freezes a trip that has left: its bags are at their stations from their `ready_s`.
    fn commit_trip(&mut self, trip: TripRecord) {
        for stop in &trip.stops {
            for (order, bag) in &stop.bags {
                let live = self.live.orders.get_mut(order).filter(|t| !t.cancelled);
                if let Some(b) = live.and_then(|t| t.bags.get_mut(*bag))
                    && *b == Bag::Gate
                {
                    *b = Bag::Station { station: stop.station.clone(), ready_s: stop.ready_s };
                }
            }
        }
        let t = &mut self.live.tricycles_free_s[trip.tricycle];
        *t = t.max(trip.end_s);
        self.live.committed_trips.push(trip);
    }

    /// The open station (index into `open`) a porter at site `from` walks to most quickly.
    fn nearest_open(&self, from: &str, open: &[String]) -> usize {
        let site = |id: &str| self.area.sites.iter().position(|s| s.id == id);
        let walk = |s: &String| {
            site(from)
                .zip(site(s))
                .and_then(|(a, b)| self.matrices.walk_site_to_site.get(a, b))
                .map_or(f64::INFINITY, |m| m.get())
        };
        (0..open.len()).min_by(|a, b| walk(&open[*a]).total_cmp(&walk(&open[*b]))).unwrap_or(0)
    }

    fn refresh_matrices(&mut self) {
        let closed: Vec<usize> = self.live.closed_lanes.iter().copied().collect();
        self.matrices = self.area.matrices_without(&closed);
    }

    /// The fleet with every open station, for checking orders.
    fn all_stations_fleet(&self) -> Fleet {
        let mut fleet = self.fleet.clone();
        let storage = |id: &str| match &self.fleet.stations {
            Some(list) => list.iter().find(|s| s.id == id).and_then(|s| s.storage_kg),
            None => self.area.sites.iter().find(|s| s.id == id).and_then(|s| s.capacity),
        };
        fleet.stations = Some(
            self.live.stations.iter().map(|id| StationSetting { id: id.clone(), storage_kg: storage(id) }).collect(),
        );
        fleet
    }

    /// Freezes what the latest plan has under way at `now` and returns the outings that
    /// started since the previous call: a trip whose loading began (or that was reported
    /// departed), an outing whose porter left with every bag at hand. [`Dispatcher::next_plan`]
    /// calls it; call it first to learn what has just started (a simulation does).
    pub fn advance_to(&mut self, now: Seconds) -> Vec<OutingRecord> {
        let now = now.get();
        let Some(LatestPlan { trips, outings }) = self.live.latest.take() else { return Vec::new() };
        self.live.announced = outings.clone();
        let first = self.live.committed_outings.len();
        for trip in trips {
            if trip.start_s < now || self.live.departed.contains(&trip.id) {
                self.commit_trip(trip);
            }
        }
        for outing in outings {
            let porter = &self.live.porters[outing.porter];
            let started = outing.start_s < now && porter.off_since.is_none_or(|off| outing.start_s < off);
            // Every bag must be at the station by now (a trip that did not go leaves its
            // outings unstarted).
            let ready = outing.drops.iter().all(|d| {
                // A cancelled order's bags stayed at the gate; the outing went without them.
                let cancelled = self.live.orders.get(&d.order).is_some_and(|t| t.cancelled);
                cancelled
                    || d.bags.iter().all(|b| {
                        self.live.orders.get(&d.order).and_then(|t| t.bags.get(*b)).is_some_and(|bag| match bag {
                            Bag::Station { station, ready_s } => {
                                *station == outing.station && *ready_s <= outing.start_s + 1e-6
                            }
                            // Reported delivered before this re-plan: the outing did happen.
                            Bag::Delivered { .. } => true,
                            _ => false,
                        })
                    })
            });
            if !started || !ready {
                continue;
            }
            for d in &outing.drops {
                if let Some(t) = self.live.orders.get_mut(&d.order) {
                    for b in &d.bags {
                        if matches!(t.bags[*b], Bag::Station { .. }) {
                            t.bags[*b] = Bag::Out { porter: outing.porter, station: outing.station.clone() };
                        }
                    }
                }
            }
            // An outing that started before the current shift (a report after the shift's start
            // came before this plan) belongs to the shift that ended: it costs the new one nothing.
            let earlier_shift = self.live.shift_start.is_some_and(|s| outing.start_s < s);
            let p = &mut self.live.porters[outing.porter];
            if !earlier_shift {
                p.outings += 1;
                p.stair_climbs += outing.climbs;
                p.vertical_m += outing.vertical_m;
                p.energy_kj += outing.energy_kj;
                p.kg += outing.kg;
                p.walk_km += outing.walk_m / 1000.0;
            }
            p.free_s = p.free_s.max(outing.end_s);
            p.station = outing.station.clone();
            self.live.committed_outings.push(outing);
        }
        self.live.committed_outings[first..].to_vec()
    }

    /// The plan for the cycle starting at `now`. Freezes what is under way, carries over
    /// what is not done, and plans the rest, searching for the settings' iterations.
    pub fn next_plan(&mut self, now: Seconds) -> Result<CyclePlan, DispatchError> {
        self.next_plan_within(now, &Budget::iterations(self.settings.iterations))
    }

    /// [`Dispatcher::next_plan`] with the caller's budget (a time limit, say: the dispatcher
    /// reads no clock).
    pub fn next_plan_within(&mut self, now: Seconds, budget: &Budget) -> Result<CyclePlan, DispatchError> {
        let now = now.get();
        if now < self.live.planned_at {
            return Err(DispatchError::TimeWentBack(now, self.live.planned_at));
        }
        self.live.planned_at = now;
        // What started before `now` belongs to the shift that ends; then the next may start.
        self.advance_to(Seconds(now));
        self.begin_shift(Seconds(now));
        let previous_outings = std::mem::take(&mut self.live.announced);
        let mut notes = Vec::new();
        let fleet = self.cycle_fleet(&mut notes);
        let open: Vec<String> = fleet.stations.iter().flatten().map(|s| s.id.clone()).collect();
        self.return_goods_of_closed_stations();
        let pending = self.pending_jobs(now, &open, &mut notes);
        let batch: Vec<Order> = pending.iter().map(|p| p.order.clone()).collect();
        let map: JobMap = pending.iter().map(|p| p.source.clone()).collect();

        let name = format!("cycle {}", self.live.cycle);
        let mut instance = lastmetre_area::instance(&self.area, &self.matrices, &batch, &fleet, &name)
            .map_err(DispatchError::Problems)?;
        instance.state = self.fleet_state(now, &open);
        let outlook = self.carry_over(&mut instance, &pending, &open, now);

        let warm = warm_start(&previous_outings, &map, &open);
        let seed = lastmetre_model::seed::stream(self.settings.seed, u64::from(self.live.cycle));
        let plan =
            lastmetre_solver::plan_by(self.settings.policy, &instance, budget, seed, self.settings.threads, &warm);
        // Each job's promise, from the cycle its order arrived in, in seconds from now.
        let due: Vec<f64> = instance
            .jobs
            .iter()
            .zip(&map)
            .map(|(job, (id, _))| {
                let arrived = self.live.orders.get(id).and_then(|t| t.arrived_s).unwrap_or(now);
                arrived + f64::from(promise::promise_cycles(job.priority)) * self.settings.cycle_s - now
            })
            .collect();
        self.remember(&plan, &map, &open, now);
        let held = plan.unassigned.iter().filter(|u| u.reason == lastmetre_model::plan::Reason::Held).count();
        self.live.foresight.record_holds(now, held, self.live.foresight.door_failure());

        let warning = promise::warning(&instance, &plan, &map, &due, self.settings.cycle_s);
        let per_drop = self.porter_seconds_per_drop().unwrap_or(outlook.porter_seconds_per_order);
        let rush = promise::rush(&instance, &plan, outlook.expected, per_drop, self.settings.cycle_s);
        let trips = records::trips(self.live.cycle, now, &instance, &plan, &map);
        let outings = records::outings(self.live.cycle, now, &instance, &plan, &map);
        let frozen_trips = self.live.committed_trips.iter().filter(|t| t.end_s > now).cloned().collect();
        let frozen_outings = self.live.committed_outings.iter().filter(|o| o.end_s > now).cloned().collect();
        self.live.latest = Some(LatestPlan { trips: trips.clone(), outings: outings.clone() });
        let cycle = CyclePlan {
            cycle: self.live.cycle,
            now: Seconds(now),
            instance,
            plan,
            trips,
            outings,
            frozen_trips,
            frozen_outings,
            notes,
            warning,
            rush,
        };
        self.live.cycle += 1;
        Ok(cycle)
    }

    /// The fleet for this cycle: every open station that the tricycles can reach from the
    /// gate (closed lanes may cut one off); the others are noted and skipped.
    fn cycle_fleet(&self, notes: &mut Vec<String>) -> Fleet {
        let mut fleet = self.all_stations_fleet();
        let reachable = |id: &str| {
            let site = self.area.sites.iter().position(|s| s.id == id);
            site.is_some_and(|s| self.matrices.tricycle_distance.get(0, self.matrices.site_depot(s)).is_some())
        };
        if let Some(list) = &mut fleet.stations {
            list.retain(|s| {
                let ok = reachable(&s.id);
                if !ok {
                    notes.push(format!("station {} is out of the tricycles' reach (closed lanes); skipped", s.id));
                }
                ok
            });
        }
        fleet
    }

    /// Goods at a station that has closed since (brought back from a door, or on a trip that
    /// left before the close) go back to the gate.
    fn return_goods_of_closed_stations(&mut self) {
        for t in self.live.orders.values_mut() {
            for b in &mut t.bags {
                if matches!(b, Bag::Station { station, .. } if !self.live.stations.contains(station)) {
                    *b = Bag::Gate;
                }
            }
        }
    }

    /// The work still to do, in arrival order: each order's bags at the gate as one job, and
    /// those at each station as another.
    fn pending_jobs(&self, now: f64, open: &[String], notes: &mut Vec<String>) -> Vec<PendingJob> {
        let index = |id: &str| open.iter().position(|s| s == id);
        let mut pending = Vec::new();
        // Between shifts only medicine goes out; the rest waits for the next shift's first
        // cycle, and its promise runs from there.
        let night = !self.on_shift(Seconds(now));
        for id in &self.live.arrival {
            let t = &self.live.orders[id];
            if t.cancelled || (night && t.order.priority != lastmetre_model::Priority::Medicine) {
                continue;
            }
            let mut groups: BTreeMap<Option<&str>, (Vec<usize>, f64)> = BTreeMap::new();
            for (b, bag) in t.bags.iter().enumerate() {
                match bag {
                    Bag::Gate => groups.entry(None).or_default().0.push(b),
                    Bag::Station { station, ready_s } => {
                        let g = groups.entry(Some(station.as_str())).or_default();
                        g.0.push(b);
                        g.1 = g.1.max(*ready_s);
                    }
                    _ => {}
                }
            }
            for (part, (at, (bags, ready_s))) in groups.into_iter().enumerate() {
                let stocked = match at {
                    None => None,
                    Some(station) => match index(station) {
                        Some(s) => Some(Stock { station: s, ready_s: (ready_s - now).max(0.0) }),
                        None => continue, // its station is out of reach this cycle: it waits
                    },
                };
                let mut order = t.order.clone();
                order.bags = bags.iter().map(|b| t.order.bags[*b].clone()).collect();
                if part > 0 {
                    order.id = format!("{} (part {})", t.order.id, part + 1);
                }
                if let Some(stock) = stocked {
                    // Goods at a station leave from there, whatever the order was pinned to.
                    order.station = Some(open[stock.station].clone());
                } else if order.station.as_deref().is_some_and(|s| index(s).is_none()) {
                    notes.push(format!("order {} was pinned to a station that is not open; unpinned", t.order.id));
                    order.station = None;
                }
                pending.push(PendingJob {
                    order,
                    source: (t.order.id.clone(), bags),
                    stocked,
                    waited: t.waited,
                    announced: t.announced.clone(),
                });
            }
        }
        pending
    }

    /// What the instance's jobs carry over from earlier cycles: goods already at a station,
    /// cycles waited, the porter announced; and the hold price of the fresh normal orders
    /// that may wait a cycle (needs the fleet state). Returns the outlook that priced them.
    fn carry_over(&self, instance: &mut Instance, pending: &[PendingJob], open: &[String], now: f64) -> Outlook {
        for (job, p) in instance.jobs.iter_mut().zip(pending) {
            job.stocked = p.stocked;
            job.waited_cycles = p.waited;
            job.announced = p.announced.as_ref().and_then(|(porter, station)| {
                let on_duty = self.live.porters.get(*porter).is_some_and(|p| p.on_duty);
                let s = open.iter().position(|s| s == station);
                s.filter(|_| on_duty).map(|s| Announced { porter: *porter, station: s })
            });
        }
        let outlook = self.outlook(instance, now);
        if !self.settings.consolidate || self.settings.policy != Policy::Lastmetre {
            return outlook;
        }
        let households = self.area.households.len();
        // The promises holds may break today: half of what the on-time share leaves, the rest
        // is for the doors of orders that were not held.
        let allowance = 0.5
            * (1.0 - self.settings.on_time_share)
            * self.live.foresight.expected_day(&self.fleet.demand, households, now);
        if self.live.foresight.risk_taken(now) + outlook.door_failure > allowance {
            return outlook;
        }
        let area_stairwell: BTreeMap<&str, usize> =
            self.area.stairwells.iter().enumerate().map(|(i, w)| (w.id.as_str(), i)).collect();
        for j in 0..instance.jobs.len() {
            let w = &instance.stairwells[instance.jobs[j].stairwell].id;
            let catchment = area_stairwell.get(w.as_str()).and_then(|w| self.catchments.get(*w));
            instance.jobs[j].hold = catchment.and_then(|c| hold(instance, j, c, &outlook));
        }
        outlook
    }

    /// Porter seconds per door in the outings of the last hours: what an order takes, walks,
    /// climbs and waits for goods included. None before any.
    fn porter_seconds_per_drop(&self) -> Option<f64> {
        let recent = self.live.committed_outings.iter().rev().take(RECENT_OUTINGS);
        let (seconds, drops) = recent.fold((0.0, 0), |(s, n), o| (s + o.end_s - o.start_s, n + o.drops.len()));
        (drops > 0).then(|| seconds / drops as f64)
    }

    /// What the next cycle looks like from `now`: the orders expected before the next plan
    /// (they join held orders), doors, the porters' fatigue and time.
    fn outlook(&self, instance: &Instance, now: f64) -> Outlook {
        let cycle = self.settings.cycle_s;
        let households = self.area.households.len();
        let expected = self.live.foresight.expected_orders(&self.fleet.demand, households, now, now, now + cycle);
        Outlook::new(instance, expected, households, self.live.foresight.door_failure(), cycle)
    }

    /// The porters and tricycles as the cycle starting at `now` finds them.
    fn fleet_state(&self, now: f64, open: &[String]) -> FleetState {
        let on_shift = self.on_shift(Seconds(now));
        FleetState {
            porters: self
                .live
                .porters
                .iter()
                .map(|p| PorterState {
                    // Outside every shift only a porter reported on duty since works.
                    on_duty: p.on_duty && (on_shift || p.on_call),
                    free_s: (p.free_s - now).max(0.0),
                    station: open
                        .iter()
                        .position(|s| *s == p.station)
                        .unwrap_or_else(|| self.nearest_open(&p.station, open)),
                    spent_kj: p.energy_kj,
                    climbed_m: p.vertical_m,
                })
                .collect(),
            tricycles_free_s: self.live.tricycles_free_s.iter().map(|t| (t - now).max(0.0)).collect(),
        }
    }

    /// Bookkeeping for the next cycle: every pending order has waited one more cycle, and is
    /// announced to the porter and station this plan gives it.
    fn remember(&mut self, plan: &Plan, map: &JobMap, open: &[String], now: f64) {
        let planned: BTreeMap<&str, (usize, usize)> = plan
            .outings
            .iter()
            .flat_map(|o| {
                o.climbs.iter().flat_map(move |c| c.drops.iter().map(move |d| (d.job, (o.porter, o.station))))
            })
            .map(|(j, who)| (map[j].0.as_str(), who))
            .collect();
        // An order in several parts (bags at the gate and at a station) waited one cycle.
        let ids: BTreeSet<&str> = map.iter().map(|(id, _)| id.as_str()).collect();
        for id in ids {
            if let Some(t) = self.live.orders.get_mut(id) {
                t.waited += 1;
                t.arrived_s.get_or_insert(now);
                t.announced = planned.get(id).map(|(p, s)| (*p, open[*s].clone()));
                t.planned |= t.announced.is_some();
            }
        }
    }
}

/// The previous plan's outings in the new batch's job indices, for the search to start from.
fn warm_start(previous: &[OutingRecord], map: &JobMap, open: &[String]) -> Vec<WarmOuting> {
    let mut jobs_of: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (j, (order, _)) in map.iter().enumerate() {
        jobs_of.entry(order.as_str()).or_default().push(j);
    }
    previous
        .iter()
        .filter_map(|o| {
            let station = open.iter().position(|s| *s == o.station)?;
            let jobs = o.drops.iter().flat_map(|d| jobs_of.get(d.order.as_str()).into_iter().flatten());
            Some(WarmOuting { station, jobs: jobs.copied().collect() })
        })
        .collect()
}

/// The bags a delivery or failure names, once they are known to be the order's and the order
/// has been planned: a plan gave it to a porter, or some of its bags are out or delivered.
fn handed_over(t: &Tracked, order: &str, named: &[usize]) -> Result<Vec<usize>, DispatchError> {
    if let Some(&b) = named.iter().find(|b| **b >= t.bags.len()) {
        return Err(DispatchError::UnknownBag(order.to_owned(), b, t.bags.len().saturating_sub(1)));
    }
    let under_way = t.bags.iter().any(|b| matches!(b, Bag::Out { .. } | Bag::Delivered { .. }));
    if !t.planned && !under_way {
        return Err(DispatchError::NotPlanned(order.to_owned()));
    }
    Ok(chosen(&t.bags, named))
}

/// The bags an event names: the given numbers, or else every bag out with a porter, or else
/// (a hand-over reported before the re-plan that would freeze its outing) every bag not yet
/// delivered.
fn chosen(bags: &[Bag], named: &[usize]) -> Vec<usize> {
    if named.is_empty() {
        let out: Vec<usize> = (0..bags.len()).filter(|b| matches!(bags[*b], Bag::Out { .. })).collect();
        if out.is_empty() {
            (0..bags.len()).filter(|b| !matches!(bags[*b], Bag::Delivered { .. })).collect()
        } else {
            out
        }
    } else {
        named.iter().copied().filter(|b| *b < bags.len()).collect()
    }
}
