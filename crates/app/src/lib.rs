//! Cercle's use cases: one function per user action. Each takes the acting
//! principal (or, before sign-in, the client), asks the policy, does its work
//! in one transaction and writes the audit record in that same transaction.
//! The web pages, the JSON API and the CLI all call these; none goes around.

pub mod accounts;
pub mod acting;
pub mod adapters;
pub mod admin;
pub mod audit;
pub mod availability;
pub mod blobs;
pub mod bus;
pub mod calls;
pub mod demo;
pub mod emr;
pub mod error;
pub mod fhir;
pub mod flights;
pub mod home;
pub mod idempotency;
pub mod network;
pub mod notifications;
pub mod org_scope;
pub mod orgs;
pub mod outbox;
pub mod patients;
pub mod push;
pub mod search_index;
pub mod secrets;
pub mod service_accounts;
pub mod teams;
pub mod telemetry;
pub mod texts;
pub mod threads;
pub mod time_zones;

use cercle_domain::Clock;
use cercle_store::Store;
use std::sync::Arc;

pub use error::{AppError, AppResult};

/// Settings the services read.
#[derive(Debug, Clone)]
pub struct AppConfig {
    /// The address people reach Cercle at, for links in emails.
    pub public_url: String,
    /// Production mode: no development outbox, bodies dropped once sent.
    pub production: bool,
    /// Automatic lock after this many idle seconds (the organization's
    /// "automatic logoff"; network default until organizations set theirs).
    pub idle_lock_secs: i64,
    /// Messages one person may post per minute on this node (flood limit).
    pub messages_per_minute: i64,
    /// The most people in one call at once.
    pub call_max_participants: usize,
    /// A call still ringing (nobody but its starter joined) this long ends
    /// as unanswered.
    pub call_ring_timeout_secs: i64,
    /// A participant whose client sent no heartbeat for this long is marked
    /// gone (connection lost).
    pub call_presence_timeout_secs: i64,
    /// STUN/TURN servers handed to call participants, with TURN REST
    /// credentials when a secret is set (`turn_urls`, `turn_secret`,
    /// `turn_ttl_secs`).
    pub turn: calls::ice::TurnSettings,
    /// Notifications: the default email-alert delay and the follow-up of
    /// high-priority messages.
    pub notifications: notifications::NotifySettings,
    /// Outbox retries: window, back-off cap, bound of one attempt.
    pub mail: outbox::MailSettings,
}

impl Default for AppConfig {
    fn default() -> Self {
        AppConfig {
            public_url: "http://127.0.0.1:8080".into(),
            production: false,
            idle_lock_secs: 15 * 60,
            messages_per_minute: threads::service::DEFAULT_MESSAGES_PER_MINUTE,
            call_max_participants: calls::DEFAULT_MAX_PARTICIPANTS,
            call_ring_timeout_secs: calls::DEFAULT_RING_TIMEOUT_SECS,
            call_presence_timeout_secs: calls::DEFAULT_PRESENCE_TIMEOUT_SECS,
            turn: calls::ice::TurnSettings {
                ttl_secs: calls::ice::DEFAULT_TURN_TTL_SECS,
                ..Default::default()
            },
            notifications: notifications::NotifySettings::default(),
            mail: outbox::MailSettings::default(),
        }
    }
}

/// Everything a service needs, passed explicitly.
#[derive(Clone)]
pub struct Ctx {
    pub store: Store,
    pub clock: Arc<dyn Clock>,
    pub mailer: Arc<dyn outbox::Mailer>,
    pub sms: Arc<dyn outbox::SmsSender>,
    pub key: secrets::ServerKey,
    pub hasher: secrets::Hasher,
    pub config: AppConfig,
    /// Wakes the outbox worker after a commit that queued a message.
    pub outbox_wake: Arc<tokio::sync::Notify>,
    /// Wakes the notification worker after a commit that recorded some.
    pub notify_wake: Arc<tokio::sync::Notify>,
    /// How many rounds the notification worker of this node has finished:
    /// the tests wait for the next one to end instead of sleeping.
    pub notify_rounds: Arc<tokio::sync::watch::Sender<u64>>,
    /// Hands committed thread events to this node's open connections.
    pub hub: Arc<threads::hub::Hub>,
    /// The language of the account behind a bearer token, kept by this node
    /// for a minute ([`accounts::languages`]).
    pub languages: Arc<accounts::languages::Languages>,
    /// How the nodes tell each other about events (chosen once, at start).
    pub bus: Arc<dyn bus::Bus>,
    /// Web Push: the VAPID key and the bounds of a delivery.
    pub push: push::PushSettings,
    /// Reaches push services (HTTP in production, built once with the
    /// context; tests may put a fake in its place).
    pub push_sender: Arc<dyn push::PushSender>,
    /// Where attachments' files are kept (the local disk; object storage
    /// next), encrypted ([`blobs`]).
    pub blobs: Arc<dyn blobs::BlobStore>,
    /// This node's selective forwarding unit of calls
    /// ([`calls::forwarding`]; none unless `sfu_enabled`).
    pub forwarding: Arc<dyn calls::forwarding::Forwarding>,
    /// This node's id (random, for the life of the process) and the call
    /// signals it routed to the node whose unit holds their call
    /// ([`calls::route`]).
    pub unit_route: Arc<calls::route::Router>,
}

impl Ctx {
    /// Commits a transaction that queued email, SMS or notifications and
    /// wakes the workers.
    pub async fn commit_and_send(&self, tx: cercle_store::Tx) -> AppResult<()> {
        tx.commit().await?;
        self.outbox_wake.notify_one();
        self.notify_wake.notify_one();
        // A notification written with it reaches its person's pages now
        // (the event dispatcher would otherwise find it within 500 ms).
        self.bus.committed().await;
        Ok(())
    }
}

/// The client a request comes from, as far as the services care.
#[derive(Debug, Clone, Default)]
pub struct Client {
    pub ip: Option<String>,
    /// A short description of the device ("Firefox on Linux"), shown in the
    /// list of sessions.
    pub label: String,
    /// The request's `Idempotency-Key`, claimed by the service in the
    /// transaction of its work ([`idempotency::claim_in`]).
    pub idempotency: Option<idempotency::Claim>,
}
