//! The network administrator's page of EMRs (the integrated bubble): the
//! list, a form to register one, and enabling or disabling each. Thin: the
//! rules are in `cercle_app::emr::registry`.

use super::{admin_layout, refusal, Tab};
use crate::ui::page::{redirect_with_flash, Page, Ready};
use crate::WebState;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use cercle_app::emr::registry::{self, EmrInput};
use cercle_app::orgs::OrgScope;
use cercle_app::AppError;
use maud::html;
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct EmrForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    issuer: String,
    #[serde(default)]
    client_id: String,
    #[serde(default)]
    frame_origins: String,
}

async fn page_of(state: &WebState, page: &Page, ready: &Ready, form: &EmrForm, error: Option<&AppError>) -> Response {
    let scope = OrgScope::of(&state.ctx, &ready.principal).await.ok();
    let list = match registry::list(&state.ctx, &ready.principal).await {
        Ok(l) => l,
        Err(e) => return refusal(state, page, &ready.view, scope.as_ref(), Tab::Emrs, &e).await,
    };
    let content = html! {
        section class="card" {
            p class="hint" { (page.t("admin-emrs-intro")) }
            @if list.is_empty() { p class="muted" data-testid="emrs-empty" { (page.t("admin-emrs-none")) } }
            @else {
                div class="table-wrap" tabindex="0" role="region" aria-label=(page.t("admin-emrs-title")) {
                    table class="stacked" {
                        thead { tr {
                            th { (page.t("admin-emrs-name")) } th { (page.t("admin-emrs-issuer")) }
                            th { (page.t("admin-emrs-client-id")) } th { (page.t("admin-emrs-origins")) } th {}
                        } }
                        tbody {
                            @for e in &list {
                                tr data-emr=(e.id) {
                                    td data-label=(page.t("admin-emrs-name")) { (e.name) }
                                    td data-label=(page.t("admin-emrs-issuer")) class="mono" { (e.issuer) }
                                    td data-label=(page.t("admin-emrs-client-id")) class="mono" { (e.client_id) }
                                    td data-label=(page.t("admin-emrs-origins")) class="mono" { (e.frame_origins.join(" ")) }
                                    td {
                                        form method="post" action=(format!("/admin/emrs/{}/enabled", e.id)) {
                                            (page.csrf_field())
                                            input type="hidden" name="enabled" value=(if e.enabled { "false" } else { "true" });
                                            span class="badge" { (if e.enabled { page.t("admin-emrs-enabled") } else { page.t("admin-emrs-disabled") }) } " "
                                            button type="submit" class="secondary" {
                                                (if e.enabled { page.t("admin-emrs-disable") } else { page.t("admin-emrs-enable") })
                                                span class="visually-hidden" { " · " (e.name) }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        section class="card" {
            h2 { (page.t("admin-emrs-register")) }
            @if let Some(e) = error { (crate::ui::page::error_notice(page.lang, e)) }
            form method="post" action="/admin/emrs" novalidate {
                (page.csrf_field())
                div class="field" { label for="emr-name" { (page.t("admin-emrs-name")) } input id="emr-name" name="name" type="text" value=(form.name) required; }
                div class="field" { label for="emr-issuer" { (page.t("admin-emrs-issuer")) } input id="emr-issuer" name="issuer" type="url" value=(form.issuer) required; }
                div class="field" { label for="emr-client-id" { (page.t("admin-emrs-client-id")) } input id="emr-client-id" name="client_id" type="text" value=(form.client_id) required; }
                div class="field" { label for="emr-origins" { (page.t("admin-emrs-origins")) } textarea id="emr-origins" name="frame_origins" rows="3" { (form.frame_origins) } }
                button type="submit" class="primary" { (page.t("admin-emrs-register")) }
            }
        }
    };
    let status = match error {
        Some(e) => crate::error::status_of(e),
        None => StatusCode::OK,
    };
    admin_layout(state, page, &ready.view, scope.as_ref(), Tab::Emrs, status, content).await
}

pub async fn list(State(state): State<WebState>, page: Page, ready: Ready) -> Response {
    page_of(&state, &page, &ready, &EmrForm::default(), None).await
}

pub async fn register(State(state): State<WebState>, page: Page, ready: Ready, Form(f): Form<EmrForm>) -> Response {
    let input = EmrInput {
        name: f.name.clone(),
        issuer: f.issuer.clone(),
        client_id: f.client_id.clone(),
        frame_origins: f.frame_origins.split_whitespace().map(str::to_string).collect(),
        enabled: None,
    };
    match registry::register(&state.ctx, &page.client, &ready.principal, &input).await {
        Ok(_) => redirect_with_flash(&state, "/admin/emrs", "admin-emrs-registered"),
        Err(e) => page_of(&state, &page, &ready, &f, Some(&e)).await,
    }
}

#[derive(Deserialize)]
pub struct EnabledForm {
    #[serde(default)]
    enabled: String,
}

pub async fn set_enabled(
    State(state): State<WebState>,
    page: Page,
    ready: Ready,
    Path(id): Path<String>,
    Form(f): Form<EnabledForm>,
) -> Response {
    let done: Result<_, AppError> = async {
        let id: cercle_domain::EmrId = id.parse()?;
        let current = registry::list(&state.ctx, &ready.principal)
            .await?
            .into_iter()
            .find(|e| e.id == id.to_string())
            .ok_or(AppError::NotFound)?;
        let input = EmrInput {
            name: current.name,
            issuer: current.issuer,
            client_id: current.client_id,
            frame_origins: current.frame_origins,
            enabled: Some(f.enabled == "true"),
        };
        registry::update(&state.ctx, &page.client, &ready.principal, id, &input).await
    }
    .await;
    match done {
        Ok(_) => redirect_with_flash(&state, "/admin/emrs", "admin-emrs-saved"),
        Err(e) => page_of(&state, &page, &ready, &EmrForm::default(), Some(&e)).await,
    }
}
