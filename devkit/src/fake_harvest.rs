//! The one fake Harvest API v2 (wiremock): the tests, the benchmarks and `make dev` (`portal
//! fake-harvest`) all use it. It serves the documented shapes (`harvest_fixtures`), and every
//! mock requires the headers Harvest requires, so a request without them finds no mock and gets
//! Harvest's 401.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use shared::config::HarvestConfig;
use wiremock::matchers::{header, header_regex, method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockBuilder, MockServer, Request, Respond, ResponseTemplate};

use crate::harvest_fixtures;

/// The credentials the tests' fake accepts.
pub const TOKEN: &str = "test-token";
pub const ACCOUNT: &str = "424242";

pub struct FakeHarvest {
    pub server: MockServer,
    token: String,
    account_id: String,
    /// The budget report's rows (one report serves the whole account); `None` until served.
    budget_rows: Arc<Mutex<Option<Vec<Value>>>>,
}

impl FakeHarvest {
    /// A fake on a free port, accepting `TOKEN` and `ACCOUNT`, that knows the company.
    pub async fn start() -> Self {
        Self::mount_basics(MockServer::start().await, TOKEN, ACCOUNT).await
    }

    /// A fake on `127.0.0.1:port` with the demo clients' invoices (for `make dev`).
    pub async fn serve_demo(port: u16, token: &str, account_id: &str) -> std::io::Result<Self> {
        let listener = std::net::TcpListener::bind(("127.0.0.1", port))?;
        let fake = Self::mount_basics(MockServer::builder().listener(listener).start().await, token, account_id).await;
        fake.serve_clients().await;
        for id in [harvest_fixtures::NORTHWIND_HARVEST_ID, harvest_fixtures::GLOBEX_HARVEST_ID] {
            fake.serve_invoices(id, harvest_fixtures::demo_invoices(id), 2000).await;
            fake.serve_projects(id, harvest_fixtures::demo_projects(id)).await;
            fake.serve_estimates(id, harvest_fixtures::demo_estimates(id)).await;
        }
        for (invoice, payments) in harvest_fixtures::demo_payments() {
            fake.serve_payments(invoice, payments).await;
        }
        fake.serve_budget_report(harvest_fixtures::demo_budgets()).await;
        fake.accept_estimate_events(Duration::ZERO).await;
        // Any other Harvest client (one an admin links by hand) has nothing yet, as in Harvest.
        for (route, field) in
            [("/v2/invoices", "invoices"), ("/v2/projects", "projects"), ("/v2/estimates", "estimates")]
        {
            fake.authorised(Mock::given(method("GET")).and(path(route)))
                .respond_with(ResponseTemplate::new(200).set_body_json(harvest_fixtures::page(field, vec![], route)))
                .with_priority(6)
                .mount(&fake.server)
                .await;
        }
        Ok(fake)
    }

    async fn mount_basics(server: MockServer, token: &str, account_id: &str) -> Self {
        let fake =
            Self { server, token: token.to_owned(), account_id: account_id.to_owned(), budget_rows: Arc::default() };
        fake.authorised(Mock::given(method("GET")).and(path("/v2/company")))
            .respond_with(ResponseTemplate::new(200).set_body_json(harvest_fixtures::company()))
            .with_priority(5)
            .mount(&fake.server)
            .await;
        // What Harvest answers a request without valid credentials.
        let refused = json!({"error": "invalid_token", "error_description": "The access token provided is expired, revoked, malformed or invalid for other reasons."});
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(401).set_body_json(refused))
            .with_priority(10)
            .mount(&fake.server)
            .await;
        fake
    }

    fn authorised(&self, builder: MockBuilder) -> MockBuilder {
        builder
            .and(header("authorization", format!("Bearer {}", self.token).as_str()))
            .and(header("harvest-account-id", self.account_id.as_str()))
            .and(header_regex("user-agent", r"^Client Portal \(.+@.+\)$"))
    }

    pub fn uri(&self) -> String {
        self.server.uri()
    }

    /// The portal's Harvest settings for this fake.
    pub fn config(&self) -> HarvestConfig {
        HarvestConfig {
            base_url: self.server.uri(),
            access_token: self.token.clone(),
            account_id: self.account_id.clone(),
            user_agent: "Client Portal (ops@agency.example)".into(),
            request_timeout: Duration::from_millis(800),
        }
    }

    /// Serves the demo clients' list (`GET /v2/clients`).
    pub async fn serve_clients(&self) {
        self.authorised(Mock::given(method("GET")).and(path("/v2/clients")))
            .respond_with(ResponseTemplate::new(200).set_body_json(harvest_fixtures::clients_page()))
            .with_priority(5)
            .mount(&self.server)
            .await;
    }

    /// Serves `invoices` for `client_id`, `per_page` to a page, linked by `links.next`.
    pub async fn serve_invoices(&self, client_id: u64, invoices: Vec<Value>, per_page: usize) {
        self.serve_invoices_after(Duration::ZERO, client_id, invoices, per_page).await;
    }

    /// `serve_invoices`, each page answered after `delay` (Harvest is not instant).
    pub async fn serve_invoices_after(&self, delay: Duration, client_id: u64, invoices: Vec<Value>, per_page: usize) {
        let pages: Vec<Vec<Value>> = invoices.chunks(per_page.max(1)).map(<[Value]>::to_vec).collect();
        let total = pages.len().max(1) as u64;
        let pages = if pages.is_empty() { vec![vec![]] } else { pages };
        for (index, page) in pages.into_iter().enumerate() {
            let number = index as u64 + 1;
            let next = (number < total).then(|| {
                format!("{}/v2/invoices?client_id={client_id}&page={}&per_page=2000", self.server.uri(), number + 1)
            });
            let body = harvest_fixtures::invoices_page(page, number, total, next);
            let mut mock = self
                .authorised(Mock::given(method("GET")).and(path("/v2/invoices")))
                .and(query_param("client_id", client_id.to_string().as_str()));
            mock = if number == 1 {
                mock.and(query_param_is_missing("page"))
            } else {
                mock.and(query_param("page", number.to_string().as_str()))
            };
            mock.respond_with(ResponseTemplate::new(200).set_body_json(body).set_delay(delay))
                .with_priority(5)
                .mount(&self.server)
                .await;
        }
    }

    /// Adds rows to the project budget report (`GET /v2/reports/project_budget`, one page),
    /// which is served from the first call on.
    pub async fn serve_budget_report(&self, rows: Vec<Value>) {
        let first = {
            let mut served = self.budget_rows.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            let first = served.is_none();
            served.get_or_insert_with(Vec::new).extend(rows);
            first
        };
        if first {
            self.authorised(Mock::given(method("GET")).and(path("/v2/reports/project_budget")))
                .respond_with(BudgetReport { rows: Arc::clone(&self.budget_rows) })
                .with_priority(5)
                .mount(&self.server)
                .await;
        }
    }

    /// `serve_budget_report`, answered after `delay`.
    pub async fn serve_budget_report_after(&self, delay: Duration, rows: Vec<Value>) {
        let body = harvest_fixtures::page("results", rows, "/v2/reports/project_budget");
        self.authorised(Mock::given(method("GET")).and(path("/v2/reports/project_budget")))
            .respond_with(ResponseTemplate::new(200).set_body_json(body).set_delay(delay))
            .with_priority(5)
            .mount(&self.server)
            .await;
    }

    /// Serves `GET /v2/projects?client_id=…` (active projects of one Harvest client).
    pub async fn serve_projects(&self, client_id: u64, projects: Vec<Value>) {
        let body = harvest_fixtures::page("projects", projects, "/v2/projects");
        self.authorised(Mock::given(method("GET")).and(path("/v2/projects")))
            .and(query_param("client_id", client_id.to_string().as_str()))
            .respond_with(ResponseTemplate::new(200).set_body_json(body))
            .with_priority(5)
            .mount(&self.server)
            .await;
    }

    /// Serves `GET /v2/invoices/{id}/payments`.
    pub async fn serve_payments(&self, invoice_id: u64, payments: Vec<Value>) {
        let route = format!("/v2/invoices/{invoice_id}/payments");
        let body = harvest_fixtures::page("invoice_payments", payments, &route);
        self.authorised(Mock::given(method("GET")).and(path(route.as_str())))
            .respond_with(ResponseTemplate::new(200).set_body_json(body))
            .with_priority(5)
            .mount(&self.server)
            .await;
    }

    /// Serves `GET /v2/estimates?client_id=…`.
    pub async fn serve_estimates(&self, client_id: u64, estimates: Vec<Value>) {
        self.serve_estimates_after(Duration::ZERO, client_id, estimates).await;
    }

    pub async fn serve_estimates_after(&self, delay: Duration, client_id: u64, estimates: Vec<Value>) {
        let body = harvest_fixtures::page("estimates", estimates, "/v2/estimates");
        self.authorised(Mock::given(method("GET")).and(path("/v2/estimates")))
            .and(query_param("client_id", client_id.to_string().as_str()))
            .respond_with(ResponseTemplate::new(200).set_body_json(body).set_delay(delay))
            .with_priority(5)
            .mount(&self.server)
            .await;
    }

    /// Answers `POST /v2/estimates/{id}/messages` as Harvest does for an `accept` or `decline`
    /// event (201 with the message), after `delay`; the requests are counted by `posts_to`.
    pub async fn accept_estimate_events(&self, delay: Duration) {
        self.authorised(
            Mock::given(method("POST")).and(wiremock::matchers::path_regex(r"^/v2/estimates/\d+/messages$")),
        )
        .and(header("content-type", "application/json"))
        .respond_with(EstimateEventReply { delay })
        .with_priority(5)
        .mount(&self.server)
        .await;
    }

    /// Makes every request to `route` (any method) answer `response` from now on.
    pub async fn fail_route_with(&self, route: &str, response: ResponseTemplate) {
        Mock::given(path(route)).respond_with(response).with_priority(1).mount(&self.server).await;
    }

    /// The bodies of the `POST`s to `route`, as JSON.
    pub async fn posts_to(&self, route: &str) -> Vec<Value> {
        self.server
            .received_requests()
            .await
            .unwrap_or_default()
            .iter()
            .filter(|r| r.method == wiremock::http::Method::POST && r.url.path() == route)
            .map(|r| serde_json::from_slice(&r.body).unwrap_or(Value::Null))
            .collect()
    }

    /// Makes every invoice request answer `response` from now on (takes precedence).
    pub async fn fail_invoices_with(&self, response: ResponseTemplate) {
        Mock::given(method("GET"))
            .and(path("/v2/invoices"))
            .respond_with(response)
            .with_priority(1)
            .mount(&self.server)
            .await;
    }

    pub async fn calls_to(&self, route: &str) -> usize {
        self.server.received_requests().await.unwrap_or_default().iter().filter(|r| r.url.path() == route).count()
    }
}

/// The budget report with the rows served so far.
struct BudgetReport {
    rows: Arc<Mutex<Option<Vec<Value>>>>,
}

impl Respond for BudgetReport {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let rows = self.rows.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone().unwrap_or_default();
        ResponseTemplate::new(200).set_body_json(harvest_fixtures::page("results", rows, "/v2/reports/project_budget"))
    }
}

/// Harvest's answer to an estimate event: the message it creates, `event_type` as asked.
struct EstimateEventReply {
    delay: Duration,
}

impl Respond for EstimateEventReply {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let asked: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
        match asked["event_type"].as_str() {
            Some(event @ ("accept" | "decline")) => ResponseTemplate::new(201)
                .set_body_json(harvest_fixtures::estimate_message(event))
                .set_delay(self.delay),
            _ => ResponseTemplate::new(422).set_body_json(json!({"message": "Event type is not valid"})),
        }
    }
}
