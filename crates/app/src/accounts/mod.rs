//! Accounts and sessions: sign-up, sign-in, second factors, PIN lock,
//! recovery, password reset and security settings (SPEC section 1).

pub mod connect;
pub mod device;
pub mod languages;
pub mod reset;
pub mod security;
pub mod session;
pub mod signin;
pub mod signup;

use crate::{AppError, AppResult, Client, Ctx};
use cercle_domain::audit::{Actor, AuditAction, NewAuditEvent};
use cercle_domain::session::{limits, SecondFactor};
use cercle_domain::{Email, Language, Phone};
use cercle_store::users::UserRow;
use cercle_store::{rate_limits, Conn};

pub use device::NewDeviceToken;
pub use session::{Activity, Credential, SessionState, SessionView, SetupStep};

/// What a client learns after the password (or the sign-up form): a session
/// waiting for its code.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Started {
    pub session_id: String,
    /// Bearer token, for API clients only (web clients use their device cookie).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    pub factor: SecondFactor,
    /// Where the code went, masked (`m•••@clinique.ca`, `•••• ••• ••34`).
    pub destination: String,
}

/// How the client holds its session: API clients get a bearer token; web
/// clients present their device cookie.
#[derive(Debug, Clone, Copy)]
pub enum Holder<'a> {
    Bearer,
    Device(&'a str),
}

/// The signed-in person, as screens and the API show them.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Me {
    pub id: String,
    pub email: String,
    pub name: String,
    pub language: Language,
    pub second_factor: SecondFactor,
    pub phone: Option<String>,
    pub phone_verified: bool,
    pub network_admin: bool,
}

impl Me {
    pub fn from_row(u: &UserRow) -> Me {
        Me {
            id: u.id.clone(),
            email: u.email.clone(),
            name: u.name.clone(),
            language: Language::parse(&u.language).unwrap_or_default(),
            second_factor: u.second_factor,
            phone: u.phone.clone(),
            phone_verified: u.phone_verified_at.is_some(),
            network_admin: u.network_admin,
        }
    }
}

pub(crate) fn mask_email(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}•••@{domain}")
        }
        None => "•••".into(),
    }
}

/// Where the code of `factor` goes, masked for display.
pub fn destination(u: &UserRow, factor: SecondFactor) -> String {
    match factor {
        SecondFactor::Email => mask_email(&u.email),
        SecondFactor::Sms => u
            .phone
            .as_deref()
            .and_then(|p| Phone::parse(p).ok())
            .map(|p| p.masked())
            .unwrap_or_default(),
        SecondFactor::Totp => String::new(),
    }
}

/// An audit event about accounts, from `actor`, with the client's address.
/// "Locked until …", in the person's time zone (the default one if the
/// database cannot say).
pub(crate) async fn locked(ctx: &Ctx, u: &UserRow, until: cercle_domain::Timestamp) -> AppError {
    let zone = match ctx.store.reader().await {
        Ok(mut conn) => match crate::acting::user_id_of(u) {
            Ok(id) => crate::acting::zone_of(&mut conn, id).await.unwrap_or_default(),
            Err(_) => cercle_domain::local_time::Zone::default(),
        },
        Err(_) => cercle_domain::local_time::Zone::default(),
    };
    AppError::AccountLocked { until, zone }
}

pub(crate) fn event(
    actor: Actor,
    name: &'static str,
    action: AuditAction,
    target: &'static str,
    client: &Client,
) -> NewAuditEvent {
    NewAuditEvent::new(actor, name, action, target).ip(client.ip.clone())
}

/// Refuses when this address already failed too often at `kind`.
pub(crate) async fn check_address(ctx: &Ctx, kind: &str, client: &Client) -> AppResult<()> {
    let Some(ip) = &client.ip else { return Ok(()) };
    let mut conn = ctx.store.reader().await?;
    let n = rate_limits::peek(
        &mut conn,
        &format!("{kind}:ip:{ip}"),
        limits::ADDRESS_WINDOW_SECS,
        ctx.clock.now(),
    )
    .await?;
    if n >= limits::ADDRESS_ATTEMPTS_PER_WINDOW {
        return Err(AppError::RateLimited);
    }
    Ok(())
}

/// Counts a failure of `kind` from this address.
pub(crate) async fn count_address_failure(ctx: &Ctx, conn: &mut Conn, kind: &str, client: &Client) -> AppResult<()> {
    if let Some(ip) = &client.ip {
        rate_limits::hit(
            conn,
            &format!("{kind}:ip:{ip}"),
            limits::ADDRESS_WINDOW_SECS,
            ctx.clock.now(),
        )
        .await?;
    }
    Ok(())
}

pub(crate) fn parse_email(raw: &str) -> AppResult<Email> {
    Ok(Email::parse(raw)?)
}
