//! The Teams page (SPEC 7): one's teams with a switcher, the selected
//! team's triage box and threads, "write to the team", and the triage
//! buttons (take, assign, return to triage, unassign, add oneself). The
//! `tm-` script module (`static/js/teams.js`) keeps the box live through the event WebSocket
//! (it fetches this page again and swaps `#tm-box`).
//!
//! The thread page's team block (`thread_teams`, `thread_team_actions`)
//! offers the same changes on the thread itself (plus inviting a teammate
//! and removing the team), shown as `policy::teams::decide` allows; its
//! forms post here with `back=thread`.

use crate::error_page::failure_page;
use crate::guard::RouteList;
use crate::ui::page::{app_layout, error_notice, icon, redirect_with_flash, Fields, Page, Ready};
use crate::WebState;
use axum::extract::{Form, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use cercle_app::teams::{self, MemberView, TeamBox, TeamThreadView, TriageChange, TriageView, WriteInput};
use cercle_app::threads::service::ThreadView;
use cercle_app::threads::team_threads;
use cercle_app::AppError;
use cercle_domain::policy::teams::{decide, TeamAction, TeamRole, ThreadFacts, TriageState};
use cercle_domain::policy::Principal;
use cercle_domain::{TeamId, ThreadId};
use maud::{html, Markup};
use serde::Deserialize;
use std::collections::HashMap;

/// Professionals only (see `crate::guard`).
pub fn routes() -> RouteList {
    RouteList::new()
        .route("/teams", get(page_teams))
        .route("/teams/write", post(write))
        .route("/teams/{team}/threads/{thread}/{action}", post(act))
}

#[derive(Deserialize)]
struct TeamQuery {
    #[serde(default)]
    team: Option<String>,
}

async fn page_teams(
    State(state): State<WebState>,
    page: Page,
    Ready { view, principal }: Ready,
    Query(q): Query<TeamQuery>,
) -> Response {
    let me = view.user.id.clone();
    let title = page.t("tm-title");
    let mine = teams::my_teams(&state.ctx, &principal).await;
    let selected = match (&mine, q.team.as_deref()) {
        (Ok(list), Some(id)) if list.iter().any(|t| t.id == id) => Some(id.to_string()),
        (Ok(list), _) => list.first().map(|t| t.id.clone()),
        _ => None,
    };
    let writable = teams::writable_teams(&state.ctx, &principal).await.unwrap_or_default();
    let team_box = match &selected {
        // An id that is not one is a team not found, as the service would say.
        Some(id) => Some(match id.parse::<TeamId>() {
            Ok(id) => teams::team_box(&state.ctx, &page.client, &principal, id, page.lang).await,
            Err(e) => Err(e.into()),
        }),
        None => None,
    };
    let content = html! {
        div class="thr-list-head" { h1 { (title) } }
        @if !writable.is_empty() { (write_form(&page, &writable, selected.as_deref())) }
        @match &mine {
            Err(e) => { (error_notice(page.lang, e)) }
            Ok(list) if list.is_empty() => {
                div class="empty card" data-testid="teams-empty" {
                    (icon("teams"))
                    p { strong { (page.t("tm-none")) } }
                    p class="muted" { (page.t("tm-none-hint")) }
                }
            }
            Ok(list) => {
                nav class="subnav tm-switcher" aria-label=(page.t("tm-switch")) data-testid="team-switcher" {
                    @for t in list {
                        a href=(format!("/teams?team={}", t.id)) data-id=(t.id)
                          aria-current=[(selected.as_deref() == Some(t.id.as_str())).then_some("page")] {
                            (t.name) " "
                            span class="muted small" { "(" (page.t(&format!("tm-role-{}", t.role))) ")" }
                        }
                    }
                }
            }
        }
        @if let Some(b) = &team_box {
            @match b {
                Err(e) => { (error_notice(page.lang, e)) }
                Ok(b) => { (box_of(&page, b, &me)) }
            }
        }
    };
    app_layout(&state, &page, &view, &title, content).await
}

/// "Write to a team": any team of the organization (the selected one first).
fn write_form(page: &Page, teams: &[(TeamId, String)], selected: Option<&str>) -> Markup {
    html! {
        details class="card tm-write" {
            summary data-testid="tm-write-open" { (page.t("tm-write-title")) }
            form method="post" action="/teams/write" data-testid="tm-write" {
                (page.csrf_field())
                label for="tm-team" { (page.t("tm-write-team")) }
                select id="tm-team" name="team_id" {
                    @for (id, name) in teams {
                        option value=(id) selected[selected == Some(id.to_string().as_str())] { (name) }
                    }
                }
                label for="tm-title" { (page.t("tm-write-subject")) }
                input id="tm-title" name="title" type="text" maxlength="200" required;
                label for="tm-body" { (page.t("tm-write-body")) }
                textarea id="tm-body" name="body" rows="3" maxlength="10000" {}
                button type="submit" class="primary" data-testid="tm-write-send" { (page.t("tm-write-send")) }
            }
        }
    }
}

fn button(page: &Page, b: &TeamBox, t: &TeamThreadView, action: &str, label: &str, extra: Option<Markup>) -> Markup {
    html! {
        form method="post" action=(format!("/teams/{}/threads/{}/{action}", b.team.id, t.id)) class="thr-action" {
            (page.csrf_field())
            @if let Some(extra) = extra { (extra) }
            button type="submit" class="secondary small" data-testid=(format!("tm-{action}")) { (label) }
        }
    }
}

fn item(page: &Page, b: &TeamBox, t: &TeamThreadView, me: &str) -> Markup {
    let manager = b.team.role == TeamRole::Manager;
    let mine = t.responsible_id.as_deref() == Some(me);
    let in_triage = t.state == Some(TriageState::InTriage);
    html! {
        li class="thr-item tm-item" data-id=(t.id) data-state=[t.state.map(TriageState::as_str)] {
            span class="thr-kind" aria-hidden="true" { (icon(if t.kind == "clinical" { "patients" } else { "threads" })) }
            div class="thr-item-main" {
                @if t.readable {
                    a class="thr-item-title" href=(format!("/threads/{}", t.id)) { (t.title) }
                } @else {
                    span class="thr-item-title" { (t.title) }
                }
                div class="muted small" {
                    @if in_triage {
                        (page.t("tm-state-in-triage"))
                    } @else if let Some(name) = &t.responsible_name {
                        span data-testid="tm-responsible" { (page.ta("tm-responsible", &[("name", name)])) }
                    }
                    " · " (page.date_time(t.last_activity_at))
                }
                div class="tm-actions" {
                    @if in_triage {
                        (button(page, b, t, "take", &page.t("tm-take"), None))
                    }
                    @if manager && !mine {
                        (button(page, b, t, "assign-me", &page.t("tm-assign-me"), None))
                    }
                    @if manager && !b.members.is_empty() {
                        (button(page, b, t, "assign", &page.t("tm-assign"), Some(html! {
                            label class="visually-hidden" for=(format!("tm-who-{}", t.id)) { (page.t("tm-assign-who")) }
                            select id=(format!("tm-who-{}", t.id)) name="user_id" data-testid="tm-assign-who" {
                                @for m in &b.members {
                                    option value=(m.id) selected[t.responsible_id.as_deref() == Some(m.id.as_str())] { (m.name) }
                                }
                            }
                        })))
                    }
                    @if mine {
                        (button(page, b, t, "return", &page.t("tm-return"), None))
                    }
                    @if mine && !manager {
                        (button(page, b, t, "unassign", &page.t("tm-unassign"), None))
                    }
                    @if manager {
                        (button(page, b, t, "join", &page.t("tm-join"), None))
                    }
                }
            }
            div class="thr-item-badges" {
                @if t.high_priority { span class="badge warn" { (page.t("thr-high-priority")) } }
                @if t.unread > 0 { span class="badge thr-unread" { (t.unread) } }
            }
        }
    }
}

fn box_of(page: &Page, b: &TeamBox, me: &str) -> Markup {
    html! {
        div id="tm-box" data-tm-live data-team=(b.team.id) data-testid="team-box" {
            section class="card tm-triage" {
                h2 { (page.t("tm-triage")) " " span class="badge" data-testid="tm-triage-count" { (b.triage.len()) } }
                @if b.triage.is_empty() {
                    p class="muted" data-testid="tm-triage-empty" { (page.t("tm-triage-empty")) }
                } @else {
                    ul class="thr-items" data-testid="tm-triage" {
                        @for t in &b.triage { (item(page, b, t, me)) }
                    }
                }
            }
            section class="card tm-threads" {
                h2 { (page.t("tm-threads")) }
                @if b.threads.is_empty() {
                    p class="muted" { (page.t("tm-threads-empty")) }
                } @else {
                    ul class="thr-items" data-testid="tm-threads" {
                        @for t in &b.threads { (item(page, b, t, me)) }
                    }
                }
            }
            section class="card tm-members" {
                h2 { (page.t("tm-members")) }
                @if b.members.is_empty() {
                    p class="muted" { (page.t("tm-members-empty")) }
                } @else {
                    ul data-testid="tm-members" {
                        @for m in &b.members {
                            li { (m.name) " " span class="muted small" { "(" (page.t(&format!("tm-role-{}", m.role))) ")" } }
                        }
                    }
                }
            }
        }
    }
}

async fn write(
    State(state): State<WebState>,
    page: Page,
    Ready { principal, .. }: Ready,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let f = Fields(fields);
    let get = |k: &str| f.get(k).to_string();
    let input = WriteInput {
        title: get("title"),
        body: Some(get("body")),
        patient_file_id: None,
        high_priority: false,
    };
    // A text that is no team id names no team.
    let written = match get("team_id").parse::<TeamId>() {
        Ok(id) => team_threads::write_to_team(&state.ctx, &page.client, &principal, id, &input, page.lang).await,
        Err(e) => Err(AppError::from(e)),
    };
    match written {
        Ok(t) => redirect_with_flash(&state, &format!("/threads/{}", t.id), "tm-written"),
        Err(e) => failure_page(page.lang, &e),
    }
}

async fn act(
    State(state): State<WebState>,
    page: Page,
    Ready { view, principal }: Ready,
    Path((team, thread, action)): Path<(String, String, String)>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let f = Fields(fields);
    let user_id = f.get("user_id").to_string();
    let (what, flash) = match action.as_str() {
        "take" => (TriageChange::Take, "tm-taken"),
        "assign" => (TriageChange::Assign { user_id }, "tm-assigned"),
        "assign-me" => (
            TriageChange::Assign {
                user_id: view.user.id.clone(),
            },
            "tm-assigned",
        ),
        "return" => (TriageChange::Return, "tm-returned"),
        "unassign" => (TriageChange::Unassign, "tm-unassigned"),
        "join" => (TriageChange::AddSelf, "tm-joined"),
        "invite" => (TriageChange::Invite { user_id }, "tm-invited"),
        "remove-team" => (TriageChange::RemoveTeam, "tm-team-removed"),
        _ => return Redirect::to("/teams").into_response(),
    };
    let team_page = format!("/teams?team={team}");
    let changed = match (thread.parse::<ThreadId>(), team.parse::<TeamId>()) {
        (Ok(thread), Ok(team)) => team_threads::change(&state.ctx, &page.client, &principal, thread, team, &what).await,
        (Err(e), _) | (_, Err(e)) => Err(AppError::from(e)),
    };
    match changed {
        Ok(()) => {
            // Back to the thread when asked from it and one still reaches
            // it (after unassigning or removing the team one may not).
            let to = if f.get("back") == "thread"
                && cercle_app::threads::service::may_receive(&state.ctx, &view.user.id, &thread)
                    .await
                    .unwrap_or(false)
            {
                format!("/threads/{thread}")
            } else {
                team_page
            };
            redirect_with_flash(&state, &to, flash)
        }
        Err(e) => failure_page(page.lang, &e),
    }
}

// ---- The team block of the thread page ----------------------------------------

/// One's standing in each team of a thread and the team's members, by team
/// id: only the teams of one's active organization one belongs to or
/// manages (the others show no buttons).
#[derive(Default)]
pub(crate) struct ThreadTeams(HashMap<String, (TeamRole, Vec<MemberView>)>);

/// What the thread page needs to offer the triage changes of its teams
/// (nothing for a closed thread, where nothing is reassigned).
pub(crate) async fn thread_teams(state: &WebState, principal: &Principal, t: &ThreadView) -> ThreadTeams {
    if t.teams.is_empty() || t.closed.is_some() {
        return ThreadTeams::default();
    }
    let Ok(mine) = teams::my_teams(&state.ctx, principal).await else {
        return ThreadTeams::default();
    };
    let mut out = HashMap::new();
    for tv in &t.teams {
        let Some(role) = mine.iter().find(|m| m.id == tv.team_id).map(|m| m.role) else {
            continue;
        };
        let members = match tv.team_id.parse::<TeamId>() {
            Ok(id) => teams::team_members(&state.ctx, principal, id).await.unwrap_or_default(),
            Err(_) => Vec::new(),
        };
        out.insert(tv.team_id.clone(), (role, members));
    }
    ThreadTeams(out)
}

/// One button (and its fields) of the thread's team block.
fn thread_form(
    page: &Page,
    base: &str,
    action: &str,
    label: String,
    extra: Option<Markup>,
    confirm: Option<String>,
) -> Markup {
    let class = if action == "remove-team" {
        "linklike small danger-link"
    } else {
        "secondary small"
    };
    html! {
        form method="post" action=(format!("{base}/{action}")) class="thr-action" {
            (page.csrf_field())
            input type="hidden" name="back" value="thread";
            @if let Some(extra) = extra { (extra) }
            button type="submit" class=(class) data-testid=(format!("tm-thread-{action}")) data-thr-confirm=[confirm] { (label) }
        }
    }
}

/// A labelled choice of people (`user_id`).
fn people_select(id: &str, label: String, testid: &str, people: &[&MemberView]) -> Markup {
    html! {
        label class="visually-hidden" for=(id) { (label) }
        select id=(id) name="user_id" data-testid=(testid) {
            @for m in people { option value=(m.id) { (m.name) } }
        }
    }
}

/// The triage changes one may make on a team of the thread, as the team
/// policy allows (the service decides again on every post).
pub(crate) fn thread_team_actions(page: &Page, t: &ThreadView, tv: &TriageView, me: &str, tt: &ThreadTeams) -> Markup {
    let Some((role, members)) = tt.0.get(&tv.team_id) else {
        return html! {};
    };
    if t.closed.is_some() {
        return html! {};
    }
    let in_person: Vec<&str> = t
        .participants
        .iter()
        .filter(|p| p.kind == "user")
        .map(|p| p.id.as_str())
        .collect();
    let facts = ThreadFacts {
        responsible: tv.responsible_id.as_deref() == Some(me),
        added: in_person.contains(&me),
        in_triage: tv.state == "in_triage",
    };
    let may = |a: TeamAction| decide(Some(*role), facts, a).is_ok();
    let base = format!("/teams/{}/threads/{}", tv.team_id, t.id);
    let assignable: Vec<&MemberView> = members
        .iter()
        .filter(|m| tv.responsible_id.as_deref() != Some(m.id.as_str()))
        .collect();
    let teammates: Vec<&MemberView> = members
        .iter()
        .filter(|m| {
            m.id != me && !in_person.contains(&m.id.as_str()) && tv.responsible_id.as_deref() != Some(m.id.as_str())
        })
        .collect();
    let take = facts.in_triage && may(TeamAction::Take);
    let join = !facts.added && may(TeamAction::AddSelf);
    let assign = !assignable.is_empty() && may(TeamAction::Assign { target_in_team: true });
    let give_back = facts.responsible && may(TeamAction::ReturnToTriage);
    let unassign = facts.responsible && *role != TeamRole::Manager && may(TeamAction::Unassign);
    let invite = !teammates.is_empty() && may(TeamAction::Invite { target_in_team: true });
    let remove = may(TeamAction::RemoveTeam);
    if !(take || join || assign || give_back || unassign || invite || remove) {
        return html! {};
    }
    html! {
        div class="tm-actions tm-thread-actions" role="group" aria-label=(page.ta("tm-thread-actions", &[("team", &tv.team_name)])) data-testid="tm-thread-actions" {
            @if take { (thread_form(page, &base, "take", page.t("tm-take"), None, None)) }
            @if give_back { (thread_form(page, &base, "return", page.t("tm-return"), None, None)) }
            @if unassign { (thread_form(page, &base, "unassign", page.t("tm-unassign"), None, None)) }
            @if join { (thread_form(page, &base, "join", page.t("tm-join"), None, None)) }
            @if assign {
                (thread_form(page, &base, "assign", page.t("tm-assign"), Some(people_select(&format!("tm-assign-{}", tv.team_id), page.t("tm-assign-who"), "tm-thread-assign-who", &assignable)), None))
            }
            @if invite {
                (thread_form(page, &base, "invite", page.t("tm-invite"), Some(people_select(&format!("tm-invite-{}", tv.team_id), page.t("tm-invite-who"), "tm-thread-invite-who", &teammates)), None))
            }
            @if remove {
                (thread_form(page, &base, "remove-team", page.t("tm-remove-team"), None, Some(page.ta("tm-remove-team-confirm", &[("team", &tv.team_name)]))))
            }
        }
    }
}
