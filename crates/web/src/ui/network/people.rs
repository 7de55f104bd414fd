//! A person's profile as others see it, their photo, and the buttons that
//! put them in one's directory or ask them as a friend. Also the small
//! pieces every network list shares (avatar, profession badges).

use super::parts::{avatar, button_form, kind_label, net_layout, person_href, pretty_phone, Back, Tab};
use crate::error_page::failure_page;
use crate::extract::WebSession;
use crate::guard::RouteList;
use crate::ui::page::{error_notice, redirect_with_flash, require_ready, Page, Ready};
use crate::WebState;
use axum::extract::{Form, Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use cercle_app::accounts::SessionView;
use cercle_app::network::directory::{self, DirectoryEntry};
use cercle_app::network::friends::{self, FriendState};
use cercle_app::network::professions::Status;
use cercle_app::network::profile;
use cercle_app::AppError;
use cercle_domain::policy::Principal;
use maud::{html, Markup};

/// Professionals only (see `crate::guard`).
pub fn routes() -> RouteList {
    RouteList::new()
        .route("/network/people/{id}", get(show))
        .route("/network/people/{id}/directory", post(add_to_directory))
        .route("/network/people/{id}/directory/remove", post(remove_from_directory))
        .route("/network/people/{id}/friend", post(request_friend))
        .route("/network/people/{id}/unfriend", post(unfriend))
        .route("/network/people/{id}/withdraw", post(withdraw))
}

/// Photos beside names, on pages everyone signed in sees (the service decides who sees which).
pub fn shared_routes() -> Router<WebState> {
    Router::new().route("/network/people/{id}/photo", get(photo))
}

// ---------- the profile ----------

fn status_badge(page: &Page, status: Status) -> Markup {
    let (class, id) = match status {
        Status::Validated => ("badge net-ok", "net-status-validated"),
        Status::Pending => ("badge net-pending", "net-status-pending"),
        Status::Unverified => ("badge muted-badge", "net-status-unverified"),
        Status::Rejected => ("badge warn", "net-status-rejected"),
    };
    html! { span class=(class) { (page.t(id)) } }
}

/// A language code as a name: the ones we translate, otherwise the code.
fn language_name(page: &Page, code: &str) -> String {
    let id = format!("language-{code}");
    if cercle_i18n::translations().has(page.lang, &id) {
        page.t(&id)
    } else {
        code.to_uppercase()
    }
}

/// A free text of the profile, kept as typed (line breaks shown), escaped.
fn text_block(page: &Page, title_id: &str, text: &str) -> Markup {
    html! {
        @if !text.trim().is_empty() {
            dt { (page.t(title_id)) }
            dd class="net-text" { (text) }
        }
    }
}

async fn render_profile(
    state: &WebState,
    page: &Page,
    view: &SessionView,
    principal: &Principal,
    id: &str,
    error: Option<AppError>,
) -> Response {
    let viewed = match id.parse() {
        Ok(id) => profile::view(&state.ctx, principal, id, page.lang).await,
        Err(e) => Err(e.into()),
    };
    let p = match viewed {
        Ok(p) => p,
        Err(e) => return failure_page(page.lang, &e),
    };
    let rel = &p.relation;
    let here = person_href(p.id);
    // Answering a request from the profile needs the request's id.
    let request_id = if rel.friend == FriendState::RequestReceived {
        friends::overview(&state.ctx, principal, page.lang)
            .await
            .ok()
            .and_then(|f| f.incoming.into_iter().find(|r| r.person.id == p.id))
            .map(|r| r.id)
    } else {
        None
    };
    let empty = p.presentation.trim().is_empty()
        && p.diplomas.trim().is_empty()
        && p.competencies.trim().is_empty()
        && p.contact.trim().is_empty()
        && p.languages.is_empty();
    let content = html! {
        section class="card net-profile" {
            div class="net-head" {
                (avatar(p.id, &p.name, p.photo_version, true))
                div class="net-head-text" {
                    h1 data-testid="profile-name" { (p.name) }
                    @if let Some(a) = &p.absent_until { p class="notice" data-testid="absent-until" { (crate::ui::availability::absent_until(&page.time, a)) } }
                    @if p.professions.is_empty() {
                        p class="muted small" { (page.t("net-no-profession")) }
                    } @else {
                        ul class="net-professions" {
                            @for prof in &p.professions {
                                li { span class="net-profession-name" { (prof.name) } " " (status_badge(page, prof.status)) }
                            }
                        }
                    }
                    div class="net-badges" {
                        @if rel.colleague { span class="badge net-colleague" { (page.t("net-colleague")) } }
                        @if rel.friend == FriendState::Friends { span class="badge net-friend" { (page.t("net-friend")) } }
                        @if rel.in_directory { span class="badge net-dir" { (page.t("net-in-directory")) } }
                    }
                }
            }
            @if let Some(e) = &error { (error_notice(page.lang, e)) }
            div class="row net-profile-actions" {
                @if rel.is_self {
                    a class="button secondary" href="/network/profile" { (page.t("net-edit-my-profile")) }
                } @else {
                    @if rel.in_directory {
                        (button_form(page, &format!("{here}/directory/remove"), None, "secondary", page.t("net-directory-remove"), None))
                    } @else {
                        (button_form(page, &format!("{here}/directory"), None, "secondary", page.t("net-directory-add"), None))
                    }
                    @match rel.friend {
                        FriendState::None => {
                            (button_form(page, &format!("{here}/friend"), None, "primary net-inline", page.t("net-friend-request"), None))
                        }
                        FriendState::RequestSent => {
                            span class="badge net-pending" data-testid="friend-state" { (page.t("net-request-sent")) }
                            (button_form(page, &format!("{here}/withdraw"), None, "linklike net-link", page.t("net-request-withdraw"), None))
                        }
                        FriendState::RequestReceived => {
                            span class="badge net-pending" data-testid="friend-state" { (page.ta("net-request-received", &[("name", &p.name)])) }
                            @if let Some(rid) = &request_id {
                                (button_form(page, &format!("/network/friends/{rid}/accept"), Some(&here), "primary net-inline", page.t("net-request-accept"), None))
                                (button_form(page, &format!("/network/friends/{rid}/ignore"), Some(&here), "secondary", page.t("net-request-ignore"), None))
                            }
                        }
                        FriendState::Friends => {
                            span class="badge net-friend" data-testid="friend-state" { (page.t("net-friends-already")) }
                            (button_form(page, &format!("/threads/direct/{}", p.id), None, "primary net-inline", page.t("thr-write"), None))
                            (crate::ui::calls::start_direct_buttons(page, &p.id.to_string()))
                            (button_form(page, &format!("{here}/unfriend"), None, "linklike net-link danger-link", page.t("net-unfriend"), Some(&page.ta("net-unfriend-confirm", &[("name", &p.name)]))))
                        }
                    }
                }
            }
            @if !rel.is_self && !rel.in_directory {
                p class="hint net-after" { (page.t("net-directory-private")) }
            }
        }
        @if let Some(phone) = &p.shared_phone {
            section class="card" id="shared-phone" {
                h2 { (page.t("net-shared-phone")) }
                p { a class="net-phone" href=(format!("tel:{phone}")) data-testid="shared-phone" { (pretty_phone(phone)) } }
                p class="hint net-after" { @if rel.is_self { (page.t("net-shared-phone-self")) } @else { (page.t("net-shared-phone-friend")) } }
            }
        }
        section class="card" id="about" {
            h2 { (page.t("net-about")) }
            @if empty {
                p class="muted" { (page.t("net-profile-empty")) }
            } @else {
                dl class="facts net-facts" {
                    (text_block(page, "net-presentation", &p.presentation))
                    (text_block(page, "net-diplomas", &p.diplomas))
                    (text_block(page, "net-competencies", &p.competencies))
                    (text_block(page, "net-contact", &p.contact))
                    @if !p.languages.is_empty() {
                        dt { (page.t("net-languages")) }
                        dd { (p.languages.iter().map(|l| language_name(page, l)).collect::<Vec<_>>().join(", ")) }
                    }
                }
            }
        }
        section class="card" id="workplaces" {
            h2 { (page.t("net-workplaces-of")) }
            @if p.workplaces.is_empty() {
                p class="muted" { (page.t("net-no-workplace")) }
            } @else {
                ul class="items" {
                    @for w in &p.workplaces {
                        li {
                            div class="item-main" {
                                a href=(format!("/network/workplaces/{}", w.id)) { strong { (w.name) } }
                                div class="muted small" {
                                    (kind_label(page, &w.kind))
                                    @if !w.address.is_empty() { " · " (w.address) }
                                    @if let Some(o) = &w.organization { " · " (o) }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    net_layout(state, page, view, principal, Tab::None, &p.name, content).await
}

async fn show(
    State(state): State<WebState>,
    page: Page,
    Ready { view, principal }: Ready,
    Path(id): Path<String>,
) -> Response {
    render_profile(&state, &page, &view, &principal, &id, None).await
}

/// The photo, for whoever may see the profile (the page's `<img>` cannot
/// send the API's CSRF header: this route takes the web session).
async fn photo(State(state): State<WebState>, session: Option<WebSession>, Path(id): Path<String>) -> Response {
    let Some(principal) = session.and_then(|WebSession(v)| v.principal().ok()) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let Ok(id) = id.parse() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    match profile::photo_of(&state.ctx, &principal, id).await {
        Ok(jpeg) => (
            [
                (header::CONTENT_TYPE, "image/jpeg"),
                (header::CACHE_CONTROL, "private, max-age=3600"),
            ],
            jpeg,
        )
            .into_response(),
        Err(e) => crate::error::status_of(&e).into_response(),
    }
}

/// Runs one button's service call: back to `next` (or the profile) with a
/// notice; a refusal shows the profile with the error.
macro_rules! person_action {
    ($state:ident, $page:ident, $session:ident, $id:ident, $back:ident, |$p:ident| $call:expr, $flash:expr) => {{
        let (view, $p) = match require_ready($session) {
            Ok(v) => v,
            Err(r) => return r,
        };
        match $call.await {
            Ok(flash) => redirect_with_flash(&$state, &$back.or(&person_href(&$id)), $flash(flash)),
            Err(e) => render_profile(&$state, &$page, &view, &$p, &$id, Some(e)).await,
        }
    }};
}

async fn add_to_directory(
    State(state): State<WebState>,
    page: Page,
    session: Option<WebSession>,
    Path(id): Path<String>,
    Form(back): Form<Back>,
) -> Response {
    person_action!(
        state,
        page,
        session,
        id,
        back,
        |p| async { directory::add(&state.ctx, &p, DirectoryEntry::Person(id.parse()?)).await },
        |_| { "net-directory-added" }
    )
}

async fn remove_from_directory(
    State(state): State<WebState>,
    page: Page,
    session: Option<WebSession>,
    Path(id): Path<String>,
    Form(back): Form<Back>,
) -> Response {
    person_action!(
        state,
        page,
        session,
        id,
        back,
        |p| async { directory::remove(&state.ctx, &p, DirectoryEntry::Person(id.parse()?)).await },
        |_| { "net-directory-removed" }
    )
}

async fn request_friend(
    State(state): State<WebState>,
    page: Page,
    session: Option<WebSession>,
    Path(id): Path<String>,
    Form(back): Form<Back>,
) -> Response {
    person_action!(
        state,
        page,
        session,
        id,
        back,
        |p| async { friends::request(&state.ctx, &page.client, &p, id.parse()?).await },
        // They had asked first: now friends.
        |s| if s == FriendState::Friends {
            "net-friend-accepted"
        } else {
            "net-friend-requested"
        }
    )
}

async fn unfriend(
    State(state): State<WebState>,
    page: Page,
    session: Option<WebSession>,
    Path(id): Path<String>,
    Form(back): Form<Back>,
) -> Response {
    person_action!(
        state,
        page,
        session,
        id,
        back,
        |p| async { friends::unfriend(&state.ctx, &page.client, &p, id.parse()?).await },
        |_| { "net-friend-removed" }
    )
}

/// Takes back one's own pending request (the same service as unfriending).
async fn withdraw(
    State(state): State<WebState>,
    page: Page,
    session: Option<WebSession>,
    Path(id): Path<String>,
    Form(back): Form<Back>,
) -> Response {
    person_action!(
        state,
        page,
        session,
        id,
        back,
        |p| async { friends::unfriend(&state.ctx, &page.client, &p, id.parse()?).await },
        |_| { "net-request-withdrawn" }
    )
}
