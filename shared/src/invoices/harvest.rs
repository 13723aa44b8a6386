//! Harvest API v2: invoices for a client, the account's company (for the client-facing invoice
//! link) and the client list (for admins linking portal clients to Harvest clients).
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

    async fn get_json<T: DeserializeOwned>(&self, url: &str) -> Result<T, HarvestError> {
        let response = self
            .client()?
            .get(url)
            .bearer_auth(&self.token)
            .header("Harvest-Account-Id", &self.account_id)
            .header(reqwest::header::USER_AGENT, &self.user_agent)
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(|e| HarvestError::Unavailable(describe(e)))?;
        let status = response.status();
        if status == reqwest::StatusCode::TOO_MANY_REQUESTS {
            let retry_after = response
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .unwrap_or(15);
            return Err(HarvestError::RateLimited { retry_after: Duration::from_secs(retry_after.clamp(1, 3600)) });
        }
        if status == reqwest::StatusCode::UNAUTHORIZED || status == reqwest::StatusCode::FORBIDDEN {
            return Err(HarvestError::Unauthorized { status: status.as_u16() });
        }
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
