//! Harvest API v2: invoices and their payments, estimates and the accept/decline events written
//! back, the project budget report, the account's company (for the client-facing links) and the
//! client and project lists (for admins linking portal clients and projects to Harvest).
//!
//! Money is parsed from the JSON number's own text into `Decimal`, never through `f64`.
//! Models ignore fields Harvest adds later. Pagination follows `links.next` to the end, but
//! only on Harvest's own host: the bearer token is never sent anywhere else.

use std::str::FromStr;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use rust_decimal::Decimal;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::value::RawValue;

use crate::config::HarvestConfig;

/// Parses a JSON number (or numeric string) into a `Decimal` from its exact text.
pub fn money<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Decimal, D::Error> {
    let raw: &RawValue = Deserialize::deserialize(deserializer)?;
    let text = raw.get().trim_matches('"');
    Decimal::from_str(text).or_else(|_| Decimal::from_scientific(text)).map_err(serde::de::Error::custom)
}

fn money_or_zero<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Decimal, D::Error> {
    let raw: Option<&RawValue> = Deserialize::deserialize(deserializer)?;
    match raw.map(RawValue::get) {
        None | Some("null") => Ok(Decimal::ZERO),
        Some(text) => {
            let text = text.trim_matches('"');
            Decimal::from_str(text).or_else(|_| Decimal::from_scientific(text)).map_err(serde::de::Error::custom)
        }
    }
}

/// A money or hours field Harvest may leave out (or send as `null`): money fields vanish for
/// tokens without permission to view rates, and the portal shows what is there.
fn optional_money<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Decimal>, D::Error> {
    let raw: Option<&RawValue> = Deserialize::deserialize(deserializer)?;
    match raw.map(RawValue::get) {
        None | Some("null") => Ok(None),
        Some(text) => {
            let text = text.trim_matches('"');
            Decimal::from_str(text)
                .or_else(|_| Decimal::from_scientific(text))
                .map(Some)
                .map_err(serde::de::Error::custom)
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InvoiceState {
    Draft,
    Open,
    Paid,
    Closed,
    /// A state Harvest may add later; never shown.
    #[serde(other)]
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct NamedRef {
    pub id: u64,
    #[serde(default)]
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct LineItem {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub description: String,
    #[serde(default, deserialize_with = "money_or_zero")]
    pub quantity: Decimal,
    #[serde(default, deserialize_with = "money_or_zero")]
    pub unit_price: Decimal,
    #[serde(deserialize_with = "money")]
    pub amount: Decimal,
}

/// An invoice as Harvest sends it (the fields the portal uses).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Invoice {
    pub id: u64,
    pub client_key: String,
    #[serde(default)]
    pub number: String,
    #[serde(deserialize_with = "money")]
    pub amount: Decimal,
    #[serde(deserialize_with = "money")]
    pub due_amount: Decimal,
    #[serde(default, deserialize_with = "money_or_zero")]
    pub tax_amount: Decimal,
    #[serde(default, deserialize_with = "money_or_zero")]
    pub tax2_amount: Decimal,
    #[serde(default, deserialize_with = "money_or_zero")]
    pub discount_amount: Decimal,
    #[serde(default)]
    pub subject: Option<String>,
    #[serde(default)]
    pub notes: Option<String>,
    pub state: InvoiceState,
    #[serde(default)]
    pub period_start: Option<time::Date>,
    #[serde(default)]
    pub period_end: Option<time::Date>,
    pub issue_date: time::Date,
    #[serde(default)]
    pub due_date: Option<time::Date>,
    #[serde(default)]
    pub paid_date: Option<time::Date>,
    #[serde(default)]
    pub payment_term: Option<String>,
    pub currency: String,
    pub client: NamedRef,
    #[serde(default)]
    pub line_items: Vec<LineItem>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Company {
    pub full_domain: String,
    #[serde(default)]
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HarvestClient {
    pub id: u64,
    pub name: String,
    #[serde(default)]
    pub is_active: bool,
    #[serde(default)]
    pub currency: Option<String>,
}

/// How a Harvest project's budget is counted (`budget_by`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BudgetBy {
    /// Hours per project.
    Project,
    /// Total project fees (money).
    ProjectCost,
    /// Hours per task.
    Task,
    /// Fees per task (money).
    TaskFees,
    /// Hours per person.
    Person,
    None,
    #[serde(other)]
    Unknown,
}

impl BudgetBy {
    /// Whether the budget is money (else hours); `None` when there is no budget to show.
    pub fn is_money(self) -> Option<bool> {
        match self {
            Self::Project | Self::Task | Self::Person => Some(false),
            Self::ProjectCost | Self::TaskFees => Some(true),
            Self::None | Self::Unknown => None,
        }
    }
}

/// One row of `GET /v2/reports/project_budget`. Money budgets' figures are absent for tokens
/// without the rate-viewing permission.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct BudgetRow {
    pub project_id: u64,
    #[serde(default)]
    pub project_name: String,
    pub client_id: u64,
    #[serde(default)]
    pub budget_is_monthly: bool,
    #[serde(default = "no_budget")]
    pub budget_by: BudgetBy,
    #[serde(default)]
    pub is_active: bool,
    #[serde(default, deserialize_with = "optional_money")]
    pub budget: Option<Decimal>,
    #[serde(default, deserialize_with = "optional_money")]
    pub budget_spent: Option<Decimal>,
    #[serde(default, deserialize_with = "optional_money")]
    pub budget_remaining: Option<Decimal>,
}

fn no_budget() -> BudgetBy {
    BudgetBy::None
}

/// A project as `GET /v2/projects` lists it (for linking a portal project).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HarvestProject {
    pub id: u64,
    pub name: String,
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub is_active: bool,
    pub client: ProjectClient,
    #[serde(default = "no_budget")]
    pub budget_by: BudgetBy,
    #[serde(default)]
    pub budget_is_monthly: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProjectClient {
    pub id: u64,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub currency: Option<String>,
}

/// A payment as `GET /v2/invoices/{id}/payments` lists it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Payment {
    pub id: u64,
    #[serde(deserialize_with = "money")]
    pub amount: Decimal,
    #[serde(default)]
    pub paid_date: Option<time::Date>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub paid_at: Option<time::OffsetDateTime>,
    #[serde(default)]
    pub payment_gateway: Option<Gateway>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Gateway {
    #[serde(default)]
    pub name: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EstimateState {
    Draft,
    Sent,
    Accepted,
    Declined,
    /// A state Harvest may add later; never shown.
    #[serde(other)]
    Unknown,
}

/// An estimate as `GET /v2/estimates` lists it (the fields the portal uses).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Estimate {
    pub id: u64,
    #[serde(default)]
    pub client_key: String,
    #[serde(default)]
    pub number: String,
    #[serde(default)]
    pub purchase_order: Option<String>,
    #[serde(default, deserialize_with = "optional_money")]
    pub amount: Option<Decimal>,
    #[serde(default, deserialize_with = "optional_money")]
    pub tax_amount: Option<Decimal>,
    #[serde(default, deserialize_with = "optional_money")]
    pub tax2_amount: Option<Decimal>,
    #[serde(default, deserialize_with = "optional_money")]
    pub discount_amount: Option<Decimal>,
    #[serde(default)]
    pub subject: Option<String>,
    #[serde(default)]
    pub notes: Option<String>,
    #[serde(default)]
    pub currency: String,
    pub state: EstimateState,
    #[serde(default)]
    pub issue_date: Option<time::Date>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub sent_at: Option<time::OffsetDateTime>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub accepted_at: Option<time::OffsetDateTime>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub declined_at: Option<time::OffsetDateTime>,
    pub client: NamedRef,
    #[serde(default)]
    pub line_items: Vec<LineItem>,
}

/// What a client decides about a sent estimate (`event_type` of an estimate message).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EstimateEvent {
    Accept,
    Decline,
}

#[derive(Debug, Deserialize)]
struct Links {
    next: Option<String>,
}

#[derive(Debug, Deserialize)]
struct InvoicesPage {
    invoices: Vec<Invoice>,
    links: Links,
}

#[derive(Debug, Deserialize)]
struct ClientsPage {
    clients: Vec<HarvestClient>,
    links: Links,
}

/// One page of `GET /v2/invoices` as Harvest documents it: its invoices and the next page's
/// URL. (The client reads pages through the same types; this entry point is for the fuzzer.)
pub fn parse_invoices_page(body: &[u8]) -> Result<(Vec<Invoice>, Option<String>), HarvestError> {
    serde_json::from_slice::<InvoicesPage>(body)
        .map(Paged::into_parts)
        .map_err(|e| HarvestError::Malformed(e.to_string()))
}

trait Paged: DeserializeOwned {
    type Entry;
    fn into_parts(self) -> (Vec<Self::Entry>, Option<String>);
}

#[derive(Debug, Deserialize)]
struct ProjectsPage {
    projects: Vec<HarvestProject>,
    links: Links,
}

#[derive(Debug, Deserialize)]
struct BudgetPage {
    results: Vec<BudgetRow>,
    links: Links,
}

#[derive(Debug, Deserialize)]
struct PaymentsPage {
    invoice_payments: Vec<Payment>,
    links: Links,
}

#[derive(Debug, Deserialize)]
struct EstimatesPage {
    estimates: Vec<Estimate>,
    links: Links,
}

macro_rules! paged {
    ($page:ty, $field:ident, $entry:ty) => {
        impl Paged for $page {
            type Entry = $entry;
            fn into_parts(self) -> (Vec<$entry>, Option<String>) {
                (self.$field, self.links.next)
            }
        }
    };
}

paged!(ProjectsPage, projects, HarvestProject);
paged!(BudgetPage, results, BudgetRow);
paged!(PaymentsPage, invoice_payments, Payment);
paged!(EstimatesPage, estimates, Estimate);

impl Paged for InvoicesPage {
    type Entry = Invoice;
    fn into_parts(self) -> (Vec<Invoice>, Option<String>) {
        (self.invoices, self.links.next)
    }
}

impl Paged for ClientsPage {
    type Entry = HarvestClient;
    fn into_parts(self) -> (Vec<HarvestClient>, Option<String>) {
        (self.clients, self.links.next)
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum HarvestError {
    /// 429: do not call again before `retry_after`.
    #[error("Harvest rate limit; retry after {retry_after:?}")]
    RateLimited { retry_after: Duration },
    /// 5xx, timeout, connection failure.
    #[error("Harvest unavailable: {0}")]
    Unavailable(String),
    /// 401/403: the token or account id is wrong, or lacks invoice permission.
    #[error(
        "Harvest refused our credentials ({status}): check HARVEST_ACCESS_TOKEN, HARVEST_ACCOUNT_ID and the token's invoice permission"
    )]
    Unauthorized { status: u16 },
    /// 4xx on a write: Harvest will not do it (e.g. the estimate is no longer open).
    #[error("Harvest refused the change ({status}): {message}")]
    Rejected { status: u16, message: String },
    /// A body we cannot read, or a page link off Harvest's host.
    #[error("Harvest sent something unexpected: {0}")]
    Malformed(String),
}

const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

/// Most pages followed in one refresh (2000 invoices a page: a million invoices).
const MAX_PAGES: usize = 500;

#[derive(Clone)]
pub struct Harvest {
    /// Built on first use: loading the TLS roots costs ~3 ms, which most cold starts (every
    /// function but invoices and admin, and those on most requests) never need.
    http: Arc<OnceLock<reqwest::Client>>,
    request_timeout: Duration,
    base_url: String,
    token: String,
    account_id: String,
    user_agent: String,
}

impl std::fmt::Debug for Harvest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Harvest")
            .field("base_url", &self.base_url)
            .field("token", &"<redacted>")
            .finish_non_exhaustive()
    }
}

impl Harvest {
    /// No network, and no HTTP client yet: both wait for the first call.
    pub fn new(config: &HarvestConfig) -> Self {
        Self {
            http: Arc::new(OnceLock::new()),
            request_timeout: config.request_timeout,
            base_url: config.base_url.trim_end_matches('/').to_owned(),
            token: config.access_token.clone(),
            account_id: config.account_id.clone(),
            user_agent: config.user_agent.clone(),
        }
    }

    /// The account the token acts for (the budget report's cache is per account).
    pub fn account_id(&self) -> &str {
        &self.account_id
    }

    /// Every invoice of one Harvest client, all pages, drafts included (callers filter).
    pub async fn invoices(&self, harvest_client_id: u64) -> Result<Vec<Invoice>, HarvestError> {
        let first = format!("{}/v2/invoices?client_id={harvest_client_id}&per_page=2000", self.base_url);
        self.all_pages::<InvoicesPage>(first).await
    }

    /// Every client of the Harvest account.
    pub async fn clients(&self) -> Result<Vec<HarvestClient>, HarvestError> {
        self.all_pages::<ClientsPage>(format!("{}/v2/clients?per_page=2000", self.base_url)).await
    }

    pub async fn company(&self) -> Result<Company, HarvestError> {
        self.get_json(&format!("{}/v2/company", self.base_url)).await
    }

    /// The active projects of one Harvest client (for linking a portal project).
    pub async fn projects(&self, harvest_client_id: u64) -> Result<Vec<HarvestProject>, HarvestError> {
        let first = format!("{}/v2/projects?client_id={harvest_client_id}&is_active=true&per_page=2000", self.base_url);
        self.all_pages::<ProjectsPage>(first).await
    }

    /// The project budget report: every budgeted project of the account in one call (a page
    /// holds 2000). Reports are limited to 100 requests per 15 minutes, so callers cache it.
    pub async fn project_budgets(&self) -> Result<Vec<BudgetRow>, HarvestError> {
        self.all_pages::<BudgetPage>(format!("{}/v2/reports/project_budget?per_page=2000", self.base_url)).await
    }

    /// The payments recorded against one invoice.
    pub async fn payments(&self, invoice_id: u64) -> Result<Vec<Payment>, HarvestError> {
        let first = format!("{}/v2/invoices/{invoice_id}/payments?per_page=2000", self.base_url);
        self.all_pages::<PaymentsPage>(first).await
    }

    /// Every estimate of one Harvest client, drafts included (callers filter).
    pub async fn estimates(&self, harvest_client_id: u64) -> Result<Vec<Estimate>, HarvestError> {
        let first = format!("{}/v2/estimates?client_id={harvest_client_id}&per_page=2000", self.base_url);
        self.all_pages::<EstimatesPage>(first).await
    }

    /// Marks a sent estimate accepted or declined: `POST /v2/estimates/{id}/messages` with the
    /// `event_type` alone, as Harvest documents it. One attempt, never retried here: a retry
    /// after a lost answer could record the decision twice.
    pub async fn decide_estimate(&self, estimate_id: u64, event: EstimateEvent) -> Result<(), HarvestError> {
        let url = format!("{}/v2/estimates/{estimate_id}/messages", self.base_url);
        let response = self
            .authorised(self.client()?.post(&url))
            .json(&serde_json::json!({ "event_type": event }))
            .send()
            .await
            .map_err(|e| HarvestError::Unavailable(describe(e)))?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        if let Some(error) = Self::failure(&response, &url) {
            return Err(error);
        }
        let body = response.text().await.unwrap_or_default();
        let message = serde_json::from_str::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| v.get("message").and_then(|m| m.as_str()).map(str::to_owned))
            .unwrap_or_else(|| format!("HTTP {status}"));
        Err(HarvestError::Rejected { status: status.as_u16(), message })
    }

    async fn all_pages<P: Paged>(&self, first: String) -> Result<Vec<P::Entry>, HarvestError> {
        let mut entries = Vec::new();
        let mut next = Some(first);
        let mut pages = 0;
        while let Some(url) = next {
            pages += 1;
            if pages > MAX_PAGES {
                return Err(HarvestError::Malformed(format!("more than {MAX_PAGES} pages")));
            }
            let page: P = self.get_json(&url).await?;
            let (mut batch, link) = page.into_parts();
            entries.append(&mut batch);
            next = match link {
                Some(link) if link.starts_with(&format!("{}/", self.base_url)) => Some(link),
                Some(link) => return Err(HarvestError::Malformed(format!("next page is off Harvest's host: {link}"))),
                None => None,
            };
        }
        Ok(entries)
    }

    fn client(&self) -> Result<&reqwest::Client, HarvestError> {
        if let Some(client) = self.http.get() {
            return Ok(client);
        }
        let client = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(self.request_timeout)
            .https_only(self.base_url.starts_with("https://"))
            .build()
            .map_err(|e| HarvestError::Unavailable(format!("HTTP client: {e}")))?;
        Ok(self.http.get_or_init(|| client))
    }

    fn authorised(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        request
            .bearer_auth(&self.token)
            .header("Harvest-Account-Id", &self.account_id)
            .header(reqwest::header::USER_AGENT, &self.user_agent)
            .header(reqwest::header::ACCEPT, "application/json")
    }

    /// The failures every call shares: 429 (with `Retry-After`), 401/403, 5xx. `None` for a
    /// success or another 4xx (which only writes expect).
    fn failure(response: &reqwest::Response, url: &str) -> Option<HarvestError> {
        let status = response.status();
        if status == reqwest::StatusCode::TOO_MANY_REQUESTS {
            let retry_after = response
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .unwrap_or(15);
            return Some(HarvestError::RateLimited { retry_after: Duration::from_secs(retry_after.clamp(1, 3600)) });
        }
        if status == reqwest::StatusCode::UNAUTHORIZED || status == reqwest::StatusCode::FORBIDDEN {
            return Some(HarvestError::Unauthorized { status: status.as_u16() });
        }
        if status.is_server_error() {
            return Some(HarvestError::Unavailable(format!("HTTP {status} from {}", redact(url))));
        }
        None
    }

    async fn get_json<T: DeserializeOwned>(&self, url: &str) -> Result<T, HarvestError> {
        let response = self
            .authorised(self.client()?.get(url))
            .send()
            .await
            .map_err(|e| HarvestError::Unavailable(describe(e)))?;
        if let Some(error) = Self::failure(&response, url) {
            return Err(error);
        }
        let status = response.status();
        if !status.is_success() {
            return Err(HarvestError::Unavailable(format!("HTTP {status} from {}", redact(url))));
        }
        let body = response.bytes().await.map_err(|e| HarvestError::Unavailable(describe(e)))?;
        serde_json::from_slice(&body).map_err(|e| HarvestError::Malformed(format!("{e} (from {})", redact(url))))
    }
}

fn describe(error: reqwest::Error) -> String {
    let kind = if error.is_timeout() {
        "timeout"
    } else if error.is_connect() {
        "connection failed"
    } else {
        "request failed"
    };
    format!("{kind}: {}", error.without_url())
}

/// URLs are logged without their query (client ids are not secret, but keep logs lean).
fn redact(url: &str) -> &str {
    url.split('?').next().unwrap_or(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = include_str!("../../../testdata/harvest/invoices_page.json");

    #[test]
    fn documented_page_parses_with_exact_money() {
        let page: InvoicesPage = serde_json::from_str(PAGE).unwrap();
        assert_eq!(page.invoices.len(), 2);
        let first = &page.invoices[0];
        assert_eq!(first.amount, Decimal::from_str("288.9").unwrap());
        assert_eq!(first.due_amount.to_string(), "288.9");
        assert_eq!(first.state, InvoiceState::Open);
        assert_eq!(first.client.id, 5735776);
        assert_eq!(first.line_items.len(), 2);
        assert_eq!(first.line_items[0].amount, Decimal::from(200));
        assert!(page.links.next.is_none());
    }

    #[test]
    fn documented_budget_projects_payments_and_estimates_parse() {
        let budgets: BudgetPage =
            serde_json::from_str(include_str!("../../../testdata/harvest/project_budget_report.json")).unwrap();
        assert_eq!(budgets.results[0].budget_by, BudgetBy::Project);
        assert_eq!(budgets.results[0].budget_remaining, Some(Decimal::from(196)));
        let projects: ProjectsPage =
            serde_json::from_str(include_str!("../../../testdata/harvest/projects_page.json")).unwrap();
        assert_eq!(projects.projects[0].client.currency.as_deref(), Some("EUR"));
        let payments: PaymentsPage =
            serde_json::from_str(include_str!("../../../testdata/harvest/invoice_payments_page.json")).unwrap();
        assert_eq!(payments.invoice_payments[0].amount.to_string(), "10700.0");
        assert_eq!(
            payments.invoice_payments[0].payment_gateway.as_ref().unwrap().name.as_deref(),
            Some("Linkpoint International")
        );
        let estimates: EstimatesPage =
            serde_json::from_str(include_str!("../../../testdata/harvest/estimates_page.json")).unwrap();
        assert_eq!(estimates.estimates[0].state, EstimateState::Sent);
        assert_eq!(estimates.estimates[1].state, EstimateState::Accepted);
        assert!(estimates.estimates[1].accepted_at.is_some());
        assert_eq!(estimates.estimates[0].line_items[0].quantity, Decimal::from(100));
    }

    #[test]
    fn money_fields_a_token_may_not_see_are_simply_absent() {
        let row: BudgetRow = serde_json::from_str(
            r#"{"project_id": 1, "client_id": 2, "budget_by": "project_cost", "budget_is_monthly": true, "budget_spent": null}"#,
        )
        .unwrap();
        assert_eq!((row.budget, row.budget_spent, row.budget_remaining), (None, None, None));
        assert!(row.budget_is_monthly);
        assert_eq!(row.budget_by.is_money(), Some(true));
        let odd: BudgetRow =
            serde_json::from_str(r#"{"project_id": 1, "client_id": 2, "budget_by": "galaxies"}"#).unwrap();
        assert_eq!(odd.budget_by.is_money(), None);
    }

    #[test]
    fn money_is_exact_where_floats_are_not() {
        #[derive(Deserialize)]
        struct M {
            #[serde(deserialize_with = "money")]
            v: Decimal,
        }
        let sum: Decimal =
            ["0.1", "0.2"].iter().map(|n| serde_json::from_str::<M>(&format!("{{\"v\":{n}}}")).unwrap().v).sum();
        assert_eq!(sum.to_string(), "0.3");
        let big: M = serde_json::from_str(r#"{"v": 12345678901234.57}"#).unwrap();
        assert_eq!(big.v.to_string(), "12345678901234.57");
        assert!(serde_json::from_str::<M>(r#"{"v": "abc"}"#).is_err());
    }

    #[test]
    fn unknown_fields_and_states_are_tolerated() {
        let mut value: serde_json::Value = serde_json::from_str(PAGE).unwrap();
        value["invoices"][0]["brand_new_field"] = serde_json::json!({"x": 1});
        value["invoices"][0]["state"] = serde_json::json!("disputed");
        let page: InvoicesPage = serde_json::from_str(&value.to_string()).unwrap();
        assert_eq!(page.invoices[0].state, InvoiceState::Unknown);
    }
}
