//! Where a person's signal goes: to another person in the call (through
//! their pages, on any node), or to the forwarding unit that holds the call
//! (`route`). Apart from `signal` (what a signal is and the unit's side) so
//! that `route`, which uses the unit's side, and this, which uses `route`,
//! form no cycle.

use super::signal::{
    check_shape, check_unit, max_unit_sdp, SignalInput, SignalOut, SignalSent, UnitRequest, MAX_SDP,
    SIGNALS_PER_MINUTE, UNIT,
};
use super::{load, refused};
use crate::threads::access::me;
use crate::threads::hub::{self, Event};
use crate::{AppError, AppResult, Ctx};
use cercle_domain::events::{EventKind, Topic};
use cercle_domain::policy::calls::{self as policy, CallAction};
use cercle_domain::policy::Principal;
use cercle_domain::{CallId, UserId};

/// Relays a signal from the session's person to another person in the
/// call; answers its nonce.
pub async fn relay(ctx: &Ctx, principal: &Principal, call_id: CallId, input: SignalInput) -> AppResult<SignalSent> {
    let me = me(principal)?;
    let max_sdp = if input.to == UNIT {
        max_unit_sdp(ctx.config.call_max_participants)
    } else {
        MAX_SDP
    };
    check_shape(&input, max_sdp)?;
    let now = ctx.clock.now();
    if !ctx.hub.signal_flood(me.user_id, now, SIGNALS_PER_MINUTE) {
        return Err(AppError::RateLimited);
    }
    if input.to == UNIT {
        return to_unit(ctx, me.user_id, call_id, input).await;
    }
    // A text that is no person's id names nobody in the call.
    let to: UserId = input.to.parse().map_err(|_| AppError::NotFound)?;
    let l = {
        let mut conn = ctx.store.reader().await?;
        load(&mut conn, me.user_id, call_id).await?
    };
    let action = CallAction::Signal {
        target_self: to == me.user_id,
        target_present: l.present(to),
    };
    policy::decide(l.standing, l.in_call(me.user_id), action).map_err(refused(ctx))?;
    let nonce = crate::secrets::random_token();
    let out = SignalOut {
        call_id,
        from: me.user_id.to_string(),
        to,
        kind: input.kind,
        sdp: input.sdp,
        candidate: input.candidate,
        sdp_mid: input.sdp_mid,
        sdp_m_line_index: input.sdp_m_line_index,
        nonce: nonce.clone(),
        at: now.0,
    };
    let data = serde_json::to_value(&out).map_err(|e| AppError::Internal(e.to_string()))?;
    hub::publish_ephemeral(ctx, Event::new(None, Topic::Person(to), EventKind::CallSignal, data)).await?;
    metrics::counter!("cercle_call_signals_total").increment(1);
    Ok(SignalSent { nonce })
}

/// A signal of the session's person to the forwarding unit: checked
/// here, then handed to the unit that holds the call, on this node or
/// another ([`super::route`]).
async fn to_unit(ctx: &Ctx, me: UserId, call_id: CallId, input: SignalInput) -> AppResult<SignalSent> {
    check_unit(ctx, me, call_id).await?;
    let req = UnitRequest {
        call_id,
        user_id: me,
        kind: input.kind,
        sdp: input.sdp,
        join: input.join,
    };
    super::route::deliver(ctx, req).await?;
    metrics::counter!("cercle_call_signals_total").increment(1);
    Ok(SignalSent {
        nonce: crate::secrets::random_token(),
    })
}
