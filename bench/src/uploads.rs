//! Multipart upload throughput against the emulator: one file sent in 8 MiB parts through the
//! presigned URLs the files router hands out, with 1, 3 and 6 parts in flight (the web app
//! sends 3), then the completion (assembly, checks, copy to the final key) timed on its own.

use std::time::Instant;

use anyhow::{Context, Result, bail};
use futures_util::{StreamExt, TryStreamExt};
use http::StatusCode;
use serde_json::{Value, json};
use shared::domain::{MilestoneSummary, Project, ProjectStatus};

use super::{call, linked_contact, portal, sign_in};

pub async fn run(moto: &str, mib: usize, parallel: &[usize]) -> Result<()> {
    let state = portal(moto, None).await?;
    let (email, client_id) = linked_contact(&state, 1).await?;
    let project = Project {
        id: ulid::Ulid::new(),
        client_id,
        name: "Bench uploads".into(),
        status: ProjectStatus::Active,
        start_date: None,
        due_date: None,
        summary: String::new(),
        milestones: MilestoneSummary::default(),
        harvest_project: None,
        created_at: time::OffsetDateTime::now_utc(),
    };
    devkit::insert(&state.store, state.store.project_item(&project)?).await?;
    let cookie = sign_in(&state, moto, &email).await?;
    let router = shared::app::router(shared::files::routes::files, state.clone());
    let http = reqwest::Client::new();
    let mut bytes = vec![0u8; mib * 1024 * 1024];
    bytes[..9].copy_from_slice(b"%PDF-1.7\n");
    println!("multipart upload of {mib} MiB against the emulator (8 MiB parts, presigned PUTs):");
    for &p in parallel {
        let body = json!({
            "destination": { "kind": "project", "project_id": project.id.to_string() },
            "filename": "bench.pdf", "content_type": "application/pdf", "size": bytes.len()
        });
        let (status, answer, _) = call(&router, "POST", "/api/uploads", Some(body), Some(&cookie)).await?;
        if status != StatusCode::CREATED {
            bail!("start answered {status}: {}", String::from_utf8_lossy(&answer));
        }
        let upload: Value = serde_json::from_slice(&answer)?;
        let id = upload["id"].as_str().context("upload id")?.to_owned();
        let count = upload["part_count"].as_u64().context("part count")?;
        let part_size = usize::try_from(upload["part_size"].as_u64().context("part size")?)?;
        let numbers: Vec<u64> = (1..=count).collect();
        let (status, answer, _) = call(
            &router,
            "POST",
            &format!("/api/uploads/{id}/parts"),
            Some(json!({ "numbers": numbers })),
            Some(&cookie),
        )
        .await?;
        if status != StatusCode::OK {
            bail!("parts answered {status}");
        }
        let parts: Value = serde_json::from_slice(&answer)?;
        let parts: Vec<(usize, String)> = parts["parts"]
            .as_array()
            .context("parts")?
            .iter()
            .map(|part| {
                (part["number"].as_u64().unwrap_or(0) as usize, part["url"].as_str().unwrap_or_default().to_owned())
            })
            .collect();
        let started = Instant::now();
        futures_util::stream::iter(parts)
            .map(|(number, url)| {
                let chunk = bytes[(number - 1) * part_size..(number * part_size).min(bytes.len())].to_vec();
                let http = &http;
                async move {
                    let response = http.put(url).body(chunk).send().await?;
                    if !response.status().is_success() {
                        bail!("part {number} answered {}", response.status());
                    }
                    Ok(())
                }
            })
            .buffer_unordered(p)
            .try_collect::<Vec<()>>()
            .await?;
        let sent = started.elapsed();
        let completing = Instant::now();
        let (status, answer, _) =
            call(&router, "POST", &format!("/api/uploads/{id}/complete"), None, Some(&cookie)).await?;
        if status != StatusCode::OK {
            bail!("complete answered {status}: {}", String::from_utf8_lossy(&answer));
        }
        let completed = completing.elapsed();
        println!(
            "  {p} part(s) in parallel: {count} parts in {:.2} s = {:.0} MB/s | complete (assemble, check, copy) {:.2} s",
            sent.as_secs_f64(),
            bytes.len() as f64 / 1e6 / sent.as_secs_f64(),
            completed.as_secs_f64()
        );
    }
    Ok(())
}
