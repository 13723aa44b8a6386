//! The invoice cache: a per-client snapshot that one Lambda at a time refreshes from Harvest
//! (under a lease), served stale when Harvest is slow, down or rate-limiting us.

use std::io::{Read, Write};
use std::time::Duration;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

use super::harvest::{self, Harvest, HarvestError, InvoiceState};
use crate::domain::{ClientId, Error};
use crate::store::{InvoiceCacheRecord, Store};

/// What the invoice features need beside the table: the Harvest client (`None` when Harvest is
/// not configured) and how long a cached copy counts as fresh. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Billing {
    pub harvest: Option<Harvest>,
    pub cache_ttl: Duration,
}

/// How long a refresher may hold the lease before another may take over.
const LEASE_SECS: i64 = 15;
/// How long a request with nothing to show waits for another's refresh.
const WAIT_FOR_REFRESH: Duration = Duration::from_secs(4);
const POLL_EVERY: Duration = Duration::from_millis(200);

/// One invoice as cached: what the portal shows, nothing more.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CachedInvoice {
    pub id: u64,
    pub number: String,
    pub subject: Option<String>,
    pub notes: Option<String>,
    pub state: InvoiceState,
    pub issue_date: Date,
    pub due_date: Option<Date>,
    pub paid_date: Option<Date>,
    pub period_start: Option<Date>,
    pub period_end: Option<Date>,
    pub payment_term: Option<String>,
    pub currency: String,
    pub amount: Decimal,
    pub due_amount: Decimal,
    pub tax_amount: Decimal,
    pub tax2_amount: Decimal,
    pub discount_amount: Decimal,
    /// Secret: whoever holds it can open the invoice on Harvest.
    pub client_key: String,
    pub line_items: Vec<CachedLineItem>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CachedLineItem {
    pub kind: String,
    pub description: String,
    pub quantity: Decimal,
    pub unit_price: Decimal,
    pub amount: Decimal,
}

/// The cache payload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InvoiceSnapshot {
    pub harvest_client_id: u64,
    /// `{subdomain}.harvestapp.com`, for the client-facing links.
    pub full_domain: String,
    pub fetched_at: i64,
    /// Newest first; drafts and unknown states already removed.
    pub invoices: Vec<CachedInvoice>,
}

impl InvoiceSnapshot {
    /// Keeps what clients may see, for this Harvest client only (belt and braces: the API
    /// was asked for this client, but a wrong answer must not leak another's invoices).
    pub fn from_harvest(
        harvest_client_id: u64,
        full_domain: String,
        fetched_at: i64,
        invoices: Vec<harvest::Invoice>,
    ) -> Self {
        let mut invoices: Vec<CachedInvoice> = invoices
            .into_iter()
            .filter(|i| i.client.id == harvest_client_id)
            .filter(|i| matches!(i.state, InvoiceState::Open | InvoiceState::Paid | InvoiceState::Closed))
            .map(|i| CachedInvoice {
                id: i.id,
                number: i.number,
                subject: i.subject.filter(|s| !s.is_empty()),
                notes: i.notes.filter(|s| !s.is_empty()),
                state: i.state,
                issue_date: i.issue_date,
                due_date: i.due_date,
                paid_date: i.paid_date,
                period_start: i.period_start,
                period_end: i.period_end,
                payment_term: i.payment_term,
                currency: i.currency,
                amount: i.amount,
                due_amount: i.due_amount,
                tax_amount: i.tax_amount,
                tax2_amount: i.tax2_amount,
                discount_amount: i.discount_amount,
                client_key: i.client_key,
                line_items: i
                    .line_items
                    .into_iter()
                    .map(|l| CachedLineItem {
                        kind: l.kind,
                        description: l.description,
                        quantity: l.quantity,
                        unit_price: l.unit_price,
                        amount: l.amount,
                    })
                    .collect(),
            })
            .collect();
        invoices.sort_by(|a, b| b.issue_date.cmp(&a.issue_date).then(b.id.cmp(&a.id)));
        Self { harvest_client_id, full_domain, fetched_at, invoices }
    }

    pub fn encode(&self) -> Result<Vec<u8>, Error> {
        let json = serde_json::to_vec(self).map_err(Error::internal)?;
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(&json).map_err(Error::internal)?;
        encoder.finish().map_err(Error::internal)
    }

    pub fn decode(bytes: &[u8]) -> Option<Self> {
        let mut json = Vec::new();
        flate2::read::GzDecoder::new(bytes).take(64 * 1024 * 1024).read_to_end(&mut json).ok()?;
        serde_json::from_slice(&json).ok()
    }
}

/// What the invoice routes work from.
#[derive(Debug, Clone)]
pub enum Invoices {
    /// The client has no Harvest link: nothing to bill here.
    NotLinked,
    Available {
        snapshot: InvoiceSnapshot,
        stale: bool,
    },
}

fn now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

fn unavailable() -> Error {
    Error::DependencyUnavailable {
        code: "invoices_unavailable",
        message: "Invoices cannot be loaded from the billing system right now. Try again in a few minutes.".into(),
    }
}

fn misconfigured() -> Error {
    Error::DependencyRefused {
        code: "harvest_misconfigured",
        message:
            "Invoices are unavailable because the billing connection is misconfigured. The agency has been alerted."
                .into(),
    }
}

/// Loads a client's invoices: fresh from the cache, or refreshed from Harvest by whoever wins
/// the lease, or the last good copy marked stale, or 503 when there is nothing at all.
pub async fn load(store: &Store, billing: &Billing, client_id: ClientId) -> Result<Invoices, Error> {
    // The client (for its Harvest link) and the cache in parallel: one round trip when fresh.
    let (client, cache) = tokio::try_join!(store.get_client(client_id), store.get_invoice_cache(client_id))?;
    let client = client.ok_or(Error::Unauthenticated)?;
    let Some(harvest_client_id) = client.harvest_client_id else { return Ok(Invoices::NotLinked) };
    let Some(harvest) = &billing.harvest else {
        tracing::error!(%client_id, "client is linked to Harvest but HARVEST_ACCESS_TOKEN/HARVEST_ACCOUNT_ID are not configured");
        return Err(misconfigured());
    };
    let ttl = i64::try_from(billing.cache_ttl.as_secs()).unwrap_or(300);
    let cached = usable(&cache, harvest_client_id);
    let now = now();
    if let Some(snapshot) = &cached
        && now - snapshot.fetched_at < ttl
    {
        return Ok(Invoices::Available { snapshot: snapshot.clone(), stale: false });
    }
    if cache.retry_not_before.is_some_and(|at| at > now) {
        return stale_or_unavailable(cached);
    }
    let owner = ulid::Ulid::new().to_string();
    let acquired =
        store.try_acquire_invoice_lease(client_id, &owner, now, LEASE_SECS, harvest_client_id, now - ttl).await?;
    if !acquired {
        // Someone refreshed since we looked, or is refreshing now.
        let latest = usable(&store.get_invoice_cache(client_id).await?, harvest_client_id);
        if let Some(snapshot) = latest.filter(|s| now - s.fetched_at < ttl) {
            return Ok(Invoices::Available { snapshot, stale: false });
        }
        if cached.is_some() {
            return stale_or_unavailable(cached);
        }
        return wait_for_refresh(store, client_id, harvest_client_id).await;
    }
    let previous_domain = cached.as_ref().map(|s| s.full_domain.clone());
    match fetch(harvest, harvest_client_id, previous_domain).await {
        Ok(snapshot) => {
            store.save_invoice_cache(client_id, harvest_client_id, snapshot.encode()?, snapshot.fetched_at).await?;
            Ok(Invoices::Available { snapshot, stale: false })
        }
        Err(error) => {
            let retry_not_before = match &error {
                HarvestError::RateLimited { retry_after } => {
                    Some(now + i64::try_from(retry_after.as_secs()).unwrap_or(60))
                }
                _ => None,
            };
            store.release_invoice_lease(client_id, &owner, retry_not_before).await?;
            match error {
                HarvestError::Unauthorized { status } => {
                    tracing::error!(status, %client_id, "Harvest refused the credentials: check HARVEST_ACCESS_TOKEN and HARVEST_ACCOUNT_ID, and that the token's user may list invoices");
                    Err(misconfigured())
                }
                other => {
                    tracing::warn!(error = %other, %client_id, "Harvest refresh failed; serving the last good copy if there is one");
                    stale_or_unavailable(cached)
                }
            }
        }
    }
}

fn usable(cache: &InvoiceCacheRecord, harvest_client_id: u64) -> Option<InvoiceSnapshot> {
    cache
        .payload
        .as_deref()
        .and_then(InvoiceSnapshot::decode)
        .filter(|snapshot| snapshot.harvest_client_id == harvest_client_id)
}

fn stale_or_unavailable(cached: Option<InvoiceSnapshot>) -> Result<Invoices, Error> {
    cached.map(|snapshot| Invoices::Available { snapshot, stale: true }).ok_or_else(unavailable)
}

async fn wait_for_refresh(store: &Store, client_id: ClientId, harvest_client_id: u64) -> Result<Invoices, Error> {
    let deadline = tokio::time::Instant::now() + WAIT_FOR_REFRESH;
    while tokio::time::Instant::now() < deadline {
        tokio::time::sleep(POLL_EVERY).await;
        let cache = store.get_invoice_cache(client_id).await?;
        if let Some(snapshot) = usable(&cache, harvest_client_id) {
            return Ok(Invoices::Available { snapshot, stale: false });
        }
        if cache.lease_until.is_none() {
            // The refresher gave up (Harvest failed) and nothing was cached.
            break;
        }
    }
    Err(unavailable())
}

async fn fetch(
    harvest: &Harvest,
    harvest_client_id: u64,
    known_domain: Option<String>,
) -> Result<InvoiceSnapshot, HarvestError> {
    let domain = async {
        match known_domain {
            Some(domain) => Ok(domain),
            None => harvest.company().await.map(|c| c.full_domain),
        }
    };
    let (full_domain, invoices) = tokio::try_join!(domain, harvest.invoices(harvest_client_id))?;
    Ok(InvoiceSnapshot::from_harvest(harvest_client_id, full_domain, now(), invoices))
}
