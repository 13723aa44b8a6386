//! A client's projects: the list (optionally by status) and one project with its milestones,
//! delivered deliverables and meeting notes.

use crate::domain::{ClientId, Error, ProjectStatus};
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

pub async fn detail(store: &Store, client: ClientId, project: ulid::Ulid) -> Result<ProjectDetailView, Error> {
    let tree = store.get_project_tree(client, project).await?.ok_or(Error::NotFound)?;
    Ok(ProjectDetailView::new(tree, today()))
}
