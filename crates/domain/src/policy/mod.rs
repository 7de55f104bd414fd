//! Who may do what: the one place access is decided. Network-level rights
//! are answered by [`may`]; rights inside an organization by [`roles::holds`]
//! over the roles a person holds on units. Every service asks here before
//! acting; no interface decides access on its own.

pub mod calls;
pub mod network;
pub mod patients;
pub mod roles;
pub mod service;
pub mod teams;

use crate::{SessionId, UserId};
pub use service::{ServiceActing, ServicePrincipal, ServiceScope};

/// The one acting on a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// Not signed in.
    Anonymous,
    /// A signed-in, unlocked user session.
    User(UserPrincipal),
    /// An operator on the command line (`cercle admin …`).
    Operator,
    /// A partner's service account with an access token (SMART Backend
    /// Services): only what its scopes allow (see [`may`]).
    Service(ServicePrincipal),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserPrincipal {
    pub user_id: UserId,
    pub session_id: SessionId,
    pub network_admin: bool,
    /// On the profession verification team (named by a network administrator).
    pub network_verifier: bool,
    /// Only in patients' circles (a patient or caregiver and nothing else):
    /// reaches the care channels they were added to and nothing of the
    /// network, the directory or patient files.
    pub circle_only: bool,
    /// Set when a service account acts through this member: the audit
    /// names the account, and the account's organization stands for the
    /// member's active one.
    pub service: Option<ServiceActing>,
}

impl UserPrincipal {
    /// Who the audit log names for this principal's actions.
    pub fn actor(&self) -> crate::audit::Actor {
        match &self.service {
            Some(s) => crate::audit::Actor::Service(s.account_id),
            None => crate::audit::Actor::User(self.user_id),
        }
    }
}

/// What can be asked for. Organization-scoped permissions join this list as
/// the organizations arrive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Permission {
    /// Change one's own password, PIN, second factor, sessions, account.
    ManageAccount(UserId),
    /// Read the network-wide audit log (security events).
    ReadNetworkAudit,
    /// Create organizations and their first administrator.
    AdministerNetwork,
    /// Approve or reject proofs of profession (the verification team).
    VerifyProfessions,
    /// See the email and SMS that finally failed, and send them again.
    ManageOutbox,
    /// Use the professional space: the network, organizations, patient
    /// files, teams, new threads, administration. Everyone signed in but
    /// circle-only people (patients and caregivers, who have their care
    /// space).
    UseProfessionalSpace,
    /// Read the FHIR R4 directory (`/fhir`): practitioners, their roles,
    /// organizations, locations and teams, as the network directory shows
    /// them. Professionals only, like the directory itself.
    ReadFhirDirectory,
    /// Open, link and read patient files through the JSON API (the roles
    /// on the file's unit decide the rest).
    OpenPatientFiles,
    /// Add people to a patient's circle and invite them (the patient and
    /// caregiver manager role decides the rest).
    InviteToCircle,
    /// Search the network's people and workplaces.
    SearchNetwork,
}

pub fn may(principal: &Principal, permission: &Permission) -> bool {
    match (principal, permission) {
        (Principal::Operator, _) => true,
        (Principal::Anonymous, _) => false,
        (Principal::User(u), Permission::ManageAccount(owner)) => u.user_id == *owner,
        (
            Principal::User(u),
            Permission::ReadNetworkAudit | Permission::AdministerNetwork | Permission::ManageOutbox,
        ) => u.network_admin,
        (Principal::User(u), Permission::VerifyProfessions) => u.network_admin || u.network_verifier,
        (
            Principal::User(u),
            Permission::UseProfessionalSpace
            | Permission::ReadFhirDirectory
            | Permission::OpenPatientFiles
            | Permission::InviteToCircle
            | Permission::SearchNetwork,
        ) => !u.circle_only,
        (Principal::Service(s), Permission::OpenPatientFiles) => s.scopes.contains(&ServiceScope::PatientFiles),
        (Principal::Service(s), Permission::InviteToCircle) => s.scopes.contains(&ServiceScope::CircleInvitations),
        (Principal::Service(s), Permission::ReadFhirDirectory | Permission::SearchNetwork) => {
            s.scopes.contains(&ServiceScope::Directory)
        }
        // Nothing else: not its own "account", not the administration, not
        // the professional space at large.
        (Principal::Service(_), _) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(admin: bool) -> (UserId, Principal) {
        let id = UserId::new();
        (
            id,
            Principal::User(UserPrincipal {
                user_id: id,
                session_id: SessionId::new(),
                network_admin: admin,
                network_verifier: false,
                circle_only: false,
                service: None,
            }),
        )
    }

    fn service(scopes: &[ServiceScope]) -> Principal {
        let Principal::User(mut acting) = user(true).1 else {
            unreachable!()
        };
        acting.service = Some(ServiceActing {
            account_id: crate::ServiceAccountId::new(),
            org_id: crate::OrgId::new(),
        });
        Principal::Service(ServicePrincipal {
            account_id: crate::ServiceAccountId::new(),
            scopes: scopes.to_vec(),
            acting,
        })
    }

    #[test]
    fn a_service_account_reaches_what_its_scopes_allow_and_nothing_else() {
        let files = service(&[ServiceScope::PatientFiles]);
        assert!(may(&files, &Permission::OpenPatientFiles));
        assert!(!may(&files, &Permission::InviteToCircle));
        assert!(!may(&files, &Permission::ReadFhirDirectory));
        let all = service(&ServiceScope::ALL);
        assert!(may(&all, &Permission::InviteToCircle));
        assert!(may(&all, &Permission::ReadFhirDirectory));
        assert!(may(&all, &Permission::SearchNetwork));
        // Even acting through a network administrator.
        for p in [
            Permission::UseProfessionalSpace,
            Permission::AdministerNetwork,
            Permission::ReadNetworkAudit,
            Permission::ManageOutbox,
            Permission::VerifyProfessions,
            Permission::ManageAccount(UserId::new()),
        ] {
            assert!(!may(&all, &p), "{p:?}");
        }
    }

    #[test]
    fn only_owner_manages_account() {
        let (id, p) = user(false);
        assert!(may(&p, &Permission::ManageAccount(id)));
        assert!(!may(&p, &Permission::ManageAccount(UserId::new())));
        assert!(!may(&Principal::Anonymous, &Permission::ManageAccount(id)));
    }

    #[test]
    fn network_admin_only() {
        let (_, p) = user(false);
        assert!(!may(&p, &Permission::ReadNetworkAudit));
        let (_, a) = user(true);
        assert!(may(&a, &Permission::ReadNetworkAudit));
        assert!(may(&a, &Permission::AdministerNetwork));
        assert!(!may(&p, &Permission::ManageOutbox));
        assert!(may(&a, &Permission::ManageOutbox));
    }

    #[test]
    fn circle_only_people_stay_out_of_the_professional_space() {
        let (_, pro) = user(false);
        assert!(may(&pro, &Permission::UseProfessionalSpace));
        let Principal::User(mut u) = pro else { unreachable!() };
        u.circle_only = true;
        assert!(!may(&Principal::User(u), &Permission::UseProfessionalSpace));
        assert!(!may(&Principal::Anonymous, &Permission::UseProfessionalSpace));
    }

    #[test]
    fn the_fhir_directory_is_for_professionals() {
        let (_, pro) = user(false);
        assert!(may(&pro, &Permission::ReadFhirDirectory));
        let Principal::User(mut u) = pro else { unreachable!() };
        u.circle_only = true;
        assert!(!may(&Principal::User(u), &Permission::ReadFhirDirectory));
        assert!(!may(&Principal::Anonymous, &Permission::ReadFhirDirectory));
    }
}
