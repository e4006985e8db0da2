//! Foresight for holding orders: how many orders to expect at a stairwell before a held
//! order must go out, and what holding it is worth.
//!
//! Holding a fresh normal order for one cycle costs the household a wait and puts its
//! promise at risk (a door not answered next cycle can no longer be retried in time). It
//! pays when another order arrives at the same stairwell meanwhile: the two share one climb.
//! The arrivals are forecast from the area's demand profile (the prior), the past days'
//! arrivals at the same time of day, and today's arrivals so far.

use lastmetre_model::{DemandProfile, Fleet, Hold, Instance, Priority};
use std::collections::BTreeMap;

/// Seconds in a day.
const DAY_S: f64 = 86_400.0;

/// How many orders the prior's daily total weighs, against today's count (a gamma prior's
/// shape): after about this many orders today, today's own rate dominates.
const PRIOR_ORDERS: f64 = 20.0;

/// Door answers the prior share of failures weighs (5 %, DOMAIN.md's order of magnitude).
const PRIOR_HANDOVERS: f64 = 40.0;
const PRIOR_DOOR_FAILURE: f64 = 0.05;

/// Stairwells within this walk of a held order's are its neighbours: an order there would
/// share the outing (the walk from the station), though not the climb.
pub const NEIGHBOUR_M: f64 = 40.0;

/// What the dispatcher has seen: when orders were placed, and how doors answered.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub(crate) struct Foresight {
    /// Placed-at times of every order taken, seconds since midnight of day 1, sorted.
    placed: Vec<f64>,
    handovers: u64,
    failures: u64,
    /// Per day: the orders held, each weighted by its chance of a door not answered (and so
    /// of a broken promise).
    risk_taken: BTreeMap<i64, f64>,
}

impl Foresight {
    pub fn record_order(&mut self, placed_at: f64) {
        let at = self.placed.partition_point(|t| *t <= placed_at);
        self.placed.insert(at, placed_at);
    }

    /// Orders were held at `now`, each with this chance of breaking its promise.
    pub fn record_holds(&mut self, now: f64, held: usize, risk: f64) {
        *self.risk_taken.entry((now / DAY_S).floor() as i64).or_default() += held as f64 * risk;
    }

    /// The promises today's holds have put at risk, in expected orders.
    pub fn risk_taken(&self, now: f64) -> f64 {
        self.risk_taken.get(&((now / DAY_S).floor() as i64)).copied().unwrap_or(0.0)
    }

    pub fn record_handover(&mut self, failed: bool) {
        self.handovers += 1;
        self.failures += u64::from(failed);
    }

    /// The share of doors not answered so far, with the prior's weight.
    pub fn door_failure(&self) -> f64 {
        (self.failures as f64 + PRIOR_DOOR_FAILURE * PRIOR_HANDOVERS) / (self.handovers as f64 + PRIOR_HANDOVERS)
    }

    fn count(&self, from: f64, to: f64) -> usize {
        self.placed.partition_point(|t| *t < to) - self.placed.partition_point(|t| *t < from)
    }

    /// Orders expected in the whole of `now`'s day, for an area of `households`.
    pub fn expected_day(&self, profile: &DemandProfile, households: usize, now: f64) -> f64 {
        let day_start = (now / DAY_S).floor() * DAY_S;
        self.expected_orders(profile, households, now, day_start, day_start + DAY_S)
    }

    /// Orders expected to be placed in the whole area between `from` and `to`, seconds since
    /// midnight of day 1, for an area of `households`, as seen at `now`.
    pub fn expected_orders(&self, profile: &DemandProfile, households: usize, now: f64, from: f64, to: f64) -> f64 {
        let today = (now / DAY_S).floor();
        let first_day = self.placed.first().map_or(today, |t| (t / DAY_S).floor()).min(today);
        let past: Vec<f64> = (first_day as i64..today as i64).map(|d| d as f64 * DAY_S).collect();
        // The share of a day in [a, b): the prior, and each past day counting as much.
        let shape = |a: f64, b: f64| {
            let (mut share, mut weight) = (profile.share_between(a, b), 1.0);
            for start in &past {
                let total = self.count(*start, start + DAY_S);
                if total > 0 {
                    let shift = today * DAY_S - start;
                    share += self.count(a - shift, b - shift) as f64 / total as f64;
                    weight += 1.0;
                }
            }
            share / weight
        };
        let prior_total = households as f64 * profile.per_household_day;
        let past_totals: f64 = past.iter().map(|s| self.count(*s, s + DAY_S) as f64).sum();
        let expected_total = (prior_total + past_totals) / (1.0 + past.len() as f64);
        // Gamma–Poisson: today's orders so far against the share of the day gone by.
        let day_start = today * DAY_S;
        let seen = self.count(day_start, now) as f64;
        let gone = shape(day_start, now);
        let total = if expected_total > 0.0 {
            (PRIOR_ORDERS + seen) / (PRIOR_ORDERS / expected_total + gone)
        } else if gone > 0.0 {
            // No prior: today's own rate.
            seen / gone
        } else {
            seen
        };
        total * shape(from, to)
    }
}

/// Who could join an order held at one stairwell: the households there and nearby.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Catchment {
    /// Households above the ground floor of the stairwell: their orders share its climb.
    pub climbing: usize,
    /// Households of the stairwells within [`NEIGHBOUR_M`]: their orders share the outing.
    pub neighbours: usize,
}

/// Every stairwell's catchment in `area`, on its walking distances.
pub(crate) fn catchments(area: &lastmetre_area::Area, matrices: &lastmetre_area::TravelMatrices) -> Vec<Catchment> {
    let mut at = vec![(0, 0); area.stairwells.len()];
    for h in &area.households {
        at[h.stairwell].0 += 1;
        at[h.stairwell].1 += usize::from(h.floor > 1);
    }
    let doors = &matrices.walk_door_to_door;
    (0..area.stairwells.len())
        .map(|w| Catchment {
            climbing: at[w].1,
            neighbours: (0..area.stairwells.len())
                .filter(|v| *v != w && doors.get(w, *v).is_some_and(|m| m.get() <= NEIGHBOUR_M))
                .map(|v| at[v].0)
                .sum(),
        })
        .collect()
}

/// Below this share of the porters' time in use, a held order is sure to find a porter next
/// cycle; above [`FULL_LOAD`], it is sure not to (outings do not pack a cycle whole).
const CALM_LOAD: f64 = 0.4;
pub(crate) const FULL_LOAD: f64 = 0.8;

/// The porter time a batch needs at least: each stairwell walked to from its nearest
/// station and climbed once to its highest floor, and every order picked and handed over.
fn porter_seconds(instance: &Instance) -> f64 {
    let p = &instance.fleet.porters;
    let mut top: Vec<Option<f64>> = vec![None; instance.stairwells.len()];
    let mut seconds = 0.0;
    for job in &instance.jobs {
        let h = instance.stairwells[job.stairwell].height(job.floor).get();
        let t = &mut top[job.stairwell];
        *t = Some(t.map_or(h, |x| x.max(h)));
        seconds += p.handover_s.get() + p.pick_s.get() * job.bags.len() as f64;
    }
    for (w, h) in top.iter().enumerate() {
        let Some(h) = h else { continue };
        let walk = (0..instance.stations.len())
            .filter_map(|s| instance.walk_station_stairwell.get(s, w).map(|m| m.get()))
            .fold(f64::INFINITY, f64::min);
        if walk.is_finite() {
            seconds += 2.0 * walk / p.walk_speed.get() + h / p.climb_speed.get() + h / p.descend_speed.get();
        }
    }
    seconds
}

/// Porter seconds per order before the dispatcher has seen any: about what an order took in
/// simulated founding-case days at their busiest (seven porters delivering about 65 orders a
/// half hour).
const PRIOR_ORDER_S: f64 = 200.0;

/// What the hold prices of one cycle share.
pub(crate) struct Outlook {
    /// Orders expected per household before a held order goes out.
    pub per_household: f64,
    /// Share of doors not answered.
    pub door_failure: f64,
    /// 1 plus the on-duty porters' mean share of their shift energy spent: tired porters make
    /// a saved climb worth more.
    pub fatigue: f64,
    /// The chance that the next cycle has no porter time left for a held order: from the
    /// porter time this batch and the orders expected next need, against the time the porters
    /// on duty have in a cycle.
    pub crowding: f64,
    /// Orders expected in the area before the next plan.
    pub expected: f64,
    /// The porter time an order of this batch needs at least, seconds.
    pub porter_seconds_per_order: f64,
}

impl Outlook {
    /// `expected` orders are expected before the next plan, `cycle_s` apart.
    pub fn new(instance: &Instance, expected: f64, households: usize, door_failure: f64, cycle_s: f64) -> Self {
        let limit = instance.fleet.porters.shift_energy.get().max(1.0);
        let on_duty: Vec<_> = instance.state.porters.iter().filter(|s| s.on_duty).collect();
        let spent: f64 = on_duty.iter().map(|s| (s.spent_kj / limit).min(1.0)).sum();
        let fatigue = 1.0 + spent / on_duty.len().max(1) as f64;
        // Porter time: what this batch needs, and what the orders expected next would need
        // at the same time per order, against a cycle of every porter on duty.
        let now = porter_seconds(instance);
        let per_order = if instance.jobs.is_empty() { PRIOR_ORDER_S } else { now / instance.jobs.len() as f64 };
        let free: f64 = on_duty.iter().map(|s| (cycle_s - s.free_s).max(0.0)).sum();
        let whole = cycle_s * on_duty.len() as f64;
        let load = if whole > 0.0 { (now / free.max(1.0)).max(expected * per_order / whole) } else { f64::INFINITY };
        let crowding = ((load - CALM_LOAD) / (FULL_LOAD - CALM_LOAD)).clamp(0.0, 1.0);
        Self {
            per_household: expected / households.max(1) as f64,
            door_failure,
            fatigue,
            crowding,
            expected,
            porter_seconds_per_order: per_order,
        }
    }
}

/// The hold price of job `j` of `instance` at a stairwell of `catchment`, or none when it
/// is not to be held: not a fresh normal order, or no station reaches it.
pub(crate) fn hold(instance: &Instance, j: usize, catchment: &Catchment, outlook: &Outlook) -> Option<Hold> {
    let job = &instance.jobs[j];
    if job.priority != Priority::Normal || job.waited_cycles > 0 || job.stocked.is_some() {
        return None;
    }
    let fleet: &Fleet = &instance.fleet;
    let (w, e, p) = (&fleet.weights, &fleet.effort, &fleet.porters);
    let walk_m = (0..instance.stations.len())
        .filter_map(|s| instance.walk_station_stairwell.get(s, job.stairwell).map(|m| m.get()))
        .fold(f64::INFINITY, f64::min);
    if !walk_m.is_finite() {
        return None;
    }
    let body = p.body_mass_kg.get();
    let height = instance.stairwells[job.stairwell].height(job.floor).get();
    let points = |joules: f64| joules / 1000.0 * w.energy_kj;
    // Going out alone: the walk there and back, the climb with the load, the way down.
    let walk = points(2.0 * walk_m * body * e.level_j_per_kg_m);
    let climb =
        if height > 0.0 { w.stair_climb + points(height * body * (e.up_j_per_kg_m + e.down_j_per_kg_m)) } else { 0.0 };
    let lone = walk + climb + points(height * job.kg() * e.hand_carry_factor * e.up_j_per_kg_m);
    // A join at the stairwell saves the climb (the porter goes up once) and the walk; one at
    // a neighbour saves the walk.
    let here = outlook.per_household * catchment.climbing as f64;
    let near = outlook.per_household * catchment.neighbours as f64;
    let (p_here, p_near) = (1.0 - (-here).exp(), 1.0 - (-near).exp());
    let saving = p_here * (climb + walk) + (1.0 - p_here) * p_near * walk;
    let risk = (outlook.door_failure + outlook.crowding).min(1.0) * w.broken_promise;
    // The forecast decides: only when the joins expected are worth the wait and the risk may
    // the order wait at all. Tired porters make a saved climb worth more.
    if saving * outlook.fatigue < w.hold + risk {
        return None;
    }
    // What it is expected to cost next cycle, plus the wait and the risk. The saving never
    // exceeds the climb and the walk, so the price stays above the load's own climb: an
    // order that shares a climb now costs less than that, and goes now.
    Some(Hold { points: lone - saving + w.hold + risk, expected_joins: here })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_forecast_follows_the_profile_then_today_then_past_days() {
        let profile = DemandProfile::default();
        let mut f = Foresight::default();
        // At midnight, nothing seen yet: the prior, 700 households × 0.35 × the share of
        // 11:00–11:30.
        let prior = f.expected_orders(&profile, 700, 0.0, 39_600.0, 41_400.0);
        let share = profile.share_between(39_600.0, 41_400.0);
        assert!((prior - 245.0 * share).abs() < 1e-9, "{prior}");
        // Three times the orders expected by 11:00: the forecast rises towards three times.
        let by_eleven = (245.0 * profile.share_between(0.0, 39_600.0) * 3.0) as usize;
        for k in 0..by_eleven {
            f.record_order(25_200.0 + k as f64 * 14_400.0 / by_eleven as f64);
        }
        let busy = f.expected_orders(&profile, 700, 39_600.0, 39_600.0, 41_400.0);
        assert!(busy > 2.0 * prior && busy < 3.0 * prior, "{busy} against {prior}");
        // A past day with every order at 15:00 pulls the shape of 15:00 today up.
        let mut g = Foresight::default();
        for _ in 0..245 {
            g.record_order(54_000.0 + 60.0);
        }
        let at_three =
            |f: &Foresight| f.expected_orders(&profile, 700, DAY_S + 53_000.0, DAY_S + 54_000.0, DAY_S + 55_800.0);
        assert!(at_three(&g) > 5.0 * at_three(&Foresight::default()));
    }

    #[test]
    fn doors_not_answered_move_the_risk_from_the_prior() {
        let mut f = Foresight::default();
        assert!((f.door_failure() - 0.05).abs() < 1e-12);
        for k in 0..160 {
            f.record_handover(k % 2 == 0);
        }
        assert!((f.door_failure() - 82.0 / 200.0).abs() < 1e-12);
    }
}
