//! The `passkeys` function: see `shared::auth::routes::passkeys`.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    shared::app::run(shared::auth::routes::passkeys).await
}
