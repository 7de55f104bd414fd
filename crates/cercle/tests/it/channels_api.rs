//! Care channels through the JSON API, on SQLite and PostgreSQL: drafts
//! seen by their creator only, participants (people, teams, the patient's
//! circle) seeing every thread, threads starting with the channel's teams,
//! the author's team kept, pinned documents and their versions, observers
//! who only read, and a patient who reaches nothing but their channels.

use crate::backends;
use crate::circle_api::{join_circle, preallocate};
use crate::helpers::{care_channel, channel_thread, created_id, fleuve_and_two_members, id_of, patient_file, Person};
use cercle_testkit::{status_and_json, Db, TestApp};
use serde_json::{json, Value};

backends!(
    channels_drafts_participants_and_teams,
    pinned_documents_keep_every_version,
    a_patient_reaches_only_their_channels,
);

/// The people of a clinic: A (administrator, patient and caregiver
/// manager, team manager of the North unit), B (a member), C (team manager
/// of the South unit), the teams North and South.
pub(crate) struct Clinic {
    pub org: String,
    pub a: Person,
    pub b: Person,
    pub c: Person,
    pub north: String,
    pub south: String,
}

async fn grant(app: &TestApp, org: &str, user: &str, unit: &str, role: &str) {
    let mut tx = app.ctx().store.begin().await.expect("tx");
    cercle_store::members::grant(
        &mut tx,
        cercle_domain::GrantId::new(),
        org.parse().expect("org"),
        user.parse().expect("user"),
        unit.parse().expect("unit"),
        role.parse().expect("role"),
        app.ctx().clock.now(),
    )
    .await
    .expect("grant");
    tx.commit().await.expect("commit");
}

pub(crate) async fn clinic(app: &TestApp) -> Clinic {
    let (org, b, c) = fleuve_and_two_members(app).await;
    let a = org.admin;
    let north_unit = created_id(
        app,
        &a.token,
        "/org/units",
        json!({ "parent_id": org.root, "name": "Nord" }),
    )
    .await;
    let south_unit = created_id(
        app,
        &a.token,
        "/org/units",
        json!({ "parent_id": org.root, "name": "Sud" }),
    )
    .await;
    let north = created_id(
        app,
        &a.token,
        "/org/teams",
        json!({ "unit_id": north_unit, "name": "Soins à domicile Nord" }),
    )
    .await;
    let south = created_id(
        app,
        &a.token,
        "/org/teams",
        json!({ "unit_id": south_unit, "name": "Nutrition Sud" }),
    )
    .await;
    let a_id = id_of(app, &a).await;
    grant(app, &org.id, &a_id, &org.root, "patient_caregiver_manager").await;
    grant(app, &org.id, &a_id, &north_unit, "team_manager").await;
    grant(app, &org.id, &id_of(app, &c).await, &south_unit, "team_manager").await;
    Clinic {
        org: org.id,
        a,
        b,
        c,
        north,
        south,
    }
}

fn ids(list: &Value, key: &str) -> Vec<String> {
    list[key]
        .as_array()
        .unwrap_or(&Vec::new())
        .iter()
        .filter_map(|c| c["id"].as_str().map(str::to_string))
        .collect()
}

pub(crate) async fn upload(app: &TestApp, p: &Person, path: &str, body: Vec<u8>) -> (u16, Value) {
    let url = format!("{}/api/v1{path}", app.url);
    let req = if path.starts_with("/pinned/") {
        app.http.post(url)
    } else {
        app.http.put(url)
    };
    let r = req.bearer_auth(&p.token).body(body).send().await.expect("upload");
    status_and_json(r).await
}

/// The event kinds of a thread the person may receive (the live stream's
/// catch-up: exactly what their open tabs get).
async fn events_for(app: &TestApp, p: &Person, thread: &str) -> Vec<String> {
    let uid = id_of(app, p).await;
    let (events, _) = cercle_app::threads::service::events_since(app.ctx(), &uid, 0, 10_000)
        .await
        .expect("events");
    events
        .into_iter()
        .filter(|e| e.thread_id == thread)
        .map(|e| e.kind.as_str().to_string())
        .collect()
}

async fn channels_drafts_participants_and_teams(db: Db) {
    let app = TestApp::spawn(db).await;
    let k = clinic(&app).await;
    let (a, b, c) = (&k.a, &k.b, &k.c);
    let file = patient_file(&app, a, "Gérard", "Lévesque", "1948-05-17").await;
    let (patient, p_member) = join_circle(&app, a, &file, "patient", "gerard@maison.test").await;
    let (carer, r_member) = join_circle(&app, a, &file, "responsible", "lise@maison.test").await;
    let (watcher, o_member) = join_circle(&app, a, &file, "observer", "paul@maison.test").await;
    let later = preallocate(&app, a, &file, "responsible", "marc@maison.test").await;
    let b_id = id_of(&app, b).await;

    // Bad input, and a circle member of another file: refused.
    let (status, r) = app
        .post(
            &format!("/patient-files/{file}/channels"),
            Some(&a.token),
            json!({ "title": "  ", "participants": [] }),
        )
        .await;
    assert_eq!((status, r["code"].as_str()), (422, Some("invalid-title")), "{r}");
    let (status, r) = app
        .post(
            &format!("/patient-files/{file}/channels"),
            Some(&a.token),
            json!({ "title": "x".repeat(121), "participants": [] }),
        )
        .await;
    assert_eq!(status, 422, "{r}");
    let other_file = patient_file(&app, a, "Yvette", "Roy", "1948-05-17").await;
    let stranger = preallocate(&app, a, &other_file, "patient", "yvette@maison.test").await;
    let (status, r) = app
        .post(
            &format!("/patient-files/{file}/channels"),
            Some(&a.token),
            json!({ "title": "Équipe", "participants": [{ "kind": "circle", "id": stranger }] }),
        )
        .await;
    assert_eq!(status, 404, "another file's circle member: {r}");
    // B may not see this file: no channel from it.
    let (status, r) = app.get(&format!("/patient-files/{file}"), Some(&b.token)).await;
    assert_eq!(status, 404, "{r}");
    let (status, _) = app
        .post(
            &format!("/patient-files/{file}/channels"),
            Some(&b.token),
            json!({ "title": "Équipe", "participants": [] }),
        )
        .await;
    assert_eq!(status, 404);

    let ch = care_channel(
        &app,
        a,
        &file,
        "Équipe de soins de M. Lévesque",
        json!([
            { "kind": "user", "id": b_id },
            { "kind": "team", "id": k.north },
            { "kind": "team", "id": k.south },
            { "kind": "circle", "id": p_member },
            { "kind": "circle", "id": r_member },
            { "kind": "circle", "id": o_member },
        ]),
    )
    .await;
    let ch_id = ch["id"].as_str().unwrap().to_string();
    assert_eq!(ch["draft"], true, "{ch}");
    let parts = ch["participants"].as_array().unwrap();
    assert_eq!(parts.len(), 7, "{ch}");
    let patient_row = parts.iter().find(|p| p["id"] == p_member.as_str()).unwrap();
    assert_eq!(
        (patient_row["section"].as_str(), patient_row["state"].as_str()),
        (Some("patient"), Some("joined"))
    );

    // A draft: only its creator sees it.
    for p in [b, c, &patient, &carer] {
        let (status, _) = app.get(&format!("/channels/{ch_id}"), Some(&p.token)).await;
        assert_eq!(status, 404, "draft hidden");
        let (_, list) = app.get("/channels", Some(&p.token)).await;
        assert!(!ids(&list, "channels").contains(&ch_id), "draft not listed: {list}");
        let (status, _) = app.get(&format!("/channels/{ch_id}/threads"), Some(&p.token)).await;
        assert_eq!(status, 404);
    }
    let (_, list) = app
        .get(&format!("/patient-files/{file}/channels"), Some(&a.token))
        .await;
    assert_eq!(ids(&list, "channels"), vec![ch_id.clone()], "{list}");
    // Nobody but the creator starts it.
    let (status, _) = app
        .post(
            &format!("/channels/{ch_id}/threads"),
            Some(&b.token),
            json!({ "title": "x", "body": "y" }),
        )
        .await;
    assert_eq!(status, 404);

    // The first message starts it; the thread starts with the channel's teams.
    let t = channel_thread(&app, a, &ch_id, "Retour à domicile", "Bonjour à tous, voici le plan.").await;
    let tid = t["id"].as_str().unwrap().to_string();
    let kinds: Vec<(String, String)> = t["participants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["kind"].as_str().unwrap().into(), p["id"].as_str().unwrap().into()))
        .collect();
    assert!(kinds.contains(&("team".into(), k.north.clone())), "{t}");
    assert!(kinds.contains(&("team".into(), k.south.clone())), "{t}");
    // B is listed (every channel participant reads the thread) but through
    // the channel: managed there, not on the thread.
    let b_entry = t["participants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["kind"] == "user" && p["id"] == b_id.as_str())
        .cloned()
        .expect("B listed");
    assert_eq!(b_entry["via_channel"], true, "B is in the channel, not the thread: {t}");
    let team_north = t["participants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["kind"] == "team" && p["id"] == k.north.as_str())
        .cloned()
        .expect("north listed");
    assert_eq!(
        team_north["via_channel"], false,
        "the channel's teams start in the thread: {t}"
    );
    assert_eq!(t["patient"]["id"], file.as_str());
    let (_, shown) = app.get(&format!("/channels/{ch_id}"), Some(&a.token)).await;
    assert_eq!(shown["draft"], false, "{shown}");

    // Every participant of the channel sees every thread of it.
    for p in [b, c, &patient, &carer, &watcher] {
        let (status, got) = app.get(&format!("/channels/{ch_id}"), Some(&p.token)).await;
        assert_eq!(status, 200, "{got}");
        let (_, list) = app.get("/channels", Some(&p.token)).await;
        assert_eq!(ids(&list, "channels"), vec![ch_id.clone()], "{list}");
        let (_, threads) = app.get(&format!("/channels/{ch_id}/threads"), Some(&p.token)).await;
        assert_eq!(ids(&threads, "threads"), vec![tid.clone()], "{threads}");
        let (status, m) = app.get(&format!("/threads/{tid}/messages"), Some(&p.token)).await;
        assert_eq!(
            (status, m["messages"][0]["body"].as_str()),
            (200, Some("Bonjour à tous, voici le plan."))
        );
        assert!(
            events_for(&app, p, &tid).await.contains(&"message".to_string()),
            "live to everyone"
        );
    }
    let (_, circle_view) = app.get(&format!("/channels/{ch_id}"), Some(&patient.token)).await;
    assert_eq!(
        (circle_view["role"].as_str(), circle_view["may_manage"].as_bool()),
        (Some("circle"), Some(false))
    );
    assert!(circle_view["patient_name"].is_null(), "{circle_view}");
    // B answers, the patient and the caregiver too; the observer cannot.
    for p in [b, &patient, &carer] {
        let (status, m) = app
            .post(
                &format!("/threads/{tid}/messages"),
                Some(&p.token),
                json!({ "body": "Reçu." }),
            )
            .await;
        assert_eq!(status, 201, "{m}");
    }
    let (status, r) = app
        .post(
            &format!("/threads/{tid}/messages"),
            Some(&watcher.token),
            json!({ "body": "Moi aussi" }),
        )
        .await;
    assert_eq!(status, 403, "{r}");
    let (status, _) = app
        .put(
            &format!("/threads/{tid}/draft"),
            Some(&watcher.token),
            json!({ "body": "brouillon" }),
        )
        .await;
    assert_eq!(status, 403);
    let (status, _) = upload(
        &app,
        &watcher,
        &format!("/threads/{tid}/files?name=x.pdf"),
        b"%PDF-1.4\n%%EOF\n".to_vec(),
    )
    .await;
    assert_eq!(status, 403);
    let (status, _) = app
        .post(
            &format!("/channels/{ch_id}/threads"),
            Some(&watcher.token),
            json!({ "title": "Question", "body": "?" }),
        )
        .await;
    assert_eq!(status, 403);
    let (status, _) = app
        .post(&format!("/threads/{tid}/unread"), Some(&watcher.token), json!({}))
        .await;
    assert_eq!(status, 204, "an observer still marks unread");
    // Circle members manage nothing.
    for (path, body) in [
        (format!("/threads/{tid}/close"), json!({})),
        (format!("/threads/{tid}/duplicate"), json!({})),
        (format!("/threads/{tid}/participants"), json!({ "participants": [] })),
        (
            format!("/channels/{ch_id}/participants"),
            json!({ "kind": "user", "id": b_id }),
        ),
    ] {
        let (status, r) = app.post(&path, Some(&patient.token), body).await;
        assert_eq!(status, 403, "{path}: {r}");
    }
    let (status, _) = app
        .put(
            &format!("/threads/{tid}/priority"),
            Some(&carer.token),
            json!({ "high_priority": true }),
        )
        .await;
    assert_eq!(status, 403);
    // The patient opens a thread of their own in their channel; professionals see it.
    let pt = channel_thread(
        &app,
        &patient,
        &ch_id,
        "Question sur les pansements",
        "Puis-je me doucher ?",
    )
    .await;
    let pt_id = pt["id"].as_str().unwrap().to_string();
    let (status, _) = app.get(&format!("/threads/{pt_id}"), Some(&b.token)).await;
    assert_eq!(status, 200);

    // Teams can be removed from a thread (they still read in the channel);
    // the author's team cannot.
    let (status, r) = app
        .post(
            &format!("/threads/{tid}/participants/remove"),
            Some(&a.token),
            json!({ "kind": "team", "id": k.north }),
        )
        .await;
    assert_eq!((status, r["code"].as_str()), (409, Some("author-team")), "{r}");
    let (status, r) = app
        .post(
            &format!("/threads/{tid}/participants/remove"),
            Some(&a.token),
            json!({ "kind": "team", "id": k.south }),
        )
        .await;
    assert_eq!(status, 204, "{r}");
    let (_, t2) = app.get(&format!("/threads/{tid}"), Some(&c.token)).await;
    // Off the thread itself; still listed as reading through the channel.
    let south: Vec<&Value> = t2["participants"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["id"] == k.south.as_str())
        .collect();
    assert_eq!(south.len(), 1, "{t2}");
    assert_eq!(south[0]["via_channel"], true, "{t2}");
    let (status, _) = app.get(&format!("/threads/{tid}/messages"), Some(&c.token)).await;
    assert_eq!(status, 200, "the removed team still reads through the channel");

    // Channel participants: professionals add professionals; circle members
    // only by the patient and caregiver manager, of this file only.
    let (status, r) = app
        .post(
            &format!("/channels/{ch_id}/participants"),
            Some(&b.token),
            json!({ "kind": "circle", "id": later }),
        )
        .await;
    assert_eq!(status, 403, "not the circle's manager: {r}");
    let (status, r) = app
        .post(
            &format!("/channels/{ch_id}/participants"),
            Some(&a.token),
            json!({ "kind": "circle", "id": stranger }),
        )
        .await;
    assert_eq!(status, 404, "another file's circle member: {r}");
    let (status, r) = app
        .post(
            &format!("/channels/{ch_id}/participants"),
            Some(&a.token),
            json!({ "kind": "circle", "id": later }),
        )
        .await;
    assert_eq!(status, 200, "{r}");
    let marc = r["participants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == later.as_str())
        .unwrap()
        .clone();
    assert_eq!(
        (marc["section"].as_str(), marc["state"].as_str()),
        (Some("responsible"), Some("preallocated"))
    );
    let (status, _) = app
        .delete(
            &format!("/channels/{ch_id}/participants/circle/{later}"),
            Some(&b.token),
        )
        .await;
    assert_eq!(status, 403);
    let (status, _) = app
        .delete(
            &format!("/channels/{ch_id}/participants/circle/{later}"),
            Some(&a.token),
        )
        .await;
    assert_eq!(status, 204);
    // Removing the caregiver ends their access at once.
    let (status, _) = app
        .delete(
            &format!("/channels/{ch_id}/participants/circle/{r_member}"),
            Some(&a.token),
        )
        .await;
    assert_eq!(status, 204);
    let (status, _) = app.get(&format!("/threads/{tid}"), Some(&carer.token)).await;
    assert_eq!(status, 404);
    let (_, list) = app.get("/channels", Some(&carer.token)).await;
    assert!(ids(&list, "channels").is_empty(), "{list}");

    // An archived file takes no new channel, nor new threads in its channels.
    let (status, r) = app
        .post(&format!("/patient-files/{file}/archive"), Some(&a.token), json!({}))
        .await;
    assert_eq!(status, 200, "{r}");
    let (status, r) = app
        .post(
            &format!("/patient-files/{file}/channels"),
            Some(&a.token),
            json!({ "title": "Autre", "participants": [] }),
        )
        .await;
    assert_eq!((status, r["code"].as_str()), (409, Some("patient-archived")), "{r}");
    let (status, r) = app
        .post(
            &format!("/channels/{ch_id}/threads"),
            Some(&a.token),
            json!({ "title": "Encore", "body": "?" }),
        )
        .await;
    assert_eq!((status, r["code"].as_str()), (409, Some("patient-archived")), "{r}");
    let (status, _) = app
        .get(&format!("/channels/{ch_id}/threads"), Some(&patient.token))
        .await;
    assert_eq!(status, 200, "still readable");

    // Every access was audited with the patient.
    let mut conn = app.ctx().store.reader().await.unwrap();
    let n: i64 = sqlx::Row::try_get(
        &sqlx::query("SELECT COUNT(*) FROM audit_events WHERE patient_id = $1 AND event LIKE 'channel.%'")
            .bind(&file)
            .fetch_one(&mut *conn)
            .await
            .unwrap(),
        0,
    )
    .unwrap();
    assert!(n >= 10, "channel events audited with the patient: {n}");
    let _ = k.org;
}

async fn pinned_documents_keep_every_version(db: Db) {
    let app = TestApp::spawn(db).await;
    let k = clinic(&app).await;
    let (a, b) = (&k.a, &k.b);
    let file = patient_file(&app, a, "Gérard", "Lévesque", "1948-05-17").await;
    let (patient, p_member) = join_circle(&app, a, &file, "patient", "gerard@maison.test").await;
    let (watcher, o_member) = join_circle(&app, a, &file, "observer", "paul@maison.test").await;
    let b_id = id_of(&app, b).await;
    let ch = care_channel(
        &app,
        a,
        &file,
        "Équipe de soins",
        json!([{ "kind": "user", "id": b_id }, { "kind": "team", "id": k.north }, { "kind": "circle", "id": p_member }, { "kind": "circle", "id": o_member }]),
    )
    .await;
    let ch_id = ch["id"].as_str().unwrap().to_string();
    let t = channel_thread(&app, a, &ch_id, "Plan de traitement", "Voici le plan.").await;
    let tid = t["id"].as_str().unwrap().to_string();
    let v1 = b"%PDF-1.4\n1 0 obj\n% version 1\n%%EOF\n".to_vec();
    let (status, m) = upload(&app, a, &format!("/threads/{tid}/files?name=plan.pdf"), v1.clone()).await;
    assert_eq!(status, 201, "{m}");
    let a1 = m["attachments"][0]["id"].as_str().unwrap().to_string();

    // An attachment of another channel's thread cannot be pinned here.
    let other = care_channel(&app, a, &file, "Autre équipe", json!([])).await;
    let other_id = other["id"].as_str().unwrap().to_string();
    let ot = channel_thread(&app, a, &other_id, "Autre", "Autre fil").await;
    let (_, om) = upload(
        &app,
        a,
        &format!("/threads/{}/files?name=autre.pdf", ot["id"].as_str().unwrap()),
        v1.clone(),
    )
    .await;
    let (status, _) = app
        .post(
            &format!("/channels/{ch_id}/pinned"),
            Some(&a.token),
            json!({ "attachment_id": om["attachments"][0]["id"] }),
        )
        .await;
    assert_eq!(status, 404);
    // Circle members do not pin.
    for p in [&patient, &watcher] {
        let (status, _) = app
            .post(
                &format!("/channels/{ch_id}/pinned"),
                Some(&p.token),
                json!({ "attachment_id": a1 }),
            )
            .await;
        assert_eq!(status, 403);
    }
    let (status, doc) = app
        .post(
            &format!("/channels/{ch_id}/pinned"),
            Some(&b.token),
            json!({ "attachment_id": a1 }),
        )
        .await;
    assert_eq!(status, 201, "{doc}");
    assert_eq!(
        (doc["name"].as_str(), doc["current_version"].as_i64()),
        (Some("plan.pdf"), Some(1))
    );
    let doc_id = doc["id"].as_str().unwrap().to_string();
    let (status, _) = app
        .post(
            &format!("/channels/{ch_id}/pinned"),
            Some(&b.token),
            json!({ "attachment_id": a1 }),
        )
        .await;
    assert_eq!(status, 409, "pinned once");

    // Update: circle members may not; a professional uploads version 2.
    let v2 = b"%PDF-1.4\n1 0 obj\n% version 2, revised\n%%EOF\n".to_vec();
    for p in [&patient, &watcher] {
        let (status, _) = upload(&app, p, &format!("/pinned/{doc_id}/versions?name=plan.pdf"), v2.clone()).await;
        assert_eq!(status, 403);
    }
    let (status, _) = upload(
        &app,
        &k.c,
        &format!("/pinned/{doc_id}/versions?name=plan.pdf"),
        v2.clone(),
    )
    .await;
    assert_eq!(status, 404, "not in the channel");
    let (status, d2) = upload(
        &app,
        a,
        &format!("/pinned/{doc_id}/versions?name=plan-v2.pdf"),
        v2.clone(),
    )
    .await;
    assert_eq!(status, 201, "{d2}");
    assert_eq!(d2["current_version"], 2, "{d2}");
    let versions = d2["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 2);
    let new_thread = versions[1]["thread_id"].as_str().unwrap().to_string();
    assert_ne!(new_thread, tid);
    assert_eq!(versions[1]["added_by_name"], "Marie Tremblay", "{d2}");

    // The update opened a thread in the channel that reached everyone.
    for p in [b, &patient, &watcher] {
        let (_, threads) = app.get(&format!("/channels/{ch_id}/threads"), Some(&p.token)).await;
        let found = threads["threads"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["id"] == new_thread.as_str())
            .cloned()
            .expect("the update's thread");
        assert_eq!(found["title"], "Document mis à jour : plan.pdf", "{found}");
        let kinds = events_for(&app, p, &new_thread).await;
        assert!(
            kinds.contains(&"thread_created".to_string()) && kinds.contains(&"message".to_string()),
            "{kinds:?}"
        );
    }

    // Everyone in the channel but its author is told of the new version
    // (not of "a new message"), generically.
    for p in [b, &patient, &watcher] {
        let (status, l) = app.get("/notifications", Some(&p.token)).await;
        assert_eq!(status, 200, "{l}");
        let n = l["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["link"] == format!("/threads/{new_thread}"))
            .cloned()
            .expect("a notification of the new version");
        assert_eq!(
            (n["kind"].as_str(), n["thread_kind"].as_str()),
            (Some("pinned_version"), Some("channel")),
            "{n}"
        );
        assert!(!n.to_string().contains("plan"), "no document name: {n}");
    }
    let (_, l) = app.get("/notifications", Some(&a.token)).await;
    assert!(
        !l["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["link"] == format!("/threads/{new_thread}")),
        "the author is not told: {l}"
    );

    // Both versions listed for every participant, each downloadable with its own bytes.
    for p in [a, b, &patient, &watcher] {
        let (status, list) = app.get(&format!("/channels/{ch_id}/pinned"), Some(&p.token)).await;
        assert_eq!(status, 200, "{list}");
        let docs = list["documents"].as_array().unwrap();
        assert_eq!(docs.len(), 1);
        let vs = docs[0]["versions"].as_array().unwrap();
        assert_eq!(vs.len(), 2);
        let (s1, got1) = app
            .download_attachment(&p.token, vs[0]["attachment_id"].as_str().unwrap())
            .await;
        let (s2, got2) = app
            .download_attachment(&p.token, vs[1]["attachment_id"].as_str().unwrap())
            .await;
        assert_eq!((s1, s2), (200, 200));
        assert_eq!(got1, v1);
        assert_eq!(got2, v2);
    }
    let (status, _) = app.get(&format!("/channels/{ch_id}/pinned"), Some(&k.c.token)).await;
    assert_eq!(status, 404);
}

async fn a_patient_reaches_only_their_channels(db: Db) {
    let app = TestApp::spawn(db).await;
    let k = clinic(&app).await;
    let a = &k.a;
    let file_x = patient_file(&app, a, "Gérard", "Lévesque", "1948-05-17").await;
    let file_y = patient_file(&app, a, "Yvette", "Roy", "1948-05-17").await;
    let (patient, px) = join_circle(&app, a, &file_x, "patient", "gerard@maison.test").await;
    let (_other_patient, py) = join_circle(&app, a, &file_y, "patient", "yvette@maison.test").await;
    let x = care_channel(&app, a, &file_x, "Équipe X", json!([{ "kind": "circle", "id": px }])).await;
    let y = care_channel(&app, a, &file_y, "Équipe Y", json!([{ "kind": "circle", "id": py }])).await;
    let y_second = care_channel(&app, a, &file_x, "Équipe X sans le patient", json!([])).await;
    let (x, y, x2) = (
        x["id"].as_str().unwrap().to_string(),
        y["id"].as_str().unwrap().to_string(),
        y_second["id"].as_str().unwrap().to_string(),
    );
    let tx = channel_thread(&app, a, &x, "Suivi", "Bonjour M. Lévesque").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let ty = channel_thread(&app, a, &y, "Suivi", "Bonjour Mme Roy").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let tx2 = channel_thread(&app, a, &x2, "Entre nous", "Discussion interne").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, m) = upload(
        &app,
        a,
        &format!("/threads/{ty}/files?name=y.pdf"),
        b"%PDF-1.4\n%%EOF\n".to_vec(),
    )
    .await;
    let ay = m["attachments"][0]["id"].as_str().unwrap().to_string();
    let (_, doc) = app
        .post(
            &format!("/channels/{y}/pinned"),
            Some(&a.token),
            json!({ "attachment_id": ay }),
        )
        .await;
    let doc_y = doc["id"].as_str().unwrap().to_string();
    // A clinical thread outside any channel, and a collaboration.
    let (_, plain) = app
        .post(
            "/threads",
            Some(&a.token),
            json!({ "kind": "clinical", "patient_file_id": file_x, "title": "Hors canal", "participants": [] }),
        )
        .await;
    let plain = plain["id"].as_str().unwrap().to_string();
    let a_id = id_of(&app, a).await;

    // Lists: only their own channel and its thread.
    let (_, list) = app.get("/channels", Some(&patient.token)).await;
    assert_eq!(ids(&list, "channels"), vec![x.clone()], "{list}");
    let (_, list) = app.get("/threads", Some(&patient.token)).await;
    assert_eq!(ids(&list, "threads"), vec![tx.clone()], "{list}");
    let (_, list) = app.get("/threads?closed=true", Some(&patient.token)).await;
    assert!(ids(&list, "threads").is_empty(), "{list}");
    let (status, found) = app.get("/threads/search?q=Bonjour", Some(&patient.token)).await;
    assert_eq!(status, 200, "{found}");
    for r in found["results"].as_array().unwrap() {
        assert_eq!(r["thread_id"], tx.as_str(), "{found}");
    }

    // Every object of others, by id: not found (or refused).
    for path in [
        format!("/channels/{y}"),
        format!("/channels/{y}/threads"),
        format!("/channels/{y}/pinned"),
        format!("/channels/{x2}"),
        format!("/channels/{x2}/threads"),
        format!("/channels/{x2}/pinned"),
        format!("/threads/{ty}"),
        format!("/threads/{ty}/messages"),
        format!("/threads/{ty}/attachments"),
        format!("/threads/{tx2}"),
        format!("/threads/{plain}"),
        format!("/threads/{plain}/messages"),
        format!("/attachments/{ay}"),
        format!("/attachments/{ay}/thumbnail"),
        format!("/patient-files/{file_x}"),
        format!("/patient-files/{file_y}"),
        format!("/patient-files/{file_x}/channels"),
        format!("/patient-files/{file_y}/channels"),
        format!("/network/people/{a_id}"),
        format!("/network/people/{a_id}/photo"),
    ] {
        let (status, r) = app.get(&path, Some(&patient.token)).await;
        // 409 no-active-organization: patient files answer so to anyone
        // outside an organization; nothing is revealed either.
        let refused = status == 404 || status == 403 || (status == 409 && path.starts_with("/patient-files"));
        assert!(refused, "{path}: {status} {r}");
    }
    for (path, body) in [
        (format!("/threads/{ty}/messages"), json!({ "body": "Bonjour" })),
        (format!("/channels/{y}/threads"), json!({ "title": "t", "body": "b" })),
        (format!("/channels/{y}/pinned"), json!({ "attachment_id": ay })),
        (format!("/channels/{x}/pinned"), json!({ "attachment_id": ay })),
        (format!("/threads/{plain}/messages"), json!({ "body": "Bonjour" })),
        (
            format!("/patient-files/{file_x}/channels"),
            json!({ "title": "Mon équipe", "participants": [] }),
        ),
        (
            "/threads".to_string(),
            json!({ "kind": "collaboration", "title": "Nouveau", "participants": [] }),
        ),
    ] {
        let (status, r) = app.post(&path, Some(&patient.token), body).await;
        let refused = status == 404 || status == 403 || (status == 409 && path.starts_with("/patient-files"));
        assert!(refused, "{path}: {status} {r}");
    }
    let (status, _) = upload(
        &app,
        &patient,
        &format!("/pinned/{doc_y}/versions?name=y.pdf"),
        b"%PDF-1.4\n%%EOF\n".to_vec(),
    )
    .await;
    // Professionals only: refused by the guard in front of the route.
    assert_eq!(status, 403);
    // Lists of the network, the directory and patient files: nothing.
    for path in [
        "/patient-files",
        "/patient-files?view=participating",
        "/network/search?q=Admin",
        "/network/directory",
        "/network/workplaces",
        "/network/friends",
        "/org/structure",
        "/org/members",
    ] {
        let (status, r) = app.get(path, Some(&patient.token)).await;
        let leaks = r.to_string().contains(&a_id) || r.to_string().contains(&file_x);
        assert!(
            (status == 404 || status == 403 || status == 409) && !leaks,
            "{path}: {status} {r}"
        );
    }
}

// ---- In a browser ------------------------------------------------------------------

/// A professional creates a channel from the patient file's page (a draft
/// only they see), sends the first message, pins and updates a document;
/// the patient finds their care team, its thread without the professional
/// actions, and the pinned document's versions; an observer has no composer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn care_channels_in_a_browser() {
    use cercle_testkit::browser::Browser;
    let app = TestApp::spawn(Db::Sqlite).await;
    let k = clinic(&app).await;
    let a = &k.a;
    let file = patient_file(&app, a, "Gérard", "Lévesque", "1948-05-17").await;
    let (patient, p_member) = join_circle(&app, a, &file, "patient", "gerard@maison.test").await;
    let (_carer, _) = join_circle(&app, a, &file, "responsible", "lise@maison.test").await;
    let (_watcher, o_member) = join_circle(&app, a, &file, "observer", "paul@maison.test").await;
    preallocate(&app, a, &file, "responsible", "marc@maison.test").await;

    let Some(b) = Browser::launch(&app.url, cercle_domain::Language::Fr).await else {
        return;
    };
    crate::helpers::sign_in_pages(&app, &b, "a@fleuve.test", 1).await;
    b.goto(&format!("/patients/{file}/channels")).await;
    b.wait_for("[data-testid=create-channel]").await;
    b.click("[data-testid=create-channel] summary").await;
    b.fill("#chan-title", "Équipe de soins à domicile").await;
    for css in [
        format!("input[value='circle:{p_member}']"),
        format!("input[value='circle:{o_member}']"),
        format!("input[name=participant][value^='team:{}']", k.north),
    ] {
        b.click(&css).await;
    }
    // Every member of the circle is offered (joined, pre-allocated), by section.
    b.assert_text("Personnes responsables").await;
    b.assert_text("préassigné").await;
    b.shoot("channels-create").await;
    b.click_and_load("[data-testid=create-channel-submit]").await;
    b.wait_for("[data-testid=draft-notice]").await;
    let channel_path = b.current_path().await;
    let ch_id = channel_path.rsplit('/').next().unwrap().to_string();
    b.shoot("channels-draft").await;
    // The draft is only the creator's.
    let (status, _) = app.get(&format!("/channels/{ch_id}"), Some(&patient.token)).await;
    assert_eq!(status, 404);
    b.fill("#chan-thread-title", "Retour à domicile").await;
    b.fill("#chan-thread-body", "Bonjour M. Lévesque, voici votre équipe.")
        .await;
    b.click_and_load("[data-testid=channel-send]").await;
    b.wait_for("[data-testid=messages]").await;
    b.assert_text("Bonjour M. Lévesque, voici votre équipe.").await;
    let thread = b.current_path().await.rsplit('/').next().unwrap().to_string();

    // A document pinned, then updated: two versions.
    let (_, m) = upload(
        &app,
        a,
        &format!("/threads/{thread}/files?name=plan-de-soins.pdf"),
        b"%PDF-1.4\n% 1\n%%EOF\n".to_vec(),
    )
    .await;
    let (_, doc) = app
        .post(
            &format!("/channels/{ch_id}/pinned"),
            Some(&a.token),
            json!({ "attachment_id": m["attachments"][0]["id"] }),
        )
        .await;
    let doc_id = doc["id"].as_str().unwrap().to_string();
    let (status, _) = upload(
        &app,
        a,
        &format!("/pinned/{doc_id}/versions?name=plan-de-soins.pdf"),
        b"%PDF-1.4\n% 2\n%%EOF\n".to_vec(),
    )
    .await;
    assert_eq!(status, 201);
    b.goto(&channel_path).await;
    b.wait_for("[data-testid=pinned-doc]").await;
    b.assert_text("Version 2").await;
    b.assert_text("Document mis à jour : plan-de-soins.pdf").await;
    let participants = b.text("[data-testid=channel-participants]").await;
    assert!(participants.contains("a rejoint"), "{participants}");
    b.shoot("channels-channel").await;

    // The patient: their care team only, the thread without professional actions.
    let p = Browser::launch(&app.url, cercle_domain::Language::Fr)
        .await
        .expect("browser");
    crate::helpers::sign_in_pages(&app, &p, "gerard@maison.test", 1).await;
    p.goto("/care").await;
    p.wait_for("[data-testid=care-teams]").await;
    p.assert_text("Équipe de soins à domicile").await;
    p.shoot("channels-care").await;
    p.goto(&format!("/care/{ch_id}")).await;
    p.wait_for("[data-testid=pinned-doc]").await;
    p.assert_text("Version 2").await;
    p.shoot("channels-care-team").await;
    p.goto(&format!("/threads/{thread}")).await;
    p.wait_for("[data-testid=composer]").await;
    for css in [
        "form[action$='/close']",
        "form[action$='/duplicate']",
        "form[action$='/priority']",
        "form[action$='/participants/remove']",
        "[data-testid=thread-patient]",
        "#thr-priority",
    ] {
        assert!(
            p.find(css).await.expect("find").is_none(),
            "{css} hidden from the patient"
        );
    }
    assert!(p.find("[data-testid=back-to-care]").await.expect("find").is_some());
    p.fill("#thr-body", "Merci, à bientôt.").await;
    p.click("#thr-send").await;
    let (token, path) = (a.token.clone(), format!("/threads/{thread}/messages"));
    // Waited for in the browser: if it never comes, the failure shows the
    // page (the composer's status says why a post was refused).
    p.wait_until("the patient's answer", async || {
        let (_, m) = app.get(&path, Some(&token)).await;
        m.to_string().contains("Merci, à bientôt.").then_some(())
    })
    .await;
    p.shoot("channels-patient-thread").await;
    p.quit().await;

    // The observer reads, without a composer.
    let o = Browser::launch(&app.url, cercle_domain::Language::Fr)
        .await
        .expect("browser");
    crate::helpers::sign_in_pages(&app, &o, "paul@maison.test", 1).await;
    o.goto(&format!("/threads/{thread}")).await;
    o.wait_for("[data-testid=observer-read-only]").await;
    assert!(o.find("[data-testid=composer]").await.expect("find").is_none());
    o.quit().await;
    b.quit().await;
}
