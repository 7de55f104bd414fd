//! Teams and triage (SPEC 7): team members (manager or participant) and the
//! triage state of a thread per team (in the team's triage box, or assigned
//! to a responsible member). Who reaches a thread through a team is answered
//! in `threads` (`teams_managed`, `reach`, `people_reached`, `threads_of`).

use crate::threads::{map_thread, ListedThread, THREAD_COLUMNS};
use crate::{flag, Conn, Result};
use cercle_domain::policy::teams::{TeamRole, TriageState};
use cercle_domain::{OrgId, TeamId, ThreadId, Timestamp, UserId};
use sqlx::Row;

/// The stored names of [`TriageState`] (callers that compare a row's text).
pub const IN_TRIAGE: &str = TriageState::InTriage.as_str();
pub const ASSIGNED: &str = TriageState::Assigned.as_str();

// ---- Members ------------------------------------------------------------------

#[derive(Debug, Clone)]
pub struct TeamMemberRow {
    pub team_id: TeamId,
    pub user_id: UserId,
    pub role: TeamRole,
    pub added_at: i64,
}

pub async fn upsert_member(
    conn: &mut Conn,
    team_id: TeamId,
    user_id: UserId,
    role: TeamRole,
    now: Timestamp,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO team_members (team_id, user_id, role, added_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (team_id, user_id) DO UPDATE SET role = $3",
    )
    .bind(team_id)
    .bind(user_id)
    .bind(role)
    .bind(now.0)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn remove_member(conn: &mut Conn, team_id: TeamId, user_id: UserId) -> Result<bool> {
    let done = sqlx::query("DELETE FROM team_members WHERE team_id = $1 AND user_id = $2")
        .bind(team_id)
        .bind(user_id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Removes a person from every team of an organization (they left it).
pub async fn remove_from_org_teams(conn: &mut Conn, org_id: OrgId, user_id: UserId) -> Result<()> {
    sqlx::query("DELETE FROM team_members WHERE user_id = $1 AND team_id IN (SELECT id FROM teams WHERE org_id = $2)")
        .bind(user_id)
        .bind(org_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// The role of a person in a team, if they belong to it.
pub async fn member_role(conn: &mut Conn, team_id: TeamId, user_id: UserId) -> Result<Option<TeamRole>> {
    let row = sqlx::query("SELECT role FROM team_members WHERE team_id = $1 AND user_id = $2")
        .bind(team_id)
        .bind(user_id)
        .fetch_optional(conn)
        .await?;
    Ok(match row {
        Some(r) => Some(r.try_get("role")?),
        None => None,
    })
}

pub async fn members(conn: &mut Conn, team_id: TeamId) -> Result<Vec<TeamMemberRow>> {
    let rows = sqlx::query(
        "SELECT team_id, user_id, role, added_at FROM team_members WHERE team_id = $1 ORDER BY added_at, user_id",
    )
    .bind(team_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(TeamMemberRow {
                team_id: r.try_get("team_id")?,
                user_id: r.try_get("user_id")?,
                role: r.try_get("role")?,
                added_at: r.try_get("added_at")?,
            })
        })
        .collect::<std::result::Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

/// (team id, role) of the teams of an organization a person belongs to.
pub async fn memberships_in(conn: &mut Conn, org_id: OrgId, user_id: UserId) -> Result<Vec<(TeamId, TeamRole)>> {
    let rows = sqlx::query(
        "SELECT m.team_id AS team_id, m.role AS role FROM team_members m JOIN teams t ON t.id = m.team_id \
         WHERE m.user_id = $1 AND t.org_id = $2 AND t.archived_at IS NULL",
    )
    .bind(user_id)
    .bind(org_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("team_id")?, r.try_get("role")?)))
        .collect::<std::result::Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

// ---- Triage -------------------------------------------------------------------

#[derive(Debug, Clone)]
pub struct TriageRow {
    pub thread_id: ThreadId,
    pub team_id: TeamId,
    pub state: TriageState,
    pub responsible_id: Option<UserId>,
    pub updated_at: i64,
}

/// Sets the triage state of a thread for a team (in the triage box when
/// `responsible` is none, assigned otherwise).
pub async fn set_triage(
    conn: &mut Conn,
    thread_id: ThreadId,
    team_id: TeamId,
    responsible: Option<UserId>,
    now: Timestamp,
) -> Result<()> {
    let state = if responsible.is_some() {
        TriageState::Assigned
    } else {
        TriageState::InTriage
    };
    sqlx::query(
        "INSERT INTO thread_triage (thread_id, team_id, state, responsible_id, updated_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (thread_id, team_id) DO UPDATE SET state = $3, responsible_id = $4, updated_at = $5",
    )
    .bind(thread_id)
    .bind(team_id)
    .bind(state)
    .bind(responsible)
    .bind(now.0)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn clear_triage(conn: &mut Conn, thread_id: ThreadId, team_id: TeamId) -> Result<()> {
    sqlx::query("DELETE FROM thread_triage WHERE thread_id = $1 AND team_id = $2")
        .bind(thread_id)
        .bind(team_id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn triage(conn: &mut Conn, thread_id: ThreadId, team_id: TeamId) -> Result<Option<TriageRow>> {
    let row = sqlx::query(
        "SELECT thread_id, team_id, state, responsible_id, updated_at FROM thread_triage \
         WHERE thread_id = $1 AND team_id = $2",
    )
    .bind(thread_id)
    .bind(team_id)
    .fetch_optional(conn)
    .await?;
    row.map(|r| {
        Ok(TriageRow {
            thread_id: r.try_get("thread_id")?,
            team_id: r.try_get("team_id")?,
            state: r.try_get("state")?,
            responsible_id: r.try_get("responsible_id")?,
            updated_at: r.try_get("updated_at")?,
        })
    })
    .transpose()
    .map_err(|e: sqlx::Error| e.into())
}

/// The triage rows of a thread (one per team that has one).
pub async fn triage_of_thread(conn: &mut Conn, thread_id: ThreadId) -> Result<Vec<TriageRow>> {
    let rows = sqlx::query(
        "SELECT thread_id, team_id, state, responsible_id, updated_at FROM thread_triage \
         WHERE thread_id = $1 ORDER BY team_id",
    )
    .bind(thread_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(TriageRow {
                thread_id: r.try_get("thread_id")?,
                team_id: r.try_get("team_id")?,
                state: r.try_get("state")?,
                responsible_id: r.try_get("responsible_id")?,
                updated_at: r.try_get("updated_at")?,
            })
        })
        .collect::<std::result::Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

/// A thread of a team, with its triage state and whether the person is a
/// participant in person.
#[derive(Debug, Clone)]
pub struct TeamThread {
    pub listed: ListedThread,
    pub state: Option<TriageState>,
    pub responsible_id: Option<UserId>,
    pub added: bool,
}

/// The open threads a team takes part in (the caller filters by what the
/// person may see), most recent first.
pub async fn team_threads(conn: &mut Conn, team_id: TeamId, user_id: UserId, limit: i64) -> Result<Vec<TeamThread>> {
    let sql = format!(
        "SELECT {THREAD_COLUMNS}, tr.state AS triage_state, tr.responsible_id AS responsible, \
           (SELECT COUNT(*) FROM messages m WHERE m.thread_id = t.id AND m.author_id <> $1 \
              AND m.seq > COALESCE((SELECT r.last_read_seq FROM thread_reads r WHERE r.thread_id = t.id AND r.user_id = $1), 0)) AS unread, \
           COALESCE((SELECT r.marked_unread FROM thread_reads r WHERE r.thread_id = t.id AND r.user_id = $1), 0) AS marked, \
           (SELECT COUNT(*) FROM thread_participants u WHERE u.thread_id = t.id AND u.kind = 'user' AND u.participant_id = $1) AS added \
         FROM threads t JOIN thread_participants p ON p.thread_id = t.id AND p.kind = 'team' AND p.participant_id = $2 \
           LEFT JOIN thread_triage tr ON tr.thread_id = t.id AND tr.team_id = $2 \
         WHERE t.closed_at IS NULL ORDER BY t.last_activity_at DESC LIMIT $3"
    );
    let rows = sqlx::query(&sql)
        .bind(user_id)
        .bind(team_id)
        .bind(limit)
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(TeamThread {
                listed: ListedThread {
                    thread: map_thread(r)?,
                    unread: r.try_get("unread")?,
                    marked_unread: flag(r.try_get("marked")?),
                },
                state: r.try_get("triage_state")?,
                responsible_id: r.try_get("responsible")?,
                added: r.try_get::<i64, _>("added")? > 0,
            })
        })
        .collect::<std::result::Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

/// How many open threads of `org_id` wait in the triage box of each of
/// `team_ids` (teams with none are left out): one query for every box.
pub async fn triage_counts(conn: &mut Conn, org_id: OrgId, team_ids: &[TeamId]) -> Result<Vec<(TeamId, i64)>> {
    if team_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT tr.team_id AS team_id, COUNT(*) AS n FROM thread_triage tr JOIN threads t ON t.id = tr.thread_id \
         JOIN thread_participants p ON p.thread_id = t.id AND p.kind = 'team' AND p.participant_id = tr.team_id \
         WHERE tr.state = $1 AND t.closed_at IS NULL AND t.org_id = $2 AND tr.team_id IN ({}) \
         GROUP BY tr.team_id",
        crate::profiles::placeholders(3, team_ids.len())
    );
    let mut q = sqlx::query(&sql).bind(TriageState::InTriage).bind(org_id);
    for t in team_ids {
        q = q.bind(*t);
    }
    let rows = q.fetch_all(conn).await?;
    rows.iter()
        .map(|r| Ok((r.try_get("team_id")?, r.try_get("n")?)))
        .collect::<std::result::Result<_, sqlx::Error>>()
        .map_err(Into::into)
}
