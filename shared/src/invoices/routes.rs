//! The routes of the `invoices` function: the client's Harvest invoices.

use axum::Router;
use axum::extract::{FromRef, State};
use axum::routing::get;
use serde::Deserialize;

use super::{Billing, InvoiceDetailView, InvoiceList, StateFilter};
use crate::auth::{Action, ClientSession, Sessions};
use crate::domain::Error;
use crate::http::{ApiResult, Paging, Path, Query};
use crate::store::{Item, Store};
use aws_sdk_dynamodb::types::AttributeValue;

pub fn invoices<S: Clone + Send + Sync + 'static>() -> Router<S>
where
    Store: FromRef<S>,
    Billing: FromRef<S>,
    Sessions: FromRef<S>,
{
    Router::new().route("/api/invoices", get(list)).route("/api/invoices/{invoiceId}", get(detail))
}

#[derive(Deserialize)]
struct ListParams {
    state: Option<String>,
}

/// The cursor of an invoice list is an offset into the cached list.
const OFFSET: &str = "offset";

async fn list(
    State(store): State<Store>,
    State(billing): State<Billing>,
    session: ClientSession,
    paging: Paging,
    Query(params): Query<ListParams>,
) -> ApiResult<axum::Json<InvoiceList>> {
    session.require(Action::SeeInvoices).await?;
    let filter = match params.state.as_deref().map(str::trim) {
        None | Some("" | "all") => StateFilter::All,
        Some("open") => StateFilter::Open,
        Some("paid") => StateFilter::Paid,
        Some(_) => return Err(Error::malformed("invalid_state", "`state` must be one of open, paid, all.").into()),
    };
    let offset = match &paging.start {
        None => 0,
        Some(start) => start.get(OFFSET).and_then(|v| v.as_s().ok()).and_then(|v| v.parse().ok()).ok_or_else(|| {
            Error::malformed(
                "invalid_cursor",
                "The cursor is not valid for this list. Start again from the first page.",
            )
        })?,
    };
    let limit = usize::try_from(paging.limit).unwrap_or(25);
    let (mut list, next) = super::list(&store, &billing, session.client_id, filter, offset, limit).await?;
    let next = next.map(|end| Item::from([(OFFSET.to_owned(), AttributeValue::S(end.to_string()))]));
    list.next_cursor = next.map(|last| paging.cursor_for(&last)).transpose()?;
    Ok(axum::Json(list))
}

async fn detail(
    State(store): State<Store>,
    State(billing): State<Billing>,
    session: ClientSession,
    Path(invoice_id): Path<String>,
) -> ApiResult<axum::Json<InvoiceDetailView>> {
    session.require(Action::SeeInvoices).await?;
    Ok(axum::Json(super::detail(&store, &billing, session.client_id, &invoice_id).await?))
}
