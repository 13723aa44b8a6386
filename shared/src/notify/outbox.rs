//! Fan-out: each event in the outbox becomes, for each person on the other side, a bell entry
//! and (as they chose) queued mail; then it leaves the outbox. Every write is idempotent per
//! event and person, so a run that stops half-way, or two runs at once, announce nothing twice.

use std::time::Instant;

use super::{Cadence, Preferences, Topic};
use crate::config::Config;
use crate::domain::{Activity, ActivityKind, Error, Side};
use crate::store::{Addressee, NoticeRecord, Store};

/// Events read per outbox page.
const PAGE: i32 = 25;

/// What one fan-out did: events announced, and how old the oldest event still waiting is
/// (seconds; 0 when the outbox is empty) — the figure the outbox-age alarm watches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FanOut {
    pub events: usize,
    pub oldest_waiting_secs: i64,
}

pub async fn fan_out(store: &Store, config: &Config, now: i64, deadline: Instant) -> Result<FanOut, Error> {
    let mut done = 0;
    loop {
        let events = store.outbox(PAGE).await?;
        let Some(oldest) = events.first() else {
            return Ok(FanOut { events: done, oldest_waiting_secs: 0 });
        };
        if Instant::now() >= deadline {
            // Out of time with work left: report how long it has been waiting.
            let waiting = (now - oldest.at.unix_timestamp()).max(0);
            return Ok(FanOut { events: done, oldest_waiting_secs: waiting });
        }
        for event in &events {
            announce(store, config, event, now).await?;
            store.clear_outbox(event).await?;
            done += 1;
        }
    }
}

/// The side that did it: recorded on the event, or implied by its kind (older events).
fn origin(event: &Activity) -> Side {
    event.side.unwrap_or(match event.kind {
        ActivityKind::DeliverableReviewed
        | ActivityKind::FilesSubmitted
        | ActivityKind::EstimateAccepted
        | ActivityKind::EstimateDeclined
        | ActivityKind::MessagePosted => Side::Client,
        _ => Side::Agency,
    })
}

/// Where in the web app the event is seen, for the side that hears of it.
fn path(event: &Activity, audience: Side) -> String {
    let client = event.client_id;
    let subject = event.subject_id.map(|id| id.to_string()).unwrap_or_default();
    let project = event.project_id.map(|id| id.to_string());
    match (audience, Topic::of(event.kind)) {
        (Side::Client, Topic::Messages) => "/portal/messages".to_owned(),
        (Side::Client, Topic::FileRequests) => format!("/portal/requests/{subject}"),
        (Side::Client, Topic::Estimates) => "/portal/estimates".to_owned(),
        (Side::Client, Topic::Invoices) => "/portal/invoices".to_owned(),
        (Side::Client, _) => project.map_or_else(|| "/portal".to_owned(), |p| format!("/portal/projects/{p}")),
        (Side::Agency, Topic::Messages) => format!("/admin/messages/{client}"),
        (Side::Agency, Topic::FileRequests) => format!("/admin/clients/{client}/requests/{subject}"),
        (Side::Agency, _) => project
            .map_or_else(|| format!("/admin/clients/{client}"), |p| format!("/admin/clients/{client}/projects/{p}")),
    }
}

/// The people who hear of an event: the other side's, minus whoever did it. Client contacts
/// need the portal on (and invoice access for money matters); the agency side is the staff
/// assigned to the client and the agency's notification address.
async fn audience(store: &Store, config: &Config, event: &Activity, side: Side) -> Result<Vec<Addressee>, Error> {
    let topic = Topic::of(event.kind);
    let mut people = Vec::new();
    match side {
        Side::Client => {
            let (client, contacts) =
                tokio::try_join!(store.get_client(event.client_id), store.list_contacts(event.client_id))?;
            if !client.is_some_and(|c| c.portal_enabled) {
                return Ok(people);
            }
            let money = topic.concerns_billing();
            for contact in contacts.into_iter().filter(|c| c.portal_enabled && (!money || c.invoice_access)) {
                people.push(Addressee {
                    principal: contact.id.to_string(),
                    kind: "contact".into(),
                    client_id: Some(event.client_id),
                });
            }
        }
        Side::Agency => {
            for id in store.assigned_staff(event.client_id).await? {
                people.push(Addressee { principal: id.to_string(), kind: "staff".into(), client_id: None });
            }
            if config.notify_email.is_some() {
                people.push(Addressee { principal: INBOX.into(), kind: "inbox".into(), client_id: None });
            }
        }
    }
    people.retain(|person| event.actor_id.as_deref() != Some(person.principal.as_str()));
    Ok(people)
}

/// The agency's notification address (`AGENCY_NOTIFY_EMAIL`) as a recipient with preferences.
pub const INBOX: &str = "agency-inbox";

async fn announce(store: &Store, config: &Config, event: &Activity, now: i64) -> Result<(), Error> {
    let side = match origin(event) {
        Side::Client => Side::Agency,
        Side::Agency => Side::Client,
    };
    let topic = Topic::of(event.kind);
    let people = audience(store, config, event, side).await?;
    if people.is_empty() {
        return Ok(());
    }
    let principals: Vec<String> = people.iter().map(|p| p.principal.clone()).collect();
    let choices = store.preferences_of(&principals).await?;
    let notice = NoticeRecord {
        event_id: event.id,
        topic: topic.as_str().to_owned(),
        summary: event.summary.clone(),
        excerpt: event.excerpt.clone(),
        path: path(event, side),
        at: event.at.unix_timestamp(),
        client_id: Some(event.client_id),
    };
    for person in &people {
        if person.kind != "inbox" {
            store.add_to_inbox(&person.principal, &notice).await?;
        }
        let prefs = choices.get(&person.principal).map(Preferences::from_stored).unwrap_or_default();
        let cadence = prefs.cadence(topic);
        let due_at = match cadence {
            Cadence::Off => continue,
            Cadence::Now => now + i64::try_from(config.notifications.batch_window.as_secs()).unwrap_or(300),
            Cadence::Daily => super::next_digest_at(config, now),
        };
        store.queue_mail(person, cadence.as_str(), &notice, due_at).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ClientId;

    #[test]
    fn each_side_is_sent_to_its_own_pages() {
        let client = ClientId::new();
        let project = ulid::Ulid::new();
        let request = ulid::Ulid::new();
        let event = |kind| Activity::new(client, kind, Some(project), Some(request), "x", "y".into());
        assert_eq!(path(&event(ActivityKind::MessagePosted), Side::Client), "/portal/messages");
        assert_eq!(path(&event(ActivityKind::MessagePosted), Side::Agency), format!("/admin/messages/{client}"));
        assert_eq!(path(&event(ActivityKind::FilesRequested), Side::Client), format!("/portal/requests/{request}"));
        assert_eq!(
            path(&event(ActivityKind::DeliverableReviewed), Side::Agency),
            format!("/admin/clients/{client}/projects/{project}")
        );
        assert_eq!(origin(&event(ActivityKind::DeliverableReviewed)), Side::Client);
        assert_eq!(origin(&event(ActivityKind::DeliverableDelivered)), Side::Agency);
        assert_eq!(origin(&event(ActivityKind::MessagePosted).by(Side::Agency, None)), Side::Agency);
    }
}
