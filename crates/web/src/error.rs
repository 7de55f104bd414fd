//! One mapping from service errors to HTTP: a status, a stable code and a
//! translated message, as JSON for the API and as a page for the web app.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use cercle_app::AppError;
use cercle_domain::session::ConnectRefusal;
use cercle_domain::smart::SmartRefusal;
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
        AppError::WrongStep | AppError::Conflict(_) | AppError::NoActiveOrganization | AppError::CallFull { .. } => {
            StatusCode::CONFLICT
        }
        AppError::ConnectRefused(why) => match why {
            ConnectRefusal::Malformed => StatusCode::UNPROCESSABLE_ENTITY,
            ConnectRefusal::Unknown | ConnectRefusal::Expired | ConnectRefusal::Used => StatusCode::GONE,
            ConnectRefusal::CreatorSignedOut | ConnectRefusal::CreatorLocked => StatusCode::CONFLICT,
        },
        AppError::SmartRefused(why) => match why {
            SmartRefusal::UnknownIssuer | SmartRefusal::PatientNotCreatable => StatusCode::FORBIDDEN,
            SmartRefusal::BadState | SmartRefusal::Signature => StatusCode::BAD_REQUEST,
            SmartRefusal::Expired => StatusCode::GONE,
            SmartRefusal::EmrUnreachable => StatusCode::BAD_GATEWAY,
        },
        AppError::StorageFull => StatusCode::INSUFFICIENT_STORAGE,
        AppError::DatabaseUnavailable | AppError::FileStorageUnavailable => StatusCode::SERVICE_UNAVAILABLE,
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
        AppError::CallFull { max } => ta(lang, &id, &[("max", &max.to_string())]),
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

/// An error answered as JSON `{ "code": …, "message": … }` ([`ErrorBody`]).
///
/// Handlers return `Result<Json<T>, ApiError>` and use `?` on services'
/// results: an `AppError` becomes an `ApiError` without a language, and
/// [`crate::api::translate_errors`], around every `/api/v1` route, writes
/// its message in the request's language. Extractors, which know the
/// language already, set it themselves.
#[derive(Debug)]
pub struct ApiError {
    pub error: AppError,
    pub lang: Option<Language>,
}

impl From<AppError> for ApiError {
    fn from(error: AppError) -> Self {
        ApiError { error, lang: None }
    }
}

/// `raw.parse::<ThreadId>()?` in a handler: a path id that is no id of
/// ours is "not found".
impl From<cercle_domain::UnknownId> for ApiError {
    fn from(e: cercle_domain::UnknownId) -> Self {
        AppError::from(e).into()
    }
}

impl ApiError {
    pub fn new(error: AppError, lang: Language) -> Self {
        ApiError {
            error,
            lang: Some(lang),
        }
    }
}

/// The body of every error of the API, as the OpenAPI document describes it.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// Stable, machine-readable: `not-found`, `pin-wrong`, `invalid-email`…
    pub code: String,
    /// Translated into the request's language, for people.
    pub message: String,
    /// `pin-wrong`: PIN tries left before the session is erased.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tries_left: Option<i64>,
    /// `code-wrong`: code attempts left.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attempts_left: Option<i64>,
    /// `account-locked`: until when (Unix ms).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locked_until: Option<i64>,
}

/// The error an `ApiError` without a language carries to
/// [`crate::api::translate_errors`], which answers it.
#[derive(Debug, Clone)]
pub struct Untranslated(pub std::sync::Arc<AppError>);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self.lang {
            Some(lang) => answer(&self.error, lang),
            None => {
                // Answered in French should no layer translate it (never
                // the case under /api/v1).
                let mut resp = answer(&self.error, Language::default());
                resp.extensions_mut()
                    .insert(Untranslated(std::sync::Arc::new(self.error)));
                resp
            }
        }
    }
}

/// The JSON answer to a service error, in `lang`.
pub fn answer(error: &AppError, lang: Language) -> Response {
    if let AppError::Internal(detail) = error {
        tracing::error!(%detail, "internal error");
    }
    let status = status_of(error);
    let mut body = ErrorBody {
        code: error.code().to_string(),
        message: message_of(error, lang),
        tries_left: None,
        attempts_left: None,
        locked_until: None,
    };
    match error {
        AppError::PinWrong { tries_left } => body.tries_left = Some(*tries_left),
        AppError::CodeWrong { attempts_left } => body.attempts_left = Some(*attempts_left),
        AppError::AccountLocked { until, .. } => body.locked_until = Some(until.0),
        _ => {}
    }
    let mut resp = (status, Json(body)).into_response();
    if let Some(secs) = retry_after(error) {
        resp.headers_mut().insert(axum::http::header::RETRY_AFTER, secs);
    }
    resp
}

/// `Retry-After` for the faults that pass by themselves.
pub fn retry_after(e: &AppError) -> Option<axum::http::HeaderValue> {
    match e {
        AppError::DatabaseUnavailable | AppError::FileStorageUnavailable => {
            Some(axum::http::HeaderValue::from_static("5"))
        }
        AppError::StorageFull => Some(axum::http::HeaderValue::from_static("60")),
        _ => None,
    }
}

/// A JSON error that does not come from a service (bad body, CSRF…).
pub fn json_error(status: StatusCode, code: &str, lang: Language) -> Response {
    let message = ta(lang, &format!("error-{code}"), &[]);
    (status, Json(serde_json::json!({ "code": code, "message": message }))).into_response()
}
