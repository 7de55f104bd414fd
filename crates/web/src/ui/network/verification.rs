//! Profession validation (SPEC 3) by the people who decide it:
//! - the verification team's queue (`/network/verification`): read the
//!   proof, approve, or reject with a reason the person reads;
//! - the team itself (`/network/verifiers`), for network administrators;
//! - the forms of the administration console that allow an organization to
//!   validate its members' professions, and its administrators to do so
//!   (their sections are drawn by `ui/admin/network.rs` and
//!   `ui/admin/people.rs`; the posts land here).

use super::profile::failure;
use crate::guard::RouteList;
use crate::ui::page::Fields;
use crate::ui::page::{app_layout, error_notice, icon, redirect_with_flash, Page, Ready};
use crate::WebState;
use axum::extract::{Form, Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use cercle_app::accounts::SessionView;
use cercle_app::network::professions;
use cercle_app::orgs::OrgScope;
use cercle_app::AppError;
use cercle_domain::policy::{may, Permission as NetworkPermission, Principal};
use maud::html;

/// Professionals only (see `crate::guard`).
pub fn routes() -> RouteList {
    RouteList::new()
        .route("/network/verification", get(queue))
        .route("/network/verification/{id}/proof", get(proof))
        .route("/network/verification/{id}/approve", post(approve))
        .route("/network/verification/{id}/reject", post(reject))
        .route("/network/verifiers", get(team).post(add_verifier))
        .route("/network/verifiers/remove", post(remove_verifier))
        .route("/network/organizations/{id}/validation", post(organization_validation))
        .route("/network/member-professions/{id}/validate", post(validate_member))
}

// ---------- the queue ----------

/// A refusal on one item of the queue, with the reason that was typed.
struct Refusal {
    id: String,
    error: AppError,
    /// The reason typed, when the refusal was of a rejection.
    reason: Option<String>,
}

async fn render_queue(
    state: &WebState,
    page: &Page,
    view: &SessionView,
    principal: &Principal,
    refusal: Option<Refusal>,
) -> Response {
    let pending = match professions::queue(&state.ctx, principal, page.lang).await {
        Ok(q) => q,
        Err(e) => return failure(state, page, view, &e).await,
    };
    let status = refusal
        .as_ref()
        .map(|r| crate::error::status_of(&r.error))
        .unwrap_or(StatusCode::OK);
    let content = html! {
        h1 { (page.t("netp-verify-title")) }
        p class="lead" { (page.t("netp-verify-intro")) }
        @if may(principal, &NetworkPermission::AdministerNetwork) {
            p { a href="/network/verifiers" { (page.t("netp-team-manage")) } }
        }
        @if let Some(r) = refusal.as_ref().filter(|r| !pending.iter().any(|p| p.id.to_string() == r.id)) {
            (error_notice(page.lang, &r.error))
        }
        @if pending.is_empty() {
            div class="card empty" data-testid="netp-queue-empty" {
                (icon("shield"))
                p { strong { (page.t("netp-verify-empty")) } }
                p class="muted" { (page.t("netp-verify-empty-hint")) }
            }
        } @else {
            section class="card" {
                h2 { (page.ta("netp-verify-count", &[("count", &pending.len().to_string())])) }
                ul class="items netp-queue" {
                    @for p in &pending {
                        @let mine = refusal.as_ref().filter(|r| r.id == p.id.to_string());
                        li data-profession-id=(p.id) data-email=(p.user_email) {
                            div class="item-main" {
                                strong { (p.user_name) } " · " span { (p.name) }
                                div class="muted small" { (p.user_email) }
                                dl class="netp-facts" {
                                    dt { (page.t("netp-field-permit")) }
                                    dd class="mono" data-testid="netp-permit" { (p.permit_number.as_deref().unwrap_or("—")) }
                                    dt { (page.t("netp-verify-added")) }
                                    dd { (page.date(p.submitted_at)) }
                                }
                                @if p.has_proof {
                                    a class="button secondary small" href=(format!("/network/verification/{}/proof", p.id)) data-testid="netp-proof-link" { (page.t("netp-verify-proof")) }
                                } @else {
                                    p class="muted small" { (page.t("netp-verify-no-proof")) }
                                }
                                @if let Some(r) = mine.filter(|r| r.reason.is_none()) { (error_notice(page.lang, &r.error)) }
                            }
                            div class="netp-decide" {
                                form method="post" action=(format!("/network/verification/{}/approve", p.id)) {
                                    (page.csrf_field())
                                    button type="submit" class="primary netp-inline" data-testid="netp-approve" { (page.t("netp-verify-approve")) }
                                }
                                @let rejecting = mine.and_then(|r| r.reason.as_deref().map(|reason| (&r.error, reason)));
                                details class="row-actions" open[rejecting.is_some()] {
                                    summary { (page.t("netp-verify-reject")) }
                                    div class="row-panel" {
                                        @if let Some((e, _)) = rejecting { (error_notice(page.lang, e)) }
                                        form method="post" action=(format!("/network/verification/{}/reject", p.id)) novalidate {
                                            (page.csrf_field())
                                            div class="field" {
                                                label for=(format!("netp-reason-{}", p.id)) { (page.t("netp-verify-reason")) }
                                                textarea id=(format!("netp-reason-{}", p.id)) name="reason" rows="3" maxlength="500" required { (rejecting.map(|(_, reason)| reason).unwrap_or("")) }
                                            }
                                            button type="submit" class="danger small" { (page.t("netp-verify-reject-submit")) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    let resp = app_layout(state, page, view, &page.t("netp-verify-title"), content).await;
    (status, resp).into_response()
}

async fn queue(State(state): State<WebState>, page: Page, Ready { view, principal }: Ready) -> Response {
    render_queue(&state, &page, &view, &principal, None).await
}

/// The proof document, downloaded (never shown inline: it is not ours).
async fn proof(
    State(state): State<WebState>,
    page: Page,
    Ready { view, principal }: Ready,
    Path(id): Path<String>,
) -> Response {
    let proof = match id.parse() {
        Ok(id) => professions::proof(&state.ctx, &page.client, &principal, id).await,
        Err(e) => Err(e.into()),
    };
    match proof {
        Ok((content_type, bytes)) => {
            let ext = match content_type.as_str() {
                "application/pdf" => "pdf",
                "image/jpeg" => "jpg",
                "image/png" => "png",
                _ => "bin",
            };
            let safe_id: String = id.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
            (
                [
                    (header::CONTENT_TYPE, content_type),
                    (header::CACHE_CONTROL, "no-store".to_string()),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"proof-{safe_id}.{ext}\""),
                    ),
                ],
                bytes,
            )
                .into_response()
        }
        Err(e) => failure(&state, &page, &view, &e).await,
    }
}

async fn approve(
    State(state): State<WebState>,
    page: Page,
    Ready { view, principal }: Ready,
    Path(id): Path<String>,
) -> Response {
    let done = match id.parse() {
        Ok(id) => professions::approve(&state.ctx, &page.client, &principal, id).await,
        Err(e) => Err(e.into()),
    };
    match done {
        Ok(()) => redirect_with_flash(&state, "/network/verification", "netp-verify-approved"),
        Err(e) => {
            let refusal = Refusal {
                id,
                error: e,
                reason: None,
            };
            render_queue(&state, &page, &view, &principal, Some(refusal)).await
        }
    }
}

async fn reject(
    State(state): State<WebState>,
    page: Page,
    Ready { view, principal }: Ready,
    Path(id): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    let reason = Fields(f).get("reason").to_string();
    let done = match id.parse() {
        Ok(id) => professions::reject(&state.ctx, &page.client, &principal, id, &reason).await,
        Err(e) => Err(e.into()),
    };
    match done {
        Ok(()) => redirect_with_flash(&state, "/network/verification", "netp-verify-rejected"),
        Err(e) => {
            let refusal = Refusal {
                id,
                error: e,
                reason: Some(reason),
            };
            render_queue(&state, &page, &view, &principal, Some(refusal)).await
        }
    }
}

// ---------- the team ----------

async fn render_team(
    state: &WebState,
    page: &Page,
    view: &SessionView,
    principal: &Principal,
    error: Option<AppError>,
    email: &str,
) -> Response {
    let team = match professions::verifiers(&state.ctx, principal).await {
        Ok(t) => t,
        Err(e) => return failure(state, page, view, &e).await,
    };
    let status = error.as_ref().map(crate::error::status_of).unwrap_or(StatusCode::OK);
    let content = html! {
        h1 { (page.t("netp-team-title")) }
        p class="lead" { (page.t("netp-team-intro")) }
        p { a href="/network/verification" { (page.t("netp-team-queue-link")) } " · " a href="/admin/organizations" { (page.t("admin-title")) } }
        section class="card" id="verification-team" {
            (team_section(page, &team, error.as_ref(), email, "/network/verifiers"))
        }
    };
    let resp = app_layout(state, page, view, &page.t("netp-team-title"), content).await;
    (status, resp).into_response()
}

/// The team's list and forms. `back` is where the forms return after a
/// change (the console draws the same forms with its own `back`).
fn team_section(
    page: &Page,
    team: &[(cercle_domain::UserId, String, String)],
    error: Option<&AppError>,
    email: &str,
    back: &str,
) -> maud::Markup {
    html! {
        h2 { (page.t("netp-team-title")) " (" (team.len()) ")" }
        p class="hint netp-hint" { (page.t("netp-team-hint")) }
        @if let Some(e) = error {
            @if matches!(e, AppError::NotFound) {
                p class="notice error" role="alert" { (page.t("netp-team-no-account")) }
            } @else {
                (error_notice(page.lang, e))
            }
        }
        @if team.is_empty() {
            p class="muted" { (page.t("netp-team-empty")) }
        } @else {
            ul class="items" {
                @for (id, name, mail) in team {
                    li data-verifier=(id) {
                        div class="item-main" { strong { (name) } div class="muted small" { (mail) } }
                        form method="post" action="/network/verifiers/remove" {
                            (page.csrf_field())
                            input type="hidden" name="email" value=(mail);
                            input type="hidden" name="back" value=(back);
                            button type="submit" class="linklike danger-link" data-confirm=(page.ta("netp-team-remove-confirm", &[("name", name)])) { (page.t("netp-team-remove")) }
                        }
                    }
                }
            }
        }
        form method="post" action="/network/verifiers" class="inline-form" novalidate {
            (page.csrf_field())
            input type="hidden" name="back" value=(back);
            div class="field" {
                label for="netp-verifier-email" { (page.t("netp-team-add-email")) }
                input id="netp-verifier-email" name="email" type="email" value=(email) required maxlength="254" autocomplete="off";
            }
            button type="submit" class="secondary" { (page.t("netp-team-add")) }
        }
    }
}

/// Only the two pages that draw the team's forms.
fn back_to(f: &Fields) -> &'static str {
    match f.get("back") {
        "/admin/organizations" => "/admin/organizations#verification-team",
        _ => "/network/verifiers",
    }
}

async fn team(State(state): State<WebState>, page: Page, Ready { view, principal }: Ready) -> Response {
    render_team(&state, &page, &view, &principal, None, "").await
}

async fn add_verifier(
    State(state): State<WebState>,
    page: Page,
    Ready { view, principal }: Ready,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    let f = Fields(f);
    match professions::set_verifier(&state.ctx, &page.client, &principal, f.get("email"), true).await {
        Ok(()) => redirect_with_flash(&state, back_to(&f), "netp-team-added"),
        // Refused: shown on the team's own page, with what was typed.
        Err(e) => render_team(&state, &page, &view, &principal, Some(e), f.get("email")).await,
    }
}

async fn remove_verifier(
    State(state): State<WebState>,
    page: Page,
    Ready { view, principal }: Ready,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    let f = Fields(f);
    match professions::set_verifier(&state.ctx, &page.client, &principal, f.get("email"), false).await {
        Ok(()) => redirect_with_flash(&state, back_to(&f), "netp-team-removed"),
        Err(e) => render_team(&state, &page, &view, &principal, Some(e), "").await,
    }
}

// ---------- organizations ----------

/// Allows an organization to validate its members' professions, or stops it.
async fn organization_validation(
    State(state): State<WebState>,
    page: Page,
    Ready { view, principal }: Ready,
    Path(id): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    let on = Fields(f).get("enabled") == "1";
    let done = match id.parse() {
        Ok(id) => professions::set_organization_validates(&state.ctx, &page.client, &principal, id, on).await,
        Err(e) => Err(e.into()),
    };
    match done {
        Ok(()) => redirect_with_flash(
            &state,
            "/admin/organizations",
            if on {
                "netp-org-validation-on"
            } else {
                "netp-org-validation-off"
            },
        ),
        Err(e) => failure(&state, &page, &view, &e).await,
    }
}

/// An organization's administrator validates a member's profession.
async fn validate_member(
    State(state): State<WebState>,
    page: Page,
    Ready { view, principal }: Ready,
    Path(id): Path<String>,
) -> Response {
    let result = match OrgScope::of(&state.ctx, &principal).await {
        Ok(scope) => match id.parse() {
            Ok(id) => professions::validate_for_organization(&state.ctx, &page.client, &scope, id).await,
            Err(e) => Err(e.into()),
        },
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => redirect_with_flash(&state, "/admin/members#member-professions", "netp-member-validated"),
        Err(e) => failure(&state, &page, &view, &e).await,
    }
}
