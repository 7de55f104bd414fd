//! The kinds of the patient's circle (SPEC 4) and of care channels (SPEC 5)
//! as they are stored: a member's section and state, an invitation's state,
//! channel and method, a channel participant's kind. One name per value,
//! the one the database holds and the API shows (never rename one: rows
//! written by earlier versions and the pages depend on them).

/// A text that names none of a kind's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("unknown kind")]
pub struct UnknownKind;

macro_rules! one {
    ($x:ident) => {
        1
    };
}

macro_rules! text_kind {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident => $text:literal),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
        pub enum $name {
            $($(#[$vdoc])* #[serde(rename = $text)] $variant),*
        }

        impl $name {
            pub const ALL: [$name; 0 $(+ one!($variant))*] = [$($name::$variant),*];

            /// The stored (and shown) name.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),*
                }
            }
        }

        impl std::str::FromStr for $name {
            type Err = UnknownKind;
            fn from_str(raw: &str) -> Result<Self, UnknownKind> {
                $name::ALL.into_iter().find(|k| k.as_str() == raw).ok_or(UnknownKind)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

text_kind!(
    /// The three sections of a circle.
    CircleSection {
        Patient => "patient",
        /// Responsible persons (caregivers).
        Responsible => "responsible",
        /// Read only.
        Observer => "observer",
    }
);

text_kind!(
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

text_kind!(
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

text_kind!(
    /// How an invitation is sent.
    InvitationVia {
        Email => "email",
        Sms => "sms",
    }
);

text_kind!(
    /// How an invited person proves who they are.
    InvitationMethod {
        /// A question whose answer the professional invented.
        Question => "question",
        /// A random code sent apart (email only).
        Code => "code",
    }
);

text_kind!(
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
