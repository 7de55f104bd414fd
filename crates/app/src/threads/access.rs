//! Who reaches a thread. A thread exists for a person only if they take
//! part in it (in person, as manager of a participating team, through its
//! care channel or the patient's circle) and, for a thread of an
//! organization, that organization is their active one; otherwise it is
//! "not found", for the thread, its messages, attachments and export alike.
//! Every other module of threads, and teams, notifications and care
//! channels, ask here; this module asks no use case back.

use crate::{AppError, AppResult, Ctx};
use cercle_domain::policy::{Principal, UserPrincipal};
use cercle_domain::{TeamId, ThreadId, UserId};
use cercle_store::threads::{self as store, Reach, ThreadRow};
use cercle_store::{users, Conn};

pub(crate) fn me(principal: &Principal) -> AppResult<&UserPrincipal> {
    crate::acting::person(principal)
}

/// The thread, if the person may reach it (to read).
pub(crate) async fn reachable(conn: &mut Conn, user_id: UserId, thread_id: ThreadId) -> AppResult<ThreadRow> {
    Ok(reachable_as(conn, user_id, thread_id).await?.0)
}

/// The thread and how the person reaches it. Professionals reach an
/// organization's thread only while it is their active organization;
/// patients and caregivers are no members and reach their channels' threads
/// whatever organization is active.
pub(crate) async fn reachable_as(
    conn: &mut Conn,
    user_id: UserId,
    thread_id: ThreadId,
) -> AppResult<(ThreadRow, Reach)> {
    let t = store::thread(&mut *conn, thread_id).await?.ok_or(AppError::NotFound)?;
    let reach = store::reach(&mut *conn, thread_id, user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if matches!(reach, Reach::Participant | Reach::Channel) {
        in_active_org(conn, user_id, &t).await?;
    }
    Ok((t, reach))
}

/// The organization part of the door: a thread of an organization exists
/// for a professional only while it is their active organization (teams'
/// triage, which acts before the person reaches the thread, asks this too).
pub(crate) async fn in_active_org(conn: &mut Conn, user_id: UserId, t: &ThreadRow) -> AppResult<()> {
    // A thread of no organization needs no read.
    if t.org_id.is_some() {
        let active = users::active_org(&mut *conn, &user_id.to_string()).await?;
        if !org_open(t, active.as_deref()) {
            return Err(AppError::NotFound);
        }
    }
    Ok(())
}

/// The organization part of the door, the person's active organization
/// (`active`) known: a thread of no organization, or of that one.
fn org_open(t: &ThreadRow, active: Option<&str>) -> bool {
    match t.org_id {
        Some(org) => active == Some(org.to_string().as_str()),
        None => true,
    }
}

/// [`reachable`] for the services of other modules (a thread's
/// notification settings, its place in a care channel): the same door.
pub(crate) async fn reachable_by_id(
    ctx: &Ctx,
    principal: &Principal,
    thread_id: ThreadId,
) -> AppResult<(ThreadRow, Reach)> {
    let me = me(principal)?;
    let mut conn = ctx.store.reader().await?;
    reachable_as(&mut conn, me.user_id, thread_id).await
}

/// The thread, if the person may write in it: observers of a patient's
/// circle read only.
pub(crate) async fn writable(conn: &mut Conn, user_id: UserId, thread_id: ThreadId) -> AppResult<ThreadRow> {
    match reachable_as(conn, user_id, thread_id).await? {
        (_, Reach::Circle { observer: true }) => Err(AppError::Forbidden),
        (t, _) => Ok(t),
    }
}

/// [`writable`] for a message post, with what the post needs of its
/// author, in one statement for a participant in person (the common case,
/// read on the request's own thread on SQLite; every other way in goes
/// through [`writable`], the same door).
pub(crate) async fn writable_for_post(
    ctx: &Ctx,
    user_id: UserId,
    thread_id: ThreadId,
) -> AppResult<(ThreadRow, store::PostFacts)> {
    let facts = ctx
        .store
        .post_facts(thread_id, user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !facts.in_person {
        let mut conn = ctx.store.reader().await?;
        return Ok((writable(&mut conn, user_id, thread_id).await?, facts));
    }
    // A participant in person reaches it as `Reach::Participant` (never an
    // observer), through the organization part of the door.
    if !org_open(&facts.thread, facts.active_org.as_deref()) {
        return Err(AppError::NotFound);
    }
    Ok((facts.thread.clone(), facts))
}

/// The thread, if the person may manage it (participants, closing,
/// priority, duplicating, exporting): professionals only, never the
/// patient's circle.
pub(crate) async fn manageable(conn: &mut Conn, user_id: UserId, thread_id: ThreadId) -> AppResult<ThreadRow> {
    match reachable_as(conn, user_id, thread_id).await? {
        (_, Reach::Circle { .. }) => Err(AppError::Forbidden),
        (t, _) => Ok(t),
    }
}

/// Whether events of this thread may reach the person now: the same door
/// as reading it ([`reachable`]), so a live connection never shows what a
/// request would answer "not found" to.
///
/// Text ids, as events and pages hold them: one that is no thread id
/// reaches nobody.
pub async fn may_receive(ctx: &Ctx, user_id: &str, thread_id: &str) -> AppResult<bool> {
    let (Ok(user_id), Ok(thread_id)) = (user_id.parse::<UserId>(), thread_id.parse::<ThreadId>()) else {
        return Ok(false);
    };
    receives(ctx, user_id, thread_id).await
}

/// [`may_receive`] of ids already read. A participant in person (the
/// common case) is answered by the one statement a post reads
/// ([`writable_for_post`]) instead of the four of [`reachable_as`]: every
/// stream of a thread and every first ring of its notifications asks this
/// at its first message, all at once.
async fn receives(ctx: &Ctx, user_id: UserId, thread_id: ThreadId) -> AppResult<bool> {
    match ctx.store.post_facts(thread_id, user_id).await? {
        None => return Ok(false),
        Some(facts) if facts.in_person => return Ok(org_open(&facts.thread, facts.active_org.as_deref())),
        Some(_) => {}
    }
    let mut conn = ctx.store.reader().await?;
    match reachable_as(&mut conn, user_id, thread_id).await {
        Ok(_) => Ok(true),
        Err(AppError::NotFound) => Ok(false),
        Err(e) => Err(e),
    }
}

/// [`may_receive`] for live connections: one check per person and thread
/// for the whole node, shared by every connection of the person that asks
/// meanwhile or within [`super::answers::KEEP`] and forgotten as soon as
/// the node hears of a change of the person's access or the thread's
/// participants ([`super::answers`]). `DatabaseUnavailable` when the
/// database could not answer.
pub async fn may_receive_live(ctx: &Ctx, user_id: &str, thread_id: &str) -> AppResult<bool> {
    use super::answers::Answer;
    let (Ok(user), Ok(thread)) = (user_id.parse::<UserId>(), thread_id.parse::<ThreadId>()) else {
        return Ok(false);
    };
    let answer = ctx
        .hub
        .answers
        .get(user, thread, || async {
            match receives(ctx, user, thread).await {
                Ok(true) => Answer::Yes,
                Ok(false) => Answer::No,
                Err(AppError::DatabaseUnavailable) => Answer::Busy,
                Err(e) => {
                    tracing::warn!(error = %e, "live access check failed");
                    Answer::Failed
                }
            }
        })
        .await;
    match answer {
        Answer::Yes => Ok(true),
        Answer::No => Ok(false),
        Answer::Busy => Err(AppError::DatabaseUnavailable),
        Answer::Failed => Err(AppError::Internal("live access check failed".into())),
    }
}

pub(crate) fn open(t: &ThreadRow) -> AppResult<()> {
    if t.closed_at.is_some() {
        return Err(AppError::Conflict("thread-closed"));
    }
    Ok(())
}

/// In a care channel's thread, the author's team: a team its author
/// reaches as team manager (a team of their unit or a unit below; the same
/// rule that makes a team's discussions theirs, [`store::teams_managed`]).
/// It cannot be removed from the thread (SPEC 5).
pub(crate) async fn is_author_team(conn: &mut Conn, t: &ThreadRow, team_id: TeamId) -> AppResult<bool> {
    Ok(store::teams_managed(&mut *conn, t.created_by).await?.contains(&team_id))
}
