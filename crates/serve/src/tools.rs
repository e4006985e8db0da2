//! Ledger tools for the command post: an online backup while the service runs, and a check
//! of a ledger's integrity and of its journal's consistency.

use crate::ledger::{self, Entry};
use rusqlite::backup::Backup;
use rusqlite::{Connection, OpenFlags, OptionalExtension};
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::time::Duration;

/// What a backup copied.
#[derive(Clone, Debug, PartialEq)]
pub struct Copied {
    /// Journal entries in the copy.
    pub entries: usize,
    /// Orders in the copy.
    pub orders: i64,
}

/// Why a ledger cannot be used at all.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Unusable(pub String);

/// Opens an existing ledger without changing it (no migration, no new file).
fn open_existing(db: &Path) -> Result<Connection, Unusable> {
    if !db.is_file() {
        return Err(Unusable(format!("{}: no such ledger file", db.display())));
    }
    let conn = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX)
        .map_err(|e| Unusable(format!("{}: {e}", db.display())))?;
    let tables: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN ('journal', 'orders', 'idempotency')",
            [],
            |r| r.get(0),
        )
        .map_err(|e| Unusable(format!("{}: not an SQLite database ({e})", db.display())))?;
    if tables != 3 {
        return Err(Unusable(format!(
            "{}: not a lastmetre ledger (no journal, orders and idempotency tables)",
            db.display()
        )));
    }
    Ok(conn)
}

/// Copies the ledger `db` to `out` through SQLite's online backup API, page by page, while
/// the service may go on writing: the copy is a consistent snapshot. `out` must not exist.
/// The copy is checked before the answer.
pub fn backup(db: &Path, out: &Path) -> Result<Copied, Unusable> {
    if out.exists() {
        return Err(Unusable(format!("{}: exists already; remove it or name another file", out.display())));
    }
    let source = open_existing(db)?;
    let mut copy = Connection::open(out).map_err(|e| Unusable(format!("{}: {e}", out.display())))?;
    Backup::new(&source, &mut copy)
        .and_then(|b| b.run_to_completion(256, Duration::from_millis(5), None))
        .map_err(|e| Unusable(format!("the backup of {} failed: {e}", db.display())))?;
    // A copy in WAL mode would need its -wal file beside it; a backup is one file.
    copy.pragma_update(None, "journal_mode", "DELETE").map_err(|e| Unusable(e.to_string()))?;
    let health = check_connection(&copy).map_err(|e| Unusable(format!("{}: {e}", out.display())))?;
    if !health.problems.is_empty() {
        return Err(Unusable(format!("the copy {} does not check: {}", out.display(), health.problems.join("; "))));
    }
    Ok(Copied { entries: health.entries, orders: health.orders })
}

/// A ledger's health.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Health {
    /// Journal entries.
    pub entries: usize,
    /// Orders acknowledged.
    pub orders: i64,
    /// Events whose idempotency key waits for its answer (the next start gives it).
    pub unanswered: usize,
    /// What is wrong, each naming the journal entry or the order at fault.
    pub problems: Vec<String>,
}

/// Checks the ledger `db`: SQLite's integrity check, then the journal against itself (every
/// orders body reads, and its ids are the orders that point at it; events read; plans keep
/// time's order; idempotency keys of events point at events; stored plans and the checkpoint
/// point at their entries and inflate).
pub fn check(db: &Path) -> Result<Health, Unusable> {
    let conn = open_existing(db)?;
    check_connection(&conn).map_err(|e| Unusable(format!("{}: {e}", db.display())))
}

fn check_connection(conn: &Connection) -> rusqlite::Result<Health> {
    let mut health = Health::default();
    let integrity: Vec<String> =
        conn.prepare("PRAGMA integrity_check")?.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
    if integrity != ["ok"] {
        health.problems.extend(integrity.into_iter().map(|line| format!("SQLite integrity: {line}")));
        return Ok(health);
    }
    let format: Option<String> =
        conn.query_row("SELECT value FROM meta WHERE key = 'format'", [], |r| r.get(0)).optional().unwrap_or(None);
    let journal = ledger::journal(conn)?;
    health.entries = journal.len();
    if !journal.is_empty() && format.as_deref() != Some(&ledger::FORMAT.to_string()) {
        health.problems.push(format!(
            "the ledger's format is {}, not {}: this lastmetre does not replay it",
            format.as_deref().unwrap_or("not recorded"),
            ledger::FORMAT
        ));
    }
    // Which entry each acknowledged order points at.
    let pointed: HashMap<String, i64> = conn
        .prepare("SELECT id, seq FROM orders")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    health.orders = pointed.len() as i64;
    let mut in_bodies: HashSet<(String, i64)> = HashSet::new();
    let mut last_plan: Option<f64> = None;
    let mut kinds: HashMap<i64, &'static str> = HashMap::new();
    for (seq, entry) in &journal {
        match entry {
            Entry::Orders(body) => {
                kinds.insert(*seq, "orders");
                let (orders, problems) = lastmetre::formats::read_orders_json(body.as_bytes());
                if let Some(p) = problems.first() {
                    health.problems.push(format!("journal entry {seq}: its orders do not read: {}", p.message));
                    continue;
                }
                for o in &orders {
                    in_bodies.insert((o.id.clone(), *seq));
                    match pointed.get(&o.id) {
                        Some(at) if at == seq => {}
                        Some(at) => health.problems.push(format!(
                            "journal entry {seq}: order '{}' is recorded as acknowledged at entry {at}",
                            o.id
                        )),
                        None => health
                            .problems
                            .push(format!("journal entry {seq}: order '{}' is not in the orders table", o.id)),
                    }
                }
            }
            Entry::Event(_, body) => {
                kinds.insert(*seq, "event");
                if let Err(e) = serde_json::from_str::<lastmetre::Event>(body) {
                    health.problems.push(format!("journal entry {seq}: the event does not read: {e}"));
                }
            }
            Entry::Plan(at) => {
                kinds.insert(*seq, "plan");
                if last_plan.is_some_and(|last| *at < last) {
                    health.problems.push(format!("journal entry {seq}: a plan earlier than the plan before it"));
                }
                last_plan = Some(*at);
            }
        }
    }
    let mut strays: Vec<(&String, &i64)> =
        pointed.iter().filter(|(id, seq)| !in_bodies.contains(&((*id).clone(), **seq))).collect();
    strays.sort();
    for (id, seq) in strays {
        health.problems.push(format!("order '{id}' points at journal entry {seq}, which does not hold it"));
    }
    let keys: Vec<(String, i64, Option<i64>)> = conn
        .prepare("SELECT key, status, seq FROM idempotency")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    check_stored(conn, &kinds, &mut health)?;
    for (key, status, seq) in keys {
        if let Some(seq) = seq {
            if kinds.get(&seq) != Some(&"event") {
                health
                    .problems
                    .push(format!("idempotency key '{key}' points at journal entry {seq}, which is no event"));
            } else if status == 0 {
                health.unanswered += 1;
            }
        }
    }
    Ok(health)
}

/// Stored plans point at plan requests and the checkpoint at a plan or an event, and both
/// inflate. A ledger written before checkpoints has neither table: nothing to check.
fn check_stored(conn: &Connection, kinds: &HashMap<i64, &'static str>, health: &mut Health) -> rusqlite::Result<()> {
    let tables: i64 = conn.query_row(
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN ('plans', 'checkpoint')",
        [],
        |r| r.get(0),
    )?;
    if tables < 2 {
        return Ok(());
    }
    let plans: Vec<(u32, i64, Vec<u8>)> = conn
        .prepare("SELECT id, seq, body FROM plans ORDER BY id")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    for (id, seq, body) in plans {
        if kinds.get(&seq) != Some(&"plan") {
            health.problems.push(format!("stored plan {id} points at journal entry {seq}, which is no plan request"));
        } else if ledger::inflate(&body).is_err() {
            health.problems.push(format!("stored plan {id} is damaged (it does not inflate)"));
        }
    }
    if let Some((seq, state)) = ledger::latest_checkpoint(conn)? {
        if !matches!(kinds.get(&seq), Some(&"plan") | Some(&"event")) {
            health.problems.push(format!("the checkpoint points at journal entry {seq}, which is no plan or event"));
        } else if ledger::inflate(&state).is_err() {
            health.problems.push(format!(
                "the checkpoint after journal entry {seq} is damaged (it does not inflate); the next start replays the whole journal"
            ));
        }
    }
    Ok(())
}
