//! `GET /api/dashboard` and `GET /api/activity`.

use axum::Router;
use axum::extract::State;
use axum::routing::get;
use serde::Deserialize;

use crate::app::AppState;
use crate::auth::ClientSession;
use crate::error::ApiResult;
use crate::http::{Query, finish};
use crate::pagination::{Page, PageRequest};
use crate::portal::{self, ActivityView, Dashboard};

pub fn router(state: AppState) -> Router {
    finish(Router::new().route("/api/dashboard", get(dashboard)).route("/api/activity", get(activity)), state)
}

async fn dashboard(State(state): State<AppState>, session: ClientSession) -> ApiResult<axum::Json<Dashboard>> {
    Ok(axum::Json(portal::dashboard(&state, session.client_id, session.contact_id).await?))
}

#[derive(Deserialize)]
struct ListParams {
    limit: Option<String>,
    cursor: Option<String>,
}

async fn activity(
    State(state): State<AppState>,
    session: ClientSession,
    Query(params): Query<ListParams>,
) -> ApiResult<axum::Json<Page<ActivityView>>> {
    let scope = portal::activity_scope(session.client_id);
    let page = PageRequest::parse(params.limit.as_deref(), params.cursor.as_deref(), &state.cursors, &scope)?;
    Ok(axum::Json(portal::activity(&state, session.client_id, page).await?))
}
