//! The routes of the `invoices` function: billing from Harvest as a client sees it: invoices
//! (with payments), project budgets, estimates and the decision on them.

use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRef, State};
use axum::routing::{get, post};
use serde::Deserialize;

use super::budgets::{self, ProjectBudgetView};
use super::estimates::{self, Decider, DecisionInput, EstimateDetailView, EstimateList, MAX_COMMENT_CHARS};
use super::{Billing, InvoiceDetailView, InvoiceList, StateFilter};
use crate::auth::{Action, ClientSession, Sessions};
use crate::config::Config;
use crate::domain::{Error, EstimateVerdict};
use crate::http::{ApiResult, Json, Paging, Path, Query, body_limit_for_chars};
use crate::store::{Item, Store};
use aws_sdk_dynamodb::types::AttributeValue;

type ProjectId = ulid::Ulid;

pub fn invoices<S: Clone + Send + Sync + 'static>() -> Router<S>
where
    Store: FromRef<S>,
    Billing: FromRef<S>,
    Arc<Config>: FromRef<S>,
    Sessions: FromRef<S>,
{
    let comment = DefaultBodyLimit::max(body_limit_for_chars(MAX_COMMENT_CHARS));
    Router::new()
        .route("/api/invoices", get(list))
        .route("/api/invoices/{invoiceId}", get(detail))
        .route("/api/projects/{projectId}/budget", get(project_budget))
        .route("/api/estimates", get(list_estimates))
        .route("/api/estimates/{estimateId}", get(estimate))
        .route("/api/estimates/{estimateId}/accept", post(accept).layer(comment))
        .route("/api/estimates/{estimateId}/decline", post(decline).layer(comment))
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

/// Every contact sees hours budgets; money budgets only contacts with invoice access (and only
/// when the agency shows this client money).
async fn project_budget(
    State(store): State<Store>,
    State(billing): State<Billing>,
    session: ClientSession,
    Path(project_id): Path<ProjectId>,
) -> ApiResult<axum::Json<ProjectBudgetView>> {
    let access = session.require(Action::UsePortal).await?;
    let money_allowed = access.may(Action::SeeInvoices).is_ok();
    Ok(axum::Json(budgets::project_budget(&store, &billing, session.client_id, project_id, money_allowed).await?))
}

async fn list_estimates(
    State(store): State<Store>,
    State(billing): State<Billing>,
    session: ClientSession,
) -> ApiResult<axum::Json<EstimateList>> {
    session.require(Action::SeeInvoices).await?;
    Ok(axum::Json(estimates::list(&store, &billing, session.client_id).await?))
}

async fn estimate(
    State(store): State<Store>,
    State(billing): State<Billing>,
    session: ClientSession,
    Path(estimate_id): Path<String>,
) -> ApiResult<axum::Json<EstimateDetailView>> {
    session.require(Action::SeeInvoices).await?;
    Ok(axum::Json(estimates::detail(&store, &billing, session.client_id, &estimate_id).await?))
}

async fn decide(
    store: &Store,
    billing: &Billing,
    session: ClientSession,
    estimate_id: String,
    verdict: EstimateVerdict,
    input: DecisionInput,
) -> ApiResult<axum::Json<EstimateDetailView>> {
    // Deciding is for those who see the company's billing: an estimate is a commitment to pay.
    let access = session.require(Action::SeeInvoices).await?;
    let by = Decider { contact_id: session.contact_id, name: access.name() };
    let decided = estimates::decide(store, billing, session.client_id, by, &estimate_id, verdict, input).await?;
    Ok(axum::Json(decided))
}

async fn accept(
    State(store): State<Store>,
    State(billing): State<Billing>,
    session: ClientSession,
    Path(estimate_id): Path<String>,
    Json(input): Json<DecisionInput>,
) -> ApiResult<axum::Json<EstimateDetailView>> {
    decide(&store, &billing, session, estimate_id, EstimateVerdict::Accepted, input).await
}

async fn decline(
    State(store): State<Store>,
    State(billing): State<Billing>,
    session: ClientSession,
    Path(estimate_id): Path<String>,
    Json(input): Json<DecisionInput>,
) -> ApiResult<axum::Json<EstimateDetailView>> {
    decide(&store, &billing, session, estimate_id, EstimateVerdict::Declined, input).await
}
