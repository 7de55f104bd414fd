//! Notifications: the centre (list, open, mark all read), preferences and
//! muted threads.

use super::{err, ApiJson, ApiResult};
use crate::extract::{ApiAuth, Lang};
use crate::WebState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use cercle_app::notifications;
use serde::Deserialize;
use serde_json::{json, Value};

pub async fn list(State(state): State<WebState>, Lang(lang): Lang, ApiAuth(view): ApiAuth) -> ApiResult<Json<Value>> {
    let principal = view.principal().map_err(err(lang))?;
    let l = notifications::list(&state.ctx, &principal, lang)
        .await
        .map_err(err(lang))?;
    Ok(Json(json!(l)))
}

pub async fn unread(State(state): State<WebState>, Lang(lang): Lang, ApiAuth(view): ApiAuth) -> ApiResult<Json<Value>> {
    let principal = view.principal().map_err(err(lang))?;
    let n = notifications::unread_count(&state.ctx, &principal)
        .await
        .map_err(err(lang))?;
    // `label`: the count in words, as the page announces it to screen readers.
    let label = cercle_i18n::ta(lang, "notif-live-unread", &[("count", &n.to_string())]);
    Ok(Json(json!({ "unread": n, "label": label })))
}

/// Marks one notification read and answers where it leads.
pub async fn open(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ApiAuth(view): ApiAuth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let principal = view.principal().map_err(err(lang))?;
    let link = notifications::open(&state.ctx, &principal, &id)
        .await
        .map_err(err(lang))?;
    Ok(Json(json!({ "link": link })))
}

pub async fn read_all(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ApiAuth(view): ApiAuth,
) -> ApiResult<StatusCode> {
    let principal = view.principal().map_err(err(lang))?;
    notifications::mark_all_read(&state.ctx, &principal)
        .await
        .map_err(err(lang))?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn preferences(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ApiAuth(view): ApiAuth,
) -> ApiResult<Json<Value>> {
    let principal = view.principal().map_err(err(lang))?;
    let p = notifications::preferences(&state.ctx, &principal, lang)
        .await
        .map_err(err(lang))?;
    Ok(Json(json!(p)))
}

#[derive(Deserialize)]
pub struct PreferencesInput {
    pub email_alerts: bool,
    pub email_delay_mins: i64,
}

pub async fn set_preferences(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ApiAuth(view): ApiAuth,
    ApiJson(input): ApiJson<PreferencesInput>,
) -> ApiResult<Json<Value>> {
    let principal = view.principal().map_err(err(lang))?;
    notifications::set_preferences(&state.ctx, &principal, input.email_alerts, input.email_delay_mins)
        .await
        .map_err(err(lang))?;
    let p = notifications::preferences(&state.ctx, &principal, lang)
        .await
        .map_err(err(lang))?;
    Ok(Json(json!(p)))
}

#[derive(Deserialize)]
pub struct MuteInput {
    pub muted: bool,
}

pub async fn mute(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ApiAuth(view): ApiAuth,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<MuteInput>,
) -> ApiResult<Json<Value>> {
    let principal = view.principal().map_err(err(lang))?;
    notifications::set_muted(&state.ctx, &principal, &id, input.muted)
        .await
        .map_err(err(lang))?;
    Ok(Json(json!({ "muted": input.muted })))
}
