//! Storage faults (issue 13, "a 2xx means it is saved"): a full disk (for
//! the database, and for a file streaming into its blob), a database
//! outage, and verifying the audit chain while others write.

use crate::backends;
use crate::helpers::{admin_and_two_members, id_of, sign_up, Person, PASSWORD};
use cercle_testkit::people::{csrf_of, sign_in_by_forms};
use cercle_testkit::pg_cluster::PgCluster;
use cercle_testkit::{Db, TestApp};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

backends!(
    a_failed_write_leaves_the_connection_clean,
    a_failed_commit_is_an_error_and_the_connection_comes_back_clean,
    verify_audit_is_intact_while_others_write,
    a_full_disk_during_a_streamed_upload_answers_507_leaves_nothing_and_uploads_resume,
);

/// A collaboration thread between an organization's administrator and a
/// colleague (its reads are not audited, so they need no write).
async fn thread_of_two(app: &TestApp) -> (Person, String) {
    let (a, b, _) = admin_and_two_members(app).await;
    let b_id = id_of(app, &b).await;
    let (status, t) = app
        .post(
            "/threads",
            Some(&a.token),
            json!({ "kind": "collaboration", "title": "Relève de nuit", "participants": [{ "kind": "user", "id": b_id }] }),
        )
        .await;
    assert_eq!(status, 201, "{t}");
    (a, t["id"].as_str().expect("id").to_string())
}

async fn post_message(app: &TestApp, who: &Person, thread: &str, n: usize) -> (u16, Value) {
    let body = format!("Note {n}: {}", "tension stable, à revoir demain. ".repeat(60));
    app.post(
        &format!("/threads/{thread}/messages"),
        Some(&who.token),
        json!({ "body": body }),
    )
    .await
}

/// The ids of a thread's messages (the latest 100).
async fn message_ids(app: &TestApp, who: &Person, thread: &str) -> Vec<String> {
    let (status, list) = app.get(&format!("/threads/{thread}/messages"), Some(&who.token)).await;
    assert_eq!(status, 200, "{list}");
    list["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .map(|m| m["id"].as_str().expect("id").to_string())
        .collect()
}

/// Posts messages until the disk is full, checks what a full disk answers,
/// makes room, checks that writing resumes at once, then restarts the
/// server and checks that every message acknowledged is there.
async fn write_through_a_full_disk(
    app: &mut TestApp,
    make_full: impl AsyncFnOnce(&TestApp),
    make_room: impl AsyncFnOnce(&TestApp),
) {
    let (a, thread) = thread_of_two(app).await;
    let mut acknowledged = Vec::new();
    let (status, m) = post_message(app, &a, &thread, 0).await;
    assert_eq!(status, 201, "{m}");
    acknowledged.push(m["id"].as_str().expect("id").to_string());
    // The same person in a browser (a cookie jar), signed in by the pages.
    let browser = reqwest::Client::builder().cookie_store(true).build().expect("client");
    let r = sign_in_by_forms(app, &browser, &a.email, PASSWORD, 1).await;
    assert_eq!(r.url().path(), "/", "signed in by the pages");
    // Signing in replaced the device cookie, and with it the CSRF token.
    let token = csrf_of(&r.text().await.expect("home"));

    make_full(app).await;
    let mut refused = None;
    for n in 1..=80 {
        let (status, m) = post_message(app, &a, &thread, n).await;
        match status {
            201 => acknowledged.push(m["id"].as_str().expect("id").to_string()),
            507 => {
                refused = Some(m);
                break;
            }
            other => panic!("message {n}: {other} {m}"),
        }
    }
    let refused = refused.expect("the disk never filled");
    assert_eq!(refused["code"], "storage-full", "{refused}");

    // Refused every time while full, with a translated message.
    for (lang, word) in [("fr", "plein"), ("en", "full")] {
        let r = app
            .http
            .post(format!("{}/api/v1/threads/{thread}/messages", app.url))
            .bearer_auth(&a.token)
            .header("accept-language", lang)
            .json(&json!({ "body": format!("Encore: {}", "pression à surveiller. ".repeat(100)) }))
            .send()
            .await
            .expect("post");
        assert_eq!(r.status().as_u16(), 507);
        assert!(r.headers().contains_key("retry-after"));
        let body: Value = r.json().await.expect("json");
        assert_eq!(body["code"], "storage-full");
        assert!(
            body["message"].as_str().expect("message").contains(word),
            "{lang}: {body}"
        );
    }
    // A file too: refused, and its blob (written first) is not left behind.
    let blobs_before = crate::attachments_api::files_under(&app.config.blob_dir());
    let voice = crate::attachments_api::voice(120_000);
    let (status, r) =
        crate::helpers::upload_to_thread(app, &a, &thread, "name=note.ogg&kind=voice", voice.clone()).await;
    assert_eq!((status, r["code"].as_str()), (507, Some("storage-full")), "{r}");
    assert_eq!(
        crate::attachments_api::files_under(&app.config.blob_dir()),
        blobs_before,
        "no blob left by the refused upload"
    );
    // A page says so too, in the person's language.
    let r = browser
        .post(format!("{}/threads/{thread}/messages", app.url))
        .form(&[
            ("csrf", token.as_str()),
            ("body", "pression à surveiller. ".repeat(100).as_str()),
        ])
        .send()
        .await
        .expect("page post");
    assert_eq!(r.status().as_u16(), 507);
    let html = r.text().await.expect("html");
    assert!(html.contains("stockage du serveur est plein"), "{html}");
    let r = browser
        .get(format!("{}/threads/{thread}", app.url))
        .send()
        .await
        .expect("page");
    assert_eq!(r.status().as_u16(), 200, "the discussion's page still shows");

    // A small write may still find room in the database's free pages: then
    // it is saved, and must be there after the restart like any other.
    let mut threads = Vec::new();
    let (status, t) = app
        .post(
            "/threads",
            Some(&a.token),
            json!({ "kind": "collaboration", "title": "Autre" }),
        )
        .await;
    match status {
        201 => threads.push(t["id"].as_str().expect("id").to_string()),
        507 => assert_eq!(t["code"], "storage-full", "{t}"),
        other => panic!("new thread while full: {other} {t}"),
    }

    // Reads keep working, and show exactly what was acknowledged.
    let (status, me) = app.get("/account", Some(&a.token)).await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(message_ids(app, &a, &thread).await, acknowledged);
    let ready = app
        .http
        .get(format!("{}/readyz", app.url))
        .send()
        .await
        .expect("readyz");
    assert_eq!(ready.status().as_u16(), 200);

    // Space comes back: the very next write is saved, without a restart.
    make_room(app).await;
    let before = acknowledged.len();
    for n in 100..106 {
        let (status, m) = post_message(app, &a, &thread, n).await;
        assert_eq!(status, 201, "message {n} after space came back: {m}");
        acknowledged.push(m["id"].as_str().expect("id").to_string());
    }
    let (status, m) =
        crate::helpers::upload_to_thread(app, &a, &thread, "name=note.ogg&kind=voice", voice.clone()).await;
    assert_eq!(status, 201, "a file after space came back: {m}");
    acknowledged.push(m["id"].as_str().expect("id").to_string());
    let file_id = m["attachments"][0]["id"].as_str().expect("id").to_string();
    assert_eq!(message_ids(app, &a, &thread).await, acknowledged);

    // Every 2xx is on disk: a new server on the same data reads them all.
    app.restart().await;
    crate::attachments_api::assert_downloads(app, &a.token, &file_id, &voice).await;
    let after_restart = message_ids(app, &a, &thread).await;
    assert_eq!(after_restart, acknowledged, "lost after the restart");
    for t in &threads {
        let (status, v) = app.get(&format!("/threads/{t}"), Some(&a.token)).await;
        assert_eq!(
            status, 200,
            "thread acknowledged while full, lost after the restart: {v}"
        );
    }
    eprintln!(
        "full disk: {} writes acknowledged before the disk filled, {} after space came back; all read back after a restart",
        before,
        acknowledged.len() - before
    );
}

/// SQLite hits "database or disk is full" at a page limit (no root needed).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_page_limit_answers_507_and_writing_resumes_without_restart() {
    let mut app = TestApp::spawn(Db::Sqlite).await;
    write_through_a_full_disk(
        &mut app,
        async |app: &TestApp| {
            let store = &app.ctx().store;
            let pages = store.sqlite_page_count().await.expect("page count");
            store.set_sqlite_page_limit(Some(pages + 8)).await.expect("limit");
        },
        async |app: &TestApp| app.ctx().store.set_sqlite_page_limit(None).await.expect("lift"),
    )
    .await;
}

/// Posts written together (group commit) meet a full disk: each post gets
/// its own answer, 201 or 507 and nothing else, and after a restart the
/// thread holds exactly the acknowledged posts, numbered without a gap.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_concurrent_posts_through_a_full_disk_keep_exactly_the_acknowledged_ones() {
    // Up to 320 posts by one person: the flood limit (120 a minute by
    // default) must not be what refuses them; this test is about the disk.
    let mut app = TestApp::spawn_with(Db::Sqlite, |c| c.messages_per_minute = 1_000).await;
    let (a, thread) = thread_of_two(&app).await;
    {
        let store = &app.ctx().store;
        let pages = store.sqlite_page_count().await.expect("page count");
        store.set_sqlite_page_limit(Some(pages + 96)).await.expect("limit");
    }
    let mut acknowledged = Vec::new();
    let mut refused = 0;
    // Rounds of 16 posts at a time, until a whole round is refused.
    for round in 0..20 {
        let posts = (0..16).map(|i| post_message(&app, &a, &thread, round * 16 + i));
        let answers = futures_util::future::join_all(posts).await;
        let mut refused_now = 0;
        for (status, m) in answers {
            match status {
                201 => acknowledged.push(m["id"].as_str().expect("id").to_string()),
                507 => {
                    assert_eq!(m["code"], "storage-full", "{m}");
                    refused_now += 1;
                }
                other => panic!("a post through a full disk answered {other}: {m}"),
            }
        }
        refused += refused_now;
        if refused_now == 16 {
            break;
        }
    }
    assert!(refused > 0, "the disk never filled");
    assert!(!acknowledged.is_empty(), "nothing was saved before the disk filled");
    app.ctx().store.set_sqlite_page_limit(None).await.expect("lift");

    app.restart().await;
    let history = crate::crashes::history(&app, &a.token, &thread).await;
    let mut saved: Vec<String> = history
        .iter()
        .map(|m| m["id"].as_str().expect("id").to_string())
        .collect();
    let seqs: Vec<i64> = history.iter().map(|m| m["seq"].as_i64().expect("seq")).collect();
    assert!(
        seqs.windows(2).all(|w| w[1] == w[0] + 1),
        "messages numbered with a gap: {seqs:?}"
    );
    saved.sort();
    acknowledged.sort();
    assert_eq!(saved, acknowledged, "exactly the acknowledged posts are kept");
    eprintln!(
        "concurrent posts through a full disk: {} acknowledged, {refused} refused with 507; exactly the acknowledged ones after a restart",
        acknowledged.len()
    );
}

pub(crate) fn is_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// A tmpfs mounted for one test, unmounted when dropped.
pub(crate) struct Tmpfs(pub(crate) std::path::PathBuf);

impl Tmpfs {
    /// A tmpfs of `size` (`48m`) on a new folder (root only).
    pub(crate) fn mount(prefix: &str, size: &str) -> Tmpfs {
        let dir = cercle_testkit::temp_dir(prefix);
        let mounted = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(&dir)
            .status()
            .expect("mount");
        assert!(mounted.success(), "mount a tmpfs on {}", dir.display());
        Tmpfs(dir)
    }

    /// Bytes free on it.
    fn free(&self) -> u64 {
        let out = std::process::Command::new("df")
            .args(["-B1", "--output=avail"])
            .arg(&self.0)
            .output()
            .expect("df");
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .nth(1)
            .and_then(|l| l.trim().parse().ok())
            .expect("df avail")
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let unmounted = std::process::Command::new("umount")
            .arg(&self.0)
            .status()
            .is_ok_and(|s| s.success());
        if !unmounted {
            let _ = std::process::Command::new("umount").arg("-l").arg(&self.0).status();
        }
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A real full disk: the data folder on a small tmpfs, filled by a file
/// (root only; CI runs as root).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_on_a_full_disk_answers_507_and_writing_resumes_without_restart() {
    if !is_root() {
        eprintln!(
            "not root: the tmpfs full-disk test is not run (CI runs it as root; the page-limit test covers the rest)"
        );
        return;
    }
    let tmpfs = Tmpfs::mount("cercle-tmpfs", "48m");
    let dir = tmpfs.0.clone();
    let data = tmpfs.0.clone();
    let mut app = TestApp::spawn_with(Db::Sqlite, |c| {
        c.data_dir = data.clone();
        c.database_url = Some(format!("sqlite://{}", data.join("cercle.db").display()));
    })
    .await;
    let filler = dir.join("filler");
    let fill = filler.clone();
    write_through_a_full_disk(
        &mut app,
        async move |_: &TestApp| {
            use std::io::Write;
            let mut f = std::fs::File::create(&fill).expect("filler");
            let block = vec![0u8; 64 * 1024];
            while f.write_all(&block).is_ok() {}
            let block = vec![0u8; 512];
            while f.write_all(&block).is_ok() {}
        },
        async move |_: &TestApp| std::fs::remove_file(&filler).expect("remove the filler"),
    )
    .await;
    // Closes the database before the file system goes.
    app.stop().await;
    drop(app);
    drop(tmpfs);
}

/// The blobs on a small tmpfs of their own (the database elsewhere, with
/// room), nearly full: a video streaming in fills it. Refused with 507,
/// translated; nothing of it stays (no file, the space back); a file that
/// fits is stored meanwhile, and once space is freed the same video is,
/// without a restart (root only; CI runs as root).
async fn a_full_disk_during_a_streamed_upload_answers_507_leaves_nothing_and_uploads_resume(db: Db) {
    use crate::attachments_api::{assert_downloads, files_under, upload_voice, voice};
    const MIB: usize = 1024 * 1024;
    if !is_root() {
        cercle_testkit::report_skipped("not root: no tmpfs for the blobs, full-disk upload test not run");
        return;
    }
    let tmpfs = Tmpfs::mount("cercle-blobs", "16m");
    let blob_dir = tmpfs.0.join("blobs");
    let dir = blob_dir.clone();
    let mut app = TestApp::spawn_with(db, |c| c.blob_dir = Some(dir)).await;
    let (a, b, _) = admin_and_two_members(&app).await;
    let thread = crate::helpers::clinical_thread(&app, &a, &[&b], "Vidéos").await;
    // 8 MiB left; the video is 10 MiB, stored as it arrives.
    let filler = tmpfs.0.join("filler");
    std::fs::write(&filler, vec![0u8; 8 * MIB]).expect("filler");
    let free = tmpfs.free();
    let video = crate::attachments_stream::video(10 * MIB);
    assert!(free < video.len() as u64, "{free} bytes free");
    for (lang, word) in [("fr", "plein"), ("en", "full")] {
        let r = app
            .http
            .put(format!(
                "{}/api/v1/threads/{thread}/files?name=marche.mp4&kind=video",
                app.url
            ))
            .bearer_auth(&a.token)
            .header("accept-language", lang)
            .body(video.clone())
            .send()
            .await
            .expect("upload");
        assert_eq!(r.status().as_u16(), 507);
        assert!(r.headers().contains_key("retry-after"));
        let body: Value = r.json().await.expect("json");
        assert_eq!(body["code"], "storage-full", "{body}");
        assert!(
            body["message"].as_str().expect("message").contains(word),
            "{lang}: {body}"
        );
        // Nothing of it stays, and the space it took is free again (a
        // folder for the blob may stay: a few KiB at most).
        let left = files_under(&blob_dir);
        assert!(left.is_empty(), "left behind: {left:?}");
        let now_free = tmpfs.free();
        assert!(now_free + 64 * 1024 >= free, "{now_free} bytes free, {free} before");
    }
    let (_, g) = app.get(&format!("/threads/{thread}/attachments"), Some(&b.token)).await;
    assert_eq!(g["attachments"].as_array().map(Vec::len), Some(0), "no message: {g}");

    // A file that fits is stored meanwhile.
    let note = voice(2 * MIB);
    let note_id = upload_voice(&app, &a, &thread, &note).await;
    // Space freed: the same video is stored, without a restart.
    std::fs::remove_file(&filler).expect("remove the filler");
    let (status, m) =
        crate::helpers::upload_to_thread(&app, &a, &thread, "name=marche.mp4&kind=video", video.clone()).await;
    assert_eq!(status, 201, "once space came back: {m}");
    let video_id = m["attachments"][0]["id"].as_str().expect("id").to_string();
    assert_downloads(&app, &b.token, &video_id, &video).await;
    assert_downloads(&app, &b.token, &note_id, &note).await;
    eprintln!(
        "full disk during a streamed upload: {free} bytes free for a {} byte video: 507 twice, nothing left; stored once space came back",
        video.len()
    );
    // Stops the node before its blob folder goes.
    app.stop().await;
    drop(app);
    drop(tmpfs);
}

/// After a write that fails inside its transaction (a unique constraint),
/// the connection goes back clean: later writes are saved and survive a
/// restart (PostgreSQL aborts the whole transaction on a failed statement;
/// SQLite keeps it open).
async fn a_failed_write_leaves_the_connection_clean(db: Db) {
    let mut app = TestApp::spawn(db).await;
    let (a, thread) = thread_of_two(&app).await;
    let (_, structure) = app.get("/org/structure", Some(&a.token)).await;
    let root = structure["organization"]["root_unit_id"]
        .as_str()
        .expect("root")
        .to_string();
    let unit = json!({ "name": "Cardiologie", "parent_id": root });
    let (status, u) = app.post("/org/units", Some(&a.token), unit.clone()).await;
    assert_eq!(status, 201, "{u}");
    let mut acknowledged = Vec::new();
    for n in 0..5 {
        let (status, e) = app.post("/org/units", Some(&a.token), unit.clone()).await;
        assert_eq!(status, 409, "{e}");
        let (status, m) = post_message(&app, &a, &thread, n).await;
        assert_eq!(status, 201, "{m}");
        acknowledged.push(m["id"].as_str().expect("id").to_string());
    }
    app.restart().await;
    assert_eq!(message_ids(&app, &a, &thread).await, acknowledged);
}

/// A COMMIT that fails (here a deferred foreign key, checked at commit on
/// both databases) is an error to the caller, never a success, and the
/// connection goes back to its pool out of any transaction: what follows is
/// saved and survives a restart.
async fn a_failed_commit_is_an_error_and_the_connection_comes_back_clean(db: Db) {
    use sqlx::{Connection, Executor, Row};
    let mut app = TestApp::spawn(db).await;
    let store = app.ctx().store.clone();
    let mut tx = store.begin().await.expect("begin");
    tx.execute("CREATE TABLE fault_parent (id TEXT PRIMARY KEY)")
        .await
        .expect("table");
    tx.execute(
        "CREATE TABLE fault_child (id TEXT PRIMARY KEY, parent_id TEXT REFERENCES fault_parent(id) DEFERRABLE INITIALLY DEFERRED)",
    )
    .await
    .expect("table");
    tx.commit().await.expect("commit");
    for n in 0..20 {
        let mut tx = store.begin().await.expect("begin");
        sqlx::query("INSERT INTO fault_child (id, parent_id) VALUES ($1, 'nobody')")
            .bind(format!("orphan-{n}"))
            .execute(&mut *tx)
            .await
            .expect("checked at commit only");
        let e = tx.commit().await.expect_err("the commit must fail");
        assert_eq!(cercle_store::Fault::of(&e), cercle_store::Fault::Other, "{e}");
        let mut tx = store.begin().await.expect("begin after a failed commit");
        sqlx::query("INSERT INTO fault_parent (id) VALUES ($1)")
            .bind(format!("p-{n}"))
            .execute(&mut *tx)
            .await
            .expect("insert");
        tx.commit().await.expect("commit after a failed commit");
        let conn = store.reader().await.expect("reader");
        assert!(!conn.is_in_transaction());
    }
    app.restart().await;
    let mut conn = app.ctx().store.reader().await.expect("reader");
    let parents: i64 = sqlx::query("SELECT COUNT(*) FROM fault_parent")
        .fetch_one(&mut *conn)
        .await
        .expect("count")
        .try_get(0)
        .expect("n");
    let children: i64 = sqlx::query("SELECT COUNT(*) FROM fault_child")
        .fetch_one(&mut *conn)
        .await
        .expect("count")
        .try_get(0)
        .expect("n");
    assert_eq!((parents, children), (20, 0));
}

/// With PostgreSQL stopped, requests answer 503 `database-unavailable`
/// within 2 s (`/readyz` too), and Cercle recovers by itself when the
/// database is back. A private cluster, started and stopped by the test.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_outage_answers_503_quickly_and_recovers() {
    let skip = std::env::var("CERCLE_SKIP_POSTGRES").is_ok_and(|v| v == "1");
    let mut cluster = match PgCluster::start().await {
        Ok(c) => c,
        Err(why) if skip => {
            cercle_testkit::report_skipped(&format!(
                "CERCLE_SKIP_POSTGRES=1 and no private PostgreSQL cluster ({why}), outage test not run"
            ));
            return;
        }
        Err(why) => panic!("a private PostgreSQL cluster is needed for the outage test: {why}"),
    };
    let url = cluster.url();
    let app = TestApp::spawn_with(Db::Sqlite, |c| c.database_url = Some(url.clone())).await;
    let p = sign_up(&app, "nadia@clinique.test", "fr").await;
    let (status, _) = app.get("/account", Some(&p.token)).await;
    assert_eq!(status, 200);
    let (status, r) = app.post("/notifications/read-all", Some(&p.token), json!({})).await;
    assert!((200..300).contains(&status), "{status} {r}");

    // Under load (far more requests than the pool's 16 connections), the
    // short wait for a new connection does not turn waiting into refusals.
    let t = Instant::now();
    let burst: Vec<_> = (0..300)
        .map(|i| {
            let req = if i % 3 == 0 {
                app.http
                    .post(format!("{}/api/v1/notifications/read-all", app.url))
                    .json(&json!({}))
            } else {
                app.http.get(format!("{}/api/v1/account", app.url))
            };
            req.bearer_auth(&p.token).send()
        })
        .collect();
    for r in futures_util::future::join_all(burst).await {
        let status = r.expect("request").status().as_u16();
        assert!((200..300).contains(&status), "under load: {status}");
    }
    let burst_ms = t.elapsed().as_millis();

    cluster.stop().await.expect("stop PostgreSQL");
    let down_at = Instant::now();
    let mut figures = Vec::new();
    let mut timed = async |what: &str, req: reqwest::RequestBuilder| {
        let t = Instant::now();
        let r = req.send().await.expect(what);
        let elapsed = t.elapsed();
        let status = r.status().as_u16();
        let body: Value = r.json().await.unwrap_or(Value::Null);
        assert_eq!(status, 503, "{what}: {body}");
        assert_eq!(body["code"], "database-unavailable", "{what}: {body}");
        assert!(elapsed < Duration::from_secs(2), "{what} answered after {elapsed:?}");
        figures.push(format!("{what} {} ms", elapsed.as_millis()));
    };
    let api = |path: &str| format!("{}/api/v1{path}", app.url);
    timed("GET /account", app.http.get(api("/account")).bearer_auth(&p.token)).await;
    timed(
        "POST /notifications/read-all",
        app.http
            .post(api("/notifications/read-all"))
            .bearer_auth(&p.token)
            .json(&json!({})),
    )
    .await;
    timed(
        "POST /auth/sign-in",
        app.http
            .post(api("/auth/sign-in"))
            .json(&json!({ "email": p.email, "password": PASSWORD })),
    )
    .await;
    timed("GET /readyz", app.http.get(format!("{}/readyz", app.url))).await;
    // Several at once: each still answers within 2 s.
    let many: Vec<_> = (0..8)
        .map(|_| app.http.get(api("/account")).bearer_auth(&p.token).send())
        .collect();
    let t = Instant::now();
    for r in futures_util::future::join_all(many).await {
        assert_eq!(r.expect("request").status().as_u16(), 503);
    }
    assert!(
        t.elapsed() < Duration::from_secs(2),
        "8 requests at once: {:?}",
        t.elapsed()
    );
    figures.push(format!("8 concurrent GET /account {} ms", t.elapsed().as_millis()));
    // A page says so too (a browser's cookies, the default language). The
    // account cookie names a session the database must be asked about: a
    // text that is no session id at all names no session, database or not.
    let page = app
        .http
        .get(format!("{}/", app.url))
        .header(
            "cookie",
            format!("cercle_device=x; cercle_account={}", cercle_domain::SessionId::new()),
        )
        .send()
        .await
        .expect("page");
    assert_eq!(page.status().as_u16(), 503);
    let page_text = page.text().await.unwrap_or_default();
    assert!(page_text.contains("momentanément indisponible"), "{page_text}");

    // The workers meanwhile keep trying without crashing the node.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    cluster.resume().await.expect("start PostgreSQL again");
    let back_at = Instant::now();
    let deadline = back_at + Duration::from_secs(20);
    loop {
        let (status, _) = app.get("/account", Some(&p.token)).await;
        if status == 200 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "still {status} 20 s after PostgreSQL came back"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let recovered = back_at.elapsed();
    let (status, r) = app.post("/notifications/read-all", Some(&p.token), json!({})).await;
    assert!((200..300).contains(&status), "{status} {r}");
    let ready = app
        .http
        .get(format!("{}/readyz", app.url))
        .send()
        .await
        .expect("readyz");
    assert_eq!(ready.status().as_u16(), 200);
    // The outbox worker survived the outage: a sign-in code still goes out.
    let mails = crate::helpers::count_sign_in_mails(&app, &p.email);
    let (status, r) = app
        .post("/auth/sign-in", None, json!({ "email": p.email, "password": PASSWORD }))
        .await;
    assert_eq!(status, 200, "{r}");
    cercle_testkit::eventually("a sign-in code after the outage", async || {
        (crate::helpers::count_sign_in_mails(&app, &p.email) > mails).then_some(())
    })
    .await;
    eprintln!(
        "PostgreSQL outage: 300 requests at once before it all 2xx in {burst_ms} ms; {}; down for {} ms; requests served again {} ms after PostgreSQL accepted connections",
        figures.join(", "),
        (back_at - down_at).as_millis(),
        recovered.as_millis()
    );
}

/// `cercle admin verify-audit` reads the head and the records in one
/// snapshot: while audited events are appended continuously, every
/// verification says "intact".
async fn verify_audit_is_intact_while_others_write(db: Db) {
    use cercle_app::audit::ChainStatus;
    use cercle_domain::audit::{Actor, AuditAction, NewAuditEvent};
    let app = TestApp::spawn(db).await;
    let ctx = app.ctx().clone();
    use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
    let stop = std::sync::Arc::new(AtomicBool::new(false));
    let appended = std::sync::Arc::new(AtomicU32::new(0));
    let writer = {
        let (stop, appended) = (stop.clone(), appended.clone());
        tokio::spawn(async move {
            let started = Instant::now();
            while !stop.load(Ordering::Relaxed)
                && appended.load(Ordering::Relaxed) < 20_000
                && started.elapsed() < Duration::from_secs(30)
            {
                let ev = NewAuditEvent::new(Actor::Anonymous, "auth.sign_in_failed", AuditAction::Read, "session");
                cercle_app::audit::record_alone(&ctx, ev).await.expect("append");
                appended.fetch_add(1, Ordering::Relaxed);
            }
        })
    };
    // Let the writer get going.
    cercle_testkit::eventually("audit appends", async || {
        let mut conn = app.ctx().store.reader().await.ok()?;
        let (seq, _) = cercle_store::audit::head(&mut conn).await.ok()?;
        (seq > 50).then_some(())
    })
    .await;
    let mut broken = Vec::new();
    let runs = 15;
    let first = appended.load(Ordering::Relaxed);
    let mut overlapped = 0;
    for run in 0..runs {
        let before = appended.load(Ordering::Relaxed);
        match cercle_app::audit::verify(app.ctx()).await.expect("verify") {
            ChainStatus::Intact { .. } => {}
            other => broken.push(format!("run {run}: {other:?}")),
        }
        if appended.load(Ordering::Relaxed) > before {
            overlapped += 1;
        }
        // Some appends between two runs, whatever the speed of either.
        let now = appended.load(Ordering::Relaxed);
        cercle_testkit::eventually("more audit appends", async || {
            (appended.load(Ordering::Relaxed) >= now + 3).then_some(())
        })
        .await;
    }
    // The operator's command itself, while the writes go on.
    for run in 0..2 {
        let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_cercle"))
            .args(["admin", "verify-audit"])
            .env("CERCLE_DATA_DIR", &app.config.data_dir)
            .env("CERCLE_DATABASE_URL", app.config.database_url())
            .env("CERCLE_LOG", "warn")
            .env("CERCLE_PUBLIC_URL", app.config.public_url())
            .output()
            .await
            .expect("run cercle");
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        if !out.status.success() || !text.contains("intact") {
            broken.push(format!("cli run {run}: {text}{}", String::from_utf8_lossy(&out.stderr)));
        }
    }
    stop.store(true, Ordering::Relaxed);
    writer.await.expect("writer");
    let during = appended.load(Ordering::Relaxed) - first;
    eprintln!("audit verification: {runs} runs + 2 CLI runs during {during} appends; {overlapped} runs saw appends while they read");
    assert!(
        broken.is_empty(),
        "{} of {} verifications during {during} appends raised a false alarm:\n{}",
        broken.len(),
        runs + 2,
        broken.join("\n")
    );
    // And once the writes are over.
    assert!(matches!(
        cercle_app::audit::verify(app.ctx()).await.expect("verify"),
        ChainStatus::Intact { .. }
    ));
}
