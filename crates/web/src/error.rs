//! One mapping from service errors to HTTP: a status, a stable code and a
//! translated message, as JSON for the API and as a page for the web app.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use cercle_app::AppError;
use cercle_domain::Language;
use cercle_i18n::ta;

pub fn status_of(e: &AppError) -> StatusCode {
    match e {
        AppError::Input(_) => StatusCode::UNPROCESSABLE_ENTITY,
        AppError::BadCredentials | AppError::NotAuthenticated | AppError::SessionErased => StatusCode::UNAUTHORIZED,
        AppError::PinWrong { .. } | AppError::CodeWrong { .. } => StatusCode::UNAUTHORIZED,
        AppError::CodeExpired | AppError::LinkInvalid => StatusCode::GONE,
        AppError::AccountLocked { .. } | AppError::SessionLocked => StatusCode::LOCKED,
        AppError::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        AppError::Forbidden | AppError::ProfessionNotValidated => StatusCode::FORBIDDEN,
        AppError::NotFound => StatusCode::NOT_FOUND,
        AppError::WrongStep | AppError::Conflict(_) | AppError::NoActiveOrganization => StatusCode::CONFLICT,
        AppError::StorageFull => StatusCode::INSUFFICIENT_STORAGE,
        AppError::DatabaseUnavailable => StatusCode::SERVICE_UNAVAILABLE,
        AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// The translated, user-readable message of an error.
pub fn message_of(e: &AppError, lang: Language) -> String {
    let id = format!("error-{}", e.code());
    match e {
        AppError::AccountLocked { until, zone } => {
            let when = cercle_domain::local_time::LocalTime::new(lang, zone.clone()).date_time(until.0);
            ta(lang, &id, &[("until", &when)])
        }
        AppError::CodeWrong { attempts_left } => ta(lang, &id, &[("left", &attempts_left.to_string())]),
        AppError::PinWrong { tries_left } => ta(lang, &id, &[("left", &tries_left.to_string())]),
        _ => {
            let text = ta(lang, &id, &[]);
            if text == id {
                ta(lang, "error-conflict", &[])
            } else {
                text
            }
        }
    }
}

/// An error answered as JSON `{ "code": …, "message": … }`.
#[derive(Debug)]
pub struct ApiError {
    pub error: AppError,
    pub lang: Language,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let AppError::Internal(detail) = &self.error {
            tracing::error!(%detail, "internal error");
        }
        let status = status_of(&self.error);
        let mut body = serde_json::json!({ "code": self.error.code(), "message": message_of(&self.error, self.lang) });
        match &self.error {
            AppError::PinWrong { tries_left } => body["tries_left"] = (*tries_left).into(),
            AppError::CodeWrong { attempts_left } => body["attempts_left"] = (*attempts_left).into(),
            AppError::AccountLocked { until, .. } => body["locked_until"] = until.0.into(),
            _ => {}
        }
        let mut resp = (status, Json(body)).into_response();
        if let Some(secs) = retry_after(&self.error) {
            resp.headers_mut().insert(axum::http::header::RETRY_AFTER, secs);
        }
        resp
    }
}

/// `Retry-After` for the faults that pass by themselves.
pub fn retry_after(e: &AppError) -> Option<axum::http::HeaderValue> {
    match e {
        AppError::DatabaseUnavailable => Some(axum::http::HeaderValue::from_static("5")),
        AppError::StorageFull => Some(axum::http::HeaderValue::from_static("60")),
        _ => None,
    }
}

/// A JSON error that does not come from a service (bad body, CSRF…).
pub fn json_error(status: StatusCode, code: &str, lang: Language) -> Response {
    let message = ta(lang, &format!("error-{code}"), &[]);
    (status, Json(serde_json::json!({ "code": code, "message": message }))).into_response()
}
