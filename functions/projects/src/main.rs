//! The `projects` function: see `shared::portal::routes::projects`.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    shared::app::run(shared::portal::routes::projects).await
}
