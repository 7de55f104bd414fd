//! Threads through the JSON API and the event WebSocket: access (404 for
//! non-participants everywhere), messages and their history, read state,
//! drafts, acknowledgements, attachments, export, live delivery, replay
//! after a disconnect and a restart, and two nodes on PostgreSQL.

use crate::backends;
use crate::helpers::{
    admin_and_two_members, clinical_thread, events_socket, fleuve_and_two_members, id_of, next_frame, org_with_members,
    post_message, set_active_org, upload_to_thread as upload, Ws,
};
use cercle_testkit::{Db, TestApp};
use serde_json::{json, Value};
use std::time::Duration;

backends!(
    threads_messages_history_and_access,
    attachments_are_checked_encrypted_and_private,
    events_are_live_and_replayed_exactly_after_a_restart,
    posts_at_once_are_each_answered_and_kept_once,
    a_person_s_streams_share_one_access_check,
    a_burst_reaches_a_stream_whole_when_it_ends_with_what_it_may_not_see,
    delivery_does_not_wait_behind_the_requests_reads,
    receiving_is_the_door_of_reading,
);

const UNICODE: &str = "Fièvre ≥ 38 °C — œdème, Œdème, ça, été ; vue par مريم حداد";

/// The text of a PDF through poppler's pdftotext, whitespace collapsed and
/// without the marks it puts around right-to-left text; None when
/// CERCLE_SKIP_PDFTOTEXT=1.
pub(crate) fn pdftotext(pdf: &[u8]) -> Option<String> {
    if std::env::var("CERCLE_SKIP_PDFTOTEXT").as_deref() == Ok("1") {
        cercle_testkit::report_skipped("CERCLE_SKIP_PDFTOTEXT=1, the exported PDF's text is NOT checked");
        return None;
    }
    let dir = cercle_testkit::temp_dir("cercle-thread-pdf-api");
    let file = dir.join("thread.pdf");
    std::fs::write(&file, pdf).expect("pdf written");
    let out = std::process::Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(&file)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) installed");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(out.status.success(), "pdftotext failed");
    let text = String::from_utf8(out.stdout).expect("utf-8");
    let text: String = text
        .chars()
        .filter(|c| !('\u{202a}'..='\u{202e}').contains(c))
        .collect();
    Some(text.split_whitespace().collect::<Vec<_>>().join(" "))
}

async fn threads_messages_history_and_access(db: Db) {
    let app = TestApp::spawn(db).await;
    let (a, b, c) = admin_and_two_members(&app).await;
    let t = clinical_thread(&app, &a, &[&b], "Suivi de M. Lévesque").await;

    // Bad input: clear errors.
    let (status, r) = app
        .post(
            &format!("/threads/{t}/messages"),
            Some(&a.token),
            json!({ "body": "   " }),
        )
        .await;
    assert_eq!((status, r["code"].as_str()), (422, Some("empty-message")), "{r}");
    let (status, r) = app
        .post(
            &format!("/threads/{t}/messages"),
            Some(&a.token),
            json!({ "body": "x".repeat(10_001) }),
        )
        .await;
    assert_eq!((status, r["code"].as_str()), (422, Some("message-too-long")), "{r}");

    let m1 = post_message(&app, &a, &t, "Bonjour, la glycémie de ce matin était à 12,3.").await;

    // Unread counts, then read: "seen by".
    let (_, list) = app.get("/threads", Some(&b.token)).await;
    assert_eq!(list["threads"][0]["unread"], 1, "{list}");
    let (_, u) = app.get("/threads/unread", Some(&b.token)).await;
    assert_eq!(u["unread"], 1);
    let (_, msgs) = app.get(&format!("/threads/{t}/messages"), Some(&a.token)).await;
    assert_eq!(msgs["messages"][0]["seen_by"], json!([]), "{msgs}");
    let (status, _) = app.post(&format!("/threads/{t}/read"), Some(&b.token), json!({})).await;
    assert_eq!(status, 204);
    let (_, msgs) = app.get(&format!("/threads/{t}/messages"), Some(&a.token)).await;
    let b_id = id_of(&app, &b).await;
    assert_eq!(msgs["messages"][0]["seen_by"], json!([b_id]), "{msgs}");
    let m2 = post_message(&app, &b, &t, "Merci, je passe à 14 h.").await;
    assert_eq!((m1["seq"].as_i64(), m2["seq"].as_i64()), (Some(1), Some(2)));
    let (_, u) = app.get("/threads/unread", Some(&a.token)).await;
    assert_eq!(u["unread"], 1, "B's answer is unread for A");
    let (status, _) = app
        .post(&format!("/threads/{t}/unread"), Some(&b.token), json!({}))
        .await;
    assert_eq!(status, 204);
    let (_, list) = app.get("/threads", Some(&b.token)).await;
    assert_eq!(list["threads"][0]["marked_unread"], true);

    // Edit keeps the history; retract leaves a trace; only the author.
    let m1_id = m1["id"].as_str().unwrap();
    let (status, _) = app
        .put(
            &format!("/messages/{m1_id}"),
            Some(&b.token),
            json!({ "body": "piraté" }),
        )
        .await;
    assert_eq!(status, 403, "someone else's message");
    let (status, e) = app
        .put(
            &format!("/messages/{m1_id}"),
            Some(&a.token),
            json!({ "body": "Glycémie : 12,8 (corrigé)." }),
        )
        .await;
    assert_eq!(status, 200, "{e}");
    assert!(e["edited_at"].is_i64());
    let (_, v) = app.get(&format!("/messages/{m1_id}/versions"), Some(&b.token)).await;
    assert_eq!(
        v["versions"][0]["body"],
        "Bonjour, la glycémie de ce matin était à 12,3."
    );
    let m2_id = m2["id"].as_str().unwrap();
    let (status, r) = app
        .post(&format!("/messages/{m2_id}/retract"), Some(&b.token), json!({}))
        .await;
    assert_eq!(status, 200, "{r}");
    assert_eq!((r["body"].as_str(), r["retracted_at"].is_i64()), (Some(""), true));
    let (_, v) = app.get(&format!("/messages/{m2_id}/versions"), Some(&a.token)).await;
    assert_eq!(
        v["versions"][0]["body"], "Merci, je passe à 14 h.",
        "the record stays whole"
    );

    // Drafts follow the person to any device (another session here).
    let (status, _) = app
        .put(
            &format!("/threads/{t}/draft"),
            Some(&b.token),
            json!({ "body": "Brouillon à finir…" }),
        )
        .await;
    assert_eq!(status, 204);
    let other_session = crate::helpers::sign_in_by_email(&app, "b@fleuve.test", 1).await;
    let (_, shown) = app.get(&format!("/threads/{t}"), Some(&other_session)).await;
    assert_eq!(shown["draft"], "Brouillon à finir…");
    let (_, shown) = app.get(&format!("/threads/{t}"), Some(&a.token)).await;
    assert_eq!(shown["draft"], Value::Null, "drafts are one's own");

    // A high-priority message asks for acknowledgements.
    let (status, p) = app
        .post(
            &format!("/threads/{t}/messages"),
            Some(&a.token),
            json!({ "body": "URGENT : appeler la famille", "priority": true }),
        )
        .await;
    assert_eq!(status, 201, "{p}");
    let pid = p["id"].as_str().unwrap();
    let (status, _) = app
        .post(&format!("/messages/{m1_id}/ack"), Some(&b.token), json!({}))
        .await;
    assert_eq!(status, 409, "only priority messages");
    let (status, _) = app
        .post(&format!("/messages/{pid}/ack"), Some(&b.token), json!({}))
        .await;
    assert_eq!(status, 204);
    let (_, msgs) = app.get(&format!("/threads/{t}/messages"), Some(&a.token)).await;
    let last = msgs["messages"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["acknowledged_by"], json!([b_id]));

    // A non-participant of the same organization: 404 everywhere.
    for path in [
        format!("/threads/{t}"),
        format!("/threads/{t}/messages"),
        format!("/threads/{t}/attachments"),
        format!("/threads/{t}/export.pdf"),
        format!("/messages/{m1_id}/versions"),
    ] {
        let (status, _) = app.get(&path, Some(&c.token)).await;
        assert_eq!(status, 404, "{path}");
    }
    let (status, _) = app
        .post(
            &format!("/threads/{t}/messages"),
            Some(&c.token),
            json!({ "body": "intrus" }),
        )
        .await;
    assert_eq!(status, 404);
    let (status, _) = app
        .post(&format!("/messages/{pid}/ack"), Some(&c.token), json!({}))
        .await;
    assert_eq!(status, 404);
    let (_, found) = app.get("/threads/search?q=glycemie", Some(&c.token)).await;
    assert_eq!(found["results"].as_array().map(Vec::len), Some(0), "{found}");
    let (_, found) = app.get("/threads/search?q=GLYCEMIE corrige", Some(&b.token)).await;
    assert_eq!(
        found["results"].as_array().map(Vec::len),
        Some(1),
        "accent-insensitive: {found}"
    );

    // Added later, C sees the whole history; C leaves and loses it.
    let c_id = id_of(&app, &c).await;
    let (status, _) = app
        .post(
            &format!("/threads/{t}/participants"),
            Some(&b.token),
            json!({ "participants": [{ "kind": "user", "id": c_id }] }),
        )
        .await;
    assert_eq!(status, 200);
    let (_, msgs) = app.get(&format!("/threads/{t}/messages"), Some(&c.token)).await;
    assert_eq!(msgs["messages"].as_array().map(Vec::len), Some(3));
    let (status, _) = app
        .post(&format!("/threads/{t}/leave"), Some(&c.token), json!({}))
        .await;
    assert_eq!(status, 204);
    let (status, _) = app.get(&format!("/threads/{t}"), Some(&c.token)).await;
    assert_eq!(status, 404, "after leaving");

    // Duplicate: same title and participants, no messages.
    let (status, d) = app
        .post(&format!("/threads/{t}/duplicate"), Some(&b.token), json!({}))
        .await;
    assert_eq!(status, 201, "{d}");
    assert_eq!(d["title"], "Suivi de M. Lévesque");
    assert_eq!(d["participants"].as_array().map(Vec::len), Some(2));
    assert_eq!(d["last_seq"], 0);

    // A message outside Windows-1252, for the PDF export below.
    post_message(&app, &a, &t, UNICODE).await;

    // Close: read-only, who and when shown; exported; reopened.
    let (status, _) = app.get(&format!("/threads/{t}/export.pdf"), Some(&a.token)).await;
    assert_eq!(status, 409, "only a closed thread is exported");
    let (status, _) = app
        .post(&format!("/threads/{t}/close"), Some(&a.token), json!({}))
        .await;
    assert_eq!(status, 204);
    let (status, r) = app
        .post(
            &format!("/threads/{t}/messages"),
            Some(&b.token),
            json!({ "body": "trop tard" }),
        )
        .await;
    assert_eq!((status, r["code"].as_str()), (409, Some("thread-closed")), "{r}");
    let (_, shown) = app.get(&format!("/threads/{t}"), Some(&b.token)).await;
    assert_eq!(shown["closed"]["by_name"], "Marie Tremblay", "{shown}");
    let (_, closed) = app.get("/threads?closed=true", Some(&b.token)).await;
    assert!(closed.to_string().contains(&t), "found among closed threads");
    let pdf = app
        .http
        .get(format!("{}/api/v1/threads/{t}/export.pdf", app.url))
        .bearer_auth(&b.token)
        .send()
        .await
        .unwrap();
    assert_eq!(pdf.status().as_u16(), 200);
    let pdf = pdf.bytes().await.unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    // Every character comes back from the text layer (PDF/A-2u, fonts embedded).
    let text = pdftotext(&pdf).unwrap_or_else(|| UNICODE.to_string() + " Marie Tremblay");
    for needle in ["Fièvre ≥ 38 °C", "œdème, Œdème, ça, été", "مريم حداد", "Marie Tremblay"] {
        assert!(text.contains(needle), "{needle:?} missing from the PDF:\n{text}");
    }
    let (status, _) = app
        .post(&format!("/threads/{t}/reopen"), Some(&b.token), json!({}))
        .await;
    assert_eq!(status, 204);
    post_message(&app, &b, &t, "Rouvert.").await;

    // Direct messages: friends only, private to the two.
    let (status, _) = app.post("/direct", Some(&a.token), json!({ "user_id": b_id })).await;
    assert_eq!(status, 404, "not friends");
    let (status, _) = app
        .post("/network/friends", Some(&a.token), json!({ "user_id": b_id }))
        .await;
    assert_eq!(status, 200);
    let (_, f) = app.get("/network/friends", Some(&b.token)).await;
    let req = f["incoming"][0]["id"].as_str().unwrap().to_string();
    app.post(
        &format!("/network/friends/requests/{req}/accept"),
        Some(&b.token),
        json!({}),
    )
    .await;
    let a_id = id_of(&app, &a).await;
    let (status, d1) = app.post("/direct", Some(&a.token), json!({ "user_id": b_id })).await;
    assert_eq!(status, 200, "{d1}");
    let (_, d2) = app.post("/direct", Some(&b.token), json!({ "user_id": a_id })).await;
    assert_eq!(d1["id"], d2["id"], "one direct thread per pair");
    let dm = d1["id"].as_str().unwrap();
    post_message(&app, &b, dm, "Entre nous : merci !").await;
    let (status, _) = app.get(&format!("/threads/{dm}/messages"), Some(&c.token)).await;
    assert_eq!(status, 404);
}

fn png(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_pixel(w, h, image::Rgb([200, 30, 30]));
    let mut out = Vec::new();
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

async fn attachments_are_checked_encrypted_and_private(db: Db) {
    let app = TestApp::spawn(db).await;
    let (a, b, c) = admin_and_two_members(&app).await;
    let t = clinical_thread(&app, &a, &[&b], "Plaie au talon").await;

    let (status, m) = upload(
        &app,
        &a,
        &t,
        "name=talon.png&kind=photo&caption=Talon%20gauche",
        png(1200, 800),
    )
    .await;
    assert_eq!(status, 201, "{m}");
    let att = &m["attachments"][0];
    assert_eq!(
        (att["kind"].as_str(), att["content_type"].as_str()),
        (Some("photo"), Some("image/jpeg"))
    );
    assert_eq!(att["has_thumbnail"], true);
    let aid = att["id"].as_str().unwrap().to_string();

    // Participants get it; the thumbnail is small; nobody else gets anything.
    let got = app
        .http
        .get(format!("{}/api/v1/attachments/{aid}", app.url))
        .bearer_auth(&b.token)
        .send()
        .await
        .unwrap();
    assert_eq!(got.status().as_u16(), 200);
    let bytes = got.bytes().await.unwrap();
    assert!(bytes.starts_with(&[0xFF, 0xD8, 0xFF]) && !bytes.windows(4).any(|w| w == b"Exif"));
    let thumb = app
        .http
        .get(format!("{}/api/v1/attachments/{aid}/thumbnail", app.url))
        .bearer_auth(&b.token)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let thumb = image::load_from_memory(&thumb).unwrap();
    assert!(thumb.width() <= 320 && thumb.height() <= 320);
    for path in [format!("/attachments/{aid}"), format!("/attachments/{aid}/thumbnail")] {
        let (status, _) = app.get(&path, Some(&c.token)).await;
        assert_eq!(status, 404, "{path}");
    }
    let (status, _) = upload(&app, &c, &t, "name=x.pdf", b"%PDF-1.4\n%%EOF\n".to_vec()).await;
    assert_eq!(status, 404, "a non-participant cannot upload");

    // Encrypted at rest: the stored blob is not the file.
    let blob = app.config.blob_dir().join(&aid[aid.len() - 2..]).join(&aid);
    let stored = std::fs::read(blob).expect("the blob on disk");
    assert!(!stored.windows(20).any(|w| w == &bytes[..20]), "not stored in clear");

    // Content decides: a text named .jpg, a PDF sent as a photo, a program.
    let (status, r) = upload(&app, &a, &t, "name=scan.jpg", b"just some text".to_vec()).await;
    assert_eq!((status, r["code"].as_str()), (422, Some("file-mismatch")), "{r}");
    let (status, r) = upload(&app, &a, &t, "name=doc.pdf&kind=photo", b"%PDF-1.4\n%%EOF\n".to_vec()).await;
    assert_eq!((status, r["code"].as_str()), (422, Some("file-mismatch")), "{r}");
    let (status, r) = upload(&app, &a, &t, "name=setup.exe", b"MZ\x90\x00\x03\x00\x00\x00".to_vec()).await;
    assert_eq!((status, r["code"].as_str()), (422, Some("file-not-allowed")), "{r}");
    let (status, r) = upload(&app, &a, &t, "name=vide.txt", Vec::new()).await;
    assert_eq!((status, r["code"].as_str()), (422, Some("file-empty")), "{r}");
    // Nothing half-stored: still one attachment.
    let (_, g) = app.get(&format!("/threads/{t}/attachments"), Some(&b.token)).await;
    assert_eq!(g["attachments"].as_array().map(Vec::len), Some(1), "{g}");
    let (status, d) = upload(&app, &a, &t, "name=rapport.pdf", b"%PDF-1.4\n1 0 obj\n%%EOF\n".to_vec()).await;
    assert_eq!(status, 201, "{d}");
    let (_, g) = app.get(&format!("/threads/{t}/attachments"), Some(&b.token)).await;
    assert_eq!(g["attachments"].as_array().map(Vec::len), Some(2));
}

/// Frames until `ready`; returns the events before it and the ready's last id.
async fn until_ready(ws: &mut Ws) -> (Vec<Value>, i64) {
    let mut events = Vec::new();
    loop {
        let f = next_frame(ws, Duration::from_secs(10))
            .await
            .expect("a frame before ready");
        if f["type"] == "ready" {
            return (events, f["last"].as_i64().expect("last"));
        }
        events.push(f);
    }
}

/// The next frame of `kind`, skipping others.
async fn next_of(ws: &mut Ws, kind: &str) -> Value {
    loop {
        let f = next_frame(ws, Duration::from_secs(10))
            .await
            .unwrap_or_else(|| panic!("no {kind} event in time"));
        if f["type"] == kind {
            return f;
        }
    }
}

async fn events_are_live_and_replayed_exactly_after_a_restart(db: Db) {
    let mut app = TestApp::spawn(db).await;
    let (a, b, c) = admin_and_two_members(&app).await;
    let t = clinical_thread(&app, &a, &[&b], "Suivi en direct").await;

    // Live: B's two tabs get A's message, typing, reads.
    let mut tab1 = events_socket(&app.url, &b.token, None).await;
    let mut tab2 = events_socket(&app.url, &b.token, None).await;
    until_ready(&mut tab1).await;
    until_ready(&mut tab2).await;
    let mut outsider = events_socket(&app.url, &c.token, None).await;
    until_ready(&mut outsider).await;
    post_message(&app, &a, &t, "Première visite faite.").await;
    for tab in [&mut tab1, &mut tab2] {
        let e = next_of(tab, "message").await;
        assert_eq!(e["data"]["body"], "Première visite faite.");
        assert_eq!(e["thread_id"], t.as_str());
    }
    let (status, _) = app
        .post(&format!("/threads/{t}/typing"), Some(&a.token), json!({}))
        .await;
    assert_eq!(status, 204);
    let typing = next_of(&mut tab1, "typing").await;
    assert_eq!(typing["data"]["name"], "Marie Tremblay");
    assert!(typing["id"].is_null(), "typing is not stored");
    // A non-participant receives nothing of it.
    assert!(
        next_frame(&mut outsider, Duration::from_millis(600)).await.is_none(),
        "outsider hears nothing"
    );

    // B drops off; three messages; the server restarts; B comes back with
    // the last id seen and gets exactly the three, in order.
    let seen = {
        // The last stored event id tab2 saw (message events carry ids).
        let e = post_message(&app, &a, &t, "Deuxième.").await;
        let f = next_of(&mut tab2, "message").await;
        assert_eq!(f["data"]["id"], e["id"]);
        f["id"].as_i64().expect("stored events have ids")
    };
    drop(tab1);
    drop(tab2);
    for i in 1..=3 {
        post_message(&app, &a, &t, &format!("Pendant l'absence {i}")).await;
    }
    app.restart().await;
    let mut back = events_socket(&app.url, &b.token, Some(seen)).await;
    let (missed, _) = until_ready(&mut back).await;
    let bodies: Vec<&str> = missed
        .iter()
        .filter(|e| e["type"] == "message")
        .map(|e| e["data"]["body"].as_str().unwrap())
        .collect();
    assert_eq!(
        bodies,
        ["Pendant l'absence 1", "Pendant l'absence 2", "Pendant l'absence 3"]
    );
    let ids: Vec<i64> = missed.iter().map(|e| e["id"].as_i64().unwrap()).collect();
    assert!(
        ids.windows(2).all(|w| w[0] < w[1]) && ids[0] > seen,
        "in order, nothing before: {ids:?}"
    );
    // Live again after the replay, without duplicates.
    post_message(&app, &a, &t, "De retour.").await;
    let e = next_of(&mut back, "message").await;
    assert_eq!(e["data"]["body"], "De retour.");

    // Removed: B's stream stops at once.
    let b_id = id_of(&app, &b).await;
    let (status, _) = app
        .post(
            &format!("/threads/{t}/participants/remove"),
            Some(&a.token),
            json!({ "kind": "user", "id": b_id }),
        )
        .await;
    assert_eq!(status, 204);
    post_message(&app, &a, &t, "Après le retrait.").await;
    let mut leaked = Vec::new();
    while let Some(f) = next_frame(&mut back, Duration::from_millis(800)).await {
        leaked.push(f);
    }
    assert!(
        leaked.iter().all(|f| f["data"]["body"] != "Après le retrait."),
        "a removed participant receives nothing more: {leaked:?}"
    );

    // Two nodes on PostgreSQL share events.
    if db == Db::Postgres {
        let node2 = app.spawn_node().await;
        let t2 = clinical_thread(&app, &a, &[&c], "Deux nœuds").await;
        let mut on_node2 = events_socket(&node2.url, &c.token, None).await;
        until_ready(&mut on_node2).await;
        post_message(&app, &a, &t2, "Envoyé par le nœud 1").await;
        let e = next_of(&mut on_node2, "message").await;
        assert_eq!(e["data"]["body"], "Envoyé par le nœud 1");
        let (status, _) = app
            .post(&format!("/threads/{t2}/typing"), Some(&a.token), json!({}))
            .await;
        assert_eq!(status, 204);
        next_of(&mut on_node2, "typing").await;
    }
}

/// An upload cut off midway stores nothing; flooding is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cut_uploads_store_nothing_and_flooding_is_refused() {
    use tokio::io::AsyncWriteExt;
    let app = TestApp::spawn(Db::Sqlite).await;
    let (a, b, _) = admin_and_two_members(&app).await;
    let t = clinical_thread(&app, &a, &[&b], "Coupures").await;

    // Announce 200 kB, send 10 kB of a PNG, hang up.
    let route = "/api/v1/threads/{id}/files";
    let done_before = app.requests_done(route).await;
    let addr = app.url.trim_start_matches("http://").to_string();
    let mut sock = tokio::net::TcpStream::connect(&addr).await.expect("connect");
    let head = format!(
        "PUT /api/v1/threads/{t}/files?name=coupe.png HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {}\r\nContent-Length: 200000\r\n\r\n",
        a.token
    );
    sock.write_all(head.as_bytes()).await.expect("head");
    let mut partial = png(600, 600);
    partial.truncate(10_000);
    sock.write_all(&partial).await.expect("partial body");
    sock.shutdown().await.expect("hang up");
    drop(sock);
    // The server is done with the cut upload (answered or dropped) before
    // we look: nothing can still be on its way to the database.
    app.wait_requests_done(route, done_before, 1.0).await;
    let (_, g) = app.get(&format!("/threads/{t}/attachments"), Some(&a.token)).await;
    assert_eq!(
        g["attachments"].as_array().map(Vec::len),
        Some(0),
        "nothing half-stored: {g}"
    );
    let (_, msgs) = app.get(&format!("/threads/{t}/messages"), Some(&a.token)).await;
    assert_eq!(msgs["messages"].as_array().map(Vec::len), Some(0));

    // 120 messages a minute, not one more.
    let mut refused_at = None;
    for i in 0..130 {
        let (status, r) = app
            .post(
                &format!("/threads/{t}/messages"),
                Some(&b.token),
                json!({ "body": format!("message {i}") }),
            )
            .await;
        if status == 429 {
            assert_eq!(r["code"], "rate-limited");
            refused_at = Some(i);
            break;
        }
        assert_eq!(status, 201, "{r}");
    }
    assert_eq!(refused_at, Some(120));
    let (_, msgs) = app.get(&format!("/threads/{t}/messages"), Some(&a.token)).await;
    assert_eq!(
        msgs["messages"].as_array().map(Vec::len),
        Some(100),
        "a page of the 120 kept"
    );
    app.advance(61);
    post_message(&app, &b, &t, "après une minute").await;
}

/// Posts sent at the same moment share the group commit: each accepted one
/// is kept once, in one order without gaps, and each refused one (not a
/// participant, a closed thread) gets its own answer without taking the
/// others down with it.
async fn posts_at_once_are_each_answered_and_kept_once(db: Db) {
    let app = TestApp::spawn(db).await;
    let (a, b, c) = admin_and_two_members(&app).await;
    let t = clinical_thread(&app, &a, &[&b], "Ensemble").await;
    let closed = clinical_thread(&app, &a, &[&b], "Fermée").await;
    let (status, r) = app
        .post(&format!("/threads/{closed}/close"), Some(&a.token), json!({}))
        .await;
    assert_eq!(status, 204, "{r}");

    let mut posts = Vec::new();
    for i in 0..48 {
        let (who, thread, expect) = match i % 4 {
            0 => (&a, &t, 201),
            1 => (&b, &t, 201),
            // Not a participant: the thread does not exist for them.
            2 => (&c, &t, 404),
            _ => (&b, &closed, 409),
        };
        let (app, token, path) = (&app, who.token.clone(), format!("/threads/{thread}/messages"));
        posts.push(async move {
            let (status, r) = app
                .post(&path, Some(&token), json!({ "body": format!("ensemble {i}") }))
                .await;
            assert_eq!(status, expect, "post {i}: {r}");
            r
        });
    }
    futures_util::future::join_all(posts).await;

    let (_, msgs) = app.get(&format!("/threads/{t}/messages"), Some(&a.token)).await;
    let msgs = msgs["messages"].as_array().expect("messages").clone();
    let mut bodies: Vec<String> = msgs.iter().map(|m| m["body"].as_str().unwrap().to_string()).collect();
    bodies.sort();
    let mut expected: Vec<String> = (0..48).filter(|i| i % 4 < 2).map(|i| format!("ensemble {i}")).collect();
    expected.sort();
    assert_eq!(bodies, expected, "every accepted post kept once, no refused one");
    let mut seqs: Vec<i64> = msgs.iter().map(|m| m["seq"].as_i64().unwrap()).collect();
    seqs.sort();
    assert_eq!(seqs, (1..=24).collect::<Vec<_>>(), "no gap left by a refused post");
    let (_, msgs) = app.get(&format!("/threads/{closed}/messages"), Some(&a.token)).await;
    assert_eq!(msgs["messages"].as_array().map(Vec::len), Some(0));
}

/// A message reaches every open stream of its participants at once; the
/// node asks once per person and thread whether they may receive it, and
/// reads each person's bell once, not once per stream (10,000 streams
/// asking at once closed a third of them, docs/benchmarks.md section 27).
/// An answer given before a change of the thread's participants is never
/// given after it.
async fn a_person_s_streams_share_one_access_check(db: Db) {
    let app = TestApp::spawn(db).await;
    let (a, b, c) = admin_and_two_members(&app).await;
    let t = clinical_thread(&app, &a, &[&b], "Beaucoup d'onglets").await;
    let mut mine = Vec::new();
    for _ in 0..24 {
        let mut ws = events_socket(&app.url, &b.token, None).await;
        until_ready(&mut ws).await;
        mine.push(ws);
    }
    let mut outsiders = Vec::new();
    for _ in 0..6 {
        let mut ws = events_socket(&app.url, &c.token, None).await;
        until_ready(&mut ws).await;
        outsiders.push(ws);
    }
    let answers = &app.ctx().hub.answers;

    let bells = &app.ctx().hub.bells;

    let before = answers.checks();
    let bells_before = bells.runs();
    post_message(&app, &a, &t, "Pour tous les onglets").await;
    for ws in &mut mine {
        let e = next_of(ws, "message").await;
        assert_eq!(e["data"]["body"], "Pour tous les onglets");
        // And B's bell: one unread, the same read for every stream.
        let bell = next_of(ws, "notifications").await;
        assert_eq!(bell["data"]["unread"], 1, "{bell}");
    }
    futures_util::future::join_all(outsiders.iter_mut().map(|ws| async move {
        let leaked = next_frame(ws, Duration::from_millis(500)).await;
        assert!(leaked.is_none(), "an outsider's stream receives nothing: {leaked:?}");
    }))
    .await;
    assert_eq!(
        answers.checks() - before,
        2,
        "one check for B's 24 streams, one for C's 6"
    );
    assert_eq!(
        bells.runs() - bells_before,
        1,
        "one read of B's bell for B's 24 streams"
    );

    // B removed: the answer kept for B is forgotten before B's streams see
    // the change, so none of them receives what follows.
    let b_id = id_of(&app, &b).await;
    let (status, _) = app
        .post(
            &format!("/threads/{t}/participants/remove"),
            Some(&a.token),
            json!({ "kind": "user", "id": b_id }),
        )
        .await;
    assert_eq!(status, 204);
    post_message(&app, &a, &t, "Après le retrait de B").await;
    futures_util::future::join_all(mine.iter_mut().map(|ws| async move {
        while let Some(f) = next_frame(ws, Duration::from_millis(500)).await {
            assert_ne!(
                f["data"]["body"], "Après le retrait de B",
                "a removed participant's stream"
            );
        }
    }))
    .await;
}

/// Whether a thread's events may reach a person (their streams, the rings
/// of their notifications) is the door of reading the thread: asked of a
/// participant in person, it is answered by the post's one statement, and
/// must agree with the full door for the organization part too (another
/// organization active: nothing, as reading it is "not found").
async fn receiving_is_the_door_of_reading(db: Db) {
    use cercle_app::threads::service::may_receive;
    let app = TestApp::spawn(db).await;
    let (org, b, c) = fleuve_and_two_members(&app).await;
    let a = &org.admin;
    let t = clinical_thread(&app, a, &[&b], "La porte").await;
    let (a_id, b_id, c_id) = (id_of(&app, a).await, id_of(&app, &b).await, id_of(&app, &c).await);
    let check = |who: &'static str, id: String, token: String, expected: bool| {
        let (app, t) = (&app, &t);
        async move {
            let receives = may_receive(app.ctx(), &id, t).await.expect("an answer");
            let (status, _) = app.get(&format!("/threads/{t}/messages"), Some(&token)).await;
            assert_eq!(receives, expected, "{who} receives");
            assert_eq!(status == 200, expected, "{who} reads ({status})");
        }
    };
    check("A, its author", a_id, a.token.clone(), true).await;
    check("B, a participant", b_id.clone(), b.token.clone(), true).await;
    check("C, not a participant", c_id, c.token.clone(), false).await;

    // B's active organization another one: the thread is not found for B.
    org_with_members(&app, "Clinique de la Baie", &[&b]).await;
    check("B in another organization", b_id.clone(), b.token.clone(), false).await;
    set_active_org(&app, &org.id, &[&b]).await;
    check("B back in its organization", b_id.clone(), b.token.clone(), true).await;

    // No such thread, and no thread id at all.
    let nowhere = cercle_domain::ThreadId::new().to_string();
    assert!(!may_receive(app.ctx(), &b_id, &nowhere).await.expect("an answer"));
    assert!(!may_receive(app.ctx(), &b_id, "pas-un-fil").await.expect("an answer"));
}

/// The node's dispatcher reads the log on a connection of its own: with
/// every connection of the shared read pool taken (requests queueing under
/// load), what was committed still reaches the streams. Before, the
/// dispatcher queued with the requests, for up to the pool's wait (10 s).
/// The second message is written by the group-commit writer, whose
/// connection is not the shared pool's either, and found by the
/// dispatcher's look at the log every 500 ms.
async fn delivery_does_not_wait_behind_the_requests_reads(db: Db) {
    let app = TestApp::spawn(db).await;
    let (a, b, _) = admin_and_two_members(&app).await;
    let thread = clinical_thread(&app, &a, &[&b], "Sans attente").await;
    let thread_id: cercle_domain::ThreadId = thread.parse().expect("a thread id");
    let mut ws = events_socket(&app.url, &b.token, None).await;
    until_ready(&mut ws).await;
    // A first message: B's stream has its answer for the thread, and a
    // message's data to copy.
    post_message(&app, &a, &thread, "premier").await;
    let first = next_of(&mut ws, "message").await;

    let store = &app.ctx().store;
    let mut held = Vec::new();
    while held.len() < 64 {
        match tokio::time::timeout(Duration::from_millis(300), store.reader()).await {
            Ok(Ok(conn)) => held.push(conn),
            _ => break,
        }
    }
    assert!(
        !held.is_empty() && held.len() < 64,
        "the shared pool is taken whole: {} connections",
        held.len()
    );
    let mut data = first["data"].clone();
    data["body"] = json!("pendant l'attente");
    data["seq"] = json!(data["seq"].as_i64().expect("seq") + 1);
    let payload = data.to_string();
    let now = app.ctx().clock.now();
    store
        .write(move |conn| {
            Box::pin(async move {
                cercle_store::events::append_event(
                    conn,
                    &cercle_domain::events::Topic::Thread(thread_id),
                    cercle_domain::events::EventKind::Message,
                    &payload,
                    now,
                )
                .await
            })
        })
        .await
        .expect("the event logged");
    let got = tokio::time::timeout(Duration::from_secs(4), next_of(&mut ws, "message")).await;
    drop(held);
    let got = got.expect("delivered while the shared pool is taken");
    assert_eq!(got["data"]["body"], "pendant l'attente", "{got}");
}

/// The flood limit is a setting (`messages_per_minute`).
#[tokio::test]
async fn the_flood_limit_is_a_setting() {
    let app = TestApp::spawn_with(Db::Sqlite, |c| c.messages_per_minute = 3).await;
    let (a, b, _) = admin_and_two_members(&app).await;
    let t = clinical_thread(&app, &a, &[&b], "Limite").await;
    for i in 0..3 {
        post_message(&app, &b, &t, &format!("message {i}")).await;
    }
    let (status, r) = app
        .post(
            &format!("/threads/{t}/messages"),
            Some(&b.token),
            json!({ "body": "un de trop" }),
        )
        .await;
    assert_eq!((status, r["code"].as_str()), (429, Some("rate-limited")), "{r}");
    app.advance(61);
    post_message(&app, &b, &t, "après une minute").await;
}

/// A stream writes the frames of a batch of events together, once no more
/// are waiting. Nothing may stay held back when the batch ends with events
/// its person may not see (another thread's messages, skipped): each round
/// of posts, committed together, reaches B whole before the next is sent.
async fn a_burst_reaches_a_stream_whole_when_it_ends_with_what_it_may_not_see(db: Db) {
    let app = TestApp::spawn(db).await;
    let (a, b, c) = admin_and_two_members(&app).await;
    let mine = clinical_thread(&app, &a, &[&b], "Le fil de B").await;
    let other = clinical_thread(&app, &a, &[&c], "Sans B").await;
    let mut ws = events_socket(&app.url, &b.token, None).await;
    until_ready(&mut ws).await;
    for round in 0..5 {
        // B's thread first, then the other: the batch most likely ends
        // with events B's stream skips.
        let mut posts = Vec::new();
        for i in 0..6 {
            posts.push((&a, &mine, format!("round {round}, for B {i}")));
        }
        for i in 0..6 {
            posts.push((&c, &other, format!("round {round}, not for B {i}")));
        }
        futures_util::future::join_all(posts.iter().map(|(who, t, body)| post_message(&app, who, t, body))).await;
        let mut got = Vec::new();
        while got.len() < 6 {
            let f = next_frame(&mut ws, Duration::from_secs(5))
                .await
                .unwrap_or_else(|| panic!("round {round}: held back after {got:?}"));
            if f["type"] != "message" {
                continue;
            }
            assert_eq!(f["thread_id"], mine.as_str(), "B sees only B's thread: {f}");
            got.push(f["data"]["body"].as_str().unwrap_or_default().to_string());
        }
        got.sort();
        let expected: Vec<String> = (0..6).map(|i| format!("round {round}, for B {i}")).collect();
        assert_eq!(got, expected, "round {round}");
    }
}
