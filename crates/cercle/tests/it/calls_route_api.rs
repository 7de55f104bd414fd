//! Calls through the forwarding unit across two nodes on one PostgreSQL
//! database (issue 17): every signal to `sfu` of a call goes to the one
//! node whose unit holds it, so people connected to different nodes are in
//! the same call. The participants are str0m clients of the `cercle-sfu`
//! crate (the WebRTC stack of the unit) that signal exactly as a page does:
//! `POST /calls/{id}/signal` to `sfu` on their own node, the unit's
//! answers and offers on their own node's event socket.
//!
//! Checked: two people on node 1 and one on node 2 receive each other's
//! audio and video through node 2's unit (node 1's unit stays empty); a
//! signal forged on the bus for someone not in the call is refused by the
//! holder; leaving through node 1 closes the connection in node 2's unit;
//! the holder gone, a routed signal is refused as unavailable within the
//! bound, and once its lease ran out the next join takes the call over on
//! node 1, whose unit then carries the others, told to join again.

use crate::calls_forwarding_api::{act, group_call};
use crate::calls_signal_api::{direct_pair, ready_socket, signal_at};
use crate::helpers::{next_frame, Person, Ws};
use cercle_app::calls::forwarding::ForwardingLoad;
use cercle_app::calls::route::{self, Outcome};
use cercle_app::calls::signal::SignalKind;
use cercle_app::calls::signal::UnitRequest;
use cercle_app::Ctx;
use cercle_domain::{CallId, UserId};
use cercle_sfu::synthetic::Client;
use cercle_testkit::{Db, TestApp};
use serde_json::json;
use std::time::{Duration, Instant};

/// A participant: their session, the node they use, its socket, their
/// str0m client.
struct Part<'a> {
    person: &'a Person,
    url: String,
    ws: Ws,
    client: Client,
    /// `bye` signals received from `sfu`.
    byes: usize,
    /// The unit's offers answered.
    offers: usize,
}

async fn load(ctx: &Ctx) -> (usize, usize) {
    let ForwardingLoad { calls, participants } = ctx.forwarding.load().await;
    (calls, participants)
}

/// Waits (bounded) until the unit of `ctx` carries `want`.
async fn load_becomes(ctx: &Ctx, want: (usize, usize), what: &str) {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let got = load(ctx).await;
        if got == want {
            return;
        }
        assert!(Instant::now() < deadline, "{what}: {got:?}, not {want:?}, within 15 s");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A new client of `index` for the participant; its join offer sent to
/// `sfu` through their node.
async fn join(app: &TestApp, part: &mut Part<'_>, call: &str, index: u8, base: Instant) -> (u16, serde_json::Value) {
    let (client, offer) = Client::new(index, base).expect("client");
    part.client = client;
    signal_at(
        app,
        &part.url,
        part.person,
        call,
        json!({ "kind": "offer", "to": "sfu", "sdp": offer, "join": true }),
        "en",
    )
    .await
}

/// Drives the clients and the signalling (the unit's answers and offers
/// from each one's socket, their answers back through their node) until
/// `done` or `limit`; whether `done` held.
async fn pump(
    app: &TestApp,
    parts: &mut [Part<'_>],
    call: &str,
    limit: Duration,
    done: impl Fn(&[Part<'_>]) -> bool,
) -> bool {
    let deadline = Instant::now() + limit;
    loop {
        for part in parts.iter_mut() {
            part.client.step();
            while let Some(f) = next_frame(&mut part.ws, Duration::from_millis(1)).await {
                let d = &f["data"];
                if f["type"] != "call_signal" || d["from"] != "sfu" || d["call_id"] != call {
                    continue;
                }
                let sdp = d["sdp"].as_str().unwrap_or_default();
                match d["kind"].as_str() {
                    Some("answer") => part.client.accept_answer(sdp).expect("the unit's answer"),
                    Some("offer") => {
                        let answer = part.client.accept_offer(sdp).expect("the unit's offer");
                        let (status, r) = signal_at(
                            app,
                            &part.url,
                            part.person,
                            call,
                            json!({ "kind": "answer", "to": "sfu", "sdp": answer }),
                            "en",
                        )
                        .await;
                        assert_eq!(status, 202, "the answer to the unit's offer: {r}");
                        part.offers += 1;
                    }
                    Some("bye") => part.byes += 1,
                    _ => {}
                }
            }
        }
        if done(parts) {
            return true;
        }
        if Instant::now() > deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

/// Whether every one of `who` (indexes in `parts`) receives audio and
/// video from each other one.
fn hear_each_other(parts: &[Part<'_>], who: &[usize]) -> bool {
    who.iter().all(|&i| {
        who.iter().filter(|&&j| j != i).all(|&j| {
            let c = parts[i].client.from(parts[j].client.index);
            c.audio > 0 && c.video > 0
        })
    })
}

/// The nodes tell each other through PostgreSQL's `LISTEN/NOTIFY`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn people_on_two_nodes_are_in_one_call_through_one_unit() {
    if cercle_testkit::skip_postgres() {
        return;
    }
    two_nodes_one_unit(None).await;
}

/// The same, the nodes telling each other through NATS.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn people_on_two_nodes_are_in_one_call_through_one_unit_over_nats() {
    if cercle_testkit::skip_postgres() || cercle_testkit::skip_nats() {
        return;
    }
    let subject = format!("cercle-test-{}", UserId::new().0.simple());
    two_nodes_one_unit(Some(subject)).await;
}

async fn two_nodes_one_unit(nats_subject: Option<String>) {
    let app = TestApp::spawn_with(Db::Postgres, |c| {
        c.sfu_enabled = true;
        c.sfu_bind = "127.0.0.1:0".parse().expect("address");
        if let Some(subject) = nats_subject {
            c.nats_url = Some(cercle_testkit::nats_url());
            c.nats_subject = subject;
        }
    })
    .await;
    let mut node2 = app.spawn_node().await;
    for ctx in [app.ctx(), node2.ctx()] {
        tokio::time::timeout(Duration::from_secs(10), ctx.bus.ready())
            .await
            .expect("both nodes listen within 10 s");
    }
    assert_ne!(app.ctx().unit_route.node(), node2.ctx().unit_route.node());
    let d = direct_pair(&app).await;
    let call = group_call(&app, &d.a, &d.b, &d.c).await;
    act(&app, &d.b, &call, "join").await;
    act(&app, &d.c, &call, "join").await;
    let call_id: CallId = call.parse().expect("call id");

    // A and B on node 1, C on node 2.
    let base = Instant::now();
    let mut parts = Vec::new();
    for (person, url) in [(&d.a, &app.url), (&d.b, &app.url), (&d.c, &node2.url)] {
        let (client, _) = Client::new(0, base).expect("client");
        parts.push(Part {
            person,
            url: url.clone(),
            ws: ready_socket(url, person).await,
            client,
            byes: 0,
            offers: 0,
        });
    }
    // C joins first, through node 2: node 2's unit holds the call. A and B
    // join through node 1: their signals go to node 2.
    for (i, index) in [(2, 3), (0, 1), (1, 2)] {
        let (status, r) = join(&app, &mut parts[i], &call, index, base).await;
        assert_eq!(status, 202, "join of participant {index}: {r}");
        let connected = pump(&app, &mut parts, &call, Duration::from_secs(20), |p| {
            p[i].client.is_connected()
        })
        .await;
        assert!(connected, "participant {index} connected to the unit within 20 s");
    }
    let everyone = pump(&app, &mut parts, &call, Duration::from_secs(30), |p| {
        hear_each_other(p, &[0, 1, 2])
    })
    .await;
    let counts: Vec<_> = parts.iter().map(|p| p.client.received().clone()).collect();
    assert!(
        everyone,
        "each receives audio and video from both others within 30 s: {counts:?}"
    );
    assert_eq!(load(node2.ctx()).await, (1, 3), "all three on node 2's unit");
    assert_eq!(load(app.ctx()).await, (0, 0), "none on node 1's unit");

    // A signal forged on the bus for someone not in the call (nobody, here)
    // is refused by the holder; its unit is unchanged.
    let forged = |user_id: UserId| UnitRequest {
        call_id,
        user_id,
        kind: SignalKind::Offer,
        sdp: Some(Client::new(9, base).expect("client").1),
        join: true,
    };
    let holder = node2.ctx().unit_route.node().to_string();
    let outcome = route::ask(app.ctx(), &holder, &forged(UserId::new())).await;
    assert_eq!(outcome, Some(Outcome::NotFound));
    assert_eq!(load(node2.ctx()).await, (1, 3));

    // A leaves through node 1: their connection closes in node 2's unit
    // (which offers B and C to stop A's tracks); a join forged for them
    // afterwards is refused there.
    let offered = (parts[1].offers, parts[2].offers);
    act(&app, &d.a, &call, "leave").await;
    load_becomes(node2.ctx(), (1, 2), "A's connection closed on node 2").await;
    let stopped = pump(&app, &mut parts, &call, Duration::from_secs(20), |p| {
        p[1].offers > offered.0 && p[2].offers > offered.1
    })
    .await;
    assert!(stopped, "B and C answered the offers that stop A's tracks within 20 s");
    let a_id: UserId = d.a_id.parse().expect("user id");
    let outcome = route::ask(app.ctx(), &holder, &forged(a_id)).await;
    assert_eq!(outcome, Some(Outcome::NotFound));
    assert_eq!(load(node2.ctx()).await, (1, 2));

    // Node 2 crashes (nothing handed over). A signal routed to it meanwhile
    // is refused as unavailable after the bound (never a wait without end).
    node2.kill();
    let started = Instant::now();
    let (status, e) = join(&app, &mut parts[1], &call, 2, base).await;
    assert_eq!(
        (status, e["code"].as_str()),
        (422, Some("signal-unit-unavailable")),
        "{e}"
    );
    assert!(started.elapsed() < route::ASK_TIMEOUT + Duration::from_secs(5));
    // C's page reconnects to node 1.
    parts[2].ws = ready_socket(&app.url, &d.c).await;
    parts[2].url = app.url.clone();
    // Once node 2's lease ran out, B's join takes the call over on node 1;
    // C, present, is told (`bye` from `sfu`) and joins again there.
    app.advance(route::LEASE_MS / 1000 + 1);
    let (status, r) = join(&app, &mut parts[1], &call, 2, base).await;
    assert_eq!(status, 202, "{r}");
    let told = pump(&app, &mut parts, &call, Duration::from_secs(20), |p| p[2].byes > 0).await;
    assert!(told, "C told to join again within 20 s");
    assert_eq!(parts[1].byes, 0, "not the one who took it over");
    let (status, r) = join(&app, &mut parts[2], &call, 3, base).await;
    assert_eq!(status, 202, "{r}");
    let again = pump(&app, &mut parts, &call, Duration::from_secs(30), |p| {
        hear_each_other(p, &[1, 2])
    })
    .await;
    assert!(again, "B and C hear each other through node 1's unit within 30 s");
    assert_eq!(load(app.ctx()).await, (1, 2));
}

/// A node that stops lets go of the calls it holds at once and tells their
/// people to join again (`bye` from `sfu`): the next join, through the
/// other node, takes the call without waiting for the lease (the clock
/// does not move here).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_stopping_hands_its_calls_over() {
    if cercle_testkit::skip_postgres() {
        return;
    }
    let app = TestApp::spawn_with(Db::Postgres, |c| {
        c.sfu_enabled = true;
        c.sfu_bind = "127.0.0.1:0".parse().expect("address");
    })
    .await;
    let mut node2 = app.spawn_node().await;
    for ctx in [app.ctx(), node2.ctx()] {
        tokio::time::timeout(Duration::from_secs(10), ctx.bus.ready())
            .await
            .expect("both nodes listen within 10 s");
    }
    let d = direct_pair(&app).await;
    let call = group_call(&app, &d.a, &d.b, &d.c).await;
    act(&app, &d.b, &call, "join").await;
    let base = Instant::now();
    let (client, _) = Client::new(0, base).expect("client");
    let mut a = Part {
        person: &d.a,
        url: node2.url.clone(),
        ws: ready_socket(&app.url, &d.a).await,
        client,
        byes: 0,
        offers: 0,
    };
    let (status, r) = join(&app, &mut a, &call, 1, base).await;
    assert_eq!(status, 202, "{r}");
    load_becomes(node2.ctx(), (1, 1), "A on node 2's unit").await;

    node2.stop().await;
    let mut parts = [a];
    let told = pump(&app, &mut parts, &call, Duration::from_secs(20), |p| p[0].byes > 0).await;
    assert!(told, "A told to join again within 20 s");
    let call_id: CallId = call.parse().expect("call id");
    let mut conn = app.ctx().store.reader().await.expect("reader");
    let holder = cercle_store::calls::unit_holder(&mut conn, call_id)
        .await
        .expect("holder");
    drop(conn);
    assert_eq!(holder, None, "the call let go");
    // B's join through node 1 takes it at once (no lease to wait for).
    let (client, _) = Client::new(0, base).expect("client");
    let mut b = Part {
        person: &d.b,
        url: app.url.clone(),
        ws: ready_socket(&app.url, &d.b).await,
        client,
        byes: 0,
        offers: 0,
    };
    let (status, r) = join(&app, &mut b, &call, 2, base).await;
    assert_eq!(status, 202, "{r}");
    load_becomes(app.ctx(), (1, 1), "B on node 1's unit").await;
    let mut parts = [b];
    let connected = pump(&app, &mut parts, &call, Duration::from_secs(20), |p| {
        p[0].client.is_connected()
    })
    .await;
    assert!(connected, "B connected to node 1's unit within 20 s");
}
