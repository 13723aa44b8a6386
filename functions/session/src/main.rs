//! The `session` function: see `shared::api::session`.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::lambda::run(shared::api::session::router).await
}
