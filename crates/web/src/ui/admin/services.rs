//! The network administrator's page of service accounts (issue 18, part
//! 3): hosting partners' and EMRs' accounts (SMART Backend Services) —
//! list, register, replace the public keys (rotation), disable and enable.
//! The rules are in `cercle_app::service_accounts`.

use super::{admin_layout, input, refusal, select, Extra, Fields, Tab};
use crate::ui::page::{redirect_with_flash, Page, Ready};
use crate::WebState;
use axum::extract::{Form, Path, State};
use axum::response::Response;
use cercle_app::accounts::SessionView;
use cercle_app::orgs::structure;
use cercle_app::service_accounts::{self as service, NewServiceAccount, ServiceAccountChange};
use cercle_app::AppError;
use cercle_domain::policy::{Principal, ServiceScope};
use cercle_domain::InputError;
use maud::{html, Markup};

type Post = Form<Vec<(String, String)>>;

/// A JWK set as typed in the page's text area.
fn jwks_of(f: &Fields) -> Result<serde_json::Value, AppError> {
    serde_json::from_str(f.get("jwks")).map_err(|_| AppError::Input(InputError::ServiceKeysInvalid))
}

fn textarea(label: &str, hint: &str, id: &str, value: &str) -> Markup {
    html! {
        div class="field" {
            label for=(id) { (label) }
            p class="hint" id=(format!("{id}-hint")) { (hint) }
            textarea id=(id) name="jwks" rows="6" class="mono" required maxlength="16384" aria-describedby=(format!("{id}-hint")) spellcheck="false" { (value) }
        }
    }
}

async fn render(state: &WebState, page: &Page, view: &SessionView, principal: &Principal, extra: Extra) -> Response {
    let scope = cercle_app::orgs::OrgScope::of(&state.ctx, principal).await.ok();
    let accounts = match service::list(&state.ctx, principal).await {
        Ok(a) => a,
        Err(e) => return refusal(state, page, view, scope.as_ref(), Tab::Services, &e).await,
    };
    let orgs: Vec<(String, String)> = structure::all_organizations(&state.ctx, principal)
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|o| o.archived_at.is_none())
        .map(|o| (o.id.to_string(), o.name))
        .collect();
    let token_url = service::token_url(&state.ctx);
    let content = html! {
        section class="card" id="new-service-account" {
            h2 { (page.t("svc-new")) }
            p class="hint" { (page.t("svc-hint")) " " span class="mono" { (token_url) } }
            (extra.notice(page, "new"))
            form method="post" action="/admin/service-accounts" class="grid-form" novalidate {
                (page.csrf_field())
                (input(&page.t("svc-field-name"), "svc-name", "name", "text", extra.value("new", "name", ""), true))
                (select(&page.t("svc-field-org"), "svc-org", "org_id", &orgs, extra.value("new", "org_id", "")))
                (input(&page.t("svc-field-member"), "svc-member", "member_email", "email", extra.value("new", "member_email", ""), true))
                fieldset class="checks" {
                    legend { (page.t("svc-field-scopes")) }
                    @for s in ServiceScope::ALL {
                        label {
                            input type="checkbox" name="scope" value=(s.as_str()) checked[extra.checked("new", "scope", s.as_str(), false)];
                            " " span class="mono" { (s.as_str()) } " — " (page.t(&format!("svc-scope-{}", s.as_str().replace(['/', '.'], "-"))))
                        }
                    }
                }
                (textarea(&page.t("svc-field-jwks"), &page.t("svc-jwks-hint"), "svc-jwks", extra.value("new", "jwks", "")))
                div class="actions-row" { button type="submit" class="primary" { (page.t("svc-create")) } }
            }
        }
        section class="card" {
            h2 { (page.t("admin-tab-services")) " (" (accounts.len()) ")" }
            @if accounts.is_empty() { p class="muted" data-testid="svc-empty" { (page.t("svc-empty")) } }
            ul class="items" {
                @for a in &accounts {
                    @let key = a.id.as_str();
                    li data-service=(a.id) {
                        div class="item-main" {
                            strong { (a.name) }
                            @if a.disabled { " " span class="badge" data-testid="svc-disabled" { (page.t("svc-disabled")) } }
                            div class="muted small" { (page.t("svc-client-id")) " " span class="mono" { (a.id) } }
                            div class="small" { (a.org_name) " · " (page.ta("svc-through", &[("email", &a.member_email)])) }
                            div class="small mono" { (a.scopes.join(" ")) }
                            div class="small" {
                                (page.t("svc-keys")) " "
                                @for (i, k) in a.keys.iter().enumerate() {
                                    @if i > 0 { ", " }
                                    span class="mono" { (k.kid.as_deref().unwrap_or("—")) " (" (k.kty) (k.alg.as_deref().map(|al| format!(" {al}")).unwrap_or_default()) ")" }
                                }
                            }
                        }
                        form method="post" action=(format!("/admin/service-accounts/{}/status", a.id)) {
                            (page.csrf_field())
                            input type="hidden" name="disabled" value=(if a.disabled { "0" } else { "1" });
                            @if a.disabled {
                                button type="submit" class="secondary" { (page.t("svc-enable")) }
                            } @else {
                                button type="submit" class="danger small" data-confirm=(page.ta("svc-disable-confirm", &[("name", &a.name)])) { (page.t("svc-disable")) }
                            }
                        }
                        details class="row-actions" open[extra.at(key)] {
                            summary { (page.t("svc-rotate")) }
                            div class="row-panel" {
                                (extra.notice(page, key))
                                form method="post" action=(format!("/admin/service-accounts/{}/keys", a.id)) class="grid-form" novalidate {
                                    (page.csrf_field())
                                    (textarea(&page.t("svc-field-jwks"), &page.t("svc-rotate-hint"), &format!("svc-{}-jwks", a.id), extra.value(key, "jwks", "")))
                                    div class="actions-row" { button type="submit" class="secondary" { (page.t("svc-rotate-submit")) } }
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
        view,
        scope.as_ref(),
        Tab::Services,
        extra.status(),
        content,
    )
    .await
}

pub async fn list(State(state): State<WebState>, page: Page, Ready { view, principal }: Ready) -> Response {
    render(&state, &page, &view, &principal, Extra::default()).await
}

pub async fn create(
    State(state): State<WebState>,
    page: Page,
    Ready { view, principal }: Ready,
    Form(f): Post,
) -> Response {
    let f = Fields(f);
    let jwks = match jwks_of(&f) {
        Ok(j) => j,
        Err(e) => return render(&state, &page, &view, &principal, Extra::error("new", e, f)).await,
    };
    let input = NewServiceAccount {
        name: f.get("name").to_string(),
        org_id: f.get("org_id").to_string(),
        member_email: f.get("member_email").to_string(),
        scopes: f.all("scope").into_iter().map(str::to_string).collect(),
        jwks,
    };
    match service::register(&state.ctx, &page.client, &principal, &input).await {
        Ok(_) => redirect_with_flash(&state, "/admin/service-accounts", "svc-created"),
        Err(e) => render(&state, &page, &view, &principal, Extra::error("new", e, f)).await,
    }
}

async fn apply(
    state: &WebState,
    page: &Page,
    principal: &Principal,
    id: &str,
    input: Result<ServiceAccountChange, AppError>,
) -> Result<(), AppError> {
    let id = id.parse()?;
    service::change(&state.ctx, &page.client, principal, id, &input?).await?;
    Ok(())
}

/// Replaces the account's keys (rotation).
pub async fn keys(
    State(state): State<WebState>,
    page: Page,
    Ready { view, principal }: Ready,
    Path(id): Path<String>,
    Form(f): Post,
) -> Response {
    let f = Fields(f);
    let input = jwks_of(&f).map(|jwks| ServiceAccountChange {
        jwks: Some(jwks),
        ..ServiceAccountChange::default()
    });
    match apply(&state, &page, &principal, &id, input).await {
        Ok(()) => redirect_with_flash(&state, "/admin/service-accounts", "svc-keys-replaced"),
        Err(e) => render(&state, &page, &view, &principal, Extra::error(id, e, f)).await,
    }
}

/// Disables or enables the account.
pub async fn status(
    State(state): State<WebState>,
    page: Page,
    Ready { view, principal }: Ready,
    Path(id): Path<String>,
    Form(f): Post,
) -> Response {
    let f = Fields(f);
    let disabled = f.on("disabled");
    let input = Ok(ServiceAccountChange {
        disabled: Some(disabled),
        ..ServiceAccountChange::default()
    });
    let done = if disabled {
        "svc-disabled-done"
    } else {
        "svc-enabled-done"
    };
    match apply(&state, &page, &principal, &id, input).await {
        Ok(()) => redirect_with_flash(&state, "/admin/service-accounts", done),
        Err(e) => render(&state, &page, &view, &principal, Extra::error(id, e, f)).await,
    }
}
