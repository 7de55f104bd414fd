//! Discussions in two real headless Chromiums: A (English) opens a clinical
//! discussion with B (French) from the "New discussion" page, creating the
//! patient file on the way and picking B from the suggestions; messages
//! with accents appear live on the other side without reload, "is typing"
//! shows, B's draft survives a reload (saved on the server), a
//! high-priority message is acknowledged by B and A sees it live, A closes
//! the discussion (B's page follows), and the PDF export downloaded with
//! the browser's cookies holds the messages, accents intact.
//! `CERCLE_SKIP_BROWSER=1` skips it; `CERCLE_SCREENSHOTS=<dir>` saves each
//! page at 1280 and 375 px wide.

use crate::helpers::{id_of, org_member, org_with_first_admin, set_active_org, sign_up_named, Person};
use cercle_domain::Language;
use cercle_i18n::{t, ta};
use cercle_testkit::browser::Browser;
use cercle_testkit::people::sign_in;
use cercle_testkit::{Db, TestApp};
use serde_json::json;

const A_EMAIL: &str = "helene.gagnon@clinique.test";
const A_NAME: &str = "Hélène Gagnon";
const B_EMAIL: &str = "beatrice.bedard@clinique.test";
const B_NAME: &str = "Béatrice Bédard";
const FIRST: &str = "Hélène a reçu l'ordonnance — ça va mieux ?";
const REPLY: &str = "Très bien, je passe à 14 h. Ça coûte 12 $ ; «merci» !";
const DRAFT: &str = "Brouillon à garder : tension 12/8, œdème léger";
const URGENT: &str = "Urgent : arrêter l'anticoagulant avant la chirurgie";
const TITLE: &str = "Suivi de M. Lévesque — post-op";

/// A (English, first administrator) and B (French, invited member) of one
/// organization, which is the active one of both.
async fn colleagues(app: &TestApp) -> (Person, Person) {
    let a = sign_up_named(app, A_EMAIL, A_NAME, "en").await;
    let org = org_with_first_admin(app, "Clinique du Fleuve", a, A_NAME, Language::En).await;
    let b = org_member(app, &org, &org.root, B_EMAIL, B_NAME, &["member"]).await;
    set_active_org(app, &org.id, &[&org.admin, &b]).await;
    (org.admin, b)
}

/// Waits until the page's live connection is up.
async fn wait_live(b: &Browser) {
    b.wait_for("#thr-root[data-live='1']").await;
}

async fn value_of(b: &Browser, css: &str) -> String {
    b.execute(
        "const e = document.querySelector(arguments[0]); return e ? e.value : null;",
        vec![json!(css)],
    )
    .await
    .ok()
    .and_then(|v| v.as_str().map(str::to_string))
    .unwrap_or_default()
}

/// Brings the element to the middle of the window (clear of the sticky
/// composer), then clicks it.
async fn click_in_view(b: &Browser, css: &str) {
    b.wait_for(css).await;
    b.execute(
        "document.querySelector(arguments[0]).scrollIntoView({ block: 'center' }); return true;",
        vec![json!(css)],
    )
    .await
    .expect("scroll");
    b.click(css).await;
}

/// Accepts the page's confirmation questions from now on.
async fn accept_confirms(b: &Browser) {
    b.execute("window.confirm = () => true; return true;", vec![])
        .await
        .expect("confirm");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_colleagues_discuss_live_and_export_the_closed_thread() {
    let app = TestApp::spawn(Db::Sqlite).await;
    let (_, b_person) = colleagues(&app).await;
    let b_id = id_of(&app, &b_person).await;
    let (en, fr) = (Language::En, Language::Fr);

    // ---- A, in English: no discussion yet; a new clinical one.
    let Some(a) = Browser::launch(&app.url, en).await else {
        return;
    };
    sign_in(&app, &a, A_EMAIL, 1).await;
    a.click_and_load("nav.mainnav a[href='/threads']").await;
    a.wait_for_path("/threads").await;
    a.assert_text(&t(en, "thr-none")).await;
    a.shoot("threads-empty").await;
    a.click_and_load("[data-testid=new-thread]").await;
    a.wait_for_path("/threads/new").await;
    // No patient file yet: the inline one is offered.
    assert_eq!(value_of(&a, "#thr-patient").await, "new");
    a.fill("#thr-first", "Gérard").await;
    a.fill("#thr-last", "Lévesque").await;
    a.execute(
        "document.querySelector('#thr-birth').value = '1941-03-02'; return true;",
        vec![],
    )
    .await
    .expect("birth date");
    a.fill("#thr-title", TITLE).await;
    // The picker suggests B as A types part of the name.
    a.fill("#thr-people-q", "Bédard").await;
    let suggestion = format!(".thr-suggest button[data-id='{b_id}']");
    a.wait_for(&suggestion).await;
    a.shoot("threads-new-suggestions").await;
    a.click(&suggestion).await;
    a.wait_for_text_in("[data-testid=chosen]", B_NAME).await;
    a.shoot("threads-new").await;
    a.submit_form("form.thr-new").await;
    let thread_id = a
        .wait_until("the new thread's page", async || {
            let v = a
                .execute(
                    "const r = document.getElementById('thr-root'); return r ? r.dataset.thread : null;",
                    vec![],
                )
                .await
                .ok()?;
            v.as_str().map(str::to_string)
        })
        .await;
    let path = format!("/threads/{thread_id}");
    a.wait_for_path(&path).await;
    assert_eq!(a.text("[data-testid=thread-title]").await, TITLE);
    assert_eq!(a.text("[data-testid=thread-patient]").await, "Gérard Lévesque");
    a.assert_text(&t(en, "thr-no-messages")).await;
    wait_live(&a).await;

    // ---- B, in French: the discussion is listed; B opens it.
    let Some(b) = Browser::launch(&app.url, fr).await else {
        return;
    };
    sign_in(&app, &b, B_EMAIL, 1).await;
    b.click_and_load("nav.mainnav a[href='/threads']").await;
    b.wait_for_path("/threads").await;
    let item = format!("[data-testid=threads] li[data-id='{thread_id}']");
    let line = b.text(&item).await;
    assert!(line.contains(TITLE) && line.contains("Gérard Lévesque"), "{line}");
    b.click_and_load(&format!("{item} a.thr-item-title")).await;
    b.wait_for_path(&path).await;
    wait_live(&b).await;

    // ---- A writes; B sees it without reloading.
    a.fill("#thr-body", FIRST).await;
    a.click("#thr-send").await;
    a.wait_for_text_in("#thr-messages", FIRST).await;
    assert_eq!(value_of(&a, "#thr-body").await, "", "the composer is emptied");
    b.wait_for_text_in("#thr-messages", FIRST).await;
    b.wait_for_text_in("#thr-messages li.thr-msg", A_NAME).await;
    // B read it (the page marks it read): A sees "Seen by B" live.
    a.wait_for_text_in("#thr-messages .thr-seen", &format!("{} {B_NAME}", t(en, "thr-seen-by")))
        .await;

    // ---- B types: A sees it; B sends; A sees the reply live.
    b.fill("#thr-body", REPLY).await;
    a.wait_for_text_in("#thr-typing", &ta(en, "thr-typing", &[("name", B_NAME)]))
        .await;
    a.shoot("threads-typing").await;
    b.click("#thr-send").await;
    a.wait_for_text_in("#thr-messages", REPLY).await;
    b.wait_for_text_in("#thr-messages", REPLY).await;

    // ---- A draft of B's survives a reload (kept on the server).
    b.fill("#thr-body", DRAFT).await;
    b.wait_for("#thr-composer[data-draft-state='saved']").await;
    b.goto(&path).await;
    b.wait_for_path(&path).await;
    wait_live(&b).await;
    assert_eq!(value_of(&b, "#thr-body").await, DRAFT, "the draft came back");
    b.shoot("threads-draft").await;

    // ---- High priority: B acknowledges, A sees it live.
    a.fill("#thr-body", URGENT).await;
    a.click("#thr-priority").await;
    a.click("#thr-send").await;
    let urgent = "#thr-messages li.thr-msg.priority";
    a.wait_for_text_in(urgent, URGENT).await;
    assert!(
        a.find(&format!("{urgent} button.thr-ack"))
            .await
            .expect("find")
            .is_none(),
        "the author does not acknowledge their own message"
    );
    b.wait_for_text_in(urgent, URGENT).await;
    click_in_view(&b, &format!("{urgent} button.thr-ack")).await;
    a.wait_for_text_in(&format!("{urgent} [data-testid=acks]"), B_NAME)
        .await;
    b.wait_for_text_in(&format!("{urgent} [data-testid=acks]"), B_NAME)
        .await;
    assert!(b
        .find(&format!("{urgent} button.thr-ack"))
        .await
        .expect("find")
        .is_none());
    a.shoot("threads-thread").await;
    b.shoot("threads-thread-fr").await;
    a.assert_no_console_errors("while writing").await;
    b.assert_no_console_errors("while answering").await;

    // ---- A closes: "closed by A" on both pages (B's follows live).
    accept_confirms(&a).await;
    a.click_and_load(&format!("form[action='{path}/close'] button")).await;
    a.wait_for_path(&path).await;
    let closed = a.text("[data-testid=closed-by]").await;
    assert!(closed.contains(A_NAME), "{closed}");
    assert!(a.find("#thr-composer").await.expect("find").is_none());
    b.wait_for_text_in("[data-testid=closed-by]", A_NAME).await;
    a.shoot("threads-closed").await;

    // ---- The PDF, downloaded with A's browser cookies.
    let (status, content_type, pdf) = a.download(&format!("{path}/export.pdf")).await;
    assert_eq!((status, content_type.as_str()), (200, "application/pdf"));
    assert!(pdf.starts_with(b"%PDF"), "not a PDF");
    let dir = cercle_testkit::temp_dir("cercle-thread-pdf");
    let file = dir.join("thread.pdf");
    std::fs::write(&file, &pdf).expect("pdf written");
    let out = std::process::Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(&file)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) installed");
    assert!(out.status.success(), "pdftotext failed");
    let text = String::from_utf8(out.stdout).expect("utf-8");
    // Lines may wrap: compare with whitespace collapsed.
    let flat = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let text = flat(&text);
    for needle in [FIRST, REPLY, URGENT, A_NAME, B_NAME] {
        assert!(text.contains(&flat(needle)), "{needle:?} missing from the PDF:\n{text}");
    }
    let _ = std::fs::remove_dir_all(&dir);

    // ---- Closed tab lists it; a thread one is not part of is a 404 page.
    a.goto("/threads?closed=1").await;
    a.wait_for_path("/threads").await;
    assert!(a.text(&item).await.contains(TITLE));
    a.shoot("threads-closed-list").await;
    a.goto("/threads/0190f0f0-0000-7000-8000-000000000000").await;
    a.wait_for_text(&t(en, "error-not-found")).await;
    b.assert_no_console_errors("after the close").await;
    b.quit().await;
    a.quit().await;
}
