//! What agency admins do: the client directory, contacts and portal access, projects,
//! milestones, deliverables and their files, meeting notes, replies, and the audit log.
//!
//! Every write is one transaction with its audit event (actor, action, target, before → after),
//! so a write is never recorded twice or missed; a failed condition leaves nothing written.

use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

use crate::app::AppState;
use crate::domain::{AdminId, ClientId, ContactId, EmailAddress, LoginToken, Role};
use crate::email::{Email, escape_html};
use crate::error::ApiError;
use crate::models::{
    Activity, ActivityKind, AuditEvent, AuthorKind, Client, ClientStatus, Contact, Deliverable, DeliverableStatus,
    DeliverableVersion, LoginTokenRecord, MeetingNote, Message, MessageThread, Milestone, MilestoneStatus, Project,
    ProjectStatus,
};
use crate::pagination::{Page, PageRequest};
use crate::store::{ProjectTree, StoreError};
use crate::uploads::{ALLOWED_CONTENT_TYPES, UploadForm, presign_upload, safe_filename};

/// Who makes a change: an admin through the API, or the operator through the CLI.
#[derive(Debug, Clone)]
pub struct Actor {
    pub admin_id: Option<AdminId>,
}

impl Actor {
    pub fn admin(id: AdminId) -> Self {
        Self { admin_id: Some(id) }
    }

    /// The `portal` CLI, run by whoever holds the AWS credentials.
    pub fn operator() -> Self {
        Self { admin_id: None }
    }

    fn label(&self) -> String {
        self.admin_id.map_or_else(|| "operator:cli".to_owned(), |id| format!("admin:{id}"))
    }

    fn audit(&self, client: Option<ClientId>, action: &str, target: String, summary: String) -> AuditEvent {
        let mut event = AuditEvent::new(client, self.label(), action, target);
        event.summary = (!summary.is_empty()).then_some(summary);
        event
    }
}

fn text(raw: &str, field: &'static str, max: usize) -> Result<String, ApiError> {
    let value = raw.trim();
    let length = value.chars().count();
    if length == 0 || length > max {
        return Err(ApiError::unprocessable("invalid_field", format!("`{field}` must be 1 to {max} characters.")));
    }
    Ok(value.to_owned())
}

fn email(raw: &str) -> Result<EmailAddress, ApiError> {
    EmailAddress::parse(raw)
        .map_err(|_| ApiError::bad_request("invalid_email", "Enter a valid email address, like name@company.com."))
}

/// "field: before → after" for each change, for the audit log.
fn change<T: PartialEq + std::fmt::Debug>(changes: &mut Vec<String>, field: &str, before: &T, after: &T) {
    if before != after {
        changes.push(format!("{field}: {before:?} → {after:?}"));
    }
}

fn not_found_on_cancel(error: StoreError) -> ApiError {
    match error {
        StoreError::Cancelled(_) | StoreError::ConditionFailed => ApiError::NotFound,
        other => other.into(),
    }
}

// ----- clients -----------------------------------------------------------------------------

#[derive(Debug, Deserialize)]
pub struct NewClient {
    pub company_name: String,
    #[serde(default)]
    pub harvest_client_id: Option<u64>,
    #[serde(default = "yes")]
    pub portal_enabled: bool,
}

fn yes() -> bool {
    true
}

/// A PATCH: absent fields stay as they are; `harvest_client_id: null` unlinks.
#[derive(Debug, Default, Deserialize)]
pub struct ClientPatch {
    pub company_name: Option<String>,
    pub status: Option<ClientStatus>,
    pub portal_enabled: Option<bool>,
    #[serde(default, deserialize_with = "double_option")]
    pub harvest_client_id: Option<Option<u64>>,
}

/// Distinguishes a field set to `null` (Some(None)) from an absent one (None).
fn double_option<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

#[derive(Debug, Serialize)]
pub struct ClientDetail {
    #[serde(flatten)]
    pub client: Client,
    pub contacts: Vec<Contact>,
}

pub fn clients_scope(search: Option<&str>) -> String {
    format!("admin-clients|{}", search.unwrap_or_default().to_lowercase())
}

pub async fn list_clients(state: &AppState, search: Option<&str>, page: PageRequest) -> Result<Page<Client>, ApiError> {
    let (clients, last) = state.store.list_clients(search, page.limit, page.start).await?;
    state.cursors.page(&clients_scope(search), clients, last)
}

pub async fn create_client(state: &AppState, actor: &Actor, input: NewClient) -> Result<Client, ApiError> {
    let client = Client {
        id: ClientId::new(),
        company_name: text(&input.company_name, "company_name", 200)?,
        status: ClientStatus::Active,
        portal_enabled: input.portal_enabled,
        harvest_client_id: input.harvest_client_id,
        created_at: OffsetDateTime::now_utc(),
    };
    let audit =
        actor.audit(Some(client.id), "client.create", format!("client:{}", client.id), client.company_name.clone());
    state.store.create_client(&client, &audit).await?;
    Ok(client)
}

async fn client(state: &AppState, id: ClientId) -> Result<Client, ApiError> {
    state.store.get_client(id).await?.ok_or(ApiError::NotFound)
}

pub async fn client_detail(state: &AppState, id: ClientId) -> Result<ClientDetail, ApiError> {
    let (client, contacts) =
        tokio::try_join!(self::client(state, id), async { Ok(state.store.list_contacts(id).await?) })?;
    Ok(ClientDetail { client, contacts })
}

/// Edits a client. Switching its portal off or archiving it also ends every session of its
/// contacts, so the change bites on their next request, not when their cookie expires.
pub async fn update_client(
    state: &AppState,
    actor: &Actor,
    id: ClientId,
    patch: ClientPatch,
) -> Result<Client, ApiError> {
    let before = client(state, id).await?;
    let mut after = before.clone();
    if let Some(name) = &patch.company_name {
        after.company_name = text(name, "company_name", 200)?;
    }
    if let Some(status) = patch.status {
        after.status = status;
    }
    if let Some(enabled) = patch.portal_enabled {
        after.portal_enabled = enabled;
    }
    if let Some(link) = patch.harvest_client_id {
        after.harvest_client_id = link;
    }
    let mut changes = Vec::new();
    change(&mut changes, "company_name", &before.company_name, &after.company_name);
    change(&mut changes, "status", &before.status, &after.status);
    change(&mut changes, "portal_enabled", &before.portal_enabled, &after.portal_enabled);
    change(&mut changes, "harvest_client_id", &before.harvest_client_id, &after.harvest_client_id);
    if changes.is_empty() {
        return Ok(before);
    }
    let audit = actor.audit(Some(id), "client.update", format!("client:{id}"), changes.join("; "));
    state.store.update_client(&after, &audit).await.map_err(not_found_on_cancel)?;
    let lost_access = (before.portal_enabled && !after.portal_enabled)
        || (before.status == ClientStatus::Active && after.status != ClientStatus::Active);
    if lost_access {
        for contact in state.store.list_contacts(id).await? {
            let sessions = state.store.sessions_of(&contact.id.to_string()).await?;
            state.store.delete_sessions(&sessions).await?;
        }
    }
    Ok(after)
}

pub async fn harvest_clients(state: &AppState) -> Result<Vec<crate::harvest::HarvestClient>, ApiError> {
    let harvest = state.harvest.as_ref().ok_or_else(|| ApiError::BadGateway {
        code: "harvest_not_configured",
        message: "Harvest is not connected: set the Harvest access token and account id.".into(),
    })?;
    harvest.clients().await.map_err(|error| match error {
        crate::harvest::HarvestError::Unauthorized { .. } => ApiError::BadGateway {
            code: "harvest_misconfigured",
            message: "Harvest refused the configured credentials.".into(),
        },
        other => {
            tracing::warn!(error = %other, "listing Harvest clients failed");
            ApiError::Unavailable {
                code: "harvest_unavailable",
                message: "Harvest cannot be reached right now.".into(),
            }
        }
    })
}

// ----- contacts ----------------------------------------------------------------------------

#[derive(Debug, Deserialize)]
pub struct NewContact {
    pub name: String,
    pub email: String,
    #[serde(default = "yes")]
    pub portal_enabled: bool,
}

#[derive(Debug, Default, Deserialize)]
pub struct ContactPatch {
    pub name: Option<String>,
    pub email: Option<String>,
    pub portal_enabled: Option<bool>,
}

pub async fn add_contact(
    state: &AppState,
    actor: &Actor,
    client_id: ClientId,
    input: NewContact,
) -> Result<Contact, ApiError> {
    let contact = Contact {
        id: ContactId::new(),
        client_id,
        name: text(&input.name, "name", 200)?,
        email: email(&input.email)?,
        portal_enabled: input.portal_enabled,
        created_at: OffsetDateTime::now_utc(),
    };
    let audit = actor.audit(
        Some(client_id),
        "contact.create",
        format!("contact:{}", contact.id),
        format!("{} <{}>, portal {}", contact.name, contact.email, if contact.portal_enabled { "on" } else { "off" }),
    );
    match state.store.create_contact_audited(&contact, &audit).await {
        Ok(()) => Ok(contact),
        Err(StoreError::EmailTaken) => Err(StoreError::EmailTaken.into()),
        Err(StoreError::ConditionFailed | StoreError::Cancelled(_)) => Err(ApiError::NotFound),
        Err(other) => Err(other.into()),
    }
}

async fn contact(state: &AppState, client_id: ClientId, id: ContactId) -> Result<Contact, ApiError> {
    state.store.get_contact(client_id, id).await?.ok_or(ApiError::NotFound)
}

pub async fn update_contact(
    state: &AppState,
    actor: &Actor,
    client_id: ClientId,
    id: ContactId,
    patch: ContactPatch,
) -> Result<Contact, ApiError> {
    let before = contact(state, client_id, id).await?;
    let mut after = before.clone();
    if let Some(name) = &patch.name {
        after.name = text(name, "name", 200)?;
    }
    if let Some(raw) = &patch.email {
        after.email = email(raw)?;
    }
    if let Some(enabled) = patch.portal_enabled {
        after.portal_enabled = enabled;
    }
    let mut changes = Vec::new();
    change(&mut changes, "name", &before.name, &after.name);
    change(&mut changes, "email", &before.email.as_str(), &after.email.as_str());
    change(&mut changes, "portal_enabled", &before.portal_enabled, &after.portal_enabled);
    if changes.is_empty() {
        return Ok(before);
    }
    let audit = actor.audit(Some(client_id), "contact.update", format!("contact:{id}"), changes.join("; "));
    match state.store.update_contact(&before, &after, &audit).await {
        Ok(()) => {}
        // Positions: 0 contact, 1 new claim (when the email changed), then the rest.
        Err(StoreError::Cancelled(failed)) if before.email != after.email && failed.contains(&1) => {
            return Err(StoreError::EmailTaken.into());
        }
        Err(other) => return Err(not_found_on_cancel(other)),
    }
    if before.portal_enabled && !after.portal_enabled {
        let sessions = state.store.sessions_of(&id.to_string()).await?;
        state.store.delete_sessions(&sessions).await?;
    }
    Ok(after)
}

#[derive(Debug, Serialize)]
pub struct Revoked {
    pub sessions_ended: usize,
}

/// Ends every session of a contact now: their next request gets 401.
pub async fn revoke_contact(
    state: &AppState,
    actor: &Actor,
    client_id: ClientId,
    id: ContactId,
) -> Result<Revoked, ApiError> {
    contact(state, client_id, id).await?;
    let sessions = state.store.sessions_of(&id.to_string()).await?;
    state.store.delete_sessions(&sessions).await?;
    let audit = actor.audit(
        Some(client_id),
        "contact.revoke",
        format!("contact:{id}"),
        format!("{} session(s) ended", sessions.len()),
    );
    state.store.append_audit(&audit).await?;
    Ok(Revoked { sessions_ended: sessions.len() })
}

/// Emails a contact a welcoming magic link.
pub async fn invite_contact(
    state: &AppState,
    actor: &Actor,
    client_id: ClientId,
    id: ContactId,
) -> Result<(), ApiError> {
    let (company, person) = tokio::try_join!(client(state, client_id), contact(state, client_id, id))?;
    let principal = crate::models::Principal::Contact { client: company.clone(), contact: person.clone() };
    if !principal.may_sign_in() {
        return Err(ApiError::Conflict {
            code: "portal_access_off",
            message: "Turn on portal access for this contact (and their company) before inviting them.".into(),
        });
    }
    let token = LoginToken::generate().map_err(|_| ApiError::internal("system random number generator failed"))?;
    // Invitations live longer than sign-in links: a welcome mail may sit unread for a while.
    let expires_at = OffsetDateTime::now_utc().unix_timestamp() + 72 * 3600;
    let record =
        LoginTokenRecord { role: Role::Client, principal_id: id.to_string(), client_id: Some(client_id), expires_at };
    state.store.put_login_token(&token.hash(), &record).await?;
    let link = format!("{}/auth/verify#token={}", state.config.public_url, token.as_str());
    let agency = &state.config.agency_name;
    let (name, agency_html, href, company_html) =
        (escape_html(&person.name), escape_html(agency), escape_html(&link), escape_html(&company.company_name));
    let invitation = Email {
        to: person.email.clone(),
        subject: format!("Welcome to the {agency} client portal"),
        text: format!(
            "Hello {},\n\n{agency} has set up a client portal for {}: your projects, deliverables, invoices and messages in one place.\n\nSign in here (the link works once, for 3 days):\n\n{link}\n\nAfterwards, sign in any time with your email address: we send you a fresh link, no password needed.\n",
            person.name, company.company_name
        ),
        html: format!(
            "<!doctype html><html lang=\"en\"><body style=\"font-family:system-ui,sans-serif;line-height:1.5;color:#1f2937\">\
             <p>Hello {name},</p><p>{agency_html} has set up a client portal for {company_html}: your projects, deliverables, \
             invoices and messages in one place.</p><p><a href=\"{href}\" style=\"display:inline-block;padding:10px 18px;\
             background:#2563eb;color:#fff;border-radius:6px;text-decoration:none\">Open your portal</a></p>\
             <p style=\"color:#6b7280;font-size:14px\">The link works once, for 3 days. Afterwards, sign in any time with \
             your email address: we send you a fresh link, no password needed.</p></body></html>"
        ),
    };
    state.mailer.send(&invitation).await.map_err(|error| {
        tracing::error!(%error, "invitation could not be sent");
        ApiError::Unavailable {
            code: "email_unavailable",
            message: "The invitation could not be sent. Try again shortly.".into(),
        }
    })?;
    state
        .store
        .append_audit(&actor.audit(
            Some(client_id),
            "contact.invite",
            format!("contact:{id}"),
            person.email.to_string(),
        ))
        .await?;
    Ok(())
}

// ----- projects and milestones -------------------------------------------------------------

#[derive(Debug, Deserialize)]
pub struct NewProject {
    pub name: String,
    #[serde(default)]
    pub status: Option<ProjectStatus>,
    #[serde(default)]
    pub start_date: Option<Date>,
    #[serde(default)]
    pub due_date: Option<Date>,
    #[serde(default)]
    pub summary: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct ProjectPatch {
    pub name: Option<String>,
    pub status: Option<ProjectStatus>,
    #[serde(default, deserialize_with = "double_option")]
    pub start_date: Option<Option<Date>>,
    #[serde(default, deserialize_with = "double_option")]
    pub due_date: Option<Option<Date>>,
    pub summary: Option<String>,
}

fn check_dates(start: Option<Date>, due: Option<Date>) -> Result<(), ApiError> {
    match (start, due) {
        (Some(start), Some(due)) if due < start => {
            Err(ApiError::unprocessable("invalid_dates", "The due date cannot be before the start date."))
        }
        _ => Ok(()),
    }
}

pub async fn create_project(
    state: &AppState,
    actor: &Actor,
    client_id: ClientId,
    input: NewProject,
) -> Result<Project, ApiError> {
    client(state, client_id).await?;
    check_dates(input.start_date, input.due_date)?;
    let project = Project {
        id: ulid::Ulid::new(),
        client_id,
        name: text(&input.name, "name", 200)?,
        status: input.status.unwrap_or(ProjectStatus::Planning),
        start_date: input.start_date,
        due_date: input.due_date,
        summary: input.summary.trim().chars().take(2000).collect(),
        milestones: Default::default(),
        created_at: OffsetDateTime::now_utc(),
    };
    let audit = actor.audit(Some(client_id), "project.create", format!("project:{}", project.id), project.name.clone());
    state.store.write_project(&project, None, &audit).await.map_err(not_found_on_cancel)?;
    Ok(project)
}

pub async fn project_tree(state: &AppState, client_id: ClientId, id: ulid::Ulid) -> Result<ProjectTree, ApiError> {
    state.store.get_project_tree(client_id, id).await?.ok_or(ApiError::NotFound)
}

pub async fn update_project(
    state: &AppState,
    actor: &Actor,
    client_id: ClientId,
    id: ulid::Ulid,
    patch: ProjectPatch,
) -> Result<Project, ApiError> {
    let before = project_tree(state, client_id, id).await?.project;
    let mut after = before.clone();
    if let Some(name) = &patch.name {
        after.name = text(name, "name", 200)?;
    }
    if let Some(status) = patch.status {
        after.status = status;
    }
    if let Some(start) = patch.start_date {
        after.start_date = start;
    }
    if let Some(due) = patch.due_date {
        after.due_date = due;
    }
    if let Some(summary) = &patch.summary {
        after.summary = summary.trim().chars().take(2000).collect();
    }
    check_dates(after.start_date, after.due_date)?;
    let mut changes = Vec::new();
    change(&mut changes, "name", &before.name, &after.name);
    change(&mut changes, "status", &before.status, &after.status);
    change(&mut changes, "start_date", &before.start_date, &after.start_date);
    change(&mut changes, "due_date", &before.due_date, &after.due_date);
    change(&mut changes, "summary", &before.summary, &after.summary);
    if changes.is_empty() {
        return Ok(before);
    }
    let audit = actor.audit(Some(client_id), "project.update", format!("project:{id}"), changes.join("; "));
    state.store.write_project(&after, Some(&before), &audit).await.map_err(not_found_on_cancel)?;
    Ok(after)
}

#[derive(Debug, Deserialize)]
pub struct MilestoneInput {
    pub title: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    pub due_date: Option<Option<Date>>,
    pub status: Option<MilestoneStatus>,
    pub position: Option<u32>,
}

/// Creates (`id` None) or edits a milestone; marking one done records `completed_at` and an
/// activity event the client sees. The project's milestone summary is refreshed after.
pub async fn save_milestone(
    state: &AppState,
    actor: &Actor,
    client_id: ClientId,
    project_id: ulid::Ulid,
    id: Option<ulid::Ulid>,
    input: MilestoneInput,
) -> Result<Milestone, ApiError> {
    let tree = project_tree(state, client_id, project_id).await?;
    let before = match id {
        Some(id) => Some(tree.milestones.iter().find(|m| m.id == id).cloned().ok_or(ApiError::NotFound)?),
        None => None,
    };
    let mut after = before.clone().unwrap_or_else(|| Milestone {
        id: ulid::Ulid::new(),
        project_id,
        client_id,
        title: String::new(),
        due_date: None,
        status: MilestoneStatus::Pending,
        completed_at: None,
        position: u32::try_from(tree.milestones.len()).unwrap_or(u32::MAX),
    });
    match (&input.title, &before) {
        (Some(title), _) => after.title = text(title, "title", 200)?,
        (None, None) => return Err(ApiError::unprocessable("invalid_field", "`title` is required.")),
        (None, Some(_)) => {}
    }
    if let Some(due) = input.due_date {
        after.due_date = due;
    }
    if let Some(position) = input.position {
        after.position = position;
    }
    if let Some(status) = input.status {
        after.status = status;
        after.completed_at = match status {
            MilestoneStatus::Done => after.completed_at.or(Some(OffsetDateTime::now_utc())),
            MilestoneStatus::Pending => None,
        };
    }
    let completed =
        after.status == MilestoneStatus::Done && before.as_ref().is_none_or(|b| b.status != MilestoneStatus::Done);
    let activity = completed.then(|| {
        Activity::new(
            client_id,
            ActivityKind::MilestoneCompleted,
            Some(project_id),
            Some(after.id),
            &state.config.agency_name,
            format!("Milestone reached: {} ({})", after.title, tree.project.name),
        )
    });
    let action = if before.is_some() { "milestone.update" } else { "milestone.create" };
    let mut changes = Vec::new();
    if let Some(before) = &before {
        change(&mut changes, "title", &before.title, &after.title);
        change(&mut changes, "due_date", &before.due_date, &after.due_date);
        change(&mut changes, "status", &before.status, &after.status);
        change(&mut changes, "position", &before.position, &after.position);
        if changes.is_empty() {
            return Ok(after);
        }
    } else {
        changes.push(after.title.clone());
    }
    let audit = actor.audit(Some(client_id), action, format!("milestone:{}", after.id), changes.join("; "));
    state.store.write_milestone(&after, activity.as_ref(), &audit).await?;
    state.store.refresh_project_summary(client_id, project_id).await?;
    Ok(after)
}

// ----- deliverables ------------------------------------------------------------------------

#[derive(Debug, Deserialize)]
pub struct NewDeliverable {
    pub name: String,
    #[serde(default)]
    pub description: String,
}

pub async fn create_deliverable(
    state: &AppState,
    actor: &Actor,
    client_id: ClientId,
    project_id: ulid::Ulid,
    input: NewDeliverable,
) -> Result<Deliverable, ApiError> {
    project_tree(state, client_id, project_id).await?;
    let now = OffsetDateTime::now_utc();
    let deliverable = Deliverable {
        id: ulid::Ulid::new(),
        project_id,
        client_id,
        name: text(&input.name, "name", 200)?,
        description: input.description.trim().chars().take(2000).collect(),
        status: DeliverableStatus::InProgress,
        versions: vec![],
        reviews: vec![],
        created_at: now,
        updated_at: now,
    };
    let audit = actor.audit(
        Some(client_id),
        "deliverable.create",
        format!("deliverable:{}", deliverable.id),
        deliverable.name.clone(),
    );
    state.store.write_deliverable(&deliverable, None, None, Some(&audit)).await?;
    Ok(deliverable)
}

async fn deliverable(
    state: &AppState,
    client_id: ClientId,
    project_id: ulid::Ulid,
    id: ulid::Ulid,
) -> Result<Deliverable, ApiError> {
    state.store.get_deliverable(client_id, project_id, id).await?.ok_or(ApiError::NotFound)
}

fn upload_key(d: &Deliverable, upload_id: ulid::Ulid, filename: &str) -> String {
    format!("clients/{}/projects/{}/deliverables/{}/uploads/{upload_id}/{filename}", d.client_id, d.project_id, d.id)
}

#[derive(Debug, Deserialize)]
pub struct UploadRequest {
    pub filename: String,
    pub content_type: String,
    pub size: u64,
}

/// A presigned POST for one file of this deliverable: S3 itself refuses other types, bigger
/// files, other keys, or late uploads.
pub async fn upload_form(
    state: &AppState,
    client_id: ClientId,
    project_id: ulid::Ulid,
    id: ulid::Ulid,
    input: UploadRequest,
) -> Result<UploadForm, ApiError> {
    let d = deliverable(state, client_id, project_id, id).await?;
    let filename = safe_filename(&input.filename)
        .ok_or_else(|| ApiError::unprocessable("invalid_filename", "The file needs a name."))?;
    let content_type = input.content_type.trim().to_ascii_lowercase();
    if !ALLOWED_CONTENT_TYPES.contains(&content_type.as_str()) {
        return Err(ApiError::unprocessable(
            "content_type_not_allowed",
            format!(
                "Files of type {content_type} cannot be uploaded. Allowed: PDF, Office, images, text, CSV, ZIP, MP4."
            ),
        ));
    }
    let max = state.config.upload_max_bytes;
    if input.size == 0 || input.size > max {
        return Err(ApiError::unprocessable(
            "file_too_large",
            format!("Files must be between 1 byte and {} MB.", max / 1024 / 1024),
        ));
    }
    let upload_id = ulid::Ulid::new();
    presign_upload(
        state,
        &state.config.files_bucket,
        &upload_key(&d, upload_id, &filename),
        upload_id,
        &content_type,
        max,
    )
    .await
}

#[derive(Debug, Deserialize)]
pub struct ConfirmUpload {
    pub upload_id: String,
    pub filename: String,
}

/// Records an uploaded file as the deliverable's next version, once S3 confirms the object
/// exists (HeadObject): no version without its file.
pub async fn confirm_upload(
    state: &AppState,
    actor: &Actor,
    client_id: ClientId,
    project_id: ulid::Ulid,
    id: ulid::Ulid,
    input: ConfirmUpload,
) -> Result<Deliverable, ApiError> {
    let before = deliverable(state, client_id, project_id, id).await?;
    let upload_id = ulid::Ulid::from_string(input.upload_id.trim()).map_err(|_| ApiError::NotFound)?;
    let filename = safe_filename(&input.filename).ok_or(ApiError::NotFound)?;
    let key = upload_key(&before, upload_id, &filename);
    let head = state.files.get().head_object().bucket(&state.config.files_bucket).key(&key).send().await;
    let head = match head {
        Ok(head) => head,
        Err(error) if error.as_service_error().is_some_and(|e| e.is_not_found()) => {
            return Err(ApiError::Conflict {
                code: "upload_missing",
                message: "The file has not arrived in storage yet. Upload it, then confirm.".into(),
            });
        }
        Err(error) => {
            tracing::warn!(error = %aws_smithy_types::error::display::DisplayErrorContext(&error), "HeadObject failed");
            return Err(ApiError::ServiceUnavailable);
        }
    };
    if before.versions.iter().any(|v| v.s3_key == key) {
        return Err(ApiError::Conflict {
            code: "already_recorded",
            message: "This upload is already a version.".into(),
        });
    }
    let now = OffsetDateTime::now_utc();
    let mut after = before.clone();
    let number = before.versions.iter().map(|v| v.number).max().unwrap_or(0) + 1;
    after.versions.push(DeliverableVersion {
        number,
        s3_key: key,
        filename: filename.clone(),
        size: u64::try_from(head.content_length().unwrap_or(0)).unwrap_or(0),
        content_type: head.content_type().unwrap_or("application/octet-stream").to_owned(),
        uploaded_at: now,
        delivered_at: None,
    });
    after.updated_at = now;
    let audit = actor.audit(
        Some(client_id),
        "deliverable.version",
        format!("deliverable:{id}"),
        format!("v{number}: {filename}"),
    );
    state.store.write_deliverable(&after, Some(&before), None, Some(&audit)).await.map_err(conflict_on_cancel)?;
    Ok(after)
}

fn conflict_on_cancel(error: StoreError) -> ApiError {
    match error {
        StoreError::Cancelled(_) | StoreError::ConditionFailed => ApiError::Conflict {
            code: "deliverable_changed",
            message: "This deliverable changed meanwhile. Reload and try again.".into(),
        },
        other => other.into(),
    }
}

/// Delivers the newest undelivered version: the client sees it, and its contacts get an email.
pub async fn deliver(
    state: &AppState,
    actor: &Actor,
    client_id: ClientId,
    project_id: ulid::Ulid,
    id: ulid::Ulid,
) -> Result<Deliverable, ApiError> {
    let before = deliverable(state, client_id, project_id, id).await?;
    let now = OffsetDateTime::now_utc();
    let mut after = before.clone();
    let version =
        after.versions.iter_mut().filter(|v| v.delivered_at.is_none()).max_by_key(|v| v.number).ok_or_else(|| {
            ApiError::Conflict { code: "nothing_to_deliver", message: "Upload a new version first.".into() }
        })?;
    version.delivered_at = Some(now);
    let number = version.number;
    after.status = DeliverableStatus::Delivered;
    after.updated_at = now;
    let activity = Activity::new(
        client_id,
        ActivityKind::DeliverableDelivered,
        Some(project_id),
        Some(id),
        &state.config.agency_name,
        format!("{} delivered {} (v{number})", state.config.agency_name, after.name),
    );
    let audit = actor.audit(Some(client_id), "deliverable.deliver", format!("deliverable:{id}"), format!("v{number}"));
    state
        .store
        .write_deliverable(&after, Some(&before), Some(&activity), Some(&audit))
        .await
        .map_err(conflict_on_cancel)?;
    let link = format!("{}/portal/projects/{project_id}", state.config.public_url);
    let subject = format!("New delivery: {} (v{number})", after.name);
    let message = format!(
        "{} has delivered {} (version {number}). Review it in your portal: {link}",
        state.config.agency_name, after.name
    );
    notify_contacts(state, client_id, &subject, &message, &link).await;
    Ok(after)
}

/// Emails every portal-enabled contact of a client; failures are logged, not returned (the
/// change itself succeeded).
async fn notify_contacts(state: &AppState, client_id: ClientId, subject: &str, message: &str, link: &str) {
    let contacts = match state.store.list_contacts(client_id).await {
        Ok(contacts) => contacts,
        Err(error) => {
            tracing::error!(%error, "could not list contacts to notify");
            return;
        }
    };
    for contact in contacts.into_iter().filter(|c| c.portal_enabled) {
        let email = Email {
            to: contact.email.clone(),
            subject: subject.to_owned(),
            text: format!("Hello {},\n\n{message}\n", contact.name),
            html: format!(
                "<p>Hello {},</p><p>{}</p><p><a href=\"{}\">Open the portal</a></p>",
                escape_html(&contact.name),
                escape_html(message),
                escape_html(link)
            ),
        };
        if let Err(error) = state.mailer.send(&email).await {
            tracing::error!(%error, "notification could not be sent");
        }
    }
}

// ----- notes -------------------------------------------------------------------------------

#[derive(Debug, Deserialize)]
pub struct NoteInput {
    pub title: Option<String>,
    pub meeting_date: Option<Date>,
    pub attendees: Option<Vec<String>>,
    pub body_markdown: Option<String>,
}

pub const MAX_NOTE_CHARS: usize = 12_000;

pub async fn save_note(
    state: &AppState,
    actor: &Actor,
    client_id: ClientId,
    project_id: ulid::Ulid,
    id: Option<ulid::Ulid>,
    input: NoteInput,
) -> Result<MeetingNote, ApiError> {
    project_tree(state, client_id, project_id).await?;
    let before = match id {
        Some(id) => Some(state.store.get_note(client_id, project_id, id).await?.ok_or(ApiError::NotFound)?),
        None => None,
    };
    let required = |field: &'static str| ApiError::unprocessable("invalid_field", format!("`{field}` is required."));
    let title = match (&input.title, &before) {
        (Some(title), _) => text(title, "title", 200)?,
        (None, Some(note)) => note.title.clone(),
        (None, None) => return Err(required("title")),
    };
    let body = match (&input.body_markdown, &before) {
        (Some(body), _) if body.chars().count() <= MAX_NOTE_CHARS => body.clone(),
        (Some(_), _) => {
            return Err(ApiError::unprocessable(
                "invalid_field",
                format!("Notes are limited to {MAX_NOTE_CHARS} characters."),
            ));
        }
        (None, Some(note)) => note.body_markdown.clone(),
        (None, None) => return Err(required("body_markdown")),
    };
    let meeting_date = match (input.meeting_date, &before) {
        (Some(date), _) => date,
        (None, Some(note)) => note.meeting_date,
        (None, None) => return Err(required("meeting_date")),
    };
    let attendees = match (input.attendees, &before) {
        (Some(list), _) => list.iter().map(|a| a.trim().to_owned()).filter(|a| !a.is_empty()).take(50).collect(),
        (None, Some(note)) => note.attendees.clone(),
        (None, None) => vec![],
    };
    let note = MeetingNote {
        id: before.as_ref().map_or_else(ulid::Ulid::new, |n| n.id),
        project_id,
        client_id,
        title,
        meeting_date,
        attendees,
        body_markdown: body,
        created_at: before.as_ref().map_or_else(OffsetDateTime::now_utc, |n| n.created_at),
    };
    let action = if before.is_some() { "note.update" } else { "note.create" };
    let audit = actor.audit(Some(client_id), action, format!("note:{}", note.id), note.title.clone());
    state.store.write_note(&note, &audit).await?;
    Ok(note)
}

pub async fn delete_note(
    state: &AppState,
    actor: &Actor,
    client_id: ClientId,
    project_id: ulid::Ulid,
    id: ulid::Ulid,
) -> Result<(), ApiError> {
    let note = state.store.get_note(client_id, project_id, id).await?.ok_or(ApiError::NotFound)?;
    let audit = actor.audit(Some(client_id), "note.delete", format!("note:{id}"), note.title);
    state.store.delete_note(client_id, project_id, id, &audit).await.map_err(not_found_on_cancel)
}

// ----- messages ----------------------------------------------------------------------------

pub async fn inbox(state: &AppState, page: PageRequest) -> Result<Page<MessageThread>, ApiError> {
    let (threads, last) = state.store.list_threads(page.limit, page.start).await?;
    state.cursors.page("admin-threads", threads, last)
}

/// A client's thread for the agency, newest first; reading it clears the agency's unread count.
pub async fn thread(state: &AppState, client_id: ClientId, page: PageRequest) -> Result<Page<Message>, ApiError> {
    client(state, client_id).await?;
    let (messages, last) = state.store.list_messages(client_id, page.limit, page.start).await?;
    state.store.mark_thread_read_by_agency(client_id).await?;
    state.cursors.page(&format!("admin-messages|{client_id}"), messages, last)
}

pub async fn reply(state: &AppState, actor: &Actor, client_id: ClientId, body: &str) -> Result<Message, ApiError> {
    let body = body.trim();
    let length = body.chars().count();
    if length == 0 || length > crate::portal::MAX_MESSAGE_CHARS {
        return Err(ApiError::unprocessable("invalid_message", "Write a message of 1 to 5000 characters."));
    }
    let admin = async {
        match actor.admin_id {
            Some(id) => Ok(state.store.get_admin(id).await?),
            None => Ok(None),
        }
    };
    let (company, admin) = tokio::try_join!(client(state, client_id), admin)?;
    let author = admin.map_or_else(|| state.config.agency_name.clone(), |a| a.name);
    let message = Message {
        id: ulid::Ulid::new(),
        client_id,
        author_kind: AuthorKind::Agency,
        author_id: actor.label(),
        author_name: author.clone(),
        body: body.to_owned(),
        created_at: OffsetDateTime::now_utc(),
    };
    let activity = Activity::new(
        client_id,
        ActivityKind::MessagePosted,
        None,
        Some(message.id),
        &author,
        format!("{author} replied"),
    );
    let audit = actor.audit(Some(client_id), "message.reply", format!("message:{}", message.id), String::new());
    state.store.post_message(&message, &activity, &company.company_name, Some(&audit)).await?;
    let link = format!("{}/portal/messages", state.config.public_url);
    let subject = format!("New message from {}", state.config.agency_name);
    notify_contacts(state, client_id, &subject, &format!("{author} wrote: {body}"), &link).await;
    Ok(message)
}

// ----- audit -------------------------------------------------------------------------------

pub fn audit_scope(client: Option<ClientId>) -> String {
    format!("audit|{}", client.map(|c| c.to_string()).unwrap_or_default())
}

pub async fn audit_log(
    state: &AppState,
    client: Option<ClientId>,
    page: PageRequest,
) -> Result<Page<AuditEvent>, ApiError> {
    let (events, last) = state.store.list_audit(client, page.limit, page.start).await?;
    state.cursors.page(&audit_scope(client), events, last)
}
