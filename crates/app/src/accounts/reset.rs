//! Forgotten password: a single-use, expiring link by email. The request
//! answers the same whether or not the address has an account.

use super::{event, parse_email};
use crate::acting::language_of;
use crate::outbox::{queue_email, Outgoing};
use crate::secrets::{hash_token, random_token};
use crate::{audit, AppError, AppResult, Client, Ctx};
use cercle_domain::audit::{Actor, AuditAction};
use cercle_domain::session::limits;
use cercle_domain::{password, Timestamp};
use cercle_store::users::{Field, Value};
use cercle_store::{codes, rate_limits, sessions, users};

/// Sends a reset link if the address has an account. Always answers Ok
/// (bad syntax aside), so the answer reveals nothing.
pub async fn request(ctx: &Ctx, client: &Client, email: &str) -> AppResult<()> {
    super::check_address(ctx, "reset", client).await?;
    let email = parse_email(email)?;
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    // Every request counts against the address, found or not, so probing costs the same.
    super::count_address_failure(ctx, &mut tx, "reset", client).await?;
    let user = users::by_email(&mut tx, email.as_str())
        .await?
        .filter(|u| u.deleted_at.is_none() && u.email_verified_at.is_some());
    if let Some(u) = user {
        let per_account = rate_limits::hit(
            &mut tx,
            &format!("reset:user:{}", u.id),
            limits::CODE_SEND_WINDOW_SECS,
            now,
        )
        .await?;
        if per_account <= limits::CODE_SENDS_PER_WINDOW {
            send_link(ctx, &mut tx, &u, limits::RESET_TTL_SECS, false).await?;
            let ev = event(
                Actor::Anonymous,
                "auth.reset_requested",
                AuditAction::Create,
                "user",
                client,
            )
            .target(&u.id);
            audit::record(&mut tx, ev, now).await?;
        }
    }
    ctx.commit_and_send(tx).await?;
    Ok(())
}

/// Makes a reset link valid `ttl_secs` and queues it by email. `welcome`
/// words it as a first password (bootstrap of an administrator).
pub(crate) async fn send_link(
    ctx: &Ctx,
    conn: &mut cercle_store::Conn,
    u: &users::UserRow,
    ttl_secs: i64,
    welcome: bool,
) -> AppResult<String> {
    let now = ctx.clock.now();
    let token = random_token();
    codes::insert_reset(
        conn,
        &hash_token(&token),
        crate::acting::user_id_of(u)?,
        now.plus_secs(ttl_secs),
        now,
    )
    .await?;
    let link = format!("{}/reset-password/{token}", ctx.config.public_url);
    let msg = if welcome {
        Outgoing::Welcome {
            name: u.name.clone(),
            link: link.clone(),
        }
    } else {
        Outgoing::ResetLink {
            name: u.name.clone(),
            link: link.clone(),
        }
    };
    queue_email(conn, &u.email, language_of(u), &msg, now).await?;
    Ok(link)
}

/// Whether a reset link can still be used (for showing the form).
pub async fn check(ctx: &Ctx, token: &str) -> AppResult<()> {
    let mut conn = ctx.store.reader().await?;
    match codes::reset_by_hash(&mut conn, &hash_token(token)).await? {
        Some((_, expires, false)) if expires > ctx.clock.now().0 => Ok(()),
        _ => Err(AppError::LinkInvalid),
    }
}

/// Sets a new password from a reset link. The link works once; every
/// session ends; a lock from wrong passwords is lifted.
pub async fn complete(ctx: &Ctx, client: &Client, token: &str, new_password: &str) -> AppResult<()> {
    super::check_address(ctx, "reset", client).await?;
    let now = ctx.clock.now();
    let hash = hash_token(token);
    let (user_id, expires) = {
        let mut conn = ctx.store.reader().await?;
        match codes::reset_by_hash(&mut conn, &hash).await? {
            Some((uid, expires, false)) => (uid, expires),
            _ => return Err(AppError::LinkInvalid),
        }
    };
    if Timestamp(expires) <= now {
        return Err(AppError::LinkInvalid);
    }
    let u = {
        let mut conn = ctx.store.reader().await?;
        users::get(&mut conn, &user_id.to_string()).await?
    };
    password::check_new(new_password, u.email.split('@').next())?;
    let password_hash = ctx.hasher.hash(new_password).await?;
    let mut tx = ctx.store.begin().await?;
    if !codes::use_reset(&mut tx, &hash, now).await? {
        return Err(AppError::LinkInvalid);
    }
    codes::retire_resets(&mut tx, user_id, now).await?;
    users::set(
        &mut tx,
        &u.id,
        &[
            (Field::PasswordHash, password_hash.into()),
            (Field::FailedLogins, 0_i64.into()),
            (Field::LockedUntil, Value::Int(None)),
            // Only someone who reads this mailbox got here: that proves the address.
            (
                Field::EmailVerifiedAt,
                Value::Int(Some(u.email_verified_at.unwrap_or(now.0))),
            ),
        ],
        now,
    )
    .await?;
    sessions::delete_for_user(&mut tx, user_id, None).await?;
    crate::search_index::person(&mut tx, &u.id, now).await?;
    let actor = Actor::User(user_id);
    audit::record(
        &mut tx,
        event(actor, "auth.password_reset", AuditAction::Update, "user", client).target(&u.id),
        now,
    )
    .await?;
    queue_email(
        &mut tx,
        &u.email,
        language_of(&u),
        &crate::outbox::Outgoing::SecurityNotice {
            name: u.name.clone(),
            what: "password-changed".into(),
        },
        now,
    )
    .await?;
    ctx.commit_and_send(tx).await?;
    crate::threads::hub::access_changed(ctx, &[&u.id]).await;
    Ok(())
}
