//! The `dashboard` function: see `shared::api::dashboard`.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::lambda::run(shared::api::dashboard::router).await
}
