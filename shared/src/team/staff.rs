//! Agency staff: adding and inviting them, their role, removing them, and their assignments to
//! clients. The operator bootstraps the first owner (`portal admin add`); after that, owners
//! manage staff from the console (or `portal staff …`). The last owner cannot go.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{end_staff_sessions, send_invitation, welcome_link};
use crate::config::Config;
use crate::domain::{Actor, change, email, text};
use crate::domain::{Admin, AdminId, ClientId, Error, Role, StaffRole};
use crate::mail::{Brand, Mailer, StaffInvitation};
use crate::store::Store;

#[derive(Debug, Deserialize)]
pub struct NewStaff {
    pub name: String,
    pub email: String,
    /// Members see only the clients assigned to them.
    #[serde(default)]
    pub role: StaffRole,
}

#[derive(Debug, Deserialize)]
pub struct StaffPatch {
    pub role: StaffRole,
}

/// A staff member as the console lists them.
#[derive(Debug, Serialize)]
pub struct StaffMember {
    #[serde(flatten)]
    pub admin: Admin,
    /// The clients they are assigned to.
    pub clients: Vec<ClientId>,
}

fn role_name(role: StaffRole) -> &'static str {
    match role {
        StaffRole::Owner => "owner",
        StaffRole::Member => "member",
    }
}

/// Adds a staff member with their email claim and an audit event, in one transaction.
pub async fn add(store: &Store, actor: &Actor, input: NewStaff) -> Result<Admin, Error> {
    let admin = Admin {
        id: AdminId::new(),
        name: text(&input.name, "name", 200)?,
        email: email(&input.email)?,
        role: input.role,
        created_at: OffsetDateTime::now_utc(),
    };
    let summary = format!("{} <{}>, {}", admin.name, admin.email, role_name(admin.role));
    let audit = actor.audit(None, "admin.create", format!("admin:{}", admin.id), summary);
    store.create_admin(&admin, &audit).await?;
    Ok(admin)
}

pub async fn get(store: &Store, id: AdminId) -> Result<Admin, Error> {
    store.get_admin(id).await?.ok_or(Error::NotFound)
}

/// Every staff member by name, with their assignments.
pub async fn list(store: &Store) -> Result<Vec<StaffMember>, Error> {
    let admins = store.list_admins().await?;
    let assignments =
        futures_util::future::try_join_all(admins.iter().map(|admin| store.assigned_clients(admin.id))).await?;
    let mut staff: Vec<StaffMember> =
        admins.into_iter().zip(assignments).map(|(admin, clients)| StaffMember { admin, clients }).collect();
    staff.sort_by_key(|s| s.admin.name.to_lowercase());
    Ok(staff)
}

/// Emails a staff member a welcoming magic link.
pub async fn invite(store: &Store, mailer: &Mailer, config: &Config, actor: &Actor, id: AdminId) -> Result<(), Error> {
    let person = get(store, id).await?;
    let invited_by = match actor {
        Actor::Admin(by) => store.get_admin(*by).await?.map_or_else(|| config.agency_name.clone(), |a| a.name),
        Actor::Contact(_) | Actor::Operator => config.agency_name.clone(),
    };
    super::check_invite_rate(store, actor, &person.email).await?;
    let link = welcome_link(store, config, (Role::Admin, id.to_string(), None), &person.email).await?;
    let brand = Brand::current(store, config).await?;
    let role = if person.role == StaffRole::Owner { "an owner" } else { "a member" };
    let mail = StaffInvitation { name: &person.name, brand: &brand, invited_by: &invited_by, role, link: &link }
        .to(&person.email)?;
    send_invitation(store, mailer, &mail).await?;
    store.append_audit(&actor.audit(None, "admin.invite", format!("admin:{id}"), person.email.to_string())).await?;
    Ok(())
}

/// Changes a staff member's role. Demoting the last owner is refused (`last_owner`), also when
/// two owners demote each other at the same moment.
pub async fn set_role(store: &Store, actor: &Actor, id: AdminId, patch: StaffPatch) -> Result<Admin, Error> {
    let before = get(store, id).await?;
    let after = Admin { role: patch.role, ..before.clone() };
    if before == after {
        return Ok(before);
    }
    let mut changes = Vec::new();
    change(&mut changes, "role", &role_name(before.role), &role_name(after.role));
    let audit = actor.audit(None, "admin.update", format!("admin:{id}"), changes.join("; "));
    store.update_admin(&before, &after, &audit).await?;
    Ok(after)
}

/// Removes a staff member: their record, email, assignments and sessions. The last owner
/// cannot be removed (`last_owner`).
pub async fn remove(store: &Store, actor: &Actor, id: AdminId) -> Result<(), Error> {
    let admin = get(store, id).await?;
    let audit = actor.audit(None, "admin.remove", format!("admin:{id}"), format!("{} <{}>", admin.name, admin.email));
    store.remove_admin(&admin, &audit).await.map_err(|error| match error {
        crate::store::StoreError::ConditionFailed => Error::NotFound,
        other => other.into(),
    })?;
    end_staff_sessions(store, id).await?;
    crate::auth::passkeys::remove_all(store, &id.to_string(), &actor.label()).await?;
    Ok(())
}

/// Assigns a staff member to a client (both must exist); assigning twice is fine.
pub async fn assign(store: &Store, actor: &Actor, client: ClientId, id: AdminId) -> Result<(), Error> {
    let admin = get(store, id).await?;
    let audit = actor.audit(Some(client), "client.assign", format!("admin:{id}"), admin.name);
    store.assign(client, id, &audit).await.map_err(|error| match error {
        crate::store::StoreError::ConditionFailed => Error::NotFound,
        other => other.into(),
    })
}

/// Ends an assignment: from the next request on, a member no longer sees the client.
pub async fn unassign(store: &Store, actor: &Actor, client: ClientId, id: AdminId) -> Result<(), Error> {
    let admin = get(store, id).await?;
    let audit = actor.audit(Some(client), "client.unassign", format!("admin:{id}"), admin.name);
    Ok(store.unassign(client, id, &audit).await?)
}

/// The staff assigned to a client, by name.
pub async fn assigned_to(store: &Store, client: ClientId) -> Result<Vec<Admin>, Error> {
    let ids = store.assigned_staff(client).await?;
    let found = futures_util::future::try_join_all(ids.into_iter().map(|id| store.get_admin(id))).await?;
    let mut admins: Vec<Admin> = found.into_iter().flatten().collect();
    admins.sort_by_key(|a| a.name.to_lowercase());
    Ok(admins)
}
