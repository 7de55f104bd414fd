//! One's draft of a thread, restored on any device.

use super::access::{me, open, writable};
use super::input::MAX_MESSAGE_CHARS;
use crate::{AppResult, Ctx};
use cercle_domain::policy::Principal;
use cercle_domain::{InputError, ThreadId};
use cercle_store::threads as store;

/// Saves one's draft (empty clears it); restored on any device.
pub async fn save_draft(ctx: &Ctx, principal: &Principal, id: ThreadId, body: &str) -> AppResult<()> {
    let me = me(principal)?;
    let user_id = me.user_id;
    if body.chars().count() > MAX_MESSAGE_CHARS {
        return Err(InputError::MessageTooLong.into());
    }
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    let t = writable(&mut tx, user_id, id).await?;
    open(&t)?;
    store::save_draft(&mut tx, t.id, user_id, body, now).await?;
    tx.commit().await?;
    Ok(())
}
