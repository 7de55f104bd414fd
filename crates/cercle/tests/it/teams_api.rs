//! Teams and triage through the JSON API and the event WebSocket (SPEC 7):
//! writing to a team lands in its triage box; a manager assigns a member
//! (someone outside the team is refused); only the responsible person
//! returns a thread to triage; a participant sees only the threads they
//! were assigned or added to; adding a person brings their team; live
//! events reach the team's manager.

use crate::backends;
use crate::helpers::{add_active_members, events_socket, id_of, next_frame, org_with_admin, sign_up_named, Person, Ws};
use cercle_testkit::{Db, TestApp};
use serde_json::{json, Value};
use std::time::Duration;

backends!(
    triage_assign_return_take_and_who_sees_what,
    live_events_reach_the_manager
);

pub(crate) struct Setup {
    pub(crate) team: String,
    /// Writes to the team; a member of the organization, not of the team.
    pub(crate) writer: Person,
    /// Team manager (member with the manager role).
    pub(crate) manager: Person,
    /// Two team participants.
    pub(crate) p: Person,
    pub(crate) q: Person,
    /// A member of the organization outside the team.
    pub(crate) outsider: Person,
}

pub(crate) async fn setup(app: &TestApp) -> Setup {
    let org = org_with_admin(app, "CIUSSS du Fleuve", "admin@fleuve.test").await;
    let writer = sign_up_named(app, "w@fleuve.test", "Wilfrid Writer", "fr").await;
    let manager = sign_up_named(app, "m@fleuve.test", "Madeleine Manager", "fr").await;
    let p = sign_up_named(app, "p@fleuve.test", "Pascale Pelletier", "fr").await;
    let q = sign_up_named(app, "q@fleuve.test", "Quentin Quirion", "en").await;
    let outsider = sign_up_named(app, "o@fleuve.test", "Odile Ouellet", "fr").await;
    add_active_members(app, &org.id, &[&writer, &manager, &p, &q, &outsider]).await;
    let (status, team) = app
        .post(
            "/org/teams",
            Some(&org.admin.token),
            json!({ "unit_id": org.root, "name": "Soins infirmiers" }),
        )
        .await;
    assert_eq!(status, 201, "{team}");
    let team = team["id"].as_str().expect("team id").to_string();
    for (who, role) in [(&manager, "manager"), (&p, "participant"), (&q, "participant")] {
        let (status, r) = app
            .post(
                &format!("/teams/{team}/members"),
                Some(&org.admin.token),
                json!({ "user_id": id_of(app, who).await, "role": role }),
            )
            .await;
        assert_eq!(status, 204, "{r}");
    }
    // Only administrators manage members.
    let (status, _) = app
        .post(
            &format!("/teams/{team}/members"),
            Some(&p.token),
            json!({ "user_id": id_of(app, &outsider).await, "role": "manager" }),
        )
        .await;
    assert_eq!(status, 403);
    Setup {
        team,
        writer,
        manager,
        p,
        q,
        outsider,
    }
}

async fn write(app: &TestApp, s: &Setup, title: &str) -> String {
    let (status, t) = app
        .post(
            &format!("/teams/{}/threads", s.team),
            Some(&s.writer.token),
            json!({ "title": title, "body": "Pansement à refaire — plaie au talon" }),
        )
        .await;
    assert_eq!(status, 201, "{t}");
    assert_eq!(t["teams"][0]["state"], "in_triage", "{t}");
    t["id"].as_str().expect("id").to_string()
}

async fn team_box(app: &TestApp, s: &Setup, who: &Person) -> Value {
    let (status, b) = app.get(&format!("/teams/{}", s.team), Some(&who.token)).await;
    assert_eq!(status, 200, "{b}");
    b
}

fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .map(|a| a.iter().filter_map(|t| t["id"].as_str().map(str::to_string)).collect())
        .unwrap_or_default()
}

async fn act(app: &TestApp, who: &Person, thread: &str, action: &str, body: Value) -> (u16, Value) {
    app.post(&format!("/threads/{thread}/team/{action}"), Some(&who.token), body)
        .await
}

async fn can_read(app: &TestApp, who: &Person, thread: &str) -> bool {
    let (status, _) = app.get(&format!("/threads/{thread}"), Some(&who.token)).await;
    assert!(status == 200 || status == 404, "{status}");
    status == 200
}

async fn triage_assign_return_take_and_who_sees_what(db: Db) {
    let app = TestApp::spawn(db).await;
    let s = setup(&app).await;
    let team = json!({ "team_id": s.team });
    let p_id = id_of(&app, &s.p).await;
    let q_id = id_of(&app, &s.q).await;
    let m_id = id_of(&app, &s.manager).await;
    let o_id = id_of(&app, &s.outsider).await;

    // My teams, with my role.
    let (status, mine) = app.get("/teams", Some(&s.manager.token)).await;
    assert_eq!(status, 200);
    assert_eq!(mine["teams"][0]["role"], "manager", "{mine}");
    let (_, mine) = app.get("/teams", Some(&s.p.token)).await;
    assert_eq!(mine["teams"][0]["role"], "participant", "{mine}");
    let (_, mine) = app.get("/teams", Some(&s.outsider.token)).await;
    assert_eq!(mine["teams"].as_array().map(Vec::len), Some(0), "{mine}");
    let (status, _) = app.get(&format!("/teams/{}", s.team), Some(&s.outsider.token)).await;
    assert_eq!(status, 404);

    // Write to the team: the thread waits in the triage box.
    let t = write(&app, &s, "Plaie au talon — M. Lévesque").await;
    let b = team_box(&app, &s, &s.manager).await;
    assert_eq!(ids(&b["triage"]), vec![t.clone()], "{b}");
    assert_eq!(b["triage"][0]["readable"], true);
    // Every member sees the box's titles; a participant opens only what they were given.
    let b = team_box(&app, &s, &s.p).await;
    assert_eq!(ids(&b["triage"]), vec![t.clone()], "{b}");
    assert_eq!(b["triage"][0]["readable"], false);
    assert!(can_read(&app, &s.manager, &t).await);
    assert!(!can_read(&app, &s.p, &t).await);
    assert!(!can_read(&app, &s.outsider, &t).await);
    // Listing the box (titles may name a patient) is audited, per reader.
    let mut conn = app.ctx().store.reader().await.expect("reader");
    let listed: i64 = sqlx::Row::try_get(
        &sqlx::query(
            "SELECT COUNT(*) FROM audit_events WHERE event = 'team.threads_listed' AND action = 'LIST' \
             AND target_id = $1 AND actor_id IN ($2, $3)",
        )
        .bind(&s.team)
        .bind(&m_id)
        .bind(&p_id)
        .fetch_one(&mut *conn)
        .await
        .expect("count"),
        0,
    )
    .expect("count");
    drop(conn);
    assert!(listed >= 2, "team box listings audited: {listed}");

    // Assigning someone outside the team is refused; a participant may not assign.
    let (status, r) = act(
        &app,
        &s.manager,
        &t,
        "assign",
        json!({ "team_id": s.team, "user_id": o_id }),
    )
    .await;
    assert_eq!((status, r["code"].as_str()), (409, Some("not-team-member")), "{r}");
    assert!(!can_read(&app, &s.outsider, &t).await);
    let (status, _) = act(&app, &s.q, &t, "assign", json!({ "team_id": s.team, "user_id": q_id })).await;
    assert_eq!(status, 404, "q does not reach the thread yet");

    // The manager assigns P.
    let (status, r) = act(
        &app,
        &s.manager,
        &t,
        "assign",
        json!({ "team_id": s.team, "user_id": p_id }),
    )
    .await;
    assert_eq!(status, 204, "{r}");
    assert!(can_read(&app, &s.p, &t).await);
    assert!(!can_read(&app, &s.q, &t).await, "Q was neither assigned nor added");
    let (_, view) = app.get(&format!("/threads/{t}"), Some(&s.p.token)).await;
    assert_eq!(view["teams"][0]["state"], "assigned", "{view}");
    assert_eq!(view["teams"][0]["responsible_id"], p_id.as_str());
    assert_eq!(view["teams"][0]["responsible_name"], "Pascale Pelletier");
    let b = team_box(&app, &s, &s.p).await;
    assert!(ids(&b["triage"]).is_empty(), "{b}");
    assert_eq!(ids(&b["threads"]), vec![t.clone()], "{b}");
    let b = team_box(&app, &s, &s.q).await;
    assert!(ids(&b["triage"]).is_empty() && ids(&b["threads"]).is_empty(), "{b}");
    let (_, list) = app.get("/threads", Some(&s.p.token)).await;
    assert!(ids(&list["threads"]).contains(&t), "{list}");
    let (_, list) = app.get("/threads", Some(&s.q.token)).await;
    assert!(!ids(&list["threads"]).contains(&t), "{list}");

    // Returning to triage a thread one is not responsible for is refused.
    let (status, r) = act(&app, &s.manager, &t, "return", team.clone()).await;
    assert_eq!((status, r["code"].as_str()), (409, Some("not-responsible")), "{r}");
    let (status, _) = act(&app, &s.q, &t, "return", team.clone()).await;
    assert_eq!(status, 404);
    // Taking a thread that is not waiting is refused.
    let (status, r) = act(&app, &s.q, &t, "take", team.clone()).await;
    assert_eq!((status, r["code"].as_str()), (409, Some("not-in-triage")), "{r}");

    // P returns it: back in the box, and P no longer reaches it.
    let (status, r) = act(&app, &s.p, &t, "return", team.clone()).await;
    assert_eq!(status, 204, "{r}");
    assert!(!can_read(&app, &s.p, &t).await);
    let b = team_box(&app, &s, &s.manager).await;
    assert_eq!(ids(&b["triage"]), vec![t.clone()], "{b}");

    // Q takes it, invites a teammate (not an outsider), who then unassigns themselves.
    let (status, r) = act(&app, &s.q, &t, "take", team.clone()).await;
    assert_eq!(status, 204, "{r}");
    assert!(can_read(&app, &s.q, &t).await);
    let (status, r) = act(&app, &s.q, &t, "invite", json!({ "team_id": s.team, "user_id": o_id })).await;
    assert_eq!((status, r["code"].as_str()), (409, Some("not-team-member")), "{r}");
    let (status, _) = act(&app, &s.q, &t, "invite", json!({ "team_id": s.team, "user_id": p_id })).await;
    assert_eq!(status, 204);
    assert!(can_read(&app, &s.p, &t).await, "added by a teammate");
    let (status, _) = act(&app, &s.p, &t, "unassign", team.clone()).await;
    assert_eq!(status, 204);
    assert!(!can_read(&app, &s.p, &t).await);
    // Participants do not remove the team; the manager adds themselves, then removes it.
    let (status, _) = act(&app, &s.q, &t, "remove", team.clone()).await;
    assert_eq!(status, 403);
    let (status, _) = act(&app, &s.manager, &t, "join", team.clone()).await;
    assert_eq!(status, 204);
    let (_, view) = app.get(&format!("/threads/{t}"), Some(&s.manager.token)).await;
    assert!(
        view["participants"]
            .as_array()
            .expect("participants")
            .iter()
            .any(|p| p["kind"] == "user" && p["id"] == m_id.as_str()),
        "{view}"
    );
    let (status, _) = act(&app, &s.manager, &t, "remove", team.clone()).await;
    assert_eq!(status, 204);
    assert!(!can_read(&app, &s.q, &t).await, "the team left the thread");
    assert!(can_read(&app, &s.manager, &t).await, "still there in person");

    // Adding a person who belongs to a team adds their team, assigned to them.
    let (status, t2) = app
        .post(
            "/threads",
            Some(&s.writer.token),
            json!({ "kind": "collaboration", "title": "Question à Pascale", "participants": [{ "kind": "user", "id": p_id }] }),
        )
        .await;
    assert_eq!(status, 201, "{t2}");
    assert_eq!(t2["teams"][0]["team_id"], s.team.as_str(), "{t2}");
    assert_eq!(t2["teams"][0]["responsible_id"], p_id.as_str(), "{t2}");
    let t2 = t2["id"].as_str().expect("id").to_string();
    assert!(
        can_read(&app, &s.manager, &t2).await,
        "managers see every thread of the team"
    );
    assert!(!can_read(&app, &s.q, &t2).await);

    // Adding a team without a person sends the thread to its triage box.
    let (status, t3) = app
        .post(
            "/threads",
            Some(&s.writer.token),
            json!({ "kind": "collaboration", "title": "Sans équipe au départ" }),
        )
        .await;
    assert_eq!(status, 201, "{t3}");
    let t3 = t3["id"].as_str().expect("id").to_string();
    let (status, r) = app
        .post(
            &format!("/threads/{t3}/participants"),
            Some(&s.writer.token),
            json!({ "participants": [{ "kind": "team", "id": s.team }] }),
        )
        .await;
    assert!(status == 200 || status == 201, "{status} {r}");
    let b = team_box(&app, &s, &s.manager).await;
    assert!(ids(&b["triage"]).contains(&t3), "{b}");

    // Unknown ids answer 404.
    let zero = "00000000-0000-0000-0000-000000000000";
    let (status, _) = app
        .post(
            &format!("/teams/{zero}/threads"),
            Some(&s.writer.token),
            json!({ "title": "x" }),
        )
        .await;
    assert_eq!(status, 404);
    let (status, _) = act(&app, &s.manager, zero, "take", team.clone()).await;
    assert_eq!(status, 404);
    let (status, _) = act(&app, &s.manager, &t2, "take", json!({ "team_id": zero })).await;
    assert_eq!(status, 404);

    // Everything is audited.
    use sqlx::Row;
    let mut conn = app.ctx().store.reader().await.expect("conn");
    let n: i64 = sqlx::query("SELECT COUNT(*) FROM audit_events WHERE event LIKE 'team.%'")
        .fetch_one(&mut *conn)
        .await
        .expect("count")
        .try_get(0)
        .expect("n");
    assert!(n >= 7, "{n} team events audited");
}

/// The next frame of `kind` about `thread`, skipping others.
async fn next_of(ws: &mut Ws, kind: &str, thread: &str) -> Value {
    loop {
        let f = next_frame(ws, Duration::from_secs(10))
            .await
            .unwrap_or_else(|| panic!("no {kind} event in time"));
        if f["type"] == kind && f["thread_id"] == thread {
            return f;
        }
    }
}

async fn live_events_reach_the_manager(db: Db) {
    let app = TestApp::spawn(db).await;
    let s = setup(&app).await;
    let mut manager = events_socket(&app.url, &s.manager.token, None).await;
    let mut q = events_socket(&app.url, &s.q.token, None).await;
    // Let both subscriptions settle (a first frame, "ready", may come).
    let _ = next_frame(&mut manager, Duration::from_millis(300)).await;
    let _ = next_frame(&mut q, Duration::from_millis(300)).await;
    let t = write(&app, &s, "Nouvelle demande de soins").await;
    let f = next_of(&mut manager, "thread_created", &t).await;
    assert_eq!(f["data"]["title"], "Nouvelle demande de soins");
    next_of(&mut manager, "message", &t).await;
    // A participant of the team does not receive a thread they were not given.
    while let Some(f) = next_frame(&mut q, Duration::from_millis(500)).await {
        assert_ne!(f["thread_id"], t.as_str(), "{f}");
    }
    // Q takes it: the manager sees the change live, and Q now receives the thread's events.
    let (status, r) = act(&app, &s.q, &t, "take", json!({ "team_id": s.team })).await;
    assert_eq!(status, 204, "{r}");
    let f = next_of(&mut manager, "thread_state", &t).await;
    assert_eq!(f["data"]["triage"]["state"], "assigned", "{f}");
    assert_eq!(f["data"]["triage"]["responsible_id"], id_of(&app, &s.q).await.as_str());
    let f = next_of(&mut q, "thread_state", &t).await;
    assert_eq!(f["data"]["triage"]["state"], "assigned", "{f}");
    // Q returns it to triage: the manager is told.
    let (status, _) = act(&app, &s.q, &t, "return", json!({ "team_id": s.team })).await;
    assert_eq!(status, 204);
    let f = next_of(&mut manager, "thread_state", &t).await;
    assert_eq!(f["data"]["triage"]["state"], "in_triage", "{f}");
}
