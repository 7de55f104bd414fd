//! Teams and triage (SPEC 7): one's teams, a team's triage box and threads,
//! writing to a team, the triage actions on a thread, and team members.

use super::{ApiJson, ApiResult, Caller};
use crate::extract::{ApiScope, ClientInfo};
use crate::WebState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use cercle_app::teams::{self, MemberInput, MemberView, MyTeam, TeamBox, TriageChange, WriteInput};
use cercle_app::threads::service::ThreadView;
use cercle_app::threads::team_threads;
use cercle_app::Client;
use cercle_domain::policy::Principal;
use cercle_domain::{TeamId, ThreadId};
use serde::{Deserialize, Serialize};

/// One's teams.
#[derive(Serialize, utoipa::ToSchema)]
pub struct MyTeams {
    pub teams: Vec<MyTeam>,
}

/// A team's members.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Members {
    pub members: Vec<MemberView>,
}

#[utoipa::path(
    get,
    path = "/teams",
    tag = "teams",
    summary = "One's teams in the active organization: [{id, name, unit_id, role (manager|participant)}]. Managers are team members with the manager role or team managers by role on the team's unit or above.",
    responses((status = 200, description = "Success.", body = MyTeams)),
)]
pub async fn mine(State(state): State<WebState>, Caller { principal, .. }: Caller) -> ApiResult<Json<MyTeams>> {
    let list = teams::my_teams(&state.ctx, &principal).await?;
    Ok(Json(MyTeams { teams: list }))
}

#[utoipa::path(
    get,
    path = "/teams/{id}",
    tag = "teams",
    summary = "A team one belongs to: team, triage (threads waiting in its triage box: titles for every member), threads (all of the team's open threads for managers; those one is responsible for or added to for participants), each with state (in_triage|assigned), responsible_id, responsible_name, readable; members.",
    params(("id" = String, Path, description = "The identifier of the resource in the path.")),
    responses((status = 200, description = "Success.", body = TeamBox)),
)]
pub async fn show(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    Caller { principal, lang }: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<TeamBox>> {
    let id: TeamId = id.parse()?;
    let b = teams::team_box(&state.ctx, &client, &principal, id, lang).await?;
    Ok(Json(b))
}

#[utoipa::path(
    post,
    path = "/teams/{id}/threads",
    tag = "teams",
    summary = "Write to a team: a thread addressed to the team with no person of it (title; optional body, patient_file_id for a clinical thread, high_priority). It lands in the team's triage box.",
    params(("id" = String, Path, description = "The identifier of the resource in the path.")),
    request_body = WriteInput,
    responses((status = 201, description = "Success.", body = ThreadView)),
)]
pub async fn write(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    Caller { principal, lang }: Caller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<WriteInput>,
) -> ApiResult<(StatusCode, Json<ThreadView>)> {
    let t = team_threads::write_to_team(&state.ctx, &client, &principal, id.parse()?, &input, lang).await?;
    Ok((StatusCode::CREATED, Json(t)))
}

#[utoipa::path(
    get,
    path = "/teams/{id}/members",
    tag = "teams",
    summary = "The team's members [{id, name, role}] (administrators with manage org.team on its unit).",
    params(("id" = String, Path, description = "The identifier of the resource in the path.")),
    responses((status = 200, description = "Success.", body = Members)),
)]
pub async fn members(
    State(state): State<WebState>,
    ApiScope(scope): ApiScope,
    Path(id): Path<String>,
) -> ApiResult<Json<Members>> {
    let id: TeamId = id.parse()?;
    let list = teams::members_of(&state.ctx, &scope, id).await?;
    Ok(Json(Members { members: list }))
}

#[utoipa::path(
    post,
    path = "/teams/{id}/members",
    tag = "teams",
    summary = "Add a member of the organization to the team or change their role: user_id, role (manager|participant) (administrators).",
    params(("id" = String, Path, description = "The identifier of the resource in the path.")),
    request_body = MemberInput,
    responses((status = 204, description = "Success.")),
)]
pub async fn set_member(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    ApiScope(scope): ApiScope,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<MemberInput>,
) -> ApiResult<StatusCode> {
    let id: TeamId = id.parse()?;
    teams::set_member(&state.ctx, &client, &scope, id, &input).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct UserBody {
    #[serde(default)]
    user_id: String,
}

#[utoipa::path(
    post,
    path = "/teams/{id}/members/remove",
    tag = "teams",
    summary = "Remove someone from the team: user_id (administrators).",
    params(("id" = String, Path, description = "The identifier of the resource in the path.")),
    request_body = UserBody,
    responses((status = 204, description = "Success.")),
)]
pub async fn remove_member(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    ApiScope(scope): ApiScope,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<UserBody>,
) -> ApiResult<StatusCode> {
    let id: TeamId = id.parse()?;
    teams::remove_member(&state.ctx, &client, &scope, id, input.user_id.parse()?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The body of a triage action: the team, and for assign/invite the person.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct TriageBody {
    #[serde(default)]
    team_id: String,
    #[serde(default)]
    user_id: String,
}

async fn triage(
    state: &WebState,
    client: &Client,
    principal: &Principal,
    thread_id: ThreadId,
    body: &TriageBody,
    what: TriageChange,
) -> ApiResult<StatusCode> {
    let team_id = body.team_id.parse()?;
    team_threads::change(&state.ctx, client, principal, thread_id, team_id, &what).await?;
    Ok(StatusCode::NO_CONTENT)
}

macro_rules! triage_handler {
    ($(#[$meta:meta])* $name:ident, $what:expr) => {
        $(#[$meta])*
        pub async fn $name(
            State(state): State<WebState>,
            ClientInfo(client): ClientInfo,
            Caller { principal, .. }: Caller,
            Path(id): Path<String>,
            ApiJson(body): ApiJson<TriageBody>,
        ) -> ApiResult<StatusCode> {
            #[allow(clippy::redundant_closure_call)]
            let what = ($what)(&body);
            triage(&state, &client, &principal, id.parse()?, &body, what).await
        }
    };
}

triage_handler!(
    #[utoipa::path(
        post,
        path = "/threads/{id}/team/assign",
        tag = "teams",
        summary = "Make a member of the team responsible for the thread: team_id, user_id (team managers; someone outside the team: 409 not-team-member).",
        params(("id" = String, Path, description = "The thread.")),
        request_body = TriageBody,
        responses((status = 204, description = "Done.")),
    )]
    assign,
    |b: &TriageBody| TriageChange::Assign {
        user_id: b.user_id.clone()
    }
);
triage_handler!(
    #[utoipa::path(
        post,
        path = "/threads/{id}/team/take",
        tag = "teams",
        summary = "Take the thread from the team's triage box: one becomes responsible (team_id; members of the team; not waiting: 409 not-in-triage).",
        params(("id" = String, Path, description = "The thread.")),
        request_body = TriageBody,
        responses((status = 204, description = "Done.")),
    )]
    take,
    |_: &TriageBody| TriageChange::Take
);
triage_handler!(
    #[utoipa::path(
        post,
        path = "/threads/{id}/team/return",
        tag = "teams",
        summary = "Return the thread to the team's triage box (team_id; its responsible member only, otherwise 409 not-responsible).",
        params(("id" = String, Path, description = "The thread.")),
        request_body = TriageBody,
        responses((status = 204, description = "Done.")),
    )]
    return_to_triage,
    |_: &TriageBody| TriageChange::Return
);
triage_handler!(
    #[utoipa::path(
        post,
        path = "/threads/{id}/team/unassign",
        tag = "teams",
        summary = "Stop being assigned: no longer responsible (back to triage) nor in the thread in person (team_id).",
        params(("id" = String, Path, description = "The thread.")),
        request_body = TriageBody,
        responses((status = 204, description = "Done.")),
    )]
    unassign,
    |_: &TriageBody| TriageChange::Unassign
);
triage_handler!(
    #[utoipa::path(
        post,
        path = "/threads/{id}/team/join",
        tag = "teams",
        summary = "A team manager adds themselves to the thread in person (team_id).",
        params(("id" = String, Path, description = "The thread.")),
        request_body = TriageBody,
        responses((status = 204, description = "Done.")),
    )]
    join,
    |_: &TriageBody| TriageChange::AddSelf
);
triage_handler!(
    #[utoipa::path(
        post,
        path = "/threads/{id}/team/invite",
        tag = "teams",
        summary = "Add a teammate to the thread in person: team_id, user_id (members of the team; someone outside it: 409 not-team-member).",
        params(("id" = String, Path, description = "The thread.")),
        request_body = TriageBody,
        responses((status = 204, description = "Done.")),
    )]
    invite,
    |b: &TriageBody| TriageChange::Invite {
        user_id: b.user_id.clone()
    }
);
triage_handler!(
    #[utoipa::path(
        post,
        path = "/threads/{id}/team/remove",
        tag = "teams",
        summary = "A team manager removes the team from the thread (team_id).",
        params(("id" = String, Path, description = "The thread.")),
        request_body = TriageBody,
        responses((status = 204, description = "Done.")),
    )]
    remove_team,
    |_: &TriageBody| TriageChange::RemoveTeam
);
