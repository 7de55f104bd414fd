//! My directory (bottin, SPEC 3): the people and workplaces I keep at hand.
//! Private; adding someone never notifies them.

use super::parts::place_icon;
use super::parts::{button_form, kind_label, person_item};
use super::parts::{net_layout, Tab};
use crate::guard::RouteList;
use crate::ui::page::{error_notice, icon, Page, Ready};
use crate::WebState;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use cercle_app::network::directory;
use maud::{html, Markup};

/// Professionals only (see `crate::guard`).
pub fn routes() -> RouteList {
    RouteList::new().route("/network/directory", get(show))
}

const HERE: &str = "/network/directory";

async fn show(State(state): State<WebState>, page: Page, Ready { view, principal }: Ready) -> Response {
    let list = directory::list(&state.ctx, &principal, page.lang).await;
    let content = html! {
        h1 { (page.t("net-directory-title")) }
        p class="lead" { (page.t("net-directory-private")) }
        @match &list {
            Err(e) => { (error_notice(page.lang, e)) }
            Ok(d) if d.people.is_empty() && d.workplaces.is_empty() => {
                div class="empty card" data-testid="directory-empty" {
                    (icon("network"))
                    p { strong { (page.t("net-directory-empty")) } }
                    p class="muted" { (page.t("net-directory-empty-hint")) }
                    p { a class="button secondary" href="/network" { (page.t("net-search-title")) } }
                }
            }
            Ok(d) => {
                section class="card" id="people" {
                    h2 { (page.t("net-directory-people")) " (" (d.people.len()) ")" }
                    @if d.people.is_empty() {
                        p class="muted" { (page.t("net-directory-no-people")) }
                    } @else {
                        ul class="net-list" data-testid="directory-people" {
                            @for p in &d.people {
                                (person_item(&page, p, html! {}, button_form(&page, &format!("/network/people/{}/directory/remove", p.id), Some(HERE), "secondary small", remove_label(&page, &p.name), None)))
                            }
                        }
                    }
                }
                section class="card" id="places" {
                    h2 { (page.t("net-directory-workplaces")) " (" (d.workplaces.len()) ")" }
                    @if d.workplaces.is_empty() {
                        p class="muted" { (page.t("net-directory-no-workplaces")) }
                    } @else {
                        ul class="net-list" data-testid="directory-workplaces" {
                            @for w in &d.workplaces {
                                li class="net-item" data-kind="workplace" data-id=(w.id) {
                                    (place_icon(false))
                                    div class="net-item-main" {
                                        a class="net-name" href=(format!("/network/workplaces/{}", w.id)) { (w.name) }
                                        div class="muted small" {
                                            (kind_label(&page, &w.kind))
                                            @if !w.address.is_empty() { " · " (w.address) }
                                            @if let Some(o) = &w.organization { " · " (o) }
                                        }
                                    }
                                    div class="net-actions" {
                                        (button_form(&page, &format!("/network/workplaces/{}/directory/remove", w.id), Some(HERE), "secondary small", remove_label(&page, &w.name), None))
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    net_layout(
        &state,
        &page,
        &view,
        &principal,
        Tab::Directory,
        &page.t("net-directory-title"),
        content,
    )
    .await
}

/// "Remove", naming who or what for screen readers.
fn remove_label(page: &Page, name: &str) -> Markup {
    html! { (page.t("net-remove")) span class="visually-hidden" { " " (name) } }
}
