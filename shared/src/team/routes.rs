//! The routes of the `team` function: a client company's Team page, for its owners. Every
//! handler asks `auth::access` for `ManageTeam` first: members get 403, agency staff 403.
//! The company is always the session's; a contact id of another company is 404.

use std::sync::Arc;

use axum::Router;
use axum::extract::{FromRef, State};
use axum::http::StatusCode;
use axum::routing::{get, patch, post};
use serde::{Deserialize, Serialize};

use super::contacts::{self, ContactPatch, NewContact};
use crate::auth::{Action, ClientSession, Sessions};
use crate::config::Config;
use crate::domain::{Actor, Contact, ContactId, ContactRole, Error};
use crate::http::{ApiResult, Json, Path};
use crate::mail::Mailer;
use crate::store::Store;

type Reply<T> = ApiResult<axum::Json<T>>;

pub fn team<S: Clone + Send + Sync + 'static>() -> Router<S>
where
    Store: FromRef<S>,
    Mailer: FromRef<S>,
    Arc<Config>: FromRef<S>,
    Sessions: FromRef<S>,
{
    Router::new()
        .route("/api/team", get(list).post(invite_colleague))
        .route("/api/team/{contactId}", patch(update))
        .route("/api/team/{contactId}/invite", post(resend_invitation))
}

/// A teammate as the Team page shows them.
#[derive(Debug, Serialize)]
pub struct Teammate {
    pub id: ContactId,
    pub name: String,
    pub email: String,
    pub role: ContactRole,
    /// As the rules apply it: owners always see invoices.
    pub invoice_access: bool,
    pub portal_enabled: bool,
    /// This is the signed-in owner.
    pub you: bool,
}

impl Teammate {
    fn new(contact: Contact, you: ContactId) -> Self {
        Self {
            id: contact.id,
            invoice_access: contact.sees_invoices(),
            name: contact.name,
            email: contact.email.to_string(),
            role: contact.role,
            portal_enabled: contact.portal_enabled,
            you: contact.id == you,
        }
    }
}

#[derive(Serialize)]
struct TeamList {
    items: Vec<Teammate>,
}

async fn list(State(store): State<Store>, session: ClientSession) -> Reply<TeamList> {
    session.require(Action::ManageTeam).await?;
    let contacts = contacts::list(&store, session.client_id).await?;
    Ok(axum::Json(TeamList { items: contacts.into_iter().map(|c| Teammate::new(c, session.contact_id)).collect() }))
}

#[derive(Deserialize)]
struct Invite {
    name: String,
    email: String,
    #[serde(default)]
    invoice_access: bool,
}

#[derive(Serialize)]
struct Invited {
    #[serde(flatten)]
    teammate: Teammate,
    /// Whether the welcome mail went out; if not, the colleague is added and can be invited
    /// again (`POST /api/team/{contactId}/invite`).
    invitation_sent: bool,
}

/// Adds a colleague as a member and emails them the welcome mail an agency invitation sends.
async fn invite_colleague(
    State(store): State<Store>,
    State(mailer): State<Mailer>,
    State(config): State<Arc<Config>>,
    session: ClientSession,
    Json(input): Json<Invite>,
) -> ApiResult<(StatusCode, axum::Json<Invited>)> {
    session.require(Action::ManageTeam).await?;
    let actor = Actor::Contact(session.contact_id);
    let input = NewContact {
        name: input.name,
        email: input.email,
        portal_enabled: true,
        role: Some(ContactRole::Member),
        invoice_access: input.invoice_access,
    };
    let contact = contacts::add(&store, &actor, session.client_id, input).await?;
    let sent = contacts::invite(&store, &mailer, &config, &actor, session.client_id, contact.id).await;
    if let Err(error) = &sent {
        tracing::warn!(%error, "colleague added, invitation not sent");
    }
    let invited = Invited { teammate: Teammate::new(contact, session.contact_id), invitation_sent: sent.is_ok() };
    Ok((StatusCode::CREATED, axum::Json(invited)))
}

/// What an owner may change of a teammate: access, role, invoice access (name and email are the
/// agency's to edit).
#[derive(Deserialize)]
struct TeammatePatch {
    portal_enabled: Option<bool>,
    role: Option<ContactRole>,
    invoice_access: Option<bool>,
}

async fn update(
    State(store): State<Store>,
    session: ClientSession,
    Path(id): Path<ContactId>,
    Json(input): Json<TeammatePatch>,
) -> Reply<Teammate> {
    session.require(Action::ManageTeam).await?;
    if input.portal_enabled == Some(false) {
        let teammate = contacts::get(&store, session.client_id, id).await?;
        let stays_owner = input.role.unwrap_or(teammate.role) == ContactRole::Owner;
        if stays_owner {
            return Err(Error::conflict(
                "owner_access",
                "An owner's access cannot be switched off. Make them a member first.",
            )
            .into());
        }
    }
    let patch = ContactPatch {
        portal_enabled: input.portal_enabled,
        role: input.role,
        invoice_access: input.invoice_access,
        ..ContactPatch::default()
    };
    let actor = Actor::Contact(session.contact_id);
    let contact = contacts::update(&store, &actor, session.client_id, id, patch).await?;
    Ok(axum::Json(Teammate::new(contact, session.contact_id)))
}

async fn resend_invitation(
    State(store): State<Store>,
    State(mailer): State<Mailer>,
    State(config): State<Arc<Config>>,
    session: ClientSession,
    Path(id): Path<ContactId>,
) -> ApiResult<StatusCode> {
    session.require(Action::ManageTeam).await?;
    let actor = Actor::Contact(session.contact_id);
    contacts::invite(&store, &mailer, &config, &actor, session.client_id, id).await?;
    Ok(StatusCode::ACCEPTED)
}
