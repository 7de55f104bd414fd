//! Availability through the JSON API: the weekly schedule, unavailability
//! periods refused when inverted or overlapping (translated, nothing stored),
//! one's own periods only, and "absent until …" seen by a colleague while the
//! period runs, with the server's clock moved forward.

use crate::backends;
use crate::helpers::{id_of, org_with_members, sign_up_named, Person};
use cercle_testkit::{status_and_json, Db, TestApp};
use serde_json::{json, Value};

backends!(
    schedule_is_checked_and_replaced,
    overlapping_and_inverted_periods_are_refused_in_both_languages,
    another_persons_period_cannot_be_deleted,
    colleagues_see_absent_until_while_the_period_runs,
);

const HOUR_MS: i64 = 3_600_000;

fn now_ms(app: &TestApp) -> i64 {
    app.ctx().clock.now().0
}

/// A request with the language of the answer set.
async fn send(app: &TestApp, method: &str, path: &str, token: &str, lang: &str, body: Value) -> (u16, Value) {
    let url = format!("{}/api/v1{path}", app.url);
    let req = match method {
        "put" => app.http.put(&url),
        "delete" => app.http.delete(&url),
        "get" => app.http.get(&url),
        _ => app.http.post(&url),
    };
    let r = req
        .bearer_auth(token)
        .header("Accept-Language", lang)
        .json(&body)
        .send()
        .await
        .expect("request");
    status_and_json(r).await
}

async fn periods(app: &TestApp, p: &Person) -> Vec<Value> {
    let (status, r) = app.get("/availability/periods", Some(&p.token)).await;
    assert_eq!(status, 200, "{r}");
    r["periods"].as_array().expect("periods").clone()
}

async fn schedule_is_checked_and_replaced(db: Db) {
    let app = TestApp::spawn(db).await;
    let marie = sign_up_named(&app, "marie@clinique.test", "Marie Tremblay", "fr").await;
    let (status, s) = app.get("/availability/schedule", Some(&marie.token)).await;
    assert_eq!((status, s["slots"].clone()), (200, json!([])), "{s}");

    let week = json!({ "slots": [
        { "day": 1, "start": 780, "end": 1020 },
        { "day": 1, "start": 480, "end": 720 },
        { "day": 3, "start": 480, "end": 720 },
    ]});
    let (status, s) = app.put("/availability/schedule", Some(&marie.token), week).await;
    assert_eq!(status, 200, "{s}");
    let sorted = json!([
        { "day": 1, "start": 480, "end": 720 },
        { "day": 1, "start": 780, "end": 1020 },
        { "day": 3, "start": 480, "end": 720 },
    ]);
    assert_eq!(s["slots"], sorted);

    // Overlapping or inverted slots are refused and the schedule stays.
    let (status, r) = send(
        &app,
        "put",
        "/availability/schedule",
        &marie.token,
        "fr",
        json!({ "slots": [{ "day": 2, "start": 480, "end": 720 }, { "day": 2, "start": 700, "end": 800 }] }),
    )
    .await;
    assert_eq!(
        (status, r["code"].as_str()),
        (422, Some("availability-slots-overlap")),
        "{r}"
    );
    assert_eq!(r["message"], "Deux plages horaires du même jour se chevauchent.");
    let (status, r) = send(
        &app,
        "put",
        "/availability/schedule",
        &marie.token,
        "en",
        json!({ "slots": [{ "day": 2, "start": 900, "end": 480 }] }),
    )
    .await;
    assert_eq!(
        (status, r["code"].as_str()),
        (422, Some("availability-slot-invalid")),
        "{r}"
    );
    let too_many: Vec<Value> = (0..51)
        .map(|i| json!({ "day": i % 7, "start": i * 10, "end": i * 10 + 5 }))
        .collect();
    let (status, r) = app
        .put(
            "/availability/schedule",
            Some(&marie.token),
            json!({ "slots": too_many }),
        )
        .await;
    assert_eq!(
        (status, r["code"].as_str()),
        (422, Some("availability-too-many-slots")),
        "{r}"
    );
    let (_, s) = app.get("/availability/schedule", Some(&marie.token)).await;
    assert_eq!(s["slots"], sorted);

    // An empty schedule clears it.
    let (status, s) = app
        .put("/availability/schedule", Some(&marie.token), json!({ "slots": [] }))
        .await;
    assert_eq!((status, s["slots"].clone()), (200, json!([])));
    let (status, _) = app.get("/availability/schedule", None).await;
    assert_eq!(status, 401);
}

async fn overlapping_and_inverted_periods_are_refused_in_both_languages(db: Db) {
    let app = TestApp::spawn(db).await;
    let marie = sign_up_named(&app, "marie@clinique.test", "Marie Tremblay", "fr").await;
    let now = now_ms(&app);
    let (status, p) = app
        .post(
            "/availability/periods",
            Some(&marie.token),
            json!({ "starts_at": now + 24 * HOUR_MS, "ends_at": now + 72 * HOUR_MS, "message": "Congrès" }),
        )
        .await;
    assert_eq!(status, 201, "{p}");
    assert_eq!(p["message"], "Congrès");
    assert_eq!(p["current"], false);

    let cases = [
        // Inverted, then empty.
        (now + 100 * HOUR_MS, now + 90 * HOUR_MS, "availability-period-inverted"),
        (now + 100 * HOUR_MS, now + 100 * HOUR_MS, "availability-period-inverted"),
        // Overlapping the start, the end, inside, around.
        (now + 10 * HOUR_MS, now + 25 * HOUR_MS, "availability-periods-overlap"),
        (now + 71 * HOUR_MS, now + 80 * HOUR_MS, "availability-periods-overlap"),
        (now + 30 * HOUR_MS, now + 40 * HOUR_MS, "availability-periods-overlap"),
        (now + HOUR_MS, now + 100 * HOUR_MS, "availability-periods-overlap"),
        // Already over.
        (now - 10 * HOUR_MS, now - HOUR_MS, "availability-period-past"),
    ];
    let messages = [
        (
            "availability-period-inverted",
            "La date de retour doit être après le début de l'absence.",
            "The return date must come after the start of the absence.",
        ),
        (
            "availability-periods-overlap",
            "Cette période chevauche une autre de vos périodes d'absence.",
            "This period overlaps another of your absences.",
        ),
        (
            "availability-period-past",
            "Cette période d'absence est déjà terminée.",
            "This absence is already over.",
        ),
    ];
    for (starts, ends, code) in cases {
        let (_, fr, en) = messages.iter().find(|m| m.0 == code).expect("message");
        for (lang, text) in [("fr", fr), ("en", en)] {
            let (status, r) = send(
                &app,
                "post",
                "/availability/periods",
                &marie.token,
                lang,
                json!({ "starts_at": starts, "ends_at": ends, "message": "x" }),
            )
            .await;
            assert_eq!((status, r["code"].as_str()), (422, Some(code)), "{starts}..{ends}: {r}");
            assert_eq!(r["message"].as_str(), Some(*text), "{lang}");
        }
    }
    // A message too long is refused too.
    let (status, r) = app
        .post(
            "/availability/periods",
            Some(&marie.token),
            json!({ "starts_at": now + 200 * HOUR_MS, "ends_at": now + 300 * HOUR_MS, "message": "é".repeat(281) }),
        )
        .await;
    assert_eq!((status, r["code"].as_str()), (422, Some("text-too-long")), "{r}");

    // Nothing of it was stored.
    let list = periods(&app, &marie).await;
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(list[0]["id"], p["id"]);

    // Touching periods are fine: back and away again the same instant.
    let (status, r) = app
        .post(
            "/availability/periods",
            Some(&marie.token),
            json!({ "starts_at": now + 72 * HOUR_MS, "ends_at": now + 96 * HOUR_MS }),
        )
        .await;
    assert_eq!(status, 201, "{r}");
    assert_eq!(r["message"], Value::Null);
    assert_eq!(periods(&app, &marie).await.len(), 2);
}

async fn another_persons_period_cannot_be_deleted(db: Db) {
    let app = TestApp::spawn(db).await;
    let marie = sign_up_named(&app, "marie@clinique.test", "Marie Tremblay", "fr").await;
    let jean = sign_up_named(&app, "jean@clinique.test", "Jean Gagnon", "en").await;
    let now = now_ms(&app);
    let (status, p) = app
        .post(
            "/availability/periods",
            Some(&marie.token),
            json!({ "starts_at": now, "ends_at": now + 24 * HOUR_MS }),
        )
        .await;
    assert_eq!(status, 201, "{p}");
    let id = p["id"].as_str().expect("id");

    let (status, r) = app
        .delete(&format!("/availability/periods/{id}"), Some(&jean.token))
        .await;
    assert_eq!((status, r["code"].as_str()), (404, Some("not-found")), "{r}");
    assert!(periods(&app, &jean).await.is_empty());
    assert_eq!(periods(&app, &marie).await.len(), 1, "still there");
    let (status, _) = app
        .delete(
            "/availability/periods/00000000-0000-0000-0000-000000000000",
            Some(&marie.token),
        )
        .await;
    assert_eq!(status, 404);
    let (status, _) = app.delete(&format!("/availability/periods/{id}"), None).await;
    assert_eq!(status, 401);

    let (status, _) = app
        .delete(&format!("/availability/periods/{id}"), Some(&marie.token))
        .await;
    assert_eq!(status, 204);
    assert!(periods(&app, &marie).await.is_empty());
    let (status, _) = app
        .delete(&format!("/availability/periods/{id}"), Some(&marie.token))
        .await;
    assert_eq!(status, 404);
}

async fn colleagues_see_absent_until_while_the_period_runs(db: Db) {
    let app = TestApp::spawn(db).await;
    let marie = sign_up_named(&app, "marie@clinique.test", "Marie Tremblay", "fr").await;
    let jean = sign_up_named(&app, "jean@clinique.test", "Jean Gagnon", "en").await;
    org_with_members(&app, &format!("Clinique {}", marie.email), &[&marie, &jean]).await;
    let marie_id = id_of(&app, &marie).await;
    let profile = format!("/network/people/{marie_id}");
    let search = "/network/search?kind=person&q=marie";
    let search_absence = |r: &Value| {
        r["results"]
            .as_array()
            .expect("results")
            .iter()
            .find(|x| x["id"] == marie_id.as_str())
            .map(|x| x["absent_until"].clone())
            .expect("Marie found")
    };

    let now = now_ms(&app);
    // Minutes, not days: a session idle for 15 minutes locks.
    let (starts, ends) = (now + 60_000, now + 10 * 60_000);
    let (status, p) = app
        .post(
            "/availability/periods",
            Some(&marie.token),
            json!({ "starts_at": starts, "ends_at": ends, "message": "En congrès à Québec" }),
        )
        .await;
    assert_eq!(status, 201, "{p}");

    // Not yet.
    let (status, v) = app.get(&profile, Some(&jean.token)).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["absent_until"], Value::Null);
    let (_, r) = app.get(search, Some(&jean.token)).await;
    assert_eq!(search_absence(&r), Value::Null, "{r}");

    // While it runs.
    app.advance(2 * 60);
    let (_, v) = app.get(&profile, Some(&jean.token)).await;
    assert_eq!(
        v["absent_until"],
        json!({ "until": ends, "message": "En congrès à Québec" }),
        "{v}"
    );
    let (_, r) = app.get(search, Some(&jean.token)).await;
    assert_eq!(search_absence(&r)["until"], ends, "{r}");
    let (_, mine) = app.get("/availability/periods", Some(&marie.token)).await;
    assert_eq!(mine["periods"][0]["current"], true, "{mine}");

    // Once back.
    app.advance(8 * 60);
    let (_, v) = app.get(&profile, Some(&jean.token)).await;
    assert_eq!(v["absent_until"], Value::Null, "{v}");
    let (_, r) = app.get(search, Some(&jean.token)).await;
    assert_eq!(search_absence(&r), Value::Null, "{r}");
    assert!(periods(&app, &marie).await.is_empty(), "over, no longer listed");
}
