//! The edges (issue 13): HSTS over HTTPS, `/metrics` behind its token in
//! production, `X-Forwarded-For` believed from trusted proxies only (rate
//! limits and the audit log; IPv6 counted by /64), and Web Push never
//! reaching a local or private address, whatever name the endpoint uses.

use crate::backends;
use crate::helpers::sign_up;
use crate::push_api::Browser;
use cercle_app::push::{self, PushMessage};
use cercle_domain::Clock;
use cercle_testkit::{Db, TestApp};
use serde_json::json;
use sqlx::Row;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

backends!(
    forwarded_for_is_believed_from_trusted_proxies_only,
    push_never_reaches_a_local_address_by_any_name,
);

const TOKEN: &str = "metrics-token-0123456789";

async fn get(app: &TestApp, path: &str, bearer: Option<&str>) -> reqwest::Response {
    let mut req = app.http.get(format!("{}{path}", app.url));
    if let Some(b) = bearer {
        req = req.bearer_auth(b);
    }
    req.send().await.expect("request")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hsts_only_when_served_over_https() {
    let https = TestApp::spawn_with(Db::Sqlite, |c| c.public_url = Some("https://cercle.example.org".into())).await;
    for path in ["/healthz", "/sign-in", "/api/v1/account"] {
        let r = get(&https, path, None).await;
        assert_eq!(
            r.headers()
                .get("strict-transport-security")
                .and_then(|v| v.to_str().ok()),
            Some("max-age=31536000; includeSubDomains"),
            "{path}"
        );
    }
    let http = TestApp::spawn(Db::Sqlite).await;
    let r = get(&http, "/sign-in", None).await;
    assert!(r.headers().get("strict-transport-security").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_need_their_token_in_production() {
    // Production without a token: not served at all.
    let bare = TestApp::spawn_with(Db::Sqlite, |c| c.production = true).await;
    assert_eq!(get(&bare, "/metrics", None).await.status().as_u16(), 404);
    assert_eq!(get(&bare, "/metrics", Some(TOKEN)).await.status().as_u16(), 404);

    // Production with a token: that token only.
    let app = TestApp::spawn_with(Db::Sqlite, |c| {
        c.production = true;
        c.metrics_token = Some(TOKEN.into());
    })
    .await;
    assert_eq!(get(&app, "/metrics", None).await.status().as_u16(), 401);
    assert_eq!(
        get(&app, "/metrics", Some("metrics-token-0123456780"))
            .await
            .status()
            .as_u16(),
        401
    );
    assert_eq!(get(&app, "/metrics", Some("")).await.status().as_u16(), 401);
    let r = app
        .http
        .get(format!("{}/metrics", app.url))
        .header("authorization", format!("Basic {TOKEN}"))
        .send()
        .await
        .expect("request");
    assert_eq!(r.status().as_u16(), 401);
    let r = get(&app, "/metrics", Some(TOKEN)).await;
    assert_eq!(r.status().as_u16(), 200);
    assert!(r.text().await.expect("body").contains("cercle_http_requests_total"));

    // Development: open.
    let dev = TestApp::spawn(Db::Sqlite).await;
    assert_eq!(get(&dev, "/metrics", None).await.status().as_u16(), 200);
}

/// The address the newest audit event recorded.
async fn last_audit_ip(app: &TestApp) -> String {
    let mut conn = app.ctx().store.reader().await.expect("reader");
    let row = sqlx::query("SELECT ip FROM audit_events WHERE ip IS NOT NULL ORDER BY seq DESC LIMIT 1")
        .fetch_one(&mut *conn)
        .await
        .expect("an audit event");
    row.try_get::<String, _>("ip").expect("ip")
}

async fn sign_up_from(app: &TestApp, email: &str, forwarded_for: &str) {
    let r = app
        .http
        .post(format!("{}/api/v1/auth/sign-up", app.url))
        .header("x-forwarded-for", forwarded_for)
        .json(&json!({ "email": email, "password": crate::helpers::PASSWORD, "name": "Léa Proxy", "language": "fr" }))
        .send()
        .await
        .expect("sign-up");
    assert_eq!(r.status().as_u16(), 201);
}

async fn health_from(app: &TestApp, forwarded_for: &str) -> u16 {
    app.http
        .get(format!("{}/healthz", app.url))
        .header("x-forwarded-for", forwarded_for)
        .send()
        .await
        .expect("healthz")
        .status()
        .as_u16()
}

/// Requests from `forwarded_for` until refused (at most 100: the burst is
/// 10 and one token comes back per second).
async fn exhaust(app: &TestApp, forwarded_for: &str) {
    for _ in 0..100 {
        if health_from(app, forwarded_for).await == 429 {
            return;
        }
    }
    panic!("{forwarded_for} was never limited");
}

async fn forwarded_for_is_believed_from_trusted_proxies_only(db: Db) {
    // No trusted proxy: the header is a client's claim, ignored.
    let mut app = TestApp::spawn_with(db, |c| c.requests_per_sec = 1).await;
    sign_up_from(&app, "spoof@example.org", "198.51.100.7").await;
    assert_eq!(last_audit_ip(&app).await, "127.0.0.1");
    // Changing the claimed address does not give a fresh bucket.
    let mut limited = false;
    for i in 0..100 {
        if health_from(&app, &format!("198.51.100.{}", i % 250)).await == 429 {
            limited = true;
            break;
        }
    }
    assert!(limited, "a spoofed X-Forwarded-For escaped the limit");
    app.stop().await;

    // Behind a trusted proxy (the test's own address): believed.
    let app = TestApp::spawn_with(db, |c| {
        c.requests_per_sec = 1;
        c.trusted_proxies = vec!["127.0.0.0/8".into()];
    })
    .await;
    sign_up_from(&app, "proxied@example.org", "203.0.113.50, 198.51.100.7").await;
    assert_eq!(
        last_audit_ip(&app).await,
        "198.51.100.7",
        "the right-most address not a proxy"
    );
    sign_up_from(&app, "proxied2@example.org", "198.51.100.8, 127.0.0.9").await;
    assert_eq!(last_audit_ip(&app).await, "198.51.100.8", "proxies are skipped");
    // Each forwarded address has its own bucket.
    exhaust(&app, "192.0.2.1").await;
    assert_eq!(health_from(&app, "192.0.2.2").await, 200);
    assert_eq!(health_from(&app, "192.0.2.1").await, 429);
    // IPv6: one bucket per /64.
    exhaust(&app, "2001:db8:1:2::1").await;
    assert_eq!(health_from(&app, "2001:db8:1:2:ffff::9").await, 429);
    assert_eq!(health_from(&app, "2001:db8:1:3::1").await, 200);
}

/// A TCP listener that only counts the connections it gets.
async fn counting_listener() -> (u16, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            seen.fetch_add(1, Ordering::SeqCst);
            drop(socket);
        }
    });
    (port, count)
}

/// The machine's own name when it resolves to local addresses only (it
/// usually does: 127.0.x.1 or a private address): a name, not `localhost`,
/// that the resolver must refuse.
async fn own_local_name() -> Option<String> {
    let name = std::fs::read_to_string("/etc/hostname").ok()?.trim().to_string();
    if name.is_empty() || name.contains("localhost") {
        return None;
    }
    let addrs: Vec<_> = tokio::net::lookup_host((name.as_str(), 0)).await.ok()?.collect();
    (!addrs.is_empty() && addrs.iter().all(|a| !cercle_domain::net::is_public(a.ip()))).then_some(name)
}

async fn push_never_reaches_a_local_address_by_any_name(db: Db) {
    // The testkit's local push service needs `push_allow_local`; production
    // settings do not have it.
    let app = TestApp::spawn_with(db, |c| c.push_allow_local = false).await;
    let (port, connections) = counting_listener().await;
    let p = sign_up(&app, "ssrf@example.org", "en").await;
    let (_, me) = app.get("/account", Some(&p.token)).await;
    let user_id = me["id"].as_str().expect("id").to_string();
    let browser = Browser::new("https://push.example.net", "x");
    let keys = browser.subscription()["keys"].clone();

    let mut endpoints = vec![
        format!("https://localhost:{port}/push/a"),
        format!("https://localhost.:{port}/push/a"),
        format!("https://LocalHost:{port}/push/a"),
        format!("https://[::ffff:127.0.0.1]:{port}/push/a"),
        format!("https://[::1]:{port}/push/a"),
        format!("https://127.0.0.1:{port}/push/a"),
        format!("https://2130706433:{port}/push/a"),
        format!("http://push.example.net:{port}/push/a"),
    ];
    let own = own_local_name().await;
    if let Some(name) = &own {
        endpoints.push(format!("https://{name}:{port}/push/a"));
    }
    for endpoint in &endpoints {
        let (status, r) = app
            .post(
                "/push/subscriptions",
                Some(&p.token),
                json!({ "endpoint": endpoint, "keys": keys }),
            )
            .await;
        assert_eq!(
            (status, r["code"].as_str()),
            (422, Some("push-subscription-invalid")),
            "{endpoint}: {r}"
        );
    }

    // Rows that got in some other way (an older version, a direct write)
    // are never contacted either: checked again at each attempt, and names
    // resolved to public addresses only.
    {
        let mut tx = app.ctx().store.begin().await.expect("tx");
        for endpoint in endpoints.iter() {
            cercle_store::push::upsert(
                &mut tx,
                cercle_domain::PushSubscriptionId::new(),
                user_id.parse().expect("a user id"),
                endpoint,
                keys["p256dh"].as_str().expect("p256dh"),
                keys["auth"].as_str().expect("auth"),
                app.clock.now(),
            )
            .await
            .expect("insert");
        }
        tx.commit().await.expect("commit");
    }
    let message = PushMessage::new("Cercle", "New message", "/notifications");
    let report = tokio::time::timeout(
        std::time::Duration::from_secs(30),
        push::send(app.ctx(), user_id.parse().expect("a user id"), &message),
    )
    .await
    .expect("send is bounded")
    .expect("send");
    assert_eq!(report.delivered, 0, "{report:?}");
    // Every attempt is over once `send` returns: nothing connected.
    assert_eq!(connections.load(Ordering::SeqCst), 0, "a local address was contacted");
    eprintln!(
        "push SSRF: {} endpoints refused (own name tried: {own:?}); {report:?}",
        endpoints.len()
    );
}
