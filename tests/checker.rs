//! The independent checker on broken plans: every kind of violation is caught. The base plan
//! is a real one for the bundled noon batch, which the checker passes.

use lastmetre::check::{Kind, check};
use lastmetre::{AreaParams, Engine, Fleet, Instance, Plan, PlanOptions, read_orders};
use std::path::Path;
use std::sync::OnceLock;

fn base() -> &'static (Instance, Plan) {
    static BASE: OnceLock<(Instance, Plan)> = OnceLock::new();
    BASE.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let engine = Engine::load(&root.join("data/niuxie/area.geojson"), &AreaParams::default()).unwrap();
        let orders = read_orders(&root.join("data/niuxie/orders-noon.json")).unwrap();
        let planned = engine
            .plan(&orders, &Fleet::default(), &PlanOptions { iterations: 200, ..PlanOptions::default() })
            .unwrap();
        (planned.instance, planned.plan)
    })
}

fn kinds(instance: &Instance, plan: &Plan) -> Vec<Kind> {
    check(instance, plan).violations.into_iter().map(|v| v.kind).collect()
}

/// Breaks the plan or the instance, and expects `kind` among the violations.
fn caught(kind: Kind, breakage: impl FnOnce(&mut Instance, &mut Plan)) {
    let (mut instance, mut plan) = base().clone();
    breakage(&mut instance, &mut plan);
    let found = kinds(&instance, &plan);
    assert!(found.contains(&kind), "{kind:?} not caught; found {found:?}");
}

/// An outing with at least two climbs, or the first outing.
fn busy_outing(plan: &Plan) -> usize {
    plan.outings.iter().position(|o| o.climbs.len() >= 2).unwrap_or(0)
}

#[test]
fn the_base_plan_passes() {
    let (instance, plan) = base();
    assert!(kinds(instance, plan).is_empty());
}

#[test]
fn bad_references_are_caught_without_panicking() {
    caught(Kind::BadReference, |_, p| p.outings[0].station = 999);
    caught(Kind::BadReference, |_, p| p.outings[0].climbs[0].drops[0].bags.push(77));
    caught(Kind::BadReference, |_, p| p.trips[0].tricycle = 9);
    caught(Kind::BadReference, |_, p| {
        p.unassigned
            .push(lastmetre::model::plan::Unassigned { job: 100_000, reason: lastmetre::model::plan::Reason::NoFleet })
    });
}

#[test]
fn missing_double_and_partial_deliveries_are_caught() {
    caught(Kind::Delivery, |_, p| {
        p.outings[0].climbs[0].drops.remove(0);
    });
    caught(Kind::Delivery, |_, p| {
        let drop = p.outings[0].climbs[0].drops[0].clone();
        p.outings[1].climbs[0].drops.push(drop);
    });
    caught(Kind::Delivery, |_, p| {
        let job = p.outings[0].climbs[0].drops[0].job;
        p.unassigned
            .push(lastmetre::model::plan::Unassigned { job, reason: lastmetre::model::plan::Reason::PorterEnergy });
    });
}

#[test]
fn wrong_floor_or_stairwell_is_caught() {
    caught(Kind::WrongDoor, |_, p| p.outings[0].climbs[0].drops[0].floor += 1);
    caught(Kind::WrongDoor, |i, p| {
        let o = busy_outing(p);
        let other = (p.outings[o].climbs[0].stairwell + 1) % i.stairwells.len();
        p.outings[o].climbs[0].stairwell = other;
    });
}

#[test]
fn overweight_carries_and_trips_are_caught() {
    caught(Kind::Carry, |i, _| i.fleet.porters.max_carry_kg = lastmetre::Kg(1.0));
    caught(Kind::TricycleCapacity, |i, _| i.fleet.tricycles.capacity_kg = lastmetre::Kg(50.0));
    caught(Kind::TricycleCapacity, |i, _| i.fleet.tricycles.capacity_litres = lastmetre::model::Litres(20.0));
}

#[test]
fn leaving_before_the_tricycle_unloads_is_caught() {
    caught(Kind::Synchronisation, |_, p| {
        let o = p.outings.iter().position(|o| o.start_s > 300.0).expect("a later outing");
        let shift = p.outings[o].start_s;
        let outing = &mut p.outings[o];
        outing.start_s -= shift;
        outing.end_s -= shift;
        for c in &mut outing.climbs {
            c.arrive_s -= shift;
            c.leave_s -= shift;
            for d in &mut c.drops {
                d.at_s -= shift;
            }
        }
    });
    caught(Kind::Synchronisation, |_, p| {
        // The bags go to another station than the one the outing leaves from.
        let station = p.outings[0].station;
        let stop = p.trips.iter_mut().flat_map(|t| &mut t.stops).find(|s| s.station == station).unwrap();
        stop.station = (station + 1) % 8;
    });
}

#[test]
fn impossible_times_are_caught() {
    caught(Kind::Timing, |_, p| p.outings[0].climbs[0].arrive_s += 5.0);
    caught(Kind::Timing, |_, p| p.outings[0].end_s -= 60.0);
    caught(Kind::Timing, |_, p| p.trips[0].stops[0].arrive_s -= 30.0);
    caught(Kind::Timing, |i, _| i.fleet.porters.handover_s = lastmetre::Seconds(10.0));
}

#[test]
fn a_porter_or_tricycle_in_two_places_is_caught() {
    caught(Kind::Overlap, |_, p| {
        let first = &p.outings[0];
        let other = p
            .outings
            .iter()
            .position(|o| o.porter != first.porter && o.start_s < first.end_s && o.end_s > first.start_s)
            .expect("porters work at the same time");
        p.outings[other].porter = p.outings[0].porter;
    });
    caught(Kind::Overlap, |_, p| {
        let t = p.trips.iter().position(|t| t.tricycle != p.trips[0].tricycle).unwrap();
        p.trips[t].tricycle = p.trips[0].tricycle;
        let (start, end) = (p.trips[0].start_s, p.trips[0].end_s);
        let shift = start + 1.0 - p.trips[t].start_s;
        let trip = &mut p.trips[t];
        trip.start_s += shift;
        trip.end_s += shift;
        for s in &mut trip.stops {
            s.arrive_s += shift;
            s.ready_s += shift;
        }
        assert!(trip.start_s < end);
    });
}

#[test]
fn moves_with_no_route_on_the_graph_are_caught() {
    use lastmetre::model::Table;
    // Stations that no path joins: every porter's first move to another station has no route.
    caught(Kind::Unreachable, |i, p| {
        let n = i.stations.len();
        i.walk_station_station = Table::from_fn(n, n, |a, b| (a == b).then_some(0.0));
        assert!(p.outings.iter().any(|o| o.station != o.porter % n), "an outing away from the porter's home station");
    });
    // Stairwells that no path reaches from any station.
    caught(Kind::Unreachable, |i, _| {
        i.walk_station_stairwell = Table::from_fn(i.stations.len(), i.stairwells.len(), |_, _| None);
    });
    // Stations that no tricycle lane reaches from the gate.
    caught(Kind::Unreachable, |i, _| {
        let n = i.stations.len() + 1;
        i.ride = Table::from_fn(n, n, |a, b| (a == b).then_some(0.0));
    });
}

#[test]
fn outings_of_an_off_duty_porter_are_caught() {
    caught(Kind::OffDuty, |i, p| {
        let porter = p.outings[0].porter;
        let mut state: Vec<_> = (0..i.fleet.porters.count).map(|k| i.porter_state(k)).collect();
        state[porter].on_duty = false;
        i.state.porters = state;
    });
    // The same fleet state with everyone on duty is no violation.
    let (mut instance, plan) = base().clone();
    instance.state.porters = (0..instance.fleet.porters.count).map(|k| instance.porter_state(k)).collect();
    assert!(!kinds(&instance, &plan).contains(&Kind::OffDuty));
}

#[test]
fn energy_storage_and_pins_are_enforced() {
    caught(Kind::Energy, |i, _| i.fleet.porters.shift_energy = lastmetre::model::Kilojoules(100.0));
    caught(Kind::Storage, |i, _| {
        for s in &mut i.stations {
            s.storage_kg = Some(5.0);
        }
    });
    caught(Kind::Pinned, |i, p| {
        let outing = &p.outings[0];
        let job = outing.climbs[0].drops[0].job;
        i.jobs[job].pinned_station = Some((outing.station + 1) % i.stations.len());
    });
}

#[test]
fn fleet_limits_are_enforced() {
    // The base plan has 7 trips over 2 tricycles and many outings per porter.
    caught(Kind::FleetLimit, |i, _| i.fleet.tricycles.trips_each = Some(1));
    caught(Kind::FleetLimit, |i, _| i.fleet.porters.outings_each = Some(1));
    caught(Kind::FleetLimit, |i, p| {
        i.fleet.porters.per_station = Some(1);
        let station = p.outings[0].station;
        let other = p.outings.iter().position(|o| o.porter != p.outings[0].porter).unwrap();
        // Two porters at one station (the outing keeps its walks; only the station differs).
        p.outings[other].station = station;
    });
    let (mut instance, plan) = base().clone();
    instance.fleet.tricycles.trips_each = Some(plan.trips.len());
    instance.fleet.porters.outings_each = Some(plan.outings.len());
    assert!(!kinds(&instance, &plan).contains(&Kind::FleetLimit));
}

#[test]
fn reported_metrics_must_match() {
    caught(Kind::Metric, |_, p| p.metrics.stair_climbs += 1);
    caught(Kind::Metric, |_, p| p.metrics.porter_energy_kj *= 0.99);
    caught(Kind::Metric, |_, p| p.metrics.tricycle_km += 0.1);
    caught(Kind::Metric, |_, p| p.metrics.objective -= 1.0);
    caught(Kind::Metric, |_, p| p.metrics.orders_delivered += 1);
}
