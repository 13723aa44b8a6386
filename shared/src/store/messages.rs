//! The message thread, read markers and the client-facing activity feed.

use aws_sdk_dynamodb::types::{TransactWriteItem, Update};

use super::{Item, ListQuery, Store, StoreError, TableSpec, classify, keys, n, s, to_item};
use crate::domain::{Activity, ActivityKind, Message, MessageThread};
use crate::domain::{ClientId, ContactId};

/// The thread's share of unread counts: how many messages it holds (kept in the transaction
/// that posts each one) and the newest.
#[derive(Debug, Default, Clone, Copy, serde::Deserialize)]
pub struct ThreadCount {
    #[serde(default)]
    pub message_count: u64,
    pub last_message_id: Option<ulid::Ulid>,
}

/// What a contact has read: the newest message (which messages show as new) and how many of
/// the thread's messages they have seen, their own included (the unread count).
#[derive(Debug, Default, Clone, Copy, serde::Deserialize)]
pub struct ReadMarker {
    pub last_read: Option<ulid::Ulid>,
    #[serde(default)]
    pub seen_count: u64,
}

impl ReadMarker {
    /// Messages in the thread this contact has not seen: two counters, whatever the thread's length.
    pub fn unread(&self, thread: &ThreadCount) -> u64 {
        thread.message_count.saturating_sub(self.seen_count)
    }
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
        // A contact has seen what they wrote: counted with the message, so it is never unread
        // for them, however many posts race.
        let author = (message.author_kind == crate::domain::AuthorKind::Contact)
            .then(|| ContactId::parse(&message.author_id))
            .flatten();
        if let Some(author) = author {
            let update = Update::builder()
                .table_name(&*self.table)
                .key("PK", s(keys::client(message.client_id)))
                .key("SK", s(keys::read_marker(author)))
                .update_expression("SET contact_id = :contact ADD seen_count :one")
                .expression_attribute_values(":contact", s(message.author_id.clone()))
                .expression_attribute_values(":one", n(1))
                .build()
                .map_err(|e| StoreError::Other(e.to_string()))?;
            ops.push(TransactWriteItem::builder().update(update).build());
        }
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

    /// The thread's message count and newest message: one item, whatever the thread's length.
    pub async fn thread_count(&self, client: ClientId) -> Result<ThreadCount, StoreError> {
        let output = self
            .db
            .get_item()
            .table_name(&*self.table)
            .key("PK", s(keys::client(client)))
            .key("SK", s("THREAD"))
            .projection_expression("message_count, last_message_id")
            .consistent_read(true)
            .send()
            .await
            .map_err(classify)?;
        Ok(output.item.map(super::from_item).transpose()?.unwrap_or_default())
    }

    /// Adds `count` messages written outside `post_message` (bulk loading for benchmarks) to the
    /// thread's counter, `newest` being the newest of them.
    pub async fn add_to_thread_count(
        &self,
        client: ClientId,
        count: u64,
        newest: ulid::Ulid,
    ) -> Result<(), StoreError> {
        self.db
            .update_item()
            .table_name(&*self.table)
            .key("PK", s(keys::client(client)))
            .key("SK", s("THREAD"))
            .update_expression("SET client_id = :client, last_message_id = :newest ADD message_count :count")
            .expression_attribute_values(":client", s(client.to_string()))
            .expression_attribute_values(":newest", s(newest.to_string()))
            .expression_attribute_values(":count", n(i64::try_from(count).unwrap_or(i64::MAX)))
            .send()
            .await
            .map_err(classify)?;
        Ok(())
    }

    /// What this contact has read (nothing yet: the default).
    pub async fn read_marker(&self, client: ClientId, contact: ContactId) -> Result<ReadMarker, StoreError> {
        Ok(self.get::<ReadMarker>(keys::client(client), keys::read_marker(contact)).await?.unwrap_or_default())
    }

    /// Moves the read marker forward to `last_read` (never back: a stale tab cannot un-read
    /// messages), with `seen_count` when the caller knows how many messages precede it.
    pub async fn advance_read_marker(
        &self,
        client: ClientId,
        contact: ContactId,
        last_read: ulid::Ulid,
        seen_count: Option<u64>,
    ) -> Result<(), StoreError> {
        let mut update = self
            .db
            .update_item()
            .table_name(&*self.table)
            .key("PK", s(keys::client(client)))
            .key("SK", s(keys::read_marker(contact)))
            .expression_attribute_values(":new", s(last_read.to_string()))
            .expression_attribute_values(":contact", s(contact.to_string()));
        update = match seen_count {
            Some(count) => update
                .update_expression("SET last_read = :new, contact_id = :contact, seen_count = :seen")
                // The same newest message with a larger count is a step forward too (a count
                // the post's transaction left behind).
                .condition_expression(
                    "attribute_not_exists(last_read) OR last_read < :new OR \
                     (last_read = :new AND (attribute_not_exists(seen_count) OR seen_count < :seen))",
                )
                .expression_attribute_values(":seen", n(i64::try_from(count).unwrap_or(i64::MAX))),
            None => update
                .update_expression("SET last_read = :new, contact_id = :contact")
                .condition_expression("attribute_not_exists(last_read) OR last_read < :new"),
        };
        super::done_if_condition_failed(update.send().await.map_err(classify))
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
        // `message_count` counts every message, in the transaction that writes it: contacts'
        // unread counts are this minus what their read marker has seen.
        let (expression, unread) = match message.author_kind {
            crate::domain::AuthorKind::Contact => (
                "SET client_id = :cid, company_name = :company, last_message_id = :id, last_message_at = :at, \
                 last_author_name = :author, last_preview = :preview, GSI1PK = :gpk, GSI1SK = :gsk \
                 ADD unread_for_agency :unread, message_count :one",
                1,
            ),
            crate::domain::AuthorKind::Agency => (
                "SET client_id = :cid, company_name = :company, last_message_id = :id, last_message_at = :at, \
                 last_author_name = :author, last_preview = :preview, GSI1PK = :gpk, GSI1SK = :gsk, \
                 unread_for_agency = :unread ADD message_count :one",
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
            .expression_attribute_values(":one", n(1))
            .build()
            .map_err(|e| StoreError::Other(e.to_string()))?;
        Ok(TransactWriteItem::builder().update(update).build())
    }
}
