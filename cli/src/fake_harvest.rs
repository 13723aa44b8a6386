//! `portal fake-harvest`: a local stand-in for Harvest API v2 for `make dev`, serving the demo
//! clients' invoices in Harvest's documented shapes (`shared::local::harvest_fixtures`) and
//! checking the headers Harvest requires, as the real API does.

use std::collections::HashMap;

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};
use shared::local::harvest_fixtures;

#[derive(Clone)]
struct Fake {
    base_url: String,
    token: String,
    account_id: String,
}

pub async fn serve(port: u16, token: String, account_id: String) -> anyhow::Result<()> {
    let base_url = format!("http://127.0.0.1:{port}");
    let app = Router::new()
        .route("/v2/company", get(company))
        .route("/v2/clients", get(clients))
        .route("/v2/invoices", get(invoices))
        .with_state(Fake { base_url: base_url.clone(), token, account_id });
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    println!("Fake Harvest API v2 on {base_url}");
    axum::serve(listener, app).await?;
    Ok(())
}

/// Harvest answers 401 for a bad token or account and 400 without a User-Agent.
fn check(fake: &Fake, headers: &HeaderMap) -> Result<(), Box<Response>> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default();
    if header("user-agent").is_empty() {
        let body = json!({"error": "User-Agent header required"});
        return Err(Box::new((StatusCode::BAD_REQUEST, axum::Json(body)).into_response()));
    }
    if header("authorization") != format!("Bearer {}", fake.token) || header("harvest-account-id") != fake.account_id {
        let body = json!({"error": "invalid_token", "error_description": "The access token provided is expired, revoked, malformed or invalid for other reasons."});
        return Err(Box::new((StatusCode::UNAUTHORIZED, axum::Json(body)).into_response()));
    }
    Ok(())
}

async fn company(State(fake): State<Fake>, headers: HeaderMap) -> Response {
    match check(&fake, &headers) {
        Ok(()) => axum::Json(harvest_fixtures::company()).into_response(),
        Err(response) => *response,
    }
}

async fn clients(State(fake): State<Fake>, headers: HeaderMap) -> Response {
    match check(&fake, &headers) {
        Ok(()) => axum::Json(harvest_fixtures::clients_page()).into_response(),
        Err(response) => *response,
    }
}

async fn invoices(
    State(fake): State<Fake>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    if let Err(response) = check(&fake, &headers) {
        return *response;
    }
    let client_id = query.get("client_id").and_then(|v| v.parse::<u64>().ok());
    let all: Vec<Value> = match client_id {
        Some(id) => harvest_fixtures::demo_invoices(id),
        None => [harvest_fixtures::NORTHWIND_HARVEST_ID, harvest_fixtures::GLOBEX_HARVEST_ID]
            .into_iter()
            .flat_map(harvest_fixtures::demo_invoices)
            .collect(),
    };
    let per_page = query.get("per_page").and_then(|v| v.parse::<usize>().ok()).unwrap_or(2000).clamp(1, 2000);
    let page = query.get("page").and_then(|v| v.parse::<usize>().ok()).unwrap_or(1).max(1);
    let total_pages = all.len().div_ceil(per_page).max(1);
    let items: Vec<Value> = all.into_iter().skip((page - 1) * per_page).take(per_page).collect();
    let next = (page < total_pages).then(|| {
        let client = client_id.map(|id| format!("client_id={id}&")).unwrap_or_default();
        format!("{}/v2/invoices?{client}page={}&per_page={per_page}", fake.base_url, page + 1)
    });
    axum::Json(harvest_fixtures::invoices_page(items, page as u64, total_pages as u64, next)).into_response()
}
