//! What agency staff do: the client directory (`clients`), projects and milestones
//! (`projects`), deliverables and their files (`deliverables`), meeting notes (`notes`), replies
//! and the inbox (`messages`), the audit log (`audit`); and the routes of the `admin` function,
//! which also serve contacts, staff and assignments from `team`. The `portal` CLI
//! calls the same services, audited as the operator.
//!
//! Every write is one transaction with its audit event (actor, action, target, before → after),
//! so a write is never recorded twice or missed; a failed condition leaves nothing written.

pub mod audit;
pub mod clients;
pub mod deliverables;
pub mod messages;
pub mod notes;
pub mod projects;
pub mod routes;
pub mod views;

use serde::Deserialize;

pub use crate::domain::Actor;
use crate::domain::{ClientId, Error, change, optional_text, text};
use crate::store::StoreError;

/// A project of a client, as an admin route names it: what is written under a project (notes,
/// milestones) is found through it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InProject {
    pub client_id: ClientId,
    pub project_id: ulid::Ulid,
}

fn not_found_on_cancel(error: StoreError) -> Error {
    match error {
        StoreError::Cancelled(_) | StoreError::ConditionFailed => Error::NotFound,
        other => other.into(),
    }
}

fn yes() -> bool {
    true
}

/// Distinguishes a field set to `null` (Some(None)) from an absent one (None).
fn double_option<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}
