//! The DynamoDB single table. This module is the only place that knows key layouts and converts
//! items (`serde_dynamo`); everything else speaks in `models`.
//!
//! Every query that touches tenant data takes a `ClientId` that the caller got from a verified
//! session, and builds the partition key `CLIENT#{cid}` from it: a tenant cannot name another
//! tenant's partition.

mod audit;
mod branding;
mod directory;
mod estimates;
mod files;
mod harvest_cache;
mod messages;
mod notifications;
mod passkeys;
mod privacy;
mod projects;
mod schema;
mod sessions;
mod team;

use std::collections::HashMap;

use aws_sdk_dynamodb::Client as DynamoClient;
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem};
use aws_smithy_types::error::display::DisplayErrorContext;
use serde::Serialize;
use serde::de::DeserializeOwned;

pub use branding::StoredLogo;
pub use files::{UploadQuota, UploadUsage};
pub use harvest_cache::{CacheKey, CacheRecord};
pub use messages::{ReadMarker, ThreadCount};
pub use notifications::{Addressee, BatchRecord, NoticeRecord, Suppression};
pub use passkeys::{CeremonyRecord, PasskeyRecord, is_ceremony_id};
pub use privacy::{is_contact_item, is_owner_set};
pub use projects::{ProjectTree, status_key as projects_status_key, summarise as summarise_milestones};
pub use schema::TableSpec;
pub use sessions::RateLimitHit;

pub type Item = HashMap<String, AttributeValue>;

/// Handle on the portal table; cheap to clone (the SDK client is reference-counted).
#[derive(Clone, Debug)]
pub struct Store {
    db: DynamoClient,
    table: std::sync::Arc<str>,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// DynamoDB could not be reached in time, or throttled us: worth a retry later.
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
    /// A condition on a write failed (item exists / is gone).
    #[error("a write condition failed")]
    ConditionFailed,
    /// The email address already belongs to someone.
    #[error("that email address is already in use")]
    EmailTaken,
    /// The change would leave a company (or the agency) without an owner.
    #[error("the last owner cannot be removed or demoted")]
    LastOwner,
    /// An item in the table does not match the model: a bug or a manual edit.
    #[error("stored item is malformed: {0}")]
    Malformed(String),
    /// A transaction was cancelled because the writes at these positions failed their
    /// conditions; nothing was written.
    #[error("a transaction was cancelled (conditions failed at {0:?})")]
    Cancelled(Vec<usize>),
    #[error("database request failed: {0}")]
    Other(String),
}

/// What a storage failure means to the portal's rules (HTTP is decided in `http::error`).
impl From<StoreError> for crate::domain::Error {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Unavailable(cause) => {
                tracing::warn!(%cause, "database unavailable");
                Self::Unavailable
            }
            StoreError::ConditionFailed | StoreError::Cancelled(_) => {
                Self::conflict("conflict", "The item changed while you were editing it. Reload and try again.")
            }
            StoreError::LastOwner => Self::conflict(
                "last_owner",
                "There must always be at least one owner. Make someone else an owner first.",
            ),
            StoreError::EmailTaken => {
                Self::conflict("email_taken", "That email address already belongs to a portal user.")
            }
            StoreError::Malformed(cause) | StoreError::Other(cause) => Self::Internal(cause),
        }
    }
}

/// Sorts an SDK failure into "try later" (network, timeout, throttling, 5xx) and the rest.
/// Logged with `DisplayErrorContext`: plain `Display` says only "dispatch failure".
pub(crate) fn classify<E, R>(error: SdkError<E, R>) -> StoreError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    let detail = DisplayErrorContext(&error).to_string();
    match &error {
        SdkError::DispatchFailure(_) | SdkError::TimeoutError(_) | SdkError::ResponseError(_) => {
            StoreError::Unavailable(detail)
        }
        SdkError::ServiceError(service) => match service.err().code() {
            Some(
                "ProvisionedThroughputExceededException"
                | "ThrottlingException"
                | "RequestLimitExceeded"
                | "InternalServerError"
                | "ServiceUnavailable",
            ) => StoreError::Unavailable(detail),
            Some("ConditionalCheckFailedException") => StoreError::ConditionFailed,
            _ => StoreError::Other(detail),
        },
        _ => StoreError::Other(detail),
    }
}

/// For writes whose condition failing means "already done": success either way.
pub(crate) fn done_if_condition_failed<T>(result: Result<T, StoreError>) -> Result<(), StoreError> {
    match result {
        Ok(_) | Err(StoreError::ConditionFailed) => Ok(()),
        Err(error) => Err(error),
    }
}

pub(crate) fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

pub(crate) fn n(value: i64) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

/// Serialises a model and adds its keys (and any extra attributes such as TTL or GSI keys).
pub(crate) fn to_item<T: Serialize>(
    model: &T,
    pk: String,
    sk: String,
    extra: impl IntoIterator<Item = (&'static str, AttributeValue)>,
) -> Result<Item, StoreError> {
    let mut item: Item = serde_dynamo::to_item(model).map_err(|e| StoreError::Malformed(e.to_string()))?;
    item.insert("PK".into(), s(pk));
    item.insert("SK".into(), s(sk));
    for (name, value) in extra {
        item.insert(name.into(), value);
    }
    Ok(item)
}

pub(crate) fn from_item<T: DeserializeOwned>(item: Item) -> Result<T, StoreError> {
    serde_dynamo::from_item(item).map_err(|e| StoreError::Malformed(e.to_string()))
}

impl Store {
    pub fn new(db: DynamoClient, table: impl Into<std::sync::Arc<str>>) -> Self {
        Self { db, table: table.into() }
    }

    pub fn table_name(&self) -> &str {
        &self.table
    }

    pub fn client(&self) -> &DynamoClient {
        &self.db
    }

    /// Strongly consistent read of one item.
    pub(crate) async fn get<T: DeserializeOwned>(&self, pk: String, sk: String) -> Result<Option<T>, StoreError> {
        self.raw_item(&pk, &sk).await?.map(from_item).transpose()
    }

    /// One item as stored (strongly consistent), or `None`.
    pub async fn raw_item(&self, pk: &str, sk: &str) -> Result<Option<Item>, StoreError> {
        let output = self
            .db
            .get_item()
            .table_name(&*self.table)
            .key("PK", s(pk))
            .key("SK", s(sk))
            .consistent_read(true)
            .send()
            .await
            .map_err(classify)?;
        Ok(output.item.filter(|item| !item.is_empty()))
    }
}

impl Store {
    /// A transactional put, optionally conditional.
    pub(crate) fn put_op(&self, item: Item, condition: Option<&str>) -> Result<TransactWriteItem, StoreError> {
        let put = aws_sdk_dynamodb::types::Put::builder()
            .table_name(&*self.table)
            .set_item(Some(item))
            .set_condition_expression(condition.map(str::to_owned))
            .build()
            .map_err(|e| StoreError::Other(e.to_string()))?;
        Ok(TransactWriteItem::builder().put(put).build())
    }

    /// A transactional delete, optionally conditional.
    pub(crate) fn delete_op(
        &self,
        pk: String,
        sk: String,
        condition: Option<&str>,
    ) -> Result<TransactWriteItem, StoreError> {
        let delete = aws_sdk_dynamodb::types::Delete::builder()
            .table_name(&*self.table)
            .key("PK", s(pk))
            .key("SK", s(sk))
            .set_condition_expression(condition.map(str::to_owned))
            .build()
            .map_err(|e| StoreError::Other(e.to_string()))?;
        Ok(TransactWriteItem::builder().delete(delete).build())
    }

    /// Runs writes all-or-nothing. A failed condition cancels everything and reports which
    /// writes failed (`Cancelled`), so callers can say what was wrong.
    pub(crate) async fn transact(&self, ops: Vec<TransactWriteItem>) -> Result<(), StoreError> {
        use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
        match self.db.transact_write_items().set_transact_items(Some(ops)).send().await {
            Ok(_) => Ok(()),
            Err(error) => {
                if let Some(TransactWriteItemsError::TransactionCanceledException(cancelled)) = error.as_service_error()
                {
                    let failed: Vec<usize> = cancelled
                        .cancellation_reasons()
                        .iter()
                        .enumerate()
                        .filter(|(_, reason)| reason.code() == Some("ConditionalCheckFailed"))
                        .map(|(index, _)| index)
                        .collect();
                    if !failed.is_empty() {
                        return Err(StoreError::Cancelled(failed));
                    }
                }
                Err(classify(error))
            }
        }
    }
}

/// One list query: a partition (of the table or an index), optionally narrowed to a sort-key
/// prefix, read a page at a time.
pub(crate) struct ListQuery {
    pub index: Option<&'static str>,
    pub pk_attribute: &'static str,
    pub pk: String,
    pub sk_attribute: &'static str,
    pub sk_prefix: Option<String>,
    pub newest_first: bool,
    pub projection: Option<&'static str>,
    /// Strongly consistent (base table only): for reads that decide access.
    pub consistent: bool,
}

/// The clients a list may show: all of them, or only these (an agency member's assignments).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Visible {
    All,
    Only(Vec<crate::domain::ClientId>),
}

/// A list filter on one string attribute: its value is (or, `negate`, is not) one of a set.
pub(crate) struct Filter {
    attribute: &'static str,
    expression: String,
    values: Vec<(String, AttributeValue)>,
}

impl Filter {
    pub(crate) fn any_of(attribute: &'static str, allowed: impl IntoIterator<Item = String>, negate: bool) -> Self {
        let allowed: Vec<String> = allowed.into_iter().collect();
        let mut values = Vec::with_capacity(allowed.len());
        let mut groups = Vec::new();
        for (index, chunk) in allowed.chunks(MAX_IN_VALUES).enumerate() {
            let names: Vec<String> = (0..chunk.len()).map(|i| format!(":v{}", index * MAX_IN_VALUES + i)).collect();
            groups.push(format!("#filtered IN ({})", names.join(", ")));
            values.extend(names.into_iter().zip(chunk.iter().map(|value| s(value.clone()))));
        }
        let any = groups.join(" OR ");
        let expression = if negate { format!("NOT ({any})") } else { any };
        Self { attribute, expression, values }
    }
}

/// DynamoDB allows at most 100 values in one `IN (…)`.
const MAX_IN_VALUES: usize = 100;
/// How many items a filtered list page reads at most, whatever the filter keeps: a member with
/// few assigned clients gets a short (possibly empty) page with a cursor, never an unbounded read.
const MAX_FILTERED_READ: i32 = 500;

impl ListQuery {
    pub fn table(pk: String, sk_prefix: &str) -> Self {
        Self {
            index: None,
            pk_attribute: "PK",
            pk,
            sk_attribute: "SK",
            sk_prefix: Some(sk_prefix.to_owned()),
            newest_first: true,
            projection: None,
            consistent: false,
        }
    }

    pub fn index(index: &'static str, pk: String) -> Self {
        let (pk_attribute, sk_attribute) = match index {
            "GSI2" => ("GSI2PK", "GSI2SK"),
            _ => ("GSI1PK", "GSI1SK"),
        };
        Self {
            index: Some(index),
            pk_attribute,
            pk,
            sk_attribute,
            sk_prefix: None,
            newest_first: true,
            projection: None,
            consistent: false,
        }
    }
}

impl Store {
    /// One page of a list; returns the items and DynamoDB's `LastEvaluatedKey`. (When the last
    /// page exactly fills `limit`, AWS returns a key and then an empty page, moto returns none;
    /// both are handled by the caller treating an absent key as the end.)
    pub(crate) async fn query_page<T: DeserializeOwned>(
        &self,
        query: ListQuery,
        limit: i32,
        start: Option<Item>,
    ) -> Result<(Vec<T>, Option<Item>), StoreError> {
        let output =
            self.query_builder(&query).limit(limit).set_exclusive_start_key(start).send().await.map_err(classify)?;
        let items = output.items.unwrap_or_default().into_iter().map(from_item).collect::<Result<Vec<T>, _>>()?;
        Ok((items, output.last_evaluated_key.filter(|key| !key.is_empty())))
    }

    /// One page of a list, keeping only items whose `attribute` names a visible client. The
    /// filter runs in DynamoDB; reads are bounded by `MAX_FILTERED_READ` per page.
    pub(crate) async fn query_page_visible<T: DeserializeOwned>(
        &self,
        query: ListQuery,
        attribute: &'static str,
        visible: &Visible,
        limit: i32,
        start: Option<Item>,
    ) -> Result<(Vec<T>, Option<Item>), StoreError> {
        let clients = match visible {
            Visible::All => return self.query_page(query, limit, start).await,
            Visible::Only(clients) if clients.is_empty() => return Ok((Vec::new(), None)),
            Visible::Only(clients) => clients,
        };
        let filter = Filter::any_of(attribute, clients.iter().map(ToString::to_string), false);
        self.query_page_filtered(query, &filter, limit, start).await
    }

    /// One page of a list, keeping only the items `filter` lets through. The filter runs in
    /// DynamoDB; reads are bounded by `MAX_FILTERED_READ` per page, so a page may come back
    /// short (even empty) with a cursor to go on from.
    pub(crate) async fn query_page_filtered<T: DeserializeOwned>(
        &self,
        query: ListQuery,
        filter: &Filter,
        limit: i32,
        mut start: Option<Item>,
    ) -> Result<(Vec<T>, Option<Item>), StoreError> {
        let mut items = Vec::new();
        let mut read = 0;
        loop {
            // Asking for no more than are still wanted keeps the page within `limit`.
            let wanted = limit - i32::try_from(items.len()).unwrap_or(limit);
            let mut builder = self
                .query_builder(&query)
                .limit(wanted)
                .filter_expression(&filter.expression)
                .expression_attribute_names("#filtered", filter.attribute)
                .set_exclusive_start_key(start.take());
            for (name, value) in &filter.values {
                builder = builder.expression_attribute_values(name, value.clone());
            }
            let output = builder.send().await.map_err(classify)?;
            read += output.scanned_count;
            for item in output.items.unwrap_or_default() {
                items.push(from_item(item)?);
            }
            let last = output.last_evaluated_key.filter(|key| !key.is_empty());
            let full = i32::try_from(items.len()).unwrap_or(limit) >= limit;
            match last {
                Some(key) if !full && read < MAX_FILTERED_READ => start = Some(key),
                last => return Ok((items, last)),
            }
        }
    }

    /// Every item of a bounded query (one project's children), following pages to the end.
    pub(crate) async fn query_all(&self, query: ListQuery) -> Result<Vec<Item>, StoreError> {
        let mut items = Vec::new();
        let mut start = None;
        loop {
            let output = self.query_builder(&query).set_exclusive_start_key(start).send().await.map_err(classify)?;
            items.extend(output.items.unwrap_or_default());
            match output.last_evaluated_key.filter(|key| !key.is_empty()) {
                Some(key) => start = Some(key),
                None => return Ok(items),
            }
        }
    }

    fn query_builder(&self, query: &ListQuery) -> aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder {
        let mut builder = self
            .db
            .query()
            .table_name(&*self.table)
            .set_index_name(query.index.map(str::to_owned))
            .scan_index_forward(!query.newest_first)
            .set_consistent_read(query.consistent.then_some(true))
            .expression_attribute_names("#pk", query.pk_attribute)
            .expression_attribute_values(":pk", s(query.pk.clone()))
            .set_projection_expression(query.projection.map(str::to_owned));
        builder = match &query.sk_prefix {
            Some(prefix) => builder
                .key_condition_expression("#pk = :pk AND begins_with(#sk, :prefix)")
                .expression_attribute_names("#sk", query.sk_attribute)
                .expression_attribute_values(":prefix", s(prefix.clone())),
            None => builder.key_condition_expression("#pk = :pk"),
        };
        builder
    }
}

/// Key layouts, in one place.
pub(crate) mod keys {
    use crate::domain::{ClientId, EmailAddress, SessionId, TokenHash};

    pub const AGENCY: &str = "AGENCY";

    pub fn client(id: ClientId) -> String {
        format!("CLIENT#{id}")
    }
    pub fn email(email: &EmailAddress) -> String {
        format!("EMAIL#{email}")
    }
    pub fn token(hash: &TokenHash) -> String {
        format!("TOKEN#{}", hash.as_str())
    }
    pub fn session(sid: SessionId) -> String {
        format!("SESSION#{sid}")
    }
    /// An agency staff member's assignments to clients (`CLIENT#{cid}` items under it).
    pub fn staff(id: crate::domain::AdminId) -> String {
        format!("STAFF#{id}")
    }
    pub fn principal(id: &str) -> String {
        format!("PRINCIPAL#{id}")
    }
    pub fn project(id: ulid::Ulid) -> String {
        format!("PROJECT#{id}")
    }
    pub fn milestone(project: ulid::Ulid, id: ulid::Ulid) -> String {
        format!("PROJECT#{project}#MILESTONE#{id}")
    }
    pub fn deliverable(project: ulid::Ulid, id: ulid::Ulid) -> String {
        format!("PROJECT#{project}#DELIVERABLE#{id}")
    }
    pub fn note(project: ulid::Ulid, id: ulid::Ulid) -> String {
        format!("PROJECT#{project}#NOTE#{id}")
    }
    pub fn message(id: ulid::Ulid) -> String {
        format!("MESSAGE#{id}")
    }
    pub fn activity(id: ulid::Ulid) -> String {
        format!("ACTIVITY#{id}")
    }
    pub fn read_marker(contact: crate::domain::ContactId) -> String {
        format!("READ#{contact}")
    }
    /// Index partitions of a client's lists.
    pub fn projects_index(client: ClientId) -> String {
        format!("CLIENT#{client}#PROJECTS")
    }
    pub fn projects_by_status_index(client: ClientId, status: &str) -> String {
        format!("CLIENT#{client}#PROJECTS#{status}")
    }
    pub fn deliverables_index(client: ClientId) -> String {
        format!("CLIENT#{client}#DELIVERABLES")
    }
}
