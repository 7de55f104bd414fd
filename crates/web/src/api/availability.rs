//! Availability: one's weekly schedule and unavailability periods.

use super::{ApiJson, ApiResult, Caller};
use crate::extract::ClientInfo;
use crate::WebState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use cercle_app::availability::{self, PeriodInput, ScheduleInput};
use cercle_app::availability::{PeriodView, ScheduleView};
use serde::Serialize;

/// One's unavailability periods not over yet.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Periods {
    pub periods: Vec<PeriodView>,
}

#[utoipa::path(
    get,
    path = "/availability/schedule",
    tag = "availability",
    summary = "One's weekly availability schedule: slots { day 0 = Sunday … 6, start, end } in minutes, Montreal local time.",
    responses((status = 200, description = "Success.", body = ScheduleView)),
)]
pub async fn schedule(
    State(state): State<WebState>,
    Caller { principal, .. }: Caller,
) -> ApiResult<Json<ScheduleView>> {
    let s = availability::schedule(&state.ctx, &principal).await?;
    Ok(Json(s))
}

#[utoipa::path(
    put,
    path = "/availability/schedule",
    tag = "availability",
    summary = "Replace the weekly schedule (slots: up to 50, start < end ≤ 1440, not overlapping within a day; none = always available).",
    request_body = ScheduleInput,
    responses((status = 200, description = "Success.", body = ScheduleView)),
)]
pub async fn set_schedule(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    Caller { principal, .. }: Caller,
    ApiJson(input): ApiJson<ScheduleInput>,
) -> ApiResult<Json<ScheduleView>> {
    let s = availability::set_schedule(&state.ctx, &client, &principal, &input).await?;
    Ok(Json(s))
}

#[utoipa::path(
    get,
    path = "/availability/periods",
    tag = "availability",
    summary = "One's unavailability periods not over yet.",
    responses((status = 200, description = "Success.", body = Periods)),
)]
pub async fn periods(State(state): State<WebState>, Caller { principal, .. }: Caller) -> ApiResult<Json<Periods>> {
    let list = availability::periods(&state.ctx, &principal).await?;
    Ok(Json(Periods { periods: list }))
}

#[utoipa::path(
    post,
    path = "/availability/periods",
    tag = "availability",
    summary = "Add an unavailability period: starts_at, ends_at (the return) in Unix ms, optional message (≤ 280). Overlapping or inverted periods are refused.",
    request_body = PeriodInput,
    responses((status = 201, description = "Success.", body = PeriodView)),
)]
pub async fn add_period(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    Caller { principal, .. }: Caller,
    ApiJson(input): ApiJson<PeriodInput>,
) -> ApiResult<(StatusCode, Json<PeriodView>)> {
    let p = availability::add_period(&state.ctx, &client, &principal, &input).await?;
    Ok((StatusCode::CREATED, Json(p)))
}

#[utoipa::path(
    delete,
    path = "/availability/periods/{id}",
    tag = "availability",
    summary = "Remove one of one's unavailability periods.",
    params(("id" = String, Path, description = "The identifier of the resource in the path.")),
    responses((status = 204, description = "Success.")),
)]
pub async fn remove_period(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    Caller { principal, .. }: Caller,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    availability::remove_period(&state.ctx, &client, &principal, id.parse()?).await?;
    Ok(StatusCode::NO_CONTENT)
}
