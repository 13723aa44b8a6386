//! The messages, each a pair of askama templates (`.html` escaped, `.txt` plain) that read the
//! message as `mail`. A message is data first: its fields say what a template may show.

use askama::Template;

use super::{Brand, Email};
use crate::domain::{EmailAddress, Error};

/// A message's `to()`: its HTML and plain-text templates, each reading the message as `mail`.
macro_rules! message {
    ($message:ident, $html:literal, $text:literal, |$mail:ident| $subject:expr) => {
        const _: () = {
            #[derive(Template)]
            #[template(path = $html)]
            struct Html<'m, 'a> {
                mail: &'m $message<'a>,
            }

            #[derive(Template)]
            #[template(path = $text)]
            struct Text<'m, 'a> {
                mail: &'m $message<'a>,
            }

            impl $message<'_> {
                pub fn to(&self, to: &EmailAddress) -> Result<Email, Error> {
                    let $mail = self;
                    Ok(Email {
                        to: to.clone(),
                        from_name: self.brand.name.clone(),
                        subject: $subject,
                        html: render(&Html { mail: self })?,
                        text: render(&Text { mail: self })?,
                        unsubscribe: None,
                    })
                }
            }
        };
    };
}

fn render(template: &impl Template) -> Result<String, Error> {
    template.render().map_err(Error::internal)
}

/// The sign-in link. It carries the token in the fragment, so it never reaches a server log or
/// a `Referer` header; the verify page posts it.
pub struct MagicLink<'a> {
    pub name: &'a str,
    pub brand: &'a Brand,
    pub link: &'a str,
    pub minutes: u64,
}

/// The welcome mail a new contact gets, with a longer-lived first sign-in link.
pub struct Invitation<'a> {
    pub name: &'a str,
    pub brand: &'a Brand,
    pub company: &'a str,
    pub link: &'a str,
}

/// Welcomes a new agency staff member.
pub struct StaffInvitation<'a> {
    pub name: &'a str,
    pub brand: &'a Brand,
    pub invited_by: &'a str,
    /// "an owner" or "a member".
    pub role: &'a str,
    pub link: &'a str,
}

/// Notification mail: one or more events for one person (a batch or the daily digest), with
/// the one-click unsubscribe link in the footer as well as in the headers.
pub struct Updates<'a> {
    pub name: &'a str,
    pub brand: &'a Brand,
    pub subject: String,
    pub intro: String,
    pub items: Vec<UpdateLine>,
    pub portal_link: String,
    pub settings_link: String,
    pub unsubscribe_link: String,
    pub unsubscribe_label: String,
    /// The RFC 8058 endpoint (POST) for the `List-Unsubscribe` header.
    pub one_click: String,
}

pub struct UpdateLine {
    pub summary: String,
    pub excerpt: Option<String>,
    pub link: String,
}

impl Updates<'_> {
    pub fn to(&self, to: &EmailAddress) -> Result<Email, Error> {
        #[derive(Template)]
        #[template(path = "mail/updates.html")]
        struct Html<'m, 'a> {
            mail: &'m Updates<'a>,
        }
        #[derive(Template)]
        #[template(path = "mail/updates.txt")]
        struct Text<'m, 'a> {
            mail: &'m Updates<'a>,
        }
        Ok(Email {
            to: to.clone(),
            from_name: self.brand.name.clone(),
            subject: self.subject.clone(),
            html: render(&Html { mail: self })?,
            text: render(&Text { mail: self })?,
            unsubscribe: Some(self.one_click.clone()),
        })
    }
}

// How each message renders: both parts read it as `mail`.
message!(MagicLink, "mail/magic_link.html", "mail/magic_link.txt", |mail| format!(
    "Your sign-in link for {}",
    mail.brand.name
));
message!(Invitation, "mail/invitation.html", "mail/invitation.txt", |mail| format!(
    "Welcome to the {} client portal",
    mail.brand.name
));
message!(StaffInvitation, "mail/staff_invitation.html", "mail/staff_invitation.txt", |mail| format!(
    "You have been added to the {} client portal",
    mail.brand.name
));

#[cfg(test)]
mod tests {
    use super::*;

    fn brand(name: &str) -> Brand {
        Brand {
            name: name.to_owned(),
            accent: "#7c2d12".to_owned(),
            logo_url: Some("https://portal.example/api/branding/logo?v=1".to_owned()),
            support_email: Some("help@agency.example".to_owned()),
            footer_links: vec![crate::domain::FooterLink {
                label: "Privacy".to_owned(),
                url: "https://agency.example/privacy".to_owned(),
            }],
        }
    }

    fn ada() -> EmailAddress {
        EmailAddress::parse("ada@acme.example").unwrap()
    }

    #[test]
    fn magic_link_has_both_parts_with_the_link() {
        let link = "https://portal.example/auth/verify#token=abc";
        let email =
            MagicLink { name: "Ada <script>", brand: &brand("Agency & Co"), link, minutes: 10 }.to(&ada()).unwrap();
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
        assert_eq!(email.from_name, "Agency & Co");
        // The agency's branding: its colour on the button, its logo, its support address and links.
        assert!(email.html.contains("background:#7c2d12"), "{}", email.html);
        assert!(email.html.contains("src=\"https://portal.example/api/branding/logo?v=1\""), "{}", email.html);
        assert!(email.html.contains("mailto:help@agency.example") && email.text.contains("help@agency.example"));
        assert!(
            email.html.contains("https://agency.example/privacy")
                && email.text.contains("Privacy: https://agency.example/privacy")
        );
    }

    #[test]
    fn every_message_escapes_what_people_wrote() {
        let evil = r#"<img src=x onerror="alert(1)">"#;
        let link = "https://portal.example/x";
        let evil_brand = Brand { name: evil.to_owned(), logo_url: None, ..brand("x") };
        let emails = [
            Invitation { name: evil, brand: &evil_brand, company: evil, link }.to(&ada()).unwrap(),
            Updates {
                name: evil,
                brand: &evil_brand,
                subject: evil.to_owned(),
                intro: evil.to_owned(),
                items: vec![UpdateLine {
                    summary: evil.to_owned(),
                    excerpt: Some(evil.to_owned()),
                    link: link.to_owned(),
                }],
                portal_link: link.to_owned(),
                settings_link: link.to_owned(),
                unsubscribe_link: link.to_owned(),
                unsubscribe_label: evil.to_owned(),
                one_click: link.to_owned(),
            }
            .to(&ada())
            .unwrap(),
        ];
        for email in emails {
            assert!(!email.html.contains("<img"), "unescaped: {}", email.html);
            assert!(email.text.contains(evil), "the text part must stay as written: {}", email.text);
        }
    }
}
