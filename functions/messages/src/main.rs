//! The `messages` function: see `shared::api::messages`.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::lambda::run(shared::api::messages::router).await
}
