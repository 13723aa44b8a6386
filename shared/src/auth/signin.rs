//! Magic-link sign-in, as domain functions: no HTTP here, only the rules (ARCHITECTURE.md,
//! "Sign-in"). `routes.rs` adapts them to requests and responses.

use time::OffsetDateTime;

use crate::config::Config;
use crate::domain::{
    AdminId, AuditEvent, ClientId, ContactId, EmailAddress, Error, LoginToken, LoginTokenRecord, Principal, Role,
    SessionId, SessionRecord, sha256_hex,
};
use crate::mail::{Brand, MagicLink, Mailer};
use crate::store::{RateLimitHit, Store, StoreError};

fn now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

/// How many sources it takes to use up an address's own limit: one source alone (however fast)
/// reaches only its per-address-and-source limit, so it cannot lock the person out of signing
/// in from anywhere else.
const SOURCES_PER_ADDRESS: u32 = 4;

/// Counts this attempt against the limits, known address or not, so the limit itself reveals
/// nothing: per source (IP), per address from that source (`login_limit_per_email`), and per
/// address from everywhere (`SOURCES_PER_ADDRESS` times that, which bounds the mail one address
/// can be sent). Subjects are hashed: the table never holds who tried.
pub async fn check_login_rate(store: &Store, config: &Config, email: &EmailAddress, ip: &str) -> Result<(), Error> {
    let now = now();
    let window = Config::LOGIN_RATE_WINDOW;
    let email_subject = format!("login-email#{}", sha256_hex(email.as_str()));
    let pair_subject = format!("login-email-ip#{}", sha256_hex(&format!("{}\n{ip}", email.as_str())));
    let ip_subject = format!("login-ip#{}", sha256_hex(ip));
    let (by_pair, by_ip) = tokio::try_join!(
        store.hit_rate_limit(&pair_subject, window, now),
        store.hit_rate_limit(&ip_subject, window, now),
    )?;
    // A source already over its limits is refused before it counts against the address: a
    // flood from one place never uses up the address's own allowance.
    let source_limits = [(by_pair, config.login_limit_per_email), (by_ip, config.login_limit_per_ip)];
    if let Some(retry_after_secs) = RateLimitHit::retry_after(&source_limits) {
        return Err(Error::RateLimited { retry_after_secs });
    }
    let by_email = store.hit_rate_limit(&email_subject, window, now).await?;
    match RateLimitHit::retry_after(&[(by_email, config.login_limit_per_email.saturating_mul(SOURCES_PER_ADDRESS))]) {
        Some(retry_after_secs) => Err(Error::RateLimited { retry_after_secs }),
        None => Ok(()),
    }
}

/// Sends a magic link if `email` belongs to someone who may sign in; does nothing otherwise.
/// The caller answers the same either way (no account enumeration).
pub async fn request_magic_link(
    store: &Store,
    mailer: &Mailer,
    config: &Config,
    email: &EmailAddress,
) -> Result<(), Error> {
    let Some(claim) = store.get_email_claim(email).await? else {
        tracing::info!("sign-in requested for an unknown address");
        return Ok(());
    };
    let principal = load_principal(store, claim.role, &claim.principal_id, claim.client_id).await?;
    let Some(principal) = principal.filter(Principal::may_sign_in) else {
        tracing::info!(role = ?claim.role, "sign-in requested by someone without portal access");
        return Ok(());
    };
    if store.suppression(email).await?.is_some() {
        // Mail to it bounced or was reported as spam: sending again would harm every
        // recipient's deliverability. The agency clears it once the address works.
        tracing::warn!(actor = %principal.actor(), "sign-in link not sent: the address is on the suppression list");
        return Ok(());
    }
    let token = LoginToken::generate().map_err(|_| Error::internal("system random number generator failed"))?;
    let ttl = Config::LOGIN_TOKEN_TTL;
    let record = LoginTokenRecord {
        role: principal.role(),
        principal_id: principal.id(),
        client_id: principal.client_id(),
        expires_at: now() + i64::try_from(ttl.as_secs()).unwrap_or(600),
        sent_to: Some(email.clone()),
    };
    store.put_login_token(&token.hash(), &record).await?;
    let link = format!("{}/auth/verify#token={}", config.public_url, token.as_str());
    let brand = Brand::current(store, config).await?;
    let message =
        MagicLink { name: principal.name(), brand: &brand, link: &link, minutes: ttl.as_secs() / 60 }.to(email)?;
    if let Err(error) = mailer.send(&message).await {
        // Answering differently here would tell a caller the address is known, so the
        // failure goes to the logs (and an alarm) instead.
        tracing::error!(%error, actor = %principal.actor(), "magic-link email could not be sent");
    } else {
        tracing::info!(actor = %principal.actor(), "magic link sent");
    }
    Ok(())
}

/// What a redeemed magic link gives: a session, or (agency staff, when `STAFF_REQUIRE_PASSKEY`
/// is on) the right to finish signing in with a passkey.
#[derive(Debug)]
pub enum Redeemed {
    Session(Principal, SessionRecord),
    PasskeyRequired(Principal),
}

/// Redeems a magic-link token for a new session. Unknown, expired, already used, malformed,
/// or belonging to someone who lost access: all are the same `invalid_token`.
pub async fn redeem_token(store: &Store, config: &Config, raw_token: &str) -> Result<Redeemed, Error> {
    let token = LoginToken::parse(raw_token.trim()).ok_or(Error::InvalidToken)?;
    let hash = token.hash();
    let now = now();
    let record = store.get_login_token(&hash).await?.ok_or(Error::InvalidToken)?;
    if record.expires_at <= now {
        return Err(Error::InvalidToken);
    }
    let principal = load_principal(store, record.role, &record.principal_id, record.client_id)
        .await?
        .filter(Principal::may_sign_in)
        .ok_or(Error::InvalidToken)?;
    // A link works only for the address it was sent to: corrected since, it is dead.
    if record.sent_to.as_ref().is_some_and(|to| to != principal.email()) {
        return Err(Error::InvalidToken);
    }
    if principal.role() == Role::Admin && config.staff_require_passkey {
        let audit = AuditEvent::new(None, principal.actor(), "auth.link_verified", "passkey required".to_owned());
        return match store.consume_login_token(&hash, &audit, now).await {
            Ok(()) => Ok(Redeemed::PasskeyRequired(principal)),
            Err(StoreError::ConditionFailed) => Err(Error::InvalidToken),
            Err(other) => Err(other.into()),
        };
    }
    let session = new_session(config, &principal, now);
    let audit =
        AuditEvent::new(principal.client_id(), principal.actor(), "auth.sign_in", format!("session:{}", session.sid));
    match store.start_session(&hash, &session, &audit, now).await {
        Ok(()) => Ok(Redeemed::Session(principal, session)),
        Err(StoreError::ConditionFailed) => Err(Error::InvalidToken),
        Err(other) => Err(other.into()),
    }
}

/// A new session for `principal`, starting `now` and lasting `SESSION_TTL`.
pub fn new_session(config: &Config, principal: &Principal, now: i64) -> SessionRecord {
    SessionRecord {
        sid: SessionId::new(),
        role: principal.role(),
        principal_id: principal.id(),
        client_id: principal.client_id(),
        issued_at: now,
        expires_at: now + i64::try_from(config.session_ttl.as_secs()).unwrap_or(8 * 3600),
    }
}

/// Ends a session; its cookie gets 401 from the next request on.
pub async fn sign_out(store: &Store, session: &SessionRecord) -> Result<(), Error> {
    let actor = match session.role {
        Role::Client => format!("contact:{}", session.principal_id),
        Role::Admin => format!("admin:{}", session.principal_id),
    };
    let audit = AuditEvent::new(session.client_id, actor, "auth.sign_out", format!("session:{}", session.sid));
    match store.end_session(session.sid, &audit).await {
        Ok(()) | Err(StoreError::ConditionFailed) => Ok(()),
        Err(other) => Err(other.into()),
    }
}

/// The person behind a session, as of now.
pub async fn current_principal(store: &Store, session: &SessionRecord) -> Result<Principal, Error> {
    load_principal(store, session.role, &session.principal_id, session.client_id).await?.ok_or(Error::Unauthenticated)
}

/// Loads a contact (with its company) or an admin; `None` if any part is gone.
pub async fn load_principal(
    store: &Store,
    role: Role,
    principal_id: &str,
    client_id: Option<ClientId>,
) -> Result<Option<Principal>, StoreError> {
    match role {
        Role::Client => {
            let (Some(client_id), Some(contact_id)) = (client_id, ContactId::parse(principal_id)) else {
                return Ok(None);
            };
            let (client, contact) =
                tokio::try_join!(store.get_client(client_id), store.get_contact(client_id, contact_id))?;
            Ok(client.zip(contact).map(|(client, contact)| Principal::Contact { client, contact }))
        }
        Role::Admin => {
            let Some(admin_id) = AdminId::parse(principal_id) else { return Ok(None) };
            Ok(store.get_admin(admin_id).await?.map(Principal::Admin))
        }
    }
}
