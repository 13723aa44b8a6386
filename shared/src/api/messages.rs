//! `/api/messages`: the client company's thread with the agency.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use serde::Deserialize;

use crate::app::AppState;
use crate::auth::ClientSession;
use crate::error::ApiResult;
use crate::http::{Json, Query, finish};
use crate::pagination::{Page, PageRequest};
use crate::portal::{self, MessageView, ReadState};

pub fn router(state: AppState) -> Router {
    let routes = Router::new().route("/api/messages", get(list).post(create)).route("/api/messages/read", post(read));
    finish(routes, state)
}

#[derive(Deserialize)]
struct ListParams {
    limit: Option<String>,
    cursor: Option<String>,
}

async fn list(
    State(state): State<AppState>,
    session: ClientSession,
    Query(params): Query<ListParams>,
) -> ApiResult<axum::Json<Page<MessageView>>> {
    let scope = portal::messages_scope(session.client_id);
    let page = PageRequest::parse(params.limit.as_deref(), params.cursor.as_deref(), &state.cursors, &scope)?;
    Ok(axum::Json(portal::list_messages(&state, session.client_id, session.contact_id, page).await?))
}

#[derive(Deserialize)]
struct NewMessage {
    body: String,
}

async fn create(
    State(state): State<AppState>,
    session: ClientSession,
    Json(request): Json<NewMessage>,
) -> ApiResult<(StatusCode, axum::Json<MessageView>)> {
    let message = portal::post_message(&state, session.client_id, session.contact_id, &request.body).await?;
    Ok((StatusCode::CREATED, axum::Json(message)))
}

async fn read(State(state): State<AppState>, session: ClientSession) -> ApiResult<axum::Json<ReadState>> {
    Ok(axum::Json(portal::mark_read(&state, session.client_id, session.contact_id).await?))
}
