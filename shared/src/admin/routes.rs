//! The routes of the `admin` function: `/api/admin/**`, the agency's side. Every handler takes
//! an `AdminSession` (or an `Actor`/`AgencyOwner`, which stand on one): a client contact gets
//! 403, no session 401. Under `/api/admin/clients/{clientId}`, `auth::access` refuses (403)
//! agency members not assigned to that client before any answer leaves; lists show members
//! only their clients; agency-wide changes are for owners (`AgencyOwner`). Route strings are
//! the paths of `template.yaml`, letter for letter.

use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRef, FromRequestParts, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::routing::{get, patch, post, put};
use serde::{Deserialize, Serialize};

use super::clients::{ClientDetail, ClientPatch, NewClient};
use super::deliverables::{MAX_DESCRIPTION_CHARS, NewDeliverable};
use super::notes::{MAX_REQUEST_CHARS, NoteInput};
use super::projects::{MAX_SUMMARY_CHARS, MilestoneInput, NewProject, ProjectPatch};
use super::views::AdminDeliverableView;
use super::{Actor, InProject, audit, clients, deliverables, messages, notes, projects};
use crate::auth::{Action, AdminSession, AgencyOwner, Sessions};
use crate::config::Config;
use crate::domain::{
    Admin, AdminId, AuditEvent, Client, ClientId, Contact, ContactId, MeetingNote, Message, MessageThread, Milestone,
    Project,
};
use crate::http::{ApiError, ApiResult, Json, Page, Paging, Path, Query, body_limit_for_chars};
use crate::invoices::{Billing, HarvestClient, HarvestProject};
use crate::mail::Mailer;
use crate::portal::{MAX_MESSAGE_CHARS, MessageBody};
use crate::store::Store;
use crate::team::contacts::{self, ContactPatch, NewContact, Revoked};
use crate::team::staff::{self, NewStaff, StaffMember, StaffPatch};

type Created<T> = ApiResult<(StatusCode, axum::Json<T>)>;
type Reply<T> = ApiResult<axum::Json<T>>;
type ProjectId = ulid::Ulid;
type MilestoneId = ulid::Ulid;
type DeliverableId = ulid::Ulid;
type NoteId = ulid::Ulid;

fn created<T>(value: T) -> Created<T> {
    Ok((StatusCode::CREATED, axum::Json(value)))
}

pub fn admin<S: Clone + Send + Sync + 'static>() -> Router<S>
where
    Store: FromRef<S>,
    Mailer: FromRef<S>,
    Billing: FromRef<S>,
    Arc<Config>: FromRef<S>,
    Sessions: FromRef<S>,
    crate::files::FileStore: FromRef<S>,
{
    let project_text = DefaultBodyLimit::max(body_limit_for_chars(200 + MAX_SUMMARY_CHARS));
    let note_text = DefaultBodyLimit::max(body_limit_for_chars(MAX_REQUEST_CHARS));
    Router::new()
        .route("/api/admin/clients", get(list_clients).post(create_client))
        .route("/api/admin/clients/{clientId}", get(client_detail).patch(update_client))
        .route("/api/admin/harvest/clients", get(harvest_clients))
        .route("/api/admin/clients/{clientId}/harvest/projects", get(harvest_projects))
        .route("/api/admin/clients/{clientId}/contacts", post(add_contact))
        .route("/api/admin/clients/{clientId}/contacts/{contactId}", patch(update_contact))
        .route("/api/admin/clients/{clientId}/contacts/{contactId}/revoke", post(revoke_contact))
        .route("/api/admin/clients/{clientId}/contacts/{contactId}/invite", post(invite_contact))
        .route("/api/admin/clients/{clientId}/projects", get(list_projects).post(create_project).layer(project_text))
        .route(
            "/api/admin/clients/{clientId}/projects/{projectId}",
            get(project_detail).patch(update_project).layer(project_text),
        )
        .route("/api/admin/clients/{clientId}/projects/{projectId}/milestones", post(create_milestone))
        .route("/api/admin/clients/{clientId}/projects/{projectId}/milestones/{milestoneId}", patch(update_milestone))
        .route("/api/admin/clients/{clientId}/projects/{projectId}/milestones/{milestoneId}/move", post(move_milestone))
        .route(
            "/api/admin/clients/{clientId}/projects/{projectId}/deliverables",
            post(create_deliverable).layer(DefaultBodyLimit::max(body_limit_for_chars(200 + MAX_DESCRIPTION_CHARS))),
        )
        .route("/api/admin/clients/{clientId}/projects/{projectId}/deliverables/{deliverableId}/deliver", post(deliver))
        .route("/api/admin/clients/{clientId}/projects/{projectId}/notes", post(create_note).layer(note_text))
        .route(
            "/api/admin/clients/{clientId}/projects/{projectId}/notes/{noteId}",
            patch(update_note).delete(delete_note).layer(note_text),
        )
        .route("/api/admin/messages", get(inbox))
        .route(
            "/api/admin/clients/{clientId}/messages",
            get(thread).post(reply).layer(DefaultBodyLimit::max(body_limit_for_chars(MAX_MESSAGE_CHARS))),
        )
        .route("/api/admin/audit", get(agency_audit))
        .route("/api/admin/clients/{clientId}/audit", get(client_audit))
        .route("/api/admin/staff", get(list_staff).post(add_staff))
        .route("/api/admin/staff/{adminId}", patch(update_staff).delete(remove_staff))
        .route("/api/admin/staff/{adminId}/invite", post(invite_staff))
        .route("/api/admin/staff/{adminId}/passkeys/reset", post(reset_staff_passkeys))
        .route("/api/admin/email-problems/{email}", axum::routing::delete(clear_email_problem))
        .route("/api/admin/clients/{clientId}/staff/{adminId}", put(assign_staff).delete(unassign_staff))
        // A contact's data exported or erased on request (agency owners).
        .merge(crate::privacy::routes::privacy())
}

/// The acting principal of an admin write: the signed-in admin (a contact gets 403).
impl<S: Send + Sync> FromRequestParts<S> for Actor
where
    Sessions: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Ok(Actor::admin(AdminSession::from_request_parts(parts, state).await?.admin_id))
    }
}

fn in_project(client_id: ClientId, project_id: ProjectId) -> InProject {
    InProject { client_id, project_id }
}

#[derive(Deserialize)]
struct ClientSearch {
    search: Option<String>,
}

async fn list_clients(
    State(store): State<Store>,
    session: AdminSession,
    paging: Paging,
    Query(filter): Query<ClientSearch>,
) -> Reply<Page<Client>> {
    let visible = session.visible_clients(&store).await?;
    let search = filter.search.as_deref();
    let (items, last) = clients::list(&store, &visible, search, paging.limit, paging.start.clone()).await?;
    Ok(axum::Json(paging.page(items, last)?))
}

async fn create_client(
    State(store): State<Store>,
    AgencyOwner(actor): AgencyOwner,
    Json(input): Json<NewClient>,
) -> Created<Client> {
    created(clients::create(&store, &actor, input).await?)
}

async fn client_detail(State(store): State<Store>, _: AdminSession, Path(c): Path<ClientId>) -> Reply<ClientDetail> {
    Ok(axum::Json(clients::detail(&store, c).await?))
}

async fn update_client(
    State(store): State<Store>,
    session: AdminSession,
    Path(c): Path<ClientId>,
    Json(patch): Json<ClientPatch>,
) -> Reply<Client> {
    if patch.harvest_client_id.is_some() {
        // Linking billing is agency-wide: it names a Harvest client, which only owners list.
        session.require(Action::ManageAgency).await?;
    }
    Ok(axum::Json(clients::update(&store, &Actor::admin(session.admin_id), c, patch).await?))
}

async fn harvest_clients(State(billing): State<Billing>, _: AgencyOwner) -> Reply<Vec<HarvestClient>> {
    Ok(axum::Json(crate::invoices::harvest_clients(&billing).await?))
}

async fn add_contact(
    State(store): State<Store>,
    actor: Actor,
    Path(c): Path<ClientId>,
    Json(input): Json<NewContact>,
) -> Created<Contact> {
    created(contacts::add(&store, &actor, c, input).await?)
}

async fn update_contact(
    State(store): State<Store>,
    actor: Actor,
    Path((c, id)): Path<(ClientId, ContactId)>,
    Json(patch): Json<ContactPatch>,
) -> Reply<Contact> {
    Ok(axum::Json(contacts::update(&store, &actor, c, id, patch).await?))
}

async fn revoke_contact(
    State(store): State<Store>,
    actor: Actor,
    Path((c, id)): Path<(ClientId, ContactId)>,
) -> Reply<Revoked> {
    Ok(axum::Json(contacts::revoke(&store, &actor, c, id).await?))
}

async fn invite_contact(
    State(store): State<Store>,
    State(mailer): State<Mailer>,
    State(config): State<Arc<Config>>,
    actor: Actor,
    Path((c, id)): Path<(ClientId, ContactId)>,
) -> ApiResult<StatusCode> {
    contacts::invite(&store, &mailer, &config, &actor, c, id).await?;
    Ok(StatusCode::ACCEPTED)
}

async fn list_projects(
    State(store): State<Store>,
    _: AdminSession,
    Path(c): Path<ClientId>,
    paging: Paging,
) -> Reply<Page<Project>> {
    let (items, last) = projects::list(&store, c, paging.limit, paging.start.clone()).await?;
    Ok(axum::Json(paging.page(items, last)?))
}

async fn create_project(
    State(store): State<Store>,
    actor: Actor,
    Path(c): Path<ClientId>,
    Json(input): Json<NewProject>,
) -> Created<Project> {
    created(projects::create(&store, &actor, c, input).await?)
}

/// The project (with its milestone summary) and, beside it, everything under it.
#[derive(Serialize)]
struct ProjectTreeView {
    project: Project,
    milestones: Vec<Milestone>,
    deliverables: Vec<AdminDeliverableView>,
    notes: Vec<MeetingNote>,
}

async fn project_detail(
    State(store): State<Store>,
    _: AdminSession,
    Path((c, p)): Path<(ClientId, ProjectId)>,
) -> Reply<ProjectTreeView> {
    let mut tree = projects::tree(&store, c, p).await?;
    tree.milestones.sort_by_key(Milestone::timeline_key);
    Ok(axum::Json(ProjectTreeView {
        project: tree.project,
        milestones: tree.milestones,
        deliverables: tree.deliverables.into_iter().map(AdminDeliverableView::from).collect(),
        notes: tree.notes,
    }))
}

async fn update_project(
    State(store): State<Store>,
    State(billing): State<Billing>,
    actor: Actor,
    Path((c, p)): Path<(ClientId, ProjectId)>,
    Json(patch): Json<ProjectPatch>,
) -> Reply<Project> {
    // A Harvest project is checked against Harvest's live list of the client's projects.
    let harvest = match patch.harvest_project_id {
        Some(Some(id)) => {
            let client = clients::get(&store, c).await?;
            Some(Some(crate::invoices::budgets::project_link(&billing, &client, id).await?))
        }
        Some(None) => Some(None),
        None => None,
    };
    Ok(axum::Json(projects::update(&store, &actor, c, p, patch, harvest).await?))
}

/// The Harvest projects of the client's Harvest client, to link a portal project to.
async fn harvest_projects(
    State(store): State<Store>,
    State(billing): State<Billing>,
    _: AdminSession,
    Path(c): Path<ClientId>,
) -> Reply<Vec<HarvestProject>> {
    let client = clients::get(&store, c).await?;
    Ok(axum::Json(crate::invoices::budgets::harvest_projects(&billing, &client).await?))
}

async fn create_milestone(
    State(store): State<Store>,
    State(config): State<Arc<Config>>,
    actor: Actor,
    Path((c, p)): Path<(ClientId, ProjectId)>,
    Json(input): Json<MilestoneInput>,
) -> Created<Milestone> {
    created(projects::save_milestone(&store, &actor, in_project(c, p), (None, input), &config.agency_name).await?)
}

async fn update_milestone(
    State(store): State<Store>,
    State(config): State<Arc<Config>>,
    actor: Actor,
    Path((c, p, m)): Path<(ClientId, ProjectId, MilestoneId)>,
    Json(input): Json<MilestoneInput>,
) -> Reply<Milestone> {
    Ok(axum::Json(
        projects::save_milestone(&store, &actor, in_project(c, p), (Some(m), input), &config.agency_name).await?,
    ))
}

#[derive(Deserialize)]
struct MoveTo {
    to: usize,
}

async fn move_milestone(
    State(store): State<Store>,
    actor: Actor,
    Path((c, p, m)): Path<(ClientId, ProjectId, MilestoneId)>,
    Json(input): Json<MoveTo>,
) -> Reply<Vec<Milestone>> {
    Ok(axum::Json(projects::move_milestone(&store, &actor, in_project(c, p), m, input.to).await?))
}

async fn create_deliverable(
    State(store): State<Store>,
    actor: Actor,
    Path((c, p)): Path<(ClientId, ProjectId)>,
    Json(input): Json<NewDeliverable>,
) -> Created<AdminDeliverableView> {
    created(AdminDeliverableView::from(deliverables::create(&store, &actor, c, p, input).await?))
}

async fn deliver(
    State(store): State<Store>,
    State(config): State<Arc<Config>>,
    actor: Actor,
    Path((c, p, d)): Path<(ClientId, ProjectId, DeliverableId)>,
) -> Reply<AdminDeliverableView> {
    Ok(axum::Json(AdminDeliverableView::from(deliverables::deliver(&store, &config, &actor, c, p, d).await?)))
}

async fn create_note(
    State(store): State<Store>,
    actor: Actor,
    Path((c, p)): Path<(ClientId, ProjectId)>,
    Json(input): Json<NoteInput>,
) -> Created<MeetingNote> {
    created(notes::save(&store, &actor, in_project(c, p), None, input).await?)
}

async fn update_note(
    State(store): State<Store>,
    actor: Actor,
    Path((c, p, n)): Path<(ClientId, ProjectId, NoteId)>,
    Json(input): Json<NoteInput>,
) -> Reply<MeetingNote> {
    Ok(axum::Json(notes::save(&store, &actor, in_project(c, p), Some(n), input).await?))
}

async fn delete_note(
    State(store): State<Store>,
    actor: Actor,
    Path((c, p, n)): Path<(ClientId, ProjectId, NoteId)>,
) -> ApiResult<StatusCode> {
    notes::delete(&store, &actor, in_project(c, p), n).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn inbox(State(store): State<Store>, session: AdminSession, paging: Paging) -> Reply<Page<MessageThread>> {
    let visible = session.visible_clients(&store).await?;
    let (items, last) = messages::inbox(&store, &visible, paging.limit, paging.start.clone()).await?;
    Ok(axum::Json(paging.page(items, last)?))
}

async fn thread(
    State(store): State<Store>,
    session: AdminSession,
    Path(c): Path<ClientId>,
    paging: Paging,
) -> Reply<Page<Message>> {
    // Reading marks the thread read: settle access before that write.
    session.require(Action::ActOnClient(c)).await?;
    let (items, last) = messages::thread(&store, c, paging.limit, paging.start.clone()).await?;
    Ok(axum::Json(paging.page(items, last)?))
}

#[derive(Deserialize)]
struct ReplyBody {
    body: String,
}

async fn reply(
    State(store): State<Store>,
    State(config): State<Arc<Config>>,
    actor: Actor,
    Path(c): Path<ClientId>,
    Json(input): Json<ReplyBody>,
) -> Created<Message> {
    let body = MessageBody::parse(&input.body)?;
    created(messages::reply(&store, &config, &actor, c, body).await?)
}

async fn agency_audit(State(store): State<Store>, session: AdminSession, paging: Paging) -> Reply<Page<AuditEvent>> {
    let visible = session.visible_clients(&store).await?;
    let (items, last) = audit::log(&store, &visible, paging.limit, paging.start.clone()).await?;
    Ok(axum::Json(paging.page(items, last)?))
}

async fn client_audit(
    State(store): State<Store>,
    _: AdminSession,
    Path(c): Path<ClientId>,
    paging: Paging,
) -> Reply<Page<AuditEvent>> {
    let (items, last) = audit::client_log(&store, c, paging.limit, paging.start.clone()).await?;
    Ok(axum::Json(paging.page(items, last)?))
}

#[derive(Serialize)]
struct StaffList {
    items: Vec<StaffMember>,
    /// Staff addresses that bounced or complained.
    email_problems: Vec<crate::store::Suppression>,
}

async fn list_staff(State(store): State<Store>, _: AgencyOwner) -> Reply<StaffList> {
    let items = staff::list(&store).await?;
    let addresses: Vec<_> = items.iter().map(|s| s.admin.email.clone()).collect();
    let email_problems = store.suppressions_of(&addresses).await?;
    Ok(axum::Json(StaffList { items, email_problems }))
}

/// Staff take an address off the suppression list once it is fixed (the person changed
/// mailbox, or asked for mail again): mail goes to it again. A contact's address may be cleared
/// by whoever may act on that client; anyone else's (staff, or no one's) by agency owners.
/// 404 if it was not on the list.
async fn clear_email_problem(
    State(store): State<Store>,
    session: AdminSession,
    axum::extract::Path(email): axum::extract::Path<String>,
) -> ApiResult<StatusCode> {
    let email = crate::domain::EmailAddress::parse(&email).map_err(|_| crate::domain::Error::NotFound)?;
    let owner_of_address = store.get_email_claim(&email).await?;
    let is_owner = session.require(Action::ManageAgency).await;
    match (is_owner, owner_of_address.and_then(|claim| claim.client_id)) {
        (Ok(_), _) => {}
        // No `{clientId}` in this path, so the assignment is read here rather than by the
        // session check.
        (Err(_), Some(client)) if store.assigned_clients(session.admin_id).await?.contains(&client) => {}
        (Err(_), Some(_)) => {
            return Err(crate::domain::Error::Forbidden(
                "You are not assigned to this client. Ask an agency owner to assign you.",
            )
            .into());
        }
        (Err(refused), None) => return Err(refused.into()),
    }
    let actor = Actor::admin(session.admin_id);
    let audit = actor.audit(None, "email.unsuppress", format!("email:{email}"), String::new());
    if store.clear_suppression(&email, &audit).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(crate::domain::Error::NotFound.into())
    }
}

#[derive(Serialize)]
struct StaffAdded {
    #[serde(flatten)]
    admin: Admin,
    /// Whether the welcome mail went out (else: `POST /api/admin/staff/{adminId}/invite`).
    invitation_sent: bool,
}

/// Adds a staff member and emails them a welcome link.
async fn add_staff(
    State(store): State<Store>,
    State(mailer): State<Mailer>,
    State(config): State<Arc<Config>>,
    AgencyOwner(actor): AgencyOwner,
    Json(input): Json<NewStaff>,
) -> Created<StaffAdded> {
    let admin = staff::add(&store, &actor, input).await?;
    let sent = staff::invite(&store, &mailer, &config, &actor, admin.id).await;
    if let Err(error) = &sent {
        tracing::warn!(%error, "staff member added, invitation not sent");
    }
    created(StaffAdded { admin, invitation_sent: sent.is_ok() })
}

async fn update_staff(
    State(store): State<Store>,
    AgencyOwner(actor): AgencyOwner,
    Path(id): Path<AdminId>,
    Json(patch): Json<StaffPatch>,
) -> Reply<Admin> {
    Ok(axum::Json(staff::set_role(&store, &actor, id, patch).await?))
}

async fn remove_staff(
    State(store): State<Store>,
    AgencyOwner(actor): AgencyOwner,
    Path(id): Path<AdminId>,
) -> ApiResult<StatusCode> {
    staff::remove(&store, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn invite_staff(
    State(store): State<Store>,
    State(mailer): State<Mailer>,
    State(config): State<Arc<Config>>,
    AgencyOwner(actor): AgencyOwner,
    Path(id): Path<AdminId>,
) -> ApiResult<StatusCode> {
    staff::invite(&store, &mailer, &config, &actor, id).await?;
    Ok(StatusCode::ACCEPTED)
}

#[derive(Serialize)]
struct PasskeysReset {
    passkeys_removed: usize,
}

/// A staff member lost their passkeys: an owner removes them all (and their sessions); their
/// next magic link registers a new one. Audited.
async fn reset_staff_passkeys(
    State(store): State<Store>,
    AgencyOwner(actor): AgencyOwner,
    Path(id): Path<AdminId>,
) -> Reply<PasskeysReset> {
    let Actor::Admin(owner) = actor else {
        return Err(crate::domain::Error::Forbidden("Only agency owners can do this.").into());
    };
    let removed = crate::auth::passkeys::reset_staff(&store, owner, id).await?;
    Ok(axum::Json(PasskeysReset { passkeys_removed: removed }))
}

async fn assign_staff(
    State(store): State<Store>,
    AgencyOwner(actor): AgencyOwner,
    Path((c, id)): Path<(ClientId, AdminId)>,
) -> ApiResult<StatusCode> {
    staff::assign(&store, &actor, c, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn unassign_staff(
    State(store): State<Store>,
    AgencyOwner(actor): AgencyOwner,
    Path((c, id)): Path<(ClientId, AdminId)>,
) -> ApiResult<StatusCode> {
    staff::unassign(&store, &actor, c, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
