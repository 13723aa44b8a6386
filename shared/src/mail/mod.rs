//! Outgoing mail: the sender (SES v2) and every message the portal writes. Each message has an
//! HTML and a plain-text part, rendered from `shared/templates/mail` by askama, which escapes
//! everything it puts into HTML.

mod templates;

pub use templates::{Invitation, MagicLink, StaffInvitation, UpdateLine, Updates};

use aws_sdk_sesv2::Client as SesClient;
use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message, MessageHeader};

use crate::aws::LazyClient;
use crate::domain::EmailAddress;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    pub to: EmailAddress,
    pub subject: String,
    pub html: String,
    pub text: String,
    /// The one-click unsubscribe URL (RFC 8058) for notification mail; sign-in mail has none.
    pub unsubscribe: Option<String>,
}

#[derive(Debug, thiserror::Error)]
#[error("sending email failed: {0}")]
pub struct EmailError(String);

#[derive(Clone, Debug)]
pub struct Mailer {
    ses: LazyClient<SesClient>,
    /// `"Agency Name" <portal@agency.com>`
    from: String,
    /// The SES configuration set every mail goes through (bounce and complaint events).
    configuration_set: Option<String>,
}

impl Mailer {
    pub fn new(ses: LazyClient<SesClient>, sender: &EmailAddress, display_name: &str) -> Self {
        let name: String = display_name.chars().filter(|c| !matches!(c, '"' | '\\' | '\r' | '\n')).collect();
        Self { ses, from: format!("\"{name}\" <{sender}>"), configuration_set: None }
    }

    #[must_use]
    pub fn with_configuration_set(mut self, name: Option<String>) -> Self {
        self.configuration_set = name;
        self
    }

    pub async fn send(&self, email: &Email) -> Result<(), EmailError> {
        let content = |data: &str| Content::builder().data(data).charset("UTF-8").build();
        let subject = content(&email.subject).map_err(|e| EmailError(e.to_string()))?;
        let html = content(&email.html).map_err(|e| EmailError(e.to_string()))?;
        let text = content(&email.text).map_err(|e| EmailError(e.to_string()))?;
        let mut message = Message::builder().subject(subject).body(Body::builder().html(html).text(text).build());
        if let Some(url) = &email.unsubscribe {
            // RFC 8058: mail clients POST `List-Unsubscribe=One-Click` to the URL, no sign-in.
            let header = |name: &str, value: String| {
                MessageHeader::builder().name(name).value(value).build().map_err(|e| EmailError(e.to_string()))
            };
            message = message
                .headers(header("List-Unsubscribe", format!("<{url}>"))?)
                .headers(header("List-Unsubscribe-Post", "List-Unsubscribe=One-Click".to_owned())?);
        }
        let message = message.build();
        self.ses
            .get()
            .send_email()
            .from_email_address(&self.from)
            .set_configuration_set_name(self.configuration_set.clone())
            .destination(Destination::builder().to_addresses(email.to.as_str()).build())
            .content(EmailContent::builder().simple(message).build())
            .send()
            .await
            .map_err(|e| EmailError(aws_smithy_types::error::display::DisplayErrorContext(&e).to_string()))?;
        Ok(())
    }
}
