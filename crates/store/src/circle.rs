//! The patient's circle (SPEC 4): the people of a patient file's circle
//! (patient, responsible persons, observers) and their invitations. Only
//! hashes of an invitation's token, answer and code are stored.

use crate::{Conn, Result};
use cercle_domain::circle::{CircleSection, InvitationMethod, InvitationState, InvitationVia, MemberState};
use cercle_domain::{ChannelId, CircleInvitationId, CircleMemberId, PatientFileId, Timestamp, UserId};
use sqlx::any::AnyRow;
use sqlx::Row;

#[derive(Debug, Clone)]
pub struct CircleMemberRow {
    pub id: CircleMemberId,
    pub patient_file_id: PatientFileId,
    pub section: CircleSection,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub language: String,
    pub relationship: Option<String>,
    pub state: MemberState,
    pub user_id: Option<UserId>,
    pub created_by: UserId,
    pub created_at: i64,
    pub updated_at: i64,
}

const MEMBER_COLUMNS: &str = "id, patient_file_id, section, first_name, last_name, email, phone, language, \
    relationship, state, user_id, created_by, created_at, updated_at";

fn map_member(r: &AnyRow) -> std::result::Result<CircleMemberRow, sqlx::Error> {
    Ok(CircleMemberRow {
        id: r.try_get("id")?,
        patient_file_id: r.try_get("patient_file_id")?,
        section: r.try_get("section")?,
        first_name: r.try_get("first_name")?,
        last_name: r.try_get("last_name")?,
        email: r.try_get("email")?,
        phone: r.try_get("phone")?,
        language: r.try_get("language")?,
        relationship: r.try_get("relationship")?,
        state: r.try_get("state")?,
        user_id: r.try_get("user_id")?,
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

pub async fn insert_member(conn: &mut Conn, m: &CircleMemberRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO circle_members (id, patient_file_id, section, first_name, last_name, email, phone, language, \
         relationship, state, user_id, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(m.id)
    .bind(m.patient_file_id)
    .bind(m.section)
    .bind(&m.first_name)
    .bind(&m.last_name)
    .bind(&m.email)
    .bind(&m.phone)
    .bind(&m.language)
    .bind(&m.relationship)
    .bind(m.state)
    .bind(m.user_id)
    .bind(m.created_by)
    .bind(m.created_at)
    .bind(m.updated_at)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn member(conn: &mut Conn, id: CircleMemberId) -> Result<Option<CircleMemberRow>> {
    let row = sqlx::query(&format!("SELECT {MEMBER_COLUMNS} FROM circle_members WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?;
    Ok(row.as_ref().map(map_member).transpose()?)
}

/// The circle of a patient file, in the order people were added.
pub async fn members_of(conn: &mut Conn, patient_file_id: PatientFileId) -> Result<Vec<CircleMemberRow>> {
    let rows = sqlx::query(&format!(
        "SELECT {MEMBER_COLUMNS} FROM circle_members WHERE patient_file_id = $1 ORDER BY created_at, id"
    ))
    .bind(patient_file_id)
    .fetch_all(conn)
    .await?;
    Ok(rows.iter().map(map_member).collect::<std::result::Result<_, _>>()?)
}

/// The places a user joined, in every circle.
pub async fn members_of_user(conn: &mut Conn, user_id: UserId) -> Result<Vec<CircleMemberRow>> {
    let rows = sqlx::query(&format!(
        "SELECT {MEMBER_COLUMNS} FROM circle_members WHERE user_id = $1 AND state = 'joined' ORDER BY created_at, id"
    ))
    .bind(user_id)
    .fetch_all(conn)
    .await?;
    Ok(rows.iter().map(map_member).collect::<std::result::Result<_, _>>()?)
}

/// Whether `user_id` already joined the circle of this file (as any member
/// other than `except_member`).
pub async fn joined_elsewhere_in_file(
    conn: &mut Conn,
    patient_file_id: PatientFileId,
    user_id: UserId,
    except_member: CircleMemberId,
) -> Result<bool> {
    let row = sqlx::query(
        "SELECT 1 FROM circle_members WHERE patient_file_id = $1 AND user_id = $2 AND id <> $3 AND state = 'joined'",
    )
    .bind(patient_file_id)
    .bind(user_id)
    .bind(except_member)
    .fetch_optional(conn)
    .await?;
    Ok(row.is_some())
}

/// Moves a member to `state`, only from one of `from`; false when it was
/// in none of them (a concurrent change won).
pub async fn set_member_state(
    conn: &mut Conn,
    id: CircleMemberId,
    state: MemberState,
    from: &[MemberState],
    now: Timestamp,
) -> Result<bool> {
    // The names are our own constants, never input: safe to inline.
    let allowed = from
        .iter()
        .map(|s| format!("'{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ");
    let done = sqlx::query(&format!(
        "UPDATE circle_members SET state = $1, updated_at = $2 WHERE id = $3 AND state IN ({allowed})"
    ))
    .bind(state)
    .bind(now.0)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// The member joined as `user_id`.
pub async fn set_joined(conn: &mut Conn, id: CircleMemberId, user_id: UserId, now: Timestamp) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE circle_members SET state = 'joined', user_id = $1, updated_at = $2 \
         WHERE id = $3 AND state IN ('invited', 'locked')",
    )
    .bind(user_id)
    .bind(now.0)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

// ---- Invitations ------------------------------------------------------------

#[derive(Debug, Clone)]
pub struct CircleInvitationRow {
    pub id: CircleInvitationId,
    pub circle_member_id: CircleMemberId,
    pub via: InvitationVia,
    pub method: InvitationMethod,
    pub question: Option<String>,
    /// Argon2id of the normalized answer, or of the code's digits.
    pub secret_hash: String,
    pub failures: i64,
    pub state: InvitationState,
    pub invited_by: UserId,
    pub created_at: i64,
    pub expires_at: i64,
    pub ended_at: Option<i64>,
    pub accepted_by: Option<UserId>,
}

const INVITATION_COLUMNS: &str = "id, circle_member_id, via, method, question, secret_hash, failures, state, \
    invited_by, created_at, expires_at, ended_at, accepted_by";

fn map_invitation(r: &AnyRow) -> std::result::Result<CircleInvitationRow, sqlx::Error> {
    Ok(CircleInvitationRow {
        id: r.try_get("id")?,
        circle_member_id: r.try_get("circle_member_id")?,
        via: r.try_get("via")?,
        method: r.try_get("method")?,
        question: r.try_get("question")?,
        secret_hash: r.try_get("secret_hash")?,
        failures: r.try_get("failures")?,
        state: r.try_get("state")?,
        invited_by: r.try_get("invited_by")?,
        created_at: r.try_get("created_at")?,
        expires_at: r.try_get("expires_at")?,
        ended_at: r.try_get("ended_at")?,
        accepted_by: r.try_get("accepted_by")?,
    })
}

/// Records an invitation; only the token's hash is kept.
pub async fn insert_invitation(conn: &mut Conn, i: &CircleInvitationRow, token_hash: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO circle_invitations (id, circle_member_id, token_hash, via, method, question, secret_hash, \
         failures, state, invited_by, created_at, expires_at, ended_at, accepted_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(i.id)
    .bind(i.circle_member_id)
    .bind(token_hash)
    .bind(i.via)
    .bind(i.method)
    .bind(&i.question)
    .bind(&i.secret_hash)
    .bind(i.failures)
    .bind(i.state)
    .bind(i.invited_by)
    .bind(i.created_at)
    .bind(i.expires_at)
    .bind(i.ended_at)
    .bind(i.accepted_by)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn invitation_by_token(conn: &mut Conn, token_hash: &str) -> Result<Option<CircleInvitationRow>> {
    let row = sqlx::query(&format!(
        "SELECT {INVITATION_COLUMNS} FROM circle_invitations WHERE token_hash = $1"
    ))
    .bind(token_hash)
    .fetch_optional(conn)
    .await?;
    Ok(row.as_ref().map(map_invitation).transpose()?)
}

/// The newest invitation of a member (the one its state speaks of).
pub async fn latest_invitation(conn: &mut Conn, member_id: CircleMemberId) -> Result<Option<CircleInvitationRow>> {
    let row = sqlx::query(&format!(
        "SELECT {INVITATION_COLUMNS} FROM circle_invitations WHERE circle_member_id = $1 \
         ORDER BY created_at DESC, id DESC LIMIT 1"
    ))
    .bind(member_id)
    .fetch_optional(conn)
    .await?;
    Ok(row.as_ref().map(map_invitation).transpose()?)
}

/// The newest invitation of every member of a file's circle.
pub async fn latest_invitations_of_file(
    conn: &mut Conn,
    patient_file_id: PatientFileId,
) -> Result<Vec<CircleInvitationRow>> {
    let rows = sqlx::query(
        "SELECT i.id, i.circle_member_id, i.via, i.method, i.question, i.secret_hash, i.failures, i.state, \
         i.invited_by, i.created_at, i.expires_at, i.ended_at, i.accepted_by \
         FROM circle_invitations i JOIN circle_members m ON m.id = i.circle_member_id \
         WHERE m.patient_file_id = $1 \
         ORDER BY i.created_at DESC, i.id DESC",
    )
    .bind(patient_file_id)
    .fetch_all(conn)
    .await?;
    let all: Vec<CircleInvitationRow> = rows.iter().map(map_invitation).collect::<std::result::Result<_, _>>()?;
    let mut seen = std::collections::HashSet::new();
    Ok(all.into_iter().filter(|i| seen.insert(i.circle_member_id)).collect())
}

/// Counts one wrong try on a pending invitation; returns the failures so
/// far, or None when it was no longer pending.
pub async fn add_failure(conn: &mut Conn, id: CircleInvitationId) -> Result<Option<i64>> {
    let row = sqlx::query(
        "UPDATE circle_invitations SET failures = failures + 1 WHERE id = $1 AND state = 'pending' RETURNING failures",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?;
    Ok(match row {
        Some(r) => Some(r.try_get("failures")?),
        None => None,
    })
}

/// Ends a pending invitation with `state` (accepted, cancelled, locked,
/// replaced); false when it was no longer pending (a concurrent use won).
pub async fn end_invitation(
    conn: &mut Conn,
    id: CircleInvitationId,
    state: InvitationState,
    accepted_by: Option<UserId>,
    now: Timestamp,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE circle_invitations SET state = $1, ended_at = $2, accepted_by = $3 WHERE id = $4 AND state = 'pending'",
    )
    .bind(state)
    .bind(now.0)
    .bind(accepted_by)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Ends every still-open invitation of a member (pending or locked) with
/// `state`; their links die.
pub async fn end_previous_invitations(
    conn: &mut Conn,
    member_id: CircleMemberId,
    state: InvitationState,
    now: Timestamp,
) -> Result<u64> {
    let done = sqlx::query(
        "UPDATE circle_invitations SET state = $1, ended_at = $2 \
         WHERE circle_member_id = $3 AND state IN ('pending', 'locked')",
    )
    .bind(state)
    .bind(now.0)
    .bind(member_id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// A locked invitation keeps its row (the manager sees it) but its state
/// says so; only a pending one can lock.
pub async fn lock_invitation(conn: &mut Conn, id: CircleInvitationId, now: Timestamp) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE circle_invitations SET state = 'locked', ended_at = $1 WHERE id = $2 AND state = 'pending'",
    )
    .bind(now.0)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// The care channels a circle member was added to (`channel_participants`
/// of kind `circle`).
pub async fn channels_of_member(conn: &mut Conn, member_id: CircleMemberId) -> Result<Vec<ChannelId>> {
    let rows = sqlx::query(
        "SELECT channel_id FROM channel_participants WHERE kind = 'circle' AND participant_id = $1 ORDER BY channel_id",
    )
    .bind(member_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| r.try_get("channel_id"))
        .collect::<std::result::Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

/// Whether the user belongs to an organization or holds a profession (then
/// they are more than a patient or caregiver).
pub async fn has_membership_or_profession(conn: &mut Conn, user_id: UserId) -> Result<bool> {
    let row = sqlx::query(
        "SELECT 1 FROM memberships WHERE user_id = $1 \
         UNION ALL SELECT 1 FROM professions WHERE user_id = $1 LIMIT 1",
    )
    .bind(user_id)
    .fetch_optional(conn)
    .await?;
    Ok(row.is_some())
}

pub async fn set_circle_only(conn: &mut Conn, user_id: UserId, on: bool) -> Result<()> {
    sqlx::query("UPDATE users SET circle_only = $1 WHERE id = $2")
        .bind(i64::from(on))
        .bind(user_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// What the circle pages need of a patient file, archived or not:
/// `(org_id, unit_id, archived)`.
pub async fn file_place(conn: &mut Conn, patient_file_id: PatientFileId) -> Result<Option<(String, String, bool)>> {
    let row = sqlx::query("SELECT org_id, unit_id, archived_at FROM patient_files WHERE id = $1")
        .bind(patient_file_id)
        .fetch_optional(conn)
        .await?;
    Ok(match row {
        Some(r) => {
            let archived: Option<i64> = r.try_get("archived_at")?;
            Some((r.try_get("org_id")?, r.try_get("unit_id")?, archived.is_some()))
        }
        None => None,
    })
}

// ---- Sections switched off -----------------------------------------------------

/// The sections of a file's circle that are switched off (`patient`,
/// `responsible`, `observer`), in that table's order.
pub async fn sections_off(conn: &mut Conn, patient_file_id: PatientFileId) -> Result<Vec<CircleSection>> {
    let rows = sqlx::query("SELECT section FROM circle_sections_off WHERE patient_file_id = $1 ORDER BY section")
        .bind(patient_file_id)
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|r| r.try_get("section"))
        .collect::<std::result::Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

/// Switches a section on or off; true when that changed something.
pub async fn set_section_on(
    conn: &mut Conn,
    patient_file_id: PatientFileId,
    section: CircleSection,
    on: bool,
    by: UserId,
    now: Timestamp,
) -> Result<bool> {
    let done = if on {
        sqlx::query("DELETE FROM circle_sections_off WHERE patient_file_id = $1 AND section = $2")
            .bind(patient_file_id)
            .bind(section)
            .execute(conn)
            .await?
    } else {
        sqlx::query(
            "INSERT INTO circle_sections_off (patient_file_id, section, changed_by, changed_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (patient_file_id, section) DO NOTHING",
        )
        .bind(patient_file_id)
        .bind(section)
        .bind(by)
        .bind(now.0)
        .execute(conn)
        .await?
    };
    Ok(done.rows_affected() > 0)
}

/// People of a section who are in the circle or on their way (pre-allocated,
/// invited, locked, expired or joined; not cancelled).
pub async fn present_in_section(
    conn: &mut Conn,
    patient_file_id: PatientFileId,
    section: CircleSection,
) -> Result<i64> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM circle_members WHERE patient_file_id = $1 AND section = $2 \
         AND state IN ('preallocated', 'invited', 'locked', 'expired', 'joined')",
    )
    .bind(patient_file_id)
    .bind(section)
    .fetch_one(conn)
    .await?;
    Ok(row.try_get("n")?)
}

/// Holds the patient file's row until the transaction ends (PostgreSQL
/// locks it; SQLite serializes writers anyway): switching a section off and
/// placing someone into it are then never interleaved.
pub async fn hold_file(conn: &mut Conn, patient_file_id: PatientFileId) -> Result<()> {
    sqlx::query("UPDATE patient_files SET archived_at = archived_at WHERE id = $1")
        .bind(patient_file_id)
        .execute(conn)
        .await?;
    Ok(())
}
