//! The durable ledger: every order batch, event and plan request, in the order they were
//! acknowledged, in SQLite (WAL, `synchronous=FULL`). A request is acknowledged only after
//! its transaction is committed, so an acknowledged order survives a crash or power cut.
//!
//! One writer thread owns the connection and commits whatever requests are waiting in one
//! transaction (group commit): one fsync serves many submissions.

use lastmetre::Order;
use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::{Mutex, RwLock, mpsc};
use tokio::sync::oneshot;

/// Acknowledged orders: all of them, and those not yet handed to the dispatcher, in journal
/// order. The writer fills it after each commit; a plan empties `pending` at its own
/// journal position, so a plan holds exactly the orders acknowledged before it.
#[derive(Default)]
pub struct Queue {
    /// Acknowledged, not yet given to the dispatcher.
    pub pending: Mutex<Vec<Order>>,
    /// Every acknowledged order, by id.
    pub all: RwLock<HashMap<String, Order>>,
    /// Ids in the ledger (for a quick duplicate check before the ledger's own).
    pub known: RwLock<HashSet<String>>,
    /// Acknowledged orders the dispatcher refused when it took them (the area changed under
    /// them: a station closed, say), with why.
    pub refused: Mutex<HashMap<String, String>>,
    /// Acknowledged orders per day and household, those refused left out
    /// (`orders.per_household`); see [`day_key`].
    pub placed: RwLock<HashMap<(i64, String), usize>>,
}

impl Queue {
    /// Marks an acknowledged order refused by the dispatcher, with why; it no longer counts
    /// for its household.
    pub fn refuse(&self, order: &Order, why: String) {
        if self.refused.lock().unwrap_or_else(|e| e.into_inner()).insert(order.id.clone(), why).is_none()
            && let Some(n) = self.placed.write().unwrap_or_else(|e| e.into_inner()).get_mut(&day_key(order))
        {
            *n = n.saturating_sub(1);
        }
    }

    /// Records acknowledged orders.
    pub fn push(&self, orders: Vec<Order>) {
        // One lock at a time: a reader of one never holds up the writer on another.
        self.known.write().unwrap_or_else(|e| e.into_inner()).extend(orders.iter().map(|o| o.id.clone()));
        self.all.write().unwrap_or_else(|e| e.into_inner()).extend(orders.iter().map(|o| (o.id.clone(), o.clone())));
        let mut placed = self.placed.write().unwrap_or_else(|e| e.into_inner());
        for o in &orders {
            *placed.entry(day_key(o)).or_default() += 1;
        }
        drop(placed);
        self.pending.lock().unwrap_or_else(|e| e.into_inner()).extend(orders);
    }

    /// Takes the orders not yet given to the dispatcher.
    pub fn drain(&self) -> Vec<Order> {
        std::mem::take(&mut *self.pending.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

/// The day an order was placed on (days since the ledger's first midnight) and its
/// household: a household's orders are limited per day.
pub fn day_key(order: &Order) -> (i64, String) {
    ((order.placed_at.get() / crate::clock::DAY_S).floor() as i64, order.household.clone())
}

/// Schema migrations, applied in order; `PRAGMA user_version` counts those applied.
const MIGRATIONS: [&str; 5] = [
    "CREATE TABLE journal (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL CHECK (kind IN ('orders', 'event', 'plan')),
        at_s REAL,
        body TEXT NOT NULL
    );
    CREATE TABLE orders (id TEXT PRIMARY KEY, seq INTEGER NOT NULL REFERENCES journal(seq));
    CREATE TABLE idempotency (
        key TEXT PRIMARY KEY,
        body_sha256 TEXT NOT NULL,
        status INTEGER NOT NULL,
        response TEXT NOT NULL
    );",
    // What the journal replays against: the area, the fleet and the dispatcher's settings.
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);",
    // Events take idempotency keys too: the key is written with the event's journal entry
    // (`seq`, status 0 while its answer is not known yet) and answered once applied.
    "ALTER TABLE idempotency ADD COLUMN seq INTEGER;",
    // Start-up in seconds whatever the history: the plans as served, and the service's state
    // after a journal position (a plan or an event), so only the journal after it replays.
    "CREATE TABLE plans (
        id INTEGER PRIMARY KEY,
        seq INTEGER NOT NULL REFERENCES journal(seq),
        at_s REAL NOT NULL,
        feasible INTEGER NOT NULL,
        body BLOB NOT NULL
    );
    CREATE TABLE checkpoint (seq INTEGER PRIMARY KEY REFERENCES journal(seq), state BLOB NOT NULL);",
    // Orders of past days out of the dispatcher's state: their final status, as served.
    "CREATE TABLE retired (id TEXT PRIMARY KEY, status TEXT NOT NULL);",
];

/// What the journal holds, in acknowledgement order.
#[derive(Clone, Debug, PartialEq)]
pub enum Entry {
    /// A batch of orders, as the orders JSON format.
    Orders(String),
    /// An event at a time, as the event JSON.
    Event(f64, String),
    /// A plan of the cycle starting at a time.
    Plan(f64),
}

/// What the journal's bodies mean: 2 since intake became strict and people are numbered
/// from 1. A journal of another format is refused at start.
pub const FORMAT: u32 = 2;

/// Opens (or creates) the ledger and brings its schema up to date.
pub fn open(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open(path)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    let version: usize = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    for (n, migration) in MIGRATIONS.iter().enumerate().skip(version) {
        let tx = conn.unchecked_transaction()?;
        tx.execute_batch(migration)?;
        tx.pragma_update(None, "user_version", n + 1)?;
        tx.commit()?;
    }
    Ok(conn)
}

/// Records what the journal is replayed against, or checks it against what it was: a
/// journal replayed with another area, fleet or settings would not give back the same plans.
pub fn bind(conn: &Connection, facts: &[(&str, String)]) -> Result<(), String> {
    // A journal written before the format was recorded reads differently now (strict
    // bodies, people numbered from 1): refuse it plainly rather than replay it wrongly.
    let entries: i64 = conn.query_row("SELECT COUNT(*) FROM journal", [], |r| r.get(0)).map_err(|e| e.to_string())?;
    let format: Option<String> = conn
        .query_row("SELECT value FROM meta WHERE key = 'format'", [], |r| r.get(0))
        .optional()
        .map_err(|e| e.to_string())?;
    if entries > 0 && format.is_none() {
        return Err(format!(
            "the ledger was written by an earlier lastmetre (before ledger format {FORMAT}: strict bodies, people numbered from 1); start with a new --db"
        ));
    }
    let format_fact = ("format", FORMAT.to_string());
    for (key, value) in facts.iter().map(|(k, v)| (*k, v)).chain([(format_fact.0, &format_fact.1)]) {
        let stored: Option<String> = conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()
            .map_err(|e| e.to_string())?;
        match stored {
            Some(v) if v != *value => {
                return Err(format!(
                    "the ledger was written with another {key}; start with the same one, or a new --db"
                ));
            }
            Some(_) => {}
            None => {
                conn.execute("INSERT INTO meta (key, value) VALUES (?1, ?2)", params![key, value])
                    .map_err(|e| e.to_string())?;
            }
        }
    }
    Ok(())
}

/// The ledger's first day in the area (`YYYY-MM-DD`): the service's time 0 is its midnight.
/// Recorded at the first start as `today`.
pub fn epoch(conn: &Connection, today: time::Date) -> Result<time::Date, String> {
    let stored: Option<String> = conn
        .query_row("SELECT value FROM meta WHERE key = 'epoch'", [], |r| r.get(0))
        .optional()
        .map_err(|e| e.to_string())?;
    match stored {
        Some(text) => crate::clock::parse_date(&text).ok_or_else(|| format!("its epoch '{text}' is no date")),
        None => {
            let text = crate::clock::format_date(today);
            conn.execute("INSERT INTO meta (key, value) VALUES ('epoch', ?1)", [&text]).map_err(|e| e.to_string())?;
            Ok(today)
        }
    }
}

/// The whole journal, oldest first.
pub fn journal(conn: &Connection) -> rusqlite::Result<Vec<(i64, Entry)>> {
    journal_after(conn, 0)
}

/// The journal after position `seq`, oldest first.
pub fn journal_after(conn: &Connection, seq: i64) -> rusqlite::Result<Vec<(i64, Entry)>> {
    let mut stmt = conn.prepare("SELECT seq, kind, at_s, body FROM journal WHERE seq > ?1 ORDER BY seq")?;
    let rows = stmt.query_map([seq], |r| {
        let (seq, kind, at, body): (i64, String, Option<f64>, String) = (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?);
        let entry = match kind.as_str() {
            "orders" => Entry::Orders(body),
            "event" => Entry::Event(at.unwrap_or(0.0), body),
            _ => Entry::Plan(at.unwrap_or(0.0)),
        };
        Ok((seq, entry))
    })?;
    rows.collect()
}

/// The order batches up to journal position `seq` (inclusive), oldest first.
pub fn orders_until(conn: &Connection, seq: i64) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare("SELECT body FROM journal WHERE kind = 'orders' AND seq <= ?1 ORDER BY seq")?;
    let rows = stmt.query_map([seq], |r| r.get(0))?;
    rows.collect()
}

/// The latest checkpoint: its journal position and state, compressed as written.
pub fn latest_checkpoint(conn: &Connection) -> rusqlite::Result<Option<(i64, Vec<u8>)>> {
    conn.query_row("SELECT seq, state FROM checkpoint ORDER BY seq DESC LIMIT 1", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()
}

/// The final status of every order of past days the dispatcher let go of, by id.
pub fn retired(conn: &Connection) -> rusqlite::Result<HashMap<String, String>> {
    let mut stmt = conn.prepare("SELECT id, status FROM retired")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    rows.collect()
}

/// What the ledger knows of each stored plan: id, journal position, cycle start, feasible.
pub fn plan_index(conn: &Connection) -> rusqlite::Result<Vec<(u32, i64, f64, bool)>> {
    let mut stmt = conn.prepare("SELECT id, seq, at_s, feasible FROM plans ORDER BY id")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
    rows.collect()
}

/// One stored plan, compressed as written.
pub fn stored_plan(conn: &Connection, id: u32) -> rusqlite::Result<Option<Vec<u8>>> {
    conn.query_row("SELECT body FROM plans WHERE id = ?1", [id], |r| r.get(0)).optional()
}

/// Deflates bytes for a checkpoint or a stored plan (MessagePack of JSON-like data shrinks
/// about tenfold).
pub fn deflate(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write as _;
    let mut encoder = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::fast());
    // Writing into a Vec cannot fail.
    let _ = encoder.write_all(bytes);
    encoder.finish().unwrap_or_default()
}

/// Inflates what [`deflate`] made.
pub fn inflate(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    use std::io::Read as _;
    let mut out = Vec::new();
    flate2::read::DeflateDecoder::new(bytes).read_to_end(&mut out)?;
    Ok(out)
}

/// A plan to store: id, journal position of its request, cycle start, feasible, and the plan
/// as served (deflated).
pub type PlanRow = (u32, i64, f64, bool, Vec<u8>);

/// What an idempotency key was first used for: the body's hash, the status and the body of
/// the response.
pub fn idempotent(conn: &Connection, key: &str) -> rusqlite::Result<Option<(String, u16, String)>> {
    conn.query_row("SELECT body_sha256, status, response FROM idempotency WHERE key = ?1", [key], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?))
    })
    .optional()
}

/// The events whose idempotency key is still without its answer (a crash came between the
/// event's commit and its answer): journal position → key.
pub fn unanswered_events(conn: &Connection) -> rusqlite::Result<HashMap<i64, String>> {
    let mut statement = conn.prepare("SELECT seq, key FROM idempotency WHERE status = 0 AND seq IS NOT NULL")?;
    let rows = statement.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    rows.collect()
}

/// Records the answer to an event's idempotency key, once.
pub fn answer(conn: &Connection, key: &str, status: u16, response: &str) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE idempotency SET status = ?2, response = ?3 WHERE key = ?1 AND status = 0",
        params![key, status, response],
    )?;
    Ok(())
}

/// The SHA-256 of a request body, hex.
pub fn sha256(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

/// A request to the writer.
pub enum Write {
    /// Append a batch of orders (and the batch as the client sent it), under an idempotency key
    /// (key, SHA-256 of the request body).
    Orders {
        /// The orders.
        orders: Vec<Order>,
        /// The batch as the client sent it, orders JSON: replay reads it with the same reader.
        body: String,
        /// Idempotency key and body hash.
        idempotency: Option<(String, String)>,
        /// Where the outcome goes.
        reply: oneshot::Sender<OrdersOutcome>,
    },
    /// Append an event, under an idempotency key (key, SHA-256 of the request body).
    Event {
        /// Its time, seconds of the day.
        at: f64,
        /// The event JSON.
        body: String,
        /// Idempotency key and body hash.
        idempotency: Option<(String, String)>,
        /// What became of it.
        reply: oneshot::Sender<EventOutcome>,
    },
    /// The answer to an event's idempotency key, once the event is applied.
    Answer {
        /// The key.
        key: String,
        /// The answer's status.
        status: u16,
        /// The answer's body.
        response: String,
    },
    /// Store plans and the state after journal position `seq` (deflated), replacing the
    /// previous checkpoint, in one transaction.
    Checkpoint {
        /// The journal position the state is after.
        seq: i64,
        /// The state.
        state: Vec<u8>,
        /// Plans made up to `seq` and not stored yet.
        plans: Vec<PlanRow>,
        /// Answers to events' keys given since the previous checkpoint.
        answers: Vec<(String, u16, String)>,
        /// Orders the dispatcher let go of since the previous checkpoint: id, final status.
        retired: Vec<(String, String)>,
    },
    /// Append a plan request; the reply carries the orders acknowledged before it.
    Plan {
        /// Start of the cycle, seconds of the day.
        at: f64,
        /// The journal position and the orders to add before planning, or why not.
        reply: oneshot::Sender<Result<(i64, Vec<Order>), String>>,
    },
}

/// What became of a batch of orders.
#[derive(Debug)]
pub enum OrdersOutcome {
    /// Committed at this journal position.
    Committed(i64),
    /// The idempotency key was seen with the same body: the stored response.
    Repeated {
        /// The first response's status.
        status: u16,
        /// The first response's body.
        response: String,
    },
    /// The idempotency key was seen with another body.
    KeyReused,
    /// An order id is already in the ledger.
    Duplicate(String),
    /// The database failed.
    Failed(String),
}

/// What became of an event.
#[derive(Debug)]
pub enum EventOutcome {
    /// Committed at this journal position, after these acknowledged orders.
    Committed(i64, Vec<Order>),
    /// The idempotency key was seen with the same body and answered: the stored answer.
    Repeated {
        /// The first answer's status.
        status: u16,
        /// The first answer's body.
        response: String,
    },
    /// The idempotency key was seen with the same body, and that event is still being applied.
    InFlight,
    /// The idempotency key was seen with another body.
    KeyReused,
    /// The database failed.
    Failed(String),
}

/// Runs the writer until every sender is dropped.
pub fn writer(mut conn: Connection, requests: mpsc::Receiver<Write>, queue: &Queue) {
    // Once a checkpoint fails to store, later ones are not stored either: a later one would
    // stand for plans, answers and retired orders that the failed one did not store. The
    // next start replays from the last stored checkpoint and makes them all again.
    let mut checkpoints = true;
    while let Ok(first) = requests.recv() {
        let mut batch = vec![first];
        while batch.len() < 512 {
            match requests.try_recv() {
                Ok(more) => batch.push(more),
                Err(_) => break,
            }
        }
        commit_batch(&mut conn, batch, queue, &mut checkpoints);
    }
}

/// What to tell each requester once the transaction is committed.
enum Reply {
    Orders(oneshot::Sender<OrdersOutcome>, OrdersOutcome, Vec<Order>),
    Event(oneshot::Sender<EventOutcome>, EventOutcome),
    Plan(oneshot::Sender<Result<(i64, Vec<Order>), String>>, i64),
}

fn commit_batch(conn: &mut Connection, batch: Vec<Write>, queue: &Queue, checkpoints: &mut bool) {
    let mut replies = Vec::new();
    let mut checkpointed = false;
    let result = (|| -> rusqlite::Result<()> {
        let mut tx = conn.transaction()?;
        for write in batch {
            match write {
                Write::Orders { orders, body, idempotency, reply } => {
                    let ids: Vec<String> = orders.iter().map(|o| o.id.clone()).collect();
                    let outcome = append_orders(&mut tx, &ids, &body, idempotency.as_ref())?;
                    replies.push(Reply::Orders(reply, outcome, orders));
                }
                Write::Event { at, body, idempotency, reply } => {
                    let outcome = append_event(&tx, at, &body, idempotency.as_ref())?;
                    replies.push(Reply::Event(reply, outcome));
                }
                // In a savepoint of its own: an answer that cannot be stored (the service
                // keeps it in memory, and the next start answers from the replay) must not
                // undo the other requests of the batch.
                Write::Answer { key, status, response } => {
                    let sp = tx.savepoint_with_name("answer")?;
                    match answer(&sp, &key, status, &response) {
                        Ok(()) => sp.commit()?,
                        Err(e) => eprintln!("the answer to event key '{key}' was not stored: {e}"),
                    }
                }
                // In a savepoint of its own: a checkpoint that cannot be stored leaves the
                // previous one, and the next start replays a little more.
                Write::Checkpoint { seq, state, plans, answers, retired } => {
                    if !*checkpoints {
                        continue;
                    }
                    let sp = tx.savepoint_with_name("checkpoint")?;
                    match store_checkpoint(&sp, seq, &state, &plans, &answers, &retired) {
                        Ok(()) => {
                            sp.commit()?;
                            checkpointed = true;
                        }
                        Err(e) => {
                            *checkpoints = false;
                            eprintln!(
                                "the checkpoint after journal entry {seq} was not stored ({e}); no more until a restart"
                            );
                        }
                    }
                }
                Write::Plan { at, reply } => {
                    tx.execute("INSERT INTO journal (kind, at_s, body) VALUES ('plan', ?1, '{}')", params![at])?;
                    replies.push(Reply::Plan(reply, tx.last_insert_rowid()));
                }
            }
        }
        tx.commit()
    })();
    match result {
        Ok(()) => {
            // In journal order: orders join the queue, a plan takes what is queued before it.
            for reply in replies {
                match reply {
                    Reply::Orders(tx, outcome, orders) => {
                        if matches!(outcome, OrdersOutcome::Committed(_)) {
                            queue.push(orders);
                        }
                        let _ = tx.send(outcome);
                    }
                    Reply::Event(tx, outcome) => {
                        // Only an event that entered the journal takes the queued orders.
                        let outcome = match outcome {
                            EventOutcome::Committed(seq, _) => EventOutcome::Committed(seq, queue.drain()),
                            other => other,
                        };
                        let _ = tx.send(outcome);
                    }
                    Reply::Plan(tx, seq) => {
                        let _ = tx.send(Ok((seq, queue.drain())));
                    }
                }
            }
        }
        Err(e) => {
            if checkpointed {
                *checkpoints = false;
                eprintln!("a checkpoint was lost with its batch ({e}); no more until a restart");
            }
            // Nothing of the batch was committed: every requester hears so, none is acknowledged.
            let message = format!("the ledger could not commit: {e}");
            for reply in replies {
                match reply {
                    Reply::Orders(tx, _, _) => {
                        let _ = tx.send(OrdersOutcome::Failed(message.clone()));
                    }
                    Reply::Event(tx, _) => {
                        let _ = tx.send(EventOutcome::Failed(message.clone()));
                    }
                    Reply::Plan(tx, _) => {
                        let _ = tx.send(Err(message.clone()));
                    }
                }
            }
        }
    }
}

/// Stores plans, the answers to events' keys given since the previous checkpoint, and the
/// state after journal position `seq`, replacing older checkpoints: a checkpoint stands only
/// with every answer and plan up to it.
pub fn store_checkpoint(
    tx: &Connection,
    seq: i64,
    state: &[u8],
    plans: &[PlanRow],
    answers: &[(String, u16, String)],
    retired: &[(String, String)],
) -> rusqlite::Result<()> {
    for (key, status, response) in answers {
        answer(tx, key, *status, response)?;
    }
    for (id, status) in retired {
        tx.execute("INSERT OR REPLACE INTO retired (id, status) VALUES (?1, ?2)", params![id, status])?;
    }
    for (id, plan_seq, at, feasible, body) in plans {
        tx.execute(
            "INSERT OR REPLACE INTO plans (id, seq, at_s, feasible, body) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![id, plan_seq, at, feasible, body],
        )?;
    }
    tx.execute("DELETE FROM checkpoint WHERE seq < ?1", [seq])?;
    tx.execute("INSERT OR REPLACE INTO checkpoint (seq, state) VALUES (?1, ?2)", params![seq, state])?;
    Ok(())
}

fn append_event(
    tx: &rusqlite::Transaction,
    at: f64,
    body: &str,
    idempotency: Option<&(String, String)>,
) -> rusqlite::Result<EventOutcome> {
    if let Some((key, hash)) = idempotency
        && let Some((seen_hash, status, response)) = idempotent(tx, key)?
    {
        return Ok(match (seen_hash == *hash, status) {
            (false, _) => EventOutcome::KeyReused,
            (true, 0) => EventOutcome::InFlight,
            (true, status) => EventOutcome::Repeated { status, response },
        });
    }
    tx.execute("INSERT INTO journal (kind, at_s, body) VALUES ('event', ?1, ?2)", params![at, body])?;
    let seq = tx.last_insert_rowid();
    if let Some((key, hash)) = idempotency {
        tx.execute(
            "INSERT INTO idempotency (key, body_sha256, status, response, seq) VALUES (?1, ?2, 0, '', ?3)",
            params![key, hash, seq],
        )?;
    }
    Ok(EventOutcome::Committed(seq, Vec::new()))
}

fn append_orders(
    tx: &mut rusqlite::Transaction,
    ids: &[String],
    body: &str,
    idempotency: Option<&(String, String)>,
) -> rusqlite::Result<OrdersOutcome> {
    if let Some((key, hash)) = idempotency
        && let Some((seen_hash, status, response)) = idempotent(tx, key)?
    {
        return Ok(if &seen_hash == hash {
            OrdersOutcome::Repeated { status, response }
        } else {
            OrdersOutcome::KeyReused
        });
    }
    // Each batch in a savepoint: a duplicate id undoes this batch only.
    let sp = tx.savepoint_with_name("batch")?;
    sp.execute("INSERT INTO journal (kind, body) VALUES ('orders', ?1)", [body])?;
    let seq = sp.last_insert_rowid();
    for id in ids {
        let taken: bool = sp.query_row("SELECT EXISTS(SELECT 1 FROM orders WHERE id = ?1)", [id], |r| r.get(0))?;
        if taken {
            // Dropping the savepoint rolls this batch back.
            return Ok(OrdersOutcome::Duplicate(id.clone()));
        }
        sp.execute("INSERT INTO orders (id, seq) VALUES (?1, ?2)", params![id, seq])?;
    }
    if let Some((key, hash)) = idempotency {
        let response = accepted_response(ids, seq);
        sp.execute(
            "INSERT INTO idempotency (key, body_sha256, status, response) VALUES (?1, ?2, 201, ?3)",
            params![key, hash, response],
        )?;
    }
    sp.commit()?;
    Ok(OrdersOutcome::Committed(seq))
}

/// The body of a 201 for an accepted batch (also what a repeated idempotent request gets).
pub fn accepted_response(ids: &[String], seq: i64) -> String {
    serde_json::json!({ "accepted": ids.len(), "ids": ids, "seq": seq }).to_string()
}
