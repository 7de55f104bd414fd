//! The network in a real headless Chromium: two colleagues (members of one
//! organization, who signed up and accepted their invitations). One finds
//! the other by a misspelt name typed in reverse order, opens the profile
//! (no phone number), adds them to the directory, sends a friend request;
//! the other accepts it in a second browser; the shared phone number then
//! shows on the profile. Then an independent workplace is created and
//! found. `CERCLE_SKIP_BROWSER=1` skips it; `CERCLE_SCREENSHOTS=<dir>`
//! saves each page at 1280 and 375 px wide.

use crate::helpers::{org_member, org_with_first_admin, sign_up_named, Person};
use cercle_domain::Language;
use cercle_i18n::t;
use cercle_testkit::browser::Browser;
use cercle_testkit::people::sign_in;
use cercle_testkit::{Db, TestApp};
use serde_json::{json, Value};

/// The searcher (English), first administrator of the organization.
const A_EMAIL: &str = "daniel.okafor@clinique.test";
const A_NAME: &str = "Daniel Okafor";
/// The one found (French), invited into the organization by A.
const B_EMAIL: &str = "jf.belanger@clinique.test";
const B_NAME: &str = "Jean-François Bélanger";
const PHONE: &str = "514 555 0199";
const PHONE_SHOWN: &str = "+1 514 555-0199";
const PLACE: &str = "Pharmacie du Quai";

/// A and B, both signed up through the API, colleagues in one organization:
/// A its first administrator, B invited by A.
async fn colleagues(app: &TestApp) -> (Person, Person) {
    let a = sign_up_named(app, A_EMAIL, A_NAME, "en").await;
    let org = org_with_first_admin(app, "Clinique du Fleuve", a, A_NAME, Language::En).await;
    let b = org_member(app, &org, &org.root, B_EMAIL, B_NAME, &["member"]).await;
    (org.admin, b)
}

/// A small PNG (a violet square with a white band), for the profile photo.
fn photo_png() -> Vec<u8> {
    let mut img = image::RgbImage::new(120, 120);
    for (_, y, px) in img.enumerate_pixels_mut() {
        *px = if (50..70).contains(&y) {
            image::Rgb([255, 255, 255])
        } else {
            image::Rgb([91, 46, 145])
        };
    }
    let mut png = Vec::new();
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .expect("png");
    png
}

/// Waits until the image matching `css` has loaded with some pixels.
async fn wait_for_image(b: &Browser, css: &str) {
    b.wait_until(&format!("image `{css}` loaded"), async || {
        let v = b
            .execute(
                "const i = document.querySelector(arguments[0]); return !!(i && i.complete && i.naturalWidth > 0);",
                vec![json!(css)],
            )
            .await
            .ok()?;
        (v == json!(true)).then_some(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn colleagues_find_each_other_and_friends_see_the_shared_phone() {
    let app = TestApp::spawn(Db::Sqlite).await;
    let (_, b_person) = colleagues(&app).await;
    let b_token = b_person.token.clone();

    // ---- B fills in a profile through the API: a phone for friends only,
    // a presentation holding markup (shown as typed), and a photo.
    let (status, mine) = app
        .put(
            "/network/profile",
            Some(&b_token),
            json!({
                "shared_phone": PHONE,
                "presentation": "<b>Physiothérapeute</b>\nRéadaptation à domicile.",
                "languages": ["fr", "en"],
                "contact": "Clinique du Fleuve, 418 555-0100",
            }),
        )
        .await;
    assert_eq!(status, 200, "{mine}");
    let b_id = mine["id"].as_str().expect("id").to_string();
    let upload = app
        .http
        .put(format!("{}/api/v1/network/profile/photo", app.url))
        .bearer_auth(&b_token)
        .body(photo_png())
        .send()
        .await
        .expect("photo upload");
    assert_eq!(upload.status().as_u16(), 200, "photo upload");
    let profile = format!("/network/people/{b_id}");

    // ---- A, in English: the network page.
    let en = Language::En;
    let Some(a) = Browser::launch(&app.url, en).await else {
        return;
    };
    sign_in(&app, &a, A_EMAIL, 1).await;
    a.click_and_load("nav.mainnav a[href='/network']").await;
    a.wait_for_path("/network").await;
    a.assert_text(&t(en, "net-search-empty")).await;
    a.shoot("network-home").await;

    // Too short a query is refused with a message, the form kept.
    a.fill("#net-q", "t").await;
    a.submit_form("form.net-search").await;
    a.wait_for_path("/network").await;
    a.assert_text(&t(en, "error-search-too-short")).await;

    // Reversed order and a typo still find B, marked as a colleague; A has
    // no validated profession, so the page says why the rest of the network
    // is missing.
    a.fill("#net-q", "belanjer jean").await;
    a.submit_form("form.net-search").await;
    a.wait_for_path("/network").await;
    let result = format!("[data-testid=results] li[data-id='{b_id}']");
    let line = a.text(&result).await;
    assert!(
        line.contains(B_NAME) && line.contains(&t(en, "net-colleague")),
        "{line}"
    );
    a.assert_text(&t(en, "error-profession-not-validated")).await;
    wait_for_image(&a, &format!("{result} img.net-avatar")).await;
    a.shoot("network-search").await;

    // ---- The profile: no phone number for a colleague who is not a friend.
    a.click_and_load(&format!("{result} a.net-name")).await;
    a.wait_for_path(&profile).await;
    assert_eq!(a.text("[data-testid=profile-name]").await, B_NAME);
    a.assert_text("<b>Physiothérapeute</b>").await;
    a.assert_text(&t(en, "language-fr")).await;
    wait_for_image(&a, ".net-profile img.net-avatar").await;
    assert!(a.find("[data-testid=shared-phone]").await.expect("find").is_none());
    assert!(!a.page_text().await.contains("555-0199"), "phone shown to a non-friend");
    a.shoot("network-profile").await;

    // Add to my directory: the directory lists B.
    a.click_and_load(&format!("form[action='{profile}/directory'] button"))
        .await;
    a.wait_for_path(&profile).await;
    a.assert_text(&t(en, "net-directory-added")).await;
    a.wait_for(&format!("form[action='{profile}/directory/remove']")).await;
    a.click_and_load("nav.net-subnav a[href='/network/directory']").await;
    a.wait_for_path("/network/directory").await;
    let entry = format!("[data-testid=directory-people] li[data-id='{b_id}']");
    assert!(a.text(&entry).await.contains(B_NAME));
    a.shoot("network-directory").await;

    // Back to the profile: a friend request, shown as sent.
    a.click_and_load(&format!("{entry} a.net-name")).await;
    a.wait_for_path(&profile).await;
    a.click_and_load(&format!("form[action='{profile}/friend'] button"))
        .await;
    a.wait_for_path(&profile).await;
    a.assert_text(&t(en, "net-friend-requested")).await;
    assert_eq!(a.text("[data-testid=friend-state]").await, t(en, "net-request-sent"));
    assert!(a.find("[data-testid=shared-phone]").await.expect("find").is_none());
    a.shoot("network-request-sent").await;
    a.assert_no_console_errors("while searching and asking").await;

    // ---- B, in French in a second browser: the request waits on the
    // Friends tab; B accepts it.
    let fr = Language::Fr;
    let Some(b) = Browser::launch(&app.url, fr).await else {
        return;
    };
    sign_in(&app, &b, B_EMAIL, 1).await;
    b.goto("/network").await;
    b.wait_for_path("/network").await;
    let tab = b.text("[data-testid=friends-tab]").await;
    assert!(tab.contains(&t(fr, "net-tab-friends")) && tab.contains('1'), "{tab}");
    b.click_and_load("[data-testid=friends-tab]").await;
    b.wait_for_path("/network/friends").await;
    let request = b.text("[data-testid=incoming] li").await;
    assert!(request.contains(A_NAME), "{request}");
    b.shoot("network-friends-request").await;
    b.click_and_load("[data-testid=incoming] form[action$='/accept'] button")
        .await;
    b.wait_for_path("/network/friends").await;
    b.assert_text(&t(fr, "net-friend-accepted")).await;
    assert!(b.text("[data-testid=friends] li").await.contains(A_NAME));
    assert!(b.find("[data-testid=incoming]").await.expect("find").is_none());
    b.shoot("network-friends").await;
    b.assert_no_console_errors("while accepting").await;
    b.quit().await;

    // ---- A reloads the profile: friends now, the phone number shows.
    a.goto(&profile).await;
    a.wait_for_path(&profile).await;
    assert_eq!(a.text("[data-testid=friend-state]").await, t(en, "net-friends-already"));
    assert_eq!(a.text("[data-testid=shared-phone]").await, PHONE_SHOWN);
    let href = a
        .execute(
            "return document.querySelector('[data-testid=shared-phone]').getAttribute('href');",
            vec![],
        )
        .await
        .expect("href");
    assert_eq!(href, Value::String("tel:+15145550199".into()));
    a.shoot("network-profile-friend").await;

    // ---- An independent workplace: created, then found by a prefix.
    a.click_and_load("nav.net-subnav a[href='/network/workplaces']").await;
    a.wait_for_path("/network/workplaces").await;
    a.click("details.net-create > summary").await;
    a.wait_for("details.net-create[open]").await;
    a.fill("#wp-name", PLACE).await;
    a.select("#wp-kind", "pharmacy").await;
    a.fill("#wp-address", "12, rue du Quai, Lévis").await;
    a.submit_form("form[action='/network/workplaces']").await;
    a.wait_for_text(&t(en, "net-workplace-created")).await;
    assert_eq!(a.text("[data-testid=workplace-name]").await, PLACE);
    a.wait_for("[data-testid=i-work-here]").await;
    assert!(a.text("[data-testid=members]").await.contains(A_NAME));
    a.shoot("network-workplace").await;
    a.goto("/network/workplaces").await;
    a.wait_for_path("/network/workplaces").await;
    a.assert_text(PLACE).await;
    a.shoot("network-workplaces").await;
    a.goto("/network?q=quai&kind=workplace").await;
    a.wait_for_path("/network").await;
    let found = a.text("[data-testid=results] li[data-kind=workplace]").await;
    assert!(
        found.contains(PLACE) && found.contains(&t(en, "workplace-kind-pharmacy")),
        "{found}"
    );

    // A page that does not exist, or a person one may not see, is a 404 page.
    a.goto("/network/people/0190f0f0-0000-7000-8000-000000000000").await;
    a.wait_for_text(&t(en, "error-not-found")).await;
    a.assert_no_console_errors("on the workplace pages").await;
    a.quit().await;
}
