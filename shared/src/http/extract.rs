//! Extractors for what every handler repeats. Each rejection is one of our JSON errors.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use serde::de::DeserializeOwned;

use super::error::ApiError;
use super::pagination::{CursorKey, Page, parse_limit};
use crate::domain::Error;
use crate::store::Item;

/// A JSON object as the request body.
///
/// Accepted content types: `application/json` (and `+json`), none at all, and
/// `application/x-www-form-urlencoded` — curl's default for `-d`, so `curl -d '{"email":…}'`
/// just works. The body must still be a JSON object: serde would also read a struct from an
/// array (`["a@b.c"]`), which no route documents. Cross-site form posts are stopped by the
/// same-origin guard, not by the content type.
pub struct Json<T>(pub T);

fn accepts_json(content_type: Option<&HeaderValue>) -> bool {
    let Some(value) = content_type else { return true };
    let Ok(value) = value.to_str() else { return false };
    let essence = value.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    essence == "application/json" || essence.ends_with("+json") || essence == "application/x-www-form-urlencoded"
}

impl<T, S> FromRequest<S> for Json<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !accepts_json(req.headers().get(header::CONTENT_TYPE)) {
            return Err(ApiError::UnsupportedMediaType);
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|_| ApiError::PayloadTooLarge)?;
        match bytes.iter().find(|b| !b.is_ascii_whitespace()) {
            None => {
                return Err(ApiError::bad_request("invalid_json", "The request body is empty; send a JSON object."));
            }
            Some(b'{') => {}
            Some(_) if serde_json::from_slice::<serde::de::IgnoredAny>(&bytes).is_err() => {
                return Err(ApiError::bad_request("invalid_json", "The request body is not valid JSON."));
            }
            Some(_) => {
                return Err(ApiError::bad_request("invalid_request", "The request body must be a JSON object."));
            }
        }
        match axum::Json::<T>::from_bytes(&bytes) {
            Ok(axum::Json(value)) => Ok(Self(value)),
            Err(JsonRejection::JsonDataError(error)) => Err(ApiError::bad_request(
                "invalid_request",
                format!("The request body is not as expected: {}", error.body_text()),
            )),
            Err(_) => Err(ApiError::bad_request("invalid_json", "The request body is not valid JSON.")),
        }
    }
}

/// Query-string parameters; a malformed query string is a JSON 400.
pub struct Query<T>(pub T);

impl<T, S> FromRequestParts<S> for Query<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Query(value)| Self(value))
            .map_err(|rejection| ApiError::bad_request("invalid_parameter", rejection.body_text()))
    }
}

/// Path parameters as typed ids (`ClientId`, `ulid::Ulid`, or a tuple of them). Anything that
/// does not parse cannot name a thing of ours, so it is simply not found.
pub struct Path<T>(pub T);

impl<T, S> FromRequestParts<S> for Path<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(value)| Self(value))
            .map_err(|_| Error::NotFound.into())
    }
}

/// The caller's IP: the viewer address CloudFront vouched for (see `edge_guard`), else
/// API Gateway's `requestContext.http.sourceIp`; "unknown" when neither is there. Headers such
/// as `X-Forwarded-For` are never trusted: a caller can write them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientIp(pub String);

/// The viewer's IP from `CloudFront-Viewer-Address`, set only by `edge_guard` after it checked
/// the origin secret.
#[derive(Debug, Clone)]
pub struct ViewerIp(pub(super) String);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        use lambda_http::request::RequestContext;
        if let Some(ViewerIp(ip)) = parts.extensions.get::<ViewerIp>() {
            return Ok(Self(ip.clone()));
        }
        let ip = match parts.extensions.get::<RequestContext>() {
            Some(RequestContext::ApiGatewayV2(context)) => context.http.source_ip.clone(),
            _ => None,
        };
        Ok(Self(ip.unwrap_or_else(|| "unknown".to_owned())))
    }
}

/// Whose data a request reads, as the verified session says (the client id for a contact,
/// `agency` for staff), and the key that seals this deployment's cursors. The session
/// extractors put it in the request; `Paging` binds cursors to it. Nothing else sets it.
#[derive(Debug, Clone)]
pub struct Tenant {
    pub id: String,
    pub cursors: Arc<CursorKey>,
}

/// One page of a list: `?limit=` (default 25, max 100) and the opaque `?cursor=`, opened for
/// this list only. The list's scope is computed once, here: the concrete path (which holds any
/// client id of an admin route), the session's tenant, and the other query parameters (the
/// list's filters). A cursor minted for another list, filter or tenant fails its seal.
///
/// Take it after the session extractor: without the session's tenant it refuses to work.
#[derive(Debug)]
pub struct Paging {
    pub limit: i32,
    pub start: Option<Item>,
    scope: String,
    key: Arc<CursorKey>,
}

impl Paging {
    /// `items` with DynamoDB's `LastEvaluatedKey` sealed as `next_cursor`.
    pub fn page<T>(&self, items: Vec<T>, last: Option<Item>) -> Result<Page<T>, ApiError> {
        let next_cursor = last.map(|key| self.cursor_for(&key)).transpose()?;
        Ok(Page { items, next_cursor })
    }

    /// A cursor for this list that resumes after `last`.
    pub fn cursor_for(&self, last: &Item) -> Result<String, ApiError> {
        self.key.seal(&self.scope, last)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Paging {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Tenant { id: tenant, cursors: key } = parts
            .extensions
            .get::<Tenant>()
            .cloned()
            .ok_or_else(|| Error::internal("Paging extracted before the session"))?;
        let Query(params) = Query::<Vec<(String, String)>>::from_request_parts(parts, state).await?;
        let (mut limit, mut cursor, mut filters) = (None, None, Vec::new());
        for (name, value) in params {
            match name.as_str() {
                "limit" => limit = Some(value),
                "cursor" => cursor = Some(value),
                _ => filters.push(format!("{name}={}", value.trim().to_lowercase())),
            }
        }
        filters.sort();
        let scope = format!("{}|{tenant}|{}", parts.uri.path(), filters.join("&"));
        let limit = parse_limit(limit.as_deref())?;
        let start = cursor.map(|token| key.open(&scope, &token)).transpose()?;
        Ok(Self { limit, start, scope, key })
    }
}
