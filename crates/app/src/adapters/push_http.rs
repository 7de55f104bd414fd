//! Web Push over HTTP: the [`PushSender`] that posts an encrypted
//! notification (RFC 8291) with a VAPID authorization (RFC 8292) to the
//! subscription's push service, and says what the service answered.
//!
//! Built once, with the context. Every request is bounded by the settings'
//! timeout and follows no redirect. Unless local push services are allowed
//! (tests), names resolve to public addresses only ([`PublicOnly`]) and no
//! proxy of the environment is used, so a subscription can never make the
//! server connect to a local or private address.

use crate::push::{web_push, PushAnswer, PushRequest, PushSender, PushSettings, VapidKey};
use async_trait::async_trait;
use cercle_domain::net;
use std::sync::Arc;

pub struct HttpPushSender {
    http: reqwest::Client,
    vapid: Arc<VapidKey>,
    /// The VAPID `sub` claim.
    subject: String,
}

impl std::fmt::Debug for HttpPushSender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpPushSender")
            .field("subject", &self.subject)
            .finish()
    }
}

impl HttpPushSender {
    pub fn new(settings: &PushSettings) -> Self {
        let mut builder = reqwest::Client::builder()
            .connect_timeout(settings.timeout)
            .timeout(settings.timeout)
            .redirect(reqwest::redirect::Policy::none());
        if !settings.allow_local {
            // Names are resolved by us, public addresses only; and never
            // through an HTTP proxy of the environment, which would resolve
            // and connect on our behalf.
            builder = builder.dns_resolver(Arc::new(PublicOnly)).no_proxy();
        }
        let http = builder.build().unwrap_or_default();
        HttpPushSender {
            http,
            vapid: settings.vapid.clone(),
            subject: settings.subject.clone(),
        }
    }
}

#[async_trait]
impl PushSender for HttpPushSender {
    async fn send(&self, request: PushRequest) -> PushAnswer {
        let (Some(p256dh), Some(auth)) = (web_push::unb64(&request.p256dh), web_push::unb64(&request.auth)) else {
            return PushAnswer::GiveUp("subscription keys unreadable".into());
        };
        let body = match web_push::encrypt(request.payload.as_bytes(), &p256dh, &auth) {
            Ok(b) => b,
            Err(e) => return PushAnswer::GiveUp(e.to_string()),
        };
        let audience = request.endpoint.origin().ascii_serialization();
        let authorization = self.vapid.authorization(&audience, &self.subject, request.expires_unix);
        let sent = self
            .http
            .post(request.endpoint)
            .header("Content-Encoding", "aes128gcm")
            .header("Content-Type", "application/octet-stream")
            .header("TTL", request.ttl_secs.to_string())
            .header("Urgency", request.urgency)
            .header("Authorization", authorization)
            .body(body)
            .send()
            .await;
        match sent {
            Ok(resp) => answer(resp.status().as_u16()),
            Err(e) if e.is_timeout() => PushAnswer::Retry("timed out".into()),
            Err(e) => PushAnswer::Retry(format!("push service unreachable: {e}")),
        }
    }
}

/// What a push service's status means (RFC 8030 §5, §7.3).
fn answer(status: u16) -> PushAnswer {
    match status {
        200..=299 => PushAnswer::Delivered,
        404 | 410 => PushAnswer::Gone,
        429 | 500..=599 => PushAnswer::Retry(format!("push service answered {status}")),
        _ => PushAnswer::GiveUp(format!("push service answered {status}")),
    }
}

/// The push client's resolver: a name resolves to its public addresses
/// only; a name with none (`localhost`, a name pointing at 127.0.0.1,
/// 10.x, 169.254.169.254, fd00::…) fails to resolve, so no connection is
/// ever opened to it, whatever the subscription said.
pub struct PublicOnly;

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_string();
        Box::pin(async move {
            let addrs = public_addresses(&host).await?;
            let addrs: reqwest::dns::Addrs = Box::new(addrs.into_iter());
            Ok(addrs)
        })
    }
}

/// The public addresses `host` resolves to; an error when it has none.
async fn public_addresses(host: &str) -> Result<Vec<std::net::SocketAddr>, Box<dyn std::error::Error + Send + Sync>> {
    let all: Vec<std::net::SocketAddr> = tokio::net::lookup_host((host, 0)).await?.collect();
    let public: Vec<std::net::SocketAddr> = all.into_iter().filter(|a| net::is_public(a.ip())).collect();
    if public.is_empty() {
        return Err(Box::new(std::io::Error::new(
            std::io::ErrorKind::PermissionDenied,
            "push endpoint resolves to no public address",
        )));
    }
    Ok(public)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_resolver_gives_public_addresses_only() {
        for name in ["localhost", "localhost.", "127.0.0.1", "::1", "::ffff:127.0.0.1"] {
            assert!(public_addresses(name).await.is_err(), "{name}");
        }
        let addrs = public_addresses("8.8.8.8").await.expect("a public address");
        assert_eq!(addrs.len(), 1);
    }

    #[test]
    fn statuses_mean_what_rfc_8030_says() {
        assert_eq!(answer(201), PushAnswer::Delivered);
        assert_eq!(answer(404), PushAnswer::Gone);
        assert_eq!(answer(410), PushAnswer::Gone);
        assert!(matches!(answer(429), PushAnswer::Retry(_)));
        assert!(matches!(answer(503), PushAnswer::Retry(_)));
        assert!(matches!(answer(400), PushAnswer::GiveUp(_)));
        assert!(matches!(answer(413), PushAnswer::GiveUp(_)));
    }
}
