//! The per-client invoice cache (`CLIENT#{cid}` / `INVOICES`) and its refresh lease.
//!
//! One item holds the last good copy (gzip-compressed JSON, so hundreds of invoices fit in
//! DynamoDB's 400 KB), when it was fetched, who is refreshing it (`lease_owner` until
//! `lease_until`), and `retry_not_before` after Harvest said 429.

use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::AttributeValue;

use super::{Store, StoreError, classify, keys, n, s};
use crate::domain::ClientId;

/// The cache item as stored.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InvoiceCacheRecord {
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

impl Store {
    pub async fn get_invoice_cache(&self, client: ClientId) -> Result<InvoiceCacheRecord, StoreError> {
        let output = self
            .db
            .get_item()
            .table_name(&*self.table)
            .key("PK", s(keys::client(client)))
            .key("SK", s("INVOICES"))
            .consistent_read(true)
            .send()
            .await
            .map_err(classify)?;
        let Some(item) = output.item else { return Ok(InvoiceCacheRecord::default()) };
        Ok(InvoiceCacheRecord {
            payload: item.get("payload").and_then(|v| v.as_b().ok()).map(|b| b.as_ref().to_vec()),
            fetched_at: number(&item, "fetched_at"),
            lease_until: number(&item, "lease_until"),
            retry_not_before: number(&item, "retry_not_before"),
        })
    }

    /// Takes the refresh lease unless someone holds an unexpired one *or* the cache already
    /// holds a fresh copy for this Harvest client (someone refreshed since we looked). Of many
    /// concurrent callers at most one gets `true`, and none once the refresh has landed.
    pub async fn try_acquire_invoice_lease(
        &self,
        client: ClientId,
        owner: &str,
        now: i64,
        lease_secs: i64,
        harvest_client_id: u64,
        fresh_after: i64,
    ) -> Result<bool, StoreError> {
        let result = self
            .db
            .update_item()
            .table_name(&*self.table)
            .key("PK", s(keys::client(client)))
            .key("SK", s("INVOICES"))
            .update_expression("SET lease_until = :until, lease_owner = :owner")
            .condition_expression(
                "(attribute_not_exists(lease_until) OR lease_until < :now) AND \
                 (attribute_not_exists(fetched_at) OR fetched_at <= :fresh_after OR harvest_client_id <> :hid)",
            )
            .expression_attribute_values(":fresh_after", n(fresh_after))
            .expression_attribute_values(":hid", n(i64::try_from(harvest_client_id).unwrap_or(i64::MAX)))
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
    pub async fn save_invoice_cache(
        &self,
        client: ClientId,
        harvest_client_id: u64,
        payload: Vec<u8>,
        fetched_at: i64,
    ) -> Result<(), StoreError> {
        self.db
            .update_item()
            .table_name(&*self.table)
            .key("PK", s(keys::client(client)))
            .key("SK", s("INVOICES"))
            .update_expression(
                "SET payload = :payload, fetched_at = :fetched, harvest_client_id = :hid, #ttl = :ttl \
                 REMOVE lease_until, lease_owner, retry_not_before",
            )
            .expression_attribute_values(":hid", n(i64::try_from(harvest_client_id).unwrap_or(i64::MAX)))
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
    pub async fn release_invoice_lease(
        &self,
        client: ClientId,
        owner: &str,
        retry_not_before: Option<i64>,
    ) -> Result<(), StoreError> {
        let mut request = self
            .db
            .update_item()
            .table_name(&*self.table)
            .key("PK", s(keys::client(client)))
            .key("SK", s("INVOICES"))
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
}
