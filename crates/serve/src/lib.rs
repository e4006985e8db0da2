//! The dispatcher as a service for a command post: orders and events come in over HTTP, go
//! into a durable SQLite ledger before they are acknowledged, and feed a
//! [`Dispatcher`]; plans are served as JSON, dispatch sheets and a live
//! map page.
//!
//! ```text
//! POST /orders ─▶ check (no lock) ─▶ ledger writer (group commit, fsync) ─▶ 201 ─▶ queue
//! POST /events ─▶ dispatcher lock: queue → dispatcher, report ─▶ ledger ─▶ 200
//! POST /plan   ─▶ dispatcher lock ─▶ ledger (takes the queue) ─▶ next_plan ─▶ checker ─▶ 201
//! start        ─▶ replay the ledger's journal in order: the same state, the same plans
//! ```
//!
//! Orders never wait for a re-plan: they are checked with an [`OrderCheck`] and queued; the
//! dispatcher takes the queue at the next plan or event, at that request's position in the
//! journal, so replaying the journal rebuilds exactly the state that was served.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod api;
pub mod auth;
pub mod ledger;
pub mod tools;

use lastmetre::dispatch::{OrderCheck, Settings};
use lastmetre::formats::{format_time, plan_file, routes_geojson, sheets};
use lastmetre::{Area, Dispatcher, Event, Fleet, Order};
use ledger::{Entry, Queue, Write};
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, RwLock, mpsc};
use std::time::Instant;

pub use auth::{Role, Tokens};

/// How to run the service.
#[derive(Clone, Debug)]
pub struct Config {
    /// The area file.
    pub area: PathBuf,
    /// The fleet file; DOMAIN.md's fleet when absent.
    pub fleet: Option<PathBuf>,
    /// The ledger (SQLite); created when missing.
    pub db: PathBuf,
    /// Where to listen.
    pub listen: SocketAddr,
    /// Who may do what.
    pub tokens: Tokens,
    /// The dispatcher's settings.
    pub settings: Settings,
    /// The area's clock: hours east of UTC (8 for China).
    pub utc_offset_h: f64,
    /// Largest request body, bytes.
    pub max_body: usize,
}

/// A plan as served.
#[derive(Clone, Debug)]
pub struct StoredPlan {
    /// Plan id (the cycle number, from 0).
    pub id: u32,
    /// The plan file (docs/plan-format.md), the records and metrics, as JSON.
    pub body: Value,
    /// The routes as GeoJSON.
    pub routes: Value,
    /// Dispatch sheets: name (`tricycle-1`, `porter-3`) and Markdown text.
    pub sheets: Vec<(String, String)>,
    /// The independent checker's verdict.
    pub feasible: bool,
}

/// The service's state, shared by every request.
pub struct Service {
    dispatcher: Mutex<Dispatcher>,
    queue: Arc<Queue>,
    /// Where each order stands, as of the latest plan or event (read without the dispatcher).
    statuses: RwLock<HashMap<String, Value>>,
    /// The dispatcher's order checks as of its latest event (a closed station refuses pins).
    check: RwLock<OrderCheck>,
    writer: mpsc::Sender<Write>,
    /// A second connection, for reads that must not wait for the writer (WAL allows both).
    reader: Mutex<rusqlite::Connection>,
    plans: RwLock<Vec<StoredPlan>>,
    area: Area,
    /// The area's addresses: orders may name households by building, unit and door.
    addresses: lastmetre::area::AddressBook,
    area_geojson: Value,
    tokens: Tokens,
    utc_offset_h: f64,
    max_body: usize,
    started: Instant,
    requests: AtomicU64,
    last_plan_at: Mutex<f64>,
    journal_entries: AtomicU64,
    /// Set when the planner panicked: the dispatcher may be half-updated, so nothing more is
    /// written until a restart replays the ledger.
    broken: std::sync::atomic::AtomicBool,
    /// Answers to events' idempotency keys, also kept here: a repeat finds its answer even
    /// if the ledger has not stored it (yet, or at all).
    event_answers: Mutex<HashMap<String, (u16, String)>>,
}

/// Why the service cannot start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The area, fleet or ledger cannot be used.
    #[error("{0}")]
    Input(String),
    /// The ledger's journal does not replay: it was written by another area or fleet, or
    /// damaged.
    #[error("the ledger does not replay at entry {seq}: {why}; start with the area and fleet it was written with")]
    Replay {
        /// Journal position.
        seq: i64,
        /// What failed.
        why: String,
    },
}

impl Service {
    /// Loads the area and fleet, opens the ledger, replays it, and starts the ledger writer.
    pub fn open(config: &Config) -> Result<Arc<Service>, StartError> {
        let input = |e: String| StartError::Input(e);
        let built = lastmetre::load_area(&config.area, &lastmetre::AreaParams::default()).map_err(|e| {
            input(match e {
                lastmetre::LoadError::Invalid(p) => {
                    format!(
                        "{}: invalid area ({} problem(s); run `lastmetre validate`)",
                        config.area.display(),
                        p.len()
                    )
                }
                other => format!("{}: {other}", config.area.display()),
            })
        })?;
        let fleet = match &config.fleet {
            Some(path) => lastmetre::read_fleet(path).map_err(|e| input(format!("{}: {e}", path.display())))?,
            None => Fleet::default(),
        };
        let area_text = std::fs::read(&config.area).map_err(|e| input(format!("{}: {e}", config.area.display())))?;
        let area_geojson: Value = serde_json::from_slice(&area_text).map_err(|e| input(e.to_string()))?;
        let conn = ledger::open(&config.db).map_err(|e| input(format!("ledger {}: {e}", config.db.display())))?;
        let fleet_text = match &config.fleet {
            Some(path) => std::fs::read(path).map_err(|e| input(format!("{}: {e}", path.display())))?,
            None => b"default".to_vec(),
        };
        let facts = [
            ("area", ledger::sha256(&area_text)),
            ("fleet", ledger::sha256(&fleet_text)),
            ("settings", format!("{:?}", config.settings)),
        ];
        ledger::bind(&conn, &facts).map_err(|e| input(format!("ledger {}: {e}", config.db.display())))?;
        let journal = ledger::journal(&conn).map_err(|e| input(format!("ledger {}: {e}", config.db.display())))?;
        let unanswered =
            ledger::unanswered_events(&conn).map_err(|e| input(format!("ledger {}: {e}", config.db.display())))?;

        // Replay. A plan request on which the planner panicked (the live service then stopped
        // writing) is replayed again from the start with that request skipped: its orders
        // wait for the next plan, and the service can start.
        let mut skip = HashSet::new();
        let Replayed { dispatcher, queue, plans, last_plan_at, answers } = loop {
            let dispatcher = Dispatcher::new(built.area.clone(), fleet.clone(), config.settings.clone())
                .map_err(|e| input(format!("the fleet does not fit the area: {e}")))?;
            match replay(dispatcher, &journal, &built.area, &skip, &unanswered)? {
                Ok(replayed) => break replayed,
                Err(seq) => {
                    eprintln!("the planner failed on plan request {seq} of the ledger; it is skipped");
                    skip.insert(seq);
                }
            }
        };
        // Events a crash left without their answer get the one the replay gave them.
        for (key, status, response) in &answers {
            ledger::answer(&conn, key, *status, response)
                .map_err(|e| input(format!("ledger {}: {e}", config.db.display())))?;
        }
        let check = RwLock::new(dispatcher.order_check());
        let statuses = RwLock::new(statuses(&dispatcher, &queue));
        let reader = ledger::open(&config.db).map_err(|e| input(format!("ledger {}: {e}", config.db.display())))?;
        let (writer, requests) = mpsc::channel();
        let writer_queue = Arc::clone(&queue);
        std::thread::Builder::new()
            .name("ledger-writer".into())
            .spawn(move || ledger::writer(conn, requests, &writer_queue))
            .map_err(|e| input(e.to_string()))?;
        Ok(Arc::new(Service {
            dispatcher: Mutex::new(dispatcher),
            queue,
            check,
            statuses,
            writer,
            reader: Mutex::new(reader),
            plans: RwLock::new(plans),
            addresses: lastmetre::area::AddressBook::new(&built.area),
            area: built.area,
            area_geojson,
            tokens: config.tokens.clone(),
            utc_offset_h: config.utc_offset_h,
            max_body: config.max_body,
            started: Instant::now(),
            requests: AtomicU64::new(0),
            last_plan_at: Mutex::new(last_plan_at),
            journal_entries: AtomicU64::new(journal.len() as u64),
            broken: std::sync::atomic::AtomicBool::new(false),
            event_answers: Mutex::new(HashMap::new()),
        }))
    }

    /// Seconds since midnight on the area's clock.
    pub fn now_s(&self) -> f64 {
        let unix = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64());
        (unix + self.utc_offset_h * 3600.0).rem_euclid(86_400.0)
    }
}

/// The state a journal replays to.
struct Replayed {
    dispatcher: Dispatcher,
    queue: Arc<Queue>,
    plans: Vec<StoredPlan>,
    last_plan_at: f64,
    /// Answers for the idempotency keys of events left unanswered: (key, status, body).
    answers: Vec<(String, u16, String)>,
}

/// Repeats the journal, skipping the plan requests in `skip`; `Ok(Err(seq))` when the planner
/// panics on plan request `seq`.
fn replay(
    mut dispatcher: Dispatcher,
    journal: &[(i64, Entry)],
    area: &Area,
    skip: &HashSet<i64>,
    unanswered: &HashMap<i64, String>,
) -> Result<Result<Replayed, i64>, StartError> {
    let queue = Arc::new(Queue::default());
    let mut plans = Vec::new();
    let mut answers = Vec::new();
    let mut last_plan_at = f64::NEG_INFINITY;
    // Bodies are kept as sent: addresses resolve against the same (bound) area.
    let book = lastmetre::area::AddressBook::new(area);
    for (seq, entry) in journal {
        let fail = |why: String| StartError::Replay { seq: *seq, why };
        match entry {
            Entry::Orders(body) => {
                let (orders, problems) = lastmetre::formats::read_orders_json_in(body.as_bytes(), Some(&book));
                if let Some(p) = problems.first() {
                    return Err(fail(p.message.clone()));
                }
                queue.push(orders);
            }
            Entry::Event(at, body) => {
                let event: Event = serde_json::from_str(body).map_err(|e| fail(e.to_string()))?;
                add(&mut dispatcher, &queue, queue.drain());
                // An event the dispatcher refused when it came is refused again: no effect.
                let reported = dispatcher.report(lastmetre::Seconds(*at), event);
                if let Some(key) = unanswered.get(seq) {
                    let (status, response) = api::event_answer(*seq, *at, reported.as_ref().map(|_| ()));
                    answers.push((key.clone(), status, response));
                }
            }
            Entry::Plan(at) => {
                last_plan_at = *at;
                if skip.contains(seq) {
                    continue;
                }
                let orders = queue.drain();
                let planned = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    make_plan(&mut dispatcher, &queue, area, orders, *at)
                }));
                match planned {
                    Ok(Some(plan)) => plans.push(plan),
                    Ok(None) => {}
                    Err(_) => return Ok(Err(*seq)),
                }
            }
        }
    }
    Ok(Ok(Replayed { dispatcher, queue, plans, last_plan_at, answers }))
}

/// Where each order the dispatcher holds stands, as JSON, by id.
fn statuses(dispatcher: &Dispatcher, queue: &Queue) -> HashMap<String, Value> {
    let ids: Vec<String> = queue.all.read().unwrap_or_else(|e| e.into_inner()).keys().cloned().collect();
    ids.into_iter()
        .filter_map(|id| dispatcher.status(&id).and_then(|s| serde_json::to_value(s).ok()).map(|v| (id, v)))
        .collect()
}

/// Hands acknowledged orders to the dispatcher. One that it refuses (the area changed since
/// it was acknowledged: its pinned station closed, say) stays in the ledger and is marked
/// refused, with why, for `GET /orders/{id}`.
fn add(dispatcher: &mut Dispatcher, queue: &Queue, orders: Vec<Order>) {
    if dispatcher.add_orders(&orders).is_err() {
        for o in &orders {
            if let Err(e) = dispatcher.add_orders(std::slice::from_ref(o)) {
                queue.refuse(o, e.to_string());
            }
        }
    }
}

/// Plans the next cycle at `at` with the given new orders, checks the plan, and renders it.
/// `None` when the dispatcher cannot plan (no station reachable): the orders are taken,
/// nothing else changes, as on replay.
fn make_plan(
    dispatcher: &mut Dispatcher,
    queue: &Queue,
    area: &Area,
    orders: Vec<Order>,
    at: f64,
) -> Option<StoredPlan> {
    add(dispatcher, queue, orders);
    let cycle = dispatcher.next_plan(lastmetre::Seconds(at)).ok()?;
    let report = lastmetre::check::check(&cycle.instance, &cycle.plan);
    let lang = lastmetre::formats::language_of(area);
    let file = plan_file(&cycle.instance, &cycle.plan, at, lang);
    let body = serde_json::json!({
        "id": cycle.cycle,
        "cycle_start": format_time(at),
        "plan_start_s": at,
        "feasible": report.is_ok(),
        "violations": report.violations.iter().map(|v| v.to_string()).collect::<Vec<_>>(),
        "plan": file,
        "trips": cycle.trips,
        "outings": cycle.outings,
        "frozen_trips": cycle.frozen_trips,
        "frozen_outings": cycle.frozen_outings,
        "notes": cycle.notes,
        "warning": cycle.warning,
        "rush": cycle.rush,
    });
    let sheets = sheets(&cycle.instance, &cycle.plan, at, lang)
        .into_iter()
        .map(|(name, text)| (name.trim_end_matches(".md").to_owned(), text))
        .collect();
    Some(StoredPlan {
        id: cycle.cycle,
        body,
        routes: routes_geojson(area, &cycle.instance, &cycle.plan),
        sheets,
        feasible: report.is_ok(),
    })
}

/// Serves until the process is stopped.
pub async fn serve(config: Config) -> Result<(), StartError> {
    let service = Service::open(&config)?;
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| StartError::Input(format!("cannot listen on {}: {e}", config.listen)))?;
    let local = listener.local_addr().map_err(|e| StartError::Input(e.to_string()))?;
    // Tests and scripts read this line to learn the port.
    println!("listening on http://{local}");
    let app = api::router(service);
    loop {
        // A failed accept (too many open files, say) is not the end of the service.
        let Ok((stream, _)) = listener.accept().await else {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            continue;
        };
        let app = app.clone();
        tokio::spawn(async move {
            let service = hyper_util::service::TowerToHyperService::new(app);
            // The header's time-out runs from the connection's start and again whenever a
            // kept-alive connection waits for its next request: a silent client is closed.
            let mut http = hyper::server::conn::http1::Builder::new();
            http.timer(hyper_util::rt::TokioTimer::new()).header_read_timeout(HEADER_TIMEOUT).keep_alive(true);
            let _ = http.serve_connection(hyper_util::rt::TokioIo::new(stream), service).await;
        });
    }
}

/// How long a client may take to send a request's headers, or stay silent between requests
/// on a kept-alive connection, before the connection is closed.
pub const HEADER_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// How long a client may take to send a request's whole body.
pub const BODY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(20);
