//! The patient's circle and its invitations through the JSON API, on SQLite
//! and PostgreSQL: pre-allocating, inviting by email or SMS with a security
//! question or a secret code, joining, locking after five wrong tries,
//! resending, cancelling; who may manage a circle; circle-only people kept
//! out of the network and the organizations; the audit trail; no secret in
//! clear in the database.

use crate::backends;
use crate::helpers::{org_member, org_with_admin, patient_file, sign_up, Org, Person};
use cercle_testkit::{Db, TestApp};
use serde_json::{json, Value};
use sqlx::Row;

backends!(
    preallocate_then_invite_by_email_with_a_question_and_join,
    the_secret_code_comes_in_a_separate_email,
    sms_invitations_carry_the_link_and_refuse_the_code,
    bad_questions_and_answers_are_refused,
    five_wrong_tries_lock_and_a_resend_kills_the_old_link,
    cancelled_invitations_and_archived_files_are_refused,
    only_the_patient_and_caregiver_manager_changes_a_circle,
    circle_only_people_stay_out_of_the_network_and_organizations,
    invitation_events_are_audited_and_no_secret_is_stored_in_clear,
    sections_switch_on_and_off_by_the_manager_only,
);

// ---- Helpers (also for the care channels' tests) ------------------------------

fn token_of(link: &str) -> String {
    link.trim_end_matches(['.', ',', ')'])
        .rsplit('/')
        .next()
        .expect("token")
        .to_string()
}

/// An organization, a patient and caregiver manager on its root unit, and a
/// patient file that manager opened. Returns `(org, manager, file_id)`.
pub(crate) async fn manager_and_file(app: &TestApp) -> (Org, Person, String) {
    let org = org_with_admin(app, "CLSC des Érables", "admin@erables.test").await;
    let manager = org_member(
        app,
        &org,
        &org.root,
        "gestion@erables.test",
        "Nadia Gestion",
        &["member", "patient_caregiver_manager"],
    )
    .await;
    let file_id = patient_file(app, &manager, "Gérard", "Lévesque", "1941-03-02").await;
    (org, manager, file_id)
}

/// Pre-allocates `email` in `section` (patient | responsible | observer) of
/// the file's circle; returns the circle member's id.
pub(crate) async fn preallocate(app: &TestApp, manager: &Person, file_id: &str, section: &str, email: &str) -> String {
    let (status, m) = app
        .post(
            &format!("/patient-files/{file_id}/circle"),
            Some(&manager.token),
            json!({ "section": section, "first_name": "Léa", "last_name": "Proche", "email": email, "language": "fr", "relationship": "fille" }),
        )
        .await;
    assert_eq!((status, m["state"].as_str()), (201, Some("preallocated")), "{m}");
    m["id"].as_str().expect("id").to_string()
}

/// The link of the `nth` (1-based) circle invitation emailed to `email`.
pub(crate) async fn circle_link(app: &TestApp, email: &str, nth: usize) -> String {
    let mail = cercle_testkit::eventually("circle invitation mail", async || {
        app.smtp
            .to(email)
            .into_iter()
            .filter(|m| m.body.contains("/circle/join/"))
            .nth(nth - 1)
    })
    .await;
    link_in(&mail.body)
}

fn link_in(text: &str) -> String {
    let at = text.find("/circle/join/").expect("link");
    let start = text[..at].rfind("http").expect("http");
    text[start..].split_whitespace().next().expect("link").to_string()
}

/// The `nth` secret code emailed to `email` (`1234-1234-1234`).
pub(crate) async fn circle_code(app: &TestApp, email: &str, nth: usize) -> (String, cercle_testkit::smtp::Mail) {
    let mail = cercle_testkit::eventually("secret code mail", async || {
        app.smtp
            .to(email)
            .into_iter()
            .filter(|m| m.subject.contains("secret code") || m.subject.contains("code secret"))
            .nth(nth - 1)
    })
    .await;
    (grouped_code(&mail.body).expect("code in the mail"), mail)
}

/// The first `dddd-dddd-dddd` in a text.
fn grouped_code(text: &str) -> Option<String> {
    let chars: Vec<char> = text.chars().collect();
    chars.windows(14).find_map(|w| {
        let ok = w.iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 9 {
                *c == '-'
            } else {
                c.is_ascii_digit()
            }
        });
        ok.then(|| w.iter().collect())
    })
}

/// Invites a pre-allocated member by email with a security question, signs
/// up `email` (a new account) and joins with the answer. Returns the person.
pub(crate) async fn join_preallocated(app: &TestApp, manager: &Person, member_id: &str, email: &str) -> Person {
    let earlier = app
        .smtp
        .to(email)
        .iter()
        .filter(|m| m.body.contains("/circle/join/"))
        .count();
    let (status, m) = app
        .post(
            &format!("/circle-members/{member_id}/invite"),
            Some(&manager.token),
            json!({ "via": "email", "method": "question", "question": "Nom de votre premier chien ?", "answer": "Filou" }),
        )
        .await;
    assert_eq!((status, m["state"].as_str()), (200, Some("invited")), "{m}");
    let link = circle_link(app, email, earlier + 1).await;
    let person = sign_up(app, email, "fr").await;
    let (status, r) = app
        .post(
            &format!("/circle-invitations/{}/accept", token_of(&link)),
            Some(&person.token),
            json!({ "answer": "filou" }),
        )
        .await;
    assert_eq!((status, r["joined"].as_bool()), (200, Some(true)), "{r}");
    person
}

/// A person who joined the circle of `file_id` in `section` (patient |
/// responsible | observer) with a new account at `email`. Returns the
/// person (bearer token) and their circle member id.
pub(crate) async fn join_circle(
    app: &TestApp,
    manager: &Person,
    file_id: &str,
    section: &str,
    email: &str,
) -> (Person, String) {
    let member_id = preallocate(app, manager, file_id, section, email).await;
    let person = join_preallocated(app, manager, &member_id, email).await;
    (person, member_id)
}

async fn circle_of(app: &TestApp, token: &str, file_id: &str) -> Vec<Value> {
    let (status, r) = app.get(&format!("/patient-files/{file_id}/circle"), Some(token)).await;
    assert_eq!(status, 200, "{r}");
    r["members"].as_array().expect("members").clone()
}

async fn member_in(app: &TestApp, token: &str, file_id: &str, member_id: &str) -> Value {
    circle_of(app, token, file_id)
        .await
        .into_iter()
        .find(|m| m["id"] == member_id)
        .expect("member listed")
}

async fn user_row(app: &TestApp, email: &str) -> cercle_store::users::UserRow {
    let mut conn = app.ctx().store.reader().await.expect("conn");
    cercle_store::users::by_email(&mut conn, email)
        .await
        .expect("query")
        .expect("user")
}

async fn accept(app: &TestApp, token: &str, link: &str, body: Value) -> (u16, Value) {
    app.post(
        &format!("/circle-invitations/{}/accept", token_of(link)),
        Some(token),
        body,
    )
    .await
}

// ---- Tests ----------------------------------------------------------------------

async fn preallocate_then_invite_by_email_with_a_question_and_join(db: Db) {
    let app = TestApp::spawn(db).await;
    let (_org, manager, file) = manager_and_file(&app).await;
    let member = preallocate(&app, &manager, &file, "patient", "gerard@maison.test").await;
    let listed = member_in(&app, &manager.token, &file, &member).await;
    assert_eq!(listed["state"], "preallocated");
    assert_eq!(listed["section"], "patient");
    assert!(listed["invitation"].is_null());
    // Nothing was sent to a pre-allocated person.
    assert!(app.smtp.to("gerard@maison.test").is_empty());

    let (status, m) = app
        .post(
            &format!("/circle-members/{member}/invite"),
            Some(&manager.token),
            json!({ "via": "email", "method": "question", "question": "Où avez-vous fait votre voyage de noces ?", "answer": "  le Château   FRONTENAC " }),
        )
        .await;
    assert_eq!((status, m["state"].as_str()), (200, Some("invited")), "{m}");
    assert_eq!(m["invitation"]["method"], "question");
    assert_eq!(m["invitation"]["failures"], 0);
    let link = circle_link(&app, "gerard@maison.test", 1).await;
    let mail = app.smtp.to("gerard@maison.test").remove(0);
    assert!(
        mail.subject.contains("équipe de soins"),
        "French, the invitee's language: {}",
        mail.subject
    );
    assert!(
        !mail.body.to_lowercase().contains("frontenac"),
        "no answer in the email"
    );
    assert!(!mail.body.contains("Lévesque"), "no patient data in the email");

    // Public: what the link is for.
    let (status, info) = app.get(&format!("/circle-invitations/{}", token_of(&link)), None).await;
    assert_eq!(status, 200, "{info}");
    assert_eq!(info["state"], "pending");
    assert_eq!(info["question"], "Où avez-vous fait votre voyage de noces ?");
    assert_eq!(info["inviter_name"], "Nadia Gestion");
    assert_eq!(info["org_name"], "CLSC des Érables");
    assert!(!info.to_string().contains("Lévesque"));

    // Signed in only.
    let (status, _) = accept(&app, "nope", &link, json!({ "answer": "x" })).await;
    assert_eq!(status, 401);

    let patient = sign_up(&app, "gerard@maison.test", "fr").await;
    let (status, r) = accept(
        &app,
        &patient.token,
        &link,
        json!({ "answer": "Le chateau   frontenac" }),
    )
    .await;
    assert_eq!(status, 200, "{r}");
    assert_eq!(r["joined"], true);
    assert_eq!(r["channel_ids"], json!([]));
    let listed = member_in(&app, &manager.token, &file, &member).await;
    assert_eq!(listed["state"], "joined");
    assert_eq!(listed["user_id"], user_row(&app, "gerard@maison.test").await.id);
    assert!(user_row(&app, "gerard@maison.test").await.circle_only);

    // The link works once.
    let (status, r) = accept(&app, &patient.token, &link, json!({ "answer": "le chateau frontenac" })).await;
    assert_eq!(
        (status, r["code"].as_str()),
        (409, Some("invitation-already-accepted")),
        "{r}"
    );
    let other = sign_up(&app, "voisin@maison.test", "fr").await;
    let (status, _) = accept(&app, &other.token, &link, json!({ "answer": "le chateau frontenac" })).await;
    assert_eq!(status, 409);
    let (_, info) = app.get(&format!("/circle-invitations/{}", token_of(&link)), None).await;
    assert_eq!(info["state"], "accepted");

    // Someone already in this circle cannot take a second place in it.
    let second = preallocate(&app, &manager, &file, "observer", "gerard@maison.test").await;
    let (status, _) = app
        .post(
            &format!("/circle-members/{second}/invite"),
            Some(&manager.token),
            json!({ "via": "email", "method": "question", "question": "Couleur préférée ?", "answer": "bleu" }),
        )
        .await;
    assert_eq!(status, 200);
    let link2 = circle_link(&app, "gerard@maison.test", 2).await;
    let (status, r) = accept(&app, &patient.token, &link2, json!({ "answer": "BLEU" })).await;
    assert_eq!((status, r["code"].as_str()), (409, Some("already-in-circle")), "{r}");

    // A joined member cannot be invited again.
    let (status, _) = app
        .post(
            &format!("/circle-members/{member}/invite"),
            Some(&manager.token),
            json!({ "via": "email", "method": "code" }),
        )
        .await;
    assert_eq!(status, 409);
}

async fn the_secret_code_comes_in_a_separate_email(db: Db) {
    let app = TestApp::spawn(db).await;
    let (_org, manager, file) = manager_and_file(&app).await;
    let (status, m) = app
        .post(
            &format!("/patient-files/{file}/circle"),
            Some(&manager.token),
            json!({ "section": "responsible", "first_name": "Louise", "last_name": "Aidante", "email": "louise@proches.test",
                    "language": "en", "relationship": "daughter", "invite": { "via": "email", "method": "code" } }),
        )
        .await;
    assert_eq!((status, m["state"].as_str()), (201, Some("invited")), "{m}");
    assert_eq!(m["invitation"]["method"], "code");
    assert!(m["invitation"]["question"].is_null());
    let member = m["id"].as_str().unwrap().to_string();
    let link = circle_link(&app, "louise@proches.test", 1).await;
    let (code, code_mail) = circle_code(&app, "louise@proches.test", 1).await;
    let invitation_mail = app
        .smtp
        .to("louise@proches.test")
        .into_iter()
        .find(|m| m.body.contains("/circle/join/"))
        .unwrap();
    assert!(
        grouped_code(&invitation_mail.body).is_none(),
        "the code is not with the link"
    );
    assert!(!invitation_mail.body.contains(&code.replace('-', "")));
    assert!(
        !code_mail.body.contains("/circle/join/"),
        "the link is not with the code"
    );
    assert!(
        code_mail.subject.contains("secret code"),
        "English: {}",
        code_mail.subject
    );
    assert!(
        invitation_mail.subject.contains("care team"),
        "{}",
        invitation_mail.subject
    );

    let (_, info) = app.get(&format!("/circle-invitations/{}", token_of(&link)), None).await;
    assert_eq!(
        (info["method"].as_str(), info["question"].is_null()),
        (Some("code"), true)
    );

    let caregiver = sign_up(&app, "louise@proches.test", "en").await;
    let wrong = if code.starts_with('9') {
        "1111-1111-1111"
    } else {
        "9999-9999-9999"
    };
    let (status, r) = accept(&app, &caregiver.token, &link, json!({ "code": wrong })).await;
    assert_eq!(
        (status, r["code"].as_str(), r["tries_left"].as_i64()),
        (422, Some("answer-wrong"), Some(4)),
        "{r}"
    );
    assert!(r["message"].as_str().unwrap().contains('4'), "{r}");
    let (status, r) = accept(&app, &caregiver.token, &link, json!({ "code": code.replace('-', " ") })).await;
    assert_eq!(status, 200, "{r}");
    let listed = member_in(&app, &manager.token, &file, &member).await;
    assert_eq!(listed["state"], "joined");
}

async fn sms_invitations_carry_the_link_and_refuse_the_code(db: Db) {
    let app = TestApp::spawn(db).await;
    let (_org, manager, file) = manager_and_file(&app).await;
    let (status, m) = app
        .post(
            &format!("/patient-files/{file}/circle"),
            Some(&manager.token),
            json!({ "section": "patient", "first_name": "Gérard", "last_name": "Lévesque", "phone": "514 555 0199", "language": "fr" }),
        )
        .await;
    assert_eq!(status, 201, "{m}");
    let member = m["id"].as_str().unwrap().to_string();
    let phone = m["phone"].as_str().unwrap().to_string();

    // The code goes by email only: refused for SMS, even with an email.
    let (status, r) = app
        .post(
            &format!("/circle-members/{member}/invite"),
            Some(&manager.token),
            json!({ "via": "sms", "method": "code" }),
        )
        .await;
    assert_eq!(
        (status, r["code"].as_str()),
        (422, Some("secret-code-by-email-only")),
        "{r}"
    );
    assert!(r["message"].as_str().unwrap().contains("courriel"), "{r}");
    let (status, r) = app
        .post(
            &format!("/patient-files/{file}/circle"),
            Some(&manager.token),
            json!({ "section": "responsible", "first_name": "A", "last_name": "B", "phone": "514 555 0198", "email": "ab@x.test",
                    "invite": { "via": "sms", "method": "code" } }),
        )
        .await;
    assert_eq!(
        (status, r["code"].as_str()),
        (422, Some("secret-code-by-email-only")),
        "{r}"
    );
    assert_eq!(
        circle_of(&app, &manager.token, &file).await.len(),
        1,
        "nothing added on refusal"
    );
    // No email to invite by email.
    let (status, r) = app
        .post(
            &format!("/circle-members/{member}/invite"),
            Some(&manager.token),
            json!({ "via": "email", "method": "question", "question": "Q ?", "answer": "R" }),
        )
        .await;
    assert_eq!(
        (status, r["code"].as_str()),
        (422, Some("invitation-email-missing")),
        "{r}"
    );

    let (status, m) = app
        .post(
            &format!("/circle-members/{member}/invite"),
            Some(&manager.token),
            json!({ "via": "sms", "method": "question", "question": "Le nom de votre rue ?", "answer": "Rue des Érables" }),
        )
        .await;
    assert_eq!((status, m["invitation"]["via"].as_str()), (200, Some("sms")), "{m}");
    let sms = app.sms.nth_to(&phone, 1).await;
    assert!(sms.body.contains("/circle/join/"), "{}", sms.body);
    assert!(!sms.body.to_lowercase().contains("erables") || sms.body.contains("CLSC des Érables"));
    assert!(!sms.body.contains("Lévesque"), "no patient data: {}", sms.body);
    let link = link_in(&sms.body);
    // An SMS invitee signs up with an email of their own.
    let patient = sign_up(&app, "gerard.sms@maison.test", "fr").await;
    let (status, r) = accept(&app, &patient.token, &link, json!({ "answer": "rue des erables" })).await;
    assert_eq!(status, 200, "{r}");
}

async fn bad_questions_and_answers_are_refused(db: Db) {
    let app = TestApp::spawn(db).await;
    let (_org, manager, file) = manager_and_file(&app).await;
    let member = preallocate(&app, &manager, &file, "patient", "p@x.test").await;
    let cases = [
        (
            json!({ "via": "email", "method": "question", "question": "Ville natale ?", "answer": "" }),
            "security-answer-missing",
        ),
        (
            json!({ "via": "email", "method": "question", "question": "Ville natale ?", "answer": "  ?! " }),
            "security-answer-missing",
        ),
        (
            json!({ "via": "email", "method": "question", "question": "Ville natale ?" }),
            "security-answer-missing",
        ),
        (
            json!({ "via": "email", "method": "question", "question": "Ville natale", "answer": "ville  NATALE" }),
            "security-answer-is-question",
        ),
        (
            json!({ "via": "email", "method": "question", "question": "Québec", "answer": "quebec" }),
            "security-answer-is-question",
        ),
        (
            json!({ "via": "email", "method": "question", "question": "", "answer": "x" }),
            "security-question-invalid",
        ),
        (
            json!({ "via": "email", "method": "question", "question": "q".repeat(201), "answer": "x" }),
            "security-question-invalid",
        ),
        (
            json!({ "via": "pigeon", "method": "question", "question": "Q", "answer": "x" }),
            "invalid-invitation-method",
        ),
        (
            json!({ "via": "email", "method": "guess" }),
            "invalid-invitation-method",
        ),
        (
            json!({ "via": "sms", "method": "question", "question": "Q", "answer": "x" }),
            "invitation-phone-missing",
        ),
    ];
    for (body, code) in cases {
        let (status, r) = app
            .post(
                &format!("/circle-members/{member}/invite"),
                Some(&manager.token),
                body.clone(),
            )
            .await;
        assert_eq!((status, r["code"].as_str()), (422, Some(code)), "{body}: {r}");
    }
    assert_eq!(
        member_in(&app, &manager.token, &file, &member).await["state"],
        "preallocated"
    );
    assert!(app.smtp.to("p@x.test").is_empty(), "nothing sent");
    // Bad details.
    for (body, code) in [
        (
            json!({ "section": "neighbour", "first_name": "A", "last_name": "B" }),
            "invalid-circle-section",
        ),
        (
            json!({ "section": "patient", "first_name": "", "last_name": "B" }),
            "invalid-name",
        ),
        (
            json!({ "section": "patient", "first_name": "A", "last_name": "B", "email": "nope" }),
            "invalid-email",
        ),
        (
            json!({ "section": "patient", "first_name": "A", "last_name": "B", "language": "de" }),
            "invalid-language",
        ),
    ] {
        let (status, r) = app
            .post(
                &format!("/patient-files/{file}/circle"),
                Some(&manager.token),
                body.clone(),
            )
            .await;
        assert_eq!((status, r["code"].as_str()), (422, Some(code)), "{body}: {r}");
    }
}

async fn five_wrong_tries_lock_and_a_resend_kills_the_old_link(db: Db) {
    let app = TestApp::spawn(db).await;
    let (_org, manager, file) = manager_and_file(&app).await;
    let member = preallocate(&app, &manager, &file, "responsible", "aidant@x.test").await;
    let (status, _) = app
        .post(
            &format!("/circle-members/{member}/invite"),
            Some(&manager.token),
            json!({ "via": "email", "method": "question", "question": "Plat préféré ?", "answer": "Pâté chinois" }),
        )
        .await;
    assert_eq!(status, 200);
    let link = circle_link(&app, "aidant@x.test", 1).await;
    let aidant = sign_up(&app, "aidant@x.test", "fr").await;
    for left in (1..=4).rev() {
        let (status, r) = accept(&app, &aidant.token, &link, json!({ "answer": "tourtière" })).await;
        assert_eq!((status, r["tries_left"].as_i64()), (422, Some(left)), "{r}");
    }
    let (status, info) = app.get(&format!("/circle-invitations/{}", token_of(&link)), None).await;
    assert_eq!((status, info["tries_left"].as_i64()), (200, Some(1)));
    let (status, r) = accept(&app, &aidant.token, &link, json!({ "answer": "" })).await;
    assert_eq!((status, r["code"].as_str()), (409, Some("invitation-locked")), "{r}");
    // Locked: even the right answer is refused now.
    let (status, r) = accept(&app, &aidant.token, &link, json!({ "answer": "pate chinois" })).await;
    assert_eq!((status, r["code"].as_str()), (409, Some("invitation-locked")), "{r}");
    let listed = member_in(&app, &manager.token, &file, &member).await;
    assert_eq!(listed["state"], "locked", "{listed}");
    assert_eq!(listed["invitation"]["failures"], 5);

    // The manager resends: new link, tries reset, the old link is dead.
    let (status, m) = app
        .post(
            &format!("/circle-members/{member}/resend"),
            Some(&manager.token),
            json!({}),
        )
        .await;
    assert_eq!((status, m["state"].as_str()), (200, Some("invited")), "{m}");
    assert_eq!(m["invitation"]["failures"], 0);
    let new_link = circle_link(&app, "aidant@x.test", 2).await;
    assert_ne!(new_link, link);
    let (status, r) = accept(&app, &aidant.token, &link, json!({ "answer": "pate chinois" })).await;
    assert_eq!((status, r["code"].as_str()), (410, Some("link-invalid")), "{r}");
    let (_, info) = app.get(&format!("/circle-invitations/{}", token_of(&link)), None).await;
    assert_eq!(info["state"], "replaced");
    // A resend of a pending invitation kills its link too.
    let (status, _) = app
        .post(
            &format!("/circle-members/{member}/resend"),
            Some(&manager.token),
            json!({}),
        )
        .await;
    assert_eq!(status, 200);
    let newest = circle_link(&app, "aidant@x.test", 3).await;
    let (status, _) = accept(&app, &aidant.token, &new_link, json!({ "answer": "pate chinois" })).await;
    assert_eq!(status, 410);
    let (status, r) = accept(&app, &aidant.token, &newest, json!({ "answer": "PÂTÉ  chinois" })).await;
    assert_eq!(status, 200, "{r}");
    // Resending a joined member: nothing to resend.
    let (status, _) = app
        .post(
            &format!("/circle-members/{member}/resend"),
            Some(&manager.token),
            json!({}),
        )
        .await;
    assert_eq!(status, 409);

    // A code invitation resent gets a new code; the old code no longer works.
    let (status, m) = app
        .post(
            &format!("/patient-files/{file}/circle"),
            Some(&manager.token),
            json!({ "section": "observer", "first_name": "O", "last_name": "B", "email": "obs@x.test", "invite": { "via": "email", "method": "code" } }),
        )
        .await;
    assert_eq!(status, 201, "{m}");
    let obs_member = m["id"].as_str().unwrap().to_string();
    let (old_code, _) = circle_code(&app, "obs@x.test", 1).await;
    let (status, _) = app
        .post(
            &format!("/circle-members/{obs_member}/resend"),
            Some(&manager.token),
            json!({}),
        )
        .await;
    assert_eq!(status, 200);
    let (new_code, _) = circle_code(&app, "obs@x.test", 2).await;
    let obs_link = circle_link(&app, "obs@x.test", 2).await;
    let observer = sign_up(&app, "obs@x.test", "fr").await;
    if old_code != new_code {
        let (status, _) = accept(&app, &observer.token, &obs_link, json!({ "code": old_code })).await;
        assert_eq!(status, 422);
    }
    let (status, r) = accept(&app, &observer.token, &obs_link, json!({ "code": new_code })).await;
    assert_eq!(status, 200, "{r}");

    // Expired after 14 days; a resend revives it.
    let late = preallocate(&app, &manager, &file, "observer", "tard@x.test").await;
    let (status, _) = app
        .post(
            &format!("/circle-members/{late}/invite"),
            Some(&manager.token),
            json!({ "via": "email", "method": "question", "question": "Q ?", "answer": "R" }),
        )
        .await;
    assert_eq!(status, 200);
    let late_link = circle_link(&app, "tard@x.test", 1).await;
    app.advance(14 * 24 * 3600 + 60);
    let (status, r) = app
        .post(
            "/auth/unlock",
            Some(&manager.token),
            json!({ "pin": crate::helpers::PIN }),
        )
        .await;
    assert_eq!(status, 200, "{r}");
    assert_eq!(member_in(&app, &manager.token, &file, &late).await["state"], "expired");
    let tard = sign_up(&app, "tard@x.test", "fr").await;
    let (status, r) = accept(&app, &tard.token, &late_link, json!({ "answer": "r" })).await;
    assert_eq!((status, r["code"].as_str()), (409, Some("invitation-expired")), "{r}");
    let (status, _) = app
        .post(
            &format!("/circle-members/{late}/resend"),
            Some(&manager.token),
            json!({}),
        )
        .await;
    assert_eq!(status, 200);
    let late_link2 = circle_link(&app, "tard@x.test", 2).await;
    let (status, r) = accept(&app, &tard.token, &late_link2, json!({ "answer": "r" })).await;
    assert_eq!(status, 200, "{r}");
}

async fn cancelled_invitations_and_archived_files_are_refused(db: Db) {
    let app = TestApp::spawn(db).await;
    let (_org, manager, file) = manager_and_file(&app).await;
    let member = preallocate(&app, &manager, &file, "patient", "annule@x.test").await;
    let (status, _) = app
        .post(
            &format!("/circle-members/{member}/invite"),
            Some(&manager.token),
            json!({ "via": "email", "method": "question", "question": "Q ?", "answer": "oui" }),
        )
        .await;
    assert_eq!(status, 200);
    let link = circle_link(&app, "annule@x.test", 1).await;
    let (status, m) = app
        .post(
            &format!("/circle-members/{member}/cancel"),
            Some(&manager.token),
            json!({}),
        )
        .await;
    assert_eq!((status, m["state"].as_str()), (200, Some("cancelled")), "{m}");
    let person = sign_up(&app, "annule@x.test", "fr").await;
    let (status, r) = accept(&app, &person.token, &link, json!({ "answer": "oui" })).await;
    assert_eq!((status, r["code"].as_str()), (409, Some("invitation-cancelled")), "{r}");
    let (status, _) = app
        .post(
            &format!("/circle-members/{member}/cancel"),
            Some(&manager.token),
            json!({}),
        )
        .await;
    assert_eq!(status, 409, "already cancelled");
    let (status, _) = app
        .post(
            &format!("/circle-members/{member}/resend"),
            Some(&manager.token),
            json!({}),
        )
        .await;
    assert_eq!(status, 409, "nothing to resend");

    // An invitation sent before the file was archived dies with it.
    let other = preallocate(&app, &manager, &file, "responsible", "archive@x.test").await;
    let (status, _) = app
        .post(
            &format!("/circle-members/{other}/invite"),
            Some(&manager.token),
            json!({ "via": "email", "method": "question", "question": "Q ?", "answer": "oui" }),
        )
        .await;
    assert_eq!(status, 200);
    let other_link = circle_link(&app, "archive@x.test", 1).await;
    let (status, r) = app
        .post(
            &format!("/patient-files/{file}/archive"),
            Some(&manager.token),
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "{r}");
    let (status, r) = app
        .post(
            &format!("/patient-files/{file}/circle"),
            Some(&manager.token),
            json!({ "section": "patient", "first_name": "A", "last_name": "B", "email": "n@x.test" }),
        )
        .await;
    assert_eq!((status, r["code"].as_str()), (409, Some("patient-archived")), "{r}");
    for path in [
        format!("/circle-members/{other}/invite"),
        format!("/circle-members/{other}/resend"),
    ] {
        let (status, r) = app
            .post(&path, Some(&manager.token), json!({ "via": "email", "method": "code" }))
            .await;
        assert_eq!(
            (status, r["code"].as_str()),
            (409, Some("patient-archived")),
            "{path}: {r}"
        );
    }
    let late = sign_up(&app, "archive@x.test", "fr").await;
    let (status, r) = accept(&app, &late.token, &other_link, json!({ "answer": "oui" })).await;
    assert_eq!((status, r["code"].as_str()), (409, Some("patient-archived")), "{r}");
    // Still readable.
    assert_eq!(circle_of(&app, &manager.token, &file).await.len(), 2);
}

async fn only_the_patient_and_caregiver_manager_changes_a_circle(db: Db) {
    let app = TestApp::spawn(db).await;
    let (org, manager, file) = manager_and_file(&app).await;
    let member = preallocate(&app, &manager, &file, "patient", "p@x.test").await;
    let plain = org_member(&app, &org, &org.root, "membre@erables.test", "Paul Membre", &["member"]).await;
    let team_manager = org_member(
        &app,
        &org,
        &org.root,
        "chef@erables.test",
        "Chloé Chef",
        &["member", "team_manager"],
    )
    .await;
    let other_org = org_with_admin(&app, "Clinique Ailleurs", "admin@ailleurs.test").await;
    let stranger = org_member(
        &app,
        &other_org,
        &other_org.root,
        "gestion@ailleurs.test",
        "Gaston Ailleurs",
        &["member", "patient_caregiver_manager"],
    )
    .await;
    let invite = json!({ "via": "email", "method": "question", "question": "Q ?", "answer": "R" });
    let add =
        json!({ "section": "patient", "first_name": "A", "last_name": "B", "email": "n@x.test", "invite": invite });
    // (who, status reading the circle, status of every change)
    let cases = [
        ("plain member", &plain, 404, 404),
        ("team manager", &team_manager, 200, 403),
        ("administrator", &org.admin, 404, 404),
        ("another organization's manager", &stranger, 404, 404),
    ];
    for (who, p, read, write) in cases {
        let (status, _) = app.get(&format!("/patient-files/{file}/circle"), Some(&p.token)).await;
        assert_eq!(status, read, "{who} reads the circle");
        let (status, r) = app
            .post(&format!("/patient-files/{file}/circle"), Some(&p.token), add.clone())
            .await;
        assert_eq!(status, write, "{who} adds: {r}");
        for action in ["invite", "resend", "cancel"] {
            let (status, r) = app
                .post(
                    &format!("/circle-members/{member}/{action}"),
                    Some(&p.token),
                    invite.clone(),
                )
                .await;
            assert_eq!(status, write, "{who} {action}: {r}");
        }
    }
    // Nothing changed, nothing sent.
    let circle = circle_of(&app, &manager.token, &file).await;
    assert_eq!(circle.len(), 1);
    assert_eq!(circle[0]["state"], "preallocated");
    assert!(app.smtp.to("p@x.test").is_empty() && app.smtp.to("n@x.test").is_empty());
    // An id that does not exist is not found either.
    let (status, _) = app
        .post(
            "/circle-members/00000000-0000-0000-0000-000000000000/cancel",
            Some(&manager.token),
            json!({}),
        )
        .await;
    assert_eq!(status, 404);
    // The manager of another organization does not reach this file even
    // with a joined person's link in hand: links bind to whoever answers,
    // but the circle stays out of reach.
    let (status, _) = app
        .get(&format!("/patient-files/{file}/circle"), Some(&stranger.token))
        .await;
    assert_eq!(status, 404);
}

async fn circle_only_people_stay_out_of_the_network_and_organizations(db: Db) {
    let app = TestApp::spawn(db).await;
    let (org, manager, file) = manager_and_file(&app).await;
    let (patient, _) = join_circle(&app, &manager, &file, "patient", "patient@maison.test").await;
    assert!(user_row(&app, "patient@maison.test").await.circle_only);
    let manager_id = user_row(&app, "gestion@erables.test").await.id;
    let t = Some(patient.token.as_str());
    let gets = [
        "/network/search?q=nadia".to_string(),
        "/network/profile".to_string(),
        format!("/network/people/{manager_id}"),
        "/network/directory".to_string(),
        "/network/workplaces".to_string(),
        "/network/friends".to_string(),
        "/network/invitations".to_string(),
        "/org/structure".to_string(),
        "/org/members".to_string(),
        "/org/invitations".to_string(),
        "/org/audit".to_string(),
        "/patient-files".to_string(),
        format!("/patient-files/{file}"),
        format!("/patient-files/{file}/circle"),
    ];
    for path in &gets {
        let (status, r) = app.get(path, t).await;
        assert!(
            matches!(status, 403 | 404 | 409),
            "{path} answered {status} to a circle-only person: {r}"
        );
        assert!(!r.to_string().contains("Lévesque"), "{path}: {r}");
    }
    for (path, body) in [
        ("/network/friends", json!({ "user_id": manager_id })),
        ("/network/directory", json!({ "kind": "person", "id": manager_id })),
        (
            "/network/workplaces",
            json!({ "name": "Chez moi", "kind": "clinic", "address": "1 rue" }),
        ),
        ("/network/professions", json!({ "profession": "physician" })),
        ("/direct", json!({ "user_id": manager_id })),
        (
            "/patient-files",
            json!({ "first_name": "X", "last_name": "Y", "birth_date": "1950-01-01" }),
        ),
        ("/org/units", json!({ "parent_id": org.root, "name": "Chez moi" })),
    ] {
        let (status, r) = app.post(path, t, body).await;
        assert!(matches!(status, 403 | 404 | 409), "POST {path} answered {status}: {r}");
    }
    // Their own account and security pages still work.
    let (status, _) = app.get("/account", t).await;
    assert_eq!(status, 200);
    let (status, _) = app.get("/account/sessions", t).await;
    assert_eq!(status, 200);
    // They are not found on the network either.
    let (status, r) = app.get("/network/search?q=patient", Some(&manager.token)).await;
    assert_eq!(status, 200, "{r}");
    assert!(!r.to_string().contains("patient@maison.test"));

    // A professional who joins a circle keeps the network.
    let pro = org_member(&app, &org, &org.root, "pro@erables.test", "Pia Pro", &["member"]).await;
    let m = preallocate(&app, &manager, &file, "responsible", "pro@erables.test").await;
    let (status, _) = app
        .post(
            &format!("/circle-members/{m}/invite"),
            Some(&manager.token),
            json!({ "via": "email", "method": "question", "question": "Q ?", "answer": "R" }),
        )
        .await;
    assert_eq!(status, 200);
    let link = circle_link(&app, "pro@erables.test", 1).await;
    let (status, r) = accept(&app, &pro.token, &link, json!({ "answer": "r" })).await;
    assert_eq!(status, 200, "{r}");
    assert!(!user_row(&app, "pro@erables.test").await.circle_only);
    let (status, _) = app.get("/network/profile", Some(&pro.token)).await;
    assert_eq!(status, 200);
}

/// Every text value of every table, lower-cased, as `table.column: value`
/// (sqlx's `_sqlx_migrations` aside: checksums of our SQL files, in binary).
async fn all_text(app: &TestApp) -> Vec<String> {
    let store = &app.ctx().store;
    let mut conn = store.reader().await.expect("conn");
    let sql = match store.backend() {
        cercle_store::Backend::Sqlite => {
            "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> '_sqlx_migrations'"
        }
        cercle_store::Backend::Postgres => {
            "SELECT CAST(table_name AS TEXT), CAST(column_name AS TEXT) FROM information_schema.columns \
             WHERE table_schema = 'public' AND table_name <> '_sqlx_migrations'"
        }
    };
    let cols: Vec<(String, String)> = sqlx::query(sql)
        .fetch_all(&mut *conn)
        .await
        .expect("columns")
        .iter()
        .map(|r| (r.try_get(0).expect("table"), r.try_get(1).expect("column")))
        .collect();
    let mut out = Vec::new();
    for (table, column) in cols {
        let rows = sqlx::query(&format!("SELECT CAST(\"{column}\" AS TEXT) FROM \"{table}\""))
            .fetch_all(&mut *conn)
            .await
            .expect("values");
        for r in rows {
            if let Ok(Some(v)) = r.try_get::<Option<String>, _>(0) {
                out.push(format!("{table}.{column}: {}", v.to_lowercase()));
            }
        }
    }
    out
}

async fn invitation_events_are_audited_and_no_secret_is_stored_in_clear(db: Db) {
    // Production mode: message bodies are dropped from the outbox once sent.
    let app = TestApp::spawn_with(db, |c| c.production = true).await;
    let (org, manager, file) = manager_and_file(&app).await;
    let member = preallocate(&app, &manager, &file, "patient", "secret@x.test").await;
    let (status, _) = app
        .post(
            &format!("/circle-members/{member}/invite"),
            Some(&manager.token),
            json!({ "via": "email", "method": "question", "question": "Mot magique ?", "answer": "Zanzibar-Quokka" }),
        )
        .await;
    assert_eq!(status, 200);
    let link = circle_link(&app, "secret@x.test", 1).await;
    let person = sign_up(&app, "secret@x.test", "fr").await;
    for _ in 0..5 {
        accept(&app, &person.token, &link, json!({ "answer": "non" })).await;
    }
    app.post(
        &format!("/circle-members/{member}/resend"),
        Some(&manager.token),
        json!({}),
    )
    .await;
    let link = circle_link(&app, "secret@x.test", 2).await;
    let (status, r) = accept(&app, &person.token, &link, json!({ "answer": "zanzibar quokka" })).await;
    assert_eq!(status, 200, "{r}");
    let (status, m) = app
        .post(
            &format!("/patient-files/{file}/circle"),
            Some(&manager.token),
            json!({ "section": "responsible", "first_name": "C", "last_name": "D", "email": "code@x.test", "invite": { "via": "email", "method": "code" } }),
        )
        .await;
    assert_eq!(status, 201);
    let (code, _) = circle_code(&app, "code@x.test", 1).await;
    let code_link = circle_link(&app, "code@x.test", 1).await;
    let (status, _) = app
        .post(
            &format!("/circle-members/{}/cancel", m["id"].as_str().unwrap()),
            Some(&manager.token),
            json!({}),
        )
        .await;
    assert_eq!(status, 200);
    circle_of(&app, &manager.token, &file).await;

    // The organization's audit log, searched by patient.
    let (status, r) = app
        .get(
            &format!("/org/audit?patient_id={file}&limit=200"),
            Some(&org.admin.token),
        )
        .await;
    assert_eq!(status, 200, "{r}");
    let events: Vec<String> = r["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap().to_string())
        .collect();
    for e in [
        "circle.member_added",
        "circle.invitation_created",
        "circle.invitation_sent",
        "circle.invitation_failed",
        "circle.invitation_locked",
        "circle.invitation_resent",
        "circle.invitation_accepted",
        "circle.invitation_cancelled",
        "circle.listed",
    ] {
        assert!(events.iter().any(|x| x == e), "{e} missing from {events:?}");
    }
    assert_eq!(events.iter().filter(|e| *e == "circle.invitation_failed").count(), 5);

    // Once the messages left, no answer, code or link token in clear anywhere.
    cercle_testkit::eventually("outbox delivered", async || {
        let mut conn = app.ctx().store.reader().await.ok()?;
        let n: i64 = sqlx::query("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL")
            .fetch_one(&mut *conn)
            .await
            .ok()?
            .try_get(0)
            .ok()?;
        (n == 0).then_some(())
    })
    .await;
    let text = all_text(&app).await;
    assert!(text.len() > 100);
    let digits = code.replace('-', "");
    for needle in [
        "zanzibar",
        "quokka",
        digits.as_str(),
        code.as_str(),
        token_of(&link).to_lowercase().as_str(),
        token_of(&code_link).to_lowercase().as_str(),
    ] {
        let found: Vec<&String> = text.iter().filter(|v| v.contains(needle)).collect();
        assert!(found.is_empty(), "{needle} stored in clear: {found:?}");
    }
    // The question is not a secret: it is kept to be shown.
    assert!(text.iter().any(|v| v.contains("mot magique")));
}

// ---- In a browser ------------------------------------------------------------------

/// The manager adds and invites through the circle page (the question's
/// fields follow the method; the code is not offered for SMS); the invitee
/// opens the link, signs in, answers wrong then right, and lands on their
/// care teams with only that in the navigation.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_circle_and_the_invitation_link_in_a_browser() {
    use cercle_testkit::browser::Browser;
    let app = TestApp::spawn(Db::Sqlite).await;
    let (_org, manager, file) = manager_and_file(&app).await;
    // Every state on the page.
    preallocate(&app, &manager, &file, "observer", "voisine@x.test").await;
    let cancelled = preallocate(&app, &manager, &file, "observer", "annule@x.test").await;
    app.post(
        &format!("/circle-members/{cancelled}/cancel"),
        Some(&manager.token),
        json!({}),
    )
    .await;
    let (_, _) = join_circle(&app, &manager, &file, "responsible", "fils@x.test").await;
    let locked = preallocate(&app, &manager, &file, "responsible", "bloque@x.test").await;
    app.post(
        &format!("/circle-members/{locked}/invite"),
        Some(&manager.token),
        json!({ "via": "email", "method": "code" }),
    )
    .await;
    let locked_link = circle_link(&app, "bloque@x.test", 1).await;
    let blocked = sign_up(&app, "bloque@x.test", "fr").await;
    for _ in 0..5 {
        accept(&app, &blocked.token, &locked_link, json!({ "code": "0000-0000-0000" })).await;
    }

    let Some(b) = Browser::launch(&app.url, cercle_domain::Language::Fr).await else {
        return;
    };
    crate::helpers::sign_in_pages(&app, &b, "gestion@erables.test", 1).await;
    b.wait_for_path("/").await;
    b.goto(&format!("/patients/{file}/circle")).await;
    b.wait_for("[data-testid=circle-add-form]").await;
    b.assert_text("Verrouillée").await;
    b.assert_text("Préassigné").await;
    // The invitation's fields show once "invite now" is ticked; the code
    // method is disabled for SMS and hides the question.
    let hidden = |css: &'static str| {
        let b = &b;
        async move {
            b.execute(&format!("return document.querySelector('{css}').hidden;"), vec![])
                .await
                .expect("script")
                .as_bool()
                .unwrap_or(false)
        }
    };
    assert!(hidden(".circ-add-form .circ-invite-fields").await);
    b.click("[data-testid=circle-invite-now]").await;
    assert!(!hidden(".circ-add-form .circ-invite-fields").await);
    b.click(".circ-add-form input[name=method][value=code]").await;
    assert!(hidden(".circ-add-form .circ-question-fields").await);
    b.click(".circ-add-form input[name=via][value=sms]").await;
    let disabled = b
        .execute(
            "return document.querySelector('.circ-add-form input[name=method][value=code]').disabled;",
            vec![],
        )
        .await
        .expect("script");
    assert_eq!(disabled, json!(true));
    assert!(
        !hidden(".circ-add-form .circ-question-fields").await,
        "back to the question"
    );
    b.click(".circ-add-form input[name=via][value=email]").await;
    b.fill("#circ-first", "Gérard").await;
    b.fill("#circ-last", "Lévesque").await;
    b.fill("#circ-email", "gerard@maison.test").await;
    b.fill("#add-question", "Nom de votre premier chien ?").await;
    b.fill("#add-answer", "Filou").await;
    b.shoot("circle-manager-form").await;
    b.submit_form("[data-testid=circle-add-form]").await;
    b.wait_for_text("Invitation envoyée").await;
    b.shoot("circle-manager").await;

    // The invitee, in a browser of their own.
    let link = circle_link(&app, "gerard@maison.test", 1).await;
    let path = &link[link.find("/circle/join/").unwrap()..];
    let Some(g) = Browser::launch(&app.url, cercle_domain::Language::Fr).await else {
        return;
    };
    g.goto(path).await;
    g.wait_for("[data-testid=circle-join-sign-up]").await;
    g.assert_text("Nadia Gestion").await;
    g.shoot("circle-join-landing").await;
    sign_up(&app, "gerard@maison.test", "fr").await;
    crate::helpers::sign_in_pages(&app, &g, "gerard@maison.test", 1).await;
    // Home sends them back to the link they came from.
    g.wait_for("[data-testid=circle-join-form]").await;
    g.assert_text("Nom de votre premier chien ?").await;
    g.fill("#circ-answer", "Médor").await;
    g.submit_form("[data-testid=circle-join-form]").await;
    g.wait_for("[data-testid=circle-join-wrong]").await;
    g.assert_text("4").await;
    g.shoot("circle-join-wrong").await;
    g.fill("#circ-answer", "  FILOU ").await;
    g.submit_form("[data-testid=circle-join-form]").await;
    g.wait_for_path("/care").await;
    // Only their care teams in the navigation; home leads there too.
    let nav = g.text("nav.mainnav").await;
    assert!(nav.contains("Équipes de soins"), "{nav}");
    assert!(!nav.contains("Réseau") && !nav.contains("Patients"), "{nav}");
    g.goto("/").await;
    g.wait_for_path("/care").await;
    // A used link says so.
    g.goto(path).await;
    g.wait_for("[data-testid=circle-join-closed]").await;
    g.shoot("circle-join-used").await;
    g.quit().await;

    b.goto(&format!("/patients/{file}/circle")).await;
    b.wait_for_text("A rejoint").await;
    let joined = b
        .execute(
            "return document.querySelectorAll('[data-testid=circle-section-patient] [data-state=joined]').length;",
            vec![],
        )
        .await
        .expect("script");
    assert_eq!(joined, json!(1));
    b.quit().await;
}

// ---- The circle's sections and their presence (issue 14) ----------------------

/// Each section's `on` as the circle lists it, in order.
async fn sections_of(app: &TestApp, token: &str, file_id: &str) -> Vec<(String, bool)> {
    let (status, r) = app.get(&format!("/patient-files/{file_id}/circle"), Some(token)).await;
    assert_eq!(status, 200, "{r}");
    r["sections"]
        .as_array()
        .expect("sections")
        .iter()
        .map(|s| (s["section"].as_str().unwrap().to_string(), s["on"].as_bool().unwrap()))
        .collect()
}

async fn switch(app: &TestApp, token: &str, file_id: &str, section: &str, on: bool) -> (u16, Value) {
    app.put(
        &format!("/patient-files/{file_id}/circle/sections/{section}"),
        Some(token),
        json!({ "on": on }),
    )
    .await
}

async fn sections_switch_on_and_off_by_the_manager_only(db: Db) {
    let app = TestApp::spawn(db).await;
    let (org, manager, file) = manager_and_file(&app).await;
    let all_on = vec![
        ("patient".to_string(), true),
        ("responsible".to_string(), true),
        ("observer".to_string(), true),
    ];
    // A new file's circle has its three sections on.
    assert_eq!(sections_of(&app, &manager.token, &file).await, all_on);

    // A child: no patient presence. Nobody can be placed or invited there,
    // while the responsible persons still can.
    let (status, r) = switch(&app, &manager.token, &file, "patient", false).await;
    assert_eq!(status, 200, "{r}");
    assert_eq!(r["sections"][0], json!({ "section": "patient", "on": false }), "{r}");
    assert_eq!(
        sections_of(&app, &manager.token, &file).await[0],
        ("patient".to_string(), false),
        "persisted"
    );
    let invite = json!({ "via": "email", "method": "question", "question": "Q ?", "answer": "R" });
    for body in [
        json!({ "section": "patient", "first_name": "Théo", "last_name": "Enfant", "email": "theo@x.test" }),
        json!({ "section": "patient", "first_name": "Théo", "last_name": "Enfant", "email": "theo@x.test", "invite": invite }),
    ] {
        let (status, r) = app
            .post(&format!("/patient-files/{file}/circle"), Some(&manager.token), body)
            .await;
        assert_eq!((status, r["code"].as_str()), (409, Some("circle-section-off")), "{r}");
    }
    assert!(
        app.smtp.to("theo@x.test").is_empty(),
        "no invitation into a section that is off"
    );
    let parent = preallocate(&app, &manager, &file, "responsible", "parent@x.test").await;

    // A section with someone in it (or on their way) is not switched off.
    let (status, r) = switch(&app, &manager.token, &file, "responsible", false).await;
    assert_eq!(
        (status, r["code"].as_str()),
        (409, Some("circle-section-not-empty")),
        "{r}"
    );
    assert!(sections_of(&app, &manager.token, &file).await[1].1, "still on");

    // Cancelled, the place no longer holds the section; a cancelled member
    // of a section that is off cannot be invited again either.
    let (status, r) = app
        .post(
            &format!("/circle-members/{parent}/cancel"),
            Some(&manager.token),
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "{r}");
    let (status, r) = switch(&app, &manager.token, &file, "responsible", false).await;
    assert_eq!(status, 200, "{r}");
    let (status, r) = app
        .post(
            &format!("/circle-members/{parent}/invite"),
            Some(&manager.token),
            invite.clone(),
        )
        .await;
    assert_eq!((status, r["code"].as_str()), (409, Some("circle-section-off")), "{r}");
    assert!(app.smtp.to("parent@x.test").is_empty());

    // On again: adding works again; switching twice changes nothing more.
    for _ in 0..2 {
        let (status, r) = switch(&app, &manager.token, &file, "patient", true).await;
        assert_eq!(status, 200, "{r}");
    }
    let (status, r) = switch(&app, &manager.token, &file, "responsible", true).await;
    assert_eq!(status, 200, "{r}");
    assert_eq!(sections_of(&app, &manager.token, &file).await, all_on);
    preallocate(&app, &manager, &file, "patient", "theo@x.test").await;

    // Only a manager of the circle switches: a team manager reads the
    // sections but is refused; a plain member and another organization's
    // manager do not see the file at all. Bad sections and bodies are refused.
    let team_manager = org_member(
        &app,
        &org,
        &org.root,
        "chef@erables.test",
        "Chloé Chef",
        &["member", "team_manager"],
    )
    .await;
    let plain = org_member(&app, &org, &org.root, "membre@erables.test", "Paul Membre", &["member"]).await;
    let other_org = org_with_admin(&app, "Clinique Ailleurs", "admin@ailleurs.test").await;
    let stranger = org_member(
        &app,
        &other_org,
        &other_org.root,
        "gestion@ailleurs.test",
        "Gaston Ailleurs",
        &["member", "patient_caregiver_manager"],
    )
    .await;
    assert_eq!(sections_of(&app, &team_manager.token, &file).await, all_on);
    for (who, p, status_wanted) in [
        ("team manager", &team_manager, 403),
        ("plain member", &plain, 404),
        ("administrator", &org.admin, 404),
        ("another organization's manager", &stranger, 404),
    ] {
        let (status, r) = switch(&app, &p.token, &file, "observer", false).await;
        assert_eq!(status, status_wanted, "{who}: {r}");
    }
    let (status, _) = switch(&app, &manager.token, &file, "nobody", false).await;
    assert_eq!(status, 422);
    let (status, _) = app
        .put(
            &format!("/patient-files/{file}/circle/sections/observer"),
            Some(&manager.token),
            json!({ "on": "maybe" }),
        )
        .await;
    assert!((400..500).contains(&status), "{status}");
    assert_eq!(
        sections_of(&app, &manager.token, &file).await,
        all_on,
        "nothing changed"
    );

    // An archived file's circle keeps its sections.
    let (status, r) = app
        .post(
            &format!("/patient-files/{file}/archive"),
            Some(&manager.token),
            json!({}),
        )
        .await;
    assert!(
        status == 200 || status == 204,
        "the file's creator archives it: {status} {r}"
    );
    let (status, r) = switch(&app, &manager.token, &file, "observer", false).await;
    assert_eq!((status, r["code"].as_str()), (409, Some("patient-archived")), "{r}");

    // Every change is audited with the patient; a refused one is not.
    let (status, r) = app
        .get(
            &format!("/org/audit?patient_id={file}&limit=200"),
            Some(&org.admin.token),
        )
        .await;
    assert_eq!(status, 200, "{r}");
    let events: Vec<(String, String)> = r["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["event"].as_str().unwrap_or("").starts_with("circle.section_"))
        .map(|e| (e["event"].as_str().unwrap().to_string(), e.to_string()))
        .collect();
    let names: Vec<&str> = events.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names.iter().filter(|n| **n == "circle.section_off").count(),
        2,
        "patient and responsible switched off: {names:?}"
    );
    assert_eq!(
        names.iter().filter(|n| **n == "circle.section_on").count(),
        2,
        "patient and responsible switched on again (the second time changed nothing): {names:?}"
    );
    // The section is named in the record's scopes.
    let mut conn = app.ctx().store.reader().await.expect("conn");
    let scopes: Vec<String> = sqlx::query(
        "SELECT scopes FROM audit_events WHERE event = 'circle.section_off' AND target_id = $1 ORDER BY seq",
    )
    .bind(&file)
    .fetch_all(&mut *conn)
    .await
    .expect("audit")
    .iter()
    .map(|r| r.try_get::<String, _>(0).expect("scopes"))
    .collect();
    assert_eq!(scopes.len(), 2, "{scopes:?}");
    assert!(
        scopes[0].contains("section=patient") && scopes[1].contains("section=responsible"),
        "{scopes:?}"
    );
}
