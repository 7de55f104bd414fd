//! Real-time delivery on this node. Every change to a thread appends an
//! event to the database's event log in the same transaction as the change;
//! once it commits, the bus ([`crate::bus`]) wakes every node's dispatcher,
//! which reads the new events in id order and hands them to the open
//! connections of that node. The log is the source of truth: a reconnecting
//! client asks for what followed the last id it saw and gets exactly that,
//! across restarts. Typing indicators are not stored: they travel on the bus
//! only, as signals on the thread's topic. Every event has a topic (a
//! thread, a person ...), which says who may receive it; the frame a page
//! receives names the thread (`thread_id`, empty for other topics).

use crate::bus::{Delivery, Filter, Signal, Topic};
use crate::{AppResult, Ctx};
use cercle_domain::events::EventKind;
use cercle_store::events::{self as log, EventRow};
use serde::Serialize;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokio::sync::broadcast;

/// Something that happened, as connections receive it.
#[derive(Debug, Clone, Serialize)]
pub struct Event {
    /// The event log id; `None` for ephemeral events (typing).
    pub id: Option<i64>,
    /// What it is about: who may receive it. Not sent: the frame names the
    /// thread only (`thread_id`).
    #[serde(skip)]
    pub topic: Topic,
    /// The thread of a thread's event; empty for other topics (the frame
    /// pages read).
    pub thread_id: String,
    #[serde(rename = "type")]
    pub kind: EventKind,
    pub data: serde_json::Value,
    /// The frame a connection sends (the JSON of the fields above), encoded
    /// by the first connection that sends it and shared by all the others:
    /// a live event reaches every open connection of the node as one
    /// `Arc<Event>`, so N connections cost one encoding. An event is not
    /// changed once handed out (it is shared), so the frame stays its own.
    #[serde(skip)]
    frame: OnceLock<Option<bytes::Bytes>>,
}

impl Event {
    /// An event about `topic`.
    pub fn new(id: Option<i64>, topic: Topic, kind: EventKind, data: serde_json::Value) -> Event {
        Event {
            id,
            topic,
            thread_id: topic.thread().map(|t| t.to_string()).unwrap_or_default(),
            kind,
            data,
            frame: OnceLock::new(),
        }
    }

    /// The frame to send: the event's JSON, encoded on the first call only
    /// (`None` if it cannot be encoded; a `serde_json::Value` always can).
    pub fn frame(&self) -> Option<bytes::Bytes> {
        self.frame
            .get_or_init(|| serde_json::to_vec(self).ok().map(bytes::Bytes::from))
            .clone()
    }

    /// The logged event; `None` for a kind or topic this version does not
    /// know (written by a newer node): it is skipped.
    pub fn of(row: &EventRow) -> Option<Event> {
        let (Some(kind), Some(topic)) = (EventKind::parse(&row.kind), row.topic()) else {
            tracing::warn!(id = row.id, kind = %row.kind, topic = %row.topic_kind, "event of an unknown kind skipped");
            return None;
        };
        let data = serde_json::from_str(&row.payload).unwrap_or(serde_json::Value::Null);
        Some(Event::new(Some(row.id), topic, kind, data))
    }
}

/// The node's fan-out of events to its open connections.
pub struct Hub {
    live: broadcast::Sender<Arc<Event>>,
    /// The last event id handed to connections.
    dispatched: AtomicI64,
    /// Turns true when the node shuts down: connections close themselves.
    closing: tokio::sync::watch::Sender<bool>,
    /// Messages per person in the current minute.
    flood: PerMinute,
    /// Call signals per person in the current minute (their own limit:
    /// setting up a call must not eat into one's messages).
    signals: PerMinute,
    /// People whose sessions or reach just changed (user ids): their
    /// connections check their session and what they may see again at once.
    access: broadcast::Sender<Arc<str>>,
    /// Whether a person's connections may receive a thread: one answer per
    /// person and thread for the whole node, forgotten here before the
    /// connections hear of a change.
    pub answers: super::answers::Answers,
    /// Each person's bell (unread count and latest notification) after a
    /// change of their notifications: one read per person, language and
    /// change for the whole node ([`crate::notifications::live_event_shared`]).
    pub bells: crate::flights::Flights<(cercle_domain::UserId, cercle_domain::Language, i64), Option<Arc<Event>>>,
}

/// How long a bell read serves the person's other connections: they all
/// take the same change within moments, and a later change has its own id.
const BELL_KEEP: Duration = Duration::from_secs(2);

impl Default for Hub {
    fn default() -> Self {
        let (live, _) = broadcast::channel(4096);
        Hub {
            live,
            dispatched: AtomicI64::new(-1),
            closing: tokio::sync::watch::channel(false).0,
            flood: std::sync::Mutex::new(std::collections::HashMap::new()),
            signals: std::sync::Mutex::new(std::collections::HashMap::new()),
            access: broadcast::channel(1024).0,
            answers: super::answers::Answers::default(),
            bells: crate::flights::Flights::new(BELL_KEEP, "cercle_live_bell_reads_total"),
        }
    }
}

impl std::fmt::Debug for Hub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hub")
            .field("dispatched", &self.dispatched.load(Ordering::Relaxed))
            .finish()
    }
}

impl Hub {
    /// Live events from now on (subscribe before replaying, so nothing falls
    /// between the replay and the live stream).
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Event>> {
        self.live.subscribe()
    }

    /// The last event id handed out live (-1 before the dispatcher started).
    pub fn dispatched(&self) -> i64 {
        self.dispatched.load(Ordering::Acquire)
    }

    /// Turns true when the node shuts down.
    pub fn closing(&self) -> tokio::sync::watch::Receiver<bool> {
        self.closing.subscribe()
    }

    /// Counts a message of `user_id` in the current minute; false beyond `max`.
    /// Kept per node, in memory: a durable counter would serialize senders.
    pub fn flood(&self, user_id: cercle_domain::UserId, now: cercle_domain::Timestamp, max: i64) -> bool {
        count_in_minute(&self.flood, user_id, now, max)
    }

    /// Counts a call signal of `user_id` in the current minute; false
    /// beyond `max` (per node, in memory, as [`Hub::flood`]).
    pub fn signal_flood(&self, user_id: cercle_domain::UserId, now: cercle_domain::Timestamp, max: i64) -> bool {
        count_in_minute(&self.signals, user_id, now, max)
    }

    fn send_ephemeral(&self, e: Event) {
        let _ = self.live.send(Arc::new(e));
    }

    /// Changes of people's sessions or reach, from every node (see
    /// [`access_changed`]). A lagging receiver must check everything again.
    pub fn access_changes(&self) -> broadcast::Receiver<Arc<str>> {
        self.access.subscribe()
    }

    fn send_access(&self, user_id: &str) {
        // Forgotten first: a connection that acts on the notice asks anew.
        match user_id.parse::<cercle_domain::UserId>() {
            Ok(u) => self.answers.forget_person(Some(u)),
            // EVERYONE, or anything else: everyone's.
            Err(_) => self.answers.forget_person(None),
        }
        let _ = self.access.send(Arc::from(user_id));
    }
}

type PerMinute = std::sync::Mutex<std::collections::HashMap<cercle_domain::UserId, (i64, i64)>>;

/// Counts one more of `user_id`'s in the current minute; false beyond `max`.
fn count_in_minute(
    counts: &PerMinute,
    user_id: cercle_domain::UserId,
    now: cercle_domain::Timestamp,
    max: i64,
) -> bool {
    let minute = now.0 / 60_000;
    let Ok(mut map) = counts.lock() else {
        return true;
    };
    if map.len() > 100_000 {
        map.retain(|_, (m, _)| *m == minute);
    }
    let entry = map.entry(user_id).or_insert((minute, 0));
    if entry.0 != minute {
        *entry = (minute, 0);
    }
    entry.1 += 1;
    entry.1 <= max
}

/// The user id that stands for everyone in [`Hub::access_changes`].
pub const EVERYONE: &str = "*";

/// Tells every node that these people's sessions ended or changed (sign-out,
/// lock, PIN erasure, password change or reset, account deletion) or that
/// what they reach changed (removed from an organization or a team, another
/// organization made active). Each of their open connections checks its
/// session again at once — closing if it ended — and looks again at what it
/// may see before the next event. Called after the change committed; the
/// payload carries user ids only, never a credential. A failure to publish
/// is logged: connections also check their session every 30 seconds.
pub async fn access_changed(ctx: &Ctx, user_ids: &[&str]) {
    crate::bus::tell_access_changed(&*ctx.bus, user_ids).await;
}

/// Publishes an ephemeral event (typing) to every node.
pub async fn publish_ephemeral(ctx: &Ctx, event: Event) -> AppResult<()> {
    ctx.bus
        .signal(Signal {
            topic: event.topic,
            kind: event.kind.as_str().to_string(),
            data: event.data,
        })
        .await
}

/// Reads committed events in order and hands them to the connections.
/// Runs until `stop` turns true.
pub async fn run_dispatcher(ctx: Ctx, mut stop: tokio::sync::watch::Receiver<bool>) {
    // Subscribed before reading the log's head: nothing falls in between.
    let mut bus = ctx.bus.subscribe(Filter::All);
    let start = {
        let mut attempt = 0;
        loop {
            match start_id(&ctx).await {
                Ok(id) => break id,
                Err(e) => {
                    attempt += 1;
                    tracing::warn!(error = %e, attempt, "event dispatcher cannot read the log yet");
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            }
        }
    };
    ctx.hub.dispatched.store(start, Ordering::Release);
    let mut last = start;
    loop {
        tokio::select! {
            d = bus.recv() => {
                let Some(d) = d else { return };
                let mut read = ctx.hub.relay(d);
                // Wake-ups come in bursts: one read of the log for all.
                while let Some(d) = bus.try_recv() {
                    read |= ctx.hub.relay(d);
                }
                if !read {
                    continue;
                }
            }
            // A safety net: a missed wake-up delays delivery by at most this.
            _ = tokio::time::sleep(Duration::from_millis(500)) => {}
            _ = stop.changed() => {
                if *stop.borrow() {
                    ctx.hub.closing.send_replace(true);
                    return;
                }
            }
        }
        loop {
            let batch = match read_after(&ctx, last).await {
                Ok(b) => b,
                Err(e) => {
                    tracing::warn!(error = %e, "event dispatcher read failed");
                    break;
                }
            };
            let n = batch.len();
            for row in batch {
                last = row.id;
                if let Some(e) = Event::of(&row) {
                    // Forgotten before the connections see the change.
                    if e.kind == EventKind::Participants {
                        if let Some(thread) = e.topic.thread() {
                            ctx.hub.answers.forget_thread(thread);
                        }
                    }
                    let _ = ctx.hub.live.send(Arc::new(e));
                }
                metrics::histogram!("cercle_delivery_lag_seconds")
                    .record((ctx.clock.now().millis() - row.created_at).max(0) as f64 / 1000.0);
            }
            ctx.hub.dispatched.store(last, Ordering::Release);
            if n < 500 {
                break;
            }
        }
    }
}

impl Hub {
    /// Hands a bus delivery to this node's connections; true when the log
    /// must be read.
    fn relay(&self, d: Delivery) -> bool {
        match d {
            Delivery::Committed => true,
            Delivery::Signal(s) => {
                if let Some(kind) = EventKind::parse(&s.kind) {
                    self.send_ephemeral(Event::new(None, s.topic, kind, s.data.clone()));
                }
                false
            }
            Delivery::AccessChanged(person) => {
                self.send_access(&person);
                false
            }
            Delivery::Resync => {
                // Changes of access may have been missed: everyone checks again.
                self.send_access(EVERYONE);
                true
            }
        }
    }
}

async fn start_id(ctx: &Ctx) -> AppResult<i64> {
    let mut conn = ctx.store.events_reader().await?;
    Ok(log::last_event_id(&mut conn).await?)
}

async fn read_after(ctx: &Ctx, last: i64) -> AppResult<Vec<EventRow>> {
    let mut conn = ctx.store.events_reader().await?;
    Ok(log::events_after(&mut conn, last, 500).await?)
}

/// The events logged after `since`, oldest first, at most `limit` (a
/// reconnecting client catching up; the caller filters what it may see).
pub async fn logged_after(ctx: &Ctx, since: i64, limit: i64) -> AppResult<Vec<Event>> {
    let mut conn = ctx.store.reader().await?;
    let rows = log::events_after(&mut conn, since, limit).await?;
    Ok(rows.iter().filter_map(Event::of).collect())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use cercle_domain::ThreadId;

    /// The frame is the event's JSON, and every connection that sends the
    /// shared event gets the same buffer: encoded once, not once each.
    #[test]
    fn frame_is_encoded_once_and_shared() {
        let thread = ThreadId::new();
        let e = Arc::new(Event::new(
            Some(7),
            Topic::Thread(thread),
            EventKind::Message,
            serde_json::json!({ "body": "é \" <b>" }),
        ));
        let first = e.frame().unwrap();
        let text: serde_json::Value = serde_json::from_slice(&first).unwrap();
        assert_eq!(
            text,
            serde_json::json!({ "id": 7, "thread_id": thread.to_string(), "type": "message", "data": { "body": "é \" <b>" } })
        );
        let other = Arc::clone(&e).frame().unwrap();
        assert_eq!(first.as_ptr(), other.as_ptr());
    }
}
