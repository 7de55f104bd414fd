//! The event bus: how the nodes of one Cercle tell each other that something
//! happened, by topic (a thread, a person, an organization, a call).
//!
//! Three kinds of messages travel on it:
//! - **durable wake-ups**: events were appended to the event log and
//!   committed. The log is the source of truth (ordered by id, kept across
//!   restarts); the wake-up only says "read the log past the last id you
//!   handed out". It is published in the transaction that appended the
//!   events ([`Bus::durable_in`]) when the transport can deliver at commit,
//!   and after the commit on the committing node ([`Bus::committed`]);
//! - **ephemeral signals** (typing; later a call ringing): not stored, lost
//!   if nobody listens;
//! - **access changes** on a person's topic: their sessions or reach
//!   changed, their open connections check again.
//!
//! A [`Delivery::Resync`] tells a subscriber that messages may have been lost
//! (a dropped connection, a subscriber too slow): it reads the log again and
//! checks every access again. Every transport may lose messages; none may
//! make a subscriber miss that it lost some.
//!
//! The implementation is chosen once, at start ([`for_store`]); services only
//! see `Arc<dyn Bus>` in the [`crate::Ctx`]. Three exist: in-process,
//! PostgreSQL `LISTEN/NOTIFY` and NATS ([`nats`]).

pub mod nats;
pub mod postgres;

use crate::AppResult;
use async_trait::async_trait;
use cercle_store::{Backend, Conn, Store};
use std::sync::Arc;
use tokio::sync::broadcast;

/// What a message is about (a thread, a person, an organization, a call).
pub use cercle_domain::events::Topic;

/// An ephemeral signal: not stored, delivered to whoever listens now.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Signal {
    pub topic: Topic,
    /// What happened ("typing").
    #[serde(rename = "type")]
    pub kind: String,
    pub data: serde_json::Value,
}

/// What a subscriber receives.
#[derive(Debug, Clone, PartialEq)]
pub enum Delivery {
    /// Durable events were committed: read the log after the last id seen.
    /// Not tied to a topic: the log entries say what they are about.
    Committed,
    Signal(Arc<Signal>),
    /// This person's sessions or reach changed (their topic).
    AccessChanged(Arc<str>),
    /// Messages may have been lost: read the log and check access again.
    Resync,
}

impl Delivery {
    /// The topic a delivery is about; `None` for those every subscriber gets.
    fn topic(&self) -> Option<Topic> {
        match self {
            Delivery::Signal(s) => Some(s.topic),
            // Not a person's id: it concerns no topic, everyone gets it.
            Delivery::AccessChanged(p) => p.parse().ok().map(Topic::Person),
            Delivery::Committed | Delivery::Resync => None,
        }
    }
}

/// Which topics a subscriber follows. Wake-ups and resyncs reach everyone.
#[derive(Debug, Clone)]
pub enum Filter {
    /// Every topic: a node's dispatcher, which fans out to connections.
    All,
    Topics(Vec<Topic>),
}

/// A subscription of this node to the bus.
pub struct Subscription {
    rx: broadcast::Receiver<Delivery>,
    filter: Filter,
}

impl Subscription {
    fn wants(&self, d: &Delivery) -> bool {
        match (&self.filter, d.topic()) {
            (Filter::All, _) | (_, None) => true,
            (Filter::Topics(topics), Some(t)) => topics.contains(&t),
        }
    }

    /// The next delivery for this subscriber; `None` once the bus is gone.
    /// A subscriber that fell behind gets [`Delivery::Resync`].
    pub async fn recv(&mut self) -> Option<Delivery> {
        loop {
            let d = match self.rx.recv().await {
                Ok(d) => d,
                Err(broadcast::error::RecvError::Lagged(_)) => return Some(Delivery::Resync),
                Err(broadcast::error::RecvError::Closed) => return None,
            };
            if self.wants(&d) {
                return Some(d);
            }
        }
    }

    /// A delivery already waiting, if any (to coalesce wake-ups).
    pub fn try_recv(&mut self) -> Option<Delivery> {
        loop {
            let d = match self.rx.try_recv() {
                Ok(d) => d,
                Err(broadcast::error::TryRecvError::Lagged(_)) => return Some(Delivery::Resync),
                Err(_) => return None,
            };
            if self.wants(&d) {
                return Some(d);
            }
        }
    }
}

/// What a transport that carries text sends for a signal or an access
/// change (PostgreSQL `NOTIFY`, NATS).
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
enum Wire {
    Signal(Signal),
    AccessChanged(Vec<String>),
}

fn encode(w: &Wire) -> AppResult<String> {
    serde_json::to_string(w).map_err(|e| crate::AppError::Internal(e.to_string()))
}

/// The payload of a durable wake-up on a transport that carries text.
const COMMITTED: &str = "e";

/// Turns a text message from another node (a wake-up, or an encoded
/// [`Wire`]) into deliveries for this node's subscribers.
fn deliver_text(tx: &broadcast::Sender<Delivery>, payload: &[u8]) {
    if payload == COMMITTED.as_bytes() {
        let _ = tx.send(Delivery::Committed);
        return;
    }
    let wire = std::str::from_utf8(payload)
        .map_err(|e| e.to_string())
        .and_then(|raw| serde_json::from_str(raw).map_err(|e| e.to_string()));
    match wire {
        Ok(Wire::Signal(s)) => {
            let _ = tx.send(Delivery::Signal(Arc::new(s)));
        }
        Ok(Wire::AccessChanged(people)) => {
            for p in people {
                let _ = tx.send(Delivery::AccessChanged(Arc::from(p)));
            }
        }
        // From a newer node, or garbage: whatever it was, look again.
        Err(e) => {
            tracing::warn!(error = %e, "unreadable bus message");
            let _ = tx.send(Delivery::Resync);
        }
    }
}

/// Tells every node that these people's sessions or reach changed, so that
/// their open connections look again. A failure is only logged: connections
/// also look again every 30 seconds, and the change that caused it has
/// committed already.
pub async fn tell_access_changed(bus: &dyn Bus, people: &[&str]) {
    if people.is_empty() {
        return;
    }
    if let Err(e) = bus.access_changed(people).await {
        tracing::warn!(error = %e, "cannot publish a change of access; connections will see it within 30 s");
    }
}

/// How the nodes tell each other. Object-safe: services hold `Arc<dyn Bus>`.
#[async_trait]
pub trait Bus: Send + Sync + 'static {
    /// In the transaction that appended durable events about `topic`: a
    /// transport that can deliver exactly at commit (and never on rollback)
    /// does it here. Called once per appended batch.
    async fn durable_in(&self, conn: &mut Conn, topic: &Topic) -> AppResult<()>;

    /// After such a transaction committed, on the node that committed it.
    async fn committed(&self);

    /// Sends an ephemeral signal to every node, this one included.
    async fn signal(&self, signal: Signal) -> AppResult<()>;

    /// Tells every node that these people's sessions or reach changed.
    async fn access_changed(&self, people: &[&str]) -> AppResult<()>;

    /// Deliveries from now on.
    fn subscribe(&self, filter: Filter) -> Subscription;

    /// Receives from the other nodes until `stop` turns true (a no-op
    /// transport returns when stopped).
    async fn run(&self, stop: tokio::sync::watch::Receiver<bool>);

    /// Resolves once deliveries from other nodes are received (for tests and
    /// start-up ordering; immediate for a single node).
    async fn ready(&self);
}

/// Chooses the transport for this database, once, at start: in-process for
/// SQLite (one node), `LISTEN/NOTIFY` for PostgreSQL (several nodes). The
/// only place that looks at the database kind to deliver events.
pub fn for_store(store: &Store) -> Arc<dyn Bus> {
    match store.backend() {
        Backend::Sqlite => Arc::new(InProcess::default()),
        Backend::Postgres => Arc::new(postgres::PgBus::new(store.clone())),
    }
}

/// The transport configured for this node: NATS when a server is named
/// (`nats_url`, subjects under `subject_prefix`), else the one for the
/// database ([`for_store`]).
pub fn configured(store: &Store, nats: Option<(&str, &str)>) -> Arc<dyn Bus> {
    match nats {
        Some((url, prefix)) => Arc::new(nats::NatsBus::new(url, prefix)),
        None => for_store(store),
    }
}

/// Capacity of a node's delivery channel; a subscriber further behind
/// gets a [`Delivery::Resync`].
const CAPACITY: usize = 4096;

/// One node: deliveries go straight to this process's subscribers.
pub struct InProcess {
    tx: broadcast::Sender<Delivery>,
}

impl Default for InProcess {
    fn default() -> Self {
        InProcess {
            tx: broadcast::channel(CAPACITY).0,
        }
    }
}

#[async_trait]
impl Bus for InProcess {
    async fn durable_in(&self, _conn: &mut Conn, _topic: &Topic) -> AppResult<()> {
        // Nobody else to tell; `committed` wakes this node.
        Ok(())
    }

    async fn committed(&self) {
        let _ = self.tx.send(Delivery::Committed);
    }

    async fn signal(&self, signal: Signal) -> AppResult<()> {
        let _ = self.tx.send(Delivery::Signal(Arc::new(signal)));
        Ok(())
    }

    async fn access_changed(&self, people: &[&str]) -> AppResult<()> {
        for p in people {
            let _ = self.tx.send(Delivery::AccessChanged(Arc::from(*p)));
        }
        Ok(())
    }

    fn subscribe(&self, filter: Filter) -> Subscription {
        Subscription {
            rx: self.tx.subscribe(),
            filter,
        }
    }

    async fn run(&self, mut stop: tokio::sync::watch::Receiver<bool>) {
        while !*stop.borrow() {
            if stop.changed().await.is_err() {
                return;
            }
        }
    }

    async fn ready(&self) {}
}
