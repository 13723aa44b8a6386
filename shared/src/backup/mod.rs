//! Backup an operator can test: `portal backup export` writes the whole table and a manifest of
//! the files bucket (key, size, ETag) as JSON lines; `portal backup import` restores the table
//! into an empty one. In AWS, point-in-time recovery (template.yaml) is the first line; this is
//! the copy you keep elsewhere, and the one a restore drill can check item for item.
//!
//! The archive, one JSON object per line:
//! ```text
//! {"format":"client-portal-backup","version":1,"table":…,"bucket":…,"exported_at":…}
//! {"item":{"PK":{"S":…},…}}            (DynamoDB JSON, every type kept)
//! {"file":{"key":…,"size":…,"etag":…}}
//! {"end":{"items":N,"files":M}}        (a cut-off archive is refused)
//! ```
//!
//! The one place that reads the whole table (a Scan): an operator's command, never a request.

mod dynamo_json;

use std::collections::HashMap;
use std::io::{BufRead, Write};
use std::time::Duration;

use aws_sdk_dynamodb::Client as DynamoClient;
use aws_sdk_dynamodb::types::{AttributeValue, PutRequest, WriteRequest};
use serde_json::{Value, json};

pub use dynamo_json::{item_from_json, item_to_json};

pub const FORMAT: &str = "client-portal-backup";
pub const VERSION: u64 = 1;
/// DynamoDB's BatchWriteItem limit.
const BATCH: usize = 25;

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("DynamoDB: {0}")]
    Dynamo(String),
    #[error("S3: {0}")]
    S3(String),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("archive line {line}: {reason}")]
    Archive { line: usize, reason: String },
    #[error("the table {0} is not empty: restore into a new, empty table (nothing was written)")]
    NotEmpty(String),
    #[error("DynamoDB kept refusing {0} item(s) (throttled); the table now holds part of the archive")]
    Unprocessed(usize),
}

fn dynamo(error: impl std::error::Error) -> BackupError {
    BackupError::Dynamo(aws_smithy_types::error::display::DisplayErrorContext(error).to_string())
}

/// What an export wrote or an import restored.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    pub items: usize,
    pub files: usize,
}

/// Writes `table` and the manifest of `bucket` to `out`.
pub async fn export(
    db: &DynamoClient,
    table: &str,
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    out: &mut impl Write,
) -> Result<Summary, BackupError> {
    let exported_at =
        time::OffsetDateTime::now_utc().format(&time::format_description::well_known::Rfc3339).unwrap_or_default();
    let header =
        json!({ "format": FORMAT, "version": VERSION, "table": table, "bucket": bucket, "exported_at": exported_at });
    writeln!(out, "{header}")?;
    let mut summary = Summary::default();
    let mut pages = db.scan().table_name(table).consistent_read(true).into_paginator().send();
    while let Some(page) = pages.next().await {
        for item in page.map_err(dynamo)?.items() {
            writeln!(out, "{}", json!({ "item": item_to_json(item) }))?;
            summary.items += 1;
        }
    }
    let mut objects = s3.list_objects_v2().bucket(bucket).into_paginator().send();
    while let Some(page) = objects.next().await {
        let page =
            page.map_err(|e| BackupError::S3(aws_smithy_types::error::display::DisplayErrorContext(e).to_string()))?;
        for object in page.contents() {
            let file = json!({ "key": object.key(), "size": object.size(), "etag": object.e_tag() });
            writeln!(out, "{}", json!({ "file": file }))?;
            summary.files += 1;
        }
    }
    writeln!(out, "{}", json!({ "end": { "items": summary.items, "files": summary.files } }))?;
    out.flush()?;
    Ok(summary)
}

/// A whole archive, read and checked before anything is written.
struct Archive {
    items: Vec<HashMap<String, AttributeValue>>,
    files: usize,
}

fn read_archive(input: impl BufRead) -> Result<Archive, BackupError> {
    let mut archive = Archive { items: Vec::new(), files: 0 };
    let mut ended = false;
    let mut line_no = 0;
    for line in input.lines() {
        line_no += 1;
        let line = line?;
        let bad = |reason: &str| BackupError::Archive { line: line_no, reason: reason.to_owned() };
        if line.trim().is_empty() {
            continue;
        }
        if ended {
            return Err(bad("there is more after the end line"));
        }
        let value: Value = serde_json::from_str(&line).map_err(|_| bad("not JSON"))?;
        if line_no == 1 {
            if value["format"] != FORMAT || value["version"] != VERSION {
                return Err(bad(&format!("not a {FORMAT} archive of version {VERSION}")));
            }
            continue;
        }
        if let Some(item) = value.get("item") {
            archive.items.push(item_from_json(item).map_err(|reason| bad(&reason))?);
        } else if value.get("file").is_some() {
            archive.files += 1;
        } else if let Some(end) = value.get("end") {
            if end["items"] != archive.items.len() || end["files"] != archive.files {
                return Err(bad("the end line's counts do not match the archive"));
            }
            ended = true;
        } else {
            return Err(bad("neither an item, a file nor the end"));
        }
    }
    if line_no == 0 {
        return Err(BackupError::Archive { line: 0, reason: "the archive is empty".into() });
    }
    if !ended {
        return Err(BackupError::Archive { line: line_no, reason: "the archive is cut off (no end line)".into() });
    }
    Ok(archive)
}

/// Whether `table` holds no item: a consistent read (an item written just before counts), that
/// follows the scan past pages that come back empty but are not the last (DynamoDB may answer
/// so), until it sees an item or the end.
async fn is_empty(db: &DynamoClient, table: &str) -> Result<bool, BackupError> {
    let mut start = None;
    loop {
        let page = db
            .scan()
            .table_name(table)
            .consistent_read(true)
            .limit(1)
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(dynamo)?;
        if !page.items().is_empty() {
            return Ok(false);
        }
        match page.last_evaluated_key.filter(|key| !key.is_empty()) {
            Some(key) => start = Some(key),
            None => return Ok(true),
        }
    }
}

/// Restores an archive into `table`, which must exist and be empty.
pub async fn import(db: &DynamoClient, table: &str, input: impl BufRead) -> Result<Summary, BackupError> {
    let archive = read_archive(input)?;
    if !is_empty(db, table).await? {
        return Err(BackupError::NotEmpty(table.to_owned()));
    }
    for chunk in archive.items.chunks(BATCH) {
        let mut requests: Vec<WriteRequest> = chunk
            .iter()
            .map(|item| {
                let put = PutRequest::builder().set_item(Some(item.clone())).build().map_err(dynamo)?;
                Ok(WriteRequest::builder().put_request(put).build())
            })
            .collect::<Result<_, BackupError>>()?;
        // Throttled items come back unprocessed: send them again, backing off.
        for attempt in 0..8 {
            let output = db.batch_write_item().request_items(table, requests).send().await.map_err(dynamo)?;
            requests = output.unprocessed_items().and_then(|left| left.get(table)).cloned().unwrap_or_default();
            if requests.is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50 << attempt)).await;
        }
        if !requests.is_empty() {
            return Err(BackupError::Unprocessed(requests.len()));
        }
    }
    Ok(Summary { items: archive.items.len(), files: archive.files })
}
