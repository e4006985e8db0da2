//! The dispatcher's promises over simulated founding-case days (issue "Fewer climbs over a
//! whole day"): seeds 1–5, normal demand and the 3× rush, every plan through the checker.
//!
//! A day takes about a second in a release build and about a minute in a debug one, so these
//! run in release only: `cargo test --release --test service_levels` (in `.ci/run`).

use lastmetre::dispatch::Settings;
use lastmetre::sim::{DaySummary, Disturbances, Options, generated_demand_scaled, simulate};
use lastmetre::{AreaParams, Fleet, load_area};
use std::path::Path;

fn day(seed: u64, scale: f64, reserve_porters: usize) -> DaySummary {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/niuxie/area.geojson");
    let area = load_area(&path, &AreaParams::default()).expect("the bundled area is valid").area;
    let demand = generated_demand_scaled(&area, &Fleet::default().demand, 1, seed, scale);
    let settings = Settings { seed, ..Settings::default() };
    let options = Options { days: 1, seed, settings, disturbances: Disturbances::default(), reserve_porters };
    let sim = simulate(area, Fleet::default(), &demand, &options, &mut |_, _| {}).expect("the day plays");
    assert!(sim.violations.is_empty(), "seed {seed} ×{scale}: {:?}", sim.violations);
    sim.days.into_iter().next().expect("one day")
}

/// Medicine first attempted in its cycle (a door not answered is retried next cycle, so
/// "delivered in its cycle" cannot be promised), and nobody over the shift limits.
fn kept_the_hard_promises(d: &DaySummary, what: &str) {
    assert_eq!(d.medicine_attempted_in_cycle, d.medicine, "{what}: medicine not attempted in its cycle");
    assert_eq!(d.porters_over_limit, 0, "{what}: porters over the shift limits");
    // The floor counts no retry: a day of doors not answered climbs more.
    assert!(d.stair_climbs >= d.climb_floor, "{what}: fewer climbs than the floor allows: {d:?}");
}

#[test]
#[cfg_attr(debug_assertions, ignore = "a minute a day in a debug build: cargo test --release --test service_levels")]
fn normal_days_keep_every_promise_without_calling_anybody() {
    for seed in 1..=5 {
        // Porters on call, who must not be needed: no false alarm.
        let d = day(seed, 1.0, 4);
        let what = format!("seed {seed}");
        kept_the_hard_promises(&d, &what);
        assert!(d.within_two_cycles_share >= 0.99, "{what}: {:.3} within two cycles", d.within_two_cycles_share);
        assert_eq!(d.reserve_porters_called, 0, "{what}: a porter called on a normal day");
    }
}

#[test]
#[cfg_attr(debug_assertions, ignore = "a minute a day in a debug build: cargo test --release --test service_levels")]
fn rush_days_warn_and_the_porters_called_keep_most_promises() {
    for seed in 1..=5 {
        let what = format!("seed {seed} at 3×");
        // The founding fleet alone: the plans say when promises are at risk, and ask for porters.
        let alone = day(seed, 3.0, 0);
        kept_the_hard_promises(&alone, &what);
        assert!(alone.first_warning.is_some() && alone.most_porters_called >= 1, "{what}: no warning");
        // With porters on call answering the warnings: 98.5 % within two cycles on every seed
        // (the 99 % is not reached on seeds 3 and 5: docs/simulation.md).
        let helped = day(seed, 3.0, 4);
        kept_the_hard_promises(&helped, &what);
        assert!(helped.reserve_porters_called >= 1, "{what}: nobody called");
        assert!(
            helped.within_two_cycles_share >= 0.985
                && helped.within_two_cycles_share >= alone.within_two_cycles_share - 0.002,
            "{what}: {:.3} within two cycles with porters called, {:.3} without",
            helped.within_two_cycles_share,
            alone.within_two_cycles_share
        );
    }
}
