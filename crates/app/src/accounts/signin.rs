//! Sign-in: password, then a one-time code on every sign-in (email, SMS or
//! authenticator app), or the recovery code when the second factor is lost.

use super::session::{SessionState, SessionView};
use super::signup::{code_hash, new_code, new_session};
use super::{destination, event, parse_email, Holder, NewDeviceToken, Started};
use crate::acting::{language_of, user_id_of};
use crate::outbox::{queue_email, queue_sms, Outgoing};
use crate::secrets::hash_token;
use crate::{audit, AppError, AppResult, Client, Ctx};
use cercle_domain::audit::{Actor, AuditAction};
use cercle_domain::codes::{OneTimeCode, RecoveryCode};
use cercle_domain::session::{account_locked_until, limits, CodePurpose, SecondFactor, SessionPurpose, SessionStage};
use cercle_domain::{totp, SessionId, Timestamp, UserId};
use cercle_store::users::{Field, UserRow, Value};
use cercle_store::{codes, devices, rate_limits, sessions, users, Conn};

/// The outcome of a right password.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
#[serde(tag = "next", rename_all = "snake_case")]
pub enum SignIn {
    /// A code is needed (sent by email/SMS, or read from the authenticator).
    Code(Started),
    /// This device already holds a session of the account: only the PIN is asked.
    Pin { session_id: String },
}

/// The account as the audit log's actor; an error (never a made-up id) if
/// its stored id is malformed.
fn actor(u: &UserRow) -> AppResult<Actor> {
    Ok(Actor::User(u.id.parse::<UserId>()?))
}

/// Sends the code for `factor`, in the caller's transaction.
async fn send_code(
    ctx: &Ctx,
    conn: &mut Conn,
    client: &Client,
    u: &UserRow,
    session_id: SessionId,
    factor: SecondFactor,
) -> AppResult<()> {
    let now = ctx.clock.now();
    match factor {
        SecondFactor::Totp => return Ok(()),
        SecondFactor::Email => {
            let code = new_code(ctx, conn, user_id_of(u)?, Some(session_id), CodePurpose::SignIn, None).await?;
            let msg = Outgoing::SigninCode {
                name: u.name.clone(),
                code: code.expose().into(),
            };
            queue_email(conn, &u.email, language_of(u), &msg, now).await?;
        }
        SecondFactor::Sms => {
            let phone = u.phone.clone().ok_or(AppError::WrongStep)?;
            let code = new_code(
                ctx,
                conn,
                user_id_of(u)?,
                Some(session_id),
                CodePurpose::SignIn,
                Some(&phone),
            )
            .await?;
            let msg = Outgoing::SigninCode {
                name: u.name.clone(),
                code: code.expose().into(),
            };
            queue_sms(conn, &phone, language_of(u), &msg, now).await?;
        }
    }
    let ev = event(actor(u)?, "auth.code_sent", AuditAction::Create, "code", client)
        .scope("channel", factor.as_str())
        .target(session_id);
    audit::record(conn, ev, now).await?;
    Ok(())
}

/// Checks email and password. Wrong passwords count towards a lock of the
/// account; the answer never says whether the address has an account.
pub async fn sign_in(ctx: &Ctx, client: &Client, holder: Holder<'_>, email: &str, password: &str) -> AppResult<SignIn> {
    super::check_address(ctx, "password", client).await?;
    let now = ctx.clock.now();
    let email = parse_email(email).map_err(|_| AppError::BadCredentials)?;
    let user = {
        let mut conn = ctx.store.reader().await?;
        users::by_email(&mut conn, email.as_str()).await?
    };
    let usable = user
        .as_ref()
        .filter(|u| u.deleted_at.is_none() && u.email_verified_at.is_some());
    let Some(u) = usable else {
        ctx.hasher.verify(None, password).await;
        let mut tx = ctx.store.begin().await?;
        super::count_address_failure(ctx, &mut tx, "password", client).await?;
        audit::record(
            &mut tx,
            event(
                Actor::Anonymous,
                "auth.sign_in_failed",
                AuditAction::Create,
                "session",
                client,
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        return Err(AppError::BadCredentials);
    };
    if let Some(until) = u.locked_until.filter(|&t| t > now.0) {
        audit::record_alone(
            ctx,
            event(
                actor(u)?,
                "auth.sign_in_refused_locked",
                AuditAction::Create,
                "session",
                client,
            ),
        )
        .await?;
        return Err(super::locked(ctx, u, Timestamp(until)).await);
    }
    if !ctx.hasher.verify(Some(&u.password_hash), password).await {
        let (_, locked) = wrong_account_secret(ctx, client, u, "password", "auth.sign_in_failed").await?;
        return Err(match locked {
            Some(until) => super::locked(ctx, u, until).await,
            None => AppError::BadCredentials,
        });
    }

    let mut tx = ctx.store.begin().await?;
    if u.failed_logins != 0 || u.locked_until.is_some() {
        users::set(
            &mut tx,
            &u.id,
            &[
                (Field::FailedLogins, 0_i64.into()),
                (Field::LockedUntil, Value::Int(None)),
            ],
            now,
        )
        .await?;
    }
    // Several accounts on one shared device: one already signed in here asks only its PIN.
    if let Holder::Device(device_token) = holder {
        if let Some(d) = devices::by_token_hash(&mut tx, &hash_token(device_token)).await? {
            let existing = sessions::for_device(&mut tx, d.id).await?;
            let user_id = user_id_of(u)?;
            if let Some(s) = existing
                .into_iter()
                .find(|s| s.user_id == user_id && s.stage == SessionStage::Active)
            {
                sessions::set_locked(&mut tx, s.id, true).await?;
                tx.commit().await?;
                return Ok(SignIn::Pin {
                    session_id: s.id.to_string(),
                });
            }
        }
    }
    let factor = u.second_factor;
    let (session_id, token) = new_session(
        ctx,
        &mut tx,
        holder,
        client,
        user_id_of(u)?,
        SessionPurpose::SignIn,
        factor,
    )
    .await?;
    audit::record(
        &mut tx,
        event(
            actor(u)?,
            "auth.password_accepted",
            AuditAction::Create,
            "session",
            client,
        )
        .target(session_id),
        now,
    )
    .await?;
    send_code(ctx, &mut tx, client, u, session_id, factor).await?;
    ctx.commit_and_send(tx).await?;
    Ok(SignIn::Code(Started {
        session_id: session_id.to_string(),
        token,
        factor,
        destination: destination(u, factor),
    }))
}

fn pending(view: &SessionView) -> AppResult<(SecondFactor, bool)> {
    match view.state {
        SessionState::AwaitingCode { factor, sign_up } => Ok((factor, sign_up)),
        _ => Err(AppError::WrongStep),
    }
}

/// Enters the code of a pending sign-in or sign-up. The session becomes
/// active; a web session's device gets a new token (see [`super::device`]).
pub async fn verify_code(
    ctx: &Ctx,
    client: &Client,
    view: &SessionView,
    code: &str,
) -> AppResult<Option<NewDeviceToken>> {
    let (factor, sign_up) = pending(view)?;
    super::check_address(ctx, "code", client).await?;
    let u = &view.user;
    let now = ctx.clock.now();
    let ok = if factor == SecondFactor::Totp && !sign_up {
        verify_totp(ctx, client, u, code).await?
    } else {
        let code = OneTimeCode::parse(code)?;
        let purpose = view.session.purpose.code_purpose();
        let user_id = user_id_of(u)?;
        let live = {
            let mut conn = ctx.store.reader().await?;
            codes::live(&mut conn, user_id, purpose, now).await?
        };
        let Some(live) = live.filter(|c| c.session_id == Some(view.session.id)) else {
            return Err(AppError::CodeExpired);
        };
        if code_hash(ctx, user_id, purpose, code.expose()) == live.code_hash {
            let mut tx = ctx.store.begin().await?;
            codes::consume(&mut tx, live.id, now).await?;
            tx.commit().await?;
            true
        } else {
            let mut tx = ctx.store.begin().await?;
            super::count_address_failure(ctx, &mut tx, "code", client).await?;
            let attempts = codes::record_attempt(&mut tx, live.id, limits::CODE_MAX_ATTEMPTS, now).await?;
            audit::record(
                &mut tx,
                event(actor(u)?, "auth.code_failed", AuditAction::Update, "session", client).target(view.session.id),
                now,
            )
            .await?;
            tx.commit().await?;
            let left = limits::CODE_MAX_ATTEMPTS - attempts;
            return Err(if left > 0 {
                AppError::CodeWrong { attempts_left: left }
            } else {
                AppError::CodeExpired
            });
        }
    };
    if !ok {
        return Err(AppError::CodeWrong { attempts_left: 0 });
    }
    let mut tx = ctx.store.begin().await?;
    if sign_up {
        users::set(&mut tx, &u.id, &[(Field::EmailVerifiedAt, now.into())], now).await?;
        // Colleagues can find the person from now on.
        crate::search_index::person(&mut tx, &u.id, now).await?;
        audit::record(
            &mut tx,
            event(actor(u)?, "auth.email_verified", AuditAction::Update, "user", client).target(&u.id),
            now,
        )
        .await?;
    }
    sessions::activate(&mut tx, view.session.id, now).await?;
    let device = super::device::rotate_of(ctx, &mut tx, &view.session).await?;
    audit::record(
        &mut tx,
        event(actor(u)?, "auth.sign_in", AuditAction::Create, "session", client)
            .target(view.session.id)
            .scope("factor", factor.as_str()),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(device)
}

/// Checks an authenticator code; wrong ones count per account so the
/// 10^6 space cannot be walked.
async fn verify_totp(ctx: &Ctx, client: &Client, u: &UserRow, code: &str) -> AppResult<bool> {
    let now = ctx.clock.now();
    let key = format!("totp:user:{}", u.id);
    {
        let mut conn = ctx.store.reader().await?;
        if rate_limits::peek(&mut conn, &key, limits::CODE_SEND_WINDOW_SECS, now).await? >= limits::CODE_MAX_ATTEMPTS {
            return Err(AppError::RateLimited);
        }
    }
    let code = OneTimeCode::parse(code)?;
    let secret = ctx.key.decrypt(u.totp_secret.as_deref().ok_or(AppError::WrongStep)?)?;
    match totp::verify(&secret, code.expose(), now.unix_secs(), u.totp_last_step) {
        Some(step) => {
            let mut tx = ctx.store.begin().await?;
            users::set(&mut tx, &u.id, &[(Field::TotpLastStep, step.into())], now).await?;
            tx.commit().await?;
            Ok(true)
        }
        None => {
            let mut tx = ctx.store.begin().await?;
            super::count_address_failure(ctx, &mut tx, "code", client).await?;
            let n = rate_limits::hit(&mut tx, &key, limits::CODE_SEND_WINDOW_SECS, now).await?;
            audit::record(
                &mut tx,
                event(actor(u)?, "auth.code_failed", AuditAction::Update, "session", client).scope("factor", "totp"),
                now,
            )
            .await?;
            tx.commit().await?;
            Err(AppError::CodeWrong {
                attempts_left: (limits::CODE_MAX_ATTEMPTS - n).max(0),
            })
        }
    }
}

/// Sends a new code for a pending session (the earlier one stops working).
pub async fn resend_code(ctx: &Ctx, client: &Client, view: &SessionView) -> AppResult<()> {
    let (factor, sign_up) = pending(view)?;
    let u = &view.user;
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    if sign_up {
        if u.email_verified_at.is_some() {
            // The decoy session of an address that already has an account.
            return Ok(());
        }
        let code = new_code(
            ctx,
            &mut tx,
            user_id_of(u)?,
            Some(view.session.id),
            CodePurpose::SignUp,
            None,
        )
        .await?;
        queue_email(
            &mut tx,
            &u.email,
            language_of(u),
            &Outgoing::SignupCode {
                name: u.name.clone(),
                code: code.expose().into(),
            },
            now,
        )
        .await?;
        audit::record(
            &mut tx,
            event(actor(u)?, "auth.code_sent", AuditAction::Create, "code", client).scope("channel", "email"),
            now,
        )
        .await?;
    } else {
        send_code(ctx, &mut tx, client, u, view.session.id, factor).await?;
    }
    ctx.commit_and_send(tx).await?;
    Ok(())
}

/// Signs in with the recovery code instead of the lost second factor. The
/// code works once: codes go back to email and a new recovery code must be
/// saved before going on.
pub async fn use_recovery_code(
    ctx: &Ctx,
    client: &Client,
    view: &SessionView,
    raw: &str,
) -> AppResult<Option<NewDeviceToken>> {
    let (_, sign_up) = pending(view)?;
    if sign_up {
        return Err(AppError::WrongStep);
    }
    super::check_address(ctx, "recovery", client).await?;
    let u = &view.user;
    let now = ctx.clock.now();
    if let Some(until) = u.locked_until.filter(|&t| t > now.0) {
        return Err(super::locked(ctx, u, Timestamp(until)).await);
    }
    let code = RecoveryCode::parse(raw)?;
    if !ctx.hasher.verify(u.recovery_hash.as_deref(), code.expose()).await {
        let (failures, locked) = wrong_account_secret(ctx, client, u, "recovery", "auth.recovery_failed").await?;
        return Err(match locked {
            Some(until) => super::locked(ctx, u, until).await,
            None => AppError::CodeWrong {
                attempts_left: limits::PASSWORD_FAILURES_BEFORE_LOCK - failures,
            },
        });
    }
    let mut tx = ctx.store.begin().await?;
    users::set(
        &mut tx,
        &u.id,
        &[
            (Field::RecoveryHash, Value::Text(None)),
            (Field::SecondFactor, SecondFactor::Email.as_str().into()),
            (Field::TotpSecret, Value::Text(None)),
            (Field::FailedLogins, 0_i64.into()),
        ],
        now,
    )
    .await?;
    sessions::activate(&mut tx, view.session.id, now).await?;
    let device = super::device::rotate_of(ctx, &mut tx, &view.session).await?;
    audit::record(
        &mut tx,
        event(actor(u)?, "auth.recovery_used", AuditAction::Update, "user", client).target(&u.id),
        now,
    )
    .await?;
    audit::record(
        &mut tx,
        event(actor(u)?, "auth.sign_in", AuditAction::Create, "session", client)
            .target(view.session.id)
            .scope("factor", "recovery"),
        now,
    )
    .await?;
    let notice = Outgoing::SecurityNotice {
        name: u.name.clone(),
        what: "recovery-used".into(),
    };
    queue_email(&mut tx, &u.email, language_of(u), &notice, now).await?;
    ctx.commit_and_send(tx).await?;
    Ok(device)
}

/// Counts a wrong password or recovery code against the account and the
/// address, and locks the account at the limit. Returns the consecutive
/// failures so far and, when it just locked, until when.
pub(crate) async fn wrong_account_secret(
    ctx: &Ctx,
    client: &Client,
    u: &UserRow,
    kind: &str,
    event_name: &'static str,
) -> AppResult<(i64, Option<Timestamp>)> {
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    super::count_address_failure(ctx, &mut tx, kind, client).await?;
    let failures = users::record_failed_login(&mut tx, &u.id).await?;
    audit::record(
        &mut tx,
        event(actor(u)?, event_name, AuditAction::Update, "user", client).target(&u.id),
        now,
    )
    .await?;
    let locked = account_locked_until(failures, now);
    if let Some(until) = locked {
        users::set(
            &mut tx,
            &u.id,
            &[(Field::LockedUntil, until.into()), (Field::FailedLogins, 0_i64.into())],
            now,
        )
        .await?;
        audit::record(
            &mut tx,
            event(actor(u)?, "auth.account_locked", AuditAction::Update, "user", client).target(&u.id),
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok((failures, locked))
}
