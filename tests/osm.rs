//! End to end from an OpenStreetMap extract: import, write the area file, load it as any
//! area, plan a generated noon batch and check the plan independently.

use lastmetre::osm::export::{Detail, to_osm_xml};
use lastmetre::osm::{Options, import};
use lastmetre::synth::demand::{BatchOptions, batch};
use lastmetre::synth::{VillageOptions, village};
use lastmetre::{AreaParams, Engine, Fleet, PlanOptions, load_area_bytes};

#[test]
fn an_osm_extract_imports_plans_and_checks() {
    // A synthetic village tagged as a typical OSM map is: widths, levels, flats and
    // entrances partly missing. No real OSM data is used in the repository.
    let xml = to_osm_xml(&village(&VillageOptions::new(1500, 4)).unwrap(), Detail::Sparse);
    let imported = import(&xml, &Options::default()).expect("the extract imports");
    assert!(imported.is_valid(), "{:?}", imported.problems);
    let estimated = imported.estimated();
    assert!(estimated.len() >= 6, "the sparse map needs guesses of many kinds: {estimated:?}");

    // Through the file format, as a user would: the written area loads unchanged.
    let file = serde_json::to_vec(&lastmetre::osm_area_geojson(&imported, "village.osm")).unwrap();
    let text = String::from_utf8(file.clone()).unwrap();
    assert!(text.contains("© OpenStreetMap contributors") && text.contains("ODbL"));
    assert!(text.contains("\"estimated\""));
    let built = load_area_bytes(&file, &AreaParams::default()).expect("the written area validates");
    assert_eq!(built.area.households.len(), imported.spec.households.len());

    let engine = Engine::new(built);
    let households: Vec<&str> = engine.area.households.iter().map(|h| h.id.as_str()).collect();
    let orders = batch(&households, &BatchOptions::noon(12));
    let options = PlanOptions { iterations: 500, ..PlanOptions::default() };
    // Engine::plan runs the independent checker and refuses a plan it rejects.
    let planned = engine.plan(&orders, &Fleet::default(), &options).expect("a checked plan");
    let m = &planned.plan.metrics;
    assert_eq!(m.orders_total, orders.len());
    assert!(m.orders_delivered * 10 >= m.orders_total * 9, "{} of {} delivered", m.orders_delivered, m.orders_total);
    assert!(m.stair_climbs > 0 && m.tricycle_trips > 0);
}
