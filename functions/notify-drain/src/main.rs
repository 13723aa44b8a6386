//! The `notify-drain` function, run every minute by EventBridge Scheduler: fans new events out
//! and sends the notification mail that is due (see `shared::notify::drain`). The event's
//! content is not used; overlapping runs are safe.

use lambda_runtime::{Error, LambdaEvent, service_fn};

#[tokio::main(flavor = "current_thread")]
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
            // The outbox-age alarm's metric (template.yaml: OutboxAgeAlarm).
            let function = std::env::var("AWS_LAMBDA_FUNCTION_NAME").unwrap_or_else(|_| "notify-drain".into());
            let at_ms = shared::notify::now() * 1000;
            #[allow(clippy::cast_precision_loss)] // seconds of waiting, far below 2^52
            let age = report.outbox_age_secs as f64;
            println!("{}", shared::app::metrics::emf_line(&function, &[("OutboxAgeSeconds", "Seconds", age)], at_ms));
            Ok::<_, Error>(serde_json::to_value(report)?)
        }
    }))
    .await
}
