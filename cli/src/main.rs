//! `portal`: the operator's command line. It uses the same shared store and rules as the
//! Lambda functions, so there is no second implementation of, say, email uniqueness.

mod fake_harvest;

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};
use shared::domain::{AdminId, ClientId, ContactId, EmailAddress};
use shared::models::{Admin, Client, ClientStatus, Contact};
use shared::store::Store;
use time::OffsetDateTime;

#[derive(Parser)]
#[command(name = "portal", version, about = "Client Portal operator CLI")]
#[command(long_about = "Client Portal operator CLI.\n\nAWS settings come from the usual environment \
(AWS_REGION, AWS_PROFILE, …). Set AWS_ENDPOINT_URL to talk to the local emulator; `make dev` does.")]
struct Cli {
    /// DynamoDB table of the portal.
    #[arg(long, env = "TABLE_NAME", global = true, default_value = "client-portal")]
    table: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create the table, files bucket and SES sender identity in the local emulator.
    Init(InitArgs),
    /// Load demo data: an admin, two client companies with two contacts each, projects,
    /// milestones, deliverables (with files in S3), notes and messages.
    Seed {
        /// Bucket for the demo files.
        #[arg(long, env = "FILES_BUCKET", default_value = "client-portal-files")]
        bucket: String,
    },
    /// Manage agency admins.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Manage client companies.
    #[command(subcommand)]
    Client(ClientCommand),
    /// Manage contacts at client companies.
    #[command(subcommand)]
    Contact(ContactCommand),
    /// Show mail the local emulator accepted (magic links and notifications).
    Mailbox(MailboxArgs),
    /// Serve a local fake of Harvest API v2 with the demo clients' invoices (for `make dev`).
    FakeHarvest {
        /// Port on 127.0.0.1.
        #[arg(long, default_value_t = 4580)]
        port: u16,
        /// Access token the fake accepts.
        #[arg(long, env = "HARVEST_ACCESS_TOKEN", default_value = "dev-token")]
        token: String,
        /// Account id the fake accepts.
        #[arg(long, env = "HARVEST_ACCOUNT_ID", default_value = "dev-account")]
        account_id: String,
    },
}

#[derive(Args)]
struct InitArgs {
    /// Private bucket for deliverable files.
    #[arg(long, env = "FILES_BUCKET", default_value = "client-portal-files")]
    bucket: String,
    /// Sender address to verify in SES.
    #[arg(long, env = "SENDER_EMAIL", default_value = "portal@agency.example")]
    sender: String,
    /// The web app's origin, allowed to upload to the bucket from the browser (CORS).
    #[arg(long, env = "PUBLIC_URL", default_value = "http://localhost:5173")]
    web_origin: String,
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Add an agency admin (bootstraps the first one in a new deployment).
    Add {
        /// Their email address; unique across all admins and contacts.
        email: String,
        /// Their full name.
        #[arg(long, default_value = "Agency admin")]
        name: String,
    },
}

#[derive(Subcommand)]
enum ClientCommand {
    /// List clients by name (needs the functions' environment, e.g. `.dev/env`).
    List {
        /// Case-insensitive name prefix.
        #[arg(long)]
        search: Option<String>,
    },
    /// Add a client company (active, portal enabled). Prints its id.
    Add {
        /// Company name as clients see it.
        #[arg(long)]
        name: String,
        /// Create it with the portal switched off.
        #[arg(long)]
        portal_disabled: bool,
    },
}

#[derive(Subcommand)]
enum ContactCommand {
    /// Give a contact portal access.
    Grant {
        #[arg(long)]
        client: String,
        #[arg(long)]
        contact: String,
    },
    /// Take portal access away and end every session of the contact now.
    Revoke {
        #[arg(long)]
        client: String,
        #[arg(long)]
        contact: String,
    },
    /// Add a contact to a client company. Prints its id.
    Add {
        /// Client id (from `portal client add`).
        #[arg(long)]
        client: String,
        /// Full name.
        #[arg(long)]
        name: String,
        /// Email address; unique across all admins and contacts.
        #[arg(long)]
        email: String,
        /// Give portal access now (otherwise the contact exists but cannot sign in).
        #[arg(long)]
        portal: bool,
    },
}

#[derive(Args)]
struct MailboxArgs {
    /// Only mail to this address.
    #[arg(long)]
    to: Option<String>,
    /// How many messages to show, newest first.
    #[arg(long, default_value_t = 10)]
    limit: usize,
    /// Print only the newest magic-link token (for scripts): `portal mailbox --to a@b.c --token`.
    #[arg(long)]
    token: bool,
}

#[tokio::main]
async fn main() -> Result<()> {
    let cli = Cli::parse();
    let sdk = shared::app::load_sdk_config(aws_config::defaults(aws_config::BehaviorVersion::latest())).await;
    let store = Store::new(aws_sdk_dynamodb::Client::new(&sdk), cli.table.as_str());
    let now = OffsetDateTime::now_utc();
    match cli.command {
        Command::Init(args) => {
            let endpoint = emulator_endpoint()?;
            let sender = parse_email(&args.sender)?;
            let s3 =
                aws_sdk_s3::Client::from_conf(aws_sdk_s3::config::Builder::from(&sdk).force_path_style(true).build());
            let ses = aws_sdk_sesv2::Client::new(&sdk);
            shared::local::init_resources(&store, &s3, &ses, &args.bucket, &sender).await?;
            shared::local::allow_browser_uploads(&s3, &args.bucket, &args.web_origin).await?;
            println!("Ready at {endpoint}: table {}, bucket {}, sender {sender}", cli.table, args.bucket);
        }
        Command::Seed { bucket } => {
            emulator_endpoint()?;
            let s3 =
                aws_sdk_s3::Client::from_conf(aws_sdk_s3::config::Builder::from(&sdk).force_path_style(true).build());
            let report = shared::local::seed_demo(&store, &s3, &bucket).await?;
            if report.already_seeded {
                println!("Demo data already present (admin {}).", report.admin_email);
            } else {
                println!("Seeded demo data. Sign in as any of:");
                println!("  admin      {}", report.admin_email);
                for (company, emails) in report.clients {
                    for email in emails {
                        println!("  client     {email}  ({company})");
                    }
                }
            }
        }
        Command::Admin(AdminCommand::Add { email, name }) => {
            let admin = Admin { id: AdminId::new(), name, email: parse_email(&email)?, created_at: now };
            store.create_admin(&admin).await.context("could not add the admin")?;
            println!("{}", admin.id);
        }
        Command::Client(ClientCommand::List { search }) => {
            let state = full_state().await?;
            let mut cursor = None;
            loop {
                let scope = shared::admin::clients_scope(search.as_deref());
                let page =
                    shared::pagination::PageRequest::parse(Some("100"), cursor.as_deref(), &state.cursors, &scope)
                        .map_err(|e| anyhow::anyhow!("{e}"))?;
                let result = shared::admin::list_clients(&state, search.as_deref(), page)
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
                for c in &result.items {
                    let portal = if c.portal_enabled { "portal on" } else { "portal off" };
                    println!("{}  {:<32} {:?}, {portal}", c.id, c.company_name, c.status);
                }
                match result.next_cursor {
                    Some(next) => cursor = Some(next),
                    None => break,
                }
            }
        }
        Command::Contact(ContactCommand::Grant { client, contact }) => set_access(&client, &contact, true).await?,
        Command::Contact(ContactCommand::Revoke { client, contact }) => set_access(&client, &contact, false).await?,
        Command::Client(ClientCommand::Add { name, portal_disabled }) => {
            let name = name.trim().to_owned();
            if name.is_empty() {
                bail!("--name must not be empty");
            }
            let client = Client {
                id: ClientId::new(),
                company_name: name,
                status: ClientStatus::Active,
                portal_enabled: !portal_disabled,
                harvest_client_id: None,
                created_at: now,
            };
            store.put_client(&client).await.context("could not add the client")?;
            println!("{}", client.id);
        }
        Command::Contact(ContactCommand::Add { client, name, email, portal }) => {
            let client_id = ClientId::parse(client.trim()).context("--client is not a client id")?;
            let contact = Contact {
                id: ContactId::new(),
                client_id,
                name: name.trim().to_owned(),
                email: parse_email(&email)?,
                portal_enabled: portal,
                created_at: now,
            };
            match store.create_contact(&contact).await {
                Ok(()) => println!("{}", contact.id),
                Err(shared::store::StoreError::ConditionFailed) => bail!("no client with id {client_id}"),
                Err(other) => return Err(other).context("could not add the contact"),
            }
        }
        Command::Mailbox(args) => mailbox(args).await?,
        Command::FakeHarvest { port, token, account_id } => fake_harvest::serve(port, token, account_id).await?,
    }
    Ok(())
}

/// The functions' full state (same configuration), for commands that run the admin rules.
async fn full_state() -> Result<shared::AppState> {
    shared::AppState::from_env()
        .await
        .context("set the functions' environment (for local use: scripts/with-dev-env.sh)")
}

/// Grant or revoke through the same rules as the admin API (audited as `operator:cli`).
async fn set_access(client: &str, contact: &str, enabled: bool) -> Result<()> {
    let state = full_state().await?;
    let client_id = ClientId::parse(client.trim()).context("--client is not a client id")?;
    let contact_id = ContactId::parse(contact.trim()).context("--contact is not a contact id")?;
    let patch = shared::admin::ContactPatch { portal_enabled: Some(enabled), ..Default::default() };
    let actor = shared::admin::Actor::operator();
    let updated = shared::admin::update_contact(&state, &actor, client_id, contact_id, patch)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    if !enabled {
        shared::admin::revoke_contact(&state, &actor, client_id, contact_id)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    println!(
        "{} <{}>: portal access {}",
        updated.name,
        updated.email,
        if enabled { "granted" } else { "revoked, sessions ended" }
    );
    Ok(())
}

fn parse_email(raw: &str) -> Result<EmailAddress> {
    EmailAddress::parse(raw).map_err(|_| anyhow::anyhow!("{raw:?} is not a valid email address"))
}

/// `init`, `seed` and `mailbox` are for the local emulator only.
fn emulator_endpoint() -> Result<String> {
    std::env::var("AWS_ENDPOINT_URL")
        .ok()
        .filter(|url| !url.is_empty())
        .context("AWS_ENDPOINT_URL is not set: this command only works against the local emulator (`make dev`)")
}

async fn mailbox(args: MailboxArgs) -> Result<()> {
    let endpoint = emulator_endpoint()?;
    let to = args.to.as_deref().map(parse_email).transpose()?;
    let data: serde_json::Value = reqwest::get(format!("{endpoint}/moto-api/data.json"))
        .await
        .context("could not reach the emulator")?
        .json()
        .await
        .context("the emulator's data is not JSON")?;
    let messages: Vec<&serde_json::Value> = data["ses"]["Message"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|message| {
            to.as_ref().is_none_or(|to| {
                message["destinations"]["ToAddresses"].as_array().is_some_and(|a| a.iter().any(|v| v == to.as_str()))
            })
        })
        .collect();
    if args.token {
        let token = messages.iter().rev().find_map(|m| magic_link(m["body"].as_str().unwrap_or_default()));
        match token.and_then(|link| link.split_once("#token=").map(|(_, token)| token.to_owned())) {
            Some(token) => println!("{token}"),
            None => bail!("no magic link in the mailbox{}", to.map(|t| format!(" for {t}")).unwrap_or_default()),
        }
        return Ok(());
    }
    if messages.is_empty() {
        println!("The mailbox is empty. Ask for a sign-in link first (POST /api/auth/login).");
    }
    for message in messages.iter().rev().take(args.limit) {
        let recipients: Vec<&str> = message["destinations"]["ToAddresses"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str())
            .collect();
        println!("To:      {}", recipients.join(", "));
        println!("From:    {}", message["source"].as_str().unwrap_or_default());
        println!("Subject: {}", message["subject"].as_str().unwrap_or_default());
        if let Some(link) = magic_link(message["body"].as_str().unwrap_or_default()) {
            println!("Link:    {link}");
        }
        println!();
    }
    Ok(())
}

/// The first `href` pointing at the verify page.
fn magic_link(html: &str) -> Option<String> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .find(|href| href.contains("/auth/verify#token="))
        .map(|href| href.replace("&amp;", "&"))
}
