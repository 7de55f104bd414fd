//! Availability: weekly schedule slots and unavailability periods.

use crate::profiles::placeholders;
use crate::{Conn, Result};
use cercle_domain::availability::Slot;
use cercle_domain::{PeriodId, Timestamp, UserId};
use sqlx::any::AnyRow;
use sqlx::Row;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeriodRow {
    pub id: PeriodId,
    pub user_id: UserId,
    pub starts_at: i64,
    pub ends_at: i64,
    pub message: Option<String>,
    pub created_at: i64,
}

fn map_period(r: &AnyRow) -> std::result::Result<PeriodRow, sqlx::Error> {
    Ok(PeriodRow {
        id: r.try_get("id")?,
        user_id: r.try_get("user_id")?,
        starts_at: r.try_get("starts_at")?,
        ends_at: r.try_get("ends_at")?,
        message: r.try_get("message")?,
        created_at: r.try_get("created_at")?,
    })
}

const PERIOD_COLUMNS: &str = "id, user_id, starts_at, ends_at, message, created_at";

/// A person's schedule, by day then start.
pub async fn slots(conn: &mut Conn, user_id: UserId) -> Result<Vec<Slot>> {
    let rows = sqlx::query(
        "SELECT day, start_minute, end_minute FROM availability_slots WHERE user_id = $1 \
         ORDER BY day, start_minute",
    )
    .bind(user_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            let day: i64 = r.try_get("day")?;
            let start: i64 = r.try_get("start_minute")?;
            let end: i64 = r.try_get("end_minute")?;
            Ok(Slot {
                day: day.clamp(0, 6) as u8,
                start: start.clamp(0, 1440) as u16,
                end: end.clamp(0, 1440) as u16,
            })
        })
        .collect()
}

/// Replaces a person's schedule with `slots` (already checked).
pub async fn replace_slots(conn: &mut Conn, user_id: UserId, slots: &[Slot]) -> Result<()> {
    sqlx::query("DELETE FROM availability_slots WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    for s in slots {
        sqlx::query("INSERT INTO availability_slots (user_id, day, start_minute, end_minute) VALUES ($1, $2, $3, $4)")
            .bind(user_id)
            .bind(i64::from(s.day))
            .bind(i64::from(s.start))
            .bind(i64::from(s.end))
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// A person's periods that end after `after`, by start (at most `limit`).
pub async fn periods_ending_after(
    conn: &mut Conn,
    user_id: UserId,
    after: Timestamp,
    limit: i64,
) -> Result<Vec<PeriodRow>> {
    let rows = sqlx::query(&format!(
        "SELECT {PERIOD_COLUMNS} FROM availability_periods WHERE user_id = $1 AND ends_at > $2 \
         ORDER BY starts_at, id LIMIT $3"
    ))
    .bind(user_id)
    .bind(after.0)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    Ok(rows.iter().map(map_period).collect::<std::result::Result<_, _>>()?)
}

/// The periods of several people that are not over at `at` (for "absent
/// until" on lists), by person then start.
pub async fn current_periods_of(conn: &mut Conn, user_ids: &[UserId], at: Timestamp) -> Result<Vec<PeriodRow>> {
    if user_ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = placeholders(2, user_ids.len());
    let sql = format!(
        "SELECT {PERIOD_COLUMNS} FROM availability_periods WHERE ends_at > $1 AND user_id IN ({list}) \
         ORDER BY user_id, starts_at, id"
    );
    let mut q = sqlx::query(&sql).bind(at.0);
    for id in user_ids {
        q = q.bind(id);
    }
    let rows = q.fetch_all(conn).await?;
    Ok(rows.iter().map(map_period).collect::<std::result::Result<_, _>>()?)
}

pub async fn insert_period(conn: &mut Conn, p: &PeriodRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO availability_periods (id, user_id, starts_at, ends_at, message, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(p.id)
    .bind(p.user_id)
    .bind(p.starts_at)
    .bind(p.ends_at)
    .bind(&p.message)
    .bind(p.created_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// Deletes one of the person's periods; false if they have none with that id.
pub async fn delete_period(conn: &mut Conn, user_id: UserId, id: PeriodId) -> Result<bool> {
    let r = sqlx::query("DELETE FROM availability_periods WHERE id = $1 AND user_id = $2")
        .bind(id)
        .bind(user_id)
        .execute(conn)
        .await?;
    Ok(r.rows_affected() > 0)
}
