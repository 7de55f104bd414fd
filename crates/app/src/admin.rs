//! Network administration: the first administrator, and reading the
//! network's security log.

use crate::accounts::reset::send_link;
use crate::{audit, AppError, AppResult, Ctx};
use cercle_domain::audit::{Actor, AuditAction, AuditRecord, NewAuditEvent};
use cercle_domain::error::PersonName;
use cercle_domain::policy::{may, Permission, Principal};
use cercle_domain::{Email, Language, UserId};
use cercle_store::users;

/// How long the first administrator's set-password link lives.
const BOOTSTRAP_LINK_TTL_SECS: i64 = 72 * 3600;

/// Creates the first network administrator on a network that has none, and
/// returns the link where they choose a password (also emailed). Their
/// first sign-in then asks for the terms, a recovery code and a PIN.
pub async fn bootstrap(
    ctx: &Ctx,
    principal: &Principal,
    email: &str,
    name: &str,
    language: Language,
) -> AppResult<String> {
    if !may(principal, &Permission::AdministerNetwork) {
        return Err(AppError::Forbidden);
    }
    let email = Email::parse(email)?;
    let name = PersonName::parse(name)?;
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    if users::count_network_admins(&mut tx).await? > 0 {
        return Err(AppError::Conflict("already-bootstrapped"));
    }
    let id = UserId::new();
    // No one knows this password: the emailed link sets the real one.
    let unusable = ctx.hasher.hash(&crate::secrets::random_token()).await?;
    users::insert(
        &mut tx,
        &users::NewUser {
            id: &id.to_string(),
            email: email.as_str(),
            name: name.as_str(),
            language: language.code(),
            password_hash: &unusable,
            network_admin: true,
        },
        now,
    )
    .await
    .map_err(|e| match e {
        cercle_store::StoreError::Conflict => AppError::Conflict("email-taken"),
        other => other.into(),
    })?;
    users::set(
        &mut tx,
        &id.to_string(),
        &[(users::Field::EmailVerifiedAt, now.into())],
        now,
    )
    .await?;
    crate::search_index::person(&mut tx, &id.to_string(), now).await?;
    let u = users::get(&mut tx, &id.to_string()).await?;
    let link = send_link(ctx, &mut tx, &u, BOOTSTRAP_LINK_TTL_SECS, true).await?;
    audit::record(
        &mut tx,
        NewAuditEvent::new(Actor::System, "network.bootstrap", AuditAction::Create, "user").target(id),
        now,
    )
    .await?;
    ctx.commit_and_send(tx).await?;
    Ok(link)
}

/// The newest audit records (network administrators and auditors), or the
/// person's own security events.
pub async fn audit_log(ctx: &Ctx, principal: &Principal, own_only: bool, limit: i64) -> AppResult<Vec<AuditRecord>> {
    let limit = limit.clamp(1, 500);
    let actor = match principal {
        Principal::User(u) if own_only => Some(u.user_id),
        _ if may(principal, &Permission::ReadNetworkAudit) => None,
        _ => return Err(AppError::Forbidden),
    };
    let mut conn = ctx.store.reader().await?;
    Ok(cercle_store::audit::recent(&mut conn, actor, limit).await?)
}
