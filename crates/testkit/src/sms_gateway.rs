//! A stand-in for a commercial SMS gateway: an HTTP listener on loopback
//! that receives what Cercle's real HTTP gateway adapter sends.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone)]
pub struct Sms {
    pub to: String,
    pub body: String,
}

#[derive(Clone)]
pub struct SmsGateway {
    url: String,
    received: Arc<Mutex<Vec<Sms>>>,
}

async fn receive(
    State(store): State<Arc<Mutex<Vec<Sms>>>>,
    headers: HeaderMap,
    Json(v): Json<serde_json::Value>,
) -> StatusCode {
    if headers.get("authorization").and_then(|h| h.to_str().ok()) != Some("Bearer test-gateway-token") {
        return StatusCode::UNAUTHORIZED;
    }
    let sms = Sms {
        to: v["to"].as_str().unwrap_or("").into(),
        body: v["body"].as_str().unwrap_or("").into(),
    };
    if let Ok(mut s) = store.lock() {
        s.push(sms);
    }
    StatusCode::ACCEPTED
}

impl SmsGateway {
    pub async fn start() -> SmsGateway {
        let received = Arc::new(Mutex::new(Vec::new()));
        let app = axum::Router::new()
            .route("/send", axum::routing::post(receive))
            .with_state(received.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind sms gateway");
        let url = format!("http://{}/send", listener.local_addr().expect("addr"));
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        SmsGateway { url, received }
    }

    pub fn url(&self) -> String {
        self.url.clone()
    }

    pub fn to(&self, phone: &str) -> Vec<Sms> {
        self.received
            .lock()
            .map(|s| s.iter().filter(|m| m.to == phone).cloned().collect())
            .unwrap_or_default()
    }

    /// Waits (bounded) for the `n`-th SMS (1-based) to `phone`.
    pub async fn nth_to(&self, phone: &str, n: usize) -> Sms {
        crate::eventually(&format!("SMS #{n} to {phone}"), async || {
            self.to(phone).get(n - 1).cloned()
        })
        .await
    }
}
