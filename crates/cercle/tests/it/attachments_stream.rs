//! Uploads stored as they arrive (issue 16): a 64 MiB video goes in and
//! comes out byte for byte (and by ranges); an upload refused while it
//! streams, or whose client goes away in the middle, leaves no blob and no
//! message; a retried upload (same `Idempotency-Key`) keeps one blob.

use crate::attachments_api::{assert_downloads, files_under, voice};
use crate::backends;
use crate::helpers::{admin_and_two_members, clinical_thread, upload_to_thread as upload};
use cercle_testkit::{eventually, Db, TestApp};
use std::path::PathBuf;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

backends!(
    a_64_mib_video_streams_in_and_out,
    uploads_refused_while_streaming_leave_no_blob,
    a_client_gone_mid_upload_leaves_no_blob_nor_message,
    a_retried_upload_keeps_one_blob,
);

const MIB: usize = 1024 * 1024;

/// An MP4 video of `len` bytes (an `ftyp` box, then varied bytes).
pub(crate) fn video(len: usize) -> Vec<u8> {
    let mut v = vec![0, 0, 0, 24];
    v.extend_from_slice(b"ftypisom\0\0\x02\0isommp41");
    v.extend((v.len()..len).map(|i| (i.wrapping_mul(2_654_435_761) >> 11) as u8));
    v
}

/// How many attachments the thread's gallery lists.
async fn gallery_len(app: &TestApp, token: &str, thread: &str) -> usize {
    let (status, g) = app.get(&format!("/threads/{thread}/attachments"), Some(token)).await;
    assert_eq!(status, 200, "{g}");
    g["attachments"].as_array().map(Vec::len).expect("attachments")
}

async fn a_64_mib_video_streams_in_and_out(db: Db) {
    let app = TestApp::spawn(db).await;
    let (a, b, _) = admin_and_two_members(&app).await;
    let t = clinical_thread(&app, &a, &[&b], "Vidéo").await;
    let file = video(64 * MIB);
    let (status, m) = upload(&app, &a, &t, "name=marche.mp4&kind=video", file.clone()).await;
    assert_eq!(status, 201, "{m}");
    assert_eq!(m["attachments"][0]["size"], 64 * MIB);
    let id = m["attachments"][0]["id"].as_str().expect("id").to_string();
    // One blob, in the format of every blob (header, 1024 chunks with their tags).
    let blobs = files_under(&app.config.blob_dir());
    assert_eq!(blobs.len(), 1, "{blobs:?}");
    let stored = std::fs::metadata(&blobs[0]).expect("blob").len();
    assert_eq!(stored, 39 + 64 * MIB as u64 + 1024 * 16);
    let head = std::fs::read(&blobs[0]).expect("blob")[..8].to_vec();
    assert_eq!(head, b"CERCLEB1");

    assert_downloads(&app, &b.token, &id, &file).await;
    // A range across chunks, near the end.
    let (first, last) = (64 * MIB - 70_000, 64 * MIB - 5);
    let r = app
        .http
        .get(format!("{}/api/v1/attachments/{id}", app.url))
        .bearer_auth(&b.token)
        .header("Range", format!("bytes={first}-{last}"))
        .send()
        .await
        .expect("range");
    assert_eq!(r.status().as_u16(), 206);
    assert_eq!(
        r.headers()
            .get("content-range")
            .map(|v| v.to_str().expect("ascii").to_string()),
        Some(format!("bytes {first}-{last}/{}", 64 * MIB))
    );
    assert!(r.bytes().await.expect("bytes") == file[first..=last], "the exact bytes");
}

async fn uploads_refused_while_streaming_leave_no_blob(db: Db) {
    let app = TestApp::spawn(db).await;
    let (a, b, _) = admin_and_two_members(&app).await;
    let t = clinical_thread(&app, &a, &[&b], "Refus").await;
    let no_blob = || {
        let left = files_under(&app.config.blob_dir());
        assert!(left.is_empty(), "left behind: {left:?}");
    };

    // A voice message over its 10 MiB, said by its size: refused once its
    // first bytes show what it is.
    let (status, r) = upload(&app, &a, &t, "name=note.ogg", voice(12 * MIB)).await;
    assert_eq!((status, r["code"].as_str()), (422, Some("file-too-large")), "{r}");
    no_blob();
    // A video over 64 MiB: refused before any of it is read.
    let (status, r) = upload(&app, &a, &t, "name=a.mp4&kind=video", video(64 * MIB + 1)).await;
    assert_eq!((status, r["code"].as_str()), (422, Some("file-too-large")), "{r}");
    no_blob();

    // Text that turns out to be HTML after 2 MiB: refused while its blob
    // was being written, which goes.
    let mut html = b"<p>Compte rendu</p>\n".repeat(2 * MIB / 20);
    html.extend_from_slice(b"<script>alert(1)</script>\n");
    html.extend_from_slice(&b"<p>suite</p>\n".repeat(100_000));
    let (status, r) = upload(&app, &a, &t, "name=cr.txt", html).await;
    assert_eq!((status, r["code"].as_str()), (422, Some("file-not-allowed")), "{r}");
    no_blob();
    // Text whose last byte is not UTF-8: refused at its end.
    let mut text = "Notes de l'équipe de soins à domicile.\n".repeat(MIB / 20).into_bytes();
    text.push(0xC3);
    let (status, r) = upload(&app, &a, &t, "name=notes.txt", text).await;
    assert_eq!((status, r["code"].as_str()), (422, Some("file-not-allowed")), "{r}");
    no_blob();
    // The same text, whole: stored.
    let text = "Notes de l'équipe de soins à domicile.\n".repeat(MIB / 20).into_bytes();
    let (status, r) = upload(&app, &a, &t, "name=notes.txt", text.clone()).await;
    assert_eq!(status, 201, "{r}");
    let id = r["attachments"][0]["id"].as_str().expect("id").to_string();
    assert_downloads(&app, &b.token, &id, &text).await;

    // A body without its size (chunked): 411, translated.
    let address = app.url.trim_start_matches("http://").to_string();
    let mut socket = tokio::net::TcpStream::connect(&address).await.expect("connect");
    let request = format!(
        "PUT /api/v1/threads/{t}/files?name=note.ogg HTTP/1.1\r\nHost: {address}\r\n\
         Authorization: Bearer {}\r\nAccept-Language: en\r\nTransfer-Encoding: chunked\r\n\
         Connection: close\r\n\r\n",
        a.token
    );
    socket.write_all(request.as_bytes()).await.expect("headers");
    let piece = voice(64 * 1024);
    socket
        .write_all(format!("{:x}\r\n", piece.len()).as_bytes())
        .await
        .expect("size");
    socket.write_all(&piece).await.expect("piece");
    socket.write_all(b"\r\n0\r\n\r\n").await.expect("end");
    let mut answer = Vec::new();
    tokio::time::timeout(std::time::Duration::from_secs(15), socket.read_to_end(&mut answer))
        .await
        .expect("an answer in time")
        .expect("answer");
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 411"), "{answer}");
    assert!(
        answer.contains("length-required") && answer.contains("Content-Length"),
        "{answer}"
    );
    assert_eq!(files_under(&app.config.blob_dir()).len(), 1, "only the stored text");
    assert_eq!(gallery_len(&app, &b.token, &t).await, 1);
}

async fn a_client_gone_mid_upload_leaves_no_blob_nor_message(db: Db) {
    let app = TestApp::spawn(db).await;
    let (a, b, _) = admin_and_two_members(&app).await;
    let t = clinical_thread(&app, &a, &[&b], "Coupure").await;
    let address = app.url.trim_start_matches("http://").to_string();
    let mut socket = tokio::net::TcpStream::connect(&address).await.expect("connect");
    let request = format!(
        "PUT /api/v1/threads/{t}/files?name=note.ogg&kind=voice HTTP/1.1\r\nHost: {address}\r\n\
         Authorization: Bearer {}\r\nContent-Type: application/octet-stream\r\nContent-Length: {}\r\n\r\n",
        a.token,
        8 * MIB
    );
    socket.write_all(request.as_bytes()).await.expect("headers");
    socket.write_all(&voice(3 * MIB)).await.expect("first bytes");
    socket.flush().await.expect("flush");
    // The blob is being written...
    let blob_dir = app.config.blob_dir();
    eventually("the blob being written", async || {
        (!files_under(&blob_dir).is_empty()).then_some(())
    })
    .await;
    // ...when the client goes away.
    drop(socket);
    eventually("no blob left", async || files_under(&blob_dir).is_empty().then_some(())).await;
    assert_eq!(gallery_len(&app, &b.token, &t).await, 0, "no message");
    let (_, messages) = app.get(&format!("/threads/{t}/messages"), Some(&b.token)).await;
    assert!(
        !messages.to_string().contains("note.ogg"),
        "no message names the file: {messages}"
    );

    // Uploads go on working.
    let file = voice(3 * MIB);
    let (status, r) = upload(&app, &a, &t, "name=note.ogg&kind=voice", file.clone()).await;
    assert_eq!(status, 201, "{r}");
    let id = r["attachments"][0]["id"].as_str().expect("id").to_string();
    assert_downloads(&app, &b.token, &id, &file).await;
}

async fn a_retried_upload_keeps_one_blob(db: Db) {
    let app = TestApp::spawn(db).await;
    let (a, b, _) = admin_and_two_members(&app).await;
    let t = clinical_thread(&app, &a, &[&b], "Reprise").await;
    let send = async |key: &str, bytes: Vec<u8>| {
        let r = app
            .http
            .put(format!("{}/api/v1/threads/{t}/files?name=note.ogg&kind=voice", app.url))
            .bearer_auth(&a.token)
            .header("Idempotency-Key", key)
            .body(bytes)
            .send()
            .await
            .expect("upload");
        cercle_testkit::status_and_json(r).await
    };
    let file = voice(2 * MIB);
    let (s1, first) = send("voice-1", file.clone()).await;
    let (s2, again) = send("voice-1", file.clone()).await;
    assert_eq!((s1, s2), (201, 201));
    assert_eq!(first, again, "the first answer again");
    let (s, r) = send("voice-1", voice(2 * MIB + 1)).await;
    assert_eq!((s, r["code"].as_str()), (422, Some("idempotency-key-reused")), "{r}");
    // A key that is no key: refused, the answer read whole by the client.
    let (s, r) = send(&"k".repeat(101), voice(2 * MIB)).await;
    assert_eq!((s, r["code"].as_str()), (422, Some("idempotency-key-invalid")), "{r}");
    let blobs: Vec<PathBuf> = files_under(&app.config.blob_dir());
    assert_eq!(blobs.len(), 1, "one blob: {blobs:?}");
    assert_eq!(gallery_len(&app, &b.token, &t).await, 1);
    let id = first["attachments"][0]["id"].as_str().expect("id").to_string();
    assert_downloads(&app, &b.token, &id, &file).await;
}
