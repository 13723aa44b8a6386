//! Warm latency and scale: the projects, messages and dashboard handlers on a tenant with 10
//! projects and 10 messages vs one with 10 000 of each, against a bare GetItem / Query of the
//! same emulator, all interleaved in one run. Then the items each request reads from
//! DynamoDB at either size: the emulator's latency grows with the table, DynamoDB's with the
//! items read.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use aws_sdk_dynamodb::config::interceptors::{
    AfterDeserializationInterceptorContextRef, BeforeSerializationInterceptorContextRef,
};
use aws_sdk_dynamodb::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_dynamodb::operation::batch_get_item::BatchGetItemOutput;
use aws_sdk_dynamodb::operation::get_item::GetItemOutput;
use aws_sdk_dynamodb::operation::query::QueryOutput;
use aws_sdk_dynamodb::types::AttributeValue;
use aws_smithy_types::config_bag::{Storable, StoreReplace};
use axum::Router;
use http::StatusCode;
use shared::AppState;
use shared::domain::{
    AuthorKind, Client, ClientStatus, Contact, Message, Milestone, MilestoneStatus, Project, ProjectStatus,
};
use shared::domain::{ClientId, ContactId};
use time::OffsetDateTime;

use crate::{call, ms, percentile, portal, sign_in};

/// One client company of a given size, signed in.
struct Tenant {
    client: ClientId,
    cookie: String,
    project: ulid::Ulid,
}

async fn seed_tenant(state: &AppState, moto: &str, projects: usize, messages: usize) -> Result<Tenant> {
    let now = OffsetDateTime::now_utc();
    let client = Client {
        id: ClientId::new(),
        company_name: format!("Scale {projects}"),
        status: ClientStatus::Active,
        portal_enabled: true,
        harvest_client_id: None,
        uploads_enabled: true,
        budget_display: Default::default(),
        created_at: now,
    };
    devkit::insert(&state.store, state.store.client_item(&client)?).await?;
    let email = format!("scale-{}@client.example", ulid::Ulid::new().to_string().to_lowercase());
    let contact = Contact {
        id: ContactId::new(),
        client_id: client.id,
        name: "Scale".into(),
        email: shared::domain::EmailAddress::parse(&email).map_err(|_| anyhow::anyhow!("email"))?,
        portal_enabled: true,
        role: shared::domain::ContactRole::Owner,
        invoice_access: true,
        created_at: now,
    };
    devkit::insert_contact(&state.store, &contact).await?;
    // Sign in before loading: moto copies the whole table inside every transaction (verify
    // writes one), which at 20 000 items outlasts the SDK's timeouts. DynamoDB does not.
    let cookie = sign_in(state, moto, &email).await.context("signing in")?;

    const STATUSES: [ProjectStatus; 4] =
        [ProjectStatus::Active, ProjectStatus::Planning, ProjectStatus::OnHold, ProjectStatus::Completed];
    let all_projects: Vec<Project> = (0..projects)
        .map(|n| Project {
            id: ulid::Ulid::new(),
            client_id: client.id,
            name: format!("Project {n}"),
            status: STATUSES[n % STATUSES.len()],
            start_date: None,
            due_date: None,
            summary: "Scale test".into(),
            milestones: Default::default(),
            harvest_project: None,
            created_at: now,
        })
        .collect();
    let all_messages: Vec<Message> = (0..messages)
        .map(|n| Message {
            id: ulid::Ulid::new(),
            client_id: client.id,
            author_kind: AuthorKind::Agency,
            author_id: "agency".into(),
            author_name: "Agency".into(),
            body: format!("Message {n}"),
            created_at: now,
        })
        .collect();
    devkit::bulk_load(&state.store, &all_projects, &all_messages).await.context("seeding")?;
    // The measured project has a few milestones, like a real one.
    let project = all_projects.first().map(|p| p.id).context("no projects")?;
    for position in 0..5u32 {
        let milestone = Milestone {
            id: ulid::Ulid::new(),
            project_id: project,
            client_id: client.id,
            title: format!("Milestone {position}"),
            due_date: None,
            status: if position < 2 { MilestoneStatus::Done } else { MilestoneStatus::Pending },
            completed_at: (position < 2).then_some(now),
            position,
        };
        devkit::insert(&state.store, state.store.milestone_item(&milestone)?).await.context("seeding milestones")?;
    }
    Ok(Tenant { client: client.id, cookie, project })
}

/// Counts the items DynamoDB read for the client's requests (a Query's `ScannedCount`: items
/// examined, before any filter; a GetItem's item; a BatchGetItem's items) and when each call
/// started and ended, from which the sequential round trips follow.
#[derive(Debug, Clone, Default)]
struct ItemsRead(Arc<AtomicU64>, Arc<Mutex<Vec<(Instant, Instant)>>>);

/// When the call being intercepted started (kept in its own config bag).
#[derive(Debug, Clone, Copy)]
struct CallStarted(Instant);

impl Storable for CallStarted {
    type Storer = StoreReplace<Self>;
}

impl ItemsRead {
    /// Swaps the store's DynamoDB client for one that counts through this interceptor.
    fn install(&self, state: &mut AppState) {
        let config = state.store.client().config().to_builder().interceptor(self.clone()).build();
        state.store = shared::store::Store::new(aws_sdk_dynamodb::Client::from_conf(config), state.store.table_name());
    }

    /// Items read since the last take, and how many DynamoDB round trips had to wait for an
    /// earlier one (the longest chain of calls each starting after the previous ended).
    fn take(&self) -> (u64, usize) {
        let calls = std::mem::take(&mut *self.1.lock().unwrap_or_else(std::sync::PoisonError::into_inner));
        (self.0.swap(0, Ordering::SeqCst), sequential_rounds(calls))
    }
}

/// The longest chain of calls in which each starts after the one before it ended: 1 when every
/// read overlaps, 2 when a second round waited on the first, and so on.
fn sequential_rounds(mut calls: Vec<(Instant, Instant)>) -> usize {
    calls.sort();
    let mut depth: Vec<usize> = Vec::with_capacity(calls.len());
    for (i, (start, _)) in calls.iter().enumerate() {
        let before = (0..i).filter(|&j| calls[j].1 <= *start).map(|j| depth[j]).max().unwrap_or(0);
        depth.push(before + 1);
    }
    depth.into_iter().max().unwrap_or(0)
}

impl Intercept for ItemsRead {
    fn name(&self) -> &'static str {
        "ItemsRead"
    }

    fn read_before_execution(
        &self,
        _: &BeforeSerializationInterceptorContextRef<'_>,
        cfg: &mut ConfigBag,
    ) -> Result<(), aws_sdk_dynamodb::error::BoxError> {
        cfg.interceptor_state().store_put(CallStarted(Instant::now()));
        Ok(())
    }

    fn read_after_deserialization(
        &self,
        context: &AfterDeserializationInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), aws_sdk_dynamodb::error::BoxError> {
        if let Some(started) = cfg.load::<CallStarted>() {
            self.1.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push((started.0, Instant::now()));
        }
        let Ok(output) = context.output_or_error() else { return Ok(()) };
        let items = if let Some(query) = output.downcast_ref::<QueryOutput>() {
            u64::try_from(query.scanned_count()).unwrap_or_default()
        } else if let Some(get) = output.downcast_ref::<GetItemOutput>() {
            u64::from(get.item().is_some())
        } else if let Some(batch) = output.downcast_ref::<BatchGetItemOutput>() {
            batch.responses().map_or(0, |tables| tables.values().map(|items| items.len() as u64).sum())
        } else {
            0
        };
        self.0.fetch_add(items, Ordering::SeqCst);
        Ok(())
    }
}

/// Latency samples of one operation.
#[derive(Default)]
struct Samples(Vec<Duration>);

impl Samples {
    fn p(&mut self, q: f64) -> f64 {
        ms(percentile(&mut self.0, q))
    }
}

async fn timed_call(router: &Router, uri: &str, cookie: &str, into: &mut Samples) -> Result<()> {
    let started = Instant::now();
    let (status, body, _) = call(router, "GET", uri, None, Some(cookie)).await?;
    into.0.push(started.elapsed());
    if status != StatusCode::OK {
        bail!("GET {uri} answered {status}: {}", String::from_utf8_lossy(&body));
    }
    Ok(())
}

async fn bare_get_item(state: &AppState, tenant: &Tenant, into: &mut Samples) -> Result<()> {
    let started = Instant::now();
    state
        .store
        .client()
        .get_item()
        .table_name(state.store.table_name())
        .key("PK", AttributeValue::S(format!("CLIENT#{}", tenant.client)))
        .key("SK", AttributeValue::S(format!("PROJECT#{}", tenant.project)))
        .send()
        .await?;
    into.0.push(started.elapsed());
    Ok(())
}

/// The two reads `GET /api/projects/{id}` makes, without the handler around them: a GetItem
/// (the session check's size) and the project tree's Query — one after the other, or overlapped
/// as the handler overlaps them. The handler's figure over these is our own overhead.
async fn bare_detail_reads(state: &AppState, tenant: &Tenant, overlapped: bool, into: &mut Samples) -> Result<()> {
    let started = Instant::now();
    let tree = state.store.get_project_tree(tenant.client, tenant.project);
    let mut sink = Samples::default();
    if overlapped {
        let (got, tree) = tokio::join!(bare_get_item(state, tenant, &mut sink), tree);
        got?;
        tree?.context("project missing")?;
    } else {
        bare_get_item(state, tenant, &mut sink).await?;
        tree.await?.context("project missing")?;
    }
    into.0.push(started.elapsed());
    Ok(())
}

/// A first page of the tenant's projects straight from the index: what the emulator itself
/// costs at this size.
async fn bare_query(state: &AppState, tenant: &Tenant, into: &mut Samples) -> Result<()> {
    let started = Instant::now();
    state
        .store
        .client()
        .query()
        .table_name(state.store.table_name())
        .index_name("GSI1")
        .key_condition_expression("GSI1PK = :pk")
        .expression_attribute_values(":pk", AttributeValue::S(format!("CLIENT#{}#PROJECTS", tenant.client)))
        .limit(25)
        .scan_index_forward(false)
        .send()
        .await?;
    into.0.push(started.elapsed());
    Ok(())
}

/// The router serving `name` on the large tenant's state (the page views' list names the small one's).
fn large_router(name: &str, state: &AppState, routers: &[Router; 3]) -> Router {
    match name {
        "GET /api/me" => shared::app::router(shared::auth::routes::session, state.clone()),
        "GET /api/notifications" => shared::app::router(shared::notify::routes::notifications, state.clone()),
        "GET /api/messages" => routers[1].clone(),
        "GET /api/dashboard" | "GET /api/activity" => routers[2].clone(),
        _ => routers[0].clone(),
    }
}

/// A request a page view makes: its name, the router serving it, its path.
type PageView = (&'static str, Router, fn(&Tenant) -> String);

/// A measured request: its name, which router (projects, messages, dashboard), its path.
type Operation<'a> = (&'a str, usize, fn(&Tenant) -> String);

pub async fn run(moto: &str, big: usize, samples: usize) -> Result<()> {
    // Each tenant in a table of its own: the emulator answers a Query by walking the whole
    // table, so sharing one would charge the small tenant for the large one's items.
    let mut states = [portal(moto, None).await?, portal(moto, None).await?];
    let items_read = ItemsRead::default();
    for state in &mut states {
        items_read.install(state);
    }
    let seeding = Instant::now();
    let small = seed_tenant(&states[0], moto, 10, 10).await?;
    let large = seed_tenant(&states[1], moto, big, big).await?;
    println!("seeded {big} projects + {big} messages in {:.0} s", seeding.elapsed().as_secs_f64());

    let routers: Vec<[Router; 3]> = states
        .iter()
        .map(|state| {
            [
                shared::app::router(shared::portal::routes::projects, state.clone()),
                shared::app::router(shared::portal::routes::messages, state.clone()),
                shared::app::router(shared::portal::routes::dashboard, state.clone()),
            ]
        })
        .collect();
    let ops: [Operation; 4] = [
        ("GET /api/projects/{id}", 0, |t| format!("/api/projects/{}", t.project)),
        ("GET /api/projects", 0, |_| "/api/projects".to_owned()),
        ("GET /api/messages", 1, |_| "/api/messages".to_owned()),
        ("GET /api/dashboard", 2, |_| "/api/dashboard".to_owned()),
    ];
    let tenants = [&small, &large];
    // [op][tenant]
    let mut handler: Vec<[Samples; 2]> = ops.iter().map(|_| Default::default()).collect();
    let mut get_item: [Samples; 2] = Default::default();
    let mut query: [Samples; 2] = Default::default();
    // [one after the other, overlapped], small tenant only.
    let mut detail_reads: [Samples; 2] = Default::default();

    // The large tenant is sampled every fifth round: each of its requests takes the emulator
    // up to a second, and its scale figure is a p50, which needs fewer samples than a p99.
    for round in 0..samples + 20 {
        let warmup = round < 20;
        for (t, tenant) in tenants.iter().enumerate() {
            if t == 1 && round % 5 != 0 {
                continue;
            }
            for (o, (_, router, uri)) in ops.iter().enumerate() {
                let mut sink = Samples::default();
                let into = if warmup { &mut sink } else { &mut handler[o][t] };
                timed_call(&routers[t][*router], &uri(tenant), &tenant.cookie, into).await?;
            }
            let mut sink = Samples::default();
            bare_get_item(&states[t], tenant, if warmup { &mut sink } else { &mut get_item[t] }).await?;
            let mut sink = Samples::default();
            bare_query(&states[t], tenant, if warmup { &mut sink } else { &mut query[t] }).await?;
            if t == 0 {
                for (overlapped, into) in [false, true].into_iter().zip(detail_reads.iter_mut()) {
                    let mut sink = Samples::default();
                    bare_detail_reads(&states[t], tenant, overlapped, if warmup { &mut sink } else { into }).await?;
                }
            }
        }
    }

    println!("\nWarm latency, {samples} samples each, 10-item tenant (p50 / p99 ms; ratio = p50 ÷ bare GetItem p50):");
    let base = get_item[0].p(0.5);
    println!("  {:<26} {:>7.1} / {:>6.1}", "bare GetItem", base, get_item[0].p(0.99));
    for (o, (name, _, _)) in ops.iter().enumerate() {
        let (p50, p99) = (handler[o][0].p(0.5), handler[o][0].p(0.99));
        println!("  {name:<26} {p50:>7.1} / {p99:>6.1}   {:.2}×", p50 / base);
    }
    println!("  The project page's two reads without the handler (GetItem + project Query):");
    for (name, reads) in ["one after the other", "overlapped"].iter().zip(detail_reads.iter_mut()) {
        let (p50, p99) = (reads.p(0.5), reads.p(0.99));
        println!("    {name:<24} {p50:>7.1} / {p99:>6.1}   {:.2}×", p50 / base);
    }

    println!(
        "\nScale: {big} projects + {big} messages vs 10 + 10 (p50 ms of {} vs {samples} samples; ratio = large ÷ small):",
        get_item[1].0.len()
    );
    let row = |name: &str, small: f64, large: f64| {
        println!("  {name:<26} {small:>7.1} → {large:>7.1}   {:.2}×", large / small)
    };
    for (o, (name, _, _)) in ops.iter().enumerate() {
        let (s, l) = (handler[o][0].p(0.5), handler[o][1].p(0.5));
        row(name, s, l);
    }
    row("bare GetItem", get_item[0].p(0.5), get_item[1].p(0.5));
    row("bare Query (GSI, 25)", query[0].p(0.5), query[1].p(0.5));

    // What DynamoDB's latency follows: the items a request makes it read, and how many round
    // trips wait on each other. The emulator's latency follows neither. Every request a client's
    // page view makes, not only the four timed above.
    let page_views: Vec<PageView> = vec![
        ("GET /api/me", shared::app::router(shared::auth::routes::session, states[0].clone()), |_| "/api/me".into()),
        ("GET /api/dashboard", routers[0][2].clone(), |_| "/api/dashboard".into()),
        ("GET /api/activity", routers[0][2].clone(), |_| "/api/activity".into()),
        ("GET /api/projects", routers[0][0].clone(), |_| "/api/projects".into()),
        ("GET /api/projects/{id}", routers[0][0].clone(), |t| format!("/api/projects/{}", t.project)),
        ("GET /api/messages", routers[0][1].clone(), |_| "/api/messages".into()),
        (
            "GET /api/notifications",
            shared::app::router(shared::notify::routes::notifications, states[0].clone()),
            |_| "/api/notifications".into(),
        ),
    ];
    println!(
        "\nItems read per request (session check included; goal ≤ 30) and sequential DynamoDB round trips \
         (session check included; goal ≤ 2), 10 + 10 vs {big} + {big} items:"
    );
    let mut worst = (0, 0);
    for (name, small_router, uri) in &page_views {
        let mut read = [(0, 0); 2];
        for (t, tenant) in tenants.iter().enumerate() {
            // The same route on the large tenant's table.
            let router = if t == 0 { small_router.clone() } else { large_router(name, &states[1], &routers[1]) };
            items_read.take();
            timed_call(&router, &uri(tenant), &tenant.cookie, &mut Samples::default()).await?;
            read[t] = items_read.take();
            worst = (worst.0.max(read[t].0), worst.1.max(read[t].1));
        }
        println!("  {name:<26} items {:>5} → {:>5}   round trips {} → {}", read[0].0, read[1].0, read[0].1, read[1].1);
    }
    println!("  most items read by one request: {} (goal ≤ 30); most round trips: {} (goal ≤ 2)", worst.0, worst.1);
    Ok(())
}
