//! `GET /api/me` and `POST /api/auth/logout`. This function also answers the API's `$default`
//! route, so an unknown path gets the same JSON 404 as everywhere else.

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use crate::api::MeResponse;
use crate::app::AppState;
use crate::auth::{SignedIn, cleared_session_cookie};
use crate::error::ApiResult;
use crate::http::finish;
use crate::signin;

pub fn router(state: AppState) -> Router {
    finish(Router::new().route("/api/me", get(me)).route("/api/auth/logout", post(logout)), state)
}

async fn me(State(state): State<AppState>, SignedIn { session }: SignedIn) -> ApiResult<axum::Json<MeResponse>> {
    let principal = signin::current_principal(&state, &session).await?;
    Ok(axum::Json(MeResponse::new(&principal, session.expires_at)))
}

async fn logout(State(state): State<AppState>, SignedIn { session }: SignedIn) -> ApiResult<Response> {
    signin::sign_out(&state, &session).await?;
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, cleared_session_cookie())]).into_response())
}
