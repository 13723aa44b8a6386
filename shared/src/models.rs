//! What the portal stores and returns. These are plain data: the store module alone turns them
//! into DynamoDB items (adding keys and TTLs), so no handler ever sees an `AttributeValue`.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::domain::{AdminId, ClientId, ContactId, EmailAddress, Role, SessionId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClientStatus {
    Active,
    Archived,
}

/// A client company: the tenant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Client {
    pub id: ClientId,
    pub company_name: String,
    pub status: ClientStatus,
    /// Company-wide switch: off blocks every contact's sign-in.
    pub portal_enabled: bool,
    #[serde(default)]
    pub harvest_client_id: Option<u64>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// A person at a client company.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contact {
    pub id: ContactId,
    pub client_id: ClientId,
    pub name: String,
    pub email: EmailAddress,
    pub portal_enabled: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// An agency staff member.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Admin {
    pub id: AdminId,
    pub name: String,
    pub email: EmailAddress,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProjectStatus {
    Planning,
    Active,
    OnHold,
    Completed,
}

/// A piece of work for a client.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Project {
    pub id: ulid::Ulid,
    pub client_id: ClientId,
    pub name: String,
    pub status: ProjectStatus,
    #[serde(default)]
    pub start_date: Option<time::Date>,
    #[serde(default)]
    pub due_date: Option<time::Date>,
    #[serde(default)]
    pub summary: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// Who an email address belongs to: the `EMAIL#{email}` claim item makes an address unique
/// across contacts and admins and is how sign-in finds a person with one consistent read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailClaim {
    pub email: EmailAddress,
    pub role: Role,
    /// Contact or admin id.
    pub principal_id: String,
    /// Set for contacts.
    #[serde(default)]
    pub client_id: Option<ClientId>,
}

/// Someone who can sign in, resolved from a claim and checked for eligibility.
#[derive(Debug, Clone, PartialEq)]
pub enum Principal {
    Contact { client: Client, contact: Contact },
    Admin(Admin),
}

impl Principal {
    pub fn role(&self) -> Role {
        match self {
            Self::Contact { .. } => Role::Client,
            Self::Admin(_) => Role::Admin,
        }
    }

    pub fn id(&self) -> String {
        match self {
            Self::Contact { contact, .. } => contact.id.to_string(),
            Self::Admin(admin) => admin.id.to_string(),
        }
    }

    pub fn client_id(&self) -> Option<ClientId> {
        match self {
            Self::Contact { client, .. } => Some(client.id),
            Self::Admin(_) => None,
        }
    }

    pub fn name(&self) -> &str {
        match self {
            Self::Contact { contact, .. } => &contact.name,
            Self::Admin(admin) => &admin.name,
        }
    }

    pub fn email(&self) -> &EmailAddress {
        match self {
            Self::Contact { contact, .. } => &contact.email,
            Self::Admin(admin) => &admin.email,
        }
    }

    /// May this principal sign in right now? Contacts need their own access, their company's
    /// portal switch and an active company; admins always may.
    pub fn may_sign_in(&self) -> bool {
        match self {
            Self::Contact { client, contact } => {
                contact.portal_enabled && client.portal_enabled && client.status == ClientStatus::Active
            }
            Self::Admin(_) => true,
        }
    }

    /// Audit actor label, e.g. `contact:01J…`.
    pub fn actor(&self) -> String {
        match self {
            Self::Contact { contact, .. } => format!("contact:{}", contact.id),
            Self::Admin(admin) => format!("admin:{}", admin.id),
        }
    }
}

/// A pending magic link, stored under the SHA-256 of its token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginTokenRecord {
    pub role: Role,
    pub principal_id: String,
    #[serde(default)]
    pub client_id: Option<ClientId>,
    /// Unix seconds. Checked in code: DynamoDB's TTL deletion is lazy (up to days).
    pub expires_at: i64,
}

/// A signed-in session. The JWT in the cookie is valid only while this row exists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionRecord {
    pub sid: SessionId,
    pub role: Role,
    pub principal_id: String,
    #[serde(default)]
    pub client_id: Option<ClientId>,
    /// Unix seconds.
    pub issued_at: i64,
    /// Unix seconds; checked in code as well as by TTL.
    pub expires_at: i64,
}

/// One append-only audit log entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEvent {
    pub id: ulid::Ulid,
    /// Client the event concerns; `None` for agency-wide events.
    #[serde(default)]
    pub client_id: Option<ClientId>,
    /// `contact:{id}`, `admin:{id}` or `system`.
    pub actor: String,
    /// Dotted verb, e.g. `auth.sign_in`.
    pub action: String,
    pub target: String,
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

impl AuditEvent {
    pub fn new(client_id: Option<ClientId>, actor: String, action: &str, target: String) -> Self {
        Self {
            id: ulid::Ulid::new(),
            client_id,
            actor,
            action: action.to_owned(),
            target,
            summary: None,
            at: OffsetDateTime::now_utc(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(status: ClientStatus, portal_enabled: bool) -> Client {
        Client {
            id: ClientId::new(),
            company_name: "Acme".into(),
            status,
            portal_enabled,
            harvest_client_id: None,
            created_at: OffsetDateTime::now_utc(),
        }
    }

    fn contact(client: &Client, portal_enabled: bool) -> Contact {
        Contact {
            id: ContactId::new(),
            client_id: client.id,
            name: "Ada".into(),
            email: EmailAddress::parse("ada@acme.example").unwrap(),
            portal_enabled,
            created_at: OffsetDateTime::now_utc(),
        }
    }

    #[test]
    fn contact_sign_in_needs_all_three_switches() {
        for (status, company, person, expected) in [
            (ClientStatus::Active, true, true, true),
            (ClientStatus::Archived, true, true, false),
            (ClientStatus::Active, false, true, false),
            (ClientStatus::Active, true, false, false),
        ] {
            let client = client(status, company);
            let contact = contact(&client, person);
            let principal = Principal::Contact { client, contact };
            assert_eq!(principal.may_sign_in(), expected, "{status:?} {company} {person}");
        }
    }
}
