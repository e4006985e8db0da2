//! The dispatcher as a service for a command post: orders and events come in over HTTP, go
//! into a durable SQLite ledger before they are acknowledged, and feed a
//! [`Dispatcher`]; plans are served as JSON, dispatch sheets and a live
//! map page.
//!
//! ```text
//! POST /orders ─▶ check (no lock) ─▶ ledger writer (group commit, fsync) ─▶ 201 ─▶ queue
//! POST /events ─▶ dispatcher lock: queue → dispatcher, report ─▶ ledger ─▶ 200
//! POST /plan   ─▶ dispatcher lock ─▶ ledger (takes the queue) ─▶ next_plan ─▶ checker ─▶ 201
//!                  └─▶ ledger: the plan as served and a checkpoint of the state after it
//! start        ─▶ the latest checkpoint, then replay the journal after it: the same state
//! ```
//!
//! Orders never wait for a re-plan: they are checked with an [`OrderCheck`] and queued; the
//! dispatcher takes the queue at the next plan or event, at that request's position in the
//! journal, so replaying the journal rebuilds exactly the state that was served.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod api;
pub mod auth;
pub mod clock;
mod district;
pub mod ledger;
pub mod tools;

use lastmetre::dispatch::{OrderCheck, Settings};
use lastmetre::formats::{plan_file, routes_geojson, sheets};
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

/// One sealed area the service runs: its own dispatcher, ledger and writer, so that one
/// area's failure never touches another's.
#[derive(Clone, Debug)]
pub struct AreaSource {
    /// The area's id in the API (`/areas/{id}/…`) and in token scopes: letters, digits, `-`
    /// and `_`.
    pub id: String,
    /// The area file.
    pub area: PathBuf,
    /// The fleet file; DOMAIN.md's fleet when absent.
    pub fleet: Option<PathBuf>,
    /// The area's ledger (SQLite); created when missing.
    pub db: PathBuf,
}

impl AreaSource {
    /// True for an id that passes unchanged through a URL path and a token line.
    pub fn valid_id(id: &str) -> bool {
        !id.is_empty() && id.len() <= 64 && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    }
}

/// How to run the service.
#[derive(Clone, Debug)]
pub struct Config {
    /// The areas, one or many.
    pub areas: Vec<AreaSource>,
    /// Where to listen.
    pub listen: SocketAddr,
    /// Who may do what.
    pub tokens: Tokens,
    /// The dispatcher's settings.
    pub settings: Settings,
    /// The area's time zone; else the area file's `utc_offset` property, else +08:00.
    pub utc_offset: Option<time::UtcOffset>,
    /// Largest request body, bytes.
    pub max_body: usize,
}

/// A plan as served.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct StoredPlan {
    /// Plan id (the cycle number, from 0).
    pub id: u32,
    /// Journal position of the plan request.
    pub seq: i64,
    /// The plan file (docs/plan-format.md), the records and metrics, as JSON.
    pub body: Value,
    /// The routes as GeoJSON.
    pub routes: Value,
    /// Dispatch sheets: name (`tricycle-1`, `porter-3`) and Markdown text.
    pub sheets: Vec<(String, String)>,
    /// The independent checker's verdict.
    pub feasible: bool,
}

/// One area's service: its state, shared by every request to it.
pub struct Service {
    /// The area's id.
    id: String,
    /// The dispatcher's cycle, s.
    cycle_s: f64,
    dispatcher: Mutex<Dispatcher>,
    queue: Arc<Queue>,
    /// Where each order stands, as of the latest plan or event (read without the dispatcher).
    statuses: RwLock<HashMap<String, Value>>,
    /// Orders of past days the dispatcher let go of: their final status (also in the ledger).
    retired: RwLock<HashMap<String, Value>>,
    /// The dispatcher's order checks as of its latest event (a closed station refuses pins).
    check: RwLock<OrderCheck>,
    /// The lanes closed now, as of the latest event (for the map).
    closed_lanes: RwLock<Vec<String>>,
    writer: mpsc::Sender<Write>,
    /// A second connection, for reads that must not wait for the writer (WAL allows both).
    reader: Mutex<rusqlite::Connection>,
    plans: RwLock<Plans>,
    /// Answers to events' idempotency keys since the latest checkpoint: the checkpoint stores
    /// them again, so that no event it covers is left without its answer.
    fresh_answers: Mutex<Vec<(String, u16, String)>>,
    area: Area,
    /// Each household's building id, for the building leaders' scope.
    buildings: HashMap<String, String>,
    /// Porters and tricycles of the fleet, for the dispatcher's console.
    fleet_size: (usize, usize),
    /// The area's addresses: orders may name households by building, unit and door.
    addresses: lastmetre::area::AddressBook,
    area_geojson: Value,
    tokens: Tokens,
    clock: clock::Clock,
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
    pub fn open(source: &AreaSource, config: &Config) -> Result<Arc<Service>, StartError> {
        let input = |e: String| StartError::Input(e);
        let built = lastmetre::load_area(&source.area, &lastmetre::AreaParams::default()).map_err(|e| {
            input(match e {
                lastmetre::LoadError::Invalid(p) => {
                    format!(
                        "{}: invalid area ({} problem(s); run `lastmetre validate`)",
                        source.area.display(),
                        p.len()
                    )
                }
                other => format!("{}: {other}", source.area.display()),
            })
        })?;
        let fleet = match &source.fleet {
            Some(path) => lastmetre::read_fleet(path).map_err(|e| input(format!("{}: {e}", path.display())))?,
            None => Fleet::default(),
        };
        // People the tokens name must be of this area and fleet: a typo would lock a porter
        // or a building leader out without a word.
        for person in config.tokens.people_on(&source.id) {
            let known = match (person.role, person.person, &person.buildings) {
                (Role::Porter, Some(p), _) => p < fleet.porters.count,
                (Role::Driver, Some(t), _) => t < fleet.tricycles.count,
                (_, _, Some(buildings)) => buildings.iter().all(|b| built.area.buildings.iter().any(|x| x.id == *b)),
                _ => true,
            };
            if !known {
                return Err(input(format!(
                    "a token of area '{}' names {} that the area or its fleet does not have (porter-N up to {}, tricycle-N up to {}, building ids of the area file)",
                    source.id,
                    match (&person.buildings, person.person) {
                        (Some(b), _) => format!("buildings {}", b.iter().cloned().collect::<Vec<_>>().join(",")),
                        (None, Some(n)) => format!("{:?} {}", person.role, n + 1).to_lowercase(),
                        _ => "someone".to_owned(),
                    },
                    fleet.porters.count,
                    fleet.tricycles.count
                )));
            }
        }
        let area_text = std::fs::read(&source.area).map_err(|e| input(format!("{}: {e}", source.area.display())))?;
        let area_geojson: Value = serde_json::from_slice(&area_text).map_err(|e| input(e.to_string()))?;
        let conn = ledger::open(&source.db).map_err(|e| input(format!("ledger {}: {e}", source.db.display())))?;
        let fleet_text = match &source.fleet {
            Some(path) => std::fs::read(path).map_err(|e| input(format!("{}: {e}", path.display())))?,
            None => b"default".to_vec(),
        };
        let offset = match config.utc_offset {
            Some(offset) => offset,
            None => match area_geojson.pointer("/properties/utc_offset") {
                None => clock::parse_offset("+08:00").unwrap_or(time::UtcOffset::UTC),
                Some(v) => v.as_str().and_then(clock::parse_offset).ok_or_else(|| {
                    input(format!(
                        "{}: the area's utc_offset {v} is no offset such as \"+08:00\"",
                        source.area.display()
                    ))
                })?,
            },
        };
        let facts = [
            ("area", ledger::sha256(&area_text)),
            ("fleet", ledger::sha256(&fleet_text)),
            ("settings", format!("{:?}", config.settings)),
            ("utc_offset", clock::format_offset(offset)),
        ];
        ledger::bind(&conn, &facts).map_err(|e| input(format!("ledger {}: {e}", source.db.display())))?;
        let epoch = ledger::epoch(&conn, clock::Clock::today(offset))
            .map_err(|e| input(format!("ledger {}: {e}", source.db.display())))?;
        let clock = clock::Clock::new(offset, epoch);
        let ledger_error = |e: rusqlite::Error| input(format!("ledger {}: {e}", source.db.display()));
        let unanswered = ledger::unanswered_events(&conn).map_err(ledger_error)?;
        // A checkpoint the dispatcher cannot resume from (another format, say) is set aside:
        // the whole journal replays.
        let checkpoint = read_checkpoint(&conn).filter(|(seq, state)| {
            let resumed =
                Dispatcher::resume(built.area.clone(), fleet.clone(), config.settings.clone(), &state.dispatcher);
            if let Err(e) = &resumed {
                eprintln!(
                    "area {}: the checkpoint after journal entry {seq} is set aside ({e}); the whole journal replays",
                    source.id
                );
            }
            resumed.is_ok()
        });
        let from = checkpoint.as_ref().map_or(0, |(seq, _)| *seq);
        let tail = ledger::journal_after(&conn, from).map_err(ledger_error)?;
        let stored = ledger::plan_index(&conn).map_err(ledger_error)?;
        let entries: i64 = conn.query_row("SELECT COUNT(*) FROM journal", [], |r| r.get(0)).map_err(ledger_error)?;
        let fresh = || -> Result<Dispatcher, StartError> {
            Dispatcher::new(built.area.clone(), fleet.clone(), config.settings.clone())
                .map_err(|e| input(format!("the fleet does not fit the area: {e}")))
        };

        // Replay from the checkpoint. A plan request on which the planner panicked (the live
        // service then stopped writing) is replayed again with that request skipped: its
        // orders wait for the next plan, and the service can start.
        let mut skip = HashSet::new();
        let Replayed { dispatcher, queue, plans, last_plan_at, answers, applied, retired: let_go } = loop {
            let (dispatcher, queue, last_plan_at) = match &checkpoint {
                Some((seq, state)) => {
                    let dispatcher = Dispatcher::resume(
                        built.area.clone(),
                        fleet.clone(),
                        config.settings.clone(),
                        &state.dispatcher,
                    )
                    .map_err(|e| input(format!("ledger {}: {e}", source.db.display())))?;
                    let queue = queue_until(&conn, *seq, &built.area, &state.refused).map_err(ledger_error)?;
                    (dispatcher, queue, state.last_plan_at)
                }
                None => (fresh()?, Arc::new(Queue::default()), f64::NEG_INFINITY),
            };
            let start = Start { dispatcher, queue, last_plan_at };
            match replay(start, &tail, &built.area, &clock, &skip, &unanswered)? {
                Ok(replayed) => break replayed,
                Err(seq) => {
                    eprintln!("the planner failed on plan request {seq} of the ledger; it is skipped");
                    skip.insert(seq);
                }
            }
        };
        // Events a crash left without their answer get the one the replay gave them.
        for (key, status, response) in &answers {
            ledger::answer(&conn, key, *status, response).map_err(ledger_error)?;
        }
        if unanswered.keys().any(|seq| *seq <= from) {
            eprintln!(
                "some events before the checkpoint have no stored answer; their keys answer 409 until repeated with a new key"
            );
        }
        // What the replay made is checkpointed at once: the next start replays nothing of it.
        if let Some(seq) = applied {
            let rows: Vec<ledger::PlanRow> = plans.iter().map(plan_row).collect();
            let state = checkpoint_state(&dispatcher, &queue, last_plan_at);
            let tx = conn.unchecked_transaction().map_err(ledger_error)?;
            ledger::store_checkpoint(&tx, seq, &state, &rows, &[], &let_go).map_err(ledger_error)?;
            tx.commit().map_err(ledger_error)?;
        }
        let mut index: Vec<PlanMeta> = stored
            .into_iter()
            .filter(|(_, seq, _, _)| *seq <= from)
            .map(|(id, seq, at_s, feasible)| PlanMeta { id, seq, at_s, feasible })
            .collect();
        index.extend(plans.iter().map(PlanMeta::of));
        let mut recent: std::collections::VecDeque<StoredPlan> = plans.into_iter().collect();
        if recent.is_empty()
            && let Some(last) = index.last()
            && let Ok(Some(plan)) = load_plan(&conn, last.id)
        {
            recent.push_back(plan);
        }
        while recent.len() > RECENT_PLANS {
            recent.pop_front();
        }
        let mut retired = ledger::retired(&conn).map_err(ledger_error)?;
        retired.extend(let_go);
        let retired: HashMap<String, Value> =
            retired.into_iter().filter_map(|(id, text)| serde_json::from_str(&text).ok().map(|v| (id, v))).collect();
        let check = RwLock::new(dispatcher.order_check());
        let closed_lanes = RwLock::new(dispatcher.closed_lanes());
        let statuses = RwLock::new(statuses(&dispatcher, &queue));
        let reader = ledger::open(&source.db).map_err(|e| input(format!("ledger {}: {e}", source.db.display())))?;
        let (writer, requests) = mpsc::channel();
        let writer_queue = Arc::clone(&queue);
        std::thread::Builder::new()
            .name("ledger-writer".into())
            .spawn(move || ledger::writer(conn, requests, &writer_queue))
            .map_err(|e| input(e.to_string()))?;
        Ok(Arc::new(Service {
            id: source.id.clone(),
            cycle_s: config.settings.cycle_s,
            dispatcher: Mutex::new(dispatcher),
            queue,
            check,
            closed_lanes,
            statuses,
            writer,
            reader: Mutex::new(reader),
            plans: RwLock::new(Plans { index, recent }),
            fresh_answers: Mutex::new(Vec::new()),
            retired: RwLock::new(retired),
            addresses: lastmetre::area::AddressBook::new(&built.area),
            fleet_size: (fleet.porters.count, fleet.tricycles.count),
            buildings: built
                .area
                .households
                .iter()
                .map(|h| (h.id.clone(), built.area.buildings[built.area.stairwells[h.stairwell].building].id.clone()))
                .collect(),
            area: built.area,
            area_geojson,
            tokens: config.tokens.clone(),
            clock,
            max_body: config.max_body,
            started: Instant::now(),
            requests: AtomicU64::new(0),
            last_plan_at: Mutex::new(last_plan_at),
            journal_entries: AtomicU64::new(entries as u64),
            broken: std::sync::atomic::AtomicBool::new(false),
            event_answers: Mutex::new(HashMap::new()),
        }))
    }

    /// Seconds since the epoch on the area's clock (see [`clock`]).
    pub fn now_s(&self) -> f64 {
        self.clock.now()
    }
}

/// Plans kept in memory; older ones are read from the ledger when asked for.
const RECENT_PLANS: usize = 48;

/// What the service knows of a plan without loading it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PlanMeta {
    pub id: u32,
    pub seq: i64,
    pub at_s: f64,
    pub feasible: bool,
}

impl PlanMeta {
    fn of(plan: &StoredPlan) -> Self {
        let at_s = plan.body["plan_start_s"].as_f64().unwrap_or_default();
        PlanMeta { id: plan.id, seq: plan.seq, at_s, feasible: plan.feasible }
    }
}

/// The plans served: every one's meta, and the latest ones whole.
pub(crate) struct Plans {
    pub index: Vec<PlanMeta>,
    pub recent: std::collections::VecDeque<StoredPlan>,
}

impl Plans {
    /// Adds a new plan, keeping the latest [`RECENT_PLANS`] in memory.
    fn push(&mut self, plan: StoredPlan) {
        self.index.push(PlanMeta::of(&plan));
        self.recent.push_back(plan);
        if self.recent.len() > RECENT_PLANS {
            self.recent.pop_front();
        }
    }
}

/// What a checkpoint holds: the dispatcher's state after a journal position, and the
/// service's own beside it.
#[derive(serde::Serialize, serde::Deserialize)]
struct Checkpoint {
    /// [`Dispatcher::checkpoint`].
    dispatcher: Vec<u8>,
    /// Acknowledged orders the dispatcher refused, with why.
    refused: Vec<(String, String)>,
    /// Start of the latest plan.
    last_plan_at: f64,
}

/// The service's state as a checkpoint, deflated.
fn checkpoint_state(dispatcher: &Dispatcher, queue: &Queue, last_plan_at: f64) -> Vec<u8> {
    let mut refused: Vec<(String, String)> =
        queue.refused.lock().unwrap_or_else(|e| e.into_inner()).iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    refused.sort();
    let state = Checkpoint { dispatcher: dispatcher.checkpoint(), refused, last_plan_at };
    ledger::deflate(&rmp_serde::to_vec(&state).unwrap_or_default())
}

/// The latest checkpoint, if there is one and it reads; one that does not is reported and
/// the journal replays from the start.
fn read_checkpoint(conn: &rusqlite::Connection) -> Option<(i64, Checkpoint)> {
    let (seq, bytes) = match ledger::latest_checkpoint(conn) {
        Ok(Some(found)) => found,
        Ok(None) => return None,
        Err(e) => {
            eprintln!("the checkpoint cannot be read ({e}); the whole journal replays");
            return None;
        }
    };
    let decoded = ledger::inflate(&bytes)
        .map_err(|e| e.to_string())
        .and_then(|raw| rmp_serde::from_slice::<Checkpoint>(&raw).map_err(|e| e.to_string()));
    match decoded {
        Ok(state) => Some((seq, state)),
        Err(e) => {
            eprintln!("the checkpoint after journal entry {seq} cannot be read ({e}); the whole journal replays");
            None
        }
    }
}

/// The acknowledged orders up to journal position `seq`, all handed to the dispatcher then,
/// with those it refused marked.
fn queue_until(
    conn: &rusqlite::Connection,
    seq: i64,
    area: &Area,
    refused: &[(String, String)],
) -> rusqlite::Result<Arc<Queue>> {
    let queue = Arc::new(Queue::default());
    let book = lastmetre::area::AddressBook::new(area);
    for body in ledger::orders_until(conn, seq)? {
        let (orders, _) = lastmetre::formats::read_orders_json_in(body.as_bytes(), Some(&book));
        queue.push(orders);
    }
    queue.drain();
    let all = queue.all.read().unwrap_or_else(|e| e.into_inner()).clone();
    for (id, why) in refused {
        if let Some(order) = all.get(id) {
            queue.refuse(order, why.clone());
        }
    }
    Ok(queue)
}

/// A plan as the ledger stores it.
fn plan_row(plan: &StoredPlan) -> ledger::PlanRow {
    let bytes = ledger::deflate(&rmp_serde::to_vec(plan).unwrap_or_default());
    (plan.id, plan.seq, PlanMeta::of(plan).at_s, plan.feasible, bytes)
}

/// A stored plan, read back.
fn load_plan(conn: &rusqlite::Connection, id: u32) -> Result<Option<StoredPlan>, String> {
    let Some(bytes) = ledger::stored_plan(conn, id).map_err(|e| e.to_string())? else { return Ok(None) };
    let raw = ledger::inflate(&bytes).map_err(|e| e.to_string())?;
    rmp_serde::from_slice(&raw).map(Some).map_err(|e| e.to_string())
}

/// Where a replay starts: a fresh dispatcher, or one resumed from a checkpoint.
struct Start {
    dispatcher: Dispatcher,
    queue: Arc<Queue>,
    last_plan_at: f64,
}

/// The state a journal replays to.
struct Replayed {
    dispatcher: Dispatcher,
    queue: Arc<Queue>,
    plans: Vec<StoredPlan>,
    last_plan_at: f64,
    /// Answers for the idempotency keys of events left unanswered: (key, status, body).
    answers: Vec<(String, u16, String)>,
    /// The latest plan or event replayed: the dispatcher's state is the one after it.
    applied: Option<i64>,
    /// Orders the replayed plans let go of: id, final status.
    retired: Vec<(String, String)>,
}

/// Repeats the journal, skipping the plan requests in `skip`; `Ok(Err(seq))` when the planner
/// panics on plan request `seq`.
fn replay(
    start: Start,
    journal: &[(i64, Entry)],
    area: &Area,
    clock: &clock::Clock,
    skip: &HashSet<i64>,
    unanswered: &HashMap<i64, String>,
) -> Result<Result<Replayed, i64>, StartError> {
    let Start { mut dispatcher, queue, mut last_plan_at } = start;
    let mut plans = Vec::new();
    let mut answers = Vec::new();
    let mut applied = None;
    let mut retired = Vec::new();
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
                    let (status, response) = api::event_answer(*seq, *at, reported.as_ref().map(|_| ()), clock);
                    answers.push((key.clone(), status, response));
                }
                applied = Some(*seq);
            }
            Entry::Plan(at) => {
                last_plan_at = *at;
                // A skipped plan took no orders: a checkpoint there would lose them.
                if skip.contains(seq) {
                    continue;
                }
                applied = Some(*seq);
                let orders = queue.drain();
                let planned = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    make_plan(&mut dispatcher, &queue, area, clock, orders, *at, *seq)
                }));
                match planned {
                    Ok((plan, gone)) => {
                        plans.extend(plan);
                        retired.extend(gone);
                    }
                    Err(_) => return Ok(Err(*seq)),
                }
            }
        }
    }
    Ok(Ok(Replayed { dispatcher, queue, plans, last_plan_at, answers, applied, retired }))
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

/// What a plan made: the plan, if the dispatcher could plan, and the orders of past days it
/// let go of (id, final status as JSON).
type Made = (Option<StoredPlan>, Vec<(String, String)>);

/// Plans the next cycle at `at` with the given new orders, checks the plan, and renders it.
/// No plan when the dispatcher cannot plan (no station reachable): the orders are taken,
/// nothing else changes, as on replay. Orders finished before the day of `at` leave the
/// dispatcher after it.
fn make_plan(
    dispatcher: &mut Dispatcher,
    queue: &Queue,
    area: &Area,
    clock: &clock::Clock,
    orders: Vec<Order>,
    at: f64,
    seq: i64,
) -> Made {
    add(dispatcher, queue, orders);
    let planned = dispatcher.next_plan(lastmetre::Seconds(at));
    // After the plan, which froze what was under way: an order delivered on an outing that
    // started before midnight leaves only once that outing is a record.
    let today = clock.day_start(clock.day(at));
    let retired: Vec<(String, String)> = dispatcher
        .retire(lastmetre::Seconds(today))
        .into_iter()
        .map(|(id, status)| (id, serde_json::to_string(&status).unwrap_or_default()))
        .collect();
    let Ok(mut cycle) = planned else { return (None, retired) };
    // The sheets' titles and the plan file name the cycle by its start, "2026-12-02 12:00",
    // in no language.
    cycle.instance.name = clock.format(at).chars().take(16).collect::<String>().replace('T', " ");
    let report = lastmetre::check::check(&cycle.instance, &cycle.plan);
    let lang = lastmetre::formats::language_of(area);
    let mut file = plan_file(&cycle.instance, &cycle.plan, at, lang);
    // The instant, with the day and the offset; the file's other times count from it.
    file.cycle_start = clock.format(at);
    let body = serde_json::json!({
        "id": cycle.cycle,
        "cycle_start": clock.format(at),
        "day": clock::format_date(clock.day(at)),
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
        // What each porter's shift has cost so far, as the plan found it.
        "porters_at_start": cycle.instance.state.porters.iter().enumerate().map(|(i, p)| serde_json::json!({
            "porter": i + 1,
            "on_duty": p.on_duty,
            "spent_kj": p.spent_kj,
            "climbed_m": p.climbed_m,
        })).collect::<Vec<_>>(),
    });
    let sheets = sheets(&cycle.instance, &cycle.plan, at, lang)
        .into_iter()
        .map(|(name, text)| (name.trim_end_matches(".md").to_owned(), text))
        .collect();
    let plan = StoredPlan {
        id: cycle.cycle,
        seq,
        body,
        routes: routes_geojson(area, &cycle.instance, &cycle.plan),
        sheets,
        feasible: report.is_ok(),
    };
    (Some(plan), retired)
}

/// Serves until the process is stopped.
pub async fn serve(config: Config) -> Result<(), StartError> {
    let areas = open_areas(&config)?;
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| StartError::Input(format!("cannot listen on {}: {e}", config.listen)))?;
    let local = listener.local_addr().map_err(|e| StartError::Input(e.to_string()))?;
    // Tests and scripts read this line to learn the port.
    println!("listening on http://{local}");
    let app = district::router(areas, config.tokens.clone());
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

/// Opens every area, at once on the cores there are. With one area, its failure is the
/// service's; with many, an area that does not start is reported on stderr and answers 503
/// while the others run.
fn open_areas(config: &Config) -> Result<Vec<district::Held>, StartError> {
    let mut seen = HashSet::new();
    for source in &config.areas {
        if !AreaSource::valid_id(&source.id) {
            return Err(StartError::Input(format!(
                "area id '{}' ({}): use letters, digits, - and _ only, at most 64",
                source.id,
                source.area.display()
            )));
        }
        if !seen.insert(source.id.as_str()) {
            return Err(StartError::Input(format!("area id '{}' is given twice; ids must be unique", source.id)));
        }
    }
    if config.areas.is_empty() {
        return Err(StartError::Input("no area given: --area FILE, --area ID=FILE or --areas DIR".into()));
    }
    let unknown: Vec<String> = config.tokens.areas_named().into_iter().filter(|a| !seen.contains(a.as_str())).collect();
    if !unknown.is_empty() {
        return Err(StartError::Input(format!(
            "the tokens name area(s) {} that are not served; served: {}",
            unknown.join(", "),
            config.areas.iter().map(|a| a.id.as_str()).collect::<Vec<_>>().join(", ")
        )));
    }
    let opened: Vec<Result<Arc<Service>, StartError>> = std::thread::scope(|scope| {
        let handles: Vec<_> =
            config.areas.iter().map(|source| scope.spawn(move || Service::open(source, config))).collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|_| Err(StartError::Input("the area's start panicked".into()))))
            .collect()
    });
    if let [only] = &opened[..]
        && let Err(e) = only
    {
        return Err(StartError::Input(e.to_string()));
    }
    Ok(config
        .areas
        .iter()
        .zip(opened)
        .map(|(source, held)| {
            let held = held.map_err(|e| {
                eprintln!("area {}: {e}; the other areas run", source.id);
                e.to_string()
            });
            (source.id.clone(), held)
        })
        .collect())
}

/// How many plans run at once, across every area: the cores but one (at least one), so that
/// order intake always has a core while the areas of a district plan, one after another
/// on a small machine.
fn planning() -> &'static tokio::sync::Semaphore {
    static PLANNING: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    PLANNING.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        tokio::sync::Semaphore::new(cores.saturating_sub(1).max(1))
    })
}

/// How long a client may take to send a request's headers, or stay silent between requests
/// on a kept-alive connection, before the connection is closed.
pub const HEADER_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// How long a client may take to send a request's whole body.
pub const BODY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(20);
