//! The one fake Harvest API v2 (wiremock): the tests, the benchmarks and `make dev` (`portal
//! fake-harvest`) all use it. It serves the documented shapes (`harvest_fixtures`), and every
//! mock requires the headers Harvest requires, so a request without them finds no mock and gets
//! Harvest's 401.

use std::time::Duration;

use serde_json::{Value, json};
use shared::config::HarvestConfig;
use wiremock::matchers::{header, header_regex, method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockBuilder, MockServer, ResponseTemplate};

use crate::harvest_fixtures;

/// The credentials the tests' fake accepts.
pub const TOKEN: &str = "test-token";
pub const ACCOUNT: &str = "424242";

pub struct FakeHarvest {
    pub server: MockServer,
    token: String,
    account_id: String,
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
        }
        Ok(fake)
    }

    async fn mount_basics(server: MockServer, token: &str, account_id: &str) -> Self {
        let fake = Self { server, token: token.to_owned(), account_id: account_id.to_owned() };
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
