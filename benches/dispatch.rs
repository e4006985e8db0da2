//! Re-planning speed (issue 5).
//!
//! - T1: a warm re-plan of one cycle on `data/niuxie` (a noon peak: 30 orders planned, 5 new
//!   ones arrive five minutes in), target ≤ 50 ms median.
//! - T2: a generated district (50,000 households, 100 stations, 20 tricycles, 300 porters,
//!   5,000 orders in the cycle): a cold plan and a warm re-plan with 500 new orders, 2
//!   threads, a fixed block of iterations. Plan quality against a 120-s run is measured with
//!   `lastmetre plan --seconds` (docs/simulation.md).
//!
//! Run: `cargo bench --bench dispatch`.

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use lastmetre::dispatch::{Dispatcher, Settings};
use lastmetre::model::{Fleet, Order, Seconds};
use lastmetre::{AreaParams, read_orders};
use std::path::Path;
use std::time::Duration;

const NOON: f64 = 12.0 * 3600.0;

/// A dispatcher that planned `first` at noon and has just received `next`.
fn warmed(mut d: Dispatcher, first: &[Order], next: &[Order]) -> Dispatcher {
    d.add_orders(first).unwrap();
    d.next_plan(Seconds(NOON)).unwrap();
    d.add_orders(next).unwrap();
    d
}

fn niuxie(c: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let area = lastmetre::load_area(&root.join("data/niuxie/area.geojson"), &AreaParams::default()).unwrap().area;
    let orders = read_orders(&root.join("data/niuxie/orders-noon.json")).unwrap();
    let dispatcher = Dispatcher::new(area, Fleet::default(), Settings::default()).unwrap();
    let warm = warmed(dispatcher, &orders[..30], &orders[30..35]);
    let mut group = c.benchmark_group("niuxie re-plan");
    group.sample_size(30);
    group.bench_function("warm re-plan, 35 orders, default iterations", |b| {
        b.iter_batched(
            || warm.clone(),
            |mut d| d.next_plan(Seconds(NOON + 300.0)).unwrap().plan.metrics.objective,
            BatchSize::SmallInput,
        )
    });
    group.finish();
}

fn district(c: &mut Criterion) {
    let mut options = lastmetre::synth::VillageOptions::new(50_000, 1);
    options.open_stations = Some(100);
    let spec = lastmetre::synth::village(&options).unwrap();
    let area = lastmetre::area::build(&spec, &AreaParams::default()).unwrap().area;
    let households: Vec<&str> = area.households.iter().map(|h| h.id.as_str()).collect();
    let mut batch = lastmetre::synth::demand::BatchOptions::noon(1);
    batch.orders = Some(5_500);
    let orders = lastmetre::synth::demand::batch(&households, &batch);
    let mut fleet = Fleet::default();
    fleet.tricycles.count = 20;
    fleet.porters.count = 300;
    let settings = Settings { iterations: 1_000, threads: 2, ..Settings::default() };
    let fresh = Dispatcher::new(area, fleet, settings).unwrap();
    let mut group = c.benchmark_group("district re-plan");
    group.sample_size(10).measurement_time(Duration::from_secs(60));
    let mut cold = fresh.clone();
    cold.add_orders(&orders[..5_000]).unwrap();
    group.bench_function("cold plan, 5000 orders, 1000 iterations, 2 threads", |b| {
        b.iter_batched(
            || cold.clone(),
            |mut d| d.next_plan(Seconds(NOON)).unwrap().plan.metrics.objective,
            BatchSize::LargeInput,
        )
    });
    let warm = warmed(fresh, &orders[..5_000], &orders[5_000..]);
    group.bench_function("warm re-plan, +500 orders, 1000 iterations, 2 threads", |b| {
        b.iter_batched(
            || warm.clone(),
            |mut d| d.next_plan(Seconds(NOON + 600.0)).unwrap().plan.metrics.objective,
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

criterion_group!(benches, niuxie, district);
criterion_main!(benches);
