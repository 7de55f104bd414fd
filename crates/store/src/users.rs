use crate::{conflict, flag, Conn, Result, StoreError};
use cercle_domain::Timestamp;
use sqlx::any::AnyRow;
use sqlx::Row;

/// A user row as stored. Secrets are only ever hashes (or, for the TOTP
/// secret, encrypted by the service layer).
#[derive(Debug, Clone)]
pub struct UserRow {
    pub id: String,
    pub email: String,
    pub name: String,
    pub language: String,
    pub password_hash: String,
    pub email_verified_at: Option<i64>,
    pub terms_accepted_at: Option<i64>,
    pub recovery_hash: Option<String>,
    pub pin_hash: Option<String>,
    pub phone: Option<String>,
    pub phone_verified_at: Option<i64>,
    pub second_factor: cercle_domain::session::SecondFactor,
    pub totp_secret: Option<String>,
    pub totp_pending_secret: Option<String>,
    pub totp_last_step: Option<i64>,
    pub failed_logins: i64,
    pub locked_until: Option<i64>,
    pub network_admin: bool,
    /// On the network's profession verification team.
    pub network_verifier: bool,
    /// Only in patients' circles: reaches care channels, nothing of the network.
    pub circle_only: bool,
    pub deleted_at: Option<i64>,
    pub created_at: i64,
    /// The person's own time zone (an IANA name), overriding their
    /// organization's; none to follow it.
    pub time_zone: Option<String>,
}

pub(crate) const COLUMNS: &str = "id, email, name, language, password_hash, email_verified_at, terms_accepted_at, \
    recovery_hash, pin_hash, phone, phone_verified_at, second_factor, totp_secret, totp_pending_secret, \
    totp_last_step, failed_logins, locked_until, network_admin, network_verifier, circle_only, deleted_at, created_at, time_zone";

pub(crate) fn map(r: &AnyRow) -> std::result::Result<UserRow, sqlx::Error> {
    Ok(UserRow {
        id: r.try_get("id")?,
        email: r.try_get("email")?,
        name: r.try_get("name")?,
        language: r.try_get("language")?,
        password_hash: r.try_get("password_hash")?,
        email_verified_at: r.try_get("email_verified_at")?,
        terms_accepted_at: r.try_get("terms_accepted_at")?,
        recovery_hash: r.try_get("recovery_hash")?,
        pin_hash: r.try_get("pin_hash")?,
        phone: r.try_get("phone")?,
        phone_verified_at: r.try_get("phone_verified_at")?,
        second_factor: r.try_get("second_factor")?,
        totp_secret: r.try_get("totp_secret")?,
        totp_pending_secret: r.try_get("totp_pending_secret")?,
        totp_last_step: r.try_get("totp_last_step")?,
        failed_logins: r.try_get("failed_logins")?,
        locked_until: r.try_get("locked_until")?,
        network_admin: flag(r.try_get("network_admin")?),
        network_verifier: flag(r.try_get("network_verifier")?),
        circle_only: flag(r.try_get("circle_only")?),
        deleted_at: r.try_get("deleted_at")?,
        created_at: r.try_get("created_at")?,
        time_zone: r.try_get("time_zone")?,
    })
}

/// [`map`] by rusqlite (`crate::inline`): the columns in [`COLUMNS`]' order.
pub(crate) fn map_inline(c: &mut crate::inline::Cursor<'_, '_>) -> rusqlite::Result<UserRow> {
    Ok(UserRow {
        id: c.next()?,
        email: c.next()?,
        name: c.next()?,
        language: c.next()?,
        password_hash: c.next()?,
        email_verified_at: c.next()?,
        terms_accepted_at: c.next()?,
        recovery_hash: c.next()?,
        pin_hash: c.next()?,
        phone: c.next()?,
        phone_verified_at: c.next()?,
        second_factor: c.next()?,
        totp_secret: c.next()?,
        totp_pending_secret: c.next()?,
        totp_last_step: c.next()?,
        failed_logins: c.next()?,
        locked_until: c.next()?,
        network_admin: flag(c.next()?),
        network_verifier: flag(c.next()?),
        circle_only: flag(c.next()?),
        deleted_at: c.next()?,
        created_at: c.next()?,
        time_zone: c.next()?,
    })
}

pub struct NewUser<'a> {
    pub id: &'a str,
    pub email: &'a str,
    pub name: &'a str,
    pub language: &'a str,
    pub password_hash: &'a str,
    pub network_admin: bool,
}

pub async fn insert(conn: &mut Conn, u: &NewUser<'_>, now: Timestamp) -> Result<()> {
    sqlx::query(
        "INSERT INTO users (id, email, name, language, password_hash, network_admin, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
    )
    .bind(u.id)
    .bind(u.email)
    .bind(u.name)
    .bind(u.language)
    .bind(u.password_hash)
    .bind(i64::from(u.network_admin))
    .bind(now.0)
    .execute(conn)
    .await
    .map_err(conflict)?;
    Ok(())
}

pub async fn by_email(conn: &mut Conn, email: &str) -> Result<Option<UserRow>> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM users WHERE email = $1"))
        .bind(email)
        .fetch_optional(conn)
        .await?;
    Ok(row.as_ref().map(map).transpose()?)
}

pub async fn by_id(conn: &mut Conn, id: &str) -> Result<Option<UserRow>> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM users WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?;
    Ok(row.as_ref().map(map).transpose()?)
}

pub async fn get(conn: &mut Conn, id: &str) -> Result<UserRow> {
    by_id(conn, id).await?.ok_or(StoreError::Db(sqlx::Error::RowNotFound))
}

pub async fn count(conn: &mut Conn) -> Result<i64> {
    Ok(sqlx::query("SELECT COUNT(*) AS n FROM users WHERE deleted_at IS NULL")
        .fetch_one(conn)
        .await?
        .try_get("n")?)
}

pub async fn count_network_admins(conn: &mut Conn) -> Result<i64> {
    Ok(
        sqlx::query("SELECT COUNT(*) AS n FROM users WHERE network_admin = 1 AND deleted_at IS NULL")
            .fetch_one(conn)
            .await?
            .try_get("n")?,
    )
}

/// One column of `users` that a service may set. Naming the columns in a
/// closed enum keeps every `UPDATE` below a fixed string.
#[derive(Debug, Clone, Copy)]
pub enum Field {
    Name,
    Language,
    PasswordHash,
    EmailVerifiedAt,
    TermsAcceptedAt,
    RecoveryHash,
    PinHash,
    Phone,
    PhoneVerifiedAt,
    SecondFactor,
    TotpSecret,
    TotpPendingSecret,
    TotpLastStep,
    FailedLogins,
    LockedUntil,
    NetworkAdmin,
    TimeZone,
}

impl Field {
    fn column(self) -> &'static str {
        match self {
            Field::Name => "name",
            Field::Language => "language",
            Field::PasswordHash => "password_hash",
            Field::EmailVerifiedAt => "email_verified_at",
            Field::TermsAcceptedAt => "terms_accepted_at",
            Field::RecoveryHash => "recovery_hash",
            Field::PinHash => "pin_hash",
            Field::Phone => "phone",
            Field::PhoneVerifiedAt => "phone_verified_at",
            Field::SecondFactor => "second_factor",
            Field::TotpSecret => "totp_secret",
            Field::TotpPendingSecret => "totp_pending_secret",
            Field::TotpLastStep => "totp_last_step",
            Field::FailedLogins => "failed_logins",
            Field::LockedUntil => "locked_until",
            Field::NetworkAdmin => "network_admin",
            Field::TimeZone => "time_zone",
        }
    }
}

/// A value to store in a [`Field`].
#[derive(Debug, Clone)]
pub enum Value {
    Text(Option<String>),
    Int(Option<i64>),
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::Text(Some(s.to_string()))
    }
}
impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::Text(Some(s))
    }
}
impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(Some(v))
    }
}
impl From<Timestamp> for Value {
    fn from(v: Timestamp) -> Self {
        Value::Int(Some(v.0))
    }
}

/// Sets several fields of one user at once.
pub async fn set(conn: &mut Conn, id: &str, fields: &[(Field, Value)], now: Timestamp) -> Result<()> {
    let mut sql = String::from("UPDATE users SET updated_at = $1");
    for (i, (f, _)) in fields.iter().enumerate() {
        sql.push_str(&format!(", {} = ${}", f.column(), i + 2));
    }
    sql.push_str(&format!(" WHERE id = ${}", fields.len() + 2));
    let mut q = sqlx::query(&sql).bind(now.0);
    for (_, v) in fields {
        q = match v {
            Value::Text(t) => q.bind(t.clone()),
            Value::Int(i) => q.bind(*i),
        };
    }
    q.bind(id).execute(conn).await.map_err(conflict)?;
    Ok(())
}

/// Counts a wrong password (or recovery code); returns the new count.
pub async fn record_failed_login(conn: &mut Conn, id: &str) -> Result<i64> {
    Ok(
        sqlx::query("UPDATE users SET failed_logins = failed_logins + 1 WHERE id = $1 RETURNING failed_logins")
            .bind(id)
            .fetch_one(conn)
            .await?
            .try_get("failed_logins")?,
    )
}

/// Removes a person's identity but keeps the row, so that what they wrote in
/// clinical records and the audit log still points somewhere ("former user").
pub async fn erase_identity(conn: &mut Conn, id: &str, now: Timestamp) -> Result<()> {
    sqlx::query(
        "UPDATE users SET email = $1, name = '', password_hash = '', recovery_hash = NULL, pin_hash = NULL, \
         phone = NULL, phone_verified_at = NULL, totp_secret = NULL, totp_pending_secret = NULL, \
         deleted_at = $2, updated_at = $2 WHERE id = $3",
    )
    .bind(format!("deleted-{id}@invalid.invalid"))
    .bind(now.0)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Removes a sign-up that never confirmed its email, so the address can be
/// used again.
pub async fn delete_unverified(conn: &mut Conn, id: &str) -> Result<()> {
    sqlx::query("DELETE FROM one_time_codes WHERE user_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM users WHERE id = $1 AND email_verified_at IS NULL")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// The organization a person works in now (None: not yet chosen).
pub async fn set_active_org(conn: &mut Conn, id: &str, org_id: Option<&str>) -> Result<()> {
    sqlx::query("UPDATE users SET active_org_id = $1 WHERE id = $2")
        .bind(org_id)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn active_org(conn: &mut Conn, id: &str) -> Result<Option<String>> {
    Ok(sqlx::query("SELECT active_org_id FROM users WHERE id = $1")
        .bind(id)
        .fetch_one(conn)
        .await
        .and_then(|r| r.try_get("active_org_id"))?)
}

/// Every account id (for rebuilding derived data such as the search index).
pub async fn all_ids(conn: &mut Conn) -> Result<Vec<String>> {
    let rows = sqlx::query("SELECT id FROM users WHERE deleted_at IS NULL ORDER BY id")
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|r| r.try_get("id"))
        .collect::<std::result::Result<_, _>>()
        .map_err(Into::into)
}

/// The time zones that apply to a person: their own, and their active
/// organization's (`None` for each that is not set).
pub async fn time_zones(conn: &mut Conn, id: &str) -> Result<(Option<String>, Option<String>)> {
    let row = sqlx::query(
        "SELECT u.time_zone AS user_zone, o.time_zone AS org_zone FROM users u LEFT JOIN organizations o ON o.id = u.active_org_id \
         WHERE u.id = $1",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?;
    match row {
        Some(r) => Ok((r.try_get("user_zone")?, r.try_get("org_zone")?)),
        None => Ok((None, None)),
    }
}
