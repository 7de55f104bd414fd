//! The integrated bubble (issue 18, part 1): a SMART on FHIR EHR launch
//! from the test kit's EHR, followed with a plain HTTP client that keeps
//! the frame's cookies by hand (they are `Secure; Partitioned`, which a
//! cookie jar would not send over loopback HTTP): activation the first
//! time, direct the next; every refusal.

use crate::backends;
use crate::helpers::{make_network_admin, nth_sign_in_mail, org_with_members, sign_up_named, Person, PASSWORD};
use cercle_domain::Language;
use cercle_i18n::ta;
use cercle_testkit::smart_ehr::{Misbehave, SmartEhr};
use cercle_testkit::{find_code, Db, TestApp};
use serde_json::json;
use std::collections::HashMap;
use std::time::Duration;

const CLIENT_ID: &str = "cercle-test-client";
const HIN: &str = "TREJ55510112";

/// A browser inside the EMR's frame: cookies by hand, redirects one by one.
struct Frame {
    http: reqwest::Client,
    cookies: HashMap<String, String>,
    lang: &'static str,
}

/// An answer: status, final URL, headers, body.
struct Answer {
    status: u16,
    url: reqwest::Url,
    headers: reqwest::header::HeaderMap,
    body: String,
}

impl Answer {
    fn code(&self) -> Option<&str> {
        self.body.split("data-code=\"").nth(1).and_then(|s| s.split('"').next())
    }
}

impl Frame {
    fn new(lang: &'static str) -> Frame {
        Frame {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(Duration::from_secs(30))
                .build()
                .expect("client"),
            cookies: HashMap::new(),
            lang,
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn keep(&mut self, resp: &reqwest::Response) {
        for c in resp.headers().get_all("set-cookie") {
            let c = c.to_str().expect("cookie");
            let first = c.split(';').next().expect("pair");
            let (k, v) = first.split_once('=').expect("name=value");
            if v.is_empty() || c.contains("Max-Age=0") {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.to_string(), v.to_string());
            }
        }
    }

    /// One request, no redirect followed.
    async fn once(&mut self, url: &str, form: Option<&[(&str, &str)]>) -> Answer {
        let req = match form {
            Some(f) => self.http.post(url).form(f),
            None => self.http.get(url),
        };
        let resp = req
            .header("cookie", self.cookie_header())
            .header("accept-language", self.lang)
            .send()
            .await
            .expect("request");
        self.keep(&resp);
        let status = resp.status().as_u16();
        let url = resp.url().clone();
        let headers = resp.headers().clone();
        let body = resp.text().await.expect("body");
        Answer {
            status,
            url,
            headers,
            body,
        }
    }

    /// Follows redirects (across Cercle and the EHR) up to a page.
    async fn go(&mut self, url: &str, form: Option<&[(&str, &str)]>) -> Answer {
        let mut a = self.once(url, form).await;
        for _ in 0..12 {
            if !(300..400).contains(&a.status) {
                return a;
            }
            let to = a.headers.get("location").expect("location").to_str().expect("text");
            let next = a.url.join(to).expect("url").to_string();
            a = self.once(&next, None).await;
        }
        panic!("too many redirects");
    }

    /// Follows redirects until one would go to `path`; gives that URL.
    async fn until(&mut self, url: &str, path: &str) -> String {
        let mut a = self.once(url, None).await;
        for _ in 0..12 {
            assert!((300..400).contains(&a.status), "{} {}", a.status, a.body);
            let to = a.headers.get("location").expect("location").to_str().expect("text");
            let next = a.url.join(to).expect("url");
            if next.path() == path {
                return next.to_string();
            }
            a = self.once(next.as_str(), None).await;
        }
        panic!("never reached {path}");
    }
}

fn csrf(html: &str) -> String {
    cercle_testkit::people::csrf_of(html)
}

pub(crate) struct World {
    pub app: TestApp,
    pub ehr: SmartEhr,
    pub doctor: Person,
}

/// Cercle, a professional (Dr Bédard) in an organization, the test EHR
/// registered by a network administrator through the JSON API, its patient
/// in context.
pub(crate) async fn world(db: Db) -> World {
    let app = TestApp::spawn(db).await;
    let doctor = sign_up_named(&app, "bedard@fleuve.test", "Béatrice Bédard", "fr").await;
    org_with_members(&app, "Clinique du Fleuve", &[&doctor]).await;
    let admin = sign_up_named(&app, "admin@reseau.test", "Ada Admin", "fr").await;
    make_network_admin(&app, &admin).await;
    let ehr = SmartEhr::start(&app.url, CLIENT_ID, app.clock.clone()).await;
    ehr.set_patient("pat-1", "Tremblay", "Jeanne", "1955-01-01", Some("TREJ 5551 0112"));
    let (status, emr) = app
        .post(
            "/admin/emrs",
            Some(&admin.token),
            json!({ "name": "DMÉ de test", "issuer": ehr.issuer(), "client_id": CLIENT_ID, "frame_origins": [ehr.url] }),
        )
        .await;
    assert_eq!(status, 201, "{emr}");
    assert_eq!(emr["frame_origins"], json!([ehr.url]));
    // Only a network administrator registers.
    let (status, _) = app
        .post(
            "/admin/emrs",
            Some(&doctor.token),
            json!({ "name": "x", "issuer": "https://x.example/fhir", "client_id": "x" }),
        )
        .await;
    assert_eq!(status, 403);
    World { app, ehr, doctor }
}

/// The first launch: activation with password and code, then the file.
async fn activate(w: &World, frame: &mut Frame, nth_mail: usize) -> Answer {
    let a = frame.go(&w.ehr.launch_url(), None).await;
    assert_eq!((a.status, a.url.path()), (200, "/smart/activate"), "{}", a.body);
    let token = csrf(&a.body);
    let a = frame
        .go(
            &format!("{}/smart/activate", w.app.url),
            Some(&[("csrf", &token), ("email", &w.doctor.email), ("password", PASSWORD)]),
        )
        .await;
    assert_eq!((a.status, a.url.path()), (200, "/smart/activate/code"), "{}", a.body);
    let mail = nth_sign_in_mail(&w.app, &w.doctor.email, nth_mail).await;
    let code = find_code(&mail.body).expect("code");
    let token = csrf(&a.body);
    frame
        .go(
            &format!("{}/smart/activate/code", w.app.url),
            Some(&[("csrf", &token), ("code", &code)]),
        )
        .await
}

async fn files_with_hin(w: &World) -> Vec<serde_json::Value> {
    let (status, list) = w
        .app
        .get(&format!("/patient-files?q={HIN}&archived=true"), Some(&w.doctor.token))
        .await;
    assert_eq!(status, 200, "{list}");
    list["patient_files"].as_array().cloned().expect("files")
}

async fn first_time_activates_then_opens_directly(db: Db) {
    let w = world(db).await;
    let mut frame = Frame::new("fr");
    let a = activate(&w, &mut frame, 1).await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert!(a.url.path().starts_with("/smart/files/"), "{}", a.url);
    assert!(a.body.contains("data-testid=\"smart-compact\""), "compact layout");
    assert!(a.body.contains("Jeanne Tremblay"), "{}", a.body);
    assert!(!a.body.contains("class=\"topbar\""), "no big navigation");
    // The frame is allowed to the EMR's origin only; its cookies work in a frame.
    let csp = a.headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains(&format!("frame-ancestors {}", w.ehr.url)), "{csp}");
    assert!(a.headers.get("x-frame-options").is_none());
    let file_id = a.url.path().trim_start_matches("/smart/files/").to_string();
    // Created from the FHIR Patient, with the health insurance number.
    let files = files_with_hin(&w).await;
    assert_eq!(files.len(), 1, "{files:?}");
    assert_eq!(files[0]["id"], json!(file_id));
    assert_eq!(files[0]["birth_date"], json!("1955-01-01"));

    // The next launch, from another browser of the EMR: no activation.
    let mut other = Frame::new("en");
    let launch = other.once(&w.ehr.launch_url(), None).await;
    let set_cookies: Vec<&str> = launch
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|c| c.to_str().unwrap())
        .collect();
    assert!(
        set_cookies
            .iter()
            .all(|c| c.contains("SameSite=None") && c.contains("Secure") && c.contains("Partitioned")),
        "{set_cookies:?}"
    );
    let to = launch.headers["location"].to_str().unwrap().to_string();
    let a = other.go(&to, None).await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.url.path(), format!("/smart/files/{file_id}"), "opens directly");
    assert_eq!(files_with_hin(&w).await.len(), 1, "the same file, not a second one");
    assert_eq!(
        w.app
            .smtp
            .to(&w.doctor.email)
            .iter()
            .filter(|m| m.subject.contains("sign-in code") || m.subject.contains("code de connexion"))
            .count(),
        1,
        "no second code asked"
    );
    // Pages outside a launch keep refusing every frame.
    let plain = reqwest::get(format!("{}/sign-in", w.app.url)).await.unwrap();
    assert_eq!(plain.headers()["x-frame-options"], "DENY");
    assert!(plain.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("frame-ancestors 'none'"));
}

async fn unknown_issuer_is_refused_in_both_languages(db: Db) {
    let w = world(db).await;
    for (lang, language) in [("fr", Language::Fr), ("en", Language::En)] {
        let mut frame = Frame::new(lang);
        let a = frame
            .go(
                &format!(
                    "{}/smart/launch?iss=https%3A%2F%2Fnobody.example%2Ffhir&launch=abc",
                    w.app.url
                ),
                None,
            )
            .await;
        assert_eq!((a.status, a.code()), (403, Some("smart-unknown-issuer")), "{}", a.body);
        let said = ta(language, "error-smart-unknown-issuer", &[]);
        assert!(
            a.body.contains(&said.replace('\'', "&#39;")) || a.body.contains(&said),
            "{lang}: {}",
            a.body
        );
    }
}

async fn bad_or_reused_state_is_refused(db: Db) {
    let w = world(db).await;
    let mut frame = Frame::new("en");
    let a = frame
        .go(
            &format!("{}/smart/callback?code=abc&state=not-a-state", w.app.url),
            None,
        )
        .await;
    assert_eq!((a.status, a.code()), (400, Some("smart-bad-state")), "{}", a.body);
    // A real callback, then the same again (replayed).
    let callback = frame.until(&w.ehr.launch_url(), "/smart/callback").await;
    let first = frame.go(&callback, None).await;
    assert_eq!(first.url.path(), "/smart/activate", "{}", first.body);
    let again = Frame::new("en").go(&callback, None).await;
    assert_eq!(
        (again.status, again.code()),
        (400, Some("smart-bad-state")),
        "{}",
        again.body
    );
}

async fn expired_launch_is_refused(db: Db) {
    let w = world(db).await;
    let mut frame = Frame::new("en");
    let callback = frame.until(&w.ehr.launch_url(), "/smart/callback").await;
    w.app.advance(cercle_app::emr::launch::LAUNCH_TTL_SECS + 1);
    let a = frame.go(&callback, None).await;
    assert_eq!((a.status, a.code()), (410, Some("smart-expired")), "{}", a.body);
}

async fn signature_mismatch_is_refused(db: Db) {
    let w = world(db).await;
    for m in [
        Misbehave {
            sign_with_other_key: true,
            ..Misbehave::default()
        },
        Misbehave {
            wrong_audience: true,
            ..Misbehave::default()
        },
    ] {
        w.ehr.misbehave(m);
        let a = Frame::new("en").go(&w.ehr.launch_url(), None).await;
        assert_eq!((a.status, a.code()), (400, Some("smart-signature")), "{}", a.body);
    }
    // Behaving again: the launch works.
    w.ehr.misbehave(Misbehave::default());
    let a = Frame::new("en").go(&w.ehr.launch_url(), None).await;
    assert_eq!((a.status, a.url.path()), (200, "/smart/activate"), "{}", a.body);
}

async fn patient_not_found_and_not_creatable_is_refused(db: Db) {
    let w = world(db).await;
    // A professional with no organization: no file to find, none to create.
    let solo = sign_up_named(&w.app, "solo@independant.test", "Sol Solo", "en").await;
    let w = World {
        app: w.app,
        ehr: w.ehr,
        doctor: solo,
    };
    let mut frame = Frame::new("en");
    let a = activate(&w, &mut frame, 1).await;
    assert_eq!(
        (a.status, a.code()),
        (403, Some("smart-patient-not-creatable")),
        "{}",
        a.body
    );
    assert!(
        a.body
            .contains(&ta(Language::En, "error-smart-patient-not-creatable", &[]).replace('\'', "&#39;"))
            || a.body.contains("cannot create it here")
    );
}

/// A network administrator registers an EMR in the admin pages (the EMRs
/// tab), disables it (its launches are then refused), and enables it again.
async fn admin_registers_and_disables_an_emr_in_the_pages(db: Db) {
    let w = world(db).await;
    let (client, token, _) = cercle_testkit::people::signed_in_client(&w.app, "admin@reseau.test", 1, "/").await;
    let page = client
        .get(format!("{}/admin/emrs", w.app.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains(&w.ehr.issuer()), "the API's registration is listed");
    let r = client
        .post(format!("{}/admin/emrs", w.app.url))
        .form(&[
            ("csrf", token.as_str()),
            ("name", "Autre DMÉ"),
            ("issuer", "https://emr.autre.example/fhir"),
            ("client_id", "cercle"),
            (
                "frame_origins",
                "https://emr.autre.example\nhttps://panel.autre.example",
            ),
        ])
        .send()
        .await
        .unwrap();
    let html = r.text().await.unwrap();
    assert!(html.contains("https://emr.autre.example/fhir"), "{html}");
    // A bad origin is refused with its reason, on the form.
    let r = client
        .post(format!("{}/admin/emrs", w.app.url))
        .form(&[
            ("csrf", token.as_str()),
            ("name", "Mauvais"),
            ("issuer", "https://bad.example/fhir"),
            ("client_id", "cercle"),
            ("frame_origins", "https://bad.example/path"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 409);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains(&ta(Language::Fr, "error-emr-invalid-origin", &[]).replace('\'', "&#39;")));
    // Disabled: its launches are refused as unknown.
    let id = html
        .split("data-emr=\"")
        .find(|s| s.contains(&w.ehr.issuer()[..20]))
        .and_then(|s| s.split('"').next())
        .map(str::to_string);
    let id = id.unwrap_or_default();
    assert!(!id.is_empty(), "{html}");
    let r = client
        .post(format!("{}/admin/emrs/{id}/enabled", w.app.url))
        .form(&[("csrf", token.as_str()), ("enabled", "false")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let a = Frame::new("en").go(&w.ehr.launch_url(), None).await;
    assert_eq!((a.status, a.code()), (403, Some("smart-unknown-issuer")), "{}", a.body);
    client
        .post(format!("{}/admin/emrs/{id}/enabled", w.app.url))
        .form(&[("csrf", token.as_str()), ("enabled", "true")])
        .send()
        .await
        .unwrap();
    let a = Frame::new("en").go(&w.ehr.launch_url(), None).await;
    assert_eq!((a.status, a.url.path()), (200, "/smart/activate"), "{}", a.body);
}

backends!(
    admin_registers_and_disables_an_emr_in_the_pages,
    first_time_activates_then_opens_directly,
    unknown_issuer_is_refused_in_both_languages,
    bad_or_reused_state_is_refused,
    expired_launch_is_refused,
    signature_mismatch_is_refused,
    patient_not_found_and_not_creatable_is_refused,
);
