//! Meeting notes as a client reads them: Markdown rendered to sanitised HTML.

use crate::domain::{ClientId, Error};
use crate::store::Store;

use super::views::NoteView;

pub async fn note(store: &Store, client: ClientId, project: ulid::Ulid, note: ulid::Ulid) -> Result<NoteView, Error> {
    let note = store.get_note(client, project, note).await?.ok_or(Error::NotFound)?;
    Ok(NoteView {
        id: note.id,
        project_id: note.project_id,
        body_html: super::markdown::to_safe_html(&note.body_markdown),
        title: note.title,
        meeting_date: note.meeting_date,
        attendees: note.attendees,
        body_markdown: note.body_markdown,
    })
}
