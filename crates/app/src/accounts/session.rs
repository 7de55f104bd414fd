//! Finding the session behind a request, the PIN lock, and ending sessions.

use super::{event, Me, NewDeviceToken};
use crate::secrets::hash_token;
use crate::threads::hub;
use crate::{audit, AppError, AppResult, Client, Ctx};
use cercle_domain::audit::{Actor, AuditAction};
use cercle_domain::policy::{may, Permission, Principal, UserPrincipal};
use cercle_domain::session::{
    after_wrong_pin, is_locked, limits, PinFailure, SecondFactor, SessionPurpose, SessionStage,
};
use cercle_domain::{Pin, SessionId, UserId};
use cercle_store::sessions::SessionRow;
use cercle_store::users::UserRow;
use cercle_store::{devices, sessions, users};

/// What a request presents.
#[derive(Debug, Clone, Copy)]
pub enum Credential<'a> {
    /// `Authorization: Bearer …` (API clients).
    Bearer(&'a str),
    /// The browser's device cookie and the chosen account's session id.
    Device { device_token: &'a str, session_id: &'a str },
}

/// A step of sign-up still to do before the account can be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SetupStep {
    Terms,
    RecoveryCode,
    Pin,
}

impl SetupStep {
    pub fn as_str(self) -> &'static str {
        match self {
            SetupStep::Terms => "terms",
            SetupStep::RecoveryCode => "recovery_code",
            SetupStep::Pin => "pin",
        }
    }
}

/// Where a session stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionState {
    /// The code (email, SMS or authenticator) is still to be entered.
    AwaitingCode { factor: SecondFactor, sign_up: bool },
    /// Signed in, but sign-up is not finished.
    Setup(SetupStep),
    /// Signed in and locked: the PIN unlocks it.
    Locked,
    /// Signed in and unlocked.
    Ready(UserPrincipal),
}

impl SessionState {
    pub fn name(&self) -> &'static str {
        match self {
            SessionState::AwaitingCode { .. } => "awaiting_code",
            SessionState::Setup(_) => "setup",
            SessionState::Locked => "locked",
            SessionState::Ready(_) => "ready",
        }
    }
}

#[derive(Debug, Clone)]
pub struct SessionView {
    pub session: SessionRow,
    pub user: UserRow,
    pub state: SessionState,
}

impl SessionView {
    /// The principal of a ready session, or why there is none.
    pub fn principal(&self) -> AppResult<Principal> {
        match &self.state {
            SessionState::Ready(p) => Ok(Principal::User(p.clone())),
            SessionState::Locked => Err(AppError::SessionLocked),
            SessionState::Setup(_) => Err(AppError::WrongStep),
            SessionState::AwaitingCode { .. } => Err(AppError::NotAuthenticated),
        }
    }
    pub fn me(&self) -> Me {
        Me::from_row(&self.user)
    }
    /// The account's id; an error (never a made-up id) if the stored one
    /// is malformed.
    pub fn user_id(&self) -> AppResult<UserId> {
        Ok(self.user.id.parse::<UserId>()?)
    }
}

pub(crate) fn setup_step(u: &UserRow) -> Option<SetupStep> {
    if u.terms_accepted_at.is_none() {
        Some(SetupStep::Terms)
    } else if u.recovery_hash.is_none() {
        Some(SetupStep::RecoveryCode)
    } else if u.pin_hash.is_none() {
        Some(SetupStep::Pin)
    } else {
        None
    }
}

/// Touching `last_seen_at` on every request would make every read a write;
/// once per this many seconds (at most a quarter of the idle delay) is
/// precise enough for the idle lock.
const TOUCH_EVERY_SECS: i64 = 15;

fn touch_every_ms(idle_lock_secs: i64) -> i64 {
    TOUCH_EVERY_SECS.min(idle_lock_secs / 4).max(0) * 1000
}

/// Who a request comes from: the person (a click, a key, a page they
/// opened), or the page working on its own (the bell's poll, the draft's
/// autosave, the live stream). Only the person's actions count as activity
/// for the idle lock; background requests may find the session locked but
/// never keep it open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activity {
    Person,
    Background,
}

/// Resolves a credential to its session, applying expiry and the idle lock
/// (a request of the person).
pub async fn authenticate(ctx: &Ctx, cred: Credential<'_>) -> AppResult<SessionView> {
    authenticate_as(ctx, cred, Activity::Person).await
}

/// [`authenticate`], saying whether the request is the person's action.
pub async fn authenticate_as(ctx: &Ctx, cred: Credential<'_>, activity: Activity) -> AppResult<SessionView> {
    if let Credential::Device { device_token, .. } = cred {
        // A device token this server did not issue is no device at all.
        if !super::device::is_issued(ctx, device_token) {
            return Err(AppError::NotAuthenticated);
        }
    }
    let session = match cred {
        // The session and its account in one statement (every API request;
        // on SQLite, read on the request's own thread).
        Credential::Bearer(token) => {
            let found = ctx.store.session_with_user(&hash_token(token)).await?;
            let (session, user) = found.ok_or(AppError::NotAuthenticated)?;
            return resolve_with(ctx, session, user, activity).await;
        }
        Credential::Device {
            device_token,
            session_id,
        } => {
            // A session id that is no id names no session.
            let session_id = session_id
                .parse::<SessionId>()
                .map_err(|_| AppError::NotAuthenticated)?;
            let mut conn = ctx.store.reader().await?;
            let device = devices::by_token_hash(&mut conn, &hash_token(device_token)).await?;
            match (device, sessions::by_id(&mut conn, session_id).await?) {
                // Bound to the device: a session id alone, or from another device, is worth nothing.
                (Some(d), Some(s)) if s.device_id == Some(d.id) => Some(s),
                _ => None,
            }
        }
    };
    let session = session.ok_or(AppError::NotAuthenticated)?;
    resolve(ctx, session, activity).await
}

/// The language of the account a bearer token belongs to, for answering an
/// API caller who did not say which one they read (no `Accept-Language`).
/// Reads only: no activity recorded, nothing changed; the request is
/// authenticated as usual afterwards. An unknown token has none.
pub async fn bearer_language(ctx: &Ctx, token: &str) -> AppResult<Option<cercle_domain::Language>> {
    if token.is_empty() || token.len() > 100 {
        return Ok(None);
    }
    use super::languages::Lookup;
    let hash = hash_token(token);
    let lookup = ctx
        .languages
        .get(&hash, || async {
            let read = async {
                let mut conn = ctx.store.reader().await?;
                Ok::<_, AppError>(sessions::language_by_token_hash(&mut conn, &hash).await?)
            };
            match read.await {
                Ok(Some((user_id, language))) => match cercle_domain::Language::parse(&language) {
                    Ok(l) => Lookup::Found(user_id, l),
                    Err(_) => Lookup::Unknown,
                },
                Ok(None) => Lookup::Unknown,
                Err(AppError::DatabaseUnavailable) => Lookup::Busy,
                Err(_) => Lookup::Failed,
            }
        })
        .await;
    match lookup {
        Lookup::Found(_, l) => Ok(Some(l)),
        Lookup::Unknown => Ok(None),
        Lookup::Busy => Err(AppError::DatabaseUnavailable),
        Lookup::Failed => Err(AppError::Internal("reading the account's language failed".into())),
    }
}

/// Reads a session again after a step changed it (the request that holds
/// `view` was already authenticated).
pub async fn reload(ctx: &Ctx, view: &SessionView) -> AppResult<SessionView> {
    let mut conn = ctx.store.reader().await?;
    let session = sessions::by_id(&mut conn, view.session.id)
        .await?
        .ok_or(AppError::NotAuthenticated)?;
    drop(conn);
    resolve(ctx, session, Activity::Person).await
}

/// Applies expiry and the idle lock to a session and works out its state.
async fn resolve(ctx: &Ctx, session: SessionRow, activity: Activity) -> AppResult<SessionView> {
    let user = {
        let mut conn = ctx.store.reader().await?;
        users::get(&mut conn, &session.user_id.to_string()).await?
    };
    resolve_with(ctx, session, user, activity).await
}

/// [`resolve`] with the session's account read already.
async fn resolve_with(ctx: &Ctx, session: SessionRow, user: UserRow, activity: Activity) -> AppResult<SessionView> {
    let now = ctx.clock.now();
    let expired = match session.stage {
        SessionStage::AwaitingCode => now.0 - session.created_at > limits::PENDING_SESSION_TTL_SECS * 1000,
        SessionStage::Active => now.0 - session.last_seen_at > limits::SESSION_MAX_IDLE_SECS * 1000,
    };
    if expired || user.deleted_at.is_some() {
        // Refused whether or not the row can be deleted now (a full disk):
        // the same test refuses it again next time.
        if let Err(e) = delete_session(ctx, session.id).await {
            tracing::warn!(error = %e, "expired session not deleted");
        }
        return Err(AppError::NotAuthenticated);
    }
    let state = match session.stage {
        SessionStage::AwaitingCode => SessionState::AwaitingCode {
            factor: session.factor.unwrap_or(SecondFactor::Email),
            sign_up: session.purpose == SessionPurpose::SignUp,
        },
        SessionStage::Active => {
            let idle_locked = is_locked(
                session.locked,
                cercle_domain::Timestamp(session.last_seen_at),
                now,
                ctx.config.idle_lock_secs,
            );
            if let Some(step) = setup_step(&user) {
                SessionState::Setup(step)
            } else if idle_locked {
                if !session.locked {
                    // Locked for this request either way; the idle time
                    // locks it again next time if this cannot be saved.
                    if let Err(e) = lock_session(ctx, session.id).await {
                        tracing::warn!(error = %e, "idle lock not saved");
                    }
                }
                SessionState::Locked
            } else {
                SessionState::Ready(UserPrincipal {
                    user_id: user.id.parse::<UserId>()?,
                    session_id: session.id,
                    network_admin: user.network_admin,
                    network_verifier: user.network_verifier,
                    circle_only: user.circle_only,
                    service: None,
                })
            }
        }
    };
    if activity == Activity::Person
        && !matches!(state, SessionState::Locked)
        && now.0 - session.last_seen_at > touch_every_ms(ctx.config.idle_lock_secs)
    {
        // Best effort: a full disk must not stop reads (issue 13).
        if let Err(e) = touch_session(ctx, session.id, now).await {
            tracing::warn!(error = %e, "session activity not saved");
        }
    }
    Ok(SessionView { session, user, state })
}

async fn delete_session(ctx: &Ctx, id: SessionId) -> AppResult<()> {
    let mut tx = ctx.store.begin().await?;
    sessions::delete(&mut tx, id).await?;
    tx.commit().await?;
    Ok(())
}

async fn lock_session(ctx: &Ctx, id: SessionId) -> AppResult<()> {
    let mut tx = ctx.store.begin().await?;
    sessions::set_locked(&mut tx, id, true).await?;
    tx.commit().await?;
    Ok(())
}

async fn touch_session(ctx: &Ctx, id: SessionId, now: cercle_domain::Timestamp) -> AppResult<()> {
    let mut tx = ctx.store.begin().await?;
    sessions::touch(&mut tx, id, now).await?;
    tx.commit().await?;
    Ok(())
}

/// "Lock": the PIN is needed again on this device.
pub async fn lock(ctx: &Ctx, client: &Client, view: &SessionView) -> AppResult<()> {
    if view.session.stage != SessionStage::Active {
        return Err(AppError::NotAuthenticated);
    }
    let mut tx = ctx.store.begin().await?;
    sessions::set_locked(&mut tx, view.session.id, true).await?;
    let ev = event(
        Actor::User(view.user_id()?),
        "auth.session_locked",
        AuditAction::Update,
        "session",
        client,
    )
    .target(view.session.id);
    audit::record(&mut tx, ev, ctx.clock.now()).await?;
    tx.commit().await?;
    hub::access_changed(ctx, &[&view.user.id]).await;
    Ok(())
}

/// Unlocks with the PIN. The fifth wrong PIN erases the session: the person
/// must then sign in again in full. Unlocking a web session gives its device
/// a new token (see [`super::device`]).
pub async fn unlock(ctx: &Ctx, client: &Client, view: &SessionView, pin: &str) -> AppResult<Option<NewDeviceToken>> {
    if view.state != SessionState::Locked {
        return match view.state {
            SessionState::Ready(_) => Ok(None),
            _ => Err(AppError::WrongStep),
        };
    }
    super::check_address(ctx, "pin", client).await?;
    let pin = Pin::parse(pin)?;
    let actor = Actor::User(view.user_id()?);
    let now = ctx.clock.now();
    if ctx.hasher.verify(view.user.pin_hash.as_deref(), pin.expose()).await {
        let mut tx = ctx.store.begin().await?;
        sessions::unlock(&mut tx, view.session.id, now).await?;
        let device = super::device::rotate_of(ctx, &mut tx, &view.session).await?;
        audit::record(
            &mut tx,
            event(actor, "auth.session_unlocked", AuditAction::Update, "session", client).target(view.session.id),
            now,
        )
        .await?;
        tx.commit().await?;
        return Ok(device);
    }
    let mut tx = ctx.store.begin().await?;
    super::count_address_failure(ctx, &mut tx, "pin", client).await?;
    let failures = sessions::record_pin_failure(&mut tx, view.session.id).await?;
    let outcome = after_wrong_pin(failures - 1);
    let result = match outcome {
        PinFailure::TriesLeft(left) => {
            audit::record(
                &mut tx,
                event(actor, "auth.pin_failed", AuditAction::Update, "session", client).target(view.session.id),
                now,
            )
            .await?;
            Err(AppError::PinWrong { tries_left: left })
        }
        PinFailure::EraseSession => {
            sessions::delete(&mut tx, view.session.id).await?;
            audit::record(
                &mut tx,
                event(actor, "auth.pin_erase", AuditAction::Delete, "session", client).target(view.session.id),
                now,
            )
            .await?;
            Err(AppError::SessionErased)
        }
    };
    tx.commit().await?;
    if matches!(result, Err(AppError::SessionErased)) {
        hub::access_changed(ctx, &[&view.user.id]).await;
    }
    result.map(|()| None)
}

/// Closes this session (sign out).
pub async fn sign_out(ctx: &Ctx, client: &Client, view: &SessionView) -> AppResult<()> {
    let mut tx = ctx.store.begin().await?;
    sessions::delete(&mut tx, view.session.id).await?;
    let ev = event(
        Actor::User(view.user_id()?),
        "auth.session_closed",
        AuditAction::Delete,
        "session",
        client,
    )
    .target(view.session.id);
    audit::record(&mut tx, ev, ctx.clock.now()).await?;
    tx.commit().await?;
    hub::access_changed(ctx, &[&view.user.id]).await;
    Ok(())
}

/// Ends every session of the person, this one included.
pub async fn sign_out_everywhere(ctx: &Ctx, client: &Client, principal: &Principal) -> AppResult<u64> {
    let user_id = require_self(principal)?;
    let mut tx = ctx.store.begin().await?;
    let n = sessions::delete_for_user(&mut tx, user_id, None).await?;
    let ev = event(
        Actor::User(user_id),
        "auth.sign_out_everywhere",
        AuditAction::Delete,
        "session",
        client,
    )
    .scope("sessions", n);
    audit::record(&mut tx, ev, ctx.clock.now()).await?;
    tx.commit().await?;
    hub::access_changed(ctx, &[&user_id.to_string()]).await;
    Ok(n)
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct SessionSummary {
    pub id: String,
    pub label: String,
    pub ip: Option<String>,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub current: bool,
}

/// The person's signed-in sessions, most recent first.
pub async fn list(ctx: &Ctx, principal: &Principal) -> AppResult<Vec<SessionSummary>> {
    let user_id = require_self(principal)?;
    let current = match principal {
        Principal::User(u) => Some(u.session_id),
        _ => None,
    };
    let mut conn = ctx.store.reader().await?;
    let rows = sessions::for_user(&mut conn, user_id).await?;
    Ok(rows
        .into_iter()
        .map(|s| SessionSummary {
            current: current == Some(s.id),
            id: s.id.to_string(),
            label: s.label,
            ip: s.ip,
            created_at: s.created_at,
            last_seen_at: s.last_seen_at,
        })
        .collect())
}

/// Ends one of the person's sessions (e.g. a lost phone).
pub async fn end(ctx: &Ctx, client: &Client, principal: &Principal, session_id: SessionId) -> AppResult<()> {
    let user_id = require_self(principal)?;
    let mut tx = ctx.store.begin().await?;
    let s = sessions::by_id(&mut tx, session_id).await?.ok_or(AppError::NotFound)?;
    if s.user_id != user_id {
        return Err(AppError::NotFound);
    }
    sessions::delete(&mut tx, session_id).await?;
    let ev = event(
        Actor::User(user_id),
        "auth.session_closed",
        AuditAction::Delete,
        "session",
        client,
    )
    .target(session_id);
    audit::record(&mut tx, ev, ctx.clock.now()).await?;
    tx.commit().await?;
    hub::access_changed(ctx, &[&user_id.to_string()]).await;
    Ok(())
}

/// An account with a session on this device, for the account chooser.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DeviceAccount {
    pub session_id: String,
    pub name: String,
    pub email: String,
}

pub async fn device_accounts(ctx: &Ctx, device_token: &str) -> AppResult<Vec<DeviceAccount>> {
    let mut conn = ctx.store.reader().await?;
    let Some(device) = devices::by_token_hash(&mut conn, &hash_token(device_token)).await? else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    // Only completed sign-ins: a pending one proves nothing about who typed it.
    for s in sessions::for_device(&mut conn, device.id).await? {
        if s.stage != SessionStage::Active {
            continue;
        }
        if let Some(u) = users::by_id(&mut conn, &s.user_id.to_string()).await? {
            if u.deleted_at.is_none() {
                out.push(DeviceAccount {
                    session_id: s.id.to_string(),
                    name: u.name,
                    email: u.email,
                });
            }
        }
    }
    Ok(out)
}

/// The user a principal may manage the account of (only their own).
pub(crate) fn require_self(principal: &Principal) -> AppResult<UserId> {
    match principal {
        Principal::User(u) if may(principal, &Permission::ManageAccount(u.user_id)) => Ok(u.user_id),
        _ => Err(AppError::Forbidden),
    }
}

/// Puts another account of this device in front. Both the account left and
/// the one chosen are locked: on a shared device, only the PIN of the
/// chosen account opens it.
pub async fn switch_to(ctx: &Ctx, client: &Client, device_token: &str, target_session_id: SessionId) -> AppResult<()> {
    let mut tx = ctx.store.begin().await?;
    let device = devices::by_token_hash(&mut tx, &hash_token(device_token))
        .await?
        .ok_or(AppError::NotFound)?;
    let here = sessions::for_device(&mut tx, device.id).await?;
    let target = here
        .iter()
        .find(|s| s.id == target_session_id && s.stage == SessionStage::Active)
        .ok_or(AppError::NotFound)?;
    let mut locked: Vec<String> = Vec::new();
    for s in here.iter().filter(|s| s.stage == SessionStage::Active) {
        sessions::set_locked(&mut tx, s.id, true).await?;
        let user_id = s.user_id.to_string();
        if !locked.contains(&user_id) {
            locked.push(user_id);
        }
    }
    let actor = Actor::User(target.user_id);
    audit::record(
        &mut tx,
        event(actor, "auth.account_switched", AuditAction::Update, "session", client).target(target.id),
        ctx.clock.now(),
    )
    .await?;
    tx.commit().await?;
    let locked: Vec<&str> = locked.iter().map(String::as_str).collect();
    hub::access_changed(ctx, &locked).await;
    Ok(())
}
