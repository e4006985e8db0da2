//! The people in the field on their pages, in real headless Chromium driven through
//! ChromeDriver (WebDriver): a porter's outing at 360 × 740 and the console that sees it, taps
//! made while the server is down, a building leader's XLSX list, and Chinese throughout.

mod common;

use common::*;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const PORTER: &str = "porter-one-token-0123456789";
const LEADER: &str = "leader-token-0123456789";
const DRIVERS: [&str; 2] = ["driver-one-token-0123456789", "driver-two-token-0123456789"];

/// ChromeDriver on a port of its own, killed when dropped.
struct Driver {
    child: Child,
    url: String,
}

impl Drop for Driver {
    /// ChromeDriver, and first the browsers it started (its children): a test that fails
    /// midway leaves none running.
    fn drop(&mut self) {
        let _ = Command::new("pkill").args(["-KILL", "-P", &self.child.id().to_string()]).status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Debian's chromium and chromedriver, or `None` (the test is skipped, unless CI requires it).
fn browser() -> Option<(PathBuf, PathBuf)> {
    let driver = PathBuf::from("/usr/bin/chromedriver");
    match (chromium(), driver.exists()) {
        (Some(chromium), true) => Some((chromium, driver)),
        _ => {
            assert!(std::env::var("LASTMETRE_REQUIRE_BROWSER").is_err(), "chromium and chromedriver are required");
            eprintln!("SKIPPED: no chromium or chromedriver (apt-get install chromium chromium-driver)");
            None
        }
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn start_driver(path: &Path) -> Driver {
    let port = free_port();
    let child = Command::new(path)
        .arg(format!("--port={port}"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let url = format!("http://127.0.0.1:{port}");
    let started = Instant::now();
    while try_call("GET", &format!("{url}/status"), None, None, None).is_none() {
        assert!(started.elapsed() < Duration::from_secs(20), "chromedriver did not answer");
        std::thread::sleep(Duration::from_millis(100));
    }
    Driver { child, url }
}

/// A browser session at `width` × `height` that asks for Chinese, with a profile of its own.
async fn session(driver: &Driver, chromium: &Path, profile: &str, width: u32, height: u32) -> Client {
    // A phone's screen is emulated (headless windows are at least 500 px wide).
    let phone = width < 500;
    let profile = scratch(profile);
    let _ = std::fs::remove_dir_all(&profile);
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".to_owned(),
        json!({
            "binary": chromium,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                format!("--window-size={width},{height}"), "--lang=zh-CN",
                format!("--user-data-dir={}", profile.display()),
            ],
            "prefs": { "intl.accept_languages": "zh-CN" },
        }),
    );
    if phone {
        caps["goog:chromeOptions"]["mobileEmulation"] =
            json!({ "deviceMetrics": { "width": width, "height": height, "pixelRatio": 2.0, "touch": true } });
    }
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    ClientBuilder::new(connector).capabilities(caps).connect(&driver.url).await.expect("a browser session")
}

async fn wait_for(c: &Client, css: &str) -> fantoccini::elements::Element {
    c.wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css} did not show: {e}"))
}

/// Taps what `css` finds, again when the page was drawn anew between finding and tapping.
async fn tap(c: &Client, css: &str) -> (f64, f64) {
    for _ in 0..20 {
        let button = wait_for(c, css).await;
        let Ok((_, _, width, height)) = button.rectangle().await else { continue };
        match button.click().await {
            Ok(()) => return (width, height),
            Err(e) if e.to_string().contains("stale") => continue,
            Err(e) => panic!("{css}: {e}"),
        }
    }
    panic!("{css} kept going stale");
}

/// Waits until the phone's queue of reports is empty: every report has its answer.
async fn queue_empties(c: &Client) {
    let started = Instant::now();
    loop {
        let waiting = c
            .execute("return JSON.parse(localStorage.getItem('lastmetre-queue') || '[]').length", vec![])
            .await
            .unwrap();
        if waiting == 0 {
            return;
        }
        assert!(started.elapsed() < Duration::from_secs(30), "{waiting} reports never left the phone");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// What a person sees of the page.
async fn visible_text(c: &Client) -> String {
    c.execute("return document.body.innerText", vec![]).await.unwrap().as_str().unwrap_or_default().to_owned()
}

fn artefact(name: &str) -> PathBuf {
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join("field").join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    path
}

/// The English texts a Chinese page must not show: the words between the values of every
/// English message under the page's prefixes (at least four letters), where the Chinese
/// message differs.
fn english_texts(prefixes: &[&str]) -> Vec<String> {
    use lastmetre::text::{Lang, template, templates};
    let mut words: Vec<String> = templates(Lang::En, prefixes)
        .into_iter()
        .filter(|(id, en)| *en != template(Lang::Zh, id))
        .flat_map(|(_, en)| en.split(['{', '}']).step_by(2).map(|w| w.trim().to_owned()).collect::<Vec<_>>())
        .filter(|w| w.chars().filter(char::is_ascii_alphabetic).count() >= 4)
        .collect();
    words.sort();
    words.dedup();
    words
}

fn no_english(page: &str, text: &str, prefixes: &[&str]) {
    let english = english_texts(prefixes);
    assert!(!english.is_empty(), "English texts to look for under {prefixes:?}");
    // As words: "gate" inside an id such as L0-gate-road is data, not a text of ours.
    let part_of_id = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    for e in english {
        let shown = text.match_indices(&e).any(|(at, _)| {
            !part_of_id(text[..at].chars().next_back()) && !part_of_id(text[at + e.len()..].chars().next())
        });
        assert!(!shown, "the Chinese {page} shows the English {e:?}:\n{text}");
    }
}

fn tokens_file(dir: &Path, leader_buildings: &str) -> PathBuf {
    let tokens = dir.join("tokens.txt");
    std::fs::write(
        &tokens,
        format!(
            "dispatcher {DISPATCHER}\nviewer {VIEWER}\nporter {PORTER} niuxie porter-1\nleader {LEADER} niuxie {leader_buildings}\n\
             driver {} niuxie tricycle-1\ndriver {} niuxie tricycle-2\n",
            DRIVERS[0], DRIVERS[1]
        ),
    )
    .unwrap();
    tokens
}

fn serve_args(dir: &Path, tokens: &Path) -> Vec<String> {
    vec![
        "--area".into(),
        format!("niuxie={}", repo("data/niuxie/area.geojson")),
        "--db".into(),
        dir.join("field.db").display().to_string(),
        "--tokens".into(),
        tokens.display().to_string(),
    ]
}

fn fresh_dir(name: &str) -> PathBuf {
    let dir = scratch(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The noon orders without their times: placed when the service takes them, so that a plan
/// made now has them whatever the time of day the test runs.
fn orders_now(n: usize) -> Vec<Value> {
    noon_orders()
        .into_iter()
        .take(n)
        .map(|mut o| {
            o.as_object_mut().unwrap().remove("placed_at");
            o
        })
        .collect()
}

/// Porter 1's drops in their first outing of the latest plan that still has some.
fn first_outing_drops(s: &Server) -> Vec<String> {
    let (status, me) = get(s, "/me", Some(PORTER));
    assert_eq!(status, 200, "{me}");
    let outing = &me["outings"][0];
    outing["drops"].as_array().unwrap().iter().map(|d| d["order"].as_str().unwrap().to_owned()).collect()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap()
}

#[test]
fn a_porter_walks_an_outing_on_a_phone_and_the_console_shows_it() {
    let Some((chromium, chromedriver)) = browser() else { return };
    let dir = fresh_dir("field-outing");
    let tokens = tokens_file(&dir, "B1");
    let args = serve_args(&dir, &tokens);
    let s = Server::spawn(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(post(&s, "/orders", Some(DISPATCHER), &json!(orders_now(60))).0, 201);
    let (status, plan) = post(&s, "/plan", Some(DISPATCHER), &json!({}));
    assert_eq!(status, 201, "{plan}");
    let (_, plan) = get(&s, "/plans/latest", Some(DISPATCHER));
    assert_eq!(plan["feasible"], true, "the checker passes the plan: {}", plan["violations"]);
    let drops = first_outing_drops(&s);
    assert!(drops.len() >= 2, "an outing of two drops or more: {drops:?}");
    let driver = start_driver(&chromedriver);
    runtime().block_on(async {
        // The drivers take the goods to the stations first, each from their own phone: the
        // trip's departure, then its unloading at each stop.
        for (k, token) in DRIVERS.iter().enumerate() {
            let trips = plan["trips"].as_array().unwrap().iter().filter(|t| t["tricycle"] == k as u64 + 1).count();
            if trips == 0 {
                continue;
            }
            let c = session(&driver, &chromium, &format!("field-driver-{k}"), 360, 740).await;
            c.goto(&format!("{}/driver?token={token}", s.url)).await.unwrap();
            wait_for(&c, "body[data-ready=driver]").await;
            let text = visible_text(&c).await;
            assert!(text.contains(&format!("三轮车 {}", k + 1)) && text.contains("已出发"), "{text}");
            no_english("driver page", &text, &["page-", "driver-page-"]);
            if k == 0 {
                std::fs::write(artefact("driver-zh-360x740.png"), c.screenshot().await.unwrap()).unwrap();
            }
            // Trip by trip, as they come: the first trip still to do is on top.
            loop {
                let first = "#trips .card:first-child";
                let departed =
                    c.find_all(Locator::Css(&format!("{first} button[data-outcome=departed]"))).await.unwrap();
                let unloaded =
                    c.find_all(Locator::Css(&format!("{first} button[data-outcome=unloaded]"))).await.unwrap();
                match (departed.is_empty(), unloaded.is_empty()) {
                    (true, true) => break,
                    (false, _) => tap(&c, &format!("{first} button[data-outcome=departed]")).await,
                    (true, false) => tap(&c, &format!("{first} button[data-outcome=unloaded]")).await,
                };
                tokio::time::sleep(Duration::from_millis(300)).await;
            }
            queue_empties(&c).await;
            assert!(c.find_all(Locator::Css("#refused li")).await.unwrap().is_empty(), "no report was refused");
            c.close().await.unwrap();
        }
        // The service has every bag at its station.
        let carried: Vec<String> = plan["trips"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|t| t["stops"].as_array().unwrap().iter())
            .flat_map(|stop| stop["bags"].as_array().unwrap().iter())
            .map(|b| b[0].as_str().unwrap().to_owned())
            .collect();
        assert!(!carried.is_empty());
        for order in &carried {
            let (_, o) = get(&s, &format!("/orders/{order}"), Some(DISPATCHER));
            assert_eq!(o["status"]["status"], "at_station", "{o}");
        }
        let c = session(&driver, &chromium, "field-outing-phone", 360, 740).await;
        c.goto(&format!("{}/porter?token={PORTER}", s.url)).await.unwrap();
        wait_for(&c, "body[data-ready=porter]").await;
        let width = c.execute("return window.innerWidth", vec![]).await.unwrap();
        assert_eq!(width, 360, "a phone's width");
        let text = visible_text(&c).await;
        assert!(text.contains("搬运员 1") && text.contains("已送达") && text.contains("无人在家"), "{text}");
        no_english("porter page", &text, &["page-", "porter-page-"]);
        std::fs::write(artefact("porter-zh-360x740.png"), c.screenshot().await.unwrap()).unwrap();
        // The dispatcher has heard of the first delivery already (a call to the gate): the
        // porter's tap on it is refused, and the phone says so, in Chinese.
        let event = json!({"kind": "delivered", "order": drops[0]});
        assert_eq!(post(&s, "/events", Some(DISPATCHER), &event).0, 200);
        // Each drop in climbing order: "delivered", but nobody is home at the last door.
        for (k, order) in drops.iter().enumerate() {
            let outcome = if k + 1 == drops.len() { "nobody_home" } else { "delivered" };
            let css = format!("button[data-order=\"{order}\"][data-outcome={outcome}]");
            let (width, height) = tap(&c, &css).await;
            assert!(height >= 48.0 && width >= 200.0, "a touch target of {width} × {height} px");
            if k == 0 {
                let refused = wait_for(&c, "#refused:not([hidden])").await.text().await.unwrap();
                assert!(refused.contains("报告没有被接受") && refused.contains(order.as_str()), "{refused}");
            }
        }
        // Sent at once: the queue empties.
        queue_empties(&c).await;
        c.close().await.unwrap();

        // The dispatcher's console, in Chinese, shows those orders delivered, and the failed
        // one back at its station.
        let c = session(&driver, &chromium, "field-outing-console", 1280, 900).await;
        c.goto(&format!("{}/?token={DISPATCHER}", s.url)).await.unwrap();
        wait_for(&c, "body.dispatcher[data-ready=plan]").await;
        for (k, order) in drops.iter().enumerate() {
            wait_for(&c, &format!("#orders tr[data-order=\"{order}\"]")).await;
            // Read at once: the table is drawn anew every 5 s.
            let row = c
                .execute(
                    "const r = document.querySelector(`#orders tr[data-order=\"${arguments[0]}\"]`); return [r.dataset.status, r.innerText]",
                    vec![json!(order)],
                )
                .await
                .unwrap();
            let (status, shown) = (row[0].as_str().unwrap().to_owned(), row[1].as_str().unwrap().to_owned());
            if k + 1 == drops.len() {
                assert_eq!(status, "at_station", "{order} is back at its station: {shown}");
                assert!(shown.contains("在中转站"), "{shown}");
            } else {
                assert_eq!(status, "delivered", "{order}: {shown}");
                assert!(shown.contains("已送达"), "{shown}");
            }
        }
        let text = visible_text(&c).await;
        assert!(text.contains("调度台") && text.contains("立即重新计划") && text.contains("上楼次数"), "{text}");
        no_english("console", &text, &["console-", "page-", "status-", "priority-", "failure-"]);
        std::fs::write(artefact("console-zh-1280x900.png"), c.screenshot().await.unwrap()).unwrap();

        // The sheets for print: one person per page, in Chinese, as the printer gets them.
        c.find(Locator::Id("print-all")).await.unwrap().click().await.unwrap();
        wait_for(&c, "body[data-printed]").await;
        let sheets: Value = c
            .execute("return [...document.querySelectorAll('#print .sheet')].map((s) => s.innerText)", vec![])
            .await
            .unwrap();
        let sheets = sheets.as_array().unwrap();
        assert_eq!(sheets.len(), plan["sheets"].as_array().unwrap().len(), "one page per person");
        let all: String = sheets.iter().filter_map(Value::as_str).collect::<Vec<_>>().join("\n");
        assert!(all.contains("搬运员 1") && all.contains("楼 送"), "{all}");
        no_english("sheets", &all, &["sheet-"]);
        // Nor any English made in code: the tricycles' sheets hold ids, times and Chinese
        // only (the porters' carry the bags' labels, which are data).
        for sheet in sheets.iter().filter_map(Value::as_str).filter(|t| t.starts_with("三轮车")) {
            let word = sheet.split(|c: char| !c.is_ascii_alphabetic()).find(|w| w.len() >= 4);
            assert!(word.is_none(), "an English word {word:?} on a Chinese sheet:\n{sheet}");
        }
        let a4 = fantoccini::wd::PrintConfiguration::builder().build().unwrap();
        let pdf = c.print(a4).await.unwrap();
        assert!(pdf.starts_with(b"%PDF"), "a PDF");
        std::fs::write(artefact("sheets-zh.pdf"), &pdf).unwrap();
        // A picture of the first printed page, where poppler's pdftoppm is (CI installs it).
        let pdftoppm = Path::new("/usr/bin/pdftoppm");
        if pdftoppm.exists() {
            let made = Command::new(pdftoppm)
                .args(["-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile"])
                .arg(artefact("sheets-zh.pdf"))
                .arg(artefact("sheet-zh-a4"))
                .status()
                .unwrap();
            assert!(made.success() && artefact("sheet-zh-a4.png").exists(), "the printed page as a picture");
        } else {
            assert!(std::env::var("LASTMETRE_REQUIRE_BROWSER").is_err(), "pdftoppm (poppler-utils) is required");
            eprintln!("no picture of the printed sheet: no pdftoppm (apt-get install poppler-utils)");
        }
        c.close().await.unwrap();
    });
    eprintln!("artefacts: {}", artefact("").display());
}

#[test]
fn taps_made_while_the_server_is_down_arrive_once_when_it_is_back() {
    let Some((chromium, chromedriver)) = browser() else { return };
    let dir = fresh_dir("field-offline");
    let tokens = tokens_file(&dir, "B1");
    let args = serve_args(&dir, &tokens);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let listen = format!("127.0.0.1:{}", free_port());
    let mut s = Server::spawn_at(&args, &listen);
    assert_eq!(post(&s, "/orders", Some(DISPATCHER), &json!(orders_now(60))).0, 201);
    assert_eq!(post(&s, "/plan", Some(DISPATCHER), &json!({})).0, 201);
    let drops = first_outing_drops(&s);
    let driver = start_driver(&chromedriver);
    let mut back = String::new();
    runtime().block_on(async {
        let c = session(&driver, &chromium, "field-offline-phone", 360, 740).await;
        c.goto(&format!("{}/porter?token={PORTER}", s.url)).await.unwrap();
        wait_for(&c, "body[data-ready=porter]").await;
        // The network drops mid-outing: the server is gone.
        s.kill();
        for order in &drops {
            tap(&c, &format!("button[data-order=\"{order}\"][data-outcome=delivered]")).await;
        }
        let offline = wait_for(&c, "#offline:not([hidden])").await;
        assert!(offline.text().await.unwrap().contains("网络断开"));
        let queued = wait_for(&c, "#queue:not([hidden])").await.text().await.unwrap();
        assert!(queued.contains(&drops.len().to_string()), "{queued}");
        std::fs::write(artefact("porter-offline-zh.png"), c.screenshot().await.unwrap()).unwrap();
        // The porter puts the phone away: the page is gone, its queue stays in the storage.
        c.goto("about:blank").await.unwrap();
        tokio::time::sleep(Duration::from_secs(2)).await;
        // Back, with the same ledger: the page opened again sends what it kept.
        s = Server::spawn_at(&args, &listen);
        let (_, metrics) = get(&s, "/metrics", Some(DISPATCHER));
        back = metrics["clock"].as_str().unwrap().to_owned();
        c.goto(&format!("{}/porter", s.url)).await.unwrap();
        queue_empties(&c).await;
        c.close().await.unwrap();
    });
    for order in &drops {
        let (_, o) = get(&s, &format!("/orders/{order}"), Some(DISPATCHER));
        assert_eq!(o["status"]["status"], "delivered", "{o}");
        // Delivered when tapped, not when the phone could send it (the service's clock
        // writes both the same way).
        let at = o["status"]["at"].as_str().unwrap();
        assert!(at < back.as_str(), "{order} delivered at {at}, the server back at {back}");
    }
    drop(s);
    // Each tap is in the journal once.
    let conn = rusqlite::Connection::open(dir.join("field.db")).unwrap();
    let mut stmt = conn.prepare("SELECT body FROM journal WHERE kind = 'event'").unwrap();
    let events: Vec<String> = stmt.query_map([], |r| r.get::<_, String>(0)).unwrap().map(Result::unwrap).collect();
    for order in &drops {
        let n = events.iter().filter(|e| e.contains(&format!("\"{order}\""))).count();
        assert_eq!(n, 1, "{order} reported {n} times: {events:?}");
    }
}

/// An XLSX workbook with Chinese headers: 订单号, 地址, 下单时间, 重量, 物品.
fn workbook(rows: &[(String, String)]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in ["订单号", "地址", "下单时间", "重量", "物品"].iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    for (r, (id, address)) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        sheet.write_string(r, 0, id).unwrap();
        sheet.write_string(r, 1, address).unwrap();
        sheet.write_string(r, 2, "00:05").unwrap();
        sheet.write_number(r, 3, 4.5).unwrap();
        sheet.write_string(r, 4, "米面").unwrap();
    }
    book.save_to_buffer().unwrap()
}

#[test]
fn a_building_leader_s_list_is_refused_whole_for_one_row_of_another_building_then_taken() {
    let Some((chromium, chromedriver)) = browser() else { return };
    let area_file = repo("data/niuxie/area.geojson");
    let area = lastmetre::load_area(Path::new(&area_file), &Default::default()).unwrap().area;
    let book = lastmetre::area::AddressBook::new(&area);
    let building = |h: &lastmetre::area::Household| area.buildings[area.stairwells[h.stairwell].building].id.clone();
    let own = building(&area.households[0]);
    let mine: Vec<String> =
        area.households.iter().filter(|h| building(h) == own).filter_map(|h| book.address_of(&h.id)).take(6).collect();
    let other = area.households.iter().find(|h| building(h) != own).and_then(|h| book.address_of(&h.id)).unwrap();
    assert!(mine.len() >= 3 && mine[0].contains('号'), "Chinese addresses: {mine:?}");
    let mut rows: Vec<(String, String)> =
        mine.iter().enumerate().map(|(k, a)| (format!("L-{}", k + 1), a.clone())).collect();
    rows.insert(2, ("L-other".to_owned(), other));
    // And a slip of the pen: a door that does not exist.
    let typo = format!("{}9", mine[0]);
    rows.push(("L-typo".to_owned(), typo));
    let dir = fresh_dir("field-leader");
    let wrong = dir.join("订单-有错.xlsx");
    std::fs::write(&wrong, workbook(&rows)).unwrap();
    rows.remove(2);
    rows.pop();
    let fixed = dir.join("订单.xlsx");
    std::fs::write(&fixed, workbook(&rows)).unwrap();
    let tokens = tokens_file(&dir, &own);
    let args = serve_args(&dir, &tokens);
    let s = Server::spawn(&args.iter().map(String::as_str).collect::<Vec<_>>());
    let driver = start_driver(&chromedriver);
    runtime().block_on(async {
        let c = session(&driver, &chromium, "field-leader-phone", 360, 740).await;
        c.goto(&format!("{}/leader?token={LEADER}", s.url)).await.unwrap();
        wait_for(&c, "body[data-ready=leader]").await;
        let upload = |path: PathBuf| {
            let c = &c;
            async move {
                let input = c.find(Locator::Id("file")).await.unwrap();
                input.send_keys(&path.display().to_string()).await.unwrap();
                c.find(Locator::Id("upload-button")).await.unwrap().click().await.unwrap();
            }
        };
        upload(wrong).await;
        let refused = wait_for(&c, "#refused").await.text().await.unwrap();
        assert!(refused.contains("整份清单都没有收下"), "{refused}");
        let answer = c.find(Locator::Id("answer")).await.unwrap().text().await.unwrap();
        assert!(answer.contains("L-other") && answer.contains("不是您负责楼栋的住户"), "the row is named: {answer}");
        // Every bad row is listed: the slip too, with the closest addresses of the leader's
        // own building, in Chinese.
        assert!(answer.contains("L-typo") && answer.contains("地址找不到住户"), "{answer}");
        assert!(answer.contains(&format!("最接近的地址：{}", mine[0])), "{answer}");
        assert!(!answer.contains("L-1："), "only the wrong row is named: {answer}");
        std::fs::write(artefact("leader-refused-zh.png"), c.screenshot().await.unwrap()).unwrap();
        upload(fixed).await;
        let taken = wait_for(&c, "#taken").await.text().await.unwrap();
        assert!(taken.contains(&format!("已收下 {} 个订单", rows.len())), "{taken}");
        // The buildings' orders, with where they stand.
        let started = Instant::now();
        while c.find_all(Locator::Css("#orders td[data-status]")).await.unwrap().len() < rows.len() {
            assert!(started.elapsed() < Duration::from_secs(20), "the leader's orders did not show");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        c.close().await.unwrap();
    });
    // Nothing of the refused list was taken; the fixed one plans.
    let (status, other) = get(&s, "/orders/L-other", Some(DISPATCHER));
    assert_eq!(status, 404, "{other}");
    let (status, _) = post(&s, "/plan", Some(DISPATCHER), &json!({}));
    assert_eq!(status, 201);
    let (_, plan) = get(&s, "/plans/latest", Some(DISPATCHER));
    assert_eq!(plan["feasible"], true, "{}", plan["violations"]);
    let planned = plan.to_string();
    for (id, _) in &rows {
        assert!(planned.contains(&format!("\"{id}\"")), "{id} is in the plan");
    }
}

#[test]
fn an_xlsx_list_of_500_orders_is_checked_and_taken_whole() {
    let area_file = repo("data/niuxie/area.geojson");
    let area = lastmetre::load_area(Path::new(&area_file), &Default::default()).unwrap().area;
    let book = lastmetre::area::AddressBook::new(&area);
    let rows: Vec<(String, String)> = area
        .households
        .iter()
        .filter_map(|h| book.address_of(&h.id))
        .take(500)
        .enumerate()
        .map(|(k, a)| (format!("X-{k}"), a))
        .collect();
    assert_eq!(rows.len(), 500);
    let dir = fresh_dir("field-xlsx500");
    let buildings: Vec<String> = area.buildings.iter().map(|b| b.id.clone()).collect();
    let tokens = tokens_file(&dir, &buildings.join(","));
    let args = serve_args(&dir, &tokens);
    let s =
        Server::spawn(&[&args.iter().map(String::as_str).collect::<Vec<_>>()[..], &["--max-body-kb", "2048"]].concat());
    let bytes = workbook(&rows);
    // Kept, to time the release build with (docs/service.md).
    std::fs::write(artefact("orders-500.xlsx"), &bytes).unwrap();
    let started = Instant::now();
    let mut response = agent()
        .post(&format!("{}/orders", s.url))
        .header("Authorization", &format!("Bearer {LEADER}"))
        .header("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        .send(&bytes[..])
        .unwrap();
    let took = started.elapsed();
    let body = response.body_mut().read_to_string().unwrap();
    assert_eq!(response.status().as_u16(), 201, "{body}");
    let accepted: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(accepted["accepted"], 500, "{body}");
    eprintln!("XLSX of 500 orders ({} KB) checked and taken in {:.0} ms", bytes.len() / 1024, took.as_secs_f64() * 1e3);
}

#[test]
fn the_dispatcher_closes_a_lane_on_the_map_takes_a_porter_off_adds_an_order_and_plans_from_the_console() {
    let Some((chromium, chromedriver)) = browser() else { return };
    let area_file = repo("data/niuxie/area.geojson");
    let area = lastmetre::load_area(Path::new(&area_file), &Default::default()).unwrap().area;
    let address = lastmetre::area::AddressBook::new(&area).address_of(&area.households[5].id).unwrap();
    let dir = fresh_dir("field-console");
    let tokens = tokens_file(&dir, "B1");
    let args = serve_args(&dir, &tokens);
    let s = Server::spawn(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(post(&s, "/orders", Some(DISPATCHER), &json!(orders_now(40))).0, 201);
    assert_eq!(post(&s, "/plan", Some(DISPATCHER), &json!({})).0, 201);
    let driver = start_driver(&chromedriver);
    let lane = runtime().block_on(async {
        let c = session(&driver, &chromium, "field-console-browser", 1280, 900).await;
        c.goto(&format!("{}/?token={DISPATCHER}", s.url)).await.unwrap();
        wait_for(&c, "body.dispatcher[data-ready=plan]").await;
        // A lane picked on the map is the one the form closes.
        let lane: Value = c
            .execute(
                "const l = document.querySelector('.lane.tricycle'); l.dispatchEvent(new MouseEvent('click', {bubbles: true})); return l.dataset.lane",
                vec![],
            )
            .await
            .unwrap();
        let lane = lane.as_str().unwrap().to_owned();
        let chosen = c.find(Locator::Id("event-lane")).await.unwrap().prop("value").await.unwrap();
        assert_eq!(chosen.as_deref(), Some(lane.as_str()), "the map's lane is chosen");
        assert!(!c.find_all(Locator::Css(".lane.picked")).await.unwrap().is_empty(), "and drawn picked");
        tap(&c, "button[data-event=lane_closed]").await;
        let answer = wait_for(&c, "#event-answer .ok").await.text().await.unwrap();
        assert!(answer.contains("已记录"), "{answer}");
        // The map shows it closed.
        wait_for(&c, &format!(".lane.closed[data-lane=\"{lane}\"]")).await;
        // Porter 2 goes off duty.
        c.find(Locator::Id("event-porter")).await.unwrap().select_by_value("2").await.unwrap();
        c.execute("document.getElementById('event-answer').textContent = ''", vec![]).await.unwrap();
        tap(&c, "button[data-event=porter_off_duty]").await;
        wait_for(&c, "#event-answer .ok").await;
        // An order by its address, as people write it.
        c.find(Locator::Id("add-address")).await.unwrap().send_keys(&address).await.unwrap();
        c.find(Locator::Id("add-items")).await.unwrap().send_keys("药").await.unwrap();
        c.find(Locator::Id("add-priority")).await.unwrap().select_by_value("medicine").await.unwrap();
        tap(&c, "#add-order button[type=submit]").await;
        let added = wait_for(&c, "#add-answer .ok").await.text().await.unwrap();
        assert_eq!(added, "已收下 1 个订单");
        // Plan now: the console shows the new plan, the order in it.
        tap(&c, "#plan-now").await;
        let planned = wait_for(&c, "#plan-answer .ok").await.text().await.unwrap();
        assert!(planned.starts_with("已做出计划"), "{planned}");
        wait_for(&c, "#map[data-plan=\"1\"]").await;
        // What the plan left out is in the console's table, with why and what to do, in words:
        // the order of the form among them, its household cut off by the closed lane.
        let (_, plan) = get(&s, "/plans/latest", Some(DISPATCHER));
        let left_out = plan["plan"]["unassigned"].as_array().unwrap();
        let cut_off = left_out.iter().any(|u| u["order"].as_str().is_some_and(|o| o.starts_with('D')) && u["reason"] == "no_station_reaches");
        assert!(cut_off, "the closed lane leaves the new order out: {left_out:?}");
        for u in left_out {
            let order = u["order"].as_str().unwrap();
            let row = wait_for(&c, &format!("#unassigned tr[data-order=\"{order}\"]")).await.text().await.unwrap();
            let why = lastmetre::text::text(lastmetre::text::Lang::Zh, &format!("reason-{}", u["reason"].as_str().unwrap()), &[]);
            assert!(row.contains(&why), "{order}: {row}");
        }
        std::fs::write(artefact("console-after-events-zh.png"), c.screenshot().await.unwrap()).unwrap();
        // The lane opens again, and the next plan sends the order out.
        c.execute("document.getElementById('event-answer').textContent = ''", vec![]).await.unwrap();
        tap(&c, "button[data-event=lane_reopened]").await;
        wait_for(&c, "#event-answer .ok").await;
        let started = Instant::now();
        while !c.find_all(Locator::Css(".lane.closed")).await.unwrap().is_empty() {
            assert!(started.elapsed() < Duration::from_secs(10), "the lane still shows closed");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        c.execute("document.getElementById('plan-answer').textContent = ''", vec![]).await.unwrap();
        tap(&c, "#plan-now").await;
        wait_for(&c, "#plan-answer .ok").await;
        wait_for(&c, "#map[data-plan=\"2\"]").await;
        c.close().await.unwrap();
        lane
    });
    let (_, plan) = get(&s, "/plans/latest", Some(DISPATCHER));
    assert_eq!(plan["feasible"], true, "{}", plan["violations"]);
    assert!(plan["outings"].as_array().unwrap().iter().all(|o| o["porter"] != 2), "porter 2 is off duty");
    let medicine = plan["outings"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|o| o["drops"].as_array().unwrap().iter())
        .any(|d| d["order"].as_str().is_some_and(|o| o.starts_with('D')));
    assert!(medicine, "the console's order goes out in this plan (medicine): {}", plan["plan"]["unassigned"]);
    drop(s);
    let conn = rusqlite::Connection::open(dir.join("field.db")).unwrap();
    let closed: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM journal WHERE kind = 'event' AND body LIKE '%lane_closed%' AND body LIKE ?1",
            [format!("%\"{lane}\"%")],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(closed, 1, "lane {lane} closed once");
    let reopened: i64 = conn
        .query_row("SELECT COUNT(*) FROM journal WHERE kind = 'event' AND body LIKE '%lane_reopened%'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(reopened, 1);
}
