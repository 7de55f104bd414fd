//! System texts in each reader's language (issue 14, item 6), on SQLite and
//! PostgreSQL: an English-speaking nurse updates a pinned document of a
//! French patient's care channel; the thread it opens ("Updated document:
//! …") reads in French for the patient and in English for the nurse, on
//! their pages, through the API (key and arguments given too) and in the
//! PDF export; a row written before system texts existed keeps its text.
//! An API caller with a bearer token and no Accept-Language is answered in
//! their account's language; a header they send wins.

use crate::backends;
use crate::channels_api::{clinic, upload};
use crate::circle_api::join_circle;
use crate::helpers::{care_channel, channel_thread, id_of, patient_file};
use crate::threads_api::pdftotext;
use cercle_testkit::people::signed_in_client;
use cercle_testkit::{Db, TestApp};
use serde_json::{json, Value};

backends!(
    a_system_text_reads_in_each_readers_language,
    a_bearer_without_accept_language_reads_its_accounts_language,
);

const FR_TITLE: &str = "Document mis à jour : plan.pdf";
const EN_TITLE: &str = "Updated document: plan.pdf";

async fn set_language(app: &TestApp, token: &str, language: &str) {
    let (status, r) = app
        .put("/account/language", Some(token), json!({ "language": language }))
        .await;
    assert_eq!(status, 204, "{r}");
}

/// The thread `id` among a list's `threads`.
fn listed<'a>(list: &'a Value, id: &str) -> &'a Value {
    list["threads"]
        .as_array()
        .and_then(|a| a.iter().find(|t| t["id"] == id))
        .unwrap_or_else(|| panic!("{id} not listed: {list}"))
}

/// GET through the API with an explicit Accept-Language.
async fn get_in(app: &TestApp, path: &str, token: &str, accept: &str) -> (u16, Value) {
    let r = app
        .http
        .get(format!("{}/api/v1{path}", app.url))
        .bearer_auth(token)
        .header("accept-language", accept)
        .send()
        .await
        .expect("request");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn pdf_text(app: &TestApp, token: &str, thread: &str) -> String {
    let r = app
        .http
        .get(format!("{}/api/v1/threads/{thread}/export.pdf", app.url))
        .bearer_auth(token)
        .send()
        .await
        .expect("export");
    assert_eq!(r.status().as_u16(), 200);
    let pdf = r.bytes().await.expect("pdf");
    pdftotext(&pdf).unwrap_or_default()
}

async fn a_system_text_reads_in_each_readers_language(db: Db) {
    let app = TestApp::spawn(db).await;
    let k = clinic(&app).await;
    let (a, nurse) = (&k.a, &k.b);
    // The nurse reads English; the patient, French (their sign-up language).
    set_language(&app, &nurse.token, "en").await;
    let file = patient_file(&app, a, "Gérard", "Lévesque", "1948-05-17").await;
    let (patient, p_member) = join_circle(&app, a, &file, "patient", "gerard@maison.test").await;
    let nurse_id = id_of(&app, nurse).await;
    let ch = care_channel(
        &app,
        a,
        &file,
        "Équipe de soins",
        json!([{ "kind": "user", "id": nurse_id }, { "kind": "circle", "id": p_member }]),
    )
    .await;
    let ch_id = ch["id"].as_str().unwrap().to_string();
    let t = channel_thread(&app, a, &ch_id, "Plan de traitement", "Voici le plan.").await;
    let tid = t["id"].as_str().unwrap();
    let (status, m) = upload(
        &app,
        a,
        &format!("/threads/{tid}/files?name=plan.pdf"),
        b"%PDF-1.4\n% v1\n%%EOF\n".to_vec(),
    )
    .await;
    assert_eq!(status, 201, "{m}");
    let (status, doc) = app
        .post(
            &format!("/channels/{ch_id}/pinned"),
            Some(&a.token),
            json!({ "attachment_id": m["attachments"][0]["id"] }),
        )
        .await;
    assert_eq!(status, 201, "{doc}");
    let doc_id = doc["id"].as_str().unwrap();

    // The English nurse updates the document: a thread opens in the channel.
    let (status, d2) = upload(
        &app,
        nurse,
        &format!("/pinned/{doc_id}/versions?name=plan.pdf"),
        b"%PDF-1.4\n% v2\n%%EOF\n".to_vec(),
    )
    .await;
    assert_eq!(status, 201, "{d2}");
    let new_thread = d2["versions"][1]["thread_id"].as_str().unwrap().to_string();

    // A thread written before system texts existed: its stored text only.
    let old_id = cercle_domain::ThreadId::new();
    let old_thread = old_id.to_string();
    {
        let mut tx = app.ctx().store.begin().await.expect("tx");
        cercle_store::threads::insert_thread(
            &mut tx,
            &cercle_store::threads::NewThread {
                id: old_id,
                kind: cercle_domain::threads::ThreadKind::Clinical,
                org_id: Some(k.org.parse().unwrap()),
                patient_file_id: Some(file.parse().unwrap()),
                title: "Updated document: ancien.pdf",
                title_text: None,
                folded_title: "updated document ancien pdf",
                high_priority: false,
                created_by: nurse_id.parse().unwrap(),
                direct_key: None,
                channel_id: Some(ch_id.parse().unwrap()),
            },
            app.ctx().clock.now(),
        )
        .await
        .expect("old thread");
        tx.commit().await.expect("commit");
    }

    // The API: each reader's language, with the key and its arguments.
    for (who, title) in [(&patient, FR_TITLE), (nurse, EN_TITLE), (a, FR_TITLE)] {
        let (status, list) = app.get(&format!("/channels/{ch_id}/threads"), Some(&who.token)).await;
        assert_eq!(status, 200, "{list}");
        let found = listed(&list, &new_thread);
        assert_eq!(found["title"], title, "{found}");
        assert_eq!(found["title_text"]["key"], "chan-updated-document", "{found}");
        assert_eq!(found["title_text"]["args"]["name"], "plan.pdf", "{found}");
        let old = listed(&list, &old_thread);
        assert_eq!(
            (old["title"].as_str(), &old["title_text"]),
            (Some("Updated document: ancien.pdf"), &Value::Null),
            "{old}"
        );
        let (status, shown) = app.get(&format!("/threads/{new_thread}"), Some(&who.token)).await;
        assert_eq!((status, shown["title"].as_str()), (200, Some(title)), "{shown}");
        let (_, mine) = app.get("/threads", Some(&who.token)).await;
        assert_eq!(listed(&mine, &new_thread)["title"], title, "{mine}");
    }
    // What the caller asks for wins over the account's language.
    let (_, shown) = get_in(&app, &format!("/threads/{new_thread}"), &nurse.token, "fr-CA,fr;q=0.9").await;
    assert_eq!(shown["title"], FR_TITLE, "{shown}");
    let (_, shown) = get_in(&app, &format!("/threads/{new_thread}"), &patient.token, "en").await;
    assert_eq!(shown["title"], EN_TITLE, "{shown}");
    // The events the live stream replays carry the key too.
    let (events, _) = cercle_app::threads::service::events_since(app.ctx(), &nurse_id, 0, 10_000)
        .await
        .expect("events");
    let created = events
        .iter()
        .find(|e| e.thread_id == new_thread && e.kind.as_str() == "thread_created")
        .expect("thread_created");
    assert_eq!(
        created.data["title_text"]["key"], "chan-updated-document",
        "{:?}",
        created.data
    );

    // The pages: the patient's care space and thread, the nurse's channel
    // and thread, each in its reader's language.
    let (web, _, _) = signed_in_client(&app, &patient.email, 1, "/care").await;
    for path in [format!("/care/{ch_id}"), format!("/threads/{new_thread}")] {
        let html = web
            .get(format!("{}{path}", app.url))
            .send()
            .await
            .expect("page")
            .text()
            .await
            .expect("html");
        assert!(html.contains(FR_TITLE) && !html.contains(EN_TITLE), "{path}: {html}");
        if path.starts_with("/care") {
            assert!(html.contains("Updated document: ancien.pdf"), "{path}: {html}");
        }
    }
    let (web, _, _) = signed_in_client(&app, &nurse.email, 1, "/").await;
    for path in [format!("/channels/{ch_id}"), format!("/threads/{new_thread}")] {
        let html = web
            .get(format!("{}{path}", app.url))
            .send()
            .await
            .expect("page")
            .text()
            .await
            .expect("html");
        assert!(html.contains(EN_TITLE) && !html.contains(FR_TITLE), "{path}: {html}");
    }

    // The PDF export: in the exporter's language.
    let (status, r) = app
        .post(&format!("/threads/{new_thread}/close"), Some(&nurse.token), json!({}))
        .await;
    assert_eq!(status, 204, "{r}");
    if std::env::var("CERCLE_SKIP_PDFTOTEXT").as_deref() == Ok("1") {
        cercle_testkit::report_skipped("CERCLE_SKIP_PDFTOTEXT=1, the exported PDFs' titles are NOT checked");
    } else {
        let en = pdf_text(&app, &nurse.token, &new_thread).await;
        assert!(en.contains(EN_TITLE) && !en.contains(FR_TITLE), "{en}");
        let fr = pdf_text(&app, &a.token, &new_thread).await;
        assert!(fr.contains(FR_TITLE) && !fr.contains(EN_TITLE), "{fr}");
    }
}

async fn a_bearer_without_accept_language_reads_its_accounts_language(db: Db) {
    let app = TestApp::spawn(db).await;
    let p = crate::helpers::sign_up(&app, "daniel@clinic.test", "en").await;
    const EN: &str = "This page or item does not exist.";
    const FR: &str = "Cette page ou cet élément n'existe pas.";
    let missing = "/threads/0190f1f1-0000-7000-8000-000000000000";
    // No Accept-Language: the account's language (English).
    let (status, r) = app.get(missing, Some(&p.token)).await;
    assert_eq!((status, r["message"].as_str()), (404, Some(EN)), "{r}");
    // The header wins.
    let (status, r) = get_in(&app, missing, &p.token, "fr").await;
    assert_eq!((status, r["message"].as_str()), (404, Some(FR)), "{r}");
    // The account now reads French: so does every answer without a header.
    set_language(&app, &p.token, "fr").await;
    let (status, r) = app.get(missing, Some(&p.token)).await;
    assert_eq!((status, r["message"].as_str()), (404, Some(FR)), "{r}");
    let (status, r) = get_in(&app, missing, &p.token, "en-CA").await;
    assert_eq!((status, r["message"].as_str()), (404, Some(EN)), "{r}");
    // An unknown token: the default language, and still refused.
    let (status, r) = app.get("/threads", Some("not-a-token")).await;
    assert_eq!(
        (status, r["message"].as_str()),
        (401, Some("Veuillez vous connecter.")),
        "{r}"
    );
}
