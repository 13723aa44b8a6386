//! What a client contact sees: the JSON views of projects, milestones, deliverables, notes,
//! messages and the activity feed, built from the stored models.

use serde::Serialize;
use time::{Date, OffsetDateTime};

use crate::domain::{
    Activity, ActivityKind, AuthorKind, ContactId, Deliverable, DeliverableStatus, MeetingNote, Message, Milestone,
    MilestoneStatus, Project, ProjectStatus, Review, ReviewDecision,
};
use crate::files::previewable;
use crate::store::ProjectTree;

pub(super) fn today() -> Date {
    OffsetDateTime::now_utc().date()
}

pub(super) fn is_overdue(status: MilestoneStatus, due: Option<Date>, today: Date) -> bool {
    status == MilestoneStatus::Pending && due.is_some_and(|due| due < today)
}

#[derive(Debug, Serialize)]
pub struct NextMilestoneView {
    pub id: ulid::Ulid,
    pub title: String,
    pub due_date: Option<Date>,
    pub overdue: bool,
}

#[derive(Debug, Serialize)]
pub struct ProgressView {
    pub done: u32,
    pub total: u32,
    pub next: Option<NextMilestoneView>,
}

#[derive(Debug, Serialize)]
pub struct ProjectSummaryView {
    pub id: ulid::Ulid,
    pub name: String,
    pub status: ProjectStatus,
    pub start_date: Option<Date>,
    pub due_date: Option<Date>,
    pub summary: String,
    pub progress: ProgressView,
}

impl ProjectSummaryView {
    pub fn new(project: &Project, today: Date) -> Self {
        let summary = &project.milestones;
        Self {
            id: project.id,
            name: project.name.clone(),
            status: project.status,
            start_date: project.start_date,
            due_date: project.due_date,
            summary: project.summary.clone(),
            progress: ProgressView {
                done: summary.done,
                total: summary.total,
                next: summary.next.as_ref().map(|next| NextMilestoneView {
                    id: next.id,
                    title: next.title.clone(),
                    due_date: next.due_date,
                    overdue: is_overdue(MilestoneStatus::Pending, next.due_date, today),
                }),
            },
        }
    }
}

#[derive(Debug, Serialize)]
pub struct MilestoneView {
    pub id: ulid::Ulid,
    pub title: String,
    pub due_date: Option<Date>,
    pub status: MilestoneStatus,
    #[serde(with = "time::serde::rfc3339::option")]
    pub completed_at: Option<OffsetDateTime>,
    pub overdue: bool,
}

#[derive(Debug, Serialize)]
pub struct VersionView {
    pub number: u32,
    pub filename: String,
    pub size: u64,
    pub content_type: String,
    /// Whether its download link also offers a preview (images but SVG, and PDFs).
    pub previewable: bool,
    #[serde(with = "time::serde::rfc3339::option")]
    pub delivered_at: Option<OffsetDateTime>,
}

#[derive(Debug, Serialize)]
pub struct ReviewView {
    pub decision: ReviewDecision,
    pub comment: String,
    pub reviewer_name: String,
    pub version: u32,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

impl From<&Review> for ReviewView {
    fn from(review: &Review) -> Self {
        Self {
            decision: review.decision,
            comment: review.comment.clone(),
            reviewer_name: review.reviewer_name.clone(),
            version: review.version,
            at: review.at,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct DeliverableView {
    pub id: ulid::Ulid,
    pub project_id: ulid::Ulid,
    pub name: String,
    pub description: String,
    pub status: DeliverableStatus,
    /// Delivered versions, newest first.
    pub versions: Vec<VersionView>,
    pub latest_version: Option<u32>,
    /// The latest version, when it is an image: a five-minute inline link (project page only).
    pub thumbnail_url: Option<String>,
    /// Newest first.
    pub reviews: Vec<ReviewView>,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

impl DeliverableView {
    pub fn new(deliverable: &Deliverable) -> Self {
        let mut versions: Vec<VersionView> = deliverable
            .delivered_versions()
            .map(|v| VersionView {
                number: v.number,
                filename: v.filename.clone(),
                size: v.size,
                content_type: v.content_type.clone(),
                previewable: previewable(&v.content_type),
                delivered_at: v.delivered_at,
            })
            .collect();
        versions.sort_by_key(|v| std::cmp::Reverse(v.number));
        Self {
            id: deliverable.id,
            project_id: deliverable.project_id,
            name: deliverable.name.clone(),
            description: deliverable.description.clone(),
            status: deliverable.status,
            latest_version: versions.first().map(|v| v.number),
            thumbnail_url: None,
            versions,
            reviews: deliverable.reviews.iter().rev().map(ReviewView::from).collect(),
            updated_at: deliverable.updated_at,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct NoteSummaryView {
    pub id: ulid::Ulid,
    pub title: String,
    pub meeting_date: Date,
    pub attendees: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct NoteView {
    pub id: ulid::Ulid,
    pub project_id: ulid::Ulid,
    pub title: String,
    pub meeting_date: Date,
    pub attendees: Vec<String>,
    pub body_markdown: String,
    /// Rendered and sanitised: safe to insert into the page.
    pub body_html: String,
}

#[derive(Debug, Serialize)]
pub struct ProjectDetailView {
    #[serde(flatten)]
    pub project: ProjectSummaryView,
    pub overdue_milestones: u32,
    /// In timeline order: agency's position, then due date.
    pub milestones: Vec<MilestoneView>,
    /// Only what has been delivered to the client, newest change first.
    pub deliverables: Vec<DeliverableView>,
    /// Newest meeting first.
    pub notes: Vec<NoteSummaryView>,
}

impl ProjectDetailView {
    pub fn new(tree: ProjectTree, today: Date) -> Self {
        let ProjectTree { project, mut milestones, deliverables, mut notes } = tree;
        milestones.sort_by_key(Milestone::timeline_key);
        let milestones: Vec<MilestoneView> = milestones
            .iter()
            .map(|m| MilestoneView {
                id: m.id,
                title: m.title.clone(),
                due_date: m.due_date,
                status: m.status,
                completed_at: m.completed_at,
                overdue: is_overdue(m.status, m.due_date, today),
            })
            .collect();
        let mut visible: Vec<&Deliverable> = deliverables.iter().filter(|d| d.is_visible_to_client()).collect();
        visible.sort_by_key(|d| std::cmp::Reverse(d.updated_at));
        notes.sort_by(|a: &MeetingNote, b: &MeetingNote| b.meeting_date.cmp(&a.meeting_date).then(b.id.cmp(&a.id)));
        Self {
            project: ProjectSummaryView::new(&project, today),
            overdue_milestones: u32::try_from(milestones.iter().filter(|m| m.overdue).count()).unwrap_or(u32::MAX),
            milestones,
            deliverables: visible.into_iter().map(DeliverableView::new).collect(),
            notes: notes
                .into_iter()
                .map(|n| NoteSummaryView {
                    id: n.id,
                    title: n.title,
                    meeting_date: n.meeting_date,
                    attendees: n.attendees,
                })
                .collect(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct AuthorView {
    pub kind: AuthorKind,
    pub name: String,
}

#[derive(Debug, Serialize)]
pub struct MessageView {
    pub id: ulid::Ulid,
    pub body: String,
    pub author: AuthorView,
    /// Written by the contact who is asking.
    pub mine: bool,
    /// Newer than this contact's read marker and not their own.
    pub unread: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl MessageView {
    pub(super) fn new(message: Message, me: ContactId, last_read: Option<ulid::Ulid>) -> Self {
        let mine = message.author_kind == AuthorKind::Contact && message.author_id == me.to_string();
        Self {
            id: message.id,
            unread: !mine && last_read.is_none_or(|read| message.id > read),
            mine,
            author: AuthorView { kind: message.author_kind, name: message.author_name },
            body: message.body,
            created_at: message.created_at,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct ActivityView {
    pub id: ulid::Ulid,
    pub kind: ActivityKind,
    pub summary: String,
    pub actor_name: String,
    pub project_id: Option<ulid::Ulid>,
    pub subject_id: Option<ulid::Ulid>,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

impl From<Activity> for ActivityView {
    fn from(a: Activity) -> Self {
        Self {
            id: a.id,
            kind: a.kind,
            summary: a.summary,
            actor_name: a.actor_name,
            project_id: a.project_id,
            subject_id: a.subject_id,
            at: a.at,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overdue_means_pending_and_past_due() {
        let today = time::macros::date!(2026 - 11 - 25);
        let yesterday = time::macros::date!(2026 - 11 - 24);
        assert!(is_overdue(MilestoneStatus::Pending, Some(yesterday), today));
        assert!(!is_overdue(MilestoneStatus::Pending, Some(today), today));
        assert!(!is_overdue(MilestoneStatus::Done, Some(yesterday), today));
        assert!(!is_overdue(MilestoneStatus::Pending, None, today));
    }
}
