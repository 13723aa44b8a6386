//! The agency's side of the message threads: the inbox, one client's thread, replies.

use time::OffsetDateTime;

use super::Actor;
use crate::config::Config;
use crate::domain::{Activity, ActivityKind, AuthorKind, ClientId, Error, Message, MessageThread};

use crate::portal::MessageBody;
use crate::store::{Item, Store, Visible};

/// Threads of the `visible` clients, most recent message first.
pub async fn inbox(
    store: &Store,
    visible: &Visible,
    limit: i32,
    start: Option<Item>,
) -> Result<(Vec<MessageThread>, Option<Item>), Error> {
    Ok(store.list_threads(visible, limit, start).await?)
}

/// A client's thread for the agency, newest first; reading it clears the agency's unread count.
pub async fn thread(
    store: &Store,
    client_id: ClientId,
    limit: i32,
    start: Option<Item>,
) -> Result<(Vec<Message>, Option<Item>), Error> {
    super::clients::get(store, client_id).await?;
    let page = store.list_messages(client_id, limit, start).await?;
    store.mark_thread_read_by_agency(client_id).await?;
    Ok(page)
}

/// Posts the agency's reply (signed with the admin's name, or the agency's for the operator) and
/// emails the client's contacts.
pub async fn reply(
    store: &Store,
    config: &Config,
    actor: &Actor,
    client_id: ClientId,
    body: MessageBody,
) -> Result<Message, Error> {
    let admin = async {
        match actor {
            Actor::Admin(id) => Ok(store.get_admin(*id).await?),
            Actor::Contact(_) | Actor::Operator => Ok(None),
        }
    };
    let (company, admin) = tokio::try_join!(super::clients::get(store, client_id), admin)?;
    let author = admin.map_or_else(|| config.agency_name.clone(), |a| a.name);
    let message = Message {
        id: ulid::Ulid::new(),
        client_id,
        author_kind: AuthorKind::Agency,
        author_id: actor.label(),
        author_name: author.clone(),
        body: body.as_str().to_owned(),
        created_at: OffsetDateTime::now_utc(),
    };
    let activity = Activity::new(
        client_id,
        ActivityKind::MessagePosted,
        None,
        Some(message.id),
        &author,
        format!("{author} replied"),
    )
    .by(actor.side(), actor.person_id())
    .quoting(&message.body);
    let audit = actor.audit(Some(client_id), "message.reply", format!("message:{}", message.id), String::new());
    store.post_message(&message, &activity, &company.company_name, Some(&audit)).await?;
    Ok(message)
}
