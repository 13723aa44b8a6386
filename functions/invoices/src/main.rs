//! The `invoices` function: see `shared::invoices::routes::invoices`.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    shared::app::run(shared::invoices::routes::invoices).await
}
