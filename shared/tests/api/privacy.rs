//! Privacy requests: an agency owner exports everything about a contact, then erases them.
//! After the erasure nothing in the table names them — checked by scanning every item of the
//! test's table for their address, name and id — while the thread still reads.

use http::StatusCode;
use serde_json::{Value, json};

use shared::store::Item;

use crate::helpers::{ApiRequest, TestApp, spawn_app};

/// Every item of the test's own table, in key order (a test may scan: it owns the table).
async fn table_items(app: &TestApp) -> Vec<Item> {
    let store = &app.state.store;
    let mut items = Vec::new();
    let mut start = None;
    loop {
        let page =
            store.client().scan().table_name(store.table_name()).set_exclusive_start_key(start).send().await.unwrap();
        items.extend(page.items().iter().cloned());
        match page.last_evaluated_key().filter(|key| !key.is_empty()) {
            Some(key) => start = Some(key.clone()),
            None => break,
        }
    }
    let key = |item: &Item| format!("{:?}{:?}", item.get("PK"), item.get("SK"));
    items.sort_by_key(key);
    items
}

/// Each item as text, to search.
async fn table_text(app: &TestApp) -> Vec<String> {
    table_items(app).await.iter().map(|item| format!("{item:?}")).collect()
}

fn naming<'a>(items: &'a [String], needles: &[&str]) -> Vec<&'a String> {
    items.iter().filter(|item| needles.iter().any(|needle| item.contains(needle))).collect()
}

#[tokio::test]
async fn an_exported_then_erased_contact_leaves_nothing_that_names_them() {
    let app = spawn_app().await;
    let a = app.tenant("Alpha").await;
    let _b = app.tenant("Bravo").await;
    let owner = app.add_admin("privacy-owner").await;
    let staff = app.sign_in(&owner.email).await;
    // Assigned, so the agency's notifications of what they do reach this person's bell too.
    let audit = shared::domain::AuditEvent::new(None, "test".into(), "client.assign", "setup".into());
    app.state.store.assign(a.client.id, owner.id, &audit).await.unwrap();
    let lead = a.contact.clone();
    let (id, email, name) = (lead.id.to_string(), lead.email.to_string(), lead.name.clone());

    // A footprint: a session, a message that quotes their own name and address, a review, a
    // reply from the agency, the notifications that fan out, and a sign-in link not yet used.
    let cookie = app.sign_in(&lead.email).await;
    let post = ApiRequest::post("/api/messages", json!({ "body": format!("{name} here; write to {email}") }));
    assert_eq!(app.send(post.cookie(&cookie)).await.status, StatusCode::CREATED);
    let review = format!("/api/projects/{}/deliverables/{}/review", a.project.id, a.deliverable.id);
    let reviewed =
        app.send(ApiRequest::post(&review, json!({ "decision": "approved", "comment": "" })).cookie(&cookie)).await;
    assert_eq!(reviewed.status, StatusCode::OK, "{}", reviewed.body);
    app.agency_message(&a, &format!("Thanks! Copying {email}.")).await;
    app.deliver_notifications().await;
    let link = ApiRequest::post("/api/auth/login", json!({ "email": email }));
    assert_eq!(app.send(link).await.status, StatusCode::ACCEPTED);
    let before_items = table_items(&app).await;
    let before: Vec<String> = before_items.iter().map(|item| format!("{item:?}")).collect();
    assert!(naming(&before, &[&id, &email, &name]).len() >= 8, "the footprint is too small to prove anything");

    // The export: their contact record, every kind of item that names them, their files.
    let base = format!("/api/admin/clients/{}/contacts/{id}", a.client.id);
    let export = app.send(ApiRequest::get(&format!("{base}/export")).cookie(&staff)).await;
    assert_eq!(export.status, StatusCode::OK, "{}", export.body);
    assert_eq!(export.body["contact"]["email"], email.as_str());
    let kinds: Vec<&str> =
        export.body["records"].as_array().unwrap().iter().map(|r| r["kind"].as_str().unwrap()).collect();
    for kind in ["session", "message", "activity", "deliverable", "shared_file", "audit_event", "message_thread"] {
        assert!(kinds.contains(&kind), "no {kind} in the export: {kinds:?}");
    }
    let messages: Vec<&Value> =
        export.body["records"].as_array().unwrap().iter().filter(|r| r["kind"] == "message").collect();
    assert!(messages.iter().any(|m| m["data"]["body"].as_str().unwrap().contains("write to")), "{messages:?}");
    let raw = export.body.to_string();
    for secret in ["\"sid\"", "\"credential\"", "\"state\"", "GSI1PK", "TOKEN#"] {
        assert!(!raw.contains(secret), "the export carries {secret}");
    }
    let files = export.body["files"].as_array().unwrap();
    assert!(files.iter().any(|f| f["filename"] == a.files.shared_file.filename.as_str()), "{files:?}");
    assert!(files.iter().all(|f| f["url"].as_str().unwrap().contains("X-Amz-Signature")), "{files:?}");

    // A confirmation that is not their address erases nobody.
    let wrong = app
        .send(
            ApiRequest::post(&format!("{base}/erase"), json!({ "confirm_email": "someone@else.example" }))
                .cookie(&staff),
        )
        .await;
    assert_eq!((wrong.status, wrong.error_code()), (StatusCode::UNPROCESSABLE_ENTITY, "confirmation_mismatch"));
    assert!(table_items(&app).await == before_items, "a refused erasure changed the table");

    let erased = app
        .send(
            ApiRequest::post(&format!("{base}/erase"), json!({ "confirm_email": email.to_uppercase() })).cookie(&staff),
        )
        .await;
    assert_eq!(erased.status, StatusCode::OK, "{}", erased.body);
    assert!(erased.body["anonymised"].as_u64().unwrap() >= 4, "{}", erased.body);
    assert!(erased.body["removed"].as_u64().unwrap() >= 2, "{}", erased.body);

    // Nothing names them: not their address, their name or their id, in any item.
    let after = table_text(&app).await;
    let left = naming(&after, &[&id, &email, &name]);
    assert!(left.is_empty(), "items still name the erased contact: {left:#?}");

    // Their session and their unused link are dead; the thread still reads, as a former contact.
    assert_eq!(app.send(ApiRequest::get("/api/me").cookie(&cookie)).await.status, StatusCode::UNAUTHORIZED);
    let thread =
        app.send(ApiRequest::get(&format!("/api/admin/clients/{}/messages", a.client.id)).cookie(&staff)).await;
    assert_eq!(thread.status, StatusCode::OK, "{}", thread.body);
    let text = thread.body.to_string();
    assert!(text.contains("Former contact here; write to former.contact@erased.invalid"), "{text}");
    assert!(text.contains("Thanks! Copying former.contact@erased.invalid."), "{text}");
    // The project page with the review still reads too.
    let colleague = app.sign_in(&a.colleague.email).await;
    let project = app.send(ApiRequest::get(&format!("/api/projects/{}", a.project.id)).cookie(&colleague)).await;
    assert_eq!(project.status, StatusCode::OK, "{}", project.body);

    // The audit log records the erasure by its reference, and the address is free again.
    let log =
        app.send(ApiRequest::get(&format!("/api/admin/clients/{}/audit?limit=100", a.client.id)).cookie(&staff)).await;
    let reference = erased.body["reference"].as_str().unwrap();
    let events = log.body["items"].as_array().unwrap();
    assert!(
        events.iter().any(|e| e["action"] == "contact.erase" && e["summary"].as_str().unwrap().contains(reference)),
        "{events:?}"
    );
    let again =
        app.send(ApiRequest::post(&format!("{base}/erase"), json!({ "confirm_email": email })).cookie(&staff)).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    let readd = ApiRequest::post(
        &format!("/api/admin/clients/{}/contacts", a.client.id),
        json!({ "name": "New Person", "email": email }),
    );
    assert_eq!(app.send(readd.cookie(&staff)).await.status, StatusCode::CREATED);
}

#[tokio::test]
async fn the_last_owner_is_not_erased_and_two_erasures_at_once_make_one() {
    let app = spawn_app().await;
    let a = app.tenant("Alpha").await;
    let owner = app.add_admin("privacy-owner").await;
    let staff = app.sign_in(&owner.email).await;
    let erase = |contact: &shared::domain::Contact| {
        ApiRequest::post(
            &format!("/api/admin/clients/{}/contacts/{}/erase", a.client.id, contact.id),
            json!({ "confirm_email": contact.email.as_str() }),
        )
        .cookie(&staff)
    };

    // Two owners (the lead and the colleague): erasing both at once leaves exactly one erasure.
    let (first, second) = tokio::join!(app.send(erase(&a.contact)), app.send(erase(&a.contact)));
    let mut statuses = [first.status, second.status];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::NOT_FOUND], "{} / {}", first.body, second.body);
    let log =
        app.send(ApiRequest::get(&format!("/api/admin/clients/{}/audit?limit=100", a.client.id)).cookie(&staff)).await;
    let erasures = log.body["items"].as_array().unwrap().iter().filter(|e| e["action"] == "contact.erase").count();
    assert_eq!(erasures, 1);

    // The colleague is now the only owner: refused, and nothing of theirs changed.
    let before = table_items(&app).await;
    let last = app.send(erase(&a.colleague)).await;
    assert_eq!((last.status, last.error_code()), (StatusCode::CONFLICT, "last_owner"), "{}", last.body);
    assert!(table_items(&app).await == before, "a refused erasure changed the table");
    // A client contact cannot ask (the role matrix covers every role).
    let contact = app.sign_in(&a.colleague.email).await;
    let path = format!("/api/admin/clients/{}/contacts/{}/export", a.client.id, a.colleague.id);
    assert_eq!(app.send(ApiRequest::get(&path).cookie(&contact)).await.status, StatusCode::FORBIDDEN);
}

/// What a run that stopped after its first steps leaves behind (access off, sessions gone,
/// some mentions rewritten, the contact still there) is finished by asking again.
#[tokio::test]
async fn an_erasure_that_stopped_midway_finishes_when_asked_again() {
    use aws_sdk_dynamodb::types::AttributeValue;
    use shared::privacy::person::Person;

    let app = spawn_app().await;
    let a = app.tenant("Alpha").await;
    let owner = app.add_admin("privacy-owner").await;
    let staff = app.sign_in(&owner.email).await;
    let lead = a.contact.clone();
    let cookie = app.sign_in(&lead.email).await;
    for n in 0..4 {
        let post = ApiRequest::post("/api/messages", json!({ "body": format!("Message {n} from {}", lead.name) }));
        assert_eq!(app.send(post.cookie(&cookie)).await.status, StatusCode::CREATED);
    }
    app.deliver_notifications().await;

    let store = &app.state.store;
    let person = Person::of(&lead);
    let client = format!("CLIENT#{}", a.client.id);
    let contact_key = format!("CONTACT#{}", lead.id);
    let off = [("portal_enabled".to_owned(), AttributeValue::Bool(true), AttributeValue::Bool(false))];
    store.rewrite_attributes(&client, &contact_key, &off).await.unwrap();
    for item in store.principal_items(&person.id).await.unwrap() {
        store.delete_key(item["PK"].as_s().unwrap(), item["SK"].as_s().unwrap()).await.unwrap();
    }
    // The erasure rewrites what refers to them through a message first (the thread, bells),
    // then the messages themselves: stopped midway through those.
    let company = store.partition_items(client.clone()).await.unwrap();
    let related: std::collections::HashSet<String> = company
        .iter()
        .filter(|item| person.is_referred_to_in(item))
        .filter_map(|item| Person::item_id(item).map(str::to_owned))
        .collect();
    for item in company.iter().filter(|item| Person::is_related(item, &related) && !person.is_referred_to_in(item)) {
        let changes = person.changes_in(item, true);
        store.rewrite_attributes(&client, item["SK"].as_s().unwrap(), &changes).await.unwrap();
    }
    let mut rewritten = 0;
    for item in company.iter().step_by(2) {
        let sk = item["SK"].as_s().unwrap();
        let changes = person.changes(item);
        if sk != &contact_key && sk != "OWNERS" && !person.owns(item) && !changes.is_empty() {
            store.rewrite_attributes(&client, sk, &changes).await.unwrap();
            rewritten += 1;
        }
    }
    assert!(rewritten >= 2, "the stopped run must have done part of the work");
    assert_eq!(app.send(ApiRequest::get("/api/me").cookie(&cookie)).await.status, StatusCode::UNAUTHORIZED);

    let path = format!("/api/admin/clients/{}/contacts/{}/erase", a.client.id, lead.id);
    let erased =
        app.send(ApiRequest::post(&path, json!({ "confirm_email": lead.email.as_str() })).cookie(&staff)).await;
    assert_eq!(erased.status, StatusCode::OK, "{}", erased.body);
    let (id, email) = (lead.id.to_string(), lead.email.to_string());
    let after = table_text(&app).await;
    let left = naming(&after, &[&id, &email, &lead.name]);
    assert!(left.is_empty(), "items still name the erased contact: {left:#?}");
    let thread =
        app.send(ApiRequest::get(&format!("/api/admin/clients/{}/messages", a.client.id)).cookie(&staff)).await;
    assert_eq!(thread.body.to_string().matches("from Former contact").count(), 4, "{}", thread.body);
}

/// Whether an item is about the person (their id or address in it, or it points at a message or
/// event that is), told from its text alone.
fn about(item: &Item, needles: &[&str], related: &std::collections::HashSet<String>) -> bool {
    let text = format!("{item:?}");
    needles.iter().any(|needle| text.contains(needle))
        || ["event_id", "last_message_id"]
            .iter()
            .any(|field| item.get(*field).and_then(|v| v.as_s().ok()).is_some_and(|id| related.contains(id)))
}

/// A contact called "member", "owner", "message", "admin", "Marketing" (the company's own name)
/// or "Marketing website" (a project's) is erased without changing anyone else: every record
/// that is not about them stays byte for byte, and in theirs no key, kind, role, status or
/// action changes. The others' pages and the notification drain keep working.
#[tokio::test]
async fn erasing_a_contact_named_like_a_word_of_the_portal_changes_only_them() {
    let app = spawn_app().await;
    let a = app.tenant("Marketing").await;
    let owner = app.add_admin("privacy-owner").await;
    let staff = app.sign_in(&owner.email).await;
    let audit = shared::domain::AuditEvent::new(None, "test".into(), "client.assign", "setup".into());
    app.state.store.assign(a.client.id, owner.id, &audit).await.unwrap();
    let lead = app.sign_in(&a.contact.email).await;
    let colleague = app.sign_in(&a.colleague.email).await;
    // The lead and the agency have spoken before: their words name nobody erased here.
    let hello = ApiRequest::post("/api/messages", json!({ "body": "Hello from the member area of Marketing" }));
    assert_eq!(app.send(hello.cookie(&lead)).await.status, StatusCode::CREATED);

    for (n, name) in ["member", "owner", "message", "admin", "Marketing", "Marketing website"].into_iter().enumerate() {
        let email = app.email(&format!("hostile{n}"));
        let added = app
            .send(
                ApiRequest::post(
                    &format!("/api/admin/clients/{}/contacts", a.client.id),
                    json!({ "name": name, "email": email.as_str() }),
                )
                .cookie(&staff),
            )
            .await;
        assert_eq!(added.status, StatusCode::CREATED, "{}", added.body);
        let id = added.body["id"].as_str().unwrap().to_owned();
        let cookie = app.sign_in(&email).await;
        let post = ApiRequest::post("/api/messages", json!({ "body": format!("Regards, {name}") }));
        assert_eq!(app.send(post.cookie(&cookie)).await.status, StatusCode::CREATED);
        let review = format!("/api/projects/{}/deliverables/{}/review", a.project.id, a.deliverable.id);
        let reviewed =
            app.send(ApiRequest::post(&review, json!({ "decision": "approved", "comment": "" })).cookie(&cookie)).await;
        assert_eq!(reviewed.status, StatusCode::OK, "{}", reviewed.body);
        let access = ApiRequest::post(&format!("/api/team/{id}"), json!({ "invoice_access": true }))
            .method(http::Method::PATCH)
            .cookie(&lead);
        assert_eq!(app.send(access).await.status, StatusCode::OK);
        app.agency_message(&a, &format!("Welcome, {name}")).await;
        app.deliver_notifications().await;

        let before = table_items(&app).await;
        let needles = [id.as_str(), email.as_str()];
        let related: std::collections::HashSet<String> = before
            .iter()
            .filter(|item| needles.iter().any(|needle| format!("{item:?}").contains(needle)))
            .filter_map(|item| item.get("id").and_then(|v| v.as_s().ok()).cloned())
            .collect();
        let erase = ApiRequest::post(
            &format!("/api/admin/clients/{}/contacts/{id}/erase", a.client.id),
            json!({ "confirm_email": email.as_str() }),
        );
        let erased = app.send(erase.cookie(&staff)).await;
        assert_eq!(erased.status, StatusCode::OK, "{name}: {}", erased.body);

        let after = table_items(&app).await;
        let key = |item: &Item| (format!("{:?}", item.get("PK")), format!("{:?}", item.get("SK")));
        let after_by_key: std::collections::HashMap<_, _> = after.iter().map(|item| (key(item), item)).collect();
        let mut theirs = 0;
        for item in &before {
            let now = after_by_key.get(&key(item));
            if !about(item, &needles, &related) {
                // The audit log gains the erasure; everything else not about them is as it was.
                assert_eq!(now, Some(&item), "{name}: a record not about them changed");
                continue;
            }
            theirs += 1;
            let Some(now) = now else { continue }; // theirs alone: removed
            for (attribute, value) in item.iter() {
                let changed = now.get(attribute) != Some(value);
                let structured = [
                    "PK", "SK", "GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK", "kind", "role", "status", "action", "topic",
                    "decision",
                ];
                assert!(
                    !(changed && structured.contains(&attribute.as_str())),
                    "{name}: {attribute} changed in {item:?} -> {now:?}"
                );
            }
        }
        assert!(theirs >= 6, "{name}: the footprint is too small to prove anything ({theirs})");
        let left: Vec<String> = after
            .iter()
            .map(|item| format!("{item:?}"))
            .filter(|text| needles.iter().any(|n| text.contains(n)))
            .collect();
        assert!(left.is_empty(), "{name}: still named by id or address: {left:#?}");

        // Everyone else still works, and so does the drain.
        for cookie in [&lead, &colleague] {
            let me = app.send(ApiRequest::get("/api/me").cookie(cookie)).await;
            assert_eq!(me.status, StatusCode::OK, "{name}: {}", me.body);
        }
        let page = app.send(ApiRequest::get(&format!("/api/admin/clients/{}", a.client.id)).cookie(&staff)).await;
        assert_eq!(page.status, StatusCode::OK, "{name}: {}", page.body);
        let roles: Vec<&str> =
            page.body["contacts"].as_array().unwrap().iter().map(|c| c["role"].as_str().unwrap()).collect();
        assert!(roles.iter().all(|r| ["owner", "member"].contains(r)), "{name}: {roles:?}");
        app.deliver_notifications().await;
        let thread = app.send(ApiRequest::get("/api/messages").cookie(&lead)).await;
        assert_eq!(thread.status, StatusCode::OK, "{name}: {}", thread.body);
        assert!(thread.body.to_string().contains("Hello from the member area of Marketing"), "{name}");
    }
}
