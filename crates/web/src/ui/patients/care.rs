//! The patient's and caregiver's pages (SPEC 5): "My care teams" (`/care`,
//! their channels by title) and a care team (`/care/{id}`): its threads,
//! the people in it, the pinned documents with every version, and a new
//! message (not for observers, who read only). Threads open on the common
//! thread page, which hides what is for professionals.

use super::channels::{new_thread_form, participants_list, pinned_section, tabs, thread_items, ClosedQuery};
use crate::error_page::failure_page;
use crate::ui::network::profile::photo_editor;
use crate::ui::page::{app_layout, error_notice, icon, redirect_with_flash, Page, Ready};
use crate::WebState;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use cercle_app::network::profile;
use cercle_app::patients::channels;
use cercle_app::patients::invitations;
use cercle_app::patients::pinned;
use cercle_app::AppError;
use cercle_domain::ChannelId;
use maud::{html, Markup};

pub fn routes() -> Router<WebState> {
    Router::new()
        .route("/care", get(list))
        .route("/care/photo", get(photo))
        .route("/care/photo/remove", post(remove_photo))
        .route("/care/{id}", get(show))
}

#[derive(serde::Deserialize)]
struct PhotoQuery {
    sent: Option<String>,
}

/// One's photo, for people who have no network profile (patients and
/// caregivers); anyone may use it.
async fn photo(
    State(state): State<WebState>,
    page: Page,
    Ready { view, principal }: Ready,
    Query(q): Query<PhotoQuery>,
) -> Response {
    let me = match profile::my_summary(&state.ctx, &principal, page.lang).await {
        Ok(me) => me,
        Err(e) => return failure_page(page.lang, &e),
    };
    let title = page.t("care-photo-title");
    let content = html! {
        p { a href="/care" { "← " (page.t("care-title")) } }
        h1 { (title) }
        @if q.sent.as_deref() == Some("photo") { p class="notice ok" role="status" { (page.t("netp-photo-saved")) } }
        (photo_editor(&page, &me.name, me.photo_version, "/care/photo/remove", "/care/photo?sent=photo"))
    };
    app_layout(&state, &page, &view, &title, content).await
}

async fn remove_photo(State(state): State<WebState>, page: Page, Ready { principal, .. }: Ready) -> Response {
    match profile::remove_photo(&state.ctx, &page.client, &principal).await {
        Ok(()) => redirect_with_flash(&state, "/care/photo", "netp-photo-removed"),
        Err(e) => failure_page(page.lang, &e),
    }
}

/// One care channel, as a link with its unread count.
fn channel_item(page: &Page, c: &channels::Channel) -> Markup {
    html! {
        li class="card care-team" data-id=(c.id) {
            a class="care-team-link" href=(format!("/care/{}", c.id)) {
                span class="care-team-icon" aria-hidden="true" { (icon("teams")) }
                span class="care-team-main" {
                    strong class="care-team-name" { (c.title) }
                    span class="muted small" {
                        (page.ta("chan-participants-count", &[("count", &c.participants.len().to_string())]))
                        @if c.observer { " · " (page.t("care-observer")) }
                    }
                }
                @if c.unread > 0 {
                    span class="badge thr-unread" title=(page.ta("thr-unread-count", &[("count", &c.unread.to_string())])) { (c.unread) }
                }
            }
        }
    }
}

/// One circle one joined: who looks after the patient, then its channels
/// (or what comes next when there is none yet).
fn circle_card(page: &Page, team: &invitations::MyCareTeam, chans: &[&channels::Channel]) -> Markup {
    let heading = match &team.patient_name {
        Some(name) => page.ta("care-circle-of", &[("name", name), ("org", &team.org_name)]),
        None => page.ta("care-circle-mine", &[("org", &team.org_name)]),
    };
    html! {
        section class="card care-circle" data-testid="care-circle" data-file=(team.patient_file_id) {
            h2 { (heading) }
            p class="muted small" data-testid="care-my-place" { (page.t(&format!("care-my-place-{}", team.section))) }
            ul class="care-people" data-testid="care-circle-people" {
                @if let Some(by) = &team.invited_by {
                    li { strong { (by) } " · " span class="muted" { (page.t("care-professional")) } }
                }
                @for (name, section) in &team.people {
                    li { (name) " · " span class="muted" { (page.t(&format!("circ-section-{section}"))) } }
                }
            }
            @if chans.is_empty() {
                p class="hint" data-testid="care-circle-waiting" { (page.t("care-circle-no-channel")) }
            } @else {
                ul class="care-teams" data-testid="care-teams" {
                    @for c in chans { (channel_item(page, c)) }
                }
            }
        }
    }
}

async fn list(State(state): State<WebState>, page: Page, Ready { view, principal }: Ready) -> Response {
    let list = channels::mine(&state.ctx, &page.client, &principal)
        .await
        .map(|l| l.into_iter().filter(|c| c.role == "circle").collect::<Vec<_>>());
    let teams = invitations::my_care_teams(&state.ctx, &principal)
        .await
        .unwrap_or_default();
    let title = page.t("care-title");
    let content = html! {
        h1 { (title) }
        p class="muted" { (page.t("care-intro")) }
        @match &list {
            Err(e) => { (error_notice(page.lang, e)) }
            Ok(list) if list.is_empty() && teams.is_empty() => {
                div class="empty card" data-testid="care-empty" {
                    (icon("channels"))
                    p { strong { (page.t("care-none")) } }
                    p class="muted" { (page.t("care-none-hint")) }
                }
            }
            Ok(list) => {
                @for team in &teams {
                    @let chans: Vec<&channels::Channel> = list.iter().filter(|c| c.patient_file_id == team.patient_file_id).collect();
                    (circle_card(&page, team, &chans))
                }
                @let others: Vec<&channels::Channel> = list.iter().filter(|c| !teams.iter().any(|t| t.patient_file_id == c.patient_file_id)).collect();
                @if !others.is_empty() {
                    ul class="care-teams" data-testid="care-teams" {
                        @for c in others { (channel_item(&page, c)) }
                    }
                }
            }
        }
        section class="card subtle care-settings" aria-labelledby="care-settings-h" data-testid="care-settings" {
            h2 id="care-settings-h" { (page.t("care-settings")) }
            ul class="care-settings-links" {
                li { a href="/availability" data-testid="care-availability" { (page.t("nav-availability")) } " — " span class="muted" { (page.t("care-availability-hint")) } }
                li { a href="/notifications/preferences" data-testid="care-notif-prefs" { (page.t("notif-preferences")) } " — " span class="muted" { (page.t("care-notif-hint")) } }
            }
        }
    };
    app_layout(&state, &page, &view, &title, content).await
}

async fn show(
    State(state): State<WebState>,
    page: Page,
    Ready { view, principal }: Ready,
    Path(id): Path<String>,
    Query(q): Query<ClosedQuery>,
) -> Response {
    let id: ChannelId = match id.parse() {
        Ok(id) => id,
        Err(e) => return failure_page(page.lang, &AppError::from(e)),
    };
    let c = match channels::show(&state.ctx, &page.client, &principal, id).await {
        Ok(c) => c,
        Err(e) => return failure_page(page.lang, &e),
    };
    if c.role != "circle" {
        return Redirect::to(&format!("/channels/{}", c.id)).into_response();
    }
    let closed = q.closed();
    let threads = channels::threads(&state.ctx, &page.client, &principal, id, closed, page.lang)
        .await
        .unwrap_or_default();
    let docs = pinned::list(&state.ctx, &page.client, &principal, id)
        .await
        .unwrap_or_default();
    let base = format!("/care/{}", c.id);
    let content = html! {
        p class="thr-back" { a href="/care" { "← " (page.t("care-title")) } }
        header class="card chan-head care-head" {
            p class="eyebrow" { (page.t("care-eyebrow")) }
            h1 data-testid="care-team-title" { (c.title) }
            @if c.observer { p class="notice" data-testid="observer-notice" { (page.t("care-observer-hint")) } }
        }
        div class="chan-columns" {
            div class="chan-main" {
                h2 { (page.t("chan-threads")) }
                (tabs(&page, &base, closed))
                @if threads.is_empty() {
                    p class="muted" { (if closed { page.t("thr-none-closed") } else { page.t("chan-no-threads") }) }
                } @else {
                    (thread_items(&page, &threads))
                }
                @if !c.observer {
                    details class="chan-new" {
                        summary class="button primary" data-testid="care-new-thread" { (page.t("care-new-message")) }
                        (new_thread_form(&page, &format!("/channels/{}/threads", c.id), false, None))
                    }
                }
            }
            aside class="chan-side" {
                section class="card" aria-labelledby="care-people-title" {
                    h2 id="care-people-title" { (page.t("care-people")) }
                    (participants_list(&page, &c, false))
                }
                (pinned_section(&page, &docs, false, &[], &c.id))
            }
        }
    };
    app_layout(&state, &page, &view, &c.title, content).await
}
