//! The calls close connections in the node's forwarding unit (issue 17),
//! on SQLite and PostgreSQL: with `sfu_enabled`, the unit runs with the
//! node; participants who leave, are removed or vanish (no heartbeat) have
//! their connections closed there, and so does everyone's when the call
//! ends. The participants are str0m clients of the `cercle-sfu` crate that
//! connect through the calls' `Forwarding` port (the signalling that
//! browsers use sits on top of it).

use crate::backends;
use crate::calls_signal_api::{call_answered, direct_pair, ready_socket, signal_at};
use crate::helpers::{
    clinical_thread, fleuve_and_two_members, id_of, next_frame, open_clinical_thread, patient_file, Person,
};
use cercle_app::calls::forwarding::ForwardingLoad;
use cercle_domain::{CallId, UserId};
use cercle_testkit::{Db, TestApp};
use serde_json::json;
use std::time::{Duration, Instant};

backends!(
    the_unit_closes_connections_on_leave_remove_loss_and_end,
    signals_to_the_unit_are_checked_and_answered,
);

async fn enabled(db: Db) -> TestApp {
    TestApp::spawn_with(db, |c| {
        c.sfu_enabled = true;
        c.sfu_bind = "127.0.0.1:0".parse().expect("address");
    })
    .await
}

pub async fn act(app: &TestApp, p: &Person, call: &str, what: &str) -> u16 {
    let (status, r) = app
        .post(&format!("/calls/{call}/{what}"), Some(&p.token), json!({}))
        .await;
    assert!(status < 300, "{what}: {status} {r}");
    status
}

/// Connects a person's synthetic client to the unit (its offer accepted).
async fn connect(app: &TestApp, call: &str, user: &str) {
    let (_client, offer) = cercle_sfu::synthetic::Client::new(1, Instant::now()).expect("client");
    let call: CallId = call.parse().expect("call id");
    let user: UserId = user.parse().expect("user id");
    let answer = app
        .ctx()
        .forwarding
        .join(call, user, &offer)
        .await
        .expect("unit answers");
    assert!(answer.starts_with("v=0"), "{answer}");
}

async fn load(app: &TestApp) -> (usize, usize) {
    let ForwardingLoad { calls, participants } = app.ctx().forwarding.load().await;
    (calls, participants)
}

async fn the_unit_closes_connections_on_leave_remove_loss_and_end(db: Db) {
    // Off by default: no unit, joins refused.
    let mut plain = TestApp::spawn(db).await;
    assert!(!plain.ctx().forwarding.enabled());
    plain.stop().await;

    let mut app = enabled(db).await;
    assert!(app.ctx().forwarding.enabled());
    let (org, b, c) = fleuve_and_two_members(&app).await;
    let a = org.admin;
    let file = patient_file(&app, &a, "Gérard", "Lévesque", "1941-03-02").await;
    let (status, t) = open_clinical_thread(&app, &a, &file, &[&b, &c], "Suivi de M. Lévesque").await;
    assert_eq!(status, 201, "{t}");
    let t = t["id"].as_str().expect("thread").to_string();
    let (a_id, b_id, c_id) = (id_of(&app, &a).await, id_of(&app, &b).await, id_of(&app, &c).await);

    // A starts a video call; B and C join; all three connect to the unit.
    let (status, call) = app
        .post(
            &format!("/threads/{t}/calls"),
            Some(&a.token),
            json!({ "media": "video" }),
        )
        .await;
    assert_eq!(status, 201, "{call}");
    let call = call["id"].as_str().expect("call").to_string();
    act(&app, &b, &call, "join").await;
    act(&app, &c, &call, "join").await;
    for u in [&a_id, &b_id, &c_id] {
        connect(&app, &call, u).await;
    }
    assert_eq!(load(&app).await, (1, 3));

    // C leaves: their connection closes, the others' stay.
    act(&app, &c, &call, "leave").await;
    assert_eq!(load(&app).await, (1, 2));
    // A (the starter) removes B.
    let (status, r) = app
        .delete(&format!("/calls/{call}/participants/{b_id}"), Some(&a.token))
        .await;
    assert_eq!(status, 200, "{r}");
    assert_eq!(load(&app).await, (1, 1));
    // The end closes every connection (C, reconnecting on their own, too).
    connect(&app, &call, &c_id).await;
    assert_eq!(load(&app).await, (1, 2));
    act(&app, &a, &call, "end").await;
    assert_eq!(load(&app).await, (0, 0));

    // A second call whose people vanish: the sweep marks them gone after
    // the presence timeout and the last one out ends it.
    let (status, call) = app
        .post(
            &format!("/threads/{t}/calls"),
            Some(&b.token),
            json!({ "media": "audio" }),
        )
        .await;
    assert_eq!(status, 201, "{call}");
    let call = call["id"].as_str().expect("call").to_string();
    act(&app, &c, &call, "join").await;
    connect(&app, &call, &b_id).await;
    connect(&app, &call, &c_id).await;
    assert_eq!(load(&app).await, (1, 2));
    app.advance(app.config.call_presence_timeout_secs + 1);
    let swept = cercle_app::calls::sweep(app.ctx()).await.expect("sweep");
    assert_eq!((swept.lost, swept.emptied), (2, 1), "{swept:?}");
    assert_eq!(load(&app).await, (0, 0));
    app.stop().await;
}

/// A video call of A's in a clinical thread with B and C (topology `sfu`).
pub async fn group_call(app: &TestApp, a: &Person, b: &Person, c: &Person) -> String {
    let t = clinical_thread(app, a, &[b, c], "Suivi de M. Lévesque").await;
    let (status, call) = app
        .post(
            &format!("/threads/{t}/calls"),
            Some(&a.token),
            json!({ "media": "video" }),
        )
        .await;
    assert_eq!(status, 201, "{call}");
    assert_eq!(call["topology"], "sfu", "{call}");
    call["id"].as_str().expect("call").to_string()
}

/// Browsers signal the unit (`to: "sfu"`): refused, translated, on a node
/// without it; with it, an offer with `join` is answered by the unit (a
/// `call_signal` from `sfu` on the sender's stream), and only people in a
/// call of three or more may signal it.
async fn signals_to_the_unit_are_checked_and_answered(db: Db) {
    let (_client, offer) = cercle_sfu::synthetic::Client::new(1, Instant::now()).expect("client");
    let join = json!({ "kind": "offer", "to": "sfu", "sdp": offer, "join": true });

    // No unit: a clear refusal, in the reader's language.
    let mut plain = TestApp::spawn(db).await;
    let (org, b, c) = fleuve_and_two_members(&plain).await;
    let call = group_call(&plain, &org.admin, &b, &c).await;
    let (status, e) = signal_at(&plain, &plain.url, &org.admin, &call, join.clone(), "fr").await;
    assert_eq!((status, e["code"].as_str()), (422, Some("signal-unit-disabled")), "{e}");
    assert!(
        e["message"].as_str().is_some_and(|m| m.contains("unité de transfert")),
        "{e}"
    );
    let (_, e) = signal_at(&plain, &plain.url, &org.admin, &call, join.clone(), "en").await;
    assert!(
        e["message"].as_str().is_some_and(|m| m.contains("forwarding unit")),
        "{e}"
    );
    plain.stop().await;

    let mut app = enabled(db).await;
    let d = direct_pair(&app).await;
    // A peer-to-peer call has no unit to signal: not found.
    let direct = call_answered(&app, &d).await;
    let (status, e) = signal_at(&app, &app.url, &d.a, &direct, join.clone(), "en").await;
    assert_eq!(status, 404, "{e}");
    act(&app, &d.a, &direct, "end").await;

    let call = group_call(&app, &d.a, &d.b, &d.c).await;
    // C, not in the call (yet), may not.
    let (status, e) = signal_at(&app, &app.url, &d.c, &call, join.clone(), "en").await;
    assert_eq!(status, 404, "{e}");
    // A joins the unit: the answer comes on A's stream, from `sfu`.
    let mut ws = ready_socket(&app.url, &d.a).await;
    let (status, r) = signal_at(&app, &app.url, &d.a, &call, join.clone(), "en").await;
    assert_eq!(status, 202, "{r}");
    let deadline = Instant::now() + Duration::from_secs(20);
    let answer = loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let f = next_frame(&mut ws, left).await.expect("the unit's answer within 20 s");
        if f["type"] == "call_signal" {
            break f["data"].clone();
        }
    };
    assert_eq!(
        (answer["from"].as_str(), answer["kind"].as_str(), answer["to"].as_str()),
        (Some("sfu"), Some("answer"), Some(d.a_id.as_str())),
        "{answer}"
    );
    assert!(answer["sdp"].as_str().is_some_and(|s| s.starts_with("v=0")), "{answer}");
    assert_eq!(answer["call_id"], call.as_str());
    assert_eq!(load(&app).await, (1, 1));
    // An answer when the unit offered nothing: refused, translated.
    let (status, e) = signal_at(
        &app,
        &app.url,
        &d.a,
        &call,
        json!({ "kind": "answer", "to": "sfu", "sdp": answer["sdp"] }),
        "en",
    )
    .await;
    assert_eq!(
        (status, e["code"].as_str()),
        (422, Some("signal-unit-unavailable")),
        "{e}"
    );
    // Candidates are taken (the unit learns addresses from its checks).
    let cand = json!({ "kind": "candidate", "to": "sfu", "candidate": "candidate:1 1 udp 2122260223 127.0.0.1 54321 typ host" });
    let (status, e) = signal_at(&app, &app.url, &d.a, &call, cand, "en").await;
    assert_eq!(status, 202, "{e}");
    // Same shape checks as any signal.
    let bad = json!({ "kind": "offer", "to": "sfu", "sdp": "<html>", "join": true });
    let (status, e) = signal_at(&app, &app.url, &d.a, &call, bad, "en").await;
    assert_eq!((status, e["code"].as_str()), (422, Some("signal-sdp-malformed")), "{e}");
    // A large call's SDP passes to the unit, beyond the 32 KiB of signals
    // between two browsers: as many media lines as a call of the most
    // participants holds (4 each: 64 for 16), sent through the API (past
    // the socket's 48 KiB frames); the unit's answer, as large, comes back
    // on A's stream (through the bus: in parts on PostgreSQL).
    let max = cercle_app::calls::signal::max_unit_sdp(app.ctx().config.call_max_participants);
    let lines = app.ctx().config.call_max_participants * cercle_app::calls::signal::UNIT_LINES_PER_PARTICIPANT;
    let large = cercle_sfu::synthetic::offer_with_lines(lines / 4, lines - lines / 4).expect("offer");
    assert!(
        large.len() > 64 * 1024 && large.len() <= max,
        "{} bytes, {max} at most",
        large.len()
    );
    let big_join = json!({ "kind": "offer", "to": "sfu", "sdp": large, "join": true });
    let (status, r) = signal_at(&app, &app.url, &d.a, &call, big_join, "en").await;
    assert_eq!(status, 202, "{r}");
    let deadline = Instant::now() + Duration::from_secs(20);
    let big_answer = loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let f = next_frame(&mut ws, left)
            .await
            .expect("the unit's large answer within 20 s");
        if f["type"] == "call_signal" {
            break f["data"].clone();
        }
    };
    let sdp = big_answer["sdp"].as_str().unwrap_or_default();
    assert!(
        sdp.len() > 64 * 1024,
        "the unit answers every line: {} bytes",
        sdp.len()
    );
    assert_eq!(sdp.matches("\r\nm=").count(), lines, "one answer line per offer line");
    // One byte over the bound: refused, with a clear, translated message.
    let over = format!("{large}a={}\r\n", "x".repeat(max - large.len() - 3));
    assert_eq!(over.len(), max + 1);
    for (lang, says) in [("fr", "20 Kio par participant"), ("en", "20 KiB per participant")] {
        let (status, e) = signal_at(
            &app,
            &app.url,
            &d.a,
            &call,
            json!({ "kind": "offer", "to": "sfu", "sdp": over, "join": true }),
            lang,
        )
        .await;
        assert_eq!((status, e["code"].as_str()), (422, Some("signal-sdp-too-large")), "{e}");
        assert!(e["message"].as_str().is_some_and(|m| m.contains(says)), "{e}");
    }
    // `bye` closes A's connection there.
    let (status, e) = signal_at(&app, &app.url, &d.a, &call, json!({ "kind": "bye", "to": "sfu" }), "en").await;
    assert_eq!(status, 202, "{e}");
    assert_eq!(load(&app).await, (0, 0));
    app.stop().await;
}
