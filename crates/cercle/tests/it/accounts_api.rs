//! Accounts through the JSON API, on SQLite and PostgreSQL.

use crate::backends;
use crate::helpers::{nth_sign_in_mail, sign_in_by_email, sign_up, PASSWORD, PIN};
use cercle_domain::totp::{base32_decode, code_at_step, step_at};
use cercle_domain::Clock;
use cercle_testkit::{find_code, find_link, Db, TestApp};
use serde_json::json;

backends!(
    sign_up_lock_totp_and_sign_in_again,
    emails_follow_the_language,
    wrong_passwords_lock_the_account_for_a_while,
    five_wrong_pins_erase_the_session,
    recovery_code_works_once,
    new_recovery_code_revokes_the_old_one,
    reset_link_is_single_use_and_expires,
    reset_never_reveals_whether_an_account_exists,
    sms_second_factor_through_the_gateway,
    bad_input_gets_clear_errors,
    sessions_list_and_sign_out_everywhere,
    delete_account_erases_identity,
    codes_are_single_use_and_limited,
    sign_up_with_taken_email_reveals_nothing,
    audit_log_records_security_events,
);

fn totp_now(app: &TestApp, secret_b32: &str) -> String {
    let secret = base32_decode(secret_b32).expect("base32 secret");
    code_at_step(&secret, step_at(app.clock.now().unix_secs()))
}

async fn sign_up_lock_totp_and_sign_in_again(db: Db) {
    let app = TestApp::spawn(db).await;
    let p = sign_up(&app, "marie@clinique.test", "fr").await;

    // The recovery code also came by email.
    let mail = app.smtp.wait_subject(&p.email, "récupération", 0).await;
    assert!(mail.body.contains(&p.recovery), "{}", mail.body);

    // Lock, then unlock with the PIN.
    let (status, s) = app.post("/auth/lock", Some(&p.token), json!({})).await;
    assert_eq!((status, s["state"].as_str()), (200, Some("locked")), "{s}");
    let (status, e) = app.get("/account", Some(&p.token)).await;
    assert_eq!((status, e["code"].as_str()), (423, Some("session-locked")), "{e}");
    let (status, s) = app.post("/auth/unlock", Some(&p.token), json!({ "pin": PIN })).await;
    assert_eq!((status, s["state"].as_str()), (200, Some("ready")), "{s}");

    // Idle for longer than the automatic lock: locked again.
    app.advance(16 * 60);
    let (_, s) = app.get("/auth/session", Some(&p.token)).await;
    assert_eq!(s["state"], "locked", "{s}");
    let (status, _) = app.post("/auth/unlock", Some(&p.token), json!({ "pin": PIN })).await;
    assert_eq!(status, 200);

    // Switch the second factor to an authenticator app.
    let (status, setup) = app.post("/account/totp", Some(&p.token), json!({})).await;
    assert_eq!(status, 200, "{setup}");
    let secret = setup["secret"].as_str().expect("secret").to_string();
    assert!(setup["uri"].as_str().is_some_and(|u| u.starts_with("otpauth://totp/")));
    let (status, e) = app
        .post("/account/totp/confirm", Some(&p.token), json!({ "code": "000000" }))
        .await;
    assert!(
        status == 401 && e["code"] == "code-wrong" || totp_now(&app, &secret) == "000000",
        "{e}"
    );
    let (status, me) = app
        .post(
            "/account/totp/confirm",
            Some(&p.token),
            json!({ "code": totp_now(&app, &secret) }),
        )
        .await;
    assert_eq!((status, me["second_factor"].as_str()), (200, Some("totp")), "{me}");

    // Sign out; sign in again with the password and a TOTP code.
    let (status, _) = app.post("/auth/sign-out", Some(&p.token), json!({})).await;
    assert_eq!(status, 204);
    let (status, _) = app.get("/account", Some(&p.token)).await;
    assert_eq!(status, 401, "a closed session is dead");
    let (status, s) = app
        .post("/auth/sign-in", None, json!({ "email": p.email, "password": PASSWORD }))
        .await;
    assert_eq!((status, s["factor"].as_str()), (200, Some("totp")), "{s}");
    let token = s["token"].as_str().expect("token").to_string();
    app.advance(30);
    let code = totp_now(&app, &secret);
    let (status, s) = app.post("/auth/code", Some(&token), json!({ "code": code })).await;
    assert_eq!((status, s["state"].as_str()), (200, Some("ready")), "{s}");
    // The same code cannot be used twice.
    let (status, s2) = app
        .post("/auth/sign-in", None, json!({ "email": p.email, "password": PASSWORD }))
        .await;
    assert_eq!(status, 200, "{s2}");
    let (status, e) = app
        .post(
            "/auth/code",
            Some(s2["token"].as_str().expect("token")),
            json!({ "code": code }),
        )
        .await;
    assert_eq!((status, e["code"].as_str()), (401, Some("code-wrong")), "{e}");
}

async fn emails_follow_the_language(db: Db) {
    let app = TestApp::spawn(db).await;
    sign_up(&app, "daniel@clinic.test", "en").await;
    let first = app.smtp.nth_to("daniel@clinic.test", 1).await;
    assert!(first.subject.starts_with("Your Cercle code"), "{}", first.subject);
    assert!(first.body.contains("Hello Marie Tremblay"), "{}", first.body);
    sign_up(&app, "marie@clinique.test", "fr").await;
    let first = app.smtp.nth_to("marie@clinique.test", 1).await;
    assert!(first.subject.starts_with("Votre code Cercle"), "{}", first.subject);
    assert!(first.body.contains("Bonjour Marie Tremblay"), "{}", first.body);
    // Errors follow Accept-Language.
    let resp = app
        .http
        .post(format!("{}/api/v1/auth/sign-in", app.url))
        .header("accept-language", "fr-CA,fr;q=0.9")
        .json(&json!({ "email": "nobody@clinique.test", "password": "whatever-it-is" }))
        .send()
        .await
        .expect("request");
    let body: serde_json::Value = resp.json().await.expect("json");
    assert_eq!(body["message"], "Courriel ou mot de passe incorrect.");
}

async fn wrong_passwords_lock_the_account_for_a_while(db: Db) {
    let app = TestApp::spawn(db).await;
    let p = sign_up(&app, "marie@clinique.test", "fr").await;
    for i in 1..=4 {
        let (status, e) = app
            .post(
                "/auth/sign-in",
                None,
                json!({ "email": p.email, "password": "not-the-password" }),
            )
            .await;
        assert_eq!(
            (status, e["code"].as_str()),
            (401, Some("bad-credentials")),
            "try {i}: {e}"
        );
    }
    let (status, e) = app
        .post(
            "/auth/sign-in",
            None,
            json!({ "email": p.email, "password": "not-the-password" }),
        )
        .await;
    assert_eq!((status, e["code"].as_str()), (423, Some("account-locked")), "{e}");
    // Until when, in the person's time zone (Montreal by default), in words.
    let until = e["locked_until"].as_i64().expect("locked_until (Unix ms)");
    let when = cercle_domain::local_time::LocalTime::new(
        cercle_domain::Language::Fr,
        cercle_domain::local_time::Zone::montreal(),
    )
    .date_time(until);
    assert!(
        e["message"]
            .as_str()
            .is_some_and(|m| m.contains(&when) && !m.contains("UTC")),
        "the message says until when ({when}): {e}"
    );
    // Even the right password is refused while locked.
    let (status, e) = app
        .post("/auth/sign-in", None, json!({ "email": p.email, "password": PASSWORD }))
        .await;
    assert_eq!((status, e["code"].as_str()), (423, Some("account-locked")), "{e}");
    // A while later, the right password works again.
    app.advance(15 * 60 + 1);
    sign_in_by_email(&app, &p.email, 1).await;
}

async fn five_wrong_pins_erase_the_session(db: Db) {
    let app = TestApp::spawn(db).await;
    let p = sign_up(&app, "marie@clinique.test", "fr").await;
    let (status, _) = app.post("/auth/lock", Some(&p.token), json!({})).await;
    assert_eq!(status, 200);
    for left in (1..=4).rev() {
        let (status, e) = app.post("/auth/unlock", Some(&p.token), json!({ "pin": "9999" })).await;
        assert_eq!(
            (status, e["code"].as_str(), e["tries_left"].as_i64()),
            (401, Some("pin-wrong"), Some(left)),
            "{e}"
        );
    }
    let (status, e) = app.post("/auth/unlock", Some(&p.token), json!({ "pin": "9999" })).await;
    assert_eq!((status, e["code"].as_str()), (401, Some("session-erased")), "{e}");
    // Erased: even the right PIN no longer opens it.
    let (status, e) = app.post("/auth/unlock", Some(&p.token), json!({ "pin": PIN })).await;
    assert_eq!((status, e["code"].as_str()), (401, Some("not-authenticated")), "{e}");
    // A full sign-in still works (the account itself is not locked).
    sign_in_by_email(&app, &p.email, 1).await;
}

async fn recovery_code_works_once(db: Db) {
    let app = TestApp::spawn(db).await;
    let p = sign_up(&app, "marie@clinique.test", "fr").await;
    let (_, s) = app
        .post("/auth/sign-in", None, json!({ "email": p.email, "password": PASSWORD }))
        .await;
    let token = s["token"].as_str().expect("token").to_string();
    // Typed by hand: lower case, spaces instead of dashes.
    let typed = p.recovery.to_lowercase().replace('-', " ");
    let (status, s) = app
        .post("/auth/recovery", Some(&token), json!({ "recovery_code": typed }))
        .await;
    assert_eq!(status, 200, "{s}");
    assert_eq!(
        s["setup_step"], "recovery_code",
        "a new recovery code must be saved first: {s}"
    );
    let (status, r) = app.post("/auth/recovery-code", Some(&token), json!({})).await;
    assert_eq!(status, 200);
    let new_code = r["recovery_code"].as_str().expect("code").to_string();
    assert_ne!(new_code, p.recovery);
    let (_, s) = app.get("/auth/session", Some(&token)).await;
    assert_eq!(s["state"], "ready", "{s}");

    // The old code does not work a second time.
    let (_, s) = app
        .post("/auth/sign-in", None, json!({ "email": p.email, "password": PASSWORD }))
        .await;
    let token2 = s["token"].as_str().expect("token").to_string();
    let (status, e) = app
        .post("/auth/recovery", Some(&token2), json!({ "recovery_code": p.recovery }))
        .await;
    assert_eq!((status, e["code"].as_str()), (401, Some("code-wrong")), "{e}");
    // The new one does.
    let (status, _) = app
        .post("/auth/recovery", Some(&token2), json!({ "recovery_code": new_code }))
        .await;
    assert_eq!(status, 200);
}

async fn new_recovery_code_revokes_the_old_one(db: Db) {
    let app = TestApp::spawn(db).await;
    let p = sign_up(&app, "marie@clinique.test", "fr").await;
    let (status, e) = app
        .post(
            "/account/recovery-code",
            Some(&p.token),
            json!({ "password": "wrong-password-here" }),
        )
        .await;
    assert_eq!((status, e["code"].as_str()), (401, Some("bad-credentials")), "{e}");
    let (status, r) = app
        .post(
            "/account/recovery-code",
            Some(&p.token),
            json!({ "password": PASSWORD }),
        )
        .await;
    assert_eq!(status, 200, "{r}");
    let (_, s) = app
        .post("/auth/sign-in", None, json!({ "email": p.email, "password": PASSWORD }))
        .await;
    let token = s["token"].as_str().expect("token").to_string();
    let (status, _) = app
        .post("/auth/recovery", Some(&token), json!({ "recovery_code": p.recovery }))
        .await;
    assert_eq!(status, 401, "the old code stopped working");
    let (status, _) = app
        .post(
            "/auth/recovery",
            Some(&token),
            json!({ "recovery_code": r["recovery_code"] }),
        )
        .await;
    assert_eq!(status, 200);
}

fn token_of(link: &str) -> String {
    link.rsplit('/').next().expect("token").to_string()
}

async fn reset_link_is_single_use_and_expires(db: Db) {
    let app = TestApp::spawn(db).await;
    let p = sign_up(&app, "marie@clinique.test", "fr").await;
    let (status, _) = app
        .post("/auth/password-reset", None, json!({ "email": p.email }))
        .await;
    assert_eq!(status, 202);
    let mail = app.smtp.wait_subject(&p.email, "Réinitialiser", 0).await;
    let link = find_link(&mail.body).expect("link");
    assert!(link.starts_with(&app.url), "{link}");

    // Expired after an hour.
    app.advance(3601);
    let (status, e) = app
        .post(
            "/auth/password-reset/complete",
            None,
            json!({ "token": token_of(&link), "password": "un-nouveau-mot-de-passe" }),
        )
        .await;
    assert_eq!((status, e["code"].as_str()), (410, Some("link-invalid")), "{e}");
    let page = app
        .http
        .get(&link)
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("text");
    assert!(page.contains("Ce lien a expiré"), "the page says so");

    // A fresh link works once, and ends every session.
    let (status, _) = app
        .post("/auth/password-reset", None, json!({ "email": p.email }))
        .await;
    assert_eq!(status, 202);
    let mail = app.smtp.wait_subject(&p.email, "Réinitialiser", 1).await;
    let token = token_of(&find_link(&mail.body).expect("link"));
    let (status, e) = app
        .post(
            "/auth/password-reset/complete",
            None,
            json!({ "token": token, "password": "court" }),
        )
        .await;
    assert_eq!(
        (status, e["code"].as_str()),
        (422, Some("password-too-short")),
        "a weak password keeps the link usable: {e}"
    );
    let (status, _) = app
        .post(
            "/auth/password-reset/complete",
            None,
            json!({ "token": token, "password": "un-nouveau-mot-de-passe" }),
        )
        .await;
    assert_eq!(status, 204);
    let (status, _) = app
        .post(
            "/auth/password-reset/complete",
            None,
            json!({ "token": token, "password": "encore-un-autre-mot" }),
        )
        .await;
    assert_eq!(status, 410, "single use");
    let (status, _) = app.get("/account", Some(&p.token)).await;
    assert_eq!(status, 401, "sessions ended");
    let (status, s) = app
        .post(
            "/auth/sign-in",
            None,
            json!({ "email": p.email, "password": "un-nouveau-mot-de-passe" }),
        )
        .await;
    assert_eq!(status, 200, "{s}");
}

async fn reset_never_reveals_whether_an_account_exists(db: Db) {
    let app = TestApp::spawn(db).await;
    sign_up(&app, "marie@clinique.test", "fr").await;
    let (s1, b1) = app
        .post("/auth/password-reset", None, json!({ "email": "marie@clinique.test" }))
        .await;
    let (s2, b2) = app
        .post(
            "/auth/password-reset",
            None,
            json!({ "email": "personne@clinique.test" }),
        )
        .await;
    assert_eq!((s1, &b1), (s2, &b2), "same answer for both");
    app.smtp.wait_subject("marie@clinique.test", "Réinitialiser", 0).await;
    app.drain_outbox().await;
    assert!(
        app.smtp.to("personne@clinique.test").is_empty(),
        "no mail to an unknown address"
    );
}

async fn sms_second_factor_through_the_gateway(db: Db) {
    let app = TestApp::spawn(db).await;
    let p = sign_up(&app, "marie@clinique.test", "fr").await;
    let (status, e) = app
        .post("/account/phone", Some(&p.token), json!({ "phone": "555-12" }))
        .await;
    assert_eq!((status, e["code"].as_str()), (422, Some("invalid-phone")), "{e}");
    let (status, r) = app
        .post("/account/phone", Some(&p.token), json!({ "phone": "(514) 555-1234" }))
        .await;
    assert_eq!(status, 202, "{r}");
    let sms = app.sms.nth_to("+15145551234", 1).await;
    let code = find_code(&sms.body).expect("code in SMS");
    assert!(sms.body.starts_with("Cercle :"), "French SMS: {}", sms.body);
    let (status, me) = app
        .post("/account/phone/confirm", Some(&p.token), json!({ "code": code }))
        .await;
    assert_eq!((status, me["second_factor"].as_str()), (200, Some("sms")), "{me}");

    let (status, s) = app
        .post("/auth/sign-in", None, json!({ "email": p.email, "password": PASSWORD }))
        .await;
    assert_eq!((status, s["factor"].as_str()), (200, Some("sms")), "{s}");
    assert!(
        s["destination"]
            .as_str()
            .is_some_and(|d| d.ends_with("34") && !d.contains("555")),
        "masked: {s}"
    );
    let sms = app.sms.nth_to("+15145551234", 2).await;
    let code = find_code(&sms.body).expect("code");
    let (status, s) = app
        .post(
            "/auth/code",
            Some(s["token"].as_str().expect("token")),
            json!({ "code": code }),
        )
        .await;
    assert_eq!((status, s["state"].as_str()), (200, Some("ready")), "{s}");
}

async fn bad_input_gets_clear_errors(db: Db) {
    let app = TestApp::spawn(db).await;
    let url = format!("{}/api/v1/auth/sign-up", app.url);
    // Malformed JSON.
    let r = app
        .http
        .post(&url)
        .header("content-type", "application/json")
        .body("{\"email\": ")
        .send()
        .await
        .expect("send");
    assert_eq!(r.status().as_u16(), 400);
    let b: serde_json::Value = r.json().await.expect("json");
    assert_eq!(b["code"], "bad-request");
    // Wrong content type.
    let r = app
        .http
        .post(&url)
        .header("content-type", "text/plain")
        .body("hello")
        .send()
        .await
        .expect("send");
    assert_eq!(r.status().as_u16(), 415);
    // Oversized body.
    let huge = "x".repeat(200 * 1024);
    // The server answers before reading the body and drops the connection:
    // keep it out of the client's pool, or the next request may reuse it.
    let r = app
        .http
        .post(&url)
        .header("content-type", "application/json")
        .header("connection", "close")
        .body(format!("{{\"email\":\"{huge}\"}}"))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status().as_u16(), 413);
    // Missing fields.
    let (status, e) = app.post("/auth/sign-up", None, json!({ "email": "a@b.ca" })).await;
    assert_eq!((status, e["code"].as_str()), (400, Some("bad-request")), "{e}");
    // Invalid values, each with its own translated message.
    for (body, code) in [
        (
            json!({ "email": "pas-un-courriel", "password": PASSWORD, "name": "Marie", "language": "fr" }),
            "invalid-email",
        ),
        (
            json!({ "email": "a@b.ca", "password": "court", "name": "Marie", "language": "fr" }),
            "password-too-short",
        ),
        (
            json!({ "email": "a@b.ca", "password": "motdepasse123", "name": "Marie", "language": "fr" }),
            "password-too-weak",
        ),
        (
            json!({ "email": "a@b.ca", "password": PASSWORD, "name": "  ", "language": "fr" }),
            "invalid-name",
        ),
        (
            json!({ "email": "a@b.ca", "password": PASSWORD, "name": "Marie", "language": "de" }),
            "invalid-language",
        ),
    ] {
        let (status, e) = app.post("/auth/sign-up", None, body).await;
        assert_eq!((status, e["code"].as_str()), (422, Some(code)), "{e}");
        assert!(
            e["message"].as_str().is_some_and(|m| !m.starts_with("error-")),
            "translated: {e}"
        );
    }
    // Nothing half-written: no account was created by the refused sign-ups.
    assert!(app.smtp.all().is_empty());
    // Unknown and bogus tokens.
    let (status, _) = app.get("/account", Some("not-a-real-token")).await;
    assert_eq!(status, 401);
    let (status, _) = app.get("/account", Some(&"x".repeat(500))).await;
    assert_eq!(status, 401);
    let (status, e) = app.get("/no-such-route", None).await;
    assert_eq!((status, e["code"].as_str()), (404, Some("not-found")), "{e}");
    // A bad PIN format.
    let p = sign_up(&app, "marie@clinique.test", "fr").await;
    app.post("/auth/lock", Some(&p.token), json!({})).await;
    let (status, e) = app.post("/auth/unlock", Some(&p.token), json!({ "pin": "12ab" })).await;
    assert_eq!((status, e["code"].as_str()), (422, Some("invalid-pin")), "{e}");
}

async fn sessions_list_and_sign_out_everywhere(db: Db) {
    let app = TestApp::spawn(db).await;
    let p = sign_up(&app, "marie@clinique.test", "fr").await;
    let second = sign_in_by_email(&app, &p.email, 1).await;
    let (status, list) = app.get("/account/sessions", Some(&p.token)).await;
    assert_eq!(status, 200);
    let sessions = list["sessions"].as_array().expect("list");
    assert_eq!(sessions.len(), 2, "{list}");
    assert_eq!(sessions.iter().filter(|s| s["current"] == true).count(), 1);
    // End the other one.
    let other = sessions.iter().find(|s| s["current"] == false).expect("other")["id"]
        .as_str()
        .expect("id")
        .to_string();
    let (status, _) = app.delete(&format!("/account/sessions/{other}"), Some(&p.token)).await;
    assert_eq!(status, 204);
    let (status, _) = app.get("/account", Some(&second)).await;
    assert_eq!(status, 401);
    // Someone else's session id is not found.
    let q = sign_up(&app, "daniel@clinic.test", "en").await;
    let (_, qlist) = app.get("/account/sessions", Some(&q.token)).await;
    let qid = qlist["sessions"][0]["id"].as_str().expect("id").to_string();
    let (status, _) = app.delete(&format!("/account/sessions/{qid}"), Some(&p.token)).await;
    assert_eq!(status, 404);
    let (status, _) = app.get("/account", Some(&q.token)).await;
    assert_eq!(status, 200, "untouched");
    // Everywhere.
    let third = sign_in_by_email(&app, &p.email, 2).await;
    let (status, r) = app.post("/auth/sign-out-everywhere", Some(&p.token), json!({})).await;
    assert_eq!((status, r["sessions_closed"].as_u64()), (200, Some(2)), "{r}");
    for t in [&p.token, &third] {
        let (status, _) = app.get("/account", Some(t)).await;
        assert_eq!(status, 401);
    }
}

async fn delete_account_erases_identity(db: Db) {
    let app = TestApp::spawn(db).await;
    let p = sign_up(&app, "marie@clinique.test", "fr").await;
    let (status, _) = app
        .post(
            "/account/delete",
            Some(&p.token),
            json!({ "password": "wrong-password!" }),
        )
        .await;
    assert_eq!(status, 401);
    let (status, _) = app
        .post("/account/delete", Some(&p.token), json!({ "password": PASSWORD }))
        .await;
    assert_eq!(status, 204);
    let (status, _) = app.get("/account", Some(&p.token)).await;
    assert_eq!(status, 401);
    let (status, e) = app
        .post("/auth/sign-in", None, json!({ "email": p.email, "password": PASSWORD }))
        .await;
    assert_eq!((status, e["code"].as_str()), (401, Some("bad-credentials")), "{e}");
    // The address is free again.
    let again = sign_up(&app, "marie@clinique.test", "fr").await;
    assert!(!again.token.is_empty());
    // The audit log keeps the deletion.
    let mut conn = app.ctx().store.reader().await.expect("conn");
    let events = cercle_store::audit::recent(&mut conn, None, 500).await.expect("audit");
    assert!(events.iter().any(|e| e.event == "user.deleted"));
}

async fn codes_are_single_use_and_limited(db: Db) {
    let app = TestApp::spawn(db).await;
    let p = sign_up(&app, "marie@clinique.test", "fr").await;
    let (_, s) = app
        .post("/auth/sign-in", None, json!({ "email": p.email, "password": PASSWORD }))
        .await;
    let token = s["token"].as_str().expect("token").to_string();
    let code = find_code(&nth_sign_in_mail(&app, &p.email, 1).await.body).expect("code");
    let wrong = if code == "111111" { "222222" } else { "111111" };
    for left in (1..=4).rev() {
        let (status, e) = app.post("/auth/code", Some(&token), json!({ "code": wrong })).await;
        assert_eq!((status, e["attempts_left"].as_i64()), (401, Some(left)), "{e}");
    }
    let (status, e) = app.post("/auth/code", Some(&token), json!({ "code": wrong })).await;
    assert_eq!(
        (status, e["code"].as_str()),
        (410, Some("code-expired")),
        "fifth wrong try kills the code: {e}"
    );
    let (status, e) = app.post("/auth/code", Some(&token), json!({ "code": code })).await;
    assert_eq!(
        (status, e["code"].as_str()),
        (410, Some("code-expired")),
        "even the right one: {e}"
    );
    // A new code works; an expired one does not.
    let (status, _) = app.post("/auth/code/resend", Some(&token), json!({})).await;
    assert_eq!(status, 202);
    let fresh = find_code(&nth_sign_in_mail(&app, &p.email, 2).await.body).expect("code");
    app.advance(11 * 60);
    let (status, _) = app.post("/auth/code", Some(&token), json!({ "code": fresh })).await;
    assert!(status == 410 || status == 401, "expired code refused (got {status})");
    // Too many codes asked in a short time.
    let (_, s) = app
        .post("/auth/sign-in", None, json!({ "email": p.email, "password": PASSWORD }))
        .await;
    let token = s["token"].as_str().expect("token").to_string();
    let mut limited = false;
    for _ in 0..6 {
        let (status, _) = app.post("/auth/code/resend", Some(&token), json!({})).await;
        if status == 429 {
            limited = true;
            break;
        }
    }
    assert!(limited, "code sends are rate-limited per account");
}

async fn sign_up_with_taken_email_reveals_nothing(db: Db) {
    let app = TestApp::spawn(db).await;
    sign_up(&app, "marie@clinique.test", "fr").await;
    let (status, s) = app
        .post("/auth/sign-up", None, json!({ "email": "Marie@Clinique.test", "password": "un-autre-mot-de-passe", "name": "Intrus", "language": "fr" }))
        .await;
    assert_eq!(status, 201, "same answer as a new address: {s}");
    // The owner is told; no code is sent.
    let mail = app
        .smtp
        .wait_subject("marie@clinique.test", "Quelqu'un a tenté", 0)
        .await;
    assert!(find_code(&mail.body).is_none());
    // The decoy session cannot be completed.
    let (status, _) = app
        .post(
            "/auth/code",
            Some(s["token"].as_str().expect("token")),
            json!({ "code": "123456" }),
        )
        .await;
    assert!(status == 410 || status == 401);
    // The owner's password is unchanged.
    let (status, _) = app
        .post(
            "/auth/sign-in",
            None,
            json!({ "email": "marie@clinique.test", "password": PASSWORD }),
        )
        .await;
    assert_eq!(status, 200);
}

async fn audit_log_records_security_events(db: Db) {
    let app = TestApp::spawn(db).await;
    let p = sign_up(&app, "marie@clinique.test", "fr").await;
    app.post(
        "/auth/sign-in",
        None,
        json!({ "email": p.email, "password": "wrong-password!!" }),
    )
    .await;
    app.post("/auth/lock", Some(&p.token), json!({})).await;
    app.post("/auth/unlock", Some(&p.token), json!({ "pin": "9999" })).await;
    app.post("/auth/unlock", Some(&p.token), json!({ "pin": PIN })).await;
    let (status, a) = app.get("/account/activity?limit=100", Some(&p.token)).await;
    assert_eq!(status, 200);
    let events: Vec<&str> = a["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["event"].as_str())
        .collect();
    for expected in [
        "auth.sign_up_started",
        "auth.code_sent",
        "auth.email_verified",
        "auth.sign_in",
        "auth.terms_accepted",
        "auth.recovery_code_created",
        "auth.pin_set",
        "auth.sign_in_failed",
        "auth.session_locked",
        "auth.pin_failed",
        "auth.session_unlocked",
    ] {
        assert!(events.contains(&expected), "{expected} missing from {events:?}");
    }
    // Metadata only: no secret, no email content in any record. Hashes, ids
    // and numbers are left out of the check: a 4-digit PIN can appear in hex
    // or in a timestamp by chance (1796311325807 holds 2580).
    let mut stripped = a.clone();
    for e in stripped["events"].as_array_mut().expect("events") {
        if let Some(o) = e.as_object_mut() {
            for k in ["hash", "prev_hash", "id", "actor_id", "target_id", "at", "seq"] {
                o.remove(k);
            }
        }
    }
    let text = stripped.to_string();
    assert!(
        !text.contains(PASSWORD) && !text.contains(PIN) && !text.contains(&p.recovery),
        "{text}"
    );
    // Only network administrators read the whole log.
    let (status, _) = app.get("/admin/audit", Some(&p.token)).await;
    assert_eq!(status, 403);
}
