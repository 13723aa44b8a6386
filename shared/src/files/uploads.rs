//! Browser uploads straight to S3 with a presigned POST (the Rust SDK signs GETs and PUTs but
//! not POST policies, so the policy is built and signed here, per AWS SigV4 for POST).
//!
//! The policy pins the bucket, the exact key, the content type and a `content-length-range`,
//! and expires in minutes: S3 refuses anything else. (The local emulator does not enforce POST
//! policies; the tests check the policy itself.)

use std::collections::BTreeMap;
use std::time::Duration;

use aws_lc_rs::hmac;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::Serialize;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::macros::format_description;

use crate::domain::Error;

/// How long an upload form works.
pub const UPLOAD_TTL: Duration = Duration::from_secs(15 * 60);

#[derive(Debug, Serialize)]
pub struct UploadForm {
    /// POST a multipart form here with `fields` first and the file last (field `file`).
    pub url: String,
    pub fields: BTreeMap<String, String>,
    pub upload_id: ulid::Ulid,
    pub max_bytes: u64,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
}

/// Everything that goes into one signed policy.
pub struct PolicyRequest<'a> {
    pub bucket: &'a str,
    pub key: &'a str,
    pub content_type: &'a str,
    pub max_bytes: u64,
    pub region: &'a str,
    pub access_key: &'a str,
    pub secret_key: &'a str,
    pub session_token: Option<&'a str>,
    pub now: OffsetDateTime,
    pub ttl: Duration,
}

/// Builds the POST policy and form fields (pure: the tests check exactly what S3 will enforce).
pub fn sign_post_policy(request: &PolicyRequest<'_>) -> Result<(Value, BTreeMap<String, String>), Error> {
    let date = request.now.format(format_description!("[year][month][day]")).map_err(Error::internal)?;
    let amz_date = request
        .now
        .format(format_description!("[year][month][day]T[hour][minute][second]Z"))
        .map_err(Error::internal)?;
    let expiration = (request.now + request.ttl)
        .format(format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].000Z"))
        .map_err(Error::internal)?;
    let credential = format!("{}/{date}/{}/s3/aws4_request", request.access_key, request.region);
    let mut conditions = vec![
        json!({ "bucket": request.bucket }),
        json!({ "key": request.key }),
        json!({ "Content-Type": request.content_type }),
        json!(["content-length-range", 1, request.max_bytes]),
        json!({ "x-amz-algorithm": "AWS4-HMAC-SHA256" }),
        json!({ "x-amz-credential": credential }),
        json!({ "x-amz-date": amz_date }),
    ];
    if let Some(token) = request.session_token {
        conditions.push(json!({ "x-amz-security-token": token }));
    }
    let policy = json!({ "expiration": expiration, "conditions": conditions });
    let encoded = STANDARD.encode(serde_json::to_vec(&policy).map_err(Error::internal)?);
    let signature =
        hex::encode(hmac::sign(&signing_key(request.secret_key, &date, request.region), encoded.as_bytes()));
    let mut fields = BTreeMap::from([
        ("key".to_owned(), request.key.to_owned()),
        ("Content-Type".to_owned(), request.content_type.to_owned()),
        ("x-amz-algorithm".to_owned(), "AWS4-HMAC-SHA256".to_owned()),
        ("x-amz-credential".to_owned(), credential),
        ("x-amz-date".to_owned(), amz_date),
        ("policy".to_owned(), encoded),
        ("x-amz-signature".to_owned(), signature),
    ]);
    if let Some(token) = request.session_token {
        fields.insert("x-amz-security-token".to_owned(), token.to_owned());
    }
    Ok((policy, fields))
}

/// SigV4 key derivation: HMAC chain over date, region, service.
fn signing_key(secret: &str, date: &str, region: &str) -> hmac::Key {
    let step = |key: &[u8], data: &str| hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, key), data.as_bytes());
    let k_date = step(format!("AWS4{secret}").as_bytes(), date);
    let k_region = step(k_date.as_ref(), region);
    let k_service = step(k_region.as_ref(), "s3");
    let k_signing = step(k_service.as_ref(), "aws4_request");
    hmac::Key::new(hmac::HMAC_SHA256, k_signing.as_ref())
}

/// A file name safe to use in a key and a download header: no path, no control characters,
/// at most 150 characters.
pub fn safe_filename(raw: &str) -> Option<String> {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or_default().trim();
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && !crate::domain::is_invisible_format(*c))
        .map(|c| if matches!(c, '"' | '#' | '?' | '%') { '_' } else { c })
        .collect();
    let cleaned = cleaned.trim_start_matches('.').trim().to_owned();
    (!cleaned.is_empty()).then(|| cleaned.chars().take(150).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(token: Option<&'static str>) -> PolicyRequest<'static> {
        PolicyRequest {
            bucket: "files",
            key: "clients/c/projects/p/deliverables/d/uploads/u/design.pdf",
            content_type: "application/pdf",
            max_bytes: 100 * 1024 * 1024,
            region: "eu-west-1",
            access_key: "AKIDEXAMPLE",
            secret_key: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            session_token: token,
            now: time::macros::datetime!(2026-11-25 09:30:00 UTC),
            ttl: UPLOAD_TTL,
        }
    }

    #[test]
    fn policy_pins_bucket_key_type_size_and_expiry() {
        let (policy, fields) = sign_post_policy(&request(None)).unwrap();
        assert_eq!(policy["expiration"], "2026-11-25T09:45:00.000Z");
        let conditions = policy["conditions"].as_array().unwrap();
        assert!(conditions.contains(&json!({ "bucket": "files" })));
        assert!(conditions.contains(&json!({ "key": "clients/c/projects/p/deliverables/d/uploads/u/design.pdf" })));
        assert!(conditions.contains(&json!({ "Content-Type": "application/pdf" })));
        assert!(conditions.contains(&json!(["content-length-range", 1, 104_857_600])));
        assert_eq!(fields["x-amz-credential"], "AKIDEXAMPLE/20261125/eu-west-1/s3/aws4_request");
        assert_eq!(fields["x-amz-date"], "20261125T093000Z");
        assert!(!fields.contains_key("x-amz-security-token"));
        // The policy field is exactly the signed policy.
        let decoded: Value = serde_json::from_slice(&STANDARD.decode(&fields["policy"]).unwrap()).unwrap();
        assert_eq!(decoded, policy);
    }

    #[test]
    fn signature_is_sigv4_over_the_encoded_policy() {
        let (_, fields) = sign_post_policy(&request(None)).unwrap();
        let key = signing_key("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "20261125", "eu-west-1");
        let expected = hex::encode(hmac::sign(&key, fields["policy"].as_bytes()));
        assert_eq!(fields["x-amz-signature"], expected);
        assert_eq!(fields["x-amz-signature"].len(), 64);
        // AWS's published SigV4 key-derivation example (secret, 20120215, us-east-1, iam).
        let step = |key: &[u8], data: &str| hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, key), data.as_bytes());
        let k = step(b"AWS4wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20120215");
        let k = step(k.as_ref(), "us-east-1");
        let k = step(k.as_ref(), "iam");
        let k = step(k.as_ref(), "aws4_request");
        assert_eq!(hex::encode(k.as_ref()), "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d");
    }

    #[test]
    fn temporary_credentials_carry_their_token() {
        let (policy, fields) = sign_post_policy(&request(Some("session-token"))).unwrap();
        assert_eq!(fields["x-amz-security-token"], "session-token");
        assert!(policy["conditions"].as_array().unwrap().contains(&json!({ "x-amz-security-token": "session-token" })));
    }

    #[test]
    fn filenames_are_made_safe() {
        assert_eq!(safe_filename("../../etc/passwd").as_deref(), Some("passwd"));
        assert_eq!(safe_filename("C:\\Users\\me\\Logo final.png").as_deref(), Some("Logo final.png"));
        assert_eq!(safe_filename("a\"b#c?.pdf").as_deref(), Some("a_b_c_.pdf"));
        assert_eq!(safe_filename(".hidden").as_deref(), Some("hidden"));
        assert_eq!(safe_filename("   "), None);
        assert_eq!(safe_filename("x".repeat(300).as_str()).map(|f| f.len()), Some(150));
        // A right-to-left override would show `report\u{202E}fdp.zip` as "reportpiz.pdf".
        assert_eq!(safe_filename("report\u{202E}fdp.zip").as_deref(), Some("reportfdp.zip"));
        assert_eq!(safe_filename("\u{2067}a\u{200F}b\u{2069}\u{200B}.pdf\u{FEFF}").as_deref(), Some("ab.pdf"));
        assert_eq!(safe_filename("line\nbreak\r\t.pdf").as_deref(), Some("linebreak.pdf"));
    }
}
