//! The FHIR R4 directory (`/fhir`) over the demo network: the
//! CapabilityStatement, reads, every search parameter, paging links, the
//! network's visibility (a restricted person stays hidden), patients
//! refused, and refusals as `OperationOutcome`.

use crate::backends;
use cercle_testkit::{find_code, Db, TestApp};
use serde_json::{json, Value};

backends!(
    metadata_read_and_search_follow_the_directory,
    paging_links_walk_every_page,
    refusals_are_operation_outcomes,
);

/// A demo person's bearer token (password, then the emailed code).
pub(crate) async fn demo_token(app: &TestApp, email: &str) -> String {
    let (status, s) = app
        .post(
            "/auth/sign-in",
            None,
            json!({ "email": email, "password": cercle_app::demo::DEMO_PASSWORD }),
        )
        .await;
    assert_eq!(status, 200, "{s}");
    let token = s["token"].as_str().expect("token").to_string();
    let mail = cercle_testkit::people::nth_sign_in_mail(app, email, 1).await;
    let (status, s) = app
        .post(
            "/auth/code",
            Some(&token),
            json!({ "code": find_code(&mail.body).expect("code") }),
        )
        .await;
    assert_eq!((status, s["state"].as_str()), (200, Some("ready")), "{s}");
    token
}

/// GET under `/fhir`: status, content type, body.
async fn fhir(app: &TestApp, token: Option<&str>, path: &str) -> (u16, String, Value) {
    let mut req = app.http.get(format!("{}/fhir{path}", app.url));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let r = req.send().await.expect("fhir request");
    let status = r.status().as_u16();
    let ct = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let body: Value = r.json().await.expect("json body");
    (status, ct, body)
}

/// A search that must succeed: the Bundle.
async fn bundle(app: &TestApp, token: &str, path: &str) -> Value {
    let (status, ct, b) = fhir(app, Some(token), path).await;
    assert_eq!((status, ct.as_str()), (200, "application/fhir+json"), "{path}: {b}");
    assert_eq!(b["resourceType"], "Bundle", "{b}");
    assert_eq!(b["type"], "searchset", "{b}");
    b
}

fn names(b: &Value) -> Vec<String> {
    let mut out: Vec<String> = b["entry"]
        .as_array()
        .map(|e| {
            e.iter()
                .map(|e| {
                    let r = &e["resource"];
                    r["name"][0]["text"]
                        .as_str()
                        .or(r["name"].as_str())
                        .or(r["practitioner"]["display"].as_str())
                        .unwrap_or_default()
                        .to_string()
                })
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

fn first_id(b: &Value) -> String {
    b["entry"][0]["resource"]["id"].as_str().expect("an entry").to_string()
}

async fn demo(db: Db) -> TestApp {
    let app = TestApp::spawn(db).await;
    assert!(cercle_app::demo::seed(app.ctx()).await.expect("seed"));
    app
}

async fn metadata_read_and_search_follow_the_directory(db: Db) {
    let app = demo(db).await;

    // The CapabilityStatement: open, R4, every type with read and search.
    let (status, ct, cap) = fhir(&app, None, "/metadata").await;
    assert_eq!((status, ct.as_str()), (200, "application/fhir+json"), "{cap}");
    assert_eq!(cap["resourceType"], "CapabilityStatement");
    assert_eq!(cap["fhirVersion"], "4.0.1");
    let types: Vec<&str> = cap["rest"][0]["resource"]
        .as_array()
        .expect("resources")
        .iter()
        .filter_map(|r| r["type"].as_str())
        .collect();
    assert_eq!(
        types,
        [
            "Practitioner",
            "PractitionerRole",
            "Organization",
            "Location",
            "HealthcareService"
        ]
    );

    // Marie (a validated physician in both organizations).
    let marie = demo_token(&app, "marie.tremblay@demo.cercle.test").await;
    let all = bundle(&app, &marie, "/Practitioner").await;
    assert_eq!(
        names(&all),
        [
            "Daniel Okafor",
            "Dre Marie Tremblay",
            "Jean-François Côté",
            "Louise Gagnon",
            "Sophie Roy"
        ],
        "colleagues, herself and the external network; never the restricted social worker nor the patient: {all}"
    );
    assert_eq!(all["total"], 5);

    // name, family, given: word prefixes, accents and case ignored.
    let b = bundle(&app, &marie, "/Practitioner?name=cote").await;
    assert_eq!(names(&b), ["Jean-François Côté"]);
    let jf = first_id(&b);
    assert_eq!(
        names(&bundle(&app, &marie, "/Practitioner?family=ROY").await),
        ["Sophie Roy"]
    );
    assert!(names(&bundle(&app, &marie, "/Practitioner?family=sophie").await).is_empty());
    assert_eq!(
        names(&bundle(&app, &marie, "/Practitioner?given=dan").await),
        ["Daniel Okafor"]
    );
    assert_eq!(
        names(&bundle(&app, &marie, "/Practitioner?name=roy,okafor").await),
        ["Daniel Okafor", "Sophie Roy"],
        "a comma is an or"
    );
    assert!(
        names(&bundle(&app, &marie, "/Practitioner?name=roy&name=okafor").await).is_empty(),
        "a repeated parameter is an and"
    );
    // The restricted social worker is hidden, searched by name or read by id.
    let b = bundle(&app, &marie, "/Practitioner?name=belanger").await;
    assert_eq!((b["total"].as_u64(), b.get("entry")), (Some(0), None), "{b}");

    // The validated professions, never the permit number.
    let (status, _, r) = fhir(&app, Some(&marie), &format!("/Practitioner/{jf}")).await;
    assert_eq!(status, 200, "{r}");
    assert_eq!(r["resourceType"], "Practitioner");
    assert_eq!(r["name"][0]["family"], "Côté");
    assert_eq!(r["qualification"][0]["code"]["coding"][0]["code"], "physiotherapist");
    assert_eq!(
        r["identifier"].as_array().map(Vec::len),
        Some(1),
        "only the urn:uuid: {r}"
    );
    assert_eq!(r["identifier"][0]["value"], format!("urn:uuid:{jf}"));
    // _id and identifier.
    assert_eq!(
        names(&bundle(&app, &marie, &format!("/Practitioner?_id={jf}")).await),
        ["Jean-François Côté"]
    );
    assert_eq!(
        names(
            &bundle(
                &app,
                &marie,
                &format!("/Practitioner?identifier=urn:ietf:rfc:3986|urn:uuid:{jf}")
            )
            .await
        ),
        ["Jean-François Côté"]
    );
    assert_eq!(
        names(&bundle(&app, &marie, &format!("/Practitioner?identifier=urn:uuid:{jf}")).await),
        ["Jean-François Côté"]
    );
    assert!(names(&bundle(&app, &marie, &format!("/Practitioner?identifier=other|urn:uuid:{jf}")).await).is_empty());

    // Organizations and locations (workplaces), with their references.
    let orgs = bundle(&app, &marie, "/Organization").await;
    assert_eq!(
        names(&orgs),
        ["CIUSSS de la Capitale (démo)", "Clinique Saint-Laurent (démo)"]
    );
    let clinic = first_id(&bundle(&app, &marie, "/Organization?name=clinique").await);
    let ciusss = first_id(&bundle(&app, &marie, "/Organization?name=ciusss").await);
    assert_eq!(
        names(&bundle(&app, &marie, &format!("/Organization?identifier=urn:uuid:{clinic}")).await),
        ["Clinique Saint-Laurent (démo)"]
    );
    let places = bundle(&app, &marie, "/Location").await;
    assert_eq!(places["total"], 5, "{places}");
    assert_eq!(
        names(&bundle(&app, &marie, &format!("/Location?organization={ciusss}")).await),
        ["CLSC de Limoilou", "GMF Limoilou", "Hôpital de l'Enfant-Jésus (démo)"]
    );
    let b = bundle(&app, &marie, "/Location?name=physio").await;
    assert_eq!(names(&b), ["Physio Côté"]);
    let physio = first_id(&b);
    assert!(
        b["entry"][0]["resource"].get("managingOrganization").is_none(),
        "independent"
    );
    let (status, _, loc) = fhir(&app, Some(&marie), &format!("/Location/{physio}")).await;
    assert_eq!((status, loc["name"].as_str()), (200, Some("Physio Côté")));

    // PractitionerRole: who works where.
    let marie_id = first_id(&bundle(&app, &marie, "/Practitioner?family=tremblay").await);
    let roles = bundle(
        &app,
        &marie,
        &format!("/PractitionerRole?practitioner=Practitioner/{marie_id}"),
    )
    .await;
    assert_eq!(roles["total"], 2, "GMF Limoilou and Clinique Saint-Laurent: {roles}");
    assert_eq!(
        roles["entry"][0]["resource"]["code"][0]["coding"][0]["code"],
        "physician"
    );
    let roles = bundle(&app, &marie, &format!("/PractitionerRole?organization={clinic}")).await;
    assert_eq!(names(&roles), ["Dre Marie Tremblay", "Sophie Roy"]);
    let roles = bundle(&app, &marie, &format!("/PractitionerRole?location=Location/{physio}")).await;
    assert_eq!(names(&roles), ["Jean-François Côté"]);
    let role = first_id(&roles);
    let (status, _, r) = fhir(&app, Some(&marie), &format!("/PractitionerRole/{role}")).await;
    assert_eq!(
        (status, r["practitioner"]["reference"].clone()),
        (200, json!(format!("Practitioner/{jf}")))
    );

    // HealthcareService: the teams of one's organizations.
    let teams = bundle(&app, &marie, "/HealthcareService").await;
    assert_eq!(
        names(&teams),
        [
            "Accueil clinique",
            "Soins à domicile — secteur Nord",
            "Équipe GMF Limoilou"
        ]
    );
    let teams = bundle(
        &app,
        &marie,
        &format!("/HealthcareService?organization=Organization/{clinic}"),
    )
    .await;
    assert_eq!(names(&teams), ["Accueil clinique"]);
    let team = first_id(&teams);
    assert_eq!(
        names(&bundle(&app, &marie, "/HealthcareService?name=equipe").await),
        ["Équipe GMF Limoilou"]
    );

    // Jean-François (validated, in no organization): no teams, no
    // restricted social worker, and Marie's teams are "not found".
    let jf_token = demo_token(&app, "jf.cote@demo.cercle.test").await;
    let b = bundle(&app, &jf_token, "/HealthcareService").await;
    assert_eq!(b["total"], 0, "{b}");
    let (status, _, o) = fhir(&app, Some(&jf_token), &format!("/HealthcareService/{team}")).await;
    assert_eq!(
        (status, o["resourceType"].as_str()),
        (404, Some("OperationOutcome")),
        "{o}"
    );
    let b = bundle(&app, &jf_token, "/Practitioner").await;
    assert!(!names(&b).contains(&"Hélène Bélanger".to_string()), "{b}");
    assert!(names(&b).contains(&"Dre Marie Tremblay".to_string()), "{b}");

    // The restricted social worker sees herself; read by id she is "not
    // found" to the others.
    let helene = demo_token(&app, "helene.belanger@demo.cercle.test").await;
    let b = bundle(&app, &helene, "/Practitioner?name=belanger").await;
    assert_eq!(names(&b), ["Hélène Bélanger"]);
    let helene_id = first_id(&b);
    for token in [&marie, &jf_token] {
        let (status, ct, o) = fhir(&app, Some(token), &format!("/Practitioner/{helene_id}")).await;
        assert_eq!((status, ct.as_str()), (404, "application/fhir+json"));
        assert_eq!(o["issue"][0]["code"], "not-found", "{o}");
        let b = bundle(&app, token, &format!("/PractitionerRole?practitioner={helene_id}")).await;
        assert_eq!(b["total"], 0);
    }
}

async fn paging_links_walk_every_page(db: Db) {
    let app = demo(db).await;
    let marie = demo_token(&app, "marie.tremblay@demo.cercle.test").await;
    let link = |b: &Value, rel: &str| -> Option<String> {
        b["link"]
            .as_array()?
            .iter()
            .find(|l| l["relation"] == rel)
            .and_then(|l| l["url"].as_str())
            .map(str::to_string)
    };
    let first = bundle(&app, &marie, "/Practitioner?_count=2").await;
    assert_eq!(first["total"], 5);
    assert_eq!(first["entry"].as_array().map(Vec::len), Some(2));
    assert_eq!(
        link(&first, "self").as_deref(),
        Some(format!("{}/fhir/Practitioner?_count=2&_page=1", app.url).as_str())
    );
    assert!(link(&first, "previous").is_none());
    // Follow `next` to the end: every person once.
    let mut seen: Vec<String> = names(&first);
    let mut page = first;
    let mut pages = 1;
    while let Some(next) = link(&page, "next") {
        let path = next.strip_prefix(&format!("{}/fhir", app.url)).expect("a link of ours");
        page = bundle(&app, &marie, path).await;
        pages += 1;
        assert!(link(&page, "previous").is_some(), "{page}");
        seen.extend(names(&page));
        assert!(pages <= 3, "three pages of two");
    }
    assert_eq!(pages, 3);
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 5);
    // Parameters are kept in the links; _count is bounded.
    let b = bundle(&app, &marie, "/Location?name=limoilou&_count=1").await;
    assert_eq!(b["total"], 2);
    assert_eq!(
        link(&b, "next").as_deref(),
        Some(format!("{}/fhir/Location?name=limoilou&_count=1&_page=2", app.url).as_str())
    );
    let b = bundle(&app, &marie, "/Location?_count=100000").await;
    assert!(link(&b, "self").is_some_and(|l| l.contains("_count=100&")), "{b}");
    let b = bundle(&app, &marie, "/Location?_count=2&_page=9").await;
    assert_eq!(
        (b["total"].as_u64(), b.get("entry")),
        (Some(5), None),
        "past the end: {b}"
    );
}

async fn refusals_are_operation_outcomes(db: Db) {
    let app = demo(db).await;
    let marie = demo_token(&app, "marie.tremblay@demo.cercle.test").await;
    let refused = |expected: u16, code: &'static str| {
        move |(status, ct, o): (u16, String, Value)| {
            assert_eq!((status, ct.as_str()), (expected, "application/fhir+json"), "{o}");
            assert_eq!(o["resourceType"], "OperationOutcome", "{o}");
            assert_eq!(o["issue"][0]["severity"], "error", "{o}");
            assert_eq!(o["issue"][0]["code"], code, "{o}");
            assert!(
                o["issue"][0]["diagnostics"].as_str().is_some_and(|d| !d.is_empty()),
                "{o}"
            );
        }
    };
    // Not signed in.
    refused(401, "login")(fhir(&app, None, "/Practitioner").await);
    refused(401, "login")(fhir(&app, Some("not-a-token"), "/Organization/x").await);
    // Unknown parameter, modifier or bad value.
    refused(400, "not-supported")(fhir(&app, Some(&marie), "/Practitioner?birthdate=2000").await);
    refused(400, "not-supported")(fhir(&app, Some(&marie), "/Organization?family=roy").await);
    refused(400, "not-supported")(fhir(&app, Some(&marie), "/Practitioner?name:exact=Roy").await);
    refused(400, "invalid")(fhir(&app, Some(&marie), "/Practitioner?_count=many").await);
    refused(400, "invalid")(fhir(&app, Some(&marie), "/Practitioner?_page=0").await);
    refused(400, "invalid")(fhir(&app, Some(&marie), "/Practitioner?name=").await);
    // Bounded: parameters and their length.
    let many = vec!["name=a"; 21].join("&");
    refused(400, "invalid")(fhir(&app, Some(&marie), &format!("/Practitioner?{many}")).await);
    let long = "a".repeat(201);
    refused(400, "invalid")(fhir(&app, Some(&marie), &format!("/Practitioner?name={long}")).await);
    // Unknown type, resource, path.
    refused(404, "not-supported")(fhir(&app, Some(&marie), "/Patient").await);
    refused(404, "not-found")(
        fhir(
            &app,
            Some(&marie),
            &format!("/Practitioner/{}", cercle_domain::UserId::new()),
        )
        .await,
    );
    refused(404, "not-found")(fhir(&app, Some(&marie), "/Practitioner/x/_history").await);
    // The diagnostics speak the request's language.
    let r = app
        .http
        .get(format!("{}/fhir/Practitioner?birthdate=1", app.url))
        .bearer_auth(&marie)
        .header("accept-language", "en")
        .send()
        .await
        .expect("request");
    let o: Value = r.json().await.expect("json");
    assert!(
        o["issue"][0]["diagnostics"]
            .as_str()
            .is_some_and(|d| d.contains("birthdate") && d.contains("does not support")),
        "{o}"
    );
    // A patient has no place in the directory.
    let yvette = demo_token(&app, "yvette.bouchard@demo.cercle.test").await;
    refused(403, "forbidden")(fhir(&app, Some(&yvette), "/Practitioner").await);
    refused(403, "forbidden")(fhir(&app, Some(&yvette), "/Organization?name=clinique").await);
    let marie_id = {
        let (_, _, b) = fhir(&app, Some(&marie), "/Practitioner?family=tremblay").await;
        first_id(&b)
    };
    refused(403, "forbidden")(fhir(&app, Some(&yvette), &format!("/Practitioner/{marie_id}")).await);
}
