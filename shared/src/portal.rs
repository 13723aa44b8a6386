//! What a signed-in client contact sees and does: projects, deliverables, notes, messages,
//! the dashboard and the activity feed. Every function takes the `ClientId` from the verified
//! session and nothing else names a tenant; ids from the path only select *within* it.

use serde::Serialize;
use time::{Date, OffsetDateTime};

use crate::app::AppState;
use crate::domain::{ClientId, ContactId};
use crate::email::{Email, escape_html};
use crate::error::ApiError;
use crate::files::{DownloadLink, presign_download};
use crate::models::{
    Activity, ActivityKind, AuthorKind, Deliverable, DeliverableStatus, MeetingNote, Message, Milestone,
    MilestoneStatus, Project, ProjectStatus, Review, ReviewDecision,
};
use crate::pagination::{Page, PageRequest};
use crate::store::ProjectTree;

fn today() -> Date {
    OffsetDateTime::now_utc().date()
}

fn is_overdue(status: MilestoneStatus, due: Option<Date>, today: Date) -> bool {
    status == MilestoneStatus::Pending && due.is_some_and(|due| due < today)
}

// ----- views -------------------------------------------------------------------------------

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
        milestones.sort_by_key(|m: &Milestone| (m.position, m.due_date.is_none(), m.due_date, m.id));
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
    fn new(message: Message, me: ContactId, last_read: Option<ulid::Ulid>) -> Self {
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

// ----- list scopes (bind cursors to one list of one client) --------------------------------

pub fn projects_scope(client: ClientId, status: Option<ProjectStatus>) -> String {
    let filter = status.map_or("all", crate::store::projects_status_key);
    format!("projects|{client}|{filter}")
}

pub fn messages_scope(client: ClientId) -> String {
    format!("messages|{client}")
}

pub fn activity_scope(client: ClientId) -> String {
    format!("activity|{client}")
}

fn page<T>(
    state: &AppState,
    scope: &str,
    items: Vec<T>,
    last: Option<crate::store::Item>,
) -> Result<Page<T>, ApiError> {
    state.cursors.page(scope, items, last)
}

// ----- projects ----------------------------------------------------------------------------

pub async fn list_projects(
    state: &AppState,
    client: ClientId,
    status: Option<ProjectStatus>,
    request: PageRequest,
) -> Result<Page<ProjectSummaryView>, ApiError> {
    let (projects, last) = state.store.list_projects(client, status, request.limit, request.start).await?;
    let today = today();
    let items = projects.iter().map(|p| ProjectSummaryView::new(p, today)).collect();
    page(state, &projects_scope(client, status), items, last)
}

pub async fn project_detail(
    state: &AppState,
    client: ClientId,
    project: ulid::Ulid,
) -> Result<ProjectDetailView, ApiError> {
    let tree = state.store.get_project_tree(client, project).await?.ok_or(ApiError::NotFound)?;
    Ok(ProjectDetailView::new(tree, today()))
}

/// A deliverable the client may see; anything else is simply not found.
async fn visible_deliverable(
    state: &AppState,
    client: ClientId,
    project: ulid::Ulid,
    deliverable: ulid::Ulid,
) -> Result<Deliverable, ApiError> {
    state
        .store
        .get_deliverable(client, project, deliverable)
        .await?
        .filter(Deliverable::is_visible_to_client)
        .ok_or(ApiError::NotFound)
}

pub async fn download_link(
    state: &AppState,
    client: ClientId,
    project: ulid::Ulid,
    deliverable: ulid::Ulid,
    version: Option<u32>,
) -> Result<DownloadLink, ApiError> {
    let deliverable = visible_deliverable(state, client, project, deliverable).await?;
    let file = match version {
        None => deliverable.latest_delivered(),
        Some(number) => deliverable.delivered_versions().find(|v| v.number == number),
    }
    .ok_or(ApiError::NotFound)?;
    let (url, expires_at) = presign_download(
        state.files.get(),
        &state.config.files_bucket,
        &file.s3_key,
        &file.filename,
        &file.content_type,
    )
    .await?;
    Ok(DownloadLink { url, expires_at, filename: file.filename.clone(), version: file.number })
}

pub const MAX_COMMENT_CHARS: usize = 2000;

/// Records a review. Reviewing again is allowed and adds a new review: clients change their
/// minds, and the history shows who decided what about which version. The newest review sets
/// the deliverable's status.
pub async fn review_deliverable(
    state: &AppState,
    client: ClientId,
    contact: ContactId,
    project: ulid::Ulid,
    deliverable: ulid::Ulid,
    decision: ReviewDecision,
    comment: &str,
) -> Result<DeliverableView, ApiError> {
    let comment = comment.trim();
    if comment.chars().count() > MAX_COMMENT_CHARS {
        return Err(ApiError::unprocessable(
            "comment_too_long",
            format!("Keep the comment under {MAX_COMMENT_CHARS} characters."),
        ));
    }
    if decision == ReviewDecision::ChangesRequested && comment.is_empty() {
        return Err(ApiError::unprocessable("comment_required", "Say what should change, so the team can act on it."));
    }
    let (current, reviewer) =
        tokio::try_join!(visible_deliverable(state, client, project, deliverable), reviewer(state, client, contact))?;
    let version = current.latest_delivered().map(|v| v.number).ok_or(ApiError::NotFound)?;
    let now = OffsetDateTime::now_utc();
    let mut updated = current.clone();
    updated.reviews.push(Review {
        decision,
        comment: comment.to_owned(),
        reviewer_id: contact,
        reviewer_name: reviewer.clone(),
        version,
        at: now,
    });
    updated.status = match decision {
        ReviewDecision::Approved => DeliverableStatus::Approved,
        ReviewDecision::ChangesRequested => DeliverableStatus::ChangesRequested,
    };
    updated.updated_at = now;
    let verb = match decision {
        ReviewDecision::Approved => "approved",
        ReviewDecision::ChangesRequested => "requested changes to",
    };
    let activity = Activity::new(
        client,
        ActivityKind::DeliverableReviewed,
        Some(project),
        Some(updated.id),
        &reviewer,
        format!("{reviewer} {verb} {} (v{version})", updated.name),
    );
    match state.store.write_deliverable(&updated, Some(&current), Some(&activity), None).await {
        Ok(()) => Ok(DeliverableView::new(&updated)),
        Err(crate::store::StoreError::ConditionFailed | crate::store::StoreError::Cancelled(_)) => {
            Err(ApiError::Conflict {
                code: "deliverable_changed",
                message: "This deliverable changed while you were reviewing it. Reload and try again.".into(),
            })
        }
        Err(other) => Err(other.into()),
    }
}

async fn reviewer(state: &AppState, client: ClientId, contact: ContactId) -> Result<String, ApiError> {
    Ok(state.store.get_contact(client, contact).await?.ok_or(ApiError::Unauthenticated)?.name)
}

pub async fn note(
    state: &AppState,
    client: ClientId,
    project: ulid::Ulid,
    note: ulid::Ulid,
) -> Result<NoteView, ApiError> {
    let note = state.store.get_note(client, project, note).await?.ok_or(ApiError::NotFound)?;
    Ok(NoteView {
        id: note.id,
        project_id: note.project_id,
        body_html: crate::markdown::to_safe_html(&note.body_markdown),
        title: note.title,
        meeting_date: note.meeting_date,
        attendees: note.attendees,
        body_markdown: note.body_markdown,
    })
}

// ----- messages ----------------------------------------------------------------------------

pub const MAX_MESSAGE_CHARS: usize = 5000;

pub async fn list_messages(
    state: &AppState,
    client: ClientId,
    contact: ContactId,
    request: PageRequest,
) -> Result<Page<MessageView>, ApiError> {
    let (messages, marker) = tokio::try_join!(
        state.store.list_messages(client, request.limit, request.start),
        state.store.read_marker(client, contact),
    )?;
    let (messages, last) = messages;
    let items = messages.into_iter().map(|m| MessageView::new(m, contact, marker)).collect();
    page(state, &messages_scope(client), items, last)
}

pub async fn post_message(
    state: &AppState,
    client: ClientId,
    contact: ContactId,
    body: &str,
) -> Result<MessageView, ApiError> {
    let body = body.trim();
    let length = body.chars().count();
    if length == 0 || length > MAX_MESSAGE_CHARS {
        return Err(ApiError::unprocessable(
            "invalid_message",
            format!("Write a message of 1 to {MAX_MESSAGE_CHARS} characters."),
        ));
    }
    let (author, company) = tokio::try_join!(state.store.get_contact(client, contact), state.store.get_client(client))?;
    let author = author.ok_or(ApiError::Unauthenticated)?;
    let message = Message {
        id: ulid::Ulid::new(),
        client_id: client,
        author_kind: AuthorKind::Contact,
        author_id: contact.to_string(),
        author_name: author.name.clone(),
        body: body.to_owned(),
        created_at: OffsetDateTime::now_utc(),
    };
    let activity = Activity::new(
        client,
        ActivityKind::MessagePosted,
        None,
        Some(message.id),
        &author.name,
        format!("{} sent a message", author.name),
    );
    let company = company.map(|c| c.company_name).unwrap_or_default();
    state.store.post_message(&message, &activity, &company, None).await?;
    // Writing a message means having read the thread up to it.
    state.store.advance_read_marker(client, contact, message.id).await?;
    if let Some(to) = &state.config.notify_email {
        let email = new_message_email(to, &state.config.public_url, &author.name, &company, body);
        if let Err(error) = state.mailer.send(&email).await {
            tracing::error!(%error, "new-message notification could not be sent");
        }
    }
    Ok(MessageView::new(message, contact, None))
}

fn new_message_email(
    to: &crate::domain::EmailAddress,
    public_url: &str,
    author: &str,
    company: &str,
    body: &str,
) -> Email {
    let link = format!("{public_url}/admin/messages");
    Email {
        to: to.clone(),
        subject: format!("New message from {author} ({company})"),
        text: format!("{author} of {company} wrote:\n\n{body}\n\nReply in the portal: {link}\n"),
        html: format!(
            "<p><strong>{}</strong> of {} wrote:</p><blockquote style=\"white-space:pre-wrap\">{}</blockquote>\
             <p><a href=\"{}\">Reply in the portal</a></p>",
            escape_html(author),
            escape_html(company),
            escape_html(body),
            escape_html(&link)
        ),
    }
}

#[derive(Debug, Serialize)]
pub struct ReadState {
    pub last_read_id: Option<ulid::Ulid>,
    pub unread_count: u32,
}

/// Marks the whole thread read for this contact.
pub async fn mark_read(state: &AppState, client: ClientId, contact: ContactId) -> Result<ReadState, ApiError> {
    let newest = state.store.recent_message_meta(client, 1).await?.into_iter().next();
    if let Some(newest) = &newest {
        state.store.advance_read_marker(client, contact, newest.id).await?;
    }
    Ok(ReadState { last_read_id: newest.map(|m| m.id), unread_count: 0 })
}

/// How many of the newest `UNREAD_WINDOW` messages this contact has not read. Bounded cost:
/// past the window the UI shows "99+".
pub const UNREAD_WINDOW: i32 = 100;

fn unread_count(recent: &[crate::store::MessageMeta], marker: Option<ulid::Ulid>, me: ContactId) -> u32 {
    let me = me.to_string();
    let count = recent.iter().filter(|m| m.author_id != me && marker.is_none_or(|read| m.id > read)).count();
    u32::try_from(count).unwrap_or(u32::MAX)
}

// ----- dashboard & activity ----------------------------------------------------------------

#[derive(Debug, Serialize)]
pub struct Dashboard {
    /// Active projects (up to 20), newest first, each with its next milestone.
    pub active_projects: Vec<ProjectSummaryView>,
    /// The five most recently changed deliverables.
    pub latest_deliverables: Vec<DeliverableView>,
    /// Unread messages among the newest 100; `unread_messages_more` when all 100 are unread.
    pub unread_messages: u32,
    pub unread_messages_more: bool,
    /// Open totals and the next due date from Harvest; `available: false` when billing is
    /// unreachable and nothing is cached (the rest of the dashboard still loads).
    pub invoices: crate::invoices::InvoiceSummary,
}

/// The session check, then everything in parallel: four reads, and the invoice summary (two
/// more reads when the cache is fresh).
pub async fn dashboard(state: &AppState, client: ClientId, contact: ContactId) -> Result<Dashboard, ApiError> {
    let store = &state.store;
    let reads = async {
        tokio::try_join!(
            store.list_projects(client, Some(ProjectStatus::Active), 20, None),
            store.latest_deliverables(client, 5),
            store.recent_message_meta(client, UNREAD_WINDOW),
            store.read_marker(client, contact),
        )
        .map_err(ApiError::from)
    };
    let ((active, deliverables, recent, marker), invoices) =
        tokio::try_join!(reads, crate::invoices::summary(state, client))?;
    let today = today();
    let unread = unread_count(&recent, marker, contact);
    Ok(Dashboard {
        active_projects: active.0.iter().map(|p| ProjectSummaryView::new(p, today)).collect(),
        latest_deliverables: deliverables.iter().map(DeliverableView::new).collect(),
        unread_messages_more: i64::from(unread) >= i64::from(UNREAD_WINDOW),
        unread_messages: unread,
        invoices,
    })
}

pub async fn activity(
    state: &AppState,
    client: ClientId,
    request: PageRequest,
) -> Result<Page<ActivityView>, ApiError> {
    let (events, last) = state.store.list_activity(client, request.limit, request.start).await?;
    page(state, &activity_scope(client), events.into_iter().map(ActivityView::from).collect(), last)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::MessageMeta;

    #[test]
    fn overdue_means_pending_and_past_due() {
        let today = time::macros::date!(2026 - 11 - 25);
        let yesterday = time::macros::date!(2026 - 11 - 24);
        assert!(is_overdue(MilestoneStatus::Pending, Some(yesterday), today));
        assert!(!is_overdue(MilestoneStatus::Pending, Some(today), today));
        assert!(!is_overdue(MilestoneStatus::Done, Some(yesterday), today));
        assert!(!is_overdue(MilestoneStatus::Pending, None, today));
    }

    #[test]
    fn unread_skips_own_and_read_messages() {
        let me = ContactId::new();
        let ids: Vec<ulid::Ulid> = (0..4).map(|_| ulid::Ulid::new()).collect();
        let mut sorted = ids.clone();
        sorted.sort();
        let meta = |id: ulid::Ulid, author: String| MessageMeta { id, author_id: author };
        let recent = vec![
            meta(sorted[3], "agency".into()),
            meta(sorted[2], me.to_string()),
            meta(sorted[1], "agency".into()),
            meta(sorted[0], "agency".into()),
        ];
        assert_eq!(unread_count(&recent, None, me), 3);
        assert_eq!(unread_count(&recent, Some(sorted[1]), me), 1);
        assert_eq!(unread_count(&recent, Some(sorted[3]), me), 0);
    }
}
