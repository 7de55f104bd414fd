//! Instant mobile connect in real headless Chromium (issue 18, part 4): a
//! desktop signs in, opens "Connect a phone" from the account menu and
//! shows a code; a phone-sized browser (375 px) opens the link read from the
//! page, is asked for the account's PIN, and lands signed in; the desktop
//! says "connected on a new device" live and lists the phone among its
//! sessions; the same link again, and an expired one, are refused with
//! their reason. `CERCLE_SKIP_BROWSER=1` skips it.

use crate::helpers::{sign_in_pages, sign_up, PIN};
use cercle_domain::Language;
use cercle_i18n::{t, ta};
use cercle_testkit::browser::Browser;
use cercle_testkit::{Db, TestApp};
use serde_json::{json, Value};

/// Shows a new code on the desktop's connect page; gives its link.
async fn show_code(desktop: &Browser) -> String {
    desktop.submit_form("form[action='/security/connect']").await;
    desktop.wait_for("[data-testid=connect-link]").await;
    desktop.wait_for(".connect-qr svg").await;
    let link = desktop
        .execute("return document.getElementById('connect-link').value;", vec![])
        .await
        .expect("link");
    link.as_str().expect("link text").to_string()
}

/// The phone opens `link` and waits for the page's answer: the lock
/// screen, or a refusal in the page's status.
async fn open_link(phone: &Browser, link: &str) {
    // From another page: a link to the page already open would only move
    // its fragment, without loading it.
    phone.goto("/sign-in").await;
    phone
        .wait_until("the sign-in page (or home)", async || {
            let v = phone.execute("return document.readyState;", vec![]).await.ok()?;
            (v == json!("complete")).then_some(())
        })
        .await;
    phone.goto(link).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_phone_connects_with_the_code_of_a_web_session() {
    if cercle_testkit::browser::skipped() {
        return;
    }
    let app = TestApp::spawn(Db::Sqlite).await;
    let p = sign_up(&app, "marie@clinique.test", "fr").await;
    let lang = Language::Fr;
    let Some(desktop) = Browser::launch(&app.url, lang).await else {
        return;
    };
    sign_in_pages(&app, &desktop, &p.email, 1).await;
    desktop.wait_for_path("/").await;

    // From the account menu.
    desktop.click("details.account > summary").await;
    desktop.click_and_load("[data-testid=nav-connect]").await;
    desktop.wait_for_path("/security/connect").await;
    let link = show_code(&desktop).await;
    assert!(
        link.starts_with(&format!("{}/connect#", app.url)),
        "the secret rides in the fragment: {link}"
    );
    // The page's live stream is up before the phone scans.
    desktop
        .wait_js(
            "the desktop's live stream",
            "const b = document.querySelector('a.bell'); return b ? b.dataset.live : null;",
            |v| v == &json!("1"),
        )
        .await;

    // The phone: 375 px wide, its own browser.
    let Some(phone) = Browser::launch(&app.url, lang).await else {
        return;
    };
    phone.resize(375, 812).await;
    phone.goto(&link).await;
    phone.wait_for_path("/lock").await;
    let url = phone.current_url().await;
    assert!(!url.contains('#'), "the secret left the address bar: {url}");
    phone.fill("#f-pin", PIN).await;
    phone.submit_form("form[action='/lock']").await;
    phone.wait_for_path("/").await;
    phone.wait_for("details.account").await;

    // The desktop says so, live, and lists the phone.
    let said = ta(lang, "connect-connected", &[("device", "§")]);
    let before_device = said.split('§').next().unwrap_or_default().trim().to_string();
    desktop
        .wait_for_text_in("[data-testid=connect-status]", &before_device)
        .await;
    desktop.goto("/security").await;
    desktop.wait_for_path("/security").await;
    let sessions = desktop
        .execute("return document.querySelectorAll('ul.sessions > li').length;", vec![])
        .await
        .expect("sessions");
    assert_eq!(
        sessions,
        Value::from(3),
        "the sign-up's API session, the desktop and the phone"
    );

    // The same link again: refused, and said why.
    open_link(&phone, &link).await;
    phone
        .wait_for_text_in("[data-testid=connect-phone-status]", &t(lang, "error-connect-used"))
        .await;

    // A code past its two minutes: refused too.
    desktop.goto("/security/connect").await;
    desktop.wait_for_path("/security/connect").await;
    let late = show_code(&desktop).await;
    app.advance(121);
    open_link(&phone, &late).await;
    phone
        .wait_for_text_in("[data-testid=connect-phone-status]", &t(lang, "error-connect-expired"))
        .await;

    phone.quit().await;
    desktop.quit().await;
}
