//! `/api/projects/**`: a client's projects, deliverable downloads and reviews, meeting notes.

use axum::Router;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use serde::Deserialize;

use crate::app::AppState;
use crate::auth::ClientSession;
use crate::error::{ApiError, ApiResult};
use crate::files::DownloadLink;
use crate::http::{Json, Query, finish, parse_id};
use crate::models::{ProjectStatus, ReviewDecision};
use crate::pagination::{Page, PageRequest};
use crate::portal::{self, DeliverableView, NoteView, ProjectDetailView, ProjectSummaryView};

pub fn router(state: AppState) -> Router {
    let routes = Router::new()
        .route("/api/projects", get(list))
        .route("/api/projects/{project_id}", get(detail))
        .route("/api/projects/{project_id}/deliverables/{deliverable_id}/download", get(download))
        .route("/api/projects/{project_id}/deliverables/{deliverable_id}/review", post(review))
        .route("/api/projects/{project_id}/notes/{note_id}", get(note));
    finish(routes, state)
}

#[derive(Deserialize)]
struct ListParams {
    limit: Option<String>,
    cursor: Option<String>,
    status: Option<String>,
}

fn parse_status(raw: Option<&str>) -> ApiResult<Option<ProjectStatus>> {
    match raw.map(str::trim) {
        None | Some("" | "all") => Ok(None),
        Some("planning") => Ok(Some(ProjectStatus::Planning)),
        Some("active") => Ok(Some(ProjectStatus::Active)),
        Some("on_hold") => Ok(Some(ProjectStatus::OnHold)),
        Some("completed") => Ok(Some(ProjectStatus::Completed)),
        Some(_) => Err(ApiError::bad_request(
            "invalid_status",
            "`status` must be one of all, planning, active, on_hold, completed.",
        )),
    }
}

async fn list(
    State(state): State<AppState>,
    session: ClientSession,
    Query(params): Query<ListParams>,
) -> ApiResult<axum::Json<Page<ProjectSummaryView>>> {
    let status = parse_status(params.status.as_deref())?;
    let scope = portal::projects_scope(session.client_id, status);
    let page = PageRequest::parse(params.limit.as_deref(), params.cursor.as_deref(), &state.cursors, &scope)?;
    Ok(axum::Json(portal::list_projects(&state, session.client_id, status, page).await?))
}

async fn detail(
    State(state): State<AppState>,
    session: ClientSession,
    Path(project_id): Path<String>,
) -> ApiResult<axum::Json<ProjectDetailView>> {
    Ok(axum::Json(portal::project_detail(&state, session.client_id, parse_id(&project_id)?).await?))
}

#[derive(Deserialize)]
struct DownloadParams {
    version: Option<String>,
}

async fn download(
    State(state): State<AppState>,
    session: ClientSession,
    Path((project_id, deliverable_id)): Path<(String, String)>,
    Query(params): Query<DownloadParams>,
) -> ApiResult<axum::Json<DownloadLink>> {
    let version = params
        .version
        .map(|raw| {
            raw.trim().parse::<u32>().ok().filter(|n| *n > 0).ok_or_else(|| {
                ApiError::bad_request("invalid_version", "`version` must be a version number such as 1 or 2.")
            })
        })
        .transpose()?;
    let link =
        portal::download_link(&state, session.client_id, parse_id(&project_id)?, parse_id(&deliverable_id)?, version)
            .await?;
    Ok(axum::Json(link))
}

#[derive(Deserialize)]
struct ReviewRequest {
    decision: ReviewDecision,
    #[serde(default)]
    comment: String,
}

async fn review(
    State(state): State<AppState>,
    session: ClientSession,
    Path((project_id, deliverable_id)): Path<(String, String)>,
    Json(request): Json<ReviewRequest>,
) -> ApiResult<axum::Json<DeliverableView>> {
    let view = portal::review_deliverable(
        &state,
        session.client_id,
        session.contact_id,
        parse_id(&project_id)?,
        parse_id(&deliverable_id)?,
        request.decision,
        &request.comment,
    )
    .await?;
    Ok(axum::Json(view))
}

async fn note(
    State(state): State<AppState>,
    session: ClientSession,
    Path((project_id, note_id)): Path<(String, String)>,
) -> ApiResult<axum::Json<NoteView>> {
    Ok(axum::Json(portal::note(&state, session.client_id, parse_id(&project_id)?, parse_id(&note_id)?).await?))
}
