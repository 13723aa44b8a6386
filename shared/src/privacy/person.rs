//! What names a person in stored items, and how an erasure rewrites it. Pure: items in, changes
//! out. Item kinds are not listed here on purpose: every string in every item is looked at, so
//! a kind added later is covered without anyone remembering this file.

use aws_sdk_dynamodb::types::AttributeValue;

use crate::domain::Contact;
use crate::store::Item;

/// What stands in for the person after an erasure. The id is a valid (nil) ULID and the address
/// a valid one at a reserved domain, so every item still reads as its type.
pub const ERASED_ID: &str = "00000000000000000000000000";
pub const ERASED_EMAIL: &str = "former.contact@erased.invalid";
pub const ERASED_NAME: &str = "Former contact";

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

    /// The strings that find them.
    pub fn needles(&self) -> Vec<&str> {
        let mut needles = vec![self.id.as_str(), self.email.as_str()];
        if self.name_is_findable() {
            needles.push(self.name.as_str());
        }
        needles
    }

    /// A one-letter name would match every lone letter in every text.
    fn name_is_findable(&self) -> bool {
        self.name.chars().count() >= 2
    }

    /// Whether the item's own key names them: it is theirs (a read marker, a session), removed
    /// whole rather than rewritten.
    pub fn owns(&self, item: &Item) -> bool {
        ["PK", "SK"].iter().any(|key| {
            item.get(*key).and_then(|v| v.as_s().ok()).is_some_and(|k| k.contains(&self.id) || k.contains(&self.email))
        })
    }

    /// Whether anything in the item names them.
    pub fn is_mentioned_in(&self, item: &Item) -> bool {
        self.owns(item) || !self.changes(item).is_empty()
    }

    /// The top-level attributes (keys aside) that name them: (name, value now, value after).
    pub fn changes(&self, item: &Item) -> Vec<(String, AttributeValue, AttributeValue)> {
        let mut changes: Vec<_> = item
            .iter()
            .filter(|(name, _)| !matches!(name.as_str(), "PK" | "SK"))
            .filter_map(|(name, value)| self.rewrite(value).map(|after| (name.clone(), value.clone(), after)))
            .collect();
        changes.sort_by(|a, b| a.0.cmp(&b.0));
        changes
    }

    /// The value with them replaced, or `None` if it does not name them.
    fn rewrite(&self, value: &AttributeValue) -> Option<AttributeValue> {
        match value {
            AttributeValue::S(text) => self.replace(text).map(AttributeValue::S),
            AttributeValue::Ss(texts) => {
                let replaced: Vec<Option<String>> = texts.iter().map(|t| self.replace(t)).collect();
                replaced.iter().any(Option::is_some).then(|| {
                    let mut set: Vec<String> =
                        replaced.into_iter().zip(texts).map(|(new, old)| new.unwrap_or_else(|| old.clone())).collect();
                    set.sort();
                    set.dedup();
                    AttributeValue::Ss(set)
                })
            }
            AttributeValue::L(values) => {
                let replaced: Vec<Option<AttributeValue>> = values.iter().map(|v| self.rewrite(v)).collect();
                replaced.iter().any(Option::is_some).then(|| {
                    AttributeValue::L(
                        replaced.into_iter().zip(values).map(|(new, old)| new.unwrap_or_else(|| old.clone())).collect(),
                    )
                })
            }
            AttributeValue::M(map) => {
                let mut changed = false;
                let rewritten = map
                    .iter()
                    .map(|(key, v)| {
                        let new = self.rewrite(v);
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

    /// The text with their address, id and name replaced, or `None` if none is in it.
    pub fn replace(&self, text: &str) -> Option<String> {
        let mut out = text.replace(&self.email, ERASED_EMAIL).replace(&self.id, ERASED_ID);
        if self.name_is_findable() {
            out = replace_words(&out, &self.name, ERASED_NAME);
        }
        (out != text).then_some(out)
    }
}

/// Replaces `word` where it stands as a word (not inside a longer one: "Ann" is not in "Annual").
fn replace_words(text: &str, word: &str, with: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(word) {
        let before = rest[..at].chars().next_back();
        let after = rest[at + word.len()..].chars().next();
        let whole = !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric);
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
        assert_eq!(replace_words("Ann Lee wrote; Ann Leeds did not", "Ann Lee", "X"), "X wrote; Ann Leeds did not");
        assert_eq!(replace_words("(Ann Lee)", "Ann Lee", "X"), "(X)");
        assert_eq!(replace_words("nothing here", "Ann Lee", "X"), "nothing here");
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
        assert!(person.owns(&read) && person.is_mentioned_in(&read));
        assert!(person.owns(&suppressed));
        assert!(!person.is_mentioned_in(&other));
    }

    #[test]
    fn a_one_letter_name_is_not_searched_for() {
        let person = Person { name: "A".into(), ..ann() };
        assert_eq!(person.replace("A plan"), None);
        assert_eq!(person.needles().len(), 2);
    }
}
