//! Passkeys and the WebAuthn ceremonies in progress.
//!
//! A passkey is one item per credential, `PASSKEY#{credential id}` (sign-in finds it from the
//! credential the browser presents, one GetItem), also in GSI1 under its person
//! (`PRINCIPAL#{id}` / `PASSKEY#{id}`) for their Security page. A ceremony is an item under a
//! random id with a few minutes' life, taken with one `DeleteItem … ReturnValues=ALL_OLD`: of
//! two requests presenting the same id, one gets it.

use aws_sdk_dynamodb::types::ReturnValue;

use super::{ListQuery, Store, StoreError, TableSpec, classify, from_item, keys, n, s, to_item};
use crate::domain::{AuditEvent, ClientId, Role};

/// A registered passkey. `credential` is the relying-party library's own record (public key,
/// counter, backup state), as JSON.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PasskeyRecord {
    pub id: ulid::Ulid,
    /// The credential id, base64url: the item's key.
    pub credential_id: String,
    pub principal_id: String,
    pub role: Role,
    #[serde(default)]
    pub client_id: Option<ClientId>,
    pub name: String,
    pub credential: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: time::OffsetDateTime,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub last_used_at: Option<time::OffsetDateTime>,
}

/// A ceremony in progress: the library's state (JSON) and, for registration or a second
/// factor, whose it is.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CeremonyRecord {
    pub kind: String,
    pub state: String,
    #[serde(default)]
    pub principal_id: Option<String>,
    /// Unix seconds; checked in code (TTL deletion is lazy).
    pub expires_at: i64,
}

fn passkey_key(credential_id: &str) -> String {
    format!("PASSKEY#{credential_id}")
}

/// Ceremony ids are 43 base64url characters (32 random bytes); nothing else is looked up.
pub fn is_ceremony_id(id: &str) -> bool {
    id.len() == 43 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn ceremony_key(id: &str) -> String {
    format!("CEREMONY#{id}")
}

impl Store {
    fn passkey_item(&self, record: &PasskeyRecord) -> Result<super::Item, StoreError> {
        to_item(
            record,
            passkey_key(&record.credential_id),
            "PASSKEY".into(),
            [("GSI1PK", s(keys::principal(&record.principal_id))), ("GSI1SK", s(format!("PASSKEY#{}", record.id)))],
        )
    }

    /// Stores a new passkey with its audit event (a credential id already stored is refused).
    pub async fn create_passkey(&self, record: &PasskeyRecord, audit: &AuditEvent) -> Result<(), StoreError> {
        let put = self.put_op(self.passkey_item(record)?, Some("attribute_not_exists(PK)"))?;
        self.transact(vec![put, self.audit_put(audit)?]).await
    }

    pub async fn passkey_by_credential(&self, credential_id: &str) -> Result<Option<PasskeyRecord>, StoreError> {
        self.get(passkey_key(credential_id), "PASSKEY".into()).await
    }

    /// A person's passkeys, oldest first.
    pub async fn passkeys_of(&self, principal_id: &str) -> Result<Vec<PasskeyRecord>, StoreError> {
        let mut query = ListQuery::index(TableSpec::GSI1, keys::principal(principal_id));
        query.sk_prefix = Some("PASSKEY#".into());
        query.newest_first = false;
        self.query_all(query).await?.into_iter().map(from_item).collect()
    }

    /// Replaces a stored passkey (new counter, name, last use); it must still exist.
    pub async fn update_passkey(&self, record: &PasskeyRecord, audit: Option<&AuditEvent>) -> Result<(), StoreError> {
        let mut ops = vec![self.put_op(self.passkey_item(record)?, Some("attribute_exists(PK)"))?];
        if let Some(audit) = audit {
            ops.push(self.audit_put(audit)?);
        }
        self.transact(ops).await
    }

    /// Takes the guard over one person's passkey removals for `lease_secs` (two removals at once
    /// would each see the other's passkey and leave none); `false` when another holds it.
    pub async fn claim_passkey_guard(&self, principal_id: &str, now: i64, lease_secs: i64) -> Result<bool, StoreError> {
        let result = self
            .db
            .put_item()
            .table_name(&*self.table)
            .item("PK", s(format!("PASSKEY_GUARD#{principal_id}")))
            .item("SK", s("GUARD"))
            .item("lease_until", super::n(now + lease_secs))
            .item("ttl", super::n(now + lease_secs + 60))
            .condition_expression("attribute_not_exists(PK) OR lease_until < :now")
            .expression_attribute_values(":now", super::n(now))
            .send()
            .await
            .map_err(super::classify);
        match result {
            Ok(_) => Ok(true),
            Err(StoreError::ConditionFailed) => Ok(false),
            Err(error) => Err(error),
        }
    }

    pub async fn release_passkey_guard(&self, principal_id: &str) -> Result<(), StoreError> {
        self.delete_key(&format!("PASSKEY_GUARD#{principal_id}"), "GUARD").await
    }

    /// A person's passkeys that are stored now: the index's list, each confirmed by a consistent
    /// read (the index may still show one just removed).
    pub async fn passkeys_now(&self, principal_id: &str) -> Result<Vec<PasskeyRecord>, StoreError> {
        let mut found = Vec::new();
        for record in self.passkeys_of(principal_id).await? {
            if self.passkey_by_credential(&record.credential_id).await?.is_some() {
                found.push(record);
            }
        }
        Ok(found)
    }

    pub async fn delete_passkey(&self, record: &PasskeyRecord, audit: &AuditEvent) -> Result<(), StoreError> {
        let delete =
            self.delete_op(passkey_key(&record.credential_id), "PASSKEY".into(), Some("attribute_exists(PK)"))?;
        self.transact(vec![delete, self.audit_put(audit)?]).await
    }

    pub async fn put_ceremony(&self, id: &str, ceremony: &CeremonyRecord) -> Result<(), StoreError> {
        let mut extra = vec![("ttl", n(ceremony.expires_at))];
        // A registration names its person (and the state holds their address): filed under
        // them in GSI1, so erasing them finds it.
        if let Some(principal) = &ceremony.principal_id {
            extra.push(("GSI1PK", s(keys::principal(principal))));
            extra.push(("GSI1SK", s(ceremony_key(id))));
        }
        self.put_new(to_item(ceremony, ceremony_key(id), "CEREMONY".into(), extra)?).await
    }

    /// Takes a ceremony: deletes it and returns what it was, so it serves once.
    pub async fn take_ceremony(&self, id: &str) -> Result<Option<CeremonyRecord>, StoreError> {
        let output = self
            .db
            .delete_item()
            .table_name(&*self.table)
            .key("PK", s(ceremony_key(id)))
            .key("SK", s("CEREMONY"))
            .return_values(ReturnValue::AllOld)
            .send()
            .await
            .map_err(classify)?;
        output.attributes.filter(|item| !item.is_empty()).map(from_item).transpose()
    }
}
