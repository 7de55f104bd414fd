//! Who sees whom on the network (SPEC 3). The services gather the facts of
//! a relation between a viewer and a person; these functions decide.

/// What is true between the one looking and the one looked at.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Relation {
    pub is_self: bool,
    /// They share at least one organization.
    pub colleagues: bool,
    /// An accepted friendship.
    pub friends: bool,
    /// The viewer holds a validated profession.
    pub viewer_validated: bool,
    /// The person holds a validated profession…
    pub target_validated: bool,
    /// …and has not restricted their external visibility.
    pub target_restricted: bool,
}

impl Relation {
    /// Whether the person is part of the external network as this viewer may see it.
    fn external(&self) -> bool {
        self.viewer_validated && self.target_validated && !self.target_restricted
    }
}

/// Searching for or opening a profile. Colleagues always; friends always;
/// anyone else only for a validated professional, and never a person who
/// restricted their external visibility.
pub fn may_view_profile(r: &Relation) -> bool {
    r.is_self || r.colleagues || r.friends || r.external()
}

/// The phone number a person shares is for their friends only.
pub fn may_see_shared_phone(r: &Relation) -> bool {
    r.is_self || r.friends
}

/// A friend request goes to someone one may see, never to oneself.
pub fn may_request_friendship(r: &Relation) -> bool {
    !r.is_self && may_view_profile(r)
}

/// Searching beyond one's organizations, and inviting professionals to the
/// network, are for validated professionals.
pub fn may_search_external(viewer_validated: bool) -> bool {
    viewer_validated
}

pub fn may_invite_to_network(viewer_validated: bool) -> bool {
    viewer_validated
}

/// The teams of an organization's workplaces are listed to the members of
/// that organization only (workplace pages, the FHIR directory).
pub fn may_list_teams(member_of_org: bool) -> bool {
    member_of_org
}

/// Whether a person appears in the external network at all (indexed as such).
pub fn externally_visible(validated: bool, restricted: bool) -> bool {
    validated && !restricted
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stranger() -> Relation {
        Relation {
            viewer_validated: true,
            target_validated: true,
            ..Relation::default()
        }
    }

    #[test]
    fn validated_professionals_see_the_external_network() {
        assert!(may_view_profile(&stranger()));
        let unvalidated_viewer = Relation {
            viewer_validated: false,
            ..stranger()
        };
        assert!(!may_view_profile(&unvalidated_viewer));
        let unvalidated_target = Relation {
            target_validated: false,
            ..stranger()
        };
        assert!(!may_view_profile(&unvalidated_target));
    }

    #[test]
    fn restriction_hides_from_strangers_not_colleagues_or_friends() {
        let restricted = Relation {
            target_restricted: true,
            ..stranger()
        };
        assert!(!may_view_profile(&restricted));
        assert!(may_view_profile(&Relation {
            colleagues: true,
            ..restricted
        }));
        assert!(may_view_profile(&Relation {
            friends: true,
            ..restricted
        }));
    }

    #[test]
    fn phone_is_for_friends() {
        assert!(!may_see_shared_phone(&stranger()));
        assert!(!may_see_shared_phone(&Relation {
            colleagues: true,
            ..stranger()
        }));
        assert!(may_see_shared_phone(&Relation {
            friends: true,
            ..stranger()
        }));
    }

    #[test]
    fn no_request_to_oneself() {
        assert!(!may_request_friendship(&Relation {
            is_self: true,
            ..stranger()
        }));
        assert!(may_request_friendship(&stranger()));
    }
}
