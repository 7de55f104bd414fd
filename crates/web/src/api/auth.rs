use super::{ApiJson, ApiResult, Caller};
use crate::extract::{ApiAuth, ClientInfo};
use crate::WebState;
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use cercle_app::accounts::session::SetupStep;
use cercle_app::accounts::signin::SignIn;
use cercle_app::accounts::{reset, session, signin, signup, Holder, NewDeviceToken, SessionState, SessionView};
use cercle_app::accounts::{Me, Started};
use cercle_domain::session::SecondFactor;
use serde::{Deserialize, Serialize};

/// A recovery code, shown once.
#[derive(Serialize, utoipa::ToSchema)]
pub struct RecoveryCode {
    pub recovery_code: String,
}

/// How many sessions were closed.
#[derive(Serialize, utoipa::ToSchema)]
pub struct SessionsClosed {
    pub sessions_closed: u64,
}

/// The state of a session, as every auth call answers it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct SessionBody {
    pub session_id: String,
    /// awaiting_code | setup | locked | ready
    pub state: String,
    /// awaiting_code: where the code comes from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub factor: Option<SecondFactor>,
    /// awaiting_code: whether this is a sign-up.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sign_up: Option<bool>,
    /// setup: the step to do next.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub setup_step: Option<SetupStep>,
    /// The person, once the code is entered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub me: Option<Me>,
}

pub(crate) fn session_json(view: &SessionView) -> SessionBody {
    let (factor, sign_up, setup_step) = match &view.state {
        SessionState::AwaitingCode { factor, sign_up } => (Some(*factor), Some(*sign_up), None),
        SessionState::Setup(step) => (None, None, Some(*step)),
        SessionState::Ready(_) | SessionState::Locked => (None, None, None),
    };
    SessionBody {
        session_id: view.session.id.to_string(),
        state: view.state.name().to_string(),
        factor,
        sign_up,
        setup_step,
        me: (!matches!(view.state, SessionState::AwaitingCode { .. })).then(|| view.me()),
    }
}

/// The session's state after a step changed it.
async fn reload(state: &WebState, view: &SessionView) -> Result<SessionBody, cercle_app::AppError> {
    Ok(session_json(&session::reload(&state.ctx, view).await?))
}

#[utoipa::path(
    post,
    path = "/auth/sign-up",
    tag = "auth",
    summary = "Start a sign-up; a 6-digit code is emailed. Returns a bearer token for the next steps.",
    request_body = signup::SignupInput,
    responses((status = 201, description = "Success.", body = Started)),
    security(()),
)]
pub async fn sign_up(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    ApiJson(input): ApiJson<signup::SignupInput>,
) -> ApiResult<(StatusCode, Json<Started>)> {
    let started = signup::start(&state.ctx, &client, Holder::Bearer, &input).await?;
    Ok((StatusCode::CREATED, Json(started)))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct SignInInput {
    email: String,
    password: String,
}

#[utoipa::path(
    post,
    path = "/auth/sign-in",
    tag = "auth",
    summary = "Check email and password; a code is sent (email, SMS) or read from the authenticator app. Returns a bearer token.",
    request_body = SignInInput,
    responses((status = 200, description = "Success.", body = SignIn)),
    security(()),
)]
pub async fn sign_in(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    ApiJson(input): ApiJson<SignInInput>,
) -> ApiResult<Json<SignIn>> {
    let outcome = signin::sign_in(&state.ctx, &client, Holder::Bearer, &input.email, &input.password).await?;
    Ok(Json(outcome))
}

#[utoipa::path(
    get,
    path = "/auth/session",
    tag = "auth",
    summary = "The state of this session: awaiting_code, setup (terms, recovery_code, pin), locked or ready.",
    responses((status = 200, description = "Success.", body = SessionBody)),
)]
pub async fn session(ApiAuth(view): ApiAuth) -> Json<SessionBody> {
    Json(session_json(&view))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct CodeInput {
    code: String,
}

/// A web session (cookie-authenticated call) that became active gets its
/// device's new token as a cookie; API sessions have no device.
fn with_device(state: &WebState, body: Json<SessionBody>, device: Option<NewDeviceToken>) -> Response {
    let mut resp = body.into_response();
    if let Some(NewDeviceToken(token)) = device {
        if let Ok(v) = HeaderValue::from_str(&crate::cookies::device(&token, state.secure_cookies)) {
            resp.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    resp
}

#[utoipa::path(
    post,
    path = "/auth/code",
    tag = "auth",
    summary = "Enter the code of a pending sign-up or sign-in.",
    request_body = CodeInput,
    responses((status = 200, description = "Success.", body = SessionBody)),
)]
pub async fn verify_code(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    ApiAuth(view): ApiAuth,
    ApiJson(input): ApiJson<CodeInput>,
) -> ApiResult<Response> {
    let device = signin::verify_code(&state.ctx, &client, &view, &input.code).await?;
    let body = Json(reload(&state, &view).await?);
    Ok(with_device(&state, body, device))
}

#[utoipa::path(
    post,
    path = "/auth/code/resend",
    tag = "auth",
    summary = "Send a new code (the earlier one stops working).",
    responses((status = 202, description = "Success.")),
)]
pub async fn resend_code(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    ApiAuth(view): ApiAuth,
) -> ApiResult<StatusCode> {
    signin::resend_code(&state.ctx, &client, &view).await?;
    Ok(StatusCode::ACCEPTED)
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct RecoveryInput {
    recovery_code: String,
}

#[utoipa::path(
    post,
    path = "/auth/recovery",
    tag = "auth",
    summary = "Sign in with the recovery code instead of the second factor (works once).",
    request_body = RecoveryInput,
    responses((status = 200, description = "Success.", body = SessionBody)),
)]
pub async fn use_recovery(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    ApiAuth(view): ApiAuth,
    ApiJson(input): ApiJson<RecoveryInput>,
) -> ApiResult<Response> {
    let device = signin::use_recovery_code(&state.ctx, &client, &view, &input.recovery_code).await?;
    let body = Json(reload(&state, &view).await?);
    Ok(with_device(&state, body, device))
}

#[utoipa::path(
    post,
    path = "/auth/terms",
    tag = "auth",
    summary = "Sign-up step: accept the terms of use.",
    responses((status = 200, description = "Success.", body = SessionBody)),
)]
pub async fn accept_terms(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    ApiAuth(view): ApiAuth,
) -> ApiResult<Json<SessionBody>> {
    signup::accept_terms(&state.ctx, &client, &view).await?;
    Ok(Json(reload(&state, &view).await?))
}

#[utoipa::path(
    post,
    path = "/auth/recovery-code",
    tag = "auth",
    summary = "Sign-up step: create the recovery code (returned once, also emailed).",
    responses((status = 200, description = "Success.", body = RecoveryCode)),
)]
pub async fn create_recovery_code(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    ApiAuth(view): ApiAuth,
) -> ApiResult<Json<RecoveryCode>> {
    let code = signup::create_recovery_code(&state.ctx, &client, &view).await?;
    Ok(Json(RecoveryCode {
        recovery_code: code.expose().to_string(),
    }))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct PinInput {
    pin: String,
    pin_confirm: String,
}

#[utoipa::path(
    post,
    path = "/auth/pin",
    tag = "auth",
    summary = "Sign-up step: set the PIN (entered twice).",
    request_body = PinInput,
    responses((status = 200, description = "Success.", body = SessionBody)),
)]
pub async fn set_pin(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    ApiAuth(view): ApiAuth,
    ApiJson(input): ApiJson<PinInput>,
) -> ApiResult<Response> {
    let device = signup::set_first_pin(&state.ctx, &client, &view, &input.pin, &input.pin_confirm).await?;
    let body = Json(reload(&state, &view).await?);
    Ok(with_device(&state, body, device))
}

#[utoipa::path(
    post,
    path = "/auth/lock",
    tag = "auth",
    summary = "Lock this session; the PIN unlocks it.",
    responses((status = 200, description = "Success.", body = SessionBody)),
)]
pub async fn lock(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    ApiAuth(view): ApiAuth,
) -> ApiResult<Json<SessionBody>> {
    session::lock(&state.ctx, &client, &view).await?;
    Ok(Json(reload(&state, &view).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct UnlockInput {
    pin: String,
}

#[utoipa::path(
    post,
    path = "/auth/unlock",
    tag = "auth",
    summary = "Unlock with the PIN. The fifth wrong PIN erases the session.",
    request_body = UnlockInput,
    responses((status = 200, description = "Success.", body = SessionBody)),
)]
pub async fn unlock(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    ApiAuth(view): ApiAuth,
    ApiJson(input): ApiJson<UnlockInput>,
) -> ApiResult<Response> {
    let device = session::unlock(&state.ctx, &client, &view, &input.pin).await?;
    let body = Json(reload(&state, &view).await?);
    Ok(with_device(&state, body, device))
}

#[utoipa::path(
    post,
    path = "/auth/sign-out",
    tag = "auth",
    summary = "Close this session.",
    responses((status = 204, description = "Success.")),
)]
pub async fn sign_out(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    ApiAuth(view): ApiAuth,
) -> ApiResult<StatusCode> {
    session::sign_out(&state.ctx, &client, &view).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    post,
    path = "/auth/sign-out-everywhere",
    tag = "auth",
    summary = "Close every session of this account.",
    responses((status = 200, description = "Success.", body = SessionsClosed)),
)]
pub async fn sign_out_everywhere(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    Caller { principal, .. }: Caller,
) -> ApiResult<Json<SessionsClosed>> {
    let n = session::sign_out_everywhere(&state.ctx, &client, &principal).await?;
    Ok(Json(SessionsClosed { sessions_closed: n }))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct ResetRequest {
    email: String,
}

#[utoipa::path(
    post,
    path = "/auth/password-reset",
    tag = "auth",
    summary = "Email a password-reset link if the address has an account (always 202).",
    request_body = ResetRequest,
    responses((status = 202, description = "Success.")),
    security(()),
)]
pub async fn request_reset(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    ApiJson(input): ApiJson<ResetRequest>,
) -> ApiResult<StatusCode> {
    reset::request(&state.ctx, &client, &input.email).await?;
    Ok(StatusCode::ACCEPTED)
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct ResetComplete {
    token: String,
    password: String,
}

#[utoipa::path(
    post,
    path = "/auth/password-reset/complete",
    tag = "auth",
    summary = "Set a new password with the token from the link (single use, expires).",
    request_body = ResetComplete,
    responses((status = 204, description = "Success.")),
    security(()),
)]
pub async fn complete_reset(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    ApiJson(input): ApiJson<ResetComplete>,
) -> ApiResult<StatusCode> {
    reset::complete(&state.ctx, &client, &input.token, &input.password).await?;
    Ok(StatusCode::NO_CONTENT)
}
