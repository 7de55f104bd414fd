//! Service accounts for hosting partners and EMRs (issue 18, part 3: SMART
//! Backend Services), through the real protocol on SQLite and PostgreSQL:
//! a network administrator registers a partner's public key; the partner
//! signs a client assertion with its private key (ES256, generated here),
//! trades it at `/oauth/token` for an access token, opens or links a
//! patient file by its health insurance number and activates a caregiver's
//! account (the circle invitation arrives by email, and the caregiver joins
//! with it); the audit names the service account. Refused: a wrong key, an
//! expired assertion or one too long-lived, a wrong audience, a replayed
//! `jti`, a scope not granted, a disabled account; and a service token on
//! any operation outside its reach.

use crate::backends;
use crate::helpers::{make_network_admin, org_member, org_with_admin, sign_up, Org, Person};
use cercle_testkit::{Db, TestApp};
use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{json, Value};

backends!(
    a_partner_opens_a_file_and_activates_a_caregiver,
    bad_assertions_are_refused_with_oauth_errors,
    a_service_token_reaches_only_what_its_scopes_open,
    administrators_register_rotate_and_disable_accounts,
    an_rsa_key_signs_rs256_assertions,
);

const HIN: &str = "LEVG 4103 0212";

/// A partner's key pair: the private key (signs) and its public JWK.
struct PartnerKey {
    signing: EncodingKey,
    jwk: Value,
}

fn partner_key(kid: &str) -> PartnerKey {
    use aws_lc_rs::signature::{EcdsaKeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};
    let rng = aws_lc_rs::rand::SystemRandom::new();
    let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).expect("P-256 key");
    let signing = EncodingKey::from_ec_der(pkcs8.as_ref());
    let mut jwk = serde_json::to_value(Jwk::from_encoding_key(&signing, Algorithm::ES256).expect("jwk")).expect("json");
    jwk["kid"] = json!(kid);
    assert!(jwk.get("d").is_none(), "public only: {jwk}");
    PartnerKey { signing, jwk }
}

/// A 2048-bit RSA private key (PKCS #1 DER, base64), made for this test with
/// `openssl genrsa -traditional 2048 | openssl rsa -traditional -outform DER`:
/// test-only, it signs nothing outside these tests.
const RSA_TEST_KEY_DER_B64: &str = concat!(
    "MIIEogIBAAKCAQEAkeBi5Oy/lG7ZEYn/fmIJ1l/PPXRdqzyjUV5iPN4YBk1FoJWk6G70wLJAKFVOqjreLnTwdM4eY9lZGtJWnDx4",
    "jQ7QiyhBwX+OckkAh5ozKfLO4RlUgyxubuS8gBISt+W5Us4PnFQu354z5j3/XQFnuxGGGlMWJXSZXT1Cxj0UK9QWXbM5rdUmDMwA",
    "LqdxDwgVl7uDrjljLyfHLbXFlshvGUbUjp/qB7Md1meRs4z7/P8ktWYMS5ZbMSrqKkBx8UGK9dsjxO/07w8tZoFZ/8sPvkf3N9KQ",
    "LCBfzsYLUyk3qcidn+yu0ceHUjg6eXynrvOQbPZtPHTZZFCLsOq8kshTaQIDAQABAoIBAAJZKV5kDUV3b1kf7pP7QgtIaY6ks+lQ",
    "xZRGv7AZJyvazJckMY5oUtpTREMh9G07G16GFWTb+JNE6XFMF4bWVl528ZZ75GsYAZQHZtHIArDXLsti3ABsk66HUh2BrPl24j/Z",
    "/1hV5pdE9bLsJpM5tZDGXHFKCx45PUrJ9Kw6SXvXHPfM9A/IijIxj/UU+BtAiOLeR9bppQRcdF1sBi3jKCVm61iCCHHCnQdgTGJF",
    "6sUYP6C9GLA4dKUdac5IPxqZDSX6mlPMEhCTPXld70S+RlAtue0VZVnTZcWPtQqc8dw1mk6tTHmvKawt4I4m6/roQ9xroXkuOk/+",
    "nSqH/5vibf0CgYEAxg4bqcYMspl3lv9nkC4GGHvmg8Qj7C3ZPNqXh1vGryT9R7Ck1gWr3APNUrZiYClrN27W4arng1DKP90Dzm9U",
    "6ZyW32jWk5fpJpgIMjETcrCMSjxHzyGn5g6I1ivowVFSYRMLp+vUqEXlPwS7xni++piAEAuh9vDZlwNW/GjMsGsCgYEAvI43QwxH",
    "HxJTpXL3w7TuivaqXQvwHPqkBWFXHvMZhZTojMNwiMZSSdUxPC5aKJAdlDmF15AlxsCTZjCXTDCY+ej6bQdQ+0TgIVnmcDJQ9Qbt",
    "4TMIGcxph1l68ClwZJgq422sF2cg45NZWw3+uXU8aAts7SFdzkG9CzWqhq7ysHsCgYBnibaSgZPfxnULfkfQyw6qvBMdLWuuK6XW",
    "t1viCmuK4mZ6lPEHZf2bTm2HYQt6xAxl9U7muKbBMnoY+tzjjbYxTohdEPykOhVL9MzMGHXXTk54/Jx5v1l73ntQo7HRZkcPspo0",
    "VghdU/Tthfb4YeVNMm44dSxd4TmPRdKyr8LaMwKBgCgcBIthsDte1aZLN4NNGLU81W6nnHM9qehvFW5C/jnZPEK9TFH8BgMos6l+",
    "nrUkOvaN6fe59R87Vd+WFIkjiVcYBTVuKf7ZXugZTJivS2NkDvQpu95pCkW9dhZiakMrz2vDp6juyiM+8/IXnwjqdGgZjhk/UMoQ",
    "V9trlhPCYWPDAoGAfx4Zu9ORE2oaJMDFSHE6w5Y2xPofE8ok09y0LoR8Xq0GRcacTfbWzoPsQAzvSF6KQCNoCF6f31L6RpjTIXwB",
    "+zrWXCqIjjzXjxTnYWtgYdWLD/rNkdO5xAssm+eQL5OFGYK4P41LjxMMBPUyONvReaohWwywA3dkfN2MUi8DGUg=",
);

/// The RSA partner key, its public JWK `kid`-ed and `alg` RS256.
fn rsa_partner_key(kid: &str) -> PartnerKey {
    use base64::Engine;
    let der = base64::engine::general_purpose::STANDARD
        .decode(RSA_TEST_KEY_DER_B64)
        .expect("base64");
    let signing = EncodingKey::from_rsa_der(&der);
    let mut jwk = serde_json::to_value(Jwk::from_encoding_key(&signing, Algorithm::RS256).expect("jwk")).expect("json");
    jwk["kid"] = json!(kid);
    assert_eq!(jwk["kty"], json!("RSA"), "{jwk}");
    assert!(jwk.get("d").is_none(), "public only: {jwk}");
    PartnerKey { signing, jwk }
}

/// An organization, its administrator (also network administrator) and a
/// patient and caregiver manager the service account acts through.
async fn partner_setup(app: &TestApp) -> (Org, Person) {
    let org = org_with_admin(app, "GMF des Rivières", "admin@rivieres.test").await;
    make_network_admin(app, &org.admin).await;
    let manager = org_member(
        app,
        &org,
        &org.root,
        "gestion@rivieres.test",
        "Nadia Gestion",
        &["member", "patient_caregiver_manager"],
    )
    .await;
    (org, manager)
}

/// Registers a service account with `keys`; returns its id (the client_id).
async fn register(app: &TestApp, admin: &Person, org: &Org, name: &str, scopes: &[&str], keys: &[&Value]) -> String {
    let (status, a) = app
        .post(
            "/admin/service-accounts",
            Some(&admin.token),
            json!({
                "name": name,
                "org_id": org.id,
                "member_email": "gestion@rivieres.test",
                "scopes": scopes,
                "jwks": { "keys": keys },
            }),
        )
        .await;
    assert_eq!(status, 201, "{a}");
    assert_eq!(a["disabled"], json!(false), "{a}");
    a["id"].as_str().expect("id").to_string()
}

/// The token endpoint, as Cercle's own SMART configuration names it.
async fn token_endpoint(app: &TestApp) -> String {
    let r = app
        .http
        .get(format!("{}/.well-known/smart-configuration", app.url))
        .send()
        .await
        .expect("configuration");
    assert_eq!(r.status().as_u16(), 200);
    let c: Value = r.json().await.expect("json");
    assert_eq!(
        c["token_endpoint_auth_methods_supported"],
        json!(["private_key_jwt"]),
        "{c}"
    );
    assert_eq!(c["grant_types_supported"], json!(["client_credentials"]), "{c}");
    assert!(
        c["capabilities"]
            .as_array()
            .expect("capabilities")
            .contains(&json!("client-confidential-asymmetric")),
        "{c}"
    );
    for alg in ["ES256", "ES384", "RS256", "RS384"] {
        assert!(
            c["token_endpoint_auth_signing_alg_values_supported"]
                .as_array()
                .expect("algs")
                .contains(&json!(alg)),
            "{c}"
        );
    }
    for scope in ["system/Patient.cru", "cercle/circle.invite", "cercle/directory.read"] {
        assert!(
            c["scopes_supported"]
                .as_array()
                .expect("scopes")
                .contains(&json!(scope)),
            "{c}"
        );
    }
    let endpoint = c["token_endpoint"].as_str().expect("token_endpoint").to_string();
    assert_eq!(endpoint, format!("{}/oauth/token", app.url));
    endpoint
}

/// Seconds on the server's clock.
fn now_secs(app: &TestApp) -> i64 {
    app.ctx().clock.now().0 / 1000
}

/// A client assertion: `iss` = `sub` = `client_id`, `aud`, `exp` = now +
/// `exp_in` seconds, `jti`.
fn assertion(key: &PartnerKey, client_id: &str, aud: &str, exp_in: i64, jti: &str, now: i64) -> String {
    let alg = if key.jwk["kty"] == json!("RSA") {
        Algorithm::RS256
    } else {
        Algorithm::ES256
    };
    let mut header = Header::new(alg);
    header.kid = key.jwk["kid"].as_str().map(str::to_string);
    header.typ = Some("JWT".into());
    let claims = json!({ "iss": client_id, "sub": client_id, "aud": aud, "exp": now + exp_in, "iat": now, "jti": jti });
    jsonwebtoken::encode(&header, &claims, &key.signing).expect("sign")
}

fn new_jti() -> String {
    cercle_domain::CodeId::new().to_string()
}

/// Posts the token request (form-encoded, as OAuth clients do).
async fn ask_token(app: &TestApp, assertion: &str, scope: &str) -> (u16, Value) {
    let r = app
        .http
        .post(format!("{}/oauth/token", app.url))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept-language", "en")
        .body(serde_urlencoded_pairs(&[
            ("grant_type", "client_credentials"),
            (
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ),
            ("client_assertion", assertion),
            ("scope", scope),
        ]))
        .send()
        .await
        .expect("token request");
    let status = r.status().as_u16();
    if status == 200 || status == 400 || status == 401 {
        assert_eq!(
            r.headers().get("cache-control").and_then(|v| v.to_str().ok()),
            Some("no-store")
        );
    }
    (status, r.json().await.unwrap_or(Value::Null))
}

/// `application/x-www-form-urlencoded` of pairs.
fn serde_urlencoded_pairs(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", percent(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn percent(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A token for `scope`, asserting success.
async fn token(app: &TestApp, key: &PartnerKey, client_id: &str, scope: &str) -> String {
    let aud = token_endpoint(app).await;
    let a = assertion(key, client_id, &aud, 240, &new_jti(), now_secs(app));
    let (status, t) = ask_token(app, &a, scope).await;
    assert_eq!(status, 200, "{t}");
    assert_eq!(t["token_type"], json!("bearer"), "{t}");
    assert_eq!(t["expires_in"], json!(300), "{t}");
    assert_eq!(t["scope"], json!(scope), "{t}");
    let token = t["access_token"].as_str().expect("access_token").to_string();
    assert!(token.starts_with("svc_"), "{token}");
    token
}

fn assert_oauth(answer: &(u16, Value), status: u16, error: &str, description_key: &str) {
    let (s, body) = answer;
    assert_eq!((*s, body["error"].as_str()), (status, Some(error)), "{body}");
    assert_eq!(
        body["error_description"].as_str(),
        Some(cercle_i18n::ta(cercle_domain::Language::En, description_key, &[]).as_str()),
        "{body}"
    );
}

async fn a_partner_opens_a_file_and_activates_a_caregiver(db: Db) {
    let app = TestApp::spawn(db).await;
    let (org, manager) = partner_setup(&app).await;
    let key = partner_key("k1");
    let client_id = register(
        &app,
        &org.admin,
        &org,
        "Leomed",
        &["system/Patient.cru", "cercle/circle.invite"],
        &[&key.jwk],
    )
    .await;
    let svc = token(&app, &key, &client_id, "system/Patient.cru cercle/circle.invite").await;

    // Open the file by its health insurance number, then link it again.
    let file_input = json!({ "first_name": "Gérard", "last_name": "Lévesque", "birth_date": "1941-03-02", "health_insurance_number": HIN });
    let (status, created) = app.post("/patient-files/link", Some(&svc), file_input.clone()).await;
    assert_eq!((status, created["created"].as_bool()), (201, Some(true)), "{created}");
    let file = created["patient_file"]["id"].as_str().expect("file id").to_string();
    let (status, linked) = app.post("/patient-files/link", Some(&svc), file_input).await;
    assert_eq!((status, linked["created"].as_bool()), (200, Some(false)), "{linked}");
    assert_eq!(linked["patient_file"]["id"].as_str(), Some(file.as_str()), "{linked}");
    // The file is the organization's: the member it acts through sees it.
    let (status, f) = app.get(&format!("/patient-files/{file}"), Some(&manager.token)).await;
    assert_eq!((status, f["org_id"].as_str()), (200, Some(org.id.as_str())), "{f}");

    // Activate a caregiver's account: the same circle invitation as from the page.
    let (status, m) = app
        .post(
            &format!("/patient-files/{file}/circle"),
            Some(&svc),
            json!({
                "section": "responsible", "first_name": "Léa", "last_name": "Lévesque",
                "email": "lea@famille.test", "language": "fr", "relationship": "fille",
                "invite": { "via": "email", "method": "question", "question": "Nom de votre premier chien ?", "answer": "Filou" }
            }),
        )
        .await;
    assert_eq!((status, m["state"].as_str()), (201, Some("invited")), "{m}");
    let mail = cercle_testkit::eventually("circle invitation mail", async || {
        app.smtp
            .to("lea@famille.test")
            .into_iter()
            .find(|m| m.body.contains("/circle/join/"))
    })
    .await;
    let at = mail.body.find("/circle/join/").expect("link");
    let link: String = mail.body[at..].split_whitespace().next().expect("link").to_string();
    let invitation = link
        .trim_end_matches(['.', ',', ')'])
        .rsplit('/')
        .next()
        .expect("token")
        .to_string();
    // The caregiver signs up and joins with the answer: the account is active.
    let lea = sign_up(&app, "lea@famille.test", "fr").await;
    let (status, r) = app
        .post(
            &format!("/circle-invitations/{invitation}/accept"),
            Some(&lea.token),
            json!({ "answer": "filou" }),
        )
        .await;
    assert_eq!(status, 200, "{r}");

    // The audit names the service account (kind "service", its id).
    let (status, r) = app
        .get(
            &format!("/org/audit?patient_id={file}&limit=200"),
            Some(&org.admin.token),
        )
        .await;
    assert_eq!(status, 200, "{r}");
    let events = r["events"].as_array().expect("events");
    for name in [
        "patient.created",
        "patient.linked",
        "circle.member_added",
        "circle.invitation_created",
        "circle.invitation_sent",
    ] {
        let e = events
            .iter()
            .find(|e| e["event"] == json!(name))
            .unwrap_or_else(|| panic!("{name} in {events:?}"));
        assert_eq!(
            (e["actor_kind"].as_str(), e["actor_id"].as_str()),
            (Some("service"), Some(client_id.as_str())),
            "{e}"
        );
    }
    // Every call too, and the token issued.
    let mut conn = app.ctx().store.reader().await.expect("conn");
    use sqlx::Row;
    let rows = sqlx::query(
        "SELECT event, target_id FROM audit_events WHERE actor_kind = 'service' AND actor_id = $1 ORDER BY seq",
    )
    .bind(&client_id)
    .fetch_all(&mut *conn)
    .await
    .expect("audit");
    let seen: Vec<(String, String)> = rows
        .iter()
        .map(|r| {
            (
                r.try_get::<String, _>(0).expect("event"),
                r.try_get::<Option<String>, _>(1).expect("target").unwrap_or_default(),
            )
        })
        .collect();
    assert!(seen.iter().any(|(e, _)| e == "service.token_issued"), "{seen:?}");
    for call in [
        "POST /api/v1/patient-files/link",
        "POST /api/v1/patient-files/{id}/circle",
    ] {
        assert!(
            seen.iter().any(|(e, t)| e == "service.api_call" && t == call),
            "{call} in {seen:?}"
        );
    }
    // Only the token's hash is stored.
    let stored: i64 = sqlx::query("SELECT COUNT(*) FROM service_tokens WHERE token_hash = $1")
        .bind(&svc)
        .fetch_one(&mut *conn)
        .await
        .expect("count")
        .try_get(0)
        .expect("n");
    assert_eq!(stored, 0, "the token is never stored in clear");
}

async fn bad_assertions_are_refused_with_oauth_errors(db: Db) {
    let app = TestApp::spawn(db).await;
    let (org, _) = partner_setup(&app).await;
    let key = partner_key("k1");
    let stranger = partner_key("k1");
    let id = register(&app, &org.admin, &org, "Gustav", &["system/Patient.cru"], &[&key.jwk]).await;
    let aud = token_endpoint(&app).await;
    let now = now_secs(&app);
    let scope = "system/Patient.cru";

    // Signed by a key that is not registered (same kid).
    let a = assertion(&stranger, &id, &aud, 240, &new_jti(), now);
    assert_oauth(
        &ask_token(&app, &a, scope).await,
        401,
        "invalid_client",
        "oauth-bad-signature",
    );
    // Another audience.
    let a = assertion(&key, &id, "https://elsewhere.test/token", 240, &new_jti(), now);
    assert_oauth(
        &ask_token(&app, &a, scope).await,
        401,
        "invalid_client",
        "oauth-bad-audience",
    );
    // An unknown client.
    let other = cercle_domain::ServiceAccountId::new().to_string();
    let a = assertion(&key, &other, &aud, 240, &new_jti(), now);
    assert_oauth(
        &ask_token(&app, &a, scope).await,
        401,
        "invalid_client",
        "oauth-unknown-client",
    );
    // Expired, and living too long.
    let a = assertion(&key, &id, &aud, -5, &new_jti(), now);
    assert_oauth(
        &ask_token(&app, &a, scope).await,
        400,
        "invalid_grant",
        "oauth-assertion-expired",
    );
    let a = assertion(&key, &id, &aud, 3600, &new_jti(), now);
    assert_oauth(
        &ask_token(&app, &a, scope).await,
        400,
        "invalid_grant",
        "oauth-assertion-too-long",
    );
    // A scope not granted, and one that does not exist.
    let a = assertion(&key, &id, &aud, 240, &new_jti(), now);
    assert_oauth(
        &ask_token(&app, &a, "system/Patient.cru cercle/circle.invite").await,
        400,
        "invalid_scope",
        "oauth-invalid-scope",
    );
    let a = assertion(&key, &id, &aud, 240, &new_jti(), now);
    assert_oauth(
        &ask_token(&app, &a, "system/*.*").await,
        400,
        "invalid_scope",
        "oauth-invalid-scope",
    );
    // A replayed jti: the first use works, the second is refused.
    let jti = new_jti();
    let a = assertion(&key, &id, &aud, 240, &jti, now);
    let (status, t) = ask_token(&app, &a, scope).await;
    assert_eq!(status, 200, "{t}");
    let svc = t["access_token"].as_str().expect("token").to_string();
    let again = assertion(&key, &id, &aud, 200, &jti, now);
    assert_oauth(
        &ask_token(&app, &again, scope).await,
        400,
        "invalid_grant",
        "oauth-jti-replayed",
    );
    // Another grant type.
    let r = app
        .http
        .post(format!("{}/oauth/token", app.url))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept-language", "en")
        .body("grant_type=password&username=a&password=b")
        .send()
        .await
        .expect("request");
    let answer = (r.status().as_u16(), r.json::<Value>().await.expect("json"));
    assert_oauth(&answer, 400, "unsupported_grant_type", "oauth-unsupported-grant-type");

    // The token works until the account is disabled; then it and new
    // assertions are refused.
    let (status, _) = app.get("/patient-files", Some(&svc)).await;
    assert_eq!(status, 200);
    let (status, a) = patch(
        &app,
        &format!("/admin/service-accounts/{id}"),
        &org.admin.token,
        json!({ "disabled": true }),
    )
    .await;
    assert_eq!((status, a["disabled"].as_bool()), (200, Some(true)), "{a}");
    let (status, e) = app.get("/patient-files", Some(&svc)).await;
    assert_eq!((status, e["code"].as_str()), (401, Some("not-authenticated")), "{e}");
    let a = assertion(&key, &id, &aud, 240, &new_jti(), now);
    assert_oauth(
        &ask_token(&app, &a, scope).await,
        401,
        "invalid_client",
        "oauth-client-disabled",
    );

    // A token past its five minutes is refused.
    let (status, _) = patch(
        &app,
        &format!("/admin/service-accounts/{id}"),
        &org.admin.token,
        json!({ "disabled": false }),
    )
    .await;
    assert_eq!(status, 200);
    let a = assertion(&key, &id, &aud, 240, &new_jti(), now_secs(&app));
    let (status, t) = ask_token(&app, &a, scope).await;
    assert_eq!(status, 200, "{t}");
    let svc = t["access_token"].as_str().expect("token").to_string();
    app.advance(301);
    let (status, _) = app.get("/patient-files", Some(&svc)).await;
    assert_eq!(status, 401);

    // Refusals are audited against the account.
    let mut conn = app.ctx().store.reader().await.expect("conn");
    use sqlx::Row;
    let reasons: Vec<String> =
        sqlx::query("SELECT scopes FROM audit_events WHERE event = 'service.token_refused' AND target_id = $1")
            .bind(&id)
            .fetch_all(&mut *conn)
            .await
            .expect("audit")
            .iter()
            .map(|r| r.try_get::<String, _>(0).expect("scopes"))
            .collect();
    for reason in ["oauth-bad-signature", "oauth-jti-replayed", "oauth-client-disabled"] {
        assert!(reasons.iter().any(|r| r.contains(reason)), "{reason} in {reasons:?}");
    }
}

async fn a_service_token_reaches_only_what_its_scopes_open(db: Db) {
    let app = TestApp::spawn(db).await;
    let (org, _) = partner_setup(&app).await;
    let key = partner_key("k1");
    let id = register(
        &app,
        &org.admin,
        &org,
        "DME Partenaire",
        &["system/Patient.cru", "cercle/directory.read"],
        &[&key.jwk],
    )
    .await;
    let files_only = token(&app, &key, &id, "system/Patient.cru").await;
    let directory = token(&app, &key, &id, "cercle/directory.read").await;
    let file = created_file(&app, &files_only).await;

    // Outside every service operation: 403 service-not-allowed.
    let refused = |(status, body): (u16, Value)| {
        assert_eq!(
            (status, body["code"].as_str()),
            (403, Some("service-not-allowed")),
            "{body}"
        );
    };
    refused(app.get("/account", Some(&files_only)).await);
    refused(app.get("/auth/session", Some(&files_only)).await);
    refused(app.get("/threads", Some(&files_only)).await);
    refused(app.get("/org/members", Some(&files_only)).await);
    refused(app.get("/admin/service-accounts", Some(&files_only)).await);
    refused(app.get("/admin/audit", Some(&files_only)).await);
    refused(
        app.post(&format!("/patient-files/{file}/archive"), Some(&files_only), json!({}))
            .await,
    );
    refused(
        app.get(&format!("/patient-files/{file}/channels"), Some(&files_only))
            .await,
    );
    refused(app.post("/threads", Some(&files_only), json!({ "title": "x" })).await);
    refused(app.get("/notifications", Some(&files_only)).await);

    // A service operation whose scope the token lacks: 403 forbidden.
    let (status, e) = app
        .post(
            &format!("/patient-files/{file}/circle"),
            Some(&files_only),
            json!({ "section": "responsible", "first_name": "A", "last_name": "B", "email": "a@b.test" }),
        )
        .await;
    assert_eq!((status, e["code"].as_str()), (403, Some("forbidden")), "{e}");
    let (status, _) = app.get(&format!("/patient-files/{file}"), Some(&directory)).await;
    assert_eq!(status, 403);
    let fhir = |token: String, path: &'static str| {
        let app = &app;
        async move {
            let r = app
                .http
                .get(format!("{}/fhir{path}", app.url))
                .bearer_auth(token)
                .send()
                .await
                .expect("fhir");
            (r.status().as_u16(), r.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let (status, outcome) = fhir(files_only.clone(), "/Practitioner").await;
    assert_eq!(
        (status, outcome["resourceType"].as_str()),
        (403, Some("OperationOutcome")),
        "{outcome}"
    );

    // With the directory scope: the FHIR directory and the network's search.
    let (status, bundle) = fhir(directory.clone(), "/Practitioner?name=nadia").await;
    assert_eq!(
        (status, bundle["resourceType"].as_str()),
        (200, Some("Bundle")),
        "{bundle}"
    );
    let (status, _) = fhir(directory.clone(), "/Organization").await;
    assert_eq!(status, 200);
    let (status, r) = app.get("/network/search?q=nadia", Some(&directory)).await;
    assert_eq!(status, 200, "{r}");

    // An unknown token of the service kind: 401.
    let (status, _) = app.get("/patient-files", Some("svc_not-a-token")).await;
    assert_eq!(status, 401);
}

/// `PATCH /api/v1{path}` with a JSON body.
async fn patch(app: &TestApp, path: &str, token: &str, body: Value) -> (u16, Value) {
    let r = app
        .http
        .patch(format!("{}/api/v1{path}", app.url))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .expect("patch");
    cercle_testkit::status_and_json(r).await
}

async fn an_rsa_key_signs_rs256_assertions(db: Db) {
    let app = TestApp::spawn(db).await;
    let (org, _) = partner_setup(&app).await;
    let rsa = rsa_partner_key("rsa-1");
    let ec = partner_key("ec-1");
    let id = register(
        &app,
        &org.admin,
        &org,
        "Gustav",
        &["system/Patient.cru"],
        &[&rsa.jwk, &ec.jwk],
    )
    .await;
    let (status, l) = app
        .get(&format!("/admin/service-accounts/{id}"), Some(&org.admin.token))
        .await;
    assert_eq!(status, 200, "{l}");
    assert_eq!(
        l["keys"],
        json!([{ "kid": "rsa-1", "kty": "RSA", "alg": "RS256" }, { "kid": "ec-1", "kty": "EC", "alg": "ES256" }]),
        "{l}"
    );
    // Either key signs: RS256 and ES256.
    let svc = token(&app, &rsa, &id, "system/Patient.cru").await;
    let (status, _) = app.get("/patient-files", Some(&svc)).await;
    assert_eq!(status, 200);
    token(&app, &ec, &id, "system/Patient.cru").await;
    // An RS256 assertion whose kid names the EC key is refused.
    let aud = token_endpoint(&app).await;
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some("ec-1".into());
    let now = now_secs(&app);
    let claims = json!({ "iss": id, "sub": id, "aud": aud, "exp": now + 60, "jti": new_jti() });
    let a = jsonwebtoken::encode(&header, &claims, &rsa.signing).expect("sign");
    assert_oauth(
        &ask_token(&app, &a, "system/Patient.cru").await,
        401,
        "invalid_client",
        "oauth-bad-signature",
    );
}

async fn created_file(app: &TestApp, svc: &str) -> String {
    let (status, f) = app
        .post(
            "/patient-files",
            Some(svc),
            json!({ "first_name": "Gérard", "last_name": "Lévesque", "birth_date": "1941-03-02", "health_insurance_number": HIN }),
        )
        .await;
    assert_eq!(status, 201, "{f}");
    f["id"].as_str().expect("id").to_string()
}

async fn administrators_register_rotate_and_disable_accounts(db: Db) {
    let app = TestApp::spawn(db).await;
    let (org, manager) = partner_setup(&app).await;
    let old = partner_key("2026-01");
    let new = partner_key("2026-02");
    let body = |jwks: Value| json!({ "name": "Leomed", "org_id": org.id, "member_email": "gestion@rivieres.test", "scopes": ["system/Patient.cru"], "jwks": jwks });

    // Only network administrators.
    let (status, _) = app.get("/admin/service-accounts", Some(&manager.token)).await;
    assert_eq!(status, 403);
    let (status, _) = app
        .post(
            "/admin/service-accounts",
            Some(&manager.token),
            body(json!({ "keys": [old.jwk] })),
        )
        .await;
    assert_eq!(status, 403);

    // Bad keys: a private part, a symmetric key, none.
    let mut private = old.jwk.clone();
    private["d"] = json!("c2VjcmV0");
    for jwks in [
        json!({ "keys": [private] }),
        json!({ "keys": [{ "kty": "oct", "k": "c2VjcmV0c2VjcmV0c2VjcmV0" }] }),
        json!({ "keys": [] }),
        json!({ "not": "a set" }),
    ] {
        let (status, e) = app
            .post("/admin/service-accounts", Some(&org.admin.token), body(jwks))
            .await;
        assert_eq!((status, e["code"].as_str()), (422, Some("service-keys-invalid")), "{e}");
    }
    // An unknown scope; a member who is not of the organization.
    let mut b = body(json!({ "keys": [old.jwk] }));
    b["scopes"] = json!(["system/*.*"]);
    let (status, e) = app.post("/admin/service-accounts", Some(&org.admin.token), b).await;
    assert_eq!(
        (status, e["code"].as_str()),
        (422, Some("service-scope-unknown")),
        "{e}"
    );
    sign_up(&app, "ailleurs@autre.test", "fr").await;
    let mut b = body(json!({ "keys": [old.jwk] }));
    b["member_email"] = json!("ailleurs@autre.test");
    let (status, e) = app.post("/admin/service-accounts", Some(&org.admin.token), b).await;
    assert_eq!(
        (status, e["code"].as_str()),
        (422, Some("service-member-not-found")),
        "{e}"
    );

    let id = register(&app, &org.admin, &org, "Leomed", &["system/Patient.cru"], &[&old.jwk]).await;
    let (status, e) = app
        .post(
            "/admin/service-accounts",
            Some(&org.admin.token),
            body(json!({ "keys": [old.jwk] })),
        )
        .await;
    assert_eq!(
        (status, e["code"].as_str()),
        (409, Some("service-account-name-taken")),
        "{e}"
    );
    let (status, l) = app.get("/admin/service-accounts", Some(&org.admin.token)).await;
    assert_eq!(status, 200, "{l}");
    let listed = &l["service_accounts"][0];
    assert_eq!(listed["id"].as_str(), Some(id.as_str()), "{l}");
    assert_eq!(listed["member_email"].as_str(), Some("gestion@rivieres.test"), "{l}");
    assert_eq!(
        listed["keys"],
        json!([{ "kid": "2026-01", "kty": "EC", "alg": "ES256" }]),
        "{l}"
    );

    // Rotation: the new key beside the old, then the new alone.
    let old_token = token(&app, &old, &id, "system/Patient.cru").await;
    let (status, a) = patch(
        &app,
        &format!("/admin/service-accounts/{id}"),
        &org.admin.token,
        json!({ "jwks": { "keys": [old.jwk, new.jwk] } }),
    )
    .await;
    assert_eq!((status, a["keys"].as_array().map(Vec::len)), (200, Some(2)), "{a}");
    // Tokens issued before the change end.
    let (status, _) = app.get("/patient-files", Some(&old_token)).await;
    assert_eq!(status, 401);
    token(&app, &old, &id, "system/Patient.cru").await;
    token(&app, &new, &id, "system/Patient.cru").await;
    let (status, _) = patch(
        &app,
        &format!("/admin/service-accounts/{id}"),
        &org.admin.token,
        json!({ "jwks": { "keys": [new.jwk] } }),
    )
    .await;
    assert_eq!(status, 200);
    let aud = token_endpoint(&app).await;
    let a = assertion(&old, &id, &aud, 240, &new_jti(), now_secs(&app));
    assert_oauth(
        &ask_token(&app, &a, "system/Patient.cru").await,
        401,
        "invalid_client",
        "oauth-bad-signature",
    );
    token(&app, &new, &id, "system/Patient.cru").await;

    // Every change is in the network's audit log.
    let mut conn = app.ctx().store.reader().await.expect("conn");
    use sqlx::Row;
    let admin_id = crate::helpers::id_of(&app, &org.admin).await;
    let events: Vec<(String, String)> = sqlx::query(
        "SELECT event, actor_id FROM audit_events WHERE target_type = 'service_account' AND actor_kind = 'user' ORDER BY seq",
    )
    .fetch_all(&mut *conn)
    .await
    .expect("audit")
    .iter()
    .map(|r| (r.try_get::<String, _>(0).expect("event"), r.try_get::<String, _>(1).expect("actor")))
    .collect();
    assert_eq!(
        events.iter().map(|(e, _)| e.as_str()).collect::<Vec<_>>(),
        [
            "service.account_created",
            "service.keys_replaced",
            "service.keys_replaced"
        ],
        "{events:?}"
    );
    assert!(events.iter().all(|(_, a)| *a == admin_id), "{events:?}");
}

/// Sets a field's value at once (a JWK set is long to type key by key).
async fn set_value(b: &cercle_testkit::browser::Browser, css: &str, value: &str) {
    b.wait_for(css).await;
    let done = b
        .execute(
            "const e = document.querySelector(arguments[0]); e.value = arguments[1]; return true;",
            vec![json!(css), json!(value)],
        )
        .await;
    assert_eq!(done.ok(), Some(json!(true)), "{css}");
}

/// The administration page in Chromium: a network administrator registers
/// a partner's account, replaces its keys and disables it; the page is
/// axe-clean in French and English, at 1280 and 375 px.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_service_accounts_page_registers_rotates_and_disables() {
    use cercle_testkit::browser::Browser;
    let app = TestApp::spawn(Db::Sqlite).await;
    let (org, _) = partner_setup(&app).await;
    let Some(b) = Browser::launch(&app.url, cercle_domain::Language::Fr).await else {
        return;
    };
    let nth = crate::helpers::count_sign_in_mails(&app, &org.admin.email) + 1;
    cercle_testkit::people::sign_in_pages(&app, &b, &org.admin.email, nth).await;
    b.goto("/admin/service-accounts").await;
    b.wait_for("[data-testid='svc-empty']").await;
    b.assert_accessible("the empty service accounts page (fr)").await;

    // Keys with a private part are refused, with what was typed kept.
    let key = partner_key("2026-01");
    let mut private = key.jwk.clone();
    private["d"] = json!("c2VjcmV0");
    b.fill("#svc-name", "Leomed").await;
    b.select("#svc-org", &org.id).await;
    b.fill("#svc-member", "gestion@rivieres.test").await;
    b.click("input[name='scope'][value='system/Patient.cru']").await;
    set_value(&b, "#svc-jwks", &json!({ "keys": [private] }).to_string()).await;
    b.submit_form("form[action='/admin/service-accounts']").await;
    b.wait_for_text(&cercle_i18n::t(
        cercle_domain::Language::Fr,
        "error-service-keys-invalid",
    ))
    .await;
    assert_eq!(
        b.execute("return document.querySelector('#svc-name').value;", vec![])
            .await
            .ok(),
        Some(json!("Leomed"))
    );
    b.assert_accessible("the refused registration (fr)").await;

    set_value(&b, "#svc-jwks", &json!({ "keys": [key.jwk] }).to_string()).await;
    b.submit_form("form[action='/admin/service-accounts']").await;
    b.wait_for_text(&cercle_i18n::t(cercle_domain::Language::Fr, "svc-created"))
        .await;
    let (status, l) = app.get("/admin/service-accounts", Some(&org.admin.token)).await;
    assert_eq!(status, 200, "{l}");
    let id = l["service_accounts"][0]["id"].as_str().expect("registered").to_string();
    assert_eq!(l["service_accounts"][0]["scopes"], json!(["system/Patient.cru"]), "{l}");
    b.wait_for(&format!("li[data-service='{id}']")).await;
    for width in [1280, 375] {
        b.resize(width, 900).await;
        b.assert_accessible(&format!("the service accounts page at {width} px (fr)"))
            .await;
    }
    b.resize(1280, 900).await;

    // Rotation: the new key beside the old.
    let new = partner_key("2026-02");
    b.click(&format!("li[data-service='{id}'] details summary")).await;
    set_value(
        &b,
        &format!("#svc-{id}-jwks"),
        &json!({ "keys": [key.jwk, new.jwk] }).to_string(),
    )
    .await;
    b.submit_form(&format!("form[action='/admin/service-accounts/{id}/keys']"))
        .await;
    b.wait_for_text(&cercle_i18n::t(cercle_domain::Language::Fr, "svc-keys-replaced"))
        .await;
    b.assert_text("2026-02").await;

    // Disabled, in English.
    b.submit_form("header form.langswitch").await;
    b.submit_form(&format!("form[action='/admin/service-accounts/{id}/status']"))
        .await;
    b.wait_for_text(&cercle_i18n::t(cercle_domain::Language::En, "svc-disabled-done"))
        .await;
    b.wait_for(&format!("li[data-service='{id}'] [data-testid='svc-disabled']"))
        .await;
    for width in [1280, 375] {
        b.resize(width, 900).await;
        b.assert_accessible(&format!("the service accounts page at {width} px (en)"))
            .await;
    }
    let (_, a) = app
        .get(&format!("/admin/service-accounts/{id}"), Some(&org.admin.token))
        .await;
    assert_eq!(
        (a["disabled"].as_bool(), a["keys"].as_array().map(Vec::len)),
        (Some(true), Some(2)),
        "{a}"
    );
    b.quit().await;
}
