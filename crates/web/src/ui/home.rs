//! The home page and the sections later capabilities fill.

use super::invitations::pending_invitation;
use crate::ui::page::{error_notice, icon, Header, Page, Ready};
use crate::WebState;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use cercle_app::home::{self, Overview};
use maud::{html, Markup};

pub async fn home(
    State(state): State<WebState>,
    page: Page,
    headers: HeaderMap,
    Ready { view, principal }: Ready,
) -> Response {
    // Back from signing up or in through an invitation: on to accepting it.
    if let Some(to_invitation) = pending_invitation(&state, &headers) {
        return to_invitation;
    }
    if let Some(to_join) = pending_network_invitation(&state, &headers) {
        return to_join;
    }
    if let Some(to_circle) = super::patients::circle::pending_join(&state, &headers) {
        return to_circle;
    }
    if view.user.circle_only {
        return axum::response::Redirect::to("/care").into_response();
    }
    let header = Header::of(&state, &view).await;
    let overview = home::overview(&state.ctx, &page.client, &principal, page.lang).await;
    let content = html! {
        h1 { (page.ta("home-welcome", &[("name", &view.user.name)])) }
        @match &overview {
            Err(e) => { (error_notice(page.lang, e)) }
            Ok(o) => {
                @if let Some(org) = &o.organization { p class="lead home-org" { (page.ta("home-in-org", &[("org", org)])) } }
                @else { p class="lead" data-testid="home-no-org" { (page.t("home-no-org")) } }
                div class="home-grid" {
                    (unread_section(&page, o))
                    @if o.organization.is_some() {
                        (teams_section(&page, o))
                        (patients_section(&page, o))
                    }
                    @if !o.friend_requests.is_empty() || !o.invitations.is_empty() { (waiting_section(&page, o)) }
                    (directory_section(&page, o))
                }
            }
        }
        div class="card subtle" {
            (icon("shield"))
            div {
                p { (page.t("home-security-card")) " " a href="/security" { (page.t("nav-security")) } }
                @if view.user.network_admin { p { (page.t("home-admin-card")) " " a href="/admin" { (page.t("nav-admin")) } } }
                @else if header.admin { p { (page.t("home-org-admin-card")) " " a href="/admin" { (page.t("nav-admin")) } } }
            }
        }
    };
    crate::ui::page::layout(
        &page,
        &page.t("home-title"),
        crate::ui::page::Frame::App(&view, &header),
        content,
    )
}

/// A section of the home: a card with its title (and a link to the whole list).
fn section(id: &str, title: &str, more: Option<(&str, String)>, body: Markup) -> Markup {
    let heading = format!("home-{id}-title");
    html! {
        section class="card home-section" data-testid=(format!("home-{id}")) aria-labelledby=(heading) {
            div class="home-section-head" {
                h2 id=(heading) { (title) }
                @if let Some((href, label)) = more { a class="home-more" href=(href) { (label) } }
            }
            (body)
        }
    }
}

/// An empty state: what is (not) there, and the next useful action.
fn empty(testid: &str, text: String, actions: Markup) -> Markup {
    html! {
        div class="home-empty" data-testid=(testid) {
            p class="muted" { (text) }
            (actions)
        }
    }
}

fn unread_section(page: &Page, o: &Overview) -> Markup {
    let title = if o.unread_threads > 0 {
        page.ta("home-unread-count", &[("count", &o.unread_threads.to_string())])
    } else {
        page.t("home-unread-title")
    };
    let body = html! {
        @if o.unread.is_empty() {
            (empty("home-unread-empty", page.t("home-unread-none"), html! {
                @if !o.circle_only { p class="home-actions" { a class="button secondary" href="/threads/new" { (page.t("thr-new")) } } }
            }))
        } @else {
            ul class="thr-items" data-testid="home-unread-list" {
                @for u in &o.unread {
                    @let t = &u.thread;
                    @let label = if !t.title.is_empty() { t.title.clone() } else { u.with.clone().filter(|w| !w.is_empty()).unwrap_or_else(|| page.t("thr-direct")) };
                    li class="thr-item unread" data-id=(t.id) {
                        span class="thr-kind" aria-hidden="true" { (icon(if t.kind == "direct" { "network" } else if t.kind == "clinical" { "patients" } else { "threads" })) }
                        div class="thr-item-main" {
                            a class="thr-item-title" href=(format!("/threads/{}", t.id)) { (label) }
                            div class="muted small" {
                                (match t.kind.as_str() { "clinical" => page.t("thr-kind-clinical"), "direct" => page.t("thr-kind-direct"), _ => page.t("thr-kind-collaboration") })
                                " · " (page.date_time(t.last_activity_at))
                            }
                        }
                        div class="thr-item-badges" {
                            @if t.high_priority { span class="badge warn" { (page.t("thr-high-priority")) } }
                            @if t.unread > 0 {
                                span class="badge thr-unread" title=(page.ta("thr-unread-count", &[("count", &t.unread.to_string())])) {
                                    (t.unread)
                                    span class="visually-hidden" { " " (page.ta("thr-unread-count", &[("count", &t.unread.to_string())])) }
                                }
                            } @else {
                                span class="badge thr-unread" { (page.t("thr-marked-unread")) }
                            }
                        }
                    }
                }
            }
        }
    };
    section("unread", &title, Some(("/threads", page.t("home-all-threads"))), body)
}

fn teams_section(page: &Page, o: &Overview) -> Markup {
    let body = html! {
        @if o.teams.is_empty() {
            (empty("home-teams-empty", page.t("home-teams-none"), html! { p class="muted small" { (page.t("home-teams-none-hint")) } }))
        } @else {
            ul class="home-list" data-testid="home-teams-list" {
                @for t in &o.teams {
                    li {
                        a href=(format!("/teams?team={}", t.team.id)) { (t.team.name) }
                        @if t.team.role == cercle_domain::policy::teams::TeamRole::Manager { " " span class="muted small" { (page.t("home-team-manager")) } }
                        " "
                        @if t.in_triage > 0 {
                            span class="badge thr-unread" data-testid="home-triage-count" { (page.ta("home-triage-count", &[("count", &t.in_triage.to_string())])) }
                        } @else {
                            span class="badge muted-badge" { (page.t("home-triage-none")) }
                        }
                    }
                }
            }
        }
    };
    let more = (!o.teams.is_empty()).then(|| ("/teams", page.t("home-all-teams")));
    section("teams", &page.t("home-teams-title"), more, body)
}

fn patients_section(page: &Page, o: &Overview) -> Markup {
    let body = html! {
        @if o.patients.is_empty() {
            (empty("home-patients-empty", page.t("home-patients-none"), html! {
                p class="home-actions" {
                    @if o.may_create_patient { a class="button secondary" href="/patients/new" { (page.t("pf-new")) } " " }
                    a class="button secondary" href="/patients" { (page.t("home-all-patients")) }
                }
            }))
        } @else {
            ul class="home-list" data-testid="home-patients-list" {
                @for f in &o.patients {
                    li { a href=(format!("/patients/{}", f.id)) { (f.name()) } }
                }
            }
        }
    };
    let more = (!o.patients.is_empty()).then(|| ("/patients", page.t("home-all-patients")));
    section("patients", &page.t("home-patients-title"), more, body)
}

fn waiting_section(page: &Page, o: &Overview) -> Markup {
    let body = html! {
        @if !o.friend_requests.is_empty() {
            h3 { (page.ta("home-friend-requests", &[("count", &o.friend_requests_total.to_string())])) }
            ul class="home-list" data-testid="home-friend-requests" {
                @for r in &o.friend_requests {
                    li { a href=(format!("/network/people/{}", r.person.id)) { (r.person.name) } }
                }
            }
            p { a class="button secondary" href="/network/friends" { (page.t("home-answer-requests")) } }
        }
        @if !o.invitations.is_empty() {
            h3 { (page.ta("home-invitations", &[("count", &o.invitations_total.to_string())])) }
            ul class="home-list" data-testid="home-invitations" {
                @for i in &o.invitations {
                    li { (i.name) " " span class="muted small" { (i.profession) } }
                }
            }
            p { a href="/network/invite#sent" { (page.t("home-see-invitations")) } }
        }
    };
    section("waiting", &page.t("home-waiting-title"), None, body)
}

fn directory_section(page: &Page, o: &Overview) -> Markup {
    let body = html! {
        @if o.directory_total == 0 {
            (empty("home-directory-empty", page.t("home-directory-none"), html! {
                p class="home-actions" {
                    @if !o.circle_only { a class="button secondary" href="/network" { (page.t("home-search-network")) } }
                }
            }))
        } @else {
            ul class="home-list" data-testid="home-directory-list" {
                @for p in &o.directory_people {
                    li {
                        a href=(format!("/network/people/{}", p.id)) { (p.name) }
                        @if let Some(b) = p.professions.first() { " " span class="muted small" { (b.name) } }
                    }
                }
                @for w in &o.directory_workplaces {
                    li { a href=(format!("/network/workplaces/{}", w.id)) { (w.name) } }
                }
            }
            p { a href="/network" { (page.t("home-search-network")) } }
        }
    };
    let more = (o.directory_total > 0).then(|| ("/network/directory", page.t("home-all-directory")));
    section("directory", &page.t("home-directory-title"), more, body)
}

/// Remembers a network invitation (`/network/join/{token}`) while its guest
/// signs up or in (set by `network/join.rs`).
pub const NETWORK_INVITATION: &str = "cercle_network_invitation";

/// A redirect back to the network invitation being accepted, if any (the
/// cookie is used once; only URL-safe tokens are followed).
fn pending_network_invitation(state: &WebState, headers: &HeaderMap) -> Option<Response> {
    let token = crate::cookies::get(headers, NETWORK_INVITATION)
        .filter(|t| t.len() <= 100 && t.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'))?;
    let mut resp = axum::response::Redirect::to(&format!("/network/join/{token}")).into_response();
    crate::ui::page::set_cookie(
        &mut resp,
        crate::cookies::clear(NETWORK_INVITATION, state.secure_cookies),
    );
    Some(resp)
}
