//! The route table in `template.yaml` is the truth: every route reaches a handler, every
//! function has a router, and protected routes refuse anonymous callers.

use http::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{ApiRequest, route_for, spawn_app, template_routes};
use shared::app::function_router;

/// Routes anyone may call.
const PUBLIC: [&str; 9] = [
    // What every page (the sign-in page too) is branded with.
    "/api/branding",
    "/api/branding/logo",
    // The signed link is the credential (RFC 8058 one-click unsubscribe, no session).
    "/api/notifications/unsubscribe",
    "/api/auth/login",
    "/api/auth/verify",
    "/api/auth/passkey/start",
    "/api/auth/passkey/finish",
    "/api/auth/passkey/enrol",
    "/api/auth/passkey/confirm",
];

/// The functions started by a schedule or SNS rather than by HTTP requests.
const EVENT_FUNCTIONS: [&str; 2] = ["mail-events", "notify-drain"];

fn concrete(path: &str) -> String {
    path.split('/')
        .map(|segment| if segment.starts_with('{') { ulid::Ulid::new().to_string() } else { segment.to_owned() })
        .collect::<Vec<_>>()
        .join("/")
}

fn request_for(method: &str, path: &str) -> ApiRequest {
    let method: Method = method.parse().unwrap();
    let path = concrete(path);
    if method == Method::GET { ApiRequest::get(&path) } else { ApiRequest::post(&path, json!({})).method(method) }
}

/// The template's functions, the `functions/` crates and the routers are the same set, and each
/// function's `main` serves the router of its own name.
#[test]
fn every_function_in_the_template_is_a_crate_serving_its_own_router() {
    let routes = template_routes();
    let mut in_template: Vec<&str> = routes.iter().map(|r| r.function.as_str()).collect();
    in_template.sort_unstable();
    in_template.dedup();
    let root = crate::helpers::workspace_root();
    let mut crates: Vec<String> = std::fs::read_dir(root.join("functions"))
        .unwrap()
        .flatten()
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    crates.sort_unstable();
    // Functions run by events, not HTTP: each is in the template with its own binary.
    let template = std::fs::read_to_string(root.join("template.yaml")).unwrap();
    for function in EVENT_FUNCTIONS {
        assert!(template.contains(&format!("Binary: {function}\n")), "{function} is not in template.yaml");
        assert!(function_router(function).is_none(), "{function} serves no HTTP routes");
    }
    crates.retain(|name| !EVENT_FUNCTIONS.contains(&name.as_str()));
    assert_eq!(in_template, crates, "template.yaml functions vs functions/ crates");
    for function in crates {
        assert!(function_router(&function).is_some(), "no router for {function}");
        let main = std::fs::read_to_string(root.join(format!("functions/{function}/src/main.rs"))).unwrap();
        assert!(main.contains(&format!("::routes::{function})")), "functions/{function} serves another router: {main}");
    }
    assert!(function_router("no-such-function").is_none());
    assert_eq!(routes.iter().filter(|r| r.path == "$default").count(), 1);
}

#[test]
fn a_path_belongs_to_one_function() {
    // The dev gateway routes by path alone, as API Gateway effectively does for us.
    let routes = template_routes();
    for a in routes {
        for b in routes {
            if a.path == b.path {
                assert_eq!(a.function, b.function, "{} is split across functions", a.path);
            }
        }
    }
}

#[tokio::test]
async fn every_route_reaches_its_handler() {
    let app = spawn_app().await;
    // The logo route answers 404 until there is a logo: give it one.
    let logo = shared::store::StoredLogo { version: "v1".into(), png: vec![0x89, b'P', b'N', b'G'] };
    let branding = shared::domain::Branding {
        logo_version: Some("v1".into()),
        revision: 1,
        ..shared::domain::Branding::default_named("Routes")
    };
    let audit = shared::domain::AuditEvent::new(None, "test".into(), "branding.logo", "setup".into());
    app.state.store.save_branding(&branding, Some(Some(&logo)), &audit).await.unwrap();
    for route in template_routes().iter().filter(|r| r.path != "$default") {
        let request = request_for(&route.method, &route.path);
        assert_eq!(route_for(&request.method, &request.path).function, route.function);
        let response = app.send(request).await;
        assert!(
            response.status != StatusCode::NOT_FOUND && response.status != StatusCode::METHOD_NOT_ALLOWED,
            "{} {} fell through to {}",
            route.method,
            route.path,
            response.status
        );
        // Without a session or a body every route refuses, except starting a passkey sign-in
        // and the branding, which need neither.
        let needs_nothing =
            ["/api/auth/passkey/start", "/api/branding", "/api/branding/logo"].contains(&route.path.as_str());
        assert!(
            response.status.is_client_error() || (needs_nothing && response.status.is_success()),
            "{} {} gave {}",
            route.method,
            route.path,
            response.status
        );
    }
}

#[tokio::test]
async fn every_protected_route_needs_a_session() {
    let app = spawn_app().await;
    for route in template_routes().iter().filter(|r| r.path != "$default" && !PUBLIC.contains(&r.path.as_str())) {
        let response = app.send(request_for(&route.method, &route.path)).await;
        assert_eq!(response.status, StatusCode::UNAUTHORIZED, "{} {}", route.method, route.path);
        assert_eq!(response.error_code(), "unauthenticated");
    }
}

#[test]
fn openapi_describes_exactly_the_template_routes() {
    let text = std::fs::read_to_string(crate::helpers::workspace_root().join("openapi.yaml")).unwrap();
    let spec: serde_json::Value = serde_norway::from_str(&text).unwrap();
    assert!(spec["openapi"].as_str().unwrap().starts_with("3.1"), "OpenAPI 3.1 expected");
    let mut documented = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            documented.push(format!("{} {path}", method.to_uppercase()));
            let operation = &item[method];
            assert!(
                operation["responses"].as_object().is_some_and(|r| !r.is_empty()),
                "{method} {path} has no responses"
            );
        }
    }
    for route in template_routes().iter().filter(|r| r.path != "$default") {
        let key = format!("{} {}", route.method, route.path);
        assert!(documented.contains(&key), "{key} is routed in template.yaml but missing from openapi.yaml");
    }
    for key in &documented {
        assert!(
            template_routes().iter().any(|r| format!("{} {}", r.method, r.path) == *key),
            "{key} is documented in openapi.yaml but not routed in template.yaml"
        );
    }
    assert!(spec["components"]["schemas"]["Error"]["properties"]["error"]["required"].as_array().unwrap().len() == 2);
}
