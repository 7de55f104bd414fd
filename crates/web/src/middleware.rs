//! Layers every request passes: security headers, request id and logging,
//! metrics, the per-address rate limit, the device cookie and CSRF checks,
//! and the account's language for API callers who ask for none.

use crate::cookies;
use crate::extract::{lang_of, ClientIp, DeviceToken};
use crate::{error::json_error, WebState};
use axum::body::Body;
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use cercle_app::accounts::device;
use cercle_app::AppError;
use cercle_domain::net;
use cercle_domain::Language;
use governor::clock::{Clock, DefaultClock};
use governor::middleware::NoOpMiddleware;
use governor::state::keyed::DashMapStateStore;
use governor::{Quota, RateLimiter};
use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::{Duration, Instant};

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
    connect-src 'self'; media-src 'self' blob:; font-src 'self'; object-src 'none'; base-uri 'none'; \
    form-action 'self'; frame-ancestors 'none'";

/// HTTPS only, for a year, subdomains included (sent when the public URL is `https://`).
const HSTS: &str = "max-age=31536000; includeSubDomains";

/// Strict Content-Security-Policy (no inline script), the usual hardening
/// headers, and Strict-Transport-Security when Cercle is served over HTTPS.
///
/// The integrated bubble: the SMART launch pages (`/smart/…`) and every
/// page of a browser that went through a launch (its `cercle_embed`
/// cookie) may be framed by the origins of the registered, enabled EMRs
/// only (`frame-ancestors <origins>`, no `X-Frame-Options`); and since a
/// frame is a third-party context, their cookies become
/// `SameSite=None; Secure; Partitioned` (kept apart per top-level site:
/// the EMR's frame has its own jar, never the one of a Cercle tab). Every
/// other page keeps `frame-ancestors 'none'` and `X-Frame-Options: DENY`.
pub async fn security_headers(State(state): State<WebState>, req: Request, next: Next) -> Response {
    let is_static = req.uri().path().starts_with("/static/");
    let framed = !is_static
        && (req.uri().path().starts_with("/smart/") || cookies::get(req.headers(), cookies::EMBED).is_some());
    let mut resp = next.run(req).await;
    let frame_csp = if framed {
        let origins = cercle_app::emr::registry::frame_origins(&state.ctx)
            .await
            .unwrap_or_default();
        if origins.is_empty() {
            None
        } else {
            HeaderValue::from_str(&CSP.replace(
                "frame-ancestors 'none'",
                &format!("frame-ancestors {}", origins.join(" ")),
            ))
            .ok()
        }
    } else {
        None
    };
    let h = resp.headers_mut();
    if framed {
        frame_cookies(h);
    }
    if state.secure_cookies {
        h.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static(HSTS));
    }
    match frame_csp {
        Some(csp) => {
            h.insert(header::CONTENT_SECURITY_POLICY, csp);
        }
        None => {
            h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
            h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        }
    }
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
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

/// Rewrites a response's cookies for a third-party frame: `SameSite=None;
/// Secure; Partitioned` instead of `SameSite=Lax`.
fn frame_cookies(h: &mut axum::http::HeaderMap) {
    let cookies: Vec<String> = h
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(cookies::for_frame)
        .collect();
    if cookies.is_empty() {
        return;
    }
    h.remove(header::SET_COOKIE);
    for c in cookies {
        if let Ok(v) = HeaderValue::from_str(&c) {
            h.append(header::SET_COOKIE, v);
        }
    }
}

/// A request id on every request and response, one log line per request
/// naming the route pattern (never the path itself, which may hold a token),
/// and the metrics.
pub async fn observe(mut req: Request, next: Next) -> Response {
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
    let in_flight = crate::metrics::InFlight::enter(&route);
    // Everything logged while answering carries the request id.
    let span = tracing::info_span!("request", request_id = %request_id);
    let mut resp = tracing::Instrument::instrument(next.run(req), span).await;
    let elapsed = started.elapsed();
    let micros = elapsed.as_micros() as u64;
    let status = resp.status().as_u16();
    in_flight.answered(method.as_str(), status, elapsed);
    tracing::info!(request_id = %request_id, %method, route = %route, status, micros, "request");
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        resp.headers_mut().insert("x-request-id", v);
    }
    resp
}

/// A token bucket per address (IPv6: per /64), in memory on each node (the
/// limits on secrets, which must hold across nodes, live in the database).
/// `governor`'s keyed limiter over a sharded `DashMap`: one check touches
/// one shard, never the whole map; idle addresses are forgotten by
/// [`limiter_upkeep`], not on the request path.
pub struct IpLimiter<C: Clock = DefaultClock> {
    limiter: RateLimiter<IpAddr, DashMapStateStore<IpAddr>, C, NoOpMiddleware<C::Instant>>,
}

impl IpLimiter {
    /// `per_sec` requests a second from one address, bursts of ten times that.
    pub fn new(per_sec: u32) -> Self {
        IpLimiter::with_clock(per_sec, DefaultClock::default())
    }
}

impl<C: Clock> IpLimiter<C> {
    pub fn with_clock(per_sec: u32, clock: C) -> Self {
        let rate = NonZeroU32::new(per_sec).unwrap_or(NonZeroU32::MIN);
        let burst = NonZeroU32::new(per_sec.saturating_mul(10)).unwrap_or(NonZeroU32::MIN);
        IpLimiter {
            limiter: RateLimiter::dashmap_with_clock(Quota::per_second(rate).allow_burst(burst), clock),
        }
    }

    /// Takes a token for this address (its /64 for IPv6).
    pub fn allow(&self, ip: IpAddr) -> bool {
        self.limiter.check_key(&net::limit_key(ip)).is_ok()
    }

    /// Forgets the addresses whose bucket is full again (idle ones).
    pub fn forget_idle(&self) {
        self.limiter.retain_recent();
        self.limiter.shrink_to_fit();
    }

    /// Addresses remembered.
    pub fn len(&self) -> usize {
        self.limiter.len()
    }

    pub fn is_empty(&self) -> bool {
        self.limiter.is_empty()
    }
}

/// Every few seconds, forgets idle addresses, so memory stays bounded by
/// the addresses seen in the last seconds, whatever the flood.
pub async fn limiter_upkeep(limiter: Arc<IpLimiter>, mut shutdown: tokio::sync::watch::Receiver<bool>) {
    loop {
        if *shutdown.borrow() {
            return;
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(5)) => limiter.forget_idle(),
            _ = shutdown.changed() => {}
        }
    }
}

/// Works out the client's address (the TCP peer, or behind a trusted proxy
/// the address it forwards) for the rest of the request, and applies the
/// per-address limit to it.
pub async fn rate_limit(State(state): State<WebState>, mut req: Request, next: Next) -> Response {
    if let Some(ConnectInfo(addr)) = req.extensions().get::<ConnectInfo<SocketAddr>>().copied() {
        let forwarded = req
            .headers()
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok());
        let ip = net::client_address(addr.ip(), forwarded, &state.trusted_proxies);
        req.extensions_mut().insert(ClientIp(ip));
        if !state.limiter.allow(ip) {
            crate::metrics::record_rate_limited();
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

/// An API caller with a bearer token and neither `Accept-Language` nor the
/// language cookie reads the API in their account's language (errors and
/// the texts Cercle writes): found here once, read by
/// [`crate::extract::lang_of`] like every other source. What the caller
/// asks for wins. A token that is not known leaves the default;
/// authenticating the request stays the extractors' business. A database
/// that cannot be reached answers here at once (503): asking it again in the
/// handler would make the caller wait out the pool's timeout twice.
pub async fn account_language(State(state): State<WebState>, mut req: Request, next: Next) -> Response {
    if crate::extract::asked_lang(req.headers()).is_none() {
        if let Some(token) = crate::extract::bearer_of(req.headers()) {
            match cercle_app::accounts::session::bearer_language(&state.ctx, &token).await {
                Ok(Some(l)) => {
                    req.extensions_mut().insert(crate::extract::AccountLanguage(l));
                }
                Err(error @ (AppError::DatabaseUnavailable | AppError::StorageFull)) => {
                    return crate::error::ApiError {
                        error,
                        lang: Some(Language::default()),
                    }
                    .into_response();
                }
                Ok(None) | Err(_) => {}
            }
        }
    }
    next.run(req).await
}

/// Every form post of the web app carries the device's CSRF token and comes
/// from our own origin.
pub async fn csrf_guard(State(state): State<WebState>, req: Request, next: Next) -> Response {
    if req.method() != Method::POST {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let lang = lang_of(&parts);
    let forbidden = || crate::error_page::error_page(lang, StatusCode::FORBIDDEN, "error-csrf");
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
        Err(_) => return crate::error_page::error_page(lang, StatusCode::PAYLOAD_TOO_LARGE, "error-body-too-large"),
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

#[cfg(test)]
mod tests {
    use super::IpLimiter;
    use governor::clock::FakeRelativeClock;
    use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
    use std::time::{Duration, Instant};

    #[test]
    fn an_address_gets_its_burst_then_waits() {
        let clock = FakeRelativeClock::default();
        let limiter = IpLimiter::with_clock(2, clock.clone());
        let ip = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1));
        assert!((0..20).all(|_| limiter.allow(ip)));
        assert!(!limiter.allow(ip));
        assert!(limiter.allow(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 2))));
        clock.advance(Duration::from_millis(500));
        assert!(limiter.allow(ip));
        assert!(!limiter.allow(ip));
    }

    #[test]
    fn ipv6_addresses_of_one_64_share_a_bucket() {
        let limiter = IpLimiter::with_clock(1, FakeRelativeClock::default());
        let a: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:ffff:ffff:ffff:ffff".parse().unwrap();
        let other: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert!((0..10).all(|_| limiter.allow(a)));
        assert!(!limiter.allow(b));
        assert!(limiter.allow(other));
    }

    #[test]
    fn a_flood_of_distinct_addresses_stays_cheap_and_is_forgotten() {
        const N: u32 = 200_000;
        let clock = FakeRelativeClock::default();
        let limiter = IpLimiter::with_clock(20, clock.clone());
        let started = Instant::now();
        for i in 0..N {
            // Half IPv4, half IPv6 (each in its own /64).
            let ip = if i % 2 == 0 {
                IpAddr::V4(Ipv4Addr::from(0x0b00_0000 + i))
            } else {
                IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, (i >> 16) as u16, i as u16, 0, 0, 0, 1))
            };
            assert!(limiter.allow(ip));
        }
        let flood = started.elapsed();
        assert_eq!(limiter.len(), N as usize);
        // Idle for a while: every bucket is full again and forgotten.
        clock.advance(Duration::from_secs(60));
        let started = Instant::now();
        limiter.forget_idle();
        let forget = started.elapsed();
        assert_eq!(limiter.len(), 0);
        eprintln!(
            "limiter flood: {N} distinct addresses in {:?} ({:.0} ns per check); forgetting them took {:?}",
            flood,
            flood.as_nanos() as f64 / f64::from(N),
            forget
        );
    }
}
