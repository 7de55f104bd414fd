//! Care channels (SPEC 5): opened from a patient file, the only place where
//! professionals talk with the patient and their caregivers.
//!
//! - A channel is created from a file one may view (not archived): a title
//!   (the patient sees it as the name of their care team) and participants
//!   — people one may see (the rule of thread participants), teams of the
//!   file's organization, members of THIS file's circle. It is a draft only
//!   its creator sees until its first message.
//! - Professionals reach a channel while its organization is their active
//!   one and they (or a team they manage) take part; joined members of the
//!   circle reach the started channels they were added to, whatever
//!   organization is active. Anyone else: "not found".
//! - Participants see every thread of the channel (the thread kernel,
//!   `cercle_store::threads::reach`). A thread opened in a channel starts
//!   with the channel's teams and its author in person.
//! - Professionals of the channel add and remove professionals and teams;
//!   members of the circle are added and removed only by those who manage
//!   the patient's circle (`ManagePatientCircle`), at creation too.
//!   Observers read and never write (403).
//!
//! Every read, list and change is audited with the patient.
//!
//! Among the thread modules this one stands only on the kernel
//! (`threads::access`, `threads::events`) and the leaf shapes and checks
//! (`threads::views`, `threads::input`). What also needs messages, read
//! state or live connections (a channel's first thread with its message,
//! telling connections of lost access) is composed above it, in
//! `crate::threads::care_channels`, which nothing here imports back.

use crate::acting::person as me;
use crate::patients::files;
use crate::texts::SystemText;
use crate::threads::events::log_event;
use crate::threads::input::{clean_title_within, folded, MAX_TITLE_CHARS};
use crate::threads::views::{ListedThread, ParticipantRef};
use crate::{audit, AppError, AppResult, Client, Ctx};
use cercle_domain::audit::{Actor, AuditAction, NewAuditEvent};
use cercle_domain::circle::{ChannelParticipantKind, CircleSection, MemberState};
use cercle_domain::events::EventKind;
use cercle_domain::policy::network::may_view_profile;
use cercle_domain::policy::{Principal, UserPrincipal};
use cercle_domain::{ChannelId, Language, OrgId, PatientFileId, ThreadId, Timestamp, UserId};
use cercle_store::channels::{self as store, ChannelRow};
use cercle_store::threads::{self as threads_store, NewThread, Participant};
use cercle_store::{circle, members, network, orgs, users, Conn};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Longest channel title (the name of the patient's care team).
pub const MAX_CHANNEL_TITLE: usize = 120;
/// Most participants given at once.
pub const MAX_PARTICIPANTS: usize = 100;
/// Care channels one person may create per day.
pub const CHANNELS_PER_DAY: i64 = 200;

/// How a person reaches a channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChannelRole {
    /// A professional taking part (in person or through a team they manage).
    Professional,
    /// A joined member of the patient's circle; observers read only.
    Circle { observer: bool },
}

/// The channel, if the person reaches it, and how.
pub(crate) async fn access(
    conn: &mut Conn,
    user_id: UserId,
    channel_id: ChannelId,
) -> AppResult<(ChannelRow, ChannelRole)> {
    let c = store::channel(&mut *conn, channel_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let user = user_id.to_string();
    if users::active_org(&mut *conn, &user).await?.as_deref() == Some(c.org_id.as_str())
        && members::is_member(&mut *conn, c.org_id.parse()?, user_id).await?
        && (c.started_at.is_some() || c.created_by == user_id)
    {
        let teams = threads_store::teams_managed(&mut *conn, user_id).await?;
        if store::professional_takes_part(&mut *conn, c.id, user_id, &teams).await? {
            return Ok((c, ChannelRole::Professional));
        }
    }
    if c.started_at.is_some() {
        let sections = store::circle_sections(&mut *conn, c.id, user_id).await?;
        if !sections.is_empty() {
            let observer = sections.iter().all(|s| *s == CircleSection::Observer);
            return Ok((c, ChannelRole::Circle { observer }));
        }
    }
    Err(AppError::NotFound)
}

/// The channel, for a professional taking part (the circle: 403).
async fn professional(conn: &mut Conn, user_id: UserId, channel_id: ChannelId) -> AppResult<ChannelRow> {
    match access(conn, user_id, channel_id).await? {
        (c, ChannelRole::Professional) => Ok(c),
        _ => Err(AppError::Forbidden),
    }
}

pub(crate) fn event(
    me: &UserPrincipal,
    c: &ChannelRow,
    name: &'static str,
    action: AuditAction,
    client: &Client,
) -> NewAuditEvent {
    let mut ev = NewAuditEvent::new(Actor::User(me.user_id), name, action, "channel")
        .target(c.id)
        .scope("patient", c.patient_file_id)
        .ip(client.ip.clone());
    ev.org_id = Some(c.org_id.clone());
    ev
}

fn clean_channel_title(raw: &str) -> AppResult<String> {
    clean_title_within(raw, MAX_CHANNEL_TITLE)
}

// ---- Views ------------------------------------------------------------------------

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ChannelParticipant {
    /// user | team | circle
    pub kind: String,
    pub id: String,
    pub name: String,
    /// Circle members: patient | responsible | observer.
    pub section: Option<String>,
    /// Circle members: preallocated | invited | joined | cancelled | expired | locked.
    pub state: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Channel {
    pub id: String,
    pub patient_file_id: String,
    pub org_id: String,
    /// For the patient and caregivers: the name of their care team.
    pub title: String,
    pub created_by: String,
    pub created_at: i64,
    pub started_at: Option<i64>,
    /// Not started yet: only its creator sees it.
    pub draft: bool,
    pub participants: Vec<ChannelParticipant>,
    /// professional | circle
    pub role: String,
    /// A member of the circle who reads only.
    pub observer: bool,
    /// May add and remove professionals and teams, pin and update documents.
    pub may_manage: bool,
    /// May add and remove members of the patient's circle.
    pub may_manage_circle: bool,
    /// The patient's name (professionals only).
    pub patient_name: Option<String>,
    /// Unread messages over the channel's open threads.
    pub unread: i64,
}

async fn participant_views(conn: &mut Conn, channel_id: ChannelId) -> AppResult<Vec<ChannelParticipant>> {
    let list = store::participants(&mut *conn, channel_id).await?;
    let user_ids: Vec<String> = list
        .iter()
        .filter(|(k, _)| *k == ChannelParticipantKind::User)
        .map(|(_, id)| id.clone())
        .collect();
    let names: HashMap<String, String> = network::names(&mut *conn, &user_ids).await?.into_iter().collect();
    let circle: HashMap<String, store::CircleParticipant> = store::circle_participants(&mut *conn, channel_id)
        .await?
        .into_iter()
        .map(|c| (c.member_id.to_string(), c))
        .collect();
    let mut out = Vec::new();
    for (kind, id) in list {
        let p = match kind {
            ChannelParticipantKind::User => ChannelParticipant {
                name: names.get(&id).cloned().unwrap_or_default(),
                kind: kind.as_str().into(),
                id,
                section: None,
                state: None,
            },
            ChannelParticipantKind::Team => ChannelParticipant {
                name: orgs::team_by_id(&mut *conn, id.parse()?)
                    .await?
                    .map(|t| t.name)
                    .unwrap_or_default(),
                kind: kind.as_str().into(),
                id,
                section: None,
                state: None,
            },
            ChannelParticipantKind::Circle => match circle.get(&id) {
                Some(m) => ChannelParticipant {
                    name: format!("{} {}", m.first_name, m.last_name),
                    section: Some(m.section.as_str().into()),
                    state: Some(m.state.as_str().into()),
                    kind: kind.as_str().into(),
                    id,
                },
                None => continue,
            },
        };
        out.push(p);
    }
    Ok(out)
}

async fn view_of(conn: &mut Conn, user_id: UserId, c: ChannelRow, role: ChannelRole) -> AppResult<Channel> {
    let participants = participant_views(&mut *conn, c.id).await?;
    let (may_manage_circle, patient_name) = match role {
        ChannelRole::Professional => match files::viewable(&mut *conn, user_id, c.patient_file_id).await {
            Ok(a) => (
                a.may_manage_circle,
                Some(format!("{} {}", a.file.first_name, a.file.last_name)),
            ),
            Err(AppError::NotFound) => (false, None),
            Err(e) => return Err(e),
        },
        ChannelRole::Circle { .. } => (false, None),
    };
    let unread = store::threads_of_channel(&mut *conn, c.id, user_id, false, 500)
        .await?
        .iter()
        .map(|t| t.unread)
        .sum();
    Ok(Channel {
        draft: c.started_at.is_none(),
        id: c.id.to_string(),
        patient_file_id: c.patient_file_id.to_string(),
        org_id: c.org_id,
        title: c.title,
        created_by: c.created_by.to_string(),
        created_at: c.created_at,
        started_at: c.started_at,
        participants,
        role: match role {
            ChannelRole::Professional => "professional".into(),
            ChannelRole::Circle { .. } => "circle".into(),
        },
        observer: matches!(role, ChannelRole::Circle { observer: true }),
        may_manage: role == ChannelRole::Professional,
        may_manage_circle,
        patient_name,
        unread,
    })
}

// ---- Participants checks ------------------------------------------------------------

/// Checks the participants to add to a channel of `file_id` in `org_id`:
/// people the adder may see, teams of the organization, members of this
/// file's circle (not cancelled; only for those who manage the circle).
async fn check_participants(
    conn: &mut Conn,
    adder: UserId,
    org_id: &str,
    file_id: PatientFileId,
    may_manage_circle: bool,
    list: &[ParticipantRef],
) -> AppResult<()> {
    if list.len() > MAX_PARTICIPANTS {
        return Err(AppError::Conflict("too-many-participants"));
    }
    for p in list {
        match participant_kind(p)? {
            ChannelParticipantKind::User => {
                let rel = crate::network::people::relation(&mut *conn, adder.to_string().parse()?, p.id.parse()?)
                    .await?
                    .ok_or(AppError::NotFound)?;
                if !may_view_profile(&rel) {
                    return Err(AppError::NotFound);
                }
            }
            ChannelParticipantKind::Team => {
                let team = orgs::team_in(&mut *conn, org_id.parse()?, p.id.parse()?)
                    .await?
                    .ok_or(AppError::NotFound)?;
                if team.archived_at.is_some() {
                    return Err(AppError::NotFound);
                }
            }
            ChannelParticipantKind::Circle => {
                let m = circle::member(&mut *conn, p.id.parse()?)
                    .await?
                    .ok_or(AppError::NotFound)?;
                if m.patient_file_id != file_id {
                    return Err(AppError::NotFound);
                }
                if !may_manage_circle {
                    return Err(AppError::Forbidden);
                }
                if m.state == MemberState::Cancelled {
                    return Err(AppError::Conflict("circle-member-cancelled"));
                }
            }
        }
    }
    Ok(())
}

/// The kind of a participant as given; one no channel has is "not found".
fn participant_kind(p: &ParticipantRef) -> AppResult<ChannelParticipantKind> {
    p.kind.parse().map_err(|_| AppError::NotFound)
}

// ---- Use cases ----------------------------------------------------------------------

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NewChannel {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub participants: Vec<ParticipantRef>,
}

/// Creates a channel (a draft until its first message) from a patient
/// file one may view; the creator takes part.
pub async fn create(
    ctx: &Ctx,
    client: &Client,
    principal: &Principal,
    file_id: PatientFileId,
    input: &NewChannel,
) -> AppResult<Channel> {
    let me = me(principal)?;
    if me.circle_only {
        return Err(AppError::NotFound);
    }
    let user_id = me.user_id;
    let title = clean_channel_title(&input.title)?;
    crate::acting::limit(ctx, "channel-create", &user_id.to_string(), CHANNELS_PER_DAY, 24 * 3600).await?;
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    let file = files::viewable(&mut tx, user_id, file_id).await?;
    file.require_open()?;
    let mut list: Vec<ParticipantRef> = Vec::new();
    for p in &input.participants {
        let oneself = p.kind == "user" && p.id == user_id.to_string();
        if !oneself && !list.contains(p) {
            list.push(p.clone());
        }
    }
    check_participants(
        &mut tx,
        user_id,
        &file.file.org_id,
        file.file.id,
        file.may_manage_circle,
        &list,
    )
    .await?;
    let c = ChannelRow {
        id: ChannelId::new(),
        patient_file_id: file.file.id,
        org_id: file.file.org_id.clone(),
        title,
        created_by: user_id,
        created_at: now.0,
        started_at: None,
    };
    store::insert_channel(&mut tx, &c).await?;
    store::add_participant(
        &mut tx,
        c.id,
        ChannelParticipantKind::User,
        &user_id.to_string(),
        Some(user_id),
        now,
    )
    .await?;
    for p in &list {
        store::add_participant(&mut tx, c.id, participant_kind(p)?, &p.id, Some(user_id), now).await?;
    }
    audit::record(
        &mut tx,
        event(me, &c, "channel.created", AuditAction::Create, client),
        now,
    )
    .await?;
    let view = view_of(&mut tx, user_id, c, ChannelRole::Professional).await?;
    tx.commit().await?;
    Ok(view)
}

/// The channels of a patient file one reaches (one's drafts included).
pub async fn list_of_file(
    ctx: &Ctx,
    client: &Client,
    principal: &Principal,
    file_id: PatientFileId,
) -> AppResult<Vec<Channel>> {
    let me = me(principal)?;
    let user_id = me.user_id;
    let mut conn = ctx.store.reader().await?;
    let file = files::viewable(&mut conn, user_id, file_id).await?;
    let teams = threads_store::teams_managed(&mut conn, user_id).await?;
    let org_id: OrgId = file.file.org_id.parse()?;
    let rows = store::channels_of_professional(&mut conn, user_id, &teams, org_id, Some(file_id)).await?;
    let mut out = Vec::new();
    for c in rows {
        out.push(view_of(&mut conn, user_id, c, ChannelRole::Professional).await?);
    }
    drop(conn);
    let mut ev = NewAuditEvent::new(Actor::User(me.user_id), "channel.listed", AuditAction::List, "channel")
        .in_unit(&file.file.org_id, &file.file.unit_id)
        .scope("patient", file_id)
        .ip(client.ip.clone());
    ev.org_id = Some(file.file.org_id.clone());
    audit::record_alone(ctx, ev).await?;
    Ok(out)
}

/// One's channels: a professional's in the active organization (drafts
/// included); a patient's or caregiver's care teams (started channels they
/// were added to as joined members of the circle).
pub async fn mine(ctx: &Ctx, client: &Client, principal: &Principal) -> AppResult<Vec<Channel>> {
    let me = me(principal)?;
    let user_id = me.user_id;
    let mut conn = ctx.store.reader().await?;
    let mut rows: Vec<(ChannelRow, ChannelRole)> = Vec::new();
    if !me.circle_only {
        let user = user_id.to_string();
        if let Some(org) = users::active_org(&mut conn, &user).await? {
            if members::is_member(&mut conn, org.parse()?, me.user_id).await? {
                let teams = threads_store::teams_managed(&mut conn, user_id).await?;
                for c in store::channels_of_professional(&mut conn, user_id, &teams, org.parse()?, None).await? {
                    rows.push((c, ChannelRole::Professional));
                }
            }
        }
    }
    for c in store::channels_of_circle_user(&mut conn, user_id).await? {
        if rows.iter().any(|(r, _)| r.id == c.id) {
            continue;
        }
        let sections = store::circle_sections(&mut conn, c.id, user_id).await?;
        let observer = sections.iter().all(|s| *s == CircleSection::Observer);
        rows.push((c, ChannelRole::Circle { observer }));
    }
    let mut out = Vec::new();
    let mut patients: Vec<(PatientFileId, String)> = Vec::new();
    for (c, role) in rows {
        if !patients.iter().any(|(p, _)| *p == c.patient_file_id) {
            patients.push((c.patient_file_id, c.org_id.clone()));
        }
        out.push(view_of(&mut conn, user_id, c, role).await?);
    }
    drop(conn);
    for (patient, org) in patients {
        let mut ev = NewAuditEvent::new(Actor::User(me.user_id), "channel.listed", AuditAction::List, "channel")
            .scope("patient", patient)
            .ip(client.ip.clone());
        ev.org_id = Some(org);
        audit::record_alone(ctx, ev).await?;
    }
    Ok(out)
}

/// A channel with its participants (audited read).
pub async fn show(ctx: &Ctx, client: &Client, principal: &Principal, id: ChannelId) -> AppResult<Channel> {
    let me = me(principal)?;
    let user_id = me.user_id;
    let mut conn = ctx.store.reader().await?;
    let (c, role) = access(&mut conn, user_id, id).await?;
    let ev = event(me, &c, "channel.read", AuditAction::Read, client);
    let view = view_of(&mut conn, user_id, c, role).await?;
    drop(conn);
    audit::record_alone(ctx, ev).await?;
    Ok(view)
}

/// Adds a professional, a team or (managers of the circle) a member of the
/// patient's circle. Adding someone already there changes nothing.
pub async fn add_participant(
    ctx: &Ctx,
    client: &Client,
    principal: &Principal,
    id: ChannelId,
    who: &ParticipantRef,
) -> AppResult<Channel> {
    let me = me(principal)?;
    let user_id = me.user_id;
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    let c = professional(&mut tx, user_id, id).await?;
    let file = files::viewable(&mut tx, user_id, c.patient_file_id).await?;
    file.require_open()?;
    check_participants(
        &mut tx,
        user_id,
        &c.org_id,
        c.patient_file_id,
        file.may_manage_circle,
        std::slice::from_ref(who),
    )
    .await?;
    if store::add_participant(&mut tx, c.id, participant_kind(who)?, &who.id, Some(user_id), now).await? {
        audit::record(
            &mut tx,
            event(me, &c, "channel.participant_added", AuditAction::Update, client).scope("participant", &who.id),
            now,
        )
        .await?;
    }
    let view = view_of(&mut tx, user_id, c, ChannelRole::Professional).await?;
    tx.commit().await?;
    Ok(view)
}

/// A participant removed: the channel as the remover now sees it, and the
/// people who may have lost their way to the channel's threads (their open
/// connections must look again; see `threads::care_channels`).
#[derive(Debug, Clone)]
pub struct Removed {
    pub channel: Channel,
    pub lost_access: Vec<String>,
}

/// Removes a participant (members of the circle: managers of the circle
/// only). Callers tell the open connections of `lost_access`
/// (`threads::care_channels::remove_participant` does).
pub async fn remove_participant(
    ctx: &Ctx,
    client: &Client,
    principal: &Principal,
    id: ChannelId,
    who: &ParticipantRef,
) -> AppResult<Removed> {
    let me = me(principal)?;
    let user_id = me.user_id;
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    let c = professional(&mut tx, user_id, id).await?;
    let kind = participant_kind(who)?;
    if kind == ChannelParticipantKind::Circle {
        let file = files::viewable(&mut tx, user_id, c.patient_file_id).await?;
        if !file.may_manage_circle {
            return Err(AppError::Forbidden);
        }
    }
    if !store::remove_participant(&mut tx, c.id, kind, &who.id).await? {
        return Err(AppError::NotFound);
    }
    audit::record(
        &mut tx,
        event(me, &c, "channel.participant_removed", AuditAction::Update, client).scope("participant", &who.id),
        now,
    )
    .await?;
    // Removing oneself may end one's access: the view is then not shown.
    let view = match access(&mut tx, user_id, id).await {
        Ok((c, role)) => view_of(&mut tx, user_id, c, role).await?,
        Err(_) => {
            let mut v = view_of(&mut tx, user_id, c, ChannelRole::Professional).await?;
            v.may_manage = false;
            v
        }
    };
    // Who stops reaching the channel's threads: their open connections look again.
    let removed: Vec<String> = match kind {
        ChannelParticipantKind::User => vec![who.id.clone()],
        ChannelParticipantKind::Team => cercle_store::teams::members(&mut tx, who.id.parse()?)
            .await?
            .into_iter()
            .map(|m| m.user_id.to_string())
            .collect(),
        ChannelParticipantKind::Circle => cercle_store::circle::member(&mut tx, who.id.parse()?)
            .await?
            .and_then(|m| m.user_id)
            .map(String::from)
            .into_iter()
            .collect(),
    };
    tx.commit().await?;
    Ok(Removed {
        channel: view,
        lost_access: removed,
    })
}

/// The channel's threads, open or closed (audited list).
pub async fn threads(
    ctx: &Ctx,
    client: &Client,
    principal: &Principal,
    id: ChannelId,
    closed: bool,
    lang: Language,
) -> AppResult<Vec<ListedThread>> {
    let me = me(principal)?;
    let user_id = me.user_id;
    let mut conn = ctx.store.reader().await?;
    let (c, _) = access(&mut conn, user_id, id).await?;
    let rows = store::threads_of_channel(&mut conn, c.id, user_id, closed, 200).await?;
    drop(conn);
    audit::record_alone(ctx, event(me, &c, "channel.threads_listed", AuditAction::List, client)).await?;
    Ok(rows.into_iter().map(|l| ListedThread::of(l, lang)).collect())
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NewChannelThread {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub high_priority: bool,
}

/// Opens a thread in a channel (in the caller's transaction): clinical, on
/// the channel's patient, with the channel's teams and the author in person
/// (a professional; the circle reaches it through the channel), and logs
/// its creation. The first message marks the channel started. A title
/// Cercle writes comes with its system text, shown in each reader's
/// language (and searchable in each).
#[allow(clippy::too_many_arguments)]
pub(crate) async fn open_thread(
    ctx: &Ctx,
    tx: &mut Conn,
    c: &ChannelRow,
    role: ChannelRole,
    user_id: UserId,
    title: &str,
    text: Option<&SystemText>,
    high_priority: bool,
    now: Timestamp,
) -> AppResult<threads_store::ThreadRow> {
    let id = cercle_domain::ThreadId::new();
    threads_store::insert_thread(
        &mut *tx,
        &NewThread {
            id,
            kind: cercle_domain::threads::ThreadKind::Clinical,
            org_id: Some(c.org_id.parse()?),
            patient_file_id: Some(c.patient_file_id),
            title,
            title_text: text.map(SystemText::to_json).as_deref(),
            folded_title: &text.map_or_else(|| folded(title), |x| x.folded_all(MAX_TITLE_CHARS)),
            high_priority,
            created_by: user_id,
            direct_key: None,
            channel_id: Some(c.id),
        },
        now,
    )
    .await?;
    if role == ChannelRole::Professional {
        threads_store::add_participant(&mut *tx, id, Participant::User(user_id), Some(user_id), now).await?;
    }
    for (kind, pid) in store::participants(&mut *tx, c.id).await? {
        if kind == ChannelParticipantKind::Team {
            let team = Participant::Team(pid.parse()?);
            threads_store::add_participant(&mut *tx, id, team, Some(user_id), now).await?;
        }
    }
    log_event(
        ctx,
        &mut *tx,
        id,
        EventKind::ThreadCreated,
        &serde_json::json!({ "title": title, "title_text": text, "channel_id": c.id }),
        now,
    )
    .await?;
    store::set_started(&mut *tx, c.id, now).await?;
    threads_store::thread(&mut *tx, id).await?.ok_or(AppError::NotFound)
}

/// Refuses new threads in a channel of an archived file.
pub(crate) async fn require_open_file(conn: &mut Conn, c: &ChannelRow) -> AppResult<()> {
    match cercle_store::patients::get(&mut *conn, c.patient_file_id).await? {
        Some(f) => files::require_open(&f),
        None => Err(AppError::NotFound),
    }
}

// ---- What the pages need ------------------------------------------------------------

/// A member of the file's circle one may add to a channel.
#[derive(Debug, Clone, Serialize)]
pub struct CircleChoice {
    pub id: String,
    pub name: String,
    /// patient | responsible | observer
    pub section: String,
    pub state: String,
}

/// The members of a file's circle (not cancelled), for the channel pickers
/// of those who manage the circle; empty for anyone else.
pub async fn circle_choices(ctx: &Ctx, principal: &Principal, file_id: PatientFileId) -> AppResult<Vec<CircleChoice>> {
    let me = me(principal)?;
    let user_id = me.user_id;
    let mut conn = ctx.store.reader().await?;
    let file = files::viewable(&mut conn, user_id, file_id).await?;
    if !file.may_manage_circle {
        return Ok(Vec::new());
    }
    Ok(circle::members_of(&mut conn, file_id)
        .await?
        .into_iter()
        .filter(|m| m.state != MemberState::Cancelled)
        .map(|m| CircleChoice {
            name: format!("{} {}", m.first_name, m.last_name),
            id: m.id.to_string(),
            section: m.section.as_str().into(),
            state: m.state.as_str().into(),
        })
        .collect())
}

/// Where a thread sits for the person: its care channel, and whether they
/// reach it as a member of the patient's circle (and then as an observer).
#[derive(Debug, Clone, Default)]
pub struct ThreadPlace {
    pub channel_id: Option<String>,
    /// `Some(observer)` for a member of the circle.
    pub circle: Option<bool>,
}

pub async fn thread_place(ctx: &Ctx, principal: &Principal, thread_id: ThreadId) -> AppResult<ThreadPlace> {
    me(principal)?;
    // The one door of thread actions: a thread one does not reach has no place.
    let (t, reach) = match crate::threads::access::reachable_by_id(ctx, principal, thread_id).await {
        Ok(found) => found,
        Err(AppError::NotFound) => return Ok(ThreadPlace::default()),
        Err(e) => return Err(e),
    };
    let circle = match reach {
        threads_store::Reach::Circle { observer } => Some(observer),
        _ => None,
    };
    Ok(ThreadPlace {
        channel_id: t.channel_id.map(String::from),
        circle,
    })
}
