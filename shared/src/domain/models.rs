//! What the portal stores and returns. These are plain data: the store module alone turns them
//! into DynamoDB items (adding keys and TTLs), so no handler ever sees an `AttributeValue`.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::domain::{AdminId, ClientId, ContactId, EmailAddress, Role, SessionId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClientStatus {
    Active,
    Archived,
}

/// A client company: the tenant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Client {
    pub id: ClientId,
    pub company_name: String,
    pub status: ClientStatus,
    /// Company-wide switch: off blocks every contact's sign-in.
    pub portal_enabled: bool,
    #[serde(default)]
    pub harvest_client_id: Option<u64>,
    /// Whether the company's contacts may upload files into projects' shared files (file
    /// requests take uploads whatever this says: the agency asked for them).
    #[serde(default = "enabled")]
    pub uploads_enabled: bool,
    /// What the company's contacts see of their projects' Harvest budgets.
    #[serde(default)]
    pub budget_display: BudgetDisplay,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl Client {
    /// Whether its contacts may use the portal at all: switched on and not archived. Read on
    /// every request and before every mail, not only when the switch is thrown.
    pub fn portal_open(&self) -> bool {
        self.portal_enabled && self.status == ClientStatus::Active
    }
}

/// The agency's choice per client: budgets in hours only (money budgets hidden), or money too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BudgetDisplay {
    #[default]
    Hours,
    Money,
}

/// The Harvest project a portal project's budget comes from, named as Harvest listed it when
/// it was linked (its client's currency too, for money budgets).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HarvestProjectLink {
    pub id: u64,
    pub name: String,
    #[serde(default)]
    pub currency: Option<String>,
}

fn enabled() -> bool {
    true
}

/// A contact's place in their company's team: owners manage the team and always see invoices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactRole {
    Owner,
    /// Contacts stored before roles existed read as members.
    #[default]
    Member,
}

/// An agency staff member's role: owners manage staff and see every client; members see and
/// act only on the clients assigned to them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StaffRole {
    Owner,
    #[default]
    Member,
}

/// A person at a client company.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contact {
    pub id: ContactId,
    pub client_id: ClientId,
    pub name: String,
    pub email: EmailAddress,
    pub portal_enabled: bool,
    #[serde(default)]
    pub role: ContactRole,
    /// Whether a member sees invoices; owners always do (see `sees_invoices`). Contacts stored
    /// before this switch existed keep seeing them.
    #[serde(default = "invoices_visible_by_default")]
    pub invoice_access: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

fn invoices_visible_by_default() -> bool {
    true
}

impl Contact {
    /// Invoice access as the rules apply it: owners always have it.
    pub fn sees_invoices(&self) -> bool {
        self.role == ContactRole::Owner || self.invoice_access
    }
}

/// An agency staff member.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Admin {
    pub id: AdminId,
    pub name: String,
    pub email: EmailAddress,
    #[serde(default)]
    pub role: StaffRole,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProjectStatus {
    Planning,
    Active,
    OnHold,
    Completed,
}

/// A piece of work for a client.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Project {
    pub id: ulid::Ulid,
    pub client_id: ClientId,
    pub name: String,
    pub status: ProjectStatus,
    #[serde(default)]
    pub start_date: Option<time::Date>,
    #[serde(default)]
    pub due_date: Option<time::Date>,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub milestones: MilestoneSummary,
    #[serde(default)]
    pub harvest_project: Option<HarvestProjectLink>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// Who an email address belongs to: the `EMAIL#{email}` claim item makes an address unique
/// across contacts and admins and is how sign-in finds a person with one consistent read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailClaim {
    pub email: EmailAddress,
    pub role: Role,
    /// Contact or admin id.
    pub principal_id: String,
    /// Set for contacts.
    #[serde(default)]
    pub client_id: Option<ClientId>,
}

/// Someone who can sign in, resolved from a claim and checked for eligibility.
#[derive(Debug, Clone, PartialEq)]
pub enum Principal {
    Contact { client: Client, contact: Contact },
    Admin(Admin),
}

impl Principal {
    pub fn role(&self) -> Role {
        match self {
            Self::Contact { .. } => Role::Client,
            Self::Admin(_) => Role::Admin,
        }
    }

    pub fn id(&self) -> String {
        match self {
            Self::Contact { contact, .. } => contact.id.to_string(),
            Self::Admin(admin) => admin.id.to_string(),
        }
    }

    pub fn client_id(&self) -> Option<ClientId> {
        match self {
            Self::Contact { client, .. } => Some(client.id),
            Self::Admin(_) => None,
        }
    }

    pub fn name(&self) -> &str {
        match self {
            Self::Contact { contact, .. } => &contact.name,
            Self::Admin(admin) => &admin.name,
        }
    }

    pub fn email(&self) -> &EmailAddress {
        match self {
            Self::Contact { contact, .. } => &contact.email,
            Self::Admin(admin) => &admin.email,
        }
    }

    /// May this principal sign in right now? Contacts need their own access, their company's
    /// portal switch and an active company; admins always may.
    pub fn may_sign_in(&self) -> bool {
        match self {
            Self::Contact { client, contact } => contact.portal_enabled && client.portal_open(),
            Self::Admin(_) => true,
        }
    }

    /// Audit actor label, e.g. `contact:01J…`.
    pub fn actor(&self) -> String {
        match self {
            Self::Contact { contact, .. } => format!("contact:{}", contact.id),
            Self::Admin(admin) => format!("admin:{}", admin.id),
        }
    }
}

/// A pending magic link, stored under the SHA-256 of its token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginTokenRecord {
    pub role: Role,
    pub principal_id: String,
    #[serde(default)]
    pub client_id: Option<ClientId>,
    /// Unix seconds. Checked in code: DynamoDB's TTL deletion is lazy (up to days).
    pub expires_at: i64,
    /// The address the link was mailed to: it signs in only while that is still the person's
    /// address (a link sent to a mistyped address dies when the address is corrected).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent_to: Option<EmailAddress>,
}

/// A signed-in session. The JWT in the cookie is valid only while this row exists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionRecord {
    pub sid: SessionId,
    pub role: Role,
    pub principal_id: String,
    #[serde(default)]
    pub client_id: Option<ClientId>,
    /// Unix seconds.
    pub issued_at: i64,
    /// Unix seconds; checked in code as well as by TTL.
    pub expires_at: i64,
}

/// One append-only audit log entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEvent {
    pub id: ulid::Ulid,
    /// Client the event concerns; `None` for agency-wide events.
    #[serde(default)]
    pub client_id: Option<ClientId>,
    /// `contact:{id}`, `admin:{id}` or `system`.
    pub actor: String,
    /// Dotted verb, e.g. `auth.sign_in`.
    pub action: String,
    pub target: String,
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

impl AuditEvent {
    pub fn new(client_id: Option<ClientId>, actor: String, action: &str, target: String) -> Self {
        Self {
            id: ulid::Ulid::new(),
            client_id,
            actor,
            action: action.to_owned(),
            target,
            summary: None,
            at: OffsetDateTime::now_utc(),
        }
    }
}

/// Milestone counts kept on the project item, so lists and the dashboard need no extra reads.
/// Recomputed whenever a milestone changes (`Store::refresh_project_summary`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MilestoneSummary {
    pub total: u32,
    pub done: u32,
    #[serde(default)]
    pub next: Option<NextMilestone>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NextMilestone {
    pub id: ulid::Ulid,
    pub title: String,
    #[serde(default)]
    pub due_date: Option<time::Date>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MilestoneStatus {
    Pending,
    Done,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Milestone {
    pub id: ulid::Ulid,
    pub project_id: ulid::Ulid,
    pub client_id: ClientId,
    pub title: String,
    #[serde(default)]
    pub due_date: Option<time::Date>,
    pub status: MilestoneStatus,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub completed_at: Option<OffsetDateTime>,
    /// Display order set by the agency; ties broken by due date.
    #[serde(default)]
    pub position: u32,
}

impl Milestone {
    /// The timeline order everyone sees: the agency's position, then due date (undated last).
    pub fn timeline_key(&self) -> (u32, bool, Option<time::Date>, ulid::Ulid) {
        (self.position, self.due_date.is_none(), self.due_date, self.id)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliverableStatus {
    /// Being worked on; nothing delivered yet.
    InProgress,
    /// A version was delivered and awaits the client's review.
    Delivered,
    Approved,
    ChangesRequested,
}

/// One uploaded file of a deliverable. Clients see only delivered versions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeliverableVersion {
    /// 1, 2, 3 … in upload order.
    pub number: u32,
    pub s3_key: String,
    /// Original file name, offered on download.
    pub filename: String,
    pub size: u64,
    pub content_type: String,
    #[serde(with = "time::serde::rfc3339")]
    pub uploaded_at: OffsetDateTime,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub delivered_at: Option<OffsetDateTime>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewDecision {
    Approved,
    ChangesRequested,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Review {
    pub decision: ReviewDecision,
    #[serde(default)]
    pub comment: String,
    pub reviewer_id: ContactId,
    pub reviewer_name: String,
    /// The version that was reviewed.
    pub version: u32,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Deliverable {
    pub id: ulid::Ulid,
    pub project_id: ulid::Ulid,
    pub client_id: ClientId,
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub status: DeliverableStatus,
    #[serde(default)]
    pub versions: Vec<DeliverableVersion>,
    /// Every review, oldest first; the newest decides `status`.
    #[serde(default)]
    pub reviews: Vec<Review>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

impl Deliverable {
    /// Versions a client may see and download.
    pub fn delivered_versions(&self) -> impl Iterator<Item = &DeliverableVersion> {
        self.versions.iter().filter(|v| v.delivered_at.is_some())
    }

    pub fn latest_delivered(&self) -> Option<&DeliverableVersion> {
        self.delivered_versions().max_by_key(|v| v.number)
    }

    /// Whether clients see this deliverable at all.
    pub fn is_visible_to_client(&self) -> bool {
        self.latest_delivered().is_some()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeetingNote {
    pub id: ulid::Ulid,
    pub project_id: ulid::Ulid,
    pub client_id: ClientId,
    pub title: String,
    pub meeting_date: time::Date,
    #[serde(default)]
    pub attendees: Vec<String>,
    pub body_markdown: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthorKind {
    Contact,
    Agency,
}

/// A message in a client company's thread with the agency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    pub id: ulid::Ulid,
    pub client_id: ClientId,
    pub author_kind: AuthorKind,
    /// Contact or admin id.
    pub author_id: String,
    /// Name at the time of writing.
    pub author_name: String,
    pub body: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// Summary of one client's thread for the agency inbox (`CLIENT#{cid}` / `THREAD`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MessageThread {
    pub client_id: ClientId,
    pub company_name: String,
    pub last_message_id: ulid::Ulid,
    #[serde(with = "time::serde::rfc3339")]
    pub last_message_at: OffsetDateTime,
    pub last_author_name: String,
    pub last_preview: String,
    /// Client messages the agency has not read yet.
    #[serde(default)]
    pub unread_for_agency: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActivityKind {
    DeliverableDelivered,
    DeliverableReviewed,
    MessagePosted,
    MilestoneCompleted,
    FilesRequested,
    FilesSubmitted,
    FileRequestAccepted,
    FileRequestReopened,
    FileShared,
    EstimateAccepted,
    EstimateDeclined,
    /// From Harvest, noticed when the client's copy is refreshed.
    EstimateSent,
    InvoiceIssued,
    InvoiceOverdue,
}

impl ActivityKind {
    /// Billing news: seen only by those who may see the company's invoices and estimates,
    /// decided again whenever a feed, a bell or a mail is read or sent.
    pub fn concerns_billing(self) -> bool {
        Self::BILLING.contains(&self)
    }

    pub const ALL: [Self; 14] = [
        Self::DeliverableDelivered,
        Self::DeliverableReviewed,
        Self::MessagePosted,
        Self::MilestoneCompleted,
        Self::FilesRequested,
        Self::FilesSubmitted,
        Self::FileRequestAccepted,
        Self::FileRequestReopened,
        Self::FileShared,
        Self::EstimateAccepted,
        Self::EstimateDeclined,
        Self::EstimateSent,
        Self::InvoiceIssued,
        Self::InvoiceOverdue,
    ];

    pub const BILLING: [Self; 5] =
        [Self::EstimateAccepted, Self::EstimateDeclined, Self::EstimateSent, Self::InvoiceIssued, Self::InvoiceOverdue];

    /// The name stored and sent (`estimate_declined`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::DeliverableDelivered => "deliverable_delivered",
            Self::DeliverableReviewed => "deliverable_reviewed",
            Self::MessagePosted => "message_posted",
            Self::MilestoneCompleted => "milestone_completed",
            Self::FilesRequested => "files_requested",
            Self::FilesSubmitted => "files_submitted",
            Self::FileRequestAccepted => "file_request_accepted",
            Self::FileRequestReopened => "file_request_reopened",
            Self::FileShared => "file_shared",
            Self::EstimateAccepted => "estimate_accepted",
            Self::EstimateDeclined => "estimate_declined",
            Self::EstimateSent => "estimate_sent",
            Self::InvoiceIssued => "invoice_issued",
            Self::InvoiceOverdue => "invoice_overdue",
        }
    }
}

/// An event in the client's activity feed (what clients see; the audit log is the agency's).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Activity {
    pub id: ulid::Ulid,
    pub client_id: ClientId,
    pub kind: ActivityKind,
    #[serde(default)]
    pub project_id: Option<ulid::Ulid>,
    /// The deliverable, message or milestone the event is about.
    #[serde(default)]
    pub subject_id: Option<ulid::Ulid>,
    pub actor_name: String,
    /// One human sentence, e.g. "Alice Chen approved Homepage design (v2)".
    pub summary: String,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// Who did it (a contact's or admin's id) and on which side, so that notifications go to
    /// the other side and never to the person who acted. Absent on older events.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub side: Option<Side>,
    /// A short quote for notifications (the start of a message).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub excerpt: Option<String>,
}

/// The two sides of the relationship: an event by one is news for the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Client,
    Agency,
}

/// How long a notification's quote may be (characters).
const EXCERPT_CHARS: usize = 280;

impl Activity {
    /// Says who acted. Agency events by the operator (no person) pass `None`.
    #[must_use]
    pub fn by(mut self, side: Side, actor_id: Option<String>) -> Self {
        self.side = Some(side);
        self.actor_id = actor_id;
        self
    }

    /// Adds the start of `text` as the notification's quote.
    #[must_use]
    pub fn quoting(mut self, text: &str) -> Self {
        let mut excerpt: String = text.chars().take(EXCERPT_CHARS).collect();
        if text.chars().count() > EXCERPT_CHARS {
            excerpt.push('…');
        }
        self.excerpt = Some(excerpt);
        self
    }

    pub fn new(
        client_id: ClientId,
        kind: ActivityKind,
        project_id: Option<ulid::Ulid>,
        subject_id: Option<ulid::Ulid>,
        actor_name: &str,
        summary: String,
    ) -> Self {
        Self {
            id: ulid::Ulid::new(),
            client_id,
            kind,
            project_id,
            subject_id,
            actor_name: actor_name.to_owned(),
            summary,
            at: OffsetDateTime::now_utc(),
            actor_id: None,
            side: None,
            excerpt: None,
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn activity_kinds_are_stored_by_the_names_serde_gives_them() {
        let all = ActivityKind::ALL;
        for kind in all {
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.as_str(), "{kind:?}");
        }
        let billing: Vec<_> = all.into_iter().filter(|k| k.concerns_billing()).map(ActivityKind::as_str).collect();
        assert_eq!(billing.len(), 5, "{billing:?}");
        assert!(billing.iter().all(|k| k.starts_with("estimate_") || k.starts_with("invoice_")), "{billing:?}");
    }

    use super::*;

    fn client(status: ClientStatus, portal_enabled: bool) -> Client {
        Client {
            id: ClientId::new(),
            company_name: "Acme".into(),
            status,
            portal_enabled,
            harvest_client_id: None,
            uploads_enabled: true,
            budget_display: Default::default(),
            created_at: OffsetDateTime::now_utc(),
        }
    }

    fn contact(client: &Client, portal_enabled: bool) -> Contact {
        Contact {
            id: ContactId::new(),
            client_id: client.id,
            name: "Ada".into(),
            email: EmailAddress::parse("ada@acme.example").unwrap(),
            portal_enabled,
            role: ContactRole::Member,
            invoice_access: false,
            created_at: OffsetDateTime::now_utc(),
        }
    }

    #[test]
    fn owners_always_see_invoices_members_only_when_given_access() {
        let client = client(ClientStatus::Active, true);
        let mut person = contact(&client, true);
        assert!(!person.sees_invoices());
        person.invoice_access = true;
        assert!(person.sees_invoices());
        person.invoice_access = false;
        person.role = ContactRole::Owner;
        assert!(person.sees_invoices());
    }

    #[test]
    fn contacts_and_admins_stored_before_roles_read_as_members_with_invoice_access() {
        let client = client(ClientStatus::Active, true);
        let mut stored = serde_json::to_value(contact(&client, true)).unwrap();
        stored.as_object_mut().unwrap().remove("role");
        stored.as_object_mut().unwrap().remove("invoice_access");
        let read: Contact = serde_json::from_value(stored).unwrap();
        assert_eq!((read.role, read.invoice_access), (ContactRole::Member, true));
    }

    #[test]
    fn contact_sign_in_needs_all_three_switches() {
        for (status, company, person, expected) in [
            (ClientStatus::Active, true, true, true),
            (ClientStatus::Archived, true, true, false),
            (ClientStatus::Active, false, true, false),
            (ClientStatus::Active, true, false, false),
        ] {
            let client = client(status, company);
            let contact = contact(&client, person);
            let principal = Principal::Contact { client, contact };
            assert_eq!(principal.may_sign_in(), expected, "{status:?} {company} {person}");
        }
    }
}

/// A client's answer to a sent Harvest estimate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EstimateVerdict {
    Accepted,
    Declined,
}

/// Where a decision stands: `Pending` while it is being written to Harvest (a claim that
/// expires at `claim_until`, so a crash cannot block the estimate forever), `Recorded` after.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DecisionStatus {
    Pending,
    Recorded,
}

/// One decision per estimate (`CLIENT#{cid}` / `ESTIMATE#{id}`): the conditional write of this
/// item is what makes two contacts deciding at once end in exactly one decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EstimateDecision {
    pub estimate_id: u64,
    pub verdict: EstimateVerdict,
    pub status: DecisionStatus,
    #[serde(default)]
    pub comment: String,
    pub contact_id: ContactId,
    pub contact_name: String,
    #[serde(with = "time::serde::rfc3339")]
    pub decided_at: OffsetDateTime,
    /// Unix seconds; a pending claim older than this may be taken over.
    pub claim_until: i64,
    /// Which request holds the claim.
    pub claim_owner: String,
}
