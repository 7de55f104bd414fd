//! Attachments: checked from their content ([`super::uploads`]), photos
//! stripped of metadata with a thumbnail, encrypted at rest with the
//! server key, served only to the thread's participants. An upload is one
//! message carrying the file (and an optional caption); it is stored whole
//! in one transaction or not at all.

use super::access::{reachable, writable};
use super::events::{commit, log_event};
use super::input::clean_body;
use super::uploads::{self as files, AttachmentKind, FileError};
use super::views::{message_views, MessageView};
use crate::{audit, AppError, AppResult, Client, Ctx};
use cercle_domain::audit::{Actor, AuditAction, NewAuditEvent};
use cercle_domain::events::EventKind;
use cercle_domain::policy::Principal;
use cercle_domain::{AttachmentId, InputError, Language, MessageId, ThreadId, Timestamp, UserId};
use cercle_store::threads::{self as store, AttachmentRow};
use serde::Serialize;

fn file_error(e: FileError) -> AppError {
    AppError::Input(match e {
        FileError::Empty => InputError::FileEmpty,
        FileError::TooLarge { .. } => InputError::FileTooLarge,
        FileError::NotAllowed => InputError::FileNotAllowed,
        FileError::Mismatch => InputError::FileMismatch,
        FileError::Damaged => InputError::FileDamaged,
    })
}

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
    bytes: Vec<u8>,
    lang: Language,
) -> AppResult<MessageView> {
    let me = crate::acting::person(principal)?;
    let user_id = me.user_id;
    {
        // Refuse early, before any processing, if the thread is not theirs.
        let mut conn = ctx.store.reader().await?;
        let t = writable(&mut conn, user_id, thread_id).await?;
        if t.closed_at.is_some() {
            return Err(AppError::Conflict("thread-closed"));
        }
    }
    let prepared = prepare_upload(ctx, user_id, name, declared, caption, bytes).await?;
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    crate::idempotency::claim_in(&mut tx, client, now).await?;
    let t = writable(&mut tx, user_id, thread_id).await?;
    if t.closed_at.is_some() {
        return Err(AppError::Conflict("thread-closed"));
    }
    let (view, attachment) = insert_upload(ctx, &mut tx, &t, user_id, &prepared, now, lang).await?;
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

/// A file checked, re-encoded when a photo, and encrypted, ready to store
/// with its message.
pub(crate) struct PreparedUpload {
    pub name: String,
    kind: &'static str,
    content_type: String,
    size: i64,
    width: Option<i64>,
    height: Option<i64>,
    data: String,
    thumbnail: Option<String>,
    /// The message's text: the caption, or the file's name.
    body: String,
}

/// Checks a file from its content and encrypts it (the uploads limit
/// counts it), before any transaction.
pub(crate) async fn prepare_upload(
    ctx: &Ctx,
    user_id: UserId,
    name: &str,
    declared: Option<&str>,
    caption: &str,
    bytes: Vec<u8>,
) -> AppResult<PreparedUpload> {
    let declared = match declared {
        None | Some("") => None,
        Some(k) => Some(AttachmentKind::parse(k).ok_or(InputError::FileNotAllowed)?),
    };
    crate::acting::limit(ctx, "upload", &user_id.to_string(), 60, 3600).await?;
    let name = name.to_string();
    let prepared = tokio::task::spawn_blocking(move || files::prepare(&name, declared, &bytes))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(file_error)?;
    let caption = caption.trim();
    let body = if caption.is_empty() {
        prepared.name.clone()
    } else {
        clean_body(caption)?
    };
    let key = ctx.key.clone();
    let data_bytes = prepared.bytes.clone();
    let thumb_bytes = prepared.thumbnail.clone();
    let (data, thumbnail) = tokio::task::spawn_blocking(move || -> AppResult<(String, Option<String>)> {
        let data = key.encrypt(&data_bytes)?;
        let thumb = match thumb_bytes {
            Some(t) => Some(key.encrypt(&t)?),
            None => None,
        };
        Ok((data, thumb))
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))??;
    Ok(PreparedUpload {
        name: prepared.name.clone(),
        kind: prepared.kind.as_str(),
        content_type: prepared.content_type.to_string(),
        size: prepared.bytes.len() as i64,
        width: prepared.width.map(i64::from),
        height: prepared.height.map(i64::from),
        data,
        thumbnail,
        body,
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
    let seq = store::next_seq(&mut *tx, thread_id, now).await?;
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
        id: AttachmentId::new(),
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
    };
    store::insert_attachment(&mut *tx, &attachment, &prepared.data, prepared.thumbnail.as_deref()).await?;
    store::mark_read(&mut *tx, thread_id, user_id, seq, now).await?;
    let view = message_views(&mut *tx, thread_id, vec![row], lang)
        .await?
        .pop()
        .ok_or(AppError::NotFound)?;
    log_event(ctx, &mut *tx, thread_id, EventKind::Message, &view, now).await?;
    let (author, message) = (user_id.to_string(), message_id.to_string());
    crate::notifications::on_message(&*ctx.bus, &mut *tx, t, &author, &message, false, now).await?;
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
    pub bytes: Vec<u8>,
}

/// An attachment (or its thumbnail), decrypted, for a participant only.
pub async fn download(
    ctx: &Ctx,
    client: &Client,
    principal: &Principal,
    id: AttachmentId,
    thumbnail: bool,
) -> AppResult<Download> {
    let me = crate::acting::person(principal)?;
    let mut conn = ctx.store.reader().await?;
    let a = store::attachment(&mut conn, id).await?.ok_or(AppError::NotFound)?;
    let t = reachable(&mut conn, me.user_id, a.thread_id).await?;
    let stored = store::attachment_data(&mut conn, id, thumbnail)
        .await?
        .ok_or(AppError::NotFound)?;
    drop(conn);
    if t.patient_file_id.is_some() && !thumbnail {
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
    let key = ctx.key.clone();
    let bytes = tokio::task::spawn_blocking(move || key.decrypt(&stored))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))??;
    Ok(Download {
        name: a.name,
        content_type: if thumbnail { "image/jpeg".into() } else { a.content_type },
        bytes,
    })
}
