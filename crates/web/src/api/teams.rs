//! Teams and triage (SPEC 7): one's teams, a team's triage box and threads,
//! writing to a team, the triage actions on a thread, and team members.

use super::{err, ApiJson, ApiResult};
use crate::extract::{ApiAuth, ApiScope, ClientInfo, Lang};
use crate::WebState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use cercle_app::teams::{self, MemberInput, TriageChange, WriteInput};
use cercle_app::Client;
use cercle_domain::Language;
use serde::Deserialize;
use serde_json::{json, Value};

pub async fn mine(State(state): State<WebState>, Lang(lang): Lang, ApiAuth(view): ApiAuth) -> ApiResult<Json<Value>> {
    let principal = view.principal().map_err(err(lang))?;
    let list = teams::my_teams(&state.ctx, &principal).await.map_err(err(lang))?;
    Ok(Json(json!({ "teams": list })))
}

pub async fn show(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiAuth(view): ApiAuth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let principal = view.principal().map_err(err(lang))?;
    let b = teams::team_box(&state.ctx, &client, &principal, &id, lang)
        .await
        .map_err(err(lang))?;
    Ok(Json(json!(b)))
}

pub async fn write(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiAuth(view): ApiAuth,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<WriteInput>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let principal = view.principal().map_err(err(lang))?;
    let t = teams::write_to_team(&state.ctx, &client, &principal, &id, &input, lang)
        .await
        .map_err(err(lang))?;
    Ok((StatusCode::CREATED, Json(json!(t))))
}

pub async fn members(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ApiScope(scope): ApiScope,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let list = teams::members_of(&state.ctx, &scope, &id).await.map_err(err(lang))?;
    Ok(Json(json!({ "members": list })))
}

pub async fn set_member(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiScope(scope): ApiScope,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<MemberInput>,
) -> ApiResult<StatusCode> {
    teams::set_member(&state.ctx, &client, &scope, &id, &input)
        .await
        .map_err(err(lang))?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
pub struct UserBody {
    #[serde(default)]
    user_id: String,
}

pub async fn remove_member(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiScope(scope): ApiScope,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<UserBody>,
) -> ApiResult<StatusCode> {
    teams::remove_member(&state.ctx, &client, &scope, &id, &input.user_id)
        .await
        .map_err(err(lang))?;
    Ok(StatusCode::NO_CONTENT)
}

/// The body of a triage action: the team, and for assign/invite the person.
#[derive(Deserialize)]
pub struct TriageBody {
    #[serde(default)]
    team_id: String,
    #[serde(default)]
    user_id: String,
}

async fn triage(
    state: &WebState,
    lang: Language,
    client: &Client,
    view: &cercle_app::accounts::SessionView,
    thread_id: &str,
    body: &TriageBody,
    what: TriageChange,
) -> ApiResult<StatusCode> {
    let principal = view.principal().map_err(err(lang))?;
    teams::change(&state.ctx, client, &principal, thread_id, &body.team_id, &what)
        .await
        .map_err(err(lang))?;
    Ok(StatusCode::NO_CONTENT)
}

macro_rules! triage_handler {
    ($name:ident, $what:expr) => {
        pub async fn $name(
            State(state): State<WebState>,
            Lang(lang): Lang,
            ClientInfo(client): ClientInfo,
            ApiAuth(view): ApiAuth,
            Path(id): Path<String>,
            ApiJson(body): ApiJson<TriageBody>,
        ) -> ApiResult<StatusCode> {
            #[allow(clippy::redundant_closure_call)]
            let what = ($what)(&body);
            triage(&state, lang, &client, &view, &id, &body, what).await
        }
    };
}

triage_handler!(assign, |b: &TriageBody| TriageChange::Assign {
    user_id: b.user_id.clone()
});
triage_handler!(take, |_: &TriageBody| TriageChange::Take);
triage_handler!(return_to_triage, |_: &TriageBody| TriageChange::Return);
triage_handler!(unassign, |_: &TriageBody| TriageChange::Unassign);
triage_handler!(join, |_: &TriageBody| TriageChange::AddSelf);
triage_handler!(invite, |b: &TriageBody| TriageChange::Invite {
    user_id: b.user_id.clone()
});
triage_handler!(remove_team, |_: &TriageBody| TriageChange::RemoveTeam);
