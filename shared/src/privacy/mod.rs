//! Privacy requests about a client contact: an export of everything the portal holds about
//! them, and an erasure. Agency owners ask for them (console, API, `portal contact`).
//!
//! Where a contact can be named: their own items (the contact, the email claim, sessions,
//! passkeys, sign-in links and ceremonies under GSI1 `PRINCIPAL#{id}`, their notifications
//! partition, a suppression of their address); their company's partition (messages, activity,
//! reviews, files, file requests, estimate decisions, the thread, audit events); other people's
//! bells and queued mail (`NOTIFY#{principal}` of the company's contacts, the staff and the
//! agency inbox); and the agency's own audit log. `person` finds them in any attribute of any
//! item there, so a new kind of item is covered without a list to keep, and rewrites only what
//! names them (never keys, kinds, roles or other people's records).
//!
//! An erasure is resumable, never half-done: it first switches their access off and ends their
//! sessions, then removes and rewrites (each step idempotent; a rewrite is conditional on the
//! item not having changed since it was read), and ends with one transaction that removes the
//! contact and their claim and records the erasure. Until that transaction the contact exists,
//! so asking again finishes the job; after it, nothing names them, the audit event included.

pub mod person;
pub mod routes;

use serde::Serialize;
use serde_json::Value;
use time::OffsetDateTime;

use crate::domain::{Actor, ClientId, Contact, ContactId, ContactRole, Error};
use crate::files::FileStore;
use crate::notify::outbox::INBOX;
use crate::store::{Item, Store, StoreError, is_contact_item, is_owner_set};
use person::Person;

/// Everything the portal holds about a contact, as one JSON document.
#[derive(Debug, Serialize)]
pub struct ContactExport {
    #[serde(with = "time::serde::rfc3339")]
    pub exported_at: OffsetDateTime,
    pub contact: Contact,
    /// Every other item that names them, by kind (`message`, `activity`, `session`, …), with
    /// the portal's keys and index attributes left out.
    pub records: Vec<ExportRecord>,
    /// Files they uploaded: five-minute download links.
    pub files: Vec<ExportFile>,
}

#[derive(Debug, Serialize)]
pub struct ExportRecord {
    pub kind: String,
    pub data: Value,
}

#[derive(Debug, Serialize)]
pub struct ExportFile {
    pub filename: String,
    pub size: u64,
    pub url: String,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
}

/// What an erasure did. `reference` names it in the audit log (which no longer names them).
#[derive(Debug, Serialize)]
pub struct Erasure {
    pub reference: String,
    pub anonymised: usize,
    pub removed: usize,
}

/// Attributes that are the portal's bookkeeping, not the person's data; and secrets (a
/// session's id, a passkey's stored credential, a ceremony's state) an export must not carry.
const NOT_EXPORTED: &[&str] =
    &["PK", "SK", "GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK", "ttl", "sid", "credential", "state", "lease_owner"];

pub async fn export(
    store: &Store,
    files: &FileStore,
    client_id: ClientId,
    id: ContactId,
) -> Result<ContactExport, Error> {
    let contact = store.get_contact(client_id, id).await?.ok_or(Error::NotFound)?;
    let person = Person::of(&contact);
    let mut items = store.person_items(&person.id, &contact.email).await?;
    let company = store.client_items(client_id).await?;
    let related = related_ids(&person, &company);
    for item in company {
        if !is_contact_item(&item, id) && (person.is_referred_to_in(&item) || Person::is_related(&item, &related)) {
            items.push(item);
        }
    }
    items.extend(store.agency_audit_mentioning(&person.needles()).await?);

    let mut records = Vec::new();
    let mut uploaded = Vec::new();
    for item in items {
        let kind = kind_of(&item);
        if kind == "sign_in_link" || kind == "ceremony" {
            continue; // A hash and a library state: nothing of theirs to read, and secret.
        }
        let data = to_json(item);
        find_uploads(&data, &format!("contact:{}", person.id), &mut uploaded);
        records.push(ExportRecord { kind, data });
    }
    let mut links = Vec::new();
    uploaded.sort_by(|a, b| a.0.cmp(&b.0));
    uploaded.dedup_by(|a, b| a.0 == b.0);
    for (key, filename, content_type, size) in uploaded {
        let (url, expires_at) = files.download_link(&key, &filename, &content_type).await?;
        links.push(ExportFile { filename, size, url, expires_at });
    }
    Ok(ContactExport { exported_at: OffsetDateTime::now_utc(), contact, records, files: links })
}

/// Erases a contact. `confirm_email` must be their address: an erasure cannot be undone, so a
/// wrong id in a script or a slip in the console erases nobody.
pub async fn erase(
    store: &Store,
    actor: &Actor,
    client_id: ClientId,
    id: ContactId,
    confirm_email: &str,
) -> Result<Erasure, Error> {
    let contact = store.get_contact(client_id, id).await?.ok_or(Error::NotFound)?;
    if !confirm_email.trim().eq_ignore_ascii_case(contact.email.as_str()) {
        return Err(Error::invalid(
            "confirmation_mismatch",
            "`confirm_email` must be the contact's email address: erasing cannot be undone.",
        ));
    }
    let person = Person::of(&contact);
    if contact.role == ContactRole::Owner && store.client_owners(client_id).await? == [person.id.clone()] {
        return Err(StoreError::LastOwner.into());
    }

    // 1. Shut the door: no sign-in and no request of theirs while the rest runs.
    if contact.portal_enabled {
        ignore_changed(store.switch_off_contact_access(&contact).await)?;
    }
    // 2. What is theirs alone goes: sessions, passkeys, links, ceremonies, notifications, a
    // suppression of their address.
    let mut removed = 0;
    for item in store.person_items(&person.id, &contact.email).await? {
        store.delete_key(&partition_key(&item), &sort_key(&item)).await?;
        removed += 1;
    }
    // 3. What mentions them is rewritten ("Former contact"), or removed when its key is theirs.
    // Their colleagues', the staff's and the agency inbox's notifications may quote them.
    let mut readers = vec![INBOX.to_owned()];
    readers.extend(store.list_contacts(client_id).await?.iter().filter(|c| c.id != id).map(|c| c.id.to_string()));
    readers.extend(store.list_admins().await?.iter().map(|a| a.id.to_string()));
    let mut mentioning = store.client_items(client_id).await?;
    // Messages and events that refer to them: bell entries and the thread pointing at one refer
    // to them too (a colleague's bell quoting their message names them only through it).
    let related = related_ids(&person, &mentioning);
    for reader in readers {
        mentioning.extend(store.notification_items(&reader).await?);
    }
    mentioning.extend(store.agency_audit_mentioning(&person.needles()).await?);
    // Items that refer to them only through another go first: a run stopped midway has then
    // rewritten none of the messages and events they point at, so asking again still finds them.
    let indirect_first = |item: &Item| !Person::is_related(item, &related) || person.is_referred_to_in(item);
    mentioning.sort_by_key(indirect_first);
    let mut anonymised = 0;
    for item in mentioning {
        // The contact and the owner set change in the final transaction.
        if is_contact_item(&item, id) || is_owner_set(&item) {
            continue;
        }
        let (pk, sk) = (partition_key(&item), sort_key(&item));
        if person.owns(&item) {
            store.delete_key(&pk, &sk).await?;
            removed += 1;
        } else if anonymise(store, &person, item, &related).await? {
            anonymised += 1;
        }
    }
    // 4. The contact, their claim and their place among the owners go, with the audit event,
    // in one transaction. The event names neither them nor their id.
    let reference = ulid::Ulid::new().to_string();
    let audit = actor.audit(
        Some(client_id),
        "contact.erase",
        "contact:erased".into(),
        format!(
            "Erasure {reference}: a contact's personal data was erased on request ({anonymised} item(s) anonymised, {removed} removed)."
        ),
    );
    match store.finish_contact_erasure(&contact, &audit).await {
        // Someone else's erasure of the same contact finished first.
        Err(StoreError::ConditionFailed) => Err(Error::NotFound),
        other => other.map_err(Error::from),
    }?;
    Ok(Erasure { reference, anonymised, removed })
}

/// The ids of the company's items (messages, events) that refer to them.
fn related_ids(person: &Person, items: &[Item]) -> std::collections::HashSet<String> {
    items
        .iter()
        .filter(|item| person.is_referred_to_in(item))
        .filter_map(|item| Person::item_id(item).map(str::to_owned))
        .collect()
}

/// Rewrites one item; an item changed meanwhile is read again (a few times), one gone is done.
async fn anonymise(
    store: &Store,
    person: &Person,
    mut item: Item,
    related: &std::collections::HashSet<String>,
) -> Result<bool, Error> {
    let (pk, sk) = (partition_key(&item), sort_key(&item));
    for _ in 0..5 {
        let changes = person.changes_in(&item, Person::is_related(&item, related));
        if changes.is_empty() {
            return Ok(false);
        }
        match store.rewrite_attributes(&pk, &sk, &changes).await {
            Ok(()) => return Ok(true),
            Err(StoreError::ConditionFailed) => match store.raw_item(&pk, &sk).await? {
                Some(now) => item = now,
                None => return Ok(false),
            },
            Err(other) => return Err(other.into()),
        }
    }
    Err(Error::conflict(
        "busy",
        "Items about this contact kept changing during the erasure. Ask again: it carries on where it stopped.",
    ))
}

fn ignore_changed(result: Result<(), StoreError>) -> Result<(), StoreError> {
    match result {
        Err(StoreError::ConditionFailed) => Ok(()),
        other => other,
    }
}

fn key_of(item: &Item, name: &str) -> String {
    item.get(name).and_then(|v| v.as_s().ok()).cloned().unwrap_or_default()
}

fn partition_key(item: &Item) -> String {
    key_of(item, "PK")
}

fn sort_key(item: &Item) -> String {
    key_of(item, "SK")
}

/// A reader's name for an item's kind, from its key.
fn kind_of(item: &Item) -> String {
    let (pk, sk) = (partition_key(item), sort_key(item));
    let head = |key: &str| key.split('#').next().unwrap_or_default().to_owned();
    let kind = match (head(&pk).as_str(), head(&sk).as_str()) {
        ("SESSION", _) => "session",
        ("PASSKEY", _) => "passkey",
        ("TOKEN", _) => "sign_in_link",
        ("CEREMONY", _) => "ceremony",
        ("SUPPRESSED", _) => "email_suppression",
        ("NOTIFY", "PREFS") => "notification_preferences",
        ("NOTIFY", "INBOX") => "notification",
        ("NOTIFY", "READ") => "notifications_read",
        ("NOTIFY", "QUEUE" | "SENT" | "BATCH") => "notification_mail",
        (_, "MESSAGE") => "message",
        (_, "ACTIVITY") => "activity",
        (_, "AUDIT") => "audit_event",
        (_, "READ") => "messages_read",
        (_, "THREAD") => "message_thread",
        (_, "FILES") => "shared_file",
        (_, "REQUEST") => "file_request",
        (_, "UPLOAD") => "upload",
        (_, "ESTIMATE") => "estimate_decision",
        (_, "PROJECT") if sk.contains("#DELIVERABLE#") => "deliverable",
        (_, "PROJECT") => "project",
        (_, other) => return other.to_lowercase(),
    };
    kind.to_owned()
}

/// The item as plain JSON without the portal's bookkeeping; binary values (compressed caches)
/// are left out.
fn to_json(mut item: Item) -> Value {
    item.retain(|name, value| !NOT_EXPORTED.contains(&name.as_str()) && !value.is_b());
    serde_dynamo::from_item(item).unwrap_or(Value::Null)
}

/// Files they uploaded, wherever a record lists one: (S3 key, filename, type, size).
fn find_uploads(value: &Value, uploader: &str, found: &mut Vec<(String, String, String, u64)>) {
    match value {
        Value::Object(map) => {
            if map.get("uploaded_by").and_then(Value::as_str) == Some(uploader)
                && let (Some(key), Some(filename)) =
                    (map.get("s3_key").and_then(Value::as_str), map.get("filename").and_then(Value::as_str))
            {
                let content_type =
                    map.get("content_type").and_then(Value::as_str).unwrap_or("application/octet-stream");
                let size = map.get("size").and_then(Value::as_u64).unwrap_or(0);
                found.push((key.to_owned(), filename.to_owned(), content_type.to_owned(), size));
            }
            map.values().for_each(|v| find_uploads(v, uploader, found));
        }
        Value::Array(values) => values.iter().for_each(|v| find_uploads(v, uploader, found)),
        _ => {}
    }
}
