//! The administration console: the network's organizations (network
//! administrators) and, for the active organization, its units,
//! workplaces, teams, members, invitations and audit log. Each area is a
//! page of its own, under a small sub-navigation.
//!
//! Handlers parse the form, call one service and render; the services
//! decide who may do what. The console only hides the areas a person has no
//! role for, and answers 403 there.

/// The admin of this area, or the page that says why not.
macro_rules! admin_or_return {
    ($state:ident, $page:ident, $ready:ident, $tab:expr) => {
        match crate::ui::admin::org_admin(&$state, &$page, $ready, $tab).await {
            Ok(a) => a,
            Err(r) => return r,
        }
    };
}

mod audit;
mod emrs;
mod mail;
mod network;
mod organization;
mod people;
mod services;
mod structure;

use crate::guard::RouteList;
pub(crate) use crate::ui::page::Fields;
use crate::ui::page::{app_layout, error_notice, Page, Ready};
use crate::WebState;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use cercle_app::accounts::SessionView;
use cercle_app::orgs::{OrgScope, Unit};
use cercle_app::AppError;
use cercle_domain::UnitId;
use maud::{html, Markup};
use std::collections::HashMap;

/// Professionals only (see `crate::guard`).
pub fn routes() -> RouteList {
    RouteList::new()
        .route("/admin", get(index))
        .route(
            "/admin/organizations",
            get(network::organizations).post(network::create_organization),
        )
        .route("/admin/organizations/{id}/admin", post(network::invite_admin))
        .route("/admin/network", get(network::activity))
        .route("/admin/mail", get(mail::failed))
        .route("/admin/mail/{id}/send", post(mail::send_again))
        .route("/admin/service-accounts", get(services::list).post(services::create))
        .route("/admin/service-accounts/{id}/keys", post(services::keys))
        .route("/admin/service-accounts/{id}/status", post(services::status))
        .route("/admin/emrs", get(emrs::list).post(emrs::register))
        .route("/admin/emrs/{id}/enabled", post(emrs::set_enabled))
        .route("/admin/units", get(structure::units).post(structure::create_unit))
        .route("/admin/units/{id}/rename", post(structure::rename_unit))
        .route("/admin/units/{id}/move", post(structure::move_unit))
        .route("/admin/units/{id}/archive", post(structure::archive_unit))
        .route(
            "/admin/workplaces",
            get(structure::workplaces).post(structure::create_workplace),
        )
        .route("/admin/workplaces/{id}", post(structure::update_workplace))
        .route("/admin/teams", get(structure::teams).post(structure::create_team))
        .route("/admin/teams/{id}", post(structure::update_team))
        .route("/admin/teams/{id}/members", post(structure::set_team_member))
        .route(
            "/admin/teams/{id}/members/{user_id}/remove",
            post(structure::remove_team_member),
        )
        .route("/admin/members", get(people::members))
        .route("/admin/members/{id}/roles", post(people::grant_role))
        .route("/admin/members/{id}/remove", post(people::remove_member))
        .route("/admin/roles/{id}/revoke", post(people::revoke_role))
        .route("/admin/invitations", get(people::invitations).post(people::invite))
        .route("/admin/invitations/{id}/cancel", post(people::cancel))
        .route("/admin/invitations/{id}/resend", post(people::resend))
        .route("/admin/audit", get(audit::search))
        .route("/admin/audit.csv", get(audit::csv))
        .route("/admin/organization", get(organization::show))
        .route("/admin/organization/time-zone", post(organization::set_time_zone))
}

pub(crate) use super::admin_tabs::{Tab, NETWORK_TABS, ORG_TABS};

/// The console's frame: title, sub-navigation, then the area.
async fn admin_layout(
    state: &WebState,
    page: &Page,
    view: &SessionView,
    scope: Option<&OrgScope>,
    tab: Tab,
    status: StatusCode,
    content: Markup,
) -> Response {
    let network: Vec<Tab> = NETWORK_TABS.into_iter().filter(|t| t.shown(view, scope)).collect();
    let org: Vec<Tab> = ORG_TABS.into_iter().filter(|t| t.shown(view, scope)).collect();
    let title = page.t(tab.label());
    let body = html! {
        div class="admin-head" {
            @if tab != Tab::Console {
                p class="eyebrow" {
                    (page.t("admin-title"))
                    @if tab.permission().is_some() {
                        @if let Some(s) = scope { " · " span data-testid="admin-org" { (s.org_name) } }
                    }
                }
            }
            h1 { (title) }
        }
        @if network.len() + org.len() > 1 {
            nav class="subnav" aria-label=(page.t("admin-title")) {
                @for t in network.iter().chain(org.iter()) {
                    a href=(t.href()) aria-current=[(*t == tab).then_some("page")] { (page.t(t.label())) }
                }
            }
        }
        (content)
    };
    // The window's title says it is the administration's page (the network
    // has a "Workplaces" page too).
    let window_title = match tab {
        Tab::Console => title.clone(),
        _ => format!("{title} · {}", page.t("admin-title")),
    };
    let resp = app_layout(state, page, view, &window_title, body).await;
    (status, resp).into_response()
}

/// A refusal in place of an area (no active organization, no role there…).
async fn refusal(
    state: &WebState,
    page: &Page,
    view: &SessionView,
    scope: Option<&OrgScope>,
    tab: Tab,
    e: &AppError,
) -> Response {
    let content = html! {
        (error_notice(page.lang, e))
        @if matches!(e, AppError::NoActiveOrganization) { p class="muted" { (page.t("admin-no-org-hint")) } }
    };
    admin_layout(state, page, view, scope, tab, crate::error::status_of(e), content).await
}

/// A ready person in their active organization, with a role for this area.
pub struct Admin {
    pub view: SessionView,
    pub scope: OrgScope,
}

/// The person and their organization, or the page that says why not.
async fn org_admin(state: &WebState, page: &Page, ready: Ready, tab: Tab) -> Result<Admin, Response> {
    let Ready { view, principal } = ready;
    let scope = match OrgScope::of(&state.ctx, &principal).await {
        Ok(s) => s,
        Err(e) => return Err(refusal(state, page, &view, None, tab, &e).await),
    };
    if !tab.shown(&view, Some(&scope)) {
        return Err(refusal(state, page, &view, Some(&scope), tab, &AppError::Forbidden).await);
    }
    Ok(Admin { view, scope })
}

/// `/admin`: the first area the person has.
async fn index(
    axum::extract::State(state): axum::extract::State<WebState>,
    page: Page,
    Ready { view, principal }: Ready,
) -> Response {
    let scope = OrgScope::of(&state.ctx, &principal).await;
    let first = ORG_TABS
        .into_iter()
        .chain(NETWORK_TABS)
        .find(|t| t.shown(&view, scope.as_ref().ok()));
    match (first, scope) {
        (Some(t), _) => Redirect::to(t.href()).into_response(),
        (None, Err(e)) => refusal(&state, &page, &view, None, Tab::Console, &e).await,
        (None, Ok(s)) => refusal(&state, &page, &view, Some(&s), Tab::Console, &AppError::Forbidden).await,
    }
}

// ---------- forms ----------

/// What a post adds to the page it re-renders: the refusal, shown in the
/// part of the page (`key`) that caused it, with what was typed.
#[derive(Default)]
pub struct Extra {
    error: Option<(String, AppError)>,
    draft: Fields,
}

impl Extra {
    pub fn error(key: impl Into<String>, e: AppError, draft: Fields) -> Self {
        Extra {
            error: Some((key.into(), e)),
            draft,
        }
    }
    pub fn notice(&self, page: &Page, key: &str) -> Markup {
        match &self.error {
            Some((k, e)) if k == key => error_notice(page.lang, e),
            _ => html! {},
        }
    }
    /// Whether the part `key` caused the refusal (to show it open).
    pub fn at(&self, key: &str) -> bool {
        self.error.as_ref().is_some_and(|(k, _)| k == key)
    }
    /// What was typed in `name` on the form `key`, else `default`.
    pub fn value<'a>(&'a self, key: &str, name: &str, default: &'a str) -> &'a str {
        if self.at(key) {
            self.draft.get(name)
        } else {
            default
        }
    }
    pub fn checked(&self, key: &str, name: &str, value: &str, default: bool) -> bool {
        if self.at(key) {
            self.draft.all(name).contains(&value)
        } else {
            default
        }
    }
    pub fn status(&self) -> StatusCode {
        match &self.error {
            Some((_, e)) => crate::error::status_of(e),
            None => StatusCode::OK,
        }
    }
}

/// A labelled text input (`id` unique on the page).
pub fn input(label: &str, id: &str, name: &str, kind: &str, value: &str, required: bool) -> Markup {
    html! {
        div class="field" {
            label for=(id) { (label) }
            input id=(id) name=(name) type=(kind) value=(value) required[required] maxlength="300" autocomplete="off";
        }
    }
}

/// A labelled `<select>`.
pub fn select(label: &str, id: &str, name: &str, options: &[(String, String)], selected: &str) -> Markup {
    html! {
        div class="field" {
            label for=(id) { (label) }
            select id=(id) name=(name) {
                @for (value, text) in options {
                    option value=(value) selected[value == selected] { (text) }
                }
            }
        }
    }
}

/// Units in tree order with their depth (children by name).
pub fn tree(units: &[Unit]) -> Vec<(usize, &Unit)> {
    let mut children: HashMap<Option<UnitId>, Vec<&Unit>> = HashMap::new();
    for u in units {
        children.entry(u.parent_id).or_default().push(u);
    }
    for list in children.values_mut() {
        list.sort_by_key(|u| u.name.to_lowercase());
    }
    let mut out = Vec::with_capacity(units.len());
    let mut stack: Vec<(usize, &Unit)> = children
        .get(&None)
        .map(|roots| roots.iter().rev().map(|u| (0, *u)).collect())
        .unwrap_or_default();
    while let Some((depth, u)) = stack.pop() {
        out.push((depth, u));
        if let Some(kids) = children.get(&Some(u.id)) {
            stack.extend(kids.iter().rev().map(|k| (depth + 1, *k)));
        }
    }
    out
}

/// Units as `<option>`s, indented to show the tree; archived ones left out
/// unless `with_archived`.
pub fn unit_options(page: &Page, units: &[Unit], with_archived: bool) -> Vec<(String, String)> {
    tree(units)
        .into_iter()
        .filter(|(_, u)| with_archived || u.archived_at.is_none())
        .map(|(depth, u)| {
            let mut text = "— ".repeat(depth);
            text.push_str(&u.name);
            if u.archived_at.is_some() {
                text.push_str(&format!(" ({})", page.t("admin-archived")));
            }
            (u.id.to_string(), text)
        })
        .collect()
}

pub fn unit_name<'a>(units: &'a [Unit], id: &str) -> &'a str {
    units
        .iter()
        .find(|u| u.id.to_string() == id)
        .map(|u| u.name.as_str())
        .unwrap_or("")
}

pub fn role_label(page: &Page, key: &str) -> String {
    page.t(&format!("role-{}", key.replace('_', "-")))
}

/// A badge saying an item is archived.
pub fn archived_badge(page: &Page, archived: bool) -> Markup {
    html! { @if archived { " " span class="badge muted-badge" { (page.t("admin-archived")) } } }
}
