//! EMR registrations for the integrated bubble (network administrators):
//! list, register, change. Thin: the rules are in `cercle_app::emr::registry`.

use super::{ApiJson, ApiResult, Caller};
use crate::extract::ClientInfo;
use crate::WebState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use cercle_app::emr::registry::{self, Emr, EmrInput};
use serde::Serialize;

/// The registered EMRs.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Emrs {
    pub emrs: Vec<Emr>,
}

#[utoipa::path(
    get,
    path = "/admin/emrs",
    tag = "emrs",
    summary = "The EMRs registered for the integrated bubble (SMART on FHIR EHR launch), network administrators only: issuer (FHIR base URL, the iss of launches), client id, origins allowed to frame Cercle, enabled.",
    responses((status = 200, description = "Success.", body = Emrs)),
)]
pub async fn list(State(state): State<WebState>, Caller { principal, .. }: Caller) -> ApiResult<Json<Emrs>> {
    let emrs = registry::list(&state.ctx, &principal).await?;
    Ok(Json(Emrs { emrs }))
}

#[utoipa::path(
    post,
    path = "/admin/emrs",
    tag = "emrs",
    summary = "Register an EMR (network administrators): name, issuer (https:// FHIR base URL), client_id, frame_origins (https://host[:port], at most 10). An issuer already registered: 409 emr-issuer-taken; a bad issuer, client id or origin: 409 emr-invalid-issuer, emr-invalid-client-id, emr-invalid-origin. Audited.",
    request_body = EmrInput,
    responses((status = 201, description = "Created.", body = Emr)),
)]
pub async fn register(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    Caller { principal, .. }: Caller,
    ApiJson(input): ApiJson<EmrInput>,
) -> ApiResult<(StatusCode, Json<Emr>)> {
    let emr = registry::register(&state.ctx, &client, &principal, &input).await?;
    Ok((StatusCode::CREATED, Json(emr)))
}

#[utoipa::path(
    put,
    path = "/admin/emrs/{id}",
    tag = "emrs",
    summary = "Change an EMR (network administrators): name, client_id, frame_origins, enabled (the issuer stays). Audited.",
    params(("id" = String, Path, description = "The identifier of the resource in the path.")),
    request_body = EmrInput,
    responses((status = 200, description = "Success.", body = Emr)),
)]
pub async fn update(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    Caller { principal, .. }: Caller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<EmrInput>,
) -> ApiResult<Json<Emr>> {
    let emr = registry::update(&state.ctx, &client, &principal, id.parse()?, &input).await?;
    Ok(Json(emr))
}
