//! Patient files (SPEC 4): lists and search, open, read, change, archive and
//! restore. Thin: the rules are in `cercle_app::patients::files`.

use super::{ApiJson, ApiQuery, ApiResult};
use crate::extract::{replay, ApiScope, ClientInfo, Idempotent, Lang};
use crate::WebState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use cercle_app::idempotency::{self, Answer};
use cercle_app::patients::files::{self, FileInput, LinkedFile, ListQuery, PatientFile};
use serde::Serialize;
use serde_json::json;

/// Patient files one may see.
#[derive(Serialize, utoipa::ToSchema)]
pub struct PatientFiles {
    pub patient_files: Vec<PatientFile>,
}

#[utoipa::path(
    get,
    path = "/patient-files",
    tag = "patients",
    summary = "Patient files one may see in the active organization: view=active (open threads of oneself or one's teams), participating (threads and care channels one takes part in) or all (default: one's units, files one opened or takes part in); q searches them by name (accents ignored), file number or health insurance number; archived=true includes archived files. Each file listed is audited.",
    params(ListQuery),
    responses((status = 200, description = "Success.", body = PatientFiles)),
)]
pub async fn list(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    ApiScope(scope): ApiScope,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<PatientFiles>> {
    let list = files::list(&state.ctx, &client, &scope, &q).await?;
    Ok(Json(PatientFiles { patient_files: list }))
}

#[utoipa::path(
    post,
    path = "/patient-files",
    tag = "patients",
    summary = "Open a patient file: first_name, last_name, birth_date (YYYY-MM-DD), health_insurance_number (Québec: ABCD 1234 5678), file_number, unit_id (default: the root unit), consents {care_team, caregivers, electronic}.",
    params(super::headers::IdempotencyHeader),
    request_body = FileInput,
    responses((status = 201, description = "Success.", body = PatientFile)),
)]
pub async fn create(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiScope(scope): ApiScope,
    request: Idempotent,
) -> Result<Response, Response> {
    let input: FileInput = request.json(lang)?;
    let (ctx, s) = (&state.ctx, &scope);
    let answer = idempotency::run(
        ctx,
        &client,
        scope.user_id,
        request.key.as_ref(),
        &request.hash,
        |client| async move {
            let p = files::create(ctx, &client, s, &input).await?;
            Ok(Answer::created(json!(p)))
        },
    )
    .await
    .map_err(super::threads::refuse(lang))?;
    Ok(replay(answer))
}

#[utoipa::path(
    post,
    path = "/patient-files/link",
    tag = "patients",
    summary = "Open a patient file, or link the one the active organization already holds with this health_insurance_number (required here; the first such file the caller may see): 200 {created: false, patient_file} for a link (audited as patient.linked), 201 {created: true, patient_file} for a new file. The same fields as opening a file. What an EMR or hosting partner calls for the patient in context (service accounts: scope system/Patient.cru).",
    request_body = FileInput,
    responses((status = 200, description = "An existing file, linked.", body = LinkedFile), (status = 201, description = "A new file.", body = LinkedFile)),
)]
pub async fn link(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    ApiScope(scope): ApiScope,
    ApiJson(input): ApiJson<FileInput>,
) -> ApiResult<(StatusCode, Json<LinkedFile>)> {
    let linked = files::create_or_link(&state.ctx, &client, &scope, &input).await?;
    let status = if linked.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(linked)))
}

#[utoipa::path(
    get,
    path = "/patient-files/{id}",
    tag = "patients",
    summary = "A patient file (audited read), with may_edit and may_manage_circle.",
    params(("id" = String, Path, description = "The identifier of the resource in the path.")),
    responses((status = 200, description = "Success.", body = PatientFile)),
)]
pub async fn show(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    ApiScope(scope): ApiScope,
    Path(id): Path<String>,
) -> ApiResult<Json<PatientFile>> {
    let p = files::show(&state.ctx, &client, &scope, id.parse()?).await?;
    Ok(Json(p))
}

#[utoipa::path(
    patch,
    path = "/patient-files/{id}",
    tag = "patients",
    summary = "Change a patient file (the same fields, all optional; an empty health_insurance_number or file_number clears it). Its creator or whoever manages patients' identity on its unit.",
    params(("id" = String, Path, description = "The identifier of the resource in the path.")),
    request_body = FileInput,
    responses((status = 200, description = "Success.", body = PatientFile)),
)]
pub async fn update(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    ApiScope(scope): ApiScope,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<FileInput>,
) -> ApiResult<Json<PatientFile>> {
    let p = files::update(&state.ctx, &client, &scope, id.parse()?, &input).await?;
    Ok(Json(p))
}

#[utoipa::path(
    post,
    path = "/patient-files/{id}/archive",
    tag = "patients",
    summary = "Archive a patient file: hidden from lists, no new threads, channels or invitations (409 patient-archived); still readable.",
    params(("id" = String, Path, description = "The identifier of the resource in the path.")),
    responses((status = 200, description = "Success.", body = PatientFile)),
)]
pub async fn archive(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    ApiScope(scope): ApiScope,
    Path(id): Path<String>,
) -> ApiResult<Json<PatientFile>> {
    let p = files::archive(&state.ctx, &client, &scope, id.parse()?).await?;
    Ok(Json(p))
}

#[utoipa::path(
    post,
    path = "/patient-files/{id}/restore",
    tag = "patients",
    summary = "Restore an archived patient file.",
    params(("id" = String, Path, description = "The identifier of the resource in the path.")),
    responses((status = 200, description = "Success.", body = PatientFile)),
)]
pub async fn restore(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    ApiScope(scope): ApiScope,
    Path(id): Path<String>,
) -> ApiResult<Json<PatientFile>> {
    let p = files::restore(&state.ctx, &client, &scope, id.parse()?).await?;
    Ok(Json(p))
}
