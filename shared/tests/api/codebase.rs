//! Properties of the code itself.

use std::path::{Path, PathBuf};

use crate::helpers::workspace_root;

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

/// Every read is a GetItem or a Query on a key; a Scan would read every client's data and grow
/// with the table. Nothing that ships (the shared crate, the functions, the CLI) may call one.
#[test]
fn no_table_scans_anywhere() {
    let root = workspace_root();
    let mut files = Vec::new();
    for dir in ["shared/src", "functions", "cli/src"] {
        rust_files(&root.join(dir), &mut files);
    }
    assert!(files.len() > 30, "the walk found only {} files", files.len());
    let mut scans = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            if code.contains(".scan(") || code.contains("ScanInput") || code.contains("scan_paginator") {
                scans.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
            }
        }
    }
    assert!(scans.is_empty(), "DynamoDB Scan in shipped code:\n{}", scans.join("\n"));
}
