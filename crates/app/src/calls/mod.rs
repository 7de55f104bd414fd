//! Calls (SPEC 8, issue 17), first step: calls as resources of the API.
//! A call belongs to a thread and has its reach: whoever may write in the
//! thread starts one, whoever may read it joins (asked again at every
//! action, never remembered), the starter or a manager of the thread
//! moderates ([`cercle_domain::policy::calls`]). One call goes on per thread
//! at a time; a second start is refused (`409 call-active`: the client
//! joins the one going on instead, so that nobody is dropped into a call
//! with other media than they asked for without knowing it).
//!
//! Each change is written in one transaction with its event on the
//! thread's topic (so every node's connections and the thread's catch-up
//! see it: `call_started`, `call_joined`, `call_left`, `call_removed`,
//! `call_muted`, `call_hand`, `call_ended`, each carrying the call as it
//! is now) and its audit record (metadata only, with the patient of a
//! clinical thread). No audio or video passes here: the media go between
//! browsers, or through a node's forwarding unit, on top of these rows.
//!
//! A new call rings the people who may join it ([`ringing`]: their own
//! stream and their installed apps, with the availability rules of
//! notifications); they may decline it. A call nobody answers ends after
//! the ringing time, and a participant whose client stops sending
//! heartbeats is marked gone ([`presence`], a worker on every node).
//!
//! A call's topology is decided at its start: `p2p` in a direct thread
//! (two friends: two participants at most, media end to end between the
//! browsers, which exchange their WebRTC offers, answers and candidates
//! through Cercle's relay, [`signal`], with ICE servers and short-lived
//! TURN credentials from [`ice`]), `sfu` elsewhere (three or more: media
//! through the forwarding unit).
//!
//! Media of calls of three or more go through a node's selective
//! forwarding unit ([`forwarding`]); once a change that takes someone out
//! of a call, or ends it, is committed, their connections there close.
//! Browsers reach it through the same relay, naming `sfu` as the target.

pub mod forwarding;
pub mod ice;
pub mod presence;
pub mod relay;
pub mod ringing;
pub mod route;
pub mod signal;
pub mod views;

use crate::threads::access::{me, reachable_as};
use crate::threads::events::{commit, log_event};
use crate::{audit, AppError, AppResult, Client, Ctx};
use cercle_domain::audit::{Actor, AuditAction, NewAuditEvent};
use cercle_domain::calls::{CallEnd, CallMedia, CallTopology, Departure, Presence};
use cercle_domain::events::EventKind;
use cercle_domain::policy::calls::{self as policy, CallAction, CallRefusal, InCall, Standing, ThreadReach};
use cercle_domain::policy::{Principal, UserPrincipal};
use cercle_domain::{CallId, Language, ThreadId, Timestamp, UserId};
use cercle_store::calls::{self as store, CallRow, StintRow};
use cercle_store::threads::{self as threads_store, Participant, Reach, ThreadRow};
use cercle_store::{Conn, StoreError, Tx};
pub use presence::{heartbeat, run_worker, sweep, SweepReport};
pub use ringing::decline;
use serde::Serialize;
use views::{call_view, history, Names};
pub use views::{CallHistoryEntry, CallHistoryKind, CallParticipantView, CallPerson, CallRecord, CallView};

/// Default most people in one call at once (`call_max_participants`).
pub const DEFAULT_MAX_PARTICIPANTS: usize = 16;

/// The highest `call_max_participants` a node may be set to (the bounds of
/// signals on the bus are sized for it).
pub const MAX_PARTICIPANTS_SETTING: usize = 100;

/// Default seconds a call rings before it ends unanswered (`call_ring_timeout_secs`).
pub const DEFAULT_RING_TIMEOUT_SECS: i64 = 60;

/// Default seconds without a heartbeat before a participant is marked gone
/// (`call_presence_timeout_secs`).
pub const DEFAULT_PRESENCE_TIMEOUT_SECS: i64 = 30;

/// Most calls a thread's history lists (the latest).
pub const HISTORY_LIMIT: i64 = 50;

/// Most calls the thread's PDF export lists (the latest): the record wants
/// them all, a bound keeps one export from taking the node.
pub const EXPORT_LIMIT: i64 = 1000;

/// What a call's event carries: the call as it is now, who acted (absent
/// when Cercle did: a timeout) and, for changes about one person, who; for
/// a timeout, why (`unanswered`, `connection_lost`).
#[derive(Serialize)]
struct CallEvent<'a> {
    call: &'a CallView,
    #[serde(skip_serializing_if = "Option::is_none")]
    by: Option<UserId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    user_id: Option<UserId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'static str>,
}

/// The refusal as the API answers it.
fn refused(ctx: &Ctx) -> impl Fn(CallRefusal) -> AppError + '_ {
    move |r| match r {
        CallRefusal::NotFound | CallRefusal::TargetNotInCall => AppError::NotFound,
        CallRefusal::Forbidden => AppError::Forbidden,
        CallRefusal::ThreadClosed => AppError::Conflict("thread-closed"),
        CallRefusal::Ended => AppError::Conflict("call-ended"),
        CallRefusal::NotInCall => AppError::Conflict("not-in-call"),
        CallRefusal::Removed => AppError::Conflict("call-removed"),
        CallRefusal::InCall => AppError::Conflict("in-call"),
        CallRefusal::Full => AppError::CallFull {
            max: i64::try_from(ctx.config.call_max_participants).unwrap_or(i64::MAX),
        },
    }
}

/// The thread (if the person reaches it) and their standing in it.
async fn standing(conn: &mut Conn, user_id: UserId, thread_id: ThreadId) -> AppResult<(Option<ThreadRow>, Standing)> {
    let (t, reach) = match reachable_as(&mut *conn, user_id, thread_id).await {
        Ok(found) => found,
        Err(AppError::NotFound) => {
            return Ok((
                None,
                Standing {
                    reach: None,
                    thread_manager: false,
                },
            ))
        }
        Err(e) => return Err(e),
    };
    let (reach, may_manage) = match reach {
        Reach::Circle { observer: true } => (ThreadReach::Reader, false),
        Reach::Circle { observer: false } => (ThreadReach::Writer, false),
        Reach::Participant | Reach::Channel => (ThreadReach::Writer, true),
    };
    // A manager of the thread: its creator, or a manager of one of its
    // teams (never someone of the patient's circle).
    let thread_manager = may_manage && (t.created_by == user_id || manages_a_team_of(conn, user_id, t.id).await?);
    Ok((
        Some(t),
        Standing {
            reach: Some(reach),
            thread_manager,
        },
    ))
}

async fn manages_a_team_of(conn: &mut Conn, user_id: UserId, thread_id: ThreadId) -> AppResult<bool> {
    let managed = threads_store::teams_managed(&mut *conn, user_id).await?;
    if managed.is_empty() {
        return Ok(false);
    }
    Ok(threads_store::participants(&mut *conn, thread_id)
        .await?
        .iter()
        .any(|p| matches!(p, Participant::Team(team) if managed.contains(team))))
}

/// A call, its thread and everyone's stretches in it, with the person's
/// standing; refused as "not found" to whoever does not reach the thread.
struct Loaded {
    thread: ThreadRow,
    call: CallRow,
    stints: Vec<StintRow>,
    standing: Standing,
}

impl Loaded {
    fn present(&self, user_id: UserId) -> bool {
        self.stints.iter().any(|s| s.user_id == user_id && s.presence.is_in())
    }

    fn present_count(&self) -> usize {
        self.stints.iter().filter(|s| s.presence.is_in()).count()
    }

    fn in_call(&self, user_id: UserId) -> InCall {
        InCall {
            starter: self.call.started_by == user_id,
            present: self.present(user_id),
            removed: self.stints.iter().any(|s| {
                s.user_id == user_id
                    && matches!(
                        s.presence,
                        Presence::Gone {
                            how: Departure::Removed { .. },
                            ..
                        }
                    )
            }),
            ended: self.call.state.is_ended(),
        }
    }

    fn presence_of(&self, user_id: UserId) -> Option<Presence> {
        self.stints
            .iter()
            .find(|s| s.user_id == user_id && s.presence.is_in())
            .map(|s| s.presence)
    }
}

async fn load(conn: &mut Conn, user_id: UserId, call_id: CallId) -> AppResult<Loaded> {
    let call = store::call(&mut *conn, call_id).await?.ok_or(AppError::NotFound)?;
    let (thread, standing) = standing(&mut *conn, user_id, call.thread_id).await?;
    let thread = thread.ok_or(AppError::NotFound)?;
    let stints = store::stints(&mut *conn, call.id).await?;
    Ok(Loaded {
        thread,
        call,
        stints,
        standing,
    })
}

/// Opens the transaction of a change to a call: its row held first, so
/// that changes to one call queue instead of racing, then everything the
/// decision needs loaded.
async fn begin_change(ctx: &Ctx, user_id: UserId, call_id: CallId) -> AppResult<(Tx, Loaded)> {
    let mut tx = ctx.store.begin().await?;
    store::hold_call(&mut tx, call_id).await?;
    let l = load(&mut tx, user_id, call_id).await?;
    Ok((tx, l))
}

/// Reads the call again after a change, as the API answers it.
async fn fresh_view(ctx: &Ctx, conn: &mut Conn, call_id: CallId, lang: Language) -> AppResult<CallView> {
    let call = store::call(&mut *conn, call_id).await?.ok_or(AppError::NotFound)?;
    let stints = store::stints(&mut *conn, call_id).await?;
    let names = Names::of(&mut *conn, std::slice::from_ref(&call), &stints, &[], lang).await?;
    Ok(call_view(&call, &stints, &names, ctx.config.call_max_participants))
}

/// The audit record of a call's change: the call, its thread, the patient
/// of a clinical thread; metadata only.
fn audit_event(
    actor: &UserPrincipal,
    t: &ThreadRow,
    call_id: CallId,
    name: &'static str,
    action: AuditAction,
    client: &Client,
) -> NewAuditEvent {
    let mut ev = NewAuditEvent::new(Actor::User(actor.user_id), name, action, "call")
        .target(call_id)
        .ip(client.ip.clone())
        .scope("thread", t.id);
    ev.org_id = t.org_id.map(String::from);
    if let Some(p) = t.patient_file_id {
        ev = ev.scope("patient", p);
    }
    ev
}

async fn log(
    ctx: &Ctx,
    conn: &mut Conn,
    kind: EventKind,
    view: &CallView,
    by: UserId,
    user_id: Option<UserId>,
    now: Timestamp,
) -> AppResult<()> {
    let data = CallEvent {
        call: view,
        by: Some(by),
        user_id,
        reason: None,
    };
    log_event(ctx, conn, view.thread_id, kind, &data, now).await?;
    Ok(())
}

/// Starts a call (audio or video, high priority or not) in a thread; its
/// starter is in it, and it rings the others who may join it
/// ([`ringing`]).
#[allow(clippy::too_many_arguments)]
pub async fn start(
    ctx: &Ctx,
    client: &Client,
    principal: &Principal,
    thread_id: ThreadId,
    media: CallMedia,
    high_priority: bool,
    lang: Language,
) -> AppResult<CallView> {
    let me = me(principal)?;
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    let (t, standing) = standing(&mut tx, me.user_id, thread_id).await?;
    let open = t.as_ref().is_some_and(|t| t.closed_at.is_none());
    policy::may_start(standing, open).map_err(refused(ctx))?;
    let t = t.ok_or(AppError::NotFound)?;
    if store::active_call(&mut tx, t.id).await?.is_some() {
        return Err(AppError::Conflict("call-active"));
    }
    let id = CallId::new();
    let topology = CallTopology::for_thread(t.kind);
    store::insert_call(&mut tx, id, t.id, media, topology, me.user_id, high_priority, now)
        .await
        .map_err(|e| match e {
            StoreError::Conflict => AppError::Conflict("call-active"),
            other => other.into(),
        })?;
    store::insert_stint(&mut tx, id, me.user_id, now).await?;
    let view = fresh_view(ctx, &mut tx, id, lang).await?;
    log(ctx, &mut tx, EventKind::CallStarted, &view, me.user_id, None, now).await?;
    audit::record(
        &mut tx,
        audit_event(me, &t, id, "call.started", AuditAction::Create, client),
        now,
    )
    .await?;
    let rung = ringing::ring(ctx, &mut tx, &t, &view, now).await?;
    commit(ctx, tx).await?;
    ringing::push_after_commit(ctx, &view, rung);
    Ok(view)
}

/// The thread's call going on, if any.
pub async fn active(
    ctx: &Ctx,
    client: &Client,
    principal: &Principal,
    thread_id: ThreadId,
    lang: Language,
) -> AppResult<Option<CallView>> {
    let me = me(principal)?;
    let mut conn = ctx.store.reader().await?;
    let (t, standing) = standing(&mut conn, me.user_id, thread_id).await?;
    policy::decide(standing, InCall::default(), CallAction::See).map_err(refused(ctx))?;
    let t = t.ok_or(AppError::NotFound)?;
    let Some(call) = store::active_call(&mut conn, t.id).await? else {
        return Ok(None);
    };
    let view = fresh_view(ctx, &mut conn, call.id, lang).await?;
    drop(conn);
    audit::record_alone(
        ctx,
        audit_event(me, &t, call.id, "call.read", AuditAction::Read, client),
    )
    .await?;
    Ok(Some(view))
}

/// A call of a thread one reaches (going on or over).
pub async fn show(
    ctx: &Ctx,
    client: &Client,
    principal: &Principal,
    call_id: CallId,
    lang: Language,
) -> AppResult<CallView> {
    let me = me(principal)?;
    let mut conn = ctx.store.reader().await?;
    let l = load(&mut conn, me.user_id, call_id).await?;
    policy::decide(l.standing, l.in_call(me.user_id), CallAction::See).map_err(refused(ctx))?;
    let view = fresh_view(ctx, &mut conn, call_id, lang).await?;
    drop(conn);
    audit::record_alone(
        ctx,
        audit_event(me, &l.thread, call_id, "call.read", AuditAction::Read, client),
    )
    .await?;
    Ok(view)
}

/// A call as its screen shows it to one person: the call, whether they
/// are in it, and whether they moderate it (its starter or a manager of
/// the thread: they may mute or remove others and end it for everyone).
#[derive(Debug, Clone)]
pub struct CallScreen {
    pub call: CallView,
    pub in_call: bool,
    pub moderator: bool,
}

/// The call's screen for the person (as [`show`], audited the same way).
pub async fn screen(
    ctx: &Ctx,
    client: &Client,
    principal: &Principal,
    call_id: CallId,
    lang: Language,
) -> AppResult<CallScreen> {
    let me = me(principal)?;
    let mut conn = ctx.store.reader().await?;
    let l = load(&mut conn, me.user_id, call_id).await?;
    let in_call = l.in_call(me.user_id);
    policy::decide(l.standing, in_call, CallAction::See).map_err(refused(ctx))?;
    let view = fresh_view(ctx, &mut conn, call_id, lang).await?;
    drop(conn);
    audit::record_alone(
        ctx,
        audit_event(me, &l.thread, call_id, "call.read", AuditAction::Read, client),
    )
    .await?;
    Ok(CallScreen {
        call: view,
        in_call: in_call.present,
        moderator: in_call.starter || l.standing.thread_manager,
    })
}

/// The thread's latest calls with what happened in each, newest first, in
/// the reader's language.
pub async fn thread_history(
    ctx: &Ctx,
    client: &Client,
    principal: &Principal,
    thread_id: ThreadId,
    lang: Language,
) -> AppResult<Vec<CallRecord>> {
    let me = me(principal)?;
    let mut conn = ctx.store.reader().await?;
    let (t, standing) = standing(&mut conn, me.user_id, thread_id).await?;
    policy::decide(standing, InCall::default(), CallAction::See).map_err(refused(ctx))?;
    let t = t.ok_or(AppError::NotFound)?;
    let records = records(ctx, &mut conn, t.id, HISTORY_LIMIT, lang).await?;
    drop(conn);
    let mut ev = NewAuditEvent::new(
        Actor::User(me.user_id),
        "call.history_read",
        AuditAction::List,
        "thread",
    )
    .target(t.id)
    .ip(client.ip.clone());
    ev.org_id = t.org_id.map(String::from);
    if let Some(p) = t.patient_file_id {
        ev = ev.scope("patient", p);
    }
    audit::record_alone(ctx, ev).await?;
    Ok(records)
}

/// The thread's latest calls and their history (no access check: for the
/// services that checked already, such as the thread's export).
pub(crate) async fn records(
    ctx: &Ctx,
    conn: &mut Conn,
    thread_id: ThreadId,
    limit: i64,
    lang: Language,
) -> AppResult<Vec<CallRecord>> {
    let calls = store::calls_of_thread(&mut *conn, thread_id, limit).await?;
    let ids: Vec<CallId> = calls.iter().map(|c| c.id).collect();
    let stints = store::stints_of_calls(&mut *conn, &ids).await?;
    let declines = store::declines_of_calls(&mut *conn, &ids).await?;
    let names = Names::of(&mut *conn, &calls, &stints, &declines, lang).await?;
    Ok(calls
        .iter()
        .map(|c| CallRecord {
            call: call_view(c, &stints, &names, ctx.config.call_max_participants),
            history: history(c, &stints, &declines, &names, lang),
        })
        .collect())
}

/// Joins a call (again, after leaving); being in it already answers the
/// call as it is. Refused when full (`call_max_participants`) or to
/// someone removed from it.
pub async fn join(
    ctx: &Ctx,
    client: &Client,
    principal: &Principal,
    call_id: CallId,
    lang: Language,
) -> AppResult<CallView> {
    let me = me(principal)?;
    let now = ctx.clock.now();
    let (mut tx, l) = begin_change(ctx, me.user_id, call_id).await?;
    let in_call = l.in_call(me.user_id);
    let cap = l.call.topology.cap(ctx.config.call_max_participants);
    let action = CallAction::Join {
        present: l.present_count(),
        cap,
    };
    policy::decide(l.standing, in_call, action).map_err(|r| match r {
        // The cap of this call: two for a peer-to-peer one.
        CallRefusal::Full => AppError::CallFull {
            max: i64::try_from(cap).unwrap_or(i64::MAX),
        },
        other => refused(ctx)(other),
    })?;
    if in_call.present {
        return fresh_view(ctx, &mut tx, call_id, lang).await;
    }
    store::insert_stint(&mut tx, call_id, me.user_id, now).await?;
    if let Some(state) = l.call.state.on_join(in_call.starter, now) {
        store::set_state(&mut tx, call_id, state).await?;
    }
    let view = fresh_view(ctx, &mut tx, call_id, lang).await?;
    log(
        ctx,
        &mut tx,
        EventKind::CallJoined,
        &view,
        me.user_id,
        Some(me.user_id),
        now,
    )
    .await?;
    audit::record(
        &mut tx,
        audit_event(me, &l.thread, call_id, "call.joined", AuditAction::Update, client),
        now,
    )
    .await?;
    commit(ctx, tx).await?;
    Ok(view)
}

/// After someone went out of the call (`view`, as it is now): when nobody
/// is left, ends it in the caller's transaction (its state, its event and
/// its audit record) and answers it ended; otherwise answers `view`.
#[allow(clippy::too_many_arguments)]
async fn end_if_empty(
    ctx: &Ctx,
    tx: &mut Conn,
    me: &UserPrincipal,
    l: &Loaded,
    client: &Client,
    now: Timestamp,
    lang: Language,
    view: CallView,
) -> AppResult<CallView> {
    if !view.participants.is_empty() {
        return Ok(view);
    }
    let state = l
        .call
        .state
        .end(CallEnd::Empty, now)
        .ok_or(AppError::Conflict("call-ended"))?;
    store::set_state(&mut *tx, l.call.id, state).await?;
    let view = fresh_view(ctx, &mut *tx, l.call.id, lang).await?;
    log(ctx, &mut *tx, EventKind::CallEnded, &view, me.user_id, None, now).await?;
    audit::record(
        &mut *tx,
        audit_event(me, &l.thread, l.call.id, "call.ended", AuditAction::Update, client),
        now,
    )
    .await?;
    Ok(view)
}

/// Leaves a call; the last one out ends it.
pub async fn leave(
    ctx: &Ctx,
    client: &Client,
    principal: &Principal,
    call_id: CallId,
    lang: Language,
) -> AppResult<CallView> {
    let me = me(principal)?;
    let now = ctx.clock.now();
    let (mut tx, l) = begin_change(ctx, me.user_id, call_id).await?;
    policy::decide(l.standing, l.in_call(me.user_id), CallAction::Leave).map_err(refused(ctx))?;
    if !store::end_stint(&mut tx, call_id, me.user_id, Departure::Left, now).await? {
        return Err(AppError::Conflict("not-in-call"));
    }
    let view = fresh_view(ctx, &mut tx, call_id, lang).await?;
    log(
        ctx,
        &mut tx,
        EventKind::CallLeft,
        &view,
        me.user_id,
        Some(me.user_id),
        now,
    )
    .await?;
    audit::record(
        &mut tx,
        audit_event(me, &l.thread, call_id, "call.left", AuditAction::Update, client),
        now,
    )
    .await?;
    let view = end_if_empty(ctx, &mut tx, me, &l, client, now, lang, view).await?;
    commit(ctx, tx).await?;
    route::participant_out(ctx, call_id, me.user_id, view.ended_at.is_some()).await;
    Ok(view)
}

/// Mutes or unmutes someone in the call: oneself, or (muting only) another
/// by the starter or a manager of the thread. Muting someone else is
/// audited; one's own microphone is not (as typing is not).
pub async fn set_muted(
    ctx: &Ctx,
    client: &Client,
    principal: &Principal,
    call_id: CallId,
    target: UserId,
    muted: bool,
    lang: Language,
) -> AppResult<CallView> {
    let me = me(principal)?;
    let now = ctx.clock.now();
    let (mut tx, l) = begin_change(ctx, me.user_id, call_id).await?;
    let presence = l.presence_of(target);
    let action = CallAction::Mute {
        target_self: target == me.user_id,
        target_present: presence.is_some(),
        muted,
    };
    policy::decide(l.standing, l.in_call(me.user_id), action).map_err(refused(ctx))?;
    if matches!(presence, Some(Presence::In { muted: now_muted, .. }) if now_muted == muted) {
        return fresh_view(ctx, &mut tx, call_id, lang).await;
    }
    if !store::set_muted(&mut tx, call_id, target, muted).await? {
        return Err(AppError::NotFound);
    }
    let view = fresh_view(ctx, &mut tx, call_id, lang).await?;
    log(ctx, &mut tx, EventKind::CallMuted, &view, me.user_id, Some(target), now).await?;
    if target != me.user_id {
        audit::record(
            &mut tx,
            audit_event(
                me,
                &l.thread,
                call_id,
                "call.participant_muted",
                AuditAction::Update,
                client,
            )
            .scope("participant", target),
            now,
        )
        .await?;
    }
    commit(ctx, tx).await?;
    Ok(view)
}

/// Raises or lowers one's hand, or (lowering only) another's by the
/// starter or a manager of the thread. Not audited: a gesture in the call.
pub async fn set_hand(
    ctx: &Ctx,
    principal: &Principal,
    call_id: CallId,
    target: UserId,
    raised: bool,
    lang: Language,
) -> AppResult<CallView> {
    let me = me(principal)?;
    let now = ctx.clock.now();
    let (mut tx, l) = begin_change(ctx, me.user_id, call_id).await?;
    let presence = l.presence_of(target);
    let action = CallAction::Hand {
        target_self: target == me.user_id,
        target_present: presence.is_some(),
        raised,
    };
    policy::decide(l.standing, l.in_call(me.user_id), action).map_err(refused(ctx))?;
    if matches!(presence, Some(Presence::In { hand_raised, .. }) if hand_raised == raised) {
        return fresh_view(ctx, &mut tx, call_id, lang).await;
    }
    if !store::set_hand(&mut tx, call_id, target, raised).await? {
        return Err(AppError::NotFound);
    }
    let view = fresh_view(ctx, &mut tx, call_id, lang).await?;
    log(ctx, &mut tx, EventKind::CallHand, &view, me.user_id, Some(target), now).await?;
    commit(ctx, tx).await?;
    Ok(view)
}

/// Removes someone from the call (the starter or a manager of the thread);
/// they may not join this call again. The last one out ends it.
pub async fn remove(
    ctx: &Ctx,
    client: &Client,
    principal: &Principal,
    call_id: CallId,
    target: UserId,
    lang: Language,
) -> AppResult<CallView> {
    let me = me(principal)?;
    let now = ctx.clock.now();
    let (mut tx, l) = begin_change(ctx, me.user_id, call_id).await?;
    let action = CallAction::Remove {
        target_self: target == me.user_id,
        target_present: l.present(target),
    };
    policy::decide(l.standing, l.in_call(me.user_id), action).map_err(refused(ctx))?;
    let how = Departure::Removed { by: me.user_id };
    if !store::end_stint(&mut tx, call_id, target, how, now).await? {
        return Err(AppError::NotFound);
    }
    let view = fresh_view(ctx, &mut tx, call_id, lang).await?;
    log(
        ctx,
        &mut tx,
        EventKind::CallRemoved,
        &view,
        me.user_id,
        Some(target),
        now,
    )
    .await?;
    audit::record(
        &mut tx,
        audit_event(
            me,
            &l.thread,
            call_id,
            "call.participant_removed",
            AuditAction::Update,
            client,
        )
        .scope("participant", target),
        now,
    )
    .await?;
    let view = end_if_empty(ctx, &mut tx, me, &l, client, now, lang, view).await?;
    commit(ctx, tx).await?;
    route::participant_out(ctx, call_id, target, view.ended_at.is_some()).await;
    Ok(view)
}

/// Ends the call for everyone (the starter or a manager of the thread).
pub async fn end(
    ctx: &Ctx,
    client: &Client,
    principal: &Principal,
    call_id: CallId,
    lang: Language,
) -> AppResult<CallView> {
    let me = me(principal)?;
    let now = ctx.clock.now();
    let (mut tx, l) = begin_change(ctx, me.user_id, call_id).await?;
    policy::decide(l.standing, l.in_call(me.user_id), CallAction::End).map_err(refused(ctx))?;
    let state = l
        .call
        .state
        .end(CallEnd::ForAll { by: me.user_id }, now)
        .ok_or(AppError::Conflict("call-ended"))?;
    store::end_all_stints(&mut tx, call_id, now).await?;
    store::set_state(&mut tx, call_id, state).await?;
    let view = fresh_view(ctx, &mut tx, call_id, lang).await?;
    log(ctx, &mut tx, EventKind::CallEnded, &view, me.user_id, None, now).await?;
    audit::record(
        &mut tx,
        audit_event(me, &l.thread, call_id, "call.ended", AuditAction::Update, client),
        now,
    )
    .await?;
    commit(ctx, tx).await?;
    route::call_ended(ctx, call_id).await;
    Ok(view)
}
