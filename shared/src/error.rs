//! The one place errors become HTTP: every handler returns `Result<_, ApiError>`, and every
//! rejection (bad JSON, missing session, unknown route) is an `ApiError` too, so clients always
//! get `{"error":{"code":"…","message":"…"}}` with the right status and never a stack trace.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{message}")]
    BadRequest { code: &'static str, message: String },
    #[error("Please sign in to continue.")]
    Unauthenticated,
    #[error("This sign-in link is invalid or has expired. Request a new one.")]
    InvalidToken,
    #[error("{0}")]
    Forbidden(&'static str),
    #[error("Requests from another site are not accepted.")]
    ForeignOrigin,
    #[error("The requested resource was not found.")]
    NotFound,
    #[error("This method is not allowed here.")]
    MethodNotAllowed,
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    /// Well-formed but not acceptable (empty message, missing comment…).
    #[error("{message}")]
    Unprocessable { code: &'static str, message: String },
    #[error("The request body is too large.")]
    PayloadTooLarge,
    #[error("Send the request body as JSON with `Content-Type: application/json`.")]
    UnsupportedMediaType,
    #[error("Too many attempts. Try again in {retry_after_secs} seconds.")]
    RateLimited { retry_after_secs: u64 },
    #[error("The service is temporarily unavailable. Try again shortly.")]
    ServiceUnavailable,
    /// A 503 with a specific code, e.g. `invoices_unavailable`.
    #[error("{message}")]
    Unavailable { code: &'static str, message: String },
    /// An upstream service refused us (misconfiguration), e.g. `harvest_misconfigured`.
    #[error("{message}")]
    BadGateway { code: &'static str, message: String },
    /// Never shown to the client: logged with its cause, answered as a generic 500.
    #[error("Something went wrong on our side. Try again shortly.")]
    Internal(String),
}

impl ApiError {
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::BadRequest { code, message: message.into() }
    }

    pub fn unprocessable(code: &'static str, message: impl Into<String>) -> Self {
        Self::Unprocessable { code, message: message.into() }
    }

    pub fn internal(cause: impl std::fmt::Display) -> Self {
        Self::Internal(cause.to_string())
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest { .. } => StatusCode::BAD_REQUEST,
            Self::Unauthenticated | Self::InvalidToken => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) | Self::ForeignOrigin => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict { .. } => StatusCode::CONFLICT,
            Self::Unprocessable { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::ServiceUnavailable | Self::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
            Self::BadGateway { .. } => StatusCode::BAD_GATEWAY,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            Self::BadRequest { code, .. }
            | Self::Conflict { code, .. }
            | Self::Unprocessable { code, .. }
            | Self::Unavailable { code, .. }
            | Self::BadGateway { code, .. } => code,
            Self::Unauthenticated => "unauthenticated",
            Self::InvalidToken => "invalid_token",
            Self::Forbidden(_) => "forbidden",
            Self::ForeignOrigin => "forbidden_origin",
            Self::NotFound => "not_found",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::PayloadTooLarge => "payload_too_large",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::RateLimited { .. } => "rate_limited",
            Self::ServiceUnavailable => "service_unavailable",
            Self::Internal(_) => "internal_error",
        }
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
            Self::Internal(cause) => tracing::error!(%cause, "request failed"),
            Self::ServiceUnavailable => tracing::warn!("dependency unavailable"),
            _ => tracing::debug!(code = self.code(), %status, "request rejected"),
        }
        let body = ErrorBody { error: ErrorDetail { code: self.code(), message: self.to_string() } };
        let mut response = (status, Json(body)).into_response();
        if let Self::RateLimited { retry_after_secs } = self {
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
        let (status, body, _) = body_of(ApiError::internal("table xyz exploded")).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(body["error"]["code"], "internal_error");
        assert!(!body.to_string().contains("xyz"), "cause leaked: {body}");
    }

    #[tokio::test]
    async fn rate_limited_carries_retry_after() {
        let (status, body, retry) = body_of(ApiError::RateLimited { retry_after_secs: 42 }).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(body["error"]["code"], "rate_limited");
        assert_eq!(retry, Some(HeaderValue::from(42u64)));
    }
}
