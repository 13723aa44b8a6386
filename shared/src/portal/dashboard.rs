//! The dashboard and the activity feed.

use serde::Serialize;

use crate::domain::{ClientId, ContactId, Error, ProjectStatus};
use crate::files::views::RequestView;
use crate::invoices::{Billing, BudgetFigures, InvoiceSummary};
use crate::store::{Item, Store};

use super::messages::unread_count;
use super::views::{ActivityView, DeliverableView, ProjectSummaryView, today};

#[derive(Debug, Serialize)]
pub struct Dashboard {
    /// Active projects (the `DASHBOARD_PROJECTS` newest), each with its next milestone.
    pub active_projects: Vec<ProjectSummaryView>,
    /// The five most recently changed deliverables.
    pub latest_deliverables: Vec<DeliverableView>,
    /// Messages this contact has not seen (exact: a counter kept with the thread).
    pub unread_messages: u32,
    /// Always false since the count is exact; kept for clients that read it.
    pub unread_messages_more: bool,
    /// Open totals and the next due date from Harvest; `available: false` when billing is
    /// unreachable and nothing is cached (the rest of the dashboard still loads). `null` for a
    /// contact without invoice access.
    pub invoices: Option<InvoiceSummary>,
    /// File requests waiting for the company's files (among the `DASHBOARD_REQUESTS` newest).
    pub open_requests: Vec<RequestView>,
    /// The Harvest budgets of active projects linked to Harvest projects (what this contact
    /// may see of them); empty when none is linked or Harvest cannot be asked.
    pub budgets: Vec<DashboardBudget>,
}

#[derive(Debug, Serialize)]
pub struct DashboardBudget {
    pub project_id: ulid::Ulid,
    #[serde(flatten)]
    pub budget: BudgetFigures,
}

/// What the dashboard reads is bounded by what it shows, not by the company's size: with the
/// session check, the thread's two counters, the company and the billing cache, at most 30 items
/// (`make bench` counts them at 10 and 10 000 projects and messages). The full lists are a
/// click away (projects, files).
pub const DASHBOARD_PROJECTS: i32 = 10;
pub const DASHBOARD_REQUESTS: i32 = 5;

/// Two rounds of reads, whatever the company's size: the page's own six beside the access
/// check, then the billing caches in parallel (the invoice summary, two reads when fresh, and,
/// when an active project is linked to Harvest, the budget report's), which need the company
/// and the access check's answer.
pub async fn dashboard(
    store: &Store,
    billing: &Billing,
    client: ClientId,
    contact: ContactId,
    sees_invoices: impl Future<Output = Result<bool, Error>>,
) -> Result<Dashboard, Error> {
    let reads = async {
        tokio::try_join!(
            store.list_projects(client, Some(ProjectStatus::Active), DASHBOARD_PROJECTS, None),
            store.latest_deliverables(client, 5),
            store.thread_count(client),
            store.read_marker(client, contact),
            store.list_requests(client, true, DASHBOARD_REQUESTS, None),
            store.get_client(client),
        )
        .map_err(Error::from)
    };
    let ((active, deliverables, thread, marker, requests, company), sees_money) =
        tokio::try_join!(reads, sees_invoices)?;
    let invoices = async {
        match sees_money {
            true => crate::invoices::summary(store, billing, client).await.map(Some),
            false => Ok(None),
        }
    };
    let budgets = async {
        match &company {
            Some(company) => {
                crate::invoices::budgets::dashboard_budgets(store, billing, company, &active.0, sees_money).await
            }
            None => Ok(vec![]),
        }
    };
    let (invoices, budgets) = tokio::try_join!(invoices, budgets)?;
    let budgets = budgets.into_iter().map(|(project_id, budget)| DashboardBudget { project_id, budget }).collect();
    let today = today();
    Ok(Dashboard {
        active_projects: active.0.iter().map(|p| ProjectSummaryView::new(p, today)).collect(),
        latest_deliverables: deliverables.iter().map(DeliverableView::new).collect(),
        unread_messages_more: false,
        unread_messages: unread_count(&thread, &marker),
        invoices,
        open_requests: requests.0.into_iter().map(RequestView::summary).collect(),
        budgets,
    })
}

/// The feed as this contact may see it now: billing news only with invoice access (asked at
/// read time, so taking access away hides what was written before).
pub async fn activity(
    store: &Store,
    client: ClientId,
    sees_billing: bool,
    limit: i32,
    start: Option<Item>,
) -> Result<(Vec<ActivityView>, Option<Item>), Error> {
    let (events, last) = store.list_activity(client, sees_billing, limit, start).await?;
    Ok((events.into_iter().map(ActivityView::from).collect(), last))
}
