//! Calls ring, are declined, time out (issue 17, second step), through the
//! JSON API on SQLite and PostgreSQL with the server's clock moved by the
//! test (no sleeping): a call rings the people who may join it and may be
//! interrupted now (their own stream and their installed app, nothing
//! clinical), not the absent nor whoever muted the thread unless it is high
//! priority; a decline reaches the starter and the history; a call nobody
//! answers ends after the ringing time; a participant whose client stops
//! its heartbeats is marked gone, and the last one gone ends the call.

use crate::backends;
use crate::helpers::{
    add_active_members, events_socket, fleuve_and_two_members, id_of, next_frame, open_clinical_thread, patient_file,
    sign_up_named, Person,
};
use crate::push_api::{Browser, PushService};
use cercle_testkit::{eventually, status_and_json, Db, TestApp};
use serde_json::{json, Value};
use std::time::Duration;

backends!(
    a_call_rings_who_may_join_and_be_interrupted_and_a_decline_reaches_the_starter,
    a_call_nobody_answers_ends_after_the_ringing_time,
    a_participant_without_heartbeats_is_marked_gone_and_the_last_one_ends_the_call,
);

/// The patient of the thread: none of it may leave in a ring.
const SECRETS: [&str; 4] = ["Gérard", "Lévesque", "Suivi", "1941"];

struct Setup {
    app: TestApp,
    /// The thread's manager (administrator), B and C in it, D outside.
    a: Person,
    b: Person,
    c: Person,
    d: Person,
    thread: String,
}

async fn setup(db: Db) -> Setup {
    let app = TestApp::spawn(db).await;
    let (org, b, c) = fleuve_and_two_members(&app).await;
    let a = org.admin;
    let d = sign_up_named(&app, "d@fleuve.test", "Denise Dubé", "fr").await;
    add_active_members(&app, &org.id, &[&d]).await;
    let file = patient_file(&app, &a, "Gérard", "Lévesque", "1941-03-02").await;
    let (status, t) = open_clinical_thread(&app, &a, &file, &[&b, &c], "Suivi de M. Lévesque").await;
    assert_eq!(status, 201, "{t}");
    let thread = t["id"].as_str().expect("id").to_string();
    Setup {
        app,
        a,
        b,
        c,
        d,
        thread,
    }
}

async fn start(app: &TestApp, p: &Person, thread: &str, media: &str, priority: bool) -> Value {
    let (status, call) = app
        .post(
            &format!("/threads/{thread}/calls"),
            Some(&p.token),
            json!({ "media": media, "priority": priority }),
        )
        .await;
    assert_eq!(status, 201, "{call}");
    call
}

async fn act(app: &TestApp, p: &Person, call: &str, what: &str) -> (u16, Value) {
    app.post(&format!("/calls/{call}/{what}"), Some(&p.token), json!({}))
        .await
}

/// The heartbeat's status (204: seen).
async fn heartbeat(app: &TestApp, p: &Person, call: &str) -> u16 {
    heartbeat_at(app, &app.url, p, call).await
}

/// The heartbeat's status, sent to the node at `url`.
async fn heartbeat_at(app: &TestApp, url: &str, p: &Person, call: &str) -> u16 {
    let r = app
        .http
        .post(format!("{url}/api/v1/calls/{call}/heartbeat"))
        .bearer_auth(&p.token)
        .send()
        .await
        .expect("request");
    r.status().as_u16()
}

/// The events of a person's own topic they would get (catching up), of `kind`.
async fn personal(app: &TestApp, p: &Person, kind: &str) -> Vec<Value> {
    let uid = id_of(app, p).await;
    let (events, _) = cercle_app::threads::service::events_since(app.ctx(), &uid, 0, 10_000)
        .await
        .expect("events");
    events
        .into_iter()
        .filter(|e| e.kind.as_str() == kind && e.thread_id.is_empty())
        .map(|e| e.data)
        .collect()
}

/// A thread's events the person would get, as (type, data).
async fn thread_events(app: &TestApp, p: &Person, thread: &str) -> Vec<(String, Value)> {
    let uid = id_of(app, p).await;
    let (events, _) = cercle_app::threads::service::events_since(app.ctx(), &uid, 0, 10_000)
        .await
        .expect("events");
    events
        .into_iter()
        .filter(|e| e.thread_id == thread)
        .map(|e| (e.kind.as_str().to_string(), e.data))
        .collect()
}

/// The texts of a call's history, in `lang`.
async fn history(app: &TestApp, p: &Person, thread: &str, call: &str, lang: &str) -> Vec<String> {
    let r = app
        .http
        .get(format!("{}/api/v1/threads/{thread}/calls", app.url))
        .bearer_auth(&p.token)
        .header("Accept-Language", lang)
        .send()
        .await
        .expect("request");
    let (status, h) = status_and_json(r).await;
    assert_eq!(status, 200, "{h}");
    let record = h["calls"]
        .as_array()
        .expect("calls")
        .iter()
        .find(|r| r["call"]["id"] == call)
        .expect("the call in its thread's history")
        .clone();
    record["history"]
        .as_array()
        .expect("history")
        .iter()
        .map(|e| e["text"].as_str().expect("text").to_string())
        .collect()
}

async fn audited(app: &TestApp, event: &str, call: &str) -> Vec<(Option<String>, Option<String>)> {
    let mut conn = app.ctx().store.reader().await.expect("conn");
    sqlx::query("SELECT patient_id, actor_id FROM audit_events WHERE event = $1 AND target_id = $2 ORDER BY seq")
        .bind(event)
        .bind(call)
        .fetch_all(&mut *conn)
        .await
        .expect("audit")
        .iter()
        .map(|r| {
            (
                sqlx::Row::try_get(r, "patient_id").expect("patient"),
                sqlx::Row::try_get(r, "actor_id").expect("actor"),
            )
        })
        .collect()
}

async fn shown(app: &TestApp, p: &Person, call: &str) -> Value {
    let (status, c) = app.get(&format!("/calls/{call}"), Some(&p.token)).await;
    assert_eq!(status, 200, "{c}");
    c
}

async fn a_call_rings_who_may_join_and_be_interrupted_and_a_decline_reaches_the_starter(db: Db) {
    let Setup {
        app,
        a,
        b,
        c,
        d,
        thread,
    } = setup(db).await;
    let (a_id, b_id) = (id_of(&app, &a).await, id_of(&app, &b).await);
    // B's installed app is subscribed to push; B's page is open.
    let (service, origin) = PushService::start().await;
    let browser = Browser::new(&origin, "b-phone");
    let (status, s) = app
        .post("/push/subscriptions", Some(&b.token), browser.subscription())
        .await;
    assert_eq!(status, 201, "{s}");
    let mut ws = events_socket(&app.url, &b.token, None).await;
    // C is away for the day: a normal call does not ring them.
    let now = app.ctx().clock.now().0;
    let (status, period) = app
        .post(
            "/availability/periods",
            Some(&c.token),
            json!({ "starts_at": now - 60_000, "ends_at": now + 86_400_000, "message": "Congrès" }),
        )
        .await;
    assert_eq!(status, 201, "{period}");

    let call = start(&app, &a, &thread, "video", false).await;
    let call_id = call["id"].as_str().expect("id").to_string();
    assert_eq!(call["high_priority"], false);

    // B's open page hears it ring: the call, its thread, its media and who
    // calls; nothing of the thread's content.
    let ring = loop {
        let frame = next_frame(&mut ws, Duration::from_secs(10))
            .await
            .expect("incoming_call within 10 s");
        if frame["type"] == "incoming_call" {
            break frame;
        }
    };
    assert_eq!(ring["data"]["call_id"], call_id.as_str(), "{ring}");
    assert_eq!(ring["data"]["thread_id"], thread.as_str(), "{ring}");
    assert_eq!(ring["data"]["media"], "video", "{ring}");
    assert_eq!(ring["data"]["started_by"]["id"], a_id.as_str(), "{ring}");
    assert!(
        ring["data"]["started_by"]["name"]
            .as_str()
            .is_some_and(|n| !n.is_empty()),
        "{ring}"
    );
    crate::helpers::assert_none_of(&SECRETS, "the ring", &ring.to_string());
    // B's installed app rings: generic words in B's language, the thread's path.
    let pushed = eventually("a push to B's phone", async || {
        let p = service.received();
        (!p.is_empty()).then_some(p)
    })
    .await;
    assert_eq!(pushed.len(), 1);
    let push: Value = serde_json::from_str(&browser.decrypt(&pushed[0].1)).expect("push payload is JSON");
    assert_eq!(push["title"], "Appel vidéo entrant", "{push}");
    assert_eq!(push["url"], format!("/threads/{thread}"), "{push}");
    crate::helpers::assert_none_of(&SECRETS, "the push", &push.to_string());
    assert_eq!(
        pushed[0].0.get("urgency").and_then(|v| v.to_str().ok()),
        Some("high"),
        "a ring is urgent"
    );
    // Rung: B only. Not the starter, not C (away), not D (outside the thread).
    assert_eq!(personal(&app, &b, "incoming_call").await.len(), 1);
    for p in [&a, &c, &d] {
        assert!(personal(&app, p, "incoming_call").await.is_empty(), "{}", p.email);
    }

    // B declines: the starter is told, once; the history says it.
    let (status, r) = act(&app, &b, &call_id, "decline").await;
    assert_eq!(status, 200, "{r}");
    assert_eq!(r["state"], "ringing", "{r}");
    let (status, _) = act(&app, &b, &call_id, "decline").await;
    assert_eq!(status, 200, "declining again changes nothing");
    let told = personal(&app, &a, "call_declined").await;
    assert_eq!(told.len(), 1, "{told:?}");
    assert_eq!(told[0]["user"]["id"], b_id.as_str());
    assert_eq!(told[0]["call_id"], call_id.as_str());
    assert!(
        personal(&app, &b, "call_declined").await.is_empty(),
        "to the starter only"
    );
    let fr = history(&app, &c, &thread, &call_id, "fr").await;
    assert!(fr.contains(&"Béatrice Bédard a refusé l'appel".to_string()), "{fr:?}");
    let en = history(&app, &c, &thread, &call_id, "en").await;
    assert!(en.contains(&"Béatrice Bédard declined the call".to_string()), "{en:?}");
    let rows = audited(&app, "call.declined", &call_id).await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert!(rows[0].0.is_some(), "with the patient: {rows:?}");
    // The starter is in the call: leave, not decline (translated); D finds nothing.
    let (status, r) = act(&app, &a, &call_id, "decline").await;
    assert_eq!((status, r["code"].as_str()), (409, Some("in-call")), "{r}");
    assert!(r["message"].as_str().is_some_and(|m| m.contains("quittez")), "{r}");
    let (status, _) = act(&app, &d, &call_id, "decline").await;
    assert_eq!(status, 404);

    // C mutes the thread and is back; B is away now. A high-priority call
    // rings both anyway; a normal one rang neither.
    let (status, r) = app
        .delete(
            &format!("/availability/periods/{}", period["id"].as_str().expect("id")),
            Some(&c.token),
        )
        .await;
    assert!(status == 200 || status == 204, "{status} {r}");
    let (status, r) = app
        .put(
            &format!("/threads/{thread}/mute"),
            Some(&c.token),
            json!({ "muted": true }),
        )
        .await;
    assert_eq!(status, 200, "{r}");
    let now = app.ctx().clock.now().0;
    let (status, r) = app
        .post(
            "/availability/periods",
            Some(&b.token),
            json!({ "starts_at": now - 60_000, "ends_at": now + 86_400_000, "message": "Congé" }),
        )
        .await;
    assert_eq!(status, 201, "{r}");
    let (status, r) = act(&app, &a, &call_id, "end").await;
    assert_eq!(status, 200, "{r}");
    let quiet = start(&app, &a, &thread, "audio", false).await;
    let quiet_id = quiet["id"].as_str().expect("id").to_string();
    assert_eq!(
        personal(&app, &b, "incoming_call").await.len(),
        1,
        "B away: not rung again"
    );
    assert!(
        personal(&app, &c, "incoming_call").await.is_empty(),
        "C muted the thread"
    );
    let (status, r) = act(&app, &a, &quiet_id, "end").await;
    assert_eq!(status, 200, "{r}");
    let urgent = start(&app, &a, &thread, "audio", true).await;
    assert_eq!(urgent["high_priority"], true);
    let urgent_id = urgent["id"].as_str().expect("id");
    let b_rings = personal(&app, &b, "incoming_call").await;
    assert_eq!(b_rings.len(), 2, "{b_rings:?}");
    assert_eq!(b_rings[1]["call_id"], urgent_id);
    assert_eq!(b_rings[1]["high_priority"], true);
    let c_rings = personal(&app, &c, "incoming_call").await;
    assert_eq!(c_rings.len(), 1, "{c_rings:?}");
    assert_eq!(c_rings[0]["media"], "audio");
    // Accepting is joining.
    let (status, joined) = act(&app, &c, urgent_id, "join").await;
    assert_eq!((status, joined["state"].as_str()), (200, Some("active")), "{joined}");
}

async fn a_call_nobody_answers_ends_after_the_ringing_time(db: Db) {
    let Setup {
        app, a, b, c, thread, ..
    } = setup(db).await;
    let call = start(&app, &a, &thread, "audio", false).await;
    let call_id = call["id"].as_str().expect("id").to_string();
    // The starter's client keeps saying it is there; nobody answers. At
    // 59 s it still rings.
    for step in [25, 25, 9] {
        app.advance(step);
        assert_eq!(heartbeat(&app, &a, &call_id).await, 204);
        cercle_app::calls::sweep(app.ctx()).await.expect("sweep");
    }
    assert_eq!(shown(&app, &b, &call_id).await["state"], "ringing");
    // At 60 s it ends, unanswered (the worker may have been first: the
    // call's state says it either way).
    app.advance(1);
    cercle_app::calls::sweep(app.ctx()).await.expect("sweep");
    let ended = shown(&app, &b, &call_id).await;
    assert_eq!(
        (ended["state"].as_str(), ended["end_reason"].as_str()),
        (Some("ended"), Some("unanswered")),
        "{ended}"
    );
    assert_eq!(ended["participants"], json!([]), "{ended}");
    assert_eq!(ended["duration_ms"], Value::Null);
    let fr = history(&app, &b, &thread, &call_id, "fr").await;
    assert_eq!(
        fr.last().map(String::as_str),
        Some("Appel terminé, sans réponse"),
        "{fr:?}"
    );
    let en = history(&app, &b, &thread, &call_id, "en").await;
    assert_eq!(en.last().map(String::as_str), Some("Call ended, unanswered"), "{en:?}");
    let events = thread_events(&app, &b, &thread).await;
    let (_, end) = events
        .iter()
        .rfind(|(k, _)| k == "call_ended")
        .expect("call_ended on the thread's stream");
    assert_eq!(end["reason"], "unanswered", "{end}");
    assert_eq!(end.get("by"), None, "Cercle ended it, nobody did: {end}");
    let rows = audited(&app, "call.ended", &call_id).await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert!(
        rows[0].0.is_some() && rows[0].1.is_none(),
        "by the system, with the patient: {rows:?}"
    );
    let (status, r) = act(&app, &b, &call_id, "join").await;
    assert_eq!((status, r["code"].as_str()), (409, Some("call-ended")), "{r}");

    // An answered call does not time out: it goes on past the ringing time.
    let call = start(&app, &a, &thread, "video", false).await;
    let call_id = call["id"].as_str().expect("id").to_string();
    app.advance(10);
    let (status, r) = act(&app, &c, &call_id, "join").await;
    assert_eq!(status, 200, "{r}");
    // The starter's client says it is there as the other joins: each gap
    // between heartbeats below is 20 s, under the 30 s after which the
    // node's own presence sweep (which may run at any moment) would take
    // the starter for gone.
    assert_eq!(heartbeat(&app, &a, &call_id).await, 204);
    for _ in 0..4 {
        app.advance(20);
        for p in [&a, &c] {
            assert_eq!(heartbeat(&app, p, &call_id).await, 204);
        }
        let swept = cercle_app::calls::sweep(app.ctx()).await.expect("sweep");
        assert_eq!(swept.unanswered, 0);
    }
    let on = shown(&app, &b, &call_id).await;
    assert_eq!(on["state"], "active", "{on}");
    assert_eq!(on["participants"].as_array().map(Vec::len), Some(2), "{on}");
}

async fn a_participant_without_heartbeats_is_marked_gone_and_the_last_one_ends_the_call(db: Db) {
    let on_postgres = db == Db::Postgres;
    let Setup {
        app, a, b, d, thread, ..
    } = setup(db).await;
    let (a_id, b_id) = (id_of(&app, &a).await, id_of(&app, &b).await);
    let call = start(&app, &a, &thread, "video", false).await;
    let call_id = call["id"].as_str().expect("id").to_string();
    let (status, r) = act(&app, &b, &call_id, "join").await;
    assert_eq!(status, 200, "{r}");
    // Who may not: D (no reach) finds nothing; a call that is no id neither.
    assert_eq!(heartbeat(&app, &d, &call_id).await, 404);
    assert_eq!(heartbeat(&app, &a, "not-an-id").await, 404);

    // B's phone loses its network after 20 s; A's client keeps beating.
    app.advance(20);
    assert_eq!(heartbeat(&app, &a, &call_id).await, 204);
    assert_eq!(heartbeat(&app, &b, &call_id).await, 204);
    app.advance(29);
    assert_eq!(heartbeat(&app, &a, &call_id).await, 204);
    cercle_app::calls::sweep(app.ctx()).await.expect("sweep");
    assert_eq!(
        shown(&app, &a, &call_id).await["participants"].as_array().map(Vec::len),
        Some(2),
        "29 s without a heartbeat: still there"
    );
    app.advance(1);
    cercle_app::calls::sweep(app.ctx()).await.expect("sweep");
    let now = shown(&app, &a, &call_id).await;
    let ids: Vec<&str> = now["participants"]
        .as_array()
        .expect("participants")
        .iter()
        .filter_map(|p| p["user_id"].as_str())
        .collect();
    assert_eq!(ids, vec![a_id.as_str()], "B marked gone at 30 s: {now}");
    assert_eq!(now["state"], "active");
    let events = thread_events(&app, &a, &thread).await;
    let (_, left) = events
        .iter()
        .rfind(|(k, _)| k == "call_left")
        .expect("call_left on the thread's stream");
    assert_eq!(
        (left["user_id"].as_str(), left["reason"].as_str()),
        (Some(b_id.as_str()), Some("connection_lost")),
        "{left}"
    );
    let fr = history(&app, &a, &thread, &call_id, "fr").await;
    assert!(
        fr.contains(&"Béatrice Bédard a quitté l'appel : connexion perdue".to_string()),
        "{fr:?}"
    );
    let en = history(&app, &a, &thread, &call_id, "en").await;
    assert!(
        en.contains(&"Béatrice Bédard left the call: connection lost".to_string()),
        "{en:?}"
    );
    let rows = audited(&app, "call.participant_lost", &call_id).await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert!(
        rows[0].0.is_some() && rows[0].1.is_none(),
        "by the system, with the patient: {rows:?}"
    );
    // B's phone comes back: its heartbeat says it was dropped; B joins again.
    let r = app
        .http
        .post(format!("{}/api/v1/calls/{call_id}/heartbeat", app.url))
        .bearer_auth(&b.token)
        .header("Accept-Language", "en")
        .send()
        .await
        .expect("request");
    let (status, r) = status_and_json(r).await;
    assert_eq!((status, r["code"].as_str()), (409, Some("not-in-call")), "{r}");
    assert_eq!(r["message"], "You are not in this call.");
    let (status, r) = act(&app, &b, &call_id, "join").await;
    assert_eq!(status, 200, "{r}");

    // Then both vanish: both are marked gone and the call ends.
    app.advance(31);
    cercle_app::calls::sweep(app.ctx()).await.expect("sweep");
    let over = shown(&app, &a, &call_id).await;
    assert_eq!(
        (over["state"].as_str(), over["end_reason"].as_str()),
        (Some("ended"), Some("empty")),
        "{over}"
    );
    assert!(over["duration_ms"].as_i64().is_some_and(|ms| ms >= 80_000), "{over}");
    assert_eq!(audited(&app, "call.participant_lost", &call_id).await.len(), 3);
    let rows = audited(&app, "call.ended", &call_id).await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert!(rows[0].1.is_none(), "by the system: {rows:?}");
    let fr = history(&app, &a, &thread, &call_id, "fr").await;
    assert!(
        fr.last().is_some_and(|t| t.starts_with("Appel terminé, durée")),
        "{fr:?}"
    );

    // Two nodes on PostgreSQL: B's page and client are on the second. The
    // ring reaches B there; B's heartbeats through it keep B in the call
    // for the first node's sweep; the second node stopping (killed, as far
    // as B's heartbeats go) gets B marked gone by the first.
    if on_postgres {
        let node2 = app.spawn_node().await;
        let mut ws = events_socket(&node2.url, &b.token, None).await;
        loop {
            let f = next_frame(&mut ws, Duration::from_secs(10))
                .await
                .expect("ready within 10 s");
            if f["type"] == "ready" {
                break;
            }
        }
        let call = start(&app, &a, &thread, "audio", false).await;
        let call_id = call["id"].as_str().expect("id").to_string();
        loop {
            let f = next_frame(&mut ws, Duration::from_secs(10))
                .await
                .expect("incoming_call on node 2 within 10 s");
            if f["type"] == "incoming_call" {
                assert_eq!(f["data"]["call_id"], call_id.as_str(), "{f}");
                break;
            }
        }
        let r = app
            .http
            .post(format!("{}/api/v1/calls/{call_id}/join", node2.url))
            .bearer_auth(&b.token)
            .json(&json!({}))
            .send()
            .await
            .expect("request");
        assert_eq!(r.status().as_u16(), 200);
        for _ in 0..3 {
            app.advance(20);
            assert_eq!(heartbeat(&app, &a, &call_id).await, 204);
            assert_eq!(heartbeat_at(&app, &node2.url, &b, &call_id).await, 204);
            cercle_app::calls::sweep(app.ctx()).await.expect("sweep");
        }
        let on = shown(&app, &a, &call_id).await;
        assert_eq!(on["participants"].as_array().map(Vec::len), Some(2), "{on}");
        drop(ws);
        drop(node2);
        for _ in 0..2 {
            app.advance(16);
            assert_eq!(heartbeat(&app, &a, &call_id).await, 204);
        }
        cercle_app::calls::sweep(app.ctx()).await.expect("sweep");
        let on = shown(&app, &a, &call_id).await;
        let ids: Vec<&str> = on["participants"]
            .as_array()
            .expect("participants")
            .iter()
            .filter_map(|p| p["user_id"].as_str())
            .collect();
        assert_eq!(ids, vec![a_id.as_str()], "B gone with node 2: {on}");
    }
}
