//! HTTP plumbing shared by every function: the extractors every handler uses, the one place
//! errors become HTTP, sealed list cursors, and the middleware every router gets (edge guard,
//! same-origin guard, response headers, body limits, JSON 404/405).

mod error;
mod extract;
mod pagination;

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::Response;

pub use error::{ApiError, ApiResult};
pub use extract::{ClientIp, Json, Paging, Path, Query, Tenant, ViewerIp};
pub use pagination::{CursorKey, DEFAULT_LIMIT, MAX_LIMIT, Page, parse_limit};

use crate::config::Config;

/// Largest request body a route accepts unless it says otherwise; uploads go straight to S3,
/// never through the API.
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// The body limit for a route whose JSON text fields add up to `max_chars` characters. JSON may
/// spell each character as escapes: an emoji is `\uD83D\uDE00`, 12 bytes. So the largest body
/// such a route's own validation accepts always fits, whatever the client's encoder does.
pub const fn body_limit_for_chars(max_chars: usize) -> usize {
    max_chars * 12 + 4 * 1024
}

/// The header CloudFront adds to every request it forwards to the API (template.yaml).
pub const ORIGIN_SECRET_HEADER: &str = "x-origin-verify";

/// With an origin secret configured, only requests that came through CloudFront get in: the
/// security headers, the edge's limits and the viewer's real address then apply to every call.
pub async fn edge_guard(
    State(config): State<Arc<Config>>,
    mut request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    if let Some(secret) = &config.origin_secret {
        let presented = request.headers().get(ORIGIN_SECRET_HEADER).map(HeaderValue::as_bytes).unwrap_or_default();
        if aws_lc_rs::constant_time::verify_slices_are_equal(presented, secret.as_bytes()).is_err() {
            return Err(crate::domain::Error::Forbidden(
                "Use the portal's own address; the API does not answer directly.",
            )
            .into());
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
pub async fn same_origin_guard(
    State(config): State<Arc<Config>>,
    request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let changes_state = !matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if changes_state {
        let headers = request.headers();
        let origin = headers.get(header::ORIGIN).map(HeaderValue::as_bytes);
        if origin.is_some_and(|origin| origin != config.public_origin().as_bytes()) {
            return Err(ApiError::ForeignOrigin);
        }
        if headers.get("sec-fetch-site").is_some_and(|site| site.as_bytes() == b"cross-site") {
            return Err(ApiError::ForeignOrigin);
        }
    }
    Ok(next.run(request).await)
}

/// API responses carry personal data: never cache them (unless a public route, like the
/// branding, said otherwise), never sniff them.
pub async fn response_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.entry(header::CACHE_CONTROL).or_insert(HeaderValue::from_static("no-store"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    response
}

pub async fn not_found() -> ApiError {
    crate::domain::Error::NotFound.into()
}

pub async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
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

    #[test]
    fn a_body_limit_fits_its_characters_written_as_json_escapes() {
        let message: String = std::iter::repeat_n('😀', 5000).collect();
        let raw = serde_json::to_vec(&serde_json::json!({ "body": message })).unwrap_or_default();
        let escaped: String = message.encode_utf16().map(|unit| format!("\\u{unit:04x}")).collect();
        let escaped = format!("{{\"body\":\"{escaped}\"}}");
        assert!(raw.len() > MAX_BODY_BYTES, "the default limit would already fit: {}", raw.len());
        assert!(raw.len() <= body_limit_for_chars(5000));
        assert!(escaped.len() <= body_limit_for_chars(5000), "{} bytes", escaped.len());
    }
}
