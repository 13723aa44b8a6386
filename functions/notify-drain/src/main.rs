//! The `notify-drain` function, run every minute by EventBridge Scheduler: fans new events out
//! and sends the notification mail that is due (see `shared::notify::drain`). The event's
//! content is not used; overlapping runs are safe.

use lambda_runtime::{Error, LambdaEvent, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    shared::app::telemetry::init();
    let state = shared::AppState::from_env().await.inspect_err(|error| eprintln!("configuration error: {error}"))?;
    // The digest's time zone is this function's alone: a wrong name fails here, at cold start.
    shared::notify::agency_time_zone(&state.config).inspect_err(|error| eprintln!("configuration error: {error}"))?;
    lambda_runtime::run(service_fn(|_: LambdaEvent<serde_json::Value>| {
        let state = state.clone();
        async move {
            let report = shared::notify::drain(
                &state.store,
                &state.mailer,
                &state.billing,
                &state.config,
                shared::notify::now(),
            )
            .await?;
            Ok::<_, Error>(serde_json::to_value(report)?)
        }
    }))
    .await
}
