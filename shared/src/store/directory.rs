//! Clients, contacts, admins and the email claims that make addresses unique.

use aws_sdk_dynamodb::types::TransactWriteItem;

use super::team::OwnerChange;
use super::{Item, ListQuery, Store, StoreError, TableSpec, Visible, classify, from_item, keys, s, to_item};
use crate::domain::{Admin, AuditEvent, Client, Contact, ContactRole, EmailClaim};
use crate::domain::{AdminId, ClientId, ContactId, EmailAddress, Role};

impl Store {
    /// Client items are also in GSI1 `CLIENTS`, sorted by lower-cased name, for the admin list
    /// and its prefix search.
    pub fn client_item(&self, client: &Client) -> Result<Item, StoreError> {
        to_item(
            client,
            keys::client(client.id),
            "CLIENT".into(),
            [("GSI1PK", s("CLIENTS")), ("GSI1SK", s(format!("{}#{}", client.company_name.to_lowercase(), client.id)))],
        )
    }

    pub async fn get_client(&self, id: ClientId) -> Result<Option<Client>, StoreError> {
        self.get(keys::client(id), "CLIENT".into()).await
    }

    pub async fn get_contact(&self, client_id: ClientId, id: ContactId) -> Result<Option<Contact>, StoreError> {
        self.get(keys::client(client_id), format!("CONTACT#{id}")).await
    }

    pub async fn get_admin(&self, id: AdminId) -> Result<Option<Admin>, StoreError> {
        self.get(keys::AGENCY.into(), format!("ADMIN#{id}")).await
    }

    pub async fn get_email_claim(&self, email: &EmailAddress) -> Result<Option<EmailClaim>, StoreError> {
        self.get(keys::email(email), "EMAIL".into()).await
    }

    /// Adds a contact, claims its email and records its audit event in one transaction: no
    /// contact without its claim. An owner joins the company's owner set.
    pub async fn create_contact(&self, contact: &Contact, audit: &AuditEvent) -> Result<(), StoreError> {
        let item = to_item(contact, keys::client(contact.client_id), format!("CONTACT#{}", contact.id), [])?;
        let claim = EmailClaim {
            email: contact.email.clone(),
            role: Role::Client,
            principal_id: contact.id.to_string(),
            client_id: Some(contact.client_id),
        };
        let mut extra = vec![self.audit_put(audit)?];
        if contact.role == ContactRole::Owner {
            extra.push(self.owners_op(keys::client(contact.client_id), &contact.id.to_string(), OwnerChange::Add)?);
        }
        self.create_with_claim(item, &claim, Some(contact.client_id), extra).await
    }

    /// Puts an item that must not exist yet.
    pub(crate) async fn put_new(&self, item: Item) -> Result<(), StoreError> {
        self.db
            .put_item()
            .table_name(&*self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(PK)")
            .send()
            .await
            .map_err(classify)
            .map(|_| ())
    }

    /// Writes `item` and the email claim together; a taken email cancels both. When
    /// `client_id` is given, the client must exist (checked in the same transaction).
    pub(crate) async fn create_with_claim(
        &self,
        item: Item,
        claim: &EmailClaim,
        client_id: Option<ClientId>,
        extra: Vec<TransactWriteItem>,
    ) -> Result<(), StoreError> {
        let claim_item = to_item(claim, keys::email(&claim.email), "EMAIL".into(), [])?;
        let mut ops = vec![
            self.put_op(claim_item, Some("attribute_not_exists(PK)"))?,
            self.put_op(item, Some("attribute_not_exists(PK)"))?,
        ];
        if let Some(client_id) = client_id {
            let check = aws_sdk_dynamodb::types::ConditionCheck::builder()
                .table_name(&*self.table)
                .key("PK", s(keys::client(client_id)))
                .key("SK", s("CLIENT"))
                .condition_expression("attribute_exists(PK)")
                .build()
                .map_err(|e| StoreError::Other(e.to_string()))?;
            ops.push(TransactWriteItem::builder().condition_check(check).build());
        }
        ops.extend(extra);
        match self.transact(ops).await {
            // The claim is the first write: its condition failing means the address is taken.
            Err(StoreError::Cancelled(failed)) if failed.first() == Some(&0) => Err(StoreError::EmailTaken),
            Err(StoreError::Cancelled(_)) => Err(StoreError::ConditionFailed),
            other => other,
        }
    }

    /// Clients by name, of those `visible`; `prefix` (lower-cased) narrows to names starting
    /// with it.
    pub async fn list_clients(
        &self,
        visible: &Visible,
        prefix: Option<&str>,
        limit: i32,
        start: Option<Item>,
    ) -> Result<(Vec<Client>, Option<Item>), StoreError> {
        let mut query = ListQuery::index(TableSpec::GSI1, "CLIENTS".into());
        query.newest_first = false;
        query.sk_prefix = prefix.map(str::to_lowercase).filter(|p| !p.is_empty());
        self.query_page_visible(query, "id", visible, limit, start).await
    }

    pub async fn list_contacts(&self, client: ClientId) -> Result<Vec<Contact>, StoreError> {
        let mut query = ListQuery::table(keys::client(client), "CONTACT#");
        query.newest_first = false;
        query.consistent = true;
        self.query_all(query).await?.into_iter().map(from_item).collect()
    }

    /// Writes `client` (which must exist) and its audit event together.
    pub async fn update_client(&self, client: &Client, audit: &AuditEvent) -> Result<(), StoreError> {
        let ops = vec![self.put_op(self.client_item(client)?, Some("attribute_exists(PK)"))?, self.audit_put(audit)?];
        self.transact(ops).await
    }

    pub async fn create_client(&self, client: &Client, audit: &AuditEvent) -> Result<(), StoreError> {
        let ops =
            vec![self.put_op(self.client_item(client)?, Some("attribute_not_exists(PK)"))?, self.audit_put(audit)?];
        self.transact(ops).await
    }

    /// Replaces a contact whose role is still `before`'s; when the email changes, moves the
    /// claim in the same transaction (new one only if free: `EmailTaken`); when the role
    /// changes, updates the owner set (never to empty: `LastOwner`). A role changed meanwhile
    /// gives `ConditionFailed`.
    pub async fn update_contact(
        &self,
        before: &Contact,
        after: &Contact,
        audit: &AuditEvent,
    ) -> Result<(), StoreError> {
        let item = to_item(after, keys::client(after.client_id), format!("CONTACT#{}", after.id), [])?;
        // Contacts stored before roles existed have no `role` and are members.
        let same_role = match before.role {
            ContactRole::Owner => "attribute_exists(PK) AND #role = :owner",
            ContactRole::Member => "attribute_exists(PK) AND (#role <> :owner OR attribute_not_exists(#role))",
        };
        let put = aws_sdk_dynamodb::types::Put::builder()
            .table_name(&*self.table)
            .set_item(Some(item))
            .condition_expression(same_role)
            .expression_attribute_names("#role", "role")
            .expression_attribute_values(":owner", s("owner"))
            .build()
            .map_err(|e| StoreError::Other(e.to_string()))?;
        let mut ops = vec![TransactWriteItem::builder().put(put).build()];
        let mut claim_at = None;
        if before.email != after.email {
            let claim = EmailClaim {
                email: after.email.clone(),
                role: Role::Client,
                principal_id: after.id.to_string(),
                client_id: Some(after.client_id),
            };
            claim_at = Some(ops.len());
            ops.push(self.put_op(
                to_item(&claim, keys::email(&after.email), "EMAIL".into(), [])?,
                Some("attribute_not_exists(PK)"),
            )?);
            ops.push(self.delete_op(keys::email(&before.email), "EMAIL".into(), None)?);
        }
        ops.push(self.audit_put(audit)?);
        let change = OwnerChange::between(before.role == ContactRole::Owner, after.role == ContactRole::Owner);
        let owners_at = change.map(|_| ops.len());
        if let Some(change) = change {
            ops.push(self.owners_op(keys::client(after.client_id), &after.id.to_string(), change)?);
        }
        match self.transact(ops).await {
            Err(StoreError::Cancelled(failed)) if claim_at.is_some_and(|at| failed.contains(&at)) => {
                Err(StoreError::EmailTaken)
            }
            Err(StoreError::Cancelled(failed)) if owners_at.is_some_and(|at| failed.contains(&at)) => {
                Err(StoreError::LastOwner)
            }
            Err(StoreError::Cancelled(_)) => Err(StoreError::ConditionFailed),
            other => other,
        }
    }
}
