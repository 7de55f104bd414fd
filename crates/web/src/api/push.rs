//! Web Push: the VAPID public key and one's browser subscriptions.

use super::{err, ApiJson, ApiResult};
use crate::extract::{ApiAuth, ClientInfo, Lang};
use crate::WebState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use cercle_app::push::{self, SubscriptionInput, UnsubscribeInput};
use serde_json::{json, Value};

pub async fn vapid_public_key(State(state): State<WebState>) -> Json<Value> {
    Json(json!({ "key": push::vapid_public_key(&state.ctx) }))
}

pub async fn subscriptions(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ApiAuth(view): ApiAuth,
) -> ApiResult<Json<Value>> {
    let principal = view.principal().map_err(err(lang))?;
    let list = push::subscriptions(&state.ctx, &principal).await.map_err(err(lang))?;
    Ok(Json(json!({ "subscriptions": list })))
}

pub async fn subscribe(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiAuth(view): ApiAuth,
    ApiJson(input): ApiJson<SubscriptionInput>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let principal = view.principal().map_err(err(lang))?;
    let s = push::subscribe(&state.ctx, &client, &principal, &input)
        .await
        .map_err(err(lang))?;
    Ok((StatusCode::CREATED, Json(json!(s))))
}

pub async fn unsubscribe(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiAuth(view): ApiAuth,
    ApiJson(input): ApiJson<UnsubscribeInput>,
) -> ApiResult<StatusCode> {
    let principal = view.principal().map_err(err(lang))?;
    push::unsubscribe(&state.ctx, &client, &principal, &input)
        .await
        .map_err(err(lang))?;
    Ok(StatusCode::NO_CONTENT)
}
