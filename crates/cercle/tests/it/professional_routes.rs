//! One guard in front of the professional space (issue 13, item 10): every
//! professional route, as the routers list them, sends a patient and a
//! caregiver back to their care space (pages) or answers 403
//! `professionals-only` (API), whatever the method; the care space and what
//! is theirs (account, security, notifications, their threads) still works.

use crate::backends;
use crate::circle_api::{join_circle, manager_and_file};
use crate::helpers::{care_channel, channel_thread, Person, PASSWORD};
use cercle_testkit::people::{csrf_of, sign_in_by_forms};
use cercle_testkit::{status_and_json, Db, TestApp};
use reqwest::Method;
use serde_json::{json, Value};
use std::sync::Arc;

backends!(patients_and_caregivers_are_kept_out_of_every_professional_route);

/// Methods of a professional pattern that belong to everyone (the same path
/// serves a shared method and a professional one).
const SHARED_ON_PROFESSIONAL_PATTERNS: &[(&str, &str)] = &[
    ("page", "GET /threads"),
    ("api", "GET /threads"),
    ("api", "GET /channels/{id}/pinned"),
];

fn shared(kind: &str, method: &Method, pattern: &str) -> bool {
    let key = format!("{method} {pattern}");
    SHARED_ON_PROFESSIONAL_PATTERNS
        .iter()
        .any(|(k, m)| *k == kind && *m == key)
}

/// A pattern with its parameters filled (the guard answers before any id is read).
fn fill(pattern: &str) -> String {
    pattern
        .split('/')
        .map(|seg| if seg.starts_with('{') { "0190abc" } else { seg })
        .collect::<Vec<_>>()
        .join("/")
}

/// A browser (cookie jar) signed in through the pages; a second client on
/// the same jar does not follow redirects.
pub(crate) struct Web {
    pub(crate) follow: reqwest::Client,
    probe: reqwest::Client,
    base: String,
    pub(crate) csrf: String,
}

impl Web {
    pub(crate) async fn sign_in(app: &TestApp, email: &str) -> Web {
        let (web, landing) = Web::signed_in(app, email).await;
        assert_eq!(landing, "/care", "a circle-only person lands in their care space");
        web
    }

    /// Signs in through the pages; gives the page one lands on.
    pub(crate) async fn signed_in(app: &TestApp, email: &str) -> (Web, String) {
        let jar = Arc::new(reqwest::cookie::Jar::default());
        let client = |redirect| {
            reqwest::Client::builder()
                .cookie_provider(jar.clone())
                .redirect(redirect)
                .timeout(std::time::Duration::from_secs(30))
                .build()
                .expect("client")
        };
        let mut web = Web {
            follow: client(reqwest::redirect::Policy::limited(10)),
            probe: client(reqwest::redirect::Policy::none()),
            base: app.url.clone(),
            csrf: String::new(),
        };
        let r = sign_in_by_forms(app, &web.follow, email, PASSWORD, 1).await;
        let landing = r.url().path().to_string();
        web.csrf = csrf_of(&r.text().await.expect("html"));
        (web, landing)
    }

    pub(crate) async fn post_following(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let mut form = vec![("csrf", self.csrf.as_str())];
        form.extend_from_slice(fields);
        self.follow
            .post(format!("{}{path}", self.base))
            .form(&form)
            .send()
            .await
            .expect("post")
    }

    /// Status and `Location` of one request, redirects not followed.
    async fn probe(&self, method: Method, path: &str) -> (u16, String) {
        let mut req = self.probe.request(method.clone(), format!("{}{path}", self.base));
        if method != Method::GET {
            req = req.form(&[("csrf", self.csrf.as_str())]);
        }
        let r = req.send().await.expect("request");
        let location = r
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        (r.status().as_u16(), location)
    }

    pub(crate) async fn status(&self, path: &str) -> u16 {
        self.probe(Method::GET, path).await.0
    }
}

async fn api(app: &TestApp, method: Method, path: &str, token: &str) -> (u16, Value) {
    let r = app
        .http
        .request(method, format!("{}/api/v1{path}", app.url))
        .bearer_auth(token)
        .json(&json!({}))
        .send()
        .await
        .expect("request");
    status_and_json(r).await
}

async fn patients_and_caregivers_are_kept_out_of_every_professional_route(db: Db) {
    let app = TestApp::spawn(db).await;
    let (_org, manager, file) = manager_and_file(&app).await;
    let (patient, p_member) = join_circle(&app, &manager, &file, "patient", "patient@maison.test").await;
    let (carer, r_member) = join_circle(&app, &manager, &file, "responsible", "proche@maison.test").await;
    // Their care team, with a thread.
    let ch = care_channel(
        &app,
        &manager,
        &file,
        "Équipe de soins",
        json!([{ "kind": "circle", "id": p_member }, { "kind": "circle", "id": r_member }]),
    )
    .await;
    let channel = ch["id"].as_str().expect("channel id").to_string();
    let t = channel_thread(&app, &manager, &channel, "Retour à domicile", "Bonjour, voici le plan.").await;
    let thread = t["id"].as_str().expect("thread id").to_string();

    let pages = cercle_web::ui::professional_routes().patterns().to_vec();
    let apis = cercle_web::api::professional_patterns();
    for must in [
        "/network",
        "/network/directory",
        "/network/friends",
        "/network/workplaces",
        "/teams",
        "/threads/new",
        "/admin",
    ] {
        assert!(pages.contains(&must), "{must} is not behind the guard");
    }
    // One's own availability is everyone's (issue 14): patients and
    // caregivers say when they can be reached too.
    for shared in ["/availability", "/availability/slots", "/availability/periods"] {
        assert!(!pages.contains(&shared), "{shared} must not be behind the guard");
    }
    for shared in [
        "/availability/schedule",
        "/availability/periods",
        "/availability/periods/{id}",
    ] {
        assert!(!apis.contains(&shared), "{shared} must not be behind the guard");
    }
    for must in [
        "/network/search",
        "/org/structure",
        "/patient-files",
        "/teams",
        "/direct",
        "/network/professions/{id}/proof",
        "/pinned/{id}/versions",
    ] {
        assert!(apis.contains(&must), "{must} is not behind the guard");
    }

    for (who, person) in [("patient", &patient), ("caregiver", &carer)] {
        check_api(&app, who, person, &apis).await;
        let web = Web::sign_in(&app, &person.email).await;
        check_pages(&web, who, &pages).await;
        // What is theirs still works.
        for path in [
            "/care".to_string(),
            format!("/care/{channel}"),
            format!("/threads/{thread}"),
            "/threads".to_string(),
            "/security".to_string(),
            "/notifications".to_string(),
            "/notifications/preferences".to_string(),
            "/care/photo".to_string(),
            "/availability".to_string(),
        ] {
            assert_eq!(web.status(&path).await, 200, "{who}: {path}");
        }
        for path in [
            "/account".to_string(),
            "/account/sessions".to_string(),
            "/notifications".to_string(),
            "/channels".to_string(),
            format!("/channels/{channel}"),
            format!("/channels/{channel}/pinned"),
            format!("/threads/{thread}"),
            format!("/threads/{thread}/messages"),
            "/threads".to_string(),
            "/availability/schedule".to_string(),
            "/availability/periods".to_string(),
            "/notifications/preferences".to_string(),
        ] {
            let (status, r) = api(&app, Method::GET, &path, &person.token).await;
            assert_eq!(status, 200, "{who}: {path}: {r}");
        }
        let (status, r) = app
            .post(
                &format!("/threads/{thread}/messages"),
                Some(&person.token),
                json!({ "body": format!("Merci, de la part du {who}.") }),
            )
            .await;
        assert_eq!(status, 201, "{who} writes in their thread: {r}");
    }

    // Professionals are not held back by the guard.
    for path in ["/network/profile", "/patient-files", "/teams", "/org/structure"] {
        let (status, r) = api(&app, Method::GET, path, &manager.token).await;
        assert_eq!(status, 200, "the manager: {path}: {r}");
    }
}

async fn check_api(app: &TestApp, who: &str, person: &Person, patterns: &[&'static str]) {
    for pattern in patterns {
        let path = fill(pattern);
        let mut guarded = false;
        for method in [Method::GET, Method::POST, Method::PUT, Method::PATCH, Method::DELETE] {
            if shared("api", &method, pattern) {
                continue;
            }
            let (status, r) = api(app, method.clone(), &path, &person.token).await;
            match status {
                405 => {}
                403 if r["code"] == "professionals-only" => {
                    assert!(
                        r["message"]
                            .as_str()
                            .is_some_and(|m| m.contains("professionnels") || m.contains("professionals")),
                        "translated: {r}"
                    );
                    guarded = true;
                }
                _ => panic!("{who}: {method} /api/v1{path} answered {status}: {r}"),
            }
        }
        assert!(guarded, "{who}: no method of /api/v1{pattern} met the guard");
    }
}

async fn check_pages(web: &Web, who: &str, patterns: &[&'static str]) {
    for pattern in patterns {
        let path = fill(pattern);
        let mut guarded = false;
        for method in [Method::GET, Method::POST] {
            if shared("page", &method, pattern) {
                continue;
            }
            let (status, location) = web.probe(method.clone(), &path).await;
            match (status, location.as_str()) {
                (405, _) => {}
                (303, "/care") => guarded = true,
                _ => panic!("{who}: {method} {path} answered {status} {location}"),
            }
        }
        assert!(guarded, "{who}: no method of {pattern} met the guard");
    }
}
