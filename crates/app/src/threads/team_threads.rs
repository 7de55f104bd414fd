//! A team's threads, as thread use cases: writing to a team (a new thread
//! addressed to it, its first message, the thread as shown) and the triage
//! changes (assign, take, return, unassign, add oneself or a teammate,
//! remove the team), which also tell the thread's participants who reaches
//! it now. They stand on [`crate::teams`] (a person's standing in a team,
//! the team policy) and on the thread modules that create, post, show and
//! list participants; `teams` itself depends only on the thread kernel
//! ([`super::access`], [`super::events`]) and never imports this module.

use super::access::is_author_team;
use super::events::{commit, event_for, log_event};
use super::input::clean_body;
use super::lifecycle::{self, NewThreadInput};
use super::participants::participant_views;
use super::views::{ParticipantRef, ThreadView};
use super::{messages, reading};
use crate::acting::person as me;
use crate::teams::{refused, subject, users_role, writable_team, TriageChange, WriteInput};
use crate::{audit, AppError, AppResult, Client, Ctx};
use cercle_domain::audit::AuditAction;
use cercle_domain::events::EventKind;
use cercle_domain::policy::teams::{decide, TeamAction};
use cercle_domain::policy::Principal;
use cercle_domain::{Language, TeamId, ThreadId};
use cercle_store::teams as store;
use cercle_store::threads::{self as thread_store, Participant};

/// "Write to a team": a thread addressed to the team with no person of it,
/// which lands in the team's triage box.
pub async fn write_to_team(
    ctx: &Ctx,
    client: &Client,
    principal: &Principal,
    team_id: TeamId,
    input: &WriteInput,
    lang: Language,
) -> AppResult<ThreadView> {
    writable_team(ctx, principal, team_id).await?;
    let body = match input.body.as_deref().map(str::trim).filter(|b| !b.is_empty()) {
        Some(b) => Some(clean_body(b)?),
        None => None,
    };
    let patient = input.patient_file_id.clone().filter(|p| !p.is_empty());
    let t = lifecycle::create(
        ctx,
        client,
        principal,
        &NewThreadInput {
            kind: if patient.is_some() { "clinical" } else { "collaboration" }.into(),
            patient_file_id: patient,
            title: input.title.clone(),
            participants: vec![ParticipantRef {
                kind: "team".into(),
                id: team_id.to_string(),
            }],
            high_priority: input.high_priority,
        },
    )
    .await?;
    let id: ThreadId = t.id.parse()?;
    if let Some(body) = body {
        messages::post(ctx, client, principal, id, &body, input.high_priority, lang).await?;
    }
    reading::show(ctx, client, principal, id, lang).await
}

/// Applies a change to a team's thread: checked by the team policy, then
/// stored, logged for live delivery and audited in one transaction.
pub async fn change(
    ctx: &Ctx,
    client: &Client,
    principal: &Principal,
    thread: ThreadId,
    team_id: TeamId,
    what: &TriageChange,
) -> AppResult<()> {
    let me = me(principal)?;
    let user_id = me.user_id.to_string();
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    let s = subject(&mut tx, me.user_id, thread, team_id).await?;
    let team_key = s.team.id.to_string();
    if s.thread.closed_at.is_some() {
        // Nothing is reassigned in a closed thread; say "not found" to
        // whoever may not see it.
        decide(s.role, s.facts, TeamAction::SeeTriage).map_err(refused)?;
        return Err(AppError::Conflict("thread-closed"));
    }
    let (action, audit_name) = match what {
        TriageChange::Assign { user_id: target } => {
            let target_in_team = users_role(&mut tx, &s.team, target.parse()?).await?.is_some();
            (TeamAction::Assign { target_in_team }, "team.thread_assigned")
        }
        TriageChange::Take => (TeamAction::Take, "team.thread_taken"),
        TriageChange::Return => (TeamAction::ReturnToTriage, "team.thread_returned"),
        TriageChange::Unassign => (TeamAction::Unassign, "team.thread_unassigned"),
        TriageChange::AddSelf => (TeamAction::AddSelf, "team.manager_joined"),
        TriageChange::Invite { user_id: target } => {
            let target_in_team = users_role(&mut tx, &s.team, target.parse()?).await?.is_some();
            (TeamAction::Invite { target_in_team }, "team.teammate_invited")
        }
        TriageChange::RemoveTeam => (TeamAction::RemoveTeam, "team.removed_from_thread"),
    };
    decide(s.role, s.facts, action).map_err(refused)?;
    let mut target: Option<String> = None;
    match what {
        TriageChange::Assign { user_id: who } => {
            store::set_triage(&mut tx, thread, s.team.id, Some(who.parse()?), now).await?;
            target = Some(who.clone());
        }
        TriageChange::Take => {
            store::set_triage(&mut tx, thread, s.team.id, Some(me.user_id), now).await?;
        }
        TriageChange::Return => {
            store::set_triage(&mut tx, thread, s.team.id, None, now).await?;
            crate::notifications::on_triage(&*ctx.bus, &mut tx, &s.thread, &team_key, &user_id, now).await?;
        }
        TriageChange::Unassign => {
            if s.facts.responsible {
                store::set_triage(&mut tx, thread, s.team.id, None, now).await?;
                crate::notifications::on_triage(&*ctx.bus, &mut tx, &s.thread, &team_key, &user_id, now).await?;
            }
            if s.facts.added && s.thread.created_by != me.user_id {
                thread_store::remove_participant(&mut tx, thread, Participant::User(me.user_id)).await?;
            }
        }
        TriageChange::AddSelf => {
            let who = Participant::User(me.user_id);
            thread_store::add_participant(&mut tx, thread, who, Some(me.user_id), now).await?;
        }
        TriageChange::Invite { user_id: who } => {
            let invited = Participant::User(who.parse()?);
            thread_store::add_participant(&mut tx, thread, invited, Some(me.user_id), now).await?;
            target = Some(who.clone());
        }
        TriageChange::RemoveTeam => {
            if s.thread.channel_id.is_some() && is_author_team(&mut tx, &s.thread, s.team.id).await? {
                return Err(AppError::Conflict("author-team"));
            }
            thread_store::remove_participant(&mut tx, thread, Participant::Team(s.team.id)).await?;
            store::clear_triage(&mut tx, thread, s.team.id).await?;
        }
    }
    // Who reaches the thread may have changed: the participants event comes
    // first, so that open connections look again before the triage change.
    let views = participant_views(&mut tx, thread).await?;
    log_event(ctx, &mut tx, thread, EventKind::Participants, &views, now).await?;
    let after = store::triage(&mut tx, thread, s.team.id).await?;
    let data = serde_json::json!({
        "triage": {
            "team_id": s.team.id,
            "state": after.as_ref().map(|t| t.state),
            "responsible_id": after.as_ref().and_then(|t| t.responsible_id),
            "previous_responsible_id": s.responsible,
            "by": user_id,
        }
    });
    log_event(ctx, &mut tx, thread, EventKind::ThreadState, &data, now).await?;
    let mut ev = event_for(me, &s.thread, audit_name, AuditAction::Update, client).scope("team", s.team.id);
    if let Some(t) = &target {
        ev = ev.scope("person", t);
    }
    audit::record(&mut tx, ev, now).await?;
    commit(ctx, tx).await?;
    Ok(())
}
