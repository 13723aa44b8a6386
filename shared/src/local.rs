//! Local emulator support (moto server): creating the resources that `template.yaml` creates
//! in AWS, and the demo data. Used by `portal init`/`portal seed` and the test harness; never
//! by a Lambda function.

use aws_sdk_s3::types::PublicAccessBlockConfiguration;
use time::OffsetDateTime;
use time::macros::date;

use crate::domain::{AdminId, ClientId, ContactId, EmailAddress};
use crate::models::{Admin, Client, ClientStatus, Contact, Project, ProjectStatus};
use crate::store::{Store, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum LocalError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Aws(String),
    #[error("bad demo data: {0}")]
    Data(String),
}

fn aws_error<E: std::error::Error + 'static>(error: E) -> LocalError {
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
    store.create_table_if_missing().await?;
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
        Ok(_) => Ok(()),
        Err(e) if e.as_service_error().is_some_and(|se| se.is_already_exists_exception()) => Ok(()),
        Err(e) => Err(aws_error(e)),
    }
}

/// What `seed_demo` created, for printing.
#[derive(Debug, Default)]
pub struct SeedReport {
    pub already_seeded: bool,
    pub admin_email: String,
    /// (company, contact emails)
    pub clients: Vec<(String, Vec<String>)>,
}

pub const DEMO_ADMIN_EMAIL: &str = "admin@agency.example";

/// Demo data: an admin, two client companies with two contacts each, a few projects.
/// Idempotent: a second run sees the admin and leaves everything alone.
pub async fn seed_demo(store: &Store) -> Result<SeedReport, LocalError> {
    let email = |raw: &str| EmailAddress::parse(raw).map_err(|_| LocalError::Data(raw.to_owned()));
    let admin_email = email(DEMO_ADMIN_EMAIL)?;
    let mut report = SeedReport { admin_email: admin_email.to_string(), ..SeedReport::default() };
    if store.get_email_claim(&admin_email).await?.is_some() {
        report.already_seeded = true;
        return Ok(report);
    }
    let now = OffsetDateTime::now_utc();
    store
        .create_admin(&Admin { id: AdminId::new(), name: "Morgan Reyes".into(), email: admin_email, created_at: now })
        .await?;

    let companies = [
        (
            "Northwind Traders",
            [("Alice Chen", "alice@northwind.example"), ("Bob Okafor", "bob@northwind.example")],
            vec![
                (
                    "Website redesign",
                    ProjectStatus::Active,
                    "New marketing site with a headless CMS and a faster checkout.",
                ),
                ("Brand refresh", ProjectStatus::Completed, "Logo, colour palette and brand guidelines."),
            ],
        ),
        (
            "Globex Corporation",
            [("Carol Diaz", "carol@globex.example"), ("Dan Novak", "dan@globex.example")],
            vec![
                ("Mobile app MVP", ProjectStatus::Active, "iOS and Android app for field technicians."),
                ("Analytics dashboard", ProjectStatus::Planning, "Operational KPIs in one place, refreshed hourly."),
            ],
        ),
    ];
    for (company, contacts, projects) in companies {
        let client = Client {
            id: ClientId::new(),
            company_name: company.into(),
            status: ClientStatus::Active,
            portal_enabled: true,
            harvest_client_id: None,
            created_at: now,
        };
        store.put_client(&client).await?;
        let mut emails = Vec::new();
        for (name, address) in contacts {
            store
                .create_contact(&Contact {
                    id: ContactId::new(),
                    client_id: client.id,
                    name: name.into(),
                    email: email(address)?,
                    portal_enabled: true,
                    created_at: now,
                })
                .await?;
            emails.push(address.to_owned());
        }
        for (name, status, summary) in projects {
            store
                .put_project(&Project {
                    id: ulid::Ulid::new(),
                    client_id: client.id,
                    name: name.into(),
                    status,
                    start_date: Some(date!(2026 - 09 - 01)),
                    due_date: Some(date!(2027 - 02 - 26)),
                    summary: summary.into(),
                    created_at: now,
                })
                .await?;
        }
        report.clients.push((company.to_owned(), emails));
    }
    Ok(report)
}
