//! Who may do what, as people change it: client owners running their team, agency owners
//! running staff and assignments, the last owner kept, and every change counting from the very
//! next request of the sessions it touches.

use http::{Method, StatusCode};
use serde_json::json;
use shared::domain::{ContactRole, StaffRole};

use crate::helpers::{ApiRequest, TestApp, spawn_app};

fn patch(path: &str, body: serde_json::Value) -> ApiRequest {
    ApiRequest::post(path, body).method(Method::PATCH)
}

#[tokio::test]
async fn an_owner_invites_a_colleague_who_signs_in_without_invoices_until_given_access() {
    let app = spawn_app().await;
    let client = app.add_client("Acme").await;
    let owner = app.add_contact_as(&client, "owner", ContactRole::Owner, false).await;
    let owner_cookie = app.sign_in(&owner.email).await;

    let colleague = app.email("colleague");
    let invited = app
        .send(
            ApiRequest::post("/api/team", json!({ "name": "Cole League", "email": colleague.as_str() }))
                .cookie(&owner_cookie),
        )
        .await;
    assert_eq!(invited.status, StatusCode::CREATED, "{}", invited.body);
    assert_eq!(invited.body["role"], "member");
    assert_eq!(invited.body["invoice_access"], false);
    assert_eq!(invited.body["invitation_sent"], true);
    let id = invited.body["id"].as_str().unwrap().to_owned();

    // The colleague signs in from the welcome mail (the same one an agency invitation sends).
    let mail = app.inbox(&colleague).await;
    assert_eq!(mail.len(), 1);
    assert!(mail[0].subject.starts_with("Welcome to the"), "{}", mail[0].subject);
    let token = mail[0].token().unwrap();
    let verify = app.send(ApiRequest::post("/api/auth/verify", json!({ "token": token }))).await;
    assert_eq!(verify.status, StatusCode::OK, "{}", verify.body);
    assert_eq!(verify.body["can"]["see_invoices"], false);
    let cookie = verify.session_cookie().unwrap();
    let refused = app.send(ApiRequest::get("/api/invoices").cookie(&cookie)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let dashboard = app.send(ApiRequest::get("/api/dashboard").cookie(&cookie)).await;
    assert!(dashboard.body["invoices"].is_null());
    assert_eq!(app.send(ApiRequest::get("/api/team").cookie(&cookie)).await.status, StatusCode::FORBIDDEN);

    // Invoice access given: the same session sees invoices on its very next request.
    let given =
        app.send(patch(&format!("/api/team/{id}"), json!({ "invoice_access": true })).cookie(&owner_cookie)).await;
    assert_eq!(given.status, StatusCode::OK, "{}", given.body);
    assert_eq!(app.send(ApiRequest::get("/api/invoices").cookie(&cookie)).await.status, StatusCode::OK);
    let me = app.send(ApiRequest::get("/api/me").cookie(&cookie)).await;
    assert_eq!(me.body["can"]["see_invoices"], true);

    // Made an owner: manages the team from the next request. Access off: 401 from the next one.
    app.send(patch(&format!("/api/team/{id}"), json!({ "role": "owner" })).cookie(&owner_cookie)).await;
    assert_eq!(app.send(ApiRequest::get("/api/team").cookie(&cookie)).await.status, StatusCode::OK);
    let refused_off =
        app.send(patch(&format!("/api/team/{id}"), json!({ "portal_enabled": false })).cookie(&owner_cookie)).await;
    assert_eq!((refused_off.status, refused_off.error_code()), (StatusCode::CONFLICT, "owner_access"));
    app.send(patch(&format!("/api/team/{id}"), json!({ "role": "member" })).cookie(&owner_cookie)).await;
    let off =
        app.send(patch(&format!("/api/team/{id}"), json!({ "portal_enabled": false })).cookie(&owner_cookie)).await;
    assert_eq!(off.status, StatusCode::OK, "{}", off.body);
    assert_eq!(app.send(ApiRequest::get("/api/projects").cookie(&cookie)).await.status, StatusCode::UNAUTHORIZED);

    // Every change is in the company's audit log, by the owner.
    let log = app.state.store.list_client_audit(client.id, 100, None).await.unwrap().0;
    let by_owner: Vec<&str> =
        log.iter().filter(|e| e.actor == format!("contact:{}", owner.id)).map(|e| e.action.as_str()).collect();
    for action in ["contact.create", "contact.invite", "contact.update"] {
        assert!(by_owner.contains(&action), "{action} missing from {by_owner:?}");
    }
    // Invoice access, owner, member, access off: the refused switch-off wrote nothing.
    assert_eq!(by_owner.iter().filter(|a| **a == "contact.update").count(), 4);
}

#[tokio::test]
async fn a_company_keeps_its_last_owner() {
    let app = spawn_app().await;
    let client = app.add_client("Acme").await;
    let owner = app.add_contact_as(&client, "owner", ContactRole::Owner, true).await;
    let cookie = app.sign_in(&owner.email).await;
    let demote = app.send(patch(&format!("/api/team/{}", owner.id), json!({ "role": "member" })).cookie(&cookie)).await;
    assert_eq!((demote.status, demote.error_code()), (StatusCode::CONFLICT, "last_owner"), "{}", demote.body);
    assert!(demote.body["error"]["message"].as_str().unwrap().contains("at least one owner"));
    assert_eq!(app.state.store.client_owners(client.id).await.unwrap(), [owner.id.to_string()]);
}

/// Two owners demote each other (or themselves) at the same moment: exactly one stays owner,
/// whichever way the race goes, on both sides. (Under load the second request can also arrive
/// after the first committed, and then its author is simply no longer an owner.)
#[tokio::test]
async fn concurrent_demotion_of_the_last_two_owners_leaves_exactly_one() {
    let app = spawn_app().await;
    for round in 0..5 {
        // Client side.
        let client = app.add_client(&format!("Race {round}")).await;
        let first = app.add_contact_as(&client, &format!("first{round}"), ContactRole::Owner, true).await;
        let second = app.add_contact_as(&client, &format!("second{round}"), ContactRole::Owner, true).await;
        let (a, b) = tokio::join!(app.sign_in(&first.email), app.sign_in(&second.email));
        let (one, two) = tokio::join!(
            app.send(patch(&format!("/api/team/{}", second.id), json!({ "role": "member" })).cookie(&a)),
            app.send(patch(&format!("/api/team/{}", first.id), json!({ "role": "member" })).cookie(&b)),
        );
        let statuses = [one.status, two.status];
        assert!(statuses.contains(&StatusCode::OK), "{statuses:?} {} {}", one.body, two.body);
        // The loser is refused either by the last-owner rule (409) or, when the winner's
        // change landed before its access check, because it is no longer an owner (403).
        let lost = if one.status == StatusCode::OK { &two } else { &one };
        assert!(
            matches!(
                (lost.status, lost.error_code()),
                (StatusCode::CONFLICT, "last_owner") | (StatusCode::FORBIDDEN, "forbidden")
            ),
            "{statuses:?} {} {}",
            one.body,
            two.body
        );
        let contacts = app.state.store.list_contacts(client.id).await.unwrap();
        let owners: Vec<_> = contacts.iter().filter(|c| c.role == ContactRole::Owner).collect();
        assert_eq!(owners.len(), 1, "round {round}: {contacts:?}");
        assert_eq!(app.state.store.client_owners(client.id).await.unwrap(), [owners[0].id.to_string()]);

        // Agency side (each round its own app: the agency has one owner set).
        let agency = spawn_app().await;
        let x = agency.add_staff(&format!("x{round}"), StaffRole::Owner).await;
        let y = agency.add_staff(&format!("y{round}"), StaffRole::Owner).await;
        let (cx, cy) = tokio::join!(agency.sign_in(&x.email), agency.sign_in(&y.email));
        let (one, two) = tokio::join!(
            agency.send(patch(&format!("/api/admin/staff/{}", x.id), json!({ "role": "member" })).cookie(&cx)),
            agency.send(patch(&format!("/api/admin/staff/{}", y.id), json!({ "role": "member" })).cookie(&cy)),
        );
        let statuses = [one.status, two.status];
        assert!(statuses.contains(&StatusCode::OK), "{statuses:?} {} {}", one.body, two.body);
        let staff = agency.state.store.list_admins().await.unwrap();
        assert_eq!(staff.iter().filter(|a| a.role == StaffRole::Owner).count(), 1, "round {round}: {staff:?}");
        assert_eq!(agency.state.store.agency_owners().await.unwrap().len(), 1);
    }
}

async fn staff_cookie(app: &TestApp, local: &str, role: StaffRole) -> (shared::domain::Admin, String) {
    let admin = app.add_staff(local, role).await;
    let cookie = app.sign_in(&admin.email).await;
    (admin, cookie)
}

#[tokio::test]
async fn agency_owners_manage_staff_and_the_last_owner_stays() {
    let app = spawn_app().await;
    let (owner, cookie) = staff_cookie(&app, "owner", StaffRole::Owner).await;
    let new = app.email("new-staff");
    let added = app
        .send(
            ApiRequest::post("/api/admin/staff", json!({ "name": "New Person", "email": new.as_str() }))
                .cookie(&cookie),
        )
        .await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.body);
    assert_eq!((added.body["role"].as_str(), added.body["invitation_sent"].as_bool()), (Some("member"), Some(true)));
    let mail = app.inbox(&new).await;
    assert!(mail[0].subject.contains("added to the"), "{}", mail[0].subject);
    assert!(mail[0].token().is_some());
    let id = added.body["id"].as_str().unwrap();

    let list = app.send(ApiRequest::get("/api/admin/staff").cookie(&cookie)).await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 2);

    let demote_self =
        app.send(patch(&format!("/api/admin/staff/{}", owner.id), json!({ "role": "member" })).cookie(&cookie)).await;
    assert_eq!((demote_self.status, demote_self.error_code()), (StatusCode::CONFLICT, "last_owner"));
    let remove_self = app
        .send(
            ApiRequest::post(&format!("/api/admin/staff/{}", owner.id), json!({}))
                .method(Method::DELETE)
                .cookie(&cookie),
        )
        .await;
    assert_eq!((remove_self.status, remove_self.error_code()), (StatusCode::CONFLICT, "last_owner"));

    // Removing someone ends their access on their next request.
    let token = mail[0].token().unwrap();
    let verify = app.send(ApiRequest::post("/api/auth/verify", json!({ "token": token }))).await;
    let their_cookie = verify.session_cookie().unwrap();
    assert_eq!(app.send(ApiRequest::get("/api/admin/clients").cookie(&their_cookie)).await.status, StatusCode::OK);
    let removed = app
        .send(ApiRequest::post(&format!("/api/admin/staff/{id}"), json!({})).method(Method::DELETE).cookie(&cookie))
        .await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT, "{}", removed.body);
    let after = app.send(ApiRequest::get("/api/admin/clients").cookie(&their_cookie)).await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED);
    // Their address is free again.
    assert!(app.state.store.get_email_claim(&new).await.unwrap().is_none());
}

#[tokio::test]
async fn an_agency_member_sees_assigned_clients_only_and_loses_them_on_the_next_request() {
    let app = spawn_app().await;
    let (_, owner_cookie) = staff_cookie(&app, "owner", StaffRole::Owner).await;
    let (member, cookie) = staff_cookie(&app, "member", StaffRole::Member).await;
    let mine = app.add_client("Mine Ltd").await;
    let theirs = app.add_client("Theirs Ltd").await;
    let assign = |client: &shared::domain::Client, method: Method| {
        ApiRequest::post(&format!("/api/admin/clients/{}/staff/{}", client.id, member.id), json!({}))
            .method(method)
            .cookie(&owner_cookie)
    };
    assert_eq!(app.send(assign(&mine, Method::PUT)).await.status, StatusCode::NO_CONTENT);

    let list = app.send(ApiRequest::get("/api/admin/clients").cookie(&cookie)).await;
    let names: Vec<&str> =
        list.body["items"].as_array().unwrap().iter().map(|c| c["company_name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Mine Ltd"]);
    let detail = app.send(ApiRequest::get(&format!("/api/admin/clients/{}", mine.id)).cookie(&owner_cookie)).await;
    assert_eq!(detail.body["staff"][0]["id"], member.id.to_string());
    assert_eq!(
        app.send(ApiRequest::get(&format!("/api/admin/clients/{}", theirs.id)).cookie(&cookie)).await.status,
        StatusCode::FORBIDDEN
    );
    // Members may not create clients, see Harvest's client list or manage staff.
    let create = app.send(ApiRequest::post("/api/admin/clients", json!({ "company_name": "X" })).cookie(&cookie)).await;
    assert_eq!(create.status, StatusCode::FORBIDDEN);

    // Unassigned: the very next request is refused, read or write.
    assert_eq!(app.send(assign(&mine, Method::DELETE)).await.status, StatusCode::NO_CONTENT);
    let read = app.send(ApiRequest::get(&format!("/api/admin/clients/{}", mine.id)).cookie(&cookie)).await;
    assert_eq!(read.status, StatusCode::FORBIDDEN);
    let write = app
        .send(
            ApiRequest::post(&format!("/api/admin/clients/{}/messages", mine.id), json!({ "body": "hi" }))
                .cookie(&cookie),
        )
        .await;
    assert_eq!(write.status, StatusCode::FORBIDDEN);
    let list = app.send(ApiRequest::get("/api/admin/clients").cookie(&cookie)).await;
    assert!(list.body["items"].as_array().unwrap().is_empty(), "{}", list.body);
    assert_eq!(list.status, StatusCode::OK);

    // Made an owner: everything from the next request.
    app.send(patch(&format!("/api/admin/staff/{}", member.id), json!({ "role": "owner" })).cookie(&owner_cookie)).await;
    assert_eq!(
        app.send(ApiRequest::get(&format!("/api/admin/clients/{}", theirs.id)).cookie(&cookie)).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_client_message_notifies_the_staff_assigned_to_that_client() {
    let app = spawn_app().await;
    let assigned = app.add_staff("assigned", StaffRole::Member).await;
    let other = app.add_staff("other", StaffRole::Owner).await;
    let client = app.add_client("Acme").await;
    let contact = app.add_contact(&client, "writer").await;
    let audit = shared::domain::AuditEvent::new(None, "test".into(), "client.assign", "setup".into());
    app.state.store.assign(client.id, assigned.id, &audit).await.unwrap();
    let cookie = app.sign_in(&contact.email).await;
    let posted = app
        .send(ApiRequest::post("/api/messages", json!({ "body": "Question about the launch" })).cookie(&cookie))
        .await;
    assert_eq!(posted.status, StatusCode::CREATED);
    app.deliver_notifications().await;
    let mail = app.inbox(&assigned.email).await;
    assert_eq!(mail.len(), 1, "{mail:?}");
    assert_eq!(mail[0].subject, "writer Example sent a message");
    assert!(mail[0].body.contains("Question about the launch"), "{}", mail[0].body);
    let unassigned: Vec<_> = app.inbox(&other.email).await;
    assert!(unassigned.iter().all(|m| !m.subject.contains("sent a message")), "{unassigned:?}");
}

/// Owners cannot turn the portal into a mail cannon: an address gets at most five invitations
/// an hour (re-sends included), and one owner sends at most thirty; names that would carry a
/// line break into a mail are refused.
#[tokio::test]
async fn invitations_are_limited_per_address_and_per_sender() {
    let app = spawn_app().await;
    let client = app.add_client("Acme").await;
    let owner = app.add_contact_as(&client, "owner", ContactRole::Owner, false).await;
    let cookie = app.sign_in(&owner.email).await;
    let invite = |local: String| {
        let email = app.email(&local);
        app.send(
            ApiRequest::post("/api/team", json!({ "name": "Cole League", "email": email.as_str() })).cookie(&cookie),
        )
    };

    let hostile = app
        .send(
            ApiRequest::post(
                "/api/team",
                json!({ "name": "Cole\r\nBcc: everyone@example.com", "email": app.email("x").as_str() }),
            )
            .cookie(&cookie),
        )
        .await;
    assert_eq!((hostile.status, hostile.error_code()), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_field"));

    let first = invite("target".into()).await;
    assert_eq!(first.body["invitation_sent"], true, "{}", first.body);
    let resend = format!("/api/team/{}/invite", first.body["id"].as_str().unwrap());
    for n in 2..=5 {
        let again = app.send(ApiRequest::post(&resend, json!({})).cookie(&cookie)).await;
        assert_eq!(again.status, StatusCode::ACCEPTED, "re-send {n}: {}", again.body);
    }
    let limited = app.send(ApiRequest::post(&resend, json!({})).cookie(&cookie)).await;
    assert_eq!((limited.status, limited.error_code()), (StatusCode::TOO_MANY_REQUESTS, "rate_limited"));
    assert!(limited.header("retry-after").is_some());
    assert_eq!(app.inbox(&app.email("target")).await.len(), 5);

    // Thirty from one owner (the six above count), then the people are added but not mailed.
    let mut sent = 6;
    for n in 0..30 {
        let added = invite(format!("many{n}")).await;
        assert_eq!(added.status, StatusCode::CREATED, "{}", added.body);
        if added.body["invitation_sent"] == false {
            break;
        }
        sent += 1;
    }
    assert_eq!(sent, 30, "the 31st invitation of this owner was held back");
}
