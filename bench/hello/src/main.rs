//! A bare `lambda_http` function: what a Rust Lambda costs before any code of ours runs. It
//! starts tokio's default (multi-thread) runtime, as `#[tokio::main]` does, or with
//! `HELLO_RUNTIME=current_thread` the current-thread runtime the portal's functions start, so
//! `make bench` can compare against both.

use lambda_http::{Body, Error, Request, Response, run, service_fn};

async fn hello(_: Request) -> Result<Response<Body>, Error> {
    Ok(Response::builder().status(200).header("content-type", "text/plain").body("hello".into())?)
}

fn main() -> Result<(), Error> {
    let mut runtime = if std::env::var("HELLO_RUNTIME").is_ok_and(|r| r == "current_thread") {
        tokio::runtime::Builder::new_current_thread()
    } else {
        tokio::runtime::Builder::new_multi_thread()
    };
    runtime.enable_all().build()?.block_on(run(service_fn(hello)))
}
