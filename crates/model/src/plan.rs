//! A plan: tricycle trips, porter outings, what could not be served, and the metrics.
//!
//! Indices point into the [`Instance`](crate::Instance) the plan was made for. Times are
//! seconds from the start of the cycle.

use crate::Priority;
use serde::{Deserialize, Serialize};

/// One bag of one order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct BagRef {
    /// Job index.
    pub job: usize,
    /// Bag index within the job.
    pub bag: usize,
}

/// A tricycle trip: gate → stations → gate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Trip {
    /// Tricycle index.
    pub tricycle: usize,
    /// Loading starts at the gate.
    pub start_s: f64,
    /// Stops in order.
    pub stops: Vec<TripStop>,
    /// Back at the gate.
    pub end_s: f64,
}

/// A station stop of a trip.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TripStop {
    /// Station index.
    pub station: usize,
    /// Arrival.
    pub arrive_s: f64,
    /// Unloading done: the bags are at the station from here on.
    pub ready_s: f64,
    /// Bags unloaded here.
    pub bags: Vec<BagRef>,
}

/// A porter outing: station → stairwells → station.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Outing {
    /// Porter index.
    pub porter: usize,
    /// Station index.
    pub station: usize,
    /// Leaves the station, bags picked.
    pub start_s: f64,
    /// Stairwells in order, one climb each.
    pub climbs: Vec<Climb>,
    /// Back at the station.
    pub end_s: f64,
    /// Walked from where the porter was to this station first (0 when already there).
    #[serde(default)]
    pub transit_m: f64,
    /// Weight carried out.
    #[serde(default)]
    pub kg: f64,
    /// Vertical metres climbed.
    #[serde(default)]
    pub vertical_m: f64,
    /// Net energy, kJ, the walk to the station included.
    #[serde(default)]
    pub energy_kj: f64,
}

/// One climb of one stairwell: bags dropped floor by floor on the way up.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Climb {
    /// Stairwell index.
    pub stairwell: usize,
    /// At the door.
    pub arrive_s: f64,
    /// Drops, from the lowest floor up.
    pub drops: Vec<Drop>,
    /// Back at the door.
    pub leave_s: f64,
}

/// Bags handed over at one door.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Drop {
    /// Job index (one household's order).
    pub job: usize,
    /// Floor.
    pub floor: u32,
    /// Bags of the job handed over here.
    pub bags: Vec<usize>,
    /// Handed over.
    pub at_s: f64,
}

/// Why an order is not in the plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// No open station reaches the household on foot.
    NoStationReaches,
    /// The porters' shift energy is spent.
    PorterEnergy,
    /// The fleet's limits (outings per porter, porters per station) leave no porter for it.
    FleetLimit,
    /// No porter or no tricycle in the fleet.
    NoFleet,
    /// The station's storage is full.
    StationStorage,
    /// Held for the next cycle, to share a climb with orders yet to come.
    Held,
}

impl Reason {
    /// The reason's code, as files write it; people read `reason-<code>` and what to do,
    /// `action-<code>`, from the message files (crate `lastmetre-text`).
    pub fn code(self) -> &'static str {
        match self {
            Reason::NoStationReaches => "no_station_reaches",
            Reason::PorterEnergy => "porter_energy",
            Reason::FleetLimit => "fleet_limit",
            Reason::NoFleet => "no_fleet",
            Reason::StationStorage => "station_storage",
            Reason::Held => "held",
        }
    }
}

/// An order left out, with why and what to do.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Unassigned {
    /// Job index.
    pub job: usize,
    /// Why.
    pub reason: Reason,
}

/// Per-porter workload.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PorterLoad {
    /// Outings.
    pub outings: usize,
    /// Stair climbs (above the ground floor).
    pub stair_climbs: usize,
    /// Vertical metres climbed.
    pub vertical_m: f64,
    /// Walking kilometres.
    pub walk_km: f64,
    /// Net energy, kJ.
    pub energy_kj: f64,
    /// Back at a station after the last outing.
    pub finish_s: f64,
}

/// The figures by which plans are compared.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    /// Orders in the batch.
    pub orders_total: usize,
    /// Orders in the plan.
    pub orders_delivered: usize,
    /// Orders left out.
    pub orders_unassigned: usize,
    /// Orders delivered by priority: medicine, need, normal.
    pub delivered_by_priority: [usize; 3],
    /// Orders left out by priority: medicine, need, normal.
    pub unassigned_by_priority: [usize; 3],
    /// Tricycle trips.
    pub tricycle_trips: usize,
    /// Tricycle kilometres.
    pub tricycle_km: f64,
    /// Porter outings.
    pub porter_outings: usize,
    /// Stair climbs: stairwell visits that go above the ground floor (a visit that only
    /// hands over on floor 1 climbs no stairs).
    pub stair_climbs: usize,
    /// Stairwell visits, ground-floor-only ones included.
    pub door_visits: usize,
    /// Vertical metres climbed by all porters.
    pub vertical_m: f64,
    /// Net porter energy, kJ, all porters.
    pub porter_energy_kj: f64,
    /// The most any porter spends, kJ.
    pub porter_energy_kj_max: f64,
    /// Porter walking kilometres (level, with or without load).
    pub porter_walk_km: f64,
    /// Last hand-over, seconds from the cycle start.
    pub last_delivery_s: f64,
    /// Last medicine hand-over.
    pub last_medicine_s: f64,
    /// Orders announced to a porter in the previous plan that this plan gives to another
    /// porter or leaves out.
    #[serde(default)]
    pub orders_moved: usize,
    /// Per porter.
    pub porters: Vec<PorterLoad>,
    /// The objective the plan was judged by (lower is better).
    pub objective: f64,
}

/// A complete plan for one cycle.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// Tricycle trips.
    pub trips: Vec<Trip>,
    /// Porter outings.
    pub outings: Vec<Outing>,
    /// Orders left out.
    pub unassigned: Vec<Unassigned>,
    /// Figures, as the planner computed them.
    pub metrics: Metrics,
}

/// Index of a priority in the `[medicine, need, normal]` arrays.
pub fn priority_index(p: Priority) -> usize {
    match p {
        Priority::Medicine => 0,
        Priority::Need => 1,
        Priority::Normal => 2,
    }
}
