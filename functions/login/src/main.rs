//! The `login` function: see `shared::api::login`.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::lambda::run(shared::api::login::router).await
}
