//! Deliverables and their files: creating one, presigned upload forms, recording an upload as
//! the next version, and delivering it to the client.

use serde::Deserialize;
use time::OffsetDateTime;

use super::{Actor, optional_text, text};
use crate::config::Config;
use crate::domain::{Activity, ActivityKind, ClientId, Deliverable, DeliverableStatus, DeliverableVersion, Error};
use crate::files::{ALLOWED_CONTENT_TYPES, FileStore, UploadForm, safe_filename};
use crate::mail::{Mailer, Notification};
use crate::store::{Store, StoreError};

/// A deliverable's description, as clients read it.
pub const MAX_DESCRIPTION_CHARS: usize = 2000;

#[derive(Debug, Deserialize)]
pub struct NewDeliverable {
    pub name: String,
    #[serde(default)]
    pub description: String,
}

pub async fn create(
    store: &Store,
    actor: &Actor,
    client_id: ClientId,
    project_id: ulid::Ulid,
    input: NewDeliverable,
) -> Result<Deliverable, Error> {
    super::projects::tree(store, client_id, project_id).await?;
    let now = OffsetDateTime::now_utc();
    let deliverable = Deliverable {
        id: ulid::Ulid::new(),
        project_id,
        client_id,
        name: text(&input.name, "name", 200)?,
        description: optional_text(&input.description, "description", MAX_DESCRIPTION_CHARS)?,
        status: DeliverableStatus::InProgress,
        versions: vec![],
        reviews: vec![],
        created_at: now,
        updated_at: now,
    };
    let audit = actor.audit(
        Some(client_id),
        "deliverable.create",
        format!("deliverable:{}", deliverable.id),
        deliverable.name.clone(),
    );
    store.write_deliverable(&deliverable, None, None, Some(&audit)).await?;
    Ok(deliverable)
}

async fn get(store: &Store, client_id: ClientId, project_id: ulid::Ulid, id: ulid::Ulid) -> Result<Deliverable, Error> {
    store.get_deliverable(client_id, project_id, id).await?.ok_or(Error::NotFound)
}

fn upload_key(d: &Deliverable, upload_id: ulid::Ulid, filename: &str) -> String {
    format!("clients/{}/projects/{}/deliverables/{}/uploads/{upload_id}/{filename}", d.client_id, d.project_id, d.id)
}

#[derive(Debug, Deserialize)]
pub struct UploadRequest {
    pub filename: String,
    pub content_type: String,
    pub size: u64,
}

/// A presigned POST for one file of this deliverable: S3 itself refuses other types, bigger
/// files, other keys, or late uploads.
pub async fn upload_form(
    store: &Store,
    files: &FileStore,
    client_id: ClientId,
    project_id: ulid::Ulid,
    id: ulid::Ulid,
    input: UploadRequest,
) -> Result<UploadForm, Error> {
    let d = get(store, client_id, project_id, id).await?;
    let filename =
        safe_filename(&input.filename).ok_or_else(|| Error::invalid("invalid_filename", "The file needs a name."))?;
    let content_type = input.content_type.trim().to_ascii_lowercase();
    if !ALLOWED_CONTENT_TYPES.contains(&content_type.as_str()) {
        return Err(Error::invalid(
            "content_type_not_allowed",
            format!(
                "Files of type {content_type} cannot be uploaded. Allowed: PDF, Office, images, text, CSV, ZIP, MP4."
            ),
        ));
    }
    let max = files.max_upload_bytes;
    if input.size == 0 || input.size > max {
        return Err(Error::invalid(
            "file_too_large",
            format!("Files must be between 1 byte and {} MB.", max / 1024 / 1024),
        ));
    }
    let upload_id = ulid::Ulid::new();
    files.upload_form(&upload_key(&d, upload_id, &filename), upload_id, &content_type).await
}

#[derive(Debug, Deserialize)]
pub struct ConfirmUpload {
    pub upload_id: String,
    pub filename: String,
}

/// Records an uploaded file as the deliverable's next version, once S3 confirms the object
/// exists (HeadObject): no version without its file.
pub async fn confirm_upload(
    store: &Store,
    files: &FileStore,
    actor: &Actor,
    client_id: ClientId,
    project_id: ulid::Ulid,
    id: ulid::Ulid,
    input: ConfirmUpload,
) -> Result<Deliverable, Error> {
    let before = get(store, client_id, project_id, id).await?;
    let upload_id = ulid::Ulid::from_string(input.upload_id.trim()).map_err(|_| Error::NotFound)?;
    let filename = safe_filename(&input.filename).ok_or(Error::NotFound)?;
    let key = upload_key(&before, upload_id, &filename);
    let stored = files.stat(&key).await?.ok_or_else(|| {
        Error::conflict("upload_missing", "The file has not arrived in storage yet. Upload it, then confirm.")
    })?;
    if before.versions.iter().any(|v| v.s3_key == key) {
        return Err(Error::Conflict { code: "already_recorded", message: "This upload is already a version.".into() });
    }
    let now = OffsetDateTime::now_utc();
    let mut after = before.clone();
    let number = before.versions.iter().map(|v| v.number).max().unwrap_or(0) + 1;
    after.versions.push(DeliverableVersion {
        number,
        s3_key: key,
        filename: filename.clone(),
        size: stored.size,
        content_type: stored.content_type,
        uploaded_at: now,
        delivered_at: None,
    });
    after.updated_at = now;
    let audit = actor.audit(
        Some(client_id),
        "deliverable.version",
        format!("deliverable:{id}"),
        format!("v{number}: {filename}"),
    );
    store.write_deliverable(&after, Some(&before), None, Some(&audit)).await.map_err(conflict_on_cancel)?;
    Ok(after)
}

fn conflict_on_cancel(error: StoreError) -> Error {
    match error {
        StoreError::Cancelled(_) | StoreError::ConditionFailed => Error::Conflict {
            code: "deliverable_changed",
            message: "This deliverable changed meanwhile. Reload and try again.".into(),
        },
        other => other.into(),
    }
}

/// Delivers the newest undelivered version: the client sees it, and its contacts get an email.
pub async fn deliver(
    store: &Store,
    mailer: &Mailer,
    config: &Config,
    actor: &Actor,
    client_id: ClientId,
    project_id: ulid::Ulid,
    id: ulid::Ulid,
) -> Result<Deliverable, Error> {
    let before = get(store, client_id, project_id, id).await?;
    let now = OffsetDateTime::now_utc();
    let mut after = before.clone();
    let version =
        after.versions.iter_mut().filter(|v| v.delivered_at.is_none()).max_by_key(|v| v.number).ok_or_else(|| {
            Error::Conflict { code: "nothing_to_deliver", message: "Upload a new version first.".into() }
        })?;
    version.delivered_at = Some(now);
    let number = version.number;
    after.status = DeliverableStatus::Delivered;
    after.updated_at = now;
    let activity = Activity::new(
        client_id,
        ActivityKind::DeliverableDelivered,
        Some(project_id),
        Some(id),
        &config.agency_name,
        format!("{} delivered {} (v{number})", config.agency_name, after.name),
    );
    let audit = actor.audit(Some(client_id), "deliverable.deliver", format!("deliverable:{id}"), format!("v{number}"));
    store.write_deliverable(&after, Some(&before), Some(&activity), Some(&audit)).await.map_err(conflict_on_cancel)?;
    let link = format!("{}/portal/projects/{project_id}", config.public_url);
    let subject = format!("New delivery: {} (v{number})", after.name);
    let message = format!(
        "{} has delivered {} (version {number}). Review it in your portal: {link}",
        config.agency_name, after.name
    );
    super::notify_contacts(
        store,
        mailer,
        client_id,
        Notification { subject: &subject, message: &message, link: &link },
    )
    .await;
    Ok(after)
}
