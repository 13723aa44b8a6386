//! The messages, each a pair of askama templates (`.html` escaped, `.txt` plain). A message is
//! data first: its fields say what a template may show.

use askama::Template;

use super::Email;
use crate::domain::{EmailAddress, Error};

#[derive(Template)]
#[template(path = "mail/magic_link.html")]
struct MagicLinkHtml<'a> {
    name: &'a str,
    agency: &'a str,
    link: &'a str,
    minutes: u64,
}

#[derive(Template)]
#[template(path = "mail/magic_link.txt")]
struct MagicLinkText<'a> {
    name: &'a str,
    agency: &'a str,
    link: &'a str,
    minutes: u64,
}

/// The sign-in link. It carries the token in the fragment, so it never reaches a server log or
/// a `Referer` header; the verify page posts it.
pub struct MagicLink<'a> {
    pub name: &'a str,
    pub agency: &'a str,
    pub link: &'a str,
    pub minutes: u64,
}

impl MagicLink<'_> {
    pub fn to(&self, to: &EmailAddress) -> Result<Email, Error> {
        let Self { name, agency, link, minutes } = *self;
        Ok(Email {
            to: to.clone(),
            subject: format!("Your sign-in link for {agency}"),
            html: MagicLinkHtml { name, agency, link, minutes }.render().map_err(Error::internal)?,
            text: MagicLinkText { name, agency, link, minutes }.render().map_err(Error::internal)?,
        })
    }
}

#[derive(Template)]
#[template(path = "mail/invitation.html")]
struct InvitationHtml<'a> {
    name: &'a str,
    agency: &'a str,
    company: &'a str,
    link: &'a str,
}

#[derive(Template)]
#[template(path = "mail/invitation.txt")]
struct InvitationText<'a> {
    name: &'a str,
    agency: &'a str,
    company: &'a str,
    link: &'a str,
}

/// The welcome mail a new contact gets, with a longer-lived first sign-in link.
pub struct Invitation<'a> {
    pub name: &'a str,
    pub agency: &'a str,
    pub company: &'a str,
    pub link: &'a str,
}

impl Invitation<'_> {
    pub fn to(&self, to: &EmailAddress) -> Result<Email, Error> {
        let Self { name, agency, company, link } = *self;
        Ok(Email {
            to: to.clone(),
            subject: format!("Welcome to the {agency} client portal"),
            html: InvitationHtml { name, agency, company, link }.render().map_err(Error::internal)?,
            text: InvitationText { name, agency, company, link }.render().map_err(Error::internal)?,
        })
    }
}

#[derive(Template)]
#[template(path = "mail/notification.html")]
struct NotificationHtml<'a> {
    name: &'a str,
    message: &'a str,
    link: &'a str,
}

#[derive(Template)]
#[template(path = "mail/notification.txt")]
struct NotificationText<'a> {
    name: &'a str,
    message: &'a str,
    link: &'a str,
}

/// A short notice to a client contact (a delivery, a reply), with a link into the portal.
pub struct Notification<'a> {
    pub subject: &'a str,
    pub message: &'a str,
    pub link: &'a str,
}

impl Notification<'_> {
    pub fn to(&self, to: &EmailAddress, name: &str) -> Result<Email, Error> {
        let Self { subject, message, link } = *self;
        Ok(Email {
            to: to.clone(),
            subject: subject.to_owned(),
            html: NotificationHtml { name, message, link }.render().map_err(Error::internal)?,
            text: NotificationText { name, message, link }.render().map_err(Error::internal)?,
        })
    }
}

#[derive(Template)]
#[template(path = "mail/new_message.html")]
struct NewClientMessageHtml<'a> {
    author: &'a str,
    company: &'a str,
    body: &'a str,
    link: &'a str,
}

#[derive(Template)]
#[template(path = "mail/new_message.txt")]
struct NewClientMessageText<'a> {
    author: &'a str,
    company: &'a str,
    body: &'a str,
    link: &'a str,
}

/// Tells the agency that a client wrote.
pub struct NewClientMessage<'a> {
    pub author: &'a str,
    pub company: &'a str,
    pub body: &'a str,
    pub link: &'a str,
}

impl NewClientMessage<'_> {
    pub fn to(&self, to: &EmailAddress) -> Result<Email, Error> {
        let Self { author, company, body, link } = *self;
        Ok(Email {
            to: to.clone(),
            subject: format!("New message from {author} ({company})"),
            html: NewClientMessageHtml { author, company, body, link }.render().map_err(Error::internal)?,
            text: NewClientMessageText { author, company, body, link }.render().map_err(Error::internal)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ada() -> EmailAddress {
        EmailAddress::parse("ada@acme.example").unwrap()
    }

    #[test]
    fn magic_link_has_both_parts_with_the_link() {
        let link = "https://portal.example/auth/verify#token=abc";
        let email = MagicLink { name: "Ada <script>", agency: "Agency & Co", link, minutes: 10 }.to(&ada()).unwrap();
        assert!(email.text.contains(link));
        assert!(email.html.contains(link));
        assert!(email.text.contains("10 minutes"));
        assert!(email.text.contains("Hello Ada <script>,"), "the text part is not HTML: {}", email.text);
        assert!(
            email.html.contains("Ada &#60;script&#62;") || email.html.contains("Ada &lt;script&gt;"),
            "{}",
            email.html
        );
        assert!(!email.html.contains("<script>"));
        assert!(email.html.contains("Agency &#38; Co") || email.html.contains("Agency &amp; Co"));
        assert_eq!(email.subject, "Your sign-in link for Agency & Co");
    }

    #[test]
    fn every_message_escapes_what_people_wrote() {
        let evil = r#"<img src=x onerror="alert(1)">"#;
        let link = "https://portal.example/x";
        let emails = [
            Invitation { name: evil, agency: evil, company: evil, link }.to(&ada()).unwrap(),
            Notification { subject: "s", message: evil, link }.to(&ada(), evil).unwrap(),
            NewClientMessage { author: evil, company: evil, body: evil, link }.to(&ada()).unwrap(),
        ];
        for email in emails {
            assert!(!email.html.contains("<img"), "unescaped: {}", email.html);
            assert!(email.text.contains(evil), "the text part must stay as written: {}", email.text);
        }
    }
}
