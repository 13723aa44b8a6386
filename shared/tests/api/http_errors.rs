//! Bad input gets a clear JSON error with the right 4xx; a dead database gets a quick 503.

use std::time::{Duration, Instant};

use http::{Method, StatusCode};
use serde_json::json;
use shared::AppState;

use crate::helpers::{self, ApiRequest, TestResponse, spawn_app};

fn assert_json_error(response: &TestResponse, status: StatusCode, code: &str) {
    assert_eq!(response.status, status, "body: {}", String::from_utf8_lossy(&response.raw));
    assert_eq!(response.error_code(), code);
    assert!(response.body["error"]["message"].as_str().is_some_and(|m| !m.is_empty()));
    assert_eq!(response.header("content-type"), Some("application/json"));
    assert_eq!(response.header("cache-control"), Some("no-store"));
}

#[tokio::test]
async fn malformed_json_is_400() {
    let app = spawn_app().await;
    let response =
        app.send(ApiRequest::post_raw("/api/auth/login", "application/json", b"{\"email\": ".to_vec())).await;
    assert_json_error(&response, StatusCode::BAD_REQUEST, "invalid_json");
}

#[tokio::test]
async fn missing_or_mistyped_fields_are_400() {
    let app = spawn_app().await;
    // Not an object: serde would read a struct from an array, so `["a@example.com"]` once
    // passed as `{"email": …}`.
    for body in [json!({}), json!({ "email": 42 }), json!("email"), json!(null), json!(["a@example.com"]), json!([])] {
        let response = app.send(ApiRequest::post("/api/auth/login", body.clone())).await;
        assert_json_error(&response, StatusCode::BAD_REQUEST, "invalid_request");
    }
    let response = app.send(ApiRequest::post("/api/auth/verify", json!({ "tokne": "x" }))).await;
    assert_json_error(&response, StatusCode::BAD_REQUEST, "invalid_request");
}

#[tokio::test]
async fn non_json_content_types_are_415() {
    let app = spawn_app().await;
    let body = br#"{"email":"a@b.example"}"#.to_vec();
    for content_type in ["text/plain", "multipart/form-data; boundary=x", "application/xml"] {
        let response = app.send(ApiRequest::post_raw("/api/auth/login", content_type, body.clone())).await;
        assert_json_error(&response, StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type");
    }
}

#[tokio::test]
async fn curl_style_posts_are_read_as_json() {
    // `curl -d '{…}'` sends application/x-www-form-urlencoded; no header at all is fine too.
    let app = spawn_app().await;
    let body = br#"{"email":"a@b.example"}"#.to_vec();
    let form =
        app.send(ApiRequest::post_raw("/api/auth/login", "application/x-www-form-urlencoded", body.clone())).await;
    assert_eq!(form.status, StatusCode::ACCEPTED);
    let mut bare = ApiRequest::post_raw("/api/auth/login", "application/json; charset=utf-8", body.clone());
    assert_eq!(app.send(bare).await.status, StatusCode::ACCEPTED);
    bare = ApiRequest::post_raw("/api/auth/login", "application/json", body);
    bare.headers.clear();
    assert_eq!(app.send(bare).await.status, StatusCode::ACCEPTED);
    // …but a form body is still not JSON.
    let real_form =
        ApiRequest::post_raw("/api/auth/login", "application/x-www-form-urlencoded", b"email=a%40b.example".to_vec());
    assert_json_error(&app.send(real_form).await, StatusCode::BAD_REQUEST, "invalid_json");
}

#[tokio::test]
async fn empty_body_is_400() {
    let app = spawn_app().await;
    let response = app.send(ApiRequest::post_raw("/api/auth/login", "application/json", vec![])).await;
    assert_json_error(&response, StatusCode::BAD_REQUEST, "invalid_json");
}

#[tokio::test]
async fn oversized_body_is_413() {
    let app = spawn_app().await;
    let huge = json!({ "email": format!("{}@example.com", "a".repeat(20_000)) });
    let response = app.send(ApiRequest::post("/api/auth/login", huge)).await;
    assert_json_error(&response, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
}

#[tokio::test]
async fn wrong_method_is_405_and_unknown_path_is_404() {
    let app = spawn_app().await;
    // The function owning a path answers other methods with 405.
    let login = shared::app::router(shared::auth::routes::login, app.state.clone());
    let response = app.send_to(login, ApiRequest::get("/api/auth/login")).await;
    assert_json_error(&response, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
    // Through API Gateway an unrouted method lands on $default (the session function), which
    // answers 405 for its own paths and a JSON 404 for everything else.
    let response = app.send(ApiRequest::get("/api/me").method(Method::DELETE)).await;
    assert_json_error(&response, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
    let response = app.send(ApiRequest::get("/api/auth/login")).await;
    assert_json_error(&response, StatusCode::NOT_FOUND, "not_found");
    let response = app.send(ApiRequest::get("/api/nothing-here")).await;
    assert_json_error(&response, StatusCode::NOT_FOUND, "not_found");
    let response = app.send(ApiRequest::get("/")).await;
    assert_json_error(&response, StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn database_outage_is_a_quick_503() {
    // Nothing listens on port 9 (discard) of loopback in the test environment.
    let sdk = helpers::sdk_config("http://127.0.0.1:9").await;
    let app = spawn_app().await;
    let broken = AppState::new((*app.state.config).clone(), &sdk);
    let started = Instant::now();
    let response = app
        .send_to(
            shared::app::router(shared::auth::routes::login, broken.clone()),
            ApiRequest::post("/api/auth/login", json!({ "email": "a@b.example" })),
        )
        .await;
    assert_json_error(&response, StatusCode::SERVICE_UNAVAILABLE, "service_unavailable");
    let cookie = "portal_session=x.y.z";
    let me = app
        .send_to(shared::app::router(shared::auth::routes::session, broken), ApiRequest::get("/api/me").cookie(cookie))
        .await;
    assert_eq!(me.status, StatusCode::UNAUTHORIZED, "a bad cookie is refused before any database call");
    assert!(started.elapsed() < Duration::from_secs(6), "took {:?}", started.elapsed());
}

#[tokio::test]
async fn database_outage_on_an_authenticated_route_is_503() {
    let app = spawn_app().await;
    let tenant = app.tenant("Acme").await;
    let cookie = app.sign_in(&tenant.contact.email).await;
    let sdk = helpers::sdk_config("http://127.0.0.1:9").await;
    let broken = AppState::new((*app.state.config).clone(), &sdk);
    let started = Instant::now();
    for (router, path) in [
        (shared::app::router(shared::portal::routes::dashboard, broken.clone()), "/api/dashboard".to_owned()),
        (
            shared::app::router(shared::portal::routes::projects, broken.clone()),
            format!("/api/projects/{}", tenant.project.id),
        ),
        (shared::app::router(shared::portal::routes::messages, broken.clone()), "/api/messages".to_owned()),
    ] {
        let response = app.send_to(router, ApiRequest::get(&path).cookie(&cookie)).await;
        assert_json_error(&response, StatusCode::SERVICE_UNAVAILABLE, "service_unavailable");
    }
    assert!(started.elapsed() < Duration::from_secs(10), "took {:?}", started.elapsed());
}

/// Header bytes outside ASCII (legal in HTTP as obs-text) reach the function as they are; a
/// session cookie that is not text is no session, never a crash.
#[tokio::test]
async fn non_ascii_cookie_bytes_are_401() {
    let app = spawn_app().await;
    let mut request = ApiRequest::get("/api/messages");
    request.headers.push((http::header::COOKIE, http::HeaderValue::from_bytes(b"portal_session=\xe9\xff").unwrap()));
    let response = app.send(request).await;
    assert_json_error(&response, StatusCode::UNAUTHORIZED, "unauthenticated");
}

#[tokio::test]
async fn non_utf8_body_is_400() {
    let app = spawn_app().await;
    for path in ["/api/auth/login", "/api/auth/verify"] {
        let response = app.send(ApiRequest::post_raw(path, "application/json", vec![0xff, 0xfe, 0x29])).await;
        assert_json_error(&response, StatusCode::BAD_REQUEST, "invalid_json");
    }
}
