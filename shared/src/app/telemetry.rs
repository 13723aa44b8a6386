//! Structured JSON logs for CloudWatch. The Lambda runtime wraps each invocation in a span
//! carrying `requestId`, which every log line inside it includes.

use tracing_subscriber::EnvFilter;

/// Level from `RUST_LOG`, else `AWS_LAMBDA_LOG_LEVEL` (set by Lambda's logging config), else info.
pub fn init() {
    let filter = std::env::var("RUST_LOG")
        .ok()
        .or_else(|| std::env::var("AWS_LAMBDA_LOG_LEVEL").ok().map(|level| level.to_lowercase()))
        .and_then(|directive| EnvFilter::try_new(directive).ok())
        .unwrap_or_else(|| EnvFilter::new("info"));
    // Ignore the error when a subscriber is already installed (tests).
    let _ = tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter)
        .with_current_span(true)
        .with_span_list(false)
        .with_target(false)
        .without_time() // CloudWatch stamps every line
        .try_init();
}
