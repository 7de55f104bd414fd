//! The page an invitation link opens, accepting it, and switching the
//! active organization from the header.

use crate::cookies;
use crate::extract::WebSession;
use crate::guard::RouteList;
use crate::ui::page::{error_notice, layout, redirect_with_flash, set_cookie, Frame, Page};
use crate::WebState;
use axum::extract::{Form, Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use cercle_app::accounts::{SessionState, SessionView};
use cercle_app::orgs::membership::{self, InvitationInfo};
use cercle_app::orgs::structure;
use cercle_app::AppError;
use maud::html;
use serde::Deserialize;

/// Remembers an invitation while its guest signs up or in (one hour).
pub const INVITATION: &str = "cercle_invitation";
const INVITATION_COOKIE_SECS: i64 = 3600;

/// Professionals only (see `crate::guard`).
pub fn routes() -> RouteList {
    RouteList::new().route("/organizations/active", post(switch))
}

/// An organization's invitation: accepting it lifts a patient's or caregiver's circle-only state.
pub fn shared_routes() -> Router<WebState> {
    Router::new()
        .route("/invitations/{token}", get(show))
        .route("/invitations/{token}/accept", post(accept))
}

/// Tokens are URL-safe base64: anything else is not one of ours.
fn plausible_token(token: &str) -> bool {
    !token.is_empty() && token.len() <= 100 && token.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// The cookie that brings the guest back to the invitation.
pub fn remember(state: &WebState, resp: &mut Response, token: &str) {
    if plausible_token(token) {
        set_cookie(
            resp,
            cookies::set(INVITATION, token, INVITATION_COOKIE_SECS, state.secure_cookies),
        );
    }
}

/// For the home page: a redirect to the invitation being accepted, if any
/// (the cookie is used once).
pub fn pending_invitation(state: &WebState, headers: &HeaderMap) -> Option<Response> {
    let token = cookies::get(headers, INVITATION).filter(|t| plausible_token(t))?;
    let mut resp = Redirect::to(&format!("/invitations/{token}")).into_response();
    set_cookie(&mut resp, cookies::clear(INVITATION, state.secure_cookies));
    Some(resp)
}

fn card(page: &Page, body: maud::Markup) -> maud::Markup {
    html! { section class="card" { h1 { (page.t("invitation-title")) } (body) } }
}

/// `/sign-up` with the guest's address filled in.
fn sign_up_link(info: &InvitationInfo, token: &str) -> String {
    let query =
        serde_urlencoded::to_string([("email", info.email.as_str()), ("invitation", token)]).unwrap_or_default();
    format!("/sign-up?{query}")
}

fn render(
    page: &Page,
    token: &str,
    view: Option<&SessionView>,
    info: &InvitationInfo,
    error: Option<&AppError>,
) -> Response {
    let ready = view.filter(|v| matches!(v.state, SessionState::Ready(_)));
    let other_email = ready.filter(|v| !v.user.email.eq_ignore_ascii_case(&info.email));
    let body = html! {
        p class="lead-strong" data-testid="invitation-org" { (page.ta("invitation-intro", &[("org", &info.org_name)])) }
        dl class="facts" {
            dt { (page.t("invitation-for")) }
            dd { strong { (info.name) } br; span class="muted" { (info.email) } }
        }
        @if let Some(e) = error { (error_notice(page.lang, e)) }
        @if let Some(v) = other_email {
            p class="notice error" role="alert" { (page.ta("invitation-other-account", &[("email", &v.user.email), ("invited", &info.email)])) }
            form method="post" action="/sign-out" {
                (page.csrf_field())
                button type="submit" class="secondary" { (page.t("action-sign-out")) }
            }
        } @else if ready.is_some() {
            form method="post" action=(format!("/invitations/{token}/accept")) {
                (page.csrf_field())
                button type="submit" class="primary" { (page.t("invitation-accept")) }
            }
        } @else if let Some(v) = view {
            a class="button primary" href=(crate::ui::page::place_of(&v.state)) { (page.t("action-continue")) }
        } @else {
            p { (page.t("invitation-account-intro")) }
            div class="stack" {
                a class="button primary" href=(sign_up_link(info, token)) data-testid="invitation-sign-up" { (page.t("invitation-create-account")) }
                a class="button secondary" href="/sign-in" data-testid="invitation-sign-in" { (page.t("invitation-sign-in")) }
            }
        }
    };
    let frame = Frame::Bare;
    layout(page, &page.t("invitation-title"), frame, card(page, body))
}

fn invalid(page: &Page, e: &AppError) -> Response {
    let body = html! {
        (error_notice(page.lang, e))
        p { a href="/" { (page.t("error-go-home")) } }
    };
    (
        crate::error::status_of(e),
        layout(page, &page.t("invitation-title"), Frame::Bare, card(page, body)),
    )
        .into_response()
}

async fn show(
    State(state): State<WebState>,
    page: Page,
    session: Option<WebSession>,
    Path(token): Path<String>,
) -> Response {
    let info = match membership::invitation_info(&state.ctx, &token).await {
        Ok(i) => i,
        Err(e) => return invalid(&page, &e),
    };
    let view = session.map(|WebSession(v)| v);
    let mut resp = render(&page, &token, view.as_ref(), &info, None);
    match &view {
        // Ready with the right account: nothing to come back to.
        Some(v) if matches!(v.state, SessionState::Ready(_)) && v.user.email.eq_ignore_ascii_case(&info.email) => {
            set_cookie(&mut resp, cookies::clear(INVITATION, state.secure_cookies));
        }
        _ => remember(&state, &mut resp, &token),
    }
    resp
}

async fn accept(
    State(state): State<WebState>,
    page: Page,
    session: Option<WebSession>,
    Path(token): Path<String>,
) -> Response {
    let (view, principal) = match crate::ui::page::require_ready(session) {
        Ok(v) => v,
        Err(mut r) => {
            remember(&state, &mut r, &token);
            return r;
        }
    };
    match membership::accept(&state.ctx, &page.client, &principal, &token).await {
        Ok(_) => {
            let mut resp = redirect_with_flash(&state, "/", "invitation-accepted");
            set_cookie(&mut resp, cookies::clear(INVITATION, state.secure_cookies));
            resp
        }
        Err(e) => match membership::invitation_info(&state.ctx, &token).await {
            Ok(info) => (
                crate::error::status_of(&e),
                render(&page, &token, Some(&view), &info, Some(&e)),
            )
                .into_response(),
            Err(gone) => invalid(&page, &gone),
        },
    }
}

#[derive(Deserialize)]
pub struct SwitchForm {
    #[serde(default)]
    org_id: String,
}

async fn switch(
    State(state): State<WebState>,
    page: Page,
    session: Option<WebSession>,
    Form(f): Form<SwitchForm>,
) -> Response {
    let (_, principal) = match crate::ui::page::require_ready(session) {
        Ok(v) => v,
        Err(r) => return r,
    };
    // A text that is no id is an organization not found, as the service would say.
    let switched = match f.org_id.parse() {
        Ok(org_id) => structure::switch_organization(&state.ctx, &page.client, &principal, org_id).await,
        Err(e) => Err(cercle_app::AppError::from(e)),
    };
    match switched {
        // The page one was on belongs to the old organization: home is the
        // new one's starting point (never a bare "not found").
        Ok(()) => redirect_with_flash(&state, "/", "org-switched"),
        Err(e) => crate::error_page::error_page(page.lang, crate::error::status_of(&e), &format!("error-{}", e.code())),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_url_safe_tokens_are_remembered() {
        assert!(super::plausible_token("abcDEF012-_"));
        assert!(!super::plausible_token(""));
        assert!(!super::plausible_token("../admin"));
        assert!(!super::plausible_token("a;b"));
        assert!(!super::plausible_token(&"a".repeat(101)));
    }
}
