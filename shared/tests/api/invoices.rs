//! Invoices from a fake Harvest (HTTP level, documented shapes): pagination, filtering,
//! exact money, the cache and its lease, and every failure Harvest can hand us.

use std::time::Duration;

use devkit::harvest_fixtures::{self, Spec};
use http::StatusCode;
use serde_json::Value;
use wiremock::ResponseTemplate;

use crate::helpers::{ApiRequest, TestApp};
use devkit::fake_harvest::FakeHarvest;

const HARVEST_ID: u64 = 777001;

fn spec<'a>(id: u64, state: &'a str, amount: &'a str, due_amount: &'a str, issued: i64, due: i64) -> Spec<'a> {
    Spec {
        id,
        number: "INV",
        state,
        amount,
        due_amount,
        currency: "EUR",
        issued,
        due,
        paid: (state == "paid").then_some(due - 1),
        subject: "Work",
    }
}

fn invoice(id: u64, state: &str, amount: &str, due_amount: &str, issued: i64, due: i64) -> Value {
    harvest_fixtures::invoice(HARVEST_ID, "Acme", &spec(id, state, amount, due_amount, issued, due))
}

/// A portal with one signed-in contact whose client is linked to `HARVEST_ID`.
async fn setup(fake: &FakeHarvest, adjust: impl FnOnce(&mut shared::config::Config)) -> (TestApp, String) {
    let harvest = fake.config();
    let app = TestApp::with_config(|config| {
        config.harvest = Some(harvest);
        adjust(config);
    })
    .await;
    let mut client = app.add_client("Acme").await;
    app.link_to_harvest(&mut client, HARVEST_ID).await;
    let contact = app.add_contact(&client, "billing").await;
    let cookie = app.sign_in(&contact.email).await;
    (app, cookie)
}

fn get(path: &str, cookie: &str) -> ApiRequest {
    ApiRequest::get(path).cookie(cookie)
}

fn ids(body: &Value) -> Vec<u64> {
    body["items"].as_array().unwrap().iter().map(|i| i["id"].as_u64().unwrap()).collect()
}

#[tokio::test]
async fn follows_three_pages_drops_drafts_and_maps_states() {
    let fake = FakeHarvest::start().await;
    fake.serve_invoices(
        HARVEST_ID,
        vec![
            invoice(1, "paid", "100.00", "0.0", -60, -30),
            invoice(2, "open", "0.1", "0.1", -50, -20), // overdue
            invoice(3, "open", "0.2", "0.2", -40, 20),
            invoice(4, "draft", "999.99", "999.99", -30, 30),
            invoice(5, "closed", "50", "50", -20, -5),
            invoice(6, "open", "1000.005", "400.00", -10, 40), // partly paid
        ],
        2,
    )
    .await;
    let (app, cookie) = setup(&fake, |_| {}).await;
    let all = app.send(get("/api/invoices", &cookie)).await;
    assert_eq!(all.status, StatusCode::OK, "{}", all.body);
    assert_eq!(fake.calls_to("/v2/invoices").await, 3, "three pages followed");
    assert_eq!(all.body["billing_linked"], true);
    assert_eq!(all.body["stale"], false);
    assert_eq!(ids(&all.body), [6, 5, 3, 2, 1], "newest first, no draft");

    let by_id = |id: u64| all.body["items"].as_array().unwrap().iter().find(|i| i["id"] == id).unwrap().clone();
    assert_eq!(by_id(2)["state"], "open");
    assert_eq!(by_id(2)["overdue"], true);
    assert_eq!(by_id(3)["overdue"], false);
    assert_eq!(by_id(1)["state"], "paid");
    assert!(by_id(1)["paid_date"].is_string());
    assert_eq!(by_id(5)["state"], "closed");
    assert_eq!(by_id(6)["partially_paid"], true);
    assert_eq!(by_id(6)["amount"], "1000.01", "rounded half away from zero, as money");
    assert_eq!(by_id(2)["amount"], "0.10");
    let link = by_id(3)["view_url"].as_str().unwrap().to_owned();
    assert!(link.starts_with("https://brightside.harvestapp.com/client/invoices/"), "{link}");

    let open = app.send(get("/api/invoices?state=open", &cookie)).await;
    assert_eq!(ids(&open.body), [6, 3, 2]);
    let paid = app.send(get("/api/invoices?state=paid", &cookie)).await;
    assert_eq!(ids(&paid.body), [1]);
    let bad = app.send(get("/api/invoices?state=draft", &cookie)).await;
    assert_eq!((bad.status, bad.error_code()), (StatusCode::BAD_REQUEST, "invalid_state"));

    // Exact decimal totals: 0.1 + 0.2 + 400.00 due, in one currency.
    let dashboard = app.send(get("/api/dashboard", &cookie)).await;
    let invoices = &dashboard.body["invoices"];
    assert_eq!(invoices["open_totals"], serde_json::json!([{ "currency": "EUR", "amount": "400.30" }]));
    assert_eq!(invoices["open_count"], 3);
    assert_eq!(invoices["overdue_count"], 1);
    let next_due = (time::OffsetDateTime::now_utc() + time::Duration::days(20)).date().to_string();
    assert_eq!(invoices["next_due_date"], next_due);
    assert_eq!(fake.calls_to("/v2/invoices").await, 3, "served from the cache since");
}

#[tokio::test]
async fn pages_detail_and_line_items() {
    let fake = FakeHarvest::start().await;
    fake.serve_invoices(HARVEST_ID, (1..=5).map(|n| invoice(n, "open", "10", "10", -(n as i64), 10)).collect(), 2000)
        .await;
    let (app, cookie) = setup(&fake, |_| {}).await;
    let first = app.send(get("/api/invoices?limit=2", &cookie)).await;
    assert_eq!(ids(&first.body), [1, 2]);
    let cursor = first.body["next_cursor"].as_str().unwrap();
    let second = app.send(get(&format!("/api/invoices?limit=2&cursor={cursor}"), &cookie)).await;
    assert_eq!(ids(&second.body), [3, 4]);
    let other_list = app.send(get(&format!("/api/invoices?state=paid&cursor={cursor}"), &cookie)).await;
    assert_eq!(other_list.error_code(), "invalid_cursor");

    let detail = app.send(get("/api/invoices/3", &cookie)).await;
    assert_eq!(detail.status, StatusCode::OK, "{}", detail.body);
    assert_eq!(detail.body["line_items"][0]["amount"], "10.00");
    assert_eq!(detail.body["line_items"][0]["quantity"], "1");
    assert!(detail.body["pdf_url"].as_str().unwrap().ends_with(".pdf"));
    for missing in ["/api/invoices/99", "/api/invoices/abc", "/api/invoices/-1"] {
        assert_eq!(app.send(get(missing, &cookie)).await.status, StatusCode::NOT_FOUND, "{missing}");
    }
}

#[tokio::test]
async fn another_clients_invoices_never_appear() {
    let fake = FakeHarvest::start().await;
    // A Harvest answer that (wrongly) includes another client's invoice is filtered.
    let mut mixed = vec![invoice(1, "open", "10", "10", -1, 10)];
    mixed.push(harvest_fixtures::invoice(888, "Someone else", &spec(2, "open", "66", "66", -1, 10)));
    fake.serve_invoices(HARVEST_ID, mixed, 2000).await;
    fake.serve_invoices(
        888,
        vec![harvest_fixtures::invoice(888, "Someone else", &spec(3, "open", "77", "77", -1, 10))],
        2000,
    )
    .await;
    let (app, cookie) = setup(&fake, |_| {}).await;
    let list = app.send(get("/api/invoices", &cookie)).await;
    assert_eq!(ids(&list.body), [1]);
    assert!(!String::from_utf8_lossy(&list.raw).contains("Someone else"));
    assert_eq!(app.send(get("/api/invoices/2", &cookie)).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.send(get("/api/invoices/3", &cookie)).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn unlinked_client_gets_an_empty_list_not_an_error() {
    let fake = FakeHarvest::start().await;
    let app = TestApp::with_harvest(&fake).await;
    let client = app.add_client("Unbilled").await;
    let contact = app.add_contact(&client, "u").await;
    let cookie = app.sign_in(&contact.email).await;
    let list = app.send(get("/api/invoices", &cookie)).await;
    assert_eq!(list.status, StatusCode::OK);
    assert_eq!(list.body["billing_linked"], false);
    assert_eq!(list.body["items"], serde_json::json!([]));
    assert_eq!(app.send(get("/api/dashboard", &cookie)).await.body["invoices"]["billing_linked"], false);
    assert_eq!(fake.server.received_requests().await.unwrap().len(), 0);
}

/// Fills the cache once, then makes it stale (TTL 0) for the failure tests.
async fn cached_then_stale(fake: &FakeHarvest) -> (TestApp, String) {
    fake.serve_invoices(HARVEST_ID, vec![invoice(1, "open", "10", "10", -1, 10)], 2000).await;
    let (app, cookie) = setup(fake, |config| config.invoice_cache_ttl = Duration::ZERO).await;
    let first = app.send(get("/api/invoices", &cookie)).await;
    assert_eq!(first.body["stale"], false);
    (app, cookie)
}

#[tokio::test]
async fn harvest_500_serves_the_last_good_copy_marked_stale() {
    let fake = FakeHarvest::start().await;
    let (app, cookie) = cached_then_stale(&fake).await;
    fake.fail_invoices_with(ResponseTemplate::new(500)).await;
    let list = app.send(get("/api/invoices", &cookie)).await;
    assert_eq!(list.status, StatusCode::OK);
    assert_eq!(list.body["stale"], true);
    assert!(list.body["fetched_at"].is_string());
    assert_eq!(ids(&list.body), [1]);
    assert_eq!(app.send(get("/api/invoices/1", &cookie)).await.body["stale"], true);
}

#[tokio::test]
async fn harvest_429_is_respected_until_retry_after() {
    let fake = FakeHarvest::start().await;
    let (app, cookie) = cached_then_stale(&fake).await;
    fake.fail_invoices_with(ResponseTemplate::new(429).insert_header("Retry-After", "120")).await;
    let before = fake.calls_to("/v2/invoices").await;
    let list = app.send(get("/api/invoices", &cookie)).await;
    assert_eq!((list.status, &list.body["stale"]), (StatusCode::OK, &Value::Bool(true)));
    assert_eq!(fake.calls_to("/v2/invoices").await, before + 1);
    for _ in 0..3 {
        let again = app.send(get("/api/invoices", &cookie)).await;
        assert_eq!(again.body["stale"], true);
    }
    assert_eq!(fake.calls_to("/v2/invoices").await, before + 1, "no call before Retry-After has passed");
}

#[tokio::test]
async fn harvest_timeout_serves_stale() {
    let fake = FakeHarvest::start().await;
    let (app, cookie) = cached_then_stale(&fake).await;
    // The fake answers far later than the 800 ms request timeout; the margin between the two
    // absorbs a busy CI machine.
    fake.fail_invoices_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(8))).await;
    let started = std::time::Instant::now();
    let list = app.send(get("/api/invoices", &cookie)).await;
    assert_eq!(list.body["stale"], true);
    assert!(started.elapsed() < Duration::from_secs(5), "did not time out: {:?}", started.elapsed());
}

#[tokio::test]
async fn nothing_cached_and_harvest_down_is_503_with_a_message() {
    for failure in [
        ResponseTemplate::new(503),
        ResponseTemplate::new(200).set_body_string("{not json"),
        ResponseTemplate::new(200).set_delay(Duration::from_secs(3)),
    ] {
        let fake = FakeHarvest::start().await;
        fake.fail_invoices_with(failure).await;
        let (app, cookie) = setup(&fake, |_| {}).await;
        let list = app.send(get("/api/invoices", &cookie)).await;
        assert_eq!((list.status, list.error_code()), (StatusCode::SERVICE_UNAVAILABLE, "invoices_unavailable"));
        assert!(list.body["error"]["message"].as_str().unwrap().contains("Try again"));
        // The dashboard still loads, saying invoices are unavailable.
        let dashboard = app.send(get("/api/dashboard", &cookie)).await;
        assert_eq!(dashboard.status, StatusCode::OK);
        assert_eq!(dashboard.body["invoices"]["available"], false);
    }
}

#[tokio::test]
async fn harvest_401_is_502_harvest_misconfigured() {
    let fake = FakeHarvest::start().await;
    fake.fail_invoices_with(ResponseTemplate::new(401).set_body_json(serde_json::json!({"error": "invalid_token"})))
        .await;
    let (app, cookie) = setup(&fake, |_| {}).await;
    let list = app.send(get("/api/invoices", &cookie)).await;
    assert_eq!((list.status, list.error_code()), (StatusCode::BAD_GATEWAY, "harvest_misconfigured"));
}

#[tokio::test]
async fn wrong_credentials_never_match_the_fake() {
    // The fake insists on Harvest's headers: a client sending other credentials gets Harvest's
    // 401, which the portal reports as a misconfiguration (502), not as an outage: a dead or
    // silent fake would give 503 instead.
    let fake = FakeHarvest::start().await;
    fake.serve_invoices(HARVEST_ID, vec![invoice(1, "open", "10", "10", -1, 10)], 2000).await;
    let mut harvest = fake.config();
    harvest.access_token = "wrong".into();
    let app = TestApp::with_config(|config| config.harvest = Some(harvest)).await;
    let mut client = app.add_client("Acme").await;
    app.link_to_harvest(&mut client, HARVEST_ID).await;
    let contact = app.add_contact(&client, "x").await;
    let cookie = app.sign_in(&contact.email).await;
    let response = app.send(get("/api/invoices", &cookie)).await;
    assert_eq!(response.status, StatusCode::BAD_GATEWAY, "{}", response.body);
    assert_eq!(response.error_code(), "harvest_misconfigured");
    // Harvest was asked (company and invoices go out together; the first 401 ends both).
    let calls = fake.calls_to("/v2/invoices").await + fake.calls_to("/v2/company").await;
    assert!((1..=2).contains(&calls), "{calls} calls to Harvest for one refused refresh");
}

#[tokio::test]
async fn concurrent_cold_requests_call_harvest_once() {
    let fake = FakeHarvest::start().await;
    fake.serve_invoices(HARVEST_ID, vec![invoice(1, "open", "10", "10", -1, 10)], 2000).await;
    let (app, cookie) = setup(&fake, |_| {}).await;
    let requests = (0..20).map(|_| app.send(get("/api/invoices", &cookie)));
    let responses = futures_util::future::join_all(requests).await;
    for response in &responses {
        assert_eq!(response.status, StatusCode::OK, "{}", response.body);
        assert_eq!(ids(&response.body), [1]);
    }
    assert_eq!(fake.calls_to("/v2/invoices").await, 1, "one refresh for twenty cold requests");
    assert_eq!(fake.calls_to("/v2/company").await, 1);
}
