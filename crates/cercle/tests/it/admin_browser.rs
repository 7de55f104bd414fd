//! Administration in a real headless Chromium: the first administrator
//! accepts their invitation through the landing page, creates a unit, a
//! workplace and a team, invites a newcomer who signs up and accepts in a
//! second browser, grants them a role, cancels one invitation and resends
//! another; then searches the audit log and downloads it as CSV.
//! `CERCLE_SKIP_BROWSER=1` skips it; `CERCLE_SCREENSHOTS=<dir>` saves each
//! page at 1280 and 375 px wide.

use crate::helpers::{enter_sign_up_code, finish_setup_in_pages, invitation_link, nth_sign_in_mail};
use cercle_app::demo::{self, DEMO_PASSWORD};
use cercle_app::orgs::{membership, structure};
use cercle_app::Client;
use cercle_domain::policy::Principal;
use cercle_domain::Language;
use cercle_i18n::{t, ta};
use cercle_testkit::browser::Browser;
use cercle_testkit::people::sign_in_pages_as;
use cercle_testkit::{find_code, Db, TestApp};
use serde_json::{json, Value};

const ORG: &str = "Clinique Test";
/// A demo account (French), made the organization's first administrator.
const ADMIN: &str = "marie.tremblay@demo.cercle.test";
const ADMIN_NAME: &str = "Dre Marie Tremblay";
const NEWCOMER: &str = "nora.newcomer@example.org";
const NEWCOMER_NAME: &str = "Nora Newcomer";
const TO_CANCEL: &str = "annule@example.org";
const TO_RESEND: &str = "renvoi@example.org";

/// The token of the `nth` invitation mailed to `email`.
async fn invitation_token(app: &TestApp, email: &str, nth: usize) -> String {
    crate::helpers::invitation_token(&invitation_link(app, email, nth).await)
}

/// The value of the option of a `<select>` whose text (tree dashes aside) is `text`.
async fn option_value(b: &Browser, select_css: &str, text: &str) -> String {
    let v = b
        .execute(
            "const s = document.querySelector(arguments[0]); if (!s) return null; \
             const o = [...s.options].find((o) => o.text.replace(/^(— )+/, '') === arguments[1]); \
             return o ? o.value : null;",
            vec![json!(select_css), json!(text)],
        )
        .await
        .ok();
    match v.as_ref().and_then(Value::as_str) {
        Some(value) => value.to_string(),
        None => b.fail(&format!("no option {text:?} in `{select_css}`")).await,
    }
}

async fn select_text(b: &Browser, select_css: &str, text: &str) {
    let value = option_value(b, select_css, text).await;
    b.select(select_css, &value).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_administrator_builds_the_organization_and_invites() {
    let app = TestApp::spawn(Db::Sqlite).await;
    assert!(demo::seed(app.ctx()).await.expect("seed"));
    let client = Client::default();
    let org = structure::create_organization(app.ctx(), &client, &Principal::Operator, ORG)
        .await
        .expect("organization");
    membership::invite_first_admin(
        app.ctx(),
        &client,
        &Principal::Operator,
        org.id,
        ADMIN,
        ADMIN_NAME,
        Language::Fr,
    )
    .await
    .expect("first administrator invited");
    let fr = Language::Fr;
    let Some(admin) = Browser::launch(&app.url, fr).await else {
        return;
    };

    // ---- The first administrator: invitation page, sign in, back to accept.
    let token = invitation_token(&app, ADMIN, 1).await;
    let landing = format!("/invitations/{token}");
    admin.goto(&landing).await;
    admin.wait_for_path(&landing).await;
    admin.assert_text(&ta(fr, "invitation-intro", &[("org", ORG)])).await;
    admin.assert_text(ADMIN).await;
    admin.shoot("invitation-landing").await;
    admin.click_and_load("[data-testid=invitation-sign-in]").await;
    admin.wait_for_path("/sign-in").await;
    admin.fill("#f-email", ADMIN).await;
    admin.fill("#f-password", DEMO_PASSWORD).await;
    admin.submit_form("form[action='/sign-in']").await;
    admin.wait_for_path("/code").await;
    let mail = nth_sign_in_mail(&app, ADMIN, 1).await;
    admin.fill("#f-code", &find_code(&mail.body).expect("code")).await;
    admin.submit_form("form[action='/code']").await;
    // Home sends them back to the invitation, now signed in.
    admin.wait_for_path(&landing).await;
    admin.assert_text(&t(fr, "invitation-accept")).await;
    admin
        .submit_form(&format!("form[action='/invitations/{token}/accept']"))
        .await;
    admin.wait_for_path("/").await;
    admin.assert_text(&t(fr, "invitation-accepted")).await;
    // The demo already put this person in other organizations, one of them
    // active: the header switches to the new one.
    if admin.find("header details.orgswitch").await.expect("find").is_some() {
        admin.click("header details.orgswitch > summary").await;
        admin.wait_for("header details.orgswitch[open]").await;
        admin.shoot("org-switcher").await;
        admin
            .click_and_load(&format!(
                "header form[action='/organizations/active']:has(input[value='{}']) button",
                org.id
            ))
            .await;
        admin.wait_for_path("/").await;
        admin.assert_text(&t(fr, "org-switched")).await;
    }
    // The active organization is in the header.
    assert_eq!(admin.text("header [data-testid=active-org]").await, ORG);
    admin.shoot("home-with-org").await;

    // ---- A unit under the root.
    admin.goto("/admin").await;
    admin.wait_for_path("/admin/units").await;
    admin.assert_text(&t(fr, "admin-unit-tree")).await;
    admin.fill("#new-unit-name", "Pédiatrie").await;
    admin.submit_form("form[action='/admin/units']").await;
    admin.wait_for_path("/admin/units").await;
    admin.assert_text(&t(fr, "admin-unit-created")).await;
    admin.wait_for("li[data-name='Pédiatrie']").await;
    // An empty name is refused in place, with the form kept.
    admin.fill("#new-unit-name", "   ").await;
    admin.submit_form("form[action='/admin/units']").await;
    admin.assert_text(&t(fr, "error-invalid-title")).await;
    admin
        .click("li[data-name='Pédiatrie'] details.row-actions > summary")
        .await;
    admin
        .wait_for("li[data-name='Pédiatrie'] details.row-actions[open]")
        .await;
    admin.shoot("admin-units").await;

    // ---- A workplace in that unit.
    admin.goto("/admin/workplaces").await;
    admin.wait_for_path("/admin/workplaces").await;
    select_text(&admin, "#new-workplace-unit", "Pédiatrie").await;
    admin.fill("#new-workplace-name", "Clinique du Parc").await;
    admin.select("#new-workplace-kind", "clinic").await;
    admin
        .fill("#new-workplace-address", "123, rue Principale, Montréal")
        .await;
    admin.fill("#new-workplace-phone", "514 555-1234").await;
    admin.submit_form("form[action='/admin/workplaces']").await;
    admin.wait_for_path("/admin/workplaces").await;
    admin.assert_text(&t(fr, "admin-workplace-created")).await;
    admin.wait_for("li[data-name='Clinique du Parc']").await;
    admin.assert_text(&t(fr, "workplace-kind-clinic")).await;
    admin.shoot("admin-workplaces").await;

    // ---- A team in the unit and the workplace.
    admin.goto("/admin/teams").await;
    admin.wait_for_path("/admin/teams").await;
    select_text(&admin, "#new-team-unit", "Pédiatrie").await;
    select_text(&admin, "#new-team-workplace", "Clinique du Parc").await;
    admin.fill("#new-team-name", "Soins à domicile").await;
    admin.submit_form("form[action='/admin/teams']").await;
    admin.wait_for_path("/admin/teams").await;
    admin.assert_text(&t(fr, "admin-team-created")).await;
    let team = admin.text("li[data-name='Soins à domicile']").await;
    assert!(
        team.contains("Pédiatrie") && team.contains("Clinique du Parc"),
        "{team}"
    );
    admin.shoot("admin-teams").await;

    // ---- Three invitations into the unit.
    admin.goto("/admin/invitations").await;
    admin.wait_for_path("/admin/invitations").await;
    for (email, name, lang) in [
        (NEWCOMER, NEWCOMER_NAME, "en"),
        (TO_CANCEL, "Paul Annulé", "fr"),
        (TO_RESEND, "Rita Renvoi", "fr"),
    ] {
        select_text(&admin, "#invite-unit", "Pédiatrie").await;
        admin.fill("#invite-email", email).await;
        admin.fill("#invite-name", name).await;
        admin.select("#invite-language", lang).await;
        admin.click("input[name=roles][value=team_participant]").await;
        admin.submit_form("form[action='/admin/invitations']").await;
        admin.wait_for_path("/admin/invitations").await;
        admin.assert_text(&t(fr, "admin-invitation-sent")).await;
        admin.wait_for(&format!("#pending li[data-email='{email}']")).await;
    }
    admin.shoot("admin-invitations").await;

    // Cancel one: it leaves the list and its link stops working.
    let cancelled_token = invitation_token(&app, TO_CANCEL, 1).await;
    admin
        .submit_form(&format!("li[data-email='{TO_CANCEL}'] form[action$='/cancel']"))
        .await;
    admin.wait_for_path("/admin/invitations").await;
    admin.assert_text(&t(fr, "admin-invitation-cancelled")).await;
    assert!(admin
        .find(&format!("li[data-email='{TO_CANCEL}']"))
        .await
        .expect("find")
        .is_none());
    admin.goto(&format!("/invitations/{cancelled_token}")).await;
    admin.wait_for_text(&t(fr, "error-link-invalid")).await;

    // Resend another: a second mail; the first link stops working, the new one works.
    admin.goto("/admin/invitations").await;
    admin.wait_for_path("/admin/invitations").await;
    let first_token = invitation_token(&app, TO_RESEND, 1).await;
    admin
        .submit_form(&format!("li[data-email='{TO_RESEND}'] form[action$='/resend']"))
        .await;
    admin.wait_for_path("/admin/invitations").await;
    admin.assert_text(&t(fr, "admin-invitation-resent")).await;
    let second_token = invitation_token(&app, TO_RESEND, 2).await;
    assert_ne!(first_token, second_token);
    admin.goto(&format!("/invitations/{first_token}")).await;
    admin.wait_for_text(&t(fr, "error-link-invalid")).await;
    let (status, info) = app.get(&format!("/invitations/{second_token}"), None).await;
    assert_eq!((status, info["org_name"].as_str()), (200, Some(ORG)), "{info}");

    // ---- The newcomer, in a second browser: signs up through the invitation.
    let en = Language::En;
    let Some(guest) = Browser::launch(&app.url, en).await else {
        return;
    };
    let token = invitation_token(&app, NEWCOMER, 1).await;
    let landing = format!("/invitations/{token}");
    guest.goto(&landing).await;
    guest.wait_for_path(&landing).await;
    guest.assert_text(&ta(en, "invitation-intro", &[("org", ORG)])).await;
    // Reached only from the emailed link (the accessibility walk of every
    // role does not follow it): axe-core at both widths.
    for width in [375, 1280] {
        guest.resize(width, 900).await;
        guest
            .assert_accessible(&format!("the organization invitation at {width} px"))
            .await;
    }
    guest.click_and_load("[data-testid=invitation-sign-up]").await;
    guest.wait_for_path("/sign-up").await;
    guest
        .assert_text(&ta(en, "signup-invited-intro", &[("org", ORG)]))
        .await;
    let prefilled = guest
        .execute(
            "return [document.querySelector('#f-email').value, document.querySelector('#f-name').value];",
            vec![],
        )
        .await
        .expect("prefilled fields");
    assert_eq!(prefilled, json!([NEWCOMER, NEWCOMER_NAME]));
    guest.shoot("sign-up-invited").await;
    guest.fill("#f-password", crate::helpers::PASSWORD).await;
    guest.submit_form("form[action='/sign-up']").await;
    enter_sign_up_code(&app, &guest, NEWCOMER).await;
    finish_setup_in_pages(&guest).await;
    // Sign-up done: straight back to the invitation, to accept it.
    guest.wait_for_path(&landing).await;
    guest
        .submit_form(&format!("form[action='/invitations/{token}/accept']"))
        .await;
    guest.wait_for_path("/").await;
    guest.assert_text(&t(en, "invitation-accepted")).await;
    assert_eq!(guest.text("header [data-testid=active-org]").await, ORG);
    // Not an administrator: no Admin entry, and the console says no.
    assert!(guest.find("a[href='/admin']").await.expect("find").is_none());
    guest.goto("/admin").await;
    guest.wait_for_text(&t(en, "error-forbidden")).await;
    guest.goto("/admin/units").await;
    guest.wait_for_text(&t(en, "error-forbidden")).await;
    guest.assert_no_console_errors("for the newcomer").await;
    guest.quit().await;

    // ---- The administrator grants the newcomer a role on the unit.
    admin.goto("/admin/members").await;
    admin.wait_for_path("/admin/members").await;
    let member = format!("li[data-email='{NEWCOMER}']");
    let roles = admin.text(&member).await;
    assert!(
        roles.contains(&t(fr, "role-team-participant")) && roles.contains("Pédiatrie"),
        "{roles}"
    );
    assert!(!roles.contains(&t(fr, "role-team-manager")), "{roles}");
    admin.click(&format!("{member} details.row-actions > summary")).await;
    admin
        .select(&format!("{member} select[name=role]"), "team_manager")
        .await;
    select_text(&admin, &format!("{member} select[name=unit_id]"), "Pédiatrie").await;
    admin.shoot("admin-member-manage").await;
    admin.submit_form(&format!("{member} form[action$='/roles']")).await;
    admin.wait_for_path("/admin/members").await;
    admin.assert_text(&t(fr, "admin-role-granted")).await;
    let roles = admin.text(&member).await;
    assert!(roles.contains(&t(fr, "role-team-manager")), "{roles}");
    admin.shoot("admin-members").await;

    // ---- The audit log: newest first, a filter, the CSV.
    admin.goto("/admin/audit").await;
    admin.wait_for_path("/admin/audit").await;
    // Events in words (the code stays in the cell's title).
    let granted = t(fr, "audit-ev-org-role-granted");
    let cancelled = t(fr, "audit-ev-org-invitation-cancelled");
    let log = admin.text("[data-testid=audit-results]").await;
    assert!(log.contains(&granted) && !log.contains("org.role_granted"), "{log}");
    admin.select("#audit-action", "UPDATE").await;
    admin.submit_form("form[action='/admin/audit']").await;
    let log = admin.text("[data-testid=audit-results]").await;
    assert!(log.contains(&cancelled) && !log.contains(&granted), "{log}");
    admin.shoot("admin-audit").await;
    let csv = admin
        .execute(
            "const x = new XMLHttpRequest(); x.open('GET', document.querySelector('[data-testid=audit-csv]').href, false); x.send(); \
             return [x.status, x.getResponseHeader('content-disposition'), x.responseText];",
            vec![],
        )
        .await
        .expect("csv download");
    assert_eq!(csv[0], json!(200), "{csv}");
    assert!(csv[1].as_str().unwrap_or("").starts_with("attachment"), "{csv}");
    let body = csv[2].as_str().unwrap_or("");
    assert!(body.starts_with("seq,id,time_utc"), "{body}");
    assert!(
        body.contains("org.invitation_resent") && !body.contains("org.role_granted"),
        "{body}"
    );

    admin.assert_no_console_errors("for the administrator").await;
    admin.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_network_administrator_creates_an_organization() {
    let app = TestApp::spawn(Db::Sqlite).await;
    assert!(demo::seed(app.ctx()).await.expect("seed"));
    let network_admin = demo::PEOPLE
        .iter()
        .find(|p| p.network_admin)
        .expect("a demo network administrator");
    let lang = Language::parse(network_admin.language).expect("language");
    let Some(b) = Browser::launch(&app.url, lang).await else {
        return;
    };
    sign_in_pages_as(&app, &b, network_admin.email, DEMO_PASSWORD, 1).await;
    b.wait_for_path("/").await;

    b.goto("/admin/organizations").await;
    b.wait_for_path("/admin/organizations").await;
    b.assert_text(&t(lang, "admin-network-settings")).await;
    b.assert_text(&t(lang, "admin-setting-development")).await;
    // A bad address is refused before anything is created.
    b.fill("#org-name", "Pharmacie du Quartier").await;
    b.fill("#org-admin-email", "not-an-address").await;
    b.fill("#org-admin-name", "Jeanne Pharmacienne").await;
    b.submit_form("form[action='/admin/organizations']").await;
    b.assert_text(&t(lang, "error-invalid-email")).await;
    assert!(b
        .find("li[data-name='Pharmacie du Quartier']")
        .await
        .expect("find")
        .is_none());
    // The form kept what was typed.
    b.fill("#org-admin-email", "jeanne@example.org").await;
    b.select("#org-admin-language", "fr").await;
    b.submit_form("form[action='/admin/organizations']").await;
    b.wait_for_path("/admin/organizations").await;
    b.assert_text(&t(lang, "admin-org-created")).await;
    b.wait_for("li[data-name='Pharmacie du Quartier']").await;
    let token = invitation_token(&app, "jeanne@example.org", 1).await;
    let (status, info) = app.get(&format!("/invitations/{token}"), None).await;
    assert_eq!(
        (status, info["org_name"].as_str(), info["name"].as_str()),
        (200, Some("Pharmacie du Quartier"), Some("Jeanne Pharmacienne")),
        "{info}"
    );
    b.shoot("admin-organizations").await;

    b.goto("/admin/network").await;
    b.wait_for_path("/admin/network").await;
    // Events in words (the code stays in the cell's title).
    b.wait_for_text(&t(lang, "audit-ev-org-created")).await;
    b.shoot("admin-network").await;
    b.assert_no_console_errors("for the network administrator").await;
    b.quit().await;
}
