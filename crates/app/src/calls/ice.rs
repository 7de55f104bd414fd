//! The ICE servers of a call (issue 17): where a participant's browser
//! looks for a way through NAT. Configured by `turn_urls` (STUN and TURN
//! URLs, `stun:…`, `turn:…`, `turns:…`), `turn_secret` (shared with the
//! TURN server, coturn's `static-auth-secret`) and `turn_ttl_secs`.
//!
//! Credentials follow the TURN REST scheme (coturn's `use-auth-secret`):
//! the username is `<expiry, Unix seconds>:<opaque id>` and the credential
//! `base64(HMAC-SHA1(secret, username))`; the TURN server checks them
//! without asking Cercle, and refuses them after the expiry. The opaque id
//! is random (it names neither the person nor the call). Without URLs the
//! list is empty: browsers use their host candidates only (a LAN, tests).
//! Only the people in the call get them.

use super::{load, refused};
use crate::threads::access::me;
use crate::{AppResult, Ctx};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use cercle_domain::policy::calls::{self as policy, CallAction};
use cercle_domain::policy::Principal;
use cercle_domain::CallId;
use hmac::{Hmac, Mac};
use serde::Serialize;

/// Default lifetime of TURN credentials (`turn_ttl_secs`): long enough for
/// a consultation, short enough that a leaked one soon stops working.
pub const DEFAULT_TURN_TTL_SECS: i64 = 3600;

/// STUN/TURN settings (`turn_urls`, `turn_secret`, `turn_ttl_secs`).
#[derive(Clone, Default)]
pub struct TurnSettings {
    pub urls: Vec<String>,
    /// The secret shared with the TURN server; never logged.
    pub secret: Option<String>,
    pub ttl_secs: i64,
}

impl std::fmt::Debug for TurnSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TurnSettings")
            .field("urls", &self.urls)
            .field("secret", &self.secret.as_ref().map(|_| "****"))
            .field("ttl_secs", &self.ttl_secs)
            .finish()
    }
}

/// One ICE server as `RTCPeerConnection`'s `iceServers` takes it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct IceServer {
    pub urls: Vec<String>,
    /// `<expiry>:<opaque id>` (TURN REST credentials), with a secret only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credential: Option<String>,
}

/// The ICE servers of a call for one participant.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct IceServers {
    /// Empty without configuration: host candidates only.
    pub ice_servers: Vec<IceServer>,
    /// When the credentials expire (Unix seconds); null without them.
    pub expires_at: Option<i64>,
}

/// The TURN REST credential of `username`: base64(HMAC-SHA1(secret, username)).
pub fn turn_credential(secret: &str, username: &str) -> String {
    #[allow(clippy::expect_used)]
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(username.as_bytes());
    STANDARD.encode(mac.finalize().into_bytes())
}

/// The servers to hand out at `now_secs` (Unix seconds).
pub fn servers(turn: &TurnSettings, now_secs: i64) -> IceServers {
    if turn.urls.is_empty() {
        return IceServers {
            ice_servers: Vec::new(),
            expires_at: None,
        };
    }
    match turn.secret.as_deref().filter(|s| !s.is_empty()) {
        Some(secret) => {
            let expiry = now_secs + turn.ttl_secs.max(60);
            let opaque = hex(&crate::secrets::random_bytes::<9>());
            let username = format!("{expiry}:{opaque}");
            let credential = turn_credential(secret, &username);
            IceServers {
                ice_servers: vec![IceServer {
                    urls: turn.urls.clone(),
                    username: Some(username),
                    credential: Some(credential),
                }],
                expires_at: Some(expiry),
            }
        }
        // STUN only (or a TURN server without credentials).
        None => IceServers {
            ice_servers: vec![IceServer {
                urls: turn.urls.clone(),
                username: None,
                credential: None,
            }],
            expires_at: None,
        },
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The call's ICE servers, for someone in it.
pub async fn ice_servers(ctx: &Ctx, principal: &Principal, call_id: CallId) -> AppResult<IceServers> {
    let me = me(principal)?;
    let l = {
        let mut conn = ctx.store.reader().await?;
        load(&mut conn, me.user_id, call_id).await?
    };
    policy::decide(l.standing, l.in_call(me.user_id), CallAction::IceServers).map_err(refused(ctx))?;
    Ok(servers(&ctx.config.turn, ctx.clock.now().0 / 1000))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_follow_the_turn_rest_scheme() {
        // HMAC-SHA1("secret", "1700000000:abc"), base64, checked with
        // `printf %s 1700000000:abc | openssl dgst -sha1 -hmac secret -binary | base64`.
        let c = turn_credential("secret", "1700000000:abc");
        assert_eq!(c, "JHgegmW+/B84iarkT5SFAOC1Iqw=");
        assert_ne!(c, turn_credential("other", "1700000000:abc"));
        let turn = TurnSettings {
            urls: vec!["turn:turn.example:3478".into()],
            secret: Some("s3cret".into()),
            ttl_secs: 600,
        };
        let s = servers(&turn, 1_000);
        assert_eq!(s.expires_at, Some(1_600));
        let server = &s.ice_servers[0];
        let username = server.username.clone().unwrap_or_default();
        assert!(username.starts_with("1600:"), "{username}");
        assert_eq!(
            server.credential.as_deref(),
            Some(turn_credential("s3cret", &username).as_str())
        );
        assert!(!format!("{turn:?}").contains("s3cret"), "the secret is never printed");
    }

    #[test]
    fn without_configuration_host_candidates_only() {
        let s = servers(&TurnSettings::default(), 1_000);
        assert!(s.ice_servers.is_empty());
        let stun = TurnSettings {
            urls: vec!["stun:stun.example:3478".into()],
            secret: None,
            ttl_secs: 600,
        };
        let s = servers(&stun, 1_000);
        assert_eq!(s.ice_servers.len(), 1);
        assert!(s.ice_servers[0].username.is_none());
    }
}
