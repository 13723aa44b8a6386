//! Passkeys, driven by a software authenticator (`webauthn-authenticator-rs`'s soft passkey)
//! against the real routes and the emulator: registration, sign-in, and every way a ceremony
//! must be refused.
//!
//! The soft passkey keeps no discoverable (resident) credentials: for a sign-in it is told the
//! credential to use (`allow_credentials`) and its answer gets the user handle a discoverable
//! authenticator returns beside the signature (the handle is not signed; the server checks it
//! against the stored passkey's owner).

use http::{Method, StatusCode};
use serde_json::json;
use url::Url;
use webauthn_authenticator_rs::WebauthnAuthenticator;
use webauthn_authenticator_rs::softpasskey::SoftPasskey;
use webauthn_rs::prelude::{CreationChallengeResponse, PublicKeyCredential, RequestChallengeResponse};

use crate::helpers::{ApiRequest, PUBLIC_URL, TestApp, spawn_app};

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
}
