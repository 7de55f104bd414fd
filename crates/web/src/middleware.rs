//! Layers every request passes: security headers, request id and logging,
//! metrics, the per-address rate limit, the device cookie and CSRF checks.

use crate::cookies;
use crate::extract::{lang_of, DeviceToken};
use crate::{error::json_error, WebState};
use axum::body::Body;
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use cercle_app::accounts::device;
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::Ordering;
use std::sync::Mutex;
use std::time::Instant;

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
    connect-src 'self'; media-src 'self' blob:; font-src 'self'; object-src 'none'; base-uri 'none'; \
    form-action 'self'; frame-ancestors 'none'";

/// Strict Content-Security-Policy (no inline script) and the usual hardening headers.
pub async fn security_headers(req: Request, next: Next) -> Response {
    let is_static = req.uri().path().starts_with("/static/");
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(self), microphone=(self), geolocation=()"),
    );
    h.insert("cross-origin-opener-policy", HeaderValue::from_static("same-origin"));
    if !is_static && !h.contains_key(header::CACHE_CONTROL) {
        // Pages and API answers may hold health information: never cache
        // them, unless the handler chose otherwise (a private profile photo).
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    resp
}

/// A request id on every request and response, one log line per request
/// naming the route pattern (never the path itself, which may hold a token),
/// and the metrics.
pub async fn observe(State(state): State<WebState>, mut req: Request, next: Next) -> Response {
    let request_id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| v.len() <= 64 && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        .map(str::to_string)
        .unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        req.headers_mut().insert("x-request-id", v);
    }
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string())
        .unwrap_or_else(|| "unmatched".into());
    let method = req.method().clone();
    let started = Instant::now();
    state.metrics.in_flight.fetch_add(1, Ordering::Relaxed);
    // Everything logged while answering carries the request id.
    let span = tracing::info_span!("request", request_id = %request_id);
    let mut resp = tracing::Instrument::instrument(next.run(req), span).await;
    state.metrics.in_flight.fetch_sub(1, Ordering::Relaxed);
    let micros = started.elapsed().as_micros() as u64;
    let status = resp.status().as_u16();
    state.metrics.record(status, micros);
    tracing::info!(request_id = %request_id, %method, route = %route, status, micros, "request");
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        resp.headers_mut().insert("x-request-id", v);
    }
    resp
}

/// A token bucket per address, in memory on each node (the limits on
/// secrets, which must hold across nodes, live in the database).
#[derive(Default)]
pub struct IpLimiter {
    buckets: Mutex<HashMap<IpAddr, (f64, Instant)>>,
}

impl IpLimiter {
    pub fn allow(&self, ip: IpAddr, per_sec: u32) -> bool {
        let Ok(mut buckets) = self.buckets.lock() else {
            return true;
        };
        let now = Instant::now();
        let capacity = f64::from(per_sec) * 10.0;
        if buckets.len() > 100_000 {
            // Bounded memory: forget idle addresses.
            buckets.retain(|_, (_, seen)| now.duration_since(*seen).as_secs() < 60);
        }
        let (tokens, last) = buckets.entry(ip).or_insert((capacity, now));
        *tokens = (*tokens + now.duration_since(*last).as_secs_f64() * f64::from(per_sec)).min(capacity);
        *last = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

pub async fn rate_limit(State(state): State<WebState>, req: Request, next: Next) -> Response {
    if let Some(ConnectInfo(addr)) = req.extensions().get::<ConnectInfo<SocketAddr>>() {
        if !state.limiter.allow(addr.ip(), state.requests_per_sec) {
            state.metrics.rate_limited.fetch_add(1, Ordering::Relaxed);
            let (parts, _) = req.into_parts();
            return json_error(StatusCode::TOO_MANY_REQUESTS, "rate-limited", lang_of(&parts));
        }
    }
    next.run(req).await
}

/// Gives every browser a device cookie. Only tokens this server issued are
/// taken (a random part and its keyed MAC, see
/// `cercle_app::accounts::device`); any other value — one a client chose,
/// or planted in someone's browser — is replaced by a fresh token before the
/// request goes on, so it never names a device. Nothing is stored until a
/// session is opened on the device.
pub async fn ensure_device(State(state): State<WebState>, mut req: Request, next: Next) -> Response {
    let existing = cookies::get(req.headers(), cookies::DEVICE).filter(|t| device::is_issued(&state.ctx, t));
    let (token, fresh) = match existing {
        Some(t) => (t, false),
        None => (device::issue(&state.ctx), true),
    };
    req.extensions_mut().insert(DeviceToken(token.clone()));
    let mut resp = next.run(req).await;
    // A handler that gave the device a new token (sign-in, unlock) set it already.
    let rotated = resp.headers().get_all(header::SET_COOKIE).iter().any(|v| {
        v.to_str()
            .is_ok_and(|c| c.starts_with(&format!("{}=", cookies::DEVICE)))
    });
    if fresh && !rotated {
        if let Ok(v) = HeaderValue::from_str(&cookies::device(&token, state.secure_cookies)) {
            resp.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    resp
}

/// Every form post of the web app carries the device's CSRF token and comes
/// from our own origin.
pub async fn csrf_guard(State(state): State<WebState>, req: Request, next: Next) -> Response {
    if req.method() != Method::POST {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let lang = lang_of(&parts);
    let forbidden = || crate::ui::error_page(lang, StatusCode::FORBIDDEN, "error-csrf");
    if let Some(origin) = parts.headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        let host = parts
            .headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let origin_host = origin.split("://").nth(1).unwrap_or("");
        if origin != "null" && origin_host != host {
            return forbidden();
        }
    }
    let Some(device) = parts.extensions.get::<DeviceToken>().cloned() else {
        return forbidden();
    };
    let bytes = match axum::body::to_bytes(body, crate::MAX_BODY_BYTES).await {
        Ok(b) => b,
        Err(_) => return crate::ui::error_page(lang, StatusCode::PAYLOAD_TOO_LARGE, "error-body-too-large"),
    };
    let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes).unwrap_or_default();
    let presented = fields
        .iter()
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    if !state.csrf_ok(&device.0, presented) {
        return forbidden();
    }
    next.run(Request::from_parts(parts, Body::from(bytes))).await
}

/// Turns axum's own rejections (bad JSON, wrong content type, too large)
/// into our JSON errors.
pub fn api_rejection(rejection: axum::extract::rejection::JsonRejection, lang: cercle_domain::Language) -> Response {
    use axum::extract::rejection::JsonRejection as J;
    let (status, code) = match &rejection {
        J::MissingJsonContentType(_) => (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type"),
        J::BytesRejection(_) => (StatusCode::PAYLOAD_TOO_LARGE, "body-too-large"),
        _ => (StatusCode::BAD_REQUEST, "bad-request"),
    };
    json_error(status, code, lang).into_response()
}
