//! The routes of the `login`, `verify` and `session` functions.

use std::sync::Arc;

use axum::Router;
use axum::extract::{FromRef, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post};
use serde::{Deserialize, Serialize};

use super::passkeys::{self, PasskeyView, Started};
use super::{MeResponse, Sessions, SignedIn, cleared_session_cookie, session_cookie, signin};
use crate::config::Config;
use crate::domain::{EmailAddress, Error};
use crate::http::{ApiResult, ClientIp, Json, Path};
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

/// `/api/auth/passkey/*` (sign in with a passkey) and `/api/passkeys/**` (your passkeys).
pub fn passkeys<S: Clone + Send + Sync + 'static>() -> Router<S>
where
    Store: FromRef<S>,
    Arc<Config>: FromRef<S>,
    Sessions: FromRef<S>,
{
    Router::new()
        .route("/api/auth/passkey/start", post(start_passkey_sign_in))
        .route("/api/auth/passkey/finish", post(finish_passkey_sign_in))
        .route("/api/auth/passkey/enrol", post(enrol_passkey))
        .route("/api/auth/passkey/confirm", post(confirm_passkey))
        .route("/api/passkeys", get(list_passkeys))
        .route("/api/passkeys/register/start", post(start_passkey_registration))
        .route("/api/passkeys/register/finish", post(finish_passkey_registration))
        .route("/api/passkeys/{passkeyId}", patch(rename_passkey).delete(remove_passkey))
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
    match signin::redeem_token(&store, &config, &request.token).await? {
        signin::Redeemed::Session(principal, session) => signed_in(&sessions, &config, &principal, &session),
        // 202: the link was good, a passkey must follow before a session opens.
        signin::Redeemed::PasskeyRequired(principal) => {
            let step = passkeys::start_second_factor(&store, &config, &principal).await?;
            Ok((StatusCode::ACCEPTED, axum::Json(step)).into_response())
        }
    }
}

async fn me(State(store): State<Store>, SignedIn { session, .. }: SignedIn) -> ApiResult<axum::Json<MeResponse>> {
    let principal = signin::current_principal(&store, &session).await?;
    Ok(axum::Json(MeResponse::new(&principal, session.expires_at)))
}

async fn logout(State(store): State<Store>, SignedIn { session, .. }: SignedIn) -> ApiResult<Response> {
    signin::sign_out(&store, &session).await?;
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, cleared_session_cookie())]).into_response())
}

/// Answers a new session: the cookie and who signed in.
fn signed_in(
    sessions: &Sessions,
    config: &Config,
    principal: &crate::domain::Principal,
    session: &crate::domain::SessionRecord,
) -> ApiResult<Response> {
    let cookie = session_cookie(&sessions.keys.mint(session)?, config.session_ttl)?;
    let body = MeResponse::new(principal, session.expires_at);
    Ok(([(header::SET_COOKIE, cookie)], axum::Json(body)).into_response())
}

async fn start_passkey_sign_in(
    State(store): State<Store>,
    State(config): State<Arc<Config>>,
    ClientIp(ip): ClientIp,
) -> ApiResult<axum::Json<Started<webauthn_rs::prelude::RequestChallengeResponse>>> {
    passkeys::check_rate(&store, &config, &ip, passkeys::Attempt::Start).await?;
    Ok(axum::Json(passkeys::start_sign_in(&store, &config).await?))
}

#[derive(Deserialize)]
struct PasskeySignIn {
    ceremony_id: String,
    credential: webauthn_rs::prelude::PublicKeyCredential,
}

async fn finish_passkey_sign_in(
    State(store): State<Store>,
    State(config): State<Arc<Config>>,
    State(sessions): State<Sessions>,
    ClientIp(ip): ClientIp,
    Json(request): Json<PasskeySignIn>,
) -> ApiResult<Response> {
    passkeys::check_rate(&store, &config, &ip, passkeys::Attempt::Answer).await?;
    let (principal, session) =
        passkeys::finish_sign_in(&store, &config, &request.ceremony_id, &request.credential).await?;
    signed_in(&sessions, &config, &principal, &session)
}

#[derive(Deserialize)]
struct PasskeyEnrolment {
    ceremony_id: String,
    credential: webauthn_rs::prelude::RegisterPublicKeyCredential,
}

/// A staff member's first passkey, right after their magic link (`STAFF_REQUIRE_PASSKEY`).
async fn enrol_passkey(
    State(store): State<Store>,
    State(config): State<Arc<Config>>,
    State(sessions): State<Sessions>,
    ClientIp(ip): ClientIp,
    Json(request): Json<PasskeyEnrolment>,
) -> ApiResult<Response> {
    passkeys::check_rate(&store, &config, &ip, passkeys::Attempt::Answer).await?;
    let (principal, session) =
        passkeys::finish_enrolment(&store, &config, &request.ceremony_id, &request.credential).await?;
    signed_in(&sessions, &config, &principal, &session)
}

/// A staff member's passkey after their magic link (`STAFF_REQUIRE_PASSKEY`).
async fn confirm_passkey(
    State(store): State<Store>,
    State(config): State<Arc<Config>>,
    State(sessions): State<Sessions>,
    ClientIp(ip): ClientIp,
    Json(request): Json<PasskeySignIn>,
) -> ApiResult<Response> {
    passkeys::check_rate(&store, &config, &ip, passkeys::Attempt::Answer).await?;
    let (principal, session) =
        passkeys::finish_confirmation(&store, &config, &request.ceremony_id, &request.credential).await?;
    signed_in(&sessions, &config, &principal, &session)
}

#[derive(Serialize)]
struct PasskeyList {
    items: Vec<PasskeyView>,
}

async fn list_passkeys(State(store): State<Store>, signed: SignedIn) -> ApiResult<axum::Json<PasskeyList>> {
    Ok(axum::Json(PasskeyList { items: passkeys::list(&store, &signed.session).await? }))
}

async fn start_passkey_registration(
    State(store): State<Store>,
    State(config): State<Arc<Config>>,
    signed: SignedIn,
) -> ApiResult<axum::Json<Started<webauthn_rs::prelude::CreationChallengeResponse>>> {
    Ok(axum::Json(passkeys::start_registration(&store, &config, &signed.session).await?))
}

#[derive(Deserialize)]
struct PasskeyRegistration {
    ceremony_id: String,
    #[serde(default)]
    name: Option<String>,
    credential: webauthn_rs::prelude::RegisterPublicKeyCredential,
}

async fn finish_passkey_registration(
    State(store): State<Store>,
    State(config): State<Arc<Config>>,
    signed: SignedIn,
    Json(request): Json<PasskeyRegistration>,
) -> ApiResult<(StatusCode, axum::Json<PasskeyView>)> {
    let view = passkeys::finish_registration(
        &store,
        &config,
        &signed.session,
        &request.ceremony_id,
        request.name.as_deref(),
        &request.credential,
    )
    .await?;
    Ok((StatusCode::CREATED, axum::Json(view)))
}

#[derive(Deserialize)]
struct PasskeyName {
    name: String,
}

async fn rename_passkey(
    State(store): State<Store>,
    signed: SignedIn,
    Path(id): Path<ulid::Ulid>,
    Json(request): Json<PasskeyName>,
) -> ApiResult<axum::Json<PasskeyView>> {
    Ok(axum::Json(passkeys::rename(&store, &signed.session, id, &request.name).await?))
}

async fn remove_passkey(
    State(store): State<Store>,
    State(config): State<Arc<Config>>,
    signed: SignedIn,
    Path(id): Path<ulid::Ulid>,
) -> ApiResult<StatusCode> {
    signed.access().await?;
    passkeys::remove(&store, &config, &signed.session, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
