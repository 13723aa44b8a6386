//! The `projects` function: see `shared::api::projects`.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::lambda::run(shared::api::projects::router).await
}
