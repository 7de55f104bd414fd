//! Mail is never lost and never delivered twice: every outbox message has
//! one `Message-ID`, sent identically on every attempt (after a refusal,
//! after the sending node was killed while the server held the message);
//! messages are retried for the configured window, then listed for network
//! administrators, who may send them again.

use crate::backends;
use crate::helpers::{make_network_admin, sign_in_by_email, sign_up, Person};
use cercle_testkit::smtp::{Mode, SmtpSink};
use cercle_testkit::{eventually, temp_dir, Db, TestApp};
use serde_json::{json, Value};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

backends!(
    the_message_id_is_the_same_on_every_attempt,
    failed_mail_is_listed_for_network_administrators_and_sent_again,
    in_production_a_failed_message_keeps_its_body_until_sent,
);

/// Starts a sign-up for `email`: a code email is queued.
async fn queue_a_mail(app: &TestApp, email: &str) {
    let (status, r) = app
        .post(
            "/auth/sign-up",
            None,
            json!({ "email": email, "password": crate::helpers::PASSWORD, "name": "Perdu Loin", "language": "fr" }),
        )
        .await;
    assert_eq!(status, 201, "{r}");
}

/// Waits until the worker recorded the `n`-th failed attempt to `email`:
/// only then is its next attempt scheduled from the clock (5 s, 10 s… after
/// it, where a claim in flight holds it 30 s ahead).
async fn failed_attempts(app: &TestApp, email: &str, n: i64) {
    use sqlx::Row;
    eventually("a failed attempt recorded", async || {
        let mut conn = app.ctx().store.reader().await.ok()?;
        let row = sqlx::query("SELECT attempts, last_error, next_attempt_at FROM outbox WHERE recipient = $1")
            .bind(email)
            .fetch_optional(&mut *conn)
            .await
            .ok()??;
        let attempts: i64 = row.try_get("attempts").ok()?;
        let error: Option<String> = row.try_get("last_error").ok()?;
        let next: i64 = row.try_get("next_attempt_at").ok()?;
        let backoff = app.ctx().config.mail.backoff_secs(n) * 1000;
        (attempts == n && error.is_some() && next <= app.ctx().clock.now().0 + backoff).then_some(())
    })
    .await;
}

fn received_by(sink: &SmtpSink, email: &str) -> Vec<cercle_testkit::smtp::Mail> {
    sink.received()
        .into_iter()
        .filter(|m| m.to.iter().any(|t| t == email))
        .collect()
}

async fn the_message_id_is_the_same_on_every_attempt(db: Db) {
    let app = TestApp::spawn(db).await;
    app.smtp.set_mode(Mode::RefuseNext(1));
    let email = "refus@fleuve.test";
    queue_a_mail(&app, email).await;
    // The first attempt is answered 451…
    failed_attempts(&app, email, 1).await;
    assert!(app.smtp.to(email).is_empty(), "refused, so not accepted");
    // …the next one leaves after the back-off (5 s) and is accepted.
    app.advance(10);
    let accepted = app.smtp.nth_to(email, 1).await;
    let attempts = received_by(&app.smtp, email);
    assert_eq!(attempts.len(), 2, "{attempts:?}");
    let id = &attempts[0].message_id;
    let host = app.url.trim_start_matches("http://").split(':').next().expect("host");
    assert!(
        id.starts_with('<') && id.ends_with(&format!("@{host}>")),
        "a Message-ID on the public host: {id}"
    );
    assert_eq!(&attempts[1].message_id, id, "the same Message-ID on the retry");
    assert_eq!(&accepted.message_id, id);
    // The one stored in the outbox row, marked sent once the 250 is read.
    eventually("the message marked sent", async || {
        (outbox_status(&app, email).await == "sent").then_some(())
    })
    .await;
    let mut conn = app.ctx().store.reader().await.expect("conn");
    let rows = cercle_store::outbox::recent(&mut conn, 50).await.expect("outbox");
    let row = rows.iter().find(|r| r.recipient == email).expect("row");
    assert_eq!(row.message_id.as_deref(), Some(id.as_str()));
    assert_eq!((row.status.as_str(), row.attempts), ("sent", 2));
    assert_eq!(row.kind, "signup-code");
}

/// Production drops a body once sent; a failed message keeps it, so that it
/// can be sent again, and loses it once sent.
async fn in_production_a_failed_message_keeps_its_body_until_sent(db: Db) {
    let app = TestApp::spawn_with(db, |c| c.production = true).await;
    app.smtp.set_mode(Mode::RefuseNext(usize::MAX));
    let email = "prod@loin.test";
    queue_a_mail(&app, email).await;
    failed_attempts(&app, email, 1).await;
    app.advance(25 * 3600);
    eventually("the message marked failed", async || {
        (outbox_status(&app, email).await == "failed").then_some(())
    })
    .await;
    let row = async || {
        let mut conn = app.ctx().store.reader().await.expect("conn");
        let rows = cercle_store::outbox::recent(&mut conn, 50).await.expect("outbox");
        rows.into_iter().find(|r| r.recipient == email).expect("row")
    };
    let failed = row().await;
    assert!(
        cercle_testkit::find_code(&failed.body).is_some(),
        "kept to be sent again"
    );
    app.smtp.set_mode(Mode::Accept);
    cercle_app::outbox::send_again(
        app.ctx(),
        &cercle_app::Client::default(),
        &cercle_domain::policy::Principal::Operator,
        failed.id,
    )
    .await
    .expect("send again");
    let delivered = app.smtp.nth_to(email, 1).await;
    assert_eq!(delivered.message_id, failed.message_id.clone().expect("message id"));
    eventually("the message marked sent", async || {
        (outbox_status(&app, email).await == "sent").then_some(())
    })
    .await;
    assert_eq!(row().await.body, "", "dropped once sent");
}

async fn outbox_status(app: &TestApp, email: &str) -> String {
    let mut conn = app.ctx().store.reader().await.expect("conn");
    let rows = cercle_store::outbox::recent(&mut conn, 50).await.expect("outbox");
    rows.into_iter()
        .find(|r| r.recipient == email)
        .map(|r| r.status.as_str().to_string())
        .unwrap_or_default()
}

async fn failed_list(app: &TestApp, p: &Person) -> Vec<Value> {
    let (status, r) = app.get("/admin/outbox/failed", Some(&p.token)).await;
    assert_eq!(status, 200, "{r}");
    r["messages"].as_array().expect("messages").clone()
}

async fn failed_mail_is_listed_for_network_administrators_and_sent_again(db: Db) {
    let app = TestApp::spawn(db).await;
    let admin = sign_up(&app, "reseau@fleuve.test", "fr").await;
    make_network_admin(&app, &admin).await;
    let someone = sign_up(&app, "quelqu.un@fleuve.test", "fr").await;
    // Everything queued so far (recovery codes…) has left.
    eventually("an empty outbox", async || {
        let mut conn = app.ctx().store.reader().await.ok()?;
        let rows = cercle_store::outbox::recent(&mut conn, 50).await.ok()?;
        rows.iter().all(|r| r.status == "sent").then_some(())
    })
    .await;

    // The mail server refuses everything for a day and more.
    app.smtp.set_mode(Mode::RefuseNext(usize::MAX));
    let email = "perdu@loin.test";
    queue_a_mail(&app, email).await;
    failed_attempts(&app, email, 1).await;
    // Still retried within the window, not failed.
    app.advance(23 * 3600);
    failed_attempts(&app, email, 2).await;
    assert_eq!(received_by(&app.smtp, email).len(), 2);
    assert_eq!(outbox_status(&app, email).await, "pending");
    // Past the window (24 h by default): the next failure is final.
    app.advance(2 * 3600);
    eventually("the message marked failed", async || {
        (outbox_status(&app, email).await == "failed").then_some(())
    })
    .await;
    // A day later the sessions are locked: sign in again (mail works again).
    app.smtp.set_mode(Mode::Accept);
    let admin = Person {
        token: sign_in_by_email(&app, &admin.email, 1).await,
        ..admin
    };
    let someone = Person {
        token: sign_in_by_email(&app, &someone.email, 1).await,
        ..someone
    };
    let listed = failed_list(&app, &admin).await;
    assert_eq!(listed.len(), 1, "{listed:?}");
    let m = &listed[0];
    assert_eq!(m["channel"], "email");
    assert_eq!(m["kind"], "signup-code");
    assert_eq!(m["recipient"], "pe***@loin.test");
    assert!(m["last_error"].as_str().is_some_and(|e| e.contains("451")), "{m}");
    assert!(m["failed_at"].as_i64().is_some(), "{m}");
    // Never what it says: no subject, no body, no code.
    assert!(m.get("subject").is_none() && m.get("body").is_none(), "{m}");
    let code_mail = &received_by(&app.smtp, email)[0];
    let code = cercle_testkit::find_code(&code_mail.body).expect("code");
    assert!(!m.to_string().contains(&code), "{m}");
    let attempts_before = received_by(&app.smtp, email).len();
    let id = m["id"].as_str().expect("id").to_string();

    // Others may neither see nor send again.
    let (status, r) = app.get("/admin/outbox/failed", Some(&someone.token)).await;
    assert_eq!(status, 403, "{r}");
    let (status, r) = app
        .post(&format!("/admin/outbox/{id}/retry"), Some(&someone.token), json!({}))
        .await;
    assert_eq!(status, 403, "{r}");
    let (status, _) = app.get("/admin/outbox/failed", None).await;
    assert_eq!(status, 401);

    // Send again: delivered, with the same Message-ID, audited.
    app.smtp.set_mode(Mode::Accept);
    let (status, r) = app
        .post(&format!("/admin/outbox/{id}/retry"), Some(&admin.token), json!({}))
        .await;
    assert_eq!(status, 202, "{r}");
    let delivered = app.smtp.nth_to(email, 1).await;
    assert_eq!(delivered.message_id, code_mail.message_id);
    assert!(received_by(&app.smtp, email).len() > attempts_before);
    assert!(failed_list(&app, &admin).await.is_empty());
    let (status, r) = app
        .post(&format!("/admin/outbox/{id}/retry"), Some(&admin.token), json!({}))
        .await;
    assert_eq!((status, r["code"].as_str()), (409, Some("outbox-not-failed")), "{r}");
    let (status, audit) = app.get("/admin/audit", Some(&admin.token)).await;
    assert_eq!(status, 200);
    let events = audit["events"].as_array().expect("events");
    assert!(
        events
            .iter()
            .any(|e| e["event"] == "outbox.sent_again" && e["target_id"] == id.as_str()),
        "{audit}"
    );
    let (status, r) = app
        .post("/admin/outbox/nope/retry", Some(&admin.token), json!({}))
        .await;
    assert_eq!(status, 404, "{r}");
}

/// The `cercle` binary, killed on drop.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn serve(data_dir: &std::path::Path, port: u16, smtp: u16) -> Server {
    let child = Command::new(env!("CARGO_BIN_EXE_cercle"))
        .arg("serve")
        .env("CERCLE_DATA_DIR", data_dir)
        .env("CERCLE_LISTEN", format!("127.0.0.1:{port}"))
        .env("CERCLE_PUBLIC_URL", format!("http://127.0.0.1:{port}"))
        .env("CERCLE_LOG", "warn")
        .env("CERCLE_SMTP_HOST", "127.0.0.1")
        .env("CERCLE_SMTP_PORT", smtp.to_string())
        .env("CERCLE_SMTP_SECURITY", "none")
        // One attempt is abandoned after 2 s; a node that dies holding a
        // message leaves it to the others 12 s after it took it.
        .env("CERCLE_SMTP_TIMEOUT_SECS", "2")
        .env("CERCLE_ARGON2_MEMORY_KIB", "64")
        .env("CERCLE_ARGON2_ITERATIONS", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start cercle");
    Server(child)
}

async fn until_ready(http: &reqwest::Client, port: u16) {
    eventually("the server ready", async || {
        let r = http.get(format!("http://127.0.0.1:{port}/readyz")).send().await.ok()?;
        r.status().is_success().then_some(())
    })
    .await;
}

/// The node dies (kill -9) after the mail server received the whole
/// message and before it answered: the next start sends it again with the
/// same Message-ID, so a receiver that drops duplicates keeps exactly one,
/// and none is lost.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_during_delivery_sends_the_same_message_again() {
    let sink = SmtpSink::start().await;
    sink.set_mode(Mode::StallAfterData);
    let data_dir = temp_dir("cercle-kill");
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("free port");
        l.local_addr().expect("addr").port()
    };
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client");
    let mut first = serve(&data_dir, port, sink.port());
    until_ready(&http, port).await;
    let email = "tue@fleuve.test";
    let r = http
        .post(format!("http://127.0.0.1:{port}/api/v1/auth/sign-up"))
        .json(&json!({ "email": email, "password": crate::helpers::PASSWORD, "name": "Marie Tremblay", "language": "fr" }))
        .send()
        .await
        .expect("sign-up");
    assert_eq!(r.status().as_u16(), 201);
    // The server holds the whole message and does not answer.
    eventually("the message received", async || {
        (!sink.received().is_empty()).then_some(())
    })
    .await;
    first.0.kill().expect("kill -9");
    let killed_at = std::time::Instant::now();
    let _ = first.0.wait();
    drop(first);
    assert!(sink.all().is_empty(), "nothing was acknowledged");

    sink.set_mode(Mode::Accept);
    let _second = serve(&data_dir, port, sink.port());
    until_ready(&http, port).await;
    // Left to the others once the dead node's claim runs out (12 s).
    let deadline = tokio::time::Instant::now() + Duration::from_secs(40);
    while sink.all().is_empty() {
        assert!(tokio::time::Instant::now() < deadline, "the message was lost");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    eprintln!("delivered again {:?} after the kill", killed_at.elapsed());
    let received = sink.received();
    assert!(received.len() >= 2, "{received:?}");
    let id = &received[0].message_id;
    assert!(!id.is_empty());
    assert!(received.iter().all(|m| &m.message_id == id), "{received:?}");
    let kept = sink.distinct();
    assert_eq!(kept.len(), 1, "a receiver dropping duplicates keeps one: {kept:?}");
    assert!(cercle_testkit::find_code(&kept[0].body).is_some());
    let _ = std::fs::remove_dir_all(&data_dir);
}

/// The page: a network administrator sees the failed message (what, to
/// whom masked, never its content) and sends it again; others are refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_mail_page_sends_again() {
    let app = TestApp::spawn(Db::Sqlite).await;
    let admin = sign_up(&app, "reseau@fleuve.test", "en").await;
    make_network_admin(&app, &admin).await;
    sign_up(&app, "quelqu.un@fleuve.test", "en").await;
    eventually("an empty outbox", async || {
        let mut conn = app.ctx().store.reader().await.ok()?;
        let rows = cercle_store::outbox::recent(&mut conn, 50).await.ok()?;
        rows.iter().all(|r| r.status == "sent").then_some(())
    })
    .await;
    app.smtp.set_mode(Mode::RefuseNext(usize::MAX));
    let email = "perdu@loin.test";
    queue_a_mail(&app, email).await;
    failed_attempts(&app, email, 1).await;
    app.advance(25 * 3600);
    eventually("the message marked failed", async || {
        (outbox_status(&app, email).await == "failed").then_some(())
    })
    .await;
    app.smtp.set_mode(Mode::Accept);
    let code = cercle_testkit::find_code(&received_by(&app.smtp, email)[0].body).expect("code");

    let en = cercle_domain::Language::En;
    let Some(b) = cercle_testkit::browser::Browser::launch(&app.url, en).await else {
        return;
    };
    crate::helpers::sign_in_pages(&app, &b, "quelqu.un@fleuve.test", 1).await;
    b.goto("/admin/mail").await;
    b.wait_for_text(&cercle_i18n::t(en, "error-forbidden")).await;
    assert!(b.find("[data-outbox]").await.expect("find").is_none());
    b.quit().await;

    let b = cercle_testkit::browser::Browser::launch(&app.url, en)
        .await
        .expect("browser");
    crate::helpers::sign_in_pages(&app, &b, &admin.email, 1).await;
    b.goto("/admin/mail").await;
    b.wait_for("[data-outbox]").await;
    let row = b.text("[data-outbox]").await;
    // What the message was, in words, not as a code.
    assert!(row.contains("Sign-up code") && !row.contains("signup-code"), "{row}");
    assert!(row.contains("pe***@loin.test"), "{row}");
    assert!(row.contains("451"), "{row}");
    let page = b.page_text().await;
    assert!(!page.contains(&code) && !page.contains(email), "no content, no address");
    b.shoot("admin-failed-mail").await;
    b.click_and_load("[data-outbox] button[type=submit]").await;
    b.wait_for_text(&cercle_i18n::t(en, "admin-mail-sent-again")).await;
    b.wait_for("[data-testid=mail-failed-empty]").await;
    let delivered = app.smtp.nth_to(email, 1).await;
    assert_eq!(cercle_testkit::find_code(&delivered.body), Some(code));
    b.quit().await;
}
