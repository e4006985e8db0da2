//! Planning the bundled noon batch (250 orders) with one thread at the default budget.
//!
//! Target (issue 3, T1): ≤ 1 s, within 1 % of the best objective a 60-s run finds (the
//! objective is measured with `lastmetre plan`, see docs/benchmarks.md).
//! Run: `cargo bench --bench plan`.

use criterion::{Criterion, criterion_group, criterion_main};
use lastmetre::{AreaParams, Engine, Fleet, PlanOptions, Policy, read_orders};
use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

fn noon(c: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let engine = Engine::load(&root.join("data/niuxie/area.geojson"), &AreaParams::default()).unwrap();
    let orders = read_orders(&root.join("data/niuxie/orders-noon.json")).unwrap();
    let fleet = Fleet::default();
    let mut group = c.benchmark_group("niuxie noon batch");
    group.sample_size(10).measurement_time(Duration::from_secs(20));
    group.bench_function("plan, default budget, 1 thread", |b| {
        b.iter(|| {
            let planned = engine.plan(black_box(&orders), &fleet, &PlanOptions::default()).unwrap();
            planned.plan.metrics.objective
        })
    });
    // A fixed block of search iterations on one instance: solver speed, apart from budgets.
    let instance = engine.instance(&orders, &fleet, "noon").unwrap();
    group.bench_function("solver, 1000 iterations", |b| {
        b.iter(|| {
            let plan =
                lastmetre::solver::solve(black_box(&instance), &lastmetre::solver::Budget::iterations(1000), 1, 1);
            plan.metrics.objective
        })
    });
    group.bench_function("manual practice", |b| {
        let options = PlanOptions { policy: Policy::Manual, ..PlanOptions::default() };
        b.iter(|| engine.plan(black_box(&orders), &fleet, &options).unwrap().plan.metrics.objective)
    });
    group.finish();
}

criterion_group!(benches, noon);
criterion_main!(benches);
