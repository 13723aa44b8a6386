//! Who may do what: the owner sets that keep a company (and the agency) from losing its last
//! owner, agency staff and their roles, and staff assignments to clients.
//!
//! Owners are counted in one item per team (`CLIENT#{cid}`/`OWNERS`, `AGENCY`/`OWNERS`, a string
//! set of ids). A demotion or removal deletes from that set on condition that it keeps another
//! owner, in the same transaction as the person's own item: two owners demoting each other at
//! once both touch the set, so DynamoDB lets at most one of them through.
//!
//! An assignment is two items written together: `CLIENT#{cid}`/`STAFF#{aid}` (may this person
//! act on this client: one consistent GetItem per request) and `STAFF#{aid}`/`CLIENT#{cid}`
//! (which clients does this person see: one consistent Query), both in the base table so an
//! unassignment counts from the very next request.

use aws_sdk_dynamodb::types::{AttributeValue, ConditionCheck, TransactWriteItem, Update};

use super::{Item, ListQuery, Store, StoreError, classify, from_item, keys, s, to_item};
use crate::domain::{Admin, AdminId, AuditEvent, ClientId, EmailClaim, Role, StaffRole};

pub(super) const OWNERS: &str = "OWNERS";

fn other(e: impl std::fmt::Display) -> StoreError {
    StoreError::Other(e.to_string())
}

/// A change to a team's owner set that rides in a transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OwnerChange {
    Add,
    /// Refused (the whole transaction) if it would leave the team without an owner.
    Remove,
}

impl OwnerChange {
    /// The change, if any, that going from `before` to `after` as an owner makes.
    pub(crate) fn between(was_owner: bool, is_owner: bool) -> Option<Self> {
        match (was_owner, is_owner) {
            (false, true) => Some(Self::Add),
            (true, false) => Some(Self::Remove),
            _ => None,
        }
    }
}

impl Store {
    /// The owner-set write of `change` for the team whose partition is `pk`.
    pub(crate) fn owners_op(&self, pk: String, id: &str, change: OwnerChange) -> Result<TransactWriteItem, StoreError> {
        let ids = AttributeValue::Ss(vec![id.to_owned()]);
        let builder = Update::builder()
            .table_name(&*self.table)
            .key("PK", s(pk))
            .key("SK", s(OWNERS))
            .expression_attribute_values(":ids", ids);
        let update = match change {
            OwnerChange::Add => builder.update_expression("ADD owners :ids"),
            OwnerChange::Remove => builder
                .update_expression("DELETE owners :ids")
                .condition_expression("contains(owners, :id) AND size(owners) > :one")
                .expression_attribute_values(":id", s(id))
                .expression_attribute_values(":one", super::n(1)),
        };
        Ok(TransactWriteItem::builder().update(update.build().map_err(other)?).build())
    }

    /// Ids of a company's owners.
    pub async fn client_owners(&self, client: ClientId) -> Result<Vec<String>, StoreError> {
        self.owners(keys::client(client)).await
    }

    /// Ids of the agency's owners.
    pub async fn agency_owners(&self) -> Result<Vec<String>, StoreError> {
        self.owners(keys::AGENCY.into()).await
    }

    async fn owners(&self, pk: String) -> Result<Vec<String>, StoreError> {
        let output = self
            .db
            .get_item()
            .table_name(&*self.table)
            .key("PK", s(pk))
            .key("SK", s(OWNERS))
            .consistent_read(true)
            .send()
            .await
            .map_err(classify)?;
        let mut owners =
            output.item.and_then(|item| item.get("owners").and_then(|v| v.as_ss().ok()).cloned()).unwrap_or_default();
        owners.sort();
        Ok(owners)
    }

    /// Runs `ops` where the write at `owners_at` is an owner-set change: its condition failing
    /// means the last owner would go.
    pub(crate) async fn transact_with_owners(
        &self,
        ops: Vec<TransactWriteItem>,
        owners_at: Option<usize>,
    ) -> Result<(), StoreError> {
        match self.transact(ops).await {
            Err(StoreError::Cancelled(failed)) if owners_at.is_some_and(|at| failed.contains(&at)) => {
                Err(StoreError::LastOwner)
            }
            Err(StoreError::Cancelled(_)) => Err(StoreError::ConditionFailed),
            other => other,
        }
    }

    fn admin_item(&self, admin: &Admin) -> Result<Item, StoreError> {
        to_item(admin, keys::AGENCY.into(), format!("ADMIN#{}", admin.id), [])
    }

    /// Adds a staff member, claims their email and records `audit`, in one transaction; an owner
    /// joins the agency's owner set.
    pub async fn create_admin(&self, admin: &Admin, audit: &AuditEvent) -> Result<(), StoreError> {
        let claim = EmailClaim {
            email: admin.email.clone(),
            role: Role::Admin,
            principal_id: admin.id.to_string(),
            client_id: None,
        };
        let mut extra = vec![self.audit_put(audit)?];
        if admin.role == StaffRole::Owner {
            extra.push(self.owners_op(keys::AGENCY.into(), &admin.id.to_string(), OwnerChange::Add)?);
        }
        self.create_with_claim(self.admin_item(admin)?, &claim, None, extra).await
    }

    /// Every staff member, by id (the agency is a handful to a few hundred people).
    pub async fn list_admins(&self) -> Result<Vec<Admin>, StoreError> {
        let mut query = ListQuery::table(keys::AGENCY.into(), "ADMIN#");
        query.newest_first = false;
        query.consistent = true;
        self.query_all(query).await?.into_iter().map(from_item).collect()
    }

    /// Changes a staff member's role; demoting the last owner fails with `LastOwner`, and a
    /// role changed meanwhile with `ConditionFailed`.
    pub async fn update_admin(&self, before: &Admin, after: &Admin, audit: &AuditEvent) -> Result<(), StoreError> {
        let role = |r: StaffRole| if r == StaffRole::Owner { "owner" } else { "member" };
        let put = aws_sdk_dynamodb::types::Put::builder()
            .table_name(&*self.table)
            .set_item(Some(self.admin_item(after)?))
            .condition_expression("attribute_exists(PK) AND #role = :before")
            .expression_attribute_names("#role", "role")
            .expression_attribute_values(":before", s(role(before.role)))
            .build()
            .map_err(other)?;
        let mut ops = vec![TransactWriteItem::builder().put(put).build(), self.audit_put(audit)?];
        let change = OwnerChange::between(before.role == StaffRole::Owner, after.role == StaffRole::Owner);
        if let Some(change) = change {
            ops.push(self.owners_op(keys::AGENCY.into(), &after.id.to_string(), change)?);
        }
        self.transact_with_owners(ops, change.map(|_| 2)).await
    }

    /// Removes a staff member and their email claim (an owner leaves the owner set, unless they
    /// are the last), then their assignments.
    pub async fn remove_admin(&self, admin: &Admin, audit: &AuditEvent) -> Result<(), StoreError> {
        let mut ops = vec![
            self.delete_op(keys::AGENCY.into(), format!("ADMIN#{}", admin.id), Some("attribute_exists(PK)"))?,
            self.delete_op(keys::email(&admin.email), "EMAIL".into(), None)?,
            self.audit_put(audit)?,
        ];
        let owner = admin.role == StaffRole::Owner;
        if owner {
            ops.push(self.owners_op(keys::AGENCY.into(), &admin.id.to_string(), OwnerChange::Remove)?);
        }
        self.transact_with_owners(ops, owner.then_some(3)).await?;
        // The person is gone, so no check passes for them any more; the assignments are tidied
        // up after (idempotent deletes, any number of them).
        for client in self.assigned_clients(admin.id).await? {
            self.db
                .transact_write_items()
                .transact_items(self.delete_op(keys::client(client), keys::staff(admin.id), None)?)
                .transact_items(self.delete_op(keys::staff(admin.id), keys::client(client), None)?)
                .send()
                .await
                .map_err(classify)?;
        }
        Ok(())
    }

    /// Assigns a staff member to a client (both must exist), with its audit event.
    pub async fn assign(&self, client: ClientId, admin: AdminId, audit: &AuditEvent) -> Result<(), StoreError> {
        let exists = |pk: String, sk: String| -> Result<TransactWriteItem, StoreError> {
            let check = ConditionCheck::builder()
                .table_name(&*self.table)
                .key("PK", s(pk))
                .key("SK", s(sk))
                .condition_expression("attribute_exists(PK)")
                .build()
                .map_err(other)?;
            Ok(TransactWriteItem::builder().condition_check(check).build())
        };
        let forward = Item::from([
            ("PK".to_owned(), s(keys::client(client))),
            ("SK".to_owned(), s(keys::staff(admin))),
            ("admin_id".to_owned(), s(admin.to_string())),
        ]);
        let reverse = Item::from([
            ("PK".to_owned(), s(keys::staff(admin))),
            ("SK".to_owned(), s(keys::client(client))),
            ("client_id".to_owned(), s(client.to_string())),
        ]);
        let ops = vec![
            exists(keys::client(client), "CLIENT".into())?,
            exists(keys::AGENCY.into(), format!("ADMIN#{admin}"))?,
            self.put_op(forward, None)?,
            self.put_op(reverse, None)?,
            self.audit_put(audit)?,
        ];
        self.transact_with_owners(ops, None).await
    }

    /// Ends an assignment, with its audit event (nothing to end is fine).
    pub async fn unassign(&self, client: ClientId, admin: AdminId, audit: &AuditEvent) -> Result<(), StoreError> {
        let ops = vec![
            self.delete_op(keys::client(client), keys::staff(admin), None)?,
            self.delete_op(keys::staff(admin), keys::client(client), None)?,
            self.audit_put(audit)?,
        ];
        self.transact(ops).await
    }

    /// May this staff member act on this client? One consistent GetItem.
    pub async fn is_assigned(&self, client: ClientId, admin: AdminId) -> Result<bool, StoreError> {
        let output = self
            .db
            .get_item()
            .table_name(&*self.table)
            .key("PK", s(keys::client(client)))
            .key("SK", s(keys::staff(admin)))
            .consistent_read(true)
            .projection_expression("PK")
            .send()
            .await
            .map_err(classify)?;
        Ok(output.item.is_some())
    }

    /// The clients a staff member is assigned to.
    pub async fn assigned_clients(&self, admin: AdminId) -> Result<Vec<ClientId>, StoreError> {
        let mut query = ListQuery::table(keys::staff(admin), "CLIENT#");
        query.consistent = true;
        let items = self.query_all(query).await?;
        Ok(items
            .iter()
            .filter_map(|item| item.get("client_id").and_then(|v| v.as_s().ok()))
            .filter_map(|id| ClientId::parse(id))
            .collect())
    }

    /// The staff assigned to a client.
    pub async fn assigned_staff(&self, client: ClientId) -> Result<Vec<AdminId>, StoreError> {
        let mut query = ListQuery::table(keys::client(client), "STAFF#");
        query.consistent = true;
        let items = self.query_all(query).await?;
        Ok(items
            .iter()
            .filter_map(|item| item.get("admin_id").and_then(|v| v.as_s().ok()))
            .filter_map(|id| AdminId::parse(id))
            .collect())
    }
}
