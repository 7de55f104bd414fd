//! Threads, participants, messages, read state, acknowledgements, drafts,
//! attachments, who reaches a thread (directly or through its care
//! channel). The event log is in `events`; patient files in `patients`.

use crate::profiles::placeholders;
use crate::{conflict, flag, Conn, Result};
use cercle_domain::threads::{ParticipantKind, ThreadKind};
use cercle_domain::{AttachmentId, ChannelId, MessageId, OrgId, PatientFileId, TeamId, ThreadId, Timestamp, UserId};
use sqlx::any::AnyRow;
use sqlx::Row;

// ---- Threads ----------------------------------------------------------------

#[derive(Debug, Clone)]
pub struct ThreadRow {
    pub id: ThreadId,
    pub kind: ThreadKind,
    pub org_id: Option<OrgId>,
    pub patient_file_id: Option<PatientFileId>,
    pub title: String,
    /// A title Cercle wrote (JSON key and arguments), rendered in each
    /// reader's language; `None` for people's titles and older rows.
    pub title_text: Option<String>,
    pub high_priority: bool,
    pub created_by: UserId,
    pub created_at: i64,
    pub closed_at: Option<i64>,
    pub closed_by: Option<UserId>,
    pub last_seq: i64,
    pub last_activity_at: i64,
    /// The care channel the thread belongs to, if any.
    pub channel_id: Option<ChannelId>,
}

pub(crate) const THREAD_COLUMNS: &str =
    "t.id, t.kind, t.org_id, t.patient_file_id, t.title, t.title_text, t.high_priority, t.created_by, \
    t.created_at, t.closed_at, t.closed_by, t.last_seq, t.last_activity_at, t.channel_id";

pub(crate) fn map_thread(r: &AnyRow) -> std::result::Result<ThreadRow, sqlx::Error> {
    Ok(ThreadRow {
        id: r.try_get("id")?,
        kind: r.try_get("kind")?,
        org_id: r.try_get("org_id")?,
        patient_file_id: r.try_get("patient_file_id")?,
        title: r.try_get("title")?,
        title_text: r.try_get("title_text")?,
        high_priority: flag(r.try_get("high_priority")?),
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
        closed_at: r.try_get("closed_at")?,
        closed_by: r.try_get("closed_by")?,
        last_seq: r.try_get("last_seq")?,
        last_activity_at: r.try_get("last_activity_at")?,
        channel_id: r.try_get("channel_id")?,
    })
}

/// [`map_thread`] by rusqlite (`crate::inline`): the columns in
/// [`THREAD_COLUMNS`]' order.
pub(crate) fn map_thread_inline(c: &mut crate::inline::Cursor<'_, '_>) -> rusqlite::Result<ThreadRow> {
    Ok(ThreadRow {
        id: c.next()?,
        kind: c.next()?,
        org_id: c.next()?,
        patient_file_id: c.next()?,
        title: c.next()?,
        title_text: c.next()?,
        high_priority: flag(c.next()?),
        created_by: c.next()?,
        created_at: c.next()?,
        closed_at: c.next()?,
        closed_by: c.next()?,
        last_seq: c.next()?,
        last_activity_at: c.next()?,
        channel_id: c.next()?,
    })
}

pub struct NewThread<'a> {
    pub id: ThreadId,
    pub kind: ThreadKind,
    pub org_id: Option<OrgId>,
    pub patient_file_id: Option<PatientFileId>,
    pub title: &'a str,
    /// A system text's key and arguments (JSON), for titles Cercle writes.
    pub title_text: Option<&'a str>,
    pub folded_title: &'a str,
    pub high_priority: bool,
    pub created_by: UserId,
    pub direct_key: Option<&'a str>,
    pub channel_id: Option<ChannelId>,
}

pub async fn insert_thread(conn: &mut Conn, t: &NewThread<'_>, now: Timestamp) -> Result<()> {
    sqlx::query(
        "INSERT INTO threads (id, kind, org_id, patient_file_id, title, folded_title, high_priority, created_by, \
         created_at, last_activity_at, direct_key, channel_id, title_text) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10, $11, $12)",
    )
    .bind(t.id)
    .bind(t.kind)
    .bind(t.org_id)
    .bind(t.patient_file_id)
    .bind(t.title)
    .bind(t.folded_title)
    .bind(i64::from(t.high_priority))
    .bind(t.created_by)
    .bind(now.0)
    .bind(t.direct_key)
    .bind(t.channel_id)
    .bind(t.title_text)
    .execute(conn)
    .await
    .map_err(conflict)?;
    Ok(())
}

pub async fn thread(conn: &mut Conn, id: ThreadId) -> Result<Option<ThreadRow>> {
    let row = sqlx::query(&format!("SELECT {THREAD_COLUMNS} FROM threads t WHERE t.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?;
    Ok(row.as_ref().map(map_thread).transpose()?)
}

/// What a message post needs to know, in one statement (each statement
/// is a hop to the database's thread on SQLite, docs/benchmarks.md section
/// 18): the thread, whether the author takes part in it in person, the
/// author's active organization, and the author's name and first profession
/// (not rejected) as participants see them.
#[derive(Debug, Clone)]
pub struct PostFacts {
    pub thread: ThreadRow,
    /// A participant in person (the common case): they reach the thread
    /// as [`Reach::Participant`] whatever else is true.
    pub in_person: bool,
    pub active_org: Option<String>,
    /// `None` for an account deleted (or unknown).
    pub author_name: Option<String>,
    pub author_profession: Option<String>,
}

/// [`PostFacts`] of a thread for a person; `None` when the thread does not
/// exist. On SQLite, `Store::post_facts` reads them on the caller's thread
/// first.
pub async fn post_facts(conn: &mut Conn, thread_id: ThreadId, user_id: UserId) -> Result<Option<PostFacts>> {
    let row = sqlx::query(post_facts_sql())
        .bind(thread_id)
        .bind(user_id)
        .fetch_optional(conn)
        .await?;
    let Some(r) = row else { return Ok(None) };
    Ok(Some(PostFacts {
        thread: map_thread(&r)?,
        in_person: r.try_get::<i64, _>("in_person")? > 0,
        active_org: r.try_get("author_active_org")?,
        author_name: r.try_get("author_name")?,
        author_profession: r.try_get("author_profession")?,
    }))
}

/// [`post_facts`] by rusqlite on the caller's thread ([`crate::inline`]).
pub(crate) fn post_facts_inline(
    conn: &rusqlite::Connection,
    thread_id: ThreadId,
    user_id: UserId,
) -> rusqlite::Result<Option<PostFacts>> {
    use rusqlite::OptionalExtension;
    conn.prepare_cached(post_facts_sql())?
        .query_row(
            rusqlite::named_params! { "$1": thread_id.to_string(), "$2": user_id.to_string() },
            |r| {
                let mut c = crate::inline::Cursor::new(r);
                Ok(PostFacts {
                    thread: map_thread_inline(&mut c)?,
                    in_person: c.next::<i64>()? > 0,
                    active_org: c.next()?,
                    author_name: c.next()?,
                    author_profession: c.next()?,
                })
            },
        )
        .optional()
}

fn post_facts_sql() -> &'static str {
    static SQL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SQL.get_or_init(|| {
        format!(
            "SELECT {THREAD_COLUMNS}, \
               (SELECT COUNT(*) FROM thread_participants p WHERE p.thread_id = t.id \
                  AND p.kind = 'user' AND p.participant_id = $2) AS in_person, \
               u.active_org_id AS author_active_org, \
               CASE WHEN u.deleted_at IS NULL THEN u.name END AS author_name, \
               (SELECT f.profession FROM professions f WHERE f.user_id = u.id AND f.status <> 'rejected' \
                  ORDER BY f.created_at LIMIT 1) AS author_profession \
             FROM threads t LEFT JOIN users u ON u.id = $2 WHERE t.id = $1"
        )
    })
}

pub async fn direct_thread(conn: &mut Conn, key: &str) -> Result<Option<ThreadRow>> {
    let row = sqlx::query(&format!(
        "SELECT {THREAD_COLUMNS} FROM threads t WHERE t.direct_key = $1"
    ))
    .bind(key)
    .fetch_optional(conn)
    .await?;
    Ok(row.as_ref().map(map_thread).transpose()?)
}

pub async fn set_closed(conn: &mut Conn, id: ThreadId, closed: Option<(UserId, Timestamp)>) -> Result<bool> {
    let done = sqlx::query("UPDATE threads SET closed_at = $1, closed_by = $2 WHERE id = $3")
        .bind(closed.map(|(_, at)| at.0))
        .bind(closed.map(|(by, _)| by))
        .bind(id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn set_priority(conn: &mut Conn, id: ThreadId, high: bool) -> Result<()> {
    sqlx::query("UPDATE threads SET high_priority = $1 WHERE id = $2")
        .bind(i64::from(high))
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Where a thread's numbering stands after messages were numbered: its
/// last sequence number, and how many of its messages were normal (not
/// high priority), which unread notifications count from
/// (`notifications::Counting`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Numbered {
    pub last_seq: i64,
    pub normal_count: i64,
}

/// The next message number of a thread, for one message of `author`
/// (`high_priority` or not).
pub async fn next_seq(
    conn: &mut Conn,
    id: ThreadId,
    author: UserId,
    high_priority: bool,
    now: Timestamp,
) -> Result<Numbered> {
    take_seqs(conn, id, &[(author, high_priority)], now).await
}

/// Takes sequence numbers of a thread at once for `messages` (each one's
/// author and whether it is high priority, in order: the messages of one
/// batch); the new numbers are `last_seq - n + 1 ..= last_seq`. The thread
/// also counts the normal ones and keeps the author of the last of them
/// and the last author other than that one (see
/// `notifications::Counting`). Its row stays locked until the transaction
/// ends: on PostgreSQL, whoever freezes a notification's count locks it
/// first, and so waits for the messages being written
/// (`notifications::lock_threads`).
pub async fn take_seqs(conn: &mut Conn, id: ThreadId, messages: &[(UserId, bool)], now: Timestamp) -> Result<Numbered> {
    let n = messages.len() as i64;
    // Offsets from the first new number of the normal messages.
    let normal: Vec<(i64, UserId)> = messages
        .iter()
        .enumerate()
        .filter(|(_, (_, high))| !high)
        .map(|(i, (author, _))| (i as i64, *author))
        .collect();
    let mut sets = String::new();
    let mut binds: Vec<Authored> = Vec::new();
    if let Some(&(last_at, last)) = normal.last() {
        // The last author other than `last`: in this batch, or before it
        // (the thread's last author if not `last`, else its other one).
        let other = normal.iter().rev().find(|(_, a)| *a != last).copied();
        sets.push_str(", last_author = $5, last_author_seq = last_seq + $6");
        binds.push(Authored::Author(last));
        binds.push(Authored::Offset(last_at + 1));
        match other {
            Some((at, author)) => {
                sets.push_str(", other_author = $7, other_author_seq = last_seq + $8");
                binds.push(Authored::Author(author));
                binds.push(Authored::Offset(at + 1));
            }
            None => {
                sets.push_str(
                    ", other_author = CASE WHEN COALESCE(last_author, '') <> $7 THEN last_author ELSE other_author END, \
                     other_author_seq = CASE WHEN COALESCE(last_author, '') <> $8 THEN last_author_seq \
                       ELSE other_author_seq END",
                );
                binds.push(Authored::Author(last));
                binds.push(Authored::Author(last));
            }
        }
    }
    let sql = format!(
        "UPDATE threads SET last_seq = last_seq + $1, normal_count = normal_count + $2, last_activity_at = $3{sets} \
         WHERE id = $4 RETURNING last_seq, normal_count"
    );
    let mut q = sqlx::query(&sql).bind(n).bind(normal.len() as i64).bind(now.0).bind(id);
    for b in binds {
        q = match b {
            Authored::Author(a) => q.bind(a),
            Authored::Offset(o) => q.bind(o),
        };
    }
    let row = q.fetch_one(conn).await?;
    Ok(Numbered {
        last_seq: row.try_get("last_seq")?,
        normal_count: row.try_get("normal_count")?,
    })
}

/// A parameter of [`take_seqs`]' authors.
enum Authored {
    Author(UserId),
    Offset(i64),
}

/// Rows per multi-row statement of the batch writes below: far under
/// SQLite's and PostgreSQL's limits on bound values.
const BATCH_ROWS: usize = 100;

/// A thread and a person: the key of read marks and drafts.
pub type ThreadUser = (ThreadId, UserId);

/// Inserts messages (each with its folded text) in few statements.
pub async fn insert_messages(conn: &mut Conn, messages: &[(&MessageRow, &str)]) -> Result<()> {
    for chunk in messages.chunks(BATCH_ROWS) {
        let values: Vec<String> = (0..chunk.len())
            .map(|i| format!("({})", crate::profiles::placeholders(i * 8 + 1, 8)))
            .collect();
        let sql = format!(
            "INSERT INTO messages (id, thread_id, seq, author_id, body, folded, priority, created_at) VALUES {}",
            values.join(", ")
        );
        let sql = crate::params::positional(&*conn, &sql);
        let mut q = sqlx::query(&sql);
        for (m, folded) in chunk {
            q = q
                .bind(m.id)
                .bind(m.thread_id)
                .bind(m.seq)
                .bind(m.author_id)
                .bind(&m.body)
                .bind(*folded)
                .bind(i64::from(m.priority))
                .bind(m.created_at);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// [`mark_read`] for several people and threads at once. Each key at most
/// once (a statement may not update one row twice).
pub async fn mark_read_many(conn: &mut Conn, marks: &[(ThreadUser, i64)], now: Timestamp) -> Result<()> {
    for chunk in marks.chunks(BATCH_ROWS) {
        let values: Vec<String> = (0..chunk.len())
            .map(|i| format!("(${}, ${}, ${}, 0, ${})", i * 4 + 1, i * 4 + 2, i * 4 + 3, i * 4 + 4))
            .collect();
        let sql = format!(
            "INSERT INTO thread_reads (thread_id, user_id, last_read_seq, marked_unread, updated_at) VALUES {}              ON CONFLICT (thread_id, user_id) DO UPDATE SET                last_read_seq = CASE WHEN thread_reads.last_read_seq > excluded.last_read_seq                  THEN thread_reads.last_read_seq ELSE excluded.last_read_seq END,                marked_unread = 0, updated_at = excluded.updated_at              WHERE thread_reads.last_read_seq < excluded.last_read_seq OR thread_reads.marked_unread = 1",
            values.join(", ")
        );
        let sql = crate::params::positional(&*conn, &sql);
        let mut q = sqlx::query(&sql);
        for ((thread_id, user_id), seq) in chunk {
            q = q.bind(*thread_id).bind(*user_id).bind(*seq).bind(now.0);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Removes these drafts (their messages were sent).
pub async fn clear_drafts(conn: &mut Conn, keys: &[ThreadUser]) -> Result<()> {
    for chunk in keys.chunks(BATCH_ROWS) {
        let pairs: Vec<String> = (0..chunk.len())
            .map(|i| format!("(thread_id = ${} AND user_id = ${})", i * 2 + 1, i * 2 + 2))
            .collect();
        let sql = format!("DELETE FROM drafts WHERE {}", pairs.join(" OR "));
        let sql = crate::params::positional(&*conn, &sql);
        let mut q = sqlx::query(&sql);
        for (thread_id, user_id) in chunk {
            q = q.bind(*thread_id).bind(*user_id);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// A thread one takes part in, as listed: with its unread count.
#[derive(Debug, Clone)]
pub struct ListedThread {
    pub thread: ThreadRow,
    pub unread: i64,
    pub marked_unread: bool,
}

/// Threads where `user_id` is a participant (in person, through one of
/// `team_ids` they manage, or as the responsible member of a participating
/// team), of `org_id` or without organization, open or closed.
pub async fn threads_of(
    conn: &mut Conn,
    user_id: UserId,
    team_ids: &[TeamId],
    org_id: Option<OrgId>,
    closed: bool,
    limit: i64,
) -> Result<Vec<ListedThread>> {
    let teams = if team_ids.is_empty() {
        String::new()
    } else {
        format!(
            " OR (p.kind = 'team' AND p.participant_id IN ({}))",
            placeholders(4, team_ids.len())
        )
    };
    let closed_cond = if closed {
        "t.closed_at IS NOT NULL"
    } else {
        "t.closed_at IS NULL"
    };
    let sql = format!(
        "SELECT {THREAD_COLUMNS}, \
           (SELECT COUNT(*) FROM messages m WHERE m.thread_id = t.id AND m.author_id <> $1 \
              AND m.seq > COALESCE((SELECT r.last_read_seq FROM thread_reads r WHERE r.thread_id = t.id AND r.user_id = $1), 0)) AS unread, \
           COALESCE((SELECT r.marked_unread FROM thread_reads r WHERE r.thread_id = t.id AND r.user_id = $1), 0) AS marked \
         FROM threads t WHERE {closed_cond} AND (\
           ((t.org_id IS NULL OR t.org_id = $2) AND (\
             EXISTS (SELECT 1 FROM thread_participants p WHERE p.thread_id = t.id \
               AND ((p.kind = 'user' AND p.participant_id = $1){teams})) \
             OR EXISTS ({RESPONSIBLE_OF_THREAD}) \
             OR EXISTS (SELECT 1 FROM channel_participants p WHERE p.channel_id = t.channel_id \
               AND ((p.kind = 'user' AND p.participant_id = $1){teams})))) \
           OR EXISTS (SELECT 1 FROM channel_participants p JOIN circle_members c ON c.id = p.participant_id \
               WHERE p.channel_id = t.channel_id AND p.kind = 'circle' AND c.user_id = $1 AND c.state = 'joined')) \
         ORDER BY t.last_activity_at DESC LIMIT $3"
    );
    // No organization binds as an empty text, which names none.
    let org_id = org_id.map(String::from).unwrap_or_default();
    let mut q = sqlx::query(&sql).bind(user_id).bind(org_id).bind(limit);
    for t in team_ids {
        q = q.bind(t);
    }
    let rows = q.fetch_all(conn).await?;
    rows.iter()
        .map(|r| {
            Ok(ListedThread {
                thread: map_thread(r)?,
                unread: r.try_get("unread")?,
                marked_unread: flag(r.try_get("marked")?),
            })
        })
        .collect::<std::result::Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

// ---- Participants -----------------------------------------------------------

/// One who takes part in a thread. The `participant_id` column holds a
/// user's or a team's id, told apart by `kind`; read and written as this
/// pair, each id keeps its type (a thread holds no circle member: those
/// take part through the care channel, see `channels`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Participant {
    User(UserId),
    Team(TeamId),
}

impl Participant {
    pub fn kind(self) -> ParticipantKind {
        match self {
            Participant::User(_) => ParticipantKind::User,
            Participant::Team(_) => ParticipantKind::Team,
        }
    }

    /// The id as stored in `participant_id`.
    pub fn id(self) -> String {
        match self {
            Participant::User(id) => id.to_string(),
            Participant::Team(id) => id.to_string(),
        }
    }

    /// The participant named by a kind and a text; `None` when the kind is none
    /// a thread holds or the text is no id.
    pub fn parse(kind: ParticipantKind, id: &str) -> Option<Participant> {
        match kind {
            ParticipantKind::User => UserId::parse(id).map(Participant::User),
            ParticipantKind::Team => TeamId::parse(id).map(Participant::Team),
            ParticipantKind::Circle => None,
        }
    }
}

pub async fn add_participant(
    conn: &mut Conn,
    thread_id: ThreadId,
    who: Participant,
    added_by: Option<UserId>,
    now: Timestamp,
) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO thread_participants (thread_id, kind, participant_id, added_by, added_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
    )
    .bind(thread_id)
    .bind(who.kind())
    .bind(who.id())
    .bind(added_by)
    .bind(now.0)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn remove_participant(conn: &mut Conn, thread_id: ThreadId, who: Participant) -> Result<bool> {
    let done =
        sqlx::query("DELETE FROM thread_participants WHERE thread_id = $1 AND kind = $2 AND participant_id = $3")
            .bind(thread_id)
            .bind(who.kind())
            .bind(who.id())
            .execute(conn)
            .await?;
    Ok(done.rows_affected() == 1)
}

/// A thread's participants, in the order they were added.
pub async fn participants(conn: &mut Conn, thread_id: ThreadId) -> Result<Vec<Participant>> {
    let rows = sqlx::query(
        "SELECT kind, participant_id FROM thread_participants WHERE thread_id = $1 ORDER BY added_at, participant_id",
    )
    .bind(thread_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            let kind: ParticipantKind = r.try_get("kind")?;
            let id: String = r.try_get("participant_id")?;
            Participant::parse(kind, &id).ok_or_else(|| {
                sqlx::Error::Decode(format!("thread participant {kind} {id:?} is no user or team id").into())
            })
        })
        .collect::<std::result::Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

// ---- Messages -----------------------------------------------------------------

#[derive(Debug, Clone)]
pub struct MessageRow {
    pub id: MessageId,
    pub thread_id: ThreadId,
    pub seq: i64,
    pub author_id: UserId,
    pub body: String,
    pub priority: bool,
    pub created_at: i64,
    pub edited_at: Option<i64>,
    pub retracted_at: Option<i64>,
}

const MESSAGE_COLUMNS: &str = "id, thread_id, seq, author_id, body, priority, created_at, edited_at, retracted_at";

fn map_message(r: &AnyRow) -> std::result::Result<MessageRow, sqlx::Error> {
    Ok(MessageRow {
        id: r.try_get("id")?,
        thread_id: r.try_get("thread_id")?,
        seq: r.try_get("seq")?,
        author_id: r.try_get("author_id")?,
        body: r.try_get("body")?,
        priority: flag(r.try_get("priority")?),
        created_at: r.try_get("created_at")?,
        edited_at: r.try_get("edited_at")?,
        retracted_at: r.try_get("retracted_at")?,
    })
}

pub async fn insert_message(conn: &mut Conn, m: &MessageRow, folded: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO messages (id, thread_id, seq, author_id, body, folded, priority, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(m.id)
    .bind(m.thread_id)
    .bind(m.seq)
    .bind(m.author_id)
    .bind(&m.body)
    .bind(folded)
    .bind(i64::from(m.priority))
    .bind(m.created_at)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn message(conn: &mut Conn, id: MessageId) -> Result<Option<MessageRow>> {
    let row = sqlx::query(&format!("SELECT {MESSAGE_COLUMNS} FROM messages WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?;
    Ok(row.as_ref().map(map_message).transpose()?)
}

/// Messages of a thread before `before_seq` (newest `limit`), oldest first.
pub async fn messages(conn: &mut Conn, thread_id: ThreadId, before_seq: i64, limit: i64) -> Result<Vec<MessageRow>> {
    let rows = sqlx::query(&format!(
        "SELECT {MESSAGE_COLUMNS} FROM messages WHERE thread_id = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3"
    ))
    .bind(thread_id)
    .bind(before_seq)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    let mut out = rows
        .iter()
        .map(map_message)
        .collect::<std::result::Result<Vec<_>, _>>()?;
    out.reverse();
    Ok(out)
}

/// Replaces a message's text, keeping the earlier one as a version.
pub async fn edit_message(conn: &mut Conn, id: MessageId, body: &str, folded: &str, now: Timestamp) -> Result<()> {
    sqlx::query(
        "INSERT INTO message_versions (message_id, version, body, replaced_at) \
         SELECT id, (SELECT COUNT(*) FROM message_versions v WHERE v.message_id = $1) + 1, body, $2 \
         FROM messages WHERE id = $1",
    )
    .bind(id)
    .bind(now.0)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE messages SET body = $1, folded = $2, edited_at = $3 WHERE id = $4")
        .bind(body)
        .bind(folded)
        .bind(now.0)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// (version, text, replaced at) of a message's earlier texts.
pub async fn versions(conn: &mut Conn, id: MessageId) -> Result<Vec<(i64, String, i64)>> {
    let rows =
        sqlx::query("SELECT version, body, replaced_at FROM message_versions WHERE message_id = $1 ORDER BY version")
            .bind(id)
            .fetch_all(conn)
            .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("version")?, r.try_get("body")?, r.try_get("replaced_at")?)))
        .collect::<std::result::Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

/// Retracts a message: the text is kept as a version, the message shows a trace.
pub async fn retract_message(conn: &mut Conn, id: MessageId, now: Timestamp) -> Result<()> {
    edit_message(&mut *conn, id, "", "", now).await?;
    sqlx::query("UPDATE messages SET retracted_at = $1, edited_at = NULL WHERE id = $2")
        .bind(now.0)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Messages whose folded text contains every word, in the given threads.
pub async fn search_messages(
    conn: &mut Conn,
    thread_ids: &[ThreadId],
    words: &[String],
    limit: i64,
) -> Result<Vec<MessageRow>> {
    if thread_ids.is_empty() || words.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = format!(
        "SELECT {MESSAGE_COLUMNS} FROM messages WHERE retracted_at IS NULL AND thread_id IN ({})",
        placeholders(1, thread_ids.len())
    );
    for i in 0..words.len() {
        sql.push_str(&format!(" AND folded LIKE ${}", thread_ids.len() + 1 + i));
    }
    sql.push_str(&format!(" ORDER BY created_at DESC LIMIT {limit}"));
    let mut q = sqlx::query(&sql);
    for t in thread_ids {
        q = q.bind(t);
    }
    for w in words {
        q = q.bind(format!("%{w}%"));
    }
    let rows = q.fetch_all(conn).await?;
    Ok(rows.iter().map(map_message).collect::<std::result::Result<_, _>>()?)
}

// ---- Read state, acknowledgements, drafts -------------------------------------

/// Moves one's read mark forward (never back) and clears "marked unread".
pub async fn mark_read(
    conn: &mut Conn,
    thread_id: ThreadId,
    user_id: UserId,
    seq: i64,
    now: Timestamp,
) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO thread_reads (thread_id, user_id, last_read_seq, marked_unread, updated_at) \
         VALUES ($1, $2, $3, 0, $4) ON CONFLICT (thread_id, user_id) DO UPDATE SET \
           last_read_seq = CASE WHEN thread_reads.last_read_seq > $3 THEN thread_reads.last_read_seq ELSE $3 END, \
           marked_unread = 0, updated_at = $4 \
         WHERE thread_reads.last_read_seq < $3 OR thread_reads.marked_unread = 1",
    )
    .bind(thread_id)
    .bind(user_id)
    .bind(seq)
    .bind(now.0)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn mark_unread(conn: &mut Conn, thread_id: ThreadId, user_id: UserId, now: Timestamp) -> Result<()> {
    sqlx::query(
        "INSERT INTO thread_reads (thread_id, user_id, last_read_seq, marked_unread, updated_at) \
         VALUES ($1, $2, 0, 1, $3) ON CONFLICT (thread_id, user_id) DO UPDATE SET marked_unread = 1, updated_at = $3",
    )
    .bind(thread_id)
    .bind(user_id)
    .bind(now.0)
    .execute(conn)
    .await?;
    Ok(())
}

/// (user id, last read seq) of a thread's readers.
pub async fn reads(conn: &mut Conn, thread_id: ThreadId) -> Result<Vec<(UserId, i64)>> {
    let rows = sqlx::query("SELECT user_id, last_read_seq FROM thread_reads WHERE thread_id = $1")
        .bind(thread_id)
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("user_id")?, r.try_get("last_read_seq")?)))
        .collect::<std::result::Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

pub async fn ack(conn: &mut Conn, message_id: MessageId, user_id: UserId, now: Timestamp) -> Result<bool> {
    let done =
        sqlx::query("INSERT INTO message_acks (message_id, user_id, at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
            .bind(message_id)
            .bind(user_id)
            .bind(now.0)
            .execute(conn)
            .await?;
    Ok(done.rows_affected() == 1)
}

/// (message id, user id, at) of the acknowledgements in a thread.
pub async fn acks(conn: &mut Conn, thread_id: ThreadId) -> Result<Vec<(MessageId, UserId, i64)>> {
    let rows = sqlx::query(
        "SELECT a.message_id, a.user_id, a.at FROM message_acks a JOIN messages m ON m.id = a.message_id \
         WHERE m.thread_id = $1 ORDER BY a.at",
    )
    .bind(thread_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("message_id")?, r.try_get("user_id")?, r.try_get("at")?)))
        .collect::<std::result::Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

pub async fn save_draft(
    conn: &mut Conn,
    thread_id: ThreadId,
    user_id: UserId,
    body: &str,
    now: Timestamp,
) -> Result<()> {
    if body.is_empty() {
        sqlx::query("DELETE FROM drafts WHERE thread_id = $1 AND user_id = $2")
            .bind(thread_id)
            .bind(user_id)
            .execute(conn)
            .await?;
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO drafts (thread_id, user_id, body, updated_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (thread_id, user_id) DO UPDATE SET body = $3, updated_at = $4",
    )
    .bind(thread_id)
    .bind(user_id)
    .bind(body)
    .bind(now.0)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn draft(conn: &mut Conn, thread_id: ThreadId, user_id: UserId) -> Result<Option<String>> {
    let row = sqlx::query("SELECT body FROM drafts WHERE thread_id = $1 AND user_id = $2")
        .bind(thread_id)
        .bind(user_id)
        .fetch_optional(conn)
        .await?;
    Ok(match row {
        Some(r) => Some(r.try_get("body")?),
        None => None,
    })
}

// ---- Attachments ----------------------------------------------------------------

#[derive(Debug, Clone)]
pub struct AttachmentRow {
    pub id: AttachmentId,
    pub thread_id: ThreadId,
    pub message_id: MessageId,
    pub name: String,
    pub kind: String,
    pub content_type: String,
    pub size: i64,
    pub width: Option<i64>,
    pub height: Option<i64>,
    pub uploaded_by: UserId,
    pub created_at: i64,
    pub has_thumbnail: bool,
    /// The blob holding the file; `None` for a file stored in the row
    /// itself before issue 16 ([`attachment_data`]).
    pub blob: Option<String>,
}

const ATTACHMENT_COLUMNS: &str = "id, thread_id, message_id, name, kind, content_type, size, width, height, \
    uploaded_by, created_at, CASE WHEN thumbnail IS NULL THEN 0 ELSE 1 END AS thumb, blob";

fn map_attachment(r: &AnyRow) -> std::result::Result<AttachmentRow, sqlx::Error> {
    Ok(AttachmentRow {
        id: r.try_get("id")?,
        thread_id: r.try_get("thread_id")?,
        message_id: r.try_get("message_id")?,
        name: r.try_get("name")?,
        kind: r.try_get("kind")?,
        content_type: r.try_get("content_type")?,
        size: r.try_get("size")?,
        width: r.try_get("width")?,
        height: r.try_get("height")?,
        uploaded_by: r.try_get("uploaded_by")?,
        created_at: r.try_get("created_at")?,
        has_thumbnail: flag(r.try_get::<i64, _>("thumb")?),
        blob: r.try_get("blob")?,
    })
}

/// Stores an attachment whose file is the blob `a.blob` (stored before
/// this transaction commits); `thumbnail` is already encrypted.
pub async fn insert_attachment(conn: &mut Conn, a: &AttachmentRow, thumbnail: Option<&str>) -> Result<()> {
    sqlx::query(
        "INSERT INTO attachments (id, thread_id, message_id, name, kind, content_type, size, width, height, data, \
         thumbnail, uploaded_by, created_at, blob) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, '', $10, $11, $12, $13)",
    )
    .bind(a.id)
    .bind(a.thread_id)
    .bind(a.message_id)
    .bind(&a.name)
    .bind(&a.kind)
    .bind(&a.content_type)
    .bind(a.size)
    .bind(a.width)
    .bind(a.height)
    .bind(thumbnail)
    .bind(a.uploaded_by)
    .bind(a.created_at)
    .bind(a.blob.as_deref())
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn attachment(conn: &mut Conn, id: AttachmentId) -> Result<Option<AttachmentRow>> {
    let row = sqlx::query(&format!("SELECT {ATTACHMENT_COLUMNS} FROM attachments WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?;
    Ok(row.as_ref().map(map_attachment).transpose()?)
}

/// The content stored in the row (encrypted): the thumbnail, or the file of
/// an attachment from before blobs (empty for one in a blob).
pub async fn attachment_data(conn: &mut Conn, id: AttachmentId, thumbnail: bool) -> Result<Option<String>> {
    let column = if thumbnail { "thumbnail" } else { "data" };
    let row = sqlx::query(&format!("SELECT {column} AS content FROM attachments WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?;
    Ok(match row {
        Some(r) => r.try_get("content")?,
        None => None,
    })
}

/// Whether a row names the blob `name` (the blob sweep asks).
pub async fn blob_named(conn: &mut Conn, name: &str) -> Result<bool> {
    let row = sqlx::query("SELECT 1 AS one FROM attachments WHERE blob = $1")
        .bind(name)
        .fetch_optional(conn)
        .await?;
    Ok(row.is_some())
}

pub async fn attachments_of(conn: &mut Conn, thread_id: ThreadId) -> Result<Vec<AttachmentRow>> {
    let rows = sqlx::query(&format!(
        "SELECT {ATTACHMENT_COLUMNS} FROM attachments WHERE thread_id = $1 ORDER BY created_at"
    ))
    .bind(thread_id)
    .fetch_all(conn)
    .await?;
    Ok(rows.iter().map(map_attachment).collect::<std::result::Result<_, _>>()?)
}

// ---- Who takes part -------------------------------------------------------------

/// Who is the responsible member of a participating team of thread `t.id`
/// (`$1` the person): a condition shared by the access queries.
const RESPONSIBLE_OF_THREAD: &str = "SELECT 1 FROM thread_triage tr JOIN thread_participants tp \
    ON tp.thread_id = tr.thread_id AND tp.kind = 'team' AND tp.participant_id = tr.team_id \
    WHERE tr.thread_id = t.id AND tr.responsible_id = $1";

/// The teams whose discussions a person sees as team manager: teams in a
/// unit at or below one where they hold the team manager role, and teams
/// they belong to as manager (SPEC 7).
pub async fn teams_managed(conn: &mut Conn, user_id: UserId) -> Result<Vec<TeamId>> {
    let rows = sqlx::query(
        "SELECT tm.id AS team_id FROM role_grants g JOIN units gu ON gu.id = g.unit_id \
         JOIN teams tm ON tm.org_id = g.org_id JOIN units u ON u.id = tm.unit_id \
         WHERE g.user_id = $1 AND g.role = 'team_manager' AND tm.archived_at IS NULL \
           AND substr(u.path, 1, length(gu.path)) = gu.path \
         UNION SELECT tm.id AS team_id FROM team_members m JOIN teams tm ON tm.id = m.team_id \
         WHERE m.user_id = $2 AND m.role = 'manager' AND tm.archived_at IS NULL",
    )
    .bind(user_id)
    .bind(user_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| r.try_get("team_id"))
        .collect::<std::result::Result<_, _>>()
        .map_err(Into::into)
}

/// How a person reaches a thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// A participant in person, as manager of a participating team, or as
    /// the responsible member of a participating team.
    Participant,
    /// A professional (or team) taking part in the thread's care channel.
    Channel,
    /// A patient, responsible person or observer in the channel's circle
    /// (joined). Observers read and do not write.
    Circle { observer: bool },
}

/// Whether a person takes part in a thread, in person or through a team,
/// directly or through its care channel.
pub async fn takes_part(conn: &mut Conn, thread_id: ThreadId, user_id: UserId) -> Result<bool> {
    Ok(reach(conn, thread_id, user_id).await?.is_some())
}

/// How a person reaches a thread, if they do (the thread need not exist).
pub async fn reach(conn: &mut Conn, thread_id: ThreadId, user_id: UserId) -> Result<Option<Reach>> {
    let teams = teams_managed(&mut *conn, user_id).await?;
    let team_cond = if teams.is_empty() {
        String::new()
    } else {
        format!(
            " OR (p.kind = 'team' AND p.participant_id IN ({}))",
            placeholders(3, teams.len())
        )
    };
    let sql = format!(
        "SELECT COUNT(*) AS n FROM thread_participants p WHERE p.thread_id = $1 \
           AND ((p.kind = 'user' AND p.participant_id = $2){team_cond})"
    );
    let mut q = sqlx::query(&sql).bind(thread_id).bind(user_id);
    for t in &teams {
        q = q.bind(t);
    }
    if q.fetch_one(&mut *conn).await?.try_get::<i64, _>("n")? > 0 {
        return Ok(Some(Reach::Participant));
    }
    let responsible = sqlx::query(&format!(
        "SELECT COUNT(*) AS n FROM threads t WHERE t.id = $2 AND EXISTS ({RESPONSIBLE_OF_THREAD})"
    ))
    .bind(user_id)
    .bind(thread_id)
    .fetch_one(&mut *conn)
    .await?
    .try_get::<i64, _>("n")?;
    if responsible > 0 {
        return Ok(Some(Reach::Participant));
    }
    let sql = format!(
        "SELECT COUNT(*) AS n FROM threads t JOIN channel_participants p ON p.channel_id = t.channel_id \
         WHERE t.id = $1 AND ((p.kind = 'user' AND p.participant_id = $2){team_cond})"
    );
    let mut q = sqlx::query(&sql).bind(thread_id).bind(user_id);
    for t in &teams {
        q = q.bind(t);
    }
    if q.fetch_one(&mut *conn).await?.try_get::<i64, _>("n")? > 0 {
        return Ok(Some(Reach::Channel));
    }
    let rows = sqlx::query(
        "SELECT c.section FROM threads t JOIN channel_participants p ON p.channel_id = t.channel_id \
           JOIN circle_members c ON c.id = p.participant_id \
         WHERE t.id = $1 AND p.kind = 'circle' AND c.user_id = $2 AND c.state = 'joined'",
    )
    .bind(thread_id)
    .bind(user_id)
    .fetch_all(&mut *conn)
    .await?;
    if rows.is_empty() {
        return Ok(None);
    }
    let mut observer = true;
    for r in &rows {
        if r.try_get::<String, _>("section")? != "observer" {
            observer = false;
        }
    }
    Ok(Some(Reach::Circle { observer }))
}

/// The people a thread reaches: its participants in person, the managers
/// of its teams (by role on the unit or as team members) and their
/// responsible members, and likewise through its care channel, with the
/// channel's joined circle members.
pub async fn people_reached(conn: &mut Conn, thread_id: ThreadId) -> Result<Vec<UserId>> {
    let rows = sqlx::query(
        "SELECT participant_id AS user_id FROM thread_participants WHERE thread_id = $1 AND kind = 'user' \
         UNION SELECT g.user_id FROM thread_participants p JOIN teams tm ON tm.id = p.participant_id \
           JOIN units u ON u.id = tm.unit_id JOIN role_grants g ON g.org_id = tm.org_id AND g.role = 'team_manager' \
           JOIN units gu ON gu.id = g.unit_id \
         WHERE p.thread_id = $2 AND p.kind = 'team' AND substr(u.path, 1, length(gu.path)) = gu.path \
         UNION SELECT p.participant_id FROM threads t JOIN channel_participants p ON p.channel_id = t.channel_id \
         WHERE t.id = $3 AND p.kind = 'user' \
         UNION SELECT g.user_id FROM threads t JOIN channel_participants p ON p.channel_id = t.channel_id \
           JOIN teams tm ON tm.id = p.participant_id \
           JOIN units u ON u.id = tm.unit_id JOIN role_grants g ON g.org_id = tm.org_id AND g.role = 'team_manager' \
           JOIN units gu ON gu.id = g.unit_id \
         WHERE t.id = $4 AND p.kind = 'team' AND substr(u.path, 1, length(gu.path)) = gu.path \
         UNION SELECT c.user_id FROM threads t JOIN channel_participants p ON p.channel_id = t.channel_id \
           JOIN circle_members c ON c.id = p.participant_id \
         WHERE t.id = $5 AND p.kind = 'circle' AND c.state = 'joined' AND c.user_id IS NOT NULL \
         UNION SELECT m.user_id FROM thread_participants p JOIN team_members m ON m.team_id = p.participant_id \
           JOIN teams tm ON tm.id = m.team_id \
         WHERE p.thread_id = $6 AND p.kind = 'team' AND m.role = 'manager' AND tm.archived_at IS NULL \
         UNION SELECT m.user_id FROM threads t JOIN channel_participants p ON p.channel_id = t.channel_id \
           JOIN team_members m ON m.team_id = p.participant_id JOIN teams tm ON tm.id = m.team_id \
         WHERE t.id = $7 AND p.kind = 'team' AND m.role = 'manager' AND tm.archived_at IS NULL \
         UNION SELECT tr.responsible_id FROM thread_triage tr JOIN thread_participants p \
           ON p.thread_id = tr.thread_id AND p.kind = 'team' AND p.participant_id = tr.team_id \
         WHERE tr.thread_id = $8 AND tr.responsible_id IS NOT NULL",
    )
    .bind(thread_id)
    .bind(thread_id)
    .bind(thread_id)
    .bind(thread_id)
    .bind(thread_id)
    .bind(thread_id)
    .bind(thread_id)
    .bind(thread_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| r.try_get("user_id"))
        .collect::<std::result::Result<_, _>>()
        .map_err(Into::into)
}
