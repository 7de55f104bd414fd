//! The home page, the sections later capabilities fill, and the network
//! administrator's audit view.

use super::{error_notice, icon, layout, require_ready, Frame, Page};
use crate::extract::WebSession;
use crate::WebState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use cercle_app::admin;
use cercle_domain::Timestamp;
use maud::html;

pub async fn home(page: Page, session: Option<WebSession>) -> Response {
    let (view, _) = match require_ready(session) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let content = html! {
        h1 { (page.ta("home-welcome", &[("name", &view.user.name)])) }
        p class="lead" { (page.t("home-intro")) }
        div class="grid" {
            a class="tile" href="/patients" { (icon("patients")) h2 { (page.t("nav-patients")) } p class="muted" { (page.t("home-empty-patients")) } }
            a class="tile" href="/channels" { (icon("channels")) h2 { (page.t("nav-channels")) } p class="muted" { (page.t("home-empty-channels")) } }
            a class="tile" href="/teams" { (icon("teams")) h2 { (page.t("nav-teams")) } p class="muted" { (page.t("home-empty-teams")) } }
            a class="tile" href="/network" { (icon("network")) h2 { (page.t("nav-network")) } p class="muted" { (page.t("home-empty-network")) } }
        }
        div class="card subtle" {
            (icon("shield"))
            p { (page.t("home-security-card")) " " a href="/security" { (page.t("nav-security")) } }
            @if view.user.network_admin { p { (page.t("home-admin-card")) " " a href="/admin" { (page.t("nav-admin")) } } }
        }
    };
    layout(&page, &page.t("home-title"), Frame::App(&view), content)
}

/// Patients, channels, teams, network: their empty state until those areas arrive.
pub async fn section(page: Page, session: Option<WebSession>) -> Response {
    let (view, _) = match require_ready(session) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let (title, empty, ic) = match page.path.as_str() {
        "/patients" => ("nav-patients", "home-empty-patients", "patients"),
        "/channels" => ("nav-channels", "home-empty-channels", "channels"),
        "/teams" => ("nav-teams", "home-empty-teams", "teams"),
        _ => ("nav-network", "home-empty-network", "network"),
    };
    let content = html! {
        h1 { (page.t(title)) }
        div class="empty" { (icon(ic)) p { strong { (page.t(empty)) } } p class="muted" { (page.t("section-soon")) } }
    };
    layout(&page, &page.t(title), Frame::App(&view), content)
}

/// The network's audit log, for network administrators.
pub async fn admin(State(state): State<WebState>, page: Page, session: Option<WebSession>) -> Response {
    let (view, principal) = match require_ready(session) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let (status, content) = match admin::audit_log(&state.ctx, &principal, false, 200).await {
        Ok(records) => (
            StatusCode::OK,
            html! {
                h1 { (page.t("nav-admin")) }
                h2 { (page.t("section-activity")) }
                div class="table-wrap" {
                    table {
                        thead { tr { th { (page.t("col-when")) } th { (page.t("col-event")) } th { (page.t("col-actor")) } th { (page.t("col-address")) } } }
                        tbody {
                            @for r in &records {
                                tr { td { (Timestamp(r.at).to_utc_string()) } td class="mono" { (r.event) " · " (r.action) } td class="mono" { (r.actor_kind) " " (r.actor_id.as_deref().unwrap_or("")) } td { (r.ip.as_deref().unwrap_or("")) } }
                            }
                        }
                    }
                }
            },
        ),
        Err(e) => (
            crate::error::status_of(&e),
            html! { h1 { (page.t("nav-admin")) } (error_notice(page.lang, &e)) },
        ),
    };
    (status, layout(&page, &page.t("nav-admin"), Frame::App(&view), content)).into_response()
}
