//! A call of three through the forwarding unit across two nodes on one
//! PostgreSQL database (issue 17), in three real headless Chromiums with
//! fake camera and microphone: A and B use node 1, C uses node 2 (its page,
//! its event socket and its API calls all go to node 2). A starts the call
//! on node 1, so node 1's unit holds it; C's signals to `sfu` reach node 2
//! and are routed over the event bus to node 1. Each receives audio and
//! video from both others (read from `getStats()`), node 1's unit carries
//! the three connections and node 2's none; A ends the call and C's page,
//! on node 2, sees it end. `CERCLE_SKIP_BROWSER=1` skips it.

use crate::calls_sfu_browser::{connected_to_unit, receives_from, until_js};
use crate::helpers::{clinical_thread, fleuve_and_two_members, id_of, sign_in_pages};
use cercle_app::calls::forwarding::ForwardingLoad;
use cercle_app::Ctx;
use cercle_domain::Language;
use cercle_testkit::browser::Browser;
use cercle_testkit::{Db, TestApp};
use serde_json::json;
use std::time::{Duration, Instant};

/// Waits (at most 60 s: three browsers share two loaded cores) until the
/// unit of `ctx` carries `want` (calls, participants).
async fn unit_carries(ctx: &Ctx, want: (usize, usize), what: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let ForwardingLoad { calls, participants } = ctx.forwarding.load().await;
        if (calls, participants) == want {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{what}: the unit carries {:?}, not {want:?}",
            (calls, participants)
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_browsers_on_two_nodes_are_in_one_call() {
    if cercle_testkit::browser::skipped() || cercle_testkit::skip_postgres() {
        return;
    }
    let app = TestApp::spawn_with(Db::Postgres, |c| {
        c.sfu_enabled = true;
        c.sfu_bind = "127.0.0.1:0".parse().expect("address");
    })
    .await;
    let node2 = app.spawn_node().await;
    for ctx in [app.ctx(), node2.ctx()] {
        tokio::time::timeout(Duration::from_secs(10), ctx.bus.ready())
            .await
            .expect("both nodes listen within 10 s");
    }
    let (org, b, c) = fleuve_and_two_members(&app).await;
    let a = org.admin;
    let t = clinical_thread(&app, &a, &[&b, &c], "Suivi de M. Lévesque").await;
    let (a_id, b_id, c_id) = (id_of(&app, &a).await, id_of(&app, &b).await, id_of(&app, &c).await);

    // Launched for node 1 (one browser slot for the whole test); C's page
    // then goes to node 2 (the session cookie is the host's, whatever the
    // port: the same session on both nodes, as behind one public address).
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

    // A starts a video call on node 1: node 1's unit holds it.
    ba.goto(&format!("/threads/{t}")).await;
    ba.click_and_load("[data-testid=call-start-video]").await;
    ba.wait_for("#call[data-in-call='true'][data-topology='sfu'][data-unit='true']")
        .await;
    let call_id = ba
        .execute("return document.getElementById('call').dataset.callId;", vec![])
        .await
        .expect("call id");
    let call_id = call_id.as_str().expect("id").to_string();
    connected_to_unit(&ba, "A").await;
    unit_carries(app.ctx(), (1, 1), "A on node 1").await;

    // B joins on node 1, then C on node 2, each connected before the next.
    for (br, who, url, count) in [(&bb, "B", &app.url, 2), (&bc, "C", &node2.url, 3)] {
        br.goto(&format!("{url}/calls/{call_id}")).await;
        br.wait_for("[data-call-join]").await;
        br.click("[data-call-join]").await;
        br.wait_for("[data-call-join][hidden]").await;
        connected_to_unit(br, who).await;
        unit_carries(app.ctx(), (1, count), who).await;
    }
    let on_node2 = bc.execute("return location.origin;", vec![]).await.expect("origin");
    assert_eq!(on_node2, json!(node2.url), "C's page is served by node 2");

    // Everyone receives audio and video from each of the two others, all
    // through node 1's unit; node 2's carries nothing.
    receives_from(&ba, "A", &[&b_id, &c_id]).await;
    receives_from(&bb, "B", &[&a_id, &c_id]).await;
    receives_from(&bc, "C (node 2)", &[&a_id, &b_id]).await;
    unit_carries(app.ctx(), (1, 3), "all three on node 1's unit").await;
    unit_carries(node2.ctx(), (0, 0), "none on node 2's unit").await;

    // A ends the call for everyone: C's page on node 2 sees it, and every
    // connection closes.
    ba.execute("window.confirm = () => true; return true;", vec![])
        .await
        .expect("confirm");
    ba.click("[data-call-end]").await;
    ba.wait_for("#call[data-status='ended']").await;
    bc.wait_for("#call[data-status='ended']").await;
    unit_carries(app.ctx(), (0, 0), "the end closes every connection").await;
    until_js(
        &bc,
        "C's connection closed",
        "return window.cercleCall.pcs.size;",
        |v| *v == json!(0),
    )
    .await;
    ba.assert_no_console_errors("the call").await;
    bb.assert_no_console_errors("the call").await;
    bc.assert_no_console_errors("the call on node 2").await;
    ba.quit().await;
    bb.quit().await;
    bc.quit().await;
}

/// The node holding a call stops: it lets go of the call and tells the
/// pages (`bye` from `sfu`), which join again; the first join moves the
/// call to node 1's unit, the other follows, and both receive each other's
/// audio and video again, through node 1. (A node that crashes instead
/// lets its lease run out: `calls_route_api.rs`.)
/// Node 2 holds the call because C's join (a str0m client through the API)
/// reached it first; A's and B's pages are on node 1 and their signals go
/// to node 2 until it stops.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_moves_to_another_node_when_its_holder_stops() {
    if cercle_testkit::browser::skipped() || cercle_testkit::skip_postgres() {
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
    let (org, b, c) = fleuve_and_two_members(&app).await;
    let a = org.admin;
    let t = clinical_thread(&app, &a, &[&b, &c], "Suivi de M. Lévesque").await;
    let (a_id, b_id) = (id_of(&app, &a).await, id_of(&app, &b).await);
    let (status, call) = app
        .post(
            &format!("/threads/{t}/calls"),
            Some(&c.token),
            json!({ "media": "video" }),
        )
        .await;
    assert_eq!(status, 201, "{call}");
    let call_id = call["id"].as_str().expect("call").to_string();
    // C's client joins the unit through node 2: node 2 holds the call.
    let (_client, offer) = cercle_sfu::synthetic::Client::new(1, Instant::now()).expect("client");
    let r = app
        .http
        .post(format!("{}/api/v1/calls/{call_id}/signal", node2.url))
        .bearer_auth(&c.token)
        .json(&json!({ "kind": "offer", "to": "sfu", "sdp": offer, "join": true }))
        .send()
        .await
        .expect("signal");
    assert_eq!(r.status().as_u16(), 202);
    unit_carries(node2.ctx(), (1, 1), "C on node 2").await;

    let Some(ba) = Browser::launch(&app.url, Language::Fr).await else {
        return;
    };
    let Some(bb) = Browser::launch(&app.url, Language::En).await else {
        return;
    };
    sign_in_pages(&app, &ba, &a.email, 1).await;
    sign_in_pages(&app, &bb, &b.email, 1).await;
    for (br, who, count) in [(&ba, "A", 2), (&bb, "B", 3)] {
        br.goto(&format!("/calls/{call_id}")).await;
        br.wait_for("[data-call-join]").await;
        br.click("[data-call-join]").await;
        br.wait_for("[data-call-join][hidden]").await;
        connected_to_unit(br, who).await;
        unit_carries(node2.ctx(), (1, count), who).await;
    }
    receives_from(&ba, "A through node 2", &[&b_id]).await;
    receives_from(&bb, "B through node 2", &[&a_id]).await;
    assert_eq!(app.ctx().forwarding.load().await, ForwardingLoad::default());

    // Node 2 stops: it lets go of the call and tells everyone in it to
    // join again (a `bye` from `sfu`). Both pages end up on node 1's unit
    // and receive each other again.
    node2.stop().await;
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let ForwardingLoad { calls, participants } = app.ctx().forwarding.load().await;
        if (calls, participants) == (1, 2) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "A and B on node 1's unit within 120 s: it carries {:?}",
            (calls, participants)
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    receives_from(&ba, "A through node 1", &[&b_id]).await;
    receives_from(&bb, "B through node 1", &[&a_id]).await;
    ba.assert_no_console_errors("the call moved").await;
    bb.assert_no_console_errors("the call moved").await;
    ba.quit().await;
    bb.quit().await;
}
