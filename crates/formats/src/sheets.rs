//! Dispatch sheets: one Markdown page per tricycle and per porter, in clock time, that a
//! person can follow line by line.

use crate::format_clock;
use lastmetre_model::{Instance, Plan};
use std::fmt::Write;

/// Text from the data as a sheet prints it: a control or direction character (which could
/// start a made-up line, or reorder one) becomes a space, and Markdown's marks are escaped,
/// so that whatever an id holds, it reads as itself on one line.
fn safe(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if lastmetre_area::forges_text(c) {
            out.push(' ');
        } else {
            if matches!(c, '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|') {
                out.push('\\');
            }
            out.push(c);
        }
    }
    out
}

/// `(file name, page)` for every tricycle and porter with work in the plan.
pub fn sheets(instance: &Instance, plan: &Plan, cycle_start: f64) -> Vec<(String, String)> {
    let clock = |s: f64| format_clock(cycle_start + s);
    let kg_of = |job: usize, bags: &[usize]| -> f64 { bags.iter().map(|b| instance.jobs[job].bags[*b].kg.get()).sum() };
    let mut pages = Vec::new();
    let tricycles = plan.trips.iter().map(|t| t.tricycle).max().map_or(0, |m| m + 1);
    for tricycle in 0..tricycles {
        let mut page = format!("# Tricycle {} — {}\n\n", tricycle + 1, safe(&instance.name));
        for trip in plan.trips.iter().filter(|t| t.tricycle == tricycle) {
            let bags: usize = trip.stops.iter().map(|s| s.bags.len()).sum();
            let kg: f64 =
                trip.stops.iter().flat_map(|s| &s.bags).map(|b| instance.jobs[b.job].bags[b.bag].kg.get()).sum();
            let stations: Vec<String> = trip.stops.iter().map(|s| safe(&instance.stations[s.station].id)).collect();
            let _ = writeln!(
                page,
                "{}  Gate: load {bags} bags, {kg:.1} kg, for {}",
                clock(trip.start_s),
                stations.join(", ")
            );
            for stop in &trip.stops {
                let mut orders: Vec<String> = stop.bags.iter().map(|b| safe(&instance.jobs[b.job].id)).collect();
                orders.dedup();
                let kg: f64 = stop.bags.iter().map(|b| instance.jobs[b.job].bags[b.bag].kg.get()).sum();
                let _ = writeln!(
                    page,
                    "{}  {}: unload {} bags, {kg:.1} kg ({})",
                    clock(stop.arrive_s),
                    safe(&instance.stations[stop.station].id),
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
        let mut page = format!("# Porter {} — {}\n\n", porter + 1, safe(&instance.name));
        let mut outings: Vec<_> = plan.outings.iter().filter(|o| o.porter == porter).collect();
        outings.sort_by(|a, b| a.start_s.total_cmp(&b.start_s));
        for outing in outings {
            let take: Vec<String> = outing
                .climbs
                .iter()
                .flat_map(|c| &c.drops)
                .map(|d| format!("{} ({:.1} kg)", safe(&instance.jobs[d.job].id), kg_of(d.job, &d.bags)))
                .collect();
            let _ = writeln!(
                page,
                "{}  Station {}: take {}",
                clock(outing.start_s),
                safe(&instance.stations[outing.station].id),
                take.join(", ")
            );
            for climb in &outing.climbs {
                let drops: Vec<String> = climb
                    .drops
                    .iter()
                    .map(|d| {
                        let job = &instance.jobs[d.job];
                        let door = job.unit.as_deref().map(|u| format!(" ({})", safe(u))).unwrap_or_default();
                        format!("{}F drop {}{door}", d.floor, safe(&job.id))
                    })
                    .collect();
                let _ = writeln!(
                    page,
                    "{}    → {}: climb; {}",
                    clock(climb.arrive_s),
                    safe(&instance.stairwells[climb.stairwell].label),
                    drops.join("; ")
                );
            }
            let _ =
                writeln!(page, "{}  back at {}\n", clock(outing.end_s), safe(&instance.stations[outing.station].id));
        }
        pages.push((format!("porter-{}.md", porter + 1), page));
    }
    pages
}

#[cfg(test)]
mod tests {
    use super::safe;

    #[test]
    fn printed_text_stays_on_its_line_and_reads_as_itself() {
        assert_eq!(safe("I3-nl\n17:20  Station T9: take FAKE"), "I3-nl 17:20  Station T9: take FAKE");
        assert_eq!(safe("<b>*x*</b>"), "\\<b\\>\\*x\\*\\</b\\>");
        assert_eq!(safe("17号楼 2单元"), "17号楼 2单元");
        assert_eq!(safe("a\u{202e}b"), "a b");
    }
}
