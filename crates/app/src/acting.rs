//! The person acting on a service: the signed-in user behind a principal,
//! the language and time zone they read in, and the per-person rate limit.
//! A leaf every use case may call, so that none imports another use case
//! (the network, accounts, time zones) for these.

use crate::{AppError, AppResult, Ctx};
use cercle_domain::local_time::Zone;
use cercle_domain::policy::{Principal, UserPrincipal};
use cercle_domain::Language;
use cercle_store::users::UserRow;
use cercle_store::{rate_limits, users, Conn};

/// The signed-in person, circle-only users included: for what is one's own
/// whatever one's place (one's photo, one's name in the header).
pub(crate) fn person(principal: &Principal) -> AppResult<&UserPrincipal> {
    match principal {
        Principal::User(u) => Ok(u),
        _ => Err(AppError::NotAuthenticated),
    }
}

/// Counts one action of a person against a limit per window; refuses beyond.
pub(crate) async fn limit(ctx: &Ctx, what: &str, user_id: &str, max: i64, window_secs: i64) -> AppResult<()> {
    let mut tx = ctx.store.begin().await?;
    let n = rate_limits::hit(&mut tx, &format!("{what}:{user_id}"), window_secs, ctx.clock.now()).await?;
    tx.commit().await?;
    if n > max {
        return Err(AppError::RateLimited);
    }
    Ok(())
}

pub(crate) fn language_of(u: &UserRow) -> Language {
    Language::parse(&u.language).unwrap_or_default()
}

/// The zone a person reads dates in.
pub async fn zone_of(conn: &mut Conn, user_id: &str) -> AppResult<Zone> {
    let (own, org) = users::time_zones(conn, user_id).await?;
    Ok(Zone::first_of(&[own.as_deref(), org.as_deref()]))
}
