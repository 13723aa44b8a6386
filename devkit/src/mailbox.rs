//! The one reader of the emulator's mailbox: the mail SES (moto) accepted, as `portal mailbox`
//! and the tests read it.

use std::time::Duration;

use serde_json::Value;
use shared::domain::EmailAddress;

#[derive(Debug, Clone)]
pub struct SentMail {
    pub to: Vec<String>,
    pub source: String,
    pub subject: String,
    /// The HTML part (moto keeps one body).
    pub body: String,
}

impl SentMail {
    /// The sign-in link's token, if this mail carries one.
    pub fn token(&self) -> Option<String> {
        let start = self.body.find("#token=")? + "#token=".len();
        let token: String =
            self.body[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect();
        (!token.is_empty()).then_some(token)
    }

    /// The first link to the verify page.
    pub fn magic_link(&self) -> Option<String> {
        self.body
            .split("href=\"")
            .skip(1)
            .filter_map(|rest| rest.split('"').next())
            .find(|href| href.contains("/auth/verify#token="))
            .map(|href| href.replace("&amp;", "&").replace("&#38;", "&"))
    }
}

#[derive(Debug, thiserror::Error)]
#[error("could not read the emulator's mailbox at {endpoint}: {reason}")]
pub struct MailboxError {
    endpoint: String,
    reason: String,
}

/// Mail accepted for `to` (or for anyone), oldest first.
pub async fn read(endpoint: &str, to: Option<&EmailAddress>) -> Result<Vec<SentMail>, MailboxError> {
    // moto builds data.json by walking every backend while others write to them, and now and
    // then fails mid-walk under load: read it again.
    let mut last_error = String::new();
    for attempt in 0..8 {
        match fetch(endpoint).await {
            Ok(data) => return Ok(parse(&data, to)),
            Err(error) => last_error = error,
        }
        tokio::time::sleep(Duration::from_millis(100 * (attempt + 1))).await;
    }
    Err(MailboxError { endpoint: endpoint.to_owned(), reason: last_error })
}

async fn fetch(endpoint: &str) -> Result<Value, String> {
    let response =
        reqwest::get(format!("{endpoint}/moto-api/data.json?service=ses")).await.map_err(|e| e.to_string())?;
    if !response.status().is_success() {
        return Err(format!("status {}", response.status()));
    }
    response.json::<Value>().await.map_err(|e| e.to_string())
}

fn parse(data: &Value, to: Option<&EmailAddress>) -> Vec<SentMail> {
    data["ses"]["Message"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|m| SentMail {
            to: m["destinations"]["ToAddresses"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect(),
            source: m["source"].as_str().unwrap_or_default().to_owned(),
            subject: m["subject"].as_str().unwrap_or_default().to_owned(),
            body: m["body"].as_str().unwrap_or_default().to_owned(),
        })
        .filter(|mail| to.is_none_or(|to| mail.to.iter().any(|address| address == to.as_str())))
        .collect()
}
