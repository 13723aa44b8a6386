//! What names a person in stored items, and how an erasure rewrites it. Pure: items in, changes
//! out. Item kinds are not listed here on purpose: every attribute of every item is looked at,
//! so a kind added later is covered without anyone remembering this file.
//!
//! What is rewritten is scoped, so an erasure changes only the erased person:
//! - their **id** and **address**, wherever they stand (an id is a ULID and an address is
//!   matched whole, so neither can hit anyone else's data);
//! - their **name**, only in items that refer to them (by id or address, or through an event
//!   or message that does: `RELATED_BY`), and there only in the attributes that name a person
//!   (`PERSON_FIELDS`, or `name` beside a reference to them) or hold prose (`PROSE_FIELDS`);
//!   elsewhere only as an exact entry of a list of names (`NAME_LISTS`: a meeting's attendees).
//!
//! Keys, index keys, kinds, roles, statuses, actions and everybody else's records are never
//! touched: a contact called "member", "owner" or "Marketing" is erased without rewriting a
//! role, an enum value or a project name. A name in someone else's free text (an agency
//! message saying "Thanks, Ann") is left as written: it cannot be told apart from the same
//! word used otherwise.

use aws_sdk_dynamodb::types::AttributeValue;

use crate::domain::Contact;
use crate::store::Item;

/// What stands in for the person after an erasure. The id is a valid (nil) ULID and the address
/// a valid one at a reserved domain, so every item still reads as its type.
pub const ERASED_ID: &str = "00000000000000000000000000";
pub const ERASED_EMAIL: &str = "former.contact@erased.invalid";
pub const ERASED_NAME: &str = "Former contact";

/// Attributes that hold a person's name.
const PERSON_FIELDS: &[&str] = &[
    "actor_name",
    "author_name",
    "uploader_name",
    "reviewer_name",
    "last_author_name",
    "contact_name",
    "requested_by_name",
    "decided_by",
    "by_name",
];
/// Attributes that hold prose the portal or a person wrote, where their name can stand.
const PROSE_FIELDS: &[&str] = &["summary", "excerpt", "body", "last_preview", "details", "comment", "note"];
/// Attributes that list people by name alone (a meeting's attendees): an entry that is exactly
/// their name is theirs, wherever the list is.
const NAME_LISTS: &[&str] = &["attendees"];
/// Attributes that point at an event or a message: an item pointing at one that refers to the
/// person refers to them too (a bell entry for their message; the thread's last message).
pub const RELATED_BY: &[&str] = &["event_id", "last_message_id"];
/// Attributes that are the table's own bookkeeping: never rewritten.
const KEY_FIELDS: &[&str] = &["PK", "SK", "GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK"];

/// A contact as their data mentions them: id, address, name.
#[derive(Debug, Clone)]
pub struct Person {
    pub id: String,
    pub email: String,
    pub name: String,
}

impl Person {
    pub fn of(contact: &Contact) -> Self {
        Self { id: contact.id.to_string(), email: contact.email.to_string(), name: contact.name.clone() }
    }

    /// The strings that find items referring to them (never the name: it may be any word).
    pub fn needles(&self) -> Vec<&str> {
        vec![self.id.as_str(), self.email.as_str()]
    }

    /// A one-letter name would match every lone letter in every text.
    fn name_is_findable(&self) -> bool {
        self.name.chars().count() >= 2
    }

    /// Whether the item's own key names them: it is theirs (a read marker, a session), removed
    /// whole rather than rewritten.
    pub fn owns(&self, item: &Item) -> bool {
        ["PK", "SK"].iter().any(|key| {
            item.get(*key).and_then(|v| v.as_s().ok()).is_some_and(|k| k.contains(&self.id) || self.has_email(k))
        })
    }

    /// Whether the item refers to them itself: their id or address in any attribute.
    pub fn is_referred_to_in(&self, item: &Item) -> bool {
        self.owns(item) || item.iter().any(|(name, value)| !KEY_FIELDS.contains(&name.as_str()) && self.refers(value))
    }

    /// The item's own id (`id`), which other items can point at (`RELATED_BY`).
    pub fn item_id(item: &Item) -> Option<&str> {
        item.get("id").and_then(|v| v.as_s().ok()).map(String::as_str)
    }

    /// Whether the item points at one of `related` (ids of items that refer to them).
    pub fn is_related(item: &Item, related: &std::collections::HashSet<String>) -> bool {
        RELATED_BY
            .iter()
            .any(|field| item.get(*field).and_then(|v| v.as_s().ok()).is_some_and(|id| related.contains(id)))
    }

    /// The top-level attributes (keys aside) to rewrite in an item that refers to them:
    /// (name, value now, value after). Empty for an item that does not.
    pub fn changes(&self, item: &Item) -> Vec<(String, AttributeValue, AttributeValue)> {
        self.changes_in(item, false)
    }

    /// As `changes`, for an item that refers to them through a related one (`is_related`).
    pub fn changes_in(&self, item: &Item, related: bool) -> Vec<(String, AttributeValue, AttributeValue)> {
        if !related && !self.is_referred_to_in(item) {
            return self.name_list_changes(item);
        }
        let beside_reference = self.map_refers(item.iter());
        let mut changes: Vec<_> = item
            .iter()
            .filter(|(name, _)| !KEY_FIELDS.contains(&name.as_str()))
            .filter_map(|(name, value)| {
                self.rewrite(name, value, beside_reference).map(|after| (name.clone(), value.clone(), after))
            })
            .collect();
        changes.sort_by(|a, b| a.0.cmp(&b.0));
        changes
    }

    /// In an item that does not refer to them otherwise: their exact name in a list of names.
    fn name_list_changes(&self, item: &Item) -> Vec<(String, AttributeValue, AttributeValue)> {
        let mut changes = Vec::new();
        for field in NAME_LISTS {
            let Some(AttributeValue::L(names)) = item.get(*field) else { continue };
            if self.name_is_findable() && names.iter().any(|n| n.as_s().is_ok_and(|n| *n == self.name)) {
                let after = names
                    .iter()
                    .map(|n| {
                        if n.as_s().is_ok_and(|n| *n == self.name) {
                            AttributeValue::S(ERASED_NAME.into())
                        } else {
                            n.clone()
                        }
                    })
                    .collect();
                changes.push(((*field).to_owned(), AttributeValue::L(names.clone()), AttributeValue::L(after)));
            }
        }
        changes
    }

    /// Whether a value holds their id or address, at any depth.
    fn refers(&self, value: &AttributeValue) -> bool {
        match value {
            AttributeValue::S(text) => text.contains(&self.id) || self.has_email(text),
            AttributeValue::Ss(texts) => texts.iter().any(|t| t.contains(&self.id) || self.has_email(t)),
            AttributeValue::L(values) => values.iter().any(|v| self.refers(v)),
            AttributeValue::M(map) => map.values().any(|v| self.refers(v)),
            _ => false,
        }
    }

    /// Whether one map's own string attributes (not nested ones) refer to them: its `name`,
    /// then, is theirs.
    fn map_refers<'a>(&self, mut entries: impl Iterator<Item = (&'a String, &'a AttributeValue)>) -> bool {
        entries.any(|(name, value)| {
            !KEY_FIELDS.contains(&name.as_str())
                && value.as_s().is_ok_and(|text| text.contains(&self.id) || self.has_email(text))
        })
    }

    fn has_email(&self, text: &str) -> bool {
        find_bounded(text, &self.email, is_address_char).is_some()
    }

    /// The value (of attribute `field`) with them replaced, or `None` if it does not name them.
    /// `beside_reference`: the map holding it refers to them, so its `name` is theirs.
    fn rewrite(&self, field: &str, value: &AttributeValue, beside_reference: bool) -> Option<AttributeValue> {
        match value {
            AttributeValue::S(text) => self.replace_in(field, text, beside_reference).map(AttributeValue::S),
            AttributeValue::Ss(texts) => {
                let replaced: Vec<Option<String>> =
                    texts.iter().map(|t| self.replace_in(field, t, beside_reference)).collect();
                replaced.iter().any(Option::is_some).then(|| {
                    let mut set: Vec<String> =
                        replaced.into_iter().zip(texts).map(|(new, old)| new.unwrap_or_else(|| old.clone())).collect();
                    set.sort();
                    set.dedup();
                    AttributeValue::Ss(set)
                })
            }
            AttributeValue::L(values) => {
                let replaced: Vec<Option<AttributeValue>> =
                    values.iter().map(|v| self.rewrite(field, v, beside_reference)).collect();
                replaced.iter().any(Option::is_some).then(|| {
                    AttributeValue::L(
                        replaced.into_iter().zip(values).map(|(new, old)| new.unwrap_or_else(|| old.clone())).collect(),
                    )
                })
            }
            AttributeValue::M(map) => {
                // A map of its own (a review, a version): its `name` is theirs only if it refers
                // to them itself.
                let refers_here = self.map_refers(map.iter());
                let mut changed = false;
                let rewritten = map
                    .iter()
                    .map(|(key, v)| {
                        let new = self.rewrite(key, v, refers_here);
                        changed |= new.is_some();
                        (key.clone(), new.unwrap_or_else(|| v.clone()))
                    })
                    .collect();
                changed.then_some(AttributeValue::M(rewritten))
            }
            // Numbers, booleans, binary (compressed Harvest copies, which hold Harvest's data).
            _ => None,
        }
    }

    /// One string of attribute `field` with them replaced, or `None` if it does not name them.
    fn replace_in(&self, field: &str, text: &str, beside_reference: bool) -> Option<String> {
        let mut out = replace_bounded(text, &self.email, ERASED_EMAIL, is_address_char).replace(&self.id, ERASED_ID);
        if self.name_is_findable() {
            let names_a_person = PERSON_FIELDS.contains(&field) || (field == "name" && beside_reference);
            if names_a_person && out == self.name {
                ERASED_NAME.clone_into(&mut out);
            } else if PROSE_FIELDS.contains(&field) {
                out = replace_bounded(&out, &self.name, ERASED_NAME, char::is_alphanumeric);
            }
        }
        (out != text).then_some(out)
    }

    /// The text with their address and id replaced, and their name where it stands as a word:
    /// for prose known to be about them (an export's or a test's check).
    pub fn replace(&self, text: &str) -> Option<String> {
        self.replace_in("summary", text, true)
    }
}

/// Characters an address can continue with: a match followed or preceded by one is part of a
/// longer address (`ann@x.example` is not in `joann@x.example`).
fn is_address_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '.' | '_' | '%' | '+' | '-' | '@')
}

/// Where `needle` first stands on its own in `text` (not inside a longer run of `continues`
/// characters; a trailing full stop ends a sentence, not an address).
fn find_bounded(text: &str, needle: &str, continues: fn(char) -> bool) -> Option<usize> {
    let mut from = 0;
    while let Some(found) = text[from..].find(needle) {
        let at = from + found;
        if is_whole(text, at, needle.len(), continues) {
            return Some(at);
        }
        from = at + needle.len();
    }
    None
}

fn is_whole(text: &str, at: usize, len: usize, continues: fn(char) -> bool) -> bool {
    let before = text[..at].chars().next_back();
    let mut after = text[at + len..].chars();
    let next = after.next();
    let ends_sentence = next == Some('.') && !after.next().is_some_and(char::is_alphanumeric);
    !before.is_some_and(continues) && (ends_sentence || !next.is_some_and(continues))
}

/// Replaces `word` where it stands on its own (not inside a longer one: "Ann" is not in
/// "Annual").
fn replace_bounded(text: &str, word: &str, with: &str, continues: fn(char) -> bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(word) {
        let whole = is_whole(rest, at, word.len(), continues);
        out.push_str(&rest[..at]);
        out.push_str(if whole { with } else { word });
        rest = &rest[at + word.len()..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ann() -> Person {
        Person {
            id: "01JABCDEFGHJKMNPQRSTVWXYZ0".into(),
            email: "ann@northwind.example".into(),
            name: "Ann Lee".into(),
        }
    }

    fn s(text: &str) -> AttributeValue {
        AttributeValue::S(text.into())
    }

    #[test]
    fn words_not_parts_of_words() {
        let words = |text, word, with| replace_bounded(text, word, with, char::is_alphanumeric);
        assert_eq!(words("Ann Lee wrote; Ann Leeds did not", "Ann Lee", "X"), "X wrote; Ann Leeds did not");
        assert_eq!(words("(Ann Lee)", "Ann Lee", "X"), "(X)");
        assert_eq!(words("nothing here", "Ann Lee", "X"), "nothing here");
        let address = |text, with| replace_bounded(text, "ann@x.example", with, is_address_char);
        assert_eq!(address("to joann@x.example or ann@x.example.", "Y"), "to joann@x.example or Y.");
        assert_eq!(address("ann@x.example.org", "Y"), "ann@x.example.org");
    }

    #[test]
    fn every_string_anywhere_is_rewritten_and_keys_are_left_alone() {
        let person = ann();
        let item: Item = [
            ("PK".to_owned(), s("CLIENT#c1")),
            ("SK".to_owned(), s("MESSAGE#m1")),
            ("author_name".to_owned(), s("Ann Lee")),
            ("author_id".to_owned(), s("01JABCDEFGHJKMNPQRSTVWXYZ0")),
            ("body".to_owned(), s("Write to ann@northwind.example")),
            ("count".to_owned(), AttributeValue::N("3".into())),
            (
                "reviews".to_owned(),
                AttributeValue::L(vec![AttributeValue::M(
                    [("by".to_owned(), s("contact:01JABCDEFGHJKMNPQRSTVWXYZ0")), ("verdict".to_owned(), s("approved"))]
                        .into(),
                )]),
            ),
            ("owners".to_owned(), AttributeValue::Ss(vec!["01JABCDEFGHJKMNPQRSTVWXYZ0".into(), "other".into()])),
        ]
        .into();
        assert!(!person.owns(&item));
        let changes = person.changes(&item);
        let names: Vec<&str> = changes.iter().map(|c| c.0.as_str()).collect();
        assert_eq!(names, ["author_id", "author_name", "body", "owners", "reviews"]);
        let after: Item = changes.into_iter().map(|(name, _, after)| (name, after)).collect();
        assert_eq!(after["author_name"], s(ERASED_NAME));
        assert_eq!(after["author_id"], s(ERASED_ID));
        assert_eq!(after["body"], s(&format!("Write to {ERASED_EMAIL}")));
        let AttributeValue::L(reviews) = &after["reviews"] else { panic!("a list") };
        let AttributeValue::M(review) = &reviews[0] else { panic!("a map") };
        assert_eq!(review["by"], s(&format!("contact:{ERASED_ID}")));
        assert_eq!(review["verdict"], s("approved"));
        assert_eq!(after["owners"], AttributeValue::Ss(vec![ERASED_ID.into(), "other".into()]));
        // The replacement is a fixed point: a second pass changes nothing.
        let mut again = item.clone();
        again.extend(after);
        assert!(person.changes(&again).is_empty());
    }

    #[test]
    fn their_own_items_are_found_by_key() {
        let person = ann();
        let read: Item =
            [("PK".to_owned(), s("CLIENT#c1")), ("SK".to_owned(), s("READ#01JABCDEFGHJKMNPQRSTVWXYZ0"))].into();
        let suppressed: Item =
            [("PK".to_owned(), s("SUPPRESSED#ann@northwind.example")), ("SK".to_owned(), s("SUPPRESSED"))].into();
        let other: Item = [("PK".to_owned(), s("CLIENT#c1")), ("SK".to_owned(), s("READ#someone-else"))].into();
        assert!(person.owns(&read) && person.is_referred_to_in(&read));
        assert!(person.owns(&suppressed));
        assert!(!person.is_referred_to_in(&other));
    }

    #[test]
    fn a_name_that_is_also_a_word_of_the_portal_rewrites_only_what_names_them() {
        let person = Person { name: "member".into(), ..ann() };
        // Someone else's record: a role, a kind, a project name, prose - untouched.
        let colleague: Item = [
            ("PK".to_owned(), s("CLIENT#c1")),
            ("SK".to_owned(), s("CONTACT#01JOTHERXXXXXXXXXXXXXXXXXX")),
            ("name".to_owned(), s("member")),
            ("role".to_owned(), s("member")),
            ("summary".to_owned(), s("Invited member Bob")),
        ]
        .into();
        assert!(!person.is_referred_to_in(&colleague));
        assert!(person.changes(&colleague).is_empty());
        // Their own message: the author's name and their words change; kind and role do not.
        let theirs: Item = [
            ("PK".to_owned(), s("CLIENT#c1")),
            ("SK".to_owned(), s("MESSAGE#m1")),
            ("author_id".to_owned(), s("01JABCDEFGHJKMNPQRSTVWXYZ0")),
            ("author_name".to_owned(), s("member")),
            ("author_role".to_owned(), s("member")),
            ("kind".to_owned(), s("member")),
            ("body".to_owned(), s("Regards, member")),
            (
                "reviews".to_owned(),
                AttributeValue::L(vec![
                    AttributeValue::M(
                        [("name".to_owned(), s("member")), ("by".to_owned(), s("contact:someone"))].into(),
                    ),
                    AttributeValue::M(
                        [("name".to_owned(), s("member")), ("by".to_owned(), s("contact:01JABCDEFGHJKMNPQRSTVWXYZ0"))]
                            .into(),
                    ),
                ]),
            ),
        ]
        .into();
        let after: Item = person.changes(&theirs).into_iter().map(|(name, _, after)| (name, after)).collect();
        let mut names: Vec<&str> = after.keys().map(String::as_str).collect();
        names.sort_unstable();
        assert_eq!(names, ["author_id", "author_name", "body", "reviews"]);
        assert_eq!(after["body"], s("Regards, Former contact"));
        let AttributeValue::L(reviews) = &after["reviews"] else { panic!("a list") };
        assert_eq!(
            reviews[0],
            AttributeValue::M([("name".to_owned(), s("member")), ("by".to_owned(), s("contact:someone"))].into()),
            "another reviewer's name stays"
        );
        let AttributeValue::M(second) = &reviews[1] else { panic!("a map") };
        assert_eq!(second["name"], s(ERASED_NAME));
        // A bell entry for their message refers to them through the event.
        let bell: Item = [
            ("PK".to_owned(), s("NOTIFY#staff")),
            ("SK".to_owned(), s("INBOX#e1")),
            ("event_id".to_owned(), s("e1")),
            ("topic".to_owned(), s("messages")),
            ("summary".to_owned(), s("member wrote")),
        ]
        .into();
        let related = std::collections::HashSet::from(["e1".to_owned()]);
        assert!(Person::is_related(&bell, &related));
        let changes = person.changes_in(&bell, true);
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].2, s("Former contact wrote"));
    }

    #[test]
    fn a_one_letter_name_is_not_searched_for() {
        let person = Person { name: "A".into(), ..ann() };
        assert_eq!(person.replace("A plan"), None);
        assert_eq!(person.needles().len(), 2);
    }
}
