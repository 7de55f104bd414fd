//! Fixed-window counters kept in the database, so that every node of a
//! cluster counts the same tries.

use crate::{Conn, Result};
use cercle_domain::Timestamp;
use sqlx::Row;

/// Counts one hit on `key`; returns the count in the current window.
pub async fn hit(conn: &mut Conn, key: &str, window_secs: i64, now: Timestamp) -> Result<i64> {
    let window_start = now.minus_secs(window_secs).0;
    let row = sqlx::query(
        "INSERT INTO rate_limits (key, window_start, count) VALUES ($1, $2, 1) \
         ON CONFLICT (key) DO UPDATE SET \
           count = CASE WHEN rate_limits.window_start < $3 THEN 1 ELSE rate_limits.count + 1 END, \
           window_start = CASE WHEN rate_limits.window_start < $3 THEN $2 ELSE rate_limits.window_start END \
         RETURNING count",
    )
    .bind(key)
    .bind(now.0)
    .bind(window_start)
    .fetch_one(conn)
    .await?;
    Ok(row.try_get("count")?)
}

/// The count in the current window without adding to it.
pub async fn peek(conn: &mut Conn, key: &str, window_secs: i64, now: Timestamp) -> Result<i64> {
    let row = sqlx::query("SELECT count FROM rate_limits WHERE key = $1 AND window_start >= $2")
        .bind(key)
        .bind(now.minus_secs(window_secs).0)
        .fetch_optional(conn)
        .await?;
    Ok(match row {
        Some(r) => r.try_get("count")?,
        None => 0,
    })
}
