//! The reads and writes of privacy requests (`crate::privacy` decides what they touch): every
//! item of a partition, every item a person's id indexes in GSI1 (`PRINCIPAL#{id}`: sessions,
//! passkeys, sign-in links, ceremonies), the agency's audit events that mention a string, a
//! rewrite of some attributes on condition that nobody changed them meanwhile, and the
//! transaction that ends an erasure. Items stay raw (`Item`): an erasure looks at every kind.

use aws_sdk_dynamodb::types::AttributeValue;

use super::team::{OWNERS, OwnerChange};
use super::{Item, ListQuery, Store, StoreError, TableSpec, classify, keys, notifications, s};
use crate::domain::{AuditEvent, ClientId, Contact, ContactId, ContactRole, EmailAddress};

/// Whether `item` is the contact's own record (it goes in the erasure's last transaction).
pub fn is_contact_item(item: &Item, contact: ContactId) -> bool {
    item.get("SK").and_then(|v| v.as_s().ok()).is_some_and(|sk| *sk == format!("CONTACT#{contact}"))
}

/// Whether `item` is a team's owner set (changed in the erasure's last transaction).
pub fn is_owner_set(item: &Item) -> bool {
    item.get("SK").and_then(|v| v.as_s().ok()).is_some_and(|sk| sk == OWNERS)
}

impl Store {
    /// Every item of one partition, oldest key first, page by page (a client's partition, a
    /// person's notifications). Strongly consistent: an erasure must see the latest writes.
    pub async fn partition_items(&self, pk: String) -> Result<Vec<Item>, StoreError> {
        let mut query = ListQuery::table(pk, "");
        query.sk_prefix = None;
        query.newest_first = false;
        query.consistent = true;
        self.query_all(query).await
    }

    /// Every item of a client company's partition.
    pub async fn client_items(&self, client: ClientId) -> Result<Vec<Item>, StoreError> {
        self.partition_items(keys::client(client)).await
    }

    /// Every item of a person's notifications (bell, mail queue, batches, preferences).
    pub async fn notification_items(&self, principal_id: &str) -> Result<Vec<Item>, StoreError> {
        self.partition_items(notifications::partition(principal_id)).await
    }

    /// What is one person's alone: what GSI1 files under them (sessions, passkeys, sign-in
    /// links, ceremonies), their notifications, and a suppression of their address.
    pub async fn person_items(&self, principal_id: &str, email: &EmailAddress) -> Result<Vec<Item>, StoreError> {
        let mut items = self.principal_items(principal_id).await?;
        items.extend(self.notification_items(principal_id).await?);
        items.extend(self.partition_items(notifications::suppressed(email)).await?);
        Ok(items)
    }

    /// Switches a contact's portal access off, if it is still on (`ConditionFailed` otherwise).
    pub async fn switch_off_contact_access(&self, contact: &Contact) -> Result<(), StoreError> {
        let off = [("portal_enabled".to_owned(), AttributeValue::Bool(true), AttributeValue::Bool(false))];
        self.rewrite_attributes(&keys::client(contact.client_id), &format!("CONTACT#{}", contact.id), &off).await
    }

    /// Every item GSI1 files under a person (`PRINCIPAL#{id}`).
    pub async fn principal_items(&self, principal_id: &str) -> Result<Vec<Item>, StoreError> {
        self.query_all(ListQuery::index(TableSpec::GSI1, keys::principal(principal_id))).await
    }

    /// The agency-wide audit events (`AGENCY`/`AUDIT#…`) whose actor, target or summary
    /// contains one of `needles`; DynamoDB filters, so only those travel.
    pub async fn agency_audit_mentioning(&self, needles: &[&str]) -> Result<Vec<Item>, StoreError> {
        let mut clauses = Vec::new();
        let mut builder = self
            .db
            .query()
            .table_name(&*self.table)
            .consistent_read(true)
            .key_condition_expression("PK = :pk AND begins_with(SK, :audit)")
            .expression_attribute_values(":pk", s(keys::AGENCY))
            .expression_attribute_values(":audit", s("AUDIT#"))
            .expression_attribute_names("#actor", "actor")
            .expression_attribute_names("#target", "target")
            .expression_attribute_names("#summary", "summary");
        for (index, needle) in needles.iter().enumerate() {
            clauses.push(format!(
                "contains(#actor, :n{index}) OR contains(#target, :n{index}) OR contains(#summary, :n{index})"
            ));
            builder = builder.expression_attribute_values(format!(":n{index}"), s(*needle));
        }
        let builder = builder.filter_expression(clauses.join(" OR "));
        let mut items = Vec::new();
        let mut start = None;
        loop {
            let output = builder.clone().set_exclusive_start_key(start).send().await.map_err(classify)?;
            items.extend(output.items.unwrap_or_default());
            match output.last_evaluated_key.filter(|key| !key.is_empty()) {
                Some(key) => start = Some(key),
                None => return Ok(items),
            }
        }
    }

    /// Sets top-level attributes of the item at `pk`/`sk` to new values, on condition that each
    /// still holds the value it was read with: a write in between fails with `ConditionFailed`
    /// (read it again), so nobody's change is overwritten with an old copy.
    pub async fn rewrite_attributes(
        &self,
        pk: &str,
        sk: &str,
        changes: &[(String, AttributeValue, AttributeValue)],
    ) -> Result<(), StoreError> {
        if changes.is_empty() {
            return Ok(());
        }
        let mut sets = Vec::new();
        let mut conditions = vec!["attribute_exists(PK)".to_owned()];
        let mut builder = self.db.update_item().table_name(&*self.table).key("PK", s(pk)).key("SK", s(sk));
        for (index, (name, before, after)) in changes.iter().enumerate() {
            sets.push(format!("#a{index} = :after{index}"));
            conditions.push(format!("#a{index} = :before{index}"));
            builder = builder
                .expression_attribute_names(format!("#a{index}"), name)
                .expression_attribute_values(format!(":before{index}"), before.clone())
                .expression_attribute_values(format!(":after{index}"), after.clone());
        }
        builder
            .update_expression(format!("SET {}", sets.join(", ")))
            .condition_expression(conditions.join(" AND "))
            .send()
            .await
            .map_err(classify)
            .map(|_| ())
    }

    /// Deletes one item, whatever it holds (nothing there is fine).
    pub async fn delete_key(&self, pk: &str, sk: &str) -> Result<(), StoreError> {
        self.db
            .delete_item()
            .table_name(&*self.table)
            .key("PK", s(pk))
            .key("SK", s(sk))
            .send()
            .await
            .map_err(classify)
            .map(|_| ())
    }

    /// The end of an erasure, all or nothing: the contact's item and email claim go, an owner
    /// leaves the owner set (never the last: `LastOwner`), and `audit` records it.
    pub async fn finish_contact_erasure(&self, contact: &Contact, audit: &AuditEvent) -> Result<(), StoreError> {
        let client = keys::client(contact.client_id);
        let mut ops = vec![
            self.delete_op(client.clone(), format!("CONTACT#{}", contact.id), Some("attribute_exists(PK)"))?,
            self.delete_op(keys::email(&contact.email), "EMAIL".into(), None)?,
            self.audit_put(audit)?,
        ];
        let owner = contact.role == ContactRole::Owner;
        if owner {
            ops.push(self.owners_op(client, &contact.id.to_string(), OwnerChange::Remove)?);
        }
        match self.transact(ops).await {
            // The contact already gone (another erasure finished first) says so, whatever else failed.
            Err(StoreError::Cancelled(failed)) if failed.contains(&0) => Err(StoreError::ConditionFailed),
            Err(StoreError::Cancelled(failed)) if owner && failed.contains(&3) => Err(StoreError::LastOwner),
            Err(StoreError::Cancelled(_)) => Err(StoreError::ConditionFailed),
            other => other,
        }
    }
}
