//! Whose time zone a date is shown in: the reader's own if they chose one,
//! else their active organization's, else America/Montreal. Organizations
//! hold theirs as data, set by an administrator of the whole organization.

use crate::org_scope::OrgScope;
use crate::secrets::hash_token;
use crate::{audit, AppError, AppResult, Client, Ctx};
use cercle_domain::audit::AuditAction;
use cercle_domain::local_time::Zone;
use cercle_domain::policy::Principal;
use cercle_domain::roles::Permission;
use cercle_domain::SessionId;
use cercle_store::{orgs, sessions, users};

/// The zone of whoever uses a browser session (the default when there is
/// none, or when the database cannot say: a date shown in the default zone
/// is better than no page).
pub async fn reader_zone(ctx: &Ctx, device_token: &str, session_id: &str) -> Zone {
    // A device token this server did not issue has no session: no query.
    let Ok(session_id) = session_id.parse::<SessionId>() else {
        return Zone::default();
    };
    if !crate::accounts::device::is_issued(ctx, device_token) {
        return Zone::default();
    }
    let Ok(mut conn) = ctx.store.reader().await else {
        return Zone::default();
    };
    match sessions::reader_time_zones(&mut conn, &hash_token(device_token), session_id).await {
        Ok(Some((own, org))) => Zone::first_of(&[own.as_deref(), org.as_deref()]),
        _ => Zone::default(),
    }
}

/// What the security page shows: the person's own choice, their active
/// organization's zone, and the one in force.
#[derive(Debug, Clone)]
pub struct MyTimeZone {
    pub own: Option<String>,
    pub organization: Option<String>,
    pub effective: Zone,
}

pub async fn my_time_zone(ctx: &Ctx, principal: &Principal) -> AppResult<MyTimeZone> {
    let Principal::User(p) = principal else {
        return Err(AppError::Forbidden);
    };
    let mut conn = ctx.store.reader().await?;
    let (own, organization) = users::time_zones(&mut conn, &p.user_id.to_string()).await?;
    let effective = Zone::first_of(&[own.as_deref(), organization.as_deref()]);
    Ok(MyTimeZone {
        own,
        organization,
        effective,
    })
}

/// The active organization's zone (anyone of the organization may read it).
pub async fn organization_zone(ctx: &Ctx, scope: &OrgScope) -> AppResult<Zone> {
    let mut conn = ctx.store.reader().await?;
    let org = orgs::org_by_id(&mut conn, scope.org_id)
        .await?
        .ok_or(AppError::NoActiveOrganization)?;
    Ok(Zone::first_of(&[Some(&org.time_zone)]))
}

/// Whether the person may change the organization's settings: an
/// administrator of its root unit (so of the whole organization).
pub fn may_set_organization_zone(scope: &OrgScope) -> bool {
    cercle_domain::policy::roles::holds(
        &scope.grants,
        Permission::ManageUnits,
        &cercle_domain::policy::roles::child_path(None, &scope.root_unit_id.to_string()),
    )
}

/// Sets the organization's time zone (an IANA name, checked); recorded in
/// the audit log.
pub async fn set_organization_zone(ctx: &Ctx, client: &Client, scope: &OrgScope, raw: &str) -> AppResult<Zone> {
    let mut conn = ctx.store.reader().await?;
    let root = orgs::unit_in(&mut conn, scope.org_id, scope.root_unit_id)
        .await?
        .ok_or(AppError::NotFound)?;
    drop(conn);
    scope.require(Permission::ManageUnits, &root)?;
    let zone = Zone::parse(raw)?;
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    orgs::set_time_zone(&mut tx, scope.org_id, zone.name()).await?;
    audit::record(
        &mut tx,
        scope
            .event(
                "org.time_zone_changed",
                AuditAction::Update,
                "organization",
                scope.root_unit_id,
                client,
            )
            .target(scope.org_id)
            .scope("time_zone", zone.name()),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(zone)
}
