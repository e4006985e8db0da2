//! Real OpenStreetMap extracts, as a new user meets them: import, size the fleet, plan the
//! noon batch with it, and check the plan independently.
//!
//! The extracts are ODbL data and stay outside the repository: they are read from
//! `LASTMETRE_REAL_OSM` (default `../shared/real-osm` beside the project). Without the folder
//! the tests say so and pass, unless `LASTMETRE_REQUIRE_REAL_OSM=1` (as `.ci/run` sets).

use lastmetre::osm::{Import, Options, import};
use lastmetre::sim::{Disturbances, Options as SimOptions, Targets, generated_demand, size};
use lastmetre::synth::demand::{BatchOptions, batch};
use lastmetre::{AreaParams, Engine, Fleet, PlanOptions, load_area_bytes};
use std::path::PathBuf;

fn folder() -> Option<PathBuf> {
    let dir = std::env::var_os("LASTMETRE_REAL_OSM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/real-osm")));
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var_os("LASTMETRE_REQUIRE_REAL_OSM").is_none(),
        "LASTMETRE_REQUIRE_REAL_OSM is set but {} is missing",
        dir.display()
    );
    eprintln!("skipped: no real OSM extracts at {} (set LASTMETRE_REAL_OSM)", dir.display());
    None
}

/// Every `.osm` extract of the folder, by name.
fn extracts() -> Vec<(String, PathBuf)> {
    let Some(dir) = folder() else { return Vec::new() };
    let mut files: Vec<(String, PathBuf)> = std::fs::read_dir(&dir)
        .expect("the extracts folder reads")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "osm"))
        .map(|p| (p.file_stem().unwrap().to_string_lossy().into_owned(), p))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no .osm file in {}", dir.display());
    files
}

fn import_file(path: &PathBuf) -> Import {
    let text = std::fs::read_to_string(path).unwrap();
    import(&text, &Options::default()).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// T1, T2 and the first half of T3: every extract imports and validates (also once written
/// and read back), keeps 90 % of the households estimated inside the boundary, reports every
/// group it left out with its reason and fix, and opens at least one station.
#[test]
fn every_real_extract_imports_keeps_its_households_and_opens_stations() {
    for (name, path) in extracts() {
        let imported = import_file(&path);
        assert!(imported.is_valid(), "{name}: {:?}", imported.problems.iter().find(|p| p.is_error()));
        let file = serde_json::to_vec(&lastmetre::osm_area_geojson(&imported, &name)).unwrap();
        let built = load_area_bytes(&file, &AreaParams::default())
            .unwrap_or_else(|e| panic!("{name}: the written area does not load: {e}"));
        assert_eq!(built.area.households.len(), imported.households_kept(), "{name}");

        let (kept, dropped) = (imported.households_kept(), imported.households_dropped());
        let share = kept as f64 / (kept + dropped) as f64;
        eprintln!("{name}: {kept} households kept, {dropped} dropped ({:.1} % kept)", 100.0 * share);
        assert!(share >= 0.9, "{name}: only {:.1} % of households kept", 100.0 * share);
        for d in &imported.dropped {
            assert!(!d.reason.fix().is_empty() && !d.examples.is_empty(), "{name}: {d:?}");
        }
        let report = imported.report();
        let grouped: usize = imported.dropped.iter().map(|d| d.households).sum();
        assert_eq!(report["households_dropped"], grouped, "{name}");
        assert_eq!(report["households_kept"], built.area.households.len(), "{name}");
        assert!(report["stations_open"].as_u64().unwrap() >= 1, "{name}: no open station");
        assert!(report["gate"]["why"].as_str().is_some_and(|w| w.contains("households")), "{name}");
        assert!(!imported.gate_candidates.is_empty() && imported.gate_candidates[0].chosen, "{name}");
    }
}

/// Households above which a debug build (`cargo test` without `--release`) leaves an extract
/// to the release run: the solver checks every move against a full evaluation in debug
/// builds, and a district-sized noon batch would take hours. `.ci/run` runs this file with
/// `--release` too, where every extract goes through.
const DEBUG_MAX_HOUSEHOLDS: usize = 5000;

/// The rest of T3: with the fleet `size` finds, the noon batch of each extract plans at least
/// 95 % of its orders, and the plan passes the independent checker (Engine::plan refuses a
/// plan the checker rejects).
#[test]
fn every_real_extract_plans_its_noon_batch_with_the_fleet_it_is_sized_for() {
    for (name, path) in extracts() {
        let imported = import_file(&path);
        let file = serde_json::to_vec(&lastmetre::osm_area_geojson(&imported, &name)).unwrap();
        let built = load_area_bytes(&file, &AreaParams::default()).unwrap();
        if cfg!(debug_assertions) && built.area.households.len() > DEBUG_MAX_HOUSEHOLDS {
            eprintln!(
                "{name}: {} households; sized and planned only in the release run (cargo test --release --test real_osm)",
                built.area.households.len()
            );
            continue;
        }
        let demand = generated_demand(&built.area, 1, 1);
        let options = SimOptions {
            days: 1,
            seed: 1,
            settings: lastmetre::dispatch::Settings { iterations: 300, ..Default::default() },
            disturbances: Disturbances::default(),
            reserve_porters: 0,
        };
        let started = std::time::Instant::now();
        let sizing = size(&built.area, &Fleet::default(), &demand, &options, &Targets::default(), 2000, &mut |_| {})
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(sizing.found, "{name}: no fleet keeps the porters within their limits");
        let fleet = sizing.fleet;
        let sizing_s = started.elapsed().as_secs_f64();

        let engine = Engine::new(built);
        let households: Vec<&str> = engine.area.households.iter().map(|h| h.id.as_str()).collect();
        let orders = batch(&households, &BatchOptions::noon(1));
        let planned = engine
            .plan(&orders, &fleet, &PlanOptions { iterations: 300, ..PlanOptions::default() })
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let m = &planned.plan.metrics;
        eprintln!(
            "{name}: {} porters, {} tricycles (sized in {sizing_s:.0} s); noon batch {} of {} planned",
            fleet.porters.count, fleet.tricycles.count, m.orders_delivered, m.orders_total
        );
        assert_eq!(m.orders_total, orders.len());
        assert!(
            m.orders_delivered * 100 >= m.orders_total * 95,
            "{name}: {} of {} planned with {} porters",
            m.orders_delivered,
            m.orders_total,
            fleet.porters.count
        );
    }
}
