//! Email and SMS that finally failed (network administrators): the list and
//! "send again". Thin: the rules are in `cercle_app::outbox`.

use super::{err, ApiResult};
use crate::extract::{ApiAuth, ClientInfo, Lang};
use crate::WebState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use cercle_app::outbox;
use serde_json::{json, Value};

pub async fn failed(State(state): State<WebState>, Lang(lang): Lang, ApiAuth(view): ApiAuth) -> ApiResult<Json<Value>> {
    let principal = view.principal().map_err(err(lang))?;
    let list = outbox::failed_messages(&state.ctx, &principal)
        .await
        .map_err(err(lang))?;
    Ok(Json(json!({ "messages": list })))
}

pub async fn retry(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiAuth(view): ApiAuth,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let principal = view.principal().map_err(err(lang))?;
    outbox::send_again(&state.ctx, &client, &principal, &id)
        .await
        .map_err(err(lang))?;
    Ok(StatusCode::ACCEPTED)
}
