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

/// A key to claim: the person, the key, the request's hash.
pub type NewKey<'a> = (UserId, &'a str, &'a str);

/// Claims several keys at once (each at most once in `keys`); returns,
/// for each, whether it was new (`false`: already claimed, as [`insert`]'s
/// conflict).
pub async fn insert_new(conn: &mut Conn, keys: &[NewKey<'_>], now: i64) -> Result<Vec<bool>> {
    let mut new = Vec::with_capacity(keys.len());
    for chunk in keys.chunks(100) {
        let values: Vec<String> = (0..chunk.len())
            .map(|i| format!("({})", crate::profiles::placeholders(i * 4 + 1, 4)))
            .collect();
        let sql = format!(
            "INSERT INTO idempotency_keys (person_id, idem_key, request_hash, created_at) VALUES {} \
             ON CONFLICT (person_id, idem_key) DO NOTHING RETURNING person_id, idem_key",
            values.join(", ")
        );
        let sql = crate::params::positional(&*conn, &sql);
        let mut q = sqlx::query(&sql);
        for (person_id, key, hash) in chunk {
            q = q.bind(*person_id).bind(*key).bind(*hash).bind(now);
        }
        let mut inserted = std::collections::HashSet::new();
        for r in q.fetch_all(&mut *conn).await? {
            let person: UserId = r.try_get("person_id")?;
            let key: String = r.try_get("idem_key")?;
            inserted.insert((person, key));
        }
        new.extend(chunk.iter().map(|(p, k, _)| inserted.contains(&(*p, (*k).to_string()))));
    }
    Ok(new)
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
