//! The network administrator's pages: organizations and the network's activity.

use super::{admin_layout, input, refusal, select, Extra, Fields, Tab};
use crate::ui::labels::{action_label, event_label};
use crate::ui::page::{redirect_with_flash, Page, Ready};
use crate::WebState;
use axum::extract::{Form, Path, State};
use axum::response::Response;
use cercle_app::accounts::SessionView;
use cercle_app::admin;
use cercle_app::network::professions;
use cercle_app::orgs::membership;
use cercle_app::orgs::structure;
use cercle_app::AppError;
use cercle_domain::audit::ActorKind;
use cercle_domain::policy::Principal;
use cercle_domain::{Email, Language};
use maud::html;

type Post = Form<Vec<(String, String)>>;

fn languages(page: &Page) -> Vec<(String, String)> {
    Language::ALL
        .iter()
        .map(|l| (l.code().to_string(), page.t(&format!("language-{}", l.code()))))
        .collect()
}

/// The first administrator's fields, read before anything is created.
fn first_admin(f: &Fields) -> Result<(String, String, Language), AppError> {
    let email = Email::parse(f.get("admin_email"))?;
    let name = f.get("admin_name").trim();
    if name.is_empty() {
        return Err(AppError::Input(cercle_domain::InputError::InvalidName));
    }
    let language = Language::parse(f.get("admin_language"))?;
    Ok((email.as_str().to_string(), name.to_string(), language))
}

async fn render_organizations(
    state: &WebState,
    page: &Page,
    view: &SessionView,
    principal: &Principal,
    extra: Extra,
) -> Response {
    let scope = cercle_app::orgs::OrgScope::of(&state.ctx, principal).await.ok();
    let orgs = match structure::all_organizations(&state.ctx, principal).await {
        Ok(o) => o,
        Err(e) => return refusal(state, page, view, scope.as_ref(), Tab::Organizations, &e).await,
    };
    let langs = languages(page);
    // Profession validation (SPEC 3): which organizations may validate their
    // members' professions, and the network's verification team.
    let validating = professions::validating_organizations(&state.ctx, principal)
        .await
        .unwrap_or_default();
    let team = professions::verifiers(&state.ctx, principal).await.unwrap_or_default();
    let content = html! {
        section class="card" id="new-organization" {
            h2 { (page.t("admin-org-new")) }
            p class="hint" { (page.t("admin-org-hint")) }
            (extra.notice(page, "new"))
            form method="post" action="/admin/organizations" class="grid-form" novalidate {
                (page.csrf_field())
                (input(&page.t("admin-field-org-name"), "org-name", "name", "text", extra.value("new", "name", ""), true))
                (input(&page.t("admin-field-admin-email"), "org-admin-email", "admin_email", "email", extra.value("new", "admin_email", ""), true))
                (input(&page.t("admin-field-admin-name"), "org-admin-name", "admin_name", "text", extra.value("new", "admin_name", ""), true))
                (select(&page.t("field-language"), "org-admin-language", "admin_language", &langs, extra.value("new", "admin_language", page.lang.code())))
                div class="actions-row" { button type="submit" class="primary" { (page.t("admin-org-create")) } }
            }
        }
        section class="card" {
            h2 { (page.t("admin-tab-organizations")) " (" (orgs.len()) ")" }
            @if orgs.is_empty() { p class="muted" { (page.t("admin-org-empty")) } }
            ul class="items" {
                @for o in &orgs {
                    @let key_text = o.id.to_string();
                    @let key = key_text.as_str();
                    li data-name=(o.name) {
                        div class="item-main" {
                            strong { (o.name) } (super::archived_badge(page, o.archived_at.is_some()))
                            @let validates = validating.contains(&o.id);
                            @if validates { " " span class="badge netp-badge-on" data-testid="netp-org-validates" { (page.t("netp-org-validates")) } }
                            form method="post" action=(format!("/network/organizations/{}/validation", o.id)) class="netp-org-toggle" {
                                (page.csrf_field())
                                input type="hidden" name="enabled" value=(if validates { "0" } else { "1" });
                                button type="submit" class="linklike netp-link" { (page.t(if validates { "netp-org-validation-stop" } else { "netp-org-validation-allow" })) }
                            }
                        }
                        details class="row-actions" open[extra.at(key)] {
                            summary { (page.t("admin-org-invite-admin")) }
                            div class="row-panel" {
                                (extra.notice(page, key))
                                form method="post" action=(format!("/admin/organizations/{}/admin", o.id)) class="grid-form" novalidate {
                                    (page.csrf_field())
                                    (input(&page.t("admin-field-admin-email"), &format!("org-{}-email", o.id), "admin_email", "email", extra.value(key, "admin_email", ""), true))
                                    (input(&page.t("admin-field-admin-name"), &format!("org-{}-name", o.id), "admin_name", "text", extra.value(key, "admin_name", ""), true))
                                    (select(&page.t("field-language"), &format!("org-{}-language", o.id), "admin_language", &langs, extra.value(key, "admin_language", page.lang.code())))
                                    div class="actions-row" { button type="submit" class="secondary" { (page.t("admin-invite-submit")) } }
                                }
                            }
                        }
                    }
                }
            }
        }
        section class="card" id="verification-team" {
            h2 { (page.t("netp-team-title")) " (" (team.len()) ")" }
            p class="hint" { (page.t("netp-team-hint")) " " a href="/network/verification" { (page.t("netp-team-queue-link")) } }
            @if team.is_empty() { p class="muted" { (page.t("netp-team-empty")) } }
            ul class="items" {
                @for (id, name, mail) in &team {
                    li data-verifier=(id) {
                        div class="item-main" { strong { (name) } div class="muted small" { (mail) } }
                        form method="post" action="/network/verifiers/remove" {
                            (page.csrf_field())
                            input type="hidden" name="email" value=(mail);
                            input type="hidden" name="back" value="/admin/organizations";
                            button type="submit" class="linklike danger-link" data-confirm=(page.ta("netp-team-remove-confirm", &[("name", name)])) { (page.t("netp-team-remove")) }
                        }
                    }
                }
            }
            form method="post" action="/network/verifiers" class="inline-form" novalidate {
                (page.csrf_field())
                input type="hidden" name="back" value="/admin/organizations";
                (input(&page.t("netp-team-add-email"), "netp-admin-verifier-email", "email", "email", "", true))
                button type="submit" class="secondary" { (page.t("netp-team-add")) }
            }
        }
        section class="card" id="network-settings" {
            h2 { (page.t("admin-network-settings")) }
            @let cfg = &state.ctx.config;
            @let cost = state.ctx.hasher.cost();
            dl class="settings" {
                dt { (page.t("admin-setting-public-url")) } dd class="mono" { (cfg.public_url) }
                dt { (page.t("admin-setting-mode")) } dd { (page.t(if cfg.production { "admin-setting-production" } else { "admin-setting-development" })) }
                dt { (page.t("admin-setting-idle-lock")) } dd { (page.ta("admin-setting-minutes", &[("minutes", &(cfg.idle_lock_secs / 60).to_string())])) }
                dt { (page.t("admin-setting-database")) } dd { (state.ctx.store.backend().name()) }
                dt { (page.t("admin-setting-argon2")) } dd class="mono" { "m=" (cost.memory_kib) " KiB, t=" (cost.iterations) ", p=" (cost.parallelism) }
            }
            p class="muted" { (page.t("admin-network-settings-hint")) }
        }
    };
    admin_layout(
        state,
        page,
        view,
        scope.as_ref(),
        Tab::Organizations,
        extra.status(),
        content,
    )
    .await
}

pub async fn organizations(State(state): State<WebState>, page: Page, Ready { view, principal }: Ready) -> Response {
    render_organizations(&state, &page, &view, &principal, Extra::default()).await
}

/// A new organization, then the invitation of its first administrator.
pub async fn create_organization(
    State(state): State<WebState>,
    page: Page,
    Ready { view, principal }: Ready,
    Form(f): Post,
) -> Response {
    let f = Fields(f);
    let (email, name, language) = match first_admin(&f) {
        Ok(a) => a,
        Err(e) => return render_organizations(&state, &page, &view, &principal, Extra::error("new", e, f)).await,
    };
    let created = structure::create_organization_with_admin(
        &state.ctx,
        &page.client,
        &principal,
        f.get("name"),
        &email,
        &name,
        language,
    )
    .await;
    match created {
        Ok(_) => redirect_with_flash(&state, "/admin/organizations", "admin-org-created"),
        // Nothing was created: the form shows why, with what was typed.
        Err(e) => render_organizations(&state, &page, &view, &principal, Extra::error("new", e, f)).await,
    }
}

pub async fn invite_admin(
    State(state): State<WebState>,
    page: Page,
    Ready { view, principal }: Ready,
    Path(id): Path<String>,
    Form(f): Post,
) -> Response {
    let f = Fields(f);
    let result = match first_admin(&f) {
        // A text that is no id is an organization not found, as the service would say.
        Ok((email, name, language)) => match id.parse() {
            Ok(org_id) => {
                membership::invite_first_admin(&state.ctx, &page.client, &principal, org_id, &email, &name, language)
                    .await
            }
            Err(e) => Err(cercle_app::AppError::from(e)),
        },
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => redirect_with_flash(&state, "/admin/organizations", "admin-invitation-sent"),
        Err(e) => render_organizations(&state, &page, &view, &principal, Extra::error(id, e, f)).await,
    }
}

/// The newest events of the whole network.
pub async fn activity(State(state): State<WebState>, page: Page, Ready { view, principal }: Ready) -> Response {
    let scope = cercle_app::orgs::OrgScope::of(&state.ctx, &principal).await.ok();
    let records = match admin::audit_log(&state.ctx, &principal, false, 200).await {
        Ok(r) => r,
        Err(e) => return refusal(&state, &page, &view, scope.as_ref(), Tab::Network, &e).await,
    };
    let names = cercle_app::audit::names_of(&state.ctx, &records)
        .await
        .unwrap_or_default();
    let content = html! {
        section class="card" {
            div class="table-wrap" tabindex="0" role="region" aria-label=(page.t("admin-tab-network")) {
                table class="stacked" {
                    thead { tr { th { (page.t("col-when")) } th { (page.t("col-event")) } th { (page.t("col-actor")) } th { (page.t("col-address")) } } }
                    tbody {
                        @for r in &records {
                            tr {
                                td data-label=(page.t("col-when")) { (page.date_time(r.at)) }
                                td data-label=(page.t("col-event")) { span title=(r.event) { (event_label(&page, &r.event)) } " · " (action_label(&page, &r.action)) }
                                td data-label=(page.t("col-actor")) class="small" {
                                    @match &r.actor_id {
                                        Some(id) if r.actor_kind == ActorKind::Service => span title=(id) { (page.t("admin-audit-actor-service")) },
                                        Some(id) => span title=(id) { (names.get(id).cloned().unwrap_or_else(|| page.t("former-user"))) },
                                        None => span class="muted" { (page.t(&format!("admin-audit-actor-{}", r.actor_kind))) },
                                    }
                                }
                                td data-label=(page.t("col-address")) { (r.ip.as_deref().unwrap_or("")) }
                            }
                        }
                    }
                }
            }
        }
    };
    admin_layout(
        &state,
        &page,
        &view,
        scope.as_ref(),
        Tab::Network,
        axum::http::StatusCode::OK,
        content,
    )
    .await
}
