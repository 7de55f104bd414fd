//! What a participant sees of a thread: the shapes the pages, the API and
//! the other use cases share, and [`message_views`], which builds messages
//! as their readers see them.

use super::input::MAX_TITLE_CHARS;
use crate::network::people::summaries;
use crate::texts::SystemText;
use crate::AppResult;
use cercle_domain::threads::ParticipantKind;
use cercle_domain::{Language, ThreadId, UserId};
use cercle_store::threads::{self as store, MessageRow, ThreadRow};
use cercle_store::Conn;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Someone or a team in a thread.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ParticipantRef {
    /// user | team
    pub kind: String,
    pub id: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ParticipantView {
    pub kind: ParticipantKind,
    pub id: String,
    pub name: String,
    /// Takes part through the thread's care channel (managed on the
    /// channel, not on the thread).
    pub via_channel: bool,
    /// For the patient's circle: patient | responsible | observer.
    pub section: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Closed {
    pub by_id: Option<String>,
    pub by_name: String,
    pub at: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PatientRef {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ThreadView {
    pub id: String,
    pub kind: String,
    /// In the reader's language when Cercle wrote it (`title_text`).
    pub title: String,
    /// The title's message key and arguments when Cercle wrote it.
    pub title_text: Option<SystemText>,
    pub org_id: Option<String>,
    pub patient: Option<PatientRef>,
    pub high_priority: bool,
    pub created_by: String,
    pub created_at: i64,
    pub closed: Option<Closed>,
    pub participants: Vec<ParticipantView>,
    pub last_seq: i64,
    /// One's own draft, restored on any device.
    pub draft: Option<String>,
    /// Per participating team: in its triage box or assigned, and to whom.
    pub teams: Vec<TriageView>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Author {
    pub id: String,
    pub name: String,
    pub profession: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AttachmentView {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub content_type: String,
    pub size: i64,
    pub width: Option<i64>,
    pub height: Option<i64>,
    pub has_thumbnail: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MessageView {
    pub id: String,
    pub thread_id: String,
    pub seq: i64,
    pub author: Author,
    /// Empty once retracted.
    pub body: String,
    pub priority: bool,
    pub created_at: i64,
    pub edited_at: Option<i64>,
    pub retracted_at: Option<i64>,
    pub attachments: Vec<AttachmentView>,
    /// Who read up to this message (ids), the author excluded.
    pub seen_by: Vec<String>,
    /// Who acknowledged this (high-priority) message.
    pub acknowledged_by: Vec<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ListedThread {
    pub id: String,
    pub kind: String,
    /// In the reader's language when Cercle wrote it (`title_text`).
    pub title: String,
    pub title_text: Option<SystemText>,
    pub high_priority: bool,
    pub closed: bool,
    pub unread: i64,
    pub marked_unread: bool,
    pub last_activity_at: i64,
    pub patient_file_id: Option<String>,
}

/// A thread's title as `lang` reads it, and its system text if any.
pub(crate) fn title_of(t: &ThreadRow, lang: Language) -> (String, Option<SystemText>) {
    let text = SystemText::stored(t.title_text.as_deref());
    let title = match &text {
        Some(x) => x.render(lang, MAX_TITLE_CHARS),
        None => t.title.clone(),
    };
    (title, text)
}

impl ListedThread {
    pub(crate) fn of(l: store::ListedThread, lang: Language) -> Self {
        let (title, title_text) = title_of(&l.thread, lang);
        ListedThread {
            id: l.thread.id.to_string(),
            kind: l.thread.kind.as_str().into(),
            title,
            title_text,
            high_priority: l.thread.high_priority,
            closed: l.thread.closed_at.is_some(),
            unread: l.unread,
            marked_unread: l.marked_unread,
            last_activity_at: l.thread.last_activity_at,
            patient_file_id: l.thread.patient_file_id.map(String::from),
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TriageView {
    pub team_id: String,
    pub team_name: String,
    /// in_triage | assigned
    pub state: String,
    pub responsible_id: Option<String>,
    pub responsible_name: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FoundMessage {
    pub thread_id: String,
    pub thread_title: String,
    pub message_id: String,
    pub seq: i64,
    pub excerpt: String,
    pub created_at: i64,
}

/// Builds message views with authors, attachments, readers and acknowledgements.
pub(crate) async fn message_views(
    conn: &mut Conn,
    thread_id: ThreadId,
    rows: Vec<MessageRow>,
    lang: Language,
) -> AppResult<Vec<MessageView>> {
    let mut author_ids: Vec<UserId> = rows.iter().map(|m| m.author_id).collect();
    author_ids.sort();
    author_ids.dedup();
    // An author no longer found shows as a former user.
    let authors: HashMap<UserId, _> = summaries(&mut *conn, &author_ids, lang)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let attachments = store::attachments_of(&mut *conn, thread_id).await?;
    let reads = store::reads(&mut *conn, thread_id).await?;
    let acks = store::acks(&mut *conn, thread_id).await?;
    Ok(rows
        .into_iter()
        .map(|m| {
            let author = match authors.get(&m.author_id) {
                Some(p) => Author {
                    id: p.id.to_string(),
                    name: p.name.clone(),
                    profession: p.professions.first().map(|b| b.name.clone()),
                },
                None => Author {
                    id: m.author_id.to_string(),
                    name: cercle_i18n::t(lang, "former-user"),
                    profession: None,
                },
            };
            MessageView {
                attachments: attachments
                    .iter()
                    .filter(|a| a.message_id == m.id)
                    .map(|a| AttachmentView {
                        id: a.id.to_string(),
                        name: a.name.clone(),
                        kind: a.kind.clone(),
                        content_type: a.content_type.clone(),
                        size: a.size,
                        width: a.width,
                        height: a.height,
                        has_thumbnail: a.has_thumbnail,
                    })
                    .collect(),
                seen_by: reads
                    .iter()
                    .filter(|(u, seq)| *seq >= m.seq && *u != m.author_id)
                    .map(|(u, _)| u.to_string())
                    .collect(),
                acknowledged_by: acks
                    .iter()
                    .filter(|(mid, _, _)| *mid == m.id)
                    .map(|(_, u, _)| u.to_string())
                    .collect(),
                author,
                id: m.id.to_string(),
                thread_id: m.thread_id.to_string(),
                seq: m.seq,
                body: m.body,
                priority: m.priority,
                created_at: m.created_at,
                edited_at: m.edited_at,
                retracted_at: m.retracted_at,
            }
        })
        .collect())
}
