//! A whole lockdown of three areas on an accelerated clock: `lastmetre serve --areas`, fed a
//! day of demand (`synth::demand::day`) per area and day in 30-minute cycles, with two
//! shifts a day, deliveries reported back, and the service SIGKILLed at a random moment each
//! day and restarted. Afterwards every acknowledged order is there exactly once, every plan
//! read back before a kill reads back the same, the shifts reset, no porter goes over a
//! shift's limits, and each day's figures add up to its orders' statuses.
//!
//! 14 days in a release build (`cargo test --release --test lockdown`), 2 in a debug build.
//! It also prints the start-up time and ledger size of the founding area after the run.

mod common;

use common::*;
use lastmetre::synth::demand::{DayOptions, day};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const DAY: f64 = 86_400.0;
const CYCLE: f64 = 1800.0;
const TOKEN: &str = "lockdown-dispatcher-0123456789";
const AREAS: [&str; 3] = ["niuxie", "north", "south"];

/// A small deterministic generator: the test needs no rand of its own.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// One area's side of the run.
struct Field {
    id: &'static str,
    households: Vec<String>,
    /// Orders not yet sent, by placed_at.
    demand: Vec<Value>,
    /// Drops of started outings not yet reported: (at, order).
    drops: Vec<(f64, String)>,
    /// Plans read back: id → body.
    seen: BTreeMap<u64, String>,
    acknowledged: BTreeSet<String>,
    placed_on: BTreeMap<i64, usize>,
}

fn start(dir: &Path, ledgers: &Path, tokens: &Path) -> Server {
    Server::spawn(&[
        "--areas",
        dir.to_str().unwrap(),
        "--db",
        ledgers.to_str().unwrap(),
        "--tokens",
        tokens.to_str().unwrap(),
    ])
}

/// A request that must get through: retried across a kill and the restart that follows.
fn send(
    s: &mut Option<Server>,
    restart: &dyn Fn() -> Server,
    method: &str,
    path: &str,
    body: Option<&str>,
    key: Option<&str>,
) -> (u16, Value) {
    for _ in 0..3 {
        let url = format!("{}{path}", s.as_ref().unwrap().url);
        if let Some(answer) = try_call(method, &url, Some(TOKEN), body, key) {
            return answer;
        }
        // The service is gone (the day's kill): start it again and repeat, with the same key.
        if let Some(mut old) = s.take() {
            old.kill();
        }
        *s = Some(restart());
    }
    panic!("{method} {path} failed three times");
}

#[test]
fn a_fortnight_of_three_areas_with_a_kill_each_day_loses_nothing() {
    let days: u32 = if cfg!(debug_assertions) { 2 } else { 14 };
    let dir = scratch("lockdown");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(repo("data/niuxie/area.geojson"), dir.join("niuxie.geojson")).unwrap();
    generated_area(&dir, "north", 300, 11);
    generated_area(&dir, "south", 500, 12);
    let shifts = r#"{"porters": {"shifts": [{"start_h": 6, "end_h": 14}, {"start_h": 14, "end_h": 22}]}}"#;
    for id in AREAS {
        std::fs::write(dir.join(format!("{id}.fleet.json")), shifts).unwrap();
    }
    let tokens = dir.join("tokens.txt");
    std::fs::write(&tokens, format!("dispatcher {TOKEN}\n")).unwrap();
    let ledgers = dir.join("ledgers");
    let restart = || start(&dir, &ledgers, &tokens);
    let mut s = Some(restart());

    let mut fields: Vec<Field> = AREAS
        .iter()
        .map(|id| {
            let built = lastmetre::load_area(&dir.join(format!("{id}.geojson")), &Default::default()).unwrap();
            let households: Vec<String> = built.area.households.iter().map(|h| h.id.clone()).collect();
            Field {
                id,
                households,
                demand: Vec::new(),
                drops: Vec::new(),
                seen: BTreeMap::new(),
                acknowledged: BTreeSet::new(),
                placed_on: BTreeMap::new(),
            }
        })
        .collect();
    let mut rng = Lcg(0x2022_0814);
    let mut kills = 0;
    let mut plans_checked = 0;
    for d in 0..days {
        let offset = f64::from(d) * DAY;
        for (k, f) in fields.iter_mut().enumerate() {
            let ids: Vec<&str> = f.households.iter().map(String::as_str).collect();
            let orders = day(&ids, &DayOptions::new(100 + k as u64, d + 1));
            let mut list = lastmetre::formats::write_orders_json(&orders)["orders"].as_array().unwrap().clone();
            for (o, order) in list.iter_mut().zip(&orders) {
                o["placed_at"] = json!(offset + order.placed_at.get());
            }
            list.sort_by(|a, b| a["placed_at"].as_f64().unwrap().total_cmp(&b["placed_at"].as_f64().unwrap()));
            f.demand = list;
        }
        // The day's kill: at a random cycle, a random few milliseconds into it.
        let kill_cycle = rng.below(48);
        let kill_after = Duration::from_millis(rng.below(40));
        for c in 0..48u64 {
            let now = offset + c as f64 * CYCLE;
            if c == kill_cycle {
                let pid = s.as_ref().unwrap().child.id();
                std::thread::spawn(move || {
                    std::thread::sleep(kill_after);
                    let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
                });
                kills += 1;
            }
            for f in &mut fields {
                let area = format!("/areas/{}", f.id);
                // Orders placed in the cycle that ends now, one batch with a key.
                let due = f.demand.partition_point(|o| o["placed_at"].as_f64().unwrap() <= now);
                let batch: Vec<Value> = f.demand.drain(..due).collect();
                if !batch.is_empty() {
                    let key = format!("{}-{}", f.id, batch[0]["id"].as_str().unwrap());
                    let body = json!(batch).to_string();
                    let (status, answer) =
                        send(&mut s, &restart, "POST", &format!("{area}/orders"), Some(&body), Some(&key));
                    assert_eq!(status, 201, "{}: {answer}", f.id);
                    for o in &batch {
                        f.acknowledged.insert(o["id"].as_str().unwrap().to_owned());
                        *f.placed_on.entry((o["placed_at"].as_f64().unwrap() / DAY).floor() as i64).or_default() += 1;
                    }
                }
                // Hand-overs of the outings that started, reported when their time has come.
                f.drops.sort_by(|a, b| a.0.total_cmp(&b.0));
                let reported = f.drops.partition_point(|x| x.0 <= now);
                for (at, order) in f.drops.drain(..reported).collect::<Vec<_>>() {
                    let failed = rng.below(100) < 3;
                    let event = if failed {
                        json!({"kind": "delivery_failed", "order": order, "reason": "nobody_home", "at": at})
                    } else {
                        json!({"kind": "delivered", "order": order, "at": at})
                    };
                    let key = format!("{}-{order}-{at}", f.id);
                    let (status, answer) =
                        send(&mut s, &restart, "POST", &format!("{area}/events"), Some(&event.to_string()), Some(&key));
                    assert!(status == 200 || status == 422, "{}: {answer}", f.id);
                }
                // The cycle's plan, once: a plan request the kill cut off may be in the ledger
                // already (then it replays), so a plan is asked again only when it is not.
                let cycle = u64::from(d) * 48 + c;
                let body = json!({"at": now}).to_string();
                let url = format!("{}{area}/plan", s.as_ref().unwrap().url);
                if try_call("POST", &url, Some(TOKEN), Some(&body), None).is_none() {
                    if let Some(mut old) = s.take() {
                        old.kill();
                    }
                    s = Some(restart());
                    let (_, listed) = send(&mut s, &restart, "GET", &format!("{area}/plans"), None, None);
                    let made = listed["plans"].as_array().unwrap().len() as u64;
                    assert!(made == cycle || made == cycle + 1, "{}: {made} plans before cycle {cycle}", f.id);
                    if made == cycle {
                        let (status, answer) =
                            send(&mut s, &restart, "POST", &format!("{area}/plan"), Some(&body), None);
                        assert_eq!(status, 201, "{}: {answer}", f.id);
                    }
                }
                let (status, plan) = send(&mut s, &restart, "GET", &format!("{area}/plans/latest"), None, None);
                assert_eq!(status, 200, "{}: {plan}", f.id);
                assert_eq!(plan["feasible"], true, "{} plan {}: {}", f.id, plan["id"], plan["violations"]);
                check_porters(f.id, &plan, now);
                let id = plan["id"].as_u64().unwrap();
                if f.seen.insert(id, plan.to_string()).is_none() {
                    for o in plan["outings"].as_array().unwrap() {
                        if o["start_s"].as_f64().unwrap() < now + CYCLE {
                            for drop in o["drops"].as_array().unwrap() {
                                f.drops
                                    .push((drop["at_s"].as_f64().unwrap(), drop["order"].as_str().unwrap().to_owned()));
                            }
                        }
                    }
                }
            }
        }
        // After the day's restart, every plan read back today reads back the same.
        for f in &fields {
            for (id, body) in f.seen.range(u64::from(d) * 48..) {
                let (status, again) = send(&mut s, &restart, "GET", &format!("/areas/{}/plans/{id}", f.id), None, None);
                assert_eq!(status, 200);
                assert_eq!(&again.to_string(), body, "{} plan {id} after the restart", f.id);
                plans_checked += 1;
            }
        }
    }
    assert_eq!(kills, days);

    // Every acknowledged order once; the day figures add up.
    for f in &fields {
        for id in &f.acknowledged {
            let (status, order) = send(&mut s, &restart, "GET", &format!("/areas/{}/orders/{id}", f.id), None, None);
            assert_eq!(status, 200, "{} order {id}: {order}", f.id);
        }
        let conn = rusqlite::Connection::open(ledgers.join(format!("{}.db", f.id))).unwrap();
        let stored: i64 = conn.query_row("SELECT COUNT(*) FROM orders", [], |r| r.get(0)).unwrap();
        assert_eq!(stored as usize, f.acknowledged.len(), "{}: every acknowledged order once in the ledger", f.id);
        // Finished orders of past days have left the dispatcher's state for the ledger.
        let retired: i64 = conn.query_row("SELECT COUNT(*) FROM retired", [], |r| r.get(0)).unwrap();
        let before_last_day: usize = f.placed_on.range(..i64::from(days) - 1).map(|(_, n)| n).sum();
        assert!(retired as f64 >= 0.8 * before_last_day as f64, "{}: {retired} retired of {before_last_day}", f.id);
        let (_, listed) = send(&mut s, &restart, "GET", &format!("/areas/{}/plans", f.id), None, None);
        assert_eq!(listed["plans"].as_array().unwrap().len() as u32, days * 48, "{}: one plan a cycle", f.id);
        let mut delivered = 0;
        for (d, placed) in &f.placed_on {
            let date = listed["plans"][(*d as usize) * 48]["day"].as_str().unwrap().to_owned();
            let (_, m) = send(&mut s, &restart, "GET", &format!("/areas/{}/metrics?day={date}", f.id), None, None);
            let day = &m["day"];
            assert_eq!(day["orders_placed"].as_u64(), Some(*placed as u64), "{} {date}", f.id);
            let counted: u64 = day["by_status"].as_object().unwrap().values().map(|v| v.as_u64().unwrap()).sum();
            assert_eq!(counted, *placed as u64, "{} {date}: {day}", f.id);
            assert_eq!(day["plans"], 48, "{} {date}", f.id);
            delivered += day["by_status"]["delivered"].as_u64().unwrap_or(0);
        }
        // Shifts that did not reset would leave the porters spent within days.
        assert!(
            delivered as f64 >= 0.9 * f.acknowledged.len() as f64,
            "{}: {delivered} of {} delivered",
            f.id,
            f.acknowledged.len()
        );
        assert_eq!(ledger_check(&ledgers.join(format!("{}.db", f.id))), Some(0), "{}: the ledger checks", f.id);
    }
    if let Some(mut server) = s.take() {
        server.kill();
    }
    println!("{days} days, {kills} kills, {plans_checked} plans read back the same after a restart");
    report_start_up(&dir, &ledgers, &tokens, days);
}

/// No porter over a shift's limits; at a shift's first cycle every budget is whole again.
fn check_porters(area: &str, plan: &Value, now: f64) {
    let hour = now.rem_euclid(DAY) / 3600.0;
    for p in plan["porters_at_start"].as_array().unwrap() {
        let (kj, m) = (p["spent_kj"].as_f64().unwrap(), p["climbed_m"].as_f64().unwrap());
        assert!(kj <= 5000.0 + 1e-6 && m <= 1200.0 + 1e-6, "{area} at {now}: porter {} at {kj} kJ, {m} m", p["porter"]);
        if hour == 6.0 || hour == 14.0 {
            assert!(
                kj == 0.0 && m == 0.0,
                "{area}: the shift at {hour} h starts with porter {} at {kj} kJ",
                p["porter"]
            );
        }
    }
}

/// The founding area's ledger after the run: how long a start takes to its first answer,
/// from the checkpoint and (a copy without it) from the whole journal, and its size.
fn report_start_up(dir: &Path, ledgers: &Path, tokens: &Path, days: u32) {
    let db = ledgers.join("niuxie.db");
    let full = ledgers.join("niuxie-full.db");
    // The killed service left its last commits in the write-ahead log: fold them in first.
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())).unwrap();
    let (journal, plans, checkpoint): (i64, i64, i64) = conn
        .query_row(
            "SELECT (SELECT SUM(LENGTH(body)) FROM journal), (SELECT SUM(LENGTH(body)) FROM plans), (SELECT SUM(LENGTH(state)) FROM checkpoint)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    drop(conn);
    let size = std::fs::metadata(&db).unwrap().len();
    std::fs::copy(&db, &full).unwrap();
    let conn = rusqlite::Connection::open(&full).unwrap();
    conn.execute_batch("DELETE FROM checkpoint; DELETE FROM plans; DELETE FROM retired; VACUUM;").unwrap();
    drop(conn);
    let journal_alone = std::fs::metadata(&full).unwrap().len();
    let area = format!("niuxie={}", dir.join("niuxie.geojson").display());
    let fleet = dir.join("niuxie.fleet.json");
    let time_start = |ledger: &Path| {
        let started = Instant::now();
        let s = Server::spawn(&[
            "--area",
            &area,
            "--fleet",
            fleet.to_str().unwrap(),
            "--db",
            ledger.to_str().unwrap(),
            "--tokens",
            tokens.to_str().unwrap(),
        ]);
        let (status, _) = get(&s, "/healthz", None);
        assert_eq!(status, 200);
        started.elapsed()
    };
    let from_checkpoint = time_start(&db);
    let from_journal = time_start(&full);
    println!(
        "founding area after {days} days × 48 cycles: start-up {:.2} s from the checkpoint, {:.1} s replaying the whole journal; ledger {:.2} MB, {:.1}× the {:.2} MB of the same ledger without plans, checkpoint and retired orders (journal bodies {:.2} MB, stored plans {:.2} MB, checkpoint {:.2} MB)",
        from_checkpoint.as_secs_f64(),
        from_journal.as_secs_f64(),
        size as f64 / 1e6,
        size as f64 / journal_alone as f64,
        journal_alone as f64 / 1e6,
        journal as f64 / 1e6,
        plans as f64 / 1e6,
        checkpoint as f64 / 1e6
    );
}
