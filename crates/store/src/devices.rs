use crate::{Conn, Result};
use cercle_domain::{DeviceId, Timestamp};
use sqlx::Row;

#[derive(Debug, Clone)]
pub struct DeviceRow {
    pub id: DeviceId,
    pub label: String,
}

pub async fn insert(conn: &mut Conn, id: DeviceId, token_hash: &str, label: &str, now: Timestamp) -> Result<()> {
    sqlx::query("INSERT INTO devices (id, token_hash, label, created_at, last_seen_at) VALUES ($1, $2, $3, $4, $4)")
        .bind(id)
        .bind(token_hash)
        .bind(label)
        .bind(now.0)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn by_token_hash(conn: &mut Conn, token_hash: &str) -> Result<Option<DeviceRow>> {
    let row = sqlx::query("SELECT id, label FROM devices WHERE token_hash = $1")
        .bind(token_hash)
        .fetch_optional(conn)
        .await?;
    Ok(match row {
        Some(r) => Some(DeviceRow {
            id: r.try_get("id")?,
            label: r.try_get("label")?,
        }),
        None => None,
    })
}

/// Gives a device a new secret: its sessions follow, the old secret opens nothing.
pub async fn rekey(conn: &mut Conn, id: DeviceId, token_hash: &str, now: Timestamp) -> Result<()> {
    sqlx::query("UPDATE devices SET token_hash = $1, last_seen_at = $2 WHERE id = $3")
        .bind(token_hash)
        .bind(now.0)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}
