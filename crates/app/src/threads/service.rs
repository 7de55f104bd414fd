//! Thread use cases. Access: a thread exists for a person only if they take
//! part in it (in person or as manager of a participating team) and, for a
//! thread of an organization, that organization is their active one;
//! otherwise it is "not found", for the thread, its messages, attachments
//! and export alike. Every change appends an event (see [`super::hub`]) and
//! an audit record in its transaction; reading a clinical thread is audited
//! with its patient.

use super::hub::{self, Event};
use crate::network::people::{relation, summaries};
use crate::texts::SystemText;
use crate::{audit, AppError, AppResult, Client, Ctx};
use cercle_domain::audit::{Actor, AuditAction, NewAuditEvent};
use cercle_domain::policy::network::may_view_profile;
use cercle_domain::policy::{Principal, UserPrincipal};
use cercle_domain::search::fold;
use cercle_domain::{InputError, Language, MessageId, Timestamp};
use cercle_store::threads::{self as store, MessageRow, NewThread, Reach, ThreadRow};
use cercle_store::{network, orgs, users, Backend, Conn};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

pub const MAX_MESSAGE_CHARS: usize = 10_000;
pub const MAX_TITLE_CHARS: usize = 200;
pub const MAX_PARTICIPANTS: usize = 100;
/// Messages one person may post per minute (flooding).
pub const MESSAGES_PER_MINUTE: i64 = 120;

fn me(principal: &Principal) -> AppResult<&UserPrincipal> {
    crate::network::person(principal)
}

/// Someone or a team in a thread.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ParticipantRef {
    /// user | team
    pub kind: String,
    pub id: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ParticipantView {
    pub kind: String,
    pub id: String,
    pub name: String,
    /// Takes part through the thread's care channel (managed on the
    /// channel, not on the thread).
    pub via_channel: bool,
    /// For the patient's circle: patient | responsible | observer.
    pub section: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Closed {
    pub by_id: Option<String>,
    pub by_name: String,
    pub at: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PatientRef {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ThreadView {
    pub id: String,
    pub kind: String,
    /// In the reader's language when Cercle wrote it (`title_text`).
    pub title: String,
    /// The title's message key and arguments when Cercle wrote it.
    pub title_text: Option<SystemText>,
    pub org_id: Option<String>,
    pub patient: Option<PatientRef>,
    pub high_priority: bool,
    pub created_by: String,
    pub created_at: i64,
    pub closed: Option<Closed>,
    pub participants: Vec<ParticipantView>,
    pub last_seq: i64,
    /// One's own draft, restored on any device.
    pub draft: Option<String>,
    /// Per participating team: in its triage box or assigned, and to whom.
    pub teams: Vec<crate::teams::TriageView>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Author {
    pub id: String,
    pub name: String,
    pub profession: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AttachmentView {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub content_type: String,
    pub size: i64,
    pub width: Option<i64>,
    pub height: Option<i64>,
    pub has_thumbnail: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MessageView {
    pub id: String,
    pub thread_id: String,
    pub seq: i64,
    pub author: Author,
    /// Empty once retracted.
    pub body: String,
    pub priority: bool,
    pub created_at: i64,
    pub edited_at: Option<i64>,
    pub retracted_at: Option<i64>,
    pub attachments: Vec<AttachmentView>,
    /// Who read up to this message (ids), the author excluded.
    pub seen_by: Vec<String>,
    /// Who acknowledged this (high-priority) message.
    pub acknowledged_by: Vec<String>,
}

/// The thread, if the person may reach it (to read).
pub(crate) async fn reachable(conn: &mut Conn, user_id: &str, thread_id: &str) -> AppResult<ThreadRow> {
    Ok(reachable_as(conn, user_id, thread_id).await?.0)
}

/// The thread and how the person reaches it. Professionals reach an
/// organization's thread only while it is their active organization;
/// patients and caregivers are no members and reach their channels' threads
/// whatever organization is active.
pub(crate) async fn reachable_as(conn: &mut Conn, user_id: &str, thread_id: &str) -> AppResult<(ThreadRow, Reach)> {
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
pub(crate) async fn in_active_org(conn: &mut Conn, user_id: &str, t: &ThreadRow) -> AppResult<()> {
    if let Some(org) = &t.org_id {
        if users::active_org(&mut *conn, user_id).await?.as_deref() != Some(org.as_str()) {
            return Err(AppError::NotFound);
        }
    }
    Ok(())
}

/// [`reachable`] for the services of other modules (a thread's
/// notification settings, its place in a care channel): the same door.
pub(crate) async fn reachable_by(ctx: &Ctx, principal: &Principal, thread_id: &str) -> AppResult<(ThreadRow, Reach)> {
    let me = me(principal)?;
    if thread_id.is_empty() || thread_id.len() > 64 {
        return Err(AppError::NotFound);
    }
    let mut conn = ctx.store.reader().await?;
    reachable_as(&mut conn, &me.user_id.to_string(), thread_id).await
}

/// The thread, if the person may write in it: observers of a patient's
/// circle read only.
pub(crate) async fn writable(conn: &mut Conn, user_id: &str, thread_id: &str) -> AppResult<ThreadRow> {
    match reachable_as(conn, user_id, thread_id).await? {
        (_, Reach::Circle { observer: true }) => Err(AppError::Forbidden),
        (t, _) => Ok(t),
    }
}

/// The thread, if the person may manage it (participants, closing,
/// priority, duplicating, exporting): professionals only, never the
/// patient's circle.
pub(crate) async fn manageable(conn: &mut Conn, user_id: &str, thread_id: &str) -> AppResult<ThreadRow> {
    match reachable_as(conn, user_id, thread_id).await? {
        (_, Reach::Circle { .. }) => Err(AppError::Forbidden),
        (t, _) => Ok(t),
    }
}

/// Whether events of this thread may reach the person now: the same door
/// as reading it ([`reachable`]), so a live connection never shows what a
/// request would answer "not found" to.
pub async fn may_receive(ctx: &Ctx, user_id: &str, thread_id: &str) -> AppResult<bool> {
    let mut conn = ctx.store.reader().await?;
    match reachable_as(&mut conn, user_id, thread_id).await {
        Ok(_) => Ok(true),
        Err(AppError::NotFound) => Ok(false),
        Err(e) => Err(e),
    }
}

fn open(t: &ThreadRow) -> AppResult<()> {
    if t.closed_at.is_some() {
        return Err(AppError::Conflict("thread-closed"));
    }
    Ok(())
}

pub(crate) fn event_for(
    actor: &UserPrincipal,
    t: &ThreadRow,
    name: &'static str,
    action: AuditAction,
    client: &Client,
) -> NewAuditEvent {
    let mut ev = NewAuditEvent::new(Actor::User(actor.user_id), name, action, "thread")
        .target(&t.id)
        .ip(client.ip.clone());
    if let Some(org) = &t.org_id {
        ev.org_id = Some(org.clone());
    }
    if let Some(p) = &t.patient_file_id {
        ev = ev.scope("patient", p);
    }
    ev
}

/// Appends an event to the log in the caller's transaction (and, on
/// PostgreSQL, tells the other nodes when it commits).
pub(crate) async fn log_event(
    ctx: &Ctx,
    conn: &mut Conn,
    thread_id: &str,
    kind: &str,
    data: &impl Serialize,
    now: Timestamp,
) -> AppResult<i64> {
    let payload = serde_json::to_string(data).map_err(|e| AppError::Internal(e.to_string()))?;
    let id = store::append_event(&mut *conn, thread_id, kind, &payload, now).await?;
    if ctx.store.backend() == Backend::Postgres {
        store::notify_nodes(&mut *conn, "e").await?;
    }
    Ok(id)
}

/// Commits and wakes this node's dispatcher.
pub(crate) async fn commit(ctx: &Ctx, tx: cercle_store::Tx) -> AppResult<()> {
    tx.commit().await?;
    ctx.hub.wake();
    ctx.notify_wake.notify_one();
    Ok(())
}

pub(crate) fn clean_title(raw: &str) -> AppResult<String> {
    clean_title_within(raw, MAX_TITLE_CHARS)
}

/// A title: trimmed, not empty, at most `max` characters, no control
/// characters.
pub(crate) fn clean_title_within(raw: &str, max: usize) -> AppResult<String> {
    let t = raw.trim();
    if t.is_empty() || t.chars().count() > max || t.chars().any(char::is_control) {
        return Err(InputError::InvalidTitle.into());
    }
    Ok(t.to_string())
}

pub(crate) fn clean_body(raw: &str) -> AppResult<String> {
    let body = raw.trim().replace("\r\n", "\n");
    if body.is_empty() {
        return Err(InputError::EmptyMessage.into());
    }
    if body.chars().count() > MAX_MESSAGE_CHARS {
        return Err(InputError::MessageTooLong.into());
    }
    if body.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(InputError::InvalidText.into());
    }
    Ok(body)
}

pub(crate) fn folded(text: &str) -> String {
    fold(text).split_whitespace().collect::<Vec<_>>().join(" ")
}

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

/// Checks the people and teams to add: people one may see, teams of the
/// thread's organization.
async fn check_participants(
    conn: &mut Conn,
    adder: &str,
    org_id: Option<&str>,
    list: &[ParticipantRef],
) -> AppResult<()> {
    if list.len() > MAX_PARTICIPANTS {
        return Err(AppError::Conflict("too-many-participants"));
    }
    for p in list {
        match p.kind.as_str() {
            "user" => {
                let rel = relation(&mut *conn, adder, &p.id).await?.ok_or(AppError::NotFound)?;
                if !may_view_profile(&rel) {
                    return Err(AppError::NotFound);
                }
            }
            "team" => {
                let Some(org) = org_id else {
                    return Err(AppError::NotFound);
                };
                orgs::team_in(&mut *conn, org, &p.id).await?.ok_or(AppError::NotFound)?;
            }
            _ => return Err(AppError::NotFound),
        }
    }
    Ok(())
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
    let user_id = me.user_id.to_string();
    let title = clean_title(&input.title)?;
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    crate::idempotency::claim_in(&mut tx, client, now).await?;
    let active = users::active_org(&mut tx, &user_id).await?;
    let active = match &active {
        Some(org) if cercle_store::members::is_member(&mut tx, org, &user_id).await? => Some(org.clone()),
        _ => None,
    };
    let (kind, org_id, patient) = match input.kind.as_str() {
        "clinical" => {
            let org = active.clone().ok_or(AppError::NoActiveOrganization)?;
            let pid = input.patient_file_id.as_deref().ok_or(AppError::NotFound)?;
            // A file one sees, of the active organization; archived: no new thread.
            let p = crate::patients::files::viewable(&mut tx, &user_id, pid).await?;
            p.require_open()?;
            ("clinical", Some(org), Some(p.file.id))
        }
        "collaboration" => ("collaboration", active.clone(), None),
        _ => return Err(InputError::InvalidTitle.into()),
    };
    check_participants(&mut tx, &user_id, org_id.as_deref(), &input.participants).await?;
    let id = cercle_domain::ThreadId::new().to_string();
    store::insert_thread(
        &mut tx,
        &NewThread {
            id: &id,
            kind,
            org_id: org_id.as_deref(),
            patient_file_id: patient.as_deref(),
            title: &title,
            title_text: text.map(SystemText::to_json).as_deref(),
            folded_title: &text.map_or_else(|| folded(&title), |x| x.folded_all(MAX_TITLE_CHARS)),
            high_priority: input.high_priority,
            created_by: &user_id,
            direct_key: None,
            channel_id: None,
        },
        now,
    )
    .await?;
    store::add_participant(&mut tx, &id, "user", &user_id, Some(&user_id), now).await?;
    for p in &input.participants {
        store::add_participant(&mut tx, &id, &p.kind, &p.id, Some(&user_id), now).await?;
    }
    crate::teams::on_participants_added(&mut tx, &id, org_id.as_deref(), &input.participants, &user_id, now).await?;
    let t = store::thread(&mut tx, &id).await?.ok_or(AppError::NotFound)?;
    log_event(
        ctx,
        &mut tx,
        &id,
        "thread_created",
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
    show(ctx, client, principal, &id, lang).await
}

/// The direct thread between two friends (created on first use); private to them.
pub async fn direct(ctx: &Ctx, client: &Client, principal: &Principal, friend_id: &str) -> AppResult<ThreadView> {
    let me = me(principal)?;
    if me.circle_only {
        return Err(AppError::NotFound); // patients and caregivers have no direct messages
    }
    let user_id = me.user_id.to_string();
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    let friends = matches!(
        network::friendship_between(&mut tx, &user_id, friend_id).await?,
        Some(f) if f.status == "accepted"
    );
    if !friends {
        return Err(AppError::NotFound);
    }
    let key = network::pair_key(&user_id, friend_id);
    let id = match store::direct_thread(&mut tx, &key).await? {
        Some(t) => t.id,
        None => {
            let id = cercle_domain::ThreadId::new().to_string();
            store::insert_thread(
                &mut tx,
                &NewThread {
                    id: &id,
                    kind: "direct",
                    org_id: None,
                    patient_file_id: None,
                    title: "",
                    title_text: None,
                    folded_title: "",
                    high_priority: false,
                    created_by: &user_id,
                    direct_key: Some(&key),
                    channel_id: None,
                },
                now,
            )
            .await?;
            store::add_participant(&mut tx, &id, "user", &user_id, Some(&user_id), now).await?;
            store::add_participant(&mut tx, &id, "user", friend_id, Some(&user_id), now).await?;
            let t = store::thread(&mut tx, &id).await?.ok_or(AppError::NotFound)?;
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
    show(ctx, client, principal, &id, Language::Fr).await
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ListedThread {
    pub id: String,
    pub kind: String,
    /// In the reader's language when Cercle wrote it (`title_text`).
    pub title: String,
    pub title_text: Option<SystemText>,
    pub high_priority: bool,
    pub closed: bool,
    pub unread: i64,
    pub marked_unread: bool,
    pub last_activity_at: i64,
    pub patient_file_id: Option<String>,
}

/// A thread's title as `lang` reads it, and its system text if any.
pub(crate) fn title_of(t: &ThreadRow, lang: Language) -> (String, Option<SystemText>) {
    let text = SystemText::stored(t.title_text.as_deref());
    let title = match &text {
        Some(x) => x.render(lang, MAX_TITLE_CHARS),
        None => t.title.clone(),
    };
    (title, text)
}

impl ListedThread {
    pub(crate) fn of(l: store::ListedThread, lang: Language) -> Self {
        let (title, title_text) = title_of(&l.thread, lang);
        ListedThread {
            id: l.thread.id,
            kind: l.thread.kind,
            title,
            title_text,
            high_priority: l.thread.high_priority,
            closed: l.thread.closed_at.is_some(),
            unread: l.unread,
            marked_unread: l.marked_unread,
            last_activity_at: l.thread.last_activity_at,
            patient_file_id: l.thread.patient_file_id,
        }
    }
}

/// One's threads in the active organization (and those without one).
pub async fn list(ctx: &Ctx, principal: &Principal, closed: bool, lang: Language) -> AppResult<Vec<ListedThread>> {
    let me = me(principal)?;
    let user_id = me.user_id.to_string();
    let mut conn = ctx.store.reader().await?;
    let teams = store::teams_managed(&mut conn, &user_id).await?;
    let active = users::active_org(&mut conn, &user_id).await?;
    let rows = store::threads_of(&mut conn, &user_id, &teams, active.as_deref(), closed, 200).await?;
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

pub(crate) async fn participant_views(conn: &mut Conn, thread_id: &str) -> AppResult<Vec<ParticipantView>> {
    let list = store::participants(&mut *conn, thread_id).await?;
    let user_ids: Vec<String> = list
        .iter()
        .filter(|(k, _)| k == "user")
        .map(|(_, id)| id.clone())
        .collect();
    let names: HashMap<String, String> = network::names(&mut *conn, &user_ids).await?.into_iter().collect();
    let mut out = Vec::new();
    for (kind, id) in list {
        let name = if kind == "user" {
            names.get(&id).cloned().unwrap_or_default()
        } else {
            orgs::team_by_id(&mut *conn, &id)
                .await?
                .map(|t| t.name)
                .unwrap_or_default()
        };
        out.push(ParticipantView {
            kind,
            id,
            name,
            via_channel: false,
            section: None,
        });
    }
    if let Some(channel) = store::thread(&mut *conn, thread_id).await?.and_then(|t| t.channel_id) {
        channel_participant_views(conn, &channel, &mut out).await?;
    }
    Ok(out)
}

/// Adds the people and teams of a thread's care channel (everyone there
/// reads every thread of the channel), and the circle members who joined.
async fn channel_participant_views(conn: &mut Conn, channel_id: &str, out: &mut Vec<ParticipantView>) -> AppResult<()> {
    let present = |out: &Vec<ParticipantView>, kind: &str, id: &str| out.iter().any(|p| p.kind == kind && p.id == id);
    for (kind, id) in cercle_store::channels::participants(&mut *conn, channel_id).await? {
        if kind == "circle" || present(out, &kind, &id) {
            continue;
        }
        let name = if kind == "user" {
            network::names(&mut *conn, std::slice::from_ref(&id))
                .await?
                .pop()
                .map(|(_, n)| n)
                .unwrap_or_default()
        } else {
            orgs::team_by_id(&mut *conn, &id)
                .await?
                .map(|t| t.name)
                .unwrap_or_default()
        };
        out.push(ParticipantView {
            kind,
            id,
            name,
            via_channel: true,
            section: None,
        });
    }
    for c in cercle_store::channels::circle_participants(&mut *conn, channel_id).await? {
        let Some(user_id) = c.user_id.filter(|_| c.state == "joined") else {
            continue;
        };
        if present(out, "user", &user_id) {
            continue;
        }
        out.push(ParticipantView {
            kind: "user".into(),
            id: user_id,
            name: format!("{} {}", c.first_name, c.last_name),
            via_channel: true,
            section: Some(c.section),
        });
    }
    Ok(())
}

/// The thread as its participant sees it (with their draft).
pub async fn show(
    ctx: &Ctx,
    client: &Client,
    principal: &Principal,
    id: &str,
    lang: Language,
) -> AppResult<ThreadView> {
    let me = me(principal)?;
    let user_id = me.user_id.to_string();
    let mut conn = ctx.store.reader().await?;
    let t = reachable(&mut conn, &user_id, id).await?;
    let participants = participant_views(&mut conn, id).await?;
    let patient = match &t.patient_file_id {
        // Archived files keep their name on their threads.
        Some(pid) => cercle_store::patients::get(&mut conn, pid)
            .await?
            .filter(|p| t.org_id.as_deref() == Some(p.org_id.as_str()))
            .map(|p| PatientRef {
                id: p.id,
                name: format!("{} {}", p.first_name, p.last_name),
            }),
        None => None,
    };
    let closed = match (t.closed_at, &t.closed_by) {
        (Some(at), by) => {
            let by_name = match by {
                Some(b) => network::names(&mut conn, std::slice::from_ref(b))
                    .await?
                    .pop()
                    .map(|(_, n)| n)
                    .unwrap_or_default(),
                None => String::new(),
            };
            Some(Closed {
                by_id: by.clone(),
                by_name,
                at,
            })
        }
        _ => None,
    };
    let draft = store::draft(&mut conn, id, &user_id).await?;
    let teams = crate::teams::triage_views(&mut conn, id).await?;
    drop(conn);
    if t.patient_file_id.is_some() {
        audit::record_alone(ctx, event_for(me, &t, "thread.read", AuditAction::Read, client)).await?;
    }
    let (title, title_text) = title_of(&t, lang);
    Ok(ThreadView {
        id: t.id,
        kind: t.kind,
        title,
        title_text,
        org_id: t.org_id,
        patient,
        high_priority: t.high_priority,
        created_by: t.created_by,
        created_at: t.created_at,
        closed,
        participants,
        last_seq: t.last_seq,
        draft,
        teams,
    })
}

/// Builds message views with authors, attachments, readers and acknowledgements.
pub(crate) async fn message_views(
    conn: &mut Conn,
    thread_id: &str,
    rows: Vec<MessageRow>,
    lang: Language,
) -> AppResult<Vec<MessageView>> {
    let mut author_ids: Vec<String> = rows.iter().map(|m| m.author_id.clone()).collect();
    author_ids.sort();
    author_ids.dedup();
    let authors: HashMap<String, _> = summaries(&mut *conn, &author_ids, lang)
        .await?
        .into_iter()
        .map(|p| (p.id.clone(), p))
        .collect();
    let attachments = store::attachments_of(&mut *conn, thread_id).await?;
    let reads = store::reads(&mut *conn, thread_id).await?;
    let acks = store::acks(&mut *conn, thread_id).await?;
    Ok(rows
        .into_iter()
        .map(|m| {
            let author = match authors.get(&m.author_id) {
                Some(p) => Author {
                    id: p.id.clone(),
                    name: p.name.clone(),
                    profession: p.professions.first().map(|b| b.name.clone()),
                },
                None => Author {
                    id: m.author_id.clone(),
                    name: cercle_i18n::t(lang, "former-user"),
                    profession: None,
                },
            };
            MessageView {
                attachments: attachments
                    .iter()
                    .filter(|a| a.message_id == m.id)
                    .map(|a| AttachmentView {
                        id: a.id.clone(),
                        name: a.name.clone(),
                        kind: a.kind.clone(),
                        content_type: a.content_type.clone(),
                        size: a.size,
                        width: a.width,
                        height: a.height,
                        has_thumbnail: a.has_thumbnail,
                    })
                    .collect(),
                seen_by: reads
                    .iter()
                    .filter(|(u, seq)| *seq >= m.seq && *u != m.author_id)
                    .map(|(u, _)| u.clone())
                    .collect(),
                acknowledged_by: acks
                    .iter()
                    .filter(|(mid, _, _)| *mid == m.id)
                    .map(|(_, u, _)| u.clone())
                    .collect(),
                author,
                id: m.id,
                thread_id: m.thread_id,
                seq: m.seq,
                body: m.body,
                priority: m.priority,
                created_at: m.created_at,
                edited_at: m.edited_at,
                retracted_at: m.retracted_at,
            }
        })
        .collect())
}

/// Messages before `before` (or the latest), oldest first.
pub async fn messages(
    ctx: &Ctx,
    client: &Client,
    principal: &Principal,
    id: &str,
    before: Option<i64>,
    lang: Language,
) -> AppResult<Vec<MessageView>> {
    let me = me(principal)?;
    let user_id = me.user_id.to_string();
    let mut conn = ctx.store.reader().await?;
    let t = reachable(&mut conn, &user_id, id).await?;
    let rows = store::messages(&mut conn, id, before.unwrap_or(i64::MAX), 100).await?;
    let out = message_views(&mut conn, id, rows, lang).await?;
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

/// Counts a message against the sender's flood allowance (per node).
fn flood_check(ctx: &Ctx, user_id: &str) -> AppResult<()> {
    if ctx.hub.flood(user_id, ctx.clock.now(), MESSAGES_PER_MINUTE) {
        Ok(())
    } else {
        Err(AppError::RateLimited)
    }
}

/// Posts a message. Returns it as participants see it.
pub async fn post(
    ctx: &Ctx,
    client: &Client,
    principal: &Principal,
    id: &str,
    body: &str,
    priority: bool,
    lang: Language,
) -> AppResult<MessageView> {
    let me = me(principal)?;
    let user_id = me.user_id.to_string();
    let body = clean_body(body)?;
    flood_check(ctx, &user_id)?;
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    crate::idempotency::claim_in(&mut tx, client, now).await?;
    let t = writable(&mut tx, &user_id, id).await?;
    open(&t)?;
    let view = insert_message(ctx, &mut tx, &t, &user_id, &body, priority, now, lang).await?;
    audit::record(
        &mut tx,
        event_for(me, &t, "thread.message_posted", AuditAction::Create, client).scope("message", &view.id),
        now,
    )
    .await?;
    commit(ctx, tx).await?;
    Ok(view)
}

/// Inserts a message, moves the author's read mark, clears their draft and
/// logs the event; the caller commits.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn insert_message(
    ctx: &Ctx,
    tx: &mut Conn,
    t: &ThreadRow,
    user_id: &str,
    body: &str,
    priority: bool,
    now: Timestamp,
    lang: Language,
) -> AppResult<MessageView> {
    let seq = store::next_seq(&mut *tx, &t.id, now).await?;
    let row = MessageRow {
        id: MessageId::new().to_string(),
        thread_id: t.id.clone(),
        seq,
        author_id: user_id.to_string(),
        body: body.to_string(),
        priority,
        created_at: now.0,
        edited_at: None,
        retracted_at: None,
    };
    store::insert_message(&mut *tx, &row, &folded(body)).await?;
    store::mark_read(&mut *tx, &t.id, user_id, seq, now).await?;
    store::save_draft(&mut *tx, &t.id, user_id, "", now).await?;
    // A new message has no attachment, reader or acknowledgement yet: only
    // its author is looked up (not the whole thread's read marks).
    let author = summaries(&mut *tx, &[user_id.to_string()], lang).await?.pop();
    let view = MessageView {
        author: match author {
            Some(p) => Author {
                profession: p.professions.first().map(|b| b.name.clone()),
                id: p.id,
                name: p.name,
            },
            None => Author {
                id: user_id.to_string(),
                name: cercle_i18n::t(lang, "former-user"),
                profession: None,
            },
        },
        id: row.id,
        thread_id: row.thread_id,
        seq: row.seq,
        body: row.body,
        priority: row.priority,
        created_at: row.created_at,
        edited_at: None,
        retracted_at: None,
        attachments: Vec::new(),
        seen_by: Vec::new(),
        acknowledged_by: Vec::new(),
    };
    log_event(ctx, &mut *tx, &t.id, "message", &view, now).await?;
    crate::notifications::on_message(&mut *tx, t, user_id, &view.id, priority, now).await?;
    Ok(view)
}

/// The author's own message of a reachable, open thread.
async fn own_message(conn: &mut Conn, user_id: &str, message_id: &str) -> AppResult<(ThreadRow, MessageRow)> {
    let m = store::message(&mut *conn, message_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let t = writable(&mut *conn, user_id, &m.thread_id).await?;
    if m.author_id != user_id {
        return Err(AppError::Forbidden);
    }
    open(&t)?;
    if m.retracted_at.is_some() {
        return Err(AppError::Conflict("message-retracted"));
    }
    Ok((t, m))
}

/// Edits one's message; the earlier text is kept.
pub async fn edit(
    ctx: &Ctx,
    client: &Client,
    principal: &Principal,
    message_id: &str,
    body: &str,
    lang: Language,
) -> AppResult<MessageView> {
    let me = me(principal)?;
    let user_id = me.user_id.to_string();
    let body = clean_body(body)?;
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    let (t, m) = own_message(&mut tx, &user_id, message_id).await?;
    store::edit_message(&mut tx, &m.id, &body, &folded(&body), now).await?;
    let row = store::message(&mut tx, &m.id).await?.ok_or(AppError::NotFound)?;
    let view = message_views(&mut tx, &t.id, vec![row], lang)
        .await?
        .pop()
        .ok_or(AppError::NotFound)?;
    log_event(ctx, &mut tx, &t.id, "message_edited", &view, now).await?;
    audit::record(
        &mut tx,
        event_for(me, &t, "thread.message_edited", AuditAction::Update, client).scope("message", &m.id),
        now,
    )
    .await?;
    commit(ctx, tx).await?;
    Ok(view)
}

/// Retracts one's message: its text leaves the thread, a trace stays.
pub async fn retract(
    ctx: &Ctx,
    client: &Client,
    principal: &Principal,
    message_id: &str,
    lang: Language,
) -> AppResult<MessageView> {
    let me = me(principal)?;
    let user_id = me.user_id.to_string();
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    let (t, m) = own_message(&mut tx, &user_id, message_id).await?;
    store::retract_message(&mut tx, &m.id, now).await?;
    let row = store::message(&mut tx, &m.id).await?.ok_or(AppError::NotFound)?;
    let view = message_views(&mut tx, &t.id, vec![row], lang)
        .await?
        .pop()
        .ok_or(AppError::NotFound)?;
    log_event(ctx, &mut tx, &t.id, "message_retracted", &view, now).await?;
    audit::record(
        &mut tx,
        event_for(me, &t, "thread.message_retracted", AuditAction::Delete, client).scope("message", &m.id),
        now,
    )
    .await?;
    commit(ctx, tx).await?;
    Ok(view)
}

/// The earlier texts of a message (participants).
pub async fn versions(ctx: &Ctx, principal: &Principal, message_id: &str) -> AppResult<Vec<(i64, String, i64)>> {
    let me = me(principal)?;
    let mut conn = ctx.store.reader().await?;
    let m = store::message(&mut conn, message_id).await?.ok_or(AppError::NotFound)?;
    reachable(&mut conn, &me.user_id.to_string(), &m.thread_id).await?;
    Ok(store::versions(&mut conn, message_id).await?)
}

/// Adds people or teams; they see the whole history.
pub async fn add_participants(
    ctx: &Ctx,
    client: &Client,
    principal: &Principal,
    id: &str,
    list: &[ParticipantRef],
) -> AppResult<Vec<ParticipantView>> {
    let me = me(principal)?;
    let user_id = me.user_id.to_string();
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    let t = manageable(&mut tx, &user_id, id).await?;
    open(&t)?;
    if t.kind == "direct" {
        return Err(AppError::Forbidden);
    }
    check_participants(&mut tx, &user_id, t.org_id.as_deref(), list).await?;
    for p in list {
        store::add_participant(&mut tx, id, &p.kind, &p.id, Some(&user_id), now).await?;
    }
    crate::teams::on_participants_added(&mut tx, id, t.org_id.as_deref(), list, &user_id, now).await?;
    let views = participant_views(&mut tx, id).await?;
    log_event(ctx, &mut tx, id, "participants", &views, now).await?;
    audit::record(
        &mut tx,
        event_for(me, &t, "thread.participants_added", AuditAction::Update, client),
        now,
    )
    .await?;
    commit(ctx, tx).await?;
    Ok(views)
}

/// Removes a participant (the thread's creator), or leaves (oneself).
pub async fn remove_participant(
    ctx: &Ctx,
    client: &Client,
    principal: &Principal,
    id: &str,
    who: &ParticipantRef,
) -> AppResult<()> {
    let me = me(principal)?;
    let user_id = me.user_id.to_string();
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    let t = manageable(&mut tx, &user_id, id).await?;
    if t.kind == "direct" {
        return Err(AppError::Forbidden);
    }
    let leaving = who.kind == "user" && who.id == user_id;
    if !leaving && t.created_by != user_id {
        return Err(AppError::Forbidden);
    }
    if who.kind == "team" && t.channel_id.is_some() && is_author_team(&mut tx, &t, &who.id).await? {
        return Err(AppError::Conflict("author-team"));
    }
    if !store::remove_participant(&mut tx, id, &who.kind, &who.id).await? {
        return Err(AppError::NotFound);
    }
    if who.kind == "team" {
        cercle_store::teams::clear_triage(&mut tx, id, &who.id).await?;
    }
    let views = participant_views(&mut tx, id).await?;
    log_event(ctx, &mut tx, id, "participants", &views, now).await?;
    let name = if leaving {
        "thread.left"
    } else {
        "thread.participant_removed"
    };
    audit::record(
        &mut tx,
        event_for(me, &t, name, AuditAction::Update, client).scope("participant", &who.id),
        now,
    )
    .await?;
    commit(ctx, tx).await?;
    Ok(())
}

/// Closes (read-only) or reopens a thread.
pub async fn set_closed(ctx: &Ctx, client: &Client, principal: &Principal, id: &str, closed: bool) -> AppResult<()> {
    let me = me(principal)?;
    let user_id = me.user_id.to_string();
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    let t = manageable(&mut tx, &user_id, id).await?;
    if t.closed_at.is_some() == closed {
        return Err(AppError::Conflict(if closed { "thread-closed" } else { "thread-open" }));
    }
    store::set_closed(&mut tx, id, closed.then_some((user_id.as_str(), now))).await?;
    let data = serde_json::json!({ "closed": closed, "by": user_id, "at": now.0 });
    log_event(ctx, &mut tx, id, "thread_state", &data, now).await?;
    let name = if closed { "thread.closed" } else { "thread.reopened" };
    audit::record(&mut tx, event_for(me, &t, name, AuditAction::Update, client), now).await?;
    commit(ctx, tx).await?;
    Ok(())
}

pub async fn set_priority(ctx: &Ctx, client: &Client, principal: &Principal, id: &str, high: bool) -> AppResult<()> {
    let me = me(principal)?;
    let user_id = me.user_id.to_string();
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    let t = manageable(&mut tx, &user_id, id).await?;
    open(&t)?;
    store::set_priority(&mut tx, id, high).await?;
    log_event(
        ctx,
        &mut tx,
        id,
        "thread_state",
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
    id: &str,
    lang: Language,
) -> AppResult<ThreadView> {
    let me = me(principal)?;
    let user_id = me.user_id.to_string();
    let (t, participants) = {
        let mut conn = ctx.store.reader().await?;
        let t = manageable(&mut conn, &user_id, id).await?;
        (t, store::participants(&mut conn, id).await?)
    };
    if t.kind == "direct" {
        return Err(AppError::Forbidden);
    }
    let input = NewThreadInput {
        kind: t.kind.clone(),
        patient_file_id: t.patient_file_id.clone(),
        title: t.title.clone(),
        participants: participants
            .into_iter()
            .filter(|(k, pid)| !(k == "user" && *pid == user_id))
            .map(|(kind, id)| ParticipantRef { kind, id })
            .collect(),
        high_priority: t.high_priority,
    };
    let text = SystemText::stored(t.title_text.as_deref());
    create_titled(ctx, client, principal, &input, text.as_ref(), lang).await
}

/// Saves one's draft (empty clears it); restored on any device.
pub async fn save_draft(ctx: &Ctx, principal: &Principal, id: &str, body: &str) -> AppResult<()> {
    let me = me(principal)?;
    let user_id = me.user_id.to_string();
    if body.chars().count() > MAX_MESSAGE_CHARS {
        return Err(InputError::MessageTooLong.into());
    }
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    let t = writable(&mut tx, &user_id, id).await?;
    open(&t)?;
    store::save_draft(&mut tx, id, &user_id, body, now).await?;
    tx.commit().await?;
    Ok(())
}

/// Marks the thread read up to `seq` (the latest when none).
pub async fn mark_read(ctx: &Ctx, principal: &Principal, id: &str, seq: Option<i64>) -> AppResult<()> {
    let me = me(principal)?;
    let user_id = me.user_id.to_string();
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    let t = reachable(&mut tx, &user_id, id).await?;
    let upto = seq.unwrap_or(t.last_seq).clamp(0, t.last_seq);
    let mut notifications_read = 0;
    if upto == t.last_seq {
        notifications_read = cercle_store::notifications::mark_thread_read(&mut tx, &user_id, id, now).await?;
    }
    if store::mark_read(&mut tx, id, &user_id, upto, now).await? {
        log_event(
            ctx,
            &mut tx,
            id,
            "read",
            &serde_json::json!({ "user_id": user_id, "seq": upto }),
            now,
        )
        .await?;
    }
    commit(ctx, tx).await?;
    if notifications_read > 0 {
        crate::notifications::announce_alone(ctx, &user_id).await?;
    }
    Ok(())
}

pub async fn mark_unread(ctx: &Ctx, principal: &Principal, id: &str) -> AppResult<()> {
    let me = me(principal)?;
    let user_id = me.user_id.to_string();
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    reachable(&mut tx, &user_id, id).await?;
    store::mark_unread(&mut tx, id, &user_id, now).await?;
    tx.commit().await?;
    Ok(())
}

/// Acknowledges a high-priority message.
pub async fn acknowledge(ctx: &Ctx, client: &Client, principal: &Principal, message_id: &str) -> AppResult<()> {
    let me = me(principal)?;
    let user_id = me.user_id.to_string();
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    let m = store::message(&mut tx, message_id).await?.ok_or(AppError::NotFound)?;
    let t = reachable(&mut tx, &user_id, &m.thread_id).await?;
    if !m.priority {
        return Err(AppError::Conflict("not-priority"));
    }
    if store::ack(&mut tx, message_id, &user_id, now).await? {
        let data = serde_json::json!({ "message_id": message_id, "user_id": user_id, "at": now.0 });
        log_event(ctx, &mut tx, &t.id, "ack", &data, now).await?;
        audit::record(
            &mut tx,
            event_for(me, &t, "thread.message_acknowledged", AuditAction::Update, client).scope("message", message_id),
            now,
        )
        .await?;
    }
    commit(ctx, tx).await?;
    Ok(())
}

/// "Someone is typing": reaches the other participants' open tabs, not stored.
pub async fn typing(ctx: &Ctx, principal: &Principal, id: &str) -> AppResult<()> {
    let me = me(principal)?;
    let user_id = me.user_id.to_string();
    let name = {
        let mut conn = ctx.store.reader().await?;
        let t = writable(&mut conn, &user_id, id).await?;
        open(&t)?;
        users::get(&mut conn, &user_id).await?.name
    };
    hub::publish_ephemeral(
        ctx,
        Event {
            id: None,
            thread_id: id.to_string(),
            kind: "typing".into(),
            data: serde_json::json!({ "user_id": user_id, "name": name }),
        },
    )
    .await
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FoundMessage {
    pub thread_id: String,
    pub thread_title: String,
    pub message_id: String,
    pub seq: i64,
    pub excerpt: String,
    pub created_at: i64,
}

/// Searches the messages of the threads one may see (accent-insensitive).
pub async fn search(ctx: &Ctx, principal: &Principal, q: &str, lang: Language) -> AppResult<Vec<FoundMessage>> {
    let me = me(principal)?;
    let words = crate::network::search::query_words(q)?;
    let mut threads = list(ctx, principal, false, lang).await?;
    threads.extend(list(ctx, principal, true, lang).await?);
    let titles: HashMap<String, String> = threads.iter().map(|t| (t.id.clone(), t.title.clone())).collect();
    let ids: Vec<String> = threads.into_iter().map(|t| t.id).collect();
    crate::network::limit(ctx, "thread-search", &me.user_id.to_string(), 60, 60).await?;
    let mut conn = ctx.store.reader().await?;
    let rows = store::search_messages(&mut conn, &ids, &words, 50).await?;
    Ok(rows
        .into_iter()
        .map(|m| FoundMessage {
            thread_title: titles.get(&m.thread_id).cloned().unwrap_or_default(),
            thread_id: m.thread_id,
            message_id: m.id,
            seq: m.seq,
            excerpt: m.body.chars().take(200).collect(),
            created_at: m.created_at,
        })
        .collect())
}

/// The events of threads the person may see, after `since` (catching up).
pub async fn events_since(ctx: &Ctx, user_id: &str, since: i64, limit: i64) -> AppResult<(Vec<Event>, i64)> {
    let events = hub::logged_after(ctx, since, limit).await?;
    let last = events.last().and_then(|e| e.id).unwrap_or(since);
    let mut cache: HashMap<String, bool> = HashMap::new();
    let mut out = Vec::new();
    // Changes of one's notifications: only the latest of the batch counts
    // (the stream sends the state at that moment), and never another's.
    let latest_mine = events
        .iter()
        .rev()
        .find(|e| crate::notifications::live_concerns(e, user_id) == Some(true))
        .and_then(|e| e.id);
    for e in events {
        if crate::notifications::live_concerns(&e, user_id).is_some() {
            if e.id.is_some() && e.id == latest_mine {
                out.push(Event {
                    id: e.id,
                    thread_id: String::new(),
                    kind: e.kind,
                    data: serde_json::Value::Null,
                });
            }
            continue;
        }
        let visible = match cache.get(&e.thread_id) {
            Some(v) => *v,
            None => {
                let v = may_receive(ctx, user_id, &e.thread_id).await?;
                cache.insert(e.thread_id.clone(), v);
                v
            }
        };
        if visible {
            out.push(e);
        }
    }
    Ok((out, last))
}

/// The organization a thread belongs to, for labels.
pub async fn org_name(ctx: &Ctx, org_id: &str) -> AppResult<Option<String>> {
    let mut conn = ctx.store.reader().await?;
    Ok(orgs::org_by_id(&mut conn, org_id).await?.map(|o| o.name))
}

/// In a care channel's thread, the author's team: a team its author
/// reaches as team manager (a team of their unit or a unit below; the same
/// rule that makes a team's discussions theirs, [`store::teams_managed`]).
/// It cannot be removed from the thread (SPEC 5).
pub(crate) async fn is_author_team(conn: &mut Conn, t: &ThreadRow, team_id: &str) -> AppResult<bool> {
    Ok(store::teams_managed(&mut *conn, &t.created_by)
        .await?
        .iter()
        .any(|id| id == team_id))
}
