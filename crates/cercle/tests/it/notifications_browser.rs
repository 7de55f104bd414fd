//! The notification centre in a real headless Chromium: the bell shows the
//! unread count, the centre lists a generic text (no patient data), opening
//! it leads to the thread and reads it; the thread's mute button, and the
//! preferences page (email alert delay, muted threads). `CERCLE_SKIP_BROWSER=1`
//! skips it.

use crate::helpers::sign_in_pages;
use crate::threads_api::{clinical_thread, team};
use cercle_domain::Language;
use cercle_i18n::t;
use cercle_testkit::browser::Browser;
use cercle_testkit::{Db, TestApp};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_bell_the_centre_mute_and_preferences() {
    if cercle_testkit::browser::skipped() {
        return;
    }
    let app = TestApp::spawn(Db::Sqlite).await;
    let (a, b, _c) = team(&app).await;
    let thread = clinical_thread(&app, &a, &[&b], "Escarre au sacrum").await;
    let (status, m) = app
        .post(
            &format!("/threads/{thread}/messages"),
            Some(&a.token),
            json!({ "body": "Escarre au sacrum de M. Lévesque : stade 2" }),
        )
        .await;
    assert_eq!(status, 201, "{m}");

    let fr = Language::Fr;
    let Some(br) = Browser::launch(&app.url, fr).await else {
        return;
    };
    sign_in_pages(&app, &br, &b.email, 1).await;
    br.goto("/").await;
    br.wait_for("[data-testid=notif-badge]").await;
    assert_eq!(br.text("[data-testid=notif-badge]").await.trim(), "1");

    // The centre: a generic text, no patient name nor content.
    br.click_and_load("a[data-testid=nav-notifications]").await;
    br.wait_for_path("/notifications").await;
    let list = br.text("[data-testid=notifications]").await;
    assert!(list.contains(&t(fr, "notif-message-clinical")), "{list}");
    for secret in ["Lévesque", "Gérard", "Escarre", "sacrum"] {
        assert!(!list.contains(secret), "the centre shows {secret:?}: {list}");
    }
    br.wait_for("li.notif-item.unread").await;
    br.shoot("notifications-centre").await;

    // Opening it leads to the thread, which reads it.
    br.click_and_load("li.notif-item .notif-open").await;
    br.wait_for_path(&format!("/threads/{thread}")).await;
    br.wait_for("[data-testid=messages]").await;
    br.wait_until("the notification read", async || {
        let (_, u) = app.get("/notifications/unread", Some(&b.token)).await;
        (u["unread"] == 0).then_some(())
    })
    .await;

    // Mute from the thread page.
    br.wait_for("[data-testid=thread-mute][data-muted=false]").await;
    br.click_and_load("[data-testid=mute-toggle]").await;
    br.wait_for("[data-testid=thread-mute][data-muted=true]").await;
    br.assert_text(&t(fr, "notif-muted-flash")).await;
    br.shoot("notifications-thread-muted").await;

    // Preferences: the muted thread is listed; the delay is saved.
    br.goto("/notifications/preferences").await;
    br.wait_for("[data-testid=notif-prefs]").await;
    let muted = br.text("[data-testid=notif-muted]").await;
    assert!(muted.contains("Escarre au sacrum"), "{muted}");
    br.select("[data-testid=notif-delay]", "60").await;
    br.click("[data-testid=notif-email]").await;
    br.click_and_load("[data-testid=notif-save]").await;
    br.wait_for_path("/notifications/preferences").await;
    br.assert_text(&t(fr, "notif-prefs-saved")).await;
    let (_, p) = app.get("/notifications/preferences", Some(&b.token)).await;
    assert_eq!(
        (p["email_alerts"].as_bool(), p["email_delay_mins"].as_i64()),
        (Some(false), Some(60)),
        "{p}"
    );
    br.shoot("notifications-preferences").await;
    // Unmute from the preferences page.
    br.click_and_load("[data-testid=notif-muted] button").await;
    br.wait_for_path("/notifications/preferences").await;
    br.assert_text(&t(fr, "notif-prefs-muted-none")).await;
    br.quit().await;
}
