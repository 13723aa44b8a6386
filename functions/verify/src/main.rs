//! The `verify` function: see `shared::api::verify`.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::lambda::run(shared::api::verify::router).await
}
