//! The routes of the `projects`, `messages` and `dashboard` functions. Every handler takes a
//! `ClientSession`: an agency admin gets 403, no session 401.

use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRef, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use serde::Deserialize;

use super::deliverables::{self, MAX_COMMENT_CHARS, ReviewInput};
use super::messages::{self, MAX_MESSAGE_CHARS, MessageBody, ReadState};
use super::{ActivityView, DeliverableView, MessageView, NoteView, ProjectDetailView, ProjectSummaryView};
use super::{dashboard, notes, projects};
use crate::auth::{Action, ClientSession, Sessions};
use crate::config::Config;
use crate::domain::{Error, ProjectStatus, ReviewDecision};
use crate::files::{DownloadLink, FileStore};
use crate::http::{ApiResult, Json, Page, Paging, Path, Query, body_limit_for_chars};
use crate::invoices::Billing;
use crate::store::Store;

type Reply<T> = ApiResult<axum::Json<T>>;
type ProjectId = ulid::Ulid;
type DeliverableId = ulid::Ulid;
type NoteId = ulid::Ulid;

/// `/api/projects/**`: a client's projects, deliverable downloads and reviews, meeting notes.
pub fn projects<S: Clone + Send + Sync + 'static>() -> Router<S>
where
    Store: FromRef<S>,
    FileStore: FromRef<S>,
    Sessions: FromRef<S>,
{
    Router::new()
        .route("/api/projects", get(list_projects))
        .route("/api/projects/{projectId}", get(project_detail))
        .route("/api/projects/{projectId}/deliverables/{deliverableId}/download", get(download))
        .route(
            "/api/projects/{projectId}/deliverables/{deliverableId}/review",
            post(review).layer(DefaultBodyLimit::max(body_limit_for_chars(MAX_COMMENT_CHARS))),
        )
        .route("/api/projects/{projectId}/notes/{noteId}", get(note))
}

/// `/api/messages`: the client company's thread with the agency.
pub fn messages<S: Clone + Send + Sync + 'static>() -> Router<S>
where
    Store: FromRef<S>,
    Arc<Config>: FromRef<S>,
    Sessions: FromRef<S>,
{
    Router::new()
        .route(
            "/api/messages",
            get(list_messages).post(post_message).layer(DefaultBodyLimit::max(body_limit_for_chars(MAX_MESSAGE_CHARS))),
        )
        .route("/api/messages/read", post(mark_read))
}

/// `GET /api/dashboard` and `GET /api/activity`.
pub fn dashboard<S: Clone + Send + Sync + 'static>() -> Router<S>
where
    Store: FromRef<S>,
    Billing: FromRef<S>,
    Sessions: FromRef<S>,
{
    Router::new().route("/api/dashboard", get(show_dashboard)).route("/api/activity", get(activity))
}

#[derive(Deserialize)]
struct ProjectFilter {
    status: Option<String>,
}

fn parse_status(raw: Option<&str>) -> Result<Option<ProjectStatus>, Error> {
    match raw.map(str::trim) {
        None | Some("" | "all") => Ok(None),
        Some("planning") => Ok(Some(ProjectStatus::Planning)),
        Some("active") => Ok(Some(ProjectStatus::Active)),
        Some("on_hold") => Ok(Some(ProjectStatus::OnHold)),
        Some("completed") => Ok(Some(ProjectStatus::Completed)),
        Some(_) => Err(Error::malformed(
            "invalid_status",
            "`status` must be one of all, planning, active, on_hold, completed.",
        )),
    }
}

async fn list_projects(
    State(store): State<Store>,
    session: ClientSession,
    paging: Paging,
    Query(filter): Query<ProjectFilter>,
) -> Reply<Page<ProjectSummaryView>> {
    let status = parse_status(filter.status.as_deref())?;
    let (items, last) = projects::list(&store, session.client_id, status, paging.limit, paging.start.clone()).await?;
    Ok(axum::Json(paging.page(items, last)?))
}

async fn project_detail(
    State(store): State<Store>,
    State(files): State<FileStore>,
    session: ClientSession,
    Path(project): Path<ProjectId>,
) -> Reply<ProjectDetailView> {
    Ok(axum::Json(projects::detail(&store, &files, session.client_id, project).await?))
}

#[derive(Deserialize)]
struct DownloadParams {
    version: Option<String>,
}

async fn download(
    State(store): State<Store>,
    State(files): State<FileStore>,
    session: ClientSession,
    Path((project, deliverable)): Path<(ProjectId, DeliverableId)>,
    Query(params): Query<DownloadParams>,
) -> Reply<DownloadLink> {
    let version = params
        .version
        .map(|raw| {
            raw.trim().parse::<u32>().ok().filter(|n| *n > 0).ok_or_else(|| {
                Error::malformed("invalid_version", "`version` must be a version number such as 1 or 2.")
            })
        })
        .transpose()?;
    let link = deliverables::download_link(&store, &files, session.client_id, project, deliverable, version).await?;
    Ok(axum::Json(link))
}

#[derive(Deserialize)]
struct ReviewRequest {
    decision: ReviewDecision,
    #[serde(default)]
    comment: String,
}

async fn review(
    State(store): State<Store>,
    session: ClientSession,
    Path((project, deliverable)): Path<(ProjectId, DeliverableId)>,
    Json(request): Json<ReviewRequest>,
) -> Reply<DeliverableView> {
    let input = ReviewInput { decision: request.decision, comment: &request.comment };
    let view = deliverables::review(&store, session.client_id, session.contact_id, project, deliverable, input).await?;
    Ok(axum::Json(view))
}

async fn note(
    State(store): State<Store>,
    session: ClientSession,
    Path((project, note)): Path<(ProjectId, NoteId)>,
) -> Reply<NoteView> {
    Ok(axum::Json(notes::note(&store, session.client_id, project, note).await?))
}

async fn list_messages(State(store): State<Store>, session: ClientSession, paging: Paging) -> Reply<Page<MessageView>> {
    let (items, last) =
        messages::list(&store, session.client_id, session.contact_id, paging.limit, paging.start.clone()).await?;
    Ok(axum::Json(paging.page(items, last)?))
}

#[derive(Deserialize)]
struct NewMessage {
    body: String,
}

async fn post_message(
    State(store): State<Store>,
    session: ClientSession,
    Json(request): Json<NewMessage>,
) -> ApiResult<(StatusCode, axum::Json<MessageView>)> {
    let body = MessageBody::parse(&request.body)?;
    let message = messages::post(&store, session.client_id, session.contact_id, body).await?;
    Ok((StatusCode::CREATED, axum::Json(message)))
}

async fn mark_read(State(store): State<Store>, session: ClientSession) -> Reply<ReadState> {
    Ok(axum::Json(messages::mark_read(&store, session.client_id, session.contact_id).await?))
}

async fn show_dashboard(
    State(store): State<Store>,
    State(billing): State<Billing>,
    session: ClientSession,
) -> Reply<dashboard::Dashboard> {
    let sees_invoices = async { Ok(session.require(Action::SeeInvoices).await.is_ok()) };
    Ok(axum::Json(dashboard::dashboard(&store, &billing, session.client_id, session.contact_id, sees_invoices).await?))
}

async fn activity(State(store): State<Store>, session: ClientSession, paging: Paging) -> Reply<Page<ActivityView>> {
    let sees_billing = session.require(Action::SeeInvoices).await.is_ok();
    let (items, last) =
        dashboard::activity(&store, session.client_id, sees_billing, paging.limit, paging.start.clone()).await?;
    Ok(axum::Json(paging.page(items, last)?))
}
