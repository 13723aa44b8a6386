//! Load against a running stack (`make load`, with `make dev` up): 200 concurrent sign-in
//! attempts, then 1 000 concurrent authenticated reads and 200 concurrent message posts.
//! Passes when nothing answered 5xx and every posted message is in the thread afterwards.

use std::collections::{BTreeMap, HashSet};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use futures_util::{StreamExt, stream};
use serde_json::{Value, json};

use crate::newest_token;

/// Status counts of one phase.
#[derive(Default)]
struct Tally(BTreeMap<u16, usize>);

impl Tally {
    fn add(&mut self, status: u16) {
        *self.0.entry(status).or_default() += 1;
    }
    fn server_errors(&self) -> usize {
        self.0.iter().filter(|(s, _)| **s >= 500).map(|(_, n)| n).sum()
    }
    fn describe(&self) -> String {
        self.0.iter().map(|(s, n)| format!("{n} × {s}")).collect::<Vec<_>>().join(", ")
    }
}

async fn session(http: &reqwest::Client, base: &str, moto: &str, email: &str) -> Result<String> {
    let login = http.post(format!("{base}/api/auth/login")).json(&json!({ "email": email })).send().await?;
    if login.status() != 202 {
        bail!("login for {email} answered {}", login.status());
    }
    let token = newest_token(moto, email).await?;
    let verify = http.post(format!("{base}/api/auth/verify")).json(&json!({ "token": token })).send().await?;
    verify
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("portal_session="))
        .and_then(|c| c.split(';').next())
        .map(str::to_owned)
        .context("verify set no session cookie")
}

pub async fn run(base: &str, moto: &str, sign_ins: usize, reads: usize, posts: usize) -> Result<()> {
    let http = reqwest::Client::builder().pool_max_idle_per_host(64).build()?;
    let base = base.trim_end_matches('/');
    // The contact for the read/post phase signs in first: the storm below spends the sign-in
    // limit of this machine's address (LOGIN_LIMIT_PER_IP, 30 per 15 minutes), as it should.
    let cookie = session(&http, base, moto, "alice@northwind.example").await.context(
        "signing in alice@northwind.example (if this says 429, an earlier run spent the sign-in limit: \
         wait 15 minutes or restart make dev)",
    )?;
    let started = Instant::now();

    // 1. Sign-in attempts, all at once, for known and unknown addresses alike.
    let mut logins = Tally::default();
    let statuses: Vec<Result<u16>> = stream::iter(0..sign_ins)
        .map(|n| {
            let http = http.clone();
            let email =
                if n % 2 == 0 { format!("load-{n}@nowhere.example") } else { "bob@northwind.example".to_owned() };
            async move {
                Ok(http
                    .post(format!("{base}/api/auth/login"))
                    .json(&json!({ "email": email }))
                    .send()
                    .await?
                    .status()
                    .as_u16())
            }
        })
        .buffer_unordered(sign_ins)
        .collect()
        .await;
    for status in statuses {
        logins.add(status?);
    }
    println!(
        "{sign_ins} concurrent sign-in attempts: {} ({:.1} s)",
        logins.describe(),
        started.elapsed().as_secs_f64()
    );

    // 2. Reads and message posts as a signed-in contact, all at once.
    let run_id = ulid::Ulid::new().to_string();
    let paths = ["/api/dashboard", "/api/projects", "/api/messages", "/api/invoices", "/api/me"];
    let phase = Instant::now();
    let mut reads_tally = Tally::default();
    let mut posts_tally = Tally::default();
    let requests = (0..reads).map(|n| (false, n)).chain((0..posts).map(|n| (true, n)));
    let results: Vec<Result<(bool, u16)>> = stream::iter(requests)
        .map(|(post, n)| {
            let (http, cookie, run_id) = (http.clone(), cookie.clone(), run_id.clone());
            async move {
                let request = if post {
                    http.post(format!("{base}/api/messages"))
                        .json(&json!({ "body": format!("load {run_id} #{n}") }))
                        .header("origin", base)
                } else {
                    http.get(format!("{base}{}", paths[n % paths.len()]))
                };
                Ok((post, request.header("cookie", cookie).send().await?.status().as_u16()))
            }
        })
        .buffer_unordered(reads + posts)
        .collect()
        .await;
    for result in results {
        let (post, status) = result?;
        if post { posts_tally.add(status) } else { reads_tally.add(status) }
    }
    println!(
        "{reads} concurrent reads: {}; {posts} concurrent message posts: {} ({:.1} s)",
        reads_tally.describe(),
        posts_tally.describe(),
        phase.elapsed().as_secs_f64()
    );

    // 3. Every message that was accepted is in the thread.
    let mut seen = HashSet::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut url = format!("{base}/api/messages?limit=100");
        if let Some(c) = &cursor {
            url.push_str(&format!("&cursor={c}"));
        }
        let page: Value = http.get(url).header("cookie", &cookie).send().await?.json().await?;
        for item in page["items"].as_array().into_iter().flatten() {
            if let Some(body) = item["body"].as_str().filter(|b| b.starts_with(&format!("load {run_id} #"))) {
                seen.insert(body.to_owned());
            }
        }
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    let accepted = posts_tally.0.get(&201).copied().unwrap_or_default();
    println!("messages accepted: {accepted}; found in the thread afterwards: {}", seen.len());

    let server_errors = logins.server_errors() + reads_tally.server_errors() + posts_tally.server_errors();
    if server_errors > 0 {
        bail!("{server_errors} responses were 5xx");
    }
    if seen.len() != accepted || accepted != posts {
        bail!("lost messages: {posts} posted, {accepted} accepted, {} in the thread", seen.len());
    }
    println!("OK: no 5xx, no lost message ({:.1} s in all)", started.elapsed().as_secs_f64());
    Ok(())
}
