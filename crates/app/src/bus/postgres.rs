//! Several nodes on one PostgreSQL database: `NOTIFY cercle_events` sends,
//! one `LISTEN` connection per node receives.
//!
//! A durable wake-up is `pg_notify` in the transaction that appended the
//! events: PostgreSQL delivers it at commit, in commit order, and drops it on
//! rollback. Identical payloads in one transaction are folded into one, so
//! the wake-up carries no id ("e"): the log says what is new. Signals and
//! access changes are JSON, sent outside any transaction; every node,
//! this one included, receives them through its listener.
//!
//! A signal too large for one notification (a call's session description
//! may reach 32 KiB between two browsers, hundreds of KiB to or from the
//! forwarding unit) goes in parts: `p:<id>:<index>:<count>:<base64>`,
//! each under the limit, put back together by every listener
//! ([`Reassembly`]) before it is delivered. Parts of a message that never
//! completes are dropped after [`PART_TTL`]; a listener holds at most
//! [`MAX_PENDING`] such messages.

use super::{deliver_text, encode, Bus, Delivery, Filter, Signal, Subscription, Topic, Wire, CAPACITY, COMMITTED};
use crate::{AppError, AppResult};
use async_trait::async_trait;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use cercle_store::events::notify_nodes;
use cercle_store::{Conn, Store};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tokio::sync::{broadcast, watch};

/// PostgreSQL refuses NOTIFY payloads of 8000 bytes or more.
const MAX_PAYLOAD: usize = 7900;
/// People per access-change notice (stays under [`MAX_PAYLOAD`]).
const ACCESS_CHUNK: usize = 100;
/// Bytes of a message per part (base64 makes 4/3 of it: well under
/// [`MAX_PAYLOAD`] with the header).
const PART_BYTES: usize = 5400;
/// The most parts of one message: 760, so a message of at most
/// [`MAX_MESSAGE_BYTES`]. Sized for a call signal at its largest (an SDP to or
/// from the forwarding unit in a call of the most participants a node may be
/// set to, escaped) and the message around it; `calls::signal` checks at
/// compile time that its largest signal fits (the bus knows nothing of calls).
/// A 32 KiB SDP between two browsers takes about 7 parts, one of a call of 16
/// through the unit up to 123.
const MAX_PARTS: usize = 760;
/// The largest message the PostgreSQL transport carries.
pub const MAX_MESSAGE_BYTES: usize = MAX_PARTS * PART_BYTES;
/// A message whose parts do not all arrive within this is dropped.
const PART_TTL: Duration = Duration::from_secs(30);
/// The most messages a listener puts together at once.
const MAX_PENDING: usize = 256;

/// The parts of a message, as they arrive.
struct Pending {
    since: Instant,
    parts: Vec<Option<Vec<u8>>>,
}

/// Puts parted messages back together (one per listener).
#[derive(Default)]
pub(crate) struct Reassembly {
    pending: Mutex<HashMap<String, Pending>>,
}

impl Reassembly {
    /// Takes one part (`<id>:<index>:<count>:<base64>`); the whole message
    /// once its last part arrived.
    pub(crate) fn take(&self, part: &str) -> Option<Vec<u8>> {
        let mut it = part.splitn(4, ':');
        let id = it.next()?;
        let index: usize = it.next()?.parse().ok()?;
        let count: usize = it.next()?.parse().ok()?;
        let bytes = STANDARD.decode(it.next()?).ok()?;
        if count == 0 || count > MAX_PARTS || index >= count || id.len() > 64 {
            return None;
        }
        let mut pending = self.pending.lock().ok()?;
        let now = Instant::now();
        pending.retain(|_, p| now.duration_since(p.since) < PART_TTL);
        if !pending.contains_key(id) && pending.len() >= MAX_PENDING {
            tracing::warn!("too many parted bus messages pending; one dropped");
            return None;
        }
        let entry = pending.entry(id.to_string()).or_insert_with(|| Pending {
            since: now,
            parts: vec![None; count],
        });
        if entry.parts.len() != count {
            return None;
        }
        entry.parts[index] = Some(bytes);
        if entry.parts.iter().any(Option::is_none) {
            return None;
        }
        let done = pending.remove(id)?;
        Some(done.parts.into_iter().flatten().flatten().collect())
    }
}

/// The notifications that carry `payload`: itself when it fits, else its
/// parts.
pub(crate) fn parts_of(payload: &str, id: &str) -> AppResult<Vec<String>> {
    if payload.len() <= MAX_PAYLOAD {
        return Ok(vec![payload.to_string()]);
    }
    let chunks: Vec<&[u8]> = payload.as_bytes().chunks(PART_BYTES).collect();
    if chunks.len() > MAX_PARTS {
        return Err(AppError::Internal("bus message too large".into()));
    }
    let count = chunks.len();
    Ok(chunks
        .iter()
        .enumerate()
        .map(|(i, c)| format!("p:{id}:{i}:{count}:{}", STANDARD.encode(c)))
        .collect())
}

pub struct PgBus {
    store: Store,
    tx: broadcast::Sender<Delivery>,
    ready: watch::Sender<bool>,
    parts: Reassembly,
}

impl PgBus {
    pub fn new(store: Store) -> PgBus {
        PgBus {
            store,
            tx: broadcast::channel(CAPACITY).0,
            ready: watch::channel(false).0,
            parts: Reassembly::default(),
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
        let payload = encode(&Wire::Signal(signal))?;
        let id = crate::secrets::random_token();
        for part in parts_of(&payload, &id)? {
            self.notify(&part).await?;
        }
        Ok(())
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
                        Ok(Some(n)) => match n.payload().strip_prefix("p:") {
                            Some(part) => {
                                if let Some(whole) = self.parts.take(part) {
                                    deliver_text(&self.tx, &whole);
                                }
                            }
                            None => deliver_text(&self.tx, n.payload().as_bytes()),
                        },
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_large_message_goes_in_parts_and_comes_back_whole_in_any_order() {
        let small = "{\"signal\":{}}";
        assert_eq!(parts_of(small, "x").ok(), Some(vec![small.to_string()]));
        let big: String = (0..40_000).map(|i| char::from(b'a' + (i % 26) as u8)).collect();
        let parts = parts_of(&big, "abc").unwrap_or_default();
        assert!(parts.len() > 1);
        assert!(parts.iter().all(|p| p.len() <= MAX_PAYLOAD), "every part fits a NOTIFY");
        let r = Reassembly::default();
        let mut whole = None;
        for p in parts.iter().rev() {
            let p = p.strip_prefix("p:").unwrap_or_default();
            assert!(whole.is_none(), "whole before the last part");
            whole = r.take(p);
        }
        assert_eq!(whole.as_deref(), Some(big.as_bytes()));
        assert!(r.take("abc:0:0:").is_none(), "no part of nothing");
        assert!(r.take("abc:5:2:YQ==").is_none(), "index out of range");
        // A message at the transport's largest (less the envelope) goes.
        let largest = "a".repeat(MAX_MESSAGE_BYTES - 1024);
        assert!(parts_of(&largest, "y").is_ok_and(|p| p.iter().all(|p| p.len() <= MAX_PAYLOAD)));
        let too_big = "a".repeat(PART_BYTES * (MAX_PARTS + 1));
        assert!(parts_of(&too_big, "z").is_err());
    }
}
