//! Messages: posting (with the flood allowance), editing and retracting
//! one's own, acknowledging a high-priority one. Posting tells the
//! notifications in the same transaction.

use super::access::{me, open, reachable, writable, writable_for_post};
use super::events::{commit, committed, event_for, log_event};
use super::input::{clean_body, folded};
use super::posting::Post;
use super::views::{message_views, Author, MessageView};
use crate::network::people::summaries;
use crate::{audit, AppError, AppResult, Client, Ctx};
use cercle_domain::audit::AuditAction;
use cercle_domain::events::{EventKind, Topic};
use cercle_domain::policy::Principal;
use cercle_domain::{Language, MessageId, ThreadId, Timestamp, UserId};
use cercle_store::threads::{self as store, MessageRow, ThreadRow};
use cercle_store::Conn;

/// Counts a message against the sender's flood allowance (per node).
fn flood_check(ctx: &Ctx, user_id: UserId) -> AppResult<()> {
    if ctx.hub.flood(user_id, ctx.clock.now(), ctx.config.messages_per_minute) {
        Ok(())
    } else {
        Err(AppError::RateLimited)
    }
}

/// Posts a message. Returns it as participants see it, once it is on disk.
///
/// The message is written with the other posts that arrive meanwhile, in a
/// few statements for all of them, and in a transaction shared with the
/// other writes (group commit: [`super::posting`], `cercle_store::batch`):
/// one sync to disk for many posts. What decides whether it may be posted
/// (the thread, its author's reach, that it is open) is read first, off the
/// writer. A refused post (closed thread, no access, a reused idempotency
/// key) is answered with its own error and leaves the others.
pub async fn post(
    ctx: &Ctx,
    client: &Client,
    principal: &Principal,
    id: ThreadId,
    body: &str,
    priority: bool,
    lang: Language,
) -> AppResult<MessageView> {
    let _timer = crate::telemetry::Timer::start("cercle_message_post_duration_seconds");
    let me = me(principal)?.clone();
    let body = clean_body(body)?;
    flood_check(ctx, me.user_id)?;
    let (t, facts) = writable_for_post(ctx, me.user_id, id).await?;
    open(&t)?;
    let author = post_author(me.user_id, facts, lang);
    let message_id = MessageId::new();
    let audit = event_for(&me, &t, "thread.message_posted", AuditAction::Create, client).scope("message", message_id);
    let view = MessageView {
        author,
        id: message_id.to_string(),
        thread_id: t.id.to_string(),
        // Numbered and dated when written.
        seq: 0,
        body: body.clone(),
        priority,
        created_at: 0,
        edited_at: None,
        retracted_at: None,
        attachments: Vec::new(),
        seen_by: Vec::new(),
        acknowledged_by: Vec::new(),
    };
    let (reply, answer) = tokio::sync::oneshot::channel();
    ctx.store
        .write_grouped(Post {
            bus: ctx.bus.clone(),
            clock: ctx.clock.clone(),
            thread: t,
            author_id: me.user_id,
            message_id,
            body,
            priority,
            claim: client.idempotency.clone(),
            audit,
            view,
            reply,
        })
        .await;
    // The writer answers every post it takes; no answer means its task
    // ended (the node is stopping): nothing was acknowledged.
    let view = answer.await.map_err(|_| AppError::DatabaseUnavailable)??;
    committed(ctx).await;
    Ok(view)
}

/// A message's author as participants see them ([`author_of`], read with
/// the post's other facts).
fn post_author(user_id: UserId, facts: store::PostFacts, lang: Language) -> Author {
    match facts.author_name {
        Some(name) => Author {
            id: user_id.to_string(),
            name,
            profession: facts
                .author_profession
                .map(|key| cercle_domain::professions::name(&key, lang).unwrap_or(&key).to_string()),
        },
        None => Author {
            id: user_id.to_string(),
            name: cercle_i18n::t(lang, "former-user"),
            profession: None,
        },
    }
}

/// A message's author as participants see them.
async fn author_of(conn: &mut Conn, user_id: UserId, lang: Language) -> AppResult<Author> {
    Ok(match summaries(&mut *conn, &[user_id], lang).await?.pop() {
        Some(p) => Author {
            profession: p.professions.first().map(|b| b.name.clone()),
            id: p.id.to_string(),
            name: p.name,
        },
        None => Author {
            id: user_id.to_string(),
            name: cercle_i18n::t(lang, "former-user"),
            profession: None,
        },
    })
}

/// Inserts a message, moves the author's read mark, clears their draft and
/// logs the event; the caller commits.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn insert_message(
    ctx: &Ctx,
    tx: &mut Conn,
    t: &ThreadRow,
    user_id: UserId,
    body: &str,
    priority: bool,
    now: Timestamp,
    lang: Language,
) -> AppResult<MessageView> {
    let numbered = store::next_seq(&mut *tx, t.id, user_id, priority, now).await?;
    let seq = numbered.last_seq;
    let row = MessageRow {
        id: MessageId::new(),
        thread_id: t.id,
        seq,
        author_id: user_id,
        body: body.to_string(),
        priority,
        created_at: now.0,
        edited_at: None,
        retracted_at: None,
    };
    store::insert_message(&mut *tx, &row, &folded(body)).await?;
    store::mark_read(&mut *tx, t.id, user_id, seq, now).await?;
    store::save_draft(&mut *tx, t.id, user_id, "", now).await?;
    // A new message has no attachment, reader or acknowledgement yet: only
    // its author is looked up (not the whole thread's read marks).
    let view = MessageView {
        author: author_of(&mut *tx, user_id, lang).await?,
        id: row.id.to_string(),
        thread_id: row.thread_id.to_string(),
        seq: row.seq,
        body: row.body,
        priority: row.priority,
        created_at: row.created_at,
        edited_at: None,
        retracted_at: None,
        attachments: Vec::new(),
        seen_by: Vec::new(),
        acknowledged_by: Vec::new(),
    };
    // The thread's entry for the message is logged with the bell entries.
    let payload = serde_json::to_string(&view).map_err(|e| AppError::Internal(e.to_string()))?;
    let event = cercle_store::events::NewEvent {
        topic: Topic::Thread(t.id),
        kind: EventKind::Message,
        payload: &payload,
    };
    crate::notifications::on_message(
        &*ctx.bus,
        &mut *tx,
        t,
        user_id,
        row.id,
        priority,
        Some(event),
        numbered,
        now,
    )
    .await?;
    Ok(view)
}

/// The author's own message of a reachable, open thread.
async fn own_message(conn: &mut Conn, user_id: UserId, message_id: MessageId) -> AppResult<(ThreadRow, MessageRow)> {
    let m = store::message(&mut *conn, message_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let t = writable(&mut *conn, user_id, m.thread_id).await?;
    if m.author_id != user_id {
        return Err(AppError::Forbidden);
    }
    open(&t)?;
    if m.retracted_at.is_some() {
        return Err(AppError::Conflict("message-retracted"));
    }
    Ok((t, m))
}

/// Edits one's message; the earlier text is kept.
pub async fn edit(
    ctx: &Ctx,
    client: &Client,
    principal: &Principal,
    message_id: MessageId,
    body: &str,
    lang: Language,
) -> AppResult<MessageView> {
    let me = me(principal)?;
    let body = clean_body(body)?;
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    let (t, m) = own_message(&mut tx, me.user_id, message_id).await?;
    store::edit_message(&mut tx, m.id, &body, &folded(&body), now).await?;
    let row = store::message(&mut tx, message_id).await?.ok_or(AppError::NotFound)?;
    let view = message_views(&mut tx, t.id, vec![row], lang)
        .await?
        .pop()
        .ok_or(AppError::NotFound)?;
    log_event(ctx, &mut tx, t.id, EventKind::MessageEdited, &view, now).await?;
    audit::record(
        &mut tx,
        event_for(me, &t, "thread.message_edited", AuditAction::Update, client).scope("message", m.id),
        now,
    )
    .await?;
    commit(ctx, tx).await?;
    Ok(view)
}

/// Retracts one's message: its text leaves the thread, a trace stays.
pub async fn retract(
    ctx: &Ctx,
    client: &Client,
    principal: &Principal,
    message_id: MessageId,
    lang: Language,
) -> AppResult<MessageView> {
    let me = me(principal)?;
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    let (t, m) = own_message(&mut tx, me.user_id, message_id).await?;
    store::retract_message(&mut tx, message_id, now).await?;
    let row = store::message(&mut tx, message_id).await?.ok_or(AppError::NotFound)?;
    let view = message_views(&mut tx, t.id, vec![row], lang)
        .await?
        .pop()
        .ok_or(AppError::NotFound)?;
    log_event(ctx, &mut tx, t.id, EventKind::MessageRetracted, &view, now).await?;
    audit::record(
        &mut tx,
        event_for(me, &t, "thread.message_retracted", AuditAction::Delete, client).scope("message", m.id),
        now,
    )
    .await?;
    commit(ctx, tx).await?;
    Ok(view)
}

/// Acknowledges a high-priority message.
pub async fn acknowledge(ctx: &Ctx, client: &Client, principal: &Principal, message_id: MessageId) -> AppResult<()> {
    let me = me(principal)?;
    let user_id = me.user_id;
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    let m = store::message(&mut tx, message_id).await?.ok_or(AppError::NotFound)?;
    let t = reachable(&mut tx, user_id, m.thread_id).await?;
    if !m.priority {
        return Err(AppError::Conflict("not-priority"));
    }
    if store::ack(&mut tx, message_id, user_id, now).await? {
        let data = serde_json::json!({ "message_id": message_id, "user_id": user_id, "at": now.0 });
        log_event(ctx, &mut tx, t.id, EventKind::Ack, &data, now).await?;
        audit::record(
            &mut tx,
            event_for(me, &t, "thread.message_acknowledged", AuditAction::Update, client).scope("message", m.id),
            now,
        )
        .await?;
    }
    commit(ctx, tx).await?;
    Ok(())
}
