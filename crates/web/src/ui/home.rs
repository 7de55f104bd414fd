//! The home page and the sections later capabilities fill.

use super::invitations::pending_invitation;
use super::{icon, require_ready, Header, Page};
use crate::extract::WebSession;
use crate::WebState;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use maud::html;

pub async fn home(
    State(state): State<WebState>,
    page: Page,
    headers: HeaderMap,
    session: Option<WebSession>,
) -> Response {
    let (view, _) = match require_ready(session) {
        Ok(v) => v,
        Err(r) => return r,
    };
    // Back from signing up or in through an invitation: on to accepting it.
    if let Some(to_invitation) = pending_invitation(&state, &headers) {
        return to_invitation;
    }
    if let Some(to_join) = pending_network_invitation(&state, &headers) {
        return to_join;
    }
    if let Some(to_circle) = super::patients::circle::pending_join(&state, &headers) {
        return to_circle;
    }
    if view.user.circle_only {
        return axum::response::Redirect::to("/care").into_response();
    }
    let header = Header::of(&state, &view).await;
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
            div {
                p { (page.t("home-security-card")) " " a href="/security" { (page.t("nav-security")) } }
                @if view.user.network_admin { p { (page.t("home-admin-card")) " " a href="/admin" { (page.t("nav-admin")) } } }
                @else if header.admin { p { (page.t("home-org-admin-card")) " " a href="/admin" { (page.t("nav-admin")) } } }
            }
        }
    };
    super::layout(&page, &page.t("home-title"), super::Frame::App(&view, &header), content)
}

/// Remembers a network invitation (`/network/join/{token}`) while its guest
/// signs up or in (set by `network/join.rs`).
pub const NETWORK_INVITATION: &str = "cercle_network_invitation";

/// A redirect back to the network invitation being accepted, if any (the
/// cookie is used once; only URL-safe tokens are followed).
fn pending_network_invitation(state: &WebState, headers: &HeaderMap) -> Option<Response> {
    let token = crate::cookies::get(headers, NETWORK_INVITATION)
        .filter(|t| t.len() <= 100 && t.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'))?;
    let mut resp = axum::response::Redirect::to(&format!("/network/join/{token}")).into_response();
    super::set_cookie(
        &mut resp,
        crate::cookies::clear(NETWORK_INVITATION, state.secure_cookies),
    );
    Some(resp)
}
