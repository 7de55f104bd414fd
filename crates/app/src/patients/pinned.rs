//! Pinned documents of a care channel (SPEC 5): a professional of the
//! channel pins an attachment of one of its threads; "update" uploads a new
//! version, which opens a thread in the channel ("Updated document: name",
//! a system text shown in each reader's language) with the file, so every participant is notified through the event log.
//! Every version stays listed and downloadable through the attachment
//! download (the channel's participants reach its threads). Members of the
//! circle read them; they do not pin or update (403).

use super::channels::{self, ChannelRole};
use crate::texts::SystemText;
use crate::threads::attachments;
use crate::{audit, AppError, AppResult, Client, Ctx};
use cercle_domain::audit::AuditAction;
use cercle_domain::policy::Principal;
use cercle_domain::{AttachmentId, ChannelId, Language, PinnedDocumentId};
use cercle_store::channels::{self as store, PinnedRow, PinnedVersionRow};
use cercle_store::threads as threads_store;
use cercle_store::{network, Conn};
use serde::Serialize;
use std::collections::HashMap;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PinnedVersion {
    pub version: i64,
    pub attachment_id: String,
    pub thread_id: String,
    pub added_by: String,
    pub added_by_name: String,
    pub added_at: i64,
    pub size: i64,
    pub content_type: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PinnedDocument {
    pub id: String,
    pub channel_id: String,
    pub name: String,
    pub current_version: i64,
    pub pinned_by: String,
    pub pinned_at: i64,
    /// Oldest first.
    pub versions: Vec<PinnedVersion>,
}

async fn documents(
    conn: &mut Conn,
    channel_id: ChannelId,
    only: Option<PinnedDocumentId>,
) -> AppResult<Vec<PinnedDocument>> {
    let docs: Vec<PinnedRow> = store::pinned_of_channel(&mut *conn, channel_id)
        .await?
        .into_iter()
        .filter(|d| only.is_none_or(|id| d.id == id))
        .collect();
    let versions: Vec<PinnedVersionRow> = store::versions_of_channel(&mut *conn, channel_id).await?;
    let mut people: Vec<String> = versions.iter().map(|v| v.added_by.to_string()).collect();
    people.sort();
    people.dedup();
    let names: HashMap<String, String> = network::names(&mut *conn, &people).await?.into_iter().collect();
    let mut out = Vec::new();
    for d in docs {
        let mut list = Vec::new();
        for v in versions.iter().filter(|v| v.document_id == d.id) {
            let a = threads_store::attachment(&mut *conn, v.attachment_id).await?;
            let added_by = v.added_by.to_string();
            list.push(PinnedVersion {
                version: v.version,
                attachment_id: v.attachment_id.to_string(),
                thread_id: v.thread_id.to_string(),
                added_by_name: names.get(&added_by).cloned().unwrap_or_default(),
                added_by,
                added_at: v.added_at,
                size: a.as_ref().map(|a| a.size).unwrap_or(0),
                content_type: a.map(|a| a.content_type).unwrap_or_default(),
            });
        }
        out.push(PinnedDocument {
            id: d.id.to_string(),
            channel_id: d.channel_id.to_string(),
            name: d.name,
            current_version: d.current_version,
            pinned_by: d.pinned_by.to_string(),
            pinned_at: d.pinned_at,
            versions: list,
        });
    }
    Ok(out)
}

/// The channel's pinned documents with every version (audited list).
pub async fn list(
    ctx: &Ctx,
    client: &Client,
    principal: &Principal,
    channel_id: ChannelId,
) -> AppResult<Vec<PinnedDocument>> {
    let me = crate::acting::person(principal)?;
    let user_id = me.user_id;
    let mut conn = ctx.store.reader().await?;
    let (c, _) = channels::access(&mut conn, user_id, channel_id).await?;
    let docs = documents(&mut conn, c.id, None).await?;
    drop(conn);
    audit::record_alone(
        ctx,
        channels::event(me, &c, "channel.pinned_listed", AuditAction::List, client),
    )
    .await?;
    Ok(docs)
}

/// Pins an attachment of one of the channel's threads (professionals of the channel).
pub async fn pin(
    ctx: &Ctx,
    client: &Client,
    principal: &Principal,
    channel_id: ChannelId,
    attachment_id: AttachmentId,
) -> AppResult<PinnedDocument> {
    let me = crate::acting::person(principal)?;
    let user_id = me.user_id;
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    let (c, role) = channels::access(&mut tx, user_id, channel_id).await?;
    if role != ChannelRole::Professional {
        return Err(AppError::Forbidden);
    }
    let a = threads_store::attachment(&mut tx, attachment_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let t = threads_store::thread(&mut tx, a.thread_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if t.channel_id != Some(c.id) {
        return Err(AppError::NotFound);
    }
    if store::pinned_with_attachment(&mut tx, c.id, attachment_id)
        .await?
        .is_some()
    {
        return Err(AppError::Conflict("already-pinned"));
    }
    let doc = PinnedRow {
        id: PinnedDocumentId::new(),
        channel_id: c.id,
        name: a.name.clone(),
        pinned_by: user_id,
        pinned_at: now.0,
        current_version: 1,
    };
    store::insert_pinned(&mut tx, &doc).await?;
    store::add_version(
        &mut tx,
        &PinnedVersionRow {
            document_id: doc.id,
            version: 1,
            attachment_id,
            thread_id: t.id,
            added_by: a.uploaded_by,
            added_at: a.created_at,
        },
    )
    .await?;
    audit::record(
        &mut tx,
        channels::event(me, &c, "channel.document_pinned", AuditAction::Create, client)
            .scope("document", doc.id)
            .scope("attachment", a.id),
        now,
    )
    .await?;
    let out = documents(&mut tx, c.id, Some(doc.id))
        .await?
        .pop()
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(out)
}

/// Uploads a new version of a pinned document (professionals of the
/// channel): a new thread of the channel carries it, titled "Updated
/// document: name" (a system text: each reader reads it in their language;
/// the uploader's rendering is kept as the plain title), and notifies the
/// participants.
#[allow(clippy::too_many_arguments)]
pub async fn add_version(
    ctx: &Ctx,
    client: &Client,
    principal: &Principal,
    document_id: PinnedDocumentId,
    name: &str,
    declared: Option<&str>,
    mut file: attachments::IncomingFile,
    lang: Language,
) -> AppResult<PinnedDocument> {
    let me = crate::acting::person(principal)?;
    let user_id = me.user_id;
    // Refuse early, before any of the file is read. Without a name, the document's.
    let checked = async {
        let mut conn = ctx.store.reader().await?;
        let d = store::pinned(&mut conn, document_id).await?.ok_or(AppError::NotFound)?;
        let (c, role) = channels::access(&mut conn, user_id, d.channel_id).await?;
        if role != ChannelRole::Professional {
            return Err(AppError::Forbidden);
        }
        channels::require_open_file(&mut conn, &c).await?;
        Ok(if name.trim().is_empty() {
            d.name
        } else {
            name.to_string()
        })
    };
    let name = match checked.await {
        Ok(name) => name,
        Err(e) => {
            file.discard_rest().await;
            return Err(e);
        }
    };
    let prepared = attachments::prepare_upload(ctx, user_id, &name, declared, "", file).await?;
    attachments::naming_blob(ctx, &prepared, async {
        let now = ctx.clock.now();
        let mut tx = ctx.store.begin().await?;
        let d = store::pinned(&mut tx, document_id).await?.ok_or(AppError::NotFound)?;
        let (c, role) = channels::access(&mut tx, user_id, d.channel_id).await?;
        if role != ChannelRole::Professional {
            return Err(AppError::Forbidden);
        }
        channels::require_open_file(&mut tx, &c).await?;
        let text = SystemText::new("chan-updated-document", &[("name", &d.name)]);
        let title = text.render(lang, crate::threads::input::MAX_TITLE_CHARS);
        let t = channels::open_thread(ctx, &mut tx, &c, role, user_id, &title, Some(&text), false, now).await?;
        let (_, attachment) = attachments::insert_upload(ctx, &mut tx, &t, user_id, &prepared, now, lang).await?;
        crate::notifications::as_pinned_version(&mut tx, &t.id.to_string()).await?;
        let version = d.current_version + 1;
        store::add_version(
            &mut tx,
            &PinnedVersionRow {
                document_id: d.id,
                version,
                attachment_id: attachment.id,
                thread_id: t.id,
                added_by: user_id,
                added_at: now.0,
            },
        )
        .await?;
        audit::record(
            &mut tx,
            channels::event(me, &c, "channel.document_updated", AuditAction::Update, client)
                .scope("document", d.id)
                .scope("attachment", attachment.id)
                .scope("thread", t.id),
            now,
        )
        .await?;
        let out = documents(&mut tx, c.id, Some(d.id))
            .await?
            .pop()
            .ok_or(AppError::NotFound)?;
        crate::threads::events::commit(ctx, tx).await?;
        Ok(out)
    })
    .await
}

/// A file posted in one of the channel's threads, not pinned yet.
#[derive(Debug, Clone, Serialize)]
pub struct Pinnable {
    pub attachment_id: String,
    pub name: String,
    pub kind: String,
    pub thread_id: String,
    pub thread_title: String,
    pub added_at: i64,
}

/// The files a professional of the channel may pin (not pinned yet).
pub async fn pinnable(
    ctx: &Ctx,
    principal: &Principal,
    channel_id: ChannelId,
    lang: Language,
) -> AppResult<Vec<Pinnable>> {
    let me = crate::acting::person(principal)?;
    let user_id = me.user_id;
    let mut conn = ctx.store.reader().await?;
    let (c, role) = channels::access(&mut conn, user_id, channel_id).await?;
    if role != ChannelRole::Professional {
        return Ok(Vec::new());
    }
    let pinned: Vec<AttachmentId> = store::versions_of_channel(&mut conn, c.id)
        .await?
        .into_iter()
        .map(|v| v.attachment_id)
        .collect();
    Ok(store::attachments_of_channel(&mut conn, c.id, 100)
        .await?
        .into_iter()
        .filter(|(id, ..)| !pinned.contains(id))
        .map(
            |(attachment_id, name, kind, thread_id, thread_title, title_text, added_at)| Pinnable {
                attachment_id: attachment_id.to_string(),
                name,
                kind,
                thread_id: thread_id.to_string(),
                thread_title: crate::texts::shown(
                    &thread_title,
                    title_text.as_deref(),
                    lang,
                    crate::threads::input::MAX_TITLE_CHARS,
                ),
                added_at,
            },
        )
        .collect())
}
