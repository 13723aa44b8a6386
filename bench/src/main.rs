//! `portal-bench`: the measurements behind the README's figures. Run through `make bench`,
//! which starts a moto server and passes its endpoint. Each figure is a ratio taken side by
//! side in one run, because this machine is shared and noisy.

mod cold;
mod load;
mod scale;
mod uploads;

use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use axum::Router;
use axum::body::Body;
use clap::{Parser, Subcommand};
use devkit::harvest_fixtures;
use http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use shared::AppState;
use shared::config::{Config, HarvestConfig};
use shared::domain::{Client, ClientStatus, Contact};
use shared::domain::{ClientId, ContactId, EmailAddress};
use tower::ServiceExt;

#[derive(Parser)]
#[command(about = "Client Portal benchmarks")]
struct Cli {
    /// moto server endpoint (make bench starts one).
    #[arg(long, env = "BENCH_MOTO_ENDPOINT")]
    moto: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Invoices: Harvest calls for 100 concurrent cold-cache views; warm latency vs GetItem.
    Invoices {
        #[arg(long, default_value_t = 100)]
        concurrency: usize,
        #[arg(long, default_value_t = 300)]
        samples: usize,
    },
    /// Warm latency of the projects/messages/dashboard handlers vs a bare GetItem, and the same
    /// handlers with 10 000 projects and messages vs 10.
    Scale {
        #[arg(long, default_value_t = 10_000)]
        big: usize,
        #[arg(long, default_value_t = 200)]
        samples: usize,
    },
    /// Cold start of each function's release bootstrap against a Lambda Runtime API stub, vs a
    /// bare lambda_http hello-world built the same way; zip size and peak RSS.
    Cold {
        /// Where `cargo lambda build --release` put the bootstraps.
        #[arg(long, default_value = "target/lambda")]
        lambda_dir: std::path::PathBuf,
        #[arg(long, default_value_t = 10)]
        runs: usize,
    },
    /// Multipart upload throughput (MB/s) with 1, 3 and 6 parts in parallel, and the time to
    /// complete (assemble, check, copy).
    Uploads {
        #[arg(long, default_value_t = 256)]
        mib: usize,
        #[arg(long, value_delimiter = ',', default_values_t = [1, 3, 6])]
        parallel: Vec<usize>,
    },
    /// Where a cold start's time goes: each init step timed once, in a fresh process.
    #[command(hide = true)]
    InitProfile,
    /// Load against a running stack (make dev): concurrent sign-ins, reads and message posts;
    /// fails on any 5xx or lost message.
    Load {
        /// The stack's web origin.
        #[arg(long, default_value = "http://localhost:5173")]
        base: String,
        #[arg(long, default_value_t = 200)]
        sign_ins: usize,
        #[arg(long, default_value_t = 1000)]
        reads: usize,
        #[arg(long, default_value_t = 200)]
        posts: usize,
    },
}

#[tokio::main]
async fn main() -> Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Invoices { concurrency, samples } => invoices(&cli.moto, concurrency, samples).await,
        Command::Scale { big, samples } => scale::run(&cli.moto, big, samples).await,
        Command::Cold { lambda_dir, runs } => cold::run(&cli.moto, &lambda_dir, runs).await,
        Command::Uploads { mib, parallel } => uploads::run(&cli.moto, mib, &parallel).await,
        Command::InitProfile => init_profile().await,
        Command::Load { base, sign_ins, reads, posts } => load::run(&base, &cli.moto, sign_ins, reads, posts).await,
    }
}

/// The SDK pointed at the emulator, with the portal's settings.
async fn sdk_config(moto: &str) -> aws_config::SdkConfig {
    shared::aws::load_sdk_config(
        aws_config::defaults(aws_config::BehaviorVersion::latest())
            .endpoint_url(moto)
            .region(aws_config::Region::new("us-east-1"))
            .credentials_provider(aws_sdk_dynamodb::config::Credentials::new("test", "test", None, None, "bench")),
    )
    .await
}

/// A fresh portal (own table, bucket, identity) on the emulator.
async fn portal(moto: &str, harvest: Option<HarvestConfig>) -> Result<AppState> {
    let sdk = sdk_config(moto).await;
    // The emulator answers index queries by walking the whole table in Python: at 20 000
    // items that outlasts the portal's production timeouts (2 s per attempt), which would
    // measure the timeout, not the code. DynamoDB reads a page from the index in milliseconds.
    let sdk = sdk
        .to_builder()
        .timeout_config(
            aws_config::timeout::TimeoutConfig::builder()
                .operation_attempt_timeout(Duration::from_secs(60))
                .operation_timeout(Duration::from_secs(120))
                .build(),
        )
        .build();
    let suffix = ulid::Ulid::new().to_string().to_lowercase();
    let values = [
        ("TABLE_NAME", format!("bench-{suffix}")),
        ("FILES_BUCKET", format!("bench-{suffix}")),
        ("SENDER_EMAIL", "portal@agency.example".to_owned()),
        ("PUBLIC_URL", "https://portal.agency.example".to_owned()),
        ("JWT_SECRET", "bench-secret-bench-secret-bench-secret".to_owned()),
    ];
    let mut config = Config::from_lookup(|name| values.iter().find(|(k, _)| *k == name).map(|(_, v)| v.clone()))?;
    config.harvest = harvest;
    config.login_limit_per_ip = 100_000;
    let state = AppState::new(config, &sdk);
    let ses = aws_sdk_sesv2::Client::new(&sdk);
    let sender = EmailAddress::parse("portal@agency.example").map_err(|_| anyhow::anyhow!("sender"))?;
    devkit::init_resources(&state.store, state.files.client(), &ses, state.files.bucket(), &sender).await?;
    Ok(state)
}

async fn call(
    router: &Router,
    method: &str,
    uri: &str,
    body: Option<Value>,
    cookie: Option<&str>,
) -> Result<(StatusCode, Vec<u8>, Vec<String>)> {
    let mut builder = Request::builder().method(method).uri(uri);
    if body.is_some() {
        builder = builder.header("content-type", "application/json");
    }
    if let Some(cookie) = cookie {
        builder = builder.header("cookie", cookie);
    }
    let request = builder.body(body.map(|b| Body::from(b.to_string())).unwrap_or_else(Body::empty))?;
    let response = router.clone().oneshot(request).await?;
    let status = response.status();
    let cookies =
        response.headers().get_all("set-cookie").iter().filter_map(|v| v.to_str().ok()).map(str::to_owned).collect();
    let bytes = response.into_body().collect().await?.to_bytes().to_vec();
    Ok((status, bytes, cookies))
}

/// The newest magic-link token mailed to `email`, from the emulator's SES mailbox.
async fn newest_token(moto: &str, email: &str) -> Result<String> {
    let to = EmailAddress::parse(email).map_err(|_| anyhow::anyhow!("email"))?;
    let mail = devkit::mailbox::read(moto, Some(&to)).await?;
    mail.iter().rev().find_map(devkit::mailbox::SentMail::token).context("no magic link in the mailbox")
}

/// Signs `email` in through the real login and verify routers and the emulator's mailbox.
async fn sign_in(state: &AppState, moto: &str, email: &str) -> Result<String> {
    let (status, _, _) = call(
        &shared::app::router(shared::auth::routes::login, state.clone()),
        "POST",
        "/api/auth/login",
        Some(json!({ "email": email })),
        None,
    )
    .await?;
    if status != StatusCode::ACCEPTED {
        bail!("login answered {status}");
    }
    let token = newest_token(moto, email).await?;
    let (status, _, cookies) = call(
        &shared::app::router(shared::auth::routes::verify, state.clone()),
        "POST",
        "/api/auth/verify",
        Some(json!({ "token": token })),
        None,
    )
    .await?;
    if status != StatusCode::OK {
        bail!("verify answered {status}");
    }
    cookies
        .iter()
        .find(|c| c.starts_with("portal_session="))
        .and_then(|c| c.split(';').next())
        .map(str::to_owned)
        .context("no cookie")
}

/// A client linked to Harvest `harvest_id` with one owner contact: their email and the client.
async fn linked_contact(state: &AppState, harvest_id: u64) -> Result<(String, ClientId)> {
    let now = time::OffsetDateTime::now_utc();
    let client = Client {
        id: ClientId::new(),
        company_name: "Bench Co".into(),
        status: ClientStatus::Active,
        portal_enabled: true,
        harvest_client_id: Some(harvest_id),
        uploads_enabled: true,
        budget_display: Default::default(),
        created_at: now,
    };
    devkit::insert(&state.store, state.store.client_item(&client)?).await?;
    let email = format!("bench-{}@client.example", ulid::Ulid::new().to_string().to_lowercase());
    let contact = Contact {
        id: ContactId::new(),
        client_id: client.id,
        name: "Bench".into(),
        email: EmailAddress::parse(&email).map_err(|_| anyhow::anyhow!("email"))?,
        portal_enabled: true,
        role: shared::domain::ContactRole::Owner,
        invoice_access: true,
        created_at: now,
    };
    devkit::insert_contact(&state.store, &contact).await?;
    Ok((email, client.id))
}

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    let index = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples.get(index).copied().unwrap_or_default()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

async fn invoices(moto: &str, concurrency: usize, samples: usize) -> Result<()> {
    let harvest = devkit::fake_harvest::FakeHarvest::start().await;
    const HARVEST_ID: u64 = harvest_fixtures::NORTHWIND_HARVEST_ID;
    // Harvest is not instant: 150 ms per call makes the cold-cache race realistic.
    let invoices = harvest_fixtures::demo_invoices(HARVEST_ID);
    harvest.serve_invoices_after(Duration::from_millis(150), HARVEST_ID, invoices, 2000).await;
    let mut harvest_config = harvest.config();
    harvest_config.request_timeout = Duration::from_secs(5);
    let state = portal(moto, Some(harvest_config)).await?;
    let (email, _) = linked_contact(&state, HARVEST_ID).await?;
    let cookie = sign_in(&state, moto, &email).await?;
    let router = shared::app::router(shared::invoices::routes::invoices, state.clone());

    // 1. Cold cache, `concurrency` simultaneous views, each on its own task.
    let started = Instant::now();
    let tasks: Vec<_> = (0..concurrency)
        .map(|_| {
            let router = router.clone();
            let cookie = cookie.clone();
            tokio::spawn(async move { call(&router, "GET", "/api/invoices", None, Some(&cookie)).await })
        })
        .collect();
    let mut ok = 0;
    for task in tasks {
        let (status, _, _) = task.await??;
        if status == StatusCode::OK {
            ok += 1;
        }
    }
    let cold_elapsed = started.elapsed();
    let invoice_calls = harvest.calls_to("/v2/invoices").await;
    let company_calls = harvest.calls_to("/v2/company").await;

    // 2. Warm cache: the full handler (session check + client + cache read) vs a bare GetItem
    //    of the cache item, interleaved so both see the same machine.
    let client_id = state
        .store
        .get_email_claim(&EmailAddress::parse(&email).map_err(|_| anyhow::anyhow!("email"))?)
        .await?
        .and_then(|c| c.client_id)
        .context("claim")?;
    let (mut handler, mut bare) = (Vec::with_capacity(samples), Vec::with_capacity(samples));
    for _ in 0..20 {
        call(&router, "GET", "/api/invoices", None, Some(&cookie)).await?;
    }
    for _ in 0..samples {
        let t = Instant::now();
        let (status, _, _) = call(&router, "GET", "/api/invoices", None, Some(&cookie)).await?;
        handler.push(t.elapsed());
        if status != StatusCode::OK {
            bail!("warm request answered {status}");
        }
        let t = Instant::now();
        state
            .store
            .client()
            .get_item()
            .table_name(state.store.table_name())
            .key("PK", aws_sdk_dynamodb::types::AttributeValue::S(format!("CLIENT#{client_id}")))
            .key("SK", aws_sdk_dynamodb::types::AttributeValue::S("INVOICES".into()))
            .send()
            .await?;
        bare.push(t.elapsed());
    }
    let (h50, h99) = (percentile(&mut handler, 0.5), percentile(&mut handler, 0.99));
    let (b50, b99) = (percentile(&mut bare, 0.5), percentile(&mut bare, 0.99));
    println!(
        "invoices, cold cache: {concurrency} concurrent views → {ok} × 200 in {:.0} ms; Harvest calls: {invoice_calls} invoices + {company_calls} company = {}",
        ms(cold_elapsed),
        invoice_calls + company_calls
    );
    println!(
        "invoices, warm cache ({samples} samples): handler p50 {:.1} ms p99 {:.1} ms | bare GetItem p50 {:.1} ms p99 {:.1} ms | p50 ratio {:.2}×",
        ms(h50),
        ms(h99),
        ms(b50),
        ms(b99),
        ms(h50) / ms(b50)
    );
    if invoice_calls + company_calls > 2 {
        bail!("more than 2 Harvest calls for a cold cache");
    }
    budgets_and_estimates(&harvest, &state, &router, &cookie, client_id, concurrency).await
}

/// Budgets: `concurrency` simultaneous cold views spread over 20 projects' budget pages (one
/// account-wide report serves them all: goal 1 report call). Estimates: `concurrency`
/// simultaneous cold views of the list (goal ≤ 2 calls: the estimates and, at most once, the
/// company's domain).
async fn budgets_and_estimates(
    harvest: &devkit::fake_harvest::FakeHarvest,
    state: &AppState,
    router: &axum::Router,
    cookie: &str,
    client_id: ClientId,
    concurrency: usize,
) -> Result<()> {
    const HARVEST_ID: u64 = harvest_fixtures::NORTHWIND_HARVEST_ID;
    let mut rows = Vec::new();
    let mut projects = Vec::new();
    for n in 0..20u64 {
        let harvest_project = 5_000_000 + n;
        rows.push(harvest_fixtures::budget_row(&harvest_fixtures::BudgetSpec {
            project_id: harvest_project,
            project_name: "Bench project",
            client_id: HARVEST_ID,
            budget_by: if n % 2 == 0 { "project" } else { "project_cost" },
            monthly: n % 5 == 0,
            budget: Some("100.0"),
            spent: Some("42.5"),
            remaining: Some("57.5"),
        }));
        let project = shared::domain::Project {
            id: ulid::Ulid::new(),
            client_id,
            name: format!("Bench project {n}"),
            status: shared::domain::ProjectStatus::Active,
            start_date: None,
            due_date: None,
            summary: String::new(),
            milestones: Default::default(),
            harvest_project: Some(shared::domain::HarvestProjectLink {
                id: harvest_project,
                name: "Bench project".into(),
                currency: Some("EUR".into()),
            }),
            created_at: time::OffsetDateTime::now_utc(),
        };
        devkit::insert(&state.store, state.store.project_item(&project)?).await?;
        projects.push(project.id);
    }
    harvest.serve_budget_report_after(Duration::from_millis(150), rows).await;
    let estimates = harvest_fixtures::demo_estimates(HARVEST_ID);
    harvest.serve_estimates_after(Duration::from_millis(150), HARVEST_ID, estimates).await;

    let views = |paths: Vec<String>| {
        let tasks: Vec<_> = paths
            .into_iter()
            .map(|path| {
                let router = router.clone();
                let cookie = cookie.to_owned();
                tokio::spawn(async move { call(&router, "GET", &path, None, Some(&cookie)).await })
            })
            .collect();
        async move {
            let mut ok = 0;
            for task in tasks {
                if task.await??.0 == StatusCode::OK {
                    ok += 1;
                }
            }
            Ok::<_, anyhow::Error>(ok)
        }
    };
    let started = Instant::now();
    let ok =
        views((0..concurrency).map(|i| format!("/api/projects/{}/budget", projects[i % projects.len()])).collect())
            .await?;
    let report_calls = harvest.calls_to("/v2/reports/project_budget").await;
    println!(
        "budgets, cold cache: {concurrency} concurrent views of {} projects' budgets → {ok} × 200 in {:.0} ms; Harvest calls: {report_calls} report",
        projects.len(),
        ms(started.elapsed())
    );

    let company_before = harvest.calls_to("/v2/company").await;
    let started = Instant::now();
    let ok = views(vec!["/api/estimates".to_owned(); concurrency]).await?;
    let estimate_calls = harvest.calls_to("/v2/estimates").await;
    let company_calls = harvest.calls_to("/v2/company").await - company_before;
    println!(
        "estimates, cold cache: {concurrency} concurrent views → {ok} × 200 in {:.0} ms; Harvest calls: {estimate_calls} estimates + {company_calls} company = {}",
        ms(started.elapsed()),
        estimate_calls + company_calls
    );
    if report_calls > 1 {
        bail!("more than 1 report call for cold budget views");
    }
    if estimate_calls + company_calls > 2 {
        bail!("more than 2 Harvest calls for cold estimate views");
    }
    Ok(())
}

async fn init_profile() -> Result<()> {
    let t = Instant::now();
    let mut last = t;
    let mut step = |name: &str| {
        let now = Instant::now();
        println!("  {name:<28} {:>6.2} ms", ms(now - last));
        last = now;
    };
    shared::app::telemetry::init();
    step("telemetry");
    let config = Config::from_env()?;
    step("config");
    let lean = shared::aws::load_sdk_config(
        aws_config::defaults(aws_config::BehaviorVersion::latest())
            .region(aws_config::Region::new("us-east-1"))
            .credentials_provider(aws_config::environment::EnvironmentVariableCredentialsProvider::new()),
    )
    .await;
    step("sdk config, env-only");
    let no_http = aws_sdk_dynamodb::config::Builder::from(&lean).build();
    step("ddb conf from lean");
    drop(no_http);
    let sdk = shared::aws::load_sdk_config(aws_config::defaults(aws_config::BehaviorVersion::latest())).await;
    step("sdk config (default chain)");
    let ddb = aws_sdk_dynamodb::Client::new(&sdk);
    step("dynamodb client");
    let harvest = config.harvest.as_ref().map(shared::invoices::Harvest::new);
    step("harvest (reqwest) client");
    let state = AppState::new(config, &sdk);
    step("AppState::new (all)");
    drop((ddb, harvest, state));
    println!("  {:<28} {:>6.2} ms", "total", ms(t.elapsed()));
    Ok(())
}
