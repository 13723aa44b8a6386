//! What a signed-in client contact can see and do.

use http::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{ApiRequest, Tenant, TestApp, spawn_app};

async fn signed_in() -> (TestApp, Tenant, String) {
    let app = spawn_app().await;
    let tenant = app.tenant("Acme").await;
    let cookie = app.sign_in(&tenant.contact.email).await;
    (app, tenant, cookie)
}

fn get(path: &str, cookie: &str) -> ApiRequest {
    ApiRequest::get(path).cookie(cookie)
}

#[tokio::test]
async fn project_list_shows_progress_and_filters_by_status() {
    let (app, tenant, cookie) = signed_in().await;
    let all = app.send(get("/api/projects", &cookie)).await;
    assert_eq!(all.status, StatusCode::OK, "{}", all.body);
    let items = all.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(all.body["next_cursor"], Value::Null);
    let website = items.iter().find(|p| p["id"] == tenant.project.id.to_string()).unwrap();
    assert_eq!(website["status"], "active");
    assert_eq!(website["progress"]["done"], 1);
    assert_eq!(website["progress"]["total"], 3);
    assert_eq!(website["progress"]["next"]["title"], "Design sign-off");
    assert_eq!(website["progress"]["next"]["overdue"], true);

    let completed = app.send(get("/api/projects?status=completed", &cookie)).await;
    let ids: Vec<&Value> = completed.body["items"].as_array().unwrap().iter().map(|p| &p["id"]).collect();
    assert_eq!(ids, [&Value::String(tenant.other_project.id.to_string())]);

    let bad = app.send(get("/api/projects?status=lost", &cookie)).await;
    assert_eq!((bad.status, bad.error_code()), (StatusCode::BAD_REQUEST, "invalid_status"));
    let bad = app.send(get("/api/projects?limit=500", &cookie)).await;
    assert_eq!((bad.status, bad.error_code()), (StatusCode::BAD_REQUEST, "invalid_limit"));
}

#[tokio::test]
async fn project_list_pages_through_every_project_once() {
    let (app, tenant, cookie) = signed_in().await;
    for n in 0..5 {
        let mut extra = tenant.project.clone();
        extra.id = ulid::Ulid::new();
        extra.name = format!("Extra {n}");
        devkit::insert(&app.state.store, app.state.store.project_item(&extra).unwrap()).await.unwrap();
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..10 {
        let path = match &cursor {
            Some(c) => format!("/api/projects?limit=2&cursor={c}"),
            None => "/api/projects?limit=2".to_owned(),
        };
        let page = app.send(get(&path, &cookie)).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        for item in page.body["items"].as_array().unwrap() {
            seen.push(item["id"].as_str().unwrap().to_owned());
        }
        cursor = page.body["next_cursor"].as_str().map(str::to_owned);
        if cursor.is_none() {
            break;
        }
    }
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(seen.len(), 7, "{seen:?}");
    assert_eq!(unique.len(), 7, "duplicates across pages: {seen:?}");
    let mut newest_first = seen.clone();
    newest_first.sort_by(|a, b| b.cmp(a));
    assert_eq!(seen, newest_first, "not newest first");
}

#[tokio::test]
async fn tampered_cursor_is_400() {
    let (app, _tenant, cookie) = signed_in().await;
    let page = app.send(get("/api/projects?limit=1", &cookie)).await;
    let cursor = page.body["next_cursor"].as_str().unwrap().to_owned();
    let mut tampered = cursor.clone().into_bytes();
    tampered[3] = if tampered[3] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    for bad in [tampered.as_str(), "garbage", "a.b"] {
        let response = app.send(get(&format!("/api/projects?cursor={bad}"), &cookie)).await;
        assert_eq!((response.status, response.error_code()), (StatusCode::BAD_REQUEST, "invalid_cursor"), "{bad}");
    }
    // A cursor from one list is refused by another list of the same client.
    let response = app.send(get(&format!("/api/projects?status=active&cursor={cursor}"), &cookie)).await;
    assert_eq!(response.error_code(), "invalid_cursor");
    let response = app.send(get(&format!("/api/messages?cursor={cursor}"), &cookie)).await;
    assert_eq!(response.error_code(), "invalid_cursor");
}

#[tokio::test]
async fn project_detail_has_timeline_deliverables_and_notes() {
    let (app, tenant, cookie) = signed_in().await;
    let detail = app.send(get(&format!("/api/projects/{}", tenant.project.id), &cookie)).await;
    assert_eq!(detail.status, StatusCode::OK, "{}", detail.body);
    let body = &detail.body;
    assert_eq!(body["name"], tenant.project.name);
    let titles: Vec<&str> =
        body["milestones"].as_array().unwrap().iter().map(|m| m["title"].as_str().unwrap()).collect();
    assert_eq!(titles, ["Discovery", "Design sign-off", "Launch"]);
    let overdue: Vec<bool> =
        body["milestones"].as_array().unwrap().iter().map(|m| m["overdue"].as_bool().unwrap()).collect();
    assert_eq!(overdue, [false, true, false]);
    assert_eq!(body["overdue_milestones"], 1);
    assert_eq!(body["progress"]["done"], 1);

    let deliverables = body["deliverables"].as_array().unwrap();
    assert_eq!(deliverables.len(), 1, "the undelivered deliverable must be hidden: {deliverables:?}");
    assert_eq!(deliverables[0]["id"], tenant.deliverable.id.to_string());
    assert_eq!(deliverables[0]["latest_version"], 2);
    let versions: Vec<u64> =
        deliverables[0]["versions"].as_array().unwrap().iter().map(|v| v["number"].as_u64().unwrap()).collect();
    assert_eq!(versions, [2, 1]);
    assert!(!body.to_string().contains("s3_key"), "storage keys leak");

    let notes = body["notes"].as_array().unwrap();
    assert_eq!(notes[0]["title"], "Kick-off");
    assert!(notes[0].get("body_markdown").is_none(), "the list carries summaries only");

    let missing = app.send(get(&format!("/api/projects/{}", ulid::Ulid::new()), &cookie)).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let malformed = app.send(get("/api/projects/not-an-id", &cookie)).await;
    assert_eq!(malformed.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn download_gives_a_short_lived_link_to_the_right_file() {
    let (app, tenant, cookie) = signed_in().await;
    let base = format!("/api/projects/{}/deliverables/{}/download", tenant.project.id, tenant.deliverable.id);
    let latest = app.send(get(&base, &cookie)).await;
    assert_eq!(latest.status, StatusCode::OK, "{}", latest.body);
    assert_eq!(latest.body["version"], 2);
    let url = latest.body["url"].as_str().unwrap();
    assert!(url.contains("X-Amz-Expires=300"), "{url}");
    assert!(url.contains("response-content-disposition=attachment"), "{url}");
    let expires = time::OffsetDateTime::parse(
        latest.body["expires_at"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    let ttl = expires - time::OffsetDateTime::now_utc();
    assert!(ttl <= time::Duration::minutes(5) && ttl > time::Duration::minutes(4), "{ttl}");
    let file = reqwest::get(url).await.unwrap();
    assert_eq!(file.status(), 200);
    assert_eq!(file.text().await.unwrap(), "Acme homepage v2");
    // S3 answers with the headers the signed URL asks for (moto ignores these overrides, so
    // the test checks what was signed).
    let signed: std::collections::HashMap<String, String> =
        reqwest::Url::parse(url).unwrap().query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
    assert_eq!(signed["response-content-disposition"], shared::files::content_disposition("Homepage v2.txt"));
    assert_eq!(signed["response-content-type"], "text/plain");
    assert_eq!(latest.body["preview_url"], Value::Null, "plain text is not shown in the page");

    let first = app.send(get(&format!("{base}?version=1"), &cookie)).await;
    assert_eq!(first.body["version"], 1);
    assert_eq!(
        reqwest::get(first.body["url"].as_str().unwrap()).await.unwrap().text().await.unwrap(),
        "Acme homepage v1"
    );

    let missing = app.send(get(&format!("{base}?version=3"), &cookie)).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let bad = app.send(get(&format!("{base}?version=two"), &cookie)).await;
    assert_eq!((bad.status, bad.error_code()), (StatusCode::BAD_REQUEST, "invalid_version"));
    let hidden = format!("/api/projects/{}/deliverables/{}/download", tenant.project.id, tenant.hidden_deliverable.id);
    assert_eq!(app.send(get(&hidden, &cookie)).await.status, StatusCode::NOT_FOUND);
    let wrong_project =
        format!("/api/projects/{}/deliverables/{}/download", tenant.other_project.id, tenant.deliverable.id);
    assert_eq!(app.send(get(&wrong_project, &cookie)).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn reviews_are_recorded_shown_and_repeatable() {
    let (app, tenant, cookie) = signed_in().await;
    let path = format!("/api/projects/{}/deliverables/{}/review", tenant.project.id, tenant.deliverable.id);
    let review = |decision: &str, comment: &str| {
        ApiRequest::post(&path, json!({ "decision": decision, "comment": comment })).cookie(&cookie)
    };

    let missing_comment = app.send(review("changes_requested", "   ")).await;
    assert_eq!(
        (missing_comment.status, missing_comment.error_code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "comment_required")
    );
    let bad_decision = app.send(review("maybe", "")).await;
    assert_eq!((bad_decision.status, bad_decision.error_code()), (StatusCode::BAD_REQUEST, "invalid_request"));
    let too_long = app.send(review("approved", &"x".repeat(2001))).await;
    assert_eq!(too_long.error_code(), "comment_too_long");

    let first = app.send(review("changes_requested", "  Bigger logo, please.  ")).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert_eq!(first.body["status"], "changes_requested");
    assert_eq!(first.body["reviews"][0]["comment"], "Bigger logo, please.");
    assert_eq!(first.body["reviews"][0]["reviewer_name"], tenant.contact.name);
    assert_eq!(first.body["reviews"][0]["version"], 2);

    // A second review is a new entry, and the newest decides the status.
    let second = app.send(review("approved", "")).await;
    assert_eq!(second.status, StatusCode::OK);
    assert_eq!(second.body["status"], "approved");
    assert_eq!(second.body["reviews"].as_array().unwrap().len(), 2);
    assert_eq!(second.body["reviews"][0]["decision"], "approved", "newest first");

    let detail = app.send(get(&format!("/api/projects/{}", tenant.project.id), &cookie)).await;
    assert_eq!(detail.body["deliverables"][0]["status"], "approved");
    let activity = app.send(get("/api/activity", &cookie)).await;
    let summaries: Vec<&str> =
        activity.body["items"].as_array().unwrap().iter().map(|a| a["summary"].as_str().unwrap()).collect();
    assert_eq!(
        summaries,
        [
            format!("{} approved Homepage design (v2)", tenant.contact.name),
            format!("{} requested changes to Homepage design (v2)", tenant.contact.name)
        ]
    );

    let hidden = format!("/api/projects/{}/deliverables/{}/review", tenant.project.id, tenant.hidden_deliverable.id);
    let response = app.send(ApiRequest::post(&hidden, json!({ "decision": "approved" })).cookie(&cookie)).await;
    assert_eq!(response.status, StatusCode::NOT_FOUND, "an undelivered deliverable cannot be reviewed");
}

#[tokio::test]
async fn notes_render_sanitised_html() {
    let (app, tenant, cookie) = signed_in().await;
    let note = app.send(get(&format!("/api/projects/{}/notes/{}", tenant.project.id, tenant.note.id), &cookie)).await;
    assert_eq!(note.status, StatusCode::OK, "{}", note.body);
    let html = note.body["body_html"].as_str().unwrap();
    assert!(html.contains("<h2>Goals</h2>"), "{html}");
    assert!(!html.contains("<script"), "{html}");
    assert!(!html.contains("javascript:"), "{html}");
    assert_eq!(note.body["body_markdown"], tenant.note.body_markdown);
    assert_eq!(note.body["attendees"][0], tenant.contact.name);
    let wrong =
        app.send(get(&format!("/api/projects/{}/notes/{}", tenant.other_project.id, tenant.note.id), &cookie)).await;
    assert_eq!(wrong.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn messages_post_list_unread_and_notify_the_agency() {
    let app = TestApp::with_config(|config| {
        config.notify_email = Some(shared::domain::EmailAddress::parse("inbox@agency.example").unwrap());
    })
    .await;
    let tenant = app.tenant("Acme").await;
    let cookie = app.sign_in(&tenant.contact.email).await;
    let before = app.inbox(&shared::domain::EmailAddress::parse("inbox@agency.example").unwrap()).await.len();

    for body in ["", "   \n ", &"x".repeat(5001)] {
        let response = app.send(ApiRequest::post("/api/messages", json!({ "body": body })).cookie(&cookie)).await;
        assert_eq!((response.status, response.error_code()), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_message"));
    }
    let posted =
        app.send(ApiRequest::post("/api/messages", json!({ "body": "  Hello <b>team</b>  " })).cookie(&cookie)).await;
    assert_eq!(posted.status, StatusCode::CREATED, "{}", posted.body);
    assert_eq!(posted.body["body"], "Hello <b>team</b>");
    assert_eq!(posted.body["author"]["name"], tenant.contact.name);
    assert_eq!(posted.body["mine"], true);

    let reply = app.agency_message(&tenant, "Hi! On it.").await;
    let list = app.send(get("/api/messages", &cookie)).await;
    let items = list.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["id"], reply.id.to_string(), "newest first");
    assert_eq!(items[0]["author"]["kind"], "agency");
    assert_eq!(items[0]["unread"], true);
    assert_eq!(items[1]["unread"], false, "own messages are never unread");

    let dashboard = app.send(get("/api/dashboard", &cookie)).await;
    assert_eq!(dashboard.body["unread_messages"], 1);
    let read = app.send(ApiRequest::post("/api/messages/read", json!({})).cookie(&cookie)).await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(read.body["last_read_id"], reply.id.to_string());
    let dashboard = app.send(get("/api/dashboard", &cookie)).await;
    assert_eq!(dashboard.body["unread_messages"], 0);
    // The colleague has read nothing.
    let colleague = app.sign_in(&tenant.colleague.email).await;
    assert_eq!(app.send(get("/api/dashboard", &colleague)).await.body["unread_messages"], 2);

    app.deliver_notifications().await;
    let mail = app.inbox(&shared::domain::EmailAddress::parse("inbox@agency.example").unwrap()).await;
    let said = format!("{} sent a message", tenant.contact.name);
    let ours: Vec<_> = mail[before..].iter().filter(|m| m.body.contains(&said)).collect();
    assert_eq!(ours.len(), 1, "one notification per client message");
    let escaped = ours[0].body.contains("Hello &#60;b&#62;team&#60;/b&#62;")
        || ours[0].body.contains("Hello &lt;b&gt;team&lt;/b&gt;");
    assert!(escaped && !ours[0].body.contains("<b>"), "{}", ours[0].body);
}

#[tokio::test]
async fn message_pages_follow_the_cursor() {
    let (app, tenant, cookie) = signed_in().await;
    for n in 0..5 {
        app.agency_message(&tenant, &format!("update {n}")).await;
    }
    let first = app.send(get("/api/messages?limit=3", &cookie)).await;
    let cursor = first.body["next_cursor"].as_str().unwrap();
    let second = app.send(get(&format!("/api/messages?limit=3&cursor={cursor}"), &cookie)).await;
    let bodies: Vec<&str> = first.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .chain(second.body["items"].as_array().unwrap())
        .map(|m| m["body"].as_str().unwrap())
        .collect();
    assert_eq!(bodies, ["update 4", "update 3", "update 2", "update 1", "update 0"]);
}

#[tokio::test]
async fn dashboard_in_one_call() {
    let (app, tenant, cookie) = signed_in().await;
    let dashboard = app.send(get("/api/dashboard", &cookie)).await;
    assert_eq!(dashboard.status, StatusCode::OK, "{}", dashboard.body);
    let active = dashboard.body["active_projects"].as_array().unwrap();
    assert_eq!(active.len(), 1, "only active projects");
    assert_eq!(active[0]["progress"]["next"]["id"], tenant.overdue_milestone.id.to_string());
    assert_eq!(active[0]["progress"]["next"]["overdue"], true);
    let latest = dashboard.body["latest_deliverables"].as_array().unwrap();
    assert_eq!(latest.len(), 1, "undelivered deliverables are not listed");
    assert_eq!(latest[0]["name"], "Homepage design");
    assert_eq!(dashboard.body["unread_messages"], 0);
}

#[tokio::test]
async fn empty_tenant_gets_empty_lists_not_errors() {
    let app = spawn_app().await;
    let client = app.add_client("Newco").await;
    let contact = app.add_contact(&client, "new").await;
    let cookie = app.sign_in(&contact.email).await;
    for path in ["/api/projects", "/api/messages", "/api/activity"] {
        let response = app.send(get(path, &cookie)).await;
        assert_eq!(response.status, StatusCode::OK, "{path}");
        assert_eq!(response.body["items"], json!([]), "{path}");
        assert_eq!(response.body["next_cursor"], Value::Null);
    }
    let dashboard = app.send(get("/api/dashboard", &cookie)).await;
    assert_eq!(dashboard.body["active_projects"], json!([]));
    assert_eq!(dashboard.body["latest_deliverables"], json!([]));
    let read = app.send(ApiRequest::post("/api/messages/read", json!({})).cookie(&cookie)).await;
    assert_eq!(read.body["last_read_id"], Value::Null);
}

#[tokio::test]
async fn delivered_images_get_a_thumbnail_and_a_preview_and_svg_gets_neither() {
    let (app, tenant, cookie) = signed_in().await;
    let store = &app.state.store;
    let deliver = |name: &str, filename: &str, content_type: &str| {
        let mut d = tenant.deliverable.clone();
        d.id = ulid::Ulid::new();
        d.name = name.into();
        d.versions.truncate(1);
        d.versions[0].filename = filename.into();
        d.versions[0].content_type = content_type.into();
        d
    };
    let png = deliver("Moodboard", "moodboard.png", "image/png");
    let svg = deliver("Icon set", "icons.svg", "image/svg+xml");
    let pdf = deliver("Brief", "brief.pdf", "application/pdf");
    for d in [&png, &svg, &pdf] {
        devkit::insert(store, store.deliverable_item(d).unwrap()).await.unwrap();
    }

    let project = app.send(get(&format!("/api/projects/{}", tenant.project.id), &cookie)).await;
    assert_eq!(project.status, StatusCode::OK, "{}", project.body);
    let thumbnail = |id: ulid::Ulid| {
        project.body["deliverables"].as_array().unwrap().iter().find(|d| d["id"] == id.to_string()).unwrap()
            ["thumbnail_url"]
            .clone()
    };
    let url = thumbnail(png.id);
    let url = url.as_str().expect("a delivered PNG has a thumbnail");
    assert!(url.contains("response-content-disposition=inline"), "{url}");
    assert!(url.contains("X-Amz-Expires=300"), "{url}");
    assert_eq!(thumbnail(svg.id), Value::Null, "SVG can carry scripts: never shown inline");
    assert_eq!(thumbnail(pdf.id), Value::Null, "only images get thumbnails");
    assert_eq!(thumbnail(tenant.deliverable.id), Value::Null);

    let link = |d: &shared::domain::Deliverable| {
        app.send(get(&format!("/api/projects/{}/deliverables/{}/download", tenant.project.id, d.id), &cookie))
    };
    for (d, shown) in [(&png, true), (&pdf, true), (&svg, false)] {
        let listed =
            project.body["deliverables"].as_array().unwrap().iter().find(|v| v["id"] == d.id.to_string()).unwrap();
        assert_eq!(listed["versions"][0]["previewable"], shown, "{}", d.name);
        let answer = link(d).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        let preview = answer.body["preview_url"].as_str();
        assert_eq!(preview.is_some(), shown, "{}: {}", d.name, answer.body);
        if let Some(preview) = preview {
            assert!(preview.contains("response-content-disposition=inline"), "{preview}");
        }
        let download = answer.body["url"].as_str().unwrap();
        assert!(download.contains("response-content-disposition=attachment"), "{download}");
    }
}
