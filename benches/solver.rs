//! A fixed block of solver iterations on published instances: the search's speed apart from
//! time budgets (issue 4). Quality is measured by `lastmetre bench`, not here.
//!
//! Reads `cvrp-x/X-n101-k25.vrp` and `2ecvrp/Set2b_E-n51-k5-s4-46.dat` from the shared
//! benchmarks folder (`LASTMETRE_BENCHMARKS`, else `../shared/benchmarks`); skips what is
//! missing. Run: `cargo bench --bench solver`.

use criterion::{Criterion, criterion_group, criterion_main};
use lastmetre::formats::{read_cvrp, read_two_echelon, two_echelon_instance};
use lastmetre::solver::{Budget, solve};
use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

fn benchmarks() -> PathBuf {
    std::env::var_os("LASTMETRE_BENCHMARKS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/benchmarks"))
}

fn read(path: PathBuf) -> Option<(String, String)> {
    match std::fs::read_to_string(&path) {
        Ok(text) => Some((path.file_stem()?.to_string_lossy().into_owned(), text)),
        Err(e) => {
            eprintln!("skipped {}: {e}", path.display());
            None
        }
    }
}

fn iterations(c: &mut Criterion) {
    let dir = benchmarks();
    let mut instances = Vec::new();
    if let Some((name, text)) = read(dir.join("cvrp-x/X-n101-k25.vrp")) {
        instances.push((name.clone(), read_cvrp(&name, &text).expect("a CVRPLIB instance")));
    }
    if let Some((name, text)) = read(dir.join("2ecvrp/Set2b_E-n51-k5-s4-46.dat")) {
        let published = read_two_echelon(&name, &text).expect("a 2E-CVRP instance");
        instances.push((name, two_echelon_instance(&published).expect("maps onto the planner")));
    }
    let mut group = c.benchmark_group("solver");
    group.sample_size(10).measurement_time(Duration::from_secs(15));
    for (name, instance) in &instances {
        group.bench_function(format!("{name}, 2000 iterations, 1 thread"), |b| {
            b.iter(|| solve(black_box(instance), &Budget::iterations(2000), 1, 1).metrics.objective)
        });
    }
    group.finish();
}

criterion_group!(benches, iterations);
criterion_main!(benches);
