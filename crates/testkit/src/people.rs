//! Signing people in, shared by the integration tests (API and pages, in
//! Chromium or with a plain HTTP client).

use crate::browser::Browser;
use crate::{find_code, TestApp};
use std::sync::Arc;
use std::time::Duration;

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
    sign_in_pages_as(app, b, email, PASSWORD, nth_code_mail).await;
}

/// [`sign_in_pages`] with another password (the demo accounts' one).
pub async fn sign_in_pages_as(app: &TestApp, b: &Browser, email: &str, password: &str, nth_code_mail: usize) {
    b.goto("/sign-in").await;
    b.wait_for_path("/sign-in").await;
    b.fill("#f-email", email).await;
    b.fill("#f-password", password).await;
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

/// An HTTP client that keeps cookies and follows redirects, as a browser
/// does: for tests of the pages that need no JavaScript.
pub fn page_client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_provider(Arc::new(reqwest::cookie::Jar::default()))
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client")
}

/// The CSRF token the forms of a page carry.
pub fn csrf_of(html: &str) -> String {
    html.split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("csrf field")
        .to_string()
}

/// Signs in through the pages' forms with `client` (which keeps cookies and
/// follows redirects): the password, then the code of the `nth_code_mail`
/// sign-in mail to `email`. Returns the answer to the code: the page the
/// person lands on, whose forms carry the new CSRF token (the device cookie
/// is replaced on sign-in, and its token with it).
pub async fn sign_in_by_forms(
    app: &TestApp,
    client: &reqwest::Client,
    email: &str,
    password: &str,
    nth_code_mail: usize,
) -> reqwest::Response {
    let html = client
        .get(format!("{}/sign-in", app.url))
        .send()
        .await
        .expect("sign-in page")
        .text()
        .await
        .expect("html");
    let csrf = csrf_of(&html);
    let r = client
        .post(format!("{}/sign-in", app.url))
        .form(&[("csrf", csrf.as_str()), ("email", email), ("password", password)])
        .send()
        .await
        .expect("sign in");
    assert_eq!(r.url().path(), "/code");
    let mail = nth_sign_in_mail(app, email, nth_code_mail).await;
    let code = find_code(&mail.body).expect("code");
    client
        .post(format!("{}/code", app.url))
        .form(&[("csrf", csrf.as_str()), ("code", code.as_str())])
        .send()
        .await
        .expect("code")
}

/// A [`page_client`] signed in by [`sign_in_by_forms`] with [`PASSWORD`],
/// the CSRF token of its forms, and the page it landed on, which must be
/// `lands`.
pub async fn signed_in_client(
    app: &TestApp,
    email: &str,
    nth_code_mail: usize,
    lands: &str,
) -> (reqwest::Client, String, String) {
    let client = page_client();
    let r = sign_in_by_forms(app, &client, email, PASSWORD, nth_code_mail).await;
    let status = r.status().as_u16();
    let path = r.url().path().to_string();
    let html = r.text().await.expect("html");
    assert_eq!((status, path.as_str()), (200, lands), "{html}");
    let csrf = csrf_of(&html);
    (client, csrf, html)
}
