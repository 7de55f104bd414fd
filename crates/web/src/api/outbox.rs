//! Email and SMS that finally failed (network administrators): the list and
//! "send again". Thin: the rules are in `cercle_app::outbox`.

use super::{ApiResult, Caller};
use crate::extract::ClientInfo;
use crate::WebState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use cercle_app::outbox;
use serde_json::{json, Value};

#[utoipa::path(
    get,
    path = "/admin/outbox/failed",
    tag = "outbox",
    summary = "Email and SMS the worker gave up on after retrying for mail_retry_hours (network administrators): channel, kind, masked recipient, Message-ID, attempts, last error, created_at, failed_at; never subject nor body.",
    responses((status = 200, description = "Success.", body = Value)),
)]
pub async fn failed(State(state): State<WebState>, Caller { principal, .. }: Caller) -> ApiResult<Json<Value>> {
    let list = outbox::failed_messages(&state.ctx, &principal).await?;
    Ok(Json(json!({ "messages": list })))
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
    outbox::send_again(&state.ctx, &client, &principal, &id).await?;
    Ok(StatusCode::ACCEPTED)
}
