//! The `branding` function: see `shared::branding::routes::branding`.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    shared::app::run(shared::branding::routes::branding).await
}
