//! `GET /api/invoices` and `GET /api/invoices/{invoiceId}`: the client's Harvest invoices.

use axum::Router;
use axum::extract::{Path, State};
use axum::routing::get;
use serde::Deserialize;

use crate::app::AppState;
use crate::auth::ClientSession;
use crate::error::{ApiError, ApiResult};
use crate::http::{Query, finish};
use crate::invoices::{self, InvoiceDetailView, InvoiceList, StateFilter};

pub fn router(state: AppState) -> Router {
    let routes = Router::new().route("/api/invoices", get(list)).route("/api/invoices/{invoice_id}", get(detail));
    finish(routes, state)
}

#[derive(Deserialize)]
struct ListParams {
    limit: Option<String>,
    cursor: Option<String>,
    state: Option<String>,
}

async fn list(
    State(state): State<AppState>,
    session: ClientSession,
    Query(params): Query<ListParams>,
) -> ApiResult<axum::Json<InvoiceList>> {
    let filter = match params.state.as_deref().map(str::trim) {
        None | Some("" | "all") => StateFilter::All,
        Some("open") => StateFilter::Open,
        Some("paid") => StateFilter::Paid,
        Some(_) => return Err(ApiError::bad_request("invalid_state", "`state` must be one of open, paid, all.")),
    };
    let list =
        invoices::list(&state, session.client_id, filter, params.limit.as_deref(), params.cursor.as_deref()).await?;
    Ok(axum::Json(list))
}

async fn detail(
    State(state): State<AppState>,
    session: ClientSession,
    Path(invoice_id): Path<String>,
) -> ApiResult<axum::Json<InvoiceDetailView>> {
    Ok(axum::Json(invoices::detail(&state, session.client_id, &invoice_id).await?))
}
