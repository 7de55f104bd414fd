use super::{err, ApiJson, ApiResult};
use crate::extract::{ApiAuth, ClientInfo, Lang};
use crate::WebState;
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use cercle_app::accounts::{reset, session, signin, signup, Holder, NewDeviceToken, SessionState, SessionView};
use serde::Deserialize;
use serde_json::{json, Value};

/// The state of a session, as every auth call answers it.
pub(crate) fn session_json(view: &SessionView) -> Value {
    let mut v = json!({ "session_id": view.session.id, "state": view.state.name() });
    match &view.state {
        SessionState::AwaitingCode { factor, sign_up } => {
            v["factor"] = json!(factor);
            v["sign_up"] = json!(sign_up);
        }
        SessionState::Setup(step) => v["setup_step"] = json!(step),
        SessionState::Ready(_) | SessionState::Locked => {}
    }
    if !matches!(view.state, SessionState::AwaitingCode { .. }) {
        v["me"] = json!(view.me());
    }
    v
}

/// The session's state after a step changed it.
async fn reload(state: &WebState, view: &SessionView) -> Result<Value, cercle_app::AppError> {
    Ok(session_json(&session::reload(&state.ctx, view).await?))
}

pub async fn sign_up(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiJson(input): ApiJson<signup::SignupInput>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let started = signup::start(&state.ctx, &client, Holder::Bearer, &input)
        .await
        .map_err(err(lang))?;
    Ok((StatusCode::CREATED, Json(json!(started))))
}

#[derive(Deserialize)]
pub struct SignInInput {
    email: String,
    password: String,
}

pub async fn sign_in(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiJson(input): ApiJson<SignInInput>,
) -> ApiResult<Json<Value>> {
    let outcome = signin::sign_in(&state.ctx, &client, Holder::Bearer, &input.email, &input.password)
        .await
        .map_err(err(lang))?;
    Ok(Json(json!(outcome)))
}

pub async fn session(ApiAuth(view): ApiAuth) -> Json<Value> {
    Json(session_json(&view))
}

#[derive(Deserialize)]
pub struct CodeInput {
    code: String,
}

/// A web session (cookie-authenticated call) that became active gets its
/// device's new token as a cookie; API sessions have no device.
fn with_device(state: &WebState, body: Json<Value>, device: Option<NewDeviceToken>) -> Response {
    let mut resp = body.into_response();
    if let Some(NewDeviceToken(token)) = device {
        if let Ok(v) = HeaderValue::from_str(&crate::cookies::device(&token, state.secure_cookies)) {
            resp.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    resp
}

pub async fn verify_code(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiAuth(view): ApiAuth,
    ApiJson(input): ApiJson<CodeInput>,
) -> ApiResult<Response> {
    let device = signin::verify_code(&state.ctx, &client, &view, &input.code)
        .await
        .map_err(err(lang))?;
    let body = Json(reload(&state, &view).await.map_err(err(lang))?);
    Ok(with_device(&state, body, device))
}

pub async fn resend_code(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiAuth(view): ApiAuth,
) -> ApiResult<StatusCode> {
    signin::resend_code(&state.ctx, &client, &view)
        .await
        .map_err(err(lang))?;
    Ok(StatusCode::ACCEPTED)
}

#[derive(Deserialize)]
pub struct RecoveryInput {
    recovery_code: String,
}

pub async fn use_recovery(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiAuth(view): ApiAuth,
    ApiJson(input): ApiJson<RecoveryInput>,
) -> ApiResult<Response> {
    let device = signin::use_recovery_code(&state.ctx, &client, &view, &input.recovery_code)
        .await
        .map_err(err(lang))?;
    let body = Json(reload(&state, &view).await.map_err(err(lang))?);
    Ok(with_device(&state, body, device))
}

pub async fn accept_terms(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiAuth(view): ApiAuth,
) -> ApiResult<Json<Value>> {
    signup::accept_terms(&state.ctx, &client, &view)
        .await
        .map_err(err(lang))?;
    Ok(Json(reload(&state, &view).await.map_err(err(lang))?))
}

pub async fn create_recovery_code(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiAuth(view): ApiAuth,
) -> ApiResult<Json<Value>> {
    let code = signup::create_recovery_code(&state.ctx, &client, &view)
        .await
        .map_err(err(lang))?;
    Ok(Json(json!({ "recovery_code": code.expose() })))
}

#[derive(Deserialize)]
pub struct PinInput {
    pin: String,
    pin_confirm: String,
}

pub async fn set_pin(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiAuth(view): ApiAuth,
    ApiJson(input): ApiJson<PinInput>,
) -> ApiResult<Response> {
    let device = signup::set_first_pin(&state.ctx, &client, &view, &input.pin, &input.pin_confirm)
        .await
        .map_err(err(lang))?;
    let body = Json(reload(&state, &view).await.map_err(err(lang))?);
    Ok(with_device(&state, body, device))
}

pub async fn lock(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiAuth(view): ApiAuth,
) -> ApiResult<Json<Value>> {
    session::lock(&state.ctx, &client, &view).await.map_err(err(lang))?;
    Ok(Json(reload(&state, &view).await.map_err(err(lang))?))
}

#[derive(Deserialize)]
pub struct UnlockInput {
    pin: String,
}

pub async fn unlock(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiAuth(view): ApiAuth,
    ApiJson(input): ApiJson<UnlockInput>,
) -> ApiResult<Response> {
    let device = session::unlock(&state.ctx, &client, &view, &input.pin)
        .await
        .map_err(err(lang))?;
    let body = Json(reload(&state, &view).await.map_err(err(lang))?);
    Ok(with_device(&state, body, device))
}

pub async fn sign_out(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiAuth(view): ApiAuth,
) -> ApiResult<StatusCode> {
    session::sign_out(&state.ctx, &client, &view).await.map_err(err(lang))?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn sign_out_everywhere(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiAuth(view): ApiAuth,
) -> ApiResult<Json<Value>> {
    let principal = view.principal().map_err(err(lang))?;
    let n = session::sign_out_everywhere(&state.ctx, &client, &principal)
        .await
        .map_err(err(lang))?;
    Ok(Json(json!({ "sessions_closed": n })))
}

#[derive(Deserialize)]
pub struct ResetRequest {
    email: String,
}

pub async fn request_reset(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiJson(input): ApiJson<ResetRequest>,
) -> ApiResult<StatusCode> {
    reset::request(&state.ctx, &client, &input.email)
        .await
        .map_err(err(lang))?;
    Ok(StatusCode::ACCEPTED)
}

#[derive(Deserialize)]
pub struct ResetComplete {
    token: String,
    password: String,
}

pub async fn complete_reset(
    State(state): State<WebState>,
    Lang(lang): Lang,
    ClientInfo(client): ClientInfo,
    ApiJson(input): ApiJson<ResetComplete>,
) -> ApiResult<StatusCode> {
    reset::complete(&state.ctx, &client, &input.token, &input.password)
        .await
        .map_err(err(lang))?;
    Ok(StatusCode::NO_CONTENT)
}
