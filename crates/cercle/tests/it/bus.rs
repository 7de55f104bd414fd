//! The event bus conformance suite: the same scenarios against each
//! transport. On SQLite the in-process bus (one node: both "nodes" are the
//! same bus); on PostgreSQL two `LISTEN/NOTIFY` buses on one database, as
//! two nodes would be. A new transport (NATS) joins by running these.
//!
//! Absence is never proved by waiting: a marker is sent after what must not
//! arrive, and the subscriber's deliveries up to the marker are checked.

use crate::backends;
use cercle_app::bus::{self, Bus, Delivery, Filter, Signal, Subscription, Topic};
use cercle_store::threads::{append_event, events_after, last_event_id};
use cercle_store::{Backend, Store};
use cercle_testkit::{Db, TestApp};
use std::sync::Arc;
use std::time::Duration;

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

fn thread(id: &str) -> Topic {
    Topic::Thread(id.into())
}

async fn head(store: &Store) -> i64 {
    let mut conn = store.reader().await.expect("conn");
    last_event_id(&mut conn).await.expect("head")
}

/// Appends one event about `thread_id` and commits, as services do.
async fn commit_event(n: &Nodes, thread_id: &str, payload: &str) -> i64 {
    let mut tx = n.store.begin().await.expect("begin");
    let id = append_event(&mut tx, thread_id, "message", payload, cercle_domain::Timestamp(1))
        .await
        .expect("append");
    n.a.durable_in(&mut tx, &thread(thread_id)).await.expect("durable");
    tx.commit().await.expect("commit");
    n.a.committed().await;
    id
}

/// Each wake-up arrives after its commit: the log then shows the event,
/// and events come in the order they were committed.
async fn bus_durable_wake_ups_follow_commits_in_order(db: Db) {
    let n = nodes(db).await;
    let mut sub = n.b.subscribe(Filter::Topics(vec![thread("t1")]));
    let mut last = head(&n.store).await;
    for i in 0..3 {
        let payload = format!("{{\"i\":{i}}}");
        let id = commit_event(&n, "t1", &payload).await;
        assert_eq!(next(&mut sub).await, Delivery::Committed);
        let mut conn = n.store.reader().await.expect("conn");
        let seen = events_after(&mut conn, last, 100).await.expect("read");
        let ids: Vec<(i64, &str)> = seen.iter().map(|e| (e.id, e.payload.as_str())).collect();
        assert_eq!(ids, vec![(id, payload.as_str())], "the wake-up comes after the commit");
        last = id;
    }
}

/// A transaction that rolls back wakes nobody and leaves nothing to read.
async fn bus_rolled_back_events_are_never_delivered(db: Db) {
    let n = nodes(db).await;
    let mut sub = n.b.subscribe(Filter::All);
    let before = head(&n.store).await;
    let mut tx = n.store.begin().await.expect("begin");
    append_event(&mut tx, "t1", "message", "{}", cercle_domain::Timestamp(1))
        .await
        .expect("append");
    n.a.durable_in(&mut tx, &thread("t1")).await.expect("durable");
    tx.rollback().await.expect("rollback");
    n.a.signal(signal(thread("t1"), "marker")).await.expect("marker");
    let seen = until(&mut sub, |d| is_signal(d, "marker")).await;
    assert!(seen.is_empty(), "nothing before the marker: {seen:?}");
    let mut conn = n.store.reader().await.expect("conn");
    assert!(events_after(&mut conn, before, 10).await.expect("read").is_empty());
}

/// A signal reaches every node, the sender's too, on its topic only.
async fn bus_signals_fan_out_on_their_topic(db: Db) {
    let n = nodes(db).await;
    let mut here = n.a.subscribe(Filter::Topics(vec![thread("t1")]));
    let mut there = n.b.subscribe(Filter::Topics(vec![thread("t1")]));
    let mut elsewhere = n.b.subscribe(Filter::Topics(vec![thread("t2")]));
    n.a.signal(signal(thread("t2"), "other")).await.expect("other");
    n.a.signal(signal(thread("t1"), "typing")).await.expect("typing");
    n.a.signal(signal(thread("t2"), "marker")).await.expect("marker");
    for sub in [&mut here, &mut there] {
        match next(sub).await {
            Delivery::Signal(s) => assert_eq!(*s, signal(thread("t1"), "typing")),
            d => panic!("expected the typing signal, got {d:?}"),
        }
    }
    let seen = until(&mut elsewhere, |d| is_signal(d, "marker")).await;
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert!(is_signal(&seen[0], "other"), "{seen:?}");
}

/// A change of access reaches the person's subscribers and nobody else's,
/// however many people change at once.
async fn bus_access_changes_reach_only_that_person(db: Db) {
    let n = nodes(db).await;
    let mut alice = n.b.subscribe(Filter::Topics(vec![Topic::Person("alice".into())]));
    let mut bob = n.b.subscribe(Filter::Topics(vec![Topic::Person("bob".into())]));
    let mut node = n.b.subscribe(Filter::All);
    n.a.access_changed(&["alice"]).await.expect("alice");
    n.a.access_changed(&["bob"]).await.expect("bob");
    assert_eq!(next(&mut alice).await, Delivery::AccessChanged(Arc::from("alice")));
    assert_eq!(next(&mut bob).await, Delivery::AccessChanged(Arc::from("bob")));
    // Many at once (several notices on PostgreSQL), then a marker.
    let many: Vec<String> = (0..250).map(|i| format!("p{i}")).collect();
    let refs: Vec<&str> = many.iter().map(String::as_str).collect();
    n.a.access_changed(&refs).await.expect("many");
    n.a.access_changed(&["zoe"]).await.expect("marker");
    n.a.access_changed(&["alice"]).await.expect("alice again");
    assert_eq!(next(&mut alice).await, Delivery::AccessChanged(Arc::from("alice")));
    let seen = until(&mut node, |d| d == &Delivery::AccessChanged(Arc::from("zoe"))).await;
    // The node-wide subscriber saw alice, bob, then the 250.
    let people: Vec<String> = seen
        .iter()
        .map(|d| match d {
            Delivery::AccessChanged(p) => p.to_string(),
            d => panic!("unexpected {d:?}"),
        })
        .collect();
    let mut expected = vec!["alice".to_string(), "bob".to_string()];
    expected.extend(many);
    assert_eq!(people, expected);
}

/// A subscriber too far behind is told to read everything again rather
/// than silently missing messages.
async fn bus_a_lagging_subscriber_is_told_to_resync(db: Db) {
    let n = nodes(db).await;
    let mut sub = n.b.subscribe(Filter::All);
    for _ in 0..5000 {
        n.b.committed().await;
    }
    assert_eq!(next(&mut sub).await, Delivery::Resync);
}

backends!(
    bus_durable_wake_ups_follow_commits_in_order,
    bus_rolled_back_events_are_never_delivered,
    bus_signals_fan_out_on_their_topic,
    bus_access_changes_reach_only_that_person,
    bus_a_lagging_subscriber_is_told_to_resync,
);

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
    n.a.signal(signal(thread("t1"), "after")).await.expect("after");
    let seen = until(&mut sub, |d| is_signal(d, "after")).await;
    assert!(seen.iter().all(|d| d == &Delivery::Resync), "{seen:?}");
}
