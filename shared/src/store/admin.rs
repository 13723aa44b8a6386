//! What only admins read and write: the client directory, contacts, sessions to revoke, the
//! audit log, message threads.

use aws_sdk_dynamodb::types::{TransactWriteItem, Update};

use super::{Item, ListQuery, Store, StoreError, TableSpec, classify, from_item, keys, n, s, to_item};
use crate::domain::{ClientId, Role, SessionId};
use crate::models::{AuditEvent, Client, Contact, EmailClaim, Message, MessageThread};

impl Store {
    /// Creates (`before` None: must not exist) or replaces (`before`: must exist) a project,
    /// with its audit event.
    pub async fn write_project(
        &self,
        project: &crate::models::Project,
        before: Option<&crate::models::Project>,
        audit: &AuditEvent,
    ) -> Result<(), StoreError> {
        let condition = if before.is_some() { "attribute_exists(PK)" } else { "attribute_not_exists(PK)" };
        let ops = vec![self.put_op(self.project_item(project)?, Some(condition))?, self.audit_put(audit)?];
        self.transact(ops).await
    }

    pub async fn write_milestone(
        &self,
        milestone: &crate::models::Milestone,
        activity: Option<&crate::models::Activity>,
        audit: &AuditEvent,
    ) -> Result<(), StoreError> {
        let item = to_item(
            milestone,
            keys::client(milestone.client_id),
            keys::milestone(milestone.project_id, milestone.id),
            [],
        )?;
        let mut ops = vec![self.put_op(item, None)?, self.audit_put(audit)?];
        if let Some(activity) = activity {
            ops.push(self.activity_put(activity)?);
        }
        self.transact(ops).await
    }

    /// Creates (`before` None) or replaces a deliverable if unchanged since `before` was read
    /// (optimistic concurrency), with its activity and audit event (admin writes): one
    /// transaction.
    pub async fn write_deliverable(
        &self,
        deliverable: &crate::models::Deliverable,
        before: Option<&crate::models::Deliverable>,
        activity: Option<&crate::models::Activity>,
        audit: Option<&AuditEvent>,
    ) -> Result<(), StoreError> {
        let item = self.deliverable_item(deliverable)?;
        let put = match before {
            None => self.put_op(item, Some("attribute_not_exists(PK)"))?,
            Some(before) => {
                let seen = before
                    .updated_at
                    .format(&time::format_description::well_known::Rfc3339)
                    .map_err(|e| StoreError::Other(e.to_string()))?;
                let put = aws_sdk_dynamodb::types::Put::builder()
                    .table_name(&*self.table)
                    .set_item(Some(item))
                    .condition_expression("attribute_exists(PK) AND updated_at = :seen")
                    .expression_attribute_values(":seen", s(seen))
                    .build()
                    .map_err(|e| StoreError::Other(e.to_string()))?;
                TransactWriteItem::builder().put(put).build()
            }
        };
        let mut ops = vec![put];
        if let Some(audit) = audit {
            ops.push(self.audit_put(audit)?);
        }
        if let Some(activity) = activity {
            ops.push(self.activity_put(activity)?);
        }
        self.transact(ops).await
    }

    pub async fn write_note(&self, note: &crate::models::MeetingNote, audit: &AuditEvent) -> Result<(), StoreError> {
        let item = to_item(note, keys::client(note.client_id), keys::note(note.project_id, note.id), [])?;
        self.transact(vec![self.put_op(item, None)?, self.audit_put(audit)?]).await
    }

    pub async fn delete_note(
        &self,
        client: ClientId,
        project: ulid::Ulid,
        id: ulid::Ulid,
        audit: &AuditEvent,
    ) -> Result<(), StoreError> {
        let ops = vec![
            self.delete_op(keys::client(client), keys::note(project, id), Some("attribute_exists(PK)"))?,
            self.audit_put(audit)?,
        ];
        self.transact(ops).await
    }

    /// Clients by name; `prefix` (lower-cased) narrows to names starting with it.
    pub async fn list_clients(
        &self,
        prefix: Option<&str>,
        limit: i32,
        start: Option<Item>,
    ) -> Result<(Vec<Client>, Option<Item>), StoreError> {
        let mut query = ListQuery::index(TableSpec::GSI1, "CLIENTS".into());
        query.newest_first = false;
        query.sk_prefix = prefix.map(str::to_lowercase).filter(|p| !p.is_empty());
        self.query_page(query, limit, start).await
    }

    pub async fn list_contacts(&self, client: ClientId) -> Result<Vec<Contact>, StoreError> {
        let mut query = ListQuery::table(keys::client(client), "CONTACT#");
        query.newest_first = false;
        self.query_all(query).await?.into_iter().map(from_item).collect()
    }

    /// Writes `client` (which must exist) and its audit event together.
    pub async fn update_client(&self, client: &Client, audit: &AuditEvent) -> Result<(), StoreError> {
        let ops = vec![self.put_op(self.client_item(client)?, Some("attribute_exists(PK)"))?, self.audit_put(audit)?];
        self.transact(ops).await
    }

    pub async fn create_client(&self, client: &Client, audit: &AuditEvent) -> Result<(), StoreError> {
        let ops =
            vec![self.put_op(self.client_item(client)?, Some("attribute_not_exists(PK)"))?, self.audit_put(audit)?];
        self.transact(ops).await
    }

    /// Replaces a contact; when the email changes, moves the claim in the same transaction
    /// (old claim deleted only if it is this contact's, new one only if free).
    pub async fn update_contact(
        &self,
        before: &Contact,
        after: &Contact,
        audit: &AuditEvent,
    ) -> Result<(), StoreError> {
        let item = to_item(after, keys::client(after.client_id), format!("CONTACT#{}", after.id), [])?;
        let mut ops = vec![self.put_op(item, Some("attribute_exists(PK)"))?];
        if before.email != after.email {
            let claim = EmailClaim {
                email: after.email.clone(),
                role: Role::Client,
                principal_id: after.id.to_string(),
                client_id: Some(after.client_id),
            };
            ops.push(self.put_op(
                to_item(&claim, keys::email(&after.email), "EMAIL".into(), [])?,
                Some("attribute_not_exists(PK)"),
            )?);
            ops.push(self.delete_op(keys::email(&before.email), "EMAIL".into(), None)?);
        }
        ops.push(self.audit_put(audit)?);
        self.transact(ops).await
    }

    /// Every live session of a person (GSI1 `PRINCIPAL#{id}`).
    pub async fn sessions_of(&self, principal_id: &str) -> Result<Vec<SessionId>, StoreError> {
        let mut query = ListQuery::index(TableSpec::GSI1, keys::principal(principal_id));
        query.sk_prefix = Some("SESSION#".into());
        let items = self.query_all(query).await?;
        Ok(items
            .iter()
            .filter_map(|item| item.get("sid").and_then(|v| v.as_s().ok()))
            .filter_map(|sid| SessionId::parse(sid))
            .collect())
    }

    /// Deletes sessions (idempotent: a session already gone is fine).
    pub async fn delete_sessions(&self, sessions: &[SessionId]) -> Result<(), StoreError> {
        for sid in sessions {
            self.db
                .delete_item()
                .table_name(&*self.table)
                .key("PK", s(keys::session(*sid)))
                .key("SK", s("SESSION"))
                .send()
                .await
                .map_err(classify)?;
        }
        Ok(())
    }

    /// The audit log, newest first: one client's, or everyone's (GSI1 `AUDIT`).
    pub async fn list_audit(
        &self,
        client: Option<ClientId>,
        limit: i32,
        start: Option<Item>,
    ) -> Result<(Vec<AuditEvent>, Option<Item>), StoreError> {
        let query = match client {
            Some(client) => ListQuery::table(keys::client(client), "AUDIT#"),
            None => ListQuery::index(TableSpec::GSI1, "AUDIT".into()),
        };
        self.query_page(query, limit, start).await
    }

    /// Message threads, most recent activity first (GSI1 `THREADS`).
    pub async fn list_threads(
        &self,
        limit: i32,
        start: Option<Item>,
    ) -> Result<(Vec<MessageThread>, Option<Item>), StoreError> {
        self.query_page(ListQuery::index(TableSpec::GSI1, "THREADS".into()), limit, start).await
    }

    /// Resets the agency's unread count of a thread.
    pub async fn mark_thread_read_by_agency(&self, client: ClientId) -> Result<(), StoreError> {
        let result = self
            .db
            .update_item()
            .table_name(&*self.table)
            .key("PK", s(keys::client(client)))
            .key("SK", s("THREAD"))
            .update_expression("SET unread_for_agency = :zero")
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_values(":zero", n(0))
            .send()
            .await
            .map_err(classify);
        super::done_if_condition_failed(result)
    }

    /// The thread summary's share of posting `message`: last message and the agency's unread
    /// count (client messages add one; an agency reply means the agency has read it all).
    pub(crate) fn thread_update(&self, message: &Message, company_name: &str) -> Result<TransactWriteItem, StoreError> {
        let preview: String = message.body.chars().take(140).collect();
        let (expression, unread) = match message.author_kind {
            crate::models::AuthorKind::Contact => (
                "SET client_id = :cid, company_name = :company, last_message_id = :id, last_message_at = :at, \
                 last_author_name = :author, last_preview = :preview, GSI1PK = :gpk, GSI1SK = :gsk \
                 ADD unread_for_agency :unread",
                1,
            ),
            crate::models::AuthorKind::Agency => (
                "SET client_id = :cid, company_name = :company, last_message_id = :id, last_message_at = :at, \
                 last_author_name = :author, last_preview = :preview, GSI1PK = :gpk, GSI1SK = :gsk, \
                 unread_for_agency = :unread",
                0,
            ),
        };
        let at = message
            .created_at
            .format(&time::format_description::well_known::Rfc3339)
            .map_err(|e| StoreError::Other(e.to_string()))?;
        let update = Update::builder()
            .table_name(&*self.table)
            .key("PK", s(keys::client(message.client_id)))
            .key("SK", s("THREAD"))
            .update_expression(expression)
            .expression_attribute_values(":cid", s(message.client_id.to_string()))
            .expression_attribute_values(":company", s(company_name))
            .expression_attribute_values(":id", s(message.id.to_string()))
            .expression_attribute_values(":at", s(at))
            .expression_attribute_values(":author", s(message.author_name.clone()))
            .expression_attribute_values(":preview", s(preview))
            .expression_attribute_values(":gpk", s("THREADS"))
            .expression_attribute_values(":gsk", s(message.id.to_string()))
            .expression_attribute_values(":unread", n(unread))
            .build()
            .map_err(|e| StoreError::Other(e.to_string()))?;
        Ok(TransactWriteItem::builder().update(update).build())
    }
}
