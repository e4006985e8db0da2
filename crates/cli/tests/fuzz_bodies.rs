//! Property test over order and event bodies sent to `lastmetre serve`: whatever the body,
//! no 5xx and no crash, and every 422 names the path it is about. Cases:
//! `LASTMETRE_PROPTEST_CASES` (CI runs a short form; docs/service.md gives the local run).

mod common;

use common::*;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{Map, Value, json};

/// Words a body is made of: the formats' own keys and values, and some that are not.
const KEYS: &[&str] = &[
    "id",
    "household",
    "placed_at",
    "bags",
    "kg",
    "litres",
    "label",
    "priority",
    "station",
    "orders",
    "kind",
    "order",
    "trip",
    "cycle",
    "porter",
    "lane",
    "at",
    "reason",
    "contact",
    "",
];
const WORDS: &[&str] = &[
    "11:00",
    "23:59:60",
    "24:00",
    "medicine",
    "need",
    "normal",
    "delivered",
    "delivery_failed",
    "trip_departed",
    "bags_unloaded",
    "porter_off_duty",
    "porter_on_duty",
    "lane_closed",
    "station_closed",
    "nobody_home",
    "T1",
    "O-1",
    "a\nb",
    "<script>",
    "\u{202e}",
    "",
    "1e400",
    "-0",
];

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        (-1e6f64..1e6).prop_map(Value::from),
        prop::sample::select(WORDS).prop_map(|w| Value::String(w.to_owned())),
        "\\PC{0,12}".prop_map(Value::String),
        (0usize..713).prop_map(|n| Value::from(n as u64)),
    ]
}

fn body() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((prop::sample::select(KEYS), inner), 0..7).prop_map(|pairs| {
                Value::Object(pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect::<Map<_, _>>())
            }),
        ]
    })
}

/// A valid order or event with one field replaced: most bodies get past the first checks.
fn near_valid(households: Vec<String>) -> impl Strategy<Value = Value> {
    let bases = vec![
        json!({"id": "P", "household": households[0], "placed_at": "11:00", "bags": [{"kg": 2.0}]}),
        json!({"orders": [{"id": "Q", "household": households[1], "placed_at": "11:00", "bags": [{"kg": 1.0, "litres": 2}]}]}),
        json!({"kind": "delivered", "order": "P", "at": "12:00"}),
        json!({"kind": "porter_off_duty", "porter": 3, "at": "12:00"}),
        json!({"kind": "trip_departed", "trip": {"cycle": 0, "trip": 0}}),
    ];
    (prop::sample::select(bases), prop::sample::select(KEYS), leaf()).prop_map(|(mut base, key, value)| {
        if let Some(map) = base.as_object_mut() {
            map.insert(key.to_owned(), value);
        }
        base
    })
}

#[test]
fn no_body_makes_the_service_fail_and_every_refusal_names_its_path() {
    let cases: u32 = std::env::var("LASTMETRE_PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(1000);
    let s = Server::start(&scratch("fuzz.db"));
    let households: Vec<String> =
        noon_orders().iter().take(2).map(|o| o["household"].as_str().unwrap().to_owned()).collect();
    let mut runner = TestRunner::new(Config { cases, failure_persistence: None, ..Config::default() });
    let strategy = (prop_oneof![body(), near_valid(households)], any::<bool>());
    let refused = std::sync::atomic::AtomicU64::new(0);
    runner
        .run(&strategy, |(value, to_orders)| {
            let path = if to_orders { "/orders" } else { "/events" };
            let (status, answer) = post(&s, path, Some(DISPATCHER), &value);
            prop_assert!(status < 500, "{path} {value} -> {status} {answer}");
            if status == 422 {
                refused.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let fields = answer["error"]["fields"].as_array().cloned().unwrap_or_default();
                prop_assert!(
                    !fields.is_empty() && fields.iter().all(|f| f["path"].is_string()),
                    "{path} {value}: a refusal without a path: {answer}"
                );
            }
            Ok(())
        })
        .unwrap();
    // The server is still up and answers as before.
    assert_eq!(get(&s, "/healthz", None).0, 200);
    eprintln!("{cases} bodies: no 5xx, {} refusals, each with its path", refused.into_inner());
}
