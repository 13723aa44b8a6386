//! HTTP plumbing shared by every function: the JSON body extractor with JSON rejections, the
//! caller's IP, the same-origin guard for state-changing requests, and the finishing layers
//! (body limit, `no-store`, JSON 404/405) every router gets.

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::JsonRejection;
use axum::extract::{DefaultBodyLimit, FromRequest, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use serde::de::DeserializeOwned;

use crate::app::AppState;
use crate::error::ApiError;

/// Largest request body any route accepts; uploads go straight to S3, never through the API.
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// A JSON request body; every rejection is one of our JSON errors.
///
/// Accepted content types: `application/json` (and `+json`), none at all, and
/// `application/x-www-form-urlencoded` — curl's default for `-d`, so `curl -d '{"email":…}'`
/// just works. The body must still be JSON. Cross-site form posts are stopped by the
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
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(ApiError::bad_request("invalid_json", "The request body is empty; send a JSON object."));
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

/// Path ids are ULIDs; anything else cannot name a thing of ours, so it is simply not found.
pub fn parse_id(raw: &str) -> Result<ulid::Ulid, ApiError> {
    ulid::Ulid::from_string(raw).map_err(|_| ApiError::NotFound)
}

/// The caller's IP: the viewer address CloudFront vouched for (see `edge_guard`), else
/// API Gateway's `requestContext.http.sourceIp`; "unknown" when neither is there. Headers such
/// as `X-Forwarded-For` are never trusted: a caller can write them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientIp(pub String);

/// The viewer's IP from `CloudFront-Viewer-Address`, set only by `edge_guard` after it checked
/// the origin secret.
#[derive(Debug, Clone)]
struct ViewerIp(String);

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

/// The header CloudFront adds to every request it forwards to the API (template.yaml).
pub const ORIGIN_SECRET_HEADER: &str = "x-origin-verify";

/// With an origin secret configured, only requests that came through CloudFront get in: the
/// security headers, the edge's limits and the viewer's real address then apply to every call.
async fn edge_guard(State(state): State<AppState>, mut request: Request, next: Next) -> Result<Response, ApiError> {
    if let Some(secret) = &state.config.origin_secret {
        let presented = request.headers().get(ORIGIN_SECRET_HEADER).map(HeaderValue::as_bytes).unwrap_or_default();
        if aws_lc_rs::constant_time::verify_slices_are_equal(presented, secret.as_bytes()).is_err() {
            return Err(ApiError::Forbidden("Use the portal's own address; the API does not answer directly."));
        }
        let viewer =
            request.headers().get("cloudfront-viewer-address").and_then(|v| v.to_str().ok()).and_then(viewer_ip);
        if let Some(ip) = viewer {
            request.extensions_mut().insert(ViewerIp(ip));
        }
    }
    Ok(next.run(request).await)
}

/// `CloudFront-Viewer-Address` is `ip:port` (IPv6 unbracketed: `2001:db8::1:443`).
fn viewer_ip(value: &str) -> Option<String> {
    let (ip, port) = value.rsplit_once(':')?;
    port.parse::<u16>().ok()?;
    ip.parse::<std::net::IpAddr>().ok().map(|ip| ip.to_string())
}

/// Refuses state-changing requests that a browser sent from another site. Browsers always
/// send `Origin` on cross-origin POSTs; requests without one (curl, server-to-server) carry
/// no ambient cookie risk from a web page, so they pass.
async fn same_origin_guard(State(state): State<AppState>, request: Request, next: Next) -> Result<Response, ApiError> {
    let changes_state = !matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if changes_state {
        let headers = request.headers();
        let origin = headers.get(header::ORIGIN).map(HeaderValue::as_bytes);
        if origin.is_some_and(|origin| origin != state.config.public_origin().as_bytes()) {
            return Err(ApiError::ForeignOrigin);
        }
        if headers.get("sec-fetch-site").is_some_and(|site| site.as_bytes() == b"cross-site") {
            return Err(ApiError::ForeignOrigin);
        }
    }
    Ok(next.run(request).await)
}

/// API responses carry personal data: never cache them, never sniff them.
async fn response_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    response
}

async fn not_found() -> ApiError {
    ApiError::NotFound
}

async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}

/// Wraps a route group with what every function needs; each function's router calls this.
pub fn finish(routes: Router<AppState>, state: AppState) -> Router {
    routes
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn(crate::auth::confirm_session))
        .layer(middleware::from_fn_with_state(state.clone(), same_origin_guard))
        .layer(middleware::from_fn_with_state(state.clone(), edge_guard))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn(response_headers))
        .with_state(state)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn viewer_address_parses_v4_and_v6_only() {
        assert_eq!(viewer_ip("198.51.100.10:46532").as_deref(), Some("198.51.100.10"));
        assert_eq!(viewer_ip("2001:db8::1:443").as_deref(), Some("2001:db8::1"));
        for bad in ["198.51.100.10", "evil:80", "1.2.3.4:notaport", ""] {
            assert_eq!(viewer_ip(bad), None, "{bad}");
        }
    }
}
