//! Dispatch sheets: one Markdown page per tricycle and per porter, in clock time, that a
//! person can follow line by line, in Chinese or English (`lastmetre-text`'s messages).

use crate::format_clock;
use lastmetre_model::{Instance, Plan};
use lastmetre_text::{Arg, Lang, text};
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

/// The language of an area's people: Chinese inside China ([`Lang::for_place`] at the
/// area's centre), English elsewhere.
pub fn language_of(area: &lastmetre_area::Area) -> Lang {
    let centre = area.frame.to_lon_lat([0.0, 0.0]);
    Lang::for_place(centre.lon, centre.lat)
}

/// A door number as people say it: "502室" for digits in Chinese, as written otherwise.
fn door(lang: Lang, unit: &str) -> String {
    let unit = safe(unit);
    if unit.chars().all(|c| c.is_ascii_digit()) { text(lang, "door-number", &[("door", unit.into())]) } else { unit }
}

/// Kilograms as a sheet prints them: one decimal.
fn kg(x: f64) -> Arg {
    Arg::Text(format!("{x:.1}"))
}

/// `(file name, page)` for every tricycle and porter with work in the plan, in `lang`.
pub fn sheets(instance: &Instance, plan: &Plan, cycle_start: f64, lang: Lang) -> Vec<(String, String)> {
    let clock = |s: f64| Arg::Text(format_clock(cycle_start + s));
    let t = |id: &str, args: &[(&str, Arg)]| text(lang, id, args);
    let list = t("sheet-list-separator", &[]);
    let kg_of = |job: usize, bags: &[usize]| -> f64 { bags.iter().map(|b| instance.jobs[job].bags[*b].kg.get()).sum() };
    let area = || Arg::Text(safe(&instance.name));
    let station = |s: usize| Arg::Text(safe(&instance.stations[s].id));
    let mut pages = Vec::new();
    let tricycles = plan.trips.iter().map(|t| t.tricycle).max().map_or(0, |m| m + 1);
    for tricycle in 0..tricycles {
        let mut page =
            format!("# {}\n\n", t("sheet-tricycle-title", &[("number", (tricycle + 1).into()), ("area", area())]));
        for trip in plan.trips.iter().filter(|t| t.tricycle == tricycle) {
            let bags: usize = trip.stops.iter().map(|s| s.bags.len()).sum();
            let load: f64 =
                trip.stops.iter().flat_map(|s| &s.bags).map(|b| instance.jobs[b.job].bags[b.bag].kg.get()).sum();
            let stations: Vec<String> = trip.stops.iter().map(|s| safe(&instance.stations[s.station].id)).collect();
            let args = [
                ("time", clock(trip.start_s)),
                ("bags", bags.into()),
                ("kg", kg(load)),
                ("stations", stations.join(&list).into()),
            ];
            let _ = writeln!(page, "{}", t("sheet-gate-load", &args));
            for stop in &trip.stops {
                let mut orders: Vec<String> = stop.bags.iter().map(|b| safe(&instance.jobs[b.job].id)).collect();
                orders.dedup();
                let load: f64 = stop.bags.iter().map(|b| instance.jobs[b.job].bags[b.bag].kg.get()).sum();
                let args = [
                    ("time", clock(stop.arrive_s)),
                    ("station", station(stop.station)),
                    ("bags", stop.bags.len().into()),
                    ("kg", kg(load)),
                    ("orders", orders.join(&list).into()),
                ];
                let _ = writeln!(page, "{}", t("sheet-station-unload", &args));
            }
            let _ = writeln!(page, "{}\n", t("sheet-back-at-gate", &[("time", clock(trip.end_s))]));
        }
        pages.push((format!("tricycle-{}.md", tricycle + 1), page));
    }
    let porters = plan.outings.iter().map(|o| o.porter).max().map_or(0, |m| m + 1);
    let drop_separator = t("sheet-drop-separator", &[]);
    for porter in 0..porters {
        let mut page =
            format!("# {}\n\n", t("sheet-porter-title", &[("number", (porter + 1).into()), ("area", area())]));
        let mut outings: Vec<_> = plan.outings.iter().filter(|o| o.porter == porter).collect();
        outings.sort_by(|a, b| a.start_s.total_cmp(&b.start_s));
        for outing in outings {
            let take: Vec<String> = outing
                .climbs
                .iter()
                .flat_map(|c| &c.drops)
                .map(|d| {
                    t(
                        "sheet-item",
                        &[("order", safe(&instance.jobs[d.job].id).into()), ("kg", kg(kg_of(d.job, &d.bags)))],
                    )
                })
                .collect();
            let args = [
                ("time", clock(outing.start_s)),
                ("station", station(outing.station)),
                ("items", take.join(&list).into()),
            ];
            let _ = writeln!(page, "{}", t("sheet-take", &args));
            for climb in &outing.climbs {
                let drops: Vec<String> = climb
                    .drops
                    .iter()
                    .map(|d| {
                        let job = &instance.jobs[d.job];
                        let order = ("order", Arg::Text(safe(&job.id)));
                        let floor = ("floor", Arg::from(d.floor as usize));
                        match job.unit.as_deref() {
                            Some(u) => t("sheet-drop-door", &[floor, order, ("door", door(lang, u).into())]),
                            None => t("sheet-drop", &[floor, order]),
                        }
                    })
                    .collect();
                let args = [
                    ("time", clock(climb.arrive_s)),
                    ("stairwell", safe(&instance.stairwells[climb.stairwell].label).into()),
                    ("drops", drops.join(&drop_separator).into()),
                ];
                let _ = writeln!(page, "{}", t("sheet-climb", &args));
            }
            let _ = writeln!(
                page,
                "{}\n",
                t("sheet-back-at", &[("time", clock(outing.end_s)), ("station", station(outing.station))])
            );
        }
        pages.push((format!("porter-{}.md", porter + 1), page));
    }
    pages
}

#[cfg(test)]
mod tests {
    use super::{door, safe};
    use lastmetre_text::Lang;

    #[test]
    fn printed_text_stays_on_its_line_and_reads_as_itself() {
        assert_eq!(safe("I3-nl\n17:20  Station T9: take FAKE"), "I3-nl 17:20  Station T9: take FAKE");
        assert_eq!(safe("<b>*x*</b>"), "\\<b\\>\\*x\\*\\</b\\>");
        assert_eq!(safe("17号楼 2单元"), "17号楼 2单元");
        assert_eq!(safe("a\u{202e}b"), "a b");
    }

    #[test]
    fn every_reason_has_its_texts_in_every_language() {
        use lastmetre_model::plan::Reason;
        let all = [
            Reason::NoStationReaches,
            Reason::PorterEnergy,
            Reason::FleetLimit,
            Reason::NoFleet,
            Reason::StationStorage,
            Reason::Held,
        ];
        // No catch-all: a new reason does not compile until it is listed above.
        for r in all {
            match r {
                Reason::NoStationReaches
                | Reason::PorterEnergy
                | Reason::FleetLimit
                | Reason::NoFleet
                | Reason::StationStorage
                | Reason::Held => {}
            }
        }
        for lang in Lang::ALL {
            for r in all {
                for kind in ["reason", "action"] {
                    let id = format!("{kind}-{}", r.code());
                    assert_ne!(lastmetre_text::text(lang, &id, &[]), id, "{} lacks {id}", lang.code());
                }
            }
        }
    }

    #[test]
    fn doors_read_as_people_say_them() {
        assert_eq!(door(Lang::Zh, "502"), "502室");
        assert_eq!(door(Lang::En, "502"), "502");
        assert_eq!(door(Lang::Zh, "B-2"), "B-2");
    }
}
