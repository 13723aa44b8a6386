//! The agency's branding: one item (`AGENCY` / `BRANDING`) with the settings and the logo's
//! version, and the logo's PNG bytes in their own item (`AGENCY` / `LOGO`), so the settings
//! read every page load stays small.
//!
//! Settings and logo change by different routes; each write is conditional on the revision it
//! read, so a settings save and a logo upload at the same moment cannot undo each other (the
//! loser sees `ConditionFailed` and its caller reads again).

use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::AttributeValue;

use super::{Store, StoreError, classify, keys, s, to_item};
use crate::domain::AuditEvent;
use crate::domain::Branding;

const BRANDING: &str = "BRANDING";
const LOGO: &str = "LOGO";

/// The stored logo, as served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredLogo {
    pub version: String,
    pub png: Vec<u8>,
}

impl Store {
    pub async fn branding(&self) -> Result<Option<Branding>, StoreError> {
        self.get(keys::AGENCY.into(), BRANDING.into()).await
    }

    /// Saves `after` as the next revision if the stored one is still `after.revision - 1`
    /// (nothing stored counts as 0), with the audit event, all or nothing; with `logo` also
    /// replaces or (`None` inside) removes the logo bytes.
    pub async fn save_branding(
        &self,
        after: &Branding,
        logo: Option<Option<&StoredLogo>>,
        audit: &AuditEvent,
    ) -> Result<(), StoreError> {
        let item = to_item(after, keys::AGENCY.into(), BRANDING.into(), [])?;
        let seen = i64::try_from(after.revision.saturating_sub(1)).unwrap_or(i64::MAX);
        let condition = if seen == 0 { "attribute_not_exists(PK)" } else { "revision = :seen" };
        let put = aws_sdk_dynamodb::types::Put::builder()
            .table_name(&*self.table)
            .set_item(Some(item))
            .condition_expression(condition)
            .set_expression_attribute_values((seen != 0).then(|| [(":seen".to_owned(), super::n(seen))].into()))
            .build()
            .map_err(|e| StoreError::Other(e.to_string()))?;
        let mut ops = vec![aws_sdk_dynamodb::types::TransactWriteItem::builder().put(put).build()];
        match logo {
            None => {}
            Some(Some(logo)) => {
                let item = [
                    ("PK".to_owned(), s(keys::AGENCY)),
                    ("SK".to_owned(), s(LOGO)),
                    ("version".to_owned(), s(&logo.version)),
                    ("png".to_owned(), AttributeValue::B(Blob::new(logo.png.clone()))),
                ]
                .into();
                ops.push(self.put_op(item, None)?);
            }
            Some(None) => ops.push(self.delete_op(keys::AGENCY.into(), LOGO.into(), None)?),
        }
        ops.push(self.audit_put(audit)?);
        self.transact(ops).await.map_err(|error| match error {
            StoreError::Cancelled(failed) if failed == [0] => StoreError::ConditionFailed,
            other => other,
        })
    }

    pub async fn logo(&self) -> Result<Option<StoredLogo>, StoreError> {
        let output = self
            .db
            .get_item()
            .table_name(&*self.table)
            .key("PK", s(keys::AGENCY))
            .key("SK", s(LOGO))
            .send()
            .await
            .map_err(classify)?;
        Ok(output.item.and_then(|item| {
            Some(StoredLogo {
                version: item.get("version")?.as_s().ok()?.clone(),
                png: item.get("png")?.as_b().ok()?.as_ref().to_vec(),
            })
        }))
    }
}
