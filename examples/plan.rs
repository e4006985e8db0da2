//! Plan the bundled noon batch through the library API, as another service would.
//!
//! Run: `cargo run --release --example plan`

use lastmetre::{AreaParams, Engine, Error, Fleet, PlanOptions, read_orders};
use std::path::Path;

fn main() -> Result<(), Error> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    // Load the area once; plan as many batches over it as needed.
    let engine = Engine::load(&root.join("data/niuxie/area.geojson"), &AreaParams::default())?;
    let orders = read_orders(&root.join("data/niuxie/orders-noon.json"))?;

    // Three porters fewer than in the founding case, carrying at most 12 kg.
    let mut fleet = Fleet::default();
    fleet.porters.count = 5;
    fleet.porters.max_carry_kg = lastmetre::Kg(12.0);

    let planned = engine.plan(&orders, &fleet, &PlanOptions { iterations: 2000, ..PlanOptions::default() })?;
    // `Engine::plan` only returns plans the independent checker passed.
    assert!(planned.report.is_ok());

    let m = &planned.plan.metrics;
    println!("{} of {} orders delivered, {} left out", m.orders_delivered, m.orders_total, m.orders_unassigned);
    println!("{} tricycle trips, {} outings, {} stair climbs", m.tricycle_trips, m.porter_outings, m.stair_climbs);
    println!("{:.0} kJ in all, at most {:.0} kJ for one porter", m.porter_energy_kj, m.porter_energy_kj_max);
    for (n, load) in m.porters.iter().enumerate() {
        println!(
            "  porter {}: {} outings, {:.0} m climbed, {:.0} kJ",
            n + 1,
            load.outings,
            load.vertical_m,
            load.energy_kj
        );
    }
    Ok(())
}
