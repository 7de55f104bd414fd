//! Organizations through the JSON API, on SQLite and PostgreSQL: isolation
//! between organizations, roles down the unit tree, removal, invitations and
//! the audit log.

use crate::backends;
use crate::helpers::{created_id, invitation_link, invitation_token, invited_member, org_with_admin, sign_up};
use cercle_app::orgs::{membership, structure};
use cercle_app::Client;
use cercle_domain::policy::Principal;
use cercle_domain::Language;
use cercle_testkit::{Db, TestApp};
use serde_json::{json, Value};

backends!(
    organizations_are_isolated,
    the_inactive_organization_is_out_of_reach,
    a_role_holds_below_not_above_or_beside,
    a_removed_member_loses_access_at_once,
    invitations_cancel_resend_expire_and_apply_silently,
    structure_refuses_bad_changes,
    audit_search_finds_events_and_exports_csv,
);

async fn ids_in(app: &TestApp, token: &str, path: &str) -> String {
    let (status, r) = app.get(path, Some(token)).await;
    assert_eq!(status, 200, "{path}: {r}");
    r.to_string()
}

async fn organizations_are_isolated(db: Db) {
    let app = TestApp::spawn(db).await;
    let a = org_with_admin(&app, "CIUSSS du Nord", "admin.a@nord.test").await;
    let b = org_with_admin(&app, "Clinique du Sud", "admin.b@sud.test").await;
    let tb = &b.admin.token;
    let b_unit = created_id(
        &app,
        tb,
        "/org/units",
        json!({ "parent_id": b.root, "name": "Pédiatrie" }),
    )
    .await;
    let b_workplace = created_id(
        &app,
        tb,
        "/org/workplaces",
        json!({ "unit_id": b_unit, "name": "Clinique Sud", "kind": "clinic", "address": "1 rue du Sud" }),
    )
    .await;
    let b_team = created_id(
        &app,
        tb,
        "/org/teams",
        json!({ "unit_id": b_unit, "name": "Équipe Sud" }),
    )
    .await;
    let b_member = invited_member(&app, &b, &b_unit, "infirmiere@sud.test", &["member"]).await;
    let (_, inv) = app
        .post(
            "/org/invitations",
            Some(tb),
            json!({ "unit_id": b_unit, "email": "x@sud.test", "name": "X", "professional": true, "roles": ["member"] }),
        )
        .await;
    let b_invitation = inv["invitation_id"].as_str().expect("id").to_string();
    let (_, members) = app.get("/org/members", Some(tb)).await;
    let b_grant = members["members"]
        .as_array()
        .expect("members")
        .iter()
        .flat_map(|m| m["grants"].as_array().cloned().unwrap_or_default())
        .next()
        .expect("a grant")["id"]
        .as_str()
        .expect("id")
        .to_string();
    let b_member_id = {
        let (_, me) = app.get("/account", Some(&b_member.token)).await;
        me["id"].as_str().expect("id").to_string()
    };

    // A's administrator reaches none of B's things: every call answers 404.
    let ta = &a.admin.token;
    let unit = json!({ "unit_id": b_unit, "name": "N", "kind": "clinic", "address": "A" });
    let calls: Vec<(&str, String, Value)> = vec![
        (
            "post",
            "/org/units".into(),
            json!({ "parent_id": b_unit, "name": "Intrusion" }),
        ),
        ("put", format!("/org/units/{b_unit}"), json!({ "name": "Renommée" })),
        ("put", format!("/org/units/{}", b.root), json!({})),
        ("post", "/org/workplaces".into(), unit.clone()),
        (
            "put",
            format!("/org/workplaces/{b_workplace}"),
            json!({ "unit_id": a.root, "name": "N", "kind": "clinic", "address": "A" }),
        ),
        ("post", "/org/teams".into(), json!({ "unit_id": b_unit, "name": "T" })),
        (
            "post",
            "/org/teams".into(),
            json!({ "unit_id": a.root, "workplace_id": b_workplace, "name": "T" }),
        ),
        (
            "put",
            format!("/org/teams/{b_team}"),
            json!({ "unit_id": a.root, "name": "T" }),
        ),
        (
            "post",
            format!("/org/members/{b_member_id}/roles"),
            json!({ "unit_id": a.root, "role": "member" }),
        ),
        (
            "post",
            format!("/org/members/{}/roles", a.root),
            json!({ "unit_id": b_unit, "role": "member" }),
        ),
        ("delete", format!("/org/members/{b_member_id}"), json!({})),
        ("delete", format!("/org/roles/{b_grant}"), json!({})),
        (
            "post",
            "/org/invitations".into(),
            json!({ "unit_id": b_unit, "email": "y@nord.test", "name": "Y", "professional": true, "roles": ["member"] }),
        ),
        ("post", format!("/org/invitations/{b_invitation}/cancel"), json!({})),
        ("post", format!("/org/invitations/{b_invitation}/resend"), json!({})),
        ("get", format!("/org/audit?unit_id={b_unit}"), json!({})),
        ("get", format!("/org/audit.csv?unit_id={b_unit}"), json!({})),
    ];
    for (method, path, body) in &calls {
        let (status, r) = match *method {
            "put" => app.put(path, Some(ta), body.clone()).await,
            "delete" => app.delete(path, Some(ta)).await,
            "get" => app.get(path, Some(ta)).await,
            _ => app.post(path, Some(ta), body.clone()).await,
        };
        assert_eq!(status, 404, "{method} {path} answered {status}: {r}");
    }
    // No list of A shows B's ids.
    for path in [
        "/org/structure",
        "/org/members",
        "/org/invitations",
        "/org/audit?limit=200",
    ] {
        let text = ids_in(&app, ta, path).await;
        for id in [
            &b.root,
            &b_unit,
            &b_workplace,
            &b_team,
            &b_member_id,
            &b_invitation,
            &b_grant,
        ] {
            assert!(!text.contains(id.as_str()), "{path} shows {id}");
        }
    }
    // B's side is untouched.
    let text = ids_in(&app, tb, "/org/structure").await;
    assert!(text.contains("Pédiatrie") && !text.contains("Intrusion") && !text.contains("Renommée"));
}

async fn the_inactive_organization_is_out_of_reach(db: Db) {
    let app = TestApp::spawn(db).await;
    let a = org_with_admin(&app, "CIUSSS du Nord", "admin@nord.test").await;
    // The same person is named administrator of a second organization.
    let client = Client::default();
    let b = structure::create_organization(app.ctx(), &client, &Principal::Operator, "Clinique du Sud")
        .await
        .expect("org");
    membership::invite_first_admin(
        app.ctx(),
        &client,
        &Principal::Operator,
        b.id,
        "admin@nord.test",
        "Admin",
        Language::Fr,
    )
    .await
    .expect("invite");
    let link = invitation_link(&app, "admin@nord.test", 2).await;
    let (status, orgs) = app
        .post(
            &format!("/invitations/{}/accept", invitation_token(&link)),
            Some(&a.admin.token),
            json!({}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        orgs["active"],
        a.id.as_str(),
        "accepting a second organization does not switch: {orgs}"
    );
    assert_eq!(orgs["organizations"].as_array().map(Vec::len), Some(2));
    let t = &a.admin.token;
    // B is inactive: its units are unreachable and unlisted.
    let (status, _) = app
        .post(
            "/org/units",
            Some(t),
            json!({ "parent_id": b.root_unit_id, "name": "Sud-Est" }),
        )
        .await;
    assert_eq!(status, 404);
    assert!(!ids_in(&app, t, "/org/structure")
        .await
        .contains(&b.root_unit_id.to_string()));
    // Switching is explicit; then B is reachable and A is not.
    let (status, r) = app
        .post("/organizations/active", Some(t), json!({ "org_id": b.id }))
        .await;
    assert_eq!(
        (status, r["active"].as_str()),
        (200, Some(b.id.to_string().as_str())),
        "{r}"
    );
    let (status, _) = app
        .post(
            "/org/units",
            Some(t),
            json!({ "parent_id": b.root_unit_id, "name": "Sud-Est" }),
        )
        .await;
    assert_eq!(status, 201);
    let (status, _) = app
        .post(
            "/org/units",
            Some(t),
            json!({ "parent_id": a.root, "name": "Nord-Est" }),
        )
        .await;
    assert_eq!(status, 404);
    // Nobody switches into an organization they do not belong to.
    let outsider = sign_up(&app, "outsider@test.test", "en").await;
    let (status, _) = app
        .post(
            "/organizations/active",
            Some(&outsider.token),
            json!({ "org_id": a.id }),
        )
        .await;
    assert_eq!(status, 404);
    let (status, e) = app.get("/org/structure", Some(&outsider.token)).await;
    assert_eq!(
        (status, e["code"].as_str()),
        (409, Some("no-active-organization")),
        "{e}"
    );
}

async fn a_role_holds_below_not_above_or_beside(db: Db) {
    let app = TestApp::spawn(db).await;
    let org = org_with_admin(&app, "CIUSSS du Nord", "admin@nord.test").await;
    let t = &org.admin.token;
    let north = created_id(&app, t, "/org/units", json!({ "parent_id": org.root, "name": "Nord" })).await;
    let clinic = created_id(
        &app,
        t,
        "/org/units",
        json!({ "parent_id": north, "name": "Clinique Nord" }),
    )
    .await;
    let south = created_id(&app, t, "/org/units", json!({ "parent_id": org.root, "name": "Sud" })).await;
    let chief = invited_member(&app, &org, &north, "chef@nord.test", &["administrator"]).await;
    let c = &chief.token;
    // Below: yes.
    let (status, r) = app
        .post(
            "/org/units",
            Some(c),
            json!({ "parent_id": clinic, "name": "Soins à domicile" }),
        )
        .await;
    assert_eq!(status, 201, "{r}");
    let (status, _) = app
        .post(
            "/org/teams",
            Some(c),
            json!({ "unit_id": north, "name": "Équipe Nord" }),
        )
        .await;
    assert_eq!(status, 201);
    // Above and beside: no.
    for parent in [&org.root, &south] {
        let (status, e) = app
            .post("/org/units", Some(c), json!({ "parent_id": parent, "name": "Non" }))
            .await;
        assert_eq!((status, e["code"].as_str()), (403, Some("forbidden")), "{e}");
    }
    let (status, _) = app
        .post("/org/teams", Some(c), json!({ "unit_id": south, "name": "Équipe Sud" }))
        .await;
    assert_eq!(status, 403);
    // The audit log they see is their subtree's only.
    let (status, page) = app.get("/org/audit?limit=200", Some(c)).await;
    assert_eq!(status, 200);
    let events = page["events"].as_array().expect("events");
    assert!(!events.is_empty());
    assert!(
        events
            .iter()
            .all(|e| e["unit_id"] != org.root.as_str() && e["unit_id"] != south.as_str()),
        "{page}"
    );
    let (status, _) = app.get(&format!("/org/audit?unit_id={south}"), Some(c)).await;
    assert_eq!(status, 200);
    // A member without roles of administration cannot invite.
    let nurse = invited_member(&app, &org, &clinic, "infirmiere@nord.test", &["member"]).await;
    let (status, _) = app.post("/org/invitations", Some(&nurse.token), json!({ "unit_id": clinic, "email": "z@nord.test", "name": "Z", "professional": true, "roles": ["member"] })).await;
    assert_eq!(status, 403);
    let (status, _) = app.get("/org/audit", Some(&nurse.token)).await;
    assert_eq!(status, 403, "auditing needs administrator or auditor");
}

async fn a_removed_member_loses_access_at_once(db: Db) {
    let app = TestApp::spawn(db).await;
    let org = org_with_admin(&app, "CIUSSS du Nord", "admin@nord.test").await;
    let nurse = invited_member(&app, &org, &org.root, "infirmiere@nord.test", &["member"]).await;
    let (status, _) = app.get("/org/structure", Some(&nurse.token)).await;
    assert_eq!(status, 200);
    let (_, me) = app.get("/account", Some(&nurse.token)).await;
    let id = me["id"].as_str().expect("id").to_string();
    let (status, _) = app.delete(&format!("/org/members/{id}"), Some(&org.admin.token)).await;
    assert_eq!(status, 204);
    // The same session, the very next request.
    let (status, e) = app.get("/org/structure", Some(&nurse.token)).await;
    assert_eq!(
        (status, e["code"].as_str()),
        (409, Some("no-active-organization")),
        "{e}"
    );
    let (status, orgs) = app.get("/organizations", Some(&nurse.token)).await;
    assert_eq!(status, 200);
    assert_eq!(orgs["organizations"].as_array().map(Vec::len), Some(0));
    // The last administrator cannot be removed, nor their role revoked.
    let (_, admin) = app.get("/account", Some(&org.admin.token)).await;
    let (status, e) = app
        .delete(
            &format!("/org/members/{}", admin["id"].as_str().expect("id")),
            Some(&org.admin.token),
        )
        .await;
    assert_eq!((status, e["code"].as_str()), (409, Some("last-administrator")), "{e}");
    let (_, members) = app.get("/org/members", Some(&org.admin.token)).await;
    let grant = members["members"][0]["grants"]
        .as_array()
        .expect("grants")
        .iter()
        .find(|g| g["role"] == "administrator")
        .expect("admin grant")["id"]
        .clone();
    let (status, e) = app
        .delete(
            &format!("/org/roles/{}", grant.as_str().expect("id")),
            Some(&org.admin.token),
        )
        .await;
    assert_eq!((status, e["code"].as_str()), (409, Some("last-administrator")), "{e}");
}

async fn invitations_cancel_resend_expire_and_apply_silently(db: Db) {
    let app = TestApp::spawn(db).await;
    let org = org_with_admin(&app, "CIUSSS du Nord", "admin@nord.test").await;
    let t = &org.admin.token;
    let invite = async |email: &str| {
        app.post(
            "/org/invitations",
            Some(t),
            json!({ "unit_id": org.root, "email": email, "name": "Invité", "professional": true, "roles": ["member"] }),
        )
        .await
    };
    // Cancelled: the link no longer works.
    let (_, r) = invite("annule@nord.test").await;
    let id = r["invitation_id"].as_str().expect("id").to_string();
    let link = invitation_link(&app, "annule@nord.test", 1).await;
    let (status, _) = app
        .post(&format!("/org/invitations/{id}/cancel"), Some(t), json!({}))
        .await;
    assert_eq!(status, 204);
    let p = sign_up(&app, "annule@nord.test", "fr").await;
    let (status, e) = app
        .post(
            &format!("/invitations/{}/accept", invitation_token(&link)),
            Some(&p.token),
            json!({}),
        )
        .await;
    assert_eq!((status, e["code"].as_str()), (410, Some("link-invalid")), "{e}");
    let (status, e) = app
        .post(&format!("/org/invitations/{id}/cancel"), Some(t), json!({}))
        .await;
    assert_eq!(
        (status, e["code"].as_str()),
        (409, Some("invitation-not-pending")),
        "{e}"
    );

    // Resent: the old link dies, the new one works.
    let (_, r) = invite("renvoi@nord.test").await;
    let id = r["invitation_id"].as_str().expect("id").to_string();
    let old = invitation_link(&app, "renvoi@nord.test", 1).await;
    let (status, _) = app
        .post(&format!("/org/invitations/{id}/resend"), Some(t), json!({}))
        .await;
    assert_eq!(status, 202);
    let new = invitation_link(&app, "renvoi@nord.test", 2).await;
    assert_ne!(old, new);
    let renvoi_person = sign_up(&app, "renvoi@nord.test", "fr").await;
    let (status, _) = app
        .post(
            &format!("/invitations/{}/accept", invitation_token(&old)),
            Some(&renvoi_person.token),
            json!({}),
        )
        .await;
    assert_eq!(status, 410);
    // Someone else cannot use it.
    let other = sign_up(&app, "autre@nord.test", "fr").await;
    let (status, e) = app
        .post(
            &format!("/invitations/{}/accept", invitation_token(&new)),
            Some(&other.token),
            json!({}),
        )
        .await;
    assert_eq!(
        (status, e["code"].as_str()),
        (409, Some("invitation-other-email")),
        "{e}"
    );
    let (status, _) = app
        .post(
            &format!("/invitations/{}/accept", invitation_token(&new)),
            Some(&renvoi_person.token),
            json!({}),
        )
        .await;
    assert_eq!(status, 200);

    // Expired after 7 days.
    let (_, r) = invite("tard@nord.test").await;
    assert!(r["invitation_id"].is_string());
    let link = invitation_link(&app, "tard@nord.test", 1).await;
    let (status, info) = app
        .get(&format!("/invitations/{}", invitation_token(&link)), None)
        .await;
    assert_eq!(
        (status, info["org_name"].as_str()),
        (200, Some("CIUSSS du Nord")),
        "{info}"
    );
    app.advance(7 * 24 * 3600 + 1);
    let p = sign_up(&app, "tard@nord.test", "fr").await;
    let (status, _) = app
        .post(
            &format!("/invitations/{}/accept", invitation_token(&link)),
            Some(&p.token),
            json!({}),
        )
        .await;
    assert_eq!(status, 410);

    // A week went by: the administrator's session locked itself.
    let (status, _) = app
        .post("/auth/unlock", Some(t), json!({ "pin": crate::helpers::PIN }))
        .await;
    assert_eq!(status, 200);
    // Still listed, and resending gives it seven new days.
    let (_, list) = app.get("/org/invitations", Some(t)).await;
    let late = list["invitations"]
        .as_array()
        .expect("list")
        .iter()
        .find(|i| i["email"] == "tard@nord.test")
        .expect("listed")["id"]
        .clone();
    let (status, _) = app
        .post(
            &format!("/org/invitations/{}/resend", late.as_str().expect("id")),
            Some(t),
            json!({}),
        )
        .await;
    assert_eq!(status, 202);
    let fresh = invitation_link(&app, "tard@nord.test", 2).await;
    let (status, _) = app
        .post(
            &format!("/invitations/{}/accept", invitation_token(&fresh)),
            Some(&p.token),
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "accepted with the new link");

    // A member invited into another unit: applied at once, no email.
    let north = created_id(&app, t, "/org/units", json!({ "parent_id": org.root, "name": "Nord" })).await;
    let before = app.smtp.to("renvoi@nord.test").len();
    let (status, r) = app.post("/org/invitations", Some(t), json!({ "unit_id": north, "email": "renvoi@nord.test", "name": "Invité", "administrative": true, "roles": ["auditor"] })).await;
    assert_eq!((status, r["outcome"].as_str()), (201, Some("applied")), "{r}");
    app.drain_outbox().await;
    assert_eq!(app.smtp.to("renvoi@nord.test").len(), before, "silent");
    let renvoi = renvoi_person.token.clone();
    let (status, _) = app
        .post("/auth/unlock", Some(&renvoi), json!({ "pin": crate::helpers::PIN }))
        .await;
    assert_eq!(status, 200);
    let (status, _) = app.get(&format!("/org/audit?unit_id={north}"), Some(&renvoi)).await;
    assert_eq!(status, 200, "the auditor role holds at once");

    // Bad invitations.
    let (status, e) = app.post("/org/invitations", Some(t), json!({ "unit_id": org.root, "email": "pas-un-courriel", "name": "X", "professional": true, "roles": ["member"] })).await;
    assert_eq!((status, e["code"].as_str()), (422, Some("invalid-email")), "{e}");
    let (status, e) = app
        .post(
            "/org/invitations",
            Some(t),
            json!({ "unit_id": org.root, "email": "a@b.ca", "name": "X", "professional": true, "roles": [] }),
        )
        .await;
    assert_eq!((status, e["code"].as_str()), (409, Some("no-role")), "{e}");
    let (status, _) = app
        .post(
            "/org/invitations",
            Some(t),
            json!({ "unit_id": org.root, "email": "a@b.ca", "name": "X", "professional": true, "roles": ["king"] }),
        )
        .await;
    assert_eq!(status, 400, "unknown role");
}

async fn structure_refuses_bad_changes(db: Db) {
    let app = TestApp::spawn(db).await;
    let org = org_with_admin(&app, "CIUSSS du Nord", "admin@nord.test").await;
    let t = &org.admin.token;
    let north = created_id(&app, t, "/org/units", json!({ "parent_id": org.root, "name": "Nord" })).await;
    let clinic = created_id(&app, t, "/org/units", json!({ "parent_id": north, "name": "Clinique" })).await;
    let south = created_id(&app, t, "/org/units", json!({ "parent_id": org.root, "name": "Sud" })).await;
    let cases: Vec<(&str, String, Value, u16, &str)> = vec![
        (
            "post",
            "/org/units".into(),
            json!({ "parent_id": org.root, "name": "Nord" }),
            409,
            "name-taken",
        ),
        (
            "post",
            "/org/units".into(),
            json!({ "parent_id": org.root, "name": "   " }),
            422,
            "invalid-title",
        ),
        (
            "put",
            format!("/org/units/{north}"),
            json!({ "parent_id": clinic }),
            409,
            "unit-cycle",
        ),
        (
            "put",
            format!("/org/units/{north}"),
            json!({ "parent_id": north }),
            409,
            "unit-cycle",
        ),
        (
            "put",
            format!("/org/units/{}", org.root),
            json!({ "archived": true }),
            409,
            "root-unit",
        ),
        (
            "put",
            format!("/org/units/{}", org.root),
            json!({ "parent_id": north }),
            409,
            "root-unit",
        ),
        (
            "put",
            format!("/org/units/{south}"),
            json!({ "name": "Nord" }),
            409,
            "name-taken",
        ),
        (
            "post",
            "/org/workplaces".into(),
            json!({ "unit_id": north, "name": "W", "kind": "castle", "address": "A" }),
            409,
            "invalid-kind",
        ),
        (
            "post",
            "/org/workplaces".into(),
            json!({ "unit_id": north, "name": "W", "kind": "clinic", "address": "A", "phone": "12" }),
            422,
            "invalid-phone",
        ),
    ];
    for (method, path, body, status, code) in cases {
        let (s, e) = if method == "put" {
            app.put(&path, Some(t), body.clone()).await
        } else {
            app.post(&path, Some(t), body.clone()).await
        };
        assert_eq!(
            (s, e["code"].as_str()),
            (status, Some(code)),
            "{method} {path} {body}: {e}"
        );
        assert!(
            e["message"].as_str().is_some_and(|m| !m.starts_with("error-")),
            "translated: {e}"
        );
    }
    // Nothing changed.
    let (_, s) = app.get("/org/structure", Some(t)).await;
    let units = s["units"].as_array().expect("units");
    assert_eq!(units.len(), 4);
    // A real move rewrites the subtree.
    let (status, _) = app
        .put(&format!("/org/units/{north}"), Some(t), json!({ "parent_id": south }))
        .await;
    assert_eq!(status, 204);
    let (_, s) = app.get("/org/structure", Some(t)).await;
    let path_of = |id: &str| {
        s["units"]
            .as_array()
            .expect("units")
            .iter()
            .find(|u| u["id"] == id)
            .expect("unit")["path"]
            .as_str()
            .expect("path")
            .to_string()
    };
    assert_eq!(path_of(&clinic), format!("/{}/{south}/{north}/{clinic}/", org.root));
    // Archive and restore.
    let (status, _) = app
        .put(&format!("/org/units/{clinic}"), Some(t), json!({ "archived": true }))
        .await;
    assert_eq!(status, 204);
    let (status, e) = app
        .post("/org/units", Some(t), json!({ "parent_id": clinic, "name": "Sous" }))
        .await;
    assert_eq!((status, e["code"].as_str()), (409, Some("archived")));
    let (status, _) = app
        .put(&format!("/org/units/{clinic}"), Some(t), json!({ "archived": false }))
        .await;
    assert_eq!(status, 204);
}

async fn audit_search_finds_events_and_exports_csv(db: Db) {
    let app = TestApp::spawn(db).await;
    let org = org_with_admin(&app, "CIUSSS du Nord", "admin@nord.test").await;
    let t = &org.admin.token;
    let north = created_id(&app, t, "/org/units", json!({ "parent_id": org.root, "name": "Nord" })).await;
    let team = created_id(&app, t, "/org/teams", json!({ "unit_id": north, "name": "Équipe" })).await;
    let (_, me) = app.get("/account", Some(t)).await;
    let admin_id = me["id"].as_str().expect("id").to_string();

    let (status, page) = app
        .get(&format!("/org/audit?actor_id={admin_id}&limit=200"), Some(t))
        .await;
    assert_eq!(status, 200);
    let names: Vec<&str> = page["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["event"].as_str())
        .collect();
    for expected in ["org.unit_created", "org.team_created", "org.invitation_accepted"] {
        assert!(names.contains(&expected), "{expected} in {names:?}");
    }
    let (_, page) = app
        .get(
            &format!("/org/audit?target_type=team&action=CREATE&unit_id={north}"),
            Some(t),
        )
        .await;
    let events = page["events"].as_array().expect("events");
    assert_eq!(events.len(), 1, "{page}");
    assert_eq!(events[0]["target_id"], team.as_str());
    // Date range: nothing in the future.
    let later = cercle_domain::Clock::now(app.clock.as_ref()).plus_secs(3600).0;
    let (_, page) = app.get(&format!("/org/audit?from={later}"), Some(t)).await;
    assert_eq!(page["events"].as_array().map(Vec::len), Some(0));
    // A range around now holds the events; a range that ends before them holds none.
    let earlier = later - 2 * 3600 * 1000;
    let (_, page) = app
        .get(
            &format!("/org/audit?from={earlier}&to={later}&target_type=team"),
            Some(t),
        )
        .await;
    assert_eq!(page["events"].as_array().map(Vec::len), Some(1), "{page}");
    let (_, page) = app.get(&format!("/org/audit?to={earlier}"), Some(t)).await;
    assert_eq!(page["events"].as_array().map(Vec::len), Some(0), "{page}");
    // Even when the clock steps back, time never goes back along the log.
    app.clock.advance_secs(-600);
    let (status, _) = app
        .post("/org/teams", Some(t), json!({ "unit_id": north, "name": "Équipe B" }))
        .await;
    assert_eq!(status, 201);
    let (_, page) = app.get("/org/audit?limit=2", Some(t)).await;
    let ats: Vec<i64> = page["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| e["at"].as_i64().expect("at"))
        .collect();
    assert!(ats[0] >= ats[1], "{ats:?}");
    app.clock.advance_secs(600);
    // Pagination walks older pages without repeats.
    let (_, first) = app.get("/org/audit?limit=2", Some(t)).await;
    let before = first["next_before_seq"].as_i64().expect("more pages");
    let (_, second) = app
        .get(&format!("/org/audit?limit=2&before_seq={before}"), Some(t))
        .await;
    assert!(second["events"]
        .as_array()
        .expect("events")
        .iter()
        .all(|e| e["seq"].as_i64().expect("seq") < before));
    let (status, e) = app.get("/org/audit?action=EAT", Some(t)).await;
    assert_eq!((status, e["code"].as_str()), (409, Some("invalid-action")));

    // CSV export holds the events, and is itself audited.
    let resp = app
        .http
        .get(format!("{}/api/v1/org/audit.csv?unit_id={north}", app.url))
        .bearer_auth(t)
        .send()
        .await
        .expect("csv");
    assert_eq!(resp.status().as_u16(), 200);
    assert!(resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.starts_with("text/csv")));
    let csv = resp.text().await.expect("text");
    assert!(csv.starts_with("seq,id,time_utc,"), "{csv}");
    assert!(csv.contains("org.team_created") && csv.contains(&team), "{csv}");
    let (_, page) = app.get("/org/audit?action=EXPORT", Some(t)).await;
    assert_eq!(page["events"][0]["event"], "audit.exported", "{page}");

    // Metadata only: no names or emails in the log.
    let (_, all) = app.get("/org/audit?limit=200", Some(t)).await;
    let text = all.to_string();
    assert!(!text.contains("Équipe") && !text.contains("admin@nord.test"), "{text}");

    // Tampering with an organization's event breaks the chain.
    let seq = events[0]["seq"].as_i64().expect("seq");
    assert_eq!(
        cercle_app::audit::verify(app.ctx()).await.expect("verify"),
        cercle_app::audit::ChainStatus::Intact {
            records: cercle_store::audit::head(&mut app.ctx().store.reader().await.expect("conn"))
                .await
                .expect("head")
                .0
        }
    );
    let mut tx = app.ctx().store.begin().await.expect("tx");
    sqlx::query("UPDATE audit_events SET action = 'READ' WHERE seq = $1")
        .bind(seq)
        .execute(&mut *tx)
        .await
        .expect("tamper");
    tx.commit().await.expect("commit");
    assert_eq!(
        cercle_app::audit::verify(app.ctx()).await.expect("verify"),
        cercle_app::audit::ChainStatus::Broken(cercle_domain::audit::ChainBreak::Altered { seq })
    );
}

/// A network administrator creates an organization and its first
/// administrator's invitation in one step; a bad invitation leaves nothing behind.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn network_administrator_creates_organizations_atomically() {
    let app = TestApp::spawn(Db::Sqlite).await;
    cercle_app::demo::seed(app.ctx()).await.expect("demo");
    let email = "admin@demo.cercle.test";
    let (status, s) = app
        .post(
            "/auth/sign-in",
            None,
            json!({ "email": email, "password": cercle_app::demo::DEMO_PASSWORD }),
        )
        .await;
    assert_eq!(status, 200, "{s}");
    let token = s["token"].as_str().expect("token").to_string();
    let mail = crate::helpers::nth_sign_in_mail(&app, email, 1).await;
    let (status, _) = app
        .post(
            "/auth/code",
            Some(&token),
            json!({ "code": cercle_testkit::find_code(&mail.body).expect("code") }),
        )
        .await;
    assert_eq!(status, 200);
    let (_, before) = app.get("/network/organizations", Some(&token)).await;
    let count = before["organizations"].as_array().map(Vec::len).expect("list");

    let (status, e) = app
        .post(
            "/network/organizations",
            Some(&token),
            json!({ "name": "Clinique Neuve", "admin_email": "pas-un-courriel", "admin_name": "X" }),
        )
        .await;
    assert_eq!((status, e["code"].as_str()), (422, Some("invalid-email")), "{e}");
    let (_, after) = app.get("/network/organizations", Some(&token)).await;
    assert_eq!(
        after["organizations"].as_array().map(Vec::len),
        Some(count),
        "nothing was created"
    );

    let (status, r) = app
        .post("/network/organizations", Some(&token), json!({ "name": "Clinique Neuve", "admin_email": "chef@neuve.test", "admin_name": "Chef", "admin_language": "en" }))
        .await;
    assert_eq!(
        (status, r["invitation"]["outcome"].as_str()),
        (201, Some("sent")),
        "{r}"
    );
    let mail = app.smtp.wait_subject("chef@neuve.test", "Clinique Neuve", 0).await;
    assert!(
        mail.subject.contains("invites you"),
        "English invitation: {}",
        mail.subject
    );
    let (status, _) = app
        .post(
            "/network/organizations",
            Some(&token),
            json!({ "name": "Clinique Neuve", "admin_email": "autre@neuve.test", "admin_name": "Autre" }),
        )
        .await;
    assert_eq!(status, 409, "names are unique");

    // Only network administrators.
    let someone = sign_up(&app, "someone@test.test", "fr").await;
    let (status, _) = app
        .post(
            "/network/organizations",
            Some(&someone.token),
            json!({ "name": "X", "admin_email": "a@b.ca", "admin_name": "A" }),
        )
        .await;
    assert_eq!(status, 403);
    let (status, _) = app.get("/network/organizations", Some(&someone.token)).await;
    assert_eq!(status, 403);
}
