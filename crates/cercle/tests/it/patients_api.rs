//! Patient files through the JSON API, on SQLite and PostgreSQL: every bad
//! input refused with its translated message and nothing changed; archive
//! and restore; files out of reach (another organization, a member without
//! a patient role who takes part in nothing, a unit beside) are "not found"
//! everywhere and absent from every list and search; the audit log shows
//! every access.

use crate::backends;
use crate::helpers::{
    created_id, id_of, invited_member, join_by_invitation, nth_sign_in_mail, open_clinical_thread, org_with_admin,
    Invitee, Org, Person, PASSWORD, SIGN_UP_NAME,
};
use cercle_domain::Language;
use cercle_i18n::t;
use cercle_testkit::browser::Browser;
use cercle_testkit::find_code;
use cercle_testkit::{status_and_json, Db, TestApp};
use serde_json::{json, Value};

backends!(
    files_are_checked_changed_archived_and_restored,
    files_out_of_reach_are_not_found_anywhere,
    search_finds_files_of_ones_units_only,
);

/// A request with its language (for the translated error messages).
async fn send(app: &TestApp, method: &str, path: &str, token: &str, body: Value, lang: Language) -> (u16, Value) {
    let url = format!("{}/api/v1{path}", app.url);
    let req = match method {
        "get" => app.http.get(&url),
        "patch" => app.http.patch(&url).json(&body),
        _ => app.http.post(&url).json(&body),
    };
    let r = req
        .bearer_auth(token)
        .header("Accept-Language", lang.code())
        .send()
        .await
        .expect("request");
    status_and_json(r).await
}

async fn patch(app: &TestApp, path: &str, token: &str, body: Value) -> (u16, Value) {
    send(app, "patch", path, token, body, Language::Fr).await
}

/// A unit under `parent`.
async fn unit(app: &TestApp, org: &Org, parent: &str, name: &str) -> String {
    created_id(
        app,
        &org.admin.token,
        "/org/units",
        json!({ "parent_id": parent, "name": name }),
    )
    .await
}

async fn new_file(app: &TestApp, p: &Person, body: Value) -> Value {
    let (status, f) = app.post("/patient-files", Some(&p.token), body).await;
    assert_eq!(status, 201, "{f}");
    f
}

fn gerard(unit: &str) -> Value {
    json!({
        "first_name": "Gérard",
        "last_name": "Lévesque",
        "birth_date": "1941-03-02",
        "health_insurance_number": "levg 4103 0212",
        "file_number": "DOS-2024/42",
        "unit_id": unit,
        "consents": { "care_team": true, "caregivers": false, "electronic": true }
    })
}

/// The ids a list answers.
async fn listed(app: &TestApp, p: &Person, query: &str) -> Vec<String> {
    let (status, r) = app.get(&format!("/patient-files?{query}"), Some(&p.token)).await;
    assert_eq!(status, 200, "{query}: {r}");
    r["patient_files"]
        .as_array()
        .expect("patient_files")
        .iter()
        .map(|f| f["id"].as_str().expect("id").to_string())
        .collect()
}

async fn files_are_checked_changed_archived_and_restored(db: Db) {
    let app = TestApp::spawn(db).await;
    let org = org_with_admin(&app, "Clinique du Fleuve", "admin@fleuve.test").await;
    let north = unit(&app, &org, &org.root, "Nord").await;
    let manager = invited_member(
        &app,
        &org,
        &north,
        "gestion@fleuve.test",
        &["patient_caregiver_manager"],
    )
    .await;
    let m = &manager.token;

    // Created: normalized, with what one may do.
    let f = new_file(&app, &manager, gerard(&north)).await;
    let id = f["id"].as_str().expect("id").to_string();
    assert_eq!(f["health_insurance_number"], "LEVG41030212", "{f}");
    assert_eq!(f["file_number"], "DOS-2024/42");
    assert_eq!(f["unit_id"], north.as_str());
    assert_eq!(
        f["consents"],
        json!({ "care_team": true, "caregivers": false, "electronic": true })
    );
    assert_eq!(
        (
            f["archived"].as_bool(),
            f["may_edit"].as_bool(),
            f["may_manage_circle"].as_bool()
        ),
        (Some(false), Some(true), Some(true))
    );
    // Without a unit: the unit where one manages circles (issue 14), so
    // that its creator can invite the patient. Without consents: none given.
    let plain = new_file(
        &app,
        &manager,
        json!({ "first_name": "Anne", "last_name": "Roy", "birth_date": "1980-01-31" }),
    )
    .await;
    assert_eq!(plain["unit_id"], north.as_str());
    assert_eq!(plain["may_manage_circle"].as_bool(), Some(true), "{plain}");
    assert_eq!(
        plain["consents"],
        json!({ "care_team": false, "caregivers": false, "electronic": false })
    );
    assert_eq!(plain["health_insurance_number"], Value::Null);

    // Every bad input, on creation and on change: its code, its message in
    // the asked language, and nothing written.
    let before = listed(&app, &manager, "view=all").await;
    let (_, shown_before) = app.get(&format!("/patient-files/{id}"), Some(m)).await;
    let bad: Vec<(Value, &str)> = vec![
        (json!({ "first_name": "" }), "invalid-patient-name"),
        (json!({ "first_name": "   " }), "invalid-patient-name"),
        (json!({ "last_name": "" }), "invalid-patient-name"),
        (json!({ "last_name": "x".repeat(101) }), "invalid-patient-name"),
        (json!({ "first_name": "a\u{7}b" }), "invalid-patient-name"),
        (json!({ "birth_date": "" }), "invalid-birth-date"),
        (json!({ "birth_date": "02/03/1941" }), "invalid-birth-date"),
        (json!({ "birth_date": "1941-02-30" }), "invalid-birth-date"),
        (json!({ "birth_date": "2999-01-01" }), "invalid-birth-date"),
        (
            json!({ "health_insurance_number": "LEVG 4103 021" }),
            "invalid-health-insurance-number",
        ),
        (
            json!({ "health_insurance_number": "LEV1 4103 0212" }),
            "invalid-health-insurance-number",
        ),
        (
            json!({ "health_insurance_number": "LEVG 4113 0212" }),
            "invalid-health-insurance-number",
        ),
        (
            json!({ "health_insurance_number": "LEVG 4103 3212" }),
            "invalid-health-insurance-number",
        ),
        (json!({ "file_number": "x".repeat(41) }), "invalid-file-number"),
        (json!({ "file_number": "DOS#42" }), "invalid-file-number"),
    ];
    for (change, code) in &bad {
        for lang in [Language::Fr, Language::En] {
            let mut body = gerard(&north);
            for (k, v) in change.as_object().expect("object") {
                body[k] = v.clone();
            }
            let (status, r) = send(&app, "post", "/patient-files", m, body, lang).await;
            assert_eq!((status, r["code"].as_str()), (422, Some(*code)), "create {change}: {r}");
            assert_eq!(
                r["message"].as_str(),
                Some(cercle_i18n::t(lang, &format!("error-{code}")).as_str()),
                "{r}"
            );
            assert!(!r["message"].as_str().unwrap_or("").starts_with("error-"), "{r}");
            let (status, r) = send(&app, "patch", &format!("/patient-files/{id}"), m, change.clone(), lang).await;
            assert_eq!((status, r["code"].as_str()), (422, Some(*code)), "patch {change}: {r}");
            assert_eq!(
                r["message"].as_str(),
                Some(cercle_i18n::t(lang, &format!("error-{code}")).as_str()),
                "{r}"
            );
        }
    }
    // Required on creation.
    for missing in ["first_name", "last_name", "birth_date"] {
        let mut body = gerard(&north);
        body.as_object_mut().expect("object").remove(missing);
        let (status, r) = app.post("/patient-files", Some(m), body).await;
        assert_eq!(status, 422, "{missing}: {r}");
    }
    // A unit of no organization, or of another one.
    let other = org_with_admin(&app, "Clinique du Sud", "admin@sud.test").await;
    let mut body = gerard(&other.root);
    body["first_name"] = json!("Intrus");
    let (status, _) = app.post("/patient-files", Some(m), body).await;
    assert_eq!(status, 404);
    let (status, _) = patch(
        &app,
        &format!("/patient-files/{id}"),
        m,
        json!({ "unit_id": other.root }),
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(listed(&app, &manager, "view=all").await, before, "nothing was created");
    let (_, shown) = app.get(&format!("/patient-files/{id}"), Some(m)).await;
    assert_eq!(shown, shown_before, "nothing was changed");

    // A change: only the fields sent; an empty number clears it.
    let (status, f) = patch(
        &app,
        &format!("/patient-files/{id}"),
        m,
        json!({ "last_name": " Lévesque-Tremblay ", "file_number": "", "health_insurance_number": "LEVG41030212", "consents": { "caregivers": true } }),
    )
    .await;
    assert_eq!(status, 200, "{f}");
    assert_eq!(f["last_name"], "Lévesque-Tremblay");
    assert_eq!(f["first_name"], "Gérard");
    assert_eq!(f["birth_date"], "1941-03-02");
    assert_eq!(f["file_number"], Value::Null);
    assert_eq!(
        f["consents"],
        json!({ "care_team": true, "caregivers": true, "electronic": true })
    );

    // A thread on the open file.
    let (status, t) = open_clinical_thread(&app, &manager, &id, &[], "Suivi à domicile").await;
    assert_eq!(status, 201, "{t}");

    // Archived: readable, out of the lists, no new thread, no change.
    let (status, f) = app
        .post(&format!("/patient-files/{id}/archive"), Some(m), json!({}))
        .await;
    assert_eq!((status, f["archived"].as_bool()), (200, Some(true)), "{f}");
    let (status, r) = app
        .post(&format!("/patient-files/{id}/archive"), Some(m), json!({}))
        .await;
    assert_eq!((status, r["code"].as_str()), (409, Some("patient-archived")), "{r}");
    let (status, f) = app.get(&format!("/patient-files/{id}"), Some(m)).await;
    assert_eq!((status, f["archived"].as_bool()), (200, Some(true)), "{f}");
    for view in [
        "view=all",
        "view=active",
        "view=participating",
        "q=levesque",
        "q=LEVG41030212",
    ] {
        assert!(!listed(&app, &manager, view).await.contains(&id), "{view}");
        assert!(
            listed(&app, &manager, &format!("{view}&archived=true"))
                .await
                .contains(&id),
            "{view} with archived"
        );
    }
    for lang in [Language::Fr, Language::En] {
        let (status, r) = send(
            &app,
            "post",
            "/threads",
            m,
            json!({ "kind": "clinical", "patient_file_id": id, "title": "Encore" }),
            lang,
        )
        .await;
        assert_eq!((status, r["code"].as_str()), (409, Some("patient-archived")), "{r}");
        assert_eq!(
            r["message"].as_str(),
            Some(cercle_i18n::t(lang, "error-patient-archived").as_str())
        );
    }
    let (status, r) = patch(
        &app,
        &format!("/patient-files/{id}"),
        m,
        json!({ "first_name": "Gérald" }),
    )
    .await;
    assert_eq!((status, r["code"].as_str()), (409, Some("patient-archived")), "{r}");

    // Restored: back in the lists, takes threads again.
    let (status, f) = app
        .post(&format!("/patient-files/{id}/restore"), Some(m), json!({}))
        .await;
    assert_eq!((status, f["archived"].as_bool()), (200, Some(false)), "{f}");
    let (status, r) = app
        .post(&format!("/patient-files/{id}/restore"), Some(m), json!({}))
        .await;
    assert_eq!((status, r["code"].as_str()), (409, Some("patient-not-archived")), "{r}");
    assert!(listed(&app, &manager, "view=all").await.contains(&id));
    let (status, t) = open_clinical_thread(&app, &manager, &id, &[], "Suivi à domicile").await;
    assert_eq!(status, 201, "{t}");
    let (status, r) = app.get("/patient-files?view=sideways", Some(m)).await;
    assert_eq!(status, 409, "{r}");
    let (status, r) = app.get("/patient-files?q=x", Some(m)).await;
    assert_eq!((status, r["code"].as_str()), (422, Some("search-too-short")), "{r}");

    // The audit log shows each access to the file, by whom.
    let (status, page) = app
        .get(&format!("/org/audit?patient_id={id}&limit=200"), Some(&org.admin.token))
        .await;
    assert_eq!(status, 200, "{page}");
    let events = page["events"].as_array().expect("events");
    let manager_id = id_of(&app, &manager).await;
    let names: Vec<&str> = events.iter().filter_map(|e| e["event"].as_str()).collect();
    for expected in [
        "patient.created",
        "patient.read",
        "patient.listed",
        "patient.updated",
        "patient.archived",
        "patient.restored",
        "thread.created",
    ] {
        assert!(names.contains(&expected), "{expected} in {names:?}");
    }
    assert!(events
        .iter()
        .filter(|e| e["event"].as_str().is_some_and(|n| n.starts_with("patient.")))
        .all(|e| e["actor_id"].as_str() == Some(manager_id.as_str()) && e["target_id"].as_str() == Some(id.as_str())));
    // Refused attempts wrote nothing: one update only (the one that passed).
    assert_eq!(
        names.iter().filter(|n| **n == "patient.updated").count(),
        1,
        "{names:?}"
    );
    assert_eq!(
        names.iter().filter(|n| **n == "patient.created").count(),
        1,
        "{names:?}"
    );
}

async fn files_out_of_reach_are_not_found_anywhere(db: Db) {
    let app = TestApp::spawn(db).await;
    let org = org_with_admin(&app, "Clinique du Fleuve", "admin@fleuve.test").await;
    let north = unit(&app, &org, &org.root, "Nord").await;
    let manager = invited_member(
        &app,
        &org,
        &north,
        "gestion@fleuve.test",
        &["patient_caregiver_manager"],
    )
    .await;
    let plain = invited_member(&app, &org, &org.root, "membre@fleuve.test", &["member"]).await;
    let outsider = org_with_admin(&app, "Clinique du Sud", "admin@sud.test").await;
    let f = new_file(&app, &manager, gerard(&north)).await;
    let id = f["id"].as_str().expect("id").to_string();

    // Another organization's administrator, this organization's
    // administrator (administering is not caring), and a member without a
    // patient role who opened nothing and takes part in nothing.
    for (who, p) in [
        ("outsider", &outsider.admin),
        ("admin", &org.admin),
        ("plain member", &plain),
    ] {
        let t = &p.token;
        let calls: [(&str, String, Value); 5] = [
            ("get", format!("/patient-files/{id}"), json!({})),
            (
                "patch",
                format!("/patient-files/{id}"),
                json!({ "first_name": "Intrus" }),
            ),
            ("post", format!("/patient-files/{id}/archive"), json!({})),
            ("post", format!("/patient-files/{id}/restore"), json!({})),
            (
                "patch",
                format!("/patient-files/{id}"),
                json!({ "birth_date": "not a date" }),
            ),
        ];
        for (method, path, body) in calls {
            let (status, r) = send(&app, method, &path, t, body, Language::Fr).await;
            assert_eq!(status, 404, "{who}: {method} {path}: {r}");
        }
        for q in [
            "view=all".to_string(),
            "view=active".into(),
            "view=participating".into(),
            "q=levesque".into(),
            format!("q={}", urlencode("DOS-2024/42")),
            format!("q={}", urlencode("LEVG 4103 0212")),
            "view=all&archived=true".into(),
        ] {
            assert!(!listed(&app, p, &q).await.contains(&id), "{who}: {q}");
        }
        let (status, r) = open_clinical_thread(&app, p, &id, &[], "Suivi à domicile").await;
        assert_eq!(status, 404, "{who}: a thread on the file: {r}");
    }
    let (_, still) = app.get(&format!("/patient-files/{id}"), Some(&manager.token)).await;
    assert_eq!(still["first_name"], "Gérard", "nothing changed");
    assert_eq!(still["archived"], false);

    // Taking part in one of its threads opens the file to read, not to change.
    let (status, t) = open_clinical_thread(&app, &manager, &id, &[&plain], "Suivi à domicile").await;
    assert_eq!(status, 201, "{t}");
    let thread = t["id"].as_str().expect("id").to_string();
    let (status, f) = app.get(&format!("/patient-files/{id}"), Some(&plain.token)).await;
    assert_eq!(status, 200, "{f}");
    assert_eq!(
        (f["may_edit"].as_bool(), f["may_manage_circle"].as_bool()),
        (Some(false), Some(false))
    );
    let (status, _) = patch(
        &app,
        &format!("/patient-files/{id}"),
        &plain.token,
        json!({ "first_name": "Intrus" }),
    )
    .await;
    assert_eq!(status, 403);
    let (status, _) = app
        .post(&format!("/patient-files/{id}/archive"), Some(&plain.token), json!({}))
        .await;
    assert_eq!(status, 403);
    assert!(listed(&app, &plain, "view=participating").await.contains(&id));
    assert!(listed(&app, &plain, "view=active").await.contains(&id));
    assert!(listed(&app, &plain, "q=gerard").await.contains(&id));
    // A closed thread: no longer active, still where one took part.
    let (status, r) = app
        .post(&format!("/threads/{thread}/close"), Some(&manager.token), json!({}))
        .await;
    assert!(status < 300, "{r}");
    assert!(!listed(&app, &plain, "view=active").await.contains(&id));
    assert!(listed(&app, &plain, "view=participating").await.contains(&id));
    // The outsider still sees nothing.
    let (status, _) = app
        .get(&format!("/patient-files/{id}"), Some(&outsider.admin.token))
        .await;
    assert_eq!(status, 404);

    // The other way round: another organization's file, even for a manager here.
    let theirs = new_file(
        &app,
        &outsider.admin,
        json!({ "first_name": "Zoé", "last_name": "Sud", "birth_date": "2001-05-05" }),
    )
    .await;
    let theirs = theirs["id"].as_str().expect("id").to_string();
    let (status, _) = app.get(&format!("/patient-files/{theirs}"), Some(&manager.token)).await;
    assert_eq!(status, 404, "another organization's file");
    assert!(!listed(&app, &manager, "q=zoe").await.contains(&theirs));
}

async fn search_finds_files_of_ones_units_only(db: Db) {
    let app = TestApp::spawn(db).await;
    let org = org_with_admin(&app, "Clinique du Fleuve", "admin@fleuve.test").await;
    let north = unit(&app, &org, &org.root, "Nord").await;
    let clinic = unit(&app, &org, &north, "Clinique").await;
    let south = unit(&app, &org, &org.root, "Sud").await;
    let manager = invited_member(
        &app,
        &org,
        &north,
        "gestion@fleuve.test",
        &["patient_caregiver_manager"],
    )
    .await;
    let nurse = invited_member(&app, &org, &north, "inf@fleuve.test", &["team_participant"]).await;
    let beside = invited_member(&app, &org, &south, "sud@fleuve.test", &["team_participant"]).await;

    // One file in a unit below North, one in South (opened by the admin).
    let f = new_file(&app, &manager, gerard(&clinic)).await;
    let id = f["id"].as_str().expect("id").to_string();
    let h = new_file(
        &app,
        &org.admin,
        json!({ "first_name": "Hélène", "last_name": "Côté", "birth_date": "1950-12-24", "file_number": "SUD-7", "unit_id": south }),
    )
    .await;
    let hid = h["id"].as_str().expect("id").to_string();

    // North's nurse: by name without accents or case, by word beginnings,
    // by file number, by health insurance number with or without spaces.
    for q in [
        "levesque",
        "GERARD",
        "ger lev",
        "Lévesque Gérard",
        "dos-2024/42",
        "LEVG 4103 0212",
        "levg41030212",
    ] {
        let found = listed(&app, &nurse, &format!("q={}", urlencode(q))).await;
        assert_eq!(found, vec![id.clone()], "{q}");
    }
    // What does not match.
    for q in ["evesque", "gerarde", "DOS-2024", "LEVG 4103 0213"] {
        assert!(
            listed(&app, &nurse, &format!("q={}", urlencode(q))).await.is_empty(),
            "{q}"
        );
    }
    // South's file is beside North: not found, not readable.
    for q in ["cote", "Hélène", "SUD-7"] {
        assert!(
            listed(&app, &nurse, &format!("q={}", urlencode(q))).await.is_empty(),
            "{q}"
        );
        assert!(
            listed(&app, &manager, &format!("q={}", urlencode(q))).await.is_empty(),
            "{q}"
        );
    }
    assert!(!listed(&app, &nurse, "view=all").await.contains(&hid));
    let (status, _) = app.get(&format!("/patient-files/{hid}"), Some(&nurse.token)).await;
    assert_eq!(status, 404);
    // …and North's from South.
    assert!(listed(&app, &beside, "q=levesque").await.is_empty());
    let (status, _) = app.get(&format!("/patient-files/{id}"), Some(&beside.token)).await;
    assert_eq!(status, 404);
    assert_eq!(listed(&app, &beside, "q=cote").await, vec![hid.clone()]);
    // The admin finds the file they opened, not the others.
    assert_eq!(listed(&app, &org.admin, "q=cote").await, vec![hid.clone()]);
    assert!(listed(&app, &org.admin, "q=levesque").await.is_empty());
    // Reading is allowed to North's nurse (their unit), changing is not.
    let (status, f) = app.get(&format!("/patient-files/{id}"), Some(&nurse.token)).await;
    assert_eq!((status, f["may_edit"].as_bool()), (200, Some(false)), "{f}");
    let (status, _) = patch(
        &app,
        &format!("/patient-files/{id}"),
        &nurse.token,
        json!({ "first_name": "X" }),
    )
    .await;
    assert_eq!(status, 403);
}

fn urlencode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

// ---- The pages, in a real browser ------------------------------------------

/// A patient and caregiver manager, in English, opens a file from the
/// pages (a wrong health insurance number first), finds it, changes it,
/// archives and restores it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_manager_opens_and_keeps_a_file_in_the_pages() {
    let app = TestApp::spawn(Db::Sqlite).await;
    let org = org_with_admin(&app, "Clinique du Fleuve", "admin@fleuve.test").await;
    let north = unit(&app, &org, &org.root, "Nord").await;
    let email = "gestion@fleuve.test";
    let manager = join_by_invitation(
        &app,
        &org,
        Invitee {
            unit: &north,
            email,
            invited_as: "Invité",
            signs_up_as: SIGN_UP_NAME,
            language: "en",
            roles: &["patient_caregiver_manager"],
        },
    )
    .await;
    let en = Language::En;
    let Some(b) = Browser::launch(&app.url, en).await else {
        return;
    };
    b.goto("/sign-in").await;
    b.fill("#f-email", email).await;
    b.fill("#f-password", PASSWORD).await;
    b.submit_form("form[action='/sign-in']").await;
    b.wait_for_path("/code").await;
    let mail = nth_sign_in_mail(&app, email, 1).await;
    b.fill("#f-code", &find_code(&mail.body).expect("code")).await;
    b.submit_form("form[action='/code']").await;
    b.wait_for_path("/").await;

    b.click_and_load("nav.mainnav a[href='/patients']").await;
    b.wait_for_path("/patients").await;
    b.assert_text(&t(en, "pf-none-active")).await;
    b.shoot("patients-empty").await;
    b.click_and_load("[data-testid=new-patient]").await;
    b.wait_for_path("/patients/new").await;
    b.fill("#pf-new-first", "Gérard").await;
    b.fill("#pf-new-last", "Lévesque").await;
    b.execute(
        "document.querySelector('#pf-new-birth').value = '1941-03-02'; return true;",
        vec![],
    )
    .await
    .expect("birth date");
    b.fill("#pf-new-hin", "LEVG 4113 0212").await;
    b.fill("#pf-new-number", "DOS-42").await;
    b.select("#pf-new-unit", &north).await;
    b.click("input[name=consent_care_team]").await;
    b.submit_form("form[data-testid=new-patient-form]").await;
    b.wait_for_text(&t(en, "error-invalid-health-insurance-number")).await;
    // What was typed is kept.
    assert_eq!(
        b.execute("return document.querySelector('#pf-new-number').value;", vec![])
            .await
            .expect("value"),
        json!("DOS-42")
    );
    b.shoot("patients-new-error").await;
    b.fill("#pf-new-hin", "levg 4103 0212").await;
    b.submit_form("form[data-testid=new-patient-form]").await;
    b.wait_for_text(&t(en, "pf-created")).await;
    assert_eq!(b.text("[data-testid=patient-name]").await, "Gérard Lévesque");
    assert_eq!(b.text("[data-testid=patient-hin]").await, "LEVG 4103 0212");
    let path = b.current_path().await;
    let id = path.rsplit('/').next().expect("id").to_string();
    assert!(b.find("a[href$='/circle']").await.expect("find").is_some());
    assert!(b.find("a[href$='/channels']").await.expect("find").is_some());
    b.shoot("patients-file").await;

    // A discussion on it, then the file lists it.
    let (status, t_) = open_clinical_thread(&app, &manager, &id, &[], "Suivi à domicile").await;
    assert_eq!(status, 201, "{t_}");
    b.goto(&path).await;
    b.wait_for("[data-testid=patient-threads]").await;

    // Changed through the form.
    b.click("details.pf-edit > summary").await;
    b.fill("#pf-edit-last", "Lévesque-Tremblay").await;
    b.submit_form("form[data-testid=edit-patient-form]").await;
    b.wait_for_text(&t(en, "pf-updated")).await;
    assert_eq!(b.text("[data-testid=patient-name]").await, "Gérard Lévesque-Tremblay");

    // Lists and search.
    b.goto("/patients").await;
    b.wait_for(&format!("[data-testid=patients] li[data-id='{id}']")).await;
    b.shoot("patients-active").await;
    b.goto("/patients?q=levesque").await;
    b.wait_for(&format!("[data-testid=patients] li[data-id='{id}']")).await;
    b.shoot("patients-search").await;

    // Archived, then restored.
    b.goto(&path).await;
    b.execute("window.confirm = () => true; return true;", vec![])
        .await
        .expect("confirm");
    b.click_and_load("[data-testid=patient-archive]").await;
    b.wait_for_text(&t(en, "pf-archived-done")).await;
    b.wait_for("[data-testid=patient-archived]").await;
    b.shoot("patients-archived").await;
    b.goto("/patients?view=participating").await;
    b.wait_for("[data-testid=patients-empty]").await;
    b.goto("/patients?view=participating&archived=true").await;
    b.wait_for(&format!("[data-testid=patients] li[data-id='{id}']")).await;
    b.goto(&path).await;
    b.click_and_load("[data-testid=patient-restore]").await;
    b.wait_for_text(&t(en, "pf-restored-done")).await;
    b.quit().await;
}
