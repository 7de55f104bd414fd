//! "Someone is typing": an ephemeral event to the other participants'
//! open tabs, never stored.

use super::access::{me, open, writable};
use super::hub::{self, Event};
use crate::{AppResult, Ctx};
use cercle_domain::events::{EventKind, Topic};
use cercle_domain::policy::Principal;
use cercle_domain::ThreadId;
use cercle_store::users;

/// "Someone is typing": reaches the other participants' open tabs, not stored.
pub async fn typing(ctx: &Ctx, principal: &Principal, id: ThreadId) -> AppResult<()> {
    let me = me(principal)?;
    let user_id = me.user_id.to_string();
    let name = {
        let mut conn = ctx.store.reader().await?;
        let t = writable(&mut conn, me.user_id, id).await?;
        open(&t)?;
        users::get(&mut conn, &user_id).await?.name
    };
    hub::publish_ephemeral(
        ctx,
        Event::new(
            None,
            Topic::Thread(id),
            EventKind::Typing,
            serde_json::json!({ "user_id": user_id, "name": name }),
        ),
    )
    .await
}
