//! The people in the field on the service: porters, drivers and building leaders, each with a
//! token for themselves, reach their own work and nothing else. Every refusal is 403 and
//! changes nothing.

mod common;

use common::*;
use serde_json::{Value, json};

const P1: &str = "porter-one-token-0123456789";
const P2: &str = "porter-two-token-0123456789";
const T1: &str = "driver-one-token-0123456789";
const T2: &str = "driver-two-token-0123456789";
const LEADER: &str = "leader-token-0123456789";

fn building_of(area: &lastmetre::Area, household: &str) -> String {
    let h = area.households.iter().find(|h| h.id == household).unwrap();
    area.buildings[area.stairwells[h.stairwell].building].id.clone()
}

/// The trips the latest plan gives tricycle `n` (from 1).
fn plan_trips(s: &Server, n: u64) -> Vec<Value> {
    let (_, plan) = get(s, "/plans/latest", Some(DISPATCHER));
    plan["trips"].as_array().unwrap().iter().filter(|t| t["tricycle"] == n).map(|t| t["id"].clone()).collect()
}

/// Seconds since midnight of an RFC 3339 time, in its own offset.
fn seconds_of_day(rfc3339: &str) -> f64 {
    let hms: Vec<f64> = rfc3339[11..19].split(':').map(|x| x.parse().unwrap()).collect();
    hms[0] * 3600.0 + hms[1] * 60.0 + hms[2]
}

fn report(s: &Server, token: &str, body: Value, key: &str) -> (u16, Value) {
    call("POST", &format!("{}/me/report", s.url), Some(token), Some(&body.to_string()), Some(key))
}

#[test]
fn porters_drivers_and_leaders_reach_only_their_own_work() {
    let dir = scratch("roles");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let area_file = repo("data/niuxie/area.geojson");
    let area = lastmetre::load_area(std::path::Path::new(&area_file), &Default::default()).unwrap().area;
    let orders = noon_orders();
    let own_building = building_of(&area, orders[0]["household"].as_str().unwrap());
    let tokens = dir.join("tokens.txt");
    std::fs::write(
        &tokens,
        format!(
            "dispatcher {DISPATCHER}\nviewer {VIEWER}\nporter {P1} niuxie porter-1\nporter {P2} niuxie porter-2\n\
             driver {T1} niuxie tricycle-1\ndriver {T2} niuxie tricycle-2\nleader {LEADER} niuxie {own_building}\n"
        ),
    )
    .unwrap();
    let db = dir.join("roles.db");
    let s = Server::spawn(&[
        "--area",
        &format!("niuxie={area_file}"),
        "--db",
        db.to_str().unwrap(),
        "--tokens",
        tokens.to_str().unwrap(),
    ]);
    assert_eq!(post(&s, "/orders", Some(DISPATCHER), &json!(orders[1..80])).0, 201);
    assert_eq!(post(&s, "/plan", Some(DISPATCHER), &json!({"at": "12:00"})).0, 201);

    // A driver sees their trips' load lists and reports their own departures.
    let (_, trips_1) = get(&s, "/me", Some(T1));
    let (_, trips_2) = get(&s, "/me", Some(T2));
    let mine = trips_1["trips"].as_array().unwrap();
    assert!(!mine.is_empty() && mine[0]["stops"][0]["bags"].as_u64().is_some_and(|n| n > 0), "{trips_1}");
    let planned_trips = plan_trips(&s, 1);
    assert_eq!(mine.iter().map(|t| t["trip"].clone()).collect::<Vec<_>>(), planned_trips, "tricycle-1's trips");
    let trip = mine.iter().find(|t| t["kind"] == "planned").map(|t| t["trip"].clone()).expect("a planned trip");
    let (status, body) = report(&s, T1, json!({"trip": trip, "outcome": "departed", "at": "12:01"}), "t1-1");
    assert_eq!(status, 200, "{body}");
    let theirs = trips_2["trips"].as_array().unwrap().first().expect("tricycle-2 has a trip").clone();
    let (status, _) = report(&s, T1, json!({"trip": theirs["trip"], "outcome": "departed", "at": "12:02"}), "t1-2");
    assert_eq!(status, 403, "another tricycle's trip");

    // A porter sees their own outings: station, bags, stairwells, floors and doors.
    let (status, me) = get(&s, "/me", Some(P1));
    assert_eq!((status, me["role"].as_str(), me["porter"].as_u64()), (200, Some("porter"), Some(1)), "{me}");
    let outings = me["outings"].as_array().unwrap();
    assert!(!outings.is_empty(), "porter-1 has work: {me}");
    let drops: Vec<&Value> = outings.iter().flat_map(|o| o["drops"].as_array().unwrap()).collect();
    assert!(
        drops.iter().all(|d| d["floor"].as_u64().is_some()
            && d["door"].is_string()
            && !d["bags"].as_array().unwrap().is_empty()),
        "{me}"
    );
    // The same drops as the plan gives porter 1 (numbered from 1, as on the sheets).
    let (_, plan) = get(&s, "/plans/latest", Some(DISPATCHER));
    let planned: Vec<&str> = plan["outings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["porter"] == 1)
        .flat_map(|o| o["drops"].as_array().unwrap().iter().map(|d| d["order"].as_str().unwrap()))
        .collect();
    assert_eq!(drops.iter().map(|d| d["order"].as_str().unwrap()).collect::<Vec<_>>(), planned);
    let (_, other) = get(&s, "/me", Some(P2));
    let others: Vec<String> = other["outings"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|o| o["drops"].as_array().unwrap().iter().map(|d| d["order"].as_str().unwrap().to_owned()))
        .collect();
    assert!(!others.is_empty(), "porter-2 has work");
    assert!(
        drops.iter().all(|d| !others.contains(&d["order"].as_str().unwrap().to_owned())),
        "a porter sees only their own drops"
    );

    // Delivered at its planned time on an outing of two doors or more, and a repeat with its
    // key answers the same; nobody home sends it back.
    // Its drop is planned within the 12:00 cycle (and a little): a report later than that is
    // ahead of the service's clock in the morning.
    let within_cycle = |o: &&Value| o["drops"][0]["at_s"].as_f64().is_some_and(|t| t <= 12.5 * 3600.0 + 60.0);
    let outing = plan["outings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["porter"] == 1 && o["drops"].as_array().unwrap().len() >= 2)
        .find(within_cycle)
        .expect("porter-1 has an outing of two doors or more that starts in the 12:00 cycle");
    let first = outing["drops"][0]["order"].as_str().unwrap();
    let delivered_at = outing["drops"][0]["at_s"].as_f64().unwrap();
    let delivered = report(&s, P1, json!({"order": first, "outcome": "delivered", "at": delivered_at}), "p1-1");
    assert_eq!(delivered.0, 200, "{}", delivered.1);
    assert_eq!(report(&s, P1, json!({"order": first, "outcome": "delivered", "at": delivered_at}), "p1-1"), delivered);
    // The same key and body from another porter is no repeat of porter-1's report.
    assert_eq!(report(&s, P2, json!({"order": first, "outcome": "delivered", "at": delivered_at}), "p1-1").0, 409);
    // A phone's clock far ahead is refused: it would start the next shift. "Ahead" is two
    // hours past both the service's clock and the 12:30 cycle, in the ledger's seconds (its
    // first midnight is today's), so the test holds at any hour it runs.
    let (_, me_now) = get(&s, "/me", Some(P1));
    let now = me_now["now"].as_str().unwrap();
    // Past midnight since the ledger's first day (the plan's), a day more.
    let next_day = if now[..10] == *plan["day"].as_str().unwrap() { 0.0 } else { 86_400.0 };
    let now_s = next_day + seconds_of_day(now);
    let ahead_s = now_s.max(12.5 * 3600.0) + 2.0 * 3600.0;
    let ahead = report(&s, P1, json!({"order": first, "outcome": "delivered", "at": ahead_s}), "p1-ahead");
    assert_eq!((ahead.0, ahead.1["error"]["fields"][0]["path"].as_str()), (422, Some("/at")), "{}", ahead.1);
    let (_, order) = get(&s, &format!("/orders/{first}"), Some(DISPATCHER));
    assert_eq!(order["status"]["status"], "delivered");
    // The next plan, made a second after that delivery, freezes the outings under way; a door
    // not answered on one of them sends its bags back to the station.
    let replan_at = delivered_at + 1.0;
    assert_eq!(post(&s, "/plan", Some(DISPATCHER), &json!({"at": replan_at})).0, 201);
    let (_, me) = get(&s, "/me", Some(P1));
    let under_way: Vec<String> = me["outings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["kind"] == "under_way")
        .flat_map(|o| {
            o["drops"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|d| d["status"] != "delivered")
                .map(|d| d["order"].as_str().unwrap().to_owned())
        })
        .collect();
    let second = under_way.first().expect("porter-1's outing is under way at the next plan");
    let (status, body) =
        report(&s, P1, json!({"order": second, "outcome": "nobody_home", "at": replan_at + 30.0}), "p1-2");
    assert_eq!(status, 200, "{body}");
    let (_, order) = get(&s, &format!("/orders/{second}"), Some(DISPATCHER));
    assert_eq!(order["status"]["status"], "at_station", "a failed drop is back at its station: {order}");
    // Another porter's drop: 403, and nothing changes.
    let theirs = &others[0];
    let (status, body) =
        report(&s, P1, json!({"order": theirs, "outcome": "delivered", "at": replan_at + 40.0}), "p1-3");
    assert_eq!((status, body["error"]["code"].as_str()), (403, Some("not_yours")), "{body}");
    let (_, order) = get(&s, &format!("/orders/{theirs}"), Some(DISPATCHER));
    assert_ne!(order["status"]["status"], "delivered");
    // A porter reaches nothing else; a viewer cannot report.
    for path in [
        "/plans/latest",
        "/plans",
        "/plans/0",
        "/area",
        "/metrics",
        &format!("/orders/{first}"),
        "/orders",
        "/areas",
        "/openapi.json",
        "/areas/niuxie/plans/latest",
    ] {
        assert_eq!(get(&s, path, Some(P1)).0, 403, "GET {path} with a porter's token");
    }
    assert_eq!(post(&s, "/events", Some(P1), &json!({"kind": "delivered", "order": theirs})).0, 403);
    assert_eq!(post(&s, "/plan", Some(P1), &json!({})).0, 403);
    assert_eq!(report(&s, VIEWER, json!({"order": first, "outcome": "delivered"}), "v-1").0, 403);

    // A building leader orders for their buildings; another building's order
    // refuses the whole batch with 403, naming it.
    let other = orders.iter().find(|o| building_of(&area, o["household"].as_str().unwrap()) != own_building).unwrap();
    let mine = json!({"id": "L-1", "household": orders[0]["household"], "placed_at": "12:45", "bags": [{"kg": 3}]});
    let mut foreign = other.clone();
    foreign["id"] = json!("L-2");
    let (status, body) = post(&s, "/orders", Some(LEADER), &json!([mine.clone(), foreign]));
    assert_eq!((status, body["error"]["code"].as_str()), (403, Some("outside_buildings")), "{body}");
    assert_eq!(
        (body["error"]["fields"][0]["path"].as_str(), body["error"]["fields"][0]["code"].as_str()),
        (Some("/1"), Some("E315"))
    );
    assert_eq!(get(&s, "/orders/L-1", Some(DISPATCHER)).0, 404, "nothing of the batch is taken");
    assert_eq!(post(&s, "/orders", Some(LEADER), &json!([mine])).0, 201);
    let (_, seen) = get(&s, "/me", Some(LEADER));
    let listed: Vec<&str> = seen["orders"].as_array().unwrap().iter().map(|o| o["id"].as_str().unwrap()).collect();
    assert!(listed.contains(&"L-1"), "{seen}");
    assert!(
        seen["orders"]
            .as_array()
            .unwrap()
            .iter()
            .all(|o| building_of(&area, o["household"].as_str().unwrap()) == own_building)
    );
    // An address not found suggests the closest of the leader's own buildings only, even
    // when it is closest to another building's.
    let book = lastmetre::area::AddressBook::new(&area);
    let theirs = book.address_of(other["household"].as_str().unwrap()).unwrap();
    let typo = json!({"id": "L-3", "address": format!("{theirs}9"), "bags": [{"kg": 3}]});
    let (status, body) = post(&s, "/orders", Some(LEADER), &json!([typo]));
    assert_eq!((status, body["error"]["fields"][0]["code"].as_str()), (422, Some("E313")), "{body}");
    let message = body["error"]["fields"][0]["message"].as_str().unwrap();
    let suggested: Vec<&str> = message.rsplit("the closest: ").next().unwrap().split(" / ").collect();
    let own_addresses: Vec<String> = area
        .households
        .iter()
        .filter(|h| building_of(&area, &h.id) == own_building)
        .filter_map(|h| book.address_of(&h.id))
        .collect();
    assert!(!suggested.is_empty() && !suggested.contains(&theirs.as_str()), "{message}");
    assert!(suggested.iter().all(|a| own_addresses.iter().any(|o| o == a)), "only their buildings: {message}");
    assert_eq!(post(&s, "/plan", Some(LEADER), &json!({})).0, 403);
    assert_eq!(get(&s, "/plans/latest", Some(LEADER)).0, 403);
    drop(s);

    // A token that names a building or a porter the area does not have stops the start.
    for line in [format!("leader {LEADER} niuxie NO-SUCH-BUILDING"), format!("porter {P1} niuxie porter-99")] {
        std::fs::write(&tokens, format!("dispatcher {DISPATCHER}\n{line}\n")).unwrap();
        let run = std::process::Command::new(env!("CARGO_BIN_EXE_lastmetre"))
            .args([
                "serve",
                "--area",
                &format!("niuxie={area_file}"),
                "--db",
                db.to_str().unwrap(),
                "--tokens",
                tokens.to_str().unwrap(),
                "--listen",
                "127.0.0.1:0",
            ])
            .output()
            .unwrap();
        assert_eq!(run.status.code(), Some(2), "{line}: {}", String::from_utf8_lossy(&run.stderr));
    }
}

/// The porter's phone page in headless Chromium at 360 × 740: their first outing in Chinese
/// with its doors and the three buttons, and none of the English texts.
#[test]
fn the_porter_page_shows_the_first_outing_in_chinese_on_a_phone() {
    let Some(browser) = chromium() else {
        assert!(std::env::var("LASTMETRE_REQUIRE_BROWSER").is_err(), "chromium is required but not installed");
        eprintln!("SKIPPED: no chromium (apt-get install chromium); .ci/run installs it");
        return;
    };
    let dir = scratch("porter-page");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let tokens = dir.join("tokens.txt");
    std::fs::write(&tokens, format!("dispatcher {DISPATCHER}\nporter {P1} niuxie porter-1\n")).unwrap();
    let db = dir.join("page.db");
    let area_file = repo("data/niuxie/area.geojson");
    let s = Server::spawn(&[
        "--area",
        &format!("niuxie={area_file}"),
        "--db",
        db.to_str().unwrap(),
        "--tokens",
        tokens.to_str().unwrap(),
    ]);
    assert_eq!(post(&s, "/orders", Some(DISPATCHER), &json!(noon_orders()[..60])).0, 201);
    assert_eq!(post(&s, "/plan", Some(DISPATCHER), &json!({"at": "12:00"})).0, 201);
    let (_, me) = get(&s, "/me", Some(P1));
    let first = &me["outings"][0];
    assert!(first.is_object(), "porter-1 has an outing: {me}");
    let (status, html) = call("GET", &format!("{}/porter?token={P1}", s.url), None, None, None);
    let html = html.as_str().unwrap_or_default().to_owned();
    assert_eq!(status, 200);
    assert!(html.len() <= 150 * 1024, "the page with all its assets is {} bytes", html.len());
    let profile = dir.join("chromium-profile");
    let out = headless(&browser, &profile, 10_000)
        .args(["--window-size=360,740", "--lang=zh-CN", "--accept-lang=zh-CN", "--dump-dom"])
        .arg(format!("{}/porter?token={P1}", s.url))
        .output()
        .expect("chromium runs");
    let dom = String::from_utf8_lossy(&out.stdout);
    assert!(dom.contains("data-ready=\"porter\""), "the page did not finish: {}", &dom[..dom.len().min(1500)]);
    assert!(
        dom.contains("搬运员 1") && dom.contains("已送达") && dom.contains("无人在家") && dom.contains("无法到达"),
        "{dom}"
    );
    for drop in first["drops"].as_array().unwrap() {
        let floor = format!("{}楼", drop["floor"]);
        assert!(dom.contains(&floor), "floor {floor} on the page");
        if let Some(door) = drop["door"].as_str() {
            let said = if door.chars().all(|c| c.is_ascii_digit()) { format!("{door}室") } else { door.to_owned() };
            assert!(dom.contains(&said), "door {said} on the page");
        }
    }
    for english in ["Delivered", "Nobody home", "Cannot reach", "Porter 1", "Bags to take"] {
        assert!(!dom.contains(english), "English '{english}' on the Chinese page");
    }
    assert!(!dom.contains(P1), "the token is not left in the page");
    // A screenshot for people to look at (a test artefact).
    let shot = dir.join("porter-360x740.png");
    let _ = headless(&browser, &profile, 10_000)
        .args(["--window-size=360,740", "--lang=zh-CN", "--accept-lang=zh-CN"])
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!("{}/porter?token={P1}", s.url))
        .output()
        .expect("chromium runs");
    let png = std::fs::read(&shot).expect("a screenshot");
    assert!(png.starts_with(b"\x89PNG") && png.len() > 5_000, "screenshot of {} bytes", png.len());
    eprintln!("screenshot: {}", shot.display());
}
