//! The FHIR R4 directory under `/fhir` (docs/fhir.md). Thin: it reads the
//! request, calls `cercle_app::fhir`, and writes `application/fhir+json`;
//! every refusal is an `OperationOutcome`. Authenticated like the JSON API
//! ([`ApiPrincipal`]: a bearer token, a web session with its CSRF header,
//! or a service account's access token with the `cercle/directory.read`
//! scope).
//!
//! Not in `/api/v1/openapi.json`: a FHIR server describes itself with its
//! CapabilityStatement (`/fhir/metadata`).

use crate::extract::{ApiPrincipal, Lang};
use crate::WebState;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use cercle_app::fhir::{self, FhirError};
use cercle_app::AppError;
use cercle_domain::Language;
use cercle_i18n::ta;
use serde_json::{json, Value};

/// The routes, nested under `/fhir` by [`crate::router`].
pub fn routes() -> Router<WebState> {
    Router::new()
        .route("/metadata", get(metadata))
        .route("/{resource_type}", get(search))
        .route("/{resource_type}/{id}", get(read))
        .fallback(not_found)
}

/// A FHIR answer: the resource as `application/fhir+json`.
fn fhir_json(status: StatusCode, body: &Value) -> Response {
    let mut resp = (status, body.to_string()).into_response();
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(fhir::CONTENT_TYPE));
    resp
}

/// An `OperationOutcome` with one error issue.
fn outcome(status: StatusCode, code: &str, diagnostics: &str) -> Response {
    let body = json!({
        "resourceType": "OperationOutcome",
        "issue": [{ "severity": "error", "code": code, "diagnostics": diagnostics }],
    });
    fhir_json(status, &body)
}

/// The FHIR issue type of an HTTP status.
fn issue_code(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 | 422 => "invalid",
        401 => "login",
        403 => "forbidden",
        404 => "not-found",
        409 => "conflict",
        423 => "lock-error",
        429 => "throttled",
        503 | 507 => "transient",
        _ => "exception",
    }
}

fn refusal(error: FhirError, lang: Language) -> Response {
    match error {
        FhirError::UnknownParameter(name) => outcome(
            StatusCode::BAD_REQUEST,
            "not-supported",
            &ta(lang, "fhir-unknown-parameter", &[("name", &name)]),
        ),
        FhirError::BadValue(name) => outcome(
            StatusCode::BAD_REQUEST,
            "invalid",
            &ta(lang, "fhir-bad-value", &[("name", &name)]),
        ),
        FhirError::UnknownType(name) => outcome(
            StatusCode::NOT_FOUND,
            "not-supported",
            &ta(lang, "fhir-unknown-type", &[("name", &name)]),
        ),
        FhirError::App(e) => {
            if let AppError::Internal(detail) = &e {
                tracing::error!(%detail, "internal error");
            }
            let status = crate::error::status_of(&e);
            outcome(status, issue_code(status), &crate::error::message_of(&e, lang))
        }
    }
}

/// The authentication's refusal (401, 403 without the CSRF header or for a
/// service account without the scope, 423 locked, 409 sign-up not
/// finished…), said as an `OperationOutcome` with the same status.
fn auth_refusal(rejection: &Response, lang: Language) -> Response {
    let status = rejection.status();
    let key = match status.as_u16() {
        401 => "error-not-authenticated",
        403 => "error-forbidden",
        423 => "error-session-locked",
        409 => "error-wrong-step",
        429 => "error-rate-limited",
        503 => "error-database-unavailable",
        _ => "error-internal",
    };
    outcome(status, issue_code(status), &ta(lang, key, &[]))
}

/// `GET /fhir/metadata`: the CapabilityStatement. Open like FHIR servers'
/// (clients read it before they authenticate); it holds no data.
pub async fn metadata(State(state): State<WebState>) -> Response {
    fhir_json(StatusCode::OK, &fhir::capability_statement(&fhir::base_url(&state.ctx)))
}

/// `GET /fhir/{type}/{id}`.
pub async fn read(
    State(state): State<WebState>,
    Lang(lang): Lang,
    auth: Result<ApiPrincipal, Response>,
    Path((resource_type, id)): Path<(String, String)>,
) -> Response {
    let principal = match auth {
        Ok(ApiPrincipal(p)) => p,
        Err(rejection) => return auth_refusal(&rejection, lang),
    };
    match fhir::read(&state.ctx, &principal, &resource_type, &id, lang).await {
        Ok(resource) => fhir_json(StatusCode::OK, &resource),
        Err(e) => refusal(e, lang),
    }
}

/// `GET /fhir/{type}?…`.
pub async fn search(
    State(state): State<WebState>,
    Lang(lang): Lang,
    auth: Result<ApiPrincipal, Response>,
    Path(resource_type): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let principal = match auth {
        Ok(ApiPrincipal(p)) => p,
        Err(rejection) => return auth_refusal(&rejection, lang),
    };
    let params: Vec<(String, String)> = match serde_urlencoded::from_str(query.as_deref().unwrap_or("")) {
        Ok(p) => p,
        Err(_) => return refusal(FhirError::BadValue("query".into()), lang),
    };
    match fhir::search(&state.ctx, &principal, &resource_type, &params, lang).await {
        Ok(bundle) => fhir_json(StatusCode::OK, &bundle),
        Err(e) => refusal(e, lang),
    }
}

/// Anything else under `/fhir`.
pub async fn not_found(Lang(lang): Lang) -> Response {
    outcome(StatusCode::NOT_FOUND, "not-found", &ta(lang, "error-not-found", &[]))
}
