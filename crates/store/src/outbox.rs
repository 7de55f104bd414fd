//! Outbound email and SMS: written in the same transaction as the action that
//! sends them, then delivered by a background worker with retries, so nothing
//! is lost if the mail server is down.

use crate::{Conn, Result};
use cercle_domain::outbox::{OutboxChannel, OutboxKind, OutboxStatus};
use cercle_domain::{OutboxId, Timestamp};
use sqlx::any::AnyRow;
use sqlx::Row;

#[derive(Debug, Clone)]
pub struct OutboxRow {
    pub id: OutboxId,
    pub channel: OutboxChannel,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub status: OutboxStatus,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub sent_at: Option<i64>,
    /// The `Message-ID` header, the same on every attempt (none on rows
    /// queued before it existed: derived from the id then).
    pub message_id: Option<String>,
    /// What the message is (`signin-code`, `invitation`…), never its content.
    pub kind: OutboxKind,
    /// Start of the retry window: queued, or sent again by an administrator.
    pub retry_since: i64,
    pub failed_at: Option<i64>,
}

fn map(r: &AnyRow) -> std::result::Result<OutboxRow, sqlx::Error> {
    Ok(OutboxRow {
        id: r.try_get("id")?,
        channel: r.try_get("channel")?,
        recipient: r.try_get("recipient")?,
        subject: r.try_get("subject")?,
        body: r.try_get("body")?,
        status: r.try_get("status")?,
        attempts: r.try_get("attempts")?,
        last_error: r.try_get("last_error")?,
        created_at: r.try_get("created_at")?,
        sent_at: r.try_get("sent_at")?,
        message_id: r.try_get("message_id")?,
        kind: r.try_get("kind")?,
        retry_since: r.try_get("retry_since")?,
        failed_at: r.try_get("failed_at")?,
    })
}

const COLUMNS: &str = "id, channel, recipient, subject, body, status, attempts, last_error, created_at, sent_at, \
     message_id, kind, COALESCE(retry_since, created_at) AS retry_since, failed_at";

/// A message to queue.
pub struct NewOutgoing<'a> {
    pub id: OutboxId,
    pub channel: OutboxChannel,
    pub kind: OutboxKind,
    pub recipient: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
}

pub async fn enqueue(conn: &mut Conn, m: &NewOutgoing<'_>, now: Timestamp) -> Result<()> {
    sqlx::query(
        "INSERT INTO outbox (id, channel, kind, recipient, subject, body, status, next_attempt_at, created_at, retry_since) \
         VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $7, $7)",
    )
    .bind(m.id)
    .bind(m.channel)
    .bind(m.kind)
    .bind(m.recipient)
    .bind(m.subject)
    .bind(m.body)
    .bind(now.0)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn due(conn: &mut Conn, now: Timestamp, limit: i64) -> Result<Vec<OutboxRow>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM outbox WHERE status = 'pending' AND next_attempt_at <= $1 ORDER BY created_at LIMIT $2"
    ))
    .bind(now.0)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    Ok(rows.iter().map(map).collect::<std::result::Result<_, _>>()?)
}

/// Claims a message for delivery (so that two nodes do not both send it):
/// pushes its next attempt into the future and fixes its `Message-ID` if it
/// had none; false if another node took it.
pub async fn claim(
    conn: &mut Conn,
    id: OutboxId,
    message_id: &str,
    now: Timestamp,
    lease_until: Timestamp,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE outbox SET next_attempt_at = $1, attempts = attempts + 1, message_id = COALESCE(message_id, $2) \
         WHERE id = $3 AND status = 'pending' AND next_attempt_at <= $4",
    )
    .bind(lease_until.0)
    .bind(message_id)
    .bind(id)
    .bind(now.0)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Marks a message delivered. With `keep_body` false (production), the body,
/// which may hold a code or a link, is dropped once sent.
pub async fn mark_sent(conn: &mut Conn, id: OutboxId, keep_body: bool, now: Timestamp) -> Result<()> {
    let sql = if keep_body {
        "UPDATE outbox SET status = 'sent', sent_at = $1, last_error = NULL WHERE id = $2"
    } else {
        "UPDATE outbox SET status = 'sent', sent_at = $1, last_error = NULL, body = '' WHERE id = $2"
    };
    sqlx::query(sql).bind(now.0).bind(id).execute(conn).await?;
    Ok(())
}

/// After a failed attempt: try again at `next`, or, with `give_up`, mark the
/// message failed (it keeps its body, so that it can be sent again).
pub async fn mark_retry(
    conn: &mut Conn,
    id: OutboxId,
    error: &str,
    next: Timestamp,
    give_up: bool,
    now: Timestamp,
) -> Result<()> {
    sqlx::query("UPDATE outbox SET status = $1, last_error = $2, next_attempt_at = $3, failed_at = $4 WHERE id = $5")
        .bind(if give_up {
            OutboxStatus::Failed
        } else {
            OutboxStatus::Pending
        })
        .bind(error)
        .bind(next.0)
        .bind(if give_up { Some(now.0) } else { None })
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Messages the worker gave up on, the newest first.
pub async fn failed(conn: &mut Conn, limit: i64) -> Result<Vec<OutboxRow>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM outbox WHERE status = 'failed' ORDER BY failed_at DESC, id DESC LIMIT $1"
    ))
    .bind(limit)
    .fetch_all(conn)
    .await?;
    Ok(rows.iter().map(map).collect::<std::result::Result<_, _>>()?)
}

pub async fn get(conn: &mut Conn, id: OutboxId) -> Result<Option<OutboxRow>> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM outbox WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?;
    Ok(row.as_ref().map(map).transpose()?)
}

/// Queues a failed message again: due now, attempts from zero, a new retry
/// window; the same id and `Message-ID`. False if it was not failed.
pub async fn send_again(conn: &mut Conn, id: OutboxId, now: Timestamp) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = $1, retry_since = $1, failed_at = NULL \
         WHERE id = $2 AND status = 'failed'",
    )
    .bind(now.0)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn recent(conn: &mut Conn, limit: i64) -> Result<Vec<OutboxRow>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM outbox ORDER BY created_at DESC, id DESC LIMIT $1"
    ))
    .bind(limit)
    .fetch_all(conn)
    .await?;
    Ok(rows.iter().map(map).collect::<std::result::Result<_, _>>()?)
}

/// Messages waiting to be sent (due now or waiting for a retry): the queue
/// depth `/metrics` shows.
pub async fn waiting_count(conn: &mut Conn) -> Result<i64> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM outbox WHERE status = 'pending'")
        .fetch_one(conn)
        .await?;
    Ok(row.try_get("n")?)
}
