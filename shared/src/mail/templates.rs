//! The messages, each a pair of askama templates (`.html` escaped, `.txt` plain). A message is
//! data first: its fields say what a template may show. The HTML part renders the message
//! itself; the text part renders it through a small wrapper (`mail` in the `.txt` template).

use askama::Template;

use super::Email;
use crate::domain::{EmailAddress, Error};

fn render(template: &impl Template) -> Result<String, Error> {
    template.render().map_err(Error::internal)
}

/// The sign-in link. It carries the token in the fragment, so it never reaches a server log or
/// a `Referer` header; the verify page posts it.
#[derive(Template)]
#[template(path = "mail/magic_link.html")]
pub struct MagicLink<'a> {
    pub name: &'a str,
    pub agency: &'a str,
    pub link: &'a str,
    pub minutes: u64,
}

#[derive(Template)]
#[template(path = "mail/magic_link.txt")]
struct MagicLinkText<'m, 'a> {
    mail: &'m MagicLink<'a>,
}

impl MagicLink<'_> {
    pub fn to(&self, to: &EmailAddress) -> Result<Email, Error> {
        Ok(Email {
            to: to.clone(),
            subject: format!("Your sign-in link for {}", self.agency),
            html: render(self)?,
            text: render(&MagicLinkText { mail: self })?,
        })
    }
}

/// The welcome mail a new contact gets, with a longer-lived first sign-in link.
#[derive(Template)]
#[template(path = "mail/invitation.html")]
pub struct Invitation<'a> {
    pub name: &'a str,
    pub agency: &'a str,
    pub company: &'a str,
    pub link: &'a str,
}

#[derive(Template)]
#[template(path = "mail/invitation.txt")]
struct InvitationText<'m, 'a> {
    mail: &'m Invitation<'a>,
}

impl Invitation<'_> {
    pub fn to(&self, to: &EmailAddress) -> Result<Email, Error> {
        Ok(Email {
            to: to.clone(),
            subject: format!("Welcome to the {} client portal", self.agency),
            html: render(self)?,
            text: render(&InvitationText { mail: self })?,
        })
    }
}

/// A short notice to a client contact (a delivery, a reply), with a link into the portal.
pub struct Notification<'a> {
    pub subject: &'a str,
    pub message: &'a str,
    pub link: &'a str,
}

/// A notification as one contact reads it (each gets it with their own name).
#[derive(Template)]
#[template(path = "mail/notification.html")]
struct NotificationHtml<'m, 'a> {
    mail: &'m Notification<'a>,
    name: &'m str,
}

#[derive(Template)]
#[template(path = "mail/notification.txt")]
struct NotificationText<'m, 'a> {
    mail: &'m Notification<'a>,
    name: &'m str,
}

impl Notification<'_> {
    pub fn to(&self, to: &EmailAddress, name: &str) -> Result<Email, Error> {
        Ok(Email {
            to: to.clone(),
            subject: self.subject.to_owned(),
            html: render(&NotificationHtml { mail: self, name })?,
            text: render(&NotificationText { mail: self, name })?,
        })
    }
}

/// Tells the agency that a client wrote.
#[derive(Template)]
#[template(path = "mail/new_message.html")]
pub struct NewClientMessage<'a> {
    pub author: &'a str,
    pub company: &'a str,
    pub body: &'a str,
    pub link: &'a str,
}

#[derive(Template)]
#[template(path = "mail/new_message.txt")]
struct NewClientMessageText<'m, 'a> {
    mail: &'m NewClientMessage<'a>,
}

impl NewClientMessage<'_> {
    pub fn to(&self, to: &EmailAddress) -> Result<Email, Error> {
        Ok(Email {
            to: to.clone(),
            subject: format!("New message from {} ({})", self.author, self.company),
            html: render(self)?,
            text: render(&NewClientMessageText { mail: self })?,
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
