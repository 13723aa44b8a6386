//! The `session` function: see `shared::auth::routes::session`.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    shared::app::run(shared::auth::routes::session).await
}
