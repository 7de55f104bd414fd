//! The patient's circle and its invitations.

use super::{err, ApiJson, ApiResult};
use crate::extract::{ApiAuth, ClientInfo, Lang};
use crate::WebState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use cercle_app::patients::circle::{self, NewCircleMember};
use cercle_app::patients::invitations::{self, AcceptInput, AcceptOutcome, InviteInput};
use cercle_i18n::ta;
use serde_json::{json, Value};

pub async fn list(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiAuth(view): ApiAuth,
    Path(file_id): Path<String>,
) -> ApiResult<Json<Value>> {
    let principal = view.principal().map_err(err(lang))?;
    let c = circle::show(&state.ctx, &client, &principal, &file_id)
        .await
        .map_err(err(lang))?;
    Ok(Json(json!({ "sections": c.sections, "members": c.members })))
}

#[derive(serde::Deserialize)]
pub struct SectionSwitch {
    on: bool,
}

/// `PUT /patient-files/{id}/circle/sections/{section}` `{on}`: answers the
/// sections as they are now.
pub async fn set_section(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiAuth(view): ApiAuth,
    Path((file_id, section)): Path<(String, String)>,
    ApiJson(input): ApiJson<SectionSwitch>,
) -> ApiResult<Json<Value>> {
    let principal = view.principal().map_err(err(lang))?;
    let sections = circle::set_section(&state.ctx, &client, &principal, &file_id, &section, input.on)
        .await
        .map_err(err(lang))?;
    Ok(Json(json!({ "sections": sections })))
}

pub async fn add(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiAuth(view): ApiAuth,
    Path(file_id): Path<String>,
    ApiJson(input): ApiJson<NewCircleMember>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let principal = view.principal().map_err(err(lang))?;
    let m = circle::add(&state.ctx, &client, &principal, &file_id, &input)
        .await
        .map_err(err(lang))?;
    Ok((StatusCode::CREATED, Json(json!(m))))
}

pub async fn invite(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiAuth(view): ApiAuth,
    Path(member_id): Path<String>,
    ApiJson(input): ApiJson<InviteInput>,
) -> ApiResult<Json<Value>> {
    let principal = view.principal().map_err(err(lang))?;
    let m = invitations::invite(&state.ctx, &client, &principal, &member_id, &input)
        .await
        .map_err(err(lang))?;
    Ok(Json(json!(m)))
}

pub async fn resend(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiAuth(view): ApiAuth,
    Path(member_id): Path<String>,
) -> ApiResult<Json<Value>> {
    let principal = view.principal().map_err(err(lang))?;
    let m = invitations::resend(&state.ctx, &client, &principal, &member_id)
        .await
        .map_err(err(lang))?;
    Ok(Json(json!(m)))
}

pub async fn cancel(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiAuth(view): ApiAuth,
    Path(member_id): Path<String>,
) -> ApiResult<Json<Value>> {
    let principal = view.principal().map_err(err(lang))?;
    let m = circle::cancel(&state.ctx, &client, &principal, &member_id)
        .await
        .map_err(err(lang))?;
    Ok(Json(json!(m)))
}

/// Public: what an invitation link is for (the path holds the link's token).
pub async fn info(
    State(state): State<WebState>,
    Lang(lang): Lang,
    Path(token): Path<String>,
) -> ApiResult<Json<Value>> {
    let i = invitations::info(&state.ctx, &token).await.map_err(err(lang))?;
    Ok(Json(json!(i)))
}

/// Answers the invitation: 200 `{joined, channel_ids}`; a wrong answer is
/// 422 `answer-wrong` with `tries_left`; the fifth locks it (409).
pub async fn accept(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiAuth(view): ApiAuth,
    Path(token): Path<String>,
    ApiJson(input): ApiJson<AcceptInput>,
) -> ApiResult<Response> {
    let principal = view.principal().map_err(err(lang))?;
    let outcome = invitations::accept(&state.ctx, &client, &principal, &token, &input)
        .await
        .map_err(err(lang))?;
    Ok(match outcome {
        AcceptOutcome::Joined { channel_ids } => {
            Json(json!({ "joined": true, "channel_ids": channel_ids })).into_response()
        }
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
