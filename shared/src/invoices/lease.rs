//! The one way anything from Harvest is read: a cached copy that one Lambda at a time refreshes
//! (under a lease), served stale when Harvest is slow, down or rate-limiting us, and never
//! refreshed before the `Retry-After` of a 429 has passed. Invoices, estimates, payments and
//! the account's budget report all go through `through_lease`.

use std::future::Future;
use std::io::{Read, Write};
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;
use time::OffsetDateTime;

use super::harvest::HarvestError;
use crate::domain::Error;
use crate::store::{CacheKey, CacheRecord, Store};

/// How long a refresher may hold the lease before another may take over.
const LEASE_SECS: i64 = 15;
/// How long a request with nothing to show waits for another's refresh: long enough for a
/// refresh that uses Harvest's whole request timeout (5 s) and then saves, short of the
/// function's 15 s timeout.
const WAIT_FOR_REFRESH: Duration = Duration::from_secs(10);
/// Waiters poll quickly at first (a refresh usually takes well under a second), then back off
/// so that twenty waiters do not crowd the table the refresher is writing to.
const FIRST_POLL: Duration = Duration::from_millis(100);
const LONGEST_POLL: Duration = Duration::from_secs(1);

/// A copy as served: the data, when Harvest said it, and whether a refresh failed since.
#[derive(Debug, Clone)]
pub struct Cached<T> {
    pub data: T,
    pub fetched_at: i64,
    pub stale: bool,
}

/// Why there is nothing to serve.
#[derive(Debug)]
pub enum Unserved {
    /// Harvest is down, slow or rate-limiting us, and nothing was cached.
    Unavailable,
    /// Harvest refused our credentials (or their permissions): an operator must act.
    Refused,
    Store(Error),
}

impl From<crate::store::StoreError> for Unserved {
    fn from(error: crate::store::StoreError) -> Self {
        Self::Store(error.into())
    }
}

/// What is stored: the data and the scope it was fetched for (a wrong scope is no copy at all).
#[derive(serde::Serialize, serde::Deserialize)]
struct Envelope<T> {
    scope: u64,
    fetched_at: i64,
    data: T,
}

pub fn now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

fn encode<T: Serialize>(envelope: &Envelope<T>) -> Result<Vec<u8>, Error> {
    let json = serde_json::to_vec(envelope).map_err(Error::internal)?;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(&json).map_err(Error::internal)?;
    encoder.finish().map_err(Error::internal)
}

fn decode<T: DeserializeOwned>(record: &CacheRecord, scope: u64) -> Option<(T, i64)> {
    let bytes = record.payload.as_deref()?;
    let mut json = Vec::new();
    flate2::read::GzDecoder::new(bytes).take(64 * 1024 * 1024).read_to_end(&mut json).ok()?;
    let envelope: Envelope<T> = serde_json::from_slice(&json).ok()?;
    (envelope.scope == scope).then_some((envelope.data, envelope.fetched_at))
}

/// Serves the copy under `key` for `scope` from `record` (read by the caller, often in parallel
/// with its other reads): fresh from the cache; or refreshed by `fetch` (given the previous copy,
/// to reuse what never changes) when this caller wins the lease; or the last good copy marked
/// stale; or waits briefly for another caller's refresh when there is no copy at all.
pub async fn through_lease<T, F, Fut>(
    store: &Store,
    key: &CacheKey,
    scope: u64,
    ttl: Duration,
    record: CacheRecord,
    fetch: F,
) -> Result<Cached<T>, Unserved>
where
    T: Serialize + DeserializeOwned + Clone,
    F: FnOnce(Option<T>) -> Fut,
    Fut: Future<Output = Result<T, HarvestError>>,
{
    let ttl = i64::try_from(ttl.as_secs()).unwrap_or(300);
    let cached = decode::<T>(&record, scope);
    let now = now();
    // A copy someone expired (`expire_cache` zeroes the item's `fetched_at`) is stale whatever
    // its envelope says.
    let expired = record.fetched_at == Some(0);
    let fresh = |copy: &(T, i64)| !expired && now - copy.1 < ttl;
    let serve = |(data, fetched_at): (T, i64), stale| Cached { data, fetched_at, stale };
    if let Some(copy) = cached.as_ref().filter(|c| fresh(c)) {
        return Ok(serve(copy.clone(), false));
    }
    if record.retry_not_before.is_some_and(|at| at > now) {
        return cached.map(|c| serve(c, true)).ok_or(Unserved::Unavailable);
    }
    let owner = ulid::Ulid::new().to_string();
    if !store.try_acquire_cache_lease(key, &owner, now, LEASE_SECS, scope, now - ttl).await? {
        // Someone refreshed since we looked, or is refreshing now.
        let latest_record = store.get_cache(key).await?;
        let refreshed = latest_record.fetched_at != Some(0);
        if let Some(latest) = decode::<T>(&latest_record, scope).filter(|c| refreshed && now - c.1 < ttl) {
            return Ok(serve(latest, false));
        }
        if let Some(copy) = cached {
            return Ok(serve(copy, true));
        }
        return wait_for_refresh(store, key, scope).await.map(|c| serve(c, false));
    }
    match fetch(cached.as_ref().map(|c| c.0.clone())).await {
        Ok(data) => {
            let fetched_at = crate::invoices::lease::now();
            let envelope = Envelope { scope, fetched_at, data };
            store.save_cache(key, scope, encode(&envelope).map_err(Unserved::Store)?, fetched_at).await?;
            Ok(Cached { data: envelope.data, fetched_at, stale: false })
        }
        Err(error) => {
            let retry_not_before = match &error {
                HarvestError::RateLimited { retry_after } => {
                    Some(now + i64::try_from(retry_after.as_secs()).unwrap_or(60))
                }
                _ => None,
            };
            store.release_cache_lease(key, &owner, retry_not_before).await?;
            match error {
                HarvestError::Unauthorized { status } => {
                    tracing::error!(
                        status,
                        ?key,
                        "Harvest refused the credentials: check HARVEST_ACCESS_TOKEN and HARVEST_ACCOUNT_ID, and that the token's user may read invoices, estimates and reports"
                    );
                    Err(Unserved::Refused)
                }
                other => {
                    tracing::warn!(error = %other, ?key, "Harvest refresh failed; serving the last good copy if there is one");
                    cached.map(|c| serve(c, true)).ok_or(Unserved::Unavailable)
                }
            }
        }
    }
}

async fn wait_for_refresh<T: DeserializeOwned>(
    store: &Store,
    key: &CacheKey,
    scope: u64,
) -> Result<(T, i64), Unserved> {
    let deadline = tokio::time::Instant::now() + WAIT_FOR_REFRESH;
    let mut pause = FIRST_POLL;
    while tokio::time::Instant::now() < deadline {
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(LONGEST_POLL);
        let record = store.get_cache(key).await?;
        if let Some(copy) = decode(&record, scope) {
            return Ok(copy);
        }
        if record.lease_until.is_none() {
            // The refresher gave up (Harvest failed) and nothing was cached.
            break;
        }
    }
    Err(Unserved::Unavailable)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_copy_is_read_back_only_for_its_own_scope() {
        let envelope = Envelope { scope: 7, fetched_at: 42, data: vec!["a".to_owned()] };
        let record = CacheRecord { payload: Some(encode(&envelope).unwrap()), ..CacheRecord::default() };
        assert_eq!(decode::<Vec<String>>(&record, 7), Some((vec!["a".to_owned()], 42)));
        assert_eq!(decode::<Vec<String>>(&record, 8), None, "another client's copy is no copy");
        let garbage = CacheRecord { payload: Some(b"not gzip".to_vec()), ..CacheRecord::default() };
        assert_eq!(decode::<Vec<String>>(&garbage, 7), None);
    }
}
