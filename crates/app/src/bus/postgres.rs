//! Several nodes on one PostgreSQL database: `NOTIFY cercle_events` sends,
//! one `LISTEN` connection per node receives.
//!
//! A durable wake-up is `pg_notify` in the transaction that appended the
//! events: PostgreSQL delivers it at commit, in commit order, and drops it on
//! rollback. Identical payloads in one transaction are folded into one, so
//! the wake-up carries no id ("e"): the log says what is new. Signals and
//! access changes are JSON, sent outside any transaction; every node,
//! this one included, receives them through its listener.

use super::{deliver_text, encode, Bus, Delivery, Filter, Signal, Subscription, Topic, Wire, CAPACITY, COMMITTED};
use crate::{AppError, AppResult};
use async_trait::async_trait;
use cercle_store::events::notify_nodes;
use cercle_store::{Conn, Store};
use std::time::Duration;
use tokio::sync::{broadcast, watch};

/// PostgreSQL refuses NOTIFY payloads of 8000 bytes or more.
const MAX_PAYLOAD: usize = 7900;
/// People per access-change notice (stays under [`MAX_PAYLOAD`]).
const ACCESS_CHUNK: usize = 100;

pub struct PgBus {
    store: Store,
    tx: broadcast::Sender<Delivery>,
    ready: watch::Sender<bool>,
}

impl PgBus {
    pub fn new(store: Store) -> PgBus {
        PgBus {
            store,
            tx: broadcast::channel(CAPACITY).0,
            ready: watch::channel(false).0,
        }
    }

    async fn notify(&self, payload: &str) -> AppResult<()> {
        if payload.len() > MAX_PAYLOAD {
            return Err(AppError::Internal("bus message too large for NOTIFY".into()));
        }
        let mut conn = self.store.reader().await?;
        notify_nodes(&mut conn, payload).await?;
        Ok(())
    }
}

#[async_trait]
impl Bus for PgBus {
    async fn durable_in(&self, conn: &mut Conn, _topic: &Topic) -> AppResult<()> {
        notify_nodes(conn, COMMITTED).await?;
        Ok(())
    }

    async fn committed(&self) {
        // This node needs no round trip through the database.
        let _ = self.tx.send(Delivery::Committed);
    }

    async fn signal(&self, signal: Signal) -> AppResult<()> {
        self.notify(&encode(&Wire::Signal(signal))?).await
    }

    async fn access_changed(&self, people: &[&str]) -> AppResult<()> {
        for chunk in people.chunks(ACCESS_CHUNK) {
            let ids = chunk.iter().map(|p| p.to_string()).collect();
            self.notify(&encode(&Wire::AccessChanged(ids))?).await?;
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
            let mut listener = match self.store.listen_events().await {
                Ok(l) => l,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot LISTEN for events; retrying");
                    tokio::select! {
                        _ = tokio::time::sleep(Duration::from_secs(1)) => continue,
                        _ = stop.changed() => return,
                    }
                }
            };
            if !first {
                // Listening again: what was sent meanwhile is lost.
                let _ = self.tx.send(Delivery::Resync);
            }
            first = false;
            self.ready.send_replace(true);
            loop {
                tokio::select! {
                    // `try_recv`, not `recv`: `recv` reconnects silently and
                    // would hide that notifications were lost.
                    n = listener.try_recv() => match n {
                        Ok(Some(n)) => deliver_text(&self.tx, n.payload().as_bytes()),
                        Ok(None) => {
                            // Lost and already listening again (sqlx
                            // reconnects before returning).
                            tracing::warn!("event listener lost; reconnected");
                            let _ = self.tx.send(Delivery::Resync);
                        }
                        Err(e) => {
                            tracing::warn!(error = %e, "event listener failed; reconnecting");
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
