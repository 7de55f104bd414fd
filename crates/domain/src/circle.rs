//! The kinds of the patient's circle (SPEC 4) and of care channels (SPEC 5)
//! as they are stored: a member's section and state, an invitation's state,
//! channel and method, a channel participant's kind. One name per value,
//! the one the database holds and the API shows (never rename one: rows
//! written by earlier versions and the pages depend on them).

pub use crate::kinds::UnknownKind;
use crate::stored_kind;

stored_kind!(
    /// The three sections of a circle.
    CircleSection {
        Patient => "patient",
        /// Responsible persons (caregivers).
        Responsible => "responsible",
        /// Read only.
        Observer => "observer",
    }
);

stored_kind!(
    /// Where a member of a circle stands.
    MemberState {
        /// Placed in the circle, not invited yet.
        Preallocated => "preallocated",
        Invited => "invited",
        Joined => "joined",
        Cancelled => "cancelled",
        /// Shown only: an invitation past its date (never stored by Cercle
        /// on a member, but kept readable).
        Expired => "expired",
        /// Too many wrong answers on the invitation.
        Locked => "locked",
    }
);

stored_kind!(
    /// Where an invitation stands.
    InvitationState {
        Pending => "pending",
        Accepted => "accepted",
        Cancelled => "cancelled",
        Expired => "expired",
        Locked => "locked",
        /// A newer invitation of the same member took its place.
        Replaced => "replaced",
    }
);

stored_kind!(
    /// How an invitation is sent.
    InvitationVia {
        Email => "email",
        Sms => "sms",
    }
);

stored_kind!(
    /// How an invited person proves who they are.
    InvitationMethod {
        /// A question whose answer the professional invented.
        Question => "question",
        /// A random code sent apart (email only).
        Code => "code",
    }
);

stored_kind!(
    /// Who takes part in a care channel.
    ChannelParticipantKind {
        User => "user",
        Team => "team",
        /// A member of the patient's circle.
        Circle => "circle",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_serialize_as_stored() {
        for s in CircleSection::ALL {
            assert_eq!(s.as_str().parse::<CircleSection>(), Ok(s));
            let json = serde_json::to_string(&s).expect("json");
            assert_eq!(json, format!("\"{}\"", s.as_str()));
        }
        for s in MemberState::ALL {
            assert_eq!(s.as_str().parse::<MemberState>(), Ok(s));
        }
        for s in InvitationState::ALL {
            assert_eq!(s.as_str().parse::<InvitationState>(), Ok(s));
        }
        assert_eq!("nope".parse::<MemberState>(), Err(UnknownKind));
    }

    #[test]
    fn the_stored_names_do_not_change() {
        let names = |all: &[&'static str]| all.join(",");
        assert_eq!(
            names(&CircleSection::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>()),
            "patient,responsible,observer"
        );
        assert_eq!(
            names(&MemberState::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>()),
            "preallocated,invited,joined,cancelled,expired,locked"
        );
        assert_eq!(
            names(&InvitationState::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>()),
            "pending,accepted,cancelled,expired,locked,replaced"
        );
        assert_eq!(
            names(
                &ChannelParticipantKind::ALL
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
            ),
            "user,team,circle"
        );
    }
}
