//! The network administrator's page of email and SMS that finally failed,
//! with "send again". Never their subject or body: the kind of message, the
//! recipient masked, the last error.

use super::{admin_layout, refusal, Tab};
use crate::ui::page::{redirect_with_flash, Page, Ready};
use crate::WebState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use cercle_app::outbox;
use maud::html;

pub async fn failed(State(state): State<WebState>, page: Page, Ready { view, principal }: Ready) -> Response {
    let scope = cercle_app::orgs::OrgScope::of(&state.ctx, &principal).await.ok();
    let list = match outbox::failed_messages(&state.ctx, &principal).await {
        Ok(l) => l,
        Err(e) => return refusal(&state, &page, &view, scope.as_ref(), Tab::Mail, &e).await,
    };
    let hours = (state.ctx.config.mail.retry_secs / 3600).to_string();
    let content = html! {
        section class="card" {
            p class="hint" { (page.ta("admin-mail-hint", &[("hours", &hours)])) }
            @if list.is_empty() { p class="muted" data-testid="mail-failed-empty" { (page.t("admin-mail-empty")) } }
            @else {
                div class="table-wrap" tabindex="0" role="region" aria-label=(page.t("admin-tab-mail")) {
                    table class="stacked" {
                        thead { tr {
                            th { (page.t("col-when")) } th { (page.t("col-channel")) } th { (page.t("admin-mail-col-kind")) }
                            th { (page.t("col-to")) } th { (page.t("admin-mail-col-error")) } th {}
                        } }
                        tbody {
                            @for m in &list {
                                tr data-outbox=(m.id) {
                                    td data-label=(page.t("col-when")) { (page.date_time(m.failed_at.unwrap_or(m.created_at))) }
                                    td data-label=(page.t("col-channel")) { (if m.channel == "sms" { "SMS" } else { "Email" }) }
                                    td data-label=(page.t("admin-mail-col-kind")) { (kind_label(&page, &m.kind)) }
                                    td data-label=(page.t("col-to")) class="mono" { (m.recipient) }
                                    td data-label=(page.t("admin-mail-col-error")) class="small" {
                                        // One element: the stacked (phone) layout lays a cell's children side by side.
                                        span {
                                            (m.last_error.as_deref().unwrap_or(""))
                                            br;
                                            span class="muted" { (page.ta("admin-mail-attempts", &[("count", &m.attempts.to_string())])) }
                                        }
                                    }
                                    td {
                                        form method="post" action=(format!("/admin/mail/{}/send", m.id)) {
                                            (page.csrf_field())
                                            button type="submit" class="secondary" { (page.t("admin-mail-send-again")) }
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
    admin_layout(&state, &page, &view, scope.as_ref(), Tab::Mail, StatusCode::OK, content).await
}

/// What the message was, in the reader's language ("Sign-in code"); the
/// stable code itself for a kind without a label.
fn kind_label(page: &Page, kind: &str) -> String {
    let id = format!("admin-mail-kind-{kind}");
    let label = page.t(&id);
    if label == id {
        kind.to_string()
    } else {
        label
    }
}

/// "Send again": queued anew with the same Message-ID; audited.
pub async fn send_again(
    State(state): State<WebState>,
    page: Page,
    Ready { view, principal }: Ready,
    Path(id): Path<String>,
) -> Response {
    let done = match id.parse() {
        Ok(id) => outbox::send_again(&state.ctx, &page.client, &principal, id).await,
        Err(e) => Err(e.into()),
    };
    match done {
        Ok(()) => redirect_with_flash(&state, "/admin/mail", "admin-mail-sent-again"),
        Err(e) => {
            let scope = cercle_app::orgs::OrgScope::of(&state.ctx, &principal).await.ok();
            refusal(&state, &page, &view, scope.as_ref(), Tab::Mail, &e).await
        }
    }
}
