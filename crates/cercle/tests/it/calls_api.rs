//! Calls of threads through the JSON API, on SQLite and PostgreSQL (issue
//! 17, first step: no media yet): who may start, join, mute, remove, end;
//! people without reach find nothing (404, as for threads); one call per
//! thread; the cap on participants (a setting, refused with a translated
//! message); the call's events on the thread's live stream and its history
//! in French and English; audit records with the patient.

use crate::backends;
use crate::channels_api::clinic;
use crate::circle_api::join_circle;
use crate::helpers::{
    add_active_members, care_channel, channel_thread, events_socket, fleuve_and_two_members, id_of, next_frame,
    open_clinical_thread, patient_file, sign_up_named, Person,
};
use cercle_testkit::{status_and_json, Db, TestApp};
use serde_json::{json, Value};
use std::time::Duration;

backends!(
    calls_start_join_moderate_and_end_in_a_clinical_thread,
    patients_and_caregivers_join_calls_of_their_care_channels,
    the_cap_on_participants_is_a_setting,
);

/// The kinds of a thread's events the person may receive (the live
/// stream's catch-up: exactly what their open pages get).
async fn events_for(app: &TestApp, p: &Person, thread: &str) -> Vec<String> {
    let uid = id_of(app, p).await;
    let (events, _) = cercle_app::threads::service::events_since(app.ctx(), &uid, 0, 10_000)
        .await
        .expect("events");
    events
        .into_iter()
        .filter(|e| e.thread_id == thread)
        .map(|e| e.kind.as_str().to_string())
        .collect()
}

/// GET with an `Accept-Language`.
async fn get_in(app: &TestApp, path: &str, p: &Person, lang: &str) -> (u16, Value) {
    let r = app
        .http
        .get(format!("{}/api/v1{path}", app.url))
        .bearer_auth(&p.token)
        .header("Accept-Language", lang)
        .send()
        .await
        .expect("request");
    status_and_json(r).await
}

/// POST with an `Accept-Language`.
async fn post_in(app: &TestApp, path: &str, p: &Person, lang: &str) -> (u16, Value) {
    let r = app
        .http
        .post(format!("{}/api/v1{path}", app.url))
        .bearer_auth(&p.token)
        .header("Accept-Language", lang)
        .json(&json!({}))
        .send()
        .await
        .expect("request");
    status_and_json(r).await
}

async fn start(app: &TestApp, p: &Person, thread: &str, media: &str) -> (u16, Value) {
    app.post(
        &format!("/threads/{thread}/calls"),
        Some(&p.token),
        json!({ "media": media }),
    )
    .await
}

async fn act(app: &TestApp, p: &Person, call: &str, what: &str) -> (u16, Value) {
    app.post(&format!("/calls/{call}/{what}"), Some(&p.token), json!({}))
        .await
}

async fn mute(app: &TestApp, p: &Person, call: &str, who: &str, muted: bool) -> (u16, Value) {
    app.put(
        &format!("/calls/{call}/participants/{who}/muted"),
        Some(&p.token),
        json!({ "muted": muted }),
    )
    .await
}

async fn remove(app: &TestApp, p: &Person, call: &str, who: &str) -> (u16, Value) {
    app.delete(&format!("/calls/{call}/participants/{who}"), Some(&p.token))
        .await
}

/// The ids of the people in the call, in the order they joined.
fn present(call: &Value) -> Vec<String> {
    call["participants"]
        .as_array()
        .expect("participants")
        .iter()
        .map(|p| p["user_id"].as_str().expect("id").to_string())
        .collect()
}

fn participant<'a>(call: &'a Value, user: &str) -> &'a Value {
    call["participants"]
        .as_array()
        .expect("participants")
        .iter()
        .find(|p| p["user_id"] == user)
        .expect("in the call")
}

async fn audited(app: &TestApp, event: &str, call: &str) -> Vec<(Option<String>, String)> {
    let mut conn = app.ctx().store.reader().await.expect("conn");
    sqlx::query("SELECT patient_id, scopes FROM audit_events WHERE event = $1 AND target_id = $2 ORDER BY seq")
        .bind(event)
        .bind(call)
        .fetch_all(&mut *conn)
        .await
        .expect("audit")
        .iter()
        .map(|r| {
            (
                sqlx::Row::try_get(r, "patient_id").expect("patient"),
                sqlx::Row::try_get(r, "scopes").expect("scopes"),
            )
        })
        .collect()
}

async fn calls_start_join_moderate_and_end_in_a_clinical_thread(db: Db) {
    let app = TestApp::spawn(db).await;
    // A (administrator, who opens the thread: its manager), B and C take
    // part; D is a colleague outside the thread.
    let (org, b, c) = fleuve_and_two_members(&app).await;
    let a = org.admin;
    let d = sign_up_named(&app, "d@fleuve.test", "Denise Dubé", "fr").await;
    add_active_members(&app, &org.id, &[&d]).await;
    let file = patient_file(&app, &a, "Gérard", "Lévesque", "1941-03-02").await;
    let (status, t) = open_clinical_thread(&app, &a, &file, &[&b, &c], "Suivi de M. Lévesque").await;
    assert_eq!(status, 201, "{t}");
    let t = t["id"].as_str().unwrap().to_string();
    let (a_id, b_id, c_id, d_id) = (
        id_of(&app, &a).await,
        id_of(&app, &b).await,
        id_of(&app, &c).await,
        id_of(&app, &d).await,
    );

    // Bad input: a medium that is none, a thread that is no id.
    let (status, r) = start(&app, &b, &t, "hologram").await;
    assert!(status == 422 || status == 400, "{status} {r}");
    let (status, _) = start(&app, &b, "not-an-id", "audio").await;
    assert_eq!(status, 404);
    let (_, none) = app.get(&format!("/threads/{t}/call"), Some(&a.token)).await;
    assert_eq!(none, json!({ "call": null }));

    // B (a participant, not the thread's manager) starts a video call: it rings.
    let (status, call) = start(&app, &b, &t, "video").await;
    assert_eq!(status, 201, "{call}");
    assert_eq!(
        (call["state"].as_str(), call["media"].as_str()),
        (Some("ringing"), Some("video"))
    );
    assert_eq!(present(&call), vec![b_id.clone()]);
    assert_eq!(call["started_by"]["name"], "Béatrice Bédard");
    let call_id = call["id"].as_str().unwrap().to_string();
    // One call per thread: a second start is a clear conflict.
    let (status, r) = start(&app, &a, &t, "audio").await;
    assert_eq!((status, r["code"].as_str()), (409, Some("call-active")), "{r}");

    // D reaches neither the thread nor its call: 404 everywhere, as for threads.
    let (status, _) = app.get(&format!("/threads/{t}"), Some(&d.token)).await;
    assert_eq!(status, 404);
    for (status, r) in [
        app.get(&format!("/threads/{t}/call"), Some(&d.token)).await,
        app.get(&format!("/threads/{t}/calls"), Some(&d.token)).await,
        app.get(&format!("/calls/{call_id}"), Some(&d.token)).await,
        start(&app, &d, &t, "audio").await,
        act(&app, &d, &call_id, "join").await,
        act(&app, &d, &call_id, "leave").await,
        act(&app, &d, &call_id, "end").await,
        mute(&app, &d, &call_id, &b_id, true).await,
        remove(&app, &d, &call_id, &b_id).await,
        act(&app, &d, "not-an-id", "join").await,
    ] {
        assert_eq!((status, r["code"].as_str()), (404, Some("not-found")), "{r}");
    }
    let (status, _) = act(&app, &c, &uuid_like(), "join").await;
    assert_eq!(status, 404, "a call that does not exist");

    // A answers: the call is active. Joining again changes nothing.
    let (status, shown) = app.get(&format!("/threads/{t}/call"), Some(&a.token)).await;
    assert_eq!(
        (status, shown["call"]["id"].as_str()),
        (200, Some(call_id.as_str())),
        "{shown}"
    );
    let (status, joined) = act(&app, &a, &call_id, "join").await;
    assert_eq!(status, 200, "{joined}");
    assert_eq!(joined["state"], "active");
    assert!(joined["answered_at"].is_i64(), "{joined}");
    assert_eq!(present(&joined), vec![b_id.clone(), a_id.clone()]);
    let (status, again) = act(&app, &a, &call_id, "join").await;
    assert_eq!((status, present(&again)), (200, vec![b_id.clone(), a_id.clone()]));
    let (status, r) = act(&app, &c, &call_id, "join").await;
    assert_eq!(status, 200, "{r}");

    // Muting: oneself always; others by the starter (B) or the thread's
    // manager (A) only, and nobody unmutes someone else.
    let (status, r) = mute(&app, &c, &call_id, &a_id, true).await;
    assert_eq!(
        (status, r["code"].as_str()),
        (403, Some("forbidden")),
        "a participant mutes others: {r}"
    );
    let (status, r) = mute(&app, &b, &call_id, &c_id, true).await;
    assert_eq!(status, 200, "{r}");
    assert_eq!(participant(&r, &c_id)["muted"], true);
    let (status, _) = mute(&app, &b, &call_id, &c_id, false).await;
    assert_eq!(status, 403, "the starter does not unmute someone else");
    let (status, r) = mute(&app, &c, &call_id, &c_id, false).await;
    assert_eq!((status, participant(&r, &c_id)["muted"].as_bool()), (200, Some(false)));
    let (status, r) = mute(&app, &a, &call_id, &b_id, true).await;
    assert_eq!(status, 200, "the thread's manager mutes the starter: {r}");
    assert_eq!(participant(&r, &b_id)["muted"], true);
    let (status, _) = mute(&app, &a, &call_id, &d_id, true).await;
    assert_eq!(status, 404, "someone not in the call");
    // Hands: one's own.
    let (status, r) = app
        .put(
            &format!("/calls/{call_id}/participants/{c_id}/hand"),
            Some(&c.token),
            json!({ "raised": true }),
        )
        .await;
    assert_eq!(
        (status, participant(&r, &c_id)["hand_raised"].as_bool()),
        (200, Some(true))
    );

    // Removing and ending: the starter or the thread's manager.
    let (status, _) = remove(&app, &c, &call_id, &a_id).await;
    assert_eq!(status, 403, "a participant removes nobody");
    let (status, _) = act(&app, &c, &call_id, "end").await;
    assert_eq!(status, 403, "a participant does not end the call");
    let (status, _) = remove(&app, &b, &call_id, &b_id).await;
    assert_eq!(status, 403, "removing oneself is leaving");
    let (status, r) = remove(&app, &b, &call_id, &c_id).await;
    assert_eq!((status, present(&r)), (200, vec![b_id.clone(), a_id.clone()]), "{r}");
    let (status, r) = act(&app, &c, &call_id, "join").await;
    assert_eq!((status, r["code"].as_str()), (409, Some("call-removed")), "{r}");
    let (status, r) = act(&app, &c, &call_id, "leave").await;
    assert_eq!((status, r["code"].as_str()), (409, Some("not-in-call")), "{r}");

    // B leaves, A ends it for everyone, 75 seconds after it was answered.
    let (status, r) = act(&app, &b, &call_id, "leave").await;
    assert_eq!((status, present(&r)), (200, vec![a_id.clone()]), "{r}");
    app.advance(75);
    let (status, ended) = act(&app, &a, &call_id, "end").await;
    assert_eq!(status, 200, "{ended}");
    assert_eq!(
        (
            ended["state"].as_str(),
            ended["end_reason"].as_str(),
            ended["ended_by"]["id"].as_str()
        ),
        (Some("ended"), Some("ended"), Some(a_id.as_str()))
    );
    assert_eq!(ended["duration_ms"], 75_000, "{ended}");
    assert!(present(&ended).is_empty());
    let (status, r) = act(&app, &a, &call_id, "join").await;
    assert_eq!((status, r["code"].as_str()), (409, Some("call-ended")), "{r}");
    let (_, none) = app.get(&format!("/threads/{t}/call"), Some(&b.token)).await;
    assert_eq!(none, json!({ "call": null }));
    let (status, r) = app.get(&format!("/calls/{call_id}"), Some(&c.token)).await;
    assert_eq!(
        (status, r["state"].as_str()),
        (200, Some("ended")),
        "an ended call stays readable"
    );

    // Another call may start now; its starter leaving alone ends it, unanswered.
    let (status, second) = start(&app, &a, &t, "audio").await;
    assert_eq!(status, 201, "{second}");
    let second_id = second["id"].as_str().unwrap().to_string();
    let (status, r) = act(&app, &a, &second_id, "leave").await;
    assert_eq!(
        (status, r["state"].as_str(), r["end_reason"].as_str()),
        (200, Some("ended"), Some("empty")),
        "{r}"
    );
    assert!(r["duration_ms"].is_null(), "{r}");

    // The history of calls, in each reader's language.
    let (status, h) = get_in(&app, &format!("/threads/{t}/calls"), &b, "en").await;
    assert_eq!(status, 200, "{h}");
    let calls = h["calls"].as_array().expect("calls");
    assert_eq!(calls.len(), 2, "{h}");
    assert_eq!(calls[0]["call"]["id"], second_id.as_str(), "newest first");
    let texts = |c: &Value| -> Vec<String> {
        c["history"]
            .as_array()
            .expect("history")
            .iter()
            .map(|e| e["text"].as_str().expect("text").to_string())
            .collect()
    };
    let first = texts(&calls[1]);
    for expected in [
        "Béatrice Bédard started a video call",
        "Charles Côté joined the call",
        "Béatrice Bédard removed Charles Côté from the call",
        "Béatrice Bédard left the call",
        "Call ended, duration 1 min 15 s",
    ] {
        assert!(first.iter().any(|t| t == expected), "{expected:?} in {first:?}");
    }
    assert_eq!(
        first.first().map(String::as_str),
        Some("Béatrice Bédard started a video call")
    );
    assert_eq!(
        first.last().map(String::as_str),
        Some("Call ended, duration 1 min 15 s")
    );
    assert!(texts(&calls[0]).contains(&"Call ended, unanswered".to_string()), "{h}");
    let (_, h) = get_in(&app, &format!("/threads/{t}/calls"), &b, "fr").await;
    let first = texts(&h["calls"][1]);
    for expected in [
        "Appel vidéo lancé par Béatrice Bédard",
        "Charles Côté a rejoint l'appel",
        "Béatrice Bédard a retiré Charles Côté de l'appel",
        "Appel terminé, durée 1 min 15 s",
    ] {
        assert!(first.iter().any(|t| t == expected), "{expected:?} in {first:?}");
    }

    // The events reached the thread's live stream of its participants, not D's.
    let kinds = events_for(&app, &c, &t).await;
    for kind in [
        "call_started",
        "call_joined",
        "call_muted",
        "call_hand",
        "call_removed",
        "call_left",
        "call_ended",
    ] {
        assert!(kinds.iter().any(|k| k == kind), "{kind} in {kinds:?}");
    }
    assert_eq!(kinds.iter().filter(|k| *k == "call_started").count(), 2, "{kinds:?}");
    assert!(events_for(&app, &d, &t).await.is_empty());

    // Audited with the patient: metadata only.
    for (event, n) in [
        ("call.started", 1),
        ("call.joined", 2),
        ("call.participant_muted", 2),
        ("call.participant_removed", 1),
        ("call.left", 1),
        ("call.ended", 1),
    ] {
        let rows = audited(&app, event, &call_id).await;
        assert_eq!(rows.len(), n, "{event}: {rows:?}");
        for (patient, scopes) in rows {
            assert_eq!(patient.as_deref(), Some(file.as_str()), "{event}");
            assert!(scopes.contains(&format!("thread={t}")), "{event}: {scopes}");
        }
    }
    assert_eq!(audited(&app, "call.ended", &second_id).await.len(), 1);

    // A closed thread gets no new call.
    let (status, _) = app
        .post(&format!("/threads/{t}/close"), Some(&a.token), json!({}))
        .await;
    assert_eq!(status, 204);
    let (status, r) = start(&app, &a, &t, "audio").await;
    assert_eq!((status, r["code"].as_str()), (409, Some("thread-closed")), "{r}");
    // Its record (the PDF export) lists the calls after the messages.
    let r = app
        .http
        .get(format!("{}/api/v1/threads/{t}/export.pdf", app.url))
        .bearer_auth(&a.token)
        .header("Accept-Language", "en")
        .send()
        .await
        .expect("export");
    assert_eq!(r.status(), 200);
    let pdf = r.bytes().await.expect("pdf");
    if let Some(text) = crate::threads_api::pdftotext(&pdf) {
        for expected in [
            "Calls",
            "Béatrice Bédard started a video call",
            "Charles Côté joined the call",
            "Call ended, duration 1 min 15 s",
            "Call ended, unanswered",
        ] {
            assert!(text.contains(expected), "{expected:?} in the export: {text}");
        }
    }
}

fn uuid_like() -> String {
    cercle_domain::CallId::new().to_string()
}

async fn patients_and_caregivers_join_calls_of_their_care_channels(db: Db) {
    let app = TestApp::spawn(db).await;
    // A: the clinic's patient and caregiver manager, manager of the North
    // team, who opens the channel's thread; C manages the South team; B is
    // a professional of the channel.
    let k = clinic(&app).await;
    let (a, b, c) = (&k.a, &k.b, &k.c);
    let file = patient_file(&app, a, "Gérard", "Lévesque", "1948-05-17").await;
    let (patient, p_member) = join_circle(&app, a, &file, "patient", "gerard@maison.test").await;
    let (carer, r_member) = join_circle(&app, a, &file, "responsible", "lise@maison.test").await;
    let (watcher, o_member) = join_circle(&app, a, &file, "observer", "paul@maison.test").await;
    let other_file = patient_file(&app, a, "Yvette", "Roy", "1950-01-01").await;
    let (stranger, _) = join_circle(&app, a, &other_file, "patient", "yvette@maison.test").await;
    let b_id = id_of(&app, b).await;
    let ch = care_channel(
        &app,
        a,
        &file,
        "Équipe de soins de M. Lévesque",
        json!([
            { "kind": "user", "id": b_id },
            { "kind": "team", "id": k.north },
            { "kind": "team", "id": k.south },
            { "kind": "circle", "id": p_member },
            { "kind": "circle", "id": r_member },
            { "kind": "circle", "id": o_member },
        ]),
    )
    .await;
    let ch_id = ch["id"].as_str().unwrap().to_string();
    let t = channel_thread(&app, a, &ch_id, "Retour à domicile", "Bonjour à tous.").await;
    let t = t["id"].as_str().unwrap().to_string();
    let (patient_id, carer_id, watcher_id) = (
        id_of(&app, &patient).await,
        id_of(&app, &carer).await,
        id_of(&app, &watcher).await,
    );

    // An observer reads (and so joins) but does not start a call.
    let (status, r) = start(&app, &watcher, &t, "audio").await;
    assert_eq!((status, r["code"].as_str()), (403, Some("forbidden")), "{r}");
    // The patient starts one from their phone; the caregiver's open page
    // hears of it live.
    let mut ws = events_socket(&app.url, &carer.token, None).await;
    let (status, call) = start(&app, &patient, &t, "video").await;
    assert_eq!(status, 201, "{call}");
    let call_id = call["id"].as_str().unwrap().to_string();
    let started = loop {
        let frame = next_frame(&mut ws, Duration::from_secs(10))
            .await
            .expect("call_started within 10 s");
        if frame["type"] == "call_started" {
            break frame;
        }
    };
    assert_eq!(started["thread_id"], t.as_str(), "{started}");
    assert_eq!(started["data"]["call"]["id"], call_id.as_str(), "{started}");
    assert_eq!(started["data"]["call"]["state"], "ringing", "{started}");
    for p in [&carer, &watcher, b] {
        let (status, r) = act(&app, p, &call_id, "join").await;
        assert_eq!(status, 200, "{r}");
    }
    let (_, shown) = app.get(&format!("/threads/{t}/call"), Some(&carer.token)).await;
    assert_eq!(present(&shown["call"]).len(), 4, "{shown}");

    // A patient of another file reaches nothing of it.
    for (status, _) in [
        app.get(&format!("/threads/{t}/call"), Some(&stranger.token)).await,
        app.get(&format!("/calls/{call_id}"), Some(&stranger.token)).await,
        act(&app, &stranger, &call_id, "join").await,
        act(&app, &stranger, &call_id, "end").await,
    ] {
        assert_eq!(status, 404);
    }

    // Wrong roles typing the URL: the caregiver and the channel's
    // professional moderate nothing; the observer ends nothing.
    let (status, _) = remove(&app, &carer, &call_id, &watcher_id).await;
    assert_eq!(status, 403);
    let (status, _) = mute(&app, &carer, &call_id, &patient_id, true).await;
    assert_eq!(status, 403);
    let (status, _) = mute(&app, b, &call_id, &carer_id, true).await;
    assert_eq!(status, 403, "B is in the channel, no manager of the thread");
    let (status, _) = act(&app, &watcher, &call_id, "end").await;
    assert_eq!(status, 403);
    let (status, _) = act(&app, b, &call_id, "end").await;
    assert_eq!(status, 403);

    // C manages one of the thread's teams: C mutes the caregiver without
    // being in the call. The patient, who started it, removes the observer.
    let (status, r) = mute(&app, c, &call_id, &carer_id, true).await;
    assert_eq!(
        (status, participant(&r, &carer_id)["muted"].as_bool()),
        (200, Some(true)),
        "{r}"
    );
    let (status, r) = remove(&app, &patient, &call_id, &watcher_id).await;
    assert_eq!(status, 200, "{r}");
    assert!(!present(&r).contains(&watcher_id));
    // The thread's author ends it for everyone.
    let (status, r) = act(&app, a, &call_id, "end").await;
    assert_eq!((status, r["state"].as_str()), (200, Some("ended")), "{r}");

    // The patient reads the history; the stream of each member got the events.
    let (status, h) = get_in(&app, &format!("/threads/{t}/calls"), &patient, "fr").await;
    assert_eq!(status, 200, "{h}");
    let texts: Vec<&str> = h["calls"][0]["history"]
        .as_array()
        .expect("history")
        .iter()
        .filter_map(|e| e["text"].as_str())
        .collect();
    assert!(
        texts.iter().any(|t| t.starts_with("Appel vidéo lancé par")),
        "{texts:?}"
    );
    assert!(texts.contains(&"Appel terminé, durée 0 s"), "{texts:?}");
    for p in [&patient, &carer, &watcher] {
        let kinds = events_for(&app, p, &t).await;
        assert!(kinds.contains(&"call_started".to_string()), "{kinds:?}");
        assert!(kinds.contains(&"call_ended".to_string()), "{kinds:?}");
    }
    assert!(events_for(&app, &stranger, &t).await.is_empty());
    // Audited with the patient, each step.
    for event in ["call.started", "call.joined", "call.participant_removed", "call.ended"] {
        let rows = audited(&app, event, &call_id).await;
        assert!(!rows.is_empty(), "{event}");
        assert!(
            rows.iter().all(|(p, _)| p.as_deref() == Some(file.as_str())),
            "{event}: {rows:?}"
        );
    }
}

async fn the_cap_on_participants_is_a_setting(db: Db) {
    let app = TestApp::spawn_with(db, |c| c.call_max_participants = 2).await;
    let (org, b, c) = fleuve_and_two_members(&app).await;
    let a = org.admin;
    let file = patient_file(&app, &a, "Gérard", "Lévesque", "1941-03-02").await;
    let (_, t) = open_clinical_thread(&app, &a, &file, &[&b, &c], "Suivi").await;
    let t = t["id"].as_str().unwrap().to_string();

    // Two starts at the same moment: one call, the other start is a conflict.
    let (first, second) = tokio::join!(start(&app, &b, &t, "audio"), start(&app, &c, &t, "video"));
    let mut statuses = [first.0, second.0];
    statuses.sort_unstable();
    assert_eq!(statuses, [201, 409], "{first:?} {second:?}");
    let (winner, raced) = if first.0 == 201 { (&b, first.1) } else { (&c, second.1) };
    let raced_id = raced["id"].as_str().unwrap().to_string();
    let (status, _) = act(&app, winner, &raced_id, "end").await;
    assert_eq!(status, 200);

    let (status, call) = start(&app, &a, &t, "audio").await;
    assert_eq!((status, call["max_participants"].as_i64()), (201, Some(2)), "{call}");
    let call_id = call["id"].as_str().unwrap().to_string();
    // Two joins at the same moment for the one place left: one gets it.
    let path = format!("/calls/{call_id}/join");
    let (jb, jc) = tokio::join!(post_in(&app, &path, &b, "en"), post_in(&app, &path, &c, "en"));
    let mut statuses = [jb.0, jc.0];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 409], "{jb:?} {jc:?}");
    let (inside, outside) = if jb.0 == 200 { (&b, &c) } else { (&c, &b) };
    let (status, r) = post_in(&app, &path, outside, "en").await;
    assert_eq!((status, r["code"].as_str()), (409, Some("call-full")), "{r}");
    assert_eq!(r["message"], "This call is full: it holds at most 2 people at a time.");
    let (_, r) = post_in(&app, &path, outside, "fr").await;
    assert_eq!(
        r["message"],
        "Cet appel est complet : il réunit au plus 2 personnes à la fois."
    );
    let (_, shown) = app.get(&format!("/calls/{call_id}"), Some(&a.token)).await;
    assert_eq!(present(&shown).len(), 2, "never more than the cap: {shown}");
    // Someone leaves: there is room again.
    let (status, _) = act(&app, inside, &call_id, "leave").await;
    assert_eq!(status, 200);
    let (status, r) = act(&app, outside, &call_id, "join").await;
    assert_eq!((status, present(&r).len()), (200, 2), "{r}");
}
