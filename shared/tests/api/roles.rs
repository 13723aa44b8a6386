//! The role matrix. For every route in `template.yaml` (read from there: a route this file has
//! no rule for fails the test), five people — a client member with invoice access, a member
//! without it, a client owner (all of client A), an agency member assigned to A but not B, and
//! an agency owner — each send the request with A's ids and with B's. Each gets exactly what
//! the rules say (README, "Roles"), and a refused request changes nothing: the partitions of A,
//! B, the agency and the member's assignments read the same after it.

use std::collections::HashSet;

use http::{Method, StatusCode};
use serde_json::{Value, json};
use shared::domain::{Admin, ContactRole, StaffRole};

use crate::helpers::{ApiRequest, Route, Tenant, TestApp, TestResponse, template_routes};
use crate::tenancy::{admin_body_for, assert_no_data_of, body_for, fill, id_of, items_under, params};

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rule {
    /// Sign-in itself: anyone, signed in or not (not sent here; `signin.rs` covers it).
    Public,
    /// Ends the caller's session (not sent here; `signin.rs` covers it).
    SignOut,
    /// Whoever is signed in.
    AnySession,
    /// The company's own portal: its contacts, all roles.
    Portal,
    /// Contacts with invoice access (owners always).
    Invoices,
    /// The company's owners.
    Team,
    /// Under `/api/admin/clients/{clientId}`: agency owners, and members assigned to the client.
    AgencyOnClient,
    /// Agency lists of clients: all staff; members see their clients' entries only.
    AgencyList,
    /// Agency-wide changes: agency owners only.
    AgencyOwner,
}

/// Every route, with its rule. Keep in step with `template.yaml` (the test checks both ways).
const RULES: &[(&str, &str, Rule)] = &[
    ("POST", "/api/auth/login", Rule::Public),
    ("POST", "/api/auth/verify", Rule::Public),
    ("POST", "/api/auth/passkey/start", Rule::Public),
    ("POST", "/api/auth/passkey/finish", Rule::Public),
    ("POST", "/api/auth/passkey/enrol", Rule::Public),
    ("POST", "/api/auth/passkey/confirm", Rule::Public),
    ("ANY", "$default", Rule::Public),
    ("POST", "/api/auth/logout", Rule::SignOut),
    ("GET", "/api/me", Rule::AnySession),
    ("GET", "/api/passkeys", Rule::AnySession),
    ("POST", "/api/passkeys/register/start", Rule::AnySession),
    ("POST", "/api/passkeys/register/finish", Rule::AnySession),
    ("PATCH", "/api/passkeys/{passkeyId}", Rule::AnySession),
    ("DELETE", "/api/passkeys/{passkeyId}", Rule::AnySession),
    // A contact's address: whoever may act on that client (the matrix names A's or B's contact).
    ("DELETE", "/api/admin/email-problems/{email}", Rule::AgencyOnClient),
    ("GET", "/api/notifications", Rule::AnySession),
    ("POST", "/api/notifications/read", Rule::AnySession),
    ("GET", "/api/notifications/preferences", Rule::AnySession),
    ("PUT", "/api/notifications/preferences", Rule::AnySession),
    // The signed link is the credential (notifications.rs covers it).
    ("GET", "/api/notifications/unsubscribe", Rule::Public),
    ("POST", "/api/notifications/unsubscribe", Rule::Public),
    // The sign-in page is branded too (branding.rs covers what it shows).
    ("GET", "/api/branding", Rule::Public),
    ("GET", "/api/branding/logo", Rule::Public),
    ("GET", "/api/admin/branding", Rule::AgencyOwner),
    ("PUT", "/api/admin/branding", Rule::AgencyOwner),
    ("PUT", "/api/admin/branding/logo", Rule::AgencyOwner),
    ("DELETE", "/api/admin/branding/logo", Rule::AgencyOwner),
    ("GET", "/api/dashboard", Rule::Portal),
    ("GET", "/api/activity", Rule::Portal),
    ("GET", "/api/projects", Rule::Portal),
    ("GET", "/api/projects/{projectId}", Rule::Portal),
    ("GET", "/api/projects/{projectId}/deliverables/{deliverableId}/download", Rule::Portal),
    ("POST", "/api/projects/{projectId}/deliverables/{deliverableId}/review", Rule::Portal),
    ("GET", "/api/projects/{projectId}/notes/{noteId}", Rule::Portal),
    ("GET", "/api/messages", Rule::Portal),
    ("POST", "/api/messages", Rule::Portal),
    ("POST", "/api/messages/read", Rule::Portal),
    ("POST", "/api/uploads", Rule::Portal),
    ("GET", "/api/uploads/{uploadId}", Rule::Portal),
    ("POST", "/api/uploads/{uploadId}/parts", Rule::Portal),
    ("POST", "/api/uploads/{uploadId}/complete", Rule::Portal),
    ("DELETE", "/api/uploads/{uploadId}", Rule::Portal),
    ("GET", "/api/requests", Rule::Portal),
    ("GET", "/api/requests/{requestId}", Rule::Portal),
    ("POST", "/api/requests/{requestId}/submit", Rule::Portal),
    ("GET", "/api/requests/{requestId}/files/{fileId}", Rule::Portal),
    ("DELETE", "/api/requests/{requestId}/files/{fileId}", Rule::Portal),
    ("GET", "/api/projects/{projectId}/files", Rule::Portal),
    ("GET", "/api/projects/{projectId}/files/{fileId}", Rule::Portal),
    ("DELETE", "/api/projects/{projectId}/files/{fileId}", Rule::Portal),
    ("GET", "/api/invoices", Rule::Invoices),
    ("GET", "/api/invoices/{invoiceId}", Rule::Invoices),
    ("GET", "/api/projects/{projectId}/budget", Rule::Portal),
    ("GET", "/api/estimates", Rule::Invoices),
    ("GET", "/api/estimates/{estimateId}", Rule::Invoices),
    ("POST", "/api/estimates/{estimateId}/accept", Rule::Invoices),
    ("POST", "/api/estimates/{estimateId}/decline", Rule::Invoices),
    ("GET", "/api/team", Rule::Team),
    ("POST", "/api/team", Rule::Team),
    ("PATCH", "/api/team/{contactId}", Rule::Team),
    ("POST", "/api/team/{contactId}/invite", Rule::Team),
    ("GET", "/api/admin/clients", Rule::AgencyList),
    ("POST", "/api/admin/clients", Rule::AgencyOwner),
    ("GET", "/api/admin/clients/{clientId}", Rule::AgencyOnClient),
    ("PATCH", "/api/admin/clients/{clientId}", Rule::AgencyOnClient),
    ("GET", "/api/admin/harvest/clients", Rule::AgencyOwner),
    ("GET", "/api/admin/clients/{clientId}/harvest/projects", Rule::AgencyOnClient),
    ("POST", "/api/admin/clients/{clientId}/contacts", Rule::AgencyOnClient),
    ("PATCH", "/api/admin/clients/{clientId}/contacts/{contactId}", Rule::AgencyOnClient),
    ("POST", "/api/admin/clients/{clientId}/contacts/{contactId}/revoke", Rule::AgencyOnClient),
    ("POST", "/api/admin/clients/{clientId}/contacts/{contactId}/invite", Rule::AgencyOnClient),
    ("GET", "/api/admin/clients/{clientId}/contacts/{contactId}/export", Rule::AgencyOwner),
    ("POST", "/api/admin/clients/{clientId}/contacts/{contactId}/erase", Rule::AgencyOwner),
    ("GET", "/api/admin/clients/{clientId}/projects", Rule::AgencyOnClient),
    ("POST", "/api/admin/clients/{clientId}/projects", Rule::AgencyOnClient),
    ("GET", "/api/admin/clients/{clientId}/projects/{projectId}", Rule::AgencyOnClient),
    ("PATCH", "/api/admin/clients/{clientId}/projects/{projectId}", Rule::AgencyOnClient),
    ("POST", "/api/admin/clients/{clientId}/projects/{projectId}/milestones", Rule::AgencyOnClient),
    ("PATCH", "/api/admin/clients/{clientId}/projects/{projectId}/milestones/{milestoneId}", Rule::AgencyOnClient),
    ("POST", "/api/admin/clients/{clientId}/projects/{projectId}/milestones/{milestoneId}/move", Rule::AgencyOnClient),
    ("POST", "/api/admin/clients/{clientId}/projects/{projectId}/deliverables", Rule::AgencyOnClient),
    (
        "POST",
        "/api/admin/clients/{clientId}/projects/{projectId}/deliverables/{deliverableId}/uploads",
        Rule::AgencyOnClient,
    ),
    (
        "POST",
        "/api/admin/clients/{clientId}/projects/{projectId}/deliverables/{deliverableId}/versions",
        Rule::AgencyOnClient,
    ),
    (
        "POST",
        "/api/admin/clients/{clientId}/projects/{projectId}/deliverables/{deliverableId}/deliver",
        Rule::AgencyOnClient,
    ),
    ("POST", "/api/admin/clients/{clientId}/projects/{projectId}/notes", Rule::AgencyOnClient),
    ("PATCH", "/api/admin/clients/{clientId}/projects/{projectId}/notes/{noteId}", Rule::AgencyOnClient),
    ("DELETE", "/api/admin/clients/{clientId}/projects/{projectId}/notes/{noteId}", Rule::AgencyOnClient),
    ("POST", "/api/admin/clients/{clientId}/uploads", Rule::AgencyOnClient),
    ("GET", "/api/admin/clients/{clientId}/uploads/{uploadId}", Rule::AgencyOnClient),
    ("POST", "/api/admin/clients/{clientId}/uploads/{uploadId}/parts", Rule::AgencyOnClient),
    ("POST", "/api/admin/clients/{clientId}/uploads/{uploadId}/complete", Rule::AgencyOnClient),
    ("DELETE", "/api/admin/clients/{clientId}/uploads/{uploadId}", Rule::AgencyOnClient),
    ("GET", "/api/admin/clients/{clientId}/requests", Rule::AgencyOnClient),
    ("POST", "/api/admin/clients/{clientId}/requests", Rule::AgencyOnClient),
    ("GET", "/api/admin/clients/{clientId}/requests/{requestId}", Rule::AgencyOnClient),
    ("POST", "/api/admin/clients/{clientId}/requests/{requestId}/accept", Rule::AgencyOnClient),
    ("POST", "/api/admin/clients/{clientId}/requests/{requestId}/reopen", Rule::AgencyOnClient),
    ("GET", "/api/admin/clients/{clientId}/requests/{requestId}/files/{fileId}", Rule::AgencyOnClient),
    ("GET", "/api/admin/clients/{clientId}/projects/{projectId}/files", Rule::AgencyOnClient),
    ("GET", "/api/admin/clients/{clientId}/projects/{projectId}/files/{fileId}", Rule::AgencyOnClient),
    ("DELETE", "/api/admin/clients/{clientId}/projects/{projectId}/files/{fileId}", Rule::AgencyOnClient),
    ("GET", "/api/admin/messages", Rule::AgencyList),
    ("GET", "/api/admin/clients/{clientId}/messages", Rule::AgencyOnClient),
    ("POST", "/api/admin/clients/{clientId}/messages", Rule::AgencyOnClient),
    ("GET", "/api/admin/audit", Rule::AgencyList),
    ("GET", "/api/admin/clients/{clientId}/audit", Rule::AgencyOnClient),
    ("GET", "/api/admin/staff", Rule::AgencyOwner),
    ("POST", "/api/admin/staff", Rule::AgencyOwner),
    ("PATCH", "/api/admin/staff/{adminId}", Rule::AgencyOwner),
    ("DELETE", "/api/admin/staff/{adminId}", Rule::AgencyOwner),
    ("POST", "/api/admin/staff/{adminId}/invite", Rule::AgencyOwner),
    ("POST", "/api/admin/staff/{adminId}/passkeys/reset", Rule::AgencyOwner),
    ("PUT", "/api/admin/clients/{clientId}/staff/{adminId}", Rule::AgencyOwner),
    ("DELETE", "/api/admin/clients/{clientId}/staff/{adminId}", Rule::AgencyOwner),
];

fn rule_of(route: &Route) -> Rule {
    RULES
        .iter()
        .find(|(method, path, _)| (*method == route.method || *method == "ANY") && *path == route.path)
        .map(|(_, _, rule)| *rule)
        .unwrap_or_else(|| panic!("the role matrix has no rule for {} {}: add one to RULES", route.method, route.path))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Person {
    ClientMember,
    ClientMemberWithoutInvoices,
    ClientOwner,
    AgencyMember,
    AgencyOwner,
}

/// What the rules say a person gets from a route, naming client A's or client B's things.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Allowed,
    Forbidden,
    NotFound,
}

fn expected(person: Person, rule: Rule, names_b: bool, has_ids: bool) -> Expect {
    use Expect::{Allowed, Forbidden, NotFound};
    let is_client = matches!(person, Person::ClientMember | Person::ClientMemberWithoutInvoices | Person::ClientOwner);
    // A contact naming another company's things finds nothing there.
    let own_company = if names_b && has_ids { NotFound } else { Allowed };
    match rule {
        Rule::Public | Rule::SignOut => unreachable!("not sent"),
        Rule::AnySession => Allowed,
        Rule::Portal if is_client => own_company,
        Rule::Invoices if person == Person::ClientMemberWithoutInvoices => Forbidden,
        Rule::Invoices if is_client => own_company,
        Rule::Team if person == Person::ClientOwner => own_company,
        Rule::AgencyList if !is_client => Allowed,
        Rule::AgencyOnClient if person == Person::AgencyOwner => Allowed,
        Rule::AgencyOnClient if person == Person::AgencyMember && !names_b => Allowed,
        Rule::AgencyOwner if person == Person::AgencyOwner => Allowed,
        _ => Forbidden,
    }
}

struct Matrix {
    _harvest: devkit::fake_harvest::FakeHarvest,
    app: TestApp,
    a: Tenant,
    b: Tenant,
    /// The staff member the staff routes act on (not one of the five).
    target_staff: Admin,
    agency_member: Admin,
    cookies: Vec<(Person, String)>,
}

async fn matrix() -> Matrix {
    let fake = devkit::fake_harvest::FakeHarvest::start().await;
    fake.serve_clients().await;
    let app = TestApp::with_harvest(&fake).await;
    let mut a = app.tenant("Alpha").await;
    let mut b = app.tenant("Bravo").await;
    app.link_tenant_to_harvest(&mut a, &fake, 4101).await;
    app.link_tenant_to_harvest(&mut b, &fake, 4202).await;
    for n in 0..3 {
        app.agency_message(&b, &format!("B-only message {n}")).await;
    }
    let member = app.add_contact_as(&a.client, "member", ContactRole::Member, true).await;
    let no_invoices = app.add_contact_as(&a.client, "no-invoices", ContactRole::Member, false).await;
    let owner = app.add_contact_as(&a.client, "owner", ContactRole::Owner, false).await;
    let agency_member = app.add_staff("agency-member", StaffRole::Member).await;
    let agency_owner = app.add_staff("agency-owner", StaffRole::Owner).await;
    let target_staff = app.add_staff("target-staff", StaffRole::Member).await;
    let audit = shared::domain::AuditEvent::new(None, "test".into(), "client.assign", "setup".into());
    app.state.store.assign(a.client.id, agency_member.id, &audit).await.unwrap();
    let mut cookies = Vec::new();
    for (person, email) in [
        (Person::ClientMember, &member.email),
        (Person::ClientMemberWithoutInvoices, &no_invoices.email),
        (Person::ClientOwner, &owner.email),
        (Person::AgencyMember, &agency_member.email),
        (Person::AgencyOwner, &agency_owner.email),
    ] {
        cookies.push((person, app.sign_in(email).await));
    }
    Matrix { _harvest: fake, app, a, b, target_staff, agency_member, cookies }
}

impl Matrix {
    fn id(&self, route: &Route, tenant: &Tenant, param: &str) -> String {
        match param {
            "clientId" => tenant.client.id.to_string(),
            "milestoneId" => tenant.overdue_milestone.id.to_string(),
            "adminId" => self.target_staff.id.to_string(),
            // Nobody's passkey: each person may ask about their own (404 here), never 403.
            "passkeyId" => ulid::Ulid::new().to_string(),
            other => id_of(route, tenant, other),
        }
    }

    fn body(&self, route: &Route, other: &Tenant) -> Value {
        let unique = ulid::Ulid::new();
        match (route.method.as_str(), route.path.as_str()) {
            ("POST", "/api/admin/clients") => json!({ "company_name": format!("Matrix {unique}") }),
            ("POST", "/api/passkeys/register/start") => json!({}),
            ("POST", "/api/passkeys/register/finish") => json!({ "ceremony_id": "none", "credential": {} }),
            ("PATCH", "/api/passkeys/{passkeyId}") => json!({ "name": "Matrix key" }),
            ("POST", "/api/admin/staff") => {
                json!({ "name": "Matrix Staff", "email": format!("staff-{unique}@matrix.example") })
            }
            ("PATCH", "/api/admin/staff/{adminId}") => json!({ "role": "member" }),
            ("PATCH", "/api/admin/clients/{clientId}") => json!({ "company_name": "Renamed by the matrix" }),
            ("POST", "/api/admin/clients/{clientId}/contacts") => {
                json!({ "name": "Matrix Contact", "email": format!("contact-{unique}@matrix.example") })
            }
            ("POST", "/api/admin/clients/{clientId}/messages") => json!({ "body": "matrix reply" }),
            ("POST", "/api/admin/clients/{clientId}/projects") => json!({ "name": "Matrix project" }),
            ("POST", "/api/admin/clients/{clientId}/requests") => json!({ "title": "Matrix request" }),
            // Into the other client's project: never found under this client.
            ("POST", "/api/admin/clients/{clientId}/uploads") => json!({
                "destination": { "kind": "project", "project_id": other.project.id.to_string() },
                "filename": "matrix.pdf", "content_type": "application/pdf", "size": 10
            }),
            ("PUT" | "DELETE", _)
            | ("POST", "/api/admin/staff/{adminId}/invite" | "/api/admin/staff/{adminId}/passkeys/reset") => json!({}),
            (_, path) if path.starts_with("/api/admin/") => admin_body_for(route),
            _ => body_for(route, other),
        }
    }

    /// Everything a refused request could have touched.
    async fn snapshot(&self) -> Vec<Vec<String>> {
        let mut all = Vec::new();
        for pk in [
            format!("CLIENT#{}", self.a.client.id),
            format!("CLIENT#{}", self.b.client.id),
            "AGENCY".to_owned(),
            format!("STAFF#{}", self.agency_member.id),
            format!("STAFF#{}", self.target_staff.id),
        ] {
            all.push(items_under(&self.app, &pk).await);
        }
        all
    }

    async fn send(&self, route: &Route, tenant: &Tenant, other: &Tenant, cookie: &str) -> (String, TestResponse) {
        let path = fill(route, |p| self.id(route, tenant, p));
        let method: Method = route.method.parse().unwrap();
        let request = match method {
            Method::GET => ApiRequest::get(&path),
            // The right confirmation: an agency owner really erases the contact named.
            _ if route.path.ends_with("/erase") => {
                ApiRequest::post(&path, json!({ "confirm_email": tenant.contact.email.to_string() })).method(method)
            }
            _ => ApiRequest::post(&path, self.body(route, other)).method(method),
        };
        (path, self.app.send(request.cookie(cookie)).await)
    }
}

#[test]
fn every_rule_names_a_template_route() {
    for (method, path, _) in RULES {
        assert!(
            template_routes().iter().any(|r| (r.method == *method || *method == "ANY") && r.path == *path),
            "RULES names {method} {path}, which template.yaml does not have"
        );
    }
    for route in template_routes() {
        rule_of(route);
    }
}

// One test per person, each on a portal of its own, so the five run side by side (as one test
// they were a third of the API suite's time, alone at the end).
#[tokio::test]
async fn every_route_gives_a_client_member_what_the_rules_say() {
    every_route_gives_what_the_rules_say(Person::ClientMember).await;
}

#[tokio::test]
async fn every_route_gives_a_member_without_invoices_what_the_rules_say() {
    every_route_gives_what_the_rules_say(Person::ClientMemberWithoutInvoices).await;
}

#[tokio::test]
async fn every_route_gives_a_client_owner_what_the_rules_say() {
    every_route_gives_what_the_rules_say(Person::ClientOwner).await;
}

#[tokio::test]
async fn every_route_gives_an_agency_member_what_the_rules_say() {
    every_route_gives_what_the_rules_say(Person::AgencyMember).await;
}

#[tokio::test]
async fn every_route_gives_an_agency_owner_what_the_rules_say() {
    every_route_gives_what_the_rules_say(Person::AgencyOwner).await;
}

async fn every_route_gives_what_the_rules_say(who: Person) {
    let m = matrix().await;
    let routes: Vec<&Route> =
        template_routes().iter().filter(|r| !matches!(rule_of(r), Rule::Public | Rule::SignOut)).collect();
    // Deletions (and erasures) last: they remove what the other routes name.
    let (deletions, others): (Vec<&Route>, Vec<&Route>) =
        routes.into_iter().partition(|r| r.method == "DELETE" || r.path.ends_with("/erase"));
    let mut checked = 0;
    // The state as last read, while only refused requests have run since (they must not change
    // it): saves reading it again before each of them.
    let mut known: Option<Vec<Vec<String>>> = None;
    let (person, cookie) = m.cookies.iter().find(|(person, _)| *person == who).expect("each person has a session");
    for route in others.iter().chain(&deletions) {
        let rule = rule_of(route);
        let has_ids = !params(route).is_empty();
        for (tenant, other, names_b) in [(&m.a, &m.b, false), (&m.b, &m.a, true)] {
            if !has_ids && names_b {
                continue; // The same request twice.
            }
            let expect = expected(*person, rule, names_b, has_ids);
            let before = match (expect, known.take()) {
                (Expect::Allowed, _) => None,
                (_, Some(state)) => Some(state),
                (_, None) => Some(m.snapshot().await),
            };
            let (path, response) = m.send(route, tenant, other, cookie).await;
            let context = format!("{person:?} {} {path} ({rule:?})", route.method);
            match expect {
                Expect::Allowed => {
                    let refused = [StatusCode::UNAUTHORIZED, StatusCode::FORBIDDEN].contains(&response.status);
                    assert!(
                        !refused && !response.status.is_server_error(),
                        "{context}: expected allowed, got {} {}",
                        response.status,
                        response.body
                    );
                    if route.method == "GET" {
                        assert!(response.status.is_success(), "{context}: {} {}", response.status, response.body);
                    }
                }
                Expect::Forbidden => {
                    assert_eq!(response.status, StatusCode::FORBIDDEN, "{context}: {}", response.body);
                    assert_eq!(response.error_code(), "forbidden", "{context}");
                }
                Expect::NotFound => {
                    assert_eq!(response.status, StatusCode::NOT_FOUND, "{context}: {}", response.body);
                }
            }
            if let Some(before) = before {
                let after = m.snapshot().await;
                let (was, is): (HashSet<&String>, HashSet<&String>) =
                    (before.iter().flatten().collect(), after.iter().flatten().collect());
                let changed: Vec<_> = is.difference(&was).collect();
                let gone: Vec<_> = was.difference(&is).collect();
                assert!(
                    changed.is_empty() && gone.is_empty(),
                    "{context}: a refused request changed something: new {changed:?}, gone {gone:?}"
                );
                known = Some(after);
                assert_no_data_of(&response, if names_b { &m.b } else { &m.a }, &context);
            }
            // Members' lists show their assigned clients only.
            if *person == Person::AgencyMember && rule == Rule::AgencyList {
                assert_no_data_of(&response, &m.b, &context);
            }
            // A contact's answers never show another company's things.
            if matches!(rule, Rule::Portal | Rule::Invoices | Rule::Team) {
                assert_no_data_of(&response, &m.b, &context);
            }
            checked += 1;
        }
    }
    assert!(checked >= 50, "only {checked} requests were checked for {who:?}");
}

/// Clear words for the refusals a person meets in the app.
#[tokio::test]
async fn refusals_say_why() {
    let m = matrix().await;
    let cookie = |who: Person| m.cookies.iter().find(|(p, _)| *p == who).map(|(_, c)| c.clone()).unwrap();
    let invoices =
        m.app.send(ApiRequest::get("/api/invoices").cookie(&cookie(Person::ClientMemberWithoutInvoices))).await;
    assert!(invoices.body["error"]["message"].as_str().unwrap().contains("access to invoices"), "{}", invoices.body);
    let team = m.app.send(ApiRequest::get("/api/team").cookie(&cookie(Person::ClientMember))).await;
    assert!(team.body["error"]["message"].as_str().unwrap().contains("owners"), "{}", team.body);
    let path = format!("/api/admin/clients/{}", m.b.client.id);
    let unassigned = m.app.send(ApiRequest::get(&path).cookie(&cookie(Person::AgencyMember))).await;
    assert!(unassigned.body["error"]["message"].as_str().unwrap().contains("not assigned"), "{}", unassigned.body);
    // The dashboard of a member without invoice access has no invoice summary at all.
    let dashboard =
        m.app.send(ApiRequest::get("/api/dashboard").cookie(&cookie(Person::ClientMemberWithoutInvoices))).await;
    assert_eq!(dashboard.status, StatusCode::OK);
    assert!(dashboard.body["invoices"].is_null(), "{}", dashboard.body);
    let with = m.app.send(ApiRequest::get("/api/dashboard").cookie(&cookie(Person::ClientMember))).await;
    assert!(with.body["invoices"].is_object(), "{}", with.body);
}
