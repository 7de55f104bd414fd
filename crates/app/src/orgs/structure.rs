//! Organizations, the unit tree, workplaces and teams.

use super::{clean_name, name_taken, OrgScope};
use crate::{audit, AppError, AppResult, Client, Ctx};
use cercle_domain::audit::{Actor, AuditAction, NewAuditEvent};
use cercle_domain::orgs::WorkplaceKind;
use cercle_domain::policy::{may, Permission as NetworkPermission, Principal};
use cercle_domain::roles::{child_path, is_within, Permission};
use cercle_domain::{OrgId, TeamId, UnitId, WorkplaceId};
use cercle_store::orgs::{self, OrgRow, TeamRow, UnitRow, WorkplaceRow};
use cercle_store::{members, users};

/// Creates an organization with its root unit (network administrators).
/// Its first administrator is invited separately with [`super::membership::invite`].
pub async fn create_organization(ctx: &Ctx, client: &Client, principal: &Principal, name: &str) -> AppResult<OrgRow> {
    let mut tx = ctx.store.begin().await?;
    let org = insert_organization(ctx, &mut tx, client, principal, name).await?;
    tx.commit().await?;
    Ok(org)
}

/// Creates an organization and invites its first administrator, together:
/// an organization never exists without someone invited to run it.
#[allow(clippy::too_many_arguments)]
pub async fn create_organization_with_admin(
    ctx: &Ctx,
    client: &Client,
    principal: &Principal,
    name: &str,
    admin_email: &str,
    admin_name: &str,
    admin_language: cercle_domain::Language,
) -> AppResult<(OrgRow, super::membership::Invited)> {
    let mut tx = ctx.store.begin().await?;
    let org = insert_organization(ctx, &mut tx, client, principal, name).await?;
    let invited = super::membership::first_admin_in(
        ctx,
        &mut tx,
        client,
        principal,
        &org,
        admin_email,
        admin_name,
        admin_language,
    )
    .await?;
    ctx.commit_and_send(tx).await?;
    Ok((org, invited))
}

async fn insert_organization(
    ctx: &Ctx,
    tx: &mut cercle_store::Conn,
    client: &Client,
    principal: &Principal,
    name: &str,
) -> AppResult<OrgRow> {
    if !may(principal, &NetworkPermission::AdministerNetwork) {
        return Err(AppError::Forbidden);
    }
    let name = clean_name(name)?;
    let now = ctx.clock.now();
    let org_id = OrgId::new();
    let root_id = UnitId::new();
    orgs::insert_org(&mut *tx, org_id, &name, root_id, now)
        .await
        .map_err(name_taken)?;
    let root = UnitRow {
        id: root_id,
        org_id,
        parent_id: None,
        name: name.clone(),
        path: child_path(None, &root_id.to_string()),
        archived_at: None,
    };
    orgs::insert_unit(&mut *tx, &root, now).await.map_err(name_taken)?;
    let actor = match principal {
        Principal::User(u) => Actor::User(u.user_id),
        _ => Actor::System,
    };
    let ev = NewAuditEvent::new(actor, "org.created", AuditAction::Create, "organization")
        .target(org_id)
        .in_unit(org_id, root_id)
        .ip(client.ip.clone());
    audit::record(&mut *tx, ev, now).await?;
    Ok(OrgRow {
        id: org_id,
        name,
        root_unit_id: root_id,
        archived_at: None,
        time_zone: cercle_domain::local_time::DEFAULT_TIME_ZONE.to_string(),
    })
}

/// Every organization of the network (network administrators).
pub async fn all_organizations(ctx: &Ctx, principal: &Principal) -> AppResult<Vec<OrgRow>> {
    if !may(principal, &NetworkPermission::AdministerNetwork) {
        return Err(AppError::Forbidden);
    }
    let mut conn = ctx.store.reader().await?;
    Ok(orgs::all_orgs(&mut conn).await?)
}

/// The organizations a person belongs to, and which one is active.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct MyOrganizations {
    pub active: Option<String>,
    pub organizations: Vec<OrgChoice>,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct OrgChoice {
    pub id: String,
    pub name: String,
}

pub async fn my_organizations(ctx: &Ctx, principal: &Principal) -> AppResult<MyOrganizations> {
    let Principal::User(p) = principal else {
        return Err(AppError::Forbidden);
    };
    let mut conn = ctx.store.reader().await?;
    let list = members::orgs_of_user(&mut conn, p.user_id).await?;
    let active = users::active_org(&mut conn, &p.user_id.to_string())
        .await?
        .filter(|a| list.iter().any(|(id, _)| id.to_string() == *a));
    Ok(MyOrganizations {
        active,
        organizations: list
            .into_iter()
            .map(|(id, name)| OrgChoice {
                id: id.to_string(),
                name,
            })
            .collect(),
    })
}

/// Makes another of one's organizations the active one (explicitly, never implied).
pub async fn switch_organization(ctx: &Ctx, client: &Client, principal: &Principal, org_id: OrgId) -> AppResult<()> {
    let Principal::User(p) = principal else {
        return Err(AppError::Forbidden);
    };
    let user_id = p.user_id.to_string();
    let mut tx = ctx.store.begin().await?;
    if !members::is_member(&mut tx, org_id, p.user_id).await? {
        return Err(AppError::NotFound);
    }
    let org = orgs::org_by_id(&mut tx, org_id).await?.ok_or(AppError::NotFound)?;
    users::set_active_org(&mut tx, &user_id, Some(&org_id.to_string())).await?;
    let ev = NewAuditEvent::new(Actor::User(p.user_id), "org.switched", AuditAction::Update, "user")
        .target(&user_id)
        .in_unit(org_id, org.root_unit_id)
        .ip(client.ip.clone());
    audit::record(&mut tx, ev, ctx.clock.now()).await?;
    tx.commit().await?;
    // Open connections follow the organization now active.
    crate::threads::hub::access_changed(ctx, &[&user_id]).await;
    Ok(())
}

/// Units, workplaces and teams of the active organization (any member).
#[derive(Debug, Clone)]
pub struct Structure {
    pub units: Vec<UnitRow>,
    pub workplaces: Vec<WorkplaceRow>,
    pub teams: Vec<TeamRow>,
}

pub async fn structure(ctx: &Ctx, client: &Client, scope: &OrgScope) -> AppResult<Structure> {
    let mut conn = ctx.store.reader().await?;
    let s = Structure {
        units: orgs::units_of(&mut conn, scope.org_id).await?,
        workplaces: orgs::workplaces_of(&mut conn, scope.org_id).await?,
        teams: orgs::teams_of(&mut conn, scope.org_id).await?,
    };
    drop(conn);
    audit::record_alone(
        ctx,
        scope.event(
            "org.structure_listed",
            AuditAction::List,
            "unit",
            scope.root_unit_id,
            client,
        ),
    )
    .await?;
    Ok(s)
}

pub async fn create_unit(
    ctx: &Ctx,
    client: &Client,
    scope: &OrgScope,
    parent_id: UnitId,
    name: &str,
) -> AppResult<UnitRow> {
    let parent = scope.unit(ctx, parent_id).await?;
    scope.require(Permission::ManageUnits, &parent)?;
    if parent.archived_at.is_some() {
        return Err(AppError::Conflict("archived"));
    }
    let name = clean_name(name)?;
    let id = UnitId::new();
    let unit = UnitRow {
        id,
        org_id: scope.org_id,
        parent_id: Some(parent.id),
        name,
        path: child_path(Some(&parent.path), &id.to_string()),
        archived_at: None,
    };
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    orgs::insert_unit(&mut tx, &unit, now).await.map_err(name_taken)?;
    audit::record(
        &mut tx,
        scope
            .event("org.unit_created", AuditAction::Create, "unit", id, client)
            .target(id),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(unit)
}

pub async fn rename_unit(ctx: &Ctx, client: &Client, scope: &OrgScope, unit_id: UnitId, name: &str) -> AppResult<()> {
    let unit = scope.unit(ctx, unit_id).await?;
    scope.require(Permission::ManageUnits, &unit)?;
    let name = clean_name(name)?;
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    orgs::rename_unit(&mut tx, unit.id, &name).await.map_err(name_taken)?;
    audit::record(
        &mut tx,
        scope
            .event("org.unit_renamed", AuditAction::Update, "unit", unit.id, client)
            .target(unit.id),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Moves a unit (and everything below it) under another unit.
pub async fn move_unit(
    ctx: &Ctx,
    client: &Client,
    scope: &OrgScope,
    unit_id: UnitId,
    new_parent_id: UnitId,
) -> AppResult<()> {
    let unit = scope.unit(ctx, unit_id).await?;
    let parent = scope.unit(ctx, new_parent_id).await?;
    scope.require(Permission::ManageUnits, &unit)?;
    scope.require(Permission::ManageUnits, &parent)?;
    if unit.parent_id.is_none() {
        return Err(AppError::Conflict("root-unit"));
    }
    if is_within(&parent.path, &unit.path) {
        return Err(AppError::Conflict("unit-cycle"));
    }
    let new_path = child_path(Some(&parent.path), &unit.id.to_string());
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    orgs::move_unit(&mut tx, scope.org_id, unit.id, parent.id, &unit.path, &new_path)
        .await
        .map_err(name_taken)?;
    audit::record(
        &mut tx,
        scope
            .event("org.unit_moved", AuditAction::Update, "unit", unit.id, client)
            .target(unit.id),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Archives (or restores) a unit. The root unit stays.
pub async fn archive_unit(
    ctx: &Ctx,
    client: &Client,
    scope: &OrgScope,
    unit_id: UnitId,
    archived: bool,
) -> AppResult<()> {
    let unit = scope.unit(ctx, unit_id).await?;
    scope.require(Permission::ManageUnits, &unit)?;
    if unit.parent_id.is_none() {
        return Err(AppError::Conflict("root-unit"));
    }
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    orgs::set_unit_archived(&mut tx, unit.id, archived.then_some(now)).await?;
    let name = if archived {
        "org.unit_archived"
    } else {
        "org.unit_restored"
    };
    audit::record(
        &mut tx,
        scope
            .event(name, AuditAction::Update, "unit", unit.id, client)
            .target(unit.id),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// What describes a workplace.
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
pub struct WorkplaceInput {
    pub unit_id: String,
    pub name: String,
    /// clinic, pharmacy, hospital, community, other
    pub kind: String,
    pub address: String,
    pub phone: Option<String>,
}

pub(crate) fn check_workplace(input: &WorkplaceInput) -> AppResult<(String, WorkplaceKind, String, Option<String>)> {
    let name = clean_name(&input.name)?;
    let kind = WorkplaceKind::parse(&input.kind).ok_or(AppError::Conflict("invalid-kind"))?;
    let address = input.address.trim().to_string();
    if address.chars().count() > 300 || address.chars().any(char::is_control) {
        return Err(AppError::Conflict("invalid-address"));
    }
    let phone = match input.phone.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        Some(p) => Some(cercle_domain::Phone::parse(p)?.as_str().to_string()),
        None => None,
    };
    Ok((name, kind, address, phone))
}

pub async fn create_workplace(
    ctx: &Ctx,
    client: &Client,
    scope: &OrgScope,
    input: &WorkplaceInput,
) -> AppResult<WorkplaceRow> {
    let unit = scope.unit(ctx, input.unit_id.parse()?).await?;
    scope.require(Permission::ManageWorkplaces, &unit)?;
    let (name, kind, address, phone) = check_workplace(input)?;
    let id = WorkplaceId::new();
    let w = WorkplaceRow {
        id,
        org_id: scope.org_id,
        unit_id: unit.id,
        name,
        kind,
        address,
        phone,
        archived_at: None,
    };
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    orgs::insert_workplace(&mut tx, &w, now).await.map_err(name_taken)?;
    crate::search_index::workplace(&mut tx, id, now).await?;
    audit::record(
        &mut tx,
        scope
            .event(
                "org.workplace_created",
                AuditAction::Create,
                "workplace",
                unit.id,
                client,
            )
            .target(id),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(w)
}

pub async fn update_workplace(
    ctx: &Ctx,
    client: &Client,
    scope: &OrgScope,
    id: WorkplaceId,
    input: &WorkplaceInput,
    archived: bool,
) -> AppResult<WorkplaceRow> {
    let existing = {
        let mut conn = ctx.store.reader().await?;
        orgs::workplace_in(&mut conn, scope.org_id, id)
            .await?
            .ok_or(AppError::NotFound)?
    };
    let old_unit = scope.unit(ctx, existing.unit_id).await?;
    let new_unit = scope.unit(ctx, input.unit_id.parse()?).await?;
    scope.require(Permission::ManageWorkplaces, &old_unit)?;
    scope.require(Permission::ManageWorkplaces, &new_unit)?;
    let (name, kind, address, phone) = check_workplace(input)?;
    let now = ctx.clock.now();
    let w = WorkplaceRow {
        name,
        kind,
        address,
        phone,
        unit_id: new_unit.id,
        archived_at: if archived {
            existing.archived_at.or(Some(now.0))
        } else {
            None
        },
        ..existing
    };
    let mut tx = ctx.store.begin().await?;
    orgs::update_workplace(&mut tx, &w).await.map_err(name_taken)?;
    crate::search_index::workplace(&mut tx, id, now).await?;
    audit::record(
        &mut tx,
        scope
            .event(
                "org.workplace_updated",
                AuditAction::Update,
                "workplace",
                new_unit.id,
                client,
            )
            .target(id),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(w)
}

#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
pub struct TeamInput {
    pub unit_id: String,
    pub workplace_id: Option<String>,
    pub name: String,
}

async fn check_team(
    ctx: &Ctx,
    scope: &OrgScope,
    input: &TeamInput,
) -> AppResult<(UnitRow, Option<WorkplaceId>, String)> {
    let unit = scope.unit(ctx, input.unit_id.parse()?).await?;
    scope.require(Permission::ManageTeams, &unit)?;
    let workplace = match input.workplace_id.as_deref().filter(|w| !w.is_empty()) {
        Some(w) => {
            let mut conn = ctx.store.reader().await?;
            Some(
                orgs::workplace_in(&mut conn, scope.org_id, w.parse()?)
                    .await?
                    .ok_or(AppError::NotFound)?
                    .id,
            )
        }
        None => None,
    };
    Ok((unit, workplace, clean_name(&input.name)?))
}

pub async fn create_team(ctx: &Ctx, client: &Client, scope: &OrgScope, input: &TeamInput) -> AppResult<TeamRow> {
    let (unit, workplace_id, name) = check_team(ctx, scope, input).await?;
    let id = TeamId::new();
    let t = TeamRow {
        id,
        org_id: scope.org_id,
        unit_id: unit.id,
        workplace_id,
        name,
        archived_at: None,
    };
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    orgs::insert_team(&mut tx, &t, now).await.map_err(name_taken)?;
    audit::record(
        &mut tx,
        scope
            .event("org.team_created", AuditAction::Create, "team", unit.id, client)
            .target(id),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(t)
}

pub async fn update_team(
    ctx: &Ctx,
    client: &Client,
    scope: &OrgScope,
    id: TeamId,
    input: &TeamInput,
    archived: bool,
) -> AppResult<TeamRow> {
    let existing = {
        let mut conn = ctx.store.reader().await?;
        orgs::team_in(&mut conn, scope.org_id, id)
            .await?
            .ok_or(AppError::NotFound)?
    };
    let old_unit = scope.unit(ctx, existing.unit_id).await?;
    scope.require(Permission::ManageTeams, &old_unit)?;
    let (unit, workplace_id, name) = check_team(ctx, scope, input).await?;
    let now = ctx.clock.now();
    let t = TeamRow {
        name,
        workplace_id,
        unit_id: unit.id,
        archived_at: if archived {
            existing.archived_at.or(Some(now.0))
        } else {
            None
        },
        ..existing
    };
    let mut tx = ctx.store.begin().await?;
    orgs::update_team(&mut tx, &t).await.map_err(name_taken)?;
    audit::record(
        &mut tx,
        scope
            .event("org.team_updated", AuditAction::Update, "team", unit.id, client)
            .target(id),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(t)
}
