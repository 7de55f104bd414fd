//! One's network profile in a real headless Chromium: a new professional
//! fills their profile (markup stays text), frames and uploads a photo,
//! declares a profession and sends its proof; the network administrator
//! approves it from the verification queue in a second browser; the now
//! validated professional invites a colleague, who signs up through the
//! link and accepts in a third browser.
//! `CERCLE_SKIP_BROWSER=1` skips it; `CERCLE_SCREENSHOTS=<dir>` saves each
//! page at 1280 and 375 px wide.

use crate::helpers::finish_sign_up_in_pages;
use cercle_app::demo::{self, DEMO_PASSWORD};
use cercle_app::network::professions;
use cercle_app::Client;
use cercle_domain::policy::{Principal, UserPrincipal};
use cercle_domain::Language;
use cercle_domain::{SessionId, UserId};
use cercle_i18n::t;
use cercle_testkit::browser::Browser;
use cercle_testkit::people::sign_in_pages_as;
use cercle_testkit::{Db, TestApp};
use serde_json::json;
use std::path::PathBuf;

const USER: &str = "ines.profile@example.org";
const USER_NAME: &str = "Inès Lavoie";
const GUEST: &str = "nina.guest@example.org";
const GUEST_NAME: &str = "Nina Gagné";
const XSS: &str = "<script>alert(1)</script> & <b>bold</b>";

/// A 600 x 400 PNG (a gradient) and a tiny PDF, in a temp folder.
fn fixtures() -> (PathBuf, PathBuf) {
    let dir = cercle_testkit::temp_dir("cercle-profile-files");
    let png = dir.join("portrait.png");
    let img = image::RgbImage::from_fn(600, 400, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 160]));
    img.save(&png).expect("write png");
    let pdf = dir.join("permit.pdf");
    std::fs::write(
        &pdf,
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n",
    )
    .expect("write pdf");
    (png, pdf)
}

/// Sign-up through the pages, down to the page after the PIN (home, or
/// where home sends back to).
async fn sign_up(app: &TestApp, b: &Browser, name: &str, email: &str, prefilled: bool) {
    if !prefilled {
        b.goto("/sign-up").await;
        b.wait_for_path("/sign-up").await;
        b.fill("#f-email", email).await;
    }
    let typed = b
        .execute("return document.querySelector('#f-email').value;", vec![])
        .await
        .expect("email field");
    assert_eq!(typed, json!(email), "the address is filled in");
    b.fill("#f-name", name).await;
    finish_sign_up_in_pages(app, b, email).await;
}

/// The state of the first profession on the profile page.
async fn profession_status(b: &Browser) -> String {
    let v = b.wait_js("a profession status",
        "const s = document.querySelector('#professions [data-testid=netp-status]'); return s ? s.dataset.status : null;",
        |v| v.is_string(),
    )
    .await;
    v.as_str().unwrap_or("").to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_professional_builds_their_profile_and_is_validated() {
    let app = TestApp::spawn(Db::Sqlite).await;
    assert!(demo::seed(app.ctx()).await.expect("seed"));
    let (png, pdf) = fixtures();
    let en = Language::En;
    let Some(user) = Browser::launch(&app.url, en).await else {
        return;
    };
    sign_up(&app, &user, USER_NAME, USER, false).await;
    user.wait_for_path("/").await;

    // ---- The profile, empty.
    user.goto("/network/profile").await;
    user.wait_for_path("/network/profile").await;
    user.assert_text(&t(en, "netp-profile-title")).await;
    user.wait_for("[data-testid=netp-no-profession]").await;
    user.shoot("profile-empty").await;

    // ---- Texts are kept as typed and shown as text.
    user.fill("#netp-presentation", XSS).await;
    user.fill("#netp-diplomas", "MD, Université Laval (2012)").await;
    user.fill("#netp-other-languages", "es, de").await;
    user.fill("#netp-shared-phone", "514 555-1234").await;
    user.click("#netp-restrict").await;
    user.submit_form("form[action='/network/profile']").await;
    user.wait_for_path("/network/profile").await;
    user.assert_text(&t(en, "netp-profile-saved")).await;
    let shown = user
        .execute(
            "return [document.querySelector('#netp-presentation').value, \
                     document.querySelectorAll('main script, main b').length, \
                     document.querySelector('#netp-shared-phone').value, \
                     document.querySelector('#netp-other-languages').value, \
                     document.querySelector('#netp-restrict').checked];",
            vec![],
        )
        .await
        .expect("profile fields");
    assert_eq!(shown, json!([XSS, 0, "+15145551234", "es, de", true]));
    let alert = user.cmd(reqwest::Method::GET, "/alert/text", None).await;
    assert!(alert.is_err(), "no alert may open: {alert:?}");
    // A bad phone is refused in place, with what was typed kept.
    user.fill("#netp-shared-phone", "12").await;
    user.fill("#netp-competencies", "Soins palliatifs").await;
    user.submit_form("form[action='/network/profile']").await;
    user.assert_text(&t(en, "error-invalid-phone")).await;
    let kept = user
        .execute("return document.querySelector('#netp-competencies').value;", vec![])
        .await
        .expect("field");
    assert_eq!(kept, json!("Soins palliatifs"));
    user.fill("#netp-shared-phone", "514 555-1234").await;
    user.submit_form("form[action='/network/profile']").await;
    user.assert_text(&t(en, "netp-profile-saved")).await;

    // ---- A photo: something that is not a picture is refused at once.
    user.choose_file("#netp-photo-file", &pdf).await;
    user.wait_for_text(&t(en, "error-photo-not-an-image")).await;
    user.shoot("profile-photo-refused").await;
    // A real picture is framed, then sent.
    user.choose_file("#netp-photo-file", &png).await;
    user.wait_for("[data-photo-cropper]:not([hidden]) canvas").await;
    user.execute(
        "const z = document.querySelector('#netp-zoom'); z.value = '1.5'; z.dispatchEvent(new Event('input'));",
        vec![],
    )
    .await
    .expect("zoom");
    user.shoot("profile-photo-frame").await;
    user.click("[data-photo-save]").await;
    user.wait_js(
        "the photo saved",
        "return location.search === '?sent=photo' && document.readyState === 'complete';",
        |v| v == &json!(true),
    )
    .await;
    user.assert_text(&t(en, "netp-photo-saved")).await;
    let size = user
        .wait_js(
            "the photo loaded",
            "const i = document.querySelector('img[data-testid=netp-photo]'); \
         return i && i.complete && i.naturalWidth > 0 ? [i.naturalWidth, i.naturalHeight] : null;",
            |v| v.is_array(),
        )
        .await;
    assert_eq!(size, json!([256, 256]));

    // ---- A profession, then its proof.
    user.select("#netp-add-profession", "nurse").await;
    user.submit_form("form[action='/network/profile/professions']").await;
    user.wait_for_path("/network/profile").await;
    user.assert_text(&t(en, "netp-profession-added")).await;
    assert_eq!(profession_status(&user).await, "unverified");
    // No permit number: the server's message is shown.
    user.choose_file("form[data-proof] input[type=file]", &pdf).await;
    user.click("form[data-proof] button[type=submit]").await;
    user.wait_for_text(&t(en, "error-invalid-permit")).await;
    user.shoot("profile-proof-refused").await;
    user.fill("form[data-proof] input[name=permit_number]", "1234567").await;
    user.submit_form("form[data-proof]").await;
    user.wait_for_path("/network/profile").await;
    user.assert_text(&t(en, "netp-proof-sent")).await;
    assert_eq!(profession_status(&user).await, "pending");
    user.assert_text(&t(en, "netp-status-pending")).await;
    user.shoot("profile-pending").await;

    // The invitation page says why not yet.
    user.goto("/network/invite").await;
    user.wait_for_path("/network/invite").await;
    user.wait_for("[data-testid=netp-not-validated]").await;
    user.assert_no_console_errors("for the professional").await;

    // ---- The network administrator, in a second browser: the queue.
    let admin_person = demo::PEOPLE.iter().find(|p| p.network_admin).expect("demo admin");
    let fr = Language::parse(admin_person.language).expect("language");
    let Some(admin) = Browser::launch(&app.url, fr).await else {
        return;
    };
    sign_in_pages_as(&app, &admin, admin_person.email, DEMO_PASSWORD, 1).await;
    admin.wait_for_path("/").await;

    admin.goto("/network/verification").await;
    admin.wait_for_path("/network/verification").await;
    admin.assert_text(&t(fr, "netp-verify-title")).await;
    let item = format!("li[data-email='{USER}']");
    admin.wait_for(&item).await;
    assert_eq!(
        admin.text(&format!("{item} [data-testid=netp-permit]")).await,
        "1234567"
    );
    // The proof is the document sent, as a download.
    let proof = admin
        .execute(
            "const a = document.querySelector(arguments[0] + ' [data-testid=netp-proof-link]'); \
             const x = new XMLHttpRequest(); x.open('GET', a.href, false); x.send(); \
             return [x.status, x.getResponseHeader('content-type'), x.getResponseHeader('content-disposition'), x.responseText.slice(0, 8)];",
            vec![json!(item)],
        )
        .await
        .expect("proof");
    assert_eq!(proof[0], json!(200), "{proof}");
    assert_eq!(proof[1], json!("application/pdf"));
    assert!(
        proof[2].as_str().is_some_and(|d| d.starts_with("attachment")),
        "{proof}"
    );
    assert_eq!(proof[3], json!("%PDF-1.4"));
    // A rejection needs a reason.
    admin.click(&format!("{item} details.row-actions > summary")).await;
    admin.submit_form(&format!("{item} form[action$='/reject']")).await;
    admin.assert_text(&t(fr, "error-invalid-reason")).await;
    admin.shoot("profile-verification-queue").await;
    admin.submit_form(&format!("{item} form[action$='/approve']")).await;
    admin.wait_for_path("/network/verification").await;
    admin.assert_text(&t(fr, "netp-verify-approved")).await;
    admin.wait_for("[data-testid=netp-queue-empty]").await;

    // The console: the verification team and the organizations' right to validate.
    admin.goto("/admin/organizations").await;
    admin.wait_for_path("/admin/organizations").await;
    admin.fill("#netp-admin-verifier-email", "personne@example.org").await;
    admin.submit_form("form[action='/network/verifiers']").await;
    admin.wait_for_path("/network/verifiers").await;
    admin.assert_text(&t(fr, "netp-team-no-account")).await;
    let kept = admin
        .execute("return document.querySelector('#netp-verifier-email').value;", vec![])
        .await
        .expect("field");
    assert_eq!(kept, json!("personne@example.org"));
    admin.goto("/admin/organizations").await;
    admin.wait_for_path("/admin/organizations").await;
    admin.fill("#netp-admin-verifier-email", USER).await;
    admin.submit_form("form[action='/network/verifiers']").await;
    admin.wait_for_path("/admin/organizations").await;
    admin.assert_text(&t(fr, "netp-team-added")).await;
    admin.wait_for("#verification-team li[data-verifier]").await;
    // The administrator's active organization (demo: the CIUSSS) may validate.
    let active = admin.text("header [data-testid=active-org]").await;
    admin
        .submit_form(&format!("li[data-name='{active}'] form.netp-org-toggle"))
        .await;
    admin.wait_for_path("/admin/organizations").await;
    admin.assert_text(&t(fr, "netp-org-validation-on")).await;
    admin.wait_for("[data-testid=netp-org-validates]").await;
    admin.shoot("profile-admin-organizations").await;
    // A member of that organization declares a profession: its
    // administrator validates it from the members' page.
    let member = "daniel.okafor@demo.cercle.test";
    let member_id = {
        let mut conn = app.ctx().store.reader().await.expect("reader");
        cercle_store::users::by_email(&mut conn, member)
            .await
            .expect("user")
            .expect("demo member")
            .id
    };
    let as_member = Principal::User(UserPrincipal {
        user_id: UserId::parse(&member_id).expect("id"),
        session_id: SessionId::new(),
        network_admin: false,
        network_verifier: false,
        circle_only: false,
        service: None,
    });
    let declared = professions::add(app.ctx(), &Client::default(), &as_member, "nurse_practitioner", en)
        .await
        .expect("profession declared");
    admin.goto("/admin/members").await;
    admin.wait_for_path("/admin/members").await;
    let to_validate = format!("#member-professions li[data-profession-id='{}']", declared.id);
    admin.wait_for(&to_validate).await;
    admin.shoot("profile-admin-members").await;
    admin.submit_form(&format!("{to_validate} form")).await;
    admin.wait_for_path("/admin/members").await;
    admin.assert_text(&t(fr, "netp-member-validated")).await;
    assert!(admin.find(&to_validate).await.expect("find").is_none());
    admin.goto("/network/verifiers").await;
    admin.wait_for_path("/network/verifiers").await;
    admin
        .submit_form("#verification-team form[action='/network/verifiers/remove']")
        .await;
    admin.wait_for_path("/network/verifiers").await;
    admin.assert_text(&t(fr, "netp-team-removed")).await;
    admin.assert_text(&t(fr, "netp-team-empty")).await;
    admin.assert_no_console_errors("for the network administrator").await;
    admin.quit().await;

    // ---- Back to the professional: validated, they may invite.
    user.goto("/network/profile").await;
    user.wait_for_path("/network/profile").await;
    assert_eq!(profession_status(&user).await, "validated");
    user.assert_text(&t(en, "netp-via-verification-team")).await;
    user.shoot("profile-validated").await;
    user.goto("/network/invite").await;
    user.wait_for_path("/network/invite").await;
    user.fill("#netp-invite-email", GUEST).await;
    user.fill("#netp-invite-name", GUEST_NAME).await;
    user.select("#netp-invite-language", "fr").await;
    user.select("#netp-invite-profession", "pharmacist").await;
    user.submit_form("form[action='/network/invite']").await;
    user.wait_for_path("/network/invite").await;
    user.assert_text(&t(en, "netp-invite-sent")).await;
    user.wait_for(&format!("#sent li[data-email='{GUEST}']")).await;
    user.shoot("profile-invite").await;
    user.assert_no_console_errors("for the validated professional").await;
    user.quit().await;

    // ---- The guest follows the link, signs up, comes back, accepts.
    let mail = cercle_testkit::eventually("the network invitation", async || {
        app.smtp
            .to(GUEST)
            .into_iter()
            .find(|m| m.body.contains("/network/join/"))
    })
    .await;
    let at = mail.body.find("/network/join/").expect("link") + "/network/join/".len();
    let token: String = mail.body[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    let Some(guest) = Browser::launch(&app.url, fr).await else {
        return;
    };
    let landing = format!("/network/join/{token}");
    guest.goto(&landing).await;
    guest.wait_for_path(&landing).await;
    let profession = t(fr, "netp-join-profession");
    guest.assert_text(&profession).await;
    guest.assert_text(USER_NAME).await;
    guest.shoot("profile-join").await;
    guest.click_and_load("[data-testid=netp-join-sign-up]").await;
    guest.wait_for_path("/sign-up").await;
    sign_up(&app, &guest, GUEST_NAME, GUEST, true).await;
    // Home sends the new account back to the invitation.
    guest.wait_for_path(&landing).await;
    guest.wait_for("[data-testid=netp-join-accept]").await;
    guest
        .submit_form(&format!("form[action='/network/join/{token}/accept']"))
        .await;
    guest.wait_for_path("/network/profile").await;
    guest.assert_text(&t(fr, "netp-join-accepted")).await;
    assert_eq!(profession_status(&guest).await, "validated");
    guest.assert_text(&t(fr, "netp-via-vouch")).await;
    guest.shoot("profile-joined").await;
    guest.assert_no_console_errors("for the invited guest").await;
    guest.quit().await;
}
