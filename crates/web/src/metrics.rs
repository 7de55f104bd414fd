//! Prometheus metrics in the text format, without a metrics framework.

use crate::WebState;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Default)]
pub struct Metrics {
    pub requests_2xx: AtomicU64,
    pub requests_3xx: AtomicU64,
    pub requests_4xx: AtomicU64,
    pub requests_5xx: AtomicU64,
    pub rate_limited: AtomicU64,
    pub duration_micros_sum: AtomicU64,
    pub in_flight: AtomicU64,
}

impl Metrics {
    pub fn record(&self, status: u16, micros: u64) {
        let counter = match status {
            200..=299 => &self.requests_2xx,
            300..=399 => &self.requests_3xx,
            400..=499 => &self.requests_4xx,
            _ => &self.requests_5xx,
        };
        counter.fetch_add(1, Ordering::Relaxed);
        self.duration_micros_sum.fetch_add(micros, Ordering::Relaxed);
    }
}

/// `/metrics` behind its bearer token: with a token configured, only that
/// token opens it (401 otherwise); without one, it is open in development
/// and absent (404) in production.
pub async fn guarded(State(state): State<WebState>, headers: axum::http::HeaderMap) -> axum::response::Response {
    use axum::http::{header, StatusCode};
    use sha2::Digest;
    use subtle::ConstantTimeEq;
    match &state.metrics_token_hash {
        None if state.ctx.config.production => return StatusCode::NOT_FOUND.into_response(),
        None => {}
        Some(expected) => {
            let presented = headers
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "))
                .map(str::trim)
                .unwrap_or("");
            let digest: [u8; 32] = sha2::Sha256::digest(presented.as_bytes()).into();
            if presented.is_empty() || !bool::from(digest.ct_eq(expected)) {
                return (StatusCode::UNAUTHORIZED, [(header::WWW_AUTHENTICATE, "Bearer")]).into_response();
            }
        }
    }
    render(State(state)).await.into_response()
}

pub async fn render(State(state): State<WebState>) -> impl IntoResponse {
    let m = &state.metrics;
    let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
    let total = get(&m.requests_2xx) + get(&m.requests_3xx) + get(&m.requests_4xx) + get(&m.requests_5xx);
    let body = format!(
        "# HELP cercle_http_requests_total HTTP requests answered, by status class.\n\
         # TYPE cercle_http_requests_total counter\n\
         cercle_http_requests_total{{class=\"2xx\"}} {}\n\
         cercle_http_requests_total{{class=\"3xx\"}} {}\n\
         cercle_http_requests_total{{class=\"4xx\"}} {}\n\
         cercle_http_requests_total{{class=\"5xx\"}} {}\n\
         # HELP cercle_http_request_duration_seconds Time spent answering requests.\n\
         # TYPE cercle_http_request_duration_seconds summary\n\
         cercle_http_request_duration_seconds_sum {:.6}\n\
         cercle_http_request_duration_seconds_count {}\n\
         # HELP cercle_http_requests_in_flight Requests being answered now.\n\
         # TYPE cercle_http_requests_in_flight gauge\n\
         cercle_http_requests_in_flight {}\n\
         # HELP cercle_http_rate_limited_total Requests refused by the per-address rate limit.\n\
         # TYPE cercle_http_rate_limited_total counter\n\
         cercle_http_rate_limited_total {}\n\
         # HELP cercle_build_info Version of Cercle and database backend.\n\
         # TYPE cercle_build_info gauge\n\
         cercle_build_info{{version=\"{}\",backend=\"{}\"}} 1\n",
        get(&m.requests_2xx),
        get(&m.requests_3xx),
        get(&m.requests_4xx),
        get(&m.requests_5xx),
        get(&m.duration_micros_sum) as f64 / 1e6,
        total,
        get(&m.in_flight),
        get(&m.rate_limited),
        env!("CARGO_PKG_VERSION"),
        state.ctx.store.backend().name(),
    );
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], body)
}
