//! Teams and triage (SPEC 7): one's teams, a team's threads and triage
//! box, one's standing in a team, and the team's members (administrators
//! with `ManageTeams`).
//!
//! Who may do what is decided by `cercle_domain::policy::teams::decide`;
//! who reaches a thread stays one rule (`store::threads::reach`), which
//! knows team managers (by role or membership) and responsible members.
//! The use cases that create, post to or change a team's thread ("write to
//! a team", assign, take, return, unassign, add oneself or a teammate,
//! remove the team) are thread use cases, in `threads::team_threads`,
//! which calls this module: among the thread modules, this one uses only
//! the kernel (`access`, `events`) and the shapes in `views`.

use crate::acting::person as me;
use crate::org_scope::OrgScope;
use crate::threads::access::in_active_org;
use crate::threads::views::title_of;
/// Where a thread stands for one of its teams (kept in the thread kernel,
/// which shows it on every thread).
pub use crate::threads::views::TriageView;
use crate::{audit, AppError, AppResult, Client, Ctx};
use cercle_domain::audit::{Actor, AuditAction, NewAuditEvent};
use cercle_domain::policy::teams::{decide, Refusal, TeamAction, TeamRole, ThreadFacts, TriageState};
use cercle_domain::policy::Principal;
use cercle_domain::roles::Permission;
use cercle_domain::{Language, OrgId, TeamId, ThreadId, UserId};
use cercle_store::orgs::TeamRow;
use cercle_store::teams::{self as store, TeamMemberRow};
use cercle_store::threads::{self as thread_store, ThreadRow};
use cercle_store::{members, network, orgs, users, Conn};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

pub(crate) fn refused(r: Refusal) -> AppError {
    match r {
        Refusal::NotFound => AppError::NotFound,
        Refusal::Forbidden => AppError::Forbidden,
        Refusal::NotTeamMember => AppError::Conflict("not-team-member"),
        Refusal::NotResponsible => AppError::Conflict("not-responsible"),
        Refusal::NotInTriage => AppError::Conflict("not-in-triage"),
        Refusal::NotAssigned => AppError::Conflict("not-assigned"),
    }
}

/// A person's standing in a team of `org_id`: manager (member with the
/// manager role, or team manager by role on the team's unit or above),
/// participant, or none.
pub(crate) async fn standing(conn: &mut Conn, team: &TeamRow, user_id: UserId) -> AppResult<Option<TeamRole>> {
    if team.archived_at.is_some() {
        return Ok(None);
    }
    if !members::is_member(&mut *conn, team.org_id, user_id).await? {
        return Ok(None);
    }
    if thread_store::teams_managed(&mut *conn, &user_id.to_string())
        .await?
        .contains(&team.id.to_string())
    {
        return Ok(Some(TeamRole::Manager));
    }
    Ok(store::member_role(&mut *conn, team.id, user_id).await?)
}

/// The active organization of a person (a member of it), or none.
async fn active_org(conn: &mut Conn, user_id: UserId) -> AppResult<OrgId> {
    let org = users::active_org(&mut *conn, &user_id.to_string())
        .await?
        .ok_or(AppError::NoActiveOrganization)?;
    let org = OrgId::parse(&org).ok_or(AppError::NoActiveOrganization)?;
    if !members::is_member(&mut *conn, org, user_id).await? {
        return Err(AppError::NoActiveOrganization);
    }
    Ok(org)
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MyTeam {
    pub id: String,
    pub name: String,
    pub unit_id: String,
    pub role: TeamRole,
}

/// The teams of one's active organization one belongs to or manages.
pub async fn my_teams(ctx: &Ctx, principal: &Principal) -> AppResult<Vec<MyTeam>> {
    let me = me(principal)?;
    let mut conn = ctx.store.reader().await?;
    let org = active_org(&mut conn, me.user_id).await?;
    let managed = thread_store::teams_managed(&mut conn, &me.user_id.to_string()).await?;
    let roles: HashMap<TeamId, TeamRole> = store::memberships_in(&mut conn, org, me.user_id)
        .await?
        .into_iter()
        .collect();
    let mut out = Vec::new();
    for t in orgs::teams_of(&mut conn, org).await? {
        if t.archived_at.is_some() {
            continue;
        }
        let role = if managed.contains(&t.id.to_string()) {
            TeamRole::Manager
        } else if roles.contains_key(&t.id) {
            TeamRole::Participant
        } else {
            continue;
        };
        out.push(MyTeam {
            id: t.id.to_string(),
            name: t.name,
            unit_id: t.unit_id.to_string(),
            role,
        });
    }
    Ok(out)
}

/// One of one's teams with the number of threads waiting in its triage box.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TeamTriageCount {
    pub team: MyTeam,
    pub in_triage: i64,
}

/// One's teams ([`my_teams`]: the same door) with how many threads wait in
/// each triage box: counts only, no titles (one query for every box).
pub async fn triage_counts(ctx: &Ctx, principal: &Principal) -> AppResult<Vec<TeamTriageCount>> {
    let mine = my_teams(ctx, principal).await?;
    let user_id = me(principal)?.user_id;
    let mut conn = ctx.store.reader().await?;
    let org = active_org(&mut conn, user_id).await?;
    let ids = mine.iter().map(|t| t.id.parse()).collect::<Result<Vec<TeamId>, _>>()?;
    let counts: HashMap<TeamId, i64> = store::triage_counts(&mut conn, org, &ids).await?.into_iter().collect();
    Ok(mine
        .into_iter()
        .map(|team| TeamTriageCount {
            in_triage: TeamId::parse(&team.id)
                .and_then(|id| counts.get(&id).copied())
                .unwrap_or(0),
            team,
        })
        .collect())
}

/// The teams of one's active organization one may write to: (id, name).
pub async fn writable_teams(ctx: &Ctx, principal: &Principal) -> AppResult<Vec<(TeamId, String)>> {
    let me = me(principal)?;
    if me.circle_only {
        return Ok(Vec::new());
    }
    let mut conn = ctx.store.reader().await?;
    let org = active_org(&mut conn, me.user_id).await?;
    Ok(orgs::teams_of(&mut conn, org)
        .await?
        .into_iter()
        .filter(|t| t.archived_at.is_none())
        .map(|t| (t.id, t.name))
        .collect())
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TeamThreadView {
    pub id: String,
    pub kind: String,
    pub title: String,
    pub high_priority: bool,
    pub last_activity_at: i64,
    pub unread: i64,
    /// None: the team came with a person before triage existed.
    pub state: Option<TriageState>,
    pub responsible_id: Option<String>,
    pub responsible_name: Option<String>,
    /// One may open it (a participant only once assigned or added).
    pub readable: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MemberView {
    pub id: String,
    pub name: String,
    pub role: TeamRole,
}

/// Team members with their names.
fn views_of(rows: Vec<TeamMemberRow>, names: &HashMap<String, String>) -> Vec<MemberView> {
    rows.into_iter()
        .map(|m| {
            let id = m.user_id.to_string();
            MemberView {
                role: m.role,
                name: names.get(&id).cloned().unwrap_or_default(),
                id,
            }
        })
        .collect()
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TeamBox {
    pub team: MyTeam,
    /// Threads waiting in the triage box (every member sees their titles).
    pub triage: Vec<TeamThreadView>,
    /// The team's other threads one may see (all of them for managers).
    pub threads: Vec<TeamThreadView>,
    pub members: Vec<MemberView>,
}

/// A team of the active organization one belongs to: its triage box, its
/// threads (as one may see them) and its members.
/// The listing (thread titles may name a patient) is audited.
pub async fn team_box(
    ctx: &Ctx,
    client: &Client,
    principal: &Principal,
    team_id: TeamId,
    lang: Language,
) -> AppResult<TeamBox> {
    let me = me(principal)?;
    let user_id = me.user_id;
    let mut conn = ctx.store.reader().await?;
    let org = active_org(&mut conn, user_id).await?;
    let team = orgs::team_in(&mut conn, org, team_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let role = standing(&mut conn, &team, user_id).await?;
    decide(role, ThreadFacts::default(), TeamAction::SeeTriage).map_err(refused)?;
    audit::record_alone(
        ctx,
        NewAuditEvent::new(
            Actor::User(me.user_id),
            "team.threads_listed",
            AuditAction::List,
            "team",
        )
        .target(team.id)
        .in_unit(team.org_id, team.unit_id)
        .ip(client.ip.clone()),
    )
    .await?;
    let rows = store::team_threads(&mut conn, team.id, user_id, 200).await?;
    let members = store::members(&mut conn, team.id).await?;
    let mut ids: Vec<String> = members.iter().map(|m| m.user_id.to_string()).collect();
    ids.extend(rows.iter().filter_map(|r| r.responsible_id.map(|id| id.to_string())));
    ids.sort();
    ids.dedup();
    let names: HashMap<String, String> = network::names(&mut conn, &ids).await?.into_iter().collect();
    let mut triage = Vec::new();
    let mut listed = Vec::new();
    for r in rows {
        let facts = ThreadFacts {
            responsible: r.responsible_id == Some(user_id),
            added: r.added,
            in_triage: r.state == Some(TriageState::InTriage),
        };
        let readable = decide(role, facts, TeamAction::Read).is_ok();
        let t = &r.listed.thread;
        if t.org_id.as_deref() != Some(org.to_string().as_str()) {
            continue;
        }
        let view = TeamThreadView {
            id: t.id.clone(),
            kind: t.kind.as_str().into(),
            title: title_of(t, lang).0,
            high_priority: t.high_priority,
            last_activity_at: t.last_activity_at,
            unread: if readable { r.listed.unread } else { 0 },
            state: r.state,
            responsible_name: r.responsible_id.and_then(|id| names.get(&id.to_string()).cloned()),
            responsible_id: r.responsible_id.map(|id| id.to_string()),
            readable,
        };
        if facts.in_triage {
            triage.push(view);
        } else if readable {
            listed.push(view);
        }
    }
    let team_role = role.unwrap_or(TeamRole::Participant);
    Ok(TeamBox {
        team: MyTeam {
            id: team.id.to_string(),
            name: team.name,
            unit_id: team.unit_id.to_string(),
            role: team_role,
        },
        triage,
        threads: listed,
        members: views_of(members, &names),
    })
}

/// The members of a team of the active organization one belongs to or
/// manages (for the thread page's assign and invite choices), without its
/// threads.
pub async fn team_members(ctx: &Ctx, principal: &Principal, team_id: TeamId) -> AppResult<Vec<MemberView>> {
    let user_id = me(principal)?.user_id;
    let mut conn = ctx.store.reader().await?;
    let org = active_org(&mut conn, user_id).await?;
    let team = orgs::team_in(&mut conn, org, team_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let role = standing(&mut conn, &team, user_id).await?;
    decide(role, ThreadFacts::default(), TeamAction::SeeTriage).map_err(refused)?;
    member_views(&mut conn, team.id).await
}

/// A team's members with their names.
async fn member_views(conn: &mut Conn, team_id: TeamId) -> AppResult<Vec<MemberView>> {
    let rows = store::members(&mut *conn, team_id).await?;
    let ids: Vec<String> = rows.iter().map(|m| m.user_id.to_string()).collect();
    let names: HashMap<String, String> = network::names(&mut *conn, &ids).await?.into_iter().collect();
    Ok(views_of(rows, &names))
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct WriteInput {
    pub title: String,
    /// The first message (optional).
    #[serde(default)]
    pub body: Option<String>,
    /// A clinical thread on this patient file (otherwise a collaboration).
    #[serde(default)]
    pub patient_file_id: Option<String>,
    #[serde(default)]
    pub high_priority: bool,
}

/// Whether one may write to a team: a team of one's active organization,
/// not archived (the thread itself is created by
/// `threads::team_threads::write_to_team`).
pub(crate) async fn writable_team(ctx: &Ctx, principal: &Principal, team_id: TeamId) -> AppResult<()> {
    let user_id = me(principal)?.user_id;
    let mut conn = ctx.store.reader().await?;
    let org = active_org(&mut conn, user_id).await?;
    let team = orgs::team_in(&mut conn, org, team_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if team.archived_at.is_some() {
        return Err(AppError::NotFound);
    }
    Ok(())
}

/// What one asks of a team's thread.
#[derive(Debug, Clone)]
pub enum TriageChange {
    /// A manager makes a member responsible.
    Assign { user_id: String },
    /// A member takes the thread from the triage box.
    Take,
    /// The responsible member gives it back to the triage box.
    Return,
    /// A member stops being assigned (no longer responsible nor in it).
    Unassign,
    /// A manager adds themselves in person.
    AddSelf,
    /// A member adds a teammate in person.
    Invite { user_id: String },
    /// A manager removes the team from the thread.
    RemoveTeam,
}

/// The thread and team of a change, with the facts the policy needs.
pub(crate) struct Subject {
    pub(crate) thread: ThreadRow,
    pub(crate) team: TeamRow,
    pub(crate) role: Option<TeamRole>,
    pub(crate) facts: ThreadFacts,
    pub(crate) responsible: Option<UserId>,
}

pub(crate) async fn subject(
    conn: &mut Conn,
    user_id: UserId,
    thread_id: ThreadId,
    team_id: TeamId,
) -> AppResult<Subject> {
    let user = user_id.to_string();
    let thread_key = thread_id.to_string();
    let thread = thread_store::thread(&mut *conn, &thread_key)
        .await?
        .ok_or(AppError::NotFound)?;
    let org: OrgId = thread.org_id.as_deref().ok_or(AppError::NotFound)?.parse()?;
    in_active_org(&mut *conn, &user, &thread).await?;
    let team = orgs::team_in(&mut *conn, org, team_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let team_key = team.id.to_string();
    let on_thread = thread_store::participants(&mut *conn, &thread_key)
        .await?
        .iter()
        .any(|(k, id)| *k == cercle_domain::threads::ParticipantKind::Team && *id == team_key);
    if !on_thread {
        return Err(AppError::NotFound);
    }
    let role = standing(&mut *conn, &team, user_id).await?;
    let tr = store::triage(&mut *conn, thread_id, team.id).await?;
    let added = thread_store::participants(&mut *conn, &thread_key)
        .await?
        .iter()
        .any(|(k, id)| *k == cercle_domain::threads::ParticipantKind::User && *id == user);
    let responsible = tr.as_ref().and_then(|t| t.responsible_id);
    let facts = ThreadFacts {
        responsible: responsible == Some(user_id),
        added,
        in_triage: tr.as_ref().is_none_or(|t| t.state == TriageState::InTriage),
    };
    Ok(Subject {
        thread,
        team,
        role,
        facts,
        responsible,
    })
}

/// A person's standing in a team (for the target of an assignment).
pub(crate) async fn users_role(conn: &mut Conn, team: &TeamRow, user_id: UserId) -> AppResult<Option<TeamRole>> {
    standing(conn, team, user_id).await
}

// ---- Team members (administrators) ---------------------------------------------

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct MemberInput {
    pub user_id: String,
    /// manager | participant
    pub role: String,
}

async fn managed_team(ctx: &Ctx, scope: &OrgScope, team_id: TeamId) -> AppResult<TeamRow> {
    let team = {
        let mut conn = ctx.store.reader().await?;
        orgs::team_in(&mut conn, scope.org_id, team_id)
            .await?
            .ok_or(AppError::NotFound)?
    };
    let unit = scope.unit(ctx, team.unit_id).await?;
    scope.require(Permission::ManageTeams, &unit)?;
    Ok(team)
}

/// The members of a team (administrators with `ManageTeams` on its unit).
pub async fn members_of(ctx: &Ctx, scope: &OrgScope, team_id: TeamId) -> AppResult<Vec<MemberView>> {
    let team = managed_team(ctx, scope, team_id).await?;
    let mut conn = ctx.store.reader().await?;
    member_views(&mut conn, team.id).await
}

/// Adds a member of the organization to a team (or changes their role).
pub async fn set_member(
    ctx: &Ctx,
    client: &Client,
    scope: &OrgScope,
    team_id: TeamId,
    input: &MemberInput,
) -> AppResult<()> {
    let team = managed_team(ctx, scope, team_id).await?;
    let role = TeamRole::parse(&input.role).ok_or(AppError::Conflict("invalid-team-role"))?;
    let user_id: UserId = input.user_id.parse()?;
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    if !members::is_member(&mut tx, scope.org_id, user_id).await? {
        return Err(AppError::NotFound);
    }
    store::upsert_member(&mut tx, team.id, user_id, role, now).await?;
    audit::record(
        &mut tx,
        scope
            .event("org.team_member_set", AuditAction::Update, "team", team.unit_id, client)
            .target(team.id)
            .scope("person", user_id),
        now,
    )
    .await?;
    tx.commit().await?;
    // A manager who becomes a participant stops reaching the team's threads.
    reach_changed(ctx, user_id).await;
    Ok(())
}

/// Removes a person from a team.
pub async fn remove_member(
    ctx: &Ctx,
    client: &Client,
    scope: &OrgScope,
    team_id: TeamId,
    user_id: UserId,
) -> AppResult<()> {
    let team = managed_team(ctx, scope, team_id).await?;
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    if !store::remove_member(&mut tx, team.id, user_id).await? {
        return Err(AppError::NotFound);
    }
    audit::record(
        &mut tx,
        scope
            .event(
                "org.team_member_removed",
                AuditAction::Delete,
                "team",
                team.unit_id,
                client,
            )
            .target(team.id)
            .scope("person", user_id),
        now,
    )
    .await?;
    tx.commit().await?;
    reach_changed(ctx, user_id).await;
    Ok(())
}

/// Tells every node that what a person reaches changed, so that their open
/// connections look again.
async fn reach_changed(ctx: &Ctx, user_id: UserId) {
    crate::bus::tell_access_changed(&*ctx.bus, &[&user_id.to_string()]).await;
}
