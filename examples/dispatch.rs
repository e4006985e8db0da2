//! A dispatcher's morning on the bundled area: orders arrive, the plan is redone every 30
//! minutes, porters report hand-overs, a door is not answered, a porter stops early.
//!
//! Run: `cargo run --release --example dispatch`.

use lastmetre::dispatch::{Dispatcher, Event, Failure, Settings};
use lastmetre::{AreaParams, Fleet, Seconds, read_orders};
use std::error::Error;
use std::path::Path;

fn main() -> Result<(), Box<dyn Error>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let area = lastmetre::load_area(&root.join("data/niuxie/area.geojson"), &AreaParams::default())?.area;
    // The noon batch, arriving in the three hours before noon as it was collected.
    let orders = read_orders(&root.join("data/niuxie/orders-noon.json"))?;
    let mut dispatcher = Dispatcher::new(area, Fleet::default(), Settings::default())?;
    let mut arrived = 0;
    for cycle in 0..8 {
        let now = 9.0 * 3600.0 + f64::from(cycle) * 1800.0;
        // What the field did since the last cycle: hand-overs, and one door not answered.
        let started = dispatcher.advance_to(Seconds(now));
        for (k, outing) in started.iter().enumerate() {
            for drop in &outing.drops {
                let event = if k == 0 && cycle == 2 {
                    Event::DeliveryFailed { order: drop.order.clone(), bags: vec![], reason: Failure::NobodyHome }
                } else {
                    Event::Delivered { order: drop.order.clone(), bags: drop.bags.clone() }
                };
                dispatcher.report(Seconds(drop.at_s.min(now)), event)?;
            }
        }
        if cycle == 5 {
            dispatcher.report(Seconds(now), Event::PorterOffDuty { porter: 7 })?;
        }
        let new: Vec<_> = orders.iter().skip(arrived).take_while(|o| o.placed_at.get() <= now).cloned().collect();
        arrived += new.len();
        dispatcher.add_orders(&new)?;
        let plan = dispatcher.next_plan(Seconds(now))?;
        let report = lastmetre::check::check(&plan.instance, &plan.plan);
        if !report.is_ok() {
            return Err(format!("the checker rejected cycle {}: {:?}", plan.cycle, report.violations).into());
        }
        let m = &plan.plan.metrics;
        println!(
            "{:02}:{:02}  {:3} new, {:3} planned ({} held), {} trips, {:3} climbs, {} frozen outings, {} moved",
            (now / 3600.0) as u32,
            ((now % 3600.0) / 60.0) as u32,
            new.len(),
            m.orders_total,
            m.orders_unassigned,
            m.tricycle_trips,
            m.stair_climbs,
            plan.frozen_outings.len(),
            m.orders_moved,
        );
    }
    let energy: f64 = dispatcher.porters().iter().map(|p| p.energy_kj).sum();
    println!("{} orders still open; porters spent {energy:.0} kJ so far", dispatcher.backlog());
    Ok(())
}
