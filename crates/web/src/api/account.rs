use super::auth::RecoveryCode;
use super::{ApiJson, ApiQuery, ApiResult, Caller};
use crate::error::json_error;
use crate::extract::{ClientInfo, Lang};
use crate::WebState;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use cercle_app::accounts::security::TotpSetup;
use cercle_app::accounts::session::SessionSummary;
use cercle_app::accounts::{connect, security, session, Holder, Me};
use cercle_app::admin;
use cercle_domain::audit::AuditRecord;
use serde::{Deserialize, Serialize};

/// Where a code went, masked.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Destination {
    pub destination: String,
}

/// One's sessions.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Sessions {
    pub sessions: Vec<SessionSummary>,
}

/// Audit records, newest first.
#[derive(Serialize, utoipa::ToSchema)]
pub struct AuditEvents {
    pub events: Vec<AuditRecord>,
}

#[utoipa::path(
    get,
    path = "/account",
    tag = "account",
    summary = "The signed-in person.",
    responses((status = 200, description = "Success.", body = Me)),
)]
pub async fn me(State(state): State<WebState>, Caller { principal, .. }: Caller) -> ApiResult<Json<Me>> {
    Ok(Json(security::me(&state.ctx, &principal).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct PasswordChange {
    current_password: String,
    new_password: String,
}

#[utoipa::path(
    put,
    path = "/account/password",
    tag = "account",
    summary = "Change the password; other sessions end.",
    request_body = PasswordChange,
    responses((status = 204, description = "Success.")),
)]
pub async fn change_password(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    Caller { principal, .. }: Caller,
    ApiJson(input): ApiJson<PasswordChange>,
) -> ApiResult<StatusCode> {
    security::change_password(
        &state.ctx,
        &client,
        &principal,
        &input.current_password,
        &input.new_password,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct PinChange {
    password: String,
    pin: String,
    pin_confirm: String,
}

#[utoipa::path(
    put,
    path = "/account/pin",
    tag = "account",
    summary = "Change the PIN (password needed).",
    request_body = PinChange,
    responses((status = 204, description = "Success.")),
)]
pub async fn change_pin(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    Caller { principal, .. }: Caller,
    ApiJson(input): ApiJson<PinChange>,
) -> ApiResult<StatusCode> {
    security::change_pin(
        &state.ctx,
        &client,
        &principal,
        &input.password,
        &input.pin,
        &input.pin_confirm,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct PasswordOnly {
    password: String,
}

#[utoipa::path(
    post,
    path = "/account/recovery-code",
    tag = "account",
    summary = "Generate a new recovery code; the old one stops working.",
    request_body = PasswordOnly,
    responses((status = 200, description = "Success.", body = RecoveryCode)),
)]
pub async fn new_recovery_code(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    Caller { principal, .. }: Caller,
    ApiJson(input): ApiJson<PasswordOnly>,
) -> ApiResult<Json<RecoveryCode>> {
    let code = security::new_recovery_code(&state.ctx, &client, &principal, &input.password).await?;
    Ok(Json(RecoveryCode {
        recovery_code: code.expose().to_string(),
    }))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct PhoneInput {
    phone: String,
}

#[utoipa::path(
    post,
    path = "/account/phone",
    tag = "account",
    summary = "Send a code by SMS to verify a phone number.",
    request_body = PhoneInput,
    responses((status = 202, description = "Success.", body = Destination)),
)]
pub async fn start_phone(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    Caller { principal, .. }: Caller,
    ApiJson(input): ApiJson<PhoneInput>,
) -> ApiResult<(StatusCode, Json<Destination>)> {
    let destination = security::start_phone(&state.ctx, &client, &principal, &input.phone).await?;
    Ok((StatusCode::ACCEPTED, Json(Destination { destination })))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct CodeInput {
    code: String,
}

#[utoipa::path(
    post,
    path = "/account/phone/confirm",
    tag = "account",
    summary = "Confirm the phone; sign-in codes then come by SMS.",
    request_body = CodeInput,
    responses((status = 200, description = "Success.", body = Me)),
)]
pub async fn confirm_phone(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    Caller { principal, .. }: Caller,
    ApiJson(input): ApiJson<CodeInput>,
) -> ApiResult<Json<Me>> {
    security::confirm_phone(&state.ctx, &client, &principal, &input.code).await?;
    Ok(Json(security::me(&state.ctx, &principal).await?))
}

#[utoipa::path(
    post,
    path = "/account/totp",
    tag = "account",
    summary = "Start using an authenticator app: returns the secret and otpauth URI.",
    responses((status = 200, description = "Success.", body = TotpSetup)),
)]
pub async fn start_totp(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    Caller { principal, .. }: Caller,
) -> ApiResult<Json<TotpSetup>> {
    Ok(Json(security::start_totp(&state.ctx, &client, &principal).await?))
}

#[utoipa::path(
    post,
    path = "/account/totp/confirm",
    tag = "account",
    summary = "Confirm with a code from the app; it becomes the second factor.",
    request_body = CodeInput,
    responses((status = 200, description = "Success.", body = Me)),
)]
pub async fn confirm_totp(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    Caller { principal, .. }: Caller,
    ApiJson(input): ApiJson<CodeInput>,
) -> ApiResult<Json<Me>> {
    security::confirm_totp(&state.ctx, &client, &principal, &input.code).await?;
    Ok(Json(security::me(&state.ctx, &principal).await?))
}

#[utoipa::path(
    post,
    path = "/account/email-codes",
    tag = "account",
    summary = "Receive sign-in codes by email again.",
    request_body = PasswordOnly,
    responses((status = 200, description = "Success.", body = Me)),
)]
pub async fn use_email_codes(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    Caller { principal, .. }: Caller,
    ApiJson(input): ApiJson<PasswordOnly>,
) -> ApiResult<Json<Me>> {
    security::use_email_codes(&state.ctx, &client, &principal, &input.password).await?;
    Ok(Json(security::me(&state.ctx, &principal).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct LanguageInput {
    language: String,
}

#[utoipa::path(
    put,
    path = "/account/language",
    tag = "account",
    summary = "Set the language (fr or en) of screens, emails and SMS.",
    request_body = LanguageInput,
    responses((status = 204, description = "Success.")),
)]
pub async fn set_language(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    Caller { principal, .. }: Caller,
    ApiJson(input): ApiJson<LanguageInput>,
) -> ApiResult<StatusCode> {
    security::set_language(&state.ctx, &client, &principal, &input.language).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    post,
    path = "/account/delete",
    tag = "account",
    summary = "Delete the account: identity erased, clinical messages kept as a former user.",
    request_body = PasswordOnly,
    responses((status = 204, description = "Success.")),
)]
pub async fn delete_account(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    Caller { principal, .. }: Caller,
    ApiJson(input): ApiJson<PasswordOnly>,
) -> ApiResult<StatusCode> {
    security::delete_account(&state.ctx, &client, &principal, &input.password).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    get,
    path = "/account/sessions",
    tag = "account",
    summary = "Sessions signed in with this account.",
    responses((status = 200, description = "Success.", body = Sessions)),
)]
pub async fn sessions(State(state): State<WebState>, Caller { principal, .. }: Caller) -> ApiResult<Json<Sessions>> {
    Ok(Json(Sessions {
        sessions: session::list(&state.ctx, &principal).await?,
    }))
}

#[utoipa::path(
    delete,
    path = "/account/sessions/{id}",
    tag = "account",
    summary = "Close one of this account's sessions.",
    params(("id" = String, Path, description = "The identifier of the resource in the path.")),
    responses((status = 204, description = "Success.")),
)]
pub async fn end_session(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    Caller { principal, .. }: Caller,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    session::end(&state.ctx, &client, &principal, id.parse()?).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LimitQuery {
    limit: Option<i64>,
}

#[utoipa::path(
    get,
    path = "/account/activity",
    tag = "account",
    summary = "This account's recent security events from the audit log.",
    params(LimitQuery),
    responses((status = 200, description = "Success.", body = AuditEvents)),
)]
pub async fn activity(
    State(state): State<WebState>,
    Caller { principal, .. }: Caller,
    ApiQuery(q): ApiQuery<LimitQuery>,
) -> ApiResult<Json<AuditEvents>> {
    let records = admin::audit_log(&state.ctx, &principal, true, q.limit.unwrap_or(50)).await?;
    Ok(Json(AuditEvents { events: records }))
}

#[utoipa::path(
    get,
    path = "/admin/audit",
    tag = "account",
    summary = "The network's audit log (network administrators).",
    params(LimitQuery),
    responses((status = 200, description = "Success.", body = AuditEvents)),
)]
pub async fn network_audit(
    State(state): State<WebState>,
    Caller { principal, .. }: Caller,
    ApiQuery(q): ApiQuery<LimitQuery>,
) -> ApiResult<Json<AuditEvents>> {
    let records = admin::audit_log(&state.ctx, &principal, false, q.limit.unwrap_or(100)).await?;
    Ok(Json(AuditEvents { events: records }))
}

#[utoipa::path(
    post,
    path = "/account/connect-codes",
    tag = "account",
    summary = "Instant mobile connect: a code (a link whose fragment is the secret) that opens a locked session of this account on another device. Works once, for 2 minutes, while this session stays signed in and unlocked.",
    responses((status = 201, description = "Created.", body = connect::ConnectCode)),
)]
pub async fn create_connect_code(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    Caller { principal, .. }: Caller,
) -> ApiResult<(StatusCode, Json<connect::ConnectCode>)> {
    let code = connect::create(&state.ctx, &client, &principal).await?;
    Ok((StatusCode::CREATED, Json(code)))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct RedeemInput {
    /// The link's fragment (43 characters, base64url).
    #[schema(max_length = 64)]
    secret: String,
}

#[utoipa::path(
    post,
    path = "/account/connect-codes/redeem",
    tag = "account",
    summary = "Use a connect code: opens a LOCKED session of the code's account (unlock it with the account's PIN, POST /auth/unlock). A browser (device cookie and X-CSRF-Token) gets the session on its device; an API client gets a bearer token. Refused: connect-malformed (422), connect-unknown, connect-expired, connect-used (410), connect-signed-out, connect-locked (409).",
    request_body = RedeemInput,
    responses((status = 201, description = "Created: a locked session.", body = connect::Connected)),
    security(()),
)]
pub async fn redeem_connect_code(
    State(state): State<WebState>,
    ClientInfo(client): ClientInfo,
    Lang(lang): Lang,
    headers: HeaderMap,
    ApiJson(input): ApiJson<RedeemInput>,
) -> Result<Response, Response> {
    // A browser proves its page with the CSRF header; without one the
    // caller is an API client, whatever cookies came along.
    let device = crate::cookies::get(&headers, crate::cookies::DEVICE)
        .filter(|d| cercle_app::accounts::device::is_issued(&state.ctx, d));
    let csrf = headers.get("x-csrf-token").and_then(|v| v.to_str().ok());
    let holder_device = match (device, csrf) {
        (Some(device), Some(csrf)) => {
            if !state.csrf_ok(&device, csrf) {
                return Err(json_error(StatusCode::FORBIDDEN, "csrf", lang));
            }
            Some(device)
        }
        _ => None,
    };
    let holder = match &holder_device {
        Some(d) => Holder::Device(d),
        None => Holder::Bearer,
    };
    let connected = connect::redeem(&state.ctx, &client, holder, &input.secret)
        .await
        .map_err(|e| crate::error::ApiError::new(e, lang).into_response())?;
    let session_id = connected.session_id.clone();
    let mut resp = (StatusCode::CREATED, Json(connected)).into_response();
    if holder_device.is_some() {
        // The new session is the account in front on this browser.
        let cookie = crate::cookies::set(
            crate::cookies::ACCOUNT,
            &session_id,
            2 * 365 * 24 * 3600,
            state.secure_cookies,
        );
        if let Ok(v) = HeaderValue::from_str(&cookie) {
            resp.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    Ok(resp)
}
