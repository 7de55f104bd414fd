//! Organizations, structure, members, invitations and the audit log.

use super::{ApiJson, ApiQuery, ApiResult, Caller};
use crate::extract::{ApiScope, ClientInfo};
use crate::WebState;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use cercle_app::audit::{self, SearchInput};
use cercle_app::orgs::membership::{self, InvitationInfo, InviteInput, Invited, Member};
use cercle_app::orgs::structure::{self, MyOrganizations, TeamInput, WorkplaceInput};
use cercle_app::orgs::InvitationRow;
use cercle_app::orgs::{OrgRow, TeamRow, Unit as UnitRow, WorkplaceRow};
use cercle_domain::audit::AuditRecord;
use cercle_domain::roles::Role;
use cercle_domain::{Language, UnitId};
use serde::{Deserialize, Serialize};

/// An organization.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Organization {
    pub id: String,
    pub name: String,
    pub root_unit_id: String,
    pub archived: bool,
}

impl From<&OrgRow> for Organization {
    fn from(o: &OrgRow) -> Self {
        Organization {
            id: o.id.to_string(),
            name: o.name.clone(),
            root_unit_id: o.root_unit_id.to_string(),
            archived: o.archived_at.is_some(),
        }
    }
}

/// A unit of the organization's tree.
#[derive(Serialize, utoipa::ToSchema)]
pub struct OrgUnit {
    pub id: String,
    pub parent_id: Option<String>,
    pub name: String,
    pub path: String,
    pub archived: bool,
}

impl From<&UnitRow> for OrgUnit {
    fn from(u: &UnitRow) -> Self {
        OrgUnit {
            id: u.id.to_string(),
            parent_id: u.parent_id.map(|p| p.to_string()),
            name: u.name.clone(),
            path: u.path.clone(),
            archived: u.archived_at.is_some(),
        }
    }
}

/// A workplace.
#[derive(Serialize, utoipa::ToSchema)]
pub struct OrgWorkplace {
    pub id: String,
    pub unit_id: String,
    pub name: String,
    pub kind: String,
    pub address: String,
    pub phone: Option<String>,
    pub archived: bool,
}

impl From<&WorkplaceRow> for OrgWorkplace {
    fn from(w: &WorkplaceRow) -> Self {
        OrgWorkplace {
            id: w.id.to_string(),
            unit_id: w.unit_id.to_string(),
            name: w.name.clone(),
            kind: w.kind.as_str().to_string(),
            address: w.address.clone(),
            phone: w.phone.clone(),
            archived: w.archived_at.is_some(),
        }
    }
}

/// A team.
#[derive(Serialize, utoipa::ToSchema)]
pub struct OrgTeam {
    pub id: String,
    pub unit_id: String,
    pub workplace_id: Option<String>,
    pub name: String,
    pub archived: bool,
}

impl From<&TeamRow> for OrgTeam {
    fn from(t: &TeamRow) -> Self {
        OrgTeam {
            id: t.id.to_string(),
            unit_id: t.unit_id.to_string(),
            workplace_id: t.workplace_id.map(|w| w.to_string()),
            name: t.name.clone(),
            archived: t.archived_at.is_some(),
        }
    }
}

/// A pending (or past) invitation into the organization.
#[derive(Serialize, utoipa::ToSchema)]
pub struct OrgInvitation {
    pub id: String,
    pub unit_id: String,
    pub email: String,
    pub name: String,
    pub language: String,
    pub professional: bool,
    pub administrative: bool,
    pub roles: Vec<String>,
    pub status: String,
    pub expires_at: i64,
}

impl From<&InvitationRow> for OrgInvitation {
    fn from(i: &InvitationRow) -> Self {
        OrgInvitation {
            id: i.id.to_string(),
            unit_id: i.unit_id.to_string(),
            email: i.email.clone(),
            name: i.name.clone(),
            language: i.language.clone(),
            professional: i.professional,
            administrative: i.administrative,
            roles: i.roles.split(',').map(str::to_string).collect(),
            status: i.status.as_str().to_string(),
            expires_at: i.expires_at,
        }
    }
}

/// A new organization and the invitation of its first administrator.
#[derive(Serialize, utoipa::ToSchema)]
pub struct CreatedOrganization {
    pub organization: Organization,
    pub invitation: Invited,
}

/// Every organization of the network.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Organizations {
    pub organizations: Vec<Organization>,
}

/// The active organization, as the structure page names it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct StructureOrganization {
    pub id: String,
    pub name: String,
    pub root_unit_id: String,
}

/// Units, workplaces and teams of the active organization.
#[derive(Serialize, utoipa::ToSchema)]
pub struct OrgStructure {
    pub organization: StructureOrganization,
    pub units: Vec<OrgUnit>,
    pub workplaces: Vec<OrgWorkplace>,
    pub teams: Vec<OrgTeam>,
}

/// Members and the roles they hold.
#[derive(Serialize, utoipa::ToSchema)]
pub struct OrgMembers {
    pub members: Vec<Member>,
}

/// Pending invitations.
#[derive(Serialize, utoipa::ToSchema)]
pub struct OrgInvitations {
    pub invitations: Vec<OrgInvitation>,
}

/// A page of the audit log, newest first.
#[derive(Serialize, utoipa::ToSchema)]
pub struct AuditPage {
    pub events: Vec<AuditRecord>,
    /// Pass as `before_seq` for the next (older) page.
    pub next_before_seq: Option<i64>,
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct NewOrganization {
    name: String,
    admin_email: String,
    admin_name: String,
    admin_language: Option<String>,
}

#[utoipa::path(
    post,
    path = "/network/organizations",
    tag = "orgs",
    summary = "Create an organization and invite its first administrator (network administrators).",
    request_body = NewOrganization,
    responses((status = 201, description = "Success.", body = CreatedOrganization)),
)]
pub async fn create_organization(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    Caller { principal, .. }: Caller,
    ApiJson(input): ApiJson<NewOrganization>,
) -> ApiResult<(StatusCode, Json<CreatedOrganization>)> {
    let admin_lang =
        Language::parse(input.admin_language.as_deref().unwrap_or("fr")).map_err(cercle_app::AppError::from)?;
    let (org, invited) = structure::create_organization_with_admin(
        &state.ctx,
        &client,
        &principal,
        &input.name,
        &input.admin_email,
        &input.admin_name,
        admin_lang,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedOrganization {
            organization: Organization::from(&org),
            invitation: invited,
        }),
    ))
}

#[utoipa::path(
    get,
    path = "/network/organizations",
    tag = "orgs",
    summary = "Every organization of the network (network administrators).",
    responses((status = 200, description = "Success.", body = Organizations)),
)]
pub async fn all_organizations(
    State(state): State<WebState>,
    Caller { principal, .. }: Caller,
) -> ApiResult<Json<Organizations>> {
    let list = structure::all_organizations(&state.ctx, &principal).await?;
    Ok(Json(Organizations {
        organizations: list.iter().map(Organization::from).collect(),
    }))
}

#[utoipa::path(
    get,
    path = "/organizations",
    tag = "orgs",
    summary = "The organizations one belongs to, and the active one.",
    responses((status = 200, description = "Success.", body = MyOrganizations)),
)]
pub async fn my_organizations(
    State(state): State<WebState>,
    Caller { principal, .. }: Caller,
) -> ApiResult<Json<MyOrganizations>> {
    Ok(Json(structure::my_organizations(&state.ctx, &principal).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct SwitchInput {
    org_id: String,
}

#[utoipa::path(
    post,
    path = "/organizations/active",
    tag = "orgs",
    summary = "Switch the active organization.",
    request_body = SwitchInput,
    responses((status = 200, description = "Success.", body = MyOrganizations)),
)]
pub async fn switch_organization(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    Caller { principal, .. }: Caller,
    ApiJson(input): ApiJson<SwitchInput>,
) -> ApiResult<Json<MyOrganizations>> {
    structure::switch_organization(&state.ctx, &client, &principal, input.org_id.parse()?).await?;
    Ok(Json(structure::my_organizations(&state.ctx, &principal).await?))
}

#[utoipa::path(
    get,
    path = "/org/structure",
    tag = "orgs",
    summary = "Units, workplaces and teams of the active organization.",
    responses((status = 200, description = "Success.", body = OrgStructure)),
)]
pub async fn get_structure(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    ApiScope(scope): ApiScope,
) -> ApiResult<Json<OrgStructure>> {
    let s = structure::structure(&state.ctx, &client, &scope).await?;
    Ok(Json(OrgStructure {
        organization: StructureOrganization {
            id: scope.org_id.to_string(),
            name: scope.org_name.clone(),
            root_unit_id: scope.root_unit_id.to_string(),
        },
        units: s.units.iter().map(OrgUnit::from).collect(),
        workplaces: s.workplaces.iter().map(OrgWorkplace::from).collect(),
        teams: s.teams.iter().map(OrgTeam::from).collect(),
    }))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct NewUnit {
    parent_id: String,
    name: String,
}

#[utoipa::path(
    post,
    path = "/org/units",
    tag = "orgs",
    summary = "Create a unit under another.",
    request_body = NewUnit,
    responses((status = 201, description = "Success.", body = OrgUnit)),
)]
pub async fn create_unit(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    ApiScope(scope): ApiScope,
    ApiJson(input): ApiJson<NewUnit>,
) -> ApiResult<(StatusCode, Json<OrgUnit>)> {
    let unit = structure::create_unit(&state.ctx, &client, &scope, input.parent_id.parse()?, &input.name).await?;
    Ok((StatusCode::CREATED, Json(OrgUnit::from(&unit))))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct UnitChange {
    name: Option<String>,
    parent_id: Option<String>,
    archived: Option<bool>,
}

#[utoipa::path(
    put,
    path = "/org/units/{id}",
    tag = "orgs",
    summary = "Rename (name), move (parent_id) or archive (archived) a unit.",
    params(("id" = String, Path, description = "The identifier of the resource in the path.")),
    request_body = UnitChange,
    responses((status = 204, description = "Success.")),
)]
pub async fn update_unit(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    ApiScope(scope): ApiScope,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<UnitChange>,
) -> ApiResult<StatusCode> {
    let ctx = &state.ctx;
    let id: UnitId = id.parse()?;
    if let Some(name) = &input.name {
        structure::rename_unit(ctx, &client, &scope, id, name).await?;
    }
    if let Some(parent) = &input.parent_id {
        structure::move_unit(ctx, &client, &scope, id, parent.parse()?).await?;
    }
    if let Some(archived) = input.archived {
        structure::archive_unit(ctx, &client, &scope, id, archived).await?;
    }
    // Resolving the unit answers 404 for an id of another organization even when nothing was asked.
    scope.unit(ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    post,
    path = "/org/workplaces",
    tag = "orgs",
    summary = "Create a workplace (kind: clinic, pharmacy, hospital, community, other).",
    request_body = WorkplaceInput,
    responses((status = 201, description = "Success.", body = OrgWorkplace)),
)]
pub async fn create_workplace(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    ApiScope(scope): ApiScope,
    ApiJson(input): ApiJson<WorkplaceInput>,
) -> ApiResult<(StatusCode, Json<OrgWorkplace>)> {
    let w = structure::create_workplace(&state.ctx, &client, &scope, &input).await?;
    Ok((StatusCode::CREATED, Json(OrgWorkplace::from(&w))))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct WorkplaceChange {
    #[serde(flatten)]
    input: WorkplaceInput,
    #[serde(default)]
    archived: bool,
}

#[utoipa::path(
    put,
    path = "/org/workplaces/{id}",
    tag = "orgs",
    summary = "Change or archive a workplace.",
    params(("id" = String, Path, description = "The identifier of the resource in the path.")),
    request_body = WorkplaceChange,
    responses((status = 200, description = "Success.", body = OrgWorkplace)),
)]
pub async fn update_workplace(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    ApiScope(scope): ApiScope,
    Path(id): Path<String>,
    ApiJson(change): ApiJson<WorkplaceChange>,
) -> ApiResult<Json<OrgWorkplace>> {
    let w =
        structure::update_workplace(&state.ctx, &client, &scope, id.parse()?, &change.input, change.archived).await?;
    Ok(Json(OrgWorkplace::from(&w)))
}

#[utoipa::path(
    post,
    path = "/org/teams",
    tag = "orgs",
    summary = "Create a team in a unit (optionally at a workplace).",
    request_body = TeamInput,
    responses((status = 201, description = "Success.", body = OrgTeam)),
)]
pub async fn create_team(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    ApiScope(scope): ApiScope,
    ApiJson(input): ApiJson<TeamInput>,
) -> ApiResult<(StatusCode, Json<OrgTeam>)> {
    let t = structure::create_team(&state.ctx, &client, &scope, &input).await?;
    Ok((StatusCode::CREATED, Json(OrgTeam::from(&t))))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct TeamChange {
    #[serde(flatten)]
    input: TeamInput,
    #[serde(default)]
    archived: bool,
}

#[utoipa::path(
    put,
    path = "/org/teams/{id}",
    tag = "orgs",
    summary = "Change or archive a team.",
    params(("id" = String, Path, description = "The identifier of the resource in the path.")),
    request_body = TeamChange,
    responses((status = 200, description = "Success.", body = OrgTeam)),
)]
pub async fn update_team(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    ApiScope(scope): ApiScope,
    Path(id): Path<String>,
    ApiJson(change): ApiJson<TeamChange>,
) -> ApiResult<Json<OrgTeam>> {
    let t = structure::update_team(&state.ctx, &client, &scope, id.parse()?, &change.input, change.archived).await?;
    Ok(Json(OrgTeam::from(&t)))
}

#[utoipa::path(
    get,
    path = "/org/members",
    tag = "orgs",
    summary = "Members and the roles they hold.",
    responses((status = 200, description = "Success.", body = OrgMembers)),
)]
pub async fn members(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    ApiScope(scope): ApiScope,
) -> ApiResult<Json<OrgMembers>> {
    Ok(Json(OrgMembers {
        members: membership::list_members(&state.ctx, &client, &scope).await?,
    }))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct GrantInput {
    unit_id: String,
    role: Role,
}

#[utoipa::path(
    post,
    path = "/org/members/{id}/roles",
    tag = "orgs",
    summary = "Grant a role on a unit (holds in every unit below).",
    params(("id" = String, Path, description = "The identifier of the resource in the path.")),
    request_body = GrantInput,
    responses((status = 204, description = "Success.")),
)]
pub async fn grant_role(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    ApiScope(scope): ApiScope,
    Path(user_id): Path<String>,
    ApiJson(input): ApiJson<GrantInput>,
) -> ApiResult<StatusCode> {
    membership::grant_role(
        &state.ctx,
        &client,
        &scope,
        user_id.parse()?,
        input.unit_id.parse()?,
        input.role,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    delete,
    path = "/org/roles/{id}",
    tag = "orgs",
    summary = "Revoke a role (never the last administrator).",
    params(("id" = String, Path, description = "The identifier of the resource in the path.")),
    responses((status = 204, description = "Success.")),
)]
pub async fn revoke_role(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    ApiScope(scope): ApiScope,
    Path(grant_id): Path<String>,
) -> ApiResult<StatusCode> {
    membership::revoke_role(&state.ctx, &client, &scope, grant_id.parse()?).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    delete,
    path = "/org/members/{id}",
    tag = "orgs",
    summary = "Remove a member: roles go, access ends at the next request.",
    params(("id" = String, Path, description = "The identifier of the resource in the path.")),
    responses((status = 204, description = "Success.")),
)]
pub async fn remove_member(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    ApiScope(scope): ApiScope,
    Path(user_id): Path<String>,
) -> ApiResult<StatusCode> {
    membership::remove_member(&state.ctx, &client, &scope, user_id.parse()?).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    post,
    path = "/org/invitations",
    tag = "orgs",
    summary = "Invite someone into a unit with roles (silent for existing members).",
    request_body = InviteInput,
    responses((status = 201, description = "Success.", body = Invited)),
)]
pub async fn invite(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    ApiScope(scope): ApiScope,
    ApiJson(input): ApiJson<InviteInput>,
) -> ApiResult<(StatusCode, Json<Invited>)> {
    let outcome = membership::invite(&state.ctx, &client, &scope, &input).await?;
    Ok((StatusCode::CREATED, Json(outcome)))
}

#[utoipa::path(
    get,
    path = "/org/invitations",
    tag = "orgs",
    summary = "Pending invitations.",
    responses((status = 200, description = "Success.", body = OrgInvitations)),
)]
pub async fn invitations(State(state): State<WebState>, ApiScope(scope): ApiScope) -> ApiResult<Json<OrgInvitations>> {
    let list = membership::pending(&state.ctx, &scope).await?;
    Ok(Json(OrgInvitations {
        invitations: list.iter().map(OrgInvitation::from).collect(),
    }))
}

#[utoipa::path(
    post,
    path = "/org/invitations/{id}/cancel",
    tag = "orgs",
    summary = "Cancel a pending invitation.",
    params(("id" = String, Path, description = "The identifier of the resource in the path.")),
    responses((status = 204, description = "Success.")),
)]
pub async fn cancel_invitation(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    ApiScope(scope): ApiScope,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    membership::cancel(&state.ctx, &client, &scope, id.parse()?).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    post,
    path = "/org/invitations/{id}/resend",
    tag = "orgs",
    summary = "Send a new link; the old one stops working.",
    params(("id" = String, Path, description = "The identifier of the resource in the path.")),
    responses((status = 202, description = "Success.")),
)]
pub async fn resend_invitation(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    ApiScope(scope): ApiScope,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    membership::resend(&state.ctx, &client, &scope, id.parse()?).await?;
    Ok(StatusCode::ACCEPTED)
}

#[utoipa::path(
    get,
    path = "/invitations/{id}",
    tag = "orgs",
    summary = "What an invitation link is for (the id is the link's token).",
    params(("id" = String, Path, description = "The identifier of the resource in the path.")),
    responses((status = 200, description = "Success.", body = InvitationInfo)),
    security(()),
)]
pub async fn invitation_info(
    State(state): State<WebState>,
    Path(token): Path<String>,
) -> ApiResult<Json<InvitationInfo>> {
    Ok(Json(membership::invitation_info(&state.ctx, &token).await?))
}

#[utoipa::path(
    post,
    path = "/invitations/{id}/accept",
    tag = "orgs",
    summary = "Accept an invitation as the signed-in person.",
    params(("id" = String, Path, description = "The identifier of the resource in the path.")),
    responses((status = 200, description = "Success.", body = MyOrganizations)),
)]
pub async fn accept_invitation(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    Caller { principal, .. }: Caller,
    Path(token): Path<String>,
) -> ApiResult<Json<MyOrganizations>> {
    membership::accept(&state.ctx, &client, &principal, &token).await?;
    Ok(Json(structure::my_organizations(&state.ctx, &principal).await?))
}

#[utoipa::path(
    get,
    path = "/org/audit",
    tag = "orgs",
    summary = "Search the audit log (actor_id, patient_id, target_type, action, unit_id, from, to, before_seq, limit).",
    params(SearchInput),
    responses((status = 200, description = "Success.", body = AuditPage)),
)]
pub async fn audit_search(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    ApiScope(scope): ApiScope,
    ApiQuery(q): ApiQuery<SearchInput>,
) -> ApiResult<Json<AuditPage>> {
    let page = audit::search(&state.ctx, &client, &scope, &q).await?;
    Ok(Json(AuditPage {
        events: page.events,
        next_before_seq: page.next_before_seq,
    }))
}

#[utoipa::path(
    get,
    path = "/org/audit.csv",
    tag = "orgs",
    summary = "The same search as CSV (itself audited).",
    params(SearchInput),
    responses((status = 200, description = "The audit search as CSV.", content_type = "text/csv", body = String)),
)]
pub async fn audit_csv(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    ApiScope(scope): ApiScope,
    ApiQuery(q): ApiQuery<SearchInput>,
) -> Result<Response, crate::error::ApiError> {
    let csv = audit::export_csv(&state.ctx, &client, &scope, &q).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"cercle-audit.csv\""),
        ],
        csv,
    )
        .into_response())
}
