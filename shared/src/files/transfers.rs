//! Uploads, from either side, of any size up to `UPLOAD_MAX_BYTES` (5 GiB): one S3 multipart
//! upload under `quarantine/`, a presigned PUT per part (its exact length signed in), resumable
//! from what S3 already holds (ListParts), and on completion the checks of `inspect` before the
//! file is copied to its final key and recorded where it was meant to go — in one transaction
//! that also ends the upload, so two completions cannot record it twice.

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use super::inspect::{self, Refusal, SNIFF_BYTES};
use super::{FileStore, Person, StoredPart};
use crate::config::Config;
use crate::domain::{
    Activity, ActivityKind, ClientId, Deliverable, DeliverableVersion, Destination, Error, SharedFile, Upload,
    UploadStatus,
};
use crate::files::safe_filename;
use crate::store::{Store, StoreError, UploadQuota};

/// Parts are at least this big (S3's minimum is 5 MiB for all but the last).
pub const MIN_PART_SIZE: u64 = 8 * 1024 * 1024;
/// At most this many parts (one ListParts page).
pub const MAX_PARTS: u64 = 1000;
/// How many part URLs one request may ask for.
pub const MAX_PART_URLS: usize = 100;
/// Part URLs handed out with a new upload (a small file needs no second request).
const FIRST_PART_URLS: u32 = 8;
/// How long an unfinished upload can be resumed (the bucket's lifecycle rule aborts what is
/// left after a day).
pub const UPLOAD_LIFETIME: Duration = Duration::hours(24);

/// The tag GuardDuty Malware Protection for S3 puts on every object it scanned.
pub const SCAN_TAG: &str = "GuardDutyMalwareScanStatus";

#[derive(Debug, Deserialize)]
pub struct NewUpload {
    pub destination: Destination,
    pub filename: String,
    #[serde(default)]
    pub content_type: String,
    pub size: u64,
}

/// A URL to PUT one part to.
#[derive(Debug, Serialize)]
pub struct PartUrl {
    pub number: u32,
    /// Exactly this many bytes: S3 refuses any other length.
    pub size: u64,
    pub url: String,
}

/// An upload as its uploader sees it: what to send and what has arrived.
#[derive(Debug, Serialize)]
pub struct UploadView {
    pub id: ulid::Ulid,
    pub destination: Destination,
    pub filename: String,
    pub content_type: String,
    pub size: u64,
    pub part_size: u64,
    pub part_count: u32,
    /// Parts S3 already holds (a resumed upload sends only the others).
    pub parts_done: Vec<u32>,
    /// URLs for the first parts still to send (more from `…/parts`).
    pub parts: Vec<PartUrl>,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
}

/// What a completed upload became.
#[derive(Debug, Serialize)]
pub struct Completed {
    pub destination: Destination,
    pub file: super::views::FileSummary,
}

/// The part size for a file: parts of at least `MIN_PART_SIZE`, at most `MAX_PARTS` of them.
pub fn part_size_for(size: u64) -> u64 {
    MIN_PART_SIZE.max(size.div_ceil(MAX_PARTS))
}

/// Starts an upload into `destination`, after checking the uploader may put a file of this
/// name, type and size there. Nothing is in S3 yet but an empty multipart upload.
pub async fn start(
    store: &Store,
    files: &FileStore,
    config: &Config,
    uploader: &Person,
    client_id: ClientId,
    input: NewUpload,
) -> Result<UploadView, Error> {
    let filename =
        safe_filename(&input.filename).ok_or_else(|| Error::invalid("invalid_filename", "The file needs a name."))?;
    if let Some(refusal) = inspect::refused_name(&filename) {
        return Err(refused(refusal));
    }
    let content_type = inspect::normalise_type(&input.content_type);
    inspect::declarable(&content_type).map_err(|r| Error::invalid("content_type_not_allowed", r.to_string()))?;
    let max = files.max_upload_bytes;
    if input.size == 0 || input.size > max {
        return Err(Error::invalid("file_too_large", format!("Files must be between 1 byte and {}.", human_size(max))));
    }
    check_destination(store, config, uploader, client_id, input.destination).await?;
    if uploader.is_client() {
        // The counter's condition covers what is used already; a file larger than the whole
        // quota is refused here (a company with no counter yet has used nothing).
        let limits = config.upload_limits;
        if input.size > limits.client_bytes || limits.client_files == 0 {
            return Err(quota_error(config));
        }
        release_expired(store, files, client_id).await?;
    }
    let now = OffsetDateTime::now_utc();
    let part_size = part_size_for(input.size);
    let mut upload = Upload {
        id: ulid::Ulid::new(),
        client_id,
        destination: input.destination,
        filename,
        content_type,
        size: input.size,
        part_size,
        part_count: u32::try_from(input.size.div_ceil(part_size)).map_err(Error::internal)?,
        s3_upload_id: None,
        status: UploadStatus::Uploading,
        uploaded_by: uploader.actor.label(),
        uploader_name: uploader.name.clone(),
        created_at: now,
        expires_at: now + UPLOAD_LIFETIME,
        // A client's upload counts against their quota from now on, not when it completes:
        // many uploads opened at once cannot together overrun it.
        reserved: uploader.is_client(),
    };
    let s3_type = if upload.content_type == "application/octet-stream" {
        "application/octet-stream"
    } else {
        &upload.content_type
    };
    upload.s3_upload_id = Some(files.create_multipart(&upload.quarantine_key(), s3_type).await?);
    let created = if upload.reserved {
        let quota =
            UploadQuota { max_bytes: config.upload_limits.client_bytes, max_files: config.upload_limits.client_files };
        store.create_reserved_upload(&upload, quota).await
    } else {
        store.create_upload(&upload).await
    };
    if let Err(error) = created {
        if let Some(s3_id) = &upload.s3_upload_id {
            files.abort_multipart(&upload.quarantine_key(), s3_id).await?;
        }
        return Err(match error {
            StoreError::Cancelled(failed) if failed.contains(&1) => quota_error(config),
            other => other.into(),
        });
    }
    let first: Vec<u32> = (1..=upload.part_count.min(FIRST_PART_URLS)).collect();
    let parts = part_urls_for(files, &upload, &first).await?;
    Ok(view(upload, Vec::new(), parts))
}

/// Whether the uploader may put a file into `destination` of this client (and it exists).
async fn check_destination(
    store: &Store,
    config: &Config,
    uploader: &Person,
    client_id: ClientId,
    destination: Destination,
) -> Result<(), Error> {
    match destination {
        Destination::Deliverable { project_id, deliverable_id } => {
            if uploader.is_client() {
                return Err(Error::Forbidden("Only the agency uploads deliverables."));
            }
            store.get_deliverable(client_id, project_id, deliverable_id).await?.ok_or(Error::NotFound)?;
        }
        Destination::Project { project_id } => {
            store.get_project(client_id, project_id).await?.ok_or(Error::NotFound)?;
            if uploader.is_client() {
                let client = store.get_client(client_id).await?.ok_or(Error::NotFound)?;
                if !client.uploads_enabled {
                    return Err(Error::Forbidden(
                        "Uploading files is switched off for your company. Ask the agency to switch it on.",
                    ));
                }
            }
        }
        Destination::Request { request_id } => {
            let request = store.get_request(client_id, request_id).await?.ok_or(Error::NotFound)?;
            if !request.status.awaits_client() {
                return Err(request_closed());
            }
            if request.files.len() >= config.upload_limits.request_files {
                return Err(Error::invalid(
                    "too_many_files",
                    format!("A file request takes at most {} files.", config.upload_limits.request_files),
                ));
            }
        }
    }
    Ok(())
}

fn request_closed() -> Error {
    Error::conflict("request_closed", "This file request is not waiting for files any more.")
}

fn quota_error(config: &Config) -> Error {
    Error::invalid(
        "quota_exceeded",
        format!(
            "Your company's storage is full ({} or {} files). Remove files you no longer need, or ask the agency.",
            human_size(config.upload_limits.client_bytes),
            config.upload_limits.client_files
        ),
    )
}

fn refused(refusal: Refusal) -> Error {
    let code = match refusal {
        Refusal::Executable(_) => "file_refused",
        Refusal::TypeNotAllowed(_) => "content_type_not_allowed",
        Refusal::Mismatch { .. } => "content_mismatch",
        Refusal::SizeMismatch { .. } => "size_mismatch",
        Refusal::Threat => "malware_found",
        Refusal::UnsafeDrawing(_) => "file_refused",
        Refusal::DrawingTooLarge => "file_too_large",
    };
    Error::invalid(code, refusal.to_string())
}

/// "5 GB", "100 MB": limits as people read them (binary units, as the checks count).
pub fn human_size(bytes: u64) -> String {
    const GIB: u64 = 1024 * 1024 * 1024;
    if bytes >= GIB && bytes.is_multiple_of(GIB) {
        format!("{} GB", bytes / GIB)
    } else {
        format!("{} MB", bytes.div_ceil(1024 * 1024))
    }
}

fn view(upload: Upload, parts_done: Vec<u32>, parts: Vec<PartUrl>) -> UploadView {
    UploadView {
        id: upload.id,
        destination: upload.destination,
        filename: upload.filename,
        content_type: upload.content_type,
        size: upload.size,
        part_size: upload.part_size,
        part_count: upload.part_count,
        parts_done,
        parts,
        expires_at: upload.expires_at,
    }
}

async fn part_urls_for(files: &FileStore, upload: &Upload, numbers: &[u32]) -> Result<Vec<PartUrl>, Error> {
    let s3_id = upload.s3_upload_id.as_deref().ok_or(Error::NotFound)?;
    let key = upload.quarantine_key();
    let mut urls = Vec::with_capacity(numbers.len());
    for &number in numbers {
        let size = upload
            .part_length(number)
            .ok_or_else(|| Error::invalid("invalid_part", format!("Parts are numbered 1 to {}.", upload.part_count)))?;
        urls.push(PartUrl { number, size, url: files.part_url(&key, s3_id, number, size).await? });
    }
    Ok(urls)
}

/// An upload in progress of this client, started from the same side: a contact may resume,
/// finish or cancel a colleague's upload (it goes where the company's files go), never one the
/// agency started, and the other way round. Anything else (or an expired one) is 404.
async fn own(store: &Store, person: &Person, client_id: ClientId, id: ulid::Ulid) -> Result<Upload, Error> {
    let upload = store.get_upload(client_id, id).await?.ok_or(Error::NotFound)?;
    let from_contact = upload.uploaded_by.starts_with("contact:");
    if from_contact != person.is_client() {
        return Err(Error::NotFound);
    }
    Ok(upload)
}

/// An upload as it stands: which parts S3 holds (to resume without sending them again).
pub async fn status(
    store: &Store,
    files: &FileStore,
    uploader: &Person,
    client_id: ClientId,
    id: ulid::Ulid,
) -> Result<UploadView, Error> {
    let upload = own(store, uploader, client_id, id).await?;
    let done = match (&upload.s3_upload_id, upload.status) {
        (Some(s3_id), UploadStatus::Uploading) => {
            let held = files.list_parts(&upload.quarantine_key(), s3_id).await?.unwrap_or_default();
            held.into_iter().filter(|p| upload.part_length(p.number) == Some(p.size)).map(|p| p.number).collect()
        }
        _ => (1..=upload.part_count).collect(),
    };
    Ok(view(upload, done, Vec::new()))
}

#[derive(Debug, Deserialize)]
pub struct PartsWanted {
    pub numbers: Vec<u32>,
}

/// URLs for the parts the uploader still has to send.
pub async fn part_urls(
    store: &Store,
    files: &FileStore,
    uploader: &Person,
    client_id: ClientId,
    id: ulid::Ulid,
    wanted: PartsWanted,
) -> Result<Vec<PartUrl>, Error> {
    if wanted.numbers.is_empty() || wanted.numbers.len() > MAX_PART_URLS {
        return Err(Error::invalid("invalid_parts", format!("Ask for 1 to {MAX_PART_URLS} parts at a time.")));
    }
    let upload = own(store, uploader, client_id, id).await?;
    if upload.status != UploadStatus::Uploading {
        return Err(Error::conflict("upload_assembled", "All parts have arrived; complete the upload."));
    }
    let mut numbers = wanted.numbers;
    numbers.sort_unstable();
    numbers.dedup();
    part_urls_for(files, &upload, &numbers).await
}

/// Cancels an upload: S3 drops its parts, the record goes.
pub async fn abort(
    store: &Store,
    files: &FileStore,
    uploader: &Person,
    client_id: ClientId,
    id: ulid::Ulid,
) -> Result<(), Error> {
    let upload = own(store, uploader, client_id, id).await?;
    discard(store, files, &upload).await
}

async fn discard(store: &Store, files: &FileStore, upload: &Upload) -> Result<(), Error> {
    let key = upload.quarantine_key();
    if let Some(s3_id) = &upload.s3_upload_id {
        files.abort_multipart(&key, s3_id).await?;
    }
    files.delete(&key).await?;
    store.end_upload(upload).await?;
    Ok(())
}

/// Open uploads a client may hold at once (each reserves its room in the quota).
const MAX_OPEN_UPLOADS: i32 = 50;

/// Gives back the room of a client's expired uploads (nobody will complete them; the table's
/// TTL would remove them late and the quota would stay taken), and refuses a new one when too
/// many are open.
async fn release_expired(store: &Store, files: &FileStore, client_id: ClientId) -> Result<(), Error> {
    let now = OffsetDateTime::now_utc();
    let uploads = store.uploads_of(client_id, MAX_OPEN_UPLOADS + 1).await?;
    let mut open = 0;
    for upload in uploads {
        if upload.expires_at <= now {
            discard(store, files, &upload).await?;
        } else {
            open += 1;
        }
    }
    if open > MAX_OPEN_UPLOADS - 1 {
        return Err(Error::conflict(
            "too_many_uploads",
            format!("At most {MAX_OPEN_UPLOADS} uploads can be open at once. Finish or cancel some, then try again."),
        ));
    }
    Ok(())
}

/// Finishes an upload: assembles the parts, checks the file, moves it to its final key and
/// records it where it was meant to go. A refused file is deleted and the uploader told why
/// (422); an incomplete one is 409 with how many parts are missing.
pub async fn complete(
    store: &Store,
    files: &FileStore,
    config: &Config,
    person: &Person,
    client_id: ClientId,
    id: ulid::Ulid,
) -> Result<Completed, Error> {
    let upload = own(store, person, client_id, id).await?;
    let now = OffsetDateTime::now_utc().unix_timestamp();
    store.claim_upload(client_id, id, now, now + COMPLETION_LEASE_SECS).await.map_err(|error| match error {
        StoreError::ConditionFailed => {
            Error::conflict("upload_busy", "This upload is being completed. Wait a moment and reload.")
        }
        other => other.into(),
    })?;
    let result = check_and_place(store, files, config, person, &upload).await;
    if result.is_err() {
        // Parts missing, scan pending, a service down, over quota: the next attempt may pass.
        // (A refused or completed upload is gone already; releasing it is a no-op.)
        if let Err(error) = store.release_upload(client_id, id).await {
            tracing::warn!(%error, "upload claim not released; it expires by itself");
        }
    }
    result
}

/// A completing request holds the upload this long at most.
const COMPLETION_LEASE_SECS: i64 = 120;

async fn check_and_place(
    store: &Store,
    files: &FileStore,
    config: &Config,
    person: &Person,
    upload: &Upload,
) -> Result<Completed, Error> {
    let (client_id, id) = (upload.client_id, upload.id);
    let key = upload.quarantine_key();
    if let (Some(s3_id), UploadStatus::Uploading) = (&upload.s3_upload_id, upload.status) {
        // `None`: an earlier attempt assembled it and died before saying so; the object is checked below.
        if let Some(held) = files.list_parts(&key, s3_id).await? {
            let parts = complete_set(upload, held)?;
            files.complete_multipart(&key, s3_id, &parts).await?;
        }
        store.set_upload_status(client_id, id, UploadStatus::Assembled).await.map_err(gone_on_condition)?;
    }
    let stored = files.stat(&key).await?.ok_or_else(|| {
        Error::conflict("upload_missing", "The file has not arrived in storage yet. Upload it, then complete.")
    })?;
    let content_type = match judge(files, config, upload, stored.size).await? {
        Ok(content_type) => content_type,
        Err(refusal) => {
            let audit = person.actor.audit(
                Some(client_id),
                "upload.refused",
                format!("upload:{id}"),
                format!("{}: {refusal}", upload.filename),
            );
            discard(store, files, upload).await?;
            store.append_audit(&audit).await?;
            return Err(refused(refusal));
        }
    };
    let final_key = upload.final_key();
    files.copy(&key, &final_key, stored.size, &content_type).await?;
    let placed = place(store, config, person, upload, &final_key, &content_type).await;
    match &placed {
        // Nothing recorded the copy (the claim keeps others out): it must not linger. The
        // quarantined object stays for a retry until the lifecycle rule removes it.
        Err(error) if !matches!(error, Error::Unavailable) => {
            if let Err(error) = files.delete(&final_key).await {
                tracing::warn!(%error, "unrecorded copy not deleted");
            }
        }
        Err(_) => {}
        Ok(_) => {
            if let Err(error) = files.delete(&key).await {
                tracing::warn!(%error, "quarantined copy not deleted; the lifecycle rule will");
            }
        }
    }
    placed
}

fn gone_on_condition(error: StoreError) -> Error {
    match error {
        StoreError::ConditionFailed => Error::NotFound,
        other => other.into(),
    }
}

/// Every part 1..=n present with its exact length, or 409 saying how many are missing.
fn complete_set(upload: &Upload, held: Vec<StoredPart>) -> Result<Vec<StoredPart>, Error> {
    let good: Vec<StoredPart> = held.into_iter().filter(|p| upload.part_length(p.number) == Some(p.size)).collect();
    let missing = upload.part_count as usize - good.len();
    if missing > 0 {
        return Err(Error::conflict(
            "parts_missing",
            format!("{missing} of {} parts have not arrived. Send them, then complete the upload.", upload.part_count),
        ));
    }
    Ok(good)
}

/// The checks, in order: size as announced, content as declared (and not a program), and the
/// malware scanner's verdict when one is configured. `Err` is a failure to check (try again);
/// `Ok(Err)` a refusal.
async fn judge(
    files: &FileStore,
    config: &Config,
    upload: &Upload,
    actual_size: u64,
) -> Result<Result<String, Refusal>, Error> {
    if actual_size != upload.size {
        return Ok(Err(Refusal::SizeMismatch { declared: upload.size, actual: actual_size }));
    }
    let key = upload.quarantine_key();
    let head = files.first_bytes(&key, SNIFF_BYTES).await?;
    let content_type = match inspect::judge(&upload.filename, &upload.content_type, &head) {
        Ok(content_type) => content_type,
        Err(refusal) => return Ok(Err(refusal)),
    };
    if content_type == "image/svg+xml" {
        // A drawing is XML a browser may run: parsed whole, not judged by its first bytes.
        if actual_size > super::svg::MAX_SVG_BYTES {
            return Ok(Err(Refusal::DrawingTooLarge));
        }
        let whole = files.first_bytes(&key, actual_size).await?;
        if let Err(super::svg::Unsafe(why)) = super::svg::check(&whole) {
            return Ok(Err(Refusal::UnsafeDrawing(why)));
        }
    }
    if config.malware_scan {
        let tags = files.tags(&key).await?;
        match tags.iter().find(|(k, _)| k == SCAN_TAG).map(|(_, v)| v.as_str()) {
            Some("NO_THREATS_FOUND") => {}
            Some("THREATS_FOUND") => return Ok(Err(Refusal::Threat)),
            None => {
                return Err(Error::conflict(
                    "scan_pending",
                    "The file is being scanned for malware. This takes a few seconds; try completing again.",
                ));
            }
            Some(other) => {
                tracing::warn!(status = other, "malware scan did not pass the file");
                return Ok(Err(Refusal::Threat));
            }
        }
    }
    Ok(Ok(content_type))
}

/// Records the checked file at its destination, ending the upload in the same transaction.
async fn place(
    store: &Store,
    config: &Config,
    uploader: &Person,
    upload: &Upload,
    final_key: &str,
    content_type: &str,
) -> Result<Completed, Error> {
    let now = OffsetDateTime::now_utc();
    let client_id = upload.client_id;
    let file = SharedFile {
        id: upload.id,
        client_id,
        project_id: None,
        request_id: None,
        filename: upload.filename.clone(),
        content_type: content_type.to_owned(),
        size: upload.size,
        s3_key: final_key.to_owned(),
        uploaded_by: uploader.actor.label(),
        uploader_name: uploader.name.clone(),
        uploaded_at: now,
    };
    let finish = store.finish_upload_op(client_id, upload.id)?;
    let quota =
        UploadQuota { max_bytes: config.upload_limits.client_bytes, max_files: config.upload_limits.client_files };
    let usage = || store.usage_op(client_id, i64::try_from(upload.size).unwrap_or(i64::MAX), 1, Some(quota));
    let summary = super::views::FileSummary::new(&file);
    match upload.destination {
        Destination::Deliverable { project_id, deliverable_id } => {
            let before = store.get_deliverable(client_id, project_id, deliverable_id).await?.ok_or(Error::NotFound)?;
            let after = with_version(&before, &file, now);
            let number = after.versions.last().map_or(0, |v| v.number);
            let audit = uploader.actor.audit(
                Some(client_id),
                "deliverable.version",
                format!("deliverable:{deliverable_id}"),
                format!("v{number}: {}", file.filename),
            );
            store
                .write_deliverable_with(&after, Some(&before), None, Some(&audit), vec![finish])
                .await
                .map_err(|e| placement_error(e, 2, None, "deliverable_changed", config))?;
        }
        Destination::Project { project_id } => {
            let file = SharedFile { project_id: Some(project_id), ..file.clone() };
            let project = store.get_project(client_id, project_id).await?.ok_or(Error::NotFound)?;
            let audit = uploader.actor.audit(
                Some(client_id),
                "file.share",
                format!("file:{}", file.id),
                format!("{} in {}", file.filename, project.name),
            );
            let activity = Activity::new(
                client_id,
                ActivityKind::FileShared,
                Some(project_id),
                Some(file.id),
                &uploader.name,
                format!("{} shared {} in {}", uploader.name, file.filename, project.name),
            )
            .by(uploader.actor.side(), uploader.actor.person_id());
            let mut ops = vec![finish, store.project_file_put(&file, project_id)?, store.audit_put(&audit)?];
            ops.push(store.activity_put(&activity)?);
            // A reserved upload was counted when it started.
            let usage_at = (uploader.is_client() && !upload.reserved).then_some(ops.len());
            if usage_at.is_some() {
                ops.push(usage()?);
            }
            store.transact(ops).await.map_err(|e| placement_error(e, 0, usage_at, "conflict", config))?;
        }
        Destination::Request { request_id } => {
            let before = store.get_request(client_id, request_id).await?.ok_or(Error::NotFound)?;
            if !before.status.awaits_client() {
                return Err(request_closed());
            }
            if before.files.len() >= config.upload_limits.request_files {
                return Err(Error::invalid(
                    "too_many_files",
                    format!("A file request takes at most {} files.", config.upload_limits.request_files),
                ));
            }
            let mut after = before.clone();
            after.files.push(SharedFile {
                request_id: Some(request_id),
                project_id: before.project_id,
                ..file.clone()
            });
            after.updated_at = now;
            let audit = uploader.actor.audit(
                Some(client_id),
                "request.upload",
                format!("request:{request_id}"),
                format!("{} for {}", file.filename, before.title),
            );
            // `save_request` puts the request first: finish is write 1, the usage counter 3.
            let mut ops = vec![finish, store.audit_put(&audit)?];
            let usage_at = (uploader.is_client() && !upload.reserved).then_some(3);
            if usage_at.is_some() {
                ops.push(usage()?);
            }
            store
                .save_request(&after, Some(&before), ops)
                .await
                .map_err(|e| placement_error(e, 1, usage_at, "request_changed", config))?;
        }
    }
    Ok(Completed { destination: upload.destination, file: summary })
}

/// What a cancelled placement means, by which write failed: the upload's end (`finish_at`: it
/// was completed by another request), the usage counter (`usage_at`: over quota), or the
/// destination (changed meanwhile).
fn placement_error(
    error: StoreError,
    finish_at: usize,
    usage_at: Option<usize>,
    changed: &'static str,
    config: &Config,
) -> Error {
    match error {
        StoreError::Cancelled(failed) if failed.contains(&finish_at) => {
            Error::conflict("already_completed", "This upload was already completed.")
        }
        StoreError::Cancelled(failed) if usage_at.is_some_and(|at| failed.contains(&at)) => quota_error(config),
        StoreError::Cancelled(_) | StoreError::ConditionFailed => {
            Error::conflict(changed, "This changed while the file was uploading. Reload and try again.")
        }
        other => other.into(),
    }
}

fn with_version(before: &Deliverable, file: &SharedFile, now: OffsetDateTime) -> Deliverable {
    let mut after = before.clone();
    let number = before.versions.iter().map(|v| v.number).max().unwrap_or(0) + 1;
    after.versions.push(DeliverableVersion {
        number,
        s3_key: file.s3_key.clone(),
        filename: file.filename.clone(),
        size: file.size,
        content_type: file.content_type.clone(),
        uploaded_at: now,
        delivered_at: None,
    });
    after.updated_at = now;
    after
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_are_at_least_8_mib_and_at_most_1000() {
        assert_eq!(part_size_for(1), MIN_PART_SIZE);
        assert_eq!(part_size_for(300 * 1024 * 1024), MIN_PART_SIZE);
        let five_gib: u64 = 5 * 1024 * 1024 * 1024;
        assert_eq!(five_gib.div_ceil(part_size_for(five_gib)), 640);
        let huge = 20 * 1024 * 1024 * 1024_u64;
        assert!(huge.div_ceil(part_size_for(huge)) <= MAX_PARTS);
    }

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(human_size(5 * 1024 * 1024 * 1024), "5 GB");
        assert_eq!(human_size(100 * 1024 * 1024), "100 MB");
    }
}
