//! The `team` function: see `shared::team::routes::team`.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    shared::app::run(shared::team::routes::team).await
}
