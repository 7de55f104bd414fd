//! Attachments' files as blobs on the local disk (issue 16): byte-exact
//! downloads and byte ranges, a damaged blob refused (never served as
//! garbage), no blob left by a failed commit, the sweep of blobs no row
//! names, files stored in the row before blobs, and backup and restore.

use crate::backends;
use crate::cli::{cercle, cercle_with, text};
use crate::helpers::{
    admin_and_two_members, clinical_thread, count_sign_in_mails, sign_in_by_email, upload_to_thread as upload, Person,
    PASSWORD,
};
use cercle_testkit::people::sign_in_by_forms;
use cercle_testkit::{eventually, temp_dir, Db, EmptyDb, TestApp};
use std::path::{Path, PathBuf};

backends!(
    blob_downloads_are_byte_exact_and_answer_ranges,
    a_damaged_blob_is_refused_never_served,
    a_failed_commit_leaves_no_blob,
    blobs_no_row_names_are_swept_after_their_grace,
    files_stored_in_the_row_before_blobs_still_download,
    backup_and_restore_keep_every_file,
);

/// A voice message of `len` bytes (an Ogg header, then varied bytes).
pub(crate) fn voice(len: usize) -> Vec<u8> {
    let mut v = b"OggS".to_vec();
    v.extend((4..len as u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
    v
}

/// Uploads `bytes` as a voice message; its attachment id.
pub(crate) async fn upload_voice(app: &TestApp, p: &Person, thread: &str, bytes: &[u8]) -> String {
    let (status, m) = upload(app, p, thread, "name=note.ogg&kind=voice", bytes.to_vec()).await;
    assert_eq!(status, 201, "{m}");
    m["attachments"][0]["id"].as_str().expect("id").to_string()
}

/// A download with a `Range` header: status, `Content-Range`, and the body
/// (`None` when the transfer broke off).
pub(crate) async fn ranged(
    app: &TestApp,
    token: &str,
    id: &str,
    range: &str,
) -> (u16, Option<String>, Option<Vec<u8>>) {
    let r = app
        .http
        .get(format!("{}/api/v1/attachments/{id}", app.url))
        .bearer_auth(token)
        .header("Range", range)
        .send()
        .await
        .expect("download");
    let status = r.status().as_u16();
    let content_range = r
        .headers()
        .get("content-range")
        .map(|v| v.to_str().expect("ascii").to_string());
    (status, content_range, r.bytes().await.ok().map(|b| b.to_vec()))
}

/// Downloads attachment `id` whole and checks it byte for byte (without
/// printing megabytes when it differs).
pub(crate) async fn assert_downloads(app: &TestApp, token: &str, id: &str, file: &[u8]) {
    let (status, body) = app.download_attachment(token, id).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body[..body.len().min(300)]));
    assert!(
        body == file,
        "{} bytes instead of the {} uploaded, or others",
        body.len(),
        file.len()
    );
}

/// How many reads of attachment `id` the audit log records.
async fn reads_audited(app: &TestApp, id: &str) -> i64 {
    use sqlx::Row;
    let mut conn = app.ctx().store.reader().await.expect("reader");
    sqlx::query("SELECT COUNT(*) AS n FROM audit_events WHERE event = 'thread.attachment_read' AND target_id = $1")
        .bind(id)
        .fetch_one(&mut *conn)
        .await
        .expect("count")
        .try_get("n")
        .expect("n")
}

fn blob_path(app: &TestApp, id: &str) -> PathBuf {
    app.config.blob_dir().join(&id[id.len() - 2..]).join(id)
}

/// Every file under the blob folder (blobs and unfinished writes).
pub(crate) fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for sub in std::fs::read_dir(dir).expect("blob dir").flatten() {
        if sub.path().is_dir() {
            out.extend(std::fs::read_dir(sub.path()).expect("sub").flatten().map(|e| e.path()));
        }
    }
    out
}

async fn blob_downloads_are_byte_exact_and_answer_ranges(db: Db) {
    let app = TestApp::spawn(db).await;
    let (a, b, c) = admin_and_two_members(&app).await;
    let t = clinical_thread(&app, &a, &[&b], "Voix").await;
    // 1.25 MB: 20 chunks of 64 KiB, sent in two pieces of 16 chunks.
    let file = voice(1_250_000);
    let id = upload_voice(&app, &a, &t, &file).await;

    // The file is a blob on disk, encrypted; the row holds none of it.
    let stored = std::fs::read(blob_path(&app, &id)).expect("blob on disk");
    assert!(stored.starts_with(b"CERCLEB1"));
    assert!(
        !stored.windows(64).any(|w| w == &file[1000..1064]),
        "not stored in clear"
    );
    let mut conn = app.ctx().store.reader().await.expect("reader");
    let in_row = cercle_store::threads::attachment_data(&mut conn, id.parse().expect("id"), false)
        .await
        .expect("row");
    assert_eq!(in_row.as_deref(), Some(""));
    drop(conn);

    let whole = app
        .http
        .get(format!("{}/api/v1/attachments/{id}", app.url))
        .bearer_auth(&b.token)
        .send()
        .await
        .expect("download");
    assert_eq!(whole.status().as_u16(), 200);
    assert_eq!(
        whole.headers().get("accept-ranges").map(|v| v.as_bytes()),
        Some(b"bytes".as_slice())
    );
    assert_eq!(whole.bytes().await.expect("bytes").to_vec(), file, "byte-exact");

    let size = file.len();
    let chunk = 64 * 1024;
    for (range, first, last) in [
        ("bytes=0-99".to_string(), 0, 99),
        // Across the first two chunks, and across the two pieces.
        (format!("bytes={}-{}", chunk - 10, chunk + 10), chunk - 10, chunk + 10),
        (
            format!("bytes={}-{}", 16 * chunk - 3, 16 * chunk + 2),
            16 * chunk - 3,
            16 * chunk + 2,
        ),
        (format!("bytes=1000-{}", size - 1000), 1000, size - 1000),
        ("bytes=-100".to_string(), size - 100, size - 1),
        (format!("bytes={}-", size - 7), size - 7, size - 1),
        (format!("bytes=10-{}", size * 2), 10, size - 1),
    ] {
        let (status, content_range, body) = ranged(&app, &b.token, &id, &range).await;
        assert_eq!(status, 206, "{range}");
        assert_eq!(content_range, Some(format!("bytes {first}-{last}/{size}")), "{range}");
        assert!(body.as_deref() == Some(&file[first..=last]), "{range}: the exact bytes");
    }
    // Each request that reads is recorded (the thread is about a patient);
    // one past the end reads nothing.
    let audited = reads_audited(&app, &id).await;
    let (status, _, _) = ranged(&app, &b.token, &id, "bytes=5-9").await;
    assert_eq!((status, reads_audited(&app, &id).await), (206, audited + 1));
    for range in [format!("bytes={size}-"), "bytes=-0".to_string()] {
        let (status, content_range, body) = ranged(&app, &b.token, &id, &range).await;
        assert_eq!(status, 416, "{range}");
        assert_eq!(content_range, Some(format!("bytes */{size}")), "{range}");
        assert_eq!(body.map(|b| b.len()), Some(0));
    }
    assert_eq!(reads_audited(&app, &id).await, audited + 1, "416 reads nothing");
    // Several ranges, or a malformed one: the whole file.
    for range in ["bytes=0-1,5-6", "bytes=9-2", "lines=1-2"] {
        let (status, _, body) = ranged(&app, &b.token, &id, range).await;
        assert_eq!(status, 200, "{range}");
        assert!(body.as_deref() == Some(&file[..]), "{range}");
    }
    // The page route the web app's <audio> and <video> load answers the
    // same ranges (a browser with its cookies).
    let browser = reqwest::Client::builder().cookie_store(true).build().expect("client");
    let nth = count_sign_in_mails(&app, &b.email) + 1;
    let r = sign_in_by_forms(&app, &browser, &b.email, PASSWORD, nth).await;
    assert_eq!(r.url().path(), "/", "signed in by the pages");
    let page = |range: &str| {
        browser
            .get(format!("{}/threads/files/{id}", app.url))
            .header("Range", range)
            .send()
    };
    let r = page(&format!("bytes={}-{}", chunk - 2, chunk + 1)).await.expect("page");
    assert_eq!(r.status().as_u16(), 206);
    assert_eq!(
        r.headers().get("content-range").map(|v| v.as_bytes()),
        Some(format!("bytes {}-{}/{size}", chunk - 2, chunk + 1).as_bytes())
    );
    assert!(r.bytes().await.expect("bytes") == file[chunk - 2..=chunk + 1]);
    assert_eq!(
        page(&format!("bytes={size}-")).await.expect("page").status().as_u16(),
        416
    );

    // Someone outside the thread gets nothing, ranges included.
    let (status, _, _) = ranged(&app, &c.token, &id, "bytes=0-9").await;
    assert_eq!(status, 404);
}

async fn a_damaged_blob_is_refused_never_served(db: Db) {
    let app = TestApp::spawn(db).await;
    let (a, b, _) = admin_and_two_members(&app).await;
    let t = clinical_thread(&app, &a, &[&b], "Voix").await;
    // 20 chunks: the first 16 are decrypted before the answer starts.
    let file = voice(1_250_000);
    let id = upload_voice(&app, &a, &t, &file).await;
    let path = blob_path(&app, &id);
    let original = std::fs::read(&path).expect("blob");
    let chunk = 64 * 1024;
    let chunk_at = |i: usize| 39 + i * (chunk + 16);

    // One byte changed in the first chunk: an error, no file.
    let mut changed = original.clone();
    changed[chunk_at(0) + 100] ^= 0x01;
    std::fs::write(&path, &changed).expect("tamper");
    let (status, body) = app.download_attachment(&b.token, &id).await;
    assert_eq!(status, 500, "{}", String::from_utf8_lossy(&body));
    assert!(!body.windows(16).any(|w| w == &file[..16]));

    // One byte changed in chunk 17: ranges that do not need it still
    // open; one that starts there is an error; the whole file breaks off
    // there instead of going on with garbage.
    let mut changed = original.clone();
    changed[chunk_at(17) + 5] ^= 0x80;
    std::fs::write(&path, &changed).expect("tamper");
    let (status, _, body) = ranged(&app, &b.token, &id, "bytes=0-99").await;
    assert!(status == 206 && body.as_deref() == Some(&file[..100]), "{status}");
    let (status, _, body) = ranged(&app, &b.token, &id, "bytes=-10").await;
    assert!(
        status == 206 && body.as_deref() == Some(&file[file.len() - 10..]),
        "{status}"
    );
    let (status, _, _) = ranged(&app, &b.token, &id, &format!("bytes={}-", 17 * chunk)).await;
    assert_eq!(status, 500);
    let (status, _, body) = ranged(&app, &b.token, &id, "bytes=0-").await;
    assert!(
        status == 206 && body.is_none(),
        "{status}: the transfer breaks off, {:?} bytes arrived",
        body.map(|b| b.len())
    );

    // The header changed (the size), or another blob put in its place.
    let mut changed = original.clone();
    changed[19] ^= 0x01;
    std::fs::write(&path, &changed).expect("tamper");
    assert_eq!(app.download_attachment(&b.token, &id).await.0, 500);
    let other = upload_voice(&app, &a, &t, &file).await;
    std::fs::copy(blob_path(&app, &other), &path).expect("swap");
    assert_eq!(app.download_attachment(&b.token, &id).await.0, 500);

    // Put back, it opens again.
    std::fs::write(&path, &original).expect("restore");
    assert_downloads(&app, &b.token, &id, &file).await;
}

/// From now on every new attachment row brings a row whose deferred
/// foreign key fails at COMMIT (on either database): the upload's
/// transaction fails at its very end. `DROP TRIGGER fault_on_attachment`
/// ends it.
pub(crate) async fn fail_attachment_commits(app: &TestApp, db: Db) {
    use sqlx::Executor;
    let mut tx = app.ctx().store.begin().await.expect("begin");
    tx.execute("CREATE TABLE fault_parent (id TEXT PRIMARY KEY)")
        .await
        .expect("table");
    tx.execute(
        "CREATE TABLE fault_child (id TEXT PRIMARY KEY, parent_id TEXT REFERENCES fault_parent(id) DEFERRABLE INITIALLY DEFERRED)",
    )
    .await
    .expect("table");
    match db {
        Db::Sqlite => {
            tx.execute(
                "CREATE TRIGGER fault_on_attachment AFTER INSERT ON attachments BEGIN \
                 INSERT INTO fault_child (id, parent_id) VALUES (NEW.id, 'nobody'); END",
            )
            .await
            .expect("trigger");
        }
        Db::Postgres => {
            tx.execute(
                "CREATE FUNCTION fault_on_attachment() RETURNS trigger AS $$ BEGIN \
                 INSERT INTO fault_child (id, parent_id) VALUES (NEW.id, 'nobody'); RETURN NEW; END $$ LANGUAGE plpgsql",
            )
            .await
            .expect("function");
            tx.execute(
                "CREATE TRIGGER fault_on_attachment AFTER INSERT ON attachments \
                 FOR EACH ROW EXECUTE FUNCTION fault_on_attachment()",
            )
            .await
            .expect("trigger");
        }
    }
    tx.commit().await.expect("commit");
}

async fn a_failed_commit_leaves_no_blob(db: Db) {
    use sqlx::Executor;
    let app = TestApp::spawn(db).await;
    let (a, b, _) = admin_and_two_members(&app).await;
    let t = clinical_thread(&app, &a, &[&b], "Voix").await;
    fail_attachment_commits(&app, db).await;

    for _ in 0..3 {
        let (status, r) = upload(&app, &a, &t, "name=note.ogg&kind=voice", voice(200_000)).await;
        assert_eq!(status, 500, "{r}");
    }
    assert_eq!(
        files_under(&app.config.blob_dir()),
        Vec::<PathBuf>::new(),
        "no blob left"
    );
    let (_, g) = app.get(&format!("/threads/{t}/attachments"), Some(&b.token)).await;
    assert_eq!(g["attachments"].as_array().map(Vec::len), Some(0), "{g}");

    // Commits work again: one upload, one blob.
    let mut tx = app.ctx().store.begin().await.expect("begin");
    let drop = match db {
        Db::Sqlite => "DROP TRIGGER fault_on_attachment",
        Db::Postgres => "DROP TRIGGER fault_on_attachment ON attachments",
    };
    tx.execute(drop).await.expect("drop");
    tx.commit().await.expect("commit");
    let file = voice(200_000);
    let id = upload_voice(&app, &a, &t, &file).await;
    assert_eq!(files_under(&app.config.blob_dir()), vec![blob_path(&app, &id)]);
    assert_downloads(&app, &b.token, &id, &file).await;
}

async fn blobs_no_row_names_are_swept_after_their_grace(db: Db) {
    let mut app = TestApp::spawn(db).await;
    let (a, b, _) = admin_and_two_members(&app).await;
    let t = clinical_thread(&app, &a, &[&b], "Voix").await;
    let file = voice(100_000);
    let id = upload_voice(&app, &a, &t, &file).await;
    // Left by a node killed before its commit, or by an upload still
    // running on another node: a blob no row names, and an unfinished write.
    let plant = |app: &TestApp| {
        let orphan = cercle_domain::AttachmentId::new().to_string();
        let path = blob_path(app, &orphan);
        std::fs::create_dir_all(path.parent().expect("dir")).expect("dir");
        std::fs::write(&path, b"CERCLEB1 left over").expect("orphan");
        let unfinished = path.with_file_name(format!(".tmp-{orphan}-0123"));
        std::fs::write(&unfinished, b"half").expect("unfinished");
        (path, unfinished)
    };
    let (orphan, unfinished) = plant(&app);

    // Young: its transaction may still be running. Left alone.
    assert_eq!(cercle_app::blobs::sweep(app.ctx()).await.expect("sweep"), 0);
    assert!(orphan.exists() && unfinished.exists());
    // Past the grace period: removed; the named blob stays.
    app.advance(2 * 3600);
    assert_eq!(cercle_app::blobs::sweep(app.ctx()).await.expect("sweep"), 1);
    assert!(!orphan.exists() && !unfinished.exists());
    assert!(blob_path(&app, &id).exists());

    // At start, the same.
    let (orphan, unfinished) = plant(&app);
    app.advance(2 * 3600);
    app.restart().await;
    eventually("the start-up sweep", async || {
        (!orphan.exists() && !unfinished.exists()).then_some(())
    })
    .await;
    // Hours went by: the session locked; a new sign-in reads the file.
    let token = sign_in_by_email(&app, &b.email, count_sign_in_mails(&app, &b.email) + 1).await;
    assert_downloads(&app, &token, &id, &file).await;
}

async fn files_stored_in_the_row_before_blobs_still_download(db: Db) {
    let app = TestApp::spawn(db).await;
    let (a, b, _) = admin_and_two_members(&app).await;
    let t = clinical_thread(&app, &a, &[&b], "Voix").await;
    let file = voice(150_000);
    let id = upload_voice(&app, &a, &t, &file).await;
    // Make it a row from before blobs: the file encrypted in `data`.
    let sealed = app.ctx().key.encrypt(&file).expect("encrypt");
    let mut tx = app.ctx().store.begin().await.expect("begin");
    sqlx::query("UPDATE attachments SET data = $1, blob = NULL WHERE id = $2")
        .bind(&sealed)
        .bind(&id)
        .execute(&mut *tx)
        .await
        .expect("update");
    tx.commit().await.expect("commit");
    std::fs::remove_file(blob_path(&app, &id)).expect("remove blob");

    assert_downloads(&app, &b.token, &id, &file).await;
    let (status, content_range, body) = ranged(&app, &b.token, &id, "bytes=70000-70009").await;
    assert_eq!(status, 206);
    assert_eq!(content_range.as_deref(), Some("bytes 70000-70009/150000"));
    assert!(body.as_deref() == Some(&file[70_000..70_010]));
    assert_eq!(ranged(&app, &b.token, &id, "bytes=150000-").await.0, 416);
}

/// Backup while serving, restore into a new data folder (and, on
/// PostgreSQL, an empty database): every file a message points at
/// downloads from the restored node, byte for byte.
async fn backup_and_restore_keep_every_file(db: Db) {
    let app = TestApp::spawn(db).await;
    let (a, b, _) = admin_and_two_members(&app).await;
    let t = clinical_thread(&app, &a, &[&b], "Voix").await;
    let files = [voice(90_000), voice(400_000)];
    let mut ids = Vec::new();
    for f in &files {
        ids.push(upload_voice(&app, &a, &t, f).await);
    }
    let out_dir = temp_dir("cercle-backup");
    let _ = std::fs::remove_dir_all(&out_dir);
    let out_arg = out_dir.to_string_lossy().to_string();
    let backup = cercle(&app, &["backup", "--out", &out_arg]);
    assert!(backup.status.success(), "{}", text(&backup));

    let restored_dir = temp_dir("cercle-restored");
    let empty = EmptyDb::new(db).await;
    let restored_url = (db == Db::Postgres).then(|| empty.url.clone());
    let restored_config = cercle::Config {
        data_dir: restored_dir.clone(),
        database_url: restored_url.clone(),
        ..app.config.clone()
    };
    let restore = cercle_with(&restored_config, &["restore", "--from", &out_arg]);
    assert!(restore.status.success(), "{}", text(&restore));
    let restored = TestApp::spawn_with(db, |c| {
        c.data_dir = restored_dir.clone();
        c.database_url = restored_url;
    })
    .await;
    let token = sign_in_by_email(&restored, &b.email, 1).await;
    for (id, f) in ids.iter().zip(&files) {
        assert_downloads(&restored, &token, id, f).await;
        assert!(blob_path(&restored, id).exists());
    }
    let _ = std::fs::remove_dir_all(&out_dir);
}
