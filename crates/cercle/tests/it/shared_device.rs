//! Several accounts on one shared device, through the web pages (a cookie
//! jar plays the browser).

use cercle_testkit::people::{csrf_of, sign_in_by_forms};
use cercle_testkit::{Db, TestApp};

struct Browser {
    http: reqwest::Client,
    base: String,
}

impl Browser {
    fn new(app: &TestApp) -> Browser {
        let http = reqwest::Client::builder().cookie_store(true).build().expect("client");
        Browser {
            http,
            base: app.url.clone(),
        }
    }

    async fn get(&self, path: &str) -> (String, String) {
        let r = self.http.get(format!("{}{path}", self.base)).send().await.expect("get");
        let url = r.url().path().to_string();
        (url, r.text().await.expect("text"))
    }

    async fn csrf(&self) -> String {
        let (_, html) = self.get("/sign-in").await;
        csrf_of(&html)
    }

    /// Posts a form; returns the final path after redirects and the page.
    async fn post(&self, path: &str, fields: &[(&str, &str)]) -> (String, String) {
        let csrf = self.csrf().await;
        let mut form: Vec<(&str, &str)> = vec![("csrf", csrf.as_str())];
        form.extend_from_slice(fields);
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .form(&form)
            .send()
            .await
            .expect("post");
        let url = r.url().path().to_string();
        (url, r.text().await.expect("text"))
    }
}

async fn sign_in(app: &TestApp, b: &Browser, email: &str, nth_code: usize) {
    let r = sign_in_by_forms(app, &b.http, email, cercle_app::demo::DEMO_PASSWORD, nth_code).await;
    let path = r.url().path().to_string();
    let page = r.text().await.expect("text");
    assert_eq!(path, "/", "{page}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_accounts_on_one_device_each_behind_its_pin() {
    let app = TestApp::spawn(Db::Sqlite).await;
    cercle_app::demo::seed(app.ctx()).await.expect("demo");
    let b = Browser::new(&app);
    let marie = "marie.tremblay@demo.cercle.test";
    let daniel = "daniel.okafor@demo.cercle.test";
    sign_in(&app, &b, marie, 1).await;
    let (_, home) = b.get("/").await;
    assert!(
        home.contains("Bienvenue, Dre Marie Tremblay"),
        "French account, French home"
    );

    // A colleague signs in on the same device.
    let (path, _) = b.get("/sign-in?other=1").await;
    assert_eq!(path, "/", "a ready session goes home");
    let (path, _) = b.post("/lock-now", &[]).await;
    assert_eq!(path, "/lock");
    sign_in(&app, &b, daniel, 1).await;
    let (_, home) = b.get("/").await;
    assert!(home.contains("Welcome, Daniel Okafor"), "English account, English home");

    // Both are listed; choosing one asks for its PIN, and locks the other.
    let (_, accounts) = b.get("/accounts").await;
    assert!(accounts.contains(marie) && accounts.contains(daniel), "{accounts}");
    let marie_session = accounts
        .split("name=\"session_id\" value=\"")
        .skip(1)
        .map(|s| s.split('"').next().expect("id").to_string())
        .next()
        .expect("a session id");
    let (path, page) = b.post("/accounts/choose", &[("session_id", &marie_session)]).await;
    assert_eq!(path, "/lock", "{page}");
    assert!(
        page.contains("Marie Tremblay"),
        "the lock screen names the chosen account"
    );
    let (path, _) = b.post("/lock", &[("pin", "1111")]).await;
    assert_eq!(path, "/lock", "wrong PIN stays locked");
    let (path, _) = b.post("/lock", &[("pin", cercle_app::demo::DEMO_PIN)]).await;
    assert_eq!(path, "/");

    // Signing in again with an account already on the device asks only its PIN.
    let (path, _) = b.post("/lock-now", &[]).await;
    assert_eq!(path, "/lock");
    let (path, page) = b
        .post(
            "/sign-in",
            &[("email", daniel), ("password", cercle_app::demo::DEMO_PASSWORD)],
        )
        .await;
    assert_eq!(path, "/lock", "{page}");
    assert!(page.contains("Daniel Okafor"));
    assert_eq!(
        crate::helpers::count_sign_in_mails(&app, daniel),
        1,
        "no new code was sent"
    );

    // A session id from this device is worth nothing on another one.
    let other = Browser::new(&app);
    let _ = other.get("/sign-in").await;
    let r = other
        .http
        .get(format!("{}/", app.url))
        .header("cookie", format!("cercle_account={marie_session}"))
        .send()
        .await
        .expect("get");
    assert_eq!(r.url().path(), "/sign-in");
}
