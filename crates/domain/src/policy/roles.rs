//! Permissions and roles. A permission is an action on a target; a role is a
//! named set of permissions granted to a person on an organizational unit,
//! holding in that unit and every unit below it.
//!
//! Roles are built in for now. Custom roles will be stored sets of the same
//! permission codes (`Permission::code`), so nothing here assumes the list
//! of roles is closed except `Role::parse`.

/// What can be granted. Codes follow the product's `action target` form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum Permission {
    /// See the other members and the details of the unit.
    ViewMembers,
    /// Create, rename, move and archive units.
    ManageUnits,
    ManageWorkplaces,
    ManageTeams,
    /// Invite, cancel and resend invitations, grant and revoke roles, remove members.
    ManageMembers,
    ReadAudit,
    ExportAudit,
    /// See every discussion involving the unit's teams.
    ViewTeamDiscussions,
    ManageTeamDiscussions,
    /// See patients' profiles.
    ViewPatientProfile,
    /// See and change patients' identifying data.
    ManagePatientIdentity,
    SearchPatientFiles,
    /// Invite, pre-allocate, cancel, resend and remove patients and caregivers.
    ManagePatientCircle,
    /// Validate the professions of the organization's members, when the
    /// network allows the organization to.
    ValidateProfessions,
}

impl Permission {
    pub const ALL: [Permission; 14] = [
        Permission::ViewMembers,
        Permission::ManageUnits,
        Permission::ManageWorkplaces,
        Permission::ManageTeams,
        Permission::ManageMembers,
        Permission::ReadAudit,
        Permission::ExportAudit,
        Permission::ViewTeamDiscussions,
        Permission::ManageTeamDiscussions,
        Permission::ViewPatientProfile,
        Permission::ManagePatientIdentity,
        Permission::SearchPatientFiles,
        Permission::ManagePatientCircle,
        Permission::ValidateProfessions,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Permission::ViewMembers => "view org.member",
            Permission::ManageUnits => "manage org.unit",
            Permission::ManageWorkplaces => "manage org.workplace",
            Permission::ManageTeams => "manage org.team",
            Permission::ManageMembers => "manage org.member",
            Permission::ReadAudit => "view org.audit",
            Permission::ExportAudit => "export org.audit",
            Permission::ViewTeamDiscussions => "view inbox.discussion",
            Permission::ManageTeamDiscussions => "manage inbox.discussion",
            Permission::ViewPatientProfile => "view group.patient.profile",
            Permission::ManagePatientIdentity => "manage group.patient",
            Permission::SearchPatientFiles => "search group.patient",
            Permission::ManagePatientCircle => "manage group.patient.member",
            Permission::ValidateProfessions => "validate network.profession",
        }
    }
}

crate::stored_kind!(
    /// The built-in roles (SPEC 2).
    Role {
        Administrator => "administrator",
        Member => "member",
        TeamManager => "team_manager",
        TeamParticipant => "team_participant",
        PatientCaregiverManager => "patient_caregiver_manager",
        Auditor => "auditor",
    }
);

impl Role {
    /// What the role allows. Being administrator gives no access to
    /// discussions or patients: administering is not caring.
    pub fn permissions(self) -> &'static [Permission] {
        use Permission::*;
        match self {
            Role::Administrator => &[
                ViewMembers,
                ManageUnits,
                ManageWorkplaces,
                ManageTeams,
                ManageMembers,
                ReadAudit,
                ExportAudit,
                ValidateProfessions,
            ],
            Role::Member => &[ViewMembers],
            Role::TeamManager => &[
                ViewMembers,
                ViewTeamDiscussions,
                ManageTeamDiscussions,
                ViewPatientProfile,
                ManagePatientIdentity,
            ],
            Role::TeamParticipant => &[ViewMembers, ViewPatientProfile],
            Role::PatientCaregiverManager => &[SearchPatientFiles, ManagePatientCircle, ViewPatientProfile],
            Role::Auditor => &[ReadAudit, ExportAudit],
        }
    }

    pub fn allows(self, p: Permission) -> bool {
        self.permissions().contains(&p)
    }
}

/// A role held on a unit, as the policy sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub role: Role,
    /// The unit's path: `/root-id/child-id/…/` (ids, slash-terminated).
    pub unit_path: String,
}

/// Whether `grants` allow `permission` on the unit at `target_path`: a grant
/// holds on its unit and every unit below it, never above or beside.
pub fn holds(grants: &[Grant], permission: Permission, target_path: &str) -> bool {
    grants
        .iter()
        .any(|g| g.role.allows(permission) && target_path.starts_with(&g.unit_path))
}

/// Whether `grants` allow `permission` on at least one unit.
pub fn holds_anywhere(grants: &[Grant], permission: Permission) -> bool {
    grants.iter().any(|g| g.role.allows(permission))
}

/// The path of a unit under `parent_path` (or a root when `None`).
pub fn child_path(parent_path: Option<&str>, unit_id: &str) -> String {
    format!("{}{unit_id}/", parent_path.unwrap_or("/"))
}

/// Moving a unit under one of its own descendants (or itself) would cut the
/// tree loose.
pub fn is_within(path: &str, ancestor_path: &str) -> bool {
    path.starts_with(ancestor_path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(role: Role, path: &str) -> Grant {
        Grant {
            role,
            unit_path: path.into(),
        }
    }

    #[test]
    fn a_role_holds_below_not_above_or_beside() {
        let g = [grant(Role::Administrator, "/root/north/")];
        assert!(holds(&g, Permission::ManageUnits, "/root/north/"));
        assert!(holds(&g, Permission::ManageUnits, "/root/north/clinic/"));
        assert!(!holds(&g, Permission::ManageUnits, "/root/"), "above");
        assert!(!holds(&g, Permission::ManageUnits, "/root/south/"), "beside");
        assert!(
            !holds(&g, Permission::ManageUnits, "/root/northern/"),
            "a sibling whose id starts alike"
        );
    }

    #[test]
    fn administrators_do_not_see_patients_or_discussions() {
        for p in [
            Permission::ViewTeamDiscussions,
            Permission::ViewPatientProfile,
            Permission::SearchPatientFiles,
        ] {
            assert!(!Role::Administrator.allows(p), "{p:?}");
        }
        assert!(Role::Auditor.allows(Permission::ReadAudit) && !Role::Auditor.allows(Permission::ManageMembers));
    }

    #[test]
    fn role_keys_round_trip_and_codes_are_unique() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        let mut codes: Vec<_> = Permission::ALL.iter().map(|p| p.code()).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), Permission::ALL.len());
    }

    #[test]
    fn descendants() {
        assert!(is_within("/r/a/b/", "/r/a/"));
        assert!(is_within("/r/a/", "/r/a/"));
        assert!(!is_within("/r/ab/", "/r/a/"));
        assert_eq!(child_path(None, "r"), "/r/");
        assert_eq!(child_path(Some("/r/"), "a"), "/r/a/");
    }
}
