//! A peer-to-peer call in two real headless Chromiums with fake camera and
//! microphone (issue 17): A starts a video call from their direct thread
//! with B; B, on the home page, sees the incoming-call banner and accepts.
//! Read from `RTCPeerConnection.getStats()` (the connection is on
//! `window.cercleCall`): audio and video bytes are received both ways;
//! muting A stops A's outgoing audio; sharing A's screen gives B a second
//! video track; B leaves and joins again and media flow again; A ends the
//! call for both. Every wait is bounded (the browser helpers' 15 s, or 30 s
//! for media over a loaded machine); nothing is timed.
//! `CERCLE_SKIP_BROWSER=1` skips it.

use crate::calls_signal_api::direct_pair;
use crate::helpers::sign_in_pages;
use cercle_domain::Language;
use cercle_testkit::browser::Browser;
use cercle_testkit::{Db, TestApp};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// Media may take a while on a loaded two-core machine.
const MEDIA_WAIT: Duration = Duration::from_secs(30);

/// What the page's connection says now: bytes in and out by kind, and the
/// inbound video streams that received something.
const STATS: &str = r#"
const pcs = window.cercleCall ? [...window.cercleCall.pcs.values()] : [];
if (pcs.length === 0) return null;
return pcs[0].getStats().then((st) => {
  const o = { ain: 0, vin: 0, aout: 0, vout: 0, vtracks: 0, state: pcs[0].connectionState, peers: pcs.length };
  st.forEach((r) => {
    if (r.type === 'inbound-rtp' && r.kind === 'audio') o.ain += r.bytesReceived || 0;
    if (r.type === 'inbound-rtp' && r.kind === 'video') { o.vin += r.bytesReceived || 0; if ((r.bytesReceived || 0) > 0) o.vtracks += 1; }
    if (r.type === 'outbound-rtp' && r.kind === 'audio') o.aout += r.bytesSent || 0;
    if (r.type === 'outbound-rtp' && r.kind === 'video') o.vout += r.bytesSent || 0;
  });
  return o;
});
"#;

async fn stats(b: &Browser) -> Option<Value> {
    let v = b.execute(STATS, vec![]).await.ok()?;
    (!v.is_null()).then_some(v)
}

fn n(v: &Value, k: &str) -> i64 {
    v[k].as_i64().unwrap_or(0)
}

/// Polls `ok` on the page's stats until it holds, for at most [`MEDIA_WAIT`].
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
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Audio and video bytes received grow (media flow now, not only before).
async fn media_flowing(b: &Browser, who: &str) {
    let first = until_stats(b, &format!("{who} receives audio and video"), |s| {
        n(s, "ain") > 0 && n(s, "vin") > 0
    })
    .await;
    until_stats(b, &format!("{who} keeps receiving audio and video"), |s| {
        n(s, "ain") > n(&first, "ain") && n(s, "vin") > n(&first, "vin")
    })
    .await;
}

/// The status line's key (`connected`, `left`, `ended`…).
async fn status_is(b: &Browser, key: &str) {
    b.wait_for(&format!("#call[data-status='{key}']")).await;
}

/// Accepts the page's next confirmation dialogs.
async fn confirm_all(b: &Browser) {
    b.execute("window.confirm = () => true; return true;", vec![])
        .await
        .expect("confirm");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_direct_call_carries_audio_and_video_both_ways() {
    if cercle_testkit::browser::skipped() {
        return;
    }
    let app = TestApp::spawn(Db::Sqlite).await;
    let d = direct_pair(&app).await;
    let Some(ba) = Browser::launch(&app.url, Language::Fr).await else {
        return;
    };
    let Some(bb) = Browser::launch(&app.url, Language::En).await else {
        return;
    };
    sign_in_pages(&app, &ba, &d.a.email, 1).await;
    sign_in_pages(&app, &bb, &d.b.email, 1).await;
    // B waits on the home page, its stream up.
    bb.goto("/").await;
    bb.wait_for("a.bell[data-live='1']").await;

    // A starts a video call from the direct thread.
    ba.goto(&format!("/threads/{}", d.thread)).await;
    ba.click_and_load("[data-testid=call-start-video]").await;
    ba.wait_for("#call[data-in-call='true']").await;
    let call_id = ba
        .execute("return document.getElementById('call').dataset.callId;", vec![])
        .await
        .expect("call id");
    let call_id = call_id.as_str().expect("id").to_string();
    assert_eq!(
        ba.execute("return document.getElementById('call').dataset.topology;", vec![])
            .await
            .expect("topology"),
        json!("p2p")
    );
    status_is(&ba, "waiting").await;

    // B is rung, accepts, and lands in the call.
    bb.wait_for("#call-banner:not([hidden])").await;
    // B reads French: "(vidéo)".
    bb.wait_for_text_in("#call-banner-text", "(vid").await;
    bb.click("[data-testid=call-accept]").await;
    bb.wait_for_path(&format!("/calls/{call_id}")).await;
    bb.wait_for("#call[data-in-call='true']").await;

    // Audio and video both ways.
    media_flowing(&ba, "A").await;
    media_flowing(&bb, "B").await;
    status_is(&ba, "connected").await;
    status_is(&bb, "connected").await;

    // A mutes: A's outgoing audio stops, B's list says so.
    ba.click("[data-call-mic]").await;
    ba.wait_for("[data-call-mic][aria-pressed='true']").await;
    bb.wait_for("#call-participants li[data-muted='true']").await;
    // Packets already on their way may still be counted: wait until two
    // readings a second apart agree, then check it stays so.
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
    // Video still flows meanwhile; audio stays still.
    let later = until_stats(&ba, "A's video goes on while muted", |s| {
        n(s, "vout") > n(&settled, "vout")
    })
    .await;
    assert_eq!(n(&later, "aout"), n(&settled, "aout"), "muted: no audio sent");
    // Unmute: audio again.
    ba.click("[data-call-mic]").await;
    ba.wait_for("[data-call-mic][aria-pressed='false']").await;
    until_stats(&ba, "A's audio again after unmute", |s| {
        n(s, "aout") > n(&later, "aout")
    })
    .await;

    // A shares a screen: B receives a second video track.
    ba.click("[data-call-share]").await;
    ba.wait_for("[data-call-share][aria-pressed='true']").await;
    until_stats(&bb, "B receives A's screen as a second video track", |s| {
        n(s, "vtracks") >= 2
    })
    .await;
    ba.click("[data-call-share]").await;
    ba.wait_for("[data-call-share][aria-pressed='false']").await;

    // B leaves: A's connection to B goes; B joins again: media again.
    bb.click("[data-call-leave]").await;
    status_is(&bb, "left").await;
    ba.wait_js(
        "A's connection to B closed",
        "return window.cercleCall.pcs.size;",
        |v| *v == json!(0),
    )
    .await;
    status_is(&ba, "waiting").await;
    bb.click("[data-call-join]").await;
    bb.wait_for("#call[data-status='connecting'], #call[data-status='connected']")
        .await;
    media_flowing(&bb, "B after joining again").await;
    media_flowing(&ba, "A after B joined again").await;

    // A ends the call for both.
    confirm_all(&ba).await;
    ba.click("[data-call-end]").await;
    status_is(&ba, "ended").await;
    status_is(&bb, "ended").await;
    let (status, call) = app.get(&format!("/calls/{call_id}"), Some(&d.a.token)).await;
    assert_eq!(status, 200);
    assert_eq!(call["state"], "ended", "{call}");
    for b in [&ba, &bb] {
        b.wait_js("connections closed", "return window.cercleCall.pcs.size;", |v| {
            *v == json!(0)
        })
        .await;
    }
    ba.assert_no_console_errors("the call").await;
    bb.assert_no_console_errors("the call").await;
    ba.quit().await;
    bb.quit().await;
}
