//! Care channels, their participants and threads, and pinned documents.

use super::{err, ApiJson, ApiResult};
use crate::extract::{ApiAuth, ClientInfo, Lang};
use crate::WebState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use cercle_app::patients::channels::{self, NewChannel, NewChannelThread};
use cercle_app::patients::pinned;
use cercle_app::threads::service::ParticipantRef;
use serde::Deserialize;
use serde_json::{json, Value};

pub async fn of_file(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiAuth(view): ApiAuth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let principal = view.principal().map_err(err(lang))?;
    let list = channels::list_of_file(&state.ctx, &client, &principal, &id)
        .await
        .map_err(err(lang))?;
    Ok(Json(json!({ "channels": list })))
}

pub async fn create(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiAuth(view): ApiAuth,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<NewChannel>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let principal = view.principal().map_err(err(lang))?;
    let c = channels::create(&state.ctx, &client, &principal, &id, &input)
        .await
        .map_err(err(lang))?;
    Ok((StatusCode::CREATED, Json(json!(c))))
}

pub async fn mine(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiAuth(view): ApiAuth,
) -> ApiResult<Json<Value>> {
    let principal = view.principal().map_err(err(lang))?;
    let list = channels::mine(&state.ctx, &client, &principal)
        .await
        .map_err(err(lang))?;
    Ok(Json(json!({ "channels": list })))
}

pub async fn show(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiAuth(view): ApiAuth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let principal = view.principal().map_err(err(lang))?;
    let c = channels::show(&state.ctx, &client, &principal, &id)
        .await
        .map_err(err(lang))?;
    Ok(Json(json!(c)))
}

#[derive(Deserialize)]
pub struct Who {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    id: String,
}

pub async fn add_participant(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiAuth(view): ApiAuth,
    Path(id): Path<String>,
    ApiJson(who): ApiJson<Who>,
) -> ApiResult<Json<Value>> {
    let principal = view.principal().map_err(err(lang))?;
    let who = ParticipantRef {
        kind: who.kind,
        id: who.id,
    };
    let c = channels::add_participant(&state.ctx, &client, &principal, &id, &who)
        .await
        .map_err(err(lang))?;
    Ok(Json(json!(c)))
}

pub async fn remove_participant(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiAuth(view): ApiAuth,
    Path((id, kind, pid)): Path<(String, String, String)>,
) -> ApiResult<StatusCode> {
    let principal = view.principal().map_err(err(lang))?;
    let who = ParticipantRef { kind, id: pid };
    channels::remove_participant(&state.ctx, &client, &principal, &id, &who)
        .await
        .map_err(err(lang))?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
pub struct ClosedQuery {
    #[serde(default)]
    closed: bool,
}

pub async fn threads(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiAuth(view): ApiAuth,
    Path(id): Path<String>,
    Query(q): Query<ClosedQuery>,
) -> ApiResult<Json<Value>> {
    let principal = view.principal().map_err(err(lang))?;
    let list = channels::threads(&state.ctx, &client, &principal, &id, q.closed, lang)
        .await
        .map_err(err(lang))?;
    Ok(Json(json!({ "threads": list })))
}

pub async fn start_thread(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiAuth(view): ApiAuth,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<NewChannelThread>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let principal = view.principal().map_err(err(lang))?;
    let t = channels::start_thread(&state.ctx, &client, &principal, &id, &input, lang)
        .await
        .map_err(err(lang))?;
    Ok((StatusCode::CREATED, Json(json!(t))))
}

pub async fn pinned_list(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiAuth(view): ApiAuth,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let principal = view.principal().map_err(err(lang))?;
    let docs = pinned::list(&state.ctx, &client, &principal, &id)
        .await
        .map_err(err(lang))?;
    Ok(Json(json!({ "documents": docs })))
}

#[derive(Deserialize)]
pub struct PinInput {
    #[serde(default)]
    attachment_id: String,
}

pub async fn pin(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiAuth(view): ApiAuth,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<PinInput>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let principal = view.principal().map_err(err(lang))?;
    let d = pinned::pin(&state.ctx, &client, &principal, &id, &input.attachment_id)
        .await
        .map_err(err(lang))?;
    Ok((StatusCode::CREATED, Json(json!(d))))
}

#[derive(Deserialize)]
pub struct VersionQuery {
    #[serde(default)]
    name: String,
    kind: Option<String>,
}

/// The body is the new version's file (as for thread attachments); `name`
/// and `kind` in the query.
pub async fn add_version(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiAuth(view): ApiAuth,
    Path(id): Path<String>,
    Query(q): Query<VersionQuery>,
    body: axum::body::Bytes,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let principal = view.principal().map_err(err(lang))?;
    let d = pinned::add_version(
        &state.ctx,
        &client,
        &principal,
        &id,
        &q.name,
        q.kind.as_deref(),
        body.to_vec(),
        lang,
    )
    .await
    .map_err(err(lang))?;
    Ok((StatusCode::CREATED, Json(json!(d))))
}
