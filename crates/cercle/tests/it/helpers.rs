//! Steps shared by the API tests.

use cercle_testkit::{find_code, TestApp};
use serde_json::json;

pub use cercle_testkit::people::{nth_sign_in_mail, sign_in_pages, PASSWORD};
pub const PIN: &str = "2580";

/// A person who finished sign-up through the API; returns the bearer token
/// and the recovery code.
pub struct Person {
    pub email: String,
    pub token: String,
    pub recovery: String,
}

pub async fn sign_up(app: &TestApp, email: &str, language: &str) -> Person {
    sign_up_named(app, email, "Marie Tremblay", language).await
}

/// [`sign_up`] with the person's name.
pub async fn sign_up_named(app: &TestApp, email: &str, name: &str, language: &str) -> Person {
    let earlier = sign_up_mails(app, email).len();
    let (status, started) = app
        .post(
            "/auth/sign-up",
            None,
            json!({ "email": email, "password": PASSWORD, "name": name, "language": language }),
        )
        .await;
    assert_eq!(status, 201, "{started}");
    let token = started["token"].as_str().expect("token").to_string();
    let mail = cercle_testkit::eventually("sign-up code mail", async || {
        sign_up_mails(app, email).into_iter().nth(earlier)
    })
    .await;
    let code = find_code(&mail.body).expect("code in email");
    let (status, s) = app.post("/auth/code", Some(&token), json!({ "code": code })).await;
    assert_eq!(status, 200, "{s}");
    assert_eq!(s["setup_step"], "terms");
    let (status, s) = app.post("/auth/terms", Some(&token), json!({})).await;
    assert_eq!((status, s["setup_step"].as_str()), (200, Some("recovery_code")), "{s}");
    let (status, r) = app.post("/auth/recovery-code", Some(&token), json!({})).await;
    assert_eq!(status, 200, "{r}");
    let recovery = r["recovery_code"].as_str().expect("recovery code").to_string();
    let (status, s) = app
        .post("/auth/pin", Some(&token), json!({ "pin": PIN, "pin_confirm": PIN }))
        .await;
    assert_eq!((status, s["state"].as_str()), (200, Some("ready")), "{s}");
    Person {
        email: email.to_string(),
        token,
        recovery,
    }
}

/// Password, then the emailed code (the `n`-th sign-in code mail to that address).
pub async fn sign_in_by_email(app: &TestApp, email: &str, nth_code_mail: usize) -> String {
    let (status, s) = app
        .post("/auth/sign-in", None, json!({ "email": email, "password": PASSWORD }))
        .await;
    assert_eq!(status, 200, "{s}");
    assert_eq!(s["next"], "code");
    assert_eq!(s["factor"], "email", "{s}");
    let token = s["token"].as_str().expect("token").to_string();
    let mail = nth_sign_in_mail(app, email, nth_code_mail).await;
    let code = find_code(&mail.body).expect("code");
    let (status, s) = app.post("/auth/code", Some(&token), json!({ "code": code })).await;
    assert_eq!((status, s["state"].as_str()), (200, Some("ready")), "{s}");
    token
}

/// Sign-up code emails to an address, in either language.
fn sign_up_mails(app: &TestApp, email: &str) -> Vec<cercle_testkit::smtp::Mail> {
    app.smtp
        .to(email)
        .into_iter()
        .filter(|m| m.subject.starts_with("Your Cercle code") || m.subject.starts_with("Votre code Cercle"))
        .collect()
}

/// How many sign-in code emails an address received.
pub fn count_sign_in_mails(app: &TestApp, email: &str) -> usize {
    app.smtp
        .to(email)
        .iter()
        .filter(|m| m.subject.contains("sign-in code") || m.subject.contains("code de connexion"))
        .count()
}
