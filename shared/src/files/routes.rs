//! The routes of the `files` function: uploads, file requests and projects' shared files, for
//! both sides. Client routes take a `ClientSession` (the company is always the session's; ids
//! of another company's things are 404); agency routes live under
//! `/api/admin/clients/{clientId}`, where `auth::access` refuses staff not assigned to the
//! client. Route strings are the paths of `template.yaml`, letter for letter.

use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRef, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};

use super::form_uploads::{self, ConfirmUpload, UploadRequest};
use super::requests::{self, MAX_DETAILS_CHARS, MAX_NOTE_CHARS, MAX_TITLE_CHARS, NewRequest, Note};
use super::transfers::{self, Completed, NewUpload, PartUrl, PartsWanted, UploadView};
use super::views::{FileLinks, FileSummary, RequestView};
use super::{FileStore, Person, UploadForm, project_files};
use crate::auth::{Action, AdminSession, ClientSession, Sessions};
use crate::config::Config;
use crate::domain::{Actor, ClientId, Error};
use crate::http::{ApiResult, Json, Page, Paging, Path, Query, body_limit_for_chars};
use crate::store::Store;

type Reply<T> = ApiResult<axum::Json<T>>;
type Created<T> = ApiResult<(StatusCode, axum::Json<T>)>;
type UploadId = ulid::Ulid;
type RequestId = ulid::Ulid;
type ProjectId = ulid::Ulid;
type FileId = ulid::Ulid;

pub fn files<S: Clone + Send + Sync + 'static>() -> Router<S>
where
    Store: FromRef<S>,
    FileStore: FromRef<S>,
    Arc<Config>: FromRef<S>,
    Sessions: FromRef<S>,
{
    let request_text = DefaultBodyLimit::max(body_limit_for_chars(MAX_TITLE_CHARS + MAX_DETAILS_CHARS));
    let note_text = DefaultBodyLimit::max(body_limit_for_chars(MAX_NOTE_CHARS));
    Router::new()
        // A contact's side.
        .route("/api/uploads", post(client_start))
        .route("/api/uploads/{uploadId}", get(client_status).delete(client_abort))
        .route("/api/uploads/{uploadId}/parts", post(client_parts))
        .route("/api/uploads/{uploadId}/complete", post(client_complete))
        .route("/api/requests", get(client_requests))
        .route("/api/requests/{requestId}", get(client_request))
        .route("/api/requests/{requestId}/submit", post(client_submit).layer(note_text))
        .route("/api/requests/{requestId}/files/{fileId}", get(client_request_file).delete(client_remove_request_file))
        .route("/api/projects/{projectId}/files", get(client_project_files))
        .route("/api/projects/{projectId}/files/{fileId}", get(client_project_file).delete(client_remove_project_file))
        // The agency's side.
        .route("/api/admin/clients/{clientId}/uploads", post(staff_start))
        .route("/api/admin/clients/{clientId}/uploads/{uploadId}", get(staff_status).delete(staff_abort))
        .route("/api/admin/clients/{clientId}/uploads/{uploadId}/parts", post(staff_parts))
        .route("/api/admin/clients/{clientId}/uploads/{uploadId}/complete", post(staff_complete))
        .route(
            "/api/admin/clients/{clientId}/requests",
            get(staff_requests).post(staff_create_request).layer(request_text),
        )
        .route("/api/admin/clients/{clientId}/requests/{requestId}", get(staff_request))
        .route("/api/admin/clients/{clientId}/requests/{requestId}/accept", post(staff_accept).layer(note_text))
        .route("/api/admin/clients/{clientId}/requests/{requestId}/reopen", post(staff_reopen).layer(note_text))
        .route("/api/admin/clients/{clientId}/requests/{requestId}/files/{fileId}", get(staff_request_file))
        .route("/api/admin/clients/{clientId}/projects/{projectId}/files", get(staff_project_files))
        .route(
            "/api/admin/clients/{clientId}/projects/{projectId}/files/{fileId}",
            get(staff_project_file).delete(staff_remove_project_file),
        )
        .route(
            "/api/admin/clients/{clientId}/projects/{projectId}/deliverables/{deliverableId}/uploads",
            post(staff_deliverable_form),
        )
        .route(
            "/api/admin/clients/{clientId}/projects/{projectId}/deliverables/{deliverableId}/versions",
            post(staff_confirm_deliverable_form),
        )
}

/// The signed-in contact, by name (files and requests show who sent what).
async fn contact(session: &ClientSession) -> Result<Person, Error> {
    let access = session.require(Action::UsePortal).await?;
    Ok(Person { actor: Actor::Contact(session.contact_id), name: access.name().to_owned() })
}

/// The signed-in staff member acting on `client`, by name.
async fn staff(session: &AdminSession, client: ClientId) -> Result<Person, Error> {
    let access = session.require(Action::ActOnClient(client)).await?;
    Ok(Person { actor: Actor::admin(session.admin_id), name: access.name().to_owned() })
}

#[derive(Serialize)]
struct Parts {
    parts: Vec<PartUrl>,
}

// ---- A contact's uploads ----

async fn client_start(
    State(store): State<Store>,
    State(files): State<FileStore>,
    State(config): State<Arc<Config>>,
    session: ClientSession,
    Json(input): Json<NewUpload>,
) -> Created<UploadView> {
    let person = contact(&session).await?;
    let upload = transfers::start(&store, &files, &config, &person, session.client_id, input).await?;
    Ok((StatusCode::CREATED, axum::Json(upload)))
}

async fn client_status(
    State(store): State<Store>,
    State(files): State<FileStore>,
    session: ClientSession,
    Path(id): Path<UploadId>,
) -> Reply<UploadView> {
    let person = contact(&session).await?;
    Ok(axum::Json(transfers::status(&store, &files, &person, session.client_id, id).await?))
}

async fn client_parts(
    State(store): State<Store>,
    State(files): State<FileStore>,
    session: ClientSession,
    Path(id): Path<UploadId>,
    Json(wanted): Json<PartsWanted>,
) -> Reply<Parts> {
    let person = contact(&session).await?;
    let parts = transfers::part_urls(&store, &files, &person, session.client_id, id, wanted).await?;
    Ok(axum::Json(Parts { parts }))
}

async fn client_complete(
    State(store): State<Store>,
    State(files): State<FileStore>,
    State(config): State<Arc<Config>>,
    session: ClientSession,
    Path(id): Path<UploadId>,
) -> Reply<Completed> {
    let person = contact(&session).await?;
    Ok(axum::Json(transfers::complete(&store, &files, &config, &person, session.client_id, id).await?))
}

async fn client_abort(
    State(store): State<Store>,
    State(files): State<FileStore>,
    session: ClientSession,
    Path(id): Path<UploadId>,
) -> ApiResult<StatusCode> {
    let person = contact(&session).await?;
    transfers::abort(&store, &files, &person, session.client_id, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---- A contact's file requests ----

#[derive(Deserialize)]
struct RequestFilter {
    status: Option<String>,
}

/// `?status=open` keeps the requests waiting for the client; anything else is 400.
fn open_only(filter: &RequestFilter) -> Result<bool, Error> {
    match filter.status.as_deref().map(str::trim) {
        None | Some("" | "all") => Ok(false),
        Some("open") => Ok(true),
        Some(_) => Err(Error::malformed("invalid_status", "`status` must be `open` or `all`.")),
    }
}

async fn client_requests(
    State(store): State<Store>,
    session: ClientSession,
    paging: Paging,
    Query(filter): Query<RequestFilter>,
) -> Reply<Page<RequestView>> {
    session.require(Action::UsePortal).await?;
    let open = open_only(&filter)?;
    let (items, last) = requests::list(&store, session.client_id, open, paging.limit, paging.start.clone()).await?;
    Ok(axum::Json(paging.page(items.into_iter().map(RequestView::summary).collect(), last)?))
}

async fn client_request(
    State(store): State<Store>,
    State(files): State<FileStore>,
    session: ClientSession,
    Path(id): Path<RequestId>,
) -> Reply<RequestView> {
    session.require(Action::UsePortal).await?;
    let request = requests::get(&store, session.client_id, id).await?;
    Ok(axum::Json(RequestView::full(&files, request).await?))
}

async fn client_submit(
    State(store): State<Store>,
    State(files): State<FileStore>,
    session: ClientSession,
    Path(id): Path<RequestId>,
    Json(note): Json<Note>,
) -> Reply<RequestView> {
    let person = contact(&session).await?;
    let request = requests::submit(&store, &person, session.client_id, id, note).await?;
    Ok(axum::Json(RequestView::full(&files, request).await?))
}

async fn client_request_file(
    State(store): State<Store>,
    State(files): State<FileStore>,
    session: ClientSession,
    Path((id, file)): Path<(RequestId, FileId)>,
) -> Reply<FileLinks> {
    session.require(Action::UsePortal).await?;
    request_file(&store, &files, session.client_id, id, file).await
}

async fn request_file(
    store: &Store,
    files: &FileStore,
    client: ClientId,
    id: RequestId,
    file: FileId,
) -> Reply<FileLinks> {
    let request = requests::get(store, client, id).await?;
    let file = request.files.iter().find(|f| f.id == file).ok_or(Error::NotFound)?;
    Ok(axum::Json(FileLinks::new(files, file).await?))
}

async fn client_remove_request_file(
    State(store): State<Store>,
    State(files): State<FileStore>,
    session: ClientSession,
    Path((id, file)): Path<(RequestId, FileId)>,
) -> Reply<RequestView> {
    let person = contact(&session).await?;
    let (request, removed) = requests::remove_file(&store, &person, session.client_id, id, file).await?;
    if let Err(error) = files.delete(&removed.s3_key).await {
        tracing::warn!(%error, "removed file's object not deleted");
    }
    Ok(axum::Json(RequestView::full(&files, request).await?))
}

// ---- A project's shared files, as a contact sees them ----

async fn list_project_files(
    store: &Store,
    files: &FileStore,
    client: ClientId,
    project: ProjectId,
    paging: &Paging,
) -> Reply<Page<FileSummary>> {
    let (items, last) = project_files::list(store, client, project, paging.limit, paging.start.clone()).await?;
    let mut summaries = Vec::with_capacity(items.len());
    for file in &items {
        summaries.push(FileSummary::with_thumbnail(files, file).await?);
    }
    Ok(axum::Json(paging.page(summaries, last)?))
}

async fn client_project_files(
    State(store): State<Store>,
    State(files): State<FileStore>,
    session: ClientSession,
    paging: Paging,
    Path(project): Path<ProjectId>,
) -> Reply<Page<FileSummary>> {
    session.require(Action::UsePortal).await?;
    list_project_files(&store, &files, session.client_id, project, &paging).await
}

async fn client_project_file(
    State(store): State<Store>,
    State(files): State<FileStore>,
    session: ClientSession,
    Path((project, file)): Path<(ProjectId, FileId)>,
) -> Reply<FileLinks> {
    session.require(Action::UsePortal).await?;
    let file = project_files::get(&store, session.client_id, project, file).await?;
    Ok(axum::Json(FileLinks::new(&files, &file).await?))
}

async fn client_remove_project_file(
    State(store): State<Store>,
    State(files): State<FileStore>,
    session: ClientSession,
    Path((project, file)): Path<(ProjectId, FileId)>,
) -> ApiResult<StatusCode> {
    let person = contact(&session).await?;
    project_files::remove(&store, &files, &person.actor, session.client_id, project, file).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---- The agency's uploads ----

async fn staff_start(
    State(store): State<Store>,
    State(files): State<FileStore>,
    State(config): State<Arc<Config>>,
    session: AdminSession,
    Path(client): Path<ClientId>,
    Json(input): Json<NewUpload>,
) -> Created<UploadView> {
    let person = staff(&session, client).await?;
    store.get_client(client).await?.ok_or(Error::NotFound)?;
    let upload = transfers::start(&store, &files, &config, &person, client, input).await?;
    Ok((StatusCode::CREATED, axum::Json(upload)))
}

async fn staff_status(
    State(store): State<Store>,
    State(files): State<FileStore>,
    session: AdminSession,
    Path((client, id)): Path<(ClientId, UploadId)>,
) -> Reply<UploadView> {
    let person = staff(&session, client).await?;
    Ok(axum::Json(transfers::status(&store, &files, &person, client, id).await?))
}

async fn staff_parts(
    State(store): State<Store>,
    State(files): State<FileStore>,
    session: AdminSession,
    Path((client, id)): Path<(ClientId, UploadId)>,
    Json(wanted): Json<PartsWanted>,
) -> Reply<Parts> {
    let person = staff(&session, client).await?;
    Ok(axum::Json(Parts { parts: transfers::part_urls(&store, &files, &person, client, id, wanted).await? }))
}

async fn staff_complete(
    State(store): State<Store>,
    State(files): State<FileStore>,
    State(config): State<Arc<Config>>,
    session: AdminSession,
    Path((client, id)): Path<(ClientId, UploadId)>,
) -> Reply<Completed> {
    let person = staff(&session, client).await?;
    Ok(axum::Json(transfers::complete(&store, &files, &config, &person, client, id).await?))
}

async fn staff_abort(
    State(store): State<Store>,
    State(files): State<FileStore>,
    session: AdminSession,
    Path((client, id)): Path<(ClientId, UploadId)>,
) -> ApiResult<StatusCode> {
    let person = staff(&session, client).await?;
    transfers::abort(&store, &files, &person, client, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---- The agency's file requests ----

async fn staff_requests(
    State(store): State<Store>,
    session: AdminSession,
    paging: Paging,
    Path(client): Path<ClientId>,
    Query(filter): Query<RequestFilter>,
) -> Reply<Page<RequestView>> {
    session.require(Action::ActOnClient(client)).await?;
    let open = open_only(&filter)?;
    let (items, last) = requests::list(&store, client, open, paging.limit, paging.start.clone()).await?;
    Ok(axum::Json(paging.page(items.into_iter().map(RequestView::summary).collect(), last)?))
}

async fn staff_create_request(
    State(store): State<Store>,
    State(config): State<Arc<Config>>,
    session: AdminSession,
    Path(client): Path<ClientId>,
    Json(input): Json<NewRequest>,
) -> Created<RequestView> {
    let person = staff(&session, client).await?;
    store.get_client(client).await?.ok_or(Error::NotFound)?;
    let request = requests::create(&store, &config, &person, client, input).await?;
    Ok((StatusCode::CREATED, axum::Json(RequestView::summary(request))))
}

async fn staff_request(
    State(store): State<Store>,
    State(files): State<FileStore>,
    session: AdminSession,
    Path((client, id)): Path<(ClientId, RequestId)>,
) -> Reply<RequestView> {
    session.require(Action::ActOnClient(client)).await?;
    let request = requests::get(&store, client, id).await?;
    Ok(axum::Json(RequestView::full(&files, request).await?))
}

async fn staff_accept(
    State(store): State<Store>,
    State(files): State<FileStore>,
    State(config): State<Arc<Config>>,
    session: AdminSession,
    Path((client, id)): Path<(ClientId, RequestId)>,
    Json(note): Json<Note>,
) -> Reply<RequestView> {
    let person = staff(&session, client).await?;
    let request = requests::accept(&store, &config, &person, client, id, note).await?;
    Ok(axum::Json(RequestView::full(&files, request).await?))
}

async fn staff_reopen(
    State(store): State<Store>,
    State(files): State<FileStore>,
    State(config): State<Arc<Config>>,
    session: AdminSession,
    Path((client, id)): Path<(ClientId, RequestId)>,
    Json(note): Json<Note>,
) -> Reply<RequestView> {
    let person = staff(&session, client).await?;
    let request = requests::ask_for_more(&store, &config, &person, client, id, note).await?;
    Ok(axum::Json(RequestView::full(&files, request).await?))
}

async fn staff_request_file(
    State(store): State<Store>,
    State(files): State<FileStore>,
    session: AdminSession,
    Path((client, id, file)): Path<(ClientId, RequestId, FileId)>,
) -> Reply<FileLinks> {
    session.require(Action::ActOnClient(client)).await?;
    request_file(&store, &files, client, id, file).await
}

// ---- A project's shared files, as the agency sees them ----

async fn staff_project_files(
    State(store): State<Store>,
    State(files): State<FileStore>,
    session: AdminSession,
    paging: Paging,
    Path((client, project)): Path<(ClientId, ProjectId)>,
) -> Reply<Page<FileSummary>> {
    session.require(Action::ActOnClient(client)).await?;
    list_project_files(&store, &files, client, project, &paging).await
}

async fn staff_project_file(
    State(store): State<Store>,
    State(files): State<FileStore>,
    session: AdminSession,
    Path((client, project, file)): Path<(ClientId, ProjectId, FileId)>,
) -> Reply<FileLinks> {
    session.require(Action::ActOnClient(client)).await?;
    let file = project_files::get(&store, client, project, file).await?;
    Ok(axum::Json(FileLinks::new(&files, &file).await?))
}

async fn staff_remove_project_file(
    State(store): State<Store>,
    State(files): State<FileStore>,
    session: AdminSession,
    Path((client, project, file)): Path<(ClientId, ProjectId, FileId)>,
) -> ApiResult<StatusCode> {
    let person = staff(&session, client).await?;
    project_files::remove(&store, &files, &person.actor, client, project, file).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---- The older single-request deliverable upload ----

type DeliverableId = ulid::Ulid;

async fn staff_deliverable_form(
    State(store): State<Store>,
    State(files): State<FileStore>,
    session: AdminSession,
    Path((client, project, deliverable)): Path<(ClientId, ProjectId, DeliverableId)>,
    Json(input): Json<UploadRequest>,
) -> Reply<UploadForm> {
    let person = staff(&session, client).await?;
    Ok(axum::Json(form_uploads::upload_form(&store, &files, &person, client, project, deliverable, input).await?))
}

async fn staff_confirm_deliverable_form(
    State(store): State<Store>,
    State(files): State<FileStore>,
    State(config): State<Arc<Config>>,
    session: AdminSession,
    Path((client, project, deliverable)): Path<(ClientId, ProjectId, DeliverableId)>,
    Json(input): Json<ConfirmUpload>,
) -> Created<crate::domain::Deliverable> {
    let person = staff(&session, client).await?;
    let recorded =
        form_uploads::confirm_upload(&store, &files, &config, &person, (client, project), deliverable, input).await?;
    Ok((StatusCode::CREATED, axum::Json(recorded)))
}
