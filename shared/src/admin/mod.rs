//! What agency staff do: the client directory (`clients`), contacts and portal access
//! (`contacts`), projects and milestones (`projects`), deliverables and their files
//! (`deliverables`), meeting notes (`notes`), replies and the inbox (`messages`), the audit log
//! (`audit`), agency admins (`staff`); and the routes of the `admin` function. The `portal` CLI
//! calls the same services, audited as the operator.
//!
//! Every write is one transaction with its audit event (actor, action, target, before → after),
//! so a write is never recorded twice or missed; a failed condition leaves nothing written.

pub mod audit;
pub mod clients;
pub mod contacts;
pub mod deliverables;
pub mod messages;
pub mod notes;
pub mod projects;
pub mod routes;
pub mod staff;

use serde::Deserialize;

use crate::domain::{AdminId, AuditEvent, ClientId, EmailAddress, Error};
use crate::mail::{Mailer, Notification};
use crate::store::{Store, StoreError};

/// Who makes a change: an admin through the API, or the operator through the CLI.
#[derive(Debug, Clone)]
pub struct Actor {
    pub admin_id: Option<AdminId>,
}

impl Actor {
    pub fn admin(id: AdminId) -> Self {
        Self { admin_id: Some(id) }
    }

    /// The `portal` CLI, run by whoever holds the AWS credentials.
    pub fn operator() -> Self {
        Self { admin_id: None }
    }

    fn label(&self) -> String {
        self.admin_id.map_or_else(|| "operator:cli".to_owned(), |id| format!("admin:{id}"))
    }

    fn audit(&self, client: Option<ClientId>, action: &str, target: String, summary: String) -> AuditEvent {
        let mut event = AuditEvent::new(client, self.label(), action, target);
        event.summary = (!summary.is_empty()).then_some(summary);
        event
    }
}

/// A project of a client, as an admin route names it: what is written under a project (notes,
/// milestones) is found through it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InProject {
    pub client_id: ClientId,
    pub project_id: ulid::Ulid,
}

/// A required text field: trimmed, 1 to `max` characters.
fn text(raw: &str, field: &'static str, max: usize) -> Result<String, Error> {
    let value = raw.trim();
    let length = value.chars().count();
    if length == 0 || length > max {
        return Err(Error::invalid("invalid_field", format!("`{field}` must be 1 to {max} characters.")));
    }
    Ok(value.to_owned())
}

/// An optional text field: trimmed, at most `max` characters (empty is fine).
fn optional_text(raw: &str, field: &'static str, max: usize) -> Result<String, Error> {
    let value = raw.trim();
    if value.chars().count() > max {
        return Err(Error::invalid("invalid_field", format!("`{field}` must be at most {max} characters.")));
    }
    Ok(value.to_owned())
}

fn email(raw: &str) -> Result<EmailAddress, Error> {
    EmailAddress::parse(raw)
        .map_err(|_| Error::malformed("invalid_email", "Enter a valid email address, like name@company.com."))
}

/// "field: before → after" for each change, for the audit log.
fn change<T: PartialEq + std::fmt::Debug>(changes: &mut Vec<String>, field: &str, before: &T, after: &T) {
    if before != after {
        changes.push(format!("{field}: {before:?} → {after:?}"));
    }
}

fn not_found_on_cancel(error: StoreError) -> Error {
    match error {
        StoreError::Cancelled(_) | StoreError::ConditionFailed => Error::NotFound,
        other => other.into(),
    }
}

/// Emails every portal-enabled contact of a client; failures are logged, not returned (the
/// change itself succeeded).
async fn notify_contacts(store: &Store, mailer: &Mailer, client_id: ClientId, notice: Notification<'_>) {
    let contacts = match store.list_contacts(client_id).await {
        Ok(contacts) => contacts,
        Err(error) => {
            tracing::error!(%error, "could not list contacts to notify");
            return;
        }
    };
    for contact in contacts.into_iter().filter(|c| c.portal_enabled) {
        let sent = match notice.to(&contact.email, &contact.name) {
            Ok(email) => mailer.send(&email).await.map_err(|e| e.to_string()),
            Err(error) => Err(error.to_string()),
        };
        if let Err(error) = sent {
            tracing::error!(%error, "notification could not be sent");
        }
    }
}

fn yes() -> bool {
    true
}

/// Distinguishes a field set to `null` (Some(None)) from an absent one (None).
fn double_option<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_fields_count_characters_and_trim() {
        assert_eq!(text("  Acme  ", "name", 200).ok().as_deref(), Some("Acme"));
        assert!(text("   ", "name", 200).is_err());
        assert!(text(&"😀".repeat(200), "name", 200).is_ok(), "200 emoji are 200 characters");
        assert!(text(&"a".repeat(201), "name", 200).is_err());
        assert_eq!(optional_text("", "summary", 10).ok().as_deref(), Some(""));
        assert!(optional_text(&"b".repeat(11), "summary", 10).is_err());
    }

    #[test]
    fn changes_name_only_what_changed() {
        let mut changes = Vec::new();
        change(&mut changes, "name", &"A", &"A");
        change(&mut changes, "status", &1, &2);
        assert_eq!(changes, ["status: 1 → 2"]);
    }
}
