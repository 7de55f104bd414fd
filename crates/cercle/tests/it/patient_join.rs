//! Joining as a patient or caregiver (issue 14, items 2 and 3), on SQLite
//! and PostgreSQL: the sign-up page reached from a care invitation speaks
//! to patients and caregivers and fills in the name and address the
//! invitation knows (only for the holder of a live link); once joined,
//! the care space shows the care team at once; patients and caregivers
//! manage their own availability and notification preferences; a new
//! patient file goes to the unit where its creator manages circles, and the
//! circle page says why when one cannot manage it.

use crate::backends;
use crate::circle_api::{circle_link, manager_and_file, preallocate};
use crate::helpers::{org_member, org_with_admin, patient_file, Person};
use crate::professional_routes::Web;
use cercle_domain::Language;
use cercle_i18n::{t, ta};
use cercle_testkit::{Db, TestApp};
use serde_json::json;

backends!(
    the_care_sign_up_page_speaks_to_patients_and_fills_in_the_invitation,
    after_joining_the_care_space_shows_the_care_team_at_once,
    a_patient_saves_their_availability_and_notification_preferences,
    a_new_file_goes_to_the_unit_where_one_manages_circles,
);

/// Text as the pages write it (maud escapes these).
fn esc(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn token_of(link: &str) -> String {
    link.trim_end_matches(['.', ',', ')'])
        .rsplit('/')
        .next()
        .expect("token")
        .to_string()
}

fn client(cookies: bool) -> reqwest::Client {
    let b = reqwest::Client::builder().timeout(std::time::Duration::from_secs(30));
    let b = if cookies { b.cookie_store(true) } else { b };
    b.build().expect("client")
}

async fn page(c: &reqwest::Client, app: &TestApp, path: &str, lang: Language) -> (u16, String) {
    let r = c
        .get(format!("{}{path}", app.url))
        .header("accept-language", lang.code())
        .send()
        .await
        .expect("page");
    let status = r.status().as_u16();
    (status, r.text().await.expect("html"))
}

/// Adds `first last` at `email` to the circle and invites them by email
/// with a security question; gives the member's id and the link's token.
async fn invite(
    app: &TestApp,
    manager: &Person,
    file: &str,
    section: &str,
    first: &str,
    last: &str,
    email: &str,
) -> (String, String) {
    let (status, m) = app
        .post(
            &format!("/patient-files/{file}/circle"),
            Some(&manager.token),
            json!({ "section": section, "first_name": first, "last_name": last, "email": email, "language": "fr",
                "invite": { "via": "email", "method": "question", "question": "Nom de votre premier chien ?", "answer": "Filou" } }),
        )
        .await;
    assert_eq!((status, m["state"].as_str()), (201, Some("invited")), "{m}");
    let id = m["id"].as_str().expect("id").to_string();
    let link = circle_link(app, email, 1).await;
    (id, token_of(&link))
}

async fn the_care_sign_up_page_speaks_to_patients_and_fills_in_the_invitation(db: Db) {
    let app = TestApp::spawn(db).await;
    let (_org, manager, file) = manager_and_file(&app).await;
    let (member, token) = invite(&app, &manager, &file, "responsible", "Léa", "Proche", "lea@maison.test").await;
    let anon = client(false);

    // The invitation's page leads to the care sign-up.
    let (status, join) = page(&anon, &app, &format!("/circle/join/{token}"), Language::Fr).await;
    assert_eq!(status, 200);
    assert!(join.contains(&format!("href=\"/sign-up?circle={token}\"")), "{join}");

    for lang in Language::ALL {
        let (status, html) = page(&anon, &app, &format!("/sign-up?circle={token}"), lang).await;
        assert_eq!(status, 200);
        assert!(html.contains(&esc(&t(lang, "signup-care-title"))), "{lang:?}: {html}");
        assert!(html.contains("data-testid=\"signup-care-intro\""), "{html}");
        assert!(
            html.contains(&esc(&ta(
                lang,
                "signup-care-intro",
                &[("inviter", "Nadia Gestion"), ("org", "CLSC des Érables")]
            ))),
            "{html}"
        );
        assert!(html.contains("value=\"Léa Proche\""), "the name is filled in: {html}");
        assert!(
            html.contains("value=\"lea@maison.test\""),
            "the address is filled in: {html}"
        );
        assert!(
            !html.contains(&esc(&t(lang, "signup-intro"))),
            "no professional text: {html}"
        );
    }

    // The link's cookie is enough once the invitation page was opened.
    let browser = client(true);
    page(&browser, &app, &format!("/circle/join/{token}"), Language::Fr).await;
    let (_, html) = page(&browser, &app, "/sign-up", Language::Fr).await;
    assert!(html.contains("value=\"Léa Proche\""), "{html}");
    assert!(html.contains(&esc(&t(Language::Fr, "signup-care-title"))));

    // Without the link, or with a wrong one: the professionals' page, nothing of the invitation.
    for path in [
        "/sign-up".to_string(),
        "/sign-up?circle=not-a-real-token-123".to_string(),
        "/sign-up?circle=../x".to_string(),
    ] {
        let (status, html) = page(&anon, &app, &path, Language::Fr).await;
        assert_eq!(status, 200, "{path}");
        assert!(html.contains(&esc(&t(Language::Fr, "signup-intro"))), "{path}: {html}");
        assert!(
            !html.contains("Léa Proche") && !html.contains("lea@maison.test"),
            "{path}: {html}"
        );
    }

    // A cancelled invitation gives nothing any more.
    let (status, r) = app
        .post(
            &format!("/circle-members/{member}/cancel"),
            Some(&manager.token),
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "{r}");
    let (_, html) = page(&anon, &app, &format!("/sign-up?circle={token}"), Language::Fr).await;
    assert!(
        !html.contains("Léa Proche") && !html.contains("lea@maison.test"),
        "{html}"
    );
}

async fn after_joining_the_care_space_shows_the_care_team_at_once(db: Db) {
    let app = TestApp::spawn(db).await;
    let (_org, manager, file) = manager_and_file(&app).await;
    // The patient, pre-allocated (not joined), and a caregiver who joins.
    let (status, m) = app
        .post(
            &format!("/patient-files/{file}/circle"),
            Some(&manager.token),
            json!({ "section": "patient", "first_name": "Gérard", "last_name": "Lévesque", "email": "gerard@maison.test", "language": "fr" }),
        )
        .await;
    assert_eq!(status, 201, "{m}");
    let (_, carer) = crate::circle_api::join_circle(&app, &manager, &file, "responsible", "lise@maison.test").await;
    let _ = carer;
    let web = Web::sign_in(&app, "lise@maison.test").await;
    let html = web
        .follow
        .get(format!("{}/care", app.url))
        .send()
        .await
        .expect("care")
        .text()
        .await
        .expect("html");
    let fr = Language::Fr;
    assert!(html.contains("data-testid=\"care-circle\""), "{html}");
    assert!(
        html.contains(&esc(&ta(
            fr,
            "care-circle-of",
            &[("name", "Gérard Lévesque"), ("org", "CLSC des Érables")]
        ))),
        "{html}"
    );
    assert!(html.contains("Nadia Gestion"), "the professional who invited: {html}");
    assert!(html.contains(&esc(&t(fr, "care-my-place-responsible"))), "{html}");
    assert!(html.contains("data-testid=\"care-circle-waiting\""), "{html}");
    assert!(
        !html.contains(&esc(&t(fr, "care-none"))),
        "no contradictory text: {html}"
    );
    assert!(!html.contains("data-testid=\"care-empty\""), "{html}");
    // Their settings, from the care space.
    assert!(
        html.contains("href=\"/availability\"") && html.contains("href=\"/notifications/preferences\""),
        "{html}"
    );
}

async fn a_patient_saves_their_availability_and_notification_preferences(db: Db) {
    let app = TestApp::spawn(db).await;
    let (_org, manager, file) = manager_and_file(&app).await;
    let (patient, _) = crate::circle_api::join_circle(&app, &manager, &file, "patient", "gerard@maison.test").await;
    let web = Web::sign_in(&app, &patient.email).await;

    let r = web
        .follow
        .get(format!("{}/availability", app.url))
        .send()
        .await
        .expect("page");
    assert_eq!((r.status().as_u16(), r.url().path()), (200, "/availability"));
    let html = r.text().await.expect("html");
    assert!(html.contains("data-testid=\"schedule\""), "{html}");
    assert!(
        html.contains(&esc(&ta(
            Language::Fr,
            "avail-care-intro",
            &[("zone", "America/Montreal")]
        ))),
        "patient wording: {html}"
    );
    let r = web
        .post_following(
            "/availability/slots",
            &[("day", "2"), ("start", "09:00"), ("end", "12:00")],
        )
        .await;
    assert_eq!((r.status().as_u16(), r.url().path()), (200, "/availability"));
    let (status, s) = app.get("/availability/schedule", Some(&patient.token)).await;
    assert_eq!(status, 200, "{s}");
    assert_eq!(s["slots"], json!([{ "day": 2, "start": 540, "end": 720 }]), "{s}");

    let r = web
        .follow
        .get(format!("{}/notifications/preferences", app.url))
        .send()
        .await
        .expect("page");
    assert_eq!(
        (r.status().as_u16(), r.url().path()),
        (200, "/notifications/preferences")
    );
    let r = web
        .post_following(
            "/notifications/preferences",
            &[("email_alerts", "on"), ("email_delay_mins", "60")],
        )
        .await;
    assert_eq!(
        (r.status().as_u16(), r.url().path()),
        (200, "/notifications/preferences")
    );
    let (status, p) = app.get("/notifications/preferences", Some(&patient.token)).await;
    assert_eq!(status, 200, "{p}");
    assert_eq!(p["email_delay_mins"], json!(60), "{p}");
    assert_eq!(p["email_alerts"], json!(true), "{p}");
}

async fn a_new_file_goes_to_the_unit_where_one_manages_circles(db: Db) {
    let app = TestApp::spawn(db).await;
    let org = org_with_admin(&app, "CLSC des Érables", "admin@erables.test").await;
    let (status, u) = app
        .post(
            "/org/units",
            Some(&org.admin.token),
            json!({ "parent_id": org.root, "name": "Soins à domicile" }),
        )
        .await;
    assert_eq!(status, 201, "{u}");
    let home_care = u["id"].as_str().expect("unit id").to_string();
    let manager = org_member(
        &app,
        &org,
        &home_care,
        "gestion@erables.test",
        "Nadia Gestion",
        &["member", "patient_caregiver_manager"],
    )
    .await;
    let nurse = org_member(
        &app,
        &org,
        &org.root,
        "infirmiere@erables.test",
        "Julie Soins",
        &["member"],
    )
    .await;

    // The manager's file goes to their unit: they can invite at once.
    let file = patient_file(&app, &manager, "Gérard", "Lévesque", "1941-03-02").await;
    let (status, f) = app.get(&format!("/patient-files/{file}"), Some(&manager.token)).await;
    assert_eq!(status, 200, "{f}");
    assert_eq!(f["unit_id"], json!(home_care), "{f}");
    assert_eq!(f["may_manage_circle"], json!(true), "{f}");
    let member = preallocate(&app, &manager, &file, "patient", "gerard@maison.test").await;
    assert!(!member.is_empty());
    // A unit chosen on purpose still wins.
    let (status, f) = app
        .post(
            "/patient-files",
            Some(&manager.token),
            json!({ "first_name": "Rita", "last_name": "Roy", "birth_date": "1950-04-12", "unit_id": org.root }),
        )
        .await;
    assert_eq!((status, f["unit_id"].as_str()), (201, Some(org.root.as_str())), "{f}");

    // Someone who manages no circle: the root unit, and the circle page says why.
    let other = patient_file(&app, &nurse, "Rita", "Roy", "1941-03-02").await;
    let (_, f) = app.get(&format!("/patient-files/{other}"), Some(&nurse.token)).await;
    assert_eq!(
        (f["unit_id"].as_str(), &f["may_manage_circle"]),
        (Some(org.root.as_str()), &json!(false)),
        "{f}"
    );
    let (web, _) = Web::signed_in(&app, &nurse.email).await;
    let html = web
        .follow
        .get(format!("{}/patients/{other}/circle", app.url))
        .send()
        .await
        .expect("circle")
        .text()
        .await
        .expect("html");
    assert!(html.contains("data-testid=\"circle-why-not-manager\""), "{html}");
    assert!(
        html.contains(&esc(&ta(
            Language::Fr,
            "circ-why-not-manager",
            &[("unit", "CLSC des Érables")]
        ))),
        "{html}"
    );
}
