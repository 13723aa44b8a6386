//! The audit log: append-only events, one client's under its partition, everyone's in GSI1
//! `AUDIT`.

use aws_sdk_dynamodb::types::TransactWriteItem;

use super::{Item, ListQuery, Store, StoreError, TableSpec, classify, keys, s, to_item};
use crate::domain::{AuditEvent, ClientId};

impl Store {
    /// Appends an audit event on its own (most events ride in a transaction instead).
    pub async fn append_audit(&self, audit: &AuditEvent) -> Result<(), StoreError> {
        let put = self.audit_put(audit)?;
        self.db.transact_write_items().transact_items(put).send().await.map_err(classify)?;
        Ok(())
    }

    /// Audit events are append-only: the put refuses to overwrite.
    pub(crate) fn audit_put(&self, audit: &AuditEvent) -> Result<TransactWriteItem, StoreError> {
        let pk = audit.client_id.map_or_else(|| keys::AGENCY.to_owned(), keys::client);
        // GSI1 "AUDIT" holds every event, newest first, for the agency-wide log.
        let item = to_item(
            audit,
            pk,
            format!("AUDIT#{}", audit.id),
            [("GSI1PK", s("AUDIT")), ("GSI1SK", s(audit.id.to_string()))],
        )?;
        self.put_op(item, Some("attribute_not_exists(PK)"))
    }

    /// One client's audit log, newest first.
    pub async fn list_client_audit(
        &self,
        client: ClientId,
        limit: i32,
        start: Option<Item>,
    ) -> Result<(Vec<AuditEvent>, Option<Item>), StoreError> {
        self.query_page(ListQuery::table(keys::client(client), "AUDIT#"), limit, start).await
    }

    /// The agency-wide log (GSI1 `AUDIT`), newest first: everything when every client is
    /// visible, else only the visible clients' events (agency-wide events have no client).
    pub async fn list_audit(
        &self,
        visible: &super::Visible,
        limit: i32,
        start: Option<Item>,
    ) -> Result<(Vec<AuditEvent>, Option<Item>), StoreError> {
        let query = ListQuery::index(TableSpec::GSI1, "AUDIT".into());
        self.query_page_visible(query, "client_id", visible, limit, start).await
    }
}
