//! The bundled founding-case area loads as `data/README.md` promises, and its matrices are
//! complete where a plan needs them.

use lastmetre::{AreaParams, load_area};
use std::path::Path;

fn niuxie() -> lastmetre::Built {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/niuxie/area.geojson");
    load_area(&path, &AreaParams::default()).expect("the bundled area is valid")
}

#[test]
fn niuxie_matches_the_founding_case() {
    let built = niuxie();
    assert!(built.warnings.is_empty(), "{:?}", built.warnings);
    let s = built.area.summary();
    assert_eq!(s.households, 713);
    assert_eq!(s.residents, 1681);
    assert_eq!(s.households_without_residents, 0);
    assert_eq!(s.open_stations, 8);
    assert!(s.station_sites > 8, "further candidate sites");
    assert_eq!(s.gates, 1);
    assert!((4..=7).contains(&s.highest_floor));
    // Narrow lanes: much of the network is open on foot only.
    assert!(s.foot_only_km > 0.3 * (s.tricycle_km + s.foot_only_km), "{s:?}");
}

#[test]
fn niuxie_matrices_connect_every_station_and_door() {
    let area = niuxie().area;
    let m = area.matrices();
    let open: Vec<usize> = area.open_sites().collect();
    for &site in &open {
        let t = m.tricycle_time.get(0, m.site_depot(site)).expect("gate reaches every open station");
        // Inside a few hundred metres at 6 km/h: minutes, not hours.
        assert!(t.get() > 0.0 && t.get() < 600.0, "{t}");
        for door in 0..area.stairwells.len() {
            let d = m.walk_site_to_door.get(site, door).expect("walkable");
            assert!(d.get() < 1000.0, "{d}");
        }
    }
    for door in 0..area.stairwells.len() {
        assert_eq!(m.walk_door_to_door.get(door, door).map(|d| d.get()), Some(0.0));
    }
    // Some household is at most a short walk from its nearest open station.
    let nearest = (0..area.stairwells.len())
        .map(|d| open.iter().map(|s| m.walk_site_to_door.get(*s, d).unwrap().get()).fold(f64::MAX, f64::min));
    assert!(nearest.fold(0.0, f64::max) < 200.0);
}

#[test]
fn unreachable_pairs_are_explicit() {
    // Two gates with a wall between them: each reaches its own side only.
    let tiny = include_str!("../data/examples/tiny.geojson");
    let mut v: serde_json::Value = serde_json::from_str(tiny).unwrap();
    let features = v["features"].as_array_mut().unwrap();
    features.push(serde_json::json!({
        "type": "Feature", "id": "far-lane",
        "geometry": { "type": "LineString", "coordinates": [[109.9420, 33.8700], [109.9430, 33.8700]] },
        "properties": { "kind": "lane", "width": 3.0, "highway": "residential" }
    }));
    features.push(serde_json::json!({
        "type": "Feature", "id": "east-gate",
        "geometry": { "type": "Point", "coordinates": [109.9430, 33.8700] },
        "properties": { "kind": "gate" }
    }));
    let built = lastmetre::load_area_bytes(&serde_json::to_vec(&v).unwrap(), &AreaParams::default()).unwrap();
    let m = built.area.matrices();
    assert!(m.tricycle_time.get(0, 1).is_none());
    assert!(m.tricycle_time.get(1, 0).is_none());
    assert!(m.tricycle_time.get(0, m.site_depot(0)).is_some());
}
