//! Workplaces on the network (SPEC 3): browse them, open one (who works
//! there, its teams for members of its organization), join or leave it,
//! keep it in one's directory, and create an independent one.

use super::parts::{button_form, kind_label, net_layout, person_item, place_icon, Back, Tab};
use crate::error_page::failure_page;
use crate::extract::WebSession;
use crate::guard::RouteList;
use crate::ui::page::{error_notice, redirect_with_flash, require_ready, Page, Ready};
use crate::WebState;
use axum::extract::{Form, Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use cercle_app::accounts::SessionView;
use cercle_app::network::directory::{self, DirectoryEntry};
use cercle_app::network::workplaces::{self, NewWorkplace, PAGE_SIZE};
use cercle_app::AppError;
use cercle_domain::policy::Principal;
use maud::{html, Markup};
use serde::Deserialize;

/// Professionals only (see `crate::guard`).
pub fn routes() -> RouteList {
    RouteList::new()
        .route("/network/workplaces", get(browse).post(create))
        .route("/network/workplaces/{id}", get(show))
        .route("/network/workplaces/{id}/join", post(join))
        .route("/network/workplaces/{id}/leave", post(leave))
        .route("/network/workplaces/{id}/directory", post(add_to_directory))
        .route("/network/workplaces/{id}/directory/remove", post(remove_from_directory))
}

const KINDS: &[&str] = &["clinic", "pharmacy", "hospital", "community", "other"];

fn href(id: impl std::fmt::Display) -> String {
    format!("/network/workplaces/{id}")
}

// ---------- browse and create ----------

#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    #[serde(default)]
    page: String,
}

/// What the creation form holds (kept as typed when refused).
#[derive(Debug, Default, Deserialize)]
pub struct CreateForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    phone: String,
}

fn create_form(page: &Page, f: &CreateForm, error: Option<&AppError>) -> Markup {
    let kind = if f.kind.is_empty() { "clinic" } else { f.kind.as_str() };
    html! {
        details class="card net-create" id="create" open[error.is_some()] {
            summary { (page.t("net-workplace-create")) }
            p class="hint" { (page.t("net-workplace-create-hint")) }
            @if let Some(e) = error { (error_notice(page.lang, e)) }
            form method="post" action="/network/workplaces" class="grid-form" novalidate {
                (page.csrf_field())
                div class="field" {
                    label for="wp-name" { (page.t("net-workplace-name")) }
                    input id="wp-name" name="name" type="text" value=(f.name) required maxlength="120" autocomplete="organization";
                }
                div class="field" {
                    label for="wp-kind" { (page.t("net-workplace-kind")) }
                    select id="wp-kind" name="kind" {
                        @for k in KINDS { option value=(k) selected[*k == kind] { (kind_label(page, k)) } }
                    }
                }
                div class="field" {
                    label for="wp-address" { (page.t("net-workplace-address")) }
                    input id="wp-address" name="address" type="text" value=(f.address) required maxlength="300" autocomplete="street-address";
                }
                div class="field" {
                    label for="wp-phone" { (page.t("net-workplace-phone")) " " span class="muted small" { (page.t("net-optional")) } }
                    input id="wp-phone" name="phone" type="tel" value=(f.phone) maxlength="32" autocomplete="tel";
                }
                div class="actions-row" { button type="submit" class="primary" { (page.t("net-workplace-create-submit")) } }
            }
        }
    }
}

async fn render_browse(
    state: &WebState,
    page: &Page,
    view: &SessionView,
    principal: &Principal,
    n: u32,
    form: &CreateForm,
    error: Option<AppError>,
) -> Response {
    let list = workplaces::browse(&state.ctx, principal, n - 1).await;
    let content = html! {
        h1 { (page.t("net-workplaces-title")) }
        p class="lead" { (page.t("net-workplaces-lead")) }
        (create_form(page, form, error.as_ref()))
        @match &list {
            Err(e) => { (error_notice(page.lang, e)) }
            Ok(list) => {
                section class="card" {
                    h2 { (page.t("net-workplaces-all")) }
                    @if list.is_empty() {
                        p class="muted" { (page.t("net-workplaces-none")) }
                    } @else {
                        ul class="net-list" data-testid="workplaces" {
                            @for w in list {
                                li class="net-item" data-kind="workplace" data-id=(w.id) {
                                    (place_icon(false))
                                    div class="net-item-main" {
                                        a class="net-name" href=(href(w.id)) { (w.name) }
                                        div class="muted small" {
                                            (kind_label(page, &w.kind))
                                            @if !w.address.is_empty() { " · " (w.address) }
                                        }
                                        div class="net-badges" {
                                            @match &w.organization {
                                                Some(o) => span class="badge muted-badge" { (o) },
                                                None => span class="badge muted-badge" { (page.t("net-independent")) },
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                    @let more = list.len() as i64 >= PAGE_SIZE;
                    @if n > 1 || more {
                        nav class="net-pager" aria-label=(page.t("net-pages")) {
                            @if n > 1 {
                                a class="button secondary small" rel="prev" href=(format!("/network/workplaces?page={}", n - 1)) { "← " (page.t("net-previous")) }
                            } @else { span {} }
                            span class="muted small" { (page.ta("net-page-n", &[("page", &n.to_string())])) }
                            @if more {
                                a class="button secondary small" rel="next" href=(format!("/network/workplaces?page={}", n + 1)) { (page.t("net-next")) " →" }
                            } @else { span {} }
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
        Tab::Workplaces,
        &page.t("net-workplaces-title"),
        content,
    )
    .await
}

async fn browse(
    State(state): State<WebState>,
    page: Page,
    Ready { view, principal }: Ready,
    Query(q): Query<PageQuery>,
) -> Response {
    let n = q.page.parse::<u32>().unwrap_or(1).clamp(1, 10_000);
    render_browse(&state, &page, &view, &principal, n, &CreateForm::default(), None).await
}

async fn create(
    State(state): State<WebState>,
    page: Page,
    Ready { view, principal }: Ready,
    Form(f): Form<CreateForm>,
) -> Response {
    let input = NewWorkplace {
        name: f.name.clone(),
        kind: f.kind.clone(),
        address: f.address.clone(),
        phone: Some(f.phone.trim().to_string()).filter(|p| !p.is_empty()),
    };
    match workplaces::create(&state.ctx, &page.client, &principal, &input).await {
        Ok(w) => redirect_with_flash(&state, &href(w.id), "net-workplace-created"),
        Err(e) => render_browse(&state, &page, &view, &principal, 1, &f, Some(e)).await,
    }
}

// ---------- one workplace ----------

async fn render_show(
    state: &WebState,
    page: &Page,
    view: &SessionView,
    principal: &Principal,
    id: &str,
    error: Option<AppError>,
) -> Response {
    let shown = match id.parse() {
        Ok(id) => workplaces::show(&state.ctx, principal, id, page.lang).await,
        Err(e) => Err(e.into()),
    };
    let w = match shown {
        Ok(w) => w,
        Err(e) => return failure_page(page.lang, &e),
    };
    let place = &w.workplace;
    let here = href(place.id);
    let search_here = format!(
        "/network?{}",
        serde_urlencoded::to_string([("workplace", place.id.to_string())]).unwrap_or_default()
    );
    let content = html! {
        section class="card net-profile" {
            div class="net-head" {
                (place_icon(true))
                div class="net-head-text" {
                    h1 data-testid="workplace-name" { (place.name) }
                    p class="muted net-tight" {
                        (kind_label(page, &place.kind)) " · "
                        @match &place.organization {
                            Some(o) => (o),
                            None => (page.t("net-independent")),
                        }
                    }
                    @if !place.address.is_empty() { p class="net-tight" { (place.address) } }
                    @if let Some(phone) = &place.phone {
                        p class="net-tight" { a href=(format!("tel:{phone}")) { (super::parts::pretty_phone(phone)) } }
                    }
                    div class="net-badges" {
                        @if w.i_work_here { span class="badge net-ok" data-testid="i-work-here" { (page.t("net-i-work-here")) } }
                        @if w.in_directory { span class="badge net-dir" { (page.t("net-in-directory")) } }
                    }
                }
            }
            @if let Some(e) = &error { (error_notice(page.lang, e)) }
            div class="row net-profile-actions" {
                @if w.i_work_here {
                    (button_form(page, &format!("{here}/leave"), None, "secondary", page.t("net-workplace-leave"), Some(&page.ta("net-workplace-leave-confirm", &[("workplace", &place.name)]))))
                } @else if w.may_join {
                    (button_form(page, &format!("{here}/join"), None, "primary net-inline", page.t("net-workplace-join"), None))
                }
                @if w.in_directory {
                    (button_form(page, &format!("{here}/directory/remove"), None, "secondary", page.t("net-directory-remove"), None))
                } @else {
                    (button_form(page, &format!("{here}/directory"), None, "secondary", page.t("net-directory-add"), None))
                }
                a class="button secondary" href=(search_here) { (page.t("net-search-here")) }
            }
        }
        section class="card" id="members" {
            h2 { (page.t("net-workplace-members")) " (" (w.members.len()) ")" }
            @if w.members.is_empty() {
                p class="muted" { (page.t("net-workplace-no-members")) }
            } @else {
                ul class="net-list" data-testid="members" {
                    @for m in &w.members { (person_item(page, m, html! {}, html! {})) }
                }
            }
        }
        @if !w.teams.is_empty() {
            section class="card" id="teams" {
                h2 { (page.t("net-workplace-teams")) }
                ul class="items" {
                    @for t in &w.teams { li { span { (t.name) } } }
                }
            }
        }
    };
    net_layout(state, page, view, principal, Tab::Workplaces, &place.name, content).await
}

async fn show(
    State(state): State<WebState>,
    page: Page,
    Ready { view, principal }: Ready,
    Path(id): Path<String>,
) -> Response {
    render_show(&state, &page, &view, &principal, &id, None).await
}

/// Runs one button's service call: back to `next` (or the workplace) with a
/// notice; a refusal shows the workplace with the error.
macro_rules! place_action {
    ($state:ident, $page:ident, $session:ident, $id:ident, $back:ident, |$p:ident| $call:expr, $flash:literal) => {{
        let (view, $p) = match require_ready($session) {
            Ok(v) => v,
            Err(r) => return r,
        };
        match $call.await {
            Ok(()) => redirect_with_flash(&$state, &$back.or(&href(&$id)), $flash),
            Err(e) => render_show(&$state, &$page, &view, &$p, &$id, Some(e)).await,
        }
    }};
}

async fn join(
    State(state): State<WebState>,
    page: Page,
    session: Option<WebSession>,
    Path(id): Path<String>,
    Form(back): Form<Back>,
) -> Response {
    place_action!(
        state,
        page,
        session,
        id,
        back,
        |p| async { workplaces::join(&state.ctx, &page.client, &p, id.parse()?).await },
        "net-workplace-joined"
    )
}

async fn leave(
    State(state): State<WebState>,
    page: Page,
    session: Option<WebSession>,
    Path(id): Path<String>,
    Form(back): Form<Back>,
) -> Response {
    place_action!(
        state,
        page,
        session,
        id,
        back,
        |p| async { workplaces::leave(&state.ctx, &page.client, &p, id.parse()?).await },
        "net-workplace-left"
    )
}

async fn add_to_directory(
    State(state): State<WebState>,
    page: Page,
    session: Option<WebSession>,
    Path(id): Path<String>,
    Form(back): Form<Back>,
) -> Response {
    place_action!(
        state,
        page,
        session,
        id,
        back,
        |p| async { directory::add(&state.ctx, &p, DirectoryEntry::Workplace(id.parse()?)).await },
        "net-directory-added"
    )
}

async fn remove_from_directory(
    State(state): State<WebState>,
    page: Page,
    session: Option<WebSession>,
    Path(id): Path<String>,
    Form(back): Form<Back>,
) -> Response {
    place_action!(
        state,
        page,
        session,
        id,
        back,
        |p| async { directory::remove(&state.ctx, &p, DirectoryEntry::Workplace(id.parse()?)).await },
        "net-directory-removed"
    )
}
