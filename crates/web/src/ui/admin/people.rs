//! Members with their roles, and invitations.

use super::{admin_layout, input, refusal, role_label, select, unit_name, unit_options, Admin, Extra, Fields, Tab};
use crate::ui::page::{redirect_with_flash, Page, Ready};
use crate::WebState;
use axum::extract::{Form, Path, State};
use axum::response::Response;
use cercle_app::network::professions::{self, Status};
use cercle_app::orgs::membership::{self, InviteInput, Invited};
use cercle_app::orgs::structure;
use cercle_domain::roles::Role;
use cercle_domain::Language;
use maud::html;

type Post = Form<Vec<(String, String)>>;

fn role_options(page: &Page) -> Vec<(String, String)> {
    Role::ALL
        .iter()
        .map(|r| (r.as_str().to_string(), role_label(page, r.as_str())))
        .collect()
}

// ---------- members ----------

async fn render_members(state: &WebState, page: &Page, a: &Admin, extra: Extra) -> Response {
    let members = match membership::list_members(&state.ctx, &page.client, &a.scope).await {
        Ok(m) => m,
        Err(e) => return refusal(state, page, &a.view, Some(&a.scope), Tab::Members, &e).await,
    };
    let s = match structure::structure(&state.ctx, &page.client, &a.scope).await {
        Ok(s) => s,
        Err(e) => return refusal(state, page, &a.view, Some(&a.scope), Tab::Members, &e).await,
    };
    let units = unit_options(page, &s.units, false);
    let roles = role_options(page);
    // Members' professions to validate, for administrators who may (SPEC 3).
    let to_validate = professions::member_professions(&state.ctx, &a.scope, page.lang)
        .await
        .ok()
        .map(|(allowed, list)| {
            let waiting: Vec<_> = list
                .into_iter()
                .filter(|m| m.profession.status != Status::Validated)
                .collect();
            (allowed, waiting)
        });
    let content = html! {
        section class="card" {
        h2 { (page.t("admin-tab-members")) " (" (members.len()) ")" }
        p class="hint" { (page.t("admin-members-hint")) " " a href="/admin/invitations" { (page.t("admin-tab-invitations")) } }
        (extra.notice(page, "list"))
        ul class="items members" {
            @for m in &members {
                @let key = m.user_id.as_str();
                li data-email=(m.email) {
                    div class="item-main" {
                        strong { (m.name) }
                        @if m.professional { " " span class="badge" { (page.t("admin-professional")) } }
                        @if m.administrative { " " span class="badge" { (page.t("admin-administrative")) } }
                        div class="muted small" { (m.email) }
                        @if m.grants.is_empty() {
                            p class="muted small" { (page.t("admin-member-no-role")) }
                        } @else {
                            ul class="grants" {
                                @for g in &m.grants {
                                    li {
                                        span { (role_label(page, g.role.as_str())) " · " span class="muted" { (g.unit_name) } }
                                        form method="post" action=(format!("/admin/roles/{}/revoke", g.id)) {
                                            (page.csrf_field())
                                            button type="submit" class="linklike danger-link" aria-label=(page.ta("admin-revoke-label", &[("role", &role_label(page, g.role.as_str())), ("unit", &g.unit_name)])) { (page.t("admin-revoke")) }
                                        }
                                    }
                                }
                            }
                        }
                        (extra.notice(page, key))
                    }
                    details class="row-actions" open[extra.at(key)] {
                        summary { (page.t("admin-manage")) }
                        div class="row-panel" {
                            form method="post" action=(format!("/admin/members/{}/roles", m.user_id)) class="grid-form" {
                                (page.csrf_field())
                                (select(&page.t("admin-field-role"), &format!("grant-{}-role", m.user_id), "role", &roles, extra.value(key, "role", "member")))
                                (select(&page.t("admin-field-unit"), &format!("grant-{}-unit", m.user_id), "unit_id", &units, extra.value(key, "unit_id", &a.scope.root_unit_id.to_string())))
                                div class="actions-row" { button type="submit" class="secondary" { (page.t("admin-grant")) } }
                            }
                            div class="row" {
                                a class="button secondary small" href=(format!("/admin/audit?actor_id={}", m.user_id)) { (page.t("admin-member-audit")) }
                                form method="post" action=(format!("/admin/members/{}/remove", m.user_id)) {
                                    (page.csrf_field())
                                    button type="submit" class="danger small" data-confirm=(page.ta("admin-member-remove-confirm", &[("name", &m.name)])) { (page.t("admin-member-remove")) }
                                }
                            }
                        }
                    }
                }
            }
        }
        }
        @if let Some((allowed, waiting)) = &to_validate {
            section class="card" id="member-professions" {
                h2 { (page.t("netp-members-professions-title")) }
                @if !allowed {
                    p class="muted" { (page.ta("netp-members-professions-not-allowed", &[("org", &a.scope.org_name)])) }
                } @else {
                    p class="hint" { (page.t("netp-members-professions-hint")) }
                    @if waiting.is_empty() {
                        p class="muted" { (page.t("netp-members-professions-empty")) }
                    }
                    ul class="items" {
                        @for m in waiting {
                            li data-profession-id=(m.profession.id) {
                                div class="item-main" {
                                    strong { (m.user_name) } " · " (m.profession.name) " "
                                    span class=(format!("badge netp-status netp-status-{}", m.profession.status.as_str())) { (page.t(&format!("netp-status-{}", m.profession.status.as_str()))) }
                                }
                                form method="post" action=(format!("/network/member-professions/{}/validate", m.profession.id)) {
                                    (page.csrf_field())
                                    button type="submit" class="secondary small" data-confirm=(page.ta("netp-members-validate-confirm", &[("name", &m.user_name), ("profession", &m.profession.name)])) { (page.t("netp-members-validate")) }
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
        Tab::Members,
        extra.status(),
        content,
    )
    .await
}

pub async fn members(State(state): State<WebState>, page: Page, ready: Ready) -> Response {
    let a = admin_or_return!(state, page, ready, Tab::Members);
    render_members(&state, &page, &a, Extra::default()).await
}

pub async fn grant_role(
    State(state): State<WebState>,
    page: Page,
    ready: Ready,
    Path(user_id): Path<String>,
    Form(f): Post,
) -> Response {
    let a = admin_or_return!(state, page, ready, Tab::Members);
    let f = Fields(f);
    let Some(role) = Role::parse(f.get("role")) else {
        return render_members(
            &state,
            &page,
            &a,
            Extra::error(user_id, cercle_app::AppError::Conflict("no-role"), f),
        )
        .await;
    };
    // A text that is no id is a member or unit not found, as the service would say.
    let granted = async {
        membership::grant_role(
            &state.ctx,
            &page.client,
            &a.scope,
            user_id.parse()?,
            f.get("unit_id").parse()?,
            role,
        )
        .await
    }
    .await;
    match granted {
        Ok(()) => redirect_with_flash(&state, "/admin/members", "admin-role-granted"),
        Err(e) => render_members(&state, &page, &a, Extra::error(user_id, e, f)).await,
    }
}

pub async fn revoke_role(
    State(state): State<WebState>,
    page: Page,
    ready: Ready,
    Path(grant_id): Path<String>,
) -> Response {
    let a = admin_or_return!(state, page, ready, Tab::Members);
    match async { membership::revoke_role(&state.ctx, &page.client, &a.scope, grant_id.parse()?).await }.await {
        Ok(()) => redirect_with_flash(&state, "/admin/members", "admin-role-revoked"),
        Err(e) => render_members(&state, &page, &a, Extra::error("list", e, Fields::default())).await,
    }
}

pub async fn remove_member(
    State(state): State<WebState>,
    page: Page,
    ready: Ready,
    Path(user_id): Path<String>,
) -> Response {
    let a = admin_or_return!(state, page, ready, Tab::Members);
    match async { membership::remove_member(&state.ctx, &page.client, &a.scope, user_id.parse()?).await }.await {
        Ok(()) => redirect_with_flash(&state, "/admin/members", "admin-member-removed"),
        Err(e) => render_members(&state, &page, &a, Extra::error(user_id, e, Fields::default())).await,
    }
}

// ---------- invitations ----------

async fn render_invitations(state: &WebState, page: &Page, a: &Admin, extra: Extra) -> Response {
    let now = state.ctx.clock.now().0;
    let pending = match membership::pending(&state.ctx, &a.scope).await {
        Ok(p) => p,
        Err(e) => return refusal(state, page, &a.view, Some(&a.scope), Tab::Invitations, &e).await,
    };
    let s = match structure::structure(&state.ctx, &page.client, &a.scope).await {
        Ok(s) => s,
        Err(e) => return refusal(state, page, &a.view, Some(&a.scope), Tab::Invitations, &e).await,
    };
    let languages: Vec<(String, String)> = Language::ALL
        .iter()
        .map(|l| (l.code().to_string(), page.t(&format!("language-{}", l.code()))))
        .collect();
    let content = html! {
        section class="card" id="new-invitation" {
            h2 { (page.t("admin-invite-title")) }
            p class="hint" { (page.t("admin-invite-hint")) }
            (extra.notice(page, "new"))
            form method="post" action="/admin/invitations" class="grid-form" novalidate {
                (page.csrf_field())
                (select(&page.t("admin-field-unit"), "invite-unit", "unit_id", &unit_options(page, &s.units, false), extra.value("new", "unit_id", &a.scope.root_unit_id.to_string())))
                (input(&page.t("field-email"), "invite-email", "email", "email", extra.value("new", "email", ""), true))
                (input(&page.t("field-name"), "invite-name", "name", "text", extra.value("new", "name", ""), true))
                (select(&page.t("field-language"), "invite-language", "language", &languages, extra.value("new", "language", page.lang.code())))
                fieldset class="checks" {
                    legend { (page.t("admin-invite-staff")) }
                    label { input type="checkbox" name="professional" value="on" checked[extra.checked("new", "professional", "on", true)]; " " (page.t("admin-professional")) }
                    label { input type="checkbox" name="administrative" value="on" checked[extra.checked("new", "administrative", "on", false)]; " " (page.t("admin-administrative")) }
                }
                fieldset class="checks" {
                    legend { (page.t("admin-invite-roles")) }
                    @for r in Role::ALL {
                        label { input type="checkbox" name="roles" value=(r.as_str()) checked[extra.checked("new", "roles", r.as_str(), r == Role::Member)]; " " (role_label(page, r.as_str())) }
                    }
                }
                div class="actions-row" { button type="submit" class="primary" { (page.t("admin-invite-submit")) } }
            }
        }
        section class="card" id="pending" {
            h2 { (page.t("admin-invite-pending")) " (" (pending.len()) ")" }
            (extra.notice(page, "list"))
            @if pending.is_empty() {
                p class="muted" { (page.t("admin-invite-none")) }
            }
            ul class="items" {
                @for i in &pending {
                    li data-email=(i.email) {
                        div class="item-main" {
                            strong { (i.name) } " " span class="muted" { (i.email) }
                            div class="muted small" {
                                (unit_name(&s.units, &i.unit_id.to_string())) " · "
                                (i.roles.split(',').filter(|r| !r.is_empty()).map(|r| role_label(page, r)).collect::<Vec<_>>().join(", "))
                                " · "
                                @if i.expires_at <= now {
                                    span class="badge warn" { (page.ta("admin-invite-expired", &[("date", &page.date(i.expires_at))])) }
                                } @else {
                                    (page.ta("admin-invite-expires", &[("date", &page.date(i.expires_at))]))
                                }
                            }
                        }
                        div class="row" {
                            form method="post" action=(format!("/admin/invitations/{}/resend", i.id)) {
                                (page.csrf_field())
                                button type="submit" class="secondary small" { (page.t("admin-invite-resend")) }
                            }
                            form method="post" action=(format!("/admin/invitations/{}/cancel", i.id)) {
                                (page.csrf_field())
                                button type="submit" class="secondary small" data-confirm=(page.ta("admin-invite-cancel-confirm", &[("email", &i.email)])) { (page.t("admin-invite-cancel")) }
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
        Tab::Invitations,
        extra.status(),
        content,
    )
    .await
}

pub async fn invitations(State(state): State<WebState>, page: Page, ready: Ready) -> Response {
    let a = admin_or_return!(state, page, ready, Tab::Invitations);
    render_invitations(&state, &page, &a, Extra::default()).await
}

pub async fn invite(State(state): State<WebState>, page: Page, ready: Ready, Form(f): Post) -> Response {
    let a = admin_or_return!(state, page, ready, Tab::Invitations);
    let f = Fields(f);
    let input = InviteInput {
        unit_id: f.get("unit_id").to_string(),
        email: f.get("email").to_string(),
        name: f.get("name").to_string(),
        language: f.opt("language"),
        professional: f.on("professional"),
        administrative: f.on("administrative"),
        roles: f.all("roles").into_iter().filter_map(Role::parse).collect(),
    };
    match membership::invite(&state.ctx, &page.client, &a.scope, &input).await {
        Ok(Invited::Sent { .. }) => redirect_with_flash(&state, "/admin/invitations", "admin-invitation-sent"),
        Ok(Invited::Applied { .. }) => redirect_with_flash(&state, "/admin/invitations", "admin-invitation-applied"),
        Err(e) => render_invitations(&state, &page, &a, Extra::error("new", e, f)).await,
    }
}

pub async fn cancel(State(state): State<WebState>, page: Page, ready: Ready, Path(id): Path<String>) -> Response {
    let a = admin_or_return!(state, page, ready, Tab::Invitations);
    match async { membership::cancel(&state.ctx, &page.client, &a.scope, id.parse()?).await }.await {
        Ok(()) => redirect_with_flash(&state, "/admin/invitations", "admin-invitation-cancelled"),
        Err(e) => render_invitations(&state, &page, &a, Extra::error("list", e, Fields::default())).await,
    }
}

pub async fn resend(State(state): State<WebState>, page: Page, ready: Ready, Path(id): Path<String>) -> Response {
    let a = admin_or_return!(state, page, ready, Tab::Invitations);
    match async { membership::resend(&state.ctx, &page.client, &a.scope, id.parse()?).await }.await {
        Ok(()) => redirect_with_flash(&state, "/admin/invitations", "admin-invitation-resent"),
        Err(e) => render_invitations(&state, &page, &a, Extra::error("list", e, Fields::default())).await,
    }
}
