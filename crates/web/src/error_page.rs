//! The whole-page answer to an error outside any form (a refusal, a
//! missing page, a bad CSRF token), used by pages and by the middleware and
//! extractors below them; no layout, so that it cannot fail itself.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use cercle_app::AppError;
use cercle_domain::Language;
use cercle_i18n::t;
use maud::{html, DOCTYPE};

/// A whole page for an error outside any form.
pub fn error_page(lang: Language, status: StatusCode, message_id: &str) -> Response {
    let markup = html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (t(lang, "error-title")) " · " (t(lang, "app-name")) }
                link rel="stylesheet" href="/static/app.css";
            }
            body {
                main class="container narrow" {
                    div class="card" {
                        h1 { (t(lang, "error-title")) }
                        p class="notice error" role="alert" { (t(lang, message_id)) }
                        p { a href="/" { (t(lang, "error-go-home")) } }
                    }
                }
            }
        }
    };
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        markup.into_string(),
    )
        .into_response()
}

/// A whole page for a refusal outside any form, with the error's own status.
pub fn failure_page(lang: Language, e: &AppError) -> Response {
    if let AppError::Internal(detail) = e {
        tracing::error!(%detail, "internal error");
    }
    error_page(lang, crate::error::status_of(e), &format!("error-{}", e.code()))
}
