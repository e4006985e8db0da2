//! A plan in the dispatcher's terms: absolute times (seconds since midnight of the first day),
//! ids instead of indices, and each order's bags numbered as the order was registered. Frozen
//! work is kept in this form, because the instance a plan indexes is gone next cycle.

use crate::TripRef;
use lastmetre_model::{Instance, Plan};
use serde::{Deserialize, Serialize};

/// A tricycle trip.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TripRecord {
    /// The cycle and index that name it in events.
    pub id: TripRef,
    /// Tricycle index (in JSON its number from 1).
    #[serde(with = "crate::numbered_from_one")]
    pub tricycle: usize,
    /// Loading starts at the gate.
    pub start_s: f64,
    /// Stops in order.
    pub stops: Vec<StopRecord>,
    /// Back at the gate.
    pub end_s: f64,
}

/// A station stop.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StopRecord {
    /// Station id.
    pub station: String,
    /// Arrival.
    pub arrive_s: f64,
    /// Unloaded.
    pub ready_s: f64,
    /// (order id, bag number) unloaded here.
    pub bags: Vec<(String, usize)>,
}

/// A porter outing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OutingRecord {
    /// Cycle of the plan it comes from.
    pub cycle: u32,
    /// Porter index (in JSON its number from 1).
    #[serde(with = "crate::numbered_from_one")]
    pub porter: usize,
    /// Station id.
    pub station: String,
    /// Leaves the station.
    pub start_s: f64,
    /// Back at the station.
    pub end_s: f64,
    /// Hand-overs in order.
    pub drops: Vec<DropRecord>,
    /// Weight carried out.
    pub kg: f64,
    /// Vertical metres.
    pub vertical_m: f64,
    /// Stair climbs (stairwell visits above the ground floor).
    pub climbs: usize,
    /// Net energy, kJ, the walk to the station included.
    pub energy_kj: f64,
    /// Level walking, metres, the walk to the station included.
    pub walk_m: f64,
}

/// A hand-over.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DropRecord {
    /// Order id.
    pub order: String,
    /// Bag numbers.
    pub bags: Vec<usize>,
    /// Stairwell id.
    pub stairwell: String,
    /// Floor.
    pub floor: u32,
    /// Handed over.
    pub at_s: f64,
}

/// For each job of an instance: its order id and the order's bag number of each job bag.
pub(crate) type JobMap = Vec<(String, Vec<usize>)>;

pub(crate) fn trips(cycle: u32, now: f64, instance: &Instance, plan: &Plan, jobs: &JobMap) -> Vec<TripRecord> {
    plan.trips
        .iter()
        .enumerate()
        .map(|(k, t)| TripRecord {
            id: TripRef { cycle, trip: k },
            tricycle: t.tricycle,
            start_s: now + t.start_s,
            end_s: now + t.end_s,
            stops: t
                .stops
                .iter()
                .map(|s| StopRecord {
                    station: instance.stations[s.station].id.clone(),
                    arrive_s: now + s.arrive_s,
                    ready_s: now + s.ready_s,
                    bags: s.bags.iter().map(|b| (jobs[b.job].0.clone(), jobs[b.job].1[b.bag])).collect(),
                })
                .collect(),
        })
        .collect()
}

pub(crate) fn outings(cycle: u32, now: f64, instance: &Instance, plan: &Plan, jobs: &JobMap) -> Vec<OutingRecord> {
    plan.outings
        .iter()
        .map(|o| {
            let walk = legs(instance, o);
            OutingRecord {
                cycle,
                porter: o.porter,
                station: instance.stations[o.station].id.clone(),
                start_s: now + o.start_s,
                end_s: now + o.end_s,
                drops: o
                    .climbs
                    .iter()
                    .flat_map(|c| c.drops.iter().map(move |d| (c.stairwell, d)))
                    .map(|(w, d)| DropRecord {
                        order: jobs[d.job].0.clone(),
                        bags: d.bags.iter().map(|b| jobs[d.job].1[*b]).collect(),
                        stairwell: instance.stairwells[w].id.clone(),
                        floor: d.floor,
                        at_s: now + d.at_s,
                    })
                    .collect(),
                kg: o.kg,
                vertical_m: o.vertical_m,
                climbs: o.climbs.iter().filter(|c| c.drops.iter().any(|d| d.floor > 1)).count(),
                energy_kj: o.energy_kj,
                walk_m: o.transit_m + walk,
            }
        })
        .collect()
}

/// Level metres of an outing's legs: station → stairwells → station.
fn legs(instance: &Instance, o: &lastmetre_model::plan::Outing) -> f64 {
    let mut walk = 0.0;
    let mut last = None;
    for c in &o.climbs {
        let leg = match last {
            None => instance.walk_station_stairwell.get(o.station, c.stairwell),
            Some(w) => instance.walk_stairwell_stairwell.get(w, c.stairwell),
        };
        walk += leg.map_or(0.0, |m| m.get());
        last = Some(c.stairwell);
    }
    if let Some(w) = last {
        walk += instance.walk_station_stairwell.get(o.station, w).map_or(0.0, |m| m.get());
    }
    walk
}
