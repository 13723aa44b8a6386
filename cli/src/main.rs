//! `portal`: the operator's command line. Its writes go through the same services as the admin
//! API (same validation, same transactions), audited as `operator:cli`; emulator set-up, demo
//! data, the fake Harvest and the mailbox come from the dev kit.

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};
use shared::admin::clients;
use shared::domain::{Actor, AdminId, ClientId, ContactId, ContactRole, EmailAddress, StaffRole};
use shared::store::{Store, Visible};
use shared::team::{contacts, staff};

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
    /// Bootstrap a deployment's first agency owner.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Manage agency staff, their roles and client assignments (as owners do in the console).
    #[command(subcommand)]
    Staff(StaffCommand),
    /// Manage client companies.
    #[command(subcommand)]
    Client(ClientCommand),
    /// Manage contacts at client companies.
    #[command(subcommand)]
    Contact(ContactCommand),
    /// Back the table up to a JSON-lines archive (with a manifest of the files), or restore one.
    #[command(subcommand)]
    Backup(BackupCommand),
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
    /// Add an agency owner (bootstraps the first one in a new deployment). Prints their id.
    Add {
        /// Their email address; unique across all staff and contacts.
        email: String,
        /// Their full name.
        #[arg(long, default_value = "Agency admin")]
        name: String,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum RoleArg {
    Owner,
    Member,
}

impl RoleArg {
    fn staff(self) -> StaffRole {
        match self {
            Self::Owner => StaffRole::Owner,
            Self::Member => StaffRole::Member,
        }
    }

    fn contact(self) -> ContactRole {
        match self {
            Self::Owner => ContactRole::Owner,
            Self::Member => ContactRole::Member,
        }
    }
}

#[derive(Subcommand)]
enum StaffCommand {
    /// List staff: id, role, name, email, assigned clients.
    List,
    /// Add a staff member (they sign in with their email address). Prints their id.
    Add {
        email: String,
        #[arg(long)]
        name: String,
        /// Owners see every client and manage staff; members see their assigned clients.
        #[arg(long, value_enum, default_value = "member")]
        role: RoleArg,
    },
    /// Change a staff member's role (the last owner cannot be demoted).
    Role {
        /// Staff id (from `portal staff list`).
        id: String,
        #[arg(value_enum)]
        role: RoleArg,
    },
    /// Remove a staff member: their access ends on their next request.
    Remove { id: String },
    /// Let a member see and act on a client.
    Assign {
        id: String,
        #[arg(long)]
        client: String,
    },
    /// End a member's access to a client.
    Unassign {
        id: String,
        #[arg(long)]
        client: String,
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
    /// Everything the portal holds about a contact (a privacy request), as JSON; files they
    /// uploaded come as five-minute download links.
    Export {
        #[arg(long)]
        client: String,
        #[arg(long)]
        contact: String,
        /// Where to write it; `-` for standard output.
        #[arg(long, default_value = "-")]
        out: String,
        /// The files bucket (for the download links).
        #[arg(long, env = "FILES_BUCKET", default_value = "client-portal-files")]
        bucket: String,
    },
    /// Erase a contact on request: sessions, passkeys and notifications removed, every mention
    /// of them anonymised ("Former contact"), the contact and their address removed. Cannot be
    /// undone; if it stops early, run it again to finish.
    Erase {
        #[arg(long)]
        client: String,
        #[arg(long)]
        contact: String,
        /// The contact's email address, as a confirmation.
        #[arg(long)]
        confirm_email: String,
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
        /// Owner or member of the company's team (default: owner if the company has none yet).
        #[arg(long, value_enum)]
        role: Option<RoleArg>,
        /// Let a member see invoices (owners always do).
        #[arg(long)]
        invoices: bool,
    },
}

#[derive(Subcommand)]
enum BackupCommand {
    /// Write every item of the table, and the key, size and ETag of every file in the bucket.
    Export {
        /// The archive to write (JSON lines); `-` for standard output.
        #[arg(long)]
        out: String,
        /// The files bucket to list.
        #[arg(long, env = "FILES_BUCKET", default_value = "client-portal-files")]
        bucket: String,
    },
    /// Restore an archive into the table given by --table, which must exist and be empty.
    /// The whole archive is checked first; nothing is written if any line is wrong.
    Import {
        /// The archive to read; `-` for standard input.
        #[arg(long)]
        from: String,
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
    let sdk = shared::aws::load_sdk_config(aws_config::defaults(aws_config::BehaviorVersion::latest())).await;
    let store = Store::new(aws_sdk_dynamodb::Client::new(&sdk), cli.table.as_str());
    let operator = Actor::operator();
    match cli.command {
        Command::Init(args) => {
            let endpoint = emulator_endpoint()?;
            let sender = parse_email(&args.sender)?;
            let s3 =
                aws_sdk_s3::Client::from_conf(aws_sdk_s3::config::Builder::from(&sdk).force_path_style(true).build());
            let ses = aws_sdk_sesv2::Client::new(&sdk);
            devkit::init_resources(&store, &s3, &ses, &args.bucket, &sender).await?;
            devkit::allow_browser_uploads(&s3, &args.bucket, &args.web_origin).await?;
            println!("Ready at {endpoint}: table {}, bucket {}, sender {sender}", cli.table, args.bucket);
        }
        Command::Backup(BackupCommand::Export { out, bucket }) => {
            let s3 =
                aws_sdk_s3::Client::from_conf(aws_sdk_s3::config::Builder::from(&sdk).force_path_style(true).build());
            let mut writer: Box<dyn std::io::Write> = if out == "-" {
                Box::new(std::io::stdout().lock())
            } else {
                Box::new(std::io::BufWriter::new(
                    std::fs::File::create(&out).with_context(|| format!("cannot create {out}"))?,
                ))
            };
            let summary = shared::backup::export(store.client(), &cli.table, &s3, &bucket, &mut writer).await?;
            eprintln!(
                "Exported {} items of {} and {} file(s) of {bucket} to {out}.",
                summary.items, cli.table, summary.files
            );
        }
        Command::Backup(BackupCommand::Import { from }) => {
            let reader: Box<dyn std::io::BufRead> = if from == "-" {
                Box::new(std::io::stdin().lock())
            } else {
                Box::new(std::io::BufReader::new(
                    std::fs::File::open(&from).with_context(|| format!("cannot open {from}"))?,
                ))
            };
            let summary = shared::backup::import(store.client(), &cli.table, reader).await?;
            eprintln!(
                "Restored {} items into {}. The archive lists {} file(s); the bucket keeps them (versioned).",
                summary.items, cli.table, summary.files
            );
        }
        Command::Seed { bucket } => {
            emulator_endpoint()?;
            let s3 =
                aws_sdk_s3::Client::from_conf(aws_sdk_s3::config::Builder::from(&sdk).force_path_style(true).build());
            let report = devkit::seed_demo(&store, &s3, &bucket).await?;
            if report.already_seeded {
                println!("Demo data already present (admin {}).", report.admin_email);
            } else {
                println!("Seeded demo data. Sign in as any of:");
                println!("  owner      {}  (agency owner: every client)", report.admin_email);
                println!("  member     {}  (agency member: the first client only)", report.member_email);
                for (company, emails) in report.clients {
                    for email in emails {
                        println!("  client     {email}  ({company})");
                    }
                }
            }
        }
        Command::Admin(AdminCommand::Add { email, name }) => {
            let input = staff::NewStaff { name, email, role: StaffRole::Owner };
            let admin = staff::add(&store, &operator, input).await.map_err(refused("add the owner"))?;
            println!("{}", admin.id);
        }
        Command::Staff(command) => staff_command(&store, &operator, command).await?,
        Command::Client(ClientCommand::List { search }) => {
            let mut start = None;
            loop {
                let (page, last) = clients::list(&store, &Visible::All, search.as_deref(), 100, start)
                    .await
                    .map_err(refused("list clients"))?;
                for c in &page {
                    let portal = if c.portal_enabled { "portal on" } else { "portal off" };
                    println!("{}  {:<32} {:?}, {portal}", c.id, c.company_name, c.status);
                }
                match last {
                    Some(next) => start = Some(next),
                    None => break,
                }
            }
        }
        Command::Contact(ContactCommand::Grant { client, contact }) => {
            set_access(&store, &operator, &client, &contact, true).await?;
        }
        Command::Contact(ContactCommand::Revoke { client, contact }) => {
            set_access(&store, &operator, &client, &contact, false).await?;
        }
        Command::Client(ClientCommand::Add { name, portal_disabled }) => {
            let input =
                clients::NewClient { company_name: name, harvest_client_id: None, portal_enabled: !portal_disabled };
            let client = clients::create(&store, &operator, input).await.map_err(refused("add the client"))?;
            println!("{}", client.id);
        }
        Command::Contact(ContactCommand::Add { client, name, email, portal, role, invoices }) => {
            let client_id = ClientId::parse(client.trim()).context("--client is not a client id")?;
            let role = role.map(RoleArg::contact);
            let input = contacts::NewContact { name, email, portal_enabled: portal, role, invoice_access: invoices };
            match contacts::add(&store, &operator, client_id, input).await {
                Ok(contact) => println!("{}", contact.id),
                Err(shared::domain::Error::NotFound) => bail!("no client with id {client_id}"),
                Err(other) => return Err(refused("add the contact")(other)),
            }
        }
        Command::Contact(ContactCommand::Export { client, contact, out, bucket }) => {
            let (client_id, contact_id) = (client_id(&client)?, contact_id(&contact)?);
            let s3 = shared::aws::LazyClient::new(&std::sync::Arc::new(sdk.clone()));
            let files = shared::files::FileStore::new(s3, &sdk, &bucket, None, 0);
            let export = shared::privacy::export(&store, &files, client_id, contact_id)
                .await
                .map_err(refused("export the contact"))?;
            let json = serde_json::to_string_pretty(&export)?;
            if out == "-" {
                println!("{json}");
            } else {
                std::fs::write(&out, json).with_context(|| format!("cannot write {out}"))?;
                eprintln!("Wrote {} record(s) and {} file link(s) to {out}.", export.records.len(), export.files.len());
            }
        }
        Command::Contact(ContactCommand::Erase { client, contact, confirm_email }) => {
            let (client_id, contact_id) = (client_id(&client)?, contact_id(&contact)?);
            let erasure = shared::privacy::erase(&store, &operator, client_id, contact_id, &confirm_email)
                .await
                .map_err(refused("erase the contact"))?;
            println!(
                "Erased (reference {}): {} item(s) anonymised, {} removed.",
                erasure.reference, erasure.anonymised, erasure.removed
            );
        }
        Command::Mailbox(args) => mailbox(args).await?,
        Command::FakeHarvest { port, token, account_id } => {
            let fake = devkit::fake_harvest::FakeHarvest::serve_demo(port, &token, &account_id)
                .await
                .with_context(|| format!("could not listen on port {port}"))?;
            println!("Fake Harvest API v2 on {}", fake.uri());
            std::future::pending::<()>().await;
        }
    }
    Ok(())
}

fn staff_id(raw: &str) -> Result<AdminId> {
    AdminId::parse(raw.trim()).context("not a staff id (see `portal staff list`)")
}

fn client_id(raw: &str) -> Result<ClientId> {
    ClientId::parse(raw.trim()).context("--client is not a client id")
}

fn contact_id(raw: &str) -> Result<ContactId> {
    ContactId::parse(raw.trim()).context("--contact is not a contact id")
}

/// `portal staff …`: the console's staff management, through the same services.
async fn staff_command(store: &Store, operator: &Actor, command: StaffCommand) -> Result<()> {
    match command {
        StaffCommand::List => {
            for member in staff::list(store).await.map_err(refused("list staff"))? {
                let role = if member.admin.role == StaffRole::Owner { "owner" } else { "member" };
                let clients: Vec<String> = member.clients.iter().map(ToString::to_string).collect();
                println!(
                    "{}  {role:<6} {:<24} {:<32} {}",
                    member.admin.id,
                    member.admin.name,
                    member.admin.email,
                    if role == "owner" { "all clients".to_owned() } else { clients.join(",") }
                );
            }
        }
        StaffCommand::Add { email, name, role } => {
            let input = staff::NewStaff { name, email, role: role.staff() };
            let admin = staff::add(store, operator, input).await.map_err(refused("add the staff member"))?;
            println!("{}", admin.id);
        }
        StaffCommand::Role { id, role } => {
            let patch = staff::StaffPatch { role: role.staff() };
            let admin =
                staff::set_role(store, operator, staff_id(&id)?, patch).await.map_err(refused("change the role"))?;
            println!("{} <{}>: {:?}", admin.name, admin.email, admin.role);
        }
        StaffCommand::Remove { id } => {
            staff::remove(store, operator, staff_id(&id)?).await.map_err(refused("remove the staff member"))?;
            println!("removed");
        }
        StaffCommand::Assign { id, client } => {
            staff::assign(store, operator, client_id(&client)?, staff_id(&id)?).await.map_err(refused("assign"))?;
            println!("assigned");
        }
        StaffCommand::Unassign { id, client } => {
            staff::unassign(store, operator, client_id(&client)?, staff_id(&id)?).await.map_err(refused("unassign"))?;
            println!("unassigned");
        }
    }
    Ok(())
}

/// The service's refusal, in its own words.
fn refused(what: &'static str) -> impl Fn(shared::domain::Error) -> anyhow::Error {
    move |error| anyhow::anyhow!("could not {what}: {error}")
}

/// Grant or revoke through the same rules as the admin API (audited as `operator:cli`).
async fn set_access(store: &Store, operator: &Actor, client: &str, contact: &str, enabled: bool) -> Result<()> {
    let client_id = ClientId::parse(client.trim()).context("--client is not a client id")?;
    let contact_id = ContactId::parse(contact.trim()).context("--contact is not a contact id")?;
    let patch = contacts::ContactPatch { portal_enabled: Some(enabled), ..Default::default() };
    let updated =
        contacts::update(store, operator, client_id, contact_id, patch).await.map_err(refused("change access"))?;
    if !enabled {
        contacts::revoke(store, operator, client_id, contact_id).await.map_err(refused("end the sessions"))?;
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
    let messages = devkit::mailbox::read(&endpoint, to.as_ref()).await?;
    if args.token {
        match messages.iter().rev().find_map(devkit::mailbox::SentMail::token) {
            Some(token) => println!("{token}"),
            None => bail!("no magic link in the mailbox{}", to.map(|t| format!(" for {t}")).unwrap_or_default()),
        }
        return Ok(());
    }
    if messages.is_empty() {
        println!("The mailbox is empty. Ask for a sign-in link first (POST /api/auth/login).");
    }
    for message in messages.iter().rev().take(args.limit) {
        println!("To:      {}", message.to.join(", "));
        println!("From:    {}", message.source);
        println!("Subject: {}", message.subject);
        if let Some(link) = message.magic_link() {
            println!("Link:    {link}");
        }
        println!();
    }
    Ok(())
}
