//! Calls of threads and the stretches of time people spent in them
//! (migrations 0017, 0018 and 0019). Rows are read into the domain's states
//! ([`cercle_domain::calls`]): a damaged combination of columns is an
//! error, never a guessed state.

use crate::{conflict, flag, Conn, Result};
use cercle_domain::calls::{CallMedia, CallState, CallTopology, Departure, DepartureKind, EndReason, Presence};
use cercle_domain::{CallId, CallParticipantId, ThreadId, Timestamp, UserId};
use sqlx::any::AnyRow;
use sqlx::Row;

#[derive(Debug, Clone)]
pub struct CallRow {
    pub id: CallId,
    pub thread_id: ThreadId,
    pub media: CallMedia,
    pub started_by: UserId,
    pub started_at: Timestamp,
    /// Started as high priority: it rings through availability rules.
    pub high_priority: bool,
    /// How its media travel (end to end between two, or through the
    /// forwarding unit), decided at its start.
    pub topology: CallTopology,
    pub state: CallState,
}

const CALL_COLUMNS: &str =
    "id, thread_id, media, started_by, started_at, high_priority, topology, answered_at, ended_at, end_reason, ended_by";

fn damaged(e: impl std::fmt::Display) -> sqlx::Error {
    sqlx::Error::Decode(e.to_string().into())
}

fn map_call(r: &AnyRow) -> std::result::Result<CallRow, sqlx::Error> {
    let state = CallState::from_columns(
        r.try_get("answered_at")?,
        r.try_get("ended_at")?,
        r.try_get::<Option<EndReason>, _>("end_reason")?,
        r.try_get::<Option<UserId>, _>("ended_by")?,
    )
    .map_err(damaged)?;
    Ok(CallRow {
        id: r.try_get("id")?,
        thread_id: r.try_get("thread_id")?,
        media: r.try_get("media")?,
        started_by: r.try_get("started_by")?,
        started_at: Timestamp(r.try_get("started_at")?),
        high_priority: flag(r.try_get("high_priority")?),
        topology: r.try_get("topology")?,
        state,
    })
}

/// Records a new, ringing call. Another call of the thread going on (even
/// one started at the same moment on another node) is
/// [`crate::StoreError::Conflict`].
#[allow(clippy::too_many_arguments)]
pub async fn insert_call(
    conn: &mut Conn,
    id: CallId,
    thread_id: ThreadId,
    media: CallMedia,
    topology: CallTopology,
    started_by: UserId,
    high_priority: bool,
    now: Timestamp,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO calls (id, thread_id, media, topology, started_by, started_at, high_priority) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id)
    .bind(thread_id)
    .bind(media)
    .bind(topology)
    .bind(started_by)
    .bind(now.0)
    .bind(i64::from(high_priority))
    .execute(conn)
    .await
    .map_err(conflict)?;
    Ok(())
}

pub async fn call(conn: &mut Conn, id: CallId) -> Result<Option<CallRow>> {
    let row = sqlx::query(&format!("SELECT {CALL_COLUMNS} FROM calls WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?;
    Ok(row.as_ref().map(map_call).transpose()?)
}

/// The thread's call going on, if any.
pub async fn active_call(conn: &mut Conn, thread_id: ThreadId) -> Result<Option<CallRow>> {
    let row = sqlx::query(&format!(
        "SELECT {CALL_COLUMNS} FROM calls WHERE thread_id = $1 AND ended_at IS NULL"
    ))
    .bind(thread_id)
    .fetch_optional(conn)
    .await?;
    Ok(row.as_ref().map(map_call).transpose()?)
}

/// The thread's latest calls, newest first.
pub async fn calls_of_thread(conn: &mut Conn, thread_id: ThreadId, limit: i64) -> Result<Vec<CallRow>> {
    let rows = sqlx::query(&format!(
        "SELECT {CALL_COLUMNS} FROM calls WHERE thread_id = $1 ORDER BY started_at DESC, id DESC LIMIT $2"
    ))
    .bind(thread_id)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .iter()
        .map(map_call)
        .collect::<std::result::Result<_, sqlx::Error>>()?)
}

/// Holds the call's row until the transaction ends (PostgreSQL locks it;
/// SQLite serializes writers anyway): two joins, or a join and the end,
/// are never interleaved, so the cap on participants holds.
pub async fn hold_call(conn: &mut Conn, id: CallId) -> Result<()> {
    sqlx::query("UPDATE calls SET started_at = started_at WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Writes the call's new state (answered, or ended).
pub async fn set_state(conn: &mut Conn, id: CallId, state: CallState) -> Result<()> {
    let (ended_at, reason, ended_by) = match state {
        CallState::Ended { ended_at, end, .. } => (Some(ended_at.0), Some(end.reason()), end.by()),
        _ => (None, None, None),
    };
    sqlx::query("UPDATE calls SET answered_at = $1, ended_at = $2, end_reason = $3, ended_by = $4 WHERE id = $5")
        .bind(state.answered_at().map(|t| t.0))
        .bind(ended_at)
        .bind(reason)
        .bind(ended_by)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

// ---- Participants -------------------------------------------------------------

/// One stretch of a person's time in a call.
#[derive(Debug, Clone)]
pub struct StintRow {
    pub id: CallParticipantId,
    pub call_id: CallId,
    pub user_id: UserId,
    pub joined_at: Timestamp,
    pub presence: Presence,
}

const STINT_COLUMNS: &str = "id, call_id, user_id, joined_at, muted, hand_raised, left_at, left_how, removed_by";

fn map_stint(r: &AnyRow) -> std::result::Result<StintRow, sqlx::Error> {
    let presence = Presence::from_columns(
        r.try_get("left_at")?,
        r.try_get::<Option<DepartureKind>, _>("left_how")?,
        r.try_get::<Option<UserId>, _>("removed_by")?,
        flag(r.try_get("muted")?),
        flag(r.try_get("hand_raised")?),
    )
    .map_err(damaged)?;
    Ok(StintRow {
        id: r.try_get("id")?,
        call_id: r.try_get("call_id")?,
        user_id: r.try_get("user_id")?,
        joined_at: Timestamp(r.try_get("joined_at")?),
        presence,
    })
}

/// Every stretch of every person in a call, in the order they joined.
pub async fn stints(conn: &mut Conn, call_id: CallId) -> Result<Vec<StintRow>> {
    let rows = sqlx::query(&format!(
        "SELECT {STINT_COLUMNS} FROM call_participants WHERE call_id = $1 ORDER BY joined_at, id"
    ))
    .bind(call_id)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .iter()
        .map(map_stint)
        .collect::<std::result::Result<_, sqlx::Error>>()?)
}

/// The stretches of several calls at once (a thread's history).
pub async fn stints_of_calls(conn: &mut Conn, calls: &[CallId]) -> Result<Vec<StintRow>> {
    if calls.is_empty() {
        return Ok(Vec::new());
    }
    let list = crate::profiles::placeholders(1, calls.len());
    let sql = format!("SELECT {STINT_COLUMNS} FROM call_participants WHERE call_id IN ({list}) ORDER BY joined_at, id");
    let mut q = sqlx::query(&sql);
    for c in calls {
        q = q.bind(c);
    }
    let rows = q.fetch_all(conn).await?;
    Ok(rows
        .iter()
        .map(map_stint)
        .collect::<std::result::Result<_, sqlx::Error>>()?)
}

/// A person joins (a new stretch, microphone on, hand down, seen now).
/// Being in the call already is [`crate::StoreError::Conflict`].
pub async fn insert_stint(conn: &mut Conn, call_id: CallId, user_id: UserId, now: Timestamp) -> Result<()> {
    sqlx::query(
        "INSERT INTO call_participants (id, call_id, user_id, joined_at, last_seen_at) VALUES ($1, $2, $3, $4, $4)",
    )
    .bind(CallParticipantId::new())
    .bind(call_id)
    .bind(user_id)
    .bind(now.0)
    .execute(conn)
    .await
    .map_err(conflict)?;
    Ok(())
}

/// Ends a person's present stretch; false when they were not in the call.
pub async fn end_stint(
    conn: &mut Conn,
    call_id: CallId,
    user_id: UserId,
    how: Departure,
    now: Timestamp,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE call_participants SET left_at = $1, left_how = $2, removed_by = $3, hand_raised = 0 \
         WHERE call_id = $4 AND user_id = $5 AND left_at IS NULL",
    )
    .bind(now.0)
    .bind(how.kind())
    .bind(how.removed_by())
    .bind(call_id)
    .bind(user_id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Ends every present stretch: the call was ended for everyone.
pub async fn end_all_stints(conn: &mut Conn, call_id: CallId, now: Timestamp) -> Result<()> {
    sqlx::query(
        "UPDATE call_participants SET left_at = $1, left_how = $2, hand_raised = 0 \
         WHERE call_id = $3 AND left_at IS NULL",
    )
    .bind(now.0)
    .bind(DepartureKind::CallEnded)
    .bind(call_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Mutes or unmutes a person in the call; false when they are not in it.
pub async fn set_muted(conn: &mut Conn, call_id: CallId, user_id: UserId, muted: bool) -> Result<bool> {
    let done =
        sqlx::query("UPDATE call_participants SET muted = $1 WHERE call_id = $2 AND user_id = $3 AND left_at IS NULL")
            .bind(i64::from(muted))
            .bind(call_id)
            .bind(user_id)
            .execute(conn)
            .await?;
    Ok(done.rows_affected() > 0)
}

/// Raises or lowers a person's hand; false when they are not in the call.
pub async fn set_hand(conn: &mut Conn, call_id: CallId, user_id: UserId, raised: bool) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE call_participants SET hand_raised = $1 WHERE call_id = $2 AND user_id = $3 AND left_at IS NULL",
    )
    .bind(i64::from(raised))
    .bind(call_id)
    .bind(user_id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

// ---- Ringing and presence (migration 0018) ----------------------------------------

/// A participant's client says it is still there; false when they are not
/// in the call.
pub async fn touch_stint(conn: &mut Conn, call_id: CallId, user_id: UserId, now: Timestamp) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE call_participants SET last_seen_at = $1 WHERE call_id = $2 AND user_id = $3 AND left_at IS NULL",
    )
    .bind(now.0)
    .bind(call_id)
    .bind(user_id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Calls going on that still ring (nobody but the starter joined) and
/// were started before `cutoff`, oldest first.
pub async fn ringing_before(conn: &mut Conn, cutoff: Timestamp, limit: i64) -> Result<Vec<CallId>> {
    let rows = sqlx::query(
        "SELECT id FROM calls WHERE ended_at IS NULL AND answered_at IS NULL AND started_at <= $1 \
         ORDER BY started_at LIMIT $2",
    )
    .bind(cutoff.0)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .iter()
        .map(|r| r.try_get("id"))
        .collect::<std::result::Result<_, sqlx::Error>>()?)
}

/// People in calls going on whose client was last seen before `cutoff`
/// (vanished without leaving), as (call, person), oldest first.
pub async fn unseen_before(conn: &mut Conn, cutoff: Timestamp, limit: i64) -> Result<Vec<(CallId, UserId)>> {
    let rows = sqlx::query(
        "SELECT p.call_id, p.user_id FROM call_participants p JOIN calls c ON c.id = p.call_id \
         WHERE p.left_at IS NULL AND p.last_seen_at <= $1 AND c.ended_at IS NULL \
         ORDER BY p.last_seen_at LIMIT $2",
    )
    .bind(cutoff.0)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("call_id")?, r.try_get("user_id")?)))
        .collect::<std::result::Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

/// Whether the person's present stretch was last seen before `cutoff`
/// (asked again under the call's hold: a heartbeat may have come since).
pub async fn unseen_since(conn: &mut Conn, call_id: CallId, user_id: UserId, cutoff: Timestamp) -> Result<bool> {
    let row = sqlx::query(
        "SELECT 1 AS one FROM call_participants \
         WHERE call_id = $1 AND user_id = $2 AND left_at IS NULL AND last_seen_at <= $3",
    )
    .bind(call_id)
    .bind(user_id)
    .bind(cutoff.0)
    .fetch_optional(conn)
    .await?;
    Ok(row.is_some())
}

/// Records that a person declined a call; false when they had already.
pub async fn insert_decline(conn: &mut Conn, call_id: CallId, user_id: UserId, now: Timestamp) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO call_declines (call_id, user_id, declined_at) VALUES ($1, $2, $3) \
         ON CONFLICT (call_id, user_id) DO NOTHING",
    )
    .bind(call_id)
    .bind(user_id)
    .bind(now.0)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// One person's declining of a call.
#[derive(Debug, Clone)]
pub struct DeclineRow {
    pub call_id: CallId,
    pub user_id: UserId,
    pub declined_at: Timestamp,
}

/// Who declined these calls, in the order they did.
pub async fn declines_of_calls(conn: &mut Conn, calls: &[CallId]) -> Result<Vec<DeclineRow>> {
    if calls.is_empty() {
        return Ok(Vec::new());
    }
    let list = crate::profiles::placeholders(1, calls.len());
    let sql = format!(
        "SELECT call_id, user_id, declined_at FROM call_declines WHERE call_id IN ({list}) ORDER BY declined_at, user_id"
    );
    let mut q = sqlx::query(&sql);
    for c in calls {
        q = q.bind(c);
    }
    let rows = q.fetch_all(conn).await?;
    Ok(rows
        .iter()
        .map(|r| {
            Ok(DeclineRow {
                call_id: r.try_get("call_id")?,
                user_id: r.try_get("user_id")?,
                declined_at: Timestamp(r.try_get("declined_at")?),
            })
        })
        .collect::<std::result::Result<_, sqlx::Error>>()?)
}

// ---- The node whose forwarding unit holds a call (migration 0023) -----------------

/// Who holds a call's forwarding: a node's id and until when its lease
/// runs (ms), as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitHolder {
    pub node: String,
    pub lease_until: i64,
}

/// The node that holds the call's forwarding, if one ever claimed it
/// (read under the caller's hold of the call to decide a claim).
pub async fn unit_holder(conn: &mut Conn, call_id: CallId) -> Result<Option<UnitHolder>> {
    let row = sqlx::query("SELECT unit_node, unit_lease_until FROM calls WHERE id = $1")
        .bind(call_id)
        .fetch_optional(conn)
        .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let node: Option<String> = row.try_get("unit_node")?;
    let lease: Option<i64> = row.try_get("unit_lease_until")?;
    Ok(node.map(|node| UnitHolder {
        node,
        lease_until: lease.unwrap_or(0),
    }))
}

/// Records `node` as the call's holder until `lease_until` (ms).
pub async fn set_unit_holder(conn: &mut Conn, call_id: CallId, node: &str, lease_until: i64) -> Result<()> {
    sqlx::query("UPDATE calls SET unit_node = $1, unit_lease_until = $2 WHERE id = $3")
        .bind(node)
        .bind(lease_until)
        .bind(call_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Renews the leases of the calls going on that `node` holds; how many.
pub async fn renew_unit_leases(conn: &mut Conn, node: &str, lease_until: i64) -> Result<u64> {
    let done = sqlx::query("UPDATE calls SET unit_lease_until = $1 WHERE unit_node = $2 AND ended_at IS NULL")
        .bind(lease_until)
        .bind(node)
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}

/// Lets go of the calls going on that `node` holds (a node stopping):
/// the next signal of each may be taken by another node at once. The
/// calls let go.
pub async fn release_unit_calls(conn: &mut Conn, node: &str) -> Result<Vec<CallId>> {
    let rows = sqlx::query("SELECT id FROM calls WHERE unit_node = $1 AND ended_at IS NULL")
        .bind(node)
        .fetch_all(&mut *conn)
        .await?;
    let ids = rows
        .iter()
        .map(|r| r.try_get("id"))
        .collect::<std::result::Result<Vec<CallId>, sqlx::Error>>()?;
    sqlx::query("UPDATE calls SET unit_node = NULL, unit_lease_until = NULL WHERE unit_node = $1")
        .bind(node)
        .execute(conn)
        .await?;
    Ok(ids)
}
