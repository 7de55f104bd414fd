//! Set-up shared by the integration tests: people signed up and in,
//! organizations and their members, patient files, threads and channels,
//! the event WebSocket.

use cercle_app::orgs::{membership, structure};
use cercle_app::Client;
use cercle_domain::policy::Principal;
use cercle_domain::Language;
use cercle_i18n::ta;
use cercle_testkit::browser::Browser;
use cercle_testkit::{find_code, find_link, TestApp};
use futures_util::StreamExt;
use serde_json::{json, Value};
use std::time::Duration;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

pub use cercle_testkit::people::{nth_sign_in_mail, sign_in_pages, PASSWORD};
pub const PIN: &str = "2580";
/// The name [`sign_up`] gives.
pub const SIGN_UP_NAME: &str = "Marie Tremblay";

/// A person who finished sign-up through the API; returns the bearer token
/// and the recovery code.
pub struct Person {
    pub email: String,
    pub token: String,
    pub recovery: String,
}

pub async fn sign_up(app: &TestApp, email: &str, language: &str) -> Person {
    sign_up_named(app, email, SIGN_UP_NAME, language).await
}

/// [`sign_up`] with the person's name.
pub async fn sign_up_named(app: &TestApp, email: &str, name: &str, language: &str) -> Person {
    let earlier = sign_up_mails(app, email).len();
    let (status, started) = app
        .post(
            "/auth/sign-up",
            None,
            json!({ "email": email, "password": PASSWORD, "name": name, "language": language }),
        )
        .await;
    assert_eq!(status, 201, "{started}");
    let token = started["token"].as_str().expect("token").to_string();
    let mail = cercle_testkit::eventually("sign-up code mail", async || {
        sign_up_mails(app, email).into_iter().nth(earlier)
    })
    .await;
    let code = find_code(&mail.body).expect("code in email");
    let (status, s) = app.post("/auth/code", Some(&token), json!({ "code": code })).await;
    assert_eq!(status, 200, "{s}");
    assert_eq!(s["setup_step"], "terms");
    let (status, s) = app.post("/auth/terms", Some(&token), json!({})).await;
    assert_eq!((status, s["setup_step"].as_str()), (200, Some("recovery_code")), "{s}");
    let (status, r) = app.post("/auth/recovery-code", Some(&token), json!({})).await;
    assert_eq!(status, 200, "{r}");
    let recovery = r["recovery_code"].as_str().expect("recovery code").to_string();
    let (status, s) = app
        .post("/auth/pin", Some(&token), json!({ "pin": PIN, "pin_confirm": PIN }))
        .await;
    assert_eq!((status, s["state"].as_str()), (200, Some("ready")), "{s}");
    Person {
        email: email.to_string(),
        token,
        recovery,
    }
}

/// Password, then the emailed code (the `n`-th sign-in code mail to that address).
pub async fn sign_in_by_email(app: &TestApp, email: &str, nth_code_mail: usize) -> String {
    let (status, s) = app
        .post("/auth/sign-in", None, json!({ "email": email, "password": PASSWORD }))
        .await;
    assert_eq!(status, 200, "{s}");
    assert_eq!(s["next"], "code");
    assert_eq!(s["factor"], "email", "{s}");
    let token = s["token"].as_str().expect("token").to_string();
    let mail = nth_sign_in_mail(app, email, nth_code_mail).await;
    let code = find_code(&mail.body).expect("code");
    let (status, s) = app.post("/auth/code", Some(&token), json!({ "code": code })).await;
    assert_eq!((status, s["state"].as_str()), (200, Some("ready")), "{s}");
    token
}

/// Sign-up code emails to an address, in either language.
fn sign_up_mails(app: &TestApp, email: &str) -> Vec<cercle_testkit::smtp::Mail> {
    app.smtp
        .to(email)
        .into_iter()
        .filter(|m| m.subject.starts_with("Your Cercle code") || m.subject.starts_with("Votre code Cercle"))
        .collect()
}

/// How many sign-in code emails an address received.
pub fn count_sign_in_mails(app: &TestApp, email: &str) -> usize {
    app.smtp
        .to(email)
        .iter()
        .filter(|m| m.subject.contains("sign-in code") || m.subject.contains("code de connexion"))
        .count()
}

// ---- Sign-up in the pages (Chromium) ------------------------------------------------

/// The rest of a sign-up in the pages, once the form holds the name and
/// the address: the password, the language, then [`enter_sign_up_code`]
/// and [`finish_setup_in_pages`]. Where the pages go next is the caller's.
pub async fn finish_sign_up_in_pages(app: &TestApp, b: &Browser, email: &str) {
    b.fill("#f-password", PASSWORD).await;
    b.select("#f-language", b.lang.code()).await;
    b.submit_form("form[action='/sign-up']").await;
    enter_sign_up_code(app, b, email).await;
    finish_setup_in_pages(b).await;
}

/// On the code page after the sign-up form: the code emailed to `email` (in
/// the browser's language), down to the terms page.
pub async fn enter_sign_up_code(app: &TestApp, b: &Browser, email: &str) {
    b.wait_for_path("/code").await;
    let subject = ta(b.lang, "email-signup-code-subject", &[("code", "")])
        .trim_end_matches([' ', ':'])
        .to_string();
    let mail = app.smtp.wait_subject(email, &subject, 0).await;
    b.fill("#f-code", &find_code(&mail.body).expect("sign-up code")).await;
    b.submit_form("form[action='/code']").await;
    b.wait_for_path("/setup/terms").await;
}

/// On the terms page: accepts them, passes the recovery code and sets the
/// PIN.
pub async fn finish_setup_in_pages(b: &Browser) {
    b.submit_form("form[action='/setup/terms']").await;
    b.wait_for("[data-testid=recovery-code]").await;
    b.click_and_load("main a.button.primary").await;
    b.wait_for_path("/setup/pin").await;
    b.fill("#f-pin", PIN).await;
    b.fill("#f-pin_confirm", PIN).await;
    b.submit_form("form[action='/setup/pin']").await;
}

// ---- People -------------------------------------------------------------------------

/// A person's user id, from their account.
pub async fn id_of(app: &TestApp, p: &Person) -> String {
    let (status, me) = app.get("/account", Some(&p.token)).await;
    assert_eq!(status, 200, "{me}");
    me["id"].as_str().expect("id").to_string()
}

/// Makes a person network administrator (the flag the bootstrap sets; the
/// bootstrap itself is tested with the CLI).
pub async fn make_network_admin(app: &TestApp, p: &Person) {
    let id = id_of(app, p).await;
    let mut tx = app.ctx().store.begin().await.expect("tx");
    cercle_store::users::set(
        &mut tx,
        &id,
        &[(cercle_store::users::Field::NetworkAdmin, 1_i64.into())],
        app.ctx().clock.now(),
    )
    .await
    .expect("flag");
    tx.commit().await.expect("commit");
}

/// Posts `body` to `path`, expects 201, and gives the id created.
pub async fn created_id(app: &TestApp, token: &str, path: &str, body: Value) -> String {
    created(app, token, path, body).await["id"]
        .as_str()
        .expect("id")
        .to_string()
}

/// What a post to `path` created (asserting the 201).
pub async fn created(app: &TestApp, token: &str, path: &str, body: Value) -> Value {
    let (status, r) = app.post(path, Some(token), body).await;
    assert_eq!(status, 201, "{path}: {r}");
    r
}

// ---- Organizations ---------------------------------------------------------------

/// An organization and its first administrator, signed up through the API
/// and accepting the emailed invitation.
pub struct Org {
    pub id: String,
    pub root: String,
    pub admin: Person,
}

/// The token at the end of an invitation link.
pub fn invitation_token(link: &str) -> String {
    link.rsplit('/').next().expect("token").to_string()
}

/// The `nth` (1-based) invitation link into an organization emailed to `email`.
pub async fn invitation_link(app: &TestApp, email: &str, nth: usize) -> String {
    let mail = cercle_testkit::eventually("invitation mail", async || {
        app.smtp
            .to(email)
            .into_iter()
            .filter(|m| m.body.contains("/invitations/"))
            .nth(nth - 1)
    })
    .await;
    find_link(
        &mail.body[mail
            .body
            .find("/invitations/")
            .map(|i| mail.body[..i].rfind("http").unwrap_or(0))
            .unwrap_or(0)..],
    )
    .expect("link")
}

/// Accepts the `nth` invitation into an organization mailed to the person, through the API.
pub async fn accept_org_invitation(app: &TestApp, p: &Person, nth: usize) {
    let link = invitation_link(app, &p.email, nth).await;
    let (status, r) = app
        .post(
            &format!("/invitations/{}/accept", invitation_token(&link)),
            Some(&p.token),
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "{r}");
}

/// An organization the operator creates, whose first administrator is
/// `admin` (already signed up), invited as `invited_as` in `language`.
pub async fn org_with_first_admin(
    app: &TestApp,
    name: &str,
    admin: Person,
    invited_as: &str,
    language: Language,
) -> Org {
    let client = Client::default();
    let org = structure::create_organization(app.ctx(), &client, &Principal::Operator, name)
        .await
        .expect("org");
    membership::invite_first_admin(
        app.ctx(),
        &client,
        &Principal::Operator,
        org.id,
        &admin.email,
        invited_as,
        language,
    )
    .await
    .expect("invite");
    accept_org_invitation(app, &admin, 1).await;
    Org {
        id: org.id.to_string(),
        root: org.root_unit_id.to_string(),
        admin,
    }
}

/// An organization and its first administrator (`email`, signed up in French).
pub async fn org_with_admin(app: &TestApp, name: &str, email: &str) -> Org {
    let admin = sign_up(app, email, "fr").await;
    org_with_first_admin(app, name, admin, "Admin", Language::Fr).await
}

/// Whom an organization's administrator invites into a unit, and the name
/// they then sign up with (an invitation's name need not be the account's).
pub struct Invitee<'a> {
    pub unit: &'a str,
    pub email: &'a str,
    pub invited_as: &'a str,
    pub signs_up_as: &'a str,
    pub language: &'a str,
    pub roles: &'a [&'a str],
}

/// The organization's administrator invites a professional; they sign up
/// through the API and accept the emailed invitation. Returns them.
pub async fn join_by_invitation(app: &TestApp, org: &Org, who: Invitee<'_>) -> Person {
    let (status, r) = app
        .post(
            "/org/invitations",
            Some(&org.admin.token),
            json!({ "unit_id": who.unit, "email": who.email, "name": who.invited_as, "language": who.language, "professional": true, "roles": who.roles }),
        )
        .await;
    assert_eq!((status, r["outcome"].as_str()), (201, Some("sent")), "{r}");
    let p = sign_up_named(app, who.email, who.signs_up_as, who.language).await;
    accept_org_invitation(app, &p, 1).await;
    p
}

/// [`join_by_invitation`] of `email` into `unit` with `roles`, invited as
/// "Invité", in French.
pub async fn invited_member(app: &TestApp, org: &Org, unit: &str, email: &str, roles: &[&str]) -> Person {
    join_by_invitation(
        app,
        org,
        Invitee {
            unit,
            email,
            invited_as: "Invité",
            signs_up_as: SIGN_UP_NAME,
            language: "fr",
            roles,
        },
    )
    .await
}

/// [`join_by_invitation`] of `name` (`email`) into `unit` with `roles` (role
/// keys), in French.
pub async fn org_member(app: &TestApp, org: &Org, unit: &str, email: &str, name: &str, roles: &[&str]) -> Person {
    join_by_invitation(
        app,
        org,
        Invitee {
            unit,
            email,
            invited_as: name,
            signs_up_as: name,
            language: "fr",
            roles,
        },
    )
    .await
}

/// Writes memberships and active organizations straight in the store (the
/// invitation flow has tests of its own), in one transaction.
async fn in_org(app: &TestApp, org: &str, people: &[&Person], member: bool, active: bool) {
    let mut ids = Vec::new();
    for p in people {
        ids.push(id_of(app, p).await);
    }
    let mut tx = app.ctx().store.begin().await.expect("tx");
    for id in &ids {
        if member {
            cercle_store::members::upsert_membership(
                &mut tx,
                org.parse().expect("org"),
                id.parse().expect("id"),
                true,
                false,
                app.ctx().clock.now(),
            )
            .await
            .expect("member");
        }
        if active {
            cercle_store::users::set_active_org(&mut tx, id, Some(org))
                .await
                .expect("active");
        }
    }
    tx.commit().await.expect("commit");
}

/// Makes people professional members of an organization.
pub async fn add_members(app: &TestApp, org: &str, people: &[&Person]) {
    in_org(app, org, people, true, false).await;
}

/// [`add_members`], the organization becoming their active one.
pub async fn add_active_members(app: &TestApp, org: &str, people: &[&Person]) {
    in_org(app, org, people, true, true).await;
}

/// Makes the organization the active one of people already its members.
pub async fn set_active_org(app: &TestApp, org: &str, people: &[&Person]) {
    in_org(app, org, people, false, true).await;
}

/// An organization the operator creates, without an administrator, whose
/// members `people` are, active there. Returns its id.
pub async fn org_with_members(app: &TestApp, name: &str, people: &[&Person]) -> String {
    let org = structure::create_organization(app.ctx(), &Client::default(), &Principal::Operator, name)
        .await
        .expect("org");
    let id = org.id.to_string();
    add_active_members(app, &id, people).await;
    id
}

/// "Clinique du Fleuve", its administrator A (a@fleuve.test) and two more
/// members, B (Béatrice Bédard) and C (Charles Côté), for whom it is the
/// active organization.
pub async fn fleuve_and_two_members(app: &TestApp) -> (Org, Person, Person) {
    let org = org_with_admin(app, "Clinique du Fleuve", "a@fleuve.test").await;
    let b = sign_up_named(app, "b@fleuve.test", "Béatrice Bédard", "fr").await;
    let c = sign_up_named(app, "c@fleuve.test", "Charles Côté", "fr").await;
    add_active_members(app, &org.id, &[&b, &c]).await;
    (org, b, c)
}

/// [`fleuve_and_two_members`]: its administrator A, B and C.
pub async fn admin_and_two_members(app: &TestApp) -> (Person, Person, Person) {
    let (org, b, c) = fleuve_and_two_members(app).await;
    (org.admin, b, c)
}

// ---- Patient files, threads and channels -----------------------------------------

/// A patient file opened by `by` in their active organization.
pub async fn patient_file(app: &TestApp, by: &Person, first: &str, last: &str, born: &str) -> String {
    created_id(
        app,
        &by.token,
        "/patient-files",
        json!({ "first_name": first, "last_name": last, "birth_date": born }),
    )
    .await
}

/// Asks for a clinical thread on `file` with `with`; the answer, unchecked.
pub async fn open_clinical_thread(
    app: &TestApp,
    by: &Person,
    file: &str,
    with: &[&Person],
    title: &str,
) -> (u16, Value) {
    let mut participants = Vec::new();
    for w in with {
        participants.push(json!({ "kind": "user", "id": id_of(app, w).await }));
    }
    app.post(
        "/threads",
        Some(&by.token),
        json!({ "kind": "clinical", "patient_file_id": file, "title": title, "participants": participants }),
    )
    .await
}

/// A clinical thread `a` opens with `with` on a new file for Gérard
/// Lévesque (born 1941-03-02). Returns the thread's id.
pub async fn clinical_thread(app: &TestApp, a: &Person, with: &[&Person], title: &str) -> String {
    let file = patient_file(app, a, "Gérard", "Lévesque", "1941-03-02").await;
    let (status, t) = open_clinical_thread(app, a, &file, with, title).await;
    assert_eq!(status, 201, "{t}");
    t["id"].as_str().expect("id").to_string()
}

/// A message `p` posts in a thread.
pub async fn post_message(app: &TestApp, p: &Person, thread: &str, body: &str) -> Value {
    created(
        app,
        &p.token,
        &format!("/threads/{thread}/messages"),
        json!({ "body": body }),
    )
    .await
}

/// `p` uploads `body` to a thread (`query`: the file's name, its kind).
pub async fn upload_to_thread(app: &TestApp, p: &Person, thread: &str, query: &str, body: Vec<u8>) -> (u16, Value) {
    let r = app
        .http
        .put(format!("{}/api/v1/threads/{thread}/files?{query}", app.url))
        .bearer_auth(&p.token)
        .body(body)
        .send()
        .await
        .expect("upload");
    cercle_testkit::status_and_json(r).await
}

/// A care channel on a patient file, with its participants.
pub async fn care_channel(app: &TestApp, p: &Person, file: &str, title: &str, participants: Value) -> Value {
    created(
        app,
        &p.token,
        &format!("/patient-files/{file}/channels"),
        json!({ "title": title, "participants": participants }),
    )
    .await
}

/// A thread started in a care channel with its first message.
pub async fn channel_thread(app: &TestApp, p: &Person, channel: &str, title: &str, body: &str) -> Value {
    created(
        app,
        &p.token,
        &format!("/channels/{channel}/threads"),
        json!({ "title": title, "body": body }),
    )
    .await
}

// ---- The event WebSocket -----------------------------------------------------------

pub type Ws = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// The event WebSocket of `token`'s session (from event `since` when given).
pub async fn events_socket(url: &str, token: &str, since: Option<i64>) -> Ws {
    let ws_url = format!(
        "{}/api/v1/events{}",
        url.replacen("http://", "ws://", 1),
        since.map(|s| format!("?since={s}")).unwrap_or_default()
    );
    let mut req = ws_url.into_client_request().expect("request");
    req.headers_mut()
        .insert("Authorization", format!("Bearer {token}").parse().expect("header"));
    let (ws, _) = tokio::time::timeout(Duration::from_secs(10), tokio_tungstenite::connect_async(req))
        .await
        .expect("connect in time")
        .expect("connect");
    ws
}

/// The next JSON frame, or None after `wait`.
pub async fn next_frame(ws: &mut Ws, wait: Duration) -> Option<Value> {
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        let left = deadline.checked_duration_since(tokio::time::Instant::now())?;
        match tokio::time::timeout(left, ws.next()).await {
            Ok(Some(Ok(Message::Text(t)))) => return serde_json::from_str(&t).ok(),
            Ok(Some(Ok(_))) => continue,
            _ => return None,
        }
    }
}

/// Fails if `text` holds one of `secrets` (a patient's name, birth year…)
/// as a word of its own: "1941" inside a timestamp (`1796456194105`) or an
/// id (`…24819411bfd4`) is not the birth year.
pub fn assert_none_of(secrets: &[&str], what: &str, text: &str) {
    for s in secrets {
        let alone = text.match_indices(s).any(|(at, _)| {
            let before = text[..at].chars().next_back();
            let after = text[at + s.len()..].chars().next();
            !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
        });
        assert!(!alone, "{what} holds {s:?}: {text}");
    }
}
