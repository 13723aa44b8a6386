//! The `dashboard` function: see `shared::portal::routes::dashboard`.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::app::run(shared::portal::routes::dashboard).await
}
