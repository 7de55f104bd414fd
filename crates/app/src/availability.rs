//! Availability (SPEC 9): one's weekly schedule of working hours and one's
//! unavailability periods, and the "absent until …" that collaborators see.
//! The rules are in [`cercle_domain::availability`]; time comes from the
//! context's clock.

use crate::acting::{limit, person};
use crate::{audit, AppError, AppResult, Client, Ctx};
use cercle_domain::audit::{Actor, AuditAction, NewAuditEvent};
use cercle_domain::availability::{self as rules, Period, Schedule, Slot};
use cercle_domain::policy::Principal;
use cercle_domain::{PeriodId, Timestamp, UserId};
use cercle_store::availability::{self as store, PeriodRow};
use cercle_store::Conn;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Changes to one's availability per hour.
pub const CHANGES_PER_HOUR: i64 = 120;
/// Periods read when checking a new one against the others.
const PERIODS_READ: i64 = 1000;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ScheduleView {
    pub slots: Vec<Slot>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct ScheduleInput {
    #[serde(default)]
    pub slots: Vec<Slot>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PeriodView {
    pub id: PeriodId,
    pub starts_at: i64,
    pub ends_at: i64,
    pub message: Option<String>,
    pub created_at: i64,
    /// Running now.
    pub current: bool,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct PeriodInput {
    /// Unix milliseconds.
    pub starts_at: i64,
    /// The return, Unix milliseconds.
    pub ends_at: i64,
    #[serde(default)]
    pub message: Option<String>,
}

/// What collaborators see while someone is away: when they are back, and
/// their message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Absence {
    pub until: i64,
    pub message: Option<String>,
}

fn to_period(r: &PeriodRow) -> Period {
    Period {
        starts_at: Timestamp(r.starts_at),
        ends_at: Timestamp(r.ends_at),
        message: r.message.clone(),
    }
}

/// A person's weekly schedule, read in their time zone, and the periods not
/// over at `now` (at most 50), for the notification rules. A stored schedule
/// that no longer parses counts as none (always available) rather than
/// silencing them.
pub(crate) async fn rules_of(conn: &mut Conn, user_id: UserId, now: Timestamp) -> AppResult<(Schedule, Vec<Period>)> {
    let zone = crate::acting::zone_of(&mut *conn, user_id).await?;
    let schedule = Schedule::parse(&store::slots(&mut *conn, user_id).await?)
        .unwrap_or_default()
        .in_zone(zone);
    let periods = store::periods_ending_after(&mut *conn, user_id, now, 50)
        .await?
        .iter()
        .map(to_period)
        .collect();
    Ok((schedule, periods))
}

fn view(r: &PeriodRow, now: Timestamp) -> PeriodView {
    PeriodView {
        id: r.id,
        starts_at: r.starts_at,
        ends_at: r.ends_at,
        message: r.message.clone(),
        created_at: r.created_at,
        current: to_period(r).contains(now),
    }
}

fn event(user: UserId, name: &'static str, action: AuditAction, client: &Client) -> NewAuditEvent {
    NewAuditEvent::new(Actor::User(user), name, action, "availability")
        .target(user)
        .ip(client.ip.clone())
}

/// One's weekly schedule.
pub async fn schedule(ctx: &Ctx, principal: &Principal) -> AppResult<ScheduleView> {
    let me = person(principal)?;
    let mut conn = ctx.store.reader().await?;
    let slots = store::slots(&mut conn, me.user_id).await?;
    Ok(ScheduleView { slots })
}

/// Replaces one's weekly schedule (an empty one means "no schedule").
pub async fn set_schedule(
    ctx: &Ctx,
    client: &Client,
    principal: &Principal,
    input: &ScheduleInput,
) -> AppResult<ScheduleView> {
    let me = person(principal)?;
    let user_id = me.user_id.to_string();
    let schedule = Schedule::parse(&input.slots)?;
    limit(ctx, "availability", &user_id, CHANGES_PER_HOUR, 3600).await?;
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    store::replace_slots(&mut tx, me.user_id, schedule.slots()).await?;
    audit::record(
        &mut tx,
        event(me.user_id, "availability.schedule_updated", AuditAction::Update, client),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(ScheduleView {
        slots: schedule.slots().to_vec(),
    })
}

/// One's periods not over yet, by start.
pub async fn periods(ctx: &Ctx, principal: &Principal) -> AppResult<Vec<PeriodView>> {
    let me = person(principal)?;
    let now = ctx.clock.now();
    let mut conn = ctx.store.reader().await?;
    let rows = store::periods_ending_after(&mut conn, me.user_id, now, PERIODS_READ).await?;
    Ok(rows.iter().map(|r| view(r, now)).collect())
}

/// Adds an unavailability period: refused if inverted, over, overlapping
/// another of one's periods, or beyond [`rules::MAX_FUTURE_PERIODS`].
pub async fn add_period(
    ctx: &Ctx,
    client: &Client,
    principal: &Principal,
    input: &PeriodInput,
) -> AppResult<PeriodView> {
    let me = person(principal)?;
    let user_id = me.user_id.to_string();
    let now = ctx.clock.now();
    let period = Period::new(
        Timestamp(input.starts_at),
        Timestamp(input.ends_at),
        input.message.as_deref(),
        now,
    )?;
    limit(ctx, "availability", &user_id, CHANGES_PER_HOUR, 3600).await?;
    let mut tx = ctx.store.begin().await?;
    // Read in the write transaction: on SQLite the single writer serializes
    // two additions; the check sees every period that could overlap.
    let after = Timestamp(period.starts_at.0.min(now.0));
    let existing: Vec<Period> = store::periods_ending_after(&mut tx, me.user_id, after, PERIODS_READ)
        .await?
        .iter()
        .map(to_period)
        .collect();
    rules::check_new_period(&existing, &period, now)?;
    let row = PeriodRow {
        id: PeriodId::new(),
        user_id: me.user_id,
        starts_at: period.starts_at.0,
        ends_at: period.ends_at.0,
        message: period.message.clone(),
        created_at: now.0,
    };
    store::insert_period(&mut tx, &row).await?;
    audit::record(
        &mut tx,
        event(me.user_id, "availability.period_added", AuditAction::Create, client).scope("period", row.id),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(view(&row, now))
}

/// Removes one of one's periods ("not found" for anyone else's).
pub async fn remove_period(ctx: &Ctx, client: &Client, principal: &Principal, id: PeriodId) -> AppResult<()> {
    let me = person(principal)?;
    let user_id = me.user_id.to_string();
    limit(ctx, "availability", &user_id, CHANGES_PER_HOUR, 3600).await?;
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    if !store::delete_period(&mut tx, me.user_id, id).await? {
        return Err(AppError::NotFound);
    }
    audit::record(
        &mut tx,
        event(me.user_id, "availability.period_removed", AuditAction::Delete, client).scope("period", id),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Whether a person is away at `at`, and until when. For callers that
/// already decided the viewer may see the person.
pub async fn absence(conn: &mut Conn, user_id: UserId, at: Timestamp) -> AppResult<Option<Absence>> {
    Ok(absences(conn, &[user_id], at).await?.remove(&user_id))
}

/// [`absence`] for several people at once (lists, suggestions).
pub async fn absences(conn: &mut Conn, user_ids: &[UserId], at: Timestamp) -> AppResult<HashMap<UserId, Absence>> {
    let mut by_user: HashMap<UserId, Vec<Period>> = HashMap::new();
    for r in store::current_periods_of(conn, user_ids, at).await? {
        by_user.entry(r.user_id).or_default().push(to_period(&r));
    }
    Ok(by_user
        .into_iter()
        .filter_map(|(user, periods)| {
            rules::absent_until(&periods, at).map(|(until, message)| {
                (
                    user,
                    Absence {
                        until: until.0,
                        message,
                    },
                )
            })
        })
        .collect())
}
