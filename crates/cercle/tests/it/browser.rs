//! The web app in a real headless Chromium (WebDriver): sign-up, lock and
//! unlock, a switch to an authenticator app and a new sign-in, in French and
//! in English; and 5 wrong PINs erasing the session.
//! `CERCLE_SKIP_BROWSER=1` skips them.

use crate::helpers::{PASSWORD, PIN};
use cercle_domain::totp::{base32_decode, code_at_step, step_at};
use cercle_domain::{Clock, Language};
use cercle_i18n::{t, ta};
use cercle_testkit::browser::Browser;
use cercle_testkit::{find_code, Db, TestApp};

/// The code an authenticator app shows now, by the server's clock.
fn totp_now(app: &TestApp, secret: &str) -> String {
    let key = base32_decode(secret).expect("base32 secret");
    code_at_step(&key, step_at(app.clock.now().unix_secs()))
}

/// A subject without its `{ $code }`, to find the mail in that language.
pub(crate) fn subject_of(lang: Language, id: &str) -> String {
    ta(lang, id, &[("code", "")]).trim_end_matches([' ', ':']).to_string()
}

/// Sign-up through the pages, down to the home page.
async fn sign_up(app: &TestApp, b: &Browser, name: &str, email: &str) {
    let lang = b.lang;
    b.goto("/sign-up").await;
    b.wait_for_path("/sign-up").await;
    // The browser's language chose the page's language.
    b.assert_text(&t(lang, "signup-title")).await;
    b.fill("#f-name", name).await;
    b.fill("#f-email", email).await;
    b.fill("#f-password", PASSWORD).await;
    b.select("#f-language", lang.code()).await;
    b.submit_form("form[action='/sign-up']").await;
    b.wait_for_path("/code").await;
    b.assert_text(&t(lang, "code-title")).await;

    let mail = app
        .smtp
        .wait_subject(email, &subject_of(lang, "email-signup-code-subject"), 0)
        .await;
    let code = find_code(&mail.body).expect("code in the sign-up mail");
    b.fill("#f-code", &code).await;
    b.submit_form("form[action='/code']").await;
    b.wait_for_path("/setup/terms").await;
    b.assert_text(&t(lang, "terms-title")).await;

    // Accepting answers with the recovery code, shown once.
    b.submit_form("form[action='/setup/terms']").await;
    let recovery = b.text("[data-testid=recovery-code]").await;
    assert!(recovery.trim().len() >= 8, "recovery code shown: {recovery:?}");
    b.assert_text(&t(lang, "recovery-title")).await;
    b.click_and_load("main a.button.primary").await;

    b.wait_for_path("/setup/pin").await;
    b.assert_text(&t(lang, "pin-setup-title")).await;
    b.fill("#f-pin", PIN).await;
    b.fill("#f-pin_confirm", PIN).await;
    b.submit_form("form[action='/setup/pin']").await;
    b.wait_for_path("/").await;
    b.assert_text(&ta(lang, "home-welcome", &[("name", name)])).await;
}

/// Locks through the account menu.
async fn lock(b: &Browser) {
    b.click("details.account > summary").await;
    b.wait_for("details.account[open]").await;
    b.click_and_load("details.account form[action='/lock-now'] button")
        .await;
    b.wait_for_path("/lock").await;
    b.assert_text(&t(b.lang, "lock-title")).await;
}

async fn journey(lang: Language) {
    let app = TestApp::spawn(Db::Sqlite).await;
    let Some(b) = Browser::launch(&app.url, lang).await else {
        return;
    };
    let name = match lang {
        Language::Fr => "Marie Tremblay",
        Language::En => "Mary Smith",
    };
    let email = format!("browser-{}@example.org", lang.code());
    sign_up(&app, &b, name, &email).await;

    // Lock, then unlock with the PIN.
    lock(&b).await;
    b.fill("#f-pin", PIN).await;
    b.submit_form("form[action='/lock']").await;
    b.wait_for_path("/").await;
    b.assert_text(&ta(lang, "home-welcome", &[("name", name)])).await;

    // Security: codes from an authenticator app.
    b.goto("/security").await;
    b.wait_for_path("/security").await;
    b.assert_text(&t(lang, "security-title")).await;
    let email_factor = ta(lang, "factor-current", &[("factor", &t(lang, "factor-email"))]);
    assert_eq!(b.text("[data-testid=current-factor]").await, email_factor);
    b.submit_form("form[action='/security/totp']").await;
    let secret = b.text("[data-testid=totp-secret]").await;
    b.fill(
        "form[action='/security/totp/confirm'] input[name=code]",
        &totp_now(&app, secret.trim()),
    )
    .await;
    b.submit_form("form[action='/security/totp/confirm']").await;
    b.wait_for_path("/security").await;
    b.assert_text(&t(lang, "factor-totp-done")).await;
    let totp_factor = ta(lang, "factor-current", &[("factor", &t(lang, "factor-totp"))]);
    assert_eq!(b.text("[data-testid=current-factor]").await, totp_factor);
    // No script error and no Content-Security-Policy violation on any page
    // so far (the log holds everything since the browser started).
    let errors = b.console_errors().await.expect("browser log");
    assert!(errors.is_empty(), "console errors on /security: {errors:#?}");

    // Sign out, then sign in again: password, then the app's code.
    b.submit_form("header form[action='/sign-out']").await;
    b.wait_for_path("/sign-in").await;
    b.assert_text(&t(lang, "signin-title")).await;
    b.fill("#f-email", &email).await;
    b.fill("#f-password", PASSWORD).await;
    b.submit_form("form[action='/sign-in']").await;
    b.wait_for_path("/code").await;
    b.assert_text(&t(lang, "code-totp")).await;
    // A code is refused if its step was already used: move to the next step.
    app.advance(30);
    b.fill("#f-code", &totp_now(&app, secret.trim())).await;
    b.submit_form("form[action='/code']").await;
    b.wait_for_path("/").await;
    b.assert_text(&ta(lang, "home-welcome", &[("name", name)])).await;
    let errors = b.console_errors().await.expect("browser log");
    assert!(errors.is_empty(), "console errors while signing in: {errors:#?}");
    b.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn journey_in_french() {
    journey(Language::Fr).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn journey_in_english() {
    journey(Language::En).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_wrong_pins_erase_the_session() {
    let app = TestApp::spawn(Db::Sqlite).await;
    let lang = Language::Fr;
    let Some(b) = Browser::launch(&app.url, lang).await else {
        return;
    };
    sign_up(&app, &b, "Luc Gagnon", "pins@example.org").await;
    lock(&b).await;
    for left in (1..=4).rev() {
        b.fill("#f-pin", "1111").await;
        b.submit_form("form[action='/lock']").await;
        b.wait_for_path("/lock").await;
        b.assert_text(&ta(lang, "error-pin-wrong", &[("left", &left.to_string())]))
            .await;
    }
    b.fill("#f-pin", "1111").await;
    b.submit_form("form[action='/lock']").await;
    b.wait_for_path("/sign-in").await;
    b.assert_text(&t(lang, "error-session-erased")).await;
    // The erased session is gone: home sends to sign-in.
    b.goto("/").await;
    b.wait_for_path("/sign-in").await;
    b.quit().await;
}
