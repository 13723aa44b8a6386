//! The `verify` function: see `shared::auth::routes::verify`.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    shared::app::run(shared::auth::routes::verify).await
}
