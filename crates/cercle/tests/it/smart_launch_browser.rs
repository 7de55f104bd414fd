//! The integrated bubble in real headless Chromium (issue 18, part 1): the
//! test EHR's page frames Cercle's `/smart/launch`; inside the frame the
//! launch is followed, the person activates the link (password and code)
//! and lands in the patient's file in the compact layout; the pages are
//! axe-clean. A page of an origin no administrator registered cannot frame
//! Cercle (`frame-ancestors`). `CERCLE_SKIP_BROWSER=1` skips it.

use crate::helpers::{nth_sign_in_mail, sign_in_pages, PASSWORD};
use crate::smart_launch::world;
use cercle_domain::Language;
use cercle_testkit::browser::Browser;
use cercle_testkit::{find_code, Db};
use serde_json::{json, Value};

/// Makes the EHR page's `#cercle` iframe the browser's current context.
async fn into_frame(b: &Browser) {
    let frame = b
        .wait_js(
            "the EHR's frame",
            "return document.getElementById('cercle');",
            |v: &Value| v.is_object(),
        )
        .await;
    b.cmd(reqwest::Method::POST, "/frame", Some(json!({ "id": frame })))
        .await
        .expect("switch to the frame");
}

/// The frame's path, once it is `path` and loaded.
async fn frame_at(b: &Browser, path_prefix: &str) -> String {
    let prefix = path_prefix.to_string();
    b.wait_js(
        &format!("the frame at {path_prefix}"),
        "return document.readyState === 'complete' ? location.pathname : '';",
        move |v: &Value| v.as_str().is_some_and(|p| p.starts_with(&prefix)),
    )
    .await
    .as_str()
    .unwrap_or_default()
    .to_string()
}

async fn submit(b: &Browser, form: &str) {
    let sent = b
        .execute(
            "const f = document.querySelector(arguments[0]); if (!f) return false; f.requestSubmit(); return true;",
            vec![json!(form)],
        )
        .await;
    assert_eq!(sent.ok(), Some(json!(true)), "submit {form}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_emr_frames_cercle_and_the_person_lands_in_the_patients_file() {
    if cercle_testkit::browser::skipped() {
        return;
    }
    let w = world(Db::Sqlite).await;
    let Some(b) = Browser::launch(&w.app.url, Language::Fr).await else {
        return;
    };
    b.goto(&format!("{}/ehr", w.ehr.url)).await;
    into_frame(&b).await;
    frame_at(&b, "/smart/activate").await;
    b.assert_accessible("the activation page (fr)").await;
    b.fill("#f-email", &w.doctor.email).await;
    b.fill("#f-password", PASSWORD).await;
    submit(&b, "form[action='/smart/activate']").await;
    frame_at(&b, "/smart/activate/code").await;
    let mail = nth_sign_in_mail(&w.app, &w.doctor.email, 1).await;
    b.fill("#f-code", &find_code(&mail.body).expect("code")).await;
    submit(&b, "form[action='/smart/activate/code']").await;
    frame_at(&b, "/smart/files/").await;
    b.wait_for("[data-testid=smart-compact]").await;
    assert!(b
        .text("[data-testid=smart-patient-name]")
        .await
        .contains("Jeanne Tremblay"));
    b.assert_accessible("the compact patient file (fr)").await;
    // The other language, still in the frame.
    submit(&b, "form.langswitch").await;
    b.wait_js(
        "English",
        "return document.readyState === 'complete' && document.documentElement.lang;",
        |v: &Value| v == &json!("en"),
    )
    .await;
    b.assert_accessible("the compact patient file (en)").await;
    // At 375 px too.
    b.cmd(reqwest::Method::POST, "/frame/parent", Some(json!({})))
        .await
        .expect("back to the EHR page");
    b.execute(
        "document.getElementById('cercle').style.width = '375px'; return true;",
        vec![],
    )
    .await
    .expect("narrow");
    into_frame(&b).await;
    b.assert_accessible("the compact patient file at 375 px").await;

    // A refusal page, in both languages, axe-clean (a fresh top-level page).
    b.cmd(reqwest::Method::POST, "/frame", Some(json!({ "id": null })))
        .await
        .expect("top");
    b.goto("/smart/launch?iss=https%3A%2F%2Fnobody.example%2Ffhir&launch=x")
        .await;
    b.wait_for("[data-testid=smart-refusal]").await;
    b.assert_accessible("the refusal page (fr)").await;
    b.submit_form("form.langswitch").await;
    b.wait_for("[data-testid=smart-refusal]").await;
    b.assert_accessible("the refusal page (en)").await;

    // An origin no administrator registered (localhost, not 127.0.0.1):
    // the frame stays empty of Cercle.
    let port = w.ehr.url.rsplit(':').next().expect("port").to_string();
    b.goto(&format!("http://localhost:{port}/ehr")).await;
    b.wait_js(
        "the EHR page",
        "return document.readyState === 'complete' && !!document.getElementById('cercle');",
        |v: &Value| v == &json!(true),
    )
    .await;
    into_frame(&b).await;
    // Chromium shows its own error document instead of Cercle's page.
    let seen = b
        .wait_js(
            "the refused frame",
            "return document.readyState === 'complete' ? [location.href, !!(document.body && document.body.hasAttribute('data-csrf'))] : null;",
            |v: &Value| v.is_array(),
        )
        .await;
    assert_eq!(
        seen[1],
        json!(false),
        "Cercle's page must not show in an unregistered frame: {seen}"
    );
    b.quit().await;

    // The administrator's EMRs tab, axe-clean in both languages.
    let Some(admin) = Browser::launch(&w.app.url, Language::Fr).await else {
        return;
    };
    sign_in_pages(&w.app, &admin, "admin@reseau.test", 1).await;
    admin.goto("/admin/emrs").await;
    admin.wait_for("form[action='/admin/emrs']").await;
    admin.assert_text(&w.ehr.issuer()).await;
    admin.assert_accessible("the EMRs tab (fr)").await;
    admin.submit_form("form.langswitch").await;
    admin.wait_for("form[action='/admin/emrs']").await;
    admin.assert_accessible("the EMRs tab (en)").await;
    admin.quit().await;
}
