//! Care channels (SPEC 5): a patient file's channels, their participants
//! (people, teams, members of the patient's circle), their threads and
//! their pinned documents with every version.

use crate::profiles::placeholders;
use crate::threads::{ListedThread, THREAD_COLUMNS};
use crate::{conflict, flag, Conn, Result};
use cercle_domain::circle::{ChannelParticipantKind, CircleSection, MemberState};
use cercle_domain::{
    AttachmentId, ChannelId, CircleMemberId, OrgId, PatientFileId, PinnedDocumentId, TeamId, ThreadId, Timestamp,
    UserId,
};
use sqlx::any::AnyRow;
use sqlx::Row;

// ---- Channels -------------------------------------------------------------------

#[derive(Debug, Clone)]
pub struct ChannelRow {
    pub id: ChannelId,
    pub patient_file_id: PatientFileId,
    pub org_id: String,
    pub title: String,
    pub created_by: UserId,
    pub created_at: i64,
    /// Set by the first message; a channel without it is a draft only its
    /// creator sees.
    pub started_at: Option<i64>,
}

const CHANNEL_COLUMNS: &str = "c.id, c.patient_file_id, c.org_id, c.title, c.created_by, c.created_at, c.started_at";

fn map_channel(r: &AnyRow) -> std::result::Result<ChannelRow, sqlx::Error> {
    Ok(ChannelRow {
        id: r.try_get("id")?,
        patient_file_id: r.try_get("patient_file_id")?,
        org_id: r.try_get("org_id")?,
        title: r.try_get("title")?,
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
        started_at: r.try_get("started_at")?,
    })
}

fn map_channels(rows: &[AnyRow]) -> Result<Vec<ChannelRow>> {
    Ok(rows.iter().map(map_channel).collect::<std::result::Result<_, _>>()?)
}

pub async fn insert_channel(conn: &mut Conn, c: &ChannelRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO care_channels (id, patient_file_id, org_id, title, created_by, created_at, started_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(c.id)
    .bind(c.patient_file_id)
    .bind(&c.org_id)
    .bind(&c.title)
    .bind(c.created_by)
    .bind(c.created_at)
    .bind(c.started_at)
    .execute(conn)
    .await
    .map_err(conflict)?;
    Ok(())
}

pub async fn channel(conn: &mut Conn, id: ChannelId) -> Result<Option<ChannelRow>> {
    let row = sqlx::query(&format!(
        "SELECT {CHANNEL_COLUMNS} FROM care_channels c WHERE c.id = $1"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await?;
    Ok(row.as_ref().map(map_channel).transpose()?)
}

/// Marks the channel started (its first message); false when it already was.
pub async fn set_started(conn: &mut Conn, id: ChannelId, now: Timestamp) -> Result<bool> {
    let done = sqlx::query("UPDATE care_channels SET started_at = $1 WHERE id = $2 AND started_at IS NULL")
        .bind(now.0)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// ` OR (p.kind = 'team' AND p.participant_id IN (...))` from `$start`.
fn team_cond(start: usize, teams: &[TeamId]) -> String {
    if teams.is_empty() {
        String::new()
    } else {
        format!(
            " OR (p.kind = 'team' AND p.participant_id IN ({}))",
            placeholders(start, teams.len())
        )
    }
}

/// The channels a professional reaches in an organization: those where
/// they (or one of `teams`) take part, started, or drafts they created.
/// With `file_id`, only that file's.
pub async fn channels_of_professional(
    conn: &mut Conn,
    user_id: UserId,
    teams: &[TeamId],
    org_id: OrgId,
    file_id: Option<PatientFileId>,
) -> Result<Vec<ChannelRow>> {
    let sql = format!(
        "SELECT {CHANNEL_COLUMNS} FROM care_channels c WHERE c.org_id = $2 \
           AND ($3 = '' OR c.patient_file_id = $3) \
           AND (c.started_at IS NOT NULL OR c.created_by = $1) \
           AND EXISTS (SELECT 1 FROM channel_participants p WHERE p.channel_id = c.id \
             AND ((p.kind = 'user' AND p.participant_id = $1){})) \
         ORDER BY COALESCE(c.started_at, c.created_at) DESC, c.id LIMIT 500",
        team_cond(4, teams)
    );
    // No file: '' (no file's id), which the query reads as "every file".
    let file = file_id.map_or_else(String::new, |f| f.to_string());
    let mut q = sqlx::query(&sql).bind(user_id).bind(org_id).bind(file);
    for t in teams {
        q = q.bind(t);
    }
    map_channels(&q.fetch_all(conn).await?)
}

/// The started channels where the person is a joined member of the
/// patient's circle (their care teams).
pub async fn channels_of_circle_user(conn: &mut Conn, user_id: UserId) -> Result<Vec<ChannelRow>> {
    let rows = sqlx::query(&format!(
        "SELECT {CHANNEL_COLUMNS} FROM care_channels c WHERE c.started_at IS NOT NULL \
           AND EXISTS (SELECT 1 FROM channel_participants p JOIN circle_members m ON m.id = p.participant_id \
             WHERE p.channel_id = c.id AND p.kind = 'circle' AND m.user_id = $1 AND m.state = 'joined') \
         ORDER BY c.title, c.id LIMIT 500"
    ))
    .bind(user_id)
    .fetch_all(conn)
    .await?;
    map_channels(&rows)
}

// ---- Participants -----------------------------------------------------------------

/// `participant_id` is the id of a user, a team or a circle member, as
/// `kind` says: text, since it is any of three kinds of id.
pub async fn add_participant(
    conn: &mut Conn,
    channel_id: ChannelId,
    kind: ChannelParticipantKind,
    participant_id: &str,
    added_by: Option<UserId>,
    now: Timestamp,
) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO channel_participants (channel_id, kind, participant_id, added_by, added_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
    )
    .bind(channel_id)
    .bind(kind)
    .bind(participant_id)
    .bind(added_by)
    .bind(now.0)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn remove_participant(
    conn: &mut Conn,
    channel_id: ChannelId,
    kind: ChannelParticipantKind,
    participant_id: &str,
) -> Result<bool> {
    let done =
        sqlx::query("DELETE FROM channel_participants WHERE channel_id = $1 AND kind = $2 AND participant_id = $3")
            .bind(channel_id)
            .bind(kind)
            .bind(participant_id)
            .execute(conn)
            .await?;
    Ok(done.rows_affected() == 1)
}

/// (kind, id) of a channel's participants, in the order they were added;
/// the id is a user's, a team's or a circle member's as the kind says (text:
/// any of three kinds of id).
pub async fn participants(conn: &mut Conn, channel_id: ChannelId) -> Result<Vec<(ChannelParticipantKind, String)>> {
    let rows = sqlx::query(
        "SELECT kind, participant_id FROM channel_participants WHERE channel_id = $1 ORDER BY added_at, kind, participant_id",
    )
    .bind(channel_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("kind")?, r.try_get("participant_id")?)))
        .collect::<std::result::Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

/// A member of the patient's circle taking part in a channel.
#[derive(Debug, Clone)]
pub struct CircleParticipant {
    pub member_id: CircleMemberId,
    pub first_name: String,
    pub last_name: String,
    pub section: CircleSection,
    pub state: MemberState,
    pub user_id: Option<UserId>,
}

/// The circle members of a channel, with their section and state.
pub async fn circle_participants(conn: &mut Conn, channel_id: ChannelId) -> Result<Vec<CircleParticipant>> {
    let rows = sqlx::query(
        "SELECT m.id AS member_id, m.first_name, m.last_name, m.section, m.state, m.user_id FROM channel_participants p \
           JOIN circle_members m ON m.id = p.participant_id \
         WHERE p.channel_id = $1 AND p.kind = 'circle' ORDER BY p.added_at, m.id",
    )
    .bind(channel_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(CircleParticipant {
                member_id: r.try_get("member_id")?,
                first_name: r.try_get("first_name")?,
                last_name: r.try_get("last_name")?,
                section: r.try_get("section")?,
                state: r.try_get("state")?,
                user_id: r.try_get("user_id")?,
            })
        })
        .collect::<std::result::Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

/// Whether the person (or one of `teams`) takes part in the channel.
pub async fn professional_takes_part(
    conn: &mut Conn,
    channel_id: ChannelId,
    user_id: UserId,
    teams: &[TeamId],
) -> Result<bool> {
    let sql = format!(
        "SELECT COUNT(*) AS n FROM channel_participants p WHERE p.channel_id = $1 \
           AND ((p.kind = 'user' AND p.participant_id = $2){})",
        team_cond(3, teams)
    );
    let mut q = sqlx::query(&sql).bind(channel_id).bind(user_id);
    for t in teams {
        q = q.bind(t);
    }
    Ok(q.fetch_one(conn).await?.try_get::<i64, _>("n")? > 0)
}

/// The sections (patient, responsible, observer) in which the person, as a
/// joined member of the circle, takes part in the channel.
pub async fn circle_sections(conn: &mut Conn, channel_id: ChannelId, user_id: UserId) -> Result<Vec<CircleSection>> {
    let rows = sqlx::query(
        "SELECT m.section FROM channel_participants p JOIN circle_members m ON m.id = p.participant_id \
         WHERE p.channel_id = $1 AND p.kind = 'circle' AND m.user_id = $2 AND m.state = 'joined'",
    )
    .bind(channel_id)
    .bind(user_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| r.try_get("section"))
        .collect::<std::result::Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

// ---- Threads of a channel ---------------------------------------------------------

/// The channel's threads, open or closed, newest activity first, with the
/// reader's unread count.
pub async fn threads_of_channel(
    conn: &mut Conn,
    channel_id: ChannelId,
    user_id: UserId,
    closed: bool,
    limit: i64,
) -> Result<Vec<ListedThread>> {
    let closed_cond = if closed {
        "t.closed_at IS NOT NULL"
    } else {
        "t.closed_at IS NULL"
    };
    let sql = format!(
        "SELECT {THREAD_COLUMNS}, \
           (SELECT COUNT(*) FROM messages m WHERE m.thread_id = t.id AND m.author_id <> $2 \
              AND m.seq > COALESCE((SELECT r.last_read_seq FROM thread_reads r WHERE r.thread_id = t.id AND r.user_id = $2), 0)) AS unread, \
           COALESCE((SELECT r.marked_unread FROM thread_reads r WHERE r.thread_id = t.id AND r.user_id = $2), 0) AS marked \
         FROM threads t WHERE t.channel_id = $1 AND {closed_cond} \
         ORDER BY t.last_activity_at DESC, t.id LIMIT $3"
    );
    let rows = sqlx::query(&sql)
        .bind(channel_id)
        .bind(user_id)
        .bind(limit)
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(ListedThread {
                thread: crate::threads::map_thread(r)?,
                unread: r.try_get("unread")?,
                marked_unread: flag(r.try_get("marked")?),
            })
        })
        .collect::<std::result::Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

// ---- Pinned documents -------------------------------------------------------------

#[derive(Debug, Clone)]
pub struct PinnedRow {
    pub id: PinnedDocumentId,
    pub channel_id: ChannelId,
    pub name: String,
    pub pinned_by: UserId,
    pub pinned_at: i64,
    pub current_version: i64,
}

#[derive(Debug, Clone)]
pub struct PinnedVersionRow {
    pub document_id: PinnedDocumentId,
    pub version: i64,
    pub attachment_id: AttachmentId,
    pub thread_id: ThreadId,
    pub added_by: UserId,
    pub added_at: i64,
}

const PINNED_COLUMNS: &str = "id, channel_id, name, pinned_by, pinned_at, current_version";

fn map_pinned(r: &AnyRow) -> std::result::Result<PinnedRow, sqlx::Error> {
    Ok(PinnedRow {
        id: r.try_get("id")?,
        channel_id: r.try_get("channel_id")?,
        name: r.try_get("name")?,
        pinned_by: r.try_get("pinned_by")?,
        pinned_at: r.try_get("pinned_at")?,
        current_version: r.try_get("current_version")?,
    })
}

pub async fn insert_pinned(conn: &mut Conn, d: &PinnedRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO pinned_documents (id, channel_id, name, pinned_by, pinned_at, current_version) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(d.id)
    .bind(d.channel_id)
    .bind(&d.name)
    .bind(d.pinned_by)
    .bind(d.pinned_at)
    .bind(d.current_version)
    .execute(conn)
    .await
    .map_err(conflict)?;
    Ok(())
}

pub async fn pinned(conn: &mut Conn, id: PinnedDocumentId) -> Result<Option<PinnedRow>> {
    let row = sqlx::query(&format!("SELECT {PINNED_COLUMNS} FROM pinned_documents WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?;
    Ok(row.as_ref().map(map_pinned).transpose()?)
}

pub async fn pinned_of_channel(conn: &mut Conn, channel_id: ChannelId) -> Result<Vec<PinnedRow>> {
    let rows = sqlx::query(&format!(
        "SELECT {PINNED_COLUMNS} FROM pinned_documents WHERE channel_id = $1 ORDER BY pinned_at, id"
    ))
    .bind(channel_id)
    .fetch_all(conn)
    .await?;
    Ok(rows.iter().map(map_pinned).collect::<std::result::Result<_, _>>()?)
}

/// The pinned document of a channel having this attachment as a version.
pub async fn pinned_with_attachment(
    conn: &mut Conn,
    channel_id: ChannelId,
    attachment_id: AttachmentId,
) -> Result<Option<PinnedDocumentId>> {
    let row = sqlx::query(
        "SELECT d.id AS document_id FROM pinned_documents d JOIN pinned_versions v ON v.document_id = d.id \
         WHERE d.channel_id = $1 AND v.attachment_id = $2",
    )
    .bind(channel_id)
    .bind(attachment_id)
    .fetch_optional(conn)
    .await?;
    Ok(match row {
        Some(r) => Some(r.try_get("document_id")?),
        None => None,
    })
}

/// Adds a version and makes it the document's current one.
pub async fn add_version(conn: &mut Conn, v: &PinnedVersionRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO pinned_versions (document_id, version, attachment_id, thread_id, added_by, added_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(v.document_id)
    .bind(v.version)
    .bind(v.attachment_id)
    .bind(v.thread_id)
    .bind(v.added_by)
    .bind(v.added_at)
    .execute(&mut *conn)
    .await
    .map_err(conflict)?;
    sqlx::query("UPDATE pinned_documents SET current_version = $1 WHERE id = $2 AND current_version < $1")
        .bind(v.version)
        .bind(v.document_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Every version of the channel's pinned documents, oldest first.
pub async fn versions_of_channel(conn: &mut Conn, channel_id: ChannelId) -> Result<Vec<PinnedVersionRow>> {
    let rows = sqlx::query(
        "SELECT v.document_id, v.version, v.attachment_id, v.thread_id, v.added_by, v.added_at \
         FROM pinned_versions v JOIN pinned_documents d ON d.id = v.document_id \
         WHERE d.channel_id = $1 ORDER BY v.document_id, v.version",
    )
    .bind(channel_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(PinnedVersionRow {
                document_id: r.try_get("document_id")?,
                version: r.try_get("version")?,
                attachment_id: r.try_get("attachment_id")?,
                thread_id: r.try_get("thread_id")?,
                added_by: r.try_get("added_by")?,
                added_at: r.try_get("added_at")?,
            })
        })
        .collect::<std::result::Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

/// (attachment id, name, kind, thread id, thread title, thread title's
/// system text, uploaded at) of the files posted in the channel's threads,
/// newest first.
pub type ChannelAttachment = (AttachmentId, String, String, ThreadId, String, Option<String>, i64);

/// The files posted in the channel's threads, newest first.
pub async fn attachments_of_channel(
    conn: &mut Conn,
    channel_id: ChannelId,
    limit: i64,
) -> Result<Vec<ChannelAttachment>> {
    let rows = sqlx::query(
        "SELECT a.id AS attachment_id, a.name, a.kind, t.id AS thread_id, t.title, t.title_text, a.created_at \
         FROM attachments a JOIN threads t ON t.id = a.thread_id \
         WHERE t.channel_id = $1 ORDER BY a.created_at DESC, a.id LIMIT $2",
    )
    .bind(channel_id)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("attachment_id")?,
                r.try_get("name")?,
                r.try_get("kind")?,
                r.try_get("thread_id")?,
                r.try_get("title")?,
                r.try_get("title_text")?,
                r.try_get("created_at")?,
            ))
        })
        .collect::<std::result::Result<_, sqlx::Error>>()
        .map_err(Into::into)
}
