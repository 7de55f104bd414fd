use crate::inline::Cursor;
use crate::users::UserRow;
use crate::{flag, Conn, Result};
use cercle_domain::session::{SecondFactor, SessionPurpose, SessionStage};
use cercle_domain::{DeviceId, SessionId, Timestamp, UserId};
use sqlx::any::AnyRow;
use sqlx::Row;

#[derive(Debug, Clone)]
pub struct SessionRow {
    pub id: SessionId,
    pub user_id: UserId,
    pub device_id: Option<DeviceId>,
    pub stage: SessionStage,
    pub purpose: SessionPurpose,
    /// The code's factor while the session waits for it.
    pub factor: Option<SecondFactor>,
    pub locked: bool,
    pub pin_failures: i64,
    pub label: String,
    pub ip: Option<String>,
    pub created_at: i64,
    pub last_seen_at: i64,
}

const COLUMNS: &str =
    "id, user_id, device_id, stage, purpose, factor, locked, pin_failures, label, ip, created_at, last_seen_at";

fn map(r: &AnyRow) -> std::result::Result<SessionRow, sqlx::Error> {
    Ok(SessionRow {
        id: r.try_get("id")?,
        user_id: r.try_get("user_id")?,
        device_id: r.try_get("device_id")?,
        stage: r.try_get("stage")?,
        purpose: r.try_get("purpose")?,
        factor: r.try_get("factor")?,
        locked: flag(r.try_get("locked")?),
        pin_failures: r.try_get("pin_failures")?,
        label: r.try_get("label")?,
        ip: r.try_get("ip")?,
        created_at: r.try_get("created_at")?,
        last_seen_at: r.try_get("last_seen_at")?,
    })
}

pub struct NewSession<'a> {
    pub id: SessionId,
    pub user_id: UserId,
    pub device_id: Option<DeviceId>,
    pub token_hash: Option<&'a str>,
    pub stage: SessionStage,
    pub purpose: SessionPurpose,
    pub factor: Option<SecondFactor>,
    pub label: &'a str,
    pub ip: Option<&'a str>,
}

pub async fn insert(conn: &mut Conn, s: &NewSession<'_>, now: Timestamp) -> Result<()> {
    sqlx::query(
        "INSERT INTO sessions (id, user_id, device_id, token_hash, stage, purpose, factor, label, ip, created_at, last_seen_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)",
    )
    .bind(s.id)
    .bind(s.user_id)
    .bind(s.device_id)
    .bind(s.token_hash)
    .bind(s.stage)
    .bind(s.purpose)
    .bind(s.factor)
    .bind(s.label)
    .bind(s.ip)
    .bind(now.0)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn by_id(conn: &mut Conn, id: SessionId) -> Result<Option<SessionRow>> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM sessions WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?;
    Ok(row.as_ref().map(map).transpose()?)
}

pub async fn by_token_hash(conn: &mut Conn, token_hash: &str) -> Result<Option<SessionRow>> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM sessions WHERE token_hash = $1"))
        .bind(token_hash)
        .fetch_optional(conn)
        .await?;
    Ok(row.as_ref().map(map).transpose()?)
}

/// The session a token belongs to, with its account, in one statement
/// (the check of every request; each statement is a hop to the database's
/// thread on SQLite, docs/benchmarks.md section 18). On SQLite,
/// `Store::session_with_user` reads it on the caller's thread first.
pub async fn with_user_by_token_hash(conn: &mut Conn, token_hash: &str) -> Result<Option<(SessionRow, UserRow)>> {
    let row = sqlx::query(with_user_sql())
        .bind(token_hash)
        .fetch_optional(conn)
        .await?;
    let Some(r) = row else { return Ok(None) };
    Ok(Some((map_prefixed(&r)?, crate::users::map(&r)?)))
}

/// [`with_user_by_token_hash`] by rusqlite on the caller's thread
/// ([`crate::inline`]).
pub(crate) fn with_user_inline(
    conn: &rusqlite::Connection,
    token_hash: &str,
) -> rusqlite::Result<Option<(SessionRow, UserRow)>> {
    use rusqlite::OptionalExtension;
    conn.prepare_cached(with_user_sql())?
        .query_row(rusqlite::named_params! { "$1": token_hash }, |r| {
            let mut c = Cursor::new(r);
            Ok((map_inline(&mut c)?, crate::users::map_inline(&mut c)?))
        })
        .optional()
}

/// The session's columns named `s_<column>`, then the account's.
fn with_user_sql() -> &'static str {
    static SQL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SQL.get_or_init(|| {
        let session = COLUMNS
            .split(", ")
            .map(|c| format!("s.{c} AS s_{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        let user = crate::users::COLUMNS
            .split(", ")
            .map(|c| format!("u.{}", c.trim()))
            .collect::<Vec<_>>()
            .join(", ");
        format!("SELECT {session}, {user} FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1")
    })
}

/// [`map`] by rusqlite: the columns in [`COLUMNS`]' order.
fn map_inline(c: &mut Cursor<'_, '_>) -> rusqlite::Result<SessionRow> {
    Ok(SessionRow {
        id: c.next()?,
        user_id: c.next()?,
        device_id: c.next()?,
        stage: c.next()?,
        purpose: c.next()?,
        factor: c.next()?,
        locked: flag(c.next()?),
        pin_failures: c.next()?,
        label: c.next()?,
        ip: c.next()?,
        created_at: c.next()?,
        last_seen_at: c.next()?,
    })
}

/// [`map`] of the session's columns named `s_<column>`.
fn map_prefixed(r: &AnyRow) -> std::result::Result<SessionRow, sqlx::Error> {
    Ok(SessionRow {
        id: r.try_get("s_id")?,
        user_id: r.try_get("s_user_id")?,
        device_id: r.try_get("s_device_id")?,
        stage: r.try_get("s_stage")?,
        purpose: r.try_get("s_purpose")?,
        factor: r.try_get("s_factor")?,
        locked: flag(r.try_get("s_locked")?),
        pin_failures: r.try_get("s_pin_failures")?,
        label: r.try_get("s_label")?,
        ip: r.try_get("s_ip")?,
        created_at: r.try_get("s_created_at")?,
        last_seen_at: r.try_get("s_last_seen_at")?,
    })
}

/// The (not deleted) account a session token belongs to, and its language.
pub async fn language_by_token_hash(conn: &mut Conn, token_hash: &str) -> Result<Option<(UserId, String)>> {
    let row = sqlx::query(
        "SELECT u.id, u.language FROM sessions s JOIN users u ON u.id = s.user_id \
         WHERE s.token_hash = $1 AND u.deleted_at IS NULL",
    )
    .bind(token_hash)
    .fetch_optional(conn)
    .await?;
    let Some(r) = row else { return Ok(None) };
    Ok(Some((r.try_get("id")?, r.try_get("language")?)))
}

pub async fn for_device(conn: &mut Conn, device_id: DeviceId) -> Result<Vec<SessionRow>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM sessions WHERE device_id = $1 ORDER BY created_at"
    ))
    .bind(device_id)
    .fetch_all(conn)
    .await?;
    Ok(rows.iter().map(map).collect::<std::result::Result<_, _>>()?)
}

pub async fn for_user(conn: &mut Conn, user_id: UserId) -> Result<Vec<SessionRow>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM sessions WHERE user_id = $1 AND stage = 'active' ORDER BY last_seen_at DESC"
    ))
    .bind(user_id)
    .fetch_all(conn)
    .await?;
    Ok(rows.iter().map(map).collect::<std::result::Result<_, _>>()?)
}

pub async fn activate(conn: &mut Conn, id: SessionId, now: Timestamp) -> Result<()> {
    sqlx::query("UPDATE sessions SET stage = 'active', factor = NULL, locked = 0, pin_failures = 0, last_seen_at = $1 WHERE id = $2")
        .bind(now.0)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn set_factor(conn: &mut Conn, id: SessionId, factor: SecondFactor) -> Result<()> {
    sqlx::query("UPDATE sessions SET factor = $1 WHERE id = $2")
        .bind(factor)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn touch(conn: &mut Conn, id: SessionId, now: Timestamp) -> Result<()> {
    sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id = $2")
        .bind(now.0)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn set_locked(conn: &mut Conn, id: SessionId, locked: bool) -> Result<()> {
    sqlx::query("UPDATE sessions SET locked = $1 WHERE id = $2")
        .bind(i64::from(locked))
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Unlocks after a right PIN.
pub async fn unlock(conn: &mut Conn, id: SessionId, now: Timestamp) -> Result<()> {
    sqlx::query("UPDATE sessions SET locked = 0, pin_failures = 0, last_seen_at = $1 WHERE id = $2")
        .bind(now.0)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Counts a wrong PIN; returns the new count.
pub async fn record_pin_failure(conn: &mut Conn, id: SessionId) -> Result<i64> {
    Ok(sqlx::query(
        "UPDATE sessions SET pin_failures = pin_failures + 1, locked = 1 WHERE id = $1 RETURNING pin_failures",
    )
    .bind(id)
    .fetch_one(conn)
    .await?
    .try_get("pin_failures")?)
}

pub async fn delete(conn: &mut Conn, id: SessionId) -> Result<bool> {
    sqlx::query("DELETE FROM one_time_codes WHERE session_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    let done = sqlx::query("DELETE FROM sessions WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Ends every session of a user but one (`keep`); returns how many ended.
pub async fn delete_for_user(conn: &mut Conn, user_id: UserId, keep: Option<SessionId>) -> Result<u64> {
    // No session has the empty id: with no `keep`, every one ends.
    let keep = keep.map(String::from).unwrap_or_default();
    sqlx::query("DELETE FROM one_time_codes WHERE user_id = $1 AND session_id IS NOT NULL AND session_id <> $2")
        .bind(user_id)
        .bind(&keep)
        .execute(&mut *conn)
        .await?;
    let done = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id <> $2")
        .bind(user_id)
        .bind(&keep)
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}

/// The time zones of the person behind a browser session (their own and
/// their active organization's), if the session is bound to that device.
pub async fn reader_time_zones(
    conn: &mut Conn,
    device_token_hash: &str,
    session_id: SessionId,
) -> Result<Option<(Option<String>, Option<String>)>> {
    let row = sqlx::query(
        "SELECT u.time_zone AS user_zone, o.time_zone AS org_zone FROM sessions s \
         JOIN devices d ON d.id = s.device_id \
         JOIN users u ON u.id = s.user_id \
         LEFT JOIN organizations o ON o.id = u.active_org_id \
         WHERE s.id = $1 AND d.token_hash = $2",
    )
    .bind(session_id)
    .bind(device_token_hash)
    .fetch_optional(conn)
    .await?;
    match row {
        Some(r) => Ok(Some((r.try_get("user_zone")?, r.try_get("org_zone")?))),
        None => Ok(None),
    }
}
