//! The signalling relay of browser-to-browser calls (issue 17, topology
//! `p2p`): the WebRTC offers, answers and network candidates that two
//! browsers exchange to set up their media, and a `bye` when one hangs up.
//!
//! A signal comes in through the socket (a `call_signal` frame) or
//! `POST /calls/{id}/signal`, is checked, and goes out on its target's
//! person topic as an ephemeral `call_signal` event: through the event bus,
//! so that it reaches the target's connections on every node, never stored
//! in the database nor in the event log (like typing).
//!
//! The checks, in order:
//! - its shape: a known kind; an offer or answer carries an SDP of at most
//!   [`MAX_SDP`] bytes ([`max_unit_sdp`] to the forwarding unit) that reads as a session description (`v=0` first,
//!   then `x=…` lines, no control characters); a candidate at most
//!   [`MAX_CANDIDATE`] bytes on one line;
//! - a flood limit per person and node ([`SIGNALS_PER_MINUTE`]);
//! - the policy ([`cercle_domain::policy::calls`], `Signal`): the sender
//!   and the target are both in the call now (anyone else: 404).
//!
//! What goes out is built by the server: `from` is the sender's session,
//! never what the client wrote (a `from` in the input is ignored), with a
//! fresh random `nonce` and the server's time `at`, so that a client can
//! drop a replayed or stale signal (it keeps the nonces it has seen).
//! Signals are not audited: like typing, they carry no record-keeping fact
//! (joining and leaving the call are audited).
//!
//! In a call of three or more (topology `sfu`) a browser signals the
//! node's forwarding unit instead of each other person: `to` is [`UNIT`].
//! The same shape and flood checks apply, then the policy's `SignalUnit`
//! (the sender in the call, the call through the unit). Its offer (with
//! `join`: a new connection; without: a renegotiation, such as a screen
//! shared) is given to the unit, whose answer comes back to the sender as a
//! `call_signal` from `sfu`; its answer to the unit's offer goes to the
//! unit; its candidates are taken and dropped (the unit learns the
//! browser's addresses from its ICE checks); `bye` closes its connection.
//! The unit's own offers (the others' tracks to receive) are delivered by
//! [`run_unit_signals`] the same way. A node without a unit refuses with
//! `signal-unit-disabled`. With several nodes, the signal goes to the node
//! whose unit holds the call, over the event bus (`route`).

use super::forwarding::{ForwardingError, UnitSignal};
use super::{load, refused};
use crate::threads::hub::{self, Event};
use crate::{AppError, AppResult, Ctx};
use cercle_domain::calls::CallTopology;
use cercle_domain::events::{EventKind, Topic};
use cercle_domain::policy::calls::{self as policy, CallAction};
use cercle_domain::{CallId, InputError, UserId};
use serde::{Deserialize, Serialize};

/// The most bytes of a session description (SDP) between two browsers
/// (audio, camera and a screen: about 11 KiB in Chromium).
pub const MAX_SDP: usize = 32 * 1024;

/// Bytes allowed per media line of an SDP to or from the forwarding unit.
/// Measured in Chromium 156 (calls_sfu_browser): a video line is 4.6 KiB in
/// the browser's offers, 3.3 KiB in its answers, 3.6 KiB in the unit's
/// offers; an audio line 1.3 KiB at most.
pub const UNIT_SDP_BYTES_PER_LINE: usize = 5 * 1024;

/// Media lines one participant brings to everyone's SDP through the unit:
/// the tracks the unit takes from each (microphone, camera, screen, one
/// spare; `cercle_sfu::MAX_TRACKS_IN`).
pub const UNIT_LINES_PER_PARTICIPANT: usize = 4;

/// The most bytes of an SDP to or from the forwarding unit in calls of at
/// most `max_participants` (`call_max_participants`): the unit's offers
/// and the browsers' answers and offers hold a line per track of everyone
/// (320 KiB for 16), never less than [`MAX_SDP`]. The unit is started with
/// the same bound.
pub const fn max_unit_sdp(max_participants: usize) -> usize {
    let n = max_participants * UNIT_LINES_PER_PARTICIPANT * UNIT_SDP_BYTES_PER_LINE;
    if n < MAX_SDP {
        MAX_SDP
    } else {
        n
    }
}

/// The most bytes of a signal in JSON (a request to `POST
/// /calls/{id}/signal`, an event on the bus) for calls of at most
/// `max_participants`: an SDP at its most, each byte escaped to two at
/// worst (a well-formed SDP has no control character but tabs and line
/// ends), and the rest of the signal.
pub const fn max_signal_json(max_participants: usize) -> usize {
    2 * max_unit_sdp(max_participants) + 4 * 1024
}

// The PostgreSQL bus carries a signal at its largest for a node's highest
// setting, with 1 KiB of message around it.
const _: () =
    assert!(max_signal_json(super::MAX_PARTICIPANTS_SETTING) + 1024 <= crate::bus::postgres::MAX_MESSAGE_BYTES);

/// The most bytes of one network candidate (and of its `sdp_mid`).
pub const MAX_CANDIDATE: usize = 1024;

/// Signals one person may send per minute on one node. Setting up a call
/// takes an offer, an answer and a few dozen candidates; renegotiations
/// (a screen shared, a camera switched) a few more.
pub const SIGNALS_PER_MINUTE: i64 = 240;

/// The `to` (and `from`) that names the node's forwarding unit.
pub const UNIT: &str = "sfu";

/// What a signal is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SignalKind {
    /// A session description offering media (`sdp`).
    Offer,
    /// The answer to an offer (`sdp`).
    Answer,
    /// A network candidate (`candidate`, `sdp_mid`, `sdp_m_line_index`);
    /// an empty `candidate` says there are no more.
    Candidate,
    /// The sender hangs up the connection with the target.
    Bye,
}

/// A signal as a client sends it.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct SignalInput {
    pub kind: SignalKind,
    /// The person in the call it is for (their user id), or `sfu`: the
    /// forwarding unit (calls of three or more).
    pub to: String,
    /// The session description of an offer or an answer.
    #[serde(default)]
    pub sdp: Option<String>,
    /// The candidate line of a `candidate` (`candidate:…`), empty at the end.
    #[serde(default)]
    pub candidate: Option<String>,
    #[serde(default)]
    pub sdp_mid: Option<String>,
    #[serde(default)]
    pub sdp_m_line_index: Option<u16>,
    /// An offer to the unit opening a new connection (joining, or a page
    /// reloaded); without it, an offer renegotiates the open one.
    #[serde(default)]
    pub join: bool,
}

/// A signal as its target receives it (the `data` of a `call_signal`
/// frame on their stream).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SignalOut {
    pub call_id: CallId,
    /// The sender: their user id, from their session (never from the
    /// input), or `sfu` for the forwarding unit.
    pub from: String,
    pub to: UserId,
    pub kind: SignalKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sdp: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub candidate: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sdp_mid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sdp_m_line_index: Option<u16>,
    /// Random, unique to this signal: a client drops a nonce it has seen
    /// (a replay).
    pub nonce: String,
    /// When the server relayed it (Unix ms).
    pub at: i64,
}

/// What the sender is answered: the nonce of the signal relayed.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SignalSent {
    pub nonce: String,
}

/// Whether `sdp` reads as a session description (RFC 8866): `v=0` first,
/// then lines `x=…` with `x` a lowercase letter, lines ended by CRLF or LF,
/// nothing but printable text and tabs in them.
pub fn sdp_well_formed(sdp: &str) -> bool {
    let mut lines = sdp.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
    if lines.next() != Some("v=0") {
        return false;
    }
    let mut count = 1;
    for line in lines {
        if line.is_empty() {
            // Only the end of the text (after the last line's CRLF).
            continue;
        }
        let b = line.as_bytes();
        if b.len() < 2 || !b[0].is_ascii_lowercase() || b[1] != b'=' {
            return false;
        }
        if line.chars().any(|c| c.is_control() && c != '\t') {
            return false;
        }
        count += 1;
    }
    // An empty line in the middle is not allowed either.
    !sdp.trim_end_matches(['\r', '\n']).contains("\n\n")
        && !sdp.trim_end_matches(['\r', '\n']).contains("\n\r\n")
        && count >= 2
}

/// Checks a signal's shape (before anything is read); an SDP of at most
/// `max_sdp` bytes ([`MAX_SDP`], or [`max_unit_sdp`] to the unit).
pub fn check_shape(input: &SignalInput, max_sdp: usize) -> Result<(), InputError> {
    match input.kind {
        SignalKind::Offer | SignalKind::Answer => {
            let sdp = input.sdp.as_deref().ok_or(InputError::SignalInvalid)?;
            if sdp.len() > max_sdp {
                return Err(InputError::SignalSdpTooLarge);
            }
            if !sdp_well_formed(sdp) {
                return Err(InputError::SignalSdpMalformed);
            }
            if input.candidate.is_some() {
                return Err(InputError::SignalInvalid);
            }
        }
        SignalKind::Candidate => {
            let c = input.candidate.as_deref().ok_or(InputError::SignalInvalid)?;
            let mid = input.sdp_mid.as_deref().unwrap_or("");
            if c.len() > MAX_CANDIDATE
                || mid.len() > MAX_CANDIDATE
                || c.chars().chain(mid.chars()).any(char::is_control)
                || !(c.is_empty() || c.starts_with("candidate:"))
            {
                return Err(InputError::SignalCandidateInvalid);
            }
            if input.sdp.is_some() {
                return Err(InputError::SignalInvalid);
            }
        }
        SignalKind::Bye => {
            if input.sdp.is_some() || input.candidate.is_some() {
                return Err(InputError::SignalInvalid);
            }
        }
    }
    Ok(())
}

fn unit_refused(e: ForwardingError) -> AppError {
    AppError::Input(match e {
        ForwardingError::Disabled => InputError::SignalUnitDisabled,
        ForwardingError::TooLarge => InputError::SignalSdpTooLarge,
        ForwardingError::Malformed => InputError::SignalSdpMalformed,
        ForwardingError::Full | ForwardingError::NotConnected | ForwardingError::Unavailable => {
            InputError::SignalUnitUnavailable
        }
    })
}

/// A signal of a participant for the unit that holds their call.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UnitRequest {
    pub call_id: CallId,
    pub user_id: UserId,
    pub kind: SignalKind,
    #[serde(default)]
    pub sdp: Option<String>,
    /// An offer opening a new connection.
    #[serde(default)]
    pub join: bool,
}

/// Whether `me` may signal the unit of the call: present in it, the call
/// through the unit (else `404`). Asked where the signal comes in and
/// again by the node whose unit holds the call.
pub(super) async fn check_unit(ctx: &Ctx, me: UserId, call_id: CallId) -> AppResult<()> {
    let l = {
        let mut conn = ctx.store.reader().await?;
        load(&mut conn, me, call_id).await?
    };
    let action = CallAction::SignalUnit {
        through_unit: l.call.topology == CallTopology::Sfu,
    };
    policy::decide(l.standing, l.in_call(me), action).map_err(refused(ctx))
}

/// Hands a checked signal to this node's unit (the one holding the call).
pub(super) async fn at_unit(ctx: &Ctx, req: &UnitRequest) -> AppResult<()> {
    if !ctx.forwarding.enabled() {
        return Err(AppError::Input(InputError::SignalUnitDisabled));
    }
    let (call_id, me) = (req.call_id, req.user_id);
    let sdp = req.sdp.clone().unwrap_or_default();
    match req.kind {
        SignalKind::Offer => {
            let answer = if req.join {
                ctx.forwarding.join(call_id, me, &sdp).await
            } else {
                ctx.forwarding
                    .signal(call_id, me, UnitSignal::Offer(sdp))
                    .await
                    .and_then(|a| a.ok_or(ForwardingError::NotConnected))
            }
            .map_err(unit_refused)?;
            let now = ctx.clock.now().0;
            from_unit(ctx, call_id, me, SignalKind::Answer, answer, now).await?;
        }
        SignalKind::Answer => {
            ctx.forwarding
                .signal(call_id, me, UnitSignal::Answer(sdp))
                .await
                .map_err(unit_refused)?;
        }
        // The unit learns the browser's addresses from its connectivity
        // checks (its own candidate is in its SDP): nothing to hand over.
        SignalKind::Candidate => {}
        SignalKind::Bye => ctx.forwarding.close_participant(call_id, me),
    }
    Ok(())
}

/// Tells a participant that their connection to the unit is gone (the
/// call moved to another node's unit): a `bye` from `sfu`, on which the
/// page joins again.
pub(super) async fn bye_from_unit(ctx: &Ctx, call_id: CallId, to: UserId, now: i64) -> AppResult<()> {
    let out = SignalOut {
        call_id,
        from: UNIT.to_string(),
        to,
        kind: SignalKind::Bye,
        sdp: None,
        candidate: None,
        sdp_mid: None,
        sdp_m_line_index: None,
        nonce: crate::secrets::random_token(),
        at: now,
    };
    let data = serde_json::to_value(&out).map_err(|e| AppError::Internal(e.to_string()))?;
    hub::publish_ephemeral(ctx, Event::new(None, Topic::Person(to), EventKind::CallSignal, data)).await
}

/// Delivers a session description of the unit to a participant, as a
/// `call_signal` from `sfu` on their person topic.
async fn from_unit(ctx: &Ctx, call_id: CallId, to: UserId, kind: SignalKind, sdp: String, now: i64) -> AppResult<()> {
    let out = SignalOut {
        call_id,
        from: UNIT.to_string(),
        to,
        kind,
        sdp: Some(sdp),
        candidate: None,
        sdp_mid: None,
        sdp_m_line_index: None,
        nonce: crate::secrets::random_token(),
        at: now,
    };
    let data = serde_json::to_value(&out).map_err(|e| AppError::Internal(e.to_string()))?;
    hub::publish_ephemeral(ctx, Event::new(None, Topic::Person(to), EventKind::CallSignal, data)).await
}

/// Delivers the unit's offers (tracks of the others to receive, or to stop)
/// to their participants, until `stop` or the unit stops.
pub async fn run_unit_signals(ctx: Ctx, mut stop: tokio::sync::watch::Receiver<bool>) {
    if !ctx.forwarding.enabled() {
        return;
    }
    loop {
        let offer = tokio::select! {
            o = ctx.forwarding.next_offer() => match o {
                Some(o) => o,
                None => return,
            },
            _ = stop.changed() => return,
        };
        if *stop.borrow() {
            return;
        }
        let now = ctx.clock.now().0;
        if let Err(e) = from_unit(&ctx, offer.call_id, offer.user_id, SignalKind::Offer, offer.sdp, now).await {
            tracing::warn!(error = %e, "forwarding unit: an offer not delivered");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SDP: &str = "v=0\r\no=- 46117317 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=rtpmap:111 opus/48000/2\r\n";

    fn input(kind: SignalKind) -> SignalInput {
        SignalInput {
            kind,
            to: String::new(),
            sdp: None,
            candidate: None,
            sdp_mid: None,
            sdp_m_line_index: None,
            join: false,
        }
    }

    #[test]
    fn session_descriptions_are_read_line_by_line() {
        assert!(sdp_well_formed(SDP));
        assert!(sdp_well_formed(&SDP.replace("\r\n", "\n")));
        assert!(!sdp_well_formed("hello"));
        assert!(!sdp_well_formed("v=1\r\ns=-\r\n"));
        assert!(!sdp_well_formed("v=0\r\n"), "nothing but the version");
        assert!(!sdp_well_formed("v=0\r\nnot a line\r\n"));
        assert!(!sdp_well_formed("v=0\r\nA=upper\r\n"));
        assert!(!sdp_well_formed("v=0\r\ns=a\u{1b}b\r\n"));
        assert!(!sdp_well_formed("v=0\r\n\r\ns=-\r\n"), "an empty line inside");
        assert!(!sdp_well_formed("\r\nv=0\r\ns=-\r\n"));
    }

    #[test]
    fn shapes_are_checked_by_kind_and_size() {
        let mut offer = input(SignalKind::Offer);
        assert_eq!(check_shape(&offer, MAX_SDP), Err(InputError::SignalInvalid));
        offer.sdp = Some(SDP.into());
        assert_eq!(check_shape(&offer, MAX_SDP), Ok(()));
        offer.sdp = Some(format!("{SDP}{}", "a=x\r\n".repeat(MAX_SDP / 5)));
        assert_eq!(check_shape(&offer, MAX_SDP), Err(InputError::SignalSdpTooLarge));
        offer.sdp = Some("<html>".into());
        assert_eq!(check_shape(&offer, MAX_SDP), Err(InputError::SignalSdpMalformed));
        let mut cand = input(SignalKind::Candidate);
        cand.candidate = Some("candidate:1 1 udp 2122260223 192.168.1.2 54321 typ host".into());
        assert_eq!(check_shape(&cand, MAX_SDP), Ok(()));
        cand.candidate = Some(String::new());
        assert_eq!(check_shape(&cand, MAX_SDP), Ok(()), "end of candidates");
        cand.candidate = Some(format!("candidate:{}", "1".repeat(MAX_CANDIDATE)));
        assert_eq!(check_shape(&cand, MAX_SDP), Err(InputError::SignalCandidateInvalid));
        cand.candidate = Some("candidate:1\r\na=inject".into());
        assert_eq!(check_shape(&cand, MAX_SDP), Err(InputError::SignalCandidateInvalid));
        // To the unit: a line per track of everyone, 320 KiB for 16.
        let unit = max_unit_sdp(16);
        assert_eq!(unit, 320 * 1024);
        assert_eq!(max_unit_sdp(1), MAX_SDP, "never below the browsers' bound");
        let head = SDP.len() + 2;
        let filler = |n: usize| format!("{SDP}a={}\r\n", "x".repeat(n - head - 2));
        offer.sdp = Some(filler(unit));
        assert_eq!(offer.sdp.as_deref().map(str::len), Some(unit));
        assert_eq!(check_shape(&offer, unit), Ok(()));
        assert_eq!(check_shape(&offer, MAX_SDP), Err(InputError::SignalSdpTooLarge));
        offer.sdp = Some(filler(unit + 1));
        assert_eq!(check_shape(&offer, unit), Err(InputError::SignalSdpTooLarge));
        // Escaped in JSON, a signal at its largest fits the bound.
        let worst = SignalOut {
            call_id: CallId::new(),
            from: UNIT.into(),
            to: UserId::new(),
            kind: SignalKind::Offer,
            sdp: Some(format!("{SDP}a={}\r\n", "\"".repeat(unit - head - 2))),
            candidate: None,
            sdp_mid: None,
            sdp_m_line_index: None,
            nonce: crate::secrets::random_token(),
            at: 0,
        };
        let json = serde_json::to_string(&worst).expect("json");
        assert!(
            json.len() <= max_signal_json(16),
            "{} > {}",
            json.len(),
            max_signal_json(16)
        );
        let mut bye = input(SignalKind::Bye);
        assert_eq!(check_shape(&bye, MAX_SDP), Ok(()));
        bye.sdp = Some(SDP.into());
        assert_eq!(check_shape(&bye, MAX_SDP), Err(InputError::SignalInvalid));
    }
}
