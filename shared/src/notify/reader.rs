//! Who reads a bell or a mail, and what they may hear of *now*: decided when the bell is read
//! or the mail is sent, not only when the event was fanned out. Billing news needs invoice
//! access; agency staff hear only of the clients they may act on. Taking access away, or
//! unassigning someone, hides what was already on their bell and drops it from mail not sent.

use super::Topic;
use crate::auth::Access;
use crate::domain::{ClientId, Error, StaffRole};
use crate::store::{NoticeRecord, Store, Visible};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reader {
    Contact {
        client_id: ClientId,
        sees_billing: bool,
    },
    Staff(Visible),
    /// The agency's notification address: hears of every client.
    Inbox,
}

impl Reader {
    /// The reader a signed-in person is, as of this request.
    pub async fn of(store: &Store, access: &Access) -> Result<Self, Error> {
        Ok(match access {
            Access::Contact { client_id, sees_invoices, .. } => {
                Self::Contact { client_id: *client_id, sees_billing: *sees_invoices }
            }
            Access::Staff { admin_id, role, .. } => Self::staff(store, *admin_id, *role).await?,
        })
    }

    pub async fn staff(store: &Store, admin_id: crate::domain::AdminId, role: StaffRole) -> Result<Self, Error> {
        Ok(Self::Staff(crate::auth::access::clients_visible_to(store, admin_id, role).await?))
    }

    pub fn may_see(&self, notice: &NoticeRecord) -> bool {
        let billing = Topic::parse(&notice.topic).is_some_and(Topic::concerns_billing);
        let client = notice_client(notice);
        match self {
            Self::Contact { client_id, sees_billing } => {
                client.is_none_or(|c| c == *client_id) && (*sees_billing || !billing)
            }
            Self::Staff(Visible::All) | Self::Inbox => true,
            Self::Staff(Visible::Only(clients)) => client.is_some_and(|c| clients.contains(&c)),
        }
    }
}

/// The client an entry is about: recorded on it, or (entries written before it was) read from
/// the agency link it carries (`/admin/clients/{id}…`, `/admin/messages/{id}`).
fn notice_client(notice: &NoticeRecord) -> Option<ClientId> {
    notice.client_id.or_else(|| {
        let rest =
            notice.path.strip_prefix("/admin/clients/").or_else(|| notice.path.strip_prefix("/admin/messages/"))?;
        ClientId::parse(rest.split('/').next()?)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notice(topic: &str, client: Option<ClientId>, path: &str) -> NoticeRecord {
        NoticeRecord {
            event_id: ulid::Ulid::new(),
            topic: topic.into(),
            summary: "s".into(),
            excerpt: None,
            path: path.into(),
            at: 0,
            client_id: client,
        }
    }

    #[test]
    fn billing_news_needs_invoice_access_and_staff_see_their_clients_only() {
        let (mine, other) = (ClientId::new(), ClientId::new());
        let member = Reader::Contact { client_id: mine, sees_billing: false };
        let owner = Reader::Contact { client_id: mine, sees_billing: true };
        for topic in ["estimates", "invoices"] {
            assert!(!member.may_see(&notice(topic, Some(mine), "/portal/estimates")), "{topic}");
            assert!(owner.may_see(&notice(topic, Some(mine), "/portal/estimates")), "{topic}");
        }
        assert!(member.may_see(&notice("messages", Some(mine), "/portal/messages")));
        assert!(!owner.may_see(&notice("messages", Some(other), "/portal/messages")), "another company's");

        let assigned = Reader::Staff(Visible::Only(vec![mine]));
        assert!(assigned.may_see(&notice("messages", Some(mine), "/admin/messages/x")));
        assert!(!assigned.may_see(&notice("messages", Some(other), "/admin/messages/x")));
        // Older entries carry the client in their link only.
        assert!(assigned.may_see(&notice("messages", None, &format!("/admin/messages/{mine}"))));
        assert!(!assigned.may_see(&notice("deliverables", None, &format!("/admin/clients/{other}/projects/p"))));
        assert!(!assigned.may_see(&notice("deliverables", None, "/admin")), "no client known: not shown");
        assert!(Reader::Staff(Visible::All).may_see(&notice("estimates", Some(other), "/admin")));
    }
}
