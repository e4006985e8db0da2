//! The fewest stair climbs any dispatcher could make for a day's orders: a lower bound to
//! judge consolidation by.
//!
//! A climb serves one stairwell in one cycle and carries at most one porter's load. An order
//! goes out in the cycle it arrives in or, when it may wait, in the next one (the two-cycle
//! promise); medicine never waits. At each stairwell a dynamic programme over the cycles
//! chooses which orders wait, each cycle costing its kilograms over one load, rounded up (at
//! least one climb when anything goes up). Summed over stairwells, that bounds from below
//! every plan that keeps every promise, whatever its foresight. A plan that delivers late
//! may combine more and go below it. Ground-floor orders need no climb; doors not answered
//! (retries) are not counted. Days are counted apart: an order held across midnight counts
//! in the day it arrived.

use lastmetre_area::Area;
use lastmetre_model::{Fleet, Order, Priority};
use std::collections::BTreeMap;

/// Above this many orders that could wait at one stairwell in one cycle, the choice of which
/// wait is not enumerated; that stairwell's bound falls back to its kilograms over loads and
/// its windows' fewest climbing cycles.
const MAX_CHOICES: usize = 10;

/// The fewest climbs for `demand` on `area`, cycles of `cycle_s` starting at 0, when orders
/// other than medicine may (`may_wait`) or may not wait one cycle. Orders of unknown
/// households are skipped.
pub fn climb_floor(area: &Area, fleet: &Fleet, demand: &[Order], cycle_s: f64, may_wait: bool) -> usize {
    let household: BTreeMap<&str, (usize, u32)> =
        area.households.iter().map(|h| (h.id.as_str(), (h.stairwell, h.floor))).collect();
    // Per stairwell and arrival cycle: (kg, may wait) of each order.
    let mut at: BTreeMap<usize, BTreeMap<i64, Vec<(f64, bool)>>> = BTreeMap::new();
    for o in demand {
        let Some(&(stairwell, floor)) = household.get(o.household.as_str()) else { continue };
        if floor <= 1 {
            continue;
        }
        // An order arrives in the first cycle whose plan sees it.
        let arrival = (o.placed_at.get() / cycle_s).ceil() as i64;
        // The promise lets every order but medicine wait a cycle (the dispatcher itself holds
        // only normal ones).
        let waits = may_wait && o.priority != Priority::Medicine;
        at.entry(stairwell).or_default().entry(arrival).or_default().push((o.kg().get(), waits));
    }
    let carry = fleet.porters.max_carry_kg.get();
    at.values().map(|cycles| stairwell_floor(cycles, carry)).sum()
}

/// Climbs for `kg` in `n` orders going up in one cycle: at least one when anything goes.
fn climbs(kg: f64, n: usize, carry: f64) -> usize {
    if n == 0 { 0 } else { ((kg / carry - 1e-9).ceil() as usize).max(1) }
}

/// One stairwell's fewest climbs over its arrivals by cycle.
fn stairwell_floor(cycles: &BTreeMap<i64, Vec<(f64, bool)>>, carry: f64) -> usize {
    if cycles.values().any(|orders| orders.iter().filter(|o| o.1).count() > MAX_CHOICES) {
        return coarse_floor(cycles, carry);
    }
    // States: (kg, orders) held over from the previous cycle, with the climbs so far.
    let mut states: Vec<(f64, usize, usize)> = vec![(0.0, 0, 0)];
    let mut previous: Option<i64> = None;
    for (&cycle, orders) in cycles {
        if previous.is_some_and(|p| p + 1 < cycle) {
            // A gap: what was held goes up alone in the cycle after it arrived.
            let best = states.iter().map(|s| s.2 + climbs(s.0, s.1, carry)).min().unwrap_or(0);
            states = vec![(0.0, 0, best)];
        }
        previous = Some(cycle);
        let may: Vec<f64> = orders.iter().filter(|o| o.1).map(|o| o.0).collect();
        let must: Vec<f64> = orders.iter().filter(|o| !o.1).map(|o| o.0).collect();
        let must_kg: f64 = must.iter().sum();
        let mut next: BTreeMap<(u64, usize), usize> = BTreeMap::new();
        for &(held_kg, held_n, so_far) in &states {
            for subset in 0..(1usize << may.len()) {
                let (mut wait_kg, mut wait_n) = (0.0, 0);
                for (k, kg) in may.iter().enumerate() {
                    if subset & (1 << k) != 0 {
                        wait_kg += kg;
                        wait_n += 1;
                    }
                }
                let go_kg = held_kg + must_kg + may.iter().sum::<f64>() - wait_kg;
                let go_n = held_n + must.len() + may.len() - wait_n;
                let total = so_far + climbs(go_kg, go_n, carry);
                // States with the same load held over keep the fewest climbs.
                let key = ((wait_kg * 1e6).round() as u64, wait_n);
                let entry = next.entry(key).or_insert(usize::MAX);
                *entry = (*entry).min(total);
            }
        }
        states = next.into_iter().map(|((kg, n), c)| (kg as f64 / 1e6, n, c)).collect();
    }
    states.iter().map(|s| s.2 + climbs(s.0, s.1, carry)).min().unwrap_or(0)
}

/// A weaker bound for crowded stairwells: the most of the kilograms over loads and the
/// fewest cycles that meet every order's window (earliest deadline first).
fn coarse_floor(cycles: &BTreeMap<i64, Vec<(f64, bool)>>, carry: f64) -> usize {
    let mut windows: Vec<(i64, i64)> =
        cycles.iter().flat_map(|(c, orders)| orders.iter().map(move |o| (*c, c + i64::from(o.1)))).collect();
    windows.sort_by_key(|w| (w.1, w.0));
    let mut count = 0;
    let mut last: Option<i64> = None;
    for (from, to) in windows {
        if last.is_none_or(|c| c < from) {
            count += 1;
            last = Some(to);
        }
    }
    let kg: f64 = cycles.values().flatten().map(|o| o.0).sum();
    count.max(climbs(kg, 1, carry))
}

#[cfg(test)]
mod tests {
    use super::*;
    use lastmetre_model::{Bag, Kg, Litres, Seconds};

    fn area() -> Area {
        let spec = lastmetre_synth::village(&lastmetre_synth::VillageOptions::new(60, 3)).expect("a village");
        lastmetre_area::build(&spec, &lastmetre_model::AreaParams::default()).expect("a generated area builds").area
    }

    fn order(household: &str, at_s: f64, kg: f64, priority: Priority) -> Order {
        Order {
            id: format!("{household}@{at_s}"),
            household: household.to_owned(),
            bags: vec![Bag { label: Some("rice".into()), kg: Kg(kg), litres: Litres(1.0) }],
            priority,
            placed_at: Seconds(at_s),
            station: None,
        }
    }

    #[test]
    fn orders_a_cycle_apart_share_a_climb_only_when_they_may_wait() {
        let area = area();
        let fleet = Fleet::default();
        let upstairs: Vec<&str> = {
            let w = area.households.iter().find(|h| h.floor > 1).expect("an upper floor").stairwell;
            area.households.iter().filter(|h| h.stairwell == w && h.floor > 1).map(|h| h.id.as_str()).collect()
        };
        assert!(upstairs.len() >= 2, "two upper-floor households in one stairwell");
        let two = [order(upstairs[0], 100.0, 3.0, Priority::Normal), order(upstairs[1], 1900.0, 3.0, Priority::Normal)];
        assert_eq!(climb_floor(&area, &fleet, &two, 1800.0, false), 2);
        assert_eq!(climb_floor(&area, &fleet, &two, 1800.0, true), 1);
        // Medicine does not wait; three cycles apart is beyond one cycle's wait.
        let medicine = [order(upstairs[0], 100.0, 3.0, Priority::Medicine), two[1].clone()];
        assert_eq!(climb_floor(&area, &fleet, &medicine, 1800.0, true), 2);
        let apart = [two[0].clone(), order(upstairs[1], 5500.0, 3.0, Priority::Normal)];
        assert_eq!(climb_floor(&area, &fleet, &apart, 1800.0, true), 2);
        // Special needs may wait within their promise too.
        let need = [order(upstairs[0], 100.0, 3.0, Priority::Need), two[1].clone()];
        assert_eq!(climb_floor(&area, &fleet, &need, 1800.0, true), 1);
        // A crowded cycle (more choices than are enumerated) falls back to kilograms over
        // loads and the windows' climbing cycles: 12 × 2 kg in one cycle and one the next.
        let mut crowd: Vec<Order> =
            (0..12).map(|k| order(upstairs[k % 2], 100.0 + k as f64, 2.0, Priority::Normal)).collect();
        crowd.push(order(upstairs[0], 1900.0, 2.0, Priority::Normal));
        assert_eq!(climb_floor(&area, &fleet, &crowd, 1800.0, true), 2);
        assert_eq!(climb_floor(&area, &fleet, &crowd, 1800.0, false), 3);
        // Carrying limits: 2 × 10 kg cannot go up in one 15-kg load.
        let heavy =
            [order(upstairs[0], 100.0, 10.0, Priority::Normal), order(upstairs[1], 200.0, 10.0, Priority::Normal)];
        assert_eq!(climb_floor(&area, &fleet, &heavy, 1800.0, true), 2);
    }
}
