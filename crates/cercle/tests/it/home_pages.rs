//! The home page (issue 14, item 1), through the page a signed-in browser
//! gets: a professional with an unread thread, a team with a thread in its
//! triage box, a patient file with an active thread and a friend request
//! sees each of them (names, titles, counts) and none of the empty states;
//! a member with nothing sees the empty states with their next action; a
//! person without an organization is told so, with the network to search.

use crate::backends;
use crate::circle_api::{join_circle, manager_and_file};
use crate::helpers::{add_members, clinical_thread, id_of, org_with_admin, sign_up_named};
use crate::teams_api::{setup, Setup};
use cercle_testkit::people::signed_in_client;
use cercle_testkit::{Db, TestApp};
use serde_json::json;

backends!(
    home_shows_what_the_person_has,
    home_empty_states_offer_the_next_action,
    a_patient_in_a_circle_is_never_told_they_have_no_care_team,
    switching_organization_from_a_page_of_the_old_one_lands_home
);

/// The home page's HTML for a person signed in through the pages (a cookie
/// jar: password, then the emailed code).
pub(crate) async fn home_html(app: &TestApp, email: &str, nth_code_mail: usize) -> String {
    page_after_sign_in(app, email, nth_code_mail, "/").await
}

/// The page one lands on after signing in through the pages (`lands`).
async fn page_after_sign_in(app: &TestApp, email: &str, nth_code_mail: usize, lands: &str) -> String {
    signed_in_client(app, email, nth_code_mail, lands).await.2
}

const EMPTY_TEXTS: [&str; 4] = [
    "home-unread-empty",
    "home-teams-empty",
    "home-patients-empty",
    "home-directory-empty",
];

/// The teams setup, and for its manager: a thread in the team's triage box
/// ("Pansement au talon", unread), a clinical thread on Gérard Lévesque's
/// file ("Suivi de la glycémie", unread), a friend request from Pascale
/// Pelletier and Quentin Quirion in the directory.
pub(crate) async fn with_content(app: &TestApp) -> Setup {
    let s = setup(app).await;
    // Written to the team: in its triage box, unread for its manager.
    let (status, t) = app
        .post(
            &format!("/teams/{}/threads", s.team),
            Some(&s.writer.token),
            json!({ "title": "Pansement au talon", "body": "Plaie à revoir demain" }),
        )
        .await;
    assert_eq!(status, 201, "{t}");
    // A clinical thread with the manager: the file has an active thread.
    let clinical = clinical_thread(app, &s.writer, &[&s.manager], "Suivi de la glycémie").await;
    let (status, m) = app
        .post(
            &format!("/threads/{clinical}/messages"),
            Some(&s.writer.token),
            json!({ "body": "Glycémie à 4,1 ce matin" }),
        )
        .await;
    assert_eq!(status, 201, "{m}");
    // A friend request waiting for the manager's answer.
    let manager_id = id_of(app, &s.manager).await;
    let (status, f) = app
        .post("/network/friends", Some(&s.p.token), json!({ "user_id": manager_id }))
        .await;
    assert!(status == 200 || status == 201, "{status} {f}");
    // A directory shortcut.
    let q_id = id_of(app, &s.q).await;
    let (status, d) = app
        .post(
            "/network/directory",
            Some(&s.manager.token),
            json!({ "kind": "person", "id": q_id }),
        )
        .await;
    assert!(status == 200 || status == 201 || status == 204, "{status} {d}");

    s
}

async fn home_shows_what_the_person_has(db: Db) {
    let app = TestApp::spawn(db).await;
    let s = with_content(&app).await;
    let html = home_html(&app, &s.manager.email, 1).await;
    for shown in [
        "CIUSSS du Fleuve",
        // Unread threads, with the count of threads.
        "Pansement au talon",
        "Suivi de la glycémie",
        "2 discussions avec des messages non lus",
        // The team and its triage box.
        "Soins infirmiers",
        "1 discussion à trier",
        // The patient file with an active thread.
        "Gérard Lévesque",
        // The friend request and who sent it.
        "1 demande d’ami",
        "Pascale Pelletier",
        // The directory shortcut.
        "Quentin Quirion",
    ] {
        assert!(html.contains(shown), "the home shows {shown:?}:\n{html}");
    }
    for empty in EMPTY_TEXTS {
        assert!(!html.contains(empty), "no empty state {empty} when there is content");
    }
    for text in [
        "Vous êtes à jour",
        "Vous ne faites partie d’aucune équipe",
        "Aucun dossier patient",
        "Votre bottin est vide",
    ] {
        assert!(!html.contains(text), "{text:?} is not said when false");
    }
}

async fn home_empty_states_offer_the_next_action(db: Db) {
    let app = TestApp::spawn(db).await;
    let s = setup(&app).await;
    // A member of the organization with nothing yet.
    let html = home_html(&app, &s.outsider.email, 1).await;
    for empty in EMPTY_TEXTS {
        assert!(html.contains(empty), "empty state {empty}:\n{html}");
    }
    assert!(html.contains("Vous êtes à jour : aucun message non lu."), "{html}");
    assert!(
        html.contains("href=\"/patients/new\""),
        "may open a patient file: {html}"
    );
    assert!(html.contains("href=\"/network\""), "search the network: {html}");
    assert!(!html.contains("home-waiting"), "nothing waiting, no section: {html}");

    // Someone without an organization: told so, no team nor patient section.
    let lone = sign_up_named(&app, "seul@exemple.test", "Solange Seule", "en").await;
    let html = home_html(&app, &lone.email, 1).await;
    assert!(html.contains("home-no-org"), "{html}");
    assert!(html.contains("You are all caught up: no unread messages."), "{html}");
    assert!(html.contains("Search the network"), "{html}");
    assert!(
        !html.contains("home-teams") && !html.contains("home-patients"),
        "{html}"
    );
    assert!(
        !html.contains("href=\"/patients/new\""),
        "no organization, no patient file: {html}"
    );
}

async fn a_patient_in_a_circle_is_never_told_they_have_no_care_team(db: Db) {
    let app = TestApp::spawn(db).await;
    let (_org, manager, file) = manager_and_file(&app).await;
    let (patient, _member) = join_circle(&app, &manager, &file, "patient", "gerard@maison.test").await;
    // Joined, before any care team wrote to them: home sends them to their
    // care space, which says they are in their circle.
    let html = page_after_sign_in(&app, &patient.email, 1, "/care").await;
    assert!(html.contains("care-circle-waiting"), "{html}");
    assert!(
        html.contains("Votre équipe de soins ne vous a pas encore écrit."),
        "{html}"
    );
    assert!(!html.contains("care-empty"), "never “not in any care team”: {html}");
}

async fn switching_organization_from_a_page_of_the_old_one_lands_home(db: Db) {
    let app = TestApp::spawn(db).await;
    let s = with_content(&app).await;
    let other = org_with_admin(&app, "Clinique Saint-Laurent", "admin@laurent.test").await;
    add_members(&app, &other.id, &[&s.manager]).await;
    let (web, csrf, html) = signed_in_client(&app, &s.manager.email, 1, "/").await;
    // On a patient file of the first organization…
    let file = html
        .split("href=\"/patients/")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("a patient file on the home")
        .to_string();
    let r = web
        .get(format!("{}/patients/{file}", app.url))
        .send()
        .await
        .expect("file page");
    assert_eq!(r.status().as_u16(), 200);
    // …switching to the other organization (the form sends no page to come
    // back to; an old form's `next` is ignored) lands on the new home.
    let r = web
        .post(format!("{}/organizations/active", app.url))
        .form(&[
            ("csrf", csrf.as_str()),
            ("org_id", other.id.as_str()),
            ("next", &format!("/patients/{file}")),
        ])
        .send()
        .await
        .expect("switch");
    let status = r.status().as_u16();
    let path = r.url().path().to_string();
    let html = r.text().await.expect("html");
    assert_eq!((status, path.as_str()), (200, "/"), "{html}");
    assert!(html.contains("Clinique Saint-Laurent"), "{html}");
    assert!(
        !html.contains("Gérard Lévesque"),
        "the old organization's files are gone: {html}"
    );
}
