//! Several nodes through a NATS server: each node publishes what it has to
//! tell on subjects under one prefix and subscribes to `<prefix>.>`.
//!
//! NATS cannot publish inside a database transaction, so a durable wake-up
//! is published after the commit ([`Bus::committed`]): a node that stops
//! between its commit and the publish leaves the other nodes to find the
//! events by the dispatcher's poll of the log, which stays the source of
//! truth. The log being durable in the database, core NATS publish and
//! subscribe is enough; JetStream would keep a second copy of what the log
//! already keeps.
//!
//! The connection is opened without echo: what this node publishes reaches
//! its own subscribers directly and the other nodes through the server.
//! A connection that was lost and is back, or a subscription the server
//! found too slow, may have missed messages: subscribers get
//! [`Delivery::Resync`].

use super::{deliver_text, encode, Bus, Delivery, Filter, Signal, Subscription, Topic, Wire, CAPACITY, COMMITTED};
use crate::{AppError, AppResult};
use async_trait::async_trait;
use cercle_store::Conn;
use futures_util::StreamExt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;
use tokio::sync::{broadcast, watch};

/// People per access-change message (one message stays small).
const ACCESS_CHUNK: usize = 100;

pub struct NatsBus {
    url: String,
    /// Subjects are `<prefix>.committed`, `<prefix>.signal`, `<prefix>.access`.
    prefix: String,
    client: RwLock<Option<async_nats::Client>>,
    tx: broadcast::Sender<Delivery>,
    ready: watch::Sender<bool>,
}

impl NatsBus {
    /// A transport through the NATS server at `url`; `prefix` keeps apart
    /// the installations (or tests) sharing one server. Connects in
    /// [`Bus::run`].
    pub fn new(url: &str, prefix: &str) -> NatsBus {
        NatsBus {
            url: url.to_string(),
            prefix: prefix.to_string(),
            client: RwLock::new(None),
            tx: broadcast::channel(CAPACITY).0,
            ready: watch::channel(false).0,
        }
    }

    fn subject(&self, what: &str) -> String {
        format!("{}.{what}", self.prefix)
    }

    fn client(&self) -> AppResult<async_nats::Client> {
        self.client
            .read()
            .ok()
            .and_then(|c| c.clone())
            .ok_or_else(|| AppError::Internal("the NATS bus is not connected yet".into()))
    }

    async fn publish(&self, what: &str, payload: String) -> AppResult<()> {
        self.client()?
            .publish(self.subject(what), payload.into())
            .await
            .map_err(|e| AppError::Internal(format!("NATS publish: {e}")))
    }

    async fn connect(&self) -> Result<(async_nats::Client, async_nats::Subscriber), String> {
        let lost = Arc::new(AtomicBool::new(false));
        let tx = self.tx.clone();
        let client = async_nats::ConnectOptions::new()
            .no_echo()
            .name("cercle")
            .connection_timeout(Duration::from_secs(5))
            .event_callback(move |event| {
                let (lost, tx) = (lost.clone(), tx.clone());
                async move {
                    match event {
                        async_nats::Event::Disconnected => {
                            tracing::warn!("NATS connection lost; reconnecting");
                            lost.store(true, Ordering::SeqCst);
                        }
                        // Back after a loss: what was sent meanwhile is gone.
                        async_nats::Event::Connected if lost.swap(false, Ordering::SeqCst) => {
                            let _ = tx.send(Delivery::Resync);
                        }
                        // The server dropped messages for us.
                        async_nats::Event::SlowConsumer(_) => {
                            let _ = tx.send(Delivery::Resync);
                        }
                        _ => {}
                    }
                }
            })
            .connect(self.url.as_str())
            .await
            .map_err(|e| e.to_string())?;
        let sub = client
            .subscribe(format!("{}.>", self.prefix))
            .await
            .map_err(|e| e.to_string())?;
        // `flush` only hands the bytes to the socket: the server may not have
        // read the subscription yet, and a message another node publishes
        // meanwhile would pass it by. A request to a subject nobody listens
        // on is answered "no responders" by the server after everything sent
        // before it, the subscription included: a round trip.
        let probe = client.request(client.new_inbox(), "".into()).await;
        match probe {
            Err(e) if e.kind() == async_nats::RequestErrorKind::NoResponders => {}
            Err(e) => return Err(format!("the server did not answer after subscribing: {e}")),
            Ok(_) => return Err("an unexpected answer to the subscription probe".into()),
        }
        Ok((client, sub))
    }
}

#[async_trait]
impl Bus for NatsBus {
    async fn durable_in(&self, _conn: &mut Conn, _topic: &Topic) -> AppResult<()> {
        // Nothing can be published inside the transaction; `committed` does it.
        Ok(())
    }

    async fn committed(&self) {
        let _ = self.tx.send(Delivery::Committed);
        if let Err(e) = self.publish("committed", COMMITTED.to_string()).await {
            // The other nodes poll the log; they see the events a little later.
            tracing::warn!(error = %e, "cannot publish a wake-up to the other nodes");
        }
    }

    async fn signal(&self, signal: Signal) -> AppResult<()> {
        let payload = encode(&Wire::Signal(signal.clone()))?;
        let _ = self.tx.send(Delivery::Signal(Arc::new(signal)));
        self.publish("signal", payload).await
    }

    async fn access_changed(&self, people: &[&str]) -> AppResult<()> {
        for p in people {
            let _ = self.tx.send(Delivery::AccessChanged(Arc::from(*p)));
        }
        for chunk in people.chunks(ACCESS_CHUNK) {
            let ids = chunk.iter().map(|p| p.to_string()).collect();
            self.publish("access", encode(&Wire::AccessChanged(ids))?).await?;
        }
        Ok(())
    }

    fn subscribe(&self, filter: Filter) -> Subscription {
        Subscription {
            rx: self.tx.subscribe(),
            filter,
        }
    }

    async fn run(&self, mut stop: watch::Receiver<bool>) {
        let mut first = true;
        loop {
            if *stop.borrow() {
                return;
            }
            let (client, mut sub) = match self.connect().await {
                Ok(c) => c,
                Err(e) => {
                    tracing::warn!(error = %e, url = %self.url, "cannot connect to NATS; retrying");
                    tokio::select! {
                        _ = tokio::time::sleep(Duration::from_secs(1)) => continue,
                        _ = stop.changed() => return,
                    }
                }
            };
            if !first {
                let _ = self.tx.send(Delivery::Resync);
            }
            first = false;
            if let Ok(mut c) = self.client.write() {
                *c = Some(client);
            }
            self.ready.send_replace(true);
            loop {
                tokio::select! {
                    m = sub.next() => match m {
                        Some(m) => deliver_text(&self.tx, &m.payload),
                        // The client was closed: connect again.
                        None => {
                            tracing::warn!("NATS subscription closed; connecting again");
                            break;
                        }
                    },
                    _ = stop.changed() => return,
                }
            }
        }
    }

    async fn ready(&self) {
        let mut rx = self.ready.subscribe();
        let _ = rx.wait_for(|r| *r).await;
    }
}
