//! Peer-to-peer calls (issue 17, third step), through the JSON API and the
//! event WebSocket on SQLite and PostgreSQL: a direct thread's call is
//! `p2p` with two people at most; its WebRTC signals reach the other
//! person's stream with `from` set by the server (a forged one is ignored)
//! and a fresh nonce; nobody outside the call signals or is signalled
//! (404); an SDP too large or malformed and a candidate too long are
//! refused with a translated message; a flood is cut; nothing of it is
//! stored; the ICE servers are for participants only. On PostgreSQL, a
//! signal larger than one NOTIFY from a person on one node reaches a
//! person connected to another node, whole.

use crate::backends;
use crate::helpers::{admin_and_two_members, events_socket, id_of, next_frame, Person, Ws};
use cercle_testkit::{status_and_json, Db, TestApp};
use futures_util::SinkExt;
use serde_json::{json, Value};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

backends!(
    signals_go_between_the_two_people_of_a_direct_call_only,
    bad_signals_are_refused_with_a_translated_message_and_a_flood_is_cut,
    participants_get_short_lived_turn_credentials_from_the_settings,
);

/// A session description as browsers write them (CRLF lines).
pub fn sdp(extra_lines: usize) -> String {
    let mut s = String::from(
        "v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1\r\n\
         m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\na=rtpmap:111 opus/48000/2\r\n\
         m=video 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\na=mid:1\r\na=rtpmap:96 VP8/90000\r\n",
    );
    for i in 0..extra_lines {
        s.push_str(&format!("a=ssrc:{i} cname:é\"quoted\"\\backslash{i}\r\n"));
    }
    s
}

pub struct Direct {
    pub a: Person,
    pub b: Person,
    /// A colleague of theirs, outside their direct thread.
    pub c: Person,
    pub a_id: String,
    pub b_id: String,
    pub c_id: String,
    pub thread: String,
}

/// A and B friends with their direct thread; C outside it.
pub async fn direct_pair(app: &TestApp) -> Direct {
    let (a, b, c) = admin_and_two_members(app).await;
    let (a_id, b_id, c_id) = (id_of(app, &a).await, id_of(app, &b).await, id_of(app, &c).await);
    let (status, r) = app
        .post("/network/friends", Some(&a.token), json!({ "user_id": b_id }))
        .await;
    assert_eq!(status, 200, "{r}");
    let (_, f) = app.get("/network/friends", Some(&b.token)).await;
    let req = f["incoming"][0]["id"].as_str().expect("request").to_string();
    let (status, r) = app
        .post(
            &format!("/network/friends/requests/{req}/accept"),
            Some(&b.token),
            json!({}),
        )
        .await;
    assert!(status < 300, "{status} {r}");
    let (status, d) = app.post("/direct", Some(&a.token), json!({ "user_id": b_id })).await;
    assert_eq!(status, 200, "{d}");
    let thread = d["id"].as_str().expect("thread").to_string();
    Direct {
        a,
        b,
        c,
        a_id,
        b_id,
        c_id,
        thread,
    }
}

/// A's video call in the direct thread, joined by B.
pub async fn call_answered(app: &TestApp, d: &Direct) -> String {
    let (status, call) = app
        .post(
            &format!("/threads/{}/calls", d.thread),
            Some(&d.a.token),
            json!({ "media": "video" }),
        )
        .await;
    assert_eq!(status, 201, "{call}");
    assert_eq!(call["topology"], "p2p", "{call}");
    assert_eq!(call["max_participants"], 2, "{call}");
    let id = call["id"].as_str().expect("id").to_string();
    let (status, joined) = app
        .post(&format!("/calls/{id}/join"), Some(&d.b.token), json!({}))
        .await;
    assert_eq!(status, 200, "{joined}");
    id
}

async fn signal_at(app: &TestApp, url: &str, p: &Person, call: &str, body: Value, lang: &str) -> (u16, Value) {
    let r = app
        .http
        .post(format!("{url}/api/v1/calls/{call}/signal"))
        .bearer_auth(&p.token)
        .header("Accept-Language", lang)
        .json(&body)
        .send()
        .await
        .expect("request");
    status_and_json(r).await
}

async fn signal(app: &TestApp, p: &Person, call: &str, body: Value) -> (u16, Value) {
    signal_at(app, &app.url, p, call, body, "en").await
}

/// A socket past its catch-up (the `ready` frame).
pub async fn ready_socket(url: &str, p: &Person) -> Ws {
    let mut ws = events_socket(url, &p.token, None).await;
    loop {
        let f = next_frame(&mut ws, Duration::from_secs(10))
            .await
            .expect("ready within 10 s");
        if f["type"] == "ready" {
            return ws;
        }
    }
}

/// The next frame of `kind`, within `secs`.
pub async fn frame_of(ws: &mut Ws, kind: &str, secs: u64) -> Option<Value> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    loop {
        let left = deadline.checked_duration_since(tokio::time::Instant::now())?;
        let f = next_frame(ws, left).await?;
        if f["type"] == kind {
            return Some(f);
        }
    }
}

async fn signals_go_between_the_two_people_of_a_direct_call_only(db: Db) {
    let app = TestApp::spawn(db).await;
    let d = direct_pair(&app).await;
    let (status, call) = app
        .post(
            &format!("/threads/{}/calls", d.thread),
            Some(&d.a.token),
            json!({ "media": "video" }),
        )
        .await;
    assert_eq!(status, 201, "{call}");
    let call_id = call["id"].as_str().expect("id").to_string();
    assert_eq!(call["topology"], "p2p");
    let offer = sdp(3);
    let to_b = json!({ "kind": "offer", "to": d.b_id, "sdp": offer });

    // B is not in the call yet: nobody to signal.
    let (status, body) = signal(&app, &d.a, &call_id, to_b.clone()).await;
    assert_eq!(status, 404, "{body}");
    // ICE servers: for people in the call; none configured, none given.
    let (status, ice) = app.get(&format!("/calls/{call_id}/ice"), Some(&d.a.token)).await;
    assert_eq!(status, 200, "{ice}");
    assert_eq!(ice["ice_servers"], json!([]), "host candidates only: {ice}");
    let (status, _) = app.get(&format!("/calls/{call_id}/ice"), Some(&d.b.token)).await;
    assert_eq!(status, 404, "not in the call yet");
    let (status, _) = app.get(&format!("/calls/{call_id}/ice"), Some(&d.c.token)).await;
    assert_eq!(status, 404, "outside the thread");

    let mut ws_a = ready_socket(&app.url, &d.a).await;
    let mut ws_b = ready_socket(&app.url, &d.b).await;
    let mut ws_c = ready_socket(&app.url, &d.c).await;
    let (status, joined) = app
        .post(&format!("/calls/{call_id}/join"), Some(&d.b.token), json!({}))
        .await;
    assert_eq!(status, 200, "{joined}");
    // C reaches no call in their colleagues' direct thread.
    let (status, _) = app
        .post(&format!("/calls/{call_id}/join"), Some(&d.c.token), json!({}))
        .await;
    assert_eq!(status, 404);

    // A's offer, with a forged sender: B receives it from A, with the nonce.
    let mut forged = to_b.clone();
    forged["from"] = json!(d.c_id);
    let (status, sent) = signal(&app, &d.a, &call_id, forged).await;
    assert_eq!(status, 202, "{sent}");
    let nonce = sent["nonce"].as_str().expect("nonce").to_string();
    let f = frame_of(&mut ws_b, "call_signal", 10)
        .await
        .expect("the offer on B's stream within 10 s");
    let s = &f["data"];
    assert_eq!(s["from"], d.a_id.as_str(), "the server says who sent it: {s}");
    assert_eq!(s["to"], d.b_id.as_str());
    assert_eq!(s["call_id"], call_id.as_str());
    assert_eq!(s["kind"], "offer");
    assert_eq!(s["sdp"], offer.as_str(), "the SDP intact");
    assert_eq!(s["nonce"], nonce.as_str());
    assert!(f["id"].is_null(), "never logged: {f}");
    // The same again: another nonce (a client drops a nonce seen before).
    let (_, again) = signal(&app, &d.a, &call_id, to_b.clone()).await;
    assert_ne!(again["nonce"], sent["nonce"]);
    let f = frame_of(&mut ws_b, "call_signal", 10).await.expect("second offer");
    assert_eq!(f["data"]["nonce"], again["nonce"]);

    // B answers through the socket; A receives it, B is told it went.
    let answer = sdp(1);
    let frame = json!({ "type": "call_signal", "call_id": call_id, "to": d.a_id, "from": d.c_id,
        "kind": "answer", "sdp": answer });
    ws_b.send(Message::Text(frame.to_string().into())).await.expect("send");
    let f = frame_of(&mut ws_a, "call_signal", 10)
        .await
        .expect("the answer on A's stream within 10 s");
    assert_eq!(f["data"]["from"], d.b_id.as_str());
    assert_eq!(f["data"]["sdp"], answer.as_str());
    let ok = frame_of(&mut ws_b, "call_signal_sent", 10).await.expect("sent");
    assert_eq!(ok["data"]["nonce"], f["data"]["nonce"]);
    // A candidate, and the end of candidates.
    let cand = "candidate:842163049 1 udp 1677729535 192.168.1.20 50000 typ srflx raddr 0.0.0.0 rport 0 generation 0";
    let (status, _) = signal(
        &app,
        &d.b,
        &call_id,
        json!({ "kind": "candidate", "to": d.a_id, "candidate": cand, "sdp_mid": "0", "sdp_m_line_index": 0 }),
    )
    .await;
    assert_eq!(status, 202);
    let f = frame_of(&mut ws_a, "call_signal", 10).await.expect("candidate");
    assert_eq!(f["data"]["candidate"], cand);
    assert_eq!(f["data"]["sdp_m_line_index"], 0);
    let (status, _) = signal(
        &app,
        &d.b,
        &call_id,
        json!({ "kind": "candidate", "to": d.a_id, "candidate": "" }),
    )
    .await;
    assert_eq!(status, 202);

    // Nobody outside the call signals, nor is signalled; not to oneself.
    let (status, _) = signal(&app, &d.c, &call_id, json!({ "kind": "bye", "to": d.a_id })).await;
    assert_eq!(status, 404, "C is not in the call");
    let (status, _) = signal(&app, &d.a, &call_id, json!({ "kind": "bye", "to": d.c_id })).await;
    assert_eq!(status, 404, "C is not in the call");
    let (status, _) = signal(&app, &d.a, &call_id, json!({ "kind": "bye", "to": d.a_id })).await;
    assert_eq!(status, 404, "not to oneself");
    let (status, _) = signal(&app, &d.a, &call_id, json!({ "kind": "bye", "to": "nobody" })).await;
    assert_eq!(status, 404);
    let other = "0190f0f0-0000-7000-8000-000000000000";
    let (status, _) = signal(&app, &d.a, other, json!({ "kind": "bye", "to": d.b_id })).await;
    assert_eq!(status, 404, "no such call");
    // Through the socket, the refusal comes back to the sender only.
    let frame = json!({ "type": "call_signal", "call_id": call_id, "to": d.b_id, "kind": "bye" });
    ws_c.send(Message::Text(frame.to_string().into())).await.expect("send");
    let refused = frame_of(&mut ws_c, "call_signal_error", 10).await.expect("refusal");
    assert_eq!(refused["data"]["code"], "not-found", "{refused}");
    assert!(
        frame_of(&mut ws_c, "call_signal", 1).await.is_none(),
        "C hears no signal"
    );

    // The ICE servers, now that B is in.
    let (status, _) = app.get(&format!("/calls/{call_id}/ice"), Some(&d.b.token)).await;
    assert_eq!(status, 200);

    // A call of two holds two: nobody else could join (C does not reach
    // it; the cap is the call's own).
    let (_, shown) = app.get(&format!("/calls/{call_id}"), Some(&d.a.token)).await;
    assert_eq!(shown["max_participants"], 2, "{shown}");

    // Bye, then B leaves: A may no longer signal B.
    let (status, _) = signal(&app, &d.b, &call_id, json!({ "kind": "bye", "to": d.a_id })).await;
    assert_eq!(status, 202);
    let (status, _) = app
        .post(&format!("/calls/{call_id}/leave"), Some(&d.b.token), json!({}))
        .await;
    assert_eq!(status, 200);
    let (status, _) = signal(&app, &d.a, &call_id, to_b.clone()).await;
    assert_eq!(status, 404, "B left");

    // Nothing of the signals was stored: not in the event log.
    for p in [&d.a_id, &d.b_id] {
        let (events, _) = cercle_app::threads::service::events_since(app.ctx(), p, 0, 100_000)
            .await
            .expect("events");
        assert!(
            events.iter().all(|e| e.kind.as_str() != "call_signal"),
            "a signal in the log"
        );
    }
    let count = async |sql: &str| -> i64 {
        use sqlx::Row;
        let mut conn = app.ctx().store.reader().await.expect("reader");
        sqlx::query(sql)
            .fetch_one(&mut *conn)
            .await
            .expect("count")
            .try_get("n")
            .expect("n")
    };
    let logged = count("SELECT COUNT(*) AS n FROM events WHERE kind = 'call_signal'").await;
    assert_eq!(logged, 0);
    let leaked = count("SELECT COUNT(*) AS n FROM events WHERE payload LIKE '%a=rtpmap%'").await;
    assert_eq!(leaked, 0, "no SDP anywhere in the log");
}

async fn bad_signals_are_refused_with_a_translated_message_and_a_flood_is_cut(db: Db) {
    let app = TestApp::spawn(db).await;
    let d = direct_pair(&app).await;
    let call_id = call_answered(&app, &d).await;
    let to_b = |kind: &str, field: &str, value: Value| {
        let mut v = json!({ "kind": kind, "to": d.b_id });
        v[field] = value;
        v
    };
    // Too large (over 32 KiB), in French and in English.
    let big = sdp(1000);
    assert!(big.len() > 32 * 1024);
    let (status, e) = signal_at(&app, &app.url, &d.a, &call_id, to_b("offer", "sdp", json!(big)), "fr").await;
    assert_eq!(status, 422, "{e}");
    assert_eq!(e["code"], "signal-sdp-too-large");
    assert!(e["message"].as_str().is_some_and(|m| m.contains("32 Kio")), "{e}");
    let (status, e) = signal_at(&app, &app.url, &d.a, &call_id, to_b("offer", "sdp", json!(big)), "en").await;
    assert_eq!(status, 422);
    assert!(e["message"].as_str().is_some_and(|m| m.contains("32 KiB")), "{e}");
    // Malformed.
    for bad in [
        "<html></html>",
        "v=1\r\ns=-\r\n",
        "v=0\r\nthis is no field\r\n",
        "v=0\r\ns=a\u{0}b\r\n",
    ] {
        let (status, e) = signal_at(&app, &app.url, &d.a, &call_id, to_b("answer", "sdp", json!(bad)), "fr").await;
        assert_eq!(status, 422, "{bad:?}: {e}");
        assert_eq!(e["code"], "signal-sdp-malformed", "{bad:?}");
        assert!(e["message"].as_str().is_some_and(|m| m.contains("mal formée")), "{e}");
    }
    // An offer without its SDP; a candidate too long or on two lines.
    let (status, e) = signal(&app, &d.a, &call_id, json!({ "kind": "offer", "to": d.b_id })).await;
    assert_eq!((status, e["code"].as_str()), (422, Some("signal-invalid")), "{e}");
    let long = format!("candidate:{}", "1".repeat(1100));
    let (status, e) = signal(&app, &d.a, &call_id, to_b("candidate", "candidate", json!(long))).await;
    assert_eq!(
        (status, e["code"].as_str()),
        (422, Some("signal-candidate-invalid")),
        "{e}"
    );
    let (status, _) = signal(
        &app,
        &d.a,
        &call_id,
        to_b("candidate", "candidate", json!("candidate:1\r\na=x")),
    )
    .await;
    assert_eq!(status, 422);
    // An unknown kind is refused as a malformed request.
    let (status, _) = signal(&app, &d.a, &call_id, json!({ "kind": "hello", "to": d.b_id })).await;
    assert!(status == 400 || status == 422, "{status}");
    // Through the socket: an SDP too large comes back refused, translated.
    let mut ws_a = ready_socket(&app.url, &d.a).await;
    let frame = json!({ "type": "call_signal", "call_id": call_id, "to": d.b_id, "kind": "offer", "sdp": sdp(900) });
    ws_a.send(Message::Text(frame.to_string().into())).await.expect("send");
    let refused = frame_of(&mut ws_a, "call_signal_error", 10).await.expect("refusal");
    assert_eq!(refused["data"]["code"], "signal-sdp-too-large", "{refused}");

    // A flood: at most 240 a minute for one person (the server's clock
    // stands still here: one minute); then 429, translated.
    let cand = json!({ "kind": "candidate", "to": d.b_id, "candidate": "candidate:1 1 udp 1 10.0.0.1 9 typ host" });
    let mut accepted = 0;
    let mut cut = None;
    for _ in 0..260 {
        let (status, e) = signal_at(&app, &app.url, &d.a, &call_id, cand.clone(), "fr").await;
        match status {
            202 => accepted += 1,
            429 => {
                cut = Some(e);
                break;
            }
            other => panic!("{other} {e}"),
        }
    }
    let cut = cut.expect("cut before 260 signals");
    assert_eq!(accepted, 240, "the refusals of bad shapes did not count");
    assert!(cut["message"].as_str().is_some_and(|m| !m.is_empty()), "{cut}");
    // Someone else is not held back by A's flood.
    let (status, _) = signal(
        &app,
        &d.b,
        &call_id,
        json!({ "kind": "candidate", "to": d.a_id, "candidate": "" }),
    )
    .await;
    assert_eq!(status, 202);
}

/// Two nodes on one PostgreSQL database: A's page on the first, B's on the
/// second. A's offer, larger than one NOTIFY can carry, reaches B whole;
/// B's answer through node 2's socket reaches A on node 1.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signal_from_one_node_reaches_a_person_on_another() {
    if cercle_testkit::skip_postgres() {
        return;
    }
    let app = TestApp::spawn(Db::Postgres).await;
    let d = direct_pair(&app).await;
    let call_id = call_answered(&app, &d).await;
    let node2 = app.spawn_node().await;
    let mut ws_a = ready_socket(&app.url, &d.a).await;
    let mut ws_b = ready_socket(&node2.url, &d.b).await;
    let offer = sdp(300);
    assert!(offer.len() > 8000, "more than one NOTIFY: {}", offer.len());
    assert!(offer.len() <= 32 * 1024);
    // Node 2 is listening once a small signal gets through (bounded).
    let mut through = false;
    for _ in 0..20 {
        let (status, _) = signal(
            &app,
            &d.a,
            &call_id,
            json!({ "kind": "candidate", "to": d.b_id, "candidate": "" }),
        )
        .await;
        assert_eq!(status, 202);
        if frame_of(&mut ws_b, "call_signal", 1).await.is_some() {
            through = true;
            break;
        }
    }
    assert!(through, "node 2 hears node 1 within 20 s");
    let (status, sent) = signal(
        &app,
        &d.a,
        &call_id,
        json!({ "kind": "offer", "to": d.b_id, "sdp": offer }),
    )
    .await;
    assert_eq!(status, 202, "{sent}");
    let got = loop {
        let f = frame_of(&mut ws_b, "call_signal", 10)
            .await
            .expect("the large offer on node 2 within 10 s");
        if f["data"]["kind"] == "offer" {
            break f;
        }
    };
    assert_eq!(got["data"]["sdp"], offer.as_str(), "whole, in order");
    assert_eq!(got["data"]["nonce"], sent["nonce"]);
    assert_eq!(got["data"]["from"], d.a_id.as_str());
    let answer = sdp(200);
    let frame = json!({ "type": "call_signal", "call_id": call_id, "to": d.a_id, "kind": "answer", "sdp": answer });
    ws_b.send(Message::Text(frame.to_string().into())).await.expect("send");
    let f = frame_of(&mut ws_a, "call_signal", 10)
        .await
        .expect("the answer on node 1 within 10 s");
    assert_eq!(f["data"]["sdp"], answer.as_str());
    assert_eq!(f["data"]["from"], d.b_id.as_str());
    drop(node2);
}

/// With `turn_urls` and `turn_secret` set, each participant gets the URLs
/// with TURN REST credentials: `<expiry>:<opaque id>` valid
/// `turn_ttl_secs`, and base64(HMAC-SHA1(secret, username)), checked here
/// as coturn would (`openssl dgst -sha1 -hmac`'s value for a known pair is
/// in the unit tests); the opaque id names neither the person nor the call.
async fn participants_get_short_lived_turn_credentials_from_the_settings(db: Db) {
    const SECRET: &str = "a-turn-secret-shared-with-coturn";
    let app = TestApp::spawn_with(db, |c| {
        c.turn_urls = vec![
            "stun:turn.example.test:3478".into(),
            "turn:turn.example.test:3478?transport=udp".into(),
        ];
        c.turn_secret = Some(SECRET.into());
        c.turn_ttl_secs = 600;
    })
    .await;
    let d = direct_pair(&app).await;
    let call_id = call_answered(&app, &d).await;
    let now = app.ctx().clock.now().0 / 1000;
    for p in [&d.a, &d.b] {
        let (status, ice) = app.get(&format!("/calls/{call_id}/ice"), Some(&p.token)).await;
        assert_eq!(status, 200, "{ice}");
        let server = &ice["ice_servers"][0];
        assert_eq!(server["urls"][1], "turn:turn.example.test:3478?transport=udp", "{ice}");
        let username = server["username"].as_str().expect("username");
        let (expiry, opaque) = username.split_once(':').expect("<expiry>:<id>");
        assert_eq!(expiry.parse::<i64>().expect("expiry"), now + 600, "{ice}");
        assert_eq!(ice["expires_at"], now + 600);
        for who in [&d.a_id, &d.b_id, &call_id] {
            assert!(!opaque.contains(who.as_str()), "the id names nobody");
        }
        assert_eq!(
            server["credential"].as_str(),
            Some(cercle_app::calls::ice::turn_credential(SECRET, username).as_str())
        );
        assert!(!ice.to_string().contains(SECRET), "the secret never leaves");
    }
    let (status, _) = app.get(&format!("/calls/{call_id}/ice"), Some(&d.c.token)).await;
    assert_eq!(status, 404, "outside the call");
}
