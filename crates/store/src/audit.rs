//! Appending to and reading the hash-chained audit log.

use crate::{Conn, Result, StoreError};
use cercle_domain::audit::{ActorKind, AuditRecord, NewAuditEvent};
use cercle_domain::{AuditId, OrgId, PatientFileId, Timestamp, UnitId, UserId};
use sqlx::any::AnyRow;
use sqlx::Row;

/// Appends one event. The first statement updates the chain head, which
/// takes its row lock on PostgreSQL (the write lock on SQLite), so appends
/// are serialized and every record links to the one before it.
pub async fn append(conn: &mut Conn, id: AuditId, ev: &NewAuditEvent, now: Timestamp) -> Result<AuditRecord> {
    let mut records = append_many(conn, &[(id, ev)], now).await?;
    records.pop().ok_or(StoreError::Db(sqlx::Error::RowNotFound))
}

/// Appends events, in the order given, in a few statements whatever their
/// number (a batch of writes): the head moves once, the chain is computed
/// here, the records go in multi-row inserts.
pub async fn append_many(
    conn: &mut Conn,
    events: &[(AuditId, &NewAuditEvent)],
    now: Timestamp,
) -> Result<Vec<AuditRecord>> {
    if events.is_empty() {
        return Ok(Vec::new());
    }
    let n = events.len() as i64;
    // The head moves and answers with the previous record's time in one
    // statement (each statement of a write is a round trip to the writer).
    // Time never goes back along the chain (a clock stepping back, or two
    // nodes a little apart, would otherwise break the order that searches
    // by date rely on).
    let head = sqlx::query(
        "UPDATE audit_head SET seq = seq + $1 WHERE id = 1 RETURNING seq, hash, \
           (SELECT e.at FROM audit_events e WHERE e.seq = audit_head.seq - $2) AS previous_at",
    )
    .bind(n)
    .bind(n)
    .fetch_one(&mut *conn)
    .await?;
    let last_seq: i64 = head.try_get("seq")?;
    let previous_at: Option<i64> = head.try_get("previous_at")?;
    let at = previous_at.map_or(now.0, |p| p.max(now.0));
    let mut prev_hash: String = head.try_get("hash")?;
    let mut records = Vec::with_capacity(events.len());
    for (i, (id, ev)) in events.iter().enumerate() {
        let mut record = AuditRecord {
            seq: last_seq - n + 1 + i as i64,
            id: id.to_string(),
            at,
            org_id: ev.org_id.clone(),
            unit_id: ev.unit_id.clone(),
            actor_kind: ev.actor.kind(),
            actor_id: ev.actor.id(),
            event: ev.event.to_string(),
            action: ev.action.as_str().to_string(),
            target_type: ev.target_type.to_string(),
            target_id: ev.target_id.clone(),
            scopes: ev.scopes_text(),
            ip: ev.ip.clone(),
            prev_hash: std::mem::take(&mut prev_hash),
            hash: String::new(),
        };
        record.hash = record.compute_hash();
        prev_hash = record.hash.clone();
        records.push(record);
    }
    for chunk in records.chunks(100) {
        let values: Vec<String> = (0..chunk.len())
            .map(|i| format!("({})", crate::profiles::placeholders(i * 16 + 1, 16)))
            .collect();
        let sql = format!(
            "INSERT INTO audit_events (seq, id, at, org_id, unit_id, actor_kind, actor_id, event, action, target_type, target_id, scopes, ip, prev_hash, hash, patient_id) VALUES {}",
            values.join(", ")
        );
        let sql = crate::params::positional(&*conn, &sql);
        let mut q = sqlx::query(&sql);
        for record in chunk {
            q = q
                .bind(record.seq)
                .bind(&record.id)
                .bind(record.at)
                .bind(&record.org_id)
                .bind(&record.unit_id)
                .bind(record.actor_kind.as_str())
                .bind(&record.actor_id)
                .bind(&record.event)
                .bind(&record.action)
                .bind(&record.target_type)
                .bind(&record.target_id)
                .bind(&record.scopes)
                .bind(&record.ip)
                .bind(&record.prev_hash)
                .bind(&record.hash)
                .bind(cercle_domain::audit::patient_of(&record.scopes));
        }
        q.execute(&mut *conn).await?;
    }
    sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
        .bind(&prev_hash)
        .execute(conn)
        .await?;
    Ok(records)
}

fn map(r: &AnyRow) -> std::result::Result<AuditRecord, sqlx::Error> {
    Ok(AuditRecord {
        seq: r.try_get("seq")?,
        id: r.try_get("id")?,
        at: r.try_get("at")?,
        org_id: r.try_get("org_id")?,
        unit_id: r.try_get("unit_id")?,
        actor_kind: {
            let name: String = r.try_get("actor_kind")?;
            // A name this version does not know is a broken row, not a guess.
            ActorKind::parse(&name).ok_or_else(|| sqlx::Error::ColumnDecode {
                index: "actor_kind".into(),
                source: format!("unknown actor kind {name:?}").into(),
            })?
        },
        actor_id: r.try_get("actor_id")?,
        event: r.try_get("event")?,
        action: r.try_get("action")?,
        target_type: r.try_get("target_type")?,
        target_id: r.try_get("target_id")?,
        scopes: r.try_get("scopes")?,
        ip: r.try_get("ip")?,
        prev_hash: r.try_get("prev_hash")?,
        hash: r.try_get("hash")?,
    })
}

const COLUMNS: &str =
    "seq, id, at, org_id, unit_id, actor_kind, actor_id, event, action, target_type, target_id, scopes, ip, prev_hash, hash";

/// Records after `after_seq`, in order, at most `limit`.
pub async fn page(conn: &mut Conn, after_seq: i64, limit: i64) -> Result<Vec<AuditRecord>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT $2"
    ))
    .bind(after_seq)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    Ok(rows.iter().map(map).collect::<std::result::Result<_, _>>()?)
}

/// The newest records, optionally of one actor, newest first.
pub async fn recent(conn: &mut Conn, actor_id: Option<UserId>, limit: i64) -> Result<Vec<AuditRecord>> {
    let rows = match actor_id {
        Some(a) => {
            sqlx::query(&format!(
                "SELECT {COLUMNS} FROM audit_events WHERE actor_id = $1 ORDER BY seq DESC LIMIT $2"
            ))
            .bind(a)
            .bind(limit)
            .fetch_all(conn)
            .await?
        }
        None => {
            sqlx::query(&format!(
                "SELECT {COLUMNS} FROM audit_events ORDER BY seq DESC LIMIT $1"
            ))
            .bind(limit)
            .fetch_all(conn)
            .await?
        }
    };
    Ok(rows.iter().map(map).collect::<std::result::Result<_, _>>()?)
}

/// The chain head: `(seq, hash)` of the last record.
pub async fn head(conn: &mut Conn) -> Result<(i64, String)> {
    let r = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
        .fetch_one(conn)
        .await?;
    Ok((r.try_get("seq")?, r.try_get("hash")?))
}

/// Filters of an audit search inside one organization.
#[derive(Debug, Clone)]
pub struct AuditQuery {
    pub org_id: OrgId,
    /// Only events of these units (None: the whole organization).
    pub unit_ids: Option<Vec<UnitId>>,
    pub actor_id: Option<UserId>,
    /// Events whose scopes name this patient file.
    pub patient_id: Option<PatientFileId>,
    pub target_type: Option<String>,
    pub action: Option<String>,
    pub from: Option<i64>,
    pub to: Option<i64>,
    /// Page: events older than this sequence number.
    pub before_seq: Option<i64>,
    /// Leaves out what this person only looked at (their `READ` and `LIST`
    /// events): an auditor's own page views.
    pub hide_views_by: Option<UserId>,
    pub limit: i64,
}

/// Newest first. Every filter is a bound parameter.
pub async fn search(conn: &mut Conn, q: &AuditQuery) -> Result<Vec<AuditRecord>> {
    let mut sql = format!("SELECT {COLUMNS} FROM audit_events WHERE org_id = $1");
    let mut n = 1;
    let mut next = |sql: &mut String, clause: &str| {
        n += 1;
        sql.push_str(&clause.replace('?', &format!("${n}")));
        n
    };
    // Values are bound in placeholder order.
    let mut binds: Vec<(usize, Bind)> = Vec::new();
    if let Some(units) = &q.unit_ids {
        if units.is_empty() {
            return Ok(Vec::new());
        }
        sql.push_str(" AND unit_id IN (");
        for (i, u) in units.iter().enumerate() {
            if i > 0 {
                sql.push_str(", ");
            }
            let pos = next(&mut sql, "?");
            binds.push((pos, Bind::Text(u.to_string())));
        }
        sql.push(')');
    }
    if let Some(a) = q.actor_id {
        let pos = next(&mut sql, " AND actor_id = ?");
        binds.push((pos, Bind::Text(a.to_string())));
    }
    if let Some(p) = q.patient_id {
        let pos = next(&mut sql, " AND patient_id = ?");
        binds.push((pos, Bind::Text(p.to_string())));
    }
    if let Some(t) = &q.target_type {
        let pos = next(&mut sql, " AND target_type = ?");
        binds.push((pos, Bind::Text(t.clone())));
    }
    if let Some(a) = &q.action {
        let pos = next(&mut sql, " AND action = ?");
        binds.push((pos, Bind::Text(a.clone())));
    }
    // `at` never decreases along `seq` (see `append`), so a date range is
    // also a `seq` range, found through the `at` index: the search then
    // walks only that stretch of the log instead of everything after it.
    if let Some(f) = q.from {
        let pos = next(&mut sql, " AND at >= ?");
        binds.push((pos, Bind::Int(f)));
        let pos = next(
            &mut sql,
            " AND seq >= COALESCE((SELECT seq FROM audit_events WHERE at >= ? ORDER BY at, seq LIMIT 1), 9223372036854775807)",
        );
        binds.push((pos, Bind::Int(f)));
    }
    if let Some(t) = q.to {
        let pos = next(&mut sql, " AND at < ?");
        binds.push((pos, Bind::Int(t)));
        let pos = next(
            &mut sql,
            " AND seq <= COALESCE((SELECT seq FROM audit_events WHERE at < ? ORDER BY at DESC, seq DESC LIMIT 1), -1)",
        );
        binds.push((pos, Bind::Int(t)));
    }
    if let Some(viewer) = q.hide_views_by {
        let pos = next(
            &mut sql,
            " AND (actor_id IS NULL OR actor_id <> ? OR action NOT IN ('READ', 'LIST'))",
        );
        binds.push((pos, Bind::Text(viewer.to_string())));
    }
    if let Some(b) = q.before_seq {
        let pos = next(&mut sql, " AND seq < ?");
        binds.push((pos, Bind::Int(b)));
    }
    let pos = next(&mut sql, " ORDER BY seq DESC LIMIT ?");
    binds.push((pos, Bind::Int(q.limit)));
    let mut query = sqlx::query(&sql).bind(q.org_id);
    for (_, b) in binds {
        query = match b {
            Bind::Text(t) => query.bind(t),
            Bind::Int(i) => query.bind(i),
        };
    }
    let rows = query.fetch_all(conn).await?;
    Ok(rows.iter().map(map).collect::<std::result::Result<_, _>>()?)
}

enum Bind {
    Text(String),
    Int(i64),
}
