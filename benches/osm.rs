//! OSM import of a 2 MB extract: parse, clip, guess, repair, lay out sites, validate, write.
//!
//! Target (issue 8): a 2 MB export of about 1 km² and 500–1,200 buildings imports in ≤ 2 s.
//! The extract is synthetic (`lastmetre generate --osm sparse`): real OSM data is ODbL and
//! stays out of the repository. Run: `cargo bench --bench osm`.

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

criterion_group!(benches, two_megabytes);
criterion_main!(benches);
