//! Email and SMS that finally failed (network administrators): the list and
//! "send again". Thin: the rules are in `cercle_app::outbox`.

use super::{ApiResult, Caller};
use crate::extract::ClientInfo;
use crate::WebState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use cercle_app::outbox::{self, FailedMessage};
use serde::Serialize;

/// Email and SMS given up on.
#[derive(Serialize, utoipa::ToSchema)]
pub struct FailedMessages {
    pub messages: Vec<FailedMessage>,
}

#[utoipa::path(
    get,
    path = "/admin/outbox/failed",
    tag = "outbox",
    summary = "Email and SMS the worker gave up on after retrying for mail_retry_hours (network administrators): channel, kind, masked recipient, Message-ID, attempts, last error, created_at, failed_at; never subject nor body.",
    responses((status = 200, description = "Success.", body = FailedMessages)),
)]
pub async fn failed(
    State(state): State<WebState>,
    Caller { principal, .. }: Caller,
) -> ApiResult<Json<FailedMessages>> {
    let list = outbox::failed_messages(&state.ctx, &principal).await?;
    Ok(Json(FailedMessages { messages: list }))
}

#[utoipa::path(
    post,
    path = "/admin/outbox/{id}/retry",
    tag = "outbox",
    summary = "Send a failed message again (network administrators): due now, attempts from zero, a new retry window, the same Message-ID. Audited.",
    params(("id" = String, Path, description = "The identifier of the resource in the path.")),
    responses((status = 202, description = "Success.")),
)]
pub async fn retry(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    Caller { principal, .. }: Caller,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    outbox::send_again(&state.ctx, &client, &principal, id.parse()?).await?;
    Ok(StatusCode::ACCEPTED)
}
