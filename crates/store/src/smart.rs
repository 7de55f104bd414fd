//! The integrated bubble (migration 0022): registered EMRs, SMART launches
//! under way, and accounts linked to an EMR's practitioners.

use crate::{Conn, Result};
use cercle_domain::{EmrId, SmartLaunchId, Timestamp, UserId};
use sqlx::any::AnyRow;
use sqlx::Row;

#[derive(Debug, Clone)]
pub struct EmrRow {
    pub id: EmrId,
    pub name: String,
    pub issuer: String,
    pub client_id: String,
    /// Space-separated origins.
    pub frame_origins: String,
    pub created_at: i64,
    pub disabled_at: Option<i64>,
}

const EMR_COLUMNS: &str = "id, name, issuer, client_id, frame_origins, created_at, disabled_at";

fn map_emr(r: &AnyRow) -> std::result::Result<EmrRow, sqlx::Error> {
    Ok(EmrRow {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        issuer: r.try_get("issuer")?,
        client_id: r.try_get("client_id")?,
        frame_origins: r.try_get("frame_origins")?,
        created_at: r.try_get("created_at")?,
        disabled_at: r.try_get("disabled_at")?,
    })
}

pub struct NewEmr<'a> {
    pub id: EmrId,
    pub name: &'a str,
    pub issuer: &'a str,
    pub client_id: &'a str,
    pub frame_origins: &'a str,
    pub created_by: UserId,
}

pub async fn insert_emr(conn: &mut Conn, e: &NewEmr<'_>, now: Timestamp) -> Result<()> {
    sqlx::query(
        "INSERT INTO emrs (id, name, issuer, client_id, frame_origins, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(e.id)
    .bind(e.name)
    .bind(e.issuer)
    .bind(e.client_id)
    .bind(e.frame_origins)
    .bind(e.created_by)
    .bind(now.0)
    .execute(conn)
    .await?;
    Ok(())
}

/// Changes what an administrator may change of an EMR (its issuer stays).
pub async fn update_emr(
    conn: &mut Conn,
    id: EmrId,
    name: &str,
    client_id: &str,
    frame_origins: &str,
    disabled_at: Option<i64>,
) -> Result<bool> {
    let done =
        sqlx::query("UPDATE emrs SET name = $1, client_id = $2, frame_origins = $3, disabled_at = $4 WHERE id = $5")
            .bind(name)
            .bind(client_id)
            .bind(frame_origins)
            .bind(disabled_at)
            .bind(id)
            .execute(conn)
            .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn emrs(conn: &mut Conn) -> Result<Vec<EmrRow>> {
    let rows = sqlx::query(&format!("SELECT {EMR_COLUMNS} FROM emrs ORDER BY name, id"))
        .fetch_all(conn)
        .await?;
    Ok(rows.iter().map(map_emr).collect::<std::result::Result<_, _>>()?)
}

pub async fn emr(conn: &mut Conn, id: EmrId) -> Result<Option<EmrRow>> {
    let row = sqlx::query(&format!("SELECT {EMR_COLUMNS} FROM emrs WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?;
    Ok(row.as_ref().map(map_emr).transpose()?)
}

pub async fn emr_by_issuer(conn: &mut Conn, issuer: &str) -> Result<Option<EmrRow>> {
    let row = sqlx::query(&format!("SELECT {EMR_COLUMNS} FROM emrs WHERE issuer = $1"))
        .bind(issuer)
        .fetch_optional(conn)
        .await?;
    Ok(row.as_ref().map(map_emr).transpose()?)
}

#[derive(Debug, Clone)]
pub struct LaunchRow {
    pub id: SmartLaunchId,
    pub emr_id: EmrId,
    pub verifier_enc: String,
    pub expires_at: i64,
    pub callback_at: Option<i64>,
    pub fhir_user: Option<String>,
    pub patient_id: Option<String>,
    pub access_token_enc: Option<String>,
    pub finished_at: Option<i64>,
}

const LAUNCH_COLUMNS: &str =
    "id, emr_id, verifier_enc, expires_at, callback_at, fhir_user, patient_id, access_token_enc, finished_at";

fn map_launch(r: &AnyRow) -> std::result::Result<LaunchRow, sqlx::Error> {
    Ok(LaunchRow {
        id: r.try_get("id")?,
        emr_id: r.try_get("emr_id")?,
        verifier_enc: r.try_get("verifier_enc")?,
        expires_at: r.try_get("expires_at")?,
        callback_at: r.try_get("callback_at")?,
        fhir_user: r.try_get("fhir_user")?,
        patient_id: r.try_get("patient_id")?,
        access_token_enc: r.try_get("access_token_enc")?,
        finished_at: r.try_get("finished_at")?,
    })
}

pub async fn insert_launch(
    conn: &mut Conn,
    id: SmartLaunchId,
    emr_id: EmrId,
    state_hash: &str,
    verifier_enc: &str,
    expires_at: Timestamp,
    now: Timestamp,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO smart_launches (id, emr_id, state_hash, verifier_enc, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(emr_id)
    .bind(state_hash)
    .bind(verifier_enc)
    .bind(now.0)
    .bind(expires_at.0)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn launch_by_state(conn: &mut Conn, state_hash: &str) -> Result<Option<LaunchRow>> {
    let row = sqlx::query(&format!(
        "SELECT {LAUNCH_COLUMNS} FROM smart_launches WHERE state_hash = $1"
    ))
    .bind(state_hash)
    .fetch_optional(conn)
    .await?;
    Ok(row.as_ref().map(map_launch).transpose()?)
}

pub async fn launch_by_handle(conn: &mut Conn, handle_hash: &str) -> Result<Option<LaunchRow>> {
    let row = sqlx::query(&format!(
        "SELECT {LAUNCH_COLUMNS} FROM smart_launches WHERE handle_hash = $1"
    ))
    .bind(handle_hash)
    .fetch_optional(conn)
    .await?;
    Ok(row.as_ref().map(map_launch).transpose()?)
}

/// Marks the callback of a launch as come, once: false when it already came.
pub async fn claim_callback(conn: &mut Conn, id: SmartLaunchId, now: Timestamp) -> Result<bool> {
    let done = sqlx::query("UPDATE smart_launches SET callback_at = $1 WHERE id = $2 AND callback_at IS NULL")
        .bind(now.0)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// What the code exchange gave, kept until the browser finishes.
pub async fn set_authorized(
    conn: &mut Conn,
    id: SmartLaunchId,
    handle_hash: &str,
    fhir_user: &str,
    patient_id: &str,
    access_token_enc: &str,
    expires_at: Timestamp,
) -> Result<()> {
    sqlx::query(
        "UPDATE smart_launches SET handle_hash = $1, fhir_user = $2, patient_id = $3, access_token_enc = $4, \
         expires_at = $5 WHERE id = $6",
    )
    .bind(handle_hash)
    .bind(fhir_user)
    .bind(patient_id)
    .bind(access_token_enc)
    .bind(expires_at.0)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Ends a launch (once) and forgets its secrets.
pub async fn finish(conn: &mut Conn, id: SmartLaunchId, now: Timestamp) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE smart_launches SET finished_at = $1, access_token_enc = NULL, verifier_enc = '' \
         WHERE id = $2 AND finished_at IS NULL",
    )
    .bind(now.0)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Forgets launches expired before `before`.
pub async fn purge_launches(conn: &mut Conn, before: Timestamp) -> Result<u64> {
    let done = sqlx::query("DELETE FROM smart_launches WHERE expires_at < $1")
        .bind(before.0)
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}

/// The account linked to an EMR's practitioner.
pub async fn linked_user(conn: &mut Conn, emr_id: EmrId, fhir_user: &str) -> Result<Option<UserId>> {
    let row = sqlx::query("SELECT user_id FROM emr_links WHERE emr_id = $1 AND fhir_user = $2")
        .bind(emr_id)
        .bind(fhir_user)
        .fetch_optional(conn)
        .await?;
    Ok(row.map(|r| r.try_get("user_id")).transpose()?)
}

/// Links (or re-links) an EMR's practitioner to an account.
pub async fn link(conn: &mut Conn, emr_id: EmrId, fhir_user: &str, user_id: UserId, now: Timestamp) -> Result<()> {
    sqlx::query(
        "INSERT INTO emr_links (emr_id, fhir_user, user_id, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (emr_id, fhir_user) DO UPDATE SET user_id = excluded.user_id, created_at = excluded.created_at",
    )
    .bind(emr_id)
    .bind(fhir_user)
    .bind(user_id)
    .bind(now.0)
    .execute(conn)
    .await?;
    Ok(())
}
