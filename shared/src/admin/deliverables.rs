//! Deliverables and their files: creating one, presigned upload forms, recording an upload as
//! the next version, and delivering it to the client.

use serde::Deserialize;
use time::OffsetDateTime;

use super::{Actor, optional_text, text};
use crate::config::Config;
use crate::domain::{
    Activity, ActivityKind, ClientId, Deliverable, DeliverableStatus, Destination, Error, Upload, UploadStatus,
};
use crate::files::transfers::{self, UPLOAD_LIFETIME, human_size};
use crate::files::{FileStore, Person, UploadForm, inspect, safe_filename};
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
    get(store, client_id, project_id, id).await?;
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
    at: super::InProject,
    id: ulid::Ulid,
    input: ConfirmUpload,
) -> Result<Deliverable, Error> {
    let super::InProject { client_id, project_id } = at;
    let before = get(store, client_id, project_id, id).await?;
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
    get(store, client_id, project_id, id).await
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
