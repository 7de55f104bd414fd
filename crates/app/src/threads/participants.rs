//! Who takes part in a thread: the list as shown (with the care channel's
//! people and teams), adding people or teams, removing one or leaving.

use super::access::{is_author_team, manageable, me, open};
use super::events::{commit, event_for, log_event};
use super::input::MAX_PARTICIPANTS;
use super::triage::on_participants_added;
use super::views::{ParticipantRef, ParticipantView};
use crate::network::people::relation;
use crate::{audit, AppError, AppResult, Client, Ctx};
use cercle_domain::audit::AuditAction;
use cercle_domain::circle::MemberState;
use cercle_domain::events::EventKind;
use cercle_domain::policy::network::may_view_profile;
use cercle_domain::policy::Principal;
use cercle_domain::threads::ParticipantKind;
use cercle_domain::{ChannelId, OrgId, ThreadId, UserId};
use cercle_store::threads::{self as store, Participant};
use cercle_store::{network, orgs, Conn};
use std::collections::HashMap;

/// The participant a reference names, if a thread can hold it: a text
/// that is no id, or a kind a thread cannot hold, names no one.
pub(crate) fn participant(p: &ParticipantRef) -> Option<Participant> {
    Participant::parse(p.kind.parse().ok()?, &p.id)
}

/// Checks the people and teams to add: people one may see, teams of the
/// thread's organization. Returns them, typed.
pub(crate) async fn check_participants(
    conn: &mut Conn,
    adder: UserId,
    org_id: Option<OrgId>,
    list: &[ParticipantRef],
) -> AppResult<Vec<Participant>> {
    if list.len() > MAX_PARTICIPANTS {
        return Err(AppError::Conflict("too-many-participants"));
    }
    let mut out = Vec::with_capacity(list.len());
    for p in list {
        // A kind a thread cannot hold names nothing one can add.
        let who = participant(p).ok_or(AppError::NotFound)?;
        match who {
            Participant::User(user) => {
                let rel = relation(&mut *conn, adder, user).await?.ok_or(AppError::NotFound)?;
                if !may_view_profile(&rel) {
                    return Err(AppError::NotFound);
                }
            }
            Participant::Team(team) => {
                let Some(org) = org_id else {
                    return Err(AppError::NotFound);
                };
                orgs::team_in(&mut *conn, org, team).await?.ok_or(AppError::NotFound)?;
            }
        }
        out.push(who);
    }
    Ok(out)
}

pub(crate) async fn participant_views(conn: &mut Conn, thread_id: ThreadId) -> AppResult<Vec<ParticipantView>> {
    let list = store::participants(&mut *conn, thread_id).await?;
    let user_ids: Vec<String> = list
        .iter()
        .filter_map(|p| match p {
            Participant::User(id) => Some(id.to_string()),
            Participant::Team(_) => None,
        })
        .collect();
    let names: HashMap<String, String> = network::names(&mut *conn, &user_ids).await?.into_iter().collect();
    let mut out = Vec::new();
    for who in list {
        let id = who.id();
        let name = match who {
            Participant::User(_) => names.get(&id).cloned().unwrap_or_default(),
            Participant::Team(team) => orgs::team_by_id(&mut *conn, team)
                .await?
                .map(|t| t.name)
                .unwrap_or_default(),
        };
        out.push(ParticipantView {
            kind: who.kind(),
            id,
            name,
            via_channel: false,
            section: None,
        });
    }
    if let Some(channel) = store::thread(&mut *conn, thread_id).await?.and_then(|t| t.channel_id) {
        channel_participant_views(conn, channel, &mut out).await?;
    }
    Ok(out)
}

/// Adds the people and teams of a thread's care channel (everyone there
/// reads every thread of the channel), and the circle members who joined.
async fn channel_participant_views(
    conn: &mut Conn,
    channel_id: ChannelId,
    out: &mut Vec<ParticipantView>,
) -> AppResult<()> {
    let present =
        |out: &Vec<ParticipantView>, kind: ParticipantKind, id: &str| out.iter().any(|p| p.kind == kind && p.id == id);
    for (kind, id) in cercle_store::channels::participants(&mut *conn, channel_id).await? {
        // The circle's members are listed below, from the circle.
        let kind = match kind.as_str().parse::<ParticipantKind>() {
            Ok(ParticipantKind::Circle) | Err(_) => continue,
            Ok(kind) => kind,
        };
        if present(out, kind, &id) {
            continue;
        }
        let name = if kind == ParticipantKind::User {
            network::names(&mut *conn, std::slice::from_ref(&id))
                .await?
                .pop()
                .map(|(_, n)| n)
                .unwrap_or_default()
        } else {
            orgs::team_by_id(&mut *conn, id.parse()?)
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
        let Some(user_id) = c.user_id.filter(|_| c.state == MemberState::Joined).map(String::from) else {
            continue;
        };
        if present(out, ParticipantKind::User, &user_id) {
            continue;
        }
        out.push(ParticipantView {
            kind: ParticipantKind::User,
            id: user_id,
            name: format!("{} {}", c.first_name, c.last_name),
            via_channel: true,
            section: Some(c.section.as_str().into()),
        });
    }
    Ok(())
}

/// Adds people or teams; they see the whole history.
pub async fn add_participants(
    ctx: &Ctx,
    client: &Client,
    principal: &Principal,
    id: ThreadId,
    list: &[ParticipantRef],
) -> AppResult<Vec<ParticipantView>> {
    let me = me(principal)?;
    let user_id = me.user_id;
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    let t = manageable(&mut tx, user_id, id).await?;
    let id = t.id;
    open(&t)?;
    if t.kind == "direct" {
        return Err(AppError::Forbidden);
    }
    let added = check_participants(&mut tx, user_id, t.org_id, list).await?;
    for p in &added {
        store::add_participant(&mut tx, id, *p, Some(user_id), now).await?;
    }
    on_participants_added(&*ctx.bus, &mut tx, id, t.org_id, &added, user_id, now).await?;
    let views = participant_views(&mut tx, id).await?;
    log_event(ctx, &mut tx, id, EventKind::Participants, &views, now).await?;
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
    id: ThreadId,
    who: &ParticipantRef,
) -> AppResult<()> {
    let me = me(principal)?;
    let user_id = me.user_id;
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    let t = manageable(&mut tx, user_id, id).await?;
    let id = t.id;
    if t.kind == "direct" {
        return Err(AppError::Forbidden);
    }
    // An unknown kind, or a text that is no id, is refused as before:
    // forbidden to others, not found (nothing to remove) to the creator.
    let removed = participant(who);
    let leaving = removed == Some(Participant::User(user_id));
    if !leaving && t.created_by != user_id {
        return Err(AppError::Forbidden);
    }
    if let Some(Participant::Team(team)) = removed {
        if t.channel_id.is_some() && is_author_team(&mut tx, &t, team).await? {
            return Err(AppError::Conflict("author-team"));
        }
    }
    let Some(removed) = removed else {
        return Err(AppError::NotFound);
    };
    if !store::remove_participant(&mut tx, id, removed).await? {
        return Err(AppError::NotFound);
    }
    if let Participant::Team(team) = removed {
        cercle_store::teams::clear_triage(&mut tx, id, team).await?;
    }
    let views = participant_views(&mut tx, id).await?;
    log_event(ctx, &mut tx, id, EventKind::Participants, &views, now).await?;
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
