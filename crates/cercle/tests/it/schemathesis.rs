//! Schemathesis (a property-based API tester from PyPI) against the running
//! server, with a signed-in bearer token: every operation of the generated
//! OpenAPI document, with valid and invalid inputs. No answer may be a
//! server error, and every answer must be documented (status, content type,
//! body schema).
//!
//! `scripts/test.sh` installs it (pinned) into `~/.cache/cercle-schemathesis`;
//! `CERCLE_SCHEMATHESIS` points at another `st`; `CERCLE_SKIP_SCHEMATHESIS=1`
//! skips this test, said loudly.

use crate::helpers::sign_up;
use cercle_testkit::{Db, TestApp};
use std::path::PathBuf;
use std::time::Duration;

/// Operations that end, lock or erase the caller's session or account.
/// Run with the others they would cut the token mid-run and every later
/// request would only test the 401: each runs apart, with its own person.
const SESSION_ENDING: &[(&str, &str)] = &[
    ("POST", "/auth/sign-out"),
    ("POST", "/auth/sign-out-everywhere"),
    ("POST", "/auth/lock"),
    // The fifth wrong PIN erases the session.
    ("POST", "/auth/unlock"),
    ("POST", "/account/delete"),
    ("PUT", "/account/password"),
    // Schemathesis reuses ids it read in earlier answers: the current
    // session's id from GET /account/sessions ends the run's own session.
    ("DELETE", "/account/sessions/{id}"),
];

/// Test cases per operation and phase: enough to meet the edges of every
/// schema, few enough for two cores (the whole run takes a few minutes).
const MAX_EXAMPLES: &str = "30";

/// Longest a whole schemathesis run may take before the test fails.
const RUN_TIMEOUT: Duration = Duration::from_secs(420);

fn schemathesis() -> Option<PathBuf> {
    if std::env::var("CERCLE_SKIP_SCHEMATHESIS").is_ok_and(|v| v == "1") {
        eprintln!("!! CERCLE_SKIP_SCHEMATHESIS=1: schemathesis test SKIPPED");
        return None;
    }
    if let Ok(path) = std::env::var("CERCLE_SCHEMATHESIS") {
        return Some(PathBuf::from(path));
    }
    let default = PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cache/cercle-schemathesis/bin/st");
    if default.exists() {
        return Some(default);
    }
    panic!(
        "schemathesis is needed: run scripts/test.sh (it installs it), or \
         `python3 -m venv ~/.cache/cercle-schemathesis && ~/.cache/cercle-schemathesis/bin/pip install schemathesis==4.32.5`, \
         or set CERCLE_SKIP_SCHEMATHESIS=1 to skip this test"
    );
}

/// One run of schemathesis; fails the test on any failure it reports.
async fn run(st: &PathBuf, app: &TestApp, token: &str, filter: &[String]) -> serde_json::Value {
    let dir = cercle_testkit::temp_dir("cercle-schemathesis");
    let har = dir.join("run.har");
    let mut cmd = tokio::process::Command::new(st);
    // Schemathesis keeps a cache (`.schemathesis/`) in its working
    // directory: a temporary one, not the source tree.
    cmd.current_dir(&dir);
    cmd.arg("run")
        .arg(format!("{}/api/v1/openapi.json", app.url))
        .arg("--url")
        .arg(format!("{}/api/v1", app.url))
        .arg("--header")
        .arg(format!("Authorization: Bearer {token}"))
        .arg("--checks")
        .arg("not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance")
        .arg("--phases")
        .arg("examples,coverage,fuzzing")
        .arg("--max-examples")
        .arg(MAX_EXAMPLES)
        .arg("--seed")
        .arg("15")
        .arg("--workers")
        .arg("2")
        .arg("--request-timeout")
        .arg("20")
        .arg("--no-shrink")
        .arg("--warnings")
        .arg("off")
        .arg("--report")
        .arg("har")
        .arg("--report-har-path")
        .arg(&har)
        .args(filter)
        .env("NO_COLOR", "1")
        .env("SCHEMATHESIS_TELEMETRY", "false")
        .kill_on_drop(true);
    let out = tokio::time::timeout(RUN_TIMEOUT, cmd.output())
        .await
        .expect("schemathesis finishes in time")
        .expect("schemathesis starts");
    let stdout = String::from_utf8_lossy(&out.stdout);
    println!("{stdout}");
    eprintln!("{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "schemathesis found failures:\n{stdout}");
    let text = std::fs::read_to_string(&har).expect("HAR report");
    serde_json::from_str(&text).expect("HAR is JSON")
}

/// How many requests answered each status, and the operations (method and
/// pattern-less path) that answered 2xx at least once.
fn statuses(har: &serde_json::Value) -> (std::collections::BTreeMap<u64, usize>, usize) {
    let mut by_status = std::collections::BTreeMap::new();
    let mut ok_paths = std::collections::BTreeSet::new();
    for entry in har["log"]["entries"].as_array().expect("HAR entries") {
        let status = entry["response"]["status"].as_u64().unwrap_or(0);
        *by_status.entry(status).or_insert(0) += 1;
        if (200..300).contains(&status) {
            let url = entry["request"]["url"].as_str().unwrap_or("");
            let path = url.split('?').next().unwrap_or("");
            ok_paths.insert(format!("{} {path}", entry["request"]["method"].as_str().unwrap_or("")));
        }
    }
    (by_status, ok_paths.len())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemathesis_finds_no_server_error_and_no_schema_violation() {
    let Some(st) = schemathesis() else { return };
    let app = TestApp::spawn(Db::Sqlite).await;
    // An organization's administrator with colleagues and a clinical
    // thread: the operations meet data to work on, not only refusals.
    let (person, colleague, _) = crate::helpers::admin_and_two_members(&app).await;
    crate::helpers::clinical_thread(&app, &person, &[&colleague], "Suivi post-opératoire").await;
    let id = |(method, path): &(&str, &str)| cercle_web::api::openapi::operation_id(&method.to_ascii_lowercase(), path);
    let mut exclude = Vec::new();
    for op in SESSION_ENDING {
        exclude.push("--exclude-operation-id".to_string());
        exclude.push(id(op));
    }
    let har = run(&st, &app, &person.token, &exclude).await;
    let (by_status, answered) = statuses(&har);
    println!("requests by status: {by_status:?}; {answered} distinct requests answered 2xx");
    // The run was signed in from start to end: its token still works, and
    // many operations did their work (not only refusals).
    let (status, _) = app.get("/account", Some(&person.token)).await;
    assert_eq!(status, 200, "the token survived the run");
    assert!(
        answered >= 25,
        "only {answered} requests were answered 2xx: {by_status:?}"
    );

    for (i, op) in SESSION_ENDING.iter().enumerate() {
        let own = sign_up(&app, &format!("ending{i}@clinique.test"), "fr").await;
        let only = ["--include-operation-id".to_string(), id(op)];
        let har = run(&st, &app, &own.token, &only).await;
        println!("{op:?}: requests by status: {:?}", statuses(&har).0);
    }
}
