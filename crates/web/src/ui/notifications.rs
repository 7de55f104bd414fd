//! The notification centre and notification preferences (SPEC 9), and the
//! mute button of a thread. Texts are generic ("New message in a clinical
//! thread"): the link goes through the usual access checks when opened.

use crate::ui::page::{app_layout, error_notice, icon, redirect_with_flash, Page, Ready};

use crate::error_page::failure_page;
use crate::WebState;
use axum::extract::{Form, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use cercle_app::accounts::SessionView;
use cercle_app::notifications::{self, NotificationView};
use cercle_app::AppError;
use cercle_domain::policy::Principal;
use maud::{html, Markup};
use serde::Deserialize;

const HERE: &str = "/notifications";
const PREFS: &str = "/notifications/preferences";

pub fn routes() -> Router<WebState> {
    Router::new()
        .route(HERE, get(centre))
        .route("/notifications/read-all", post(read_all))
        .route("/notifications/{id}/open", post(open))
        .route(PREFS, get(preferences).post(save_preferences))
        .route("/threads/{id}/mute", post(mute))
}

async fn centre(State(state): State<WebState>, page: Page, Ready { view, principal }: Ready) -> Response {
    let list = notifications::list(&state.ctx, &principal, page.lang).await;
    let content = html! {
        div class="thr-list-head" {
            h1 { (page.t("notif-title")) }
            div class="notif-actions" {
                a class="button secondary small" href=(PREFS) { (page.t("notif-preferences")) }
                @if list.as_ref().is_ok_and(|l| l.unread > 0) {
                    form method="post" action="/notifications/read-all" {
                        (page.csrf_field())
                        button type="submit" class="secondary small" data-testid="notif-read-all" { (page.t("notif-mark-all-read")) }
                    }
                }
            }
        }
        // Swapped for a fresh copy when a notification arrives live.
        div id="notif-centre-list" data-testid="notif-centre" {
        @match &list {
            Err(e) => { (error_notice(page.lang, e)) }
            Ok(l) if l.items.is_empty() => {
                div class="empty card" data-testid="notif-empty" {
                    (icon("bell"))
                    p { strong { (page.t("notif-empty")) } }
                    p class="muted" { (page.t("notif-empty-hint")) }
                }
            }
            Ok(l) => {
                p class="muted" data-testid="notif-unread" { (page.ta("notif-unread-count", &[("count", &l.unread.to_string())])) }
                ul class="notif-list" data-testid="notifications" {
                    @for n in &l.items { (item(&page, n)) }
                }
            }
        }
        }
    };
    app_layout(&state, &page, &view, &page.t("notif-title"), content).await
}

fn item(page: &Page, n: &NotificationView) -> Markup {
    html! {
        li class={"notif-item" @if !n.read { " unread" } @if n.high_priority { " urgent" }}
           data-kind=(n.kind) data-read=(n.read) {
            form method="post" action=(format!("/notifications/{}/open", n.id)) {
                (page.csrf_field())
                button type="submit" class="notif-open linklike" {
                    @if !n.read { span class="visually-hidden" { (page.t("notif-unread")) ", " } }
                    strong class="notif-text" { (n.text) }
                }
            }
            div class="muted small" {
                @if let Some(name) = &n.actor_name { (page.ta("notif-by", &[("name", name)])) " · " }
                @if n.count > 1 { (page.ta("notif-folded", &[("count", &n.count.to_string())])) " · " }
                (page.date_time(n.updated_at))
            }
        }
    }
}

async fn read_all(State(state): State<WebState>, page: Page, Ready { principal, .. }: Ready) -> Response {
    match notifications::mark_all_read(&state.ctx, &principal).await {
        Ok(_) => Redirect::to(HERE).into_response(),
        Err(e) => failure_page(page.lang, &e),
    }
}

/// Marks the notification read and follows its link (always a path within
/// Cercle: the notification centre never sends anyone elsewhere).
async fn open(
    State(state): State<WebState>,
    page: Page,
    Ready { principal, .. }: Ready,
    Path(id): Path<String>,
) -> Response {
    let opened = match id.parse() {
        Ok(id) => notifications::open(&state.ctx, &principal, id).await,
        Err(e) => Err(e.into()),
    };
    match opened {
        Ok(link) if cercle_app::push::is_local_path(&link) => Redirect::to(&link).into_response(),
        Ok(_) => Redirect::to(HERE).into_response(),
        Err(e) => failure_page(page.lang, &e),
    }
}

fn delay_label(page: &Page, mins: i64) -> String {
    if mins >= 60 && mins % 60 == 0 {
        page.ta("notif-prefs-delay-hours", &[("count", &(mins / 60).to_string())])
    } else {
        page.ta("notif-prefs-delay-mins", &[("count", &mins.to_string())])
    }
}

async fn preferences(State(state): State<WebState>, page: Page, Ready { view, principal }: Ready) -> Response {
    render_preferences(&state, &page, &view, &principal, None).await
}

async fn render_preferences(
    state: &WebState,
    page: &Page,
    view: &SessionView,
    principal: &Principal,
    error: Option<AppError>,
) -> Response {
    let prefs = notifications::preferences(&state.ctx, principal, page.lang).await;
    let content = html! {
        h1 { (page.t("notif-preferences")) }
        p class="lead" { (page.t("notif-prefs-intro")) }
        @if let Some(e) = &error { (error_notice(page.lang, e)) }
        @match &prefs {
            Err(e) => { (error_notice(page.lang, e)) }
            Ok(p) => {
                section class="card" data-testid="notif-prefs" {
                    form method="post" action=(PREFS) {
                        (page.csrf_field())
                        div class="field" {
                            label class="netp-check" {
                                input type="checkbox" name="email_alerts" value="on" checked[p.email_alerts] data-testid="notif-email";
                                " " (page.t("notif-prefs-email"))
                            }
                        }
                        div class="field" {
                            label for="notif-delay" { (page.t("notif-prefs-delay")) }
                            select id="notif-delay" name="email_delay_mins" data-testid="notif-delay" {
                                @for d in &p.delay_choices {
                                    option value=(d) selected[*d == p.email_delay_mins] { (delay_label(page, *d)) }
                                }
                            }
                        }
                        button type="submit" class="primary" data-testid="notif-save" { (page.t("notif-prefs-save")) }
                    }
                    p class="hint" {
                        @if p.has_phone { (page.t("notif-prefs-sms")) } @else { (page.t("notif-prefs-no-phone")) }
                    }
                }
                section class="card" {
                    h2 { (page.t("notif-prefs-push")) }
                    p class="hint" { (page.t("notif-prefs-push-hint")) " " a href="/security" { (page.t("nav-security")) } }
                }
                section class="card" data-testid="notif-muted" {
                    h2 { (page.t("notif-prefs-muted")) }
                    @if p.muted.is_empty() {
                        p class="muted" { (page.t("notif-prefs-muted-none")) }
                    } @else {
                        ul class="net-list" {
                            @for m in &p.muted {
                                li class="net-item" {
                                    div class="net-item-main" { a href=(format!("/threads/{}", m.thread_id)) { (m.title) } }
                                    form method="post" action=(format!("/threads/{}/mute", m.thread_id)) class="net-actions" {
                                        (page.csrf_field())
                                        input type="hidden" name="muted" value="false";
                                        input type="hidden" name="next" value=(PREFS);
                                        button type="submit" class="secondary small" { (page.t("notif-unmute")) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    app_layout(state, page, view, &page.t("notif-preferences"), content).await
}

#[derive(Deserialize)]
struct PrefsForm {
    #[serde(default)]
    email_alerts: Option<String>,
    #[serde(default)]
    email_delay_mins: String,
}

async fn save_preferences(
    State(state): State<WebState>,
    page: Page,
    Ready { view, principal }: Ready,
    Form(f): Form<PrefsForm>,
) -> Response {
    let delay = f.email_delay_mins.trim().parse::<i64>().unwrap_or(-1);
    let on = f.email_alerts.as_deref() == Some("on");
    match notifications::set_preferences(&state.ctx, &principal, on, delay).await {
        Ok(()) => redirect_with_flash(&state, PREFS, "notif-prefs-saved"),
        Err(e) => render_preferences(&state, &page, &view, &principal, Some(e)).await,
    }
}

#[derive(Deserialize)]
struct MuteForm {
    #[serde(default)]
    muted: String,
    /// Where to go back to: the thread (default) or the preferences page.
    #[serde(default)]
    next: String,
}

async fn mute(
    State(state): State<WebState>,
    page: Page,
    Ready { principal, .. }: Ready,
    Path(id): Path<String>,
    Form(f): Form<MuteForm>,
) -> Response {
    let muted = f.muted == "true";
    let Ok(thread_id) = id.parse() else {
        return failure_page(page.lang, &AppError::NotFound);
    };
    match notifications::set_muted(&state.ctx, &principal, thread_id, muted).await {
        Ok(()) => {
            let back = if f.next == PREFS {
                PREFS.to_string()
            } else {
                format!("/threads/{id}")
            };
            redirect_with_flash(
                &state,
                &back,
                if muted {
                    "notif-muted-flash"
                } else {
                    "notif-unmuted-flash"
                },
            )
        }
        Err(e) => failure_page(page.lang, &e),
    }
}

/// The thread page's mute button (and what muting means, once muted).
pub(crate) fn mute_control(page: &Page, thread_id: &str, muted: bool) -> Markup {
    html! {
        div class="notif-mute" data-testid="thread-mute" data-muted=(muted) {
            @if muted { span class="muted small" { (page.t("notif-muted")) } }
            form method="post" action=(format!("/threads/{thread_id}/mute")) {
                (page.csrf_field())
                input type="hidden" name="muted" value=(if muted { "false" } else { "true" });
                button type="submit" class="secondary small" data-testid="mute-toggle" {
                    (icon("bell")) " " (page.t(if muted { "notif-unmute" } else { "notif-mute" }))
                }
            }
        }
    }
}
