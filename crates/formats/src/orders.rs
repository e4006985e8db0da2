//! Orders in JSON and CSV (docs/orders-format.md), and the fleet file (docs/fleet-format.md).

use lastmetre_area::{AddressBook, AddressError, Code, PART_SEPARATOR, Problem};
use lastmetre_model::{Bag, Fleet, Kg, Litres, Order, Priority, Seconds};
use serde::Deserialize;
use serde_json::Value;

/// Most orders in one batch file.
pub const MAX_ORDERS: usize = 1_000_000;

/// Most columns and cells a spreadsheet of orders may have.
const MAX_COLUMNS: u32 = 64;
const MAX_CELLS: usize = 10_000_000;
/// Most bytes a workbook may unpack to: a list of 100,000 orders is about 20 MB of XML, and a
/// small file that would unpack to gigabytes (a zip bomb) is refused before it is read.
const MAX_UNPACKED: u64 = 64 * 1024 * 1024;

/// What a workbook's parts declare they unpack to (the zip reader reads no more of a part
/// than it declares).
fn unpacked_size(bytes: &[u8]) -> Result<u64, String> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| e.to_string())?;
    let mut total = 0u64;
    for i in 0..archive.len() {
        total = total.saturating_add(archive.by_index_raw(i).map_err(|e| e.to_string())?.size());
    }
    Ok(total)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBag {
    kg: f64,
    #[serde(default)]
    litres: f64,
    #[serde(default)]
    label: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOrder {
    id: Value,
    /// A household id, or an address; or the address's parts below.
    #[serde(default)]
    household: Option<Value>,
    #[serde(default)]
    address: Option<String>,
    #[serde(default)]
    building: Option<Value>,
    #[serde(default)]
    unit: Option<Value>,
    #[serde(default)]
    door: Option<Value>,
    bags: Vec<RawBag>,
    #[serde(default = "normal")]
    priority: Priority,
    placed_at: Value,
    #[serde(default)]
    station: Option<String>,
}

fn normal() -> Priority {
    Priority::Normal
}

/// An id written as text, or as a whole number small enough to keep exactly.
fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) if n.is_u64() || n.is_i64() => Some(n.to_string()),
        _ => None,
    }
}

/// The parts of an address given apart, as one text [`AddressBook::resolve`] reads.
fn joined(building: &str, unit: Option<&str>, door: &str) -> String {
    let sep = PART_SEPARATOR.to_string();
    match unit {
        Some(u) => [building, u, door].join(&sep),
        None => [building, door].join(&sep),
    }
}

/// An address as a person reads it back.
fn shown(written: &str) -> String {
    written.replace(PART_SEPARATOR, " ")
}

/// How an order named its household.
#[derive(Clone, Copy, PartialEq)]
enum Named {
    /// In the `household` field: an id, or else an address.
    Household,
    /// In `address`, or in parts.
    Address,
}

/// The household `written` names, through `book` when there is one (ids pass as they are);
/// the problem names `order` and `at` (a line, or a JSON pointer), with the closest addresses
/// (also in `related`, separated by " / ").
/// A `household` that reads as no address (no 号楼, 单元, 室, …) stays as it is, for the
/// area's check to refuse as an unknown household (E303).
fn household_of(
    book: Option<&AddressBook>,
    (written, named): (String, Named),
    order: &str,
    at: &str,
) -> Result<String, Problem> {
    let Some(book) = book else { return Ok(written) };
    book.resolve(&written)
        .or_else(|e| match e {
            AddressError::NotFound if named == Named::Household && !AddressBook::looks_like_address(&written) => {
                Ok(written.clone())
            }
            e => Err(e),
        })
        .map_err(|e| match e {
            AddressError::NotFound => {
                let closest = book.closest(&written).join(" / ");
                let message = format!("{at}: no household at '{}'; the closest: {closest}", shown(&written));
                // The closest addresses also as data (`related`), for a page to list in its words.
                Problem { related: Some(closest), ..Problem::new(Code::UnknownAddress, Some(order), message) }
            }
            AddressError::Ambiguous { households } => Problem::new(
                Code::AmbiguousAddress,
                Some(order),
                format!("{at}: '{}' names several households: {}", shown(&written), households.join(", ")),
            ),
        })
}

/// A serde message in the words of the file format, not of the Rust types behind it.
pub fn plain(message: &str) -> String {
    message
        .replace("struct RawOrder", "an order object")
        .replace("struct RawBag", "a bag object")
        .replace("usize", "a whole number")
        .replace("u64", "a whole number")
        .replace("u32", "a whole number")
        .replace("f64", "a number")
}

/// A time of day: `"HH:MM"`, `"HH:MM:SS"`, an RFC 3339 date-time (its local time is used), or
/// seconds since midnight.
pub fn parse_time(v: &str) -> Option<Seconds> {
    let v = v.trim();
    if !v.is_ascii() {
        return None;
    }
    if let Ok(s) = v.parse::<f64>() {
        return (s.is_finite() && (0.0..=36_500.0 * 86_400.0).contains(&s)).then_some(Seconds(s));
    }
    let clock = match v.find('T') {
        Some(t) => &v[t + 1..],
        None => v,
    };
    let clock = clock.split(['+', 'Z', 'z']).next()?;
    let clock = if clock.len() > 8 && clock[8..].starts_with('-') { &clock[..8] } else { clock };
    let parts: Vec<&str> = clock.split(':').collect();
    if !(2..=3).contains(&parts.len()) {
        return None;
    }
    let h: u32 = parts[0].parse().ok()?;
    let m: u32 = parts[1].parse().ok()?;
    let s: f64 = parts.get(2).map_or(Some(0.0), |s| s.parse().ok())?;
    (h < 24 && m < 60 && (0.0..60.0).contains(&s)).then(|| Seconds(f64::from(h * 3600 + m * 60) + s))
}

/// `HH:MM:SS` for a time of day in seconds (of any day: 90,000 s is 01:00:00).
pub fn format_time(s: f64) -> String {
    let s = s.max(0.0).round() as u64 % 86_400;
    format!("{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

/// `HH:MM` for a time of day in seconds (of any day).
pub fn format_clock(s: f64) -> String {
    let s = s.max(0.0).round() as u64 % 86_400;
    format!("{:02}:{:02}", s / 3600, s / 60 % 60)
}

/// Reads orders from JSON: `{"orders": [...]}` or a bare array. Every order that cannot be
/// read is reported with its id (or position).
pub fn read_orders_json(bytes: &[u8]) -> (Vec<Order>, Vec<Problem>) {
    read_orders_json_in(bytes, None)
}

/// [`read_orders_json`], with addresses resolved to households in `book`'s area.
pub fn read_orders_json_in(bytes: &[u8], book: Option<&AddressBook>) -> (Vec<Order>, Vec<Problem>) {
    match crate::strict::parse(bytes) {
        Ok(root) => read_orders_value_in(root, book),
        Err(e) => {
            let message = format!("not valid JSON at line {}, column {}: {e}", e.line(), e.column());
            (Vec::new(), vec![Problem::new(Code::MalformedOrder, None, message)])
        }
    }
}

/// [`read_orders_json`] for JSON already read (strictly: [`crate::strict::parse`]).
pub fn read_orders_value(root: Value) -> (Vec<Order>, Vec<Problem>) {
    read_orders_value_in(root, None)
}

/// [`read_orders_value`], with addresses resolved to households in `book`'s area.
pub fn read_orders_value_in(root: Value, book: Option<&AddressBook>) -> (Vec<Order>, Vec<Problem>) {
    let mut problems = Vec::new();
    let list = match root {
        Value::Array(list) => Some(list),
        Value::Object(mut map) => {
            if let Some(other) = map.keys().find(|k| *k != "orders") {
                let message = format!("/{other}: unknown field; a batch is {{\"orders\": [...]}} and nothing else");
                problems.push(Problem::new(Code::MalformedOrder, None, message));
                return (Vec::new(), problems);
            }
            match map.remove("orders") {
                Some(Value::Array(list)) => Some(list),
                _ => None,
            }
        }
        _ => None,
    };
    let Some(list) = list else {
        problems.push(Problem::new(Code::MalformedOrder, None, "expected {\"orders\": [...]} or an array of orders"));
        return (Vec::new(), problems);
    };
    if list.len() > MAX_ORDERS {
        problems.push(Problem::new(Code::TooLarge, None, format!("{} orders; the limit is {MAX_ORDERS}", list.len())));
        return (Vec::new(), problems);
    }
    let mut orders = Vec::new();
    for (n, value) in list.into_iter().enumerate() {
        let label = value.get("id").and_then(text).unwrap_or_else(|| format!("order #{}", n + 1));
        if !value.is_object() {
            let message =
                format!("order {label} (/orders/{n}) is not an object such as {{\"id\": …, \"household\": …}}");
            problems.push(Problem::new(Code::MalformedOrder, Some(&label), message));
            continue;
        }
        let raw: RawOrder = match serde_path_to_error::deserialize(value) {
            Ok(r) => r,
            Err(e) => {
                let mut at = format!("/orders/{n}");
                for segment in e.path() {
                    match segment {
                        serde_path_to_error::Segment::Seq { index } => at.push_str(&format!("/{index}")),
                        serde_path_to_error::Segment::Map { key } => {
                            at.push('/');
                            at.push_str(&key.replace('~', "~0").replace('/', "~1"));
                        }
                        _ => {}
                    }
                }
                let message = format!("order {label}, at {at}: {}", plain(&e.inner().to_string()));
                problems.push(Problem::new(Code::MalformedOrder, Some(&label), message));
                continue;
            }
        };
        match order(&label, raw, book, &format!("/orders/{n}")) {
            Ok(o) => orders.push(o),
            Err(p) => problems.push(p),
        }
    }
    (orders, problems)
}

fn order(label: &str, raw: RawOrder, book: Option<&AddressBook>, at: &str) -> Result<Order, Problem> {
    let bad = |m: String| Problem::new(Code::MalformedOrder, Some(label), m);
    let id = text(&raw.id).ok_or_else(|| {
        bad(format!("order {label}: id must be text, or a whole number that fits 64 bits; write it in quotes"))
    })?;
    let parts = [&raw.building, &raw.unit, &raw.door].map(|p| p.as_ref().and_then(text));
    let written = match (&raw.household, &raw.address, &parts) {
        (Some(h), None, [None, None, None]) => text(h).map(|h| (h, Named::Household)),
        (None, Some(a), [None, None, None]) => {
            Some(a.trim().to_owned()).filter(|a| !a.is_empty()).map(|a| (a, Named::Address))
        }
        (None, None, [Some(b), u, Some(d)]) => Some((joined(b, u.as_deref(), d), Named::Address)),
        _ => None,
    }
    .ok_or_else(|| {
        bad(format!(
            "order {label}: name the household once: its id (household), its address (address), or building, unit and door"
        ))
    })?;
    let household = household_of(book, written, &id, &format!("order {id} ({at})"))?;
    let placed_at = match &raw.placed_at {
        Value::String(s) => parse_time(s),
        Value::Number(n) => n.as_f64().and_then(|s| parse_time(&s.to_string())),
        _ => None,
    }
    .ok_or_else(|| bad(format!("order {label}: placed_at {} is not a time such as \"11:05\"", raw.placed_at)))?;
    let bags = raw.bags.into_iter().map(|b| Bag { kg: Kg(b.kg), litres: Litres(b.litres), label: b.label }).collect();
    Ok(Order { id, household, bags, priority: raw.priority, placed_at, station: raw.station })
}

/// A CSV row, under English or Chinese headers.
#[derive(Deserialize)]
struct CsvRow {
    #[serde(alias = "订单号", alias = "订单编号")]
    order_id: String,
    #[serde(default, alias = "住户")]
    household: Option<String>,
    #[serde(default, alias = "地址")]
    address: Option<String>,
    #[serde(default, alias = "楼号", alias = "楼栋")]
    building: Option<String>,
    #[serde(default, alias = "单元")]
    unit: Option<String>,
    #[serde(default, alias = "门牌", alias = "门牌号", alias = "房号")]
    door: Option<String>,
    #[serde(default, alias = "优先级")]
    priority: Option<String>,
    #[serde(alias = "下单时间")]
    placed_at: String,
    #[serde(alias = "重量", alias = "公斤")]
    kg: f64,
    #[serde(default, alias = "体积", alias = "升")]
    litres: Option<f64>,
    #[serde(default, alias = "物品", alias = "品名")]
    label: Option<String>,
    #[serde(default, alias = "站点", alias = "中转站")]
    station: Option<String>,
}

impl CsvRow {
    /// What the row names the household by: an id, an address, or its parts.
    fn written(&self) -> Option<(String, Named)> {
        let some = |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
        match (some(&self.household), some(&self.address), some(&self.building), some(&self.unit), some(&self.door)) {
            (Some(h), None, None, None, None) => Some((h, Named::Household)),
            (None, Some(a), None, None, None) => Some((a, Named::Address)),
            (None, None, Some(b), u, Some(d)) => Some((joined(&b, u.as_deref(), &d), Named::Address)),
            _ => None,
        }
    }
}

/// Reads orders from CSV, one row per bag; rows with the same `order_id` are one order.
/// Problems name the line.
pub fn read_orders_csv(bytes: &[u8]) -> (Vec<Order>, Vec<Problem>) {
    read_orders_csv_in(bytes, None)
}

/// [`read_orders_csv`], with addresses resolved to households in `book`'s area. Headers may
/// be English or Chinese (订单号, 住户 or 地址 or 楼号/单元/门牌, 优先级, 下单时间, 重量, 体积,
/// 物品, 站点); priorities too (普通, 特需, 药品).
pub fn read_orders_csv_in(bytes: &[u8], book: Option<&AddressBook>) -> (Vec<Order>, Vec<Problem>) {
    let mut problems = Vec::new();
    let mut orders: Vec<Order> = Vec::new();
    let mut index = std::collections::HashMap::new();
    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(bytes);
    let headers = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            problems.push(Problem::new(Code::MalformedOrder, Some("line 1"), format!("line 1: {e}")));
            return (orders, problems);
        }
    };
    for (n, record) in reader.records().enumerate() {
        // A blank row (a spreadsheet's empty line) holds no order.
        if record.as_ref().is_ok_and(|r| r.iter().all(str::is_empty)) {
            continue;
        }
        let row = match record.and_then(|r| r.deserialize::<CsvRow>(Some(&headers))) {
            Ok(r) => r,
            Err(e) => {
                // Counted by rows, as a spreadsheet counts them (a line break inside a quoted
                // cell does not shift the rows after it).
                let line = n as u64 + 2;
                problems.push(Problem::new(
                    Code::MalformedOrder,
                    Some(&format!("line {line}")),
                    format!("line {line}: {e}"),
                ));
                continue;
            }
        };
        let line = format!("line {}", n + 2);
        if orders.len() >= MAX_ORDERS {
            problems.push(Problem::new(Code::TooLarge, Some(&line), format!("more than {MAX_ORDERS} orders")));
            break;
        }
        let Some(written) = row.written() else {
            problems.push(Problem::new(
                Code::MalformedOrder,
                Some(&row.order_id),
                format!("{line}: name the household once: household, address, or building, unit and door"),
            ));
            continue;
        };
        let household = match household_of(book, written, &row.order_id, &line) {
            Ok(h) => h,
            Err(p) => {
                problems.push(p);
                continue;
            }
        };
        let priority = match row.priority.as_deref().map(str::trim).unwrap_or("normal") {
            "" | "normal" | "普通" => Priority::Normal,
            "need" | "特需" | "急需" => Priority::Need,
            "medicine" | "药品" | "药" => Priority::Medicine,
            other => {
                problems.push(Problem::new(
                    Code::MalformedOrder,
                    Some(&row.order_id),
                    format!("{line}: priority '{other}' is not medicine, need or normal"),
                ));
                continue;
            }
        };
        let Some(placed_at) = parse_time(&row.placed_at) else {
            problems.push(Problem::new(
                Code::MalformedOrder,
                Some(&row.order_id),
                format!("{line}: placed_at '{}' is not a time such as 11:05", row.placed_at),
            ));
            continue;
        };
        let bag = Bag {
            kg: Kg(row.kg),
            litres: Litres(row.litres.unwrap_or(0.0)),
            label: row.label.filter(|l| !l.is_empty()),
        };
        let station = row.station.filter(|s| !s.is_empty());
        match index.get(&row.order_id) {
            Some(&i) => {
                let o: &mut Order = &mut orders[i];
                if o.household != household || o.priority != priority || o.station != station {
                    problems.push(Problem::new(
                        Code::MalformedOrder,
                        Some(&row.order_id),
                        format!("{line}: order {} already has another household, priority or station", row.order_id),
                    ));
                    continue;
                }
                o.bags.push(bag);
            }
            None => {
                index.insert(row.order_id.clone(), orders.len());
                orders.push(Order { id: row.order_id, household, bags: vec![bag], priority, placed_at, station });
            }
        }
    }
    (orders, problems)
}

/// Reads orders from a spreadsheet (XLSX, the first sheet): the same columns and rules as
/// [`read_orders_csv_in`], the first used row the headers; problems name the row as "line
/// N", as the spreadsheet numbers it. Cells of the time column read as clock times. Cells are
/// read one by one, at most 1,000,000 rows, 64 columns and 10,000,000 cells.
pub fn read_orders_xlsx_in(bytes: &[u8], book: Option<&AddressBook>) -> (Vec<Order>, Vec<Problem>) {
    use calamine::{Data, Reader, Xlsx};
    let unreadable = |why: String| {
        (Vec::new(), vec![Problem::new(Code::MalformedOrder, None, format!("the spreadsheet cannot be read: {why}"))])
    };
    match unpacked_size(bytes) {
        Ok(n) if n > MAX_UNPACKED => {
            return unreadable(format!(
                "it unpacks to {} MB, more than the {} MB an order list needs",
                n >> 20,
                MAX_UNPACKED >> 20
            ));
        }
        Ok(_) => {}
        Err(e) => return unreadable(e),
    }
    let mut workbook: Xlsx<_> = match calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)) {
        Ok(w) => w,
        Err(e) => return unreadable(e.to_string()),
    };
    let Some(first) = workbook.sheet_names().first().cloned() else {
        return unreadable("it has no sheet".to_owned());
    };
    // Cell by cell, within bounds: a sheet that claims a huge size is refused before any
    // grid is laid out.
    let mut cells: std::collections::BTreeMap<(u32, u32), Data> = std::collections::BTreeMap::new();
    {
        let mut reader = match workbook.worksheet_cells_reader(&first) {
            Ok(r) => r,
            Err(e) => return unreadable(e.to_string()),
        };
        loop {
            let cell = match reader.next_cell() {
                Ok(Some(cell)) => cell,
                Ok(None) => break,
                Err(e) => return unreadable(e.to_string()),
            };
            let (row, column) = cell.get_position();
            if row as usize > MAX_ORDERS || column >= MAX_COLUMNS || cells.len() >= MAX_CELLS {
                let message = format!(
                    "the sheet is larger than {MAX_ORDERS} rows, {MAX_COLUMNS} columns or {MAX_CELLS} cells (row {}, column {})",
                    u64::from(row) + 1,
                    u64::from(column) + 1
                );
                return (Vec::new(), vec![Problem::new(Code::TooLarge, None, message)]);
            }
            let value: Data = cell.get_value().clone().into();
            if value != Data::Empty {
                cells.insert((row, column), value);
            }
        }
    }
    let Some(top) = cells.keys().next().map(|k| k.0) else {
        return unreadable("its first sheet is empty".to_owned());
    };
    let bottom = cells.keys().next_back().map_or(top, |k| k.0);
    let width = cells.keys().map(|k| k.1).max().map_or(0, |c| c + 1);
    let empty = Data::Empty;
    let rows: Vec<Vec<&Data>> =
        (top..=bottom).map(|r| (0..width).map(|c| cells.get(&(r, c)).unwrap_or(&empty)).collect()).collect();
    // The headers are the first used row; lines are counted as the sheet counts its rows.
    let blank = top as usize;
    let mut writer = csv::Writer::from_writer(Vec::new());
    // The clock-time column: its numbers are fractions of a day, as spreadsheets keep times.
    let header = |c: &Data| c.to_string().trim().to_owned();
    let time_column =
        rows.first().and_then(|h| h.iter().position(|c| ["placed_at", "下单时间"].contains(&header(c).as_str())));
    for row in &rows {
        let cells: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(k, cell)| {
                let clock = |day: f64| format_time((day.fract() * 86_400.0).round());
                match *cell {
                    Data::Empty => String::new(),
                    // A line break inside a cell would end the row.
                    Data::String(s) => s.replace(['\r', '\n'], " "),
                    Data::Float(x) if Some(k) == time_column && (0.0..1.0).contains(x) => clock(*x),
                    Data::Float(x) => x.to_string(),
                    Data::Int(n) => n.to_string(),
                    Data::Bool(b) => b.to_string(),
                    Data::DateTime(t) if Some(k) == time_column => clock(t.as_f64()),
                    // A date elsewhere (an id Excel took for a date) stays a number, not a time.
                    Data::DateTime(t) => t.as_f64().to_string(),
                    Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
                    Data::Error(e) => format!("#{e:?}"),
                }
            })
            .collect();
        if writer.write_record(&cells).is_err() {
            return unreadable("a row does not convert".to_owned());
        }
    }
    let text = match writer.into_inner() {
        Ok(t) => t,
        Err(e) => return unreadable(e.to_string()),
    };
    let (orders, problems) = read_orders_csv_in(&text, book);
    let shift = |p: Problem| Problem {
        message: shift_lines(&p.message, blank),
        feature: p.feature.map(|f| shift_lines(&f, blank)),
        ..p
    };
    (orders, problems.into_iter().map(shift).collect())
}

/// "line N" made "line N + by" in a problem, for rows above a sheet's headers.
fn shift_lines(text: &str, by: usize) -> String {
    if by == 0 {
        return text.to_owned();
    }
    let Some(rest) = text.strip_prefix("line ") else { return text.to_owned() };
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    match digits.parse::<usize>() {
        Ok(n) => format!("line {}{}", n + by, &rest[digits.len()..]),
        Err(_) => text.to_owned(),
    }
}

/// Writes orders as JSON in the documented format.
pub fn write_orders_json(orders: &[Order]) -> Value {
    let list: Vec<Value> = orders
        .iter()
        .map(|o| {
            let bags: Vec<Value> = o
                .bags
                .iter()
                .map(|b| {
                    let mut bag = serde_json::json!({ "kg": b.kg.get(), "litres": b.litres.get() });
                    if let Some(l) = &b.label {
                        bag["label"] = Value::from(l.as_str());
                    }
                    bag
                })
                .collect();
            let mut v = serde_json::json!({
                "id": o.id,
                "household": o.household,
                "priority": o.priority.as_str(),
                // A clock time within the first day; seconds after, so that a stream of days
                // reads back to the same instants.
                "placed_at": if o.placed_at.get() < 86_400.0 {
                    Value::from(format_time(o.placed_at.get()))
                } else {
                    Value::from(o.placed_at.get())
                },
                "bags": bags,
            });
            if let Some(s) = &o.station {
                v["station"] = Value::from(s.as_str());
            }
            v
        })
        .collect();
    serde_json::json!({ "orders": list })
}

/// Reads the fleet file; every field has a default (DOMAIN.md). Values that would make plans
/// meaningless (a zero speed, a negative capacity, a billion porters) are refused.
pub fn read_fleet(bytes: &[u8]) -> Result<Fleet, Vec<Problem>> {
    let fleet: Fleet = serde_json::from_slice(bytes).map_err(|e| {
        vec![Problem::new(Code::BadFleet, None, format!("fleet file, line {}, column {}: {e}", e.line(), e.column()))]
    })?;
    let problems = lastmetre_area::check_fleet(&fleet);
    if problems.is_empty() { Ok(fleet) } else { Err(problems) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_of_day() {
        assert_eq!(parse_time("11:05"), Some(Seconds(39_900.0)));
        assert_eq!(parse_time("11:05:30"), Some(Seconds(39_930.0)));
        assert_eq!(parse_time("2022-08-29T11:05:00+08:00"), Some(Seconds(39_900.0)));
        assert_eq!(parse_time("2022-08-29T11:05:00Z"), Some(Seconds(39_900.0)));
        assert_eq!(parse_time("39900"), Some(Seconds(39_900.0)));
        assert_eq!(parse_time("25:00"), None);
        assert_eq!(parse_time("noon"), None);
        assert_eq!(parse_time("１１:０５"), None);
        assert_eq!(parse_time("11：05：30"), None);
        assert_eq!(format_time(39_930.0), "11:05:30");
    }

    #[test]
    fn csv_rows_become_orders() {
        let csv = "order_id,household,priority,placed_at,kg,litres,label,station\n\
                   O-1,h-101,normal,11:05,5,6.5,rice,\n\
                   O-1,h-101,normal,11:05,2,3,eggs,\n\
                   O-2,h-301,medicine,11:10,0.3,1,,\n";
        let (orders, problems) = read_orders_csv(csv.as_bytes());
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(orders.len(), 2);
        assert_eq!(orders[0].bags.len(), 2);
        assert_eq!(orders[1].priority, Priority::Medicine);
    }

    #[test]
    fn a_spreadsheet_reads_like_its_csv_with_clock_times_and_the_sheet_s_lines() {
        use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        let clock = Format::new().set_num_format("hh:mm");
        for (c, h) in ["订单号", "住户", "优先级", "下单时间", "重量", "物品"].iter().enumerate() {
            sheet.write_string(0, c as u16, *h).unwrap();
        }
        let rows = [
            ("X-1", "h-101", "普通", 11, 5.0, "大米"),
            ("X-1", "h-101", "普通", 11, 2.0, "鸡蛋"),
            ("X-2", "h-301", "药品", 12, 0.3, "药"),
        ];
        for (r, (id, h, p, hour, kg, label)) in rows.iter().enumerate() {
            let r = r as u32 + 1;
            sheet.write_string(r, 0, *id).unwrap();
            sheet.write_string(r, 1, *h).unwrap();
            sheet.write_string(r, 2, *p).unwrap();
            sheet.write_datetime_with_format(r, 3, ExcelDateTime::from_hms(*hour, 5, 0).unwrap(), &clock).unwrap();
            sheet.write_number(r, 4, *kg).unwrap();
            sheet.write_string(r, 5, *label).unwrap();
        }
        // A bad weight on row 5 of the sheet.
        for (c, v) in ["X-3", "h-501", "普通", "11:30", "heavy", "菜"].iter().enumerate() {
            sheet.write_string(4, c as u16, *v).unwrap();
        }
        let bytes = book.save_to_buffer().unwrap();
        let (orders, problems) = read_orders_xlsx_in(&bytes, None);
        assert_eq!(orders.len(), 2, "{problems:?}");
        assert_eq!((orders[0].bags.len(), orders[0].placed_at), (2, Seconds(11.0 * 3600.0 + 300.0)));
        assert_eq!(orders[1].priority, Priority::Medicine);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].message.contains("line 5"), "{}", problems[0].message);
        let (_, problems) = read_orders_xlsx_in(b"not a spreadsheet", None);
        assert_eq!(problems.len(), 1, "{problems:?}");
        // A small file that claims to unpack to more than a list needs is not unpacked.
        let mut bomb = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let deflated = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .large_file(true);
        bomb.start_file("xl/worksheets/sheet1.xml", deflated).unwrap();
        let zeros = vec![b' '; 1 << 20];
        for _ in 0..65 {
            std::io::Write::write_all(&mut bomb, &zeros).unwrap();
        }
        let bomb = bomb.finish().unwrap().into_inner();
        assert!(bomb.len() < 200_000, "{} bytes", bomb.len());
        let (_, problems) = read_orders_xlsx_in(&bomb, None);
        assert!(problems[0].message.contains("unpacks to 65 MB"), "{problems:?}");
        let (_, problems) = read_orders_xlsx_in(b"not a spreadsheet", None);
        assert!(problems[0].message.contains("cannot be read"), "{problems:?}");
    }

    #[test]
    fn a_spreadsheet_s_headers_may_start_lower_and_a_far_cell_is_refused_unread() {
        use rust_xlsxwriter::Workbook;
        let sheet_of = |top: u32, far: Option<u16>| {
            let mut book = Workbook::new();
            let sheet = book.add_worksheet();
            for (c, h) in ["order_id", "household", "placed_at", "kg"].iter().enumerate() {
                sheet.write_string(top, c as u16, *h).unwrap();
            }
            for (c, v) in ["Y-1", "h-101", "11:00", "two"].iter().enumerate() {
                sheet.write_string(top + 1, c as u16, *v).unwrap();
            }
            if let Some(column) = far {
                sheet.write_string(top + 2, column, "far").unwrap();
            }
            book.save_to_buffer().unwrap()
        };
        // Headers on row 3: the bad weight of row 4 is named by the sheet's own row number.
        let (_, problems) = read_orders_xlsx_in(&sheet_of(2, None), None);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].message.starts_with("line 4"), "{problems:?}");
        let (_, problems) = read_orders_xlsx_in(&sheet_of(0, Some(200)), None);
        assert_eq!(problems[0].code, Code::TooLarge, "{problems:?}");
    }

    #[test]
    fn csv_problems_name_the_line() {
        let csv = "order_id,household,priority,placed_at,kg\nO-1,h-101,urgent,11:05,5\nO-2,h-101,normal,11:05,heavy\n";
        let (_, problems) = read_orders_csv(csv.as_bytes());
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].message.contains("line 2"), "{}", problems[0].message);
        assert!(problems[1].message.contains("line 3"), "{}", problems[1].message);
    }
}
