//! An invoice's payments (`GET /v2/invoices/{id}/payments`), cached per invoice through the
//! lease. Harvest is asked only when something has been paid: an open invoice with its whole
//! amount due has no payments to list.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::Date;

use super::cache::{Billing, CachedInvoice, connected, unserved};
use super::harvest::InvoiceState;
use super::lease::{Unserved, through_lease};
use super::views::money;
use crate::domain::{ClientId, Error};
use crate::store::{CacheKey, Store};

/// One payment as cached.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CachedPayment {
    pub id: u64,
    pub amount: Decimal,
    pub paid_date: Option<Date>,
    /// The payment gateway's name (card, PayPal…); `None` for payments the agency recorded.
    pub method: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct PaymentView {
    pub id: u64,
    pub paid_date: Option<Date>,
    pub amount: String,
    pub method: Option<String>,
}

/// The payments part of an invoice's detail: never fails the invoice because of Harvest.
#[derive(Debug, Serialize)]
pub struct Payments {
    /// False when Harvest could not be asked and nothing was cached: "payments unavailable".
    pub available: bool,
    pub stale: bool,
    /// Newest first.
    pub items: Vec<PaymentView>,
}

pub(crate) async fn of_invoice(
    store: &Store,
    billing: &Billing,
    client: ClientId,
    invoice: &CachedInvoice,
) -> Result<Payments, Error> {
    let nothing_paid = invoice.state != InvoiceState::Paid && invoice.due_amount >= invoice.amount;
    if nothing_paid {
        return Ok(Payments { available: true, stale: false, items: vec![] });
    }
    let harvest = connected(billing)?;
    let key = CacheKey::payments(client, invoice.id);
    let record = store.get_cache(&key).await?;
    let invoice_id = invoice.id;
    let fetch = |_: Option<Vec<CachedPayment>>| async move {
        let payments = harvest.payments(invoice_id).await?;
        Ok(payments
            .into_iter()
            .map(|p| CachedPayment {
                id: p.id,
                amount: p.amount,
                paid_date: p.paid_date.or(p.paid_at.map(time::OffsetDateTime::date)),
                method: p.payment_gateway.and_then(|g| g.name).filter(|name| !name.trim().is_empty()),
            })
            .collect::<Vec<_>>())
    };
    match through_lease(store, &key, invoice_id, billing.cache_ttl, record, fetch).await {
        Ok(cached) => {
            let mut items = cached.data;
            items.sort_by(|a, b| b.paid_date.cmp(&a.paid_date).then(b.id.cmp(&a.id)));
            Ok(Payments {
                available: true,
                stale: cached.stale,
                items: items
                    .into_iter()
                    .map(|p| PaymentView {
                        id: p.id,
                        paid_date: p.paid_date,
                        amount: money(p.amount),
                        method: p.method,
                    })
                    .collect(),
            })
        }
        Err(Unserved::Unavailable | Unserved::Refused) => {
            Ok(Payments { available: false, stale: false, items: vec![] })
        }
        Err(failure) => Err(unserved(failure, || Error::Unavailable)),
    }
}
