//! Sessions: the JWT in the `portal_session` cookie, and the extractors that turn a request
//! into a verified principal. A JWT alone is not enough: its session row must still exist, so
//! sign-out and revocation take effect on the next request (one GetItem).
//!
//! Reads (GET/HEAD) do not wait for that GetItem: the signed claims already say who is asking,
//! so the handler reads while the session check runs beside it, and `confirm_session` (a layer
//! every router gets) replaces the answer with 401 if the check fails. Nothing a revoked session
//! asked for ever leaves the function. Writes wait for the check before they run.
//!
//! Handlers ask for `ClientSession` or `AdminSession`; the client id a handler may query comes
//! only from there, never from the path, query or body.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{FromRef, FromRequestParts, RawPathParams, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use cookie::{Cookie, SameSite};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use super::access::{self, Access, Action};
use crate::config::Config;
use crate::domain::{Actor, AdminId, ClientId, ContactId, Error, Role, SessionId, SessionRecord};
use crate::http::{ApiError, CursorKey, Tenant};
use crate::store::Store;

pub const SESSION_COOKIE: &str = "portal_session";

/// JWT claims. `cid` is present for client contacts only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub sid: SessionId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cid: Option<ClientId>,
    pub role: Role,
    pub iat: i64,
    pub exp: i64,
    pub iss: String,
    pub aud: String,
}

pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    issuer: String,
}

impl JwtKeys {
    pub fn new(config: &Config) -> Self {
        // Only the aws-lc-rs backend is compiled in; installing it explicitly keeps that true
        // even if another crate ever enables a second backend. Err = already installed.
        let _ = jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER.install_default();
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_audience(&[Config::JWT_AUDIENCE]);
        validation.set_issuer(&[config.public_url.as_str()]);
        validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
        validation.leeway = 5;
        Self {
            encoding: EncodingKey::from_secret(config.jwt_secret.as_bytes()),
            decoding: DecodingKey::from_secret(config.jwt_secret.as_bytes()),
            validation,
            issuer: config.public_url.clone(),
        }
    }

    pub fn mint(&self, session: &SessionRecord) -> Result<String, Error> {
        let claims = Claims {
            sub: session.principal_id.clone(),
            sid: session.sid,
            cid: session.client_id,
            role: session.role,
            iat: session.issued_at,
            exp: session.expires_at,
            iss: self.issuer.clone(),
            aud: Config::JWT_AUDIENCE.to_owned(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding).map_err(Error::internal)
    }

    /// `None` for anything not minted by us and still within its lifetime.
    pub fn verify(&self, token: &str) -> Option<Claims> {
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation).ok().map(|data| data.claims)
    }
}

/// What checking a session takes: the table (the session row), the JWT keys, and the cursor
/// key lists of this session are sealed with. Cheap to clone.
#[derive(Clone)]
pub struct Sessions {
    pub store: Store,
    pub keys: Arc<JwtKeys>,
    pub cursors: Arc<CursorKey>,
}

/// `Set-Cookie` value carrying a session JWT.
pub fn session_cookie(jwt: &str, max_age: Duration) -> Result<HeaderValue, Error> {
    let cookie = Cookie::build((SESSION_COOKIE, jwt))
        .http_only(true)
        .secure(true)
        .same_site(SameSite::Lax)
        .path("/")
        .max_age(cookie::time::Duration::seconds(i64::try_from(max_age.as_secs()).unwrap_or(i64::MAX)));
    HeaderValue::from_str(&cookie.to_string()).map_err(Error::internal)
}

/// `Set-Cookie` value that removes the session cookie.
pub fn cleared_session_cookie() -> HeaderValue {
    HeaderValue::from_static("portal_session=; HttpOnly; Secure; SameSite=Lax; Path=/; Max-Age=0")
}

fn session_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|cookie| cookie.name() == SESSION_COOKIE)
        .map(|cookie| cookie.value().to_owned())
}

/// Anyone with a live session, of either role. Their access (`access`, `require`) is settled
/// once per request and shared by everything that asks.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub session: SessionRecord,
    check: AccessCheck,
}

impl SignedIn {
    /// This person's access as of this request (waits for the check if a read deferred it).
    pub async fn access(&self) -> Result<Access, Error> {
        self.check.settle().await
    }

    /// `Ok(access)` if this person may do `action` (see `access::Access::may`), else 403.
    pub async fn require(&self, action: Action) -> Result<Access, Error> {
        let access = self.access().await?;
        access.may(action)?;
        Ok(access)
    }
}

/// The session the claims describe; the stored row must match it exactly.
fn expected_session(claims: Claims) -> SessionRecord {
    SessionRecord {
        sid: claims.sid,
        role: claims.role,
        principal_id: claims.sub,
        client_id: claims.cid,
        issued_at: claims.iat,
        expires_at: claims.exp,
    }
}

/// The access check of one request: running (a read lets the handler start beside it) or done.
#[derive(Clone)]
struct AccessCheck(Arc<tokio::sync::Mutex<CheckState>>);

enum CheckState {
    Running(tokio::task::JoinHandle<Result<Access, Error>>),
    Done(Result<Access, Error>),
}

impl std::fmt::Debug for AccessCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AccessCheck")
    }
}

impl AccessCheck {
    fn start(store: Store, expected: SessionRecord, path_client: Option<ClientId>) -> Self {
        let task = tokio::spawn(async move { access::resolve(&store, &expected, path_client).await });
        Self(Arc::new(tokio::sync::Mutex::new(CheckState::Running(task))))
    }

    async fn settle(&self) -> Result<Access, Error> {
        let mut state = self.0.lock().await;
        if let CheckState::Running(task) = &mut *state {
            let outcome = task.await.unwrap_or_else(|join_error| Err(Error::internal(join_error)));
            *state = CheckState::Done(outcome);
        }
        match &*state {
            CheckState::Done(outcome) => outcome.clone(),
            CheckState::Running(_) => Err(Error::internal("access check still running")),
        }
    }
}

/// Where a read's access check waits for `confirm_session` (which puts it in every request).
#[derive(Clone, Default)]
pub struct PendingSessionCheck(Arc<Mutex<Option<AccessCheck>>>);

/// Runs the request, then settles its access check if a read left one running: a failed
/// check (revoked, signed out, expired, access lost) turns whatever the handler produced into
/// the check's 401 or 403.
pub async fn confirm_session(mut request: Request, next: Next) -> Response {
    let pending = PendingSessionCheck::default();
    request.extensions_mut().insert(pending.clone());
    let response = next.run(request).await;
    let check = pending.0.lock().ok().and_then(|mut slot| slot.take());
    match check {
        None => response,
        Some(check) => match check.settle().await {
            Ok(_) => response,
            Err(error) => ApiError::from(error).into_response(),
        },
    }
}

/// The client the request's path names (`{clientId}`), if any: staff access is decided for it.
async fn path_client(parts: &mut Parts) -> Option<ClientId> {
    let params = RawPathParams::from_request_parts(parts, &()).await.ok()?;
    params.iter().find(|(name, _)| *name == "clientId").and_then(|(_, value)| ClientId::parse(value))
}

impl<S: Send + Sync> FromRequestParts<S> for SignedIn
where
    Sessions: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        if let Some(signed_in) = parts.extensions.get::<SignedIn>() {
            return Ok(signed_in.clone());
        }
        let token = session_token(&parts.headers).ok_or(Error::Unauthenticated)?;
        let sessions = Sessions::from_ref(state);
        let claims = sessions.keys.verify(&token).ok_or(Error::Unauthenticated)?;
        let expected = expected_session(claims);
        let check = AccessCheck::start(sessions.store.clone(), expected.clone(), path_client(parts).await);
        let is_read = matches!(parts.method, Method::GET | Method::HEAD);
        let deferred = match parts.extensions.get::<PendingSessionCheck>() {
            Some(pending) if is_read => {
                let mut slot = pending.0.lock().map_err(|_| Error::internal("session check slot poisoned"))?;
                *slot = Some(check.clone());
                true
            }
            _ => false,
        };
        if !deferred {
            check.settle().await?;
        }
        let tenant = expected.client_id.map_or_else(|| "agency".to_owned(), |client| client.to_string());
        let signed_in = SignedIn { session: expected, check };
        parts.extensions.insert(signed_in.clone());
        parts.extensions.insert(Tenant { id: tenant, cursors: sessions.cursors });
        Ok(signed_in)
    }
}

/// The session, if it is one of `role`'s: anyone else is signed in but not allowed here.
async fn signed_in_as<S: Send + Sync>(parts: &mut Parts, state: &S, role: Role) -> Result<SignedIn, ApiError>
where
    Sessions: FromRef<S>,
{
    let signed_in = SignedIn::from_request_parts(parts, state).await?;
    if signed_in.session.role == role {
        return Ok(signed_in);
    }
    Err(Error::Forbidden(match role {
        Role::Client => "This page is for client contacts.",
        Role::Admin => "This page is for agency staff.",
    })
    .into())
}

/// A client contact's session: the only source of the tenant id.
#[derive(Debug, Clone)]
pub struct ClientSession {
    pub client_id: ClientId,
    pub contact_id: ContactId,
    pub signed_in: SignedIn,
}

impl ClientSession {
    fn from_session(signed_in: SignedIn) -> Result<Self, Error> {
        let client_id = signed_in.session.client_id.ok_or(Error::Unauthenticated)?;
        let contact_id = ContactId::parse(&signed_in.session.principal_id).ok_or(Error::Unauthenticated)?;
        Ok(Self { client_id, contact_id, signed_in })
    }

    /// See `SignedIn::require`.
    pub async fn require(&self, action: Action) -> Result<Access, Error> {
        self.signed_in.require(action).await
    }
}

/// An agency staff member's session. Routes under `/api/admin/clients/{clientId}` are refused
/// (403) to members not assigned to that client before any handler's answer leaves.
#[derive(Debug, Clone)]
pub struct AdminSession {
    pub admin_id: AdminId,
    pub signed_in: SignedIn,
}

impl AdminSession {
    fn from_session(signed_in: SignedIn) -> Result<Self, Error> {
        let admin_id = AdminId::parse(&signed_in.session.principal_id).ok_or(Error::Unauthenticated)?;
        Ok(Self { admin_id, signed_in })
    }

    /// See `SignedIn::require`.
    pub async fn require(&self, action: Action) -> Result<Access, Error> {
        self.signed_in.require(action).await
    }

    /// The clients an agency list may show this person.
    pub async fn visible_clients(&self, store: &Store) -> Result<crate::store::Visible, Error> {
        access::visible_clients(store, &self.signed_in.access().await?).await
    }
}
/// An agency owner making an agency-wide change (staff, assignments, new clients, Harvest,
/// branding): anyone else gets 403, before the body is read.
pub struct AgencyOwner(pub Actor);

impl<S: Send + Sync> FromRequestParts<S> for AgencyOwner
where
    Sessions: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let session = AdminSession::from_request_parts(parts, state).await?;
        session.require(Action::ManageAgency).await?;
        Ok(Self(Actor::admin(session.admin_id)))
    }
}

/// The role extractors: the signed-in session, if it is the role's, parsed into its type.
macro_rules! role_session {
    ($session:ty, $role:expr) => {
        impl<S: Send + Sync> FromRequestParts<S> for $session
        where
            Sessions: FromRef<S>,
        {
            type Rejection = ApiError;

            async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
                Ok(Self::from_session(signed_in_as(parts, state, $role).await?)?)
            }
        }
    };
}

role_session!(ClientSession, Role::Client);
role_session!(AdminSession, Role::Admin);

#[cfg(test)]
mod tests {
    use super::*;
    use time::OffsetDateTime;

    fn config(secret: &str) -> Config {
        Config::from_lookup(|name| {
            Some(
                match name {
                    "TABLE_NAME" => "t",
                    "FILES_BUCKET" => "b",
                    "SENDER_EMAIL" => "portal@agency.example",
                    "PUBLIC_URL" => "https://portal.agency.example",
                    "JWT_SECRET" => secret,
                    _ => return None,
                }
                .to_owned(),
            )
        })
        .unwrap()
    }

    fn session(expires_in: i64) -> SessionRecord {
        let now = OffsetDateTime::now_utc().unix_timestamp();
        SessionRecord {
            sid: SessionId::new(),
            role: Role::Client,
            principal_id: ContactId::new().to_string(),
            client_id: Some(ClientId::new()),
            issued_at: now,
            expires_at: now + expires_in,
        }
    }

    const SECRET: &str = "an-hs256-secret-of-at-least-32-bytes!!";

    #[test]
    fn minted_tokens_verify_with_the_same_claims() {
        let keys = JwtKeys::new(&config(SECRET));
        let session = session(3600);
        let claims = keys.verify(&keys.mint(&session).unwrap()).unwrap();
        assert_eq!(claims.sid, session.sid);
        assert_eq!(claims.cid, session.client_id);
        assert_eq!(claims.sub, session.principal_id);
        assert_eq!(claims.aud, "client-portal");
    }

    #[test]
    fn foreign_expired_and_tampered_tokens_are_refused() {
        let keys = JwtKeys::new(&config(SECRET));
        let other = JwtKeys::new(&config("another-secret-that-is-32-bytes-long!!"));
        assert!(keys.verify(&other.mint(&session(3600)).unwrap()).is_none(), "foreign key accepted");
        assert!(keys.verify(&keys.mint(&session(-60)).unwrap()).is_none(), "expired accepted");
        let token = keys.mint(&session(3600)).unwrap();
        let mut parts: Vec<&str> = token.split('.').collect();
        let forged_payload = {
            use base64::Engine;
            let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
            let mut claims: serde_json::Value = serde_json::from_slice(&engine.decode(parts[1]).unwrap()).unwrap();
            claims["cid"] = serde_json::Value::String(ClientId::new().to_string());
            engine.encode(serde_json::to_vec(&claims).unwrap())
        };
        parts[1] = &forged_payload;
        assert!(keys.verify(&parts.join(".")).is_none(), "tampered payload accepted");
        // "alg": "none" with an empty signature.
        let none = format!("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{}.", token.split('.').nth(1).unwrap());
        assert!(keys.verify(&none).is_none(), "alg none accepted");
    }

    #[test]
    fn cookie_has_the_security_attributes() {
        let value = session_cookie("jwt", Duration::from_secs(60)).unwrap();
        let text = value.to_str().unwrap();
        for part in ["portal_session=jwt", "HttpOnly", "Secure", "SameSite=Lax", "Path=/", "Max-Age=60"] {
            assert!(text.contains(part), "{text} lacks {part}");
        }
    }

    #[test]
    fn session_token_is_found_among_other_cookies() {
        let mut headers = HeaderMap::new();
        headers.append(header::COOKIE, HeaderValue::from_static("theme=dark; portal_session=abc.def.ghi"));
        assert_eq!(session_token(&headers).as_deref(), Some("abc.def.ghi"));
        headers.clear();
        headers.append(header::COOKIE, HeaderValue::from_static("theme=dark"));
        assert_eq!(session_token(&headers), None);
    }
}
