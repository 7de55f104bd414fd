//! Teams and triage in real headless Chromiums (SPEC 7 acceptance): a
//! colleague writes to a team from the Teams page → the thread appears in
//! the triage box of a manager in a second browser, live, without reload →
//! the manager assigns it to themselves → returns it to triage → a team
//! participant, in a third browser, takes it and the thread shows them as
//! responsible. And from the pages only: an administrator puts a member in
//! the team (admin page) → the manager assigns them from the thread page →
//! they see themselves responsible, invite a teammate, unassign themselves
//! → the manager removes the team from the thread. `CERCLE_SKIP_BROWSER=1`
//! skips them.

use crate::helpers::{id_of, sign_in_pages};
use crate::teams_api::setup;
use cercle_domain::Language;
use cercle_i18n::t;
use cercle_testkit::browser::Browser;
use cercle_testkit::people::sign_in;
use cercle_testkit::{Db, TestApp};
use serde_json::{json, Value};

const TITLE: &str = "Plaie au talon — M. Lévesque, pansement à revoir";

/// Waits until nothing matches `css`.
async fn wait_gone(b: &Browser, css: &str) {
    b.wait_until(&format!("`{css}` gone"), async || {
        let v = b
            .execute(
                "return document.querySelector(arguments[0]) === null;",
                vec![json!(css)],
            )
            .await
            .ok()?;
        (v.as_bool() == Some(true)).then_some(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn write_to_a_team_then_assign_return_and_take_in_browsers() {
    if cercle_testkit::browser::skipped() {
        return;
    }
    let app = TestApp::spawn(Db::Sqlite).await;
    let s = setup(&app).await;
    let fr = Language::Fr;

    // ---- The manager, in French, watches the team's triage box.
    let Some(m) = Browser::launch(&app.url, fr).await else {
        return;
    };
    sign_in(&app, &m, &s.manager.email, 1).await;
    m.click_and_load("nav.mainnav a[href='/teams']").await;
    m.wait_for_path("/teams").await;
    m.wait_for("[data-testid=team-switcher]").await;
    m.assert_text(&t(fr, "tm-triage-empty")).await;
    m.wait_for("#tm-box[data-live='1']").await;

    // ---- A colleague outside the team writes to it from the Teams page.
    let Some(w) = Browser::launch(&app.url, fr).await else {
        return;
    };
    sign_in(&app, &w, &s.writer.email, 1).await;
    w.goto("/teams").await;
    w.wait_for("[data-testid=teams-empty]").await;
    w.click("[data-testid=tm-write-open]").await;
    w.fill("#tm-title", TITLE).await;
    w.fill(
        "#tm-body",
        "Bonjour, pouvez-vous passer voir la plaie ? Ça coule un peu.",
    )
    .await;
    w.submit_form("form[data-testid=tm-write]").await;
    let thread_id = w
        .wait_until("the new thread's page", async || {
            let v = w
                .execute(
                    "const r = document.getElementById('thr-root'); return r ? r.dataset.thread : null;",
                    vec![],
                )
                .await
                .ok()?;
            v.as_str().map(str::to_string)
        })
        .await;
    w.wait_for("[data-testid=thread-in-triage]").await;
    w.assert_no_console_errors("writing to the team").await;

    // ---- Live, without reload, the thread is in the manager's triage box.
    let item = format!("[data-testid=tm-triage] li[data-id='{thread_id}']");
    m.wait_for_text_in("[data-testid=tm-triage]", TITLE).await;
    // The manager assigns it to themselves.
    m.click_and_load(&format!("{item} [data-testid=tm-assign-me]")).await;
    m.wait_for_path("/teams").await;
    let mine = format!("[data-testid=tm-threads] li[data-id='{thread_id}']");
    m.wait_for_text_in(&mine, "Madeleine Manager").await;
    wait_gone(&m, &item).await;
    // The thread's page shows who is responsible.
    m.goto(&format!("/threads/{thread_id}")).await;
    m.wait_for_text_in("[data-testid=thread-responsible]", "Madeleine Manager")
        .await;
    // The writer's open thread follows (its header is refreshed live).
    w.wait_for_text_in("[data-testid=thread-responsible]", "Madeleine Manager")
        .await;
    // Back to the box; the manager returns it to triage.
    m.goto("/teams").await;
    m.click_and_load(&format!("{mine} [data-testid=tm-return]")).await;
    m.wait_for_path("/teams").await;
    m.wait_for_text_in("[data-testid=tm-triage]", TITLE).await;
    m.assert_no_console_errors("assigning and returning").await;

    // ---- A participant of the team takes it.
    let Some(p) = Browser::launch(&app.url, fr).await else {
        return;
    };
    sign_in(&app, &p, &s.p.email, 1).await;
    p.goto("/teams").await;
    p.wait_for_text_in("[data-testid=tm-triage]", TITLE).await;
    p.click_and_load(&format!("{item} [data-testid=tm-take]")).await;
    p.wait_for_path("/teams").await;
    p.wait_for_text_in(&mine, "Pascale Pelletier").await;
    // The manager's box follows live: the triage box empties.
    m.wait_for("#tm-box[data-live='1']").await;
    wait_gone(&m, &item).await;
    m.wait_for_text_in(&mine, "Pascale Pelletier").await;
    // The participant opens it and sees themselves responsible.
    p.click_and_load(&format!("{mine} a.thr-item-title")).await;
    p.wait_for_path(&format!("/threads/{thread_id}")).await;
    p.wait_for_text_in("[data-testid=thread-responsible]", "Pascale Pelletier")
        .await;
    p.assert_no_console_errors("taking the thread").await;

    w.quit().await;
    m.quit().await;
    p.quit().await;
}

/// Whether an element matching `css` exists now.
async fn exists(b: &Browser, css: &str) -> bool {
    b.find(css).await.ok().flatten().is_some()
}

/// The text of every element matching `css` (rendered or not: the
/// participants sit in a closed `<details>`).
async fn text_content(b: &Browser, css: &str) -> String {
    b.execute(
        "return [...document.querySelectorAll(arguments[0])].map((e) => e.textContent).join('\\n');",
        vec![json!(css)],
    )
    .await
    .ok()
    .and_then(|v| v.as_str().map(str::to_string))
    .unwrap_or_default()
}

/// Adds an option to a `<select>` and chooses it (a form left open while
/// things changed, or forged).
async fn add_option(b: &Browser, select_css: &str, value: &str, text: &str) {
    let done = b
        .execute(
            "const s = document.querySelector(arguments[0]); if (!s) return false; \
             s.add(new Option(arguments[2], arguments[1])); s.value = arguments[1]; return s.value === arguments[1];",
            vec![json!(select_css), json!(value), json!(text)],
        )
        .await;
    if !matches!(done, Ok(Value::Bool(true))) {
        b.fail(&format!("could not add {value:?} to `{select_css}`: {done:?}"))
            .await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn team_members_from_the_admin_page_then_triage_from_the_thread_page() {
    if cercle_testkit::browser::skipped() {
        return;
    }
    let app = TestApp::spawn(Db::Sqlite).await;
    let s = setup(&app).await;
    let fr = Language::Fr;
    let o_id = id_of(&app, &s.outsider).await;
    let p_id = id_of(&app, &s.p).await;
    let q_id = id_of(&app, &s.q).await;
    let m_id = id_of(&app, &s.manager).await;
    let team = s.team.clone();
    let panel = format!("#team-{team}-members");

    // ---- The administrator puts Odile in the team from the Teams tab.
    let Some(a) = Browser::launch(&app.url, fr).await else {
        return;
    };
    sign_in_pages(&app, &a, "admin@fleuve.test", 1).await;
    a.goto("/admin/teams").await;
    a.wait_for_path("/admin/teams").await;
    a.click(&format!("{panel} > summary")).await;
    a.wait_for_text_in(&format!("{panel} li[data-user='{m_id}']"), "Madeleine Manager")
        .await;
    assert!(exists(&a, &format!("{panel} li[data-user='{m_id}'][data-role='manager']")).await);
    assert!(exists(&a, &format!("{panel} li[data-user='{p_id}'][data-role='participant']")).await);
    assert!(!exists(&a, &format!("{panel} li[data-user='{o_id}']")).await);
    // A role the page does not offer (a forged form) is refused, translated, in the team's panel.
    a.select(&format!("#team-{team}-add-user"), &o_id).await;
    add_option(&a, &format!("#team-{team}-add-role"), "chef", "Chef").await;
    a.submit_form(&format!("{panel} form[data-testid=admin-team-member-add]"))
        .await;
    a.wait_for_text_in(
        &format!("{panel}[open] .notice.error"),
        &t(fr, "error-invalid-team-role"),
    )
    .await;
    assert!(!exists(&a, &format!("{panel} li[data-user='{o_id}']")).await);
    a.select(&format!("#team-{team}-add-user"), &o_id).await;
    a.select(&format!("#team-{team}-add-role"), "manager").await;
    a.submit_form(&format!("{panel} form[data-testid=admin-team-member-add]"))
        .await;
    a.wait_for_path("/admin/teams").await;
    a.assert_text(&t(fr, "admin-team-member-saved")).await;
    // Back with the team's members open: Odile is there, as a manager.
    let odile = format!("{panel}[open] li[data-user='{o_id}']");
    a.wait_for_text_in(&odile, "Odile Ouellet").await;
    assert!(exists(&a, &format!("{odile}[data-role='manager']")).await);
    // The administrator makes her a participant instead.
    a.select(&format!("#team-{team}-member-{o_id}-role"), "participant")
        .await;
    a.submit_form(&format!("{odile} form[action$='/members']")).await;
    a.wait_for_text_in(
        &format!("{odile}[data-role='participant']"),
        &t(fr, "admin-team-role-participant"),
    )
    .await;
    // And takes Pascale out of the team.
    a.submit_form(&format!("{panel} li[data-user='{p_id}'] form[action$='/remove']"))
        .await;
    a.assert_text(&t(fr, "admin-team-member-removed")).await;
    wait_gone(&a, &format!("{panel} li[data-user='{p_id}']")).await;
    a.shoot("tm-admin-members").await;
    a.assert_no_console_errors("managing the team's members").await;
    a.quit().await;
    // The services agree: Odile is a participant of the team, Pascale no longer in it.
    let (status, mine) = app.get("/teams", Some(&s.outsider.token)).await;
    assert_eq!(status, 200, "{mine}");
    assert_eq!(mine["teams"][0]["id"], team.as_str(), "{mine}");
    assert_eq!(mine["teams"][0]["role"], "participant", "{mine}");
    let (_, mine) = app.get("/teams", Some(&s.p.token)).await;
    assert_eq!(mine["teams"].as_array().map(Vec::len), Some(0), "{mine}");

    // ---- A colleague writes to the team; the manager opens the thread.
    let (status, th) = app
        .post(
            &format!("/teams/{team}/threads"),
            Some(&s.writer.token),
            json!({ "title": TITLE, "body": "Pouvez-vous passer voir la plaie ?" }),
        )
        .await;
    assert_eq!(status, 201, "{th}");
    let thread_id = th["id"].as_str().expect("thread id").to_string();
    let page = format!("/threads/{thread_id}");
    let Some(m) = Browser::launch(&app.url, fr).await else {
        return;
    };
    sign_in_pages(&app, &m, &s.manager.email, 1).await;
    m.goto(&page).await;
    m.wait_for("[data-testid=thread-in-triage]").await;
    // A manager may add themselves, assign and remove the team; nothing of a responsible person.
    for testid in ["tm-thread-join", "tm-thread-assign", "tm-thread-remove-team"] {
        assert!(exists(&m, &format!("[data-testid={testid}]")).await, "{testid}");
    }
    for testid in ["tm-thread-return", "tm-thread-unassign"] {
        assert!(!exists(&m, &format!("[data-testid={testid}]")).await, "{testid}");
    }
    m.shoot("tm-thread-manager-triage").await;
    // A page left open while Pascale left the team: assigning her is refused, translated.
    add_option(&m, &format!("#tm-assign-{team}"), &p_id, "Pascale Pelletier").await;
    m.submit_form("form[action$='/assign']").await;
    m.assert_text(&t(fr, "error-not-team-member")).await;
    m.goto(&page).await;
    m.wait_for("[data-testid=thread-in-triage]").await;
    // The manager assigns Odile.
    m.select(&format!("#tm-assign-{team}"), &o_id).await;
    m.submit_form("form[action$='/assign']").await;
    m.wait_for_path(&page).await;
    m.assert_text(&t(fr, "tm-assigned")).await;
    m.wait_for_text_in("[data-testid=thread-responsible]", "Odile Ouellet")
        .await;
    assert!(!exists(&m, "[data-testid=thread-in-triage]").await);
    m.assert_no_console_errors("assigning from the thread").await;

    // ---- Odile sees herself responsible, with what a responsible participant may do.
    let Some(o) = Browser::launch(&app.url, fr).await else {
        return;
    };
    sign_in_pages(&app, &o, &s.outsider.email, 1).await;
    o.goto(&page).await;
    o.wait_for_text_in("[data-testid=thread-responsible]", "Odile Ouellet")
        .await;
    assert!(exists(&o, &format!("[data-testid=thread-responsible][data-id='{o_id}']")).await);
    for testid in ["tm-thread-return", "tm-thread-unassign", "tm-thread-invite"] {
        assert!(exists(&o, &format!("[data-testid={testid}]")).await, "{testid}");
    }
    for testid in ["tm-thread-assign", "tm-thread-remove-team", "tm-thread-join"] {
        assert!(!exists(&o, &format!("[data-testid={testid}]")).await, "{testid}");
    }
    o.shoot("tm-thread-responsible").await;
    // She invites Quentin, a teammate: he is now among the participants.
    o.select(&format!("#tm-invite-{team}"), &q_id).await;
    o.submit_form("form[action$='/invite']").await;
    o.wait_for_path(&page).await;
    o.assert_text(&t(fr, "tm-invited")).await;
    let quentin = format!("[data-testid=participants] li[data-kind='user'][data-id='{q_id}']");
    o.wait_for(&quentin).await;
    assert!(text_content(&o, &quentin).await.contains("Quentin Quirion"));
    let (status, _) = app.get(&page, Some(&s.q.token)).await;
    assert_eq!(status, 200, "Quentin reaches the thread");
    // The manager's open page follows live.
    m.wait_for(&quentin).await;
    // She unassigns herself: the thread is back in the triage box, out of her reach.
    o.submit_form("form[action$='/unassign']").await;
    o.wait_for_path("/teams").await;
    o.assert_text(&t(fr, "tm-unassigned")).await;
    let waiting = format!("[data-testid=tm-triage] li[data-id='{thread_id}']");
    o.wait_for_text_in(&waiting, TITLE).await;
    assert!(
        !exists(&o, &format!("{waiting} a.thr-item-title")).await,
        "no longer readable"
    );
    let (status, _) = app.get(&page, Some(&s.outsider.token)).await;
    assert_eq!(status, 404, "Odile no longer reaches the thread");
    o.assert_no_console_errors("inviting and unassigning").await;

    // ---- The manager sees it waiting again, then removes the team.
    m.wait_for("[data-testid=thread-in-triage]").await;
    m.shoot("tm-thread-manager-back-in-triage").await;
    m.submit_form("form[action$='/remove-team']").await;
    // Not in the thread in person, the manager no longer reaches it: back to the team.
    m.wait_for_path("/teams").await;
    m.assert_text(&t(fr, "tm-team-removed")).await;
    m.wait_for("[data-testid=team-box]").await;
    assert!(!exists(&m, &format!("#tm-box li[data-id='{thread_id}']")).await);
    let (status, view) = app.get(&page, Some(&s.writer.token)).await;
    assert_eq!(status, 200, "{view}");
    assert_eq!(view["teams"], json!([]), "{view}");
    let teams_left: Vec<&Value> = view["participants"]
        .as_array()
        .expect("participants")
        .iter()
        .filter(|p| p["kind"] == "team")
        .collect();
    assert!(teams_left.is_empty(), "{view}");
    m.assert_no_console_errors("removing the team").await;

    m.quit().await;
    o.quit().await;
}
