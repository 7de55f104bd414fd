//! The web app: server-rendered pages (maud, autoescaped) with one small
//! script of our own. Every form posts with the device's CSRF token.

mod admin;
pub(crate) mod admin_tabs;
mod auth;
pub(crate) mod availability;
pub(crate) mod calls;
pub(crate) mod calls_banner;
mod connect;
mod home;
mod invitations;
pub(crate) mod labels;
mod network;
mod notifications;
mod outbox;
pub(crate) mod page;
mod patients;
mod security;
mod smart;
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
        .merge(calls::routes())
        .merge(invitations::shared_routes())
        .merge(auth::routes())
        .merge(security::routes())
        .merge(connect::routes())
        .merge(smart::routes())
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
        .route("/static/js/{name}", get(script_module))
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

/// The script's feature modules (`static/js/`), imported by `app.js` and
/// loaded natively by the browser: no build step, same origin for the CSP.
const SCRIPT_MODULES: &[(&str, &str)] = &[
    ("core.js", include_str!("../../static/js/core.js")),
    ("profile.js", include_str!("../../static/js/profile.js")),
    ("attachments.js", include_str!("../../static/js/attachments.js")),
    ("threads.js", include_str!("../../static/js/threads.js")),
    ("patient_files.js", include_str!("../../static/js/patient_files.js")),
    ("circle.js", include_str!("../../static/js/circle.js")),
    ("channels.js", include_str!("../../static/js/channels.js")),
    ("teams.js", include_str!("../../static/js/teams.js")),
    ("push.js", include_str!("../../static/js/push.js")),
    ("calls.js", include_str!("../../static/js/calls.js")),
    ("notifications.js", include_str!("../../static/js/notifications.js")),
    ("connect.js", include_str!("../../static/js/connect.js")),
];

async fn script_module(axum::extract::Path(name): axum::extract::Path<String>) -> Response {
    match SCRIPT_MODULES.iter().find(|(n, _)| *n == name) {
        Some((_, body)) => static_file("text/javascript", body),
        None => StatusCode::NOT_FOUND.into_response(),
    }
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

#[cfg(test)]
mod tests {
    use super::SCRIPT_MODULES;

    const APP: &str = include_str!("../../static/app.js");

    /// The `./js/…` or `./…` files a module imports.
    fn imported_files(source: &str) -> Vec<String> {
        source
            .lines()
            .filter_map(|l| {
                l.trim()
                    .split(" from '")
                    .nth(1)
                    .or_else(|| l.trim().strip_prefix("import '"))
            })
            .map(|rest| {
                rest.trim_end_matches(['\'', ';'])
                    .rsplit('/')
                    .next()
                    .unwrap_or("")
                    .to_string()
            })
            .collect()
    }

    #[test]
    fn every_module_imported_is_served_and_every_served_one_is_imported() {
        let mut imported: Vec<String> = imported_files(APP);
        for (_, body) in SCRIPT_MODULES {
            imported.extend(imported_files(body));
        }
        for name in &imported {
            assert!(
                SCRIPT_MODULES.iter().any(|(n, _)| n == name),
                "{name} is imported but not served"
            );
        }
        for (name, _) in SCRIPT_MODULES {
            assert!(
                imported.iter().any(|i| i == name),
                "{name} is served but never imported"
            );
        }
        // Nothing in static/js/ is left out of the list.
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("static/js");
        for entry in std::fs::read_dir(dir).expect("static/js") {
            let name = entry.expect("entry").file_name().to_string_lossy().to_string();
            assert!(SCRIPT_MODULES.iter().any(|(n, _)| *n == name), "{name} is not served");
        }
    }

    #[test]
    fn every_name_imported_from_core_is_exported_by_it() {
        let core = SCRIPT_MODULES.iter().find(|(n, _)| *n == "core.js").expect("core").1;
        for (module, body) in SCRIPT_MODULES.iter().chain([&("app.js", APP)]) {
            for line in body
                .lines()
                .filter(|l| l.contains("from './core.js'") || l.contains("from './js/core.js'"))
            {
                let names = line.split('{').nth(1).and_then(|s| s.split('}').next()).unwrap_or("");
                for name in names.split(',').map(str::trim).filter(|n| !n.is_empty()) {
                    let exported = [
                        "export const ",
                        "export let ",
                        "export function ",
                        "export async function ",
                    ]
                    .iter()
                    .any(|p| {
                        core.lines().any(|l| {
                            l.strip_prefix(p).is_some_and(|r| {
                                r.starts_with(name)
                                    && !r[name.len()..].starts_with(|c: char| c.is_alphanumeric() || c == '_')
                            })
                        })
                    });
                    assert!(exported, "{module} imports {name}, which core.js does not export");
                }
            }
        }
    }
}
