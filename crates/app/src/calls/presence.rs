//! Timeouts of calls: a call that rings unanswered ends, and a participant
//! who vanished without leaving is marked gone.
//!
//! Presence is a stored time, not a socket: a participant's client says it
//! is there (`POST /calls/{id}/heartbeat`, every few seconds) and that
//! refreshes `call_participants.last_seen_at`. A socket closing, a phone
//! losing its network, a tab killed, a node stopping: all end the same way,
//! on whichever node, because no node holds presence in memory. Joining
//! counts as being seen.
//!
//! The sweep ([`sweep`], every second on every node, on the context's
//! clock so tests move time instead of sleeping) ends each call still
//! ringing after `call_ring_timeout_secs` (`unanswered`), and marks gone
//! (`lost`: "left the call: connection lost") each participant unseen for
//! `call_presence_timeout_secs`; the last one out ends the call (`empty`).
//! Each change holds the call's row and looks again before writing, so
//! two nodes sweeping at once, or a heartbeat or a join arriving meanwhile,
//! never make it twice nor wrongly: the second finds nothing left to do.
//! Once committed, a participant marked gone (and a call ended) has their
//! connections closed in the forwarding unit ([`super::forwarding`]).

use super::{fresh_view, load, refused, ringing::system_event, CallEvent};
use crate::threads::access::me;
use crate::threads::events::{commit, log_event};
use crate::{audit, AppError, AppResult, Ctx};
use cercle_domain::calls::{CallEnd, CallState, Departure};
use cercle_domain::events::EventKind;
use cercle_domain::policy::calls::{self as policy, CallAction};
use cercle_domain::policy::Principal;
use cercle_domain::{CallId, Language, Timestamp, UserId};
use cercle_store::calls as store;
use cercle_store::threads as threads_store;
use std::time::Duration;

/// Calls and participants one sweep takes at most (the rest next second).
const SWEEP_BATCH: i64 = 100;

/// A participant's client says it is still there. Refused like any action
/// on the call (`404` without the thread's reach, `409 not-in-call` once
/// marked gone: the client then knows it was dropped). Not audited: a
/// keep-alive, not a gesture.
pub async fn heartbeat(ctx: &Ctx, principal: &Principal, call_id: CallId) -> AppResult<()> {
    let me = me(principal)?;
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    let l = load(&mut tx, me.user_id, call_id).await?;
    policy::decide(l.standing, l.in_call(me.user_id), CallAction::Heartbeat).map_err(refused(ctx))?;
    if !store::touch_stint(&mut tx, call_id, me.user_id, now).await? {
        return Err(AppError::Conflict("not-in-call"));
    }
    tx.commit().await?;
    Ok(())
}

/// What one sweep did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SweepReport {
    /// Calls ended unanswered.
    pub unanswered: usize,
    /// Participants marked gone (connection lost).
    pub lost: usize,
    /// Calls ended because the last one in them was lost.
    pub emptied: usize,
}

/// Applies both timeouts at the clock's time.
pub async fn sweep(ctx: &Ctx) -> AppResult<SweepReport> {
    let now = ctx.clock.now();
    let ring_cutoff = now.minus_secs(ctx.config.call_ring_timeout_secs);
    let seen_cutoff = now.minus_secs(ctx.config.call_presence_timeout_secs);
    let (ringing, unseen) = {
        let mut conn = ctx.store.reader().await?;
        (
            store::ringing_before(&mut conn, ring_cutoff, SWEEP_BATCH).await?,
            store::unseen_before(&mut conn, seen_cutoff, SWEEP_BATCH).await?,
        )
    };
    let mut report = SweepReport::default();
    for call_id in ringing {
        if end_unanswered(ctx, call_id, ring_cutoff, now).await? {
            report.unanswered += 1;
        }
    }
    for (call_id, user_id) in unseen {
        match mark_lost(ctx, call_id, user_id, seen_cutoff, now).await? {
            Lost::Nothing => {}
            Lost::Marked => report.lost += 1,
            Lost::Emptied => {
                report.lost += 1;
                report.emptied += 1;
            }
        }
    }
    Ok(report)
}

/// Ends a call still ringing since `cutoff` or before; false when it was
/// answered or ended meanwhile.
async fn end_unanswered(ctx: &Ctx, call_id: CallId, cutoff: Timestamp, now: Timestamp) -> AppResult<bool> {
    let mut tx = ctx.store.begin().await?;
    store::hold_call(&mut tx, call_id).await?;
    let Some(call) = store::call(&mut tx, call_id).await? else {
        return Ok(false);
    };
    if call.state != CallState::Ringing || call.started_at > cutoff {
        return Ok(false);
    }
    let Some(t) = threads_store::thread(&mut tx, call.thread_id).await? else {
        return Ok(false);
    };
    let state = call
        .state
        .end(CallEnd::Unanswered, now)
        .ok_or(AppError::Conflict("call-ended"))?;
    store::end_all_stints(&mut tx, call_id, now).await?;
    store::set_state(&mut tx, call_id, state).await?;
    let view = fresh_view(ctx, &mut tx, call_id, Language::default()).await?;
    let data = CallEvent {
        call: &view,
        by: None,
        user_id: None,
        reason: Some("unanswered"),
    };
    log_event(ctx, &mut tx, t.id, EventKind::CallEnded, &data, now).await?;
    audit::record(&mut tx, system_event(&t, call_id, "call.ended"), now).await?;
    commit(ctx, tx).await?;
    super::route::call_ended(ctx, call_id).await;
    Ok(true)
}

enum Lost {
    Nothing,
    Marked,
    /// Marked, and the call ended: nobody was left.
    Emptied,
}

/// Marks a participant unseen since `cutoff` gone ("connection lost"); the
/// last one out ends the call.
async fn mark_lost(ctx: &Ctx, call_id: CallId, user_id: UserId, cutoff: Timestamp, now: Timestamp) -> AppResult<Lost> {
    let mut tx = ctx.store.begin().await?;
    store::hold_call(&mut tx, call_id).await?;
    // Looked at again under the hold: a heartbeat, a leave or the end may
    // have come since the sweep's read.
    if !store::unseen_since(&mut tx, call_id, user_id, cutoff).await? {
        return Ok(Lost::Nothing);
    }
    let Some(call) = store::call(&mut tx, call_id).await? else {
        return Ok(Lost::Nothing);
    };
    if call.state.is_ended() {
        return Ok(Lost::Nothing);
    }
    let Some(t) = threads_store::thread(&mut tx, call.thread_id).await? else {
        return Ok(Lost::Nothing);
    };
    if !store::end_stint(&mut tx, call_id, user_id, Departure::Lost, now).await? {
        return Ok(Lost::Nothing);
    }
    let view = fresh_view(ctx, &mut tx, call_id, Language::default()).await?;
    let data = CallEvent {
        call: &view,
        by: None,
        user_id: Some(user_id),
        reason: Some("connection_lost"),
    };
    log_event(ctx, &mut tx, t.id, EventKind::CallLeft, &data, now).await?;
    audit::record(
        &mut tx,
        system_event(&t, call_id, "call.participant_lost").scope("participant", user_id),
        now,
    )
    .await?;
    let emptied = view.participants.is_empty();
    if emptied {
        let state = call
            .state
            .end(CallEnd::Empty, now)
            .ok_or(AppError::Conflict("call-ended"))?;
        store::set_state(&mut tx, call_id, state).await?;
        let view = fresh_view(ctx, &mut tx, call_id, Language::default()).await?;
        let data = CallEvent {
            call: &view,
            by: None,
            user_id: None,
            reason: Some("connection_lost"),
        };
        log_event(ctx, &mut tx, t.id, EventKind::CallEnded, &data, now).await?;
        audit::record(&mut tx, system_event(&t, call_id, "call.ended"), now).await?;
    }
    commit(ctx, tx).await?;
    super::route::participant_out(ctx, call_id, user_id, emptied).await;
    Ok(if emptied { Lost::Emptied } else { Lost::Marked })
}

/// Sweeps every second until `shutdown` turns true (every node runs one;
/// see [`sweep`] for why two at once are harmless).
pub async fn run_worker(ctx: Ctx, mut shutdown: tokio::sync::watch::Receiver<bool>) {
    loop {
        if *shutdown.borrow() {
            return;
        }
        if let Err(e) = sweep(&ctx).await {
            tracing::warn!(error = %e, "call sweep failed");
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(1)) => {}
            _ = shutdown.changed() => {}
        }
    }
}
