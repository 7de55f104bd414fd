//! Web Push through the JSON API, with a real push service listening on
//! loopback: a browser (a key pair the test holds) subscribes, a send reaches
//! the push service with the VAPID authorization and an aes128gcm body the
//! test decrypts back to the exact payload; a push service answering 410
//! gets the subscription removed; one that hangs is cut by the timeout and
//! the delivery is retried later. Every wait is bounded. And the use case
//! behind its port: with a fake sender, it acts on what the sender answers.

use crate::backends;
use crate::helpers::{id_of, sign_up, Person};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use cercle_app::adapters::push_http::HttpPushSender;
use cercle_app::push::{self, web_push, PushAnswer, PushMessage, PushRequest, PushSender, VapidKey};
use cercle_testkit::{Db, TestApp};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

backends!(
    a_send_reaches_the_push_service_encrypted_for_the_browser,
    subscriptions_are_validated_bounded_and_ones_own,
    a_gone_subscription_is_removed,
    a_hanging_push_service_is_cut_and_retried_later,
    the_use_case_acts_on_what_the_sender_answers,
    the_web_app_is_installable_with_a_service_worker,
);

const ANSWER: u8 = 0;
const GONE: u8 = 1;
const HANG: u8 = 2;

#[derive(Clone, Default)]
pub(crate) struct PushService {
    mode: Arc<AtomicU8>,
    received: Arc<Mutex<Vec<(HeaderMap, Bytes)>>>,
}

async fn receive(State(s): State<PushService>, headers: HeaderMap, body: Bytes) -> StatusCode {
    if let Ok(mut r) = s.received.lock() {
        r.push((headers, body));
    }
    match s.mode.load(Ordering::SeqCst) {
        GONE => StatusCode::GONE,
        HANG => {
            // Longer than any timeout of Cercle's; dropped when it gives up.
            tokio::time::sleep(Duration::from_secs(60)).await;
            StatusCode::CREATED
        }
        _ => StatusCode::CREATED,
    }
}

impl PushService {
    /// Listens on loopback; answers `/push/{anything}`.
    pub(crate) async fn start() -> (PushService, String) {
        let service = PushService::default();
        let app = axum::Router::new()
            .route("/push/{id}", axum::routing::post(receive))
            .with_state(service.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind push service");
        let origin = format!("http://{}", listener.local_addr().expect("addr"));
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        (service, origin)
    }

    fn set(&self, mode: u8) {
        self.mode.store(mode, Ordering::SeqCst);
    }

    pub(crate) fn received(&self) -> Vec<(HeaderMap, Bytes)> {
        self.received.lock().map(|r| r.clone()).unwrap_or_default()
    }
}

/// A browser's side of a subscription: its key pair and auth secret.
pub(crate) struct Browser {
    key: VapidKey,
    auth: [u8; 16],
    endpoint: String,
}

impl Browser {
    pub(crate) fn new(origin: &str, name: &str) -> Browser {
        Browser {
            key: VapidKey::generate(),
            auth: cercle_app::secrets::random_bytes(),
            endpoint: format!("{origin}/push/{name}"),
        }
    }

    pub(crate) fn subscription(&self) -> Value {
        json!({
            "endpoint": self.endpoint,
            "expirationTime": null,
            "keys": { "p256dh": self.key.public_key_b64(), "auth": web_push::b64(&self.auth) },
        })
    }

    pub(crate) fn decrypt(&self, body: &[u8]) -> String {
        let plain = web_push::decrypt_with_scalar(body, &self.key.secret_bytes(), &self.auth).expect("decrypts");
        String::from_utf8(plain).expect("utf-8")
    }
}

async fn subscribe(app: &TestApp, p: &Person, body: Value) -> (u16, Value) {
    app.post("/push/subscriptions", Some(&p.token), body).await
}

async fn unsubscribe(app: &TestApp, p: &Person, endpoint: &str) -> u16 {
    app.http
        .delete(format!("{}/api/v1/push/subscriptions", app.url))
        .bearer_auth(&p.token)
        .json(&json!({ "endpoint": endpoint }))
        .send()
        .await
        .expect("request")
        .status()
        .as_u16()
}

async fn listed(app: &TestApp, p: &Person) -> Vec<Value> {
    let (status, r) = app.get("/push/subscriptions", Some(&p.token)).await;
    assert_eq!(status, 200, "{r}");
    r["subscriptions"].as_array().expect("list").clone()
}

async fn pending(app: &TestApp, user: &str) -> Vec<cercle_store::push::DeliveryRow> {
    let mut conn = app.ctx().store.reader().await.expect("reader");
    let user: cercle_domain::UserId = user.parse().expect("a user id");
    cercle_store::push::pending_of_user(&mut conn, user)
        .await
        .expect("pending")
}

fn message() -> PushMessage {
    PushMessage::new("Cercle", "New message in a clinical thread", "/threads/0190")
}

fn header<'a>(h: &'a HeaderMap, name: &str) -> &'a str {
    h.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
}

async fn a_send_reaches_the_push_service_encrypted_for_the_browser(db: Db) {
    let mut app = TestApp::spawn(db).await;
    let (service, origin) = PushService::start().await;
    let p = sign_up(&app, "push-a@example.org", "en").await;
    let me = id_of(&app, &p).await;

    // The VAPID key is public and stable.
    let (status, k) = app.get("/push/vapid-public-key", None).await;
    assert_eq!(status, 200, "{k}");
    let server_key = k["key"].as_str().expect("key").to_string();
    assert_eq!(web_push::unb64(&server_key).map(|b| b.len()), Some(65));
    assert_eq!(server_key, push::vapid_public_key(app.ctx()));
    assert!(app.data_dir.join("keys").join("vapid.key").exists());

    let browser = Browser::new(&origin, "browser-1");
    let (status, s) = subscribe(&app, &p, browser.subscription()).await;
    assert_eq!(status, 201, "{s}");
    assert_eq!(s["service"], "127.0.0.1");
    // The same endpoint again renews it instead of adding one.
    let (status, _) = subscribe(&app, &p, browser.subscription()).await;
    assert_eq!(status, 201);
    assert_eq!(listed(&app, &p).await.len(), 1);

    let report = tokio::time::timeout(
        Duration::from_secs(20),
        push::send(app.ctx(), me.parse().expect("a user id"), &message()),
    )
    .await
    .expect("send within bound")
    .expect("send");
    assert_eq!(report.delivered, 1, "{report:?}");
    let received = service.received();
    assert_eq!(received.len(), 1);
    let (headers, body) = &received[0];
    assert_eq!(header(headers, "content-encoding"), "aes128gcm");
    assert_eq!(header(headers, "content-type"), "application/octet-stream");
    assert_eq!(header(headers, "ttl"), "86400");
    assert_eq!(header(headers, "urgency"), "normal");
    let auth = header(headers, "authorization");
    let rest = auth.strip_prefix("vapid t=").expect("vapid scheme");
    let (jwt, k) = rest.split_once(", k=").expect("t and k");
    assert_eq!(k, server_key);
    let claims = web_push::verify_jwt(jwt, &server_key).expect("JWT signed by the server's VAPID key");
    assert_eq!(claims["aud"], origin.as_str());
    assert_eq!(claims["sub"], app.url.as_str());
    let exp = claims["exp"].as_i64().expect("exp");
    let now = app.ctx().clock.now().0 / 1000;
    assert!(exp > now && exp <= now + 24 * 3600, "exp {exp} now {now}");
    // The browser decrypts exactly the payload, which names no patient.
    let payload = browser.decrypt(body);
    assert_eq!(
        payload,
        r#"{"title":"Cercle","body":"New message in a clinical thread","url":"/threads/0190"}"#
    );
    assert!(pending(&app, &me).await.is_empty());
    assert!(listed(&app, &p).await[0]["last_success_at"].is_i64());

    // Unsubscribed: nothing is sent any more.
    assert_eq!(unsubscribe(&app, &p, &browser.endpoint).await, 204);
    assert_eq!(unsubscribe(&app, &p, &browser.endpoint).await, 404);
    assert!(listed(&app, &p).await.is_empty());
    let report = push::send(app.ctx(), me.parse().expect("a user id"), &message())
        .await
        .expect("send");
    assert_eq!(report, push::SendReport::default());
    assert_eq!(service.received().len(), 1);
    app.stop().await;
}

async fn subscriptions_are_validated_bounded_and_ones_own(db: Db) {
    let mut app = TestApp::spawn(db).await;
    let (_service, origin) = PushService::start().await;
    let p = sign_up(&app, "push-b@example.org", "fr").await;
    let q = sign_up(&app, "push-c@example.org", "en").await;
    let browser = Browser::new(&origin, "b");
    let good = browser.subscription();

    let mut bad_endpoint = good.clone();
    bad_endpoint["endpoint"] = json!("ftp://127.0.0.1/push/x");
    let mut bad_point = good.clone();
    bad_point["keys"]["p256dh"] = json!(web_push::b64(&[4u8; 65]));
    let mut bad_auth = good.clone();
    bad_auth["keys"]["auth"] = json!("c2hvcnQ");
    let mut huge = good.clone();
    huge["endpoint"] = json!(format!("{origin}/push/{}", "x".repeat(2000)));
    for body in [bad_endpoint, bad_point, bad_auth, huge] {
        let (status, r) = subscribe(&app, &p, body).await;
        assert_eq!(status, 422, "{r}");
        assert_eq!(r["code"], "push-subscription-invalid");
        assert!(r["message"].as_str().unwrap_or("").contains("notifications"), "{r}");
    }
    let (status, _) = subscribe(&app, &p, json!({ "endpoint": "x" })).await;
    assert!(status == 400 || status == 422, "{status}");
    // Not signed in.
    let (status, _) = app.post("/push/subscriptions", None, good.clone()).await;
    assert_eq!(status, 401);

    // At most 20 browsers per person.
    for i in 0..push::MAX_SUBSCRIPTIONS {
        let (status, r) = subscribe(&app, &p, Browser::new(&origin, &format!("n{i}")).subscription()).await;
        assert_eq!(status, 201, "{r}");
    }
    let (status, r) = subscribe(&app, &p, good.clone()).await;
    assert_eq!(status, 409, "{r}");
    assert_eq!(r["code"], "push-too-many-subscriptions");

    // Someone else's subscription cannot be removed; the same endpoint may
    // be subscribed by another account of a shared device.
    let first = format!("{origin}/push/n0");
    assert_eq!(unsubscribe(&app, &q, &first).await, 404);
    assert_eq!(listed(&app, &p).await.len(), push::MAX_SUBSCRIPTIONS);
    let (status, _) = subscribe(&app, &q, good).await;
    assert_eq!(status, 201);
    assert_eq!(unsubscribe(&app, &p, &first).await, 204);
    assert_eq!(listed(&app, &p).await.len(), push::MAX_SUBSCRIPTIONS - 1);
    assert_eq!(listed(&app, &q).await.len(), 1);
    app.stop().await;
}

async fn a_gone_subscription_is_removed(db: Db) {
    let mut app = TestApp::spawn(db).await;
    let (service, origin) = PushService::start().await;
    let p = sign_up(&app, "push-d@example.org", "en").await;
    let me = id_of(&app, &p).await;
    let gone = Browser::new(&origin, "gone");
    let (status, _) = subscribe(&app, &p, gone.subscription()).await;
    assert_eq!(status, 201);
    service.set(GONE);
    let report = tokio::time::timeout(
        Duration::from_secs(20),
        push::send(app.ctx(), me.parse().expect("a user id"), &message()),
    )
    .await
    .expect("send within bound")
    .expect("send");
    assert_eq!(report.removed, 1, "{report:?}");
    assert_eq!(service.received().len(), 1);
    assert!(listed(&app, &p).await.is_empty());
    assert!(pending(&app, &me).await.is_empty());
    app.stop().await;
}

async fn a_hanging_push_service_is_cut_and_retried_later(db: Db) {
    let mut app = TestApp::spawn(db).await;
    let (service, origin) = PushService::start().await;
    let p = sign_up(&app, "push-e@example.org", "en").await;
    let me = id_of(&app, &p).await;
    let browser = Browser::new(&origin, "slow");
    let (status, _) = subscribe(&app, &p, browser.subscription()).await;
    assert_eq!(status, 201);
    service.set(HANG);

    // The same context with a short timeout (production: 10 s).
    let mut ctx = app.ctx().clone();
    ctx.push = ctx.push.with_timeout(Duration::from_secs(1));
    ctx.push_sender = Arc::new(HttpPushSender::new(&ctx.push));
    let started = tokio::time::Instant::now();
    let report = tokio::time::timeout(
        Duration::from_secs(10),
        push::send(&ctx, me.parse().expect("a user id"), &message()),
    )
    .await
    .expect("a hanging push service does not block the send")
    .expect("send");
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
    assert_eq!(report.retrying, 1, "{report:?}");
    let waiting = pending(&app, &me).await;
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0].attempts, 1);
    assert!(waiting[0].last_error.is_some());
    assert!(waiting[0].next_attempt_at > app.ctx().clock.now().0);

    // Not due yet: nothing is retried.
    assert_eq!(
        push::deliver_due(&ctx).await.expect("round"),
        push::SendReport::default()
    );

    // The push service recovers; once the back-off has passed, the worker
    // (or this round) delivers it.
    service.set(ANSWER);
    app.advance(10 * 60);
    cercle_testkit::eventually("retried delivery", async || {
        let _ = push::deliver_due(&ctx).await;
        pending(&app, &me).await.is_empty().then_some(())
    })
    .await;
    let received = service.received();
    assert!(received.len() >= 2, "{}", received.len());
    let (_, body) = received.last().expect("last");
    assert!(browser.decrypt(body).contains("New message in a clinical thread"));
    app.stop().await;
}

/// A sender that answers what it is told to and keeps what it was asked.
#[derive(Default)]
struct FakeSender {
    answers: Mutex<Vec<PushAnswer>>,
    asked: Mutex<Vec<PushRequest>>,
}

#[async_trait::async_trait]
impl PushSender for FakeSender {
    async fn send(&self, request: PushRequest) -> PushAnswer {
        if let Ok(mut asked) = self.asked.lock() {
            asked.push(request);
        }
        self.answers
            .lock()
            .ok()
            .and_then(|mut a| a.pop())
            .unwrap_or(PushAnswer::GiveUp("no answer scripted".into()))
    }
}

/// The use case behind its port: what it hands the sender (the clear
/// payload, the subscription's keys and endpoint), and what it does with
/// each answer: retry later, then remove a subscription said to be gone.
async fn the_use_case_acts_on_what_the_sender_answers(db: Db) {
    let mut app = TestApp::spawn(db).await;
    let p = sign_up(&app, "push-f@example.org", "en").await;
    let me = id_of(&app, &p).await;
    // Nothing listens there: only the fake is asked.
    let browser = Browser::new("http://127.0.0.1:9", "fake");
    let (status, _) = subscribe(&app, &p, browser.subscription()).await;
    assert_eq!(status, 201);
    let fake = Arc::new(FakeSender::default());
    let mut ctx = app.ctx().clone();
    ctx.push_sender = fake.clone();

    // Answers are popped from the end: first "try later", then "gone".
    if let Ok(mut a) = fake.answers.lock() {
        *a = vec![PushAnswer::Gone, PushAnswer::Retry("overloaded".into())];
    }
    let report = push::send(&ctx, me.parse().expect("a user id"), &message())
        .await
        .expect("send");
    assert_eq!(report.retrying, 1, "{report:?}");
    let waiting = pending(&app, &me).await;
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0].last_error.as_deref(), Some("overloaded"));
    let asked = fake.asked.lock().map(|a| a.clone()).unwrap_or_default();
    assert_eq!(asked.len(), 1);
    assert_eq!(asked[0].endpoint.as_str(), "http://127.0.0.1:9/push/fake");
    let sent: PushMessage = serde_json::from_str(&asked[0].payload).expect("the clear payload");
    assert_eq!(sent.body, message().body);
    assert_eq!(asked[0].p256dh, browser.subscription()["keys"]["p256dh"]);
    assert_eq!(asked[0].urgency, "normal");

    app.advance(10 * 60);
    let report = push::deliver_due(&ctx).await.expect("round");
    assert_eq!(report.removed, 1, "{report:?}");
    assert!(listed(&app, &p).await.is_empty());
    assert!(pending(&app, &me).await.is_empty());
    assert_eq!(fake.asked.lock().map(|a| a.len()).unwrap_or_default(), 2);
    app.stop().await;
}

async fn the_web_app_is_installable_with_a_service_worker(db: Db) {
    let mut app = TestApp::spawn(db).await;
    let sw = app.http.get(format!("{}/sw.js", app.url)).send().await.expect("sw");
    assert_eq!(sw.status().as_u16(), 200);
    let h = sw.headers().clone();
    assert!(header(&h, "content-type").starts_with("text/javascript"));
    assert!(header(&h, "content-security-policy").contains("script-src 'self'"));
    let text = sw.text().await.expect("text");
    assert!(text.contains("addEventListener('push'") && text.contains("notificationclick"));
    let manifest = app
        .http
        .get(format!("{}/manifest.webmanifest", app.url))
        .send()
        .await
        .expect("manifest");
    assert_eq!(manifest.status().as_u16(), 200);
    let m: Value = manifest.json().await.expect("json");
    assert_eq!(m["display"], "standalone");
    assert_eq!(m["start_url"], "/");
    app.stop().await;
}
