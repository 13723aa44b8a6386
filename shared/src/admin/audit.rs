//! The audit log, newest first: the agency's whole log (as much of it as the reader may see) or
//! one client's.

use crate::domain::{AuditEvent, ClientId, Error};
use crate::store::{Item, Store, Visible};

/// The agency-wide log: everything for owners, the assigned clients' events for members.
pub async fn log(
    store: &Store,
    visible: &Visible,
    limit: i32,
    start: Option<Item>,
) -> Result<(Vec<AuditEvent>, Option<Item>), Error> {
    Ok(store.list_audit(visible, limit, start).await?)
}

/// One client's log.
pub async fn client_log(
    store: &Store,
    client: ClientId,
    limit: i32,
    start: Option<Item>,
) -> Result<(Vec<AuditEvent>, Option<Item>), Error> {
    super::clients::get(store, client).await?;
    Ok(store.list_client_audit(client, limit, start).await?)
}
