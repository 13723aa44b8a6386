//! Invoices from Harvest (API v2): the client (`harvest`), the per-client cache and its lease
//! (`cache`), what a client sees (`views`), and the routes of the `invoices` function.

mod cache;
pub mod harvest;
pub mod routes;
mod views;

pub use cache::{Billing, CachedInvoice, InvoiceSnapshot, Invoices, load};
pub use harvest::{Harvest, HarvestClient, HarvestError};
pub use views::{
    CurrencyAmount, InvoiceDetailView, InvoiceList, InvoiceSummary, InvoiceView, LineItemView, StateFilter, detail,
    list, money, summary,
};

use crate::domain::Error;

/// The Harvest clients the agency may link a portal client to (admin, live from Harvest).
pub async fn harvest_clients(billing: &Billing) -> Result<Vec<HarvestClient>, Error> {
    let harvest = billing.harvest.as_ref().ok_or_else(|| Error::DependencyRefused {
        code: "harvest_not_configured",
        message: "Harvest is not connected: set the Harvest access token and account id.".into(),
    })?;
    harvest.clients().await.map_err(|error| match error {
        HarvestError::Unauthorized { .. } => Error::DependencyRefused {
            code: "harvest_misconfigured",
            message: "Harvest refused the configured credentials.".into(),
        },
        other => {
            tracing::warn!(error = %other, "listing Harvest clients failed");
            Error::DependencyUnavailable {
                code: "harvest_unavailable",
                message: "Harvest cannot be reached right now.".into(),
            }
        }
    })
}
