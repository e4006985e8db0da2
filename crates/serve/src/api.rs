//! The HTTP API (documented in `assets/openapi.json`, served at `/openapi.json`) and the page.

use crate::auth::{Access, Grant, Role};
use crate::ledger::{self, EventOutcome, OrdersOutcome, Write};
use crate::{Service, StoredPlan, make_plan};
use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use lastmetre::Event;
use lastmetre::area::AddressBook;
use lastmetre::dispatch::DispatchError;
use lastmetre::formats::{plain, read_orders_value_in};
use lastmetre::{Code, Order, Problem};
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use tokio::sync::oneshot;

const PAGE: &str = include_str!("../assets/index.html");
pub(crate) const OPENAPI: &str = include_str!("../assets/openapi.json");

type Shared = Arc<Service>;

/// An error as JSON: `{"error": {"code", "message", "fields": [{"path", "code", "message"}]}}`.
pub(crate) struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
    fields: Vec<Value>,
}

impl ApiError {
    pub(crate) fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self { status, code, message: message.into(), fields: Vec::new() }
    }
    fn invalid(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", message)
    }
    /// Invalid input at one place: a JSON pointer into the body (`""` for the whole body) or
    /// `header/NAME`.
    fn invalid_at(path: &str, code: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        let mut e = Self::invalid(message.clone());
        e.fields.push(json!({ "path": path, "code": code, "message": message }));
        e
    }
    /// The dispatcher refused an event: the field it is about.
    fn refused_event(e: &DispatchError) -> Self {
        let path = match e {
            DispatchError::UnknownOrder(_)
            | DispatchError::AlreadyDelivered(_)
            | DispatchError::NotPlanned(_)
            | DispatchError::TooLateToCancel(_) => "/order",
            DispatchError::UnknownTrip(_) | DispatchError::NotDeparted(_) => "/trip",
            DispatchError::UnknownPorter(..) => "/porter",
            DispatchError::UnknownBag(..) => "/bags",
            DispatchError::UnknownFeature("lane", _) => "/lane",
            DispatchError::UnknownFeature(..) | DispatchError::StationAlreadyClosed(_) => "/station",
            DispatchError::EventTooOld(..) | DispatchError::TimeWentBack(..) => "/at",
            DispatchError::Problems(_) | DispatchError::BadCheckpoint(_) => "",
        };
        Self::invalid_at(path, "refused_event", e.to_string())
    }
    fn not_found(what: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", format!("no {what}"))
    }
    pub(crate) fn unauthorized() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", "a valid bearer token is needed")
    }
    fn forbidden() -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", "this needs a dispatcher token")
    }
    pub(crate) fn other_area(area: &str) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", format!("this token does not hold area '{area}'"))
    }
    fn ledger_down() -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, "ledger_down", "the ledger writer has stopped")
    }
    fn ledger_failed(message: String) -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, "ledger_failed", message)
    }
    /// A blocking task that did not finish (it panicked).
    fn internal(e: tokio::task::JoinError) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string())
    }
    fn restart_needed() -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "restart_needed",
            "the planner failed; restart the service to replay the ledger",
        )
    }
    fn planner_failed() -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "planner_failed", "the planner failed; restart the service")
    }
    fn key_reused() -> Self {
        Self::new(StatusCode::CONFLICT, "idempotency_key_reused", "this Idempotency-Key was used with a different body")
    }
    /// Order problems, each at the path of the order it names in the body as sent.
    fn order_problems(message: String, problems: &[Problem], batch: &Batch) -> Self {
        let mut e = Self::invalid(message);
        e.fields = problems
            .iter()
            .map(|p| {
                let index = p.feature.as_ref().and_then(|f| batch.ids.iter().position(|id| id.as_deref() == Some(f)));
                let path = match index {
                    Some(i) => batch.path_of(i),
                    // A problem of the whole body names its place first ("/contact: …"), and
                    // one of a list's row its line ("line 5: …").
                    None => {
                        let place =
                            p.message.split(':').next().filter(|s| s.starts_with('/') || s.starts_with("line "));
                        place.unwrap_or("").to_owned()
                    }
                };
                problem_field(p, &path)
            })
            .collect();
        e
    }
}

/// A problem of an order at `path`, with the closest addresses as a list for an address
/// not found (E313): a page lists them under its own words.
fn problem_field(p: &Problem, path: &str) -> Value {
    let mut field = json!({ "path": path, "order": p.feature, "code": p.code.as_str(), "message": p.message });
    if p.code == Code::UnknownAddress
        && let Some(closest) = &p.related
    {
        field["closest"] = json!(closest.split(" / ").filter(|a| !a.is_empty()).collect::<Vec<_>>());
    }
    field
}

impl ApiError {
    fn body(&self) -> Value {
        json!({ "error": { "code": self.code, "message": self.message, "fields": self.fields } })
    }
    fn key_in_flight() -> Self {
        Self::new(
            StatusCode::CONFLICT,
            "idempotency_key_in_flight",
            "the first request with this Idempotency-Key is still being applied; repeat it in a moment",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = self.body();
        (self.status, axum::Json(body)).into_response()
    }
}

impl From<BytesRejection> for ApiError {
    fn from(r: BytesRejection) -> Self {
        let status = r.status();
        let code = if status == StatusCode::PAYLOAD_TOO_LARGE { "too_large" } else { "bad_body" };
        Self::new(status, code, r.body_text())
    }
}

/// The routes, behind authentication.
pub(crate) fn router(service: Shared) -> Router {
    let limit = service.max_body;
    Router::new()
        .route("/openapi.json", get(openapi))
        .route("/orders", post(post_orders).get(list_orders))
        .route("/orders/{id}", get(get_order))
        .route("/events", post(post_event))
        .route("/plan", post(post_plan))
        .route("/plans", get(list_plans))
        .route("/plans/latest", get(latest_plan))
        .route("/plans/{id}", get(get_plan))
        .route("/plans/{id}/sheets/{person}", get(get_sheet))
        .route("/area", get(get_area))
        .route("/metrics", get(metrics))
        .route("/me", get(me))
        .route("/me/report", post(post_me_report))
        .route_layer(middleware::from_fn_with_state(service.clone(), body_in_time))
        .route_layer(middleware::from_fn_with_state(service.clone(), authenticate))
        .route("/healthz", get(healthz))
        // The pages hold no data, only their words: they open without a token (a porter's
        // phone reloads the page from its address, which no longer holds it), and take their
        // data from the API with the token they keep.
        .route("/", get(page))
        .route("/porter", get(porter_page))
        .route("/driver", get(driver_page))
        .route("/leader", get(leader_page))
        .fallback(|| async { ApiError::not_found("such route; see /openapi.json") })
        .layer(DefaultBodyLimit::max(limit))
        .layer(middleware::map_response(no_store))
        .with_state(service)
}

/// Nothing the service answers is to be kept by a browser or a proxy: most answers carry
/// household data, and the rest change from one cycle to the next.
pub(crate) async fn no_store(mut response: Response) -> Response {
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Who calls, put into the request by [`authenticate`].
#[derive(Clone)]
struct Caller(Access);

/// Bearer tokens, compared by hash and never logged. (The pages, outside this layer, keep the
/// `?token=` of the link they were opened with and send it as a bearer token.)
async fn authenticate(State(s): State<Shared>, mut request: Request, next: Next) -> Response {
    s.requests.fetch_add(1, Ordering::Relaxed);
    let grant = bearer(request.headers()).map_or(Grant::Unknown, |t| s.tokens.grant(&t, &s.id));
    let access = match grant {
        Grant::Granted(access) => access,
        Grant::OtherAreas => return ApiError::other_area(&s.id).into_response(),
        Grant::Unknown => return unauthorized(),
    };
    // Refused before the body is read: a viewer cannot hold the connection with a slow body.
    if access.role == Role::Viewer && request.method() != Method::GET {
        return ApiError::forbidden().into_response();
    }
    // The people in the field reach their own routes only.
    let (path, get) = (request.uri().path(), request.method() == Method::GET);
    let own = match access.role {
        Role::Porter | Role::Driver => (path == "/me" && get) || (path == "/me/report" && !get),
        Role::Leader => (path == "/me" && get) || (path == "/orders" && !get),
        Role::Dispatcher | Role::Viewer => true,
    };
    if !own {
        return ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "this token reads GET /me, and reports with POST /me/report (porters, drivers) or POST /orders (building leaders)",
        )
        .into_response();
    }
    let list = path == "/orders" && spreadsheet(request.headers()).is_some();
    if request.method() == Method::POST && !json_body(request.headers()) && !list {
        return ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "send the body as Content-Type: application/json (orders also as text/csv or an XLSX workbook)",
        )
        .into_response();
    }
    request.extensions_mut().insert(Caller(access));
    next.run(request).await
}

/// 401 with the scheme to use.
pub(crate) fn unauthorized() -> Response {
    let mut response = ApiError::unauthorized().into_response();
    response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    response
}

/// The bearer token of a request, if it sends one.
pub(crate) fn bearer(headers: &HeaderMap) -> Option<String> {
    let header = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    // The scheme's name is case-insensitive (RFC 9110, 11.1).
    header
        .and_then(|h| h.trim().split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim().to_owned())
}

/// The whole body within [`crate::BODY_TIMEOUT`], read after the caller is known to be
/// allowed. tower-http's body time-out restarts at every chunk, so a client sending a byte
/// now and then would hold the connection for ever; this deadline is for the whole body.
async fn body_in_time(State(s): State<Shared>, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let declared =
        parts.headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.trim().parse::<usize>().ok());
    if declared.is_some_and(|n| n > s.max_body) {
        let message = format!("the body is larger than {} KB", s.max_body / 1024);
        return ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", message).into_response();
    }
    match tokio::time::timeout(crate::BODY_TIMEOUT, axum::body::to_bytes(body, s.max_body)).await {
        Ok(Ok(bytes)) => next.run(Request::from_parts(parts, axum::body::Body::from(bytes))).await,
        Ok(Err(_)) => {
            let message = format!("the body could not be read, or is larger than {} KB", s.max_body / 1024);
            ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", message).into_response()
        }
        Err(_) => {
            let message = format!("the body did not arrive within {} s", crate::BODY_TIMEOUT.as_secs());
            ApiError::new(StatusCode::REQUEST_TIMEOUT, "body_timeout", message).into_response()
        }
    }
}

/// An order list as a spreadsheet: CSV or an XLSX workbook, by its media type.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Sheet {
    Csv,
    Xlsx,
}

fn spreadsheet(headers: &HeaderMap) -> Option<Sheet> {
    let kind = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    let media = kind.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    match media.as_str() {
        "text/csv" => Some(Sheet::Csv),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => Some(Sheet::Xlsx),
        _ => None,
    }
}

/// A list's orders as a JSON batch, as the journal keeps it, and the problems of its rows (by
/// line, as the sheet counts them), so that every bad row is listed with the others' checks.
/// Clock times stay clock times: today, as in JSON.
fn batch_of_sheet(book: &AddressBook, sheet: Sheet, body: &[u8]) -> (Value, Vec<Problem>) {
    // One list is read at a time, whatever the area: a workbook takes tens of MB while read.
    static READING: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _one_at_a_time = READING.lock().unwrap_or_else(|e| e.into_inner());
    let (orders, problems) = match sheet {
        Sheet::Csv => lastmetre::formats::read_orders_csv_in(body, Some(book)),
        Sheet::Xlsx => lastmetre::formats::read_orders_xlsx_in(body, Some(book)),
    };
    (lastmetre::formats::write_orders_json(&orders), problems)
}

/// A JSON body, or none at all (`POST /plan` may come empty).
fn json_body(headers: &HeaderMap) -> bool {
    match headers.get(header::CONTENT_TYPE).map(|v| v.to_str().unwrap_or_default()) {
        Some(kind) => {
            let media = kind.split(';').next().unwrap_or_default().trim();
            media.eq_ignore_ascii_case("application/json")
        }
        None => {
            let length = headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok());
            length.is_some_and(|l| l.trim() == "0")
                || (length.is_none() && !headers.contains_key(header::TRANSFER_ENCODING))
        }
    }
}

/// A batch as sent, with each order's household (an id, an address or its parts) replaced
/// by the id it resolved to. `orders` are the batch's orders, one per entry, in order.
fn with_households(mut wrapped: Value, orders: &[lastmetre::Order]) -> Value {
    let list = match &mut wrapped {
        Value::Array(list) => Some(list),
        Value::Object(map) => map.get_mut("orders").and_then(Value::as_array_mut),
        _ => None,
    };
    for (entry, order) in list.into_iter().flatten().zip(orders) {
        if let Some(fields) = entry.as_object_mut() {
            for named in ["address", "building", "unit", "door"] {
                fields.remove(named);
            }
            fields.insert("household".to_owned(), Value::from(order.household.as_str()));
        }
    }
    wrapped
}

fn require_dispatcher(caller: &Caller) -> Result<(), ApiError> {
    match caller.0.role {
        Role::Dispatcher => Ok(()),
        _ => Err(ApiError::forbidden()),
    }
}

/// Household-level data out of a value, for viewers: household ids, door numbers, order ids
/// and bags, where porters drop what (stairwell and floor), priorities (medicine orders), and the
/// free-text notes and violations that name orders.
fn redact(value: &mut Value) {
    const PRIVATE: [&str; 17] = [
        "climbs",
        "label",
        "household",
        "unit",
        "order",
        "orders",
        "jobs",
        "bags",
        "drops",
        "stairwell",
        "stairwells",
        "floor",
        "priority",
        "medicine",
        "already_late",
        "notes",
        "violations",
    ];
    match value {
        Value::Object(map) => {
            map.retain(|k, _| !PRIVATE.contains(&k.as_str()));
            map.values_mut().for_each(redact);
        }
        Value::Array(items) => items.iter_mut().for_each(redact),
        _ => {}
    }
}

async fn healthz(State(s): State<Shared>) -> impl IntoResponse {
    axum::Json(json!({ "ok": true, "uptime_s": s.started.elapsed().as_secs() }))
}

const PORTER_PAGE: &str = include_str!("../assets/porter.html");
const DRIVER_PAGE: &str = include_str!("../assets/driver.html");
const LEADER_PAGE: &str = include_str!("../assets/leader.html");
/// What the field pages share (their words, token, API and queue of reports).
const FIELD_SCRIPT: &str = include_str!("../assets/field.js");
/// And the style they share, where a page says `/*FIELD-STYLE*/`.
const FIELD_STYLE: &str = include_str!("../assets/field.css");

/// A page in the browser's language when it asks for one we have, else the area's: its words
/// are the message files' templates under `prefixes`, with `{name}` where the page puts
/// values, and the field pages' shared script and style go where the page says `/*FIELD*/` and
/// `/*FIELD-STYLE*/`.
fn page_in_language(s: &Service, headers: &HeaderMap, page: &str, prefixes: &[&str]) -> Response {
    use lastmetre::text::{Lang, templates};
    let asked = headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).and_then(Lang::from_accept_language);
    let lang = asked.unwrap_or_else(|| lastmetre::formats::language_of(&s.area));
    let texts: serde_json::Map<String, Value> =
        templates(lang, prefixes).into_iter().map(|(id, text)| (id, Value::String(text))).collect();
    let page = page
        .replace("/*FIELD*/", FIELD_SCRIPT)
        .replace("/*FIELD-STYLE*/", FIELD_STYLE)
        .replace("/*TEXTS*/null", &Value::Object(texts).to_string())
        .replace("<html>", &format!("<html lang=\"{}\">", if lang == Lang::Zh { "zh-CN" } else { "en" }));
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], page).into_response()
}

/// Words every page of the field uses (`page-…`), with those of one page.
const FIELD_TEXTS: [&str; 5] = ["page-", "status-", "problem-", "priority-", "error-"];

/// The porter's phone page: the next outing, with a button per drop.
async fn porter_page(State(s): State<Shared>, headers: HeaderMap) -> Response {
    page_in_language(&s, &headers, PORTER_PAGE, &[&FIELD_TEXTS[..], &["porter-page-"]].concat())
}

/// The driver's phone page: each trip's load list by station.
async fn driver_page(State(s): State<Shared>, headers: HeaderMap) -> Response {
    page_in_language(&s, &headers, DRIVER_PAGE, &[&FIELD_TEXTS[..], &["driver-page-"]].concat())
}

/// The building leader's page: orders by form or list, and their buildings' orders.
async fn leader_page(State(s): State<Shared>, headers: HeaderMap) -> Response {
    page_in_language(&s, &headers, LEADER_PAGE, &[&FIELD_TEXTS[..], &["leader-page-"]].concat())
}

/// The console's own words, beside the field pages'.
const CONSOLE_TEXTS: [&str; 4] = ["console-", "reason-", "action-", "failure-"];

/// The map, the plan and, with a dispatcher's token, the console.
async fn page(State(s): State<Shared>, headers: HeaderMap) -> Response {
    page_in_language(&s, &headers, PAGE, &[&FIELD_TEXTS[..], &CONSOLE_TEXTS[..]].concat())
}

async fn openapi() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI)
}

/// A time as RFC 3339, `"HH:MM"` / `"HH:MM:SS"` (today in the area) or seconds since the
/// ledger's first midnight; the service's clock when absent.
fn time_of(s: &Service, value: Option<&Value>, path: &str) -> Result<f64, ApiError> {
    let parsed = match value {
        None | Some(Value::Null) => return Ok(s.now_s()),
        Some(value) => time_in(s, value),
    };
    parsed.ok_or_else(|| {
        let mut e = ApiError::invalid(format!(
            "{path} is not a time from {} to a day ahead, such as \"2026-12-01T12:00:00+08:00\" or \"12:00\" (today)",
            crate::clock::format_date(s.clock.epoch())
        ));
        e.fields.push(json!({ "path": path, "code": "bad_time", "message": "RFC 3339, HH:MM, HH:MM:SS or seconds" }));
        e
    })
}

/// A time in the service's seconds, or `None`: never before the ledger's first day, nor more
/// than a day after both the clock and the latest plan (a slip such as a year for a day would
/// otherwise hold every later plan and report back; an accelerated clock moves the latest
/// plan on).
fn time_in(s: &Service, value: &Value) -> Option<f64> {
    let now = s.now_s();
    let t = match value {
        Value::String(t) => s.clock.parse(t, now),
        Value::Number(n) => n.as_f64(),
        _ => None,
    }?;
    let last = *s.last_plan_at.lock().unwrap_or_else(|e| e.into_inner());
    let latest = now.max(last) + crate::clock::DAY_S;
    (t.is_finite() && t >= 0.0 && t <= latest).then_some(t)
}

/// Each order's `placed_at` as the service's seconds: a clock time means today in the area,
/// so the journal keeps the instant, and a replay on another day reads the same orders. A
/// text that is no time on or after the ledger's first day is a problem of its order.
fn placed_at_in_seconds(s: &Service, orders: &mut Value) -> Vec<Problem> {
    let list = match orders {
        Value::Array(list) => list,
        Value::Object(map) => match map.get_mut("orders") {
            Some(Value::Array(list)) => list,
            _ => return Vec::new(),
        },
        _ => return Vec::new(),
    };
    let mut problems = Vec::new();
    for order in list {
        let id = order.get("id").and_then(Value::as_str).map(str::to_owned);
        // An order sent without its time (a form) is placed when the service takes it; the
        // journal keeps that time.
        if let Some(fields) = order.as_object_mut()
            && !fields.contains_key("placed_at")
        {
            fields.insert("placed_at".to_owned(), json!(s.now_s()));
        }
        let Some(at) = order.get_mut("placed_at").filter(|at| at.is_string() || at.is_number()) else { continue };
        match time_in(s, at) {
            Some(t) if at.is_string() => *at = json!(t),
            Some(_) => {}
            None => problems.push(Problem::new(
                Code::MalformedOrder,
                id.as_deref(),
                format!(
                    "order '{}': placed_at {at} is no time from {} to a day ahead (RFC 3339 such as \"2026-12-01T11:05:00+08:00\", or \"11:05\" for today)",
                    id.as_deref().unwrap_or("?"),
                    crate::clock::format_date(s.clock.epoch())
                ),
            )),
        }
    }
    problems
}

async fn post_orders(
    State(s): State<Shared>,
    axum::Extension(caller): axum::Extension<Caller>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    // Dispatchers, and building leaders for their own buildings.
    if caller.0.role != Role::Leader {
        require_dispatcher(&caller)?;
    }
    let buildings = caller.0.buildings.clone();
    let sheet = spreadsheet(&headers);
    let body = body?;
    let key = idempotency_key(&headers)?;
    if s.broken.load(Ordering::Relaxed) {
        return Err(ApiError::restart_needed());
    }
    // The ledger lookup and the checks are blocking work: off the async runtime.
    let service = s.clone();
    // A leader's key is their own: the same key and body from someone else is no repeat.
    let idempotency = key.map(|k| match &buildings {
        None => (k, ledger::sha256(&body)),
        Some(b) => (k, ledger::sha256(&[format!("leader {b:?}\n").as_bytes(), &body[..]].concat())),
    });
    let key_hash = idempotency.clone();
    let checked = tokio::task::spawn_blocking(move || -> Result<Checked, ApiError> {
        // A repeated request gets its first answer, before anything else is checked.
        if let Some((key, hash)) = &key_hash {
            let seen = ledger::idempotent(&service.reader.lock().unwrap_or_else(|e| e.into_inner()), key)
                .map_err(|e| ApiError::ledger_failed(e.to_string()))?;
            match seen {
                Some((seen_hash, status, response)) if seen_hash == *hash => {
                    return Ok(Err(json_response(status, response)));
                }
                Some(_) => return Err(ApiError::key_reused()),
                None => {}
            }
        }
        // A leader's addresses resolve as anyone's (another building's is refused as such,
        // below), but an address not found suggests only their own buildings' addresses.
        let leaders_book = buildings
            .as_ref()
            .map(|b| service.addresses.suggesting_only(|h| building_of(&service, h).is_some_and(|x| b.contains(x))));
        let book = leaders_book.as_ref().unwrap_or(&service.addresses);
        // One order, an array, or {"orders": [...]}; or a list as CSV or XLSX.
        let (value, sheet_problems) = match sheet {
            Some(sheet) => batch_of_sheet(book, sheet, &body),
            None => (json_of(&body)?, Vec::new()),
        };
        let batch = Batch::of(&value);
        let wrapped = match value {
            Value::Object(ref map) if !map.contains_key("orders") => json!([value]),
            other => other,
        };
        let mut wrapped = wrapped;
        let times = placed_at_in_seconds(&service, &mut wrapped);
        let (orders, mut problems) = read_orders_value_in(wrapped.clone(), Some(book));
        problems.extend(sheet_problems);
        problems.extend(times);
        // A leader's batch is refused whole, with 403, when an order is for another building.
        let outside: Vec<Problem> = match &buildings {
            None => Vec::new(),
            Some(buildings) => orders
                .iter()
                .filter(|o| building_of(&service, &o.household).is_none_or(|b| !buildings.contains(b)))
                .map(|o| {
                    // Only what was sent: a leader learns nothing of other buildings.
                    let message = format!(
                        "order '{}' is not for a household of this leader's buildings ({})",
                        o.id,
                        buildings.iter().cloned().collect::<Vec<_>>().join(", ")
                    );
                    Problem::new(Code::OutsideBuildings, Some(&o.id), message)
                })
                .collect(),
        };
        if orders.is_empty() && problems.is_empty() {
            return Err(ApiError::invalid_at("/orders", "no_orders", "no orders in the body"));
        }
        // The dispatcher's checks (ids already taken, a household's orders of the day, closed
        // stations) on every order that reads and is the caller's to send, beside the
        // problems of the others: every bad row is listed at once.
        let inside: Vec<lastmetre::Order> =
            orders.iter().filter(|o| !outside.iter().any(|p| p.feature.as_deref() == Some(&o.id))).cloned().collect();
        let taken: HashSet<String> = {
            let known = service.queue.known.read().unwrap_or_else(|e| e.into_inner());
            inside.iter().filter(|o| known.contains(&o.id)).map(|o| o.id.clone()).collect()
        };
        // Every order acknowledged for the same day counts, but those the dispatcher
        // refused when it took them.
        let placed: HashMap<(i64, String), usize> = {
            let all = service.queue.placed.read().unwrap_or_else(|e| e.into_inner());
            inside.iter().map(ledger::day_key).map(|k| (k.clone(), all.get(&k).copied().unwrap_or(0))).collect()
        };
        let check = service.check.read().unwrap_or_else(|e| e.into_inner()).clone();
        let count = |o: &lastmetre::Order| placed.get(&ledger::day_key(o)).copied().unwrap_or(0);
        for p in check.check(&inside, &|id| taken.contains(id), &count) {
            // Once: the reader may have named the same (an id twice in the batch).
            if !problems.iter().any(|q| q.code == p.code && q.feature == p.feature) {
                problems.push(p);
            }
        }
        if !outside.is_empty() {
            let message = format!("{} order(s) outside this leader's buildings; none was accepted", outside.len());
            // Those of other buildings first, then the rest.
            let all: Vec<Problem> = outside.into_iter().chain(problems).collect();
            let mut e = ApiError::order_problems(message, &all, &batch);
            (e.status, e.code) = (StatusCode::FORBIDDEN, "outside_buildings");
            return Err(e);
        }
        Ok(Ok((orders, wrapped, problems, batch)))
    })
    .await
    .map_err(ApiError::internal)??;
    let (orders, wrapped, problems, places) = match checked {
        Ok(parts) => parts,
        Err(repeated) => return Ok(repeated),
    };
    let ids: Vec<String> = orders.iter().map(|o| o.id.clone()).collect();
    if !problems.is_empty() {
        let message = format!("{} problem(s) in the orders; none was accepted", problems.len());
        return Err(ApiError::order_problems(message, &problems, &places));
    }
    let (reply, outcome) = oneshot::channel();
    // As the client sent it, but with each household named by its id: replay reads it with
    // the same reader to the same orders, whatever a later lastmetre makes of addresses.
    let batch = with_households(wrapped, &orders).to_string();
    s.writer.send(Write::Orders { orders, body: batch, idempotency, reply }).map_err(|_| ApiError::ledger_down())?;
    let outcome = outcome.await.map_err(|_| ApiError::ledger_down())?;
    match outcome {
        OrdersOutcome::Committed(seq) => {
            s.journal_entries.fetch_add(1, Ordering::Relaxed);
            Ok(json_response(201, ledger::accepted_response(&ids, seq)))
        }
        OrdersOutcome::Repeated { status, response } => Ok(json_response(status, response)),
        OrdersOutcome::KeyReused => Err(ApiError::key_reused()),
        OrdersOutcome::Duplicate(id) => {
            let message = format!("order '{id}' is already in the ledger; none was accepted");
            let problem = Problem::new(Code::DuplicateOrder, Some(&id), "duplicate order id");
            Err(ApiError::order_problems(message, &[problem], &places))
        }
        OrdersOutcome::Failed(message) => Err(ApiError::ledger_failed(message)),
    }
}

/// The building id of a household of the area.
fn building_of<'a>(s: &'a Service, household: &str) -> Option<&'a str> {
    s.buildings.get(household).map(String::as_str)
}

/// What the caller's own work is: a porter's outings, a driver's trips, a building leader's
/// orders; from the latest plan and the work under way, as the dispatcher last saw it.
async fn me(State(s): State<Shared>, axum::Extension(caller): axum::Extension<Caller>) -> Response {
    let access = &caller.0;
    let latest = s.plans.read().unwrap_or_else(|e| e.into_inner()).recent.back().cloned();
    let statuses = s.statuses.read().unwrap_or_else(|e| e.into_inner()).clone();
    let retired = s.retired.read().unwrap_or_else(|e| e.into_inner()).clone();
    let refused = s.queue.refused.lock().unwrap_or_else(|e| e.into_inner()).clone();
    let status_of =
        |id: &str| standing(&refused, &statuses, &retired, id)["status"].as_str().unwrap_or("waiting").to_owned();
    let plan_of = |plan: &StoredPlan| json!({ "id": plan.id, "cycle_start": plan.body["cycle_start"] });
    // Under way first (frozen at the plan), then what the plan gives them next.
    let own = |frozen: &str, planned: &str, field: &str, person: usize| -> Vec<(&'static str, Value)> {
        let Some(plan) = &latest else { return Vec::new() };
        [("under_way", &plan.body[frozen]), ("planned", &plan.body[planned])]
            .into_iter()
            .flat_map(|(kind, list)| list.as_array().cloned().unwrap_or_default().into_iter().map(move |x| (kind, x)))
            .filter(|(_, x)| x[field].as_u64() == Some(person as u64 + 1))
            .collect()
    };
    let body = match (access.role, access.person) {
        (Role::Porter, Some(p)) => {
            let outings: Vec<Value> = own("frozen_outings", "outings", "porter", p)
                .iter()
                .map(|(kind, o)| porter_outing(&s, o, kind, &status_of))
                .collect();
            json!({ "role": "porter", "porter": p + 1, "sheet": format!("porter-{}", p + 1), "plan": latest.as_ref().map(plan_of), "outings": outings })
        }
        (Role::Driver, Some(t)) => {
            let trips: Vec<Value> =
                own("frozen_trips", "trips", "tricycle", t).iter().map(|(kind, x)| driver_trip(&s, x, kind)).collect();
            json!({ "role": "driver", "tricycle": t + 1, "sheet": format!("tricycle-{}", t + 1), "plan": latest.as_ref().map(plan_of), "trips": trips })
        }
        (Role::Leader, _) => {
            let buildings = access.buildings.clone().unwrap_or_default();
            let all = s.queue.all.read().unwrap_or_else(|e| e.into_inner());
            let mut orders: Vec<Value> = all
                .values()
                .filter(|o| building_of(&s, &o.household).is_some_and(|b| buildings.contains(b)))
                .map(|o| {
                    json!({
                        "id": o.id,
                        "household": o.household,
                        "address": s.addresses.address_of(&o.household),
                        "placed_at": s.clock.format(o.placed_at.get()),
                        "status": status_of(&o.id),
                    })
                })
                .collect();
            orders.sort_by(|a, b| {
                a["placed_at"].as_str().cmp(&b["placed_at"].as_str()).then(a["id"].as_str().cmp(&b["id"].as_str()))
            });
            json!({ "role": "leader", "buildings": buildings.iter().collect::<Vec<_>>(), "orders": orders })
        }
        (Role::Dispatcher, _) => {
            json!({ "role": "dispatcher", "porters": s.fleet_size.0, "tricycles": s.fleet_size.1 })
        }
        _ => json!({ "role": "viewer" }),
    };
    // The service's clock, so that a phone times its taps by it, not by its own clock.
    let mut body = body;
    body["now"] = json!(s.clock.format(s.now_s()));
    axum::Json(body).into_response()
}

/// A porter's outing as they walk it: the station, the bags to pick (labels and kg), then
/// each stairwell with its floors and door numbers, in climbing order.
fn porter_outing(s: &Service, o: &Value, kind: &str, status_of: &dyn Fn(&str) -> String) -> Value {
    let orders = s.queue.all.read().unwrap_or_else(|e| e.into_inner());
    let drops: Vec<Value> = o["drops"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|d| {
            let id = d["order"].as_str().unwrap_or_default();
            let order = orders.get(id);
            let household = order.and_then(|o| s.area.households.iter().find(|h| h.id == o.household));
            let bags: Vec<Value> = d["bags"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|b| b.as_u64())
                .filter_map(|b| order.and_then(|o| o.bags.get(b as usize)).map(|bag| (b, bag)))
                .map(|(b, bag)| json!({ "bag": b, "kg": bag.kg.get(), "label": bag.label }))
                .collect();
            json!({
                "order": id,
                "stairwell": d["stairwell"],
                "floor": d["floor"],
                "door": household.and_then(|h| h.unit.clone()),
                "address": order.and_then(|o| s.addresses.address_of(&o.household)),
                "at": d["at_s"].as_f64().map(|t| s.clock.format(t)),
                "bags": bags,
                "status": status_of(id),
            })
        })
        .collect();
    json!({
        "kind": kind,
        "station": o["station"],
        "start": o["start_s"].as_f64().map(|t| s.clock.format(t)),
        "end": o["end_s"].as_f64().map(|t| s.clock.format(t)),
        "kg": o["kg"],
        "climbs": o["climbs"],
        "drops": drops,
    })
}

/// A driver's trip: the load list by station.
fn driver_trip(s: &Service, trip: &Value, kind: &str) -> Value {
    let orders = s.queue.all.read().unwrap_or_else(|e| e.into_inner());
    let stops: Vec<Value> = trip["stops"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|stop| {
            let bags: Vec<(String, u64)> = stop["bags"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|b| Some((b[0].as_str()?.to_owned(), b[1].as_u64()?)))
                .collect();
            let kg: f64 = bags
                .iter()
                .filter_map(|(o, b)| orders.get(o).and_then(|o| o.bags.get(*b as usize)).map(|bag| bag.kg.get()))
                .sum();
            json!({
                "station": stop["station"],
                "arrive": stop["arrive_s"].as_f64().map(|t| s.clock.format(t)),
                "bags": bags.len(),
                "kg": (kg * 10.0).round() / 10.0,
                "orders": bags.iter().map(|(o, b)| json!({ "order": o, "bag": b })).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({
        "kind": kind,
        "trip": trip["id"],
        "start": trip["start_s"].as_f64().map(|t| s.clock.format(t)),
        "end": trip["end_s"].as_f64().map(|t| s.clock.format(t)),
        "stops": stops,
    })
}

/// What a porter or a driver reports from the field, with the buttons' words.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct FieldReport {
    /// A porter's drop: the order.
    order: Option<String>,
    /// A driver's trip.
    trip: Option<lastmetre::dispatch::TripRef>,
    /// A driver's stop (for `unloaded`).
    station: Option<String>,
    /// delivered, nobody_home, isolated, cannot_reach (porters); departed, unloaded (drivers).
    outcome: String,
    /// When; the service's clock when absent.
    at: Option<Value>,
}

/// A porter's or a driver's report, as an event: only for their own work in the latest plan
/// or under way (else 403, nothing changes), with the same idempotency as `POST /events`.
async fn post_me_report(
    State(s): State<Shared>,
    axum::Extension(caller): axum::Extension<Caller>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let body = body?;
    // The hash names the endpoint: a key of this report is no key of another. A repeat (a
    // phone's queue sent again after the network came back) gets its first answer, even once
    // the drop has left the plan.
    let who = format!("me-report\n{:?} {:?}\n", caller.0.role, caller.0.person);
    let idempotency = idempotency_key(&headers)?.map(|k| (k, ledger::sha256(&[who.as_bytes(), &body[..]].concat())));
    if let Some(response) = first_answer(&s, &idempotency).await? {
        return Ok(response);
    }
    let report: FieldReport = serde_json::from_slice(&body).map_err(|e| {
        let message = plain(&e.to_string());
        let mut err = ApiError::invalid(format!("not a report: {message}"));
        err.fields.push(json!({ "path": "", "code": "bad_report", "message": message }));
        err
    })?;
    let at = time_of(&s, report.at.as_ref(), "/at")?;
    // A phone's clock may be wrong: a report from the field is never ahead of the service's
    // clock, nor past the latest plan's cycle (an accelerated clock), by more than a little;
    // a report ahead would start the next shift early.
    let last = *s.last_plan_at.lock().unwrap_or_else(|e| e.into_inner());
    if at > s.now_s().max(last + s.cycle_s) + FIELD_CLOCK_SLACK_S {
        return Err(ApiError::invalid_at(
            "/at",
            "bad_time",
            format!("{} is ahead of the service's clock; leave at out to report now", s.clock.format(at)),
        ));
    }
    // A report that waited on a phone longer than the dispatcher looks back (a cycle before
    // the latest plan) is recorded at the earliest time it takes: late, rather than lost.
    let at = if last > 0.0 { at.max(last - s.cycle_s) } else { at };
    let latest = s.plans.read().unwrap_or_else(|e| e.into_inner()).recent.back().cloned();
    let mine = |list: &str, field: &str, person: usize| -> Vec<Value> {
        latest
            .iter()
            .flat_map(|p| [&p.body[format!("frozen_{list}")], &p.body[list]])
            .flat_map(|l| l.as_array().cloned().unwrap_or_default())
            .filter(|x| x[field].as_u64() == Some(person as u64 + 1))
            .collect()
    };
    let not_yours = |what: String| ApiError::new(StatusCode::FORBIDDEN, "not_yours", what);
    let event = match (caller.0.role, caller.0.person) {
        (Role::Porter, Some(p)) => {
            let order =
                report.order.ok_or_else(|| ApiError::invalid_at("/order", "missing", "name the order of the drop"))?;
            let outings = mine("outings", "porter", p);
            let drop = outings
                .iter()
                .flat_map(|o| o["drops"].as_array().cloned().unwrap_or_default())
                .find(|d| d["order"] == order.as_str());
            let Some(drop) = drop else {
                return Err(not_yours(format!("order '{order}' is in none of porter-{}'s outings", p + 1)));
            };
            // Bags out with another porter are theirs to report, whatever older plans said.
            let carried_by = s
                .statuses
                .read()
                .unwrap_or_else(|e| e.into_inner())
                .get(&order)
                .filter(|v| v["status"] == "out_for_delivery")
                .and_then(|v| v["porter"].as_u64());
            if carried_by.is_some_and(|q| q != p as u64 + 1) {
                return Err(not_yours(format!("order '{order}' is out with another porter")));
            }
            let bags: Vec<usize> =
                drop["bags"].as_array().into_iter().flatten().filter_map(|b| b.as_u64()).map(|b| b as usize).collect();
            let failure = |reason| Event::DeliveryFailed { order: order.clone(), bags: bags.clone(), reason };
            match report.outcome.as_str() {
                "delivered" => Event::Delivered { order: order.clone(), bags: bags.clone() },
                "nobody_home" => failure(lastmetre::dispatch::Failure::NobodyHome),
                "isolated" => failure(lastmetre::dispatch::Failure::Isolated),
                "cannot_reach" => failure(lastmetre::dispatch::Failure::CannotReach),
                other => {
                    return Err(ApiError::invalid_at(
                        "/outcome",
                        "bad_outcome",
                        format!("outcome '{other}': delivered, nobody_home, isolated or cannot_reach"),
                    ));
                }
            }
        }
        (Role::Driver, Some(t)) => {
            let trip = report
                .trip
                .ok_or_else(|| ApiError::invalid_at("/trip", "missing", "name the trip, as the plan does"))?;
            let trips = mine("trips", "tricycle", t);
            let Some(record) = trips
                .iter()
                .find(|x| serde_json::from_value::<lastmetre::dispatch::TripRef>(x["id"].clone()).ok() == Some(trip))
            else {
                return Err(not_yours(format!("trip {trip:?} is not one of tricycle-{}'s", t + 1)));
            };
            match report.outcome.as_str() {
                "departed" => Event::TripDeparted { trip },
                "unloaded" => {
                    let station = report
                        .station
                        .ok_or_else(|| ApiError::invalid_at("/station", "missing", "name the station unloaded at"))?;
                    let stops = record["stops"].as_array().cloned().unwrap_or_default();
                    if !stops.iter().any(|x| x["station"] == station.as_str()) {
                        return Err(ApiError::invalid_at(
                            "/station",
                            "bad_station",
                            format!("the trip does not stop at '{station}'"),
                        ));
                    }
                    Event::BagsUnloaded { trip, station }
                }
                other => {
                    return Err(ApiError::invalid_at(
                        "/outcome",
                        "bad_outcome",
                        format!("outcome '{other}': departed or unloaded"),
                    ));
                }
            }
        }
        _ => return Err(ApiError::forbidden()),
    };
    apply_event(s, event, at, idempotency).await
}

/// How far a report from the field may be ahead of the service's clock.
const FIELD_CLOCK_SLACK_S: f64 = 120.0;

/// The `Idempotency-Key` header, if sent.
fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    match headers.get("idempotency-key").map(|v| v.to_str()) {
        None => Ok(None),
        Some(Ok(k)) if !k.is_empty() && k.len() <= 200 => Ok(Some(k.to_owned())),
        // Ignoring a key the client sent would turn its retry into a duplicate.
        Some(_) => {
            let message = "Idempotency-Key must be 1 to 200 printable ASCII characters";
            Err(ApiError::invalid_at("header/Idempotency-Key", "bad_key", message))
        }
    }
}

/// A response from a status and a JSON body (a stored answer, or one about to be stored).
fn json_response(status: u16, body: String) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// The answer to an applied event, as status and body: what the client hears, what its
/// idempotency key keeps, and what a replay records for a key left unanswered by a crash.
pub(crate) fn event_answer(
    seq: i64,
    at: f64,
    reported: Result<(), &DispatchError>,
    clock: &crate::clock::Clock,
) -> (u16, String) {
    match reported {
        Ok(()) => (200, json!({ "seq": seq, "at": clock.format(at) }).to_string()),
        Err(e) => {
            let e = ApiError::refused_event(e);
            (e.status.as_u16(), e.body().to_string())
        }
    }
}

/// A batch read and checked (orders, the body as sent, problems), or the stored answer to a
/// repeated request.
type Checked = Result<(Vec<Order>, Value, Vec<Problem>, Batch), Response>;

/// Where a batch's orders sit in the body as the client sent it: one order, an array, or
/// `{"orders": [...]}`; and each order's id as written (before it is read).
struct Batch {
    prefix: Option<&'static str>,
    ids: Vec<Option<String>>,
}

impl Batch {
    fn of(sent: &Value) -> Batch {
        let (prefix, list) = match sent {
            Value::Array(list) => (Some(""), list.as_slice()),
            Value::Object(map) if map.contains_key("orders") => {
                (Some("/orders"), map["orders"].as_array().map_or(&[][..], Vec::as_slice))
            }
            one => (None, std::slice::from_ref(one)),
        };
        let id = |o: &Value| match o.get("id") {
            Some(Value::String(s)) => Some(s.trim().to_owned()),
            Some(Value::Number(n)) => Some(n.to_string()),
            _ => None,
        };
        Batch { prefix, ids: list.iter().map(id).collect() }
    }

    /// The JSON pointer of order `i`.
    fn path_of(&self, i: usize) -> String {
        self.prefix.map_or_else(String::new, |p| format!("{p}/{i}"))
    }
}

/// The body as JSON, read strictly: a key given twice is refused with its path.
fn json_of(body: &[u8]) -> Result<Value, ApiError> {
    lastmetre::formats::strict::parse(body).map_err(|e| {
        let message = e.to_string();
        // A key given twice is refused at its pointer; anything else concerns the whole body.
        let path = message.split_once(" is given twice").map_or("", |(pointer, _)| pointer);
        ApiError::invalid_at(path, "bad_json", format!("not JSON as expected: {message}"))
    })
}

/// Where an order stands, as `GET /orders/{id}` says it: refused (with why), as of the
/// latest plan or event (never waiting for a re-plan), finished on a past day, or else
/// acknowledged and not yet with the dispatcher: waiting at the gate.
fn standing(
    refused: &HashMap<String, String>,
    live: &HashMap<String, Value>,
    retired: &HashMap<String, Value>,
    id: &str,
) -> Value {
    match refused.get(id) {
        Some(reason) => json!({ "status": "refused", "reason": reason }),
        None => live.get(id).or_else(|| retired.get(id)).cloned().unwrap_or_else(|| json!({ "status": "waiting" })),
    }
}

/// The dispatcher's list of orders, newest first, with where each stands (`?day=` for the
/// orders placed that day; with `&open=true`, also every order of an earlier day not yet
/// delivered, cancelled or refused): the console's table.
async fn list_orders(
    State(s): State<Shared>,
    axum::Extension(caller): axum::Extension<Caller>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    require_dispatcher(&caller)?;
    let day = q.get("day").map(|d| day_of(d)).transpose()?;
    let open = q.get("open").is_some_and(|v| v == "true" || v == "1");
    let refused = s.queue.refused.lock().unwrap_or_else(|e| e.into_inner()).clone();
    let live = s.statuses.read().unwrap_or_else(|e| e.into_inner());
    let retired = s.retired.read().unwrap_or_else(|e| e.into_inner());
    let all = s.queue.all.read().unwrap_or_else(|e| e.into_inner());
    let finished = |status: &Value| matches!(status["status"].as_str(), Some("delivered" | "cancelled" | "refused"));
    let mut orders: Vec<(f64, Value)> = all
        .values()
        .filter_map(|o| {
            let status = standing(&refused, &live, &retired, &o.id);
            let of_day = day.is_none_or(|d| s.clock.day(o.placed_at.get()) == d);
            (of_day || (open && !finished(&status))).then_some((o, status))
        })
        .map(|(o, mut status)| {
            if let Some(at) = status.get("at_s").and_then(Value::as_f64) {
                status["at"] = json!(s.clock.format(at));
            }
            let mut row = json!({
                "id": o.id,
                "household": o.household,
                "address": s.addresses.address_of(&o.household),
                "priority": o.priority,
                "placed_at": s.clock.format(o.placed_at.get()),
                "kg": o.kg().get(),
            });
            if let (Some(row), Some(status)) = (row.as_object_mut(), status.as_object()) {
                row.extend(status.iter().map(|(k, v)| (k.clone(), v.clone())));
            }
            (o.placed_at.get(), row)
        })
        .collect();
    orders.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1["id"].as_str().cmp(&b.1["id"].as_str())));
    let orders: Vec<Value> = orders.into_iter().map(|(_, o)| o).collect();
    Ok(axum::Json(json!({ "orders": orders })).into_response())
}

async fn get_order(
    State(s): State<Shared>,
    axum::Extension(caller): axum::Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let order = s.queue.all.read().unwrap_or_else(|e| e.into_inner()).get(&id).cloned();
    let Some(order) = order else {
        return Err(ApiError::not_found(&format!("order '{id}'")));
    };
    let mut status = standing(
        &s.queue.refused.lock().unwrap_or_else(|e| e.into_inner()),
        &s.statuses.read().unwrap_or_else(|e| e.into_inner()),
        &s.retired.read().unwrap_or_else(|e| e.into_inner()),
        &id,
    );
    if let Some(at) = status.get("at_s").and_then(Value::as_f64) {
        status["at"] = json!(s.clock.format(at));
    }
    if caller.0.role != Role::Dispatcher {
        // Where it stands, no more: no weight, no household, no time of the hand-over.
        let stage = status.get("status").cloned().unwrap_or(Value::Null);
        return Ok(axum::Json(json!({ "id": order.id, "status": { "status": stage } })).into_response());
    }
    let body = json!({
        "id": order.id,
        "status": status,
        "priority": order.priority,
        "kg": order.kg().get(),
        "bags": order.bags.len(),
        "household": order.household,
    });
    Ok(axum::Json(body).into_response())
}

async fn post_event(
    State(s): State<Shared>,
    axum::Extension(caller): axum::Extension<Caller>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    require_dispatcher(&caller)?;
    let body = body?;
    // The hash names the endpoint: a key of an orders batch is no key of an event.
    let idempotency = idempotency_key(&headers)?.map(|k| (k, ledger::sha256(&[b"event\n", &body[..]].concat())));
    // A repeated report gets its first answer, before anything else is checked.
    if let Some(response) = first_answer(&s, &idempotency).await? {
        return Ok(response);
    }
    let mut value: Value = json_of(&body)?;
    let at = time_of(&s, value.get("at"), "/at")?;
    if let Some(map) = value.as_object_mut() {
        map.remove("at");
    }
    let event: Event = serde_json::from_value(value.clone()).map_err(|e| {
        let path = event_error_path(&value, &e.to_string());
        let message = plain(&e.to_string());
        let mut err = ApiError::invalid(format!("not an event ({path}): {message}"));
        err.fields.push(json!({ "path": path, "code": "bad_event", "message": message }));
        err
    })?;
    apply_event(s, event, at, idempotency).await
}

/// A repeat's first answer, or else the event written to the ledger and applied.
async fn apply_event(
    s: Shared,
    event: Event,
    at: f64,
    idempotency: Option<(String, String)>,
) -> Result<Response, ApiError> {
    if s.broken.load(Ordering::Relaxed) {
        return Err(ApiError::restart_needed());
    }
    let service = s.clone();
    tokio::task::spawn_blocking(move || -> Result<Response, ApiError> {
        // In the ledger first, then applied, at its place in the journal: the orders taken
        // with it are those acknowledged before it, exactly as replay will do. An event the
        // dispatcher refuses stays in the journal and is refused again on replay: no effect.
        let mut d = service.dispatcher.lock().unwrap_or_else(|e| e.into_inner());
        // A plan that panicked while this request waited for the dispatcher left it half-updated.
        if service.broken.load(Ordering::Relaxed) {
            return Err(ApiError::restart_needed());
        }
        let text = serde_json::to_string(&event).unwrap_or_default();
        let (reply, rx) = oneshot::channel();
        let key_hash = idempotency.clone();
        let key = idempotency.as_ref().map(|(k, _)| k.clone());
        service
            .writer
            .send(Write::Event { at, body: text, idempotency, reply })
            .map_err(|_| ApiError::ledger_down())?;
        let (seq, orders) = match rx.blocking_recv().map_err(|_| ApiError::ledger_down())? {
            EventOutcome::Committed(seq, orders) => (seq, orders),
            // The same key came twice at once: the other request is the one applied.
            EventOutcome::Repeated { status, response } => return Ok(json_response(status, response)),
            EventOutcome::InFlight => {
                let (key, hash) = key_hash.unwrap_or_default();
                return seen_event(&service, &key, &hash)?.ok_or_else(ApiError::key_in_flight);
            }
            EventOutcome::KeyReused => return Err(ApiError::key_reused()),
            EventOutcome::Failed(message) => return Err(ApiError::ledger_failed(message)),
        };
        // In the journal now, whatever the dispatcher makes of it: replay counts it too.
        service.journal_entries.fetch_add(1, Ordering::Relaxed);
        crate::add(&mut d, &service.queue, orders);
        let reported = d.report(lastmetre::Seconds(at), event);
        *service.statuses.write().unwrap_or_else(|e| e.into_inner()) = crate::statuses(&d, &service.queue);
        if reported.is_ok() {
            *service.check.write().unwrap_or_else(|e| e.into_inner()) = d.order_check();
            *service.closed_lanes.write().unwrap_or_else(|e| e.into_inner()) = d.closed_lanes();
        }
        let (status, response) = event_answer(seq, at, reported.as_ref().map(|_| ()), &service.clock);
        if let Some(key) = key {
            service
                .event_answers
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(key.clone(), (status, response.clone()));
            // Lost if the service dies first: the next start answers it from the replay. The
            // event is applied either way, so its answer stands; the next checkpoint stores it
            // again.
            service.fresh_answers.lock().unwrap_or_else(|e| e.into_inner()).push((
                key.clone(),
                status,
                response.clone(),
            ));
            let _ = service.writer.send(Write::Answer { key, status, response: response.clone() });
        }
        Ok(json_response(status, response))
    })
    .await
    .map_err(ApiError::internal)?
}

/// The first answer to a repeated event or report, looked up off the async runtime.
async fn first_answer(s: &Shared, idempotency: &Option<(String, String)>) -> Result<Option<Response>, ApiError> {
    let Some((key, hash)) = idempotency.clone() else { return Ok(None) };
    let service = s.clone();
    tokio::task::spawn_blocking(move || seen_event(&service, &key, &hash)).await.map_err(ApiError::internal)?
}

/// The answer already given to an event's key: stored in the ledger, or kept in memory while
/// the ledger has not stored it; `None` for a key not seen; 409 for a key seen with another
/// body, or whose event is still being applied.
fn seen_event(service: &Service, key: &str, hash: &str) -> Result<Option<Response>, ApiError> {
    let seen = ledger::idempotent(&service.reader.lock().unwrap_or_else(|e| e.into_inner()), key)
        .map_err(|e| ApiError::ledger_failed(e.to_string()))?;
    match seen {
        None => Ok(None),
        Some((seen_hash, _, _)) if seen_hash != hash => Err(ApiError::key_reused()),
        Some((_, 0, _)) => match service.event_answers.lock().unwrap_or_else(|e| e.into_inner()).get(key) {
            Some((status, response)) => Ok(Some(json_response(*status, response.clone()))),
            None => Err(ApiError::key_in_flight()),
        },
        Some((_, status, response)) => Ok(Some(json_response(status, response))),
    }
}

/// The field an event's error is about. Events are tagged by `kind`, so serde reports no
/// path: a named field (unknown or missing) is the path; a value of the wrong type is found by
/// leaving each field out in turn, the culprit being the one whose absence is all that is
/// wrong then; anything else concerns `kind`.
fn event_error_path(value: &Value, error: &str) -> String {
    let Some(map) = value.as_object() else { return String::new() };
    let named = |marker: &str| error.strip_prefix(marker).and_then(|rest| rest.split('`').next());
    if let Some(field) = named("unknown field `").or_else(|| named("missing field `")) {
        return format!("/{}", field.replace('~', "~0").replace('/', "~1"));
    }
    // An event has at most five fields; a body with many more is wrong as a whole.
    if map.len() <= 8 {
        for key in map.keys().filter(|k| *k != "kind") {
            let mut without = map.clone();
            without.remove(key);
            let culprit = match serde_json::from_value::<Event>(Value::Object(without)) {
                Ok(_) => true,
                Err(e) => e.to_string().starts_with(&format!("missing field `{key}`")),
            };
            if culprit {
                return format!("/{}", key.replace('~', "~0").replace('/', "~1"));
            }
        }
    }
    "/kind".to_owned()
}

async fn post_plan(
    State(s): State<Shared>,
    axum::Extension(caller): axum::Extension<Caller>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    require_dispatcher(&caller)?;
    let body = body?;
    let value: Value = if body.is_empty() { json!({}) } else { json_of(&body)? };
    let at = time_of(&s, value.get("at"), "/at")?;
    if s.broken.load(Ordering::Relaxed) {
        return Err(ApiError::restart_needed());
    }
    let service = s.clone();
    // Plans of all areas share the cores but one: intake never waits for a core.
    let permit = crate::planning().acquire().await.map_err(|_| ApiError::planner_failed())?;
    let planned = tokio::task::spawn_blocking(move || -> Result<Option<StoredPlan>, ApiError> {
        let _permit = permit;
        let mut d = service.dispatcher.lock().unwrap_or_else(|e| e.into_inner());
        // A plan that panicked while this request waited for the dispatcher left it half-updated.
        if service.broken.load(Ordering::Relaxed) {
            return Err(ApiError::restart_needed());
        }
        {
            let last = *service.last_plan_at.lock().unwrap_or_else(|e| e.into_inner());
            if at < last {
                return Err(ApiError::invalid_at(
                    "/at",
                    "bad_time",
                    format!(
                        "the cycle start {} is before the latest plan's {}",
                        service.clock.format(at),
                        service.clock.format(last)
                    ),
                ));
            }
        }
        let (reply, rx) = oneshot::channel();
        service.writer.send(Write::Plan { at, reply }).map_err(|_| ApiError::ledger_down())?;
        let (seq, orders) =
            rx.blocking_recv().map_err(|_| ApiError::ledger_down())?.map_err(ApiError::ledger_failed)?;
        *service.last_plan_at.lock().unwrap_or_else(|e| e.into_inner()) = at;
        service.journal_entries.fetch_add(1, Ordering::Relaxed);
        let planned = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            make_plan(&mut d, &service.queue, &service.area, &service.clock, orders, at, seq)
        }));
        let Ok((plan, retired)) = planned else {
            // The dispatcher may be half-updated: write nothing more until a restart.
            service.broken.store(true, Ordering::Relaxed);
            return Err(ApiError::planner_failed());
        };
        if !retired.is_empty() {
            let mut kept = service.retired.write().unwrap_or_else(|e| e.into_inner());
            for (id, text) in &retired {
                if let Ok(status) = serde_json::from_str::<Value>(text) {
                    kept.insert(id.clone(), status);
                }
            }
        }
        // The plan as served and the state after it, stored by the writer in one transaction;
        // lost only with a crash first, and then the next start makes the same plan again.
        let answers = std::mem::take(&mut *service.fresh_answers.lock().unwrap_or_else(|e| e.into_inner()));
        let state = crate::checkpoint_state(&d, &service.queue, at);
        let rows: Vec<_> = plan.iter().map(crate::plan_row).collect();
        let _ = service.writer.send(Write::Checkpoint { seq, state, plans: rows, answers, retired });
        if let Some(plan) = &plan {
            service.plans.write().unwrap_or_else(|e| e.into_inner()).push(plan.clone());
        }
        *service.statuses.write().unwrap_or_else(|e| e.into_inner()) = crate::statuses(&d, &service.queue);
        Ok(plan)
    })
    .await
    .map_err(ApiError::internal)??;
    let Some(plan) = planned else {
        // The request is in the ledger and its orders with the dispatcher; only no plan came.
        let body = json!({ "id": null, "planned": false, "reason": "no station can be reached from the gate now" });
        return Ok((StatusCode::OK, axum::Json(body)).into_response());
    };
    let mut body = summary(&plan);
    if caller.0.role != Role::Dispatcher {
        redact(&mut body);
    }
    Ok((StatusCode::CREATED, axum::Json(body)).into_response())
}

fn summary(plan: &StoredPlan) -> Value {
    json!({
        "id": plan.id,
        "planned": true,
        "feasible": plan.feasible,
        "cycle_start": plan.body["cycle_start"],
        "metrics": plan.body["plan"]["metrics"],
        "sheets": plan.sheets.iter().map(|(n, _)| n).collect::<Vec<_>>(),
    })
}

fn plan_response(plan: &StoredPlan, caller: Caller) -> Response {
    let mut body = plan.body.clone();
    body["routes"] = plan.routes.clone();
    body["sheets"] = json!(plan.sheets.iter().map(|(n, _)| n).collect::<Vec<_>>());
    if caller.0.role != Role::Dispatcher {
        redact(&mut body);
    }
    axum::Json(body).into_response()
}

async fn latest_plan(
    State(s): State<Shared>,
    axum::Extension(caller): axum::Extension<Caller>,
) -> Result<Response, ApiError> {
    let plans = s.plans.read().unwrap_or_else(|e| e.into_inner());
    plans.recent.back().map(|p| plan_response(p, caller)).ok_or_else(|| ApiError::not_found("plan yet; POST /plan"))
}

/// Every plan made, oldest first, or those of one day (`?day=YYYY-MM-DD`): id, cycle start,
/// the journal position of its request and the checker's verdict.
async fn list_plans(State(s): State<Shared>, Query(q): Query<HashMap<String, String>>) -> Result<Response, ApiError> {
    let day = q.get("day").map(|d| day_of(d)).transpose()?;
    let plans = s.plans.read().unwrap_or_else(|e| e.into_inner());
    let list: Vec<Value> = plans
        .index
        .iter()
        .filter(|p| day.is_none_or(|d| s.clock.day(p.at_s) == d))
        .map(|p| {
            json!({
                "id": p.id,
                "cycle_start": s.clock.format(p.at_s),
                "day": crate::clock::format_date(s.clock.day(p.at_s)),
                "seq": p.seq,
                "feasible": p.feasible,
            })
        })
        .collect();
    Ok(axum::Json(json!({ "plans": list })).into_response())
}

/// A `day` parameter.
fn day_of(text: &str) -> Result<time::Date, ApiError> {
    crate::clock::parse_date(text).ok_or_else(|| {
        ApiError::invalid_at("/day", "bad_day", format!("day '{text}' is not a date such as 2026-12-01"))
    })
}

/// A plan by id: from memory when recent, else from the ledger.
/// The id is the plan's number, or `YYYY-MM-DD.K`: the day's K-th plan, from 1.
fn find_plan(s: &Service, id: &str) -> Result<StoredPlan, ApiError> {
    let plans = s.plans.read().unwrap_or_else(|e| e.into_inner());
    let n: u32 = match id.split_once('.') {
        Some((day, k)) => {
            let day = day_of(day)?;
            let k: usize = k.parse().map_err(|_| ApiError::not_found(&format!("plan '{id}'")))?;
            let of_day = plans.index.iter().filter(|p| s.clock.day(p.at_s) == day);
            of_day.clone().nth(k.wrapping_sub(1)).map(|p| p.id).ok_or_else(|| {
                ApiError::not_found(&format!("plan '{id}' ({} plans that day, numbered from 1)", of_day.count()))
            })?
        }
        None => id.parse().map_err(|_| ApiError::not_found(&format!("plan '{id}'")))?,
    };
    if let Some(plan) = plans.recent.iter().find(|p| p.id == n) {
        return Ok(plan.clone());
    }
    if !plans.index.iter().any(|p| p.id == n) {
        return Err(ApiError::not_found(&format!("plan {n}")));
    }
    drop(plans);
    let loaded = crate::load_plan(&s.reader.lock().unwrap_or_else(|e| e.into_inner()), n);
    loaded.map_err(ApiError::ledger_failed)?.ok_or_else(|| ApiError::not_found(&format!("plan {n}")))
}

async fn get_plan(
    State(s): State<Shared>,
    axum::Extension(caller): axum::Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let plan = tokio::task::spawn_blocking(move || find_plan(&s, &id)).await.map_err(ApiError::internal)??;
    Ok(plan_response(&plan, caller))
}

async fn get_sheet(
    State(s): State<Shared>,
    axum::Extension(caller): axum::Extension<Caller>,
    Path((id, person)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    require_dispatcher(&caller)?;
    let plan = {
        let id = id.clone();
        tokio::task::spawn_blocking(move || find_plan(&s, &id)).await.map_err(ApiError::internal)??
    };
    let person = person.trim_end_matches(".md");
    let sheet = plan.sheets.iter().find(|(n, _)| n == person).ok_or_else(|| {
        ApiError::not_found(&format!("sheet '{person}' in plan {id} (tricycle-N or porter-N of the plan's sheets)"))
    })?;
    Ok(([(header::CONTENT_TYPE, "text/markdown; charset=utf-8")], sheet.1.clone()).into_response())
}

async fn get_area(
    State(s): State<Shared>,
    axum::Extension(caller): axum::Extension<Caller>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    // The built graph: lanes as the rules make them (tricycle or foot), for the page.
    // Lanes closed now (a PCR test round) say so: `closed: true`.
    if q.get("view").map(String::as_str) == Some("graph") {
        let mut graph = lastmetre::formats::graph_geojson(&s.area);
        let closed = s.closed_lanes.read().unwrap_or_else(|e| e.into_inner()).clone();
        if let Some(features) = graph.get_mut("features").and_then(Value::as_array_mut) {
            for f in features {
                let lane = f.pointer("/properties/lane_id").and_then(Value::as_str);
                if lane.is_some_and(|l| closed.iter().any(|c| c == l)) {
                    f["properties"]["closed"] = json!(true);
                }
            }
        }
        return axum::Json(graph).into_response();
    }
    let mut area = s.area_geojson.clone();
    if caller.0.role != Role::Dispatcher
        && let Some(features) = area.get_mut("features").and_then(Value::as_array_mut)
    {
        features.retain(|f| f.pointer("/properties/kind").and_then(Value::as_str) != Some("household"));
    }
    axum::Json(area).into_response()
}

async fn metrics(State(s): State<Shared>, Query(q): Query<HashMap<String, String>>) -> Result<Response, ApiError> {
    let day = match q.get("day") {
        Some(d) => day_of(d)?,
        None => s.clock.day(s.now_s()),
    };
    let plans = s.plans.read().unwrap_or_else(|e| e.into_inner());
    let latest = plans.recent.back();
    let orders = s.queue.all.read().unwrap_or_else(|e| e.into_inner()).len();
    let queued = s.queue.pending.lock().unwrap_or_else(|e| e.into_inner()).len();
    let plans_of_day = plans.index.iter().filter(|p| s.clock.day(p.at_s) == day).count();
    let body = json!({
        "orders_acknowledged": orders,
        "orders_queued": queued,
        "journal_entries": s.journal_entries.load(Ordering::Relaxed),
        "plans": plans.index.len(),
        "latest_plan": latest.map(|p| p.id),
        "latest_metrics": latest.map(|p| p.body["plan"]["metrics"].clone()),
        "latest_feasible": latest.map(|p| p.feasible),
        "requests": s.requests.load(Ordering::Relaxed),
        "uptime_s": s.started.elapsed().as_secs(),
        "clock": s.clock.format(s.now_s()),
        "closed_lanes": s.closed_lanes.read().unwrap_or_else(|e| e.into_inner()).clone(),
        "day": day_figures(&s, day, plans_of_day),
    });
    Ok(axum::Json(body).into_response())
}

/// The orders placed on `day`, by where they stand now (the counts add up to `orders_placed`), and
/// the day's plans.
fn day_figures(s: &Service, day: time::Date, plans: usize) -> Value {
    let start = s.clock.day_start(day);
    let ids: Vec<String> = {
        let all = s.queue.all.read().unwrap_or_else(|e| e.into_inner());
        let of_day = all.values().filter(|o| (start..start + crate::clock::DAY_S).contains(&o.placed_at.get()));
        of_day.map(|o| o.id.clone()).collect()
    };
    let refused = s.queue.refused.lock().unwrap_or_else(|e| e.into_inner()).clone();
    let statuses = s.statuses.read().unwrap_or_else(|e| e.into_inner());
    let retired = s.retired.read().unwrap_or_else(|e| e.into_inner());
    let mut by_status: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    for id in &ids {
        let status = if refused.contains_key(id) {
            "refused".to_owned()
        } else {
            // Acknowledged and not handed to the dispatcher yet: waiting for the next plan.
            let status = statuses.get(id).or_else(|| retired.get(id));
            status.and_then(|v| v["status"].as_str()).unwrap_or("waiting").to_owned()
        };
        *by_status.entry(status).or_default() += 1;
    }
    json!({
        "date": crate::clock::format_date(day),
        "orders_placed": ids.len(),
        "by_status": by_status,
        "plans": plans,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use lastmetre::text::{Lang, ids};

    /// The families of message ids the pages use.
    const FAMILIES: [&str; 12] = [
        "page-",
        "porter-page-",
        "driver-page-",
        "leader-page-",
        "console-",
        "status-",
        "problem-",
        "priority-",
        "reason-",
        "action-",
        "error-",
        "failure-",
    ];

    /// Every quoted text of a page that reads as a message id of ours.
    fn ids_in(page: &str) -> Vec<String> {
        let id_like = |t: &str| {
            let mut parts = t.split('-');
            parts.next().is_some_and(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase()))
                && t.contains('-')
                && parts.all(|p| {
                    !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
                })
        };
        let mut found: Vec<String> = page
            .split('"')
            .skip(1)
            .step_by(2)
            .filter(|t| id_like(t) && FAMILIES.iter().any(|f| t.starts_with(f)))
            .map(str::to_owned)
            .collect();
        found.sort();
        found.dedup();
        found
    }

    #[test]
    fn every_word_a_page_uses_is_in_both_languages_and_among_the_words_it_is_given() {
        let field = [&FIELD_TEXTS[..]].concat();
        let pages: [(&str, String, Vec<&str>); 4] = [
            ("index.html", PAGE.to_owned(), [&FIELD_TEXTS[..], &CONSOLE_TEXTS[..]].concat()),
            ("porter.html", PORTER_PAGE.replace("/*FIELD*/", FIELD_SCRIPT), [&field[..], &["porter-page-"]].concat()),
            ("driver.html", DRIVER_PAGE.replace("/*FIELD*/", FIELD_SCRIPT), [&field[..], &["driver-page-"]].concat()),
            ("leader.html", LEADER_PAGE.replace("/*FIELD*/", FIELD_SCRIPT), [&field[..], &["leader-page-"]].concat()),
        ];
        for (name, page, prefixes) in &pages {
            let used = ids_in(page);
            assert!(used.len() > 8, "{name}: {used:?}");
            for id in used {
                for lang in Lang::ALL {
                    assert!(ids(lang).contains(&id), "{name} uses {id}, which {}.ftl lacks", lang.code());
                }
                assert!(prefixes.iter().any(|p| id.starts_with(p)), "{name} uses {id} but is not given it");
            }
        }
        // The words the pages make from data: every status, problem, priority, failure and
        // reason there is.
        let statuses = ["waiting", "at_station", "out_for_delivery", "delivered", "cancelled", "refused"];
        let problems = Code::ALL.iter().map(|c| c.as_str()).filter(|c| c.starts_with("E3"));
        let priorities = lastmetre::model::Priority::ALL.iter().map(|p| p.as_str());
        let failures = ["nobody_home", "isolated", "cannot_reach"];
        let reasons = ["no_station_reaches", "porter_energy", "fleet_limit", "no_fleet", "station_storage", "held"];
        let made: Vec<String> = statuses
            .iter()
            .map(|s| format!("status-{s}"))
            .chain(problems.map(|c| format!("problem-{c}")))
            .chain(priorities.map(|p| format!("priority-{p}")))
            .chain(failures.iter().map(|f| format!("failure-{f}")))
            .chain(reasons.iter().flat_map(|r| [format!("reason-{r}"), format!("action-{r}")]))
            .collect();
        for id in made {
            for lang in Lang::ALL {
                assert!(ids(lang).contains(&id), "{}.ftl lacks {id}", lang.code());
            }
        }
    }
}
