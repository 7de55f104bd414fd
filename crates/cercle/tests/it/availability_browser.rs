//! My availability in real headless Chromiums (SPEC 9): a weekly schedule
//! set from the /availability page (an overlapping slot refused with a
//! translated message), an inverted then an overlapping absence refused on
//! the page and nothing stored, an absence with a return date and a message
//! → a colleague, in English, reads "Absent until …" on her profile.
//! `CERCLE_SKIP_BROWSER=1` skips it.

use crate::helpers::{id_of, org_with_members, sign_in_pages, sign_up_named};
use cercle_domain::local_time::{LocalTime, Zone};

/// A moment as the pages show it to a reader in Montreal (the default zone).
fn format_local(unix_ms: i64, lang: cercle_domain::Language) -> String {
    LocalTime::new(lang, Zone::montreal()).date_time(unix_ms)
}
use cercle_domain::Language;
use cercle_i18n::{t, ta};
use cercle_testkit::browser::Browser;
use cercle_testkit::{Db, TestApp};
use serde_json::json;

const MESSAGE: &str = "En congrès à Québec — Dre Lavoie me remplace";

/// A Montreal day `days` after today, as a date field takes it, and the
/// instant of its midnight.
fn day_from_today(app: &TestApp, days: i64) -> (String, i64) {
    let zone = Zone::montreal();
    let (y, m, d) = zone.date_of(app.ctx().clock.now().0);
    // Noon moved by whole days stays on the right date across a change of hour.
    let noon = zone.to_utc_ms(y, m, d, 12 * 60).expect("today exists");
    let (y, m, d) = zone.date_of(noon + days * 86_400_000);
    (
        format!("{y:04}-{m:02}-{d:02}"),
        zone.to_utc_ms(y, m, d, 0).expect("the day exists"),
    )
}

/// Sets a field's value as its picker would (date and time fields do not
/// take typed text the same way in every locale).
async fn set_value(b: &Browser, css: &str, value: &str) {
    b.wait_for(css).await;
    let set = b
        .execute(
            "const e = document.querySelector(arguments[0]); e.value = arguments[1]; \
             e.dispatchEvent(new Event('input', { bubbles: true })); return e.value;",
            vec![json!(css), json!(value)],
        )
        .await;
    if set.ok() != Some(json!(value)) {
        b.fail(&format!("`{css}` did not take {value:?}")).await;
    }
}

/// Adds a slot of the weekly schedule through the form: saved (back to
/// /availability) or refused (the page again, at the form's address).
async fn add_slot(b: &Browser, day: &str, start: &str, end: &str, saved: bool) {
    b.select("#avail-day", day).await;
    set_value(b, "#avail-start", start).await;
    set_value(b, "#avail-end", end).await;
    b.submit_form("form[action='/availability/slots']").await;
    b.wait_for_path(if saved { "/availability" } else { "/availability/slots" })
        .await;
}

/// Adds an absence through the form (as [`add_slot`]).
async fn add_period(b: &Browser, from: &str, until: &str, message: &str, saved: bool) {
    set_value(b, "#avail-from", from).await;
    set_value(b, "#avail-return", until).await;
    b.fill("#avail-message", message).await;
    b.submit_form("form[action='/availability/periods']").await;
    b.wait_for_path(if saved {
        "/availability"
    } else {
        "/availability/periods"
    })
    .await;
}

/// The text of the elements matching `css`.
async fn texts(b: &Browser, css: &str) -> String {
    b.execute(
        "return [...document.querySelectorAll(arguments[0])].map((e) => e.innerText).join('\\n');",
        vec![json!(css)],
    )
    .await
    .ok()
    .and_then(|v| v.as_str().map(str::to_string))
    .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn schedule_and_absence_from_the_page_then_a_colleague_sees_absent_until() {
    if cercle_testkit::browser::skipped() {
        return;
    }
    let app = TestApp::spawn(Db::Sqlite).await;
    let marie = sign_up_named(&app, "marie@vieux-port.test", "Marie Tremblay", "fr").await;
    let jean = sign_up_named(&app, "jean@vieux-port.test", "Jean Gagnon", "en").await;
    org_with_members(&app, "Clinique du Vieux-Port", &[&marie, &jean]).await;
    let marie_id = id_of(&app, &marie).await;
    let fr = Language::Fr;

    // ---- Marie, in French, sets her week.
    let Some(b) = Browser::launch(&app.url, fr).await else {
        return;
    };
    sign_in_pages(&app, &b, &marie.email, 1).await;
    b.goto("/availability").await;
    b.wait_for_path("/availability").await;
    b.assert_text(&t(fr, "avail-schedule-empty")).await;
    add_slot(&b, "1", "08:00", "12:00", true).await;
    b.assert_text(&t(fr, "avail-saved")).await;
    add_slot(&b, "3", "13:00", "17:30", true).await;
    let week = texts(&b, "#schedule li").await;
    assert!(
        week.contains(&format!("{} 08:00 – 12:00", t(fr, "avail-day-1"))),
        "{week}"
    );
    assert!(
        week.contains(&format!("{} 13:00 – 17:30", t(fr, "avail-day-3"))),
        "{week}"
    );
    // A slot overlapping Monday morning is refused, in French, on the page.
    add_slot(&b, "1", "11:00", "14:00", false).await;
    let refused = texts(&b, "#schedule .notice.error").await;
    assert_eq!(refused, t(fr, "error-availability-slots-overlap"));
    assert_eq!(texts(&b, "#schedule li").await, week, "the schedule stayed");
    let (_, s) = app.get("/availability/schedule", Some(&marie.token)).await;
    assert_eq!(
        s["slots"],
        json!([{ "day": 1, "start": 480, "end": 720 }, { "day": 3, "start": 780, "end": 1050 }]),
        "{s}"
    );

    // ---- Her absences: an inverted one is refused, translated.
    let (today, _) = day_from_today(&app, 0);
    let (in_two_days, _) = day_from_today(&app, 2);
    let (back, back_ms) = day_from_today(&app, 3);
    let (in_five_days, _) = day_from_today(&app, 5);
    b.assert_text(&t(fr, "avail-periods-empty")).await;
    add_period(&b, &in_five_days, &in_two_days, "À l'envers", false).await;
    assert_eq!(
        texts(&b, "#periods .notice.error").await,
        t(fr, "error-availability-period-inverted")
    );
    b.assert_text(&t(fr, "avail-periods-empty")).await;
    // Nothing typed is lost: the refused form comes back filled in.
    let kept = b
        .execute(
            "return ['#avail-from', '#avail-return', '#avail-message'].map((c) => document.querySelector(c).value);",
            vec![],
        )
        .await
        .expect("values");
    assert_eq!(kept, json!([in_five_days, in_two_days, "À l'envers"]));
    // From today, back in three days, with a message: running now.
    add_period(&b, &today, &back, MESSAGE, true).await;
    b.assert_text(&t(fr, "avail-saved")).await;
    let listed = texts(&b, "#periods li").await;
    assert!(listed.contains(MESSAGE), "{listed}");
    assert!(listed.contains(&format_local(back_ms, fr)), "{listed}");
    assert!(listed.contains(&t(fr, "avail-current")), "{listed}");
    // One overlapping it is refused too.
    add_period(&b, &in_two_days, &in_five_days, "Chevauche", false).await;
    assert_eq!(
        texts(&b, "#periods .notice.error").await,
        t(fr, "error-availability-periods-overlap")
    );
    let (_, list) = app.get("/availability/periods", Some(&marie.token)).await;
    let stored = list["periods"].as_array().expect("periods");
    assert_eq!(stored.len(), 1, "{list}");
    assert_eq!(stored[0]["ends_at"], back_ms, "{list}");
    assert_eq!(stored[0]["message"], MESSAGE, "{list}");
    b.shoot("availability").await;
    let errors = b.console_errors().await.expect("browser log");
    assert!(errors.is_empty(), "console errors on /availability: {errors:#?}");

    // ---- Jean, a colleague reading in English, sees her away on her profile.
    let en = Language::En;
    let Some(j) = Browser::launch(&app.url, en).await else {
        return;
    };
    sign_in_pages(&app, &j, &jean.email, 1).await;
    j.goto(&format!("/network/people/{marie_id}")).await;
    j.wait_for("[data-testid=profile-name]").await;
    let absent = j.text("[data-testid=absent-until]").await;
    let date = format_local(back_ms, en);
    assert_eq!(
        absent,
        format!("{} — {MESSAGE}", ta(en, "avail-absent-until", &[("date", &date)]))
    );
    assert!(absent.starts_with("Absent until"), "{absent}");
    j.shoot("availability-profile").await;

    b.quit().await;
    j.quit().await;
}
