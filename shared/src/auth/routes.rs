//! The routes of the `login`, `verify` and `session` functions.

use std::sync::Arc;

use axum::Router;
use axum::extract::{FromRef, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};

use super::{MeResponse, Sessions, SignedIn, cleared_session_cookie, session_cookie, signin};
use crate::config::Config;
use crate::domain::{EmailAddress, Error};
use crate::http::{ApiResult, ClientIp, Json};
use crate::mail::Mailer;
use crate::store::Store;

/// `POST /api/auth/login {email}` → 202, the same for every well-formed address.
pub fn login<S: Clone + Send + Sync + 'static>() -> Router<S>
where
    Store: FromRef<S>,
    Mailer: FromRef<S>,
    Arc<Config>: FromRef<S>,
{
    Router::new().route("/api/auth/login", post(request_link))
}

/// `POST /api/auth/verify {token}` → 200 with the session cookie. Only this POST consumes a
/// token: mail scanners that GET the link cannot burn it.
pub fn verify<S: Clone + Send + Sync + 'static>() -> Router<S>
where
    Store: FromRef<S>,
    Arc<Config>: FromRef<S>,
    Sessions: FromRef<S>,
{
    Router::new().route("/api/auth/verify", post(redeem_link))
}

/// `GET /api/me` and `POST /api/auth/logout`. This function also answers the API's `$default`
/// route, so an unknown path gets the same JSON 404 as everywhere else.
pub fn session<S: Clone + Send + Sync + 'static>() -> Router<S>
where
    Store: FromRef<S>,
    Sessions: FromRef<S>,
{
    Router::new().route("/api/me", get(me)).route("/api/auth/logout", post(logout))
}

#[derive(Deserialize)]
struct LoginRequest {
    email: String,
}

#[derive(Serialize)]
struct LoginAccepted {
    message: &'static str,
}

async fn request_link(
    State(store): State<Store>,
    State(mailer): State<Mailer>,
    State(config): State<Arc<Config>>,
    ClientIp(ip): ClientIp,
    Json(request): Json<LoginRequest>,
) -> ApiResult<(StatusCode, axum::Json<LoginAccepted>)> {
    // Known and unknown addresses take the same time to answer (see Config::login_response_floor).
    // The floor counts from arrival, so the rate-limit writes fall inside it too and a slow
    // moment in the database shifts both kinds of answer alike.
    let answer_at = tokio::time::Instant::now() + config.login_response_floor;
    let email = EmailAddress::parse(&request.email)
        .map_err(|_| Error::malformed("invalid_email", "Enter a valid email address, like name@company.com."))?;
    signin::check_login_rate(&store, &config, &email, &ip).await?;
    let outcome = signin::request_magic_link(&store, &mailer, &config, &email).await;
    if tokio::time::Instant::now() > answer_at {
        // The answer now takes longer for a known address than for an unknown one.
        tracing::warn!(
            floor_ms = config.login_response_floor.as_millis(),
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

#[derive(Deserialize)]
struct VerifyRequest {
    token: String,
}

async fn redeem_link(
    State(store): State<Store>,
    State(config): State<Arc<Config>>,
    State(sessions): State<Sessions>,
    Json(request): Json<VerifyRequest>,
) -> ApiResult<Response> {
    let (principal, session) = signin::redeem_token(&store, &config, &request.token).await?;
    let cookie = session_cookie(&sessions.keys.mint(&session)?, config.session_ttl)?;
    let body = MeResponse::new(&principal, session.expires_at);
    Ok(([(header::SET_COOKIE, cookie)], axum::Json(body)).into_response())
}

async fn me(State(store): State<Store>, SignedIn { session, .. }: SignedIn) -> ApiResult<axum::Json<MeResponse>> {
    let principal = signin::current_principal(&store, &session).await?;
    Ok(axum::Json(MeResponse::new(&principal, session.expires_at)))
}

async fn logout(State(store): State<Store>, SignedIn { session, .. }: SignedIn) -> ApiResult<Response> {
    signin::sign_out(&store, &session).await?;
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, cleared_session_cookie())]).into_response())
}
