//! Cercle's HTTP interfaces: the web app (server-rendered pages), the JSON
//! API under `/api/v1`, health checks and metrics. Handlers parse, call one
//! service, and render; they never query the store nor decide access.

// Page guards return `Result<_, Response>` so a handler can bail out with a
// redirect in one `match`; the size of `Response` does not matter there.
#![allow(clippy::result_large_err)]

pub mod api;
pub mod cookies;
pub mod error;
pub mod error_page;
pub mod extract;
pub mod guard;
pub mod metrics;
pub mod middleware;
pub mod oauth;
pub mod ui;

use axum::routing::get;
use axum::Router;
use cercle_app::Ctx;
use sha2::Digest;
use std::sync::Arc;

/// Largest request body accepted anywhere (attachments will have their own route and limit).
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// What every request handler and middleware shares. Cloned for each of
/// them on every request (axum hands each its own copy), so it is one
/// reference count: cloning the context itself (a dozen `Arc`s, the
/// configuration's strings) cost about 5 % of the server's processor at the
/// SQLite ceiling (docs/benchmarks.md section 31).
#[derive(Clone)]
pub struct WebState(Arc<Shared>);

/// The fields of [`WebState`], reached through it (`state.ctx`).
#[derive(Clone)]
pub struct Shared {
    pub ctx: Ctx,
    pub metrics: Arc<metrics::Metrics>,
    pub limiter: Arc<middleware::IpLimiter>,
    /// Mark cookies `Secure` (when the public URL is HTTPS).
    pub secure_cookies: bool,
    /// Requests per second allowed from one address (burst of 10×).
    pub requests_per_sec: u32,
    /// Proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Arc<[cercle_domain::net::IpBlock]>,
    /// SHA-256 of the bearer token `/metrics` asks for.
    pub metrics_token_hash: Option<[u8; 32]>,
}

impl std::ops::Deref for WebState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl WebState {
    pub fn new(ctx: Ctx, requests_per_sec: u32) -> Self {
        let secure_cookies = ctx.config.public_url.starts_with("https://");
        WebState(Arc::new(Shared {
            ctx,
            metrics: Arc::new(metrics::Metrics::default()),
            limiter: Arc::new(middleware::IpLimiter::new(requests_per_sec)),
            secure_cookies,
            requests_per_sec,
            trusted_proxies: Arc::from(Vec::new()),
            metrics_token_hash: None,
        }))
    }

    /// Believes `X-Forwarded-For` from these proxies only.
    pub fn with_trusted_proxies(mut self, proxies: Vec<cercle_domain::net::IpBlock>) -> Self {
        Arc::make_mut(&mut self.0).trusted_proxies = Arc::from(proxies);
        self
    }

    /// `/metrics` asks for this bearer token (kept hashed).
    pub fn with_metrics_token(mut self, token: Option<&str>) -> Self {
        Arc::make_mut(&mut self.0).metrics_token_hash = token.map(|t| sha2::Sha256::digest(t.as_bytes()).into());
        self
    }

    /// The CSRF token of a device: a keyed hash of its secret cookie, so it
    /// needs no storage and cannot be forged without the server key.
    pub fn csrf_token(&self, device_token: &str) -> String {
        self.ctx.key.keyed_hash(&["csrf", device_token])
    }

    pub fn csrf_ok(&self, device_token: &str, presented: &str) -> bool {
        use subtle::ConstantTimeEq;
        bool::from(self.csrf_token(device_token).as_bytes().ct_eq(presented.as_bytes()))
    }
}

/// The whole application.
pub fn router(state: WebState) -> Router {
    let small = |r: Router<WebState>| {
        r.layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
            .layer(tower_http::limit::RequestBodyLimitLayer::new(MAX_BODY_BYTES))
    };
    let ui = small(ui::routes(state.clone()));
    // The professional routes of the API, behind their one guard.
    let professional = |r: api::ApiRoutes| {
        r.into_router().route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            guard::professional_api,
        ))
    };
    let api = small(
        api::routes()
            .into_router()
            .merge(professional(api::professional_routes())),
    );
    let uploads = api::upload_routes()
        .into_router()
        .merge(professional(api::professional_upload_routes()))
        .layer(axum::extract::DefaultBodyLimit::max(api::network::MAX_UPLOAD_BYTES))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(
            api::network::MAX_UPLOAD_BYTES,
        ));
    let attachments = api::attachment_routes()
        .into_router()
        .merge(professional(api::professional_attachment_routes()))
        .layer(axum::extract::DefaultBodyLimit::max(api::threads::MAX_ATTACHMENT_BODY))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(
            api::threads::MAX_ATTACHMENT_BODY,
        ));
    let signal_body = cercle_app::calls::signal::max_signal_json(state.ctx.config.call_max_participants);
    let signals = api::signal_routes()
        .into_router()
        .layer(axum::extract::DefaultBodyLimit::max(signal_body))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(signal_body));
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(metrics::guarded))
        .route("/.well-known/smart-configuration", get(oauth::smart_configuration))
        .merge(small(
            Router::new().route("/oauth/token", axum::routing::post(oauth::token)),
        ))
        .nest(
            "/api/v1",
            api.merge(uploads)
                .merge(attachments)
                .merge(signals)
                .layer(axum::middleware::from_fn(api::translate_errors))
                .layer(axum::middleware::from_fn_with_state(
                    state.clone(),
                    middleware::account_language,
                )),
        )
        .nest(
            "/fhir",
            small(api::fhir::routes()).layer(axum::middleware::from_fn_with_state(
                state.clone(),
                middleware::account_language,
            )),
        )
        .merge(ui)
        .fallback(ui::not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::rate_limit,
        ))
        .layer(axum::middleware::from_fn_with_state(state.clone(), middleware::observe))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::security_headers,
        ))
        .with_state(state)
}

mod health {
    use crate::WebState;
    use axum::extract::State;
    use axum::http::StatusCode;
    use axum::response::{IntoResponse, Response};

    /// The process is up.
    pub async fn healthz() -> &'static str {
        "ok"
    }

    /// The database answers (within the 1 s a request waits for a
    /// connection). A full disk leaves the node ready: it still serves reads.
    pub async fn readyz(State(state): State<WebState>, parts: axum::http::request::Parts) -> Response {
        match state.ctx.store.ping().await {
            Ok(()) => (StatusCode::OK, "ready").into_response(),
            Err(e) => {
                tracing::warn!(error = %e, "database not reachable");
                crate::error::ApiError {
                    error: cercle_app::AppError::DatabaseUnavailable,
                    lang: Some(crate::extract::lang_of(&parts)),
                }
                .into_response()
            }
        }
    }
}
