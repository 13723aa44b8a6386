//! Development only, linked by the `portal` CLI, the benchmarks and the tests, never by a
//! Lambda function: the emulator's resources (moto server: what `template.yaml` creates in
//! AWS), the demo data, bulk loading, Harvest fixtures and the one fake Harvest, and the one
//! reader of the emulator's mailbox.

pub mod fake_harvest;
pub mod fake_ses;
pub mod mailbox;

/// A software passkey (`webauthn-authenticator-rs`) for the tests' WebAuthn ceremonies.
pub mod passkey {
    pub use webauthn_authenticator_rs::WebauthnAuthenticator;
    pub use webauthn_authenticator_rs::softpasskey::SoftPasskey;
}
mod schema;

pub use schema::create_table_if_missing;

use aws_sdk_s3::types::{CorsConfiguration, CorsRule, PublicAccessBlockConfiguration};
use time::OffsetDateTime;

use shared::domain::{
    Activity, ActivityKind, Admin, AuthorKind, Client, ClientStatus, Contact, Deliverable, DeliverableStatus,
    DeliverableVersion, MeetingNote, Message, Milestone, MilestoneStatus, Project, ProjectStatus, Review,
    ReviewDecision,
};
use shared::domain::{Actor, FileRequest, RequestEvent, RequestEventKind, RequestStatus, SharedFile};
use shared::domain::{AdminId, AuditEvent, ClientId, ContactId, ContactRole, EmailAddress, StaffRole};
use shared::store::{Item, Store, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum LocalError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Aws(String),
    #[error("bad demo data: {0}")]
    Data(String),
}

pub(crate) fn aws_error<E: std::error::Error + 'static>(error: E) -> LocalError {
    LocalError::Aws(aws_smithy_types::error::display::DisplayErrorContext(&error).to_string())
}

/// Creates the table, the private files bucket and the verified sender identity, skipping
/// whatever exists already.
pub async fn init_resources(
    store: &Store,
    s3: &aws_sdk_s3::Client,
    ses: &aws_sdk_sesv2::Client,
    bucket: &str,
    sender: &EmailAddress,
) -> Result<(), LocalError> {
    create_table_if_missing(store).await?;
    match s3.create_bucket().bucket(bucket).send().await {
        Ok(_) => {}
        Err(e)
            if e.as_service_error()
                .is_some_and(|se| se.is_bucket_already_owned_by_you() || se.is_bucket_already_exists()) => {}
        Err(e) => return Err(aws_error(e)),
    }
    s3.put_public_access_block()
        .bucket(bucket)
        .public_access_block_configuration(
            PublicAccessBlockConfiguration::builder()
                .block_public_acls(true)
                .ignore_public_acls(true)
                .block_public_policy(true)
                .restrict_public_buckets(true)
                .build(),
        )
        .send()
        .await
        .map_err(aws_error)?;
    match ses.create_email_identity().email_identity(sender.as_str()).send().await {
        Ok(_) => {}
        Err(e) if e.as_service_error().is_some_and(|se| se.is_already_exists_exception()) => {}
        Err(e) => return Err(aws_error(e)),
    }
    // The configuration set production mail names (bounce and complaint events), as the
    // template creates it.
    match ses.create_configuration_set().configuration_set_name(CONFIGURATION_SET).send().await {
        Ok(_) => Ok(()),
        // SES says AlreadyExistsException; the emulator names it ConfigurationSetAlreadyExists….
        Err(e)
            if e.as_service_error().is_some_and(|se| se.is_already_exists_exception())
                || aws_sdk_sesv2::error::ProvideErrorMetadata::code(&e)
                    .is_some_and(|code| code.contains("AlreadyExists")) =>
        {
            Ok(())
        }
        Err(e) => Err(aws_error(e)),
    }
}

/// The SES configuration set the emulated stack and the tests send through.
pub const CONFIGURATION_SET: &str = "portal-mail";

/// Lets the web app at `origin` PUT presigned parts and POST presigned uploads to the bucket and read the response, as
/// `template.yaml`'s `CorsConfiguration` does in AWS.
pub async fn allow_browser_uploads(s3: &aws_sdk_s3::Client, bucket: &str, origin: &str) -> Result<(), LocalError> {
    let rule = CorsRule::builder()
        .allowed_origins(origin)
        .allowed_methods("PUT")
        .allowed_methods("POST")
        .allowed_methods("GET")
        .allowed_headers("*")
        .expose_headers("ETag")
        .max_age_seconds(3000)
        .build()
        .map_err(aws_error)?;
    s3.put_bucket_cors()
        .bucket(bucket)
        .cors_configuration(CorsConfiguration::builder().cors_rules(rule).build().map_err(aws_error)?)
        .send()
        .await
        .map_err(aws_error)?;
    Ok(())
}

/// Writes many projects and messages with BatchWriteItem, 25 at a time, for benchmarks at
/// scale. (`post_message`'s transaction costs the emulator a copy of the whole table each
/// time, which makes it quadratic there; the items written are the same.)
pub async fn bulk_load(store: &Store, projects: &[Project], messages: &[Message]) -> Result<(), LocalError> {
    use aws_sdk_dynamodb::types::{PutRequest, WriteRequest};
    let mut items = Vec::with_capacity(projects.len() + messages.len());
    for project in projects {
        items.push(store.project_item(project)?);
    }
    for message in messages {
        items.push(store.message_item(message)?);
    }
    for chunk in items.chunks(25) {
        let mut pending: Vec<WriteRequest> = chunk
            .iter()
            .map(|item| {
                PutRequest::builder()
                    .set_item(Some(item.clone()))
                    .build()
                    .map(|put| WriteRequest::builder().put_request(put).build())
            })
            .collect::<Result<_, _>>()
            .map_err(aws_error)?;
        for _attempt in 0..10 {
            if pending.is_empty() {
                break;
            }
            let output = store
                .client()
                .batch_write_item()
                .request_items(store.table_name(), pending.clone())
                .send()
                .await
                .map_err(aws_error)?;
            pending = output.unprocessed_items.and_then(|mut u| u.remove(store.table_name())).unwrap_or_default();
        }
        if !pending.is_empty() {
            return Err(LocalError::Aws("BatchWriteItem kept leaving items unprocessed".into()));
        }
    }
    // The thread's counter, as `post_message` keeps it, so unread counts read as in production.
    let mut threads: std::collections::BTreeMap<ClientId, (usize, ulid::Ulid)> = Default::default();
    for message in messages {
        let entry = threads.entry(message.client_id).or_insert((0, message.id));
        entry.0 += 1;
        entry.1 = entry.1.max(message.id);
    }
    for (client, (count, newest)) in threads {
        store.add_to_thread_count(client, count as u64, newest).await?;
    }
    Ok(())
}

/// What `seed_demo` created, for printing.
#[derive(Debug, Default)]
pub struct SeedReport {
    pub already_seeded: bool,
    pub admin_email: String,
    /// An agency member assigned to the first client only.
    pub member_email: String,
    /// (company, contact emails)
    pub clients: Vec<(String, Vec<String>)>,
}

pub const DEMO_ADMIN_EMAIL: &str = "admin@agency.example";
const DEMO_ADMIN_NAME: &str = "Morgan Reyes";
pub const DEMO_MEMBER_EMAIL: &str = "sam@agency.example";
const DEMO_MEMBER_NAME: &str = "Sam Ito";

/// Demo data that fills every page: an admin; two client companies with two contacts each;
/// projects in every state with done, due and overdue milestones (dates relative to today);
/// deliverables with two versions whose small files really are in S3; reviews; Markdown
/// meeting notes; a message thread; the activity those produced.
/// Idempotent: a second run sees the admin and leaves everything alone.
pub async fn seed_demo(store: &Store, s3: &aws_sdk_s3::Client, bucket: &str) -> Result<SeedReport, LocalError> {
    let admin_email = email(DEMO_ADMIN_EMAIL)?;
    let mut report = SeedReport { admin_email: admin_email.to_string(), ..SeedReport::default() };
    if store.get_email_claim(&admin_email).await?.is_some() {
        report.already_seeded = true;
        return Ok(report);
    }
    let admin = Admin {
        id: AdminId::new(),
        name: DEMO_ADMIN_NAME.into(),
        email: admin_email,
        role: StaffRole::Owner,
        created_at: ago(90),
    };
    insert_admin(store, &admin).await?;
    // An agency member who sees Northwind only: what a member's console looks like.
    let member = Admin {
        id: AdminId::new(),
        name: DEMO_MEMBER_NAME.into(),
        email: email(DEMO_MEMBER_EMAIL)?,
        role: StaffRole::Member,
        created_at: ago(60),
    };
    insert_admin(store, &member).await?;
    let seed = Seeder { store, s3, bucket, admin: &admin };
    let (northwind, northwind_contacts) = seed.northwind().await?;
    store
        .assign(northwind, member.id, &seed_audit(Some(northwind), "client.assign", format!("admin:{}", member.id)))
        .await?;
    report.clients.push(northwind_contacts);
    report.clients.push(seed.globex().await?.1);
    report.member_email = DEMO_MEMBER_EMAIL.to_owned();
    // The demo's history is history: announce only what people do from now on.
    loop {
        let pending = store.outbox(100).await?;
        if pending.is_empty() {
            break;
        }
        for event in &pending {
            store.clear_outbox(event).await?;
        }
    }
    Ok(report)
}

/// Demo records are written as the seeding operator did them, so the audit log shows them.
fn seed_audit(client: Option<ClientId>, action: &str, target: String) -> AuditEvent {
    AuditEvent::new(client, "operator:seed".to_owned(), action, target)
}

/// Writes one item as it is, unaudited: demo and test data (whose dates may lie in the past).
/// Build the item with the store's own conversions (`store.client_item(…)` and the like).
pub async fn insert(store: &Store, item: Item) -> Result<(), LocalError> {
    store.client().put_item().table_name(store.table_name()).set_item(Some(item)).send().await.map_err(aws_error)?;
    Ok(())
}

/// Adds a contact with its email claim, as the seeding operator.
pub async fn insert_contact(store: &Store, contact: &Contact) -> Result<(), LocalError> {
    let audit = seed_audit(Some(contact.client_id), "contact.create", format!("contact:{}", contact.id));
    Ok(store.create_contact(contact, &audit).await?)
}

/// Adds an admin with their email claim, as the seeding operator.
pub async fn insert_admin(store: &Store, admin: &Admin) -> Result<(), LocalError> {
    Ok(store.create_admin(admin, &seed_audit(None, "admin.create", format!("admin:{}", admin.id))).await?)
}

fn email(raw: &str) -> Result<EmailAddress, LocalError> {
    EmailAddress::parse(raw).map_err(|_| LocalError::Data(raw.to_owned()))
}

fn ago(days: i64) -> OffsetDateTime {
    OffsetDateTime::now_utc() - time::Duration::days(days)
}

fn day(offset: i64) -> time::Date {
    (OffsetDateTime::now_utc() + time::Duration::days(offset)).date()
}

struct Seeder<'a> {
    store: &'a Store,
    s3: &'a aws_sdk_s3::Client,
    bucket: &'a str,
    admin: &'a Admin,
}

/// A file version to upload: name, content type, bytes, delivered?
type FileSpec = (&'static str, &'static str, Vec<u8>, bool);

impl Seeder<'_> {
    async fn client(&self, name: &str, contacts: [(&str, &str); 2]) -> Result<(Client, Vec<Contact>), LocalError> {
        let client = Client {
            id: ClientId::new(),
            company_name: name.into(),
            status: ClientStatus::Active,
            portal_enabled: true,
            harvest_client_id: None,
            uploads_enabled: true,
            budget_display: Default::default(),
            created_at: ago(120),
        };
        insert(self.store, self.store.client_item(&client)?).await?;
        let mut created = Vec::new();
        // The first contact owns the company's team; the second is a member with invoice access.
        for (index, (name, address)) in contacts.into_iter().enumerate() {
            let contact = Contact {
                id: ContactId::new(),
                client_id: client.id,
                name: name.into(),
                email: email(address)?,
                portal_enabled: true,
                role: if index == 0 { ContactRole::Owner } else { ContactRole::Member },
                invoice_access: true,
                created_at: ago(100),
            };
            insert_contact(self.store, &contact).await?;
            created.push(contact);
        }
        Ok((client, created))
    }

    async fn project(
        &self,
        client: &Client,
        name: &str,
        status: ProjectStatus,
        (start, due): (i64, i64),
        summary: &str,
        milestones: &[(&str, i64, bool)],
    ) -> Result<Project, LocalError> {
        let project = Project {
            id: ulid::Ulid::new(),
            client_id: client.id,
            name: name.into(),
            status,
            start_date: Some(day(start)),
            due_date: Some(day(due)),
            summary: summary.into(),
            milestones: Default::default(),
            harvest_project: harvest_fixtures::demo_project_link(name),
            created_at: ago(-start.min(0)),
        };
        insert(self.store, self.store.project_item(&project)?).await?;
        for (position, (title, due, done)) in milestones.iter().enumerate() {
            let milestone = Milestone {
                id: ulid::Ulid::new(),
                project_id: project.id,
                client_id: client.id,
                title: (*title).into(),
                due_date: Some(day(*due)),
                status: if *done { MilestoneStatus::Done } else { MilestoneStatus::Pending },
                completed_at: done.then(|| ago(-(*due).min(0))),
                position: u32::try_from(position).unwrap_or(0),
            };
            insert(self.store, self.store.milestone_item(&milestone)?).await?;
        }
        self.store.refresh_project_summary(client.id, project.id).await?;
        Ok(project)
    }

    #[allow(clippy::too_many_arguments)]
    async fn deliverable(
        &self,
        project: &Project,
        name: &str,
        description: &str,
        files: Vec<FileSpec>,
        reviews: Vec<(ReviewDecision, &str, &Contact, u32)>,
        delivered_days_ago: i64,
    ) -> Result<Deliverable, LocalError> {
        let id = ulid::Ulid::new();
        let mut versions = Vec::new();
        for (index, (filename, content_type, body, delivered)) in files.into_iter().enumerate() {
            let number = u32::try_from(index + 1).unwrap_or(1);
            let key =
                format!("clients/{}/projects/{}/deliverables/{id}/v{number}/{filename}", project.client_id, project.id);
            let size = u64::try_from(body.len()).unwrap_or(0);
            self.s3
                .put_object()
                .bucket(self.bucket)
                .key(&key)
                .content_type(content_type)
                .body(body.into())
                .send()
                .await
                .map_err(aws_error)?;
            let when = ago(delivered_days_ago + 7 * (2 - i64::from(number)).max(0));
            versions.push(DeliverableVersion {
                number,
                s3_key: key,
                filename: filename.into(),
                size,
                content_type: content_type.into(),
                uploaded_at: when,
                delivered_at: delivered.then_some(when),
            });
        }
        let reviews: Vec<Review> = reviews
            .into_iter()
            .map(|(decision, comment, contact, version)| Review {
                decision,
                comment: comment.into(),
                reviewer_id: contact.id,
                reviewer_name: contact.name.clone(),
                version,
                at: ago(delivered_days_ago - 1),
            })
            .collect();
        let status = match reviews.last() {
            Some(review) if review.version == versions.iter().filter(|v| v.delivered_at.is_some()).count() as u32 => {
                match review.decision {
                    ReviewDecision::Approved => DeliverableStatus::Approved,
                    ReviewDecision::ChangesRequested => DeliverableStatus::ChangesRequested,
                }
            }
            _ if versions.iter().any(|v| v.delivered_at.is_some()) => DeliverableStatus::Delivered,
            _ => DeliverableStatus::InProgress,
        };
        let deliverable = Deliverable {
            id,
            project_id: project.id,
            client_id: project.client_id,
            name: name.into(),
            description: description.into(),
            status,
            versions,
            reviews,
            created_at: ago(delivered_days_ago + 14),
            updated_at: ago(delivered_days_ago),
        };
        insert(self.store, self.store.deliverable_item(&deliverable)?).await?;
        if deliverable.is_visible_to_client() {
            let mut activity = Activity::new(
                project.client_id,
                ActivityKind::DeliverableDelivered,
                Some(project.id),
                Some(id),
                &self.admin.name,
                format!("{} delivered {}", self.admin.name, deliverable.name),
            );
            backdate(&mut activity, deliverable.updated_at);
            insert(self.store, self.store.activity_item(&activity)?).await?;
        }
        for review in &deliverable.reviews {
            let verb = match review.decision {
                ReviewDecision::Approved => "approved",
                ReviewDecision::ChangesRequested => "requested changes to",
            };
            let mut activity = Activity::new(
                project.client_id,
                ActivityKind::DeliverableReviewed,
                Some(project.id),
                Some(id),
                &review.reviewer_name,
                format!("{} {verb} {} (v{})", review.reviewer_name, deliverable.name, review.version),
            );
            backdate(&mut activity, review.at);
            insert(self.store, self.store.activity_item(&activity)?).await?;
        }
        Ok(deliverable)
    }

    /// Stores a demo file under its id-derived key, as a checked upload would be.
    async fn stored_file(
        &self,
        client: &Client,
        (filename, content_type, bytes): (&str, &str, Vec<u8>),
        by: (String, &str),
        days_ago: i64,
    ) -> Result<SharedFile, LocalError> {
        let id = ulid::Ulid::new();
        let s3_key = format!("clients/{}/files/{id}", client.id);
        let size = u64::try_from(bytes.len()).unwrap_or(0);
        self.s3
            .put_object()
            .bucket(self.bucket)
            .key(&s3_key)
            .content_type(content_type)
            .body(bytes.into())
            .send()
            .await
            .map_err(aws_error)?;
        Ok(SharedFile {
            id,
            client_id: client.id,
            project_id: None,
            request_id: None,
            filename: filename.into(),
            content_type: content_type.into(),
            size,
            s3_key,
            uploaded_by: by.0,
            uploader_name: by.1.into(),
            uploaded_at: ago(days_ago),
        })
    }

    /// Files both ways: a shared photo from the client and a PDF from the agency in the
    /// project, an open file request and one the client has answered.
    async fn files(&self, client: &Client, project: &Project, contact: &Contact) -> Result<(), LocalError> {
        let agency = (Actor::Admin(self.admin.id).label(), self.admin.name.as_str());
        let from_client = || (Actor::Contact(contact.id).label(), contact.name.as_str());
        let photo = ("warehouse-hero.png", "image/png", demo_png(320, 180));
        let shared = [
            self.stored_file(client, photo, from_client(), 6).await?,
            self.stored_file(
                client,
                ("site-map.pdf", "application/pdf", demo_pdf("Northwind site map")),
                agency.clone(),
                4,
            )
            .await?,
        ];
        for file in shared {
            let file = SharedFile { project_id: Some(project.id), ..file };
            insert(self.store, self.store.project_file_item(&file, project.id)?).await?;
        }
        let asked = |title: &str, details: &str, due: Option<i64>, days_ago: i64| FileRequest {
            id: ulid::Ulid::new(),
            client_id: client.id,
            project_id: Some(project.id),
            title: title.into(),
            details: details.into(),
            due_date: due.map(day),
            status: RequestStatus::Open,
            files: vec![],
            history: vec![RequestEvent {
                kind: RequestEventKind::Requested,
                by: self.admin.name.clone(),
                note: String::new(),
                at: ago(days_ago),
            }],
            requested_by: self.admin.name.clone(),
            created_at: ago(days_ago),
            updated_at: ago(days_ago),
        };
        let open = asked(
            "Brand assets for the new site",
            "Logo in SVG, the brand fonts, and any product photos you have.",
            Some(10),
            2,
        );
        let mut answered = asked("Signed statement of work", "The countersigned SOW as a PDF.", None, 20);
        let signed = self
            .stored_file(
                client,
                ("sow-signed.pdf", "application/pdf", demo_pdf("Statement of work, signed")),
                from_client(),
                18,
            )
            .await?;
        answered.files.push(SharedFile { request_id: Some(answered.id), project_id: Some(project.id), ..signed });
        answered.status = RequestStatus::Accepted;
        answered.history.push(RequestEvent {
            kind: RequestEventKind::Submitted,
            by: contact.name.clone(),
            note: "Signed by our CFO.".into(),
            at: ago(18),
        });
        answered.history.push(RequestEvent {
            kind: RequestEventKind::Accepted,
            by: self.admin.name.clone(),
            note: String::new(),
            at: ago(17),
        });
        answered.updated_at = ago(17);
        for request in [&answered, &open] {
            insert(self.store, self.store.request_item(request)?).await?;
        }
        let mut activity = Activity::new(
            client.id,
            ActivityKind::FilesRequested,
            Some(project.id),
            Some(open.id),
            &self.admin.name,
            format!("{} asked for files: {}", self.admin.name, open.title),
        );
        backdate(&mut activity, ago(2));
        insert(self.store, self.store.activity_item(&activity)?).await
    }

    async fn note(
        &self,
        project: &Project,
        title: &str,
        days_ago: i64,
        attendees: &[&str],
        body: &str,
    ) -> Result<(), LocalError> {
        let note = MeetingNote {
            id: ulid::Ulid::new(),
            project_id: project.id,
            client_id: project.client_id,
            title: title.into(),
            meeting_date: day(-days_ago),
            attendees: attendees.iter().map(|a| (*a).to_owned()).collect(),
            body_markdown: body.into(),
            created_at: ago(days_ago),
        };
        insert(self.store, self.store.note_item(&note)?).await
    }

    /// Posts a thread, oldest first: (contact or None for the agency, text, days ago).
    async fn thread(&self, client: &Client, messages: &[(Option<&Contact>, &str, i64)]) -> Result<(), LocalError> {
        for (author, body, days_ago) in messages {
            let at = ago(*days_ago);
            let (kind, author_id, author_name) = match author {
                Some(contact) => (AuthorKind::Contact, contact.id.to_string(), contact.name.clone()),
                None => (AuthorKind::Agency, self.admin.id.to_string(), self.admin.name.clone()),
            };
            let id = ulid::Ulid::from_parts(u64::try_from(at.unix_timestamp() * 1000).unwrap_or(0), rand_bits());
            let message = Message {
                id,
                client_id: client.id,
                author_kind: kind,
                author_id,
                author_name: author_name.clone(),
                body: (*body).into(),
                created_at: at,
            };
            let mut activity = Activity::new(
                client.id,
                ActivityKind::MessagePosted,
                None,
                Some(id),
                &author_name,
                format!("{author_name} sent a message"),
            );
            backdate(&mut activity, at);
            self.store.post_message(&message, &activity, &client.company_name, None).await?;
        }
        Ok(())
    }

    async fn northwind(&self) -> Result<(ClientId, (String, Vec<String>)), LocalError> {
        let (mut client, contacts) = self
            .client(
                "Northwind Traders",
                [("Alice Chen", "alice@northwind.example"), ("Bob Okafor", "bob@northwind.example")],
            )
            .await?;
        client.harvest_client_id = Some(harvest_fixtures::NORTHWIND_HARVEST_ID);
        // Northwind's contacts see money budgets too; Globex's see hours only (the default).
        client.budget_display = shared::domain::BudgetDisplay::Money;
        insert(self.store, self.store.client_item(&client)?).await?;
        let (alice, bob) = (&contacts[0], &contacts[1]);
        let website = self
            .project(
                &client,
                "Website redesign",
                ProjectStatus::Active,
                (-80, 45),
                "A faster marketing site on a headless CMS, with a simpler checkout.",
                &[
                    ("Discovery workshop", -70, true),
                    ("Wireframes approved", -45, true),
                    ("Visual design sign-off", -4, false),
                    ("CMS build", 20, false),
                    ("Launch", 45, false),
                ],
            )
            .await?;
        self.deliverable(
            &website,
            "Homepage design",
            "Desktop and mobile layouts for the new homepage.",
            vec![
                ("homepage-v1.svg", "image/svg+xml", mockup("Homepage v1", "#94a3b8").into(), true),
                // A picture, so the client's page shows a thumbnail and a preview.
                ("homepage-v2.png", "image/png", demo_png(640, 400), true),
            ],
            vec![(
                ReviewDecision::ChangesRequested,
                "Hero image feels stock; can we use our warehouse photos?",
                alice,
                1,
            )],
            3,
        )
        .await?;
        self.deliverable(
            &website,
            "Sitemap",
            "Every page of the new site and how they link.",
            vec![(
                "sitemap.csv",
                "text/csv",
                "page,parent,template\nHome,,home\nProducts,Home,listing\nAbout,Home,content\nContact,Home,form\n"
                    .into(),
                true,
            )],
            vec![(ReviewDecision::Approved, "Looks complete.", bob, 1)],
            30,
        )
        .await?;
        self.deliverable(&website, "CMS content model", "Content types and fields.", vec![], vec![], 1).await?;
        self.note(
            &website,
            "Kick-off meeting",
            75,
            &["Alice Chen", "Bob Okafor", "Morgan Reyes"],
            "## Goals\n\n- Cut page load time **below 2 s** on mobile\n- Move product pages to the CMS\n- Checkout in three steps, not five\n\n## Decisions\n\n1. Launch target: end of January\n2. Weekly check-in on Tuesdays\n\n## Actions\n\n- [x] Alice: share brand assets\n- [ ] Morgan: send the discovery report",
        )
        .await?;
        self.note(
            &website,
            "Design review #1",
            10,
            &["Alice Chen", "Morgan Reyes"],
            "Reviewed **homepage v1**.\n\n> The hero image feels generic.\n\nNext: v2 with warehouse photography, see [the brief](https://agency.example/brief).",
        )
        .await?;
        self.files(&client, &website, alice).await?;
        let brand = self
            .project(
                &client,
                "Brand refresh",
                ProjectStatus::Completed,
                (-200, -95),
                "Logo, colour palette and brand guidelines.",
                &[("Moodboards", -180, true), ("Logo concepts", -150, true), ("Guidelines delivered", -95, true)],
            )
            .await?;
        self.deliverable(
            &brand,
            "Brand guidelines",
            "Logo use, colours and typography.",
            vec![
                ("brand-guidelines-v1.md", "text/markdown", "# Northwind brand guidelines\n\nDraft.\n".into(), true),
                (
                    "brand-guidelines-v2.md",
                    "text/markdown",
                    "# Northwind brand guidelines\n\n## Colours\n\n- Navy #1e3a8a\n- Sand #f5deb3\n".into(),
                    true,
                ),
            ],
            vec![(ReviewDecision::Approved, "", alice, 2)],
            95,
        )
        .await?;
        self.project(
            &client,
            "SEO retainer",
            ProjectStatus::OnHold,
            (-30, 150),
            "Monthly technical SEO, paused until launch.",
            &[],
        )
        .await?;
        self.project(
            &client,
            "Spring campaign",
            ProjectStatus::Planning,
            (30, 100),
            "Landing pages and email for the spring range.",
            &[("Brief agreed", 35, false)],
        )
        .await?;
        self.thread(
            &client,
            &[
                (None, "Hi Alice, homepage v2 is up for review: it uses your warehouse photos.", 3),
                (Some(alice), "Thanks! The hero is much better. Could the call-to-action be green?", 2),
                (None, "Sure, we'll try green against the navy and share both.", 2),
                (Some(bob), "Also: are we still on track for the January launch?", 1),
            ],
        )
        .await?;
        Ok((client.id, (client.company_name, contacts.iter().map(|c| c.email.to_string()).collect())))
    }

    async fn globex(&self) -> Result<(ClientId, (String, Vec<String>)), LocalError> {
        let (mut client, contacts) = self
            .client("Globex Corporation", [("Carol Diaz", "carol@globex.example"), ("Dan Novak", "dan@globex.example")])
            .await?;
        client.harvest_client_id = Some(harvest_fixtures::GLOBEX_HARVEST_ID);
        insert(self.store, self.store.client_item(&client)?).await?;
        let app = self
            .project(
                &client,
                "Mobile app MVP",
                ProjectStatus::Active,
                (-60, 60),
                "iOS and Android app for field technicians.",
                &[("User research", -40, true), ("Clickable prototype", -9, false), ("Beta release", 30, false)],
            )
            .await?;
        self.deliverable(
            &app,
            "Clickable prototype",
            "Figma prototype export and flow notes.",
            vec![
                ("prototype-flows-v1.txt", "text/plain", "Flow 1: sign in\nFlow 2: job list\n".into(), true),
                (
                    "prototype-flows-v2.txt",
                    "text/plain",
                    "Flow 1: sign in\nFlow 2: job list\nFlow 3: offline sync\n".into(),
                    true,
                ),
            ],
            vec![],
            2,
        )
        .await?;
        self.note(
            &app,
            "Research findings",
            35,
            &["Carol Diaz", "Dan Novak", "Morgan Reyes"],
            "Technicians work **offline** half the day.\n\n- Sync must be automatic\n- Big buttons: gloves",
        )
        .await?;
        self.project(
            &client,
            "Analytics dashboard",
            ProjectStatus::Planning,
            (14, 120),
            "Operational KPIs in one place, refreshed hourly.",
            &[("Data audit", 21, false)],
        )
        .await?;
        self.thread(
            &client,
            &[
                (Some(&contacts[0]), "Can the prototype include the offline banner we discussed?", 4),
                (None, "Yes: v2 adds an offline sync flow. Have a look when you can.", 2),
            ],
        )
        .await?;
        Ok((client.id, (client.company_name, contacts.iter().map(|c| c.email.to_string()).collect())))
    }
}

fn rand_bits() -> u128 {
    ulid::Ulid::new().random()
}

/// A small but real SVG "mockup".
fn mockup(title: &str, accent: &str) -> String {
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="640" height="400" viewBox="0 0 640 400"><rect width="640" height="400" fill="#f8fafc"/><rect x="0" y="0" width="640" height="56" fill="{accent}"/><text x="24" y="36" font-family="sans-serif" font-size="22" fill="#fff">Northwind Traders</text><rect x="24" y="88" width="592" height="180" rx="8" fill="#e2e8f0"/><text x="320" y="186" text-anchor="middle" font-family="sans-serif" font-size="28" fill="#334155">{title}</text><rect x="24" y="292" width="180" height="40" rx="6" fill="{accent}"/></svg>"##
    )
}

/// Harvest-shaped demo data for the local fake Harvest and the tests: invoices and pages built
/// by copying the documented example records (`testdata/harvest/`) and changing their values.
pub mod harvest_fixtures {
    use serde_json::{Value, json};

    pub const INVOICES_PAGE: &str = include_str!("../../testdata/harvest/invoices_page.json");
    pub const CLIENTS_PAGE: &str = include_str!("../../testdata/harvest/clients_page.json");
    pub const COMPANY: &str = include_str!("../../testdata/harvest/company.json");
    pub const BUDGET_REPORT: &str = include_str!("../../testdata/harvest/project_budget_report.json");
    pub const PROJECTS_PAGE: &str = include_str!("../../testdata/harvest/projects_page.json");
    pub const PAYMENTS_PAGE: &str = include_str!("../../testdata/harvest/invoice_payments_page.json");
    pub const ESTIMATES_PAGE: &str = include_str!("../../testdata/harvest/estimates_page.json");
    pub const ESTIMATE_MESSAGE: &str = include_str!("../../testdata/harvest/estimate_message_accept.json");

    /// Harvest client ids the demo clients are linked to.
    pub const NORTHWIND_HARVEST_ID: u64 = 5735776;
    pub const GLOBEX_HARVEST_ID: u64 = 5735774;
    pub const DEMO_SUBDOMAIN: &str = "brightside";

    /// One invoice spec: id, number, state, amount, due amount, currency, issue offset (days
    /// from today), due offset, paid offset.
    pub struct Spec<'a> {
        pub id: u64,
        pub number: &'a str,
        pub state: &'a str,
        pub amount: &'a str,
        pub due_amount: &'a str,
        pub currency: &'a str,
        pub issued: i64,
        pub due: i64,
        pub paid: Option<i64>,
        pub subject: &'a str,
    }

    fn template() -> Value {
        serde_json::from_str::<Value>(INVOICES_PAGE).map(|page| page["invoices"][0].clone()).unwrap_or(Value::Null)
    }

    fn number(text: &str) -> Value {
        serde_json::from_str(text).unwrap_or(Value::Null)
    }

    fn date(offset: i64) -> String {
        let day = (time::OffsetDateTime::now_utc() + time::Duration::days(offset)).date();
        format!("{:04}-{:02}-{:02}", day.year(), u8::from(day.month()), day.day())
    }

    /// An invoice in Harvest's shape for `client`.
    pub fn invoice(client_id: u64, client_name: &str, spec: &Spec<'_>) -> Value {
        let mut invoice = template();
        invoice["id"] = json!(spec.id);
        invoice["client_key"] = json!(format!("{:040x}", u128::from(spec.id) * 7919 + u128::from(client_id)));
        invoice["number"] = json!(spec.number);
        invoice["state"] = json!(spec.state);
        invoice["amount"] = number(spec.amount);
        invoice["due_amount"] = number(spec.due_amount);
        invoice["currency"] = json!(spec.currency);
        invoice["subject"] = json!(spec.subject);
        invoice["issue_date"] = json!(date(spec.issued));
        invoice["due_date"] = json!(date(spec.due));
        invoice["paid_date"] = spec.paid.map(|p| json!(date(p))).unwrap_or(Value::Null);
        invoice["paid_at"] = spec.paid.map(|p| json!(format!("{}T10:00:00Z", date(p)))).unwrap_or(Value::Null);
        invoice["client"] = json!({ "id": client_id, "name": client_name });
        let amount = number(spec.amount);
        invoice["line_items"] = json!([{
            "id": spec.id * 10,
            "kind": "Service",
            "description": spec.subject,
            "quantity": 1.0,
            "unit_price": amount,
            "amount": amount,
            "taxed": false,
            "taxed2": false,
            "project": null
        }]);
        invoice
    }

    /// A page of invoices in Harvest's shape; `next` is the full URL of the next page.
    pub fn invoices_page(invoices: Vec<Value>, page: u64, total_pages: u64, next: Option<String>) -> Value {
        let mut body: Value = serde_json::from_str(INVOICES_PAGE).unwrap_or(Value::Null);
        body["total_entries"] = json!(invoices.len());
        body["invoices"] = Value::Array(invoices);
        body["page"] = json!(page);
        body["total_pages"] = json!(total_pages);
        body["next_page"] = if next.is_some() { json!(page + 1) } else { Value::Null };
        body["links"]["next"] = next.map(Value::String).unwrap_or(Value::Null);
        body
    }

    fn first_of(page: &str, field: &str) -> Value {
        serde_json::from_str::<Value>(page).map(|page| page[field][0].clone()).unwrap_or(Value::Null)
    }

    /// A one-page list in Harvest's shape: `field` holds `entries`; `route` names the links.
    pub fn page(field: &str, entries: Vec<Value>, route: &str) -> Value {
        let link = format!("https://api.harvestapp.com{route}?page=1&per_page=2000");
        json!({
            field: entries.clone(),
            "per_page": 2000,
            "total_pages": 1,
            "total_entries": entries.len(),
            "next_page": null,
            "previous_page": null,
            "page": 1,
            "links": {"first": link, "next": null, "previous": null, "last": link}
        })
    }

    /// One row of the project budget report. `None` figures are left out, as Harvest leaves
    /// out money figures for tokens without the rate-viewing permission.
    pub struct BudgetSpec<'a> {
        pub project_id: u64,
        pub project_name: &'a str,
        pub client_id: u64,
        pub budget_by: &'a str,
        pub monthly: bool,
        pub budget: Option<&'a str>,
        pub spent: Option<&'a str>,
        pub remaining: Option<&'a str>,
    }

    pub fn budget_row(spec: &BudgetSpec<'_>) -> Value {
        let mut row = first_of(BUDGET_REPORT, "results");
        row["project_id"] = json!(spec.project_id);
        row["project_name"] = json!(spec.project_name);
        row["client_id"] = json!(spec.client_id);
        row["budget_by"] = json!(spec.budget_by);
        row["budget_is_monthly"] = json!(spec.monthly);
        if let Some(object) = row.as_object_mut() {
            for (field, value) in
                [("budget", spec.budget), ("budget_spent", spec.spent), ("budget_remaining", spec.remaining)]
            {
                match value {
                    Some(text) => object.insert(field.to_owned(), number(text)),
                    None => object.remove(field),
                };
            }
        }
        row
    }

    /// A project as `GET /v2/projects` lists it.
    pub fn project(id: u64, name: &str, client_id: u64, client_name: &str, currency: &str, budget_by: &str) -> Value {
        let mut project = first_of(PROJECTS_PAGE, "projects");
        project["id"] = json!(id);
        project["name"] = json!(name);
        project["code"] = json!(format!("P{id}"));
        project["budget_by"] = json!(budget_by);
        project["client"] = json!({"id": client_id, "name": client_name, "currency": currency});
        project
    }

    /// A payment as `GET /v2/invoices/{id}/payments` lists it; `gateway` as Harvest names it.
    pub fn payment(id: u64, amount: &str, paid_days_ago: i64, gateway: Option<&str>) -> Value {
        let mut payment = first_of(PAYMENTS_PAGE, "invoice_payments");
        payment["id"] = json!(id);
        payment["amount"] = number(amount);
        payment["paid_date"] = json!(date(-paid_days_ago));
        payment["paid_at"] = json!(format!("{}T00:00:00Z", date(-paid_days_ago)));
        payment["payment_gateway"] = json!({"id": gateway.map(|_| 1234), "name": gateway});
        payment
    }

    /// One estimate: id, number, state, amount, currency, issue offset (days from today),
    /// subject and line items `(description, quantity, unit price)`.
    pub struct EstimateSpec<'a> {
        pub id: u64,
        pub number: &'a str,
        pub state: &'a str,
        pub amount: &'a str,
        pub currency: &'a str,
        pub issued: i64,
        pub subject: &'a str,
        pub lines: &'a [(&'a str, &'a str, &'a str)],
    }

    pub fn estimate(client_id: u64, client_name: &str, spec: &EstimateSpec<'_>) -> Value {
        let mut estimate = first_of(ESTIMATES_PAGE, "estimates");
        estimate["id"] = json!(spec.id);
        estimate["client_key"] = json!(format!("{:040x}", u128::from(spec.id) * 104_729 + u128::from(client_id)));
        estimate["number"] = json!(spec.number);
        estimate["state"] = json!(spec.state);
        estimate["amount"] = number(spec.amount);
        estimate["currency"] = json!(spec.currency);
        estimate["subject"] = json!(spec.subject);
        estimate["issue_date"] = json!(date(spec.issued));
        estimate["sent_at"] = json!(format!("{}T09:00:00Z", date(spec.issued)));
        let decided = json!(format!("{}T15:00:00Z", date(spec.issued + 3)));
        estimate["accepted_at"] = if spec.state == "accepted" { decided.clone() } else { Value::Null };
        estimate["declined_at"] = if spec.state == "declined" { decided } else { Value::Null };
        estimate["tax"] = Value::Null;
        estimate["tax_amount"] = json!(0.0);
        estimate["tax2"] = Value::Null;
        estimate["tax2_amount"] = json!(0.0);
        estimate["discount"] = Value::Null;
        estimate["discount_amount"] = json!(0.0);
        estimate["client"] = json!({"id": client_id, "name": client_name});
        estimate["line_items"] = spec
            .lines
            .iter()
            .enumerate()
            .map(|(index, (description, quantity, unit_price))| {
                let amount = quantity.parse::<f64>().unwrap_or(0.0) * unit_price.parse::<f64>().unwrap_or(0.0);
                json!({
                    "id": spec.id * 100 + index as u64,
                    "kind": "Service",
                    "description": description,
                    "quantity": number(quantity),
                    "unit_price": number(unit_price),
                    "amount": number(&format!("{amount:.2}")),
                    "taxed": false,
                    "taxed2": false
                })
            })
            .collect();
        estimate
    }

    /// The message Harvest creates for an estimate event.
    pub fn estimate_message(event_type: &str) -> Value {
        let mut message: Value = serde_json::from_str(ESTIMATE_MESSAGE).unwrap_or(Value::Null);
        message["event_type"] = json!(event_type);
        message
    }

    /// Harvest projects of the demo clients (`GET /v2/projects`).
    pub const NORTHWIND_WEBSITE: u64 = 14308069;
    pub const NORTHWIND_SEO: u64 = 14308070;
    pub const NORTHWIND_SPRING: u64 = 14308071;
    pub const GLOBEX_APP: u64 = 14307913;

    /// The Harvest project a demo portal project is linked to, by the portal project's name.
    pub fn demo_project_link(name: &str) -> Option<shared::domain::HarvestProjectLink> {
        let (id, currency) = match name {
            "Website redesign" => (NORTHWIND_WEBSITE, "EUR"),
            "SEO retainer" => (NORTHWIND_SEO, "EUR"),
            "Mobile app MVP" => (GLOBEX_APP, "USD"),
            _ => return None,
        };
        Some(shared::domain::HarvestProjectLink { id, name: name.to_owned(), currency: Some(currency.to_owned()) })
    }

    pub fn demo_projects(client_id: u64) -> Vec<Value> {
        match client_id {
            NORTHWIND_HARVEST_ID => vec![
                project(NORTHWIND_WEBSITE, "Website redesign", client_id, "Northwind Traders", "EUR", "project_cost"),
                project(NORTHWIND_SEO, "SEO retainer", client_id, "Northwind Traders", "EUR", "project"),
                project(NORTHWIND_SPRING, "Spring campaign", client_id, "Northwind Traders", "EUR", "project"),
            ],
            GLOBEX_HARVEST_ID => {
                vec![project(GLOBEX_APP, "Mobile app MVP", client_id, "Globex Corporation", "USD", "project")]
            }
            _ => vec![],
        }
    }

    /// The demo budget report: a money budget, a monthly hours budget, an hours budget.
    pub fn demo_budgets() -> Vec<Value> {
        let row = |project_id, project_name, client_id, budget_by, monthly, figures: [&'static str; 3]| {
            budget_row(&BudgetSpec {
                project_id,
                project_name,
                client_id,
                budget_by,
                monthly,
                budget: Some(figures[0]),
                spent: Some(figures[1]),
                remaining: Some(figures[2]),
            })
        };
        vec![
            row(
                NORTHWIND_WEBSITE,
                "Website redesign",
                NORTHWIND_HARVEST_ID,
                "project_cost",
                false,
                ["24000.0", "15600.0", "8400.0"],
            ),
            row(NORTHWIND_SEO, "SEO retainer", NORTHWIND_HARVEST_ID, "project", true, ["20.0", "12.5", "7.5"]),
            row(NORTHWIND_SPRING, "Spring campaign", NORTHWIND_HARVEST_ID, "project", false, ["40.0", "0.0", "40.0"]),
            row(GLOBEX_APP, "Mobile app MVP", GLOBEX_HARVEST_ID, "project", false, ["320.0", "140.0", "180.0"]),
        ]
    }

    /// Payments of the demo invoices that have any: paid in full, in two parts, partly paid.
    pub fn demo_payments() -> Vec<(u64, Vec<Value>)> {
        vec![
            (9001, vec![payment(900_101, "4800.00", 70, Some("Stripe"))]),
            (9002, vec![payment(900_202, "1250.50", 33, None), payment(900_201, "2000.00", 45, None)]),
            (9004, vec![payment(900_401, "1449.95", 5, Some("Stripe"))]),
            (9101, vec![payment(910_101, "12000.00", 52, None)]),
        ]
    }

    /// The demo estimates: two waiting for Northwind's answer, one accepted, one declined, a
    /// draft (never shown); one waiting for Globex's.
    pub fn demo_estimates(client_id: u64) -> Vec<Value> {
        let spec = |id, number, state, amount, issued, subject, lines| EstimateSpec {
            id,
            number,
            state,
            amount,
            currency: if client_id == GLOBEX_HARVEST_ID { "USD" } else { "EUR" },
            issued,
            subject,
            lines,
        };
        match client_id {
            NORTHWIND_HARVEST_ID => [
                spec(
                    1_439_901,
                    "E-2026-014",
                    "sent",
                    "18500.00",
                    -6,
                    "Website phase 2: online shop",
                    &[("Shop design and build", "1", "14500.00"), ("Payment and shipping integrations", "40", "100.00")]
                        as &[_],
                ),
                spec(
                    1_439_903,
                    "E-2026-015",
                    "sent",
                    "2400.00",
                    -2,
                    "Hosting and care plan 2027",
                    &[("Monthly care plan", "12", "200.00")],
                ),
                spec(
                    1_439_880,
                    "E-2026-009",
                    "accepted",
                    "24000.00",
                    -120,
                    "Website redesign",
                    &[("Discovery, design and build", "1", "24000.00")],
                ),
                spec(
                    1_439_870,
                    "E-2026-006",
                    "declined",
                    "3600.00",
                    -150,
                    "Photography day",
                    &[("On-site photography", "2", "1800.00")],
                ),
                spec(1_439_910, "E-2026-016", "draft", "999.00", -1, "Not sent yet", &[("Draft work", "1", "999.00")]),
            ]
            .iter()
            .map(|s| estimate(client_id, "Northwind Traders", s))
            .collect(),
            GLOBEX_HARVEST_ID => [spec(
                1_439_950,
                "E-2026-020",
                "sent",
                "9600.00",
                -4,
                "Mobile app: store launch",
                &[("Store listing and launch support", "48", "200.00")],
            )]
            .iter()
            .map(|s| estimate(client_id, "Globex Corporation", s))
            .collect(),
            _ => vec![],
        }
    }

    pub fn company() -> Value {
        let mut company: Value = serde_json::from_str(COMPANY).unwrap_or(Value::Null);
        company["full_domain"] = json!(format!("{DEMO_SUBDOMAIN}.harvestapp.com"));
        company["base_uri"] = json!(format!("https://{DEMO_SUBDOMAIN}.harvestapp.com"));
        company["name"] = json!("Brightside Studio");
        company
    }

    pub fn clients_page() -> Value {
        let mut page: Value = serde_json::from_str(CLIENTS_PAGE).unwrap_or(Value::Null);
        if let Some(clients) = page["clients"].as_array_mut() {
            for client in clients.iter_mut() {
                if client["id"] == json!(NORTHWIND_HARVEST_ID) {
                    client["name"] = json!("Northwind Traders");
                } else if client["id"] == json!(GLOBEX_HARVEST_ID) {
                    client["name"] = json!("Globex Corporation");
                }
            }
        }
        page
    }

    /// The demo invoices of each demo Harvest client: paid, open, overdue, partly paid, a
    /// draft (never shown) and a second currency.
    pub fn demo_invoices(client_id: u64) -> Vec<Value> {
        let spec = |id, number, state, amount, due_amount, currency, issued, due, paid, subject| Spec {
            id,
            number,
            state,
            amount,
            due_amount,
            currency,
            issued,
            due,
            paid,
            subject,
        };
        match client_id {
            NORTHWIND_HARVEST_ID => [
                spec(
                    9001,
                    "2026-041",
                    "paid",
                    "4800.00",
                    "0.0",
                    "EUR",
                    -95,
                    -65,
                    Some(-70),
                    "Brand refresh: guidelines",
                ),
                spec(
                    9002,
                    "2026-052",
                    "paid",
                    "3250.50",
                    "0.0",
                    "EUR",
                    -60,
                    -30,
                    Some(-33),
                    "Website redesign: discovery",
                ),
                spec(
                    9003,
                    "2026-061",
                    "open",
                    "6400.00",
                    "6400.00",
                    "EUR",
                    -40,
                    -10,
                    None,
                    "Website redesign: design phase",
                ),
                spec(
                    9004,
                    "2026-067",
                    "open",
                    "2899.90",
                    "1449.95",
                    "EUR",
                    -12,
                    18,
                    None,
                    "Website redesign: CMS build (1/2)",
                ),
                spec(9005, "2026-070", "draft", "5000.00", "5000.00", "EUR", -1, 29, None, "Website redesign: launch"),
                spec(
                    9006,
                    "2026-058",
                    "closed",
                    "450.00",
                    "450.00",
                    "EUR",
                    -50,
                    -20,
                    None,
                    "Stock photography (written off)",
                ),
            ]
            .iter()
            .map(|s| invoice(client_id, "Northwind Traders", s))
            .collect(),
            GLOBEX_HARVEST_ID => [
                spec(9101, "2026-044", "paid", "12000.00", "0.0", "USD", -80, -50, Some(-52), "Mobile app: research"),
                spec(9102, "2026-063", "open", "8750.25", "8750.25", "USD", -20, 10, None, "Mobile app: prototype"),
            ]
            .iter()
            .map(|s| invoice(client_id, "Globex Corporation", s))
            .collect(),
            _ => vec![],
        }
    }
}

/// Moves a demo event back in time. Its id moves too: the feed is ordered by id (a ULID, time
/// first), so a past event must carry a past id to sit in its place.
fn backdate(activity: &mut Activity, at: OffsetDateTime) {
    activity.id = ulid::Ulid::from_parts(u64::try_from(at.unix_timestamp() * 1000).unwrap_or(0), rand_bits());
    activity.at = at;
}

/// A small gradient picture (PNG), so thumbnails and previews show something real.
pub fn demo_png(width: u32, height: u32) -> Vec<u8> {
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut pixels = Vec::with_capacity((width * height * 3) as usize);
    for y in 0..height {
        for x in 0..width {
            let (r, g) = ((x * 255 / width.max(1)) as u8, (y * 255 / height.max(1)) as u8);
            pixels.extend([30 + r / 3, 58 + g / 2, 138]);
        }
    }
    // Writing to a Vec cannot fail; an empty picture is the fallback if it ever did.
    if let Ok(mut writer) = encoder.write_header() {
        let _ = writer.write_image_data(&pixels);
    }
    bytes
}

/// A one-page PDF with `title` on it (PDF readers rebuild the missing cross-reference table).
pub fn demo_pdf(title: &str) -> Vec<u8> {
    let text: String = title.chars().filter(|c| c.is_ascii_alphanumeric() || " ,.-".contains(*c)).collect();
    let content = format!("BT /F1 20 Tf 40 100 Td ({text}) Tj ET");
    format!(
        "%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n2 0 obj <</Type /Pages /Kids [3 0 R] /Count 1>> endobj\n\
         3 0 obj <</Type /Page /Parent 2 0 R /MediaBox [0 0 420 220] /Contents 4 0 R /Resources <</Font <</F1 5 0 R>>>>>> endobj\n\
         4 0 obj <</Length {}>> stream\n{content}\nendstream endobj\n\
         5 0 obj <</Type /Font /Subtype /Type1 /BaseFont /Helvetica>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n",
        content.len()
    )
    .into_bytes()
}
