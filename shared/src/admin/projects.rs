//! Projects and their milestones.

use serde::Deserialize;
use time::{Date, OffsetDateTime};

use super::{Actor, InProject, change, double_option, not_found_on_cancel, optional_text, text};
use crate::domain::{
    Activity, ActivityKind, ClientId, Error, HarvestProjectLink, Milestone, MilestoneStatus, Project, ProjectStatus,
};
use crate::store::{Item, ProjectTree, Store, StoreError};

/// A project's summary, as clients read it on the project page.
pub const MAX_SUMMARY_CHARS: usize = 2000;
/// Most milestones one move may renumber: a DynamoDB transaction holds 100 writes, one of them
/// the audit event.
pub const MAX_MILESTONES: usize = 99;

#[derive(Debug, Deserialize)]
pub struct NewProject {
    pub name: String,
    #[serde(default)]
    pub status: Option<ProjectStatus>,
    #[serde(default)]
    pub start_date: Option<Date>,
    #[serde(default)]
    pub due_date: Option<Date>,
    #[serde(default)]
    pub summary: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct ProjectPatch {
    pub name: Option<String>,
    pub status: Option<ProjectStatus>,
    #[serde(default, deserialize_with = "double_option")]
    pub start_date: Option<Option<Date>>,
    #[serde(default, deserialize_with = "double_option")]
    pub due_date: Option<Option<Date>>,
    pub summary: Option<String>,
    /// Links the project to a Harvest project of the client's Harvest client (its budget);
    /// `null` unlinks.
    #[serde(default, deserialize_with = "double_option")]
    pub harvest_project_id: Option<Option<u64>>,
}

fn check_dates(start: Option<Date>, due: Option<Date>) -> Result<(), Error> {
    match (start, due) {
        (Some(start), Some(due)) if due < start => {
            Err(Error::invalid("invalid_dates", "The due date cannot be before the start date."))
        }
        _ => Ok(()),
    }
}

pub async fn create(store: &Store, actor: &Actor, client_id: ClientId, input: NewProject) -> Result<Project, Error> {
    super::clients::get(store, client_id).await?;
    check_dates(input.start_date, input.due_date)?;
    let project = Project {
        id: ulid::Ulid::new(),
        client_id,
        name: text(&input.name, "name", 200)?,
        status: input.status.unwrap_or(ProjectStatus::Planning),
        start_date: input.start_date,
        due_date: input.due_date,
        summary: optional_text(&input.summary, "summary", MAX_SUMMARY_CHARS)?,
        milestones: Default::default(),
        harvest_project: None,
        created_at: OffsetDateTime::now_utc(),
    };
    let audit = actor.audit(Some(client_id), "project.create", format!("project:{}", project.id), project.name.clone());
    store.write_project(&project, None, &audit).await.map_err(not_found_on_cancel)?;
    Ok(project)
}

/// A client's projects, newest first (404 for a client that does not exist).
pub async fn list(
    store: &Store,
    client_id: ClientId,
    limit: i32,
    start: Option<Item>,
) -> Result<(Vec<Project>, Option<Item>), Error> {
    super::clients::get(store, client_id).await?;
    Ok(store.list_projects(client_id, None, limit, start).await?)
}

/// A project with everything under it; not found unless it is this client's.
pub async fn tree(store: &Store, client_id: ClientId, id: ulid::Ulid) -> Result<ProjectTree, Error> {
    store.get_project_tree(client_id, id).await?.ok_or(Error::NotFound)
}

pub async fn update(
    store: &Store,
    actor: &Actor,
    client_id: ClientId,
    id: ulid::Ulid,
    patch: ProjectPatch,
    harvest: Option<Option<HarvestProjectLink>>,
) -> Result<Project, Error> {
    let before = tree(store, client_id, id).await?.project;
    let mut after = before.clone();
    if let Some(name) = &patch.name {
        after.name = text(name, "name", 200)?;
    }
    if let Some(status) = patch.status {
        after.status = status;
    }
    if let Some(start) = patch.start_date {
        after.start_date = start;
    }
    if let Some(due) = patch.due_date {
        after.due_date = due;
    }
    if let Some(summary) = &patch.summary {
        after.summary = optional_text(summary, "summary", MAX_SUMMARY_CHARS)?;
    }
    if let Some(link) = harvest {
        after.harvest_project = link;
    }
    check_dates(after.start_date, after.due_date)?;
    let mut changes = Vec::new();
    change(&mut changes, "name", &before.name, &after.name);
    change(&mut changes, "status", &before.status, &after.status);
    change(&mut changes, "start_date", &before.start_date, &after.start_date);
    change(&mut changes, "due_date", &before.due_date, &after.due_date);
    change(&mut changes, "summary", &before.summary, &after.summary);
    let harvest_name = |p: &Project| p.harvest_project.as_ref().map(|l| format!("{} ({})", l.name, l.id));
    change(&mut changes, "harvest_project", &harvest_name(&before), &harvest_name(&after));
    if changes.is_empty() {
        return Ok(before);
    }
    let audit = actor.audit(Some(client_id), "project.update", format!("project:{id}"), changes.join("; "));
    store.write_project(&after, Some(&before), &audit).await.map_err(not_found_on_cancel)?;
    Ok(after)
}

#[derive(Debug, Deserialize)]
pub struct MilestoneInput {
    pub title: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    pub due_date: Option<Option<Date>>,
    pub status: Option<MilestoneStatus>,
    pub position: Option<u32>,
}

/// Moves a milestone to index `to` of the project's timeline (0 = first) and renumbers the
/// timeline 0, 1, 2… in one transaction with one audit event. Answers the timeline in its new
/// order. If anyone reordered meanwhile, nothing is written and the answer is a 409.
pub async fn move_milestone(
    store: &Store,
    actor: &Actor,
    InProject { client_id, project_id }: InProject,
    id: ulid::Ulid,
    to: usize,
) -> Result<Vec<Milestone>, Error> {
    let mut timeline = tree(store, client_id, project_id).await?.milestones;
    timeline.sort_by_key(Milestone::timeline_key);
    let from = timeline.iter().position(|m| m.id == id).ok_or(Error::NotFound)?;
    let moved = reorder(&mut timeline, from, to)?;
    if moved.is_empty() {
        return Ok(timeline);
    }
    let title = &timeline[to].title;
    let summary = format!("{title}: position {} → {}", from + 1, to + 1);
    let audit = actor.audit(Some(client_id), "milestone.move", format!("milestone:{id}"), summary);
    store.reposition_milestones(&moved, &audit).await.map_err(|error| match error {
        StoreError::Cancelled(_) | StoreError::ConditionFailed => Error::conflict(
            "milestones_changed",
            "Someone else changed these milestones meanwhile. Reload to see the current order.",
        ),
        other => other.into(),
    })?;
    Ok(timeline)
}

/// Moves `from` to `to` in `timeline` and numbers it 0, 1, 2…; answers the milestones whose
/// position changed, each with the position it had.
fn reorder(timeline: &mut Vec<Milestone>, from: usize, to: usize) -> Result<Vec<(Milestone, u32)>, Error> {
    if to >= timeline.len() {
        return Err(Error::invalid(
            "invalid_position",
            format!("`to` must be a place in the timeline, from 0 to {}.", timeline.len().saturating_sub(1)),
        ));
    }
    if timeline.len() > MAX_MILESTONES {
        return Err(Error::invalid(
            "too_many_milestones",
            format!("Projects with more than {MAX_MILESTONES} milestones cannot be reordered."),
        ));
    }
    let milestone = timeline.remove(from);
    timeline.insert(to, milestone);
    let mut moved = Vec::new();
    for (index, milestone) in timeline.iter_mut().enumerate() {
        let position = u32::try_from(index).unwrap_or(u32::MAX);
        if milestone.position != position {
            moved.push((Milestone { position, ..milestone.clone() }, milestone.position));
            milestone.position = position;
        }
    }
    Ok(moved)
}

/// Creates (`id` None) or edits a milestone; marking one done records `completed_at` and an
/// activity event the client sees. The project's milestone summary is refreshed after.
pub async fn save_milestone(
    store: &Store,
    actor: &Actor,
    InProject { client_id, project_id }: InProject,
    (id, input): (Option<ulid::Ulid>, MilestoneInput),
    agency_name: &str,
) -> Result<Milestone, Error> {
    let tree = tree(store, client_id, project_id).await?;
    let before =
        id.map(|id| tree.milestones.iter().find(|m| m.id == id).cloned().ok_or(Error::NotFound)).transpose()?;
    let mut after = before.clone().unwrap_or_else(|| Milestone {
        id: ulid::Ulid::new(),
        project_id,
        client_id,
        title: String::new(),
        due_date: None,
        status: MilestoneStatus::Pending,
        completed_at: None,
        position: u32::try_from(tree.milestones.len()).unwrap_or(u32::MAX),
    });
    match (&input.title, &before) {
        (Some(title), _) => after.title = text(title, "title", 200)?,
        (None, None) => return Err(Error::invalid("invalid_field", "`title` is required.")),
        (None, Some(_)) => {}
    }
    if let Some(due) = input.due_date {
        after.due_date = due;
    }
    if let Some(position) = input.position {
        after.position = position;
    }
    if let Some(status) = input.status {
        after.status = status;
        after.completed_at = match status {
            MilestoneStatus::Done => after.completed_at.or(Some(OffsetDateTime::now_utc())),
            MilestoneStatus::Pending => None,
        };
    }
    let completed =
        after.status == MilestoneStatus::Done && before.as_ref().is_none_or(|b| b.status != MilestoneStatus::Done);
    let activity = completed.then(|| {
        Activity::new(
            client_id,
            ActivityKind::MilestoneCompleted,
            Some(project_id),
            Some(after.id),
            agency_name,
            format!("Milestone reached: {} ({})", after.title, tree.project.name),
        )
        .by(actor.side(), actor.person_id())
    });
    let action = if before.is_some() { "milestone.update" } else { "milestone.create" };
    let mut changes = Vec::new();
    if let Some(before) = &before {
        change(&mut changes, "title", &before.title, &after.title);
        change(&mut changes, "due_date", &before.due_date, &after.due_date);
        change(&mut changes, "status", &before.status, &after.status);
        change(&mut changes, "position", &before.position, &after.position);
        if changes.is_empty() {
            return Ok(after);
        }
    } else {
        changes.push(after.title.clone());
    }
    let audit = actor.audit(Some(client_id), action, format!("milestone:{}", after.id), changes.join("; "));
    store.write_milestone(&after, activity.as_ref(), &audit).await?;
    store.refresh_project_summary(client_id, project_id).await?;
    Ok(after)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn timeline(positions: &[u32]) -> Vec<Milestone> {
        let client_id = ClientId::new();
        let project_id = ulid::Ulid::new();
        positions
            .iter()
            .enumerate()
            .map(|(n, position)| Milestone {
                id: ulid::Ulid::new(),
                project_id,
                client_id,
                title: format!("m{n}"),
                due_date: None,
                status: MilestoneStatus::Pending,
                completed_at: None,
                position: *position,
            })
            .collect()
    }

    fn titles(milestones: &[Milestone]) -> Vec<&str> {
        milestones.iter().map(|m| m.title.as_str()).collect()
    }

    #[test]
    fn a_move_renumbers_the_timeline_and_reports_what_changed() {
        let mut list = timeline(&[0, 1, 2, 3]);
        let moved = reorder(&mut list, 3, 1).unwrap();
        assert_eq!(titles(&list), ["m0", "m3", "m1", "m2"]);
        assert_eq!(list.iter().map(|m| m.position).collect::<Vec<_>>(), [0, 1, 2, 3]);
        let changes: Vec<(&str, u32, u32)> =
            moved.iter().map(|(m, was)| (m.title.as_str(), *was, m.position)).collect();
        assert_eq!(changes, [("m3", 3, 1), ("m1", 1, 2), ("m2", 2, 3)]);
    }

    #[test]
    fn gaps_and_ties_are_numbered_away_and_a_no_op_writes_nothing() {
        let mut list = timeline(&[5, 5, 9]);
        let moved = reorder(&mut list, 0, 0).unwrap();
        assert_eq!(list.iter().map(|m| m.position).collect::<Vec<_>>(), [0, 1, 2]);
        assert_eq!(moved.len(), 3, "old positions 5, 5, 9 all change");
        let mut tidy = timeline(&[0, 1]);
        assert!(reorder(&mut tidy, 1, 1).unwrap().is_empty());
    }

    #[test]
    fn a_place_outside_the_timeline_is_refused() {
        let mut list = timeline(&[0, 1]);
        assert!(matches!(reorder(&mut list, 0, 2), Err(Error::Invalid { code: "invalid_position", .. })));
        assert_eq!(titles(&list), ["m0", "m1"], "nothing moved");
    }
}
