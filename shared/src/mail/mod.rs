//! Outgoing mail: the sender (SES v2) and every message the portal writes. Each message has an
//! HTML and a plain-text part, rendered from `shared/templates/mail` by askama, which escapes
//! everything it puts into HTML.

mod templates;

pub use templates::{Invitation, MagicLink, NewClientMessage, Notification, StaffInvitation};

use aws_sdk_sesv2::Client as SesClient;
use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message};

use crate::aws::LazyClient;
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
