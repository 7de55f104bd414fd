//! Teams and triage in real headless Chromiums (SPEC 7 acceptance): a
//! colleague writes to a team from the Teams page → the thread appears in
//! the triage box of a manager in a second browser, live, without reload →
//! the manager assigns it to themselves → returns it to triage → a team
//! participant, in a third browser, takes it and the thread shows them as
//! responsible. `CERCLE_SKIP_BROWSER=1` skips it.

use crate::helpers::{nth_sign_in_mail, PASSWORD};
use crate::teams_api::setup;
use cercle_domain::Language;
use cercle_i18n::t;
use cercle_testkit::browser::Browser;
use cercle_testkit::{find_code, Db, TestApp};
use serde_json::json;

const TITLE: &str = "Plaie au talon — M. Lévesque, pansement à revoir";

async fn sign_in(app: &TestApp, b: &Browser, email: &str) {
    b.goto("/sign-in").await;
    b.wait_for_path("/sign-in").await;
    b.fill("#f-email", email).await;
    b.fill("#f-password", PASSWORD).await;
    b.submit_form("form[action='/sign-in']").await;
    b.wait_for_path("/code").await;
    let mail = nth_sign_in_mail(app, email, 1).await;
    b.fill("#f-code", &find_code(&mail.body).expect("code")).await;
    b.submit_form("form[action='/code']").await;
    b.wait_for_path("/").await;
}

/// Waits until the element's text holds `needle`.
async fn wait_text_in(b: &Browser, css: &str, needle: &str) {
    b.wait_until(&format!("{needle:?} in `{css}`"), async || {
        let v = b
            .execute(
                "return [...document.querySelectorAll(arguments[0])].map((e) => e.innerText).join('\\n');",
                vec![json!(css)],
            )
            .await
            .ok()?;
        v.as_str().is_some_and(|s| s.contains(needle)).then_some(())
    })
    .await;
}

/// Waits until nothing matches `css`.
async fn wait_gone(b: &Browser, css: &str) {
    b.wait_until(&format!("`{css}` gone"), async || {
        let v = b
            .execute(
                "return document.querySelector(arguments[0]) === null;",
                vec![json!(css)],
            )
            .await
            .ok()?;
        (v.as_bool() == Some(true)).then_some(())
    })
    .await;
}

async fn assert_no_console_errors(b: &Browser, when: &str) {
    let errors: Vec<String> = b
        .console_errors()
        .await
        .expect("browser log")
        .into_iter()
        .filter(|e| !e.contains("Failed to load resource: the server responded with a status of 4"))
        .collect();
    assert!(errors.is_empty(), "console errors {when}: {errors:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn write_to_a_team_then_assign_return_and_take_in_browsers() {
    if cercle_testkit::browser::skipped() {
        return;
    }
    let app = TestApp::spawn(Db::Sqlite).await;
    let s = setup(&app).await;
    let fr = Language::Fr;

    // ---- The manager, in French, watches the team's triage box.
    let Some(m) = Browser::launch(&app.url, fr).await else {
        return;
    };
    sign_in(&app, &m, &s.manager.email).await;
    m.click_and_load("nav.mainnav a[href='/teams']").await;
    m.wait_for_path("/teams").await;
    m.wait_for("[data-testid=team-switcher]").await;
    m.assert_text(&t(fr, "tm-triage-empty")).await;
    m.wait_for("#tm-box[data-live='1']").await;

    // ---- A colleague outside the team writes to it from the Teams page.
    let Some(w) = Browser::launch(&app.url, fr).await else {
        return;
    };
    sign_in(&app, &w, &s.writer.email).await;
    w.goto("/teams").await;
    w.wait_for("[data-testid=teams-empty]").await;
    w.click("[data-testid=tm-write-open]").await;
    w.fill("#tm-title", TITLE).await;
    w.fill(
        "#tm-body",
        "Bonjour, pouvez-vous passer voir la plaie ? Ça coule un peu.",
    )
    .await;
    w.submit_form("form[data-testid=tm-write]").await;
    let thread_id = w
        .wait_until("the new thread's page", async || {
            let v = w
                .execute(
                    "const r = document.getElementById('thr-root'); return r ? r.dataset.thread : null;",
                    vec![],
                )
                .await
                .ok()?;
            v.as_str().map(str::to_string)
        })
        .await;
    w.wait_for("[data-testid=thread-in-triage]").await;
    assert_no_console_errors(&w, "writing to the team").await;

    // ---- Live, without reload, the thread is in the manager's triage box.
    let item = format!("[data-testid=tm-triage] li[data-id='{thread_id}']");
    wait_text_in(&m, "[data-testid=tm-triage]", TITLE).await;
    // The manager assigns it to themselves.
    m.click_and_load(&format!("{item} [data-testid=tm-assign-me]")).await;
    m.wait_for_path("/teams").await;
    let mine = format!("[data-testid=tm-threads] li[data-id='{thread_id}']");
    wait_text_in(&m, &mine, "Madeleine Manager").await;
    wait_gone(&m, &item).await;
    // The thread's page shows who is responsible.
    m.goto(&format!("/threads/{thread_id}")).await;
    wait_text_in(&m, "[data-testid=thread-responsible]", "Madeleine Manager").await;
    // The writer's open thread follows (its header is refreshed live).
    wait_text_in(&w, "[data-testid=thread-responsible]", "Madeleine Manager").await;
    // Back to the box; the manager returns it to triage.
    m.goto("/teams").await;
    m.click_and_load(&format!("{mine} [data-testid=tm-return]")).await;
    m.wait_for_path("/teams").await;
    wait_text_in(&m, "[data-testid=tm-triage]", TITLE).await;
    assert_no_console_errors(&m, "assigning and returning").await;

    // ---- A participant of the team takes it.
    let Some(p) = Browser::launch(&app.url, fr).await else {
        return;
    };
    sign_in(&app, &p, &s.p.email).await;
    p.goto("/teams").await;
    wait_text_in(&p, "[data-testid=tm-triage]", TITLE).await;
    p.click_and_load(&format!("{item} [data-testid=tm-take]")).await;
    p.wait_for_path("/teams").await;
    wait_text_in(&p, &mine, "Pascale Pelletier").await;
    // The manager's box follows live: the triage box empties.
    m.wait_for("#tm-box[data-live='1']").await;
    wait_gone(&m, &item).await;
    wait_text_in(&m, &mine, "Pascale Pelletier").await;
    // The participant opens it and sees themselves responsible.
    p.click_and_load(&format!("{mine} a.thr-item-title")).await;
    p.wait_for_path(&format!("/threads/{thread_id}")).await;
    wait_text_in(&p, "[data-testid=thread-responsible]", "Pascale Pelletier").await;
    assert_no_console_errors(&p, "taking the thread").await;

    w.quit().await;
    m.quit().await;
    p.quit().await;
}
