//! Files that move both ways: uploads in progress, files a client or the agency shared in a
//! project, and file requests (the agency asks, the client uploads into them).

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::ClientId;

/// Where a finished upload goes. Chosen when the upload starts and stored with it, so the
/// completing request cannot redirect a checked file anywhere else.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Destination {
    /// The next version of an agency deliverable (agency only).
    Deliverable { project_id: ulid::Ulid, deliverable_id: ulid::Ulid },
    /// A project's shared files.
    Project { project_id: ulid::Ulid },
    /// A file request the agency sent.
    Request { request_id: ulid::Ulid },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UploadStatus {
    /// Parts are being sent.
    Uploading,
    /// S3 has assembled the parts; the checks have not passed yet (a malware scan may be pending).
    Assembled,
}

/// An upload in progress: one S3 multipart upload under the quarantine prefix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Upload {
    pub id: ulid::Ulid,
    pub client_id: ClientId,
    pub destination: Destination,
    /// Display data only: keys never contain it.
    pub filename: String,
    /// What the uploader declared; the first bytes must agree.
    pub content_type: String,
    pub size: u64,
    pub part_size: u64,
    pub part_count: u32,
    /// S3's id of the multipart upload; `None` for a single presigned POST (deliverable form).
    #[serde(default)]
    pub s3_upload_id: Option<String>,
    pub status: UploadStatus,
    /// The audit log's name for who uploaded (`contact:…`, `admin:…`).
    pub uploaded_by: String,
    pub uploader_name: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    /// Whether its size and one file are already counted against the client's quota (a
    /// client's upload counts from the moment it starts, so open uploads cannot overrun it);
    /// given back when it is aborted, refused or expires.
    #[serde(default)]
    pub reserved: bool,
}

impl Upload {
    /// Where the bytes wait until they pass the checks.
    pub fn quarantine_key(&self) -> String {
        format!("quarantine/clients/{}/uploads/{}", self.client_id, self.id)
    }

    /// Where a checked file lives, derived from ids only.
    pub fn final_key(&self) -> String {
        format!("clients/{}/files/{}", self.client_id, self.id)
    }

    /// The size part `number` (1-based) must have.
    pub fn part_length(&self, number: u32) -> Option<u64> {
        if number == 0 || number > self.part_count {
            return None;
        }
        let before = u64::from(number - 1) * self.part_size;
        Some(self.part_size.min(self.size - before))
    }
}

/// A checked file someone shared: in a project's shared files or in a file request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SharedFile {
    pub id: ulid::Ulid,
    pub client_id: ClientId,
    #[serde(default)]
    pub project_id: Option<ulid::Ulid>,
    #[serde(default)]
    pub request_id: Option<ulid::Ulid>,
    pub filename: String,
    pub content_type: String,
    pub size: u64,
    pub s3_key: String,
    /// The audit log's name for who uploaded (`contact:…`, `admin:…`).
    pub uploaded_by: String,
    pub uploader_name: String,
    #[serde(with = "time::serde::rfc3339")]
    pub uploaded_at: OffsetDateTime,
}

impl SharedFile {
    /// Whether the file came from the client's side (counts against the client's quota).
    pub fn from_client(&self) -> bool {
        self.uploaded_by.starts_with("contact:")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestStatus {
    /// Waiting for the client's files.
    Open,
    /// The client marked it done; the agency reviews.
    Submitted,
    /// The agency asked for more; the client can upload again.
    ChangesRequested,
    /// The agency has what it needed.
    Accepted,
}

impl RequestStatus {
    /// Whether the client may add or remove files and submit.
    pub fn awaits_client(self) -> bool {
        matches!(self, Self::Open | Self::ChangesRequested)
    }
}

/// One step in a request's life, shown on the request as its history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequestEvent {
    pub kind: RequestEventKind,
    pub by: String,
    #[serde(default)]
    pub note: String,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestEventKind {
    Requested,
    Submitted,
    ChangesRequested,
    Accepted,
}

/// The agency asks a client for files ("Brand assets: logo in SVG, fonts").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileRequest {
    pub id: ulid::Ulid,
    pub client_id: ClientId,
    #[serde(default)]
    pub project_id: Option<ulid::Ulid>,
    pub title: String,
    #[serde(default)]
    pub details: String,
    #[serde(default)]
    pub due_date: Option<time::Date>,
    pub status: RequestStatus,
    #[serde(default)]
    pub files: Vec<SharedFile>,
    #[serde(default)]
    pub history: Vec<RequestEvent>,
    pub requested_by: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}
