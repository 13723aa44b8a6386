//! File requests: the agency asks a client for files, the client's contacts upload into the
//! request (through `transfers`), add a note and mark it done; the agency accepts it or asks
//! for more. Each step is one transaction with its audit event and (for what the client should
//! see) an activity; the other side hears of it by email. A step checks the state it starts
//! from and writes only if nobody changed the request meanwhile.

use serde::Deserialize;
use time::OffsetDateTime;

use crate::config::Config;
use crate::domain::{
    Activity, ActivityKind, ClientId, Error, FileRequest, RequestEvent, RequestEventKind, RequestStatus, SharedFile,
    optional_text, text,
};

use crate::store::{Item, Store, StoreError};

use super::Person;

pub const MAX_TITLE_CHARS: usize = 200;
pub const MAX_DETAILS_CHARS: usize = 2000;
pub const MAX_NOTE_CHARS: usize = 2000;

#[derive(Debug, Deserialize)]
pub struct NewRequest {
    pub title: String,
    #[serde(default)]
    pub details: String,
    #[serde(default)]
    pub due_date: Option<time::Date>,
    #[serde(default)]
    pub project_id: Option<ulid::Ulid>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Note {
    #[serde(default)]
    pub note: String,
}

fn changed(error: StoreError) -> Error {
    match error {
        StoreError::Cancelled(_) | StoreError::ConditionFailed => {
            Error::conflict("request_changed", "This file request changed meanwhile. Reload and try again.")
        }
        other => other.into(),
    }
}

pub async fn get(store: &Store, client_id: ClientId, id: ulid::Ulid) -> Result<FileRequest, Error> {
    store.get_request(client_id, id).await?.ok_or(Error::NotFound)
}

pub async fn list(
    store: &Store,
    client_id: ClientId,
    open_only: bool,
    limit: i32,
    start: Option<Item>,
) -> Result<(Vec<FileRequest>, Option<Item>), Error> {
    Ok(store.list_requests(client_id, open_only, limit, start).await?)
}

/// The agency asks for files; the client's contacts are emailed.
pub async fn create(
    store: &Store,
    config: &Config,
    by: &Person,
    client_id: ClientId,
    input: NewRequest,
) -> Result<FileRequest, Error> {
    let title = text(&input.title, "title", MAX_TITLE_CHARS)?;
    let details = optional_text(&input.details, "details", MAX_DETAILS_CHARS)?;
    if let Some(project_id) = input.project_id {
        store
            .get_project(client_id, project_id)
            .await?
            .ok_or_else(|| Error::invalid("invalid_project", "That project does not exist for this client."))?;
    }
    let now = OffsetDateTime::now_utc();
    let request = FileRequest {
        id: ulid::Ulid::new(),
        client_id,
        project_id: input.project_id,
        title,
        details,
        due_date: input.due_date,
        status: RequestStatus::Open,
        files: Vec::new(),
        history: vec![RequestEvent {
            kind: RequestEventKind::Requested,
            by: by.name.clone(),
            note: String::new(),
            at: now,
        }],
        requested_by: by.name.clone(),
        created_at: now,
        updated_at: now,
    };
    let audit =
        by.actor.audit(Some(client_id), "request.create", format!("request:{}", request.id), request.title.clone());
    let activity = Activity::new(
        client_id,
        ActivityKind::FilesRequested,
        request.project_id,
        Some(request.id),
        &config.agency_name,
        format!("{} asked for files: {}", config.agency_name, request.title),
    )
    .by(by.actor.side(), by.actor.person_id());
    store.save_request(&request, None, vec![store.audit_put(&audit)?, store.activity_put(&activity)?]).await?;
    Ok(request)
}

/// One move in a request's life: what it is, with what note, from which states to which.
struct Step<'a> {
    kind: RequestEventKind,
    note: String,
    allowed_from: &'a [RequestStatus],
    to: RequestStatus,
}

/// A step from one state to another, written only if the request is still as it was read.
async fn step(
    store: &Store,
    by: &Person,
    client_id: ClientId,
    id: ulid::Ulid,
    Step { kind, note, allowed_from, to }: Step<'_>,
    activity: impl FnOnce(&FileRequest) -> Activity,
) -> Result<FileRequest, Error> {
    let before = get(store, client_id, id).await?;
    if !allowed_from.contains(&before.status) {
        return Err(Error::conflict(
            "request_state",
            match before.status {
                RequestStatus::Accepted => "This file request is already accepted.",
                RequestStatus::Submitted => "The files were already sent; the agency is reviewing them.",
                RequestStatus::Open | RequestStatus::ChangesRequested => {
                    "This file request is waiting for the client's files."
                }
            },
        ));
    }
    let now = OffsetDateTime::now_utc();
    let mut after = before.clone();
    after.status = to;
    after.updated_at = now;
    after.history.push(RequestEvent { kind, by: by.name.clone(), note: note.clone(), at: now });
    let action = match kind {
        RequestEventKind::Requested => "request.create",
        RequestEventKind::Submitted => "request.submit",
        RequestEventKind::ChangesRequested => "request.reopen",
        RequestEventKind::Accepted => "request.accept",
    };
    let summary = if note.is_empty() { after.title.clone() } else { format!("{}: {note}", after.title) };
    let audit = by.actor.audit(Some(client_id), action, format!("request:{id}"), summary);
    let activity = activity(&after).by(by.actor.side(), by.actor.person_id());
    store
        .save_request(&after, Some(&before), vec![store.audit_put(&audit)?, store.activity_put(&activity)?])
        .await
        .map_err(changed)?;
    Ok(after)
}

/// The client marks the request done (with an optional note); the agency is emailed.
pub async fn submit(
    store: &Store,
    by: &Person,
    client_id: ClientId,
    id: ulid::Ulid,
    input: Note,
) -> Result<FileRequest, Error> {
    let note = optional_text(&input.note, "note", MAX_NOTE_CHARS)?;
    let current = get(store, client_id, id).await?;
    if current.status.awaits_client() && current.files.is_empty() {
        return Err(Error::invalid("no_files", "Upload at least one file before marking the request done."));
    }
    let name = by.name.clone();
    let request = step(
        store,
        by,
        client_id,
        id,
        Step {
            kind: RequestEventKind::Submitted,
            note: note.clone(),
            allowed_from: &[RequestStatus::Open, RequestStatus::ChangesRequested],
            to: RequestStatus::Submitted,
        },
        |r| {
            let count = r.files.len();
            let files = if count == 1 { "1 file".to_owned() } else { format!("{count} files") };
            Activity::new(
                client_id,
                ActivityKind::FilesSubmitted,
                r.project_id,
                Some(r.id),
                &name,
                format!("{name} sent {files} for {}", r.title),
            )
        },
    )
    .await?;
    Ok(request)
}

/// The agency has what it needed.
pub async fn accept(
    store: &Store,
    config: &Config,
    by: &Person,
    client_id: ClientId,
    id: ulid::Ulid,
    input: Note,
) -> Result<FileRequest, Error> {
    let note = optional_text(&input.note, "note", MAX_NOTE_CHARS)?;
    let agency = config.agency_name.clone();
    step(
        store,
        by,
        client_id,
        id,
        Step {
            kind: RequestEventKind::Accepted,
            note,
            allowed_from: &[RequestStatus::Submitted, RequestStatus::Open, RequestStatus::ChangesRequested],
            to: RequestStatus::Accepted,
        },
        |r| {
            Activity::new(
                client_id,
                ActivityKind::FileRequestAccepted,
                r.project_id,
                Some(r.id),
                &agency,
                format!("{agency} accepted the files for {}", r.title),
            )
        },
    )
    .await
}

/// The agency asks for more (a note saying what is required); the contacts are emailed.
pub async fn ask_for_more(
    store: &Store,
    config: &Config,
    by: &Person,
    client_id: ClientId,
    id: ulid::Ulid,
    input: Note,
) -> Result<FileRequest, Error> {
    let note = crate::domain::multiline_text(&input.note, "note", MAX_NOTE_CHARS)
        .map_err(|_| Error::invalid("note_required", "Say what is still needed (1 to 2000 characters)."))?;
    let agency = config.agency_name.clone();
    let request = step(
        store,
        by,
        client_id,
        id,
        Step {
            kind: RequestEventKind::ChangesRequested,
            note: note.clone(),
            allowed_from: &[RequestStatus::Submitted, RequestStatus::Accepted],
            to: RequestStatus::ChangesRequested,
        },
        |r| {
            Activity::new(
                client_id,
                ActivityKind::FileRequestReopened,
                r.project_id,
                Some(r.id),
                &agency,
                format!("{agency} asked for more files for {}", r.title),
            )
        },
    )
    .await?;
    Ok(request)
}

/// Removes a file from a request still waiting for the client; returns it (its object is the
/// caller's to delete once this is written).
pub async fn remove_file(
    store: &Store,
    by: &Person,
    client_id: ClientId,
    id: ulid::Ulid,
    file_id: ulid::Ulid,
) -> Result<(FileRequest, SharedFile), Error> {
    let before = get(store, client_id, id).await?;
    let file = before.files.iter().find(|f| f.id == file_id).cloned().ok_or(Error::NotFound)?;
    if by.is_client() && !file.from_client() {
        // What the agency put into the request (a template, an example) is theirs to remove.
        return Err(Error::Forbidden("Only the agency can remove files it added to a request."));
    }
    if !before.status.awaits_client() {
        return Err(Error::conflict("request_closed", "Files can be removed only while the request waits for files."));
    }
    let mut after = before.clone();
    after.files.retain(|f| f.id != file_id);
    after.updated_at = OffsetDateTime::now_utc();
    let audit = by.actor.audit(Some(client_id), "request.remove_file", format!("request:{id}"), file.filename.clone());
    let mut ops = vec![store.audit_put(&audit)?];
    if file.from_client() {
        ops.push(store.usage_op(client_id, -i64::try_from(file.size).unwrap_or(0), -1, None)?);
    }
    store.save_request(&after, Some(&before), ops).await.map_err(changed)?;
    Ok((after, file))
}
