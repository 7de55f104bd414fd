//! Sign-up of an independent professional: email and password, then the
//! 6-digit code sent by email, the terms, the recovery code and the PIN.

use super::session::{setup_step, SessionView, SetupStep};
use super::{event, mask_email, parse_email, Holder, Started};
use crate::acting::{language_of, user_id_of};
use crate::outbox::{queue_email, Outgoing};
use crate::secrets::{hash_token, random_bytes, random_token, random_u32};
use crate::{audit, AppError, AppResult, Client, Ctx};
use cercle_domain::audit::{Actor, AuditAction};
use cercle_domain::codes::{OneTimeCode, RecoveryCode};
use cercle_domain::error::PersonName;
use cercle_domain::session::{limits, CodePurpose, SecondFactor, SessionPurpose, SessionStage};
use cercle_domain::{password, CodeId, DeviceId, Language, Pin, SessionId, UserId};
use cercle_store::{codes, devices, sessions, users, Conn};

#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
pub struct SignupInput {
    pub email: String,
    pub password: String,
    pub name: String,
    pub language: Option<String>,
}

impl SignupInput {
    /// Never print the password.
    pub fn redacted(&self) -> String {
        format!(
            "SignupInput {{ email: {:?} }}",
            parse_email(&self.email).map(|e| e.redacted()).ok()
        )
    }
}

/// Creates the session a sign-in or sign-up continues on, tied to the
/// device (web) or to a new bearer token (API).
pub(crate) async fn new_session(
    ctx: &Ctx,
    conn: &mut Conn,
    holder: Holder<'_>,
    client: &Client,
    user_id: UserId,
    purpose: SessionPurpose,
    factor: SecondFactor,
) -> AppResult<(SessionId, Option<String>)> {
    let now = ctx.clock.now();
    let session_id = SessionId::new();
    let (device_id, token) = match holder {
        Holder::Bearer => (None, Some(random_token())),
        Holder::Device(device_token) => {
            let hash = hash_token(device_token);
            let id = match devices::by_token_hash(conn, &hash).await? {
                Some(d) => d.id,
                None => {
                    let id = DeviceId::new();
                    devices::insert(conn, id, &hash, &client.label, now).await?;
                    id
                }
            };
            (Some(id), None)
        }
    };
    let token_hash = token.as_deref().map(hash_token);
    sessions::insert(
        conn,
        &sessions::NewSession {
            id: session_id,
            user_id,
            device_id,
            token_hash: token_hash.as_deref(),
            stage: SessionStage::AwaitingCode,
            purpose,
            factor: Some(factor),
            label: &client.label,
            ip: client.ip.as_deref(),
        },
        now,
    )
    .await?;
    Ok((session_id, token))
}

/// Stores a fresh one-time code (keyed hash only) and returns it to send.
pub(crate) async fn new_code(
    ctx: &Ctx,
    conn: &mut Conn,
    user_id: UserId,
    session_id: Option<SessionId>,
    purpose: CodePurpose,
    target: Option<&str>,
) -> AppResult<OneTimeCode> {
    let now = ctx.clock.now();
    if codes::sent_since(conn, user_id, now.minus_secs(limits::CODE_SEND_WINDOW_SECS)).await?
        >= limits::CODE_SENDS_PER_WINDOW
    {
        return Err(AppError::RateLimited);
    }
    let code = OneTimeCode::from_random(random_u32());
    let id = CodeId::new();
    let hash = code_hash(ctx, user_id, purpose, code.expose());
    codes::insert(
        conn,
        &codes::NewCode {
            id,
            user_id,
            session_id,
            purpose,
            code_hash: &hash,
            target,
            expires_at: now.plus_secs(limits::CODE_TTL_SECS),
        },
        now,
    )
    .await?;
    Ok(code)
}

pub(crate) fn code_hash(ctx: &Ctx, user_id: UserId, purpose: CodePurpose, code: &str) -> String {
    ctx.key
        .keyed_hash(&["one-time-code", &user_id.to_string(), purpose.as_str(), code])
}

/// Starts a sign-up. To keep addresses private, an address that already has
/// an account gets the same answer; its owner receives an email saying so.
pub async fn start(ctx: &Ctx, client: &Client, holder: Holder<'_>, input: &SignupInput) -> AppResult<Started> {
    super::check_address(ctx, "sign_up", client).await?;
    let email = parse_email(&input.email)?;
    let name = PersonName::parse(&input.name)?;
    let language = match input.language.as_deref() {
        Some(l) if !l.is_empty() => Language::parse(l)?,
        _ => Language::default(),
    };
    password::check_new(&input.password, email.as_str().split('@').next())?;
    let password_hash = ctx.hasher.hash(&input.password).await?;
    let now = ctx.clock.now();

    let mut tx = ctx.store.begin().await?;
    super::count_address_failure(ctx, &mut tx, "sign_up", client).await?;
    let existing = users::by_email(&mut tx, email.as_str()).await?;
    let user_id = match existing {
        Some(u) if u.email_verified_at.is_some() => {
            // Someone (perhaps the owner) tried to sign up again: tell the owner,
            // answer as for a new address, and let the code step fail.
            let (session_id, token) = new_session(
                ctx,
                &mut tx,
                holder,
                client,
                user_id_of(&u)?,
                SessionPurpose::SignUp,
                SecondFactor::Email,
            )
            .await?;
            if codes::sent_since(&mut tx, user_id_of(&u)?, now.minus_secs(limits::CODE_SEND_WINDOW_SECS)).await?
                < limits::CODE_SENDS_PER_WINDOW
            {
                let link = format!("{}/sign-in", ctx.config.public_url);
                queue_email(
                    &mut tx,
                    &u.email,
                    language_of(&u),
                    &Outgoing::AccountExists {
                        name: u.name.clone(),
                        link,
                    },
                    now,
                )
                .await?;
            }
            let ev = event(
                Actor::Anonymous,
                "auth.sign_up_existing",
                AuditAction::Create,
                "user",
                client,
            )
            .target(&u.id);
            audit::record(&mut tx, ev, now).await?;
            ctx.commit_and_send(tx).await?;
            return Ok(Started {
                session_id: session_id.to_string(),
                token,
                factor: SecondFactor::Email,
                destination: mask_email(email.as_str()),
            });
        }
        Some(abandoned) => {
            // A sign-up that never confirmed its email: start over.
            users::delete_unverified(&mut tx, &abandoned.id).await?;
            UserId::new()
        }
        None => UserId::new(),
    };
    let user_id_text = user_id.to_string();
    users::insert(
        &mut tx,
        &users::NewUser {
            id: &user_id_text,
            email: email.as_str(),
            name: name.as_str(),
            language: language.code(),
            password_hash: &password_hash,
            network_admin: false,
        },
        now,
    )
    .await?;
    let (session_id, token) = new_session(
        ctx,
        &mut tx,
        holder,
        client,
        user_id,
        SessionPurpose::SignUp,
        SecondFactor::Email,
    )
    .await?;
    let code = new_code(ctx, &mut tx, user_id, Some(session_id), CodePurpose::SignUp, None).await?;
    queue_email(
        &mut tx,
        email.as_str(),
        language,
        &Outgoing::SignupCode {
            name: name.as_str().into(),
            code: code.expose().into(),
        },
        now,
    )
    .await?;
    let ev = event(
        Actor::User(user_id),
        "auth.sign_up_started",
        AuditAction::Create,
        "user",
        client,
    )
    .target(user_id);
    audit::record(&mut tx, ev, now).await?;
    audit::record(
        &mut tx,
        event(
            Actor::User(user_id),
            "auth.code_sent",
            AuditAction::Create,
            "code",
            client,
        )
        .scope("channel", "email"),
        now,
    )
    .await?;
    ctx.commit_and_send(tx).await?;
    Ok(Started {
        session_id: session_id.to_string(),
        token,
        factor: SecondFactor::Email,
        destination: mask_email(email.as_str()),
    })
}

fn require_step(view: &SessionView, step: SetupStep) -> AppResult<()> {
    if setup_step(&view.user) == Some(step) && view.session.stage == SessionStage::Active {
        Ok(())
    } else {
        Err(AppError::WrongStep)
    }
}

/// Sign-up step: accept the terms of use.
pub async fn accept_terms(ctx: &Ctx, client: &Client, view: &SessionView) -> AppResult<()> {
    require_step(view, SetupStep::Terms)?;
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    users::set(
        &mut tx,
        &view.user.id,
        &[(users::Field::TermsAcceptedAt, now.into())],
        now,
    )
    .await?;
    audit::record(
        &mut tx,
        event(
            Actor::User(view.user_id()?),
            "auth.terms_accepted",
            AuditAction::Update,
            "user",
            client,
        )
        .target(&view.user.id),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Makes a recovery code, stores its Argon2 hash, emails it and returns it
/// to be shown once. Replaces any earlier one.
pub(crate) async fn issue_recovery_code(
    ctx: &Ctx,
    client: &Client,
    user: &cercle_store::users::UserRow,
    event_name: &'static str,
) -> AppResult<RecoveryCode> {
    let code = RecoveryCode::from_random(random_bytes());
    let hash = ctx.hasher.hash(code.expose()).await?;
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    users::set(&mut tx, &user.id, &[(users::Field::RecoveryHash, hash.into())], now).await?;
    let msg = Outgoing::RecoveryCode {
        name: user.name.clone(),
        code: code.expose().into(),
    };
    queue_email(&mut tx, &user.email, language_of(user), &msg, now).await?;
    let actor = Actor::User(user.id.parse::<UserId>()?);
    audit::record(
        &mut tx,
        event(actor, event_name, AuditAction::Update, "user", client).target(&user.id),
        now,
    )
    .await?;
    ctx.commit_and_send(tx).await?;
    Ok(code)
}

/// Sign-up step: the recovery code, shown once (and emailed).
pub async fn create_recovery_code(ctx: &Ctx, client: &Client, view: &SessionView) -> AppResult<RecoveryCode> {
    require_step(view, SetupStep::RecoveryCode)?;
    issue_recovery_code(ctx, client, &view.user, "auth.recovery_code_created").await
}

/// Sign-up step: the PIN, entered twice. The account is ready from now on:
/// a web session's device gets a new token (see [`super::device`]).
pub async fn set_first_pin(
    ctx: &Ctx,
    client: &Client,
    view: &SessionView,
    pin: &str,
    confirm: &str,
) -> AppResult<Option<super::NewDeviceToken>> {
    require_step(view, SetupStep::Pin)?;
    let pin = Pin::parse_new(pin, confirm)?;
    let hash = ctx.hasher.hash(pin.expose()).await?;
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    users::set(&mut tx, &view.user.id, &[(users::Field::PinHash, hash.into())], now).await?;
    sessions::unlock(&mut tx, view.session.id, now).await?;
    let device = super::device::rotate_of(ctx, &mut tx, &view.session).await?;
    audit::record(
        &mut tx,
        event(
            Actor::User(view.user_id()?),
            "auth.pin_set",
            AuditAction::Update,
            "user",
            client,
        )
        .target(&view.user.id),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(device)
}
