//! Availability: one's weekly schedule and unavailability periods.

use super::{err, ApiJson, ApiResult};
use crate::extract::{ApiAuth, ClientInfo, Lang};
use crate::WebState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use cercle_app::availability::{self, PeriodInput, ScheduleInput};
use serde_json::{json, Value};

pub async fn schedule(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ApiAuth(view): ApiAuth,
) -> ApiResult<Json<Value>> {
    let principal = view.principal().map_err(err(lang))?;
    let s = availability::schedule(&state.ctx, &principal)
        .await
        .map_err(err(lang))?;
    Ok(Json(json!(s)))
}

pub async fn set_schedule(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiAuth(view): ApiAuth,
    ApiJson(input): ApiJson<ScheduleInput>,
) -> ApiResult<Json<Value>> {
    let principal = view.principal().map_err(err(lang))?;
    let s = availability::set_schedule(&state.ctx, &client, &principal, &input)
        .await
        .map_err(err(lang))?;
    Ok(Json(json!(s)))
}

pub async fn periods(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ApiAuth(view): ApiAuth,
) -> ApiResult<Json<Value>> {
    let principal = view.principal().map_err(err(lang))?;
    let list = availability::periods(&state.ctx, &principal).await.map_err(err(lang))?;
    Ok(Json(json!({ "periods": list })))
}

pub async fn add_period(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiAuth(view): ApiAuth,
    ApiJson(input): ApiJson<PeriodInput>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let principal = view.principal().map_err(err(lang))?;
    let p = availability::add_period(&state.ctx, &client, &principal, &input)
        .await
        .map_err(err(lang))?;
    Ok((StatusCode::CREATED, Json(json!(p))))
}

pub async fn remove_period(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiAuth(view): ApiAuth,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let principal = view.principal().map_err(err(lang))?;
    availability::remove_period(&state.ctx, &client, &principal, &id)
        .await
        .map_err(err(lang))?;
    Ok(StatusCode::NO_CONTENT)
}
