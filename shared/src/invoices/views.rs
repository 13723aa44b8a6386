//! Invoices as a client sees them: never drafts, never another client's; a page of the list,
//! one invoice, and the dashboard's open totals.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

use super::cache::{Billing, CachedInvoice, CachedLineItem, Invoices, load};
use super::harvest::InvoiceState;
use super::payments::Payments;
use crate::domain::{ClientId, Error};
use crate::store::Store;

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
    /// `amount - due_amount`: what has been paid so far.
    pub paid_amount: String,
    pub payments: Payments,
    pub stale: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub fetched_at: OffsetDateTime,
}

impl From<&CachedLineItem> for LineItemView {
    fn from(l: &CachedLineItem) -> Self {
        Self {
            kind: l.kind.clone(),
            description: l.description.clone(),
            quantity: l.quantity.normalize().to_string(),
            unit_price: money(l.unit_price),
            amount: money(l.amount),
        }
    }
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

fn matches(filter: StateFilter, state: InvoiceState) -> bool {
    match filter {
        StateFilter::All => true,
        StateFilter::Open => state == InvoiceState::Open,
        StateFilter::Paid => state == InvoiceState::Paid,
    }
}

/// A page of the client's invoices from `offset`, and the offset of the next page. The offset
/// points into the cached list; a refresh between pages can shift it by the invoices added
/// meanwhile.
pub async fn list(
    store: &Store,
    billing: &Billing,
    client: ClientId,
    filter: StateFilter,
    offset: usize,
    limit: usize,
) -> Result<(InvoiceList, Option<usize>), Error> {
    let (snapshot, fetched_at, stale) = match load(store, billing, client).await? {
        Invoices::NotLinked => {
            let empty =
                InvoiceList { billing_linked: false, stale: false, fetched_at: None, items: vec![], next_cursor: None };
            return Ok((empty, None));
        }
        Invoices::Available { snapshot, fetched_at, stale } => (snapshot, fetched_at, stale),
    };
    let today = OffsetDateTime::now_utc().date();
    let matching: Vec<&CachedInvoice> = snapshot.invoices.iter().filter(|i| matches(filter, i.state)).collect();
    let end = (offset + limit).min(matching.len());
    let items =
        matching.get(offset..end).unwrap_or_default().iter().map(|i| view(i, &snapshot.full_domain, today)).collect();
    let list = InvoiceList {
        billing_linked: true,
        stale,
        fetched_at: OffsetDateTime::from_unix_timestamp(fetched_at).ok(),
        items,
        next_cursor: None,
    };
    Ok((list, (end < matching.len()).then_some(end)))
}

pub async fn detail(
    store: &Store,
    billing: &Billing,
    client: ClientId,
    invoice_id: &str,
) -> Result<InvoiceDetailView, Error> {
    let id: u64 = invoice_id.parse().map_err(|_| Error::NotFound)?;
    let Invoices::Available { snapshot, fetched_at, stale } = load(store, billing, client).await? else {
        return Err(Error::NotFound);
    };
    // Only an invoice of this client's own copy is looked up further: its payments are asked
    // of Harvest by an id that came from the client's invoices, never from the request alone.
    let invoice = snapshot.invoices.iter().find(|i| i.id == id).ok_or(Error::NotFound)?;
    let payments = super::payments::of_invoice(store, billing, client, invoice).await?;
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
        line_items: invoice.line_items.iter().map(LineItemView::from).collect(),
        paid_amount: money(invoice.amount - invoice.due_amount),
        payments,
        stale,
        fetched_at: OffsetDateTime::from_unix_timestamp(fetched_at).unwrap_or(OffsetDateTime::UNIX_EPOCH),
    })
}

/// For the dashboard: never fails the whole page because billing is down.
pub async fn summary(store: &Store, billing: &Billing, client: ClientId) -> Result<InvoiceSummary, Error> {
    let empty = |billing_linked, available| InvoiceSummary {
        billing_linked,
        available,
        stale: false,
        open_totals: vec![],
        next_due_date: None,
        open_count: 0,
        overdue_count: 0,
    };
    let (snapshot, stale) = match load(store, billing, client).await {
        Ok(Invoices::NotLinked) => return Ok(empty(false, true)),
        Ok(Invoices::Available { snapshot, stale, .. }) => (snapshot, stale),
        Err(Error::DependencyUnavailable { .. } | Error::DependencyRefused { .. }) => return Ok(empty(true, false)),
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
    use crate::invoices::cache::InvoiceSnapshot;
    use crate::invoices::harvest;

    fn harvest_invoices() -> Vec<harvest::Invoice> {
        #[derive(Deserialize)]
        struct Page {
            invoices: Vec<harvest::Invoice>,
        }
        let page: Page = serde_json::from_str(include_str!("../../../testdata/harvest/invoices_page.json")).unwrap();
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
        let snapshot = InvoiceSnapshot::from_harvest(client_id, "acme.harvestapp.com".into(), invoices);
        assert!(snapshot.invoices.iter().all(|i| i.id != 1 && i.id != 2));
        assert!(!snapshot.invoices.is_empty());
        let json = serde_json::to_string(&snapshot).unwrap();
        assert_eq!(serde_json::from_str::<InvoiceSnapshot>(&json).unwrap(), snapshot);
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
            &InvoiceSnapshot::from_harvest(5735776, "x.harvestapp.com".into(), harvest_invoices()).invoices[0];
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
