//! Outgoing mail through SES v2: every message has an HTML and a plain-text part.

use aws_sdk_sesv2::Client as SesClient;
use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message};

use crate::app::LazyClient;
use crate::domain::EmailAddress;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    pub to: EmailAddress,
    pub subject: String,
    pub html: String,
    pub text: String,
}

#[derive(Debug, thiserror::Error)]
#[error("sending email failed: {0}")]
pub struct EmailError(String);

#[derive(Clone, Debug)]
pub struct Mailer {
    ses: LazyClient<SesClient>,
    /// `"Agency Name" <portal@agency.com>`
    from: String,
}

impl Mailer {
    pub fn new(ses: LazyClient<SesClient>, sender: &EmailAddress, display_name: &str) -> Self {
        let name: String = display_name.chars().filter(|c| !matches!(c, '"' | '\\' | '\r' | '\n')).collect();
        Self { ses, from: format!("\"{name}\" <{sender}>") }
    }

    pub async fn send(&self, email: &Email) -> Result<(), EmailError> {
        let content = |data: &str| Content::builder().data(data).charset("UTF-8").build();
        let subject = content(&email.subject).map_err(|e| EmailError(e.to_string()))?;
        let html = content(&email.html).map_err(|e| EmailError(e.to_string()))?;
        let text = content(&email.text).map_err(|e| EmailError(e.to_string()))?;
        let message = Message::builder().subject(subject).body(Body::builder().html(html).text(text).build()).build();
        self.ses
            .get()
            .send_email()
            .from_email_address(&self.from)
            .destination(Destination::builder().to_addresses(email.to.as_str()).build())
            .content(EmailContent::builder().simple(message).build())
            .send()
            .await
            .map_err(|e| EmailError(aws_smithy_types::error::display::DisplayErrorContext(&e).to_string()))?;
        Ok(())
    }
}

/// Escapes text for an HTML element or a double-quoted attribute.
pub fn escape_html(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// The magic-link email. The link carries the token in the fragment, so it never reaches a
/// server log or a `Referer` header; the verify page posts it.
pub fn magic_link(to: &EmailAddress, recipient_name: &str, agency_name: &str, link: &str, minutes: u64) -> Email {
    let subject = format!("Your sign-in link for {agency_name}");
    let text = format!(
        "Hello {recipient_name},\n\n\
         Use this link to sign in to the {agency_name} client portal:\n\n{link}\n\n\
         The link works once and expires in {minutes} minutes. If you did not ask for it, \
         you can ignore this email: nobody can sign in without it.\n"
    );
    let (name, agency, href) = (escape_html(recipient_name), escape_html(agency_name), escape_html(link));
    let html = format!(
        r#"<!doctype html>
<html lang="en"><body style="font-family:system-ui,sans-serif;line-height:1.5;color:#1f2937">
<p>Hello {name},</p>
<p>Use the button below to sign in to the {agency} client portal.</p>
<p><a href="{href}" style="display:inline-block;padding:10px 18px;background:#2563eb;color:#fff;border-radius:6px;text-decoration:none">Sign in to {agency}</a></p>
<p>Or paste this link into your browser:<br><a href="{href}">{href}</a></p>
<p style="color:#6b7280;font-size:14px">The link works once and expires in {minutes} minutes. If you did not ask for it, you can ignore this email: nobody can sign in without it.</p>
</body></html>"#
    );
    Email { to: to.clone(), subject, html, text }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magic_link_has_both_parts_with_the_link() {
        let to = EmailAddress::parse("ada@acme.example").unwrap();
        let link = "https://portal.example/auth/verify#token=abc";
        let email = magic_link(&to, "Ada <script>", "Agency & Co", link, 10);
        assert!(email.text.contains(link));
        assert!(email.html.contains(link));
        assert!(email.text.contains("10 minutes"));
        assert!(email.html.contains("Ada &lt;script&gt;"), "name not escaped");
        assert!(!email.html.contains("<script>"));
        assert!(email.html.contains("Agency &amp; Co"));
        assert_eq!(email.subject, "Your sign-in link for Agency & Co");
    }

    #[test]
    fn escape_covers_attribute_breakers() {
        assert_eq!(escape_html(r#"a"b'c<d>&"#), "a&quot;b&#39;c&lt;d&gt;&amp;");
    }
}
