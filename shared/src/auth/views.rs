//! What sign-in answers: who is signed in.

use serde::Serialize;

use crate::domain::Principal;

/// Who is signed in, as `GET /api/me` and `POST /api/auth/verify` report it.
#[derive(Debug, Serialize)]
pub struct MeResponse {
    pub role: crate::domain::Role,
    pub user: UserView,
    /// The contact's company; `null` for agency admins.
    pub client: Option<ClientView>,
    #[serde(with = "time::serde::rfc3339")]
    pub session_expires_at: time::OffsetDateTime,
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
        Self {
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
