//! An idle open tab locks (issue 13, item 8), in a real headless Chromium:
//! the page stays open and polls (the bell), the server's clock runs past
//! the idle delay, and the tab shows the lock screen by itself — the polls
//! are background requests and do not keep the session awake. Unlocking
//! with the PIN gives the device a new token (item 6) and the page goes on
//! working with its new CSRF token. `CERCLE_SKIP_BROWSER=1` skips it.

use crate::helpers::{sign_in_pages, sign_up_named, PIN};
use cercle_domain::Language;
use cercle_testkit::browser::Browser;
use cercle_testkit::{Db, TestApp};
use std::time::{Duration, Instant};

/// A short idle delay for the test (the configuration file allows 60 s at
/// least; the test kit sets the value directly), longer than the 15 s
/// between two records of activity so that polls, if they counted, would
/// keep the session open.
const IDLE_SECS: i64 = 20;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_open_tab_locks_by_itself() {
    if cercle_testkit::browser::skipped() {
        return;
    }
    let app = TestApp::spawn_with(Db::Sqlite, |c| c.idle_lock_secs = IDLE_SECS).await;
    let p = sign_up_named(&app, "ines@veille.test", "Inès Veilleux", "fr").await;
    let Some(br) = Browser::launch(&app.url, Language::Fr).await else {
        return;
    };
    sign_in_pages(&app, &br, &p.email, 1).await;
    br.goto("/").await;
    br.wait_for("a[data-testid=nav-notifications]").await;

    // Nobody touches the page. The server's clock moves 4 s at a time and
    // the bell polls after each step (the test sets the poll's pace by
    // telling the page it is in view again, which is what refreshes the
    // bell besides its timer, so that it need not wait for that timer):
    // polls 4 s apart, if they counted as activity, would keep the session
    // open for ever. They must not: the tab shows the lock screen by itself.
    let started = Instant::now();
    let locked_after = loop {
        let lock_form = br.find("form[action='/lock']").await.ok().flatten().is_some();
        if lock_form && br.current_path().await == "/lock" {
            break started.elapsed();
        }
        if started.elapsed() > Duration::from_secs(15) {
            br.fail("the idle tab never showed the lock screen").await;
        }
        app.advance(4);
        let _ = br
            .execute("document.dispatchEvent(new Event('visibilitychange'));", vec![])
            .await;
        tokio::time::sleep(Duration::from_millis(400)).await;
    };
    eprintln!("idle tab: lock screen shown {locked_after:?} (real time) after the last page load");
    br.assert_text("Inès Veilleux").await;
    br.shoot("idle-lock").await;

    // The PIN opens it again; the device has a new token and the page's
    // forms carry the matching CSRF token (locking by hand works).
    br.fill("#f-pin", PIN).await;
    br.submit_form("form[action='/lock']").await;
    br.wait_for_path("/").await;
    br.wait_for("a[data-testid=nav-notifications]").await;
    br.submit_form("form[action='/lock-now']").await;
    br.wait_for_path("/lock").await;
    br.wait_for("form[action='/lock']").await;
    br.quit().await;
}
