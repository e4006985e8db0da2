//! Property tests: hostile input never panics, generated areas always validate, and the travel
//! matrices obey the geometry they come from.

use lastmetre::model::TRICYCLE_TOP_SPEED;
use lastmetre::synth::{VillageOptions, village};
use lastmetre::{Area, AreaParams, LoadError, load_area_bytes};
use proptest::prelude::*;
use serde_json::{Value, json};

const TINY: &str = include_str!("../data/examples/tiny.geojson");

/// Loading must end in an area or in problems, never in a panic or a silent empty answer.
fn load_never_panics(bytes: &[u8]) {
    match load_area_bytes(bytes, &AreaParams::default()) {
        Ok(built) => assert!(!built.area.gates.is_empty()),
        Err(LoadError::Invalid(problems)) => assert!(problems.iter().any(|p| p.is_error())),
        Err(LoadError::Read(e)) => panic!("in-memory read failed: {e}"),
    }
}

const KEYS: &[&str] = &[
    "kind",
    "width",
    "building:levels",
    "floor",
    "level",
    "stairwell_id",
    "building_id",
    "open",
    "capacity_kg",
    "residents",
    "incline",
    "layer",
    "tricycle",
    "foot",
    "top_floor",
    "storey_height",
    "id",
    "highway",
];

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        (-200.0..200.0f64).prop_map(Value::from),
        "[a-z0-9 .%-]{0,8}".prop_map(Value::from),
        Just(json!("yes")),
        Just(json!("b-1")),
    ];
    leaf.prop_recursive(2, 8, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec(("[a-z]{1,4}", inner), 0..3).prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

/// One edit of the example: a property, the geometry, the id, or a whole feature removed.
#[derive(Clone, Debug)]
enum Edit {
    Property(usize, usize, Value),
    Geometry(usize, Value),
    Coordinates(usize, Value),
    Id(usize, Value),
    Remove(usize),
    Duplicate(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    let f = 0..17usize;
    prop_oneof![
        (f.clone(), 0..KEYS.len(), json_value()).prop_map(|(f, k, v)| Edit::Property(f, k, v)),
        (f.clone(), json_value()).prop_map(|(f, v)| Edit::Geometry(f, v)),
        (f.clone(), json_value()).prop_map(|(f, v)| Edit::Coordinates(f, v)),
        (f.clone(), json_value()).prop_map(|(f, v)| Edit::Id(f, v)),
        f.clone().prop_map(Edit::Remove),
        f.prop_map(Edit::Duplicate),
    ]
}

fn apply(v: &mut Value, edit: &Edit) {
    let features = v["features"].as_array_mut().unwrap();
    let n = features.len();
    if n == 0 {
        return;
    }
    match edit {
        Edit::Property(f, k, value) => features[f % n]["properties"][KEYS[*k]] = value.clone(),
        Edit::Geometry(f, value) => features[f % n]["geometry"] = value.clone(),
        Edit::Coordinates(f, value) => {
            if let Some(g) = features[f % n]["geometry"].as_object_mut() {
                g.insert("coordinates".into(), value.clone());
            }
        }
        Edit::Id(f, value) => features[f % n]["id"] = value.clone(),
        Edit::Remove(f) => {
            features.remove(f % n);
        }
        Edit::Duplicate(f) => {
            let copy = features[f % n].clone();
            features.push(copy);
        }
    }
}

fn generated(households: usize, seed: u64) -> Area {
    let spec = village(&VillageOptions::new(households, seed)).expect("generator accepts");
    lastmetre::area::build(&spec, &AreaParams::default()).expect("generated areas are valid").area
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn edited_files_never_panic(edits in prop::collection::vec(edit(), 1..6)) {
        let mut v: Value = serde_json::from_str(TINY).unwrap();
        for e in &edits {
            apply(&mut v, e);
        }
        load_never_panics(&serde_json::to_vec(&v).unwrap());
    }

    #[test]
    fn damaged_bytes_never_panic(
        cuts in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0..3u8), 1..8)
    ) {
        let mut bytes = TINY.as_bytes().to_vec();
        for (at, byte, how) in cuts {
            if bytes.is_empty() { break; }
            let i = at.index(bytes.len());
            match how {
                0 => bytes[i] = byte,
                1 => { bytes.remove(i); }
                _ => bytes.insert(i, byte),
            }
        }
        load_never_panics(&bytes);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn every_generated_area_validates(households in 1usize..2500, seed in any::<u64>()) {
        let spec = village(&VillageOptions::new(households, seed)).unwrap();
        let built = lastmetre::area::build(&spec, &AreaParams::default());
        let built = built.map_err(|p| format!("{p:#?}")).unwrap();
        prop_assert!(built.warnings.is_empty(), "{:?}", built.warnings);
        prop_assert_eq!(built.area.households.len(), households);
        prop_assert!(built.area.open_sites().count() >= 1);
    }

    #[test]
    fn walking_distances_obey_the_triangle_inequality(households in 50usize..1500, seed in any::<u64>()) {
        let area = generated(households, seed);
        let m = area.matrices();
        let doors = area.stairwells.len().min(40);
        let slack = |d: f64| 1e-3 + 1e-5 * d;
        for a in 0..doors {
            for b in 0..doors {
                let ab = m.walk_door_to_door.get(a, b).expect("connected").get();
                prop_assert!((ab - m.walk_door_to_door.get(b, a).unwrap().get()).abs() <= slack(ab));
                for c in 0..doors {
                    let ac = m.walk_door_to_door.get(a, c).unwrap().get();
                    let bc = m.walk_door_to_door.get(b, c).unwrap().get();
                    prop_assert!(ac <= ab + bc + slack(ab + bc), "{a}->{c} {ac} > {ab} + {bc}");
                }
            }
        }
        for s in 0..area.sites.len() {
            for b in 0..doors {
                let sb = m.walk_site_to_door.get(s, b).unwrap().get();
                for c in 0..doors {
                    let sc = m.walk_site_to_door.get(s, c).unwrap().get();
                    let bc = m.walk_door_to_door.get(b, c).unwrap().get();
                    prop_assert!(sc <= sb + bc + slack(sb + bc));
                }
            }
        }
    }

    #[test]
    fn tricycle_times_never_beat_the_straight_line_at_top_speed(households in 50usize..3000, seed in any::<u64>()) {
        let area = generated(households, seed);
        let m = area.matrices();
        let depots: Vec<_> = area.gates.iter().map(|g| g.node).chain(area.sites.iter().map(|s| s.node)).collect();
        for (i, a) in depots.iter().enumerate() {
            for (j, b) in depots.iter().enumerate() {
                let (pa, pb) = (area.graph[*a].at, area.graph[*b].at);
                let straight = (pa[0] - pb[0]).hypot(pa[1] - pb[1]);
                let t = m.tricycle_time.get(i, j).expect("generated sites are reachable").get();
                prop_assert!(t + 1e-3 >= straight / TRICYCLE_TOP_SPEED.get(), "{i}->{j}: {t} s for {straight} m");
            }
        }
    }
}
