//! Files both ways against the emulator: multipart uploads through quarantine (start, parts
//! with presigned PUTs, resume from what S3 holds, complete, checks, visible), refusals, file
//! requests from ask to accept, client uploads switched off, quotas, racing completions and
//! the malware-scan hook.

use http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{ApiRequest, TestApp, TestResponse, spawn_app};

const MIB: usize = 1024 * 1024;

/// `len` bytes that start like a PDF.
fn pdf(len: usize) -> Vec<u8> {
    let mut bytes = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    bytes.extend((0..len.saturating_sub(bytes.len())).map(|i| (i * 31 % 251) as u8));
    bytes.truncate(len);
    bytes
}

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";

struct Side<'a> {
    app: &'a TestApp,
    cookie: String,
    /// `/api` for a contact, `/api/admin/clients/{id}` for staff.
    base: String,
}

impl Side<'_> {
    async fn send(&self, method: Method, path: &str, body: Value) -> TestResponse {
        let request = match method {
            Method::GET => ApiRequest::get(path),
            _ => ApiRequest::post(path, body).method(method),
        };
        self.app.send(request.cookie(&self.cookie)).await
    }

    async fn start(&self, destination: Value, filename: &str, content_type: &str, size: usize) -> TestResponse {
        let body =
            json!({ "destination": destination, "filename": filename, "content_type": content_type, "size": size });
        self.send(Method::POST, &format!("{}/uploads", self.base), body).await
    }

    async fn upload_path(&self, id: &str, tail: &str) -> String {
        format!("{}/uploads/{id}{tail}", self.base)
    }

    async fn complete(&self, id: &str) -> TestResponse {
        self.send(Method::POST, &self.upload_path(id, "/complete").await, json!({})).await
    }

    /// Starts, sends every part, completes: the whole upload as the web app does it.
    async fn upload(&self, destination: Value, filename: &str, content_type: &str, bytes: &[u8]) -> TestResponse {
        let started = self.start(destination, filename, content_type, bytes.len()).await;
        assert_eq!(started.status, StatusCode::CREATED, "{}", started.body);
        let id = started.body["id"].as_str().unwrap().to_owned();
        let count = started.body["part_count"].as_u64().unwrap() as u32;
        let numbers: Vec<u32> = (1..=count).collect();
        let urls = self.send(Method::POST, &self.upload_path(&id, "/parts").await, json!({ "numbers": numbers })).await;
        assert_eq!(urls.status, StatusCode::OK, "{}", urls.body);
        let part_size = started.body["part_size"].as_u64().unwrap() as usize;
        for part in urls.body["parts"].as_array().unwrap() {
            let number = part["number"].as_u64().unwrap() as usize;
            put_part(
                part["url"].as_str().unwrap(),
                &bytes[(number - 1) * part_size..bytes.len().min(number * part_size)],
            )
            .await;
        }
        self.complete(&id).await
    }
}

async fn put_part(url: &str, bytes: &[u8]) {
    let response = reqwest::Client::new().put(url).body(bytes.to_vec()).send().await.unwrap();
    assert!(response.status().is_success(), "part PUT answered {}", response.status());
}

fn project(id: impl std::fmt::Display) -> Value {
    json!({ "kind": "project", "project_id": id.to_string() })
}

fn request(id: impl std::fmt::Display) -> Value {
    json!({ "kind": "request", "request_id": id.to_string() })
}

async fn object_exists(app: &TestApp, key: &str) -> bool {
    app.state.files.stat(key).await.unwrap().is_some()
}

async fn audit_actions(app: &TestApp, client: shared::domain::ClientId) -> Vec<String> {
    let (events, _) = app.state.store.list_client_audit(client, 100, None).await.unwrap();
    events.into_iter().map(|e| e.action).collect()
}

#[tokio::test]
async fn a_big_upload_goes_in_parts_resumes_and_is_checked_before_anyone_sees_it() {
    let app = spawn_app().await;
    let tenant = app.tenant("Parts").await;
    let contact = Side { app: &app, cookie: app.sign_in(&tenant.contact.email).await, base: "/api".into() };
    let bytes = pdf(20 * MIB + 123);

    let started = contact.start(project(tenant.project.id), "../Print run.pdf", "application/pdf", bytes.len()).await;
    assert_eq!(started.status, StatusCode::CREATED, "{}", started.body);
    let id = started.body["id"].as_str().unwrap().to_owned();
    assert_eq!(started.body["filename"], "Print run.pdf", "no path in a name");
    assert_eq!(started.body["part_size"], 8 * MIB);
    assert_eq!(started.body["part_count"], 3);
    let first = started.body["parts"].as_array().unwrap();
    assert_eq!(first.len(), 3, "a file of few parts needs no second request for URLs");
    assert_eq!(first[2]["size"], 4 * MIB + 123);
    // The part URLs carry their exact length in the signature, so S3 refuses any other.
    let url = first[0]["url"].as_str().unwrap();
    assert!(url.contains("partNumber=1") && url.contains("content-length"), "{url}");
    assert!(
        url.contains(&format!("quarantine%2Fclients%2F{}", tenant.client.id)) || url.contains("/quarantine/"),
        "{url}"
    );

    // Two parts go, then the connection drops.
    put_part(first[0]["url"].as_str().unwrap(), &bytes[..8 * MIB]).await;
    put_part(first[2]["url"].as_str().unwrap(), &bytes[16 * MIB..]).await;
    let early = contact.complete(&id).await;
    assert_eq!((early.status, early.error_code()), (StatusCode::CONFLICT, "parts_missing"), "{}", early.body);
    assert!(early.body["error"]["message"].as_str().unwrap().contains("1 of 3"), "{}", early.body);

    // Resuming (after a reload): S3 says which parts it holds; only the missing one is sent.
    let resumed = contact.send(Method::GET, &format!("/api/uploads/{id}"), Value::Null).await;
    assert_eq!(resumed.status, StatusCode::OK, "{}", resumed.body);
    assert_eq!(resumed.body["parts_done"], json!([1, 3]));
    let rest = contact.send(Method::POST, &format!("/api/uploads/{id}/parts"), json!({ "numbers": [2] })).await;
    assert_eq!(rest.body["parts"].as_array().unwrap().len(), 1, "{}", rest.body);
    put_part(rest.body["parts"][0]["url"].as_str().unwrap(), &bytes[8 * MIB..16 * MIB]).await;

    // Nothing is visible while it is in quarantine.
    let listed = contact.send(Method::GET, &format!("/api/projects/{}/files", tenant.project.id), Value::Null).await;
    assert!(!listed.body.to_string().contains("Print run.pdf"));

    let done = contact.complete(&id).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert_eq!(done.body["file"]["filename"], "Print run.pdf");
    assert_eq!(done.body["file"]["size"], bytes.len());
    assert_eq!(done.body["file"]["from_client"], true);
    let quarantine = format!("quarantine/clients/{}/uploads/{id}", tenant.client.id);
    let final_key = format!("clients/{}/files/{id}", tenant.client.id);
    assert!(!object_exists(&app, &quarantine).await, "the quarantined copy is gone");
    assert!(object_exists(&app, &final_key).await, "the checked file is at its id-derived key");

    // Visible to the client and the agency, downloadable byte for byte; the upload is over.
    let listed = contact.send(Method::GET, &format!("/api/projects/{}/files", tenant.project.id), Value::Null).await;
    let file = listed.body["items"].as_array().unwrap().iter().find(|f| f["filename"] == "Print run.pdf").unwrap();
    assert_eq!(file["uploader_name"], tenant.contact.name.as_str());
    assert_eq!(file["previewable"], true);
    let links = contact
        .send(
            Method::GET,
            &format!("/api/projects/{}/files/{}", tenant.project.id, file["id"].as_str().unwrap()),
            Value::Null,
        )
        .await;
    let downloaded = reqwest::get(links.body["download_url"].as_str().unwrap()).await.unwrap().bytes().await.unwrap();
    assert_eq!(downloaded.len(), bytes.len());
    assert!(downloaded == bytes, "the downloaded file is the uploaded one");
    // The preview link asks S3 to answer inline (the emulator ignores the override; S3 obeys it).
    let preview = links.body["preview_url"].as_str().unwrap();
    assert!(preview.contains("response-content-disposition=inline"), "{preview}");
    assert!(reqwest::get(preview).await.unwrap().status().is_success());
    let again = contact.complete(&id).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND, "{}", again.body);
    assert!(audit_actions(&app, tenant.client.id).await.contains(&"file.share".to_owned()));
    let activity = contact.send(Method::GET, "/api/activity", Value::Null).await;
    assert!(activity.body.to_string().contains("shared Print run.pdf"), "{}", activity.body);
}

#[tokio::test]
async fn a_file_whose_bytes_disagree_with_its_type_is_refused_and_deleted() {
    let app = spawn_app().await;
    let tenant = app.tenant("Sniff").await;
    let contact = Side { app: &app, cookie: app.sign_in(&tenant.contact.email).await, base: "/api".into() };
    let elf: Vec<u8> = b"\x7fELF\x02\x01\x01\0".iter().copied().chain(std::iter::repeat_n(0u8, 120)).collect();
    let html = b"<!DOCTYPE html><html><body><script>document.cookie</script></body></html>".to_vec();
    let exe: Vec<u8> =
        b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff".iter().copied().chain(std::iter::repeat_n(0u8, 200)).collect();
    // Script far past the first bytes a sniffer reads: the drawing is parsed whole.
    let mut drawing = br#"<svg xmlns="http://www.w3.org/2000/svg">"#.to_vec();
    drawing.extend(std::iter::repeat_n(b"<g/>".as_slice(), 4000).flatten());
    drawing.extend(br#"<a href="&#106;avascript:alert(1)"><rect/></a></svg>"#);
    for (name, declared, bytes, code) in [
        ("drawing.svg", "image/svg+xml", drawing, "file_refused"),
        ("logo.pdf", "application/pdf", PNG.to_vec(), "content_mismatch"),
        ("report.pdf", "application/pdf", elf.clone(), "file_refused"),
        ("invoice.pdf", "application/pdf", exe, "file_refused"),
        ("readme.txt", "text/plain", elf, "file_refused"),
        ("notes.txt", "text/plain", html, "file_refused"),
    ] {
        let refused = contact.upload(project(tenant.project.id), name, declared, &bytes).await;
        assert_eq!(
            (refused.status, refused.error_code()),
            (StatusCode::UNPROCESSABLE_ENTITY, code),
            "{name}: {}",
            refused.body
        );
        let message = refused.body["error"]["message"].as_str().unwrap();
        assert!(!message.is_empty() && !message.contains("Something went wrong"), "{message}");
    }
    let png_as_pdf = contact.upload(project(tenant.project.id), "a.pdf", "application/pdf", PNG).await;
    assert!(png_as_pdf.body["error"]["message"].as_str().unwrap().contains("PNG"), "{}", png_as_pdf.body);
    // Names and declared types that say "program" never get as far as an upload.
    for (name, declared) in [("setup.exe", "application/pdf"), ("page.html", "text/plain"), ("a.pdf", "text/html")] {
        let refused = contact.start(project(tenant.project.id), name, declared, 10).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{name}: {}", refused.body);
    }
    // Nothing is left: no file listed, no object under the client's files or in quarantine.
    let listed = contact.send(Method::GET, &format!("/api/projects/{}/files", tenant.project.id), Value::Null).await;
    let names: Vec<&str> =
        listed.body["items"].as_array().unwrap().iter().map(|f| f["filename"].as_str().unwrap()).collect();
    assert_eq!(names, vec!["brief.pdf"], "only the fixture's file");
    let objects = app
        .state
        .files
        .client()
        .list_objects_v2()
        .bucket(app.state.files.bucket())
        .prefix(format!("quarantine/clients/{}/", tenant.client.id))
        .send()
        .await
        .unwrap();
    assert_eq!(objects.key_count(), Some(0), "quarantine holds nothing after refusals");
    let refusals = audit_actions(&app, tenant.client.id).await.iter().filter(|a| *a == "upload.refused").count();
    assert_eq!(refusals, 7, "each refusal is in the audit log");
}

#[tokio::test]
async fn a_file_request_from_ask_to_accept() {
    let app = spawn_app().await;
    let tenant = app.tenant("Asked").await;
    let staff = app.add_admin("pm").await;
    let agency = Side {
        app: &app,
        cookie: app.sign_in(&staff.email).await,
        base: format!("/api/admin/clients/{}", tenant.client.id),
    };
    let contact = Side { app: &app, cookie: app.sign_in(&tenant.contact.email).await, base: "/api".into() };
    let inbox_before = app.inbox(&tenant.colleague.email).await.len();

    let asked = agency
        .send(
            Method::POST,
            &format!("{}/requests", agency.base),
            json!({ "title": "Brand assets", "details": "Logo in SVG, fonts", "due_date": "2026-12-15", "project_id": tenant.project.id.to_string() }),
        )
        .await;
    assert_eq!(asked.status, StatusCode::CREATED, "{}", asked.body);
    let id = asked.body["id"].as_str().unwrap().to_owned();
    assert_eq!(asked.body["status"], "open");
    app.deliver_notifications().await;
    assert_eq!(app.inbox(&tenant.colleague.email).await.len(), inbox_before + 1, "contacts are asked by email");

    // The client sees it among the open requests and on the dashboard.
    let open = contact.send(Method::GET, "/api/requests?status=open", Value::Null).await;
    assert!(open.body["items"].as_array().unwrap().iter().any(|r| r["id"] == id.as_str()), "{}", open.body);
    let dashboard = contact.send(Method::GET, "/api/dashboard", Value::Null).await;
    assert!(
        dashboard.body["open_requests"].as_array().unwrap().iter().any(|r| r["id"] == id.as_str()),
        "{}",
        dashboard.body
    );
    let bad_filter = contact.send(Method::GET, "/api/requests?status=closed", Value::Null).await;
    assert_eq!(bad_filter.status, StatusCode::BAD_REQUEST);

    let empty = contact.send(Method::POST, &format!("/api/requests/{id}/submit"), json!({})).await;
    assert_eq!((empty.status, empty.error_code()), (StatusCode::UNPROCESSABLE_ENTITY, "no_files"));
    let svg = b"<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\"><circle r=\"4\"/></svg>";
    let uploaded = contact.upload(request(&id), "logo\u{202E}gvs.svg", "image/svg+xml", svg).await;
    assert_eq!(uploaded.body["file"]["filename"], "logogvs.svg", "no direction override in a name: {}", uploaded.body);
    let uploaded = contact.upload(request(&id), "logo.svg", "image/svg+xml", svg).await;
    assert_eq!(uploaded.status, StatusCode::OK, "{}", uploaded.body);
    let submitted =
        contact.send(Method::POST, &format!("/api/requests/{id}/submit"), json!({ "note": "Fonts follow" })).await;
    assert_eq!(submitted.status, StatusCode::OK, "{}", submitted.body);
    assert_eq!(submitted.body["status"], "submitted");
    assert_eq!(submitted.body["files"][1]["filename"], "logo.svg");
    // Sent: no more files until the agency asks.
    let late = contact.start(request(&id), "fonts.zip", "application/zip", 100).await;
    assert_eq!((late.status, late.error_code()), (StatusCode::CONFLICT, "request_closed"), "{}", late.body);

    let no_note = agency.send(Method::POST, &format!("{}/requests/{id}/reopen", agency.base), json!({})).await;
    assert_eq!((no_note.status, no_note.error_code()), (StatusCode::UNPROCESSABLE_ENTITY, "note_required"));
    let more = agency
        .send(Method::POST, &format!("{}/requests/{id}/reopen", agency.base), json!({ "note": "The fonts, please" }))
        .await;
    assert_eq!(more.body["status"], "changes_requested", "{}", more.body);
    let zip = b"PK\x03\x04\x14\0\0\0\x08\0fonts";
    assert_eq!(contact.upload(request(&id), "fonts.zip", "application/zip", zip).await.status, StatusCode::OK);
    contact.send(Method::POST, &format!("/api/requests/{id}/submit"), json!({})).await;

    // The agency reviews the files (links work) and accepts.
    let seen = agency.send(Method::GET, &format!("{}/requests/{id}", agency.base), Value::Null).await;
    assert_eq!(seen.body["files"].as_array().unwrap().len(), 3, "{}", seen.body);
    let file_id = seen.body["files"][2]["id"].as_str().unwrap();
    let link = agency.send(Method::GET, &format!("{}/requests/{id}/files/{file_id}", agency.base), Value::Null).await;
    let fetched = reqwest::get(link.body["download_url"].as_str().unwrap()).await.unwrap().bytes().await.unwrap();
    assert_eq!(&fetched[..], zip);
    assert!(link.body["preview_url"].is_null(), "a zip is downloaded, not previewed");
    let accepted = agency.send(Method::POST, &format!("{}/requests/{id}/accept", agency.base), json!({})).await;
    assert_eq!(accepted.body["status"], "accepted", "{}", accepted.body);
    let twice = agency.send(Method::POST, &format!("{}/requests/{id}/accept", agency.base), json!({})).await;
    assert_eq!((twice.status, twice.error_code()), (StatusCode::CONFLICT, "request_state"));
    let kinds: Vec<&str> =
        accepted.body["history"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["requested", "submitted", "changes_requested", "submitted", "accepted"]);

    // Every step is in the activity feed and the audit log.
    let activity = contact.send(Method::GET, "/api/activity?limit=50", Value::Null).await.body.to_string();
    for words in
        ["asked for files: Brand assets", "sent 2 files for Brand assets", "asked for more files", "accepted the files"]
    {
        assert!(activity.contains(words), "activity lacks {words:?}: {activity}");
    }
    let actions = audit_actions(&app, tenant.client.id).await;
    for action in ["request.create", "request.upload", "request.submit", "request.reopen", "request.accept"] {
        assert!(actions.iter().any(|a| a == action), "audit lacks {action}: {actions:?}");
    }
    let open = contact.send(Method::GET, "/api/requests?status=open", Value::Null).await;
    assert!(!open.body["items"].as_array().unwrap().iter().any(|r| r["id"] == id.as_str()));
}

#[tokio::test]
async fn contacts_upload_only_where_allowed_and_within_the_quota() {
    let app = TestApp::with_config(|config| {
        config.upload_limits.client_bytes = 2 * MIB as u64;
        config.upload_limits.request_files = 2;
    })
    .await;
    let tenant = app.tenant("Quota").await;
    let staff = app.add_admin("owner").await;
    let agency = Side {
        app: &app,
        cookie: app.sign_in(&staff.email).await,
        base: format!("/api/admin/clients/{}", tenant.client.id),
    };
    let contact = Side { app: &app, cookie: app.sign_in(&tenant.contact.email).await, base: "/api".into() };

    let over = contact.start(project(tenant.project.id), "big.pdf", "application/pdf", 3 * MIB).await;
    assert_eq!((over.status, over.error_code()), (StatusCode::UNPROCESSABLE_ENTITY, "quota_exceeded"), "{}", over.body);
    assert_eq!(
        contact.upload(project(tenant.project.id), "a.pdf", "application/pdf", &pdf(MIB)).await.status,
        StatusCode::OK
    );
    // Two uploads that each fit, racing for the last megabyte: an upload takes its room when it
    // starts, so one starts and the other is refused at once.
    let (b, c) = (pdf(MIB - 10), pdf(MIB - 20));
    let started: Vec<TestResponse> = futures_util::future::join_all([
        contact.start(project(tenant.project.id), "b.pdf", "application/pdf", b.len()),
        contact.start(project(tenant.project.id), "c.pdf", "application/pdf", c.len()),
    ])
    .await;
    let mut codes: Vec<_> = started.iter().map(|d| (d.status, d.error_code().to_owned())).collect();
    codes.sort();
    assert_eq!(codes[0].0, StatusCode::CREATED, "{codes:?}");
    assert_eq!(codes[1], (StatusCode::UNPROCESSABLE_ENTITY, "quota_exceeded".into()));
    let (winner, bytes) = started.iter().zip([&b, &c]).find(|(s, _)| s.status == StatusCode::CREATED).unwrap();
    put_part(winner.body["parts"][0]["url"].as_str().unwrap(), bytes).await;
    let done = contact.complete(winner.body["id"].as_str().unwrap()).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    let usage = app.state.store.upload_usage(tenant.client.id).await.unwrap();
    assert_eq!(usage.files, 2, "{usage:?}");
    assert!(usage.bytes <= 2 * MIB as u64, "{usage:?}");

    // Open uploads count while they are open: one that takes the last of the room keeps others
    // out until it is cancelled or expires.
    let room = 2 * MIB - usize::try_from(usage.bytes).unwrap();
    let holding = contact.start(project(tenant.project.id), "last.pdf", "application/pdf", room).await;
    assert_eq!(holding.status, StatusCode::CREATED, "{}", holding.body);
    let holding = holding.body["id"].as_str().unwrap().to_owned();
    let shut = contact.start(project(tenant.project.id), "one.pdf", "application/pdf", 1).await;
    assert_eq!((shut.status, shut.error_code()), (StatusCode::UNPROCESSABLE_ENTITY, "quota_exceeded"), "{}", shut.body);
    let cancelled = contact.send(Method::DELETE, &format!("/api/uploads/{holding}"), Value::Null).await;
    assert!(cancelled.status.is_success(), "{}", cancelled.body);
    let after_cancel = contact.start(project(tenant.project.id), "one.pdf", "application/pdf", room).await;
    assert_eq!(after_cancel.status, StatusCode::CREATED, "the room came back: {}", after_cancel.body);
    // Expired (nobody will finish it): its room comes back with the next start.
    let expired = after_cancel.body["id"].as_str().unwrap();
    let (pk, sk) = (format!("CLIENT#{}", tenant.client.id), format!("UPLOAD#{expired}"));
    let item = app.state.store.raw_item(&pk, &sk).await.unwrap().unwrap();
    let past = aws_sdk_dynamodb::types::AttributeValue::S("2020-01-01T00:00:00Z".into());
    app.state
        .store
        .rewrite_attributes(&pk, &sk, &[("expires_at".into(), item["expires_at"].clone(), past)])
        .await
        .unwrap();
    let after_expiry = contact.start(project(tenant.project.id), "two.pdf", "application/pdf", room).await;
    assert_eq!(after_expiry.status, StatusCode::CREATED, "{}", after_expiry.body);
    let id = after_expiry.body["id"].as_str().unwrap().to_owned();
    contact.send(Method::DELETE, &format!("/api/uploads/{id}"), Value::Null).await;
    assert_eq!(app.state.store.upload_usage(tenant.client.id).await.unwrap(), usage, "every reservation given back");

    // What the agency put into a request (a template to fill in) is not the contact's to remove.
    let template =
        agency.upload(request(tenant.files.submittable.id), "template.pdf", "application/pdf", &pdf(100)).await;
    assert_eq!(template.status, StatusCode::OK, "{}", template.body);
    let template_id = template.body["file"]["id"].as_str().unwrap().to_owned();
    let path = format!("/api/requests/{}/files/{template_id}", tenant.files.submittable.id);
    let not_theirs = contact.send(Method::DELETE, &path, Value::Null).await;
    assert_eq!(not_theirs.status, StatusCode::FORBIDDEN, "{}", not_theirs.body);
    let still = contact.send(Method::GET, &format!("/api/requests/{}", tenant.files.submittable.id), Value::Null).await;
    assert!(still.body["files"].as_array().unwrap().iter().any(|f| f["id"] == template_id.as_str()), "{}", still.body);

    // The agency switches client uploads off: shared files refuse, file requests still take files.
    let off = agency.send(Method::PATCH, &agency.base, json!({ "uploads_enabled": false })).await;
    assert_eq!(off.body["uploads_enabled"], false, "{}", off.body);
    let refused = contact.start(project(tenant.project.id), "d.pdf", "application/pdf", 10).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    assert!(refused.body["error"]["message"].as_str().unwrap().contains("switched off"));
    // The fixture's request already holds two files: the limit per request is two.
    let full = contact.start(request(tenant.files.request.id), "e.pdf", "application/pdf", 10).await;
    assert_eq!((full.status, full.error_code()), (StatusCode::UNPROCESSABLE_ENTITY, "too_many_files"), "{}", full.body);
    let removed = contact
        .send(
            Method::DELETE,
            &format!("/api/requests/{}/files/{}", tenant.files.request.id, tenant.files.request.files[0].id),
            Value::Null,
        )
        .await;
    assert_eq!(removed.status, StatusCode::OK, "{}", removed.body);
    assert!(!object_exists(&app, &tenant.files.request.files[0].s3_key).await, "a removed file's object goes too");
    let fits = contact.start(request(tenant.files.request.id), "e.pdf", "application/pdf", 10).await;
    assert_eq!(fits.status, StatusCode::CREATED, "{}", fits.body);
    // Contacts may not upload deliverables, and never resume the agency's uploads.
    let deliverable = json!({ "kind": "deliverable", "project_id": tenant.project.id.to_string(), "deliverable_id": tenant.deliverable.id.to_string() });
    assert_eq!(contact.start(deliverable, "v3.pdf", "application/pdf", 10).await.status, StatusCode::FORBIDDEN);
    let theirs = contact.send(Method::GET, &format!("/api/uploads/{}", tenant.files.staff_upload), Value::Null).await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND);
    let cancel =
        contact.send(Method::DELETE, &format!("/api/uploads/{}", tenant.files.staff_upload), Value::Null).await;
    assert_eq!(cancel.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn two_completions_of_one_upload_record_one_file() {
    let app = spawn_app().await;
    let tenant = app.tenant("Race").await;
    let staff = app.add_admin("racer").await;
    let agency = Side {
        app: &app,
        cookie: app.sign_in(&staff.email).await,
        base: format!("/api/admin/clients/{}", tenant.client.id),
    };
    let bytes = pdf(64 * 1024);
    let deliverable = json!({ "kind": "deliverable", "project_id": tenant.project.id.to_string(), "deliverable_id": tenant.deliverable.id.to_string() });
    let started = agency.start(deliverable, "Homepage v3.pdf", "application/pdf", bytes.len()).await;
    assert_eq!(started.status, StatusCode::CREATED, "{}", started.body);
    let id = started.body["id"].as_str().unwrap().to_owned();
    put_part(started.body["parts"][0]["url"].as_str().unwrap(), &bytes).await;
    let both = futures_util::future::join(agency.complete(&id), agency.complete(&id)).await;
    let statuses = [both.0.status, both.1.status];
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::OK).count(), 1, "{} / {}", both.0.body, both.1.body);
    assert!(statuses.iter().all(|s| s.is_success() || s.is_client_error()), "{statuses:?}");
    let stored = app
        .state
        .store
        .get_deliverable(tenant.client.id, tenant.project.id, tenant.deliverable.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.versions.len(), 3, "exactly one new version");
    assert_eq!(stored.versions[2].filename, "Homepage v3.pdf");
    assert!(stored.versions[2].delivered_at.is_none(), "uploaded, not yet delivered");
}

#[tokio::test]
async fn with_malware_scanning_an_upload_waits_for_the_verdict() {
    let app = TestApp::with_config(|config| config.malware_scan = true).await;
    let tenant = app.tenant("Scan").await;
    let contact = Side { app: &app, cookie: app.sign_in(&tenant.contact.email).await, base: "/api".into() };
    let tag = |id: String, verdict: &'static str| {
        let key = format!("quarantine/clients/{}/uploads/{id}", tenant.client.id);
        let s3 = app.state.files.client().clone();
        let bucket = app.state.files.bucket().to_owned();
        async move {
            let tag =
                aws_sdk_s3::types::Tag::builder().key("GuardDutyMalwareScanStatus").value(verdict).build().unwrap();
            let tagging = aws_sdk_s3::types::Tagging::builder().tag_set(tag).build().unwrap();
            s3.put_object_tagging().bucket(bucket).key(key).tagging(tagging).send().await.unwrap();
        }
    };
    for (verdict, expected) in [("THREATS_FOUND", "malware_found"), ("NO_THREATS_FOUND", "<no error code>")] {
        let bytes = pdf(1000);
        let started = contact.start(project(tenant.project.id), "scan.pdf", "application/pdf", bytes.len()).await;
        let id = started.body["id"].as_str().unwrap().to_owned();
        put_part(started.body["parts"][0]["url"].as_str().unwrap(), &bytes).await;
        let pending = contact.complete(&id).await;
        assert_eq!((pending.status, pending.error_code()), (StatusCode::CONFLICT, "scan_pending"), "{}", pending.body);
        tag(id.clone(), verdict).await;
        let done = contact.complete(&id).await;
        assert_eq!(done.error_code(), expected, "{verdict}: {}", done.body);
    }
    let listed = contact.send(Method::GET, &format!("/api/projects/{}/files", tenant.project.id), Value::Null).await;
    assert_eq!(listed.body["items"].as_array().unwrap().iter().filter(|f| f["filename"] == "scan.pdf").count(), 1);
}
