//! The network through the JSON API: profession validation, search quality,
//! every visibility rule tried from the side that must be refused, the
//! directory, friends, workplaces, photos and limits.

use crate::backends;
use crate::helpers::{add_members, id_of, make_network_admin, org_with_admin, org_with_members, sign_up_named, Person};
use cercle_testkit::{find_link, status_and_json, Db, TestApp};
use serde_json::{json, Value};

backends!(
    professions_are_validated_by_the_team_by_vouching_and_by_organizations,
    search_is_accent_case_order_insensitive_with_prefixes_and_one_typo,
    visibility_rules_refuse_the_wrong_side,
    friends_request_accept_ignore_and_unfriend,
    directory_is_private_and_silent,
    workplaces_are_browsed_joined_and_left,
    photos_are_reencoded_and_bad_input_is_refused,
    enumeration_is_rate_limited,
);

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

/// A person made network administrator (the flag the bootstrap sets; the
/// bootstrap itself is tested with the CLI).
async fn network_admin(app: &TestApp) -> Person {
    let p = sign_up_named(app, "admin@reseau.test", "Réseau Admin", "fr").await;
    make_network_admin(app, &p).await;
    p
}

async fn put_raw(app: &TestApp, path: &str, token: &str, body: Vec<u8>) -> (u16, Value) {
    let r = app
        .http
        .put(format!("{}/api/v1{path}", app.url))
        .bearer_auth(token)
        .body(body)
        .send()
        .await
        .expect("upload");
    status_and_json(r).await
}

/// Declares a profession and sends its proof; returns the profession id.
async fn claim(app: &TestApp, p: &Person, profession: &str) -> String {
    let (status, r) = app
        .post(
            "/network/professions",
            Some(&p.token),
            json!({ "profession": profession }),
        )
        .await;
    assert_eq!(status, 201, "{r}");
    assert_eq!(r["status"], "unverified");
    let id = r["id"].as_str().expect("id").to_string();
    let (status, r) = put_raw(
        app,
        &format!("/network/professions/{id}/proof?permit_number=12-345"),
        &p.token,
        PDF.to_vec(),
    )
    .await;
    assert_eq!((status, r["status"].as_str()), (200, Some("pending")), "{r}");
    id
}

/// A professional validated by the verification team.
async fn validated(app: &TestApp, admin: &Person, email: &str, name: &str, profession: &str) -> Person {
    let p = sign_up_named(app, email, name, "fr").await;
    let id = claim(app, &p, profession).await;
    let (status, r) = app
        .post(
            &format!("/network/verification/{id}/approve"),
            Some(&admin.token),
            json!({}),
        )
        .await;
    assert_eq!(status, 204, "{r}");
    p
}

async fn search(app: &TestApp, p: &Person, query: &str) -> Value {
    let (status, r) = app
        .get(&format!("/network/search?q={}", urlencode(query)), Some(&p.token))
        .await;
    assert_eq!(status, 200, "{query}: {r}");
    r
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn names(r: &Value) -> Vec<String> {
    r["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|x| x["name"].as_str().unwrap_or_default().to_string())
        .collect()
}

async fn professions_are_validated_by_the_team_by_vouching_and_by_organizations(db: Db) {
    let app = TestApp::spawn(db).await;
    let admin = network_admin(&app).await;
    let nurse = sign_up_named(&app, "ines@clinique.test", "Inès Haddad", "fr").await;

    // Unknown professions and bad proofs are refused, clearly.
    let (status, r) = app
        .post(
            "/network/professions",
            Some(&nurse.token),
            json!({ "profession": "wizard" }),
        )
        .await;
    assert_eq!((status, r["code"].as_str()), (422, Some("unknown-profession")), "{r}");
    let (status, r) = app
        .post(
            "/network/professions",
            Some(&nurse.token),
            json!({ "profession": "nurse" }),
        )
        .await;
    assert_eq!(status, 201, "{r}");
    let id = r["id"].as_str().unwrap().to_string();
    let (status, r) = put_raw(
        &app,
        &format!("/network/professions/{id}/proof?permit_number=12-345"),
        &nurse.token,
        b"<html><script>alert(1)</script></html>".to_vec(),
    )
    .await;
    assert_eq!((status, r["code"].as_str()), (422, Some("invalid-document")), "{r}");
    let (status, r) = put_raw(
        &app,
        &format!("/network/professions/{id}/proof?permit_number=%3Cb%3E"),
        &nurse.token,
        PDF.to_vec(),
    )
    .await;
    assert_eq!((status, r["code"].as_str()), (422, Some("invalid-permit")), "{r}");
    let mut big = PDF.to_vec();
    big.resize(6 * 1024 * 1024, b' ');
    let (status, r) = put_raw(
        &app,
        &format!("/network/professions/{id}/proof?permit_number=1"),
        &nurse.token,
        big,
    )
    .await;
    assert_eq!((status, r["code"].as_str()), (422, Some("document-too-large")), "{r}");

    // Proof sent: pending. Only the team may decide or read the proof.
    let (status, r) = put_raw(
        &app,
        &format!("/network/professions/{id}/proof?permit_number=12-345"),
        &nurse.token,
        PDF.to_vec(),
    )
    .await;
    assert_eq!((status, r["status"].as_str()), (200, Some("pending")), "{r}");
    let other = sign_up_named(&app, "curieux@ailleurs.test", "Paul Curieux", "fr").await;
    let (status, _) = app
        .post(
            &format!("/network/verification/{id}/approve"),
            Some(&other.token),
            json!({}),
        )
        .await;
    assert_eq!(status, 403, "not on the team");
    let (status, _) = app.get("/network/verification", Some(&other.token)).await;
    assert_eq!(status, 403);
    let (status, _) = app
        .get(&format!("/network/professions/{id}/proof"), Some(&other.token))
        .await;
    assert_eq!(status, 404, "someone else's proof");

    // The team rejects with a reason the person reads (and is emailed).
    let (status, q) = app.get("/network/verification", Some(&admin.token)).await;
    assert_eq!(status, 200);
    assert!(q["pending"].to_string().contains("Inès Haddad"), "{q}");
    let (status, r) = app
        .post(
            &format!("/network/verification/{id}/reject"),
            Some(&admin.token),
            json!({ "reason": "" }),
        )
        .await;
    assert_eq!(
        (status, r["code"].as_str()),
        (422, Some("invalid-reason")),
        "a reason is required"
    );
    let (status, _) = app
        .post(
            &format!("/network/verification/{id}/reject"),
            Some(&admin.token),
            json!({ "reason": "Le numéro de permis ne correspond pas." }),
        )
        .await;
    assert_eq!(status, 204);
    let (_, mine) = app.get("/network/profile", Some(&nurse.token)).await;
    assert_eq!(mine["professions"][0]["status"], "rejected");
    assert_eq!(
        mine["professions"][0]["reason"],
        "Le numéro de permis ne correspond pas."
    );
    let mail = app.smtp.wait_subject("ines@clinique.test", "n'a pas pu", 0).await;
    assert!(
        mail.body.contains("Le numéro de permis ne correspond pas."),
        "{}",
        mail.body
    );

    // A new proof, approved: validated, and the person is told.
    let (status, _) = put_raw(
        &app,
        &format!("/network/professions/{id}/proof?permit_number=12-346"),
        &nurse.token,
        PDF.to_vec(),
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = app
        .post(
            &format!("/network/verification/{id}/approve"),
            Some(&admin.token),
            json!({}),
        )
        .await;
    assert_eq!(status, 204);
    let (_, mine) = app.get("/network/profile", Some(&nurse.token)).await;
    assert_eq!(mine["professions"][0]["status"], "validated");
    assert_eq!(mine["professions"][0]["validated_via"], "verification_team");
    app.smtp.wait_subject("ines@clinique.test", "est validée", 0).await;

    // Vouching: an unvalidated person may not invite; a validated one may,
    // and the invitee's profession is validated on accepting.
    let (status, r) = app
        .post(
            "/network/invitations",
            Some(&other.token),
            json!({ "email": "x@y.test", "name": "X", "profession": "nurse" }),
        )
        .await;
    assert_eq!(
        (status, r["code"].as_str()),
        (403, Some("profession-not-validated")),
        "{r}"
    );
    let (status, r) = app
        .post(
            "/network/invitations",
            Some(&nurse.token),
            json!({ "email": "jf.cote@pharma.test", "name": "Jean-François Côté", "language": "fr", "profession": "pharmacist" }),
        )
        .await;
    assert_eq!(status, 201, "{r}");
    let mail = cercle_testkit::eventually("network invitation", async || {
        app.smtp
            .to("jf.cote@pharma.test")
            .into_iter()
            .find(|m| m.body.contains("/network/join/"))
    })
    .await;
    let link = find_link(&mail.body[mail.body.find("http").unwrap_or(0)..]).expect("link");
    let token = link.rsplit('/').next().unwrap().to_string();
    let (status, info) = app.get(&format!("/network/invitations/{token}"), None).await;
    assert_eq!((status, info["inviter"].as_str()), (200, Some("Inès Haddad")), "{info}");
    let invitee = sign_up_named(&app, "jf.cote@pharma.test", "Jean-François Côté", "fr").await;
    let (status, _) = app
        .post(
            &format!("/network/invitations/{token}/accept"),
            Some(&other.token),
            json!({}),
        )
        .await;
    assert_eq!(status, 409, "another address cannot use the link");
    let (status, _) = app
        .post(
            &format!("/network/invitations/{token}/accept"),
            Some(&invitee.token),
            json!({}),
        )
        .await;
    assert_eq!(status, 204);
    let (_, mine) = app.get("/network/profile", Some(&invitee.token)).await;
    assert_eq!(mine["professions"][0]["key"], "pharmacist");
    assert_eq!(mine["professions"][0]["status"], "validated");
    assert_eq!(mine["professions"][0]["validated_via"], "vouch");
    let (status, _) = app
        .post(
            &format!("/network/invitations/{token}/accept"),
            Some(&invitee.token),
            json!({}),
        )
        .await;
    assert_eq!(status, 410, "used once");

    // An organization validates its members only once the network allows it,
    // and its administrators never their own profession.
    let org_admin = org_with_admin(&app, "CIUSSS de l'Est", "rh@est.test").await;
    let employee = sign_up_named(&app, "employe@est.test", "Émile Employé", "fr").await;
    add_members(&app, &org_admin.id, &[&employee]).await;
    let declare = |token: String| {
        let app = &app;
        async move {
            let (status, r) = app
                .post(
                    "/network/professions",
                    Some(&token),
                    json!({ "profession": "physician" }),
                )
                .await;
            assert_eq!(status, 201, "{r}");
            r["id"].as_str().unwrap().to_string()
        }
    };
    let member_prof = declare(employee.token.clone()).await;
    let own_prof = declare(org_admin.admin.token.clone()).await;
    let (status, r) = app
        .post(
            &format!("/org/professions/{member_prof}/validate"),
            Some(&org_admin.admin.token),
            json!({}),
        )
        .await;
    assert_eq!(status, 403, "not allowed yet: {r}");
    let (status, _) = app
        .put(
            &format!("/network/organizations/{}/validation", org_admin.id),
            Some(&org_admin.admin.token),
            json!({ "enabled": true }),
        )
        .await;
    assert_eq!(status, 403, "only the network administrator allows it");
    let (status, _) = app
        .put(
            &format!("/network/organizations/{}/validation", org_admin.id),
            Some(&admin.token),
            json!({ "enabled": true }),
        )
        .await;
    assert_eq!(status, 204);
    let (status, _) = app
        .post(
            &format!("/org/professions/{id}/validate"),
            Some(&org_admin.admin.token),
            json!({}),
        )
        .await;
    assert_eq!(status, 404, "not a member of the organization");
    let (status, _) = app
        .post(
            &format!("/org/professions/{own_prof}/validate"),
            Some(&org_admin.admin.token),
            json!({}),
        )
        .await;
    assert_eq!(status, 403, "not one's own");
    let (status, _) = app
        .post(
            &format!("/org/professions/{member_prof}/validate"),
            Some(&employee.token),
            json!({}),
        )
        .await;
    assert!(status == 403 || status == 409, "a member without the role: {status}");
    let (status, r) = app
        .post(
            &format!("/org/professions/{member_prof}/validate"),
            Some(&org_admin.admin.token),
            json!({}),
        )
        .await;
    assert_eq!(status, 204, "{r}");
    let (_, mine) = app.get("/network/profile", Some(&employee.token)).await;
    assert_eq!(mine["professions"][0]["validated_via"], "organization");

    // Verifiers named by the network administrator join the team.
    let (status, _) = app
        .post(
            "/network/verifiers",
            Some(&other.token),
            json!({ "email": "curieux@ailleurs.test" }),
        )
        .await;
    assert_eq!(status, 403);
    let (status, _) = app
        .post(
            "/network/verifiers",
            Some(&admin.token),
            json!({ "email": "curieux@ailleurs.test" }),
        )
        .await;
    assert_eq!(status, 204);
    let (status, _) = app.get("/network/verification", Some(&other.token)).await;
    assert_eq!(status, 200, "now on the team");
}

async fn search_is_accent_case_order_insensitive_with_prefixes_and_one_typo(db: Db) {
    let app = TestApp::spawn(db).await;
    let admin = network_admin(&app).await;
    let me = validated(&app, &admin, "moi@reseau.test", "Alex Chercheur", "physician").await;
    for (i, name) in [
        "Marie-Ève Gagné",
        "Marie Gagnon",
        "François Côté",
        "Hélène Bélanger",
        "Jean-Sébastien Lévesque",
        "Luc Gagné",
        "Luc Gagnepain",
        "Luc Gagni",
        "Daniel O'Brien",
    ]
    .iter()
    .enumerate()
    {
        validated(&app, &admin, &format!("p{i}@reseau.test"), name, "nurse").await;
    }
    let q = |query: &'static str| {
        let app = &app;
        let me = &me;
        async move { names(&search(app, me, query).await) }
    };
    assert_eq!(q("gagne mar").await, ["Marie-Ève Gagné"], "word order, accents, prefix");
    assert_eq!(q("GAGNÉ marie-eve").await, ["Marie-Ève Gagné"], "case and accents");
    assert_eq!(q("helene belanger").await, ["Hélène Bélanger"], "no accents typed");
    assert_eq!(q("cot").await, ["François Côté"], "prefix of an accented name");
    assert_eq!(q("levesqeu").await, ["Jean-Sébastien Lévesque"], "two letters swapped");
    assert_eq!(q("belangr").await, ["Hélène Bélanger"], "a letter missing");
    assert_eq!(
        q("jean sebastien").await,
        ["Jean-Sébastien Lévesque"],
        "compound first name"
    );
    assert_eq!(
        q("obrien").await,
        ["Daniel O'Brien"],
        "O'Brien is \"o brien\": one letter away"
    );
    assert_eq!(q("brien daniel").await, ["Daniel O'Brien"]);
    assert_eq!(q("gagnon marie").await, ["Marie Gagnon"]);
    assert_eq!(q("zzyzx").await, Vec::<String>::new());
    // Exact before prefix before one typo.
    let r = search(&app, &me, "luc gagne").await;
    assert_eq!(names(&r), ["Luc Gagné", "Luc Gagnepain", "Luc Gagni"], "{r}");
    let kinds: Vec<&str> = r["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["matched"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["exact", "prefix", "typo"]);
    // Both Maries, exact matches.
    let mut maries = q("marie").await;
    maries.sort();
    assert_eq!(maries, ["Marie Gagnon", "Marie-Ève Gagné"]);
    // Too short to search.
    let (status, r) = app.get("/network/search?q=g", Some(&me.token)).await;
    assert_eq!((status, r["code"].as_str()), (422, Some("search-too-short")), "{r}");

    // Own directory first, then the rest.
    let gagni = search(&app, &me, "luc gagni").await["results"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, _) = app
        .post(
            "/network/directory",
            Some(&me.token),
            json!({ "kind": "person", "id": gagni }),
        )
        .await;
    assert_eq!(status, 204);
    let r = search(&app, &me, "luc gagne").await;
    assert_eq!(names(&r), ["Luc Gagni", "Luc Gagné", "Luc Gagnepain"], "{r}");
    assert_eq!(r["results"][0]["in_directory"], true);

    // Filters by profession, and pages.
    let r = search(&app, &me, "luc").await;
    assert_eq!(names(&r).len(), 3);
    let (_, r) = app
        .get("/network/search?q=luc&profession=physician", Some(&me.token))
        .await;
    assert_eq!(names(&r), Vec::<String>::new(), "{r}");
    let (_, r) = app.get("/network/search?q=luc&profession=nurse", Some(&me.token)).await;
    assert_eq!(names(&r).len(), 3, "{r}");
    let (_, r) = app.get("/network/search?q=luc&page=2", Some(&me.token)).await;
    assert_eq!((names(&r).len(), r["page"].as_u64()), (0, Some(2)), "{r}");
}

async fn visibility_rules_refuse_the_wrong_side(db: Db) {
    let app = TestApp::spawn(db).await;
    let admin = network_admin(&app).await;
    let searcher = validated(&app, &admin, "v@reseau.test", "Valérie Validée", "physician").await;
    let stranger = validated(&app, &admin, "s@reseau.test", "Sébastien Étranger", "nurse").await;
    let hidden = validated(&app, &admin, "h@reseau.test", "Hugo Discret", "pharmacist").await;
    let newcomer = sign_up_named(&app, "n@reseau.test", "Nadia Nouvelle", "fr").await;
    let colleague = sign_up_named(&app, "c@reseau.test", "Camille Collègue", "fr").await;
    org_with_members(&app, &format!("Clinique {}", newcomer.email), &[&newcomer, &colleague]).await;
    let stranger_id = id_of(&app, &stranger).await;
    let hidden_id = id_of(&app, &hidden).await;
    let colleague_id = id_of(&app, &colleague).await;

    // Hugo restricts his visibility to his organizations; Camille too.
    for p in [&hidden, &colleague] {
        let (status, r) = app
            .put(
                "/network/profile",
                Some(&p.token),
                json!({ "restrict_external": true, "shared_phone": "514 555 0101" }),
            )
            .await;
        assert_eq!(status, 200, "{r}");
        assert_eq!(r["restrict_external"], true);
    }

    // A validated professional finds the stranger, not the restricted one.
    assert_eq!(
        names(&search(&app, &searcher, "sebastien").await),
        ["Sébastien Étranger"]
    );
    assert_eq!(
        names(&search(&app, &searcher, "hugo discret").await),
        Vec::<String>::new()
    );
    let (status, _) = app
        .get(&format!("/network/people/{hidden_id}"), Some(&searcher.token))
        .await;
    assert_eq!(status, 404, "restricted profile");
    let (status, _) = app
        .get(&format!("/network/people/{hidden_id}/photo"), Some(&searcher.token))
        .await;
    assert_eq!(status, 404, "restricted photo");
    let (status, _) = app
        .post(
            "/network/friends",
            Some(&searcher.token),
            json!({ "user_id": hidden_id }),
        )
        .await;
    assert_eq!(status, 404, "no request to someone one cannot see");
    let (status, _) = app
        .post(
            "/network/directory",
            Some(&searcher.token),
            json!({ "kind": "person", "id": hidden_id }),
        )
        .await;
    assert_eq!(status, 404, "no directory entry for someone one cannot see");
    let (status, _) = app
        .get(&format!("/network/people/{colleague_id}"), Some(&searcher.token))
        .await;
    assert_eq!(status, 404, "unvalidated and restricted: not on the external network");

    // An unvalidated person: told to validate, not shown an empty network,
    // and cannot open strangers' profiles.
    let r = search(&app, &newcomer, "sebastien").await;
    assert_eq!(names(&r), Vec::<String>::new());
    assert_eq!(r["notice"], "validate-profession", "{r}");
    assert!(r["notice_message"].as_str().unwrap_or("").contains("profession"), "{r}");
    assert_eq!(r["external_network"], false);
    let (status, _) = app
        .get(&format!("/network/people/{stranger_id}"), Some(&newcomer.token))
        .await;
    assert_eq!(status, 404);
    let r = search(&app, &searcher, "sebastien").await;
    assert_eq!(r["notice"], Value::Null);

    // …but finds a colleague, even restricted and unvalidated; sees the
    // profile, not the phone (friends only).
    let r = search(&app, &newcomer, "camille").await;
    assert_eq!(names(&r), ["Camille Collègue"], "{r}");
    assert_eq!(r["results"][0]["colleague"], true);
    let (status, p) = app
        .get(&format!("/network/people/{colleague_id}"), Some(&newcomer.token))
        .await;
    assert_eq!(status, 200, "{p}");
    assert_eq!(p["shared_phone"], Value::Null, "the phone is for friends");
    assert_eq!(p.get("restrict_external"), None, "settings are the owner's");

    // Friends see it; validation lost takes one off the external network.
    let (status, s) = app
        .post(
            "/network/friends",
            Some(&newcomer.token),
            json!({ "user_id": colleague_id }),
        )
        .await;
    assert_eq!((status, s["state"].as_str()), (200, Some("request_sent")), "{s}");
    let (_, f) = app.get("/network/friends", Some(&colleague.token)).await;
    let req = f["incoming"][0]["id"].as_str().unwrap().to_string();
    let (status, _) = app
        .post(
            &format!("/network/friends/requests/{req}/accept"),
            Some(&colleague.token),
            json!({}),
        )
        .await;
    assert_eq!(status, 204);
    let (_, p) = app
        .get(&format!("/network/people/{colleague_id}"), Some(&newcomer.token))
        .await;
    assert_eq!(p["shared_phone"], "+15145550101");

    let (_, mine) = app.get("/network/profile", Some(&stranger.token)).await;
    let prof = mine["professions"][0]["id"].as_str().unwrap().to_string();
    let (status, _) = app
        .delete(&format!("/network/professions/{prof}"), Some(&stranger.token))
        .await;
    assert_eq!(status, 204);
    assert_eq!(names(&search(&app, &searcher, "sebastien").await), Vec::<String>::new());
    let (status, _) = app
        .get(&format!("/network/people/{stranger_id}"), Some(&searcher.token))
        .await;
    assert_eq!(status, 404, "no longer a validated professional");

    // A deleted account is gone from the network.
    let (status, _) = app
        .post(
            "/account/delete",
            Some(&colleague.token),
            json!({ "password": crate::helpers::PASSWORD }),
        )
        .await;
    assert_eq!(status, 204);
    assert_eq!(names(&search(&app, &newcomer, "camille").await), Vec::<String>::new());
    let (_, f) = app.get("/network/friends", Some(&newcomer.token)).await;
    assert_eq!(f["friends"].as_array().map(Vec::len), Some(0), "{f}");
}

async fn friends_request_accept_ignore_and_unfriend(db: Db) {
    let app = TestApp::spawn(db).await;
    let admin = network_admin(&app).await;
    let a = validated(&app, &admin, "a@reseau.test", "Anne Amie", "physician").await;
    let b = validated(&app, &admin, "b@reseau.test", "Benoît Bienvenu", "nurse").await;
    let c = validated(&app, &admin, "c@reseau.test", "Chloé Choisie", "pharmacist").await;
    let (a_id, b_id, c_id) = (id_of(&app, &a).await, id_of(&app, &b).await, id_of(&app, &c).await);
    let (status, _) = app
        .put(
            "/network/profile",
            Some(&c.token),
            json!({ "shared_phone": "418 555 0123" }),
        )
        .await;
    assert_eq!(status, 200);

    // Requests to oneself and duplicates are refused.
    let (status, r) = app
        .post("/network/friends", Some(&a.token), json!({ "user_id": a_id }))
        .await;
    assert_eq!((status, r["code"].as_str()), (409, Some("friend-self")), "{r}");
    let (status, _) = app
        .post("/network/friends", Some(&a.token), json!({ "user_id": c_id }))
        .await;
    assert_eq!(status, 200);
    let (status, r) = app
        .post("/network/friends", Some(&a.token), json!({ "user_id": c_id }))
        .await;
    assert_eq!((status, r["code"].as_str()), (409, Some("request-already-sent")), "{r}");
    // The recipient is notified; the sender's directory now holds them.
    app.smtp.wait_subject("c@reseau.test", "Anne Amie", 0).await;
    let (_, d) = app.get("/network/directory", Some(&a.token)).await;
    assert!(d["people"].to_string().contains(&c_id), "{d}");

    // C ignores A: to A, nothing changes — same answers before and after.
    let (_, before) = app.get("/network/friends", Some(&a.token)).await;
    let (_, pa_before) = app.get(&format!("/network/people/{c_id}"), Some(&a.token)).await;
    let (_, f) = app.get("/network/friends", Some(&c.token)).await;
    let req = f["incoming"][0]["id"].as_str().unwrap().to_string();
    let mails_to_a = app.smtp.to("a@reseau.test").len();
    let (status, _) = app
        .post(
            &format!("/network/friends/requests/{req}/ignore"),
            Some(&c.token),
            json!({}),
        )
        .await;
    assert_eq!(status, 204);
    let (_, after) = app.get("/network/friends", Some(&a.token)).await;
    assert_eq!(before, after, "the sender is never told");
    let (_, pa_after) = app.get(&format!("/network/people/{c_id}"), Some(&a.token)).await;
    assert_eq!(pa_before["relation"], pa_after["relation"]);
    assert_eq!(pa_after["relation"]["friend"], "request_sent");
    assert_eq!(pa_after["shared_phone"], Value::Null, "ignored: no phone");
    let (status, r) = app
        .post("/network/friends", Some(&a.token), json!({ "user_id": c_id }))
        .await;
    assert_eq!((status, r["code"].as_str()), (409, Some("request-already-sent")), "{r}");
    let (_, f) = app.get("/network/friends", Some(&c.token)).await;
    assert_eq!(f["incoming"].as_array().map(Vec::len), Some(0), "gone from C's list");
    // The ignored sender cannot accept on the recipient's behalf either.
    let (status, _) = app
        .post(
            &format!("/network/friends/requests/{req}/accept"),
            Some(&a.token),
            json!({}),
        )
        .await;
    assert_eq!(status, 404);
    assert_eq!(app.smtp.to("a@reseau.test").len(), mails_to_a, "no email to the sender");

    // B asks C; C accepts: friends, the phone shows, both directories hold the other.
    let (status, _) = app
        .post("/network/friends", Some(&b.token), json!({ "user_id": c_id }))
        .await;
    assert_eq!(status, 200);
    let (_, f) = app.get("/network/friends", Some(&c.token)).await;
    let req = f["incoming"][0]["id"].as_str().unwrap().to_string();
    let (status, _) = app
        .post(
            &format!("/network/friends/requests/{req}/accept"),
            Some(&a.token),
            json!({}),
        )
        .await;
    assert_eq!(status, 404, "only the recipient accepts");
    let (status, _) = app
        .post(
            &format!("/network/friends/requests/{req}/accept"),
            Some(&c.token),
            json!({}),
        )
        .await;
    assert_eq!(status, 204);
    let (_, p) = app.get(&format!("/network/people/{c_id}"), Some(&b.token)).await;
    assert_eq!(p["shared_phone"], "+14185550123");
    assert_eq!(p["relation"]["friend"], "friends");
    let (_, d) = app.get("/network/directory", Some(&c.token)).await;
    assert!(d["people"].to_string().contains(&b_id), "{d}");
    let (_, p) = app.get(&format!("/network/people/{c_id}"), Some(&a.token)).await;
    assert_eq!(p["shared_phone"], Value::Null, "A is still not a friend");

    // Unfriend: the phone is hidden again.
    let (status, _) = app.delete(&format!("/network/friends/{c_id}"), Some(&b.token)).await;
    assert_eq!(status, 204);
    let (_, p) = app.get(&format!("/network/people/{c_id}"), Some(&b.token)).await;
    assert_eq!(p["shared_phone"], Value::Null);
    assert_eq!(p["relation"]["friend"], "none");
}

async fn directory_is_private_and_silent(db: Db) {
    let app = TestApp::spawn(db).await;
    let admin = network_admin(&app).await;
    let a = validated(&app, &admin, "a@reseau.test", "Anne Amie", "physician").await;
    let b = validated(&app, &admin, "b@reseau.test", "Benoît Bienvenu", "nurse").await;
    let c = validated(&app, &admin, "c@reseau.test", "Chloé Choisie", "pharmacist").await;
    let c_id = id_of(&app, &c).await;
    app.smtp.wait_subject("c@reseau.test", "est validée", 0).await;
    let mails_to_c = app.smtp.to("c@reseau.test").len();
    let (status, _) = app
        .post(
            "/network/directory",
            Some(&a.token),
            json!({ "kind": "person", "id": c_id }),
        )
        .await;
    assert_eq!(status, 204);
    let (_, d) = app.get("/network/directory", Some(&a.token)).await;
    assert_eq!(d["people"][0]["name"], "Chloé Choisie");
    // Someone else's directory: not visible, not removable.
    let (_, d) = app.get("/network/directory", Some(&b.token)).await;
    assert_eq!(d["people"].as_array().map(Vec::len), Some(0), "{d}");
    let (status, _) = app.delete(&format!("/network/directory/{c_id}"), Some(&b.token)).await;
    assert_eq!(status, 404);
    let (_, d) = app.get("/network/directory", Some(&a.token)).await;
    assert_eq!(d["people"].as_array().map(Vec::len), Some(1), "A's entry stays");
    // Nobody was notified.
    app.drain_outbox().await;
    assert_eq!(app.smtp.to("c@reseau.test").len(), mails_to_c, "adding never notifies");
    // Removing.
    let (status, _) = app.delete(&format!("/network/directory/{c_id}"), Some(&a.token)).await;
    assert_eq!(status, 204);
    let (_, d) = app.get("/network/directory", Some(&a.token)).await;
    assert_eq!(d["people"].as_array().map(Vec::len), Some(0));
}

async fn workplaces_are_browsed_joined_and_left(db: Db) {
    let app = TestApp::spawn(db).await;
    let admin = network_admin(&app).await;
    let a = validated(&app, &admin, "a@reseau.test", "Anne Amie", "physician").await;
    let b = validated(&app, &admin, "b@reseau.test", "Benoît Bienvenu", "nurse").await;
    let (status, w) = app
        .post(
            "/network/workplaces",
            Some(&a.token),
            json!({ "name": "Clinique médicale Saint-Roch", "kind": "clinic", "address": "12 rue Saint-Vallier, Québec" }),
        )
        .await;
    assert_eq!(status, 201, "{w}");
    let wid = w["id"].as_str().unwrap().to_string();
    let (status, r) = app
        .post(
            "/network/workplaces",
            Some(&b.token),
            json!({ "name": "Clinique médicale Saint-Roch", "kind": "clinic", "address": "12 rue Saint-Vallier, Québec" }),
        )
        .await;
    assert_eq!((status, r["code"].as_str()), (409, Some("workplace-exists")), "{r}");
    let (status, r) = app
        .post(
            "/network/workplaces",
            Some(&b.token),
            json!({ "name": "X", "kind": "spaceship", "address": "" }),
        )
        .await;
    assert_eq!(status, 409, "{r}");

    // Found by the one search box, with typos and without accents.
    let r = search(&app, &b, "clinique medicale st-roch").await;
    assert_eq!(names(&r), Vec::<String>::new(), "st is not saint");
    let r = search(&app, &b, "saint roch cliniqe").await;
    assert_eq!(names(&r), ["Clinique médicale Saint-Roch"], "{r}");
    assert_eq!(r["results"][0]["type"], "workplace");

    // B joins: the workplace lists both; B's profile shows it; B leaves.
    let (status, _) = app
        .post(&format!("/network/workplaces/{wid}/join"), Some(&b.token), json!({}))
        .await;
    assert_eq!(status, 204);
    let (status, _) = app
        .post(&format!("/network/workplaces/{wid}/join"), Some(&b.token), json!({}))
        .await;
    assert_eq!(status, 409);
    let (_, v) = app.get(&format!("/network/workplaces/{wid}"), Some(&b.token)).await;
    let mut members: Vec<String> = v["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap().to_string())
        .collect();
    members.sort();
    assert_eq!(members, ["Anne Amie", "Benoît Bienvenu"]);
    let b_id = id_of(&app, &b).await;
    let (_, p) = app.get(&format!("/network/people/{b_id}"), Some(&a.token)).await;
    assert_eq!(p["workplaces"][0]["name"], "Clinique médicale Saint-Roch");
    let (_, r) = app
        .get(&format!("/network/search?q=benoit&workplace={wid}"), Some(&a.token))
        .await;
    assert_eq!(names(&r), ["Benoît Bienvenu"], "filter by workplace");
    let (status, _) = app
        .post(&format!("/network/workplaces/{wid}/leave"), Some(&b.token), json!({}))
        .await;
    assert_eq!(status, 204);
    let (_, r) = app
        .get(&format!("/network/search?q=benoit&workplace={wid}"), Some(&a.token))
        .await;
    assert_eq!(names(&r), Vec::<String>::new());
    let (_, list) = app.get("/network/workplaces", Some(&b.token)).await;
    assert!(list.to_string().contains("Saint-Roch"), "{list}");

    // An organization's workplace: joined by its members only; its teams
    // shown to its members only.
    let org = org_with_admin(&app, "CIUSSS du Centre", "rh@centre.test").await;
    let (status, w) = app
        .post(
            "/org/workplaces",
            Some(&org.admin.token),
            json!({ "unit_id": org.root, "name": "CLSC de la Haute-Ville", "kind": "community", "address": "55 ch. Sainte-Foy" }),
        )
        .await;
    assert_eq!(status, 201, "{w}");
    let owid = w["id"].as_str().unwrap().to_string();
    let (status, t) = app
        .post(
            "/org/teams",
            Some(&org.admin.token),
            json!({ "unit_id": org.root, "workplace_id": owid, "name": "Soins à domicile" }),
        )
        .await;
    assert_eq!(status, 201, "{t}");
    let (status, _) = app
        .post(&format!("/network/workplaces/{owid}/join"), Some(&a.token), json!({}))
        .await;
    assert_eq!(status, 403, "not a member of the organization");
    let (_, v) = app.get(&format!("/network/workplaces/{owid}"), Some(&a.token)).await;
    assert_eq!(v["teams"].as_array().map(Vec::len), Some(0), "{v}");
    let (_, v) = app
        .get(&format!("/network/workplaces/{owid}"), Some(&org.admin.token))
        .await;
    assert_eq!(v["teams"][0]["name"], "Soins à domicile", "{v}");
    let (status, _) = app
        .post(
            &format!("/network/workplaces/{owid}/join"),
            Some(&org.admin.token),
            json!({}),
        )
        .await;
    assert_eq!(status, 204);
    assert_eq!(names(&search(&app, &a, "clsc haute").await), ["CLSC de la Haute-Ville"]);
}

async fn photos_are_reencoded_and_bad_input_is_refused(db: Db) {
    let app = TestApp::spawn(db).await;
    let me = sign_up_named(&app, "photo@reseau.test", "Pia Photo", "en").await;
    let my_id = id_of(&app, &me).await;

    // A 400x300 PNG, cropped to its right half's square, comes back as a 256 px JPEG.
    let mut img = image::RgbImage::new(400, 300);
    for (x, _, px) in img.enumerate_pixels_mut() {
        *px = if x < 200 {
            image::Rgb([255, 0, 0])
        } else {
            image::Rgb([0, 0, 255])
        };
    }
    let mut png = Vec::new();
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    let (status, r) = put_raw(&app, "/network/profile/photo?x=0.5&y=0&size=0.6", &me.token, png).await;
    assert_eq!(status, 200, "{r}");
    let jpeg = app
        .http
        .get(format!("{}/api/v1/network/people/{my_id}/photo", app.url))
        .bearer_auth(&me.token)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert!(jpeg.starts_with(&[0xFF, 0xD8, 0xFF]), "a JPEG");
    assert!(!jpeg.windows(4).any(|w| w == b"Exif"), "no metadata");
    let decoded = image::load_from_memory(&jpeg).unwrap().to_rgb8();
    assert_eq!(decoded.dimensions(), (256, 256));
    let px = decoded.get_pixel(128, 128);
    assert!(px[2] > 200 && px[0] < 60, "the right half (blue) was kept: {px:?}");

    // Not an image, too large: refused with a clear message.
    let (status, r) = put_raw(
        &app,
        "/network/profile/photo",
        &me.token,
        b"<svg onload=alert(1)>".to_vec(),
    )
    .await;
    assert_eq!((status, r["code"].as_str()), (422, Some("photo-not-an-image")), "{r}");
    assert!(r["message"].as_str().unwrap().contains("JPEG"), "{r}");
    // Beyond the upload limit: 413, or the server closes the connection
    // before the client has finished sending.
    let oversize = app
        .http
        .put(format!("{}/api/v1/network/profile/photo", app.url))
        .bearer_auth(&me.token)
        .body(vec![0xFF; 9 * 1024 * 1024])
        .send()
        .await;
    match oversize {
        Ok(r) => assert_eq!(r.status().as_u16(), 413, "beyond the upload limit"),
        Err(e) => assert!(e.is_request(), "refused while sending: {e}"),
    }
    let (_, mine) = app.get("/network/profile", Some(&me.token)).await;
    assert!(mine["photo_version"].is_i64(), "the earlier photo stays");
    let (status, r) = put_raw(&app, "/network/profile/photo?x=2&y=0&size=0.5", &me.token, PDF.to_vec()).await;
    assert_eq!(status, 422, "{r}");

    // HTML in texts is kept as typed (pages escape it); limits are enforced.
    let (status, r) = app
        .put(
            "/network/profile",
            Some(&me.token),
            json!({ "presentation": "<script>alert('x')</script> Infirmière", "languages": ["fr", "en"] }),
        )
        .await;
    assert_eq!(status, 200, "{r}");
    assert_eq!(r["presentation"], "<script>alert('x')</script> Infirmière");
    assert_eq!(r["languages"], json!(["fr", "en"]));
    let (status, r) = app
        .put(
            "/network/profile",
            Some(&me.token),
            json!({ "presentation": "a".repeat(2001) }),
        )
        .await;
    assert_eq!((status, r["code"].as_str()), (422, Some("text-too-long")), "{r}");
    let (status, r) = app
        .put("/network/profile", Some(&me.token), json!({ "languages": ["<b>"] }))
        .await;
    assert_eq!((status, r["code"].as_str()), (422, Some("invalid-language")), "{r}");
    let (status, r) = app
        .put(
            "/network/profile",
            Some(&me.token),
            json!({ "shared_phone": "call me" }),
        )
        .await;
    assert_eq!((status, r["code"].as_str()), (422, Some("invalid-phone")), "{r}");
    let (status, _) = app.delete("/network/profile/photo", Some(&me.token)).await;
    assert_eq!(status, 204);
    let (status, _) = app
        .get(&format!("/network/people/{my_id}/photo"), Some(&me.token))
        .await;
    assert_eq!(status, 404);
}

async fn enumeration_is_rate_limited(db: Db) {
    let app = TestApp::spawn(db).await;
    let me = sign_up_named(&app, "curieux@reseau.test", "Paul Curieux", "fr").await;
    let mut limited = None;
    for i in 0..70 {
        let (status, _) = app.get(&format!("/network/search?q=nom{i}"), Some(&me.token)).await;
        if status == 429 {
            limited = Some(i);
            break;
        }
        assert_eq!(status, 200);
    }
    assert_eq!(limited, Some(60), "the 61st search in a minute is refused");
    app.advance(61);
    let (status, _) = app.get("/network/search?q=nom", Some(&me.token)).await;
    assert_eq!(status, 200, "allowed again after the window");

    let mut limited = None;
    for i in 0..130 {
        let (status, _) = app
            .get("/network/people/00000000-0000-0000-0000-000000000000", Some(&me.token))
            .await;
        if status == 429 {
            limited = Some(i);
            break;
        }
        assert_eq!(status, 404);
    }
    assert_eq!(limited, Some(120), "profile lookups are limited too");
}
