//! Files as the web app shows them: what they are, who sent them, and for images a short-lived
//! inline link to show as a thumbnail (signing is local: no request to S3 per file).

use serde::Serialize;
use time::OffsetDateTime;

use super::FileStore;
use super::inspect::previewable;
use crate::domain::{Error, FileRequest, RequestEvent, RequestStatus, SharedFile};

/// A file in a list.
#[derive(Debug, Clone, Serialize)]
pub struct FileSummary {
    pub id: ulid::Ulid,
    pub filename: String,
    pub content_type: String,
    pub size: u64,
    pub uploader_name: String,
    /// Sent from the client's side (rather than the agency's).
    pub from_client: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub uploaded_at: OffsetDateTime,
    /// Whether it can be shown in the page (images, PDFs).
    pub previewable: bool,
    /// Images only: an inline link valid for five minutes.
    pub thumbnail_url: Option<String>,
}

impl FileSummary {
    pub fn new(file: &SharedFile) -> Self {
        Self {
            id: file.id,
            filename: file.filename.clone(),
            content_type: file.content_type.clone(),
            size: file.size,
            uploader_name: file.uploader_name.clone(),
            from_client: file.from_client(),
            uploaded_at: file.uploaded_at,
            previewable: previewable(&file.content_type),
            thumbnail_url: None,
        }
    }

    /// With a thumbnail link when the file is an image.
    pub async fn with_thumbnail(files: &FileStore, file: &SharedFile) -> Result<Self, Error> {
        let mut summary = Self::new(file);
        if summary.previewable && file.content_type.starts_with("image/") {
            let (url, _) = files.preview_link(&file.s3_key, &file.filename, &file.content_type).await?;
            summary.thumbnail_url = Some(url);
        }
        Ok(summary)
    }
}

/// Links to one file: a download, and for images and PDFs one to show it in the page.
#[derive(Debug, Serialize)]
pub struct FileLinks {
    pub filename: String,
    pub content_type: String,
    pub size: u64,
    pub download_url: String,
    pub preview_url: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
}

impl FileLinks {
    pub async fn new(files: &FileStore, file: &SharedFile) -> Result<Self, Error> {
        let (download_url, expires_at) = files.download_link(&file.s3_key, &file.filename, &file.content_type).await?;
        let preview_url = if previewable(&file.content_type) {
            Some(files.preview_link(&file.s3_key, &file.filename, &file.content_type).await?.0)
        } else {
            None
        };
        Ok(Self {
            filename: file.filename.clone(),
            content_type: file.content_type.clone(),
            size: file.size,
            download_url,
            preview_url,
            expires_at,
        })
    }
}

/// A file request as both sides read it.
#[derive(Debug, Serialize)]
pub struct RequestView {
    pub id: ulid::Ulid,
    pub project_id: Option<ulid::Ulid>,
    pub title: String,
    pub details: String,
    pub due_date: Option<time::Date>,
    pub status: RequestStatus,
    pub files: Vec<FileSummary>,
    pub history: Vec<RequestEvent>,
    pub requested_by: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

impl RequestView {
    /// Without thumbnails (lists).
    pub fn summary(request: FileRequest) -> Self {
        let files = request.files.iter().map(FileSummary::new).collect();
        Self::with_files(request, files)
    }

    /// With thumbnails for its images (one request's page).
    pub async fn full(files: &FileStore, request: FileRequest) -> Result<Self, Error> {
        let mut summaries = Vec::with_capacity(request.files.len());
        for file in &request.files {
            summaries.push(FileSummary::with_thumbnail(files, file).await?);
        }
        Ok(Self::with_files(request, summaries))
    }

    fn with_files(request: FileRequest, files: Vec<FileSummary>) -> Self {
        Self {
            id: request.id,
            project_id: request.project_id,
            title: request.title,
            details: request.details,
            due_date: request.due_date,
            status: request.status,
            files,
            history: request.history,
            requested_by: request.requested_by,
            created_at: request.created_at,
            updated_at: request.updated_at,
        }
    }
}
