//! Records every AWS call the functions make during the test run, for the IAM coverage check
//! (`iam.rs`): the SDK's HTTP client is wrapped, and each request is written with the function
//! that made it (`FUNCTION`, set where a request is routed to a function, or the drain is run as
//! its schedule runs it). Recording is on when `AWS_CALLS_FILE` names a file (`make test` sets
//! it); one JSON line per call.
//!
//! Calls made outside a function (fixtures, set-up) carry no function and are not checked; so
//! are the session checks, which run in a task of their own: `iam.rs` checks separately that
//! every function may make those (GetItem on the table).

use std::io::Write;
use std::sync::{Mutex, OnceLock};

use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient, SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_runtime_api::shared::IntoShared;
use serde_json::json;

tokio::task_local! {
    /// The function (`template.yaml` binary name) whose code is running.
    pub static FUNCTION: &'static str;
}

fn sink() -> Option<&'static Mutex<std::fs::File>> {
    static FILE: OnceLock<Option<Mutex<std::fs::File>>> = OnceLock::new();
    FILE.get_or_init(|| {
        let path = std::env::var_os("AWS_CALLS_FILE")?;
        let file = std::fs::OpenOptions::new().create(true).append(true).open(path).ok()?;
        Some(Mutex::new(file))
    })
    .as_ref()
}

/// Writes one call (or a presigned URL a function handed out) if recording is on and a
/// function is running.
pub fn record(method: &str, uri: &str, headers: &[(String, String)], body: &[u8], presigned: bool) {
    let (Some(sink), Ok(function)) = (sink(), FUNCTION.try_with(|f| *f)) else { return };
    let line = json!({
        "function": function,
        "method": method,
        "uri": uri,
        "headers": headers.iter().map(|(k, v)| json!([k, v])).collect::<Vec<_>>(),
        "body": String::from_utf8_lossy(body),
        "presigned": presigned,
    });
    if let Ok(mut file) = sink.lock() {
        let _ = writeln!(file, "{line}");
    }
}

/// Records the presigned S3 URLs in a response body (download links, upload parts): the
/// function's role signs them, so S3 checks its policy when they are used.
pub fn record_presigned(body: &serde_json::Value) {
    match body {
        serde_json::Value::String(text) if text.contains("X-Amz-Signature=") => {
            let method =
                if text.contains("x-id=UploadPart") || text.contains("x-id=PutObject") { "PUT" } else { "GET" };
            record(method, text, &[], &[], true);
        }
        serde_json::Value::Array(items) => items.iter().for_each(record_presigned),
        serde_json::Value::Object(map) => map.values().for_each(record_presigned),
        _ => {}
    }
}

/// The SDK's HTTP client, recording what goes through it.
pub fn wrap(inner: Option<SharedHttpClient>) -> Option<SharedHttpClient> {
    inner.map(|inner| Recording(inner).into_shared())
}

#[derive(Debug)]
struct Recording(SharedHttpClient);

impl HttpClient for Recording {
    fn http_connector(&self, settings: &HttpConnectorSettings, components: &RuntimeComponents) -> SharedHttpConnector {
        RecordingConnector(self.0.http_connector(settings, components)).into_shared()
    }
}

#[derive(Debug)]
struct RecordingConnector(SharedHttpConnector);

impl HttpConnector for RecordingConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let headers: Vec<(String, String)> = request
            .headers()
            .iter()
            .filter(|(name, _)| name.starts_with("x-amz-target") || name.starts_with("x-amz-copy-source"))
            .map(|(name, value)| (name.to_owned(), value.to_owned()))
            .collect();
        record(request.method(), request.uri(), &headers, request.body().bytes().unwrap_or_default(), false);
        self.0.call(request)
    }
}
