//! Planning end to end on the bundled area and noon batch. Every plan goes through the
//! independent checker (`Engine::plan` refuses to return one it rejects; the tests check
//! again to be sure).

use lastmetre::{AreaParams, Engine, Fleet, PlanOptions, Planned, Policy, read_orders};
use std::path::Path;
use std::sync::OnceLock;

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        Engine::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("data/niuxie/area.geojson"), &AreaParams::default())
            .expect("bundled area")
    })
}

fn noon() -> Vec<lastmetre::Order> {
    read_orders(&Path::new(env!("CARGO_MANIFEST_DIR")).join("data/niuxie/orders-noon.json")).expect("bundled orders")
}

fn plan(policy: Policy, iterations: u64) -> Planned {
    let options = PlanOptions { iterations, policy, ..PlanOptions::default() };
    let planned = engine().plan(&noon(), &Fleet::default(), &options).expect("plans");
    let report = lastmetre::check::check(&planned.instance, &planned.plan);
    assert!(report.is_ok(), "{:#?}", report.violations);
    planned
}

#[test]
fn bundled_noon_batch_is_about_250_orders_of_heavy_staples() {
    let orders = noon();
    assert!((230..=270).contains(&orders.len()), "{}", orders.len());
    let kg: f64 = orders.iter().map(|o| o.kg().get()).sum();
    assert!(kg / orders.len() as f64 > 4.0, "staples are heavy: {kg} kg");
    let medicine = orders.iter().filter(|o| o.priority == lastmetre::model::Priority::Medicine).count();
    let share = medicine as f64 / orders.len() as f64;
    assert!((0.03..=0.09).contains(&share), "medicine share {share}");
}

#[test]
fn the_solver_beats_the_manual_practice_on_the_noon_batch() {
    let ours = plan(Policy::Lastmetre, 2000).plan.metrics;
    let manual = plan(Policy::Manual, 0).plan.metrics;
    assert_eq!(ours.orders_delivered, 250);
    assert!(ours.orders_delivered >= manual.orders_delivered);
    assert!(ours.tricycle_trips <= manual.tricycle_trips, "{} > {}", ours.tricycle_trips, manual.tricycle_trips);
    assert!(ours.stair_climbs < manual.stair_climbs, "{} vs {}", ours.stair_climbs, manual.stair_climbs);
    assert!(ours.porter_energy_kj < manual.porter_energy_kj);
    assert!(ours.porter_energy_kj_max < manual.porter_energy_kj_max);
    assert!(ours.objective < manual.objective);
    // Medicine goes first.
    assert!(ours.last_medicine_s < ours.last_delivery_s / 2.0, "{} of {}", ours.last_medicine_s, ours.last_delivery_s);
}

#[test]
fn every_porter_and_tricycle_gets_work_and_stays_in_budget() {
    let planned = plan(Policy::Lastmetre, 1000);
    let m = &planned.plan.metrics;
    assert_eq!(m.porters.len(), 8);
    assert!(m.porters.iter().all(|p| p.outings > 0), "{:?}", m.porters);
    assert!(m.porters.iter().all(|p| p.energy_kj <= 5000.0));
    let tricycles: std::collections::BTreeSet<usize> = planned.plan.trips.iter().map(|t| t.tricycle).collect();
    assert_eq!(tricycles.len(), 2);
}

#[test]
fn pinned_orders_leave_from_their_station() {
    let mut orders = noon();
    let pin = "T1";
    for o in orders.iter_mut().take(20) {
        o.station = Some(pin.to_owned());
    }
    let planned = engine().plan(&orders, &Fleet::default(), &PlanOptions { iterations: 500, ..PlanOptions::default() });
    let planned = planned.expect("plans");
    let t1 = planned.instance.stations.iter().position(|s| s.id == pin).expect("T1 is open");
    for outing in &planned.plan.outings {
        for drop in outing.climbs.iter().flat_map(|c| &c.drops) {
            if planned.instance.jobs[drop.job].pinned_station.is_some() {
                assert_eq!(outing.station, t1);
            }
        }
    }
}

#[test]
fn a_smaller_fleet_leaves_orders_out_with_reasons_not_errors() {
    let mut fleet = Fleet::default();
    fleet.porters.count = 1;
    fleet.porters.shift_energy = lastmetre::model::Kilojoules(600.0);
    let planned =
        engine().plan(&noon(), &fleet, &PlanOptions { iterations: 300, ..PlanOptions::default() }).expect("plans");
    let m = &planned.plan.metrics;
    assert!(m.orders_unassigned > 0);
    assert_eq!(m.orders_delivered + m.orders_unassigned, m.orders_total);
    assert!(m.porter_energy_kj_max <= 600.0);
    // Urgent orders go first: a larger share of medicine than of normal orders is delivered.
    let share = |k: usize| {
        m.delivered_by_priority[k] as f64 / (m.delivered_by_priority[k] + m.unassigned_by_priority[k]) as f64
    };
    assert!(share(0) > share(2), "medicine {} vs normal {}", share(0), share(2));
    assert!(planned.plan.unassigned.iter().all(|u| u.reason == lastmetre::model::plan::Reason::PorterEnergy));
}

#[test]
fn full_stations_leave_orders_out_under_both_policies() {
    let mut fleet = Fleet::default();
    let stations: Vec<lastmetre::model::StationSetting> = engine()
        .area
        .open_sites()
        .map(|s| lastmetre::model::StationSetting {
            id: engine().area.sites[s].id.clone(),
            storage_kg: Some(lastmetre::Kg(120.0)),
        })
        .collect();
    fleet.stations = Some(stations);
    for policy in [Policy::Lastmetre, Policy::Manual] {
        let options = PlanOptions { iterations: 300, policy, ..PlanOptions::default() };
        let planned = engine().plan(&noon(), &fleet, &options).expect("plans, checked");
        let m = &planned.plan.metrics;
        assert!(m.orders_unassigned > 0, "{policy:?}: 1630 kg cannot fit 8 × 120 kg");
        assert!(
            planned.plan.unassigned.iter().all(|u| u.reason == lastmetre::model::plan::Reason::StationStorage),
            "{policy:?}"
        );
    }
}
