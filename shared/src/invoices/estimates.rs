//! Estimates from Harvest: what a client sees (sent, accepted, declined; never drafts, never
//! another client's) and the accept/decline a contact writes back to Harvest.
//!
//! A decision is claimed in the table first (one conditional put per estimate), then written to
//! Harvest once, then recorded with its audit event and activity in one transaction: ten
//! contacts pressing "Accept" at once make one decision and one Harvest call; the others get
//! 409. If Harvest fails, the claim is given back and nothing is recorded.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

use super::cache::{Billing, connected, full_domain, unserved};
use super::harvest::{EstimateEvent, EstimateState, HarvestError};
use super::lease::{Cached, through_lease};
use super::views::{LineItemView, money};
use crate::domain::{
    Activity, ActivityKind, Actor, ClientId, ContactId, DecisionStatus, Error, EstimateDecision, EstimateVerdict, Side,
};

use crate::store::{CacheKey, Store, StoreError};

/// Longest comment on a decision.
pub const MAX_COMMENT_CHARS: usize = 2000;
/// How long a claim holds while Harvest is told (longer than the Harvest request timeout).
const CLAIM_SECS: i64 = 30;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CachedEstimate {
    pub id: u64,
    pub number: String,
    pub purchase_order: Option<String>,
    pub subject: Option<String>,
    pub notes: Option<String>,
    pub state: EstimateState,
    pub issue_date: Option<Date>,
    pub sent_at: Option<OffsetDateTime>,
    pub decided_at: Option<OffsetDateTime>,
    pub currency: String,
    pub amount: Option<Decimal>,
    pub tax_amount: Option<Decimal>,
    pub tax2_amount: Option<Decimal>,
    pub discount_amount: Option<Decimal>,
    /// Secret: whoever holds it can open the estimate on Harvest.
    pub client_key: String,
    pub line_items: Vec<super::cache::CachedLineItem>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EstimateSnapshot {
    pub full_domain: String,
    /// Newest first; drafts, unknown states and other clients' estimates removed.
    pub estimates: Vec<CachedEstimate>,
}

impl EstimateSnapshot {
    fn from_harvest(harvest_client_id: u64, full_domain: String, estimates: Vec<super::harvest::Estimate>) -> Self {
        let mut estimates: Vec<CachedEstimate> = estimates
            .into_iter()
            .filter(|e| e.client.id == harvest_client_id)
            .filter(|e| matches!(e.state, EstimateState::Sent | EstimateState::Accepted | EstimateState::Declined))
            .map(|e| CachedEstimate {
                id: e.id,
                number: e.number,
                purchase_order: e.purchase_order.filter(|s| !s.is_empty()),
                subject: e.subject.filter(|s| !s.is_empty()),
                notes: e.notes.filter(|s| !s.is_empty()),
                decided_at: match e.state {
                    EstimateState::Accepted => e.accepted_at,
                    EstimateState::Declined => e.declined_at,
                    _ => None,
                },
                state: e.state,
                issue_date: e.issue_date,
                sent_at: e.sent_at,
                currency: e.currency,
                amount: e.amount,
                tax_amount: e.tax_amount,
                tax2_amount: e.tax2_amount,
                discount_amount: e.discount_amount,
                client_key: e.client_key,
                line_items: e.line_items.into_iter().map(super::cache::CachedLineItem::from).collect(),
            })
            .collect();
        estimates.sort_by(|a, b| b.issue_date.cmp(&a.issue_date).then(b.id.cmp(&a.id)));
        Self { full_domain, estimates }
    }
}

/// `sent` (waiting for the client), `accepted` or `declined`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EstimateStatus {
    Sent,
    Accepted,
    Declined,
}

/// Who decided in the portal, and what they said.
#[derive(Debug, Clone, Serialize)]
pub struct DecisionView {
    pub by: String,
    pub comment: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

#[derive(Debug, Serialize)]
pub struct EstimateView {
    pub id: u64,
    pub number: String,
    pub subject: Option<String>,
    pub purchase_order: Option<String>,
    pub issue_date: Option<Date>,
    pub currency: String,
    /// `null` when Harvest left it out (a token without permission to view amounts).
    pub amount: Option<String>,
    pub status: EstimateStatus,
    /// A contact decided just now and Harvest is being told.
    pub deciding: bool,
    #[serde(with = "time::serde::rfc3339::option")]
    pub decided_at: Option<OffsetDateTime>,
    /// Set when the decision was made in the portal.
    pub decision: Option<DecisionView>,
    /// Whether this contact may accept or decline it now.
    pub can_decide: bool,
    /// Harvest's client-facing page of the estimate (and its PDF).
    pub view_url: String,
}

#[derive(Debug, Serialize)]
pub struct EstimateDetailView {
    #[serde(flatten)]
    pub estimate: EstimateView,
    pub notes: Option<String>,
    pub tax_amount: Option<String>,
    pub tax2_amount: Option<String>,
    pub discount_amount: Option<String>,
    pub line_items: Vec<LineItemView>,
    pub pdf_url: String,
    pub stale: bool,
}

#[derive(Debug, Serialize)]
pub struct EstimateList {
    pub billing_linked: bool,
    pub stale: bool,
    #[serde(with = "time::serde::rfc3339::option")]
    pub fetched_at: Option<OffsetDateTime>,
    pub items: Vec<EstimateView>,
}

fn unavailable() -> Error {
    Error::DependencyUnavailable {
        code: "estimates_unavailable",
        message: "Estimates cannot be loaded from the billing system right now. Try again in a few minutes.".into(),
    }
}

/// Refreshes the client's estimates if their copy is stale (the billing watch).
pub async fn refresh(store: &Store, billing: &Billing, client_id: ClientId) -> Result<(), Error> {
    load(store, billing, client_id).await.map(drop)
}

/// The client's estimates through the lease, or `None` when the client is not linked.
async fn load(
    store: &Store,
    billing: &Billing,
    client_id: ClientId,
) -> Result<Option<(Cached<EstimateSnapshot>, Vec<EstimateDecision>)>, Error> {
    let key = CacheKey::estimates(client_id);
    let (client, record, decisions) =
        tokio::try_join!(store.get_client(client_id), store.get_cache(&key), store.list_estimate_decisions(client_id))?;
    let client = client.ok_or(Error::Unauthenticated)?;
    let Some(harvest_client_id) = client.harvest_client_id else { return Ok(None) };
    let harvest = connected(billing)?;
    let fetch = |previous: Option<EstimateSnapshot>| async move {
        let (domain, estimates) = tokio::try_join!(
            full_domain(harvest, previous.as_ref().map(|p| p.full_domain.clone())),
            harvest.estimates(harvest_client_id)
        )?;
        let snapshot = EstimateSnapshot::from_harvest(harvest_client_id, domain, estimates);
        let news = super::news::estimate_news(previous.as_ref(), &snapshot, &billing.agency);
        super::news::announce(store, client_id, &billing.agency, news).await;
        Ok::<_, HarvestError>(snapshot)
    };
    let cached = through_lease(store, &key, harvest_client_id, billing.cache_ttl, record, fetch)
        .await
        .map_err(|failure| unserved(failure, unavailable))?;
    Ok(Some((cached, decisions)))
}

/// An estimate as this contact sees it: Harvest's state, overlaid with a decision made in the
/// portal (shown at once, before Harvest's copy is refreshed).
fn view(estimate: &CachedEstimate, decision: Option<&EstimateDecision>, full_domain: &str, now: i64) -> EstimateView {
    let harvest_status = match estimate.state {
        EstimateState::Accepted => EstimateStatus::Accepted,
        EstimateState::Declined => EstimateStatus::Declined,
        _ => EstimateStatus::Sent,
    };
    let recorded = decision.filter(|d| d.status == DecisionStatus::Recorded);
    let deciding = decision.is_some_and(|d| d.status == DecisionStatus::Pending && d.claim_until >= now);
    let status = match recorded.map(|d| d.verdict) {
        Some(EstimateVerdict::Accepted) => EstimateStatus::Accepted,
        Some(EstimateVerdict::Declined) => EstimateStatus::Declined,
        None => harvest_status,
    };
    EstimateView {
        id: estimate.id,
        number: estimate.number.clone(),
        subject: estimate.subject.clone(),
        purchase_order: estimate.purchase_order.clone(),
        issue_date: estimate.issue_date,
        currency: estimate.currency.clone(),
        amount: estimate.amount.map(money),
        status,
        deciding,
        decided_at: recorded.map(|d| d.decided_at).or(estimate.decided_at),
        decision: recorded.map(|d| DecisionView {
            by: d.contact_name.clone(),
            comment: (!d.comment.is_empty()).then(|| d.comment.clone()),
            at: d.decided_at,
        }),
        can_decide: status == EstimateStatus::Sent && !deciding,
        view_url: format!("https://{full_domain}/client/estimates/{}", estimate.client_key),
    }
}

pub async fn list(store: &Store, billing: &Billing, client_id: ClientId) -> Result<EstimateList, Error> {
    let Some((cached, decisions)) = load(store, billing, client_id).await? else {
        return Ok(EstimateList { billing_linked: false, stale: false, fetched_at: None, items: vec![] });
    };
    let now = super::lease::now();
    let items = cached
        .data
        .estimates
        .iter()
        .map(|e| view(e, decisions.iter().find(|d| d.estimate_id == e.id), &cached.data.full_domain, now))
        .collect();
    Ok(EstimateList {
        billing_linked: true,
        stale: cached.stale,
        fetched_at: OffsetDateTime::from_unix_timestamp(cached.fetched_at).ok(),
        items,
    })
}

fn detail_view(
    estimate: &CachedEstimate,
    decision: Option<&EstimateDecision>,
    cached: &Cached<EstimateSnapshot>,
) -> EstimateDetailView {
    let base = view(estimate, decision, &cached.data.full_domain, super::lease::now());
    EstimateDetailView {
        pdf_url: format!("{}.pdf", base.view_url),
        estimate: base,
        notes: estimate.notes.clone(),
        tax_amount: estimate.tax_amount.map(money),
        tax2_amount: estimate.tax2_amount.map(money),
        discount_amount: estimate.discount_amount.map(money),
        line_items: estimate.line_items.iter().map(LineItemView::from).collect(),
        stale: cached.stale,
    }
}

fn parse_id(raw: &str) -> Result<u64, Error> {
    raw.parse().map_err(|_| Error::NotFound)
}

pub async fn detail(
    store: &Store,
    billing: &Billing,
    client_id: ClientId,
    estimate_id: &str,
) -> Result<EstimateDetailView, Error> {
    let id = parse_id(estimate_id)?;
    let (cached, decisions) = load(store, billing, client_id).await?.ok_or(Error::NotFound)?;
    let estimate = cached.data.estimates.iter().find(|e| e.id == id).ok_or(Error::NotFound)?;
    Ok(detail_view(estimate, decisions.iter().find(|d| d.estimate_id == id), &cached))
}

/// The body of an accept or decline: an optional comment for the agency.
#[derive(Debug, Default, Deserialize)]
pub struct DecisionInput {
    #[serde(default)]
    pub comment: Option<String>,
}

impl DecisionInput {
    fn comment(&self) -> Result<String, Error> {
        let comment = self.comment.as_deref().unwrap_or("").trim();
        if comment.chars().count() > MAX_COMMENT_CHARS {
            return Err(Error::invalid(
                "comment_too_long",
                format!("Keep the comment under {MAX_COMMENT_CHARS} characters."),
            ));
        }
        Ok(comment.to_owned())
    }
}

/// Who is deciding: the contact, as the access check read them.
pub struct Decider<'a> {
    pub contact_id: ContactId,
    pub name: &'a str,
}

fn already_decided(existing: Option<&EstimateDecision>) -> Error {
    match existing {
        Some(d) if d.status == DecisionStatus::Recorded => {
            let verdict = match d.verdict {
                EstimateVerdict::Accepted => "accepted",
                EstimateVerdict::Declined => "declined",
            };
            Error::conflict("estimate_decided", format!("{} already {verdict} this estimate.", d.contact_name))
        }
        _ => Error::conflict(
            "estimate_deciding",
            "Someone in your company is deciding on this estimate right now. Reload in a moment.",
        ),
    }
}

/// Accepts or declines a sent estimate, once.
#[allow(clippy::too_many_arguments)] // the pieces it uses, no more: table, Harvest, mail, config
pub async fn decide(
    store: &Store,
    billing: &Billing,
    client_id: ClientId,
    by: Decider<'_>,
    estimate_id: &str,
    verdict: EstimateVerdict,
    input: DecisionInput,
) -> Result<EstimateDetailView, Error> {
    let id = parse_id(estimate_id)?;
    let comment = input.comment()?;
    let (cached, decisions) = load(store, billing, client_id).await?.ok_or(Error::NotFound)?;
    let estimate = cached.data.estimates.iter().find(|e| e.id == id).ok_or(Error::NotFound)?;
    let existing = decisions.iter().find(|d| d.estimate_id == id);
    if existing.is_some_and(|d| d.status == DecisionStatus::Recorded) {
        return Err(already_decided(existing));
    }
    if estimate.state != EstimateState::Sent {
        return Err(Error::conflict(
            "estimate_closed",
            "This estimate is no longer open for a decision: it was accepted or declined already.",
        ));
    }
    let harvest = connected(billing)?;
    let now = OffsetDateTime::now_utc();
    let mut decision = EstimateDecision {
        estimate_id: id,
        verdict,
        status: DecisionStatus::Pending,
        comment,
        contact_id: by.contact_id,
        contact_name: by.name.to_owned(),
        decided_at: now,
        claim_until: now.unix_timestamp() + CLAIM_SECS,
        claim_owner: ulid::Ulid::new().to_string(),
    };
    match store.claim_estimate_decision(client_id, &decision, now.unix_timestamp()).await {
        Ok(()) => {}
        Err(StoreError::ConditionFailed) => {
            let current = store.get_estimate_decision(client_id, id).await?;
            return Err(already_decided(current.as_ref()));
        }
        Err(other) => return Err(other.into()),
    }
    let event = match verdict {
        EstimateVerdict::Accepted => EstimateEvent::Accept,
        EstimateVerdict::Declined => EstimateEvent::Decline,
    };
    if let Err(error) = harvest.decide_estimate(id, event).await {
        store.drop_estimate_claim(client_id, id, &decision.claim_owner).await?;
        return Err(refused(store, client_id, error).await);
    }
    let (verb, kind) = match verdict {
        EstimateVerdict::Accepted => ("accepted", ActivityKind::EstimateAccepted),
        EstimateVerdict::Declined => ("declined", ActivityKind::EstimateDeclined),
    };
    let title = estimate
        .subject
        .as_deref()
        .map_or_else(|| format!("estimate {}", estimate.number), |s| format!("estimate {} ({s})", estimate.number));
    let mut audit = Actor::Contact(by.contact_id).audit(
        Some(client_id),
        &format!("estimate.{}", if verdict == EstimateVerdict::Accepted { "accept" } else { "decline" }),
        format!("harvest_estimate:{id}"),
        title.clone(),
    );
    if !decision.comment.is_empty() {
        audit.summary = Some(format!("{title}: “{}”", decision.comment));
    }
    let mut activity = Activity::new(client_id, kind, None, None, by.name, format!("{} {verb} {title}", by.name))
        .by(Side::Client, Some(by.contact_id.to_string()));
    if !decision.comment.is_empty() {
        activity = activity.quoting(&decision.comment);
    }
    let ops = vec![
        store.record_estimate_decision_op(client_id, &decision)?,
        store.audit_put(&audit)?,
        store.activity_put(&activity)?,
    ];
    if let Err(error) = store.transact(ops).await {
        // Harvest has the decision; the table will say so once Harvest's copy is refreshed.
        tracing::error!(%error, estimate = id, "Harvest recorded the decision but the portal could not");
        store.expire_cache(&CacheKey::estimates(client_id)).await.ok();
        return Err(error.into());
    }
    decision.status = DecisionStatus::Recorded;
    Ok(detail_view(estimate, Some(&decision), &cached))
}

/// What the contact hears when Harvest would not take the decision.
async fn refused(store: &Store, client_id: ClientId, error: HarvestError) -> Error {
    match error {
        HarvestError::Rejected { status, message } => {
            tracing::warn!(status, %message, "Harvest refused an estimate decision");
            // Our copy is out of date (the agency decided in Harvest): refresh it next time.
            store.expire_cache(&CacheKey::estimates(client_id)).await.ok();
            Error::conflict(
                "estimate_closed",
                "This estimate is no longer open for a decision. Reload to see where it stands.",
            )
        }
        HarvestError::Unauthorized { status } => {
            tracing::error!(
                status,
                "Harvest refused to record an estimate decision: the token needs estimate permission"
            );
            super::cache::misconfigured()
        }
        other => {
            tracing::warn!(error = %other, "Harvest could not record an estimate decision");
            Error::DependencyUnavailable {
                code: "harvest_unavailable",
                message: "Your decision could not be sent to the billing system. Nothing was recorded: try again in a few minutes.".into(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_are_optional_trimmed_and_bounded() {
        let input = |c: Option<&str>| DecisionInput { comment: c.map(str::to_owned) };
        assert_eq!(input(None).comment().unwrap(), "");
        assert_eq!(input(Some("  fine  ")).comment().unwrap(), "fine");
        assert!(input(Some(&"é".repeat(MAX_COMMENT_CHARS))).comment().is_ok());
        assert!(matches!(
            input(Some(&"é".repeat(MAX_COMMENT_CHARS + 1))).comment(),
            Err(Error::Invalid { code: "comment_too_long", .. })
        ));
    }
}
