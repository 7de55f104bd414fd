//! The event bus conformance suite: the same scenarios against each
//! transport. On SQLite the in-process bus (one node: both "nodes" are the
//! same bus); on PostgreSQL two `LISTEN/NOTIFY` buses on one database, as
//! two nodes would be; through NATS two buses connected to the NATS server
//! (`CERCLE_TEST_NATS`, default 127.0.0.1:4222; `CERCLE_SKIP_NATS=1`
//! without one), each test under its own subject prefix.
//!
//! Absence is never proved by waiting: a marker is sent after what must not
//! arrive, and the subscriber's deliveries up to the marker are checked.

use crate::backends;
use cercle_app::bus::{self, Bus, Delivery, Filter, Signal, Subscription, Topic};
use cercle_domain::events::EventKind;
use cercle_domain::{ThreadId, UserId};
use cercle_store::events::{append_event, append_events, events_after, last_event_id, NewEvent};
use cercle_store::{Backend, Store};
use cercle_testkit::{Db, TestApp};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Every wait is bounded by this.
const WAIT: Duration = Duration::from_secs(15);

struct Nodes {
    store: Store,
    /// The publishing node.
    a: Arc<dyn Bus>,
    /// The receiving node (the same as `a` for the in-process bus).
    b: Arc<dyn Bus>,
    stop: tokio::sync::watch::Sender<bool>,
    _app: TestApp,
}

impl Drop for Nodes {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

async fn nodes(db: Db) -> Nodes {
    let app = TestApp::spawn(db).await;
    let store = app.ctx().store.clone();
    let a = bus::for_store(&store);
    let b = match store.backend() {
        Backend::Sqlite => a.clone(),
        Backend::Postgres => bus::for_store(&store),
    };
    start(store, a, b, app).await
}

/// Two nodes telling each other through NATS, under a prefix of their own.
async fn nats_nodes(db: Db) -> Nodes {
    let prefix = format!("cercle-test-{}", UserId::new().0.simple());
    nats_nodes_at(db, &cercle_testkit::nats_url(), &prefix).await
}

async fn nats_nodes_at(db: Db, url: &str, prefix: &str) -> Nodes {
    let app = TestApp::spawn(db).await;
    let store = app.ctx().store.clone();
    let a: Arc<dyn Bus> = Arc::new(bus::nats::NatsBus::new(url, prefix));
    let b: Arc<dyn Bus> = Arc::new(bus::nats::NatsBus::new(url, prefix));
    start(store, a, b, app).await
}

async fn start(store: Store, a: Arc<dyn Bus>, b: Arc<dyn Bus>, app: TestApp) -> Nodes {
    let (stop, rx) = tokio::sync::watch::channel(false);
    for n in [&a, &b] {
        let (n, rx) = (n.clone(), rx.clone());
        tokio::spawn(async move { n.run(rx).await });
    }
    for n in [&a, &b] {
        tokio::time::timeout(WAIT, n.ready()).await.expect("bus ready");
    }
    Nodes {
        store,
        a,
        b,
        stop,
        _app: app,
    }
}

async fn next(sub: &mut Subscription) -> Delivery {
    tokio::time::timeout(WAIT, sub.recv())
        .await
        .expect("a delivery within the bounded wait")
        .expect("bus open")
}

/// The deliveries before the first one `is_marker` accepts (excluded).
async fn until(sub: &mut Subscription, is_marker: impl Fn(&Delivery) -> bool) -> Vec<Delivery> {
    let mut before = Vec::new();
    loop {
        let d = next(sub).await;
        if is_marker(&d) {
            return before;
        }
        before.push(d);
    }
}

fn signal(topic: Topic, kind: &str) -> Signal {
    Signal {
        topic,
        kind: kind.into(),
        data: serde_json::json!({ "k": kind }),
    }
}

fn is_signal(d: &Delivery, kind: &str) -> bool {
    matches!(d, Delivery::Signal(s) if s.kind == kind)
}

fn thread(id: ThreadId) -> Topic {
    Topic::Thread(id)
}

fn person(id: UserId) -> Topic {
    Topic::Person(id)
}

async fn head(store: &Store) -> i64 {
    let mut conn = store.reader().await.expect("conn");
    last_event_id(&mut conn).await.expect("head")
}

/// Appends one event about `topic` and commits, as services do.
async fn commit_event(n: &Nodes, topic: Topic, payload: &str) -> i64 {
    let mut tx = n.store.begin().await.expect("begin");
    let id = append_event(
        &mut tx,
        &topic,
        EventKind::Message,
        payload,
        cercle_domain::Timestamp(1),
    )
    .await
    .expect("append");
    n.a.durable_in(&mut tx, &topic).await.expect("durable");
    tx.commit().await.expect("commit");
    n.a.committed().await;
    id
}

/// Each wake-up arrives after its commit: the log then shows the event,
/// and events come in the order they were committed.
async fn bus_durable_wake_ups_follow_commits_in_order(n: Nodes) {
    let t1 = ThreadId::new();
    let mut sub = n.b.subscribe(Filter::Topics(vec![thread(t1)]));
    let mut last = head(&n.store).await;
    for i in 0..3 {
        let payload = format!("{{\"i\":{i}}}");
        let id = commit_event(&n, thread(t1), &payload).await;
        assert_eq!(next(&mut sub).await, Delivery::Committed);
        let mut conn = n.store.reader().await.expect("conn");
        let seen = events_after(&mut conn, last, 100).await.expect("read");
        let ids: Vec<(i64, Option<Topic>, &str)> = seen.iter().map(|e| (e.id, e.topic(), e.payload.as_str())).collect();
        assert_eq!(
            ids,
            vec![(id, Some(thread(t1)), payload.as_str())],
            "the wake-up comes after the commit"
        );
        last = id;
    }
}

/// A transaction that rolls back wakes nobody and leaves nothing to read.
async fn bus_rolled_back_events_are_never_delivered(n: Nodes) {
    let t1 = thread(ThreadId::new());
    let mut sub = n.b.subscribe(Filter::All);
    let before = head(&n.store).await;
    let mut tx = n.store.begin().await.expect("begin");
    append_event(&mut tx, &t1, EventKind::Message, "{}", cercle_domain::Timestamp(1))
        .await
        .expect("append");
    n.a.durable_in(&mut tx, &t1).await.expect("durable");
    tx.rollback().await.expect("rollback");
    n.a.signal(signal(t1, "marker")).await.expect("marker");
    let seen = until(&mut sub, |d| is_signal(d, "marker")).await;
    assert!(seen.is_empty(), "nothing before the marker: {seen:?}");
    let mut conn = n.store.reader().await.expect("conn");
    assert!(events_after(&mut conn, before, 10).await.expect("read").is_empty());
}

/// A signal reaches every node, the sender's too, on its topic only.
async fn bus_signals_fan_out_on_their_topic(n: Nodes) {
    let (t1, t2) = (thread(ThreadId::new()), thread(ThreadId::new()));
    let mut here = n.a.subscribe(Filter::Topics(vec![t1]));
    let mut there = n.b.subscribe(Filter::Topics(vec![t1]));
    let mut elsewhere = n.b.subscribe(Filter::Topics(vec![t2]));
    n.a.signal(signal(t2, "other")).await.expect("other");
    n.a.signal(signal(t1, "typing")).await.expect("typing");
    n.a.signal(signal(t2, "marker")).await.expect("marker");
    for sub in [&mut here, &mut there] {
        match next(sub).await {
            Delivery::Signal(s) => assert_eq!(*s, signal(t1, "typing")),
            d => panic!("expected the typing signal, got {d:?}"),
        }
    }
    let seen = until(&mut elsewhere, |d| is_signal(d, "marker")).await;
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert!(is_signal(&seen[0], "other"), "{seen:?}");
}

/// A change of access reaches the person's subscribers and nobody else's,
/// however many people change at once.
async fn bus_access_changes_reach_only_that_person(n: Nodes) {
    let (alice_id, bob_id, zoe_id) = (UserId::new(), UserId::new(), UserId::new());
    let (alice_s, bob_s, zoe_s) = (alice_id.to_string(), bob_id.to_string(), zoe_id.to_string());
    let changed = |p: &str| Delivery::AccessChanged(Arc::from(p));
    let mut alice = n.b.subscribe(Filter::Topics(vec![person(alice_id)]));
    let mut bob = n.b.subscribe(Filter::Topics(vec![person(bob_id)]));
    let mut node = n.b.subscribe(Filter::All);
    n.a.access_changed(&[&alice_s]).await.expect("alice");
    n.a.access_changed(&[&bob_s]).await.expect("bob");
    assert_eq!(next(&mut alice).await, changed(&alice_s));
    assert_eq!(next(&mut bob).await, changed(&bob_s));
    // Many at once (several notices on PostgreSQL), then a marker.
    let many: Vec<String> = (0..250).map(|_| UserId::new().to_string()).collect();
    let refs: Vec<&str> = many.iter().map(String::as_str).collect();
    n.a.access_changed(&refs).await.expect("many");
    n.a.access_changed(&[&zoe_s]).await.expect("marker");
    n.a.access_changed(&[&alice_s]).await.expect("alice again");
    assert_eq!(next(&mut alice).await, changed(&alice_s));
    let seen = until(&mut node, |d| d == &changed(&zoe_s)).await;
    // The node-wide subscriber saw alice, bob, then the 250.
    let people: Vec<String> = seen
        .iter()
        .map(|d| match d {
            Delivery::AccessChanged(p) => p.to_string(),
            d => panic!("unexpected {d:?}"),
        })
        .collect();
    let mut expected = vec![alice_s.clone(), bob_s.clone()];
    expected.extend(many);
    assert_eq!(people, expected);
}

/// A person's events (the bell) reach that person's pages only, live and
/// when a page reconnects and catches up from the last id it saw.
async fn bus_person_events_reach_that_person_only_and_are_replayed(db: Db) {
    use cercle_app::notifications::{live_concerns, LIVE_KIND};
    use cercle_app::threads::{hub, live};
    let app = TestApp::spawn(db).await;
    let ctx = app.ctx();
    let (alice, bob) = (UserId::new(), UserId::new());
    let mut stream = ctx.hub.subscribe();
    // The dispatcher hands out what is logged after the head it read when
    // it started: wait until it has (bounded), or it may start after these.
    let started = std::time::Instant::now();
    while ctx.hub.dispatched() < 0 {
        assert!(
            started.elapsed() < WAIT,
            "the dispatcher starts within the bounded wait"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let before = head(&ctx.store).await;
    let mut tx = ctx.store.begin().await.expect("begin");
    for p in [alice, bob, alice] {
        append_event(&mut tx, &person(p), LIVE_KIND, "{}", cercle_domain::Timestamp(1))
            .await
            .expect("append");
    }
    ctx.bus.durable_in(&mut tx, &person(alice)).await.expect("durable");
    tx.commit().await.expect("commit");
    ctx.bus.committed().await;
    // Live: the node hands each entry out with its topic; a page keeps its
    // person's entries only.
    let mut live_topics = Vec::new();
    while live_topics.len() < 3 {
        let e: Arc<hub::Event> = tokio::time::timeout(WAIT, stream.recv())
            .await
            .expect("a live event within the bounded wait")
            .expect("hub open");
        if e.id.is_some_and(|id| id > before) {
            assert_eq!(e.thread_id, "", "a person's event names no thread");
            live_topics.push((
                e.topic,
                live_concerns(&e, &alice.to_string()),
                live_concerns(&e, &bob.to_string()),
            ));
        }
    }
    assert_eq!(
        live_topics,
        vec![
            (person(alice), Some(true), Some(false)),
            (person(bob), Some(false), Some(true)),
            (person(alice), Some(true), Some(false)),
        ]
    );
    // Reconnecting after `before`: each catches up on their own changes
    // (the latest one stands for the batch), never on the other's.
    let (alice_seen, alice_last) = live::events_since(ctx, &alice.to_string(), before, 100)
        .await
        .expect("alice catches up");
    let (bob_seen, bob_last) = live::events_since(ctx, &bob.to_string(), before, 100)
        .await
        .expect("bob catches up");
    assert_eq!(alice_last, before + 3);
    assert_eq!(bob_last, before + 3);
    let of = |seen: &[hub::Event]| -> Vec<(Option<i64>, Topic)> { seen.iter().map(|e| (e.id, e.topic)).collect() };
    assert_eq!(of(&alice_seen), vec![(Some(before + 3), person(alice))]);
    assert_eq!(of(&bob_seen), vec![(Some(before + 2), person(bob))]);

    // The bell rung for several people is one entry on the `people` topic
    // naming them: it concerns those named, live and on catching up, and
    // nobody else.
    let mut tx = ctx.store.begin().await.expect("begin");
    let payload = serde_json::json!({ "users": [bob.to_string()] }).to_string();
    append_event(
        &mut tx,
        &Topic::People,
        LIVE_KIND,
        &payload,
        cercle_domain::Timestamp(2),
    )
    .await
    .expect("append");
    tx.commit().await.expect("commit");
    let (alice_seen, _) = live::events_since(ctx, &alice.to_string(), before + 3, 100)
        .await
        .expect("alice catches up");
    let (bob_seen, _) = live::events_since(ctx, &bob.to_string(), before + 3, 100)
        .await
        .expect("bob catches up");
    assert_eq!(of(&alice_seen), vec![]);
    assert_eq!(of(&bob_seen), vec![(Some(before + 4), Topic::People)]);
}

/// Events for many topics at once (one change touching many people) take
/// consecutive ids, in the order given, each on its own topic, across the
/// several INSERTs they need.
async fn bus_events_for_many_people_take_consecutive_ids(db: Db) {
    let n = nodes(db).await;
    let people: Vec<UserId> = (0..1203).map(|_| UserId::new()).collect();
    let events: Vec<NewEvent> = people
        .iter()
        .map(|p| NewEvent {
            topic: person(*p),
            kind: EventKind::Notifications,
            payload: "{}",
        })
        .collect();
    let mut tx = n.store.begin().await.expect("begin");
    let ids = append_events(&mut tx, &events, cercle_domain::Timestamp(1))
        .await
        .expect("append");
    let one = append_event(
        &mut tx,
        &thread(ThreadId::new()),
        EventKind::Message,
        "{}",
        cercle_domain::Timestamp(1),
    )
    .await
    .expect("append one");
    tx.commit().await.expect("commit");
    assert_eq!(ids.len(), people.len());
    assert!(ids.windows(2).all(|w| w[1] == w[0] + 1), "consecutive ids");
    assert_eq!(Some(one), ids.last().map(|l| l + 1), "the next event follows");
    let mut conn = n.store.reader().await.expect("conn");
    let stored = events_after(&mut conn, ids[0] - 1, 2000).await.expect("read");
    let stored: Vec<(i64, Option<Topic>)> = stored.iter().take(people.len()).map(|e| (e.id, e.topic())).collect();
    let expected: Vec<(i64, Option<Topic>)> = ids.iter().zip(&people).map(|(id, p)| (*id, Some(person(*p)))).collect();
    assert_eq!(stored, expected);
    assert!(append_events(&mut conn, &[], cercle_domain::Timestamp(1))
        .await
        .expect("nothing to append")
        .is_empty());
}

/// A subscriber too far behind is told to read everything again rather
/// than silently missing messages.
async fn bus_a_lagging_subscriber_is_told_to_resync(n: Nodes) {
    let mut sub = n.b.subscribe(Filter::All);
    for _ in 0..5000 {
        n.b.committed().await;
    }
    assert_eq!(next(&mut sub).await, Delivery::Resync);
}

/// Runs each listed `async fn name(n: Nodes)` on every transport: the
/// database's own on SQLite and on PostgreSQL, and NATS.
macro_rules! transports {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(super::nodes(cercle_testkit::Db::Sqlite).await).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if cercle_testkit::skip_postgres() {
                        return;
                    }
                    super::$name(super::nodes(cercle_testkit::Db::Postgres).await).await
                }
            )*
        }
        mod nats {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if cercle_testkit::skip_nats() {
                        return;
                    }
                    super::$name(super::nats_nodes(cercle_testkit::Db::Sqlite).await).await
                }
            )*
        }
    };
}

transports!(
    bus_durable_wake_ups_follow_commits_in_order,
    bus_rolled_back_events_are_never_delivered,
    bus_signals_fan_out_on_their_topic,
    bus_access_changes_reach_only_that_person,
    bus_a_lagging_subscriber_is_told_to_resync,
);

/// About the log rather than a transport: on each database.
mod log {
    use super::*;
    backends!(
        bus_person_events_reach_that_person_only_and_are_replayed,
        bus_events_for_many_people_take_consecutive_ids,
    );
}

/// PostgreSQL: a node's `LISTEN` connection is killed (the fault a restart
/// of the database or a proxy's idle timeout causes). The node learns it
/// lost messages (a full re-check), listens again, and receives again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bus_postgres_a_dropped_listener_leads_to_a_full_recheck() {
    if std::env::var("CERCLE_SKIP_POSTGRES").is_ok_and(|v| v == "1") {
        eprintln!("CERCLE_SKIP_POSTGRES=1: not run on PostgreSQL");
        return;
    }
    let n = nodes(Db::Postgres).await;
    let mut sub = n.b.subscribe(Filter::All);
    let killed: Vec<bool> = {
        let mut conn = n.store.reader().await.expect("conn");
        sqlx::query_scalar(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = current_database() AND query ILIKE 'LISTEN%' AND pid <> pg_backend_pid()",
        )
        .fetch_all(&mut *conn)
        .await
        .expect("terminate")
    };
    // Both test nodes and the server's own node listen on this database.
    assert!(killed.len() >= 2 && killed.iter().all(|k| *k), "{killed:?}");
    assert_eq!(next(&mut sub).await, Delivery::Resync);
    // Listening again: the next signal from the other node arrives.
    n.a.signal(signal(thread(ThreadId::new()), "after"))
        .await
        .expect("after");
    let seen = until(&mut sub, |d| is_signal(d, "after")).await;
    assert!(seen.iter().all(|d| d == &Delivery::Resync), "{seen:?}");
}

/// NATS: the connection to the server drops (a restart of the server, a
/// proxy's idle timeout). The node learns it may have lost messages (a full
/// re-check), connects again by itself, and receives again. The drop is real:
/// the node talks to the server through a TCP relay whose connections are cut.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bus_nats_a_dropped_connection_leads_to_a_full_recheck() {
    if cercle_testkit::skip_nats() {
        return;
    }
    let (n, relay) = nats_nodes_through_relay(Duration::ZERO).await;
    let mut sub = n.b.subscribe(Filter::All);
    n.a.signal(signal(thread(ThreadId::new()), "before"))
        .await
        .expect("before");
    assert!(is_signal(&next(&mut sub).await, "before"));
    relay.cut();
    assert_eq!(next(&mut sub).await, Delivery::Resync);
    // Connected again through the relay: a later signal arrives. The first
    // ones may be sent before the server has the subscription again, so
    // send until one arrives (bounded).
    let started = std::time::Instant::now();
    loop {
        assert!(started.elapsed() < WAIT, "receives again within the bounded wait");
        n.a.signal(signal(thread(ThreadId::new()), "after"))
            .await
            .expect("after");
        match tokio::time::timeout(Duration::from_millis(200), sub.recv()).await {
            Ok(Some(d)) if is_signal(&d, "after") => break,
            Ok(Some(Delivery::Resync)) | Err(_) => continue,
            Ok(other) => panic!("unexpected {other:?}"),
        }
    }
}

/// NATS: a node says it is ready only once the server has its subscription.
/// The node talks to the server through a relay that holds what it sends for
/// a while, as a loaded machine or a slow network does; what another node
/// publishes right after `ready` still reaches it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bus_nats_a_ready_node_misses_nothing_sent_after() {
    if cercle_testkit::skip_nats() {
        return;
    }
    let (n, _relay) = nats_nodes_through_relay(Duration::from_millis(300)).await;
    let mut sub = n.b.subscribe(Filter::All);
    n.a.signal(signal(thread(ThreadId::new()), "first"))
        .await
        .expect("first");
    let d = next(&mut sub).await;
    assert!(is_signal(&d, "first"), "{d:?}");
}

/// Two nodes through NATS on SQLite: `a` talks to the server directly, `b`
/// through a relay that holds what `b` sends for `delay` (and can be cut).
async fn nats_nodes_through_relay(delay: Duration) -> (Nodes, Relay) {
    let server = cercle_testkit::nats_url();
    let upstream = server.trim_start_matches("nats://").to_string();
    let relay = Relay::start_slow(upstream, delay).await;
    let prefix = format!("cercle-test-{}", UserId::new().0.simple());
    let app = TestApp::spawn(Db::Sqlite).await;
    let store = app.ctx().store.clone();
    let a: Arc<dyn Bus> = Arc::new(bus::nats::NatsBus::new(&server, &prefix));
    let b: Arc<dyn Bus> = Arc::new(bus::nats::NatsBus::new(&format!("nats://{}", relay.addr), &prefix));
    (start(store, a, b, app).await, relay)
}

/// A TCP relay to the NATS server whose open connections can be cut.
struct Relay {
    addr: std::net::SocketAddr,
    cut: tokio::sync::watch::Sender<u64>,
}

impl Relay {
    /// A relay that holds each piece its client sends for `delay` before
    /// passing it on (the server's answers pass at once).
    async fn start_slow(upstream: String, delay: Duration) -> Relay {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let (cut, _) = tokio::sync::watch::channel(0u64);
        let cuts = cut.clone();
        tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                let upstream = upstream.clone();
                let mut cut = cuts.subscribe();
                tokio::spawn(async move {
                    let Ok(mut server) = tokio::net::TcpStream::connect(&upstream).await else {
                        return;
                    };
                    let (mut from_client, mut to_client) = client.split();
                    let (mut from_server, mut to_server) = server.split();
                    let up = async {
                        let mut buf = vec![0u8; 16 * 1024];
                        loop {
                            match from_client.read(&mut buf).await {
                                Ok(0) | Err(_) => return,
                                Ok(n) => {
                                    tokio::time::sleep(delay).await;
                                    if to_server.write_all(&buf[..n]).await.is_err() {
                                        return;
                                    }
                                }
                            }
                        }
                    };
                    tokio::select! {
                        _ = up => {}
                        _ = tokio::io::copy(&mut from_server, &mut to_client) => {}
                        _ = cut.changed() => {}
                    }
                });
            }
        });
        Relay { addr, cut }
    }

    /// Closes every connection open through the relay now.
    fn cut(&self) {
        self.cut.send_modify(|n| *n += 1);
    }
}
