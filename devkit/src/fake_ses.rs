//! A fake SES v2 endpoint at the HTTP level (wiremock), for the tests that must see what the
//! SDK sends (the `List-Unsubscribe` headers, the configuration set) or make SES fail for a
//! while. Everything else reads sent mail from the emulator (`mailbox`).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const SEND_EMAIL: &str = "/v2/email/outbound-emails";

pub struct FakeSes {
    server: MockServer,
    down: Arc<AtomicBool>,
}

/// SES's answer: accepted, or 503 while the fake outage lasts.
struct Answer(Arc<AtomicBool>);

impl Respond for Answer {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        if self.0.load(Ordering::SeqCst) {
            ResponseTemplate::new(503).set_body_json(json!({ "message": "Service Unavailable (fake outage)" }))
        } else {
            ResponseTemplate::new(200).set_body_json(json!({ "MessageId": "fake-message" }))
        }
    }
}

impl FakeSes {
    /// Accepts every SendEmail, as SES does.
    pub async fn start() -> Self {
        let server = MockServer::start().await;
        let down = Arc::new(AtomicBool::new(false));
        Mock::given(method("POST")).and(path(SEND_EMAIL)).respond_with(Answer(Arc::clone(&down))).mount(&server).await;
        Self { server, down }
    }

    pub fn endpoint(&self) -> String {
        self.server.uri()
    }

    /// From now on SES answers 503 to every SendEmail, until `recover`.
    pub fn fail(&self) {
        self.down.store(true, Ordering::SeqCst);
    }

    pub fn recover(&self) {
        self.down.store(false, Ordering::SeqCst);
    }

    /// Every SendEmail request body received (accepted or not), oldest first.
    pub async fn requests(&self) -> Vec<Value> {
        self.server
            .received_requests()
            .await
            .unwrap_or_default()
            .into_iter()
            .filter(|request| request.url.path() == SEND_EMAIL)
            .filter_map(|request| serde_json::from_slice(&request.body).ok())
            .collect()
    }
}
