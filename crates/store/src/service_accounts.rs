//! Service accounts (migration 0021): partners' accounts with their public
//! keys, the client assertions' `jti` seen (replay protection across
//! nodes), and the access tokens issued, kept hashed.

use crate::{Conn, Result};
use cercle_domain::{OrgId, ServiceAccountId, Timestamp, UserId};
use sqlx::any::AnyRow;
use sqlx::Row;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceAccountRow {
    pub id: ServiceAccountId,
    pub name: String,
    pub org_id: OrgId,
    pub acting_user_id: UserId,
    /// Space-separated.
    pub scopes: String,
    /// The JWK set, as JSON text.
    pub jwks: String,
    pub created_at: i64,
    pub updated_at: Option<i64>,
    pub disabled_at: Option<i64>,
}

const COLUMNS: &str = "id, name, org_id, acting_user_id, scopes, jwks, created_at, updated_at, disabled_at";

fn map(r: &AnyRow) -> std::result::Result<ServiceAccountRow, sqlx::Error> {
    Ok(ServiceAccountRow {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        org_id: r.try_get("org_id")?,
        acting_user_id: r.try_get("acting_user_id")?,
        scopes: r.try_get("scopes")?,
        jwks: r.try_get("jwks")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
        disabled_at: r.try_get("disabled_at")?,
    })
}

pub async fn insert(conn: &mut Conn, a: &ServiceAccountRow, created_by: Option<UserId>) -> Result<()> {
    sqlx::query(
        "INSERT INTO service_accounts (id, name, org_id, acting_user_id, scopes, jwks, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(a.id)
    .bind(&a.name)
    .bind(a.org_id)
    .bind(a.acting_user_id)
    .bind(&a.scopes)
    .bind(&a.jwks)
    .bind(created_by.map(|u| u.to_string()))
    .bind(a.created_at)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn get(conn: &mut Conn, id: ServiceAccountId) -> Result<Option<ServiceAccountRow>> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM service_accounts WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?;
    Ok(row.as_ref().map(map).transpose()?)
}

pub async fn by_name(conn: &mut Conn, name: &str) -> Result<Option<ServiceAccountRow>> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM service_accounts WHERE name = $1"))
        .bind(name)
        .fetch_optional(conn)
        .await?;
    Ok(row.as_ref().map(map).transpose()?)
}

/// Every account, by name (a network has a handful).
pub async fn list(conn: &mut Conn) -> Result<Vec<ServiceAccountRow>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM service_accounts ORDER BY name LIMIT 500"
    ))
    .fetch_all(conn)
    .await?;
    Ok(rows.iter().map(map).collect::<std::result::Result<_, _>>()?)
}

/// Replaces the JWK set (key rotation).
pub async fn set_jwks(conn: &mut Conn, id: ServiceAccountId, jwks: &str, now: Timestamp) -> Result<bool> {
    let done = sqlx::query("UPDATE service_accounts SET jwks = $1, updated_at = $2 WHERE id = $3")
        .bind(jwks)
        .bind(now.0)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Replaces the scopes granted.
pub async fn set_scopes(conn: &mut Conn, id: ServiceAccountId, scopes: &str, now: Timestamp) -> Result<bool> {
    let done = sqlx::query("UPDATE service_accounts SET scopes = $1, updated_at = $2 WHERE id = $3")
        .bind(scopes)
        .bind(now.0)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Disables (`Some(now)`) or enables (`None`) the account.
pub async fn set_disabled(
    conn: &mut Conn,
    id: ServiceAccountId,
    disabled_at: Option<i64>,
    now: Timestamp,
) -> Result<bool> {
    let done = sqlx::query("UPDATE service_accounts SET disabled_at = $1, updated_at = $2 WHERE id = $3")
        .bind(disabled_at)
        .bind(now.0)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// The tokens of an account end at once (disabled, keys rotated).
pub async fn revoke_tokens(conn: &mut Conn, id: ServiceAccountId) -> Result<()> {
    sqlx::query("DELETE FROM service_tokens WHERE account_id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Records an assertion's `jti` until `expires_at`; false when it was seen
/// before (a replay), on any node.
pub async fn claim_jti(conn: &mut Conn, id: ServiceAccountId, jti: &str, expires_at: i64) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO service_assertions (account_id, jti, expires_at) VALUES ($1, $2, $3) \
         ON CONFLICT (account_id, jti) DO NOTHING",
    )
    .bind(id)
    .bind(jti)
    .bind(expires_at)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Forgets the `jti`s and tokens expired before `now`.
pub async fn sweep(conn: &mut Conn, now: Timestamp) -> Result<()> {
    sqlx::query("DELETE FROM service_assertions WHERE expires_at < $1")
        .bind(now.0)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM service_tokens WHERE expires_at < $1")
        .bind(now.0)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn insert_token(
    conn: &mut Conn,
    token_hash: &str,
    id: ServiceAccountId,
    scopes: &str,
    now: Timestamp,
    expires_at: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO service_tokens (token_hash, account_id, scopes, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(token_hash)
    .bind(id)
    .bind(scopes)
    .bind(now.0)
    .bind(expires_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// A token still valid at `now`: its account and scopes.
pub async fn token(conn: &mut Conn, token_hash: &str, now: Timestamp) -> Result<Option<(ServiceAccountRow, String)>> {
    let row = sqlx::query(
        "SELECT a.id, a.name, a.org_id, a.acting_user_id, a.scopes, a.jwks, a.created_at, a.updated_at, \
         a.disabled_at, t.scopes AS token_scopes \
         FROM service_tokens t JOIN service_accounts a ON a.id = t.account_id \
         WHERE t.token_hash = $1 AND t.expires_at > $2",
    )
    .bind(token_hash)
    .bind(now.0)
    .fetch_optional(conn)
    .await?;
    match row {
        Some(r) => Ok(Some((map(&r)?, r.try_get("token_scopes")?))),
        None => Ok(None),
    }
}
