//! The whole of a function's `main`: logs, state built once per cold start, router served.

use axum::Router;

use super::AppState;

/// Called from `#[tokio::main(flavor = "current_thread")]`: Lambda hands an instance one
/// invocation at a time, so one thread serves it, and a cold start does not first start a
/// worker thread per core (tokio's default runtime).
pub async fn run(routes: fn() -> Router<AppState>) -> Result<(), lambda_http::Error> {
    super::telemetry::init();
    let state = AppState::from_env().await.inspect_err(|error| tracing::error!(%error, "configuration error"))?;
    lambda_http::run(super::router(routes, state)).await
}
