//! Notifications: the centre (list, open, mark all read), preferences and
//! muted threads.

use super::{ApiJson, ApiResult, Caller};
use crate::WebState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use cercle_app::notifications;
use cercle_app::notifications::{NotificationList, Preferences};
use serde::Deserialize;
use serde::Serialize;

/// How many notifications are unread.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Unread {
    pub unread: i64,
    /// The count in words, as the page announces it to screen readers.
    pub label: String,
}

/// Where an opened notification leads.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Link {
    /// A path within Cercle.
    pub link: String,
}

/// Whether a thread is muted now.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Muted {
    pub muted: bool,
}

#[utoipa::path(
    get,
    path = "/notifications",
    tag = "notifications",
    summary = "One's latest notifications (newest first, at most 100) and the unread count. Generic texts only: never content or patient data.",
    responses((status = 200, description = "Success.", body = NotificationList)),
)]
pub async fn list(
    State(state): State<WebState>,
    Caller { principal, lang }: Caller,
) -> ApiResult<Json<NotificationList>> {
    let l = notifications::list(&state.ctx, &principal, lang).await?;
    Ok(Json(l))
}

#[utoipa::path(
    get,
    path = "/notifications/unread",
    tag = "notifications",
    summary = "How many of one's notifications are unread.",
    responses((status = 200, description = "Success.", body = Unread)),
)]
pub async fn unread(State(state): State<WebState>, Caller { principal, lang }: Caller) -> ApiResult<Json<Unread>> {
    let n = notifications::unread_count(&state.ctx, &principal).await?;
    let label = cercle_i18n::ta(lang, "notif-live-unread", &[("count", &n.to_string())]);
    Ok(Json(Unread { unread: n, label }))
}

/// Marks one notification read and answers where it leads.
#[utoipa::path(
    post,
    path = "/notifications/{id}/open",
    tag = "notifications",
    summary = "Mark one of one's notifications read; answers its link (a path within Cercle).",
    params(("id" = String, Path, description = "The identifier of the resource in the path.")),
    responses((status = 200, description = "Success.", body = Link)),
)]
pub async fn open(
    State(state): State<WebState>,
    Caller { principal, .. }: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Link>> {
    let link = notifications::open(&state.ctx, &principal, id.parse()?).await?;
    Ok(Json(Link { link }))
}

#[utoipa::path(
    post,
    path = "/notifications/read-all",
    tag = "notifications",
    summary = "Mark all of one's notifications read.",
    responses((status = 204, description = "Success.")),
)]
pub async fn read_all(State(state): State<WebState>, Caller { principal, .. }: Caller) -> ApiResult<StatusCode> {
    notifications::mark_all_read(&state.ctx, &principal).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    get,
    path = "/notifications/preferences",
    tag = "notifications",
    summary = "One's notification preferences: email alert on or off and its delay, the delays one may choose, whether SMS escalation reaches one, muted threads.",
    responses((status = 200, description = "Success.", body = Preferences)),
)]
pub async fn preferences(
    State(state): State<WebState>,
    Caller { principal, lang }: Caller,
) -> ApiResult<Json<Preferences>> {
    let p = notifications::preferences(&state.ctx, &principal, lang).await?;
    Ok(Json(p))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct PreferencesInput {
    pub email_alerts: bool,
    pub email_delay_mins: i64,
}

#[utoipa::path(
    put,
    path = "/notifications/preferences",
    tag = "notifications",
    summary = "Set the email alert: email_alerts (bool), email_delay_mins (one of 5, 15, 30, 60, 120, 240, 1440).",
    request_body = PreferencesInput,
    responses((status = 200, description = "Success.", body = Preferences)),
)]
pub async fn set_preferences(
    State(state): State<WebState>,
    Caller { principal, lang }: Caller,
    ApiJson(input): ApiJson<PreferencesInput>,
) -> ApiResult<Json<Preferences>> {
    notifications::set_preferences(&state.ctx, &principal, input.email_alerts, input.email_delay_mins).await?;
    let p = notifications::preferences(&state.ctx, &principal, lang).await?;
    Ok(Json(p))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct MuteInput {
    pub muted: bool,
}

#[utoipa::path(
    put,
    path = "/threads/{id}/mute",
    tag = "notifications",
    summary = "Mute or unmute a thread one reaches: { muted }. Muted threads do not ring (high priority still does).",
    params(("id" = String, Path, description = "The identifier of the resource in the path.")),
    request_body = MuteInput,
    responses((status = 200, description = "Success.", body = Muted)),
)]
pub async fn mute(
    State(state): State<WebState>,
    Caller { principal, .. }: Caller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<MuteInput>,
) -> ApiResult<Json<Muted>> {
    notifications::set_muted(&state.ctx, &principal, id.parse()?, input.muted).await?;
    Ok(Json(Muted { muted: input.muted }))
}
