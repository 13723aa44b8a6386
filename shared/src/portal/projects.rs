//! A client's projects: the list (optionally by status) and one project with its milestones,
//! delivered deliverables and meeting notes.

use crate::domain::{ClientId, DeliverableVersion, Error, ProjectStatus};
use crate::files::{FileStore, previewable};
use crate::store::{Item, Store};

use super::views::{ProjectDetailView, ProjectSummaryView, today};

pub async fn list(
    store: &Store,
    client: ClientId,
    status: Option<ProjectStatus>,
    limit: i32,
    start: Option<Item>,
) -> Result<(Vec<ProjectSummaryView>, Option<Item>), Error> {
    let (projects, last) = store.list_projects(client, status, limit, start).await?;
    let today = today();
    Ok((projects.iter().map(|p| ProjectSummaryView::new(p, today)).collect(), last))
}

/// One project; delivered images get a thumbnail link (signed locally: no request to S3).
pub async fn detail(
    store: &Store,
    files: &FileStore,
    client: ClientId,
    project: ulid::Ulid,
) -> Result<ProjectDetailView, Error> {
    let tree = store.get_project_tree(client, project).await?.ok_or(Error::NotFound)?;
    let images: Vec<(ulid::Ulid, DeliverableVersion)> = tree
        .deliverables
        .iter()
        .filter(|d| d.is_visible_to_client())
        .filter_map(|d| d.latest_delivered().map(|v| (d.id, v.clone())))
        .filter(|(_, v)| v.content_type.starts_with("image/") && previewable(&v.content_type))
        .collect();
    let mut view = ProjectDetailView::new(tree, today());
    for (id, version) in images {
        let (url, _) = files.preview_link(&version.s3_key, &version.filename, &version.content_type).await?;
        if let Some(d) = view.deliverables.iter_mut().find(|d| d.id == id) {
            d.thumbnail_url = Some(url);
        }
    }
    Ok(view)
}
