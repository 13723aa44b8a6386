//! Cold start: each function's release `bootstrap` is started against a minimal Lambda Runtime
//! API (the two calls a function makes: `GET …/invocation/next`, `POST …/{id}/response`) and
//! timed from exec to its first `next` poll (init) and to its first response. The baseline is a
//! bare `lambda_http` hello-world built the same way (`bench/hello`). Peak RSS is the process's
//! high-water mark (`VmHWM`) after the response.

use std::path::Path;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use axum::Router;
use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use serde_json::json;
use tokio::sync::mpsc;

use crate::ms;

/// What the stub saw, in order.
#[derive(Debug)]
enum Seen {
    Poll(Instant),
    Response(Instant, String),
    Error(String),
}

#[derive(Clone)]
struct Stub {
    events: mpsc::UnboundedSender<Seen>,
    served: Arc<Mutex<bool>>,
    event: Arc<str>,
}

/// What each function is started for and how its first answer is told apart: the HTTP
/// functions get an API Gateway request; `mail-events` an SNS delivery with no record;
/// `notify-drain` a schedule's (empty) event, which it answers by draining the outbox, so its
/// first response includes that work and its cold start is compared by init (exec → first poll).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Http,
    Sns,
    Schedule,
}

fn kind(function: &str) -> Kind {
    match function {
        "mail-events" => Kind::Sns,
        "notify-drain" => Kind::Schedule,
        _ => Kind::Http,
    }
}

fn event_for(kind: Kind) -> String {
    match kind {
        Kind::Http => event(),
        Kind::Sns => json!({ "Records": [] }).to_string(),
        Kind::Schedule => json!({}).to_string(),
    }
}

/// An API Gateway HTTP API (payload 2.0) request with no session: every function routes it and
/// answers from memory (401/404), so the time measured is start-up, not the database.
fn event() -> String {
    json!({
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": "/api/cold-start",
        "rawQueryString": "",
        "headers": { "accept": "application/json", "host": "portal.agency.example" },
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "bench",
            "domainName": "portal.agency.example",
            "domainPrefix": "portal",
            "http": { "method": "GET", "path": "/api/cold-start", "protocol": "HTTP/1.1", "sourceIp": "198.51.100.7", "userAgent": "bench" },
            "requestId": "bench",
            "routeKey": "$default",
            "stage": "$default",
            "time": "25/Nov/2026:10:00:00 +0000",
            "timeEpoch": 1_795_600_000_000_u64
        },
        "isBase64Encoded": false
    })
    .to_string()
}

async fn next(State(stub): State<Stub>) -> Result<(HeaderMap, String), StatusCode> {
    let _ = stub.events.send(Seen::Poll(Instant::now()));
    let first = {
        let mut served = stub.served.lock().map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?;
        !std::mem::replace(&mut *served, true)
    };
    if !first {
        // One invocation per process: later polls wait until the process is stopped.
        std::future::pending::<()>().await;
    }
    let mut headers = HeaderMap::new();
    let deadline = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() + 10_000)
        .unwrap_or_default();
    for (name, value) in [
        ("lambda-runtime-aws-request-id", "bench-request".to_owned()),
        ("lambda-runtime-deadline-ms", deadline.to_string()),
        ("lambda-runtime-invoked-function-arn", "arn:aws:lambda:us-east-1:123456789012:function:bench".to_owned()),
        ("lambda-runtime-trace-id", "Root=1-00000000-000000000000000000000000;Sampled=0".to_owned()),
        ("content-type", "application/json".to_owned()),
    ] {
        headers.insert(name, value.parse().map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?);
    }
    Ok((headers, stub.event.to_string()))
}

async fn response(State(stub): State<Stub>, UrlPath(_id): UrlPath<String>, body: String) -> StatusCode {
    let _ = stub.events.send(Seen::Response(Instant::now(), body));
    StatusCode::ACCEPTED
}

async fn error(State(stub): State<Stub>, body: String) -> StatusCode {
    let _ = stub.events.send(Seen::Error(body));
    StatusCode::ACCEPTED
}

struct Run {
    init: Duration,
    first_response: Duration,
    peak_rss_kib: u64,
    page_faults: u64,
}

fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Minor page faults of the whole process so far (`minflt`, field 10 of `/proc/<pid>/stat`,
/// summed over its threads): most of what a larger binary adds to a cold start is kernel time
/// spent on these, largely the pages the loader writes while relocating.
fn page_faults(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) may hold spaces; the fields after it are space-separated.
    let after_name = &stat[stat.rfind(')')? + 1..];
    after_name.split_whitespace().nth(7)?.parse().ok()
}

/// The hello-world started with `HELLO_RUNTIME=current_thread` (bench/hello).
const CURRENT_THREAD_HELLO: &str = "hello-current-thread";

async fn start_once(bootstrap: &Path, function: &str, moto: &str) -> Result<Run> {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let stub = Stub { events: tx, served: Arc::new(Mutex::new(false)), event: event_for(kind(function)).into() };
    let app = Router::new()
        .route("/2018-06-01/runtime/invocation/next", get(next))
        .route("/2018-06-01/runtime/invocation/{id}/response", post(response))
        .route("/2018-06-01/runtime/invocation/{id}/error", post(error))
        .route("/2018-06-01/runtime/init/error", post(error))
        .with_state(stub);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    let server = tokio::spawn(async move { axum::serve(listener, app).await });

    let started = Instant::now();
    let mut child = tokio::process::Command::new(bootstrap)
        .env_clear()
        .env("AWS_LAMBDA_RUNTIME_API", address.to_string())
        .env("AWS_LAMBDA_FUNCTION_NAME", function)
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_LAMBDA_LOG_STREAM_NAME", "bench")
        .env("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/bench")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_ENDPOINT_URL", moto)
        .env("TABLE_NAME", "cold-start")
        .env("FILES_BUCKET", "cold-start")
        .env("SENDER_EMAIL", "portal@agency.example")
        .env("PUBLIC_URL", "https://portal.agency.example")
        .env("JWT_SECRET", "cold-start-cold-start-cold-start-cold-start")
        .env("HARVEST_ACCESS_TOKEN", "cold")
        .env("HARVEST_ACCOUNT_ID", "cold")
        .env("RUST_LOG", "warn")
        .env("HELLO_RUNTIME", if function == CURRENT_THREAD_HELLO { "current_thread" } else { "multi_thread" })
        // As template.yaml sets it: one CA bundle, not a directory of 146 files.
        .env("SSL_CERT_FILE", "/etc/ssl/certs/ca-certificates.crt")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("starting {}", bootstrap.display()))?;
    let pid = child.id().context("no pid")?;

    let mut init = None;
    let outcome = tokio::time::timeout(Duration::from_secs(20), async {
        while let Some(seen) = rx.recv().await {
            match seen {
                Seen::Poll(at) => {
                    init.get_or_insert(at - started);
                }
                Seen::Response(at, body) => return Ok((at - started, body)),
                Seen::Error(body) => bail!("{function} reported an error: {body}"),
            }
        }
        bail!("the stub stopped")
    })
    .await
    .with_context(|| format!("{function} did not answer within 20 s"))??;
    let peak = peak_rss_kib(pid).unwrap_or_default();
    let faults = page_faults(pid).unwrap_or_default();
    child.kill().await.ok();
    server.abort();
    let (first_response, body) = outcome;
    let expected = match kind(function) {
        Kind::Http => "statusCode",
        Kind::Sns => "suppressed",
        Kind::Schedule => "outbox_age_secs",
    };
    if !body.contains(expected) {
        bail!("{function} answered something unexpected (no {expected}): {body}");
    }
    Ok(Run { init: init.context("no poll")?, first_response, peak_rss_kib: peak, page_faults: faults })
}

fn median<T: Ord + Copy + Default>(mut values: Vec<T>) -> T {
    values.sort();
    values.get(values.len() / 2).copied().unwrap_or_default()
}

struct Figures {
    init: Duration,
    first_response: Duration,
    peak_rss_kib: u64,
    page_faults: u64,
    /// Median over rounds of this function's first response ÷ the hello-world's in the same round.
    ratio: f64,
}

fn figures(runs: &[Run], baseline: &[Run], by_init: bool) -> Figures {
    let measure = |run: &Run| if by_init { run.init } else { run.first_response };
    let mut ratios: Vec<f64> =
        runs.iter().zip(baseline).map(|(run, base)| ms(measure(run)) / ms(measure(base))).collect();
    ratios.sort_by(f64::total_cmp);
    Figures {
        init: median(runs.iter().map(|r| r.init).collect()),
        first_response: median(runs.iter().map(|r| r.first_response).collect()),
        peak_rss_kib: runs.iter().map(|r| r.peak_rss_kib).max().unwrap_or_default(),
        page_faults: median(runs.iter().map(|r| r.page_faults).collect()),
        ratio: ratios.get(ratios.len() / 2).copied().unwrap_or_default(),
    }
}

pub async fn run(moto: &str, lambda_dir: &Path, runs: usize) -> Result<()> {
    let zip_dir = lambda_dir
        .with_file_name(format!("{}-zip", lambda_dir.file_name().and_then(|n| n.to_str()).unwrap_or("lambda")));
    let functions = [
        "hello",
        // The same hello on tokio's current-thread runtime, as the functions start theirs: the
        // second baseline, so that the runtime's share of the ratio shows.
        CURRENT_THREAD_HELLO,
        "login",
        "verify",
        "session",
        "dashboard",
        "projects",
        "messages",
        "invoices",
        "admin",
        "team",
        "passkeys",
        "files",
        "branding",
        "notifications",
        "mail-events",
        "notify-drain",
    ];
    // The drain's first answer is a drain of the outbox: it needs the table.
    let sdk = crate::sdk_config(moto).await;
    devkit::create_table_if_missing(&shared::store::Store::new(aws_sdk_dynamodb::Client::new(&sdk), "cold-start"))
        .await
        .context("creating the cold-start table")?;
    let mut bootstraps = Vec::new();
    for function in functions {
        let binary = if function == CURRENT_THREAD_HELLO { "hello" } else { function };
        let bootstrap = lambda_dir.join(binary).join("bootstrap");
        if !bootstrap.is_file() {
            bail!("{} is missing: run `cargo lambda build --release` first (make bench does)", bootstrap.display());
        }
        bootstraps.push(bootstrap);
    }
    // Round-robin: every round starts each function once, hello-world first, so a busy moment
    // of this shared machine lands on all of them; each ratio pairs starts of the same round.
    let mut starts: Vec<Vec<Run>> = functions.iter().map(|_| Vec::new()).collect();
    for _ in 0..runs {
        for ((function, bootstrap), runs) in functions.iter().zip(&bootstraps).zip(&mut starts) {
            runs.push(start_once(bootstrap, function, moto).await?);
        }
    }
    let (baseline_runs, function_runs) = starts.split_first().context("no functions")?;
    let baseline = figures(baseline_runs, baseline_runs, false);
    let rows: Vec<(&str, Figures)> = functions[1..]
        .iter()
        .zip(function_runs)
        .map(|(f, runs)| (*f, figures(runs, baseline_runs, kind(f) == Kind::Schedule)))
        .collect();
    // Each function against the current-thread hello of the same round.
    let current_thread_runs = &function_runs[0];
    let against_current_thread: f64 = functions[2..]
        .iter()
        .zip(&function_runs[1..])
        .map(|(f, runs)| figures(runs, current_thread_runs, kind(f) == Kind::Schedule).ratio)
        .fold(0.0, f64::max);
    println!(
        "Cold start, median of {runs} rounds (exec → first poll · exec → first response; ratio = median of first response ÷ hello-world's, same round; notify-drain's by first poll, as its first response is a drain):"
    );
    println!(
        "  {:<20} {:>7.1} ms · {:>7.1} ms                  peak RSS {:>6.1} MiB  page faults {:>5}",
        "hello",
        ms(baseline.init),
        ms(baseline.first_response),
        baseline.peak_rss_kib as f64 / 1024.0,
        baseline.page_faults
    );
    let mut worst: f64 = 0.0;
    for (function, figures) in &rows {
        let ratio = figures.ratio;
        if *function != CURRENT_THREAD_HELLO {
            worst = worst.max(ratio);
        }
        // The current-thread hello is the hello's own binary, so its zip is the hello's.
        let zip_of = if *function == CURRENT_THREAD_HELLO { "hello" } else { function };
        let zip = std::fs::metadata(zip_dir.join(zip_of).join("bootstrap.zip")).map(|m| m.len()).unwrap_or_default();
        println!(
            "  {:<20} {:>7.1} ms · {:>7.1} ms  {:>5.2}×  zip {:>5.2} MB  peak RSS {:>6.1} MiB  page faults {:>5}",
            function,
            ms(figures.init),
            ms(figures.first_response),
            ratio,
            zip as f64 / 1_048_576.0,
            figures.peak_rss_kib as f64 / 1024.0,
            figures.page_faults
        );
    }
    println!(
        "  worst ratio: {worst:.2}× (goal ≤ 1.3×); against the current-thread hello: {against_current_thread:.2}×"
    );
    Ok(())
}
