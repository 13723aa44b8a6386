//! Meeting notes: written in Markdown by the agency, read by the client.

use serde::Deserialize;
use time::{Date, OffsetDateTime};

use super::{Actor, InProject, not_found_on_cancel, text};
use crate::domain::{Error, MeetingNote};
use crate::store::Store;

pub const MAX_NOTE_CHARS: usize = 12_000;
pub const MAX_ATTENDEES: usize = 50;
pub const MAX_ATTENDEE_CHARS: usize = 200;
/// The most characters a note's request may carry: body, title and every attendee.
pub const MAX_REQUEST_CHARS: usize = MAX_NOTE_CHARS + 200 + MAX_ATTENDEES * MAX_ATTENDEE_CHARS;

/// Attendees as listed: trimmed, blanks dropped, at most 50 of at most 200 characters each.
fn attendees(list: Vec<String>) -> Result<Vec<String>, Error> {
    let names: Vec<String> = list.iter().map(|a| a.trim().to_owned()).filter(|a| !a.is_empty()).collect();
    if names.len() > MAX_ATTENDEES || names.iter().any(|a| a.chars().count() > MAX_ATTENDEE_CHARS) {
        return Err(Error::invalid(
            "invalid_field",
            format!("List at most {MAX_ATTENDEES} attendees of at most {MAX_ATTENDEE_CHARS} characters each."),
        ));
    }
    Ok(names)
}

#[derive(Debug, Deserialize)]
pub struct NoteInput {
    pub title: Option<String>,
    pub meeting_date: Option<Date>,
    pub attendees: Option<Vec<String>>,
    pub body_markdown: Option<String>,
}

pub async fn save(
    store: &Store,
    actor: &Actor,
    InProject { client_id, project_id }: InProject,
    id: Option<ulid::Ulid>,
    input: NoteInput,
) -> Result<MeetingNote, Error> {
    // The project must be this client's; an edited note must exist under it.
    let existing = async {
        match id {
            Some(id) => store.get_note(client_id, project_id, id).await?.map(Some).ok_or(Error::NotFound),
            None => Ok(None),
        }
    };
    let (_, before) = tokio::try_join!(super::projects::tree(store, client_id, project_id), existing)?;
    let required = |field: &'static str| Error::invalid("invalid_field", format!("`{field}` is required."));
    let title = match (&input.title, &before) {
        (Some(title), _) => text(title, "title", 200)?,
        (None, Some(note)) => note.title.clone(),
        (None, None) => return Err(required("title")),
    };
    let body = match (&input.body_markdown, &before) {
        (Some(body), _) if body.chars().count() <= MAX_NOTE_CHARS => body.clone(),
        (Some(_), _) => {
            return Err(Error::invalid("invalid_field", format!("Notes are limited to {MAX_NOTE_CHARS} characters.")));
        }
        (None, Some(note)) => note.body_markdown.clone(),
        (None, None) => return Err(required("body_markdown")),
    };
    let meeting_date = match (input.meeting_date, &before) {
        (Some(date), _) => date,
        (None, Some(note)) => note.meeting_date,
        (None, None) => return Err(required("meeting_date")),
    };
    let attendees = match (input.attendees, &before) {
        (Some(list), _) => attendees(list)?,
        (None, Some(note)) => note.attendees.clone(),
        (None, None) => vec![],
    };
    let note = MeetingNote {
        id: before.as_ref().map_or_else(ulid::Ulid::new, |n| n.id),
        project_id,
        client_id,
        title,
        meeting_date,
        attendees,
        body_markdown: body,
        created_at: before.as_ref().map_or_else(OffsetDateTime::now_utc, |n| n.created_at),
    };
    let action = if before.is_some() { "note.update" } else { "note.create" };
    let audit = actor.audit(Some(client_id), action, format!("note:{}", note.id), note.title.clone());
    store.write_note(&note, &audit).await?;
    Ok(note)
}

pub async fn delete(
    store: &Store,
    actor: &Actor,
    InProject { client_id, project_id }: InProject,
    id: ulid::Ulid,
) -> Result<(), Error> {
    let note = store.get_note(client_id, project_id, id).await?.ok_or(Error::NotFound)?;
    let audit = actor.audit(Some(client_id), "note.delete", format!("note:{id}"), note.title);
    store.delete_note(client_id, project_id, id, &audit).await.map_err(not_found_on_cancel)
}
