//! The `admin` function: see `shared::admin::routes::admin`.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::app::run(shared::admin::routes::admin).await
}
