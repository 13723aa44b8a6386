//! Contacts at client companies: adding them, editing them, their portal access, ending their
//! sessions, and inviting them.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{Actor, change, email, not_found_on_cancel, text, yes};
use crate::config::Config;
use crate::domain::{ClientId, Contact, ContactId, Error, LoginToken, LoginTokenRecord, Principal, Role};
use crate::mail::{Invitation, Mailer};
use crate::store::{Store, StoreError};

#[derive(Debug, Deserialize)]
pub struct NewContact {
    pub name: String,
    pub email: String,
    #[serde(default = "yes")]
    pub portal_enabled: bool,
}

#[derive(Debug, Default, Deserialize)]
pub struct ContactPatch {
    pub name: Option<String>,
    pub email: Option<String>,
    pub portal_enabled: Option<bool>,
}

pub async fn add(store: &Store, actor: &Actor, client_id: ClientId, input: NewContact) -> Result<Contact, Error> {
    let contact = Contact {
        id: ContactId::new(),
        client_id,
        name: text(&input.name, "name", 200)?,
        email: email(&input.email)?,
        portal_enabled: input.portal_enabled,
        created_at: OffsetDateTime::now_utc(),
    };
    let audit = actor.audit(
        Some(client_id),
        "contact.create",
        format!("contact:{}", contact.id),
        format!("{} <{}>, portal {}", contact.name, contact.email, if contact.portal_enabled { "on" } else { "off" }),
    );
    match store.create_contact(&contact, &audit).await {
        Ok(()) => Ok(contact),
        Err(StoreError::EmailTaken) => Err(StoreError::EmailTaken.into()),
        Err(StoreError::ConditionFailed | StoreError::Cancelled(_)) => Err(Error::NotFound),
        Err(other) => Err(other.into()),
    }
}

async fn get(store: &Store, client_id: ClientId, id: ContactId) -> Result<Contact, Error> {
    store.get_contact(client_id, id).await?.ok_or(Error::NotFound)
}

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
    let mut changes = Vec::new();
    change(&mut changes, "name", &before.name, &after.name);
    change(&mut changes, "email", &before.email.as_str(), &after.email.as_str());
    change(&mut changes, "portal_enabled", &before.portal_enabled, &after.portal_enabled);
    if changes.is_empty() {
        return Ok(before);
    }
    let audit = actor.audit(Some(client_id), "contact.update", format!("contact:{id}"), changes.join("; "));
    match store.update_contact(&before, &after, &audit).await {
        Ok(()) => {}
        // Positions: 0 contact, 1 new claim (when the email changed), then the rest.
        Err(StoreError::Cancelled(failed)) if before.email != after.email && failed.contains(&1) => {
            return Err(StoreError::EmailTaken.into());
        }
        Err(other) => return Err(not_found_on_cancel(other)),
    }
    if before.portal_enabled && !after.portal_enabled {
        end_sessions(store, id).await?;
    }
    Ok(after)
}

#[derive(Debug, Serialize)]
pub struct Revoked {
    pub sessions_ended: usize,
}

/// Ends every session of a contact; returns how many there were.
pub(super) async fn end_sessions(store: &Store, id: ContactId) -> Result<usize, Error> {
    let sessions = store.sessions_of(&id.to_string()).await?;
    store.delete_sessions(&sessions).await?;
    Ok(sessions.len())
}

/// Ends every session of a contact now: their next request gets 401.
pub async fn revoke(store: &Store, actor: &Actor, client_id: ClientId, id: ContactId) -> Result<Revoked, Error> {
    get(store, client_id, id).await?;
    let ended = end_sessions(store, id).await?;
    let audit =
        actor.audit(Some(client_id), "contact.revoke", format!("contact:{id}"), format!("{ended} session(s) ended"));
    store.append_audit(&audit).await?;
    Ok(Revoked { sessions_ended: ended })
}

/// Emails a contact a welcoming magic link.
pub async fn invite(
    store: &Store,
    mailer: &Mailer,
    config: &Config,
    actor: &Actor,
    client_id: ClientId,
    id: ContactId,
) -> Result<(), Error> {
    let (company, person) = tokio::try_join!(super::clients::get(store, client_id), get(store, client_id, id))?;
    let principal = Principal::Contact { client: company.clone(), contact: person.clone() };
    if !principal.may_sign_in() {
        return Err(Error::conflict(
            "portal_access_off",
            "Turn on portal access for this contact (and their company) before inviting them.",
        ));
    }
    let token = LoginToken::generate().map_err(|_| Error::internal("system random number generator failed"))?;
    // Invitations live longer than sign-in links: a welcome mail may sit unread for a while.
    let expires_at = OffsetDateTime::now_utc().unix_timestamp() + 72 * 3600;
    let record =
        LoginTokenRecord { role: Role::Client, principal_id: id.to_string(), client_id: Some(client_id), expires_at };
    store.put_login_token(&token.hash(), &record).await?;
    let link = format!("{}/auth/verify#token={}", config.public_url, token.as_str());
    let invitation =
        Invitation { name: &person.name, agency: &config.agency_name, company: &company.company_name, link: &link }
            .to(&person.email)?;
    mailer.send(&invitation).await.map_err(|error| {
        tracing::error!(%error, "invitation could not be sent");
        Error::DependencyUnavailable {
            code: "email_unavailable",
            message: "The invitation could not be sent. Try again shortly.".into(),
        }
    })?;
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
