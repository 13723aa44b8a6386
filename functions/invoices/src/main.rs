//! The `invoices` function: see `shared::invoices::routes::invoices`.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::app::run(shared::invoices::routes::invoices).await
}
