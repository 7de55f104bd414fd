//! The teams of a thread: a team added to a thread waits in its triage box
//! (or is assigned to the person of it who was added), and each thread
//! shows where it stands for each of its teams. Part of the thread kernel
//! so that adding participants does not call teams back; the teams' own
//! use cases (assign, take, return…) are in [`crate::teams`].

use super::views::TriageView;
use crate::AppResult;
use cercle_domain::policy::teams::TriageState;
use cercle_domain::{OrgId, ThreadId, Timestamp, UserId};
use cercle_store::teams as store;
use cercle_store::threads::{self as thread_store, Participant};
use cercle_store::{network, orgs, Conn};

/// After people or teams were added to a thread (in the caller's
/// transaction): a person who belongs to teams of the thread's
/// organization brings their teams, assigned to them; a team added without
/// a person of it goes to its triage box (SPEC 6).
pub(crate) async fn on_participants_added(
    bus: &dyn crate::bus::Bus,
    conn: &mut Conn,
    thread: ThreadId,
    org_id: Option<OrgId>,
    list: &[Participant],
    added_by: UserId,
    now: Timestamp,
) -> AppResult<()> {
    let Some(org) = org_id else {
        return Ok(());
    };
    let people = list.iter().filter_map(|p| match p {
        Participant::User(id) => Some(*id),
        Participant::Team(_) => None,
    });
    for person in people {
        for (team_id, _) in store::memberships_in(&mut *conn, org, person).await? {
            thread_store::add_participant(&mut *conn, thread, Participant::Team(team_id), Some(added_by), now).await?;
            let waiting = match store::triage(&mut *conn, thread, team_id).await? {
                None => true,
                Some(tr) => tr.state == TriageState::InTriage,
            };
            if waiting {
                store::set_triage(&mut *conn, thread, team_id, Some(person), now).await?;
            }
        }
    }
    let teams = list.iter().filter_map(|p| match p {
        Participant::Team(id) => Some(*id),
        Participant::User(_) => None,
    });
    for team in teams {
        if store::triage(&mut *conn, thread, team).await?.is_none() {
            store::set_triage(&mut *conn, thread, team, None, now).await?;
            if let Some(t) = thread_store::thread(&mut *conn, thread).await? {
                let (team, by) = (team.to_string(), added_by.to_string());
                crate::notifications::on_triage(bus, &mut *conn, &t, &team, &by, now).await?;
            }
        }
    }
    Ok(())
}

/// The triage state of a thread for each of its teams (shown on the thread).
pub(crate) async fn triage_views(conn: &mut Conn, thread_id: ThreadId) -> AppResult<Vec<TriageView>> {
    let participants = thread_store::participants(&mut *conn, thread_id).await?;
    let mut out = Vec::new();
    for tr in store::triage_of_thread(&mut *conn, thread_id).await? {
        if !participants.contains(&Participant::Team(tr.team_id)) {
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
            team_id: tr.team_id.to_string(),
            team_name,
            state: tr.state.as_str().to_string(),
            responsible_id,
            responsible_name,
        });
    }
    Ok(out)
}
