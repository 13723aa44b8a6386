//! The `admin` function: see `shared::api::admin`.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::lambda::run(shared::api::admin::router).await
}
