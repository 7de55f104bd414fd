//! SMS through an HTTP gateway: the production [`SmsSender`].

use crate::outbox::SmsSender;
use std::time::Duration;

/// An SMS gateway reached over HTTP: `POST {url}` with a JSON body
/// `{"to": "+15145551234", "body": "…"}` and a bearer token. Commercial
/// gateways (Twilio, Vonage, …) sit behind a small relay speaking this.
pub struct HttpSmsGateway {
    client: reqwest::Client,
    url: String,
    token: Option<String>,
}

impl HttpSmsGateway {
    pub fn new(url: String, token: Option<String>) -> Result<Self, String> {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(15))
            .build()
            .map_err(|e| e.to_string())?;
        Ok(HttpSmsGateway { client, url, token })
    }
}

#[async_trait::async_trait]
impl SmsSender for HttpSmsGateway {
    async fn send(&self, to: &str, body: &str) -> Result<(), String> {
        let mut req = self
            .client
            .post(&self.url)
            .json(&serde_json::json!({ "to": to, "body": body }));
        if let Some(t) = &self.token {
            req = req.bearer_auth(t);
        }
        let resp = req.send().await.map_err(|e| format!("gateway unreachable: {e}"))?;
        if resp.status().is_success() {
            Ok(())
        } else {
            Err(format!("gateway answered {}", resp.status()))
        }
    }
}
