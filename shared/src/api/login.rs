//! `POST /api/auth/login {email}` → 202, the same for every well-formed address.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use serde::{Deserialize, Serialize};

use crate::app::AppState;
use crate::domain::EmailAddress;
use crate::error::{ApiError, ApiResult};
use crate::http::{ClientIp, Json, finish};
use crate::signin;

pub fn router(state: AppState) -> Router {
    finish(Router::new().route("/api/auth/login", post(login)), state)
}

#[derive(Deserialize)]
struct LoginRequest {
    email: String,
}

#[derive(Serialize)]
struct LoginAccepted {
    message: &'static str,
}

async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Json(request): Json<LoginRequest>,
) -> ApiResult<(StatusCode, axum::Json<LoginAccepted>)> {
    // Known and unknown addresses take the same time to answer (see Config::login_response_floor).
    // The floor counts from arrival, so the rate-limit writes fall inside it too and a slow
    // moment in the database shifts both kinds of answer alike.
    let answer_at = tokio::time::Instant::now() + state.config.login_response_floor;
    let email = EmailAddress::parse(&request.email)
        .map_err(|_| ApiError::bad_request("invalid_email", "Enter a valid email address, like name@company.com."))?;
    signin::check_login_rate(&state, &email, &ip).await?;
    let outcome = signin::request_magic_link(&state, &email).await;
    if tokio::time::Instant::now() > answer_at {
        // The answer now takes longer for a known address than for an unknown one.
        tracing::warn!(
            floor_ms = state.config.login_response_floor.as_millis(),
            "sign-in link request overran LOGIN_RESPONSE_FLOOR_MS; raise it so timing cannot reveal known addresses"
        );
    }
    tokio::time::sleep_until(answer_at).await;
    outcome?;
    Ok((
        StatusCode::ACCEPTED,
        axum::Json(LoginAccepted {
            message: "If this address has portal access, a sign-in link is on its way. It works once and expires in 10 minutes.",
        }),
    ))
}
