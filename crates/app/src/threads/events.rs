//! What a change of a thread leaves behind, in the transaction of the
//! change: its audit record ([`event_for`]) and its event in the log
//! ([`log_event`]), which [`commit`] hands to the live connections (see
//! [`super::hub`]). Teams, notifications and care channels write through
//! these too; this module calls no use case.

use crate::{AppError, AppResult, Client, Ctx};
use cercle_domain::audit::{Actor, AuditAction, NewAuditEvent};
use cercle_domain::events::{EventKind, Topic};
use cercle_domain::policy::UserPrincipal;
use cercle_domain::{ThreadId, Timestamp};
use cercle_store::threads::ThreadRow;
use cercle_store::Conn;
use serde::Serialize;

pub(crate) fn event_for(
    actor: &UserPrincipal,
    t: &ThreadRow,
    name: &'static str,
    action: AuditAction,
    client: &Client,
) -> NewAuditEvent {
    let mut ev = NewAuditEvent::new(Actor::User(actor.user_id), name, action, "thread")
        .target(t.id)
        .ip(client.ip.clone());
    if let Some(org) = t.org_id {
        ev.org_id = Some(org.to_string());
    }
    if let Some(p) = t.patient_file_id {
        ev = ev.scope("patient", p);
    }
    ev
}

/// Appends an event to the log in the caller's transaction (and tells the
/// bus, which may deliver the wake-up at commit).
pub(crate) async fn log_event(
    ctx: &Ctx,
    conn: &mut Conn,
    thread_id: ThreadId,
    kind: EventKind,
    data: &impl Serialize,
    now: Timestamp,
) -> AppResult<i64> {
    let payload = serde_json::to_string(data).map_err(|e| AppError::Internal(e.to_string()))?;
    let topic = Topic::Thread(thread_id);
    let id = cercle_store::events::append_event(&mut *conn, &topic, kind, &payload, now).await?;
    ctx.bus.durable_in(&mut *conn, &topic).await?;
    Ok(id)
}

/// Commits and wakes this node's dispatcher.
pub(crate) async fn commit(ctx: &Ctx, tx: cercle_store::Tx) -> AppResult<()> {
    tx.commit().await?;
    committed(ctx).await;
    Ok(())
}

/// After a commit that logged events: wakes this node's dispatcher and the
/// notification worker.
pub(crate) async fn committed(ctx: &Ctx) {
    ctx.bus.committed().await;
    ctx.notify_wake.notify_one();
}
