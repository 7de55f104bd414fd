//! Web Push: the VAPID public key and one's browser subscriptions.

use super::{ApiJson, ApiResult, Caller};
use crate::extract::ClientInfo;
use crate::WebState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use cercle_app::push::{self, SubscriptionInput, SubscriptionView, UnsubscribeInput};
use serde::Serialize;

/// The server's VAPID public key.
#[derive(Serialize, utoipa::ToSchema)]
pub struct VapidKey {
    /// base64url, uncompressed P-256.
    pub key: String,
}

/// One's Web Push subscriptions.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Subscriptions {
    pub subscriptions: Vec<SubscriptionView>,
}

#[utoipa::path(
    get,
    path = "/push/vapid-public-key",
    tag = "push",
    summary = "The server's VAPID public key (base64url, uncompressed P-256): the applicationServerKey browsers subscribe with.",
    responses((status = 200, description = "Success.", body = VapidKey)),
    security(()),
)]
pub async fn vapid_public_key(State(state): State<WebState>) -> Json<VapidKey> {
    Json(VapidKey {
        key: push::vapid_public_key(&state.ctx),
    })
}

#[utoipa::path(
    get,
    path = "/push/subscriptions",
    tag = "push",
    summary = "One's Web Push subscriptions (push service host, created, last delivered).",
    responses((status = 200, description = "Success.", body = Subscriptions)),
)]
pub async fn subscriptions(
    State(state): State<WebState>,
    Caller { principal, .. }: Caller,
) -> ApiResult<Json<Subscriptions>> {
    let list = push::subscriptions(&state.ctx, &principal).await?;
    Ok(Json(Subscriptions { subscriptions: list }))
}

#[utoipa::path(
    post,
    path = "/push/subscriptions",
    tag = "push",
    summary = "Subscribe this browser to Web Push: the PushSubscription JSON { endpoint (https), keys { p256dh, auth } }; at most 20 per person; an endpoint already subscribed gets its keys renewed.",
    request_body = SubscriptionInput,
    responses((status = 201, description = "Success.", body = SubscriptionView)),
)]
pub async fn subscribe(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    Caller { principal, .. }: Caller,
    ApiJson(input): ApiJson<SubscriptionInput>,
) -> ApiResult<(StatusCode, Json<SubscriptionView>)> {
    let s = push::subscribe(&state.ctx, &client, &principal, &input).await?;
    Ok((StatusCode::CREATED, Json(s)))
}

#[utoipa::path(
    delete,
    path = "/push/subscriptions",
    tag = "push",
    summary = "Unsubscribe one of one's browsers, named by its endpoint.",
    request_body = UnsubscribeInput,
    responses((status = 204, description = "Success.")),
)]
pub async fn unsubscribe(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    Caller { principal, .. }: Caller,
    ApiJson(input): ApiJson<UnsubscribeInput>,
) -> ApiResult<StatusCode> {
    push::unsubscribe(&state.ctx, &client, &principal, &input).await?;
    Ok(StatusCode::NO_CONTENT)
}
