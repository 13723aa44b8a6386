//! Deliverables: creating one and delivering its newest version to the client (files arrive
//! through `files`: an upload into the deliverable, or the older single-request form).

use serde::Deserialize;
use time::OffsetDateTime;

use super::{Actor, optional_text, text};
use crate::config::Config;
use crate::domain::{Activity, ActivityKind, ClientId, Deliverable, DeliverableStatus, Error};

use crate::store::{Store, StoreError};

/// A deliverable's description, as clients read it.
pub const MAX_DESCRIPTION_CHARS: usize = 2000;

#[derive(Debug, Deserialize)]
pub struct NewDeliverable {
    pub name: String,
    #[serde(default)]
    pub description: String,
}

pub async fn create(
    store: &Store,
    actor: &Actor,
    client_id: ClientId,
    project_id: ulid::Ulid,
    input: NewDeliverable,
) -> Result<Deliverable, Error> {
    super::projects::tree(store, client_id, project_id).await?;
    let now = OffsetDateTime::now_utc();
    let deliverable = Deliverable {
        id: ulid::Ulid::new(),
        project_id,
        client_id,
        name: text(&input.name, "name", 200)?,
        description: optional_text(&input.description, "description", MAX_DESCRIPTION_CHARS)?,
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
    store.write_deliverable(&deliverable, None, None, Some(&audit)).await?;
    Ok(deliverable)
}

async fn get(store: &Store, client_id: ClientId, project_id: ulid::Ulid, id: ulid::Ulid) -> Result<Deliverable, Error> {
    store.get_deliverable(client_id, project_id, id).await?.ok_or(Error::NotFound)
}

fn conflict_on_cancel(error: StoreError) -> Error {
    match error {
        StoreError::Cancelled(_) | StoreError::ConditionFailed => Error::Conflict {
            code: "deliverable_changed",
            message: "This deliverable changed meanwhile. Reload and try again.".into(),
        },
        other => other.into(),
    }
}

/// Delivers the newest undelivered version: the client sees it, and its contacts get an email.
pub async fn deliver(
    store: &Store,
    config: &Config,
    actor: &Actor,
    client_id: ClientId,
    project_id: ulid::Ulid,
    id: ulid::Ulid,
) -> Result<Deliverable, Error> {
    let before = get(store, client_id, project_id, id).await?;
    let now = OffsetDateTime::now_utc();
    let mut after = before.clone();
    let version =
        after.versions.iter_mut().filter(|v| v.delivered_at.is_none()).max_by_key(|v| v.number).ok_or_else(|| {
            Error::Conflict { code: "nothing_to_deliver", message: "Upload a new version first.".into() }
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
        &config.agency_name,
        format!("{} delivered {} (v{number})", config.agency_name, after.name),
    )
    .by(actor.side(), actor.person_id());
    let audit = actor.audit(Some(client_id), "deliverable.deliver", format!("deliverable:{id}"), format!("v{number}"));
    store.write_deliverable(&after, Some(&before), Some(&activity), Some(&audit)).await.map_err(conflict_on_cancel)?;
    Ok(after)
}
