//! Harvest faked at the HTTP level (wiremock), serving the documented shapes: every mock
//! requires the headers Harvest requires, so a request without them finds no mock.

use std::time::Duration;

use serde_json::Value;
use shared::config::HarvestConfig;
use shared::local::harvest_fixtures;
use wiremock::matchers::{header, header_regex, method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockBuilder, MockServer, ResponseTemplate};

pub const TOKEN: &str = "test-token";
pub const ACCOUNT: &str = "424242";

pub struct FakeHarvest {
    pub server: MockServer,
}

fn authorised(builder: MockBuilder) -> MockBuilder {
    builder
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .and(header("harvest-account-id", ACCOUNT))
        .and(header_regex("user-agent", r"^Client Portal \(.+@.+\)$"))
}

impl FakeHarvest {
    pub async fn start() -> Self {
        let server = MockServer::start().await;
        let fake = Self { server };
        Mock::given(method("GET"))
            .and(path("/v2/company"))
            .respond_with(ResponseTemplate::new(200).set_body_json(harvest_fixtures::company()))
            .with_priority(5)
            .mount(&fake.server)
            .await;
        fake
    }

    pub fn config(&self) -> HarvestConfig {
        HarvestConfig {
            base_url: self.server.uri(),
            access_token: TOKEN.into(),
            account_id: ACCOUNT.into(),
            user_agent: "Client Portal (ops@agency.example)".into(),
            request_timeout: Duration::from_millis(800),
        }
    }

    /// Serves `invoices` for `client_id`, `per_page` to a page, linked by `links.next`.
    pub async fn serve_invoices(&self, client_id: u64, invoices: Vec<Value>, per_page: usize) {
        let pages: Vec<Vec<Value>> = invoices.chunks(per_page.max(1)).map(<[Value]>::to_vec).collect();
        let total = pages.len().max(1) as u64;
        let pages = if pages.is_empty() { vec![vec![]] } else { pages };
        for (index, page) in pages.into_iter().enumerate() {
            let number = index as u64 + 1;
            let next = (number < total).then(|| {
                format!("{}/v2/invoices?client_id={client_id}&page={}&per_page=2000", self.server.uri(), number + 1)
            });
            let body = harvest_fixtures::invoices_page(page, number, total, next);
            let mut mock = authorised(Mock::given(method("GET")).and(path("/v2/invoices")))
                .and(query_param("client_id", client_id.to_string().as_str()));
            mock = if number == 1 {
                mock.and(query_param_is_missing("page"))
            } else {
                mock.and(query_param("page", number.to_string().as_str()))
            };
            mock.respond_with(ResponseTemplate::new(200).set_body_json(body))
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
