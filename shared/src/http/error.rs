//! The one place errors become HTTP: services return `domain::Error`, handlers and extractors
//! `ApiError`, and this file alone gives each its status and code. Clients always get
//! `{"error":{"code":"…","message":"…"}}` with the right status and never a stack trace.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::domain::Error;
use crate::store::StoreError;

/// An answer that is not a success: a rule's refusal (`Domain`) or one of HTTP's own (a body
/// that is too large, a foreign origin, a method the route does not serve).
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error(transparent)]
    Domain(#[from] Error),
    #[error("Requests from another site are not accepted.")]
    ForeignOrigin,
    #[error("This method is not allowed here.")]
    MethodNotAllowed,
    #[error("The request body is too large.")]
    PayloadTooLarge,
    #[error("Send the request body as JSON with `Content-Type: application/json`.")]
    UnsupportedMediaType,
}

impl ApiError {
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::Domain(Error::malformed(code, message))
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Self::Domain(error) => match error {
                Error::Malformed { .. } => StatusCode::BAD_REQUEST,
                Error::Unauthenticated | Error::InvalidToken | Error::PasskeyRefused => StatusCode::UNAUTHORIZED,
                Error::Forbidden(_) => StatusCode::FORBIDDEN,
                Error::NotFound => StatusCode::NOT_FOUND,
                Error::Conflict { .. } => StatusCode::CONFLICT,
                Error::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
                Error::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
                Error::Unavailable | Error::DependencyUnavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
                Error::DependencyRefused { .. } => StatusCode::BAD_GATEWAY,
                Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            },
            Self::ForeignOrigin => StatusCode::FORBIDDEN,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            Self::Domain(error) => match error {
                Error::Malformed { code, .. }
                | Error::Invalid { code, .. }
                | Error::Conflict { code, .. }
                | Error::DependencyUnavailable { code, .. }
                | Error::DependencyRefused { code, .. } => code,
                Error::Unauthenticated => "unauthenticated",
                Error::InvalidToken => "invalid_token",
                Error::PasskeyRefused => "passkey_refused",
                Error::Forbidden(_) => "forbidden",
                Error::NotFound => "not_found",
                Error::RateLimited { .. } => "rate_limited",
                Error::Unavailable => "service_unavailable",
                Error::Internal(_) => "internal_error",
            },
            Self::ForeignOrigin => "forbidden_origin",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::PayloadTooLarge => "payload_too_large",
            Self::UnsupportedMediaType => "unsupported_media_type",
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        Self::Domain(error.into())
    }
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: ErrorDetail<'a>,
}

#[derive(Serialize)]
struct ErrorDetail<'a> {
    code: &'a str,
    message: String,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        match &self {
            Self::Domain(Error::Internal(cause)) => tracing::error!(%cause, "request failed"),
            Self::Domain(Error::Unavailable) => tracing::warn!("dependency unavailable"),
            _ => tracing::debug!(code = self.code(), %status, "request rejected"),
        }
        let body = ErrorBody { error: ErrorDetail { code: self.code(), message: self.to_string() } };
        let mut response = (status, Json(body)).into_response();
        if let Self::Domain(Error::RateLimited { retry_after_secs }) = self {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
        }
        response
    }
}

/// Result of a request handler.
pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    async fn body_of(error: ApiError) -> (StatusCode, serde_json::Value, Option<HeaderValue>) {
        let response = error.into_response();
        let status = response.status();
        let retry = response.headers().get(header::RETRY_AFTER).cloned();
        let bytes = response.into_body().collect().await.map(|b| b.to_bytes()).unwrap_or_default();
        (status, serde_json::from_slice(&bytes).unwrap_or_default(), retry)
    }

    #[tokio::test]
    async fn internal_errors_hide_their_cause() {
        let (status, body, _) = body_of(Error::internal("table xyz exploded").into()).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(body["error"]["code"], "internal_error");
        assert!(!body.to_string().contains("xyz"), "cause leaked: {body}");
    }

    #[tokio::test]
    async fn rate_limited_carries_retry_after() {
        let (status, body, retry) = body_of(Error::RateLimited { retry_after_secs: 42 }.into()).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(body["error"]["code"], "rate_limited");
        assert_eq!(retry, Some(HeaderValue::from(42u64)));
    }
}
