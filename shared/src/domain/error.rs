//! What can go wrong in the portal's rules, in the portal's words: services return these, and
//! `http::ApiError` alone decides the status code each one gets.

/// A rule refused the request, something it needs is missing or down, or a bug.
#[derive(Debug, Clone, thiserror::Error)]
pub enum Error {
    /// The input is not of the right form (a malformed email, cursor, filter).
    #[error("{message}")]
    Malformed { code: &'static str, message: String },
    /// Well-formed but not acceptable (empty message, missing comment, file too large…).
    #[error("{message}")]
    Invalid { code: &'static str, message: String },
    #[error("Please sign in to continue.")]
    Unauthenticated,
    #[error("This sign-in link is invalid or has expired. Request a new one.")]
    InvalidToken,
    /// A passkey sign-in that did not work, whatever the reason (unknown passkey, replayed or
    /// expired ceremony, wrong site, person without access): one answer, so it reveals nothing.
    #[error("This passkey could not sign you in. Try again, or use a sign-in link.")]
    PasskeyRefused,
    #[error("{0}")]
    Forbidden(&'static str),
    /// Absent, or not the caller's to see: the two look the same from outside.
    #[error("The requested resource was not found.")]
    NotFound,
    /// The state of things does not allow it (already done, changed meanwhile, taken).
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    #[error("Too many attempts. Try again in {retry_after_secs} seconds.")]
    RateLimited { retry_after_secs: u64 },
    /// The database or another AWS service did not answer in time.
    #[error("The service is temporarily unavailable. Try again shortly.")]
    Unavailable,
    /// A named dependency is unreachable, e.g. `invoices_unavailable`.
    #[error("{message}")]
    DependencyUnavailable { code: &'static str, message: String },
    /// A dependency refused us (misconfiguration), e.g. `harvest_misconfigured`.
    #[error("{message}")]
    DependencyRefused { code: &'static str, message: String },
    /// A bug or a broken item: logged with its cause, never shown.
    #[error("Something went wrong on our side. Try again shortly.")]
    Internal(String),
}

impl Error {
    pub fn malformed(code: &'static str, message: impl Into<String>) -> Self {
        Self::Malformed { code, message: message.into() }
    }

    pub fn invalid(code: &'static str, message: impl Into<String>) -> Self {
        Self::Invalid { code, message: message.into() }
    }

    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::Conflict { code, message: message.into() }
    }

    pub fn internal(cause: impl std::fmt::Display) -> Self {
        Self::Internal(cause.to_string())
    }
}
