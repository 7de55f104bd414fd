//! Workplaces on the network (SPEC 3): public to every signed-in person.
//! Browsing one shows who works there (those the viewer may see) and, to
//! members of its organization, its teams. Independent professionals create
//! their workplace; anyone joins an independent workplace, and members of an
//! organization join its workplaces.

use super::me;
use super::people::{summaries, visible, PersonSummary};
use crate::acting::limit;
use crate::orgs::structure::{check_workplace, WorkplaceInput};
use crate::{audit, AppError, AppResult, Client, Ctx};
use cercle_domain::audit::{Actor, AuditAction, NewAuditEvent};
use cercle_domain::policy::network::may_list_teams;
use cercle_domain::policy::Principal;
use cercle_domain::{Language, TeamId, UserId, WorkplaceId};
use cercle_store::members;
use cercle_store::network::{self, DirectoryEntry, NetworkWorkplace, NewIndependentWorkplace};
use serde::{Deserialize, Serialize};

pub const PAGE_SIZE: i64 = 50;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WorkplaceSummary {
    pub id: WorkplaceId,
    pub name: String,
    pub kind: String,
    pub address: String,
    pub phone: Option<String>,
    /// The organization's name, or none for an independent workplace.
    pub organization: Option<String>,
}

impl WorkplaceSummary {
    pub fn of(w: &NetworkWorkplace) -> WorkplaceSummary {
        WorkplaceSummary {
            id: w.id,
            name: w.name.clone(),
            kind: w.kind.clone(),
            address: w.address.clone(),
            phone: w.phone.clone(),
            organization: w.org.as_ref().map(|(_, n)| n.clone()),
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WorkplaceView {
    #[serde(flatten)]
    pub workplace: WorkplaceSummary,
    pub members: Vec<PersonSummary>,
    /// (id, name) of its teams, for members of its organization.
    pub teams: Vec<TeamSummary>,
    pub i_work_here: bool,
    pub may_join: bool,
    pub in_directory: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TeamSummary {
    pub id: TeamId,
    pub name: String,
}

/// Every workplace of the network, by name.
pub async fn browse(ctx: &Ctx, principal: &Principal, page: u32) -> AppResult<Vec<WorkplaceSummary>> {
    me(principal)?;
    let mut conn = ctx.store.reader().await?;
    let offset = i64::from(page.min(10_000)) * PAGE_SIZE;
    Ok(network::all_workplaces(&mut conn, PAGE_SIZE, offset)
        .await?
        .iter()
        .map(WorkplaceSummary::of)
        .collect())
}

/// Whether the viewer may join this workplace: anyone an independent one,
/// members an organization's one.
async fn may_join(conn: &mut cercle_store::Conn, w: &NetworkWorkplace, user_id: UserId) -> AppResult<bool> {
    Ok(match &w.org {
        None => true,
        Some((org_id, _)) => members::is_member(conn, *org_id, user_id).await?,
    })
}

pub async fn show(ctx: &Ctx, principal: &Principal, id: WorkplaceId, lang: Language) -> AppResult<WorkplaceView> {
    let me = me(principal)?;
    let viewer = me.user_id;
    let mut conn = ctx.store.reader().await?;
    let w = network::workplace(&mut conn, id).await?.ok_or(AppError::NotFound)?;
    let member_ids: Vec<UserId> = network::members_of(&mut conn, id, 500)
        .await?
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    let i_work_here = member_ids.contains(&viewer);
    let shown = visible(&mut conn, viewer, &member_ids).await?;
    let mut people = summaries(&mut conn, &shown, lang).await?;
    people.sort_by(|a, b| a.name.cmp(&b.name));
    let teams = match &w.org {
        Some((org_id, _)) if may_list_teams(members::is_member(&mut conn, *org_id, viewer).await?) => {
            network::teams_at(&mut conn, id)
                .await?
                .into_iter()
                .map(|(id, name)| TeamSummary { id, name })
                .collect()
        }
        _ => Vec::new(),
    };
    let may_join = may_join(&mut conn, &w, viewer).await?;
    let in_directory = network::entries(&mut conn, viewer)
        .await?
        .contains(&DirectoryEntry::Workplace(id));
    Ok(WorkplaceView {
        workplace: WorkplaceSummary::of(&w),
        members: people,
        teams,
        i_work_here,
        may_join,
        in_directory,
    })
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NewWorkplace {
    pub name: String,
    /// clinic, pharmacy, hospital, community, other
    pub kind: String,
    pub address: String,
    pub phone: Option<String>,
}

/// Creates an independent workplace and joins it.
pub async fn create(
    ctx: &Ctx,
    client: &Client,
    principal: &Principal,
    input: &NewWorkplace,
) -> AppResult<WorkplaceSummary> {
    let me = me(principal)?;
    let user_id = me.user_id;
    let (name, kind, address, phone) = check_workplace(&WorkplaceInput {
        unit_id: String::new(),
        name: input.name.clone(),
        kind: input.kind.clone(),
        address: input.address.clone(),
        phone: input.phone.clone(),
    })?;
    limit(ctx, "workplace-create", &user_id.to_string(), 10, 24 * 3600).await?;
    let id = WorkplaceId::new();
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    network::insert_independent(
        &mut tx,
        &NewIndependentWorkplace {
            id,
            name: &name,
            kind: kind.as_str(),
            address: &address,
            phone: phone.as_deref(),
            created_by: user_id,
        },
        now,
    )
    .await
    .map_err(|e| match e {
        cercle_store::StoreError::Conflict => AppError::Conflict("workplace-exists"),
        other => other.into(),
    })?;
    network::join(&mut tx, id, user_id, now).await?;
    crate::search_index::workplace(&mut tx, id, now).await?;
    let ev = NewAuditEvent::new(
        Actor::User(me.user_id),
        "network.workplace_created",
        AuditAction::Create,
        "workplace",
    )
    .target(id)
    .ip(client.ip.clone());
    audit::record(&mut tx, ev, now).await?;
    let w = network::workplace(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(WorkplaceSummary::of(&w))
}

pub async fn join(ctx: &Ctx, client: &Client, principal: &Principal, id: WorkplaceId) -> AppResult<()> {
    let me = me(principal)?;
    let user_id = me.user_id;
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    let w = network::workplace(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    if !may_join(&mut tx, &w, user_id).await? {
        return Err(AppError::Forbidden);
    }
    if !network::join(&mut tx, id, user_id, now).await? {
        return Err(AppError::Conflict("already-working-here"));
    }
    let ev = NewAuditEvent::new(
        Actor::User(me.user_id),
        "network.workplace_joined",
        AuditAction::Update,
        "workplace",
    )
    .target(id)
    .ip(client.ip.clone());
    audit::record(&mut tx, ev, now).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn leave(ctx: &Ctx, client: &Client, principal: &Principal, id: WorkplaceId) -> AppResult<()> {
    let me = me(principal)?;
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    if !network::leave(&mut tx, id, me.user_id).await? {
        return Err(AppError::NotFound);
    }
    let ev = NewAuditEvent::new(
        Actor::User(me.user_id),
        "network.workplace_left",
        AuditAction::Update,
        "workplace",
    )
    .target(id)
    .ip(client.ip.clone());
    audit::record(&mut tx, ev, now).await?;
    tx.commit().await?;
    Ok(())
}
