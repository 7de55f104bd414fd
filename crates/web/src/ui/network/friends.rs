//! Friends (SPEC 3): requests waiting for my answer (accept or ignore),
//! the requests I sent (shown as sent, whatever became of them) and my
//! friends.

use super::parts::{button_form, person_item, Back};
use super::parts::{net_layout, Tab};
use crate::guard::RouteList;
use crate::ui::page::{error_notice, redirect_with_flash, Page, Ready};
use crate::WebState;
use axum::extract::{Form, Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use cercle_app::accounts::SessionView;
use cercle_app::network::friends;
use cercle_app::AppError;
use cercle_domain::policy::Principal;
use maud::html;

/// Professionals only (see `crate::guard`).
pub fn routes() -> RouteList {
    RouteList::new()
        .route("/network/friends", get(show))
        .route("/network/friends/{id}/accept", post(accept))
        .route("/network/friends/{id}/ignore", post(ignore))
}

const HERE: &str = "/network/friends";

async fn render(
    state: &WebState,
    page: &Page,
    view: &SessionView,
    principal: &Principal,
    error: Option<AppError>,
) -> Response {
    let overview = friends::overview(&state.ctx, principal, page.lang).await;
    let content = html! {
        h1 { (page.t("net-friends-title")) }
        p class="lead" { (page.t("net-friends-lead")) }
        @if let Some(e) = &error { (error_notice(page.lang, e)) }
        @match &overview {
            Err(e) => { (error_notice(page.lang, e)) }
            Ok(f) => {
                @if !f.incoming.is_empty() {
                    section class="card net-incoming" id="incoming" {
                        h2 { (page.t("net-incoming")) " (" (f.incoming.len()) ")" }
                        ul class="net-list" data-testid="incoming" {
                            @for r in &f.incoming {
                                (person_item(page, &r.person, html! {}, html! {
                                    (button_form(page, &format!("/network/friends/{}/accept", r.id), None, "primary small net-inline", html! { (page.t("net-request-accept")) span class="visually-hidden" { " " (r.person.name) } }, None))
                                    (button_form(page, &format!("/network/friends/{}/ignore", r.id), None, "secondary small", html! { (page.t("net-request-ignore")) span class="visually-hidden" { " " (r.person.name) } }, None))
                                }))
                            }
                        }
                        p class="hint net-after" { (page.t("net-ignore-hint")) }
                    }
                }
                section class="card" id="friends" {
                    h2 { (page.t("net-friends-list")) " (" (f.friends.len()) ")" }
                    @if f.friends.is_empty() {
                        p class="muted" data-testid="no-friends" { (page.t("net-no-friends")) }
                    } @else {
                        ul class="net-list" data-testid="friends" {
                            @for p in &f.friends {
                                (person_item(page, p, html! { span class="badge net-friend" { (page.t("net-friend")) } }, html! {}))
                            }
                        }
                    }
                }
                @if !f.outgoing.is_empty() {
                    section class="card" id="outgoing" {
                        h2 { (page.t("net-outgoing")) " (" (f.outgoing.len()) ")" }
                        ul class="net-list" data-testid="outgoing" {
                            @for r in &f.outgoing {
                                (person_item(page, &r.person, html! { span class="badge net-pending" { (page.t("net-request-sent")) } }, html! {
                                    (button_form(page, &format!("/network/people/{}/withdraw", r.person.id), Some(HERE), "secondary small", html! { (page.t("net-request-withdraw")) span class="visually-hidden" { " " (r.person.name) } }, None))
                                }))
                            }
                        }
                    }
                }
            }
        }
    };
    net_layout(
        state,
        page,
        view,
        principal,
        Tab::Friends,
        &page.t("net-friends-title"),
        content,
    )
    .await
}

async fn show(State(state): State<WebState>, page: Page, Ready { view, principal }: Ready) -> Response {
    render(&state, &page, &view, &principal, None).await
}

async fn accept(
    State(state): State<WebState>,
    page: Page,
    Ready { view, principal }: Ready,
    Path(id): Path<String>,
    Form(back): Form<Back>,
) -> Response {
    let done = match id.parse() {
        Ok(id) => friends::accept(&state.ctx, &page.client, &principal, id).await,
        Err(e) => Err(e.into()),
    };
    match done {
        Ok(()) => redirect_with_flash(&state, &back.or(HERE), "net-friend-accepted"),
        Err(e) => render(&state, &page, &view, &principal, Some(e)).await,
    }
}

async fn ignore(
    State(state): State<WebState>,
    page: Page,
    Ready { view, principal }: Ready,
    Path(id): Path<String>,
    Form(back): Form<Back>,
) -> Response {
    let done = match id.parse() {
        Ok(id) => friends::ignore(&state.ctx, &page.client, &principal, id).await,
        Err(e) => Err(e.into()),
    };
    match done {
        Ok(()) => redirect_with_flash(&state, &back.or(HERE), "net-friend-ignored"),
        Err(e) => render(&state, &page, &view, &principal, Some(e)).await,
    }
}
