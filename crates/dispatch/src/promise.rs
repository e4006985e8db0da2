//! Promises a plan will not keep, said in the cycle the plan is made, while the dispatcher can
//! still act: medicine in the cycle it arrives in, other orders within two cycles.

use crate::foresight::FULL_LOAD;
use crate::records::JobMap;
use lastmetre_model::plan::Reason;
use lastmetre_model::{Instance, Plan, Priority};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Cycles within which an order of each priority is promised: medicine in its own cycle,
/// the others before the cycle after next begins.
pub fn promise_cycles(priority: Priority) -> u32 {
    match priority {
        Priority::Medicine => 1,
        Priority::Need | Priority::Normal => 2,
    }
}

/// Orders that this plan delivers after their promise, or cannot deliver before it, and what
/// would keep the promises still to keep.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PromiseWarning {
    /// Medicine orders that will be late.
    pub medicine: Vec<String>,
    /// The other orders that will be late.
    pub orders: Vec<String>,
    /// Orders already past their promise before this plan (a door not answered, a wait too
    /// long): no action brings them back in time; they are listed, not acted on.
    pub already_late: Vec<String>,
    /// Porters to call: about this many would carry the late work within the cycle (0 when
    /// porters would not help).
    pub call_porters: usize,
    /// Open a station: no open station reaches some of the households, or their stations
    /// are full.
    pub open_station: bool,
}

/// The orders the demand forecast expects next cycle need more porters than are on duty:
/// said a cycle ahead, so that the porters called arrive in time.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RushWarning {
    /// Orders expected in the area before the next plan.
    pub expected_orders: usize,
    /// Porters to call.
    pub porters: usize,
}

/// The rush warning for the cycle after `plan`'s: the work this plan leaves for after its
/// cycle, and `expected` orders at `per_order_s` porter seconds each, against the porters on
/// duty working [`FULL_LOAD`] of a cycle.
pub(crate) fn rush(
    instance: &Instance,
    plan: &Plan,
    expected: f64,
    per_order_s: f64,
    cycle_s: f64,
) -> Option<RushWarning> {
    let left: f64 = plan.outings.iter().filter(|o| o.start_s >= cycle_s).map(|o| o.end_s - o.start_s).sum();
    let on_duty = instance.state.porters.iter().filter(|p| p.on_duty).count();
    let needed = ((left + expected * per_order_s) / (FULL_LOAD * cycle_s)).ceil() as usize;
    let porters = needed.saturating_sub(on_duty);
    (porters > 0).then(|| RushWarning { expected_orders: expected.round() as usize, porters })
}

/// The warning for `plan` made at the start of a cycle of `cycle_s`, or none when it keeps
/// every promise. `due[j]` is job `j`'s promise, seconds from the cycle start; times in the
/// plan are from the cycle start too.
pub(crate) fn warning(
    instance: &Instance,
    plan: &Plan,
    map: &JobMap,
    due: &[f64],
    cycle_s: f64,
) -> Option<PromiseWarning> {
    let mut late: BTreeMap<usize, bool> = BTreeMap::new(); // job → a station would help
    let mut late_work_s = 0.0;
    for outing in &plan.outings {
        let mut carries_late = false;
        for drop in outing.climbs.iter().flat_map(|c| &c.drops) {
            if drop.at_s >= due[drop.job] {
                late.insert(drop.job, false);
                carries_late |= due[drop.job] > 0.0;
            }
        }
        if carries_late {
            late_work_s += outing.end_s - outing.start_s;
        }
    }
    for u in &plan.unassigned {
        // Left out with no later plan before its promise.
        if u.reason != Reason::Held && due[u.job] <= cycle_s {
            late.insert(u.job, matches!(u.reason, Reason::NoStationReaches | Reason::StationStorage));
        }
    }
    if late.is_empty() {
        return None;
    }
    let mut warning = PromiseWarning {
        medicine: Vec::new(),
        orders: Vec::new(),
        already_late: Vec::new(),
        call_porters: 0,
        open_station: false,
    };
    let mut porters_help = false;
    for (&j, &station) in &late {
        let id = &map[j].0;
        let list = if due[j] <= 0.0 {
            &mut warning.already_late
        } else {
            warning.open_station |= station;
            porters_help |= !station;
            if instance.jobs[j].priority == Priority::Medicine { &mut warning.medicine } else { &mut warning.orders }
        };
        if !list.contains(id) {
            list.push(id.clone());
        }
    }
    if porters_help {
        warning.call_porters = ((late_work_s / cycle_s).ceil() as usize).max(1);
    }
    Some(warning)
}
