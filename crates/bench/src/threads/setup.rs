//! The people, the organization and the thread the measurement needs.
//!
//! Accounts go through the API as real ones do (sign-up, then the emailed
//! code, read from the outbox table). There is no API to create an
//! organization without an operator and invitations, so the organization,
//! its root unit, the memberships and the active organization are written
//! into the database directly, as the integration tests do. The patient file
//! and the thread are created through the API; the API takes at most 100
//! participants at creation, so the senders beyond those are added to the
//! thread in the database.

use crate::serve::{self, Server};
use anyhow::{bail, Context};
use cercle_domain::Timestamp;
use cercle_store::{members, orgs, outbox, threads, users, Store};
use serde_json::json;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

/// Participants the API takes when a thread is created (the creator included).
const API_PARTICIPANTS: usize = 100;
const PIN: &str = "2580";

/// Everything the load needs: one HTTP client per person (each on its own
/// loopback address), their bearer tokens, and the thread.
pub struct World {
    pub clients: Vec<reqwest::Client>,
    pub tokens: Vec<String>,
    pub thread_id: String,
}

fn email_of(i: usize) -> String {
    format!("talker{i}@bench.cercle.test")
}

/// The wall clock, for the creation times of rows written directly (the
/// server's own `SystemClock` reads it the same way).
#[allow(clippy::disallowed_methods)]
fn now() -> Timestamp {
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0);
    Timestamp(ms)
}

pub async fn build(server: &Server, db_url: &str, people: usize) -> anyhow::Result<World> {
    let base = Arc::new(server.base.clone());
    let mut clients = Vec::with_capacity(people);
    for i in 0..people {
        clients.push(
            reqwest::Client::builder()
                .local_address(serve::address_of(i))
                .timeout(Duration::from_secs(30))
                .pool_max_idle_per_host(64)
                .build()?,
        );
    }
    let clients = Arc::new(clients);

    // 1. Sign-up, 8 in flight.
    let (b, c) = (base.clone(), clients.clone());
    let signup = serve::load(people, 8, move |i| {
        let (b, c) = (b.clone(), c.clone());
        async move {
            let resp = c[i]
                .post(format!("{b}/api/v1/auth/sign-up"))
                .json(&json!({ "email": email_of(i), "password": serve::PASSWORD, "name": format!("Talker {i}"), "language": "en" }))
                .send()
                .await?;
            let v = serve::expect(resp, reqwest::StatusCode::CREATED).await?;
            v["token"]
                .as_str()
                .map(str::to_string)
                .context("no token in the sign-up answer")
        }
    })
    .await;
    if signup.ok() != people {
        bail!(
            "{} of {people} sign-ups failed: {}",
            people - signup.ok(),
            signup.first_error().unwrap_or_default()
        );
    }
    let tokens: Vec<String> = signup.results.into_iter().filter_map(|r| r.1.ok()).collect();
    eprintln!("  {people} accounts signed up in {:.1} s", signup.wall.as_secs_f64());

    // 2. The codes the server queued (newest first), then confirm.
    let store = Store::open(db_url).await.with_context(|| format!("opening {db_url}"))?;
    let result = async {
        let codes = {
            let mut conn = store.reader().await?;
            let mut codes = HashMap::new();
            for row in outbox::recent(&mut conn, (people * 4) as i64 + 100).await? {
                let text = format!("{}\n{}", row.subject, row.body);
                if let Some(code) = serve::six_digits(&text) {
                    codes.entry(row.recipient).or_insert(code);
                }
            }
            codes
        };
        let codes = Arc::new(codes);
        let tokens = Arc::new(tokens.clone());
        let (b, c, t, k) = (base.clone(), clients.clone(), tokens.clone(), codes.clone());
        let confirm = serve::load(people, 8, move |i| {
            let (b, c, t, k) = (b.clone(), c.clone(), t.clone(), k.clone());
            async move {
                let code = k.get(&email_of(i)).with_context(|| format!("no code queued for {}", email_of(i)))?;
                // The code, then the rest of the account set-up: terms,
                // recovery code, PIN; the session is then ready.
                let steps = [
                    ("code", json!({ "code": code })),
                    ("terms", json!({})),
                    ("recovery-code", json!({})),
                    ("pin", json!({ "pin": PIN, "pin_confirm": PIN })),
                ];
                let mut last = serde_json::Value::Null;
                for (step, body) in steps {
                    let resp = c[i]
                        .post(format!("{b}/api/v1/auth/{step}"))
                        .bearer_auth(&t[i])
                        .json(&body)
                        .send()
                        .await?;
                    last = serve::expect(resp, reqwest::StatusCode::OK)
                        .await
                        .with_context(|| format!("{step} of {}", email_of(i)))?;
                }
                if last["state"] != "ready" {
                    bail!("{} not ready after set-up: {last}", email_of(i));
                }
                Ok(())
            }
        })
        .await;
        if confirm.ok() != people {
            bail!(
                "{} of {people} confirmations failed: {}",
                people - confirm.ok(),
                confirm.first_error().unwrap_or_default()
            );
        }

        // 3. The organization, written directly.
        let at = now();
        let mut ids = Vec::with_capacity(people);
        {
            let mut conn = store.reader().await?;
            for i in 0..people {
                let u = users::by_email(&mut conn, &email_of(i))
                    .await?
                    .with_context(|| format!("{} not found", email_of(i)))?;
                ids.push(u.id);
            }
        }
        let org_id = cercle_domain::OrgId::new();
        let root_id = cercle_domain::UnitId::new();
        let mut tx = store.begin().await?;
        orgs::insert_org(&mut tx, org_id, "Bench Clinic", root_id, at).await?;
        orgs::insert_unit(
            &mut tx,
            &orgs::UnitRow {
                id: root_id,
                org_id,
                parent_id: None,
                name: "Bench Clinic".into(),
                path: cercle_domain::policy::roles::child_path(None, &root_id.to_string()),
                archived_at: None,
            },
            at,
        )
        .await?;
        for id in &ids {
            members::upsert_membership(&mut tx, org_id, id.parse()?, true, false, at).await?;
            users::set_active_org(&mut tx, id, Some(&org_id.to_string())).await?;
        }
        tx.commit().await?;

        // 4. A patient file and the thread, through the API.
        let http = &clients[0];
        let resp = http
            .post(format!("{base}/api/v1/patient-files"))
            .bearer_auth(&tokens[0])
            .json(&json!({ "first_name": "Gérard", "last_name": "Lévesque", "birth_date": "1941-03-02" }))
            .send()
            .await?;
        let patient = serve::expect(resp, reqwest::StatusCode::CREATED)
            .await
            .context("creating the patient file")?;
        let participants: Vec<_> = ids[1..people.min(API_PARTICIPANTS)]
            .iter()
            .map(|id| json!({ "kind": "user", "id": id }))
            .collect();
        let resp = http
            .post(format!("{base}/api/v1/threads"))
            .bearer_auth(&tokens[0])
            .json(&json!({ "kind": "clinical", "patient_file_id": patient["id"], "title": "Suivi de M. Lévesque", "participants": participants }))
            .send()
            .await?;
        let thread = serve::expect(resp, reqwest::StatusCode::CREATED)
            .await
            .context("creating the thread")?;
        let thread_id = thread["id"].as_str().context("no thread id")?.to_string();
        if people > API_PARTICIPANTS {
            let thread: cercle_domain::ThreadId = thread_id.parse()?;
            let creator: cercle_domain::UserId = ids[0].parse()?;
            let mut tx = store.begin().await?;
            for id in &ids[API_PARTICIPANTS..] {
                let who = threads::Participant::User(id.parse()?);
                threads::add_participant(&mut tx, thread, who, Some(creator), at).await?;
            }
            tx.commit().await?;
        }
        anyhow::Ok(thread_id)
    }
    .await;
    store.close().await;
    let thread_id = result?;
    let clients = Arc::try_unwrap(clients).unwrap_or_else(|a| a.as_ref().clone());
    Ok(World {
        clients,
        tokens,
        thread_id,
    })
}
