//! Notifications end to end, with the server's clock moved by the test: a
//! message rings the other participants' browsers through a real push
//! service on loopback (payload decrypted, generic, no patient data) and
//! lands in their notification centre; outside working hours it stays
//! quiet and becomes one email alert once hours begin (received by the SMTP
//! listener); an absence and a muted thread keep quiet but high priority
//! breaks through, repeats, then escalates once by SMS until acknowledged;
//! a thread written to a team notifies its managers only; preferences and
//! their bad input. Every wait is bounded.

use crate::backends;
use crate::helpers::{admin_and_two_members, clinical_thread, id_of, Person};
use crate::push_api::{Browser, PushService};
use crate::teams_api;
use cercle_domain::local_time::Zone;
use cercle_domain::notification_rules::RING_AGAIN_AFTER_MS;
use cercle_store::notifications::NotificationRow;
use cercle_testkit::{eventually, find_code, Db, TestApp};
use serde_json::{json, Value};

backends!(
    a_message_rings_the_others_and_fills_their_centre_without_patient_data,
    outside_working_hours_it_waits_then_one_email_alert_within_hours,
    absence_and_mute_stay_quiet_high_priority_repeats_then_one_sms_until_acknowledged,
    a_thread_written_to_a_team_notifies_its_managers,
    preferences_friend_requests_and_what_is_refused,
    urgent_rings_are_bounded_and_without_a_phone_the_escalation_is_an_email,
    a_burst_of_messages_writes_only_what_changes,
    folding_only_what_changes_leaves_each_notification_as_folding_all_would,
    a_read_waits_for_the_messages_being_written_to_its_thread,
);

/// The patient of `clinical_thread`, and what is written about them: none
/// of it may leave in a notification.
const SECRETS: [&str; 5] = ["Gérard", "Lévesque", "Escarre", "sacrum", "1941"];
const TITLE: &str = "Escarre au sacrum";

fn assert_no_patient_data(what: &str, text: &str) {
    crate::helpers::assert_none_of(&SECRETS, what, text);
}

async fn post(app: &TestApp, p: &Person, thread: &str, body: &str, priority: bool) -> Value {
    let (status, m) = app
        .post(
            &format!("/threads/{thread}/messages"),
            Some(&p.token),
            json!({ "body": body, "priority": priority }),
        )
        .await;
    assert_eq!(status, 201, "{m}");
    m
}

async fn subscribe(app: &TestApp, p: &Person, browser: &Browser) {
    let (status, s) = app
        .post("/push/subscriptions", Some(&p.token), browser.subscription())
        .await;
    assert_eq!(status, 201, "{s}");
}

async fn rows(app: &TestApp, user_id: &str) -> Vec<NotificationRow> {
    let mut conn = app.ctx().store.reader().await.expect("reader");
    cercle_store::notifications::list(&mut conn, user_id.parse().expect("a user id"), 100)
        .await
        .expect("list")
}

/// Waits until the worker decided about every notification of the person
/// at the current time (no ring pending, nothing due), and a whole round of
/// the worker that began after that look found the same: a round in
/// progress holds a lease that looks like "later", and its pushes are sent
/// before it ends.
async fn settled(app: &TestApp, user_id: &str) -> Vec<NotificationRow> {
    let now = app.ctx().clock.now().0;
    let calm = async || {
        let r = rows(app, user_id).await;
        // A ring held back by the pause between rings is decided too: it
        // waits for its later look.
        r.iter()
            .all(|n| {
                let later = n.next_check_at.is_none_or(|t| t > now);
                later && (!n.ring_pending || n.next_check_at.is_some())
            })
            .then_some(r)
    };
    let mut rounds = app.ctx().notify_rounds.subscribe();
    eventually("the notification worker to decide", async || {
        let before = *rounds.borrow_and_update();
        let first = calm().await?;
        // The round running now (if any) ends, then one that began after
        // the look ends too: each wake-up starts a round at once.
        for target in [before + 1, before + 2] {
            app.ctx().notify_wake.notify_one();
            let ended = tokio::time::timeout(std::time::Duration::from_secs(10), rounds.wait_for(|n| *n >= target));
            ended.await.ok()?.ok()?;
        }
        let second = calm().await?;
        (first == second).then_some(second)
    })
    .await
}

/// The pushes a browser received, decrypted.
fn pushes(service: &PushService, browser: &Browser) -> Vec<Value> {
    service
        .received()
        .iter()
        .map(|(_, body)| browser.decrypt(body))
        .map(|p| serde_json::from_str(&p).expect("push payload is JSON"))
        .collect()
}

/// Cercle with sessions that stay unlocked for a day of inactivity, since
/// the test moves the clock by hours.
async fn spawn(db: Db) -> TestApp {
    TestApp::spawn_with(db, |c| c.idle_lock_secs = 24 * 3600).await
}

/// Moves the clock forward by `secs`, in steps of at most 12 hours with
/// each person's session used in between (so that it does not lock).
async fn advance(app: &TestApp, secs: i64, people: &[&Person]) {
    let mut left = secs;
    while left > 0 {
        let step = left.min(12 * 3600);
        app.advance(step);
        left -= step;
        for p in people {
            let (status, _) = app.get("/account", Some(&p.token)).await;
            assert_eq!(status, 200);
        }
    }
}

async fn centre(app: &TestApp, p: &Person) -> Value {
    let (status, l) = app.get("/notifications", Some(&p.token)).await;
    assert_eq!(status, 200, "{l}");
    l
}

/// A schedule whose only working day is three days from now (Montréal), so
/// that now is outside working hours; returns the seconds until that day
/// begins (rounded down).
async fn schedule_in_three_days(app: &TestApp, p: &Person) -> i64 {
    let now = app.ctx().clock.now();
    let target = (Zone::montreal().weekday_minute(now.0).0 + 3) % 7;
    let (status, s) = app
        .put(
            "/availability/schedule",
            Some(&p.token),
            json!({ "slots": [{ "day": target, "start": 0, "end": 1440 }] }),
        )
        .await;
    assert_eq!(status, 200, "{s}");
    // The first minute of that day, found minute by minute (at most four
    // days of them), so that a change of daylight saving time in between
    // cannot shift it.
    let mut t = (now.0 / 60_000 + 1) * 60_000;
    while Zone::montreal().weekday_minute(t).0 != target {
        t += 60_000;
    }
    (t - now.0) / 1000
}

async fn a_message_rings_the_others_and_fills_their_centre_without_patient_data(db: Db) {
    let app = spawn(db).await;
    let (service, origin) = PushService::start().await;
    let (a, b, c) = admin_and_two_members(&app).await;
    let (b_id, c_id) = (id_of(&app, &b).await, id_of(&app, &c).await);
    let browser = Browser::new(&origin, "b-phone");
    subscribe(&app, &b, &browser).await;
    let thread = clinical_thread(&app, &a, &[&b, &c], TITLE).await;

    post(&app, &a, &thread, "Escarre au sacrum de M. Lévesque : stade 2", false).await;
    let pushed = eventually("a push to B's browser", async || {
        let p = pushes(&service, &browser);
        (!p.is_empty()).then_some(p)
    })
    .await;
    // B writes in French: the generic French text, the thread's path.
    assert_eq!(pushed[0]["title"], "Cercle");
    assert_eq!(pushed[0]["body"], "Nouveau message dans une discussion clinique");
    assert_eq!(pushed[0]["url"], format!("/threads/{thread}"));
    assert_no_patient_data("the push", &pushed[0].to_string());

    // The centre: one unread notification each for B and C, none for A.
    let l = centre(&app, &b).await;
    assert_eq!(l["unread"], 1, "{l}");
    let n = &l["items"][0];
    assert_eq!(
        (n["kind"].as_str(), n["thread_kind"].as_str(), n["read"].as_bool()),
        (Some("message"), Some("clinical"), Some(false))
    );
    assert_eq!(n["text"], "Nouveau message dans une discussion clinique");
    assert_eq!(n["actor_name"].as_str().map(|s| !s.is_empty()), Some(true), "{n}");
    assert_no_patient_data("the centre", &l.to_string());
    assert_eq!(centre(&app, &c).await["unread"], 1);
    let l = centre(&app, &a).await;
    assert!(
        l["items"]
            .as_array()
            .is_some_and(|i| i.iter().all(|n| n["kind"] != "message")),
        "the author is not told: {l}"
    );
    let (status, u) = app.get("/notifications/unread", Some(&b.token)).await;
    assert_eq!((status, u["unread"].as_i64()), (200, Some(1)));

    // A second message at once folds into the same notification. The
    // thread rang a moment ago: the ring waits for the pause between rings
    // (a burst of messages is one ring), then comes.
    post(&app, &a, &thread, "Pansement hydrocolloïde posé", false).await;
    let l = centre(&app, &b).await;
    assert_eq!(l["items"].as_array().map(Vec::len), Some(1), "{l}");
    assert_eq!(l["items"][0]["count"], 2);
    let held = settled(&app, &b_id).await;
    // Owed, and looked at once the pause is over (not after every message).
    assert!(
        held.iter().any(|n| n.ring_pending
            && n.rung_at
                .is_some_and(|at| n.next_check_at == Some(at + RING_AGAIN_AFTER_MS))),
        "{held:?}"
    );
    assert_eq!(pushes(&service, &browser).len(), 1, "no second ring within the pause");
    advance(&app, RING_AGAIN_AFTER_MS / 1000, &[&a, &b]).await;
    eventually("a second push after the pause", async || {
        (pushes(&service, &browser).len() == 2).then_some(())
    })
    .await;

    // Reading the thread reads its notification; C's stays unread.
    let (status, _) = app
        .post(&format!("/threads/{thread}/read"), Some(&b.token), json!({}))
        .await;
    assert!(status < 300, "read: {status}");
    assert_eq!(centre(&app, &b).await["unread"], 0);
    assert_eq!(centre(&app, &c).await["unread"], 1);

    // Opening a notification marks it read and gives where it leads; not
    // someone else's.
    let c_note = centre(&app, &c).await["items"][0]["id"]
        .as_str()
        .expect("id")
        .to_string();
    let (status, _) = app
        .post(&format!("/notifications/{c_note}/open"), Some(&b.token), json!({}))
        .await;
    assert_eq!(status, 404, "B cannot open C's notification");
    let (status, o) = app
        .post(&format!("/notifications/{c_note}/open"), Some(&c.token), json!({}))
        .await;
    assert_eq!(
        (status, o["link"].as_str()),
        (200, Some(format!("/threads/{thread}").as_str()))
    );
    assert_eq!(centre(&app, &c).await["unread"], 0);

    // Nothing in the database's notification rows names the patient either.
    for r in rows(&app, &b_id).await.iter().chain(rows(&app, &c_id).await.iter()) {
        assert_no_patient_data("a notification row", &format!("{r:?}"));
    }
}

async fn outside_working_hours_it_waits_then_one_email_alert_within_hours(db: Db) {
    let app = spawn(db).await;
    let (service, origin) = PushService::start().await;
    let (a, b, _c) = admin_and_two_members(&app).await;
    let b_id = id_of(&app, &b).await;
    let browser = Browser::new(&origin, "b-laptop");
    subscribe(&app, &b, &browser).await;
    let until_working_day = schedule_in_three_days(&app, &b).await;
    let thread = clinical_thread(&app, &a, &[&b], TITLE).await;

    post(&app, &a, &thread, "Escarre au sacrum : à revoir", false).await;
    let other = clinical_thread(&app, &a, &[&b], "Suivi du sacrum").await;
    post(&app, &a, &other, "Escarre au sacrum : photo", false).await;
    let r = settled(&app, &b_id).await;
    assert_eq!(
        r.iter().map(|n| n.rings).collect::<Vec<_>>(),
        vec![0, 0],
        "quiet: no ring outside working hours"
    );
    assert!(pushes(&service, &browser).is_empty());

    // Past the 15-minute delay but still outside hours: no email yet.
    advance(&app, 20 * 60, &[&a, &b]).await;
    settled(&app, &b_id).await;
    let alerts = |app: &TestApp| {
        app.smtp
            .to("b@fleuve.test")
            .into_iter()
            .filter(|m| m.subject.contains("notifications"))
            .count()
    };
    assert_eq!(alerts(&app), 0, "the email alert waits for working hours");

    // The working day begins: one email alert, no patient data, a link to
    // the centre; and still no push for that old message.
    advance(&app, until_working_day - 20 * 60 + 120, &[&a, &b]).await;
    let mail = app.smtp.wait_subject("b@fleuve.test", "notifications", 0).await;
    assert!(mail.subject.contains("non lues"), "French: {}", mail.subject);
    assert!(
        mail.body.contains(&format!("{}/notifications", app.url)),
        "{}",
        mail.body
    );
    // One email for both (they came due in the same round).
    assert!(mail.body.contains("2 notifications"), "{}", mail.body);
    assert_no_patient_data("the email alert", &format!("{} {}", mail.subject, mail.body));
    settled(&app, &b_id).await;
    assert!(pushes(&service, &browser).is_empty());

    // Only once: an hour later, still one.
    advance(&app, 3600, &[&a, &b]).await;
    settled(&app, &b_id).await;
    assert_eq!(alerts(&app), 1);

    // High priority breaks through working hours (here, during them, after
    // moving out of them again: the next day is not a working day).
    advance(&app, 24 * 3600, &[&a, &b]).await;
    post(&app, &a, &thread, "Saignement au sacrum", true).await;
    let pushed = eventually("the high-priority push", async || {
        let p = pushes(&service, &browser);
        (!p.is_empty()).then_some(p)
    })
    .await;
    assert_eq!(
        pushed[0]["body"],
        "Message prioritaire dans une discussion clinique : veuillez en accuser réception"
    );
    assert_no_patient_data("the urgent push", &pushed[0].to_string());
}

async fn absence_and_mute_stay_quiet_high_priority_repeats_then_one_sms_until_acknowledged(db: Db) {
    let app = spawn(db).await;
    let (service, origin) = PushService::start().await;
    let (a, b, _c) = admin_and_two_members(&app).await;
    let b_id = id_of(&app, &b).await;
    let browser = Browser::new(&origin, "b-phone");
    subscribe(&app, &b, &browser).await;
    // B has a verified phone.
    let (status, r) = app
        .post("/account/phone", Some(&b.token), json!({ "phone": "(514) 555-0199" }))
        .await;
    assert_eq!(status, 202, "{r}");
    let sms = app.sms.nth_to("+15145550199", 1).await;
    let code = find_code(&sms.body).expect("code");
    let (status, r) = app
        .post("/account/phone/confirm", Some(&b.token), json!({ "code": code }))
        .await;
    assert_eq!(status, 200, "{r}");
    // B is away for two days.
    let now = app.ctx().clock.now().0;
    let (status, period) = app
        .post(
            "/availability/periods",
            Some(&b.token),
            json!({ "starts_at": now - 60_000, "ends_at": now + 2 * 86_400_000, "message": "Congrès" }),
        )
        .await;
    assert_eq!(status, 201, "{period}");
    let thread = clinical_thread(&app, &a, &[&b], TITLE).await;

    post(&app, &a, &thread, "Escarre au sacrum : suivi", false).await;
    settled(&app, &b_id).await;
    assert!(pushes(&service, &browser).is_empty(), "quiet while away");

    let urgent = post(&app, &a, &thread, "Saignement au sacrum", true).await;
    let urgent_id = urgent["id"].as_str().expect("id").to_string();
    eventually("the urgent push", async || {
        (pushes(&service, &browser).len() == 1).then_some(())
    })
    .await;
    // Repeated every 5 minutes while unacknowledged.
    advance(&app, 5 * 60 + 5, &[&a, &b]).await;
    eventually("the first repeat", async || {
        (pushes(&service, &browser).len() == 2).then_some(())
    })
    .await;
    advance(&app, 5 * 60, &[&a, &b]).await;
    eventually("the second repeat", async || {
        (pushes(&service, &browser).len() == 3).then_some(())
    })
    .await;
    assert_eq!(app.sms.to("+15145550199").len(), 1, "no SMS before 15 minutes");
    // 15 minutes after: one SMS with the link, no patient data.
    advance(&app, 5 * 60, &[&a, &b]).await;
    let sms = app.sms.nth_to("+15145550199", 2).await;
    assert!(sms.body.contains(&format!("/threads/{thread}")), "{}", sms.body);
    assert!(sms.body.starts_with("Cercle :"), "French: {}", sms.body);
    assert_no_patient_data("the SMS", &sms.body);
    // Acknowledged: nothing more, however long one waits.
    let (status, _) = app
        .post(&format!("/messages/{urgent_id}/ack"), Some(&b.token), json!({}))
        .await;
    assert!(status < 300, "ack: {status}");
    settled(&app, &b_id).await;
    let before = pushes(&service, &browser).len();
    for _ in 0..3 {
        advance(&app, 10 * 60, &[&a, &b]).await;
        settled(&app, &b_id).await;
    }
    assert_eq!(pushes(&service, &browser).len(), before, "no repeat once acknowledged");
    assert_eq!(app.sms.to("+15145550199").len(), 2, "one SMS only");

    // Back from the absence; a muted thread stays quiet, except high priority.
    let (status, _) = app
        .delete(
            &format!("/availability/periods/{}", period["id"].as_str().expect("id")),
            Some(&b.token),
        )
        .await;
    assert_eq!(status, 204);
    let (status, m) = app
        .put(
            &format!("/threads/{thread}/mute"),
            Some(&b.token),
            json!({ "muted": true }),
        )
        .await;
    assert_eq!((status, m["muted"].as_bool()), (200, Some(true)), "{m}");
    let (_, prefs) = app.get("/notifications/preferences", Some(&b.token)).await;
    assert_eq!(prefs["muted"][0]["thread_id"], thread.as_str(), "{prefs}");
    let before = pushes(&service, &browser).len();
    post(&app, &a, &thread, "Suivi de routine", false).await;
    settled(&app, &b_id).await;
    assert_eq!(pushes(&service, &browser).len(), before, "muted");
    post(&app, &a, &thread, "Urgent : douleur", true).await;
    eventually("high priority through the mute", async || {
        (pushes(&service, &browser).len() == before + 1).then_some(())
    })
    .await;
    // Unmuted: rings again.
    let (status, _) = app
        .put(
            &format!("/threads/{thread}/mute"),
            Some(&b.token),
            json!({ "muted": false }),
        )
        .await;
    assert_eq!(status, 200);
    let (status, _) = app
        .post(&format!("/threads/{thread}/read"), Some(&b.token), json!({}))
        .await;
    assert!(status < 300);
    post(&app, &a, &thread, "Suivi", false).await;
    eventually("a ring once unmuted", async || {
        (pushes(&service, &browser).len() == before + 2).then_some(())
    })
    .await;
}

async fn a_thread_written_to_a_team_notifies_its_managers(db: Db) {
    let app = spawn(db).await;
    let s = teams_api::setup(&app).await;
    let manager = id_of(&app, &s.manager).await;
    let (status, t) = app
        .post(
            &format!("/teams/{}/threads", s.team),
            Some(&s.writer.token),
            json!({ "title": "Pansement", "body": "Plaie au talon à revoir" }),
        )
        .await;
    assert_eq!(status, 201, "{t}");
    let thread = t["id"].as_str().expect("id").to_string();
    let l = centre(&app, &s.manager).await;
    assert_eq!(l["unread"], 1, "{l}");
    assert_eq!(l["items"][0]["kind"], "triage");
    assert_eq!(
        l["items"][0]["text"],
        "Nouvelle discussion dans la boîte de triage de votre équipe"
    );
    assert_eq!(l["items"][0]["link"], format!("/threads/{thread}"));
    // The first message folded into it: one notification, not two.
    assert_eq!(l["items"].as_array().map(Vec::len), Some(1));
    // Participants who were not assigned are not told.
    assert_eq!(centre(&app, &s.p).await["unread"], 0);
    assert_eq!(centre(&app, &s.outsider).await["unread"], 0);
    settled(&app, &manager).await;

    // Returned to triage: the managers are told again.
    let (status, r) = app
        .post(
            &format!("/threads/{thread}/team/assign"),
            Some(&s.manager.token),
            json!({ "team_id": s.team, "user_id": id_of(&app, &s.p).await }),
        )
        .await;
    assert!(status < 300, "{r}");
    let (status, _) = app
        .post(&format!("/threads/{thread}/read"), Some(&s.manager.token), json!({}))
        .await;
    assert!(status < 300);
    assert_eq!(centre(&app, &s.manager).await["unread"], 0);
    let (status, r) = app
        .post(
            &format!("/threads/{thread}/team/return"),
            Some(&s.p.token),
            json!({ "team_id": s.team }),
        )
        .await;
    assert!(status < 300, "{r}");
    let l = centre(&app, &s.manager).await;
    assert_eq!(
        (l["unread"].as_i64(), l["items"][0]["kind"].as_str()),
        (Some(1), Some("triage")),
        "{l}"
    );
}

async fn preferences_friend_requests_and_what_is_refused(db: Db) {
    let app = spawn(db).await;
    let (a, b, c) = admin_and_two_members(&app).await;
    let b_id = id_of(&app, &b).await;

    let (status, p) = app.get("/notifications/preferences", Some(&b.token)).await;
    assert_eq!(status, 200, "{p}");
    assert_eq!(
        (p["email_alerts"].as_bool(), p["email_delay_mins"].as_i64()),
        (Some(true), Some(15))
    );
    assert_eq!(p["has_phone"], false);
    // A delay not offered is refused, translated, and nothing changes.
    for (lang, words) in [("fr", "délais proposés"), ("en", "proposed delays")] {
        let r = app
            .http
            .put(format!("{}/api/v1/notifications/preferences", app.url))
            .bearer_auth(&b.token)
            .header("accept-language", lang)
            .json(&json!({ "email_alerts": true, "email_delay_mins": 7 }))
            .send()
            .await
            .expect("put");
        assert_eq!(r.status().as_u16(), 422);
        let e: Value = r.json().await.expect("json");
        assert_eq!(e["code"], "notification-delay-invalid", "{e}");
        assert!(e["message"].as_str().is_some_and(|m| m.contains(words)), "{lang}: {e}");
    }
    let (_, p) = app.get("/notifications/preferences", Some(&b.token)).await;
    assert_eq!(p["email_delay_mins"], 15);
    // Email alerts off: no email, however long it stays unread.
    let (status, p) = app
        .put(
            "/notifications/preferences",
            Some(&b.token),
            json!({ "email_alerts": false, "email_delay_mins": 60 }),
        )
        .await;
    assert_eq!(
        (status, p["email_alerts"].as_bool(), p["email_delay_mins"].as_i64()),
        (200, Some(false), Some(60))
    );
    let thread = clinical_thread(&app, &a, &[&b], TITLE).await;
    post(&app, &a, &thread, "Suivi", false).await;
    settled(&app, &b_id).await;
    advance(&app, 2 * 3600, &[&a, &b, &c]).await;
    settled(&app, &b_id).await;
    assert!(
        !app.smtp
            .to("b@fleuve.test")
            .iter()
            .any(|m| m.subject.contains("notifications")),
        "no email alert when turned off"
    );

    // Muting a thread one does not reach is refused like a thread that
    // does not exist.
    let (status, _) = app
        .put(
            &format!("/threads/{thread}/mute"),
            Some(&c.token),
            json!({ "muted": true }),
        )
        .await;
    assert_eq!(status, 404);
    let (status, _) = app
        .put("/threads/nope/mute", Some(&c.token), json!({ "muted": true }))
        .await;
    assert_eq!(status, 404);
    // Without a session, nothing.
    assert_eq!(app.get("/notifications", None).await.0, 401);

    // A friend request notifies its recipient.
    let (status, r) = app
        .post("/network/friends", Some(&c.token), json!({ "user_id": b_id }))
        .await;
    assert_eq!(status, 200, "{r}");
    let l = centre(&app, &b).await;
    assert!(
        l["items"].as_array().is_some_and(|i| i
            .iter()
            .any(|n| n["kind"] == "friend_request" && n["link"] == "/network/friends")),
        "{l}"
    );
    // Mark all read.
    let (status, _) = app.post("/notifications/read-all", Some(&b.token), json!({})).await;
    assert_eq!(status, 204);
    assert_eq!(centre(&app, &b).await["unread"], 0);

    // Settings changes are bounded: 120 an hour (the one above was two
    // hours ago).
    for i in 1..=120 {
        let (status, r) = app
            .put(
                "/notifications/preferences",
                Some(&b.token),
                json!({ "email_alerts": i % 2 == 0, "email_delay_mins": 30 }),
            )
            .await;
        assert_eq!(status, 200, "change {i}: {r}");
    }
    let (status, r) = app
        .put(
            &format!("/threads/{thread}/mute"),
            Some(&b.token),
            json!({ "muted": true }),
        )
        .await;
    assert_eq!(status, 429, "{r}");
    assert!(r["message"].as_str().is_some_and(|m| !m.is_empty()), "{r}");
    let (_, prefs) = app.get("/notifications/preferences", Some(&b.token)).await;
    assert_eq!(prefs["muted"], json!([]), "the refused mute did not happen: {prefs}");
}

async fn urgent_rings_are_bounded_and_without_a_phone_the_escalation_is_an_email(db: Db) {
    let app = TestApp::spawn_with(db, |c| {
        c.idle_lock_secs = 24 * 3600;
        c.urgent_repeat_secs = 60;
        c.urgent_sms_after_secs = 30 * 60;
        c.email_alert_delay_mins = 24 * 60;
    })
    .await;
    let (service, origin) = PushService::start().await;
    let (a, b, _c) = admin_and_two_members(&app).await;
    let b_id = id_of(&app, &b).await;
    let browser = Browser::new(&origin, "b-phone");
    subscribe(&app, &b, &browser).await;
    let thread = clinical_thread(&app, &a, &[&b], TITLE).await;
    post(&app, &a, &thread, "Saignement au sacrum", true).await;
    eventually("the urgent push", async || {
        (pushes(&service, &browser).len() == 1).then_some(())
    })
    .await;
    // A ring a minute, twelve at most, however long it stays unacknowledged.
    for minute in 1..=20 {
        advance(&app, 60, &[&a, &b]).await;
        settled(&app, &b_id).await;
        assert_eq!(
            pushes(&service, &browser).len(),
            (minute + 1).min(12),
            "after {minute} minutes"
        );
    }
    let alerts = || {
        app.smtp
            .to("b@fleuve.test")
            .into_iter()
            .filter(|m| m.subject.contains("notifications"))
            .count()
    };
    assert_eq!(alerts(), 0, "nothing by email before the escalation delay");
    // B has no verified phone: at 30 minutes the escalation is an email
    // with the SMS's words and link.
    advance(&app, 10 * 60 + 5, &[&a, &b]).await;
    let mail = app.smtp.wait_subject("b@fleuve.test", "prioritaire", 0).await;
    assert!(
        mail.body.contains(&format!("{}/threads/{thread}", app.url)),
        "{}",
        mail.body
    );
    assert_no_patient_data("the escalation email", &format!("{} {}", mail.subject, mail.body));
    settled(&app, &b_id).await;
    assert!(app.sms.to("+15145550199").is_empty());
    assert_eq!(pushes(&service, &browser).len(), 12);
    let urgent = app
        .smtp
        .to("b@fleuve.test")
        .into_iter()
        .filter(|m| m.subject.contains("prioritaire"))
        .count();
    assert_eq!((urgent, alerts()), (1, 0), "one escalation email");
}

/// Rows of `notifications` updated in the current transaction on
/// PostgreSQL; on SQLite, rows changed by the connection (every table: the
/// caller changes only notifications between two looks).
async fn rows_written(app: &TestApp, tx: &mut cercle_store::Tx) -> i64 {
    let sql = match app.ctx().store.backend() {
        cercle_store::Backend::Postgres => "SELECT pg_stat_get_xact_tuples_updated('notifications'::regclass) AS n",
        cercle_store::Backend::Sqlite => "SELECT total_changes() AS n",
    };
    let row = sqlx::query(sql).fetch_one(&mut **tx).await.expect("rows written");
    sqlx::Row::get::<i64, _>(&row, "n")
}

/// Numbers and writes messages of `thread` (each author's, normal), as a
/// batch of posts does, in the caller's transaction.
async fn write_messages(
    tx: &mut cercle_store::Tx,
    thread: cercle_domain::ThreadId,
    authors: &[cercle_domain::UserId],
    at: cercle_domain::Timestamp,
) -> cercle_store::threads::Numbered {
    use cercle_store::threads as tstore;
    let n = authors.len() as i64;
    let messages: Vec<(cercle_domain::UserId, bool)> = authors.iter().map(|&a| (a, false)).collect();
    let numbered = tstore::take_seqs(&mut *tx, thread, &messages, at).await.expect("seqs");
    let rows: Vec<tstore::MessageRow> = authors
        .iter()
        .enumerate()
        .map(|(i, &author_id)| tstore::MessageRow {
            id: cercle_domain::MessageId::new(),
            thread_id: thread,
            seq: numbered.last_seq - n + 1 + i as i64,
            author_id,
            body: "Vu".into(),
            priority: false,
            created_at: at.0,
            edited_at: None,
            retracted_at: None,
        })
        .collect();
    let pairs: Vec<(&tstore::MessageRow, &str)> = rows.iter().map(|m| (m, "vu")).collect();
    tstore::insert_messages(&mut *tx, &pairs).await.expect("messages");
    numbered
}

/// A batch of messages to a thread writes no participant's unread
/// notification unless something about it other than its count changes:
/// the count is counted (the thread's normal messages since it started,
/// less the person's own), and so is its actor. The authors' own messages
/// are taken off theirs; a second later the time moves; the worker tells a
/// message that came while it decided by the count as it stands; a read
/// freezes it, and the next message makes a new one; a notification that
/// did not count yet (a triage one) starts counting. Before, every batch
/// wrote every participant's row (docs/benchmarks.md, section 26).
async fn a_burst_of_messages_writes_only_what_changes(db: Db) {
    use cercle_domain::notification_rules::NotificationKind;
    use cercle_domain::{ThreadId, Timestamp, UserId};
    use cercle_store::notifications::{self as store, Counting, Share};

    let app = spawn(db).await;
    let (a, b, c) = admin_and_two_members(&app).await;
    let a_id: UserId = id_of(&app, &a).await.parse().expect("a user id");
    let b_id: UserId = id_of(&app, &b).await.parse().expect("a user id");
    let c_id: UserId = id_of(&app, &c).await.parse().expect("a user id");
    let thread: ThreadId = clinical_thread(&app, &a, &[&b, &c], TITLE)
        .await
        .parse()
        .expect("a thread id");
    let now = app.ctx().clock.now();
    let at = |ms: i64| Timestamp(now.0 + ms);
    let share = |user_id, others, own, actor| Share {
        user_id,
        others,
        own,
        actor,
    };
    // In a transaction rolled back at the end: the worker never sees them.
    let mut tx = app.ctx().store.begin().await.expect("begin");
    // A's first message: B and C are told, counting after it.
    let first = write_messages(&mut tx, thread, &[a_id], now).await;
    let unread = |user_id: UserId| {
        let mut n = NotificationRow::new(
            user_id,
            NotificationKind::Message,
            Some(a_id),
            format!("/threads/{thread}"),
            now,
        );
        n.thread_kind = "clinical".into();
        n.thread_id = Some(thread);
        n.counting = Some(Counting::after(first));
        n
    };
    let (b_note, c_note) = (unread(b_id), unread(c_id));
    store::insert_many(&mut tx, &[b_note.clone(), c_note.clone()])
        .await
        .expect("insert");
    let get = async |tx: &mut cercle_store::Tx, id| {
        let n = store::get(tx, id).await.expect("get").expect("the notification");
        (n.count, n.actor_id, n.updated_at)
    };
    assert_eq!(get(&mut tx, c_note.id).await, (1, Some(a_id), now.0));

    // Half a second later, A twice then B: C's row is not written (its
    // count and actor are counted); B's takes off B's own message.
    let batch = write_messages(&mut tx, thread, &[a_id, a_id, b_id], at(500)).await;
    let before = rows_written(&app, &mut tx).await;
    let had = store::fold_batch(
        &mut tx,
        thread,
        &[
            share(a_id, 0, 2, None),
            share(b_id, 2, 1, Some(a_id)),
            share(c_id, 3, 0, Some(b_id)),
        ],
        batch,
        RING_AGAIN_AFTER_MS,
        at(500),
    )
    .await
    .expect("fold");
    assert_eq!(
        rows_written(&app, &mut tx).await - before,
        1,
        "only the author B's row is written"
    );
    let (mut had, mut want) = (had, vec![b_id, c_id]);
    had.sort();
    want.sort();
    assert_eq!(had, want, "B and C had one, A none");
    assert_eq!(get(&mut tx, b_note.id).await, (3, Some(a_id), now.0));
    assert_eq!(get(&mut tx, c_note.id).await, (4, Some(b_id), now.0));

    // A second after their time, the time moves: both are written.
    let later = write_messages(&mut tx, thread, &[a_id], at(1_000)).await;
    let before = rows_written(&app, &mut tx).await;
    store::fold_batch(
        &mut tx,
        thread,
        &[
            share(a_id, 0, 1, None),
            share(b_id, 1, 0, Some(a_id)),
            share(c_id, 1, 0, Some(a_id)),
        ],
        later,
        RING_AGAIN_AFTER_MS,
        at(1_000),
    )
    .await
    .expect("fold");
    assert_eq!(rows_written(&app, &mut tx).await - before, 2);
    assert_eq!(get(&mut tx, b_note.id).await, (4, Some(a_id), now.0 + 1_000));
    assert_eq!(get(&mut tx, c_note.id).await, (5, Some(a_id), now.0 + 1_000));

    // The worker read C's notification at count 5 and decided that nothing
    // more is owed; a message counted since (6) keeps the ring owed.
    let nothing_owed = store::Delivery {
        ring_pending: false,
        changed_not_before: None,
        rings: 0,
        rung_at: None,
        emailed_at: None,
        sms_at: None,
        next_check_at: None,
    };
    write_messages(&mut tx, thread, &[a_id], at(1_200)).await;
    store::save_deliveries(&mut tx, &[(c_note.id, 5, nothing_owed)])
        .await
        .expect("save");
    let n = store::get(&mut tx, c_note.id).await.expect("get").expect("C's");
    assert!(n.ring_pending && n.next_check_at.is_some(), "{n:?}");
    // Read at count 6, the decision stands.
    store::save_deliveries(&mut tx, &[(c_note.id, 6, nothing_owed)])
        .await
        .expect("save");
    let n = store::get(&mut tx, c_note.id).await.expect("get").expect("C's");
    assert!(!n.ring_pending && n.next_check_at.is_none(), "{n:?}");

    // C reads the thread: the count and actor freeze; the next message
    // counts in a new notification, not in the one read.
    store::mark_thread_read(&mut tx, c_id, thread, at(1_300))
        .await
        .expect("read");
    let read = store::get(&mut tx, c_note.id).await.expect("get").expect("C's");
    assert_eq!((read.count, read.actor_id, read.counting), (6, Some(a_id), None));
    let next = write_messages(&mut tx, thread, &[b_id], at(1_400)).await;
    let had = store::fold_batch(
        &mut tx,
        thread,
        &[share(b_id, 0, 1, None), share(c_id, 1, 0, Some(b_id))],
        next,
        RING_AGAIN_AFTER_MS,
        at(1_400),
    )
    .await
    .expect("fold");
    assert_eq!(had, vec![b_id], "C's was read");
    assert_eq!(get(&mut tx, c_note.id).await.0, 6, "a read notification counts no more");
    // B's own message came off B's; its actor is still the last author
    // not B (A, before this batch).
    let (count, actor, _) = get(&mut tx, b_note.id).await;
    assert_eq!((count, actor), (5, Some(a_id)));

    // A notification that does not count (a thread put in triage) takes
    // the batch's count and actor once, then counts.
    let mut triage = NotificationRow::new(
        c_id,
        NotificationKind::Triage,
        Some(b_id),
        format!("/threads/{thread}"),
        now,
    );
    triage.thread_id = Some(thread);
    store::insert_many(&mut tx, std::slice::from_ref(&triage))
        .await
        .expect("insert");
    let last = write_messages(&mut tx, thread, &[a_id, a_id], at(1_500)).await;
    store::fold_batch(
        &mut tx,
        thread,
        &[share(c_id, 2, 0, Some(a_id))],
        last,
        RING_AGAIN_AFTER_MS,
        at(1_500),
    )
    .await
    .expect("fold");
    let n = store::get(&mut tx, triage.id)
        .await
        .expect("get")
        .expect("the triage one");
    assert_eq!(
        (n.count, n.actor_id, n.counting),
        (3, Some(a_id), Some(Counting::after(last)))
    );
    write_messages(&mut tx, thread, &[b_id], at(1_600)).await;
    assert_eq!(get(&mut tx, triage.id).await.0, 4);
    tx.rollback().await.expect("rollback");
}

/// A batch's read of the thread's notifications leaves out those it would
/// not write (`store::fold_batch`): its SQL filter must never leave out one
/// whose ring owed, time or next look the fold changes. Each state of a
/// counting notification (ring owed or not; its time older than, at and
/// within the fold's step; never rung, rung before, at and within the ring
/// pause; its next look none, later, and around now and the pause's end),
/// counting or not yet, in two threads: one folded by
/// `fold_batch`, the other by `fold_many`, which writes every row. Both
/// must leave every notification's ring, time and next look the same, and
/// one that did not count yet takes the batch's share and counts.
async fn folding_only_what_changes_leaves_each_notification_as_folding_all_would(db: Db) {
    use cercle_domain::notification_rules::NotificationKind;
    use cercle_domain::{ThreadId, Timestamp, UserId};
    use cercle_store::notifications::{self as store, Counting, Share};
    use cercle_store::threads::Numbered;

    let app = spawn(db).await;
    let now = Timestamp(1_800_000_000_000);
    let step = store::FOLD_TIME_STEP_MS;
    let pause = RING_AGAIN_AFTER_MS;
    let numbered = Numbered {
        last_seq: 10,
        normal_count: 10,
    };
    let mut states = Vec::new();
    for ring_pending in [false, true] {
        for updated_at in [now.0 - 5 * step, now.0 - step, now.0 - step + 1] {
            for rung_at in [
                None,
                Some(now.0 - pause - 1),
                Some(now.0 - pause),
                Some(now.0 - pause / 2),
            ] {
                let mut next = vec![None, Some(now.0 + 2 * pause)];
                let around = |t: i64| [-10, -1, 0, 1, 10].map(|d| Some(t + d));
                next.extend(around(now.0));
                if let Some(at) = rung_at {
                    next.extend(around(at + pause));
                }
                for next_check_at in next {
                    for counting in [true, false] {
                        states.push((ring_pending, updated_at, rung_at, next_check_at, counting));
                    }
                }
            }
        }
    }
    let (folded_thread, all_thread) = (ThreadId::new(), ThreadId::new());
    let actor = UserId::new();
    let mut tx = app.ctx().store.begin().await.expect("begin");
    let (mut users, mut batch_folded) = (Vec::new(), Vec::new());
    for (i, &(ring_pending, updated_at, rung_at, next_check_at, counting)) in states.iter().enumerate() {
        let user_id = UserId::new();
        sqlx::query(
            "INSERT INTO users (id, email, name, language, password_hash, created_at, updated_at) \
             VALUES ($1, $2, 'Grid', 'fr', 'x', 0, 0)",
        )
        .bind(user_id.to_string())
        .bind(format!("grid{i}@fleuve.test"))
        .execute(&mut *tx)
        .await
        .expect("a user");
        for thread in [folded_thread, all_thread] {
            let mut n = NotificationRow::new(
                user_id,
                NotificationKind::Message,
                Some(actor),
                format!("/threads/{thread}"),
                now,
            );
            n.thread_id = Some(thread);
            n.ring_pending = ring_pending;
            n.updated_at = updated_at;
            n.rung_at = rung_at;
            n.next_check_at = next_check_at;
            n.counting = counting.then(|| Counting::after(numbered));
            if thread == folded_thread {
                batch_folded.push(n.id);
            }
            store::insert_many(&mut tx, &[n]).await.expect("a notification");
        }
        users.push(user_id);
    }
    let shares: Vec<Share> = users
        .iter()
        .map(|&user_id| Share {
            user_id,
            others: 1,
            own: 0,
            actor: Some(actor),
        })
        .collect();
    let had = store::fold_batch(&mut tx, folded_thread, &shares, numbered, pause, now)
        .await
        .expect("fold_batch");
    assert_eq!(had.len(), users.len(), "everyone had one");
    let folded_all = store::fold_many(&mut tx, &users, all_thread, actor, pause, now)
        .await
        .expect("fold_many");
    assert_eq!(folded_all.len(), users.len());

    let sql = "SELECT ring_pending, updated_at, next_check_at FROM notifications WHERE user_id = $1 AND thread_id = $2";
    let mut differ = Vec::new();
    for ((state, user_id), &id) in states.iter().zip(&users).zip(&batch_folded) {
        let counting = state.4;
        let n = store::get(&mut tx, id).await.expect("read").expect("the notification");
        assert!(n.counting.is_some(), "every one counts after the batch: {state:?}");
        if !counting {
            assert_eq!(
                (n.count, n.actor_id),
                (2, Some(actor)),
                "{state:?} took the batch's share"
            );
        }
        let mut seen = Vec::new();
        for thread in [folded_thread, all_thread] {
            let row = sqlx::query(sql)
                .bind(user_id.to_string())
                .bind(thread.to_string())
                .fetch_one(&mut *tx)
                .await
                .expect("the notification");
            seen.push((
                sqlx::Row::get::<i64, _>(&row, "ring_pending"),
                sqlx::Row::get::<i64, _>(&row, "updated_at"),
                sqlx::Row::get::<Option<i64>, _>(&row, "next_check_at"),
            ));
        }
        if seen[0] != seen[1] {
            differ.push((state, seen));
        }
    }
    assert!(
        differ.is_empty(),
        "{} of {} states folded otherwise than by folding all (state, [batch, all]): {differ:?}",
        differ.len(),
        states.len()
    );
    tx.rollback().await.expect("rollback");
}

/// A read of a notification freezes its count while a batch of messages
/// to its thread is being written on another connection, a batch that
/// (the notification unread) writes nothing to it: the read waits for the
/// batch, so its messages are counted in the notification read rather than
/// in none. On PostgreSQL the read locks the thread first, and the worker,
/// which must not wait there, takes the notification as changed; SQLite has
/// one writer.
async fn a_read_waits_for_the_messages_being_written_to_its_thread(db: Db) {
    use cercle_domain::{ThreadId, UserId};
    use std::time::Duration;

    let app = spawn(db).await;
    let (a, b, c) = admin_and_two_members(&app).await;
    let a_id: UserId = id_of(&app, &a).await.parse().expect("a user id");
    let b_id = id_of(&app, &b).await;
    let thread_text = clinical_thread(&app, &a, &[&b, &c], TITLE).await;
    let thread: ThreadId = thread_text.parse().expect("a thread id");
    post(&app, &a, &thread_text, "Pansement refait", false).await;
    let mine = |rows: Vec<NotificationRow>| {
        rows.into_iter()
            .find(|n| n.thread_id == Some(thread) && !n.high_priority)
            .expect("B's notification of the thread")
    };
    let note = mine(settled(&app, &b_id).await);
    assert_eq!((note.count, note.read_at), (1, None));

    // A batch of two messages, numbered and written, not yet committed.
    let mut batch = app.ctx().store.begin().await.expect("begin");
    write_messages(&mut batch, thread, &[a_id, a_id], app.ctx().clock.now()).await;
    if app.ctx().store.backend() == cercle_store::Backend::Postgres {
        // The worker, deciding meanwhile that nothing is owed at the count it
        // read, does not wait for the batch (it writes in the writer's
        // transaction), and takes the notification as changed: it looks
        // again rather than clear it.
        let mut tx = app.ctx().store.begin().await.expect("begin");
        let nothing_owed = cercle_store::notifications::Delivery {
            ring_pending: false,
            changed_not_before: None,
            rings: note.rings,
            rung_at: note.rung_at,
            emailed_at: note.emailed_at,
            sms_at: note.sms_at,
            next_check_at: None,
        };
        let saves = [(note.id, note.count, nothing_owed)];
        let save = cercle_store::notifications::save_deliveries(&mut tx, &saves);
        tokio::time::timeout(Duration::from_secs(5), save)
            .await
            .expect("the worker does not wait for a batch")
            .expect("save");
        let seen = cercle_store::notifications::get(&mut tx, note.id)
            .await
            .expect("get")
            .expect("B's");
        assert!(seen.next_check_at.is_some(), "looked at again: {seen:?}");
        tx.rollback().await.expect("rollback");
    }
    let ctx = app.ctx().clone();
    let user: UserId = b_id.parse().expect("a user id");
    let read = tokio::spawn(async move {
        let mut tx = ctx.store.begin().await.expect("begin");
        cercle_store::notifications::mark_thread_read(&mut tx, user, thread, ctx.clock.now())
            .await
            .expect("read");
        tx.commit().await.expect("commit");
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!read.is_finished(), "the read waits for the batch");
    batch.commit().await.expect("commit");
    tokio::time::timeout(Duration::from_secs(10), read)
        .await
        .expect("the read ends once the batch is in")
        .expect("the read");
    let note = mine(rows(&app, &b_id).await);
    assert!(note.read_at.is_some(), "{note:?}");
    assert_eq!(note.count, 3, "the batch's messages are in the notification read");
}
