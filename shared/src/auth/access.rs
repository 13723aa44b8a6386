//! Who may do what: the one place that decides whether a signed-in person may do something, and
//! to which client. Every route asks here (through `SignedIn::require`); none re-implements it.
//!
//! The rules (README, "Roles"):
//! - A client **contact** uses their own company's portal only. **Members** see invoices only
//!   with invoice access; **owners** always see them and manage the company's team.
//! - Agency **owners** see and act on every client and manage staff, client creation, Harvest
//!   links and assignments. Agency **members** see and act only on the clients assigned to them.
//!
//! Access is read fresh on every request (the person's own item, a contact's company, and for
//! agency members the assignment to the client the path names), beside the session check: a role change, a
//! removal or an unassignment counts from the very next request of every session it touches.

use tokio::try_join;

use crate::domain::{AdminId, ClientId, ContactId, ContactRole, Error, Role, SessionRecord, StaffRole};
use crate::store::{Store, Visible};

/// A signed-in person's standing, as of this request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Access {
    Contact {
        client_id: ClientId,
        contact_id: ContactId,
        /// As their item says now (what files and requests show as who sent them).
        name: String,
        role: ContactRole,
        sees_invoices: bool,
    },
    /// `assigned`: whether a member is assigned to the client the request's path names (`None`
    /// when the path names none, or for owners, who are not asked).
    Staff { admin_id: AdminId, name: String, role: StaffRole, assigned: Option<(ClientId, bool)> },
}

/// What a request asks to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// A client's own portal: projects, deliverables, notes, messages, dashboard, activity.
    UsePortal,
    /// The company's invoices, in any form (list, detail, dashboard summary).
    SeeInvoices,
    /// The company's Team page: who has access, invitations, roles, invoice access.
    ManageTeam,
    /// Anything under `/api/admin/clients/{clientId}`.
    ActOnClient(ClientId),
    /// Agency lists that show clients (client list, inbox, agency audit log): members see
    /// their assigned clients' entries only (`visible_clients`).
    ListClients,
    /// Agency-wide changes and lists: staff, assignments, new clients, Harvest links.
    ManageAgency,
}

const NOT_AN_OWNER: &str = "Only your company's owners can manage its team.";
const NO_INVOICE_ACCESS: &str = "You do not have access to invoices. Ask an owner of your company to give you access.";
const NOT_ASSIGNED: &str = "You are not assigned to this client. Ask an agency owner to assign you.";
const AGENCY_OWNERS_ONLY: &str = "Only agency owners can do this.";
const FOR_CONTACTS: &str = "This page is for client contacts.";
const FOR_STAFF: &str = "This page is for agency staff.";

impl Access {
    /// The decision: `Ok` if this person may do `action`, else 403 with the reason.
    pub fn may(&self, action: Action) -> Result<(), Error> {
        match (self, action) {
            (Self::Contact { .. }, Action::UsePortal) => Ok(()),
            (Self::Contact { sees_invoices, .. }, Action::SeeInvoices) => allow(*sees_invoices, NO_INVOICE_ACCESS),
            (Self::Contact { role, .. }, Action::ManageTeam) => allow(*role == ContactRole::Owner, NOT_AN_OWNER),
            (Self::Contact { .. }, _) => Err(Error::Forbidden(FOR_STAFF)),
            (Self::Staff { role: StaffRole::Owner, .. }, Action::ActOnClient(_) | Action::ListClients) => Ok(()),
            (Self::Staff { role: StaffRole::Owner, .. }, Action::ManageAgency) => Ok(()),
            (Self::Staff { role: StaffRole::Member, assigned, .. }, Action::ActOnClient(client)) => {
                allow(*assigned == Some((client, true)), NOT_ASSIGNED)
            }
            (Self::Staff { role: StaffRole::Member, .. }, Action::ListClients) => Ok(()),
            (Self::Staff { role: StaffRole::Member, .. }, Action::ManageAgency) => {
                Err(Error::Forbidden(AGENCY_OWNERS_ONLY))
            }
            (Self::Staff { .. }, Action::UsePortal | Action::SeeInvoices | Action::ManageTeam) => {
                Err(Error::Forbidden(FOR_CONTACTS))
            }
        }
    }

    /// The person's name, read with their access (no second read to say who did something).
    pub fn name(&self) -> &str {
        match self {
            Self::Contact { name, .. } | Self::Staff { name, .. } => name,
        }
    }

    pub fn role(&self) -> Role {
        match self {
            Self::Contact { .. } => Role::Client,
            Self::Staff { .. } => Role::Admin,
        }
    }
}

fn allow(allowed: bool, reason: &'static str) -> Result<(), Error> {
    if allowed { Ok(()) } else { Err(Error::Forbidden(reason)) }
}

/// Reads what decides this session's access, all at once: the session row, the person's item
/// and (for staff, when the path names a client) their assignment to it. A session that was
/// ended, or whose person is gone or has lost portal access, is `Unauthenticated`; a staff
/// member acting on a client they may not is `Forbidden`.
pub async fn resolve(store: &Store, expected: &SessionRecord, path_client: Option<ClientId>) -> Result<Access, Error> {
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let session = async {
        let stored = store.get_session(expected.sid).await?.ok_or(Error::Unauthenticated)?;
        let matches = stored.principal_id == expected.principal_id
            && stored.role == expected.role
            && stored.client_id == expected.client_id
            && stored.expires_at > now;
        if matches { Ok(()) } else { Err(Error::Unauthenticated) }
    };
    let access = match expected.role {
        Role::Client => {
            let client_id = expected.client_id.ok_or(Error::Unauthenticated)?;
            let contact_id = ContactId::parse(&expected.principal_id).ok_or(Error::Unauthenticated)?;
            // The company's switch is read beside the contact's: switching a company off counts
            // from its very next request, whatever sessions are still stored.
            let ((), contact, company) =
                try_join!(session, async { Ok(store.get_contact(client_id, contact_id).await?) }, async {
                    Ok(store.get_client(client_id).await?)
                })?;
            if !company.is_some_and(|c| c.portal_open()) {
                return Err(Error::Unauthenticated);
            }
            let contact = contact.filter(|c| c.portal_enabled).ok_or(Error::Unauthenticated)?;
            Access::Contact {
                client_id,
                contact_id,
                role: contact.role,
                sees_invoices: contact.sees_invoices(),
                name: contact.name,
            }
        }
        Role::Admin => {
            let admin_id = crate::domain::AdminId::parse(&expected.principal_id).ok_or(Error::Unauthenticated)?;
            let assignment = async {
                match path_client {
                    Some(client) => Ok(Some((client, store.is_assigned(client, admin_id).await?))),
                    None => Ok(None),
                }
            };
            let ((), admin, assigned) = try_join!(session, async { Ok(store.get_admin(admin_id).await?) }, assignment)?;
            let admin = admin.ok_or(Error::Unauthenticated)?;
            let access = Access::Staff { admin_id, name: admin.name, role: admin.role, assigned };
            if let Some(client) = path_client {
                access.may(Action::ActOnClient(client))?;
            }
            access
        }
    };
    Ok(access)
}

/// The clients whose entries an agency list may show this person.
pub async fn visible_clients(store: &Store, access: &Access) -> Result<Visible, Error> {
    access.may(Action::ListClients)?;
    match access {
        Access::Staff { admin_id, role, .. } => clients_visible_to(store, *admin_id, *role).await,
        Access::Contact { .. } => Err(Error::Forbidden(FOR_STAFF)),
    }
}

/// The clients a staff member sees: every one for owners, their assignments for members.
pub async fn clients_visible_to(store: &Store, admin_id: AdminId, role: StaffRole) -> Result<Visible, Error> {
    Ok(match role {
        StaffRole::Owner => Visible::All,
        StaffRole::Member => Visible::Only(store.assigned_clients(admin_id).await?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contact(role: ContactRole, sees_invoices: bool) -> Access {
        Access::Contact {
            client_id: ClientId::new(),
            contact_id: ContactId::new(),
            name: "Ada".into(),
            role,
            sees_invoices,
        }
    }

    fn staff(role: StaffRole, assigned: Option<(ClientId, bool)>) -> Access {
        Access::Staff { admin_id: AdminId::new(), name: "Morgan".into(), role, assigned }
    }

    #[test]
    fn contacts_use_their_portal_and_need_access_for_invoices_and_team() {
        let member = contact(ContactRole::Member, false);
        assert!(member.may(Action::UsePortal).is_ok());
        assert!(member.may(Action::SeeInvoices).is_err());
        assert!(member.may(Action::ManageTeam).is_err());
        assert!(contact(ContactRole::Member, true).may(Action::SeeInvoices).is_ok());
        let owner = contact(ContactRole::Owner, true);
        assert!(owner.may(Action::ManageTeam).is_ok());
        for action in [Action::ActOnClient(ClientId::new()), Action::ListClients, Action::ManageAgency] {
            assert!(owner.may(action).is_err(), "{action:?}");
        }
    }

    #[test]
    fn agency_members_act_only_on_the_client_they_are_assigned_to() {
        let a = ClientId::new();
        let b = ClientId::new();
        assert!(staff(StaffRole::Member, Some((a, true))).may(Action::ActOnClient(a)).is_ok());
        assert!(staff(StaffRole::Member, Some((a, true))).may(Action::ActOnClient(b)).is_err());
        assert!(staff(StaffRole::Member, Some((a, false))).may(Action::ActOnClient(a)).is_err());
        assert!(staff(StaffRole::Member, None).may(Action::ActOnClient(a)).is_err());
        assert!(staff(StaffRole::Member, None).may(Action::ManageAgency).is_err());
        assert!(staff(StaffRole::Member, None).may(Action::ListClients).is_ok());
    }

    #[test]
    fn agency_owners_act_on_every_client_but_not_in_the_portal() {
        let owner = staff(StaffRole::Owner, None);
        assert!(owner.may(Action::ActOnClient(ClientId::new())).is_ok());
        assert!(owner.may(Action::ManageAgency).is_ok());
        assert!(owner.may(Action::UsePortal).is_err());
        assert!(owner.may(Action::SeeInvoices).is_err());
    }
}
