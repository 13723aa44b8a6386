//! Passkeys (WebAuthn, `webauthn-rs`): registering one after signing in, signing in with one
//! (discoverable credentials, so no email round trip), listing, renaming and removing them.
//!
//! The relying party is the host of `PUBLIC_URL`, the only accepted origin is `PUBLIC_URL`.
//! Ceremony state never leaves the server: it is stored under a random id for
//! `CEREMONY_SECONDS` and taken once (`Store::take_ceremony`); the browser holds only the id.
//! Every refusal of a sign-in is the same `passkey_refused`, so nothing says whether an
//! account or a passkey exists.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use url::Url;
use uuid::Uuid;
use webauthn_rs::prelude::{
    AuthenticationResult, CreationChallengeResponse, DiscoverableAuthentication, Passkey, PasskeyAuthentication,
    PasskeyRegistration, PublicKeyCredential, RegisterPublicKeyCredential, RequestChallengeResponse, Webauthn,
    WebauthnBuilder, WebauthnError,
};

use webauthn_rs_proto::ResidentKeyRequirement;

use super::signin::{load_principal, new_session};
use crate::config::Config;
use crate::domain::{AuditEvent, Error, Principal, SessionRecord, sha256_hex, text};
use crate::store::{CeremonyRecord, PasskeyRecord, Store, StoreError};

/// How long a ceremony may take, from options to the browser's answer.
pub const CEREMONY_SECONDS: i64 = 300;
const REGISTER: &str = "register";
const SIGN_IN: &str = "sign_in";
/// A staff member's first passkey, right after their magic link (`STAFF_REQUIRE_PASSKEY`).
const ENROL: &str = "enrol";
/// A staff member's passkey after their magic link, as the second factor.
const CONFIRM: &str = "confirm";

fn now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

/// The relying party, as `PUBLIC_URL` names it (cheap to build: no keys, no I/O).
pub fn relying_party(config: &Config) -> Result<Webauthn, Error> {
    let origin = Url::parse(&config.public_url).map_err(Error::internal)?;
    let rp_id = origin.host_str().ok_or_else(|| Error::internal("PUBLIC_URL has no host"))?.to_owned();
    WebauthnBuilder::new(&rp_id, &origin)
        .and_then(|builder| builder.rp_name(&config.agency_name).build())
        .map_err(Error::internal)
}

/// Asks for a discoverable credential where the authenticator can make one, so the browser can
/// offer it at sign-in without an account named (the library's passkey options discourage
/// them; the registration it checks does not depend on it).
fn prefer_discoverable(options: &mut CreationChallengeResponse) {
    if let Some(selection) = options.public_key.authenticator_selection.as_mut() {
        selection.resident_key = Some(ResidentKeyRequirement::Preferred);
        selection.require_resident_key = false;
    }
}

/// The WebAuthn user handle of a person: their ULID's 128 bits.
fn user_handle(principal_id: &str) -> Result<Uuid, Error> {
    let ulid = ulid::Ulid::from_string(principal_id).map_err(|_| Error::Unauthenticated)?;
    Ok(Uuid::from_u128(ulid.0))
}

fn actor_of(session: &SessionRecord) -> String {
    match session.role {
        crate::domain::Role::Client => format!("contact:{}", session.principal_id),
        crate::domain::Role::Admin => format!("admin:{}", session.principal_id),
    }
}

/// A new random ceremony id (the browser's only handle on the ceremony).
fn ceremony_id() -> Result<String, Error> {
    let token = crate::domain::LoginToken::generate().map_err(|_| Error::internal("random number generator failed"))?;
    Ok(token.as_str().to_owned())
}

async fn save_ceremony<T: Serialize>(
    store: &Store,
    kind: &str,
    state: &T,
    principal_id: Option<String>,
) -> Result<String, Error> {
    let id = ceremony_id()?;
    let record = CeremonyRecord {
        kind: kind.to_owned(),
        state: serde_json::to_string(state).map_err(Error::internal)?,
        principal_id,
        expires_at: now() + CEREMONY_SECONDS,
    };
    store.put_ceremony(&id, &record).await?;
    Ok(id)
}

/// Takes the ceremony `id` if it is of `kind`, unexpired, and (when given) `principal_id`'s.
/// Returns the ceremony's state and the person it was started for.
async fn take_ceremony<T: for<'de> Deserialize<'de>>(
    store: &Store,
    id: &str,
    kind: &str,
    principal_id: Option<&str>,
    refused: Error,
) -> Result<(T, Option<String>), Error> {
    if !crate::store::is_ceremony_id(id) {
        return Err(refused);
    }
    let ceremony = store.take_ceremony(id).await?.ok_or_else(|| refused.clone())?;
    let fits = ceremony.kind == kind
        && ceremony.expires_at > now()
        && principal_id.is_none_or(|p| ceremony.principal_id.as_deref() == Some(p));
    if !fits {
        return Err(refused);
    }
    let state = serde_json::from_str(&ceremony.state).map_err(Error::internal)?;
    Ok((state, ceremony.principal_id))
}

/// What the browser needs to start a ceremony: our id for it and the WebAuthn options.
#[derive(Debug, Serialize)]
pub struct Started<T> {
    pub ceremony_id: String,
    pub options: T,
}

/// A passkey as its owner sees it.
#[derive(Debug, Clone, Serialize)]
pub struct PasskeyView {
    pub id: ulid::Ulid,
    pub name: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_used_at: Option<OffsetDateTime>,
}

impl From<&PasskeyRecord> for PasskeyView {
    fn from(record: &PasskeyRecord) -> Self {
        Self {
            id: record.id,
            name: record.name.clone(),
            created_at: record.created_at,
            last_used_at: record.last_used_at,
        }
    }
}

/// A newly registered passkey as it is stored.
fn new_record(
    passkey: &Passkey,
    principal_id: String,
    role: crate::domain::Role,
    client_id: Option<crate::domain::ClientId>,
    name: String,
) -> Result<PasskeyRecord, Error> {
    Ok(PasskeyRecord {
        id: ulid::Ulid::new(),
        credential_id: URL_SAFE_NO_PAD.encode::<&[u8]>(passkey.cred_id().as_ref()),
        principal_id,
        role,
        client_id,
        name,
        credential: serde_json::to_string(passkey).map_err(Error::internal)?,
        created_at: OffsetDateTime::now_utc(),
        last_used_at: None,
    })
}

fn stored(record: &PasskeyRecord) -> Result<Passkey, Error> {
    serde_json::from_str(&record.credential).map_err(Error::internal)
}

/// Starts registering a passkey for the signed-in person (their existing ones are excluded, so
/// an authenticator is not registered twice).
pub async fn start_registration(
    store: &Store,
    config: &Config,
    session: &SessionRecord,
) -> Result<Started<CreationChallengeResponse>, Error> {
    let principal = load_principal(store, session.role, &session.principal_id, session.client_id)
        .await?
        .ok_or(Error::Unauthenticated)?;
    let existing = store.passkeys_of(&session.principal_id).await?;
    let exclude = existing.iter().map(stored).collect::<Result<Vec<_>, _>>()?;
    let exclude: Vec<_> = exclude.iter().map(|p| p.cred_id().clone()).collect();
    let (mut options, state) = relying_party(config)?
        .start_passkey_registration(
            user_handle(&session.principal_id)?,
            principal.email().as_str(),
            principal.name(),
            (!exclude.is_empty()).then_some(exclude),
        )
        .map_err(Error::internal)?;
    prefer_discoverable(&mut options);
    let id = save_ceremony(store, REGISTER, &state, Some(session.principal_id.clone())).await?;
    Ok(Started { ceremony_id: id, options })
}

/// Finishes a registration: the browser's answer must fit the ceremony this person started.
pub async fn finish_registration(
    store: &Store,
    config: &Config,
    session: &SessionRecord,
    ceremony_id: &str,
    name: Option<&str>,
    credential: &RegisterPublicKeyCredential,
) -> Result<PasskeyView, Error> {
    let refused =
        Error::invalid("passkey_not_registered", "The passkey could not be registered. Start again from the button.");
    let (state, _): (PasskeyRegistration, _) =
        take_ceremony(store, ceremony_id, REGISTER, Some(&session.principal_id), refused.clone()).await?;
    let passkey = relying_party(config)?.finish_passkey_registration(credential, &state).map_err(|error| {
        tracing::info!(%error, "passkey registration refused");
        refused.clone()
    })?;
    let name = match name.map(str::trim).filter(|n| !n.is_empty()) {
        Some(name) => text(name, "name", 60)?,
        None => "Passkey".to_owned(),
    };
    let record = new_record(&passkey, session.principal_id.clone(), session.role, session.client_id, name)?;
    let audit =
        AuditEvent::new(session.client_id, actor_of(session), "passkey.register", format!("passkey:{}", record.id));
    match store.create_passkey(&record, &audit).await {
        Ok(()) => Ok(PasskeyView::from(&record)),
        Err(StoreError::Cancelled(_) | StoreError::ConditionFailed) => {
            Err(Error::conflict("passkey_exists", "This passkey is already registered."))
        }
        Err(other) => Err(other.into()),
    }
}

/// Starts a passkey sign-in: no account named, the browser offers the passkeys it has.
pub async fn start_sign_in(store: &Store, config: &Config) -> Result<Started<RequestChallengeResponse>, Error> {
    let (options, state) = relying_party(config)?.start_discoverable_authentication().map_err(Error::internal)?;
    let id = save_ceremony(store, SIGN_IN, &state, None).await?;
    Ok(Started { ceremony_id: id, options })
}

/// Finishes a passkey sign-in and opens a session. The passkey must be stored, its person must
/// still be allowed to sign in, and the assertion must answer this ceremony's challenge for our
/// origin; a counter that went backwards (a cloned authenticator) is refused and audited.
pub async fn finish_sign_in(
    store: &Store,
    config: &Config,
    ceremony_id: &str,
    credential: &PublicKeyCredential,
) -> Result<(Principal, SessionRecord), Error> {
    let (state, _): (DiscoverableAuthentication, _) =
        take_ceremony(store, ceremony_id, SIGN_IN, None, Error::PasskeyRefused).await?;
    let rp = relying_party(config)?;
    let (handle, credential_id) =
        rp.identify_discoverable_authentication(credential).map_err(|_| Error::PasskeyRefused)?;
    let credential_key = URL_SAFE_NO_PAD.encode(credential_id);
    let mut record = store.passkey_by_credential(&credential_key).await?.ok_or(Error::PasskeyRefused)?;
    if user_handle(&record.principal_id).ok() != Some(handle) {
        return Err(Error::PasskeyRefused);
    }
    let principal = load_principal(store, record.role, &record.principal_id, record.client_id)
        .await?
        .filter(Principal::may_sign_in)
        .ok_or(Error::PasskeyRefused)?;
    let passkey = stored(&record)?;
    let result = rp.finish_discoverable_authentication_v2(credential, state, &passkey);
    let result = verified(store, &principal, &record, result).await?;
    record_use(store, &mut record, &result).await?;
    open_passkey_session(store, config, principal, &record).await
}

/// The passkey step a staff member's magic link leads to when `STAFF_REQUIRE_PASSKEY` is on:
/// registering their first passkey, or presenting one of theirs.
#[derive(Debug, Serialize)]
pub struct SecondFactor {
    /// `register` (no passkey yet) or `passkey`.
    pub second_factor: &'static str,
    pub ceremony_id: String,
    /// `CreationChallengeResponse` for `register`, `RequestChallengeResponse` for `passkey`.
    pub options: serde_json::Value,
}

pub async fn start_second_factor(store: &Store, config: &Config, principal: &Principal) -> Result<SecondFactor, Error> {
    let id = principal.id();
    let passkeys = store.passkeys_of(&id).await?.iter().map(stored).collect::<Result<Vec<_>, _>>()?;
    let rp = relying_party(config)?;
    if passkeys.is_empty() {
        let (mut options, state) = rp
            .start_passkey_registration(user_handle(&id)?, principal.email().as_str(), principal.name(), None)
            .map_err(Error::internal)?;
        prefer_discoverable(&mut options);
        let ceremony_id = save_ceremony(store, ENROL, &state, Some(id)).await?;
        let options = serde_json::to_value(options).map_err(Error::internal)?;
        return Ok(SecondFactor { second_factor: "register", ceremony_id, options });
    }
    let (options, state) = rp.start_passkey_authentication(&passkeys).map_err(Error::internal)?;
    let ceremony_id = save_ceremony(store, CONFIRM, &state, Some(id)).await?;
    let options = serde_json::to_value(options).map_err(Error::internal)?;
    Ok(SecondFactor { second_factor: "passkey", ceremony_id, options })
}

/// The person a second-factor ceremony belongs to, if they may still sign in.
async fn ceremony_principal(store: &Store, principal_id: &str) -> Result<Principal, Error> {
    load_principal(store, crate::domain::Role::Admin, principal_id, None)
        .await?
        .filter(Principal::may_sign_in)
        .ok_or(Error::PasskeyRefused)
}

async fn open_passkey_session(
    store: &Store,
    config: &Config,
    principal: Principal,
    passkey: &PasskeyRecord,
) -> Result<(Principal, SessionRecord), Error> {
    let session = new_session(config, &principal, now());
    let audit = AuditEvent::new(
        principal.client_id(),
        principal.actor(),
        "auth.passkey_sign_in",
        format!("session:{} passkey:{}", session.sid, passkey.id),
    );
    store.open_session(&session, &audit).await?;
    Ok((principal, session))
}

/// Finishes a staff member's first passkey (after their magic link) and opens the session.
pub async fn finish_enrolment(
    store: &Store,
    config: &Config,
    ceremony_id: &str,
    credential: &RegisterPublicKeyCredential,
) -> Result<(Principal, SessionRecord), Error> {
    // Whose ceremony it is comes from the ceremony itself (the magic link proved the address).
    let (state, owner): (PasskeyRegistration, _) =
        take_ceremony(store, ceremony_id, ENROL, None, Error::PasskeyRefused).await?;
    let ceremony = owner.ok_or(Error::PasskeyRefused)?;
    let principal = ceremony_principal(store, &ceremony).await?;
    let passkey = relying_party(config)?.finish_passkey_registration(credential, &state).map_err(|error| {
        tracing::info!(%error, "passkey enrolment refused");
        Error::PasskeyRefused
    })?;
    let mut record = new_record(&passkey, ceremony.clone(), crate::domain::Role::Admin, None, "Passkey".to_owned())?;
    // Used at once: it opens the session below.
    record.last_used_at = Some(record.created_at);
    let audit = AuditEvent::new(None, principal.actor(), "passkey.register", format!("passkey:{}", record.id));
    store.create_passkey(&record, &audit).await.map_err(|_| Error::PasskeyRefused)?;
    open_passkey_session(store, config, principal, &record).await
}

/// Finishes a staff member's passkey step (after their magic link) and opens the session.
pub async fn finish_confirmation(
    store: &Store,
    config: &Config,
    ceremony_id: &str,
    credential: &PublicKeyCredential,
) -> Result<(Principal, SessionRecord), Error> {
    let (state, owner): (PasskeyAuthentication, _) =
        take_ceremony(store, ceremony_id, CONFIRM, None, Error::PasskeyRefused).await?;
    let owner = owner.ok_or(Error::PasskeyRefused)?;
    let principal = ceremony_principal(store, &owner).await?;
    let key = URL_SAFE_NO_PAD.encode::<&[u8]>(credential.raw_id.as_ref());
    let mut record =
        store.passkey_by_credential(&key).await?.filter(|r| r.principal_id == owner).ok_or(Error::PasskeyRefused)?;
    let result = relying_party(config)?.finish_passkey_authentication(credential, &state);
    let result = verified(store, &principal, &record, result).await?;
    record_use(store, &mut record, &result).await?;
    open_passkey_session(store, config, principal, &record).await
}

/// The library's verdict on an assertion; a counter that went backwards (a cloned
/// authenticator) is refused and audited.
async fn verified(
    store: &Store,
    principal: &Principal,
    record: &PasskeyRecord,
    result: Result<AuthenticationResult, WebauthnError>,
) -> Result<AuthenticationResult, Error> {
    match result {
        Ok(result) => Ok(result),
        Err(WebauthnError::CredentialPossibleCompromise) => {
            let audit = AuditEvent::new(
                record.client_id,
                principal.actor(),
                "auth.passkey_clone_suspected",
                format!("passkey:{}", record.id),
            );
            store.append_audit(&audit).await?;
            tracing::warn!(passkey = %record.id, "passkey counter went backwards: sign-in refused");
            Err(Error::PasskeyRefused)
        }
        Err(error) => {
            tracing::info!(%error, "passkey sign-in refused");
            Err(Error::PasskeyRefused)
        }
    }
}

/// Stores what an assertion changed (counter, backup state) and when the passkey was used.
async fn record_use(store: &Store, record: &mut PasskeyRecord, result: &AuthenticationResult) -> Result<(), Error> {
    let mut passkey = stored(record)?;
    passkey.update_credential(result);
    record.credential = serde_json::to_string(&passkey).map_err(Error::internal)?;
    record.last_used_at = Some(OffsetDateTime::now_utc());
    Ok(store.update_passkey(record, None).await?)
}

/// The signed-in person's passkeys, oldest first.
pub async fn list(store: &Store, session: &SessionRecord) -> Result<Vec<PasskeyView>, Error> {
    Ok(store.passkeys_of(&session.principal_id).await?.iter().map(PasskeyView::from).collect())
}

async fn own(store: &Store, session: &SessionRecord, id: ulid::Ulid) -> Result<PasskeyRecord, Error> {
    store.passkeys_of(&session.principal_id).await?.into_iter().find(|p| p.id == id).ok_or(Error::NotFound)
}

pub async fn rename(store: &Store, session: &SessionRecord, id: ulid::Ulid, name: &str) -> Result<PasskeyView, Error> {
    let mut record = own(store, session, id).await?;
    record.name = text(name, "name", 60)?;
    let audit = AuditEvent::new(session.client_id, actor_of(session), "passkey.rename", format!("passkey:{id}"));
    store.update_passkey(&record, Some(&audit)).await.map_err(|e| match e {
        StoreError::Cancelled(_) | StoreError::ConditionFailed => Error::NotFound,
        other => other.into(),
    })?;
    Ok(PasskeyView::from(&record))
}

/// Removes one of the signed-in person's passkeys. While `STAFF_REQUIRE_PASSKEY` is on, a staff
/// member's last passkey stays: without it their next magic link would enrol a new one, so mail
/// alone would be enough to take over the account. An agency owner resets a lost one
/// (`reset_staff`).
pub async fn remove(store: &Store, config: &Config, session: &SessionRecord, id: ulid::Ulid) -> Result<(), Error> {
    let record = own(store, session, id).await?;
    let audit = AuditEvent::new(session.client_id, actor_of(session), "passkey.remove", format!("passkey:{id}"));
    let gone = |e: StoreError| match e {
        StoreError::Cancelled(_) | StoreError::ConditionFailed => Error::NotFound,
        other => other.into(),
    };
    if !(session.role == crate::domain::Role::Admin && config.staff_require_passkey) {
        return store.delete_passkey(&record, &audit).await.map_err(gone);
    }
    let principal = &session.principal_id;
    if !store.claim_passkey_guard(principal, now(), 30).await? {
        return Err(Error::conflict("busy", "Another change to your passkeys is under way. Try again in a moment."));
    }
    let outcome = async {
        if store.passkeys_now(principal).await?.len() <= 1 {
            return Err(Error::conflict(
                "last_passkey",
                "Signing in to the console needs a passkey, so your last one cannot be removed. Add another first; if you lose it, an agency owner can reset it.",
            ));
        }
        store.delete_passkey(&record, &audit).await.map_err(gone)
    }
    .await;
    store.release_passkey_guard(principal).await?;
    outcome
}

/// An agency owner resets a staff member's passkeys (they lost them): every passkey and
/// session of theirs goes, audited; their next magic link registers a new passkey. Another
/// owner must do it for an owner's own account: a reset is how an account is taken over.
pub async fn reset_staff(
    store: &Store,
    owner: crate::domain::AdminId,
    id: crate::domain::AdminId,
) -> Result<usize, Error> {
    if owner == id {
        return Err(Error::conflict(
            "own_passkeys",
            "Another agency owner must reset your passkeys. Remove a single passkey from your account page instead.",
        ));
    }
    let admin = store.get_admin(id).await?.ok_or(Error::NotFound)?;
    let actor = format!("admin:{owner}");
    let removed = remove_all(store, &admin.id.to_string(), &actor).await?;
    let sessions = store.sessions_of(&admin.id.to_string()).await?;
    store.delete_sessions(&sessions).await?;
    store
        .append_audit(&AuditEvent::new(
            None,
            actor,
            "admin.passkeys_reset",
            format!("admin:{id}: {removed} passkey(s) removed, {} session(s) ended", sessions.len()),
        ))
        .await?;
    Ok(removed)
}

/// Removes every passkey of a person (they were removed, or an owner reset them); answers how
/// many there were.
pub async fn remove_all(store: &Store, principal_id: &str, actor: &str) -> Result<usize, Error> {
    let records = store.passkeys_of(principal_id).await?;
    for record in &records {
        let audit =
            AuditEvent::new(record.client_id, actor.to_owned(), "passkey.remove", format!("passkey:{}", record.id));
        match store.delete_passkey(record, &audit).await {
            Ok(()) | Err(StoreError::Cancelled(_) | StoreError::ConditionFailed) => {}
            Err(other) => return Err(other.into()),
        }
    }
    Ok(records.len())
}

/// Which step of a passkey sign-in is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    /// Asking for options: every visit to the sign-in page does (its autofill request), so
    /// these get four times the allowance.
    Start,
    /// Presenting an answer: counted like sign-in link requests.
    Answer,
}

/// Counts a passkey sign-in step from `ip` against the per-IP sign-in limit (the subject
/// hashed, like the magic link's).
pub async fn check_rate(store: &Store, config: &Config, ip: &str, attempt: Attempt) -> Result<(), Error> {
    let (kind, limit) = match attempt {
        Attempt::Start => ("passkey-start-ip", config.login_limit_per_ip.saturating_mul(4)),
        Attempt::Answer => ("passkey-ip", config.login_limit_per_ip),
    };
    let subject = format!("{kind}#{}", sha256_hex(ip));
    let hit = store.hit_rate_limit(&subject, Config::LOGIN_RATE_WINDOW, now()).await?;
    if hit.count > limit {
        return Err(Error::RateLimited { retry_after_secs: hit.retry_after_secs });
    }
    Ok(())
}
