//! The selective forwarding unit as the calls see it: calls of three or
//! more send their media through the unit of a node (`sfu_enabled`), which
//! forwards every participant's audio and video to the others (the unit
//! itself is the `cercle-sfu` crate, wired in by the `cercle` binary; this
//! crate does not know its WebRTC stack).
//!
//! The calls' rows stay the truth: whenever someone is out of a call (left,
//! removed, lost: no heartbeat) or the call ends (for all, empty,
//! unanswered), the change, once committed, closes their connections in
//! this node's unit and, told over the bus, in the unit of the node that
//! holds the call (`route::participant_out`, `route::call_ended`), so that
//! nobody is forwarded after leaving.

use cercle_domain::{CallId, UserId};

/// Why the unit refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ForwardingError {
    /// No unit in this node (`sfu_enabled = false`).
    #[error("no forwarding unit on this node")]
    Disabled,
    #[error("the SDP is too large")]
    TooLarge,
    #[error("the SDP is malformed or refused")]
    Malformed,
    /// The unit's caps (`sfu_max_calls`, participants per call).
    #[error("the forwarding unit is full")]
    Full,
    #[error("not connected to the forwarding unit")]
    NotConnected,
    #[error("the forwarding unit is unavailable")]
    Unavailable,
}

/// What a participant sends the unit after joining.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnitSignal {
    /// Their answer to the unit's last offer.
    Answer(String),
    /// An offer of theirs (a track added, such as a shared screen).
    Offer(String),
}

/// An offer of the unit to a participant (their tracks of the others
/// changed), for the signalling to deliver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitOffer {
    pub call_id: CallId,
    pub user_id: UserId,
    pub sdp: String,
}

/// A node's forwarding unit.
#[async_trait::async_trait]
pub trait Forwarding: Send + Sync {
    /// Whether this node has one.
    fn enabled(&self) -> bool;

    /// A participant connects with their SDP offer; the unit's answer.
    /// Joining again replaces their connection.
    async fn join(&self, call_id: CallId, user_id: UserId, offer_sdp: &str) -> Result<String, ForwardingError>;

    /// Their answer to the unit's offer (`None` back) or a new offer of
    /// theirs (the unit's answer back).
    async fn signal(
        &self,
        call_id: CallId,
        user_id: UserId,
        signal: UnitSignal,
    ) -> Result<Option<String>, ForwardingError>;

    /// The unit's next offer to a participant (`None` once it stopped).
    async fn next_offer(&self) -> Option<UnitOffer>;

    /// Closes a participant's connection.
    fn close_participant(&self, call_id: CallId, user_id: UserId);

    /// Closes every connection of a call.
    fn close_call(&self, call_id: CallId);

    /// What the unit carries now (after the closes asked before).
    async fn load(&self) -> ForwardingLoad;
}

/// What a unit carries.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ForwardingLoad {
    pub calls: usize,
    pub participants: usize,
}

/// A node without a unit (the default).
pub struct NoForwarding;

#[async_trait::async_trait]
impl Forwarding for NoForwarding {
    fn enabled(&self) -> bool {
        false
    }

    async fn join(&self, _: CallId, _: UserId, _: &str) -> Result<String, ForwardingError> {
        Err(ForwardingError::Disabled)
    }

    async fn signal(&self, _: CallId, _: UserId, _: UnitSignal) -> Result<Option<String>, ForwardingError> {
        Err(ForwardingError::Disabled)
    }

    async fn next_offer(&self) -> Option<UnitOffer> {
        None
    }

    fn close_participant(&self, _: CallId, _: UserId) {}

    fn close_call(&self, _: CallId) {}

    async fn load(&self) -> ForwardingLoad {
        ForwardingLoad::default()
    }
}
