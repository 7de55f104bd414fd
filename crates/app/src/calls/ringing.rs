//! A new call rings the people who may join it, and they may decline it.
//!
//! Who is rung: everyone the thread reaches (its participants, its care
//! channel's people, the patient and caregivers of that channel), but the
//! starter, each asked again through the thread's own door
//! ([`reachable_as`]), and only if the rules of notifications let them be
//! interrupted now ([`rules::ring`]): within working hours, not absent, the
//! thread not muted. A call started as high priority rings through all of
//! that, as a high-priority message does; a normal call follows the
//! person's availability (someone off duty is not rung for a routine call;
//! the call stays in the thread's history and events).
//!
//! How: an `incoming_call` event on each one's person topic, in the
//! start's transaction (so every open page of theirs, on any node, gets it
//! only if the call was recorded), and after the commit a Web Push to their
//! installed apps with generic words ("Incoming video call"), high urgency
//! and a lifetime of the ringing time (a ring delivered later is useless).
//! The socket event carries the call, its thread, its media and the
//! starter's name, nothing of the thread's content.

use super::{begin_change, refused, CallView};
use crate::push::{self, PushMessage, Urgency};
use crate::threads::access::{me, reachable_as};
use crate::threads::events::commit;
use crate::{audit, AppError, AppResult, Client, Ctx};
use cercle_domain::audit::{Actor, AuditAction, NewAuditEvent};
use cercle_domain::calls::CallMedia;
use cercle_domain::events::{EventKind, Topic};
use cercle_domain::notification_rules::{self as rules, Priority, Recipient, Ring};
use cercle_domain::policy::calls::{self as policy, CallAction};
use cercle_domain::policy::Principal;
use cercle_domain::{CallId, Language, ThreadId, Timestamp, UserId};
use cercle_store::calls as store;
use cercle_store::events::NewEvent;
use cercle_store::threads::{self as threads_store, ThreadRow};
use cercle_store::Conn;
use serde::Serialize;

/// Someone rung: who, and the language of their push.
pub(crate) struct Rung {
    user_id: UserId,
    lang: Language,
}

/// What an `incoming_call` event carries: nothing clinical.
#[derive(Serialize)]
struct IncomingCall<'a> {
    call_id: CallId,
    thread_id: ThreadId,
    media: CallMedia,
    high_priority: bool,
    started_by: &'a super::CallPerson,
}

/// What a `call_declined` event (to the starter) carries.
#[derive(Serialize)]
struct Declined<'a> {
    call_id: CallId,
    thread_id: ThreadId,
    user: &'a super::CallPerson,
}

/// The people to ring now for a new call: who may join it, but its
/// starter, and whose availability lets it ring.
async fn ringable(conn: &mut Conn, t: &ThreadRow, call: &CallView, now: Timestamp) -> AppResult<Vec<Rung>> {
    let priority = if call.high_priority {
        Priority::High
    } else {
        Priority::Normal
    };
    let mut out = Vec::new();
    for user_id in threads_store::people_reached(&mut *conn, t.id).await? {
        if user_id == call.started_by.id {
            continue;
        }
        // The same door as joining: whoever could not join is not rung.
        match reachable_as(&mut *conn, user_id, t.id).await {
            Ok(_) => {}
            Err(AppError::NotFound) => continue,
            Err(e) => return Err(e),
        }
        let Some(user) = cercle_store::users::by_id(&mut *conn, &user_id.to_string())
            .await?
            .filter(|u| u.deleted_at.is_none())
        else {
            continue;
        };
        let (schedule, periods) = crate::availability::rules_of(&mut *conn, user_id, now).await?;
        let muted = cercle_store::notifications::is_muted(&mut *conn, user_id, t.id).await?;
        let recipient = Recipient {
            schedule: &schedule,
            periods: &periods,
            muted,
        };
        if rules::ring(&recipient, priority, now) == Ring::Now {
            out.push(Rung {
                user_id,
                lang: crate::acting::language_of(&user),
            });
        }
    }
    Ok(out)
}

/// Rings, in the start's transaction: one `incoming_call` event on each
/// person's topic. Returns who was rung, for [`push_after_commit`].
pub(crate) async fn ring(
    ctx: &Ctx,
    conn: &mut Conn,
    t: &ThreadRow,
    call: &CallView,
    now: Timestamp,
) -> AppResult<Vec<Rung>> {
    let rung = ringable(&mut *conn, t, call, now).await?;
    if rung.is_empty() {
        return Ok(rung);
    }
    let payload = serde_json::to_string(&IncomingCall {
        call_id: call.id,
        thread_id: call.thread_id,
        media: call.media,
        high_priority: call.high_priority,
        started_by: &call.started_by,
    })
    .map_err(|e| AppError::Internal(e.to_string()))?;
    let events: Vec<NewEvent> = rung
        .iter()
        .map(|r| NewEvent {
            topic: Topic::Person(r.user_id),
            kind: EventKind::IncomingCall,
            payload: &payload,
        })
        .collect();
    cercle_store::events::append_events(&mut *conn, &events, now).await?;
    // One wake-up for the batch: it says "read the log".
    ctx.bus.durable_in(&mut *conn, &events[0].topic).await?;
    Ok(rung)
}

/// The push that rings an installed app: generic words, the thread's path.
fn push_message(ctx: &Ctx, lang: Language, call: &CallView) -> PushMessage {
    let title = match call.media {
        CallMedia::Audio => "call-push-title-audio",
        CallMedia::Video => "call-push-title-video",
    };
    let mut m = PushMessage::new(
        cercle_i18n::t(lang, title),
        cercle_i18n::t(lang, "call-push-body"),
        format!("/threads/{}", call.thread_id),
    );
    // A later ring of the same call replaces this one on the device.
    m.tag = Some(format!("call-{}", call.id));
    m.urgency = Urgency::High;
    m.ttl_secs = ctx.config.call_ring_timeout_secs;
    m
}

/// After the start committed: pushes to the installed apps of the people
/// rung, in the background (a slow push service must not hold the start's
/// answer; each delivery is bounded by the push timeout and retried by the
/// push worker).
pub(crate) fn push_after_commit(ctx: &Ctx, call: &CallView, rung: Vec<Rung>) {
    if rung.is_empty() {
        return;
    }
    let ctx = ctx.clone();
    let call = call.clone();
    tokio::spawn(async move {
        for r in rung {
            let m = push_message(&ctx, r.lang, &call);
            if let Err(e) = push::send(&ctx, r.user_id, &m).await {
                tracing::warn!(error = %e, call = %call.id, "call push");
            }
        }
    });
}

/// Declines a call one is rung for (or could join): recorded once, told to
/// its starter (`call_declined` on their person topic), in the thread's
/// history ("… declined the call") and audited (metadata). Answers the call
/// as it is. In the call: `409 in-call` (leave instead).
pub async fn decline(
    ctx: &Ctx,
    client: &Client,
    principal: &Principal,
    call_id: CallId,
    lang: Language,
) -> AppResult<CallView> {
    let me = me(principal)?;
    let now = ctx.clock.now();
    let (mut tx, l) = begin_change(ctx, me.user_id, call_id).await?;
    policy::decide(l.standing, l.in_call(me.user_id), CallAction::Decline).map_err(refused(ctx))?;
    if store::insert_decline(&mut tx, call_id, me.user_id, now).await? {
        let name = cercle_store::network::names(&mut tx, &[me.user_id.to_string()])
            .await?
            .into_iter()
            .next()
            .map(|(_, n)| n)
            .unwrap_or_else(|| cercle_i18n::t(lang, "former-user"));
        let who = super::CallPerson { id: me.user_id, name };
        let payload = serde_json::to_string(&Declined {
            call_id,
            thread_id: l.thread.id,
            user: &who,
        })
        .map_err(|e| AppError::Internal(e.to_string()))?;
        let topic = Topic::Person(l.call.started_by);
        cercle_store::events::append_event(&mut tx, &topic, EventKind::CallDeclined, &payload, now).await?;
        ctx.bus.durable_in(&mut tx, &topic).await?;
        audit::record(
            &mut tx,
            super::audit_event(me, &l.thread, call_id, "call.declined", AuditAction::Update, client),
            now,
        )
        .await?;
    }
    let view = super::fresh_view(ctx, &mut tx, call_id, lang).await?;
    commit(ctx, tx).await?;
    Ok(view)
}

/// The audit record of something Cercle did to a call by itself (a
/// timeout): the call, its thread, the patient of a clinical thread.
pub(crate) fn system_event(t: &ThreadRow, call_id: CallId, name: &'static str) -> NewAuditEvent {
    let mut ev = NewAuditEvent::new(Actor::System, name, AuditAction::Update, "call")
        .target(call_id)
        .scope("thread", t.id);
    ev.org_id = t.org_id.map(String::from);
    if let Some(p) = t.patient_file_id {
        ev = ev.scope("patient", p);
    }
    ev
}
