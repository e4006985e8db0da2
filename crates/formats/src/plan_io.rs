//! The plan file (docs/plan-format.md): a plan with ids instead of indices, read back for
//! `lastmetre check`.

use lastmetre_model::plan::{BagRef, Climb, Drop, Outing, Reason, Trip, TripStop, Unassigned};
use lastmetre_model::{Instance, Metrics, Plan};
use lastmetre_text::{Lang, text};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Version of the plan file layout; bumped on any incompatible change.
pub const SCHEMA_VERSION: u32 = 1;

/// The plan as written to JSON.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanFile {
    /// Layout version.
    pub schema_version: u32,
    /// Name of the instance (area and batch).
    pub instance: String,
    /// Clock time of second 0 of the plan, `HH:MM:SS`.
    pub cycle_start: String,
    /// Figures of the plan.
    pub metrics: Metrics,
    /// Tricycle trips.
    pub trips: Vec<TripFile>,
    /// Porter outings.
    pub outings: Vec<OutingFile>,
    /// Orders left out.
    pub unassigned: Vec<UnassignedFile>,
}

/// A trip in the file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TripFile {
    /// Tricycle number, from 1.
    pub tricycle: usize,
    /// Loading starts at the gate.
    pub start_s: f64,
    /// Back at the gate.
    pub end_s: f64,
    /// Station stops.
    pub stops: Vec<StopFile>,
}

/// A trip's station stop.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StopFile {
    /// Station id.
    pub station: String,
    /// Arrival.
    pub arrive_s: f64,
    /// Unloading done.
    pub ready_s: f64,
    /// Bags unloaded.
    pub bags: Vec<BagFile>,
}

/// One bag of one order; bags are numbered from 1 in the order's list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BagFile {
    /// Order id.
    pub order: String,
    /// Bag number, from 1.
    pub bag: usize,
}

/// An outing in the file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutingFile {
    /// Porter number, from 1.
    pub porter: usize,
    /// Station id.
    pub station: String,
    /// Starts picking at the station.
    pub start_s: f64,
    /// Back at the station.
    pub end_s: f64,
    /// Climbs in order.
    pub climbs: Vec<ClimbFile>,
    /// Walked from where the porter was to the station first, metres.
    #[serde(default)]
    pub transit_m: f64,
    /// Weight carried out, kg.
    #[serde(default)]
    pub kg: f64,
    /// Vertical metres climbed.
    #[serde(default)]
    pub vertical_m: f64,
    /// Net energy, kJ, the walk to the station included.
    #[serde(default)]
    pub energy_kj: f64,
}

/// A climb in the file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClimbFile {
    /// Stairwell id.
    pub stairwell: String,
    /// Building and unit, as on the sheet.
    pub label: String,
    /// At the door.
    pub arrive_s: f64,
    /// Back at the door.
    pub leave_s: f64,
    /// Hand-overs, lowest floor first.
    pub drops: Vec<DropFile>,
}

/// A hand-over in the file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DropFile {
    /// Order id.
    pub order: String,
    /// Household id.
    pub household: String,
    /// Door number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// Floor, from 1.
    pub floor: u32,
    /// Bag numbers, from 1.
    pub bags: Vec<usize>,
    /// Weight handed over.
    pub kg: f64,
    /// Handed over.
    pub at_s: f64,
}

/// An order left out.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnassignedFile {
    /// Order id.
    pub order: String,
    /// Reason code.
    pub reason: Reason,
    /// Why, in the plan's language.
    #[serde(default)]
    pub why: String,
    /// What the dispatcher can do, in the plan's language.
    pub action: String,
    /// Held orders: the orders expected at the stairwell before it goes out, which it waits
    /// to share a climb with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_joins: Option<f64>,
}

/// The plan file for `plan`; `cycle_start` is the clock time of second 0. What people read
/// (why orders were left out, what to do) is in `lang`.
pub fn plan_file(instance: &Instance, plan: &Plan, cycle_start: f64, lang: Lang) -> PlanFile {
    let order = |j: usize| instance.jobs[j].id.clone();
    PlanFile {
        schema_version: SCHEMA_VERSION,
        instance: instance.name.clone(),
        cycle_start: crate::format_time(cycle_start),
        metrics: plan.metrics.clone(),
        trips: plan
            .trips
            .iter()
            .map(|t| TripFile {
                tricycle: t.tricycle + 1,
                start_s: t.start_s,
                end_s: t.end_s,
                stops: t
                    .stops
                    .iter()
                    .map(|s| StopFile {
                        station: instance.stations[s.station].id.clone(),
                        arrive_s: s.arrive_s,
                        ready_s: s.ready_s,
                        bags: s.bags.iter().map(|b| BagFile { order: order(b.job), bag: b.bag + 1 }).collect(),
                    })
                    .collect(),
            })
            .collect(),
        outings: plan
            .outings
            .iter()
            .map(|o| OutingFile {
                porter: o.porter + 1,
                station: instance.stations[o.station].id.clone(),
                start_s: o.start_s,
                end_s: o.end_s,
                transit_m: o.transit_m,
                kg: o.kg,
                vertical_m: o.vertical_m,
                energy_kj: o.energy_kj,
                climbs: o
                    .climbs
                    .iter()
                    .map(|c| ClimbFile {
                        stairwell: instance.stairwells[c.stairwell].id.clone(),
                        label: instance.stairwells[c.stairwell].label.clone(),
                        arrive_s: c.arrive_s,
                        leave_s: c.leave_s,
                        drops: c
                            .drops
                            .iter()
                            .map(|d| {
                                let job = &instance.jobs[d.job];
                                DropFile {
                                    order: job.id.clone(),
                                    household: job.household.clone(),
                                    unit: job.unit.clone(),
                                    floor: d.floor,
                                    bags: d.bags.iter().map(|b| b + 1).collect(),
                                    kg: d.bags.iter().map(|b| job.bags[*b].kg.get()).sum(),
                                    at_s: d.at_s,
                                }
                            })
                            .collect(),
                    })
                    .collect(),
            })
            .collect(),
        unassigned: plan
            .unassigned
            .iter()
            .map(|u| UnassignedFile {
                order: order(u.job),
                reason: u.reason,
                why: text(lang, &format!("reason-{}", u.reason.code()), &[]),
                action: text(lang, &format!("action-{}", u.reason.code()), &[]),
                expected_joins: instance.jobs[u.job]
                    .hold
                    .filter(|_| u.reason == Reason::Held)
                    .map(|h| (h.expected_joins * 100.0).round() / 100.0),
            })
            .collect(),
    }
}

/// Reads a plan file back into indices of `instance`. Unknown ids and numbers out of range
/// are listed, all of them.
pub fn read_plan(instance: &Instance, bytes: &[u8]) -> Result<Plan, Vec<String>> {
    let file: PlanFile = serde_json::from_slice(bytes)
        .map_err(|e| vec![format!("not a plan file: line {}, column {}: {e}", e.line(), e.column())])?;
    if file.schema_version != SCHEMA_VERSION {
        return Err(vec![format!(
            "plan schema_version {} is not {SCHEMA_VERSION}, the version this lastmetre reads",
            file.schema_version
        )]);
    }
    let jobs: HashMap<&str, usize> = instance.jobs.iter().enumerate().map(|(i, j)| (j.id.as_str(), i)).collect();
    let stations: HashMap<&str, usize> =
        instance.stations.iter().enumerate().map(|(i, s)| (s.id.as_str(), i)).collect();
    let stairwells: HashMap<&str, usize> =
        instance.stairwells.iter().enumerate().map(|(i, s)| (s.id.as_str(), i)).collect();
    let mut errors = Vec::new();
    let mut find = |map: &HashMap<&str, usize>, what: &str, id: &str| match map.get(id) {
        Some(i) => *i,
        None => {
            errors.push(format!("{what} '{id}' is not in this instance"));
            0
        }
    };
    let number = |n: usize| n.checked_sub(1).unwrap_or(usize::MAX);
    let trips = file
        .trips
        .iter()
        .map(|t| Trip {
            tricycle: number(t.tricycle),
            start_s: t.start_s,
            end_s: t.end_s,
            stops: t
                .stops
                .iter()
                .map(|s| TripStop {
                    station: find(&stations, "station", &s.station),
                    arrive_s: s.arrive_s,
                    ready_s: s.ready_s,
                    bags: s
                        .bags
                        .iter()
                        .map(|b| BagRef { job: find(&jobs, "order", &b.order), bag: number(b.bag) })
                        .collect(),
                })
                .collect(),
        })
        .collect();
    let outings = file
        .outings
        .iter()
        .map(|o| Outing {
            porter: number(o.porter),
            station: find(&stations, "station", &o.station),
            start_s: o.start_s,
            end_s: o.end_s,
            transit_m: o.transit_m,
            kg: o.kg,
            vertical_m: o.vertical_m,
            energy_kj: o.energy_kj,
            climbs: o
                .climbs
                .iter()
                .map(|c| Climb {
                    stairwell: find(&stairwells, "stairwell", &c.stairwell),
                    arrive_s: c.arrive_s,
                    leave_s: c.leave_s,
                    drops: c
                        .drops
                        .iter()
                        .map(|d| Drop {
                            job: find(&jobs, "order", &d.order),
                            floor: d.floor,
                            bags: d.bags.iter().map(|b| number(*b)).collect(),
                            at_s: d.at_s,
                        })
                        .collect(),
                })
                .collect(),
        })
        .collect();
    let unassigned =
        file.unassigned.iter().map(|u| Unassigned { job: find(&jobs, "order", &u.order), reason: u.reason }).collect();
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Plan { trips, outings, unassigned, metrics: file.metrics })
}
