//! EMR registrations: a network administrator registers an EMR (its FHIR
//! base URL, the `iss` of its launches; the client id Cercle has there; the
//! origins allowed to frame Cercle), changes or disables it. Audited.

use crate::{audit, AppError, AppResult, Client, Ctx};
use cercle_domain::audit::{Actor, AuditAction, NewAuditEvent};
use cercle_domain::policy::{may, Permission, Principal};
use cercle_domain::smart::{parse_issuer, parse_origin};
use cercle_domain::EmrId;
use cercle_store::smart::{self as store, EmrRow, NewEmr};

/// Most origins one EMR may list.
const MAX_ORIGINS: usize = 10;

/// An EMR as shown.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Emr {
    pub id: String,
    pub name: String,
    /// The FHIR base URL: the `iss` of its launches.
    pub issuer: String,
    pub client_id: String,
    /// Origins allowed to frame Cercle (`https://host[:port]`).
    pub frame_origins: Vec<String>,
    pub enabled: bool,
    pub created_at: i64,
}

/// An EMR as sent (on a change, the issuer is ignored: it names the EMR).
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct EmrInput {
    pub name: String,
    pub issuer: String,
    pub client_id: String,
    /// Origins allowed to frame Cercle, e.g. `https://emr.clinic.ca`.
    #[serde(default)]
    pub frame_origins: Vec<String>,
    /// Absent: enabled.
    pub enabled: Option<bool>,
}

pub fn view_of(r: &EmrRow) -> Emr {
    Emr {
        id: r.id.to_string(),
        name: r.name.clone(),
        issuer: r.issuer.clone(),
        client_id: r.client_id.clone(),
        frame_origins: origins_of(r),
        enabled: r.disabled_at.is_none(),
        created_at: r.created_at,
    }
}

/// The origins a row allows.
pub fn origins_of(r: &EmrRow) -> Vec<String> {
    r.frame_origins.split_whitespace().map(str::to_string).collect()
}

fn require_admin(principal: &Principal) -> AppResult<Actor> {
    if !may(principal, &Permission::AdministerNetwork) {
        return Err(AppError::Forbidden);
    }
    Ok(match principal {
        Principal::User(u) => Actor::User(u.user_id),
        _ => Actor::System,
    })
}

/// Plain HTTP only off production (a local test EMR).
fn allow_http(ctx: &Ctx) -> bool {
    !ctx.config.production
}

struct Checked {
    name: String,
    client_id: String,
    origins: String,
}

fn check(ctx: &Ctx, input: &EmrInput) -> AppResult<Checked> {
    let name = input.name.trim();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(cercle_domain::InputError::InvalidTitle.into());
    }
    let client_id = input.client_id.trim();
    if client_id.is_empty() || client_id.len() > 200 || !client_id.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(AppError::Conflict("emr-invalid-client-id"));
    }
    if input.frame_origins.len() > MAX_ORIGINS {
        return Err(AppError::Conflict("emr-invalid-origin"));
    }
    let mut origins = Vec::new();
    for raw in input.frame_origins.iter().flat_map(|o| o.split_whitespace()) {
        let o = parse_origin(raw, allow_http(ctx)).ok_or(AppError::Conflict("emr-invalid-origin"))?;
        if !origins.contains(&o) {
            origins.push(o);
        }
    }
    if origins.len() > MAX_ORIGINS {
        return Err(AppError::Conflict("emr-invalid-origin"));
    }
    Ok(Checked {
        name: name.to_string(),
        client_id: client_id.to_string(),
        origins: origins.join(" "),
    })
}

fn event(actor: Actor, name: &'static str, action: AuditAction, id: EmrId, client: &Client) -> NewAuditEvent {
    NewAuditEvent::new(actor, name, action, "emr")
        .target(id)
        .ip(client.ip.clone())
}

/// Registers an EMR.
pub async fn register(ctx: &Ctx, client: &Client, principal: &Principal, input: &EmrInput) -> AppResult<Emr> {
    let actor = require_admin(principal)?;
    let Actor::User(created_by) = actor else {
        return Err(AppError::Forbidden);
    };
    let c = check(ctx, input)?;
    let issuer = parse_issuer(&input.issuer, allow_http(ctx)).ok_or(AppError::Conflict("emr-invalid-issuer"))?;
    let now = ctx.clock.now();
    let id = EmrId::new();
    let mut tx = ctx.store.begin().await?;
    if store::emr_by_issuer(&mut tx, &issuer).await?.is_some() {
        return Err(AppError::Conflict("emr-issuer-taken"));
    }
    store::insert_emr(
        &mut tx,
        &NewEmr {
            id,
            name: &c.name,
            issuer: &issuer,
            client_id: &c.client_id,
            frame_origins: &c.origins,
            created_by,
        },
        now,
    )
    .await?;
    if input.enabled == Some(false) {
        store::update_emr(&mut tx, id, &c.name, &c.client_id, &c.origins, Some(now.0)).await?;
    }
    audit::record(
        &mut tx,
        event(actor, "emr.registered", AuditAction::Create, id, client),
        now,
    )
    .await?;
    let row = store::emr(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(view_of(&row))
}

/// Changes an EMR's name, client id, origins, or enables/disables it.
pub async fn update(ctx: &Ctx, client: &Client, principal: &Principal, id: EmrId, input: &EmrInput) -> AppResult<Emr> {
    let actor = require_admin(principal)?;
    let c = check(ctx, input)?;
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    let row = store::emr(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    let disabled_at = match input.enabled {
        Some(false) => Some(row.disabled_at.unwrap_or(now.0)),
        Some(true) => None,
        None => row.disabled_at,
    };
    store::update_emr(&mut tx, id, &c.name, &c.client_id, &c.origins, disabled_at).await?;
    audit::record(
        &mut tx,
        event(actor, "emr.updated", AuditAction::Update, id, client),
        now,
    )
    .await?;
    let row = store::emr(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(view_of(&row))
}

/// Every registered EMR.
pub async fn list(ctx: &Ctx, principal: &Principal) -> AppResult<Vec<Emr>> {
    require_admin(principal)?;
    let mut conn = ctx.store.reader().await?;
    Ok(store::emrs(&mut conn).await?.iter().map(view_of).collect())
}

/// The origins allowed to frame Cercle's SMART pages and launch sessions:
/// those of every enabled EMR (no principal: the web layer's headers ask).
pub async fn frame_origins(ctx: &Ctx) -> AppResult<Vec<String>> {
    let mut conn = ctx.store.reader().await?;
    let mut all: Vec<String> = Vec::new();
    for r in store::emrs(&mut conn).await? {
        if r.disabled_at.is_none() {
            for o in origins_of(&r) {
                if !all.contains(&o) {
                    all.push(o);
                }
            }
        }
    }
    Ok(all)
}
