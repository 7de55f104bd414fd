//! Notifications: the in-app centre, the worker's delivery state, muted
//! threads and each person's notification preferences.

use crate::{Conn, Result};
use cercle_domain::notification_rules::NotificationKind;
use cercle_domain::{MessageId, NotificationId, ThreadId, Timestamp, UserId};
use sqlx::any::AnyRow;
use sqlx::Row;
use std::collections::HashSet;
use std::sync::LazyLock;

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
    /// Set while an unread notification of a thread counts its messages
    /// rather than stores their count: `count` and `actor_id` above are
    /// then as read, counted from here.
    pub counting: Option<Counting>,
}

/// Where an unread notification of a thread started counting: the
/// thread's count of normal messages and its last sequence number then.
/// Its count is its stored count plus the thread's normal messages since
/// (less the person's own, taken off the stored count as they post), its
/// actor the author of the latest of them not the person. A batch of
/// messages to a thread so writes no row for most of its participants
/// (docs/architecture.md, "Notifications").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counting {
    pub from_normal: i64,
    pub from_seq: i64,
}

impl Counting {
    /// Counting from where the thread's numbering now stands.
    pub fn after(n: crate::threads::Numbered) -> Counting {
        Counting {
            from_normal: n.normal_count,
            from_seq: n.last_seq,
        }
    }
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
            counting: None,
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
        counting: match (r.try_get("from_normal")?, r.try_get("from_seq")?) {
            (Some(from_normal), Some(from_seq)) => Some(Counting { from_normal, from_seq }),
            _ => None,
        },
    })
}

const COLUMNS: &str = "id, user_id, kind, thread_kind, thread_id, message_id, actor_id, link, high_priority, count, \
    created_at, updated_at, read_at, ring_pending, rings, rung_at, emailed_at, sms_at, next_check_at, \
    from_normal, from_seq";

/// The count of a notification as it stands (see [`Counting`]), for a
/// statement on `notifications` alone.
const COUNT_NOW: &str = "count + COALESCE((SELECT t.normal_count FROM threads t \
    WHERE t.id = notifications.thread_id) - from_normal, 0)";

/// Its actor as it stands: the author of the latest normal message not the
/// person's since it started counting (the thread's last author, or when
/// that is the person, the last other one), or the one stored. A lookup of
/// the thread's row, whatever the number of messages since.
const ACTOR_NOW: &str = "CASE WHEN from_seq IS NULL THEN actor_id ELSE COALESCE((SELECT CASE \
      WHEN t.last_author <> notifications.user_id AND t.last_author_seq > notifications.from_seq THEN t.last_author \
      WHEN t.other_author_seq > notifications.from_seq THEN t.other_author END \
    FROM threads t WHERE t.id = notifications.thread_id), actor_id) END";

/// `SELECT` of whole rows, their count and actor as they stand (written
/// once: every bell read uses it).
static SELECT: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT id, user_id, kind, thread_kind, thread_id, message_id, {ACTOR_NOW} AS actor_id, link, high_priority, \
           {COUNT_NOW} AS count, created_at, updated_at, read_at, ring_pending, rings, rung_at, emailed_at, sms_at, \
           next_check_at, from_normal, from_seq FROM notifications"
    )
});

/// The `SET` of a notification read: its count and actor frozen as they
/// stand, counting stopped. Idempotent on one read already.
static FREEZE_SET: LazyLock<String> =
    LazyLock::new(|| format!("count = {COUNT_NOW}, actor_id = {ACTOR_NOW}, from_normal = NULL, from_seq = NULL"));

/// On PostgreSQL, locks (shared) the threads whose notifications a read is
/// about to freeze, those that `notifications` (an `IN` subquery on
/// `notifications`, from parameter `$1`) selects, in the order of their
/// ids. A batch of messages to one of them holds its thread's row from
/// numbering its messages to its commit, and writes nothing to the unread
/// notifications that count them: without this lock, a read could freeze a
/// count without the batch's messages while the batch, having found the
/// notification unread, makes no new one, and the messages would be in no
/// notification. SQLite has one writer: a read never runs beside a batch.
async fn lock_threads(conn: &mut Conn, notifications: &str, binds: &[Bind]) -> Result<()> {
    if conn.backend_name() == "SQLite" {
        return Ok(());
    }
    let sql = format!("SELECT id FROM threads WHERE id IN ({notifications}) ORDER BY id COLLATE \"C\" FOR SHARE");
    let mut q = sqlx::query(&sql);
    for b in binds {
        q = match *b {
            Bind::User(u) => q.bind(u),
            Bind::Thread(t) => q.bind(t),
            Bind::Notification(n) => q.bind(n),
        };
    }
    q.fetch_all(&mut *conn).await?;
    Ok(())
}

/// A parameter of [`lock_threads`]' subquery.
#[derive(Debug, Clone, Copy)]
enum Bind {
    User(UserId),
    Thread(ThreadId),
    Notification(NotificationId),
}

pub async fn insert(conn: &mut Conn, n: &NotificationRow) -> Result<()> {
    insert_many(conn, std::slice::from_ref(n)).await
}

/// Rows per multi-row INSERT, and people per folding UPDATE: bounded so
/// that no statement nears the databases' parameter limits.
const CHUNK: usize = 50;

/// People per read of who has an unread notification of a thread (one
/// parameter each): a thread of a few hundred people in one statement.
const READ_CHUNK: usize = 500;

/// Inserts many notifications in a few statements (a message to a large
/// thread writes one row per recipient).
pub async fn insert_many(conn: &mut Conn, rows: &[NotificationRow]) -> Result<()> {
    for chunk in rows.chunks(CHUNK) {
        let values: Vec<String> = (0..chunk.len())
            .map(|i| format!("({})", crate::profiles::placeholders(i * 21 + 1, 21)))
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
                .bind(n.next_check_at)
                .bind(n.counting.map(|c| c.from_normal))
                .bind(n.counting.map(|c| c.from_seq));
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
/// as it stands, which every message changes ([`save_deliveries`]), not by
/// the time.
pub const FOLD_TIME_STEP_MS: i64 = 1_000;

/// The SET clause shared by [`fold_many`] and [`fold_batch`] for the time
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

/// Folds one more thing that is not a message (a thread put in triage)
/// into the unread (normal) notification of the thread of each of
/// `user_ids` who has one, whatever its kind: one more in its stored count,
/// its actor (until a later message's author is counted), a ring to decide
/// again. Returns those folded into (the others need a new one).
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

/// One person's share of a batch of messages in a thread: the normal
/// messages not theirs (and the author of the last of them), and their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Share {
    pub user_id: UserId,
    pub others: i64,
    pub own: i64,
    pub actor: Option<UserId>,
}

/// What a fold needs to know of an unread notification before it writes.
struct Unread {
    id: NotificationId,
    user_id: UserId,
    ring_pending: bool,
    updated_at: i64,
    next_check_at: Option<i64>,
    rung_at: Option<i64>,
    counting: bool,
}

/// Whether folding a message in at `now` changes the ring owed, the time or
/// the next look of a notification ([`fold_set`], computed here).
fn fold_changes(n: &Unread, ring_again_after_ms: i64, now: Timestamp) -> bool {
    let next = match n.rung_at {
        Some(at) if at + ring_again_after_ms > now.0 => {
            let after_pause = at + ring_again_after_ms;
            n.next_check_at.filter(|&x| x < after_pause).unwrap_or(after_pause)
        }
        _ => n.next_check_at.filter(|&x| x <= now.0).unwrap_or(now.0),
    };
    !n.ring_pending || n.updated_at <= now.0 - FOLD_TIME_STEP_MS || n.next_check_at != Some(next)
}

/// Folds a batch of new messages of a thread, numbered up to `numbered`,
/// into the unread (normal) notification of the thread of each person
/// with a share, whatever its kind. A notification that counts writes
/// nothing unless the person posted (their own messages are taken off its
/// stored count) or its ring owed, time or next look change; one that does
/// not count yet takes the share's count and actor and starts counting
/// after the batch. Returns the people who had such a notification (the
/// others with messages not theirs need a new one, counting from
/// `numbered`).
///
/// The read returns only the notifications this may write and the people
/// who have none ([`fold_read`]): under load, a batch of a few messages to
/// a thread of hundreds of people finds almost every notification counting
/// with nothing to change, and reading them all was most of the writer's
/// time at 1,000 messages/s (docs/benchmarks.md, section 33).
pub async fn fold_batch(
    conn: &mut Conn,
    thread_id: ThreadId,
    shares: &[Share],
    numbered: crate::threads::Numbered,
    ring_again_after_ms: i64,
    now: Timestamp,
) -> Result<Vec<UserId>> {
    let mut had = Vec::new();
    for chunk in shares.chunks(READ_CHUNK) {
        let by_user: std::collections::HashMap<UserId, &Share> = chunk.iter().map(|s| (s.user_id, s)).collect();
        let authors: Vec<UserId> = chunk.iter().filter(|s| s.own > 0).map(|s| s.user_id).collect();
        let sql = fold_read(chunk.len(), authors.len());
        let sql = crate::params::positional(&*conn, &sql);
        let mut q = sqlx::query(&sql);
        for s in chunk {
            q = q.bind(s.user_id);
        }
        q = q
            .bind(thread_id)
            .bind(now.0 - FOLD_TIME_STEP_MS)
            .bind(ring_again_after_ms)
            .bind(now.0)
            .bind(ring_again_after_ms)
            .bind(now.0);
        for a in &authors {
            q = q.bind(*a);
        }
        let mut folds: Vec<(NotificationId, i64, Option<UserId>)> = Vec::new();
        let mut own_only: Vec<(NotificationId, i64)> = Vec::new();
        let mut missing: HashSet<UserId> = HashSet::new();
        for r in q.fetch_all(&mut *conn).await? {
            let user_id: UserId = r.try_get("user_id")?;
            let Some(id) = r.try_get::<Option<NotificationId>, _>("id")? else {
                missing.insert(user_id);
                continue;
            };
            let n = Unread {
                id,
                user_id,
                ring_pending: r.try_get::<i64, _>("ring_pending")? != 0,
                updated_at: r.try_get("updated_at")?,
                next_check_at: r.try_get("next_check_at")?,
                rung_at: r.try_get("rung_at")?,
                counting: r.try_get::<Option<i64>, _>("from_normal")?.is_some(),
            };
            let Some(share) = by_user.get(&n.user_id) else {
                continue;
            };
            if share.others > 0 {
                if !n.counting {
                    folds.push((n.id, share.others, share.actor));
                } else if share.own > 0 || fold_changes(&n, ring_again_after_ms, now) {
                    folds.push((n.id, -share.own, None));
                }
            } else if n.counting && share.own > 0 {
                own_only.push((n.id, share.own));
            }
        }
        had.extend(chunk.iter().map(|s| s.user_id).filter(|u| !missing.contains(u)));
        for folds in folds.chunks(CHUNK) {
            fold_rows(&mut *conn, folds, numbered, ring_again_after_ms, now).await?;
        }
        for own in own_only.chunks(CHUNK) {
            take_off_own(&mut *conn, own).await?;
        }
    }
    Ok(had)
}

/// The read of [`fold_batch`] for `people` people of whom `authors`
/// posted: for each person (parameters `$1…`), their unread (normal)
/// notifications of the thread that the batch may write, or one row with
/// no notification (`id` empty) if they have none. A notification is left
/// out only when it counts, its person did not post, and [`fold_changes`]
/// is false: the last condition below is that function's, in SQL (each
/// one that is left out would be skipped by it; those returned are decided
/// by it again). Parameters after the people: the thread, `now` less
/// [`FOLD_TIME_STEP_MS`], the ring pause, `now`, the ring pause, `now`,
/// then the authors: each appears once, in order, so that SQLite binds them
/// as `?` ([`crate::params::positional`]), hence the pause and `now` twice.
fn fold_read(people: usize, authors: usize) -> String {
    let p = |i: usize| format!("${}", people + i);
    let values: Vec<String> = (1..=people).map(|i| format!("(${i})")).collect();
    let posted = if authors == 0 {
        String::new()
    } else {
        format!(
            " OR s.user_id IN ({})",
            crate::profiles::placeholders(people + 7, authors)
        )
    };
    let (thread, step_ago, pause, now, pause_again, now_again) = (p(1), p(2), p(3), p(4), p(5), p(6));
    format!(
        "WITH s(user_id) AS (VALUES {values}) \
         SELECT s.user_id AS user_id, n.id AS id, n.ring_pending AS ring_pending, n.updated_at AS updated_at, \
           n.next_check_at AS next_check_at, n.rung_at AS rung_at, n.from_normal AS from_normal \
         FROM s LEFT JOIN notifications n ON n.user_id = s.user_id AND n.thread_id = {thread} \
           AND n.read_at IS NULL AND n.high_priority = 0 \
         WHERE n.id IS NULL OR n.from_normal IS NULL OR n.ring_pending = 0 OR n.updated_at <= {step_ago} \
           OR n.next_check_at IS NULL \
           OR n.next_check_at > CASE WHEN n.rung_at IS NOT NULL AND n.rung_at + {pause} > {now} \
             THEN n.rung_at + {pause_again} ELSE {now_again} END{posted}",
        values = values.join(", "),
    )
}

/// Writes the folds of [`fold_batch`]: (notification, what its stored
/// count takes, its new actor if it does not count yet).
async fn fold_rows(
    conn: &mut Conn,
    folds: &[(NotificationId, i64, Option<UserId>)],
    numbered: crate::threads::Numbered,
    ring_again_after_ms: i64,
    now: Timestamp,
) -> Result<()> {
    if folds.is_empty() {
        return Ok(());
    }
    // `fold_set`'s parameters, where counting starts, then for each row:
    // id and count; for those with an actor: id and actor; then the ids.
    let base = 3 + FOLD_SET_PARAMS;
    let counts: String = (0..folds.len())
        .map(|i| format!(" WHEN ${} THEN ${}", base + 2 * i, base + 2 * i + 1))
        .collect();
    let with_actor: Vec<(NotificationId, UserId)> = folds.iter().filter_map(|&(id, _, a)| a.map(|a| (id, a))).collect();
    let actors_base = base + 2 * folds.len();
    let actors = if with_actor.is_empty() {
        String::new()
    } else {
        let cases: String = (0..with_actor.len())
            .map(|i| format!(" WHEN ${} THEN ${}", actors_base + 2 * i, actors_base + 2 * i + 1))
            .collect();
        format!("actor_id = CASE id{cases} ELSE actor_id END, ")
    };
    let ids_base = actors_base + 2 * with_actor.len();
    let sql = format!(
        "UPDATE notifications SET count = count + CASE id{counts} END, {actors}\
           from_normal = COALESCE(from_normal, ${}), from_seq = COALESCE(from_seq, ${}), {} \
         WHERE read_at IS NULL AND id IN ({})",
        1 + FOLD_SET_PARAMS,
        2 + FOLD_SET_PARAMS,
        fold_set(1),
        crate::profiles::placeholders(ids_base, folds.len())
    );
    // Not through `params::positional`: its parameters do not appear in
    // order (at most 10 + 5 × CHUNK of them, bound by number).
    let mut q = fold_binds(sqlx::query(&sql), ring_again_after_ms, now)
        .bind(numbered.normal_count)
        .bind(numbered.last_seq);
    for &(id, count, _) in folds {
        q = q.bind(id).bind(count);
    }
    for &(id, actor) in &with_actor {
        q = q.bind(id).bind(actor);
    }
    for &(id, _, _) in folds {
        q = q.bind(id);
    }
    q.execute(&mut *conn).await?;
    Ok(())
}

/// Takes each author's own messages off the stored count of their unread
/// notification that counts (the thread's count has them).
async fn take_off_own(conn: &mut Conn, own: &[(NotificationId, i64)]) -> Result<()> {
    if own.is_empty() {
        return Ok(());
    }
    let cases: String = (0..own.len())
        .map(|i| format!(" WHEN ${} THEN ${}", 1 + 2 * i, 2 + 2 * i))
        .collect();
    let sql = format!(
        "UPDATE notifications SET count = count - CASE id{cases} END WHERE id IN ({})",
        crate::profiles::placeholders(1 + 2 * own.len(), own.len())
    );
    let sql = crate::params::positional(&*conn, &sql);
    let mut q = sqlx::query(&sql);
    for &(id, n) in own {
        q = q.bind(id).bind(n);
    }
    for &(id, _) in own {
        q = q.bind(id);
    }
    q.execute(&mut *conn).await?;
    Ok(())
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
    let row = sqlx::query(&format!("{} WHERE id = $1", *SELECT))
        .bind(id)
        .fetch_optional(conn)
        .await?;
    Ok(row.as_ref().map(map).transpose()?)
}

/// The worker's round: notifications whose next look is due.
pub async fn due(conn: &mut Conn, now: Timestamp, limit: i64) -> Result<Vec<NotificationRow>> {
    let rows = sqlx::query(&format!(
        "{} WHERE next_check_at IS NOT NULL AND next_check_at <= $1 ORDER BY next_check_at LIMIT $2",
        *SELECT
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
/// ([`save_deliveries`] compares the count), and it is looked at again.
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

/// Of these notifications, those that count and whose thread a batch of
/// messages is being written to on another connection (PostgreSQL: its
/// row is locked). The others' threads stay locked (shared) until the
/// caller's transaction ends, so that no batch numbers messages in them
/// meanwhile: a batch after it finds what the worker decided. The worker
/// writes in the writer's transaction, after its posts' own locks, so it
/// never waits here (`SKIP LOCKED`): waiting could close a circle with
/// another node's writer. SQLite has one writer: none.
async fn busy(conn: &mut Conn, ids: &[NotificationId]) -> Result<HashSet<NotificationId>> {
    if conn.backend_name() == "SQLite" {
        return Ok(HashSet::new());
    }
    let sql = format!(
        "SELECT id, thread_id FROM notifications WHERE from_normal IS NOT NULL AND id IN ({})",
        crate::profiles::placeholders(1, ids.len())
    );
    let mut q = sqlx::query(&sql);
    for id in ids {
        q = q.bind(*id);
    }
    let counting: Vec<(NotificationId, ThreadId)> = q
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| Ok((r.try_get("id")?, r.try_get("thread_id")?)))
        .collect::<std::result::Result<_, sqlx::Error>>()?;
    if counting.is_empty() {
        return Ok(HashSet::new());
    }
    let mut threads: Vec<ThreadId> = counting.iter().map(|(_, t)| *t).collect();
    threads.sort();
    threads.dedup();
    let sql = format!(
        "SELECT id FROM threads WHERE id IN ({}) ORDER BY id COLLATE \"C\" FOR SHARE SKIP LOCKED",
        crate::profiles::placeholders(1, threads.len())
    );
    let mut q = sqlx::query(&sql);
    for t in &threads {
        q = q.bind(*t);
    }
    let locked: HashSet<ThreadId> = q
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| r.try_get("id"))
        .collect::<std::result::Result<_, sqlx::Error>>()?;
    Ok(counting
        .into_iter()
        .filter(|(_, t)| !locked.contains(t))
        .map(|(n, _)| n)
        .collect())
}

/// Writes what the worker decided for each of a round's notifications
/// (id, the count as it stood when the worker read it, the decision), in
/// one statement per fifty: the round's writes share the writer's
/// transaction with the posts of the moment, which wait for them. A
/// message that came while the worker decided gets a decision of its own:
/// the count is compared as it stands. On PostgreSQL a batch of messages
/// may be being written to the thread on another connection at this very
/// moment, not yet in the count; such a notification is taken as changed
/// ([`busy`]).
pub async fn save_deliveries(conn: &mut Conn, saves: &[(NotificationId, i64, Delivery)]) -> Result<()> {
    if saves.is_empty() {
        return Ok(());
    }
    let ids: Vec<NotificationId> = saves.iter().map(|(id, _, _)| *id).collect();
    let busy = busy(&mut *conn, &ids).await?;
    for chunk in saves.chunks(CHUNK) {
        // Typed in every row: PostgreSQL would take untyped parameters of
        // a VALUES list for text. Its columns are column1… on both.
        let values: Vec<String> = (0..chunk.len())
            .map(|i| {
                let p = |j: usize| i * 9 + j;
                format!(
                    "(CAST(${} AS TEXT), {})",
                    p(1),
                    (2..=9)
                        .map(|j| format!("CAST(${} AS BIGINT)", p(j)))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })
            .collect();
        let sql = format!(
            "UPDATE notifications SET rings = v.column2, rung_at = v.column3, \
               emailed_at = CASE WHEN emailed_at IS NULL THEN v.column4 ELSE emailed_at END, sms_at = v.column5, \
               ring_pending = CASE WHEN {COUNT_NOW} = v.column6 THEN v.column7 ELSE ring_pending END, \
               next_check_at = CASE WHEN {COUNT_NOW} = v.column6 THEN v.column8 \
                 WHEN v.column9 > updated_at THEN v.column9 ELSE updated_at END \
             FROM (VALUES {}) AS v WHERE notifications.id = v.column1",
            values.join(", ")
        );
        let sql = crate::params::positional(&*conn, &sql);
        let mut q = sqlx::query(&sql);
        for (id, seen_count, d) in chunk {
            // A count no notification has: taken as changed.
            let seen_count = if busy.contains(id) { i64::MIN } else { *seen_count };
            q = q
                .bind(*id)
                .bind(d.rings)
                .bind(d.rung_at)
                .bind(d.emailed_at)
                .bind(d.sms_at)
                .bind(seen_count)
                .bind(i64::from(d.ring_pending))
                .bind(d.next_check_at)
                .bind(d.changed_not_before.unwrap_or(i64::MIN));
        }
        q.execute(&mut *conn).await?;
    }
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
        "{} WHERE user_id = $1 ORDER BY updated_at DESC, id DESC LIMIT $2",
        *SELECT
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
    lock_threads(
        &mut *conn,
        "SELECT thread_id FROM notifications WHERE id = $1 AND user_id = $2 AND from_normal IS NOT NULL",
        &[Bind::Notification(id), Bind::User(user_id)],
    )
    .await?;
    let done = sqlx::query(&format!(
        "UPDATE notifications SET read_at = CASE WHEN read_at IS NULL THEN $1 ELSE read_at END, {} \
         WHERE id = $2 AND user_id = $3",
        *FREEZE_SET
    ))
    .bind(now.0)
    .bind(id)
    .bind(user_id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn mark_all_read(conn: &mut Conn, user_id: UserId, now: Timestamp) -> Result<u64> {
    lock_threads(
        &mut *conn,
        "SELECT thread_id FROM notifications WHERE user_id = $1 AND read_at IS NULL AND from_normal IS NOT NULL",
        &[Bind::User(user_id)],
    )
    .await?;
    let sql = format!(
        "UPDATE notifications SET read_at = $1, {} WHERE user_id = $2 AND read_at IS NULL",
        *FREEZE_SET
    );
    let done = sqlx::query(&sql).bind(now.0).bind(user_id).execute(conn).await?;
    Ok(done.rows_affected())
}

/// Reading a thread reads its notifications.
pub async fn mark_thread_read(conn: &mut Conn, user_id: UserId, thread_id: ThreadId, now: Timestamp) -> Result<u64> {
    lock_threads(
        &mut *conn,
        "SELECT thread_id FROM notifications \
         WHERE user_id = $1 AND thread_id = $2 AND read_at IS NULL AND from_normal IS NOT NULL",
        &[Bind::User(user_id), Bind::Thread(thread_id)],
    )
    .await?;
    let sql = format!(
        "UPDATE notifications SET read_at = $1, {} WHERE user_id = $2 AND thread_id = $3 AND read_at IS NULL",
        *FREEZE_SET
    );
    let done = sqlx::query(&sql)
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
