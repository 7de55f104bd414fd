//! Teams and triage (SPEC 7): what a team's managers and participants may
//! do with the team's threads, decided from a few facts gathered by the
//! services. A manager is a member with the manager role, or a holder of the
//! team manager role on the team's unit or above; a participant is a member
//! with the participant role.

crate::stored_kind!(
    /// One's standing in a team, stored (team_members.role) and serialized
    /// under its name.
    TeamRole {
        Manager => "manager",
        Participant => "participant",
    }
);

crate::stored_kind!(
    /// Where a thread stands for one of its teams, stored (thread_triage.state)
    /// and serialized under its name: waiting in the team's triage box, or
    /// assigned to a responsible member.
    TriageState {
        InTriage => "in_triage",
        Assigned => "assigned",
    }
);

/// Facts about one thread of the team, for the acting person.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ThreadFacts {
    /// The person is the team's responsible member for this thread.
    pub responsible: bool,
    /// The person takes part in the thread in person.
    pub added: bool,
    /// The thread waits in the team's triage box.
    pub in_triage: bool,
}

/// What one asks to do with a thread of a team.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TeamAction {
    /// Open and read the thread.
    Read,
    /// See the team's triage box (titles of the threads waiting).
    SeeTriage,
    /// Take a thread from the triage box: become its responsible member.
    Take,
    /// Make a member (`target_in_team`) the responsible member.
    Assign { target_in_team: bool },
    /// A manager adds themselves to the thread in person.
    AddSelf,
    /// A manager removes the team from the thread.
    RemoveTeam,
    /// Add a teammate (`target_in_team`) to the thread in person.
    Invite { target_in_team: bool },
    /// Stop being assigned: no longer responsible, no longer in the thread.
    Unassign,
    /// Give the thread back to the triage box (its responsible member only).
    ReturnToTriage,
}

/// Why an action is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The thread does not exist for this person.
    NotFound,
    /// The person's standing in the team does not allow it.
    Forbidden,
    /// The person named is not a member of the team.
    NotTeamMember,
    /// Only the responsible member may do this.
    NotResponsible,
    /// The thread is not in the triage box.
    NotInTriage,
    /// The person is not assigned to or added to the thread.
    NotAssigned,
}

/// Whether a person with `role` in the team (none: not in it) may do
/// `action` on a thread of the team.
pub fn decide(role: Option<TeamRole>, facts: ThreadFacts, action: TeamAction) -> Result<(), Refusal> {
    let Some(role) = role else {
        return Err(Refusal::NotFound);
    };
    let manager = role == TeamRole::Manager;
    // A participant reaches only the threads they were assigned or added to.
    let reaches = manager || facts.responsible || facts.added;
    match action {
        TeamAction::SeeTriage => Ok(()),
        TeamAction::Read => reaches.then_some(()).ok_or(Refusal::NotFound),
        TeamAction::Take => {
            if !facts.in_triage {
                Err(Refusal::NotInTriage)
            } else {
                Ok(())
            }
        }
        TeamAction::Assign { target_in_team } => {
            if !manager {
                return Err(if reaches { Refusal::Forbidden } else { Refusal::NotFound });
            }
            target_in_team.then_some(()).ok_or(Refusal::NotTeamMember)
        }
        TeamAction::AddSelf | TeamAction::RemoveTeam => {
            if manager {
                Ok(())
            } else if reaches {
                Err(Refusal::Forbidden)
            } else {
                Err(Refusal::NotFound)
            }
        }
        TeamAction::Invite { target_in_team } => {
            if !reaches {
                return Err(Refusal::NotFound);
            }
            target_in_team.then_some(()).ok_or(Refusal::NotTeamMember)
        }
        TeamAction::Unassign => {
            if !reaches {
                Err(Refusal::NotFound)
            } else if facts.responsible || facts.added {
                Ok(())
            } else {
                Err(Refusal::NotAssigned)
            }
        }
        TeamAction::ReturnToTriage => {
            if !reaches {
                Err(Refusal::NotFound)
            } else if facts.responsible {
                Ok(())
            } else {
                Err(Refusal::NotResponsible)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const M: Option<TeamRole> = Some(TeamRole::Manager);
    const P: Option<TeamRole> = Some(TeamRole::Participant);

    fn facts(responsible: bool, added: bool, in_triage: bool) -> ThreadFacts {
        ThreadFacts {
            responsible,
            added,
            in_triage,
        }
    }

    #[test]
    fn team_roles_and_triage_states_keep_their_stored_names() {
        for r in TeamRole::ALL {
            assert_eq!(TeamRole::parse(r.as_str()), Some(r));
            assert_eq!(serde_json::to_value(r).ok(), Some(serde_json::json!(r.as_str())));
        }
        for st in TriageState::ALL {
            assert_eq!(TriageState::parse(st.as_str()), Some(st));
            assert_eq!(serde_json::to_value(st).ok(), Some(serde_json::json!(st.as_str())));
        }
        assert_eq!(TriageState::parse("nope"), None);
    }

    #[test]
    fn managers_see_everything_participants_what_they_were_given() {
        assert_eq!(decide(M, facts(false, false, true), TeamAction::Read), Ok(()));
        assert_eq!(
            decide(P, facts(false, false, false), TeamAction::Read),
            Err(Refusal::NotFound)
        );
        assert_eq!(decide(P, facts(true, false, false), TeamAction::Read), Ok(()));
        assert_eq!(decide(P, facts(false, true, false), TeamAction::Read), Ok(()));
        assert_eq!(
            decide(None, facts(true, true, false), TeamAction::Read),
            Err(Refusal::NotFound)
        );
        assert_eq!(decide(P, facts(false, false, true), TeamAction::SeeTriage), Ok(()));
    }

    #[test]
    fn only_managers_assign_and_only_members_of_the_team() {
        let f = facts(false, false, true);
        assert_eq!(decide(M, f, TeamAction::Assign { target_in_team: true }), Ok(()));
        assert_eq!(
            decide(M, f, TeamAction::Assign { target_in_team: false }),
            Err(Refusal::NotTeamMember)
        );
        assert_eq!(
            decide(
                P,
                facts(true, false, false),
                TeamAction::Assign { target_in_team: true }
            ),
            Err(Refusal::Forbidden)
        );
        assert_eq!(decide(P, f, TeamAction::RemoveTeam), Err(Refusal::NotFound));
        assert_eq!(decide(M, f, TeamAction::AddSelf), Ok(()));
    }

    #[test]
    fn only_the_responsible_member_returns_a_thread_to_triage() {
        assert_eq!(
            decide(M, facts(false, false, false), TeamAction::ReturnToTriage),
            Err(Refusal::NotResponsible)
        );
        assert_eq!(
            decide(P, facts(false, true, false), TeamAction::ReturnToTriage),
            Err(Refusal::NotResponsible)
        );
        assert_eq!(decide(P, facts(true, false, false), TeamAction::ReturnToTriage), Ok(()));
        assert_eq!(decide(M, facts(true, false, false), TeamAction::ReturnToTriage), Ok(()));
    }

    #[test]
    fn taking_needs_the_triage_box_inviting_a_teammate() {
        assert_eq!(decide(P, facts(false, false, true), TeamAction::Take), Ok(()));
        assert_eq!(
            decide(P, facts(false, false, false), TeamAction::Take),
            Err(Refusal::NotInTriage)
        );
        assert_eq!(
            decide(
                P,
                facts(true, false, false),
                TeamAction::Invite { target_in_team: false }
            ),
            Err(Refusal::NotTeamMember)
        );
        assert_eq!(
            decide(
                P,
                facts(true, false, false),
                TeamAction::Invite { target_in_team: true }
            ),
            Ok(())
        );
        assert_eq!(decide(P, facts(true, false, false), TeamAction::Unassign), Ok(()));
        assert_eq!(
            decide(M, facts(false, false, false), TeamAction::Unassign),
            Err(Refusal::NotAssigned)
        );
    }
}
