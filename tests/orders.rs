//! Order and fleet problems (E3xx): each is triggered, names its order, and stops the plan.

use lastmetre::formats::{read_fleet, read_orders_csv, read_orders_json};
use lastmetre::{AreaParams, Code, Engine, Error, Fleet, PlanOptions, Problem};
use serde_json::{Value, json};
use std::path::Path;

fn engine() -> Engine {
    Engine::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("data/examples/tiny.geojson"), &AreaParams::default())
        .expect("example area")
}

fn good() -> Value {
    json!({"orders": [
        {"id": "O-1", "household": "h-301", "placed_at": "11:00", "bags": [{"kg": 5, "litres": 6, "label": "rice 5 kg"}]},
        {"id": "O-2", "household": "h-501", "priority": "medicine", "placed_at": "11:10", "bags": [{"kg": 0.3}]},
        {"id": "O-3", "household": "h-402", "priority": "need", "placed_at": "11:20", "bags": [{"kg": 3}, {"kg": 1.8}]}
    ]})
}

/// Problems from reading and then planning `orders` with `fleet`.
fn problems(orders: &Value, fleet: &Fleet) -> Vec<Problem> {
    let (orders, mut found) = read_orders_json(&serde_json::to_vec(orders).unwrap());
    if !found.is_empty() {
        return found;
    }
    match engine().plan(&orders, fleet, &PlanOptions { iterations: 50, ..PlanOptions::default() }) {
        Ok(_) => Vec::new(),
        Err(Error::Orders(p)) => {
            found.extend(p);
            found
        }
        Err(e) => panic!("unexpected {e}"),
    }
}

fn expect(found: &[Problem], code: Code, feature: Option<&str>) {
    assert!(
        found.iter().any(|p| p.code == code && p.feature.as_deref() == feature),
        "expected {code} naming {feature:?}, got {found:#?}"
    );
}

fn changed(f: impl FnOnce(&mut Value)) -> Value {
    let mut v = good();
    f(&mut v);
    v
}

#[test]
fn the_good_batch_plans_and_checks() {
    let (orders, problems) = read_orders_json(&serde_json::to_vec(&good()).unwrap());
    assert!(problems.is_empty());
    let planned = engine().plan(&orders, &Fleet::default(), &PlanOptions::default()).expect("plans");
    assert!(lastmetre::check::check(&planned.instance, &planned.plan).is_ok());
    assert_eq!(planned.plan.metrics.orders_delivered, 3);
}

const COVERED: &[Code] = &[
    Code::MalformedOrder,
    Code::DuplicateOrder,
    Code::UnknownHousehold,
    Code::BadBag,
    Code::BagTooHeavy,
    Code::UnknownStation,
    Code::EmptyOrder,
    Code::BadFleet,
    Code::NoStation,
    Code::BadOrderId,
    Code::OrderTooLarge,
    Code::TooManyOrders,
    // In tests/addresses.rs.
    Code::UnknownAddress,
    Code::AmbiguousAddress,
    // A building leader's order for another building: the service's, in crates/cli/tests/roles.rs.
    Code::OutsideBuildings,
];

#[test]
fn every_order_code_has_a_case_and_is_documented() {
    let doc = include_str!("../docs/orders-format.md");
    for code in Code::ALL.iter().filter(|c| c.as_str().starts_with("E3")) {
        assert!(COVERED.contains(code), "{code} has no test case");
        assert!(doc.contains(&format!("| {code} |")), "docs/orders-format.md does not list {code}");
    }
}

#[test]
fn e301_unreadable_orders() {
    let found = problems(&json!({"orders": 5}), &Fleet::default());
    expect(&found, Code::MalformedOrder, None);
    let found = problems(&changed(|v| v["orders"][0]["placed_at"] = json!("noon")), &Fleet::default());
    expect(&found, Code::MalformedOrder, Some("O-1"));
    let found = problems(&changed(|v| v["orders"][1]["priority"] = json!("urgent")), &Fleet::default());
    expect(&found, Code::MalformedOrder, Some("O-2"));
    let (_, found) = read_orders_json(b"{\"orders\": [");
    expect(&found, Code::MalformedOrder, None);
    let (_, found) = read_orders_csv(b"order_id,household,placed_at,kg\nO-1,h-301,11:00,lots\n");
    expect(&found, Code::MalformedOrder, Some("line 2"));
}

#[test]
fn e302_duplicate_order() {
    let found = problems(&changed(|v| v["orders"][2]["id"] = json!("O-1")), &Fleet::default());
    expect(&found, Code::DuplicateOrder, Some("O-1"));
}

#[test]
fn e303_unknown_household() {
    let found = problems(&changed(|v| v["orders"][0]["household"] = json!("h-999")), &Fleet::default());
    expect(&found, Code::UnknownHousehold, Some("O-1"));
}

#[test]
fn e304_negative_or_zero_weight() {
    let found = problems(&changed(|v| v["orders"][0]["bags"][0]["kg"] = json!(-5)), &Fleet::default());
    expect(&found, Code::BadBag, Some("O-1"));
    let found = problems(&changed(|v| v["orders"][2]["bags"][1]["kg"] = json!(0)), &Fleet::default());
    expect(&found, Code::BadBag, Some("O-3"));
}

#[test]
fn e305_bag_over_the_carry_limit() {
    let found = problems(&changed(|v| v["orders"][0]["bags"][0]["kg"] = json!(25)), &Fleet::default());
    expect(&found, Code::BagTooHeavy, Some("O-1"));
    // The same bag is fine for porters allowed to carry more.
    let mut strong = Fleet::default();
    strong.porters.max_carry_kg = lastmetre::Kg(25.0);
    assert!(problems(&changed(|v| v["orders"][0]["bags"][0]["kg"] = json!(25)), &strong).is_empty());
}

#[test]
fn e306_unknown_or_closed_station() {
    let found = problems(&changed(|v| v["orders"][0]["station"] = json!("site-2")), &Fleet::default());
    expect(&found, Code::UnknownStation, Some("O-1"));
    let fleet = read_fleet(br#"{"stations": [{"id": "site-9"}]}"#).unwrap();
    expect(&problems(&good(), &fleet), Code::UnknownStation, Some("site-9"));
}

#[test]
fn e307_order_without_bags() {
    let found = problems(&changed(|v| v["orders"][1]["bags"] = json!([])), &Fleet::default());
    expect(&found, Code::EmptyOrder, Some("O-2"));
}

#[test]
fn e308_bad_fleet_file() {
    let problems = read_fleet(br#"{"porters": {"count": 8, "max_cary_kg": 12}}"#).unwrap_err();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].code, Code::BadFleet);
    assert!(problems[0].message.contains("max_cary_kg"), "{}", problems[0].message);
    assert!(read_fleet(b"{}").is_ok());
}

#[test]
fn e308_unusable_fleet_values() {
    for (json, culprit) in [
        (r#"{"porters": {"climb_speed": 0}}"#, "porters.climb_speed"),
        (r#"{"porters": {"count": 100000000000}}"#, "porters.count"),
        (r#"{"tricycles": {"capacity_kg": 10}}"#, "tricycles.capacity_kg"),
        (r#"{"effort": {"up_j_per_kg_m": -40}}"#, "effort.up_j_per_kg_m"),
        (r#"{"orders": {"bags_each": 0}}"#, "orders.bags_each"),
        (r#"{"orders": {"kg_each": -1}}"#, "orders.kg_each"),
    ] {
        let problems = read_fleet(json.as_bytes()).unwrap_err();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].code, Code::BadFleet);
        assert!(problems[0].message.contains(culprit), "{}", problems[0].message);
    }
    // Every problem at once, each naming its field, so that one fix round is enough.
    let problems = read_fleet(br#"{"porters": {"climb_speed": 0, "walk_speed": -1}, "tricycles": {"trips_each": 0}}"#)
        .unwrap_err();
    let named: Vec<&str> = problems.iter().map(|p| p.message.split(' ').next().unwrap_or("")).collect();
    assert_eq!(named, ["porters.walk_speed", "porters.climb_speed", "tricycles.trips_each"], "{problems:?}");
    // A fleet built in code is checked as well.
    let mut fleet = Fleet::default();
    fleet.porters.walk_speed = lastmetre::MetresPerSecond(0.0);
    let (orders, _) = read_orders_json(&serde_json::to_vec(&good()).unwrap());
    assert!(matches!(engine().plan(&orders, &fleet, &PlanOptions::default()), Err(Error::Fleet(_))));
}

#[test]
fn e306_a_station_listed_twice() {
    let fleet = read_fleet(br#"{"stations": [{"id": "site-1"}, {"id": "site-1", "storage_kg": 100}]}"#).unwrap();
    expect(&problems(&good(), &fleet), Code::UnknownStation, Some("site-1"));
}

#[test]
fn e304_a_bag_bigger_than_the_tricycle_box() {
    let found = problems(&changed(|v| v["orders"][0]["bags"][0]["litres"] = json!(1200)), &Fleet::default());
    expect(&found, Code::BadBag, Some("O-1"));
}

#[test]
fn full_width_times_are_an_error_not_a_crash() {
    let found = problems(&changed(|v| v["orders"][0]["placed_at"] = json!("１１:０５")), &Fleet::default());
    expect(&found, Code::MalformedOrder, Some("O-1"));
}

#[test]
fn e309_no_station_open() {
    let fleet = read_fleet(br#"{"stations": []}"#).unwrap();
    expect(&problems(&good(), &fleet), Code::NoStation, None);
}

#[test]
fn every_bad_order_is_reported_at_once() {
    let bad = changed(|v| {
        v["orders"][0]["household"] = json!("h-999");
        v["orders"][1]["bags"][0]["kg"] = json!(40);
        v["orders"][2]["id"] = json!("O-1");
    });
    let found = problems(&bad, &Fleet::default());
    expect(&found, Code::UnknownHousehold, Some("O-1"));
    expect(&found, Code::BagTooHeavy, Some("O-2"));
    expect(&found, Code::DuplicateOrder, Some("O-1"));
}

#[test]
fn e310_ids_that_could_forge_a_line_are_refused() {
    let long = "x".repeat(65);
    for id in ["I3-nl\n17:20  Station T9: take FAKE", "tab\there", long.as_str(), "rtl\u{202e}dcba"] {
        let found = problems(&changed(|v| v["orders"][0]["id"] = json!(id)), &Fleet::default());
        assert!(found.iter().any(|p| p.code == Code::BadOrderId), "{id:?} accepted: {found:?}");
    }
    // The dispatcher's own names for the parts of a split order may be longer than 64.
    let engine = engine();
    let (mut orders, _) = read_orders_json(&serde_json::to_vec(&good()).unwrap());
    orders[0].id = format!("{} (part 2)", "p".repeat(64));
    let area = lastmetre::load_area(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("data/examples/tiny.geojson"),
        &AreaParams::default(),
    )
    .unwrap()
    .area;
    assert!(lastmetre::area::instance(&area, &area.matrices(), &orders, &Fleet::default(), "parts").is_ok());
    assert!(matches!(engine.instance(&orders, &Fleet::default(), "x"), Err(Error::Orders(_))), "but not from outside");
    // The readers trim ids; a library caller's padded id is refused.
    assert!(lastmetre::area::check_id(" padded").is_err());
    let ok = "订单-2022/08/29-001".to_owned() + &"x".repeat(40);
    assert!(problems(&changed(|v| v["orders"][0]["id"] = json!(ok)), &Fleet::default()).is_empty());
    // A number too long to keep exactly is refused, not stored as 1.2345678901234568e+29.
    let (_, found) = read_orders_json(
        br#"[{"id": 123456789012345678901234567890, "household": "h-301", "placed_at": "11:00", "bags": [{"kg": 1}]}]"#,
    );
    assert!(found.iter().any(|p| p.message.contains("in quotes")), "{found:?}");
}

#[test]
fn e311_an_absurd_order_is_refused_whole() {
    let bags: Vec<Value> = (0..10_000).map(|_| json!({"kg": 10})).collect();
    let started = std::time::Instant::now();
    let found = problems(&changed(|v| v["orders"][0]["bags"] = json!(bags)), &Fleet::default());
    let elapsed = started.elapsed();
    let too_large: Vec<&Problem> = found.iter().filter(|p| p.code == Code::OrderTooLarge).collect();
    assert_eq!(too_large.len(), 2, "bags and kilograms, once each: {found:?}");
    assert!(too_large[0].message.contains("orders.bags_each"), "{}", too_large[0].message);
    assert!(found.len() <= 3, "one problem per limit, not one per bag: {}", found.len());
    eprintln!("10,000-bag order refused in {elapsed:?}");
    let mut fleet = Fleet::default();
    fleet.orders.kg_each = lastmetre::Kg(4.0);
    expect(&problems(&good(), &fleet), Code::OrderTooLarge, Some("O-1"));
}

#[test]
fn e312_a_household_over_its_orders_for_the_day() {
    let area = lastmetre::load_area(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("data/examples/tiny.geojson"),
        &AreaParams::default(),
    )
    .unwrap()
    .area;
    let mut fleet = Fleet::default();
    fleet.orders.per_household = 2;
    let mut d = lastmetre::Dispatcher::new(area, fleet, lastmetre::dispatch::Settings::default()).unwrap();
    let order = |id: &str, placed_at: Value| {
        let (o, p) = read_orders_json(
            json!([{"id": id, "household": "h-301", "placed_at": placed_at, "bags": [{"kg": 1}]}])
                .to_string()
                .as_bytes(),
        );
        assert!(p.is_empty());
        o
    };
    d.add_orders(&order("a", json!("11:00"))).unwrap();
    d.add_orders(&order("b", json!("11:00"))).unwrap();
    let Err(lastmetre::dispatch::DispatchError::Problems(found)) = d.add_orders(&order("c", json!("23:00"))) else {
        panic!("a third order for the household that day is refused");
    };
    expect(&found, Code::TooManyOrders, Some("c"));
    // The next day counts afresh (the limit is per day of placed_at).
    d.add_orders(&order("c", json!(86_400.0 + 11.0 * 3600.0))).unwrap();
}

#[test]
fn strict_json_refuses_what_would_be_lost_or_kept_unasked() {
    let one = r#"{"id": "A", "household": "h-301", "placed_at": "11:00", "bags": [{"kg": 1}]}"#;
    // A key twice: the first list would silently be lost.
    let (_, found) = read_orders_json(format!(r#"{{"orders": [{one}], "orders": []}}"#).as_bytes());
    assert!(found.iter().any(|p| p.message.contains("/orders is given twice")), "{found:?}");
    // A field nobody asked for, at the top and in an order: personal data stays out.
    let (_, found) = read_orders_json(format!(r#"{{"orders": [{one}], "contact": "13800000000"}}"#).as_bytes());
    assert!(found.iter().any(|p| p.message.contains("/contact")), "{found:?}");
    let (_, found) =
        read_orders_json(format!("[{}]", one.replace("\"bags\"", "\"phone\": \"138\", \"bags\"")).as_bytes());
    assert!(found.iter().any(|p| p.message.contains("phone")), "{found:?}");
    // An order written as an array, and messages in the format's words.
    let (_, found) = read_orders_json(br#"[["A", "h-301", [], "normal", "11:00", null]]"#);
    assert!(found.iter().any(|p| p.message.contains("not an object")), "{found:?}");
    let (_, found) =
        read_orders_json(br#"[{"id": "A", "household": "h-301", "placed_at": "11:00", "bags": [{"kg": "x"}]}]"#);
    assert!(found.iter().all(|p| !p.message.contains("Raw") && !p.message.contains("f64")), "{found:?}");
    assert!(found.iter().any(|p| p.message.contains("/orders/0/bags/0/kg")), "{found:?}");
    // A leap second is not a time of the area's clock.
    let (_, found) = read_orders_json(format!("[{}]", one.replace("11:00", "23:59:60")).as_bytes());
    assert!(!found.is_empty());
}
