//! The person acting on a service: the signed-in user behind a principal,
//! the language and time zone they read in, and the per-person rate limit.
//! A leaf every use case may call, so that none imports another use case
//! (the network, accounts, time zones) for these.

use crate::{AppError, AppResult, Ctx};
use cercle_domain::local_time::Zone;
use cercle_domain::policy::{Principal, UserPrincipal};
use cercle_domain::{Language, UserId};
use cercle_store::users::UserRow;
use cercle_store::{rate_limits, users, Conn};

/// The signed-in person, circle-only users included: for what is one's own
/// whatever one's place (one's photo, one's name in the header). For a
/// service account, the member it acts through (marked with the account):
/// the JSON API lets a service principal reach only the operations its
/// scopes open (`cercle_web::extract::ServiceOrUser`).
pub(crate) fn person(principal: &Principal) -> AppResult<&UserPrincipal> {
    match principal {
        Principal::User(u) => Ok(u),
        Principal::Service(s) => Ok(&s.acting),
        _ => Err(AppError::NotAuthenticated),
    }
}

/// Counts one action of a person against a limit per window; refuses beyond.
/// `who` is a person's id, or a network address for limits per address, so
/// it stays text.
pub(crate) async fn limit(ctx: &Ctx, what: &str, who: &str, max: i64, window_secs: i64) -> AppResult<()> {
    let mut tx = ctx.store.begin().await?;
    let n = rate_limits::hit(&mut tx, &format!("{what}:{who}"), window_secs, ctx.clock.now()).await?;
    tx.commit().await?;
    if n > max {
        return Err(AppError::RateLimited);
    }
    Ok(())
}

/// A user row's id, typed; an error (never a made-up id) if the stored one
/// is malformed. (`UserRow::id` is still text.)
pub(crate) fn user_id_of(u: &UserRow) -> AppResult<UserId> {
    Ok(u.id.parse::<UserId>()?)
}

pub(crate) fn language_of(u: &UserRow) -> Language {
    Language::parse(&u.language).unwrap_or_default()
}

/// The zone a person reads dates in.
pub async fn zone_of(conn: &mut Conn, user_id: UserId) -> AppResult<Zone> {
    let (own, org) = users::time_zones(conn, &user_id.to_string()).await?;
    Ok(Zone::first_of(&[own.as_deref(), org.as_deref()]))
}
