//! Projects and what hangs off them: milestones, deliverables, meeting notes.
//!
//! All under the client's partition, so one `begins_with(SK, "PROJECT#{pid}")` query returns a
//! project with all its children. Lists use two indexes: GSI1 `CLIENT#{cid}#PROJECTS` (every
//! project, newest first) and GSI2 `CLIENT#{cid}#PROJECTS#{status}` (one status), and the
//! sparse GSI1 `CLIENT#{cid}#DELIVERABLES` holds only deliverables clients can see, newest
//! change first.

use aws_sdk_dynamodb::types::TransactWriteItem;

use super::{Item, ListQuery, Store, StoreError, TableSpec, classify, from_item, keys, s, to_item};
use crate::domain::ClientId;
use crate::domain::{
    AuditEvent, Deliverable, MeetingNote, Milestone, MilestoneStatus, MilestoneSummary, NextMilestone, Project,
    ProjectStatus,
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
    /// A project item with its list index keys (GSI1, GSI2 by status).
    pub fn project_item(&self, project: &Project) -> Result<Item, StoreError> {
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

    /// The project item alone (one `GetItem`), without its children.
    pub async fn get_project(&self, client: ClientId, project: ulid::Ulid) -> Result<Option<Project>, StoreError> {
        self.get(keys::client(client), keys::project(project)).await
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

    pub fn milestone_item(&self, milestone: &Milestone) -> Result<Item, StoreError> {
        to_item(milestone, keys::client(milestone.client_id), keys::milestone(milestone.project_id, milestone.id), [])
    }

    pub fn note_item(&self, note: &MeetingNote) -> Result<Item, StoreError> {
        to_item(note, keys::client(note.client_id), keys::note(note.project_id, note.id), [])
    }

    /// A deliverable item; visible ones are also in the client's latest-deliverables index.
    pub fn deliverable_item(&self, deliverable: &Deliverable) -> Result<Item, StoreError> {
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

    /// Creates (`before` None: must not exist) or replaces (`before`: must exist) a project,
    /// with its audit event.
    pub async fn write_project(
        &self,
        project: &crate::domain::Project,
        before: Option<&crate::domain::Project>,
        audit: &AuditEvent,
    ) -> Result<(), StoreError> {
        let condition = if before.is_some() { "attribute_exists(PK)" } else { "attribute_not_exists(PK)" };
        let ops = vec![self.put_op(self.project_item(project)?, Some(condition))?, self.audit_put(audit)?];
        self.transact(ops).await
    }

    pub async fn write_milestone(
        &self,
        milestone: &crate::domain::Milestone,
        activity: Option<&crate::domain::Activity>,
        audit: &AuditEvent,
    ) -> Result<(), StoreError> {
        let item = to_item(
            milestone,
            keys::client(milestone.client_id),
            keys::milestone(milestone.project_id, milestone.id),
            [],
        )?;
        let mut ops = vec![self.put_op(item, None)?, self.audit_put(audit)?];
        if let Some(activity) = activity {
            ops.push(self.activity_put(activity)?);
        }
        self.transact(ops).await
    }

    /// Writes milestones' new positions, each only if its position is still the one read
    /// (`(milestone, position read)`), with one audit event: a reorder lands whole or not at all.
    pub async fn reposition_milestones(
        &self,
        moved: &[(crate::domain::Milestone, u32)],
        audit: &AuditEvent,
    ) -> Result<(), StoreError> {
        let mut ops = Vec::with_capacity(moved.len() + 1);
        for (milestone, seen) in moved {
            let update = aws_sdk_dynamodb::types::Update::builder()
                .table_name(&*self.table)
                .key("PK", s(keys::client(milestone.client_id)))
                .key("SK", s(keys::milestone(milestone.project_id, milestone.id)))
                .update_expression("SET #position = :new")
                .condition_expression("attribute_exists(PK) AND #position = :seen")
                .expression_attribute_names("#position", "position")
                .expression_attribute_values(":new", super::n(i64::from(milestone.position)))
                .expression_attribute_values(":seen", super::n(i64::from(*seen)))
                .build()
                .map_err(|e| StoreError::Other(e.to_string()))?;
            ops.push(TransactWriteItem::builder().update(update).build());
        }
        ops.push(self.audit_put(audit)?);
        self.transact(ops).await
    }

    /// Creates (`before` None) or replaces a deliverable if unchanged since `before` was read
    /// (optimistic concurrency), with its activity and audit event (admin writes): one
    /// transaction.
    pub async fn write_deliverable(
        &self,
        deliverable: &crate::domain::Deliverable,
        before: Option<&crate::domain::Deliverable>,
        activity: Option<&crate::domain::Activity>,
        audit: Option<&AuditEvent>,
    ) -> Result<(), StoreError> {
        self.write_deliverable_with(deliverable, before, activity, audit, Vec::new()).await
    }

    /// `write_deliverable` with more writes in the same transaction, after the deliverable,
    /// its audit event and activity (in that order).
    pub async fn write_deliverable_with(
        &self,
        deliverable: &crate::domain::Deliverable,
        before: Option<&crate::domain::Deliverable>,
        activity: Option<&crate::domain::Activity>,
        audit: Option<&AuditEvent>,
        extra: Vec<TransactWriteItem>,
    ) -> Result<(), StoreError> {
        let item = self.deliverable_item(deliverable)?;
        let put = match before {
            None => self.put_op(item, Some("attribute_not_exists(PK)"))?,
            Some(before) => {
                let seen = before
                    .updated_at
                    .format(&time::format_description::well_known::Rfc3339)
                    .map_err(|e| StoreError::Other(e.to_string()))?;
                let put = aws_sdk_dynamodb::types::Put::builder()
                    .table_name(&*self.table)
                    .set_item(Some(item))
                    .condition_expression("attribute_exists(PK) AND updated_at = :seen")
                    .expression_attribute_values(":seen", s(seen))
                    .build()
                    .map_err(|e| StoreError::Other(e.to_string()))?;
                TransactWriteItem::builder().put(put).build()
            }
        };
        let mut ops = vec![put];
        if let Some(audit) = audit {
            ops.push(self.audit_put(audit)?);
        }
        if let Some(activity) = activity {
            ops.push(self.activity_put(activity)?);
        }
        ops.extend(extra);
        self.transact(ops).await
    }

    pub async fn write_note(&self, note: &crate::domain::MeetingNote, audit: &AuditEvent) -> Result<(), StoreError> {
        let item = to_item(note, keys::client(note.client_id), keys::note(note.project_id, note.id), [])?;
        self.transact(vec![self.put_op(item, None)?, self.audit_put(audit)?]).await
    }

    pub async fn delete_note(
        &self,
        client: ClientId,
        project: ulid::Ulid,
        id: ulid::Ulid,
        audit: &AuditEvent,
    ) -> Result<(), StoreError> {
        let ops = vec![
            self.delete_op(keys::client(client), keys::note(project, id), Some("attribute_exists(PK)"))?,
            self.audit_put(audit)?,
        ];
        self.transact(ops).await
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
