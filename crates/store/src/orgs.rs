//! Organizations, their unit tree, workplaces and teams.

use crate::{conflict, Conn, Result};
use cercle_domain::orgs::WorkplaceKind;
use cercle_domain::{OrgId, TeamId, Timestamp, UnitId, WorkplaceId};
use sqlx::any::AnyRow;
use sqlx::Row;

#[derive(Debug, Clone)]
pub struct OrgRow {
    pub id: OrgId,
    pub name: String,
    pub root_unit_id: UnitId,
    pub archived_at: Option<i64>,
    /// An IANA name, checked by the services before it is stored.
    pub time_zone: String,
}

fn map_org(r: &AnyRow) -> std::result::Result<OrgRow, sqlx::Error> {
    Ok(OrgRow {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        root_unit_id: r.try_get("root_unit_id")?,
        archived_at: r.try_get("archived_at")?,
        time_zone: r.try_get("time_zone")?,
    })
}

pub async fn insert_org(conn: &mut Conn, id: OrgId, name: &str, root_unit_id: UnitId, now: Timestamp) -> Result<()> {
    sqlx::query("INSERT INTO organizations (id, name, root_unit_id, created_at) VALUES ($1, $2, $3, $4)")
        .bind(id)
        .bind(name)
        .bind(root_unit_id)
        .bind(now.0)
        .execute(conn)
        .await
        .map_err(conflict)?;
    Ok(())
}

pub async fn org_by_id(conn: &mut Conn, id: OrgId) -> Result<Option<OrgRow>> {
    let row = sqlx::query("SELECT id, name, root_unit_id, archived_at, time_zone FROM organizations WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await?;
    Ok(row.as_ref().map(map_org).transpose()?)
}

/// Sets the organization's time zone (an IANA name already checked).
pub async fn set_time_zone(conn: &mut Conn, id: OrgId, time_zone: &str) -> Result<bool> {
    let done = sqlx::query("UPDATE organizations SET time_zone = $1 WHERE id = $2")
        .bind(time_zone)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn all_orgs(conn: &mut Conn) -> Result<Vec<OrgRow>> {
    let rows = sqlx::query("SELECT id, name, root_unit_id, archived_at, time_zone FROM organizations ORDER BY name")
        .fetch_all(conn)
        .await?;
    Ok(rows.iter().map(map_org).collect::<std::result::Result<_, _>>()?)
}

#[derive(Debug, Clone)]
pub struct UnitRow {
    pub id: UnitId,
    pub org_id: OrgId,
    pub parent_id: Option<UnitId>,
    pub name: String,
    pub path: String,
    pub archived_at: Option<i64>,
}

fn map_unit(r: &AnyRow) -> std::result::Result<UnitRow, sqlx::Error> {
    Ok(UnitRow {
        id: r.try_get("id")?,
        org_id: r.try_get("org_id")?,
        parent_id: r.try_get("parent_id")?,
        name: r.try_get("name")?,
        path: r.try_get("path")?,
        archived_at: r.try_get("archived_at")?,
    })
}

const UNIT_COLUMNS: &str = "id, org_id, parent_id, name, path, archived_at";

pub async fn insert_unit(conn: &mut Conn, u: &UnitRow, now: Timestamp) -> Result<()> {
    sqlx::query("INSERT INTO units (id, org_id, parent_id, name, path, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(u.id)
        .bind(u.org_id)
        .bind(u.parent_id)
        .bind(&u.name)
        .bind(&u.path)
        .bind(now.0)
        .execute(conn)
        .await
        .map_err(conflict)?;
    Ok(())
}

/// A unit of the given organization (a unit of another one is "not found").
pub async fn unit_in(conn: &mut Conn, org_id: OrgId, id: UnitId) -> Result<Option<UnitRow>> {
    let row = sqlx::query(&format!(
        "SELECT {UNIT_COLUMNS} FROM units WHERE id = $1 AND org_id = $2"
    ))
    .bind(id)
    .bind(org_id)
    .fetch_optional(conn)
    .await?;
    Ok(row.as_ref().map(map_unit).transpose()?)
}

pub async fn units_of(conn: &mut Conn, org_id: OrgId) -> Result<Vec<UnitRow>> {
    let rows = sqlx::query(&format!(
        "SELECT {UNIT_COLUMNS} FROM units WHERE org_id = $1 ORDER BY path"
    ))
    .bind(org_id)
    .fetch_all(conn)
    .await?;
    Ok(rows.iter().map(map_unit).collect::<std::result::Result<_, _>>()?)
}

pub async fn rename_unit(conn: &mut Conn, id: UnitId, name: &str) -> Result<()> {
    sqlx::query("UPDATE units SET name = $1 WHERE id = $2")
        .bind(name)
        .bind(id)
        .execute(conn)
        .await
        .map_err(conflict)?;
    Ok(())
}

/// Moves a unit and its whole subtree: every path under `old_path` is rewritten.
pub async fn move_unit(
    conn: &mut Conn,
    org_id: OrgId,
    id: UnitId,
    new_parent: UnitId,
    old_path: &str,
    new_path: &str,
) -> Result<()> {
    sqlx::query("UPDATE units SET parent_id = $1 WHERE id = $2")
        .bind(new_parent)
        .bind(id)
        .execute(&mut *conn)
        .await
        .map_err(conflict)?;
    sqlx::query(
        "UPDATE units SET path = CAST($1 AS TEXT) || substr(path, CAST($2 AS INTEGER)) \
         WHERE org_id = $3 AND substr(path, 1, CAST($4 AS INTEGER)) = $5",
    )
    .bind(new_path)
    .bind(old_path.len() as i64 + 1)
    .bind(org_id)
    .bind(old_path.len() as i64)
    .bind(old_path)
    .execute(conn)
    .await
    .map_err(conflict)?;
    Ok(())
}

pub async fn set_unit_archived(conn: &mut Conn, id: UnitId, at: Option<Timestamp>) -> Result<()> {
    sqlx::query("UPDATE units SET archived_at = $1 WHERE id = $2")
        .bind(at.map(|t| t.0))
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

#[derive(Debug, Clone)]
pub struct WorkplaceRow {
    pub id: WorkplaceId,
    pub org_id: OrgId,
    pub unit_id: UnitId,
    pub name: String,
    pub kind: WorkplaceKind,
    pub address: String,
    pub phone: Option<String>,
    pub archived_at: Option<i64>,
}

fn map_workplace(r: &AnyRow) -> std::result::Result<WorkplaceRow, sqlx::Error> {
    Ok(WorkplaceRow {
        id: r.try_get("id")?,
        org_id: r.try_get("org_id")?,
        unit_id: r.try_get("unit_id")?,
        name: r.try_get("name")?,
        kind: r.try_get("kind")?,
        address: r.try_get("address")?,
        phone: r.try_get("phone")?,
        archived_at: r.try_get("archived_at")?,
    })
}

const WORKPLACE_COLUMNS: &str = "id, org_id, unit_id, name, kind, address, phone, archived_at";

pub async fn insert_workplace(conn: &mut Conn, w: &WorkplaceRow, now: Timestamp) -> Result<()> {
    sqlx::query(
        "INSERT INTO workplaces (id, org_id, unit_id, name, kind, address, phone, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(w.id)
    .bind(w.org_id)
    .bind(w.unit_id)
    .bind(&w.name)
    .bind(w.kind)
    .bind(&w.address)
    .bind(&w.phone)
    .bind(now.0)
    .execute(conn)
    .await
    .map_err(conflict)?;
    Ok(())
}

pub async fn workplace_in(conn: &mut Conn, org_id: OrgId, id: WorkplaceId) -> Result<Option<WorkplaceRow>> {
    let row = sqlx::query(&format!(
        "SELECT {WORKPLACE_COLUMNS} FROM workplaces WHERE id = $1 AND org_id = $2"
    ))
    .bind(id)
    .bind(org_id)
    .fetch_optional(conn)
    .await?;
    Ok(row.as_ref().map(map_workplace).transpose()?)
}

pub async fn workplaces_of(conn: &mut Conn, org_id: OrgId) -> Result<Vec<WorkplaceRow>> {
    let rows = sqlx::query(&format!(
        "SELECT {WORKPLACE_COLUMNS} FROM workplaces WHERE org_id = $1 ORDER BY name"
    ))
    .bind(org_id)
    .fetch_all(conn)
    .await?;
    Ok(rows.iter().map(map_workplace).collect::<std::result::Result<_, _>>()?)
}

pub async fn update_workplace(conn: &mut Conn, w: &WorkplaceRow) -> Result<()> {
    sqlx::query("UPDATE workplaces SET name = $1, kind = $2, address = $3, phone = $4, unit_id = $5, archived_at = $6 WHERE id = $7")
        .bind(&w.name)
        .bind(w.kind)
        .bind(&w.address)
        .bind(&w.phone)
        .bind(w.unit_id)
        .bind(w.archived_at)
        .bind(w.id)
        .execute(conn)
        .await
        .map_err(conflict)?;
    Ok(())
}

#[derive(Debug, Clone)]
pub struct TeamRow {
    pub id: TeamId,
    pub org_id: OrgId,
    pub unit_id: UnitId,
    pub workplace_id: Option<WorkplaceId>,
    pub name: String,
    pub archived_at: Option<i64>,
}

fn map_team(r: &AnyRow) -> std::result::Result<TeamRow, sqlx::Error> {
    Ok(TeamRow {
        id: r.try_get("id")?,
        org_id: r.try_get("org_id")?,
        unit_id: r.try_get("unit_id")?,
        workplace_id: r.try_get("workplace_id")?,
        name: r.try_get("name")?,
        archived_at: r.try_get("archived_at")?,
    })
}

const TEAM_COLUMNS: &str = "id, org_id, unit_id, workplace_id, name, archived_at";

pub async fn insert_team(conn: &mut Conn, t: &TeamRow, now: Timestamp) -> Result<()> {
    sqlx::query(
        "INSERT INTO teams (id, org_id, unit_id, workplace_id, name, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(t.id)
    .bind(t.org_id)
    .bind(t.unit_id)
    .bind(t.workplace_id)
    .bind(&t.name)
    .bind(now.0)
    .execute(conn)
    .await
    .map_err(conflict)?;
    Ok(())
}

pub async fn team_in(conn: &mut Conn, org_id: OrgId, id: TeamId) -> Result<Option<TeamRow>> {
    let row = sqlx::query(&format!(
        "SELECT {TEAM_COLUMNS} FROM teams WHERE id = $1 AND org_id = $2"
    ))
    .bind(id)
    .bind(org_id)
    .fetch_optional(conn)
    .await?;
    Ok(row.as_ref().map(map_team).transpose()?)
}

/// A team by id alone (names of thread participants; access is decided elsewhere).
pub async fn team_by_id(conn: &mut Conn, id: TeamId) -> Result<Option<TeamRow>> {
    let row = sqlx::query(&format!("SELECT {TEAM_COLUMNS} FROM teams WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?;
    Ok(row.as_ref().map(map_team).transpose()?)
}

pub async fn teams_of(conn: &mut Conn, org_id: OrgId) -> Result<Vec<TeamRow>> {
    let rows = sqlx::query(&format!(
        "SELECT {TEAM_COLUMNS} FROM teams WHERE org_id = $1 ORDER BY name"
    ))
    .bind(org_id)
    .fetch_all(conn)
    .await?;
    Ok(rows.iter().map(map_team).collect::<std::result::Result<_, _>>()?)
}

pub async fn update_team(conn: &mut Conn, t: &TeamRow) -> Result<()> {
    sqlx::query("UPDATE teams SET name = $1, unit_id = $2, workplace_id = $3, archived_at = $4 WHERE id = $5")
        .bind(&t.name)
        .bind(t.unit_id)
        .bind(t.workplace_id)
        .bind(t.archived_at)
        .bind(t.id)
        .execute(conn)
        .await
        .map_err(conflict)?;
    Ok(())
}
