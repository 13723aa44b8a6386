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
use crate::domain::{AdminId, ClientId, ContactId, EmailAddress, Error, LoginToken, LoginTokenRecord, Role};
use crate::mail::{Email, Mailer};
use crate::store::Store;

/// How long a welcome link works: longer than a sign-in link, as a welcome mail may sit unread.
const WELCOME_LINK_HOURS: i64 = 72;

/// A one-time sign-in link for someone just invited (stored, as every token, by its hash).
async fn welcome_link(
    store: &Store,
    config: &Config,
    (role, principal_id, client_id): (Role, String, Option<ClientId>),
    sent_to: &EmailAddress,
) -> Result<String, Error> {
    let token = LoginToken::generate().map_err(|_| Error::internal("system random number generator failed"))?;
    let expires_at = OffsetDateTime::now_utc().unix_timestamp() + WELCOME_LINK_HOURS * 3600;
    let record = LoginTokenRecord { role, principal_id, client_id, expires_at, sent_to: Some(sent_to.clone()) };
    store.put_login_token(&token.hash(), &record).await?;
    Ok(format!("{}/auth/verify#token={}", config.public_url, token.as_str()))
}

/// Invitations one person may send in `INVITE_WINDOW`, and invitations one address may
/// receive in it, whoever sends them: owners cannot turn the portal into a mail cannon.
const INVITES_PER_SENDER: u32 = 30;
const INVITES_PER_ADDRESS: u32 = 5;
const INVITE_WINDOW: std::time::Duration = std::time::Duration::from_secs(3600);

/// Counts an invitation against its sender's and its address's limits (429 when over either;
/// the operator's CLI is not limited). Subjects are hashed, as for sign-in.
async fn check_invite_rate(store: &Store, actor: &crate::domain::Actor, to: &EmailAddress) -> Result<(), Error> {
    if matches!(actor, crate::domain::Actor::Operator) {
        return Ok(());
    }
    let now = OffsetDateTime::now_utc().unix_timestamp();
    let by = format!("invite-by#{}", crate::domain::sha256_hex(&actor.label()));
    let to = format!("invite-to#{}", crate::domain::sha256_hex(to.as_str()));
    let (by, to) =
        tokio::try_join!(store.hit_rate_limit(&by, INVITE_WINDOW, now), store.hit_rate_limit(&to, INVITE_WINDOW, now))?;
    match crate::store::RateLimitHit::retry_after(&[(by, INVITES_PER_SENDER), (to, INVITES_PER_ADDRESS)]) {
        Some(retry_after_secs) => Err(Error::RateLimited { retry_after_secs }),
        None => Ok(()),
    }
}

/// Sends an invitation; SES failing is `email_unavailable` (503), worth trying again. An
/// address on the suppression list (it bounced, or its owner reported spam) gets nothing: 409.
async fn send_invitation(store: &Store, mailer: &Mailer, invitation: &Email) -> Result<(), Error> {
    if store.suppression(&invitation.to).await?.is_some() {
        return Err(Error::conflict(
            "email_suppressed",
            "Mail to this address bounced or was reported as spam, so nothing is sent to it. Check the address; an agency owner can then clear it (\"Send email again\").",
        ));
    }
    mailer.send(invitation).await.map_err(|error| {
        tracing::error!(%error, "invitation could not be sent");
        Error::DependencyUnavailable {
            code: "email_unavailable",
            message: "The invitation could not be sent. Try again shortly.".into(),
        }
    })
}

/// Ends every session of a person (contact or staff) and removes their unused sign-in links;
/// returns how many sessions there were. Access is also re-read on every request, so this is
/// tidying up, not the guarantee for sessions; for links it is what kills them.
async fn end_sessions(store: &Store, principal_id: &str) -> Result<usize, Error> {
    let sessions = store.sessions_of(principal_id).await?;
    store.delete_sessions(&sessions).await?;
    end_sign_in_links(store, principal_id).await?;
    Ok(sessions.len())
}

/// Removes a person's unused sign-in and welcome links: a link dies with the reason it was
/// sent (their address, access or existence changed). Links also carry the address they went
/// to, checked when redeemed, so one written during this sweep dies all the same.
pub(crate) async fn end_sign_in_links(store: &Store, principal_id: &str) -> Result<usize, Error> {
    Ok(store.delete_sign_in_links(principal_id).await?)
}

pub(crate) async fn end_contact_sessions(store: &Store, id: ContactId) -> Result<usize, Error> {
    end_sessions(store, &id.to_string()).await
}

pub(crate) async fn end_staff_sessions(store: &Store, id: AdminId) -> Result<usize, Error> {
    end_sessions(store, &id.to_string()).await
}
