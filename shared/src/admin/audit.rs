//! The audit log, newest first: the agency's whole log or one client's.

use crate::domain::{AuditEvent, ClientId, Error};
use crate::store::{Item, Store};

pub async fn log(
    store: &Store,
    client: Option<ClientId>,
    limit: i32,
    start: Option<Item>,
) -> Result<(Vec<AuditEvent>, Option<Item>), Error> {
    if let Some(client) = client {
        super::clients::get(store, client).await?;
    }
    Ok(store.list_audit(client, limit, start).await?)
}
