//! The privacy routes, served by the `admin` function (merged into its router): agency owners
//! export or erase a contact. Route strings are the paths of `template.yaml`.

use axum::Router;
use axum::extract::{FromRef, State};
use axum::routing::{get, post};
use serde::Deserialize;

use super::{ContactExport, Erasure, erase, export};
use crate::auth::{AgencyOwner, Sessions};
use crate::domain::{ClientId, ContactId};
use crate::files::FileStore;
use crate::http::{ApiResult, Json, Path};
use crate::store::Store;

pub fn privacy<S: Clone + Send + Sync + 'static>() -> Router<S>
where
    Store: FromRef<S>,
    FileStore: FromRef<S>,
    Sessions: FromRef<S>,
{
    Router::new()
        .route("/api/admin/clients/{clientId}/contacts/{contactId}/export", get(export_contact))
        .route("/api/admin/clients/{clientId}/contacts/{contactId}/erase", post(erase_contact))
}

async fn export_contact(
    State(store): State<Store>,
    State(files): State<FileStore>,
    _: AgencyOwner,
    Path((c, id)): Path<(ClientId, ContactId)>,
) -> ApiResult<axum::Json<ContactExport>> {
    Ok(axum::Json(export(&store, &files, c, id).await?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EraseRequest {
    confirm_email: String,
}

async fn erase_contact(
    State(store): State<Store>,
    AgencyOwner(actor): AgencyOwner,
    Path((c, id)): Path<(ClientId, ContactId)>,
    Json(request): Json<EraseRequest>,
) -> ApiResult<axum::Json<Erasure>> {
    Ok(axum::Json(erase(&store, &actor, c, id, &request.confirm_email).await?))
}
