//! The home page in a real headless Chromium (issue 14, item 1), at 1280
//! and 375 px wide: a professional sees their unread threads, their team's
//! triage count, the patient file with an active thread and the friend
//! request waiting — and reading a thread takes it off the home; a patient
//! lands in their care space and sees their care team with its unread
//! messages, never "you are not in any care team". No page scrolls
//! sideways. `CERCLE_SKIP_BROWSER=1` skips them; `CERCLE_SCREENSHOTS=<dir>`
//! saves each page at both widths.

use crate::circle_api::{join_circle, manager_and_file};
use crate::helpers::sign_in_pages;
use crate::home_pages::with_content;
use cercle_domain::Language;
use cercle_testkit::browser::Browser;
use cercle_testkit::{Db, TestApp};
use serde_json::json;

/// Sets the window's width (900 px high), then waits until the page has it.
async fn width(b: &Browser, w: i64) {
    let _ = b
        .cmd(
            reqwest::Method::POST,
            "/window/rect",
            Some(json!({ "width": w, "height": 900 })),
        )
        .await;
    b.wait_until(&format!("window {w} px wide"), async || {
        let v = b.execute("return window.innerWidth;", vec![]).await.ok()?;
        (v.as_i64()? == w).then_some(())
    })
    .await;
}

/// Nothing wider than the window (no sideways scroll).
async fn no_sideways_scroll(b: &Browser, what: &str) {
    let v = b
        .execute(
            "return [document.documentElement.scrollWidth, document.documentElement.clientWidth];",
            vec![],
        )
        .await
        .expect("widths");
    let (scroll, client) = (v[0].as_i64().unwrap_or(0), v[1].as_i64().unwrap_or(0));
    if scroll > client {
        b.fail(&format!("{what}: the page scrolls sideways ({scroll} > {client} px)"))
            .await;
    }
}

/// Every element matching `css` is on screen horizontally and not empty.
async fn visible_within(b: &Browser, css: &str) {
    let v = b
        .execute(
            "const els = [...document.querySelectorAll(arguments[0])]; \
             return els.length > 0 && els.every((e) => { const r = e.getBoundingClientRect(); \
               return r.width > 0 && r.height > 0 && r.left >= 0 && r.right <= document.documentElement.clientWidth + 1; });",
            vec![json!(css)],
        )
        .await
        .expect("rects");
    if v != json!(true) {
        b.fail(&format!("`{css}` is not fully visible")).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_professional_finds_their_day_on_the_home_page() {
    if cercle_testkit::browser::skipped() {
        return;
    }
    let app = TestApp::spawn(Db::Sqlite).await;
    let s = with_content(&app).await;
    let Some(b) = Browser::launch(&app.url, Language::Fr).await else {
        return;
    };
    sign_in_pages(&app, &b, &s.manager.email, 1).await;
    b.wait_for_path("/").await;
    b.wait_for("[data-testid=home-unread-list]").await;
    for w in [1280, 375] {
        width(&b, w).await;
        for needle in [
            "2 discussions avec des messages non lus",
            "Pansement au talon",
            "Suivi de la glycémie",
            "Soins infirmiers",
            "1 discussion à trier",
            "Gérard Lévesque",
            "1 demande d’ami",
            "Pascale Pelletier",
            "Quentin Quirion",
        ] {
            b.assert_text(needle).await;
        }
        for section in ["unread", "teams", "patients", "waiting", "directory"] {
            visible_within(&b, &format!("[data-testid=home-{section}]")).await;
        }
        no_sideways_scroll(&b, &format!("home at {w} px")).await;
        let empties = b
            .execute("return document.querySelectorAll('.home-empty').length;", vec![])
            .await
            .expect("count");
        if empties != json!(0) {
            b.fail("an empty state shows while there is content").await;
        }
    }
    width(&b, 1280).await;
    b.shoot("home-professional").await;

    // Reading a thread takes it off the home's unread list.
    b.click_and_load("[data-testid=home-unread-list] a[href^='/threads/']")
        .await;
    b.wait_until("the thread page", async || {
        let p = b.current_path().await;
        p.starts_with("/threads/").then_some(())
    })
    .await;
    b.wait_for("[data-testid=messages]").await;
    // The page marks the thread read once in view (staying on it); the
    // home then counts one thread left.
    b.wait_until("one thread left unread on the home", async || {
        let v = b
            .execute(
                "return fetch('/').then((r) => r.text()).then((t) => t.includes(arguments[0]));",
                vec![json!("1 discussion avec des messages non lus")],
            )
            .await
            .ok()?;
        (v == json!(true)).then_some(())
    })
    .await;
    b.goto("/").await;
    b.assert_text("1 discussion avec des messages non lus").await;
    b.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_patient_lands_on_their_care_team_with_its_unread_messages() {
    if cercle_testkit::browser::skipped() {
        return;
    }
    let app = TestApp::spawn(Db::Sqlite).await;
    let (_org, manager, file) = manager_and_file(&app).await;
    let (patient, member) = join_circle(&app, &manager, &file, "patient", "gerard@maison.test").await;
    let (status, c) = app
        .post(
            &format!("/patient-files/{file}/channels"),
            Some(&manager.token),
            json!({ "title": "Soins à domicile des Érables", "participants": [{ "kind": "circle", "id": member }] }),
        )
        .await;
    assert_eq!(status, 201, "{c}");
    let channel = c["id"].as_str().expect("channel id").to_string();
    let (status, t) = app
        .post(
            &format!("/channels/{channel}/threads"),
            Some(&manager.token),
            json!({ "title": "Votre visite de jeudi", "body": "Bonjour, l'infirmière passera jeudi vers 10 h." }),
        )
        .await;
    assert_eq!(status, 201, "{t}");

    let Some(b) = Browser::launch(&app.url, Language::Fr).await else {
        return;
    };
    sign_in_pages(&app, &b, &patient.email, 1).await;
    b.wait_for_path("/care").await;
    b.wait_for("[data-testid=care-teams]").await;
    for w in [1280, 375] {
        width(&b, w).await;
        b.assert_text("Soins à domicile des Érables").await;
        visible_within(&b, "[data-testid=care-teams] .thr-unread").await;
        if b.find("[data-testid=care-empty]").await.ok().flatten().is_some() {
            b.fail("“not in any care team” shows to a member of one").await;
        }
        no_sideways_scroll(&b, &format!("care space at {w} px")).await;
    }
    width(&b, 1280).await;
    b.shoot("home-patient").await;
    // Home sends them to their care space.
    b.goto("/").await;
    b.wait_for_path("/care").await;
    b.quit().await;
}
