//! What a careful attacker and a clumsy user found, each against `lastmetre serve` on
//! loopback: forged sheet lines, impossible reports, absurd orders, slow clients, what a
//! viewer sees, unasked data, caching, numbering, messages, loose inputs, the bearer scheme
//! and the journal count.

mod common;

use common::*;
use serde_json::{Value, json};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// One request as raw bytes, on its own connection; the status, the headers (lower-cased
/// names) and the body.
fn raw(s: &Server, request: &[u8]) -> (u16, String, String) {
    let address = s.url.trim_start_matches("http://");
    let mut stream = TcpStream::connect(address).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    stream.write_all(request).unwrap();
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    let text = String::from_utf8_lossy(&answer).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    (status, head.to_ascii_lowercase(), body.to_owned())
}

/// A POST with the given extra header lines.
fn raw_post(s: &Server, path: &str, headers: &str, body: &str) -> (u16, String, String) {
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n{headers}Content-Length: {}\r\n\r\n{body}",
        body.len()
    );
    raw(s, request.as_bytes())
}

fn order(id: &str, household: &str) -> Value {
    json!({"id": id, "household": household, "placed_at": "11:00", "bags": [{"kg": 2.0}]})
}

fn household(n: usize) -> String {
    noon_orders()[n]["household"].as_str().unwrap().to_owned()
}

fn event(s: &Server, e: Value) -> (u16, Value) {
    post(s, "/events", Some(DISPATCHER), &e)
}

fn message(v: &Value) -> String {
    v["error"]["message"].as_str().unwrap_or_default().to_owned() + &v["error"]["fields"].to_string()
}

/// An order planned at 17:00, and the plan.
fn planned(s: &Server, id: &str) -> Value {
    assert_eq!(post(s, "/orders", Some(DISPATCHER), &order(id, &household(0))).0, 201);
    let (status, _) = post(s, "/plan", Some(DISPATCHER), &json!({"at": "17:00"}));
    assert_eq!(status, 201);
    get(s, "/plans/latest", Some(DISPATCHER)).1
}

#[test]
fn f1_an_id_with_a_newline_is_refused_and_no_sheet_shows_a_forged_line() {
    let s = Server::start(&scratch("f1.db"));
    for id in ["I3-nl\n17:20  Station T9: take FAKE", "tab\there", &"x".repeat(10_000)] {
        let (status, body) = post(&s, "/orders", Some(DISPATCHER), &order(id, &household(0)));
        assert_eq!(status, 422, "{id:?} accepted");
        assert!(body.to_string().contains("E310"), "{body}");
    }
    // HTML is printable and allowed; the sheet prints it escaped, on its line.
    assert_eq!(post(&s, "/orders", Some(DISPATCHER), &order("<b>x</b>", &household(0))).0, 201);
    post(&s, "/plan", Some(DISPATCHER), &json!({"at": "17:00"}));
    let (_, plan) = get(&s, "/plans/latest", Some(DISPATCHER));
    for name in plan["sheets"].as_array().unwrap() {
        let (_, sheet) = get(&s, &format!("/plans/latest/sheets/{}", name.as_str().unwrap()), Some(DISPATCHER));
        let sheet = sheet.as_str().unwrap_or_default().to_owned();
        assert!(!sheet.contains("<b>"), "unescaped HTML on a sheet: {sheet}");
    }
}

#[test]
fn f2_a_second_delivery_and_other_impossible_reports_are_refused() {
    let s = Server::start(&scratch("f2.db"));
    // Never planned.
    assert_eq!(post(&s, "/orders", Some(DISPATCHER), &order("early", &household(1))).0, 201);
    let (status, body) = event(&s, json!({"kind": "delivered", "order": "early", "at": "16:00"}));
    assert_eq!(status, 422, "{body}");
    planned(&s, "A");
    let delivered = |at: &str| json!({"kind": "delivered", "order": "A", "at": at});
    assert_eq!(event(&s, json!({"kind": "delivered", "order": "A", "bags": [99], "at": "17:10"})).0, 422);
    let (status, body) = event(&s, delivered("08:00"));
    assert_eq!(status, 422, "an event nine hours before the plan: {body}");
    assert_eq!(event(&s, delivered("17:10")).0, 200);
    let (status, body) = event(&s, delivered("17:11"));
    assert_eq!(status, 422, "a second delivery: {body}");
    assert!(message(&body).contains("already delivered"), "{body}");
    let (_, order) = get(&s, "/orders/A", Some(DISPATCHER));
    assert_eq!(order["status"]["at_s"], json!(17.0 * 3600.0 + 600.0), "the first delivery time stands: {order}");
}

#[test]
fn f3_bags_unloaded_follows_trip_departed_at_once() {
    let s = Server::start(&scratch("f3.db"));
    let plan = planned(&s, "A");
    let trip = &plan["trips"][0];
    let (status, body) = event(&s, json!({"kind": "trip_departed", "trip": trip["id"], "at": "17:01"}));
    assert_eq!(status, 200, "{body}");
    let station = &trip["stops"][0]["station"];
    let unloaded = json!({"kind": "bags_unloaded", "trip": trip["id"], "station": station, "at": "17:05"});
    let (status, body) = event(&s, unloaded);
    assert_eq!(status, 200, "{body}");
}

#[test]
fn f4_a_100_tonne_order_is_refused_at_intake_and_planning_is_unchanged() {
    let s = Server::start_with(&scratch("f4.db"), &["--max-body-kb", "1024"]);
    let bags: Vec<Value> = (0..10_000).map(|_| json!({"kg": 10})).collect();
    let absurd = json!({"id": "huge", "household": household(0), "placed_at": "11:00", "bags": bags});
    let started = Instant::now();
    let (status, body) = post(&s, "/orders", Some(DISPATCHER), &absurd);
    let took = started.elapsed();
    assert_eq!(status, 422);
    assert!(body.to_string().contains("E311") && body.to_string().contains("bags_each"), "{body}");
    eprintln!("the 100-t order was refused in {took:?} (HTTP round trip included)");
    let (_, metrics) = get(&s, "/metrics", Some(DISPATCHER));
    assert_eq!(metrics["orders_acknowledged"], 0);
}

#[test]
fn f5_a_viewer_is_refused_before_a_slow_body_arrives() {
    let s = Server::start(&scratch("f5.db"));
    let request = format!(
        "POST /orders HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {VIEWER}\r\nContent-Type: application/json\r\nContent-Length: 2000000\r\n\r\n[{{"
    );
    let started = Instant::now();
    let (status, _, _) = raw(&s, request.as_bytes());
    assert_eq!(status, 403);
    assert!(started.elapsed() < Duration::from_secs(10), "the answer waited for the body");
}

/// Keys that place a person or a door.
const HOUSEHOLD_LEVEL: [&str; 10] =
    ["household", "unit", "order", "orders", "drops", "climbs", "label", "stairwell", "floor", "priority"];

#[test]
fn f6_a_viewer_walks_every_route_and_meets_no_household_level_field() {
    let s = Server::start(&scratch("f6.db"));
    planned(&s, "A");
    assert_eq!(event(&s, json!({"kind": "delivered", "order": "A", "at": "17:10"})).0, 200);
    for path in ["/plans/latest", "/plans/0", "/area", "/metrics", "/orders/A", "/healthz"] {
        let (status, body) = get(&s, path, Some(VIEWER));
        assert_eq!(status, 200, "{path}");
        for key in HOUSEHOLD_LEVEL {
            assert!(!has_key(&body, key), "{path} shows '{key}' to a viewer");
        }
        if path == "/area" {
            let kinds = body["features"].as_array().unwrap().iter().map(|f| f["properties"]["kind"].clone());
            assert!(kinds.into_iter().all(|k| k != "household"), "households on the viewer's area");
        }
    }
    let (_, order) = get(&s, "/orders/A", Some(VIEWER));
    assert_eq!(order, json!({"id": "A", "status": {"status": "delivered"}}), "no weight, no time");
    assert_eq!(get(&s, "/plans/0/sheets/porter-1", Some(VIEWER)).0, 403);
    // The dispatcher sees it all.
    let (_, plan) = get(&s, "/plans/0", Some(DISPATCHER));
    assert!(has_key(&plan, "climbs") && has_key(&plan, "drops"));
}

#[test]
fn f7_unknown_fields_and_repeated_keys_never_reach_the_journal() {
    let s = Server::start(&scratch("f7.db"));
    let o = order("A", &household(0)).to_string();
    let with_phone = format!(r#"{{"orders": [{o}], "contact": "13800000000"}}"#);
    let (status, _, body) = raw_post(&s, "/orders", &dispatcher_json(), &with_phone);
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("/contact"), "{body}");
    let twice = format!(r#"{{"orders": [{o}], "orders": []}}"#);
    let (status, _, body) = raw_post(&s, "/orders", &dispatcher_json(), &twice);
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("/orders is given twice"), "{body}");
    let in_order = o.replace("\"bags\"", "\"phone\": \"13800000000\", \"bags\"");
    assert_eq!(raw_post(&s, "/orders", &dispatcher_json(), &in_order).0, 422);
    let (_, metrics) = get(&s, "/metrics", Some(DISPATCHER));
    assert_eq!(metrics["journal_entries"], 0, "nothing was written");
}

fn dispatcher_json() -> String {
    format!("Authorization: Bearer {DISPATCHER}\r\nContent-Type: application/json\r\n")
}

#[test]
fn f8_every_answer_says_no_store() {
    let s = Server::start(&scratch("f8.db"));
    planned(&s, "A");
    for path in ["/plans/latest", "/orders/A", "/area", "/metrics", "/plans/0/sheets/porter-1", "/nowhere"] {
        let request = format!(
            "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer {DISPATCHER}\r\n\r\n"
        );
        let (_, head, _) = raw(&s, request.as_bytes());
        assert!(head.contains("cache-control: no-store"), "{path}: {head}");
    }
}

#[test]
fn f9_porters_are_numbered_from_one_as_on_the_sheets() {
    let s = Server::start(&scratch("f9.db"));
    let plan = planned(&s, "A");
    let porter = plan["outings"][0]["porter"].as_u64().unwrap();
    assert!(plan["sheets"].as_array().unwrap().contains(&json!(format!("porter-{porter}"))), "{porter}");
    let (status, body) = event(&s, json!({"kind": "porter_off_duty", "porter": 0, "at": "17:02"}));
    assert_eq!(status, 422);
    assert!(message(&body).contains("numbered from 1"), "{body}");
    assert_eq!(event(&s, json!({"kind": "porter_off_duty", "porter": 8, "at": "17:02"})).0, 200);
    let (status, body) = event(&s, json!({"kind": "porter_off_duty", "porter": 9, "at": "17:02"}));
    assert_eq!(status, 422);
    assert!(message(&body).contains("porters 1 to 8"), "{body}");
}

#[test]
fn f10_messages_say_what_is_wrong_and_where() {
    let s = Server::start(&scratch("f10.db"));
    let site = planned(&s, "A")["outings"][0]["station"].clone();
    assert_eq!(event(&s, json!({"kind": "station_closed", "station": site, "at": "17:03"})).0, 200);
    let (status, body) = event(&s, json!({"kind": "station_closed", "station": site, "at": "17:04"}));
    assert_eq!(status, 422);
    assert!(message(&body).contains("already closed"), "{body}");
    let batch = json!([order("B", &household(1)), order("C", &household(2)), order("B", &household(3))]);
    let (_, body) = post(&s, "/orders", Some(DISPATCHER), &batch);
    assert!(message(&body).contains("appears twice in this batch (/orders/0 and /orders/2)"), "{body}");
    // Paths point into the body as sent: here a bare array, whose first order is unreadable
    // and whose second names no household of the area; both are listed at once.
    let batch = json!([{"id": "E", "household": 5}, {"id": "F", "household": "nowhere", "placed_at": "11:00", "bags": [{"kg": 1}]}]);
    let (_, body) = post(&s, "/orders", Some(DISPATCHER), &batch);
    let paths: Vec<&str> =
        body["error"]["fields"].as_array().unwrap().iter().map(|f| f["path"].as_str().unwrap()).collect();
    assert_eq!(paths, ["/0", "/1"], "{body}");
    let twice = r#"{"orders": [], "orders": []}"#;
    let (_, _, body) = raw_post(&s, "/orders", &dispatcher_json(), twice);
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["error"]["fields"][0]["path"], "/orders", "{body}");
    let (_, body) = event(&s, json!({"kind": "porter_off_duty", "porter": "x", "at": "17:05"}));
    assert_eq!(body["error"]["fields"][0]["path"], "/porter", "{body}");
    let (_, body) = event(&s, json!({"kind": "delivered", "order": "A", "bags": "x", "at": "17:05"}));
    assert_eq!(body["error"]["fields"][0]["path"], "/bags", "an optional field: {body}");
    let (_, body) = event(&s, json!({"kind": "trip_departed", "trip": {"cycle": 0, "trip": 0, "phone": "138"}}));
    assert_eq!(body["error"]["code"], "invalid_input", "no field is kept unasked, nested either: {body}");
    let (_, body) = post(
        &s,
        "/orders",
        Some(DISPATCHER),
        &json!([{"id": "D", "household": household(1), "placed_at": "11:00", "bags": [{"kg": "x"}]}]),
    );
    let text = message(&body);
    assert!(!text.contains("Raw") && !text.contains("usize") && !text.contains("f64"), "{text}");
}

#[test]
fn f11_loose_inputs_are_refused() {
    let s = Server::start(&scratch("f11.db"));
    let h = household(0);
    for placed in [json!(-1), json!("23:59:60"), json!("2020-01-01T11:00:00+08:00")] {
        let o = json!({"id": "T", "household": h, "placed_at": placed, "bags": [{"kg": 1}]});
        assert_eq!(post(&s, "/orders", Some(DISPATCHER), &o).0, 422, "placed_at {placed}");
    }
    let long = format!(
        r#"{{"id": 123456789012345678901234567890, "household": "{h}", "placed_at": "11:00", "bags": [{{"kg": 1}}]}}"#
    );
    assert_eq!(raw_post(&s, "/orders", &dispatcher_json(), &long).0, 422);
    let array = format!(r#"[["A", "{h}", [{{"kg": 1}}], "normal", "11:00", null]]"#);
    assert_eq!(raw_post(&s, "/orders", &dispatcher_json(), &array).0, 422);
    let o = order("K", &h).to_string();
    let key = "Idempotency-Key: cl\u{e9}\r\n";
    let (status, _, body) = raw_post(&s, "/orders", &(dispatcher_json() + key), &o);
    assert_eq!(status, 422, "a key that cannot be read is refused, not ignored: {body}");
    let plain = format!("Authorization: Bearer {DISPATCHER}\r\nContent-Type: text/plain\r\n");
    assert_eq!(raw_post(&s, "/orders", &plain, &o).0, 415);
}

#[test]
fn f12_the_bearer_scheme_is_case_insensitive() {
    let s = Server::start(&scratch("f12.db"));
    for scheme in ["bearer", "BEARER", "Bearer"] {
        let request = format!(
            "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: {scheme} {DISPATCHER}\r\n\r\n"
        );
        assert_eq!(raw(&s, request.as_bytes()).0, 200, "{scheme}");
    }
}

#[test]
fn f13_journal_entries_read_the_same_live_and_after_a_restart() {
    let db = scratch("f13.db");
    let live = {
        let s = Server::start(&db);
        planned(&s, "A");
        assert_eq!(event(&s, json!({"kind": "lane_closed", "lane": "no-such-lane", "at": "17:02"})).0, 422);
        get(&s, "/metrics", Some(DISPATCHER)).1["journal_entries"].clone()
    };
    let s = Server::start(&db);
    assert_eq!(get(&s, "/metrics", Some(DISPATCHER)).1["journal_entries"], live);
}

#[test]
fn f5_silent_and_slow_clients_are_closed_and_do_not_slow_the_others() {
    let s = Server::start(&scratch("f5-slow.db"));
    let address = s.url.trim_start_matches("http://").to_owned();
    let open = |first: &[u8]| {
        let mut c = TcpStream::connect(&address).unwrap();
        c.write_all(first).unwrap();
        c
    };
    // 200 silent connections, some with half a header, one with half a body, one kept
    // alive after an answer.
    let mut silent: Vec<TcpStream> =
        (0..200).map(|i| open(if i % 2 == 0 { b"" } else { b"GET /healthz HTTP/1.1\r\nHo" })).collect();
    let half_body = format!(
        "POST /orders HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {DISPATCHER}\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n[{{"
    );
    let mut slow_body = open(half_body.as_bytes());
    // It trickles: a byte every 3 s, which would renew a time-out that counts per chunk.
    let mut trickle = slow_body.try_clone().unwrap();
    std::thread::spawn(move || {
        for _ in 0..10 {
            std::thread::sleep(Duration::from_secs(3));
            if trickle.write_all(b" ").is_err() {
                break;
            }
        }
    });
    let mut kept = open(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    let mut first = [0u8; 256];
    assert!(kept.read(&mut first).unwrap() > 0, "the kept-alive connection gets its answer");
    // Meanwhile /healthz answers promptly.
    let mut took: Vec<Duration> = (0..100)
        .map(|_| {
            let started = Instant::now();
            assert_eq!(get(&s, "/healthz", None).0, 200);
            started.elapsed()
        })
        .collect();
    took.sort();
    eprintln!("/healthz beside 200 silent connections: median {:?}, p99 {:?}", took[50], took[98]);
    // All closed by the server after their time-outs (headers 10 s, body 20 s).
    std::thread::sleep(Duration::from_secs(23));
    let closed = |c: &mut TcpStream| {
        c.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
        let mut buf = [0u8; 1024];
        // The server may answer (408) before it closes; the end of the stream is what counts.
        loop {
            match c.read(&mut buf) {
                Ok(0) => return true,
                Ok(_) => continue,
                Err(e) => return e.kind() == std::io::ErrorKind::ConnectionReset,
            }
        }
    };
    let still_open = silent.iter_mut().map(&closed).filter(|shut| !shut).count();
    assert_eq!(still_open, 0, "{still_open} silent connection(s) still open after the header time-out");
    assert!(closed(&mut kept), "an idle kept-alive connection is closed");
    assert!(closed(&mut slow_body), "a body trickling in is cut off at its deadline");
}

#[test]
fn a_ledger_of_an_earlier_format_is_refused_plainly_at_start() {
    let db = scratch("format.db");
    {
        let s = Server::start(&db);
        assert_eq!(post(&s, "/orders", Some(DISPATCHER), &order("A", &household(0))).0, 201);
    }
    // As an earlier lastmetre left it: the same journal, no format recorded.
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute("DELETE FROM meta WHERE key = 'format'", []).unwrap();
    drop(conn);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_lastmetre"))
        .args(["serve", "--area", &repo("data/niuxie/area.geojson"), "--db"])
        .arg(&db)
        .args(["--listen", "127.0.0.1:0"])
        .env("LASTMETRE_TOKENS", format!("dispatcher:{DISPATCHER}"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("earlier lastmetre") && said.contains("new --db"), "{said}");
}

#[test]
fn f4_a_household_over_its_orders_for_the_shift_is_refused_at_intake() {
    let fleet = scratch("f4-fleet.json");
    std::fs::write(&fleet, r#"{"orders": {"per_household": 2}}"#).unwrap();
    let s = Server::start_with(&scratch("f4-household.db"), &["--fleet", &fleet.display().to_string()]);
    let h = household(0);
    assert_eq!(post(&s, "/orders", Some(DISPATCHER), &order("H1", &h)).0, 201);
    assert_eq!(post(&s, "/orders", Some(DISPATCHER), &order("H2", &h)).0, 201);
    let (status, body) = post(&s, "/orders", Some(DISPATCHER), &order("H3", &h));
    assert_eq!(status, 422);
    assert!(body.to_string().contains("E312") && body.to_string().contains("per_household"), "{body}");
    // Another household is not held up.
    assert_eq!(post(&s, "/orders", Some(DISPATCHER), &order("H4", &household(1))).0, 201);
}
