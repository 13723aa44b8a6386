//! What the notification routes answer.

use serde::Serialize;

use super::{Cadence, Topic};
use crate::domain::Side;
use crate::store::NoticeRecord;

/// The bell: the latest events and how many are unread.
#[derive(Debug, Serialize)]
pub struct BellView {
    pub items: Vec<BellItem>,
    /// Unread among the latest `UNREAD_WINDOW`; `unread_more` when there may be more.
    pub unread_count: usize,
    pub unread_more: bool,
}

#[derive(Debug, Serialize)]
pub struct BellItem {
    pub id: ulid::Ulid,
    pub topic: Topic,
    pub summary: String,
    pub excerpt: Option<String>,
    /// A path in the web app.
    pub link: String,
    #[serde(with = "time::serde::rfc3339")]
    pub at: time::OffsetDateTime,
    pub unread: bool,
}

impl BellItem {
    pub fn new(notice: NoticeRecord, read_through: Option<ulid::Ulid>) -> Option<Self> {
        Some(Self {
            id: notice.event_id,
            topic: Topic::parse(&notice.topic)?,
            unread: read_through.is_none_or(|through| notice.event_id > through),
            summary: notice.summary,
            excerpt: notice.excerpt,
            link: notice.path,
            at: time::OffsetDateTime::from_unix_timestamp(notice.at).ok()?,
        })
    }
}

/// A person's notification settings.
#[derive(Debug, Serialize)]
pub struct PreferencesView {
    pub topics: Vec<TopicChoice>,
    /// How long "right away" mail waits to gather more (minutes).
    pub batch_minutes: u64,
    /// The daily digest: hour and time zone.
    pub digest_hour: i8,
    pub time_zone: String,
    /// Set when mail to this person's address bounced or was marked as spam: nothing is sent
    /// until the agency clears it.
    pub email_suppressed: bool,
}

#[derive(Debug, Serialize)]
pub struct TopicChoice {
    pub topic: Topic,
    pub label: &'static str,
    pub cadence: Cadence,
    pub default: Cadence,
}

impl TopicChoice {
    pub fn new(topic: Topic, side: Side, cadence: Cadence) -> Self {
        Self { topic, label: topic.label(side), cadence, default: topic.default_cadence() }
    }
}

/// What an unsubscribe link covers (GET) or did (POST).
#[derive(Debug, Serialize)]
pub struct UnsubscribeView {
    pub topics: Vec<UnsubscribedTopic>,
    /// Whether every topic is now off (after "turn everything off").
    pub all_off: bool,
}

#[derive(Debug, Serialize)]
pub struct UnsubscribedTopic {
    pub topic: Topic,
    pub cadence: Cadence,
}
