//! Billing a client can act on, against a fake Harvest (HTTP level, documented shapes): project
//! budgets from the one account-wide report (hours, money, monthly, money fields missing, 429),
//! invoice payments, estimates and the accept/decline written back exactly once.

use std::time::Duration;

use devkit::fake_harvest::FakeHarvest;
use devkit::harvest_fixtures::{self, BudgetSpec, EstimateSpec, Spec};
use http::{Method, StatusCode};
use serde_json::{Value, json};
use shared::domain::{Client, ContactRole, HarvestProjectLink, Project, ProjectStatus, StaffRole};
use wiremock::ResponseTemplate;

use crate::helpers::{ApiRequest, TestApp};

const HARVEST_ID: u64 = 777_001;
const OTHER_HARVEST_ID: u64 = 888_002;
const REPORT: &str = "/v2/reports/project_budget";

fn get(path: &str, cookie: &str) -> ApiRequest {
    ApiRequest::get(path).cookie(cookie)
}

fn post(path: &str, body: Value, cookie: &str) -> ApiRequest {
    ApiRequest::post(path, body).cookie(cookie)
}

struct Billing {
    fake: FakeHarvest,
    app: TestApp,
    client: Client,
    /// An owner (sees invoices and money).
    owner: String,
    /// A member without invoice access.
    member: String,
    agency: String,
}

async fn billing(adjust: impl FnOnce(&mut shared::config::Config)) -> Billing {
    let fake = FakeHarvest::start().await;
    let harvest = fake.config();
    let app = TestApp::with_config(|config| {
        config.harvest = Some(harvest);
        adjust(config);
    })
    .await;
    let mut client = app.add_client("Acme").await;
    app.link_to_harvest(&mut client, HARVEST_ID).await;
    let owner = app.add_contact_as(&client, "owner", ContactRole::Owner, true).await;
    let member = app.add_contact_as(&client, "member", ContactRole::Member, false).await;
    let staff = app.add_staff("pm", StaffRole::Owner).await;
    let (owner, member, agency) =
        (app.sign_in(&owner.email).await, app.sign_in(&member.email).await, app.sign_in(&staff.email).await);
    Billing { fake, app, client, owner, member, agency }
}

impl Billing {
    /// An active portal project of the client, linked to Harvest project `harvest` if given.
    async fn project(&self, name: &str, harvest: Option<u64>) -> Project {
        let project = Project {
            id: ulid::Ulid::new(),
            client_id: self.client.id,
            name: name.into(),
            status: ProjectStatus::Active,
            start_date: None,
            due_date: None,
            summary: String::new(),
            milestones: Default::default(),
            harvest_project: harvest.map(|id| HarvestProjectLink {
                id,
                name: format!("{name} in Harvest"),
                currency: Some("EUR".into()),
            }),
            created_at: time::OffsetDateTime::now_utc(),
        };
        let store = &self.app.state.store;
        devkit::insert(store, store.project_item(&project).unwrap()).await.unwrap();
        project
    }

    async fn budget(&self, project: &Project, cookie: &str) -> (StatusCode, Value) {
        let response = self.app.send(get(&format!("/api/projects/{}/budget", project.id), cookie)).await;
        (response.status, response.body)
    }
}

fn row<'a>(project_id: u64, budget_by: &'a str, monthly: bool, figures: [Option<&'a str>; 3]) -> Value {
    harvest_fixtures::budget_row(&BudgetSpec {
        project_id,
        project_name: "Harvest project",
        client_id: HARVEST_ID,
        budget_by,
        monthly,
        budget: figures[0],
        spent: figures[1],
        remaining: figures[2],
    })
}

#[tokio::test]
async fn budgets_in_hours_money_monthly_and_without_money_fields() {
    let b = billing(|_| {}).await;
    b.fake
        .serve_budget_report(vec![
            row(1, "project", false, [Some("200"), Some("4"), Some("196")]),
            row(2, "project_cost", false, [Some("10000.0"), Some("2500.0"), Some("7500.0")]),
            row(3, "person", true, [Some("20.0"), Some("12.5"), Some("7.5")]),
            // A token without the rate-viewing permission: the money figures are not there.
            row(4, "task_fees", false, [None, None, None]),
        ])
        .await;
    let hours = b.project("Retainer", Some(1)).await;
    let money = b.project("Website", Some(2)).await;
    let monthly = b.project("Support", Some(3)).await;
    let hidden_money = b.project("Campaign", Some(4)).await;
    let unlinked = b.project("Internal", None).await;

    let (status, body) = b.budget(&hours, &b.owner).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        (body["linked"].clone(), body["available"].clone(), body["stale"].clone()),
        (json!(true), json!(true), json!(false))
    );
    let budget = &body["budget"];
    assert_eq!(budget["unit"], "hours");
    assert_eq!(
        (budget["budget"].clone(), budget["spent"].clone(), budget["remaining"].clone()),
        (json!("200.00"), json!("4.00"), json!("196.00"))
    );
    assert_eq!(budget["percent_spent"], 2);
    assert_eq!(budget["monthly"], false);
    assert!(budget["currency"].is_null(), "hours have no currency: {budget}");

    let (_, body) = b.budget(&monthly, &b.member).await;
    assert_eq!(body["budget"]["monthly"], true, "{body}");
    assert_eq!(body["budget"]["percent_spent"], 63, "12.5 of 20 hours, rounded");

    // The agency shows this client hours only (the default): money budgets are not shown.
    let (status, body) = b.budget(&money, &b.owner).await;
    assert_eq!((status, body["linked"].clone(), body["budget"].clone()), (StatusCode::OK, json!(true), Value::Null));

    // The agency switches the client to money.
    let patch = ApiRequest::post(&format!("/api/admin/clients/{}", b.client.id), json!({ "budget_display": "money" }))
        .method(Method::PATCH)
        .cookie(&b.agency);
    let patched = b.app.send(patch).await;
    assert_eq!(
        (patched.status, &patched.body["budget_display"]),
        (StatusCode::OK, &json!("money")),
        "{}",
        patched.body
    );
    let (_, body) = b.budget(&money, &b.owner).await;
    let budget = &body["budget"];
    assert_eq!((budget["unit"].clone(), budget["currency"].clone()), (json!("money"), json!("EUR")), "{body}");
    assert_eq!(
        (budget["spent"].clone(), budget["remaining"].clone(), budget["percent_spent"].clone()),
        (json!("2500.00"), json!("7500.00"), json!(25))
    );
    // A member without invoice access sees hours, never money.
    assert_eq!(b.budget(&money, &b.member).await.1["budget"], Value::Null);
    assert_eq!(b.budget(&hours, &b.member).await.1["budget"]["unit"], "hours");

    // Money figures missing: nothing to show, and no failure.
    let (status, body) = b.budget(&hidden_money, &b.owner).await;
    assert_eq!((status, body["available"].clone(), body["budget"].clone()), (StatusCode::OK, json!(true), Value::Null));

    let (status, body) = b.budget(&unlinked, &b.owner).await;
    assert_eq!((status, body["linked"].clone()), (StatusCode::OK, json!(false)));

    // The dashboard shows the active projects' budgets, from the same copy.
    let dashboard = b.app.send(get("/api/dashboard", &b.owner)).await;
    let budgets = dashboard.body["budgets"].as_array().unwrap().clone();
    let shown: Vec<&str> = budgets.iter().map(|b| b["project_id"].as_str().unwrap()).collect();
    for project in [&hours, &money, &monthly] {
        assert!(shown.contains(&project.id.to_string().as_str()), "{project:?} missing from {budgets:?}");
    }
    assert_eq!(budgets.len(), 3, "{budgets:?}");
    assert_eq!(b.fake.calls_to(REPORT).await, 1, "one report call served every project and the dashboard");
}

#[tokio::test]
async fn a_rate_limited_report_is_served_stale_and_not_asked_again_before_retry_after() {
    let b = billing(|config| config.invoice_cache_ttl = Duration::ZERO).await;
    b.fake.serve_budget_report(vec![row(1, "project", false, [Some("10"), Some("5"), Some("5")])]).await;
    let project = b.project("Retainer", Some(1)).await;
    let (_, first) = b.budget(&project, &b.owner).await;
    assert_eq!(first["stale"], false, "{first}");
    assert_eq!(b.fake.calls_to(REPORT).await, 1);

    b.fake.fail_route_with(REPORT, ResponseTemplate::new(429).insert_header("Retry-After", "120")).await;
    let (status, body) = b.budget(&project, &b.owner).await;
    assert_eq!((status, body["stale"].clone()), (StatusCode::OK, json!(true)), "{body}");
    assert_eq!(body["budget"]["percent_spent"], 50, "the last good copy");
    assert_eq!(b.fake.calls_to(REPORT).await, 2, "the refresh that met the 429");
    for _ in 0..3 {
        assert_eq!(b.budget(&project, &b.member).await.1["stale"], true);
    }
    assert_eq!(b.app.send(get("/api/dashboard", &b.owner)).await.status, StatusCode::OK);
    assert_eq!(b.fake.calls_to(REPORT).await, 2, "no call before Retry-After has passed");
}

#[tokio::test]
async fn a_report_that_fails_with_nothing_cached_leaves_the_page_working() {
    let b = billing(|_| {}).await;
    b.fake.fail_route_with(REPORT, ResponseTemplate::new(503)).await;
    let project = b.project("Retainer", Some(1)).await;
    let (status, body) = b.budget(&project, &b.owner).await;
    assert_eq!(
        (status, body["available"].clone(), body["budget"].clone()),
        (StatusCode::OK, json!(false), Value::Null)
    );
    let dashboard = b.app.send(get("/api/dashboard", &b.owner)).await;
    assert_eq!((dashboard.status, dashboard.body["budgets"].clone()), (StatusCode::OK, json!([])));
}

#[tokio::test]
async fn a_budget_of_another_clients_harvest_project_is_not_found() {
    let b = billing(|_| {}).await;
    let mut foreign = row(9, "project", false, [Some("10"), Some("5"), Some("5")]);
    foreign["client_id"] = json!(OTHER_HARVEST_ID);
    b.fake.serve_budget_report(vec![foreign]).await;
    // A link (made before the client was relinked, say) to another Harvest client's project.
    let project = b.project("Mislinked", Some(9)).await;
    let (status, body) = b.budget(&project, &b.owner).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let dashboard = b.app.send(get("/api/dashboard", &b.owner)).await;
    assert_eq!(dashboard.body["budgets"], json!([]));
    // And a project of another company is not found either.
    let other = b.app.add_client("Other").await;
    let stranger = Project { id: ulid::Ulid::new(), client_id: other.id, ..project.clone() };
    let store = &b.app.state.store;
    devkit::insert(store, store.project_item(&stranger).unwrap()).await.unwrap();
    assert_eq!(b.budget(&stranger, &b.owner).await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_agency_links_a_project_to_a_harvest_project_from_the_live_list() {
    let b = billing(|_| {}).await;
    let project_of = |id, client| harvest_fixtures::project(id, "Website build", client, "Acme", "EUR", "project_cost");
    b.fake.serve_projects(HARVEST_ID, vec![project_of(51, HARVEST_ID)]).await;
    b.fake.serve_projects(OTHER_HARVEST_ID, vec![project_of(52, OTHER_HARVEST_ID)]).await;
    let project = b.project("Website", None).await;
    let base = format!("/api/admin/clients/{}", b.client.id);

    let list = b.app.send(get(&format!("{base}/harvest/projects"), &b.agency)).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    assert_eq!(list.body.as_array().unwrap().iter().map(|p| p["id"].as_u64().unwrap()).collect::<Vec<_>>(), [51]);

    let patch = |body: Value| {
        ApiRequest::post(&format!("{base}/projects/{}", project.id), body).method(Method::PATCH).cookie(&b.agency)
    };
    let other_clients = b.app.send(patch(json!({ "harvest_project_id": 52 }))).await;
    assert_eq!(
        (other_clients.status, other_clients.error_code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "harvest_project_unknown")
    );
    let linked = b.app.send(patch(json!({ "harvest_project_id": 51 }))).await;
    assert_eq!(linked.status, StatusCode::OK, "{}", linked.body);
    assert_eq!(linked.body["harvest_project"], json!({ "id": 51, "name": "Website build", "currency": "EUR" }));
    let audit = b.app.send(get(&format!("{base}/audit"), &b.agency)).await;
    assert!(audit.body["items"][0]["summary"].as_str().unwrap().contains("Website build (51)"), "{}", audit.body);
    let unlinked = b.app.send(patch(json!({ "harvest_project_id": null }))).await;
    assert_eq!(unlinked.body["harvest_project"], Value::Null);

    // A client without a Harvest link has no projects to pick from.
    let lonely = b.app.add_client("Lonely").await;
    let refused = b.app.send(get(&format!("/api/admin/clients/{}/harvest/projects", lonely.id), &b.agency)).await;
    assert_eq!((refused.status, refused.error_code()), (StatusCode::UNPROCESSABLE_ENTITY, "client_not_linked"));
}

fn invoice(id: u64, state: &str, amount: &str, due_amount: &str) -> Value {
    let spec = Spec {
        id,
        number: "INV",
        state,
        amount,
        due_amount,
        currency: "EUR",
        issued: -(id as i64),
        due: 20,
        paid: (state == "paid").then_some(-1),
        subject: "Work",
    };
    harvest_fixtures::invoice(HARVEST_ID, "Acme", &spec)
}

#[tokio::test]
async fn an_invoice_lists_its_payments_and_what_is_still_due() {
    let b = billing(|_| {}).await;
    b.fake
        .serve_invoices(
            HARVEST_ID,
            vec![
                invoice(1, "paid", "100.00", "0.0"),
                invoice(2, "open", "1000.00", "400.00"),
                invoice(3, "open", "50", "50"),
            ],
            2000,
        )
        .await;
    b.fake
        .serve_payments(
            1,
            vec![
                harvest_fixtures::payment(11, "40.00", 3, Some("Stripe")),
                harvest_fixtures::payment(12, "60.00", 9, None),
            ],
        )
        .await;
    b.fake.serve_payments(2, vec![harvest_fixtures::payment(21, "600.00", 2, Some("PayPal"))]).await;

    let paid = b.app.send(get("/api/invoices/1", &b.owner)).await;
    assert_eq!(paid.status, StatusCode::OK, "{}", paid.body);
    let payments = &paid.body["payments"];
    assert_eq!(payments["available"], true);
    let items = payments["items"].as_array().unwrap();
    assert_eq!(items.iter().map(|p| p["id"].as_u64().unwrap()).collect::<Vec<_>>(), [11, 12], "newest first");
    assert_eq!((items[0]["amount"].clone(), items[0]["method"].clone()), (json!("40.00"), json!("Stripe")));
    assert_eq!(items[1]["method"], Value::Null, "recorded by the agency");
    assert!(items[0]["paid_date"].is_string());
    assert_eq!(paid.body["paid_amount"], "100.00");

    let partial = b.app.send(get("/api/invoices/2", &b.owner)).await;
    assert_eq!(partial.body["partially_paid"], true);
    assert_eq!(
        (partial.body["paid_amount"].clone(), partial.body["due_amount"].clone()),
        (json!("600.00"), json!("400.00"))
    );
    assert_eq!(partial.body["payments"]["items"][0]["amount"], "600.00");

    // Nothing paid yet: Harvest is not asked.
    let unpaid = b.app.send(get("/api/invoices/3", &b.owner)).await;
    assert_eq!(unpaid.body["payments"], json!({ "available": true, "stale": false, "items": [] }));
    assert_eq!(b.fake.calls_to("/v2/invoices/3/payments").await, 0);

    // Cached: a second look asks Harvest nothing.
    b.app.send(get("/api/invoices/1", &b.owner)).await;
    assert_eq!(b.fake.calls_to("/v2/invoices/1/payments").await, 1);
}

#[tokio::test]
async fn payments_harvest_cannot_give_leave_the_invoice_readable() {
    let b = billing(|_| {}).await;
    b.fake.serve_invoices(HARVEST_ID, vec![invoice(2, "open", "1000.00", "400.00")], 2000).await;
    b.fake.fail_route_with("/v2/invoices/2/payments", ResponseTemplate::new(500)).await;
    let detail = b.app.send(get("/api/invoices/2", &b.owner)).await;
    assert_eq!(detail.status, StatusCode::OK, "{}", detail.body);
    assert_eq!(detail.body["payments"]["available"], false);
    assert_eq!(detail.body["due_amount"], "400.00");
}

fn estimate(id: u64, state: &str, client: u64) -> Value {
    let lines: &[(&str, &str, &str)] = &[("Design", "10", "100.00"), ("Build", "1", "1500.00")];
    let spec = EstimateSpec {
        id,
        number: "E-1",
        state,
        amount: "2500.00",
        currency: "EUR",
        issued: -(id as i64 % 50),
        subject: "Phase 2",
        lines,
    };
    harvest_fixtures::estimate(client, "Acme", &spec)
}

async fn with_estimates(b: &Billing) {
    let mut estimates = vec![
        estimate(1, "sent", HARVEST_ID),
        estimate(2, "sent", HARVEST_ID),
        estimate(3, "accepted", HARVEST_ID),
        estimate(4, "declined", HARVEST_ID),
        estimate(5, "draft", HARVEST_ID),
    ];
    // A wrong answer naming another Harvest client's estimate is filtered out.
    estimates.push(estimate(6, "sent", OTHER_HARVEST_ID));
    b.fake.serve_estimates(HARVEST_ID, estimates).await;
}

#[tokio::test]
async fn estimates_show_sent_accepted_and_declined_with_line_items() {
    let b = billing(|_| {}).await;
    with_estimates(&b).await;
    b.fake.accept_estimate_events(Duration::ZERO).await;
    let list = b.app.send(get("/api/estimates", &b.owner)).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    let mut seen: Vec<(u64, String, bool)> = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (e["id"].as_u64().unwrap(), e["status"].as_str().unwrap().to_owned(), e["can_decide"].as_bool().unwrap())
        })
        .collect();
    seen.sort();
    let expected = [(1, "sent", true), (2, "sent", true), (3, "accepted", false), (4, "declined", false)];
    assert_eq!(seen, expected.map(|(id, s, d)| (id, s.to_owned(), d)), "no draft, no other client's");
    assert!(
        list.body["items"][0]["view_url"]
            .as_str()
            .unwrap()
            .starts_with("https://brightside.harvestapp.com/client/estimates/")
    );

    let detail = b.app.send(get("/api/estimates/1", &b.owner)).await;
    assert_eq!(detail.status, StatusCode::OK, "{}", detail.body);
    assert_eq!(detail.body["amount"], "2500.00");
    let lines = detail.body["line_items"].as_array().unwrap();
    assert_eq!(
        (lines.len(), lines[0]["quantity"].clone(), lines[0]["amount"].clone()),
        (2, json!("10"), json!("1000.00"))
    );
    for missing in ["/api/estimates/5", "/api/estimates/6", "/api/estimates/99", "/api/estimates/x"] {
        assert_eq!(b.app.send(get(missing, &b.owner)).await.status, StatusCode::NOT_FOUND, "{missing}");
        let decide = b.app.send(post(&format!("{missing}/accept"), json!({}), &b.owner)).await;
        assert_eq!(decide.status, StatusCode::NOT_FOUND, "{missing}/accept");
    }
    assert!(b.fake.posts_to("/v2/estimates/6/messages").await.is_empty(), "another client's estimate was not touched");
    // A member without invoice access neither sees nor decides.
    assert_eq!(b.app.send(get("/api/estimates", &b.member)).await.status, StatusCode::FORBIDDEN);
    assert_eq!(b.app.send(post("/api/estimates/1/accept", json!({}), &b.member)).await.status, StatusCode::FORBIDDEN);
    // A decided estimate cannot be decided again.
    let closed = b.app.send(post("/api/estimates/3/decline", json!({}), &b.owner)).await;
    assert_eq!((closed.status, closed.error_code()), (StatusCode::CONFLICT, "estimate_closed"));
    assert_eq!(b.fake.calls_to("/v2/estimates").await, 1, "one refresh served them all");
}

#[tokio::test]
async fn ten_people_deciding_at_once_make_exactly_one_decision() {
    let b = billing(|_| {}).await;
    with_estimates(&b).await;
    // Harvest takes a moment to answer: the other nine arrive while the first is being written.
    b.fake.accept_estimate_events(Duration::from_millis(300)).await;
    let second = b.app.add_contact_as(&b.client, "second", ContactRole::Member, true).await;
    let second = b.app.sign_in(&second.email).await;
    let staff = b.app.add_staff("assigned", StaffRole::Member).await;
    let audit = shared::domain::AuditEvent::new(None, "test".into(), "client.assign", "setup".into());
    b.app.state.store.assign(b.client.id, staff.id, &audit).await.unwrap();
    // Warm the cache so all ten race on the decision, not on the refresh.
    b.app.send(get("/api/estimates", &b.owner)).await;

    let attempts = (0..10).map(|n| {
        let cookie = if n % 2 == 0 { &b.owner } else { &second };
        let verdict = if n % 3 == 0 { "decline" } else { "accept" };
        b.app.send(post(&format!("/api/estimates/1/{verdict}"), json!({}), cookie))
    });
    let responses = futures_util::future::join_all(attempts).await;
    let won: Vec<_> = responses.iter().filter(|r| r.status == StatusCode::OK).collect();
    assert_eq!(won.len(), 1, "{:?}", responses.iter().map(|r| (r.status, r.body.clone())).collect::<Vec<_>>());
    for lost in responses.iter().filter(|r| r.status != StatusCode::OK) {
        assert_eq!(lost.status, StatusCode::CONFLICT, "{}", lost.body);
        assert!(["estimate_decided", "estimate_deciding"].contains(&lost.error_code()), "{}", lost.body);
    }
    let posts = b.fake.posts_to("/v2/estimates/1/messages").await;
    assert_eq!(posts.len(), 1, "Harvest was told once: {posts:?}");
    let verdict = won[0].body["status"].as_str().unwrap().to_owned();
    let event = if verdict == "accepted" { "accept" } else { "decline" };
    assert_eq!(posts[0], json!({ "event_type": event }));

    // Shown at once, to everyone, before Harvest's copy is refreshed.
    let list = b.app.send(get("/api/estimates", &second)).await;
    let shown = list.body["items"].as_array().unwrap().iter().find(|e| e["id"] == 1).unwrap().clone();
    assert_eq!((shown["status"].as_str().unwrap(), shown["can_decide"].clone()), (verdict.as_str(), json!(false)));
    assert!(shown["decision"]["by"].is_string());

    // Audited once, in the feed once, and the assigned staff heard of it.
    let audit = b.app.send(get(&format!("/api/admin/clients/{}/audit", b.client.id), &b.agency)).await;
    let decisions =
        audit.body["items"].as_array().unwrap().iter().filter(|e| e["action"] == format!("estimate.{event}")).count();
    assert_eq!(decisions, 1, "{}", audit.body);
    let activity = b.app.send(get("/api/activity", &b.owner)).await;
    let kind = if event == "accept" { "estimate_accepted" } else { "estimate_declined" };
    assert_eq!(activity.body["items"].as_array().unwrap().iter().filter(|a| a["kind"] == kind).count(), 1);
    b.app.deliver_notifications().await;
    let mail = b.app.inbox(&staff.email).await;
    assert_eq!(mail.iter().filter(|m| m.subject.contains(verdict.as_str())).count(), 1, "{mail:?}");

    // Deciding again, either way, is refused; Harvest is not asked again.
    let again = b.app.send(post("/api/estimates/1/accept", json!({}), &b.owner)).await;
    assert_eq!((again.status, again.error_code()), (StatusCode::CONFLICT, "estimate_decided"));
    assert_eq!(b.fake.posts_to("/v2/estimates/1/messages").await.len(), 1);
}

#[tokio::test]
async fn a_decline_with_a_comment_reaches_harvest_the_log_and_the_agency() {
    let b = billing(|_| {}).await;
    with_estimates(&b).await;
    b.fake.accept_estimate_events(Duration::ZERO).await;
    let staff = b.app.add_staff("assigned", StaffRole::Member).await;
    let audit = shared::domain::AuditEvent::new(None, "test".into(), "client.assign", "setup".into());
    b.app.state.store.assign(b.client.id, staff.id, &audit).await.unwrap();

    let too_long = b.app.send(post("/api/estimates/2/decline", json!({ "comment": "x".repeat(2001) }), &b.owner)).await;
    assert_eq!((too_long.status, too_long.error_code()), (StatusCode::UNPROCESSABLE_ENTITY, "comment_too_long"));
    assert!(b.fake.posts_to("/v2/estimates/2/messages").await.is_empty());

    let comment = "Too much for this quarter <b>sorry</b>";
    let declined = b.app.send(post("/api/estimates/2/decline", json!({ "comment": comment }), &b.owner)).await;
    assert_eq!(declined.status, StatusCode::OK, "{}", declined.body);
    assert_eq!(declined.body["status"], "declined");
    assert_eq!(declined.body["decision"]["comment"], comment);
    assert_eq!(b.fake.posts_to("/v2/estimates/2/messages").await, [json!({ "event_type": "decline" })]);
    let audit = b.app.send(get(&format!("/api/admin/clients/{}/audit", b.client.id), &b.agency)).await;
    let event =
        audit.body["items"].as_array().unwrap().iter().find(|e| e["action"] == "estimate.decline").unwrap().clone();
    assert!(event["summary"].as_str().unwrap().contains(comment), "{event}");
    b.app.deliver_notifications().await;
    let mail = b.app.inbox(&staff.email).await;
    let notice = mail.iter().find(|m| m.subject.contains("declined")).expect("the assigned staff were told");
    assert!(notice.body.contains("Too much for this quarter &#60;b&#62;sorry&#60;/b&#62;"), "escaped: {}", notice.body);
}

#[tokio::test]
async fn when_harvest_will_not_take_a_decision_nothing_is_recorded() {
    let b = billing(|_| {}).await;
    with_estimates(&b).await;
    b.fake.fail_route_with("/v2/estimates/1/messages", ResponseTemplate::new(503)).await;
    let down = b.app.send(post("/api/estimates/1/accept", json!({}), &b.owner)).await;
    assert_eq!((down.status, down.error_code()), (StatusCode::SERVICE_UNAVAILABLE, "harvest_unavailable"));
    let list = b.app.send(get("/api/estimates/1", &b.owner)).await;
    assert_eq!(
        (list.body["status"].clone(), list.body["can_decide"].clone()),
        (json!("sent"), json!(true)),
        "{}",
        list.body
    );
    let audit = b.app.send(get(&format!("/api/admin/clients/{}/audit", b.client.id), &b.agency)).await;
    assert!(!audit.raw.windows(9).any(|w| w == b"estimate."), "nothing audited: {}", audit.body);
    // Trying again is possible (the claim was given back): Harvest is asked again.
    let again = b.app.send(post("/api/estimates/1/accept", json!({}), &b.owner)).await;
    assert_eq!(again.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(b.fake.posts_to("/v2/estimates/1/messages").await.len(), 2);

    // Harvest says an estimate is no longer open (decided there meanwhile).
    let closed_body = json!({"message": "Estimate is closed"});
    b.fake.fail_route_with("/v2/estimates/2/messages", ResponseTemplate::new(422).set_body_json(closed_body)).await;
    let closed = b.app.send(post("/api/estimates/2/accept", json!({}), &b.owner)).await;
    assert_eq!((closed.status, closed.error_code()), (StatusCode::CONFLICT, "estimate_closed"));
    assert!(
        b.app.state.store.get_estimate_decision(b.client.id, 2).await.unwrap().is_none(),
        "the claim was given back"
    );
}

#[tokio::test]
async fn news_from_harvest_reaches_the_feed_and_those_who_see_invoices_once() {
    use wiremock::Mock;
    use wiremock::matchers::{method, path};
    let b = billing(|_| {}).await;
    b.fake.serve_invoices(HARVEST_ID, vec![invoice(1, "open", "100", "100")], 2000).await;
    b.fake.serve_estimates(HARVEST_ID, vec![estimate(1, "sent", HARVEST_ID)]).await;
    let now = shared::notify::now();
    let first = b.app.drain_at(now).await;
    assert_eq!((first.billing_clients, first.events), (1, 0), "a first copy announces nothing: {first:?}");

    // Harvest now has a new invoice, a new one already overdue, and a new estimate.
    let overdue = harvest_fixtures::invoice(
        HARVEST_ID,
        "Acme",
        &Spec {
            id: 3,
            number: "INV-3",
            state: "open",
            amount: "50",
            due_amount: "50",
            currency: "EUR",
            issued: -40,
            due: -10,
            paid: None,
            subject: "Hosting",
        },
    );
    let invoices = vec![invoice(1, "open", "100", "100"), invoice(2, "open", "80", "80"), overdue];
    Mock::given(method("GET"))
        .and(path("/v2/invoices"))
        .respond_with(ResponseTemplate::new(200).set_body_json(harvest_fixtures::invoices_page(invoices, 1, 1, None)))
        .with_priority(1)
        .mount(&b.fake.server)
        .await;
    let estimates = vec![estimate(1, "sent", HARVEST_ID), estimate(7, "sent", HARVEST_ID)];
    Mock::given(method("GET"))
        .and(path("/v2/estimates"))
        .respond_with(ResponseTemplate::new(200).set_body_json(harvest_fixtures::page(
            "estimates",
            estimates,
            "/v2/estimates",
        )))
        .with_priority(1)
        .mount(&b.fake.server)
        .await;
    let expire = || async {
        let store = &b.app.state.store;
        store.expire_cache(&shared::store::CacheKey::invoices(b.client.id)).await.unwrap();
        store.expire_cache(&shared::store::CacheKey::estimates(b.client.id)).await.unwrap();
    };
    expire().await;
    assert_eq!(b.app.drain_at(now + 60).await.billing_clients, 0, "a round at most hourly");
    let second = b.app.drain_at(now + 3601).await;
    assert_eq!((second.billing_clients, second.events), (1, 4), "{second:?}");
    let feed = b.app.send(get("/api/activity", &b.owner)).await;
    let kinds: Vec<&str> = feed.body["items"].as_array().unwrap().iter().filter_map(|a| a["kind"].as_str()).collect();
    for kind in ["invoice_issued", "invoice_overdue", "estimate_sent"] {
        assert!(kinds.contains(&kind), "{kind} in {kinds:?}");
    }

    let window = i64::try_from(b.app.state.config.notifications.batch_window.as_secs()).unwrap();
    b.app.drain_at(now + 3601 + window + 1).await;
    let app = &b.app;
    let notices = |local: &'static str| async move {
        app.inbox(&app.email(local))
            .await
            .into_iter()
            .filter(|m| !m.subject.starts_with("Your sign-in"))
            .collect::<Vec<_>>()
    };
    let owner = notices("owner").await;
    assert_eq!(owner.len(), 1, "{owner:?}");
    for said in ["issued invoice INV", "Invoice INV-3 is overdue", "sent estimate"] {
        assert!(owner[0].body.contains(said), "{said}: {}", owner[0].body);
    }
    assert!(notices("member").await.is_empty(), "no invoice access, no billing news");

    // The next round finds nothing new: each is announced once.
    expire().await;
    let third = b.app.drain_at(now + 2 * 3601).await;
    assert_eq!((third.billing_clients, third.events), (1, 0), "{third:?}");
}

/// Who may see billing news is decided when it is read or mailed, not when it was written:
/// a member without invoice access never sees it (feed, bell, mail); taking invoice access
/// away, or unassigning a staff member, hides what is on the bell and drops it from mail not
/// yet sent.
#[tokio::test]
async fn billing_news_reaches_only_people_who_may_see_billing_when_they_read_it() {
    use shared::domain::{Activity, ActivityKind, Side};
    let b = billing(|_| {}).await;
    with_estimates(&b).await;
    b.fake.accept_estimate_events(Duration::ZERO).await;
    let finance = b.app.add_contact_as(&b.client, "finance", ContactRole::Member, true).await;
    let finance_cookie = b.app.sign_in(&finance.email).await;
    let staff = b.app.add_staff("assigned", StaffRole::Member).await;
    let audit = shared::domain::AuditEvent::new(None, "test".into(), "client.assign", "setup".into());
    b.app.state.store.assign(b.client.id, staff.id, &audit).await.unwrap();
    let staff_cookie = b.app.sign_in(&staff.email).await;

    // The owner declines an estimate (news for the agency); Harvest issues an invoice (news for
    // the company's people who see invoices).
    let declined = b.app.send(post("/api/estimates/2/decline", json!({}), &b.owner)).await;
    assert_eq!(declined.status, StatusCode::OK, "{}", declined.body);
    let issued =
        Activity::new(b.client.id, ActivityKind::InvoiceIssued, None, None, "Harvest", "Invoice INV-9 issued".into())
            .by(Side::Agency, None);
    b.app.state.store.put_activity(&issued).await.unwrap();
    let message = b.app.send(post("/api/messages", json!({ "body": "Hello" }), &b.member)).await;
    assert_eq!(message.status, StatusCode::CREATED, "{}", message.body);

    let kinds = |body: &Value| -> Vec<String> {
        body["items"].as_array().unwrap().iter().map(|a| a["kind"].as_str().unwrap().to_owned()).collect()
    };
    let member_feed = b.app.send(get("/api/activity", &b.member)).await;
    assert_eq!(member_feed.status, StatusCode::OK);
    assert_eq!(kinds(&member_feed.body), ["message_posted"], "no billing news without invoice access");
    // A page of one still pages past the hidden news to the end, and never shows it.
    let one = b.app.send(get("/api/activity?limit=1", &b.member)).await;
    assert_eq!(kinds(&one.body), ["message_posted"]);
    let owner_feed = kinds(&b.app.send(get("/api/activity", &b.owner)).await.body);
    for kind in ["estimate_declined", "invoice_issued", "message_posted"] {
        assert!(owner_feed.contains(&kind.to_owned()), "{kind} in {owner_feed:?}");
    }

    // Fanned out: finance and the assigned staff have it on the bell and in queued mail.
    let now = shared::notify::now();
    b.app.drain_at(now).await;
    let bell = |cookie: String| {
        let app = &b.app;
        async move {
            let bell = app.send(get("/api/notifications", &cookie)).await;
            assert_eq!(bell.status, StatusCode::OK, "{}", bell.body);
            bell.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["topic"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(bell(finance_cookie.clone()).await, ["invoices"]);
    assert!(bell(staff_cookie.clone()).await.contains(&"estimates".to_owned()));
    assert!(bell(b.member.clone()).await.is_empty(), "{:?}", bell(b.member.clone()).await);

    // Access goes before the mail does.
    let finance_path = format!("/api/team/{}", finance.id);
    let revoked = b
        .app
        .send(
            ApiRequest::post(&finance_path, json!({ "invoice_access": false })).method(Method::PATCH).cookie(&b.owner),
        )
        .await;
    assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.body);
    let unassigned = b
        .app
        .send(
            ApiRequest::get(&format!("/api/admin/clients/{}/staff/{}", b.client.id, staff.id))
                .method(Method::DELETE)
                .cookie(&b.agency),
        )
        .await;
    assert!(unassigned.status.is_success(), "{}", unassigned.body);
    assert!(bell(finance_cookie.clone()).await.is_empty(), "hidden from the bell at once");
    assert!(bell(staff_cookie.clone()).await.is_empty(), "hidden from the bell at once");

    let window = i64::try_from(b.app.state.config.notifications.batch_window.as_secs()).unwrap();
    let sent = b.app.drain_at(now + window + 1).await;
    let mail_for = |to: shared::domain::EmailAddress| {
        let app = &b.app;
        async move { app.inbox(&to).await.into_iter().filter(|m| !m.subject.starts_with("Your sign-in")).count() }
    };
    assert_eq!(mail_for(finance.email.clone()).await, 0, "the queued invoice news was dropped: {sent:?}");
    assert_eq!(mail_for(staff.email.clone()).await, 0, "the queued estimate news was dropped: {sent:?}");
    assert!(sent.dropped >= 2, "{sent:?}");

    // Given back, the bell shows what it holds again (nothing was deleted to hide it).
    b.app
        .send(ApiRequest::post(&finance_path, json!({ "invoice_access": true })).method(Method::PATCH).cookie(&b.owner))
        .await;
    assert_eq!(bell(finance_cookie).await, ["invoices"]);
}
