//! Every problem code, triggered from the documented example area (`data/examples/tiny.geojson`).
//!
//! Each case changes the example the way a tracer's mistake would, loads it through the public
//! API, and asserts the code a user would see and the feature it names.

use lastmetre::formats::{Limits, read_area};
use lastmetre::{AreaParams, Code, LoadError, Problem, load_area_bytes};
use serde_json::{Value, json};

const TINY: &str = include_str!("../data/examples/tiny.geojson");

fn tiny() -> Value {
    serde_json::from_str(TINY).expect("example parses")
}

/// Metres east and north of the example's origin as [lon, lat], as the example was made.
fn at(x: f64, y: f64) -> Value {
    let m_lat = 6_371_008.8 * std::f64::consts::PI / 180.0;
    let m_lon = m_lat * 33.87f64.to_radians().cos();
    json!([109.94 + x / m_lon, 33.87 + y / m_lat])
}

fn features(v: &mut Value) -> &mut Vec<Value> {
    v["features"].as_array_mut().expect("features")
}

fn feature<'a>(v: &'a mut Value, id: &str) -> &'a mut Value {
    features(v).iter_mut().find(|f| f["id"] == id).unwrap_or_else(|| panic!("no feature {id}"))
}

fn add(v: &mut Value, id: &str, geometry: Value, properties: Value) {
    features(v).push(json!({ "type": "Feature", "id": id, "geometry": geometry, "properties": properties }));
}

fn point(x: f64, y: f64) -> Value {
    json!({ "type": "Point", "coordinates": at(x, y) })
}

fn line(points: &[(f64, f64)]) -> Value {
    json!({ "type": "LineString", "coordinates": points.iter().map(|(x, y)| at(*x, *y)).collect::<Vec<_>>() })
}

/// All problems, errors and warnings, from loading `bytes`.
fn problems(bytes: &[u8]) -> Vec<Problem> {
    match load_area_bytes(bytes, &AreaParams::default()) {
        Ok(built) => built.warnings,
        Err(LoadError::Invalid(problems)) => problems,
        Err(e) => panic!("unexpected {e}"),
    }
}

fn expect(problems: &[Problem], code: Code, feature: Option<&str>) {
    assert!(
        problems.iter().any(|p| p.code == code && p.feature.as_deref() == feature),
        "expected {code} naming {feature:?}, got:\n{}",
        problems.iter().map(|p| p.to_string()).collect::<Vec<_>>().join("\n")
    );
}

fn expect_after(change: impl FnOnce(&mut Value), code: Code, feature: Option<&str>) -> Vec<Problem> {
    let mut v = tiny();
    change(&mut v);
    let found = problems(&serde_json::to_vec(&v).unwrap());
    expect(&found, code, feature);
    found
}

#[test]
fn the_example_is_valid_without_warnings() {
    let built = load_area_bytes(TINY.as_bytes(), &AreaParams::default()).expect("valid");
    assert!(built.warnings.is_empty(), "{:?}", built.warnings);
    let s = built.area.summary();
    assert_eq!((s.households, s.residents, s.buildings, s.stairwells, s.highest_floor), (5, 12, 1, 2, 5));
    assert_eq!((s.open_stations, s.station_sites, s.gates), (1, 2, 1));
    // street-1 is 70 m; alley-1 (40 m), steps-1 (30 m) and the 15 % lane-2 (40 m) are foot only.
    assert!((s.tricycle_km - 0.070).abs() < 0.001, "{s:?}");
    assert!((s.foot_only_km - 0.110).abs() < 0.001, "{s:?}");
}

/// The cases below, one per code; `every_code_has_a_case` keeps the list complete.
const COVERED: &[Code] = &[
    Code::MalformedJson,
    Code::NotGeoJson,
    Code::TooLarge,
    Code::UnknownKind,
    Code::MissingId,
    Code::DuplicateId,
    Code::WrongGeometry,
    Code::NotLonLat,
    Code::BadCrs,
    Code::BadValue,
    Code::PersonalData,
    Code::DegenerateGeometry,
    Code::MissingProperty,
    Code::DanglingStairwell,
    Code::DanglingBuilding,
    Code::FloorOutOfRange,
    Code::NotPositive,
    Code::NoGate,
    Code::LaneIsland,
    Code::TooFarFromLane,
    Code::NotTricycleReachable,
    Code::HouseholdUnreachable,
    Code::EndpointsJoined,
    Code::CrossingJoined,
    Code::BuildingWithoutStairwell,
    Code::StairwellWithoutHouseholds,
    Code::DoorFarFromBuilding,
    Code::NoOpenStation,
];

/// Area codes; the order and fleet codes (E3xx) have their cases in `tests/orders.rs`.
fn is_area_code(code: &Code) -> bool {
    !code.as_str().starts_with("E3")
}

#[test]
fn every_code_has_a_case() {
    for code in Code::ALL.iter().filter(|c| is_area_code(c)) {
        assert!(COVERED.contains(code), "{code} has no test case");
    }
}

#[test]
fn e001_malformed_json_names_line_and_column() {
    let found = problems(b"{\"type\": \"FeatureCollection\",\n \"features\": [,]}");
    expect(&found, Code::MalformedJson, None);
    assert!(found[0].message.contains("line 2"), "{}", found[0].message);
}

#[test]
fn e002_not_geojson() {
    expect(&problems(br#"{"type": "Topology"}"#), Code::NotGeoJson, None);
    expect(&problems(b"[1, 2]"), Code::NotGeoJson, None);
    expect_after(
        |v| feature(v, "gate-west")["geometry"] = json!({ "type": "Circle", "coordinates": [1, 2] }),
        Code::NotGeoJson,
        Some("gate-west"),
    );
}

#[test]
fn e003_limits_are_enforced() {
    let few = Limits { max_features: 3, ..Limits::default() };
    expect(&read_area(TINY.as_bytes(), &few).1, Code::TooLarge, None);
    let small = Limits { max_bytes: 100, ..Limits::default() };
    expect(&read_area(TINY.as_bytes(), &small).1, Code::TooLarge, None);
    let short = Limits { max_positions: 2, ..Limits::default() };
    expect(&read_area(TINY.as_bytes(), &short).1, Code::TooLarge, Some("street-1"));
}

#[test]
fn e004_unknown_or_missing_kind() {
    expect_after(|v| feature(v, "site-2")["properties"]["kind"] = json!("tree"), Code::UnknownKind, Some("site-2"));
    expect_after(
        |v| feature(v, "site-2")["properties"].as_object_mut().unwrap().remove("kind").map(drop).unwrap(),
        Code::UnknownKind,
        Some("site-2"),
    );
}

#[test]
fn e005_missing_id_names_the_feature_position() {
    let found = expect_after(
        |v| {
            feature(v, "site-2").as_object_mut().unwrap().remove("id");
        },
        Code::MissingId,
        Some("feature #15"),
    );
    assert_eq!(found.len(), 1);
}

#[test]
fn ids_may_also_come_from_properties() {
    let mut v = tiny();
    let site = feature(&mut v, "site-2");
    site.as_object_mut().unwrap().remove("id");
    site["properties"]["id"] = json!("site-2");
    assert!(load_area_bytes(&serde_json::to_vec(&v).unwrap(), &AreaParams::default()).is_ok());
}

#[test]
fn e006_duplicate_id() {
    expect_after(|v| feature(v, "site-2")["id"] = json!("h-101"), Code::DuplicateId, Some("h-101"));
}

#[test]
fn e007_wrong_geometry() {
    expect_after(|v| feature(v, "alley-1")["geometry"] = point(30.0, 5.0), Code::WrongGeometry, Some("alley-1"));
    expect_after(|v| feature(v, "gate-west")["geometry"] = Value::Null, Code::WrongGeometry, Some("gate-west"));
}

#[test]
fn e008_projected_or_swapped_coordinates() {
    let found = expect_after(
        |v| feature(v, "site-2")["geometry"]["coordinates"] = json!([12_238_000.0, 4_010_000.0]),
        Code::NotLonLat,
        Some("site-2"),
    );
    assert!(found.iter().any(|p| p.hint.contains("projected")));
    let found = expect_after(
        |v| feature(v, "site-2")["geometry"]["coordinates"] = json!([33.87, 109.94]),
        Code::NotLonLat,
        Some("site-2"),
    );
    assert!(found.iter().any(|p| p.hint.contains("swapped")));
}

#[test]
fn e009_foreign_crs() {
    expect_after(
        |v| v["crs"] = json!({ "type": "name", "properties": { "name": "urn:ogc:def:crs:EPSG::3857" } }),
        Code::BadCrs,
        None,
    );
}

#[test]
fn e010_unreadable_values() {
    expect_after(|v| feature(v, "alley-1")["properties"]["width"] = json!("wide"), Code::BadValue, Some("alley-1"));
    expect_after(|v| feature(v, "site-1")["properties"]["open"] = json!("maybe"), Code::BadValue, Some("site-1"));
    expect_after(|v| feature(v, "h-301")["properties"]["level"] = json!(0), Code::BadValue, Some("h-301"));
    // A hostile level count would otherwise make a billion landings.
    expect_after(
        |v| feature(v, "b-1")["properties"]["building:levels"] = json!(999_999_999),
        Code::BadValue,
        Some("b-1"),
    );
    expect_after(
        |v| feature(v, "h-101")["properties"]["residents"] = json!(5_000_000_000i64),
        Code::BadValue,
        Some("h-101"),
    );
}

#[test]
fn osm_level_counts_from_zero() {
    let mut v = tiny();
    let h = feature(&mut v, "h-301");
    h["properties"].as_object_mut().unwrap().remove("floor");
    h["properties"]["level"] = json!("2");
    let built = load_area_bytes(&serde_json::to_vec(&v).unwrap(), &AreaParams::default()).unwrap();
    let h = built.area.households.iter().find(|h| h.id == "h-301").unwrap();
    assert_eq!(h.floor, 3);
}

#[test]
fn e011_personal_data() {
    expect_after(|v| feature(v, "h-101")["properties"]["name"] = json!("Wang"), Code::PersonalData, Some("h-101"));
    expect_after(
        |v| feature(v, "h-101")["properties"]["note"] = json!("139 1234 5678"),
        Code::PersonalData,
        Some("h-101"),
    );
}

#[test]
fn e012_degenerate_lane() {
    expect_after(
        |v| feature(v, "alley-1")["geometry"] = line(&[(30.0, 0.0), (30.0, 0.0)]),
        Code::DegenerateGeometry,
        Some("alley-1"),
    );
}

#[test]
fn e013_missing_property() {
    expect_after(
        |v| {
            feature(v, "b-1")["properties"].as_object_mut().unwrap().remove("building:levels");
        },
        Code::MissingProperty,
        Some("b-1"),
    );
    expect_after(
        |v| {
            feature(v, "h-101")["properties"].as_object_mut().unwrap().remove("stairwell_id");
        },
        Code::MissingProperty,
        Some("h-101"),
    );
}

#[test]
fn e101_e102_dangling_references() {
    let found = expect_after(
        |v| feature(v, "h-201")["properties"]["stairwell_id"] = json!("b-1-9"),
        Code::DanglingStairwell,
        Some("h-201"),
    );
    assert_eq!(found.iter().filter(|p| p.is_error()).count(), 1, "{found:?}");
    expect_after(
        |v| feature(v, "b-1-2")["properties"]["building_id"] = json!("b-7"),
        Code::DanglingBuilding,
        Some("b-1-2"),
    );
}

#[test]
fn a_rejected_stairwell_does_not_also_leave_its_households_dangling() {
    let found = expect_after(|v| feature(v, "b-1-2")["geometry"] = Value::Null, Code::WrongGeometry, Some("b-1-2"));
    assert!(!found.iter().any(|p| p.code == Code::DanglingStairwell), "{found:?}");
}

#[test]
fn e103_floor_outside_levels() {
    expect_after(|v| feature(v, "h-501")["properties"]["floor"] = json!(6), Code::FloorOutOfRange, Some("h-501"));
    expect_after(|v| feature(v, "h-101")["properties"]["floor"] = json!(0), Code::FloorOutOfRange, Some("h-101"));
    // b-1-2 serves floors 1..=4 of a 5-storey building.
    expect_after(|v| feature(v, "h-402")["properties"]["floor"] = json!(5), Code::FloorOutOfRange, Some("h-402"));
    expect_after(|v| feature(v, "b-1-2")["properties"]["top_floor"] = json!(9), Code::FloorOutOfRange, Some("b-1-2"));
}

#[test]
fn e104_zero_or_negative_values() {
    expect_after(|v| feature(v, "alley-1")["properties"]["width"] = json!(0), Code::NotPositive, Some("alley-1"));
    expect_after(|v| feature(v, "b-1")["properties"]["building:levels"] = json!(-2), Code::NotPositive, Some("b-1"));
    expect_after(|v| feature(v, "b-1")["properties"]["storey_height"] = json!(0), Code::NotPositive, Some("b-1"));
    expect_after(|v| feature(v, "h-101")["properties"]["residents"] = json!(-1), Code::NotPositive, Some("h-101"));
}

#[test]
fn e105_no_gate() {
    expect_after(|v| features(v).retain(|f| f["id"] != "gate-west"), Code::NoGate, None);
}

#[test]
fn e201_e204_island_and_unreachable_household() {
    let found = expect_after(
        |v| {
            add(v, "island", line(&[(120.0, 0.0), (120.0, 40.0)]), json!({ "kind": "lane", "width": 1.0 }));
            let outline = [(125.0, 10.0), (135.0, 10.0), (135.0, 20.0), (125.0, 20.0), (125.0, 10.0)];
            let ring: Vec<Value> = outline.iter().map(|(x, y)| at(*x, *y)).collect();
            add(
                v,
                "b-2",
                json!({ "type": "Polygon", "coordinates": [ring] }),
                json!({ "kind": "building", "building:levels": 3 }),
            );
            add(v, "b-2-1", point(125.0, 15.0), json!({ "kind": "stairwell", "building_id": "b-2" }));
            add(v, "h-b2", Value::Null, json!({ "kind": "household", "stairwell_id": "b-2-1", "floor": 2 }));
        },
        Code::LaneIsland,
        Some("island"),
    );
    expect(&found, Code::HouseholdUnreachable, Some("h-b2"));
}

#[test]
fn e202_point_far_from_lanes() {
    expect_after(|v| feature(v, "site-2")["geometry"] = point(200.0, 200.0), Code::TooFarFromLane, Some("site-2"));
}

#[test]
fn e203_station_or_gate_a_tricycle_cannot_reach() {
    // Beside the steps, 40 m from the only street.
    expect_after(|v| feature(v, "site-2")["geometry"] = point(45.0, 41.0), Code::NotTricycleReachable, Some("site-2"));
    expect_after(
        |v| feature(v, "gate-west")["geometry"] = point(45.0, 41.0),
        Code::NotTricycleReachable,
        Some("gate-west"),
    );
}

#[test]
fn per_lane_override_can_open_a_lane_to_tricycles() {
    let mut v = tiny();
    feature(&mut v, "site-2")["geometry"] = point(60.5, 35.0);
    let found = problems(&serde_json::to_vec(&v).unwrap());
    expect(&found, Code::NotTricycleReachable, Some("site-2"));
    feature(&mut v, "lane-2")["properties"]["tricycle"] = json!("yes");
    assert!(load_area_bytes(&serde_json::to_vec(&v).unwrap(), &AreaParams::default()).is_ok());
}

#[test]
fn w301_near_miss_is_joined() {
    let built = {
        let mut v = tiny();
        add(&mut v, "alley-2", line(&[(0.0, 41.5), (29.0, 41.5)]), json!({ "kind": "lane", "width": 1.1 }));
        load_area_bytes(&serde_json::to_vec(&v).unwrap(), &AreaParams::default()).expect("joined, so valid")
    };
    expect(&built.warnings, Code::EndpointsJoined, Some("alley-2"));
}

#[test]
fn w302_crossing_is_joined_unless_layers_differ() {
    let found = expect_after(
        |v| add(v, "alley-3", line(&[(20.0, 20.0), (40.0, 20.0)]), json!({ "kind": "lane", "width": 1.1 })),
        Code::CrossingJoined,
        Some("alley-1"),
    );
    assert!(found.iter().all(|p| !p.is_error()), "{found:?}");
    // On another layer (a bridge), the lanes do not meet and alley-3 is an island.
    expect_after(
        |v| add(v, "alley-3", line(&[(20.0, 20.0), (40.0, 20.0)]), json!({ "kind": "lane", "width": 1.1, "layer": 1 })),
        Code::LaneIsland,
        Some("alley-3"),
    );
}

#[test]
fn w303_to_w306_completeness_warnings() {
    expect_after(
        |v| {
            let ring: Vec<Value> =
                [(0.0, 10.0), (10.0, 10.0), (10.0, 20.0), (0.0, 10.0)].iter().map(|(x, y)| at(*x, *y)).collect();
            add(
                v,
                "shed",
                json!({ "type": "Polygon", "coordinates": [ring] }),
                json!({ "kind": "building", "building:levels": 1 }),
            )
        },
        Code::BuildingWithoutStairwell,
        Some("shed"),
    );
    expect_after(
        |v| add(v, "b-1-3", point(54.0, 20.0), json!({ "kind": "stairwell", "building_id": "b-1" })),
        Code::StairwellWithoutHouseholds,
        Some("b-1-3"),
    );
    expect_after(|v| feature(v, "b-1-1")["geometry"] = point(-5.0, 5.0), Code::DoorFarFromBuilding, Some("b-1-1"));
    expect_after(|v| feature(v, "site-1")["properties"]["open"] = json!(false), Code::NoOpenStation, None);
}

#[test]
fn every_problem_is_reported_at_once() {
    let broken = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/data/examples/broken.geojson")).unwrap();
    let found = problems(&broken);
    for (code, id) in [
        (Code::PersonalData, "h-402"),
        (Code::UnknownKind, "tree-1"),
        (Code::DuplicateId, "site-2"),
        (Code::NotPositive, "alley-1"),
        (Code::FloorOutOfRange, "h-501"),
        (Code::DanglingStairwell, "h-201"),
        (Code::TooFarFromLane, "site-far"),
        (Code::LaneIsland, "island-1"),
    ] {
        expect(&found, code, Some(id));
    }
}

#[test]
fn the_format_document_embeds_the_example_and_lists_every_code() {
    let doc = include_str!("../docs/area-format.md");
    assert!(doc.contains(TINY), "docs/area-format.md must embed data/examples/tiny.geojson verbatim");
    for code in Code::ALL.iter().filter(|c| is_area_code(c)) {
        assert!(doc.contains(&format!("| {code} |")), "docs/area-format.md does not list {code}");
    }
}
