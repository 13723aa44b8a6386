//! What notifications keep, per person in one partition `NOTIFY#{principal}`:
//! `PREFS` (their choices), `INBOX#{event}` (the bell), `READ` (the bell's read marker),
//! `QUEUE#{cadence}#{event}` (mail waiting to go out), `SENT#{cadence}#{event}` (gone out:
//! never queue it again) and `BATCH#{cadence}` (one per waiting mail, indexed on GSI1
//! `MAIL_DUE` by when it is due). The outbox is the activity items
//! themselves, indexed on GSI1 `OUTBOX` until fanned out; suppressed addresses are
//! `SUPPRESSED#{email}`.

use aws_sdk_dynamodb::types::{AttributeValue, KeysAndAttributes};
use serde::{Deserialize, Serialize};

use super::{Item, ListQuery, Store, StoreError, TableSpec, classify, from_item, keys, n, s, to_item};
use crate::domain::{Activity, EmailAddress};

/// The billing watch's marker (where the round is, when the next is due).
const BILLING_WATCH: &str = "BILLING_WATCH";
/// The outbox partition of GSI1: activity not yet fanned out.
pub const OUTBOX: &str = "OUTBOX";
/// The partition of GSI1 that orders waiting mail by when it is due.
const MAIL_DUE: &str = "MAIL_DUE";
/// Bell entries and queued mail go away on their own (DynamoDB TTL; reads check dates too).
const INBOX_DAYS: i64 = 90;
const QUEUE_DAYS: i64 = 14;
/// At most this many keys in one BatchGetItem.
const BATCH_GET: usize = 100;

pub(super) fn partition(principal: &str) -> String {
    format!("NOTIFY#{principal}")
}

pub(super) fn suppressed(email: &EmailAddress) -> String {
    format!("SUPPRESSED#{email}")
}

/// One event as a person's bell and mail show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NoticeRecord {
    pub event_id: ulid::Ulid,
    pub topic: String,
    pub summary: String,
    #[serde(default)]
    pub excerpt: Option<String>,
    /// Path in the web app (`/portal/messages`), made absolute when mailed.
    pub path: String,
    /// Unix seconds.
    pub at: i64,
    /// The client the event is about (absent on entries written before it was recorded), so
    /// who may see it is decided again when it is read or mailed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<crate::domain::ClientId>,
}

/// Who a mail is for: a contact (of `client_id`), a staff member, or the agency's inbox
/// address; re-read when sending, so a person removed meanwhile gets nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Addressee {
    pub principal: String,
    /// `contact`, `staff` or `inbox`.
    pub kind: String,
    #[serde(default)]
    pub client_id: Option<crate::domain::ClientId>,
}

/// A waiting mail: whom it is for and when it is due.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchRecord {
    pub principal: String,
    /// The addressee's `kind`.
    pub person_kind: String,
    #[serde(default)]
    pub client_id: Option<crate::domain::ClientId>,
    pub cadence: String,
    pub due_at: i64,
    /// How many items were added (a sender deletes the batch only if none came meanwhile).
    #[serde(default)]
    pub added: i64,
    #[serde(default)]
    pub attempts: i64,
    #[serde(default)]
    pub lease_until: Option<i64>,
    #[serde(default)]
    pub lease_owner: Option<String>,
}

/// An address SES told us not to use again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suppression {
    pub email: EmailAddress,
    /// `bounce` or `complaint`.
    pub reason: String,
    /// Unix seconds.
    pub at: i64,
}

impl Store {
    /// Events not yet fanned out, oldest first.
    pub async fn outbox(&self, limit: i32) -> Result<Vec<Activity>, StoreError> {
        let mut query = ListQuery::index(TableSpec::GSI1, OUTBOX.to_owned());
        query.newest_first = false;
        Ok(self.query_page(query, limit, None).await?.0)
    }

    /// Takes an event out of the outbox (its feed entry stays).
    pub async fn clear_outbox(&self, activity: &Activity) -> Result<(), StoreError> {
        let result = self
            .db
            .update_item()
            .table_name(&*self.table)
            .key("PK", s(keys::client(activity.client_id)))
            .key("SK", s(keys::activity(activity.id)))
            .update_expression("REMOVE GSI1PK, GSI1SK")
            .condition_expression("attribute_exists(PK)")
            .send()
            .await
            .map_err(classify);
        super::done_if_condition_failed(result)
    }

    /// Records an activity event on its own (billing news from Harvest): in the feed and the
    /// outbox, like every other event.
    pub async fn put_activity(&self, activity: &Activity) -> Result<(), StoreError> {
        self.put_new(self.activity_item(activity)?).await
    }

    /// Takes the billing watch for one page if it is due (`next_due` passed) and no other run
    /// holds it; answers where the page starts (`Some(None)`: from the first client).
    pub async fn claim_billing_watch(&self, now: i64) -> Result<Option<Option<Item>>, StoreError> {
        let output = self
            .db
            .update_item()
            .table_name(&*self.table)
            .key("PK", s(BILLING_WATCH))
            .key("SK", s(BILLING_WATCH))
            .update_expression("SET lease_until = :until")
            .condition_expression(
                "(attribute_not_exists(next_due) OR next_due <= :now) AND (attribute_not_exists(lease_until) OR lease_until < :now)",
            )
            .expression_attribute_values(":now", n(now))
            .expression_attribute_values(":until", n(now + 120))
            .return_values(aws_sdk_dynamodb::types::ReturnValue::AllNew)
            .send()
            .await
            .map_err(classify);
        match output {
            Ok(output) => {
                let cursor = output.attributes.and_then(|mut a| a.remove("cursor")).and_then(|c| match c {
                    AttributeValue::M(map) if !map.is_empty() => Some(map),
                    _ => None,
                });
                Ok(Some(cursor))
            }
            Err(StoreError::ConditionFailed) => Ok(None),
            Err(error) => Err(error),
        }
    }

    /// Saves where the next page starts; after the last page, the next round is due in `every`.
    pub async fn finish_billing_watch(&self, now: i64, next: Option<Item>, every: i64) -> Result<(), StoreError> {
        let update = self
            .db
            .update_item()
            .table_name(&*self.table)
            .key("PK", s(BILLING_WATCH))
            .key("SK", s(BILLING_WATCH))
            .expression_attribute_values(":cursor", AttributeValue::M(next.clone().unwrap_or_default()));
        let update = match next {
            Some(_) => update.update_expression("SET #cursor = :cursor REMOVE lease_until"),
            None => update
                .update_expression("SET #cursor = :cursor, next_due = :due REMOVE lease_until")
                .expression_attribute_values(":due", n(now + every)),
        };
        update.expression_attribute_names("#cursor", "cursor").send().await.map_err(classify)?;
        Ok(())
    }

    /// A person's choices as stored (topic → cadence); empty when they never chose.
    pub async fn notification_preferences(
        &self,
        principal: &str,
    ) -> Result<std::collections::BTreeMap<String, String>, StoreError> {
        let output = self
            .db
            .get_item()
            .table_name(&*self.table)
            .key("PK", s(partition(principal)))
            .key("SK", s("PREFS"))
            .consistent_read(true)
            .send()
            .await
            .map_err(classify)?;
        Ok(output.item.map(|item| topics(&item)).unwrap_or_default())
    }

    /// Many people's choices at once (one BatchGetItem per hundred), by principal.
    pub async fn preferences_of(
        &self,
        principals: &[String],
    ) -> Result<std::collections::HashMap<String, std::collections::BTreeMap<String, String>>, StoreError> {
        let mut found = std::collections::HashMap::new();
        for chunk in principals.chunks(BATCH_GET) {
            let keys = chunk
                .iter()
                .map(|principal| {
                    Item::from([("PK".to_owned(), s(partition(principal))), ("SK".to_owned(), s("PREFS"))])
                })
                .collect();
            for item in self.batch_get(keys).await? {
                if let Some(AttributeValue::S(principal)) = item.get("principal") {
                    found.insert(principal.clone(), topics(&item));
                }
            }
        }
        Ok(found)
    }

    /// Sets some topics' cadences (one attribute each, so concurrent changes to different
    /// topics both stick), leaving the others as they are.
    pub async fn set_preferences(
        &self,
        principal: &str,
        topics: &std::collections::BTreeMap<String, String>,
    ) -> Result<(), StoreError> {
        let mut update = self
            .db
            .update_item()
            .table_name(&*self.table)
            .key("PK", s(partition(principal)))
            .key("SK", s("PREFS"))
            .expression_attribute_values(":principal", s(principal));
        let mut sets = vec!["principal = :principal".to_owned()];
        for (index, (topic, cadence)) in topics.iter().enumerate() {
            sets.push(format!("#t{index} = :c{index}"));
            update = update
                .expression_attribute_names(format!("#t{index}"), format!("{TOPIC_PREFIX}{topic}"))
                .expression_attribute_values(format!(":c{index}"), s(cadence));
        }
        update.update_expression(format!("SET {}", sets.join(", "))).send().await.map_err(classify)?;
        Ok(())
    }

    /// Puts an event on a person's bell (once, however often the fan-out runs).
    pub async fn add_to_inbox(&self, principal: &str, notice: &NoticeRecord) -> Result<(), StoreError> {
        let item = to_item(
            notice,
            partition(principal),
            format!("INBOX#{}", notice.event_id),
            [("ttl", n(notice.at + INBOX_DAYS * 86_400))],
        )?;
        super::done_if_condition_failed(self.put_new(item).await)
    }

    /// The newest `limit` bell entries.
    pub async fn inbox(&self, principal: &str, limit: i32) -> Result<Vec<NoticeRecord>, StoreError> {
        Ok(self.query_page(ListQuery::table(partition(principal), "INBOX#"), limit, None).await?.0)
    }

    /// The newest event this person has seen on the bell.
    pub async fn inbox_read_through(&self, principal: &str) -> Result<Option<ulid::Ulid>, StoreError> {
        #[derive(Deserialize)]
        struct Marker {
            through: ulid::Ulid,
        }
        Ok(self.get::<Marker>(partition(principal), "READ".into()).await?.map(|m| m.through))
    }

    /// Moves the bell's read marker forward (never back).
    pub async fn mark_inbox_read(&self, principal: &str, through: ulid::Ulid) -> Result<(), StoreError> {
        let result = self
            .db
            .put_item()
            .table_name(&*self.table)
            .item("PK", s(partition(principal)))
            .item("SK", s("READ"))
            .item("through", s(through.to_string()))
            .condition_expression("attribute_not_exists(through) OR through < :new")
            .expression_attribute_values(":new", s(through.to_string()))
            .send()
            .await
            .map_err(classify);
        super::done_if_condition_failed(result)
    }

    /// Queues an event for a person's next mail of `cadence` (once per event), then makes sure
    /// a batch is waiting for it: due at `due_at` if it is the first, else when the first said.
    pub async fn queue_mail(
        &self,
        to: &Addressee,
        cadence: &str,
        notice: &NoticeRecord,
        due_at: i64,
    ) -> Result<(), StoreError> {
        let principal = to.principal.as_str();
        let item = to_item(
            notice,
            partition(principal),
            format!("QUEUE#{cadence}#{}", notice.event_id),
            [("ttl", n(notice.at + QUEUE_DAYS * 86_400))],
        )?;
        // Once per event and cadence, ever: not while queued (the put's condition), nor after
        // it was sent (its SENT marker), however late another fan-out of the same event runs.
        let check = aws_sdk_dynamodb::types::ConditionCheck::builder()
            .table_name(&*self.table)
            .key("PK", s(partition(principal)))
            .key("SK", s(format!("SENT#{cadence}#{}", notice.event_id)))
            .condition_expression("attribute_not_exists(PK)")
            .build()
            .map_err(|e| StoreError::Other(e.to_string()))?;
        let ops = vec![
            aws_sdk_dynamodb::types::TransactWriteItem::builder().condition_check(check).build(),
            self.put_op(item, Some("attribute_not_exists(PK)"))?,
        ];
        match self.transact(ops).await {
            Ok(()) | Err(StoreError::Cancelled(_)) => {}
            Err(error) => return Err(error),
        }
        // The batch after the item: a sender that misses this item leaves the batch (its count
        // moved) or a new one appears, so the item is never stranded.
        let client = to.client_id.map(|id| id.to_string()).unwrap_or_default();
        self.db
            .update_item()
            .table_name(&*self.table)
            .key("PK", s(partition(principal)))
            .key("SK", s(format!("BATCH#{cadence}")))
            .update_expression(
                "SET principal = :p, person_kind = :k, client_id = :client, cadence = :c, \
                 due_at = if_not_exists(due_at, :due), GSI1PK = :index, GSI1SK = if_not_exists(GSI1SK, :sk) \
                 ADD added :one",
            )
            .expression_attribute_values(":p", s(principal))
            .expression_attribute_values(":k", s(to.kind.clone()))
            .expression_attribute_values(
                ":client",
                if client.is_empty() { AttributeValue::Null(true) } else { s(client) },
            )
            .expression_attribute_values(":c", s(cadence))
            .expression_attribute_values(":due", n(due_at))
            .expression_attribute_values(":index", s(MAIL_DUE))
            .expression_attribute_values(":sk", s(due_key(due_at, principal, cadence)))
            .expression_attribute_values(":one", n(1))
            .send()
            .await
            .map_err(classify)?;
        Ok(())
    }

    /// Batches due by `now`, soonest first.
    pub async fn due_batches(&self, now: i64, limit: i32) -> Result<Vec<BatchRecord>, StoreError> {
        let output = self
            .db
            .query()
            .table_name(&*self.table)
            .index_name(TableSpec::GSI1)
            .key_condition_expression("GSI1PK = :index AND GSI1SK < :until")
            .expression_attribute_values(":index", s(MAIL_DUE))
            .expression_attribute_values(":until", s(format!("{:012}~", now)))
            .limit(limit)
            .send()
            .await
            .map_err(classify)?;
        output.items.unwrap_or_default().into_iter().map(from_item).collect()
    }

    /// Takes a batch for sending unless another run holds it; answers the batch as taken.
    pub async fn claim_batch(
        &self,
        principal: &str,
        cadence: &str,
        owner: &str,
        now: i64,
        lease_secs: i64,
    ) -> Result<Option<BatchRecord>, StoreError> {
        let output = self
            .db
            .update_item()
            .table_name(&*self.table)
            .key("PK", s(partition(principal)))
            .key("SK", s(format!("BATCH#{cadence}")))
            .update_expression("SET lease_until = :until, lease_owner = :owner")
            .condition_expression(
                "attribute_exists(PK) AND due_at <= :now AND (attribute_not_exists(lease_until) OR lease_until < :now)",
            )
            .expression_attribute_values(":until", n(now + lease_secs))
            .expression_attribute_values(":owner", s(owner))
            .expression_attribute_values(":now", n(now))
            .return_values(aws_sdk_dynamodb::types::ReturnValue::AllNew)
            .send()
            .await
            .map_err(classify);
        match output {
            Ok(output) => output.attributes.map(from_item).transpose(),
            Err(StoreError::ConditionFailed) => Ok(None),
            Err(error) => Err(error),
        }
    }

    /// What a batch holds (consistent: items queued just before the claim are seen).
    pub async fn queued(&self, principal: &str, cadence: &str) -> Result<Vec<NoticeRecord>, StoreError> {
        let mut query = ListQuery::table(partition(principal), &format!("QUEUE#{cadence}#"));
        query.newest_first = false;
        query.consistent = true;
        self.query_all(query).await?.into_iter().map(from_item).collect()
    }

    /// After sending: removes the items sent, then the batch, unless items were added since it
    /// was claimed (then it stays, due at once, for the next run).
    pub async fn finish_batch(&self, batch: &BatchRecord, sent: &[NoticeRecord]) -> Result<(), StoreError> {
        let pk = partition(&batch.principal);
        for notice in sent {
            // The item goes; a marker stays (for a while) so the event is never queued again.
            let marker = Item::from([
                ("PK".to_owned(), s(pk.clone())),
                ("SK".to_owned(), s(format!("SENT#{}#{}", batch.cadence, notice.event_id))),
                ("ttl".to_owned(), n(notice.at + QUEUE_DAYS * 86_400)),
            ]);
            let ops = vec![
                self.delete_op(pk.clone(), format!("QUEUE#{}#{}", batch.cadence, notice.event_id), None)?,
                self.put_op(marker, None)?,
            ];
            self.transact(ops).await?;
        }
        let deleted = self
            .db
            .delete_item()
            .table_name(&*self.table)
            .key("PK", s(pk.clone()))
            .key("SK", s(format!("BATCH#{}", batch.cadence)))
            .condition_expression("added = :added AND lease_owner = :owner")
            .expression_attribute_values(":added", n(batch.added))
            .expression_attribute_values(":owner", s(batch.lease_owner.clone().unwrap_or_default()))
            .send()
            .await
            .map_err(classify);
        match deleted {
            Ok(_) => Ok(()),
            Err(StoreError::ConditionFailed) => self.release_batch(batch, batch.due_at, 0).await,
            Err(error) => Err(error),
        }
    }

    /// Gives a batch back, due again at `due_at` (a retry after SES failed, or new items).
    pub async fn release_batch(&self, batch: &BatchRecord, due_at: i64, attempts: i64) -> Result<(), StoreError> {
        let result = self
            .db
            .update_item()
            .table_name(&*self.table)
            .key("PK", s(partition(&batch.principal)))
            .key("SK", s(format!("BATCH#{}", batch.cadence)))
            .update_expression("SET due_at = :due, GSI1SK = :sk, attempts = :attempts REMOVE lease_until, lease_owner")
            .condition_expression("lease_owner = :owner")
            .expression_attribute_values(":due", n(due_at))
            .expression_attribute_values(":sk", s(due_key(due_at, &batch.principal, &batch.cadence)))
            .expression_attribute_values(":attempts", n(attempts))
            .expression_attribute_values(":owner", s(batch.lease_owner.clone().unwrap_or_default()))
            .send()
            .await
            .map_err(classify);
        super::done_if_condition_failed(result)
    }

    /// Puts an address on the suppression list (a hard bounce or a complaint).
    pub async fn suppress(&self, suppression: &Suppression) -> Result<(), StoreError> {
        let item = to_item(suppression, suppressed(&suppression.email), "SUPPRESSED".into(), [])?;
        self.db.put_item().table_name(&*self.table).set_item(Some(item)).send().await.map_err(classify)?;
        Ok(())
    }

    pub async fn suppression(&self, email: &EmailAddress) -> Result<Option<Suppression>, StoreError> {
        self.get(suppressed(email), "SUPPRESSED".into()).await
    }

    /// Which of these addresses are suppressed (one BatchGetItem per hundred).
    pub async fn suppressions_of(&self, emails: &[EmailAddress]) -> Result<Vec<Suppression>, StoreError> {
        let mut found = Vec::new();
        let mut unique: Vec<&EmailAddress> = emails.iter().collect();
        unique.sort_by(|a, b| a.as_str().cmp(b.as_str()));
        unique.dedup();
        for chunk in unique.chunks(BATCH_GET) {
            let keys = chunk
                .iter()
                .map(|email| Item::from([("PK".to_owned(), s(suppressed(email))), ("SK".to_owned(), s("SUPPRESSED"))]))
                .collect();
            for item in self.batch_get(keys).await? {
                found.push(from_item(item)?);
            }
        }
        Ok(found)
    }

    /// Takes an address off the suppression list with its audit event; answers whether it
    /// was on it (if not, nothing is written).
    pub async fn clear_suppression(
        &self,
        email: &EmailAddress,
        audit: &crate::domain::AuditEvent,
    ) -> Result<bool, StoreError> {
        let ops = vec![
            self.delete_op(suppressed(email), "SUPPRESSED".into(), Some("attribute_exists(PK)"))?,
            self.audit_put(audit)?,
        ];
        match self.transact(ops).await {
            Ok(()) => Ok(true),
            Err(StoreError::Cancelled(failed)) if failed == [0] => Ok(false),
            Err(error) => Err(error),
        }
    }

    /// Reads up to a hundred items by key, following `UnprocessedKeys`.
    async fn batch_get(&self, keys: Vec<Item>) -> Result<Vec<Item>, StoreError> {
        let mut found = Vec::new();
        if keys.is_empty() {
            return Ok(found);
        }
        let mut pending =
            KeysAndAttributes::builder().set_keys(Some(keys)).build().map_err(|e| StoreError::Other(e.to_string()))?;
        for _ in 0..5 {
            let output =
                self.db.batch_get_item().request_items(&*self.table, pending.clone()).send().await.map_err(classify)?;
            if let Some(mut responses) = output.responses {
                found.extend(responses.remove(&*self.table).unwrap_or_default());
            }
            match output.unprocessed_keys.and_then(|mut u| u.remove(&*self.table)) {
                Some(rest) if !rest.keys().is_empty() => pending = rest,
                _ => return Ok(found),
            }
        }
        Err(StoreError::Unavailable("BatchGetItem left keys unprocessed".into()))
    }
}

/// Preferences are one attribute per topic: `topic_messages = "now"`.
const TOPIC_PREFIX: &str = "topic_";

fn topics(item: &Item) -> std::collections::BTreeMap<String, String> {
    item.iter()
        .filter_map(|(name, value)| match value {
            AttributeValue::S(cadence) => Some((name.strip_prefix(TOPIC_PREFIX)?.to_owned(), cadence.clone())),
            _ => None,
        })
        .collect()
}

fn due_key(due_at: i64, principal: &str, cadence: &str) -> String {
    format!("{due_at:012}#{principal}#{cadence}")
}
