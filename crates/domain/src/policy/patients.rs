//! Who may do what with a patient file (SPEC 4). Pure: the services gather
//! the facts (grants in the file's organization, who created it, whether the
//! person takes part in one of its threads or care channels) and ask here.
//!
//! - view: a member of the file's organization, with that organization
//!   active, holding a patient permission on the file's unit (see
//!   [`VIEW_PERMISSIONS`]), or who created it, or who takes part in one of
//!   its threads or channels;
//! - edit, archive, restore: its creator, or whoever manages patients'
//!   identity on its unit;
//! - manage the circle: the patient and caregiver manager role on its unit,
//!   and only that;
//! - the circle's sections (Patient, Responsible persons, Observers): each
//!   is on or off for a file (a child has no patient presence); no one is
//!   placed or invited into a section that is off, and a section is switched
//!   off only once no one is in it or on their way (see
//!   [`may_switch_section`]);
//! - search: within the units where one may search or view patient files.

use super::roles::{holds, Grant, Permission};

/// Permissions on a unit that let one see its patient files.
pub const VIEW_PERMISSIONS: [Permission; 4] = [
    Permission::ViewPatientProfile,
    Permission::SearchPatientFiles,
    Permission::ManagePatientIdentity,
    Permission::ManagePatientCircle,
];

/// Permissions on a unit that let one list and search its patient files.
pub const SEARCH_PERMISSIONS: [Permission; 2] = [Permission::SearchPatientFiles, Permission::ViewPatientProfile];

/// What the policy needs to know of a file and the person asking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileFacts<'a> {
    /// The person is a member of the file's organization and it is their
    /// active organization.
    pub in_active_org: bool,
    /// The path of the file's unit (`/root/child/`).
    pub unit_path: &'a str,
    /// The person opened the file.
    pub created_it: bool,
    /// The person takes part in a thread or care channel of the file (in
    /// person or through a team).
    pub takes_part: bool,
}

pub fn may_view(grants: &[Grant], f: &FileFacts<'_>) -> bool {
    f.in_active_org && (f.created_it || f.takes_part || VIEW_PERMISSIONS.iter().any(|p| holds(grants, *p, f.unit_path)))
}

/// Change the identity and consents.
pub fn may_edit(grants: &[Grant], f: &FileFacts<'_>) -> bool {
    f.in_active_org && (f.created_it || holds(grants, Permission::ManagePatientIdentity, f.unit_path))
}

/// Archive or restore.
pub fn may_archive(grants: &[Grant], f: &FileFacts<'_>) -> bool {
    may_edit(grants, f)
}

/// Invite, pre-allocate, cancel and resend in the patient's circle.
pub fn may_manage_circle(grants: &[Grant], f: &FileFacts<'_>) -> bool {
    f.in_active_org && holds(grants, Permission::ManagePatientCircle, f.unit_path)
}

/// Whether someone may be placed (pre-allocated) or invited into a section
/// of the circle: only while that section is on.
pub fn may_place_in_section(section_on: bool) -> bool {
    section_on
}

/// Why a section's switch cannot be turned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SectionSwitchRefusal {
    /// Only a manager of the circle switches its sections.
    NotManager,
    /// An archived file's circle does not change.
    Archived,
    /// People are in the section or on their way (pre-allocated, invited,
    /// locked, expired, joined): their places are cancelled first.
    NotEmpty,
}

/// Whether one may switch a section of a file's circle on or off. Switching
/// on is always possible for a manager of an open file; switching off, only
/// when `present` (people in the section or on their way) is zero.
pub fn may_switch_section(
    may_manage: bool,
    archived: bool,
    turning_off: bool,
    present: i64,
) -> Result<(), SectionSwitchRefusal> {
    if !may_manage {
        return Err(SectionSwitchRefusal::NotManager);
    }
    if archived {
        return Err(SectionSwitchRefusal::Archived);
    }
    if turning_off && present > 0 {
        return Err(SectionSwitchRefusal::NotEmpty);
    }
    Ok(())
}

/// The unit a new file goes to when none is chosen: the highest unit (the
/// first in tree order) where one manages patients' circles, so that the
/// file's creator can invite its patient and caregivers at once; `None`
/// (the root unit) when one holds that role nowhere. Gives the unit's id.
pub fn default_file_unit(grants: &[Grant]) -> Option<String> {
    let mut paths: Vec<&str> = grants
        .iter()
        .filter(|g| g.role.allows(Permission::ManagePatientCircle))
        .map(|g| g.unit_path.as_str())
        .collect();
    paths.sort_by_key(|p| (p.matches('/').count(), *p));
    paths
        .first()
        .and_then(|p| p.trim_end_matches('/').rsplit('/').next())
        .filter(|id| !id.is_empty())
        .map(str::to_string)
}

/// Whether one may open a file in the unit at `unit_path` (any member may,
/// in any unit of their active organization).
pub fn may_create(in_active_org: bool) -> bool {
    in_active_org
}

/// The unit paths whose files (and those of every unit below) one may list
/// and search; a path already under another one listed is left out.
pub fn search_paths(grants: &[Grant]) -> Vec<String> {
    let mut paths: Vec<String> = grants
        .iter()
        .filter(|g| SEARCH_PERMISSIONS.iter().any(|p| g.role.allows(*p)))
        .map(|g| g.unit_path.clone())
        .collect();
    paths.sort();
    paths.dedup();
    let all = paths.clone();
    paths.retain(|p| !all.iter().any(|other| other != p && p.starts_with(other.as_str())));
    paths
}

/// Whether one may search files of the unit at `unit_path`.
pub fn may_search(grants: &[Grant], unit_path: &str) -> bool {
    SEARCH_PERMISSIONS.iter().any(|p| holds(grants, *p, unit_path))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::roles::Role;

    fn grant(role: Role, path: &str) -> Grant {
        Grant {
            role,
            unit_path: path.into(),
        }
    }

    fn facts(path: &str) -> FileFacts<'_> {
        FileFacts {
            in_active_org: true,
            unit_path: path,
            created_it: false,
            takes_part: false,
        }
    }

    #[test]
    fn a_plain_member_sees_only_what_they_opened_or_take_part_in() {
        let g = [grant(Role::Member, "/root/")];
        let f = facts("/root/north/");
        assert!(!may_view(&g, &f));
        assert!(!may_edit(&g, &f));
        assert!(may_view(&g, &FileFacts { created_it: true, ..f }));
        assert!(may_edit(&g, &FileFacts { created_it: true, ..f }));
        assert!(may_archive(&g, &FileFacts { created_it: true, ..f }));
        let part = FileFacts { takes_part: true, ..f };
        assert!(may_view(&g, &part));
        assert!(!may_edit(&g, &part), "taking part does not let one change the identity");
        assert!(!may_manage_circle(&g, &part));
    }

    #[test]
    fn nothing_outside_the_active_organization() {
        let g = [grant(Role::TeamManager, "/root/")];
        let f = FileFacts {
            in_active_org: false,
            created_it: true,
            takes_part: true,
            ..facts("/root/")
        };
        assert!(!may_view(&g, &f));
        assert!(!may_edit(&g, &f));
        assert!(!may_manage_circle(
            &[grant(Role::PatientCaregiverManager, "/root/")],
            &f
        ));
        assert!(!may_create(false));
        assert!(may_create(true));
    }

    #[test]
    fn roles_hold_on_their_unit_and_below_only() {
        let f = facts("/root/north/clinic/");
        for role in [Role::TeamParticipant, Role::TeamManager, Role::PatientCaregiverManager] {
            assert!(may_view(&[grant(role, "/root/north/")], &f), "{role:?} below");
            assert!(!may_view(&[grant(role, "/root/south/")], &f), "{role:?} beside");
            assert!(!may_view(&[grant(role, "/root/north/clinic/x/")], &f), "{role:?} above");
        }
        for role in [Role::Administrator, Role::Auditor, Role::Member] {
            assert!(!may_view(&[grant(role, "/root/")], &f), "{role:?} sees no patient");
        }
    }

    #[test]
    fn identity_for_its_managers_circle_for_the_patient_and_caregiver_manager_only() {
        let f = facts("/root/north/");
        let tm = [grant(Role::TeamManager, "/root/")];
        assert!(may_edit(&tm, &f));
        assert!(!may_manage_circle(&tm, &f));
        let pcm = [grant(Role::PatientCaregiverManager, "/root/")];
        assert!(may_manage_circle(&pcm, &f));
        assert!(!may_edit(&pcm, &f));
        assert!(!may_manage_circle(&pcm, &facts("/other/")));
        let creator = FileFacts { created_it: true, ..f };
        assert!(
            !may_manage_circle(&[grant(Role::Member, "/root/")], &creator),
            "creating is not managing"
        );
        assert!(!may_manage_circle(&[grant(Role::Administrator, "/root/")], &creator));
    }

    #[test]
    fn sections_switch_for_managers_and_off_only_when_empty() {
        assert!(may_place_in_section(true));
        assert!(!may_place_in_section(false));
        assert_eq!(may_switch_section(true, false, true, 0), Ok(()));
        assert_eq!(
            may_switch_section(true, false, false, 3),
            Ok(()),
            "on with people: nothing to refuse"
        );
        assert_eq!(
            may_switch_section(true, false, true, 1),
            Err(SectionSwitchRefusal::NotEmpty)
        );
        assert_eq!(
            may_switch_section(false, false, false, 0),
            Err(SectionSwitchRefusal::NotManager)
        );
        assert_eq!(
            may_switch_section(true, true, false, 0),
            Err(SectionSwitchRefusal::Archived)
        );
    }

    #[test]
    fn new_files_default_to_where_one_manages_circles() {
        assert_eq!(default_file_unit(&[grant(Role::Member, "/root/")]), None);
        let g = [
            grant(Role::Member, "/root/"),
            grant(Role::PatientCaregiverManager, "/root/west/clinic/"),
            grant(Role::PatientCaregiverManager, "/root/north/"),
        ];
        assert_eq!(default_file_unit(&g).as_deref(), Some("north"));
        assert_eq!(
            default_file_unit(&[grant(Role::PatientCaregiverManager, "/root/")]).as_deref(),
            Some("root")
        );
    }

    #[test]
    fn search_within_ones_units() {
        let g = [
            grant(Role::TeamParticipant, "/root/north/"),
            grant(Role::PatientCaregiverManager, "/root/north/clinic/"),
            grant(Role::PatientCaregiverManager, "/root/west/"),
            grant(Role::Administrator, "/root/"),
        ];
        assert_eq!(
            search_paths(&g),
            vec!["/root/north/".to_string(), "/root/west/".to_string()]
        );
        assert!(may_search(&g, "/root/north/clinic/"));
        assert!(!may_search(&g, "/root/south/"));
        assert!(search_paths(&[grant(Role::Member, "/root/"), grant(Role::Auditor, "/root/")]).is_empty());
        assert!(search_paths(&[grant(Role::TeamManager, "/root/")]) == vec!["/root/".to_string()]);
    }
}
