//! Clients' decisions on Harvest estimates (`CLIENT#{cid}` / `ESTIMATE#{id}`): claimed with a
//! conditional put before Harvest is told, recorded with the audit event and the activity in
//! one transaction after.

use aws_sdk_dynamodb::types::{TransactWriteItem, Update};

use super::{ListQuery, Store, StoreError, classify, keys, n, s, to_item};
use crate::domain::{ClientId, EstimateDecision};

fn decision_key(estimate_id: u64) -> String {
    format!("ESTIMATE#{estimate_id:020}")
}

/// Most decisions read for one client's estimate list (a client's whole history, in practice).
const MAX_DECISIONS: i32 = 500;

impl Store {
    /// Claims the estimate for `decision` (status pending): refused (`ConditionFailed`) when
    /// it was decided, or another request's claim has not expired.
    pub async fn claim_estimate_decision(
        &self,
        client: ClientId,
        decision: &EstimateDecision,
        now: i64,
    ) -> Result<(), StoreError> {
        let item = to_item(decision, keys::client(client), decision_key(decision.estimate_id), [])?;
        self.db
            .put_item()
            .table_name(&*self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(PK) OR (#status = :pending AND claim_until < :now)")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":pending", s("pending"))
            .expression_attribute_values(":now", n(now))
            .send()
            .await
            .map_err(classify)?;
        Ok(())
    }

    pub async fn get_estimate_decision(
        &self,
        client: ClientId,
        estimate_id: u64,
    ) -> Result<Option<EstimateDecision>, StoreError> {
        self.get(keys::client(client), decision_key(estimate_id)).await
    }

    /// The client's decisions (pending ones included), newest estimate first.
    pub async fn list_estimate_decisions(&self, client: ClientId) -> Result<Vec<EstimateDecision>, StoreError> {
        let mut query = ListQuery::table(keys::client(client), "ESTIMATE#");
        query.consistent = true;
        Ok(self.query_page(query, MAX_DECISIONS, None).await?.0)
    }

    /// Marks the claim recorded, inside the transaction with the audit event and the activity;
    /// cancelled if the claim is no longer this request's.
    pub(crate) fn record_estimate_decision_op(
        &self,
        client: ClientId,
        decision: &EstimateDecision,
    ) -> Result<TransactWriteItem, StoreError> {
        let update = Update::builder()
            .table_name(&*self.table)
            .key("PK", s(keys::client(client)))
            .key("SK", s(decision_key(decision.estimate_id)))
            .update_expression("SET #status = :recorded")
            .condition_expression("claim_owner = :owner AND #status = :pending")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":recorded", s("recorded"))
            .expression_attribute_values(":pending", s("pending"))
            .expression_attribute_values(":owner", s(&decision.claim_owner))
            .build()
            .map_err(|e| StoreError::Other(e.to_string()))?;
        Ok(TransactWriteItem::builder().update(update).build())
    }

    /// Gives a claim back after Harvest refused or failed: the estimate may be decided again.
    pub async fn drop_estimate_claim(&self, client: ClientId, estimate_id: u64, owner: &str) -> Result<(), StoreError> {
        let result = self
            .db
            .delete_item()
            .table_name(&*self.table)
            .key("PK", s(keys::client(client)))
            .key("SK", s(decision_key(estimate_id)))
            .condition_expression("claim_owner = :owner AND #status = :pending")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":owner", s(owner))
            .expression_attribute_values(":pending", s("pending"))
            .send()
            .await
            .map_err(classify);
        super::done_if_condition_failed(result)
    }
}
