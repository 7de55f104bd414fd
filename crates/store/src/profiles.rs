//! Network profiles, photos, professions with their proofs, and invitations
//! to the network.

use crate::{conflict, flag, Conn, Result};
use cercle_domain::network::{NetworkInvitationStatus, ProfessionStatus};
use cercle_domain::{InvitationId, OrgId, ProfessionId, Timestamp, UserId};
use sqlx::any::AnyRow;
use sqlx::Row;

#[derive(Debug, Clone)]
pub struct ProfileRow {
    pub user_id: UserId,
    pub presentation: String,
    pub diplomas: String,
    pub competencies: String,
    pub contact: String,
    /// Comma-separated language codes.
    pub languages: String,
    pub shared_phone: Option<String>,
    pub restrict_external: bool,
}

fn map_profile(r: &AnyRow) -> std::result::Result<ProfileRow, sqlx::Error> {
    Ok(ProfileRow {
        user_id: r.try_get("user_id")?,
        presentation: r.try_get("presentation")?,
        diplomas: r.try_get("diplomas")?,
        competencies: r.try_get("competencies")?,
        contact: r.try_get("contact")?,
        languages: r.try_get("languages")?,
        shared_phone: r.try_get("shared_phone")?,
        restrict_external: flag(r.try_get("restrict_external")?),
    })
}

/// The profile of a user; an empty one if they never wrote it.
pub async fn profile(conn: &mut Conn, user_id: UserId) -> Result<ProfileRow> {
    let row = sqlx::query(
        "SELECT user_id, presentation, diplomas, competencies, contact, languages, shared_phone, restrict_external \
         FROM profiles WHERE user_id = $1",
    )
    .bind(user_id)
    .fetch_optional(conn)
    .await?;
    Ok(match row {
        Some(r) => map_profile(&r)?,
        None => ProfileRow::empty(user_id),
    })
}

impl ProfileRow {
    /// The profile of someone who never wrote theirs.
    pub fn empty(user_id: UserId) -> ProfileRow {
        ProfileRow {
            user_id,
            presentation: String::new(),
            diplomas: String::new(),
            competencies: String::new(),
            contact: String::new(),
            languages: String::new(),
            shared_phone: None,
            restrict_external: false,
        }
    }
}

pub async fn save_profile(conn: &mut Conn, p: &ProfileRow, now: Timestamp) -> Result<()> {
    sqlx::query(
        "INSERT INTO profiles (user_id, presentation, diplomas, competencies, contact, languages, shared_phone, \
         restrict_external, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         ON CONFLICT (user_id) DO UPDATE SET presentation = $2, diplomas = $3, competencies = $4, contact = $5, \
         languages = $6, shared_phone = $7, restrict_external = $8, updated_at = $9",
    )
    .bind(p.user_id)
    .bind(&p.presentation)
    .bind(&p.diplomas)
    .bind(&p.competencies)
    .bind(&p.contact)
    .bind(&p.languages)
    .bind(&p.shared_phone)
    .bind(i64::from(p.restrict_external))
    .bind(now.0)
    .execute(conn)
    .await?;
    Ok(())
}

/// Removes everything a person wrote on their profile (account deletion).
pub async fn erase(conn: &mut Conn, user_id: UserId) -> Result<()> {
    for sql in [
        "DELETE FROM profiles WHERE user_id = $1",
        "DELETE FROM profile_photos WHERE user_id = $1",
        "DELETE FROM profession_proofs WHERE profession_id IN (SELECT id FROM professions WHERE user_id = $1)",
        "DELETE FROM professions WHERE user_id = $1",
        "DELETE FROM workplace_members WHERE user_id = $1",
        "DELETE FROM directory_entries WHERE owner_id = $1 OR target_id = $1",
        "DELETE FROM friendships WHERE requester_id = $1 OR recipient_id = $1",
        "DELETE FROM availability_slots WHERE user_id = $1",
        "DELETE FROM availability_periods WHERE user_id = $1",
    ] {
        sqlx::query(sql).bind(user_id).execute(&mut *conn).await?;
    }
    Ok(())
}

pub async fn set_photo(conn: &mut Conn, user_id: UserId, jpeg_base64: &str, now: Timestamp) -> Result<()> {
    sqlx::query(
        "INSERT INTO profile_photos (user_id, jpeg, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (user_id) DO UPDATE SET jpeg = $2, updated_at = $3",
    )
    .bind(user_id)
    .bind(jpeg_base64)
    .bind(now.0)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn remove_photo(conn: &mut Conn, user_id: UserId) -> Result<bool> {
    let done = sqlx::query("DELETE FROM profile_photos WHERE user_id = $1")
        .bind(user_id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// The photo (base64 JPEG) and when it last changed.
pub async fn photo(conn: &mut Conn, user_id: UserId) -> Result<Option<(String, i64)>> {
    let row = sqlx::query("SELECT jpeg, updated_at FROM profile_photos WHERE user_id = $1")
        .bind(user_id)
        .fetch_optional(conn)
        .await?;
    Ok(match row {
        Some(r) => Some((r.try_get("jpeg")?, r.try_get("updated_at")?)),
        None => None,
    })
}

/// When the photos of these people last changed (absent: no photo).
pub async fn photo_versions(conn: &mut Conn, user_ids: &[UserId]) -> Result<Vec<(UserId, i64)>> {
    if user_ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = placeholders(1, user_ids.len());
    let sql = format!("SELECT user_id, updated_at FROM profile_photos WHERE user_id IN ({list})");
    let mut q = sqlx::query(&sql);
    for id in user_ids {
        q = q.bind(id);
    }
    let rows = q.fetch_all(conn).await?;
    rows.iter()
        .map(|r| Ok((r.try_get("user_id")?, r.try_get("updated_at")?)))
        .collect::<std::result::Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

pub(crate) fn placeholders(from: usize, n: usize) -> String {
    (from..from + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

#[derive(Debug, Clone)]
pub struct ProfessionRow {
    pub id: ProfessionId,
    pub user_id: UserId,
    pub profession: String,
    pub status: ProfessionStatus,
    pub permit_number: Option<String>,
    pub reason: Option<String>,
    pub decided_by: Option<UserId>,
    pub validated_via: Option<String>,
    pub created_at: i64,
    pub decided_at: Option<i64>,
    pub has_proof: bool,
}

const PROFESSION_COLUMNS: &str = "p.id, p.user_id, p.profession, p.status, p.permit_number, p.reason, p.decided_by, \
    p.validated_via, p.created_at, p.decided_at, \
    (SELECT COUNT(*) FROM profession_proofs pp WHERE pp.profession_id = p.id) AS proofs";

fn map_profession(r: &AnyRow) -> std::result::Result<ProfessionRow, sqlx::Error> {
    Ok(ProfessionRow {
        id: r.try_get("id")?,
        user_id: r.try_get("user_id")?,
        profession: r.try_get("profession")?,
        status: r.try_get("status")?,
        permit_number: r.try_get("permit_number")?,
        reason: r.try_get("reason")?,
        decided_by: r.try_get("decided_by")?,
        validated_via: r.try_get("validated_via")?,
        created_at: r.try_get("created_at")?,
        decided_at: r.try_get("decided_at")?,
        has_proof: r.try_get::<i64, _>("proofs")? > 0,
    })
}

pub async fn insert_profession(
    conn: &mut Conn,
    id: ProfessionId,
    user_id: UserId,
    profession: &str,
    status: ProfessionStatus,
    now: Timestamp,
) -> Result<()> {
    sqlx::query("INSERT INTO professions (id, user_id, profession, status, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(id)
        .bind(user_id)
        .bind(profession)
        .bind(status)
        .bind(now.0)
        .execute(conn)
        .await
        .map_err(conflict)?;
    Ok(())
}

pub async fn professions_of(conn: &mut Conn, user_id: UserId) -> Result<Vec<ProfessionRow>> {
    let rows = sqlx::query(&format!(
        "SELECT {PROFESSION_COLUMNS} FROM professions p WHERE p.user_id = $1 ORDER BY p.created_at"
    ))
    .bind(user_id)
    .fetch_all(conn)
    .await?;
    Ok(rows.iter().map(map_profession).collect::<std::result::Result<_, _>>()?)
}

pub async fn profession(conn: &mut Conn, id: ProfessionId) -> Result<Option<ProfessionRow>> {
    let row = sqlx::query(&format!(
        "SELECT {PROFESSION_COLUMNS} FROM professions p WHERE p.id = $1"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await?;
    Ok(row.as_ref().map(map_profession).transpose()?)
}

/// Professions waiting for the verification team, oldest first.
pub async fn pending_professions(conn: &mut Conn, limit: i64) -> Result<Vec<ProfessionRow>> {
    let rows = sqlx::query(&format!(
        "SELECT {PROFESSION_COLUMNS} FROM professions p WHERE p.status = 'pending' ORDER BY p.created_at LIMIT $1"
    ))
    .bind(limit)
    .fetch_all(conn)
    .await?;
    Ok(rows.iter().map(map_profession).collect::<std::result::Result<_, _>>()?)
}

/// Moves a profession to `status` if it is in one of `from`; false if it was not.
pub async fn decide_profession(
    conn: &mut Conn,
    id: ProfessionId,
    from: &[ProfessionStatus],
    status: ProfessionStatus,
    decision: &Decision<'_>,
    now: Timestamp,
) -> Result<bool> {
    let list = placeholders(7, from.len());
    let sql = format!(
        "UPDATE professions SET status = $1, reason = $2, decided_by = $3, validated_via = $4, decided_at = $5 \
         WHERE id = $6 AND status IN ({list})"
    );
    let mut q = sqlx::query(&sql)
        .bind(status)
        .bind(decision.reason)
        .bind(decision.by)
        .bind(decision.via)
        .bind(now.0)
        .bind(id);
    for f in from {
        q = q.bind(*f);
    }
    Ok(q.execute(conn).await?.rows_affected() == 1)
}

/// Who decided, how, and why (for a rejection).
#[derive(Debug, Clone, Default)]
pub struct Decision<'a> {
    pub by: Option<UserId>,
    pub via: Option<&'a str>,
    pub reason: Option<&'a str>,
}

pub async fn set_permit(conn: &mut Conn, id: ProfessionId, permit_number: &str) -> Result<()> {
    sqlx::query("UPDATE professions SET permit_number = $1 WHERE id = $2")
        .bind(permit_number)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn delete_profession(conn: &mut Conn, id: ProfessionId) -> Result<()> {
    sqlx::query("DELETE FROM profession_proofs WHERE profession_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM professions WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Whether the person holds at least one validated profession.
pub async fn is_validated(conn: &mut Conn, user_id: UserId) -> Result<bool> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM professions WHERE user_id = $1 AND status = 'validated'")
        .bind(user_id)
        .fetch_one(conn)
        .await?;
    Ok(row.try_get::<i64, _>("n")? > 0)
}

/// The declared (not rejected) professions of several people.
pub async fn profession_keys_of(
    conn: &mut Conn,
    user_ids: &[UserId],
) -> Result<Vec<(UserId, String, ProfessionStatus)>> {
    if user_ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = placeholders(1, user_ids.len());
    let sql = format!(
        "SELECT user_id, profession, status FROM professions WHERE user_id IN ({list}) AND status <> 'rejected' \
         ORDER BY created_at"
    );
    let mut q = sqlx::query(&sql);
    for id in user_ids {
        q = q.bind(id);
    }
    let rows = q.fetch_all(conn).await?;
    rows.iter()
        .map(|r| Ok((r.try_get("user_id")?, r.try_get("profession")?, r.try_get("status")?)))
        .collect::<std::result::Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

pub async fn set_proof(
    conn: &mut Conn,
    profession_id: ProfessionId,
    content_type: &str,
    data_base64: &str,
    size: i64,
    now: Timestamp,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO profession_proofs (profession_id, content_type, data, size, uploaded_at) \
         VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (profession_id) DO UPDATE SET content_type = $2, data = $3, size = $4, uploaded_at = $5",
    )
    .bind(profession_id)
    .bind(content_type)
    .bind(data_base64)
    .bind(size)
    .bind(now.0)
    .execute(conn)
    .await?;
    Ok(())
}

/// The proof (content type, base64 data) of a profession.
pub async fn proof(conn: &mut Conn, profession_id: ProfessionId) -> Result<Option<(String, String)>> {
    let row = sqlx::query("SELECT content_type, data FROM profession_proofs WHERE profession_id = $1")
        .bind(profession_id)
        .fetch_optional(conn)
        .await?;
    Ok(match row {
        Some(r) => Some((r.try_get("content_type")?, r.try_get("data")?)),
        None => None,
    })
}

pub async fn set_verifier(conn: &mut Conn, user_id: UserId, verifier: bool) -> Result<bool> {
    let done = sqlx::query("UPDATE users SET network_verifier = $1 WHERE id = $2 AND deleted_at IS NULL")
        .bind(i64::from(verifier))
        .bind(user_id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn is_verifier(conn: &mut Conn, user_id: UserId) -> Result<bool> {
    let row = sqlx::query("SELECT network_verifier FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_optional(conn)
        .await?;
    Ok(match row {
        Some(r) => flag(r.try_get("network_verifier")?),
        None => false,
    })
}

/// The verification team: (id, name, email).
pub async fn verifiers(conn: &mut Conn) -> Result<Vec<(UserId, String, String)>> {
    let rows = sqlx::query(
        "SELECT id, name, email FROM users WHERE network_verifier = 1 AND deleted_at IS NULL ORDER BY name",
    )
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("id")?, r.try_get("name")?, r.try_get("email")?)))
        .collect::<std::result::Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

pub async fn set_org_validates(conn: &mut Conn, org_id: OrgId, validates: bool) -> Result<bool> {
    let done = sqlx::query("UPDATE organizations SET validates_professions = $1 WHERE id = $2")
        .bind(i64::from(validates))
        .bind(org_id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn org_validates(conn: &mut Conn, org_id: OrgId) -> Result<bool> {
    let row = sqlx::query("SELECT validates_professions FROM organizations WHERE id = $1")
        .bind(org_id)
        .fetch_optional(conn)
        .await?;
    Ok(match row {
        Some(r) => flag(r.try_get("validates_professions")?),
        None => false,
    })
}

#[derive(Debug, Clone)]
pub struct NetworkInvitationRow {
    pub id: InvitationId,
    pub email: String,
    pub name: String,
    pub language: String,
    pub profession: String,
    pub invited_by: UserId,
    pub status: NetworkInvitationStatus,
    pub expires_at: i64,
    pub created_at: i64,
}

fn map_invitation(r: &AnyRow) -> std::result::Result<NetworkInvitationRow, sqlx::Error> {
    Ok(NetworkInvitationRow {
        id: r.try_get("id")?,
        email: r.try_get("email")?,
        name: r.try_get("name")?,
        language: r.try_get("language")?,
        profession: r.try_get("profession")?,
        invited_by: r.try_get("invited_by")?,
        status: r.try_get("status")?,
        expires_at: r.try_get("expires_at")?,
        created_at: r.try_get("created_at")?,
    })
}

const INVITATION_COLUMNS: &str = "id, email, name, language, profession, invited_by, status, expires_at, created_at";

pub async fn insert_invitation(conn: &mut Conn, i: &NetworkInvitationRow, token_hash: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO network_invitations (id, email, name, language, profession, invited_by, token_hash, status, \
         expires_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(i.id)
    .bind(&i.email)
    .bind(&i.name)
    .bind(&i.language)
    .bind(&i.profession)
    .bind(i.invited_by)
    .bind(token_hash)
    .bind(i.status)
    .bind(i.expires_at)
    .bind(i.created_at)
    .execute(conn)
    .await
    .map_err(conflict)?;
    Ok(())
}

pub async fn invitation_by_token(conn: &mut Conn, token_hash: &str) -> Result<Option<NetworkInvitationRow>> {
    let row = sqlx::query(&format!(
        "SELECT {INVITATION_COLUMNS} FROM network_invitations WHERE token_hash = $1"
    ))
    .bind(token_hash)
    .fetch_optional(conn)
    .await?;
    Ok(row.as_ref().map(map_invitation).transpose()?)
}

pub async fn invitations_by(conn: &mut Conn, user_id: UserId) -> Result<Vec<NetworkInvitationRow>> {
    let rows = sqlx::query(&format!(
        "SELECT {INVITATION_COLUMNS} FROM network_invitations WHERE invited_by = $1 ORDER BY created_at DESC LIMIT 100"
    ))
    .bind(user_id)
    .fetch_all(conn)
    .await?;
    Ok(rows.iter().map(map_invitation).collect::<std::result::Result<_, _>>()?)
}

pub async fn decide_invitation(
    conn: &mut Conn,
    id: InvitationId,
    status: NetworkInvitationStatus,
    now: Timestamp,
) -> Result<bool> {
    let done =
        sqlx::query("UPDATE network_invitations SET status = $1, decided_at = $2 WHERE id = $3 AND status = 'pending'")
            .bind(status)
            .bind(now.0)
            .bind(id)
            .execute(conn)
            .await?;
    Ok(done.rows_affected() == 1)
}
