//! Organizations, structure, members, invitations and the audit log.

use super::{err, ApiJson, ApiResult};
use crate::extract::{ApiAuth, ApiScope, ClientInfo, Lang};
use crate::WebState;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use cercle_app::audit::{self, SearchInput};
use cercle_app::orgs::membership::{self, InviteInput};
use cercle_app::orgs::structure::{self, TeamInput, WorkplaceInput};
use cercle_app::orgs::InvitationRow;
use cercle_app::orgs::{OrgRow, TeamRow, Unit as UnitRow, WorkplaceRow};
use cercle_domain::roles::Role;
use cercle_domain::Language;
use serde::Deserialize;
use serde_json::{json, Value};

pub(crate) fn org_json(o: &OrgRow) -> Value {
    json!({ "id": o.id, "name": o.name, "root_unit_id": o.root_unit_id, "archived": o.archived_at.is_some() })
}

pub(crate) fn unit_json(u: &UnitRow) -> Value {
    json!({ "id": u.id, "parent_id": u.parent_id, "name": u.name, "path": u.path, "archived": u.archived_at.is_some() })
}

pub(crate) fn workplace_json(w: &WorkplaceRow) -> Value {
    json!({ "id": w.id, "unit_id": w.unit_id, "name": w.name, "kind": w.kind, "address": w.address, "phone": w.phone, "archived": w.archived_at.is_some() })
}

pub(crate) fn team_json(t: &TeamRow) -> Value {
    json!({ "id": t.id, "unit_id": t.unit_id, "workplace_id": t.workplace_id, "name": t.name, "archived": t.archived_at.is_some() })
}

pub(crate) fn invitation_json(i: &InvitationRow) -> Value {
    json!({
        "id": i.id, "unit_id": i.unit_id, "email": i.email, "name": i.name, "language": i.language,
        "professional": i.professional, "administrative": i.administrative,
        "roles": i.roles.split(',').collect::<Vec<_>>(), "status": i.status, "expires_at": i.expires_at,
    })
}

#[derive(Deserialize)]
pub struct NewOrganization {
    name: String,
    admin_email: String,
    admin_name: String,
    admin_language: Option<String>,
}

pub async fn create_organization(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiAuth(view): ApiAuth,
    ApiJson(input): ApiJson<NewOrganization>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let principal = view.principal().map_err(err(lang))?;
    let admin_lang =
        Language::parse(input.admin_language.as_deref().unwrap_or("fr")).map_err(|e| err(lang)(e.into()))?;
    let (org, invited) = structure::create_organization_with_admin(
        &state.ctx,
        &client,
        &principal,
        &input.name,
        &input.admin_email,
        &input.admin_name,
        admin_lang,
    )
    .await
    .map_err(err(lang))?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "organization": org_json(&org), "invitation": invited })),
    ))
}

pub async fn all_organizations(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ApiAuth(view): ApiAuth,
) -> ApiResult<Json<Value>> {
    let principal = view.principal().map_err(err(lang))?;
    let list = structure::all_organizations(&state.ctx, &principal)
        .await
        .map_err(err(lang))?;
    Ok(Json(
        json!({ "organizations": list.iter().map(org_json).collect::<Vec<_>>() }),
    ))
}

pub async fn my_organizations(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ApiAuth(view): ApiAuth,
) -> ApiResult<Json<Value>> {
    let principal = view.principal().map_err(err(lang))?;
    Ok(Json(json!(structure::my_organizations(&state.ctx, &principal)
        .await
        .map_err(err(lang))?)))
}

#[derive(Deserialize)]
pub struct SwitchInput {
    org_id: String,
}

pub async fn switch_organization(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiAuth(view): ApiAuth,
    ApiJson(input): ApiJson<SwitchInput>,
) -> ApiResult<Json<Value>> {
    let principal = view.principal().map_err(err(lang))?;
    structure::switch_organization(&state.ctx, &client, &principal, &input.org_id)
        .await
        .map_err(err(lang))?;
    Ok(Json(json!(structure::my_organizations(&state.ctx, &principal)
        .await
        .map_err(err(lang))?)))
}

pub async fn get_structure(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiScope(scope): ApiScope,
) -> ApiResult<Json<Value>> {
    let s = structure::structure(&state.ctx, &client, &scope)
        .await
        .map_err(err(lang))?;
    Ok(Json(json!({
        "organization": { "id": scope.org_id, "name": scope.org_name, "root_unit_id": scope.root_unit_id },
        "units": s.units.iter().map(unit_json).collect::<Vec<_>>(),
        "workplaces": s.workplaces.iter().map(workplace_json).collect::<Vec<_>>(),
        "teams": s.teams.iter().map(team_json).collect::<Vec<_>>(),
    })))
}

#[derive(Deserialize)]
pub struct NewUnit {
    parent_id: String,
    name: String,
}

pub async fn create_unit(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiScope(scope): ApiScope,
    ApiJson(input): ApiJson<NewUnit>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let unit = structure::create_unit(&state.ctx, &client, &scope, &input.parent_id, &input.name)
        .await
        .map_err(err(lang))?;
    Ok((StatusCode::CREATED, Json(unit_json(&unit))))
}

#[derive(Deserialize)]
pub struct UnitChange {
    name: Option<String>,
    parent_id: Option<String>,
    archived: Option<bool>,
}

pub async fn update_unit(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiScope(scope): ApiScope,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<UnitChange>,
) -> ApiResult<StatusCode> {
    let ctx = &state.ctx;
    if let Some(name) = &input.name {
        structure::rename_unit(ctx, &client, &scope, &id, name)
            .await
            .map_err(err(lang))?;
    }
    if let Some(parent) = &input.parent_id {
        structure::move_unit(ctx, &client, &scope, &id, parent)
            .await
            .map_err(err(lang))?;
    }
    if let Some(archived) = input.archived {
        structure::archive_unit(ctx, &client, &scope, &id, archived)
            .await
            .map_err(err(lang))?;
    }
    // Resolving the unit answers 404 for an id of another organization even when nothing was asked.
    scope.unit(ctx, &id).await.map_err(err(lang))?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn create_workplace(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiScope(scope): ApiScope,
    ApiJson(input): ApiJson<WorkplaceInput>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let w = structure::create_workplace(&state.ctx, &client, &scope, &input)
        .await
        .map_err(err(lang))?;
    Ok((StatusCode::CREATED, Json(workplace_json(&w))))
}

#[derive(Deserialize)]
pub struct WorkplaceChange {
    #[serde(flatten)]
    input: WorkplaceInput,
    #[serde(default)]
    archived: bool,
}

pub async fn update_workplace(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiScope(scope): ApiScope,
    Path(id): Path<String>,
    ApiJson(change): ApiJson<WorkplaceChange>,
) -> ApiResult<Json<Value>> {
    let w = structure::update_workplace(&state.ctx, &client, &scope, &id, &change.input, change.archived)
        .await
        .map_err(err(lang))?;
    Ok(Json(workplace_json(&w)))
}

pub async fn create_team(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiScope(scope): ApiScope,
    ApiJson(input): ApiJson<TeamInput>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let t = structure::create_team(&state.ctx, &client, &scope, &input)
        .await
        .map_err(err(lang))?;
    Ok((StatusCode::CREATED, Json(team_json(&t))))
}

#[derive(Deserialize)]
pub struct TeamChange {
    #[serde(flatten)]
    input: TeamInput,
    #[serde(default)]
    archived: bool,
}

pub async fn update_team(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiScope(scope): ApiScope,
    Path(id): Path<String>,
    ApiJson(change): ApiJson<TeamChange>,
) -> ApiResult<Json<Value>> {
    let t = structure::update_team(&state.ctx, &client, &scope, &id, &change.input, change.archived)
        .await
        .map_err(err(lang))?;
    Ok(Json(team_json(&t)))
}

pub async fn members(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiScope(scope): ApiScope,
) -> ApiResult<Json<Value>> {
    Ok(Json(
        json!({ "members": membership::list_members(&state.ctx, &client, &scope).await.map_err(err(lang))? }),
    ))
}

#[derive(Deserialize)]
pub struct GrantInput {
    unit_id: String,
    role: Role,
}

pub async fn grant_role(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiScope(scope): ApiScope,
    Path(user_id): Path<String>,
    ApiJson(input): ApiJson<GrantInput>,
) -> ApiResult<StatusCode> {
    membership::grant_role(&state.ctx, &client, &scope, &user_id, &input.unit_id, input.role)
        .await
        .map_err(err(lang))?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn revoke_role(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiScope(scope): ApiScope,
    Path(grant_id): Path<String>,
) -> ApiResult<StatusCode> {
    membership::revoke_role(&state.ctx, &client, &scope, &grant_id)
        .await
        .map_err(err(lang))?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn remove_member(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiScope(scope): ApiScope,
    Path(user_id): Path<String>,
) -> ApiResult<StatusCode> {
    membership::remove_member(&state.ctx, &client, &scope, &user_id)
        .await
        .map_err(err(lang))?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn invite(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiScope(scope): ApiScope,
    ApiJson(input): ApiJson<InviteInput>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let outcome = membership::invite(&state.ctx, &client, &scope, &input)
        .await
        .map_err(err(lang))?;
    Ok((StatusCode::CREATED, Json(json!(outcome))))
}

pub async fn invitations(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ApiScope(scope): ApiScope,
) -> ApiResult<Json<Value>> {
    let list = membership::pending(&state.ctx, &scope).await.map_err(err(lang))?;
    Ok(Json(
        json!({ "invitations": list.iter().map(invitation_json).collect::<Vec<_>>() }),
    ))
}

pub async fn cancel_invitation(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiScope(scope): ApiScope,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    membership::cancel(&state.ctx, &client, &scope, &id)
        .await
        .map_err(err(lang))?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn resend_invitation(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiScope(scope): ApiScope,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    membership::resend(&state.ctx, &client, &scope, &id)
        .await
        .map_err(err(lang))?;
    Ok(StatusCode::ACCEPTED)
}

pub async fn invitation_info(
    State(state): State<WebState>,
    Lang(lang): Lang,
    Path(token): Path<String>,
) -> ApiResult<Json<Value>> {
    Ok(Json(json!(membership::invitation_info(&state.ctx, &token)
        .await
        .map_err(err(lang))?)))
}

pub async fn accept_invitation(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiAuth(view): ApiAuth,
    Path(token): Path<String>,
) -> ApiResult<Json<Value>> {
    let principal = view.principal().map_err(err(lang))?;
    membership::accept(&state.ctx, &client, &principal, &token)
        .await
        .map_err(err(lang))?;
    Ok(Json(json!(structure::my_organizations(&state.ctx, &principal)
        .await
        .map_err(err(lang))?)))
}

pub async fn audit_search(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiScope(scope): ApiScope,
    Query(q): Query<SearchInput>,
) -> ApiResult<Json<Value>> {
    Ok(Json(json!(audit::search(&state.ctx, &client, &scope, &q)
        .await
        .map_err(err(lang))?)))
}

pub async fn audit_csv(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiScope(scope): ApiScope,
    Query(q): Query<SearchInput>,
) -> Result<Response, crate::error::ApiError> {
    let csv = audit::export_csv(&state.ctx, &client, &scope, &q)
        .await
        .map_err(err(lang))?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"cercle-audit.csv\""),
        ],
        csv,
    )
        .into_response())
}
