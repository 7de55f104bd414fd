//! Patient files (SPEC 4): identity, consents, archiving, and the lists a
//! person sees — the files of the threads and care channels they take part
//! in, those with open threads, and the search within units.

use crate::profiles::placeholders;
use crate::{flag, Conn, Result};
use cercle_domain::{ChannelId, OrgId, PatientFileId, TeamId, ThreadId, Timestamp, UserId};
use sqlx::any::AnyRow;
use sqlx::Row;

/// A patient file with the path of its unit (for the policy).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatientFileRow {
    pub id: PatientFileId,
    pub org_id: String,
    pub unit_id: String,
    /// The unit's path (`/root/child/`), read with the file.
    pub unit_path: String,
    pub first_name: String,
    pub last_name: String,
    /// YYYY-MM-DD
    pub birth_date: Option<String>,
    /// Normalized: `ABCD12345678`.
    pub health_insurance_number: Option<String>,
    pub file_number: Option<String>,
    /// `fold(first last)`, for the search.
    pub folded_name: String,
    pub consent_care_team: bool,
    pub consent_caregivers: bool,
    pub consent_electronic: bool,
    pub created_by: UserId,
    pub created_at: i64,
    pub updated_at: Option<i64>,
    pub archived_at: Option<i64>,
    pub archived_by: Option<UserId>,
}

const COLUMNS: &str = "p.id, p.org_id, p.unit_id, u.path AS unit_path, p.first_name, p.last_name, p.birth_date, \
    p.health_insurance_number, p.file_number, p.folded_name, p.consent_care_team, p.consent_caregivers, \
    p.consent_electronic, p.created_by, p.created_at, p.updated_at, p.archived_at, p.archived_by";

const FROM: &str = "FROM patient_files p JOIN units u ON u.id = p.unit_id";

/// Longest list answered at once.
pub const MAX_LIST: i64 = 200;

fn map(r: &AnyRow) -> std::result::Result<PatientFileRow, sqlx::Error> {
    Ok(PatientFileRow {
        id: r.try_get("id")?,
        org_id: r.try_get("org_id")?,
        unit_id: r.try_get("unit_id")?,
        unit_path: r.try_get("unit_path")?,
        first_name: r.try_get("first_name")?,
        last_name: r.try_get("last_name")?,
        birth_date: r.try_get("birth_date")?,
        health_insurance_number: r.try_get("health_insurance_number")?,
        file_number: r.try_get("file_number")?,
        folded_name: r.try_get("folded_name")?,
        consent_care_team: flag(r.try_get("consent_care_team")?),
        consent_caregivers: flag(r.try_get("consent_caregivers")?),
        consent_electronic: flag(r.try_get("consent_electronic")?),
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
        archived_at: r.try_get("archived_at")?,
        archived_by: r.try_get("archived_by")?,
    })
}

fn map_all(rows: &[AnyRow]) -> Result<Vec<PatientFileRow>> {
    Ok(rows.iter().map(map).collect::<std::result::Result<_, _>>()?)
}

/// Inserts a file (`unit_path`, `updated_at` and the archive fields are ignored).
pub async fn insert(conn: &mut Conn, p: &PatientFileRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO patient_files (id, org_id, unit_id, first_name, last_name, birth_date, health_insurance_number, \
         file_number, folded_name, consent_care_team, consent_caregivers, consent_electronic, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(p.id)
    .bind(&p.org_id)
    .bind(&p.unit_id)
    .bind(&p.first_name)
    .bind(&p.last_name)
    .bind(&p.birth_date)
    .bind(&p.health_insurance_number)
    .bind(&p.file_number)
    .bind(&p.folded_name)
    .bind(i64::from(p.consent_care_team))
    .bind(i64::from(p.consent_caregivers))
    .bind(i64::from(p.consent_electronic))
    .bind(p.created_by)
    .bind(p.created_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// Writes the identity, consents and unit of a file.
pub async fn update(conn: &mut Conn, p: &PatientFileRow, now: Timestamp) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE patient_files SET unit_id = $2, first_name = $3, last_name = $4, birth_date = $5, \
         health_insurance_number = $6, file_number = $7, folded_name = $8, consent_care_team = $9, \
         consent_caregivers = $10, consent_electronic = $11, updated_at = $12 WHERE id = $1",
    )
    .bind(p.id)
    .bind(&p.unit_id)
    .bind(&p.first_name)
    .bind(&p.last_name)
    .bind(&p.birth_date)
    .bind(&p.health_insurance_number)
    .bind(&p.file_number)
    .bind(&p.folded_name)
    .bind(i64::from(p.consent_care_team))
    .bind(i64::from(p.consent_caregivers))
    .bind(i64::from(p.consent_electronic))
    .bind(now.0)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Archives (`Some((by, at))`) or restores (`None`) a file.
pub async fn set_archived(conn: &mut Conn, id: PatientFileId, archived: Option<(UserId, Timestamp)>) -> Result<bool> {
    let done =
        sqlx::query("UPDATE patient_files SET archived_at = $2, archived_by = $3, updated_at = $4 WHERE id = $1")
            .bind(id)
            .bind(archived.map(|(_, at)| at.0))
            .bind(archived.map(|(by, _)| by))
            .bind(archived.map(|(_, at)| at.0))
            .execute(conn)
            .await?;
    Ok(done.rows_affected() == 1)
}

/// A file by id, archived or not, of any organization (the caller checks).
pub async fn get(conn: &mut Conn, id: PatientFileId) -> Result<Option<PatientFileRow>> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} {FROM} WHERE p.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?;
    Ok(row.as_ref().map(map).transpose()?)
}

/// The files of an organization with this (normalized) health insurance
/// number, oldest first (at most a few: the number is no unique key).
pub async fn by_health_insurance_number(conn: &mut Conn, org_id: &str, number: &str) -> Result<Vec<PatientFileRow>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} {FROM} WHERE p.org_id = $1 AND p.health_insurance_number = $2 ORDER BY p.created_at, p.id LIMIT 10"
    ))
    .bind(org_id)
    .bind(number)
    .fetch_all(conn)
    .await?;
    map_all(&rows)
}

/// The condition "person `$1` (or one of the teams at `$from…`) takes part
/// in a thread or a started care channel of file `p` (a draft channel is
/// its creator's only), and the placeholders it uses.
fn takes_part_cond(from: usize, teams: usize) -> String {
    let team = |alias: &str| team_clause(alias, from, teams);
    format!(
        "(EXISTS (SELECT 1 FROM threads t JOIN thread_participants tp ON tp.thread_id = t.id \
            WHERE t.patient_file_id = p.id AND ((tp.kind = 'user' AND tp.participant_id = $1){tt})) \
          OR EXISTS (SELECT 1 FROM care_channels c JOIN channel_participants cp ON cp.channel_id = c.id \
            WHERE c.patient_file_id = p.id AND (c.started_at IS NOT NULL OR c.created_by = $1) \
              AND ((cp.kind = 'user' AND cp.participant_id = $1){ct})))",
        tt = team("tp"),
        ct = team("cp"),
    )
}

/// Whether a person takes part in a thread or care channel of the file, in
/// person or through one of `team_ids` (the teams they manage).
pub async fn takes_part(conn: &mut Conn, file_id: PatientFileId, user_id: UserId, team_ids: &[TeamId]) -> Result<bool> {
    let sql = format!(
        "SELECT COUNT(*) AS n FROM patient_files p WHERE p.id = $2 AND {}",
        takes_part_cond(3, team_ids.len())
    );
    let mut q = sqlx::query(&sql).bind(user_id).bind(file_id);
    for t in team_ids {
        q = q.bind(t);
    }
    Ok(q.fetch_one(conn).await?.try_get::<i64, _>("n")? > 0)
}

fn archived_cond(include_archived: bool) -> &'static str {
    if include_archived {
        ""
    } else {
        " AND p.archived_at IS NULL"
    }
}

/// The files of an organization whose threads or care channels a person
/// takes part in (in person or through `team_ids`).
pub async fn participating(
    conn: &mut Conn,
    org_id: OrgId,
    user_id: UserId,
    team_ids: &[TeamId],
    include_archived: bool,
    limit: i64,
) -> Result<Vec<PatientFileRow>> {
    let sql = format!(
        "SELECT {COLUMNS} {FROM} WHERE p.org_id = $2{arch} AND {cond} \
         ORDER BY p.last_name, p.first_name, p.id LIMIT $3",
        arch = archived_cond(include_archived),
        cond = takes_part_cond(4, team_ids.len()),
    );
    let mut q = sqlx::query(&sql)
        .bind(user_id)
        .bind(org_id)
        .bind(limit.clamp(1, MAX_LIST));
    for t in team_ids {
        q = q.bind(t);
    }
    map_all(&q.fetch_all(conn).await?)
}

/// The files of an organization with open threads that a person or one of
/// `team_ids` takes part in (directly, or through the thread's care
/// channel), the most recently active first.
pub async fn with_active_threads(
    conn: &mut Conn,
    org_id: OrgId,
    user_id: UserId,
    team_ids: &[TeamId],
    include_archived: bool,
    limit: i64,
) -> Result<Vec<PatientFileRow>> {
    let team = |alias: &str| team_clause(alias, 4, team_ids.len());
    let sql = format!(
        "SELECT {COLUMNS}, a.last_at {FROM} JOIN (\
           SELECT t.patient_file_id AS fid, MAX(t.last_activity_at) AS last_at FROM threads t \
           WHERE t.org_id = $2 AND t.closed_at IS NULL AND t.patient_file_id IS NOT NULL AND (\
             EXISTS (SELECT 1 FROM thread_participants tp WHERE tp.thread_id = t.id \
               AND ((tp.kind = 'user' AND tp.participant_id = $1){tt})) \
             OR EXISTS (SELECT 1 FROM channel_participants cp WHERE cp.channel_id = t.channel_id \
               AND ((cp.kind = 'user' AND cp.participant_id = $1){ct}))) \
           GROUP BY t.patient_file_id) a ON a.fid = p.id \
         WHERE p.org_id = $2{arch} ORDER BY a.last_at DESC, p.id LIMIT $3",
        tt = team("tp"),
        ct = team("cp"),
        arch = archived_cond(include_archived),
    );
    let mut q = sqlx::query(&sql)
        .bind(user_id)
        .bind(org_id)
        .bind(limit.clamp(1, MAX_LIST));
    for t in team_ids {
        q = q.bind(t);
    }
    map_all(&q.fetch_all(conn).await?)
}

/// What to look for among the files of one organization.
#[derive(Debug, Clone)]
pub struct Search<'a> {
    pub org_id: OrgId,
    /// Files of these units and every unit below them…
    pub unit_paths: &'a [String],
    /// …and the files this person opened.
    pub created_by: UserId,
    /// Folded words that must each start a word of the name (none: any name).
    pub words: &'a [String],
    /// Or a file number, compared without case.
    pub file_number: Option<&'a str>,
    /// Or a normalized health insurance number.
    pub health_insurance_number: Option<&'a str>,
    pub include_archived: bool,
    pub limit: i64,
}

/// The files matching `s` among those of its units and those its person opened.
pub async fn search(conn: &mut Conn, s: &Search<'_>) -> Result<Vec<PatientFileRow>> {
    // $1 org, $2 created_by, $3 limit, then the units, then the words, then the numbers.
    let mut n = 4;
    let mut within = vec!["p.created_by = $2".to_string()];
    for _ in s.unit_paths {
        within.push(format!("substr(u.path, 1, length(${n})) = ${n}"));
        n += 1;
    }
    let mut name = Vec::new();
    for _ in s.words {
        name.push(format!("(' ' || p.folded_name) LIKE ${n}"));
        n += 1;
    }
    let mut any = Vec::new();
    if !name.is_empty() {
        any.push(format!("({})", name.join(" AND ")));
    }
    if s.file_number.is_some() {
        any.push(format!("UPPER(p.file_number) = ${n}"));
        n += 1;
    }
    if s.health_insurance_number.is_some() {
        any.push(format!("p.health_insurance_number = ${n}"));
    }
    let matching = if any.is_empty() {
        String::new()
    } else {
        format!(" AND ({})", any.join(" OR "))
    };
    let sql = format!(
        "SELECT {COLUMNS} {FROM} WHERE p.org_id = $1{arch} AND ({within}){matching} \
         ORDER BY p.last_name, p.first_name, p.id LIMIT $3",
        arch = archived_cond(s.include_archived),
        within = within.join(" OR "),
    );
    let mut q = sqlx::query(&sql)
        .bind(s.org_id)
        .bind(s.created_by)
        .bind(s.limit.clamp(1, MAX_LIST));
    for p in s.unit_paths {
        q = q.bind(p);
    }
    for w in s.words {
        q = q.bind(format!("% {w}%"));
    }
    if let Some(f) = s.file_number {
        q = q.bind(f.to_uppercase());
    }
    if let Some(h) = s.health_insurance_number {
        q = q.bind(h);
    }
    map_all(&q.fetch_all(conn).await?)
}

/// The files a person opened in an organization.
pub async fn created_by(
    conn: &mut Conn,
    org_id: OrgId,
    user_id: UserId,
    include_archived: bool,
    limit: i64,
) -> Result<Vec<PatientFileRow>> {
    let sql = format!(
        "SELECT {COLUMNS} {FROM} WHERE p.org_id = $1 AND p.created_by = $2{arch} \
         ORDER BY p.last_name, p.first_name, p.id LIMIT $3",
        arch = archived_cond(include_archived),
    );
    let rows = sqlx::query(&sql)
        .bind(org_id)
        .bind(user_id)
        .bind(limit.clamp(1, MAX_LIST))
        .fetch_all(conn)
        .await?;
    map_all(&rows)
}

/// A thread of a file, as its page lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileThread {
    pub id: ThreadId,
    pub title: String,
    /// The title's system text (JSON), if Cercle wrote it.
    pub title_text: Option<String>,
    pub high_priority: bool,
    pub closed_at: Option<i64>,
    pub last_activity_at: i64,
    pub channel_id: Option<ChannelId>,
}

/// The clinical threads of a file a person takes part in (in person,
/// through `team_ids`, or through the thread's care channel), newest first.
pub async fn threads_taking_part(
    conn: &mut Conn,
    file_id: PatientFileId,
    user_id: UserId,
    team_ids: &[TeamId],
    limit: i64,
) -> Result<Vec<FileThread>> {
    let team = |alias: &str| team_clause(alias, 4, team_ids.len());
    let sql = format!(
        "SELECT t.id, t.title, t.title_text, t.high_priority, t.closed_at, t.last_activity_at, t.channel_id \
         FROM threads t WHERE t.patient_file_id = $2 AND (\
           EXISTS (SELECT 1 FROM thread_participants tp WHERE tp.thread_id = t.id \
             AND ((tp.kind = 'user' AND tp.participant_id = $1){tt})) \
           OR EXISTS (SELECT 1 FROM channel_participants cp WHERE cp.channel_id = t.channel_id \
             AND ((cp.kind = 'user' AND cp.participant_id = $1){ct}))) \
         ORDER BY t.last_activity_at DESC, t.id LIMIT $3",
        tt = team("tp"),
        ct = team("cp"),
    );
    let mut q = sqlx::query(&sql)
        .bind(user_id)
        .bind(file_id)
        .bind(limit.clamp(1, MAX_LIST));
    for t in team_ids {
        q = q.bind(t);
    }
    let rows = q.fetch_all(conn).await?;
    rows.iter()
        .map(|r| {
            Ok(FileThread {
                id: r.try_get("id")?,
                title: r.try_get("title")?,
                title_text: r.try_get("title_text")?,
                high_priority: flag(r.try_get("high_priority")?),
                closed_at: r.try_get("closed_at")?,
                last_activity_at: r.try_get("last_activity_at")?,
                channel_id: r.try_get("channel_id")?,
            })
        })
        .collect::<std::result::Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

/// `OR (<alias>.kind = 'team' AND <alias>.participant_id IN ($from…))` for
/// `teams` team ids bound from parameter `from`; nothing without teams.
fn team_clause(alias: &str, from: usize, teams: usize) -> String {
    if teams == 0 {
        String::new()
    } else {
        format!(
            " OR ({alias}.kind = 'team' AND {alias}.participant_id IN ({}))",
            placeholders(from, teams)
        )
    }
}
