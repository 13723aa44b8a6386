//! `portal backup export` / `import` against the emulator: a round trip loses nothing.

use std::collections::BTreeMap;

use aws_sdk_dynamodb::types::AttributeValue;
use shared::backup::{self, BackupError};

use crate::helpers::{TestApp, spawn_app};

/// Every item of the app's table, keyed by (PK, SK), read in full.
async fn every_item(app: &TestApp) -> BTreeMap<(String, String), std::collections::HashMap<String, AttributeValue>> {
    let store = &app.state.store;
    let mut items = BTreeMap::new();
    let mut pages = store.client().scan().table_name(store.table_name()).consistent_read(true).into_paginator().send();
    while let Some(page) = pages.next().await {
        for item in page.unwrap().items() {
            let key = |name: &str| item[name].as_s().unwrap().clone();
            items.insert((key("PK"), key("SK")), item.clone());
        }
    }
    items
}

async fn export(app: &TestApp) -> (Vec<u8>, backup::Summary) {
    let mut archive = Vec::new();
    let store = &app.state.store;
    let files = &app.state.files;
    let summary =
        backup::export(store.client(), store.table_name(), files.client(), files.bucket(), &mut archive).await.unwrap();
    (archive, summary)
}

async fn import(app: &TestApp, archive: &[u8]) -> Result<backup::Summary, BackupError> {
    backup::import(app.state.store.client(), app.state.store.table_name(), archive).await
}

#[tokio::test]
async fn an_exported_table_restores_item_for_item_into_an_empty_table() {
    let source = spawn_app().await;
    devkit::seed_demo(&source.state.store, source.state.files.client(), source.state.files.bucket()).await.unwrap();
    let original = every_item(&source).await;
    assert!(original.len() > 50, "the demo data is there: {}", original.len());

    let (archive, exported) = export(&source).await;
    assert_eq!(exported.items, original.len());
    let listed =
        source.state.files.client().list_objects_v2().bucket(source.state.files.bucket()).send().await.unwrap();
    assert!(exported.files > 0 && exported.files == listed.contents().len(), "every file is in the manifest");
    let text = String::from_utf8(archive.clone()).unwrap();
    let sizes: Vec<i64> = listed.contents().iter().filter_map(|o| o.size()).collect();
    assert!(sizes.iter().all(|size| text.contains(&format!("\"size\":{size}"))), "sizes are in the manifest");

    let target = spawn_app().await;
    let restored = import(&target, &archive).await.unwrap();
    assert_eq!(restored, exported);
    assert_eq!(every_item(&target).await, original, "item for item equal");

    // Not into a table that has data: nothing more is written.
    assert!(matches!(import(&target, &archive).await, Err(BackupError::NotEmpty(_))));
    assert_eq!(every_item(&target).await.len(), original.len());
}

#[tokio::test]
async fn a_damaged_archive_is_refused_before_anything_is_written() {
    let source = spawn_app().await;
    devkit::seed_demo(&source.state.store, source.state.files.client(), source.state.files.bucket()).await.unwrap();
    let (archive, _) = export(&source).await;
    let text = String::from_utf8(archive).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let target = spawn_app().await;

    let cut_off = lines[..lines.len() - 1].join("\n");
    let mut edited = lines.clone();
    edited[2] = r#"{"item":{"PK":{"S":"CLIENT#x"},"SK":{"Q":"?"}}}"#;
    let edited = edited.join("\n");
    let mut extra = lines.clone();
    extra.insert(3, lines[2]);
    let extra = extra.join("\n");
    for (damage, archive) in [
        ("cut off", cut_off.as_str()),
        ("a bad attribute", edited.as_str()),
        ("counts that do not match", extra.as_str()),
        ("not an archive", "{\"hello\":1}\n"),
        ("empty", ""),
    ] {
        let refused = import(&target, archive.as_bytes()).await;
        assert!(matches!(refused, Err(BackupError::Archive { .. })), "{damage}: {refused:?}");
    }
    assert!(every_item(&target).await.is_empty(), "nothing was written");
}

/// The empty-table check cannot be fooled by a page boundary: DynamoDB may answer a scan with
/// an empty page that is not the last. A fake DynamoDB (its documented JSON protocol) answers
/// exactly that, then an item: the import refuses, having asked for consistent reads only and
/// written nothing.
#[tokio::test]
async fn the_empty_check_reads_consistently_and_past_an_empty_page() {
    use serde_json::{Value, json};
    use wiremock::matchers::{body_partial_json, header, method};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    let source = spawn_app().await;
    source.add_client("Acme").await;
    let (archive, _) = export(&source).await;

    let fake = MockServer::start().await;
    let answer = |body: Value| ResponseTemplate::new(200).set_body_raw(body.to_string(), "application/x-amz-json-1.0");
    let boundary = json!({ "PK": { "S": "CLIENT#1" }, "SK": { "S": "A" } });
    Mock::given(method("POST"))
        .and(header("x-amz-target", "DynamoDB_20120810.Scan"))
        .and(body_partial_json(json!({ "ExclusiveStartKey": boundary })))
        .respond_with(answer(
            json!({ "Items": [{ "PK": { "S": "CLIENT#1" }, "SK": { "S": "B" } }], "Count": 1, "ScannedCount": 1 }),
        ))
        .with_priority(1)
        .mount(&fake)
        .await;
    Mock::given(method("POST"))
        .and(header("x-amz-target", "DynamoDB_20120810.Scan"))
        .respond_with(answer(json!({ "Items": [], "Count": 0, "ScannedCount": 0, "LastEvaluatedKey": boundary })))
        .with_priority(2)
        .mount(&fake)
        .await;
    let sdk = crate::helpers::sdk_config(&fake.uri()).await;
    let db = aws_sdk_dynamodb::Client::new(&sdk);

    let refused = backup::import(&db, "portal", archive.as_slice()).await;
    assert!(matches!(refused, Err(BackupError::NotEmpty(_))), "{refused:?}");
    let requests = fake.received_requests().await.unwrap();
    let targets: Vec<String> = requests
        .iter()
        .map(|r| r.headers.get("x-amz-target").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default())
        .collect();
    assert_eq!(targets, ["DynamoDB_20120810.Scan", "DynamoDB_20120810.Scan"], "two scans, no write");
    for request in &requests {
        let body: Value = serde_json::from_slice(&request.body).unwrap();
        assert_eq!(body["ConsistentRead"], true, "{body}");
    }
}
