//! The message thread, read markers and the client-facing activity feed.

use aws_sdk_dynamodb::types::TransactWriteItem;

use super::{Item, ListQuery, Store, StoreError, classify, keys, s, to_item};
use crate::domain::{ClientId, ContactId};
use crate::models::{Activity, Message};

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
        audit: Option<&crate::models::AuditEvent>,
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
    pub(crate) fn message_item(&self, message: &Message) -> Result<crate::store::Item, StoreError> {
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
    pub async fn list_activity(
        &self,
        client: ClientId,
        limit: i32,
        start: Option<Item>,
    ) -> Result<(Vec<Activity>, Option<Item>), StoreError> {
        self.query_page(ListQuery::table(keys::client(client), "ACTIVITY#"), limit, start).await
    }

    pub async fn append_activity(&self, activity: &Activity) -> Result<(), StoreError> {
        let item = to_item(activity, keys::client(activity.client_id), keys::activity(activity.id), [])?;
        self.put_new(item).await
    }

    pub(crate) fn activity_put(&self, activity: &Activity) -> Result<TransactWriteItem, StoreError> {
        let item = to_item(activity, keys::client(activity.client_id), keys::activity(activity.id), [])?;
        self.put_op(item, Some("attribute_not_exists(PK)"))
    }
}
