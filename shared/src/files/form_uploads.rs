//! The single-request upload of a deliverable's file that older consoles use: a presigned POST
//! form into quarantine (`uploads.rs` signs it), then the same checks and recording as any
//! upload (`transfers::complete`). The web app uploads deliverables through `transfers` in parts.

use serde::Deserialize;
use time::OffsetDateTime;

use super::transfers::{self, UPLOAD_LIFETIME, human_size};
use super::{FileStore, Person, UploadForm, inspect, safe_filename};
use crate::config::Config;
use crate::domain::{ClientId, Deliverable, Destination, Error, Upload, UploadStatus};
use crate::store::Store;

async fn deliverable(
    store: &Store,
    client_id: ClientId,
    project_id: ulid::Ulid,
    id: ulid::Ulid,
) -> Result<Deliverable, Error> {
    store.get_deliverable(client_id, project_id, id).await?.ok_or(Error::NotFound)
}

#[derive(Debug, Deserialize)]
pub struct UploadRequest {
    pub filename: String,
    pub content_type: String,
    pub size: u64,
}

/// A presigned POST for one file of this deliverable (the single-request upload older
/// consoles use; the web app sends files through `files::transfers` in parts). The form's key
/// is in quarantine: `confirm_upload` checks the file before it becomes a version.
pub async fn upload_form(
    store: &Store,
    files: &FileStore,
    person: &Person,
    client_id: ClientId,
    project_id: ulid::Ulid,
    id: ulid::Ulid,
    input: UploadRequest,
) -> Result<UploadForm, Error> {
    deliverable(store, client_id, project_id, id).await?;
    let filename =
        safe_filename(&input.filename).ok_or_else(|| Error::invalid("invalid_filename", "The file needs a name."))?;
    let content_type = inspect::normalise_type(&input.content_type);
    let refused = inspect::refused_name(&filename).map_or_else(|| inspect::declarable(&content_type), Err);
    if let Err(refusal) = refused {
        return Err(Error::invalid("content_type_not_allowed", refusal.to_string()));
    }
    let max = files.max_upload_bytes;
    if input.size == 0 || input.size > max {
        return Err(Error::invalid("file_too_large", format!("Files must be between 1 byte and {}.", human_size(max))));
    }
    let now = OffsetDateTime::now_utc();
    let upload = Upload {
        id: ulid::Ulid::new(),
        client_id,
        destination: Destination::Deliverable { project_id, deliverable_id: id },
        filename,
        content_type,
        size: input.size,
        part_size: input.size,
        part_count: 1,
        s3_upload_id: None,
        status: UploadStatus::Assembled,
        uploaded_by: person.actor.label(),
        uploader_name: person.name.clone(),
        created_at: now,
        expires_at: now + UPLOAD_LIFETIME,
        reserved: false,
    };
    store.create_upload(&upload).await?;
    files.upload_form(&upload.quarantine_key(), upload.id, &upload.content_type).await
}

#[derive(Debug, Deserialize)]
pub struct ConfirmUpload {
    pub upload_id: String,
    /// Kept for older consoles; the name given when the form was asked for is the one used.
    #[serde(default)]
    pub filename: String,
}

/// Records a POSTed file as the deliverable's next version once it passes the checks of
/// `files::transfers::complete` (there, not here: one path for every upload).
pub async fn confirm_upload(
    store: &Store,
    files: &FileStore,
    config: &Config,
    person: &Person,
    (client_id, project_id): (ClientId, ulid::Ulid),
    id: ulid::Ulid,
    input: ConfirmUpload,
) -> Result<Deliverable, Error> {
    let before = deliverable(store, client_id, project_id, id).await?;
    let upload_id = ulid::Ulid::from_string(input.upload_id.trim()).map_err(|_| Error::NotFound)?;
    let recorded = format!("clients/{client_id}/files/{upload_id}");
    if before.versions.iter().any(|v| v.s3_key == recorded) {
        return Err(Error::conflict("already_recorded", "This upload is already a version."));
    }
    let waiting = store.get_upload(client_id, upload_id).await?;
    let Some(_) = waiting.filter(|u| u.destination == Destination::Deliverable { project_id, deliverable_id: id })
    else {
        return Err(Error::conflict(
            "upload_missing",
            "No upload with this id is waiting for this deliverable (it may have expired). Ask for a new upload form.",
        ));
    };
    transfers::complete(store, files, config, person, client_id, upload_id).await?;
    deliverable(store, client_id, project_id, id).await
}
