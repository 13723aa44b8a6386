//! People and what they may do: a client company's contacts with their roles and invoice access
//! (`contacts`, which the agency's console and a client owner's Team page both use), agency staff
//! with their roles and client assignments (`staff`), and the routes of the `team` function: the
//! Team page of client owners (`routes`). The rules themselves are decided in
//! `auth::access`; here are the changes, each one transaction with its audit event, and the
//! last-owner protection (the store's owner sets).

pub mod contacts;
pub mod routes;
pub mod staff;

use crate::domain::{AdminId, ContactId, Error};
use crate::store::Store;

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
