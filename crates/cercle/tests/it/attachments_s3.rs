//! Attachments' files in S3-compatible object storage (issue 16), against
//! a real S3 server (Garage, started by scripts/test.sh): byte-exact
//! downloads and ranges, a damaged object refused, no object left by a
//! failed commit, the sweep (of objects and of unfinished multipart
//! uploads), a file never readable once its row is gone,
//! two nodes sharing the bucket, backup and restore, and the storage down
//! then back. Each app keeps its objects under a prefix of its own.

use crate::attachments_api::{assert_downloads, ranged, upload_voice, voice};
use crate::cli::{cercle, cercle_with, text};
use crate::helpers::{admin_and_two_members, clinical_thread, sign_in_by_email, upload_to_thread as upload};
use cercle_app::blobs::BlobError;
use cercle_testkit::s3::{use_s3, use_s3_at, Relay};
use cercle_testkit::{temp_dir, Db, TestApp};

/// Runs each listed `async fn name(db: Db)` with its blobs in the object
/// storage, on the database named.
macro_rules! on_s3 {
    ($($db:ident: $name:ident),* $(,)?) => {
        mod s3 {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if cercle_testkit::s3::skip_s3() {
                        return;
                    }
                    let db = cercle_testkit::Db::$db;
                    if db == cercle_testkit::Db::Postgres && cercle_testkit::skip_postgres() {
                        return;
                    }
                    super::$name(db).await
                }
            )*
        }
    };
}

on_s3!(
    Sqlite: object_storage_downloads_are_byte_exact_and_answer_ranges,
    Postgres: object_storage_downloads_are_byte_exact_and_answer_ranges_on_postgres,
    Sqlite: a_damaged_object_is_refused_never_served,
    Sqlite: a_failed_commit_leaves_no_object,
    Sqlite: objects_no_row_names_are_swept_and_never_read,
    Postgres: two_nodes_share_the_bucket,
    Sqlite: backup_and_restore_keep_every_file_in_object_storage,
    Sqlite: uploads_are_refused_while_the_object_storage_is_down,
    Sqlite: an_upload_cut_in_the_middle_leaves_no_object,
    Sqlite: a_wrong_bucket_stops_the_node_at_start,
    Sqlite: a_large_file_goes_up_in_parts,
    Sqlite: unfinished_multipart_uploads_are_aborted_by_the_sweep,
    Postgres: unfinished_multipart_uploads_are_aborted_by_the_sweep_on_postgres,
);

async fn spawn(db: Db) -> TestApp {
    TestApp::spawn_with(db, use_s3).await
}

/// Every blob the app's prefix holds.
async fn objects(app: &TestApp) -> Vec<String> {
    let mut names = app
        .ctx()
        .blobs
        .stored_before(cercle_domain::Timestamp(i64::MAX))
        .await
        .expect("list");
    names.sort();
    names
}

/// The whole object of blob `name`.
async fn object(app: &TestApp, name: &str) -> Vec<u8> {
    app.ctx().blobs.read(name, 0, 1 << 30).await.expect("object")
}

/// Stores `bytes` as blob `name`, straight into the store.
async fn put(app: &TestApp, name: &str, bytes: Vec<u8>) {
    let mut w = app.ctx().blobs.create(name).await.expect("create");
    w.write(bytes).await.expect("write");
    w.finish().await.expect("finish");
}

/// Replaces the object of blob `name` (a damaged or swapped one).
async fn replace(app: &TestApp, name: &str, bytes: Vec<u8>) {
    app.ctx().blobs.delete(name).await.expect("delete");
    put(app, name, bytes).await;
}

/// A file larger than one part goes up as a multipart upload, a part at a
/// time, and comes back byte for byte; a multipart upload given up (or
/// dropped, as when the request is abandoned) leaves no object.
async fn a_large_file_goes_up_in_parts(db: Db) {
    let app = spawn(db).await;
    let (a, b, _) = admin_and_two_members(&app).await;
    let t = clinical_thread(&app, &a, &[&b], "Vidéo").await;
    let size = 20 * 1024 * 1024 + 12_345;
    let file = crate::attachments_stream::video(size);
    let (status, m) = upload(&app, &a, &t, "name=marche.mp4&kind=video", file.clone()).await;
    assert_eq!(status, 201, "{m}");
    let id = m["attachments"][0]["id"].as_str().expect("id").to_string();
    assert_eq!(objects(&app).await, vec![id.clone()]);
    assert!(object(&app, &id).await.starts_with(b"CERCLEB1"));
    assert_downloads(&app, &b.token, &id, &file).await;
    // Across the first part's end (8 MiB of the stored blob), and the last bytes.
    for (first, last) in [
        (8 * 1024 * 1024 - 100_000, 8 * 1024 * 1024 + 100_000),
        (size - 70_000, size - 1),
    ] {
        let (status, content_range, body) = ranged(&app, &b.token, &id, &format!("bytes={first}-{last}")).await;
        assert_eq!(status, 206);
        assert_eq!(content_range, Some(format!("bytes {first}-{last}/{size}")));
        assert!(body.as_deref() == Some(&file[first..=last]), "the exact bytes");
    }

    let blobs = &app.ctx().blobs;
    let mut given_up = blobs.create("given-up-blob").await.expect("create");
    given_up
        .write(vec![7u8; 17 * 1024 * 1024])
        .await
        .expect("two parts sent");
    given_up.abort().await;
    let mut dropped = blobs.create("dropped-blob").await.expect("create");
    dropped.write(vec![1u8; 9 * 1024 * 1024]).await.expect("a part sent");
    drop(dropped);
    assert_eq!(objects(&app).await, vec![id], "nothing of the blobs given up");
}

/// A multipart upload that a node killed mid-upload left behind (a part
/// sent, neither completed nor aborted: its parts hold space though no
/// object shows them) is aborted by the sweep once older than the grace
/// period; a younger one, an upload in progress, is left alone and still
/// completes.
async fn unfinished_multipart_uploads_are_aborted_by_the_sweep(db: Db) {
    use cercle_app::adapters::s3_blobs::S3Blobs;
    use cercle_app::blobs::{sweep, BlobStore};
    use cercle_domain::Timestamp;
    let app = spawn(db).await;
    let settings = app.config.s3_settings().expect("settings").expect("s3");
    let s3 = S3Blobs::new(&settings).expect("adapter");
    let key = |name: &str| format!("{}{name}", settings.prefix);
    let unfinished = || async {
        let mut uploads = s3.unfinished_uploads(1000).await.expect("list");
        uploads.sort_by_key(|u| u.initiated);
        uploads
    };
    let blobs = &app.ctx().blobs;
    // A writer forgotten (never finished, aborted nor dropped) is what a
    // killed node leaves: its drop, which aborts, never runs. Twice under
    // one name, so that the listing pages within a key too.
    for _ in 0..2 {
        let mut killed = blobs.create("killed-blob").await.expect("create");
        killed.write(vec![3u8; 8 * 1024 * 1024]).await.expect("a part sent");
        std::mem::forget(killed);
    }
    let mut going = blobs.create("going-blob").await.expect("create");
    going.write(vec![4u8; 8 * 1024 * 1024]).await.expect("a part sent");
    let listed = unfinished().await;
    assert_eq!(
        listed.iter().map(|u| u.key.clone()).collect::<Vec<_>>(),
        vec![key("killed-blob"), key("killed-blob"), key("going-blob")],
        "all listed by the store: {listed:?}"
    );
    // One per request: the store's markers lead from page to page.
    let mut paged = s3.unfinished_uploads(1).await.expect("list");
    paged.sort_by_key(|u| u.initiated);
    assert_eq!(paged, listed);
    // Listing every blob (as a backup does) only lists.
    assert!(s3.stored_before(Timestamp(i64::MAX)).await.expect("list").is_empty());
    assert_eq!(unfinished().await, listed, "a backup aborts nothing");
    let started = listed[2].initiated;
    assert!(listed[1].initiated < started, "{listed:?}");

    // The sweep with its grace period ending between the two.
    assert_eq!(s3.remove_unfinished_before(started).await.expect("sweep"), 2);
    let left = unfinished().await;
    assert_eq!(
        left.iter().map(|u| u.key.clone()).collect::<Vec<_>>(),
        vec![key("going-blob")],
        "the old ones aborted, the one in progress left: {left:?}"
    );
    going.write(vec![5u8; 1000]).await.expect("the last part");
    going.finish().await.expect("completed");
    assert_eq!(objects(&app).await, vec!["going-blob".to_string()]);
    assert!(unfinished().await.is_empty());
    let stored = object(&app, "going-blob").await;
    assert_eq!(stored.len(), 8 * 1024 * 1024 + 1000);
    assert_eq!(stored.last(), Some(&5u8));

    // The app's own sweep and clock: young at first, aborted two hours on
    // (with the object no row names).
    let mut again = blobs.create("killed-again").await.expect("create");
    again.write(vec![6u8; 8 * 1024 * 1024]).await.expect("a part sent");
    std::mem::forget(again);
    assert_eq!(sweep(app.ctx()).await.expect("sweep"), 0);
    assert_eq!(unfinished().await.len(), 1, "young: left alone");
    app.advance(2 * 3600);
    assert_eq!(sweep(app.ctx()).await.expect("sweep"), 1, "the object no row names");
    assert!(unfinished().await.is_empty(), "aborted");
    assert_eq!(objects(&app).await, Vec::<String>::new());
}

async fn unfinished_multipart_uploads_are_aborted_by_the_sweep_on_postgres(db: Db) {
    unfinished_multipart_uploads_are_aborted_by_the_sweep(db).await
}

async fn object_storage_downloads_are_byte_exact_and_answer_ranges_on_postgres(db: Db) {
    object_storage_downloads_are_byte_exact_and_answer_ranges(db).await
}

async fn object_storage_downloads_are_byte_exact_and_answer_ranges(db: Db) {
    let app = spawn(db).await;
    let (a, b, c) = admin_and_two_members(&app).await;
    let t = clinical_thread(&app, &a, &[&b], "Voix").await;
    // 20 chunks of 64 KiB, sent in two pieces of 16 chunks.
    let file = voice(1_250_000);
    let id = upload_voice(&app, &a, &t, &file).await;

    // In the bucket, encrypted; nothing in the local folder.
    assert_eq!(objects(&app).await, vec![id.clone()]);
    let stored = object(&app, &id).await;
    assert!(stored.starts_with(b"CERCLEB1"));
    assert!(
        !stored.windows(64).any(|w| w == &file[1000..1064]),
        "not stored in clear"
    );
    assert!(!app.config.blob_dir().exists(), "no local blob folder");

    assert_downloads(&app, &b.token, &id, &file).await;
    let size = file.len();
    let chunk = 64 * 1024;
    for (range, first, last) in [
        ("bytes=0-99".to_string(), 0, 99),
        (format!("bytes={}-{}", chunk - 10, chunk + 10), chunk - 10, chunk + 10),
        (
            format!("bytes={}-{}", 16 * chunk - 3, 16 * chunk + 2),
            16 * chunk - 3,
            16 * chunk + 2,
        ),
        ("bytes=-100".to_string(), size - 100, size - 1),
        (format!("bytes=10-{}", size * 2), 10, size - 1),
    ] {
        let (status, content_range, body) = ranged(&app, &b.token, &id, &range).await;
        assert_eq!(status, 206, "{range}");
        assert_eq!(content_range, Some(format!("bytes {first}-{last}/{size}")), "{range}");
        assert!(body.as_deref() == Some(&file[first..=last]), "{range}: the exact bytes");
    }
    let (status, content_range, _) = ranged(&app, &b.token, &id, &format!("bytes={size}-")).await;
    assert_eq!((status, content_range), (416, Some(format!("bytes */{size}"))));
    // An empty file is an object too.
    let empty = upload_voice(&app, &a, &t, b"OggS").await;
    assert_downloads(&app, &b.token, &empty, b"OggS").await;
    // Someone outside the thread gets nothing.
    assert_eq!(ranged(&app, &c.token, &id, "bytes=0-9").await.0, 404);
}

async fn a_damaged_object_is_refused_never_served(db: Db) {
    let app = spawn(db).await;
    let (a, b, _) = admin_and_two_members(&app).await;
    let t = clinical_thread(&app, &a, &[&b], "Voix").await;
    let file = voice(300_000);
    let id = upload_voice(&app, &a, &t, &file).await;
    let original = object(&app, &id).await;

    let mut changed = original.clone();
    changed[39 + 100] ^= 0x01;
    replace(&app, &id, changed).await;
    let (status, body) = app.download_attachment(&b.token, &id).await;
    assert_eq!(status, 500, "{}", String::from_utf8_lossy(&body));
    assert!(!body.windows(16).any(|w| w == &file[..16]));

    // Another attachment's object under its name.
    let other = upload_voice(&app, &a, &t, &file).await;
    replace(&app, &id, object(&app, &other).await).await;
    assert_eq!(app.download_attachment(&b.token, &id).await.0, 500);

    // Gone from the bucket: an error, never an empty file.
    app.ctx().blobs.delete(&id).await.expect("delete");
    assert_eq!(app.download_attachment(&b.token, &id).await.0, 500);

    replace(&app, &id, original).await;
    assert_downloads(&app, &b.token, &id, &file).await;
}

async fn a_failed_commit_leaves_no_object(db: Db) {
    use sqlx::Executor;
    let app = spawn(db).await;
    let (a, b, _) = admin_and_two_members(&app).await;
    let t = clinical_thread(&app, &a, &[&b], "Voix").await;
    crate::attachments_api::fail_attachment_commits(&app, db).await;
    for _ in 0..2 {
        let (status, r) = upload(&app, &a, &t, "name=note.ogg&kind=voice", voice(200_000)).await;
        assert_eq!(status, 500, "{r}");
    }
    assert_eq!(objects(&app).await, Vec::<String>::new(), "no object left");

    let mut tx = app.ctx().store.begin().await.expect("begin");
    tx.execute("DROP TRIGGER fault_on_attachment").await.expect("drop");
    tx.commit().await.expect("commit");
    let file = voice(200_000);
    let id = upload_voice(&app, &a, &t, &file).await;
    assert_eq!(objects(&app).await, vec![id.clone()]);
    assert_downloads(&app, &b.token, &id, &file).await;
}

async fn objects_no_row_names_are_swept_and_never_read(db: Db) {
    let mut app = spawn(db).await;
    let (a, b, _) = admin_and_two_members(&app).await;
    let t = clinical_thread(&app, &a, &[&b], "Voix").await;
    let file = voice(100_000);
    let id = upload_voice(&app, &a, &t, &file).await;
    let gone = upload_voice(&app, &a, &t, &voice(50_000)).await;
    // Left by a node killed before its commit: an object no row names.
    let orphan = cercle_domain::AttachmentId::new().to_string();
    put(&app, &orphan, b"CERCLEB1 left over".to_vec()).await;
    // And a row removed (as by a restore of an older database): its file
    // is never served again, and its object is swept.
    let mut tx = app.ctx().store.begin().await.expect("begin");
    sqlx::query("DELETE FROM attachments WHERE id = $1")
        .bind(&gone)
        .execute(&mut *tx)
        .await
        .expect("delete row");
    tx.commit().await.expect("commit");
    assert_eq!(app.download_attachment(&b.token, &gone).await.0, 404);

    // Young: its transaction may still be running on another node.
    assert_eq!(cercle_app::blobs::sweep(app.ctx()).await.expect("sweep"), 0);
    assert_eq!(objects(&app).await.len(), 3);
    app.advance(2 * 3600);
    assert_eq!(cercle_app::blobs::sweep(app.ctx()).await.expect("sweep"), 2);
    assert_eq!(objects(&app).await, vec![id.clone()]);
    for name in [&orphan, &gone] {
        assert!(matches!(
            app.ctx().blobs.read(name, 0, 10).await,
            Err(BlobError::NotFound)
        ));
    }

    // After a restart (hours went by: a new sign-in), the named file is
    // still there.
    app.restart().await;
    let token = sign_in_by_email(&app, &b.email, crate::helpers::count_sign_in_mails(&app, &b.email) + 1).await;
    assert_downloads(&app, &token, &id, &file).await;
}

/// Two nodes on one PostgreSQL database and one bucket: a file uploaded
/// through one downloads from the other, ranges included.
async fn two_nodes_share_the_bucket(db: Db) {
    let app = spawn(db).await;
    let node = app.spawn_node().await;
    let (a, b, _) = admin_and_two_members(&app).await;
    let t = clinical_thread(&app, &a, &[&b], "Voix").await;
    let file = voice(700_000);
    let id = upload_voice(&app, &a, &t, &file).await;
    let from_node = |range: Option<&str>| {
        let mut r = app
            .http
            .get(format!("{}/api/v1/attachments/{id}", node.url))
            .bearer_auth(&b.token);
        if let Some(range) = range {
            r = r.header("Range", range);
        }
        r.send()
    };
    let r = from_node(None).await.expect("download");
    assert_eq!(r.status().as_u16(), 200);
    assert!(
        r.bytes().await.expect("bytes") == file,
        "byte-exact from the other node"
    );
    let r = from_node(Some("bytes=65530-65545")).await.expect("download");
    assert_eq!(r.status().as_u16(), 206);
    assert!(r.bytes().await.expect("bytes") == file[65_530..=65_545]);

    // And the other way: uploaded on the second node, read on the first.
    let other = voice(90_000);
    let r = app
        .http
        .put(format!("{}/api/v1/threads/{t}/files?name=n.ogg&kind=voice", node.url))
        .bearer_auth(&b.token)
        .body(other.clone())
        .send()
        .await
        .expect("upload");
    let (status, m) = cercle_testkit::status_and_json(r).await;
    assert_eq!(status, 201, "{m}");
    let second = m["attachments"][0]["id"].as_str().expect("id").to_string();
    assert_downloads(&app, &a.token, &second, &other).await;
}

/// A backup holds the bucket's blobs (downloaded); a restore into a node
/// configured with object storage puts them in its bucket.
async fn backup_and_restore_keep_every_file_in_object_storage(db: Db) {
    let app = spawn(db).await;
    let (a, b, _) = admin_and_two_members(&app).await;
    let t = clinical_thread(&app, &a, &[&b], "Voix").await;
    let files = [voice(90_000), voice(9_000_000)];
    let mut ids = Vec::new();
    for f in &files {
        ids.push(upload_voice(&app, &a, &t, f).await);
    }
    let out_dir = temp_dir("cercle-backup");
    let _ = std::fs::remove_dir_all(&out_dir);
    let out_arg = out_dir.to_string_lossy().to_string();
    let backup = cercle(&app, &["backup", "--out", &out_arg]);
    assert!(backup.status.success(), "{}", text(&backup));
    for id in &ids {
        let copy = std::fs::read(out_dir.join("blobs").join(&id[id.len() - 2..]).join(id)).expect("blob in backup");
        assert!(copy == object(&app, id).await, "the object, whole");
    }

    // Into a new data folder and a new, empty place in the bucket.
    let restored_dir = temp_dir("cercle-restored");
    let mut restored_config = cercle::Config {
        data_dir: restored_dir.clone(),
        database_url: None,
        ..app.config.clone()
    };
    use_s3(&mut restored_config);
    let prefix = restored_config.s3_prefix.clone();
    let restore = cercle_with(&restored_config, &["restore", "--from", &out_arg]);
    assert!(restore.status.success(), "{}", text(&restore));
    let restored = TestApp::spawn_with(db, |c| {
        use_s3(c);
        c.s3_prefix = prefix;
        c.data_dir = restored_dir.clone();
        c.database_url = None;
    })
    .await;
    let token = sign_in_by_email(&restored, &b.email, 1).await;
    for (id, f) in ids.iter().zip(&files) {
        assert_downloads(&restored, &token, id, f).await;
    }
    let mut expected = ids.clone();
    expected.sort();
    assert_eq!(objects(&restored).await, expected);
    let _ = std::fs::remove_dir_all(&out_dir);
}

/// The object storage down: an upload is refused with 503
/// `file-storage-unavailable` and leaves no row; reading answers the same;
/// once it is back, both work again without a restart.
async fn uploads_are_refused_while_the_object_storage_is_down(db: Db) {
    let relay = Relay::start().await;
    let app = TestApp::spawn_with(db, |c| use_s3_at(c, &relay.url())).await;
    let (a, b, _) = admin_and_two_members(&app).await;
    let t = clinical_thread(&app, &a, &[&b], "Voix").await;
    let file = voice(120_000);
    let id = upload_voice(&app, &a, &t, &file).await;

    relay.cut().await;
    let (status, r) = upload(&app, &a, &t, "name=note.ogg&kind=voice", voice(80_000)).await;
    assert_eq!(status, 503, "{r}");
    assert_eq!(r["code"], "file-storage-unavailable", "{r}");
    assert!(
        r["message"]
            .as_str()
            .is_some_and(|m| m.contains("stockage des fichiers")),
        "a clear message, in French by default: {r}"
    );
    let (_, g) = app.get(&format!("/threads/{t}/attachments"), Some(&b.token)).await;
    assert_eq!(g["attachments"].as_array().map(Vec::len), Some(1), "no row: {g}");
    let (status, _) = app.download_attachment(&b.token, &id).await;
    assert_eq!(status, 503);

    relay.restore().await;
    assert_downloads(&app, &b.token, &id, &file).await;
    let later = voice(80_000);
    let second = upload_voice(&app, &a, &t, &later).await;
    assert_downloads(&app, &b.token, &second, &later).await;
    let mut expected = vec![id, second];
    expected.sort();
    assert_eq!(objects(&app).await, expected, "nothing else in the bucket");
}

/// The connection to the store drops in the middle of a blob (as when the
/// node is killed while sending it): the store keeps nothing of it, the
/// upload is refused, and no row names it. Uploads that fit go through.
async fn an_upload_cut_in_the_middle_leaves_no_object(db: Db) {
    let relay = Relay::cutting_after(300_000).await;
    let app = TestApp::spawn_with(db, |c| use_s3_at(c, &relay.url())).await;
    let (a, b, _) = admin_and_two_members(&app).await;
    let t = clinical_thread(&app, &a, &[&b], "Voix").await;
    let small = voice(50_000);
    let id = upload_voice(&app, &a, &t, &small).await;

    let (status, r) = upload(&app, &a, &t, "name=note.ogg&kind=voice", voice(2_000_000)).await;
    assert_eq!(
        (status, r["code"].as_str()),
        (503, Some("file-storage-unavailable")),
        "{r}"
    );
    assert_eq!(objects(&app).await, vec![id.clone()], "nothing of the cut blob");
    let (_, g) = app.get(&format!("/threads/{t}/attachments"), Some(&b.token)).await;
    assert_eq!(g["attachments"].as_array().map(Vec::len), Some(1), "no row: {g}");
    assert_downloads(&app, &b.token, &id, &small).await;
}

/// A bucket that does not exist, or keys the server refuses: the node
/// does not start, and says why.
async fn a_wrong_bucket_stops_the_node_at_start(db: Db) {
    let _ = db;
    let mut config = cercle::Config {
        data_dir: temp_dir("cercle-wrong-bucket"),
        ..cercle::Config::default()
    };
    use_s3(&mut config);
    config.s3_bucket = Some("no-such-bucket-here".into());
    let e = cercle::build_ctx(&config, cercle::Overrides::default())
        .await
        .err()
        .expect("refused");
    let e = format!("{e:#}");
    assert!(e.contains("no-such-bucket-here") && e.contains("not found"), "{e}");

    use_s3(&mut config);
    config.s3_secret_access_key = Some("0".repeat(64));
    let e = format!(
        "{:#}",
        cercle::build_ctx(&config, cercle::Overrides::default())
            .await
            .err()
            .expect("refused")
    );
    assert!(e.contains("refused"), "{e}");
    assert!(!e.contains(&"0".repeat(64)), "no secret in the error: {e}");
    let _ = std::fs::remove_dir_all(&config.data_dir);
}
