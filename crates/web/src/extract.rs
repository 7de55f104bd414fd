//! What handlers take from a request: the client, the language, the device
//! and the session. Parsing only: who may do what is the services' business.

use crate::cookies;
use crate::{error::json_error, WebState};
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, MatchedPath, OptionalFromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use cercle_app::accounts::{session, Activity, Credential, SessionView};
use cercle_app::idempotency::{Answer, IdempotencyKey, RequestHasher};
use cercle_app::service_accounts;
use cercle_app::threads::attachments::IncomingFile;
use cercle_app::{AppError, Client};
use cercle_domain::policy::{self, Permission, Principal};
use cercle_domain::Language;
use futures_util::StreamExt;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};

/// The browser's device token, set by the `ensure_device` middleware.
#[derive(Debug, Clone)]
pub struct DeviceToken(pub String);

/// The client: its address as the rate limit worked it out (behind a
/// trusted proxy, the forwarded one), else the TCP peer; and its device.
pub fn client_of(parts: &Parts) -> Client {
    let ip = parts
        .extensions
        .get::<ClientIp>()
        .map(|c| c.0)
        .or_else(|| parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip()))
        .map(|ip| cercle_domain::net::canonical(ip).to_string());
    let ua = parts
        .headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    Client {
        ip,
        label: device_label(ua),
        idempotency: None,
    }
}

/// "Chrome on Linux": enough to recognise a session, without keeping the
/// whole user-agent string.
pub fn device_label(ua: &str) -> String {
    let browser = if ua.contains("Edg/") {
        "Edge"
    } else if ua.contains("Firefox/") {
        "Firefox"
    } else if ua.contains("Chrome/") || ua.contains("Chromium/") {
        "Chrome"
    } else if ua.contains("Safari/") {
        "Safari"
    } else if ua.is_empty() {
        "API client"
    } else {
        "Browser"
    };
    let os = if ua.contains("Android") {
        "Android"
    } else if ua.contains("iPhone") || ua.contains("iPad") {
        "iOS"
    } else if ua.contains("Windows") {
        "Windows"
    } else if ua.contains("Mac OS") {
        "macOS"
    } else if ua.contains("Linux") {
        "Linux"
    } else {
        ""
    };
    if os.is_empty() {
        browser.to_string()
    } else {
        format!("{browser} · {os}")
    }
}

/// Whether the request is the person's action or the page working on its
/// own ([`cookies::BACKGROUND_HEADER`]).
pub fn activity_of(parts: &Parts) -> Activity {
    if cookies::is_background(&parts.headers) {
        Activity::Background
    } else {
        Activity::Person
    }
}

/// The language the request asks for itself: the language cookie (the
/// web app's choice), else `Accept-Language`.
pub fn asked_lang(headers: &HeaderMap) -> Option<Language> {
    cookies::get(headers, cookies::LANG)
        .and_then(|l| Language::parse(&l).ok())
        .or_else(|| {
            headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Language::from_accept_language)
        })
}

/// The account's language, for an API caller with a bearer token who asked
/// for none ([`crate::middleware::account_language`] puts it there).
#[derive(Debug, Clone, Copy)]
pub struct AccountLanguage(pub Language);

/// The language of the request, decided here only: what it asks for
/// ([`asked_lang`]), else its account's language (bearer tokens), else
/// French.
pub fn lang_of(parts: &Parts) -> Language {
    asked_lang(&parts.headers)
        .or_else(|| parts.extensions.get::<AccountLanguage>().map(|a| a.0))
        .unwrap_or_default()
}

/// The token of `Authorization: Bearer …`, if any.
pub fn bearer_of(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_string())
}

/// Language of the request.
#[derive(Debug, Clone, Copy)]
pub struct Lang(pub Language);

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Lang(lang_of(parts)))
    }
}

/// The client (address and device label).
pub struct ClientInfo(pub Client);

impl<S: Send + Sync> FromRequestParts<S> for ClientInfo {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientInfo(client_of(parts)))
    }
}

/// An API caller's session, from `Authorization: Bearer …`, or from the web
/// app's cookies together with an `X-CSRF-Token` header. A service
/// account's access token is no session: 403 `service-not-allowed` (the
/// operations open to service accounts take [`ApiPrincipal`]).
pub struct ApiAuth(pub SessionView);

impl FromRequestParts<WebState> for ApiAuth {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, state: &WebState) -> Result<Self, Self::Rejection> {
        let lang = lang_of(parts);
        let unauthorized = || json_error(StatusCode::UNAUTHORIZED, "not-authenticated", lang);
        let activity = activity_of(parts);
        let bearer = bearer_of(&parts.headers);
        let view = if let Some(token) = bearer {
            if service_accounts::is_service_token(&token) {
                return Err(json_error(StatusCode::FORBIDDEN, "service-not-allowed", lang));
            }
            if token.len() > 100 {
                return Err(unauthorized());
            }
            session::authenticate_as(&state.ctx, Credential::Bearer(&token), activity).await
        } else {
            let device = cookies::get(&parts.headers, cookies::DEVICE).ok_or_else(unauthorized)?;
            let account = cookies::get(&parts.headers, cookies::ACCOUNT).ok_or_else(unauthorized)?;
            let csrf = parts
                .headers
                .get("x-csrf-token")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            if !state.csrf_ok(&device, csrf) {
                return Err(json_error(StatusCode::FORBIDDEN, "csrf", lang));
            }
            session::authenticate_as(
                &state.ctx,
                Credential::Device {
                    device_token: &device,
                    session_id: &account,
                },
                activity,
            )
            .await
        };
        view.map(ApiAuth)
            .map_err(|e| crate::error::ApiError::new(e, lang).into_response())
    }
}

/// What a service account may call (issue 18, part 3): the method, the
/// route as matched (without `/api/v1`), and what the policy must allow
/// (each comes from one of the account's scopes). Everything else answers
/// a service token 403 `service-not-allowed`.
pub const SERVICE_OPERATIONS: &[(&str, &str, Permission)] = &[
    ("GET", "/patient-files", Permission::OpenPatientFiles),
    ("POST", "/patient-files", Permission::OpenPatientFiles),
    ("POST", "/patient-files/link", Permission::OpenPatientFiles),
    ("GET", "/patient-files/{id}", Permission::OpenPatientFiles),
    ("PATCH", "/patient-files/{id}", Permission::OpenPatientFiles),
    ("GET", "/patient-files/{id}/circle", Permission::InviteToCircle),
    ("POST", "/patient-files/{id}/circle", Permission::InviteToCircle),
    ("POST", "/circle-members/{id}/invite", Permission::InviteToCircle),
    ("POST", "/circle-members/{id}/resend", Permission::InviteToCircle),
    ("GET", "/network/search", Permission::SearchNetwork),
    ("GET", "/fhir/{resource_type}", Permission::ReadFhirDirectory),
    ("GET", "/fhir/{resource_type}/{id}", Permission::ReadFhirDirectory),
];

/// What the policy must allow a service account for `method route`, if it
/// may call it at all.
pub fn service_permission(method: &str, route: &str) -> Option<&'static Permission> {
    let route = route.strip_prefix("/api/v1").unwrap_or(route);
    SERVICE_OPERATIONS
        .iter()
        .find(|(m, r, _)| *m == method && *r == route)
        .map(|(_, _, p)| p)
}

/// Who calls the API: a ready session's principal (as [`ApiAuth`]), or a
/// service account with its access token, on the operations of
/// [`SERVICE_OPERATIONS`] its scopes open (each call audited).
pub struct ApiPrincipal(pub Principal);

impl FromRequestParts<WebState> for ApiPrincipal {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, state: &WebState) -> Result<Self, Self::Rejection> {
        let lang = lang_of(parts);
        let refuse = |error| crate::error::ApiError::new(error, lang).into_response();
        let Some(token) = bearer_of(&parts.headers).filter(|t| service_accounts::is_service_token(t)) else {
            let ApiAuth(view) = ApiAuth::from_request_parts(parts, state).await?;
            return view.principal().map(ApiPrincipal).map_err(refuse);
        };
        let principal = service_accounts::authenticate(&state.ctx, &token)
            .await
            .map_err(refuse)?;
        let route = parts
            .extensions
            .get::<MatchedPath>()
            .map(|m| m.as_str().to_string())
            .unwrap_or_default();
        let method = parts.method.as_str().to_string();
        let Some(permission) = service_permission(&method, &route) else {
            return Err(json_error(StatusCode::FORBIDDEN, "service-not-allowed", lang));
        };
        if !policy::may(&principal, permission) {
            return Err(refuse(AppError::Forbidden));
        }
        service_accounts::record_call(&state.ctx, &client_of(parts), &principal, &method, &route)
            .await
            .map_err(refuse)?;
        Ok(ApiPrincipal(principal))
    }
}

/// An API caller inside their active organization (`OrgScope::of`):
/// membership is checked here, on every request. A service account acts in
/// its own organization ([`ApiPrincipal`]).
pub struct ApiScope(pub cercle_app::orgs::OrgScope);

impl FromRequestParts<WebState> for ApiScope {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, state: &WebState) -> Result<Self, Self::Rejection> {
        let lang = lang_of(parts);
        let ApiPrincipal(principal) = ApiPrincipal::from_request_parts(parts, state).await?;
        let refuse = |error| crate::error::ApiError::new(error, lang).into_response();
        cercle_app::orgs::OrgScope::of(&state.ctx, &principal)
            .await
            .map(ApiScope)
            .map_err(refuse)
    }
}

/// The web session of the browser (device cookie + chosen account), if any.
pub struct WebSession(pub SessionView);

impl OptionalFromRequestParts<WebState> for WebSession {
    /// A database that cannot be reached is said so on a page (503), not
    /// taken for "signed out".
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, state: &WebState) -> Result<Option<Self>, Self::Rejection> {
        let Some(device) = parts.extensions.get::<DeviceToken>().cloned() else {
            return Ok(None);
        };
        let Some(account) = cookies::get(&parts.headers, cookies::ACCOUNT) else {
            return Ok(None);
        };
        match session::authenticate_as(
            &state.ctx,
            Credential::Device {
                device_token: &device.0,
                session_id: &account,
            },
            activity_of(parts),
        )
        .await
        {
            Ok(view) => Ok(Some(WebSession(view))),
            Err(e @ (AppError::DatabaseUnavailable | AppError::StorageFull)) => {
                Err(crate::error_page::failure_page(lang_of(parts), &e))
            }
            Err(_) => Ok(None),
        }
    }
}

/// A request whose body is a file, taken as it arrives (never read whole
/// here): its size from `Content-Length` (without one, 411
/// `length-required`: the blob's header needs the size first).
pub struct UploadBody(pub IncomingFile);

impl<S: Send + Sync> FromRequest<S> for UploadBody {
    type Rejection = Response;
    async fn from_request(req: Request, _state: &S) -> Result<Self, Self::Rejection> {
        let (parts, body) = req.into_parts();
        let lang = lang_of(&parts);
        let declared = parts
            .headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        let Some(size) = declared.or_else(|| axum::body::HttpBody::size_hint(&body).exact()) else {
            // Read and dropped (at most the attachments' body limit) so
            // that the client, still sending, gets the answer.
            let mut rest = body.into_data_stream();
            while let Some(Ok(_)) = rest.next().await {}
            return Err(json_error(StatusCode::LENGTH_REQUIRED, "length-required", lang));
        };
        let body = body
            .into_data_stream()
            .map(|piece| piece.map_err(|e| std::io::Error::other(e.to_string())));
        Ok(UploadBody(IncomingFile {
            size,
            body: Box::pin(body),
        }))
    }
}

/// [`UploadBody`] with its `Idempotency-Key` (checked as [`Idempotent`]
/// checks it): what identifies the request is hashed as its body streams
/// by, and known once the file was read ([`UploadHash::get`]).
pub struct IdempotentUpload {
    pub key: Option<IdempotencyKey>,
    pub file: IncomingFile,
    pub hash: UploadHash,
}

/// The hash of an upload request, computed as its body is read.
pub struct UploadHash(Arc<Mutex<RequestHasher>>);

impl UploadHash {
    /// What identifies the request: valid once the whole file was read.
    pub fn get(&self) -> String {
        self.0.lock().map(|h| h.hash()).unwrap_or_default()
    }
}

impl<S: Send + Sync> FromRequest<S> for IdempotentUpload {
    type Rejection = Response;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let (parts, body) = req.into_parts();
        let lang = lang_of(&parts);
        let key = parts.headers.get(IDEMPOTENCY_KEY).map(|v| {
            v.to_str()
                .map_err(|_| cercle_domain::InputError::IdempotencyKeyInvalid)
                .and_then(IdempotencyKey::parse)
        });
        let target = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_default();
        let hasher = Arc::new(Mutex::new(RequestHasher::new(parts.method.as_str(), &target)));
        let UploadBody(mut file) = UploadBody::from_request(Request::from_parts(parts, body), state).await?;
        let key = match key.transpose() {
            Ok(key) => key,
            Err(e) => {
                // Refused: the rest is read and dropped so that the client gets the answer.
                file.discard_rest().await;
                return Err(crate::error::ApiError::new(e.into(), lang).into_response());
            }
        };
        let tap = hasher.clone();
        let body = file.body.map(move |piece| {
            if let (Ok(bytes), Ok(mut h)) = (&piece, tap.lock()) {
                h.update(bytes);
            }
            piece
        });
        Ok(IdempotentUpload {
            key,
            file: IncomingFile {
                size: file.size,
                body: Box::pin(body),
            },
            hash: UploadHash(hasher),
        })
    }
}

/// A retryable request: its `Idempotency-Key` (checked: a bad key answers
/// 422 `idempotency-key-invalid`), what identifies it (method, path, query
/// and body), and its body, read here.
pub struct Idempotent {
    pub key: Option<IdempotencyKey>,
    pub hash: String,
    pub body: axum::body::Bytes,
    json_content: bool,
}

/// The header a client repeats on its retries of one action.
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";

impl<S: Send + Sync> FromRequest<S> for Idempotent {
    type Rejection = Response;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let (parts, body) = req.into_parts();
        let lang = lang_of(&parts);
        let key = match parts.headers.get(IDEMPOTENCY_KEY) {
            None => None,
            Some(v) => Some(
                v.to_str()
                    .map_err(|_| cercle_domain::InputError::IdempotencyKeyInvalid)
                    .and_then(IdempotencyKey::parse)
                    .map_err(|e| crate::error::ApiError::new(e.into(), lang).into_response())?,
            ),
        };
        let json_content = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("application/json"));
        let target = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_default();
        let method = parts.method.to_string();
        let req = Request::from_parts(parts, body);
        let body = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|_| json_error(StatusCode::PAYLOAD_TOO_LARGE, "body-too-large", lang))?;
        let hash = cercle_app::idempotency::request_hash(&method, &target, &body);
        Ok(Idempotent {
            key,
            hash,
            body,
            json_content,
        })
    }
}

impl Idempotent {
    /// The body as JSON, refused as [`crate::api::ApiJson`] refuses it.
    pub fn json<T: serde::de::DeserializeOwned>(&self, lang: Language) -> Result<T, Response> {
        if !self.json_content {
            return Err(json_error(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                lang,
            ));
        }
        axum::Json::<T>::from_bytes(&self.body)
            .map(|j| j.0)
            .map_err(|r| api_rejection(r, lang))
    }
}

/// An answer given once, given again: its status and JSON body.
pub fn replay(answer: Answer) -> Response {
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::OK);
    (status, axum::Json(answer.body)).into_response()
}

#[cfg(test)]
mod tests {
    use super::{lang_of, AccountLanguage};
    use cercle_domain::Language;

    fn parts(accept: Option<&str>, cookie: Option<&str>, account: Option<Language>) -> axum::http::request::Parts {
        let mut b = axum::http::Request::builder().uri("/api/v1/threads");
        if let Some(a) = accept {
            b = b.header("accept-language", a);
        }
        if let Some(c) = cookie {
            b = b.header("cookie", c);
        }
        let (mut parts, _) = b.body(()).unwrap().into_parts();
        if let Some(l) = account {
            parts.extensions.insert(AccountLanguage(l));
        }
        parts
    }

    #[test]
    fn the_account_language_when_the_request_asks_for_none() {
        assert_eq!(lang_of(&parts(None, None, None)), Language::Fr);
        assert_eq!(lang_of(&parts(None, None, Some(Language::En))), Language::En);
        assert_eq!(lang_of(&parts(Some("fr-CA"), None, Some(Language::En))), Language::Fr);
        assert_eq!(lang_of(&parts(Some("en"), None, Some(Language::Fr))), Language::En);
        let cookie = format!("{}=en", crate::cookies::LANG);
        assert_eq!(lang_of(&parts(None, Some(&cookie), Some(Language::Fr))), Language::En);
    }

    #[test]
    fn labels() {
        let chrome =
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36";
        assert_eq!(super::device_label(chrome), "Chrome · Linux");
        assert_eq!(super::device_label(""), "API client");
    }
}

/// The client's address as worked out by [`crate::middleware::rate_limit`] (behind trusted
/// proxies, the forwarded one); `extract::client_of` reads it.
#[derive(Debug, Clone, Copy)]
pub struct ClientIp(pub IpAddr);

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
