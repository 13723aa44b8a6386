//! IAM coverage: every AWS call a function made during the test run (recorded by
//! `helpers::recorder` when `AWS_CALLS_FILE` is set) must be allowed by that function's policy
//! in `template.yaml`: action and resource. The emulator enforces no IAM, so this is what
//! catches a call that would be denied only after `sam deploy`.
//!
//! `make test` runs it after the suite (`cargo test … -- --ignored iam::`); it prints the report
//! (function × call × allowed, and the permissions no test used) and writes it to
//! `target/iam-coverage.md`.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::helpers::workspace_root;

/// One permission a call needs: `dynamodb:GetItem` on `table/TABLE/index/GSI1`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Need {
    action: String,
    resource: String,
}

/// The table and bucket in the template's terms: every test table is the `Table`, every test
/// bucket the `FilesBucket`.
const TABLE_ARN: &str = "arn:aws:dynamodb:REGION:ACCOUNT:table/TABLE";
const BUCKET_ARN: &str = "arn:aws:s3:::BUCKET";

fn table_resource(body: &Value, table_key: &str) -> String {
    let _ = body.get(table_key);
    TABLE_ARN.to_owned()
}

/// What one recorded HTTP request needs, by service.
fn needs(call: &Value) -> Vec<Need> {
    let method = call["method"].as_str().unwrap_or_default();
    let uri = call["uri"].as_str().unwrap_or_default();
    let header = |name: &str| {
        call["headers"].as_array().into_iter().flatten().find(|h| h[0] == name).and_then(|h| h[1].as_str())
    };
    let body: Value = serde_json::from_str(call["body"].as_str().unwrap_or_default()).unwrap_or(Value::Null);
    let need = |action: &str, resource: String| Need { action: action.to_owned(), resource };
    if let Some(target) = header("x-amz-target").and_then(|t| t.strip_prefix("DynamoDB_20120810.")) {
        let on_index = |b: &Value| match b["IndexName"].as_str() {
            Some(index) => format!("{TABLE_ARN}/index/{index}"),
            None => table_resource(b, "TableName"),
        };
        return match target {
            "TransactWriteItems" => body["TransactItems"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|item| {
                    let action = match () {
                        () if item.get("Put").is_some() => "dynamodb:PutItem",
                        () if item.get("Update").is_some() => "dynamodb:UpdateItem",
                        () if item.get("Delete").is_some() => "dynamodb:DeleteItem",
                        () if item.get("ConditionCheck").is_some() => "dynamodb:ConditionCheckItem",
                        () => return None,
                    };
                    Some(need(action, TABLE_ARN.to_owned()))
                })
                .collect(),
            "TransactGetItems" => vec![need("dynamodb:GetItem", TABLE_ARN.to_owned())],
            "Query" | "Scan" => vec![need(&format!("dynamodb:{target}"), on_index(&body))],
            other => vec![need(&format!("dynamodb:{other}"), TABLE_ARN.to_owned())],
        };
    }
    let Ok(url) = url::Url::parse(uri) else { return vec![] };
    if url.path().starts_with("/v2/email/") {
        let mut found = vec![need("ses:SendEmail", "arn:aws:ses:REGION:ACCOUNT:identity/SENDER".to_owned())];
        if body["ConfigurationSetName"].is_string() {
            found.push(need("ses:SendEmail", "arn:aws:ses:REGION:ACCOUNT:configuration-set/SET".to_owned()));
        }
        return found;
    }
    // S3, path style: /{bucket}/{key}.
    let mut segments = url.path().trim_start_matches('/').splitn(2, '/');
    let _bucket = segments.next().unwrap_or_default();
    let key = segments.next().unwrap_or_default();
    let key = percent_decode(key);
    let object = format!("{BUCKET_ARN}/{key}");
    let query: BTreeMap<String, String> = url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
    let op = query.get("x-id").cloned().unwrap_or_else(|| {
        match (method, key.is_empty()) {
            (_, true) if query.contains_key("list-type") => "ListObjectsV2",
            ("POST", _) if query.contains_key("uploads") => "CreateMultipartUpload",
            ("POST", _) if query.contains_key("uploadId") => "CompleteMultipartUpload",
            ("DELETE", _) if query.contains_key("uploadId") => "AbortMultipartUpload",
            ("GET", _) if query.contains_key("uploadId") => "ListParts",
            ("GET", _) if query.contains_key("tagging") => "GetObjectTagging",
            ("PUT", _) if query.contains_key("partNumber") => "UploadPart",
            ("PUT", _) if header("x-amz-copy-source").is_some() => "CopyObject",
            ("PUT", _) => "PutObject",
            ("HEAD" | "GET", _) => "GetObject",
            ("DELETE", _) => "DeleteObject",
            _ => "Unknown",
        }
        .to_owned()
    });
    let source = header("x-amz-copy-source").map(|source| {
        let source = percent_decode(source.trim_start_matches('/'));
        let key = source.split_once('/').map(|(_, key)| key).unwrap_or_default().to_owned();
        need("s3:GetObject", format!("{BUCKET_ARN}/{key}"))
    });
    let action = match op.as_str() {
        "GetObject" | "HeadObject" => "s3:GetObject",
        "PutObject"
        | "UploadPart"
        | "UploadPartCopy"
        | "CreateMultipartUpload"
        | "CompleteMultipartUpload"
        | "CopyObject" => "s3:PutObject",
        "AbortMultipartUpload" => "s3:AbortMultipartUpload",
        "ListParts" => "s3:ListMultipartUploadParts",
        "DeleteObject" => "s3:DeleteObject",
        "GetObjectTagging" => "s3:GetObjectTagging",
        "PutObjectTagging" => "s3:PutObjectTagging",
        "ListObjectsV2" => return vec![need("s3:ListBucket", BUCKET_ARN.to_owned())],
        other => return vec![need(&format!("s3:{other}"), object)],
    };
    let mut found = vec![need(action, object)];
    found.extend(source);
    found
}

/// Ids in keys become `{id}`, so the report groups calls by the kind of key they touch.
fn generalise(resource: &str) -> String {
    resource
        .split('/')
        .map(|segment| {
            let is_id = segment.len() == 26 && segment.bytes().all(|b| b.is_ascii_digit() || b.is_ascii_uppercase());
            if is_id { "{id}" } else { segment }
        })
        .collect::<Vec<_>>()
        .join("/")
}

fn percent_decode(text: &str) -> String {
    url::form_urlencoded::parse(format!("k={}", text.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// A policy statement's resource, in the same terms (`*` where the template leaves it to
/// the deployment: region, account, the operator's sender identity).
fn resource_pattern(value: &Value) -> Option<String> {
    if let Some(text) = value.as_str() {
        return Some(text.to_owned());
    }
    if let Some(att) = value.get("Fn::GetAtt").and_then(Value::as_array) {
        return match (att[0].as_str()?, att[1].as_str()?) {
            ("Table", "Arn") => Some(TABLE_ARN.to_owned()),
            ("FilesBucket", "Arn") => Some(BUCKET_ARN.to_owned()),
            _ => None,
        };
    }
    let sub = value.get("Fn::Sub")?.as_str()?;
    Some(
        sub.replace("${Table.Arn}", TABLE_ARN)
            .replace("${FilesBucket.Arn}", BUCKET_ARN)
            .replace("arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:", "arn:aws:ses:REGION:ACCOUNT:")
            .replace("${SenderIdentity}", "SENDER")
            .replace("${MailConfigurationSet}", "SET"),
    )
}

/// `*` matches any run of characters (IAM's wildcard).
fn matches(pattern: &str, text: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == text,
        Some((head, rest)) => {
            text.starts_with(head)
                && (0..=text.len() - head.len()).any(|skip| matches(rest, &text[head.len() + skip..]))
        }
    }
}

/// Each function's grants: (action, resource pattern).
fn policies() -> BTreeMap<String, Vec<(String, String)>> {
    let text = std::fs::read_to_string(workspace_root().join("template.yaml")).unwrap();
    let template: Value = serde_norway::from_str(&text).unwrap();
    let mut found = BTreeMap::new();
    for resource in template["Resources"].as_object().unwrap().values() {
        if resource["Type"] != "AWS::Serverless::Function" {
            continue;
        }
        let function = resource["Metadata"]["BuildProperties"]["Binary"].as_str().unwrap().to_owned();
        let mut grants = Vec::new();
        for policy in resource["Properties"]["Policies"].as_array().into_iter().flatten() {
            let statements = policy.get("Statement").or_else(|| policy["PolicyDocument"].get("Statement"));
            for statement in statements.and_then(Value::as_array).into_iter().flatten() {
                assert_eq!(statement["Effect"], "Allow", "{function}: only Allow statements are read here");
                let list = |v: &Value| match v {
                    Value::Array(items) => items.clone(),
                    other => vec![other.clone()],
                };
                for action in list(&statement["Action"]) {
                    for resource in list(&statement["Resource"]) {
                        let pattern = resource_pattern(&resource)
                            .unwrap_or_else(|| panic!("{function}: cannot read resource {resource}"));
                        grants.push((action.as_str().unwrap().to_owned(), pattern));
                    }
                }
            }
        }
        found.insert(function, grants);
    }
    found
}

fn allowed(grants: &[(String, String)], need: &Need) -> Option<usize> {
    grants.iter().position(|(action, resource)| matches(action, &need.action) && matches(resource, &need.resource))
}

#[test]
#[ignore = "run by `make test` after the suite has recorded its calls (AWS_CALLS_FILE)"]
fn every_aws_call_is_allowed_by_its_functions_policy() {
    let path = std::env::var("AWS_CALLS_FILE").expect("AWS_CALLS_FILE: the calls the suite recorded");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let policies = policies();
    // (function, need) → (calls, allowed)
    let mut seen: BTreeMap<(String, Need), (usize, bool)> = BTreeMap::new();
    let mut used: BTreeSet<(String, usize)> = BTreeSet::new();
    for line in text.lines() {
        let call: Value = serde_json::from_str(line).unwrap();
        let function = call["function"].as_str().unwrap().to_owned();
        let grants = policies.get(&function).unwrap_or_else(|| panic!("{function} is not in template.yaml"));
        for mut need in needs(&call) {
            let grant = allowed(grants, &need);
            need.resource = generalise(&need.resource);
            if let Some(index) = grant {
                used.insert((function.clone(), index));
            }
            let entry = seen.entry((function.clone(), need)).or_insert((0, grant.is_some()));
            entry.0 += 1;
        }
    }
    assert!(seen.len() > 40, "only {} distinct calls recorded: is the recorder on?", seen.len());

    // The session check runs in a task of its own (not attributed): every function may make it.
    let session_check = Need { action: "dynamodb:GetItem".into(), resource: TABLE_ARN.into() };
    let mut denied: Vec<String> = policies
        .iter()
        .filter(|(function, grants)| *function != "mail-events" && allowed(grants, &session_check).is_none())
        .map(|(function, _)| format!("{function}: dynamodb:GetItem on the table (the session check)"))
        .collect();

    let mut report = String::from(
        "# IAM coverage\n\nEvery AWS call each function made in `make test`, checked against its policy in `template.yaml` (generated by `shared/tests/api/iam.rs`).\n\n| function | action | resource | calls | allowed |\n|---|---|---|---:|---|\n",
    );
    for ((function, need), (count, ok)) in &seen {
        report.push_str(&format!(
            "| {function} | {} | `{}` | {count} | {} |\n",
            need.action,
            need.resource,
            if *ok { "yes" } else { "**DENIED**" }
        ));
        if !ok {
            denied.push(format!("{function}: {} on {}", need.action, need.resource));
        }
    }
    report.push_str("\n## Permissions no test used\n\n| function | action | resource |\n|---|---|---|\n");
    for (function, grants) in &policies {
        for (index, (action, resource)) in grants.iter().enumerate() {
            if !used.contains(&(function.clone(), index)) {
                report.push_str(&format!("| {function} | {action} | `{resource}` |\n"));
            }
        }
    }
    std::fs::write(workspace_root().join("target/iam-coverage.md"), &report).unwrap();
    println!("{report}");
    assert!(denied.is_empty(), "calls the deployed policy would deny:\n{}", denied.join("\n"));
}

#[test]
fn the_iam_matcher_reads_calls_as_aws_would() {
    assert!(matches("arn:aws:s3:::BUCKET/clients/*", "arn:aws:s3:::BUCKET/clients/c/files/f"));
    assert!(!matches("arn:aws:s3:::BUCKET/clients/*", "arn:aws:s3:::BUCKET/quarantine/clients/c"));
    assert!(matches("dynamodb:*", "dynamodb:Query"));
    assert!(matches(&format!("{TABLE_ARN}/index/*"), &format!("{TABLE_ARN}/index/GSI1")));
    assert!(!matches(TABLE_ARN, &format!("{TABLE_ARN}/index/GSI1")), "the table's ARN does not cover its indexes");
    let call = serde_json::json!({
        "method": "POST", "uri": "http://127.0.0.1:1/",
        "headers": [["x-amz-target", "DynamoDB_20120810.TransactWriteItems"]],
        "body": r#"{"TransactItems":[{"Put":{"TableName":"t"}},{"ConditionCheck":{"TableName":"t"}}]}"#
    });
    let actions: Vec<String> = needs(&call).into_iter().map(|n| n.action).collect();
    assert_eq!(actions, ["dynamodb:PutItem", "dynamodb:ConditionCheckItem"]);
    let copy = serde_json::json!({
        "method": "PUT", "uri": "http://127.0.0.1:1/files-x/clients/c/files/f?x-id=CopyObject",
        "headers": [["x-amz-copy-source", "files-x/quarantine/clients/c/uploads/u"]], "body": ""
    });
    let found = needs(&copy);
    assert_eq!(found[0], Need { action: "s3:PutObject".into(), resource: format!("{BUCKET_ARN}/clients/c/files/f") });
    assert_eq!(
        found[1],
        Need { action: "s3:GetObject".into(), resource: format!("{BUCKET_ARN}/quarantine/clients/c/uploads/u") }
    );
}
