//! The patient's circle and its invitations.

use super::{ApiJson, ApiResult, Caller};
use crate::extract::ClientInfo;
use crate::WebState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use cercle_app::patients::circle::{self, Circle, CircleMember, NewCircleMember, SectionState};
use cercle_app::patients::invitations::{self, AcceptInput, AcceptOutcome, InvitationInfo, InviteInput};
use cercle_domain::PatientFileId;
use cercle_i18n::ta;
use serde::Serialize;
use serde_json::json;

/// The circle's sections as they are now.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Sections {
    pub sections: Vec<SectionState>,
}

/// One joined the circle.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Joined {
    /// Always true.
    pub joined: bool,
    /// The care channels one now takes part in.
    pub channel_ids: Vec<String>,
}

#[utoipa::path(
    get,
    path = "/patient-files/{id}/circle",
    tag = "circle",
    summary = "The patient's circle: sections [{section (patient|responsible|observer), on}] (a section switched off takes no one: e.g. a child has no patient presence) and members [{id, section (patient|responsible|observer), first_name, last_name, email, phone, language, relationship, state (preallocated|invited|joined|cancelled|expired|locked), user_id, invitation {via, method, question, failures, expires_at}|null}] (whoever may see the file; audited).",
    params(("id" = String, Path, description = "The identifier of the resource in the path.")),
    responses((status = 200, description = "Success.", body = Circle)),
)]
pub async fn list(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    Caller { principal, .. }: Caller,
    Path(file_id): Path<String>,
) -> ApiResult<Json<Circle>> {
    let file_id: PatientFileId = file_id.parse()?;
    let c = circle::show(&state.ctx, &client, &principal, file_id).await?;
    Ok(Json(c))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct SectionSwitch {
    on: bool,
}

/// `PUT /patient-files/{id}/circle/sections/{section}` `{on}`: answers the
/// sections as they are now.
#[utoipa::path(
    put,
    path = "/patient-files/{id}/circle/sections/{section}",
    tag = "circle",
    summary = "Switch a section of the circle (patient|responsible|observer) on or off: {on: bool} (patient and caregiver managers of the file's unit only; audited). Answers the sections. Off while someone is in it or on their way: 409 circle-section-not-empty; adding or inviting into a section that is off: 409 circle-section-off.",
    params(("id" = String, Path, description = "The identifier of the resource in the path."), ("section" = String, Path, description = "patient, responsible or observer.")),
    request_body = SectionSwitch,
    responses((status = 200, description = "Success.", body = Sections)),
)]
pub async fn set_section(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    Caller { principal, .. }: Caller,
    Path((file_id, section)): Path<(String, String)>,
    ApiJson(input): ApiJson<SectionSwitch>,
) -> ApiResult<Json<Sections>> {
    let file_id: PatientFileId = file_id.parse()?;
    let sections = circle::set_section(&state.ctx, &client, &principal, file_id, &section, input.on).await?;
    Ok(Json(Sections { sections }))
}

#[utoipa::path(
    post,
    path = "/patient-files/{id}/circle",
    tag = "circle",
    summary = "Add someone to the circle (patient and caregiver managers of the file's unit only): section, first_name, last_name, email, phone, language (fr|en), relationship; pre-allocated, or invited at once with invite {via: email|sms, method: question|code, question, answer}. SMS with the code method: 422. Archived file: 409 patient-archived.",
    params(("id" = String, Path, description = "The identifier of the resource in the path.")),
    request_body = NewCircleMember,
    responses((status = 201, description = "Success.", body = CircleMember)),
)]
pub async fn add(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    Caller { principal, .. }: Caller,
    Path(file_id): Path<String>,
    ApiJson(input): ApiJson<NewCircleMember>,
) -> ApiResult<(StatusCode, Json<CircleMember>)> {
    let file_id: PatientFileId = file_id.parse()?;
    let m = circle::add(&state.ctx, &client, &principal, file_id, &input).await?;
    Ok((StatusCode::CREATED, Json(m)))
}

#[utoipa::path(
    post,
    path = "/circle-members/{id}/invite",
    tag = "circle",
    summary = "Invite a member of the circle now: via (email|sms), method (question|code: 12 digits sent in a separate email, email only), question (1 to 200 characters) and answer (folded for case, accents and spaces; stored hashed). Ends any earlier invitation.",
    params(("id" = String, Path, description = "The identifier of the resource in the path.")),
    request_body = InviteInput,
    responses((status = 200, description = "Success.", body = CircleMember)),
)]
pub async fn invite(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    Caller { principal, .. }: Caller,
    Path(member_id): Path<String>,
    ApiJson(input): ApiJson<InviteInput>,
) -> ApiResult<Json<CircleMember>> {
    let m = invitations::invite(&state.ctx, &client, &principal, member_id.parse()?, &input).await?;
    Ok(Json(m))
}

#[utoipa::path(
    post,
    path = "/circle-members/{id}/resend",
    tag = "circle",
    summary = "Send the invitation again (also once locked or expired): new link, new code, tries reset; the old link dies.",
    params(("id" = String, Path, description = "The identifier of the resource in the path.")),
    responses((status = 200, description = "Success.", body = CircleMember)),
)]
pub async fn resend(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    Caller { principal, .. }: Caller,
    Path(member_id): Path<String>,
) -> ApiResult<Json<CircleMember>> {
    let m = invitations::resend(&state.ctx, &client, &principal, member_id.parse()?).await?;
    Ok(Json(m))
}

#[utoipa::path(
    post,
    path = "/circle-members/{id}/cancel",
    tag = "circle",
    summary = "Cancel a member's place; their invitation link dies.",
    params(("id" = String, Path, description = "The identifier of the resource in the path.")),
    responses((status = 200, description = "Success.", body = CircleMember)),
)]
pub async fn cancel(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    Caller { principal, .. }: Caller,
    Path(member_id): Path<String>,
) -> ApiResult<Json<CircleMember>> {
    let m = circle::cancel(&state.ctx, &client, &principal, member_id.parse()?).await?;
    Ok(Json(m))
}

/// Public: what an invitation link is for (the path holds the link's token).
#[utoipa::path(
    get,
    path = "/circle-invitations/{id}",
    tag = "circle",
    summary = "Public: what a circle invitation link is for (the id is the link's token): org_name, inviter_name, first_name, via, method, question, state (pending|accepted|cancelled|expired|locked|replaced), tries_left.",
    params(("id" = String, Path, description = "The identifier of the resource in the path.")),
    responses((status = 200, description = "Success.", body = InvitationInfo)),
    security(()),
)]
pub async fn info(State(state): State<WebState>, Path(token): Path<String>) -> ApiResult<Json<InvitationInfo>> {
    let i = invitations::info(&state.ctx, &token).await?;
    Ok(Json(i))
}

/// Answers the invitation: 200 `{joined, channel_ids}`; a wrong answer is
/// 422 `answer-wrong` with `tries_left`; the fifth locks it (409).
#[utoipa::path(
    post,
    path = "/circle-invitations/{id}/accept",
    tag = "circle",
    summary = "Join the circle as the signed-in person (setup done): answer or code. 200 {joined, channel_ids}; wrong: 422 answer-wrong with tries_left; the fifth wrong try locks it (409 invitation-locked); used link: 409 invitation-already-accepted.",
    params(("id" = String, Path, description = "The identifier of the resource in the path.")),
    request_body = AcceptInput,
    responses((status = 200, description = "Success.", body = Joined)),
)]
pub async fn accept(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    Caller { principal, lang }: Caller,
    Path(token): Path<String>,
    ApiJson(input): ApiJson<AcceptInput>,
) -> ApiResult<Response> {
    let outcome = invitations::accept(&state.ctx, &client, &principal, &token, &input).await?;
    Ok(match outcome {
        AcceptOutcome::Joined { channel_ids } => Json(Joined {
            joined: true,
            channel_ids,
        })
        .into_response(),
        AcceptOutcome::Wrong { tries_left } => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(json!({
                "code": "answer-wrong",
                "message": ta(lang, "error-answer-wrong", &[("left", &tries_left.to_string())]),
                "tries_left": tries_left,
            })),
        )
            .into_response(),
    })
}
