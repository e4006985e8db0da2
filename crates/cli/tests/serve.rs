//! The dispatcher service end to end: `lastmetre serve` on loopback, driven over HTTP.
//! API and auth tests, a crash test (SIGKILL while orders come in, 20 rounds) and a browser
//! test in headless Chromium.

mod common;

use common::*;
use serde_json::{Value, json};
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[test]
fn only_healthz_and_the_pages_answer_without_a_token_and_viewers_cannot_write() {
    let s = Server::start(&scratch("auth.db"));
    assert_eq!(get(&s, "/healthz", None).0, 200);
    let (status, body) = get(&s, "/no-such-route", Some(VIEWER));
    assert_eq!((status, body["error"]["code"].as_str()), (404, Some("not_found")));
    for path in ["/metrics", "/area", "/openapi.json", "/plans/latest", "/me", "/orders"] {
        let (status, body) = get(&s, path, None);
        assert_eq!(status, 401, "{path} without a token");
        assert_eq!(body["error"]["code"], "unauthorized", "{path}: {body}");
        assert_eq!(get(&s, path, Some("wrong-token-0123456789")).0, 401, "{path} with a wrong token");
    }
    let order = &noon_orders()[0];
    let (status, body) = post(&s, "/orders", Some(VIEWER), order);
    assert_eq!(status, 403, "{body}");
    assert_eq!(post(&s, "/plan", Some(VIEWER), &json!({})).0, 403);
    assert_eq!(post(&s, "/events", Some(VIEWER), &json!({"kind": "porter_off_duty", "porter": 0})).0, 403);
    // Household-level data only for dispatchers.
    let (_, area) = get(&s, "/area", Some(VIEWER));
    assert!(!area.to_string().contains("\"household\""));
    let (_, area) = get(&s, "/area", Some(DISPATCHER));
    assert!(area.to_string().contains("\"household\""));
    // The pages hold their words, no data: they take it from the API with their token.
    assert_eq!(post(&s, "/orders", Some(DISPATCHER), order).0, 201);
    for path in ["/", "/porter", "/driver", "/leader"] {
        let (status, page) = get(&s, path, None);
        assert_eq!(status, 200, "{path}");
        let page = page.as_str().unwrap();
        assert!(page.contains("<html lang=\"zh-CN\">"), "{path} in the area's language");
        let household = order["household"].as_str().unwrap();
        assert!(!page.contains(household) && !page.contains("\"orders\":"), "{path} carries no data");
    }
    let (_, page) = get(&s, &format!("/?token={VIEWER}"), None);
    assert!(page.as_str().unwrap().contains("<svg id=\"map\""));
    let (status, spec) = get(&s, "/openapi.json", Some(VIEWER));
    assert_eq!(status, 200);
    assert_eq!(spec["openapi"], "3.0.3");
}

#[test]
fn orders_are_checked_acknowledged_once_and_planned() {
    let db = scratch("api.db");
    let s = Server::start(&db);
    let orders = noon_orders();

    // One order, then a batch; a bad batch is refused whole, naming the culprit.
    assert_eq!(post(&s, "/orders", Some(DISPATCHER), &orders[0]).0, 201);
    let (status, body) = post(&s, "/orders", Some(DISPATCHER), &json!({"orders": orders[1..40]}));
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["accepted"], 39);
    let mut bad = orders[40..43].to_vec();
    bad[1]["household"] = json!("nobody-lives-here");
    let (status, body) = post(&s, "/orders", Some(DISPATCHER), &json!(bad));
    assert_eq!(status, 422, "{body}");
    // A pointer into the body as sent: a bare array here.
    assert_eq!(body["error"]["fields"][0]["path"], "/1");
    assert_eq!(body["error"]["fields"][0]["code"], "E303");
    let (status, body) = post(&s, "/orders", Some(DISPATCHER), &orders[0]);
    assert_eq!(status, 422, "a duplicate id: {body}");
    assert_eq!(post(&s, "/orders", Some(DISPATCHER), &json!("not orders")).0, 422);
    let (status, body) = call("POST", &format!("{}/orders", s.url), Some(DISPATCHER), Some("{not json"), None);
    assert_eq!((status, body["error"]["code"].as_str()), (422, Some("invalid_input")));
    let huge = "x".repeat(100 * 1024);
    let (status, body) = call("POST", &format!("{}/orders", s.url), Some(DISPATCHER), Some(&huge), None);
    assert_eq!(status, 413, "{body}");
    assert_eq!(body["error"]["code"], "too_large");

    // Idempotency: the same key and body give the first answer; another body is a conflict.
    let batch = json!(orders[43..50]).to_string();
    let first = call("POST", &format!("{}/orders", s.url), Some(DISPATCHER), Some(&batch), Some("batch-43"));
    let again = call("POST", &format!("{}/orders", s.url), Some(DISPATCHER), Some(&batch), Some("batch-43"));
    assert_eq!(first.0, 201);
    assert_eq!(first, again);
    let other = json!(orders[50..52]).to_string();
    let conflict = call("POST", &format!("{}/orders", s.url), Some(DISPATCHER), Some(&other), Some("batch-43"));
    assert_eq!(conflict.0, 409, "{}", conflict.1);
    let (_, metrics) = get(&s, "/metrics", Some(VIEWER));
    assert_eq!(metrics["orders_acknowledged"], 47);

    // Orders by id; the viewer does not see the household.
    let id = orders[5]["id"].as_str().unwrap();
    let (status, order) = get(&s, &format!("/orders/{id}"), Some(DISPATCHER));
    assert_eq!(status, 200);
    assert_eq!(order["status"]["status"], "waiting");
    assert_eq!(order["household"], orders[5]["household"]);
    let (_, seen) = get(&s, &format!("/orders/{id}"), Some(VIEWER));
    assert!(seen.get("household").is_none());
    assert_eq!(get(&s, "/orders/no-such-order", Some(DISPATCHER)).0, 404);

    // Plan the noon cycle: checked, with sheets; plans by id.
    assert_eq!(get(&s, "/plans/latest", Some(VIEWER)).0, 404);
    let (status, summary) = post(&s, "/plan", Some(DISPATCHER), &json!({"at": "12:00"}));
    assert_eq!(status, 201, "{summary}");
    assert_eq!(summary["feasible"], true);
    assert_eq!(summary["metrics"]["orders_total"], 47);
    let (status, plan) = get(&s, "/plans/0", Some(DISPATCHER));
    assert_eq!(status, 200);
    assert!(plan["routes"]["features"].as_array().unwrap().len() > 1);
    assert!(has_key(&plan, "order"), "dispatchers see which order goes where");
    let (_, viewed) = get(&s, "/plans/latest", Some(VIEWER));
    assert!(!has_key(&viewed, "order") && !has_key(&viewed, "household"));
    assert_eq!(get(&s, "/plans/7", Some(VIEWER)).0, 404);
    let (status, sheet) = get(&s, "/plans/0/sheets/porter-1", Some(DISPATCHER));
    assert_eq!(status, 200);
    assert!(sheet.as_str().unwrap().starts_with("# 搬运员 1"), "a sheet in the area's language: {sheet}");
    assert_eq!(get(&s, "/plans/0/sheets/porter-1", Some(VIEWER)).0, 403);
    assert_eq!(post(&s, "/plan", Some(DISPATCHER), &json!({"at": "11:00"})).0, 422, "time never goes back");
    assert_eq!(post(&s, "/plan", Some(DISPATCHER), &json!({"at": "25:00"})).0, 422, "a time of the day");
    assert_eq!(post(&s, "/plan", Some(DISPATCHER), &json!({"at": -60})).0, 422, "before the ledger's first day");

    // Events: a delivery of a planned order; an unknown order is refused.
    let delivered = plan["outings"][0]["drops"][0]["order"].as_str().unwrap().to_owned();
    let (status, body) =
        post(&s, "/events", Some(DISPATCHER), &json!({"kind": "delivered", "order": delivered, "at": "12:20"}));
    assert_eq!(status, 200, "{body}");
    let (status, body) =
        post(&s, "/events", Some(DISPATCHER), &json!({"kind": "delivered", "order": "nope", "at": "12:21"}));
    assert_eq!(status, 422, "{body}");
    assert_eq!(post(&s, "/events", Some(DISPATCHER), &json!({"kind": "teleported"})).0, 422);
    let (_, order) = get(&s, &format!("/orders/{delivered}"), Some(DISPATCHER));
    assert_eq!(order["status"]["status"], "delivered");

    // A building leader's order names the household by its address; an unknown address is
    // refused with the closest ones.
    let by_address = json!({"id": "ADDR-1", "address": "4号楼 1单元 502", "placed_at": "12:25", "bags": [{"kg": 2}]});
    assert_eq!(post(&s, "/orders", Some(DISPATCHER), &by_address).0, 201);
    let nowhere = json!({"id": "ADDR-2", "address": "99号楼 1单元 502", "placed_at": "12:25", "bags": [{"kg": 2}]});
    let (status, body) = post(&s, "/orders", Some(DISPATCHER), &nowhere);
    assert_eq!(status, 422);
    let text = body.to_string();
    assert!(
        text.contains("E313") && text.split("the closest: ").nth(1).is_some_and(|c| c.contains("9号楼 1单元 502")),
        "{body}"
    );
    let (_, sent) = get(&s, "/orders/ADDR-1", Some(DISPATCHER));

    // A restart rebuilds the same state from the ledger, addresses resolved the same way.
    let before = plan.clone();
    drop(s);
    let s = Server::start(&db);
    let (_, metrics) = get(&s, "/metrics", Some(VIEWER));
    assert_eq!(metrics["orders_acknowledged"], 48);
    let (status, replayed_order) = get(&s, "/orders/ADDR-1", Some(DISPATCHER));
    assert_eq!((status, &replayed_order), (200, &sent), "the same household after the replay");
    let (_, replayed) = get(&s, "/plans/0", Some(DISPATCHER));
    assert_eq!(replayed, before, "the replayed plan is the plan that was served");
    let (_, order) = get(&s, &format!("/orders/{delivered}"), Some(DISPATCHER));
    assert_eq!(order["status"]["status"], "delivered");
}

#[test]
fn a_repeated_report_with_its_key_is_applied_once_even_across_a_crash() {
    let db = scratch("event-keys.db");
    let mut s = Server::start(&db);
    let orders = noon_orders();
    assert_eq!(post(&s, "/orders", Some(DISPATCHER), &json!({"orders": orders[..30]})).0, 201);
    let (status, _) = post(&s, "/plan", Some(DISPATCHER), &json!({"at": "12:00"}));
    assert_eq!(status, 201);
    let (_, plan) = get(&s, "/plans/0", Some(DISPATCHER));
    let drops = plan["outings"][0]["drops"].as_array().unwrap();
    let order = |i: usize| drops[i]["order"].as_str().unwrap().to_owned();
    let report = |s: &Server, body: &Value, key: Option<&str>| {
        call("POST", &format!("{}/events", s.url), Some(DISPATCHER), Some(&body.to_string()), key)
    };
    let entries = |s: &Server| get(s, "/metrics", Some(VIEWER)).1["journal_entries"].as_u64().unwrap();

    // A phone reports a delivery, hears nothing (say), and reports it again with the same key:
    // the first answer, and one entry in the journal.
    let delivered = json!({"kind": "delivered", "order": order(0), "at": "12:20"});
    let first = report(&s, &delivered, Some("phone-7-report-1"));
    assert_eq!(first.0, 200, "{}", first.1);
    let journal = entries(&s);
    assert_eq!(report(&s, &delivered, Some("phone-7-report-1")), first);
    assert_eq!(entries(&s), journal, "the repeat is not journaled again");
    // Without a key, the same report is a second delivery, and refused.
    assert_eq!(report(&s, &delivered, None).0, 422);
    // The same key with another body is a conflict, and changes nothing.
    let other = json!({"kind": "delivered", "order": order(1), "at": "12:21"});
    let (status, body) = report(&s, &other, Some("phone-7-report-1"));
    assert_eq!((status, body["error"]["code"].as_str()), (409, Some("idempotency_key_reused")));
    let (_, seen) = get(&s, &format!("/orders/{}", order(1)), Some(DISPATCHER));
    assert_ne!(seen["status"]["status"], "delivered");
    // A key of an orders batch is no key of an event, and the other way round.
    let batch = json!(orders[30..32]).to_string();
    let ordered = call("POST", &format!("{}/orders", s.url), Some(DISPATCHER), Some(&batch), Some("tablet-1"));
    assert_eq!(ordered.0, 201, "{}", ordered.1);
    assert_eq!(report(&s, &other, Some("tablet-1")).0, 409);
    let as_orders = call(
        "POST",
        &format!("{}/orders", s.url),
        Some(DISPATCHER),
        Some(&delivered.to_string()),
        Some("phone-7-report-1"),
    );
    assert_eq!(as_orders.0, 409, "{}", as_orders.1);
    // A refused report keeps its refusal.
    let wrong = json!({"kind": "delivered", "order": "no-such-order", "at": "12:22"});
    let refused = report(&s, &wrong, Some("phone-7-report-2"));
    assert_eq!(refused.0, 422, "{}", refused.1);
    assert_eq!(report(&s, &wrong, Some("phone-7-report-2")), refused);

    // After SIGKILL the keys still answer as before.
    s.kill();
    let mut s = Server::start(&db);
    assert_eq!(report(&s, &delivered, Some("phone-7-report-1")), first);
    assert_eq!(report(&s, &wrong, Some("phone-7-report-2")), refused);

    // A crash between the event's commit and its answer leaves the key unanswered (status 0):
    // the next start answers it from the replay, with the answer the event had.
    let second = json!({"kind": "delivered", "order": order(1), "at": "12:25"});
    let answered = report(&s, &second, Some("phone-7-report-3"));
    assert_eq!(answered.0, 200, "{}", answered.1);
    s.kill();
    let conn = rusqlite::Connection::open(&db).unwrap();
    let changed =
        conn.execute("UPDATE idempotency SET status = 0, response = '' WHERE key = 'phone-7-report-3'", []).unwrap();
    assert_eq!(changed, 1);
    drop(conn);
    let s = Server::start(&db);
    assert_eq!(report(&s, &second, Some("phone-7-report-3")), answered);
    let (_, seen) = get(&s, &format!("/orders/{}", order(1)), Some(DISPATCHER));
    assert_eq!(seen["status"]["status"], "delivered");
}

/// `lastmetre ledger …`: exit status, stdout and stderr.
fn ledger(args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_lastmetre")).arg("ledger").args(args).output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_ledger_is_backed_up_while_the_service_runs_and_checked() {
    let db = scratch("backup-source.db");
    let copy = scratch("backup-copy.db");
    let s = Server::start(&db);
    let orders = noon_orders();
    assert_eq!(post(&s, "/orders", Some(DISPATCHER), &json!({"orders": orders[..30]})).0, 201);
    assert_eq!(post(&s, "/plan", Some(DISPATCHER), &json!({"at": "12:00"})).0, 201);
    let (_, plan) = get(&s, "/plans/0", Some(DISPATCHER));
    let (db_text, copy_text) = (db.display().to_string(), copy.display().to_string());

    // While the service runs and takes more orders.
    let (code, stdout, stderr) = ledger(&["backup", "--db", &db_text, "--out", &copy_text]);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(stdout.contains("2 journal entries and 30 orders"), "{stdout}");
    assert_eq!(post(&s, "/orders", Some(DISPATCHER), &json!({"orders": orders[30..35]})).0, 201);
    let (code, _, stderr) = ledger(&["backup", "--db", &db_text, "--out", &copy_text]);
    assert_eq!(code, Some(2), "a copy is never overwritten");
    assert!(stderr.contains("exists already"), "{stderr}");
    let (code, stdout, _) = ledger(&["check", "--db", &db_text]);
    assert_eq!(code, Some(0), "{stdout}");
    assert!(stdout.contains("3 journal entries, 35 orders") && stdout.contains("sound"), "{stdout}");

    // A service started on the copy serves what the original served when it was taken.
    drop(s);
    let restored = Server::start(&copy);
    assert_eq!(get(&restored, "/plans/0", Some(DISPATCHER)).1, plan);
    assert_eq!(get(&restored, "/metrics", Some(VIEWER)).1["orders_acknowledged"], 30);
    drop(restored);

    // A journal entry changed behind the service's back is found, by its position.
    let conn = rusqlite::Connection::open(&copy).unwrap();
    let mut order = orders[0].clone();
    order["id"] = json!("FORGED-1");
    let forged = json!([order]).to_string();
    conn.execute("UPDATE journal SET body = ?1 WHERE seq = 1", [&forged]).unwrap();
    drop(conn);
    let (code, stdout, _) = ledger(&["check", "--db", &copy_text]);
    assert_eq!(code, Some(1), "{stdout}");
    assert!(stdout.contains("journal entry 1: order 'FORGED-1' is not in the orders table"), "{stdout}");
    assert!(stdout.contains("points at journal entry 1, which does not hold it"), "{stdout}");

    // What is no ledger is bad input.
    let (code, _, stderr) = ledger(&["check", "--db", &scratch("no-such.db").display().to_string()]);
    assert_eq!(code, Some(2), "{stderr}");
    let (code, _, stderr) = ledger(&["check", "--db", &repo("data/niuxie/area.geojson")]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("not an SQLite database") || stderr.contains("not a lastmetre ledger"), "{stderr}");
}

#[test]
fn acknowledged_orders_survive_sigkill_twenty_times() {
    let db = scratch("crash.db");
    let households: Vec<String> = noon_orders().iter().map(|o| o["household"].as_str().unwrap().to_owned()).collect();
    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    // Ids sent but not acknowledged (the server died first): sent again next round, with the
    // same idempotency key, so that none can be stored twice.
    let unanswered = Arc::new(Mutex::new(Vec::<(String, String)>::new()));
    let mut next = 0usize;
    let mut rng = 0x2022_0829_u64;
    // Plans acknowledged (and read back) before a kill: each must replay to the same plan.
    let mut plans_seen: Vec<Value> = Vec::new();
    // 8000 orders over 713 households: more than a household's ten a shift.
    let fleet = scratch("crash-fleet.json");
    std::fs::write(&fleet, r#"{"orders": {"per_household": 100}}"#).unwrap();
    let fleet = fleet.display().to_string();
    for round in 0..20 {
        let mut s = Server::start_with(&db, &["--fleet", &fleet]);
        // A re-plan now and then, racing the orders and the kill.
        let planner = {
            let url = s.url.clone();
            std::thread::spawn(move || {
                let at = format!("{:02}:{:02}", 8 + round / 2, (round % 2) * 30);
                let body = json!({"at": at}).to_string();
                let (status, _) = try_call("POST", &format!("{url}/plan"), Some(DISPATCHER), Some(&body), None)?;
                if status != 201 {
                    return None;
                }
                let (status, plan) = try_call("GET", &format!("{url}/plans/latest"), Some(DISPATCHER), None, None)?;
                (status == 200).then_some(plan)
            })
        };
        let stop = Arc::new(AtomicBool::new(false));
        let mut clients = Vec::new();
        let retries: Vec<(String, String)> = std::mem::take(&mut *unanswered.lock().unwrap());
        let mut work: Vec<(String, String)> = retries;
        for _ in 0..400 {
            let id = format!("crash-{next:05}");
            work.push((id, households[next % households.len()].clone()));
            next += 1;
        }
        let work = Arc::new(Mutex::new(work));
        for _ in 0..4 {
            let (url, stop, work, acknowledged, unanswered) =
                (s.url.clone(), stop.clone(), work.clone(), acknowledged.clone(), unanswered.clone());
            clients.push(std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let Some((id, household)) = work.lock().unwrap().pop() else { break };
                    let body = json!({"id": id, "household": household, "placed_at": "11:00", "bags": [{"kg": 2.0}]});
                    let sent = agent()
                        .post(&format!("{url}/orders"))
                        .header("Authorization", &format!("Bearer {DISPATCHER}"))
                        .header("Content-Type", "application/json")
                        .header("Idempotency-Key", &id)
                        .send(body.to_string());
                    match sent {
                        Ok(r) if r.status().as_u16() == 201 => acknowledged.lock().unwrap().push(id),
                        Ok(r) => panic!("order {id}: status {}", r.status()),
                        Err(_) => {
                            unanswered.lock().unwrap().push((id, household));
                            break;
                        }
                    }
                }
            }));
        }
        // SIGKILL at a random moment while the clients are submitting.
        rng = rng.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        std::thread::sleep(Duration::from_millis(50 + (rng >> 33) % 900));
        s.kill();
        stop.store(true, Ordering::Relaxed);
        for c in clients {
            c.join().unwrap();
        }
        if let Ok(Some(plan)) = planner.join() {
            plans_seen.push(plan);
        }
        unanswered.lock().unwrap().extend(work.lock().unwrap().drain(..));
        assert!(round < 20);
    }
    // Every acknowledged order is there after the last crash, once.
    let s = Server::start_with(&db, &["--fleet", &fleet]);
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(acknowledged.len() > 100, "only {} orders acknowledged in 20 rounds", acknowledged.len());
    for id in &acknowledged {
        assert_eq!(get(&s, &format!("/orders/{id}"), Some(DISPATCHER)).0, 200, "acknowledged order {id} lost");
    }
    // Every plan served before a kill comes back the same after the replay.
    assert!(plans_seen.len() >= 3, "only {} plans made it", plans_seen.len());
    for plan in &plans_seen {
        let (status, replayed) = get(&s, &format!("/plans/{}", plan["id"]), Some(DISPATCHER));
        assert_eq!(status, 200);
        assert_eq!(&replayed, plan, "plan {} differs after the replay", plan["id"]);
    }
    drop(s);
    let conn = rusqlite::Connection::open(&db).unwrap();
    let rows: i64 = conn.query_row("SELECT COUNT(*) FROM orders", [], |r| r.get(0)).unwrap();
    let mut in_journal = std::collections::HashMap::<String, usize>::new();
    let mut stmt = conn.prepare("SELECT body FROM journal WHERE kind = 'orders'").unwrap();
    for body in stmt.query_map([], |r| r.get::<_, String>(0)).unwrap() {
        // As the client sent it: an array, or {"orders": [...]}.
        let batch: Value = serde_json::from_str(&body.unwrap()).unwrap();
        let list = batch.as_array().or_else(|| batch["orders"].as_array()).unwrap();
        for o in list {
            *in_journal.entry(o["id"].as_str().unwrap().to_owned()).or_default() += 1;
        }
    }
    assert!(in_journal.values().all(|n| *n == 1), "an order is in the journal twice");
    let unique: std::collections::HashSet<&String> = acknowledged.iter().collect();
    assert_eq!(unique.len(), acknowledged.len(), "an order was acknowledged twice");
    eprintln!(
        "20 SIGKILL rounds: {} acknowledged, {} in the ledger, {} plans replayed identically, 0 lost, 0 duplicated",
        acknowledged.len(),
        rows,
        plans_seen.len()
    );
}

/// Debian's chromium; CI installs it and sets LASTMETRE_REQUIRE_BROWSER=1.
#[test]
fn the_page_draws_the_map_and_the_routes_in_headless_chromium() {
    let Some(browser) = chromium() else {
        assert!(std::env::var("LASTMETRE_REQUIRE_BROWSER").is_err(), "chromium is required but not installed");
        eprintln!("SKIPPED: no chromium (apt-get install chromium); .ci/run installs it");
        return;
    };
    let s = Server::start(&scratch("browser.db"));
    let orders = noon_orders();
    assert_eq!(post(&s, "/orders", Some(DISPATCHER), &json!(orders[..60])).0, 201);
    assert_eq!(post(&s, "/plan", Some(DISPATCHER), &json!({"at": "12:00"})).0, 201);
    let url = format!("{}/?token={VIEWER}", s.url);
    let profile = scratch("chromium-profile");
    let shot = Path::new(env!("CARGO_TARGET_TMPDIR")).join("serve/page.png");
    let run = |extra: &[&str]| {
        let started = Instant::now();
        let out = headless(&browser, &profile, 20_000)
            .args(["--window-size=1280,900", "--lang=zh-CN", "--accept-lang=zh-CN"])
            .args(extra)
            .arg(&url)
            .output()
            .expect("chromium runs");
        (out, started.elapsed())
    };
    let (out, _) = run(&["--dump-dom"]);
    let dom = String::from_utf8_lossy(&out.stdout);
    assert!(dom.contains("data-ready=\"plan\""), "the page did not finish: {}", &dom[..dom.len().min(2000)]);
    let lanes = dom.matches("class=\"lane ").count();
    let routes = dom.matches("class=\"route ").count();
    let buildings = dom.matches("class=\"building\"").count();
    assert!(lanes > 50 && buildings >= 24, "map: {lanes} lanes, {buildings} buildings");
    assert!(routes >= 2, "routes drawn: {routes}");
    // In the area's language: Chinese for an area in China.
    assert!(dom.contains("</span>三轮车 1</li>") && dom.contains("</span>搬运员 "), "legend");
    assert!(dom.contains("<td>上楼次数</td>"), "metrics");
    assert!(!dom.contains("class=\"dispatcher\""), "a viewer gets no console");
    assert!(!dom.contains(VIEWER), "the token is not left in the page");
    let _ = std::fs::remove_file(&shot);
    let (_, _) = run(&[&format!("--screenshot={}", shot.display())]);
    let png = std::fs::read(&shot).expect("a screenshot");
    assert!(png.len() > 10_000 && png.starts_with(b"\x89PNG"), "screenshot of {} bytes", png.len());
    eprintln!("screenshot: {}", shot.display());
}

/// Start-up from the latest checkpoint and the journal after it gives the state a replay of
/// the whole journal gives: the plans already made read back the same, and the plans that
/// follow are the same, byte for byte.
#[test]
fn a_start_from_the_checkpoint_equals_a_replay_of_the_whole_journal() {
    let db = scratch("checkpoint.db");
    let orders = noon_orders();
    let mut s = Server::start(&db);
    let mut made = Vec::new();
    for (k, chunk) in orders.chunks(40).take(4).enumerate() {
        assert_eq!(post(&s, "/orders", Some(DISPATCHER), &json!(chunk)).0, 201);
        let at = format!("{:02}:{:02}", 11 + k / 2, (k % 2) * 30);
        let (status, body) = post(&s, "/plan", Some(DISPATCHER), &json!({"at": at}));
        assert_eq!(status, 201, "{body}");
        let (_, plan) = get(&s, "/plans/latest", Some(DISPATCHER));
        assert_eq!(plan["feasible"], true);
        if k == 1 {
            // Events between plans, one of them with a key, and an order after them.
            let drop = plan["outings"][0]["drops"][0]["order"].as_str().unwrap().to_owned();
            let event = json!({"kind": "delivered", "order": drop, "at": "11:50"}).to_string();
            let (status, _) = call("POST", &format!("{}/events", s.url), Some(DISPATCHER), Some(&event), Some("d-1"));
            assert_eq!(status, 200);
            assert_eq!(
                post(&s, "/events", Some(DISPATCHER), &json!({"kind": "porter_off_duty", "porter": 2, "at": "11:55"}))
                    .0,
                200
            );
        }
        made.push(plan);
    }
    // Orders after the last plan: in the journal after the checkpoint.
    assert_eq!(post(&s, "/orders", Some(DISPATCHER), &json!(orders[160..180])).0, 201);
    s.kill();

    // The same ledger without its checkpoint and stored plans: the whole journal replays.
    let full = scratch("checkpoint-full.db");
    std::fs::copy(&db, &full).unwrap();
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::copy(format!("{}{suffix}", db.display()), format!("{}{suffix}", full.display()));
    }
    let conn = rusqlite::Connection::open(&full).unwrap();
    let (checkpoints, stored): (i64, i64) = conn
        .query_row("SELECT (SELECT COUNT(*) FROM checkpoint), (SELECT COUNT(*) FROM plans)", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!((checkpoints, stored), (1, 4), "one checkpoint, the latest; every plan stored");
    conn.execute_batch("DELETE FROM checkpoint; DELETE FROM plans;").unwrap();
    drop(conn);

    let resumed = Server::start(&db);
    let replayed = Server::start(&full);
    for (k, before) in made.iter().enumerate() {
        let path = format!("/plans/{k}");
        let (a, b) = (get(&resumed, &path, Some(DISPATCHER)), get(&replayed, &path, Some(DISPATCHER)));
        assert_eq!(a.0, 200);
        assert_eq!(a.1.to_string(), before.to_string(), "plan {k} reads back as it was served");
        assert_eq!(a.1.to_string(), b.1.to_string(), "plan {k}");
    }
    let (_, a) = get(&resumed, "/metrics", Some(DISPATCHER));
    let (_, b) = get(&replayed, "/metrics", Some(DISPATCHER));
    for field in ["orders_acknowledged", "orders_queued", "journal_entries", "plans", "latest_plan"] {
        assert_eq!(a[field], b[field], "{field}");
    }
    let repeat = json!({"kind": "delivered", "order": "x", "at": "11:50"}).to_string();
    let (status, _) = call("POST", &format!("{}/events", resumed.url), Some(DISPATCHER), Some(&repeat), Some("d-1"));
    assert_eq!(status, 409, "the key's first body was another event");
    for (k, at) in ["13:00", "13:30"].into_iter().enumerate() {
        if k == 1 {
            for s in [&resumed, &replayed] {
                assert_eq!(post(s, "/orders", Some(DISPATCHER), &json!(orders[180..200])).0, 201);
            }
        }
        let (a, b) = (
            post(&resumed, "/plan", Some(DISPATCHER), &json!({"at": at})),
            post(&replayed, "/plan", Some(DISPATCHER), &json!({"at": at})),
        );
        assert_eq!((a.0, b.0), (201, 201), "{}", a.1);
        assert_eq!(a.1, b.1, "the summaries at {at}");
        let (a, b) =
            (get(&resumed, "/plans/latest", Some(DISPATCHER)), get(&replayed, "/plans/latest", Some(DISPATCHER)));
        assert_eq!(a.1["plan"]["metrics"]["orders_total"].as_u64().map(|n| n > 0), Some(true));
        assert_eq!(a.1.to_string(), b.1.to_string(), "the plan at {at}, byte for byte");
    }
    assert_eq!(ledger_check(&db), Some(0), "the ledger checks with its checkpoint and stored plans");
}

/// Days follow each other: an order placed at 23:50 is planned in the next cycle, at 00:00 of
/// the next day; times come and go as RFC 3339 with the area's offset, and plans are found
/// by day.
#[test]
fn orders_and_plans_run_on_across_midnight() {
    let s = Server::start(&scratch("midnight.db"));
    let (_, metrics) = get(&s, "/metrics", Some(DISPATCHER));
    let clock = metrics["clock"].as_str().unwrap().to_owned();
    assert!(clock.ends_with("+08:00") && clock.len() == 25, "RFC 3339 in the area's zone: {clock}");
    let today = metrics["day"]["date"].as_str().unwrap().to_owned();
    let mut orders = noon_orders()[..3].to_vec();
    orders[0]["placed_at"] = json!(format!("{today}T23:50:00+08:00"));
    orders[1]["placed_at"] = json!(format!("{today}T15:50:00Z"));
    orders[2]["placed_at"] = json!("23:55");
    let (status, body) = post(&s, "/plan", Some(DISPATCHER), &json!({"at": format!("{today}T23:30:00+08:00")}));
    assert_eq!(status, 201, "{body}");
    assert_eq!(post(&s, "/orders", Some(DISPATCHER), &json!(orders)).0, 201);
    // The next cycle starts at midnight: seconds since the ledger's first midnight.
    let (status, body) = post(&s, "/plan", Some(DISPATCHER), &json!({"at": 86_400}));
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["metrics"]["orders_total"], 3, "{body}");
    let (_, plan) = get(&s, "/plans/latest", Some(DISPATCHER));
    let start = plan["cycle_start"].as_str().unwrap();
    assert!(start.ends_with("T00:00:00+08:00") && !start.starts_with(&today), "{start}");
    let tomorrow = plan["day"].as_str().unwrap().to_owned();
    assert_eq!(&start[..10], tomorrow);
    let planned: Vec<&str> = plan["outings"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|o| o["drops"].as_array().unwrap())
        .map(|d| d["order"].as_str().unwrap())
        .collect();
    for o in &orders {
        assert!(planned.contains(&o["id"].as_str().unwrap()), "{} planned at midnight", o["id"]);
    }
    // Plans by day, and by the day's number.
    let (_, listed) = get(&s, &format!("/plans?day={today}"), Some(VIEWER));
    assert_eq!(listed["plans"].as_array().unwrap().len(), 1);
    let (_, listed) = get(&s, &format!("/plans?day={tomorrow}"), Some(VIEWER));
    assert_eq!(listed["plans"][0]["id"], 1);
    let (status, by_day) = get(&s, &format!("/plans/{tomorrow}.1"), Some(DISPATCHER));
    assert_eq!(status, 200);
    assert_eq!(by_day.to_string(), plan.to_string());
    assert_eq!(get(&s, &format!("/plans/{tomorrow}.2"), Some(DISPATCHER)).0, 404);
    assert_eq!(get(&s, "/plans?day=someday", Some(VIEWER)).0, 422);
    // The day figures add up to the orders' statuses.
    let (_, metrics) = get(&s, &format!("/metrics?day={today}"), Some(DISPATCHER));
    let day = &metrics["day"];
    assert_eq!(day["orders_placed"], 3);
    let counted: u64 = day["by_status"].as_object().unwrap().values().map(|v| v.as_u64().unwrap()).sum();
    assert_eq!(counted, 3, "{day}");
    assert_eq!(day["plans"], 1);
    // The day's report from the ledger, while the service runs: the orders placed that day,
    // and the deliveries reported that day.
    let order = planned[0].to_owned();
    let event = json!({"kind": "delivered", "order": order, "at": format!("{tomorrow}T00:20:00+08:00")});
    assert_eq!(post(&s, "/events", Some(DISPATCHER), &event).0, 200);
    let out = scratch("midnight-report");
    let _ = std::fs::remove_dir_all(&out);
    for (day, orders_rows, delivery_rows) in [(&today, 3, 0), (&tomorrow, 0, 1)] {
        let run = Command::new(env!("CARGO_BIN_EXE_lastmetre"))
            .args(["ledger", "export", "--db"])
            .arg(scratch_path("midnight.db"))
            .args(["--day", day, "--out"])
            .arg(&out)
            .output()
            .unwrap();
        assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
        let read = |name: &str| std::fs::read_to_string(out.join(name)).unwrap();
        assert_eq!(read("orders.csv").lines().count(), 1 + orders_rows, "{day}: {}", read("orders.csv"));
        assert_eq!(read("deliveries.csv").lines().count(), 1 + delivery_rows, "{day}");
        if delivery_rows == 1 {
            assert!(read("deliveries.csv").contains(&format!("{order},all,{tomorrow}T00:20:00+08:00")));
        } else {
            assert!(read("orders.csv").contains(&format!("{today}T23:50:00+08:00")));
        }
    }
    // A time more than a day ahead (a slip of the year) would hold every later plan back.
    for at in [json!(1e12), json!("2099-01-01T00:00:00+08:00")] {
        let (status, body) = post(&s, "/plan", Some(DISPATCHER), &json!({"at": at}));
        assert_eq!((status, body["error"]["fields"][0]["path"].as_str()), (422, Some("/at")), "{at}: {body}");
    }
    // A time before the ledger's first day, or not a time, is refused with the field.
    let early = json!({"id": "early", "household": orders[0]["household"], "placed_at": "2020-01-01T08:00:00+08:00", "bags": [{"kg": 1}]});
    let (status, body) = post(&s, "/orders", Some(DISPATCHER), &early);
    assert_eq!(status, 422, "{body}");
}

/// Many areas in one service: each under `/areas/{id}`, tokens scoped to areas, and an area
/// that cannot start leaves the others running.
#[test]
fn a_token_for_one_area_is_refused_on_every_route_of_another_and_a_failed_area_stays_alone() {
    let dir = scratch("district");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(repo("data/niuxie/area.geojson"), dir.join("niuxie.geojson")).unwrap();
    generated_area(&dir, "east", 150, 3);
    std::fs::write(dir.join("broken.geojson"), "{\"type\": \"FeatureCollection\", \"features\": []}").unwrap();
    let tokens = dir.join("tokens.txt");
    std::fs::write(
        &tokens,
        "dispatcher niuxie-dispatcher-0123456789 niuxie\nviewer niuxie-viewer-0123456789 niuxie\n\
         dispatcher east-dispatcher-0123456789 east,broken\nviewer district-viewer-0123456789\n",
    )
    .unwrap();
    let ledgers = dir.join("ledgers");
    let s = Server::spawn(&[
        "--areas",
        dir.to_str().unwrap(),
        "--db",
        ledgers.to_str().unwrap(),
        "--tokens",
        tokens.to_str().unwrap(),
    ]);
    let (status, health) = get(&s, "/healthz", None);
    assert_eq!((status, health["areas"].as_u64(), health["failed"].as_u64()), (200, Some(3), Some(1)), "{health}");
    assert_eq!(get(&s, "/openapi.json", Some("east-dispatcher-0123456789")).0, 200);
    assert_eq!(get(&s, "/openapi.json", None).0, 401);
    let (_, listed) = get(&s, "/areas", Some("niuxie-viewer-0123456789"));
    let ids: Vec<&str> = listed["areas"].as_array().unwrap().iter().map(|a| a["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["niuxie"], "a token sees the areas it holds");
    let (_, listed) = get(&s, "/areas", Some("district-viewer-0123456789"));
    let states: Vec<(&str, &str)> = listed["areas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["id"].as_str().unwrap(), a["state"].as_str().unwrap()))
        .collect();
    assert_eq!(states, [("broken", "failed"), ("east", "running"), ("niuxie", "running")]);
    assert_eq!(get(&s, "/orders/x", Some("district-viewer-0123456789")).0, 404, "no routes at the top with many areas");

    // Every route of east, with niuxie's tokens (both roles): 403; with east's: not 403.
    let gets = [
        "/orders",
        "/me",
        "/openapi.json",
        "/orders/x",
        "/plans",
        "/plans/latest",
        "/plans/0",
        "/plans/0/sheets/porter-1",
        "/area",
        "/metrics",
    ];
    let posts = ["/orders", "/events", "/plan"];
    let body = json!({"at": "12:00"}).to_string();
    for token in ["niuxie-dispatcher-0123456789", "niuxie-viewer-0123456789"] {
        for path in gets {
            let (status, answer) = call("GET", &format!("{}/areas/east{path}", s.url), Some(token), None, None);
            assert_eq!(status, 403, "GET {path} with {token}: {answer}");
        }
        for path in posts {
            let (status, _) = call("POST", &format!("{}/areas/east{path}", s.url), Some(token), Some(&body), None);
            assert_eq!(status, 403, "POST {path} with {token}");
        }
    }
    let east = "east-dispatcher-0123456789";
    for path in gets {
        let (status, _) = call("GET", &format!("{}/areas/east{path}", s.url), Some(east), None, None);
        assert_ne!(status, 403, "GET {path} with east's token");
        assert_ne!(status, 401, "GET {path} with east's token");
    }
    for page in ["/areas/east", "/areas/east/"] {
        let (status, html) = call("GET", &format!("{}{page}?token={east}", s.url), None, None, None);
        assert!(status == 200 && html.as_str().is_some_and(|h| h.contains("<svg id=\"map\"")), "{page}: {status}");
    }
    let (status, plan) = call("POST", &format!("{}/areas/east/plan", s.url), Some(east), Some(&body), None);
    assert_eq!(status, 201, "{plan}");
    // The niuxie dispatcher works on niuxie, and its plans are its own.
    let (status, _) = post(&s, "/areas/niuxie/orders", Some("niuxie-dispatcher-0123456789"), &noon_orders()[0]);
    assert_eq!(status, 201);
    let (_, metrics) = get(&s, "/areas/niuxie/metrics", Some("niuxie-viewer-0123456789"));
    assert_eq!((metrics["orders_acknowledged"].as_u64(), metrics["plans"].as_u64()), (Some(1), Some(0)));
    // The area that did not start answers 503 with why, to a token that holds it.
    let (status, answer) = get(&s, "/areas/broken/metrics", Some(east));
    assert_eq!((status, answer["error"]["code"].as_str()), (503, Some("area_unavailable")), "{answer}");
    assert_eq!(get(&s, "/areas/broken/metrics", Some("niuxie-viewer-0123456789")).0, 403);
    assert!(ledgers.join("niuxie.db").is_file() && ledgers.join("east.db").is_file(), "a ledger per area");
}
