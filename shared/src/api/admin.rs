//! `/api/admin/**`: the agency's side. Every handler takes an `AdminSession`: a client
//! contact gets 403, no session 401.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, patch, post};
use serde::Deserialize;

use crate::admin::{self, Actor};
use crate::app::AppState;
use crate::auth::AdminSession;
use crate::domain::{ClientId, ContactId};
use crate::error::{ApiError, ApiResult};
use crate::http::{Json, Query, finish, parse_id};
use crate::pagination::PageRequest;

type Created<T> = ApiResult<(StatusCode, axum::Json<T>)>;
type Reply<T> = ApiResult<axum::Json<T>>;

pub fn router(state: AppState) -> Router {
    let client = "/api/admin/clients/{client_id}";
    let project = "/api/admin/clients/{client_id}/projects/{project_id}";
    let deliverable = "/api/admin/clients/{client_id}/projects/{project_id}/deliverables/{deliverable_id}";
    let routes = Router::new()
        .route("/api/admin/clients", get(list_clients).post(create_client))
        .route(client, get(client_detail).patch(update_client))
        .route("/api/admin/harvest/clients", get(harvest_clients))
        .route(&format!("{client}/contacts"), post(add_contact))
        .route(&format!("{client}/contacts/{{contact_id}}"), patch(update_contact))
        .route(&format!("{client}/contacts/{{contact_id}}/revoke"), post(revoke_contact))
        .route(&format!("{client}/contacts/{{contact_id}}/invite"), post(invite_contact))
        .route(&format!("{client}/projects"), get(list_projects).post(create_project))
        .route(project, get(project_detail).patch(update_project))
        .route(&format!("{project}/milestones"), post(create_milestone))
        .route(&format!("{project}/milestones/{{milestone_id}}"), patch(update_milestone))
        .route(&format!("{project}/deliverables"), post(create_deliverable))
        .route(&format!("{deliverable}/uploads"), post(upload_form))
        .route(&format!("{deliverable}/versions"), post(confirm_upload))
        .route(&format!("{deliverable}/deliver"), post(deliver))
        .route(&format!("{project}/notes"), post(create_note))
        .route(&format!("{project}/notes/{{note_id}}"), patch(update_note).delete(delete_note))
        .route("/api/admin/messages", get(inbox))
        .route(&format!("{client}/messages"), get(thread).post(reply))
        .route("/api/admin/audit", get(audit))
        .route(&format!("{client}/audit"), get(client_audit));
    finish(routes, state)
}

fn actor(session: &AdminSession) -> Actor {
    Actor::admin(session.admin_id)
}

fn client_id(raw: &str) -> ApiResult<ClientId> {
    ClientId::parse(raw).ok_or(ApiError::NotFound)
}

fn contact_id(raw: &str) -> ApiResult<ContactId> {
    ContactId::parse(raw).ok_or(ApiError::NotFound)
}

#[derive(Deserialize)]
struct ListParams {
    limit: Option<String>,
    cursor: Option<String>,
    search: Option<String>,
}

impl ListParams {
    fn page(&self, state: &AppState, scope: &str) -> ApiResult<PageRequest> {
        PageRequest::parse(self.limit.as_deref(), self.cursor.as_deref(), &state.cursors, scope)
    }
}

async fn list_clients(
    State(state): State<AppState>,
    _: AdminSession,
    Query(p): Query<ListParams>,
) -> Reply<crate::pagination::Page<crate::models::Client>> {
    let search = p.search.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let page = p.page(&state, &admin::clients_scope(search))?;
    Ok(axum::Json(admin::list_clients(&state, search, page).await?))
}

async fn create_client(
    State(state): State<AppState>,
    s: AdminSession,
    Json(input): Json<admin::NewClient>,
) -> Created<crate::models::Client> {
    Ok((StatusCode::CREATED, axum::Json(admin::create_client(&state, &actor(&s), input).await?)))
}

async fn client_detail(
    State(state): State<AppState>,
    _: AdminSession,
    Path(c): Path<String>,
) -> Reply<admin::ClientDetail> {
    Ok(axum::Json(admin::client_detail(&state, client_id(&c)?).await?))
}

async fn update_client(
    State(state): State<AppState>,
    s: AdminSession,
    Path(c): Path<String>,
    Json(patch): Json<admin::ClientPatch>,
) -> Reply<crate::models::Client> {
    Ok(axum::Json(admin::update_client(&state, &actor(&s), client_id(&c)?, patch).await?))
}

async fn harvest_clients(State(state): State<AppState>, _: AdminSession) -> Reply<Vec<crate::harvest::HarvestClient>> {
    Ok(axum::Json(admin::harvest_clients(&state).await?))
}

async fn add_contact(
    State(state): State<AppState>,
    s: AdminSession,
    Path(c): Path<String>,
    Json(input): Json<admin::NewContact>,
) -> Created<crate::models::Contact> {
    Ok((StatusCode::CREATED, axum::Json(admin::add_contact(&state, &actor(&s), client_id(&c)?, input).await?)))
}

async fn update_contact(
    State(state): State<AppState>,
    s: AdminSession,
    Path((c, id)): Path<(String, String)>,
    Json(patch): Json<admin::ContactPatch>,
) -> Reply<crate::models::Contact> {
    Ok(axum::Json(admin::update_contact(&state, &actor(&s), client_id(&c)?, contact_id(&id)?, patch).await?))
}

async fn revoke_contact(
    State(state): State<AppState>,
    s: AdminSession,
    Path((c, id)): Path<(String, String)>,
) -> Reply<admin::Revoked> {
    Ok(axum::Json(admin::revoke_contact(&state, &actor(&s), client_id(&c)?, contact_id(&id)?).await?))
}

async fn invite_contact(
    State(state): State<AppState>,
    s: AdminSession,
    Path((c, id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    admin::invite_contact(&state, &actor(&s), client_id(&c)?, contact_id(&id)?).await?;
    Ok(StatusCode::ACCEPTED)
}

async fn list_projects(
    State(state): State<AppState>,
    _: AdminSession,
    Path(c): Path<String>,
    Query(p): Query<ListParams>,
) -> Reply<crate::pagination::Page<crate::models::Project>> {
    let client = client_id(&c)?;
    let scope = format!("admin-projects|{client}");
    let page = p.page(&state, &scope)?;
    admin::client_detail(&state, client).await?;
    let (items, last) = state.store.list_projects(client, None, page.limit, page.start).await?;
    Ok(axum::Json(state.cursors.page(&scope, items, last)?))
}

async fn create_project(
    State(state): State<AppState>,
    s: AdminSession,
    Path(c): Path<String>,
    Json(input): Json<admin::NewProject>,
) -> Created<crate::models::Project> {
    Ok((StatusCode::CREATED, axum::Json(admin::create_project(&state, &actor(&s), client_id(&c)?, input).await?)))
}

/// The project (with its milestone summary) and, beside it, everything under it.
#[derive(serde::Serialize)]
struct ProjectTreeView {
    project: crate::models::Project,
    milestones: Vec<crate::models::Milestone>,
    deliverables: Vec<crate::models::Deliverable>,
    notes: Vec<crate::models::MeetingNote>,
}

async fn project_detail(
    State(state): State<AppState>,
    _: AdminSession,
    Path((c, p)): Path<(String, String)>,
) -> Reply<ProjectTreeView> {
    let mut tree = admin::project_tree(&state, client_id(&c)?, parse_id(&p)?).await?;
    tree.milestones.sort_by_key(|m| (m.position, m.due_date));
    Ok(axum::Json(ProjectTreeView {
        project: tree.project,
        milestones: tree.milestones,
        deliverables: tree.deliverables,
        notes: tree.notes,
    }))
}

async fn update_project(
    State(state): State<AppState>,
    s: AdminSession,
    Path((c, p)): Path<(String, String)>,
    Json(patch): Json<admin::ProjectPatch>,
) -> Reply<crate::models::Project> {
    Ok(axum::Json(admin::update_project(&state, &actor(&s), client_id(&c)?, parse_id(&p)?, patch).await?))
}

async fn create_milestone(
    State(state): State<AppState>,
    s: AdminSession,
    Path((c, p)): Path<(String, String)>,
    Json(input): Json<admin::MilestoneInput>,
) -> Created<crate::models::Milestone> {
    let milestone = admin::save_milestone(&state, &actor(&s), client_id(&c)?, parse_id(&p)?, None, input).await?;
    Ok((StatusCode::CREATED, axum::Json(milestone)))
}

async fn update_milestone(
    State(state): State<AppState>,
    s: AdminSession,
    Path((c, p, m)): Path<(String, String, String)>,
    Json(input): Json<admin::MilestoneInput>,
) -> Reply<crate::models::Milestone> {
    Ok(axum::Json(
        admin::save_milestone(&state, &actor(&s), client_id(&c)?, parse_id(&p)?, Some(parse_id(&m)?), input).await?,
    ))
}

async fn create_deliverable(
    State(state): State<AppState>,
    s: AdminSession,
    Path((c, p)): Path<(String, String)>,
    Json(input): Json<admin::NewDeliverable>,
) -> Created<crate::models::Deliverable> {
    let deliverable = admin::create_deliverable(&state, &actor(&s), client_id(&c)?, parse_id(&p)?, input).await?;
    Ok((StatusCode::CREATED, axum::Json(deliverable)))
}

async fn upload_form(
    State(state): State<AppState>,
    _: AdminSession,
    Path((c, p, d)): Path<(String, String, String)>,
    Json(input): Json<admin::UploadRequest>,
) -> Reply<crate::uploads::UploadForm> {
    Ok(axum::Json(admin::upload_form(&state, client_id(&c)?, parse_id(&p)?, parse_id(&d)?, input).await?))
}

async fn confirm_upload(
    State(state): State<AppState>,
    s: AdminSession,
    Path((c, p, d)): Path<(String, String, String)>,
    Json(input): Json<admin::ConfirmUpload>,
) -> Created<crate::models::Deliverable> {
    let deliverable =
        admin::confirm_upload(&state, &actor(&s), client_id(&c)?, parse_id(&p)?, parse_id(&d)?, input).await?;
    Ok((StatusCode::CREATED, axum::Json(deliverable)))
}

async fn deliver(
    State(state): State<AppState>,
    s: AdminSession,
    Path((c, p, d)): Path<(String, String, String)>,
) -> Reply<crate::models::Deliverable> {
    Ok(axum::Json(admin::deliver(&state, &actor(&s), client_id(&c)?, parse_id(&p)?, parse_id(&d)?).await?))
}

async fn create_note(
    State(state): State<AppState>,
    s: AdminSession,
    Path((c, p)): Path<(String, String)>,
    Json(input): Json<admin::NoteInput>,
) -> Created<crate::models::MeetingNote> {
    let note = admin::save_note(&state, &actor(&s), client_id(&c)?, parse_id(&p)?, None, input).await?;
    Ok((StatusCode::CREATED, axum::Json(note)))
}

async fn update_note(
    State(state): State<AppState>,
    s: AdminSession,
    Path((c, p, n)): Path<(String, String, String)>,
    Json(input): Json<admin::NoteInput>,
) -> Reply<crate::models::MeetingNote> {
    Ok(axum::Json(
        admin::save_note(&state, &actor(&s), client_id(&c)?, parse_id(&p)?, Some(parse_id(&n)?), input).await?,
    ))
}

async fn delete_note(
    State(state): State<AppState>,
    s: AdminSession,
    Path((c, p, n)): Path<(String, String, String)>,
) -> ApiResult<StatusCode> {
    admin::delete_note(&state, &actor(&s), client_id(&c)?, parse_id(&p)?, parse_id(&n)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn inbox(
    State(state): State<AppState>,
    _: AdminSession,
    Query(p): Query<ListParams>,
) -> Reply<crate::pagination::Page<crate::models::MessageThread>> {
    let page = p.page(&state, "admin-threads")?;
    Ok(axum::Json(admin::inbox(&state, page).await?))
}

async fn thread(
    State(state): State<AppState>,
    _: AdminSession,
    Path(c): Path<String>,
    Query(p): Query<ListParams>,
) -> Reply<crate::pagination::Page<crate::models::Message>> {
    let client = client_id(&c)?;
    let page = p.page(&state, &format!("admin-messages|{client}"))?;
    Ok(axum::Json(admin::thread(&state, client, page).await?))
}

#[derive(Deserialize)]
struct ReplyBody {
    body: String,
}

async fn reply(
    State(state): State<AppState>,
    s: AdminSession,
    Path(c): Path<String>,
    Json(input): Json<ReplyBody>,
) -> Created<crate::models::Message> {
    Ok((StatusCode::CREATED, axum::Json(admin::reply(&state, &actor(&s), client_id(&c)?, &input.body).await?)))
}

async fn audit(
    State(state): State<AppState>,
    _: AdminSession,
    Query(p): Query<ListParams>,
) -> Reply<crate::pagination::Page<crate::models::AuditEvent>> {
    let page = p.page(&state, &admin::audit_scope(None))?;
    Ok(axum::Json(admin::audit_log(&state, None, page).await?))
}

async fn client_audit(
    State(state): State<AppState>,
    _: AdminSession,
    Path(c): Path<String>,
    Query(p): Query<ListParams>,
) -> Reply<crate::pagination::Page<crate::models::AuditEvent>> {
    let client = client_id(&c)?;
    let page = p.page(&state, &admin::audit_scope(Some(client)))?;
    Ok(axum::Json(admin::audit_log(&state, Some(client), page).await?))
}
