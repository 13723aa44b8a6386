//! The `invoices` function: see `shared::api::invoices`.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::lambda::run(shared::api::invoices::router).await
}
