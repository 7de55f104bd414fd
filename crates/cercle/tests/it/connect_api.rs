//! Instant mobile connect through the API (issue 18, part 4): a signed-in
//! session makes a code; the code opens a LOCKED session of the same
//! account, which the account's PIN unlocks; it works once, for two
//! minutes, and only while the session that made it is signed in and
//! unlocked; every refusal says why in the reader's language, is audited,
//! and counts against the address; makers are rate-limited too.

use crate::backends;
use crate::helpers::{id_of, sign_in_by_email, sign_up, Person, PIN};
use cercle_domain::Language;
use cercle_i18n::ta;
use cercle_testkit::{Db, TestApp};
use serde_json::{json, Value};

backends!(
    a_code_opens_a_locked_session_that_the_pin_unlocks,
    bad_codes_are_refused_with_their_reason,
    makers_and_redeemers_are_rate_limited,
    a_browser_gets_the_session_on_its_device,
);

/// A code made by `p`'s session: (secret, link).
async fn make_code(app: &TestApp, p: &Person) -> (String, String) {
    let (status, c) = app.post("/account/connect-codes", Some(&p.token), json!({})).await;
    assert_eq!(status, 201, "{c}");
    let link = c["link"].as_str().expect("link").to_string();
    let secret = c["secret"].as_str().expect("secret").to_string();
    assert_eq!(secret.len(), 43, "256 random bits, base64url");
    assert_eq!(
        link,
        format!("{}/connect#{secret}", app.url),
        "the secret is the link's fragment"
    );
    (secret, link)
}

async fn redeem(app: &TestApp, secret: &str) -> (u16, Value) {
    app.post("/account/connect-codes/redeem", None, json!({ "secret": secret }))
        .await
}

/// A refusal: its status, code and French message (the default language).
fn assert_refused(answer: &(u16, Value), status: u16, code: &str) {
    let (s, body) = answer;
    assert_eq!((*s, body["code"].as_str()), (status, Some(code)), "{body}");
    assert_eq!(
        body["message"].as_str(),
        Some(ta(Language::Fr, &format!("error-{code}"), &[]).as_str()),
        "{body}"
    );
}

/// The events on the person's own stream of one kind.
async fn personal(app: &TestApp, uid: &str, kind: &str) -> Vec<Value> {
    let (events, _) = cercle_app::threads::service::events_since(app.ctx(), uid, 0, 10_000)
        .await
        .expect("events");
    events
        .into_iter()
        .filter(|e| e.kind.as_str() == kind && e.thread_id.is_empty())
        .map(|e| e.data)
        .collect()
}

async fn a_code_opens_a_locked_session_that_the_pin_unlocks(db: Db) {
    let app = TestApp::spawn(db).await;
    let p = sign_up(&app, "marie@clinique.test", "fr").await;
    let uid = id_of(&app, &p).await;
    let (secret, _) = make_code(&app, &p).await;

    let (status, c) = redeem(&app, &secret).await;
    assert_eq!((status, c["state"].as_str()), (201, Some("locked")), "{c}");
    let phone = c["token"].as_str().expect("bearer token for an API client").to_string();
    let phone_session = c["session_id"].as_str().expect("session").to_string();

    // Locked: nothing is reachable before the PIN.
    let (status, s) = app.get("/auth/session", Some(&phone)).await;
    assert_eq!((status, s["state"].as_str()), (200, Some("locked")), "{s}");
    let (status, e) = app.get("/account", Some(&phone)).await;
    assert_eq!(status, 423, "{e}");
    // The account's existing PIN unlocks it (the code sets none).
    let (status, s) = app.post("/auth/unlock", Some(&phone), json!({ "pin": PIN })).await;
    assert_eq!((status, s["state"].as_str()), (200, Some("ready")), "{s}");
    let (status, me) = app.get("/account", Some(&phone)).await;
    assert_eq!(
        (status, me["id"].as_str()),
        (200, Some(uid.as_str())),
        "the same account"
    );

    // The device is listed among the sessions of the account.
    let (status, list) = app.get("/account/sessions", Some(&p.token)).await;
    assert_eq!(status, 200, "{list}");
    let ids: Vec<&str> = list["sessions"]
        .as_array()
        .expect("sessions")
        .iter()
        .filter_map(|s| s["id"].as_str())
        .collect();
    assert!(ids.contains(&phone_session.as_str()), "{list}");

    // "Connected on a new device" on the person's own stream.
    let told = personal(&app, &uid, "device_connected").await;
    assert_eq!(told.len(), 1, "{told:?}");
    assert_eq!(told[0]["session_id"], phone_session);

    // Once only.
    assert_refused(&redeem(&app, &secret).await, 410, "connect-used");

    // Audited, without the secret.
    let (status, a) = app.get("/account/activity?limit=100", Some(&p.token)).await;
    assert_eq!(status, 200, "{a}");
    let events: Vec<&str> = a["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["event"].as_str())
        .collect();
    for name in [
        "auth.connect_code_created",
        "auth.connect_code_redeemed",
        "auth.connect_code_refused",
    ] {
        assert!(events.contains(&name), "{name} in {events:?}");
    }
    assert!(!a.to_string().contains(&secret), "the secret is never recorded");
}

async fn bad_codes_are_refused_with_their_reason(db: Db) {
    let app = TestApp::spawn(db).await;
    let p = sign_up(&app, "marie@clinique.test", "fr").await;

    // Not a secret at all, and one that was never made.
    assert_refused(&redeem(&app, "abc").await, 422, "connect-malformed");
    assert_refused(&redeem(&app, &"A".repeat(43)).await, 410, "connect-unknown");

    // Two minutes, not one second more.
    let (secret, _) = make_code(&app, &p).await;
    app.advance(121);
    assert_refused(&redeem(&app, &secret).await, 410, "connect-expired");

    // The session that showed it was locked since: refused; unlocked again, it works.
    let (secret, _) = make_code(&app, &p).await;
    let (status, s) = app.post("/auth/lock", Some(&p.token), json!({})).await;
    assert_eq!(status, 200, "{s}");
    assert_refused(&redeem(&app, &secret).await, 409, "connect-locked");
    let (status, s) = app.post("/auth/unlock", Some(&p.token), json!({ "pin": PIN })).await;
    assert_eq!((status, s["state"].as_str()), (200, Some("ready")), "{s}");
    let (status, c) = redeem(&app, &secret).await;
    assert_eq!(status, 201, "{c}");

    // The session that showed it was signed out since: refused, and its
    // other sessions do not make it valid again.
    let other = sign_in_by_email(&app, &p.email, 1).await;
    let by_other = Person {
        email: p.email.clone(),
        token: other.clone(),
        recovery: String::new(),
    };
    let (secret, _) = make_code(&app, &by_other).await;
    let (status, _) = app.post("/auth/sign-out", Some(&other), json!({})).await;
    assert_eq!(status, 204);
    assert_refused(&redeem(&app, &secret).await, 409, "connect-signed-out");

    // In English for a reader who asks for it.
    let r = reqwest::Client::new()
        .post(format!("{}/api/v1/account/connect-codes/redeem", app.url))
        .header("accept-language", "en")
        .json(&json!({ "secret": secret }))
        .send()
        .await
        .expect("request");
    let (status, body) = cercle_testkit::status_and_json(r).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(
        body["message"].as_str(),
        Some(ta(Language::En, "error-connect-signed-out", &[]).as_str())
    );

    // Making a code needs a signed-in, unlocked session.
    let (status, e) = app.post("/account/connect-codes", None, json!({})).await;
    assert_eq!(status, 401, "{e}");
    let (status, _) = app.post("/auth/lock", Some(&p.token), json!({})).await;
    assert_eq!(status, 200);
    let (status, e) = app.post("/account/connect-codes", Some(&p.token), json!({})).await;
    assert_eq!(status, 423, "{e}");
}

async fn makers_and_redeemers_are_rate_limited(db: Db) {
    let app = TestApp::spawn(db).await;
    let p = sign_up(&app, "marie@clinique.test", "fr").await;
    let limit = cercle_domain::session::limits::CONNECT_CODES_PER_WINDOW;
    let mut last = String::new();
    for _ in 0..limit {
        last = make_code(&app, &p).await.0;
    }
    let (status, e) = app.post("/account/connect-codes", Some(&p.token), json!({})).await;
    assert_eq!((status, e["code"].as_str()), (429, Some("rate-limited")), "{e}");

    // Wrong secrets from one address: refused until the address is
    // stopped, and then even a good code is refused from there.
    let tries = cercle_domain::session::limits::ADDRESS_ATTEMPTS_PER_WINDOW;
    for n in 0..tries {
        let (status, e) = redeem(&app, &format!("{:A>43}", n)).await;
        assert_eq!(status, 410, "try {n}: {e}");
    }
    let (status, e) = redeem(&app, &last).await;
    assert_eq!((status, e["code"].as_str()), (429, Some("rate-limited")), "{e}");
}

/// The phone's browser: its page's CSRF header makes the session its
/// device's (the account cookie names it, no bearer token is handed out);
/// a wrong header is refused before the code is looked at.
async fn a_browser_gets_the_session_on_its_device(db: Db) {
    let app = TestApp::spawn(db).await;
    let p = sign_up(&app, "marie@clinique.test", "fr").await;
    let (secret, _) = make_code(&app, &p).await;
    let phone = cercle_testkit::people::page_client();
    let page = phone.get(format!("{}/connect", app.url)).send().await.expect("page");
    assert_eq!(page.status().as_u16(), 200);
    let csrf = cercle_testkit::people::csrf_of(&page.text().await.expect("html"));
    let redeem_as = |csrf: String| {
        phone
            .post(format!("{}/api/v1/account/connect-codes/redeem", app.url))
            .header("x-csrf-token", csrf)
            .json(&json!({ "secret": secret }))
            .send()
    };
    let r = redeem_as("not-the-token".into()).await.expect("request");
    assert_eq!(r.status().as_u16(), 403);
    let r = redeem_as(csrf).await.expect("request");
    let account = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|c| c.starts_with("cercle_account="));
    let (status, c) = cercle_testkit::status_and_json(r).await;
    assert_eq!((status, c["state"].as_str()), (201, Some("locked")), "{c}");
    assert!(c.get("token").is_none(), "a browser gets no bearer token: {c}");
    assert!(account, "the new session is the account in front");
    // The lock screen of that browser asks for the PIN of this account.
    let lock = phone.get(format!("{}/lock", app.url)).send().await.expect("lock");
    assert_eq!(lock.url().path(), "/lock");
    let html = lock.text().await.expect("html");
    assert!(
        html.contains(crate::helpers::SIGN_UP_NAME),
        "the account's name on the lock screen"
    );
}
