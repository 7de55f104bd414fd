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
];

/// Test cases per operation and phase: enough to meet the edges of every
/// schema, few enough for two cores (the whole run takes a few minutes).
const MAX_EXAMPLES: &str = "8";

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
async fn run(st: &PathBuf, app: &TestApp, token: &str, filter: &[String]) {
    let mut cmd = tokio::process::Command::new(st);
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
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemathesis_finds_no_server_error_and_no_schema_violation() {
    let Some(st) = schemathesis() else { return };
    let app = TestApp::spawn(Db::Sqlite).await;
    let person = sign_up(&app, "schema@clinique.test", "en").await;
    let id = |(method, path): &(&str, &str)| cercle_web::api::openapi::operation_id(&method.to_ascii_lowercase(), path);
    let mut exclude = Vec::new();
    for op in SESSION_ENDING {
        exclude.push("--exclude-operation-id".to_string());
        exclude.push(id(op));
    }
    run(&st, &app, &person.token, &exclude).await;

    for (i, op) in SESSION_ENDING.iter().enumerate() {
        let own = sign_up(&app, &format!("ending{i}@clinique.test"), "fr").await;
        let only = ["--include-operation-id".to_string(), id(op)];
        run(&st, &app, &own.token, &only).await;
    }
}
