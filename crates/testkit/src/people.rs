//! Signing people in, shared by the integration tests (API and pages).

use crate::browser::Browser;
use crate::{find_code, TestApp};

/// The password every test account is created with.
pub const PASSWORD: &str = "lune-verte-sur-le-fleuve";

/// The `n`-th sign-in code email (1-based) to an address, in either language.
pub async fn nth_sign_in_mail(app: &TestApp, email: &str, n: usize) -> crate::smtp::Mail {
    crate::eventually("sign-in code mail", async || {
        app.smtp
            .to(email)
            .into_iter()
            .filter(|m| m.subject.contains("sign-in code") || m.subject.contains("code de connexion"))
            .nth(n - 1)
    })
    .await
}

/// Signs in through the pages (password, then the emailed code: the
/// `nth_code_mail` sign-in mail to `email`), until the code page is left.
pub async fn sign_in_pages(app: &TestApp, b: &Browser, email: &str, nth_code_mail: usize) {
    b.goto("/sign-in").await;
    b.wait_for_path("/sign-in").await;
    b.fill("#f-email", email).await;
    b.fill("#f-password", PASSWORD).await;
    b.submit_form("form[action='/sign-in']").await;
    b.wait_for_path("/code").await;
    let mail = nth_sign_in_mail(app, email, nth_code_mail).await;
    b.fill("#f-code", &find_code(&mail.body).expect("code")).await;
    b.submit_form("form[action='/code']").await;
    b.wait_until("signed in", async || {
        let path = b.current_path().await;
        (path != "/code").then_some(())
    })
    .await;
}

/// [`sign_in_pages`], down to the home page.
pub async fn sign_in(app: &TestApp, b: &Browser, email: &str, nth_code_mail: usize) {
    sign_in_pages(app, b, email, nth_code_mail).await;
    b.wait_for_path("/").await;
}
