//! Reading threads: one's list, the unread badge, a thread with its
//! participants and teams, its messages and a message's earlier texts.
//! Reading a clinical thread is audited with its patient.

use super::access::{me, reachable};
use super::events::event_for;
use super::participants::participant_views;
use super::triage::triage_views;
use super::views::{message_views, title_of, Closed, ListedThread, MessageView, PatientRef, ThreadView};
use crate::{audit, AppError, AppResult, Client, Ctx};
use cercle_domain::audit::AuditAction;
use cercle_domain::policy::Principal;
use cercle_domain::{Language, MessageId, OrgId, ThreadId};
use cercle_store::threads as store;
use cercle_store::{network, orgs, users};

/// One's threads in the active organization (and those without one).
pub async fn list(ctx: &Ctx, principal: &Principal, closed: bool, lang: Language) -> AppResult<Vec<ListedThread>> {
    let me = me(principal)?;
    let user_id = me.user_id;
    let mut conn = ctx.store.reader().await?;
    let teams = store::teams_managed(&mut conn, user_id).await?;
    // An active organization that is no id names none (no organization's threads).
    let active = users::active_org(&mut conn, &user_id.to_string())
        .await?
        .and_then(|org| OrgId::parse(&org));
    let rows = store::threads_of(&mut conn, user_id, &teams, active, closed, 200).await?;
    Ok(rows.into_iter().map(|l| ListedThread::of(l, lang)).collect())
}

/// Unread messages over all of one's open threads (the navigation badge).
pub async fn unread_total(ctx: &Ctx, principal: &Principal) -> AppResult<i64> {
    Ok(list(ctx, principal, false, Language::default())
        .await?
        .iter()
        .map(|t| t.unread + i64::from(t.marked_unread && t.unread == 0))
        .sum())
}

/// The thread as its participant sees it (with their draft).
pub async fn show(
    ctx: &Ctx,
    client: &Client,
    principal: &Principal,
    id: ThreadId,
    lang: Language,
) -> AppResult<ThreadView> {
    let me = me(principal)?;
    let user_id = me.user_id;
    let mut conn = ctx.store.reader().await?;
    let t = reachable(&mut conn, user_id, id).await?;
    let participants = participant_views(&mut conn, t.id).await?;
    let patient = match t.patient_file_id {
        // Archived files keep their name on their threads.
        Some(pid) => cercle_store::patients::get(&mut conn, pid)
            .await?
            .filter(|p| t.org_id.map(String::from).as_deref() == Some(p.org_id.as_str()))
            .map(|p| PatientRef {
                id: p.id.to_string(),
                name: format!("{} {}", p.first_name, p.last_name),
            }),
        None => None,
    };
    let closed = match (t.closed_at, t.closed_by.map(String::from)) {
        (Some(at), by) => {
            let by_name = match &by {
                Some(b) => network::names(&mut conn, std::slice::from_ref(b))
                    .await?
                    .pop()
                    .map(|(_, n)| n)
                    .unwrap_or_default(),
                None => String::new(),
            };
            Some(Closed { by_id: by, by_name, at })
        }
        _ => None,
    };
    let draft = store::draft(&mut conn, id, user_id).await?;
    let teams = triage_views(&mut conn, t.id).await?;
    drop(conn);
    if t.patient_file_id.is_some() {
        audit::record_alone(ctx, event_for(me, &t, "thread.read", AuditAction::Read, client)).await?;
    }
    let (title, title_text) = title_of(&t, lang);
    Ok(ThreadView {
        id: t.id.to_string(),
        kind: t.kind.as_str().into(),
        title,
        title_text,
        org_id: t.org_id.map(String::from),
        patient,
        high_priority: t.high_priority,
        created_by: t.created_by.to_string(),
        created_at: t.created_at,
        closed,
        participants,
        last_seq: t.last_seq,
        draft,
        teams,
    })
}

/// Messages before `before` (or the latest), oldest first.
pub async fn messages(
    ctx: &Ctx,
    client: &Client,
    principal: &Principal,
    id: ThreadId,
    before: Option<i64>,
    lang: Language,
) -> AppResult<Vec<MessageView>> {
    let me = me(principal)?;
    let mut conn = ctx.store.reader().await?;
    let t = reachable(&mut conn, me.user_id, id).await?;
    let rows = store::messages(&mut conn, t.id, before.unwrap_or(i64::MAX), 100).await?;
    let out = message_views(&mut conn, t.id, rows, lang).await?;
    drop(conn);
    if t.patient_file_id.is_some() {
        audit::record_alone(
            ctx,
            event_for(me, &t, "thread.messages_read", AuditAction::List, client),
        )
        .await?;
    }
    Ok(out)
}

/// The earlier texts of a message (participants).
pub async fn versions(ctx: &Ctx, principal: &Principal, message_id: MessageId) -> AppResult<Vec<(i64, String, i64)>> {
    let me = me(principal)?;
    let mut conn = ctx.store.reader().await?;
    let m = store::message(&mut conn, message_id).await?.ok_or(AppError::NotFound)?;
    reachable(&mut conn, me.user_id, m.thread_id).await?;
    Ok(store::versions(&mut conn, m.id).await?)
}

/// The organization a thread belongs to, for labels.
pub async fn org_name(ctx: &Ctx, org_id: OrgId) -> AppResult<Option<String>> {
    let mut conn = ctx.store.reader().await?;
    Ok(orgs::org_by_id(&mut conn, org_id).await?.map(|o| o.name))
}
