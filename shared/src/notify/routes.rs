//! The `notifications` function: the bell and the preferences of whoever is signed in (contact
//! or staff, each only their own: the person comes from the session), and the unsubscribe
//! link, which needs no session (the signed link names the person).

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{FromRef, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::routing::{get, post};
use serde::Deserialize;

use super::reader::Reader;
use super::unsubscribe::{UnsubscribeKey, UnsubscribeLink};
use super::views::{BellItem, BellView, PreferencesView, TopicChoice, UnsubscribeView, UnsubscribedTopic};
use super::{Cadence, Preferences, Topic};
use crate::auth::{Sessions, SignedIn};
use crate::config::Config;
use crate::domain::{EmailAddress, Error, Role, Side};
use crate::http::{ApiError, ApiResult, Json, Query};
use crate::store::Store;

type Reply<T> = ApiResult<axum::Json<T>>;

/// The bell shows this many; unread ones are counted among `UNREAD_WINDOW` ("20+" past it), so
/// a view reads at most that many entries however many a person has.
const BELL_ITEMS: usize = 10;
const UNREAD_WINDOW: i32 = 20;

pub fn notifications<S: Clone + Send + Sync + 'static>() -> Router<S>
where
    Store: FromRef<S>,
    Arc<Config>: FromRef<S>,
    Sessions: FromRef<S>,
{
    Router::new()
        .route("/api/notifications", get(bell))
        .route("/api/notifications/read", post(mark_read))
        .route("/api/notifications/preferences", get(preferences).put(change_preferences))
        .route("/api/notifications/unsubscribe", get(describe_link).post(unsubscribe))
}

fn side(signed_in: &SignedIn) -> Side {
    match signed_in.session.role {
        Role::Client => Side::Client,
        Role::Admin => Side::Agency,
    }
}

/// The bell as this person may see it now (`Reader`): entries about billing or about a client
/// they no longer act on stay stored but are not shown.
async fn bell(State(store): State<Store>, signed_in: SignedIn) -> Reply<BellView> {
    let principal = signed_in.session.principal_id.as_str();
    let reader = async { Reader::of(&store, &signed_in.access().await?).await };
    let (notices, read_through, reader) = tokio::try_join!(
        async { Ok(store.inbox(principal, UNREAD_WINDOW).await?) },
        async { Ok(store.inbox_read_through(principal).await?) },
        reader
    )?;
    let full = notices.len() >= usize::try_from(UNREAD_WINDOW).unwrap_or(usize::MAX);
    let items: Vec<BellItem> = notices
        .into_iter()
        .filter(|notice| reader.may_see(notice))
        .filter_map(|n| BellItem::new(n, read_through))
        .collect();
    let unread_count = items.iter().filter(|item| item.unread).count();
    let unread_more = full && items.iter().all(|item| item.unread);
    Ok(axum::Json(BellView { items: items.into_iter().take(BELL_ITEMS).collect(), unread_count, unread_more }))
}

/// Marks everything on the bell as read (up to the newest entry now there).
async fn mark_read(State(store): State<Store>, signed_in: SignedIn) -> ApiResult<StatusCode> {
    signed_in.access().await?;
    let principal = signed_in.session.principal_id.as_str();
    if let Some(newest) = store.inbox(principal, 1).await?.first() {
        store.mark_inbox_read(principal, newest.event_id).await?;
    }
    Ok(StatusCode::NO_CONTENT)
}

async fn preferences_view(
    store: &Store,
    config: &Config,
    signed_in: &SignedIn,
    email: Option<EmailAddress>,
) -> Result<PreferencesView, Error> {
    let principal = signed_in.session.principal_id.as_str();
    let stored = store.notification_preferences(principal).await?;
    let suppressed = match email {
        Some(email) => store.suppression(&email).await?.is_some(),
        None => false,
    };
    let prefs = Preferences::from_stored(&stored);
    let side = side(signed_in);
    Ok(PreferencesView {
        topics: Topic::for_side(side).iter().map(|&t| TopicChoice::new(t, side, prefs.cadence(t))).collect(),
        batch_minutes: config.notifications.batch_window.as_secs().div_ceil(60),
        digest_hour: config.notifications.digest_hour,
        time_zone: config.notifications.time_zone_name.clone(),
        email_suppressed: suppressed,
    })
}

/// The signed-in person's address (for the "your email bounced" notice).
async fn own_email(store: &Store, signed_in: &SignedIn) -> Result<Option<EmailAddress>, Error> {
    let session = &signed_in.session;
    Ok(match (session.role, session.client_id) {
        (Role::Client, Some(client)) => match crate::domain::ContactId::parse(&session.principal_id) {
            Some(id) => store.get_contact(client, id).await?.map(|c| c.email),
            None => None,
        },
        (Role::Admin, _) => match crate::domain::AdminId::parse(&session.principal_id) {
            Some(id) => store.get_admin(id).await?.map(|a| a.email),
            None => None,
        },
        _ => None,
    })
}

async fn preferences(
    State(store): State<Store>,
    State(config): State<Arc<Config>>,
    signed_in: SignedIn,
) -> Reply<PreferencesView> {
    let email = own_email(&store, &signed_in).await?;
    Ok(axum::Json(preferences_view(&store, &config, &signed_in, email).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PreferencesChange {
    /// Topic → `now` | `daily` | `off`; topics left out stay as they are.
    topics: BTreeMap<String, String>,
}

async fn change_preferences(
    State(store): State<Store>,
    State(config): State<Arc<Config>>,
    signed_in: SignedIn,
    Json(change): Json<PreferencesChange>,
) -> Reply<PreferencesView> {
    signed_in.access().await?;
    let allowed = Topic::for_side(side(&signed_in));
    let mut parsed = BTreeMap::new();
    for (topic, cadence) in &change.topics {
        let topic = Topic::parse(topic).filter(|t| allowed.contains(t)).ok_or_else(|| {
            Error::malformed(
                "invalid_topic",
                format!(
                    "Unknown notification topic “{topic}”. Known: {}.",
                    allowed.iter().map(|t| t.as_str()).collect::<Vec<_>>().join(", ")
                ),
            )
        })?;
        let cadence = Cadence::parse(cadence).ok_or_else(|| {
            Error::malformed("invalid_cadence", format!("“{cadence}” is not a choice: use now, daily or off."))
        })?;
        parsed.insert(topic.as_str().to_owned(), cadence.as_str().to_owned());
    }
    if parsed.is_empty() {
        return Err(Error::malformed("invalid_request", "Name at least one topic to change.").into());
    }
    let principal = signed_in.session.principal_id.as_str();
    store.set_preferences(principal, &parsed).await?;
    let email = own_email(&store, &signed_in).await?;
    Ok(axum::Json(preferences_view(&store, &config, &signed_in, email).await?))
}

#[derive(Deserialize)]
struct LinkQuery {
    token: String,
}

fn verify_link(config: &Config, token: &str) -> Result<UnsubscribeLink, ApiError> {
    UnsubscribeKey::new(config.jwt_secret.as_bytes()).verify(token).ok_or_else(|| {
        Error::malformed(
            "invalid_link",
            "This unsubscribe link is not valid. Sign in and choose what you hear about under Notifications.",
        )
        .into()
    })
}

async fn link_view(store: &Store, link: &UnsubscribeLink) -> Result<UnsubscribeView, Error> {
    let prefs = Preferences::from_stored(&store.notification_preferences(&link.principal).await?);
    Ok(UnsubscribeView {
        topics: link.topics.iter().map(|&topic| UnsubscribedTopic { topic, cadence: prefs.cadence(topic) }).collect(),
        all_off: Topic::ALL.iter().all(|&t| prefs.cadence(t) == Cadence::Off),
    })
}

/// What a link covers and how those topics stand now; changes nothing (a link scanner's GET
/// must never unsubscribe anyone).
async fn describe_link(
    State(store): State<Store>,
    State(config): State<Arc<Config>>,
    Query(query): Query<LinkQuery>,
) -> Reply<UnsubscribeView> {
    let link = verify_link(&config, &query.token)?;
    Ok(axum::Json(link_view(&store, &link).await?))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct UnsubscribeChoice {
    /// Turn off every topic, not only the link's.
    #[serde(default)]
    all: bool,
}

/// RFC 8058 one-click (a mail client POSTs `List-Unsubscribe=One-Click` as a form) or the
/// unsubscribe page (JSON, optionally `{"all": true}`). Mail for the topics stops, including
/// mail already waiting; the bell keeps showing events. Doing it twice is the same as once.
async fn unsubscribe(
    State(store): State<Store>,
    State(config): State<Arc<Config>>,
    Query(query): Query<LinkQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> Reply<UnsubscribeView> {
    let link = verify_link(&config, &query.token)?;
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().to_ascii_lowercase().starts_with("application/json"));
    let choice = if is_json && !body.is_empty() {
        serde_json::from_slice::<UnsubscribeChoice>(&body)
            .map_err(|_| ApiError::bad_request("invalid_json", "Expected {\"all\": true} or an empty body."))?
    } else {
        UnsubscribeChoice::default()
    };
    let topics: Vec<Topic> = if choice.all { Topic::ALL.to_vec() } else { link.topics.clone() };
    let off = topics.iter().map(|t| (t.as_str().to_owned(), Cadence::Off.as_str().to_owned())).collect();
    store.set_preferences(&link.principal, &off).await?;
    tracing::info!(principal = %link.principal, all = choice.all, "unsubscribed by link");
    Ok(axum::Json(link_view(&store, &link).await?))
}
