//! One isolated portal per test (`spawn_app`): its own table, bucket and SES identity on the
//! shared emulator, requests sent through the real routers, and its mailbox.

use axum::body::Body;
use devkit::mailbox::SentMail;
use http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::Value;
use shared::AppState;
use shared::config::Config;
use shared::domain::{
    Admin, AdminId, Client, ClientId, ClientStatus, Contact, ContactId, ContactRole, EmailAddress, StaffRole,
};
use tower::ServiceExt;

use super::{ApiRequest, SENDER, TestResponse, moto_endpoint, moto_sdk_config, route_for, test_config};

/// A fresh portal with the test configuration.
pub async fn spawn_app() -> TestApp {
    TestApp::new().await
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
    pub async fn with_harvest(fake: &devkit::fake_harvest::FakeHarvest) -> Self {
        let harvest = fake.config();
        Self::with_config(|config| config.harvest = Some(harvest)).await
    }

    /// Links a client to a Harvest client id.
    pub async fn link_to_harvest(&self, client: &mut Client, harvest_id: u64) {
        client.harvest_client_id = Some(harvest_id);
        devkit::insert(&self.state.store, self.state.store.client_item(client).unwrap()).await.unwrap();
    }

    pub async fn with_config(adjust: impl FnOnce(&mut Config)) -> Self {
        let endpoint = moto_endpoint().to_owned();
        let suffix = ulid::Ulid::new().to_string().to_lowercase();
        let mut config = test_config(&format!("portal-{suffix}"), &format!("files-{suffix}"));
        adjust(&mut config);
        let sdk = moto_sdk_config(&endpoint).await;
        let state = AppState::new(config, &sdk);
        let sender = EmailAddress::parse(SENDER).unwrap();
        let ses = aws_sdk_sesv2::Client::new(&sdk);
        devkit::init_resources(&state.store, state.files.client(), &ses, state.files.bucket(), &sender).await.unwrap();
        Self { state, endpoint, suffix }
    }

    /// Sends a request through the function `template.yaml` routes it to.
    pub async fn send(&self, request: ApiRequest) -> TestResponse {
        let path = request.path.split('?').next().unwrap_or_default();
        let route = route_for(&request.method, path);
        let routes = shared::app::function_router(&route.function)
            .unwrap_or_else(|| panic!("no router registered for function {}", route.function));
        let router = shared::app::router(routes, self.state.clone());
        let function: &'static str = route.function.as_str();
        super::recorder::FUNCTION
            .scope(function, async {
                let response = self.send_to(router, request).await;
                super::recorder::record_presigned(&response.body);
                response
            })
            .await
    }

    pub async fn send_to(&self, router: axum::Router, request: ApiRequest) -> TestResponse {
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
            uploads_enabled: true,
            budget_display: Default::default(),
            created_at: time::OffsetDateTime::now_utc(),
        };
        devkit::insert(&self.state.store, self.state.store.client_item(&client).unwrap()).await.unwrap();
        client
    }

    /// A contact who owns the company's team (so sees everything of it).
    pub async fn add_contact(&self, client: &Client, local: &str) -> Contact {
        self.add_contact_as(client, local, ContactRole::Owner, true).await
    }

    pub async fn add_contact_as(&self, client: &Client, local: &str, role: ContactRole, invoices: bool) -> Contact {
        let contact = Contact {
            id: ContactId::new(),
            client_id: client.id,
            name: format!("{local} Example"),
            email: self.email(local),
            portal_enabled: true,
            role,
            invoice_access: invoices,
            created_at: time::OffsetDateTime::now_utc(),
        };
        devkit::insert_contact(&self.state.store, &contact).await.unwrap();
        contact
    }

    /// An agency owner (sees every client).
    pub async fn add_admin(&self, local: &str) -> Admin {
        self.add_staff(local, StaffRole::Owner).await
    }

    pub async fn add_staff(&self, local: &str, role: StaffRole) -> Admin {
        let admin = Admin {
            id: AdminId::new(),
            name: format!("{local} Staff"),
            email: self.email(local),
            role,
            created_at: time::OffsetDateTime::now_utc(),
        };
        devkit::insert_admin(&self.state.store, &admin).await.unwrap();
        admin
    }

    /// Runs the notification drain as the schedule would: now (fan-out), and once the batch
    /// window has passed (sending). Answers the second run's report.
    pub async fn deliver_notifications(&self) -> shared::notify::DrainReport {
        let now = shared::notify::now();
        self.drain_at(now).await;
        let window = i64::try_from(self.state.config.notifications.batch_window.as_secs()).unwrap();
        self.drain_at(now + window + 1).await
    }

    /// Runs the drain as if it were `at` (unix seconds).
    pub async fn drain_at(&self, at: i64) -> shared::notify::DrainReport {
        let drain =
            shared::notify::drain(&self.state.store, &self.state.mailer, &self.state.billing, &self.state.config, at);
        super::recorder::FUNCTION.scope("notify-drain", drain).await.unwrap()
    }

    /// Mail SES accepted for `to`, oldest first (read back from the emulator).
    pub async fn inbox(&self, to: &EmailAddress) -> Vec<SentMail> {
        devkit::mailbox::read(&self.endpoint, Some(to)).await.unwrap()
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
