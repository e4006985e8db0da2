//! The dispatcher across cycles: frozen work, carry-over, cancellations and every event.
//! Every plan goes through the independent checker.

use lastmetre_dispatch::{
    CyclePlan, DispatchError, Dispatcher, Event, Failure, OrderStatus, Policy, Settings, TripRef,
};
use lastmetre_model::plan::Reason;
use lastmetre_model::{AreaParams, Bag, Fleet, Kg, Litres, Order, Priority, Seconds};
use std::collections::{BTreeMap, BTreeSet};

const NOON: f64 = 12.0 * 3600.0;

fn area() -> lastmetre_area::Area {
    let spec = lastmetre_synth::village(&lastmetre_synth::VillageOptions::new(120, 7)).unwrap();
    lastmetre_area::build(&spec, &AreaParams::default()).unwrap().area
}

fn dispatcher(policy: Policy) -> Dispatcher {
    let settings = Settings { iterations: 400, policy, consolidate: false, ..Settings::default() };
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

fn porters_of(cycle: &CyclePlan) -> BTreeMap<String, usize> {
    cycle.outings.iter().flat_map(|o| o.drops.iter().map(move |d| (d.order.clone(), o.porter))).collect()
}

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
    assert!(second.instance.jobs.is_empty(), "an order out for delivery is not planned again");
    assert!(matches!(d.status("o1"), Some(OrderStatus::OutForDelivery { .. })));
    let drop = &first.outings[0].drops[0];
    d.report(Seconds(drop.at_s), Event::Delivered { order: "o1".into(), bags: vec![] }).unwrap();
    assert!(matches!(d.status("o1"), Some(OrderStatus::Delivered { .. })));
    let third = plan(&mut d, NOON + 3600.0);
    assert!(third.instance.jobs.is_empty());
    assert_eq!(d.backlog(), 0);
}

#[test]
fn frozen_work_never_changes_across_replans() {
    let mut d = dispatcher(Policy::Lastmetre);
    let batch = orders(&d, 40, NOON - 300.0, "a");
    d.add_orders(&batch).unwrap();
    let first = plan(&mut d, NOON);
    // Halfway through, new orders come in and the dispatcher re-plans.
    let now = NOON + 900.0;
    d.add_orders(&orders(&d, 10, now - 10.0, "b")).unwrap();
    let second = plan(&mut d, now);
    let started: Vec<_> = first.outings.iter().filter(|o| o.start_s < now).cloned().collect();
    let loading: Vec<_> = first.trips.iter().filter(|t| t.start_s < now).cloned().collect();
    assert!(!started.is_empty() && !loading.is_empty());
    let still: Vec<_> = started.iter().filter(|o| o.end_s > now).cloned().collect();
    assert_eq!(second.frozen_outings, still, "started outings are kept exactly");
    assert_eq!(second.frozen_trips, loading.iter().filter(|t| t.end_s > now).cloned().collect::<Vec<_>>());
    // Their orders are not planned again; the rest are, with the busy porters' time respected
    // (the checker verifies the fleet state).
    let out: BTreeSet<&str> = started.iter().flat_map(|o| o.drops.iter().map(|d| d.order.as_str())).collect();
    assert!(second.instance.jobs.iter().all(|j| !out.contains(j.id.as_str())));
    for o in &still {
        let state = &second.instance.state.porters[o.porter];
        assert!(state.free_s >= o.end_s - now - 1e-6);
        assert!(second.outings.iter().filter(|n| n.porter == o.porter).all(|n| n.start_s >= o.end_s - 1e-6));
    }
    // Goods of trips under way leave from their station.
    let loaded: BTreeSet<&str> =
        loading.iter().flat_map(|t| t.stops.iter().flat_map(|s| s.bags.iter().map(|b| b.0.as_str()))).collect();
    for job in &second.instance.jobs {
        assert_eq!(job.stocked.is_some(), loaded.contains(job.id.as_str()), "order {}", job.id);
    }
    // A third plan at the same moment freezes nothing new and changes nothing frozen.
    let third = plan(&mut d, now);
    assert_eq!(third.frozen_outings, second.frozen_outings);
}

#[test]
fn replanning_keeps_orders_with_the_porter_they_were_announced_to() {
    let mut d = dispatcher(Policy::Lastmetre);
    d.add_orders(&orders(&d, 30, NOON - 600.0, "a")).unwrap();
    // Planned ahead of the cycle: nothing starts before the re-plan.
    let first = plan(&mut d, NOON - 1200.0);
    let second = plan(&mut d, NOON - 1200.0);
    assert_eq!(second.plan.metrics.orders_moved, 0);
    assert_eq!(porters_of(&first), porters_of(&second));
    assert!(second.instance.jobs.iter().all(|j| j.announced.is_some()));
}

#[test]
fn a_cancelled_order_disappears_and_one_out_for_delivery_cannot_be_cancelled() {
    let mut d = dispatcher(Policy::Lastmetre);
    d.add_orders(&orders(&d, 6, NOON - 60.0, "a")).unwrap();
    let first = plan(&mut d, NOON);
    d.cancel("a3").unwrap();
    assert_eq!(d.status("a3"), Some(OrderStatus::Cancelled));
    let again = plan(&mut d, NOON);
    assert!(again.instance.jobs.iter().all(|j| j.id != "a3"));
    assert_eq!(again.plan.metrics.orders_total, 5);
    let gone = &first.outings[0].drops[0].order;
    let later = plan(&mut d, NOON + 1800.0);
    assert!(later.instance.jobs.iter().all(|j| j.id != *gone));
    assert!(matches!(d.cancel(gone), Err(DispatchError::TooLateToCancel(_))));
    assert!(matches!(d.cancel("nope"), Err(DispatchError::UnknownOrder(_))));
}

#[test]
fn a_failed_delivery_comes_back_to_its_station_and_is_planned_again_with_more_weight() {
    let mut d = dispatcher(Policy::Lastmetre);
    let h = d.area().households[9].id.clone();
    d.add_orders(&[order("o1", &h, 4.0, Priority::Normal, NOON - 60.0)]).unwrap();
    let first = plan(&mut d, NOON);
    let outing = &first.outings[0];
    let _ = plan(&mut d, NOON + 1800.0);
    let event = Event::DeliveryFailed { order: "o1".into(), bags: vec![], reason: Failure::NobodyHome };
    d.report(Seconds(outing.drops[0].at_s), event).unwrap();
    assert_eq!(d.status("o1"), Some(OrderStatus::AtStation { station: outing.station.clone() }));
    let retry = plan(&mut d, NOON + 3600.0);
    let job = &retry.instance.jobs[0];
    assert_eq!(job.stocked.map(|s| retry.instance.stations[s.station].id.clone()), Some(outing.station.clone()));
    assert!(job.waited_cycles >= 1);
    assert_eq!(retry.plan.metrics.orders_delivered, 1);
    assert!(retry.trips.is_empty(), "goods already at the station need no tricycle");
}

#[test]
fn a_trip_reported_departed_is_frozen_and_its_unloading_is_recorded() {
    let mut d = dispatcher(Policy::Lastmetre);
    d.add_orders(&orders(&d, 150, NOON - 60.0, "a")).unwrap();
    let first = plan(&mut d, NOON);
    let last = first.trips.iter().max_by(|a, b| a.start_s.total_cmp(&b.start_s)).unwrap().clone();
    assert!(last.start_s > NOON + 60.0, "the test needs a trip that leaves later");
    d.report(Seconds(NOON + 30.0), Event::TripDeparted { trip: last.id }).unwrap();
    let second = plan(&mut d, NOON + 60.0);
    assert!(second.frozen_trips.contains(&last));
    let stop = &last.stops[0];
    d.report(Seconds(stop.ready_s), Event::BagsUnloaded { trip: last.id, station: stop.station.clone() }).unwrap();
    let order = &stop.bags[0].0;
    assert!(matches!(d.status(order), Some(OrderStatus::AtStation { .. }) | Some(OrderStatus::OutForDelivery { .. })));
    let unknown = TripRef { cycle: 99, trip: 0 };
    assert!(matches!(
        d.report(Seconds(NOON), Event::TripDeparted { trip: unknown }),
        Err(DispatchError::UnknownTrip(_))
    ));
}

#[test]
fn a_porter_off_duty_gets_no_outings_until_back() {
    let mut d = dispatcher(Policy::Lastmetre);
    d.add_orders(&orders(&d, 30, NOON - 60.0, "a")).unwrap();
    d.report(Seconds(NOON - 10.0), Event::PorterOffDuty { porter: 2 }).unwrap();
    let off = plan(&mut d, NOON);
    assert!(off.outings.iter().all(|o| o.porter != 2));
    assert!(!off.instance.state.porters[2].on_duty);
    d.report(Seconds(NOON + 10.0), Event::PorterOnDuty { porter: 2 }).unwrap();
    d.add_orders(&orders(&d, 30, NOON + 20.0, "b")).unwrap();
    let back = plan(&mut d, NOON + 30.0);
    assert!(back.instance.state.porters[2].on_duty);
    assert!(back.outings.iter().any(|o| o.porter == 2));
    assert!(matches!(
        d.report(Seconds(NOON), Event::PorterOffDuty { porter: 99 }),
        Err(DispatchError::UnknownPorter(..))
    ));
}

#[test]
fn a_closed_lane_takes_a_station_out_of_reach_until_it_reopens() {
    let mut d = dispatcher(Policy::Lastmetre);
    let area = d.area().clone();
    let open: Vec<usize> = area.open_sites().collect();
    let cuts = |l: usize| {
        let m = area.matrices_without(&[l]);
        let cut = open.iter().filter(|s| m.tricycle_distance.get(0, m.site_depot(**s)).is_none()).count();
        cut > 0 && cut < open.len()
    };
    let lane =
        (0..area.lanes.len()).find(|l| area.lanes[*l].tricycle && cuts(*l)).expect("a lane that cuts a station off");
    let lane = area.lanes[lane].id.clone();
    d.add_orders(&orders(&d, 30, NOON - 60.0, "a")).unwrap();
    let before = plan(&mut d, NOON - 600.0);
    d.report(Seconds(NOON - 300.0), Event::LaneClosed { lane: lane.clone() }).unwrap();
    let closed = plan(&mut d, NOON - 600.0);
    assert!(closed.instance.stations.len() < before.instance.stations.len());
    assert!(closed.notes.iter().any(|n| n.contains("out of the tricycles' reach")));
    d.report(Seconds(NOON - 200.0), Event::LaneReopened { lane }).unwrap();
    let reopened = plan(&mut d, NOON - 600.0);
    assert_eq!(reopened.instance.stations.len(), before.instance.stations.len());
    let unknown = Event::LaneClosed { lane: "no-such-lane".into() };
    assert!(matches!(d.report(Seconds(NOON), unknown), Err(DispatchError::UnknownFeature("lane", _))));
}

#[test]
fn a_closed_station_takes_no_more_goods() {
    let mut d = dispatcher(Policy::Lastmetre);
    d.add_orders(&orders(&d, 30, NOON - 60.0, "a")).unwrap();
    let first = plan(&mut d, NOON);
    let station = first.instance.stations[0].id.clone();
    d.report(Seconds(NOON + 10.0), Event::StationClosed { station: station.clone() }).unwrap();
    let after = plan(&mut d, NOON + 20.0);
    assert!(after.instance.stations.iter().all(|s| s.id != station));
    assert!(after.outings.iter().all(|o| o.station != station));
}

#[test]
fn orders_that_wait_weigh_more_and_bad_orders_are_refused_whole() {
    let mut d = dispatcher(Policy::Lastmetre);
    for p in 0..8 {
        d.report(Seconds(NOON - 100.0), Event::PorterOffDuty { porter: p }).unwrap();
    }
    d.add_orders(&orders(&d, 3, NOON - 60.0, "a")).unwrap();
    let none = plan(&mut d, NOON);
    assert_eq!(none.plan.metrics.orders_unassigned, 3);
    let next = plan(&mut d, NOON + 1800.0);
    assert!(next.instance.jobs.iter().all(|j| j.waited_cycles == 1));
    assert!(next.plan.metrics.objective > none.plan.metrics.objective, "waiting raises the cost of leaving out");
    let h = d.area().households[0].id.clone();
    let bad = [order("ok", &h, 3.0, Priority::Normal, NOON), order("a1", "nobody", 3.0, Priority::Normal, NOON)];
    let Err(DispatchError::Problems(problems)) = d.add_orders(&bad) else { panic!("accepted a bad batch") };
    assert!(problems.iter().any(|p| p.feature.as_deref() == Some("a1")));
    assert_eq!(d.status("ok"), None, "nothing of a bad batch is added");
    assert!(matches!(d.next_plan(Seconds(NOON)), Err(DispatchError::TimeWentBack(..))));
}

/// Two upper-floor households of one stairwell, the higher first.
fn neighbours_upstairs(area: &lastmetre_area::Area) -> (String, String) {
    let mut best: Option<(u32, String, String)> = None;
    for w in 0..area.stairwells.len() {
        let mut up: Vec<_> = area.households.iter().filter(|h| h.stairwell == w && h.floor > 2).collect();
        up.sort_by_key(|h| std::cmp::Reverse(h.floor));
        if up.len() >= 2 && best.as_ref().is_none_or(|b| up[0].floor > b.0) {
            best = Some((up[0].floor, up[0].id.clone(), up[1].id.clone()));
        }
    }
    let (_, high, next) = best.expect("a stairwell with two households above the second floor");
    (high, next)
}

/// The area's demand: `per_household_day` orders a day, all of them around `hour`.
fn demand_around(hour: f64, per_household_day: f64) -> Fleet {
    let mut fleet = Fleet::default();
    fleet.demand.per_household_day = per_household_day;
    fleet.demand.peaks = vec![lastmetre_model::Peak { hour, share: 1.0, sigma_hours: 0.1 }];
    fleet
}

/// Orders expected around 12:15, the cycle after noon.
fn demand_at_quarter_past_noon(per_household_day: f64) -> Fleet {
    demand_around(12.25, per_household_day)
}

/// Noon: `first` for the higher household; 12:10: a normal order for its neighbour upstairs
/// (when `neighbour`); plans at 12:00 and 12:30. The reasons of the noon plan and the climbs
/// of both.
fn two_cycles(fleet: Fleet, first: Priority, neighbour: bool, consolidate: bool) -> (Vec<Reason>, usize) {
    let settings = Settings { iterations: 400, consolidate, ..Settings::default() };
    let mut d = Dispatcher::new(area(), fleet, settings).unwrap();
    let (high, next) = neighbours_upstairs(d.area());
    d.add_orders(&[order("rice", &high, 8.0, first, NOON - 60.0)]).unwrap();
    let noon = plan(&mut d, NOON);
    if neighbour {
        d.add_orders(&[order("eggs", &next, 2.0, Priority::Normal, NOON + 600.0)]).unwrap();
    }
    let later = plan(&mut d, NOON + 1800.0);
    let reasons = noon.plan.unassigned.iter().map(|u| u.reason).collect();
    (reasons, noon.plan.metrics.stair_climbs + later.plan.metrics.stair_climbs)
}

#[test]
fn an_order_is_held_exactly_when_a_neighbour_is_expected_within_its_promise_and_medicine_never() {
    // A dozen orders are expected in the area at 12:15, so about one at the stairwell: the
    // noon order waits, and the neighbour's order that comes shares its climb.
    let busy = demand_at_quarter_past_noon(0.1);
    let (reasons, climbs) = two_cycles(busy.clone(), Priority::Normal, true, true);
    assert_eq!(reasons, [Reason::Held]);
    assert_eq!(climbs, 1, "one climb for both");
    let (_, apart) = two_cycles(busy.clone(), Priority::Normal, true, false);
    assert_eq!(apart, 2, "without holding, a climb each");
    // When the expected neighbour does not come, the wait cost a cycle, not a climb.
    let (reasons, climbs) = two_cycles(busy.clone(), Priority::Normal, false, true);
    assert_eq!((reasons.as_slice(), climbs), ([Reason::Held].as_slice(), 1));
    // As many orders are expected, but at 18:00: it goes out at noon.
    let (reasons, climbs) = two_cycles(demand_around(18.0, 0.1), Priority::Normal, false, true);
    assert!(reasons.is_empty(), "{reasons:?}");
    assert_eq!(climbs, 1);
    // Medicine never waits, whatever is expected.
    let (reasons, climbs) = two_cycles(busy, Priority::Medicine, true, true);
    assert!(reasons.is_empty(), "{reasons:?}");
    assert_eq!(climbs, 2);
}

#[test]
fn a_held_order_goes_out_next_cycle_stocked_and_is_not_held_again() {
    let settings = Settings { iterations: 400, ..Settings::default() };
    let mut d = Dispatcher::new(area(), demand_at_quarter_past_noon(0.1), settings).unwrap();
    let (high, _) = neighbours_upstairs(d.area());
    let other = d.area().households[0].id.clone();
    d.add_orders(&[
        order("rice", &high, 10.0, Priority::Normal, NOON - 60.0),
        order("pills", &other, 0.3, Priority::Medicine, NOON - 60.0),
    ])
    .unwrap();
    let first = plan(&mut d, NOON);
    let held: Vec<_> =
        first.plan.unassigned.iter().map(|u| (first.instance.jobs[u.job].id.as_str(), u.reason)).collect();
    assert_eq!(held, [("rice", Reason::Held)]);
    let hold = first.instance.jobs.iter().find(|j| j.id == "rice").unwrap().hold.unwrap();
    assert!(hold.expected_joins > 0.3, "{hold:?}");
    // It rides along with the medicine's trip and waits at the station.
    assert!(first.trips.iter().flat_map(|t| &t.stops).any(|s| s.bags.iter().any(|b| b.0 == "rice")));
    let next = plan(&mut d, NOON + 1800.0);
    let rice = next.instance.jobs.iter().find(|j| j.id == "rice").unwrap();
    assert!(rice.stocked.is_some() && rice.hold.is_none() && rice.waited_cycles == 1);
    assert_eq!(next.plan.metrics.orders_delivered, 1, "a held order goes out next cycle");
    assert!(next.trips.is_empty());
}

#[test]
fn goods_brought_back_to_a_closed_station_go_out_again_from_the_gate() {
    let mut d = dispatcher(Policy::Lastmetre);
    let h = d.area().households[9].id.clone();
    d.add_orders(&[order("o1", &h, 4.0, Priority::Need, NOON - 60.0)]).unwrap();
    let first = plan(&mut d, NOON);
    let outing = first.outings[0].clone();
    let _ = plan(&mut d, NOON + 1800.0);
    d.report(Seconds(NOON + 1900.0), Event::StationClosed { station: outing.station.clone() }).unwrap();
    // The door did not answer after the close: the porter brings the bags to the closed station.
    let failed = Event::DeliveryFailed { order: "o1".into(), bags: vec![], reason: Failure::Isolated };
    d.report(Seconds(NOON + 2000.0), failed).unwrap();
    let retry = plan(&mut d, NOON + 3600.0);
    assert_eq!(retry.plan.metrics.orders_delivered, 1, "the order is planned again, not stranded");
    assert!(retry.instance.jobs[0].stocked.is_none());
    assert!(retry.outings.iter().all(|o| o.station != outing.station));
}

#[test]
fn an_order_cannot_be_cancelled_once_it_left_the_gate_and_reserved_ids_are_refused() {
    let mut d = dispatcher(Policy::Lastmetre);
    d.add_orders(&orders(&d, 4, NOON - 60.0, "a")).unwrap();
    let first = plan(&mut d, NOON);
    let _ = plan(&mut d, NOON + 1800.0);
    let loaded = &first.trips[0].stops[0].bags[0].0;
    assert!(matches!(d.cancel(loaded), Err(DispatchError::TooLateToCancel(_))));
    let h = d.area().households[0].id.clone();
    let bad = order("x (part 2)", &h, 1.0, Priority::Normal, NOON);
    assert!(matches!(d.add_orders(&[bad]), Err(DispatchError::Problems(_))));
}

#[test]
fn an_unusable_fleet_is_refused_at_the_start_with_every_problem() {
    let mut fleet = Fleet::default();
    fleet.porters.walk_speed = lastmetre_model::MetresPerSecond(0.0);
    fleet.tricycles.capacity_kg = Kg(5.0);
    let Err(DispatchError::Problems(problems)) = Dispatcher::new(area(), fleet, Settings::default()) else {
        panic!("a fleet that cannot walk is refused");
    };
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(problems.iter().all(|p| p.code == lastmetre_area::Code::BadFleet));
    assert!(problems[0].message.contains("porters.walk_speed"), "{}", problems[0].message);
    assert!(problems[1].message.contains("tricycles.capacity_kg"), "{}", problems[1].message);
}

#[test]
fn reports_that_cannot_be_true_are_refused_and_change_nothing() {
    let mut d = dispatcher(Policy::Lastmetre);
    let h = d.area().households[5].id.clone();
    d.add_orders(&[order("o1", &h, 5.0, Priority::Normal, NOON - 60.0)]).unwrap();
    d.add_orders(&[order("o2", &h, 5.0, Priority::Normal, NOON - 50.0)]).unwrap();
    let delivered = |bags: Vec<usize>| Event::Delivered { order: "o1".into(), bags };
    // Nothing is planned yet: a delivery cannot have happened.
    assert!(matches!(d.report(Seconds(NOON), delivered(vec![])), Err(DispatchError::NotPlanned(_))));
    let first = plan(&mut d, NOON);
    // Bags are numbered from 0; a one-bag order has bag 0 only.
    assert!(matches!(d.report(Seconds(NOON + 60.0), delivered(vec![99])), Err(DispatchError::UnknownBag(..))));
    // Hours before the plan that sent it out.
    assert!(matches!(d.report(Seconds(8.0 * 3600.0), delivered(vec![])), Err(DispatchError::EventTooOld(..))));
    // A trip reported departed has its unloading reported before the next re-plan.
    let trip = first.trips[0].clone();
    d.report(Seconds(NOON + 10.0), Event::TripDeparted { trip: trip.id }).unwrap();
    let stop = &trip.stops[0];
    d.report(Seconds(stop.ready_s), Event::BagsUnloaded { trip: trip.id, station: stop.station.clone() }).unwrap();
    let _ = plan(&mut d, NOON + 1800.0);
    let at = first.outings.iter().flat_map(|o| &o.drops).find(|x| x.order == "o1").unwrap().at_s;
    d.report(Seconds(at), delivered(vec![])).unwrap();
    let before = d.status("o1");
    assert!(matches!(d.report(Seconds(at + 60.0), delivered(vec![])), Err(DispatchError::AlreadyDelivered(_))));
    assert_eq!(d.status("o1"), before, "the first delivery time stands");
    // A station closed twice: the second time says so.
    let station = first.outings[0].station.clone();
    d.report(Seconds(NOON + 1900.0), Event::StationClosed { station: station.clone() }).unwrap();
    assert!(matches!(
        d.report(Seconds(NOON + 1910.0), Event::StationClosed { station }),
        Err(DispatchError::StationAlreadyClosed(_))
    ));
}

#[test]
fn a_plan_that_cannot_keep_its_promises_says_so_and_asks_for_porters() {
    // One porter for 60 orders: most go out after their promise.
    let mut fleet = Fleet::default();
    fleet.porters.count = 1;
    let settings = Settings { iterations: 200, consolidate: false, ..Settings::default() };
    let mut d = Dispatcher::new(area(), fleet, settings).unwrap();
    let batch = orders(&d, 60, NOON - 60.0, "r");
    d.add_orders(&batch).unwrap();
    let rush = plan(&mut d, NOON);
    let warning = rush.warning.expect("promises at risk");
    assert!(warning.call_porters >= 1 && !warning.open_station && warning.already_late.is_empty(), "{warning:?}");
    // The orders named are exactly those the plan hands over after their promise: medicine
    // after this cycle, the others after the next. Medicine goes first, and is on time.
    let mut late: BTreeSet<&str> = BTreeSet::new();
    for drop in rush.outings.iter().flat_map(|o| &o.drops) {
        let medicine = batch.iter().any(|o| o.id == drop.order && o.priority == Priority::Medicine);
        if drop.at_s >= NOON + if medicine { 1800.0 } else { 3600.0 } {
            late.insert(drop.order.as_str());
        }
    }
    let named: BTreeSet<&str> = warning.medicine.iter().chain(&warning.orders).map(String::as_str).collect();
    assert!(!named.is_empty() && warning.medicine.is_empty());
    assert_eq!(named, late);
    // Eight porters keep the promises of a few orders, and say nothing.
    let mut calm = dispatcher(Policy::Lastmetre);
    let few = orders(&calm, 8, NOON - 60.0, "c");
    calm.add_orders(&few).unwrap();
    let quiet = plan(&mut calm, NOON);
    assert!(quiet.warning.is_none() && quiet.rush.is_none(), "{:?} {:?}", quiet.warning, quiet.rush);
}

#[test]
fn a_rush_the_demand_forecast_expects_is_said_a_cycle_ahead() {
    // The area expects 3 orders a household around 12:15: far more than 8 porters carry.
    let mut fleet = demand_at_quarter_past_noon(3.0);
    fleet.porters.count = 8;
    let settings = Settings { iterations: 200, ..Settings::default() };
    let mut d = Dispatcher::new(area(), fleet, settings).unwrap();
    let h = d.area().households[3].id.clone();
    d.add_orders(&[order("first", &h, 2.0, Priority::Normal, NOON - 60.0)]).unwrap();
    let noon = plan(&mut d, NOON);
    let rush = noon.rush.expect("a rush is expected");
    assert!(rush.expected_orders > 100 && rush.porters >= 1, "{rush:?}");
}

#[test]
fn an_order_past_its_promise_is_listed_as_late_and_calls_nobody() {
    let mut d = dispatcher(Policy::Lastmetre);
    let h = d.area().households[5].id.clone();
    d.add_orders(&[order("o1", &h, 3.0, Priority::Normal, NOON - 60.0)]).unwrap();
    // Nobody home twice: at noon's outing and at the retry of 12:30.
    for now in [NOON, NOON + 1800.0] {
        let cycle = plan(&mut d, now);
        assert!(cycle.warning.is_none(), "{:?}", cycle.warning);
        let drop = cycle.outings.iter().flat_map(|o| &o.drops).find(|x| x.order == "o1").expect("o1 goes out");
        let _ = d.advance_to(Seconds(drop.at_s));
        let failed = Event::DeliveryFailed { order: "o1".into(), bags: vec![], reason: Failure::NobodyHome };
        d.report(Seconds(drop.at_s), failed).unwrap();
    }
    // At 13:00 its promise (before 13:00) is past: listed, and no porter is asked for.
    let late = plan(&mut d, NOON + 3600.0);
    let warning = late.warning.expect("a late order is said");
    assert_eq!(warning.already_late, ["o1"]);
    assert!(warning.orders.is_empty() && warning.call_porters == 0 && !warning.open_station, "{warning:?}");
}

#[test]
fn a_dispatcher_resumed_from_a_checkpoint_plans_exactly_as_the_one_it_was_taken_from() {
    let mut d = dispatcher(Policy::Lastmetre);
    let area = d.area().clone();
    let lane = area.lanes.iter().find(|l| l.tricycle).expect("a tricycle lane").id.clone();
    d.add_orders(&orders(&d, 60, NOON - 60.0, "a")).unwrap();
    let first = plan(&mut d, NOON);
    let drop = &first.outings[0].drops[0];
    d.report(Seconds(drop.at_s), Event::Delivered { order: drop.order.clone(), bags: vec![] }).unwrap();
    d.report(Seconds(NOON + 100.0), Event::PorterOffDuty { porter: 1 }).unwrap();
    d.report(Seconds(NOON + 200.0), Event::LaneClosed { lane }).unwrap();
    let bytes = d.checkpoint();
    let settings = Settings { iterations: 400, policy: Policy::Lastmetre, consolidate: false, ..Settings::default() };
    let mut resumed = Dispatcher::resume(area.clone(), Fleet::default(), settings.clone(), &bytes).unwrap();
    assert_eq!(resumed.checkpoint(), bytes, "a checkpoint reads back to itself");
    for (k, now) in [NOON + 1800.0, NOON + 3600.0].into_iter().enumerate() {
        let more = orders(&d, 20, now - 60.0, &format!("b{k}-"));
        d.add_orders(&more).unwrap();
        resumed.add_orders(&more).unwrap();
        let (a, b) = (plan(&mut d, now), plan(&mut resumed, now));
        assert_eq!(a.cycle, b.cycle);
        assert_eq!((&a.trips, &a.outings), (&b.trips, &b.outings), "cycle {}", a.cycle);
        assert_eq!(format!("{:?}", a.plan), format!("{:?}", b.plan));
        assert_eq!(format!("{:?}", a.instance), format!("{:?}", b.instance));
    }
    // Another fleet, or bytes that are not a checkpoint, are refused, not half read.
    let fewer =
        Fleet { porters: lastmetre_model::Porters { count: 3, ..Fleet::default().porters }, ..Fleet::default() };
    assert!(matches!(
        Dispatcher::resume(area.clone(), fewer, settings.clone(), &bytes),
        Err(DispatchError::BadCheckpoint(_))
    ));
    assert!(matches!(
        Dispatcher::resume(area, Fleet::default(), settings, b"not a checkpoint"),
        Err(DispatchError::BadCheckpoint(_))
    ));
}

#[test]
fn shifts_reset_the_budgets_and_at_night_only_medicine_goes_out_with_a_porter_on_call() {
    let day = 86_400.0;
    let mut fleet = Fleet::default();
    fleet.porters.shifts = vec![
        lastmetre_model::Shift { start_h: 6.0, end_h: 14.0 },
        lastmetre_model::Shift { start_h: 14.0, end_h: 22.0 },
    ];
    let settings = Settings { iterations: 400, consolidate: false, ..Settings::default() };
    let mut overlapping = fleet.clone();
    overlapping.porters.shifts[1].start_h = 12.0;
    assert!(Dispatcher::new(area(), overlapping, settings.clone()).is_err(), "shifts that overlap are refused");
    let mut d = Dispatcher::new(area(), fleet, settings).unwrap();
    d.add_orders(&orders(&d, 60, 13.0 * 3600.0, "a")).unwrap();
    let first = plan(&mut d, 13.0 * 3600.0);
    assert!(d.on_shift(Seconds(14.0 * 3600.0)) && !d.on_shift(Seconds(23.0 * 3600.0)));
    // A report just after 14:00 starts the afternoon shift before any plan has frozen the
    // morning's last outings: those still cost the morning, not the afternoon.
    d.report(Seconds(14.0 * 3600.0 + 30.0), Event::PorterOnDuty { porter: 7 }).unwrap();
    let afternoon = plan(&mut d, 14.5 * 3600.0);
    let mut afternoon_kj = vec![0.0; afternoon.instance.state.porters.len()];
    for o in first.outings.iter().filter(|o| (14.0 * 3600.0..14.5 * 3600.0).contains(&o.start_s)) {
        afternoon_kj[o.porter] += o.energy_kj;
    }
    assert!(
        first.outings.iter().any(|o| o.start_s < 14.0 * 3600.0 && o.start_s > 13.0 * 3600.0),
        "the test needs outings before 14:00"
    );
    for (p, state) in afternoon.instance.state.porters.iter().enumerate() {
        assert!(
            (state.spent_kj - afternoon_kj[p]).abs() < 1e-6,
            "porter {p}: {} kJ, of the afternoon {}",
            state.spent_kj,
            afternoon_kj[p]
        );
    }
    // At night: a normal order waits; medicine waits too until a porter is on call.
    let h = d.area().households[3].id.clone();
    let night = [
        order("n-normal", &h, 3.0, Priority::Normal, 23.0 * 3600.0),
        order("n-medicine", &h, 1.0, Priority::Medicine, 23.0 * 3600.0),
    ];
    d.add_orders(&night).unwrap();
    let late = plan(&mut d, 23.5 * 3600.0);
    let ids: Vec<&str> = late.instance.jobs.iter().map(|j| j.id.as_str()).collect();
    assert_eq!(ids, ["n-medicine"], "only medicine is planned at night");
    assert!(late.outings.is_empty(), "no porter on duty at night");
    d.report(Seconds(23.6 * 3600.0), Event::PorterOnDuty { porter: 0 }).unwrap();
    let on_call = plan(&mut d, day);
    assert_eq!(on_call.outings.iter().map(|o| o.porter).collect::<Vec<_>>(), [0], "the porter on call takes it");
    assert!(on_call.outings.iter().all(|o| o.drops.iter().all(|x| x.order == "n-medicine")));
    // The morning shift: everyone on duty, rested, and the normal order goes out.
    let morning = plan(&mut d, day + 6.0 * 3600.0);
    assert!(morning.instance.state.porters.iter().all(|p| p.on_duty && p.spent_kj == 0.0));
    assert!(morning.outings.iter().any(|o| o.drops.iter().any(|x| x.order == "n-normal")));
}

#[test]
fn orders_of_past_days_leave_the_state_and_the_plans_that_follow_do_not_change() {
    let day = 86_400.0;
    let late = day - 1200.0;
    let mut kept = dispatcher(Policy::Lastmetre);
    kept.add_orders(&orders(&kept, 80, late - 60.0, "a")).unwrap();
    let first = plan(&mut kept, late);
    // Drops before midnight are handed over; their outings may go on past it.
    let mut delivered = BTreeSet::new();
    for o in first.outings.iter().filter(|o| o.start_s < day) {
        for d in o.drops.iter().filter(|d| d.at_s < day) {
            kept.report(Seconds(d.at_s), Event::Delivered { order: d.order.clone(), bags: vec![] }).unwrap();
            delivered.insert(d.order.clone());
        }
    }
    assert!(
        first.outings.iter().any(|o| o.start_s < day && o.drops.iter().any(|d| d.at_s >= day)),
        "an outing across midnight"
    );
    // As the service does: the midnight plan, then the past day's orders leave.
    let mut retired = kept.clone();
    plan(&mut kept, day);
    plan(&mut retired, day);
    let gone = retired.retire(Seconds(day));
    assert_eq!(
        gone.iter().map(|(id, _)| id.clone()).collect::<BTreeSet<_>>(),
        delivered,
        "every order handed over before midnight leaves"
    );
    assert!(gone.iter().all(|(_, s)| matches!(s, OrderStatus::Delivered { .. })));
    assert!(gone.iter().all(|(id, _)| retired.status(id).is_none()));
    assert!(retired.checkpoint().len() < kept.checkpoint().len());
    assert_eq!(retired.backlog(), kept.backlog());
    // The plans that follow are the same with and without them.
    for (k, now) in [day + 1800.0, day + 8.0 * 3600.0].into_iter().enumerate() {
        let more = orders(&kept, 25, now - 60.0, &format!("d2-{k}-"));
        kept.add_orders(&more).unwrap();
        retired.add_orders(&more).unwrap();
        let (a, b) = (plan(&mut kept, now), plan(&mut retired, now));
        assert_eq!((&a.trips, &a.outings), (&b.trips, &b.outings), "cycle {}", a.cycle);
        assert_eq!((&a.frozen_trips, &a.frozen_outings), (&b.frozen_trips, &b.frozen_outings));
        assert_eq!(format!("{:?}", a.warning), format!("{:?}", b.warning));
        assert_eq!(format!("{:?}", a.rush), format!("{:?}", b.rush));
        assert_eq!(format!("{:?}", a.instance.state), format!("{:?}", b.instance.state));
        retired.retire(Seconds(day));
    }
}
