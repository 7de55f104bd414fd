//! A small SMART on FHIR EHR for tests: the EMR side of the integrated
//! bubble, speaking the real protocol on loopback.
//!
//! - `GET {iss}/.well-known/smart-configuration` (the FHIR base `iss` is
//!   `{url}/fhir`);
//! - `GET /authorize`: checks `response_type`, `client_id`, `redirect_uri`,
//!   `aud`, the `launch` it issued and an S256 `code_challenge`, then
//!   approves at once as the configured practitioner (redirect with `code`
//!   and `state`);
//! - `POST /token`: checks the code (once), `redirect_uri`, `client_id` and
//!   the PKCE verifier; answers an access token, an `id_token` signed ES256
//!   with a key generated at start (`iss`, `aud` = client id, `exp` from the
//!   test's clock, `fhirUser`) and the `patient` in context;
//! - `GET /jwks`: the public key;
//! - `GET {iss}/Patient/{id}`: the patient, with the access token only;
//! - `GET /ehr`: an EMR page that frames Cercle's `/smart/launch`.
//!
//! Tests may make it misbehave ([`Misbehave`]).

use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Json;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use cercle_domain::clock::Clock;
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Ways a test makes the EHR misbehave.
#[derive(Debug, Clone, Default)]
pub struct Misbehave {
    /// Sign the `id_token` with a key that is not the published one.
    pub sign_with_other_key: bool,
    /// Give the `id_token` another audience than the client id.
    pub wrong_audience: bool,
}

struct Inner {
    client_id: String,
    redirect_uri: String,
    practitioner: String,
    patients: HashMap<String, serde_json::Value>,
    patient_in_context: String,
    launches: Vec<String>,
    /// code → (code_challenge, redirect_uri)
    codes: HashMap<String, (String, String)>,
    access_tokens: Vec<String>,
    misbehave: Misbehave,
    cercle_url: String,
}

#[derive(Clone)]
struct Shared {
    inner: Arc<Mutex<Inner>>,
    key: Arc<SigningKey>,
    other_key: Arc<SigningKey>,
    url: String,
    clock: Arc<dyn Clock>,
}

/// The running EHR.
#[derive(Clone)]
pub struct SmartEhr {
    /// `http://127.0.0.1:<port>`.
    pub url: String,
    shared: Shared,
}

const KID: &str = "ehr-key-1";

fn random() -> String {
    use rand::RngCore;
    let mut b = [0u8; 24];
    rand::rngs::OsRng.fill_bytes(&mut b);
    URL_SAFE_NO_PAD.encode(b)
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

impl SmartEhr {
    /// Starts the EHR for Cercle at `cercle_url` with `client_id`; it signs
    /// tokens by `clock` (the test app's movable clock).
    pub async fn start(cercle_url: &str, client_id: &str, clock: Arc<dyn Clock>) -> SmartEhr {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the SMART EHR");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let shared = Shared {
            inner: Arc::new(Mutex::new(Inner {
                client_id: client_id.into(),
                redirect_uri: format!("{cercle_url}/smart/callback"),
                practitioner: format!("{url}/fhir/Practitioner/dr-1"),
                patients: HashMap::new(),
                patient_in_context: String::new(),
                launches: Vec::new(),
                codes: HashMap::new(),
                access_tokens: Vec::new(),
                misbehave: Misbehave::default(),
                cercle_url: cercle_url.into(),
            })),
            key: Arc::new(SigningKey::random(&mut rand::rngs::OsRng)),
            other_key: Arc::new(SigningKey::random(&mut rand::rngs::OsRng)),
            url: url.clone(),
            clock,
        };
        let app = axum::Router::new()
            .route("/fhir/.well-known/smart-configuration", get(configuration))
            .route("/authorize", get(authorize))
            .route("/token", post(token))
            .route("/jwks", get(jwks))
            .route("/fhir/Patient/{id}", get(patient))
            .route("/ehr", get(ehr_page))
            .with_state(shared.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        SmartEhr { url, shared }
    }

    /// The FHIR base URL: the `iss` of its launches.
    pub fn issuer(&self) -> String {
        format!("{}/fhir", self.url)
    }

    fn with<T>(&self, f: impl FnOnce(&mut Inner) -> T) -> T {
        f(&mut self.shared.inner.lock().expect("EHR state"))
    }

    /// The practitioner the EHR approves as (`fhirUser`).
    pub fn practitioner(&self) -> String {
        self.with(|i| i.practitioner.clone())
    }

    pub fn set_practitioner(&self, id: &str) {
        let p = format!("{}/fhir/Practitioner/{id}", self.url);
        self.with(|i| i.practitioner = p);
    }

    /// A FHIR `Patient` with a Québec health insurance number, made the
    /// patient in context.
    pub fn set_patient(&self, id: &str, family: &str, given: &str, birth_date: &str, hin: Option<&str>) {
        let mut p = serde_json::json!({
            "resourceType": "Patient",
            "id": id,
            "name": [{"use": "official", "family": family, "given": [given]}],
            "birthDate": birth_date,
        });
        if let Some(hin) = hin {
            p["identifier"] = serde_json::json!([{
                "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "JHN"}]},
                "system": "https://fhir.infoway-inforoute.ca/NamingSystem/ca-qc-patient-healthcare-id",
                "value": hin
            }]);
        }
        self.with(|i| {
            i.patients.insert(id.to_string(), p);
            i.patient_in_context = id.to_string();
        });
    }

    pub fn misbehave(&self, m: Misbehave) {
        self.with(|i| i.misbehave = m);
    }

    /// A new launch id, as the EHR makes when it opens the app.
    pub fn new_launch(&self) -> String {
        let l = random();
        self.with(|i| i.launches.push(l.clone()));
        l
    }

    /// Cercle's launch URL for a new launch.
    pub fn launch_url(&self) -> String {
        let launch = self.new_launch();
        let cercle = self.with(|i| i.cercle_url.clone());
        format!(
            "{cercle}/smart/launch?iss={}&launch={launch}",
            urlencode(&self.issuer())
        )
    }
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn configuration(State(s): State<Shared>) -> Json<serde_json::Value> {
    Json(serde_json::json!({
        "issuer": format!("{}/fhir", s.url),
        "authorization_endpoint": format!("{}/authorize", s.url),
        "token_endpoint": format!("{}/token", s.url),
        "jwks_uri": format!("{}/jwks", s.url),
        "grant_types_supported": ["authorization_code"],
        "code_challenge_methods_supported": ["S256"],
        "scopes_supported": ["launch", "openid", "fhirUser", "patient/Patient.read"],
        "capabilities": ["launch-ehr", "client-public", "sso-openid-connect", "context-ehr-patient", "permission-patient"]
    }))
}

fn bad(what: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(serde_json::json!({"error": "invalid_request", "error_description": what})),
    )
        .into_response()
}

async fn authorize(State(s): State<Shared>, Query(q): Query<HashMap<String, String>>) -> Response {
    let get = |k: &str| q.get(k).cloned().unwrap_or_default();
    let mut inner = s.inner.lock().expect("EHR state");
    if get("response_type") != "code" {
        return bad("response_type");
    }
    if get("client_id") != inner.client_id {
        return bad("client_id");
    }
    if get("redirect_uri") != inner.redirect_uri {
        return bad("redirect_uri");
    }
    if get("aud") != format!("{}/fhir", s.url) {
        return bad("aud");
    }
    let launch = get("launch");
    if !inner.launches.contains(&launch) {
        return bad("launch");
    }
    if get("code_challenge_method") != "S256" || get("code_challenge").len() != 43 {
        return bad("code_challenge");
    }
    let scope = get("scope");
    if !scope.split(' ').any(|x| x == "launch") || !scope.split(' ').any(|x| x == "openid") {
        return bad("scope");
    }
    let code = random();
    inner
        .codes
        .insert(code.clone(), (get("code_challenge"), get("redirect_uri")));
    let to = format!(
        "{}?code={}&state={}",
        inner.redirect_uri,
        urlencode(&code),
        urlencode(&get("state"))
    );
    Redirect::to(&to).into_response()
}

fn sign(key: &SigningKey, claims: &serde_json::Value) -> String {
    let header = serde_json::json!({"alg": "ES256", "typ": "JWT", "kid": KID});
    let input = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes())
    );
    let sig: Signature = key.sign(input.as_bytes());
    format!("{input}.{}", b64(&sig.to_bytes()))
}

async fn token(State(s): State<Shared>, Form(f): Form<HashMap<String, String>>) -> Response {
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    let mut inner = s.inner.lock().expect("EHR state");
    if get("grant_type") != "authorization_code" {
        return bad("grant_type");
    }
    if get("client_id") != inner.client_id {
        return bad("client_id");
    }
    // Once only.
    let Some((challenge, redirect_uri)) = inner.codes.remove(&get("code")) else {
        return bad("code");
    };
    if get("redirect_uri") != redirect_uri {
        return bad("redirect_uri");
    }
    if b64(&Sha256::digest(get("code_verifier").as_bytes())) != challenge {
        return bad("code_verifier");
    }
    let access_token = random();
    inner.access_tokens.push(access_token.clone());
    let now = s.clock.now().0 / 1000;
    let aud = if inner.misbehave.wrong_audience {
        "someone-else".to_string()
    } else {
        inner.client_id.clone()
    };
    let claims = serde_json::json!({
        "iss": format!("{}/fhir", s.url),
        "sub": "dr-1",
        "aud": aud,
        "iat": now,
        "exp": now + 300,
        "fhirUser": inner.practitioner,
    });
    let key = if inner.misbehave.sign_with_other_key {
        &s.other_key
    } else {
        &s.key
    };
    let id_token = sign(key, &claims);
    Json(serde_json::json!({
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": 3600,
        "scope": "launch openid fhirUser patient/Patient.read",
        "id_token": id_token,
        "patient": inner.patient_in_context,
    }))
    .into_response()
}

async fn jwks(State(s): State<Shared>) -> Json<serde_json::Value> {
    let point = s.key.verifying_key().to_encoded_point(false);
    Json(serde_json::json!({
        "keys": [{
            "kty": "EC",
            "crv": "P-256",
            "kid": KID,
            "use": "sig",
            "alg": "ES256",
            "x": b64(point.x().expect("x")),
            "y": b64(point.y().expect("y")),
        }]
    }))
}

async fn patient(State(s): State<Shared>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    let inner = s.inner.lock().expect("EHR state");
    let bearer = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    if !inner.access_tokens.iter().any(|t| t == bearer) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    match inner.patients.get(&id) {
        Some(p) => ([("content-type", "application/fhir+json")], p.to_string()).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

#[derive(serde::Deserialize)]
struct EhrQuery {
    /// Frame this URL instead of a new launch (a test of refused frames).
    frame: Option<String>,
}

/// The EMR's page: the record on the left, Cercle in a side panel.
async fn ehr_page(State(s): State<Shared>, Query(q): Query<EhrQuery>) -> Html<String> {
    let src = match q.frame {
        Some(f) => f,
        None => {
            let launch = random();
            let mut inner = s.inner.lock().expect("EHR state");
            inner.launches.push(launch.clone());
            format!(
                "{}/smart/launch?iss={}&launch={launch}",
                inner.cercle_url,
                urlencode(&format!("{}/fhir", s.url))
            )
        }
    };
    let src = src.replace('&', "&amp;").replace('"', "&quot;");
    Html(format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Test EMR</title></head>
<body><main><h1>Test EMR</h1><p>The patient's record.</p>
<iframe id="cercle" title="Cercle" src="{src}" width="420" height="700"></iframe></main></body></html>"#
    ))
}
