//! The `dashboard` function: see `shared::portal::routes::dashboard`.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    shared::app::run(shared::portal::routes::dashboard).await
}
