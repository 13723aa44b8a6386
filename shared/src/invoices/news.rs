//! What is new in Harvest for a client, noticed when its cached copy is refreshed: invoices
//! issued, invoices gone overdue, estimates sent. Each becomes an activity event (so it is in
//! the client's feed and, through the outbox, in notifications). A first copy announces
//! nothing (no flood when a client is linked); overdue invoices are remembered in the copy so
//! each is announced once. `watch` refreshes linked clients' copies on the drain's schedule, so
//! news reaches people who do not open the portal.

use time::{Date, OffsetDateTime};

use super::Billing;
use super::cache::{CachedInvoice, InvoiceSnapshot};
use super::estimates::EstimateSnapshot;
use super::harvest::{EstimateState, InvoiceState};
use crate::domain::{Activity, ActivityKind, ClientId, Error, Side};
use crate::store::{Store, Visible};

fn overdue(invoice: &CachedInvoice, today: Date) -> bool {
    invoice.state == InvoiceState::Open && invoice.due_date.is_some_and(|due| due < today)
}

fn title(number: &str, subject: Option<&String>) -> String {
    subject.map_or_else(|| number.to_owned(), |s| format!("{number} ({s})"))
}

/// The events a refresh brings, and the overdue invoices the new copy remembers as announced.
pub fn invoice_news(
    previous: Option<&InvoiceSnapshot>,
    current: &InvoiceSnapshot,
    today: Date,
    agency: &str,
) -> (Vec<(ActivityKind, String)>, Vec<u64>) {
    let overdue_now: Vec<u64> = current.invoices.iter().filter(|i| overdue(i, today)).map(|i| i.id).collect();
    let Some(previous) = previous else { return (Vec::new(), overdue_now) };
    let mut news = Vec::new();
    for invoice in &current.invoices {
        let known = previous.invoices.iter().any(|p| p.id == invoice.id);
        if !known && invoice.state == InvoiceState::Open {
            news.push((
                ActivityKind::InvoiceIssued,
                format!("{agency} issued invoice {}", title(&invoice.number, invoice.subject.as_ref())),
            ));
        }
        if overdue_now.contains(&invoice.id) && !previous.announced_overdue.contains(&invoice.id) {
            news.push((ActivityKind::InvoiceOverdue, format!("Invoice {} is overdue", invoice.number)));
        }
    }
    (news, overdue_now)
}

pub fn estimate_news(
    previous: Option<&EstimateSnapshot>,
    current: &EstimateSnapshot,
    agency: &str,
) -> Vec<(ActivityKind, String)> {
    let Some(previous) = previous else { return Vec::new() };
    current
        .estimates
        .iter()
        .filter(|e| e.state == EstimateState::Sent && !previous.estimates.iter().any(|p| p.id == e.id))
        .map(|e| {
            (ActivityKind::EstimateSent, format!("{agency} sent estimate {}", title(&e.number, e.subject.as_ref())))
        })
        .collect()
}

/// Writes the events (a failure is logged: the refresh itself succeeded).
pub async fn announce(store: &Store, client_id: ClientId, agency: &str, news: Vec<(ActivityKind, String)>) {
    for (kind, summary) in news {
        let activity = Activity::new(client_id, kind, None, None, agency, summary).by(Side::Agency, None);
        if let Err(error) = store.put_activity(&activity).await {
            tracing::error!(%error, "a billing event could not be recorded");
        }
    }
}

/// Clients looked at per drain run; the rest wait for the next runs (a cursor remembers where).
const WATCH_PAGE: i32 = 20;
/// A full round over the linked clients starts at most this often.
const WATCH_EVERY_SECS: i64 = 3600;

/// Refreshes (through the usual leased caches, so Harvest is asked only when a copy is stale)
/// the invoices and estimates of the next page of clients, once an hour for all of them.
pub async fn watch(store: &Store, billing: &Billing, now: i64) -> Result<usize, Error> {
    if billing.harvest.is_none() {
        return Ok(0);
    }
    let Some(cursor) = store.claim_billing_watch(now).await? else { return Ok(0) };
    let (clients, next) = store.list_clients(&Visible::All, None, WATCH_PAGE, cursor).await?;
    let mut looked = 0;
    for client in clients.iter().filter(|c| c.harvest_client_id.is_some() && c.portal_enabled) {
        // Each read refreshes a stale copy and announces what changed; failures wait for the next round.
        if let Err(error) = super::cache::load(store, billing, client.id).await {
            tracing::warn!(%error, client = %client.id, "billing watch: invoices not refreshed");
        }
        if let Err(error) = super::estimates::refresh(store, billing, client.id).await {
            tracing::warn!(%error, client = %client.id, "billing watch: estimates not refreshed");
        }
        looked += 1;
    }
    store.finish_billing_watch(now, next, WATCH_EVERY_SECS).await?;
    Ok(looked)
}

/// Today in UTC (Harvest dates are the agency's calendar days; a day's slack either way only
/// moves an overdue notice by hours).
pub fn today() -> Date {
    OffsetDateTime::now_utc().date()
}
