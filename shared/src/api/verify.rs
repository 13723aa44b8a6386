//! `POST /api/auth/verify {token}` → 200 with the session cookie. Only this POST consumes a
//! token: mail scanners that GET the link cannot burn it.

use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde::Deserialize;

use crate::api::MeResponse;
use crate::app::AppState;
use crate::auth::session_cookie;
use crate::error::ApiResult;
use crate::http::{Json, finish};
use crate::signin;

pub fn router(state: AppState) -> Router {
    finish(Router::new().route("/api/auth/verify", post(verify)), state)
}

#[derive(Deserialize)]
struct VerifyRequest {
    token: String,
}

async fn verify(State(state): State<AppState>, Json(request): Json<VerifyRequest>) -> ApiResult<Response> {
    let (principal, session) = signin::redeem_token(&state, &request.token).await?;
    let jwt = state.jwt.mint(&session)?;
    let cookie = session_cookie(&jwt, state.config.session_ttl)?;
    let body = MeResponse::new(&principal, session.expires_at);
    Ok(([(header::SET_COOKIE, cookie)], axum::Json(body)).into_response())
}
