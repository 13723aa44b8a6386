//! Runtime branding: the public branding every page reads, an owner changing it (contrast rule,
//! logo upload, audit), and mail using it from the next message on.

use std::io::Cursor;

use http::{Method, StatusCode};
use image::{DynamicImage, ImageFormat, RgbaImage};
use serde_json::{Value, json};
use shared::domain::StaffRole;

use crate::helpers::{ApiRequest, TestApp, TestResponse, spawn_app};

fn png(width: u32, height: u32) -> Vec<u8> {
    let image = DynamicImage::ImageRgba8(RgbaImage::from_pixel(width, height, image::Rgba([20, 80, 200, 255])));
    let mut bytes = Vec::new();
    image.write_to(&mut Cursor::new(&mut bytes), ImageFormat::Png).unwrap();
    bytes
}

fn settings(name: &str, accent: &str) -> Value {
    json!({
        "agency_name": name,
        "accent": accent,
        "support_email": "help@northwind.example",
        "footer_links": [{ "label": "Privacy", "url": "https://northwind.example/privacy" }],
    })
}

async fn owner(app: &TestApp) -> String {
    let owner = app.add_staff("brand-owner", StaffRole::Owner).await;
    app.sign_in(&owner.email).await
}

async fn upload(app: &TestApp, cookie: &str, bytes: Vec<u8>, content_type: &str) -> TestResponse {
    let request = ApiRequest::post_raw("/api/admin/branding/logo", content_type, bytes).method(Method::PUT);
    app.send(request.cookie(cookie)).await
}

#[tokio::test]
async fn before_anyone_sets_it_the_branding_is_config_defaults_and_cacheable() {
    let app = spawn_app().await;
    let response = app.send(ApiRequest::get("/api/branding")).await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.body["agency_name"], app.state.config.agency_name.as_str());
    assert_eq!(response.body["accent"], "#1d4ed8");
    assert_eq!(response.body["accent_contrast"], "6.70:1");
    assert_eq!(response.body["logo_url"], Value::Null);
    let cache = response.header("cache-control").unwrap();
    assert!(cache.starts_with("public, max-age="), "{cache}");
    let logo = app.send(ApiRequest::get("/api/branding/logo")).await;
    assert_eq!((logo.status, logo.error_code()), (StatusCode::NOT_FOUND, "not_found"));
    assert_eq!(logo.header("cache-control"), Some("no-store"), "errors are never cached");
}

#[tokio::test]
async fn an_owner_rebrands_and_pages_and_mail_use_it_at_once() {
    let app = spawn_app().await;
    let cookie = owner(&app).await;
    let saved = app
        .send(
            ApiRequest::post("/api/admin/branding", settings("Northwind & Co", "#7C2D12"))
                .method(Method::PUT)
                .cookie(&cookie),
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    assert_eq!(saved.body["accent"], "#7c2d12");
    let public = app.send(ApiRequest::get("/api/branding")).await.body;
    assert_eq!(public["agency_name"], "Northwind & Co");
    assert_eq!(public["support_email"], "help@northwind.example");
    assert_eq!(public["footer_links"][0]["url"], "https://northwind.example/privacy");
    let dark = public["accent_on_dark"].as_str().unwrap();
    assert_ne!(dark, "#7c2d12", "the dark theme gets a lighter accent");

    // The next sign-in mail: sent as the new name, in the new colour, with the footer.
    let client = app.add_client("Acme").await;
    let contact = app.add_contact(&client, "ada").await;
    let asked = app.send(ApiRequest::post("/api/auth/login", json!({ "email": contact.email.as_str() }))).await;
    assert_eq!(asked.status, StatusCode::ACCEPTED);
    let mail = app.inbox(&contact.email).await;
    let last = mail.last().unwrap();
    assert!(last.source.starts_with("\"Northwind & Co\""), "{}", last.source);
    assert_eq!(last.subject, "Your sign-in link for Northwind & Co");
    assert!(last.body.contains("#7c2d12"), "{}", last.body);
    assert!(last.body.contains("https://northwind.example/privacy"), "{}", last.body);

    let log = app.send(ApiRequest::get("/api/admin/audit").cookie(&cookie)).await.body;
    let items = log["items"].as_array().unwrap();
    let event = items.iter().find(|e| e["action"] == "branding.update").expect("audited");
    assert!(event["summary"].as_str().unwrap_or("").contains("Northwind & Co"), "{event}");
}

#[tokio::test]
async fn an_accent_below_aa_contrast_is_refused_with_its_ratio_and_nothing_changes() {
    let app = spawn_app().await;
    let cookie = owner(&app).await;
    let refused = app
        .send(ApiRequest::post("/api/admin/branding", settings("Pale", "#facc15")).method(Method::PUT).cookie(&cookie))
        .await;
    assert_eq!((refused.status, refused.error_code()), (StatusCode::UNPROCESSABLE_ENTITY, "low_contrast"));
    let message = refused.body["error"]["message"].as_str().unwrap();
    assert!(message.contains("1.53:1") && message.contains("4.5:1"), "{message}");
    for (body, code) in [
        (settings("x", "blue"), "invalid_accent"),
        (settings("", "#1d4ed8"), "invalid_field"),
        (
            json!({ "agency_name": "x", "accent": "#1d4ed8", "footer_links": [{ "label": "x", "url": "javascript:alert(1)" }] }),
            "invalid_url",
        ),
        (json!({ "agency_name": "x", "accent": "#1d4ed8", "logo": "x" }), "invalid_request"),
    ] {
        let response =
            app.send(ApiRequest::post("/api/admin/branding", body.clone()).method(Method::PUT).cookie(&cookie)).await;
        assert!(response.status.is_client_error(), "{body}: {}", response.status);
        assert_eq!(response.error_code(), code, "{body}");
    }
    let public = app.send(ApiRequest::get("/api/branding")).await.body;
    assert_eq!(public["accent"], "#1d4ed8");
}

#[tokio::test]
async fn a_logo_is_shrunk_served_with_its_version_and_svg_is_refused() {
    let app = spawn_app().await;
    let cookie = owner(&app).await;
    let saved = upload(&app, &cookie, png(1200, 300), "image/png").await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    let url = saved.body["logo_url"].as_str().unwrap().to_owned();
    assert!(url.starts_with("/api/branding/logo?v="), "{url}");
    let served = app.send(ApiRequest::get(&url)).await;
    assert_eq!(served.status, StatusCode::OK);
    assert_eq!(served.header("content-type"), Some("image/png"));
    assert_eq!(served.header("cache-control"), Some("public, max-age=31536000, immutable"));
    let image = image::load_from_memory(&served.raw).unwrap();
    assert_eq!((image.width(), image.height()), (480, 120));

    // Refused by content, whatever the declared type; the logo stays.
    let svg = br#"<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>"#.to_vec();
    let refused = upload(&app, &cookie, svg, "image/png").await;
    assert_eq!((refused.status, refused.error_code()), (StatusCode::UNPROCESSABLE_ENTITY, "unsupported_logo"));
    let as_text = upload(&app, &cookie, png(64, 64), "text/plain").await;
    assert_eq!((as_text.status, as_text.error_code()), (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type"));
    assert_eq!(upload(&app, &cookie, png(64, 64), "application/octet-stream").await.status, StatusCode::OK);
    let too_big = upload(&app, &cookie, vec![0; 3 * 1024 * 1024], "image/png").await;
    assert_eq!(too_big.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", too_big.body);
    let url = app.send(ApiRequest::get("/api/branding")).await.body["logo_url"].as_str().unwrap().to_owned();

    let removed =
        app.send(ApiRequest::post("/api/admin/branding/logo", json!({})).method(Method::DELETE).cookie(&cookie)).await;
    assert_eq!(removed.status, StatusCode::OK);
    assert_eq!(removed.body["logo_url"], Value::Null);
    assert_eq!(app.send(ApiRequest::get(&url)).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn staff_members_and_contacts_cannot_change_the_branding() {
    let app = spawn_app().await;
    let member = app.add_staff("brand-member", StaffRole::Member).await;
    let client = app.add_client("Acme").await;
    let contact = app.add_contact(&client, "ada").await;
    for cookie in [app.sign_in(&member.email).await, app.sign_in(&contact.email).await] {
        let put = app
            .send(
                ApiRequest::post("/api/admin/branding", settings("Hijack", "#000000"))
                    .method(Method::PUT)
                    .cookie(&cookie),
            )
            .await;
        assert_eq!(put.status, StatusCode::FORBIDDEN);
        assert_eq!(upload(&app, &cookie, png(64, 64), "image/png").await.status, StatusCode::FORBIDDEN);
    }
    assert_ne!(app.send(ApiRequest::get("/api/branding")).await.body["agency_name"], "Hijack");
}

/// Two owners at the same moment, one saving settings and one uploading a logo: both land.
#[tokio::test]
async fn a_settings_save_and_a_logo_upload_at_once_keep_both() {
    let app = spawn_app().await;
    let cookie = owner(&app).await;
    for round in 0..4 {
        let name = format!("Round {round}");
        let put =
            ApiRequest::post("/api/admin/branding", settings(&name, "#1d4ed8")).method(Method::PUT).cookie(&cookie);
        let (saved, uploaded) = tokio::join!(app.send(put), upload(&app, &cookie, png(64 + round, 64), "image/png"));
        assert_eq!(
            (saved.status, uploaded.status),
            (StatusCode::OK, StatusCode::OK),
            "{} {}",
            saved.body,
            uploaded.body
        );
        let public = app.send(ApiRequest::get("/api/branding")).await.body;
        assert_eq!(public["agency_name"], name.as_str(), "round {round}: the settings were lost");
        assert_eq!(public["logo_url"], uploaded.body["logo_url"], "round {round}: the logo was lost");
    }
}
