//! Accessibility and layout of every page (issue 14, items 8 and 9), in a
//! real headless Chromium: each role (a professional, an organization's
//! administrator, a patient, a caregiver, and someone signing up) walks
//! every page it can reach by its links, in French and in English, and on
//! each page:
//! - axe-core finds no violation (WCAG 2.0/2.1 A and AA, and 2.2 target
//!   size) at 1280 and 375 px, with the page's own `<details>` opened;
//! - no two elements share an id, and the title says what the page is;
//! - every control of the header is on screen and not covered (1280 and
//!   375 px), and the header stays compact on a phone;
//! - nothing scrolls sideways at 375 and 320 px.
//!
//! Every problem of every page is listed before the test fails. One browser
//! per role; the window size and the language change in place.
//! `CERCLE_SKIP_BROWSER=1` skips them; axe-core comes from `scripts/test.sh`.

use crate::browser::subject_of;
use crate::circle_api::{join_circle, manager_and_file};
use crate::helpers::{sign_in_pages, PASSWORD, PIN};
use crate::home_pages::with_content;
use cercle_domain::Language;
use cercle_testkit::browser::Browser;
use cercle_testkit::{find_code, Db, TestApp};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// At most this many kinds of page per role (a bound on the run time).
const MAX_PAGES: usize = 70;
/// The header's height on a 375 px phone, at most.
const PHONE_HEADER_MAX: i64 = 116;

/// A page's path reduced to its kind: ids become `:id`, and query values
/// that are not words become `:v` (`/threads/9f3…?box=closed` is
/// `/threads/:id?box=closed`).
fn shape(url: &str) -> String {
    let (path, query) = url.split_once('?').unwrap_or((url, ""));
    let id_like = |s: &str| s.len() >= 20 || (s.len() >= 8 && s.chars().any(|c| c.is_ascii_digit()));
    let mut out: Vec<String> = path
        .split('/')
        .map(|s| if id_like(s) { ":id".to_string() } else { s.to_string() })
        .collect();
    let mut keys: Vec<String> = query
        .split('&')
        .filter(|kv| !kv.is_empty())
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            let word = v.len() <= 16 && v.chars().all(|c| c.is_ascii_alphabetic() || c == '-' || c == '_');
            format!("{k}={}", if word { v } else { ":v" })
        })
        .collect();
    keys.sort();
    keys.dedup();
    if !keys.is_empty() {
        let last = out.pop().unwrap_or_default();
        out.push(format!("{last}?{}", keys.join("&")));
    }
    out.join("/")
}

/// Links of the page to other pages of the application (same origin, no
/// file, no download).
async fn links(b: &Browser) -> Vec<String> {
    let v = b
        .execute(
            "return [...document.querySelectorAll('a[href]')] \
               .filter((a) => !a.hasAttribute('download') && a.origin === location.origin) \
               .map((a) => a.pathname + a.search);",
            vec![],
        )
        .await
        .unwrap_or(Value::Null);
    let skip = |p: &str| {
        p.starts_with("/static/")
            || p.starts_with("/api/")
            || p.starts_with("/sw.js")
            || p.starts_with("/manifest")
            || p.contains(".pdf")
            || p.contains(".csv")
            || p.starts_with("/threads/files/")
            || p.ends_with("/thumb")
            || p.ends_with("/proof")
            || (p.ends_with("/photo") && p.starts_with("/network/people/"))
    };
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|l| l.as_str())
                .filter(|l| !skip(l))
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// Whether `path` answers with an HTML page (asked from the page itself,
/// with its cookies), so that files are never opened as pages.
async fn is_page(b: &Browser, path: &str) -> bool {
    let v = b
        .execute(
            "return fetch(arguments[0], { credentials: 'same-origin' }) \
               .then((r) => (r.headers.get('content-type') || '').startsWith('text/html')) \
               .catch(() => false);",
            vec![json!(path)],
        )
        .await;
    v.ok() == Some(json!(true))
}

/// Opens a path and waits until it has loaded.
async fn open(b: &Browser, path: &str) {
    b.goto(path).await;
    b.wait_until(&format!("{path} loaded"), async || {
        let v = b.execute("return document.readyState;", vec![]).await.ok()?;
        (v == json!("complete")).then_some(())
    })
    .await;
}

/// The checks of the page as it is, besides axe (ids, title, header,
/// sideways scroll), each problem as a line.
const PAGE_CHECKS: &str = r#"
window.scrollTo(0, 0);
const problems = [];
const w = document.documentElement.clientWidth;
const ids = {};
for (const e of document.querySelectorAll('[id]')) { ids[e.id] = (ids[e.id] || 0) + 1; }
for (const [id, n] of Object.entries(ids)) { if (n > 1) problems.push(`id "${id}" is used ${n} times`); }
const title = document.title;
const sep = ' · ';
const name = title.includes(sep) ? title.slice(0, title.lastIndexOf(sep)).trim() : '';
if (!title.endsWith(sep + 'Cercle') || name === '' || name === 'Cercle') problems.push(`the title does not say what the page is: "${title}"`);
const scroller = document.scrollingElement;
if (scroller.scrollWidth > scroller.clientWidth) problems.push(`scrolls sideways at ${w} px (${scroller.scrollWidth} > ${scroller.clientWidth})`);
const header = document.querySelector('header.topbar');
if (header) {
  const hidden = (e) => { const d = e.closest('details'); return d && !d.open && !(e.tagName === 'SUMMARY' && e.parentElement === d); };
  const shown = (e) => !!e && e.getClientRects().length > 0;
  // The "more" menu's button shows when some entries are in it, and only then.
  const more = header.querySelector('.nav-more > summary');
  const extras = [...header.querySelectorAll('.mainnav > a.nav-extra, .mainnav > a.nav-narrow-extra')];
  if (more && shown(more) !== extras.some((x) => !shown(x))) problems.push('the navigation hides entries without its "more" button, or shows the button for nothing');
  for (const e of header.querySelectorAll('a[href], button, summary, select, input:not([type=hidden])')) {
    if (hidden(e)) continue;
    if ((e === more && !extras.some((x) => !shown(x))) || (extras.includes(e) && !shown(e) && shown(more))) continue;
    const label = (e.innerText || e.getAttribute('aria-label') || e.title || e.outerHTML.slice(0, 60)).trim().replace(/\s+/g, ' ');
    const r = e.getBoundingClientRect();
    if (r.width < 1 || r.height < 1) { problems.push(`header control "${label}" is not shown`); continue; }
    if (r.left < -0.5 || r.right > w + 0.5 || r.top < -0.5) { problems.push(`header control "${label}" is outside the window (${Math.round(r.left)}–${Math.round(r.right)} of ${w} px)`); continue; }
    const y = r.top + r.height / 2;
    for (const x of [r.left + 3, r.left + r.width / 2, r.right - 3]) {
      const at = document.elementFromPoint(x, y);
      if (!at || !(e === at || e.contains(at))) {
        problems.push(`header control "${label}" is covered at x=${Math.round(x)} by ${at ? at.tagName.toLowerCase() + (at.className ? '.' + String(at.className).split(' ')[0] : '') : 'nothing'}`);
        break;
      }
    }
  }
  if (w <= 400 && header.getBoundingClientRect().height > arguments[0]) problems.push(`the header is ${Math.round(header.getBoundingClientRect().height)} px tall at ${w} px`);
}
return problems;
"#;

async fn page_problems(b: &Browser) -> Vec<String> {
    match b.execute(PAGE_CHECKS, vec![json!(PHONE_HEADER_MAX)]).await {
        Ok(v) => v
            .as_array()
            .map(|a| a.iter().filter_map(|p| p.as_str().map(str::to_string)).collect())
            .unwrap_or_default(),
        Err(e) => vec![format!("the page checks did not run: {e}")],
    }
}

/// Opens the page's own `<details>` (not the header's menus), so that what
/// they hold is checked too; then goes to the end of the page, where a
/// thread opens and its sticky composer covers nothing.
async fn open_details(b: &Browser) {
    let _ = b
        .execute(
            "document.querySelectorAll('main details').forEach((d) => { d.open = true; }); \
             window.scrollTo(0, document.scrollingElement.scrollHeight); return true;",
            vec![],
        )
        .await;
}

/// Every check of the page now, at 1280, 375 and 320 px; problems go to
/// `report` under `what`.
async fn check_here(b: &Browser, what: &str, report: &mut BTreeMap<String, Vec<String>>) {
    let mut found = Vec::new();
    for width in [1280, 375, 320] {
        b.resize(width, 900).await;
        for p in page_problems(b).await {
            found.push(format!("{width} px: {p}"));
        }
        if let Ok(dir) = std::env::var("CERCLE_SCREENSHOTS") {
            let name: String = what
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
                .take(80)
                .collect();
            if let Ok(png) = b.screenshot().await {
                let _ = std::fs::create_dir_all(&dir);
                let _ = std::fs::write(format!("{dir}/a11y-{name}-{width}.png"), png);
            }
        }
        if width == 320 {
            continue;
        }
        open_details(b).await;
        match b.axe().await {
            Ok(v) => {
                for violation in v {
                    found.push(format!("{width} px: axe {}", violation.to_string().trim_end()));
                }
            }
            Err(e) => found.push(format!("{width} px: axe did not run: {e}")),
        }
    }
    b.resize(1280, 900).await;
    if !found.is_empty() {
        report.entry(what.to_string()).or_default().extend(found);
    }
}

/// Switches the page's language with the header's button, staying on the page.
async fn switch_language(b: &Browser) {
    b.submit_form("header form.langswitch").await;
}

/// Walks every page reachable from `start` by links (one page per kind,
/// at most [`MAX_PAGES`]) and checks each; gives the pages walked.
async fn walk(b: &Browser, role: &str, start: &str, report: &mut BTreeMap<String, Vec<String>>) -> Vec<String> {
    let mut queue = vec![start.to_string()];
    let mut seen: Vec<String> = Vec::new();
    let mut walked = Vec::new();
    let mut titles: BTreeMap<String, Vec<String>> = BTreeMap::new();
    while let Some(path) = (!queue.is_empty()).then(|| queue.remove(0)) {
        if seen.len() >= MAX_PAGES {
            break;
        }
        let kind = shape(&path);
        if seen.contains(&kind) {
            continue;
        }
        seen.push(kind.clone());
        if path != start && !is_page(b, &path).await {
            continue;
        }
        open(b, &path).await;
        let landed = b
            .execute("return location.pathname + location.search;", vec![])
            .await
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        if shape(&landed) != kind && seen.contains(&shape(&landed)) {
            continue;
        }
        seen.push(shape(&landed));
        let title = b
            .execute("return document.title;", vec![])
            .await
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        // Pages of one kind filtered differently (`?view=`) share a title.
        let kind_path = shape(&landed).split('?').next().unwrap_or_default().to_string();
        titles.entry(title).or_default().push(kind_path);
        check_here(b, &format!("{role} {} {landed}", b_lang(b).await), report).await;
        walked.push(landed);
        for l in links(b).await {
            if !seen.contains(&shape(&l)) && !queue.iter().any(|q| shape(q) == shape(&l)) {
                queue.push(l);
            }
        }
    }
    for (title, kinds) in titles {
        let mut distinct = kinds.clone();
        distinct.sort();
        distinct.dedup();
        if distinct.len() > 1 {
            report
                .entry(format!("{role}: page titles"))
                .or_default()
                .push(format!("\"{title}\" is the title of {}", distinct.join(", ")));
        }
    }
    walked
}

/// The page's language (`<html lang>`).
async fn b_lang(b: &Browser) -> String {
    b.execute("return document.documentElement.lang;", vec![])
        .await
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// Walks every page from `start` in the browser's language, then again in
/// the other language (switched with the header's button).
async fn walk_both_languages(b: &Browser, role: &str, start: &str, report: &mut BTreeMap<String, Vec<String>>) {
    let walked = walk(b, role, start, report).await;
    assert!(walked.len() > 1, "{role}: only {walked:?} walked");
    open(b, start).await;
    let first = b_lang(b).await;
    switch_language(b).await;
    let other = b_lang(b).await;
    assert_ne!(other, first, "{role}: the language switched");
    for path in &walked {
        open(b, path).await;
        check_here(b, &format!("{role} {other} {path}"), report).await;
    }
    eprintln!("{role}: {} pages, each in both languages", walked.len());
}

fn fail_on(report: BTreeMap<String, Vec<String>>) {
    if report.is_empty() {
        return;
    }
    let mut text = String::new();
    for (page, problems) in &report {
        text.push_str(&format!("\n{page}:\n"));
        for p in problems {
            text.push_str(&format!("  {p}\n"));
        }
    }
    panic!("{} page(s) with problems:{text}", report.len());
}

/// Walks every page of one person of the teams setup (with its threads,
/// patient file, friend request and directory) in both languages.
async fn every_page_of(role: &str, who: impl Fn(&crate::teams_api::Setup) -> String) {
    if cercle_testkit::browser::skipped() {
        return;
    }
    let app = TestApp::spawn(Db::Sqlite).await;
    let s = with_content(&app).await;
    let mut report = BTreeMap::new();
    let Some(b) = Browser::launch(&app.url, Language::Fr).await else {
        return;
    };
    sign_in_pages(&app, &b, &who(&s), 1).await;
    walk_both_languages(&b, role, "/", &mut report).await;
    b.quit().await;
    fail_on(report);
}

/// A professional: a team manager with threads, a patient file, a friend
/// request.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_of_a_professional_is_accessible() {
    every_page_of("professional", |s| s.manager.email.clone()).await;
}

/// The organization's administrator (the administration's pages too).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_of_an_administrator_is_accessible() {
    every_page_of("administrator", |_| "admin@fleuve.test".to_string()).await;
}

/// A patient and a caregiver of a care team with a thread.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_of_patients_and_caregivers_is_accessible() {
    if cercle_testkit::browser::skipped() {
        return;
    }
    let app = TestApp::spawn(Db::Sqlite).await;
    let (_org, manager, file) = manager_and_file(&app).await;
    let (patient, member) = join_circle(&app, &manager, &file, "patient", "gerard@maison.test").await;
    let (caregiver, helper) = join_circle(&app, &manager, &file, "responsible", "lea@maison.test").await;
    let (status, c) = app
        .post(
            &format!("/patient-files/{file}/channels"),
            Some(&manager.token),
            json!({ "title": "Soins à domicile des Érables", "participants": [
                { "kind": "circle", "id": member }, { "kind": "circle", "id": helper } ] }),
        )
        .await;
    assert_eq!(status, 201, "{c}");
    let channel = c["id"].as_str().expect("channel id").to_string();
    let (status, t) = app
        .post(
            &format!("/channels/{channel}/threads"),
            Some(&manager.token),
            json!({ "title": "Votre visite de jeudi", "body": "Bonjour, l'infirmière passera jeudi vers 10 h." }),
        )
        .await;
    assert_eq!(status, 201, "{t}");
    let mut report = BTreeMap::new();
    for (role, email, lang) in [
        ("patient", patient.email.as_str(), Language::Fr),
        ("caregiver", caregiver.email.as_str(), Language::En),
    ] {
        let Some(b) = Browser::launch(&app.url, lang).await else {
            return;
        };
        sign_in_pages(&app, &b, email, 1).await;
        walk_both_languages(&b, role, "/", &mut report).await;
        b.quit().await;
    }
    fail_on(report);
}

/// The pages before one is signed in: sign-in, sign-up and each step of
/// it, the lock screen, the accounts of the device, forgotten password,
/// and the phone's page of instant mobile connect (with a code shown before).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sign_in_and_sign_up_pages_are_accessible() {
    if cercle_testkit::browser::skipped() {
        return;
    }
    let app = TestApp::spawn(Db::Sqlite).await;
    let mut report = BTreeMap::new();
    for lang in [Language::Fr, Language::En] {
        let Some(b) = Browser::launch(&app.url, lang).await else {
            return;
        };
        let email = format!("nouvelle-{}@exemple.test", lang.code());
        let l = lang.code();
        open(&b, "/sign-in").await;
        check_here(&b, &format!("public {l} /sign-in"), &mut report).await;
        for l2 in links(&b).await {
            if shape(&l2) != "/sign-in" && is_page(&b, &l2).await {
                open(&b, &l2).await;
                check_here(&b, &format!("public {l} {l2}"), &mut report).await;
            }
        }
        open(&b, "/sign-up").await;
        check_here(&b, &format!("public {l} /sign-up"), &mut report).await;
        b.fill("#f-name", "Nora Nouvelle").await;
        b.fill("#f-email", &email).await;
        b.fill("#f-password", PASSWORD).await;
        b.submit_form("form[action='/sign-up']").await;
        b.wait_for_path("/code").await;
        check_here(&b, &format!("public {l} /code"), &mut report).await;
        // The code field has the focus.
        let focused = b
            .execute("return document.activeElement && document.activeElement.id;", vec![])
            .await
            .expect("focus");
        if focused != json!("f-code") {
            report
                .entry(format!("public {l} /code"))
                .or_default()
                .push(format!("the code field does not take the focus ({focused})"));
        }
        let mail = app
            .smtp
            .wait_subject(&email, &subject_of(lang, "email-signup-code-subject"), 0)
            .await;
        b.fill("#f-code", &find_code(&mail.body).expect("code")).await;
        b.submit_form("form[action='/code']").await;
        b.wait_for_path("/setup/terms").await;
        check_here(&b, &format!("public {l} /setup/terms"), &mut report).await;
        b.submit_form("form[action='/setup/terms']").await;
        check_here(&b, &format!("public {l} /setup/recovery"), &mut report).await;
        b.click_and_load("main a.button.primary").await;
        b.wait_for_path("/setup/pin").await;
        check_here(&b, &format!("public {l} /setup/pin"), &mut report).await;
        b.fill("#f-pin", PIN).await;
        b.fill("#f-pin_confirm", PIN).await;
        b.submit_form("form[action='/setup/pin']").await;
        b.wait_for_path("/").await;
        // Someone without any organization yet: their home and pages.
        let walked = walk(&b, &format!("new person {l}"), "/", &mut report).await;
        assert!(walked.len() > 3, "{walked:?}");
        // Connecting a phone: the code shown, and the phone's page saying
        // why a bad link opens nothing.
        open(&b, "/security/connect").await;
        b.submit_form("form[action='/security/connect']").await;
        b.wait_for("[data-testid=connect-link]").await;
        check_here(&b, &format!("public {l} /security/connect (a code shown)"), &mut report).await;
        open(&b, "/connect#not-a-code").await;
        b.wait_for(".notice.error[data-testid=connect-phone-status]").await;
        check_here(&b, &format!("public {l} /connect"), &mut report).await;
        // The lock screen, then the accounts of this device.
        open(&b, "/").await;
        b.click("details.account > summary").await;
        b.click_and_load("details.account form[action='/lock-now'] button")
            .await;
        b.wait_for_path("/lock").await;
        check_here(&b, &format!("public {l} /lock"), &mut report).await;
        b.quit().await;
    }
    fail_on(report);
}

/// Presses a key on whatever has the focus (W3C actions).
async fn press(b: &Browser, key: &str) {
    let actions = json!({ "actions": [{ "type": "key", "id": "keyboard", "actions": [
        { "type": "keyDown", "value": key }, { "type": "keyUp", "value": key } ] }] });
    if let Err(e) = b.cmd(reqwest::Method::POST, "/actions", Some(actions)).await {
        b.fail(&format!("could not press a key: {e}")).await;
    }
}
const ESCAPE: &str = "\u{E00C}";

/// Opens the menu `details` with its summary, presses Escape: the menu
/// closes and the focus is back on its summary.
async fn escape_closes(b: &Browser, menu: &str) {
    b.click(&format!("{menu} > summary")).await;
    b.wait_for(&format!("{menu}[open]")).await;
    // The focus goes into the menu, as a keyboard user would move it.
    let _ = b
        .execute(
            "const m = document.querySelector(arguments[0] + ' .menu a, ' + arguments[0] + ' .menu button'); if (m) m.focus(); return true;",
            vec![json!(menu)],
        )
        .await;
    press(b, ESCAPE).await;
    b.wait_until(&format!("Escape closing {menu}"), async || {
        let v = b
            .execute(
                "const d = document.querySelector(arguments[0]); \
                 return !d.open && document.activeElement === d.querySelector(':scope > summary');",
                vec![json!(menu)],
            )
            .await
            .ok()?;
        (v == json!(true)).then_some(())
    })
    .await;
}

/// A number the page computes.
async fn number(b: &Browser, script: &str) -> f64 {
    b.execute(script, vec![])
        .await
        .ok()
        .and_then(|v| v.as_f64())
        .unwrap_or(f64::NAN)
}

/// The header, the composer and the menus of a professional, on a phone and
/// on a computer: the header is compact and its navigation whole; the
/// composer is one line until it grows and never hides the focused
/// control; Escape closes each menu; the security page's labels each name
/// their own field.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn header_composer_and_menus_work_at_every_width() {
    if cercle_testkit::browser::skipped() {
        return;
    }
    let app = TestApp::spawn(Db::Sqlite).await;
    let s = with_content(&app).await;
    let Some(b) = Browser::launch(&app.url, Language::Fr).await else {
        return;
    };
    sign_in_pages(&app, &b, &s.manager.email, 1).await;
    b.wait_for_path("/").await;

    // Every navigation entry is reachable at each width: on screen and not
    // covered, or in the "more" menu whose button is.
    for width in [1920, 1280, 1024, 800, 640, 375, 320] {
        b.resize(width, 900).await;
        let problems: Vec<String> = page_problems(&b)
            .await
            .into_iter()
            .filter(|p| p.contains("header"))
            .collect();
        if !problems.is_empty() {
            b.fail(&format!("at {width} px: {problems:#?}")).await;
        }
        let hrefs = b
            .execute(
                "const seen = (e) => { const r = e.getBoundingClientRect(); if (r.width < 1) return false; \
                   const at = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2); return !!at && (e === at || e.contains(at)); }; \
                 const more = document.querySelector('.mainnav .nav-more > summary'); \
                 return ['/', '/threads', '/patients', '/channels', '/teams', '/network'].filter((h) => \
                   ![...document.querySelectorAll(`.mainnav a[href='${h}']`)].some((a) => seen(a) || (more && seen(more) && a.closest('.nav-more'))));",
                vec![],
            )
            .await
            .expect("nav");
        assert_eq!(hrefs, json!([]), "entries out of reach at {width} px");
        if width <= 640 {
            let height = number(
                &b,
                "return document.querySelector('header.topbar').getBoundingClientRect().height;",
            )
            .await;
            assert!(
                height <= PHONE_HEADER_MAX as f64,
                "the header is {height} px tall at {width} px"
            );
        }
    }
    // On a phone, the "more" menu holds the rest, and Escape closes it.
    b.resize(375, 812).await;
    escape_closes(&b, "details.nav-more").await;
    b.resize(1280, 900).await;
    escape_closes(&b, "details.account").await;

    // The thread: at 375 × 812 the composer is one line and its controls.
    b.goto("/threads").await;
    b.click_and_load("main a[href^='/threads/']:not([href='/threads/new'])")
        .await;
    b.wait_for("[data-testid=composer]").await;
    b.resize(375, 812).await;
    let composer = "return document.querySelector('[data-testid=composer]').getBoundingClientRect().height;";
    let small = number(&b, composer).await;
    if small > 120.0 {
        let parts = b
            .execute(
                "return [...document.querySelectorAll('[data-testid=composer] > *, .thr-composer-row > *, .att-controls > *, .att-bar > *')] \
                   .map((e) => `${e.tagName}.${e.className} ${Math.round(e.getBoundingClientRect().width)}x${Math.round(e.getBoundingClientRect().height)}`);",
                vec![],
            )
            .await;
        b.fail(&format!("the composer takes {small} of 812 px: {parts:?}"))
            .await;
    }
    let header = number(
        &b,
        "return document.querySelector('header.topbar').getBoundingClientRect().height;",
    )
    .await;
    assert!(
        header <= PHONE_HEADER_MAX as f64,
        "the header is {header} px tall on the thread"
    );
    b.fill("#thr-body", "une\ndeux\ntrois\nquatre\ncinq").await;
    let grown = number(&b, composer).await;
    assert!(
        grown > small + 30.0,
        "the composer grows with its text ({small} → {grown} px)"
    );
    b.fill("#thr-body", "").await;

    // Each control of the thread, focused, is clear of the sticky composer.
    let hidden = b
        .execute(
            "const composer = document.querySelector('[data-testid=composer]'); \
             const all = [...document.querySelectorAll('main a[href], main button, main input:not([type=hidden]), main summary, main select, main textarea')] \
               .filter((e) => !composer.contains(e) && e.checkVisibility()); \
             const bad = []; \
             for (const e of all) { e.focus(); const r = e.getBoundingClientRect(); const c = composer.getBoundingClientRect(); \
               if (r.bottom > c.top + 1 && r.top < c.bottom) bad.push(e.outerHTML.slice(0, 80)); } \
             return bad;",
            vec![],
        )
        .await
        .expect("focus");
    assert_eq!(hidden, json!([]), "controls hidden under the composer when focused");
    b.resize(1280, 900).await;

    // A photo from the composer: the first "Rotate" turns it; sent without
    // a caption, its name is not repeated as the message's text.
    let png = cercle_testkit::temp_dir("cercle-a11y-photo").join("pansement-jour-3.png");
    image::RgbImage::from_fn(300, 200, |x, _| {
        if x < 150 {
            image::Rgb([200, 30, 30])
        } else {
            image::Rgb([30, 30, 200])
        }
    })
    .save(&png)
    .expect("png");
    let size =
        "const c = document.querySelector('#thr-composer [data-att-canvas]'); return c ? [c.width, c.height] : null;";
    b.choose_file("#thr-composer [data-att-file]", &png).await;
    b.wait_until("the photo in the editor", async || {
        (b.execute(size, vec![]).await.ok()? == json!([300, 200])).then_some(())
    })
    .await;
    b.click("#thr-composer [data-att-action=rotate]").await;
    b.wait_until("the photo turned by the first Rotate", async || {
        (b.execute(size, vec![]).await.ok()? == json!([200, 300])).then_some(())
    })
    .await;
    let count = "return document.querySelectorAll('[data-testid=messages] > li').length;";
    let before = b.execute(count, vec![]).await.expect("count");
    b.click("#thr-composer [data-att-send]").await;
    b.wait_until("the photo's message", async || {
        let now = b.execute(count, vec![]).await.ok()?;
        (now.as_i64()? > before.as_i64()?).then_some(())
    })
    .await;
    let last = b
        .execute(
            "const li = [...document.querySelectorAll('[data-testid=messages] > li')].pop(); \
             return [li.querySelectorAll('.thr-attachments .att').length, li.querySelector('.thr-body') ? li.querySelector('.thr-body').innerText : null];",
            vec![],
        )
        .await
        .expect("last message");
    assert_eq!(
        last,
        json!([1, null]),
        "a photo without caption: no text repeating its name"
    );

    // /security: every id once, every label naming a field of its own.
    b.goto("/security").await;
    b.wait_for_path("/security").await;
    let v = b
        .execute(
            "const ids = [...document.querySelectorAll('[id]')].map((e) => e.id); \
             const dup = ids.filter((id, i) => ids.indexOf(id) !== i); \
             const fors = [...document.querySelectorAll('label[for]')].map((l) => l.htmlFor); \
             const shared = fors.filter((f, i) => fors.indexOf(f) !== i); \
             const orphan = fors.filter((f) => !document.getElementById(f)); \
             return [dup, shared, orphan];",
            vec![],
        )
        .await
        .expect("ids");
    assert_eq!(
        v,
        json!([[], [], []]),
        "duplicate ids, shared or orphan labels on /security"
    );
    b.quit().await;
}

/// The call screen (issue 17), as its starter sees it in a direct call
/// with the other person in it: every check, in both languages, at every
/// width (its controls too: the page's `<details>` of devices is opened).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_call_screen_is_accessible() {
    if cercle_testkit::browser::skipped() {
        return;
    }
    let app = TestApp::spawn(Db::Sqlite).await;
    let d = crate::calls_signal_api::direct_pair(&app).await;
    let call = crate::calls_signal_api::call_answered(&app, &d).await;
    let mut report = BTreeMap::new();
    let Some(b) = Browser::launch(&app.url, Language::Fr).await else {
        return;
    };
    sign_in_pages(&app, &b, &d.a.email, 1).await;
    let path = format!("/calls/{call}");
    open(&b, &path).await;
    b.wait_for("#call[data-in-call='true'][data-live='1']").await;
    check_here(&b, &format!("starter fr {path}"), &mut report).await;
    switch_language(&b).await;
    b.wait_for("#call[data-live='1']").await;
    check_here(&b, &format!("starter en {path}"), &mut report).await;
    b.quit().await;
    fail_on(report);
}
