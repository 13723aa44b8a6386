//! Who makes a change, as the audit log names them, and the field rules every edit form shares.

use super::{AdminId, AuditEvent, ClientId, ContactId, EmailAddress, Error};

/// Who makes a change: agency staff through the console, a client owner through the Team page,
/// or the operator through the `portal` CLI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    Admin(AdminId),
    Contact(ContactId),
    /// The `portal` CLI, run by whoever holds the AWS credentials.
    Operator,
}

impl Actor {
    pub fn admin(id: AdminId) -> Self {
        Self::Admin(id)
    }

    pub fn operator() -> Self {
        Self::Operator
    }

    /// The side this actor is on, for notifications.
    pub fn side(&self) -> super::Side {
        match self {
            Self::Contact(_) => super::Side::Client,
            Self::Admin(_) | Self::Operator => super::Side::Agency,
        }
    }

    /// The person's id (a contact's or admin's), if a person acted.
    pub fn person_id(&self) -> Option<String> {
        match self {
            Self::Admin(id) => Some(id.to_string()),
            Self::Contact(id) => Some(id.to_string()),
            Self::Operator => None,
        }
    }

    /// The audit log's name for this actor, e.g. `admin:01J…`.
    pub fn label(&self) -> String {
        match self {
            Self::Admin(id) => format!("admin:{id}"),
            Self::Contact(id) => format!("contact:{id}"),
            Self::Operator => "operator:cli".to_owned(),
        }
    }

    /// An audit event by this actor; an empty summary is left out.
    pub fn audit(&self, client: Option<ClientId>, action: &str, target: String, summary: String) -> AuditEvent {
        let mut event = AuditEvent::new(client, self.label(), action, target);
        event.summary = (!summary.is_empty()).then_some(summary);
        event
    }
}

/// A required text field: trimmed, 1 to `max` characters.
///
/// One line: names and titles end up in mail subjects and headers, so line breaks, control
/// characters and invisible direction marks (which make `report\u{202E}fdp.zip` read
/// "reportpiz.pdf") are refused, not stored.
pub fn text(raw: &str, field: &'static str, max: usize) -> Result<String, Error> {
    let value = multiline_text(raw, field, max)?;
    if value.chars().any(char::is_control) {
        return Err(Error::invalid("invalid_field", format!("`{field}` must be a single line of text.")));
    }
    Ok(value)
}

/// A text that may run over several lines (a note): as `text`, but line breaks and tabs are
/// fine; other control characters and invisible direction marks are refused.
pub fn multiline_text(raw: &str, field: &'static str, max: usize) -> Result<String, Error> {
    let value = raw.trim();
    let length = value.chars().count();
    if length == 0 || length > max {
        return Err(Error::invalid("invalid_field", format!("`{field}` must be 1 to {max} characters.")));
    }
    if value.chars().any(|c| (c.is_control() && !matches!(c, '\n' | '\r' | '\t')) || is_invisible_format(c)) {
        return Err(Error::invalid(
            "invalid_field",
            format!("`{field}` contains control characters or invisible direction marks."),
        ));
    }
    Ok(value.to_owned())
}

/// Invisible formatting characters (Unicode category Cf, and the line and paragraph
/// separators) that can make text read other than it is: bidirectional overrides, isolates and
/// marks, zero-width spaces, byte order marks. The zero-width joiner and non-joiner stay: emoji
/// sequences and Persian or Indic names need them.
pub fn is_invisible_format(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{061C}' | '\u{180E}' | '\u{200B}' | '\u{200E}' | '\u{200F}' | '\u{2028}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}' | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}'
    )
}

/// An optional text field: trimmed, at most `max` characters (empty is fine).
pub fn optional_text(raw: &str, field: &'static str, max: usize) -> Result<String, Error> {
    let value = raw.trim();
    if value.chars().count() > max {
        return Err(Error::invalid("invalid_field", format!("`{field}` must be at most {max} characters.")));
    }
    Ok(value.to_owned())
}

pub fn email(raw: &str) -> Result<EmailAddress, Error> {
    EmailAddress::parse(raw)
        .map_err(|_| Error::malformed("invalid_email", "Enter a valid email address, like name@company.com."))
}

/// "field: before → after" for each change, for the audit log.
pub fn change<T: PartialEq + std::fmt::Debug>(changes: &mut Vec<String>, field: &str, before: &T, after: &T) {
    if before != after {
        changes.push(format!("{field}: {before:?} → {after:?}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_fields_count_characters_and_trim() {
        assert_eq!(text("  Acme  ", "name", 200).ok().as_deref(), Some("Acme"));
        assert!(text("   ", "name", 200).is_err());
        assert!(text(&"😀".repeat(200), "name", 200).is_ok(), "200 emoji are 200 characters");
        assert!(text(&"a".repeat(201), "name", 200).is_err());
        for hostile in
            ["Ann\nBcc: x@y.example", "Ann\rLee", "Ann\u{0}", "Ann\u{202E}eeL", "A\u{200B}nn", "Ann\u{2028}Lee"]
        {
            assert!(text(hostile, "name", 200).is_err(), "{hostile:?}");
        }
        assert_eq!(
            multiline_text("line one\nline two\tend", "note", 200).ok().as_deref(),
            Some("line one\nline two\tend")
        );
        assert!(multiline_text("bell\u{7}", "note", 200).is_err());
        assert!(multiline_text("flip\u{202E}", "note", 200).is_err());
        assert_eq!(text("Zoë 😀 O'Brien-Łukasz", "name", 200).ok().as_deref(), Some("Zoë 😀 O'Brien-Łukasz"));
        assert_eq!(optional_text("", "summary", 10).ok().as_deref(), Some(""));
        assert!(optional_text(&"b".repeat(11), "summary", 10).is_err());
    }

    #[test]
    fn changes_name_only_what_changed() {
        let mut changes = Vec::new();
        change(&mut changes, "name", &"A", &"A");
        change(&mut changes, "status", &1, &2);
        assert_eq!(changes, ["status: 1 → 2"]);
    }

    #[test]
    fn actors_are_labelled_for_the_audit_log() {
        assert_eq!(Actor::Operator.label(), "operator:cli");
        let contact = ContactId::new();
        assert_eq!(Actor::Contact(contact).label(), format!("contact:{contact}"));
    }
}
