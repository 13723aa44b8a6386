//! The DynamoDB single table. This module is the only place that knows key layouts and converts
//! items (`serde_dynamo`); everything else speaks in `models`.
//!
//! Every query that touches tenant data takes a `ClientId` that the caller got from a verified
//! session, and builds the partition key `CLIENT#{cid}` from it: a tenant cannot name another
//! tenant's partition.

mod auth;
mod directory;
mod schema;

use std::collections::HashMap;

use aws_sdk_dynamodb::Client as DynamoClient;
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::types::AttributeValue;
use aws_smithy_types::error::display::DisplayErrorContext;
use serde::Serialize;
use serde::de::DeserializeOwned;

pub use auth::RateLimitHit;
pub use schema::TableSpec;

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
    /// An item in the table does not match the model: a bug or a manual edit.
    #[error("stored item is malformed: {0}")]
    Malformed(String),
    #[error("database request failed: {0}")]
    Other(String),
}

impl From<StoreError> for crate::error::ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Unavailable(cause) => {
                tracing::warn!(%cause, "database unavailable");
                Self::ServiceUnavailable
            }
            StoreError::ConditionFailed => Self::Conflict {
                code: "conflict",
                message: "The item changed while you were editing it. Reload and try again.".into(),
            },
            StoreError::EmailTaken => Self::Conflict {
                code: "email_taken",
                message: "That email address already belongs to a portal user.".into(),
            },
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
        output.item.map(from_item).transpose()
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
    pub fn principal(id: &str) -> String {
        format!("PRINCIPAL#{id}")
    }
}
