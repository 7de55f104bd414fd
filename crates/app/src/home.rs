//! The home page (issue 14): a person's starting point, gathered in one
//! call from the services that already decide who sees what — unread
//! threads, one's teams with their triage counts, patient files with active
//! threads (a listing audited as the patient list is), friend requests and
//! network invitations waiting, and directory shortcuts. Every list is
//! bounded ([`SHOWN`] items); the totals say how many there are.

use crate::network::directory;
use crate::network::friends::{self, Request};
use crate::network::invitations::{self, SentInvitation};
use crate::network::people::PersonSummary;
use crate::network::workplaces::WorkplaceSummary;
use crate::org_scope::OrgScope;
use crate::patients::files::{self, ListQuery, PatientFile};
use crate::teams::{self, TeamTriageCount};
use crate::threads::reading as threads;
use crate::threads::views::ListedThread;
use crate::{AppError, AppResult, Client, Ctx};
use cercle_domain::policy::Principal;
use cercle_domain::{Language, UserId};
use cercle_store::threads::{self as thread_store, Participant};
use serde::Serialize;

/// Items shown per section.
pub const SHOWN: usize = 5;

#[derive(Debug, Clone, Serialize, Default)]
pub struct Overview {
    /// Threads with unread messages (or marked unread), most recent first.
    pub unread: Vec<UnreadThread>,
    /// How many threads have unread messages in all.
    pub unread_threads: usize,
    /// The name of the active organization (none: no organization).
    pub organization: Option<String>,
    /// One's teams in the active organization, with their triage counts.
    pub teams: Vec<TeamTriageCount>,
    /// Patient files with open threads one (or one's teams) takes part in.
    pub patients: Vec<PatientFile>,
    /// One may open a patient file (a member of the active organization).
    pub may_create_patient: bool,
    /// Friend requests waiting for one's answer.
    pub friend_requests: Vec<Request>,
    pub friend_requests_total: usize,
    /// Network invitations one sent that wait for an answer.
    pub invitations: Vec<SentInvitation>,
    pub invitations_total: usize,
    /// Directory shortcuts: people and workplaces.
    pub directory_people: Vec<PersonSummary>,
    pub directory_workplaces: Vec<WorkplaceSummary>,
    pub directory_total: usize,
    /// A patient or caregiver: no network, no organization.
    pub circle_only: bool,
}

/// A thread with unread messages; a direct thread is named after the other
/// person.
#[derive(Debug, Clone, Serialize)]
pub struct UnreadThread {
    pub thread: ListedThread,
    /// For a direct thread: the other person's name.
    pub with: Option<String>,
}

impl Overview {
    /// Nothing at all to show (the first day).
    pub fn is_empty(&self) -> bool {
        self.unread.is_empty()
            && self.teams.is_empty()
            && self.patients.is_empty()
            && self.friend_requests.is_empty()
            && self.invitations.is_empty()
            && self.directory_total == 0
    }
}

/// The person's home: each part through its own service (and its rules).
pub async fn overview(ctx: &Ctx, client: &Client, principal: &Principal, lang: Language) -> AppResult<Overview> {
    let me = crate::acting::person(principal)?;
    let mut out = Overview {
        circle_only: me.circle_only,
        ..Overview::default()
    };
    let all = threads::list(ctx, principal, false, lang).await?;
    let mut unread: Vec<ListedThread> = all.into_iter().filter(|t| t.unread > 0 || t.marked_unread).collect();
    out.unread_threads = unread.len();
    unread.truncate(SHOWN);
    out.unread = with_names(ctx, me.user_id, unread).await?;
    if me.circle_only {
        // Patients and caregivers have their care space; nothing else here.
        return Ok(out);
    }
    match OrgScope::of(ctx, principal).await {
        Ok(scope) => {
            out.organization = Some(scope.org_name.clone());
            out.may_create_patient = true;
            out.teams = teams::triage_counts(ctx, principal).await?;
            let query = ListQuery {
                view: Some("active".into()),
                ..ListQuery::default()
            };
            out.patients = files::list_within(ctx, client, &scope, &query, SHOWN as i64).await?;
        }
        Err(AppError::NoActiveOrganization) => {}
        Err(e) => return Err(e),
    }
    let f = friends::overview(ctx, principal, lang).await?;
    out.friend_requests_total = f.incoming.len();
    out.friend_requests = f.incoming.into_iter().take(SHOWN).collect();
    let pending: Vec<SentInvitation> = invitations::sent(ctx, principal, lang)
        .await?
        .into_iter()
        .filter(|i| i.status == "pending")
        .collect();
    out.invitations_total = pending.len();
    out.invitations = pending.into_iter().take(SHOWN).collect();
    let d = directory::list(ctx, principal, lang).await?;
    out.directory_total = d.people.len() + d.workplaces.len();
    out.directory_people = d.people.into_iter().take(SHOWN).collect();
    out.directory_workplaces = d.workplaces.into_iter().take(SHOWN).collect();
    Ok(out)
}

/// Names the other person of each direct thread (one's own threads only,
/// as listed by [`threads::list`]).
async fn with_names(ctx: &Ctx, me: UserId, list: Vec<ListedThread>) -> AppResult<Vec<UnreadThread>> {
    let mut conn = ctx.store.reader().await?;
    let mut out = Vec::with_capacity(list.len());
    for thread in list {
        let with = if thread.kind == "direct" {
            let others: Vec<String> = thread_store::participants(&mut conn, thread.id.parse()?)
                .await?
                .into_iter()
                .filter_map(|p| match p {
                    Participant::User(id) if id != me => Some(id.to_string()),
                    _ => None,
                })
                .collect();
            let names = cercle_store::network::names(&mut conn, &others).await?;
            Some(names.into_iter().map(|(_, n)| n).collect::<Vec<_>>().join(", "))
        } else {
            None
        };
        out.push(UnreadThread { thread, with });
    }
    Ok(out)
}
