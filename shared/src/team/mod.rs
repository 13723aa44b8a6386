//! People and what they may do: a client company's contacts with their roles and invoice access
//! (`contacts`, which the agency's console and a client owner's Team page both use), agency staff
//! with their roles and client assignments (`staff`), and the routes of the `team` function: the
//! Team page of client owners (`routes`). The rules themselves are decided in
//! `auth::access`; here are the changes, each one transaction with its audit event, and the
//! last-owner protection (the store's owner sets).

pub mod contacts;
pub mod routes;
pub mod staff;

use time::OffsetDateTime;

use crate::config::Config;
use crate::domain::EmailAddress;
use crate::domain::{AdminId, ClientId, ContactId, Error, LoginToken, LoginTokenRecord, Role};
use crate::mail::{Email, Mailer, Notification};
use crate::store::Store;

/// How long a welcome link works: longer than a sign-in link, as a welcome mail may sit unread.
const WELCOME_LINK_HOURS: i64 = 72;

/// A one-time sign-in link for someone just invited (stored, as every token, by its hash).
async fn welcome_link(
    store: &Store,
    config: &Config,
    role: Role,
    principal_id: String,
    client_id: Option<ClientId>,
) -> Result<String, Error> {
    let token = LoginToken::generate().map_err(|_| Error::internal("system random number generator failed"))?;
    let expires_at = OffsetDateTime::now_utc().unix_timestamp() + WELCOME_LINK_HOURS * 3600;
    let record = LoginTokenRecord { role, principal_id, client_id, expires_at };
    store.put_login_token(&token.hash(), &record).await?;
    Ok(format!("{}/auth/verify#token={}", config.public_url, token.as_str()))
}

/// Sends an invitation; SES failing is `email_unavailable` (503), worth trying again.
async fn send_invitation(mailer: &Mailer, invitation: &Email) -> Result<(), Error> {
    mailer.send(invitation).await.map_err(|error| {
        tracing::error!(%error, "invitation could not be sent");
        Error::DependencyUnavailable {
            code: "email_unavailable",
            message: "The invitation could not be sent. Try again shortly.".into(),
        }
    })
}

/// Ends every session of a person (contact or staff); returns how many there were. Access is
/// also re-read on every request, so this is tidying up, not the guarantee.
async fn end_sessions(store: &Store, principal_id: &str) -> Result<usize, Error> {
    let sessions = store.sessions_of(principal_id).await?;
    store.delete_sessions(&sessions).await?;
    Ok(sessions.len())
}

pub(crate) async fn end_contact_sessions(store: &Store, id: ContactId) -> Result<usize, Error> {
    end_sessions(store, &id.to_string()).await
}

pub(crate) async fn end_staff_sessions(store: &Store, id: AdminId) -> Result<usize, Error> {
    end_sessions(store, &id.to_string()).await
}

/// Emails every portal-enabled contact of a client; failures are logged, not returned (the
/// change itself succeeded).
pub async fn notify_contacts(store: &Store, mailer: &Mailer, client_id: ClientId, notice: Notification<'_>) {
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

/// Who hears of what a client does (a new message, files sent): the staff assigned to the client, and the agency's
/// notification address if set (each address once). A failed lookup is logged: the message
/// itself was posted.
pub async fn agency_recipients(store: &Store, config: &Config, client: ClientId) -> Vec<EmailAddress> {
    let mut recipients: Vec<EmailAddress> = config.notify_email.iter().cloned().collect();
    let staff = match store.assigned_staff(client).await {
        Ok(staff) => staff,
        Err(error) => {
            tracing::error!(%error, "could not list the staff assigned to a client");
            Vec::new()
        }
    };
    let admins = futures_util::future::join_all(staff.into_iter().map(|id| store.get_admin(id))).await;
    for admin in admins.into_iter().filter_map(|found| found.ok().flatten()) {
        if !recipients.contains(&admin.email) {
            recipients.push(admin.email);
        }
    }
    recipients
}

/// Emails the agency's side of a client (`agency_recipients`); failures are logged.
pub async fn notify_agency(
    store: &Store,
    mailer: &Mailer,
    config: &Config,
    client: ClientId,
    notice: Notification<'_>,
) {
    for to in agency_recipients(store, config, client).await {
        let sent = match notice.to(&to, &config.agency_name) {
            Ok(email) => mailer.send(&email).await.map_err(|e| e.to_string()),
            Err(error) => Err(error.to_string()),
        };
        if let Err(error) = sent {
            tracing::error!(%error, "agency notification could not be sent");
        }
    }
}
