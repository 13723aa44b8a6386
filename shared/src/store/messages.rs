//! The message thread, read markers and the client-facing activity feed.

use aws_sdk_dynamodb::types::{TransactWriteItem, Update};

use super::{Item, ListQuery, Store, StoreError, TableSpec, classify, keys, n, s, to_item};
use crate::domain::{Activity, ActivityKind, Message, MessageThread};
use crate::domain::{ClientId, ContactId};

/// Just enough of a message to count unread ones.
#[derive(Debug, serde::Deserialize)]
pub struct MessageMeta {
    pub id: ulid::Ulid,
    pub author_id: String,
}

impl Store {
    /// Posts a message with its activity event, the thread summary's update and (for agency
    /// replies) the audit event, all in one transaction.
    pub async fn post_message(
        &self,
        message: &Message,
        activity: &Activity,
        company_name: &str,
        audit: Option<&crate::domain::AuditEvent>,
    ) -> Result<(), StoreError> {
        let item = self.message_item(message)?;
        let mut ops = vec![
            self.put_op(item, Some("attribute_not_exists(PK)"))?,
            self.activity_put(activity)?,
            self.thread_update(message, company_name)?,
        ];
        if let Some(audit) = audit {
            ops.push(self.audit_put(audit)?);
        }
        self.transact(ops).await
    }

    /// The item `post_message` writes for a message (bulk loading for benchmarks uses it).
    pub fn message_item(&self, message: &Message) -> Result<crate::store::Item, StoreError> {
        to_item(message, keys::client(message.client_id), keys::message(message.id), [])
    }

    /// Newest first.
    pub async fn list_messages(
        &self,
        client: ClientId,
        limit: i32,
        start: Option<Item>,
    ) -> Result<(Vec<Message>, Option<Item>), StoreError> {
        self.query_page(ListQuery::table(keys::client(client), "MESSAGE#"), limit, start).await
    }

    /// Ids and authors of the newest `limit` messages (for unread counts; bounded cost).
    pub async fn recent_message_meta(&self, client: ClientId, limit: i32) -> Result<Vec<MessageMeta>, StoreError> {
        let mut query = ListQuery::table(keys::client(client), "MESSAGE#");
        query.projection = Some("id, author_id");
        Ok(self.query_page(query, limit, None).await?.0)
    }

    /// The id of the newest message this contact has read.
    pub async fn read_marker(&self, client: ClientId, contact: ContactId) -> Result<Option<ulid::Ulid>, StoreError> {
        #[derive(serde::Deserialize)]
        struct Marker {
            last_read: ulid::Ulid,
        }
        Ok(self.get::<Marker>(keys::client(client), keys::read_marker(contact)).await?.map(|m| m.last_read))
    }

    /// Moves the read marker forward (never back: a stale tab cannot un-read messages).
    pub async fn advance_read_marker(
        &self,
        client: ClientId,
        contact: ContactId,
        last_read: ulid::Ulid,
    ) -> Result<(), StoreError> {
        let result = self
            .db
            .put_item()
            .table_name(&*self.table)
            .item("PK", s(keys::client(client)))
            .item("SK", s(keys::read_marker(contact)))
            .item("last_read", s(last_read.to_string()))
            .item("contact_id", s(contact.to_string()))
            .condition_expression("attribute_not_exists(last_read) OR last_read < :new")
            .expression_attribute_values(":new", s(last_read.to_string()))
            .send()
            .await
            .map_err(classify);
        super::done_if_condition_failed(result)
    }

    /// Newest first.
    /// One page of the feed; without `billing`, billing news is left out in DynamoDB (the
    /// page stays bounded: a short page comes with a cursor).
    pub async fn list_activity(
        &self,
        client: ClientId,
        billing: bool,
        limit: i32,
        start: Option<Item>,
    ) -> Result<(Vec<Activity>, Option<Item>), StoreError> {
        let query = ListQuery::table(keys::client(client), "ACTIVITY#");
        if billing {
            return self.query_page(query, limit, start).await;
        }
        let kinds = ActivityKind::BILLING.iter().map(|kind| kind.as_str().to_owned());
        self.query_page_filtered(query, &super::Filter::any_of("kind", kinds, true), limit, start).await
    }

    pub fn activity_item(&self, activity: &Activity) -> Result<Item, StoreError> {
        // In the outbox (GSI1 `OUTBOX`) until notifications have fanned it out: written with
        // the event, so an event that exists is never left unannounced.
        to_item(
            activity,
            keys::client(activity.client_id),
            keys::activity(activity.id),
            [("GSI1PK", s(super::notifications::OUTBOX)), ("GSI1SK", s(activity.id.to_string()))],
        )
    }

    pub(crate) fn activity_put(&self, activity: &Activity) -> Result<TransactWriteItem, StoreError> {
        self.put_op(self.activity_item(activity)?, Some("attribute_not_exists(PK)"))
    }

    /// Message threads of the `visible` clients, most recent activity first (GSI1 `THREADS`).
    pub async fn list_threads(
        &self,
        visible: &super::Visible,
        limit: i32,
        start: Option<Item>,
    ) -> Result<(Vec<MessageThread>, Option<Item>), StoreError> {
        let query = ListQuery::index(TableSpec::GSI1, "THREADS".into());
        self.query_page_visible(query, "client_id", visible, limit, start).await
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
            crate::domain::AuthorKind::Contact => (
                "SET client_id = :cid, company_name = :company, last_message_id = :id, last_message_at = :at, \
                 last_author_name = :author, last_preview = :preview, GSI1PK = :gpk, GSI1SK = :gsk \
                 ADD unread_for_agency :unread",
                1,
            ),
            crate::domain::AuthorKind::Agency => (
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
