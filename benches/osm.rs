//! OSM import of a 2 MB extract: parse, clip, guess, repair, lay out sites, validate, write.
//!
//! Targets: a 2 MB export of about 1 km² and 500–1,200 buildings imports in ≤ 2 s (issue 8);
//! a real 2.5 MB extract in ≤ 1 s (issue 15). The first extract is synthetic (`lastmetre
//! generate --osm sparse`); the real ones are read from `LASTMETRE_REAL_OSM` (default
//! `../shared/real-osm`; ODbL, never in the repository) and left out when it is missing.
//! Run: `cargo bench --bench osm`.

use criterion::{Criterion, criterion_group, criterion_main};
use lastmetre::osm::export::{Detail, to_osm_xml};
use lastmetre::osm::{Options, import};
use lastmetre::synth::{VillageOptions, village};
use std::hint::black_box;
use std::time::Duration;

fn two_megabytes(c: &mut Criterion) {
    let spec = village(&VillageOptions::new(30_000, 1)).unwrap();
    let xml = to_osm_xml(&spec, Detail::Sparse);
    let mut group =
        c.benchmark_group(format!("osm import {:.1} MB, {} buildings", xml.len() as f64 / 1e6, spec.buildings.len()));
    group.sample_size(10).measurement_time(Duration::from_secs(20));
    group.bench_function("import+validate+write", |b| {
        b.iter(|| {
            let imported = import(black_box(&xml), &Options::default()).expect("imports");
            assert!(imported.is_valid());
            serde_json::to_vec(&lastmetre::osm_area_geojson(&imported, "bench.osm")).unwrap().len()
        })
    });
    group.finish();
}

/// The real extracts of about 2.5 MB (the largest of `../shared/real-osm`).
fn real_extracts(c: &mut Criterion) {
    let dir = std::env::var_os("LASTMETRE_REAL_OSM")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/real-osm").into());
    let mut group = c.benchmark_group("osm import, real extract");
    group.sample_size(10).measurement_time(Duration::from_secs(20));
    for name in ["moscow-ostankino", "beijing-tsinghua"] {
        let Ok(xml) = std::fs::read_to_string(dir.join(format!("{name}.osm"))) else {
            eprintln!("skipped {name}: no real OSM extract in {}", dir.display());
            continue;
        };
        group.bench_function(format!("{name} {:.1} MB", xml.len() as f64 / 1e6), |b| {
            b.iter(|| {
                let imported = import(black_box(&xml), &Options::default()).expect("imports");
                assert!(imported.is_valid());
                serde_json::to_vec(&lastmetre::osm_area_geojson(&imported, "bench.osm")).unwrap().len()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, two_megabytes, real_extracts);
criterion_main!(benches);
