//! HTTP-level guarantees: security headers, CSRF, health, metrics, the
//! OpenAPI document, the development outbox.

use cercle_testkit::people::csrf_of;
use cercle_testkit::{Db, TestApp};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_carry_a_strict_content_security_policy() {
    let app = TestApp::spawn(Db::Sqlite).await;
    let r = app.http.get(format!("{}/sign-in", app.url)).send().await.expect("page");
    assert_eq!(r.status().as_u16(), 200);
    let csp = r
        .headers()
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline") && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );
    assert_eq!(
        r.headers().get("x-content-type-options").and_then(|v| v.to_str().ok()),
        Some("nosniff")
    );
    assert_eq!(
        r.headers().get("cache-control").and_then(|v| v.to_str().ok()),
        Some("no-store")
    );
    assert!(r.headers().get("x-request-id").is_some());
    let cookie = r
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let html = r.text().await.expect("html");
    assert!(
        !html.contains("<script>") && !html.contains(" onclick="),
        "no inline script"
    );
    assert!(
        !html.contains("http://") || !html.contains("https://"),
        "no external resources"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forms_without_the_csrf_token_are_refused() {
    let app = TestApp::spawn(Db::Sqlite).await;
    let client = reqwest::Client::builder().cookie_store(true).build().expect("client");
    let page = client
        .get(format!("{}/sign-in", app.url))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("text");
    let token = csrf_of(&page);
    let form = [("email", "marie@clinique.test"), ("password", "whatever-it-is")];
    let r = client
        .post(format!("{}/sign-in", app.url))
        .form(&form)
        .send()
        .await
        .expect("post");
    assert_eq!(r.status().as_u16(), 403, "missing token");
    let r = client
        .post(format!("{}/sign-in", app.url))
        .form(&[("csrf", "forged"), ("email", "a@b.ca"), ("password", "x")])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status().as_u16(), 403, "forged token");
    let r = client
        .post(format!("{}/sign-in", app.url))
        .header("origin", "http://evil.example")
        .form(&[("csrf", token.as_str()), ("email", "a@b.ca"), ("password", "x")])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status().as_u16(), 403, "foreign origin");
    let r = client
        .post(format!("{}/sign-in", app.url))
        .form(&[
            ("csrf", token.as_str()),
            ("email", "a@b.ca"),
            ("password", "not-the-password"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status().as_u16(), 200);
    let body = r.text().await.expect("body");
    assert!(
        body.contains("Courriel ou mot de passe incorrect.") || body.contains("Email or password incorrect."),
        "the form says why"
    );
    assert!(body.contains("value=\"a@b.ca\""), "the form keeps what was typed");
    // A cookie-authenticated API call without the header is refused too.
    let r = client
        .get(format!("{}/api/v1/account", app.url))
        .header("cookie", "cercle_device=abc; cercle_account=def")
        .send()
        .await
        .expect("api");
    assert_eq!(r.status().as_u16(), 403);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_readiness_and_metrics() {
    let app = TestApp::spawn(Db::Sqlite).await;
    let r = app
        .http
        .get(format!("{}/healthz", app.url))
        .send()
        .await
        .expect("healthz");
    assert_eq!(r.status().as_u16(), 200);
    let r = app
        .http
        .get(format!("{}/readyz", app.url))
        .send()
        .await
        .expect("readyz");
    assert_eq!(r.status().as_u16(), 200);
    let m = app
        .http
        .get(format!("{}/metrics", app.url))
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    assert!(m.contains("cercle_http_requests_total{class=\"2xx\"}"), "{m}");
    assert!(
        m.contains("cercle_http_request_duration_seconds_bucket{route=\"/healthz\",method=\"GET\",le=\"0.005\"}"),
        "{m}"
    );
    assert!(m.contains("# TYPE cercle_outbox_depth gauge"), "{m}");
    assert!(m.contains("backend=\"sqlite\""), "{m}");
    // The database going away makes /readyz fail, not the process.
    app.ctx().store.close().await;
    let r = app
        .http
        .get(format!("{}/readyz", app.url))
        .send()
        .await
        .expect("readyz");
    assert_eq!(r.status().as_u16(), 503);
    let r = app
        .http
        .get(format!("{}/healthz", app.url))
        .send()
        .await
        .expect("healthz");
    assert_eq!(r.status().as_u16(), 200);
}

/// The generated document names exactly the routed operations: every route
/// of `/api/v1` is documented, and every documented operation is routed.
#[test]
fn openapi_documents_exactly_the_routed_operations() {
    let doc = cercle_web::api::openapi::build();
    let routed: std::collections::BTreeSet<(String, String)> = cercle_web::api::all_operations()
        .into_iter()
        .map(|(m, p)| (m.as_str().to_ascii_lowercase(), p.to_string()))
        .collect();
    let mut documented = std::collections::BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("path item").keys() {
            documented.insert((method.clone(), path.clone()));
        }
    }
    let undocumented: Vec<_> = routed.difference(&documented).collect();
    let unrouted: Vec<_> = documented.difference(&routed).collect();
    assert!(undocumented.is_empty(), "routed but not documented: {undocumented:?}");
    assert!(unrouted.is_empty(), "documented but not routed: {unrouted:?}");
    assert!(routed.len() > 150, "the router lists its operations ({})", routed.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openapi_documents_every_operation_and_each_answers() {
    let app = TestApp::spawn(Db::Sqlite).await;
    let (status, doc) = app.get("/openapi.json", None).await;
    assert_eq!(status, 200);
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(doc, cercle_web::api::openapi::build(), "served as built");
    for (method, path) in cercle_web::api::all_operations() {
        let op = &doc["paths"][path][method.as_str().to_ascii_lowercase()];
        assert!(op.is_object(), "{method} {path} documented");
        for placeholder in ["{id}", "{kind}", "{pid}", "{section}"] {
            if path.contains(placeholder) {
                let name = placeholder.trim_matches(['{', '}']);
                let documented = op["parameters"]
                    .as_array()
                    .is_some_and(|ps| ps.iter().any(|p| p["name"] == name && p["in"] == "path"));
                assert!(documented, "{method} {path}: path parameter {name}");
            }
        }
        for status in op["responses"].as_object().expect("responses").keys() {
            assert!(status.parse::<u16>().is_ok(), "{method} {path}: status {status}");
        }
        let url = format!(
            "{}/api/v1{}",
            app.url,
            path.replace("{id}", "00000000-0000-0000-0000-000000000000")
                .replace("{kind}", "user")
                .replace("{pid}", "00000000-0000-0000-0000-000000000000")
                .replace("{section}", "observer")
        );
        let status = app
            .http
            .request(method.clone(), &url)
            .json(&serde_json::json!({}))
            .send()
            .await
            .expect("send")
            .status()
            .as_u16();
        assert!(
            status != 404 && status != 405 && status < 500,
            "{method} {path} answered {status}"
        );
        assert!(
            op["responses"][status.to_string()].is_object(),
            "{method} {path}: status {status} documented"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dev_outbox_shows_mail_but_not_in_production() {
    let app = TestApp::spawn(Db::Sqlite).await;
    crate::helpers::sign_up(&app, "marie@clinique.test", "fr").await;
    let page = app
        .http
        .get(format!("{}/dev/outbox", app.url))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("text");
    assert!(
        page.contains("marie@clinique.test") && page.contains("Votre code Cercle"),
        "lists what was sent"
    );

    let prod = TestApp::spawn_with(Db::Sqlite, |c| c.production = true).await;
    let r = prod
        .http
        .get(format!("{}/dev/outbox", prod.url))
        .send()
        .await
        .expect("page");
    assert_eq!(r.status().as_u16(), 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_address_cannot_flood() {
    let app = TestApp::spawn_with(Db::Sqlite, |c| c.requests_per_sec = 2).await;
    let mut limited = 0;
    for _ in 0..40 {
        let r = app
            .http
            .get(format!("{}/healthz", app.url))
            .send()
            .await
            .expect("healthz");
        if r.status().as_u16() == 429 {
            limited += 1;
        }
    }
    assert!(limited > 0, "bursts beyond 10x the rate are refused");
}

/// A request whose client goes away while it is being answered (here: it
/// waits for SQLite's single writer, which the test holds) is counted out of
/// `cercle_http_requests_in_flight` when hyper drops it, and counted as
/// abandoned. Without the drop guard the gauge would stay at 1.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_abandoned_by_its_client_leaves_the_in_flight_gauge() {
    use tokio::io::AsyncWriteExt;
    let app = TestApp::spawn(Db::Sqlite).await;
    let route = [("route", "/api/v1/auth/sign-up")];
    let abandoned_before = app.metric("cercle_http_requests_abandoned_total", &route).await;
    let writer = app.ctx().store.begin().await.expect("hold the writer");
    let addr = app.url.trim_start_matches("http://").to_string();
    let mut client = tokio::net::TcpStream::connect(&addr).await.expect("connect");
    let body = serde_json::json!({
        "email": "parti@clinique.test", "password": "Correct-Horse-Battery-9", "name": "Parti", "language": "fr"
    })
    .to_string();
    let request = format!(
        "POST /api/v1/auth/sign-up HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    client.write_all(request.as_bytes()).await.expect("request");
    cercle_testkit::eventually("the sign-up in flight", async || {
        (app.metric("cercle_http_requests_in_flight", &route).await >= 1.0).then_some(())
    })
    .await;
    drop(client);
    cercle_testkit::eventually("the abandoned request counted out", async || {
        let abandoned = app.metric("cercle_http_requests_abandoned_total", &route).await;
        let in_flight = app.metric("cercle_http_requests_in_flight", &route).await;
        (abandoned > abandoned_before && in_flight == 0.0).then_some(())
    })
    .await;
    drop(writer);
}
