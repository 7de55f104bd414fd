//! Attachments: checked from their content ([`super::uploads`]), photos
//! stripped of metadata with a thumbnail, encrypted at rest with the
//! server key, served only to the thread's participants. An upload is one
//! message carrying the file (and an optional caption); the file is a blob
//! ([`crate::blobs`]) stored before the transaction of its message, which
//! stores the rest whole or not at all (and the blob is then removed).
//! Downloads are decrypted as they are sent, and answer byte ranges.

use super::access::{reachable, writable};
use super::events::{commit, log_event};
use super::incoming;
pub use super::incoming::IncomingFile;
use super::input::clean_body;
use super::uploads::AttachmentKind;
use super::views::{message_views, MessageView};
pub use crate::blobs::ByteRange;
use crate::blobs::{self, ByteStream};
use crate::{audit, AppError, AppResult, Client, Ctx};
use cercle_domain::audit::{Actor, AuditAction, NewAuditEvent};
use cercle_domain::events::EventKind;
use cercle_domain::policy::Principal;
use cercle_domain::{AttachmentId, InputError, Language, MessageId, ThreadId, Timestamp, UserId};
use cercle_store::threads::{self as store, AttachmentRow};
use serde::Serialize;
use std::sync::atomic::{AtomicBool, Ordering};

/// Uploads a file into a thread as a new message.
#[allow(clippy::too_many_arguments)]
pub async fn upload(
    ctx: &Ctx,
    client: &Client,
    principal: &Principal,
    thread_id: ThreadId,
    name: &str,
    declared: Option<&str>,
    caption: &str,
    file: IncomingFile,
    lang: Language,
) -> AppResult<MessageView> {
    let received = receive(ctx, principal, thread_id, name, declared, caption, file).await?;
    let result = post(ctx, client, principal, &received, lang).await;
    settle(ctx, &received).await;
    result
}

/// An upload whose file is checked and stored (its blob), its message not
/// written yet: [`post`] writes it, then [`settle`] removes the blob if no
/// message names it (refused, or a replayed request).
pub struct Received {
    thread_id: ThreadId,
    prepared: PreparedUpload,
    named: AtomicBool,
}

/// The first step of an upload: checks that the thread takes it, then
/// checks and stores the file as it arrives.
pub async fn receive(
    ctx: &Ctx,
    principal: &Principal,
    thread_id: ThreadId,
    name: &str,
    declared: Option<&str>,
    caption: &str,
    mut file: IncomingFile,
) -> AppResult<Received> {
    let me = crate::acting::person(principal)?;
    let user_id = me.user_id;
    // Refuse early, before any of the file is read, if the thread is not theirs.
    let writable = async {
        let mut conn = ctx.store.reader().await?;
        let t = writable(&mut conn, user_id, thread_id).await?;
        if t.closed_at.is_some() {
            return Err(AppError::Conflict("thread-closed"));
        }
        Ok(())
    };
    if let Err(e) = writable.await {
        file.discard_rest().await;
        return Err(e);
    }
    let prepared = prepare_upload(ctx, user_id, name, declared, caption, file).await?;
    Ok(Received {
        thread_id,
        prepared,
        named: AtomicBool::new(false),
    })
}

/// The second step: the message carrying the received file.
pub async fn post(
    ctx: &Ctx,
    client: &Client,
    principal: &Principal,
    received: &Received,
    lang: Language,
) -> AppResult<MessageView> {
    let me = crate::acting::person(principal)?;
    let view = upload_in_tx(ctx, client, me, received.thread_id, &received.prepared, lang).await?;
    received.named.store(true, Ordering::SeqCst);
    Ok(view)
}

/// The last step, whatever came before: unless [`post`] named the blob,
/// it goes ([`blobs::discard`]).
pub async fn settle(ctx: &Ctx, received: &Received) {
    if !received.named.load(Ordering::SeqCst) {
        blobs::discard(ctx, &received.prepared.blob).await;
    }
}

/// The transaction of an upload whose blob is stored.
async fn upload_in_tx(
    ctx: &Ctx,
    client: &Client,
    me: &cercle_domain::policy::UserPrincipal,
    thread_id: ThreadId,
    prepared: &PreparedUpload,
    lang: Language,
) -> AppResult<MessageView> {
    let user_id = me.user_id;
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    crate::idempotency::claim_in(&mut tx, client, now).await?;
    let t = writable(&mut tx, user_id, thread_id).await?;
    if t.closed_at.is_some() {
        return Err(AppError::Conflict("thread-closed"));
    }
    let (view, attachment) = insert_upload(ctx, &mut tx, &t, user_id, prepared, now, lang).await?;
    let mut ev = NewAuditEvent::new(
        Actor::User(me.user_id),
        "thread.attachment_uploaded",
        AuditAction::Create,
        "attachment",
    )
    .target(attachment.id)
    .scope("thread", t.id)
    .ip(client.ip.clone());
    ev.org_id = t.org_id.map(String::from);
    if let Some(p) = t.patient_file_id {
        ev = ev.scope("patient", p);
    }
    audit::record(&mut tx, ev, now).await?;
    commit(ctx, tx).await?;
    Ok(view)
}

/// Runs `work`, the transaction that names the blob of `prepared`; when it
/// fails, the blob goes ([`blobs::discard`]). Every caller of
/// [`prepare_upload`] runs its transaction through this (or through
/// [`post`] and [`settle`]).
pub(crate) async fn naming_blob<T>(
    ctx: &Ctx,
    prepared: &PreparedUpload,
    work: impl std::future::Future<Output = AppResult<T>>,
) -> AppResult<T> {
    let result = work.await;
    if result.is_err() {
        blobs::discard(ctx, &prepared.blob).await;
    }
    result
}

/// A file checked, re-encoded when a photo, encrypted and stored as a
/// blob, ready to be named by its message.
pub(crate) struct PreparedUpload {
    id: AttachmentId,
    /// The blob holding the file (named after the attachment).
    blob: String,
    pub name: String,
    kind: &'static str,
    content_type: String,
    size: i64,
    width: Option<i64>,
    height: Option<i64>,
    thumbnail: Option<String>,
    /// The message's text: the caption, or the file's name.
    body: String,
}

/// Checks a file from its content, encrypts it and stores its blob as it
/// arrives ([`incoming::store`]; the uploads limit counts it), before any
/// transaction: the caller's transaction then names the blob, through
/// [`naming_blob`].
pub(crate) async fn prepare_upload(
    ctx: &Ctx,
    user_id: UserId,
    name: &str,
    declared: Option<&str>,
    caption: &str,
    mut file: IncomingFile,
) -> AppResult<PreparedUpload> {
    // Checked before the file is read and stored.
    let checked = async {
        let declared = match declared {
            None | Some("") => None,
            Some(k) => Some(AttachmentKind::parse(k).ok_or(InputError::FileNotAllowed)?),
        };
        let caption = caption.trim();
        let caption = if caption.is_empty() {
            None
        } else {
            Some(clean_body(caption)?)
        };
        crate::acting::limit(ctx, "upload", &user_id.to_string(), 60, 3600).await?;
        AppResult::Ok((declared, caption))
    };
    let (declared, caption) = match checked.await {
        Ok(checked) => checked,
        Err(e) => {
            file.discard_rest().await;
            return Err(e);
        }
    };
    let id = AttachmentId::new();
    let blob = id.to_string();
    let stored = incoming::store(ctx, &blob, name, declared, file).await?;
    let thumbnail = match &stored.thumbnail {
        Some(t) => match ctx.key.encrypt(t) {
            Ok(sealed) => Some(sealed),
            Err(e) => {
                blobs::discard(ctx, &blob).await;
                return Err(e);
            }
        },
        None => None,
    };
    Ok(PreparedUpload {
        id,
        blob,
        body: caption.unwrap_or_else(|| stored.name.clone()),
        name: stored.name,
        kind: stored.kind.as_str(),
        content_type: stored.content_type.to_string(),
        size: stored.size as i64,
        width: stored.width.map(i64::from),
        height: stored.height.map(i64::from),
        thumbnail,
    })
}

/// Stores a prepared file as a new message of the thread (in the caller's
/// transaction), moves the author's read mark and logs the event. The
/// caller checked the thread and audits.
pub(crate) async fn insert_upload(
    ctx: &Ctx,
    tx: &mut cercle_store::Conn,
    t: &cercle_store::threads::ThreadRow,
    user_id: UserId,
    prepared: &PreparedUpload,
    now: Timestamp,
    lang: Language,
) -> AppResult<(MessageView, AttachmentRow)> {
    let thread_id = t.id;
    // The message and its file go in together; the event carries both.
    let numbered = store::next_seq(&mut *tx, thread_id, user_id, false, now).await?;
    let seq = numbered.last_seq;
    let message_id = MessageId::new();
    let row = store::MessageRow {
        id: message_id,
        thread_id,
        seq,
        author_id: user_id,
        body: prepared.body.clone(),
        priority: false,
        created_at: now.0,
        edited_at: None,
        retracted_at: None,
    };
    store::insert_message(&mut *tx, &row, &cercle_domain::search::fold(&prepared.body)).await?;
    let attachment = AttachmentRow {
        id: prepared.id,
        thread_id,
        message_id,
        name: prepared.name.clone(),
        kind: prepared.kind.to_string(),
        content_type: prepared.content_type.clone(),
        size: prepared.size,
        width: prepared.width,
        height: prepared.height,
        uploaded_by: user_id,
        created_at: now.0,
        has_thumbnail: prepared.thumbnail.is_some(),
        blob: Some(prepared.blob.clone()),
    };
    store::insert_attachment(&mut *tx, &attachment, prepared.thumbnail.as_deref()).await?;
    store::mark_read(&mut *tx, thread_id, user_id, seq, now).await?;
    let view = message_views(&mut *tx, thread_id, vec![row], lang)
        .await?
        .pop()
        .ok_or(AppError::NotFound)?;
    log_event(ctx, &mut *tx, thread_id, EventKind::Message, &view, now).await?;
    crate::notifications::on_message(&*ctx.bus, &mut *tx, t, user_id, message_id, false, None, numbered, now).await?;
    Ok((view, attachment))
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct GalleryItem {
    pub id: String,
    pub message_id: String,
    pub name: String,
    pub kind: String,
    pub content_type: String,
    pub size: i64,
    pub has_thumbnail: bool,
    pub uploaded_by: String,
    pub created_at: i64,
}

/// Every attachment of a thread, oldest first.
pub async fn gallery(ctx: &Ctx, principal: &Principal, thread_id: ThreadId) -> AppResult<Vec<GalleryItem>> {
    let me = crate::acting::person(principal)?;
    let mut conn = ctx.store.reader().await?;
    let t = reachable(&mut conn, me.user_id, thread_id).await?;
    Ok(store::attachments_of(&mut conn, t.id)
        .await?
        .into_iter()
        .map(|a| GalleryItem {
            id: a.id.to_string(),
            message_id: a.message_id.to_string(),
            name: a.name,
            kind: a.kind,
            content_type: a.content_type,
            size: a.size,
            has_thumbnail: a.has_thumbnail,
            uploaded_by: a.uploaded_by.to_string(),
            created_at: a.created_at,
        })
        .collect())
}

/// A file to send back.
pub struct Download {
    pub name: String,
    pub content_type: String,
    /// The whole file's size, in bytes.
    pub size: u64,
    /// What `body` holds.
    pub part: Part,
    /// The bytes, decrypted as they are sent.
    pub body: ByteStream,
}

/// The part of a file a download sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Whole,
    /// Bytes `first..=last` (a `Range` request).
    Range(u64, u64),
    /// The range asked lies past the end: nothing is sent (HTTP 416).
    Unsatisfiable,
}

/// Where the bytes of a download are.
enum Source {
    Blob(String),
    /// In the row (a thumbnail, or a file from before blobs), decrypted.
    Row(Vec<u8>),
}

/// An attachment (or its thumbnail), decrypted, for a participant only;
/// `range` asks for part of it.
pub async fn download(
    ctx: &Ctx,
    client: &Client,
    principal: &Principal,
    id: AttachmentId,
    thumbnail: bool,
    range: Option<ByteRange>,
) -> AppResult<Download> {
    let me = crate::acting::person(principal)?;
    let mut conn = ctx.store.reader().await?;
    let a = store::attachment(&mut conn, id).await?.ok_or(AppError::NotFound)?;
    let t = reachable(&mut conn, me.user_id, a.thread_id).await?;
    let in_row = match (&a.blob, thumbnail) {
        (Some(_), false) => None,
        _ => Some(
            store::attachment_data(&mut conn, id, thumbnail)
                .await?
                .ok_or(AppError::NotFound)?,
        ),
    };
    drop(conn);
    let source = match (in_row, &a.blob) {
        (Some(stored), _) => {
            let key = ctx.key.clone();
            Source::Row(
                tokio::task::spawn_blocking(move || key.decrypt(&stored))
                    .await
                    .map_err(|e| AppError::Internal(e.to_string()))??,
            )
        }
        (None, Some(blob)) => Source::Blob(blob.clone()),
        (None, None) => return Err(AppError::NotFound),
    };
    let size = match &source {
        Source::Row(bytes) => bytes.len() as u64,
        Source::Blob(_) => u64::try_from(a.size).map_err(|e| AppError::Internal(e.to_string()))?,
    };
    let content_type = if thumbnail { "image/jpeg".into() } else { a.content_type };
    let (part, first, last) = match range.map(|r| r.resolve(size)) {
        None => (Part::Whole, 0, size.saturating_sub(1)),
        Some(Some((first, last))) => (Part::Range(first, last), first, last),
        Some(None) => {
            // Nothing of the file is read nor sent: no access to record.
            return Ok(Download {
                name: a.name,
                content_type,
                size,
                part: Part::Unsatisfiable,
                body: Box::pin(futures_util::stream::empty()),
            });
        }
    };
    if t.patient_file_id.is_some() && !thumbnail {
        // Each request is recorded, ranges too (a player asks for a video
        // in several).
        let mut ev = NewAuditEvent::new(
            Actor::User(me.user_id),
            "thread.attachment_read",
            AuditAction::Read,
            "attachment",
        )
        .target(id)
        .scope("thread", t.id)
        .ip(client.ip.clone());
        ev.org_id = t.org_id.map(String::from);
        if let Some(p) = t.patient_file_id {
            ev = ev.scope("patient", p);
        }
        audit::record_alone(ctx, ev).await?;
    }
    let body: ByteStream = match source {
        Source::Blob(_) if size == 0 => Box::pin(futures_util::stream::empty()),
        Source::Blob(blob) => blobs::stream_range(blobs::open(ctx, &blob, size).await?, first, last).await?,
        Source::Row(mut bytes) => {
            bytes.truncate(last.saturating_add(1) as usize);
            bytes.drain(..first as usize);
            Box::pin(futures_util::stream::once(async move { Ok(bytes) }))
        }
    };
    Ok(Download {
        name: a.name,
        content_type,
        size,
        part,
        body,
    })
}
