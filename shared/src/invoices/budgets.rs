//! Project budgets from Harvest's project budget report. One report lists every budgeted
//! project of the account, and reports are limited to 100 requests per 15 minutes: one cached
//! copy (`CacheKey::project_budgets`) serves every client and project, refreshed once per cache
//! lifetime under the lease, stale on 429/5xx.

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::cache::{Billing, connected, unserved};
use super::harvest::{BudgetBy, BudgetRow, HarvestError, HarvestProject};
use super::lease::{Cached, through_lease};
use super::views::money;
use crate::domain::{BudgetDisplay, Client, ClientId, Error, HarvestProjectLink, Project};
use crate::store::{CacheKey, Store};

/// One project's row of the report, as cached.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CachedBudget {
    pub project_id: u64,
    pub client_id: u64,
    pub budget_by: BudgetBy,
    pub monthly: bool,
    pub budget: Option<Decimal>,
    pub spent: Option<Decimal>,
    pub remaining: Option<Decimal>,
}

impl From<BudgetRow> for CachedBudget {
    fn from(row: BudgetRow) -> Self {
        Self {
            project_id: row.project_id,
            client_id: row.client_id,
            budget_by: row.budget_by,
            monthly: row.budget_is_monthly,
            budget: row.budget,
            spent: row.budget_spent,
            remaining: row.budget_remaining,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BudgetUnit {
    Hours,
    Money,
}

/// A budget as a client sees it. Figures Harvest left out (money without the rate permission)
/// are `null`; what can be worked out from the others is.
#[derive(Debug, Clone, Serialize)]
pub struct BudgetFigures {
    pub unit: BudgetUnit,
    /// For money budgets: the Harvest client's currency, when known.
    pub currency: Option<String>,
    /// Resets every month: the figures are this month's.
    pub monthly: bool,
    pub budget: Option<String>,
    pub spent: Option<String>,
    pub remaining: Option<String>,
    /// Spent as a whole percentage of the budget (can pass 100); `null` without both figures.
    pub percent_spent: Option<u32>,
    pub over_budget: bool,
}

/// `GET /api/projects/{projectId}/budget`.
#[derive(Debug, Serialize)]
pub struct ProjectBudgetView {
    /// Whether the project is linked to a Harvest project (and the client to Harvest).
    pub linked: bool,
    /// False when Harvest could not be asked and nothing was cached.
    pub available: bool,
    pub stale: bool,
    #[serde(with = "time::serde::rfc3339::option")]
    pub fetched_at: Option<OffsetDateTime>,
    /// `null` when there is nothing to show: no budget in Harvest, or a money budget for a
    /// client the agency shows hours only (or a contact without invoice access).
    pub budget: Option<BudgetFigures>,
}

impl ProjectBudgetView {
    fn unlinked() -> Self {
        Self { linked: false, available: true, stale: false, fetched_at: None, budget: None }
    }
}

/// Works out the figures of one row, for a client who may see money or not.
pub fn figures(row: &CachedBudget, currency: Option<&str>, money_shown: bool) -> Option<BudgetFigures> {
    let is_money = row.budget_by.is_money()?;
    if is_money && !money_shown {
        return None;
    }
    let spent = row.spent.or(row.budget.zip(row.remaining).map(|(b, r)| b - r));
    let remaining = row.remaining.or(row.budget.zip(spent).map(|(b, s)| b - s));
    if row.budget.is_none() && spent.is_none() && remaining.is_none() {
        return None;
    }
    let percent_spent = match (row.budget, spent) {
        (Some(budget), Some(spent)) if budget > Decimal::ZERO => {
            let percent = (spent * Decimal::ONE_HUNDRED / budget)
                .round_dp_with_strategy(0, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
            percent.max(Decimal::ZERO).to_u32()
        }
        _ => None,
    };
    Some(BudgetFigures {
        unit: if is_money { BudgetUnit::Money } else { BudgetUnit::Hours },
        currency: is_money.then(|| currency.map(str::to_owned)).flatten(),
        monthly: row.monthly,
        budget: row.budget.map(money),
        spent: spent.map(money),
        remaining: remaining.map(money),
        percent_spent,
        over_budget: remaining.is_some_and(|r| r < Decimal::ZERO),
    })
}

/// The account's budget report, through the lease.
pub(crate) async fn report(store: &Store, billing: &Billing) -> Result<Cached<Vec<CachedBudget>>, Error> {
    let harvest = connected(billing)?;
    let key = CacheKey::project_budgets();
    let record = store.get_cache(&key).await?;
    let fetch = |_: Option<Vec<CachedBudget>>| async move {
        Ok::<_, HarvestError>(harvest.project_budgets().await?.into_iter().map(CachedBudget::from).collect::<Vec<_>>())
    };
    through_lease(store, &key, billing.account_scope(), billing.cache_ttl, record, fetch)
        .await
        .map_err(|failure| unserved(failure, unavailable))
}

fn unavailable() -> Error {
    Error::DependencyUnavailable {
        code: "budget_unavailable",
        message: "The budget cannot be loaded from the time tracker right now. Try again in a few minutes.".into(),
    }
}

/// The row of `link`'s project, but only if Harvest says it belongs to this client's Harvest
/// client: a link that names another client's project shows nothing (404).
fn row_of<'a>(
    rows: &'a [CachedBudget],
    link: &HarvestProjectLink,
    harvest_client_id: u64,
) -> Result<Option<&'a CachedBudget>, Error> {
    match rows.iter().find(|row| row.project_id == link.id) {
        Some(row) if row.client_id != harvest_client_id => {
            tracing::warn!(project = link.id, "a portal project is linked to another Harvest client's project");
            Err(Error::NotFound)
        }
        found => Ok(found),
    }
}

/// One project's budget for a contact (`money_allowed`: whether this contact sees invoices).
pub async fn project_budget(
    store: &Store,
    billing: &Billing,
    client_id: ClientId,
    project_id: ulid::Ulid,
    money_allowed: bool,
) -> Result<ProjectBudgetView, Error> {
    let (project, client) = tokio::try_join!(store.get_project(client_id, project_id), store.get_client(client_id))?;
    let project = project.ok_or(Error::NotFound)?;
    let client = client.ok_or(Error::Unauthenticated)?;
    let (Some(link), Some(harvest_client_id)) = (&project.harvest_project, client.harvest_client_id) else {
        return Ok(ProjectBudgetView::unlinked());
    };
    let report = match report(store, billing).await {
        Ok(report) => report,
        Err(Error::DependencyUnavailable { .. }) => {
            return Ok(ProjectBudgetView {
                linked: true,
                available: false,
                stale: false,
                fetched_at: None,
                budget: None,
            });
        }
        Err(other) => return Err(other),
    };
    let row = row_of(&report.data, link, harvest_client_id)?;
    let money_shown = money_allowed && client.budget_display == BudgetDisplay::Money;
    Ok(ProjectBudgetView {
        linked: true,
        available: true,
        stale: report.stale,
        fetched_at: OffsetDateTime::from_unix_timestamp(report.fetched_at).ok(),
        budget: row.and_then(|row| figures(row, link.currency.as_deref(), money_shown)),
    })
}

/// For the dashboard: the budgets of these (active) projects, by portal project id. Never
/// fails the dashboard: Harvest down and nothing cached is no budgets.
pub async fn dashboard_budgets(
    store: &Store,
    billing: &Billing,
    client: &Client,
    projects: &[Project],
    money_allowed: bool,
) -> Result<Vec<(ulid::Ulid, BudgetFigures)>, Error> {
    let Some(harvest_client_id) = client.harvest_client_id else { return Ok(vec![]) };
    if billing.harvest.is_none() || projects.iter().all(|p| p.harvest_project.is_none()) {
        return Ok(vec![]);
    }
    let report = match report(store, billing).await {
        Ok(report) => report,
        Err(Error::DependencyUnavailable { .. } | Error::DependencyRefused { .. }) => return Ok(vec![]),
        Err(other) => return Err(other),
    };
    let money_shown = money_allowed && client.budget_display == BudgetDisplay::Money;
    Ok(projects
        .iter()
        .filter_map(|project| {
            let link = project.harvest_project.as_ref()?;
            let row = row_of(&report.data, link, harvest_client_id).ok()??;
            Some((project.id, figures(row, link.currency.as_deref(), money_shown)?))
        })
        .collect())
}

/// The Harvest projects a portal project of this client may be linked to (live, active only).
pub async fn harvest_projects(billing: &Billing, client: &Client) -> Result<Vec<HarvestProject>, Error> {
    let Some(harvest_client_id) = client.harvest_client_id else {
        return Err(Error::invalid(
            "client_not_linked",
            "Link this client to a Harvest client first: its projects come from there.",
        ));
    };
    let harvest = billing.harvest.as_ref().ok_or_else(not_connected)?;
    let mut projects = harvest.projects(harvest_client_id).await.map_err(live_failure)?;
    // Belt and braces: only this Harvest client's projects, whatever the answer holds.
    projects.retain(|p| p.client.id == harvest_client_id);
    projects.sort_by_key(|p| p.name.to_lowercase());
    Ok(projects)
}

/// Checks a link an agency member asks for against Harvest's live list for the client.
pub async fn project_link(
    billing: &Billing,
    client: &Client,
    harvest_project_id: u64,
) -> Result<HarvestProjectLink, Error> {
    let project =
        harvest_projects(billing, client).await?.into_iter().find(|p| p.id == harvest_project_id).ok_or_else(|| {
            Error::invalid(
                "harvest_project_unknown",
                "That Harvest project is not an active project of this client's Harvest client.",
            )
        })?;
    Ok(HarvestProjectLink { id: project.id, name: project.name, currency: project.client.currency })
}

pub(crate) fn not_connected() -> Error {
    Error::DependencyRefused {
        code: "harvest_not_configured",
        message: "Harvest is not connected: set the Harvest access token and account id.".into(),
    }
}

/// How a failed live call (admin lists) is reported.
pub(crate) fn live_failure(error: HarvestError) -> Error {
    match error {
        HarvestError::Unauthorized { .. } => Error::DependencyRefused {
            code: "harvest_misconfigured",
            message: "Harvest refused the configured credentials.".into(),
        },
        other => {
            tracing::warn!(error = %other, "a live Harvest list failed");
            Error::DependencyUnavailable {
                code: "harvest_unavailable",
                message: "Harvest cannot be reached right now.".into(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(by: BudgetBy, budget: Option<i64>, spent: Option<i64>, remaining: Option<i64>) -> CachedBudget {
        CachedBudget {
            project_id: 1,
            client_id: 2,
            budget_by: by,
            monthly: false,
            budget: budget.map(Decimal::from),
            spent: spent.map(Decimal::from),
            remaining: remaining.map(Decimal::from),
        }
    }

    #[test]
    fn hours_money_and_what_is_missing() {
        let hours = figures(&row(BudgetBy::Project, Some(200), Some(4), Some(196)), None, false).unwrap();
        assert_eq!(
            (hours.unit, hours.percent_spent, hours.spent.as_deref()),
            (BudgetUnit::Hours, Some(2), Some("4.00"))
        );
        assert!(figures(&row(BudgetBy::ProjectCost, Some(100), Some(50), Some(50)), Some("EUR"), false).is_none());
        let money = figures(&row(BudgetBy::ProjectCost, Some(100), Some(150), None), Some("EUR"), true).unwrap();
        assert_eq!(money.currency.as_deref(), Some("EUR"));
        assert_eq!(
            (money.remaining.as_deref(), money.percent_spent, money.over_budget),
            (Some("-50.00"), Some(150), true)
        );
        // Money fields missing (no rate permission): nothing to show, and no failure.
        assert!(figures(&row(BudgetBy::TaskFees, None, None, None), Some("EUR"), true).is_none());
        let partial = figures(&row(BudgetBy::ProjectCost, None, Some(10), None), None, true).unwrap();
        assert_eq!((partial.budget, partial.percent_spent), (None, None));
        assert!(figures(&row(BudgetBy::None, Some(1), Some(1), Some(0)), None, true).is_none());
    }
}
