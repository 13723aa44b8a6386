//! The `files` function: see `shared::files::routes::files`.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    shared::app::run(shared::files::routes::files).await
}
