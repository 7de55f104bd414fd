//! Read marks: marking a thread read up to a message (which also reads its
//! notifications) or unread.

use super::access::{me, reachable};
use super::events::{commit, log_event};
use crate::AppResult;
use crate::Ctx;
use cercle_domain::events::EventKind;
use cercle_domain::policy::Principal;
use cercle_domain::ThreadId;
use cercle_store::threads as store;

/// Marks the thread read up to `seq` (the latest when none).
pub async fn mark_read(ctx: &Ctx, principal: &Principal, id: ThreadId, seq: Option<i64>) -> AppResult<()> {
    let me = me(principal)?;
    let user_id = me.user_id;
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    let t = reachable(&mut tx, user_id, id).await?;
    let id = t.id;
    let upto = seq.unwrap_or(t.last_seq).clamp(0, t.last_seq);
    let mut notifications_read = 0;
    if upto == t.last_seq {
        notifications_read = cercle_store::notifications::mark_thread_read(&mut tx, me.user_id, id, now).await?;
    }
    if store::mark_read(&mut tx, id, user_id, upto, now).await? {
        log_event(
            ctx,
            &mut tx,
            id,
            EventKind::Read,
            &serde_json::json!({ "user_id": user_id, "seq": upto }),
            now,
        )
        .await?;
    }
    commit(ctx, tx).await?;
    if notifications_read > 0 {
        crate::notifications::announce_alone(ctx, &user_id.to_string()).await?;
    }
    Ok(())
}

pub async fn mark_unread(ctx: &Ctx, principal: &Principal, id: ThreadId) -> AppResult<()> {
    let me = me(principal)?;
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    reachable(&mut tx, me.user_id, id).await?;
    store::mark_unread(&mut tx, id, me.user_id, now).await?;
    tx.commit().await?;
    Ok(())
}
