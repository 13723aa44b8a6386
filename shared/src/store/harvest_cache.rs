//! Cached copies of what Harvest says (`CacheKey`): a client's invoices, estimates and an
//! invoice's payments under the client's partition, the account's project budget report under
//! `HARVEST`. Each is one item with its refresh lease.
//!
//! One item holds the last good copy (gzip-compressed JSON, so hundreds of invoices fit in
//! DynamoDB's 400 KB), when it was fetched and for what (`scope_id`: the Harvest client, invoice
//! or account it was fetched for), who is refreshing it (`lease_owner` until `lease_until`), and
//! `retry_not_before` after Harvest said 429.

use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::AttributeValue;

use super::{Store, StoreError, classify, keys, n, s};
use crate::domain::ClientId;

/// Which cached copy: the item's keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheKey {
    pk: String,
    sk: String,
}

impl CacheKey {
    pub fn invoices(client: ClientId) -> Self {
        Self { pk: keys::client(client), sk: "INVOICES".into() }
    }

    pub fn estimates(client: ClientId) -> Self {
        Self { pk: keys::client(client), sk: "ESTIMATES".into() }
    }

    pub fn payments(client: ClientId, invoice_id: u64) -> Self {
        Self { pk: keys::client(client), sk: format!("PAYMENTS#{invoice_id}") }
    }

    /// The account-wide project budget report: one copy serves every client.
    pub fn project_budgets() -> Self {
        Self { pk: "HARVEST".into(), sk: "PROJECT_BUDGETS".into() }
    }
}

/// The cache item as stored.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CacheRecord {
    pub payload: Option<Vec<u8>>,
    pub fetched_at: Option<i64>,
    pub lease_until: Option<i64>,
    pub retry_not_before: Option<i64>,
}

/// How long a stale copy is kept for fallback after its last refresh.
const KEEP_STALE_SECS: i64 = 30 * 24 * 3600;

fn number(item: &super::Item, name: &str) -> Option<i64> {
    item.get(name).and_then(|v| v.as_n().ok()).and_then(|v| v.parse().ok())
}

fn scope(id: u64) -> AttributeValue {
    n(i64::try_from(id).unwrap_or(i64::MAX))
}

impl Store {
    pub async fn get_cache(&self, key: &CacheKey) -> Result<CacheRecord, StoreError> {
        let output = self
            .db
            .get_item()
            .table_name(&*self.table)
            .key("PK", s(&key.pk))
            .key("SK", s(&key.sk))
            .consistent_read(true)
            .send()
            .await
            .map_err(classify)?;
        let Some(item) = output.item else { return Ok(CacheRecord::default()) };
        Ok(CacheRecord {
            payload: item.get("payload").and_then(|v| v.as_b().ok()).map(|b| b.as_ref().to_vec()),
            fetched_at: number(&item, "fetched_at"),
            lease_until: number(&item, "lease_until"),
            retry_not_before: number(&item, "retry_not_before"),
        })
    }

    /// Takes the refresh lease unless someone holds an unexpired one *or* the cache already
    /// holds a fresh copy for this scope (someone refreshed since we looked). Of many concurrent
    /// callers at most one gets `true`, and none once the refresh has landed.
    pub async fn try_acquire_cache_lease(
        &self,
        key: &CacheKey,
        owner: &str,
        now: i64,
        lease_secs: i64,
        scope_id: u64,
        fresh_after: i64,
    ) -> Result<bool, StoreError> {
        let result = self
            .db
            .update_item()
            .table_name(&*self.table)
            .key("PK", s(&key.pk))
            .key("SK", s(&key.sk))
            .update_expression("SET lease_until = :until, lease_owner = :owner")
            .condition_expression(
                "(attribute_not_exists(lease_until) OR lease_until < :now) AND \
                 (attribute_not_exists(fetched_at) OR fetched_at <= :fresh_after OR \
                  attribute_not_exists(scope_id) OR scope_id <> :scope)",
            )
            .expression_attribute_values(":fresh_after", n(fresh_after))
            .expression_attribute_values(":scope", scope(scope_id))
            .expression_attribute_values(":until", n(now + lease_secs))
            .expression_attribute_values(":owner", s(owner))
            .expression_attribute_values(":now", n(now))
            .send()
            .await
            .map_err(classify);
        match result {
            Ok(_) => Ok(true),
            Err(StoreError::ConditionFailed) => Ok(false),
            Err(error) => Err(error),
        }
    }

    /// Stores a fresh copy and releases the lease.
    pub async fn save_cache(
        &self,
        key: &CacheKey,
        scope_id: u64,
        payload: Vec<u8>,
        fetched_at: i64,
    ) -> Result<(), StoreError> {
        self.db
            .update_item()
            .table_name(&*self.table)
            .key("PK", s(&key.pk))
            .key("SK", s(&key.sk))
            .update_expression(
                "SET payload = :payload, fetched_at = :fetched, scope_id = :scope, #ttl = :ttl \
                 REMOVE lease_until, lease_owner, retry_not_before",
            )
            .expression_attribute_values(":scope", scope(scope_id))
            .expression_attribute_names("#ttl", "ttl")
            .expression_attribute_values(":payload", AttributeValue::B(Blob::new(payload)))
            .expression_attribute_values(":fetched", n(fetched_at))
            .expression_attribute_values(":ttl", n(fetched_at + KEEP_STALE_SECS))
            .send()
            .await
            .map_err(classify)?;
        Ok(())
    }

    /// Gives the lease back after a failed refresh; after a 429, also records when Harvest
    /// may be called again.
    pub async fn release_cache_lease(
        &self,
        key: &CacheKey,
        owner: &str,
        retry_not_before: Option<i64>,
    ) -> Result<(), StoreError> {
        let mut request = self
            .db
            .update_item()
            .table_name(&*self.table)
            .key("PK", s(&key.pk))
            .key("SK", s(&key.sk))
            .condition_expression("lease_owner = :owner")
            .expression_attribute_values(":owner", s(owner));
        request = match retry_not_before {
            Some(at) => request
                .update_expression("SET retry_not_before = :retry REMOVE lease_until, lease_owner")
                .expression_attribute_values(":retry", n(at)),
            None => request.update_expression("REMOVE lease_until, lease_owner"),
        };
        super::done_if_condition_failed(request.send().await.map_err(classify))
    }

    /// Drops a cached copy so the next read refreshes it (after Harvest said our copy is out
    /// of date). A refresher holding the lease keeps it.
    pub async fn expire_cache(&self, key: &CacheKey) -> Result<(), StoreError> {
        self.db
            .update_item()
            .table_name(&*self.table)
            .key("PK", s(&key.pk))
            .key("SK", s(&key.sk))
            .update_expression("SET fetched_at = :zero")
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_values(":zero", n(0))
            .send()
            .await
            .map(|_| ())
            .map_err(classify)
            .or_else(|e| super::done_if_condition_failed(Err::<(), _>(e)))
    }
}
