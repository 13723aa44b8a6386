//! The client company's message thread with the agency, as a contact reads and writes it.

use serde::Serialize;
use time::OffsetDateTime;

use crate::domain::{Activity, ActivityKind, AuthorKind, ClientId, ContactId, Error, Message, Side};

use crate::store::{Item, MessageMeta, Store};

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
    Ok((messages.into_iter().map(|m| MessageView::new(m, contact, marker)).collect(), last))
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
    // Writing a message means having read the thread up to it.
    store.advance_read_marker(client, contact, message.id).await?;
    Ok(MessageView::new(message, contact, None))
}

#[derive(Debug, Serialize)]
pub struct ReadState {
    pub last_read_id: Option<ulid::Ulid>,
    pub unread_count: u32,
}

/// Marks the whole thread read for this contact.
pub async fn mark_read(store: &Store, client: ClientId, contact: ContactId) -> Result<ReadState, Error> {
    let newest = store.recent_message_meta(client, 1).await?.into_iter().next();
    if let Some(newest) = &newest {
        store.advance_read_marker(client, contact, newest.id).await?;
    }
    Ok(ReadState { last_read_id: newest.map(|m| m.id), unread_count: 0 })
}

/// How many of the newest `UNREAD_WINDOW` messages this contact has not read. Bounded cost:
/// past the window the UI shows "99+".
pub const UNREAD_WINDOW: i32 = 100;

pub(super) fn unread_count(recent: &[MessageMeta], marker: Option<ulid::Ulid>, me: ContactId) -> u32 {
    let me = me.to_string();
    let count = recent.iter().filter(|m| m.author_id != me && marker.is_none_or(|read| m.id > read)).count();
    u32::try_from(count).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unread_skips_own_and_read_messages() {
        let me = ContactId::new();
        let mut sorted: Vec<ulid::Ulid> = (0..4).map(|_| ulid::Ulid::new()).collect();
        sorted.sort();
        let meta = |id: ulid::Ulid, author: String| MessageMeta { id, author_id: author };
        let recent = vec![
            meta(sorted[3], "agency".into()),
            meta(sorted[2], me.to_string()),
            meta(sorted[1], "agency".into()),
            meta(sorted[0], "agency".into()),
        ];
        assert_eq!(unread_count(&recent, None, me), 3);
        assert_eq!(unread_count(&recent, Some(sorted[1]), me), 1);
        assert_eq!(unread_count(&recent, Some(sorted[3]), me), 0);
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
