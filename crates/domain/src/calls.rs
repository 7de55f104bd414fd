//! Calls (SPEC 8, issue 17): an audio or video call belongs to a thread;
//! people join and leave it; it rings, is answered, ends. This module holds
//! the call's states as types that cannot hold an impossible combination (an
//! ended call always has its end, a person who left always has when and
//! how), read from the stored columns through one checked conversion, and
//! the transitions between them. Who may do what is
//! [`crate::policy::calls`].

use crate::{Timestamp, UserId};

crate::stored_kind!(
    /// What a call carries, stored (`calls.media`) and sent under its name.
    CallMedia {
        Audio => "audio",
        Video => "video",
    }
);

crate::stored_kind!(
    /// How a call's media travel, stored (`calls.topology`), decided once
    /// at its start from its thread.
    CallTopology {
        /// At most two people may take part (a direct thread between two
        /// friends): media go end to end between the two browsers; Cercle
        /// relays the signalling only. Holds two participants at most.
        P2p => "p2p",
        /// Three or more may take part: media go through the selective
        /// forwarding unit.
        Sfu => "sfu",
    }
);

impl CallTopology {
    /// The topology of a new call of a thread of this kind: a direct
    /// thread (two friends, nobody else may ever reach it) is `p2p`; any
    /// other thread may hold three or more.
    pub fn for_thread(kind: crate::threads::ThreadKind) -> CallTopology {
        match kind {
            crate::threads::ThreadKind::Direct => CallTopology::P2p,
            crate::threads::ThreadKind::Clinical | crate::threads::ThreadKind::Collaboration => CallTopology::Sfu,
        }
    }

    /// The most people a call of this topology holds at once, given the
    /// configured cap (`call_max_participants`).
    pub fn cap(self, configured: usize) -> usize {
        match self {
            CallTopology::P2p => configured.min(2),
            CallTopology::Sfu => configured,
        }
    }
}

crate::stored_kind!(
    /// Where a call stands, as the API and events name it ([`CallState::phase`]).
    CallPhase {
        /// Started; no one but its starter has joined yet.
        Ringing => "ringing",
        /// Someone else joined: people are talking.
        Active => "active",
        Ended => "ended",
    }
);

crate::stored_kind!(
    /// Why a call ended, stored (`calls.end_reason`).
    EndReason {
        /// The starter or a manager of the thread ended it for everyone
        /// (`calls.ended_by` says who).
        EndedForAll => "ended",
        /// The last person in it left (or was removed, or lost).
        Empty => "empty",
        /// Nobody but its starter joined within the ringing time
        /// (`call_ring_timeout_secs`).
        Unanswered => "unanswered",
    }
);

crate::stored_kind!(
    /// How someone's time in a call ended, stored (`call_participants.left_how`).
    DepartureKind {
        Left => "left",
        /// Removed by the starter or a manager of the thread
        /// (`call_participants.removed_by`).
        Removed => "removed",
        /// Still in the call when it was ended for everyone.
        CallEnded => "call_ended",
        /// Their client stopped saying it is there (no heartbeat within
        /// `call_presence_timeout_secs`): connection lost.
        Lost => "lost",
    }
);

/// How a call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallEnd {
    /// Ended for everyone by this person.
    ForAll { by: UserId },
    /// Its last participant left.
    Empty,
    /// Nobody answered in time.
    Unanswered,
}

impl CallEnd {
    pub fn reason(self) -> EndReason {
        match self {
            CallEnd::ForAll { .. } => EndReason::EndedForAll,
            CallEnd::Empty => EndReason::Empty,
            CallEnd::Unanswered => EndReason::Unanswered,
        }
    }

    pub fn by(self) -> Option<UserId> {
        match self {
            CallEnd::ForAll { by } => Some(by),
            CallEnd::Empty | CallEnd::Unanswered => None,
        }
    }
}

/// The state of a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallState {
    /// Only its starter is in it.
    Ringing,
    /// Someone other than its starter joined at `answered_at`.
    Active { answered_at: Timestamp },
    /// Over: no one is in it any more and no one may join it.
    Ended {
        /// When someone first answered; `None`: nobody did.
        answered_at: Option<Timestamp>,
        ended_at: Timestamp,
        end: CallEnd,
    },
}

/// Stored columns of a call that describe no [`CallState`] (an end without
/// its reason, a reason without its end…): the row is damaged, never
/// guessed at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("inconsistent stored call state")]
pub struct InconsistentCall;

impl CallState {
    /// The state the stored columns describe (`answered_at`, `ended_at`,
    /// `end_reason`, `ended_by`).
    pub fn from_columns(
        answered_at: Option<i64>,
        ended_at: Option<i64>,
        end_reason: Option<EndReason>,
        ended_by: Option<UserId>,
    ) -> Result<CallState, InconsistentCall> {
        let answered_at = answered_at.map(Timestamp);
        match (ended_at, end_reason, ended_by) {
            (None, None, None) => Ok(match answered_at {
                None => CallState::Ringing,
                Some(answered_at) => CallState::Active { answered_at },
            }),
            (Some(at), Some(EndReason::EndedForAll), Some(by)) => Ok(CallState::Ended {
                answered_at,
                ended_at: Timestamp(at),
                end: CallEnd::ForAll { by },
            }),
            (Some(at), Some(EndReason::Empty), None) => Ok(CallState::Ended {
                answered_at,
                ended_at: Timestamp(at),
                end: CallEnd::Empty,
            }),
            // Unanswered: nobody else ever joined.
            (Some(at), Some(EndReason::Unanswered), None) if answered_at.is_none() => Ok(CallState::Ended {
                answered_at,
                ended_at: Timestamp(at),
                end: CallEnd::Unanswered,
            }),
            _ => Err(InconsistentCall),
        }
    }

    pub fn phase(self) -> CallPhase {
        match self {
            CallState::Ringing => CallPhase::Ringing,
            CallState::Active { .. } => CallPhase::Active,
            CallState::Ended { .. } => CallPhase::Ended,
        }
    }

    pub fn is_ended(self) -> bool {
        matches!(self, CallState::Ended { .. })
    }

    pub fn answered_at(self) -> Option<Timestamp> {
        match self {
            CallState::Ringing => None,
            CallState::Active { answered_at } => Some(answered_at),
            CallState::Ended { answered_at, .. } => answered_at,
        }
    }

    /// After someone joined: a ringing call is answered when the one who
    /// joins is not its starter. `None` when nothing changes.
    pub fn on_join(self, by_starter: bool, now: Timestamp) -> Option<CallState> {
        match self {
            CallState::Ringing if !by_starter => Some(CallState::Active { answered_at: now }),
            _ => None,
        }
    }

    /// The call ended now; `None` if it already had.
    pub fn end(self, end: CallEnd, now: Timestamp) -> Option<CallState> {
        match self {
            CallState::Ended { .. } => None,
            other => Some(CallState::Ended {
                answered_at: other.answered_at(),
                ended_at: now,
                end,
            }),
        }
    }

    /// How long people talked: from the first answer to the end, in
    /// milliseconds. `None` while the call goes on or when nobody answered.
    pub fn duration_ms(self) -> Option<i64> {
        match self {
            CallState::Ended {
                answered_at: Some(a),
                ended_at,
                ..
            } => Some((ended_at.0 - a.0).max(0)),
            _ => None,
        }
    }
}

/// How a person's time in a call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Departure {
    Left,
    Removed {
        by: UserId,
    },
    CallEnded,
    /// Connection lost: no heartbeat in time.
    Lost,
}

impl Departure {
    pub fn kind(self) -> DepartureKind {
        match self {
            Departure::Left => DepartureKind::Left,
            Departure::Removed { .. } => DepartureKind::Removed,
            Departure::CallEnded => DepartureKind::CallEnded,
            Departure::Lost => DepartureKind::Lost,
        }
    }

    pub fn removed_by(self) -> Option<UserId> {
        match self {
            Departure::Removed { by } => Some(by),
            _ => None,
        }
    }
}

/// One stretch of a person's time in a call (joining again after leaving
/// is a new stretch).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presence {
    /// In the call now, with their microphone muted or not and their hand
    /// raised or not.
    In { muted: bool, hand_raised: bool },
    /// Gone since `left_at`.
    Gone { left_at: Timestamp, how: Departure },
}

impl Presence {
    /// The presence the stored columns describe (`left_at`, `left_how`,
    /// `removed_by`, `muted`, `hand_raised`).
    pub fn from_columns(
        left_at: Option<i64>,
        left_how: Option<DepartureKind>,
        removed_by: Option<UserId>,
        muted: bool,
        hand_raised: bool,
    ) -> Result<Presence, InconsistentCall> {
        let how = match (left_how, removed_by) {
            (None, None) => None,
            (Some(DepartureKind::Left), None) => Some(Departure::Left),
            (Some(DepartureKind::CallEnded), None) => Some(Departure::CallEnded),
            (Some(DepartureKind::Lost), None) => Some(Departure::Lost),
            (Some(DepartureKind::Removed), Some(by)) => Some(Departure::Removed { by }),
            _ => return Err(InconsistentCall),
        };
        match (left_at, how) {
            (None, None) => Ok(Presence::In { muted, hand_raised }),
            (Some(at), Some(how)) => Ok(Presence::Gone {
                left_at: Timestamp(at),
                how,
            }),
            _ => Err(InconsistentCall),
        }
    }

    pub fn is_in(self) -> bool {
        matches!(self, Presence::In { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_keep_their_stored_names() {
        let names = |v: &[&str]| v.join(",");
        assert_eq!(names(&CallMedia::ALL.map(|k| k.as_str())), "audio,video");
        assert_eq!(names(&CallPhase::ALL.map(|k| k.as_str())), "ringing,active,ended");
        assert_eq!(names(&EndReason::ALL.map(|k| k.as_str())), "ended,empty,unanswered");
        assert_eq!(
            names(&DepartureKind::ALL.map(|k| k.as_str())),
            "left,removed,call_ended,lost"
        );
        assert_eq!(CallMedia::parse("screen"), None);
        assert_eq!(names(&CallTopology::ALL.map(|k| k.as_str())), "p2p,sfu");
    }

    #[test]
    fn direct_threads_call_peer_to_peer_with_two_people_at_most() {
        use crate::threads::ThreadKind;
        assert_eq!(CallTopology::for_thread(ThreadKind::Direct), CallTopology::P2p);
        assert_eq!(CallTopology::for_thread(ThreadKind::Clinical), CallTopology::Sfu);
        assert_eq!(CallTopology::for_thread(ThreadKind::Collaboration), CallTopology::Sfu);
        assert_eq!(CallTopology::P2p.cap(16), 2);
        assert_eq!(CallTopology::Sfu.cap(16), 16);
        assert_eq!(CallTopology::P2p.cap(2), 2);
    }

    #[test]
    fn a_call_rings_until_someone_else_joins_then_ends_once() {
        let starter = UserId::new();
        let s = CallState::Ringing;
        assert_eq!(s.on_join(true, Timestamp(5)), None, "the starter answers nothing");
        let active = s.on_join(false, Timestamp(10)).expect("answered");
        assert_eq!(
            active,
            CallState::Active {
                answered_at: Timestamp(10)
            }
        );
        assert_eq!(active.on_join(false, Timestamp(20)), None, "answered once");
        let ended = active
            .end(CallEnd::ForAll { by: starter }, Timestamp(70_010))
            .expect("ends");
        assert_eq!(ended.phase(), CallPhase::Ended);
        assert_eq!(ended.duration_ms(), Some(70_000));
        assert_eq!(ended.end(CallEnd::Empty, Timestamp(80_000)), None, "ends once");
        assert_eq!(ended.on_join(false, Timestamp(90_000)), None);
        // Nobody answered: no duration.
        let missed = CallState::Ringing.end(CallEnd::Empty, Timestamp(30)).expect("ends");
        assert_eq!(missed.duration_ms(), None);
        assert_eq!(missed.answered_at(), None);
        let unanswered = CallState::Ringing
            .end(CallEnd::Unanswered, Timestamp(60_000))
            .expect("ends");
        assert_eq!(unanswered.duration_ms(), None);
        assert_eq!(unanswered.phase(), CallPhase::Ended);
    }

    #[test]
    fn stored_columns_round_trip_and_damaged_ones_are_refused() {
        let by = UserId::new();
        let states = [
            CallState::Ringing,
            CallState::Active {
                answered_at: Timestamp(3),
            },
            CallState::Ended {
                answered_at: None,
                ended_at: Timestamp(9),
                end: CallEnd::Empty,
            },
            CallState::Ended {
                answered_at: Some(Timestamp(3)),
                ended_at: Timestamp(9),
                end: CallEnd::ForAll { by },
            },
            CallState::Ended {
                answered_at: None,
                ended_at: Timestamp(60),
                end: CallEnd::Unanswered,
            },
        ];
        for s in states {
            let (ended_at, reason, ended_by) = match s {
                CallState::Ended { ended_at, end, .. } => (Some(ended_at.0), Some(end.reason()), end.by()),
                _ => (None, None, None),
            };
            let back = CallState::from_columns(s.answered_at().map(|t| t.0), ended_at, reason, ended_by);
            assert_eq!(back, Ok(s));
        }
        let damaged = [
            (Some(9), None, None),
            (None, Some(EndReason::Empty), None),
            (Some(9), Some(EndReason::EndedForAll), None),
            (Some(9), Some(EndReason::Empty), Some(by)),
            (None, None, Some(by)),
            (Some(9), Some(EndReason::Unanswered), Some(by)),
        ];
        for (ended_at, reason, ended_by) in damaged {
            assert_eq!(
                CallState::from_columns(None, ended_at, reason, ended_by),
                Err(InconsistentCall)
            );
        }
        // "Unanswered" after someone answered is a damaged row.
        assert_eq!(
            CallState::from_columns(Some(3), Some(9), Some(EndReason::Unanswered), None),
            Err(InconsistentCall)
        );
    }

    #[test]
    fn presence_is_in_or_gone_with_how() {
        let by = UserId::new();
        assert_eq!(
            Presence::from_columns(None, None, None, true, false),
            Ok(Presence::In {
                muted: true,
                hand_raised: false
            })
        );
        assert_eq!(
            Presence::from_columns(Some(4), Some(DepartureKind::Removed), Some(by), false, false),
            Ok(Presence::Gone {
                left_at: Timestamp(4),
                how: Departure::Removed { by }
            })
        );
        assert_eq!(
            Presence::from_columns(Some(4), None, None, false, false),
            Err(InconsistentCall)
        );
        assert_eq!(
            Presence::from_columns(None, Some(DepartureKind::Left), None, false, false),
            Err(InconsistentCall)
        );
        assert_eq!(
            Presence::from_columns(Some(4), Some(DepartureKind::Left), Some(by), false, false),
            Err(InconsistentCall)
        );
        assert_eq!(Departure::Removed { by }.removed_by(), Some(by));
        assert_eq!(Departure::CallEnded.kind(), DepartureKind::CallEnded);
        assert_eq!(
            Presence::from_columns(Some(7), Some(DepartureKind::Lost), None, false, false),
            Ok(Presence::Gone {
                left_at: Timestamp(7),
                how: Departure::Lost
            })
        );
        assert_eq!(
            Presence::from_columns(Some(7), Some(DepartureKind::Lost), Some(by), false, false),
            Err(InconsistentCall)
        );
    }
}
