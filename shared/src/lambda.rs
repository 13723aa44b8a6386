//! The whole of a function's `main`: logs, state built once per cold start, router served.

use axum::Router;

use crate::app::AppState;

pub async fn run(router: fn(AppState) -> Router) -> Result<(), lambda_http::Error> {
    crate::telemetry::init();
    let state = AppState::from_env().await.inspect_err(|error| tracing::error!(%error, "configuration error"))?;
    lambda_http::run(router(state)).await
}
