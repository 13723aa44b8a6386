//! What an operator relies on in `template.yaml`, read from the file: data that survives a
//! mistake (retention, PITR, versioning, deletion protection), bounded cost (reserved
//! concurrency, API throttling), and an alarm for each way the portal can fail quietly.

use serde_json::Value;

use crate::helpers::workspace_root;

fn template() -> Value {
    let text = std::fs::read_to_string(workspace_root().join("template.yaml")).unwrap();
    serde_norway::from_str(&text).unwrap()
}

fn resources_of<'a>(template: &'a Value, kind: &str) -> Vec<(&'a String, &'a Value)> {
    template["Resources"].as_object().unwrap().iter().filter(|(_, r)| r["Type"] == kind).collect()
}

/// Every `Ref` inside `value`.
fn refs(value: &Value) -> Vec<String> {
    match value {
        Value::Object(map) => match map.get("Ref").and_then(Value::as_str) {
            Some(name) if map.len() == 1 => vec![name.to_owned()],
            _ => map.values().flat_map(refs).collect(),
        },
        Value::Array(items) => items.iter().flat_map(refs).collect(),
        _ => Vec::new(),
    }
}

fn text(value: &Value) -> String {
    value.to_string()
}

fn retained(name: &str, resource: &Value) {
    assert_eq!(resource["DeletionPolicy"], "Retain", "{name}: DeletionPolicy");
    assert_eq!(resource["UpdateReplacePolicy"], "Retain", "{name}: UpdateReplacePolicy");
}

#[test]
fn stateful_resources_survive_deletion_and_keep_their_history() {
    let template = template();
    let tables = resources_of(&template, "AWS::DynamoDB::Table");
    assert!(!tables.is_empty());
    for (name, table) in tables {
        retained(name, table);
        let p = &table["Properties"];
        assert_eq!(p["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"], true, "{name}: PITR");
        assert_eq!(p["DeletionProtectionEnabled"], true, "{name}: deletion protection");
    }

    let buckets = resources_of(&template, "AWS::S3::Bucket");
    assert_eq!(buckets.len(), 2, "the files and the web bucket");
    let policies = resources_of(&template, "AWS::S3::BucketPolicy");
    for (name, bucket) in buckets {
        retained(name, bucket);
        let p = &bucket["Properties"];
        assert_eq!(p["VersioningConfiguration"]["Status"], "Enabled", "{name}: versioning");
        for setting in ["BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"] {
            assert_eq!(p["PublicAccessBlockConfiguration"][setting], true, "{name}: {setting}");
        }
        let rules =
            p["LifecycleConfiguration"]["Rules"].as_array().unwrap_or_else(|| panic!("{name}: lifecycle rules"));
        let enabled = |key: &str| rules.iter().any(|r| r["Status"] == "Enabled" && !r[key].is_null());
        assert!(enabled("AbortIncompleteMultipartUpload"), "{name}: aborted multipart uploads are cleaned up");
        assert!(enabled("NoncurrentVersionExpiration"), "{name}: old versions expire");
        // A bucket policy of its own that refuses plain HTTP.
        let policy = policies
            .iter()
            .find(|(_, policy)| refs(&policy["Properties"]["Bucket"]) == [name.clone()])
            .unwrap_or_else(|| panic!("{name} has no bucket policy"));
        let statements = policy.1["Properties"]["PolicyDocument"]["Statement"].as_array().unwrap();
        assert!(
            statements.iter().any(|s| s["Effect"] == "Deny"
                && s["Principal"] == "*"
                && s["Condition"]["Bool"]["aws:SecureTransport"] == "false"),
            "{name}: TLS-only policy"
        );
    }

    for (name, group) in resources_of(&template, "AWS::Logs::LogGroup") {
        assert_eq!(refs(&group["Properties"]["RetentionInDays"]), ["LogRetentionDays"], "{name}: retention");
    }
}

#[test]
fn every_function_is_capped_logged_with_retention_and_alarmed() {
    let template = template();
    let functions = resources_of(&template, "AWS::Serverless::Function");
    assert!(functions.len() >= 15);
    let alarms = resources_of(&template, "AWS::CloudWatch::Alarm");
    let log_groups: Vec<&String> = resources_of(&template, "AWS::Logs::LogGroup").into_iter().map(|(n, _)| n).collect();
    for (name, function) in functions {
        let p = &function["Properties"];
        // Reserved (which also caps); "false" only drops it for accounts still at 10.
        let reserved = &p["ReservedConcurrentExecutions"]["Fn::If"];
        assert_eq!(reserved[0], "ReservesConcurrency", "{name}: reserved concurrency");
        assert!(reserved[1].is_u64() || !refs(&reserved[1]).is_empty(), "{name}: a number of executions");

        let group = refs(&p["LoggingConfig"]["LogGroup"]);
        assert!(group.len() == 1 && log_groups.contains(&&group[0]), "{name}: logs to a log group with retention");

        let watched: Vec<&str> = alarms
            .iter()
            .filter(|(_, alarm)| refs(&alarm["Properties"]["Metrics"]).contains(name))
            .flat_map(|(_, alarm)| alarm["Properties"]["Metrics"].as_array().unwrap())
            .filter_map(|m| m["MetricStat"]["Metric"]["MetricName"].as_str())
            .collect();
        assert!(watched.contains(&"Errors") && watched.contains(&"Throttles"), "{name}: alarm on errors and throttles");
    }
}

#[test]
fn the_api_is_throttled_and_every_quiet_failure_has_an_alarm_to_the_alarm_topic() {
    let template = template();
    let api = &resources_of(&template, "AWS::Serverless::HttpApi")[0].1["Properties"]["DefaultRouteSettings"];
    assert_eq!(refs(&api["ThrottlingRateLimit"]), ["ApiRateLimit"]);
    assert_eq!(refs(&api["ThrottlingBurstLimit"]), ["ApiBurstLimit"]);

    let alarms = resources_of(&template, "AWS::CloudWatch::Alarm");
    for (name, alarm) in &alarms {
        assert_eq!(refs(&alarm["Properties"]["AlarmActions"]), ["AlarmTopic"], "{name} tells the alarm topic");
    }
    // AlarmDetail=account (the default): one alarm on Lambda's account-wide sums instead of
    // the per-function ones, which then need AlarmDetail=per-function.
    let account_wide: Vec<_> = alarms.iter().filter(|(_, a)| a["Condition"] == "AlarmForAccount").collect();
    assert_eq!(account_wide.len(), 1);
    let sums = text(&account_wide[0].1["Properties"]["Metrics"]);
    assert!(sums.contains("\"MetricName\":\"Errors\"") && sums.contains("\"MetricName\":\"Throttles\""), "{sums}");
    assert!(!sums.contains("FunctionName"), "account-wide: no function dimension");
    let per_function = alarms.iter().filter(|(_, a)| text(&a["Properties"]["Metrics"]).contains("FunctionName"));
    assert!(per_function.clone().count() >= 15);
    assert!(per_function.into_iter().all(|(_, a)| a["Condition"] == "AlarmPerFunction"));

    let all = alarms.iter().map(|(_, a)| text(a)).collect::<Vec<_>>().join("\n");
    for watched in [
        "\"MetricName\":\"5xx\"",
        "\"MetricName\":\"ReadThrottleEvents\"",
        "\"MetricName\":\"WriteThrottleEvents\"",
        "\"MetricName\":\"Reputation.BounceRate\"",
        "\"MetricName\":\"Reputation.ComplaintRate\"",
        "\"MetricName\":\"OutboxAgeSeconds\"",
    ] {
        assert!(all.contains(watched), "no alarm on {watched}");
    }
    // The outbox age is what notify-drain publishes (app::metrics), under that namespace.
    assert!(all.contains(&format!("\"Namespace\":\"{}\"", shared::app::metrics::NAMESPACE)));

    let subscription = &resources_of(&template, "AWS::SNS::Subscription")[0].1;
    assert_eq!(refs(&subscription["Properties"]["Endpoint"]), ["AlarmEmail"]);
    let budget = &resources_of(&template, "AWS::Budgets::Budget")[0].1;
    assert_eq!(budget["Condition"], "HasBudget");
    assert!(refs(&budget["Properties"]["NotificationsWithSubscribers"]).iter().all(|r| r == "AlarmTopic"));
}
