//! Deliverables as a client acts on them: download a delivered version, approve it or ask for
//! changes. Only what was delivered exists for the client; anything else is not found.

use time::OffsetDateTime;

use crate::domain::{
    Activity, ActivityKind, ClientId, ContactId, Deliverable, DeliverableStatus, Error, Review, ReviewDecision, Side,
};
use crate::files::{DownloadLink, FileStore, previewable};
use crate::store::{Store, StoreError};

use super::views::DeliverableView;

pub const MAX_COMMENT_CHARS: usize = 2000;

/// A deliverable the client may see; anything else is simply not found.
async fn visible(
    store: &Store,
    client: ClientId,
    project: ulid::Ulid,
    deliverable: ulid::Ulid,
) -> Result<Deliverable, Error> {
    store
        .get_deliverable(client, project, deliverable)
        .await?
        .filter(Deliverable::is_visible_to_client)
        .ok_or(Error::NotFound)
}

pub async fn download_link(
    store: &Store,
    files: &FileStore,
    client: ClientId,
    project: ulid::Ulid,
    deliverable: ulid::Ulid,
    version: Option<u32>,
) -> Result<DownloadLink, Error> {
    let deliverable = visible(store, client, project, deliverable).await?;
    let file = match version {
        None => deliverable.latest_delivered(),
        Some(number) => deliverable.delivered_versions().find(|v| v.number == number),
    }
    .ok_or(Error::NotFound)?;
    let (url, expires_at) = files.download_link(&file.s3_key, &file.filename, &file.content_type).await?;
    let preview_url = if previewable(&file.content_type) {
        Some(files.preview_link(&file.s3_key, &file.filename, &file.content_type).await?.0)
    } else {
        None
    };
    Ok(DownloadLink { url, expires_at, filename: file.filename.clone(), version: file.number, preview_url })
}

/// A review as the client sends it: the comment is checked before anything is read.
pub struct ReviewInput<'a> {
    pub decision: ReviewDecision,
    pub comment: &'a str,
}

impl ReviewInput<'_> {
    /// The comment, trimmed, if the review is acceptable as written.
    pub fn comment(&self) -> Result<&str, Error> {
        let comment = self.comment.trim();
        if comment.chars().count() > MAX_COMMENT_CHARS {
            return Err(Error::invalid(
                "comment_too_long",
                format!("Keep the comment under {MAX_COMMENT_CHARS} characters."),
            ));
        }
        if self.decision == ReviewDecision::ChangesRequested && comment.is_empty() {
            return Err(Error::invalid("comment_required", "Say what should change, so the team can act on it."));
        }
        Ok(comment)
    }
}

/// Records a review. Reviewing again is allowed and adds a new review: clients change their
/// minds, and the history shows who decided what about which version. The newest review sets
/// the deliverable's status.
pub async fn review(
    store: &Store,
    client: ClientId,
    contact: ContactId,
    project: ulid::Ulid,
    deliverable: ulid::Ulid,
    input: ReviewInput<'_>,
) -> Result<DeliverableView, Error> {
    let comment = input.comment()?;
    let reviewer =
        async { Ok::<_, Error>(store.get_contact(client, contact).await?.ok_or(Error::Unauthenticated)?.name) };
    let (current, reviewer) = tokio::try_join!(visible(store, client, project, deliverable), reviewer)?;
    let version = current.latest_delivered().map(|v| v.number).ok_or(Error::NotFound)?;
    let now = OffsetDateTime::now_utc();
    let mut updated = current.clone();
    updated.reviews.push(Review {
        decision: input.decision,
        comment: comment.to_owned(),
        reviewer_id: contact,
        reviewer_name: reviewer.clone(),
        version,
        at: now,
    });
    let (status, verb) = match input.decision {
        ReviewDecision::Approved => (DeliverableStatus::Approved, "approved"),
        ReviewDecision::ChangesRequested => (DeliverableStatus::ChangesRequested, "requested changes to"),
    };
    updated.status = status;
    updated.updated_at = now;
    let activity = Activity::new(
        client,
        ActivityKind::DeliverableReviewed,
        Some(project),
        Some(updated.id),
        &reviewer,
        format!("{reviewer} {verb} {} (v{version})", updated.name),
    )
    .by(Side::Client, Some(contact.to_string()));
    match store.write_deliverable(&updated, Some(&current), Some(&activity), None).await {
        Ok(()) => Ok(DeliverableView::new(&updated)),
        Err(StoreError::ConditionFailed | StoreError::Cancelled(_)) => Err(Error::conflict(
            "deliverable_changed",
            "This deliverable changed while you were reviewing it. Reload and try again.",
        )),
        Err(other) => Err(other.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_request_needs_a_comment_and_comments_are_bounded() {
        let review = |decision, comment| ReviewInput { decision, comment };
        let code = |r: Result<&str, Error>| match r {
            Err(Error::Invalid { code, .. }) => code,
            other => panic!("expected a refusal, got {other:?}"),
        };
        assert_eq!(code(review(ReviewDecision::ChangesRequested, "  ").comment()), "comment_required");
        let long = "é".repeat(MAX_COMMENT_CHARS + 1);
        assert_eq!(code(review(ReviewDecision::Approved, &long).comment()), "comment_too_long");
        let fits = "😀".repeat(MAX_COMMENT_CHARS);
        assert_eq!(review(ReviewDecision::Approved, &fits).comment().ok(), Some(fits.as_str()));
        assert_eq!(review(ReviewDecision::Approved, " ok ").comment().ok(), Some("ok"));
    }
}
