//! An in-process gateway: requests routed to the function routers exactly as `template.yaml`
//! routes them in AWS, and what they answer.

use std::sync::OnceLock;

use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use serde_json::Value;

use super::workspace_root;

/// Route table read from `template.yaml`: (method, path pattern, function binary).
#[derive(Debug, Clone)]
pub struct Route {
    pub method: String,
    pub path: String,
    pub function: String,
}

pub fn template_routes() -> &'static [Route] {
    static ROUTES: OnceLock<Vec<Route>> = OnceLock::new();
    ROUTES.get_or_init(|| {
        let text = std::fs::read_to_string(workspace_root().join("template.yaml")).unwrap();
        let template: Value = serde_norway::from_str(&text).unwrap();
        let mut routes = Vec::new();
        for resource in template["Resources"].as_object().unwrap().values() {
            if resource["Type"] != "AWS::Serverless::Function" {
                continue;
            }
            let function = resource["Metadata"]["BuildProperties"]["Binary"].as_str().unwrap().to_owned();
            for event in resource["Properties"]["Events"].as_object().into_iter().flat_map(|e| e.values()) {
                if event["Type"] != "HttpApi" {
                    continue;
                }
                let properties = &event["Properties"];
                routes.push(Route {
                    method: properties["Method"].as_str().unwrap_or("ANY").to_uppercase(),
                    path: properties["Path"].as_str().unwrap_or("$default").to_owned(),
                    function: function.clone(),
                });
            }
        }
        routes
    })
}

fn path_matches(pattern: &str, path: &str) -> bool {
    let (pattern, path): (Vec<&str>, Vec<&str>) = (pattern.split('/').collect(), path.split('/').collect());
    if pattern.last().is_some_and(|last| last.ends_with("+}")) {
        return path.len() >= pattern.len()
            && pattern[..pattern.len() - 1].iter().zip(&path).all(|(p, s)| segment_matches(p, s));
    }
    pattern.len() == path.len() && pattern.iter().zip(&path).all(|(p, s)| segment_matches(p, s))
}

fn segment_matches(pattern: &str, segment: &str) -> bool {
    (pattern.starts_with('{') && pattern.ends_with('}') && !segment.is_empty()) || pattern == segment
}

/// Which function API Gateway would invoke for this request.
pub fn route_for(method: &Method, path: &str) -> &'static Route {
    let routes = template_routes();
    routes
        .iter()
        .find(|r| {
            r.path != "$default" && (r.method == "ANY" || r.method == method.as_str()) && path_matches(&r.path, path)
        })
        .or_else(|| routes.iter().find(|r| r.path == "$default"))
        .expect("template.yaml has a $default route")
}

pub struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
    pub raw: Vec<u8>,
}

impl TestResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn error_code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("<no error code>")
    }

    /// The `portal_session=…` pair from `Set-Cookie`, ready for a `Cookie` header.
    pub fn session_cookie(&self) -> Option<String> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with("portal_session="))
            .and_then(|v| v.split(';').next())
            .map(str::to_owned)
    }
}

/// A request as a browser or curl would send it.
pub struct ApiRequest {
    pub method: Method,
    pub path: String,
    pub body: Option<Vec<u8>>,
    pub headers: Vec<(HeaderName, HeaderValue)>,
    pub source_ip: String,
}

impl ApiRequest {
    pub fn get(path: &str) -> Self {
        Self {
            method: Method::GET,
            path: path.to_owned(),
            body: None,
            headers: vec![],
            source_ip: "198.51.100.7".into(),
        }
    }

    pub fn post(path: &str, json: Value) -> Self {
        Self::post_raw(path, "application/json", json.to_string().into_bytes())
    }

    pub fn post_raw(path: &str, content_type: &str, body: Vec<u8>) -> Self {
        let mut request = Self::get(path);
        request.method = Method::POST;
        request.body = Some(body);
        request.headers.push((http::header::CONTENT_TYPE, HeaderValue::from_str(content_type).unwrap()));
        request
    }

    pub fn method(mut self, method: Method) -> Self {
        self.method = method;
        self
    }

    pub fn header(mut self, name: &'static str, value: &str) -> Self {
        self.headers.push((HeaderName::from_static(name), HeaderValue::from_str(value).unwrap()));
        self
    }

    pub fn cookie(self, cookie: &str) -> Self {
        self.header("cookie", cookie)
    }

    pub fn with_ip(mut self, ip: &str) -> Self {
        self.source_ip = ip.to_owned();
        self
    }
}
