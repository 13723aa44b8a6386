//! SES's bounce and complaint events, delivered by SNS to the `mail-events` function: hard
//! bounces and complaints put the address on the portal's suppression list, which every
//! sender checks. Soft bounces are SES's to retry. The record shapes are SES's documented
//! event-publishing JSON (`eventType`; `notificationType` for identity notifications); the
//! parsing is ours because no crate models them.

use aws_lambda_events::event::sns::SnsEvent;
use serde::Deserialize;

use crate::domain::{EmailAddress, Error};
use crate::store::{Store, Suppression};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SesEvent {
    #[serde(alias = "notificationType")]
    event_type: String,
    #[serde(default)]
    bounce: Option<Bounce>,
    #[serde(default)]
    complaint: Option<Complaint>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Bounce {
    bounce_type: String,
    #[serde(default)]
    bounced_recipients: Vec<Recipient>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Complaint {
    #[serde(default)]
    complained_recipients: Vec<Recipient>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Recipient {
    email_address: String,
}

/// The addresses an SES event says never to mail again, with why.
fn to_suppress(message: &str) -> Vec<(EmailAddress, &'static str)> {
    let Ok(event) = serde_json::from_str::<SesEvent>(message) else {
        tracing::warn!("an SNS message that is not an SES event was ignored");
        return Vec::new();
    };
    let (recipients, reason) = match (event.event_type.as_str(), event.bounce, event.complaint) {
        ("Bounce", Some(bounce), _) if bounce.bounce_type == "Permanent" => (bounce.bounced_recipients, "bounce"),
        ("Complaint", _, Some(complaint)) => (complaint.complained_recipients, "complaint"),
        _ => return Vec::new(),
    };
    recipients
        .into_iter()
        .filter_map(|r| {
            // SES may report `Name <address>`; the address is what we key on.
            let raw = r.email_address.rsplit_once('<').map_or(r.email_address.as_str(), |(_, rest)| rest);
            EmailAddress::parse(raw.trim_end_matches('>').trim()).ok()
        })
        .map(|email| (email, reason))
        .collect()
}

/// Records every suppression an SNS delivery carries; answers how many addresses.
pub async fn record(store: &Store, event: &SnsEvent, now: i64) -> Result<usize, Error> {
    let mut count = 0;
    for record in &event.records {
        for (email, reason) in to_suppress(&record.sns.message) {
            tracing::warn!(reason, "address suppressed after an SES {reason}");
            store.suppress(&Suppression { email, reason: reason.to_owned(), at: now }).await?;
            count += 1;
        }
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str, to: &str) -> String {
        let path = format!("{}/../testdata/ses/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read_to_string(path).unwrap().replace("RECIPIENT", to)
    }

    #[test]
    fn hard_bounces_and_complaints_suppress_soft_bounces_do_not() {
        let hard = to_suppress(&fixture("bounce_permanent.json", "Gone@Example.com"));
        assert_eq!(hard, vec![(EmailAddress::parse("gone@example.com").unwrap(), "bounce")]);
        let complaint = to_suppress(&fixture("complaint.json", "Angry Person <angry@example.com>"));
        assert_eq!(complaint, vec![(EmailAddress::parse("angry@example.com").unwrap(), "complaint")]);
        assert!(to_suppress(&fixture("bounce_transient.json", "full@example.com")).is_empty());
        assert!(to_suppress(r#"{"eventType":"Delivery","delivery":{}}"#).is_empty());
        assert!(to_suppress("not json").is_empty());
    }
}
