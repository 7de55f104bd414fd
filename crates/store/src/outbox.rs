//! Outbound email and SMS: written in the same transaction as the action that
//! sends them, then delivered by a background worker with retries, so nothing
//! is lost if the mail server is down.

use crate::{Conn, Result};
use cercle_domain::Timestamp;
use sqlx::any::AnyRow;
use sqlx::Row;

#[derive(Debug, Clone)]
pub struct OutboxRow {
    pub id: String,
    pub channel: String,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub status: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub sent_at: Option<i64>,
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
    })
}

const COLUMNS: &str = "id, channel, recipient, subject, body, status, attempts, last_error, created_at, sent_at";

pub async fn enqueue(
    conn: &mut Conn,
    id: &str,
    channel: &str,
    recipient: &str,
    subject: &str,
    body: &str,
    now: Timestamp,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO outbox (id, channel, recipient, subject, body, status, next_attempt_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, 'pending', $6, $6)",
    )
    .bind(id)
    .bind(channel)
    .bind(recipient)
    .bind(subject)
    .bind(body)
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
/// pushes its next attempt into the future; false if another node took it.
pub async fn claim(conn: &mut Conn, id: &str, now: Timestamp, lease_until: Timestamp) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE outbox SET next_attempt_at = $1, attempts = attempts + 1 WHERE id = $2 AND status = 'pending' AND next_attempt_at <= $3",
    )
    .bind(lease_until.0)
    .bind(id)
    .bind(now.0)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Marks a message delivered. With `keep_body` false (production), the body,
/// which may hold a code or a link, is dropped once sent.
pub async fn mark_sent(conn: &mut Conn, id: &str, keep_body: bool, now: Timestamp) -> Result<()> {
    let sql = if keep_body {
        "UPDATE outbox SET status = 'sent', sent_at = $1, last_error = NULL WHERE id = $2"
    } else {
        "UPDATE outbox SET status = 'sent', sent_at = $1, last_error = NULL, body = '' WHERE id = $2"
    };
    sqlx::query(sql).bind(now.0).bind(id).execute(conn).await?;
    Ok(())
}

pub async fn mark_retry(conn: &mut Conn, id: &str, error: &str, next: Timestamp, give_up: bool) -> Result<()> {
    sqlx::query("UPDATE outbox SET status = $1, last_error = $2, next_attempt_at = $3 WHERE id = $4")
        .bind(if give_up { "failed" } else { "pending" })
        .bind(error)
        .bind(next.0)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
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
