//! Any fixture either imports into an area that validates, or fails with a clear error.

mod common;

use common::Map;
use lastmetre_area::build;
use lastmetre_model::AreaParams;
use lastmetre_osm::{GateChoice, Options, import};
use proptest::prelude::*;

const HIGHWAYS: [&str; 8] = ["residential", "service", "footway", "steps", "path", "pedestrian", "primary", "track"];
const WIDTHS: [Option<&str>; 5] = [None, Some("1.2"), Some("2 m"), Some("4"), Some("wide")];
const BUILDINGS: [&str; 6] = ["residential", "yes", "house", "apartments", "school", "no"];
const LEVELS: [Option<&str>; 5] = [None, Some("0"), Some("3"), Some("5;6"), Some("x")];
const ENTRANCES: [&str; 4] = ["staircase", "yes", "service", "main"];

type Way = (Vec<(f64, f64)>, usize, usize, bool, bool);
type Building = (f64, f64, f64, f64, usize, usize, Option<u8>, Vec<(f64, usize)>);

fn way() -> impl Strategy<Value = Way> {
    (
        prop::collection::vec((-60.0..160.0f64, -60.0..160.0f64), 2..5),
        0..HIGHWAYS.len(),
        0..WIDTHS.len(),
        any::<bool>(),
        prop::bool::weighted(0.1),
    )
}

fn building() -> impl Strategy<Value = Building> {
    (
        -50.0..150.0f64,
        -50.0..150.0f64,
        4.0..40.0f64,
        4.0..20.0f64,
        0..BUILDINGS.len(),
        0..LEVELS.len(),
        prop::option::of(0..30u8),
        prop::collection::vec((0.1..0.9f64, 0..ENTRANCES.len()), 0..3),
    )
}

fn fixture(ways: &[Way], buildings: &[Building], bounds: bool) -> Map {
    let mut m = Map::new();
    let mut last_end = None;
    for (k, (points, highway, width, gate, private)) in ways.iter().enumerate() {
        // Ways meet: each later way starts where the previous one ended, most of the time.
        let first = match last_end {
            Some(end) if k % 3 != 0 => end,
            _ => m.node(points[0].0, points[0].1, if *gate { &[("barrier", "gate")] } else { &[] }),
        };
        let mut refs = vec![first];
        refs.extend(points[1..].iter().map(|(x, y)| m.node(*x, *y, &[])));
        last_end = refs.last().copied();
        let mut tags = vec![("highway", HIGHWAYS[*highway])];
        if let Some(w) = WIDTHS[*width] {
            tags.push(("width", w));
        }
        if *private {
            tags.push(("access", "private"));
        }
        m.way_of(refs, &tags);
    }
    for (x, y, w, h, kind, levels, flats, doors) in buildings {
        let flats = flats.map(|f| f.to_string());
        let mut tags = vec![("building", BUILDINGS[*kind])];
        if let Some(l) = LEVELS[*levels] {
            tags.push(("building:levels", l));
        }
        if let Some(f) = &flats {
            tags.push(("building:flats", f.as_str()));
        }
        let door_tags: Vec<[(&str, &str); 1]> = doors.iter().map(|(_, e)| [("entrance", ENTRANCES[*e])]).collect();
        let doors: Vec<(f64, &[(&str, &str)])> = doors.iter().zip(&door_tags).map(|((a, _), t)| (*a, &t[..])).collect();
        m.building(*x, *y, *w, *h, &tags, &doors);
    }
    if bounds {
        m.bounds = Some([-20.0, -20.0, 120.0, 120.0]);
    }
    m
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn imports_into_a_valid_area_or_fails_clearly(
        ways in prop::collection::vec(way(), 0..6),
        buildings in prop::collection::vec(building(), 0..5),
        bounds in any::<bool>(),
        gate in prop::option::of((0..3u8, -60.0..160.0f64, -60.0..160.0f64)),
    ) {
        let m = fixture(&ways, &buildings, bounds);
        let gate = gate.map(|(kind, x, y)| match kind {
            0 => GateChoice::Node(1000),
            1 => GateChoice::Node(999_999),
            _ => GateChoice::At(m.at(x, y)),
        });
        match import(&m.xml(), &Options { gate, ..Options::default() }) {
            Ok(imported) => {
                prop_assert!(imported.is_valid(), "{:?}", imported.problems);
                let built = build(&imported.spec, &AreaParams::default());
                prop_assert!(built.is_ok(), "{:?}", built.err());
                prop_assert!(!imported.spec.households.is_empty());
            }
            // About a quarter of the cases import; the rest meet each error kind.
            Err(e) => prop_assert!(e.to_string().len() > 20, "{e}"),
        }
    }

    #[test]
    fn a_cut_file_is_refused_or_whole(cut in 0.0..1.0f64) {
        let xml = common::street_and_walkup().xml();
        let at = ((xml.len() as f64 * cut) as usize).min(xml.len());
        let at = (0..=at).rev().find(|i| xml.is_char_boundary(*i)).unwrap_or(0);
        let whole = xml[at..].trim().is_empty();
        match import(&xml[..at], &Options::default()) {
            Ok(_) => prop_assert!(whole || xml[at..].trim() == "</osm>", "a file cut at {at} imported"),
            Err(e) => prop_assert!(e.to_string().contains("OSM") || e.to_string().contains("line"), "{e}"),
        }
    }
}
