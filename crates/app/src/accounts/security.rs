//! Security settings of a signed-in person: password, PIN, second factor,
//! recovery code, language, deleting the account.

use super::session::require_self;
use super::signup::{code_hash, issue_recovery_code, new_code};
use super::{event, Me};
use crate::acting::{language_of, user_id_of};
use crate::outbox::{queue_email, queue_sms, Outgoing};
use crate::secrets::random_bytes;
use crate::{audit, AppError, AppResult, Client, Ctx};
use cercle_domain::audit::{Actor, AuditAction};
use cercle_domain::codes::{OneTimeCode, RecoveryCode};
use cercle_domain::policy::Principal;
use cercle_domain::session::{limits, CodePurpose, SecondFactor};
use cercle_domain::{password, totp, Language, Phone, Pin, UserId};
use cercle_store::users::{Field, UserRow, Value};
use cercle_store::{codes, sessions, users};

async fn load(ctx: &Ctx, user_id: UserId) -> AppResult<UserRow> {
    let mut conn = ctx.store.reader().await?;
    Ok(users::get(&mut conn, &user_id.to_string()).await?)
}

/// Re-checks the password before a sensitive change. Wrong passwords count
/// towards the account lock like at sign-in.
async fn confirm_password(ctx: &Ctx, client: &Client, u: &UserRow, password: &str) -> AppResult<()> {
    super::check_address(ctx, "password", client).await?;
    if ctx.hasher.verify(Some(&u.password_hash), password).await {
        return Ok(());
    }
    match super::signin::wrong_account_secret(ctx, client, u, "password", "auth.password_confirm_failed").await? {
        (_, Some(until)) => Err(super::locked(ctx, u, until).await),
        (_, None) => Err(AppError::BadCredentials),
    }
}

/// Writes fields, an audit event and (optionally) an email notice together.
async fn commit_change(
    ctx: &Ctx,
    client: &Client,
    u: &UserRow,
    fields: &[(Field, Value)],
    event_name: &'static str,
    notice: Option<&str>,
) -> AppResult<()> {
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    if !fields.is_empty() {
        users::set(&mut tx, &u.id, fields, now).await?;
    }
    let actor = Actor::User(u.id.parse::<UserId>()?);
    audit::record(
        &mut tx,
        event(actor, event_name, AuditAction::Update, "user", client).target(&u.id),
        now,
    )
    .await?;
    if let Some(what) = notice {
        queue_email(
            &mut tx,
            &u.email,
            language_of(u),
            &Outgoing::SecurityNotice {
                name: u.name.clone(),
                what: what.into(),
            },
            now,
        )
        .await?;
    }
    ctx.commit_and_send(tx).await?;
    Ok(())
}

pub async fn me(ctx: &Ctx, principal: &Principal) -> AppResult<Me> {
    Ok(Me::from_row(&load(ctx, require_self(principal)?).await?))
}

/// Changes the password (the current one is needed). Other sessions end.
pub async fn change_password(
    ctx: &Ctx,
    client: &Client,
    principal: &Principal,
    current: &str,
    new: &str,
) -> AppResult<()> {
    let user_id = require_self(principal)?;
    let u = load(ctx, user_id).await?;
    confirm_password(ctx, client, &u, current).await?;
    password::check_new(new, u.email.split('@').next())?;
    let hash = ctx.hasher.hash(new).await?;
    commit_change(
        ctx,
        client,
        &u,
        &[(Field::PasswordHash, hash.into()), (Field::FailedLogins, 0_i64.into())],
        "auth.password_changed",
        Some("password-changed"),
    )
    .await?;
    let keep = match principal {
        Principal::User(p) => Some(p.session_id),
        _ => None,
    };
    let user_id = user_id_of(&u)?;
    let mut tx = ctx.store.begin().await?;
    sessions::delete_for_user(&mut tx, user_id, keep).await?;
    codes::retire_resets(&mut tx, user_id, ctx.clock.now()).await?;
    tx.commit().await?;
    crate::threads::hub::access_changed(ctx, &[&u.id]).await;
    Ok(())
}

/// Changes the PIN; the password confirms it is the owner.
pub async fn change_pin(
    ctx: &Ctx,
    client: &Client,
    principal: &Principal,
    password: &str,
    pin: &str,
    confirm: &str,
) -> AppResult<()> {
    let u = load(ctx, require_self(principal)?).await?;
    confirm_password(ctx, client, &u, password).await?;
    let pin = Pin::parse_new(pin, confirm)?;
    let hash = ctx.hasher.hash(pin.expose()).await?;
    commit_change(
        ctx,
        client,
        &u,
        &[(Field::PinHash, hash.into())],
        "auth.pin_changed",
        Some("pin-changed"),
    )
    .await
}

/// A new recovery code; the old one stops working at once.
pub async fn new_recovery_code(
    ctx: &Ctx,
    client: &Client,
    principal: &Principal,
    password: &str,
) -> AppResult<RecoveryCode> {
    let u = load(ctx, require_self(principal)?).await?;
    confirm_password(ctx, client, &u, password).await?;
    issue_recovery_code(ctx, client, &u, "auth.recovery_code_renewed").await
}

/// Step 1 of moving codes to SMS: a code is sent to the new number.
pub async fn start_phone(ctx: &Ctx, client: &Client, principal: &Principal, phone: &str) -> AppResult<String> {
    let u = load(ctx, require_self(principal)?).await?;
    let phone = Phone::parse(phone)?;
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    let code = new_code(
        ctx,
        &mut tx,
        user_id_of(&u)?,
        None,
        CodePurpose::Phone,
        Some(phone.as_str()),
    )
    .await?;
    queue_sms(
        &mut tx,
        phone.as_str(),
        language_of(&u),
        &Outgoing::PhoneCode {
            code: code.expose().into(),
        },
        now,
    )
    .await?;
    let actor = Actor::User(u.id.parse::<UserId>()?);
    audit::record(
        &mut tx,
        event(actor, "auth.code_sent", AuditAction::Create, "code", client).scope("channel", "sms"),
        now,
    )
    .await?;
    ctx.commit_and_send(tx).await?;
    Ok(phone.masked())
}

/// Step 2: the code from the SMS proves the number; codes then go by SMS.
pub async fn confirm_phone(ctx: &Ctx, client: &Client, principal: &Principal, code: &str) -> AppResult<()> {
    let u = load(ctx, require_self(principal)?).await?;
    let code = OneTimeCode::parse(code)?;
    let now = ctx.clock.now();
    let live = {
        let mut conn = ctx.store.reader().await?;
        codes::live(&mut conn, user_id_of(&u)?, CodePurpose::Phone, now).await?
    }
    .ok_or(AppError::CodeExpired)?;
    let mut tx = ctx.store.begin().await?;
    if code_hash(ctx, user_id_of(&u)?, CodePurpose::Phone, code.expose()) != live.code_hash {
        let attempts = codes::record_attempt(&mut tx, live.id, limits::CODE_MAX_ATTEMPTS, now).await?;
        let actor = Actor::User(u.id.parse::<UserId>()?);
        audit::record(
            &mut tx,
            event(actor, "auth.code_failed", AuditAction::Update, "user", client).scope("channel", "sms"),
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
    codes::consume(&mut tx, live.id, now).await?;
    tx.commit().await?;
    let phone = live.target.ok_or(AppError::CodeExpired)?;
    commit_change(
        ctx,
        client,
        &u,
        &[
            (Field::Phone, phone.into()),
            (Field::PhoneVerifiedAt, now.into()),
            (Field::SecondFactor, SecondFactor::Sms.as_str().into()),
            (Field::TotpSecret, Value::Text(None)),
        ],
        "auth.second_factor_changed",
        Some("factor-sms"),
    )
    .await
}

/// What an authenticator app needs to be set up.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct TotpSetup {
    /// The secret in base32, for typing by hand.
    pub secret: String,
    /// The `otpauth://` link, for the QR code.
    pub uri: String,
}

/// Step 1 of switching to an authenticator app: a new secret, pending until
/// a code from the app proves it was saved.
pub async fn start_totp(ctx: &Ctx, client: &Client, principal: &Principal) -> AppResult<TotpSetup> {
    let u = load(ctx, require_self(principal)?).await?;
    let secret: [u8; 20] = random_bytes();
    let sealed = ctx.key.encrypt(&secret)?;
    commit_change(
        ctx,
        client,
        &u,
        &[(Field::TotpPendingSecret, sealed.into())],
        "auth.totp_setup_started",
        None,
    )
    .await?;
    Ok(TotpSetup {
        secret: totp::base32_encode(&secret),
        uri: totp::provisioning_uri(&secret, &u.email, "Cercle"),
    })
}

/// Step 2: a right code from the app makes it the second factor.
pub async fn confirm_totp(ctx: &Ctx, client: &Client, principal: &Principal, code: &str) -> AppResult<()> {
    let u = load(ctx, require_self(principal)?).await?;
    let code = OneTimeCode::parse(code)?;
    let sealed = u.totp_pending_secret.clone().ok_or(AppError::WrongStep)?;
    let secret = ctx.key.decrypt(&sealed)?;
    let now = ctx.clock.now();
    let Some(step) = totp::verify(&secret, code.expose(), now.unix_secs(), None) else {
        return Err(AppError::CodeWrong {
            attempts_left: limits::CODE_MAX_ATTEMPTS,
        });
    };
    commit_change(
        ctx,
        client,
        &u,
        &[
            (Field::TotpSecret, sealed.into()),
            (Field::TotpPendingSecret, Value::Text(None)),
            (Field::TotpLastStep, step.into()),
            (Field::SecondFactor, SecondFactor::Totp.as_str().into()),
        ],
        "auth.second_factor_changed",
        Some("factor-totp"),
    )
    .await
}

/// Back to codes by email (the password confirms it).
pub async fn use_email_codes(ctx: &Ctx, client: &Client, principal: &Principal, password: &str) -> AppResult<()> {
    let u = load(ctx, require_self(principal)?).await?;
    confirm_password(ctx, client, &u, password).await?;
    commit_change(
        ctx,
        client,
        &u,
        &[
            (Field::SecondFactor, SecondFactor::Email.as_str().into()),
            (Field::TotpSecret, Value::Text(None)),
        ],
        "auth.second_factor_changed",
        Some("factor-email"),
    )
    .await
}

pub async fn set_language(ctx: &Ctx, client: &Client, principal: &Principal, language: &str) -> AppResult<()> {
    let u = load(ctx, require_self(principal)?).await?;
    let lang = Language::parse(language)?;
    commit_change(
        ctx,
        client,
        &u,
        &[(Field::Language, lang.code().into())],
        "user.language_changed",
        None,
    )
    .await?;
    // This node answers in the new language at once; the others within a
    // minute (`languages::KEEP`).
    if let Ok(id) = u.id.parse::<UserId>() {
        ctx.languages.forget(id);
    }
    Ok(())
}

/// Sets the person's own time zone (an IANA name, checked against the tz
/// database), or clears it (`""`) to follow their organization's.
pub async fn set_time_zone(ctx: &Ctx, client: &Client, principal: &Principal, raw: &str) -> AppResult<()> {
    let u = load(ctx, require_self(principal)?).await?;
    let value = match raw.trim() {
        "" => None,
        name => Some(cercle_domain::local_time::Zone::parse(name)?.name().to_string()),
    };
    commit_change(
        ctx,
        client,
        &u,
        &[(Field::TimeZone, Value::Text(value))],
        "user.time_zone_changed",
        None,
    )
    .await
}

/// Deletes the account: identity erased, sessions ended; what the person
/// wrote in clinical records stays, shown as "former user", and the audit
/// log keeps its entries.
pub async fn delete_account(ctx: &Ctx, client: &Client, principal: &Principal, password: &str) -> AppResult<()> {
    let user_id = require_self(principal)?;
    let u = load(ctx, user_id).await?;
    confirm_password(ctx, client, &u, password).await?;
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    // Say goodbye first, while the address is still known.
    queue_email(
        &mut tx,
        &u.email,
        language_of(&u),
        &Outgoing::SecurityNotice {
            name: u.name.clone(),
            what: "account-deleted".into(),
        },
        now,
    )
    .await?;
    sessions::delete_for_user(&mut tx, user_id_of(&u)?, None).await?;
    users::erase_identity(&mut tx, &u.id, now).await?;
    // The network forgets the person: profile, photo, professions,
    // workplaces, directories, friendships and the search index.
    cercle_store::profiles::erase(&mut tx, u.id.parse()?).await?;
    crate::search_index::person(&mut tx, &u.id, now).await?;
    // Nothing is pushed to their browsers or told to them any more.
    cercle_store::push::remove_all_of(&mut tx, user_id_of(&u)?).await?;
    cercle_store::notifications::remove_all_of(&mut tx, user_id_of(&u)?).await?;
    audit::record(
        &mut tx,
        event(
            Actor::User(user_id),
            "user.deleted",
            AuditAction::Delete,
            "user",
            client,
        )
        .target(&u.id),
        now,
    )
    .await?;
    ctx.commit_and_send(tx).await?;
    crate::threads::hub::access_changed(ctx, &[&u.id]).await;
    Ok(())
}
