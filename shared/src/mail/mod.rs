//! Outgoing mail: the sender (SES v2) and every message the portal writes. Each message has an
//! HTML and a plain-text part, rendered from `shared/templates/mail` by askama, which escapes
//! everything it puts into HTML.

mod templates;

pub use templates::{Invitation, MagicLink, StaffInvitation, UpdateLine, Updates};

use aws_sdk_sesv2::Client as SesClient;
use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message, MessageHeader};

use crate::aws::LazyClient;
use crate::config::Config;
use crate::domain::{Branding, EmailAddress, Error, FooterLink};
use crate::store::Store;

/// The agency's branding as a mail shows it: read when the mail is written, so a change made
/// in the console shows in the very next mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Brand {
    pub name: String,
    pub accent: String,
    /// Absolute (mail clients have no base URL).
    pub logo_url: Option<String>,
    pub support_email: Option<String>,
    pub footer_links: Vec<FooterLink>,
}

impl Brand {
    pub fn from_branding(branding: Branding, public_url: &str) -> Self {
        Self {
            logo_url: branding
                .logo_version
                .map(|version| format!("{}/api/branding/logo?v={version}", public_url.trim_end_matches('/'))),
            accent: branding.accent.as_str().to_owned(),
            name: branding.agency_name,
            support_email: branding.support_email.map(|email| email.to_string()),
            footer_links: branding.footer_links,
        }
    }

    /// The branding in force (one read), or config's defaults before an owner set any.
    pub async fn current(store: &Store, config: &Config) -> Result<Self, Error> {
        let branding = store.branding().await?.unwrap_or_else(|| Branding::default_named(&config.agency_name));
        Ok(Self::from_branding(branding, &config.public_url))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    pub to: EmailAddress,
    /// The sender's display name: the agency's name as branded.
    pub from_name: String,
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
    sender: EmailAddress,
    /// The SES configuration set every mail goes through (bounce and complaint events).
    configuration_set: Option<String>,
}

impl Mailer {
    pub fn new(ses: LazyClient<SesClient>, sender: &EmailAddress) -> Self {
        Self { ses, sender: sender.clone(), configuration_set: None }
    }

    /// `"Agency Name" <portal@agency.com>`, the name kept to what a quoted display name allows.
    fn from(&self, display_name: &str) -> String {
        let name: String = display_name.chars().filter(|c| !matches!(c, '"' | '\\') && !c.is_control()).collect();
        format!("\"{name}\" <{}>", self.sender)
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
            .from_email_address(self.from(&email.from_name))
            .set_configuration_set_name(self.configuration_set.clone())
            .destination(Destination::builder().to_addresses(email.to.as_str()).build())
            .content(EmailContent::builder().simple(message).build())
            .send()
            .await
            .map_err(|e| EmailError(aws_smithy_types::error::display::DisplayErrorContext(&e).to_string()))?;
        Ok(())
    }
}
