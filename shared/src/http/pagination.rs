//! Lists take `?limit=` (default 25, max 100) and an opaque `?cursor=`, and answer
//! `{"items":[…],"next_cursor":…|null}`.
//!
//! A cursor is DynamoDB's `LastEvaluatedKey`, sealed with an HMAC over the key *and* the list's
//! scope (which list, which client, which filter). A cursor that was edited, or minted for
//! another client or another list, fails the HMAC and is a 400 `invalid_cursor` — it can never
//! steer a query into someone else's partition.

use std::collections::BTreeMap;

use aws_lc_rs::hmac;
use aws_sdk_dynamodb::types::AttributeValue;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;

use super::error::ApiError;
use crate::domain::Error;
use crate::store::Item;

pub const DEFAULT_LIMIT: i32 = 25;
pub const MAX_LIMIT: i32 = 100;

/// A page of a list.
#[derive(Debug, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

fn invalid_cursor() -> ApiError {
    ApiError::bad_request("invalid_cursor", "The cursor is not valid for this list. Start again from the first page.")
}

/// `?limit=`: a whole number from 1 to `MAX_LIMIT`, `DEFAULT_LIMIT` when absent.
pub fn parse_limit(raw: Option<&str>) -> Result<i32, ApiError> {
    match raw {
        None => Ok(DEFAULT_LIMIT),
        Some(raw) => raw.trim().parse::<i32>().ok().filter(|n| (1..=MAX_LIMIT).contains(n)).ok_or_else(|| {
            ApiError::bad_request("invalid_limit", format!("`limit` must be a whole number from 1 to {MAX_LIMIT}."))
        }),
    }
}

/// HMAC key for cursors, derived from the JWT secret so there is one secret to manage.
pub struct CursorKey(hmac::Key);

impl std::fmt::Debug for CursorKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CursorKey(<redacted>)")
    }
}

impl CursorKey {
    pub fn new(secret: &[u8]) -> Self {
        let derived = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, secret), b"client-portal/cursor/v1");
        Self(hmac::Key::new(hmac::HMAC_SHA256, derived.as_ref()))
    }

    /// Seals DynamoDB's `LastEvaluatedKey` for `scope`. Our keys are all strings.
    pub fn seal(&self, scope: &str, key: &Item) -> Result<String, ApiError> {
        let mut plain = BTreeMap::new();
        for (name, value) in key {
            let AttributeValue::S(text) = value else {
                return Err(Error::internal(format!("non-string key attribute {name} in a cursor")).into());
            };
            plain.insert(name.as_str(), text.as_str());
        }
        let payload = serde_json::to_vec(&plain).map_err(Error::internal)?;
        let tag = hmac::sign(&self.0, &signed_bytes(scope, &payload));
        Ok(format!("{}.{}", URL_SAFE_NO_PAD.encode(&payload), URL_SAFE_NO_PAD.encode(tag.as_ref())))
    }

    pub fn open(&self, scope: &str, token: &str) -> Result<Item, ApiError> {
        if token.len() > 2048 {
            return Err(invalid_cursor());
        }
        let (payload, tag) = token.split_once('.').ok_or_else(invalid_cursor)?;
        let payload = URL_SAFE_NO_PAD.decode(payload).map_err(|_| invalid_cursor())?;
        let tag = URL_SAFE_NO_PAD.decode(tag).map_err(|_| invalid_cursor())?;
        hmac::verify(&self.0, &signed_bytes(scope, &payload), &tag).map_err(|_| invalid_cursor())?;
        let plain: BTreeMap<String, String> = serde_json::from_slice(&payload).map_err(|_| invalid_cursor())?;
        Ok(plain.into_iter().map(|(name, value)| (name, AttributeValue::S(value))).collect())
    }
}

fn signed_bytes(scope: &str, payload: &[u8]) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(scope.len() + 1 + payload.len());
    bytes.extend_from_slice(scope.as_bytes());
    bytes.push(0);
    bytes.extend_from_slice(payload);
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key_item() -> Item {
        Item::from([
            ("PK".to_owned(), AttributeValue::S("CLIENT#A".into())),
            ("SK".to_owned(), AttributeValue::S("MESSAGE#01".into())),
        ])
    }

    #[test]
    fn round_trip() {
        let key = CursorKey::new(b"secret-secret-secret-secret-secret");
        let token = key.seal("messages|A", &key_item()).unwrap();
        assert_eq!(key.open("messages|A", &token).unwrap(), key_item());
    }

    #[test]
    fn foreign_scope_tampering_and_garbage_are_refused() {
        let key = CursorKey::new(b"secret-secret-secret-secret-secret");
        let token = key.seal("messages|A", &key_item()).unwrap();
        let code = |r: Result<Item, ApiError>| r.err().map(|e| e.code());
        assert_eq!(code(key.open("messages|B", &token)), Some("invalid_cursor"), "other client");
        assert_eq!(code(key.open("projects|A", &token)), Some("invalid_cursor"), "other list");
        let (payload, tag) = token.split_once('.').unwrap();
        let mut forged: BTreeMap<String, String> =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
        forged.insert("PK".into(), "CLIENT#B".into());
        let forged = format!("{}.{tag}", URL_SAFE_NO_PAD.encode(serde_json::to_vec(&forged).unwrap()));
        assert_eq!(code(key.open("messages|A", &forged)), Some("invalid_cursor"), "edited key");
        for garbage in ["", ".", "abc", "a.b", &"x".repeat(5000), "eyJ9.AAAA"] {
            assert_eq!(code(key.open("messages|A", garbage)), Some("invalid_cursor"), "{garbage:?}");
        }
        let other_secret = CursorKey::new(b"another-secret-another-secret-xx");
        assert_eq!(code(other_secret.open("messages|A", &token)), Some("invalid_cursor"));
    }

    #[test]
    fn limit_defaults_and_bounds() {
        assert_eq!(parse_limit(None).unwrap(), 25);
        assert_eq!(parse_limit(Some("100")).unwrap(), 100);
        for bad in ["0", "101", "-1", "ten", ""] {
            let error = parse_limit(Some(bad)).unwrap_err();
            assert_eq!(error.code(), "invalid_limit", "{bad}");
        }
    }
}
