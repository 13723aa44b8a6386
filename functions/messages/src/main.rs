//! The `messages` function: see `shared::portal::routes::messages`.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    shared::app::run(shared::portal::routes::messages).await
}
