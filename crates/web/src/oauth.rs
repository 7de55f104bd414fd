//! Cercle as an OAuth 2 authorization server for SMART Backend Services
//! (issue 18, part 3): its `/.well-known/smart-configuration` and its token
//! endpoint (`client_credentials` with a signed JWT assertion). Thin: the
//! rules are in `cercle_app::service_accounts`.

use crate::extract::{client_of, lang_of};
use crate::WebState;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use cercle_app::service_accounts::{self as service, OAuthError, TokenRequest};
use cercle_i18n::ta;
use serde_json::json;

/// `GET /.well-known/smart-configuration`: public, like every SMART server's.
pub async fn smart_configuration(State(state): State<WebState>) -> Response {
    let mut resp = Json(service::smart_configuration(&state.ctx)).into_response();
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
    resp
}

/// Token answers are never cached (RFC 6749 §5.1).
fn no_store(mut resp: Response) -> Response {
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp.headers_mut()
        .insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    resp
}

fn oauth_error(e: &OAuthError, lang: cercle_domain::Language) -> Response {
    if let OAuthError::Server(detail) = e {
        tracing::error!(%detail, "token endpoint failed");
    }
    let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::BAD_REQUEST);
    let body = json!({ "error": e.code(), "error_description": ta(lang, e.message_key(), &[]) });
    no_store((status, Json(body)).into_response())
}

/// `POST /oauth/token` (form-encoded): `grant_type=client_credentials`,
/// `client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer`,
/// `client_assertion` (the partner's signed JWT), `scope`.
pub async fn token(
    State(state): State<WebState>,
    parts: Parts,
    form: Result<Form<TokenRequest>, FormRejection>,
) -> Response {
    let lang = lang_of(&parts);
    let Ok(Form(req)) = form else {
        return oauth_error(&OAuthError::InvalidRequest("oauth-assertion-missing"), lang);
    };
    let client = client_of(&parts);
    match service::issue_token(&state.ctx, &client, &req).await {
        Ok(t) => no_store(Json(t).into_response()),
        Err(e) => oauth_error(&e, lang),
    }
}
