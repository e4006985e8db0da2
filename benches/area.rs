//! Import + build + matrices, on the bundled area and on a generated 50,000-household one.
//!
//! Targets (issue 2): ≤ 50 ms for `data/niuxie`, ≤ 3 s for 50,000 households.
//! Run: `cargo bench --bench area`. Peak memory is measured outside criterion with
//! `/usr/bin/time -v lastmetre validate FILE --matrices` (see docs/benchmarks.md).

use criterion::{Criterion, criterion_group, criterion_main};
use lastmetre::synth::{VillageOptions, village};
use lastmetre::{AreaParams, load_area_bytes};
use std::hint::black_box;
use std::time::Duration;

fn import_build_matrices(bytes: &[u8]) -> usize {
    let built = load_area_bytes(bytes, &AreaParams::default()).expect("valid area");
    let m = built.area.matrices();
    m.walk_door_to_door.rows()
}

fn niuxie(c: &mut Criterion) {
    let bytes = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/data/niuxie/area.geojson")).unwrap();
    c.bench_function("niuxie import+build+matrices", |b| b.iter(|| import_build_matrices(black_box(&bytes))));
}

fn generated_50k(c: &mut Criterion) {
    let spec = village(&VillageOptions::new(50_000, 1)).unwrap();
    let bytes = serde_json::to_vec(&lastmetre::formats::write_area(&spec)).unwrap();
    let mut group = c.benchmark_group("generated 50k households");
    group.sample_size(10).measurement_time(Duration::from_secs(30));
    group.bench_function("import+build+matrices", |b| b.iter(|| import_build_matrices(black_box(&bytes))));
    let built = load_area_bytes(&bytes, &AreaParams::default()).unwrap();
    group.bench_function("matrices only", |b| b.iter(|| black_box(built.area.matrices()).walk_door_to_door.rows()));
    group.finish();
}

criterion_group!(benches, niuxie, generated_50k);
criterion_main!(benches);
