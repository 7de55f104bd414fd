//! Web Push (SPEC 9): browsers subscribe with the server's VAPID key; a
//! notification is encrypted per subscription (RFC 8291) and posted to the
//! push service with a VAPID authorization (RFC 8292). A push service that
//! hangs never blocks: every request is bounded by a timeout and a delivery
//! that failed is retried later with back-off by the worker; a subscription
//! the push service says is gone (404, 410) is removed.
//!
//! Payloads never carry patient data: callers pass a generic title and body
//! ("New message in a clinical thread") and a path within Cercle.
//!
//! Reaching a push service is the [`PushSender`] port's job (HTTP in
//! `adapters::push_http`, chosen when the context is built): this module
//! decides what to send, to whom, and what an answer means (delivered, gone,
//! to retry), never how it travels. The Web Push encoding (RFC 8291
//! encryption, VAPID keys) is plain computation, in [`web_push`].

pub mod web_push;

use crate::acting::{limit, person};
use crate::{audit, AppError, AppResult, Client, Ctx};
use async_trait::async_trait;
use cercle_domain::audit::{Actor, AuditAction, NewAuditEvent};
use cercle_domain::policy::Principal;
use cercle_domain::{net, InputError, PushDeliveryId, PushSubscriptionId, Timestamp, UserId};
use cercle_store::push::{self as store, DeliveryRow};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;
pub use web_push::VapidKey;

/// Subscriptions one person may hold (browsers and devices).
pub const MAX_SUBSCRIPTIONS: usize = 20;
/// Deliveries waiting for one subscription; beyond, new ones are dropped.
pub const MAX_PENDING_PER_SUBSCRIPTION: i64 = 20;
/// Attempts before a delivery is given up.
pub const MAX_ATTEMPTS: i64 = 8;
/// Subscribing and unsubscribing per person and hour.
pub const CHANGES_PER_HOUR: i64 = 60;
const MAX_ENDPOINT_LEN: usize = 1024;
const MAX_P256DH_LEN: usize = 100;
const MAX_AUTH_LEN: usize = 32;
/// Deliveries the worker takes per round.
const WORKER_BATCH: i64 = 50;

/// How Cercle reaches push services: its VAPID identity and the bounds
/// every sender keeps.
#[derive(Clone)]
pub struct PushSettings {
    pub vapid: Arc<VapidKey>,
    /// The VAPID `sub` claim: a `mailto:` or the public URL.
    pub subject: String,
    /// Bound on one request to a push service (connect and total).
    pub timeout: Duration,
    /// Accept `http://` endpoints and endpoints on local or private
    /// addresses: only for a push service on this machine (the tests), and
    /// only when the configuration says so (`push_allow_local`, refused in
    /// production). Otherwise an endpoint must be `https://` on a public
    /// address, checked on the URL here and again by the sender on every
    /// address its name resolves to when connecting.
    pub allow_local: bool,
}

impl std::fmt::Debug for PushSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PushSettings")
            .field("vapid", &self.vapid)
            .field("subject", &self.subject)
            .field("timeout", &self.timeout)
            .field("allow_local", &self.allow_local)
            .finish()
    }
}

impl PushSettings {
    pub fn new(vapid: VapidKey, subject: String, timeout: Duration, allow_local: bool) -> Self {
        PushSettings {
            vapid: Arc::new(vapid),
            subject,
            timeout,
            allow_local,
        }
    }

    /// The same settings with another timeout (tests of a hanging service).
    pub fn with_timeout(&self, timeout: Duration) -> Self {
        PushSettings {
            timeout,
            ..self.clone()
        }
    }
}

/// One notification for one subscription, as the use case hands it to the
/// [`PushSender`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushRequest {
    /// The subscription's endpoint, checked just before ([`parse_endpoint`]).
    pub endpoint: url::Url,
    /// The subscription's keys as stored (base64url): the sender encrypts
    /// for them.
    pub p256dh: String,
    pub auth: String,
    /// The notification (JSON), not yet encrypted.
    pub payload: String,
    /// How long the push service keeps it for an offline device.
    pub ttl_secs: i64,
    /// How soon to deliver ([`Urgency::as_str`]).
    pub urgency: String,
    /// Until when the sender's authorization (VAPID) holds, Unix seconds.
    pub expires_unix: i64,
}

/// What became of one attempt, as the use case acts on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PushAnswer {
    /// The push service took it.
    Delivered,
    /// The subscription is gone (the browser unsubscribed): it is removed.
    Gone,
    /// Try again later (timed out, unreachable, the service overloaded).
    Retry(String),
    /// Never worth trying again (refused, unreadable keys).
    GiveUp(String),
}

/// The port through which notifications reach push services.
#[async_trait]
pub trait PushSender: Send + Sync + 'static {
    /// One attempt; never longer than the settings' timeout.
    async fn send(&self, request: PushRequest) -> PushAnswer;
}

/// What a browser's `PushSubscription.toJSON()` gives.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct SubscriptionInput {
    pub endpoint: String,
    pub keys: SubscriptionKeys,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct SubscriptionKeys {
    pub p256dh: String,
    pub auth: String,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct UnsubscribeInput {
    pub endpoint: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SubscriptionView {
    pub id: String,
    /// The push service's host, to tell one's browsers apart.
    pub service: String,
    pub created_at: i64,
    pub last_success_at: Option<i64>,
}

fn invalid() -> AppError {
    AppError::Input(InputError::PushSubscriptionInvalid)
}

/// Whether an endpoint's host is local or private as written: an address
/// literal that is not public (IPv4-mapped IPv6 forms included; a literal
/// never goes through the resolver), or a `localhost` name.
fn host_is_private(url: &url::Url) -> bool {
    match url.host() {
        None => true,
        Some(url::Host::Ipv4(ip)) => !net::is_public(std::net::IpAddr::V4(ip)),
        Some(url::Host::Ipv6(ip)) => !net::is_public(std::net::IpAddr::V6(ip)),
        Some(url::Host::Domain(name)) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            name.is_empty() || name == "localhost" || name.ends_with(".localhost")
        }
    }
}

/// Checks an endpoint: an `https://` URL of a public host (`http://` and
/// local hosts too when `allow_local`), no credentials, bounded length.
pub fn parse_endpoint(endpoint: &str, allow_local: bool) -> AppResult<url::Url> {
    if endpoint.is_empty() || endpoint.len() > MAX_ENDPOINT_LEN {
        return Err(invalid());
    }
    let url = url::Url::parse(endpoint).map_err(|_| invalid())?;
    let scheme_ok = match url.scheme() {
        "https" => true,
        "http" => allow_local,
        _ => false,
    };
    if !scheme_ok || !url.username().is_empty() || url.password().is_some() || url.host().is_none() {
        return Err(invalid());
    }
    if !allow_local && host_is_private(&url) {
        return Err(invalid());
    }
    Ok(url)
}

/// Refuses, when subscribing, an endpoint whose name resolves only to
/// local or private addresses. A name that does not resolve now is let
/// through: the resolver checks again at every delivery.
async fn check_resolved(url: &url::Url, allow_local: bool) -> AppResult<()> {
    let Some(url::Host::Domain(name)) = url.host() else {
        return Ok(());
    };
    if allow_local {
        return Ok(());
    }
    let all = match tokio::time::timeout(Duration::from_secs(2), tokio::net::lookup_host((name, 0))).await {
        Ok(Ok(addrs)) => addrs.collect::<Vec<_>>(),
        _ => return Ok(()),
    };
    if !all.is_empty() && !all.iter().any(|a| net::is_public(a.ip())) {
        return Err(invalid());
    }
    Ok(())
}

/// Checks the subscription's keys: `p256dh` an uncompressed P-256 point,
/// `auth` 16 bytes, both base64url.
fn parse_keys(keys: &SubscriptionKeys) -> AppResult<(String, String)> {
    let p256dh = keys.p256dh.trim();
    let auth = keys.auth.trim();
    if p256dh.len() > MAX_P256DH_LEN || auth.len() > MAX_AUTH_LEN {
        return Err(invalid());
    }
    let point = web_push::unb64(p256dh).ok_or_else(invalid)?;
    web_push::parse_public_key(&point).map_err(|_| invalid())?;
    let secret = web_push::unb64(auth).ok_or_else(invalid)?;
    if secret.len() != web_push::AUTH_LEN {
        return Err(invalid());
    }
    Ok((web_push::b64(&point), web_push::b64(&secret)))
}

fn event(user: UserId, name: &'static str, action: AuditAction, client: &Client) -> NewAuditEvent {
    NewAuditEvent::new(Actor::User(user), name, action, "push_subscription")
        .target(user)
        .ip(client.ip.clone())
}

fn view(r: &store::SubscriptionRow) -> SubscriptionView {
    let service = url::Url::parse(&r.endpoint)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_default();
    SubscriptionView {
        id: r.id.to_string(),
        service,
        created_at: r.created_at,
        last_success_at: r.last_success_at,
    }
}

/// The key browsers subscribe with (`applicationServerKey`).
pub fn vapid_public_key(ctx: &Ctx) -> String {
    ctx.push.vapid.public_key_b64()
}

/// One's push subscriptions.
pub async fn subscriptions(ctx: &Ctx, principal: &Principal) -> AppResult<Vec<SubscriptionView>> {
    let me = person(principal)?;
    let mut conn = ctx.store.reader().await?;
    let rows = store::subscriptions_of(&mut conn, me.user_id).await?;
    Ok(rows.iter().map(view).collect())
}

/// Subscribes this browser (or refreshes its keys); at most
/// [`MAX_SUBSCRIPTIONS`] per person.
pub async fn subscribe(
    ctx: &Ctx,
    client: &Client,
    principal: &Principal,
    input: &SubscriptionInput,
) -> AppResult<SubscriptionView> {
    let me = person(principal)?;
    let user_id = me.user_id;
    let endpoint = parse_endpoint(input.endpoint.trim(), ctx.push.allow_local)?;
    check_resolved(&endpoint, ctx.push.allow_local).await?;
    let (p256dh, auth) = parse_keys(&input.keys)?;
    limit(ctx, "push-subscription", &user_id.to_string(), CHANGES_PER_HOUR, 3600).await?;
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    let existing = store::find(&mut tx, user_id, endpoint.as_str()).await?;
    if existing.is_none() && store::subscriptions_of(&mut tx, user_id).await?.len() >= MAX_SUBSCRIPTIONS {
        return Err(AppError::Conflict("push-too-many-subscriptions"));
    }
    let id = store::upsert(
        &mut tx,
        PushSubscriptionId::new(),
        user_id,
        endpoint.as_str(),
        &p256dh,
        &auth,
        now,
    )
    .await?;
    let (name, action) = if existing.is_some() {
        ("push.subscription_renewed", AuditAction::Update)
    } else {
        ("push.subscribed", AuditAction::Create)
    };
    audit::record(
        &mut tx,
        event(me.user_id, name, action, client).scope("subscription", id),
        now,
    )
    .await?;
    let row = store::find(&mut tx, user_id, endpoint.as_str())
        .await?
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(view(&row))
}

/// Unsubscribes one of one's browsers, named by its endpoint.
pub async fn unsubscribe(ctx: &Ctx, client: &Client, principal: &Principal, input: &UnsubscribeInput) -> AppResult<()> {
    let me = person(principal)?;
    let user_id = me.user_id;
    let endpoint = input.endpoint.trim();
    if endpoint.is_empty() || endpoint.len() > MAX_ENDPOINT_LEN {
        return Err(invalid());
    }
    limit(ctx, "push-subscription", &user_id.to_string(), CHANGES_PER_HOUR, 3600).await?;
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    let Some(row) = store::find(&mut tx, user_id, endpoint).await? else {
        return Err(AppError::NotFound);
    };
    store::remove(&mut tx, user_id, endpoint).await?;
    audit::record(
        &mut tx,
        event(me.user_id, "push.unsubscribed", AuditAction::Delete, client).scope("subscription", row.id),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// How soon the push service should deliver (RFC 8030 §5.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Urgency {
    VeryLow,
    Low,
    #[default]
    Normal,
    High,
}

impl Urgency {
    pub fn as_str(self) -> &'static str {
        match self {
            Urgency::VeryLow => "very-low",
            Urgency::Low => "low",
            Urgency::Normal => "normal",
            Urgency::High => "high",
        }
    }
}

/// A notification as the service worker shows it. Generic words only: never
/// patient data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushMessage {
    pub title: String,
    pub body: String,
    /// A path within Cercle (`/threads/…`), opened on click.
    pub url: String,
    /// Notifications with the same tag replace each other on the device.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    #[serde(skip)]
    pub urgency: Urgency,
    /// How long the push service keeps it for an offline device.
    #[serde(skip)]
    pub ttl_secs: i64,
}

impl PushMessage {
    pub fn new(title: impl Into<String>, body: impl Into<String>, url: impl Into<String>) -> Self {
        PushMessage {
            title: title.into(),
            body: body.into(),
            url: url.into(),
            tag: None,
            urgency: Urgency::Normal,
            ttl_secs: 24 * 3600,
        }
    }

    fn payload(&self) -> AppResult<String> {
        // Only a path of this site: a notification never opens elsewhere.
        if !is_local_path(&self.url) {
            return Err(AppError::Internal("push url must be a local path".into()));
        }
        let json = serde_json::to_string(self).map_err(|e| AppError::Internal(e.to_string()))?;
        if json.len() > web_push::MAX_PLAINTEXT {
            return Err(AppError::Internal("push payload too long".into()));
        }
        Ok(json)
    }
}

/// A path within this site (`/threads/…`): not another site's address, not
/// a protocol-relative `//host` nor a backslash browsers read as one.
pub fn is_local_path(url: &str) -> bool {
    url.starts_with('/') && !url.starts_with("//") && !url.contains('\\')
}

/// What became of a send.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SendReport {
    pub delivered: usize,
    /// Subscriptions removed because the push service said they are gone.
    pub removed: usize,
    /// Deliveries that failed and wait for a retry.
    pub retrying: usize,
    /// Deliveries given up, or not queued (queue full).
    pub dropped: usize,
}

/// Sends `message` to every browser the person subscribed. Each delivery is
/// queued (claimed) then attempted at once, all in parallel, each bounded by
/// the push timeout; failures stay queued for the worker to retry.
pub async fn send(ctx: &Ctx, user_id: UserId, message: &PushMessage) -> AppResult<SendReport> {
    let payload = message.payload()?;
    let ttl = message.ttl_secs.clamp(0, 28 * 24 * 3600);
    let now = ctx.clock.now();
    let lease = lease_until(ctx, now);
    let mut report = SendReport::default();
    let mut ids = Vec::new();
    let mut tx = ctx.store.begin().await?;
    for sub in store::subscriptions_of(&mut tx, user_id).await? {
        if store::pending_count(&mut tx, sub.id).await? >= MAX_PENDING_PER_SUBSCRIPTION {
            report.dropped += 1;
            continue;
        }
        let id = PushDeliveryId::new();
        store::enqueue_claimed(&mut tx, id, sub.id, &payload, ttl, message.urgency.as_str(), now, lease).await?;
        ids.push(id);
    }
    let mut rows = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(row) = store::delivery(&mut tx, id).await? {
            rows.push(row);
        }
    }
    tx.commit().await?;
    deliver_rows(ctx, rows, &mut report).await?;
    Ok(report)
}

fn lease_until(ctx: &Ctx, now: Timestamp) -> Timestamp {
    // Longer than one attempt, so that no other node takes it meanwhile.
    now.plus_secs(ctx.push.timeout.as_secs() as i64 * 2 + 30)
}

/// Back-off after the n-th failed attempt: 30 s, 1 min, 2 min… at most 1 h.
pub fn backoff_secs(attempts: i64) -> i64 {
    let shift = attempts.clamp(1, 8) - 1;
    (30i64 << shift).min(3600)
}

/// Attempts the deliveries that are due (the worker's round); returns what
/// became of them.
pub async fn deliver_due(ctx: &Ctx) -> AppResult<SendReport> {
    let now = ctx.clock.now();
    let due = {
        let mut conn = ctx.store.reader().await?;
        store::due(&mut conn, now, WORKER_BATCH).await?
    };
    let mut report = SendReport::default();
    let mut claimed = Vec::new();
    for row in due {
        if now.0 >= row.expires_at || row.attempts >= MAX_ATTEMPTS {
            let mut tx = ctx.store.begin().await?;
            store::remove_delivery(&mut tx, row.id).await?;
            tx.commit().await?;
            report.dropped += 1;
            continue;
        }
        let mut tx = ctx.store.begin().await?;
        let ok = store::claim(&mut tx, row.id, now, lease_until(ctx, now)).await?;
        tx.commit().await?;
        if ok {
            claimed.push(DeliveryRow {
                attempts: row.attempts + 1,
                ..row
            });
        }
    }
    deliver_rows(ctx, claimed, &mut report).await?;
    Ok(report)
}

async fn deliver_rows(ctx: &Ctx, rows: Vec<DeliveryRow>, report: &mut SendReport) -> AppResult<()> {
    let mut set = tokio::task::JoinSet::new();
    for row in rows {
        let sender = ctx.push_sender.clone();
        let allow_local = ctx.push.allow_local;
        let timeout = ctx.push.timeout;
        let exp = ctx.clock.now().0 / 1000 + 12 * 3600;
        set.spawn(async move {
            // Bounded even if the sender's own timeouts did not fire.
            let answer = match tokio::time::timeout(
                timeout + Duration::from_secs(1),
                attempt(&*sender, allow_local, &row, exp),
            )
            .await
            {
                Ok(a) => a,
                Err(_) => PushAnswer::Retry("timed out".into()),
            };
            (row, answer)
        });
    }
    while let Some(joined) = set.join_next().await {
        let Ok((row, answer)) = joined else { continue };
        settle(ctx, &row, answer, report).await?;
    }
    Ok(())
}

async fn attempt(sender: &dyn PushSender, allow_local: bool, row: &DeliveryRow, exp: i64) -> PushAnswer {
    // Checked again at each attempt (a row may predate a stricter rule); an
    // address literal never reaches the sender's resolver, so this is its check.
    let Ok(endpoint) = parse_endpoint(&row.endpoint, allow_local) else {
        return PushAnswer::GiveUp("endpoint refused".into());
    };
    sender
        .send(PushRequest {
            endpoint,
            p256dh: row.p256dh.clone(),
            auth: row.auth.clone(),
            payload: row.payload.clone(),
            ttl_secs: row.ttl_secs,
            urgency: row.urgency.clone(),
            expires_unix: exp,
        })
        .await
}

async fn settle(ctx: &Ctx, row: &DeliveryRow, answer: PushAnswer, report: &mut SendReport) -> AppResult<()> {
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    match answer {
        PushAnswer::Delivered => {
            store::remove_delivery(&mut tx, row.id).await?;
            store::mark_success(&mut tx, row.subscription_id, now).await?;
            report.delivered += 1;
        }
        PushAnswer::Gone => {
            let n = store::remove_endpoint(&mut tx, &row.endpoint).await?;
            audit::record(
                &mut tx,
                NewAuditEvent::new(
                    Actor::System,
                    "push.subscription_gone",
                    AuditAction::Delete,
                    "push_subscription",
                )
                .target(row.subscription_id),
                now,
            )
            .await?;
            report.removed += n as usize;
        }
        PushAnswer::Retry(error) if row.attempts < MAX_ATTEMPTS && now.0 < row.expires_at => {
            tracing::info!(delivery = %row.id, attempts = row.attempts, %error, "push delivery to retry");
            store::retry_at(&mut tx, row.id, &error, now.plus_secs(backoff_secs(row.attempts))).await?;
            report.retrying += 1;
        }
        PushAnswer::Retry(error) | PushAnswer::GiveUp(error) => {
            tracing::warn!(delivery = %row.id, attempts = row.attempts, %error, "push delivery given up");
            store::remove_delivery(&mut tx, row.id).await?;
            report.dropped += 1;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// Delivers due retries every few seconds until shutdown.
pub async fn run_worker(ctx: Ctx, mut shutdown: tokio::sync::watch::Receiver<bool>) {
    loop {
        if *shutdown.borrow() {
            return;
        }
        if let Err(e) = deliver_due(&ctx).await {
            tracing::warn!(error = %e, "push worker round failed");
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(5)) => {}
            _ = shutdown.changed() => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_are_checked() {
        assert!(parse_endpoint("https://fcm.googleapis.com/fcm/send/abc", false).is_ok());
        assert!(parse_endpoint("http://push.example.net/x", false).is_err());
        assert!(parse_endpoint("http://127.0.0.1:9/x", true).is_ok());
        assert!(parse_endpoint("https://127.0.0.1/x", false).is_err());
        assert!(parse_endpoint("https://10.1.2.3/x", false).is_err());
        assert!(parse_endpoint("https://localhost/x", false).is_err());
        assert!(parse_endpoint("https://localhost./x", false).is_err());
        assert!(parse_endpoint("https://push.LOCALHOST/x", false).is_err());
        assert!(parse_endpoint("https://[::ffff:127.0.0.1]/x", false).is_err());
        assert!(parse_endpoint("https://[::ffff:7f00:1]/x", false).is_err());
        assert!(parse_endpoint("https://[::1]/x", false).is_err());
        assert!(parse_endpoint("https://[fd00::1]/x", false).is_err());
        assert!(parse_endpoint("https://[fe80::1]/x", false).is_err());
        assert!(parse_endpoint("https://169.254.169.254/x", false).is_err());
        assert!(parse_endpoint("https://100.64.0.1/x", false).is_err());
        assert!(parse_endpoint("https://2130706433/x", false).is_err());
        assert!(parse_endpoint("https://0x7f.1/x", false).is_err());
        assert!(parse_endpoint("https://8.8.8.8/x", false).is_ok());
        assert!(parse_endpoint("https://u:p@push.example.net/x", false).is_err());
        assert!(parse_endpoint("ftp://push.example.net/x", true).is_err());
        assert!(parse_endpoint("not a url", true).is_err());
        let long = format!("https://push.example.net/{}", "a".repeat(MAX_ENDPOINT_LEN));
        assert!(parse_endpoint(&long, false).is_err());
    }

    #[tokio::test]
    async fn subscribing_checks_what_the_name_resolves_to() {
        // (`parse_endpoint` refuses `localhost` by name already; the
        // resolution check alone refuses it too.)
        assert!(check_resolved(&url::Url::parse("https://localhost/x").unwrap(), false)
            .await
            .is_err());
        assert!(check_resolved(&url::Url::parse("https://localhost/x").unwrap(), true)
            .await
            .is_ok());
        // A name that does not resolve is left to the resolver at delivery.
        assert!(
            check_resolved(&url::Url::parse("https://nowhere.invalid/x").unwrap(), false)
                .await
                .is_ok()
        );
    }

    #[test]
    fn keys_are_checked() {
        let good = SubscriptionKeys {
            p256dh: "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4".into(),
            auth: "BTBZMqHH6r4Tts7J_aSIgg".into(),
        };
        assert!(parse_keys(&good).is_ok());
        let padded = SubscriptionKeys {
            auth: "BTBZMqHH6r4Tts7J_aSIgg==".into(),
            ..good.clone()
        };
        assert_eq!(
            parse_keys(&padded).ok().map(|k| k.1),
            Some("BTBZMqHH6r4Tts7J_aSIgg".into())
        );
        let short_auth = SubscriptionKeys {
            auth: "BTBZMqHH6r4Tts7J".into(),
            ..good.clone()
        };
        assert!(parse_keys(&short_auth).is_err());
        let off_curve = SubscriptionKeys {
            p256dh: web_push::b64(&[4u8; 65]),
            ..good.clone()
        };
        assert!(parse_keys(&off_curve).is_err());
        let huge = SubscriptionKeys {
            p256dh: "A".repeat(500),
            ..good
        };
        assert!(parse_keys(&huge).is_err());
    }

    #[test]
    fn backoff_grows_and_is_bounded() {
        assert_eq!(backoff_secs(1), 30);
        assert_eq!(backoff_secs(2), 60);
        assert_eq!(backoff_secs(3), 120);
        assert_eq!(backoff_secs(20), 3600);
    }

    #[test]
    fn payload_is_a_local_path_and_bounded() {
        let m = PushMessage::new("New message", "New message in a clinical thread", "/threads/1");
        let p = m.payload().unwrap_or_default();
        assert!(p.contains("\"url\":\"/threads/1\""));
        assert!(!p.contains("urgency"));
        assert!(PushMessage::new("a", "b", "https://evil.example").payload().is_err());
        assert!(PushMessage::new("a", "b", "//evil.example").payload().is_err());
        assert!(PushMessage::new("a", "b".repeat(5000), "/").payload().is_err());
    }
}
