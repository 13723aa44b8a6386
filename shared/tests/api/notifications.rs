//! Notifications: the drain (fan-out, batches, digests, retries), preferences, the bell, the
//! signed unsubscribe link, and the suppression list fed by SES's bounce and complaint events.
//! The drain is run as the schedule runs it, at chosen times; mail is read back from the
//! emulator, or from a fake SES endpoint where the test must see the request or make SES fail.

use std::sync::Arc;

use aws_lambda_events::event::sns::SnsEvent;
use devkit::fake_ses::FakeSes;
use devkit::mailbox::SentMail;
use http::{Method, StatusCode};
use serde_json::{Value, json};
use shared::aws::LazyClient;
use shared::domain::{Admin, Client, Contact, EmailAddress, StaffRole};
use shared::mail::Mailer;

use crate::helpers::{ApiRequest, SENDER, TestApp, TestResponse, sdk_config};

struct Agency {
    app: TestApp,
    client: Client,
    lead: Contact,
    colleague: Contact,
    staff: Admin,
    staff_cookie: String,
}

async fn agency() -> Agency {
    agency_with(|_| {}).await
}

async fn agency_with(adjust: impl FnOnce(&mut shared::config::Config)) -> Agency {
    let app = TestApp::with_config(adjust).await;
    let client = app.add_client("Acme").await;
    let lead = app.add_contact(&client, "lead").await;
    let colleague = app.add_contact(&client, "colleague").await;
    let staff = app.add_staff("staff", StaffRole::Member).await;
    let audit = shared::domain::AuditEvent::new(None, "test".into(), "client.assign", "setup".into());
    app.state.store.assign(client.id, staff.id, &audit).await.unwrap();
    let staff_cookie = app.sign_in(&staff.email).await;
    Agency { app, client, lead, colleague, staff, staff_cookie }
}

impl Agency {
    async fn reply(&self, body: &str) {
        let path = format!("/api/admin/clients/{}/messages", self.client.id);
        let response = self.app.send(ApiRequest::post(&path, json!({ "body": body })).cookie(&self.staff_cookie)).await;
        assert_eq!(response.status, StatusCode::CREATED, "{}", response.body);
    }

    /// Notification mail (not sign-in links) the emulator accepted for `to`.
    async fn notices(&self, to: &EmailAddress) -> Vec<SentMail> {
        self.app.inbox(to).await.into_iter().filter(|m| !m.subject.starts_with("Your sign-in link")).collect()
    }

    async fn send(&self, request: ApiRequest) -> TestResponse {
        self.app.send(request).await
    }

    fn window(&self) -> i64 {
        i64::try_from(self.app.state.config.notifications.batch_window.as_secs()).unwrap()
    }
}

/// A mailer whose SES is `fake` (everything else stays on the emulator).
async fn mailer_on(fake: &FakeSes) -> Mailer {
    let sdk = Arc::new(sdk_config(&fake.endpoint()).await);
    Mailer::new(LazyClient::new(&sdk), &EmailAddress::parse(SENDER).unwrap())
        .with_configuration_set(Some("portal-mail".into()))
}

async fn drain_with(app: &TestApp, mailer: &Mailer, at: i64) -> shared::notify::DrainReport {
    let drain = shared::notify::drain(&app.state.store, mailer, &app.state.billing, &app.state.config, at);
    crate::helpers::recorder::FUNCTION.scope("notify-drain", drain).await.unwrap()
}

fn text_of(request: &Value) -> &str {
    request["Content"]["Simple"]["Body"]["Text"]["Data"].as_str().unwrap_or_default()
}

fn to_of(request: &Value) -> &str {
    request["Destination"]["ToAddresses"][0].as_str().unwrap_or_default()
}

/// The unsubscribe token in a mail's body.
fn token_in(body: &str) -> String {
    let start = body.find("/unsubscribe?token=").expect("an unsubscribe link") + "/unsubscribe?token=".len();
    body[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '~' | '_' | '-')).collect()
}

#[tokio::test]
async fn three_events_in_the_window_become_one_mail_with_one_click_unsubscribe() {
    let a = agency().await;
    let ses = FakeSes::start().await;
    let mailer = mailer_on(&ses).await;
    let now = shared::notify::now();
    for text in ["First <b>draft</b> is up", "Second thing", "Third thing"] {
        a.reply(text).await;
    }
    let fanned = drain_with(&a.app, &mailer, now).await;
    assert_eq!((fanned.events, fanned.sent), (3, 0), "fanned out, nothing due yet");
    assert_eq!(drain_with(&a.app, &mailer, now + a.window() - 5).await.sent, 0, "still inside the window");
    assert!(ses.requests().await.is_empty());

    let report = drain_with(&a.app, &mailer, now + a.window() + 1).await;
    assert_eq!(report.sent, 2, "one mail for each of the two contacts: {report:?}");
    let requests = ses.requests().await;
    assert_eq!(requests.len(), 2);
    let to_lead = requests.iter().find(|r| to_of(r) == a.lead.email.as_str()).expect("the lead got one");
    let agency = &a.app.state.config.agency_name;
    assert_eq!(to_lead["Content"]["Simple"]["Subject"]["Data"], format!("3 updates in the {agency} portal"));
    let text = text_of(to_lead);
    for quote in ["First <b>draft</b> is up", "Second thing", "Third thing"] {
        assert!(text.contains(quote), "{text}");
    }
    let html = to_lead["Content"]["Simple"]["Body"]["Html"]["Data"].as_str().unwrap();
    assert!(!html.contains("<b>draft"), "the HTML part escapes what people wrote");
    assert_eq!(to_lead["ConfigurationSetName"], "portal-mail");
    let headers: Vec<(&str, &str)> = to_lead["Content"]["Simple"]["Headers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["Name"].as_str().unwrap(), h["Value"].as_str().unwrap()))
        .collect();
    let token = token_in(text);
    assert!(headers.contains(&(
        "List-Unsubscribe",
        format!("<https://portal.agency.example/api/notifications/unsubscribe?token={token}>").as_str()
    )));
    assert!(headers.contains(&("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")), "{headers:?}");

    // Sent is sent: later runs send nothing more.
    assert_eq!(drain_with(&a.app, &mailer, now + 2 * a.window() + 2).await.sent, 0);
    assert_eq!(ses.requests().await.len(), 2);
    // The staff member who wrote is not told of their own messages.
    assert!(requests.iter().all(|r| to_of(r) != a.staff.email.as_str()));
}

#[tokio::test]
async fn the_daily_digest_goes_out_at_its_hour_and_only_with_news() {
    let a = agency().await;
    let cookie = a.app.sign_in(&a.lead.email).await;
    let chose = a
        .send(
            ApiRequest::post("/api/notifications/preferences", json!({ "topics": { "messages": "daily" } }))
                .method(Method::PUT)
                .cookie(&cookie),
        )
        .await;
    assert_eq!(chose.status, StatusCode::OK, "{}", chose.body);
    let now = shared::notify::now();
    a.reply("Morning news").await;
    a.app.drain_at(now).await;
    a.app.drain_at(now + a.window() + 1).await;
    assert!(a.notices(&a.lead.email).await.is_empty(), "daily means not right away");
    assert_eq!(a.notices(&a.colleague.email).await.len(), 1, "the colleague kept the default");

    let digest_at = shared::notify::next_digest_at(&a.app.state.config, now);
    assert!(digest_at > now && digest_at <= now + 86_400);
    a.app.drain_at(digest_at - 1).await;
    assert!(a.notices(&a.lead.email).await.is_empty(), "not before the digest hour");
    a.app.drain_at(digest_at + 1).await;
    let digest = a.notices(&a.lead.email).await;
    assert_eq!(digest.len(), 1);
    let agency = &a.app.state.config.agency_name;
    assert_eq!(digest[0].subject, format!("Your daily summary from {agency}: 1 update"));
    assert!(digest[0].body.contains("Morning news"));
    // A day with nothing to say sends nothing.
    a.app.drain_at(digest_at + 86_400 + 1).await;
    assert_eq!(a.notices(&a.lead.email).await.len(), 1);
}

#[tokio::test]
async fn off_means_no_mail_but_the_bell_still_shows_it() {
    let a = agency().await;
    let cookie = a.app.sign_in(&a.lead.email).await;
    let put = |topics: Value| {
        ApiRequest::post("/api/notifications/preferences", json!({ "topics": topics }))
            .method(Method::PUT)
            .cookie(&cookie)
    };
    let off = a.send(put(json!({ "messages": "off" }))).await;
    assert_eq!(off.status, StatusCode::OK, "{}", off.body);
    let messages = off.body["topics"].as_array().unwrap().iter().find(|t| t["topic"] == "messages").unwrap().clone();
    assert_eq!((messages["cadence"].as_str(), messages["default"].as_str()), (Some("off"), Some("now")));
    for (topics, code) in [
        (json!({ "messages": "hourly" }), "invalid_cadence"),
        (json!({ "gossip": "now" }), "invalid_topic"),
        (json!({}), "invalid_request"),
    ] {
        let refused = a.send(put(topics)).await;
        assert_eq!((refused.status, refused.error_code()), (StatusCode::BAD_REQUEST, code), "{}", refused.body);
    }
    let staff_topics = a.send(ApiRequest::get("/api/notifications/preferences").cookie(&a.staff_cookie)).await;
    assert!(
        staff_topics.body["topics"].as_array().unwrap().iter().all(|t| t["topic"] != "invoices"),
        "staff are not asked about their own invoices: {}",
        staff_topics.body
    );

    a.reply("Quiet please").await;
    a.app.deliver_notifications().await;
    assert!(a.notices(&a.lead.email).await.is_empty(), "off: no mail");
    assert_eq!(a.notices(&a.colleague.email).await.len(), 1);

    let bell = a.send(ApiRequest::get("/api/notifications").cookie(&cookie)).await;
    assert_eq!(bell.status, StatusCode::OK);
    assert_eq!(bell.body["unread_count"], 1, "{}", bell.body);
    assert_eq!(bell.body["items"][0]["topic"], "messages");
    assert_eq!(bell.body["items"][0]["link"], "/portal/messages");
    assert_eq!(bell.body["items"][0]["excerpt"], "Quiet please");
    let read = a.send(ApiRequest::post("/api/notifications/read", json!({})).cookie(&cookie)).await;
    assert_eq!(read.status, StatusCode::NO_CONTENT);
    let bell = a.send(ApiRequest::get("/api/notifications").cookie(&cookie)).await;
    assert_eq!((bell.body["unread_count"].as_u64(), bell.body["items"][0]["unread"].as_bool()), (Some(0), Some(false)));
    // Reading is per person: the colleague's bell is still unread; the writer's is empty.
    let colleague = a.app.sign_in(&a.colleague.email).await;
    assert_eq!(a.send(ApiRequest::get("/api/notifications").cookie(&colleague)).await.body["unread_count"], 1);
    let own = a.send(ApiRequest::get("/api/notifications").cookie(&a.staff_cookie)).await;
    assert_eq!(own.body["items"], json!([]), "no bell entry for one's own act");
}

#[tokio::test]
async fn the_unsubscribe_link_works_without_signing_in_twice_and_only_as_signed() {
    let a = agency().await;
    a.reply("Anything new?").await;
    a.app.deliver_notifications().await;
    let mail = a.notices(&a.lead.email).await;
    assert_eq!(mail.len(), 1);
    let token = token_in(&mail[0].body);
    let link = format!("/api/notifications/unsubscribe?token={token}");

    // Looking at the link changes nothing (a link scanner's GET).
    let described = a.send(ApiRequest::get(&link)).await;
    assert_eq!(described.status, StatusCode::OK, "{}", described.body);
    assert_eq!(described.body["topics"], json!([{ "topic": "messages", "cadence": "now" }]));

    // RFC 8058: the mail client's POST, a form, no cookie, no Origin.
    for _ in 0..2 {
        let one_click = a
            .send(ApiRequest::post_raw(
                &link,
                "application/x-www-form-urlencoded",
                b"List-Unsubscribe=One-Click".to_vec(),
            ))
            .await;
        assert_eq!(one_click.status, StatusCode::OK, "{}", one_click.body);
        assert_eq!(one_click.body["topics"], json!([{ "topic": "messages", "cadence": "off" }]));
    }
    let cookie = a.app.sign_in(&a.lead.email).await;
    let prefs = a.send(ApiRequest::get("/api/notifications/preferences").cookie(&cookie)).await;
    let cadence = |topic: &str| {
        prefs.body["topics"].as_array().unwrap().iter().find(|t| t["topic"] == topic).unwrap()["cadence"].clone()
    };
    assert_eq!((cadence("messages"), cadence("deliverables")), (json!("off"), json!("now")));

    // Tampered, or rewritten to name the colleague: refused, and the colleague's choices stand.
    let colleague_token = token.replacen(&a.lead.id.to_string(), &a.colleague.id.to_string(), 1);
    let mut flipped = token.clone();
    let last = flipped.pop().unwrap();
    flipped.push(if last == 'A' { 'B' } else { 'A' });
    for bad in [colleague_token, flipped, "nonsense".to_owned()] {
        let refused = a.send(ApiRequest::post(&format!("/api/notifications/unsubscribe?token={bad}"), json!({}))).await;
        assert_eq!((refused.status, refused.error_code()), (StatusCode::BAD_REQUEST, "invalid_link"), "{bad}");
    }
    a.reply("Still there?").await;
    a.app.deliver_notifications().await;
    assert_eq!(a.notices(&a.lead.email).await.len(), 1, "unsubscribed: nothing more");
    assert_eq!(a.notices(&a.colleague.email).await.len(), 2, "the colleague still hears");

    // The page behind the link can turn everything off.
    let all = a.send(ApiRequest::post(&link, json!({ "all": true }))).await;
    assert_eq!((all.status, all.body["all_off"].as_bool()), (StatusCode::OK, Some(true)), "{}", all.body);
}

#[tokio::test]
async fn overlapping_drain_runs_send_each_notification_exactly_once() {
    let a = agency().await;
    let now = shared::notify::now();
    for text in ["one", "two", "three", "four"] {
        a.reply(text).await;
    }
    let client_cookie = a.app.sign_in(&a.lead.email).await;
    let posted =
        a.send(ApiRequest::post("/api/messages", json!({ "body": "From the client" })).cookie(&client_cookie)).await;
    assert_eq!(posted.status, StatusCode::CREATED);
    // Four runs at once fan out the same outbox, then four more send the same batches.
    let runs = (0..4).map(|_| a.app.drain_at(now));
    let fanned: usize = futures_util::future::join_all(runs).await.iter().map(|r| r.events).sum();
    assert!(fanned >= 5, "every event fanned out by some run ({fanned})");
    let runs = (0..4).map(|_| a.app.drain_at(now + a.window() + 1));
    let sent: usize = futures_util::future::join_all(runs).await.iter().map(|r| r.sent).sum();
    assert_eq!(sent, 3, "one mail each for the two contacts and the staff member");
    a.app.drain_at(now + 3 * a.window()).await;
    for (who, quotes) in [
        (&a.lead.email, vec!["one", "two", "three", "four"]),
        (&a.colleague.email, vec!["one", "two", "three", "four"]),
        (&a.staff.email, vec!["From the client"]),
    ] {
        let mail = a.notices(who).await;
        assert_eq!(mail.len(), 1, "{who}: {mail:?}");
        for quote in quotes {
            assert_eq!(mail[0].body.matches(&format!("“{quote}”")).count(), 1, "{who}: {quote} once");
        }
    }
}

#[tokio::test]
async fn when_ses_fails_the_message_is_kept_and_the_mail_goes_out_once_it_recovers() {
    let a = agency().await;
    let ses = FakeSes::start().await;
    let mailer = mailer_on(&ses).await;
    let now = shared::notify::now();
    ses.fail();
    a.reply("Sent during the outage").await;
    let thread =
        a.send(ApiRequest::get(&format!("/api/admin/clients/{}/messages", a.client.id)).cookie(&a.staff_cookie)).await;
    assert_eq!(thread.body["items"][0]["body"], "Sent during the outage", "the message is saved");

    drain_with(&a.app, &mailer, now).await;
    let due = now + a.window() + 1;
    let failed = drain_with(&a.app, &mailer, due).await;
    assert_eq!((failed.sent, failed.failed), (0, 2), "{failed:?}");
    let tried = ses.requests().await.len();
    assert!(tried >= 2);
    assert_eq!(drain_with(&a.app, &mailer, due + 30).await.failed, 0, "backing off: not tried again at once");
    assert_eq!(ses.requests().await.len(), tried);
    // Still down at the first retry: the pause grows.
    let again = drain_with(&a.app, &mailer, due + 61).await;
    assert_eq!(again.failed, 2, "{again:?}");
    ses.recover();
    assert_eq!(drain_with(&a.app, &mailer, due + 61 + 60).await.sent, 0, "the second pause is longer");
    let recovered = drain_with(&a.app, &mailer, due + 61 + 121).await;
    assert_eq!(recovered.sent, 2, "{recovered:?}");
    drain_with(&a.app, &mailer, due + 3600 * 3).await;
    let requests = ses.requests().await;
    let accepted = &requests[requests.len() - 2..];
    assert!(accepted.iter().all(|r| text_of(r).contains("Sent during the outage")));
    for contact in [&a.lead, &a.colleague] {
        assert_eq!(
            accepted.iter().filter(|r| to_of(r) == contact.email.as_str()).count(),
            1,
            "delivered once to {}",
            contact.email
        );
    }
    assert_eq!(requests.len(), accepted.len() + tried * 2, "nothing after the delivery");
}

fn sns_event(fixture: &str, to: &EmailAddress) -> SnsEvent {
    let path = format!("{}/../testdata/ses/{fixture}", env!("CARGO_MANIFEST_DIR"));
    let message = std::fs::read_to_string(path).unwrap().replace("RECIPIENT", to.as_str());
    serde_json::from_value(json!({
        "Records": [{
            "EventSource": "aws:sns",
            "EventVersion": "1.0",
            "EventSubscriptionArn": "arn:aws:sns:us-east-1:123456789012:mail-events:0b0c5f4e-0000-4000-8000-000000000000",
            "Sns": {
                "Type": "Notification",
                "MessageId": "95df01b4-ee98-5cb9-9903-4c221d41eb5e",
                "TopicArn": "arn:aws:sns:us-east-1:123456789012:mail-events",
                "Subject": null,
                "Message": message,
                "Timestamp": "2017-08-05T00:41:03.000Z",
                "SignatureVersion": "1",
                "Signature": "EXAMPLE",
                "SigningCertUrl": "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0000000000000000000000.pem",
                "UnsubscribeUrl": "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe",
                "MessageAttributes": {}
            }
        }]
    }))
    .unwrap()
}

#[tokio::test]
async fn bounces_and_complaints_stop_all_mail_until_an_owner_clears_the_address() {
    let a = agency().await;
    let store = &a.app.state.store;
    let now = shared::notify::now();
    for (fixture, who) in [
        ("bounce_permanent.json", &a.lead.email),
        ("complaint.json", &a.staff.email),
        ("bounce_transient.json", &a.colleague.email),
    ] {
        let event = sns_event(fixture, who);
        let recorded = shared::notify::bounces::record(store, &event, now);
        crate::helpers::recorder::FUNCTION.scope("mail-events", recorded).await.unwrap();
    }
    let owner = a.app.add_admin("owner").await;
    let owner_cookie = a.app.sign_in(&owner.email).await;
    let detail = a.send(ApiRequest::get(&format!("/api/admin/clients/{}", a.client.id)).cookie(&owner_cookie)).await;
    assert_eq!(
        detail.body["email_problems"],
        json!([{ "email": a.lead.email.as_str(), "reason": "bounce", "at": now }]),
        "a soft bounce is not a problem"
    );
    let staff = a.send(ApiRequest::get("/api/admin/staff").cookie(&owner_cookie)).await;
    assert_eq!(staff.body["email_problems"][0]["reason"], "complaint");

    a.reply("Can you hear me?").await;
    let client_cookie = a.app.sign_in(&a.colleague.email).await;
    let posted = a.send(ApiRequest::post("/api/messages", json!({ "body": "Yes" })).cookie(&client_cookie)).await;
    assert_eq!(posted.status, StatusCode::CREATED);
    let report = a.app.deliver_notifications().await;
    assert_eq!((report.sent, report.dropped), (1, 2), "{report:?}");
    assert!(a.notices(&a.lead.email).await.is_empty(), "hard bounce: nothing sent");
    assert!(a.notices(&a.staff.email).await.is_empty(), "complaint: nothing sent");
    // Not even a sign-in link.
    let before = a.app.inbox(&a.lead.email).await.len();
    let login = a.send(ApiRequest::post("/api/auth/login", json!({ "email": a.lead.email.as_str() }))).await;
    assert_eq!(login.status, StatusCode::ACCEPTED, "the same answer as always: {}", login.body);
    assert_eq!(a.app.inbox(&a.lead.email).await.len(), before);
    a.send(ApiRequest::post("/api/auth/login", json!({ "email": a.lead.email.as_str() }))).await;
    assert_eq!(a.app.inbox(&a.lead.email).await.len(), before, "{:?}", a.app.inbox(&a.lead.email).await);

    // Nor an invitation: the console says why.
    let invite = format!("/api/admin/clients/{}/contacts/{}/invite", a.client.id, a.lead.id);
    let refused = a.send(ApiRequest::post(&invite, json!({})).cookie(&owner_cookie)).await;
    assert_eq!((refused.status, refused.error_code()), (StatusCode::CONFLICT, "email_suppressed"), "{}", refused.body);
    assert_eq!(a.app.inbox(&a.lead.email).await.len(), before);

    // A member not assigned to the client may not clear it, nor a member a staff address; the
    // assigned member or an owner may, once; then mail flows again.
    let stranger = a.app.add_staff("stranger", StaffRole::Member).await;
    let stranger_cookie = a.app.sign_in(&stranger.email).await;
    let path = format!("/api/admin/email-problems/{}", a.lead.email);
    let refused = a.send(ApiRequest::post(&path, json!({})).method(Method::DELETE).cookie(&stranger_cookie)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    let staff_path = format!("/api/admin/email-problems/{}", a.staff.email);
    let own = a.send(ApiRequest::post(&staff_path, json!({})).method(Method::DELETE).cookie(&a.staff_cookie)).await;
    assert_eq!(own.status, StatusCode::FORBIDDEN, "staff addresses are for owners: {}", own.body);
    let cleared = a.send(ApiRequest::post(&path, json!({})).method(Method::DELETE).cookie(&a.staff_cookie)).await;
    assert_eq!(cleared.status, StatusCode::NO_CONTENT, "{}", cleared.body);
    let again = a.send(ApiRequest::post(&path, json!({})).method(Method::DELETE).cookie(&owner_cookie)).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    let audit = a.send(ApiRequest::get("/api/admin/audit").cookie(&owner_cookie)).await;
    assert!(audit.body["items"].as_array().unwrap().iter().any(|e| e["action"] == "email.unsuppress"));
    a.reply("And now?").await;
    a.app.deliver_notifications().await;
    let mail = a.notices(&a.lead.email).await;
    assert_eq!(mail.len(), 1, "{mail:?}");
    assert!(mail[0].body.contains("And now?") && !mail[0].body.contains("Can you hear me?"));
}

/// The outbox-age alarm's figure: how long the oldest event has waited when a run runs out
/// of time, and 0 once the outbox is empty.
#[tokio::test]
async fn a_run_out_of_time_reports_how_long_the_oldest_event_has_waited() {
    let a = agency().await;
    a.reply("Waiting in the outbox").await;
    let now = shared::notify::now();
    let state = &a.app.state;

    let late = shared::notify::outbox::fan_out(&state.store, &state.config, now + 600, std::time::Instant::now())
        .await
        .unwrap();
    assert_eq!(late.events, 0, "no time left: nothing announced");
    assert!((599..=610).contains(&late.oldest_waiting_secs), "{late:?}");

    let report = drain_with(&a.app, &state.mailer, now).await;
    assert_eq!((report.events, report.outbox_age_secs), (1, 0), "{report:?}");
}
