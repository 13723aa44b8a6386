//! Contacts at client companies: adding them (with their role and invoice access), editing them,
//! their portal access, ending their sessions, and inviting them. The agency's console and a
//! client owner's Team page both change contacts here; `auth::access` decides who may.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{end_contact_sessions, send_invitation, welcome_link};
use crate::config::Config;
use crate::domain::{Actor, change, email, text};
use crate::domain::{ClientId, Contact, ContactId, ContactRole, Error, Principal, Role};
use crate::mail::{Brand, Invitation, Mailer};
use crate::store::Store;

fn yes() -> bool {
    true
}

#[derive(Debug, Deserialize)]
pub struct NewContact {
    pub name: String,
    pub email: String,
    #[serde(default = "yes")]
    pub portal_enabled: bool,
    /// Absent: the company's first contact becomes its owner, later ones members.
    #[serde(default)]
    pub role: Option<ContactRole>,
    /// Members see invoices only when given access; owners always do.
    #[serde(default)]
    pub invoice_access: bool,
}

#[derive(Debug, Default, Deserialize)]
pub struct ContactPatch {
    pub name: Option<String>,
    pub email: Option<String>,
    pub portal_enabled: Option<bool>,
    pub role: Option<ContactRole>,
    pub invoice_access: Option<bool>,
}

pub async fn add(store: &Store, actor: &Actor, client_id: ClientId, input: NewContact) -> Result<Contact, Error> {
    let name = text(&input.name, "name", 200)?;
    let address = email(&input.email)?;
    let role = match input.role {
        Some(role) => role,
        None if store.client_owners(client_id).await?.is_empty() => ContactRole::Owner,
        None => ContactRole::Member,
    };
    let contact = Contact {
        id: ContactId::new(),
        client_id,
        name,
        email: address,
        portal_enabled: input.portal_enabled,
        role,
        invoice_access: input.invoice_access,
        created_at: OffsetDateTime::now_utc(),
    };
    let audit = actor.audit(
        Some(client_id),
        "contact.create",
        format!("contact:{}", contact.id),
        format!(
            "{} <{}>, {}, portal {}, invoices {}",
            contact.name,
            contact.email,
            role_name(contact.role),
            on_off(contact.portal_enabled),
            on_off(contact.sees_invoices())
        ),
    );
    match store.create_contact(&contact, &audit).await {
        Ok(()) => Ok(contact),
        // The client is checked in the same transaction: gone means not found.
        Err(crate::store::StoreError::ConditionFailed) => Err(Error::NotFound),
        Err(other) => Err(other.into()),
    }
}

fn role_name(role: ContactRole) -> &'static str {
    match role {
        ContactRole::Owner => "owner",
        ContactRole::Member => "member",
    }
}

fn on_off(on: bool) -> &'static str {
    if on { "on" } else { "off" }
}

pub async fn get(store: &Store, client_id: ClientId, id: ContactId) -> Result<Contact, Error> {
    store.get_contact(client_id, id).await?.ok_or(Error::NotFound)
}

/// Everyone with a contact record at the company, by name.
pub async fn list(store: &Store, client_id: ClientId) -> Result<Vec<Contact>, Error> {
    let mut contacts = store.list_contacts(client_id).await?;
    contacts.sort_by_key(|c| c.name.to_lowercase());
    Ok(contacts)
}

/// Edits a contact. Demoting the company's last owner is refused (`last_owner`, also when two
/// owners demote each other at once); switching portal access off ends the contact's sessions
/// and unused links, and a new address ends the links sent to the old one.
pub async fn update(
    store: &Store,
    actor: &Actor,
    client_id: ClientId,
    id: ContactId,
    patch: ContactPatch,
) -> Result<Contact, Error> {
    let before = get(store, client_id, id).await?;
    let mut after = before.clone();
    if let Some(name) = &patch.name {
        after.name = text(name, "name", 200)?;
    }
    if let Some(raw) = &patch.email {
        after.email = email(raw)?;
    }
    if let Some(enabled) = patch.portal_enabled {
        after.portal_enabled = enabled;
    }
    if let Some(role) = patch.role {
        after.role = role;
    }
    if let Some(invoices) = patch.invoice_access {
        after.invoice_access = invoices;
    }
    let mut changes = Vec::new();
    change(&mut changes, "name", &before.name, &after.name);
    change(&mut changes, "email", &before.email.as_str(), &after.email.as_str());
    change(&mut changes, "portal_enabled", &before.portal_enabled, &after.portal_enabled);
    change(&mut changes, "role", &role_name(before.role), &role_name(after.role));
    change(&mut changes, "invoice_access", &before.invoice_access, &after.invoice_access);
    if changes.is_empty() {
        return Ok(before);
    }
    let audit = actor.audit(Some(client_id), "contact.update", format!("contact:{id}"), changes.join("; "));
    store.update_contact(&before, &after, &audit).await?;
    if before.portal_enabled && !after.portal_enabled {
        end_contact_sessions(store, id).await?;
    } else if before.email != after.email {
        // Links mailed to the old address die with it (sessions stay: it is the same person).
        super::end_sign_in_links(store, &id.to_string()).await?;
    }
    Ok(after)
}

#[derive(Debug, Serialize)]
pub struct Revoked {
    pub sessions_ended: usize,
}

/// Ends every session of a contact now: their next request gets 401.
pub async fn revoke(store: &Store, actor: &Actor, client_id: ClientId, id: ContactId) -> Result<Revoked, Error> {
    get(store, client_id, id).await?;
    let ended = end_contact_sessions(store, id).await?;
    let audit =
        actor.audit(Some(client_id), "contact.revoke", format!("contact:{id}"), format!("{ended} session(s) ended"));
    store.append_audit(&audit).await?;
    Ok(Revoked { sessions_ended: ended })
}

/// Ends the sessions of every contact of a company (its portal was switched off or archived).
pub async fn end_company_sessions(store: &Store, client_id: ClientId) -> Result<(), Error> {
    for contact in store.list_contacts(client_id).await? {
        end_contact_sessions(store, contact.id).await?;
    }
    Ok(())
}

/// Emails a contact a welcoming magic link (the same mail whoever invites them).
pub async fn invite(
    store: &Store,
    mailer: &Mailer,
    config: &Config,
    actor: &Actor,
    client_id: ClientId,
    id: ContactId,
) -> Result<(), Error> {
    let (company, person) = tokio::try_join!(
        async { store.get_client(client_id).await?.ok_or(Error::NotFound) },
        get(store, client_id, id)
    )?;
    let principal = Principal::Contact { client: company.clone(), contact: person.clone() };
    if !principal.may_sign_in() {
        return Err(Error::conflict(
            "portal_access_off",
            "Turn on portal access for this contact (and their company) before inviting them.",
        ));
    }
    super::check_invite_rate(store, actor, &person.email).await?;
    let link = welcome_link(store, config, (Role::Client, id.to_string(), Some(client_id)), &person.email).await?;
    let brand = Brand::current(store, config).await?;
    let invitation = Invitation { name: &person.name, brand: &brand, company: &company.company_name, link: &link }
        .to(&person.email)?;
    send_invitation(store, mailer, &invitation).await?;
    store
        .append_audit(&actor.audit(
            Some(client_id),
            "contact.invite",
            format!("contact:{id}"),
            person.email.to_string(),
        ))
        .await?;
    Ok(())
}
