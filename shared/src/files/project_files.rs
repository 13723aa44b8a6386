//! A project's shared files: what the client's contacts upload (unless the agency switched
//! client uploads off) and what the agency puts there, both ways downloadable. Uploads arrive
//! through `transfers`; here are the list, the links and removal.

use crate::domain::{Actor, ClientId, Error, SharedFile};
use crate::store::{Item, Store};

use super::FileStore;

pub async fn list(
    store: &Store,
    client_id: ClientId,
    project_id: ulid::Ulid,
    limit: i32,
    start: Option<Item>,
) -> Result<(Vec<SharedFile>, Option<Item>), Error> {
    store.get_project(client_id, project_id).await?.ok_or(Error::NotFound)?;
    Ok(store.list_project_files(client_id, project_id, limit, start).await?)
}

pub async fn get(
    store: &Store,
    client_id: ClientId,
    project_id: ulid::Ulid,
    id: ulid::Ulid,
) -> Result<SharedFile, Error> {
    store.get_project_file(client_id, project_id, id).await?.ok_or(Error::NotFound)
}

/// Removes a shared file: the agency any, a contact only what a contact of theirs uploaded.
pub async fn remove(
    store: &Store,
    files: &FileStore,
    actor: &Actor,
    client_id: ClientId,
    project_id: ulid::Ulid,
    id: ulid::Ulid,
) -> Result<(), Error> {
    let file = get(store, client_id, project_id, id).await?;
    if matches!(actor, Actor::Contact(_)) && !file.from_client() {
        return Err(Error::Forbidden("Files the agency shared can be removed only by the agency."));
    }
    let audit = actor.audit(Some(client_id), "file.remove", format!("file:{id}"), file.filename.clone());
    store.delete_project_file(&file, &audit).await.map_err(|e| match e {
        crate::store::StoreError::Cancelled(_) | crate::store::StoreError::ConditionFailed => Error::NotFound,
        other => other.into(),
    })?;
    if let Err(error) = files.delete(&file.s3_key).await {
        tracing::warn!(%error, "removed file's object not deleted");
    }
    Ok(())
}
