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
/// with the table. Nothing that ships (the shared crate, the functions, the CLI) may call one —
/// but the backup, whose job is to read the whole table, and which no function uses.
#[test]
fn no_table_scans_anywhere() {
    let root = workspace_root();
    let mut files = Vec::new();
    for dir in ["shared/src", "functions", "cli/src"] {
        rust_files(&root.join(dir), &mut files);
    }
    assert!(files.len() > 30, "the walk found only {} files", files.len());
    let backup = root.join("shared/src/backup");
    for file in files.iter().filter(|f| f.starts_with(root.join("functions"))) {
        assert!(!read(file).contains("backup::"), "{} uses the backup", file.display());
    }
    let mut scans = Vec::new();
    for file in files.iter().filter(|f| !f.starts_with(&backup)) {
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

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap()
}

/// Grepping a path from `template.yaml` lands on its handler: each route string is written out
/// literally, in exactly one Rust file.
#[test]
fn every_template_route_is_written_out_in_one_rust_file() {
    let root = workspace_root();
    let mut files = Vec::new();
    rust_files(&root.join("shared/src"), &mut files);
    let texts: Vec<(PathBuf, String)> = files.into_iter().map(|f| (f.clone(), read(&f))).collect();
    let mut paths: Vec<&str> =
        crate::helpers::template_routes().iter().map(|r| r.path.as_str()).filter(|p| *p != "$default").collect();
    paths.sort_unstable();
    paths.dedup();
    assert!(paths.len() > 30, "only {} paths in template.yaml", paths.len());
    for path in paths {
        let quoted = format!("\"{path}\"");
        let holders: Vec<String> =
            texts.iter().filter(|(_, text)| text.contains(&quoted)).map(|(f, _)| f.display().to_string()).collect();
        assert_eq!(holders.len(), 1, "{path} is written in {holders:?}");
    }
}

/// The features a module of `shared/src` names with `crate::…`.
fn features_named(text: &str) -> Vec<&'static str> {
    const FEATURES: [&str; 10] =
        ["auth", "portal", "invoices", "admin", "files", "mail", "app", "branding", "notify", "team"];
    FEATURES
        .into_iter()
        .filter(|f| text.contains(&format!("crate::{f}::")) || text.contains(&format!("crate::{f}::{{")))
        .collect()
}

/// Plumbing (`http`, `store`, `domain`, `aws`, `config`) never imports a feature; features never
/// import the composition root (`app`); and no two features import each other, even through a
/// third.
#[test]
fn modules_import_downwards_only() {
    let src = workspace_root().join("shared/src");
    let mut edges: Vec<(String, &'static str)> = Vec::new();
    for entry in std::fs::read_dir(&src).unwrap().flatten() {
        let path = entry.path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let mut files = Vec::new();
        if path.is_dir() {
            rust_files(&path, &mut files);
        } else {
            files.push(path.clone());
        }
        for file in files {
            for feature in features_named(&read(&file)) {
                if feature != name {
                    edges.push((name.clone(), feature));
                }
            }
        }
    }
    assert!(edges.iter().any(|(from, to)| from == "admin" && *to == "mail"), "the walk saw no imports: {edges:?}");
    for plumbing in ["http", "store", "domain", "aws", "config"] {
        let upward: Vec<_> = edges.iter().filter(|(from, _)| from == plumbing).collect();
        assert!(upward.is_empty(), "plumbing imports features: {upward:?}");
    }
    let into_app: Vec<_> = edges.iter().filter(|(from, to)| *to == "app" && from != "lib").collect();
    assert!(into_app.is_empty(), "features import the composition root: {into_app:?}");
    // No cycles: repeatedly remove modules nothing left imports from.
    let mut remaining: Vec<(String, String)> = edges.iter().map(|(a, b)| (a.clone(), (*b).to_owned())).collect();
    remaining.sort();
    remaining.dedup();
    loop {
        let sinks: Vec<String> = remaining
            .iter()
            .map(|(_, to)| to.clone())
            .filter(|to| !remaining.iter().any(|(from, _)| from == to))
            .collect();
        if sinks.is_empty() {
            break;
        }
        remaining.retain(|(_, to)| !sinks.contains(to));
    }
    assert!(remaining.is_empty(), "modules import each other in a circle: {remaining:?}");
}

/// What ships links no development tooling: the Lambdas' manifests and the shared library's
/// normal dependencies name no dev kit, CLI parser or HTTP mock.
#[test]
fn lambdas_link_no_dev_tooling() {
    let root = workspace_root();
    let mut manifests = vec![root.join("shared/Cargo.toml")];
    for entry in std::fs::read_dir(root.join("functions")).unwrap().flatten() {
        manifests.push(entry.path().join("Cargo.toml"));
    }
    assert!(manifests.len() >= 9);
    for manifest in manifests {
        let text = read(&manifest);
        let normal = text.split("[dependencies]").nth(1).unwrap_or_default().split("\n[").next().unwrap_or_default();
        assert!(
            normal.contains("shared") || normal.contains("aws-sdk"),
            "{}: no dependencies read",
            manifest.display()
        );
        for banned in ["devkit", "clap", "wiremock"] {
            assert!(!normal.contains(banned), "{} depends on {banned}", manifest.display());
        }
    }
}

/// Each function serves one invocation at a time, so its `main` starts tokio's current-thread
/// runtime: the default multi-thread runtime starts a worker per core before the first poll,
/// work a cold start pays and no request uses (`make bench`, bench/README.md).
#[test]
fn functions_start_a_current_thread_runtime() {
    let root = workspace_root();
    let mut mains = 0;
    for entry in std::fs::read_dir(root.join("functions")).unwrap().flatten() {
        let main = read(&entry.path().join("src/main.rs"));
        assert!(
            main.contains("#[tokio::main(flavor = \"current_thread\")]"),
            "{}: main does not start the current-thread runtime",
            entry.path().display()
        );
        mains += 1;
    }
    assert!(mains >= 15, "found {mains} functions");
}

/// ARCHITECTURE.md's layout tree names every top-level folder, every folder and file of the
/// shared library and every file of the dev kit, so it cannot fall behind `ls`.
#[test]
fn the_architecture_layout_matches_the_tree() {
    let root = workspace_root();
    let text = read(&root.join("ARCHITECTURE.md"));
    let layout = text.split("## Layout").nth(1).and_then(|rest| rest.split("\n## ").next()).unwrap_or_default();
    let tree = layout.split("```").nth(1).unwrap_or_default();
    assert!(tree.lines().count() > 30, "no layout tree in ARCHITECTURE.md");
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(&root).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let is_dir = entry.path().is_dir();
        let skip = name.starts_with('.') || name == "target" || name.ends_with(".md") || name.ends_with(".lock");
        let listed = if is_dir { tree.contains(&format!("{name}/")) } else { tree.contains(&name) };
        if !skip && (is_dir || name.ends_with(".yaml") || name == "Makefile" || name == "Cargo.toml") && !listed {
            missing.push(name);
        }
    }
    for dir in ["shared/src", "devkit/src"] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap().flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if entry.path().is_dir() {
                if !tree.contains(&format!("src/{name}/")) {
                    missing.push(format!("{dir}/{name}/"));
                }
                for file in std::fs::read_dir(entry.path()).unwrap().flatten() {
                    let file = file.file_name().to_string_lossy().into_owned();
                    if file != "mod.rs" && !tree.contains(&file) {
                        missing.push(format!("{dir}/{name}/{file}"));
                    }
                }
            } else if !tree.contains(&name) {
                missing.push(format!("{dir}/{name}"));
            }
        }
    }
    assert!(missing.is_empty(), "ARCHITECTURE.md's layout does not mention: {missing:?}");
}

/// The logo decoder's caps fit the branding function: the decoded source, its thumbnail and
/// the upload itself stay within its memory with room for the runtime (a decompression bomb
/// that passes the caps still cannot kill the function).
#[test]
fn the_logo_decoder_fits_the_branding_functions_memory() {
    use shared::branding::logo::{MAX_DECODE_BYTES, MAX_UPLOAD_BYTES};
    let text = read(&crate::helpers::workspace_root().join("template.yaml"));
    let template: serde_json::Value = serde_norway::from_str(&text).unwrap();
    let memory_mb = template["Resources"]["BrandingFunction"]["Properties"]["MemorySize"]
        .as_u64()
        .or_else(|| template["Globals"]["Function"]["MemorySize"].as_u64())
        .expect("a MemorySize for the branding function");
    const RUNTIME: u64 = 64 * 1024 * 1024; // the binary, the SDK clients, Tokio, request buffers
    let peak = 2 * MAX_DECODE_BYTES + MAX_UPLOAD_BYTES as u64 + RUNTIME;
    assert!(
        peak <= memory_mb * 1024 * 1024,
        "the logo decoder may need {} MB; the branding function has {memory_mb} MB",
        peak / 1024 / 1024
    );
}
