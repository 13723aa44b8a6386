//! The `login` function: see `shared::auth::routes::login`.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    shared::app::run(shared::auth::routes::login).await
}
