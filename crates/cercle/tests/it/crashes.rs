//! `kill -9` of the real `cercle serve` process (issue 16): while messages
//! are posted 8 at a time, and while files are uploaded. After a restart on
//! the same data, every acknowledged message is in its thread once, in an
//! order without gaps, and what a listener missed is replayed to it; a file
//! is whole or absent, no row names a missing blob, and what the killed
//! uploads left behind is removed by the sweep.

use crate::attachments_api::{assert_downloads, files_under, upload_voice, voice};
use crate::backends;
use crate::cli::command_for;
use crate::helpers::{
    admin_and_two_members, clinical_thread, count_sign_in_mails, events_socket, id_of, next_frame, sign_in_by_email,
    Person, Ws,
};
use cercle_testkit::s3::{use_s3_at, Relay};
use cercle_testkit::{eventually, temp_dir, Db, TestApp};
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::process::{Child, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::AsyncWriteExt;

backends!(
    acknowledged_messages_survive_a_kill_during_the_load_and_reach_every_listener,
    a_kill_during_uploads_leaves_files_whole_or_absent_and_the_sweep_removes_the_rest,
);

const MIB: usize = 1024 * 1024;

/// The real `cercle serve`, on the address and data of a test app's
/// configuration (the app itself stopped); killed with SIGKILL (`kill -9`)
/// when dropped.
pub(crate) struct Node {
    child: Child,
    log: PathBuf,
}

impl Node {
    /// Starts it and waits (bounded) until it is ready.
    pub(crate) async fn start(config: &cercle::Config) -> Node {
        let log = temp_dir("cercle-node").join("serve.log");
        let child = command_for(config)
            .arg("serve")
            .env("CERCLE_LISTEN", config.listen.to_string())
            .env("CERCLE_REQUESTS_PER_SEC", config.requests_per_sec.to_string())
            .env("CERCLE_MESSAGES_PER_MINUTE", config.messages_per_minute.to_string())
            .env("CERCLE_IDLE_LOCK_SECS", config.idle_lock_secs.to_string())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).expect("log file"))
            .spawn()
            .expect("start cercle serve");
        let mut node = Node { child, log };
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .build()
            .expect("client");
        let ready = format!("{}/readyz", config.public_url());
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(Some(status)) = node.child.try_wait() {
                panic!("cercle serve stopped ({status}): {}", node.log_text());
            }
            if let Ok(r) = http.get(&ready).send().await {
                if r.status().is_success() {
                    return node;
                }
            }
            assert!(
                Instant::now() < deadline,
                "cercle serve not ready in 30 s: {}",
                node.log_text()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// `kill -9`: the process ends at once, nothing of it runs any more.
    pub(crate) fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        self.kill();
        if let Some(dir) = self.log.parent() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// A collaboration thread of A and B (its reads are not audited: the
/// history after the restart reads without writing).
async fn thread_of(app: &TestApp, a: &Person, b: &Person) -> String {
    let b_id = id_of(app, b).await;
    let (status, t) = app
        .post(
            "/threads",
            Some(&a.token),
            json!({ "kind": "collaboration", "title": "Charge", "participants": [{ "kind": "user", "id": b_id }] }),
        )
        .await;
    assert_eq!(status, 201, "{t}");
    t["id"].as_str().expect("id").to_string()
}

/// Every message of a thread, oldest first (pages of 100, `before=seq`).
pub(crate) async fn history(app: &TestApp, token: &str, thread: &str) -> Vec<Value> {
    let mut all: Vec<Value> = Vec::new();
    let mut before: Option<i64> = None;
    loop {
        let path = match before {
            Some(seq) => format!("/threads/{thread}/messages?before={seq}"),
            None => format!("/threads/{thread}/messages"),
        };
        let (status, page) = app.get(&path, Some(token)).await;
        assert_eq!(status, 200, "{page}");
        let page = page["messages"].as_array().expect("messages").clone();
        let Some(first) = page.iter().filter_map(|m| m["seq"].as_i64()).min() else {
            break;
        };
        all.extend(page);
        before = Some(first);
    }
    all.sort_by_key(|m| m["seq"].as_i64());
    all
}

/// What a listener heard of a thread: the message ids in the order their
/// events came, and the last event id seen (where it resumes from).
#[derive(Default)]
struct Heard {
    messages: Vec<String>,
    last: i64,
}

impl Heard {
    fn frame(&mut self, f: &Value, thread: &str) {
        if let Some(id) = f["id"].as_i64() {
            self.last = self.last.max(id);
        }
        if f["type"] == "message" && f["thread_id"] == thread {
            self.messages
                .push(f["data"]["id"].as_str().expect("message id").to_string());
        }
    }
}

/// The frames up to `ready` (what was missed, when resuming); the ready
/// frame's `last` counts as seen.
async fn until_ready(ws: &mut Ws, heard: &mut Heard, thread: &str) {
    loop {
        let f = next_frame(ws, Duration::from_secs(10))
            .await
            .expect("a frame before ready");
        if f["type"] == "ready" {
            heard.last = heard.last.max(f["last"].as_i64().expect("last"));
            return;
        }
        heard.frame(&f, thread);
    }
}

/// A message posted under load: its id, seq and body as the 201 said.
struct Acknowledged {
    id: String,
    seq: i64,
    body: String,
}

/// Messages posted by A and B, 8 at a time, while A and B listen on the
/// event socket; `kill -9` in the middle; restart on the same data.
async fn acknowledged_messages_survive_a_kill_during_the_load_and_reach_every_listener(db: Db) {
    let mut app = TestApp::spawn_with(db, |c| {
        c.requests_per_sec = 100_000;
        c.messages_per_minute = 100_000;
    })
    .await;
    let (a, b, _) = admin_and_two_members(&app).await;
    let thread = thread_of(&app, &a, &b).await;
    app.stop().await;
    let mut node = Node::start(&app.config).await;

    // A and B listen from now on; B's second tab goes away early in the
    // load (a phone going to sleep): it hears the rest after the restart.
    let mut listeners = Vec::new();
    for (p, drops_after) in [(&a, None), (&b, None), (&b, Some(20))] {
        let mut ws = events_socket(&app.url, &p.token, None).await;
        let mut heard = Heard::default();
        until_ready(&mut ws, &mut heard, &thread).await;
        let thread = thread.clone();
        listeners.push(tokio::spawn(async move {
            // Until the socket drops with the node (bounded: a frame at
            // least every 10 s while the load runs).
            while let Some(f) = next_frame(&mut ws, Duration::from_secs(10)).await {
                heard.frame(&f, &thread);
                if drops_after.is_some_and(|n| heard.messages.len() >= n) {
                    break;
                }
            }
            heard
        }));
    }

    // The load: 8 posts in flight, from A and B in turn.
    let acknowledged: Arc<Mutex<Vec<Acknowledged>>> = Arc::default();
    let unanswered: Arc<Mutex<Vec<String>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let mut posters = Vec::new();
    for w in 0..8 {
        let (http, url) = (
            app.http.clone(),
            format!("{}/api/v1/threads/{thread}/messages", app.url),
        );
        let tokens = [a.token.clone(), b.token.clone()];
        let (acknowledged, unanswered, stop) = (acknowledged.clone(), unanswered.clone(), stop.clone());
        posters.push(tokio::spawn(async move {
            for n in 0.. {
                if stop.load(Ordering::SeqCst) {
                    return Ok(());
                }
                let body = format!("Charge {w}-{n}");
                let sent = http
                    .post(&url)
                    .bearer_auth(&tokens[(w + n) % 2])
                    .json(&json!({ "body": body }))
                    .send()
                    .await;
                let answer = match sent {
                    Ok(r) => {
                        let status = r.status().as_u16();
                        r.json::<Value>().await.map(|v| (status, v))
                    }
                    Err(e) => Err(e),
                };
                match answer {
                    Ok((201, m)) => acknowledged.lock().expect("lock").push(Acknowledged {
                        id: m["id"].as_str().expect("id").to_string(),
                        seq: m["seq"].as_i64().expect("seq"),
                        body,
                    }),
                    Ok((status, m)) => return Err(format!("{body}: {status} {m}")),
                    // The node is gone: no answer, maybe stored.
                    Err(_) => {
                        unanswered.lock().expect("lock").push(body);
                        return Ok(());
                    }
                }
            }
            Ok(())
        }));
    }
    // A second of load at least, and enough posts acknowledged, then kill -9.
    eventually("a second of load", async || {
        let n = acknowledged.lock().expect("lock").len();
        (started.elapsed() >= Duration::from_secs(1) && n >= 50).then_some(())
    })
    .await;
    node.kill();
    let load = started.elapsed();
    stop.store(true, Ordering::SeqCst);
    for p in posters {
        let ended = tokio::time::timeout(Duration::from_secs(20), p)
            .await
            .expect("posters end once the node is gone")
            .expect("poster");
        ended.unwrap_or_else(|e| panic!("a post refused before the kill: {e}"));
    }
    let mut heard_live = Vec::new();
    for l in listeners {
        heard_live.push(
            tokio::time::timeout(Duration::from_secs(20), l)
                .await
                .expect("the sockets drop with the node")
                .expect("listener"),
        );
    }
    let acknowledged = std::mem::take(&mut *acknowledged.lock().expect("lock"));
    let unanswered = std::mem::take(&mut *unanswered.lock().expect("lock"));
    assert!(!unanswered.is_empty(), "posts were in flight at the kill");

    // The same data, a new process.
    let _node = Node::start(&app.config).await;
    let stored = history(&app, &a.token, &thread).await;
    let seqs: Vec<i64> = stored.iter().map(|m| m["seq"].as_i64().expect("seq")).collect();
    assert_eq!(
        seqs,
        (1..=stored.len() as i64).collect::<Vec<_>>(),
        "one order, no gap, no seq twice"
    );
    let by_id: HashMap<&str, &Value> = stored.iter().map(|m| (m["id"].as_str().expect("id"), m)).collect();
    assert_eq!(by_id.len(), stored.len(), "no message twice");
    for m in &acknowledged {
        let kept = by_id
            .get(m.id.as_str())
            .unwrap_or_else(|| panic!("acknowledged, lost: {} (seq {})", m.body, m.seq));
        assert_eq!(
            (kept["seq"].as_i64(), kept["body"].as_str()),
            (Some(m.seq), Some(m.body.as_str()))
        );
    }
    // Nothing else but posts whose answer the kill cut off.
    let sent: HashSet<&str> = acknowledged
        .iter()
        .map(|m| m.body.as_str())
        .chain(unanswered.iter().map(String::as_str))
        .collect();
    let mut bodies: Vec<&str> = stored.iter().map(|m| m["body"].as_str().expect("body")).collect();
    assert!(bodies.iter().all(|b| sent.contains(b)), "only what was posted");
    bodies.sort();
    bodies.dedup();
    assert_eq!(bodies.len(), stored.len(), "each post kept once");

    // Each listener comes back with the last event id it saw: what it
    // missed comes first, so that it has had every message once.
    let mut figures = Vec::new();
    for (p, mut heard) in [&a, &b, &b].into_iter().zip(heard_live) {
        let live = heard.messages.len();
        let mut ws = events_socket(&app.url, &p.token, Some(heard.last)).await;
        until_ready(&mut ws, &mut heard, &thread).await;
        let mut once: Vec<&str> = heard.messages.iter().map(String::as_str).collect();
        once.sort();
        let all = once.len();
        once.dedup();
        assert_eq!(once.len(), all, "{}: a message heard twice", p.email);
        let mut expected: Vec<&str> = by_id.keys().copied().collect();
        expected.sort();
        assert_eq!(
            once, expected,
            "{}: every stored message heard, live or replayed",
            p.email
        );
        figures.push(format!("{live} live + {} replayed", all - live));
    }
    eprintln!(
        "kill -9 after {} ms of load: {} messages acknowledged, {} in flight at the kill ({} of them kept); \
         after the restart all {} in order without gaps; listeners: {}",
        load.as_millis(),
        acknowledged.len(),
        unanswered.len(),
        stored.len() - acknowledged.len(),
        stored.len(),
        figures.join(", ")
    );
}

// ---- Uploads ------------------------------------------------------------------------

/// The blobs a node's store holds whole (not its unfinished writes).
async fn finished_blobs(config: &cercle::Config) -> Vec<String> {
    let mut names: Vec<String> = if config.blob_store == "s3" {
        let store = cercle::open_blobs(config).await.expect("object storage");
        store
            .stored_before(cercle_domain::Timestamp(i64::MAX))
            .await
            .expect("list")
    } else {
        files_under(&config.blob_dir())
            .iter()
            .map(|p| p.file_name().expect("name").to_string_lossy().to_string())
            .filter(|n| !n.starts_with(".tmp-"))
            .collect()
    };
    names.sort();
    names
}

/// The unfinished writes on the local disk (`.tmp-…` files) and their
/// sizes (none with object storage).
fn unfinished_blobs(config: &cercle::Config) -> Vec<(PathBuf, u64)> {
    if config.blob_store == "s3" {
        return Vec::new();
    }
    files_under(&config.blob_dir())
        .into_iter()
        .filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with(".tmp-")))
        .map(|p| {
            let len = std::fs::metadata(&p).map(|m| m.len()).unwrap_or(0);
            (p, len)
        })
        .collect()
}

/// A connection to the node's database, beside it.
enum Beside {
    Sqlite(sqlx::SqliteConnection),
    Postgres(sqlx::PgConnection),
}

impl Beside {
    async fn open(config: &cercle::Config) -> Beside {
        use sqlx::Connection;
        let url = config.database_url();
        if url.starts_with("postgres") {
            Beside::Postgres(sqlx::PgConnection::connect(&url).await.expect("connect"))
        } else {
            Beside::Sqlite(sqlx::SqliteConnection::connect(&url).await.expect("connect"))
        }
    }

    async fn execute(&mut self, sql: &str) {
        use sqlx::Executor;
        match self {
            Beside::Sqlite(c) => c.execute(sql).await.map(drop),
            Beside::Postgres(c) => c.execute(sql).await.map(drop),
        }
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }

    /// Every attachment row's blob name.
    async fn named_blobs(&mut self) -> Vec<String> {
        let sql = "SELECT blob FROM attachments WHERE blob IS NOT NULL ORDER BY blob";
        match self {
            Beside::Sqlite(c) => sqlx::query_scalar(sql).fetch_all(c).await,
            Beside::Postgres(c) => sqlx::query_scalar(sql).fetch_all(c).await,
        }
        .expect("attachments")
    }
}

/// From now on the transaction of a new attachment's message runs for a
/// long while (longer than the test) after its blob is stored: SQLite
/// counts a billion rows, PostgreSQL sleeps a minute.
async fn hold_attachment_commits(db: &mut Beside) {
    match db {
        Beside::Sqlite(_) => {
            db.execute("CREATE TABLE fault_slow (x INTEGER)").await;
            db.execute(
                "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 1000) \
                 INSERT INTO fault_slow SELECT x FROM n",
            )
            .await;
            db.execute(
                "CREATE TRIGGER fault_slow_attachment AFTER INSERT ON attachments BEGIN \
                 SELECT count(*) FROM fault_slow a, fault_slow b, fault_slow c WHERE a.x + b.x + c.x < 0; END",
            )
            .await;
        }
        Beside::Postgres(_) => {
            db.execute(
                "CREATE FUNCTION fault_slow_attachment() RETURNS trigger AS $$ BEGIN \
                 PERFORM pg_sleep(60); RETURN NEW; END $$ LANGUAGE plpgsql",
            )
            .await;
            db.execute(
                "CREATE TRIGGER fault_slow_attachment AFTER INSERT ON attachments \
                 FOR EACH ROW EXECUTE FUNCTION fault_slow_attachment()",
            )
            .await;
        }
    }
}

/// After the kill: PostgreSQL ends the dead node's sessions (it would
/// notice them only at the end of the sleep), and commits go back to normal.
async fn release_attachment_commits(db: &mut Beside) {
    match db {
        Beside::Sqlite(_) => db.execute("DROP TRIGGER fault_slow_attachment").await,
        Beside::Postgres(_) => {
            db.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                 WHERE datname = current_database() AND pid <> pg_backend_pid()",
            )
            .await;
            db.execute("DROP TRIGGER fault_slow_attachment ON attachments").await;
        }
    }
}

/// Starts an upload by hand: the request, and the first `sent` bytes of
/// `file` (the rest never comes).
async fn start_upload(
    app: &TestApp,
    p: &Person,
    thread: &str,
    query: &str,
    file: &[u8],
    sent: usize,
) -> tokio::net::TcpStream {
    let address = app.url.trim_start_matches("http://").to_string();
    let mut socket = tokio::net::TcpStream::connect(&address).await.expect("connect");
    let request = format!(
        "PUT /api/v1/threads/{thread}/files?{query} HTTP/1.1\r\nHost: {address}\r\n\
         Authorization: Bearer {}\r\nContent-Type: application/octet-stream\r\nContent-Length: {}\r\n\r\n",
        p.token,
        file.len()
    );
    socket.write_all(request.as_bytes()).await.expect("head");
    socket.write_all(&file[..sent]).await.expect("first bytes");
    socket.flush().await.expect("flush");
    socket
}

async fn a_kill_during_uploads_leaves_files_whole_or_absent_and_the_sweep_removes_the_rest(db: Db) {
    kill_during_uploads(db, None).await;
}

/// The same with the files in object storage (Garage), on PostgreSQL (the
/// database of several nodes sharing a bucket).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_object_storage_a_kill_during_uploads_leaves_files_whole_or_absent() {
    if cercle_testkit::s3::skip_s3() || cercle_testkit::skip_postgres() {
        return;
    }
    // The node reaches the store through a relay that counts what it sends.
    let relay = Relay::start().await;
    kill_during_uploads(Db::Postgres, Some(&relay)).await;
}

/// Two files acknowledged; then the node is killed while a 12 MiB video
/// streams in (9 MiB of it sent) and while the message of a voice file,
/// its blob already stored, is being committed. After a restart: the two
/// files download byte for byte, nothing names the others, and every row
/// names a blob that is there; the next start-up sweep past the grace
/// period removes what the killed uploads left (a blob no row names, an
/// unfinished write), and nothing else.
async fn kill_during_uploads(db: Db, s3: Option<&Relay>) {
    let mut app = TestApp::spawn_with(db, |c| {
        if let Some(relay) = s3 {
            use_s3_at(c, &relay.url());
        }
    })
    .await;
    let config = app.config.clone();
    let (a, b, _) = admin_and_two_members(&app).await;
    let thread = clinical_thread(&app, &a, &[&b], "Fichiers").await;
    app.stop().await;
    let mut node = Node::start(&config).await;

    // Acknowledged: a file read whole, and one streamed in.
    let mut kept = Vec::new();
    for f in [voice(150_000), voice(3 * MIB)] {
        kept.push((upload_voice(&app, &a, &thread, &f).await, f));
    }
    let mut kept_ids: Vec<String> = kept.iter().map(|(id, _)| id.clone()).collect();
    kept_ids.sort();
    assert_eq!(finished_blobs(&config).await, kept_ids);

    let mut beside = Beside::open(&config).await;
    hold_attachment_commits(&mut beside).await;

    // A video streaming in: 9 of its 12 MiB sent, then nothing more.
    let video = crate::attachments_stream::video(12 * MIB);
    let carried = s3.map_or(0, Relay::carried);
    let _streaming = start_upload(&app, &a, &thread, "name=marche.mp4&kind=video", &video, 9 * MIB).await;
    eventually("the video's blob being written", async || match s3 {
        // Its first 8 MiB part sent to the store.
        Some(relay) => (relay.carried() >= carried + 8 * MIB as u64).then_some(()),
        None => unfinished_blobs(&config)
            .iter()
            .any(|(_, len)| *len >= 8 * MIB as u64)
            .then_some(()),
    })
    .await;

    // A voice file whose blob is stored, its message not yet committed.
    let held = {
        let (app, token, thread) = (&app, a.token.clone(), thread.clone());
        let request = app
            .http
            .put(format!(
                "{}/api/v1/threads/{thread}/files?name=note.ogg&kind=voice",
                app.url
            ))
            .bearer_auth(token)
            .body(voice(MIB))
            .send();
        tokio::spawn(request)
    };
    let orphan = eventually("the voice file's blob stored", async || {
        let names = finished_blobs(&config).await;
        let mut new = names.into_iter().filter(|n| !kept_ids.contains(n));
        new.next()
    })
    .await;

    node.kill();
    release_attachment_commits(&mut beside).await;
    let answer = tokio::time::timeout(Duration::from_secs(20), held)
        .await
        .expect("the held upload ends with the node")
        .expect("task");
    assert!(
        answer.is_err(),
        "the held upload was not acknowledged: {:?}",
        answer.map(|r| r.status())
    );
    // What the kill left: the held file's blob, and (on disk) the video's
    // unfinished write; in object storage the video has no object (S3 shows
    // an object once whole; its parts wait for the bucket's lifecycle rule).
    let mut expected = kept_ids.clone();
    expected.push(orphan.clone());
    expected.sort();
    assert_eq!(finished_blobs(&config).await, expected);
    let unfinished = unfinished_blobs(&config);
    if s3.is_none() {
        assert_eq!(unfinished.len(), 1, "the video's unfinished write: {unfinished:?}");
    }

    // The same data, a new process.
    node = Node::start(&config).await;
    let (status, g) = app.get(&format!("/threads/{thread}/attachments"), Some(&b.token)).await;
    assert_eq!(status, 200, "{g}");
    let mut listed: Vec<String> = g["attachments"]
        .as_array()
        .expect("attachments")
        .iter()
        .map(|f| f["id"].as_str().expect("id").to_string())
        .collect();
    listed.sort();
    assert_eq!(listed, kept_ids, "the acknowledged files, and no other");
    for (id, f) in &kept {
        assert_downloads(&app, &b.token, id, f).await;
    }
    let (status, m) = app.get(&format!("/threads/{thread}/messages"), Some(&b.token)).await;
    assert_eq!(status, 200, "{m}");
    assert_eq!(m["messages"].as_array().map(Vec::len), Some(2), "{m}");
    // No row names a missing blob; none names what the kill left.
    let named = beside.named_blobs().await;
    let present = finished_blobs(&config).await;
    for name in &named {
        assert!(present.contains(name), "a row names the missing blob {name}");
    }
    assert!(!named.contains(&orphan));

    // The start-up sweep, once past its grace period (an hour: an upload
    // may still be in its transaction), removes what no row names.
    node.kill();
    app.advance(2 * 3600);
    app.restart().await;
    eventually("the start-up sweep", async || {
        let left = finished_blobs(&config).await;
        (left == kept_ids && (s3.is_some() || unfinished_blobs(&config).is_empty())).then_some(())
    })
    .await;
    // Hours went by: the session locked; a new sign-in reads the files.
    let token = sign_in_by_email(&app, &b.email, count_sign_in_mails(&app, &b.email) + 1).await;
    for (id, f) in &kept {
        assert_downloads(&app, &token, id, f).await;
    }
}
