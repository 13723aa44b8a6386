//! What the agency console's routes answer: types made for the API, never the stored items
//! (which carry storage keys and bookkeeping the console has no use for).

use serde::Serialize;
use time::OffsetDateTime;

use crate::domain::{Deliverable, DeliverableStatus, DeliverableVersion, Review};

/// A deliverable as the console shows it: its versions without their storage keys (files are
/// fetched through signed links), its reviews.
#[derive(Debug, Serialize)]
pub struct AdminDeliverableView {
    pub id: ulid::Ulid,
    pub project_id: ulid::Ulid,
    pub name: String,
    pub description: String,
    pub status: DeliverableStatus,
    pub versions: Vec<AdminVersionView>,
    pub reviews: Vec<Review>,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

#[derive(Debug, Serialize)]
pub struct AdminVersionView {
    pub number: u32,
    pub filename: String,
    pub size: u64,
    pub content_type: String,
    #[serde(with = "time::serde::rfc3339")]
    pub uploaded_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub delivered_at: Option<OffsetDateTime>,
}

impl From<&DeliverableVersion> for AdminVersionView {
    fn from(version: &DeliverableVersion) -> Self {
        Self {
            number: version.number,
            filename: version.filename.clone(),
            size: version.size,
            content_type: version.content_type.clone(),
            uploaded_at: version.uploaded_at,
            delivered_at: version.delivered_at,
        }
    }
}

impl From<Deliverable> for AdminDeliverableView {
    fn from(deliverable: Deliverable) -> Self {
        Self {
            id: deliverable.id,
            project_id: deliverable.project_id,
            versions: deliverable.versions.iter().map(AdminVersionView::from).collect(),
            name: deliverable.name,
            description: deliverable.description,
            status: deliverable.status,
            reviews: deliverable.reviews,
            updated_at: deliverable.updated_at,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_storage_key_or_tenant_id_leaves_in_a_deliverable() {
        let now = OffsetDateTime::now_utc();
        let deliverable = Deliverable {
            id: ulid::Ulid::new(),
            project_id: ulid::Ulid::new(),
            client_id: crate::domain::ClientId::new(),
            name: "Homepage".into(),
            description: String::new(),
            status: DeliverableStatus::Delivered,
            versions: vec![DeliverableVersion {
                number: 1,
                s3_key: "clients/c/files/secret-key".into(),
                filename: "home.pdf".into(),
                size: 3,
                content_type: "application/pdf".into(),
                uploaded_at: now,
                delivered_at: Some(now),
            }],
            reviews: vec![],
            created_at: now,
            updated_at: now,
        };
        let json = serde_json::to_string(&AdminDeliverableView::from(deliverable)).unwrap();
        for leak in ["s3_key", "secret-key", "client_id", "created_at"] {
            assert!(!json.contains(leak), "{leak} in {json}");
        }
        assert!(json.contains("\"filename\":\"home.pdf\""), "{json}");
    }
}
