//! The teams of a thread: a team added to a thread waits in its triage box
//! (or is assigned to the person of it who was added), and each thread
//! shows where it stands for each of its teams. Part of the thread kernel
//! so that adding participants does not call teams back; the teams' own
//! use cases (assign, take, return…) are in [`crate::teams`].

use super::views::{ParticipantRef, TriageView};
use crate::AppResult;
use cercle_domain::policy::teams::TriageState;
use cercle_domain::threads::ParticipantKind;
use cercle_domain::Timestamp;
use cercle_store::teams as store;
use cercle_store::threads as thread_store;
use cercle_store::{network, orgs, Conn};

/// After people or teams were added to a thread (in the caller's
/// transaction): a person who belongs to teams of the thread's
/// organization brings their teams, assigned to them; a team added without
/// a person of it goes to its triage box (SPEC 6).
pub(crate) async fn on_participants_added(
    bus: &dyn crate::bus::Bus,
    conn: &mut Conn,
    thread_id: &str,
    org_id: Option<&str>,
    list: &[ParticipantRef],
    added_by: &str,
    now: Timestamp,
) -> AppResult<()> {
    let Some(org) = org_id else {
        return Ok(());
    };
    let org: cercle_domain::OrgId = org.parse()?;
    let thread: cercle_domain::ThreadId = thread_id.parse()?;
    for p in list.iter().filter(|p| p.kind == ParticipantKind::User.as_str()) {
        let person: cercle_domain::UserId = p.id.parse()?;
        for (team_id, _) in store::memberships_in(&mut *conn, org, person).await? {
            thread_store::add_participant(
                &mut *conn,
                thread_id,
                ParticipantKind::Team.as_str(),
                &team_id.to_string(),
                Some(added_by),
                now,
            )
            .await?;
            let waiting = match store::triage(&mut *conn, thread, team_id).await? {
                None => true,
                Some(tr) => tr.state == TriageState::InTriage,
            };
            if waiting {
                store::set_triage(&mut *conn, thread, team_id, Some(person), now).await?;
            }
        }
    }
    for p in list.iter().filter(|p| p.kind == ParticipantKind::Team.as_str()) {
        let team: cercle_domain::TeamId = p.id.parse()?;
        if store::triage(&mut *conn, thread, team).await?.is_none() {
            store::set_triage(&mut *conn, thread, team, None, now).await?;
            if let Some(t) = thread_store::thread(&mut *conn, thread_id).await? {
                crate::notifications::on_triage(bus, &mut *conn, &t, &p.id, added_by, now).await?;
            }
        }
    }
    Ok(())
}

/// The triage state of a thread for each of its teams (shown on the thread).
pub(crate) async fn triage_views(conn: &mut Conn, thread_id: &str) -> AppResult<Vec<TriageView>> {
    let participants = thread_store::participants(&mut *conn, thread_id).await?;
    let mut out = Vec::new();
    for tr in store::triage_of_thread(&mut *conn, thread_id.parse()?).await? {
        let team_key = tr.team_id.to_string();
        if !participants
            .iter()
            .any(|(k, id)| *k == ParticipantKind::Team && *id == team_key)
        {
            continue;
        }
        let team_name = orgs::team_by_id(&mut *conn, tr.team_id)
            .await?
            .map(|t| t.name)
            .unwrap_or_default();
        let responsible_id = tr.responsible_id.map(|id| id.to_string());
        let responsible_name = match &responsible_id {
            Some(id) => network::names(&mut *conn, std::slice::from_ref(id))
                .await?
                .pop()
                .map(|(_, n)| n),
            None => None,
        };
        out.push(TriageView {
            team_id: team_key,
            team_name,
            state: tr.state.as_str().to_string(),
            responsible_id,
            responsible_name,
        });
    }
    Ok(out)
}
