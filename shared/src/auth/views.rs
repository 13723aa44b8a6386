//! What sign-in answers: who is signed in.

use serde::Serialize;

use crate::domain::{ContactRole, Principal, StaffRole};

/// Who is signed in, as `GET /api/me` and `POST /api/auth/verify` report it.
#[derive(Debug, Serialize)]
pub struct MeResponse {
    pub role: crate::domain::Role,
    pub user: UserView,
    /// The contact's company; `null` for agency admins.
    pub client: Option<ClientView>,
    /// Their role in their team: `owner` or `member` (of the company for a contact, of the
    /// agency for staff).
    pub team_role: &'static str,
    /// What the navigation may offer them (the API decides again on every request).
    pub can: Capabilities,
    #[serde(with = "time::serde::rfc3339")]
    pub session_expires_at: time::OffsetDateTime,
}

#[derive(Debug, Serialize)]
pub struct Capabilities {
    pub see_invoices: bool,
    pub manage_team: bool,
    pub manage_agency: bool,
    /// Contacts: whether the agency lets the company upload into projects' shared files.
    pub share_files: bool,
}

#[derive(Debug, Serialize)]
pub struct UserView {
    pub id: String,
    pub name: String,
    pub email: String,
}

#[derive(Debug, Serialize)]
pub struct ClientView {
    pub id: String,
    pub company_name: String,
}

impl MeResponse {
    pub fn new(principal: &Principal, session_expires_at: i64) -> Self {
        let (owner, can) = match principal {
            Principal::Contact { contact, client } => {
                let owner = contact.role == ContactRole::Owner;
                let can = Capabilities {
                    see_invoices: contact.sees_invoices(),
                    manage_team: owner,
                    manage_agency: false,
                    share_files: client.uploads_enabled,
                };
                (owner, can)
            }
            Principal::Admin(admin) => {
                let owner = admin.role == StaffRole::Owner;
                (
                    owner,
                    Capabilities { see_invoices: false, manage_team: false, manage_agency: owner, share_files: true },
                )
            }
        };
        Self {
            team_role: if owner { "owner" } else { "member" },
            can,
            role: principal.role(),
            user: UserView {
                id: principal.id(),
                name: principal.name().to_owned(),
                email: principal.email().to_string(),
            },
            client: match principal {
                Principal::Contact { client, .. } => {
                    Some(ClientView { id: client.id.to_string(), company_name: client.company_name.clone() })
                }
                Principal::Admin(_) => None,
            },
            session_expires_at: time::OffsetDateTime::from_unix_timestamp(session_expires_at)
                .unwrap_or(time::OffsetDateTime::UNIX_EPOCH),
        }
    }
}
