//! Agency admins. Today only the operator adds them (`portal admin add`); the first one
//! bootstraps a new deployment.

use time::OffsetDateTime;

use super::{Actor, email, text};
use crate::domain::{Admin, AdminId, Error};
use crate::store::{Store, StoreError};

/// Adds an admin with their email claim and an audit event, in one transaction.
pub async fn add(store: &Store, actor: &Actor, name: &str, address: &str) -> Result<Admin, Error> {
    let admin = Admin {
        id: AdminId::new(),
        name: text(name, "name", 200)?,
        email: email(address)?,
        created_at: OffsetDateTime::now_utc(),
    };
    let audit =
        actor.audit(None, "admin.create", format!("admin:{}", admin.id), format!("{} <{}>", admin.name, admin.email));
    match store.create_admin(&admin, &audit).await {
        Ok(()) => Ok(admin),
        Err(StoreError::EmailTaken) => Err(StoreError::EmailTaken.into()),
        Err(other) => Err(other.into()),
    }
}
