//! Service accounts, for network administrators (issue 18, part 3): list,
//! register, read, and change (rotate keys, scopes, disable). Thin: the
//! rules are in `cercle_app::service_accounts`.

use super::{ApiJson, ApiResult, Caller};
use crate::extract::ClientInfo;
use crate::WebState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use cercle_app::service_accounts::{self as service, NewServiceAccount, ServiceAccount, ServiceAccountChange};
use serde::Serialize;

#[derive(Serialize, utoipa::ToSchema)]
pub struct ServiceAccounts {
    pub service_accounts: Vec<ServiceAccount>,
}

#[utoipa::path(
    get,
    path = "/admin/service-accounts",
    tag = "admin",
    summary = "Service accounts of hosting partners and EMRs (network administrators only): name, organization, the member each acts through, scopes, public keys (kid, kty, alg), disabled.",
    responses((status = 200, description = "Success.", body = ServiceAccounts)),
)]
pub async fn list(State(state): State<WebState>, Caller { principal, .. }: Caller) -> ApiResult<Json<ServiceAccounts>> {
    let service_accounts = service::list(&state.ctx, &principal).await?;
    Ok(Json(ServiceAccounts { service_accounts }))
}

#[utoipa::path(
    post,
    path = "/admin/service-accounts",
    tag = "admin",
    summary = "Register a service account (SMART Backend Services; network administrators only, audited): name, org_id, member_email (a professional member of that organization: their roles are the account's ceiling), scopes (system/Patient.cru, cercle/circle.invite, cercle/directory.read) and jwks (a JWK set of 1 to 10 public EC P-256/P-384 or RSA 2048+ keys). Its id is the OAuth client_id.",
    request_body = NewServiceAccount,
    responses((status = 201, description = "Success.", body = ServiceAccount)),
)]
pub async fn create(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    Caller { principal, .. }: Caller,
    ApiJson(input): ApiJson<NewServiceAccount>,
) -> ApiResult<(StatusCode, Json<ServiceAccount>)> {
    let a = service::register(&state.ctx, &client, &principal, &input).await?;
    Ok((StatusCode::CREATED, Json(a)))
}

#[utoipa::path(
    get,
    path = "/admin/service-accounts/{id}",
    tag = "admin",
    summary = "One service account (network administrators only).",
    params(("id" = String, Path, description = "The identifier of the resource in the path.")),
    responses((status = 200, description = "Success.", body = ServiceAccount)),
)]
pub async fn show(
    State(state): State<WebState>,
    Caller { principal, .. }: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<ServiceAccount>> {
    Ok(Json(service::show(&state.ctx, &principal, id.parse()?).await?))
}

#[utoipa::path(
    patch,
    path = "/admin/service-accounts/{id}",
    tag = "admin",
    summary = "Change a service account (network administrators only, each change audited): jwks replaces the public keys (rotation: add the new key beside the old, then remove the old), scopes replaces the scopes, disabled true/false. Replacing keys or scopes, or disabling, ends the tokens issued so far.",
    params(("id" = String, Path, description = "The identifier of the resource in the path.")),
    request_body = ServiceAccountChange,
    responses((status = 200, description = "Success.", body = ServiceAccount)),
)]
pub async fn change(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    Caller { principal, .. }: Caller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<ServiceAccountChange>,
) -> ApiResult<Json<ServiceAccount>> {
    Ok(Json(
        service::change(&state.ctx, &client, &principal, id.parse()?, &input).await?,
    ))
}
