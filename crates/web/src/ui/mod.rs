//! The web app: server-rendered pages (maud, autoescaped) with one small
//! script of our own. Every form posts with the device's CSRF token.

mod admin;
pub(crate) mod admin_tabs;
mod auth;
pub(crate) mod availability;
mod home;
mod invitations;
pub(crate) mod labels;
mod network;
mod notifications;
mod outbox;
pub(crate) mod page;
mod patients;
mod security;
mod teams;
mod threads;

use crate::error_page::error_page;
use crate::extract::lang_of;
use crate::guard::RouteList;
use crate::middleware::{csrf_guard, ensure_device};
use crate::WebState;
use axum::extract::State;
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

/// The pages for professionals only, behind one guard
/// ([`crate::guard::professional_pages`]).
pub fn professional_routes() -> RouteList {
    RouteList::new()
        .merge(patients::channels::routes())
        .merge(patients::files::routes())
        .merge(patients::circle::routes())
        .merge(network::routes())
        .merge(threads::routes())
        .merge(admin::routes())
        .merge(invitations::routes())
        .merge(teams::routes())
}

pub fn routes(state: WebState) -> Router<WebState> {
    let professional = professional_routes()
        .into_router()
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::guard::professional_pages,
        ));
    let pages = Router::new()
        .route("/", get(home::home))
        .merge(patients::channels::shared_routes())
        .merge(patients::care::routes())
        .merge(patients::circle::shared_routes())
        .merge(network::shared_routes())
        .merge(threads::shared_routes())
        .merge(invitations::shared_routes())
        .merge(auth::routes())
        .merge(security::routes())
        .merge(notifications::routes())
        .merge(availability::routes())
        .merge(outbox::routes())
        .merge(professional)
        .layer(axum::middleware::from_fn_with_state(state.clone(), csrf_guard))
        .layer(axum::middleware::from_fn_with_state(state, ensure_device));
    Router::new()
        .route(
            "/static/app.css",
            get(|| async { static_file("text/css", include_str!("../../static/app.css")) }),
        )
        .route(
            "/static/app.js",
            get(|| async { static_file("text/javascript", include_str!("../../static/app.js")) }),
        )
        .route(
            "/static/icon.svg",
            get(|| async { static_file("image/svg+xml", include_str!("../../static/icon.svg")) }),
        )
        .route(
            "/static/manifest.webmanifest",
            get(|| async {
                static_file(
                    "application/manifest+json",
                    include_str!("../../static/manifest.webmanifest"),
                )
            }),
        )
        // The installable app: the manifest at the root as well, and the
        // service worker at the root so that its scope is the whole site.
        .route(
            "/manifest.webmanifest",
            get(|| async {
                static_file(
                    "application/manifest+json",
                    include_str!("../../static/manifest.webmanifest"),
                )
            }),
        )
        .route(
            "/sw.js",
            get(|| async {
                (
                    [
                        (header::CONTENT_TYPE, "text/javascript"),
                        (header::CACHE_CONTROL, "no-cache"),
                        (header::HeaderName::from_static("service-worker-allowed"), "/"),
                    ],
                    include_str!("../../static/sw.js"),
                )
                    .into_response()
            }),
        )
        .merge(pages)
}

fn static_file(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
        .into_response()
}

pub async fn not_found(State(_): State<WebState>, parts: Parts) -> Response {
    let lang = lang_of(&parts);
    if parts.uri.path().starts_with("/api/") {
        return crate::error::json_error(StatusCode::NOT_FOUND, "not-found", lang);
    }
    error_page(lang, StatusCode::NOT_FOUND, "error-not-found")
}
