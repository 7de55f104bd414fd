//! The areas of the administration console: their paths, labels and the
//! permission each needs. The console draws its sub-navigation from them,
//! and every page's header asks [`any_area`] whether to link the console;
//! kept apart so that the header does not import the console's pages.

use cercle_app::accounts::SessionView;
use cercle_app::orgs::OrgScope;
use cercle_domain::roles::Permission;

/// One page of the console.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    /// `/admin` itself (only ever shown to say why there is nothing).
    Console,
    Organizations,
    Network,
    /// Email and SMS that finally failed.
    Mail,
    /// Partners' service accounts (SMART Backend Services).
    Services,
    /// The EMRs of the integrated bubble.
    Emrs,
    Units,
    Workplaces,
    Teams,
    Members,
    Invitations,
    Audit,
    /// The organization's own settings (its time zone).
    Organization,
}

pub(crate) const NETWORK_TABS: [Tab; 5] = [Tab::Organizations, Tab::Network, Tab::Mail, Tab::Services, Tab::Emrs];
pub(crate) const ORG_TABS: [Tab; 7] = [
    Tab::Units,
    Tab::Workplaces,
    Tab::Teams,
    Tab::Members,
    Tab::Invitations,
    Tab::Audit,
    Tab::Organization,
];

impl Tab {
    pub(crate) fn href(self) -> &'static str {
        match self {
            Tab::Console => "/admin",
            Tab::Organizations => "/admin/organizations",
            Tab::Network => "/admin/network",
            Tab::Mail => "/admin/mail",
            Tab::Services => "/admin/service-accounts",
            Tab::Emrs => "/admin/emrs",
            Tab::Units => "/admin/units",
            Tab::Workplaces => "/admin/workplaces",
            Tab::Teams => "/admin/teams",
            Tab::Members => "/admin/members",
            Tab::Invitations => "/admin/invitations",
            Tab::Audit => "/admin/audit",
            Tab::Organization => "/admin/organization",
        }
    }

    pub(crate) fn label(self) -> &'static str {
        match self {
            Tab::Console => "admin-title",
            Tab::Organizations => "admin-tab-organizations",
            Tab::Network => "admin-tab-network",
            Tab::Mail => "admin-tab-mail",
            Tab::Services => "admin-tab-services",
            Tab::Emrs => "admin-emrs-tab",
            Tab::Units => "admin-tab-units",
            Tab::Workplaces => "admin-tab-workplaces",
            Tab::Teams => "admin-tab-teams",
            Tab::Members => "admin-tab-members",
            Tab::Invitations => "admin-tab-invitations",
            Tab::Audit => "admin-tab-audit",
            Tab::Organization => "admin-tab-organization",
        }
    }

    /// What a role must allow somewhere for the area to be shown.
    pub(crate) fn permission(self) -> Option<Permission> {
        match self {
            Tab::Console | Tab::Organizations | Tab::Network | Tab::Mail | Tab::Services | Tab::Emrs => None,
            Tab::Units | Tab::Organization => Some(Permission::ManageUnits),
            Tab::Workplaces => Some(Permission::ManageWorkplaces),
            Tab::Teams => Some(Permission::ManageTeams),
            Tab::Members | Tab::Invitations => Some(Permission::ManageMembers),
            Tab::Audit => Some(Permission::ReadAudit),
        }
    }

    pub(crate) fn shown(self, view: &SessionView, scope: Option<&OrgScope>) -> bool {
        match self.permission() {
            None => view.user.network_admin,
            Some(p) => scope.is_some_and(|s| s.may_anywhere(p)),
        }
    }
}

/// Whether a person has an area of the console in their active organization.
pub fn any_area(scope: &OrgScope) -> bool {
    ORG_TABS
        .iter()
        .filter_map(|t| t.permission())
        .any(|p| scope.may_anywhere(p))
}
