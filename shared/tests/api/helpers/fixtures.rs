//! Content for tests: a client company with enough in it to exercise every client route.

use devkit::fake_harvest::FakeHarvest;
use shared::domain::{Client, Contact};

use super::TestApp;

/// A client company with enough content to exercise every client route.
pub struct Tenant {
    pub client: Client,
    pub contact: Contact,
    pub colleague: Contact,
    pub project: shared::domain::Project,
    pub other_project: shared::domain::Project,
    pub deliverable: shared::domain::Deliverable,
    /// Has a version, but nothing delivered: clients must not see it.
    pub hidden_deliverable: shared::domain::Deliverable,
    pub note: shared::domain::MeetingNote,
    pub overdue_milestone: shared::domain::Milestone,
    /// Harvest invoice id, once `link_tenant_to_harvest` ran.
    pub invoice_id: u64,
    /// Two sent Harvest estimates (one for accepting, one for declining), once
    /// `link_tenant_to_harvest` ran.
    pub estimate_id: u64,
    pub estimate_to_decline: u64,
    pub files: TenantFiles,
}

/// Files both ways, in every state a route can name.
pub struct TenantFiles {
    /// An open file request with two files from the lead contact.
    pub request: shared::domain::FileRequest,
    /// Another open request with one file, ready to be marked done.
    pub submittable: shared::domain::FileRequest,
    /// A file the lead contact shared in `project`.
    pub shared_file: shared::domain::SharedFile,
    /// Uploads into `project`'s shared files: started by the lead contact (no part sent yet;
    /// every part sent) and by the agency (the same two).
    pub upload: ulid::Ulid,
    pub ready_upload: ulid::Ulid,
    pub staff_upload: ulid::Ulid,
    pub staff_ready_upload: ulid::Ulid,
}

/// What the fixtures' files contain: a PDF by its first bytes.
const FIXTURE_PDF: &[u8] = b"%PDF-1.4\n% fixture\n";

impl TestApp {
    /// Creates a tenant: an active project with milestones (done, overdue, upcoming), a
    /// deliverable with two delivered versions whose files are in S3, an undelivered one, a
    /// note, and a completed project.
    pub async fn tenant(&self, name: &str) -> Tenant {
        use shared::domain::*;
        let store = &self.state.store;
        let client = self.add_client(name).await;
        let slug: String = name.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_lowercase();
        let contact = self.add_contact(&client, &format!("{slug}-lead")).await;
        let colleague = self.add_contact(&client, &format!("{slug}-colleague")).await;
        let now = time::OffsetDateTime::now_utc();
        let day = |offset: i64| (now + time::Duration::days(offset)).date();
        let project = Project {
            id: ulid::Ulid::new(),
            client_id: client.id,
            name: format!("{name} website"),
            status: ProjectStatus::Active,
            start_date: Some(day(-30)),
            due_date: Some(day(30)),
            summary: "New website".into(),
            milestones: MilestoneSummary::default(),
            harvest_project: None,
            created_at: now,
        };
        devkit::insert(store, store.project_item(&project).unwrap()).await.unwrap();
        let other_project = Project {
            id: ulid::Ulid::new(),
            name: format!("{name} brand"),
            status: ProjectStatus::Completed,
            ..project.clone()
        };
        devkit::insert(store, store.project_item(&other_project).unwrap()).await.unwrap();
        let milestone = |title: &str, due: i64, status: MilestoneStatus, position: u32| Milestone {
            id: ulid::Ulid::new(),
            project_id: project.id,
            client_id: client.id,
            title: title.into(),
            due_date: Some(day(due)),
            status,
            completed_at: (status == MilestoneStatus::Done).then_some(now),
            position,
        };
        let done = milestone("Discovery", -20, MilestoneStatus::Done, 0);
        let overdue_milestone = milestone("Design sign-off", -2, MilestoneStatus::Pending, 1);
        let upcoming = milestone("Launch", 25, MilestoneStatus::Pending, 2);
        for m in [&upcoming, &done, &overdue_milestone] {
            devkit::insert(store, store.milestone_item(m).unwrap()).await.unwrap();
        }
        store.refresh_project_summary(client.id, project.id).await.unwrap();

        let deliverable_id = ulid::Ulid::new();
        let mut versions = Vec::new();
        for number in 1..=2u32 {
            let key = format!("clients/{}/d/{deliverable_id}/v{number}/home.txt", client.id);
            let body = format!("{name} homepage v{number}");
            self.state
                .files
                .client()
                .put_object()
                .bucket(&self.state.config.files_bucket)
                .key(&key)
                .body(body.clone().into_bytes().into())
                .send()
                .await
                .unwrap();
            versions.push(DeliverableVersion {
                number,
                s3_key: key,
                filename: format!("Homepage v{number}.txt"),
                size: body.len() as u64,
                content_type: "text/plain".into(),
                uploaded_at: now,
                delivered_at: Some(now),
            });
        }
        let deliverable = Deliverable {
            id: deliverable_id,
            project_id: project.id,
            client_id: client.id,
            name: "Homepage design".into(),
            description: "Layouts".into(),
            status: DeliverableStatus::Delivered,
            versions,
            reviews: vec![],
            created_at: now,
            updated_at: now,
        };
        devkit::insert(store, store.deliverable_item(&deliverable).unwrap()).await.unwrap();
        let mut hidden_deliverable = deliverable.clone();
        hidden_deliverable.id = ulid::Ulid::new();
        hidden_deliverable.name = "Unreleased".into();
        hidden_deliverable.status = DeliverableStatus::InProgress;
        hidden_deliverable.versions.truncate(1);
        hidden_deliverable.versions[0].delivered_at = None;
        devkit::insert(store, store.deliverable_item(&hidden_deliverable).unwrap()).await.unwrap();
        let note = MeetingNote {
            id: ulid::Ulid::new(),
            project_id: project.id,
            client_id: client.id,
            title: "Kick-off".into(),
            meeting_date: day(-25),
            attendees: vec![contact.name.clone(), "Agency PM".into()],
            body_markdown: "## Goals\n\n- Faster site\n\n<script>alert('x')</script>\n\n[bad](javascript:alert(1))"
                .into(),
            created_at: now,
        };
        devkit::insert(store, store.note_item(&note).unwrap()).await.unwrap();
        let files = self.tenant_files(&client, &contact, &project).await;
        Tenant {
            files,
            client,
            contact,
            colleague,
            project,
            other_project,
            deliverable,
            hidden_deliverable,
            note,
            overdue_milestone,
            invoice_id: 0,
            estimate_id: 0,
            estimate_to_decline: 0,
        }
    }

    async fn tenant_files(
        &self,
        client: &shared::domain::Client,
        contact: &shared::domain::Contact,
        project: &shared::domain::Project,
    ) -> TenantFiles {
        use shared::domain::*;
        let store = &self.state.store;
        let s3 = self.state.files.client();
        let bucket = &self.state.config.files_bucket;
        let now = time::OffsetDateTime::now_utc();
        let file = |name: &str, request_id: Option<ulid::Ulid>| {
            let id = ulid::Ulid::new();
            SharedFile {
                id,
                client_id: client.id,
                project_id: Some(project.id),
                request_id,
                filename: name.into(),
                content_type: "application/pdf".into(),
                size: FIXTURE_PDF.len() as u64,
                s3_key: format!("clients/{}/files/{id}", client.id),
                uploaded_by: Actor::Contact(contact.id).label(),
                uploader_name: contact.name.clone(),
                uploaded_at: now,
            }
        };
        let request = |id: ulid::Ulid, title: &str, files: Vec<SharedFile>| FileRequest {
            id,
            client_id: client.id,
            project_id: Some(project.id),
            title: title.into(),
            details: "SVG please".into(),
            due_date: None,
            status: RequestStatus::Open,
            files,
            history: vec![],
            requested_by: "Agency PM".into(),
            created_at: now,
            updated_at: now,
        };
        let (request_id, submittable_id) = (ulid::Ulid::new(), ulid::Ulid::new());
        let open = request(
            request_id,
            "Brand assets",
            vec![file("logo.pdf", Some(request_id)), file("fonts.pdf", Some(request_id))],
        );
        let submittable = request(submittable_id, "Signed contract", vec![file("contract.pdf", Some(submittable_id))]);
        let shared_file = file("brief.pdf", None);
        for f in open.files.iter().chain(&submittable.files).chain([&shared_file]) {
            s3.put_object().bucket(bucket).key(&f.s3_key).body(FIXTURE_PDF.to_vec().into()).send().await.unwrap();
        }
        store.save_request(&open, None, vec![]).await.unwrap();
        store.save_request(&submittable, None, vec![]).await.unwrap();
        devkit::insert(store, store.project_file_item(&shared_file, project.id).unwrap()).await.unwrap();
        let upload = |by: String, send_parts: bool| async move {
            let mut upload = Upload {
                id: ulid::Ulid::new(),
                client_id: client.id,
                destination: Destination::Project { project_id: project.id },
                filename: "notes.pdf".into(),
                content_type: "application/pdf".into(),
                size: FIXTURE_PDF.len() as u64,
                part_size: 8 * 1024 * 1024,
                part_count: 1,
                s3_upload_id: None,
                status: UploadStatus::Uploading,
                uploaded_by: by,
                uploader_name: "Fixture".into(),
                created_at: now,
                expires_at: now + time::Duration::hours(24),
                reserved: false,
            };
            let s3_id = self.state.files.create_multipart(&upload.quarantine_key(), "application/pdf").await.unwrap();
            if send_parts {
                s3.upload_part()
                    .bucket(bucket)
                    .key(upload.quarantine_key())
                    .upload_id(&s3_id)
                    .part_number(1)
                    .body(FIXTURE_PDF.to_vec().into())
                    .send()
                    .await
                    .unwrap();
            }
            upload.s3_upload_id = Some(s3_id);
            store.create_upload(&upload).await.unwrap();
            upload.id
        };
        let contact_label = Actor::Contact(contact.id).label();
        let staff_label = Actor::Admin(AdminId::new()).label();
        TenantFiles {
            request: open,
            submittable,
            shared_file,
            upload: upload(contact_label.clone(), false).await,
            ready_upload: upload(contact_label, true).await,
            staff_upload: upload(staff_label.clone(), false).await,
            staff_ready_upload: upload(staff_label, true).await,
        }
    }

    /// Links the tenant to Harvest client `harvest_id` and has `fake` serve one open invoice
    /// (id `harvest_id * 10`) for it, its project's budget (Harvest project `harvest_id * 100`,
    /// linked) and two sent estimates.
    pub async fn link_tenant_to_harvest(&self, tenant: &mut Tenant, fake: &FakeHarvest, harvest_id: u64) {
        use devkit::harvest_fixtures::{BudgetSpec, EstimateSpec, Spec, budget_row, estimate, invoice, project};
        self.link_to_harvest(&mut tenant.client, harvest_id).await;
        let name = tenant.client.company_name.clone();
        let harvest_project = harvest_id * 100;
        tenant.project.harvest_project = Some(shared::domain::HarvestProjectLink {
            id: harvest_project,
            name: format!("{name} (Harvest)"),
            currency: Some("EUR".into()),
        });
        let store = &self.state.store;
        devkit::insert(store, store.project_item(&tenant.project).unwrap()).await.unwrap();
        fake.serve_projects(harvest_id, vec![project(harvest_project, "Website", harvest_id, &name, "EUR", "project")])
            .await;
        fake.serve_budget_report(vec![budget_row(&BudgetSpec {
            project_id: harvest_project,
            project_name: "Website",
            client_id: harvest_id,
            budget_by: "project",
            monthly: false,
            budget: Some("100.0"),
            spent: Some("25.5"),
            remaining: Some("74.5"),
        })])
        .await;
        (tenant.estimate_id, tenant.estimate_to_decline) = (harvest_id * 1000 + 7, harvest_id * 1000 + 9);
        let lines: &[(&str, &str, &str)] = &[("Work", "1", "500.00")];
        let sent = |id| EstimateSpec {
            id,
            number: "E-1",
            state: "sent",
            amount: "500.00",
            currency: "EUR",
            issued: -2,
            subject: "Next phase",
            lines,
        };
        let estimates = [sent(tenant.estimate_id), sent(tenant.estimate_to_decline)]
            .iter()
            .map(|s| estimate(harvest_id, &name, s))
            .collect();
        fake.serve_estimates(harvest_id, estimates).await;
        fake.accept_estimate_events(std::time::Duration::ZERO).await;
        tenant.invoice_id = harvest_id * 10;
        let spec = Spec {
            id: tenant.invoice_id,
            number: "T-1",
            state: "open",
            amount: "120.00",
            due_amount: "120.00",
            currency: "EUR",
            issued: -3,
            due: 27,
            paid: None,
            subject: "Retainer",
        };
        fake.serve_invoices(harvest_id, vec![invoice(harvest_id, &tenant.client.company_name, &spec)], 2000).await;
    }

    /// An agency message in the tenant's thread.
    pub async fn agency_message(&self, tenant: &Tenant, body: &str) -> shared::domain::Message {
        use shared::domain::*;
        let message = Message {
            id: ulid::Ulid::new(),
            client_id: tenant.client.id,
            author_kind: AuthorKind::Agency,
            author_id: AdminId::new().to_string(),
            author_name: "Agency PM".into(),
            body: body.into(),
            created_at: time::OffsetDateTime::now_utc(),
        };
        let activity = Activity::new(
            tenant.client.id,
            ActivityKind::MessagePosted,
            None,
            Some(message.id),
            "Agency PM",
            "Agency PM sent a message".into(),
        );
        self.state.store.post_message(&message, &activity, &tenant.client.company_name, None).await.unwrap();
        message
    }
}
