//! Instant mobile connect (issue 18, part 4). A signed-in, unlocked session
//! (the web app on a computer) makes a code: a 256-bit random secret carried
//! in the fragment of a link (`/connect#<secret>`), which browsers never
//! send to a server, so it reaches no log nor proxy. Only its SHA-256 is
//! stored, with the account, the session that made it, its expiry (two
//! minutes) and whether it was used.
//!
//! The phone that opens the link gets a new session of the same account,
//! created **locked**: the account's PIN unlocks it, as on any device. The
//! code never sets a PIN: a PIN chosen on the phone would open the account
//! with the code alone, without the password nor the second factor.
//!
//! A code opens nothing once used, after two minutes, or once the session
//! that made it is signed out or locked. Every code made, used or refused
//! is audited (never the secret); makers and redeemers are rate-limited.

use super::session::require_self;
use super::{event, Holder};
use crate::secrets::{hash_token, random_token};
use crate::{audit, AppError, AppResult, Client, Ctx};
use cercle_domain::audit::{Actor, AuditAction};
use cercle_domain::events::{EventKind, Topic};
use cercle_domain::policy::Principal;
use cercle_domain::session::{
    connect_secret_well_formed, is_locked, limits, ConnectRefusal, SessionPurpose, SessionStage,
};
use cercle_domain::{CodeId, DeviceId, SessionId, UserId};
use cercle_store::connect_codes::{self, NewConnectCode};
use cercle_store::{devices, rate_limits, sessions, users};

/// Codes are kept this long after they expire (a reused or expired code is
/// told apart from an unknown one), then forgotten.
const KEEP_AFTER_EXPIRY_SECS: i64 = 24 * 3600;

/// A code just made: shown once, never stored as such.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ConnectCode {
    /// The link to open on the phone; the secret is its fragment.
    pub link: String,
    /// The secret alone (for a client that builds its own link or QR code).
    pub secret: String,
    /// When it stops working (Unix ms).
    pub expires_at: i64,
}

/// What the phone gets: a locked session of the account.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Connected {
    pub session_id: String,
    /// Bearer token, for API clients only (a browser uses its device cookie).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// Always `locked`: the account's PIN unlocks it (`POST /auth/unlock`).
    pub state: String,
}

/// Makes a code for the principal's own account, bound to the session
/// that asks (which must be signed in and unlocked: a principal is).
pub async fn create(ctx: &Ctx, client: &Client, principal: &Principal) -> AppResult<ConnectCode> {
    let user_id = require_self(principal)?;
    let Principal::User(me) = principal else {
        return Err(AppError::Forbidden);
    };
    let now = ctx.clock.now();
    let key = format!("connect:user:{user_id}");
    {
        let mut conn = ctx.store.reader().await?;
        if rate_limits::peek(&mut conn, &key, limits::CONNECT_CODE_WINDOW_SECS, now).await?
            >= limits::CONNECT_CODES_PER_WINDOW
        {
            return Err(AppError::RateLimited);
        }
    }
    let secret = random_token();
    let id = CodeId::new();
    let expires_at = now.plus_secs(limits::CONNECT_CODE_TTL_SECS);
    let mut tx = ctx.store.begin().await?;
    rate_limits::hit(&mut tx, &key, limits::CONNECT_CODE_WINDOW_SECS, now).await?;
    connect_codes::purge_expired(&mut tx, now.minus_secs(KEEP_AFTER_EXPIRY_SECS)).await?;
    connect_codes::insert(
        &mut tx,
        &NewConnectCode {
            id,
            secret_hash: &hash_token(&secret),
            user_id,
            session_id: me.session_id,
            expires_at,
        },
        now,
    )
    .await?;
    audit::record(
        &mut tx,
        event(
            Actor::User(user_id),
            "auth.connect_code_created",
            AuditAction::Create,
            "connect_code",
            client,
        )
        .target(id)
        .scope("session", me.session_id),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(ConnectCode {
        link: format!("{}/connect#{secret}", ctx.config.public_url.trim_end_matches('/')),
        secret,
        expires_at: expires_at.0,
    })
}

/// Opens a locked session of the code's account for `holder` (a browser's
/// device, or an API client that gets a bearer token), or says why not.
pub async fn redeem(ctx: &Ctx, client: &Client, holder: Holder<'_>, secret: &str) -> AppResult<Connected> {
    super::check_address(ctx, "connect", client).await?;
    let now = ctx.clock.now();
    if !connect_secret_well_formed(secret) {
        return Err(refuse(ctx, client, None, ConnectRefusal::Malformed).await);
    }
    let code = {
        let mut conn = ctx.store.reader().await?;
        connect_codes::by_secret_hash(&mut conn, &hash_token(secret)).await?
    };
    let Some(code) = code else {
        return Err(refuse(ctx, client, None, ConnectRefusal::Unknown).await);
    };
    let refused = |why| refuse(ctx, client, Some((code.user_id, code.id)), why);
    if code.used_at.is_some() {
        return Err(refused(ConnectRefusal::Used).await);
    }
    if code.expires_at <= now.0 {
        return Err(refused(ConnectRefusal::Expired).await);
    }
    // The session that showed the code: still signed in, still unlocked.
    let (maker, user) = {
        let mut conn = ctx.store.reader().await?;
        (
            sessions::by_id(&mut conn, code.session_id).await?,
            users::by_id(&mut conn, &code.user_id.to_string()).await?,
        )
    };
    let user = user.filter(|u| u.deleted_at.is_none());
    let maker = maker.filter(|s| {
        s.stage == SessionStage::Active
            && s.user_id == code.user_id
            && now.0 - s.last_seen_at <= limits::SESSION_MAX_IDLE_SECS * 1000
    });
    let (Some(maker), Some(_)) = (maker, user) else {
        return Err(refused(ConnectRefusal::CreatorSignedOut).await);
    };
    if is_locked(
        maker.locked,
        cercle_domain::Timestamp(maker.last_seen_at),
        now,
        ctx.config.idle_lock_secs,
    ) {
        return Err(refused(ConnectRefusal::CreatorLocked).await);
    }

    let mut tx = ctx.store.begin().await?;
    let (session_id, token) = locked_session(ctx, &mut tx, holder, client, code.user_id).await?;
    if !connect_codes::mark_used(&mut tx, code.id, session_id, now).await? {
        // Another request used it first: nothing of this one is kept.
        drop(tx);
        return Err(refused(ConnectRefusal::Used).await);
    }
    audit::record(
        &mut tx,
        event(
            Actor::User(code.user_id),
            "auth.connect_code_redeemed",
            AuditAction::Create,
            "session",
            client,
        )
        .target(session_id)
        .scope("connect_code", code.id)
        .scope("session", code.session_id),
        now,
    )
    .await?;
    // "Connected on a new device", live on the person's pages.
    let topic = Topic::Person(code.user_id);
    let payload = serde_json::json!({ "session_id": session_id.to_string(), "label": client.label }).to_string();
    cercle_store::events::append_event(&mut tx, &topic, EventKind::DeviceConnected, &payload, now).await?;
    ctx.bus.durable_in(&mut tx, &topic).await?;
    tx.commit().await?;
    ctx.bus.committed().await;
    Ok(Connected {
        session_id: session_id.to_string(),
        token,
        state: "locked".into(),
    })
}

/// A signed-in, locked session of `user_id` for the holder. A browser that
/// already holds a session of this account keeps that one, locked (as a
/// second sign-in on a shared device does).
async fn locked_session(
    ctx: &Ctx,
    conn: &mut cercle_store::Conn,
    holder: Holder<'_>,
    client: &Client,
    user_id: UserId,
) -> AppResult<(SessionId, Option<String>)> {
    let now = ctx.clock.now();
    let (device_id, token) = match holder {
        Holder::Bearer => (None, Some(random_token())),
        Holder::Device(device_token) => {
            let hash = hash_token(device_token);
            let id = match devices::by_token_hash(conn, &hash).await? {
                Some(d) => {
                    let here = sessions::for_device(conn, d.id).await?;
                    if let Some(s) = here
                        .into_iter()
                        .find(|s| s.user_id == user_id && s.stage == SessionStage::Active)
                    {
                        sessions::set_locked(conn, s.id, true).await?;
                        return Ok((s.id, None));
                    }
                    d.id
                }
                None => {
                    let id = DeviceId::new();
                    devices::insert(conn, id, &hash, &client.label, now).await?;
                    id
                }
            };
            (Some(id), None)
        }
    };
    let session_id = SessionId::new();
    let token_hash = token.as_deref().map(hash_token);
    sessions::insert(
        conn,
        &sessions::NewSession {
            id: session_id,
            user_id,
            device_id,
            token_hash: token_hash.as_deref(),
            stage: SessionStage::Active,
            purpose: SessionPurpose::SignIn,
            factor: None,
            label: &client.label,
            ip: client.ip.as_deref(),
        },
        now,
    )
    .await?;
    sessions::set_locked(conn, session_id, true).await?;
    Ok((session_id, token))
}

/// Audits a refusal, counts it against the address, and gives the error.
async fn refuse(ctx: &Ctx, client: &Client, code: Option<(UserId, CodeId)>, why: ConnectRefusal) -> AppError {
    let now = ctx.clock.now();
    let outcome: AppResult<()> = async {
        let mut tx = ctx.store.begin().await?;
        super::count_address_failure(ctx, &mut tx, "connect", client).await?;
        let actor = code.map_or(Actor::Anonymous, |(user, _)| Actor::User(user));
        let mut ev = event(
            actor,
            "auth.connect_code_refused",
            AuditAction::Create,
            "connect_code",
            client,
        )
        .scope("reason", why.code());
        if let Some((_, id)) = code {
            ev = ev.target(id);
        }
        audit::record(&mut tx, ev, now).await?;
        tx.commit().await?;
        Ok(())
    }
    .await;
    match outcome {
        Ok(()) => AppError::ConnectRefused(why),
        // A refusal that cannot be recorded is refused all the same, with
        // the storage's reason.
        Err(e) => e,
    }
}
