//! The `notifications` function: see `shared::notify::routes::notifications`.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    shared::app::run(shared::notify::routes::notifications).await
}
