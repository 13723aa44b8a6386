//! Deliverable files in the private S3 bucket. Clients never get bucket access: they get a
//! presigned GET, valid for five minutes, issued only after the deliverable was found under
//! their own client.

use std::time::Duration;

use aws_sdk_s3::presigning::PresigningConfig;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use time::OffsetDateTime;

use crate::domain::Error;

/// How long a download link works.
pub const DOWNLOAD_TTL: Duration = Duration::from_secs(300);

/// A presigned download link.
#[derive(Debug, serde::Serialize)]
pub struct DownloadLink {
    pub url: String,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    pub filename: String,
    pub version: u32,
    /// Images and PDFs: a link that shows the file in the page instead of saving it.
    pub preview_url: Option<String>,
}

pub(super) async fn presign_download(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    key: &str,
    disposition: String,
    content_type: &str,
) -> Result<(String, OffsetDateTime), Error> {
    let config = PresigningConfig::expires_in(DOWNLOAD_TTL).map_err(Error::internal)?;
    let request = s3
        .get_object()
        .bucket(bucket)
        .key(key)
        .response_content_disposition(disposition)
        .response_content_type(content_type)
        .presigned(config)
        .await
        .map_err(|e| Error::internal(aws_smithy_types::error::display::DisplayErrorContext(&e)))?;
    let expires_at = OffsetDateTime::now_utc() + DOWNLOAD_TTL;
    Ok((request.uri().to_owned(), expires_at))
}

/// RFC 6266 `attachment` with an ASCII fallback and the exact UTF-8 name (RFC 5987).
pub fn content_disposition(filename: &str) -> String {
    disposition("attachment", filename)
}

/// The same for showing a file in the page (previews).
pub fn inline_disposition(filename: &str) -> String {
    disposition("inline", filename)
}

fn disposition(kind: &str, filename: &str) -> String {
    const ATTR_CHAR: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'!')
        .remove(b'#')
        .remove(b'$')
        .remove(b'&')
        .remove(b'+')
        .remove(b'-')
        .remove(b'.')
        .remove(b'^')
        .remove(b'_')
        .remove(b'`')
        .remove(b'|')
        .remove(b'~');
    let fallback: String = filename
        .chars()
        .map(|c| if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' { c } else { '_' })
        .collect();
    format!("{kind}; filename=\"{fallback}\"; filename*=UTF-8''{}", utf8_percent_encode(filename, ATTR_CHAR))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disposition_keeps_the_name_and_escapes_what_must_be() {
        assert_eq!(
            content_disposition("Homepage v2.pdf"),
            "attachment; filename=\"Homepage v2.pdf\"; filename*=UTF-8''Homepage%20v2.pdf"
        );
        let tricky = content_disposition("Résumé \"final\".pdf");
        assert!(tricky.starts_with("attachment; filename=\"R_sum_ _final_.pdf\""), "{tricky}");
        assert!(tricky.ends_with("filename*=UTF-8''R%C3%A9sum%C3%A9%20%22final%22.pdf"), "{tricky}");
        assert!(!content_disposition("a\r\nb").contains('\n'));
        assert_eq!(inline_disposition("a.png"), "inline; filename=\"a.png\"; filename*=UTF-8''a.png");
    }
}
