//! Invoices from Harvest, as a client sees them: never drafts, never another client's, served
//! from a per-client cache that one Lambda at a time refreshes, and from the last good copy
//! (marked `stale`) when Harvest is slow, down or rate-limiting us.

use std::io::{Read, Write};
use std::time::Duration;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

use crate::app::AppState;
use crate::domain::ClientId;
use crate::error::ApiError;
use crate::harvest::{self, Harvest, HarvestError, InvoiceState};
use crate::pagination::CursorKey;
use crate::store::InvoiceCacheRecord;

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

    pub fn encode(&self) -> Result<Vec<u8>, ApiError> {
        let json = serde_json::to_vec(self).map_err(ApiError::internal)?;
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(&json).map_err(ApiError::internal)?;
        encoder.finish().map_err(ApiError::internal)
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

fn unavailable() -> ApiError {
    ApiError::Unavailable {
        code: "invoices_unavailable",
        message: "Invoices cannot be loaded from the billing system right now. Try again in a few minutes.".into(),
    }
}

fn misconfigured() -> ApiError {
    ApiError::BadGateway {
        code: "harvest_misconfigured",
        message:
            "Invoices are unavailable because the billing connection is misconfigured. The agency has been alerted."
                .into(),
    }
}

/// Loads a client's invoices: fresh from the cache, or refreshed from Harvest by whoever wins
/// the lease, or the last good copy marked stale, or 503 when there is nothing at all.
pub async fn load(state: &AppState, client_id: ClientId) -> Result<Invoices, ApiError> {
    // The client (for its Harvest link) and the cache in parallel: one round trip when fresh.
    let (client, cache) =
        tokio::try_join!(state.store.get_client(client_id), state.store.get_invoice_cache(client_id))?;
    let client = client.ok_or(ApiError::Unauthenticated)?;
    let Some(harvest_client_id) = client.harvest_client_id else { return Ok(Invoices::NotLinked) };
    let Some(harvest) = &state.harvest else {
        tracing::error!(%client_id, "client is linked to Harvest but HARVEST_ACCESS_TOKEN/HARVEST_ACCOUNT_ID are not configured");
        return Err(misconfigured());
    };
    let ttl = i64::try_from(state.config.invoice_cache_ttl.as_secs()).unwrap_or(300);
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
        state.store.try_acquire_invoice_lease(client_id, &owner, now, LEASE_SECS, harvest_client_id, now - ttl).await?;
    if !acquired {
        // Someone refreshed since we looked, or is refreshing now.
        let latest = usable(&state.store.get_invoice_cache(client_id).await?, harvest_client_id);
        if let Some(snapshot) = latest.filter(|s| now - s.fetched_at < ttl) {
            return Ok(Invoices::Available { snapshot, stale: false });
        }
        if cached.is_some() {
            return stale_or_unavailable(cached);
        }
        return wait_for_refresh(state, client_id, harvest_client_id).await;
    }
    let previous_domain = cached.as_ref().map(|s| s.full_domain.clone());
    match fetch(harvest, harvest_client_id, previous_domain).await {
        Ok(snapshot) => {
            state
                .store
                .save_invoice_cache(client_id, harvest_client_id, snapshot.encode()?, snapshot.fetched_at)
                .await?;
            Ok(Invoices::Available { snapshot, stale: false })
        }
        Err(error) => {
            let retry_not_before = match &error {
                HarvestError::RateLimited { retry_after } => {
                    Some(now + i64::try_from(retry_after.as_secs()).unwrap_or(60))
                }
                _ => None,
            };
            state.store.release_invoice_lease(client_id, &owner, retry_not_before).await?;
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

fn stale_or_unavailable(cached: Option<InvoiceSnapshot>) -> Result<Invoices, ApiError> {
    cached.map(|snapshot| Invoices::Available { snapshot, stale: true }).ok_or_else(unavailable)
}

async fn wait_for_refresh(state: &AppState, client_id: ClientId, harvest_client_id: u64) -> Result<Invoices, ApiError> {
    let deadline = tokio::time::Instant::now() + WAIT_FOR_REFRESH;
    while tokio::time::Instant::now() < deadline {
        tokio::time::sleep(POLL_EVERY).await;
        let cache = state.store.get_invoice_cache(client_id).await?;
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

// ----- views -------------------------------------------------------------------------------

/// Money as an exact decimal string with two places, e.g. `"288.90"`.
pub fn money(amount: Decimal) -> String {
    format!("{:.2}", amount.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StateFilter {
    Open,
    Paid,
    All,
}

#[derive(Debug, Serialize)]
pub struct InvoiceView {
    pub id: u64,
    pub number: String,
    pub subject: Option<String>,
    pub issue_date: Date,
    pub due_date: Option<Date>,
    pub paid_date: Option<Date>,
    pub currency: String,
    pub amount: String,
    pub due_amount: String,
    /// `open`, `paid` or `closed`.
    pub state: InvoiceState,
    /// Open and past its due date.
    pub overdue: bool,
    /// Open with part of the amount paid.
    pub partially_paid: bool,
    /// Harvest's client-facing page, where the invoice can be viewed and paid.
    pub view_url: String,
}

#[derive(Debug, Serialize)]
pub struct LineItemView {
    pub kind: String,
    pub description: String,
    pub quantity: String,
    pub unit_price: String,
    pub amount: String,
}

#[derive(Debug, Serialize)]
pub struct InvoiceDetailView {
    #[serde(flatten)]
    pub invoice: InvoiceView,
    pub notes: Option<String>,
    pub period_start: Option<Date>,
    pub period_end: Option<Date>,
    pub payment_term: Option<String>,
    pub tax_amount: String,
    pub tax2_amount: String,
    pub discount_amount: String,
    pub line_items: Vec<LineItemView>,
    pub pdf_url: String,
    pub stale: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub fetched_at: OffsetDateTime,
}

fn view(invoice: &CachedInvoice, full_domain: &str, today: Date) -> InvoiceView {
    let open = invoice.state == InvoiceState::Open;
    InvoiceView {
        id: invoice.id,
        number: invoice.number.clone(),
        subject: invoice.subject.clone(),
        issue_date: invoice.issue_date,
        due_date: invoice.due_date,
        paid_date: invoice.paid_date,
        currency: invoice.currency.clone(),
        amount: money(invoice.amount),
        due_amount: money(invoice.due_amount),
        state: invoice.state,
        overdue: open && invoice.due_date.is_some_and(|due| due < today),
        partially_paid: open && invoice.due_amount > Decimal::ZERO && invoice.due_amount < invoice.amount,
        view_url: format!("https://{full_domain}/client/invoices/{}", invoice.client_key),
    }
}

#[derive(Debug, Serialize)]
pub struct InvoiceList {
    pub billing_linked: bool,
    pub stale: bool,
    #[serde(with = "time::serde::rfc3339::option")]
    pub fetched_at: Option<OffsetDateTime>,
    pub items: Vec<InvoiceView>,
    pub next_cursor: Option<String>,
}

/// Open totals per currency (never summed across currencies) and what is due next.
#[derive(Debug, Serialize)]
pub struct InvoiceSummary {
    pub billing_linked: bool,
    /// False when Harvest could not be reached and nothing was cached.
    pub available: bool,
    pub stale: bool,
    pub open_totals: Vec<CurrencyAmount>,
    pub next_due_date: Option<Date>,
    pub open_count: u32,
    pub overdue_count: u32,
}

#[derive(Debug, Serialize)]
pub struct CurrencyAmount {
    pub currency: String,
    pub amount: String,
}

fn scope(client: ClientId, filter: StateFilter) -> String {
    format!("invoices|{client}|{filter:?}")
}

fn matches(filter: StateFilter, state: InvoiceState) -> bool {
    match filter {
        StateFilter::All => true,
        StateFilter::Open => state == InvoiceState::Open,
        StateFilter::Paid => state == InvoiceState::Paid,
    }
}

/// A page of the client's invoices. The cursor is an offset into the cached list, sealed like
/// every cursor; a refresh between pages can shift it by the invoices added meanwhile.
pub async fn list(
    state: &AppState,
    client: ClientId,
    filter: StateFilter,
    limit: Option<&str>,
    cursor: Option<&str>,
) -> Result<InvoiceList, ApiError> {
    let scope = scope(client, filter);
    let limit = crate::pagination::PageRequest::parse(limit, None, &state.cursors, &scope)?.limit;
    let offset = cursor.map(|c| open_offset(&state.cursors, &scope, c)).transpose()?.unwrap_or(0);
    let (snapshot, stale) = match load(state, client).await? {
        Invoices::NotLinked => {
            return Ok(InvoiceList {
                billing_linked: false,
                stale: false,
                fetched_at: None,
                items: vec![],
                next_cursor: None,
            });
        }
        Invoices::Available { snapshot, stale } => (snapshot, stale),
    };
    let today = OffsetDateTime::now_utc().date();
    let matching: Vec<&CachedInvoice> = snapshot.invoices.iter().filter(|i| matches(filter, i.state)).collect();
    let size = usize::try_from(limit).unwrap_or(25);
    let end = (offset + size).min(matching.len());
    let items =
        matching.get(offset..end).unwrap_or_default().iter().map(|i| view(i, &snapshot.full_domain, today)).collect();
    let next_cursor = (end < matching.len()).then(|| seal_offset(&state.cursors, &scope, end)).transpose()?;
    Ok(InvoiceList {
        billing_linked: true,
        stale,
        fetched_at: OffsetDateTime::from_unix_timestamp(snapshot.fetched_at).ok(),
        items,
        next_cursor,
    })
}

fn seal_offset(key: &CursorKey, scope: &str, offset: usize) -> Result<String, ApiError> {
    let item = crate::store::Item::from([(
        "offset".to_owned(),
        aws_sdk_dynamodb::types::AttributeValue::S(offset.to_string()),
    )]);
    key.seal(scope, &item)
}

fn open_offset(key: &CursorKey, scope: &str, cursor: &str) -> Result<usize, ApiError> {
    key.open(scope, cursor)?.get("offset").and_then(|v| v.as_s().ok()).and_then(|v| v.parse().ok()).ok_or_else(|| {
        ApiError::bad_request(
            "invalid_cursor",
            "The cursor is not valid for this list. Start again from the first page.",
        )
    })
}

pub async fn detail(state: &AppState, client: ClientId, invoice_id: &str) -> Result<InvoiceDetailView, ApiError> {
    let id: u64 = invoice_id.parse().map_err(|_| ApiError::NotFound)?;
    let Invoices::Available { snapshot, stale } = load(state, client).await? else { return Err(ApiError::NotFound) };
    let invoice = snapshot.invoices.iter().find(|i| i.id == id).ok_or(ApiError::NotFound)?;
    let today = OffsetDateTime::now_utc().date();
    let base = view(invoice, &snapshot.full_domain, today);
    Ok(InvoiceDetailView {
        pdf_url: format!("{}.pdf", base.view_url),
        invoice: base,
        notes: invoice.notes.clone(),
        period_start: invoice.period_start,
        period_end: invoice.period_end,
        payment_term: invoice.payment_term.clone(),
        tax_amount: money(invoice.tax_amount),
        tax2_amount: money(invoice.tax2_amount),
        discount_amount: money(invoice.discount_amount),
        line_items: invoice
            .line_items
            .iter()
            .map(|l| LineItemView {
                kind: l.kind.clone(),
                description: l.description.clone(),
                quantity: l.quantity.normalize().to_string(),
                unit_price: money(l.unit_price),
                amount: money(l.amount),
            })
            .collect(),
        stale,
        fetched_at: OffsetDateTime::from_unix_timestamp(snapshot.fetched_at).unwrap_or(OffsetDateTime::UNIX_EPOCH),
    })
}

/// For the dashboard: never fails the whole page because billing is down.
pub async fn summary(state: &AppState, client: ClientId) -> Result<InvoiceSummary, ApiError> {
    let empty = |billing_linked, available| InvoiceSummary {
        billing_linked,
        available,
        stale: false,
        open_totals: vec![],
        next_due_date: None,
        open_count: 0,
        overdue_count: 0,
    };
    let (snapshot, stale) = match load(state, client).await {
        Ok(Invoices::NotLinked) => return Ok(empty(false, true)),
        Ok(Invoices::Available { snapshot, stale }) => (snapshot, stale),
        Err(ApiError::Unavailable { .. } | ApiError::BadGateway { .. }) => return Ok(empty(true, false)),
        Err(other) => return Err(other),
    };
    let today = OffsetDateTime::now_utc().date();
    let open: Vec<&CachedInvoice> = snapshot.invoices.iter().filter(|i| i.state == InvoiceState::Open).collect();
    let mut totals: Vec<(String, Decimal)> = Vec::new();
    for invoice in &open {
        match totals.iter_mut().find(|(currency, _)| *currency == invoice.currency) {
            Some((_, sum)) => *sum += invoice.due_amount,
            None => totals.push((invoice.currency.clone(), invoice.due_amount)),
        }
    }
    totals.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(InvoiceSummary {
        billing_linked: true,
        available: true,
        stale,
        open_totals: totals
            .into_iter()
            .map(|(currency, amount)| CurrencyAmount { currency, amount: money(amount) })
            .collect(),
        next_due_date: open.iter().filter_map(|i| i.due_date).filter(|d| *d >= today).min(),
        open_count: u32::try_from(open.len()).unwrap_or(u32::MAX),
        overdue_count: u32::try_from(open.iter().filter(|i| i.due_date.is_some_and(|d| d < today)).count())
            .unwrap_or(u32::MAX),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn harvest_invoices() -> Vec<harvest::Invoice> {
        #[derive(Deserialize)]
        struct Page {
            invoices: Vec<harvest::Invoice>,
        }
        let page: Page = serde_json::from_str(include_str!("../../testdata/harvest/invoices_page.json")).unwrap();
        page.invoices
    }

    #[test]
    fn snapshot_drops_drafts_and_other_clients_and_round_trips() {
        let mut invoices = harvest_invoices();
        let mut draft = invoices[0].clone();
        draft.id = 1;
        draft.state = InvoiceState::Draft;
        let mut foreign = invoices[0].clone();
        foreign.id = 2;
        foreign.client.id = 999;
        invoices.push(draft);
        invoices.push(foreign);
        let client_id = invoices[0].client.id;
        let snapshot = InvoiceSnapshot::from_harvest(client_id, "acme.harvestapp.com".into(), 1, invoices);
        assert!(snapshot.invoices.iter().all(|i| i.id != 1 && i.id != 2));
        assert!(!snapshot.invoices.is_empty());
        let decoded = InvoiceSnapshot::decode(&snapshot.encode().unwrap()).unwrap();
        assert_eq!(decoded, snapshot);
        assert!(InvoiceSnapshot::decode(b"not gzip").is_none());
    }

    #[test]
    fn money_has_two_places_and_no_float_error() {
        assert_eq!(money(Decimal::new(2889, 1)), "288.90");
        assert_eq!(money(Decimal::new(5, 3)), "0.01");
        let sum = Decimal::new(1, 1) + Decimal::new(2, 1);
        assert_eq!(money(sum), "0.30");
    }

    #[test]
    fn overdue_and_partial_payment() {
        let invoice =
            &InvoiceSnapshot::from_harvest(5735776, "x.harvestapp.com".into(), 0, harvest_invoices()).invoices[0];
        let mut open = invoice.clone();
        open.state = InvoiceState::Open;
        open.due_date = Some(time::macros::date!(2026 - 01 - 01));
        open.amount = Decimal::from(100);
        open.due_amount = Decimal::from(40);
        let v = view(&open, "x.harvestapp.com", time::macros::date!(2026 - 01 - 02));
        assert!(v.overdue && v.partially_paid);
        assert_eq!(v.view_url, format!("https://x.harvestapp.com/client/invoices/{}", open.client_key));
        let v = view(&open, "x.harvestapp.com", time::macros::date!(2026 - 01 - 01));
        assert!(!v.overdue, "due today is not overdue");
        open.state = InvoiceState::Paid;
        assert!(!view(&open, "x", time::macros::date!(2027 - 01 - 01)).overdue);
    }
}
