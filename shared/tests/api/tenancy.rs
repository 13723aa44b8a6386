//! The tenant matrix. For every route in `template.yaml` (read from there, so a new route cannot
//! be forgotten): a contact of client A using client B's ids in every path parameter gets 404
//! and none of B's data; B's cursors get 400; B's ids in a body change nothing of B's; an admin
//! session on a client-only route gets 403.

use http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{ApiRequest, Route, Tenant, TestApp, TestResponse, template_routes};

/// Routes that are not about one tenant's data.
const NOT_TENANT_ROUTES: [&str; 6] =
    ["/api/auth/login", "/api/auth/verify", "/api/me", "/api/auth/logout", "/api/branding", "/api/branding/logo"];

/// A person's own passkeys and passkey sign-in, and their own bell and notification
/// preferences: not a company's data (`api::passkeys` checks that one person's passkey ids
/// mean nothing to another; `api::notifications` that one person's bell is theirs alone).
fn personal(path: &str) -> bool {
    path.starts_with("/api/passkeys")
        || path.starts_with("/api/auth/passkey/")
        || path.starts_with("/api/notifications")
}

fn tenant_routes() -> Vec<&'static Route> {
    // Admin routes are not tenant-scoped by the session; they are covered by the 403 test below.
    template_routes()
        .iter()
        .filter(|r| {
            r.path != "$default"
                && !NOT_TENANT_ROUTES.contains(&r.path.as_str())
                && !r.path.starts_with("/api/admin/")
                && !personal(&r.path)
        })
        .collect()
}

pub(crate) fn params(route: &Route) -> Vec<String> {
    route
        .path
        .split('/')
        .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .map(str::to_owned)
        .collect()
}

/// The id `route` takes for `param`, of `tenant`'s things. Files in states a route needs:
/// completing takes an upload whose parts have all arrived, agency routes the agency's uploads,
/// marking done the request kept for it, removing a request's file the second one.
pub(crate) fn id_of(route: &Route, tenant: &Tenant, param: &str) -> String {
    let files = &tenant.files;
    let staff = route.path.starts_with("/api/admin/");
    let completes = route.path.ends_with("/complete");
    match param {
        "uploadId" => match (staff, completes) {
            (false, false) => files.upload,
            (false, true) => files.ready_upload,
            (true, false) => files.staff_upload,
            (true, true) => files.staff_ready_upload,
        }
        .to_string(),
        "requestId" if route.path.ends_with("/submit") => files.submittable.id.to_string(),
        "requestId" => files.request.id.to_string(),
        "fileId" if route.path.contains("/requests/") && route.method == "DELETE" => {
            files.request.files[1].id.to_string()
        }
        "fileId" if route.path.contains("/requests/") => files.request.files[0].id.to_string(),
        "fileId" => files.shared_file.id.to_string(),
        "contactId" => tenant.contact.id.to_string(),
        // A contact's address (not on the suppression list: clearing it is a 404 for owners).
        "email" => tenant.contact.email.to_string(),
        "projectId" => tenant.project.id.to_string(),
        "deliverableId" => tenant.deliverable.id.to_string(),
        "noteId" => tenant.note.id.to_string(),
        "invoiceId" => tenant.invoice_id.to_string(),
        "estimateId" if route.path.ends_with("/decline") => tenant.estimate_to_decline.to_string(),
        "estimateId" => tenant.estimate_id.to_string(),
        other => panic!("the tenant matrix does not know path parameter {{{other}}}: add it here"),
    }
}

/// Fills the path with ids, each taken from `owner(param)`.
pub(crate) fn fill(route: &Route, owner: impl Fn(&str) -> String) -> String {
    route
        .path
        .split('/')
        .map(|segment| match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(param) => owner(param),
            None => segment.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// A valid body for each state-changing route, carrying the *other* tenant's ids in every
/// field a careless handler might trust.
pub(crate) fn body_for(route: &Route, foreign: &Tenant) -> Value {
    let mut body = match route.path.as_str() {
        "/api/team" => {
            json!({ "name": "Matrix Colleague", "email": format!("colleague-{}@matrix.example", ulid::Ulid::new()) })
        }
        "/api/team/{contactId}" => json!({ "invoice_access": true }),
        "/api/team/{contactId}/invite" => json!({}),
        "/api/projects/{projectId}/deliverables/{deliverableId}/review" => {
            json!({ "decision": "approved", "comment": "ok" })
        }
        "/api/messages" => json!({ "body": "hello from the matrix" }),
        // The destination names the other company's project: that is 404, and nothing starts.
        "/api/uploads" => json!({
            "destination": { "kind": "project", "project_id": foreign.project.id.to_string() },
            "filename": "matrix.pdf", "content_type": "application/pdf", "size": 10
        }),
        "/api/uploads/{uploadId}/parts" => json!({ "numbers": [1] }),
        "/api/uploads/{uploadId}/complete" | "/api/uploads/{uploadId}" => json!({}),
        "/api/requests/{requestId}/submit" => json!({ "note": "All here" }),
        "/api/requests/{requestId}/files/{fileId}" | "/api/projects/{projectId}/files/{fileId}" => json!({}),
        "/api/messages/read" | "/api/notifications/read" => json!({}),
        // Ids the matrix adds are unknown fields here: 400, which the role matrix counts as let in.
        "/api/notifications/preferences" => json!({ "topics": { "messages": "daily" } }),
        "/api/estimates/{estimateId}/accept" => json!({}),
        "/api/estimates/{estimateId}/decline" => json!({ "comment": "Not this quarter" }),
        other => panic!("the tenant matrix has no body for POST {other}: add one here"),
    };
    let foreign_ids = json!({
        "client_id": foreign.client.id.to_string(),
        "clientId": foreign.client.id.to_string(),
        "contact_id": foreign.contact.id.to_string(),
        "project_id": foreign.project.id.to_string(),
    });
    for (key, value) in foreign_ids.as_object().unwrap() {
        body[key] = value.clone();
    }
    body
}

fn request(route: &Route, path: &str, cookie: &str, foreign: &Tenant) -> ApiRequest {
    let method: Method = route.method.parse().unwrap();
    let request = if method == Method::GET {
        ApiRequest::get(path)
    } else {
        ApiRequest::post(path, body_for(route, foreign)).method(method)
    };
    request.cookie(cookie)
}

pub(crate) fn assert_no_data_of(response: &TestResponse, other: &Tenant, context: &str) {
    let text = String::from_utf8_lossy(&response.raw);
    for secret in [
        other.client.id.to_string(),
        other.project.id.to_string(),
        other.project.name.clone(),
        other.deliverable.id.to_string(),
        other.note.id.to_string(),
        format!("\"id\":{}", other.invoice_id),
        format!("\"id\":{}", other.estimate_id),
        format!("\"id\":{}", other.estimate_to_decline),
        other.contact.name.clone(),
        "B-only message".to_owned(),
    ] {
        assert!(!text.contains(&secret), "{context}: response reveals {secret}: {text}");
    }
}

struct Matrix {
    // Kept alive for the test's duration: the portal's Harvest.
    _harvest: devkit::fake_harvest::FakeHarvest,
    app: TestApp,
    a: Tenant,
    b: Tenant,
    a_cookie: String,
    b_cookie: String,
}

async fn matrix() -> Matrix {
    let fake = devkit::fake_harvest::FakeHarvest::start().await;
    let app = TestApp::with_harvest(&fake).await;
    let mut a = app.tenant("Alpha").await;
    let mut b = app.tenant("Bravo").await;
    app.link_tenant_to_harvest(&mut a, &fake, 4101).await;
    app.link_tenant_to_harvest(&mut b, &fake, 4202).await;
    for n in 0..3 {
        app.agency_message(&b, &format!("B-only message {n}")).await;
    }
    let a_cookie = app.sign_in(&a.contact.email).await;
    let b_cookie = app.sign_in(&b.contact.email).await;
    Matrix { _harvest: fake, app, a, b, a_cookie, b_cookie }
}

#[tokio::test]
async fn foreign_ids_in_any_path_parameter_are_404() {
    let m = matrix().await;
    let mut routes: Vec<_> = tenant_routes().into_iter().filter(|r| !params(r).is_empty()).collect();
    assert!(routes.len() >= 4, "{routes:?}");
    // Deletions last: they remove what other routes name.
    routes.sort_by_key(|r| r.method == "DELETE");
    for route in routes {
        let own = fill(route, |p| id_of(route, &m.a, p));
        let response = m.app.send(request(route, &own, &m.a_cookie, &m.b)).await;
        assert!(
            response.status.is_success(),
            "{} {own} with A's own ids gave {}: {}",
            route.method,
            response.status,
            response.body
        );
        assert_no_data_of(&response, &m.b, &route.path);

        // B's id in each parameter in turn, then in all of them.
        let names = params(route);
        let mut variants: Vec<Vec<bool>> =
            (0..names.len()).map(|i| (0..names.len()).map(|j| i == j).collect()).collect();
        variants.push(vec![true; names.len()]);
        for foreign_mask in variants {
            let path = fill(route, |p| {
                let index = names.iter().position(|n| n == p).unwrap();
                if foreign_mask[index] { id_of(route, &m.b, p) } else { id_of(route, &m.a, p) }
            });
            let response = m.app.send(request(route, &path, &m.a_cookie, &m.b)).await;
            assert_eq!(response.status, StatusCode::NOT_FOUND, "{} {path}: {}", route.method, response.body);
            assert_eq!(response.error_code(), "not_found");
            assert_no_data_of(&response, &m.b, &path);
        }
    }
    // B's deliverable was never reviewed through A's session.
    let b_deliverable =
        m.app.state.store.get_deliverable(m.b.client.id, m.b.project.id, m.b.deliverable.id).await.unwrap().unwrap();
    assert!(b_deliverable.reviews.is_empty());
}

#[tokio::test]
async fn foreign_cursors_are_400() {
    let m = matrix().await;
    let lists: Vec<_> = tenant_routes().into_iter().filter(|r| r.method == "GET" && params(r).is_empty()).collect();
    let mut checked = 0;
    for route in lists {
        let b_page = m.app.send(ApiRequest::get(&format!("{}?limit=1", route.path)).cookie(&m.b_cookie)).await;
        let Some(cursor) = b_page.body["next_cursor"].as_str() else { continue };
        checked += 1;
        let response =
            m.app.send(ApiRequest::get(&format!("{}?cursor={cursor}", route.path)).cookie(&m.a_cookie)).await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{}: {}", route.path, response.body);
        assert_eq!(response.error_code(), "invalid_cursor");
        assert_no_data_of(&response, &m.b, &route.path);
    }
    assert!(checked >= 3, "projects, messages and activity must all have been checked, got {checked}");
}

#[tokio::test]
async fn lists_and_bodies_never_reach_the_other_tenant() {
    let m = matrix().await;
    let b_before = partition(&m.app, &m.b).await;
    for route in tenant_routes().into_iter().filter(|r| params(r).is_empty()) {
        let response = m.app.send(request(route, &route.path, &m.a_cookie, &m.b)).await;
        if route.path == "/api/uploads" {
            // An upload into B's project: B's project does not exist for A.
            assert_eq!(response.status, StatusCode::NOT_FOUND, "{}", response.body);
        } else {
            assert!(response.status.is_success(), "{} {}: {}", route.method, route.path, response.body);
        }
        assert_no_data_of(&response, &m.b, &route.path);
    }
    assert_eq!(partition(&m.app, &m.b).await, b_before, "a request of A's changed B's partition");
    // The POSTed message landed in A's thread only, whatever ids the body carried.
    let b_thread = m.app.send(ApiRequest::get("/api/messages").cookie(&m.b_cookie)).await;
    assert!(!b_thread.raw.windows(21).any(|w| w == b"hello from the matrix"));
    let a_thread = m.app.send(ApiRequest::get("/api/messages").cookie(&m.a_cookie)).await;
    assert_eq!(a_thread.body["items"][0]["body"], "hello from the matrix");
}

#[tokio::test]
async fn admins_get_403_on_client_routes() {
    let m = matrix().await;
    let admin = m.app.add_admin("staff").await;
    let cookie = m.app.sign_in(&admin.email).await;
    for route in tenant_routes() {
        let path = fill(route, |p| id_of(route, &m.a, p));
        let response = m.app.send(request(route, &path, &cookie, &m.b)).await;
        assert_eq!(response.status, StatusCode::FORBIDDEN, "{} {}", route.method, route.path);
        assert_eq!(response.error_code(), "forbidden");
    }
}

#[tokio::test]
async fn client_contacts_get_403_on_every_admin_route() {
    let m = matrix().await;
    let admin_routes: Vec<_> = template_routes().iter().filter(|r| r.path.starts_with("/api/admin/")).collect();
    assert!(admin_routes.len() >= 20, "{admin_routes:?}");
    for route in admin_routes {
        // Real ids of the contact's own client where the route takes them: still 403.
        let path = fill(route, |p| match p {
            "clientId" => m.a.client.id.to_string(),
            "projectId" => m.a.project.id.to_string(),
            "deliverableId" => m.a.deliverable.id.to_string(),
            "noteId" => m.a.note.id.to_string(),
            "contactId" => m.a.contact.id.to_string(),
            _ => ulid::Ulid::new().to_string(),
        });
        let method: Method = route.method.parse().unwrap();
        let request = if method == Method::GET {
            ApiRequest::get(&path)
        } else {
            ApiRequest::post(&path, json!({})).method(method)
        };
        let response = m.app.send(request.cookie(&m.a_cookie)).await;
        assert_eq!(response.status, StatusCode::FORBIDDEN, "{} {}: {}", route.method, route.path, response.body);
        assert_eq!(response.error_code(), "forbidden");
    }
}

/// Reads check the session beside the handler instead of before it (auth.rs): prove that a
/// signed-out session still gets nothing from any read, even though its JWT is valid.
#[tokio::test]
async fn a_signed_out_session_reads_nothing_on_any_route() {
    let _ = tracing_subscriber::fmt().with_test_writer().try_init();
    let m = matrix().await;
    let reads: Vec<_> = tenant_routes().into_iter().filter(|r| r.method == "GET").collect();
    assert!(reads.len() >= 8, "{reads:?}");
    let paths: Vec<String> = reads.iter().map(|route| fill(route, |p| id_of(route, &m.b, p))).collect();
    for path in &paths {
        let live = m.app.send(ApiRequest::get(path).cookie(&m.b_cookie)).await;
        assert!(live.status.is_success(), "GET {path} before sign-out: {} {}", live.status, live.body);
    }
    let out = m.app.send(ApiRequest::post("/api/auth/logout", serde_json::json!({})).cookie(&m.b_cookie)).await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    for path in &paths {
        let response = m.app.send(ApiRequest::get(path).cookie(&m.b_cookie)).await;
        assert_eq!(response.status, StatusCode::UNAUTHORIZED, "GET {path} after sign-out: {}", response.body);
        assert_eq!(response.error_code(), "unauthenticated");
        assert_no_data_of(&response, &m.b, path);
    }
}

/// Every item in a client's partition, as stored: to prove a request changed nothing there.
pub(crate) async fn partition(app: &TestApp, tenant: &Tenant) -> Vec<String> {
    items_under(app, &format!("CLIENT#{}", tenant.client.id)).await
}

/// An item as text, maps and sets sorted, so equal items print equally.
fn canonical_item(item: &std::collections::HashMap<String, aws_sdk_dynamodb::types::AttributeValue>) -> String {
    use aws_sdk_dynamodb::types::AttributeValue as A;
    fn value(v: &A) -> String {
        match v {
            A::M(map) => canonical_item(map),
            A::L(list) => format!("[{}]", list.iter().map(value).collect::<Vec<_>>().join(",")),
            A::Ss(set) | A::Ns(set) => {
                let mut set = set.clone();
                set.sort();
                format!("{set:?}")
            }
            other => format!("{other:?}"),
        }
    }
    let mut fields: Vec<String> = item.iter().map(|(k, v)| format!("{k}={}", value(v))).collect();
    fields.sort();
    format!("{{{}}}", fields.join(","))
}

/// Every item in a partition, as stored, as sorted lines.
pub(crate) async fn items_under(app: &TestApp, pk: &str) -> Vec<String> {
    let output = app
        .state
        .store
        .client()
        .query()
        .table_name(app.state.store.table_name())
        .key_condition_expression("PK = :pk")
        .expression_attribute_values(":pk", aws_sdk_dynamodb::types::AttributeValue::S(pk.to_owned()))
        .consistent_read(true)
        .send()
        .await
        .unwrap();
    let mut items: Vec<String> = output.items().iter().map(canonical_item).collect();
    items.sort();
    items
}

fn admin_id_of(route: &Route, tenant: &Tenant, param: &str) -> String {
    match param {
        "clientId" => tenant.client.id.to_string(),
        "contactId" => tenant.contact.id.to_string(),
        "milestoneId" => tenant.overdue_milestone.id.to_string(),
        "noteId" => tenant.note.id.to_string(),
        other => id_of(route, tenant, other),
    }
}

/// A valid body for each state-changing admin route that names more than the client.
pub(crate) fn admin_body_for(route: &Route) -> Value {
    let path = route.path.trim_start_matches("/api/admin/clients/{clientId}");
    match (route.method.as_str(), path) {
        ("DELETE", _) | ("POST", "/contacts/{contactId}/revoke" | "/contacts/{contactId}/invite") => json!({}),
        ("POST", "/projects/{projectId}/deliverables/{deliverableId}/deliver") => json!({}),
        ("PATCH", _) => json!({ "name": "Changed by the matrix", "title": "Changed by the matrix" }),
        ("POST", "/projects/{projectId}/milestones") => json!({ "title": "Matrix milestone" }),
        ("POST", "/projects/{projectId}/milestones/{milestoneId}/move") => json!({ "to": 0 }),
        ("POST", "/projects/{projectId}/deliverables") => json!({ "name": "Matrix deliverable" }),
        ("POST", "/projects/{projectId}/deliverables/{deliverableId}/uploads") => {
            json!({ "filename": "a.pdf", "content_type": "application/pdf", "size": 10 })
        }
        ("POST", "/projects/{projectId}/deliverables/{deliverableId}/versions") => {
            json!({ "upload_id": ulid::Ulid::new().to_string(), "filename": "a.pdf" })
        }
        ("POST", "/projects/{projectId}/notes") => {
            json!({ "title": "Matrix note", "meeting_date": "2026-01-05", "body_markdown": "x" })
        }
        ("POST", "/uploads/{uploadId}/parts") => json!({ "numbers": [1] }),
        ("POST", "/uploads/{uploadId}/complete" | "/requests/{requestId}/accept") => json!({}),
        ("POST", "/requests/{requestId}/reopen") => json!({ "note": "One more, please" }),
        // Not the contact's address: with A's own ids it is refused (422), so nobody is erased.
        ("POST", "/contacts/{contactId}/erase") => json!({ "confirm_email": "not-them@matrix.example" }),
        (method, other) => panic!("the admin matrix has no body for {method} {other}: add one here"),
    }
}

/// The agency side of the matrix: an admin naming client A with client B's project,
/// deliverable, note, milestone or contact ids (one at a time, then all) gets 404, and nothing
/// in B's partition changes. With A's own ids the same requests do reach A's data.
#[tokio::test]
async fn admin_routes_refuse_another_clients_ids_under_a_client() {
    let m = matrix().await;
    let admin = m.app.add_admin("matrix-staff").await;
    let cookie = m.app.sign_in(&admin.email).await;
    let routes: Vec<&Route> = template_routes()
        .iter()
        // Staff assignments name agency staff, not the client's data: the role matrix covers them.
        .filter(|r| r.path.starts_with("/api/admin/clients/{clientId}/") && params(r).len() >= 2)
        .filter(|r| !r.path.contains("{adminId}"))
        .collect();
    assert!(routes.len() >= 12, "{routes:?}");
    let send = |route: &Route, path: &str| {
        let method: Method = route.method.parse().unwrap();
        let request = match method {
            Method::GET => ApiRequest::get(path),
            _ => ApiRequest::post(path, admin_body_for(route)).method(method),
        };
        m.app.send(request.cookie(&cookie))
    };
    let b_before = partition(&m.app, &m.b).await;
    for route in &routes {
        let names = params(route);
        // Each id after the client's in turn from B, then all of them; and B's client with A's ids.
        let mut variants: Vec<Vec<bool>> =
            (1..names.len()).map(|i| (0..names.len()).map(|j| i == j).collect()).collect();
        variants.push((0..names.len()).map(|j| j > 0).collect());
        variants.push((0..names.len()).map(|j| j == 0).collect());
        for foreign_mask in variants {
            let path = fill(route, |p| {
                let index = names.iter().position(|n| n == p).unwrap();
                if foreign_mask[index] { admin_id_of(route, &m.b, p) } else { admin_id_of(route, &m.a, p) }
            });
            let response = send(route, &path).await;
            assert_eq!(response.status, StatusCode::NOT_FOUND, "{} {path}: {}", route.method, response.body);
            assert_eq!(response.error_code(), "not_found");
            assert_no_data_of(&response, &m.b, &path);
        }
    }
    assert_eq!(partition(&m.app, &m.b).await, b_before, "an admin request under client A changed client B");
    // The same requests with A's own ids get past the lookup (deletes last: they remove the note).
    let mut own: Vec<&&Route> = routes.iter().collect();
    own.sort_by_key(|r| r.method == "DELETE");
    for route in own {
        let path = fill(route, |p| admin_id_of(route, &m.a, p));
        let response = send(route, &path).await;
        assert!(
            response.status != StatusCode::NOT_FOUND && !response.status.is_server_error(),
            "{} {path} with A's own ids gave {}: {}",
            route.method,
            response.status,
            response.body
        );
    }
}
