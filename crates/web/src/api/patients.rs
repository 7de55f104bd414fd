//! Patient files (SPEC 4): lists and search, open, read, change, archive and
//! restore. Thin: the rules are in `cercle_app::patients::files`.

use super::{err, ApiJson, ApiResult};
use crate::extract::{replay, ApiScope, ClientInfo, Idempotent, Lang};
use crate::WebState;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::Json;
use cercle_app::idempotency::{self, Answer};
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
    request: Idempotent,
) -> Result<Response, Response> {
    let input: FileInput = request.json(lang)?;
    let (ctx, s) = (&state.ctx, &scope);
    let person = scope.user_id.to_string();
    let answer = idempotency::run(
        ctx,
        &client,
        &person,
        request.key.as_ref(),
        &request.hash,
        |client| async move {
            let p = files::create(ctx, &client, s, &input).await?;
            Ok(Answer::created(json!(p)))
        },
    )
    .await
    .map_err(super::threads::refuse(lang))?;
    Ok(replay(answer))
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
