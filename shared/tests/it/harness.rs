//! Test harness: one moto server per test binary (started on a free port, stopped when the
//! binary exits), one table per test, and an in-process gateway that routes requests to the
//! function routers exactly as `template.yaml` routes them in AWS.

use std::collections::HashMap;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use aws_config::{BehaviorVersion, Region};
use aws_sdk_dynamodb::config::Credentials;
use axum::Router;
use axum::body::Body;
use http::{HeaderMap, HeaderName, HeaderValue, Method, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::Value;
use shared::AppState;
use shared::config::Config;
use shared::domain::{AdminId, ClientId, ContactId, EmailAddress};
use shared::models::{Admin, Client, ClientStatus, Contact};
use tower::ServiceExt;

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// The emulator's base URL, starting it on first use.
pub fn moto_endpoint() -> &'static str {
    static ENDPOINT: OnceLock<String> = OnceLock::new();
    ENDPOINT.get_or_init(start_moto)
}

fn start_moto() -> String {
    let binary = std::env::var_os("MOTO_SERVER")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join(".venv/bin/moto_server"));
    assert!(binary.exists(), "{} not found: run `make test` (it creates .venv)", binary.display());
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    // A watchdog shell stops moto when this test process exits, however it exits.
    let script = r#"MOTO_DISABLE_GLOBAL_CORS=1 "$0" -H 127.0.0.1 -p "$1" >/dev/null 2>&1 & moto=$!
parent=$PPID
while kill -0 "$parent" 2>/dev/null && kill -0 "$moto" 2>/dev/null; do sleep 1; done
kill "$moto" 2>/dev/null"#;
    // The watchdog lives as long as this process (a test binary exits without reaping it);
    // it stops moto itself.
    #[allow(clippy::zombie_processes)]
    let _watchdog = Command::new("sh")
        .arg("-c")
        .arg(script)
        .arg(&binary)
        .arg(port.to_string())
        .stdin(Stdio::null())
        .spawn()
        .expect("start moto_server");
    let address = SocketAddr::from(([127, 0, 0, 1], port));
    let deadline = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect_timeout(&address, Duration::from_millis(200)).is_err() {
        assert!(Instant::now() < deadline, "moto_server did not start on port {port}");
        std::thread::sleep(Duration::from_millis(100));
    }
    format!("http://127.0.0.1:{port}")
}

/// SDK configuration for an endpoint, with the portal's production timeouts and retries.
pub async fn sdk_config(endpoint: &str) -> aws_config::SdkConfig {
    shared::app::load_sdk_config(
        aws_config::defaults(BehaviorVersion::latest())
            .endpoint_url(endpoint)
            .region(Region::new("us-east-1"))
            .credentials_provider(Credentials::new("test", "test", None, None, "tests")),
    )
    .await
}

pub const SENDER: &str = "portal@agency.example";
pub const PUBLIC_URL: &str = "https://portal.agency.example";

pub fn test_config(table: &str, bucket: &str) -> Config {
    let values: HashMap<&str, String> = HashMap::from([
        ("TABLE_NAME", table.to_owned()),
        ("FILES_BUCKET", bucket.to_owned()),
        ("SENDER_EMAIL", SENDER.to_owned()),
        ("PUBLIC_URL", PUBLIC_URL.to_owned()),
        ("JWT_SECRET", "test-secret-test-secret-test-secret!".to_owned()),
        ("AGENCY_NAME", "Brightside Studio".to_owned()),
        // The timing floor has a test of its own; elsewhere it would only slow every sign-in.
        ("LOGIN_RESPONSE_FLOOR_MS", "0".to_owned()),
    ]);
    Config::from_lookup(|name| values.get(name).cloned()).unwrap()
}

/// Route table read from `template.yaml`: (method, path pattern, function binary).
#[derive(Debug, Clone)]
pub struct Route {
    pub method: String,
    pub path: String,
    pub function: String,
}

pub fn template_routes() -> &'static [Route] {
    static ROUTES: OnceLock<Vec<Route>> = OnceLock::new();
    ROUTES.get_or_init(|| {
        let text = std::fs::read_to_string(workspace_root().join("template.yaml")).unwrap();
        let template: Value = serde_norway::from_str(&text).unwrap();
        let mut routes = Vec::new();
        for resource in template["Resources"].as_object().unwrap().values() {
            if resource["Type"] != "AWS::Serverless::Function" {
                continue;
            }
            let function = resource["Metadata"]["BuildProperties"]["Binary"].as_str().unwrap().to_owned();
            for event in resource["Properties"]["Events"].as_object().into_iter().flat_map(|e| e.values()) {
                if event["Type"] != "HttpApi" {
                    continue;
                }
                let properties = &event["Properties"];
                routes.push(Route {
                    method: properties["Method"].as_str().unwrap_or("ANY").to_uppercase(),
                    path: properties["Path"].as_str().unwrap_or("$default").to_owned(),
                    function: function.clone(),
                });
            }
        }
        routes
    })
}

/// The routers of the function binaries, by binary name.
pub fn function_router(function: &str) -> Option<fn(AppState) -> Router> {
    Some(match function {
        "login" => shared::api::login::router,
        "verify" => shared::api::verify::router,
        "session" => shared::api::session::router,
        "projects" => shared::api::projects::router,
        "dashboard" => shared::api::dashboard::router,
        "messages" => shared::api::messages::router,
        "invoices" => shared::api::invoices::router,
        "admin" => shared::api::admin::router,
        _ => return None,
    })
}

fn path_matches(pattern: &str, path: &str) -> bool {
    let (pattern, path): (Vec<&str>, Vec<&str>) = (pattern.split('/').collect(), path.split('/').collect());
    if pattern.last().is_some_and(|last| last.ends_with("+}")) {
        return path.len() >= pattern.len()
            && pattern[..pattern.len() - 1].iter().zip(&path).all(|(p, s)| segment_matches(p, s));
    }
    pattern.len() == path.len() && pattern.iter().zip(&path).all(|(p, s)| segment_matches(p, s))
}

fn segment_matches(pattern: &str, segment: &str) -> bool {
    (pattern.starts_with('{') && pattern.ends_with('}') && !segment.is_empty()) || pattern == segment
}

/// Which function API Gateway would invoke for this request.
pub fn route_for(method: &Method, path: &str) -> &'static Route {
    let routes = template_routes();
    routes
        .iter()
        .find(|r| {
            r.path != "$default" && (r.method == "ANY" || r.method == method.as_str()) && path_matches(&r.path, path)
        })
        .or_else(|| routes.iter().find(|r| r.path == "$default"))
        .expect("template.yaml has a $default route")
}

pub struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
    pub raw: Vec<u8>,
}

impl TestResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn error_code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("<no error code>")
    }

    /// The `portal_session=…` pair from `Set-Cookie`, ready for a `Cookie` header.
    pub fn session_cookie(&self) -> Option<String> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with("portal_session="))
            .and_then(|v| v.split(';').next())
            .map(str::to_owned)
    }
}

/// A request as a browser or curl would send it.
pub struct ApiRequest {
    pub method: Method,
    pub path: String,
    pub body: Option<Vec<u8>>,
    pub headers: Vec<(HeaderName, HeaderValue)>,
    pub source_ip: String,
}

impl ApiRequest {
    pub fn get(path: &str) -> Self {
        Self {
            method: Method::GET,
            path: path.to_owned(),
            body: None,
            headers: vec![],
            source_ip: "198.51.100.7".into(),
        }
    }

    pub fn post(path: &str, json: Value) -> Self {
        Self::post_raw(path, "application/json", json.to_string().into_bytes())
    }

    pub fn post_raw(path: &str, content_type: &str, body: Vec<u8>) -> Self {
        let mut request = Self::get(path);
        request.method = Method::POST;
        request.body = Some(body);
        request.headers.push((http::header::CONTENT_TYPE, HeaderValue::from_str(content_type).unwrap()));
        request
    }

    pub fn method(mut self, method: Method) -> Self {
        self.method = method;
        self
    }

    pub fn header(mut self, name: &'static str, value: &str) -> Self {
        self.headers.push((HeaderName::from_static(name), HeaderValue::from_str(value).unwrap()));
        self
    }

    pub fn cookie(self, cookie: &str) -> Self {
        self.header("cookie", cookie)
    }

    pub fn with_ip(mut self, ip: &str) -> Self {
        self.source_ip = ip.to_owned();
        self
    }
}

/// One isolated portal: its own table, bucket and SES identity on the shared emulator.
pub struct TestApp {
    pub state: AppState,
    pub endpoint: String,
    pub suffix: String,
}

impl TestApp {
    pub async fn new() -> Self {
        Self::with_config(|_| {}).await
    }

    /// A portal whose Harvest is `fake`.
    pub async fn with_harvest(fake: &crate::fake_harvest::FakeHarvest) -> Self {
        let harvest = fake.config();
        Self::with_config(|config| config.harvest = Some(harvest)).await
    }

    /// Links a client to a Harvest client id.
    pub async fn link_to_harvest(&self, client: &mut Client, harvest_id: u64) {
        client.harvest_client_id = Some(harvest_id);
        self.state.store.put_client_replacing(client).await.unwrap();
    }

    pub async fn with_config(adjust: impl FnOnce(&mut Config)) -> Self {
        let endpoint = moto_endpoint().to_owned();
        let suffix = ulid::Ulid::new().to_string().to_lowercase();
        let mut config = test_config(&format!("portal-{suffix}"), &format!("files-{suffix}"));
        adjust(&mut config);
        let sdk = sdk_config(&endpoint).await;
        let state = AppState::new(config, &sdk);
        let sender = EmailAddress::parse(SENDER).unwrap();
        let ses = aws_sdk_sesv2::Client::new(&sdk);
        shared::local::init_resources(&state.store, state.files.get(), &ses, &state.config.files_bucket, &sender)
            .await
            .unwrap();
        Self { state, endpoint, suffix }
    }

    /// Sends a request through the function `template.yaml` routes it to.
    pub async fn send(&self, request: ApiRequest) -> TestResponse {
        let path = request.path.split('?').next().unwrap_or_default();
        let route = route_for(&request.method, path);
        let router = function_router(&route.function)
            .unwrap_or_else(|| panic!("no router registered for function {}", route.function));
        self.send_to(router(self.state.clone()), request).await
    }

    pub async fn send_to(&self, router: Router, request: ApiRequest) -> TestResponse {
        use lambda_http::aws_lambda_events::apigw::{
            ApiGatewayV2httpRequestContext, ApiGatewayV2httpRequestContextHttpDescription,
        };
        let mut builder = Request::builder().method(request.method).uri(&request.path);
        for (name, value) in request.headers {
            builder = builder.header(name, value);
        }
        let mut http_request = builder.body(Body::from(request.body.unwrap_or_default())).unwrap();
        let mut description = ApiGatewayV2httpRequestContextHttpDescription::default();
        description.source_ip = Some(request.source_ip);
        let mut context = ApiGatewayV2httpRequestContext::default();
        context.http = description;
        http_request.extensions_mut().insert(lambda_http::request::RequestContext::ApiGatewayV2(context));
        let response = router.oneshot(http_request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let raw = response.into_body().collect().await.unwrap().to_bytes().to_vec();
        let body = if raw.is_empty() { Value::Null } else { serde_json::from_slice(&raw).unwrap_or(Value::Null) };
        TestResponse { status, headers, body, raw }
    }

    /// A unique address for this test, so mailbox reads never see another test's mail.
    pub fn email(&self, local: &str) -> EmailAddress {
        EmailAddress::parse(&format!("{local}-{}@client.example", self.suffix)).unwrap()
    }

    pub async fn add_client(&self, name: &str) -> Client {
        let client = Client {
            id: ClientId::new(),
            company_name: name.to_owned(),
            status: ClientStatus::Active,
            portal_enabled: true,
            harvest_client_id: None,
            created_at: time::OffsetDateTime::now_utc(),
        };
        self.state.store.put_client(&client).await.unwrap();
        client
    }

    pub async fn add_contact(&self, client: &Client, local: &str) -> Contact {
        let contact = Contact {
            id: ContactId::new(),
            client_id: client.id,
            name: format!("{local} Example"),
            email: self.email(local),
            portal_enabled: true,
            created_at: time::OffsetDateTime::now_utc(),
        };
        self.state.store.create_contact(&contact).await.unwrap();
        contact
    }

    pub async fn add_admin(&self, local: &str) -> Admin {
        let admin = Admin {
            id: AdminId::new(),
            name: format!("{local} Staff"),
            email: self.email(local),
            created_at: time::OffsetDateTime::now_utc(),
        };
        self.state.store.create_admin(&admin).await.unwrap();
        admin
    }

    /// Mail SES accepted for `to`, oldest first (read back from the emulator).
    pub async fn inbox(&self, to: &EmailAddress) -> Vec<SentMail> {
        // moto builds data.json by walking every backend while other tests write to them, and
        // now and then fails mid-walk under load: read it again.
        let mut data = Value::Null;
        for attempt in 0..8 {
            let response = reqwest::get(format!("{}/moto-api/data.json", self.endpoint)).await;
            if let Ok(response) = response
                && response.status().is_success()
                && let Ok(json) = response.json::<Value>().await
            {
                data = json;
                break;
            }
            assert!(attempt < 7, "moto's data.json kept failing");
            tokio::time::sleep(Duration::from_millis(100 * (attempt + 1))).await;
        }
        data["ses"]["Message"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|m| m["destinations"]["ToAddresses"].as_array().is_some_and(|a| a.iter().any(|v| v == to.as_str())))
            .map(|m| SentMail {
                source: m["source"].as_str().unwrap_or_default().to_owned(),
                subject: m["subject"].as_str().unwrap_or_default().to_owned(),
                body: m["body"].as_str().unwrap_or_default().to_owned(),
            })
            .collect()
    }

    /// The token from the newest magic link sent to `to`.
    pub async fn latest_token(&self, to: &EmailAddress) -> String {
        let mail = self.inbox(to).await;
        let last = mail.last().unwrap_or_else(|| panic!("no mail for {to}"));
        last.token().unwrap_or_else(|| panic!("no token in {}", last.body))
    }

    /// Full sign-in: login, read the mail, verify. Returns the cookie pair.
    pub async fn sign_in(&self, email: &EmailAddress) -> String {
        let login =
            self.send(ApiRequest::post("/api/auth/login", serde_json::json!({ "email": email.as_str() }))).await;
        assert_eq!(login.status, StatusCode::ACCEPTED, "{:?}", login.body);
        let token = self.latest_token(email).await;
        let verify = self.send(ApiRequest::post("/api/auth/verify", serde_json::json!({ "token": token }))).await;
        assert_eq!(verify.status, StatusCode::OK, "{:?}", verify.body);
        verify.session_cookie().unwrap()
    }
}

#[derive(Debug, Clone)]
pub struct SentMail {
    pub source: String,
    pub subject: String,
    pub body: String,
}

impl SentMail {
    pub fn token(&self) -> Option<String> {
        let start = self.body.find("#token=")? + "#token=".len();
        let token: String =
            self.body[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect();
        (!token.is_empty()).then_some(token)
    }
}

/// A client company with enough content to exercise every client route.
pub struct Tenant {
    pub client: Client,
    pub contact: Contact,
    pub colleague: Contact,
    pub project: shared::models::Project,
    pub other_project: shared::models::Project,
    pub deliverable: shared::models::Deliverable,
    /// Has a version, but nothing delivered: clients must not see it.
    pub hidden_deliverable: shared::models::Deliverable,
    pub note: shared::models::MeetingNote,
    pub overdue_milestone: shared::models::Milestone,
    /// Harvest invoice id, once `link_tenant_to_harvest` ran.
    pub invoice_id: u64,
}

impl TestApp {
    /// Creates a tenant: an active project with milestones (done, overdue, upcoming), a
    /// deliverable with two delivered versions whose files are in S3, an undelivered one, a
    /// note, and a completed project.
    pub async fn tenant(&self, name: &str) -> Tenant {
        use shared::models::*;
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
            created_at: now,
        };
        store.put_project(&project).await.unwrap();
        let other_project = Project {
            id: ulid::Ulid::new(),
            name: format!("{name} brand"),
            status: ProjectStatus::Completed,
            ..project.clone()
        };
        store.put_project(&other_project).await.unwrap();
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
            store.put_milestone(m).await.unwrap();
        }
        store.refresh_project_summary(client.id, project.id).await.unwrap();

        let deliverable_id = ulid::Ulid::new();
        let mut versions = Vec::new();
        for number in 1..=2u32 {
            let key = format!("clients/{}/d/{deliverable_id}/v{number}/home.txt", client.id);
            let body = format!("{name} homepage v{number}");
            self.state
                .files
                .get()
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
        store.put_deliverable(&deliverable).await.unwrap();
        let mut hidden_deliverable = deliverable.clone();
        hidden_deliverable.id = ulid::Ulid::new();
        hidden_deliverable.name = "Unreleased".into();
        hidden_deliverable.status = DeliverableStatus::InProgress;
        hidden_deliverable.versions.truncate(1);
        hidden_deliverable.versions[0].delivered_at = None;
        store.put_deliverable(&hidden_deliverable).await.unwrap();
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
        store.put_note(&note).await.unwrap();
        Tenant {
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
        }
    }

    /// Links the tenant to Harvest client `harvest_id` and has `fake` serve one open invoice
    /// (id `harvest_id * 10`) for it.
    pub async fn link_tenant_to_harvest(
        &self,
        tenant: &mut Tenant,
        fake: &crate::fake_harvest::FakeHarvest,
        harvest_id: u64,
    ) {
        use shared::local::harvest_fixtures::{Spec, invoice};
        self.link_to_harvest(&mut tenant.client, harvest_id).await;
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
    pub async fn agency_message(&self, tenant: &Tenant, body: &str) -> shared::models::Message {
        use shared::models::*;
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
