//! The whole patient and caregiver flow in three real headless Chromiums:
//! a patient and caregiver manager opens a patient file in the pages,
//! invites the patient by email with a security question and a caregiver
//! by email with a secret code; each invitee opens their link in a browser
//! of their own, creates an account through the pages (code, terms, PIN)
//! and answers; the manager creates a care channel with both; the three
//! exchange messages that arrive live; the manager attaches a document,
//! pins it and updates it, and both versions are listed (and served with
//! their own bytes) on the manager's and the patient's side. The file's
//! audit trail holds every access and the invitation events.
//! `CERCLE_SKIP_BROWSER=1` skips it; `CERCLE_SCREENSHOTS=<dir>` saves each
//! page at 1280 and 375 px wide.

use crate::circle_api::{circle_code, circle_link};
use crate::helpers::{finish_sign_up_in_pages, org_member, org_with_admin};
use cercle_domain::Language;
use cercle_i18n::{t, ta};
use cercle_testkit::browser::Browser;
use cercle_testkit::people::sign_in;
use cercle_testkit::{Db, TestApp};
use serde_json::{json, Value};

const MANAGER: &str = "nadia.gestion@erables.test";
const PATIENT: &str = "gerard.levesque@maison.test";
const CARER: &str = "lise.levesque@maison.test";
const TEAM: &str = "Soins à domicile — CLSC des Érables";
const QUESTION: &str = "Le nom de votre premier chien ?";

/// An invitee opens their link, chooses "create my account" and goes
/// through sign-up in the pages (emailed code, terms, recovery code, PIN);
/// home brings them back to the invitation's answer form.
async fn join_with_a_new_account(app: &TestApp, b: &Browser, link: &str, name: &str, email: &str) {
    let path = &link[link.find("/circle/join/").expect("join path")..];
    b.goto(path).await;
    b.wait_for("[data-testid=circle-join-sign-up]").await;
    b.click_and_load("[data-testid=circle-join-sign-up]").await;
    b.wait_for_path("/sign-up").await;
    b.fill("#f-name", name).await;
    b.fill("#f-email", email).await;
    finish_sign_up_in_pages(app, b, email).await;
    b.wait_for_path(path).await;
    b.wait_for("[data-testid=circle-join-form]").await;
}

/// Adds a person to the circle from the circle page with "invite now" by
/// email, with a security question or the secret code.
async fn add_and_invite(
    b: &Browser,
    section: &str,
    first: &str,
    last: &str,
    email: &str,
    question: Option<(&str, &str)>,
) {
    b.wait_for("[data-testid=circle-add-form]").await;
    b.select("#circ-section", section).await;
    b.fill("#circ-first", first).await;
    b.fill("#circ-last", last).await;
    b.fill("#circ-email", email).await;
    b.click("[data-testid=circle-invite-now]").await;
    b.click(".circ-add-form input[name=via][value=email]").await;
    match question {
        Some((q, a)) => {
            b.click(".circ-add-form input[name=method][value=question]").await;
            b.fill("#add-question", q).await;
            b.fill("#add-answer", a).await;
        }
        None => b.click(".circ-add-form input[name=method][value=code]").await,
    }
    b.submit_form("[data-testid=circle-add-form]").await;
    b.wait_for_text(&t(b.lang, "circ-invited-done")).await;
}

/// The bytes behind a link of the page, fetched with the page's cookies.
async fn fetched(b: &Browser, href: &str) -> String {
    let script = "const done = arguments[arguments.length - 1]; \
        fetch(arguments[0], { credentials: 'same-origin' }).then(r => r.text()).then(done, e => done('error ' + e));";
    match b
        .cmd(
            reqwest::Method::POST,
            "/execute/async",
            Some(json!({ "script": script, "args": [href] })),
        )
        .await
    {
        Ok(v) => v.as_str().unwrap_or_default().to_string(),
        Err(e) => b.fail(&format!("fetching {href}: {e}")).await,
    }
}

async fn hrefs(b: &Browser, css: &str) -> Vec<String> {
    let v = b
        .execute(
            &format!("return Array.from(document.querySelectorAll(\"{css}\")).map(a => a.getAttribute('href'));"),
            vec![],
        )
        .await
        .expect("links");
    v.as_array()
        .map(|a| a.iter().filter_map(|x| x.as_str().map(String::from)).collect())
        .unwrap_or_default()
}

fn actions_of(audit: &Value) -> Vec<String> {
    audit["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["event"].as_str().map(String::from))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_care_flow_in_three_browsers() {
    let app = TestApp::spawn(Db::Sqlite).await;
    let fr = Language::Fr;
    let org = org_with_admin(&app, "CLSC des Érables", "admin@erables.test").await;
    org_member(
        &app,
        &org,
        &org.root,
        MANAGER,
        "Nadia Gestion",
        &["member", "patient_caregiver_manager"],
    )
    .await;
    let Some(m) = Browser::launch(&app.url, fr).await else {
        return;
    };

    // The manager opens the patient file.
    sign_in(&app, &m, MANAGER, 1).await;
    m.goto("/patients/new").await;
    m.wait_for("form[data-testid=new-patient-form]").await;
    m.fill("#pf-new-first", "Gérard").await;
    m.fill("#pf-new-last", "Lévesque").await;
    m.execute(
        "document.querySelector('#pf-new-birth').value = '1941-03-02'; return true;",
        vec![],
    )
    .await
    .expect("birth date");
    m.fill("#pf-new-hin", "LEVG 4103 0212").await;
    m.click("input[name=consent_care_team]").await;
    m.click("input[name=consent_caregivers]").await;
    m.submit_form("form[data-testid=new-patient-form]").await;
    m.wait_for("[data-testid=patient-name]").await;
    let file = m.current_path().await.rsplit('/').next().expect("id").to_string();

    // The patient by email with a security question, the caregiver by
    // email with the secret code.
    m.click_and_load("[data-testid=patient-circle]").await;
    add_and_invite(&m, "patient", "Gérard", "Lévesque", PATIENT, Some((QUESTION, "Filou"))).await;
    add_and_invite(&m, "responsible", "Lise", "Lévesque", CARER, None).await;
    let invited = m
        .execute(
            "return document.querySelectorAll('[data-testid=circle-state][data-state=invited]').length;",
            vec![],
        )
        .await
        .expect("states");
    assert_eq!(invited, json!(2));
    m.shoot("care-circle-invited").await;

    // The patient, in a browser of their own: new account, then the answer
    // (typed differently: case, accent and spaces do not matter).
    let p = Browser::launch(&app.url, fr).await.expect("second browser");
    let link = circle_link(&app, PATIENT, 1).await;
    join_with_a_new_account(&app, &p, &link, "Gérard Lévesque", PATIENT).await;
    p.assert_text(QUESTION).await;
    p.fill("#circ-answer", "  FÍLOU ").await;
    p.submit_form("[data-testid=circle-join-form]").await;
    p.wait_for_path("/care").await;

    // The caregiver, in a third browser: the code came in a separate email.
    let c = Browser::launch(&app.url, fr).await.expect("third browser");
    let link = circle_link(&app, CARER, 1).await;
    let (code, code_mail) = circle_code(&app, CARER, 1).await;
    assert!(
        !code_mail.body.contains("/circle/join/"),
        "the code travels apart from the link"
    );
    join_with_a_new_account(&app, &c, &link, "Lise Lévesque", CARER).await;
    c.fill("#circ-code", &code).await;
    c.submit_form("[data-testid=circle-join-form]").await;
    c.wait_for_path("/care").await;

    m.goto(&format!("/patients/{file}/circle")).await;
    m.wait_for("[data-testid=circle-add-form]").await;
    let joined = m
        .execute(
            "return document.querySelectorAll('[data-testid=circle-state][data-state=joined]').length;",
            vec![],
        )
        .await
        .expect("states");
    assert_eq!(joined, json!(2), "both joined");
    m.shoot("care-circle-joined").await;

    // A care channel with both; it exists once the first message is sent.
    m.goto(&format!("/patients/{file}/channels")).await;
    m.wait_for("[data-testid=create-channel]").await;
    m.click("[data-testid=create-channel] summary").await;
    m.fill("#chan-title", TEAM).await;
    let circle_choices = m
        .execute(
            "return Array.from(document.querySelectorAll('[data-testid=circle-choices] input')).map(i => i.value);",
            vec![],
        )
        .await
        .expect("choices");
    let circle_choices: Vec<String> = circle_choices
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|v| v.as_str().map(String::from))
        .collect();
    assert_eq!(circle_choices.len(), 2, "{circle_choices:?}");
    for v in &circle_choices {
        m.click(&format!("[data-testid=circle-choices] input[value='{v}']"))
            .await;
    }
    m.click_and_load("[data-testid=create-channel-submit]").await;
    m.wait_for("[data-testid=draft-notice]").await;
    let channel = m.current_path().await.rsplit('/').next().expect("id").to_string();
    p.goto("/care").await;
    p.wait_for("main").await;
    assert!(
        !p.page_text().await.contains(TEAM),
        "a draft channel is its creator's only"
    );
    m.fill("#chan-thread-title", "Retour à domicile").await;
    m.fill("#chan-thread-body", "Bonjour M. Lévesque, voici votre équipe de soins.")
        .await;
    m.click_and_load("[data-testid=channel-send]").await;
    m.wait_for("[data-testid=messages]").await;
    let thread = m.current_path().await.rsplit('/').next().expect("id").to_string();

    // The patient finds the channel under the name of their care team.
    p.goto("/care").await;
    p.wait_for("[data-testid=care-teams]").await;
    p.assert_text(TEAM).await;
    p.shoot("care-patient-care").await;
    p.goto(&format!("/care/{channel}")).await;
    p.wait_for("[data-testid=channel-participants]").await;
    p.assert_text("Lise Lévesque").await;
    p.goto(&format!("/threads/{thread}")).await;
    p.wait_for("[data-testid=composer]").await;
    p.assert_text("voici votre équipe de soins").await;

    // Messages go both ways, live.
    c.goto(&format!("/threads/{thread}")).await;
    c.wait_for("[data-testid=composer]").await;
    p.fill("#thr-body", "Merci ! J'ai bien reçu la liste des médicaments.")
        .await;
    p.click("#thr-send").await;
    m.wait_for_text("J'ai bien reçu la liste des médicaments").await;
    c.wait_for_text("J'ai bien reçu la liste des médicaments").await;
    c.fill("#thr-body", "Je passerai chercher l'ordonnance demain — Lise")
        .await;
    c.click("#thr-send").await;
    m.wait_for_text("Je passerai chercher l'ordonnance demain").await;
    p.wait_for_text("Je passerai chercher l'ordonnance demain").await;
    m.fill("#thr-body", "Parfait, l'infirmière passe jeudi à 14 h.").await;
    m.click("#thr-send").await;
    p.wait_for_text("l'infirmière passe jeudi à 14 h").await;
    c.wait_for_text("l'infirmière passe jeudi à 14 h").await;
    p.shoot("care-patient-thread").await;

    // A document attached in the thread, pinned, then updated.
    let dir = std::env::temp_dir().join(format!("cercle-care-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let v1 = dir.join("plan-de-soins.pdf");
    let v2 = dir.join("plan-de-soins-v2.pdf");
    std::fs::write(&v1, b"%PDF-1.4\n% plan de soins, version 1\n%%EOF\n").expect("v1");
    std::fs::write(&v2, b"%PDF-1.4\n% plan de soins, version 2\n%%EOF\n").expect("v2");
    m.choose_file("[data-att-file]", &v1).await;
    m.wait_for("[data-att-chosen]:not([hidden])").await;
    m.click("[data-att-send]").await;
    p.wait_for_text("plan-de-soins.pdf").await;
    m.goto(&format!("/channels/{channel}")).await;
    m.wait_for("[data-testid=pinned]").await;
    m.click(".chan-pin summary").await;
    m.click_and_load("[data-testid=pin]").await;
    m.wait_for("[data-testid=pinned-doc]").await;
    let input = m
        .execute("return document.querySelector('[data-chan-file]').id;", vec![])
        .await
        .expect("update input");
    m.choose_file(&format!("#{}", input.as_str().expect("id")), &v2).await;
    m.wait_for_text(&ta(fr, "chan-version-n", &[("n", "2")])).await;
    m.wait_for("[data-testid=versions]").await;
    let versions = hrefs(&m, "[data-testid=versions] a[download]").await;
    assert_eq!(versions.len(), 2, "{versions:?}");
    // Listed newest first, each serving its own bytes.
    assert!(fetched(&m, &versions[0]).await.contains("version 2"));
    assert!(fetched(&m, &versions[1]).await.contains("version 1"));
    m.shoot("care-channel-pinned").await;

    // The update opened a thread in the channel; the patient sees it and
    // both versions.
    p.goto(&format!("/care/{channel}")).await;
    p.wait_for("[data-testid=pinned-doc]").await;
    let patient_versions = hrefs(&p, "[data-testid=versions] a[download]").await;
    assert_eq!(patient_versions, versions);
    assert!(fetched(&p, &patient_versions[1]).await.contains("version 1"));
    let threads = p.text("[data-testid=channel-threads]").await;
    assert!(threads.contains("plan-de-soins"), "{threads}");
    p.shoot("care-patient-pinned").await;

    // The patient changes their photo from their own page (no network profile).
    let png = dir.join("portrait.png");
    image::RgbImage::from_fn(400, 300, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 90]))
        .save(&png)
        .expect("png");
    p.click("details.account > summary").await;
    p.click_and_load("[data-testid=my-photo]").await;
    p.wait_for_path("/care/photo").await;
    p.choose_file("#netp-photo-file", &png).await;
    p.wait_for("[data-photo-cropper]:not([hidden]) canvas").await;
    p.click("[data-photo-save]").await;
    p.wait_until("the photo saved", async || {
        let v = p
            .execute(
                "const i = document.querySelector('img[data-testid=netp-photo]'); \
                 return location.search === '?sent=photo' && i && i.complete && i.naturalWidth === 256;",
                vec![],
            )
            .await
            .ok()?;
        (v == json!(true)).then_some(())
    })
    .await;
    p.shoot("care-patient-photo").await;
    let _ = std::fs::remove_dir_all(&dir);

    // The file's audit trail: every access and the invitation events.
    let (status, audit) = app
        .get(
            &format!("/org/audit?patient_id={file}&limit=200"),
            Some(&org.admin.token),
        )
        .await;
    assert_eq!(status, 200, "{audit}");
    let names = actions_of(&audit);
    for expected in [
        "patient.created",
        "patient.read",
        "circle.invitation_created",
        "circle.invitation_sent",
        "circle.invitation_accepted",
        "thread.read",
    ] {
        assert!(names.iter().any(|n| n == expected), "{expected} in {names:?}");
    }
    assert_eq!(
        names.iter().filter(|n| *n == "circle.invitation_accepted").count(),
        2,
        "{names:?}"
    );
    m.quit().await;
    p.quit().await;
    c.quit().await;
}

// ---- The circle's sections and their presence switches (issue 14) ------------

/// Presses the space bar on the element matching `css` (a keyboard user
/// turning a switch), and waits for the page the switch sends to.
async fn press_space_and_load(b: &Browser, css: &str) {
    let id = b.wait_for(css).await;
    b.execute("window.__circOld = true; return true;", vec![])
        .await
        .expect("mark the page");
    if let Err(e) = b
        .cmd(
            reqwest::Method::POST,
            &format!("/element/{id}/value"),
            Some(json!({ "text": " " })),
        )
        .await
    {
        b.fail(&format!("could not press space on `{css}`: {e}")).await;
    }
    b.wait_until("the page after the switch", async || {
        let v = b
            .execute("return [window.__circOld === true, document.readyState];", vec![])
            .await
            .ok()?;
        (v[0] == json!(false) && v[1] == json!("complete")).then_some(())
    })
    .await;
}

/// Whether the section shows as on (`data-on`), and its switch's state.
async fn section_state(b: &Browser, section: &str) -> (Value, Value) {
    let v = b
        .execute(
            "const s = document.querySelector('[data-testid=circle-section-' + arguments[0] + ']');\
             const box = document.getElementById('circ-switch-' + arguments[0]);\
             return [s ? s.dataset.on : null, box ? box.checked : null];",
            vec![json!(section)],
        )
        .await
        .expect("section state");
    (v[0].clone(), v[1].clone())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_circle_sections_switch_from_the_keyboard() {
    if cercle_testkit::browser::skipped() {
        return;
    }
    let app = TestApp::spawn(Db::Sqlite).await;
    let (org, manager, file) = crate::circle_api::manager_and_file(&app).await;
    let fr = Language::Fr;
    let Some(m) = Browser::launch(&app.url, fr).await else {
        return;
    };
    sign_in(&app, &m, &manager.email, 1).await;
    m.goto(&format!("/patients/{file}/circle")).await;
    m.wait_for("[data-testid=circle-add-form]").await;

    // Three sections, each with a real switch: a checkbox with the switch
    // role, named by its label, on; the "apply" button is for pages without
    // script only.
    for (section, name) in [
        ("patient", "circ-section-patient"),
        ("responsible", "circ-section-responsible"),
        ("observer", "circ-section-observer"),
    ] {
        let v = m
            .execute(
                "const box = document.getElementById('circ-switch-' + arguments[0]);\
                 const apply = box.form.querySelector('[data-circ-switch-apply]');\
                 return [box.type, box.getAttribute('role'), box.labels.length ? box.labels[0].textContent.trim() : '', box.checked, apply.offsetParent === null];",
                vec![json!(section)],
            )
            .await
            .expect("switch");
        let label = ta(fr, "circ-section-switch", &[("section", &t(fr, name))]);
        assert_eq!(
            v,
            json!(["checkbox", "switch", label, true, true]),
            "the {section} switch"
        );
        assert_eq!(section_state(&m, section).await, (json!("true"), json!(true)));
    }
    m.shoot("circle-sections-on").await;

    // A child: the patient section is switched off from the keyboard. The
    // page says so, the switch has the focus again and reads "off", and the
    // add form no longer offers the section.
    press_space_and_load(&m, "#circ-switch-patient").await;
    m.wait_for("[data-testid=circle-section-patient][data-on=false]").await;
    assert_eq!(section_state(&m, "patient").await, (json!("false"), json!(false)));
    m.assert_text(&t(fr, "circ-section-off-done")).await;
    m.assert_text(&t(fr, "circ-section-off-note")).await;
    let focused = m
        .execute(
            "return document.activeElement ? document.activeElement.id : '';",
            vec![],
        )
        .await
        .expect("focus");
    assert_eq!(focused, json!("circ-switch-patient"), "the switch keeps the focus");
    let offered = m
        .execute(
            "return Array.from(document.querySelectorAll('#circ-section option')).map(o => o.value);",
            vec![],
        )
        .await
        .expect("options");
    assert_eq!(offered, json!(["responsible", "observer"]));
    let (_, c) = app
        .get(&format!("/patient-files/{file}/circle"), Some(&manager.token))
        .await;
    assert_eq!(c["sections"][0], json!({ "section": "patient", "on": false }), "{c}");
    m.shoot("circle-sections-patient-off").await;

    // A section with someone on their way is not switched off: the page says why.
    crate::circle_api::preallocate(&app, &manager, &file, "responsible", "parent@maison.test").await;
    m.goto(&format!("/patients/{file}/circle")).await;
    m.wait_for("#circ-switch-responsible").await;
    press_space_and_load(&m, "#circ-switch-responsible").await;
    m.assert_text(&t(fr, "error-circle-section-not-empty")).await;
    assert_eq!(section_state(&m, "responsible").await, (json!("true"), json!(true)));

    // On again, with a click this time.
    m.click("#circ-switch-patient").await;
    m.wait_for("[data-testid=circle-section-patient][data-on=true]").await;
    m.assert_text(&t(fr, "circ-section-on-done")).await;
    let (_, c) = app
        .get(&format!("/patient-files/{file}/circle"), Some(&manager.token))
        .await;
    assert_eq!(c["sections"][0], json!({ "section": "patient", "on": true }), "{c}");

    // Someone who reads the circle without managing it (a team manager)
    // reads each section's state, with no switch to turn.
    let (status, r) = app
        .put(
            &format!("/patient-files/{file}/circle/sections/observer"),
            Some(&manager.token),
            json!({ "on": false }),
        )
        .await;
    assert_eq!(status, 200, "{r}");
    crate::helpers::org_member(
        &app,
        &org,
        &org.root,
        "chef@erables.test",
        "Chloé Chef",
        &["member", "team_manager"],
    )
    .await;
    let r = Browser::launch(&app.url, fr).await.expect("second browser");
    sign_in(&app, &r, "chef@erables.test", 1).await;
    r.goto(&format!("/patients/{file}/circle")).await;
    r.wait_for("[data-testid=circle-switch-state-observer]").await;
    assert_eq!(
        r.text("[data-testid=circle-switch-state-observer]").await.trim(),
        t(fr, "circ-section-state-off")
    );
    assert_eq!(
        r.text("[data-testid=circle-switch-state-patient]").await.trim(),
        t(fr, "circ-section-state-on")
    );
    if r.find("input[role=switch]").await.ok().flatten().is_some() {
        r.fail("a switch shows to someone who may not manage the circle").await;
    }
    r.quit().await;
    m.quit().await;
}
