//! Sessions, only for the person who signed in (issue 13, items 6, 7, 8, 11):
//! device cookies are issued by the server and replaced when a session
//! becomes active, so a planted cookie opens nothing; revoked sessions and
//! removed people stop receiving live events within a second, on every node;
//! background requests never keep a session awake; every thread action goes
//! through the one reach check.

use crate::backends;
use crate::helpers::{
    add_members, admin_and_two_members, clinical_thread, count_sign_in_mails, id_of, nth_sign_in_mail, org_with_admin,
    post_message, sign_in_by_email, sign_up_named, Person, Ws, PASSWORD, PIN,
};
use cercle_testkit::{find_code, Db, TestApp};
use futures_util::StreamExt;
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

backends!(
    a_planted_device_cookie_opens_nothing,
    revoked_sessions_stop_streaming_within_a_second,
    removal_from_the_organization_stops_delivery,
    background_requests_do_not_keep_a_session_awake,
    every_thread_action_goes_through_one_door,
    the_person_stream_carries_ones_own_notifications_only,
);

/// The acceptance line of item 7.
const REVOCATION_DEADLINE: Duration = Duration::from_secs(1);

// ---- A browser with its cookies in plain sight --------------------------------

/// A browser that keeps the device and account cookies itself (so a test
/// can plant one, or copy one to another browser) and follows no redirect.
struct Web {
    http: reqwest::Client,
    base: String,
    device: Option<String>,
    account: Option<String>,
    csrf: String,
    /// The device cookies the server set, in order.
    set_devices: Vec<String>,
}

struct Answer {
    status: u16,
    location: String,
    body: String,
}

impl Web {
    fn new(base: &str) -> Web {
        Web {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(Duration::from_secs(20))
                .build()
                .expect("client"),
            base: base.to_string(),
            device: None,
            account: None,
            csrf: String::new(),
            set_devices: Vec::new(),
        }
    }

    fn cookie_header(&self) -> String {
        let mut c = Vec::new();
        if let Some(d) = &self.device {
            c.push(format!("cercle_device={d}"));
        }
        if let Some(a) = &self.account {
            c.push(format!("cercle_account={a}"));
        }
        c.join("; ")
    }

    async fn read(&mut self, r: reqwest::Response) -> Answer {
        let status = r.status().as_u16();
        let location = r
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        for v in r.headers().get_all("set-cookie") {
            let v = v.to_str().unwrap_or("");
            let (pair, _) = v.split_once(';').unwrap_or((v, ""));
            let Some((name, value)) = pair.split_once('=') else {
                continue;
            };
            match name {
                "cercle_device" => {
                    self.set_devices.push(value.to_string());
                    self.device = Some(value.to_string());
                }
                "cercle_account" => self.account = (!value.is_empty()).then(|| value.to_string()),
                _ => {}
            }
        }
        let body = r.text().await.unwrap_or_default();
        if let Some(csrf) = body.split("data-csrf=\"").nth(1).and_then(|s| s.split('"').next()) {
            self.csrf = csrf.to_string();
        }
        Answer { status, location, body }
    }

    async fn get(&mut self, path: &str) -> Answer {
        let r = self
            .http
            .get(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header())
            .send()
            .await
            .expect("get");
        self.read(r).await
    }

    async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Answer {
        let mut form: Vec<(&str, &str)> = vec![("csrf", &self.csrf)];
        form.extend_from_slice(fields);
        let form: Vec<(String, String)> = form.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header())
            .form(&form)
            .send()
            .await
            .expect("post");
        self.read(r).await
    }

    /// A cookie-authenticated API call, as the web app makes them.
    async fn api_get(&self, path: &str) -> u16 {
        self.http
            .get(format!("{}/api/v1{path}", self.base))
            .header("cookie", self.cookie_header())
            .header("x-csrf-token", &self.csrf)
            .send()
            .await
            .expect("api get")
            .status()
            .as_u16()
    }
}

/// Signs `email` in through the pages (password, then the `nth` sign-in code).
async fn sign_in_pages(app: &TestApp, w: &mut Web, email: &str, nth: usize) {
    w.get("/sign-in").await;
    let a = w.post("/sign-in", &[("email", email), ("password", PASSWORD)]).await;
    assert_eq!((a.status, a.location.as_str()), (303, "/code"), "{}", a.body);
    let mail = nth_sign_in_mail(app, email, nth).await;
    let code = find_code(&mail.body).expect("code");
    let a = w.post("/code", &[("code", &code)]).await;
    assert_eq!((a.status, a.location.as_str()), (303, "/"), "{}", a.body);
}

// ---- 6. Session fixation --------------------------------------------------------

async fn a_planted_device_cookie_opens_nothing(db: Db) {
    let app = TestApp::spawn(db).await;
    let marie = sign_up_named(&app, "marie@fixation.test", "Marie Tremblay", "fr").await;

    // The attacker plants a value of their choosing in the victim's browser.
    let planted = "A".repeat(43);
    let mut victim = Web::new(&app.url);
    victim.device = Some(planted.clone());
    let a = victim.get("/sign-in").await;
    assert_eq!(a.status, 200);
    let issued = victim
        .set_devices
        .last()
        .cloned()
        .expect("the server issues its own device cookie");
    assert_ne!(issued, planted, "a client-chosen value is never taken as a device");

    // The victim signs in fully: the device gets yet another token then.
    sign_in_pages(&app, &mut victim, &marie.email, 1).await;
    let after_sign_in = victim.device.clone().expect("device");
    assert_ne!(
        after_sign_in, issued,
        "the device token is replaced when the session becomes active"
    );
    let session = victim.account.clone().expect("account cookie");
    // The page after sign-in carries the new device's CSRF token: its forms work.
    let home = victim.get("/").await;
    assert_eq!(home.status, 200, "{}", home.location);
    assert!(home.body.contains("Marie Tremblay"));
    assert_eq!(
        victim.api_get("/auth/session").await,
        200,
        "the new CSRF token is accepted"
    );

    // The attacker presents the planted value, and the token the victim held
    // before signing in (as if that one had been planted), with the account cookie.
    for (what, stale) in [("planted", planted.clone()), ("issued before sign-in", issued.clone())] {
        let mut attacker = Web::new(&app.url);
        attacker.device = Some(stale.clone());
        attacker.account = Some(session.clone());
        let a = attacker.get("/").await;
        assert_eq!(
            (a.status, a.location.as_str()),
            (303, "/sign-in"),
            "{what}: the stale device opens nothing"
        );
        // Even with the CSRF token that belonged to it (read from a page it was shown on).
        let mut probe = Web::new(&app.url);
        probe.device = Some(stale.clone());
        probe.get("/sign-in").await;
        attacker.csrf = probe.csrf.clone();
        let status = attacker.api_get("/auth/session").await;
        // A planted value never had a CSRF token of its own (403); a stale
        // server-issued one has, and names no device any more (401).
        assert!(
            status == 401 || (status == 403 && what == "planted"),
            "{what}: the API refuses it too ({status})"
        );
    }

    // Lock, then unlock with the PIN: the device changes again.
    let a = victim.post("/lock-now", &[]).await;
    assert_eq!((a.status, a.location.as_str()), (303, "/lock"));
    victim.get("/lock").await;
    let a = victim.post("/lock", &[("pin", PIN)]).await;
    assert_eq!((a.status, a.location.as_str()), (303, "/"), "{}", a.body);
    let after_unlock = victim.device.clone().expect("device");
    assert_ne!(after_unlock, after_sign_in, "the device token is replaced at unlock");
    let home = victim.get("/").await;
    assert_eq!(home.status, 200, "the victim goes on with the new token");
    for stale in [planted, issued, after_sign_in] {
        let mut attacker = Web::new(&app.url);
        attacker.device = Some(stale);
        attacker.account = Some(session.clone());
        let a = attacker.get("/").await;
        assert_eq!(
            (a.status, a.location.as_str()),
            (303, "/sign-in"),
            "nothing after the unlock either"
        );
    }
}

// ---- 7. Revocation reaches the live stream ------------------------------------

async fn ws_bearer(base: &str, token: &str) -> Ws {
    let mut req = format!("{}/api/v1/events", base.replacen("http://", "ws://", 1))
        .into_client_request()
        .expect("request");
    req.headers_mut()
        .insert("Authorization", format!("Bearer {token}").parse().expect("header"));
    open(req).await
}

async fn ws_cookies(base: &str, w: &Web) -> Ws {
    let mut req = format!("{}/api/v1/events", base.replacen("http://", "ws://", 1))
        .into_client_request()
        .expect("request");
    req.headers_mut()
        .insert("Cookie", w.cookie_header().parse().expect("cookie"));
    req.headers_mut().insert("Origin", base.parse().expect("origin"));
    open(req).await
}

async fn open(req: tokio_tungstenite::tungstenite::handshake::client::Request) -> Ws {
    let (mut ws, _) = tokio::time::timeout(Duration::from_secs(10), tokio_tungstenite::connect_async(req))
        .await
        .expect("connect in time")
        .expect("connect");
    // Until `ready`: the stream is live from then on.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, ws.next()).await {
            Ok(Some(Ok(Message::Text(t)))) => {
                let v: Value = serde_json::from_str(&t).unwrap_or(Value::Null);
                if v["type"] == "ready" {
                    return ws;
                }
            }
            Ok(Some(Ok(_))) => {}
            other => panic!("no ready frame: {other:?}"),
        }
    }
}

/// Reads until the server closes the stream; returns when it closed
/// (measured from `since`) and the texts received before. Bounded.
async fn closed(ws: &mut Ws, since: Instant) -> (Option<Duration>, Vec<String>) {
    let mut texts = Vec::new();
    let deadline = since + Duration::from_secs(5);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, ws.next()).await {
            Ok(Some(Ok(Message::Text(t)))) => texts.push(t.to_string()),
            Ok(Some(Ok(Message::Close(_)))) | Ok(None) | Ok(Some(Err(_))) => {
                return (Some(since.elapsed()), texts);
            }
            Ok(Some(Ok(_))) => {}
            Err(_) => return (None, texts),
        }
    }
}

/// Every text frame within `wait`.
async fn frames_within(ws: &mut Ws, wait: Duration) -> Vec<String> {
    let mut texts = Vec::new();
    let deadline = Instant::now() + wait;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, ws.next()).await {
            Ok(Some(Ok(Message::Text(t)))) => texts.push(t.to_string()),
            Ok(Some(Ok(_))) => {}
            _ => return texts,
        }
    }
}

/// After `revoke` (already answered at `at`), a message from A follows at
/// once; the stream must close within the deadline and never carry it.
async fn assert_revoked(what: &str, app: &TestApp, a: &Person, thread: &str, ws: &mut Ws, at: Instant) -> Duration {
    let body = format!("Après la révocation ({what}) : glycémie 9,1");
    post_message(app, a, thread, &body).await;
    let (closed_after, texts) = closed(ws, at).await;
    let closed_after = closed_after.unwrap_or_else(|| panic!("{what}: the stream was not closed"));
    assert!(
        texts.iter().all(|t| !t.contains(&body)),
        "{what}: the revoked stream never carries the new message: {texts:?}"
    );
    eprintln!(
        "revocation ({what}, {:?}): stream closed after {closed_after:?}",
        app.ctx().store.backend()
    );
    assert!(
        closed_after < REVOCATION_DEADLINE,
        "{what}: closed after {closed_after:?}, beyond {REVOCATION_DEADLINE:?}"
    );
    closed_after
}

/// A new API session of `p` (password and emailed code). The clock moves
/// past the window of code sendings first (five per 15 minutes).
async fn new_session(app: &TestApp, p: &Person) -> String {
    app.advance(15 * 60 + 1);
    let n = count_sign_in_mails(app, &p.email) + 1;
    sign_in_by_email(app, &p.email, n).await
}

async fn revoked_sessions_stop_streaming_within_a_second(db: Db) {
    // The clock moves on between sign-ins (code sendings are limited): no idle lock meanwhile.
    let app = TestApp::spawn_with(db, |c| c.idle_lock_secs = 24 * 3600).await;
    let (a, b, _) = admin_and_two_members(&app).await;
    let t = clinical_thread(&app, &a, &[&b], "Révocations").await;
    let mut slowest = Duration::ZERO;

    // Sign-out.
    let s = new_session(&app, &b).await;
    let mut ws = ws_bearer(&app.url, &s).await;
    let (status, _) = app.post("/auth/sign-out", Some(&s), json!({})).await;
    assert_eq!(status, 204);
    slowest = slowest.max(assert_revoked("sign-out", &app, &a, &t, &mut ws, Instant::now()).await);

    // Lock, then the PIN erased by five wrong PINs: the stream closes at the
    // lock, and the erased session cannot open another.
    let s = new_session(&app, &b).await;
    let mut ws = ws_bearer(&app.url, &s).await;
    let (status, _) = app.post("/auth/lock", Some(&s), json!({})).await;
    assert_eq!(status, 200);
    slowest = slowest.max(assert_revoked("lock", &app, &a, &t, &mut ws, Instant::now()).await);
    let mut last = 0;
    for _ in 0..5 {
        let (status, r) = app.post("/auth/unlock", Some(&s), json!({ "pin": "0000" })).await;
        last = status;
        assert_ne!(status, 200, "{r}");
    }
    assert_eq!(last, 401, "the fifth wrong PIN erases the session");
    let refused = app
        .http
        .get(format!("{}/api/v1/events", app.url))
        .bearer_auth(&s)
        .header("connection", "upgrade")
        .header("upgrade", "websocket")
        .header("sec-websocket-version", "13")
        .header("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ==")
        .send()
        .await
        .expect("upgrade attempt");
    assert_eq!(refused.status().as_u16(), 401, "an erased session opens no stream");

    // PIN erasure while another stream of the same session is open cannot
    // happen (a locked session has no stream), but erasure of one session
    // must not close the person's other sessions' streams.
    let keep = new_session(&app, &b).await;
    let mut kept = ws_bearer(&app.url, &keep).await;

    // Password change from another session: this one ends.
    let s = new_session(&app, &b).await;
    let mut ws = ws_bearer(&app.url, &s).await;
    let (status, r) = app
        .put(
            "/account/password",
            Some(&keep),
            json!({ "current_password": PASSWORD, "new_password": "autre-lune-sur-le-fleuve" }),
        )
        .await;
    assert_eq!(status, 204, "{r}");
    slowest = slowest.max(assert_revoked("password change", &app, &a, &t, &mut ws, Instant::now()).await);
    // The session that changed it keeps streaming (its own person's message arrives).
    let texts = frames_within(&mut kept, Duration::from_millis(1500)).await;
    assert!(
        texts
            .iter()
            .any(|f| f.contains("Après la révocation (password change)")),
        "the session kept after a password change still receives: {texts:?}"
    );
    let (status, r) = app
        .put(
            "/account/password",
            Some(&keep),
            json!({ "current_password": "autre-lune-sur-le-fleuve", "new_password": PASSWORD }),
        )
        .await;
    assert_eq!(status, 204, "{r}");
    drop(kept);

    // Sign-out everywhere, from another session.
    let s = new_session(&app, &b).await;
    let mut ws = ws_bearer(&app.url, &s).await;
    let (status, r) = app.post("/auth/sign-out-everywhere", Some(&keep), json!({})).await;
    assert_eq!(status, 200, "{r}");
    slowest = slowest.max(assert_revoked("sign-out everywhere", &app, &a, &t, &mut ws, Instant::now()).await);

    // A stream of the web app (cookies), ended by the sign-out form.
    let mut web = Web::new(&app.url);
    app.advance(15 * 60 + 1);
    let n = count_sign_in_mails(&app, &b.email) + 1;
    sign_in_pages(&app, &mut web, &b.email, n).await;
    web.get("/").await;
    let mut ws = ws_cookies(&app.url, &web).await;
    let answer = web.post("/sign-out", &[]).await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    slowest = slowest.max(assert_revoked("web sign-out", &app, &a, &t, &mut ws, Instant::now()).await);

    // Two nodes (PostgreSQL): the stream on node 2, the sign-out through node 1.
    if db == Db::Postgres {
        let node2 = app.spawn_node().await;
        let s = new_session(&app, &b).await;
        let mut ws = ws_bearer(&node2.url, &s).await;
        let (status, _) = app.post("/auth/sign-out", Some(&s), json!({})).await;
        assert_eq!(status, 204);
        slowest = slowest.max(assert_revoked("sign-out on another node", &app, &a, &t, &mut ws, Instant::now()).await);
    }

    // Password reset by the emailed link: every session ends.
    let s = new_session(&app, &b).await;
    let mut ws = ws_bearer(&app.url, &s).await;
    let (status, _) = app
        .post("/auth/password-reset", None, json!({ "email": b.email }))
        .await;
    assert_eq!(status, 202);
    let link = cercle_testkit::eventually("reset link", async || {
        app.smtp
            .to(&b.email)
            .into_iter()
            .rev()
            .find_map(|m| cercle_testkit::find_link(&m.body).filter(|l| l.contains("/reset-password/")))
    })
    .await;
    let token = link.rsplit('/').next().expect("token").to_string();
    let (status, r) = app
        .post(
            "/auth/password-reset/complete",
            None,
            json!({ "token": token, "password": PASSWORD }),
        )
        .await;
    assert_eq!(status, 204, "{r}");
    slowest = slowest.max(assert_revoked("password reset", &app, &a, &t, &mut ws, Instant::now()).await);

    // Account deletion (last: B is gone afterwards).
    let s = new_session(&app, &b).await;
    let mut ws = ws_bearer(&app.url, &s).await;
    let other = new_session(&app, &b).await;
    let (status, r) = app
        .post("/account/delete", Some(&other), json!({ "password": PASSWORD }))
        .await;
    assert!((200..300).contains(&status), "{status} {r}");
    slowest = slowest.max(assert_revoked("account deletion", &app, &a, &t, &mut ws, Instant::now()).await);
    eprintln!("revocation ({db:?}): slowest close {slowest:?}");
}

async fn removal_from_the_organization_stops_delivery(db: Db) {
    let app = TestApp::spawn(db).await;
    let (a, _, c) = admin_and_two_members(&app).await;
    let t = clinical_thread(&app, &a, &[&c], "Départ de l'organisation").await;
    let mut ws = ws_bearer(&app.url, &c.token).await;
    // Delivered while C is a member (the stream now remembers the thread as visible).
    post_message(&app, &a, &t, "Avant le départ").await;
    let texts = frames_within(&mut ws, Duration::from_millis(1500)).await;
    assert!(texts.iter().any(|f| f.contains("Avant le départ")), "{texts:?}");

    let c_id = id_of(&app, &c).await;
    let (status, r) = app.delete(&format!("/org/members/{c_id}"), Some(&a.token)).await;
    assert_eq!(status, 204, "{r}");
    let removed = Instant::now();
    post_message(&app, &a, &t, "Après le départ : créatinine 180").await;
    let texts = frames_within(&mut ws, REVOCATION_DEADLINE).await;
    eprintln!(
        "removal from the organization ({db:?}): next message checked {:?} after the removal",
        removed.elapsed()
    );
    assert!(
        texts.iter().all(|f| !f.contains("Après le départ")),
        "a removed member receives nothing more of the organization: {texts:?}"
    );
    let (status, _) = app.get(&format!("/threads/{t}"), Some(&c.token)).await;
    assert_eq!(status, 404);
}

// ---- 8. Background requests never keep a session awake ------------------------

async fn background_requests_do_not_keep_a_session_awake(db: Db) {
    let app = TestApp::spawn_with(db, |c| c.idle_lock_secs = 60).await;
    let p = sign_up_named(&app, "veille@idle.test", "Véronique Veille", "fr").await;
    let background = |token: &str| {
        app.http
            .get(format!("{}/api/v1/notifications/unread", app.url))
            .bearer_auth(token.to_string())
            .header("x-cercle-background", "1")
            .send()
    };

    // Polls every 20 s for 80 s: the session locks all the same.
    for _ in 0..3 {
        app.advance(20);
        let r = background(&p.token).await.expect("poll");
        assert_eq!(r.status().as_u16(), 200, "within the idle delay");
    }
    app.advance(21);
    let r = background(&p.token).await.expect("poll");
    assert_eq!(
        r.status().as_u16(),
        423,
        "background polls did not keep the session open"
    );
    let v: Value = r.json().await.expect("json");
    assert_eq!(v["code"], "session-locked");
    // A WebSocket is refused for a locked session and never counted as activity.
    let (status, s) = app.get("/auth/session", Some(&p.token)).await;
    assert_eq!((status, s["state"].as_str()), (200, Some("locked")), "{s}");

    // The person's own requests do keep it open.
    let (status, _) = app.post("/auth/unlock", Some(&p.token), json!({ "pin": PIN })).await;
    assert_eq!(status, 200);
    for _ in 0..4 {
        app.advance(20);
        let (status, r) = app.get("/notifications/unread", Some(&p.token)).await;
        assert_eq!(status, 200, "a person's request counts as activity: {r}");
    }
    // And opening a stream is no activity either: 40 s after the last
    // request of the person a stream opens, 30 s later the session is locked.
    app.advance(40);
    let mut ws = ws_bearer(&app.url, &p.token).await;
    app.advance(30);
    let r = background(&p.token).await.expect("poll");
    assert_eq!(
        r.status().as_u16(),
        423,
        "the open stream did not keep the session open"
    );
    let _ = ws.close(None).await;
}

// ---- 11. One door for thread actions ------------------------------------------

fn png() -> Vec<u8> {
    let img = image::RgbImage::from_pixel(40, 30, image::Rgb([30, 120, 200]));
    let mut out = Vec::new();
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .expect("png");
    out
}

async fn raw(app: &TestApp, method: &str, path: &str, token: &str, body: Option<Value>) -> u16 {
    let url = format!("{}/api/v1{path}", app.url);
    let req = match method {
        "GET" => app.http.get(url),
        "PUT" => app.http.put(url),
        "DELETE" => app.http.delete(url),
        _ => app.http.post(url),
    }
    .bearer_auth(token);
    let req = if path.contains("/files?") {
        req.body(png())
    } else {
        req.json(&body.unwrap_or_else(|| json!({})))
    };
    req.send().await.expect("request").status().as_u16()
}

async fn every_thread_action_goes_through_one_door(db: Db) {
    let app = TestApp::spawn(db).await;
    let (admin, p, c) = admin_and_two_members(&app).await;
    // P belongs to a second organization too.
    let other = org_with_admin(&app, "Clinique de la Montagne", "admin@montagne.test").await;
    add_members(&app, &other.id, &[&p]).await;
    let c_id = id_of(&app, &c).await;
    let t = clinical_thread(&app, &admin, &[&p], "Une porte").await;
    let (_, shown) = app.get(&format!("/threads/{t}"), Some(&admin.token)).await;
    let first_org = shown["org_id"].as_str().expect("org of the thread").to_string();
    let (status, m) = app
        .post(
            &format!("/threads/{t}/messages"),
            Some(&p.token),
            json!({ "body": "Le mien" }),
        )
        .await;
    assert_eq!(status, 201, "{m}");
    let mine = m["id"].as_str().expect("id").to_string();
    let (status, m) = app
        .post(
            &format!("/threads/{t}/messages"),
            Some(&admin.token),
            json!({ "body": "Urgent", "priority": true }),
        )
        .await;
    assert_eq!(status, 201, "{m}");
    let urgent = m["id"].as_str().expect("id").to_string();
    let r = app
        .http
        .put(format!("{}/api/v1/threads/{t}/files?name=photo.png", app.url))
        .bearer_auth(&admin.token)
        .body(png())
        .send()
        .await
        .expect("upload");
    let up: Value = r.json().await.expect("json");
    let attachment = up["attachments"][0]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("attachment id in {up}"))
        .to_string();

    // Every thread action, in an order that works when the thread is reachable.
    let actions: Vec<(&str, String, Option<Value>)> = vec![
        ("GET", format!("/threads/{t}"), None),
        ("GET", format!("/threads/{t}/messages"), None),
        (
            "POST",
            format!("/threads/{t}/messages"),
            Some(json!({ "body": "Encore" })),
        ),
        (
            "PUT",
            format!("/messages/{mine}"),
            Some(json!({ "body": "Le mien, corrigé" })),
        ),
        ("GET", format!("/messages/{mine}/versions"), None),
        ("POST", format!("/messages/{mine}/retract"), None),
        ("POST", format!("/messages/{urgent}/ack"), None),
        ("POST", format!("/threads/{t}/read"), Some(json!({}))),
        ("POST", format!("/threads/{t}/unread"), None),
        (
            "PUT",
            format!("/threads/{t}/draft"),
            Some(json!({ "body": "brouillon" })),
        ),
        ("POST", format!("/threads/{t}/typing"), None),
        ("PUT", format!("/threads/{t}/mute"), Some(json!({ "muted": true }))),
        ("PUT", format!("/threads/{t}/mute"), Some(json!({ "muted": false }))),
        ("GET", format!("/threads/{t}/attachments"), None),
        ("GET", format!("/attachments/{attachment}"), None),
        ("GET", format!("/attachments/{attachment}/thumbnail"), None),
        ("PUT", format!("/threads/{t}/files?name=autre.png"), None),
        (
            "POST",
            format!("/threads/{t}/participants"),
            Some(json!({ "participants": [{ "kind": "user", "id": c_id }] })),
        ),
        (
            "POST",
            format!("/threads/{t}/participants/remove"),
            Some(json!({ "kind": "user", "id": c_id })),
        ),
        (
            "PUT",
            format!("/threads/{t}/priority"),
            Some(json!({ "high_priority": true })),
        ),
        ("POST", format!("/threads/{t}/duplicate"), None),
        ("POST", format!("/threads/{t}/close"), None),
        ("GET", format!("/threads/{t}/export.pdf"), None),
        ("POST", format!("/threads/{t}/reopen"), None),
        ("POST", format!("/threads/{t}/leave"), None),
    ];

    // With the other organization active: "not found", every one of them.
    let (status, r) = app
        .post("/organizations/active", Some(&p.token), json!({ "org_id": other.id }))
        .await;
    assert_eq!(status, 200, "{r}");
    let mut ws = ws_bearer(&app.url, &p.token).await;
    let mut wrong = Vec::new();
    for (method, path, body) in &actions {
        let status = raw(&app, method, path, &p.token, body.clone()).await;
        if status != 404 {
            wrong.push(format!("{method} {path} -> {status}"));
        }
    }
    assert!(
        wrong.is_empty(),
        "thread actions outside the active organization: {wrong:?}"
    );
    // Nor does the live stream carry the thread.
    post_message(&app, &admin, &t, "Pendant l'autre organisation").await;
    let texts = frames_within(&mut ws, Duration::from_millis(1200)).await;
    assert!(
        texts.iter().all(|f| !f.contains("Pendant l'autre organisation")),
        "{texts:?}"
    );

    // Back in the thread's organization: the same actions work.
    let (status, r) = app
        .post("/organizations/active", Some(&p.token), json!({ "org_id": first_org }))
        .await;
    assert_eq!(status, 200, "{r}");
    post_message(&app, &admin, &t, "De retour").await;
    let texts = frames_within(&mut ws, Duration::from_millis(1500)).await;
    assert!(texts.iter().any(|f| f.contains("De retour")), "{texts:?}");
    let mut refused = Vec::new();
    for (method, path, body) in &actions {
        let status = raw(&app, method, path, &p.token, body.clone()).await;
        // Removing someone one did not add is the policy's refusal (403),
        // given once the thread is reached: never "not found".
        let policy = path.ends_with("/participants/remove") && status == 403;
        if !(200..300).contains(&status) && !policy {
            refused.push(format!("{method} {path} -> {status}"));
        }
    }
    assert!(
        refused.is_empty(),
        "thread actions in the active organization: {refused:?}"
    );
}

// ---- 8. The per-person stream of notifications (issue 14, item 7) --------------

/// The `notifications` frames among `texts`, parsed.
fn notification_frames(texts: &[String]) -> Vec<Value> {
    texts
        .iter()
        .filter_map(|t| serde_json::from_str::<Value>(t).ok())
        .filter(|v| v["type"] == "notifications")
        .collect()
}

/// Reads frames until a `notifications` one arrives (bounded: the issue's
/// second, counted from `since`); gives it and everything read.
async fn next_notification(ws: &mut Ws, since: Instant) -> (Option<Value>, Vec<String>) {
    let mut texts = Vec::new();
    let deadline = since + REVOCATION_DEADLINE;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, ws.next()).await {
            Ok(Some(Ok(Message::Text(t)))) => {
                let t = t.to_string();
                texts.push(t.clone());
                if let Some(f) = notification_frames(&[t]).pop() {
                    return (Some(f), texts);
                }
            }
            Ok(Some(Ok(_))) => {}
            _ => return (None, texts),
        }
    }
}

async fn the_person_stream_carries_ones_own_notifications_only(db: Db) {
    let app = TestApp::spawn_with(db, |c| c.idle_lock_secs = 24 * 3600).await;
    let (a, b, c) = admin_and_two_members(&app).await;
    let c_id = id_of(&app, &c).await;
    let for_c = clinical_thread(&app, &a, &[&c], "Pour Charles seulement").await;
    let for_both = clinical_thread(&app, &a, &[&b, &c], "Pour Béatrice et Charles").await;
    let s = new_session(&app, &b).await;
    let mut ws = ws_bearer(&app.url, &s).await;

    // Another person's notification: nothing of it on B's stream.
    post_message(&app, &a, &for_c, "Pour Charles : INR 2,4").await;
    let texts = frames_within(&mut ws, Duration::from_millis(1200)).await;
    assert!(
        notification_frames(&texts).is_empty(),
        "B's stream carries nothing of C's notification: {texts:?}"
    );
    let (_, u) = app.get("/notifications/unread", Some(&c.token)).await;
    assert_eq!(u["unread"], 1, "C was told: {u}");

    // B's own, from a message that tells B and C at once: B's count, B's
    // latest notification, the words for screen readers; never C's.
    let (_, u) = app.get("/notifications/unread", Some(&b.token)).await;
    let before = u["unread"].as_i64().expect("unread");
    let sent = Instant::now();
    post_message(&app, &a, &for_both, "Pour les deux : TA 150/90").await;
    let (frame, texts) = next_notification(&mut ws, sent).await;
    let frame = frame.unwrap_or_else(|| panic!("B's notification within 1 s: {texts:?}"));
    let (_, u) = app.get("/notifications/unread", Some(&b.token)).await;
    assert_eq!(frame["data"]["unread"], before + 1, "{frame}");
    assert_eq!(frame["data"]["unread"], u["unread"], "{frame}");
    assert_eq!(frame["data"]["label"], u["label"], "{frame}");
    assert!(!frame["data"]["label"].as_str().unwrap_or("").is_empty(), "{frame}");
    let latest = &frame["data"]["latest"];
    assert_eq!(
        (latest["kind"].as_str(), latest["link"].as_str()),
        (Some("message"), Some(format!("/threads/{for_both}").as_str())),
        "{frame}"
    );
    // The frame is B's alone (the log's entry named C too) and carries no
    // content (the thread's own message event, which B may read, does).
    let f = frame.to_string();
    assert!(!f.contains(&c_id), "another person's id in B's frame: {f}");
    assert!(!f.contains("TA 150/90"), "no content in a notification frame: {f}");
    assert!(
        texts.iter().all(|t| !t.contains(&c_id)),
        "nothing of C on B's stream: {texts:?}"
    );
    eprintln!("notification ({db:?}): on B's stream after {:?}", sent.elapsed());

    // Read elsewhere: the stream follows (the count goes down).
    let (status, _) = app.post("/notifications/read-all", Some(&b.token), json!({})).await;
    assert_eq!(status / 100, 2);
    let (frame, texts) = next_notification(&mut ws, Instant::now()).await;
    let frame = frame.unwrap_or_else(|| panic!("the read count within 1 s: {texts:?}"));
    assert_eq!(frame["data"]["unread"], 0, "{frame}");

    // Not about a thread: C asks B to be friends; B's stream says so.
    let b_id = id_of(&app, &b).await;
    let sent = Instant::now();
    let (status, r) = app
        .post("/network/friends", Some(&c.token), json!({ "user_id": b_id }))
        .await;
    assert_eq!(status, 200, "{r}");
    let (frame, texts) = next_notification(&mut ws, sent).await;
    let frame = frame.unwrap_or_else(|| panic!("the friend request within 1 s: {texts:?}"));
    assert_eq!(frame["data"]["unread"], 1, "{frame}");
    assert_eq!(frame["data"]["latest"]["kind"], "friend_request", "{frame}");
    let (status, _) = app.post("/notifications/read-all", Some(&b.token), json!({})).await;
    assert_eq!(status / 100, 2);
    let (frame, texts) = next_notification(&mut ws, Instant::now()).await;
    assert_eq!(frame.map(|f| f["data"]["unread"].clone()), Some(json!(0)), "{texts:?}");

    // Two nodes (PostgreSQL): B's stream on node 2, A's message through node 1.
    if db == Db::Postgres {
        let node2 = app.spawn_node().await;
        let mut on_node2 = ws_bearer(&node2.url, &s).await;
        let sent = Instant::now();
        post_message(&app, &a, &for_both, "Par le nœud 1").await;
        let (frame, texts) = next_notification(&mut on_node2, sent).await;
        let frame = frame.unwrap_or_else(|| panic!("across nodes within 1 s: {texts:?}"));
        assert_eq!(frame["data"]["unread"], 1, "{frame}");
        // The stream on node 1 has it too (read here, before the revocation).
        let (frame, texts) = next_notification(&mut ws, sent).await;
        assert!(frame.is_some(), "node 1 too: {texts:?}");
    }

    // Revoked: the stream closes, and B's next notification never travels on it.
    let (status, _) = app.post("/auth/sign-out", Some(&s), json!({})).await;
    assert_eq!(status, 204);
    let at = Instant::now();
    post_message(&app, &a, &for_both, "Après la déconnexion").await;
    let (closed_after, texts) = closed(&mut ws, at).await;
    let closed_after = closed_after.unwrap_or_else(|| panic!("the revoked stream was not closed: {texts:?}"));
    assert!(closed_after < REVOCATION_DEADLINE, "closed after {closed_after:?}");
    assert!(
        notification_frames(&texts).is_empty(),
        "a revoked stream carries no notification: {texts:?}"
    );
    let (_, u) = app.get("/notifications/unread", Some(&b.token)).await;
    assert!(u["unread"].as_i64().unwrap_or(0) >= 1, "B was told, elsewhere: {u}");
}
