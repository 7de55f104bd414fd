//! The HTTP side of a SMART on FHIR EHR launch: the EMR's
//! `.well-known/smart-configuration`, its token endpoint, its keys and its
//! FHIR `Patient`. Every call has a bounded time and a bounded answer;
//! errors say what failed, never a code, token or verifier.

use std::time::Duration;

/// Longest wait for one call to an EMR.
const TIMEOUT: Duration = Duration::from_secs(10);
/// Largest answer read from an EMR (configuration, token, keys, Patient).
const MAX_BODY: usize = 256 * 1024;

/// What Cercle needs of an EMR's SMART configuration.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct SmartConfiguration {
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub jwks_uri: Option<String>,
}

/// The token endpoint's answer.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct TokenResponse {
    pub access_token: String,
    pub id_token: Option<String>,
    pub patient: Option<String>,
}

fn client() -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .timeout(TIMEOUT)
        .connect_timeout(TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| format!("client: {e}"))
}

/// Reads a JSON answer of at most [`MAX_BODY`] bytes.
async fn json<T: serde::de::DeserializeOwned>(what: &str, mut resp: reqwest::Response) -> Result<T, String> {
    if !resp.status().is_success() {
        return Err(format!("{what}: status {}", resp.status().as_u16()));
    }
    if resp.content_length().is_some_and(|n| n > MAX_BODY as u64) {
        return Err(format!("{what}: answer too large"));
    }
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(|e| format!("{what}: {e}"))? {
        if body.len() + chunk.len() > MAX_BODY {
            return Err(format!("{what}: answer too large"));
        }
        body.extend_from_slice(&chunk);
    }
    serde_json::from_slice(&body).map_err(|_| format!("{what}: malformed answer"))
}

/// `GET {iss}/.well-known/smart-configuration`.
pub async fn discover(issuer: &str) -> Result<SmartConfiguration, String> {
    let url = format!("{}/.well-known/smart-configuration", issuer.trim_end_matches('/'));
    let resp = client()?
        .get(url)
        .header("accept", "application/json")
        .send()
        .await
        .map_err(|e| format!("configuration unreachable: {}", e.without_url()))?;
    json("configuration", resp).await
}

/// Exchanges an authorization code (public client with PKCE).
pub async fn exchange(
    token_endpoint: &str,
    code: &str,
    redirect_uri: &str,
    client_id: &str,
    verifier: &str,
) -> Result<TokenResponse, String> {
    let resp = client()?
        .post(token_endpoint)
        .header("accept", "application/json")
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirect_uri),
            ("client_id", client_id),
            ("code_verifier", verifier),
        ])
        .send()
        .await
        .map_err(|e| format!("token endpoint unreachable: {}", e.without_url()))?;
    json("token", resp).await
}

/// The EMR's public keys.
pub async fn keys(jwks_uri: &str) -> Result<jsonwebtoken::jwk::JwkSet, String> {
    let resp = client()?
        .get(jwks_uri)
        .header("accept", "application/json")
        .send()
        .await
        .map_err(|e| format!("keys unreachable: {}", e.without_url()))?;
    json("keys", resp).await
}

/// `GET {iss}/Patient/{id}` with the launch's access token.
pub async fn patient(issuer: &str, id: &str, access_token: &str) -> Result<serde_json::Value, String> {
    let url = format!("{}/Patient/{id}", issuer.trim_end_matches('/'));
    let resp = client()?
        .get(url)
        .header("accept", "application/fhir+json")
        .bearer_auth(access_token)
        .send()
        .await
        .map_err(|e| format!("FHIR server unreachable: {}", e.without_url()))?;
    json("Patient", resp).await
}
