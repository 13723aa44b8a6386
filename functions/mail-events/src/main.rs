//! The `mail-events` function: SES bounce and complaint events, delivered by SNS from the
//! configuration set every mail goes through, put addresses on the suppression list (see
//! `shared::notify::bounces`).

use aws_lambda_events::event::sns::SnsEvent;
use lambda_runtime::{Error, LambdaEvent, service_fn};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    shared::app::telemetry::init();
    let state = shared::AppState::from_env().await.inspect_err(|error| eprintln!("configuration error: {error}"))?;
    lambda_runtime::run(service_fn(|event: LambdaEvent<SnsEvent>| {
        let store = state.store.clone();
        async move {
            let suppressed = shared::notify::bounces::record(&store, &event.payload, shared::notify::now()).await?;
            Ok::<_, Error>(serde_json::json!({ "suppressed": suppressed }))
        }
    }))
    .await
}
