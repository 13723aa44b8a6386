//! The client company's message thread with the agency, as a contact reads and writes it.

use serde::Serialize;
use time::OffsetDateTime;

use crate::domain::{Activity, ActivityKind, AuthorKind, ClientId, ContactId, Error, Message, Side};

use crate::store::{Item, ReadMarker, Store, ThreadCount};

use super::views::MessageView;

pub const MAX_MESSAGE_CHARS: usize = 5000;

/// A message body as the thread accepts it, from either side: trimmed, 1 to 5000 characters
/// (characters, not bytes: an emoji counts once).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageBody(String);

impl MessageBody {
    pub fn parse(raw: &str) -> Result<Self, Error> {
        let body = raw.trim();
        let length = body.chars().count();
        if length == 0 || length > MAX_MESSAGE_CHARS {
            return Err(Error::invalid(
                "invalid_message",
                format!("Write a message of 1 to {MAX_MESSAGE_CHARS} characters."),
            ));
        }
        Ok(Self(body.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

pub async fn list(
    store: &Store,
    client: ClientId,
    contact: ContactId,
    limit: i32,
    start: Option<Item>,
) -> Result<(Vec<MessageView>, Option<Item>), Error> {
    let ((messages, last), marker) =
        tokio::try_join!(store.list_messages(client, limit, start), store.read_marker(client, contact))?;
    Ok((messages.into_iter().map(|m| MessageView::new(m, contact, marker.last_read)).collect(), last))
}

/// Posts a contact's message; the agency's notification address (if any) gets an email.
pub async fn post(
    store: &Store,
    client: ClientId,
    contact: ContactId,
    body: MessageBody,
) -> Result<MessageView, Error> {
    let (author, company) = tokio::try_join!(store.get_contact(client, contact), store.get_client(client))?;
    let author = author.ok_or(Error::Unauthenticated)?;
    let message = Message {
        id: ulid::Ulid::new(),
        client_id: client,
        author_kind: AuthorKind::Contact,
        author_id: contact.to_string(),
        author_name: author.name.clone(),
        body: body.0,
        created_at: OffsetDateTime::now_utc(),
    };
    let activity = Activity::new(
        client,
        ActivityKind::MessagePosted,
        None,
        Some(message.id),
        &author.name,
        format!("{} sent a message", author.name),
    )
    .by(Side::Client, Some(contact.to_string()))
    .quoting(&message.body);
    let company = company.map(|c| c.company_name).unwrap_or_default();
    store.post_message(&message, &activity, &company, None).await?;
    // Writing a message means having read the thread up to it. The post's transaction counted
    // it as seen; when it is still the newest, everything before it is seen too.
    let thread = store.thread_count(client).await?;
    let seen = (thread.last_message_id == Some(message.id)).then_some(thread.message_count);
    store.advance_read_marker(client, contact, message.id, seen).await?;
    Ok(MessageView::new(message, contact, None))
}

#[derive(Debug, Serialize)]
pub struct ReadState {
    pub last_read_id: Option<ulid::Ulid>,
    pub unread_count: u32,
}

/// Marks the whole thread read for this contact.
pub async fn mark_read(store: &Store, client: ClientId, contact: ContactId) -> Result<ReadState, Error> {
    // The count and the newest message come from one item, written in one transaction with
    // each message: the marker never counts a message it does not reach.
    let thread = store.thread_count(client).await?;
    if let Some(newest) = thread.last_message_id {
        store.advance_read_marker(client, contact, newest, Some(thread.message_count)).await?;
    }
    Ok(ReadState { last_read_id: thread.last_message_id, unread_count: 0 })
}

/// Messages this contact has not seen, from the thread's counter and their read marker: two
/// items whatever the thread's length (the count saturates rather than wrap).
pub(super) fn unread_count(thread: &ThreadCount, marker: &ReadMarker) -> u32 {
    u32::try_from(marker.unread(thread)).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unread_is_the_thread_count_less_what_the_marker_has_seen() {
        let thread = ThreadCount { message_count: 7, last_message_id: Some(ulid::Ulid::new()) };
        let never_read = ReadMarker::default();
        assert_eq!(unread_count(&thread, &never_read), 7);
        let read_some = ReadMarker { last_read: None, seen_count: 5 };
        assert_eq!(unread_count(&thread, &read_some), 2);
        // A marker ahead of the count it is compared with (a read racing a post) is zero, not a wrap.
        let ahead = ReadMarker { last_read: None, seen_count: 9 };
        assert_eq!(unread_count(&thread, &ahead), 0);
        assert_eq!(unread_count(&ThreadCount::default(), &never_read), 0, "no thread yet");
    }

    #[test]
    fn a_message_is_one_to_5000_characters_not_bytes() {
        assert!(MessageBody::parse("   ").is_err());
        assert_eq!(MessageBody::parse("  hi  ").map(|b| b.as_str().to_owned()).ok().as_deref(), Some("hi"));
        let emoji = "😀".repeat(MAX_MESSAGE_CHARS);
        assert!(emoji.len() > MAX_MESSAGE_CHARS * 3, "4 bytes each");
        assert!(MessageBody::parse(&emoji).is_ok());
        assert!(matches!(
            MessageBody::parse(&format!("{emoji}😀")),
            Err(Error::Invalid { code: "invalid_message", .. })
        ));
    }
}
