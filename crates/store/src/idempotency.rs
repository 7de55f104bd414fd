//! Idempotency keys: the first answer to a request, kept 24 hours so that a
//! client retrying with the same key gets it again instead of a duplicate.

use crate::{conflict, Conn, Result};
use cercle_domain::UserId;
use sqlx::Row;

#[derive(Debug, Clone)]
pub struct KeyRow {
    pub request_hash: String,
    /// None while the answer is not recorded yet (the work committed, the
    /// answer is on its way; or the node died in between).
    pub status: Option<i64>,
    pub response: Option<String>,
    pub created_at: i64,
}

/// Inserts the key in the transaction of the work: a second request with
/// the same key conflicts here (waiting for the first one's transaction).
pub async fn insert(conn: &mut Conn, person_id: UserId, key: &str, request_hash: &str, now: i64) -> Result<()> {
    sqlx::query("INSERT INTO idempotency_keys (person_id, idem_key, request_hash, created_at) VALUES ($1, $2, $3, $4)")
        .bind(person_id)
        .bind(key)
        .bind(request_hash)
        .bind(now)
        .execute(conn)
        .await
        .map_err(conflict)?;
    Ok(())
}

pub async fn get(conn: &mut Conn, person_id: UserId, key: &str) -> Result<Option<KeyRow>> {
    let row = sqlx::query(
        "SELECT request_hash, status, response, created_at FROM idempotency_keys WHERE person_id = $1 AND idem_key = $2",
    )
    .bind(person_id)
    .bind(key)
    .fetch_optional(conn)
    .await?;
    Ok(match row {
        Some(r) => Some(KeyRow {
            request_hash: r.try_get("request_hash")?,
            status: r.try_get("status")?,
            response: r.try_get("response")?,
            created_at: r.try_get("created_at")?,
        }),
        None => None,
    })
}

/// Records the answer of the request that holds the key.
pub async fn complete(conn: &mut Conn, person_id: UserId, key: &str, status: i64, response: &str) -> Result<()> {
    sqlx::query("UPDATE idempotency_keys SET status = $1, response = $2 WHERE person_id = $3 AND idem_key = $4")
        .bind(status)
        .bind(response)
        .bind(person_id)
        .bind(key)
        .execute(conn)
        .await?;
    Ok(())
}

/// Forgets one key if it was created before `before` (expired).
pub async fn forget_expired(conn: &mut Conn, person_id: UserId, key: &str, before: i64) -> Result<u64> {
    let done = sqlx::query("DELETE FROM idempotency_keys WHERE person_id = $1 AND idem_key = $2 AND created_at < $3")
        .bind(person_id)
        .bind(key)
        .bind(before)
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}

/// Forgets every key created before `before`.
pub async fn purge(conn: &mut Conn, before: i64) -> Result<u64> {
    let done = sqlx::query("DELETE FROM idempotency_keys WHERE created_at < $1")
        .bind(before)
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}
