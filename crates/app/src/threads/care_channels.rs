//! Care channels' use cases that need more of the thread kernel than
//! access and events: a channel's new thread with its first message (and
//! the thread as its author then reads it), and removing a participant
//! with the live connections told of who lost access.
//!
//! The channel rules themselves live in [`crate::patients::channels`],
//! which stands only on `threads::{access, events, views, input}`; this
//! module composes them with [`super::messages`], [`super::reading`] and
//! [`super::hub`], and nothing in `patients` imports it back.

use super::events::commit;
use super::input::{clean_body, clean_title};
use super::messages::insert_message;
use super::reading;
use super::views::{ParticipantRef, ThreadView};
use crate::acting::person as me;
use crate::patients::channels::{
    access, event, open_thread, require_open_file, Channel, ChannelRole, NewChannelThread,
};
use crate::{audit, AppError, AppResult, Client, Ctx};
use cercle_domain::audit::AuditAction;
use cercle_domain::policy::Principal;
use cercle_domain::{ChannelId, Language};

/// A new thread in the channel with its first message; the first one
/// starts the channel. Observers: 403.
pub async fn start_thread(
    ctx: &Ctx,
    client: &Client,
    principal: &Principal,
    id: ChannelId,
    input: &NewChannelThread,
    lang: Language,
) -> AppResult<ThreadView> {
    let me = me(principal)?;
    let title = clean_title(&input.title)?;
    let body = clean_body(&input.body)?;
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    let (c, role) = access(&mut tx, me.user_id, id).await?;
    if role == (ChannelRole::Circle { observer: true }) {
        return Err(AppError::Forbidden);
    }
    require_open_file(&mut tx, &c).await?;
    let high = input.high_priority && role == ChannelRole::Professional;
    let t = open_thread(ctx, &mut tx, &c, role, me.user_id, &title, None, high, now).await?;
    let m = insert_message(ctx, &mut tx, &t, me.user_id, &body, false, now, lang).await?;
    audit::record(
        &mut tx,
        event(me, &c, "channel.thread_created", AuditAction::Create, client)
            .scope("thread", t.id)
            .scope("message", &m.id),
        now,
    )
    .await?;
    commit(ctx, tx).await?;
    reading::show(ctx, client, principal, t.id, lang).await
}

/// Removes a participant of a channel (the rules of
/// [`crate::patients::channels::remove_participant`]), then makes the open
/// connections of whoever stopped reaching the channel's threads look again.
pub async fn remove_participant(
    ctx: &Ctx,
    client: &Client,
    principal: &Principal,
    id: ChannelId,
    who: &ParticipantRef,
) -> AppResult<Channel> {
    let removed = crate::patients::channels::remove_participant(ctx, client, principal, id, who).await?;
    let lost: Vec<&str> = removed.lost_access.iter().map(String::as_str).collect();
    super::hub::access_changed(ctx, &lost).await;
    Ok(removed.channel)
}
