//! Notifications: the in-app centre, the worker's delivery state, muted
//! threads and each person's notification preferences.

use crate::{Conn, Result};
use cercle_domain::notification_rules::NotificationKind;
use cercle_domain::{MessageId, NotificationId, ThreadId, Timestamp, UserId};
use sqlx::any::AnyRow;
use sqlx::Row;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotificationRow {
    pub id: NotificationId,
    pub user_id: UserId,
    pub kind: NotificationKind,
    /// clinical | collaboration | direct | channel, or empty when the
    /// notification is about no thread.
    pub thread_kind: String,
    pub thread_id: Option<ThreadId>,
    pub message_id: Option<MessageId>,
    pub actor_id: Option<UserId>,
    pub link: String,
    pub high_priority: bool,
    pub count: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub read_at: Option<i64>,
    pub ring_pending: bool,
    pub rings: i64,
    pub rung_at: Option<i64>,
    pub emailed_at: Option<i64>,
    pub sms_at: Option<i64>,
    pub next_check_at: Option<i64>,
}

impl NotificationRow {
    /// A new unread notification of one (normal) thing, about no thread,
    /// with a ring to decide at once: callers set what else applies.
    pub fn new(
        user_id: UserId,
        kind: NotificationKind,
        actor_id: Option<UserId>,
        link: String,
        now: Timestamp,
    ) -> NotificationRow {
        NotificationRow {
            id: NotificationId::new(),
            user_id,
            kind,
            thread_kind: String::new(),
            thread_id: None,
            message_id: None,
            actor_id,
            link,
            high_priority: false,
            count: 1,
            created_at: now.0,
            updated_at: now.0,
            read_at: None,
            ring_pending: true,
            rings: 0,
            rung_at: None,
            emailed_at: None,
            sms_at: None,
            next_check_at: Some(now.0),
        }
    }
}

fn map(r: &AnyRow) -> std::result::Result<NotificationRow, sqlx::Error> {
    Ok(NotificationRow {
        id: r.try_get("id")?,
        user_id: r.try_get("user_id")?,
        kind: r.try_get("kind")?,
        thread_kind: r.try_get("thread_kind")?,
        thread_id: r.try_get("thread_id")?,
        message_id: r.try_get("message_id")?,
        actor_id: r.try_get("actor_id")?,
        link: r.try_get("link")?,
        high_priority: r.try_get::<i64, _>("high_priority")? != 0,
        count: r.try_get("count")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
        read_at: r.try_get("read_at")?,
        ring_pending: r.try_get::<i64, _>("ring_pending")? != 0,
        rings: r.try_get("rings")?,
        rung_at: r.try_get("rung_at")?,
        emailed_at: r.try_get("emailed_at")?,
        sms_at: r.try_get("sms_at")?,
        next_check_at: r.try_get("next_check_at")?,
    })
}

const COLUMNS: &str = "id, user_id, kind, thread_kind, thread_id, message_id, actor_id, link, high_priority, count, \
    created_at, updated_at, read_at, ring_pending, rings, rung_at, emailed_at, sms_at, next_check_at";

pub async fn insert(conn: &mut Conn, n: &NotificationRow) -> Result<()> {
    insert_many(conn, std::slice::from_ref(n)).await
}

/// Rows per multi-row INSERT, and people per folding UPDATE: bounded so
/// that no statement nears the databases' parameter limits.
const CHUNK: usize = 50;

/// Inserts many notifications in a few statements (a message to a large
/// thread writes one row per recipient).
pub async fn insert_many(conn: &mut Conn, rows: &[NotificationRow]) -> Result<()> {
    for chunk in rows.chunks(CHUNK) {
        let values: Vec<String> = (0..chunk.len())
            .map(|i| format!("({})", crate::profiles::placeholders(i * 19 + 1, 19)))
            .collect();
        let sql = format!("INSERT INTO notifications ({COLUMNS}) VALUES {}", values.join(", "));
        let sql = crate::params::positional(&*conn, &sql);
        let mut q = sqlx::query(&sql);
        for n in chunk {
            q = q
                .bind(n.id)
                .bind(n.user_id)
                .bind(n.kind)
                .bind(&n.thread_kind)
                .bind(n.thread_id)
                .bind(n.message_id)
                .bind(n.actor_id)
                .bind(&n.link)
                .bind(n.high_priority as i64)
                .bind(n.count)
                .bind(n.created_at)
                .bind(n.updated_at)
                .bind(n.read_at)
                .bind(n.ring_pending as i64)
                .bind(n.rings)
                .bind(n.rung_at)
                .bind(n.emailed_at)
                .bind(n.sms_at)
                .bind(n.next_check_at);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// How far a folded notification's time moves at least: a message folded
/// into a notification whose time is less than this old leaves the time
/// as it is. The time orders a person's centre (`notifications_user`) and
/// the next look is indexed too (`notifications_due`); a fold that changes
/// neither touches no index, so PostgreSQL updates the row in place (a
/// heap-only update) and SQLite rewrites no index entry. Without this,
/// every message to a busy thread gave every participant's row a new
/// version in four indexes (docs/benchmarks.md, section 26). Within one
/// second, two notifications of a person may be shown in either order. The
/// worker tells that a message was folded in while it decided by the count,
/// which every fold changes ([`save_delivery`]), not by the time.
pub const FOLD_TIME_STEP_MS: i64 = 1_000;

/// The SET clause shared by [`fold_many`] and [`fold_each`] for the time
/// and the worker's next look, from parameter `$first` on (see
/// [`fold_binds`] for their values, in order). The worker looks again now,
/// or once the last ring's pause is over, or earlier if it was to look
/// earlier anyway, or when it was already to look (a next look already due
/// stays as it is): a burst of messages does not wake it once per message,
/// and the index of next looks is not rewritten on every fold.
fn fold_set(first: usize) -> String {
    let p = |i: usize| format!("${}", first + i);
    format!(
        "updated_at = CASE WHEN updated_at > {} THEN updated_at ELSE {} END, ring_pending = 1, \
           next_check_at = CASE \
             WHEN rung_at IS NOT NULL AND rung_at + {} > {} THEN \
               CASE WHEN next_check_at IS NOT NULL AND next_check_at < rung_at + {} THEN next_check_at ELSE rung_at + {} END \
             WHEN next_check_at IS NOT NULL AND next_check_at <= {} THEN next_check_at \
             ELSE {} END",
        p(0),
        p(1),
        p(2),
        p(3),
        p(4),
        p(5),
        p(6),
        p(7)
    )
}

/// Parameters of [`fold_set`], in order.
const FOLD_SET_PARAMS: usize = 8;

type Query<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

fn fold_binds(q: Query<'_>, ring_again_after_ms: i64, now: Timestamp) -> Query<'_> {
    q.bind(now.0 - FOLD_TIME_STEP_MS)
        .bind(now.0)
        .bind(ring_again_after_ms)
        .bind(now.0)
        .bind(ring_again_after_ms)
        .bind(ring_again_after_ms)
        .bind(now.0)
        .bind(now.0)
}

/// Folds a new message into the unread (normal) notification of the
/// thread of each of `user_ids` who has one, whatever its kind (a thread in
/// triage stays "new in triage"): one more message, a ring to decide again.
/// Returns those folded into (the others need a new one).
pub async fn fold_many(
    conn: &mut Conn,
    user_ids: &[UserId],
    thread_id: ThreadId,
    actor_id: UserId,
    ring_again_after_ms: i64,
    now: Timestamp,
) -> Result<Vec<UserId>> {
    let mut folded = Vec::new();
    for chunk in user_ids.chunks(CHUNK) {
        let sql = format!(
            "UPDATE notifications SET count = count + 1, actor_id = $1, {} \
             WHERE thread_id = ${} AND read_at IS NULL AND high_priority = 0 AND user_id IN ({}) \
             RETURNING user_id",
            fold_set(2),
            2 + FOLD_SET_PARAMS,
            crate::profiles::placeholders(3 + FOLD_SET_PARAMS, chunk.len())
        );
        let sql = crate::params::positional(&*conn, &sql);
        let mut q = fold_binds(sqlx::query(&sql).bind(actor_id), ring_again_after_ms, now).bind(thread_id);
        for u in chunk {
            q = q.bind(*u);
        }
        for r in q.fetch_all(&mut *conn).await? {
            folded.push(r.try_get("user_id")?);
        }
    }
    Ok(folded)
}

/// One person's share of a batch of messages in a thread: how many are
/// not theirs, and the author of the last of those.
pub type Fold = (UserId, i64, UserId);

/// [`fold_many`] for a batch of new messages at once: each person's unread
/// notification of the thread takes their own count and actor, in one
/// statement per fifty people. Returns those folded into.
pub async fn fold_each(
    conn: &mut Conn,
    thread_id: ThreadId,
    folds: &[Fold],
    ring_again_after_ms: i64,
    now: Timestamp,
) -> Result<Vec<UserId>> {
    let mut folded = Vec::new();
    for chunk in folds.chunks(CHUNK) {
        // `fold_set`'s parameters, the thread, then for each person: user,
        // count, user, actor, user (the CASE branches and the IN list).
        let base = 2 + FOLD_SET_PARAMS;
        let n = chunk.len();
        let counts: String = (0..n)
            .map(|i| format!(" WHEN ${} THEN ${}", base + 2 * i, base + 2 * i + 1))
            .collect();
        let actors: String = (0..n)
            .map(|i| format!(" WHEN ${} THEN ${}", base + 2 * n + 2 * i, base + 2 * n + 2 * i + 1))
            .collect();
        let sql = format!(
            "UPDATE notifications SET count = count + CASE user_id{counts} END, \
               actor_id = CASE user_id{actors} END, {} \
             WHERE thread_id = ${} AND read_at IS NULL AND high_priority = 0 AND user_id IN ({}) \
             RETURNING user_id",
            fold_set(1),
            1 + FOLD_SET_PARAMS,
            crate::profiles::placeholders(base + 4 * n, n)
        );
        // Not through `params::positional`: its parameters do not appear in
        // order (at most 9 + 4 × CHUNK of them, bound by name).
        let mut q = fold_binds(sqlx::query(&sql), ring_again_after_ms, now).bind(thread_id);
        for (user, count, _) in chunk {
            q = q.bind(*user).bind(*count);
        }
        for (user, _, actor) in chunk {
            q = q.bind(*user).bind(*actor);
        }
        for (user, _, _) in chunk {
            q = q.bind(*user);
        }
        for r in q.fetch_all(&mut *conn).await? {
            folded.push(r.try_get("user_id")?);
        }
    }
    Ok(folded)
}

/// Changes the kind of a thread's notifications (a thread opened for a new
/// version of a pinned document tells of that, not of a message).
pub async fn retag(conn: &mut Conn, thread_id: ThreadId, from: NotificationKind, to: NotificationKind) -> Result<()> {
    sqlx::query("UPDATE notifications SET kind = $1 WHERE thread_id = $2 AND kind = $3")
        .bind(to)
        .bind(thread_id)
        .bind(from)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn get(conn: &mut Conn, id: NotificationId) -> Result<Option<NotificationRow>> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM notifications WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?;
    Ok(row.as_ref().map(map).transpose()?)
}

/// The worker's round: notifications whose next look is due.
pub async fn due(conn: &mut Conn, now: Timestamp, limit: i64) -> Result<Vec<NotificationRow>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM notifications WHERE next_check_at IS NOT NULL AND next_check_at <= $1 \
         ORDER BY next_check_at LIMIT $2"
    ))
    .bind(now.0)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    Ok(rows.iter().map(map).collect::<std::result::Result<_, _>>()?)
}

/// Takes for this node those of `ids` still due at `now` (pushes their next
/// look to `lease`), in one statement; returns the ids taken. One that
/// another node took meanwhile, or that a new message moved to a later
/// look, is left out. One that changed but is still due is taken: the
/// worker's decision on the row it read is then not applied as such
/// ([`save_delivery`] compares `count`), and it is looked at again.
pub async fn claim_many(
    conn: &mut Conn,
    ids: &[NotificationId],
    now: Timestamp,
    lease: Timestamp,
) -> Result<Vec<NotificationId>> {
    let mut taken = Vec::new();
    for chunk in ids.chunks(CHUNK) {
        let sql = format!(
            "UPDATE notifications SET next_check_at = $1 \
             WHERE next_check_at IS NOT NULL AND next_check_at <= $2 AND id IN ({}) RETURNING id",
            crate::profiles::placeholders(3, chunk.len())
        );
        let mut q = sqlx::query(&sql).bind(lease.0).bind(now.0);
        for id in chunk {
            q = q.bind(*id);
        }
        for r in q.fetch_all(&mut *conn).await? {
            taken.push(r.try_get("id")?);
        }
    }
    Ok(taken)
}

/// What the worker did and when it looks again. `ring_pending` is cleared
/// only if no message was folded in since the worker read the row (its
/// `count` is still the one seen: every fold adds to it, whereas its time
/// moves at most once per [`FOLD_TIME_STEP_MS`]); otherwise the new message
/// gets its own decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Delivery {
    /// A ring is still owed (held back by the pause between rings).
    pub ring_pending: bool,
    /// If a message was folded in since the worker read the row: the
    /// earliest moment to look again (the pause after this ring); `None`:
    /// at once.
    pub changed_not_before: Option<i64>,
    pub rings: i64,
    pub rung_at: Option<i64>,
    pub emailed_at: Option<i64>,
    pub sms_at: Option<i64>,
    pub next_check_at: Option<i64>,
}

impl Delivery {
    /// Nothing more to do (the person's account is gone).
    pub fn stopped(n: &NotificationRow) -> Delivery {
        Delivery {
            ring_pending: false,
            changed_not_before: None,
            rings: n.rings,
            rung_at: n.rung_at,
            emailed_at: n.emailed_at,
            sms_at: n.sms_at,
            next_check_at: None,
        }
    }
}

pub async fn save_delivery(conn: &mut Conn, id: NotificationId, seen_count: i64, d: &Delivery) -> Result<()> {
    sqlx::query(
        "UPDATE notifications SET rings = $1, rung_at = $2, \
           emailed_at = CASE WHEN emailed_at IS NULL THEN $3 ELSE emailed_at END, sms_at = $4, \
           ring_pending = CASE WHEN count = $5 THEN $6 ELSE ring_pending END, \
           next_check_at = CASE WHEN count = $7 THEN $8 \
             WHEN $9 > updated_at THEN $10 ELSE updated_at END \
         WHERE id = $11",
    )
    .bind(d.rings)
    .bind(d.rung_at)
    .bind(d.emailed_at)
    .bind(d.sms_at)
    .bind(seen_count)
    .bind(i64::from(d.ring_pending))
    .bind(seen_count)
    .bind(d.next_check_at)
    .bind(d.changed_not_before.unwrap_or(i64::MIN))
    .bind(d.changed_not_before.unwrap_or(i64::MIN))
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Marks every unread notification of the person not yet emailed as
/// emailed (one email tells of all of them); returns how many.
pub async fn mark_emailed(conn: &mut Conn, user_id: UserId, now: Timestamp) -> Result<u64> {
    let done = sqlx::query(
        "UPDATE notifications SET emailed_at = $1 WHERE user_id = $2 AND read_at IS NULL AND emailed_at IS NULL",
    )
    .bind(now.0)
    .bind(user_id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// The person's latest notifications, newest first.
pub async fn list(conn: &mut Conn, user_id: UserId, limit: i64) -> Result<Vec<NotificationRow>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM notifications WHERE user_id = $1 ORDER BY updated_at DESC, id DESC LIMIT $2"
    ))
    .bind(user_id)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    Ok(rows.iter().map(map).collect::<std::result::Result<_, _>>()?)
}

pub async fn unread_count(conn: &mut Conn, user_id: UserId) -> Result<i64> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM notifications WHERE user_id = $1 AND read_at IS NULL")
        .bind(user_id)
        .fetch_one(conn)
        .await?;
    Ok(row.try_get("n")?)
}

/// Marks one of the person's notifications read; false if not theirs.
pub async fn mark_read(conn: &mut Conn, user_id: UserId, id: NotificationId, now: Timestamp) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE notifications SET read_at = CASE WHEN read_at IS NULL THEN $1 ELSE read_at END \
         WHERE id = $2 AND user_id = $3",
    )
    .bind(now.0)
    .bind(id)
    .bind(user_id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn mark_all_read(conn: &mut Conn, user_id: UserId, now: Timestamp) -> Result<u64> {
    let done = sqlx::query("UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL")
        .bind(now.0)
        .bind(user_id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}

/// Reading a thread reads its notifications.
pub async fn mark_thread_read(conn: &mut Conn, user_id: UserId, thread_id: ThreadId, now: Timestamp) -> Result<u64> {
    let done =
        sqlx::query("UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND thread_id = $3 AND read_at IS NULL")
            .bind(now.0)
            .bind(user_id)
            .bind(thread_id)
            .execute(conn)
            .await?;
    Ok(done.rows_affected())
}

/// Whether the person acknowledged the message.
pub async fn acknowledged(conn: &mut Conn, message_id: MessageId, user_id: UserId) -> Result<bool> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM message_acks WHERE message_id = $1 AND user_id = $2")
        .bind(message_id)
        .bind(user_id)
        .fetch_one(conn)
        .await?;
    Ok(row.try_get::<i64, _>("n")? > 0)
}

/// Read notifications with nothing left to deliver, older than `before`.
pub async fn prune(conn: &mut Conn, before: Timestamp) -> Result<u64> {
    let done =
        sqlx::query("DELETE FROM notifications WHERE read_at IS NOT NULL AND read_at < $1 AND next_check_at IS NULL")
            .bind(before.0)
            .execute(conn)
            .await?;
    Ok(done.rows_affected())
}

/// A deleted account's notifications, mutes and preferences.
pub async fn remove_all_of(conn: &mut Conn, user_id: UserId) -> Result<()> {
    for sql in [
        "DELETE FROM notifications WHERE user_id = $1",
        "DELETE FROM thread_mutes WHERE user_id = $1",
        "DELETE FROM notification_prefs WHERE user_id = $1",
    ] {
        sqlx::query(sql).bind(user_id).execute(&mut *conn).await?;
    }
    Ok(())
}

// ---- Muted threads -------------------------------------------------------------

pub async fn set_muted(
    conn: &mut Conn,
    user_id: UserId,
    thread_id: ThreadId,
    muted: bool,
    now: Timestamp,
) -> Result<()> {
    if muted {
        sqlx::query(
            "INSERT INTO thread_mutes (user_id, thread_id, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        )
        .bind(user_id)
        .bind(thread_id)
        .bind(now.0)
        .execute(conn)
        .await?;
    } else {
        sqlx::query("DELETE FROM thread_mutes WHERE user_id = $1 AND thread_id = $2")
            .bind(user_id)
            .bind(thread_id)
            .execute(conn)
            .await?;
    }
    Ok(())
}

pub async fn is_muted(conn: &mut Conn, user_id: UserId, thread_id: ThreadId) -> Result<bool> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM thread_mutes WHERE user_id = $1 AND thread_id = $2")
        .bind(user_id)
        .bind(thread_id)
        .fetch_one(conn)
        .await?;
    Ok(row.try_get::<i64, _>("n")? > 0)
}

/// (thread id, title, title's system text) of the threads the person
/// muted, newest first.
pub async fn muted_threads(
    conn: &mut Conn,
    user_id: UserId,
    limit: i64,
) -> Result<Vec<(ThreadId, String, Option<String>)>> {
    let rows = sqlx::query(
        "SELECT m.thread_id, t.title, t.title_text FROM thread_mutes m JOIN threads t ON t.id = m.thread_id \
         WHERE m.user_id = $1 ORDER BY m.created_at DESC LIMIT $2",
    )
    .bind(user_id)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("thread_id")?, r.try_get("title")?, r.try_get("title_text")?)))
        .collect::<std::result::Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

// ---- Preferences ---------------------------------------------------------------

/// (email alerts on, delay in minutes), if the person chose.
pub async fn prefs(conn: &mut Conn, user_id: UserId) -> Result<Option<(bool, i64)>> {
    let row = sqlx::query("SELECT email_alerts, email_delay_mins FROM notification_prefs WHERE user_id = $1")
        .bind(user_id)
        .fetch_optional(conn)
        .await?;
    Ok(match row {
        Some(r) => Some((
            r.try_get::<i64, _>("email_alerts")? != 0,
            r.try_get("email_delay_mins")?,
        )),
        None => None,
    })
}

pub async fn set_prefs(
    conn: &mut Conn,
    user_id: UserId,
    email_alerts: bool,
    delay_mins: i64,
    now: Timestamp,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO notification_prefs (user_id, email_alerts, email_delay_mins, updated_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (user_id) DO UPDATE SET email_alerts = $5, email_delay_mins = $6, updated_at = $7",
    )
    .bind(user_id)
    .bind(email_alerts as i64)
    .bind(delay_mins)
    .bind(now.0)
    .bind(email_alerts as i64)
    .bind(delay_mins)
    .bind(now.0)
    .execute(conn)
    .await?;
    Ok(())
}
