//! Passkeys, driven by a software authenticator (`webauthn-authenticator-rs`'s soft passkey)
//! against the real routes and the emulator: registration, sign-in, and every way a ceremony
//! must be refused.
//!
//! The soft passkey keeps no discoverable (resident) credentials: for a sign-in it is told the
//! credential to use (`allow_credentials`) and its answer gets the user handle a discoverable
//! authenticator returns beside the signature (the handle is not signed; the server checks it
//! against the stored passkey's owner).

use devkit::passkey::{SoftPasskey, WebauthnAuthenticator};
use http::{Method, StatusCode};
use serde_json::json;
use url::Url;
use webauthn_rs::prelude::{CreationChallengeResponse, PublicKeyCredential, RequestChallengeResponse};

use crate::helpers::{ApiRequest, PUBLIC_URL, TestApp, clear_of_rate_window_edge, spawn_app};

fn origin() -> Url {
    Url::parse(PUBLIC_URL).unwrap()
}

struct Person {
    cookie: String,
    contact: shared::domain::Contact,
    client: shared::domain::Client,
    authenticator: SoftPasskey,
    credential_id: Vec<u8>,
}

/// A contact who signed in with a magic link and registered a passkey.
async fn registered(app: &TestApp, local: &str) -> Person {
    let client = app.add_client(&format!("{local} Ltd")).await;
    let contact = app.add_contact(&client, local).await;
    let cookie = app.sign_in(&contact.email).await;
    let start = app.send(ApiRequest::post("/api/passkeys/register/start", json!({})).cookie(&cookie)).await;
    assert_eq!(start.status, StatusCode::OK, "{}", start.body);
    let options: CreationChallengeResponse = serde_json::from_value(start.body["options"].clone()).unwrap();
    let mut authenticator = SoftPasskey::new(true);
    let credential = authenticator.do_registration(origin(), options).unwrap();
    let credential_id = credential.raw_id.to_vec();
    let body = json!({ "ceremony_id": start.body["ceremony_id"], "name": "Laptop", "credential": credential });
    let finish = app.send(ApiRequest::post("/api/passkeys/register/finish", body.clone()).cookie(&cookie)).await;
    assert_eq!(finish.status, StatusCode::CREATED, "{}", finish.body);
    assert_eq!(finish.body["name"], "Laptop");
    // The ceremony served once.
    let again = app.send(ApiRequest::post("/api/passkeys/register/finish", body).cookie(&cookie)).await;
    assert_eq!((again.status, again.error_code()), (StatusCode::UNPROCESSABLE_ENTITY, "passkey_not_registered"));
    Person { cookie, contact, client, authenticator, credential_id }
}

async fn start_sign_in(app: &TestApp) -> (String, RequestChallengeResponse) {
    let start = app.send(ApiRequest::post("/api/auth/passkey/start", json!({}))).await;
    assert_eq!(start.status, StatusCode::OK, "{}", start.body);
    let options = serde_json::from_value(start.body["options"].clone()).unwrap();
    (start.body["ceremony_id"].as_str().unwrap().to_owned(), options)
}

/// The person's authenticator answers `options` as a discoverable credential would, at `origin`.
fn assert_with(person: &mut Person, mut options: RequestChallengeResponse, origin: Url) -> PublicKeyCredential {
    use base64::Engine;
    let id = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&person.credential_id);
    options.public_key.allow_credentials = serde_json::from_value(json!([{ "type": "public-key", "id": id }])).unwrap();
    let mut credential = person.authenticator.do_authentication(origin, options).unwrap();
    let handle = uuid::Uuid::from_u128(ulid::Ulid::from_string(&person.contact.id.to_string()).unwrap().0);
    credential.response.user_handle = Some(handle.as_bytes().to_vec());
    credential
}

async fn finish(app: &TestApp, ceremony_id: &str, credential: &PublicKeyCredential) -> crate::helpers::TestResponse {
    let body = json!({ "ceremony_id": ceremony_id, "credential": credential });
    app.send(ApiRequest::post("/api/auth/passkey/finish", body)).await
}

fn refused(response: &crate::helpers::TestResponse) {
    assert_eq!(
        (response.status, response.error_code()),
        (StatusCode::UNAUTHORIZED, "passkey_refused"),
        "{}",
        response.body
    );
    assert!(response.session_cookie().is_none());
}

#[tokio::test]
async fn a_passkey_signs_in_once_per_ceremony_and_is_listed_renamed_and_removed() {
    let app = spawn_app().await;
    let mut person = registered(&app, "pat").await;

    let (id, options) = start_sign_in(&app).await;
    let credential = assert_with(&mut person, options, origin());
    let signed_in = finish(&app, &id, &credential).await;
    assert_eq!(signed_in.status, StatusCode::OK, "{}", signed_in.body);
    assert_eq!(signed_in.body["user"]["email"], person.contact.email.as_str());
    let cookie = signed_in.session_cookie().unwrap();
    let me = app.send(ApiRequest::get("/api/projects").cookie(&cookie)).await;
    assert_eq!(me.status, StatusCode::OK);

    // The same ceremony again, with the same answer: refused.
    refused(&finish(&app, &id, &credential).await);

    let list = app.send(ApiRequest::get("/api/passkeys").cookie(&person.cookie)).await;
    let items = list.body["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 1);
    assert!(items[0]["last_used_at"].is_string(), "{}", list.body);
    let passkey = items[0]["id"].as_str().unwrap();
    let renamed = app
        .send(
            ApiRequest::post(&format!("/api/passkeys/{passkey}"), json!({ "name": "Work laptop" }))
                .method(Method::PATCH)
                .cookie(&person.cookie),
        )
        .await;
    assert_eq!(renamed.body["name"], "Work laptop");
    let removed = app
        .send(
            ApiRequest::post(&format!("/api/passkeys/{passkey}"), json!({}))
                .method(Method::DELETE)
                .cookie(&person.cookie),
        )
        .await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT);
    let (id, options) = start_sign_in(&app).await;
    let credential = assert_with(&mut person, options, origin());
    refused(&finish(&app, &id, &credential).await);
    let actions: Vec<String> = app
        .state
        .store
        .list_client_audit(person.client.id, 50, None)
        .await
        .unwrap()
        .0
        .into_iter()
        .map(|e| e.action)
        .collect();
    for action in ["passkey.register", "auth.passkey_sign_in", "passkey.rename", "passkey.remove"] {
        assert!(actions.iter().any(|a| a == action), "{action} missing from {actions:?}");
    }
}

#[tokio::test]
async fn expired_foreign_and_misdirected_ceremonies_are_refused() {
    let app = spawn_app().await;
    let mut person = registered(&app, "kim").await;

    // Expired: the ceremony outlived its few minutes.
    let (id, options) = start_sign_in(&app).await;
    let mut stale = app.state.store.take_ceremony(&id).await.unwrap().unwrap();
    stale.expires_at = time::OffsetDateTime::now_utc().unix_timestamp() - 1;
    app.state.store.put_ceremony(&id, &stale).await.unwrap();
    let credential = assert_with(&mut person, options, origin());
    refused(&finish(&app, &id, &credential).await);

    // An answer to one ceremony's challenge presented for another ceremony.
    let (first, options) = start_sign_in(&app).await;
    let (second, _) = start_sign_in(&app).await;
    let credential = assert_with(&mut person, options, origin());
    refused(&finish(&app, &second, &credential).await);
    // …and the first, whose challenge it answers, still works once.
    assert_eq!(finish(&app, &first, &credential).await.status, StatusCode::OK);

    // Signed at another origin of the same host (another port), or on another site for that
    // site's relying party id (the phishing case: a browser would let evil.example ask).
    let (id, options) = start_sign_in(&app).await;
    let credential = assert_with(&mut person, options, Url::parse("https://portal.agency.example:8443").unwrap());
    refused(&finish(&app, &id, &credential).await);
    let (id, mut options) = start_sign_in(&app).await;
    options.public_key.rp_id = "evil.example".into();
    let credential = assert_with(&mut person, options, Url::parse("https://evil.example").unwrap());
    refused(&finish(&app, &id, &credential).await);

    // A ceremony id that was never issued, or is not even of our shape.
    let (_, options) = start_sign_in(&app).await;
    let credential = assert_with(&mut person, options, origin());
    refused(&finish(&app, &"A".repeat(43), &credential).await);
    refused(&finish(&app, "../../etc", &credential).await);
}

#[tokio::test]
async fn someone_without_access_cannot_sign_in_with_a_passkey_and_revoking_ends_its_sessions() {
    let app = spawn_app().await;
    let mut person = registered(&app, "lee").await;
    let (id, options) = start_sign_in(&app).await;
    let credential = assert_with(&mut person, options, origin());
    let session = finish(&app, &id, &credential).await.session_cookie().unwrap();

    // The agency switches the contact's access off: the passkey session ends, and no new one.
    let admin = app.add_admin("owner").await;
    let admin_cookie = app.sign_in(&admin.email).await;
    let path = format!("/api/admin/clients/{}/contacts/{}", person.client.id, person.contact.id);
    let off = app
        .send(ApiRequest::post(&path, json!({ "portal_enabled": false })).method(Method::PATCH).cookie(&admin_cookie))
        .await;
    assert_eq!(off.status, StatusCode::OK, "{}", off.body);
    assert_eq!(app.send(ApiRequest::get("/api/projects").cookie(&session)).await.status, StatusCode::UNAUTHORIZED);
    let (id, options) = start_sign_in(&app).await;
    let credential = assert_with(&mut person, options, origin());
    refused(&finish(&app, &id, &credential).await);
}

#[tokio::test]
async fn one_persons_passkey_cannot_pose_as_another() {
    let app = spawn_app().await;
    let mut first = registered(&app, "ana").await;
    let second = registered(&app, "ben").await;
    let (id, options) = start_sign_in(&app).await;
    let mut credential = assert_with(&mut first, options, origin());
    // Ana's signature, claiming Ben's user handle.
    let ben = uuid::Uuid::from_u128(ulid::Ulid::from_string(&second.contact.id.to_string()).unwrap().0);
    credential.response.user_handle = Some(ben.as_bytes().to_vec());
    refused(&finish(&app, &id, &credential).await);
    // Nor can Ben see, rename or remove Ana's passkey.
    let anas = app.send(ApiRequest::get("/api/passkeys").cookie(&first.cookie)).await;
    let anas = anas.body["items"][0]["id"].as_str().unwrap().to_owned();
    let bens = app.send(ApiRequest::get("/api/passkeys").cookie(&second.cookie)).await;
    assert!(!bens.body.to_string().contains(&anas));
    let path = format!("/api/passkeys/{anas}");
    let rename = ApiRequest::post(&path, json!({ "name": "mine" })).method(Method::PATCH).cookie(&second.cookie);
    assert_eq!(app.send(rename).await.status, StatusCode::NOT_FOUND);
    let remove = ApiRequest::post(&path, json!({})).method(Method::DELETE).cookie(&second.cookie);
    assert_eq!(app.send(remove).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.send(ApiRequest::get("/api/passkeys").cookie(&first.cookie)).await.body["items"][0]["name"],
        "Laptop"
    );
}

/// Signs `email` in by magic link up to the verify answer (202 when a passkey must follow).
async fn redeem_link(app: &TestApp, email: &shared::domain::EmailAddress) -> crate::helpers::TestResponse {
    let login = app.send(ApiRequest::post("/api/auth/login", json!({ "email": email.as_str() }))).await;
    assert_eq!(login.status, StatusCode::ACCEPTED);
    let token = app.latest_token(email).await;
    app.send(ApiRequest::post("/api/auth/verify", json!({ "token": token }))).await
}

#[tokio::test]
async fn with_staff_passkeys_required_a_magic_link_alone_opens_no_staff_session() {
    let app = TestApp::with_config(|config| config.staff_require_passkey = true).await;
    let admin = app.add_admin("owner").await;

    // First time: the link leads to registering a passkey; no session yet.
    let first = redeem_link(&app, &admin.email).await;
    assert_eq!(first.status, StatusCode::ACCEPTED, "{}", first.body);
    assert_eq!(first.body["second_factor"], "register");
    assert!(first.session_cookie().is_none());
    let options: CreationChallengeResponse = serde_json::from_value(first.body["options"].clone()).unwrap();
    let mut authenticator = SoftPasskey::new(true);
    let credential = authenticator.do_registration(origin(), options).unwrap();
    let body = json!({ "ceremony_id": first.body["ceremony_id"], "credential": credential });
    let enrolled = app.send(ApiRequest::post("/api/auth/passkey/enrol", body.clone())).await;
    assert_eq!(enrolled.status, StatusCode::OK, "{}", enrolled.body);
    let cookie = enrolled.session_cookie().unwrap();
    assert_eq!(app.send(ApiRequest::get("/api/admin/clients").cookie(&cookie)).await.status, StatusCode::OK);
    refused(&app.send(ApiRequest::post("/api/auth/passkey/enrol", body)).await);

    // Afterwards: the link must be followed by that passkey.
    let second = redeem_link(&app, &admin.email).await;
    assert_eq!((second.status, second.body["second_factor"].as_str()), (StatusCode::ACCEPTED, Some("passkey")));
    assert!(second.session_cookie().is_none());
    let options: RequestChallengeResponse = serde_json::from_value(second.body["options"].clone()).unwrap();
    let assertion = authenticator.do_authentication(origin(), options).unwrap();
    let body = json!({ "ceremony_id": second.body["ceremony_id"], "credential": assertion });
    let confirmed = app.send(ApiRequest::post("/api/auth/passkey/confirm", body.clone())).await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
    assert!(confirmed.session_cookie().is_some());
    refused(&app.send(ApiRequest::post("/api/auth/passkey/confirm", body)).await);

    // Another staff member's passkey does not answer this one's step.
    let other = app.add_admin("other").await;
    let step = redeem_link(&app, &other.email).await;
    let options: CreationChallengeResponse = serde_json::from_value(step.body["options"].clone()).unwrap();
    let mut theirs = SoftPasskey::new(true);
    let credential = theirs.do_registration(origin(), options).unwrap();
    let their_id = {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(credential.raw_id.as_ref() as &[u8])
    };
    let body = json!({ "ceremony_id": step.body["ceremony_id"], "credential": credential });
    assert_eq!(app.send(ApiRequest::post("/api/auth/passkey/enrol", body)).await.status, StatusCode::OK);
    let step = redeem_link(&app, &admin.email).await;
    let mut options: RequestChallengeResponse = serde_json::from_value(step.body["options"].clone()).unwrap();
    options.public_key.allow_credentials =
        serde_json::from_value(json!([{ "type": "public-key", "id": their_id }])).unwrap();
    let wrong = theirs.do_authentication(origin(), options).unwrap();
    let body = json!({ "ceremony_id": step.body["ceremony_id"], "credential": wrong });
    refused(&app.send(ApiRequest::post("/api/auth/passkey/confirm", body)).await);

    // Client contacts are never forced.
    let client = app.add_client("Acme").await;
    let contact = app.add_contact(&client, "client").await;
    let theirs = redeem_link(&app, &contact.email).await;
    assert_eq!(theirs.status, StatusCode::OK, "{}", theirs.body);
    assert!(theirs.session_cookie().is_some());
}

/// A counter lower than the one stored means a copy of the authenticator: refused and audited.
#[tokio::test]
async fn a_cloned_authenticator_is_refused_and_audited() {
    let app = spawn_app().await;
    let mut person = registered(&app, "cleo").await;
    let key = {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&person.credential_id)
    };
    let mut record = app.state.store.passkey_by_credential(&key).await.unwrap().unwrap();
    let mut stored: serde_json::Value = serde_json::from_str(&record.credential).unwrap();
    fn raise(value: &mut serde_json::Value) -> bool {
        match value {
            serde_json::Value::Object(map) => {
                if let Some(counter) = map.get_mut("counter") {
                    *counter = json!(1_000_000);
                    return true;
                }
                map.values_mut().any(raise)
            }
            _ => false,
        }
    }
    assert!(raise(&mut stored), "no counter in {stored}");
    record.credential = stored.to_string();
    app.state.store.update_passkey(&record, None).await.unwrap();

    let (id, options) = start_sign_in(&app).await;
    let credential = assert_with(&mut person, options, origin());
    refused(&finish(&app, &id, &credential).await);
    let log = app.state.store.list_client_audit(person.client.id, 50, None).await.unwrap().0;
    assert!(log.iter().any(|e| e.action == "auth.passkey_clone_suspected"), "{log:?}");
}

/// Passkey sign-in counts against the per-IP sign-in limit: answers like link requests, the
/// options every sign-in page asks for with four times the allowance.
#[tokio::test]
async fn passkey_sign_in_is_rate_limited_per_ip() {
    let app = TestApp::with_config(|config| config.login_limit_per_ip = 2).await;
    let mut person = registered(&app, "rae").await;
    clear_of_rate_window_edge().await;
    for n in 1..=8 {
        let start = app.send(ApiRequest::post("/api/auth/passkey/start", json!({})).with_ip("203.0.113.9")).await;
        assert_eq!(start.status, StatusCode::OK, "start {n}: {}", start.body);
    }
    let over = app.send(ApiRequest::post("/api/auth/passkey/start", json!({})).with_ip("203.0.113.9")).await;
    assert_eq!((over.status, over.error_code()), (StatusCode::TOO_MANY_REQUESTS, "rate_limited"));
    assert!(over.header("retry-after").is_some());
    // Answers: two, then refused even with a good one.
    let (id, options) = start_sign_in(&app).await;
    let credential = assert_with(&mut person, options, origin());
    let body = json!({ "ceremony_id": id, "credential": credential });
    for _ in 0..2 {
        let wrong = json!({ "ceremony_id": "A".repeat(43), "credential": credential });
        let refused = app.send(ApiRequest::post("/api/auth/passkey/finish", wrong).with_ip("198.51.100.7")).await;
        assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    }
    let limited = app.send(ApiRequest::post("/api/auth/passkey/finish", body).with_ip("198.51.100.7")).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS, "{}", limited.body);
}

/// While `STAFF_REQUIRE_PASSKEY` is on, a staff member cannot remove their last passkey (mail
/// alone would then enrol a new one), not even with two removals at once; an owner who resets
/// a lost one does it for someone else, audited, and the next link registers a new passkey.
#[tokio::test]
async fn with_staff_passkeys_required_the_last_passkey_stays_and_an_owner_resets_a_lost_one() {
    let app = TestApp::with_config(|config| config.staff_require_passkey = true).await;
    let owner = app.add_admin("boss").await;
    let staff = app.add_staff("pat", shared::domain::StaffRole::Member).await;
    // Each enrols through their first link; `pat` adds a second passkey.
    let enrol = |email: shared::domain::EmailAddress| {
        let app = &app;
        async move {
            let step = redeem_link(app, &email).await;
            let options: CreationChallengeResponse = serde_json::from_value(step.body["options"].clone()).unwrap();
            let mut authenticator = SoftPasskey::new(true);
            let credential = authenticator.do_registration(origin(), options).unwrap();
            let body = json!({ "ceremony_id": step.body["ceremony_id"], "credential": credential });
            let enrolled = app.send(ApiRequest::post("/api/auth/passkey/enrol", body)).await;
            assert_eq!(enrolled.status, StatusCode::OK, "{}", enrolled.body);
            enrolled.session_cookie().unwrap()
        }
    };
    let owner_cookie = enrol(owner.email.clone()).await;
    let cookie = enrol(staff.email.clone()).await;
    let start = app.send(ApiRequest::post("/api/passkeys/register/start", json!({})).cookie(&cookie)).await;
    let options: CreationChallengeResponse = serde_json::from_value(start.body["options"].clone()).unwrap();
    let credential = SoftPasskey::new(true).do_registration(origin(), options).unwrap();
    let body = json!({ "ceremony_id": start.body["ceremony_id"], "name": "Phone", "credential": credential });
    let second = app.send(ApiRequest::post("/api/passkeys/register/finish", body).cookie(&cookie)).await;
    assert_eq!(second.status, StatusCode::CREATED, "{}", second.body);

    // Both at once: one goes, the other is refused (the last stays).
    let listed = app.send(ApiRequest::get("/api/passkeys").cookie(&cookie)).await;
    let ids: Vec<String> =
        listed.body["items"].as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap().to_owned()).collect();
    assert_eq!(ids.len(), 2, "{}", listed.body);
    let remove =
        |id: &str| app.send(ApiRequest::get(&format!("/api/passkeys/{id}")).method(Method::DELETE).cookie(&cookie));
    let (a, b) = tokio::join!(remove(&ids[0]), remove(&ids[1]));
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::NO_CONTENT, StatusCode::CONFLICT], "{} / {}", a.body, b.body);
    let left = app.state.store.passkeys_now(&staff.id.to_string()).await.unwrap();
    assert_eq!(left.len(), 1);
    let last = remove(&left[0].id.to_string()).await;
    assert_eq!((last.status, last.error_code()), (StatusCode::CONFLICT, "last_passkey"), "{}", last.body);

    // Lost it: a member cannot reset anyone, an owner cannot reset their own; an owner resets pat.
    let path = format!("/api/admin/staff/{}/passkeys/reset", staff.id);
    assert_eq!(app.send(ApiRequest::post(&path, json!({})).cookie(&cookie)).await.status, StatusCode::FORBIDDEN);
    let own = app
        .send(
            ApiRequest::post(&format!("/api/admin/staff/{}/passkeys/reset", owner.id), json!({})).cookie(&owner_cookie),
        )
        .await;
    assert_eq!((own.status, own.error_code()), (StatusCode::CONFLICT, "own_passkeys"));
    let reset = app.send(ApiRequest::post(&path, json!({})).cookie(&owner_cookie)).await;
    assert_eq!(reset.status, StatusCode::OK, "{}", reset.body);
    assert_eq!(reset.body["passkeys_removed"], 1);
    assert_eq!(
        app.send(ApiRequest::get("/api/me").cookie(&cookie)).await.status,
        StatusCode::UNAUTHORIZED,
        "their sessions ended"
    );
    let log = app.send(ApiRequest::get("/api/admin/audit?limit=50").cookie(&owner_cookie)).await;
    assert!(log.body.to_string().contains("admin.passkeys_reset"), "{}", log.body);
    // Their next link registers a new passkey.
    let step = redeem_link(&app, &staff.email).await;
    assert_eq!(step.body["second_factor"], "register", "{}", step.body);
}
