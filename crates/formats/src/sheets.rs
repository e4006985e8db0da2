//! Dispatch sheets: one Markdown page per tricycle and per porter, in clock time, that a
//! person can follow line by line.

use crate::format_clock;
use lastmetre_model::{Instance, Plan};
use std::fmt::Write;

/// `(file name, page)` for every tricycle and porter with work in the plan.
pub fn sheets(instance: &Instance, plan: &Plan, cycle_start: f64) -> Vec<(String, String)> {
    let clock = |s: f64| format_clock(cycle_start + s);
    let kg_of = |job: usize, bags: &[usize]| -> f64 { bags.iter().map(|b| instance.jobs[job].bags[*b].kg.get()).sum() };
    let mut pages = Vec::new();
    let tricycles = plan.trips.iter().map(|t| t.tricycle).max().map_or(0, |m| m + 1);
    for tricycle in 0..tricycles {
        let mut page = format!("# Tricycle {} — {}\n\n", tricycle + 1, instance.name);
        for trip in plan.trips.iter().filter(|t| t.tricycle == tricycle) {
            let bags: usize = trip.stops.iter().map(|s| s.bags.len()).sum();
            let kg: f64 =
                trip.stops.iter().flat_map(|s| &s.bags).map(|b| instance.jobs[b.job].bags[b.bag].kg.get()).sum();
            let stations: Vec<&str> = trip.stops.iter().map(|s| instance.stations[s.station].id.as_str()).collect();
            let _ = writeln!(
                page,
                "{}  Gate: load {bags} bags, {kg:.1} kg, for {}",
                clock(trip.start_s),
                stations.join(", ")
            );
            for stop in &trip.stops {
                let mut orders: Vec<&str> = stop.bags.iter().map(|b| instance.jobs[b.job].id.as_str()).collect();
                orders.dedup();
                let kg: f64 = stop.bags.iter().map(|b| instance.jobs[b.job].bags[b.bag].kg.get()).sum();
                let _ = writeln!(
                    page,
                    "{}  {}: unload {} bags, {kg:.1} kg ({})",
                    clock(stop.arrive_s),
                    instance.stations[stop.station].id,
                    stop.bags.len(),
                    orders.join(", ")
                );
            }
            let _ = writeln!(page, "{}  back at the gate\n", clock(trip.end_s));
        }
        pages.push((format!("tricycle-{}.md", tricycle + 1), page));
    }
    let porters = plan.outings.iter().map(|o| o.porter).max().map_or(0, |m| m + 1);
    for porter in 0..porters {
        let mut page = format!("# Porter {} — {}\n\n", porter + 1, instance.name);
        let mut outings: Vec<_> = plan.outings.iter().filter(|o| o.porter == porter).collect();
        outings.sort_by(|a, b| a.start_s.total_cmp(&b.start_s));
        for outing in outings {
            let take: Vec<String> = outing
                .climbs
                .iter()
                .flat_map(|c| &c.drops)
                .map(|d| format!("{} ({:.1} kg)", instance.jobs[d.job].id, kg_of(d.job, &d.bags)))
                .collect();
            let _ = writeln!(
                page,
                "{}  Station {}: take {}",
                clock(outing.start_s),
                instance.stations[outing.station].id,
                take.join(", ")
            );
            for climb in &outing.climbs {
                let drops: Vec<String> = climb
                    .drops
                    .iter()
                    .map(|d| {
                        let job = &instance.jobs[d.job];
                        let door = job.unit.as_deref().map(|u| format!(" ({u})")).unwrap_or_default();
                        format!("{}F drop {}{door}", d.floor, job.id)
                    })
                    .collect();
                let _ = writeln!(
                    page,
                    "{}    → {}: climb; {}",
                    clock(climb.arrive_s),
                    instance.stairwells[climb.stairwell].label,
                    drops.join("; ")
                );
            }
            let _ = writeln!(page, "{}  back at {}\n", clock(outing.end_s), instance.stations[outing.station].id);
        }
        pages.push((format!("porter-{}.md", porter + 1), page));
    }
    pages
}
