//! The `admin` function: see `shared::admin::routes::admin`.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    shared::app::run(shared::admin::routes::admin).await
}
