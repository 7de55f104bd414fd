//! The operator's commands, run as the real `cercle` binary.

use crate::backends;
use crate::helpers::{sign_in_by_email, sign_up, PASSWORD};
use cercle_testkit::{temp_dir, Db, TestApp};
use serde_json::json;
use std::process::{Command, Output};

/// Runs `cercle` against the test app's database and data folder.
pub(crate) fn cercle(app: &TestApp, args: &[&str]) -> Output {
    cercle_with(&app.config, args)
}

pub(crate) fn cercle_with(config: &cercle::Config, args: &[&str]) -> Output {
    command_for(config).args(args).output().expect("run cercle")
}

/// The `cercle` binary, set to use `config`'s database, data folder, blob
/// store, mail server and public address (the arguments are the caller's).
pub(crate) fn command_for(config: &cercle::Config) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_cercle"));
    // The object storage, when the app keeps its blobs there.
    let s3 = [
        ("CERCLE_S3_ENDPOINT", &config.s3_endpoint),
        ("CERCLE_S3_BUCKET", &config.s3_bucket),
        ("CERCLE_S3_ACCESS_KEY_ID", &config.s3_access_key_id),
        ("CERCLE_S3_SECRET_ACCESS_KEY", &config.s3_secret_access_key),
    ];
    for (name, value) in s3 {
        if let Some(v) = value {
            command.env(name, v);
        }
    }
    if let Some(dir) = &config.blob_dir {
        command.env("CERCLE_BLOB_DIR", dir);
    }
    command
        .env("CERCLE_BLOB_STORE", &config.blob_store)
        .env("CERCLE_S3_REGION", &config.s3_region)
        .env("CERCLE_S3_PREFIX", &config.s3_prefix)
        .env("CERCLE_DATA_DIR", &config.data_dir)
        .env("CERCLE_DATABASE_URL", config.database_url())
        .env("CERCLE_LOG", "warn")
        .env("CERCLE_SMTP_HOST", config.smtp_host.clone().unwrap_or_default())
        .env("CERCLE_SMTP_PORT", config.smtp_port.to_string())
        .env("CERCLE_SMTP_SECURITY", &config.smtp_security)
        .env("CERCLE_PUBLIC_URL", config.public_url())
        .env("CERCLE_ARGON2_MEMORY_KIB", "64")
        .env("CERCLE_ARGON2_ITERATIONS", "1");
    command
}

pub(crate) fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

backends!(
    verify_audit_detects_an_altered_row,
    bootstrap_creates_the_first_network_administrator
);

async fn verify_audit_detects_an_altered_row(db: Db) {
    let app = TestApp::spawn(db).await;
    sign_up(&app, "marie@clinique.test", "fr").await;
    let ok = cercle(&app, &["admin", "verify-audit"]);
    assert!(ok.status.success(), "{}", text(&ok));
    assert!(text(&ok).contains("intact"), "{}", text(&ok));

    // Someone with database access rewrites who did something.
    let mut conn = app.ctx().store.begin().await.expect("tx");
    sqlx::query("UPDATE audit_events SET actor_id = 'someone-else' WHERE seq = 3")
        .execute(&mut *conn)
        .await
        .expect("tamper");
    conn.commit().await.expect("commit");
    let broken = cercle(&app, &["admin", "verify-audit"]);
    assert_eq!(broken.status.code(), Some(1), "{}", text(&broken));
    assert!(text(&broken).contains("Altered { seq: 3 }"), "{}", text(&broken));
}

async fn bootstrap_creates_the_first_network_administrator(db: Db) {
    let app = TestApp::spawn(db).await;
    let out = cercle(
        &app,
        &[
            "admin",
            "bootstrap",
            "--email",
            "admin@reseau.test",
            "--name",
            "Louise Gagnon",
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    let link = text(&out)
        .lines()
        .find(|l| l.starts_with("http"))
        .expect("link printed")
        .trim()
        .to_string();
    let token = link.rsplit('/').next().expect("token");
    let (status, _) = app
        .post(
            "/auth/password-reset/complete",
            None,
            json!({ "token": token, "password": PASSWORD }),
        )
        .await;
    assert_eq!(status, 204);
    // The welcome email was delivered over SMTP too.
    app.smtp.wait_subject("admin@reseau.test", "Bienvenue", 0).await;
    let again = cercle(&app, &["admin", "bootstrap", "--email", "other@reseau.test"]);
    assert!(!again.status.success(), "only on a network without administrator");

    // First sign-in: terms, recovery code, PIN, then the network audit log is readable.
    let token = {
        let (status, s) = app
            .post(
                "/auth/sign-in",
                None,
                json!({ "email": "admin@reseau.test", "password": PASSWORD }),
            )
            .await;
        assert_eq!(status, 200, "{s}");
        let t = s["token"].as_str().expect("token").to_string();
        let mail = crate::helpers::nth_sign_in_mail(&app, "admin@reseau.test", 1).await;
        let code = cercle_testkit::find_code(&mail.body).expect("code");
        let (_, s) = app.post("/auth/code", Some(&t), json!({ "code": code })).await;
        assert_eq!(s["setup_step"], "terms");
        app.post("/auth/terms", Some(&t), json!({})).await;
        app.post("/auth/recovery-code", Some(&t), json!({})).await;
        let (_, s) = app
            .post("/auth/pin", Some(&t), json!({ "pin": "2580", "pin_confirm": "2580" }))
            .await;
        assert_eq!(s["state"], "ready", "{s}");
        t
    };
    let (status, log) = app.get("/admin/audit", Some(&token)).await;
    assert_eq!(status, 200);
    assert!(
        log["events"]
            .as_array()
            .is_some_and(|e| e.iter().any(|r| r["event"] == "network.bootstrap")),
        "{log}"
    );
}

/// Backup while the server runs, restore into a new data folder, sign in there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_while_serving_then_restore_and_sign_in() {
    let app = TestApp::spawn(Db::Sqlite).await;
    let p = sign_up(&app, "marie@clinique.test", "fr").await;
    let out_dir = temp_dir("cercle-backup");
    let _ = std::fs::remove_dir_all(&out_dir);
    // The server keeps serving (and writing) while the backup runs.
    let writer = {
        let url = app.url.clone();
        let token = p.token.clone();
        let http = app.http.clone();
        tokio::spawn(async move {
            for _ in 0..20 {
                let _ = http
                    .get(format!("{url}/api/v1/account/sessions"))
                    .bearer_auth(&token)
                    .send()
                    .await;
            }
        })
    };
    let out_arg = out_dir.to_string_lossy().to_string();
    let backup = cercle(&app, &["backup", "--out", &out_arg]);
    assert!(backup.status.success(), "{}", text(&backup));
    writer.await.expect("writer");
    assert!(out_dir.join("cercle.db").exists() && out_dir.join("keys/server.key").exists());
    assert_eq!(mode_of(&out_dir), 0o700, "a backup is readable by its owner only");

    // Restore into a new data folder, and start a server there.
    let restored_dir = temp_dir("cercle-restored").join("data");
    let restored_config = cercle::Config {
        data_dir: restored_dir.clone(),
        database_url: None,
        ..app.config.clone()
    };
    let restore = cercle_with(&restored_config, &["restore", "--from", &out_arg]);
    assert!(restore.status.success(), "{}", text(&restore));
    assert_eq!(mode_of(&restored_dir), 0o700, "a restored data folder is private");
    let again = cercle_with(&restored_config, &["restore", "--from", &out_arg]);
    assert!(!again.status.success(), "never restores over existing data");

    let restored = TestApp::spawn_with(Db::Sqlite, |c| {
        c.data_dir = restored_dir.clone();
        c.database_url = None;
    })
    .await;
    // The account came back: password, emailed code, ready.
    sign_in_by_email(&restored, &p.email, 1).await;
    let _ = std::fs::remove_dir_all(&out_dir);
}

/// `cercle demo --seed-only` on an empty network: accounts printed, and they work.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_seeds_a_network_whose_accounts_sign_in() {
    let app = TestApp::spawn(Db::Sqlite).await;
    let out = cercle(&app, &["demo", "--seed-only"]);
    assert!(out.status.success(), "{}", text(&out));
    let printed = text(&out);
    assert!(
        printed.contains("marie.tremblay@demo.cercle.test") && printed.contains("/dev/outbox"),
        "{printed}"
    );
    let (status, s) = app
        .post(
            "/auth/sign-in",
            None,
            json!({ "email": "marie.tremblay@demo.cercle.test", "password": cercle_app::demo::DEMO_PASSWORD }),
        )
        .await;
    assert_eq!(status, 200, "{s}");
    // Seeding again changes nothing.
    let again = cercle(&app, &["demo", "--seed-only"]);
    assert!(
        again.status.success() && !text(&again).contains("Demo network created"),
        "{}",
        text(&again)
    );
}

/// Signs a demo account in (password, the first emailed code); its token.
async fn demo_sign_in(app: &TestApp, email: &str) -> String {
    let (status, s) = app
        .post(
            "/auth/sign-in",
            None,
            json!({ "email": email, "password": cercle_app::demo::DEMO_PASSWORD }),
        )
        .await;
    assert_eq!(status, 200, "{s}");
    let token = s["token"].as_str().expect("token").to_string();
    let mail = crate::helpers::nth_sign_in_mail(app, email, 1).await;
    let code = cercle_testkit::find_code(&mail.body).expect("code");
    let (status, s) = app.post("/auth/code", Some(&token), json!({ "code": code })).await;
    assert_eq!(status, 200, "{s}");
    token
}

/// A copy of the demo (what `cercle-bench scale` seeds F times) is a
/// network of its own beside the demo: its own accounts, organizations and
/// discussions, none of the demo's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_copies_are_networks_of_their_own() {
    let app = TestApp::spawn(Db::Sqlite).await;
    assert!(cercle_app::demo::seed(app.ctx()).await.expect("demo"));
    cercle_app::demo::seed_copy(app.ctx(), 1).await.expect("copy 1");
    let threads_of = |token: String| {
        let app = &app;
        async move {
            let (status, t) = app.get("/threads", Some(&token)).await;
            assert_eq!(status, 200, "{t}");
            t["threads"]
                .as_array()
                .expect("threads")
                .iter()
                .map(|t| t["id"].as_str().expect("id").to_string())
                .collect::<Vec<_>>()
        }
    };
    let demo = threads_of(demo_sign_in(&app, "marie.tremblay@demo.cercle.test").await).await;
    let copy = demo_sign_in(&app, "marie.tremblay@demo1.cercle.test").await;
    let (_, me) = app.get("/account", Some(&copy)).await;
    assert_eq!(me["name"], "Dre Marie Tremblay (1)", "{me}");
    let copied = threads_of(copy.clone()).await;
    assert_eq!((demo.len(), copied.len()), (1, 1), "{demo:?} {copied:?}");
    assert_ne!(demo, copied, "the copy's Marie has a thread of her own");
    let (_, orgs) = app.get("/organizations", Some(&copy)).await;
    let names: Vec<&str> = orgs["organizations"]
        .as_array()
        .expect("organizations")
        .iter()
        .filter_map(|o| o["name"].as_str())
        .collect();
    assert_eq!(
        names.len(),
        2,
        "{orgs}: the copy's Marie works in the copy's two organizations"
    );
    assert!(names.iter().all(|n| n.ends_with("(1)")), "{names:?}");
}

/// `cercle serve` on a fresh data folder: prints its URL, answers, and stops
/// cleanly on SIGTERM.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_prints_its_url_and_stops_on_sigterm() {
    use tokio::io::AsyncBufReadExt;
    // A data folder that does not exist yet: `serve` creates it.
    let parent = temp_dir("cercle-serve");
    let data_dir = parent.join("data");
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_cercle"))
        .arg("serve")
        .env("CERCLE_DATA_DIR", &data_dir)
        .env("CERCLE_LISTEN", format!("127.0.0.1:{port}"))
        .env("CERCLE_LOG", "warn")
        .env("CERCLE_ARGON2_MEMORY_KIB", "64")
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = tokio::io::BufReader::new(stdout).lines();
    let url_line = tokio::time::timeout(std::time::Duration::from_secs(30), async {
        while let Ok(Some(line)) = lines.next_line().await {
            if line.contains("Cercle is running at") {
                return line;
            }
        }
        String::new()
    })
    .await
    .expect("started in time");
    assert!(url_line.contains(&format!("http://127.0.0.1:{port}")), "{url_line}");
    let r = reqwest::get(format!("http://127.0.0.1:{port}/readyz"))
        .await
        .expect("readyz");
    assert_eq!(r.status().as_u16(), 200);
    assert!(data_dir.join("cercle.db").exists() && data_dir.join("keys/server.key").exists());
    // The database, keys and attachments are not for the machine's other accounts.
    for dir in [data_dir.clone(), data_dir.join("keys"), data_dir.join("blobs")] {
        assert_eq!(mode_of(&dir), 0o700, "{} must be private", dir.display());
    }

    let pid = child.id().expect("pid").to_string();
    let killed = Command::new("kill").args(["-TERM", &pid]).status().expect("kill");
    assert!(killed.success());
    let status = tokio::time::timeout(std::time::Duration::from_secs(20), child.wait())
        .await
        .expect("stopped in time")
        .expect("wait");
    assert!(status.success(), "clean exit on SIGTERM: {status:?}");
    let _ = std::fs::remove_dir_all(&parent);
}

/// The permission bits of a folder (e.g. 0o700).
fn mode_of(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}
