use super::{err, ApiJson, ApiResult};
use crate::extract::{ApiAuth, ClientInfo, Lang};
use crate::WebState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use cercle_app::accounts::{security, session};
use cercle_app::admin;
use serde::Deserialize;
use serde_json::{json, Value};

pub async fn me(State(state): State<WebState>, Lang(lang): Lang, ApiAuth(view): ApiAuth) -> ApiResult<Json<Value>> {
    let principal = view.principal().map_err(err(lang))?;
    Ok(Json(json!(security::me(&state.ctx, &principal)
        .await
        .map_err(err(lang))?)))
}

#[derive(Deserialize)]
pub struct PasswordChange {
    current_password: String,
    new_password: String,
}

pub async fn change_password(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiAuth(view): ApiAuth,
    ApiJson(input): ApiJson<PasswordChange>,
) -> ApiResult<StatusCode> {
    let principal = view.principal().map_err(err(lang))?;
    security::change_password(
        &state.ctx,
        &client,
        &principal,
        &input.current_password,
        &input.new_password,
    )
    .await
    .map_err(err(lang))?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
pub struct PinChange {
    password: String,
    pin: String,
    pin_confirm: String,
}

pub async fn change_pin(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiAuth(view): ApiAuth,
    ApiJson(input): ApiJson<PinChange>,
) -> ApiResult<StatusCode> {
    let principal = view.principal().map_err(err(lang))?;
    security::change_pin(
        &state.ctx,
        &client,
        &principal,
        &input.password,
        &input.pin,
        &input.pin_confirm,
    )
    .await
    .map_err(err(lang))?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
pub struct PasswordOnly {
    password: String,
}

pub async fn new_recovery_code(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiAuth(view): ApiAuth,
    ApiJson(input): ApiJson<PasswordOnly>,
) -> ApiResult<Json<Value>> {
    let principal = view.principal().map_err(err(lang))?;
    let code = security::new_recovery_code(&state.ctx, &client, &principal, &input.password)
        .await
        .map_err(err(lang))?;
    Ok(Json(json!({ "recovery_code": code.expose() })))
}

#[derive(Deserialize)]
pub struct PhoneInput {
    phone: String,
}

pub async fn start_phone(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiAuth(view): ApiAuth,
    ApiJson(input): ApiJson<PhoneInput>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let principal = view.principal().map_err(err(lang))?;
    let destination = security::start_phone(&state.ctx, &client, &principal, &input.phone)
        .await
        .map_err(err(lang))?;
    Ok((StatusCode::ACCEPTED, Json(json!({ "destination": destination }))))
}

#[derive(Deserialize)]
pub struct CodeInput {
    code: String,
}

pub async fn confirm_phone(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiAuth(view): ApiAuth,
    ApiJson(input): ApiJson<CodeInput>,
) -> ApiResult<Json<Value>> {
    let principal = view.principal().map_err(err(lang))?;
    security::confirm_phone(&state.ctx, &client, &principal, &input.code)
        .await
        .map_err(err(lang))?;
    Ok(Json(json!(security::me(&state.ctx, &principal)
        .await
        .map_err(err(lang))?)))
}

pub async fn start_totp(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiAuth(view): ApiAuth,
) -> ApiResult<Json<Value>> {
    let principal = view.principal().map_err(err(lang))?;
    Ok(Json(json!(security::start_totp(&state.ctx, &client, &principal)
        .await
        .map_err(err(lang))?)))
}

pub async fn confirm_totp(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiAuth(view): ApiAuth,
    ApiJson(input): ApiJson<CodeInput>,
) -> ApiResult<Json<Value>> {
    let principal = view.principal().map_err(err(lang))?;
    security::confirm_totp(&state.ctx, &client, &principal, &input.code)
        .await
        .map_err(err(lang))?;
    Ok(Json(json!(security::me(&state.ctx, &principal)
        .await
        .map_err(err(lang))?)))
}

pub async fn use_email_codes(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiAuth(view): ApiAuth,
    ApiJson(input): ApiJson<PasswordOnly>,
) -> ApiResult<Json<Value>> {
    let principal = view.principal().map_err(err(lang))?;
    security::use_email_codes(&state.ctx, &client, &principal, &input.password)
        .await
        .map_err(err(lang))?;
    Ok(Json(json!(security::me(&state.ctx, &principal)
        .await
        .map_err(err(lang))?)))
}

#[derive(Deserialize)]
pub struct LanguageInput {
    language: String,
}

pub async fn set_language(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiAuth(view): ApiAuth,
    ApiJson(input): ApiJson<LanguageInput>,
) -> ApiResult<StatusCode> {
    let principal = view.principal().map_err(err(lang))?;
    security::set_language(&state.ctx, &client, &principal, &input.language)
        .await
        .map_err(err(lang))?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn delete_account(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiAuth(view): ApiAuth,
    ApiJson(input): ApiJson<PasswordOnly>,
) -> ApiResult<StatusCode> {
    let principal = view.principal().map_err(err(lang))?;
    security::delete_account(&state.ctx, &client, &principal, &input.password)
        .await
        .map_err(err(lang))?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn sessions(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ApiAuth(view): ApiAuth,
) -> ApiResult<Json<Value>> {
    let principal = view.principal().map_err(err(lang))?;
    Ok(Json(
        json!({ "sessions": session::list(&state.ctx, &principal).await.map_err(err(lang))? }),
    ))
}

pub async fn end_session(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiAuth(view): ApiAuth,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let principal = view.principal().map_err(err(lang))?;
    session::end(&state.ctx, &client, &principal, &id)
        .await
        .map_err(err(lang))?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
pub struct LimitQuery {
    limit: Option<i64>,
}

pub async fn activity(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ApiAuth(view): ApiAuth,
    Query(q): Query<LimitQuery>,
) -> ApiResult<Json<Value>> {
    let principal = view.principal().map_err(err(lang))?;
    let records = admin::audit_log(&state.ctx, &principal, true, q.limit.unwrap_or(50))
        .await
        .map_err(err(lang))?;
    Ok(Json(json!({ "events": records })))
}

pub async fn network_audit(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ApiAuth(view): ApiAuth,
    Query(q): Query<LimitQuery>,
) -> ApiResult<Json<Value>> {
    let principal = view.principal().map_err(err(lang))?;
    let records = admin::audit_log(&state.ctx, &principal, false, q.limit.unwrap_or(100))
        .await
        .map_err(err(lang))?;
    Ok(Json(json!({ "events": records })))
}
