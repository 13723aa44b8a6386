//! Typed configuration, read from the environment once per cold start. A missing or malformed
//! variable fails init with a message naming it, so a bad deploy is caught before any request.

use std::fmt;
use std::time::Duration;

use crate::domain::EmailAddress;

#[derive(Clone)]
pub struct Config {
    /// DynamoDB single table.
    pub table_name: String,
    /// Private S3 bucket holding deliverable files.
    pub files_bucket: String,
    /// Verified SES identity the portal sends from.
    pub sender_email: EmailAddress,
    /// Origin of the web app, e.g. `https://portal.agency.com` (no trailing slash). Magic links
    /// point here, and state-changing requests from any other origin are refused.
    pub public_url: String,
    /// Shown in emails and the web app.
    pub agency_name: String,
    /// Where the agency is told about new client messages; none → no notification mail.
    pub notify_email: Option<EmailAddress>,
    pub jwt_secret: Secret,
    pub session_ttl: Duration,
    pub login_limit_per_email: u32,
    pub login_limit_per_ip: u32,
    /// Harvest credentials; `None` when invoices are not set up.
    pub harvest: Option<HarvestConfig>,
    /// How long cached invoices count as fresh.
    pub invoice_cache_ttl: Duration,
    /// Largest file anyone may upload (`UPLOAD_MAX_BYTES`, at most 5 GiB: one CopyObject).
    pub upload_max_bytes: u64,
    /// What a client's side may store and send in one file request.
    pub upload_limits: UploadLimits,
    /// `MALWARE_SCAN=guardduty`: an upload passes only once GuardDuty Malware Protection for
    /// S3 has tagged it `NO_THREATS_FOUND`.
    pub malware_scan: bool,
    /// Local development only (`UPLOAD_URL`): where browsers POST uploads instead of the
    /// bucket's own URL. The dev server proxies it to the emulator, whose POST answers carry no
    /// CORS headers; S3 itself answers with the bucket's CORS rules, so production leaves it unset.
    pub upload_url: Option<String>,
    /// Every magic-link request that passes the rate limit is answered no sooner than this after
    /// it arrived, so the extra work for a known address (token write, SES send) does not show
    /// in the timing.
    pub login_response_floor: Duration,
    /// `ORIGIN_VERIFY_SECRET`: CloudFront adds it to every request it forwards (a custom origin
    /// header). When set, requests without it are refused — the API answers only through
    /// CloudFront — and CloudFront's `CloudFront-Viewer-Address` is trusted for the caller's IP.
    pub origin_secret: Option<Secret>,
    /// `STAFF_REQUIRE_PASSKEY`: an agency staff member's magic link must be followed by a
    /// passkey (registered the first time, asserted afterwards) before a session opens.
    pub staff_require_passkey: bool,
    /// When and how notification mail goes out.
    pub notifications: NotifyConfig,
}

/// Notification mail: how long "right away" mail waits to batch, when the daily digest goes
/// out, and the SES configuration set whose bounce and complaint events come back to us.
#[derive(Debug, Clone)]
pub struct NotifyConfig {
    /// `NOTIFY_BATCH_SECONDS` (default 300): events for one person within this window go out
    /// as one mail.
    pub batch_window: Duration,
    /// `DIGEST_HOUR` (0–23, default 8) in `AGENCY_TIME_ZONE` (IANA name, default UTC). The
    /// name is resolved by the one function that needs it (`notify::agency_time_zone`, checked
    /// at the drain's cold start), so the time zone database is linked into no other function.
    pub digest_hour: i8,
    pub time_zone_name: String,
    /// `SES_CONFIGURATION_SET`: every mail is sent through it (its event destination reports
    /// bounces and complaints).
    pub configuration_set: Option<String>,
}

/// Caps on what a client's contacts upload (agency uploads are not counted).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UploadLimits {
    /// `CLIENT_UPLOAD_QUOTA_BYTES`: all files a client's side has stored, together.
    pub client_bytes: u64,
    /// `CLIENT_UPLOAD_QUOTA_FILES`: how many files a client's side may have stored.
    pub client_files: u64,
    /// `REQUEST_MAX_FILES`: how many files one file request takes.
    pub request_files: usize,
}

#[derive(Clone)]
pub struct HarvestConfig {
    /// `https://api.harvestapp.com` in production; a local fake in development and tests.
    pub base_url: String,
    pub access_token: String,
    pub account_id: String,
    /// Harvest requires the app's name and a contact: `Client Portal (ops@agency.com)`.
    pub user_agent: String,
    pub request_timeout: Duration,
}

impl fmt::Debug for HarvestConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HarvestConfig")
            .field("base_url", &self.base_url)
            .field("account_id", &self.account_id)
            .field("access_token", &"<redacted>")
            .finish()
    }
}

/// Key material (the JWT key, the origin secret); at least 32 bytes. Never printed.
#[derive(Clone)]
pub struct Secret(Vec<u8>);

impl Secret {
    /// A secret from text, if it is long enough (32 bytes or more).
    pub fn from_text(text: &str) -> Option<Self> {
        (text.len() >= 32).then(|| Self(text.as_bytes().to_vec()))
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    #[error("environment variable {0} is required but not set")]
    Missing(&'static str),
    #[error("environment variable {name} is invalid: {reason}")]
    Invalid { name: &'static str, reason: String },
}

impl Config {
    /// Login tokens live 10 minutes (OWASP ASVS 5.0 §6.5.5): short enough to be useless when
    /// a mailbox leaks later, long enough for slow mail delivery.
    pub const LOGIN_TOKEN_TTL: Duration = Duration::from_secs(10 * 60);
    /// Fixed rate-limit window for sign-in requests.
    pub const LOGIN_RATE_WINDOW: Duration = Duration::from_secs(15 * 60);
    /// The JWT audience: tokens minted for anything else are refused.
    pub const JWT_AUDIENCE: &'static str = "client-portal";

    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        const GIB: u64 = 1024 * 1024 * 1024;
        let required = |name: &'static str| {
            lookup(name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty()).ok_or(ConfigError::Missing(name))
        };
        let optional = |name: &'static str| lookup(name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        let invalid = |name: &'static str, reason: &str| ConfigError::Invalid { name, reason: reason.to_owned() };
        let number = |name: &'static str, default: u64, range: std::ops::RangeInclusive<u64>| match optional(name) {
            None => Ok(default),
            Some(raw) => raw.parse::<u64>().ok().filter(|n| range.contains(n)).ok_or_else(|| {
                invalid(name, &format!("expected a whole number in {}..={}", range.start(), range.end()))
            }),
        };

        let sender_email = EmailAddress::parse(&required("SENDER_EMAIL")?)
            .map_err(|_| invalid("SENDER_EMAIL", "not an email address"))?;
        let public_url = parse_public_url(&required("PUBLIC_URL")?).map_err(|reason| invalid("PUBLIC_URL", reason))?;
        let secret = required("JWT_SECRET")?;
        if secret.len() < 32 {
            return Err(invalid("JWT_SECRET", "must be at least 32 bytes (use `openssl rand -base64 48`)"));
        }
        let harvest = match (optional("HARVEST_ACCESS_TOKEN"), optional("HARVEST_ACCOUNT_ID")) {
            (None, None) => None,
            (Some(access_token), Some(account_id)) => {
                let base_url = optional("HARVEST_BASE_URL").unwrap_or_else(|| "https://api.harvestapp.com".to_owned());
                let base_url = parse_base_url(&base_url).map_err(|reason| invalid("HARVEST_BASE_URL", reason))?;
                let contact = optional("HARVEST_CONTACT_EMAIL").unwrap_or_else(|| sender_email.to_string());
                Some(HarvestConfig {
                    base_url,
                    access_token,
                    account_id,
                    user_agent: format!("Client Portal ({contact})"),
                    request_timeout: Duration::from_secs(5),
                })
            }
            (Some(_), None) => return Err(ConfigError::Missing("HARVEST_ACCOUNT_ID")),
            (None, Some(_)) => return Err(ConfigError::Missing("HARVEST_ACCESS_TOKEN")),
        };
        let time_zone_name = optional("AGENCY_TIME_ZONE").unwrap_or_else(|| "UTC".to_owned());
        let notifications = NotifyConfig {
            batch_window: Duration::from_secs(number("NOTIFY_BATCH_SECONDS", 300, 0..=86_400)?),
            digest_hour: i8::try_from(number("DIGEST_HOUR", 8, 0..=23)?).unwrap_or(8),
            time_zone_name,
            configuration_set: optional("SES_CONFIGURATION_SET"),
        };
        Ok(Self {
            notifications,
            harvest,
            invoice_cache_ttl: Duration::from_secs(number("INVOICE_CACHE_TTL_SECONDS", 300, 10..=86_400)?),
            upload_max_bytes: number("UPLOAD_MAX_BYTES", 5 * GIB, 1024..=5 * GIB)?,
            upload_limits: UploadLimits {
                client_bytes: number("CLIENT_UPLOAD_QUOTA_BYTES", 50 * GIB, 1024 * 1024..=100 * 1024 * GIB)?,
                client_files: number("CLIENT_UPLOAD_QUOTA_FILES", 5000, 1..=1_000_000)?,
                request_files: usize::try_from(number("REQUEST_MAX_FILES", 25, 1..=200)?).unwrap_or(25),
            },
            malware_scan: match optional("MALWARE_SCAN").as_deref() {
                None | Some("off") => false,
                Some("guardduty") => true,
                Some(_) => return Err(invalid("MALWARE_SCAN", "expected off or guardduty")),
            },
            origin_secret: match optional("ORIGIN_VERIFY_SECRET") {
                Some(secret) if secret.len() < 32 => {
                    return Err(invalid("ORIGIN_VERIFY_SECRET", "must be at least 32 bytes"));
                }
                secret => secret.map(|s| Secret(s.into_bytes())),
            },
            staff_require_passkey: match optional("STAFF_REQUIRE_PASSKEY").as_deref().map(str::trim) {
                None | Some("" | "false" | "0") => false,
                Some("true" | "1") => true,
                Some(_) => return Err(invalid("STAFF_REQUIRE_PASSKEY", "expected true or false")),
            },
            login_response_floor: Duration::from_millis(number("LOGIN_RESPONSE_FLOOR_MS", 700, 0..=5_000)?),
            upload_url: optional("UPLOAD_URL")
                .map(|raw| parse_url_prefix(&raw).map_err(|reason| invalid("UPLOAD_URL", reason)))
                .transpose()?,
            table_name: required("TABLE_NAME")?,
            files_bucket: required("FILES_BUCKET")?,
            sender_email,
            public_url,
            agency_name: optional("AGENCY_NAME").unwrap_or_else(|| "Client Portal".to_owned()),
            notify_email: optional("AGENCY_NOTIFY_EMAIL")
                .map(|raw| {
                    EmailAddress::parse(&raw).map_err(|_| invalid("AGENCY_NOTIFY_EMAIL", "not an email address"))
                })
                .transpose()?,
            jwt_secret: Secret(secret.into_bytes()),
            session_ttl: Duration::from_secs(number("SESSION_TTL_SECONDS", 8 * 3600, 300..=7 * 24 * 3600)?),
            login_limit_per_email: u32::try_from(number("LOGIN_LIMIT_PER_EMAIL", 5, 1..=1000)?).unwrap_or(5),
            login_limit_per_ip: u32::try_from(number("LOGIN_LIMIT_PER_IP", 30, 1..=100_000)?).unwrap_or(30),
        })
    }

    /// The origin browsers send in `Origin` for requests from our own web app.
    pub fn public_origin(&self) -> &str {
        &self.public_url
    }
}

/// Harvest's base URL: https, or http on loopback (the local fake).
fn parse_base_url(raw: &str) -> Result<String, &'static str> {
    parse_public_url(raw)
}

/// An origin as `parse_public_url` accepts it, followed by an optional path (no query).
fn parse_url_prefix(raw: &str) -> Result<String, &'static str> {
    let trimmed = raw.trim_end_matches('/');
    let uri: http::Uri = trimmed.parse().map_err(|_| "not a URL")?;
    if uri.query().is_some() {
        return Err("must not have a query");
    }
    let origin = format!("{}://{}", uri.scheme_str().unwrap_or_default(), uri.authority().ok_or("missing host")?);
    parse_public_url(&origin)?;
    Ok(trimmed.to_owned())
}

/// Accepts an `https://` origin, or `http://` for loopback development only.
fn parse_public_url(raw: &str) -> Result<String, &'static str> {
    let trimmed = raw.trim_end_matches('/');
    let uri: http::Uri = trimmed.parse().map_err(|_| "not a URL")?;
    let host = uri.host().ok_or("missing host")?;
    match uri.scheme_str() {
        Some("https") => {}
        Some("http") if matches!(host, "localhost" | "127.0.0.1" | "[::1]") => {}
        Some("http") => return Err("must use https (http is allowed only for localhost)"),
        _ => return Err("must start with https://"),
    }
    if uri.path() != "/" && !uri.path().is_empty() || uri.query().is_some() {
        return Err("must be an origin only, without a path or query");
    }
    Ok(trimmed.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(overrides: &[(&str, &str)]) -> HashMap<String, String> {
        let mut map: HashMap<String, String> = [
            ("TABLE_NAME", "portal"),
            ("FILES_BUCKET", "portal-files"),
            ("SENDER_EMAIL", "portal@agency.example"),
            ("PUBLIC_URL", "https://portal.agency.example/"),
            ("JWT_SECRET", "0123456789abcdef0123456789abcdef"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        for (k, v) in overrides {
            map.insert((*k).to_owned(), (*v).to_owned());
        }
        map
    }

    fn load(map: &HashMap<String, String>) -> Result<Config, ConfigError> {
        Config::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_apply() {
        let config = load(&env(&[])).unwrap();
        assert_eq!(config.public_url, "https://portal.agency.example");
        assert_eq!(config.session_ttl, Duration::from_secs(8 * 3600));
        assert_eq!(config.login_limit_per_email, 5);
        assert_eq!(config.agency_name, "Client Portal");
    }

    #[test]
    fn missing_variable_is_named() {
        let mut map = env(&[]);
        map.remove("TABLE_NAME");
        assert_eq!(load(&map).err(), Some(ConfigError::Missing("TABLE_NAME")));
        let blank = env(&[("JWT_SECRET", "  ")]);
        assert_eq!(load(&blank).err(), Some(ConfigError::Missing("JWT_SECRET")));
    }

    #[test]
    fn bad_values_are_named() {
        for (name, value) in [
            ("JWT_SECRET", "short"),
            ("PUBLIC_URL", "http://portal.agency.example"),
            ("PUBLIC_URL", "https://portal.agency.example/app"),
            ("PUBLIC_URL", "portal.agency.example"),
            ("SENDER_EMAIL", "nobody"),
            ("SESSION_TTL_SECONDS", "10"),
            ("SESSION_TTL_SECONDS", "eight hours"),
        ] {
            match load(&env(&[(name, value)])) {
                Err(ConfigError::Invalid { name: got, .. }) => assert_eq!(got, name, "{value}"),
                other => panic!("{name}={value} gave {:?}", other.map(|c| c.public_url)),
            }
        }
    }

    #[test]
    fn http_is_allowed_for_localhost_only() {
        let config = load(&env(&[("PUBLIC_URL", "http://localhost:5173")])).unwrap();
        assert_eq!(config.public_origin(), "http://localhost:5173");
    }

    #[test]
    fn harvest_needs_both_credentials() {
        assert!(load(&env(&[])).unwrap().harvest.is_none());
        let both = load(&env(&[("HARVEST_ACCESS_TOKEN", "sekrit-value"), ("HARVEST_ACCOUNT_ID", "42")])).unwrap();
        let harvest = both.harvest.unwrap();
        assert_eq!(harvest.base_url, "https://api.harvestapp.com");
        assert_eq!(harvest.user_agent, "Client Portal (portal@agency.example)");
        assert!(!format!("{harvest:?}").contains("sekrit"));
        assert_eq!(
            load(&env(&[("HARVEST_ACCESS_TOKEN", "tok")])).err(),
            Some(ConfigError::Missing("HARVEST_ACCOUNT_ID"))
        );
        let bad = env(&[
            ("HARVEST_ACCESS_TOKEN", "t"),
            ("HARVEST_ACCOUNT_ID", "1"),
            ("HARVEST_BASE_URL", "http://evil.example"),
        ]);
        assert!(matches!(load(&bad), Err(ConfigError::Invalid { name: "HARVEST_BASE_URL", .. })));
    }

    #[test]
    fn upload_url_is_a_local_or_https_prefix() {
        assert_eq!(load(&env(&[])).unwrap().upload_url, None);
        let local = load(&env(&[("UPLOAD_URL", "http://localhost:5173/__s3/")])).unwrap();
        assert_eq!(local.upload_url.as_deref(), Some("http://localhost:5173/__s3"));
        for bad in ["http://files.example/__s3", "ftp://localhost/x", "http://localhost/x?y=1", "not a url"] {
            assert!(
                matches!(load(&env(&[("UPLOAD_URL", bad)])), Err(ConfigError::Invalid { name: "UPLOAD_URL", .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn secret_is_never_printed() {
        let config = load(&env(&[])).unwrap();
        assert!(!format!("{:?}", config.jwt_secret).contains("0123"));
    }
}
