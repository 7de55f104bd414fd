//! Units (the tree), workplaces and teams of the active organization, with
//! each team's members (manager or participant).

use super::{
    admin_layout, archived_badge, input, refusal, select, tree, unit_name, unit_options, Admin, Extra, Fields, Tab,
};
use crate::ui::page::{redirect_with_flash, Page, Ready};
use crate::WebState;
use axum::extract::{Form, Path, Query, State};
use axum::response::Response;
use cercle_app::orgs::membership::{self, Member};
use cercle_app::orgs::structure::{self, Structure, TeamInput, WorkplaceInput};
use cercle_app::orgs::Unit;
use cercle_app::teams::{self as team_members, MemberInput, MemberView};
use cercle_app::AppResult;
use cercle_domain::policy::teams::TeamRole;
use cercle_domain::{TeamId, UnitId, WorkplaceId};
use maud::{html, Markup};
use serde::Deserialize;
use std::collections::HashMap;

type Post = Form<Vec<(String, String)>>;

const KINDS: [&str; 5] = ["clinic", "pharmacy", "hospital", "community", "other"];

/// The organization's structure, or the page that says why not.
async fn load(state: &WebState, page: &Page, a: &Admin, tab: Tab) -> Result<Structure, Response> {
    match structure::structure(&state.ctx, &page.client, &a.scope).await {
        Ok(s) => Ok(s),
        Err(e) => Err(refusal(state, page, &a.view, Some(&a.scope), tab, &e).await),
    }
}

// ---------- units ----------

async fn render_units(state: &WebState, page: &Page, a: &Admin, extra: Extra) -> Response {
    let s = match load(state, page, a, Tab::Units).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let parents = unit_options(page, &s.units, false);
    let mut children: HashMap<UnitId, Vec<&Unit>> = HashMap::new();
    for u in &s.units {
        if let Some(p) = u.parent_id {
            children.entry(p).or_default().push(u);
        }
    }
    let content = html! {
        section class="card" id="new-unit" {
            h2 { (page.t("admin-unit-new")) }
            (extra.notice(page, "new"))
            form method="post" action="/admin/units" class="grid-form" {
                (page.csrf_field())
                (select(&page.t("admin-field-parent"), "new-unit-parent", "parent_id", &parents, extra.value("new", "parent_id", &a.scope.root_unit_id.to_string())))
                (input(&page.t("admin-field-unit-name"), "new-unit-name", "name", "text", extra.value("new", "name", ""), true))
                div class="actions-row" { button type="submit" class="primary" { (page.t("admin-unit-create")) } }
            }
        }
        section class="card" {
            h2 { (page.t("admin-unit-tree")) }
            p class="hint" { (page.t("admin-unit-tree-hint")) }
            ul class="tree" {
                @for (_, root) in tree(&s.units).into_iter().filter(|(d, _)| *d == 0) {
                    (unit_node(page, root, &s.units, &extra))
                }
            }
        }
    };
    admin_layout(
        state,
        page,
        &a.view,
        Some(&a.scope),
        Tab::Units,
        extra.status(),
        content,
    )
    .await
}

/// A unit with its forms, then the units below it.
fn unit_node(page: &Page, unit: &Unit, units: &[Unit], extra: &Extra) -> Markup {
    let mut kids: Vec<&Unit> = units.iter().filter(|u| u.parent_id == Some(unit.id)).collect();
    kids.sort_by_key(|u| u.name.to_lowercase());
    let is_root = unit.parent_id.is_none();
    let archived = unit.archived_at.is_some();
    // Anywhere outside its own branch.
    let new_parents: Vec<(String, String)> = unit_options(page, units, false)
        .into_iter()
        .filter(|(id, _)| {
            units
                .iter()
                .any(|u| u.id.to_string() == *id && !u.path.starts_with(&unit.path))
        })
        .collect();
    let key_text = unit.id.to_string();
    let key = key_text.as_str();
    let parent_text = unit.parent_id.map(|p| p.to_string()).unwrap_or_default();
    html! {
        li data-name=(unit.name) {
            div class=(if archived { "tree-row archived" } else { "tree-row" }) {
                span class="tree-name" {
                    strong { (unit.name) }
                    @if is_root { " " span class="badge" { (page.t("admin-unit-root")) } }
                    (archived_badge(page, archived))
                }
                details class="row-actions" open[extra.at(key)] {
                    summary { (page.t("admin-manage")) }
                    div class="row-panel" {
                        (extra.notice(page, key))
                        form method="post" action=(format!("/admin/units/{}/rename", unit.id)) class="inline-form" {
                            (page.csrf_field())
                            (super::input(&page.t("admin-field-unit-name"), &format!("rename-{}", unit.id), "name", "text", extra.value(key, "name", &unit.name), true))
                            button type="submit" class="secondary small" { (page.t("admin-rename")) }
                        }
                        @if !is_root {
                            @if !new_parents.is_empty() {
                                form method="post" action=(format!("/admin/units/{}/move", unit.id)) class="inline-form" {
                                    (page.csrf_field())
                                    (select(&page.t("admin-field-move-under"), &format!("move-{}", unit.id), "parent_id", &new_parents, extra.value(key, "parent_id", &parent_text)))
                                    button type="submit" class="secondary small" { (page.t("admin-move")) }
                                }
                            }
                            form method="post" action=(format!("/admin/units/{}/archive", unit.id)) {
                                (page.csrf_field())
                                input type="hidden" name="archived" value=(if archived { "false" } else { "true" });
                                @if archived {
                                    button type="submit" class="secondary small" { (page.t("admin-restore")) }
                                } @else {
                                    button type="submit" class="secondary small" data-confirm=(page.t("admin-unit-archive-confirm")) { (page.t("admin-archive")) }
                                }
                            }
                        }
                    }
                }
            }
            @if !kids.is_empty() {
                ul {
                    @for k in kids { (unit_node(page, k, units, extra)) }
                }
            }
        }
    }
}

pub async fn units(State(state): State<WebState>, page: Page, ready: Ready) -> Response {
    let a = admin_or_return!(state, page, ready, Tab::Units);
    render_units(&state, &page, &a, Extra::default()).await
}

pub async fn create_unit(State(state): State<WebState>, page: Page, ready: Ready, Form(f): Post) -> Response {
    let a = admin_or_return!(state, page, ready, Tab::Units);
    let f = Fields(f);
    // A text that is no id is a unit not found, as the service would say.
    let created = async {
        structure::create_unit(
            &state.ctx,
            &page.client,
            &a.scope,
            f.get("parent_id").parse()?,
            f.get("name"),
        )
        .await
    }
    .await;
    match created {
        Ok(_) => redirect_with_flash(&state, "/admin/units", "admin-unit-created"),
        Err(e) => render_units(&state, &page, &a, Extra::error("new", e, f)).await,
    }
}

pub async fn rename_unit(
    State(state): State<WebState>,
    page: Page,
    ready: Ready,
    Path(id): Path<String>,
    Form(f): Post,
) -> Response {
    let a = admin_or_return!(state, page, ready, Tab::Units);
    let f = Fields(f);
    match async { structure::rename_unit(&state.ctx, &page.client, &a.scope, id.parse()?, f.get("name")).await }.await {
        Ok(()) => redirect_with_flash(&state, "/admin/units", "admin-unit-renamed"),
        Err(e) => render_units(&state, &page, &a, Extra::error(id, e, f)).await,
    }
}

pub async fn move_unit(
    State(state): State<WebState>,
    page: Page,
    ready: Ready,
    Path(id): Path<String>,
    Form(f): Post,
) -> Response {
    let a = admin_or_return!(state, page, ready, Tab::Units);
    let f = Fields(f);
    let moved = async {
        structure::move_unit(
            &state.ctx,
            &page.client,
            &a.scope,
            id.parse()?,
            f.get("parent_id").parse()?,
        )
        .await
    }
    .await;
    match moved {
        Ok(()) => redirect_with_flash(&state, "/admin/units", "admin-unit-moved"),
        Err(e) => render_units(&state, &page, &a, Extra::error(id, e, f)).await,
    }
}

pub async fn archive_unit(
    State(state): State<WebState>,
    page: Page,
    ready: Ready,
    Path(id): Path<String>,
    Form(f): Post,
) -> Response {
    let a = admin_or_return!(state, page, ready, Tab::Units);
    let f = Fields(f);
    let archived = f.on("archived");
    match async { structure::archive_unit(&state.ctx, &page.client, &a.scope, id.parse()?, archived).await }.await {
        Ok(()) => redirect_with_flash(
            &state,
            "/admin/units",
            if archived {
                "admin-unit-archived"
            } else {
                "admin-unit-restored"
            },
        ),
        Err(e) => render_units(&state, &page, &a, Extra::error(id, e, f)).await,
    }
}

// ---------- workplaces ----------

fn kind_options(page: &Page) -> Vec<(String, String)> {
    KINDS
        .iter()
        .map(|k| (k.to_string(), page.t(&format!("workplace-kind-{k}"))))
        .collect()
}

/// The fields of a workplace; `id` prefixes the inputs' ids.
fn workplace_fields(
    page: &Page,
    units: &[Unit],
    id: &str,
    key: &str,
    extra: &Extra,
    current: (&str, &str, &str, &str, &str),
) -> Markup {
    let (unit_id, name, kind, address, phone) = current;
    html! {
        (select(&page.t("admin-field-unit"), &format!("{id}-unit"), "unit_id", &unit_options(page, units, key != "new"), extra.value(key, "unit_id", unit_id)))
        (input(&page.t("admin-field-workplace-name"), &format!("{id}-name"), "name", "text", extra.value(key, "name", name), true))
        (select(&page.t("admin-field-kind"), &format!("{id}-kind"), "kind", &kind_options(page), extra.value(key, "kind", kind)))
        (input(&page.t("admin-field-address"), &format!("{id}-address"), "address", "text", extra.value(key, "address", address), false))
        (input(&page.t("admin-field-phone"), &format!("{id}-phone"), "phone", "tel", extra.value(key, "phone", phone), false))
    }
}

async fn render_workplaces(state: &WebState, page: &Page, a: &Admin, extra: Extra) -> Response {
    let s = match load(state, page, a, Tab::Workplaces).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let root_text = a.scope.root_unit_id.to_string();
    let root = root_text.as_str();
    let content = html! {
        section class="card" id="new-workplace" {
            h2 { (page.t("admin-workplace-new")) }
            p class="hint" { (page.t("admin-workplace-hint")) }
            (extra.notice(page, "new"))
            form method="post" action="/admin/workplaces" class="grid-form" {
                (page.csrf_field())
                (workplace_fields(page, &s.units, "new-workplace", "new", &extra, (root, "", "clinic", "", "")))
                div class="actions-row" { button type="submit" class="primary" { (page.t("admin-workplace-create")) } }
            }
        }
        section class="card" {
            h2 { (page.t("admin-tab-workplaces")) " (" (s.workplaces.len()) ")" }
            @if s.workplaces.is_empty() {
                p class="muted" { (page.t("admin-workplace-empty")) }
            }
            ul class="items" {
                @for w in &s.workplaces {
                    @let key_text = w.id.to_string();
                    @let key = key_text.as_str();
                    @let unit_text = w.unit_id.to_string();
                    @let archived = w.archived_at.is_some();
                    li data-name=(w.name) class=[archived.then_some("archived")] {
                        div class="item-main" {
                            strong { (w.name) } (archived_badge(page, archived))
                            div class="muted small" {
                                (page.t(&format!("workplace-kind-{}", w.kind))) " · " (unit_name(&s.units, &unit_text))
                                @if !w.address.is_empty() { " · " (w.address) }
                                @if let Some(p) = &w.phone { " · " (p) }
                            }
                        }
                        details class="row-actions" open[extra.at(key)] {
                            summary { (page.t("admin-edit")) }
                            div class="row-panel" {
                                (extra.notice(page, key))
                                form method="post" action=(format!("/admin/workplaces/{}", w.id)) class="grid-form" {
                                    (page.csrf_field())
                                    input type="hidden" name="archived" value=(archived);
                                    (workplace_fields(page, &s.units, &format!("wp-{}", w.id), key, &extra, (&unit_text, &w.name, w.kind.as_str(), &w.address, w.phone.as_deref().unwrap_or(""))))
                                    div class="actions-row" { button type="submit" class="secondary" { (page.t("admin-save")) } }
                                }
                                form method="post" action=(format!("/admin/workplaces/{}", w.id)) {
                                    (page.csrf_field())
                                    input type="hidden" name="unit_id" value=(w.unit_id);
                                    input type="hidden" name="name" value=(w.name);
                                    input type="hidden" name="kind" value=(w.kind);
                                    input type="hidden" name="address" value=(w.address);
                                    input type="hidden" name="phone" value=(w.phone.as_deref().unwrap_or(""));
                                    input type="hidden" name="archived" value=(!archived);
                                    @if archived {
                                        button type="submit" class="secondary small" { (page.t("admin-restore")) }
                                    } @else {
                                        button type="submit" class="secondary small" data-confirm=(page.t("admin-workplace-archive-confirm")) { (page.t("admin-archive")) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    admin_layout(
        state,
        page,
        &a.view,
        Some(&a.scope),
        Tab::Workplaces,
        extra.status(),
        content,
    )
    .await
}

fn workplace_input(f: &Fields) -> WorkplaceInput {
    WorkplaceInput {
        unit_id: f.get("unit_id").to_string(),
        name: f.get("name").to_string(),
        kind: f.get("kind").to_string(),
        address: f.get("address").to_string(),
        phone: f.opt("phone"),
    }
}

pub async fn workplaces(State(state): State<WebState>, page: Page, ready: Ready) -> Response {
    let a = admin_or_return!(state, page, ready, Tab::Workplaces);
    render_workplaces(&state, &page, &a, Extra::default()).await
}

pub async fn create_workplace(State(state): State<WebState>, page: Page, ready: Ready, Form(f): Post) -> Response {
    let a = admin_or_return!(state, page, ready, Tab::Workplaces);
    let f = Fields(f);
    match structure::create_workplace(&state.ctx, &page.client, &a.scope, &workplace_input(&f)).await {
        Ok(_) => redirect_with_flash(&state, "/admin/workplaces", "admin-workplace-created"),
        Err(e) => render_workplaces(&state, &page, &a, Extra::error("new", e, f)).await,
    }
}

pub async fn update_workplace(
    State(state): State<WebState>,
    page: Page,
    ready: Ready,
    Path(id): Path<String>,
    Form(f): Post,
) -> Response {
    let a = admin_or_return!(state, page, ready, Tab::Workplaces);
    let f = Fields(f);
    let updated = async {
        structure::update_workplace(
            &state.ctx,
            &page.client,
            &a.scope,
            id.parse()?,
            &workplace_input(&f),
            f.on("archived"),
        )
        .await
    }
    .await;
    match updated {
        Ok(_) => redirect_with_flash(&state, "/admin/workplaces", "admin-saved"),
        Err(e) => render_workplaces(&state, &page, &a, Extra::error(id, e, f)).await,
    }
}

// ---------- teams ----------

fn workplace_options(page: &Page, s: &Structure, with_archived: bool) -> Vec<(String, String)> {
    std::iter::once((String::new(), page.t("admin-team-no-workplace")))
        .chain(
            s.workplaces
                .iter()
                .filter(|w| with_archived || w.archived_at.is_none())
                .map(|w| {
                    let name = match w.archived_at {
                        Some(_) => format!("{} ({})", w.name, page.t("admin-archived")),
                        None => w.name.clone(),
                    };
                    (w.id.to_string(), name)
                }),
        )
        .collect()
}

const TEAM_ROLES: [TeamRole; 2] = [TeamRole::Participant, TeamRole::Manager];

fn team_role_options(page: &Page) -> Vec<(String, String)> {
    TEAM_ROLES
        .iter()
        .map(|r| {
            (
                r.as_str().to_string(),
                page.t(&format!("admin-team-role-{}", r.as_str())),
            )
        })
        .collect()
}

/// Where a form of a team's members shows its refusal.
fn members_key(team_id: &str) -> String {
    format!("members-{team_id}")
}

/// A team's members: who is in it with which role, change a role, remove
/// someone, add a member of the organization.
fn team_members_panel(
    page: &Page,
    team: (&str, &str, bool),
    members: &AppResult<Vec<MemberView>>,
    org_members: &[Member],
    open: bool,
    extra: &Extra,
) -> Markup {
    let (team_id, team_name, archived) = team;
    let key = members_key(team_id);
    let roles = team_role_options(page);
    let count = members.as_ref().map(Vec::len).unwrap_or(0);
    let candidates: Vec<(String, String)> = match members {
        Ok(list) => org_members
            .iter()
            .filter(|m| !list.iter().any(|x| x.id == m.user_id))
            .map(|m| (m.user_id.clone(), format!("{} ({})", m.name, m.email)))
            .collect(),
        Err(_) => Vec::new(),
    };
    html! {
        details class="row-actions admin-team-members" id=(format!("team-{team_id}-members")) open[open || extra.at(&key)] data-testid="admin-team-members" {
            summary { (page.ta("admin-team-members", &[("count", &count.to_string())])) }
            div class="row-panel" {
                (extra.notice(page, &key))
                @match members {
                    Err(e) => { (crate::ui::page::error_notice(page.lang, e)) }
                    Ok(list) => {
                        p class="hint" { (page.t("admin-team-members-hint")) }
                        @if list.is_empty() {
                            p class="muted" data-testid="admin-team-members-empty" { (page.t("admin-team-members-empty")) }
                        } @else {
                            ul class="items admin-team-member-list" {
                                @for m in list {
                                    li data-user=(m.id) data-role=(m.role.as_str()) {
                                        div class="item-main" {
                                            strong { (m.name) } " "
                                            span class="badge" data-testid="admin-team-member-role" { (page.t(&format!("admin-team-role-{}", m.role))) }
                                        }
                                        div class="row" {
                                            form method="post" action=(format!("/admin/teams/{team_id}/members")) class="row" {
                                                (page.csrf_field())
                                                input type="hidden" name="user_id" value=(m.id);
                                                @let id = format!("team-{team_id}-member-{}-role", m.id);
                                                label class="visually-hidden" for=(id) { (page.ta("admin-team-member-role-of", &[("name", &m.name)])) }
                                                select id=(id) name="role" class="admin-team-role-select" {
                                                    @for (value, text) in &roles {
                                                        option value=(value) selected[*value == m.role.as_str()] { (text) }
                                                    }
                                                }
                                                button type="submit" class="secondary small" data-testid="admin-team-member-change" { (page.t("admin-team-member-change")) }
                                            }
                                            form method="post" action=(format!("/admin/teams/{team_id}/members/{}/remove", m.id)) {
                                                (page.csrf_field())
                                                button type="submit" class="linklike small danger-link" data-testid="admin-team-member-remove" data-confirm=(page.ta("admin-team-member-remove-confirm", &[("name", &m.name), ("team", team_name)])) { (page.t("admin-team-member-remove")) }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                        @if !archived {
                            h3 class="admin-team-add-title" { (page.t("admin-team-member-add-title")) }
                            @if candidates.is_empty() {
                                p class="muted" { (page.t("admin-team-member-none-left")) }
                            } @else {
                                form method="post" action=(format!("/admin/teams/{team_id}/members")) class="grid-form" data-testid="admin-team-member-add" {
                                    (page.csrf_field())
                                    (select(&page.t("admin-team-member-person"), &format!("team-{team_id}-add-user"), "user_id", &candidates, extra.value(&key, "user_id", "")))
                                    (select(&page.t("admin-team-member-role"), &format!("team-{team_id}-add-role"), "role", &roles, extra.value(&key, "role", "participant")))
                                    div class="actions-row" { button type="submit" class="primary" { (page.t("admin-team-member-add")) } }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

async fn render_teams(state: &WebState, page: &Page, a: &Admin, extra: Extra, open: Option<&str>) -> Response {
    let s = match load(state, page, a, Tab::Teams).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let mut members: HashMap<TeamId, AppResult<Vec<MemberView>>> = HashMap::new();
    for t in &s.teams {
        members.insert(t.id, team_members::members_of(&state.ctx, &a.scope, t.id).await);
    }
    // The organization's members, to add to a team.
    let org_members = if s.teams.is_empty() {
        Vec::new()
    } else {
        membership::list_members(&state.ctx, &page.client, &a.scope)
            .await
            .unwrap_or_default()
    };
    let units = unit_options(page, &s.units, false);
    let all_units = unit_options(page, &s.units, true);
    let workplaces = workplace_options(page, &s, false);
    let all_workplaces = workplace_options(page, &s, true);
    let workplace_name = |id: &Option<WorkplaceId>| {
        id.and_then(|id| s.workplaces.iter().find(|w| w.id == id))
            .map(|w| w.name.clone())
    };
    let content = html! {
        section class="card" id="new-team" {
            h2 { (page.t("admin-team-new")) }
            (extra.notice(page, "new"))
            form method="post" action="/admin/teams" class="grid-form" {
                (page.csrf_field())
                (select(&page.t("admin-field-unit"), "new-team-unit", "unit_id", &units, extra.value("new", "unit_id", &a.scope.root_unit_id.to_string())))
                (select(&page.t("admin-field-workplace"), "new-team-workplace", "workplace_id", &workplaces, extra.value("new", "workplace_id", "")))
                (input(&page.t("admin-field-team-name"), "new-team-name", "name", "text", extra.value("new", "name", ""), true))
                div class="actions-row" { button type="submit" class="primary" { (page.t("admin-team-create")) } }
            }
        }
        section class="card" {
            h2 { (page.t("admin-tab-teams")) " (" (s.teams.len()) ")" }
            @if s.teams.is_empty() {
                p class="muted" { (page.t("admin-team-empty")) }
            }
            ul class="items" {
                @for t in &s.teams {
                    @let key_text = t.id.to_string();
                    @let key = key_text.as_str();
                    @let unit_text = t.unit_id.to_string();
                    @let workplace_text = t.workplace_id.map(|w| w.to_string()).unwrap_or_default();
                    @let archived = t.archived_at.is_some();
                    li data-name=(t.name) class=[archived.then_some("archived")] {
                        div class="item-main" {
                            strong { (t.name) } (archived_badge(page, archived))
                            div class="muted small" {
                                (unit_name(&s.units, &unit_text))
                                @if let Some(w) = workplace_name(&t.workplace_id) { " · " (w) }
                            }
                        }
                        details class="row-actions" open[extra.at(key)] {
                            summary { (page.t("admin-edit")) }
                            div class="row-panel" {
                                (extra.notice(page, key))
                                form method="post" action=(format!("/admin/teams/{}", t.id)) class="grid-form" {
                                    (page.csrf_field())
                                    input type="hidden" name="archived" value=(archived);
                                    (select(&page.t("admin-field-unit"), &format!("team-{}-unit", t.id), "unit_id", &all_units, extra.value(key, "unit_id", &unit_text)))
                                    (select(&page.t("admin-field-workplace"), &format!("team-{}-workplace", t.id), "workplace_id", &all_workplaces, extra.value(key, "workplace_id", &workplace_text)))
                                    (input(&page.t("admin-field-team-name"), &format!("team-{}-name", t.id), "name", "text", extra.value(key, "name", &t.name), true))
                                    div class="actions-row" { button type="submit" class="secondary" { (page.t("admin-save")) } }
                                }
                                form method="post" action=(format!("/admin/teams/{}", t.id)) {
                                    (page.csrf_field())
                                    input type="hidden" name="unit_id" value=(t.unit_id);
                                    input type="hidden" name="workplace_id" value=(workplace_text);
                                    input type="hidden" name="name" value=(t.name);
                                    input type="hidden" name="archived" value=(!archived);
                                    @if archived {
                                        button type="submit" class="secondary small" { (page.t("admin-restore")) }
                                    } @else {
                                        button type="submit" class="secondary small" data-confirm=(page.t("admin-team-archive-confirm")) { (page.t("admin-archive")) }
                                    }
                                }
                            }
                        }
                        @if let Some(m) = members.get(&t.id) {
                            (team_members_panel(page, (key, &t.name, archived), m, &org_members, open == Some(key), &extra))
                        }
                    }
                }
            }
        }
    };
    admin_layout(
        state,
        page,
        &a.view,
        Some(&a.scope),
        Tab::Teams,
        extra.status(),
        content,
    )
    .await
}

fn team_input(f: &Fields) -> TeamInput {
    TeamInput {
        unit_id: f.get("unit_id").to_string(),
        workplace_id: f.opt("workplace_id"),
        name: f.get("name").to_string(),
    }
}

#[derive(Deserialize)]
pub struct TeamsQuery {
    /// The team whose members are shown open (after changing them).
    #[serde(default)]
    members: Option<String>,
}

pub async fn teams(State(state): State<WebState>, page: Page, ready: Ready, Query(q): Query<TeamsQuery>) -> Response {
    let a = admin_or_return!(state, page, ready, Tab::Teams);
    render_teams(&state, &page, &a, Extra::default(), q.members.as_deref()).await
}

/// Back to the teams with this team's members open.
fn members_page(team_id: &str) -> String {
    format!("/admin/teams?members={team_id}#team-{team_id}-members")
}

/// Adds a member of the organization to a team, or changes their role.
pub async fn set_team_member(
    State(state): State<WebState>,
    page: Page,
    ready: Ready,
    Path(id): Path<String>,
    Form(f): Post,
) -> Response {
    let a = admin_or_return!(state, page, ready, Tab::Teams);
    let f = Fields(f);
    let input = MemberInput {
        user_id: f.get("user_id").to_string(),
        role: f.get("role").to_string(),
    };
    let done = match id.parse::<TeamId>() {
        Ok(team_id) => team_members::set_member(&state.ctx, &page.client, &a.scope, team_id, &input).await,
        Err(e) => Err(e.into()),
    };
    match done {
        Ok(()) => redirect_with_flash(&state, &members_page(&id), "admin-team-member-saved"),
        Err(e) => render_teams(&state, &page, &a, Extra::error(members_key(&id), e, f), None).await,
    }
}

/// Removes a person from a team.
pub async fn remove_team_member(
    State(state): State<WebState>,
    page: Page,
    ready: Ready,
    Path((id, user_id)): Path<(String, String)>,
) -> Response {
    let a = admin_or_return!(state, page, ready, Tab::Teams);
    let done =
        async { team_members::remove_member(&state.ctx, &page.client, &a.scope, id.parse()?, user_id.parse()?).await }
            .await;
    match done {
        Ok(()) => redirect_with_flash(&state, &members_page(&id), "admin-team-member-removed"),
        Err(e) => {
            render_teams(
                &state,
                &page,
                &a,
                Extra::error(members_key(&id), e, Fields::default()),
                None,
            )
            .await
        }
    }
}

pub async fn create_team(State(state): State<WebState>, page: Page, ready: Ready, Form(f): Post) -> Response {
    let a = admin_or_return!(state, page, ready, Tab::Teams);
    let f = Fields(f);
    match structure::create_team(&state.ctx, &page.client, &a.scope, &team_input(&f)).await {
        Ok(_) => redirect_with_flash(&state, "/admin/teams", "admin-team-created"),
        Err(e) => render_teams(&state, &page, &a, Extra::error("new", e, f), None).await,
    }
}

pub async fn update_team(
    State(state): State<WebState>,
    page: Page,
    ready: Ready,
    Path(id): Path<String>,
    Form(f): Post,
) -> Response {
    let a = admin_or_return!(state, page, ready, Tab::Teams);
    let f = Fields(f);
    let updated = async {
        structure::update_team(
            &state.ctx,
            &page.client,
            &a.scope,
            id.parse()?,
            &team_input(&f),
            f.on("archived"),
        )
        .await
    }
    .await;
    match updated {
        Ok(_) => redirect_with_flash(&state, "/admin/teams", "admin-saved"),
        Err(e) => render_teams(&state, &page, &a, Extra::error(id, e, f), None).await,
    }
}
