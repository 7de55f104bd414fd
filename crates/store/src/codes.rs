//! One-time codes (email, SMS, phone check) and password-reset tokens, stored
//! only as keyed hashes.

use crate::{Conn, Result};
use cercle_domain::session::CodePurpose;
use cercle_domain::{CodeId, SessionId, Timestamp, UserId};
use sqlx::Row;

#[derive(Debug, Clone)]
pub struct CodeRow {
    pub id: CodeId,
    pub user_id: UserId,
    pub session_id: Option<SessionId>,
    pub purpose: CodePurpose,
    pub code_hash: String,
    pub target: Option<String>,
    pub attempts: i64,
    pub expires_at: i64,
}

pub struct NewCode<'a> {
    pub id: CodeId,
    pub user_id: UserId,
    pub session_id: Option<SessionId>,
    pub purpose: CodePurpose,
    pub code_hash: &'a str,
    pub target: Option<&'a str>,
    pub expires_at: Timestamp,
}

/// Stores a new code and retires the earlier live ones of the same purpose
/// (only the latest code sent works).
pub async fn insert(conn: &mut Conn, c: &NewCode<'_>, now: Timestamp) -> Result<()> {
    sqlx::query(
        "UPDATE one_time_codes SET consumed_at = $1 WHERE user_id = $2 AND purpose = $3 AND consumed_at IS NULL",
    )
    .bind(now.0)
    .bind(c.user_id)
    .bind(c.purpose)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO one_time_codes (id, user_id, session_id, purpose, code_hash, target, expires_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(c.id)
    .bind(c.user_id)
    .bind(c.session_id)
    .bind(c.purpose)
    .bind(c.code_hash)
    .bind(c.target)
    .bind(c.expires_at.0)
    .bind(now.0)
    .execute(conn)
    .await?;
    Ok(())
}

/// The live code of a purpose for a user (not consumed, not expired).
pub async fn live(conn: &mut Conn, user_id: UserId, purpose: CodePurpose, now: Timestamp) -> Result<Option<CodeRow>> {
    let row = sqlx::query(
        "SELECT id, user_id, session_id, purpose, code_hash, target, attempts, expires_at FROM one_time_codes \
         WHERE user_id = $1 AND purpose = $2 AND consumed_at IS NULL AND expires_at > $3 \
         ORDER BY created_at DESC LIMIT 1",
    )
    .bind(user_id)
    .bind(purpose)
    .bind(now.0)
    .fetch_optional(conn)
    .await?;
    Ok(match row {
        Some(r) => Some(CodeRow {
            id: r.try_get("id")?,
            user_id: r.try_get("user_id")?,
            session_id: r.try_get("session_id")?,
            purpose: r.try_get("purpose")?,
            code_hash: r.try_get("code_hash")?,
            target: r.try_get("target")?,
            attempts: r.try_get("attempts")?,
            expires_at: r.try_get("expires_at")?,
        }),
        None => None,
    })
}

/// Counts a wrong try; a code that reached `max` tries is consumed.
pub async fn record_attempt(conn: &mut Conn, id: CodeId, max: i64, now: Timestamp) -> Result<i64> {
    let attempts: i64 =
        sqlx::query("UPDATE one_time_codes SET attempts = attempts + 1 WHERE id = $1 RETURNING attempts")
            .bind(id)
            .fetch_one(&mut *conn)
            .await?
            .try_get("attempts")?;
    if attempts >= max {
        consume(conn, id, now).await?;
    }
    Ok(attempts)
}

pub async fn consume(conn: &mut Conn, id: CodeId, now: Timestamp) -> Result<()> {
    sqlx::query("UPDATE one_time_codes SET consumed_at = $1 WHERE id = $2")
        .bind(now.0)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// How many codes were sent to a user since `since` (all purposes).
pub async fn sent_since(conn: &mut Conn, user_id: UserId, since: Timestamp) -> Result<i64> {
    Ok(
        sqlx::query("SELECT COUNT(*) AS n FROM one_time_codes WHERE user_id = $1 AND created_at > $2")
            .bind(user_id)
            .bind(since.0)
            .fetch_one(conn)
            .await?
            .try_get("n")?,
    )
}

pub async fn insert_reset(
    conn: &mut Conn,
    token_hash: &str,
    user_id: UserId,
    expires_at: Timestamp,
    now: Timestamp,
) -> Result<()> {
    sqlx::query("INSERT INTO reset_tokens (token_hash, user_id, expires_at, created_at) VALUES ($1, $2, $3, $4)")
        .bind(token_hash)
        .bind(user_id)
        .bind(expires_at.0)
        .bind(now.0)
        .execute(conn)
        .await?;
    Ok(())
}

/// A reset token's user and state: `(user_id, expires_at, used)`.
pub async fn reset_by_hash(conn: &mut Conn, token_hash: &str) -> Result<Option<(UserId, i64, bool)>> {
    let row = sqlx::query("SELECT user_id, expires_at, used_at FROM reset_tokens WHERE token_hash = $1")
        .bind(token_hash)
        .fetch_optional(conn)
        .await?;
    Ok(match row {
        Some(r) => Some((
            r.try_get("user_id")?,
            r.try_get("expires_at")?,
            r.try_get::<Option<i64>, _>("used_at")?.is_some(),
        )),
        None => None,
    })
}

/// Marks a reset token used; false if it was already (single use, even under races).
pub async fn use_reset(conn: &mut Conn, token_hash: &str, now: Timestamp) -> Result<bool> {
    let done = sqlx::query("UPDATE reset_tokens SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL")
        .bind(now.0)
        .bind(token_hash)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Retires every unused reset link of a user (after a password change).
pub async fn retire_resets(conn: &mut Conn, user_id: UserId, now: Timestamp) -> Result<()> {
    sqlx::query("UPDATE reset_tokens SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL")
        .bind(now.0)
        .bind(user_id)
        .execute(conn)
        .await?;
    Ok(())
}
