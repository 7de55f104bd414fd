//! Patient files (SPEC 4): lists and search, open, read, change, archive and
//! restore. Thin: the rules are in `cercle_app::patients::files`.

use super::{err, ApiJson, ApiResult};
use crate::extract::{ApiScope, ClientInfo, Lang};
use crate::WebState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use cercle_app::patients::files::{self, FileInput, ListQuery};
use serde_json::{json, Value};

pub async fn list(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiScope(scope): ApiScope,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<Value>> {
    let list = files::list(&state.ctx, &client, &scope, &q).await.map_err(err(lang))?;
    Ok(Json(json!({ "patient_files": list })))
}

pub async fn create(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiScope(scope): ApiScope,
    ApiJson(input): ApiJson<FileInput>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let p = files::create(&state.ctx, &client, &scope, &input)
        .await
        .map_err(err(lang))?;
    Ok((StatusCode::CREATED, Json(json!(p))))
}

pub async fn show(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiScope(scope): ApiScope,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let p = files::show(&state.ctx, &client, &scope, &id).await.map_err(err(lang))?;
    Ok(Json(json!(p)))
}

pub async fn update(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiScope(scope): ApiScope,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<FileInput>,
) -> ApiResult<Json<Value>> {
    let p = files::update(&state.ctx, &client, &scope, &id, &input)
        .await
        .map_err(err(lang))?;
    Ok(Json(json!(p)))
}

pub async fn archive(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiScope(scope): ApiScope,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let p = files::archive(&state.ctx, &client, &scope, &id)
        .await
        .map_err(err(lang))?;
    Ok(Json(json!(p)))
}

pub async fn restore(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiScope(scope): ApiScope,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let p = files::restore(&state.ctx, &client, &scope, &id)
        .await
        .map_err(err(lang))?;
    Ok(Json(json!(p)))
}
