//! Who may do what: the one place access is decided. Network-level rights
//! are answered by [`may`]; rights inside an organization by [`roles::holds`]
//! over the roles a person holds on units. Every service asks here before
//! acting; no interface decides access on its own.

pub mod calls;
pub mod network;
pub mod patients;
pub mod roles;
pub mod teams;

use crate::{SessionId, UserId};

/// The one acting on a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// Not signed in.
    Anonymous,
    /// A signed-in, unlocked user session.
    User(UserPrincipal),
    /// An operator on the command line (`cercle admin …`).
    Operator,
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
        (Principal::User(u), Permission::UseProfessionalSpace | Permission::ReadFhirDirectory) => !u.circle_only,
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
            }),
        )
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
