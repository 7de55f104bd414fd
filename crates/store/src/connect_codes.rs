//! Instant mobile connect codes (migration 0020): a secret shown by a
//! signed-in web session, kept here as its SHA-256 only, with the account,
//! the session that made it, its expiry and whether it was used.

use crate::{Conn, Result};
use cercle_domain::{CodeId, SessionId, Timestamp, UserId};
use sqlx::any::AnyRow;
use sqlx::Row;

#[derive(Debug, Clone)]
pub struct ConnectCodeRow {
    pub id: CodeId,
    pub user_id: UserId,
    /// The web session that made the code.
    pub session_id: SessionId,
    pub created_at: i64,
    pub expires_at: i64,
    pub used_at: Option<i64>,
}

fn map(r: &AnyRow) -> std::result::Result<ConnectCodeRow, sqlx::Error> {
    Ok(ConnectCodeRow {
        id: r.try_get("id")?,
        user_id: r.try_get("user_id")?,
        session_id: r.try_get("session_id")?,
        created_at: r.try_get("created_at")?,
        expires_at: r.try_get("expires_at")?,
        used_at: r.try_get("used_at")?,
    })
}

pub struct NewConnectCode<'a> {
    pub id: CodeId,
    pub secret_hash: &'a str,
    pub user_id: UserId,
    pub session_id: SessionId,
    pub expires_at: Timestamp,
}

pub async fn insert(conn: &mut Conn, c: &NewConnectCode<'_>, now: Timestamp) -> Result<()> {
    sqlx::query(
        "INSERT INTO connect_codes (id, secret_hash, user_id, session_id, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(c.id)
    .bind(c.secret_hash)
    .bind(c.user_id)
    .bind(c.session_id)
    .bind(now.0)
    .bind(c.expires_at.0)
    .execute(conn)
    .await?;
    Ok(())
}

/// The code whose secret hashes to `secret_hash`, used or not.
pub async fn by_secret_hash(conn: &mut Conn, secret_hash: &str) -> Result<Option<ConnectCodeRow>> {
    let row = sqlx::query(
        "SELECT id, user_id, session_id, created_at, expires_at, used_at FROM connect_codes WHERE secret_hash = $1",
    )
    .bind(secret_hash)
    .fetch_optional(conn)
    .await?;
    Ok(row.as_ref().map(map).transpose()?)
}

/// Marks the code used by `new_session`, if nobody used it before; false
/// when another request was first (single use, even under a race).
pub async fn mark_used(conn: &mut Conn, id: CodeId, new_session: SessionId, now: Timestamp) -> Result<bool> {
    let done =
        sqlx::query("UPDATE connect_codes SET used_at = $1, used_session_id = $2 WHERE id = $3 AND used_at IS NULL")
            .bind(now.0)
            .bind(new_session)
            .bind(id)
            .execute(conn)
            .await?;
    Ok(done.rows_affected() == 1)
}

/// Forgets codes expired before `before` (kept until then so that a reused
/// or expired code is told apart from an unknown one).
pub async fn purge_expired(conn: &mut Conn, before: Timestamp) -> Result<u64> {
    let done = sqlx::query("DELETE FROM connect_codes WHERE expires_at < $1")
        .bind(before.0)
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}
