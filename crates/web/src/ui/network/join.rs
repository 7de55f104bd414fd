//! Network invitations (SPEC 3): a validated professional invites a
//! colleague by email and vouches for their profession; the link of the
//! email (`/network/join/{token}`) lets the guest sign up or in, then
//! accept, which validates the vouched profession.
//!
//! While the guest signs up or in, a cookie remembers the invitation; the
//! home page sends them back to it (see `home.rs`).

use crate::cookies;
use crate::extract::WebSession;
use crate::guard::RouteList;
use crate::ui::home::NETWORK_INVITATION;
use crate::ui::page::Fields;
use crate::ui::page::{
    app_layout, error_notice, layout, place_of, redirect_with_flash, require_ready, set_cookie, Frame, Page, Ready,
};
use crate::WebState;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use cercle_app::accounts::{SessionState, SessionView};
use cercle_app::network::invitations::{self, NetworkInvitationInfo, NetworkInviteInput, SentInvitation};
use cercle_app::network::professions::{self, Status};
use cercle_app::network::profile;
use cercle_app::AppError;
use cercle_domain::policy::Principal;
use cercle_domain::Language;
use maud::{html, Markup};

/// The invitation is remembered for an hour while its guest signs up or in.
const JOIN_COOKIE_SECS: i64 = 3600;

/// Professionals only (see `crate::guard`).
pub fn routes() -> RouteList {
    RouteList::new()
        .route("/network/invite", get(invite_page).post(invite))
        .route("/network/join/{token}", get(show))
        .route("/network/join/{token}/accept", post(accept))
}

/// Tokens are URL-safe base64: anything else is not one of ours.
pub fn plausible_token(token: &str) -> bool {
    !token.is_empty() && token.len() <= 100 && token.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

fn remember(state: &WebState, resp: &mut Response, token: &str) {
    if plausible_token(token) {
        set_cookie(
            resp,
            cookies::set(NETWORK_INVITATION, token, JOIN_COOKIE_SECS, state.secure_cookies),
        );
    }
}

fn forget(state: &WebState, resp: &mut Response) {
    set_cookie(resp, cookies::clear(NETWORK_INVITATION, state.secure_cookies));
}

// ---------- inviting ----------

/// What the invitation form shows: empty, or what was typed.
struct Draft {
    email: String,
    name: String,
    language: String,
    profession: String,
}

async fn render_invite(
    state: &WebState,
    page: &Page,
    view: &SessionView,
    principal: &Principal,
    error: Option<AppError>,
    draft: Option<Draft>,
) -> Response {
    let me = match profile::mine(&state.ctx, principal, page.lang).await {
        Ok(p) => p,
        Err(e) => return super::profile::failure(state, page, view, &e).await,
    };
    let validated = me.professions.iter().any(|p| p.status == Status::Validated);
    let sent: Vec<SentInvitation> = invitations::sent(&state.ctx, principal, page.lang)
        .await
        .unwrap_or_default();
    let d = draft.unwrap_or(Draft {
        email: String::new(),
        name: String::new(),
        language: page.lang.code().to_string(),
        profession: String::new(),
    });
    let status = error.as_ref().map(crate::error::status_of).unwrap_or(StatusCode::OK);
    let content = html! {
        h1 { (page.t("netp-invite-title")) }
        p class="lead" { (page.t("netp-invite-intro")) }
        section class="card" id="invite" {
            @if let Some(e) = &error { (error_notice(page.lang, e)) }
            @if !validated {
                p class="notice error" role="alert" data-testid="netp-not-validated" { (page.t("error-profession-not-validated")) }
                p { a class="button secondary" href="/network/profile#professions" { (page.t("netp-invite-validate-first")) } }
            } @else {
                form method="post" action="/network/invite" class="grid-form" novalidate {
                    (page.csrf_field())
                    div class="field" {
                        label for="netp-invite-email" { (page.t("field-email")) }
                        input id="netp-invite-email" name="email" type="email" value=(d.email) required maxlength="254" autocomplete="off";
                    }
                    div class="field" {
                        label for="netp-invite-name" { (page.t("field-name")) }
                        input id="netp-invite-name" name="name" type="text" value=(d.name) required maxlength="120" autocomplete="off";
                    }
                    div class="field" {
                        label for="netp-invite-language" { (page.t("netp-invite-language")) }
                        select id="netp-invite-language" name="language" {
                            @for l in Language::ALL {
                                option value=(l.code()) selected[l.code() == d.language] { (page.t(&format!("language-{}", l.code()))) }
                            }
                        }
                    }
                    div class="field" {
                        label for="netp-invite-profession" { (page.t("netp-invite-profession")) }
                        select id="netp-invite-profession" name="profession" required {
                            option value="" { (page.t("netp-profession-choose")) }
                            @for (key, name) in professions::catalogue(page.lang) {
                                option value=(key) selected[key == d.profession] { (name) }
                            }
                        }
                    }
                    p class="hint netp-hint netp-span" { (page.t("netp-invite-vouch")) }
                    div class="actions-row" { button type="submit" class="primary" { (page.t("netp-invite-submit")) } }
                }
            }
        }
        section class="card" id="sent" {
            h2 { (page.t("netp-invite-sent-title")) }
            @if sent.is_empty() {
                p class="muted" { (page.t("netp-invite-sent-empty")) }
            } @else {
                ul class="items" {
                    @for i in &sent {
                        li data-email=(i.email) {
                            div class="item-main" {
                                strong { (i.name) } " "
                                span class=(format!("badge netp-invite-{}", i.status)) { (invitation_status(page, &i.status)) }
                                div class="muted small" { (i.email) " · " (i.profession) }
                                @if i.status == "pending" {
                                    div class="muted small" { (page.ta("netp-invite-expires", &[("date", &page.date(i.expires_at))])) }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    let resp = app_layout(state, page, view, &page.t("netp-invite-title"), content).await;
    (status, resp).into_response()
}

fn invitation_status(page: &Page, status: &str) -> String {
    match status {
        "pending" | "accepted" | "expired" => page.t(&format!("netp-invite-status-{status}")),
        other => other.to_string(),
    }
}

async fn invite_page(State(state): State<WebState>, page: Page, Ready { view, principal }: Ready) -> Response {
    render_invite(&state, &page, &view, &principal, None, None).await
}

async fn invite(
    State(state): State<WebState>,
    page: Page,
    Ready { view, principal }: Ready,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    let f = Fields(f);
    let input = NetworkInviteInput {
        email: f.get("email").to_string(),
        name: f.get("name").to_string(),
        language: Some(f.get("language").to_string()).filter(|l| !l.is_empty()),
        profession: f.get("profession").to_string(),
    };
    match invitations::invite(&state.ctx, &page.client, &principal, &input).await {
        Ok(_) => redirect_with_flash(&state, "/network/invite", "netp-invite-sent"),
        Err(e) => {
            let draft = Draft {
                email: input.email,
                name: input.name,
                language: input.language.unwrap_or_default(),
                profession: input.profession,
            };
            render_invite(&state, &page, &view, &principal, Some(e), Some(draft)).await
        }
    }
}

// ---------- joining ----------

fn card(page: &Page, body: Markup) -> Markup {
    html! { section class="card" { h1 { (page.t("netp-join-title")) } (body) } }
}

fn sign_up_link(info: &NetworkInvitationInfo) -> String {
    let query = serde_urlencoded::to_string([("email", info.email.as_str())]).unwrap_or_default();
    format!("/sign-up?{query}")
}

fn render_join(
    page: &Page,
    token: &str,
    view: Option<&SessionView>,
    info: &NetworkInvitationInfo,
    error: Option<&AppError>,
) -> Response {
    let ready = view.filter(|v| matches!(v.state, SessionState::Ready(_)));
    let other_email = ready.filter(|v| !v.user.email.eq_ignore_ascii_case(&info.email));
    let body = html! {
        p class="lead-strong" data-testid="netp-join-intro" {
            (page.ta("netp-join-intro", &[("inviter", &info.inviter), ("profession", &info.profession)]))
        }
        dl class="facts" {
            dt { (page.t("netp-join-for")) }
            dd { strong { (info.name) } br; span class="muted" { (info.email) } }
            dt { (page.t("netp-join-profession")) }
            dd { (info.profession) }
        }
        p class="muted" { (page.t("netp-join-explain")) }
        @if let Some(e) = error { (error_notice(page.lang, e)) }
        @if let Some(v) = other_email {
            p class="notice error" role="alert" { (page.ta("netp-join-other-account", &[("email", &v.user.email), ("invited", &info.email)])) }
            form method="post" action="/sign-out" {
                (page.csrf_field())
                button type="submit" class="secondary" { (page.t("action-sign-out")) }
            }
        } @else if ready.is_some() {
            form method="post" action=(format!("/network/join/{token}/accept")) {
                (page.csrf_field())
                button type="submit" class="primary" data-testid="netp-join-accept" { (page.t("netp-join-accept")) }
            }
        } @else if let Some(v) = view {
            a class="button primary" href=(place_of(&v.state)) { (page.t("action-continue")) }
        } @else {
            p { (page.t("netp-join-account-intro")) }
            div class="stack" {
                a class="button primary" href=(sign_up_link(info)) data-testid="netp-join-sign-up" { (page.t("invitation-create-account")) }
                a class="button secondary" href="/sign-in" data-testid="netp-join-sign-in" { (page.t("invitation-sign-in")) }
            }
        }
    };
    layout(page, &page.t("netp-join-title"), Frame::Bare, card(page, body))
}

fn invalid(page: &Page, e: &AppError) -> Response {
    let body = html! {
        (error_notice(page.lang, e))
        p { a href="/" { (page.t("error-go-home")) } }
    };
    (
        crate::error::status_of(e),
        layout(page, &page.t("netp-join-title"), Frame::Bare, card(page, body)),
    )
        .into_response()
}

async fn show(
    State(state): State<WebState>,
    page: Page,
    session: Option<WebSession>,
    Path(token): Path<String>,
) -> Response {
    let info = match invitations::info(&state.ctx, &token).await {
        Ok(i) => i,
        Err(e) => {
            let mut resp = invalid(&page, &e);
            forget(&state, &mut resp);
            return resp;
        }
    };
    let view = session.map(|WebSession(v)| v);
    let mut resp = render_join(&page, &token, view.as_ref(), &info, None);
    match &view {
        // Ready with the invited account: nothing to come back to.
        Some(v) if matches!(v.state, SessionState::Ready(_)) && v.user.email.eq_ignore_ascii_case(&info.email) => {
            forget(&state, &mut resp)
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
    let (view, principal) = match require_ready(session) {
        Ok(v) => v,
        Err(mut r) => {
            remember(&state, &mut r, &token);
            return r;
        }
    };
    match invitations::accept(&state.ctx, &page.client, &principal, &token).await {
        Ok(()) => {
            let mut resp = redirect_with_flash(&state, "/network/profile", "netp-join-accepted");
            forget(&state, &mut resp);
            resp
        }
        Err(e) => match invitations::info(&state.ctx, &token).await {
            Ok(info) => (
                crate::error::status_of(&e),
                render_join(&page, &token, Some(&view), &info, Some(&e)),
            )
                .into_response(),
            Err(gone) => invalid(&page, &gone),
        },
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
