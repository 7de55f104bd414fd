//! Calls (issue 17): who may start a call in a thread, join it, leave it,
//! mute or remove someone, raise a hand, end it for everyone. Decided from
//! a few facts the services gather, at every action (a call has the reach
//! of its thread, checked again each time, never remembered from the join).
//!
//! - Starting needs to write in the thread (observers of a patient's circle
//!   only read) and the thread to be open.
//! - Seeing and joining need to read the thread: its participants, the
//!   people of its care channel, and the patient and caregivers of that
//!   channel (observers too: they listen in, as they read).
//! - Moderating (muting or removing someone else, ending for everyone) is
//!   for the call's starter or a manager of the thread (its creator, or a
//!   manager of one of its teams). Nobody unmutes someone else: a microphone
//!   is opened by its owner only.
//! - Declining is for whoever may join and is not in the call; a heartbeat
//!   (the client saying it is still there) for whoever is in it.
//! - Signalling (the WebRTC offers, answers and candidates of a call) is
//!   from someone in the call to someone else in it; to anyone else there
//!   is nobody to signal to ([`CallRefusal::NotFound`]).
//! - Whoever does not reach the thread finds no call ([`CallRefusal::NotFound`]),
//!   as for the thread itself.

/// How a person reaches a call's thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThreadReach {
    /// Reads only (an observer of the patient's circle).
    Reader,
    /// Reads and writes.
    Writer,
}

/// A person's standing towards a thread, gathered by the service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    /// `None`: the thread does not exist for them.
    pub reach: Option<ThreadReach>,
    /// The thread's creator, or a manager of one of its teams (never a
    /// member of the patient's circle).
    pub thread_manager: bool,
}

/// A person's place in one call, gathered by the service.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct InCall {
    /// They started it.
    pub starter: bool,
    /// They are in it now.
    pub present: bool,
    /// They were removed from it (they may not join it again).
    pub removed: bool,
    /// It is over.
    pub ended: bool,
}

/// What one asks to do with a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallAction {
    /// See it (the thread's active call, a call, the calls' history).
    See,
    /// Join it, `present` people being in it now and `cap` at most.
    Join {
        present: usize,
        cap: usize,
    },
    Leave,
    /// Mute (`muted`) or unmute a participant, oneself (`target_self`) or
    /// another who is in the call (`target_present`).
    Mute {
        target_self: bool,
        target_present: bool,
        muted: bool,
    },
    /// Raise or lower a hand: one's own, or lower another's (moderators).
    Hand {
        target_self: bool,
        target_present: bool,
        raised: bool,
    },
    /// Remove someone else from the call.
    Remove {
        target_self: bool,
        target_present: bool,
    },
    /// End it for everyone.
    End,
    /// Say one will not answer (someone rung who is not in the call).
    Decline,
    /// Say one is still there (a participant's client, every few seconds).
    Heartbeat,
    /// Get the call's ICE servers (and TURN credentials): for the people in
    /// the call.
    IceServers,
    /// Send a WebRTC signal (offer, answer, candidate, bye) to another
    /// person in the call (`target_present`; never oneself).
    Signal {
        target_self: bool,
        target_present: bool,
    },
}

/// Why a call action is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallRefusal {
    /// The thread (so the call) does not exist for this person.
    NotFound,
    /// Their standing does not allow it.
    Forbidden,
    /// The thread is closed: no new call.
    ThreadClosed,
    /// The call is over.
    Ended,
    /// They are not in the call (leaving, muting oneself).
    NotInCall,
    /// The person named is not in the call.
    TargetNotInCall,
    /// They were removed from this call.
    Removed,
    /// The call already holds its most participants.
    Full,
    /// They are in the call (declining it: leave instead).
    InCall,
}

fn reach(standing: Standing) -> Result<ThreadReach, CallRefusal> {
    standing.reach.ok_or(CallRefusal::NotFound)
}

/// Whether the person may start a call in the thread.
pub fn may_start(standing: Standing, thread_open: bool) -> Result<(), CallRefusal> {
    match reach(standing)? {
        ThreadReach::Reader => Err(CallRefusal::Forbidden),
        ThreadReach::Writer if !thread_open => Err(CallRefusal::ThreadClosed),
        ThreadReach::Writer => Ok(()),
    }
}

/// Whether the person may do `action` with a call of a thread they stand in
/// as `standing`.
pub fn decide(standing: Standing, call: InCall, action: CallAction) -> Result<(), CallRefusal> {
    reach(standing)?;
    if action == CallAction::See {
        return Ok(());
    }
    if call.ended {
        return Err(CallRefusal::Ended);
    }
    let moderator = call.starter || standing.thread_manager;
    match action {
        CallAction::See => Ok(()),
        CallAction::Join { present, cap } => {
            if call.present {
                // Joining again is answered with the call, as it is.
                Ok(())
            } else if call.removed {
                Err(CallRefusal::Removed)
            } else if present >= cap {
                Err(CallRefusal::Full)
            } else {
                Ok(())
            }
        }
        CallAction::Leave => call.present.then_some(()).ok_or(CallRefusal::NotInCall),
        CallAction::Mute {
            target_self,
            target_present,
            muted,
        } => {
            if target_self {
                call.present.then_some(()).ok_or(CallRefusal::NotInCall)
            } else if !moderator || !muted {
                Err(CallRefusal::Forbidden)
            } else {
                target_present.then_some(()).ok_or(CallRefusal::TargetNotInCall)
            }
        }
        CallAction::Hand {
            target_self,
            target_present,
            raised,
        } => {
            if target_self {
                call.present.then_some(()).ok_or(CallRefusal::NotInCall)
            } else if !moderator || raised {
                Err(CallRefusal::Forbidden)
            } else {
                target_present.then_some(()).ok_or(CallRefusal::TargetNotInCall)
            }
        }
        CallAction::Remove {
            target_self,
            target_present,
        } => {
            if !moderator {
                Err(CallRefusal::Forbidden)
            } else if target_self {
                // Oneself: that is leaving.
                Err(CallRefusal::Forbidden)
            } else {
                target_present.then_some(()).ok_or(CallRefusal::TargetNotInCall)
            }
        }
        CallAction::End => moderator.then_some(()).ok_or(CallRefusal::Forbidden),
        CallAction::Decline => (!call.present).then_some(()).ok_or(CallRefusal::InCall),
        CallAction::Heartbeat => call.present.then_some(()).ok_or(CallRefusal::NotInCall),
        CallAction::IceServers => call.present.then_some(()).ok_or(CallRefusal::NotFound),
        // Signalling is between the people in the call: to anyone else the
        // call has nobody to signal to (not found), and nobody is told
        // whether someone is in it.
        CallAction::Signal {
            target_self,
            target_present,
        } => {
            if !call.present || target_self || !target_present {
                Err(CallRefusal::NotFound)
            } else {
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WRITER: Standing = Standing {
        reach: Some(ThreadReach::Writer),
        thread_manager: false,
    };
    const MANAGER: Standing = Standing {
        reach: Some(ThreadReach::Writer),
        thread_manager: true,
    };
    const OBSERVER: Standing = Standing {
        reach: Some(ThreadReach::Reader),
        thread_manager: false,
    };
    const STRANGER: Standing = Standing {
        reach: None,
        thread_manager: false,
    };

    fn in_call(starter: bool, present: bool) -> InCall {
        InCall {
            starter,
            present,
            ..InCall::default()
        }
    }

    fn mute_other(muted: bool) -> CallAction {
        CallAction::Mute {
            target_self: false,
            target_present: true,
            muted,
        }
    }

    #[test]
    fn writers_start_in_open_threads_observers_never_strangers_find_nothing() {
        assert_eq!(may_start(WRITER, true), Ok(()));
        assert_eq!(may_start(WRITER, false), Err(CallRefusal::ThreadClosed));
        assert_eq!(may_start(OBSERVER, true), Err(CallRefusal::Forbidden));
        assert_eq!(may_start(STRANGER, true), Err(CallRefusal::NotFound));
    }

    #[test]
    fn readers_join_until_the_cap_removed_people_do_not_come_back() {
        let join = CallAction::Join { present: 2, cap: 3 };
        assert_eq!(decide(OBSERVER, InCall::default(), join), Ok(()));
        assert_eq!(decide(WRITER, InCall::default(), join), Ok(()));
        assert_eq!(decide(STRANGER, InCall::default(), join), Err(CallRefusal::NotFound));
        let full = CallAction::Join { present: 3, cap: 3 };
        assert_eq!(decide(WRITER, InCall::default(), full), Err(CallRefusal::Full));
        assert_eq!(
            decide(WRITER, in_call(false, true), full),
            Ok(()),
            "already in: as it is"
        );
        let removed = InCall {
            removed: true,
            ..InCall::default()
        };
        assert_eq!(decide(WRITER, removed, join), Err(CallRefusal::Removed));
        let ended = InCall {
            ended: true,
            ..InCall::default()
        };
        assert_eq!(decide(MANAGER, ended, join), Err(CallRefusal::Ended));
        assert_eq!(decide(STRANGER, ended, CallAction::See), Err(CallRefusal::NotFound));
        assert_eq!(decide(OBSERVER, ended, CallAction::See), Ok(()));
    }

    #[test]
    fn only_people_in_the_call_leave_or_mute_themselves() {
        assert_eq!(decide(WRITER, in_call(false, true), CallAction::Leave), Ok(()));
        assert_eq!(
            decide(WRITER, in_call(false, false), CallAction::Leave),
            Err(CallRefusal::NotInCall)
        );
        let me = |muted| CallAction::Mute {
            target_self: true,
            target_present: true,
            muted,
        };
        assert_eq!(decide(OBSERVER, in_call(false, true), me(false)), Ok(()));
        assert_eq!(
            decide(OBSERVER, in_call(false, false), me(true)),
            Err(CallRefusal::NotInCall)
        );
        let hand = CallAction::Hand {
            target_self: true,
            target_present: true,
            raised: true,
        };
        assert_eq!(decide(WRITER, in_call(false, true), hand), Ok(()));
    }

    #[test]
    fn the_starter_or_a_manager_moderates_others_only_mute_themselves() {
        // The starter and a thread manager (even out of the call) mute others.
        assert_eq!(decide(WRITER, in_call(true, true), mute_other(true)), Ok(()));
        assert_eq!(decide(MANAGER, in_call(false, false), mute_other(true)), Ok(()));
        // Nobody unmutes someone else.
        assert_eq!(
            decide(MANAGER, in_call(true, true), mute_other(false)),
            Err(CallRefusal::Forbidden)
        );
        // A plain participant does not mute others.
        assert_eq!(
            decide(WRITER, in_call(false, true), mute_other(true)),
            Err(CallRefusal::Forbidden)
        );
        let absent = CallAction::Mute {
            target_self: false,
            target_present: false,
            muted: true,
        };
        assert_eq!(
            decide(MANAGER, in_call(false, true), absent),
            Err(CallRefusal::TargetNotInCall)
        );
        // Hands: moderators lower others', never raise them.
        let lower = |raised| CallAction::Hand {
            target_self: false,
            target_present: true,
            raised,
        };
        assert_eq!(decide(WRITER, in_call(true, true), lower(false)), Ok(()));
        assert_eq!(
            decide(WRITER, in_call(true, true), lower(true)),
            Err(CallRefusal::Forbidden)
        );
        assert_eq!(
            decide(WRITER, in_call(false, true), lower(false)),
            Err(CallRefusal::Forbidden)
        );
    }

    #[test]
    fn removing_and_ending_are_for_the_starter_or_a_manager() {
        let remove = |target_self, target_present| CallAction::Remove {
            target_self,
            target_present,
        };
        assert_eq!(decide(WRITER, in_call(true, true), remove(false, true)), Ok(()));
        assert_eq!(decide(MANAGER, in_call(false, false), remove(false, true)), Ok(()));
        assert_eq!(
            decide(WRITER, in_call(false, true), remove(false, true)),
            Err(CallRefusal::Forbidden)
        );
        assert_eq!(
            decide(OBSERVER, in_call(false, true), remove(false, true)),
            Err(CallRefusal::Forbidden)
        );
        assert_eq!(
            decide(WRITER, in_call(true, true), remove(true, true)),
            Err(CallRefusal::Forbidden),
            "removing oneself is leaving"
        );
        assert_eq!(
            decide(WRITER, in_call(true, true), remove(false, false)),
            Err(CallRefusal::TargetNotInCall)
        );
        assert_eq!(decide(WRITER, in_call(true, false), CallAction::End), Ok(()));
        assert_eq!(decide(MANAGER, in_call(false, false), CallAction::End), Ok(()));
        assert_eq!(
            decide(WRITER, in_call(false, true), CallAction::End),
            Err(CallRefusal::Forbidden)
        );
        assert_eq!(
            decide(STRANGER, in_call(true, true), CallAction::End),
            Err(CallRefusal::NotFound)
        );
        let ended = InCall {
            starter: true,
            ended: true,
            ..InCall::default()
        };
        assert_eq!(decide(WRITER, ended, CallAction::End), Err(CallRefusal::Ended));
    }

    #[test]
    fn declining_is_for_people_rung_heartbeats_for_people_in_the_call() {
        assert_eq!(decide(OBSERVER, in_call(false, false), CallAction::Decline), Ok(()));
        assert_eq!(
            decide(WRITER, in_call(false, true), CallAction::Decline),
            Err(CallRefusal::InCall),
            "in the call: leave instead"
        );
        assert_eq!(
            decide(STRANGER, in_call(false, false), CallAction::Decline),
            Err(CallRefusal::NotFound)
        );
        let ended = InCall {
            ended: true,
            ..InCall::default()
        };
        assert_eq!(decide(WRITER, ended, CallAction::Decline), Err(CallRefusal::Ended));
        assert_eq!(decide(OBSERVER, in_call(false, true), CallAction::Heartbeat), Ok(()));
        assert_eq!(
            decide(WRITER, in_call(true, false), CallAction::Heartbeat),
            Err(CallRefusal::NotInCall)
        );
        assert_eq!(
            decide(STRANGER, in_call(false, true), CallAction::Heartbeat),
            Err(CallRefusal::NotFound),
            "reach is asked at every heartbeat too"
        );
    }

    #[test]
    fn signals_go_between_people_in_the_call_only() {
        let signal = |target_self, target_present| CallAction::Signal {
            target_self,
            target_present,
        };
        assert_eq!(decide(OBSERVER, in_call(false, true), signal(false, true)), Ok(()));
        assert_eq!(
            decide(WRITER, in_call(false, false), signal(false, true)),
            Err(CallRefusal::NotFound),
            "not in the call"
        );
        assert_eq!(
            decide(WRITER, in_call(false, true), signal(false, false)),
            Err(CallRefusal::NotFound),
            "the target is not in the call"
        );
        assert_eq!(
            decide(WRITER, in_call(false, true), signal(true, true)),
            Err(CallRefusal::NotFound),
            "not to oneself"
        );
        assert_eq!(
            decide(STRANGER, in_call(false, true), signal(false, true)),
            Err(CallRefusal::NotFound)
        );
        let ended = InCall {
            present: true,
            ended: true,
            ..InCall::default()
        };
        assert_eq!(decide(WRITER, ended, signal(false, true)), Err(CallRefusal::Ended));
        assert_eq!(decide(OBSERVER, in_call(false, true), CallAction::IceServers), Ok(()));
        assert_eq!(
            decide(WRITER, in_call(true, false), CallAction::IceServers),
            Err(CallRefusal::NotFound)
        );
    }
}
