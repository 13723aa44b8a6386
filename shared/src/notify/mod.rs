//! Notifications people control. Every event already written to a client's activity feed is
//! also the outbox (written in the same transaction, so nothing is lost): the scheduled `drain`
//! fans each event out to the other side's people (`outbox`) — a bell entry for each, and mail
//! queued as each chose (right away, batched over `NOTIFY_BATCH_SECONDS`; a daily digest; or
//! off) — then sends what is due (`delivery`), retrying when SES fails. Every mail carries a
//! signed one-click unsubscribe link (`unsubscribe`); SES bounce and complaint events put
//! addresses on the suppression list (`bounces`). The bell and preferences are `routes`.

pub mod bounces;
pub mod delivery;
pub mod outbox;
pub mod reader;
pub mod routes;
pub mod unsubscribe;
mod views;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::config::Config;
use crate::domain::{ActivityKind, Error, Side};
use crate::invoices::Billing;
use crate::mail::Mailer;
use crate::store::Store;

/// What a person can choose to hear about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Topic {
    Deliverables,
    Messages,
    FileRequests,
    Estimates,
    Invoices,
    Milestones,
}

impl Topic {
    pub const ALL: [Self; 6] =
        [Self::Deliverables, Self::Messages, Self::FileRequests, Self::Estimates, Self::Invoices, Self::Milestones];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Deliverables => "deliverables",
            Self::Messages => "messages",
            Self::FileRequests => "file_requests",
            Self::Estimates => "estimates",
            Self::Invoices => "invoices",
            Self::Milestones => "milestones",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == raw)
    }

    /// The topics one side hears about (the agency is not told of its own invoices).
    pub fn for_side(side: Side) -> &'static [Self] {
        match side {
            Side::Client => &Self::ALL,
            Side::Agency => &[Self::Deliverables, Self::Messages, Self::FileRequests, Self::Estimates],
        }
    }

    pub fn label(self, side: Side) -> &'static str {
        match (self, side) {
            (Self::Deliverables, Side::Client) => "New deliverables, versions and shared files",
            (Self::Deliverables, Side::Agency) => "Deliverable approvals and change requests, files shared",
            (Self::Messages, Side::Client) => "Messages from the agency",
            (Self::Messages, Side::Agency) => "Messages from clients",
            (Self::FileRequests, Side::Client) => "File requests opened, accepted or reopened",
            (Self::FileRequests, Side::Agency) => "Files sent for a file request",
            (Self::Estimates, Side::Client) => "Estimates sent to you",
            (Self::Estimates, Side::Agency) => "Estimates accepted or declined",
            (Self::Invoices, _) => "Invoices issued or overdue",
            (Self::Milestones, _) => "Milestones reached",
        }
    }

    /// What someone who never chose gets: the things that need an answer right away, progress
    /// news in the digest.
    pub fn default_cadence(self) -> Cadence {
        match self {
            Self::Milestones => Cadence::Daily,
            _ => Cadence::Now,
        }
    }

    /// Invoices and estimates: heard of only by those who may see the company's billing.
    pub fn concerns_billing(self) -> bool {
        matches!(self, Self::Estimates | Self::Invoices)
    }

    /// The topic an activity event belongs to.
    pub fn of(kind: ActivityKind) -> Self {
        match kind {
            ActivityKind::DeliverableDelivered | ActivityKind::DeliverableReviewed | ActivityKind::FileShared => {
                Self::Deliverables
            }
            ActivityKind::MessagePosted => Self::Messages,
            ActivityKind::MilestoneCompleted => Self::Milestones,
            ActivityKind::FilesRequested
            | ActivityKind::FilesSubmitted
            | ActivityKind::FileRequestAccepted
            | ActivityKind::FileRequestReopened => Self::FileRequests,
            ActivityKind::EstimateAccepted | ActivityKind::EstimateDeclined | ActivityKind::EstimateSent => {
                Self::Estimates
            }
            ActivityKind::InvoiceIssued | ActivityKind::InvoiceOverdue => Self::Invoices,
        }
    }
}

/// How a person hears of a topic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cadence {
    /// Batched over a short window into one mail.
    Now,
    /// In the daily digest.
    Daily,
    /// Bell only.
    Off,
}

impl Cadence {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Now => "now",
            Self::Daily => "daily",
            Self::Off => "off",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [Self::Now, Self::Daily, Self::Off].into_iter().find(|c| c.as_str() == raw)
    }
}

/// A person's choices over the defaults.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Preferences(BTreeMap<Topic, Cadence>);

impl Preferences {
    /// From the stored map; unknown names (a topic retired later) are ignored.
    pub fn from_stored(stored: &BTreeMap<String, String>) -> Self {
        Self(
            stored
                .iter()
                .filter_map(|(topic, cadence)| Some((Topic::parse(topic)?, Cadence::parse(cadence)?)))
                .collect(),
        )
    }

    pub fn cadence(&self, topic: Topic) -> Cadence {
        self.0.get(&topic).copied().unwrap_or_else(|| topic.default_cadence())
    }
}

/// What one drain run did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DrainReport {
    /// Events fanned out to their people.
    pub events: usize,
    /// Mails sent.
    pub sent: usize,
    /// Mails that SES refused this time (retried later).
    pub failed: usize,
    /// Batches dropped: the person is gone, their address is suppressed, or they turned
    /// everything in it off.
    pub dropped: usize,
    /// Clients whose Harvest invoices and estimates the billing watch looked at.
    pub billing_clients: usize,
    /// Age in seconds of the oldest event still in the outbox after this run (0: empty).
    pub outbox_age_secs: i64,
}

/// How long one run may work before it stops taking new work (the function's timeout is 60 s;
/// leases outlast it).
const RUN_BUDGET: Duration = Duration::from_secs(40);

/// One scheduled run: fan out new events, then send what is due at `now` (unix seconds).
/// Overlapping runs are safe: fan-out writes are idempotent per event, and a batch is sent by
/// whoever holds its lease.
pub async fn drain(
    store: &Store,
    mailer: &Mailer,
    billing: &Billing,
    config: &Config,
    now: i64,
) -> Result<DrainReport, Error> {
    let deadline = Instant::now() + RUN_BUDGET;
    // News from Harvest first (it becomes events), then the events, then the mail.
    let watched = crate::invoices::news::watch(store, billing, now).await.unwrap_or_else(|error| {
        tracing::warn!(%error, "billing watch skipped this run");
        0
    });
    let fanned = outbox::fan_out(store, config, now, deadline).await?;
    let mut report = delivery::send_due(store, mailer, config, now, deadline).await?;
    report.events = fanned.events;
    report.outbox_age_secs = fanned.oldest_waiting_secs;
    report.billing_clients = watched;
    Ok(report)
}

/// Unix seconds now.
pub fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// The agency's time zone (`AGENCY_TIME_ZONE`), from the bundled time zone database.
pub fn agency_time_zone(config: &Config) -> Result<jiff::tz::TimeZone, crate::config::ConfigError> {
    jiff::tz::TimeZone::get(&config.notifications.time_zone_name).map_err(|_| crate::config::ConfigError::Invalid {
        name: "AGENCY_TIME_ZONE",
        reason: "not an IANA time zone name (e.g. Europe/London)".to_owned(),
    })
}

/// When the next daily digest after `now` goes out: `digest_hour` o'clock in the agency's time
/// zone, today if that is still ahead, else tomorrow.
pub fn next_digest_at(config: &Config, now: i64) -> i64 {
    let hour = config.notifications.digest_hour;
    let zone = agency_time_zone(config).unwrap_or(jiff::tz::TimeZone::UTC);
    let next = || -> Option<i64> {
        let zoned = jiff::Timestamp::from_second(now).ok()?.to_zoned(zone.clone());
        let today = zoned.date().at(hour, 0, 0, 0).to_zoned(zone.clone()).ok()?;
        let at = if today.timestamp().as_second() > now {
            today
        } else {
            zoned.date().tomorrow().ok()?.at(hour, 0, 0, 0).to_zoned(zone.clone()).ok()?
        };
        Some(at.timestamp().as_second())
    };
    next().unwrap_or(now + 86_400)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A configuration with the required settings and `extra`.
    fn lookup(extra: &[(&str, &str)]) -> Result<Config, crate::config::ConfigError> {
        let required = [
            ("TABLE_NAME", "t"),
            ("FILES_BUCKET", "b"),
            ("SENDER_EMAIL", "portal@agency.example"),
            ("PUBLIC_URL", "https://portal.agency.example"),
            ("JWT_SECRET", "0123456789abcdef0123456789abcdef"),
        ];
        Config::from_lookup(|name| {
            required.iter().chain(extra).find(|(key, _)| *key == name).map(|(_, value)| (*value).to_owned())
        })
    }

    fn config(zone: &str, hour: &str) -> Config {
        lookup(&[("AGENCY_TIME_ZONE", zone), ("DIGEST_HOUR", hour)]).unwrap()
    }

    #[test]
    fn the_digest_goes_out_at_the_set_hour_in_the_agencys_zone() {
        // 2026-07-01 06:30 UTC is 08:30 in Berlin (summer time): the 9 o'clock digest is in
        // 30 minutes; the 8 o'clock one is tomorrow.
        let now = jiff::Timestamp::from_second(1_782_887_400).unwrap();
        assert_eq!(now.to_string(), "2026-07-01T06:30:00Z");
        let at = |zone, hour| {
            jiff::Timestamp::from_second(next_digest_at(&config(zone, hour), now.as_second())).unwrap().to_string()
        };
        assert_eq!(at("Europe/Berlin", "9"), "2026-07-01T07:00:00Z");
        assert_eq!(at("Europe/Berlin", "8"), "2026-07-02T06:00:00Z");
        assert_eq!(at("UTC", "8"), "2026-07-01T08:00:00Z");
        assert_eq!(at("America/New_York", "8"), "2026-07-01T12:00:00Z");
    }

    #[test]
    fn a_bad_time_zone_is_named() {
        let error = agency_time_zone(&lookup(&[("AGENCY_TIME_ZONE", "Mars/Olympus")]).unwrap()).unwrap_err();
        assert!(error.to_string().contains("AGENCY_TIME_ZONE"), "{error}");
    }

    #[test]
    fn choices_override_defaults_and_unknown_names_are_ignored() {
        let stored = BTreeMap::from([
            ("messages".to_owned(), "off".to_owned()),
            ("retired".to_owned(), "now".to_owned()),
            ("milestones".to_owned(), "sometimes".to_owned()),
        ]);
        let prefs = Preferences::from_stored(&stored);
        assert_eq!(prefs.cadence(Topic::Messages), Cadence::Off);
        assert_eq!(prefs.cadence(Topic::Milestones), Cadence::Daily, "an unreadable choice is the default");
        assert_eq!(prefs.cadence(Topic::Deliverables), Cadence::Now);
    }
}
