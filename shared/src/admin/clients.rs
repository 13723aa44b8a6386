//! The client directory: companies, their status, portal switch and Harvest link.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{Actor, change, double_option, not_found_on_cancel, text, yes};
use crate::domain::{Admin, BudgetDisplay, Client, ClientId, ClientStatus, Contact, Error};
use crate::store::{Item, Store, Visible};

#[derive(Debug, Deserialize)]
pub struct NewClient {
    pub company_name: String,
    #[serde(default)]
    pub harvest_client_id: Option<u64>,
    #[serde(default = "yes")]
    pub portal_enabled: bool,
}

/// A PATCH: absent fields stay as they are; `harvest_client_id: null` unlinks.
#[derive(Debug, Default, Deserialize)]
pub struct ClientPatch {
    pub company_name: Option<String>,
    pub status: Option<ClientStatus>,
    pub portal_enabled: Option<bool>,
    /// Whether contacts may upload into projects' shared files.
    pub uploads_enabled: Option<bool>,
    #[serde(default, deserialize_with = "double_option")]
    pub harvest_client_id: Option<Option<u64>>,
    /// Whether the company's contacts see money budgets too, or hours only.
    pub budget_display: Option<BudgetDisplay>,
}

#[derive(Debug, Serialize)]
pub struct ClientDetail {
    #[serde(flatten)]
    pub client: Client,
    pub contacts: Vec<Contact>,
    /// The agency staff assigned to this client (they are notified of its messages).
    pub staff: Vec<Admin>,
    /// Contacts' addresses that bounced or complained: no mail goes to them until cleared.
    pub email_problems: Vec<crate::store::Suppression>,
}

/// Clients by name, of those `visible`; `search` narrows to names starting with it
/// (case-insensitive).
pub async fn list(
    store: &Store,
    visible: &Visible,
    search: Option<&str>,
    limit: i32,
    start: Option<Item>,
) -> Result<(Vec<Client>, Option<Item>), Error> {
    let search = search.map(str::trim).filter(|s| !s.is_empty());
    Ok(store.list_clients(visible, search, limit, start).await?)
}

pub async fn create(store: &Store, actor: &Actor, input: NewClient) -> Result<Client, Error> {
    let client = Client {
        id: ClientId::new(),
        company_name: text(&input.company_name, "company_name", 200)?,
        status: ClientStatus::Active,
        portal_enabled: input.portal_enabled,
        harvest_client_id: input.harvest_client_id,
        uploads_enabled: true,
        budget_display: Default::default(),
        created_at: OffsetDateTime::now_utc(),
    };
    let audit =
        actor.audit(Some(client.id), "client.create", format!("client:{}", client.id), client.company_name.clone());
    store.create_client(&client, &audit).await?;
    Ok(client)
}

pub async fn get(store: &Store, id: ClientId) -> Result<Client, Error> {
    store.get_client(id).await?.ok_or(Error::NotFound)
}

pub async fn detail(store: &Store, id: ClientId) -> Result<ClientDetail, Error> {
    let (client, contacts, staff) = tokio::try_join!(
        get(store, id),
        crate::team::contacts::list(store, id),
        crate::team::staff::assigned_to(store, id)
    )?;
    let addresses: Vec<_> = contacts.iter().map(|c| c.email.clone()).collect();
    let email_problems = store.suppressions_of(&addresses).await?;
    Ok(ClientDetail { client, contacts, staff, email_problems })
}

/// Edits a client. Switching its portal off or archiving it also ends every session of its
/// contacts, so the change bites on their next request, not when their cookie expires.
pub async fn update(store: &Store, actor: &Actor, id: ClientId, patch: ClientPatch) -> Result<Client, Error> {
    let before = get(store, id).await?;
    let mut after = before.clone();
    if let Some(name) = &patch.company_name {
        after.company_name = text(name, "company_name", 200)?;
    }
    if let Some(status) = patch.status {
        after.status = status;
    }
    if let Some(enabled) = patch.portal_enabled {
        after.portal_enabled = enabled;
    }
    if let Some(enabled) = patch.uploads_enabled {
        after.uploads_enabled = enabled;
    }
    if let Some(link) = patch.harvest_client_id {
        after.harvest_client_id = link;
    }
    if let Some(display) = patch.budget_display {
        after.budget_display = display;
    }
    let mut changes = Vec::new();
    change(&mut changes, "company_name", &before.company_name, &after.company_name);
    change(&mut changes, "status", &before.status, &after.status);
    change(&mut changes, "portal_enabled", &before.portal_enabled, &after.portal_enabled);
    change(&mut changes, "uploads_enabled", &before.uploads_enabled, &after.uploads_enabled);
    change(&mut changes, "harvest_client_id", &before.harvest_client_id, &after.harvest_client_id);
    change(&mut changes, "budget_display", &before.budget_display, &after.budget_display);
    if changes.is_empty() {
        return Ok(before);
    }
    let audit = actor.audit(Some(id), "client.update", format!("client:{id}"), changes.join("; "));
    store.update_client(&after, &audit).await.map_err(not_found_on_cancel)?;
    let lost_access = (before.portal_enabled && !after.portal_enabled)
        || (before.status == ClientStatus::Active && after.status != ClientStatus::Active);
    if lost_access {
        crate::team::contacts::end_company_sessions(store, id).await?;
    }
    Ok(after)
}
