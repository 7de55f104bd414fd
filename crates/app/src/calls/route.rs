//! Calls through the forwarding unit across nodes (issue 17): every signal
//! of a call to `sfu` goes to the ONE node whose unit holds that call, so
//! that people connected to different nodes are in the same call.
//!
//! - Each node has an id, random, for the life of its process
//!   ([`Router::node`]).
//! - The first node with a unit that receives a signal to `sfu` for a call
//!   claims the call (`calls.unit_node`, migration 0023, under the call's
//!   row hold: two nodes never both claim) with a lease of [`LEASE_MS`],
//!   which it renews every [`RENEW_EVERY`] for the calls it holds
//!   ([`run`]).
//! - Another node that receives a signal to `sfu` for that call (after its
//!   own checks: shape, flood, policy) sends it over the event bus to the
//!   holder (a `unit_request` on the call's topic) and waits at most
//!   [`ASK_TIMEOUT`] for its `unit_reply`: done, or the holder's refusal,
//!   which the sender gets as if it were local. No reply in time: `422
//!   signal-unit-unavailable` (the page tries again).
//! - The holder checks the request again before its unit sees it: the
//!   claim is still its own, the shape, and the policy (the person in the
//!   call now, the call through the unit) — a forged or stale request on
//!   the bus from someone not in the call is refused there (`not-found`).
//! - The unit's answers and offers go to the participant on their person
//!   topic, through the bus, so they reach their page on whichever node
//!   ([`super::signal`]).
//! - A change that takes someone out of a call (or ends it) closes their
//!   connection in this node's unit and tells the other nodes
//!   (`unit_close`), so the holder closes it too.
//! - The holder stops: it lets go of its calls and tells everyone in them
//!   to join again (a `bye` from `sfu`), so the next join claims the call
//!   on another node at once.
//! - The holder dies: its lease is not renewed. Once it ran out,
//!   the next signal to `sfu` of the call (a page whose connection failed
//!   joins again) lets its node take the call over; the others present are
//!   sent a `bye` from `sfu`, on which their page joins again, now on the
//!   new holder's unit. Until then, signals routed to the dead holder are
//!   refused as unavailable after [`ASK_TIMEOUT`].

use super::signal::{SignalKind, UnitRequest};
use crate::bus::{Delivery, Filter, Signal, Topic};
use crate::{AppError, AppResult, Ctx};
use cercle_domain::{CallId, InputError, UserId};
use cercle_store::calls as store;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;
use tokio::sync::oneshot;

/// How long a claim on a call holds without being renewed (ms of the
/// context's clock).
pub const LEASE_MS: i64 = 15_000;

/// How often a node renews the leases of the calls it holds.
pub const RENEW_EVERY: Duration = Duration::from_secs(5);

/// How long a node waits for the holder's reply to a routed signal.
pub const ASK_TIMEOUT: Duration = Duration::from_secs(5);

/// The most routed signals a node waits for at once (past it:
/// unavailable, never an unbounded table).
const MAX_PENDING: usize = 4096;

const REQUEST: &str = "unit_request";
const REPLY: &str = "unit_reply";
const CLOSE: &str = "unit_close";

/// This node's id and the routed signals it waits for.
pub struct Router {
    node: String,
    pending: Mutex<HashMap<String, oneshot::Sender<Outcome>>>,
}

impl Default for Router {
    fn default() -> Self {
        Router::new()
    }
}

impl Router {
    /// A fresh node id (random, for the life of the process).
    pub fn new() -> Router {
        Router {
            node: crate::secrets::random_token(),
            pending: Mutex::new(HashMap::new()),
        }
    }

    /// This node's id.
    pub fn node(&self) -> &str {
        &self.node
    }

    fn wait_for(&self, id: &str) -> Option<oneshot::Receiver<Outcome>> {
        let mut pending = self.pending.lock().ok()?;
        if pending.len() >= MAX_PENDING {
            return None;
        }
        let (tx, rx) = oneshot::channel();
        pending.insert(id.to_string(), tx);
        Some(rx)
    }

    fn forget(&self, id: &str) -> Option<oneshot::Sender<Outcome>> {
        self.pending.lock().ok()?.remove(id)
    }
}

/// What the holder did with a routed signal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    Done,
    /// The person is not in the call, or the call is not through the unit.
    NotFound,
    Disabled,
    TooLarge,
    Malformed,
    Unavailable,
}

impl Outcome {
    fn of(r: &AppResult<()>) -> Outcome {
        match r {
            Ok(()) => Outcome::Done,
            Err(AppError::NotFound) => Outcome::NotFound,
            Err(AppError::Input(InputError::SignalUnitDisabled)) => Outcome::Disabled,
            Err(AppError::Input(InputError::SignalSdpTooLarge)) => Outcome::TooLarge,
            Err(AppError::Input(InputError::SignalSdpMalformed | InputError::SignalInvalid)) => Outcome::Malformed,
            Err(_) => Outcome::Unavailable,
        }
    }

    fn result(self) -> AppResult<()> {
        let input = match self {
            Outcome::Done => return Ok(()),
            Outcome::NotFound => return Err(AppError::NotFound),
            Outcome::Disabled => InputError::SignalUnitDisabled,
            Outcome::TooLarge => InputError::SignalSdpTooLarge,
            Outcome::Malformed => InputError::SignalSdpMalformed,
            Outcome::Unavailable => InputError::SignalUnitUnavailable,
        };
        Err(AppError::Input(input))
    }
}

#[derive(Serialize, Deserialize)]
struct RequestWire {
    to_node: String,
    from_node: String,
    id: String,
    request: UnitRequest,
}

#[derive(Serialize, Deserialize)]
struct ReplyWire {
    to_node: String,
    id: String,
    outcome: Outcome,
}

#[derive(Serialize, Deserialize)]
struct CloseWire {
    from_node: String,
    /// One participant's connection; none: the whole call's.
    user_id: Option<UserId>,
}

/// Where a call's unit is.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Holder {
    /// This node's unit; `took_over`: from a node whose lease ran out.
    Here {
        took_over: bool,
    },
    Node(String),
    Nobody,
}

/// Hands a checked signal (shape, flood and policy checked on this node)
/// to the unit that holds its call, here or on another node.
pub async fn deliver(ctx: &Ctx, req: UnitRequest) -> AppResult<()> {
    // The unit learns addresses from its connectivity checks: a candidate
    // has nothing to hand over, wherever the unit is (refused only where
    // no unit at all could take the call's signals).
    if req.kind == SignalKind::Candidate {
        if ctx.forwarding.enabled() {
            return Ok(());
        }
        return match holder(ctx, req.call_id).await? {
            Holder::Nobody => Err(AppError::Input(InputError::SignalUnitDisabled)),
            _ => Ok(()),
        };
    }
    match holder(ctx, req.call_id).await? {
        Holder::Here { took_over } => {
            if took_over {
                metrics::counter!("cercle_call_unit_takeovers_total").increment(1);
                rejoin_others(ctx, req.call_id, Some(req.user_id)).await;
            }
            super::signal::at_unit(ctx, &req).await
        }
        Holder::Node(node) => match ask(ctx, &node, &req).await {
            Some(outcome) => outcome.result(),
            None => Err(AppError::Input(InputError::SignalUnitUnavailable)),
        },
        Holder::Nobody => Err(AppError::Input(InputError::SignalUnitDisabled)),
    }
}

/// Finds (or, with a unit here, claims) the node holding the call's unit.
async fn holder(ctx: &Ctx, call_id: CallId) -> AppResult<Holder> {
    let now = ctx.clock.now().0;
    let mine = ctx.unit_route.node();
    if !ctx.forwarding.enabled() {
        // No unit to claim with: only a live holder elsewhere helps.
        let mut conn = ctx.store.reader().await?;
        return Ok(match store::unit_holder(&mut conn, call_id).await? {
            Some(h) if h.node != mine && h.lease_until >= now => Holder::Node(h.node),
            _ => Holder::Nobody,
        });
    }
    // Under the call's hold: two nodes claiming at once queue, and the
    // second sees the first's claim.
    let mut tx = ctx.store.begin().await?;
    store::hold_call(&mut tx, call_id).await?;
    let current = store::unit_holder(&mut tx, call_id).await?;
    let took_over = match current {
        Some(h) if h.node != mine && h.lease_until >= now => return Ok(Holder::Node(h.node)),
        Some(h) => h.node != mine,
        None => false,
    };
    store::set_unit_holder(&mut tx, call_id, mine, now + LEASE_MS).await?;
    tx.commit().await?;
    Ok(Holder::Here { took_over })
}

/// Everyone present but `asking` joins again: after a takeover (their
/// connection was to the unit of a node that went), or when this node
/// stops.
async fn rejoin_others(ctx: &Ctx, call_id: CallId, asking: Option<UserId>) {
    let stints = match ctx.store.reader().await {
        Ok(mut conn) => store::stints(&mut conn, call_id).await,
        Err(e) => Err(e),
    };
    let Ok(stints) = stints else {
        tracing::warn!("forwarding unit: the call taken over, its participants not read");
        return;
    };
    let now = ctx.clock.now().0;
    for s in stints
        .iter()
        .filter(|s| s.presence.is_in() && Some(s.user_id) != asking)
    {
        if let Err(e) = super::signal::bye_from_unit(ctx, call_id, s.user_id, now).await {
            tracing::warn!(error = %e, "forwarding unit: a participant not told to join again");
        }
    }
}

async fn publish<T: Serialize>(ctx: &Ctx, call_id: CallId, kind: &str, wire: &T) -> AppResult<()> {
    let data = serde_json::to_value(wire).map_err(|e| AppError::Internal(e.to_string()))?;
    ctx.bus
        .signal(Signal {
            topic: Topic::Call(call_id),
            kind: kind.to_string(),
            data,
        })
        .await
}

/// Sends a signal over the bus to the unit of `node` and waits (at most
/// [`ASK_TIMEOUT`]) for what it did; `None` without a reply.
pub async fn ask(ctx: &Ctx, node: &str, req: &UnitRequest) -> Option<Outcome> {
    let id = crate::secrets::random_token();
    let rx = ctx.unit_route.wait_for(&id)?;
    let wire = RequestWire {
        to_node: node.to_string(),
        from_node: ctx.unit_route.node().to_string(),
        id: id.clone(),
        request: req.clone(),
    };
    let got = match publish(ctx, req.call_id, REQUEST, &wire).await {
        Ok(()) => tokio::time::timeout(ASK_TIMEOUT, rx).await.ok().and_then(Result::ok),
        Err(e) => {
            tracing::warn!(error = %e, "forwarding unit: a signal not routed");
            None
        }
    };
    ctx.unit_route.forget(&id);
    got
}

/// Tells the other nodes that a participant's connection (or, `None`,
/// every connection of the call) must close in their unit. A failure is
/// logged: the browser closes its connection on the call's event, and the
/// unit's consent checks drop one that goes silent.
pub async fn tell_close(ctx: &Ctx, call_id: CallId, user_id: Option<UserId>) {
    let wire = CloseWire {
        from_node: ctx.unit_route.node().to_string(),
        user_id,
    };
    if let Err(e) = publish(ctx, call_id, CLOSE, &wire).await {
        tracing::warn!(error = %e, "forwarding unit: the other nodes not told to close a connection");
    }
}

/// What the holder does with a routed signal: its claim, the shape and
/// the policy checked again here, then its unit.
async fn serve(ctx: &Ctx, req: &UnitRequest) -> AppResult<()> {
    {
        let mut conn = ctx.store.reader().await?;
        let mine = store::unit_holder(&mut conn, req.call_id)
            .await?
            .is_some_and(|h| h.node == ctx.unit_route.node());
        if !mine {
            // Taken over meanwhile, or never ours: the sender asks again.
            return Err(AppError::Input(InputError::SignalUnitUnavailable));
        }
    }
    super::signal::check_shape(
        &super::signal::SignalInput {
            kind: req.kind,
            to: super::signal::UNIT.to_string(),
            sdp: req.sdp.clone(),
            candidate: None,
            sdp_mid: None,
            sdp_m_line_index: None,
            join: req.join,
        },
        super::signal::max_unit_sdp(ctx.config.call_max_participants),
    )?;
    super::signal::check_unit(ctx, req.user_id, req.call_id).await?;
    super::signal::at_unit(ctx, req).await
}

/// Routes the unit's traffic of this node: serves the signals routed to
/// it, hands replies to those who wait, closes what other nodes closed,
/// and renews the leases of the calls it holds; until `stop`.
pub async fn run(ctx: Ctx, mut stop: tokio::sync::watch::Receiver<bool>) {
    let mut bus = ctx.bus.subscribe(Filter::All);
    let mut renew = tokio::time::interval(RENEW_EVERY);
    renew.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            d = bus.recv() => match d {
                Some(Delivery::Signal(s)) => on_signal(&ctx, &s),
                Some(_) => {}
                None => return,
            },
            _ = renew.tick() => renew_leases(&ctx).await,
            _ = stop.changed() => {
                if *stop.borrow() {
                    hand_over(&ctx).await;
                    return;
                }
            }
        }
    }
}

/// A node stopping lets go of the calls it holds and tells everyone in
/// them to join again (a `bye` from `sfu`): their next join goes to
/// another node's unit at once, without waiting for the lease to run out.
async fn hand_over(ctx: &Ctx) {
    if !ctx.forwarding.enabled() {
        return;
    }
    let released = async {
        let mut tx = ctx.store.begin().await?;
        let calls = store::release_unit_calls(&mut tx, ctx.unit_route.node()).await?;
        tx.commit().await?;
        AppResult::Ok(calls)
    }
    .await;
    match released {
        Ok(calls) => {
            for call_id in calls {
                rejoin_others(ctx, call_id, None).await;
            }
        }
        Err(e) => tracing::warn!(error = %e, "forwarding unit: its calls not handed over; their leases will run out"),
    }
}

fn on_signal(ctx: &Ctx, s: &Signal) {
    let Topic::Call(call_id) = s.topic else {
        return;
    };
    let mine = ctx.unit_route.node();
    match s.kind.as_str() {
        REQUEST => {
            let Ok(wire) = serde_json::from_value::<RequestWire>(s.data.clone()) else {
                return;
            };
            if wire.to_node != mine || wire.request.call_id != call_id {
                return;
            }
            // Served beside the loop: the unit's answer may take a while.
            let ctx = ctx.clone();
            tokio::spawn(async move {
                let outcome = Outcome::of(&serve(&ctx, &wire.request).await);
                if outcome != Outcome::Done {
                    tracing::info!(?outcome, "forwarding unit: a routed signal refused");
                }
                let reply = ReplyWire {
                    to_node: wire.from_node,
                    id: wire.id,
                    outcome,
                };
                if let Err(e) = publish(&ctx, call_id, REPLY, &reply).await {
                    tracing::warn!(error = %e, "forwarding unit: a routed signal's reply not sent");
                }
            });
        }
        REPLY => {
            let Ok(wire) = serde_json::from_value::<ReplyWire>(s.data.clone()) else {
                return;
            };
            if wire.to_node == mine {
                if let Some(tx) = ctx.unit_route.forget(&wire.id) {
                    let _ = tx.send(wire.outcome);
                }
            }
        }
        CLOSE => {
            let Ok(wire) = serde_json::from_value::<CloseWire>(s.data.clone()) else {
                return;
            };
            // This node closed its own already.
            if wire.from_node == mine || !ctx.forwarding.enabled() {
                return;
            }
            match wire.user_id {
                Some(user_id) => ctx.forwarding.close_participant(call_id, user_id),
                None => ctx.forwarding.close_call(call_id),
            }
        }
        _ => {}
    }
}

async fn renew_leases(ctx: &Ctx) {
    if !ctx.forwarding.enabled() {
        return;
    }
    let until = ctx.clock.now().0 + LEASE_MS;
    let renewed = async {
        let mut tx = ctx.store.begin().await?;
        let n = store::renew_unit_leases(&mut tx, ctx.unit_route.node(), until).await?;
        tx.commit().await?;
        AppResult::Ok(n)
    }
    .await;
    if let Err(e) = renewed {
        tracing::warn!(error = %e, "forwarding unit: leases of its calls not renewed");
    }
}

/// After a committed change that took someone out of a call (left,
/// removed, lost); `ended`: the change ended it too (the last one out).
/// Closed in this node's unit, and the other nodes are told (the call's
/// unit may be on one of them, [`tell_close`]).
pub async fn participant_out(ctx: &Ctx, call_id: CallId, user_id: UserId, ended: bool) {
    ctx.forwarding.close_participant(call_id, user_id);
    if ended {
        ctx.forwarding.close_call(call_id);
    }
    let whom = if ended { None } else { Some(user_id) };
    tell_close(ctx, call_id, whom).await;
}

/// After a committed change that ended a call (for all, unanswered).
pub async fn call_ended(ctx: &Ctx, call_id: CallId) {
    ctx.forwarding.close_call(call_id);
    tell_close(ctx, call_id, None).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_travel_both_ways() {
        for o in [
            Outcome::Done,
            Outcome::NotFound,
            Outcome::Disabled,
            Outcome::TooLarge,
            Outcome::Malformed,
            Outcome::Unavailable,
        ] {
            assert_eq!(Outcome::of(&o.result()), o);
        }
        assert_eq!(Outcome::of(&Err(AppError::Internal("db".into()))), Outcome::Unavailable);
    }
}
