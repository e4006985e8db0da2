//! One test per mapping rule of docs/osm-import.md, on small fixtures written here.

mod common;

use common::{Map, street_and_walkup};
use lastmetre_area::{LaneClass, build, tricycle_passable};
use lastmetre_model::AreaParams;
use lastmetre_osm::{Boundary, GateChoice, Import, ImportError, Options, import};

/// Imports with the default options and checks the result independently: it must build.
fn run(m: &Map) -> Import {
    run_with(m, &Options::default())
}

fn run_with(m: &Map, options: &Options) -> Import {
    let imported = import(&m.xml(), options).unwrap_or_else(|e| panic!("import failed: {e}"));
    if let Err(problems) = build(&imported.spec, &AreaParams::default()) {
        panic!("the imported area does not validate: {problems:?}");
    }
    assert!(imported.is_valid());
    imported
}

fn guess<'a>(i: &'a Import, feature: &str, property: &str) -> Option<&'a str> {
    i.features.get(feature)?.estimated.get(property).map(|g| g.why.as_str())
}

fn lane<'a>(i: &'a Import, id: &str) -> &'a lastmetre_area::LaneSpec {
    i.spec.lanes.iter().find(|l| l.id == id).unwrap_or_else(|| panic!("no lane {id}"))
}

#[test]
fn lanes_take_their_width_from_tags_or_their_class() {
    let mut m = street_and_walkup();
    let footway = m.way(&[(30.0, 0.0), (30.0, -30.0)], &[("highway", "footway"), ("width", "2 m")]);
    let alley = m.way(&[(70.0, 0.0), (70.0, -30.0)], &[("highway", "service"), ("service", "alley")]);
    let steps = m.way(&[(90.0, 0.0), (90.0, -20.0)], &[("highway", "steps"), ("width", "3")]);
    let path = m.way(&[(100.0, 0.0), (100.0, -20.0)], &[("highway", "path"), ("est_width", "1.0"), ("foot", "no")]);
    let private = m.way(&[(110.0, 0.0), (110.0, -20.0)], &[("highway", "footway"), ("access", "private")]);
    let closed = m.way(&[(112.0, 0.0), (112.0, -20.0)], &[("highway", "footway"), ("access", "no")]);
    let motorway = m.way(&[(118.0, 0.0), (118.0, -20.0)], &[("highway", "motorway")]);
    let primary = m.way(&[(115.0, 0.0), (115.0, -20.0)], &[("highway", "primary")]);
    let i = run(&m);
    let params = AreaParams::default();

    let street = lane(&i, "w100");
    assert_eq!(street.width.map(|w| w.get()), Some(4.5));
    assert_eq!(guess(&i, "w100", "width"), Some("default for highway=residential"));
    assert!(tricycle_passable(street, &params));

    let footway_id = format!("w{footway}");
    let footway = lane(&i, &footway_id);
    assert_eq!(footway.width.map(|w| w.get()), Some(2.0));
    assert_eq!(guess(&i, &footway_id, "width"), None, "a mapped width is not a guess");
    assert!(tricycle_passable(footway, &params), "2 m is wide enough");

    let alley_id = format!("w{alley}");
    let alley = lane(&i, &alley_id);
    assert_eq!(alley.width.map(|w| w.get()), Some(1.5));
    assert_eq!(guess(&i, &alley_id, "width"), Some("default for alleys"));
    assert!(!tricycle_passable(alley, &params));

    let steps = lane(&i, &format!("w{steps}"));
    assert_eq!(steps.class, LaneClass::Steps);
    assert!(!tricycle_passable(steps, &params), "steps never take a tricycle, however wide");

    let path_id = format!("w{path}");
    assert_eq!(guess(&i, &path_id, "width"), Some("est_width tag"));
    assert!(!lane(&i, &path_id).foot);

    // A compound's private roads are its own: kept, and marked for checking.
    let private_id = format!("w{private}");
    lane(&i, &private_id);
    assert!(guess(&i, &private_id, "access").is_some_and(|g| g.contains("access=private")));
    assert!(i.warnings.iter().any(|w| w.contains("access=private")));
    assert!(i.spec.lanes.iter().all(|l| l.id != format!("w{closed}") && l.id != format!("w{motorway}")));
    // Through roads join an extract's lanes: walkable and wide.
    let primary = lane(&i, &format!("w{primary}"));
    assert_eq!(primary.width.map(|w| w.get()), Some(12.0));
    assert!(tricycle_passable(primary, &params));
    assert_eq!(i.features["w100"].osm.as_deref(), Some("way/100"));
}

#[test]
fn ways_are_clipped_to_the_boundary_and_outside_things_dropped() {
    let mut m = Map::new();
    // The street runs from outside the west edge to outside the east edge; no gate node.
    m.way(&[(-30.0, 0.0), (50.0, 0.0), (130.0, 0.0)], &[("highway", "residential"), ("width", "4")]);
    m.way(&[(150.0, 10.0), (170.0, 10.0)], &[("highway", "footway")]);
    m.building(
        40.0,
        6.0,
        20.0,
        10.0,
        &[("building", "apartments"), ("building:levels", "4")],
        &[(0.5, &[("entrance", "yes")])],
    );
    m.building(140.0, 6.0, 10.0, 10.0, &[("building", "apartments")], &[]);
    m.bounds = Some([0.0, -50.0, 100.0, 50.0]);
    let i = run(&m);
    assert_eq!(i.spec.lanes.len(), 1, "{:?}", i.spec.lanes);
    let street = &i.spec.lanes[0];
    let (west, east) = (m.at(0.0, 0.0).lon, m.at(100.0, 0.0).lon);
    assert!(street.path.iter().all(|p| p.lon > west - 1e-9 && p.lon < east + 1e-9), "{:?}", street.path);
    assert!((street.path[0].lon - m.at(0.0, 0.0).lon).abs() < 1e-7, "cut at the west edge");
    assert_eq!(i.spec.buildings.len(), 1);
    assert!(i.warnings.iter().any(|w| w.contains("outside the boundary")));
    // The gate is guessed where the street crosses the boundary.
    assert_eq!(i.spec.gates.len(), 1);
    assert!(guess(&i, "gate", "geometry").unwrap().contains("crosses the boundary"));
}

#[test]
fn levels_come_from_levels_then_height_then_a_default() {
    let mut m = street_and_walkup();
    let tall = m.building(
        70.0,
        6.0,
        20.0,
        10.0,
        &[("building", "residential"), ("height", "18 m")],
        &[(0.5, &[("entrance", "staircase")])],
    );
    let plain =
        m.building(95.0, 6.0, 20.0, 10.0, &[("building", "residential")], &[(0.5, &[("entrance", "staircase")])]);
    let mixed = m.building(
        10.0,
        6.0,
        20.0,
        10.0,
        &[("building", "yes"), ("building:levels", "5;6")],
        &[(0.5, &[("entrance", "staircase")])],
    );
    let i = run(&m);
    let levels = |id: i64| i.spec.buildings.iter().find(|b| b.id == format!("w{id}")).unwrap().levels;
    assert_eq!(levels(tall), 6);
    assert_eq!(guess(&i, &format!("w{tall}"), "building:levels"), Some("height 18 m ÷ 3 m per floor"));
    // No levels of its own: the median of its neighbours'.
    assert_eq!(levels(plain), 6);
    assert_eq!(
        guess(&i, &format!("w{plain}"), "building:levels"),
        Some("median of the 3 nearest buildings that map their levels (within 85 m)")
    );
    // Without neighbours near enough: the default for its class.
    let mut far = Options::default();
    far.params.neighbour_levels_m = 10.0;
    let alone = run_with(&m, &far);
    let alone_levels = alone.spec.buildings.iter().find(|b| b.id == format!("w{plain}")).unwrap().levels;
    assert_eq!(alone_levels, 5);
    assert_eq!(guess(&alone, &format!("w{plain}"), "building:levels"), Some("default for building=residential"));
    assert_eq!(levels(mixed), 6);
    assert_eq!(guess(&i, &format!("w{mixed}"), "building"), Some("building=yes taken as residential"));
}

#[test]
fn households_come_from_flats_or_the_footprint_and_not_from_other_buildings() {
    let mut m = street_and_walkup();
    let by_door = m.building(
        70.0,
        6.0,
        30.0,
        10.0,
        &[("building", "residential"), ("building:levels", "6"), ("building:flats", "12")],
        &[
            (0.25, &[("entrance", "staircase"), ("addr:flats", "1-4")]),
            (0.75, &[("entrance", "staircase"), ("addr:flats", "5-12")]),
        ],
    );
    let estimated = m.building(
        10.0,
        6.0,
        20.0,
        10.0,
        &[("building", "residential"), ("building:levels", "5")],
        &[(0.5, &[("entrance", "staircase")])],
    );
    let house = m.building(-15.0, 6.0, 10.0, 8.0, &[("building", "house")], &[(0.5, &[("entrance", "home")])]);
    for t in [
        [("building", "school"), ("name", "No. 1")],
        [("building", "residential"), ("amenity", "kindergarten")],
        [("building", "residential"), ("building:flats", "0")],
    ] {
        m.building(20.0, -20.0, 10.0, 10.0, &t, &[(0.5, &[("entrance", "main")])]);
    }
    let i = run(&m);
    let households_of = |door: &str| i.spec.households.iter().filter(|h| h.stairwell == door).count();
    let doors = |b: i64| {
        i.spec.stairwells.iter().filter(|s| s.building == format!("w{b}")).map(|s| s.id.clone()).collect::<Vec<_>>()
    };
    let d = doors(by_door);
    assert_eq!(d.len(), 2);
    assert_eq!((households_of(&d[0]), households_of(&d[1])), (4, 8), "addr:flats on each door");
    // 200 m² × 5 floors ÷ 60 m² per flat = 16.7.
    let e = doors(estimated);
    assert_eq!(households_of(&e[0]), 17);
    assert_eq!(
        guess(&i, &format!("w{estimated}"), "building:flats"),
        Some("footprint 200 m² × 5 floors ÷ 60 m² per flat")
    );
    assert_eq!(households_of(&doors(house)[0]), 1);
    assert_eq!(i.spec.buildings.iter().find(|b| b.id == format!("w{house}")).unwrap().levels, 2);
    assert_eq!(i.spec.buildings.len(), 4, "school, kindergarten and flats=0 hold no households");
    assert!(i.warnings.iter().any(|w| w.starts_with("3 non-residential")));
    // Floors: 17 flats over 5 floors, every floor used, counted from 1.
    let floors: std::collections::BTreeSet<i64> =
        i.spec.households.iter().filter(|h| h.stairwell == e[0]).map(|h| h.floor).collect();
    assert_eq!(floors.into_iter().collect::<Vec<_>>(), vec![1, 2, 3, 4, 5]);
    assert!(guess(&i, &format!("{}-101", e[0]), "floor").is_some());
}

#[test]
fn stairwells_are_guessed_along_the_longest_side_facing_a_way() {
    let mut m = street_and_walkup();
    // 40 m long, no usable entrance (service doors are not stairwells).
    let long = m.building(
        62.0,
        6.0,
        40.0,
        10.0,
        &[("building", "residential"), ("building:levels", "5"), ("building:flats", "30")],
        &[(0.5, &[("entrance", "service")])],
    );
    let i = run(&m);
    let doors: Vec<_> = i.spec.stairwells.iter().filter(|s| s.building == format!("w{long}")).collect();
    assert_eq!(doors.len(), 3, "one per 15 m of a 40 m side, rounded");
    for d in &doors {
        assert!((d.at.lat - m.at(0.0, 6.0).lat).abs() < 1e-7, "on the south side, facing the street");
        assert!(guess(&i, &d.id, "geometry").unwrap().contains("longest side"));
    }
    assert_eq!(i.spec.households.iter().filter(|h| doors.iter().any(|d| d.id == h.stairwell)).count(), 30);
}

#[test]
fn the_gate_joins_the_area_to_roads_outside_unless_given() {
    let mut m = street_and_walkup();
    // A gate on a footway that stays inside, and a gate on a street that leaves the area.
    let inner = m.node(50.0, -60.0, &[("barrier", "gate")]);
    m.way_of(vec![1001, inner], &[("highway", "footway")]);
    let outer = m.node(120.0, -10.0, &[("barrier", "gate")]);
    let far = m.node(160.0, -10.0, &[]);
    m.way_of(vec![1002, outer, far], &[("highway", "residential")]);
    m.bounds = Some([-30.0, -80.0, 140.0, 40.0]);
    let i = run(&m);
    assert_eq!(i.spec.gates[0].id, format!("gate-n{outer}"));
    assert!(guess(&i, &i.spec.gates[0].id, "geometry").unwrap().contains("continues outside the boundary"));

    let given = run_with(&m, &Options { gate: Some(GateChoice::Node(1000)), ..Options::default() });
    assert_eq!(given.spec.gates[0].id, "gate-n1000");
    assert!(guess(&given, "gate-n1000", "geometry").is_none(), "a given gate is not a guess");

    let missing = import(&m.xml(), &Options { gate: Some(GateChoice::Node(9)), ..Options::default() });
    assert!(matches!(missing, Err(ImportError::GateNodeMissing(9))));
    let far_away = Options { gate: Some(GateChoice::At(m.at(50.0, 200.0))), ..Options::default() };
    match import(&m.xml(), &far_away) {
        Err(e @ ImportError::GateUnreachable { .. }) => assert!(e.to_string().contains("m away"), "{e}"),
        other => panic!("expected an unreachable gate, got {other:?}"),
    }
    let on_footway = Options { gate: Some(GateChoice::Node(inner)), ..Options::default() };
    match import(&m.xml(), &on_footway) {
        Err(e @ ImportError::GateUnreachable { .. }) => assert!(e.to_string().contains("tricycle"), "{e}"),
        other => panic!("a gate no tricycle lane reaches is refused, got {other:?}"),
    }
}

#[test]
fn what_the_gate_cannot_reach_is_left_out_and_listed() {
    let mut m = street_and_walkup();
    // A footway loop 80 m north, joined to nothing, with a building beside it.
    let loop_way = m.way(&[(0.0, 80.0), (40.0, 80.0), (40.0, 100.0), (0.0, 80.0)], &[("highway", "footway")]);
    let cut_off = m.building(
        10.0,
        70.0,
        10.0,
        8.0,
        &[("building", "residential"), ("building:flats", "4")],
        &[(0.5, &[("entrance", "staircase")])],
    );
    let i = run(&m);
    assert!(i.spec.lanes.iter().all(|l| l.id != format!("w{loop_way}")));
    assert!(i.spec.buildings.iter().all(|b| b.id != format!("w{cut_off}")));
    assert!(i.warnings.iter().any(|w| w.contains("not joined to the gate") && w.contains(&format!("w{loop_way}"))));
    assert!(i.warnings.iter().any(|w| w.contains("4 household(s)")));
    assert!(!i.features.contains_key(&format!("w{loop_way}")), "no provenance left for dropped features");
}

#[test]
fn a_door_far_from_any_way_gets_a_footway_to_the_nearest() {
    let mut m = street_and_walkup();
    let far = m.building(
        10.0,
        40.0,
        10.0,
        8.0,
        &[("building", "residential"), ("building:flats", "4")],
        &[(0.5, &[("entrance", "staircase")])],
    );
    let i = run(&m);
    let door = i.spec.stairwells.iter().find(|s| s.building == format!("w{far}")).unwrap();
    let link = lane(&i, &format!("link-{}", door.id));
    assert_eq!(link.path[0], door.at);
    assert!(guess(&i, &link.id, "geometry").unwrap().contains("straight footway of 40 m"));
}

#[test]
fn multipolygon_buildings_use_their_outer_ring() {
    let mut m = street_and_walkup();
    let a = m.node(70.0, 6.0, &[("entrance", "staircase")]);
    let b = m.node(90.0, 6.0, &[]);
    let c = m.node(90.0, 16.0, &[]);
    let d = m.node(70.0, 16.0, &[]);
    let south = m.way_of(vec![a, b, c], &[]);
    let north = m.way_of(vec![c, d, a], &[]);
    m.relation(
        &format!("    <member type=\"way\" ref=\"{south}\" role=\"outer\"/>\n    <member type=\"way\" ref=\"{north}\" role=\"outer\"/>\n"),
        &[("type", "multipolygon"), ("building", "apartments"), ("building:levels", "7"), ("building:flats", "14")],
    );
    let i = run(&m);
    let building = i.spec.buildings.iter().find(|b| b.id == "r500").expect("the relation's building");
    assert_eq!(building.levels, 7);
    assert_eq!(building.outline.len(), 4);
    assert_eq!(i.spec.households.iter().filter(|h| h.stairwell == format!("n{a}")).count(), 14);
    assert_eq!(i.features["r500"].osm.as_deref(), Some("relation/500"));
}

#[test]
fn station_sites_sit_on_tricycle_lanes_away_from_the_gate_and_some_are_open() {
    let mut m = street_and_walkup();
    m.way(&[(120.0, 0.0), (220.0, 0.0)], &[("highway", "residential")]);
    let i = run(&m);
    let built = build(&i.spec, &AreaParams::default()).unwrap();
    assert!(!i.spec.sites.is_empty());
    let gate = built.area.gates[0].node;
    for site in &built.area.sites {
        let (a, b) = (built.area.graph[site.node].at, built.area.graph[gate].at);
        assert!((a[0] - b[0]).hypot(a[1] - b[1]) >= 40.0, "{} is too close to the gate", site.id);
        assert!(guess(&i, &site.id, "geometry").is_some());
    }
    assert!(built.area.open_sites().count() >= 1);
}

#[test]
fn bad_or_unsuitable_input_gets_a_clear_error() {
    let geojson = r#"{"type": "FeatureCollection", "features": []}"#;
    assert!(matches!(import(geojson, &Options::default()), Err(ImportError::NotOsm { .. })));
    let xml = street_and_walkup().xml();
    let truncated = &xml[..xml.len() / 2];
    let e = import(truncated, &Options::default()).unwrap_err();
    assert!(matches!(e, ImportError::Truncated { .. } | ImportError::Malformed { .. }), "{e}");

    let mut no_buildings = Map::new();
    no_buildings.way(&[(0.0, 0.0), (50.0, 0.0)], &[("highway", "residential")]);
    let e = import(&no_buildings.xml(), &Options::default()).unwrap_err();
    assert!(matches!(e, ImportError::NoBuildings(_)), "{e}");

    let mut no_ways = Map::new();
    no_ways.building(0.0, 0.0, 10.0, 10.0, &[("building", "residential")], &[]);
    no_ways.way(&[(0.0, -5.0), (50.0, -5.0)], &[("highway", "motorway")]);
    assert!(matches!(import(&no_ways.xml(), &Options::default()), Err(ImportError::NoWalkableWay)));

    let elsewhere = Options { boundary: Some(Boundary::bbox([0.0, 0.0, 1.0, 1.0])), ..Options::default() };
    assert!(matches!(import(&xml, &elsewhere), Err(ImportError::NoWalkableWay)));
}

#[test]
fn the_hand_written_example_imports_as_documented() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/examples/tiny.osm")).unwrap();
    let i = import(&text, &Options::default()).expect("imports");
    assert!(i.is_valid(), "{:?}", i.problems);
    assert_eq!(i.spec.gates[0].id, "gate-n1");
    assert_eq!(i.spec.gates[0].name.as_deref(), Some("West gate"));
    let lanes: Vec<&str> = i.spec.lanes.iter().map(|l| l.id.as_str()).collect();
    assert_eq!(lanes, ["w100", "w101", "w102", "w103", "w104"], "the private footway is kept, marked");
    assert!(guess(&i, "w104", "access").is_some());
    assert_eq!(guess(&i, "w102", "width"), Some("default for highway=steps"));
    assert_eq!(guess(&i, "w100", "width"), None);
    assert_eq!(i.spec.buildings.len(), 1, "the school holds no households");
    let names: Vec<Option<&str>> = i.spec.stairwells.iter().map(|s| s.name.as_deref()).collect();
    assert_eq!(names, [Some("1单元"), Some("2单元")]);
    let per_door: Vec<usize> =
        i.spec.stairwells.iter().map(|s| i.spec.households.iter().filter(|h| h.stairwell == s.id).count()).collect();
    assert_eq!(per_door, [3, 2], "5 flats over 2 stairwells");
    assert!(i.spec.sites.iter().any(|s| s.open));
    let params = AreaParams::default();
    assert!(!tricycle_passable(lane(&i, "w103"), &params), "15 % is too steep");
    assert!(!tricycle_passable(lane(&i, "w101"), &params), "1.2 m is too narrow");
}

#[test]
fn implausible_values_are_capped_or_left_out_and_listed() {
    let mut m = street_and_walkup();
    // A typo of a flat count, a shed tagged building=yes, and a pedestrian street closed to
    // traffic but open on foot.
    let typo = m.building(
        70.0,
        6.0,
        20.0,
        10.0,
        &[("building", "residential"), ("building:levels", "5"), ("building:flats", "999999999")],
        &[(0.5, &[("entrance", "staircase")])],
    );
    m.building(95.0, 6.0, 4.0, 4.0, &[("building", "yes")], &[]);
    let open_on_foot =
        m.way(&[(20.0, 0.0), (20.0, -20.0)], &[("highway", "pedestrian"), ("access", "no"), ("foot", "yes")]);
    let i = run(&m);
    let typo_households = i
        .spec
        .households
        .iter()
        .filter(|h| {
            h.stairwell.starts_with('n')
                && i.spec.stairwells.iter().any(|s| s.id == h.stairwell && s.building == format!("w{typo}"))
        })
        .count();
    assert_eq!(typo_households, 100, "200 m² × 5 floors at most one flat per 10 m²");
    assert!(guess(&i, &format!("w{typo}"), "building:flats").unwrap().contains("capped"));
    assert!(i.warnings.iter().any(|w| w.contains("capped") && w.contains(&format!("w{typo}"))));
    assert_eq!(i.spec.buildings.len(), 2, "the 16 m² shed holds no flats");
    assert!(i.warnings.iter().any(|w| w.contains("under 30 m²")));
    assert!(i.spec.lanes.iter().any(|l| l.id == format!("w{open_on_foot}")), "foot=yes keeps the way");
}

#[test]
fn a_concave_boundary_cuts_ways_that_cross_its_notch() {
    let mut m = street_and_walkup();
    // The outline is an L whose notch covers x 60..130 south of y=3. A lane from the street's
    // middle node (50, 0) to (100, 10) has both ends inside, yet crosses the notch.
    let far_end = m.node(100.0, 10.0, &[]);
    let diagonal = m.way_of(vec![1001, far_end], &[("highway", "residential")]);
    let ring: Vec<String> =
        [(-30.0, -10.0), (60.0, -10.0), (60.0, 3.0), (130.0, 3.0), (130.0, 40.0), (-30.0, 40.0), (-30.0, -10.0)]
            .iter()
            .map(|(x, y)| {
                let p = m.at(*x, *y);
                format!("[{}, {}]", p.lon, p.lat)
            })
            .collect();
    let outline = format!(r#"{{"type": "Polygon", "coordinates": [[{}]]}}"#, ring.join(", "));
    let options =
        Options { boundary: Some(lastmetre_osm::boundary_from_geojson(&outline).unwrap()), ..Options::default() };
    let i = run_with(&m, &options);
    let street = lane(&i, "w100");
    let east_end = street.path.iter().map(|p| p.lon).fold(f64::MIN, f64::max);
    assert!((east_end - m.at(60.0, 0.0).lon).abs() < 1e-7, "the street stops at the notch: {:?}", street.path);
    // The diagonal is cut in two where it crosses the notch; the far piece is joined to
    // nothing else and is dropped as unreachable, the near one kept.
    let id = format!("w{diagonal}");
    let near = lane(&i, &id);
    let last = near.path[near.path.len() - 1];
    assert!(
        (last.lon - m.at(60.0, 2.0).lon).abs() < 1e-7 && (last.lat - m.at(60.0, 2.0).lat).abs() < 1e-7,
        "{:?}",
        near.path
    );
    // The far piece starts on the boundary; it is left out, or joined to the rest by a marked
    // footway when it ends near a way.
    let far_piece = format!("{id}-2");
    let joined = i.spec.lanes.iter().find(|l| l.id == far_piece).is_some_and(|far| {
        // A join ends on a vertex of the lane it joins.
        i.spec.lanes.iter().filter(|l| l.id.starts_with("join-")).any(|j| j.path.iter().any(|p| far.path.contains(p)))
    });
    assert!(i.warnings.iter().any(|w| w.contains(&far_piece)) || joined, "{:?}", i.warnings);
}

/// The gate that reaches the most households wins, whatever its road: here a mapped gate on
/// a street that ends at the edge of the box, cut off from the buildings, against the place
/// where the street that serves them crosses the boundary.
#[test]
fn the_gate_is_the_candidate_that_reaches_the_most_households_never_a_dead_end_at_the_edge() {
    let mut m = Map::new();
    m.bounds = Some([-10.0, -60.0, 300.0, 60.0]);
    // The street into the area, crossing the west edge of the box.
    m.way(&[(-40.0, 0.0), (150.0, 0.0)], &[("highway", "residential")]);
    m.building(
        40.0,
        6.0,
        20.0,
        10.0,
        &[("building", "residential"), ("building:flats", "10")],
        &[(0.5, &[("entrance", "staircase")])],
    );
    m.building(
        100.0,
        6.0,
        20.0,
        10.0,
        &[("building", "residential"), ("building:flats", "10")],
        &[(0.5, &[("entrance", "staircase")])],
    );
    // A mapped gate on a stub that leaves the box at the south edge and leads nowhere inside
    // (farther from the rest than a guessed join reaches).
    let gate = m.node(260.0, -40.0, &[("barrier", "gate")]);
    let edge = m.node(260.0, -70.0, &[]);
    let inner = m.node(275.0, -40.0, &[]);
    m.way_of(vec![edge, gate, inner], &[("highway", "residential")]);
    let i = run(&m);
    assert_eq!(i.spec.gates[0].id, "gate", "{:?}", i.gate_candidates);
    assert!(i.gate_why.contains("20 households on foot"), "{}", i.gate_why);
    let first = &i.gate_candidates[0];
    assert!(first.chosen && first.kind == "crossing" && first.households_on_foot == 20, "{first:?}");
    let stub = i.gate_candidates.iter().find(|c| c.osm == format!("node/{gate}")).expect("the mapped gate is listed");
    assert_eq!(stub.households_on_foot, 0);
    assert!(!stub.chosen);
}

/// Among candidates that reach the same, a mapped gate beats a crossing, and further mapped
/// gates on the same network are kept as gates of the area.
#[test]
fn mapped_gates_that_reach_the_same_are_all_kept_the_first_is_where_tricycles_load() {
    let mut m = street_and_walkup();
    let east_gate = m.node(120.0, 30.0, &[("barrier", "gate")]);
    let junction = m.node(100.0, 0.0, &[]);
    m.way_of(vec![junction, east_gate], &[("highway", "residential")]);
    // The side street meets the main one: one network.
    m.way(&[(100.0, 0.0), (100.0, -0.001)], &[("highway", "residential")]);
    let i = run(&m);
    let ids: Vec<&str> = i.spec.gates.iter().map(|g| g.id.as_str()).collect();
    assert_eq!(ids.len(), 2, "{ids:?}");
    assert!(ids.contains(&format!("gate-n{east_gate}").as_str()));
    assert!(i.gate_candidates.iter().filter(|c| c.chosen).count() == 2);
}

/// An entrance node beside an outline (not on it) is that building's door; a building with
/// no entrance gets one door at the point of its outline nearest a way.
#[test]
fn free_standing_entrances_are_doors_and_doorless_buildings_get_one_facing_the_way() {
    let mut m = street_and_walkup();
    let shed_like = m.building(80.0, 20.0, 12.0, 8.0, &[("building", "residential"), ("building:flats", "4")], &[]);
    let beside = m.building(-10.0, 8.0, 14.0, 10.0, &[("building", "residential"), ("building:flats", "6")], &[]);
    let door = m.node(-3.0, 6.5, &[("entrance", "yes")]);
    let i = run(&m);
    let of = |b: i64| -> Vec<&lastmetre_area::StairwellSpec> {
        i.spec.stairwells.iter().filter(|s| s.building == format!("w{b}")).collect()
    };
    let beside_doors = of(beside);
    assert_eq!(beside_doors.len(), 1);
    assert_eq!(beside_doors[0].id, format!("n{door}"));
    assert!(guess(&i, &format!("n{door}"), "building").is_some_and(|g| g.contains("on no outline")));
    let guessed = of(shed_like);
    assert_eq!(guessed.len(), 1);
    // The south side (y = 20) faces the street at y = 0: the door is on it.
    let at = guessed[0].at;
    assert!((at.lat - m.at(0.0, 20.0).lat).abs() < 1e-7, "{at:?}");
    assert!(guess(&i, &guessed[0].id, "geometry").is_some_and(|g| g.contains("nearest a way")));
}

/// A footway that stops a few metres short of the street is joined to it by a marked
/// footway, and the building it serves is kept.
#[test]
fn a_footway_that_stops_short_is_joined_and_its_building_kept() {
    let mut m = street_and_walkup();
    // A footway 6 m north of the street, leading to a walk-up 60 m away.
    m.way(&[(20.0, 6.0), (20.0, 90.0)], &[("highway", "footway")]);
    let far = m.building(
        23.0,
        80.0,
        20.0,
        10.0,
        &[("building", "residential"), ("building:flats", "10")],
        &[(0.1, &[("entrance", "staircase")])],
    );
    let i = run(&m);
    assert!(i.spec.buildings.iter().any(|b| b.id == format!("w{far}")), "{:?}", i.warnings);
    let join = i.spec.lanes.iter().find(|l| l.id.starts_with("join-")).expect("a join");
    assert!(guess(&i, &join.id, "geometry").is_some_and(|g| g.contains("short")));
    assert_eq!(i.households_dropped(), 0);
}
