//! A thread's life: starting one (clinical, collaboration, direct between
//! friends), duplicating it, closing or reopening it, its priority.

use super::access::{manageable, me, open};
use super::events::{commit, event_for, log_event};
use super::input::{clean_title, folded, MAX_TITLE_CHARS};
use super::participants::check_participants;
use super::reading::show;
use super::triage::on_participants_added;
use super::views::{ParticipantRef, ThreadView};
use crate::texts::SystemText;
use crate::{audit, AppError, AppResult, Client, Ctx};
use cercle_domain::audit::AuditAction;
use cercle_domain::events::EventKind;
use cercle_domain::policy::Principal;
use cercle_domain::threads::ThreadKind;
use cercle_domain::{InputError, Language, OrgId, ThreadId, UserId};
use cercle_store::threads::{self as store, NewThread, Participant};
use cercle_store::{network, users};
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NewThreadInput {
    /// clinical | collaboration
    pub kind: String,
    pub patient_file_id: Option<String>,
    pub title: String,
    #[serde(default)]
    pub participants: Vec<ParticipantRef>,
    #[serde(default)]
    pub high_priority: bool,
}

/// Starts a thread: clinical (on a patient file of the active organization)
/// or a collaboration. The creator takes part.
pub async fn create(
    ctx: &Ctx,
    client: &Client,
    principal: &Principal,
    input: &NewThreadInput,
) -> AppResult<ThreadView> {
    create_titled(ctx, client, principal, input, None, Language::default()).await
}

/// [`create`], with the system text of a title Cercle wrote (a duplicate
/// keeps it), shown in `lang`.
async fn create_titled(
    ctx: &Ctx,
    client: &Client,
    principal: &Principal,
    input: &NewThreadInput,
    text: Option<&SystemText>,
    lang: Language,
) -> AppResult<ThreadView> {
    let me = me(principal)?;
    if me.circle_only {
        // Patients and caregivers write in their care channels only.
        return Err(AppError::Forbidden);
    }
    let user_id = me.user_id;
    let title = clean_title(&input.title)?;
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    crate::idempotency::claim_in(&mut tx, client, now).await?;
    let active = users::active_org(&mut tx, &user_id.to_string()).await?;
    let active: Option<OrgId> = match &active {
        Some(org) if cercle_store::members::is_member(&mut tx, org.parse()?, user_id).await? => Some(org.parse()?),
        _ => None,
    };
    let (kind, org_id, patient) = match input.kind.as_str() {
        "clinical" => {
            let org = active.ok_or(AppError::NoActiveOrganization)?;
            let pid = input.patient_file_id.as_deref().ok_or(AppError::NotFound)?;
            // A file one sees, of the active organization; archived: no new thread.
            let p = crate::patients::files::viewable(&mut tx, me.user_id, pid.parse()?).await?;
            p.require_open()?;
            (ThreadKind::Clinical, Some(org), Some(p.file.id))
        }
        "collaboration" => (ThreadKind::Collaboration, active, None),
        _ => return Err(InputError::InvalidTitle.into()),
    };
    let added = check_participants(&mut tx, user_id, org_id, &input.participants).await?;
    let id = ThreadId::new();
    store::insert_thread(
        &mut tx,
        &NewThread {
            id,
            kind,
            org_id,
            patient_file_id: patient,
            title: &title,
            title_text: text.map(SystemText::to_json).as_deref(),
            folded_title: &text.map_or_else(|| folded(&title), |x| x.folded_all(MAX_TITLE_CHARS)),
            high_priority: input.high_priority,
            created_by: user_id,
            direct_key: None,
            channel_id: None,
        },
        now,
    )
    .await?;
    store::add_participant(&mut tx, id, Participant::User(user_id), Some(user_id), now).await?;
    for p in &added {
        store::add_participant(&mut tx, id, *p, Some(user_id), now).await?;
    }
    on_participants_added(&*ctx.bus, &mut tx, id, org_id, &added, user_id, now).await?;
    let t = store::thread(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    log_event(
        ctx,
        &mut tx,
        id,
        EventKind::ThreadCreated,
        &serde_json::json!({ "title": title, "title_text": text }),
        now,
    )
    .await?;
    audit::record(
        &mut tx,
        event_for(me, &t, "thread.created", AuditAction::Create, client),
        now,
    )
    .await?;
    commit(ctx, tx).await?;
    show(ctx, client, principal, id, lang).await
}

/// The direct thread between two friends (created on first use); private to them.
pub async fn direct(ctx: &Ctx, client: &Client, principal: &Principal, friend_id: UserId) -> AppResult<ThreadView> {
    let me = me(principal)?;
    if me.circle_only {
        return Err(AppError::NotFound); // patients and caregivers have no direct messages
    }
    let user_id = me.user_id;
    let friend = friend_id;
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    let friends = matches!(
        network::friendship_between(&mut tx, me.user_id, friend).await?,
        Some(f) if f.status == "accepted"
    );
    if !friends {
        return Err(AppError::NotFound);
    }
    let key = network::pair_key(me.user_id, friend);
    let id = match store::direct_thread(&mut tx, &key).await? {
        Some(t) => t.id,
        None => {
            let id = ThreadId::new();
            store::insert_thread(
                &mut tx,
                &NewThread {
                    id,
                    kind: ThreadKind::Direct,
                    org_id: None,
                    patient_file_id: None,
                    title: "",
                    title_text: None,
                    folded_title: "",
                    high_priority: false,
                    created_by: user_id,
                    direct_key: Some(&key),
                    channel_id: None,
                },
                now,
            )
            .await?;
            store::add_participant(&mut tx, id, Participant::User(user_id), Some(user_id), now).await?;
            store::add_participant(&mut tx, id, Participant::User(friend), Some(user_id), now).await?;
            let t = store::thread(&mut tx, id).await?.ok_or(AppError::NotFound)?;
            audit::record(
                &mut tx,
                event_for(me, &t, "thread.direct_created", AuditAction::Create, client),
                now,
            )
            .await?;
            id
        }
    };
    commit(ctx, tx).await?;
    show(ctx, client, principal, id, Language::Fr).await
}

/// Closes (read-only) or reopens a thread.
pub async fn set_closed(
    ctx: &Ctx,
    client: &Client,
    principal: &Principal,
    id: ThreadId,
    closed: bool,
) -> AppResult<()> {
    let me = me(principal)?;
    let user_id = me.user_id;
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    let t = manageable(&mut tx, user_id, id).await?;
    if t.closed_at.is_some() == closed {
        return Err(AppError::Conflict(if closed { "thread-closed" } else { "thread-open" }));
    }
    store::set_closed(&mut tx, id, closed.then_some((user_id, now))).await?;
    let data = serde_json::json!({ "closed": closed, "by": user_id, "at": now.0 });
    log_event(ctx, &mut tx, t.id, EventKind::ThreadState, &data, now).await?;
    let name = if closed { "thread.closed" } else { "thread.reopened" };
    audit::record(&mut tx, event_for(me, &t, name, AuditAction::Update, client), now).await?;
    commit(ctx, tx).await?;
    Ok(())
}

pub async fn set_priority(
    ctx: &Ctx,
    client: &Client,
    principal: &Principal,
    id: ThreadId,
    high: bool,
) -> AppResult<()> {
    let me = me(principal)?;
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    let t = manageable(&mut tx, me.user_id, id).await?;
    open(&t)?;
    store::set_priority(&mut tx, id, high).await?;
    log_event(
        ctx,
        &mut tx,
        t.id,
        EventKind::ThreadState,
        &serde_json::json!({ "high_priority": high }),
        now,
    )
    .await?;
    audit::record(
        &mut tx,
        event_for(me, &t, "thread.priority_changed", AuditAction::Update, client),
        now,
    )
    .await?;
    commit(ctx, tx).await?;
    Ok(())
}

/// A new thread with the same title and participants, without messages.
pub async fn duplicate(
    ctx: &Ctx,
    client: &Client,
    principal: &Principal,
    id: ThreadId,
    lang: Language,
) -> AppResult<ThreadView> {
    let me = me(principal)?;
    let user_id = me.user_id;
    let (t, participants) = {
        let mut conn = ctx.store.reader().await?;
        let t = manageable(&mut conn, user_id, id).await?;
        let participants = store::participants(&mut conn, t.id).await?;
        (t, participants)
    };
    if t.kind == "direct" {
        return Err(AppError::Forbidden);
    }
    let input = NewThreadInput {
        kind: t.kind.as_str().into(),
        patient_file_id: t.patient_file_id.map(String::from),
        title: t.title.clone(),
        participants: participants
            .into_iter()
            .filter(|p| *p != Participant::User(user_id))
            .map(|p| ParticipantRef {
                kind: p.kind().as_str().into(),
                id: p.id(),
            })
            .collect(),
        high_priority: t.high_priority,
    };
    let text = SystemText::stored(t.title_text.as_deref());
    create_titled(ctx, client, principal, &input, text.as_ref(), lang).await
}
