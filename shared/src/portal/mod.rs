//! What a signed-in client contact sees and does: projects, deliverables, meeting notes, the
//! message thread, the dashboard and the activity feed; and the routes of the `projects`,
//! `messages` and `dashboard` functions. Every service takes the `ClientId` from the verified
//! session and nothing else names a tenant; ids from the path only select *within* it.

pub mod dashboard;
pub mod deliverables;
mod markdown;
pub mod messages;
pub mod notes;
pub mod projects;
pub mod routes;
mod views;

pub use markdown::to_safe_html;
pub use messages::{MAX_MESSAGE_CHARS, MessageBody};
pub use views::{
    ActivityView, AuthorView, DeliverableView, MessageView, MilestoneView, NextMilestoneView, NoteSummaryView,
    NoteView, ProgressView, ProjectDetailView, ProjectSummaryView, ReviewView, VersionView,
};
