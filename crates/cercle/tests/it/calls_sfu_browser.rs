//! A call of three through the node's forwarding unit (issue 17), in three
//! real headless Chromiums with fake camera and microphone: with
//! `sfu_enabled` (the unit on 127.0.0.1, a free port), A starts a video
//! call in a clinical thread with B and C; each page opens one connection,
//! to the unit (signals to `sfu`), and receives the others' tracks from
//! the unit's offers. Read from `getStats()` (inbound-rtp per track, each
//! track mapped to its person by the page's `window.cercleCall.tracks`):
//! everyone receives audio and video from each of the two others; muting A
//! stops A's outgoing audio; A shares a screen (one more track, renegotiated
//! through the unit): B and C receive a second video track from A, shown
//! apart, whose bytes stop when A stops sharing; C leaves (their connection in the unit
//! closes, A and B go on receiving each other); A ends the call for all.
//!
//! A patient on a phone (a window 375 px wide) joins a call of their care
//! channel: a professional of the channel starts a video call in one of its
//! threads; the patient, on their care space, is rung, accepts from the
//! banner and lands in the call, which goes through the unit (a care
//! channel's thread is clinical: topology `sfu`); each receives the
//! other's audio and video; the call screen fits the phone (no sideways
//! scrolling, every control within the width and big enough to touch,
//! "leave" uncovered once scrolled to); the patient leaves.
//!
//! Robust on a loaded machine: people connect one after the other (each
//! connection to the unit established before the next person joins), every
//! wait polls and is bounded by [`MEDIA_WAIT`], and nothing asserts a rate
//! or a duration. `CERCLE_SKIP_BROWSER=1` skips them.

use crate::circle_api::{join_circle, manager_and_file};
use crate::helpers::{care_channel, channel_thread, clinical_thread, fleuve_and_two_members, id_of, sign_in_pages};
use cercle_app::calls::forwarding::ForwardingLoad;
use cercle_domain::Language;
use cercle_testkit::browser::Browser;
use cercle_testkit::{Db, TestApp};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// Generous: three browsers and the unit share two loaded cores.
const MEDIA_WAIT: Duration = Duration::from_secs(60);

/// The page's connection to the unit: its state, bytes sent by kind and,
/// per person sending through the unit, bytes received by kind (`a`
/// audio, `v` camera, `s` shared screen) and the video tracks that
/// received something (`vt`).
const STATS: &str = r#"
const cc = window.cercleCall;
const pc = cc && cc.pcs.get('sfu');
if (!pc) return null;
return pc.getStats().then((st) => {
  const o = { state: pc.connectionState, aout: 0, vout: 0, from: {} };
  st.forEach((r) => {
    if (r.type === 'outbound-rtp' && r.kind === 'audio') o.aout += r.bytesSent || 0;
    if (r.type === 'outbound-rtp' && r.kind === 'video') o.vout += r.bytesSent || 0;
    if (r.type === 'inbound-rtp') {
      const who = cc.tracks.get(r.trackIdentifier);
      if (!who) return;
      const f = o.from[who] || (o.from[who] = { a: 0, v: 0, vt: 0, s: 0 });
      const bytes = r.bytesReceived || 0;
      if (r.kind === 'audio') f.a += bytes;
      if (r.kind === 'video' && bytes > 0) f.vt += 1;
      if (r.kind === 'video' && cc.screens.has(r.trackIdentifier)) f.s += bytes;
      else if (r.kind === 'video') f.v += bytes;
    }
  });
  return o;
});
"#;

fn n(v: &Value, k: &str) -> i64 {
    v[k].as_i64().unwrap_or(0)
}

/// Bytes of `kind` (`a`, `v`, `s`; `vt`: video tracks) received from `who`.
fn from(v: &Value, who: &str, kind: &str) -> i64 {
    v["from"][who][kind].as_i64().unwrap_or(0)
}

async fn stats(b: &Browser) -> Option<Value> {
    let v = b.execute(STATS, vec![]).await.ok()?;
    (!v.is_null()).then_some(v)
}

/// Polls the page's stats until `ok` holds, for at most [`MEDIA_WAIT`].
async fn until_stats(b: &Browser, what: &str, ok: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + MEDIA_WAIT;
    let mut last = Value::Null;
    loop {
        if let Some(s) = stats(b).await {
            if ok(&s) {
                return s;
            }
            last = s;
        }
        if Instant::now() > deadline {
            b.fail(&format!(
                "{what}: not within {} s (last stats {last})",
                MEDIA_WAIT.as_secs()
            ))
            .await;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

/// Polls a script until `ok` holds, for at most [`MEDIA_WAIT`].
pub async fn until_js(b: &Browser, what: &str, script: &str, ok: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + MEDIA_WAIT;
    let mut last = Value::Null;
    loop {
        if let Ok(v) = b.execute(script, vec![]).await {
            if ok(&v) {
                return v;
            }
            last = v;
        }
        if Instant::now() > deadline {
            b.fail(&format!("{what}: not within {} s (last {last})", MEDIA_WAIT.as_secs()))
                .await;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

/// The page's connection to the unit is up.
pub async fn connected_to_unit(b: &Browser, who: &str) {
    until_stats(b, &format!("{who} connected to the unit"), |s| {
        s["state"] == "connected"
    })
    .await;
}

/// Audio and video from `others` reach `b`, and keep coming.
pub async fn receives_from(b: &Browser, who: &str, others: &[&str]) {
    let first = until_stats(b, &format!("{who} receives audio and video from {others:?}"), |s| {
        others.iter().all(|o| from(s, o, "a") > 0 && from(s, o, "v") > 0)
    })
    .await;
    until_stats(b, &format!("{who} keeps receiving from {others:?}"), |s| {
        others
            .iter()
            .all(|o| from(s, o, "a") > from(&first, o, "a") && from(s, o, "v") > from(&first, o, "v"))
    })
    .await;
}

async fn load(app: &TestApp) -> (usize, usize) {
    let ForwardingLoad { calls, participants } = app.ctx().forwarding.load().await;
    (calls, participants)
}

/// Waits until the unit carries `want` (calls, participants).
async fn unit_carries(app: &TestApp, want: (usize, usize)) {
    let deadline = Instant::now() + MEDIA_WAIT;
    loop {
        let now = load(app).await;
        if now == want {
            return;
        }
        assert!(Instant::now() < deadline, "the unit carries {now:?}, not {want:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_people_call_through_the_forwarding_unit() {
    if cercle_testkit::browser::skipped() {
        return;
    }
    let app = TestApp::spawn_with(Db::Sqlite, |c| {
        c.sfu_enabled = true;
        c.sfu_bind = "127.0.0.1:0".parse().expect("address");
    })
    .await;
    let (org, b, c) = fleuve_and_two_members(&app).await;
    let a = org.admin;
    let t = clinical_thread(&app, &a, &[&b, &c], "Suivi de M. Lévesque").await;
    let (a_id, b_id, c_id) = (id_of(&app, &a).await, id_of(&app, &b).await, id_of(&app, &c).await);

    let Some(ba) = Browser::launch(&app.url, Language::Fr).await else {
        return;
    };
    let Some(bb) = Browser::launch(&app.url, Language::En).await else {
        return;
    };
    let Some(bc) = Browser::launch(&app.url, Language::Fr).await else {
        return;
    };
    sign_in_pages(&app, &ba, &a.email, 1).await;
    sign_in_pages(&app, &bb, &b.email, 1).await;
    sign_in_pages(&app, &bc, &c.email, 1).await;

    // A starts a video call from the thread: topology `sfu`, through the
    // unit (no "needs the unit" notice).
    ba.goto(&format!("/threads/{t}")).await;
    ba.click_and_load("[data-testid=call-start-video]").await;
    ba.wait_for("#call[data-in-call='true'][data-topology='sfu'][data-unit='true']")
        .await;
    assert!(
        ba.find("[data-testid=call-sfu-notice]").await.ok().flatten().is_none(),
        "no notice with the unit on"
    );
    let call_id = ba
        .execute("return document.getElementById('call').dataset.callId;", vec![])
        .await
        .expect("call id");
    let call_id = call_id.as_str().expect("id").to_string();
    connected_to_unit(&ba, "A").await;
    unit_carries(&app, (1, 1)).await;

    // B, then C, join from the call screen, each connected before the next.
    for (br, who, count) in [(&bb, "B", 2), (&bc, "C", 3)] {
        br.goto(&format!("/calls/{call_id}")).await;
        br.wait_for("[data-call-join]").await;
        br.click("[data-call-join]").await;
        br.wait_for("[data-call-join][hidden]").await;
        connected_to_unit(br, who).await;
        unit_carries(&app, (1, count)).await;
    }

    // Everyone receives audio and video from each of the two others.
    receives_from(&ba, "A", &[&b_id, &c_id]).await;
    receives_from(&bb, "B", &[&a_id, &c_id]).await;
    receives_from(&bc, "C", &[&a_id, &b_id]).await;
    for (br, others) in [(&ba, [&b_id, &c_id]), (&bb, [&a_id, &c_id]), (&bc, [&a_id, &b_id])] {
        for o in others {
            br.wait_for(&format!("#call-remote [data-peer='{o}'] video")).await;
        }
    }

    // A mutes: A's outgoing audio stops (two readings a second apart
    // agree), while A's video goes on.
    ba.click("[data-call-mic]").await;
    ba.wait_for("[data-call-mic][aria-pressed='true']").await;
    bb.wait_for(&format!(
        "#call-participants li[data-user-id='{a_id}'][data-muted='true']"
    ))
    .await;
    let deadline = Instant::now() + MEDIA_WAIT;
    let settled = loop {
        let before = stats(&ba).await.expect("stats");
        tokio::time::sleep(Duration::from_secs(1)).await;
        let after = stats(&ba).await.expect("stats");
        if n(&after, "aout") == n(&before, "aout") {
            break after;
        }
        assert!(Instant::now() < deadline, "A's audio still sent after mute: {after}");
    };
    let later = until_stats(&ba, "A's video goes on while muted", |s| {
        n(s, "vout") > n(&settled, "vout")
    })
    .await;
    assert_eq!(n(&later, "aout"), n(&settled, "aout"), "muted: no audio sent");
    ba.click("[data-call-mic]").await;
    ba.wait_for("[data-call-mic][aria-pressed='false']").await;
    until_stats(&ba, "A's audio again after unmute", |s| {
        n(s, "aout") > n(&later, "aout")
    })
    .await;

    // A shares a screen: a third track of A's through the unit (a
    // renegotiation of A's connection, then an offer of the unit to each
    // of the others): B and C receive a second video track from A, shown
    // in a figure of its own, and its bytes keep coming.
    ba.click("[data-call-share]").await;
    ba.wait_for("[data-call-share][aria-pressed='true']").await;
    for (br, who) in [(&bb, "B"), (&bc, "C")] {
        let first = until_stats(br, &format!("{who} receives A's screen as a second video track"), |s| {
            from(s, &a_id, "vt") >= 2 && from(s, &a_id, "s") > 0
        })
        .await;
        until_stats(br, &format!("{who} keeps receiving A's screen and camera"), |s| {
            from(s, &a_id, "s") > from(&first, &a_id, "s") && from(s, &a_id, "v") > from(&first, &a_id, "v")
        })
        .await;
        until_js(
            br,
            &format!("{who} shows A's screen apart"),
            &format!("return document.querySelectorAll(\"#call-remote [data-peer='{a_id}'] figure\").length;"),
            |v| *v == json!(2),
        )
        .await;
    }
    // A stops sharing: the screen's bytes stop (two readings a second
    // apart agree, and stay so while A's camera goes on), its figure goes.
    ba.click("[data-call-share]").await;
    ba.wait_for("[data-call-share][aria-pressed='false']").await;
    for (br, who) in [(&bb, "B"), (&bc, "C")] {
        let deadline = Instant::now() + MEDIA_WAIT;
        let settled = loop {
            let before = stats(br).await.expect("stats");
            tokio::time::sleep(Duration::from_secs(1)).await;
            let after = stats(br).await.expect("stats");
            if from(&after, &a_id, "s") == from(&before, &a_id, "s") {
                break after;
            }
            assert!(Instant::now() < deadline, "{who} still receives A's screen: {after}");
        };
        let later = until_stats(br, &format!("{who} still receives A's camera"), |s| {
            from(s, &a_id, "v") > from(&settled, &a_id, "v")
        })
        .await;
        assert_eq!(
            from(&later, &a_id, "s"),
            from(&settled, &a_id, "s"),
            "{who}: A's screen no longer forwarded"
        );
        until_js(
            br,
            &format!("{who} no longer shows A's screen"),
            &format!(
                "return document.querySelectorAll(\"#call-remote [data-peer='{a_id}'] figure:not([hidden])\").length;"
            ),
            |v| *v == json!(1),
        )
        .await;
    }

    // C leaves: their connection goes (in the page and in the unit), C's
    // tile goes from the others' pages, A and B go on receiving each other.
    bc.click("[data-call-leave]").await;
    bc.wait_for("#call[data-status='left']").await;
    until_js(
        &bc,
        "C's connection closed",
        "return window.cercleCall.pcs.size;",
        |v| *v == json!(0),
    )
    .await;
    unit_carries(&app, (1, 2)).await;
    for br in [&ba, &bb] {
        until_js(
            br,
            "C's tile gone",
            &format!("return !document.querySelector(\"#call-remote [data-peer='{c_id}']\");"),
            |v| *v == json!(true),
        )
        .await;
    }
    receives_from(&ba, "A after C left", &[&b_id]).await;
    receives_from(&bb, "B after C left", &[&a_id]).await;

    // A ends the call for everyone: every connection closes.
    ba.execute("window.confirm = () => true; return true;", vec![])
        .await
        .expect("confirm");
    ba.click("[data-call-end]").await;
    ba.wait_for("#call[data-status='ended']").await;
    bb.wait_for("#call[data-status='ended']").await;
    let (status, call) = app.get(&format!("/calls/{call_id}"), Some(&a.token)).await;
    assert_eq!(status, 200);
    assert_eq!(call["state"], "ended", "{call}");
    unit_carries(&app, (0, 0)).await;
    for br in [&ba, &bb] {
        until_js(br, "connections closed", "return window.cercleCall.pcs.size;", |v| {
            *v == json!(0)
        })
        .await;
    }
    ba.assert_no_console_errors("the call").await;
    bb.assert_no_console_errors("the call").await;
    bc.assert_no_console_errors("the call").await;
    ba.quit().await;
    bb.quit().await;
    bc.quit().await;
}

/// Where the page's call controls are, in a phone's window: its width, its
/// height, whether the page scrolls sideways, and each control shown (its
/// test id and box, as the page is when the call opens, not scrolled).
const CONTROLS_LAYOUT: &str = r#"
const vw = window.innerWidth, vh = window.innerHeight;
const controls = [...document.querySelectorAll('[data-testid=call-controls] button')]
  .filter((b) => b.offsetParent !== null)
  .map((b) => { const r = b.getBoundingClientRect(); return { id: b.dataset.testid, left: r.left, right: r.right, top: r.top, bottom: r.bottom, width: r.width, height: r.height }; });
return { vw, vh, sideways: document.documentElement.scrollWidth > vw, controls };
"#;

/// Scrolls `css` into view as a person would, then says whether it lies
/// within the window and is what a tap at its centre reaches.
const TAPPABLE: &str = r#"
const el = document.querySelector(arguments[0]);
if (!el || el.offsetParent === null) return { shown: false };
el.scrollIntoView({ block: 'center', inline: 'nearest' });
const r = el.getBoundingClientRect();
const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
return {
  shown: true,
  inside: r.left >= 0 && r.top >= 0 && r.right <= window.innerWidth && r.bottom <= window.innerHeight,
  reached: !!hit && (hit === el || el.contains(hit)),
  box: [r.left, r.top, r.right, r.bottom],
};
"#;

/// The element matching `css` lies in the window (scrolled to) and a tap
/// at its centre reaches it.
async fn tappable(b: &Browser, what: &str, css: &str) {
    let v = b.execute(TAPPABLE, vec![json!(css)]).await.expect("layout");
    if !(v["shown"] == json!(true) && v["inside"] == json!(true) && v["reached"] == json!(true)) {
        b.fail(&format!("{what} is not tappable: {v}")).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_patient_joins_a_care_channel_call_from_a_phone() {
    if cercle_testkit::browser::skipped() {
        return;
    }
    let app = TestApp::spawn_with(Db::Sqlite, |c| {
        c.sfu_enabled = true;
        c.sfu_bind = "127.0.0.1:0".parse().expect("address");
    })
    .await;
    // Nadia Gestion, patient and caregiver manager of the clinic, opens
    // the care channel of Gérard Lévesque's file with him, and its thread.
    let (_org, manager, file) = manager_and_file(&app).await;
    let (patient, member) = join_circle(&app, &manager, &file, "patient", "gerard@maison.test").await;
    let ch = care_channel(
        &app,
        &manager,
        &file,
        "Soins à domicile",
        json!([{ "kind": "circle", "id": member }]),
    )
    .await;
    let ch = ch["id"].as_str().expect("channel").to_string();
    let t = channel_thread(&app, &manager, &ch, "Retour à domicile", "Bonjour M. Lévesque.").await;
    let t = t["id"].as_str().expect("thread").to_string();
    let (m_id, p_id) = (id_of(&app, &manager).await, id_of(&app, &patient).await);

    let Some(bm) = Browser::launch(&app.url, Language::Fr).await else {
        return;
    };
    let Some(bp) = Browser::launch(&app.url, Language::Fr).await else {
        return;
    };
    bp.resize(375, 812).await;
    sign_in_pages(&app, &bm, &manager.email, 1).await;
    sign_in_pages(&app, &bp, &patient.email, 1).await;
    // The patient waits on their care space, its stream up.
    bp.goto("/care").await;
    bp.wait_for("[data-testid=care-teams]").await;
    bp.wait_for("a.bell[data-live='1']").await;

    // The professional starts a video call from the channel's thread: it
    // goes through the unit.
    bm.goto(&format!("/threads/{t}")).await;
    bm.click_and_load("[data-testid=call-start-video]").await;
    bm.wait_for("#call[data-in-call='true'][data-topology='sfu'][data-unit='true']")
        .await;
    let call_id = bm
        .execute("return document.getElementById('call').dataset.callId;", vec![])
        .await
        .expect("call id");
    let call_id = call_id.as_str().expect("id").to_string();
    connected_to_unit(&bm, "the professional").await;
    unit_carries(&app, (1, 1)).await;

    // The patient's phone rings: the banner names the caller, its accept
    // button within reach; accepting opens the call, joined.
    bp.wait_for("#call-banner:not([hidden])").await;
    bp.wait_for_text_in("#call-banner-text", "Nadia Gestion").await;
    tappable(&bp, "the accept button", "[data-testid=call-accept]").await;
    bp.click("[data-testid=call-accept]").await;
    bp.wait_for_path(&format!("/calls/{call_id}")).await;
    bp.wait_for("#call[data-in-call='true'][data-topology='sfu'][data-unit='true']")
        .await;
    connected_to_unit(&bp, "the patient").await;
    unit_carries(&app, (1, 2)).await;

    // Audio and video both ways, through the unit; each sees the other.
    receives_from(&bp, "the patient", &[&m_id]).await;
    receives_from(&bm, "the professional", &[&p_id]).await;
    bp.wait_for(&format!("#call-remote [data-peer='{m_id}'] video")).await;
    bm.wait_for(&format!("#call-remote [data-peer='{p_id}'] video")).await;
    bm.wait_for(&format!("#call-participants li[data-user-id='{p_id}']"))
        .await;

    // The call screen fits the phone: nothing scrolls sideways, every
    // control shown lies within the width and is big enough to touch
    // (24 px, WCAG 2.2 target size); "leave" is reached by a tap.
    let layout = bp.execute(CONTROLS_LAYOUT, vec![]).await.expect("layout");
    assert_eq!(layout["vw"], json!(375), "{layout}");
    assert_eq!(layout["sideways"], json!(false), "no sideways scrolling: {layout}");
    let controls = layout["controls"].as_array().expect("controls");
    for id in ["call-mic", "call-camera", "call-share", "call-hand", "call-leave"] {
        assert!(controls.iter().any(|c| c["id"] == id), "{id} shown: {layout}");
    }
    for c in controls {
        let (left, right) = (c["left"].as_f64().unwrap_or(-1.0), c["right"].as_f64().unwrap_or(1e9));
        let (width, height) = (c["width"].as_f64().unwrap_or(0.0), c["height"].as_f64().unwrap_or(0.0));
        assert!(left >= 0.0 && right <= 375.0, "within the width: {c}");
        // Kept at the bottom of the screen: mute or leave is never a scroll away.
        let (top, bottom) = (c["top"].as_f64().unwrap_or(-1.0), c["bottom"].as_f64().unwrap_or(1e9));
        let vh = layout["vh"].as_f64().unwrap_or(0.0);
        assert!(
            top >= 0.0 && bottom <= vh,
            "on the screen without scrolling: {c} in {layout}"
        );
        assert!(width >= 24.0 && height >= 24.0, "big enough to touch: {c}");
    }
    tappable(&bp, "the leave button", "[data-testid=call-leave]").await;

    // The patient leaves: their connection goes (in the page and in the
    // unit), their tile goes from the professional's page, who stays in
    // the call.
    bp.click("[data-call-leave]").await;
    bp.wait_for("#call[data-status='left']").await;
    until_js(
        &bp,
        "the patient's connection closed",
        "return window.cercleCall.pcs.size;",
        |v| *v == json!(0),
    )
    .await;
    unit_carries(&app, (1, 1)).await;
    until_js(
        &bm,
        "the patient's tile gone",
        &format!("return !document.querySelector(\"#call-remote [data-peer='{p_id}']\");"),
        |v| *v == json!(true),
    )
    .await;
    let (status, call) = app.get(&format!("/calls/{call_id}"), Some(&patient.token)).await;
    assert_eq!(status, 200, "{call}");
    assert_eq!(call["state"], "active", "{call}");
    let present: Vec<&str> = call["participants"]
        .as_array()
        .expect("participants")
        .iter()
        .filter_map(|p| p["user_id"].as_str())
        .collect();
    assert_eq!(present, [m_id.as_str()], "{call}");

    // The professional ends the call.
    bm.execute("window.confirm = () => true; return true;", vec![])
        .await
        .expect("confirm");
    bm.click("[data-call-end]").await;
    bm.wait_for("#call[data-status='ended']").await;
    unit_carries(&app, (0, 0)).await;
    bm.assert_no_console_errors("the care channel call").await;
    bp.assert_no_console_errors("the care channel call").await;
    bm.quit().await;
    bp.quit().await;
}
