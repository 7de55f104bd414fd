//! `Idempotency-Key`: a client that lost the answer sends the same request
//! again with the same key and gets the first answer, not a duplicate — for
//! message posts, uploads, thread and patient-file creation; per person,
//! for 24 hours, even when the two requests arrive at once.

use crate::backends;
use crate::helpers::{admin_and_two_members, clinical_thread, id_of, sign_in_by_email, Person};
use cercle_testkit::{status_and_json, Db, TestApp};
use serde_json::{json, Value};

backends!(
    a_repeated_message_post_creates_one_message,
    concurrent_duplicates_create_one_message,
    uploads_threads_and_patient_files_are_created_once,
);

/// A request with an `Idempotency-Key`.
async fn send(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    p: &Person,
    key: Option<&str>,
    body: RequestBody,
) -> (u16, Value) {
    let mut req = app
        .http
        .request(method, format!("{}/api/v1{path}", app.url))
        .bearer_auth(&p.token);
    if let Some(k) = key {
        let value = reqwest::header::HeaderValue::from_bytes(k.as_bytes()).expect("header value");
        req = req.header("Idempotency-Key", value);
    }
    req = match body {
        RequestBody::Json(v) => req.json(&v),
        RequestBody::Bytes(b) => req.body(b),
    };
    let r = req.send().await.expect("request");
    status_and_json(r).await
}

enum RequestBody {
    Json(Value),
    Bytes(Vec<u8>),
}

async fn post_message(app: &TestApp, p: &Person, thread: &str, key: Option<&str>, body: &str) -> (u16, Value) {
    send(
        app,
        reqwest::Method::POST,
        &format!("/threads/{thread}/messages"),
        p,
        key,
        RequestBody::Json(json!({ "body": body })),
    )
    .await
}

async fn bodies(app: &TestApp, p: &Person, thread: &str) -> Vec<String> {
    let (status, r) = app.get(&format!("/threads/{thread}/messages"), Some(&p.token)).await;
    assert_eq!(status, 200, "{r}");
    r["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .filter_map(|m| m["body"].as_str().map(str::to_string))
        .collect()
}

fn count(list: &[String], body: &str) -> usize {
    list.iter().filter(|b| b.as_str() == body).count()
}

async fn a_repeated_message_post_creates_one_message(db: Db) {
    let app = TestApp::spawn(db).await;
    let (a, b, _) = admin_and_two_members(&app).await;
    let thread = clinical_thread(&app, &a, &[&b], "Suivi de plaie").await;
    let key = "5b0f6c1e-3a51-4c8e-9a7d-2f1e0c9b8a71";

    let (s1, first) = post_message(&app, &a, &thread, Some(key), "Pansement refait à 10 h.").await;
    assert_eq!(s1, 201, "{first}");
    // The answer was lost; the client sends it again.
    let (s2, again) = post_message(&app, &a, &thread, Some(key), "Pansement refait à 10 h.").await;
    assert_eq!((s2, &again), (201, &first), "the first answer, as it was");
    assert_eq!(count(&bodies(&app, &a, &thread).await, "Pansement refait à 10 h."), 1);

    // Another person's identical key is theirs.
    let (s, other) = post_message(&app, &b, &thread, Some(key), "Pansement refait à 10 h.").await;
    assert_eq!(s, 201, "{other}");
    assert_ne!(other["id"], first["id"]);
    assert_eq!(count(&bodies(&app, &a, &thread).await, "Pansement refait à 10 h."), 2);

    // The same key for another request: refused, translated, nothing posted.
    let (s, r) = post_message(&app, &a, &thread, Some(key), "Autre chose").await;
    assert_eq!((s, r["code"].as_str()), (422, Some("idempotency-key-reused")), "{r}");
    assert!(
        r["message"].as_str().is_some_and(|m| m.contains("Idempotency-Key")),
        "{r}"
    );
    assert_eq!(count(&bodies(&app, &a, &thread).await, "Autre chose"), 0);

    // Keys: 1 to 100 printable ASCII characters.
    for bad in [String::new(), "k".repeat(101), "clé".to_string(), "a\tb".to_string()] {
        let (s, r) = send(
            &app,
            reqwest::Method::POST,
            &format!("/threads/{thread}/messages"),
            &a,
            Some(&bad),
            RequestBody::Json(json!({ "body": "Jamais" })),
        )
        .await;
        assert_eq!(
            (s, r["code"].as_str()),
            (422, Some("idempotency-key-invalid")),
            "{bad:?}: {r}"
        );
    }
    let (s, _) = post_message(&app, &a, &thread, Some(&"k".repeat(100)), "Cent").await;
    assert_eq!(s, 201);
    assert_eq!(count(&bodies(&app, &a, &thread).await, "Jamais"), 0);

    // Without a key, two posts are two messages.
    post_message(&app, &a, &thread, None, "Deux fois").await;
    post_message(&app, &a, &thread, None, "Deux fois").await;
    assert_eq!(count(&bodies(&app, &a, &thread).await, "Deux fois"), 2);

    // A day later the key is forgotten (sign in again: the session locked).
    app.advance(24 * 3600 + 60);
    let a = Person {
        token: sign_in_by_email(&app, &a.email, 1).await,
        ..a
    };
    let (s, later) = post_message(&app, &a, &thread, Some(key), "Pansement refait à 10 h.").await;
    assert_eq!(s, 201, "{later}");
    assert_ne!(later["id"], first["id"], "a new message");
    assert_eq!(count(&bodies(&app, &a, &thread).await, "Pansement refait à 10 h."), 3);
}

async fn concurrent_duplicates_create_one_message(db: Db) {
    let app = TestApp::spawn(db).await;
    let (a, b, _) = admin_and_two_members(&app).await;
    let thread = clinical_thread(&app, &a, &[&b], "Deux clics").await;
    for round in 0..5 {
        let key = format!("double-{round}");
        let body = format!("Une seule fois {round}");
        let (r1, r2, r3) = tokio::join!(
            post_message(&app, &a, &thread, Some(&key), &body),
            post_message(&app, &a, &thread, Some(&key), &body),
            post_message(&app, &a, &thread, Some(&key), &body),
        );
        for (s, r) in [&r1, &r2, &r3] {
            assert_eq!(*s, 201, "{r}");
        }
        assert_eq!(r1.1["id"], r2.1["id"]);
        assert_eq!(r1.1["id"], r3.1["id"]);
        assert_eq!(count(&bodies(&app, &a, &thread).await, &body), 1, "round {round}");
    }
}

fn png(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_pixel(w, h, image::Rgb([30, 120, 200]));
    let mut out = Vec::new();
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

async fn uploads_threads_and_patient_files_are_created_once(db: Db) {
    let app = TestApp::spawn(db).await;
    let (a, b, _) = admin_and_two_members(&app).await;

    // A patient file.
    let file = json!({ "first_name": "Yvette", "last_name": "Poirier", "birth_date": "1950-07-14" });
    let create_file = async |key: &str, body: &Value| {
        send(
            &app,
            reqwest::Method::POST,
            "/patient-files",
            &a,
            Some(key),
            RequestBody::Json(body.clone()),
        )
        .await
    };
    let (s1, f1) = create_file("dossier-1", &file).await;
    assert_eq!(s1, 201, "{f1}");
    let (s2, f2) = create_file("dossier-1", &file).await;
    assert_eq!((s2, &f2), (201, &f1));
    let (_, list) = app.get("/patient-files?q=Poirier", Some(&a.token)).await;
    assert_eq!(list["patient_files"].as_array().map(Vec::len), Some(1), "{list}");
    let other = json!({ "first_name": "Yvon", "last_name": "Poirier", "birth_date": "1950-07-14" });
    let (s, r) = create_file("dossier-1", &other).await;
    assert_eq!((s, r["code"].as_str()), (422, Some("idempotency-key-reused")), "{r}");

    // A thread.
    let b_id = id_of(&app, &b).await;
    let thread = json!({ "kind": "clinical", "patient_file_id": f1["id"], "title": "Chute à domicile",
        "participants": [{ "kind": "user", "id": b_id }] });
    let create_thread = async || {
        send(
            &app,
            reqwest::Method::POST,
            "/threads",
            &a,
            Some("fil-1"),
            RequestBody::Json(thread.clone()),
        )
        .await
    };
    let (s1, t1) = create_thread().await;
    assert_eq!(s1, 201, "{t1}");
    let (s2, t2) = create_thread().await;
    assert_eq!((s2, &t2["id"]), (201, &t1["id"]), "{t2}");
    let (_, threads) = app.get("/threads", Some(&a.token)).await;
    let same_title = threads["threads"]
        .as_array()
        .expect("threads")
        .iter()
        .filter(|t| t["title"] == "Chute à domicile")
        .count();
    assert_eq!(same_title, 1, "{threads}");

    // An upload.
    let tid = t1["id"].as_str().expect("id");
    let photo = png(64, 48);
    let upload = async |key: &str, bytes: Vec<u8>| {
        send(
            &app,
            reqwest::Method::PUT,
            &format!("/threads/{tid}/files?name=plaie.png&kind=photo"),
            &a,
            Some(key),
            RequestBody::Bytes(bytes),
        )
        .await
    };
    let (s1, u1) = upload("photo-1", photo.clone()).await;
    assert_eq!(s1, 201, "{u1}");
    let (s2, u2) = upload("photo-1", photo.clone()).await;
    assert_eq!((s2, &u2), (201, &u1));
    let (_, gallery) = app.get(&format!("/threads/{tid}/attachments"), Some(&a.token)).await;
    assert_eq!(gallery["attachments"].as_array().map(Vec::len), Some(1), "{gallery}");
    let (s, r) = upload("photo-1", png(48, 64)).await;
    assert_eq!((s, r["code"].as_str()), (422, Some("idempotency-key-reused")), "{r}");
    let (s, _) = upload("photo-2", photo).await;
    assert_eq!(s, 201, "another key, another upload");
}

/// The page's form carries a key made when it is shown: posted twice at
/// once (a double click, a resend), it opens one patient file; shown again,
/// it has a new key.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_form_posted_twice_opens_one_patient_file() {
    let app = TestApp::spawn(Db::Sqlite).await;
    let (a, _, _) = admin_and_two_members(&app).await;
    let Some(b) = cercle_testkit::browser::Browser::launch(&app.url, cercle_domain::Language::En).await else {
        return;
    };
    crate::helpers::sign_in_pages(&app, &b, &a.email, 1).await;
    b.goto("/patients/new").await;
    b.wait_for("form[data-testid=new-patient-form] input[name=idempotency_key]")
        .await;
    b.fill("#pf-new-first", "Rosaire").await;
    b.fill("#pf-new-last", "Deschênes").await;
    b.execute(
        "document.querySelector('#pf-new-birth').value = '1938-11-20'; return true;",
        vec![],
    )
    .await
    .expect("birth date");
    let statuses = b
        .execute(
            "const form = document.querySelector('form[data-testid=new-patient-form]');
             const post = () => fetch('/patients', { method: 'POST', body: new URLSearchParams(new FormData(form)),
               credentials: 'same-origin', redirect: 'manual' }).then((r) => r.type + ':' + r.status);
             return Promise.all([post(), post()]);",
            vec![],
        )
        .await
        .expect("two posts");
    assert_eq!(
        statuses,
        json!(["opaqueredirect:0", "opaqueredirect:0"]),
        "both answered with the file"
    );
    let (_, list) = app.get("/patient-files?q=Deschenes", Some(&a.token)).await;
    assert_eq!(list["patient_files"].as_array().map(Vec::len), Some(1), "{list}");
    // The form shown again has another key: a new file is a new action.
    let first = b
        .execute(
            "return document.querySelector('input[name=idempotency_key]').value;",
            vec![],
        )
        .await
        .expect("key");
    b.goto("/patients/new").await;
    let second = b
        .execute(
            "return document.querySelector('input[name=idempotency_key]').value;",
            vec![],
        )
        .await
        .expect("key");
    assert_ne!(first, second);
    b.quit().await;
}
