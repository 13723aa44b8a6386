//! The agency's branding, set at runtime by an agency owner: name, logo, accent colour, support
//! address and footer links. The portal reads it from the public `GET /api/branding`; every
//! email reads it when it is written. `AGENCY_NAME` (config) is only the first default.

pub mod logo;
pub mod routes;

use serde::Deserialize;

use crate::config::Config;
use crate::domain::{Accent, Branding, Error, FooterLink, email, text};
use crate::store::Store;

pub const MAX_NAME_CHARS: usize = 80;
pub const MAX_FOOTER_LINKS: usize = 5;
const MAX_LABEL_CHARS: usize = 40;
const MAX_URL_CHARS: usize = 500;

/// The branding in force: what an owner saved, else the defaults from config. One read.
pub async fn current(store: &Store, config: &Config) -> Result<Branding, Error> {
    Ok(store.branding().await?.unwrap_or_else(|| Branding::default_named(&config.agency_name)))
}

/// What an owner sends to change the branding (the logo has its own route).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BrandingInput {
    pub agency_name: String,
    pub accent: String,
    #[serde(default)]
    pub support_email: Option<String>,
    #[serde(default)]
    pub footer_links: Vec<FooterLinkInput>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FooterLinkInput {
    pub label: String,
    pub url: String,
}

impl BrandingInput {
    /// The new branding, keeping the logo `before` had.
    pub fn parse(self, before: &Branding) -> Result<Branding, Error> {
        let agency_name = text(&self.agency_name, "agency_name", MAX_NAME_CHARS)?;
        if agency_name.chars().any(char::is_control) {
            return Err(Error::invalid("invalid_field", "`agency_name` cannot contain control characters."));
        }
        let support_email = match self.support_email.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(raw) => Some(email(raw)?),
        };
        if self.footer_links.len() > MAX_FOOTER_LINKS {
            return Err(Error::invalid("too_many_links", format!("Up to {MAX_FOOTER_LINKS} footer links.")));
        }
        let footer_links = self.footer_links.into_iter().map(FooterLinkInput::parse).collect::<Result<Vec<_>, _>>()?;
        Ok(Branding {
            agency_name,
            accent: Accent::parse(&self.accent)?,
            support_email,
            footer_links,
            logo_version: before.logo_version.clone(),
            revision: before.revision,
        })
    }
}

impl FooterLinkInput {
    fn parse(self) -> Result<FooterLink, Error> {
        let label = text(&self.label, "footer_links.label", MAX_LABEL_CHARS)?;
        let raw = self.url.trim();
        let bad = || {
            Error::invalid(
                "invalid_url",
                format!("\"{label}\": a footer link must be a full https:// address or mailto:."),
            )
        };
        if raw.len() > MAX_URL_CHARS {
            return Err(bad());
        }
        let url = url::Url::parse(raw).map_err(|_| bad())?;
        let fine = match url.scheme() {
            "https" => url.host_str().is_some_and(|host| host.contains('.')),
            "mailto" => email(url.path()).is_ok(),
            _ => false,
        };
        if !fine {
            return Err(bad());
        }
        Ok(FooterLink { label, url: url.to_string() })
    }
}

/// "field: before → after" lines for the audit log.
pub fn changes(before: &Branding, after: &Branding) -> Vec<String> {
    let mut lines = Vec::new();
    crate::domain::change(&mut lines, "agency_name", &before.agency_name, &after.agency_name);
    crate::domain::change(&mut lines, "accent", &before.accent.as_str(), &after.accent.as_str());
    crate::domain::change(&mut lines, "support_email", &before.support_email, &after.support_email);
    let links = |b: &Branding| b.footer_links.iter().map(|l| format!("{} <{}>", l.label, l.url)).collect::<Vec<_>>();
    crate::domain::change(&mut lines, "footer_links", &links(before), &links(after));
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(links: Vec<(&str, &str)>) -> BrandingInput {
        BrandingInput {
            agency_name: "  Acme & Co ".into(),
            accent: "#1d4ed8".into(),
            support_email: Some(" Help@Acme.example ".into()),
            footer_links: links
                .into_iter()
                .map(|(label, url)| FooterLinkInput { label: label.into(), url: url.into() })
                .collect(),
        }
    }

    #[test]
    fn footer_links_must_be_https_or_mailto() {
        let before = Branding {
            agency_name: "x".into(),
            accent: Accent("#000000".into()),
            support_email: None,
            footer_links: vec![],
            logo_version: Some("v1".into()),
            revision: 3,
        };
        let ok = input(vec![("Privacy", "https://acme.example/privacy"), ("Write to us", "mailto:hi@acme.example")])
            .parse(&before)
            .unwrap();
        assert_eq!(ok.agency_name, "Acme & Co");
        assert_eq!(ok.support_email.unwrap().as_str(), "help@acme.example");
        assert_eq!(ok.logo_version.as_deref(), Some("v1"), "the logo is kept");
        assert_eq!(ok.footer_links.len(), 2);
        for url in ["javascript:alert(1)", "http://acme.example", "https://localhost", "data:text/html,x", "/privacy"] {
            let error = input(vec![("Bad", url)]).parse(&before).unwrap_err();
            assert!(matches!(error, Error::Invalid { code: "invalid_url", .. }), "{url}: {error:?}");
        }
        let many = vec![("a", "https://a.example"); 6];
        assert!(matches!(input(many).parse(&before), Err(Error::Invalid { code: "too_many_links", .. })));
    }
}
