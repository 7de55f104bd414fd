//! The organization's own settings: its time zone (every date and time its
//! people read follows it, unless they chose their own).

use super::{admin_layout, Admin, Extra, Fields, Tab};
use crate::ui::page::{redirect_with_flash, Page, Ready};
use crate::WebState;
use axum::extract::{Form, State};
use axum::response::Response;
use cercle_app::time_zones;
use cercle_domain::local_time::Zone;
use maud::html;

async fn render(state: &WebState, page: &Page, a: &Admin, extra: Extra) -> Response {
    let zone = time_zones::organization_zone(&state.ctx, &a.scope)
        .await
        .unwrap_or_default();
    let may_change = time_zones::may_set_organization_zone(&a.scope);
    let now = state.ctx.clock.now().0;
    let in_zone = cercle_domain::local_time::LocalTime::new(page.lang, zone.clone());
    let content = html! {
        section class="card" id="org-time-zone" {
            h2 { (page.t("admin-org-time-zone")) }
            p data-testid="org-time-zone" {
                (page.ta("admin-org-time-zone-current", &[("zone", zone.name()), ("now", &in_zone.date_time(now))]))
            }
            p class="hint" { (page.t("admin-org-time-zone-hint")) }
            (extra.notice(page, "time-zone"))
            @if may_change {
                form method="post" action="/admin/organization/time-zone" {
                    (page.csrf_field())
                    div class="field" {
                        label for="org-time-zone-field" { (page.t("admin-org-time-zone-field")) }
                        input id="org-time-zone-field" name="time_zone" type="text" list="org-time-zone-names" required maxlength="64" autocomplete="off" spellcheck="false"
                            value=(extra.value("time-zone", "time_zone", zone.name()));
                        datalist id="org-time-zone-names" { @for n in Zone::all_names() { option value=(n) {} } }
                    }
                    button type="submit" class="primary" { (page.t("tz-save")) }
                }
            } @else {
                p class="muted" { (page.t("admin-org-time-zone-root-only")) }
            }
        }
    };
    admin_layout(
        state,
        page,
        &a.view,
        Some(&a.scope),
        Tab::Organization,
        extra.status(),
        content,
    )
    .await
}

pub async fn show(State(state): State<WebState>, page: Page, ready: Ready) -> Response {
    let a = admin_or_return!(state, page, ready, Tab::Organization);
    render(&state, &page, &a, Extra::default()).await
}

pub async fn set_time_zone(
    State(state): State<WebState>,
    page: Page,
    ready: Ready,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let a = admin_or_return!(state, page, ready, Tab::Organization);
    let f = Fields(fields);
    match time_zones::set_organization_zone(&state.ctx, &page.client, &a.scope, f.get("time_zone")).await {
        Ok(_) => redirect_with_flash(&state, "/admin/organization", "admin-org-time-zone-saved"),
        Err(e) => render(&state, &page, &a, Extra::error("time-zone", e, f)).await,
    }
}
