//! The agency's side, end to end against the emulator.

use http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{ApiRequest, TestApp, TestResponse, spawn_app};

struct Admin {
    app: TestApp,
    cookie: String,
}

async fn admin() -> Admin {
    let app = spawn_app().await;
    let staff = app.add_admin("staff").await;
    let cookie = app.sign_in(&staff.email).await;
    Admin { app, cookie }
}

impl Admin {
    async fn get(&self, path: &str) -> TestResponse {
        self.app.send(ApiRequest::get(path).cookie(&self.cookie)).await
    }
    async fn post(&self, path: &str, body: Value) -> TestResponse {
        self.app.send(ApiRequest::post(path, body).cookie(&self.cookie)).await
    }
    async fn patch(&self, path: &str, body: Value) -> TestResponse {
        self.app.send(ApiRequest::post(path, body).method(Method::PATCH).cookie(&self.cookie)).await
    }
    async fn audit_actions(&self, client_id: &str) -> Vec<String> {
        let log = self.get(&format!("/api/admin/clients/{client_id}/audit?limit=100")).await;
        log.body["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap().to_owned()).rev().collect()
    }
    async fn new_client(&self, name: &str) -> String {
        let created = self.post("/api/admin/clients", json!({ "company_name": name })).await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        created.body["id"].as_str().unwrap().to_owned()
    }
    async fn new_contact(&self, client_id: &str, email: &str) -> TestResponse {
        self.post(&format!("/api/admin/clients/{client_id}/contacts"), json!({ "name": "Pat Doe", "email": email }))
            .await
    }
}

#[tokio::test]
async fn clients_are_created_searched_edited_and_audited() {
    let a = admin().await;
    let acme = a.new_client("Acme Rockets").await;
    a.new_client("Beta Labs").await;
    a.new_client("acme foods").await;
    let search = a.get("/api/admin/clients?search=ACME").await;
    let names: Vec<&str> =
        search.body["items"].as_array().unwrap().iter().map(|c| c["company_name"].as_str().unwrap()).collect();
    assert_eq!(names, ["acme foods", "Acme Rockets"], "case-insensitive prefix search, sorted by name");

    let bad = a.post("/api/admin/clients", json!({ "company_name": "  " })).await;
    assert_eq!((bad.status, bad.error_code()), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_field"));
    let edited = a
        .patch(
            &format!("/api/admin/clients/{acme}"),
            json!({ "company_name": "Acme Rocket Co", "harvest_client_id": 42 }),
        )
        .await;
    assert_eq!(edited.status, StatusCode::OK, "{}", edited.body);
    assert_eq!(edited.body["harvest_client_id"], 42);
    let unlinked = a.patch(&format!("/api/admin/clients/{acme}"), json!({ "harvest_client_id": null })).await;
    assert_eq!(unlinked.body["harvest_client_id"], Value::Null);
    assert_eq!(unlinked.body["company_name"], "Acme Rocket Co", "absent fields stay");
    // A no-op edit writes nothing.
    a.patch(&format!("/api/admin/clients/{acme}"), json!({ "company_name": "Acme Rocket Co" })).await;
    assert_eq!(a.audit_actions(&acme).await, ["client.create", "client.update", "client.update"]);
    let log = a.get(&format!("/api/admin/clients/{acme}/audit")).await;
    assert!(
        log.body["items"][1]["summary"].as_str().unwrap().contains("\"Acme Rockets\" → \"Acme Rocket Co\""),
        "{}",
        log.body
    );

    let missing = a.patch(&format!("/api/admin/clients/{}", ulid::Ulid::new()), json!({ "company_name": "X" })).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let agency = a.get("/api/admin/audit?limit=100").await;
    assert!(agency.body["items"].as_array().unwrap().len() >= 6, "agency-wide log has every event: {}", agency.body);
}

#[tokio::test]
async fn duplicate_email_is_409_and_writes_nothing() {
    let a = admin().await;
    let client = a.new_client("Acme").await;
    let email = a.app.email("pat");
    assert_eq!(a.new_contact(&client, email.as_str()).await.status, StatusCode::CREATED);
    let before = a.audit_actions(&client).await;
    // Same address, other case: the claim write fails, so the contact write must not land.
    let duplicate = a.new_contact(&client, &email.as_str().to_uppercase()).await;
    assert_eq!((duplicate.status, duplicate.error_code()), (StatusCode::CONFLICT, "email_taken"));
    let detail = a.get(&format!("/api/admin/clients/{client}")).await;
    assert_eq!(detail.body["contacts"].as_array().unwrap().len(), 1, "no contact without its claim");
    assert_eq!(a.audit_actions(&client).await, before, "nothing audited for a write that did not happen");
    // An admin's address is taken too.
    let staff_email = a.app.email("staff");
    assert_eq!(a.new_contact(&client, staff_email.as_str()).await.error_code(), "email_taken");
    let bad = a.new_contact(&client, "not-an-email").await;
    assert_eq!((bad.status, bad.error_code()), (StatusCode::BAD_REQUEST, "invalid_email"));
    let unknown = a.new_contact(&ulid::Ulid::new().to_string(), a.app.email("ghost").as_str()).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert!(a.app.state.store.get_email_claim(&a.app.email("ghost")).await.unwrap().is_none(), "claim left behind");
}

#[tokio::test]
async fn revoke_signs_a_contact_out_at_once() {
    let a = admin().await;
    let tenant = a.app.tenant("Acme").await;
    let cookie = a.app.sign_in(&tenant.contact.email).await;
    let second = a.app.sign_in(&tenant.contact.email).await;
    assert_eq!(a.app.send(ApiRequest::get("/api/dashboard").cookie(&cookie)).await.status, StatusCode::OK);
    let revoked = a
        .post(&format!("/api/admin/clients/{}/contacts/{}/revoke", tenant.client.id, tenant.contact.id), json!({}))
        .await;
    assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.body);
    assert_eq!(revoked.body["sessions_ended"], 2);
    for c in [&cookie, &second] {
        assert_eq!(a.app.send(ApiRequest::get("/api/dashboard").cookie(c)).await.status, StatusCode::UNAUTHORIZED);
    }
    assert!(a.audit_actions(&tenant.client.id.to_string()).await.contains(&"contact.revoke".to_owned()));
}

#[tokio::test]
async fn switching_access_off_blocks_sign_in_and_ends_sessions() {
    let a = admin().await;
    let tenant = a.app.tenant("Acme").await;
    let lead = a.app.sign_in(&tenant.contact.email).await;
    let colleague = a.app.sign_in(&tenant.colleague.email).await;
    // One contact switched off.
    let off = a
        .patch(
            &format!("/api/admin/clients/{}/contacts/{}", tenant.client.id, tenant.colleague.id),
            json!({ "portal_enabled": false }),
        )
        .await;
    assert_eq!(off.status, StatusCode::OK);
    assert_eq!(a.app.send(ApiRequest::get("/api/me").cookie(&colleague)).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(a.app.send(ApiRequest::get("/api/me").cookie(&lead)).await.status, StatusCode::OK);
    // The whole company switched off.
    let company =
        a.patch(&format!("/api/admin/clients/{}", tenant.client.id), json!({ "portal_enabled": false })).await;
    assert_eq!(company.status, StatusCode::OK);
    assert_eq!(a.app.send(ApiRequest::get("/api/me").cookie(&lead)).await.status, StatusCode::UNAUTHORIZED);
    let before = a.app.inbox(&tenant.contact.email).await.len();
    a.app.send(ApiRequest::post("/api/auth/login", json!({ "email": tenant.contact.email.as_str() }))).await;
    assert_eq!(a.app.inbox(&tenant.contact.email).await.len(), before, "no link while the portal is off");
}

#[tokio::test]
async fn a_company_switched_off_is_off_on_its_next_request_whatever_sessions_remain() {
    // The switch is read per request, like a contact's own: a write that does not (or not yet)
    // end the sessions - a restore, a race with the session sweep - still shuts the door.
    let a = admin().await;
    let tenant = a.app.tenant("Acme").await;
    let lead = a.app.sign_in(&tenant.contact.email).await;
    assert_eq!(a.app.send(ApiRequest::get("/api/dashboard").cookie(&lead)).await.status, StatusCode::OK);
    let store = &a.app.state.store;
    let audit = || shared::domain::AuditEvent::new(None, "test".into(), "client.update", "setup".into());
    let mut off = tenant.client.clone();
    off.portal_enabled = false;
    store.update_client(&off, &audit()).await.unwrap();
    for path in ["/api/me", "/api/dashboard", "/api/projects", "/api/messages"] {
        let response = a.app.send(ApiRequest::get(path).cookie(&lead)).await;
        assert_eq!(response.status, StatusCode::UNAUTHORIZED, "{path}: {}", response.body);
    }
    let write = a.app.send(ApiRequest::post("/api/messages", json!({ "body": "still here?" })).cookie(&lead)).await;
    assert_eq!(write.status, StatusCode::UNAUTHORIZED);
    // Archived counts as off too; switched back on, the same session works again.
    let mut archived = tenant.client.clone();
    archived.status = shared::domain::ClientStatus::Archived;
    store.update_client(&archived, &audit()).await.unwrap();
    assert_eq!(a.app.send(ApiRequest::get("/api/me").cookie(&lead)).await.status, StatusCode::UNAUTHORIZED);
    store.update_client(&tenant.client, &audit()).await.unwrap();
    assert_eq!(a.app.send(ApiRequest::get("/api/me").cookie(&lead)).await.status, StatusCode::OK);
}

/// A sign-in link dies with the reason it was sent: a welcome mail to a mistyped address stops
/// working when the address is corrected; and any unused link stops when access is switched
/// off (even if switched on again), when the contact's sessions are revoked, or when the company
/// is switched off.
#[tokio::test]
async fn a_link_dies_when_the_address_access_or_company_it_was_sent_for_changes() {
    let a = admin().await;
    let client = a.new_client("Acme").await;
    let typo = a.app.email("pat.typo");
    let right = a.app.email("pat");
    let contact = a.new_contact(&client, typo.as_str()).await.body["id"].as_str().unwrap().to_owned();
    let base = format!("/api/admin/clients/{client}/contacts/{contact}");
    let invite_path = format!("{base}/invite");
    let invite = || a.post(&invite_path, json!({}));
    let redeem = |token: String| a.app.send(ApiRequest::post("/api/auth/verify", json!({ "token": token })));

    assert_eq!(invite().await.status, StatusCode::ACCEPTED);
    let mistyped = a.app.latest_token(&typo).await;
    let corrected = a.patch(&base, json!({ "email": right.as_str() })).await;
    assert_eq!(corrected.status, StatusCode::OK, "{}", corrected.body);
    let dead = redeem(mistyped).await;
    assert_eq!((dead.status, dead.error_code()), (StatusCode::UNAUTHORIZED, "invalid_token"));

    // Access off and on again: the link sent before is dead.
    assert_eq!(invite().await.status, StatusCode::ACCEPTED);
    let before_off = a.app.latest_token(&right).await;
    a.patch(&base, json!({ "portal_enabled": false })).await;
    a.patch(&base, json!({ "portal_enabled": true })).await;
    assert_eq!(redeem(before_off).await.status, StatusCode::UNAUTHORIZED);

    // A revoke ends links as well as sessions.
    assert_eq!(invite().await.status, StatusCode::ACCEPTED);
    let before_revoke = a.app.latest_token(&right).await;
    assert_eq!(a.post(&format!("{base}/revoke"), json!({})).await.status, StatusCode::OK);
    assert_eq!(redeem(before_revoke).await.status, StatusCode::UNAUTHORIZED);

    // The company switched off and on again.
    assert_eq!(invite().await.status, StatusCode::ACCEPTED);
    let before_company = a.app.latest_token(&right).await;
    a.patch(&format!("/api/admin/clients/{client}"), json!({ "portal_enabled": false })).await;
    a.patch(&format!("/api/admin/clients/{client}"), json!({ "portal_enabled": true })).await;
    assert_eq!(redeem(before_company).await.status, StatusCode::UNAUTHORIZED);

    // A link written for the old address that the sweep missed is dead all the same: it is
    // checked against the address it was sent to when redeemed.
    let token = shared::domain::LoginToken::generate().unwrap();
    let record = shared::domain::LoginTokenRecord {
        role: shared::domain::Role::Client,
        principal_id: contact.clone(),
        client_id: shared::domain::ClientId::parse(&client),
        expires_at: time::OffsetDateTime::now_utc().unix_timestamp() + 3600,
        sent_to: Some(typo.clone()),
    };
    a.app.state.store.put_login_token(&token.hash(), &record).await.unwrap();
    assert_eq!(redeem(token.as_str().to_owned()).await.status, StatusCode::UNAUTHORIZED);

    // The link that is still good signs in.
    assert_eq!(invite().await.status, StatusCode::ACCEPTED);
    let good = redeem(a.app.latest_token(&right).await).await;
    assert_eq!(good.status, StatusCode::OK, "{}", good.body);
}

#[tokio::test]
async fn contact_email_change_moves_the_claim() {
    let a = admin().await;
    let client = a.new_client("Acme").await;
    let old = a.app.email("old");
    let new = a.app.email("new");
    let contact = a.new_contact(&client, old.as_str()).await.body["id"].as_str().unwrap().to_owned();
    let taken = a.app.email("taken");
    a.new_contact(&client, taken.as_str()).await;
    let clash =
        a.patch(&format!("/api/admin/clients/{client}/contacts/{contact}"), json!({ "email": taken.as_str() })).await;
    assert_eq!(clash.error_code(), "email_taken");
    let moved =
        a.patch(&format!("/api/admin/clients/{client}/contacts/{contact}"), json!({ "email": new.as_str() })).await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.body);
    assert!(a.app.state.store.get_email_claim(&old).await.unwrap().is_none(), "old claim released");
    assert_eq!(a.app.state.store.get_email_claim(&new).await.unwrap().unwrap().principal_id, contact);
    a.app.sign_in(&new).await;
}

#[tokio::test]
async fn full_loop_admin_creates_invites_and_the_contact_sees_the_project() {
    let a = admin().await;
    let client = a.new_client("Newco").await;
    let email = a.app.email("newcomer");
    let contact = a.new_contact(&client, email.as_str()).await.body["id"].as_str().unwrap().to_owned();
    let project = a
        .post(
            &format!("/api/admin/clients/{client}/projects"),
            json!({ "name": "Launch site", "status": "active", "start_date": "2026-11-01", "due_date": "2027-01-31" }),
        )
        .await;
    assert_eq!(project.status, StatusCode::CREATED, "{}", project.body);
    let project_id = project.body["id"].as_str().unwrap().to_owned();
    let milestone = a
        .post(
            &format!("/api/admin/clients/{client}/projects/{project_id}/milestones"),
            json!({ "title": "Kick-off", "due_date": "2026-11-10" }),
        )
        .await;
    assert_eq!(milestone.status, StatusCode::CREATED, "{}", milestone.body);

    let invite = a.post(&format!("/api/admin/clients/{client}/contacts/{contact}/invite"), json!({})).await;
    assert_eq!(invite.status, StatusCode::ACCEPTED, "{}", invite.body);
    let mail = a.app.inbox(&email).await;
    assert!(mail.last().unwrap().subject.starts_with("Welcome to the"), "{:?}", mail.last());
    let token = a.app.latest_token(&email).await;
    let verify = a.app.send(ApiRequest::post("/api/auth/verify", json!({ "token": token }))).await;
    assert_eq!(verify.status, StatusCode::OK);
    let cookie = verify.session_cookie().unwrap();
    let projects = a.app.send(ApiRequest::get("/api/projects").cookie(&cookie)).await;
    assert_eq!(projects.body["items"][0]["name"], "Launch site");
    assert_eq!(projects.body["items"][0]["progress"]["total"], 1);

    // Status changes show on the client's side at once.
    a.patch(&format!("/api/admin/clients/{client}/projects/{project_id}"), json!({ "status": "on_hold" })).await;
    let mid = milestone.body["id"].as_str().unwrap();
    let done = a
        .patch(
            &format!("/api/admin/clients/{client}/projects/{project_id}/milestones/{mid}"),
            json!({ "status": "done" }),
        )
        .await;
    assert!(done.body["completed_at"].is_string(), "{}", done.body);
    let detail = a.app.send(ApiRequest::get(&format!("/api/projects/{project_id}")).cookie(&cookie)).await;
    assert_eq!(detail.body["status"], "on_hold");
    assert_eq!(detail.body["progress"]["done"], 1);
    let activity = a.app.send(ApiRequest::get("/api/activity").cookie(&cookie)).await;
    assert_eq!(activity.body["items"][0]["kind"], "milestone_completed");

    let bad_dates = a
        .post(
            &format!("/api/admin/clients/{client}/projects"),
            json!({ "name": "X", "start_date": "2026-12-01", "due_date": "2026-11-01" }),
        )
        .await;
    assert_eq!(bad_dates.error_code(), "invalid_dates");
    assert_eq!(
        a.audit_actions(&client).await,
        [
            "client.create",
            "contact.create",
            "project.create",
            "milestone.create",
            "contact.invite",
            "auth.sign_in",
            "project.update",
            "milestone.update"
        ]
    );
}

#[tokio::test]
async fn upload_confirm_and_deliver_a_file() {
    let a = admin().await;
    let tenant = a.app.tenant("Acme").await;
    let client_cookie = a.app.sign_in(&tenant.contact.email).await;
    let base = format!("/api/admin/clients/{}/projects/{}", tenant.client.id, tenant.project.id);
    let created =
        a.post(&format!("{base}/deliverables"), json!({ "name": "Logo pack", "description": "All formats" })).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let d = created.body["id"].as_str().unwrap().to_owned();

    let refused = a
        .post(
            &format!("{base}/deliverables/{d}/uploads"),
            json!({ "filename": "run.exe", "content_type": "application/x-msdownload", "size": 10 }),
        )
        .await;
    assert_eq!(refused.error_code(), "content_type_not_allowed");
    let huge = a
        .post(
            &format!("{base}/deliverables/{d}/uploads"),
            json!({ "filename": "big.pdf", "content_type": "application/pdf", "size": 6u64 << 30 }),
        )
        .await;
    assert_eq!(huge.error_code(), "file_too_large");

    let form = a
        .post(
            &format!("{base}/deliverables/{d}/uploads"),
            json!({ "filename": "../Logo pack.pdf", "content_type": "application/pdf", "size": 10 }),
        )
        .await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    let fields = form.body["fields"].as_object().unwrap();
    let key = fields["key"].as_str().unwrap();
    let upload_id = form.body["upload_id"].as_str().unwrap().to_owned();
    // Uploads land in quarantine under ids only: the name is display data.
    assert_eq!(key, format!("quarantine/clients/{}/uploads/{upload_id}", tenant.client.id));

    // Confirming before the file exists records nothing.
    let early = a
        .post(
            &format!("{base}/deliverables/{d}/versions"),
            json!({ "upload_id": upload_id, "filename": "Logo pack.pdf" }),
        )
        .await;
    assert_eq!((early.status, early.error_code()), (StatusCode::CONFLICT, "upload_missing"));

    // The browser's part: a multipart POST of the form fields and the file, straight to S3.
    let mut multipart = reqwest::multipart::Form::new();
    for (name, value) in fields {
        multipart = multipart.text(name.clone(), value.as_str().unwrap().to_owned());
    }
    multipart =
        multipart.part("file", reqwest::multipart::Part::bytes(b"%PDF-1.4 x".to_vec()).file_name("Logo pack.pdf"));
    let upload =
        reqwest::Client::new().post(form.body["url"].as_str().unwrap()).multipart(multipart).send().await.unwrap();
    assert!(upload.status().is_success(), "S3 POST answered {}", upload.status());

    let version = a
        .post(
            &format!("{base}/deliverables/{d}/versions"),
            json!({ "upload_id": upload_id, "filename": "Logo pack.pdf" }),
        )
        .await;
    assert_eq!(version.status, StatusCode::CREATED, "{}", version.body);
    assert_eq!(version.body["versions"][0]["number"], 1);
    assert_eq!(version.body["versions"][0]["size"], 10);
    assert_eq!(version.body["versions"][0]["filename"], "Logo pack.pdf", "path stripped from the name");
    assert_eq!(version.body["versions"][0]["content_type"], "application/pdf");
    let again = a
        .post(
            &format!("{base}/deliverables/{d}/versions"),
            json!({ "upload_id": upload_id, "filename": "Logo pack.pdf" }),
        )
        .await;
    assert_eq!(again.error_code(), "already_recorded");

    // Not delivered yet: the client does not see it.
    let client_view =
        a.app.send(ApiRequest::get(&format!("/api/projects/{}", tenant.project.id)).cookie(&client_cookie)).await;
    assert!(!client_view.raw.windows(8).any(|w| w == b"Logo pack"));
    let before = a.app.inbox(&tenant.colleague.email).await.len();
    let delivered = a.post(&format!("{base}/deliverables/{d}/deliver"), json!({})).await;
    assert_eq!(delivered.status, StatusCode::OK, "{}", delivered.body);
    assert_eq!(delivered.body["status"], "delivered");
    // An API type, not the stored item: no storage key, no tenant id (the console fetches files
    // through signed links).
    let tree = a.get(&base).await;
    for answer in [&delivered.raw, &tree.raw] {
        let text = String::from_utf8_lossy(answer);
        assert!(!text.contains("s3_key") && !text.contains("clients/"), "a storage key leaked: {text}");
    }
    assert!(delivered.body.get("client_id").is_none(), "{}", delivered.body);
    assert_eq!(delivered.body["versions"][0]["number"], 1, "{}", delivered.body);
    assert_eq!(a.post(&format!("{base}/deliverables/{d}/deliver"), json!({})).await.error_code(), "nothing_to_deliver");
    a.app.deliver_notifications().await;
    assert_eq!(a.app.inbox(&tenant.colleague.email).await.len(), before + 1, "contacts are emailed");

    let download = a
        .app
        .send(
            ApiRequest::get(&format!("/api/projects/{}/deliverables/{d}/download", tenant.project.id))
                .cookie(&client_cookie),
        )
        .await;
    assert_eq!(download.status, StatusCode::OK, "{}", download.body);
    let file = reqwest::get(download.body["url"].as_str().unwrap()).await.unwrap().bytes().await.unwrap();
    assert_eq!(&file[..], b"%PDF-1.4 x");
}

#[tokio::test]
async fn notes_are_written_edited_deleted_and_sanitised_for_clients() {
    let a = admin().await;
    let tenant = a.app.tenant("Acme").await;
    let cookie = a.app.sign_in(&tenant.contact.email).await;
    let base = format!("/api/admin/clients/{}/projects/{}/notes", tenant.client.id, tenant.project.id);
    let created = a.post(&base, json!({ "title": "Weekly", "meeting_date": "2026-11-20", "attendees": ["Ann"], "body_markdown": "Hi <script>x()</script> **all**" })).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.body["id"].as_str().unwrap().to_owned();
    let edited = a.patch(&format!("{base}/{id}"), json!({ "title": "Weekly sync" })).await;
    assert_eq!(edited.body["body_markdown"], "Hi <script>x()</script> **all**", "absent fields stay");
    let seen =
        a.app.send(ApiRequest::get(&format!("/api/projects/{}/notes/{id}", tenant.project.id)).cookie(&cookie)).await;
    assert_eq!(seen.body["title"], "Weekly sync");
    assert!(!seen.body["body_html"].as_str().unwrap().contains("<script"));
    let deleted = a.app.send(ApiRequest::get(&format!("{base}/{id}")).method(Method::DELETE).cookie(&a.cookie)).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    let gone =
        a.app.send(ApiRequest::get(&format!("/api/projects/{}/notes/{id}", tenant.project.id)).cookie(&cookie)).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    let missing = a.post(&base, json!({ "title": "No body" })).await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn inbox_unread_counts_and_replies() {
    let a = admin().await;
    let tenant = a.app.tenant("Acme").await;
    let cookie = a.app.sign_in(&tenant.contact.email).await;
    for body in ["Question one", "Question two"] {
        a.app.send(ApiRequest::post("/api/messages", json!({ "body": body })).cookie(&cookie)).await;
    }
    let inbox = a.get("/api/admin/messages").await;
    assert_eq!(inbox.body["items"][0]["company_name"], "Acme");
    assert_eq!(inbox.body["items"][0]["unread_for_agency"], 2);
    assert_eq!(inbox.body["items"][0]["last_preview"], "Question two");
    let thread = a.get(&format!("/api/admin/clients/{}/messages", tenant.client.id)).await;
    assert_eq!(thread.body["items"][0]["body"], "Question two");
    assert_eq!(a.get("/api/admin/messages").await.body["items"][0]["unread_for_agency"], 0, "reading clears the count");

    let before = a.app.inbox(&tenant.colleague.email).await.len();
    let reply = a
        .post(&format!("/api/admin/clients/{}/messages", tenant.client.id), json!({ "body": "Answers inside." }))
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    let seen = a.app.send(ApiRequest::get("/api/messages").cookie(&cookie)).await;
    assert_eq!(seen.body["items"][0]["author"]["kind"], "agency");
    assert_eq!(seen.body["items"][0]["author"]["name"], "staff Staff");
    assert_eq!(seen.body["items"][0]["unread"], true);
    a.app.deliver_notifications().await;
    assert_eq!(a.app.inbox(&tenant.colleague.email).await.len(), before + 1);
    let empty = a.post(&format!("/api/admin/clients/{}/messages", tenant.client.id), json!({ "body": " " })).await;
    assert_eq!(empty.error_code(), "invalid_message");
}

#[tokio::test]
async fn the_audit_log_cannot_be_edited_through_the_api() {
    let a = admin().await;
    let client = a.new_client("Ledger Co").await;
    let before = a.get(&format!("/api/admin/clients/{client}/audit")).await;
    let agency_before = a.get("/api/admin/audit").await;
    assert_eq!(before.body["items"].as_array().unwrap().len(), 1, "client.create: {}", before.body);
    let event = before.body["items"][0]["id"].as_str().unwrap().to_owned();
    for path in [
        "/api/admin/audit".to_owned(),
        format!("/api/admin/clients/{client}/audit"),
        format!("/api/admin/audit/{event}"),
    ] {
        for method in [Method::POST, Method::PATCH, Method::PUT, Method::DELETE] {
            let body = json!({ "action": "nothing.happened", "summary": "rewritten" });
            let response = a.app.send(ApiRequest::post(&path, body).method(method.clone()).cookie(&a.cookie)).await;
            assert!(
                matches!(response.status, StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED),
                "{method} {path}: {} {}",
                response.status,
                response.body
            );
        }
    }
    assert_eq!(a.get(&format!("/api/admin/clients/{client}/audit")).await.body, before.body);
    assert_eq!(a.get("/api/admin/audit").await.body["items"], agency_before.body["items"]);
}

#[tokio::test]
async fn a_milestone_moves_in_one_request_one_transaction_one_audit_event() {
    let a = admin().await;
    let tenant = a.app.tenant("Acme").await;
    let base = format!("/api/admin/clients/{}/projects/{}", tenant.client.id, tenant.project.id);
    let order = |view: &TestResponse| -> Vec<String> {
        view.body["milestones"].as_array().unwrap().iter().map(|m| m["id"].as_str().unwrap().to_owned()).collect()
    };
    let before = order(&a.get(&base).await);
    assert_eq!(before.len(), 3);
    let last = before[2].clone();
    let moved = a.post(&format!("{base}/milestones/{last}/move"), json!({ "to": 0 })).await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.body);
    let answered: Vec<&str> = moved.body.as_array().unwrap().iter().map(|m| m["id"].as_str().unwrap()).collect();
    assert_eq!(answered, [&last, &before[0], &before[1]]);
    let positions: Vec<u64> = moved.body.as_array().unwrap().iter().map(|m| m["position"].as_u64().unwrap()).collect();
    assert_eq!(positions, [0, 1, 2]);
    assert_eq!(order(&a.get(&base).await), [last.clone(), before[0].clone(), before[1].clone()]);
    let client = tenant.client.id.to_string();
    assert_eq!(a.audit_actions(&client).await.iter().filter(|action| *action == "milestone.move").count(), 1);
    // The client's timeline follows.
    let cookie = a.app.sign_in(&tenant.contact.email).await;
    let portal = a.app.send(ApiRequest::get(&format!("/api/projects/{}", tenant.project.id)).cookie(&cookie)).await;
    assert_eq!(portal.body["milestones"][0]["id"], last.as_str());

    let outside = a.post(&format!("{base}/milestones/{last}/move"), json!({ "to": 3 })).await;
    assert_eq!((outside.status, outside.error_code()), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_position"));
    let missing = a.post(&format!("{base}/milestones/{last}/move"), json!({})).await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn two_people_reordering_at_once_leave_one_consistent_timeline() {
    let a = admin().await;
    let tenant = a.app.tenant("Acme").await;
    let base = format!("/api/admin/clients/{}/projects/{}", tenant.client.id, tenant.project.id);
    let ids: Vec<String> = a.get(&base).await.body["milestones"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap().to_owned())
        .collect();
    for _round in 0..3 {
        let (up, down) = (format!("{base}/milestones/{}/move", ids[2]), format!("{base}/milestones/{}/move", ids[0]));
        let first = a.post(&up, json!({ "to": 0 }));
        let second = a.post(&down, json!({ "to": 2 }));
        let (first, second) = tokio::join!(first, second);
        for response in [&first, &second] {
            assert!(
                response.status == StatusCode::OK || response.error_code() == "milestones_changed",
                "{} {}",
                response.status,
                response.body
            );
        }
        let view = a.get(&base).await;
        let mut positions: Vec<u64> =
            view.body["milestones"].as_array().unwrap().iter().map(|m| m["position"].as_u64().unwrap()).collect();
        positions.sort_unstable();
        assert_eq!(positions, [0, 1, 2], "a half-applied reorder: {}", view.body);
    }
}

#[tokio::test]
async fn admin_project_view_has_the_project_and_its_children_side_by_side() {
    let a = admin().await;
    let tenant = a.app.tenant("Acme").await;
    let view = a.get(&format!("/api/admin/clients/{}/projects/{}", tenant.client.id, tenant.project.id)).await;
    assert_eq!(view.status, StatusCode::OK);
    assert_eq!(view.body["project"]["milestones"]["total"], 3, "the summary");
    assert_eq!(view.body["milestones"].as_array().unwrap().len(), 3, "the milestones");
    assert_eq!(view.body["deliverables"].as_array().unwrap().len(), 2, "undelivered ones too");
    let duplicate_keys = String::from_utf8_lossy(&view.raw).matches("\"milestones\":").count();
    assert_eq!(duplicate_keys, 2, "one in project, one beside it — never twice in one object");
}
