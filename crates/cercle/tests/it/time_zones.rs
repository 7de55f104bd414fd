//! Dates and time zones (issue 14, items 5 and 4), through the pages a
//! signed-in browser gets, on SQLite and PostgreSQL: an organization lives in
//! America/Montreal until an administrator chooses another zone (Halifax for
//! the Magdalen Islands); a person may choose their own, which wins; an
//! unknown zone is refused with a translated message; the same instant reads
//! an hour later in Halifax than in Montreal. The audit log speaks in words:
//! people by name, a person picker, translated event labels, local times,
//! and the reader's own page views hidden until asked for.

use crate::backends;
use crate::helpers::{join_by_invitation, org_member, org_with_admin, Invitee, PASSWORD};
use cercle_domain::local_time::{LocalTime, Zone};
use cercle_domain::Language;
use cercle_testkit::people::{csrf_of, page_client, sign_in_by_forms};
use cercle_testkit::{Db, TestApp};
use serde_json::json;

backends!(
    organization_zone_defaults_to_montreal_and_a_person_may_choose_their_own,
    an_unknown_time_zone_is_refused_in_the_readers_language,
    only_an_administrator_of_the_whole_organization_sets_its_zone,
    the_audit_log_speaks_in_words_and_local_time,
    birth_dates_are_dates_in_words,
);

/// A browser-like client (cookie jar) signed in through the pages, and its
/// CSRF token.
struct Web {
    client: reqwest::Client,
    csrf: String,
    url: String,
}

impl Web {
    /// Signed in (the screens in the account's language), then in `lang`.
    async fn sign_in(app: &TestApp, email: &str, nth_code_mail: usize, lang: &str) -> Web {
        let client = page_client();
        let r = sign_in_by_forms(app, &client, email, PASSWORD, nth_code_mail).await;
        let html = r.text().await.expect("html");
        // The device cookie is replaced on sign-in, and its CSRF token with it.
        let web = Web {
            client,
            csrf: csrf_of(&html),
            url: app.url.clone(),
        };
        let (status, _, html) = web.post("/language", &[("language", lang), ("next", "/")]).await;
        assert_eq!(status, 200, "{html}");
        web
    }

    async fn get(&self, path: &str) -> (u16, String) {
        let r = self
            .client
            .get(format!("{}{path}", self.url))
            .send()
            .await
            .expect("get");
        (r.status().as_u16(), r.text().await.expect("html"))
    }

    /// Posts a form; the status and page after redirects.
    async fn post(&self, path: &str, fields: &[(&str, &str)]) -> (u16, String, String) {
        let mut form = vec![("csrf", self.csrf.as_str())];
        form.extend_from_slice(fields);
        let r = self
            .client
            .post(format!("{}{path}", self.url))
            .form(&form)
            .send()
            .await
            .expect("post");
        let status = r.status().as_u16();
        let path = r.url().path().to_string();
        (status, path, r.text().await.expect("html"))
    }
}

fn time_in(zone: &str, lang: Language, unix_ms: i64) -> String {
    LocalTime::new(lang, Zone::parse(zone).expect("known zone")).date_time(unix_ms)
}

async fn organization_zone_defaults_to_montreal_and_a_person_may_choose_their_own(db: Db) {
    let app = TestApp::spawn(db).await;
    let org = org_with_admin(&app, "CISSS des Îles", "admin@iles.test").await;
    let member = org_member(&app, &org, &org.root, "julie@iles.test", "Julie Cormier", &["member"]).await;
    let now = app.ctx().clock.now().0;
    let admin = Web::sign_in(&app, &org.admin.email, 1, "fr").await;

    // The default: America/Montreal, on the organization's page and on the
    // person's security page, with the time of now in it.
    let (status, html) = admin.get("/admin/organization").await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("America/Montreal"), "{html}");
    let (_, security) = admin.get("/security").await;
    let montreal_now = time_in("America/Montreal", Language::Fr, now);
    assert!(security.contains(&montreal_now), "{montreal_now} in {security}");
    assert!(!security.contains(" UTC"), "no UTC left on the security page");

    // The Magdalen Islands follow Halifax: the same instant reads an hour later.
    let (status, path, html) = admin
        .post("/admin/organization/time-zone", &[("time_zone", "america/halifax")])
        .await;
    assert_eq!((status, path.as_str()), (200, "/admin/organization"), "{html}");
    assert!(html.contains("America/Halifax"), "{html}");
    let halifax_now = time_in("America/Halifax", Language::Fr, now);
    assert_ne!(halifax_now, montreal_now);
    let (mm, hm) = (
        Zone::montreal().weekday_minute(now).1,
        Zone::parse("America/Halifax").expect("zone").weekday_minute(now).1,
    );
    assert_eq!((mm + 60) % 1440, hm, "Halifax is an hour ahead of Montreal");
    let (_, security) = admin.get("/security").await;
    assert!(security.contains(&halifax_now), "{halifax_now} in {security}");
    assert!(security.contains("data-tz=\"America/Halifax\""));

    // Everyone of the organization who chose nothing follows it.
    let web = Web::sign_in(&app, &member.email, 1, "en").await;
    let (_, security) = web.get("/security").await;
    let halifax_en = time_in("America/Halifax", Language::En, now);
    assert!(security.contains(&halifax_en), "{halifax_en} in {security}");

    // A person's own choice wins over the organization's…
    let (status, path, html) = web.post("/security/time-zone", &[("time_zone", "Europe/Paris")]).await;
    assert_eq!((status, path.as_str()), (200, "/security"), "{html}");
    let paris_en = time_in("Europe/Paris", Language::En, now);
    assert!(html.contains(&paris_en), "{paris_en} in {html}");
    assert!(html.contains("data-tz=\"Europe/Paris\""));
    // …for them only.
    let (_, security) = admin.get("/security").await;
    assert!(security.contains(&halifax_now));
    // Cleared, they follow the organization again.
    let (_, _, html) = web.post("/security/time-zone", &[("time_zone", "")]).await;
    assert!(html.contains(&halifax_en), "{halifax_en} in {html}");

    // The zones are stored: read again from the database.
    let mut conn = app.ctx().store.reader().await.expect("conn");
    let org_row = cercle_store::orgs::org_by_id(&mut conn, org.id.parse().expect("org"))
        .await
        .expect("read")
        .expect("org");
    assert_eq!(org_row.time_zone, "America/Halifax");
}

async fn an_unknown_time_zone_is_refused_in_the_readers_language(db: Db) {
    let app = TestApp::spawn(db).await;
    let org = org_with_admin(&app, "Clinique du Port", "admin@port.test").await;
    let fr = Web::sign_in(&app, &org.admin.email, 1, "fr").await;
    let (status, _, html) = fr
        .post("/security/time-zone", &[("time_zone", "Mars/Olympus_Mons")])
        .await;
    assert_eq!(status, 422, "{html}");
    assert!(html.contains("Ce fuseau horaire est inconnu"), "{html}");
    // What was typed stays in the field.
    assert!(html.contains("value=\"Mars/Olympus_Mons\""), "{html}");
    let (status, _, html) = fr
        .post("/admin/organization/time-zone", &[("time_zone", "Atlantis/Capital")])
        .await;
    assert_eq!(status, 422, "{html}");
    assert!(html.contains("Ce fuseau horaire est inconnu"), "{html}");

    let en = Web::sign_in(&app, &org.admin.email, 2, "en").await;
    let (status, _, html) = en.post("/security/time-zone", &[("time_zone", "Nowhere/Town")]).await;
    assert_eq!(status, 422, "{html}");
    assert!(html.contains("This time zone is unknown"), "{html}");

    // Nothing was stored.
    let mut conn = app.ctx().store.reader().await.expect("conn");
    let (own, organization) =
        cercle_store::users::time_zones(&mut conn, &crate::helpers::id_of(&app, &org.admin).await)
            .await
            .expect("read");
    assert_eq!((own, organization.as_deref()), (None, Some("America/Montreal")));
}

async fn only_an_administrator_of_the_whole_organization_sets_its_zone(db: Db) {
    let app = TestApp::spawn(db).await;
    let org = org_with_admin(&app, "CIUSSS de l'Est", "admin@est.test").await;
    // An administrator of a unit below the root only.
    let (status, unit) = app
        .post(
            "/org/units",
            Some(&org.admin.token),
            json!({ "parent_id": org.root, "name": "Soins à domicile" }),
        )
        .await;
    assert_eq!(status, 201, "{unit}");
    let unit_id = unit["id"].as_str().expect("id").to_string();
    let chef = join_by_invitation(
        &app,
        &org,
        Invitee {
            unit: &unit_id,
            email: "chef@est.test",
            invited_as: "Chef",
            signs_up_as: "Chef d'unité",
            language: "fr",
            roles: &["administrator"],
        },
    )
    .await;

    let web = Web::sign_in(&app, &chef.email, 1, "fr").await;
    let (status, html) = web.get("/admin/organization").await;
    assert_eq!(status, 200, "{html}");
    assert!(
        html.contains("Seul un administrateur de toute l'organisation"),
        "{html}"
    );
    let (status, _, html) = web
        .post("/admin/organization/time-zone", &[("time_zone", "America/Halifax")])
        .await;
    assert_eq!(status, 403, "{html}");
    let mut conn = app.ctx().store.reader().await.expect("conn");
    let org_row = cercle_store::orgs::org_by_id(&mut conn, org.id.parse().expect("org"))
        .await
        .expect("read")
        .expect("org");
    assert_eq!(org_row.time_zone, "America/Montreal");
}

async fn the_audit_log_speaks_in_words_and_local_time(db: Db) {
    let app = TestApp::spawn(db).await;
    let org = org_with_admin(&app, "CISSS des Îles", "admin@iles.test").await;
    let julie = org_member(&app, &org, &org.root, "julie@iles.test", "Julie Cormier", &["member"]).await;
    let julie_id = crate::helpers::id_of(&app, &julie).await;
    let admin_id = crate::helpers::id_of(&app, &org.admin).await;
    let now = app.ctx().clock.now().0;
    let admin = Web::sign_in(&app, &org.admin.email, 1, "fr").await;
    // The administrator's own page views: the units page, then the log.
    let (status, _) = admin.get("/admin/units").await;
    assert_eq!(status, 200);
    let (status, html) = admin.get("/admin/audit").await;
    assert_eq!(status, 200, "{html}");

    // People by name, never by id; event labels in French with the code kept
    // in the title.
    assert!(html.contains(">Julie Cormier</a>"), "{html}");
    assert!(
        html.contains(">Marie Tremblay</a>"),
        "the administrator by name: {html}"
    );
    assert!(!html.contains(&format!(">…{}", &julie_id[julie_id.len() - 10..])));
    assert!(
        html.contains(
            "title=\"org.invitation_accepted\" data-testid=\"audit-event\">Invitation à l'organisation acceptée<"
        ),
        "{html}"
    );
    assert!(html.contains("title=\"CREATE\">Création<"), "{html}");
    // The person filter is a picker of the organization's people.
    assert!(
        html.contains(&format!("<option value=\"{julie_id}\">Julie Cormier</option>")),
        "{html}"
    );
    assert!(!html.contains("name=\"actor_id\" type=\"text\""));
    // Local time (Montreal, the default), never UTC.
    let montreal_now = time_in("America/Montreal", Language::Fr, now);
    assert!(html.contains(&montreal_now), "{montreal_now} in {html}");
    assert!(!html.contains(" UTC<"), "{html}");
    // The administrator's own page views are hidden by default…
    assert!(!html.contains("data-event=\"org.structure_listed\""), "{html}");
    assert!(!html.contains("data-event=\"audit.searched\""), "{html}");
    assert!(
        html.contains("name=\"own\" value=\"1\" data-testid=\"audit-own\""),
        "unticked: {html}"
    );
    // …and shown with the box ticked.
    let (_, shown) = admin.get("/admin/audit?own=1").await;
    assert!(shown.contains("name=\"own\" value=\"1\" checked"), "ticked: {shown}");
    assert!(shown.contains("data-event=\"org.structure_listed\""), "{shown}");
    assert!(shown.contains("data-event=\"audit.searched\""), "{shown}");
    assert!(shown.contains("Structure de l'organisation consultée"));

    // The picker filters by the person chosen.
    let (_, only) = admin.get(&format!("/admin/audit?actor_id={julie_id}")).await;
    assert!(only.contains(">Julie Cormier</a>"));
    assert!(!only.contains(">Marie Tremblay</a>"), "{only}");
    assert!(only.contains(&format!("<option value=\"{julie_id}\" selected>Julie Cormier</option>")));

    // The CSV keeps UTC and the codes.
    let (status, csv) = admin.get("/admin/audit.csv?own=1").await;
    assert_eq!(status, 200);
    assert!(csv.starts_with("seq,id,time_utc,"), "{csv}");
    assert!(csv.contains(" UTC,"), "{csv}");
    assert!(csv.contains(",org.invitation_accepted,"), "{csv}");
    assert!(csv.contains(&admin_id));

    // In Halifax time once the organization moves there, and in English.
    admin
        .post("/admin/organization/time-zone", &[("time_zone", "America/Halifax")])
        .await;
    let en = Web::sign_in(&app, &org.admin.email, 2, "en").await;
    let (_, html) = en.get("/admin/audit").await;
    let halifax_now = time_in("America/Halifax", Language::En, now);
    assert!(html.contains(&halifax_now), "{halifax_now} in {html}");
    assert!(html.contains("Organization invitation accepted"), "{html}");
    assert!(html.contains("Show my own page views"));

    // The security page: the person's own activity in words and local time.
    let (_, security) = en.get("/security").await;
    assert!(security.contains("title=\"auth.sign_in\">Signed in<"), "{security}");
    assert!(security.contains(&halifax_now), "{security}");
}

/// The audit log and the security page in a real headless Chromium: names,
/// French labels, Halifax time, the administrator's own page views hidden
/// until the box is ticked; the security page's activity in the same words
/// and time. `CERCLE_SCREENSHOTS=<dir>` saves the pages at 1280 and 375 px.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audit_page_in_a_browser() {
    use cercle_i18n::t;
    use cercle_testkit::browser::Browser;
    let app = TestApp::spawn(Db::Sqlite).await;
    let org = org_with_admin(&app, "CISSS des Îles", "admin@iles.test").await;
    org_member(&app, &org, &org.root, "julie@iles.test", "Julie Cormier", &["member"]).await;
    let now = app.ctx().clock.now().0;
    let fr = Language::Fr;
    let Some(b) = Browser::launch(&app.url, fr).await else {
        return;
    };
    crate::helpers::sign_in_pages(&app, &b, &org.admin.email, 1).await;

    // The Magdalen Islands follow Halifax.
    b.goto("/admin/organization").await;
    b.wait_for_path("/admin/organization").await;
    b.fill("#org-time-zone-field", "America/Halifax").await;
    b.submit_form("form[action='/admin/organization/time-zone']").await;
    b.assert_text(&t(fr, "admin-org-time-zone-saved")).await;
    b.shoot("admin-organization").await;

    b.goto("/admin/audit").await;
    b.wait_for_path("/admin/audit").await;
    let log = b.text("[data-testid=audit-results]").await;
    assert!(log.contains("Julie Cormier") && log.contains("Marie Tremblay"), "{log}");
    assert!(log.contains(&t(fr, "audit-ev-org-invitation-accepted")), "{log}");
    assert!(log.contains(&t(fr, "audit-ev-org-time-zone-changed")), "{log}");
    assert!(log.contains(&time_in("America/Halifax", fr, now)), "{log}");
    let own_view = t(fr, "audit-ev-org-structure-listed");
    assert!(!log.contains(&own_view), "own page views hidden: {log}");
    b.shoot("audit").await;
    b.click("#audit-own").await;
    b.submit_form("form[action='/admin/audit']").await;
    let log = b.text("[data-testid=audit-results]").await;
    assert!(log.contains(&own_view), "own page views shown: {log}");
    assert!(b.current_url().await.contains("own=1"));

    b.goto("/security").await;
    b.wait_for_path("/security").await;
    let activity = b.text("#activity").await;
    assert!(activity.contains(&t(fr, "audit-ev-auth-sign-in")), "{activity}");
    assert!(activity.contains(&time_in("America/Halifax", fr, now)), "{activity}");
    assert!(
        !activity.contains("UTC") && !activity.contains("auth.sign_in"),
        "{activity}"
    );
    b.shoot("security").await;
    b.quit().await;
}

async fn birth_dates_are_dates_in_words(db: Db) {
    let app = TestApp::spawn(db).await;
    let (_, manager, file) = crate::circle_api::manager_and_file(&app).await;
    let fr = Web::sign_in(&app, &manager.email, 1, "fr").await;
    let (status, html) = fr.get(&format!("/patients/{file}")).await;
    assert_eq!(status, 200, "{html}");
    assert!(
        html.contains("Né(e) le 2 mars 1941") && html.contains("<dd>2 mars 1941</dd>"),
        "{html}"
    );
    // The date stays YYYY-MM-DD only in the edit form's date field.
    assert_eq!(html.matches("1941-03-02").count(), 1, "{html}");
    let en = Web::sign_in(&app, &manager.email, 2, "en").await;
    let (_, html) = en.get(&format!("/patients/{file}")).await;
    assert!(html.contains("<dd>March 2, 1941</dd>"), "{html}");
}
