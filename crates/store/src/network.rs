//! Workplaces as the network sees them (organizations' and independent
//! ones), who works where, personal directories and friendships.

use crate::profiles::placeholders;
use crate::{conflict, Conn, Result};
use cercle_domain::network::{EntryKind, FriendshipStatus};
use cercle_domain::{FriendshipId, OrgId, TeamId, Timestamp, UserId, WorkplaceId};
use sqlx::any::AnyRow;
use sqlx::Row;
use std::collections::HashSet;

/// A workplace on the network: an organization's, or an independent one.
#[derive(Debug, Clone)]
pub struct NetworkWorkplace {
    pub id: WorkplaceId,
    pub name: String,
    pub kind: String,
    pub address: String,
    pub phone: Option<String>,
    /// The organization it belongs to, if any: (id, name).
    pub org: Option<(OrgId, String)>,
}

fn map_workplace(r: &AnyRow) -> std::result::Result<NetworkWorkplace, sqlx::Error> {
    let org_id: Option<OrgId> = r.try_get("org_id")?;
    let org_name: Option<String> = r.try_get("org_name")?;
    Ok(NetworkWorkplace {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        kind: r.try_get("kind")?,
        address: r.try_get("address")?,
        phone: r.try_get("phone")?,
        org: org_id.zip(org_name),
    })
}

const WORKPLACES: &str = "SELECT w.id, w.name, w.kind, w.address, w.phone, w.org_id, o.name AS org_name \
    FROM workplaces w JOIN organizations o ON o.id = w.org_id WHERE w.archived_at IS NULL \
    UNION ALL SELECT i.id, i.name, i.kind, i.address, i.phone, NULL, NULL FROM independent_workplaces i";

pub async fn workplace(conn: &mut Conn, id: WorkplaceId) -> Result<Option<NetworkWorkplace>> {
    let row = sqlx::query(&format!("SELECT * FROM ({WORKPLACES}) x WHERE x.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?;
    Ok(row.as_ref().map(map_workplace).transpose()?)
}

pub async fn workplaces_by_ids(conn: &mut Conn, ids: &[WorkplaceId]) -> Result<Vec<NetworkWorkplace>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = placeholders(1, ids.len());
    let sql = format!("SELECT * FROM ({WORKPLACES}) x WHERE x.id IN ({list}) ORDER BY x.name");
    let mut q = sqlx::query(&sql);
    for id in ids {
        q = q.bind(id);
    }
    let rows = q.fetch_all(conn).await?;
    Ok(rows.iter().map(map_workplace).collect::<std::result::Result<_, _>>()?)
}

/// Every workplace of the network, by name (browsing; paginated).
pub async fn all_workplaces(conn: &mut Conn, limit: i64, offset: i64) -> Result<Vec<NetworkWorkplace>> {
    let rows = sqlx::query(&format!(
        "SELECT * FROM ({WORKPLACES}) x ORDER BY x.name, x.id LIMIT $1 OFFSET $2"
    ))
    .bind(limit)
    .bind(offset)
    .fetch_all(conn)
    .await?;
    Ok(rows.iter().map(map_workplace).collect::<std::result::Result<_, _>>()?)
}

pub struct NewIndependentWorkplace<'a> {
    pub id: WorkplaceId,
    pub name: &'a str,
    pub kind: &'a str,
    pub address: &'a str,
    pub phone: Option<&'a str>,
    pub created_by: UserId,
}

pub async fn insert_independent(conn: &mut Conn, w: &NewIndependentWorkplace<'_>, now: Timestamp) -> Result<()> {
    sqlx::query(
        "INSERT INTO independent_workplaces (id, name, kind, address, phone, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(w.id)
    .bind(w.name)
    .bind(w.kind)
    .bind(w.address)
    .bind(w.phone)
    .bind(w.created_by)
    .bind(now.0)
    .execute(conn)
    .await
    .map_err(conflict)?;
    Ok(())
}

/// Joins a workplace; false if already there.
pub async fn join(conn: &mut Conn, workplace_id: WorkplaceId, user_id: UserId, now: Timestamp) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO workplace_members (workplace_id, user_id, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
    )
    .bind(workplace_id)
    .bind(user_id)
    .bind(now.0)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn leave(conn: &mut Conn, workplace_id: WorkplaceId, user_id: UserId) -> Result<bool> {
    let done = sqlx::query("DELETE FROM workplace_members WHERE workplace_id = $1 AND user_id = $2")
        .bind(workplace_id)
        .bind(user_id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// The workplaces ids of a person.
pub async fn workplaces_of(conn: &mut Conn, user_id: UserId) -> Result<Vec<WorkplaceId>> {
    let rows = sqlx::query("SELECT workplace_id FROM workplace_members WHERE user_id = $1 ORDER BY created_at")
        .bind(user_id)
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|r| r.try_get("workplace_id"))
        .collect::<std::result::Result<_, _>>()
        .map_err(Into::into)
}

/// (person id, name) of who works at a workplace.
pub async fn members_of(conn: &mut Conn, workplace_id: WorkplaceId, limit: i64) -> Result<Vec<(UserId, String)>> {
    let rows = sqlx::query(
        "SELECT u.id, u.name FROM workplace_members m JOIN users u ON u.id = m.user_id \
         WHERE m.workplace_id = $1 AND u.deleted_at IS NULL ORDER BY u.name LIMIT $2",
    )
    .bind(workplace_id)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("id")?, r.try_get("name")?)))
        .collect::<std::result::Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

/// (team id, name) of the teams at a workplace.
pub async fn teams_at(conn: &mut Conn, workplace_id: WorkplaceId) -> Result<Vec<(TeamId, String)>> {
    let rows = sqlx::query("SELECT id, name FROM teams WHERE workplace_id = $1 AND archived_at IS NULL ORDER BY name")
        .bind(workplace_id)
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("id")?, r.try_get("name")?)))
        .collect::<std::result::Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

// ---- Personal directory ----------------------------------------------------

/// What an entry of one's directory points at: a person or a workplace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DirectoryEntry {
    Person(UserId),
    Workplace(WorkplaceId),
}

impl DirectoryEntry {
    pub fn kind(self) -> EntryKind {
        match self {
            DirectoryEntry::Person(_) => EntryKind::Person,
            DirectoryEntry::Workplace(_) => EntryKind::Workplace,
        }
    }

    /// The id of the person or workplace, as stored in `target_id`.
    pub fn target_id(self) -> uuid::Uuid {
        match self {
            DirectoryEntry::Person(id) => id.0,
            DirectoryEntry::Workplace(id) => id.0,
        }
    }
}

pub async fn add_entry(conn: &mut Conn, owner_id: UserId, entry: DirectoryEntry, now: Timestamp) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO directory_entries (owner_id, kind, target_id, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT DO NOTHING",
    )
    .bind(owner_id)
    .bind(entry.kind())
    .bind(entry.target_id().to_string())
    .bind(now.0)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn remove_entry(conn: &mut Conn, owner_id: UserId, entry: DirectoryEntry) -> Result<bool> {
    let done = sqlx::query("DELETE FROM directory_entries WHERE owner_id = $1 AND kind = $2 AND target_id = $3")
        .bind(owner_id)
        .bind(entry.kind())
        .bind(entry.target_id().to_string())
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// One's directory, oldest first.
pub async fn entries(conn: &mut Conn, owner_id: UserId) -> Result<Vec<DirectoryEntry>> {
    let rows =
        sqlx::query("SELECT kind, target_id FROM directory_entries WHERE owner_id = $1 ORDER BY created_at LIMIT 2000")
            .bind(owner_id)
            .fetch_all(conn)
            .await?;
    rows.iter()
        .map(|r| {
            Ok(match r.try_get::<EntryKind, _>("kind")? {
                EntryKind::Person => DirectoryEntry::Person(r.try_get("target_id")?),
                EntryKind::Workplace => DirectoryEntry::Workplace(r.try_get("target_id")?),
            })
        })
        .collect::<std::result::Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

// ---- Friendships -----------------------------------------------------------

#[derive(Debug, Clone)]
pub struct FriendshipRow {
    pub id: FriendshipId,
    pub requester_id: UserId,
    pub recipient_id: UserId,
    pub status: FriendshipStatus,
    pub created_at: i64,
}

fn map_friendship(r: &AnyRow) -> std::result::Result<FriendshipRow, sqlx::Error> {
    Ok(FriendshipRow {
        id: r.try_get("id")?,
        requester_id: r.try_get("requester_id")?,
        recipient_id: r.try_get("recipient_id")?,
        status: r.try_get("status")?,
        created_at: r.try_get("created_at")?,
    })
}

/// The key of a pair of people, the same whoever asks.
pub fn pair_key(a: UserId, b: UserId) -> String {
    let (a, b) = (a.to_string(), b.to_string());
    if a < b {
        format!("{a}:{b}")
    } else {
        format!("{b}:{a}")
    }
}

pub async fn friendship_between(conn: &mut Conn, a: UserId, b: UserId) -> Result<Option<FriendshipRow>> {
    let row =
        sqlx::query("SELECT id, requester_id, recipient_id, status, created_at FROM friendships WHERE pair_key = $1")
            .bind(pair_key(a, b))
            .fetch_optional(conn)
            .await?;
    Ok(row.as_ref().map(map_friendship).transpose()?)
}

pub async fn friendship(conn: &mut Conn, id: FriendshipId) -> Result<Option<FriendshipRow>> {
    let row = sqlx::query("SELECT id, requester_id, recipient_id, status, created_at FROM friendships WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await?;
    Ok(row.as_ref().map(map_friendship).transpose()?)
}

pub async fn insert_request(conn: &mut Conn, id: FriendshipId, from: UserId, to: UserId, now: Timestamp) -> Result<()> {
    sqlx::query(
        "INSERT INTO friendships (id, requester_id, recipient_id, pair_key, status, created_at) \
         VALUES ($1, $2, $3, $4, 'pending', $5)",
    )
    .bind(id)
    .bind(from)
    .bind(to)
    .bind(pair_key(from, to))
    .bind(now.0)
    .execute(conn)
    .await
    .map_err(conflict)?;
    Ok(())
}

/// Moves a request from `from_status` to `status`; false if it was not there.
pub async fn decide(
    conn: &mut Conn,
    id: FriendshipId,
    from_status: FriendshipStatus,
    status: FriendshipStatus,
    now: Timestamp,
) -> Result<bool> {
    let done = sqlx::query("UPDATE friendships SET status = $1, decided_at = $2 WHERE id = $3 AND status = $4")
        .bind(status)
        .bind(now.0)
        .bind(id)
        .bind(from_status)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn delete_friendship(conn: &mut Conn, id: FriendshipId) -> Result<bool> {
    let done = sqlx::query("DELETE FROM friendships WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// The friendships of a person with the given status, as requester or recipient.
pub async fn friendships_of(conn: &mut Conn, user_id: UserId) -> Result<Vec<FriendshipRow>> {
    let rows = sqlx::query(
        "SELECT id, requester_id, recipient_id, status, created_at FROM friendships \
         WHERE requester_id = $1 OR recipient_id = $2 ORDER BY created_at DESC LIMIT 2000",
    )
    .bind(user_id)
    .bind(user_id)
    .fetch_all(conn)
    .await?;
    Ok(rows.iter().map(map_friendship).collect::<std::result::Result<_, _>>()?)
}

/// Whether two people share an organization.
pub async fn colleagues(conn: &mut Conn, a: UserId, b: UserId) -> Result<bool> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM memberships m1 JOIN memberships m2 ON m2.org_id = m1.org_id \
         WHERE m1.user_id = $1 AND m2.user_id = $2",
    )
    .bind(a)
    .bind(b)
    .fetch_one(conn)
    .await?;
    Ok(row.try_get::<i64, _>("n")? > 0)
}

/// (id, name) of people, skipping deleted accounts. Ids stay text here:
/// callers across the app (audit actors, threads, teams, circles) hold them
/// as text, and a text that is no user id simply names no one.
pub async fn names(conn: &mut Conn, ids: &[String]) -> Result<Vec<(String, String)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = placeholders(1, ids.len());
    let sql = format!("SELECT id, name FROM users WHERE id IN ({list}) AND deleted_at IS NULL");
    let mut q = sqlx::query(&sql);
    for id in ids {
        q = q.bind(id);
    }
    let rows = q.fetch_all(conn).await?;
    rows.iter()
        .map(|r| Ok((r.try_get("id")?, r.try_get("name")?)))
        .collect::<std::result::Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

/// What is true between a viewer and each of several people, as sets of ids.
#[derive(Debug, Clone, Default)]
pub struct RelationFacts {
    pub colleagues: HashSet<UserId>,
    pub friends: HashSet<UserId>,
    /// Holding a validated profession.
    pub validated: HashSet<UserId>,
    /// Having restricted their external visibility.
    pub restricted: HashSet<UserId>,
    /// Accounts that exist and are not deleted (the viewer excluded).
    pub live: HashSet<UserId>,
}

pub async fn relation_facts(conn: &mut Conn, viewer: UserId, ids: &[UserId]) -> Result<RelationFacts> {
    let mut f = RelationFacts::default();
    if ids.is_empty() {
        return Ok(f);
    }
    f.colleagues = id_set(
        &mut *conn,
        "SELECT DISTINCT m2.user_id AS id FROM memberships m1 JOIN memberships m2 ON m2.org_id = m1.org_id \
         WHERE m1.user_id = $1 AND m2.user_id IN",
        viewer,
        ids,
    )
    .await?;
    f.friends = id_set(
        &mut *conn,
        "SELECT recipient_id AS id FROM friendships WHERE status = 'accepted' AND requester_id = $1 AND recipient_id IN",
        viewer,
        ids,
    )
    .await?;
    f.friends.extend(
        id_set(
            &mut *conn,
            "SELECT requester_id AS id FROM friendships WHERE status = 'accepted' AND recipient_id = $1 AND requester_id IN",
            viewer,
            ids,
        )
        .await?,
    );
    f.validated = id_set(
        &mut *conn,
        "SELECT DISTINCT user_id AS id FROM professions WHERE status = 'validated' AND user_id <> $1 AND user_id IN",
        viewer,
        ids,
    )
    .await?;
    f.restricted = id_set(
        &mut *conn,
        "SELECT user_id AS id FROM profiles WHERE restrict_external = 1 AND user_id <> $1 AND user_id IN",
        viewer,
        ids,
    )
    .await?;
    f.live = id_set(
        &mut *conn,
        "SELECT id FROM users WHERE deleted_at IS NULL AND id <> $1 AND id IN",
        viewer,
        ids,
    )
    .await?;
    Ok(f)
}

/// Runs `sql` (selecting one column named `id`, ending in `… IN`) with
/// `$1 = viewer` and the ids after it.
async fn id_set(conn: &mut Conn, sql: &str, viewer: UserId, ids: &[UserId]) -> Result<HashSet<UserId>> {
    let sql = format!("{sql} ({})", placeholders(2, ids.len()));
    let mut q = sqlx::query(&sql).bind(viewer);
    for id in ids {
        q = q.bind(id);
    }
    let rows = q.fetch_all(conn).await?;
    let mut out = HashSet::new();
    for r in rows {
        out.insert(r.try_get::<UserId, _>("id")?);
    }
    Ok(out)
}

// ---- The FHIR directory ----------------------------------------------------

/// (id, name) of the people a viewer may find on the network, by name then
/// id, at most `limit`: the viewer, colleagues, friends and — when
/// `external` — validated professionals who did not restrict their
/// visibility. A first cut only: the services still ask the network policy
/// about each (`policy::network::may_view_profile`).
pub async fn findable_people(
    conn: &mut Conn,
    viewer: UserId,
    external: bool,
    limit: i64,
) -> Result<Vec<(UserId, String)>> {
    let rows = sqlx::query(
        "SELECT u.id, u.name FROM users u WHERE u.deleted_at IS NULL AND (u.id = $1 \
         OR u.id IN (SELECT m2.user_id FROM memberships m1 JOIN memberships m2 ON m2.org_id = m1.org_id \
                     WHERE m1.user_id = $1) \
         OR u.id IN (SELECT recipient_id FROM friendships WHERE status = 'accepted' AND requester_id = $1) \
         OR u.id IN (SELECT requester_id FROM friendships WHERE status = 'accepted' AND recipient_id = $1) \
         OR ($2 = 1 AND u.id IN (SELECT user_id FROM professions WHERE status = 'validated') \
             AND u.id NOT IN (SELECT user_id FROM profiles WHERE restrict_external = 1))) \
         ORDER BY u.name, u.id LIMIT $3",
    )
    .bind(viewer)
    .bind(i64::from(external))
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("id")?, r.try_get("name")?)))
        .collect::<std::result::Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

/// (person, workplace) of who works where, for these people.
pub async fn workplace_memberships(conn: &mut Conn, user_ids: &[UserId]) -> Result<Vec<(UserId, WorkplaceId)>> {
    if user_ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = placeholders(1, user_ids.len());
    let sql = format!(
        "SELECT user_id, workplace_id FROM workplace_members WHERE user_id IN ({list}) ORDER BY user_id, created_at"
    );
    let mut q = sqlx::query(&sql);
    for id in user_ids {
        q = q.bind(id);
    }
    let rows = q.fetch_all(conn).await?;
    rows.iter()
        .map(|r| Ok((r.try_get("user_id")?, r.try_get("workplace_id")?)))
        .collect::<std::result::Result<_, sqlx::Error>>()
        .map_err(Into::into)
}
