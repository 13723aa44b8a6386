//! Sending what is due: each waiting batch is taken under a lease (so overlapping runs never
//! both send it), re-checked against the person as they are now (still there, address not
//! suppressed, topic not turned off since), mailed as one message, then removed. When SES
//! fails the batch stays, due again after a growing pause; when it recovers the batch goes out
//! once.

use std::time::Instant;

use super::reader::Reader;
use super::unsubscribe::UnsubscribeKey;
use super::{Cadence, DrainReport, Preferences, Topic};
use crate::config::Config;
use crate::domain::{ContactId, EmailAddress, Error, Side};
use crate::mail::{Brand, Mailer, UpdateLine, Updates};
use crate::store::{BatchRecord, NoticeRecord, Store};

/// Batches read per pass.
const PAGE: i32 = 50;
/// Longer than one send takes; a run that dies holding it delays that mail by this much.
const LEASE_SECS: i64 = 120;
/// After the n-th failure, wait 60 s × 2ⁿ, at most an hour.
const FIRST_RETRY_SECS: i64 = 60;
const LONGEST_RETRY_SECS: i64 = 3600;

pub fn retry_delay(attempts: i64) -> i64 {
    FIRST_RETRY_SECS.saturating_mul(1 << attempts.clamp(0, 20)).min(LONGEST_RETRY_SECS)
}

pub async fn send_due(
    store: &Store,
    mailer: &Mailer,
    config: &Config,
    now: i64,
    deadline: Instant,
) -> Result<DrainReport, Error> {
    let mut report = DrainReport::default();
    let owner = ulid::Ulid::new().to_string();
    let key = UnsubscribeKey::new(config.jwt_secret.as_bytes());
    // Read once per run: a branding change shows from the next run on.
    let brand = Brand::current(store, config).await?;
    while Instant::now() < deadline {
        let due = store.due_batches(now, PAGE).await?;
        let before = report;
        for batch in &due {
            let Some(batch) = store.claim_batch(&batch.principal, &batch.cadence, &owner, now, LEASE_SECS).await?
            else {
                continue; // another run has it
            };
            match send_batch(store, mailer, (config, &brand), &key, &batch).await? {
                Outcome::Sent(items) => {
                    store.finish_batch(&batch, &items).await?;
                    report.sent += 1;
                }
                Outcome::Dropped(items) => {
                    store.finish_batch(&batch, &items).await?;
                    report.dropped += 1;
                }
                Outcome::Failed => {
                    store.release_batch(&batch, now + retry_delay(batch.attempts), batch.attempts + 1).await?;
                    report.failed += 1;
                }
            }
        }
        // Stop when a pass changed nothing (what is left is another run's or not yet due).
        if report == before || due.len() < usize::try_from(PAGE).unwrap_or(0) {
            break;
        }
    }
    Ok(report)
}

enum Outcome {
    Sent(Vec<NoticeRecord>),
    Dropped(Vec<NoticeRecord>),
    Failed,
}

/// Who a batch goes to now: name, address, side and what they may hear of; `None` when they
/// are gone or shut out.
async fn addressee(
    store: &Store,
    config: &Config,
    batch: &BatchRecord,
) -> Result<Option<(String, EmailAddress, Side, Reader)>, Error> {
    Ok(match batch.person_kind.as_str() {
        "contact" => {
            let (Some(client), Some(id)) = (batch.client_id, ContactId::parse(&batch.principal)) else {
                return Ok(None);
            };
            let (company, contact) = tokio::try_join!(store.get_client(client), store.get_contact(client, id))?;
            contact
                .filter(|c| c.portal_enabled && company.is_some_and(|co: crate::domain::Client| co.portal_open()))
                .map(|c| {
                    let reader = Reader::Contact { client_id: client, sees_billing: c.sees_invoices() };
                    (c.name, c.email, Side::Client, reader)
                })
        }
        "staff" => {
            let Some(id) = crate::domain::AdminId::parse(&batch.principal) else { return Ok(None) };
            match store.get_admin(id).await? {
                Some(admin) => {
                    let reader = Reader::staff(store, admin.id, admin.role).await?;
                    Some((admin.name, admin.email, Side::Agency, reader))
                }
                None => None,
            }
        }
        "inbox" => {
            config.notify_email.clone().map(|email| (config.agency_name.clone(), email, Side::Agency, Reader::Inbox))
        }
        _ => None,
    })
}

async fn send_batch(
    store: &Store,
    mailer: &Mailer,
    (config, brand): (&Config, &Brand),
    key: &UnsubscribeKey,
    batch: &BatchRecord,
) -> Result<Outcome, Error> {
    let items = store.queued(&batch.principal, &batch.cadence).await?;
    let Some((name, email, side, reader)) = addressee(store, config, batch).await? else {
        return Ok(Outcome::Dropped(items));
    };
    if store.suppression(&email).await?.is_some() {
        tracing::info!(principal = %batch.principal, "notification not sent: the address is suppressed");
        return Ok(Outcome::Dropped(items));
    }
    // Choices made since the items were queued count: "off" now means not in this mail; and so
    // does access lost since (billing news, a client no longer assigned): those items are
    // dropped with the batch, never sent.
    let prefs = Preferences::from_stored(&store.notification_preferences(&batch.principal).await?);
    let cadence = Cadence::parse(&batch.cadence).unwrap_or(Cadence::Now);
    let wanted: Vec<&NoticeRecord> = items
        .iter()
        .filter(|item| Topic::parse(&item.topic).is_some_and(|topic| prefs.cadence(topic) != Cadence::Off))
        .filter(|item| reader.may_see(item))
        .collect();
    if wanted.is_empty() {
        return Ok(Outcome::Dropped(items));
    }
    let mut topics: Vec<Topic> = wanted.iter().filter_map(|item| Topic::parse(&item.topic)).collect();
    topics.sort();
    topics.dedup();
    let email = compose((config, brand), key, batch, &name, &email, side, cadence, &wanted, &topics)?;
    match mailer.send(&email).await {
        Ok(()) => Ok(Outcome::Sent(items)),
        Err(error) => {
            tracing::warn!(%error, principal = %batch.principal, attempts = batch.attempts + 1, "notification mail failed; will retry");
            Ok(Outcome::Failed)
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn compose(
    (config, brand): (&Config, &Brand),
    key: &UnsubscribeKey,
    batch: &BatchRecord,
    name: &str,
    to: &EmailAddress,
    side: Side,
    cadence: Cadence,
    items: &[&NoticeRecord],
    topics: &[Topic],
) -> Result<crate::mail::Email, Error> {
    let base = &config.public_url;
    let token = key.token(&batch.principal, topics);
    let agency = &brand.name;
    let count = items.len();
    let subject = match (cadence, items) {
        (Cadence::Daily, _) => {
            format!("Your daily summary from {agency}: {count} update{}", if count == 1 { "" } else { "s" })
        }
        (_, [only]) => only.summary.clone(),
        _ => format!("{count} updates in the {agency} portal"),
    };
    let intro = match cadence {
        Cadence::Daily => "Here is what happened in the portal since yesterday's summary.".to_owned(),
        _ if count == 1 => "There is news in the portal.".to_owned(),
        _ => format!("There are {count} updates in the portal."),
    };
    let unsubscribe_label = match topics {
        [one] => format!("Stop emails about {}", one.label(side).to_lowercase()),
        _ => "Stop emails like this".to_owned(),
    };
    let home = match side {
        Side::Client => "/portal",
        Side::Agency => "/admin",
    };
    Updates {
        name,
        brand,
        subject,
        intro,
        items: items
            .iter()
            .map(|item| UpdateLine {
                summary: item.summary.clone(),
                excerpt: item.excerpt.clone(),
                link: format!("{base}{}", item.path),
            })
            .collect(),
        portal_link: format!("{base}{home}"),
        settings_link: format!("{base}{home}/notifications"),
        unsubscribe_link: format!("{base}/unsubscribe?token={token}"),
        unsubscribe_label,
        one_click: format!("{base}/api/notifications/unsubscribe?token={token}"),
    }
    .to(to)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_to_an_hour() {
        assert_eq!(retry_delay(0), 60);
        assert_eq!(retry_delay(1), 120);
        assert_eq!(retry_delay(5), 1920);
        assert_eq!(retry_delay(6), 3600);
        assert_eq!(retry_delay(500), 3600);
    }
}
