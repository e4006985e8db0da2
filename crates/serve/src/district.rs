//! Many sealed areas in one service: each area's routes under `/areas/{id}/…`, with its own
//! dispatcher, ledger and writer, so that one area's failure (a panic, a bad plan, a ledger
//! it cannot write, or an area that does not start) never touches another's. `GET /areas`
//! lists the areas a token holds, with their state; `/healthz` and `/openapi.json` stay at
//! the top. With a single area, its routes also answer at the top, as before.

use crate::api::{self, ApiError};
use crate::{Role, Service, Tokens};
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::Ordering;

/// An area as the service holds it: running, or failed at start with why.
pub(crate) type Held = (String, Result<Arc<Service>, String>);

/// What the district's own routes see.
struct District {
    areas: Vec<Held>,
    tokens: Tokens,
    started: std::time::Instant,
}

/// The router of every area, with the district's routes.
pub(crate) fn router(areas: Vec<Held>, tokens: Tokens) -> Router {
    let district =
        Arc::new(District { areas: areas.clone(), tokens: tokens.clone(), started: std::time::Instant::now() });
    let single = match &areas[..] {
        [(_, Ok(service))] => Some(service.clone()),
        _ => None,
    };
    // One area: its routes at the top too, so that a single-area command post and its
    // scripts keep working.
    let mut app = match single {
        Some(service) => api::router(service),
        None => Router::new()
            .route("/healthz", get(healthz).with_state(district.clone()))
            .route("/openapi.json", get(openapi).with_state(district.clone()))
            .fallback(|| async {
                ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such route; see /areas and /openapi.json")
            }),
    };
    app = app.route("/areas", get(list).with_state(district.clone()));
    for (id, held) in areas {
        let nested = match held {
            Ok(service) => api::router(service),
            Err(why) => {
                let (tokens, area) = (tokens.clone(), id.clone());
                Router::new().fallback(move |headers: HeaderMap| {
                    let (tokens, area, why) = (tokens.clone(), area.clone(), why.clone());
                    async move { unavailable(&tokens, &area, &why, &headers) }
                })
            }
        };
        // The area's page is /areas/{id}; with a slash it is sent there, query and all.
        let page = format!("/areas/{id}");
        app = app.route(
            &format!("/areas/{id}/"),
            get(move |uri: axum::http::Uri| {
                let target = match uri.query() {
                    Some(q) => format!("{page}?{q}"),
                    None => page.clone(),
                };
                // Temporary: the target carries the page's ?token=, which no cache may keep.
                async move { axum::response::Redirect::temporary(&target) }
            }),
        );
        app = app.nest(&format!("/areas/{id}"), nested);
    }
    app.layer(axum::middleware::map_response(api::no_store))
}

/// An area that did not start: 503 with why, to a token that holds it.
fn unavailable(tokens: &Tokens, area: &str, why: &str, headers: &HeaderMap) -> Response {
    match api::bearer(headers).map(|t| tokens.grant(&t, area)) {
        Some(crate::auth::Grant::Granted(_)) => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "area_unavailable",
            format!("area '{area}' did not start: {why}; the other areas run"),
        )
        .into_response(),
        Some(crate::auth::Grant::OtherAreas) => ApiError::other_area(area).into_response(),
        _ => api::unauthorized(),
    }
}

/// A porter's, driver's or leader's token reaches their own area's `/me` only.
fn field_role() -> Response {
    ApiError::new(StatusCode::FORBIDDEN, "forbidden", "this token reads GET /areas/{id}/me only").into_response()
}

async fn healthz(State(d): State<Arc<District>>) -> Response {
    let failed = d.areas.iter().filter(|(_, held)| held.is_err()).count();
    axum::Json(
        json!({ "ok": true, "areas": d.areas.len(), "failed": failed, "uptime_s": d.started.elapsed().as_secs() }),
    )
    .into_response()
}

async fn openapi(State(d): State<Arc<District>>, headers: HeaderMap) -> Response {
    match api::bearer(&headers).and_then(|t| d.tokens.role(&t)) {
        None => return api::unauthorized(),
        Some(Role::Dispatcher | Role::Viewer) => {}
        Some(_) => return field_role(),
    }
    ([(header::CONTENT_TYPE, "application/json")], api::OPENAPI).into_response()
}

/// The areas the token holds, each with its state.
async fn list(State(d): State<Arc<District>>, headers: HeaderMap) -> Response {
    let Some(token) = api::bearer(&headers).filter(|t| d.tokens.role(t).is_some()) else {
        return api::unauthorized();
    };
    if !matches!(d.tokens.role(&token), Some(Role::Dispatcher | Role::Viewer)) {
        return field_role();
    }
    let areas: Vec<Value> = d
        .areas
        .iter()
        .filter(|(id, _)| d.tokens.holds(&token, id))
        .map(|(id, held)| match held {
            Err(why) => json!({ "id": id, "state": "failed", "error": why }),
            Ok(s) => {
                let plans = s.plans.read().unwrap_or_else(|e| e.into_inner());
                let latest = plans.index.last();
                let state = if s.broken.load(Ordering::Relaxed) { "restart_needed" } else { "running" };
                json!({
                    "id": id,
                    "state": state,
                    "households": s.area.households.len(),
                    "plans": plans.index.len(),
                    "latest_plan": latest.map(|p| p.id),
                    "latest_cycle_start": latest.map(|p| s.clock.format(p.at_s)),
                    "orders_acknowledged": s.queue.all.read().unwrap_or_else(|e| e.into_inner()).len(),
                })
            }
        })
        .collect();
    axum::Json(json!({ "areas": areas })).into_response()
}
