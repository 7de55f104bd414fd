//! The event log: what happened, on which topic (a thread, a person, an
//! organization, a call), in one order for the whole database. Ids are
//! handed out in commit order: `event_head` is locked by each writing
//! transaction until it commits, so a reader never sees id n+1 before n.

use crate::{Conn, Result};
use cercle_domain::events::{EventKind, Topic};
use cercle_domain::Timestamp;
use sqlx::any::AnyRow;
use sqlx::Row;

/// A logged event as stored. The topic and kind stay text here: a row
/// written by a newer node may name a kind this version does not know
/// ([`EventRow::topic`] and [`EventKind::parse`] then say `None`).
#[derive(Debug, Clone)]
pub struct EventRow {
    pub id: i64,
    pub topic_kind: String,
    pub topic_id: String,
    pub kind: String,
    pub payload: String,
    pub created_at: i64,
}

impl EventRow {
    /// What the event is about; `None` for a topic this version does not know.
    pub fn topic(&self) -> Option<Topic> {
        Topic::from_parts(&self.topic_kind, &self.topic_id)
    }
}

fn map_event(r: &AnyRow) -> std::result::Result<EventRow, sqlx::Error> {
    Ok(EventRow {
        id: r.try_get("id")?,
        topic_kind: r.try_get("topic_kind")?,
        topic_id: r.try_get("topic_id")?,
        kind: r.try_get("kind")?,
        payload: r.try_get("payload")?,
        created_at: r.try_get("created_at")?,
    })
}

/// An event to append.
#[derive(Debug, Clone, Copy)]
pub struct NewEvent<'a> {
    pub topic: Topic,
    pub kind: EventKind,
    /// JSON.
    pub payload: &'a str,
}

/// Rows per INSERT: six values each, far below both databases' limits on
/// bound parameters.
const ROWS_PER_INSERT: usize = 500;

/// Appends an event in the caller's transaction; returns its id.
pub async fn append_event(
    conn: &mut Conn,
    topic: &Topic,
    kind: EventKind,
    payload: &str,
    now: Timestamp,
) -> Result<i64> {
    let event = NewEvent {
        topic: *topic,
        kind,
        payload,
    };
    let (_, last) = insert(conn, &[event], now).await?;
    Ok(last)
}

/// Appends events in the caller's transaction, in the order given; returns
/// their ids, which are consecutive. The head is taken once for all and
/// the rows go in few INSERTs (the bell rings many people at once).
pub async fn append_events(conn: &mut Conn, events: &[NewEvent<'_>], now: Timestamp) -> Result<Vec<i64>> {
    if events.is_empty() {
        return Ok(Vec::new());
    }
    let (first, last) = insert(conn, events, now).await?;
    Ok((first..=last).collect())
}

/// Takes ids for `events` (not empty) and inserts them; the first and last id.
async fn insert(conn: &mut Conn, events: &[NewEvent<'_>], now: Timestamp) -> Result<(i64, i64)> {
    let count = events.len() as i64;
    let last: i64 = sqlx::query("UPDATE event_head SET last = last + $1 WHERE id = 1 RETURNING last")
        .bind(count)
        .fetch_one(&mut *conn)
        .await?
        .try_get("last")?;
    let first = last - count + 1;
    let mut next = first;
    for chunk in events.chunks(ROWS_PER_INSERT) {
        let mut sql = String::from("INSERT INTO events (id, topic_kind, topic_id, kind, payload, created_at) VALUES ");
        for i in 0..chunk.len() {
            let p = i * 6;
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!(
                "(${}, ${}, ${}, ${}, ${}, ${})",
                p + 1,
                p + 2,
                p + 3,
                p + 4,
                p + 5,
                p + 6
            ));
        }
        let sql = crate::params::positional(&*conn, &sql);
        let mut q = sqlx::query(&sql);
        for e in chunk {
            q = q
                .bind(next)
                .bind(e.topic.kind())
                .bind(e.topic.id())
                .bind(e.kind.as_str())
                .bind(e.payload)
                .bind(now.0);
            next += 1;
        }
        q.execute(&mut *conn).await?;
    }
    Ok((first, last))
}

/// Events after `after_id`, in order, at most `limit`.
pub async fn events_after(conn: &mut Conn, after_id: i64, limit: i64) -> Result<Vec<EventRow>> {
    let rows = sqlx::query(
        "SELECT id, topic_kind, topic_id, kind, payload, created_at FROM events WHERE id > $1 ORDER BY id LIMIT $2",
    )
    .bind(after_id)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    Ok(rows.iter().map(map_event).collect::<std::result::Result<_, _>>()?)
}

/// The last event id handed out (0 before the first event).
pub async fn last_event_id(conn: &mut Conn) -> Result<i64> {
    let row = sqlx::query("SELECT last FROM event_head WHERE id = 1")
        .fetch_one(conn)
        .await?;
    Ok(row.try_get("last")?)
}

/// Tells the other nodes (PostgreSQL only) that events up to `id` exist;
/// delivered when the transaction commits, never if it rolls back.
pub async fn notify_nodes(conn: &mut Conn, payload: &str) -> Result<()> {
    sqlx::query("SELECT pg_notify('cercle_events', $1)")
        .bind(payload)
        .execute(conn)
        .await?;
    Ok(())
}
