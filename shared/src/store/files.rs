//! Files both ways, under the client's partition: uploads in progress (`UPLOAD#{id}`, with a
//! TTL), a project's shared files (`FILES#{pid}#{fid}`, outside `PROJECT#{pid}` so the project
//! tree query does not grow with them), file requests (`REQUEST#{rid}`, their files inside) and
//! the client's upload usage (`USAGE`: bytes and files the client's side has stored).

use aws_sdk_dynamodb::types::{TransactWriteItem, Update};

use super::{Item, ListQuery, Store, StoreError, from_item, keys, n, s, to_item};
use crate::domain::{AuditEvent, ClientId, FileRequest, RequestStatus, SharedFile, Upload, UploadStatus};

/// How much a client's side may store (uploads by contacts), checked in the same transaction
/// that records a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UploadQuota {
    pub max_bytes: u64,
    pub max_files: u64,
}

/// What a client's side has stored.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize)]
pub struct UploadUsage {
    #[serde(default)]
    pub bytes: u64,
    #[serde(default)]
    pub files: u64,
}

fn upload_key(id: ulid::Ulid) -> String {
    format!("UPLOAD#{id}")
}

fn request_key(id: ulid::Ulid) -> String {
    format!("REQUEST#{id}")
}

fn project_file_key(project: ulid::Ulid, id: ulid::Ulid) -> String {
    format!("FILES#{project}#{id}")
}

const USAGE: &str = "USAGE";

fn other(e: impl std::fmt::Display) -> StoreError {
    StoreError::Other(e.to_string())
}

fn i64_of(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

impl Store {
    fn upload_item(upload: &Upload) -> Result<Item, StoreError> {
        to_item(
            upload,
            keys::client(upload.client_id),
            upload_key(upload.id),
            [("ttl", n(upload.expires_at.unix_timestamp()))],
        )
    }

    pub async fn create_upload(&self, upload: &Upload) -> Result<(), StoreError> {
        self.transact(vec![self.put_op(Self::upload_item(upload)?, Some("attribute_not_exists(PK)"))?]).await
    }

    /// Creates a client's upload and counts it against their quota in one transaction:
    /// `QuotaExceeded`-style cancellation (`Cancelled([1])`) when it would not fit.
    pub async fn create_reserved_upload(&self, upload: &Upload, quota: UploadQuota) -> Result<(), StoreError> {
        let bytes = i64::try_from(upload.size).unwrap_or(i64::MAX);
        self.transact(vec![
            self.put_op(Self::upload_item(upload)?, Some("attribute_not_exists(PK)"))?,
            self.usage_op(upload.client_id, bytes, 1, Some(quota))?,
        ])
        .await
    }

    /// A client's uploads still stored (open or expired but not yet removed), at most `limit`.
    pub async fn uploads_of(&self, client: ClientId, limit: i32) -> Result<Vec<Upload>, StoreError> {
        Ok(self.query_page(ListQuery::table(keys::client(client), "UPLOAD#"), limit, None).await?.0)
    }

    /// Removes an upload that did not become a file; a reserved one gives its room back to the
    /// quota in the same transaction (once: a second removal finds nothing to give back).
    pub async fn end_upload(&self, upload: &Upload) -> Result<(), StoreError> {
        if !upload.reserved {
            return self.delete_upload(upload.client_id, upload.id).await;
        }
        let bytes = i64::try_from(upload.size).unwrap_or(i64::MAX);
        let ops = vec![
            self.delete_op(keys::client(upload.client_id), upload_key(upload.id), Some("attribute_exists(PK)"))?,
            self.usage_op(upload.client_id, -bytes, -1, None)?,
        ];
        match self.transact(ops).await {
            Ok(()) | Err(StoreError::Cancelled(_)) => Ok(()),
            Err(error) => Err(error),
        }
    }

    /// An upload in progress; expired ones read as gone (the table's TTL deletes them late).
    pub async fn get_upload(&self, client: ClientId, id: ulid::Ulid) -> Result<Option<Upload>, StoreError> {
        let upload: Option<Upload> = self.get(keys::client(client), upload_key(id)).await?;
        Ok(upload.filter(|u| u.expires_at > time::OffsetDateTime::now_utc()))
    }

    pub async fn set_upload_status(
        &self,
        client: ClientId,
        id: ulid::Ulid,
        status: UploadStatus,
    ) -> Result<(), StoreError> {
        let status = enum_text(status);
        self.db
            .update_item()
            .table_name(&*self.table)
            .key("PK", s(keys::client(client)))
            .key("SK", s(upload_key(id)))
            .update_expression("SET #status = :status")
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":status", s(status))
            .send()
            .await
            .map_err(super::classify)?;
        Ok(())
    }

    /// Takes an upload for one completing request until `until` (unix seconds): a second
    /// request meanwhile gets `ConditionFailed`. A claim left by a request that died expires.
    pub async fn claim_upload(&self, client: ClientId, id: ulid::Ulid, now: i64, until: i64) -> Result<(), StoreError> {
        self.db
            .update_item()
            .table_name(&*self.table)
            .key("PK", s(keys::client(client)))
            .key("SK", s(upload_key(id)))
            .update_expression("SET claimed_until = :until")
            .condition_expression(
                "attribute_exists(PK) AND (attribute_not_exists(claimed_until) OR claimed_until < :now)",
            )
            .expression_attribute_values(":until", n(until))
            .expression_attribute_values(":now", n(now))
            .send()
            .await
            .map_err(super::classify)?;
        Ok(())
    }

    /// Lets the upload be completed again (after a failure worth retrying).
    pub async fn release_upload(&self, client: ClientId, id: ulid::Ulid) -> Result<(), StoreError> {
        let result = self
            .db
            .update_item()
            .table_name(&*self.table)
            .key("PK", s(keys::client(client)))
            .key("SK", s(upload_key(id)))
            .update_expression("REMOVE claimed_until")
            .condition_expression("attribute_exists(PK)")
            .send()
            .await
            .map_err(super::classify);
        super::done_if_condition_failed(result)
    }

    pub async fn delete_upload(&self, client: ClientId, id: ulid::Ulid) -> Result<(), StoreError> {
        self.db
            .delete_item()
            .table_name(&*self.table)
            .key("PK", s(keys::client(client)))
            .key("SK", s(upload_key(id)))
            .send()
            .await
            .map_err(super::classify)?;
        Ok(())
    }

    /// Ends an upload inside the transaction that records its file: if another request ended
    /// it first, the transaction is cancelled and nothing is recorded twice.
    pub(crate) fn finish_upload_op(&self, client: ClientId, id: ulid::Ulid) -> Result<TransactWriteItem, StoreError> {
        self.delete_op(keys::client(client), upload_key(id), Some("attribute_exists(PK)"))
    }

    /// Counts a client-side file against the quota, refusing (cancelling the transaction) when
    /// it would go over. `files`/`bytes` may be negative when a file is removed.
    pub(crate) fn usage_op(
        &self,
        client: ClientId,
        bytes: i64,
        files: i64,
        quota: Option<UploadQuota>,
    ) -> Result<TransactWriteItem, StoreError> {
        let mut update = Update::builder()
            .table_name(&*self.table)
            .key("PK", s(keys::client(client)))
            .key("SK", s(USAGE))
            .update_expression(
                "SET #bytes = if_not_exists(#bytes, :zero) + :bytes, #files = if_not_exists(#files, :zero) + :files",
            )
            .expression_attribute_names("#bytes", "bytes")
            .expression_attribute_names("#files", "files")
            .expression_attribute_values(":zero", n(0))
            .expression_attribute_values(":bytes", n(bytes))
            .expression_attribute_values(":files", n(files));
        if let Some(quota) = quota {
            // No arithmetic in conditions: "used + new ≤ max" is "used ≤ max − new".
            let room_bytes = i64_of(quota.max_bytes) - bytes;
            let room_files = i64_of(quota.max_files) - files;
            update = update
                .condition_expression(
                    "attribute_not_exists(#bytes) OR (#bytes <= :room_bytes AND #files <= :room_files)",
                )
                .expression_attribute_values(":room_bytes", n(room_bytes))
                .expression_attribute_values(":room_files", n(room_files));
        }
        Ok(TransactWriteItem::builder().update(update.build().map_err(other)?).build())
    }

    pub async fn upload_usage(&self, client: ClientId) -> Result<UploadUsage, StoreError> {
        Ok(self.get(keys::client(client), USAGE.into()).await?.unwrap_or_default())
    }

    pub fn project_file_item(&self, file: &SharedFile, project: ulid::Ulid) -> Result<Item, StoreError> {
        to_item(file, keys::client(file.client_id), project_file_key(project, file.id), [])
    }

    pub(crate) fn project_file_put(
        &self,
        file: &SharedFile,
        project: ulid::Ulid,
    ) -> Result<TransactWriteItem, StoreError> {
        self.put_op(self.project_file_item(file, project)?, Some("attribute_not_exists(PK)"))
    }

    /// A project's shared files, newest first, a page at a time.
    pub async fn list_project_files(
        &self,
        client: ClientId,
        project: ulid::Ulid,
        limit: i32,
        start: Option<Item>,
    ) -> Result<(Vec<SharedFile>, Option<Item>), StoreError> {
        self.query_page(ListQuery::table(keys::client(client), &format!("FILES#{project}#")), limit, start).await
    }

    pub async fn get_project_file(
        &self,
        client: ClientId,
        project: ulid::Ulid,
        id: ulid::Ulid,
    ) -> Result<Option<SharedFile>, StoreError> {
        self.get(keys::client(client), project_file_key(project, id)).await
    }

    /// Removes a shared file (and gives its bytes back to the client's quota when it was theirs).
    pub async fn delete_project_file(&self, file: &SharedFile, audit: &AuditEvent) -> Result<(), StoreError> {
        let project = file.project_id.ok_or_else(|| other("shared file without project"))?;
        let mut ops = vec![
            self.delete_op(
                keys::client(file.client_id),
                project_file_key(project, file.id),
                Some("attribute_exists(PK)"),
            )?,
            self.audit_put(audit)?,
        ];
        if file.from_client() {
            ops.push(self.usage_op(file.client_id, -i64_of(file.size), -1, None)?);
        }
        self.transact(ops).await
    }

    pub fn request_item(&self, request: &FileRequest) -> Result<Item, StoreError> {
        to_item(request, keys::client(request.client_id), request_key(request.id), [])
    }

    pub async fn get_request(&self, client: ClientId, id: ulid::Ulid) -> Result<Option<FileRequest>, StoreError> {
        self.get(keys::client(client), request_key(id)).await
    }

    /// A client's file requests, newest first; `open_only` keeps those waiting for the client
    /// (filtered in DynamoDB; the read stays bounded by `limit`).
    pub async fn list_requests(
        &self,
        client: ClientId,
        open_only: bool,
        limit: i32,
        start: Option<Item>,
    ) -> Result<(Vec<FileRequest>, Option<Item>), StoreError> {
        let query = ListQuery::table(keys::client(client), "REQUEST#");
        if !open_only {
            return self.query_page(query, limit, start).await;
        }
        let output = self
            .query_builder(&query)
            .limit(limit)
            .filter_expression("#status IN (:open, :more)")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":open", s(enum_text(RequestStatus::Open)))
            .expression_attribute_values(":more", s(enum_text(RequestStatus::ChangesRequested)))
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(super::classify)?;
        let items = output.items.unwrap_or_default().into_iter().map(from_item).collect::<Result<Vec<_>, _>>()?;
        Ok((items, output.last_evaluated_key.filter(|key| !key.is_empty())))
    }

    /// Writes a file request: new (`before` is `None`) or changed from exactly `before` (the
    /// write is refused if someone changed it meanwhile), with whatever else must happen with it.
    pub async fn save_request(
        &self,
        request: &FileRequest,
        before: Option<&FileRequest>,
        mut extra: Vec<TransactWriteItem>,
    ) -> Result<(), StoreError> {
        let item = self.request_item(request)?;
        let put = match before {
            None => self.put_op(item, Some("attribute_not_exists(PK)"))?,
            Some(before) => {
                let seen = before.updated_at.format(&time::format_description::well_known::Rfc3339).map_err(other)?;
                let put = aws_sdk_dynamodb::types::Put::builder()
                    .table_name(&*self.table)
                    .set_item(Some(item))
                    .condition_expression("attribute_exists(PK) AND updated_at = :seen")
                    .expression_attribute_values(":seen", s(seen))
                    .build()
                    .map_err(other)?;
                TransactWriteItem::builder().put(put).build()
            }
        };
        extra.insert(0, put);
        self.transact(extra).await
    }
}

/// A unit enum as it is stored (its serde name), for expressions that compare it.
fn enum_text(value: impl serde::Serialize) -> String {
    serde_json::to_value(value).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}
