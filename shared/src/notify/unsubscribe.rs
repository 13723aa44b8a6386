//! Unsubscribe links that work without signing in: `{principal}.{topics}.{tag}`, the topics
//! joined by `~` (no escaping needed in a URL) and the tag an HMAC over the rest under a key
//! derived from the portal's secret. A link names one person and the topics of the mail it came
//! in; it cannot be altered to name anyone or anything else, and using it twice is harmless. No
//! expiry: RFC 8058 links must keep working as long as the mail may be read.

use aws_lc_rs::hmac;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::Topic;

pub struct UnsubscribeKey(hmac::Key);

impl std::fmt::Debug for UnsubscribeKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("UnsubscribeKey(<redacted>)")
    }
}

/// What a valid link says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnsubscribeLink {
    pub principal: String,
    pub topics: Vec<Topic>,
}

impl UnsubscribeKey {
    pub fn new(secret: &[u8]) -> Self {
        let derived = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, secret), b"client-portal/unsubscribe/v1");
        Self(hmac::Key::new(hmac::HMAC_SHA256, derived.as_ref()))
    }

    pub fn token(&self, principal: &str, topics: &[Topic]) -> String {
        let scope = topics.iter().map(|t| t.as_str()).collect::<Vec<_>>().join("~");
        let signed = format!("{principal}.{scope}");
        let tag = hmac::sign(&self.0, signed.as_bytes());
        format!("{signed}.{}", URL_SAFE_NO_PAD.encode(tag.as_ref()))
    }

    /// The link's person and topics, if the link is one we made.
    pub fn verify(&self, token: &str) -> Option<UnsubscribeLink> {
        if token.len() > 512 {
            return None;
        }
        let (signed, tag) = token.rsplit_once('.')?;
        let tag = URL_SAFE_NO_PAD.decode(tag).ok()?;
        hmac::verify(&self.0, signed.as_bytes(), &tag).ok()?;
        let (principal, scope) = signed.split_once('.')?;
        let topics = scope.split('~').map(Topic::parse).collect::<Option<Vec<_>>>()?;
        (!principal.is_empty() && !topics.is_empty())
            .then(|| UnsubscribeLink { principal: principal.to_owned(), topics })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_verifies_only_as_made() {
        let key = UnsubscribeKey::new(b"0123456789abcdef0123456789abcdef");
        let token = key.token("01ABC", &[Topic::Messages, Topic::Deliverables]);
        assert_eq!(
            key.verify(&token),
            Some(UnsubscribeLink { principal: "01ABC".into(), topics: vec![Topic::Messages, Topic::Deliverables] })
        );
        let other_person = token.replacen("01ABC", "01ABD", 1);
        assert_eq!(key.verify(&other_person), None, "another person's id");
        let more_topics = token.replacen("messages", "invoices", 1);
        assert_eq!(key.verify(&more_topics), None, "other topics");
        let mut flipped = token.clone();
        flipped.pop();
        flipped.push(if token.ends_with('A') { 'B' } else { 'A' });
        assert_eq!(key.verify(&flipped), None, "a changed tag");
        assert_eq!(UnsubscribeKey::new(b"another secret, just as long....").verify(&token), None);
        assert_eq!(key.verify("garbage"), None);
        assert_eq!(key.verify(""), None);
    }
}
