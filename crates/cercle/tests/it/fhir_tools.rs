//! The FHIR directory checked by real FHIR tools from PyPI
//! (`scripts/fhir_check.py`): every resource validated against the R4
//! models of `fhir.resources` 6.4.0, and searched, paged and read with the
//! `fhirpy` 2.3.1 client, over the demo network.
//!
//! `scripts/test.sh` installs them (pinned) into `~/.cache/cercle-fhir-tools`;
//! `CERCLE_FHIR_PYTHON` points at another Python that has them;
//! `CERCLE_SKIP_FHIR_TOOLS=1` skips this test, listed as SKIPPED.

use crate::fhir_api::demo_token;
use cercle_testkit::{Db, TestApp};
use std::path::PathBuf;
use std::time::Duration;

/// Longest the script may take before the test fails.
const RUN_TIMEOUT: Duration = Duration::from_secs(300);

fn python() -> Option<PathBuf> {
    if std::env::var("CERCLE_SKIP_FHIR_TOOLS").is_ok_and(|v| v == "1") {
        cercle_testkit::report_skipped("CERCLE_SKIP_FHIR_TOOLS=1 (fhir.resources and fhirpy not run)");
        return None;
    }
    if let Ok(path) = std::env::var("CERCLE_FHIR_PYTHON") {
        return Some(PathBuf::from(path));
    }
    let default = PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cache/cercle-fhir-tools/bin/python");
    if default.exists() {
        return Some(default);
    }
    panic!(
        "the FHIR tools are needed: run scripts/test.sh (it installs them), or \
         `python3 -m venv ~/.cache/cercle-fhir-tools && ~/.cache/cercle-fhir-tools/bin/pip install \
         fhir.resources==6.4.0 pydantic==1.10.27 fhirpy==2.3.1`, \
         or set CERCLE_SKIP_FHIR_TOOLS=1 to skip this test"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fhir_tools_validate_and_search_the_directory() {
    let Some(python) = python() else { return };
    let app = TestApp::spawn(Db::Sqlite).await;
    assert!(cercle_app::demo::seed(app.ctx()).await.expect("seed"));
    let token = demo_token(&app, "marie.tremblay@demo.cercle.test").await;
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scripts/fhir_check.py");
    let mut cmd = tokio::process::Command::new(&python);
    cmd.arg(&script)
        .arg("--base")
        .arg(format!("{}/fhir", app.url))
        // `--token=…`, one argument: a token may begin with `-`, which
        // argparse would otherwise take for an option.
        .arg(format!("--token={token}"))
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .kill_on_drop(true);
    let out = tokio::time::timeout(RUN_TIMEOUT, cmd.output())
        .await
        .expect("fhir_check.py finishes in time")
        .expect("fhir_check.py starts");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}");
    eprintln!("{stderr}");
    assert!(out.status.success(), "fhir_check.py failed:\n{stderr}");
    let line = stdout.lines().last().expect("a summary line");
    let report: serde_json::Value = serde_json::from_str(line).expect("summary JSON");
    let names = |t: &str| -> Vec<String> {
        report["summary"][t]
            .as_array()
            .expect("a list")
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect()
    };
    assert_eq!(
        names("Practitioner"),
        [
            "Daniel Okafor",
            "Dre Marie Tremblay",
            "Jean-François Côté",
            "Louise Gagnon",
            "Sophie Roy"
        ],
        "the restricted social worker and the patient stay hidden"
    );
    assert_eq!(names("Organization").len(), 2);
    assert_eq!(names("Location").len(), 5);
    assert_eq!(names("HealthcareService").len(), 3);
    assert_eq!(names("PractitionerRole").len(), 5);
    assert!(
        report["validated"].as_u64().is_some_and(|n| n >= 40),
        "resources validated: {report}"
    );
}
