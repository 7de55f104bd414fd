//! Members of organizations, their role grants, and invitations.

use crate::{conflict, flag, Conn, Result};
use cercle_domain::orgs::InvitationStatus;
use cercle_domain::roles::Role;
use cercle_domain::{GrantId, InvitationId, OrgId, Timestamp, UnitId, UserId};
use sqlx::any::AnyRow;
use sqlx::Row;

#[derive(Debug, Clone)]
pub struct MemberRow {
    pub user_id: UserId,
    pub name: String,
    pub email: String,
    pub professional: bool,
    pub administrative: bool,
}

pub async fn upsert_membership(
    conn: &mut Conn,
    org_id: OrgId,
    user_id: UserId,
    professional: bool,
    administrative: bool,
    now: Timestamp,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO memberships (org_id, user_id, professional, administrative, created_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (org_id, user_id) DO UPDATE SET \
           professional = CASE WHEN memberships.professional = 1 OR $3 = 1 THEN 1 ELSE 0 END, \
           administrative = CASE WHEN memberships.administrative = 1 OR $4 = 1 THEN 1 ELSE 0 END",
    )
    .bind(org_id)
    .bind(user_id)
    .bind(i64::from(professional))
    .bind(i64::from(administrative))
    .bind(now.0)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn is_member(conn: &mut Conn, org_id: OrgId, user_id: UserId) -> Result<bool> {
    let row = sqlx::query("SELECT 1 FROM memberships WHERE org_id = $1 AND user_id = $2")
        .bind(org_id)
        .bind(user_id)
        .fetch_optional(conn)
        .await?;
    Ok(row.is_some())
}

/// Ends a membership and every role held in that organization.
pub async fn remove_membership(conn: &mut Conn, org_id: OrgId, user_id: UserId) -> Result<bool> {
    sqlx::query("DELETE FROM role_grants WHERE org_id = $1 AND user_id = $2")
        .bind(org_id)
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    let done = sqlx::query("DELETE FROM memberships WHERE org_id = $1 AND user_id = $2")
        .bind(org_id)
        .bind(user_id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// `(org_id, org_name)` of every organization the user belongs to.
pub async fn orgs_of_user(conn: &mut Conn, user_id: UserId) -> Result<Vec<(OrgId, String)>> {
    let rows = sqlx::query(
        "SELECT o.id AS org_id, o.name AS org_name FROM memberships m JOIN organizations o ON o.id = m.org_id \
         WHERE m.user_id = $1 AND o.archived_at IS NULL ORDER BY o.name",
    )
    .bind(user_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("org_id")?, r.try_get("org_name")?)))
        .collect::<std::result::Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

pub async fn members_of(conn: &mut Conn, org_id: OrgId) -> Result<Vec<MemberRow>> {
    let rows = sqlx::query(
        "SELECT u.id AS user_id, u.name, u.email, m.professional, m.administrative FROM memberships m JOIN users u ON u.id = m.user_id \
         WHERE m.org_id = $1 AND u.deleted_at IS NULL ORDER BY u.name",
    )
    .bind(org_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(MemberRow {
                user_id: r.try_get("user_id")?,
                name: r.try_get("name")?,
                email: r.try_get("email")?,
                professional: flag(r.try_get("professional")?),
                administrative: flag(r.try_get("administrative")?),
            })
        })
        .collect::<std::result::Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

#[derive(Debug, Clone)]
pub struct GrantRow {
    pub id: GrantId,
    pub user_id: UserId,
    pub unit_id: UnitId,
    pub unit_path: String,
    pub unit_name: String,
    pub role: Role,
}

fn map_grant(r: &AnyRow) -> std::result::Result<GrantRow, sqlx::Error> {
    Ok(GrantRow {
        id: r.try_get("id")?,
        user_id: r.try_get("user_id")?,
        unit_id: r.try_get("unit_id")?,
        unit_path: r.try_get("path")?,
        unit_name: r.try_get("name")?,
        role: r.try_get("role")?,
    })
}

/// Grants a role; granting it twice is not an error.
pub async fn grant(
    conn: &mut Conn,
    id: GrantId,
    org_id: OrgId,
    user_id: UserId,
    unit_id: UnitId,
    role: Role,
    now: Timestamp,
) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO role_grants (id, org_id, user_id, unit_id, role, created_at) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (user_id, unit_id, role) DO NOTHING",
    )
    .bind(id)
    .bind(org_id)
    .bind(user_id)
    .bind(unit_id)
    .bind(role)
    .bind(now.0)
    .execute(conn)
    .await
    .map_err(conflict)?;
    Ok(done.rows_affected() == 1)
}

pub async fn revoke(conn: &mut Conn, org_id: OrgId, grant_id: GrantId) -> Result<bool> {
    let done = sqlx::query("DELETE FROM role_grants WHERE id = $1 AND org_id = $2")
        .bind(grant_id)
        .bind(org_id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

const GRANT_QUERY: &str =
    "SELECT g.id, g.user_id, g.unit_id, u.path, u.name, g.role FROM role_grants g JOIN units u ON u.id = g.unit_id";

/// A user's grants in one organization.
pub async fn grants_of(conn: &mut Conn, org_id: OrgId, user_id: UserId) -> Result<Vec<GrantRow>> {
    let rows = sqlx::query(&format!(
        "{GRANT_QUERY} WHERE g.org_id = $1 AND g.user_id = $2 ORDER BY u.path, g.role"
    ))
    .bind(org_id)
    .bind(user_id)
    .fetch_all(conn)
    .await?;
    Ok(rows.iter().map(map_grant).collect::<std::result::Result<_, _>>()?)
}

/// Every grant in one organization.
pub async fn grants_in(conn: &mut Conn, org_id: OrgId) -> Result<Vec<GrantRow>> {
    let rows = sqlx::query(&format!("{GRANT_QUERY} WHERE g.org_id = $1 ORDER BY u.path, g.role"))
        .bind(org_id)
        .fetch_all(conn)
        .await?;
    Ok(rows.iter().map(map_grant).collect::<std::result::Result<_, _>>()?)
}

pub async fn grant_in(conn: &mut Conn, org_id: OrgId, grant_id: GrantId) -> Result<Option<GrantRow>> {
    let row = sqlx::query(&format!("{GRANT_QUERY} WHERE g.org_id = $1 AND g.id = $2"))
        .bind(org_id)
        .bind(grant_id)
        .fetch_optional(conn)
        .await?;
    Ok(row.as_ref().map(map_grant).transpose()?)
}

#[derive(Debug, Clone)]
pub struct InvitationRow {
    pub id: InvitationId,
    pub org_id: OrgId,
    pub unit_id: UnitId,
    pub email: String,
    pub name: String,
    pub language: String,
    pub professional: bool,
    pub administrative: bool,
    pub roles: String,
    pub status: InvitationStatus,
    pub invited_by: Option<UserId>,
    pub expires_at: i64,
    pub created_at: i64,
}

fn map_invitation(r: &AnyRow) -> std::result::Result<InvitationRow, sqlx::Error> {
    Ok(InvitationRow {
        id: r.try_get("id")?,
        org_id: r.try_get("org_id")?,
        unit_id: r.try_get("unit_id")?,
        email: r.try_get("email")?,
        name: r.try_get("name")?,
        language: r.try_get("language")?,
        professional: flag(r.try_get("professional")?),
        administrative: flag(r.try_get("administrative")?),
        roles: r.try_get("roles")?,
        status: r.try_get("status")?,
        invited_by: r.try_get("invited_by")?,
        expires_at: r.try_get("expires_at")?,
        created_at: r.try_get("created_at")?,
    })
}

const INVITATION_COLUMNS: &str =
    "id, org_id, unit_id, email, name, language, professional, administrative, roles, status, invited_by, expires_at, created_at";

pub async fn insert_invitation(conn: &mut Conn, i: &InvitationRow, token_hash: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO invitations (id, org_id, unit_id, email, name, language, professional, administrative, roles, token_hash, status, invited_by, expires_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(i.id)
    .bind(i.org_id)
    .bind(i.unit_id)
    .bind(&i.email)
    .bind(&i.name)
    .bind(&i.language)
    .bind(i64::from(i.professional))
    .bind(i64::from(i.administrative))
    .bind(&i.roles)
    .bind(token_hash)
    .bind(i.status)
    .bind(i.invited_by)
    .bind(i.expires_at)
    .bind(i.created_at)
    .execute(conn)
    .await
    .map_err(conflict)?;
    Ok(())
}

pub async fn invitation_by_token(conn: &mut Conn, token_hash: &str) -> Result<Option<InvitationRow>> {
    let row = sqlx::query(&format!(
        "SELECT {INVITATION_COLUMNS} FROM invitations WHERE token_hash = $1"
    ))
    .bind(token_hash)
    .fetch_optional(conn)
    .await?;
    Ok(row.as_ref().map(map_invitation).transpose()?)
}

pub async fn invitation_in(conn: &mut Conn, org_id: OrgId, id: InvitationId) -> Result<Option<InvitationRow>> {
    let row = sqlx::query(&format!(
        "SELECT {INVITATION_COLUMNS} FROM invitations WHERE id = $1 AND org_id = $2"
    ))
    .bind(id)
    .bind(org_id)
    .fetch_optional(conn)
    .await?;
    Ok(row.as_ref().map(map_invitation).transpose()?)
}

/// Pending invitations of an organization, newest first.
pub async fn pending_in(conn: &mut Conn, org_id: OrgId) -> Result<Vec<InvitationRow>> {
    let rows = sqlx::query(&format!(
        "SELECT {INVITATION_COLUMNS} FROM invitations WHERE org_id = $1 AND status = 'pending' ORDER BY created_at DESC"
    ))
    .bind(org_id)
    .fetch_all(conn)
    .await?;
    Ok(rows.iter().map(map_invitation).collect::<std::result::Result<_, _>>()?)
}

/// Moves a pending invitation to `status`; false if it was no longer pending.
pub async fn decide(conn: &mut Conn, id: InvitationId, status: InvitationStatus, now: Timestamp) -> Result<bool> {
    let done = sqlx::query("UPDATE invitations SET status = $1, decided_at = $2 WHERE id = $3 AND status = 'pending'")
        .bind(status)
        .bind(now.0)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// A new link for a pending invitation: the old one stops working.
pub async fn renew(conn: &mut Conn, id: InvitationId, token_hash: &str, expires_at: Timestamp) -> Result<bool> {
    let done =
        sqlx::query("UPDATE invitations SET token_hash = $1, expires_at = $2 WHERE id = $3 AND status = 'pending'")
            .bind(token_hash)
            .bind(expires_at.0)
            .bind(id)
            .execute(conn)
            .await?;
    Ok(done.rows_affected() == 1)
}
