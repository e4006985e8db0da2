//! Any fixture either imports into an area that validates, or fails with a clear error.

mod common;

use common::Map;
use lastmetre_area::build;
use lastmetre_model::AreaParams;
use lastmetre_osm::{Boundary, GateChoice, ImportError, Options, boundary_from_geojson, import};
use proptest::prelude::*;

const HIGHWAYS: [&str; 8] = ["residential", "service", "footway", "steps", "path", "pedestrian", "primary", "track"];
const WIDTHS: [Option<&str>; 5] = [None, Some("1.2"), Some("2 m"), Some("4"), Some("wide")];
const BUILDINGS: [&str; 6] = ["residential", "yes", "house", "apartments", "school", "no"];
const LEVELS: [Option<&str>; 5] = [None, Some("0"), Some("3"), Some("5;6"), Some("x")];
const ENTRANCES: [&str; 4] = ["staircase", "yes", "service", "main"];
/// `building:flats` and `addr:flats` values, sane and hostile.
const FLATS: [&str; 7] = ["0", "4", "12", "999999999", "-3", "1-10000;1-10000", "1-24"];

/// Points, highway, width, gate at the start, access=private, a reference to a missing node.
type Way = (Vec<(f64, f64)>, usize, usize, bool, bool, bool);
/// Position, size, building, levels, flats, doors (position along the south side, entrance, addr:flats).
type Building = (f64, f64, f64, f64, usize, usize, Option<usize>, Vec<(f64, usize, Option<usize>)>);

fn way() -> impl Strategy<Value = Way> {
    (
        prop::collection::vec((-60.0..160.0f64, -60.0..160.0f64), 0..5),
        0..HIGHWAYS.len(),
        0..WIDTHS.len(),
        any::<bool>(),
        prop::bool::weighted(0.1),
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
        prop::option::of(0..FLATS.len()),
        prop::collection::vec((0.1..0.9f64, 0..ENTRANCES.len(), prop::option::of(0..FLATS.len())), 0..3),
    )
}

fn fixture(ways: &[Way], buildings: &[Building], relation: Option<(i64, i64)>, bounds: bool) -> Map {
    let mut m = Map::new();
    let mut last_end = None;
    for (k, (points, highway, width, gate, private, missing)) in ways.iter().enumerate() {
        // Ways meet: each later way starts where the previous one ended, most of the time.
        let mut refs = Vec::new();
        if let Some((first, rest)) = points.split_first() {
            refs.push(match last_end {
                Some(end) if k % 3 != 0 => end,
                _ => m.node(first.0, first.1, if *gate { &[("barrier", "gate")] } else { &[] }),
            });
            refs.extend(rest.iter().map(|(x, y)| m.node(*x, *y, &[])));
        }
        if *missing {
            refs.push(999_999);
        }
        last_end = refs.last().copied().filter(|r| *r != 999_999).or(last_end);
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
        let mut tags = vec![("building", BUILDINGS[*kind])];
        if let Some(l) = LEVELS[*levels] {
            tags.push(("building:levels", l));
        }
        if let Some(f) = flats {
            tags.push(("building:flats", FLATS[*f]));
        }
        let door_tags: Vec<Vec<(&str, &str)>> = doors
            .iter()
            .map(|(_, e, f)| {
                let mut t = vec![("entrance", ENTRANCES[*e])];
                t.extend(f.map(|f| ("addr:flats", FLATS[f])));
                t
            })
            .collect();
        let doors: Vec<(f64, &[(&str, &str)])> =
            doors.iter().zip(&door_tags).map(|((a, _, _), t)| (*a, &t[..])).collect();
        m.building(*x, *y, *w, *h, &tags, &doors);
    }
    if let Some((a, b)) = relation {
        // A multipolygon building over ways that may or may not exist, or close.
        let members = format!(
            "    <member type=\"way\" ref=\"{a}\" role=\"outer\"/>\n    <member type=\"way\" ref=\"{b}\" role=\"outer\"/>\n"
        );
        m.relation(&members, &[("type", "multipolygon"), ("building", "apartments")]);
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
        relation in prop::option::of((100..110i64, 100..110i64)),
        bounds in any::<bool>(),
        concave in prop::bool::weighted(0.2),
        gate in prop::option::of((0..3u8, -60.0..160.0f64, -60.0..160.0f64)),
    ) {
        let m = fixture(&ways, &buildings, relation, bounds);
        let gate = gate.map(|(kind, x, y)| match kind {
            0 => GateChoice::Node(1000),
            1 => GateChoice::Node(999_999),
            _ => GateChoice::At(m.at(x, y)),
        });
        // An L-shaped outline, whose notch ways may cross between two inside vertices.
        let boundary: Option<Boundary> = concave.then(|| {
            let ring: Vec<String> = [(-40.0, -40.0), (140.0, -40.0), (140.0, 40.0), (40.0, 40.0), (40.0, 140.0), (-40.0, 140.0), (-40.0, -40.0)]
                .iter()
                .map(|(x, y)| {
                    let p = m.at(*x, *y);
                    format!("[{}, {}]", p.lon, p.lat)
                })
                .collect();
            boundary_from_geojson(&format!(r#"{{"type": "Polygon", "coordinates": [[{}]]}}"#, ring.join(", "))).unwrap()
        });
        match import(&m.xml(), &Options { gate, boundary, ..Options::default() }) {
            Ok(imported) => {
                prop_assert!(imported.is_valid(), "{:?}", imported.problems);
                let built = build(&imported.spec, &AreaParams::default());
                prop_assert!(built.is_ok(), "{:?}", built.err());
                prop_assert!(!imported.spec.households.is_empty());
            }
            // About a quarter of the cases import; the rest meet each of these errors, and no other.
            Err(e) => prop_assert!(
                matches!(
                    e,
                    ImportError::NoBuildings(_)
                        | ImportError::NoWalkableWay
                        | ImportError::GateNodeMissing(_)
                        | ImportError::GateUnreachable { .. }
                ),
                "{e}"
            ),
        }
    }

    #[test]
    fn a_cut_file_is_refused_or_whole(cut in 0.0..1.0f64) {
        let xml = common::street_and_walkup().xml();
        let at = ((xml.len() as f64 * cut) as usize).min(xml.len());
        let at = (0..=at).rev().find(|i| xml.is_char_boundary(*i)).unwrap_or(0);
        let whole = xml[at..].trim().is_empty();
        match import(&xml[..at], &Options::default()) {
            Ok(_) => prop_assert!(whole, "a file cut at {at} imported"),
            Err(ImportError::Truncated { .. }) => prop_assert!(!whole),
            // Cut inside a tag or before the root element.
            Err(ImportError::Malformed { .. } | ImportError::NotOsm { .. }) => prop_assert!(!whole),
            Err(e) => prop_assert!(false, "a cut file gave {e}"),
        }
    }
}
