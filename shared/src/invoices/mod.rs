//! Billing from Harvest (API v2): the client (`harvest`), the lease every cached read goes
//! through (`lease`), invoices (`cache`, `views`) and their payments (`payments`), project
//! budgets from the account's budget report (`budgets`), estimates and the client's decision
//! on them (`estimates`), and the routes of the `invoices` function.

pub mod budgets;
mod cache;
pub mod estimates;
pub mod harvest;
mod lease;
pub mod news;
mod payments;
pub mod routes;
mod views;

pub use budgets::{BudgetFigures, ProjectBudgetView};
pub use cache::{Billing, CachedInvoice, InvoiceSnapshot, Invoices, load};
pub use harvest::{Harvest, HarvestClient, HarvestError, HarvestProject};
pub use payments::{PaymentView, Payments};
pub use views::{
    CurrencyAmount, InvoiceDetailView, InvoiceList, InvoiceSummary, InvoiceView, LineItemView, StateFilter, detail,
    list, money, summary,
};

use crate::domain::Error;

/// The Harvest clients the agency may link a portal client to (admin, live from Harvest).
pub async fn harvest_clients(billing: &Billing) -> Result<Vec<HarvestClient>, Error> {
    let harvest = billing.harvest.as_ref().ok_or_else(budgets::not_connected)?;
    harvest.clients().await.map_err(budgets::live_failure)
}
