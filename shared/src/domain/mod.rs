//! Domain types that parse instead of validate: once you hold an `EmailAddress` or a
//! `LoginToken`, it is well-formed, so nothing downstream checks again.

use std::fmt;

use aws_lc_rs::digest;
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

mod actor;
mod branding;
mod error;
mod files;
mod models;

pub use actor::{Actor, change, email, is_invisible_format, multiline_text, optional_text, text};
pub use branding::*;
pub use error::Error;
pub use files::*;
pub use models::*;

/// A syntactically valid email address, lower-cased so that it is one identity however it
/// was typed. (The local part is case-sensitive in theory; no mail provider treats it so, and
/// two portal accounts differing only by case would be a support nightmare.)
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EmailAddress(String);

impl EmailAddress {
    /// RFC 5321 limits a forward path to 254 characters.
    const MAX_LEN: usize = 254;

    pub fn parse(raw: &str) -> Result<Self, InvalidEmail> {
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.len() > Self::MAX_LEN {
            return Err(InvalidEmail);
        }
        // A portal contact needs a deliverable address: a bare address (no display name),
        // a dotted domain name, no IP literal.
        let options = email_address::Options {
            minimum_sub_domains: 2,
            allow_display_text: false,
            allow_domain_literal: false,
            ..email_address::Options::default()
        };
        let parsed = email_address::EmailAddress::parse_with_options(trimmed, options).map_err(|_| InvalidEmail)?;
        Ok(Self(parsed.as_str().to_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for EmailAddress {
    type Error = InvalidEmail;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<EmailAddress> for String {
    fn from(value: EmailAddress) -> Self {
        value.0
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not a valid email address")]
pub struct InvalidEmail;

macro_rules! ulid_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub ulid::Ulid);

        impl $name {
            pub fn new() -> Self {
                Self(ulid::Ulid::new())
            }

            /// Parses an id from a path or a stored item; `None` for anything that is not a ULID.
            pub fn parse(raw: &str) -> Option<Self> {
                ulid::Ulid::from_string(raw).ok().map(Self)
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }
    };
}

ulid_id!(
    /// A client company (the tenant).
    ClientId
);
ulid_id!(
    /// A person at a client company.
    ContactId
);
ulid_id!(
    /// An agency staff member.
    AdminId
);
ulid_id!(
    /// A signed-in session; the row `SESSION#{sid}` is what makes a JWT valid.
    SessionId
);

/// Who may do what: a client contact sees one company; an admin manages all of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Client,
    Admin,
}

/// The secret half of a magic link: 32 random bytes, base64url without padding (43 chars).
/// Only its SHA-256 is ever stored.
#[derive(Clone, PartialEq, Eq)]
pub struct LoginToken(String);

impl LoginToken {
    const BYTES: usize = 32;
    const ENCODED_LEN: usize = 43;

    pub fn generate() -> Result<Self, aws_lc_rs::error::Unspecified> {
        let mut bytes = [0u8; Self::BYTES];
        SystemRandom::new().fill(&mut bytes)?;
        Ok(Self(URL_SAFE_NO_PAD.encode(bytes)))
    }

    /// Accepts exactly what `generate` produces; anything else cannot be a token of ours.
    pub fn parse(raw: &str) -> Option<Self> {
        if raw.len() != Self::ENCODED_LEN {
            return None;
        }
        let decoded = URL_SAFE_NO_PAD.decode(raw).ok()?;
        (decoded.len() == Self::BYTES).then(|| Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn hash(&self) -> TokenHash {
        TokenHash(hex::encode(digest::digest(&digest::SHA256, self.0.as_bytes())))
    }
}

impl fmt::Debug for LoginToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("LoginToken(<redacted>)")
    }
}

/// Hex SHA-256 of a login token: the key it is stored under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenHash(String);

impl TokenHash {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Hex SHA-256 of any key we must not store in the clear (rate-limit subjects).
pub fn sha256_hex(input: &str) -> String {
    hex::encode(digest::digest(&digest::SHA256, input.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_is_trimmed_and_lowercased() {
        let email = EmailAddress::parse("  Ada.Lovelace@Example.COM ").unwrap();
        assert_eq!(email.as_str(), "ada.lovelace@example.com");
    }

    #[test]
    fn malformed_emails_are_rejected() {
        for raw in [
            "",
            "   ",
            "no-at-sign",
            "a@b",
            "@example.com",
            "a@@example.com",
            "Ada <ada@example.com>",
            "a@[127.0.0.1]",
            "a@example.com.",
        ] {
            assert_eq!(EmailAddress::parse(raw), Err(InvalidEmail), "{raw:?} accepted");
        }
        let long = format!("{}@example.com", "a".repeat(250));
        assert!(EmailAddress::parse(&long).is_err());
    }

    #[test]
    fn tokens_are_43_chars_of_base64url_and_unique() {
        let a = LoginToken::generate().unwrap();
        let b = LoginToken::generate().unwrap();
        assert_eq!(a.as_str().len(), 43);
        assert_ne!(a, b);
        assert!(a.as_str().bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'));
        assert_eq!(LoginToken::parse(a.as_str()), Some(a.clone()));
    }

    #[test]
    fn token_parse_rejects_anything_else() {
        let good = LoginToken::generate().unwrap();
        assert!(LoginToken::parse(&good.as_str()[..42]).is_none());
        assert!(LoginToken::parse(&format!("{}=", good.as_str())).is_none());
        assert!(LoginToken::parse(&"+".repeat(43)).is_none());
        assert!(LoginToken::parse("").is_none());
    }

    #[test]
    fn token_hash_is_sha256_hex_and_not_the_token() {
        let token = LoginToken::parse("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA").unwrap();
        let hash = token.hash();
        assert_eq!(hash.as_str().len(), 64);
        assert_eq!(hash.as_str(), sha256_hex(token.as_str()));
        assert!(!hash.as_str().contains(token.as_str()));
        // Known answer, so a change of algorithm cannot go unnoticed.
        assert_eq!(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    #[test]
    fn debug_never_prints_a_token() {
        let token = LoginToken::generate().unwrap();
        assert!(!format!("{token:?}").contains(token.as_str()));
    }

    #[test]
    fn ids_parse_only_ulids() {
        let id = ClientId::new();
        assert_eq!(ClientId::parse(&id.to_string()), Some(id));
        assert_eq!(ClientId::parse("CLIENT#1"), None);
        assert_eq!(ClientId::parse(""), None);
    }
}
