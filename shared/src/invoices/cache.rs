//! The invoice cache: a per-client snapshot of the client's invoices, read through the lease
//! (`lease`), and the errors every billing read shares.

use std::time::Duration;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::Date;

use super::harvest::{self, Harvest, HarvestError, InvoiceState};
use super::lease::{Unserved, through_lease};
use crate::domain::{ClientId, Error};
use crate::store::{CacheKey, Store};

/// What the invoice features need beside the table: the Harvest client (`None` when Harvest is
/// not configured) and how long a cached copy counts as fresh. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Billing {
    pub harvest: Option<Harvest>,
    pub cache_ttl: Duration,
    /// Who billing news is from ("{agency} issued invoice …").
    pub agency: std::sync::Arc<str>,
}

impl Billing {
    /// What the account-wide caches (the budget report) are kept for: the Harvest account.
    pub fn account_scope(&self) -> u64 {
        self.harvest.as_ref().and_then(|h| h.account_id().parse().ok()).unwrap_or(0)
    }
}

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

impl From<harvest::LineItem> for CachedLineItem {
    fn from(l: harvest::LineItem) -> Self {
        Self {
            kind: l.kind,
            description: l.description,
            quantity: l.quantity,
            unit_price: l.unit_price,
            amount: l.amount,
        }
    }
}

/// The cache payload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InvoiceSnapshot {
    /// `{subdomain}.harvestapp.com`, for the client-facing links.
    pub full_domain: String,
    /// Newest first; drafts and unknown states already removed.
    pub invoices: Vec<CachedInvoice>,
    /// Overdue invoices already announced (each is announced once).
    #[serde(default)]
    pub announced_overdue: Vec<u64>,
}

impl InvoiceSnapshot {
    /// Keeps what clients may see, for this Harvest client only (belt and braces: the API
    /// was asked for this client, but a wrong answer must not leak another's invoices).
    pub fn from_harvest(harvest_client_id: u64, full_domain: String, invoices: Vec<harvest::Invoice>) -> Self {
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
                line_items: i.line_items.into_iter().map(CachedLineItem::from).collect(),
            })
            .collect();
        invoices.sort_by(|a, b| b.issue_date.cmp(&a.issue_date).then(b.id.cmp(&a.id)));
        Self { full_domain, invoices, announced_overdue: Vec::new() }
    }
}

/// What the invoice routes work from.
#[derive(Debug, Clone)]
pub enum Invoices {
    /// The client has no Harvest link: nothing to bill here.
    NotLinked,
    Available {
        snapshot: InvoiceSnapshot,
        fetched_at: i64,
        stale: bool,
    },
}

fn unavailable() -> Error {
    Error::DependencyUnavailable {
        code: "invoices_unavailable",
        message: "Invoices cannot be loaded from the billing system right now. Try again in a few minutes.".into(),
    }
}

/// The error of a billing read Harvest refused: the operator must fix the connection.
pub(crate) fn misconfigured() -> Error {
    Error::DependencyRefused {
        code: "harvest_misconfigured",
        message:
            "Billing is unavailable because the connection to Harvest is misconfigured. The agency has been alerted."
                .into(),
    }
}

/// Maps "nothing to serve" to the feature's error (`unavailable` names what is missing).
pub(crate) fn unserved(failure: Unserved, unavailable: impl FnOnce() -> Error) -> Error {
    match failure {
        Unserved::Unavailable => unavailable(),
        Unserved::Refused => misconfigured(),
        Unserved::Store(error) => error,
    }
}

/// The Harvest client, or the error of a portal linked to Harvest with no credentials set.
pub(crate) fn connected(billing: &Billing) -> Result<&Harvest, Error> {
    billing.harvest.as_ref().ok_or_else(|| {
        tracing::error!("a client is linked to Harvest but HARVEST_ACCESS_TOKEN/HARVEST_ACCOUNT_ID are not configured");
        misconfigured()
    })
}

/// Loads a client's invoices: fresh from the cache, or refreshed from Harvest by whoever wins
/// the lease, or the last good copy marked stale, or 503 when there is nothing at all.
pub async fn load(store: &Store, billing: &Billing, client_id: ClientId) -> Result<Invoices, Error> {
    // The client (for its Harvest link) and the cache in parallel: one round trip when fresh.
    let key = CacheKey::invoices(client_id);
    let (client, record) = tokio::try_join!(store.get_client(client_id), store.get_cache(&key))?;
    let client = client.ok_or(Error::Unauthenticated)?;
    let Some(harvest_client_id) = client.harvest_client_id else { return Ok(Invoices::NotLinked) };
    let harvest = connected(billing)?;
    let fetch = |previous: Option<InvoiceSnapshot>| async move {
        let mut snapshot = fetch(harvest, harvest_client_id, previous.as_ref().map(|p| p.full_domain.clone())).await?;
        let (news, overdue) =
            super::news::invoice_news(previous.as_ref(), &snapshot, super::news::today(), &billing.agency);
        snapshot.announced_overdue = overdue;
        super::news::announce(store, client_id, &billing.agency, news).await;
        Ok(snapshot)
    };
    let cached = through_lease(store, &key, harvest_client_id, billing.cache_ttl, record, fetch)
        .await
        .map_err(|failure| unserved(failure, unavailable))?;
    Ok(Invoices::Available { snapshot: cached.data, fetched_at: cached.fetched_at, stale: cached.stale })
}

/// The account's `{subdomain}.harvestapp.com`: the one already known, or asked of Harvest.
pub(crate) async fn full_domain(harvest: &Harvest, known: Option<String>) -> Result<String, HarvestError> {
    match known {
        Some(domain) => Ok(domain),
        None => harvest.company().await.map(|c| c.full_domain),
    }
}

async fn fetch(
    harvest: &Harvest,
    harvest_client_id: u64,
    known_domain: Option<String>,
) -> Result<InvoiceSnapshot, HarvestError> {
    let (full_domain, invoices) =
        tokio::try_join!(full_domain(harvest, known_domain), harvest.invoices(harvest_client_id))?;
    Ok(InvoiceSnapshot::from_harvest(harvest_client_id, full_domain, invoices))
}
