//! The agency's branding as the portal stores it: name, accent colour, support address, footer
//! links and the logo's version; and the colour arithmetic (WCAG contrast) its rules use.

use serde::{Deserialize, Serialize};

use super::{EmailAddress, Error};

/// What the portal stores (one item, replaced whole).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Branding {
    pub agency_name: String,
    pub accent: Accent,
    #[serde(default)]
    pub support_email: Option<EmailAddress>,
    #[serde(default)]
    pub footer_links: Vec<FooterLink>,
    /// The uploaded logo's version (its id), `None` for the portal's own mark.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo_version: Option<String>,
    /// Counts saves; each save is conditional on the one it read, so two owners saving at
    /// once never silently undo each other (0: nothing saved yet).
    #[serde(default)]
    pub revision: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FooterLink {
    pub label: String,
    pub url: String,
}

/// The portal's own accent before an owner picks one (7.2:1 against white).
pub const DEFAULT_ACCENT: &str = "#1d4ed8";

impl Branding {
    /// Before an owner saves anything: the name from config (`AGENCY_NAME`), the portal's colour.
    pub fn default_named(agency_name: &str) -> Self {
        Self {
            agency_name: agency_name.to_owned(),
            accent: Accent(DEFAULT_ACCENT.to_owned()),
            support_email: None,
            footer_links: Vec::new(),
            logo_version: None,
            revision: 0,
        }
    }
}

/// An accent colour, `#rrggbb` in lower case, readable on the page: white text on it and it as
/// text on white both reach WCAG AA (4.5:1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Accent(pub(crate) String);

/// WCAG 2 AA for normal text.
pub const MIN_CONTRAST: f64 = 4.5;
/// The backgrounds the accent is drawn on (`web/src/style.css`): the light theme's page and
/// cards, and the lightest of the dark theme's surfaces (`--surface-2`), so the lighter twin
/// reads on every dark background.
pub const LIGHT_PAGE: Rgb = Rgb(0xff, 0xff, 0xff);
pub const DARK_PAGE: Rgb = Rgb(0x22, 0x2b, 0x3b);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    pub fn parse(raw: &str) -> Option<Self> {
        let hex = raw.trim().strip_prefix('#')?;
        let expanded: String = match hex.len() {
            3 => hex.chars().flat_map(|c| [c, c]).collect(),
            6 => hex.to_owned(),
            _ => return None,
        };
        let byte = |i: usize| u8::from_str_radix(expanded.get(i..i + 2)?, 16).ok();
        Some(Self(byte(0)?, byte(2)?, byte(4)?))
    }

    pub fn hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }

    /// WCAG 2 relative luminance.
    fn luminance(self) -> f64 {
        let channel = |c: u8| {
            let c = f64::from(c) / 255.0;
            if c <= 0.039_28 { c / 12.92 } else { ((c + 0.055) / 1.055).powf(2.4) }
        };
        0.2126 * channel(self.0) + 0.7152 * channel(self.1) + 0.0722 * channel(self.2)
    }

    /// WCAG 2 contrast ratio, 1 to 21.
    pub fn contrast(self, other: Self) -> f64 {
        let (a, b) = (self.luminance(), other.luminance());
        let (light, dark) = if a > b { (a, b) } else { (b, a) };
        (light + 0.05) / (dark + 0.05)
    }

    fn mix_with_white(self, share: f64) -> Self {
        let mix = |c: u8| {
            let mixed = f64::from(c) + (255.0 - f64::from(c)) * share;
            // In 0..=255 by construction.
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let byte = mixed.round().clamp(0.0, 255.0) as u8;
            byte
        };
        Self(mix(self.0), mix(self.1), mix(self.2))
    }
}

/// Rounded down to two decimals, so "4.49" never passes as "4.5".
pub fn ratio_text(ratio: f64) -> String {
    format!("{:.2}:1", (ratio * 100.0).floor() / 100.0)
}

impl Accent {
    pub fn parse(raw: &str) -> Result<Self, Error> {
        let colour = Rgb::parse(raw).ok_or_else(|| {
            Error::malformed("invalid_accent", "The accent colour must be a hex colour like #1d4ed8.")
        })?;
        let ratio = colour.contrast(LIGHT_PAGE);
        if ratio < MIN_CONTRAST {
            return Err(Error::invalid(
                "low_contrast",
                format!(
                    "{} has a contrast of {} against the page; it needs at least 4.5:1 so buttons and links stay readable. Pick a darker colour.",
                    colour.hex(),
                    ratio_text(ratio)
                ),
            ));
        }
        Ok(Self(colour.hex()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn rgb(&self) -> Rgb {
        Rgb::parse(&self.0).unwrap_or(Rgb(0x1d, 0x4e, 0xd8))
    }

    pub fn contrast(&self) -> f64 {
        self.rgb().contrast(LIGHT_PAGE)
    }

    /// The accent lightened (mixed with white) just enough to read as text on the dark theme's
    /// page, for links and focus rings there; buttons keep the accent itself under white text.
    pub fn on_dark(&self) -> String {
        let base = self.rgb();
        (0..=20)
            .map(|step| base.mix_with_white(f64::from(step) * 0.05))
            .find(|colour| colour.contrast(DARK_PAGE) >= MIN_CONTRAST)
            .unwrap_or(Rgb(0xff, 0xff, 0xff))
            .hex()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contrast_matches_wcag_reference_values() {
        assert!((Rgb(0, 0, 0).contrast(LIGHT_PAGE) - 21.0).abs() < 1e-9);
        assert!((Rgb(0xff, 0xff, 0xff).contrast(LIGHT_PAGE) - 1.0).abs() < 1e-9);
        // #767676 is the classic "just passes" grey: 4.54:1.
        assert_eq!(ratio_text(Rgb::parse("#767676").unwrap().contrast(LIGHT_PAGE)), "4.54:1");
        assert_eq!(ratio_text(Rgb::parse("#777").unwrap().contrast(LIGHT_PAGE)), "4.47:1");
    }

    #[test]
    fn accents_below_aa_are_refused_with_the_ratio() {
        assert_eq!(Accent::parse("#1D4ED8").unwrap().as_str(), "#1d4ed8");
        assert_eq!(Accent::parse("#767676").unwrap().as_str(), "#767676");
        let Error::Invalid { code, message } = Accent::parse("#777777").unwrap_err() else { panic!() };
        assert_eq!(code, "low_contrast");
        assert!(message.contains("4.47:1"), "{message}");
        for bad in ["", "1d4ed8", "#12345", "#gggggg", "red", "#1d4ed8ff"] {
            assert!(matches!(Accent::parse(bad), Err(Error::Malformed { .. })), "{bad}");
        }
    }

    #[test]
    fn the_dark_theme_gets_a_lighter_accent_that_still_reads() {
        for accent in ["#1d4ed8", "#000000", "#767676", "#7c2d12"] {
            let accent = Accent::parse(accent).unwrap();
            let dark = Rgb::parse(&accent.on_dark()).unwrap();
            assert!(dark.contrast(DARK_PAGE) >= MIN_CONTRAST, "{} → {}", accent.as_str(), dark.hex());
        }
    }
}
