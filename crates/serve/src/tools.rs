//! Ledger tools for the command post: an online backup while the service runs, a check of a
//! ledger's integrity and of its journal's consistency, and a day's orders, deliveries and
//! failed deliveries as CSV for the district's daily report.

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

/// What a day's export wrote.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Exported {
    /// Orders placed that day.
    pub orders: usize,
    /// Deliveries reported that day.
    pub deliveries: usize,
    /// Failed deliveries reported that day.
    pub failed: usize,
}

/// Writes `orders.csv` (placed on `day`), `deliveries.csv` and `failed.csv` (reported on
/// `day`) into `out`, from the journal alone, times in RFC 3339 on the area's clock.
/// `day` is `YYYY-MM-DD` in the area's time zone. Events the dispatcher refused are in the
/// journal too; the export names what the field reported.
pub fn export_day(db: &Path, day: &str, out: &Path) -> Result<Exported, Unusable> {
    let conn = open_existing(db)?;
    let fail = |e: &dyn std::fmt::Display| Unusable(format!("{}: {e}", db.display()));
    let date =
        crate::clock::parse_date(day).ok_or_else(|| Unusable(format!("--day {day}: not a date such as 2026-12-01")))?;
    let meta = |key: &str| -> Result<Option<String>, Unusable> {
        conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0)).optional().map_err(|e| fail(&e))
    };
    let (Some(epoch), Some(offset)) = (meta("epoch")?, meta("utc_offset")?) else {
        return Err(Unusable(format!(
            "{}: the ledger records no epoch or time zone (written before weeks of real time); its days cannot be told apart",
            db.display()
        )));
    };
    let epoch = crate::clock::parse_date(&epoch).ok_or_else(|| fail(&"its epoch is no date"))?;
    let offset = crate::clock::parse_offset(&offset).ok_or_else(|| fail(&"its time zone does not read"))?;
    let clock = crate::clock::Clock::new(offset, epoch);
    let start = clock.day_start(date);
    let in_day = |t: f64| (start..start + crate::clock::DAY_S).contains(&t);
    std::fs::create_dir_all(out).map_err(|e| Unusable(format!("{}: {e}", out.display())))?;
    let writer = |name: &str| {
        csv::Writer::from_path(out.join(name)).map_err(|e| Unusable(format!("{}: {e}", out.join(name).display())))
    };
    let (mut orders, mut deliveries, mut failed) =
        (writer("orders.csv")?, writer("deliveries.csv")?, writer("failed.csv")?);
    let write_error = |e: csv::Error| Unusable(format!("{}: {e}", out.display()));
    orders
        .write_record(["order_id", "household", "priority", "placed_at", "bags", "kg", "station", "seq"])
        .map_err(write_error)?;
    deliveries.write_record(["order_id", "bags", "at", "seq"]).map_err(write_error)?;
    failed.write_record(["order_id", "bags", "reason", "at", "seq"]).map_err(write_error)?;
    let mut count = Exported::default();
    let bags_of = |bags: &[usize]| {
        if bags.is_empty() {
            "all".to_owned()
        } else {
            bags.iter().map(|b| b.to_string()).collect::<Vec<_>>().join(" ")
        }
    };
    for (seq, entry) in ledger::journal(&conn).map_err(|e| fail(&e))? {
        match entry {
            Entry::Orders(body) => {
                let (read, _) = lastmetre::formats::read_orders_json(body.as_bytes());
                for o in read.iter().filter(|o| in_day(o.placed_at.get())) {
                    let kg: f64 = o.bags.iter().map(|b| b.kg.get()).sum();
                    orders
                        .write_record([
                            o.id.as_str(),
                            &o.household,
                            o.priority.as_str(),
                            &clock.format(o.placed_at.get()),
                            &o.bags.len().to_string(),
                            &format!("{kg:.1}"),
                            o.station.as_deref().unwrap_or(""),
                            &seq.to_string(),
                        ])
                        .map_err(write_error)?;
                    count.orders += 1;
                }
            }
            Entry::Event(at, body) if in_day(at) => match serde_json::from_str::<lastmetre::Event>(&body) {
                Ok(lastmetre::Event::Delivered { order, bags }) => {
                    deliveries
                        .write_record([&order, &bags_of(&bags), &clock.format(at), &seq.to_string()])
                        .map_err(write_error)?;
                    count.deliveries += 1;
                }
                Ok(lastmetre::Event::DeliveryFailed { order, bags, reason }) => {
                    let reason = serde_json::to_value(reason)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default();
                    failed
                        .write_record([&order, &bags_of(&bags), &reason, &clock.format(at), &seq.to_string()])
                        .map_err(write_error)?;
                    count.failed += 1;
                }
                _ => {}
            },
            _ => {}
        }
    }
    for w in [&mut orders, &mut deliveries, &mut failed] {
        w.flush().map_err(|e| Unusable(format!("{}: {e}", out.display())))?;
    }
    Ok(count)
}
