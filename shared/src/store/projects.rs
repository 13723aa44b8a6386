//! Projects and what hangs off them: milestones, deliverables, meeting notes.
//!
//! All under the client's partition, so one `begins_with(SK, "PROJECT#{pid}")` query returns a
//! project with all its children. Lists use two indexes: GSI1 `CLIENT#{cid}#PROJECTS` (every
//! project, newest first) and GSI2 `CLIENT#{cid}#PROJECTS#{status}` (one status), and the
//! sparse GSI1 `CLIENT#{cid}#DELIVERABLES` holds only deliverables clients can see, newest
//! change first.

use super::{Item, ListQuery, Store, StoreError, TableSpec, classify, from_item, keys, s, to_item};
use crate::domain::ClientId;
use crate::models::{
    Deliverable, MeetingNote, Milestone, MilestoneStatus, MilestoneSummary, NextMilestone, Project, ProjectStatus,
};

/// A project with everything under it, as one query returns it.
#[derive(Debug, Clone)]
pub struct ProjectTree {
    pub project: Project,
    pub milestones: Vec<Milestone>,
    pub deliverables: Vec<Deliverable>,
    pub notes: Vec<MeetingNote>,
}

pub fn status_key(status: ProjectStatus) -> &'static str {
    match status {
        ProjectStatus::Planning => "planning",
        ProjectStatus::Active => "active",
        ProjectStatus::OnHold => "on_hold",
        ProjectStatus::Completed => "completed",
    }
}

fn other(e: impl std::fmt::Display) -> StoreError {
    StoreError::Other(e.to_string())
}

/// Sort key for "latest deliverables": zero-padded milliseconds, then the id.
fn deliverable_recency(deliverable: &Deliverable) -> String {
    let millis = deliverable.updated_at.unix_timestamp_nanos() / 1_000_000;
    format!("{millis:015}#{}", deliverable.id)
}

impl Store {
    /// Creates or replaces a project, keeping its index entries in step.
    pub async fn put_project(&self, project: &Project) -> Result<(), StoreError> {
        let item = self.project_item(project)?;
        self.db.put_item().table_name(&*self.table).set_item(Some(item)).send().await.map_err(classify)?;
        Ok(())
    }

    pub(crate) fn project_item(&self, project: &Project) -> Result<Item, StoreError> {
        let status = status_key(project.status);
        to_item(
            project,
            keys::client(project.client_id),
            keys::project(project.id),
            [
                ("GSI1PK", s(keys::projects_index(project.client_id))),
                ("GSI1SK", s(project.id.to_string())),
                ("GSI2PK", s(keys::projects_by_status_index(project.client_id, status))),
                ("GSI2SK", s(project.id.to_string())),
            ],
        )
    }

    pub async fn list_projects(
        &self,
        client: ClientId,
        status: Option<ProjectStatus>,
        limit: i32,
        start: Option<Item>,
    ) -> Result<(Vec<Project>, Option<Item>), StoreError> {
        let query = match status {
            None => ListQuery::index(TableSpec::GSI1, keys::projects_index(client)),
            Some(status) => {
                ListQuery::index(TableSpec::GSI2, keys::projects_by_status_index(client, status_key(status)))
            }
        };
        self.query_page(query, limit, start).await
    }

    /// The project and all its children in one query (following pages), or `None`.
    pub async fn get_project_tree(
        &self,
        client: ClientId,
        project: ulid::Ulid,
    ) -> Result<Option<ProjectTree>, StoreError> {
        let mut query = ListQuery::table(keys::client(client), &keys::project(project));
        query.newest_first = false;
        let items = self.query_all(query).await?;
        let mut header = None;
        let (mut milestones, mut deliverables, mut notes) = (Vec::new(), Vec::new(), Vec::new());
        let header_sk = keys::project(project);
        for item in items {
            let sk = item.get("SK").and_then(|v| v.as_s().ok()).cloned().unwrap_or_default();
            if sk == header_sk {
                header = Some(from_item::<Project>(item)?);
            } else if sk.contains("#MILESTONE#") {
                milestones.push(from_item(item)?);
            } else if sk.contains("#DELIVERABLE#") {
                deliverables.push(from_item(item)?);
            } else if sk.contains("#NOTE#") {
                notes.push(from_item(item)?);
            }
        }
        Ok(header.map(|project| ProjectTree { project, milestones, deliverables, notes }))
    }

    pub async fn get_deliverable(
        &self,
        client: ClientId,
        project: ulid::Ulid,
        id: ulid::Ulid,
    ) -> Result<Option<Deliverable>, StoreError> {
        self.get(keys::client(client), keys::deliverable(project, id)).await
    }

    pub async fn get_note(
        &self,
        client: ClientId,
        project: ulid::Ulid,
        id: ulid::Ulid,
    ) -> Result<Option<MeetingNote>, StoreError> {
        self.get(keys::client(client), keys::note(project, id)).await
    }

    pub async fn put_milestone(&self, milestone: &Milestone) -> Result<(), StoreError> {
        let item = to_item(
            milestone,
            keys::client(milestone.client_id),
            keys::milestone(milestone.project_id, milestone.id),
            [],
        )?;
        self.db.put_item().table_name(&*self.table).set_item(Some(item)).send().await.map_err(classify)?;
        Ok(())
    }

    pub async fn put_note(&self, note: &MeetingNote) -> Result<(), StoreError> {
        let item = to_item(note, keys::client(note.client_id), keys::note(note.project_id, note.id), [])?;
        self.db.put_item().table_name(&*self.table).set_item(Some(item)).send().await.map_err(classify)?;
        Ok(())
    }

    pub(crate) fn deliverable_item(&self, deliverable: &Deliverable) -> Result<Item, StoreError> {
        // Only deliverables clients can see are in the "latest deliverables" index.
        let index = deliverable.is_visible_to_client().then(|| {
            [
                ("GSI1PK", s(keys::deliverables_index(deliverable.client_id))),
                ("GSI1SK", s(deliverable_recency(deliverable))),
            ]
        });
        to_item(
            deliverable,
            keys::client(deliverable.client_id),
            keys::deliverable(deliverable.project_id, deliverable.id),
            index.into_iter().flatten(),
        )
    }

    pub async fn put_deliverable(&self, deliverable: &Deliverable) -> Result<(), StoreError> {
        let item = self.deliverable_item(deliverable)?;
        self.db.put_item().table_name(&*self.table).set_item(Some(item)).send().await.map_err(classify)?;
        Ok(())
    }

    /// The client's most recently changed visible deliverables.
    pub async fn latest_deliverables(&self, client: ClientId, limit: i32) -> Result<Vec<Deliverable>, StoreError> {
        let (items, _) =
            self.query_page(ListQuery::index(TableSpec::GSI1, keys::deliverables_index(client)), limit, None).await?;
        Ok(items)
    }

    /// Recomputes the milestone counts kept on the project item.
    pub async fn refresh_project_summary(&self, client: ClientId, project: ulid::Ulid) -> Result<(), StoreError> {
        let mut query = ListQuery::table(keys::client(client), &format!("{}#MILESTONE#", keys::project(project)));
        query.newest_first = false;
        let milestones: Vec<Milestone> =
            self.query_all(query).await?.into_iter().map(from_item).collect::<Result<_, _>>()?;
        let summary = summarise(&milestones);
        let value = serde_dynamo::to_attribute_value(&summary).map_err(other)?;
        self.db
            .update_item()
            .table_name(&*self.table)
            .key("PK", s(keys::client(client)))
            .key("SK", s(keys::project(project)))
            .update_expression("SET milestones = :summary")
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_values(":summary", value)
            .send()
            .await
            .map_err(classify)?;
        Ok(())
    }
}

/// Done/total and the next pending milestone (earliest due date, undated last, then position).
pub fn summarise(milestones: &[Milestone]) -> MilestoneSummary {
    let done = milestones.iter().filter(|m| m.status == MilestoneStatus::Done).count();
    let next = milestones
        .iter()
        .filter(|m| m.status == MilestoneStatus::Pending)
        .min_by_key(|m| (m.due_date.is_none(), m.due_date, m.position))
        .map(|m| NextMilestone { id: m.id, title: m.title.clone(), due_date: m.due_date });
    MilestoneSummary {
        total: u32::try_from(milestones.len()).unwrap_or(u32::MAX),
        done: u32::try_from(done).unwrap_or(u32::MAX),
        next,
    }
}
