//! Pages of signing up, signing in, unlocking and resetting a password.

use super::patients::circle::{plausible_token, remember_circle, CIRCLE_INVITATION};
use crate::cookies;
use crate::extract::WebSession;
use crate::ui::page::{
    error_notice, layout, place_of, redirect_with_flash, safe_next, set_cookie, with_account, Frame, Page,
};
use crate::WebState;
use axum::extract::{Form, Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use cercle_app::accounts::signin::SignIn;
use cercle_app::accounts::{
    device, reset, security, session, signin, signup, Holder, NewDeviceToken, SessionState, SessionView,
};
use cercle_app::orgs::membership;
use cercle_app::patients::invitations;
use cercle_app::AppError;
use cercle_domain::session::SecondFactor;
use cercle_domain::Language;
use maud::{html, Markup};
use serde::Deserialize;

pub fn routes() -> Router<WebState> {
    Router::new()
        .route("/sign-up", get(sign_up_page).post(sign_up))
        .route("/sign-in", get(sign_in_page).post(sign_in))
        .route("/code", get(code_page).post(verify_code))
        .route("/code/resend", post(resend_code))
        .route("/code/recovery", get(recovery_page).post(use_recovery))
        .route("/setup/terms", get(terms_page).post(accept_terms))
        .route("/setup/recovery", get(recovery_intro).post(create_recovery))
        .route("/setup/pin", get(pin_page).post(set_pin))
        .route("/accounts", get(accounts_page))
        .route("/accounts/choose", post(choose_account))
        .route("/lock", get(lock_page).post(unlock))
        .route("/lock-now", post(lock_now))
        .route("/sign-out", post(sign_out))
        .route("/forgot-password", get(forgot_page).post(forgot))
        .route("/reset-password/{token}", get(reset_page).post(reset))
        .route("/language", post(set_language))
}

/// A labelled input. Passwords and codes are never echoed back.
pub fn field(label: &str, name: &str, kind: &str, value: &str, autocomplete: &str) -> Markup {
    field_as(&format!("f-{name}"), label, name, kind, value, autocomplete)
}

/// [`field`] with its own id, for a page holding several forms with a
/// field of the same name (ids stay unique, each label names its field).
pub fn field_as(id: &str, label: &str, name: &str, kind: &str, value: &str, autocomplete: &str) -> Markup {
    html! {
        div class="field" {
            label for=(id) { (label) }
            @match kind {
                // The code a person was just sent, or their PIN on the lock
                // and PIN setup screens: the one thing to type, so it has the focus.
                "code" => input id=(id) name=(name) type="text" inputmode="numeric" autocomplete=(autocomplete) required maxlength="12" spellcheck="false" autofocus;,
                "pin-first" => input id=(id) name=(name) type="password" inputmode="numeric" autocomplete="off" required minlength="4" maxlength="8" pattern="[0-9]*" autofocus;,
                "pin" => input id=(id) name=(name) type="password" inputmode="numeric" autocomplete="off" required minlength="4" maxlength="8" pattern="[0-9]*";,
                "password" => input id=(id) name=(name) type="password" autocomplete=(autocomplete) required maxlength="128";,
                _ => input id=(id) name=(name) type=(kind) value=(value) autocomplete=(autocomplete) required maxlength="254";,
            }
        }
    }
}

fn card(title: &str, body: Markup) -> Markup {
    html! { section class="card" { h1 { (title) } (body) } }
}

fn lang_select(page: &Page, selected: Language) -> Markup {
    html! {
        div class="field" {
            label for="f-language" { (page.t("field-language")) }
            select id="f-language" name="language" {
                @for l in Language::ALL {
                    option value=(l.code()) selected[l == selected] { (page.t(&format!("language-{}", l.code()))) }
                }
            }
        }
    }
}

// ---------- sign-up ----------

#[derive(Deserialize, Default)]
pub struct SignUpForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    language: String,
    /// The invitation being answered, if any (its token).
    #[serde(default)]
    invitation: String,
    /// The care (circle) invitation being answered, if any (its token).
    #[serde(default)]
    circle: String,
}

/// Whom the sign-up page greets: a professional on their own, a guest of an
/// organization, or a patient or caregiver invited into their care team.
enum Invited<'a> {
    Nobody,
    Org(&'a str),
    Care(&'a invitations::SignUpPrefill),
}

fn sign_up_form(page: &Page, f: &SignUpForm, error: Option<&AppError>, invited: Invited<'_>) -> Response {
    let lang = Language::parse(&f.language).unwrap_or(page.lang);
    let care = matches!(invited, Invited::Care(_));
    let title = if care {
        page.t("signup-care-title")
    } else {
        page.t("signup-title")
    };
    let body = html! {
        p class="muted" { (page.ta("signup-steps", &[("step", "1")])) }
        @match invited {
            Invited::Care(p) => {
                p data-testid="signup-care-intro" { (page.ta("signup-care-intro", &[("inviter", &p.inviter_name), ("org", &p.org_name)])) }
                p class="hint" { (page.t("signup-care-why")) }
            }
            Invited::Org(org) => p { (page.ta("signup-invited-intro", &[("org", org)])) },
            Invited::Nobody => p { (page.t("signup-intro")) },
        }
        @if let Some(e) = error { (error_notice(page.lang, e)) }
        form method="post" action="/sign-up" novalidate {
            (page.csrf_field())
            @if matches!(invited, Invited::Org(_)) { input type="hidden" name="invitation" value=(f.invitation); }
            @if care { input type="hidden" name="circle" value=(f.circle); }
            (field(&page.t("field-name"), "name", "text", &f.name, "name"))
            (field(&page.t("field-email"), "email", "email", &f.email, "email"))
            (field(&page.t("field-password"), "password", "password", "", "new-password"))
            p class="hint" { (page.t("password-hint")) }
            (lang_select(page, lang))
            button type="submit" class="primary" { (page.t(if care { "signup-care-submit" } else { "signup-submit" })) }
        }
        p { (page.t("have-account")) " " a href="/sign-in" { (page.t("signin-submit")) } }
    };
    layout(page, &title, Frame::Bare, card(&title, body))
}

#[derive(Deserialize, Default)]
pub struct SignUpQuery {
    email: Option<String>,
    invitation: Option<String>,
    circle: Option<String>,
}

/// The care invitation being answered: its token from the link or, failing
/// that, from the cookie the invitation page set; only a pending one counts.
async fn care_invitation(
    state: &WebState,
    given: Option<&str>,
    headers: &HeaderMap,
) -> Option<(String, invitations::SignUpPrefill)> {
    let token = given
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .or_else(|| cookies::get(headers, CIRCLE_INVITATION))?;
    if !plausible_token(&token) {
        return None;
    }
    let prefill = invitations::prefill(&state.ctx, &token).await.ok()?;
    Some((token, prefill))
}

/// The organization of a live invitation, to greet its guest.
async fn invited_to(state: &WebState, token: &str) -> Option<membership::InvitationInfo> {
    if token.is_empty() {
        return None;
    }
    membership::invitation_info(&state.ctx, token).await.ok()
}

async fn sign_up_page(
    State(state): State<WebState>,
    page: Page,
    headers: HeaderMap,
    Query(q): Query<SignUpQuery>,
) -> Response {
    let token = q.invitation.unwrap_or_default();
    let info = invited_to(&state, &token).await;
    // An organization's invitation wins; otherwise a care invitation, if any.
    let care = match info {
        Some(_) => None,
        None => care_invitation(&state, q.circle.as_deref(), &headers).await,
    };
    let form = match (&info, &care) {
        (Some(i), _) => SignUpForm {
            // The address the invitation went to, unless the link says otherwise.
            email: q.email.unwrap_or_else(|| i.email.clone()),
            name: i.name.clone(),
            language: i.language.code().to_string(),
            invitation: token.clone(),
            ..SignUpForm::default()
        },
        (None, Some((circle, p))) => SignUpForm {
            email: q.email.or_else(|| p.email.clone()).unwrap_or_default(),
            name: p.name.clone(),
            language: p.language.code().to_string(),
            circle: circle.clone(),
            ..SignUpForm::default()
        },
        (None, None) => SignUpForm {
            email: q.email.unwrap_or_default(),
            ..SignUpForm::default()
        },
    };
    let invited = match (&info, &care) {
        (Some(i), _) => Invited::Org(&i.org_name),
        (None, Some((_, p))) => Invited::Care(p),
        (None, None) => Invited::Nobody,
    };
    let mut resp = sign_up_form(&page, &form, None, invited);
    if info.is_some() {
        super::invitations::remember(&state, &mut resp, &token);
    }
    if let Some((circle, _)) = &care {
        remember_circle(&state, &mut resp, circle);
    }
    resp
}

async fn sign_up(State(state): State<WebState>, page: Page, headers: HeaderMap, Form(f): Form<SignUpForm>) -> Response {
    let input = signup::SignupInput {
        email: f.email.clone(),
        password: f.password.clone(),
        name: f.name.clone(),
        language: Some(f.language.clone()),
    };
    match signup::start(&state.ctx, &page.client, Holder::Device(&page.device), &input).await {
        Ok(started) => {
            let mut resp = with_account(&state, Redirect::to("/code").into_response(), &started.session_id);
            if let Ok(l) = Language::parse(&f.language) {
                set_cookie(
                    &mut resp,
                    cookies::set(cookies::LANG, l.code(), 365 * 24 * 3600, state.secure_cookies),
                );
            }
            if plausible_token(&f.circle) {
                remember_circle(&state, &mut resp, &f.circle);
            }
            resp
        }
        Err(e) => {
            let info = invited_to(&state, &f.invitation).await;
            let care = match info {
                Some(_) => None,
                None => care_invitation(&state, Some(&f.circle), &headers).await,
            };
            let invited = match (&info, &care) {
                (Some(i), _) => Invited::Org(&i.org_name),
                (None, Some((_, p))) => Invited::Care(p),
                (None, None) => Invited::Nobody,
            };
            sign_up_form(&page, &f, Some(&e), invited)
        }
    }
}

// ---------- sign-in ----------

#[derive(Deserialize, Default)]
pub struct SignInForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

async fn sign_in_form(state: &WebState, page: &Page, email: &str, error: Option<&AppError>) -> Response {
    let accounts = session::device_accounts(&state.ctx, &page.device)
        .await
        .unwrap_or_default();
    let body = html! {
        @if let Some(e) = error { (error_notice(page.lang, e)) }
        @if !accounts.is_empty() {
            p { a href="/accounts" { (page.t("accounts-title")) " (" (accounts.len()) ")" } }
        }
        form method="post" action="/sign-in" novalidate {
            (page.csrf_field())
            (field(&page.t("field-email"), "email", "email", email, "username"))
            (field(&page.t("field-password"), "password", "password", "", "current-password"))
            button type="submit" class="primary" { (page.t("signin-submit")) }
        }
        p { a href="/forgot-password" { (page.t("forgot-password")) } }
        p { a href="/sign-up" { (page.t("create-account")) } }
    };
    layout(
        page,
        &page.t("signin-title"),
        Frame::Bare,
        card(&page.t("signin-title"), body),
    )
}

async fn sign_in_page(State(state): State<WebState>, page: Page, session: Option<WebSession>) -> Response {
    // Already signed in and unlocked: nothing to do here. (A locked session
    // may still sign in with another account from this page.)
    if let Some(WebSession(view)) = session {
        if matches!(view.state, SessionState::Ready(_)) {
            return Redirect::to("/").into_response();
        }
    }
    sign_in_form(&state, &page, "", None).await
}

async fn sign_in(State(state): State<WebState>, page: Page, Form(f): Form<SignInForm>) -> Response {
    match signin::sign_in(
        &state.ctx,
        &page.client,
        Holder::Device(&page.device),
        &f.email,
        &f.password,
    )
    .await
    {
        Ok(SignIn::Code(started)) => with_account(&state, Redirect::to("/code").into_response(), &started.session_id),
        Ok(SignIn::Pin { session_id }) => with_account(&state, Redirect::to("/lock").into_response(), &session_id),
        Err(e) => sign_in_form(&state, &page, &f.email, Some(&e)).await,
    }
}

// ---------- codes ----------

/// The session waiting for a code, or where to go instead.
fn pending(session: Option<WebSession>) -> Result<(SessionView, SecondFactor, bool), Response> {
    match session {
        Some(WebSession(view)) => match view.state {
            SessionState::AwaitingCode { factor, sign_up } => Ok((view, factor, sign_up)),
            ref other => Err(Redirect::to(place_of(other)).into_response()),
        },
        None => Err(Redirect::to("/sign-in").into_response()),
    }
}

fn code_form(
    page: &Page,
    view: &SessionView,
    factor: SecondFactor,
    sign_up: bool,
    error: Option<&AppError>,
) -> Response {
    let destination = cercle_app::accounts::destination(&view.user, factor);
    let intro = match factor {
        SecondFactor::Email => page.ta("code-sent-email", &[("destination", &destination)]),
        SecondFactor::Sms => page.ta("code-sent-sms", &[("destination", &destination)]),
        SecondFactor::Totp => page.t("code-totp"),
    };
    let body = html! {
        @if sign_up { p class="muted" { (page.ta("signup-steps", &[("step", "2")])) } }
        p { (intro) }
        @if let Some(e) = error { (error_notice(page.lang, e)) }
        form method="post" action="/code" novalidate {
            (page.csrf_field())
            (field(&page.t("field-code"), "code", "code", "", "one-time-code"))
            button type="submit" class="primary" { (page.t("code-submit")) }
        }
        @if factor != SecondFactor::Totp {
            form method="post" action="/code/resend" {
                (page.csrf_field())
                button type="submit" class="secondary" { (page.t("code-resend")) }
            }
        }
        @if !sign_up { p { a href="/code/recovery" { (page.t("use-recovery")) } } }
    };
    layout(
        page,
        &page.t("code-title"),
        Frame::Bare,
        card(&page.t("code-title"), body),
    )
}

async fn code_page(page: Page, session: Option<WebSession>) -> Response {
    match pending(session) {
        Ok((view, factor, sign_up)) => code_form(&page, &view, factor, sign_up, None),
        Err(r) => r,
    }
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
}

/// Sets the device's new token (a session just became active on it): the
/// next page, and its CSRF token, follow the new cookie.
fn with_device(state: &WebState, mut resp: Response, device: Option<NewDeviceToken>) -> Response {
    if let Some(NewDeviceToken(token)) = device {
        set_cookie(&mut resp, cookies::device(&token, state.secure_cookies));
    }
    resp
}

/// After a completed sign-in, screens follow the person's language.
fn signed_in(state: &WebState, view: &SessionView, device: Option<NewDeviceToken>) -> Response {
    let mut resp = with_device(state, Redirect::to("/").into_response(), device);
    set_cookie(
        &mut resp,
        cookies::set(
            cookies::LANG,
            &view.user.language,
            365 * 24 * 3600,
            state.secure_cookies,
        ),
    );
    resp
}

async fn verify_code(
    State(state): State<WebState>,
    page: Page,
    session: Option<WebSession>,
    Form(f): Form<CodeForm>,
) -> Response {
    let (view, factor, sign_up) = match pending(session) {
        Ok(p) => p,
        Err(r) => return r,
    };
    match signin::verify_code(&state.ctx, &page.client, &view, &f.code).await {
        Ok(device) => signed_in(&state, &view, device),
        Err(e) => code_form(&page, &view, factor, sign_up, Some(&e)),
    }
}

async fn resend_code(State(state): State<WebState>, page: Page, session: Option<WebSession>) -> Response {
    let (view, factor, sign_up) = match pending(session) {
        Ok(p) => p,
        Err(r) => return r,
    };
    match signin::resend_code(&state.ctx, &page.client, &view).await {
        Ok(()) => redirect_with_flash(&state, "/code", "code-resent"),
        Err(e) => code_form(&page, &view, factor, sign_up, Some(&e)),
    }
}

fn recovery_form(page: &Page, error: Option<&AppError>) -> Response {
    let body = html! {
        p { (page.t("recovery-signin-intro")) }
        @if let Some(e) = error { (error_notice(page.lang, e)) }
        form method="post" action="/code/recovery" novalidate {
            (page.csrf_field())
            div class="field" {
                label for="f-recovery" { (page.t("field-recovery-code")) }
                input id="f-recovery" name="recovery_code" type="text" autocomplete="off" spellcheck="false" required maxlength="40" class="mono";
            }
            button type="submit" class="primary" { (page.t("recovery-signin-submit")) }
        }
        p { a href="/code" { (page.t("action-back")) } }
    };
    layout(
        page,
        &page.t("recovery-signin-title"),
        Frame::Bare,
        card(&page.t("recovery-signin-title"), body),
    )
}

async fn recovery_page(page: Page, session: Option<WebSession>) -> Response {
    match pending(session) {
        Ok(_) => recovery_form(&page, None),
        Err(r) => r,
    }
}

#[derive(Deserialize)]
pub struct RecoveryForm {
    #[serde(default)]
    recovery_code: String,
}

async fn use_recovery(
    State(state): State<WebState>,
    page: Page,
    session: Option<WebSession>,
    Form(f): Form<RecoveryForm>,
) -> Response {
    let (view, _, _) = match pending(session) {
        Ok(p) => p,
        Err(r) => return r,
    };
    match signin::use_recovery_code(&state.ctx, &page.client, &view, &f.recovery_code).await {
        Ok(device) => signed_in(&state, &view, device),
        Err(e) => recovery_form(&page, Some(&e)),
    }
}

// ---------- sign-up steps after the code ----------

/// The session at a given setup step, or where to go instead.
fn at_step(session: Option<WebSession>, step: cercle_app::accounts::SetupStep) -> Result<SessionView, Response> {
    match session {
        Some(WebSession(view)) if view.state == SessionState::Setup(step) => Ok(view),
        Some(WebSession(view)) => Err(Redirect::to(place_of(&view.state)).into_response()),
        None => Err(Redirect::to("/sign-in").into_response()),
    }
}

/// The terms: those of professionals, or those of a patient or caregiver
/// answering a care invitation (plain words, what the care space is for).
fn terms_form(page: &Page, error: Option<&AppError>, care: bool) -> Response {
    let (title, intro, points, accept) = if care {
        ("terms-care-title", "terms-care-intro", 5, "terms-care-accept")
    } else {
        ("terms-title", "terms-intro", 4, "terms-accept")
    };
    let prefix = if care { "terms-care-point" } else { "terms-point" };
    let body = html! {
        p class="muted" { (page.ta("signup-steps", &[("step", "3")])) }
        p data-testid=(if care { "terms-care" } else { "terms-professional" }) { (page.t(intro)) }
        ul class="terms" {
            @for i in 1..=points { li { (page.t(&format!("{prefix}-{i}"))) } }
        }
        @if let Some(e) = error { (error_notice(page.lang, e)) }
        form method="post" action="/setup/terms" {
            (page.csrf_field())
            button type="submit" class="primary" { (page.t(accept)) }
        }
    };
    layout(page, &page.t(title), Frame::Bare, card(&page.t(title), body))
}

/// Whether the person setting up their account answers a care invitation.
async fn answering_care(state: &WebState, headers: &HeaderMap) -> bool {
    care_invitation(state, None, headers).await.is_some()
}

async fn terms_page(
    State(state): State<WebState>,
    page: Page,
    headers: HeaderMap,
    session: Option<WebSession>,
) -> Response {
    match at_step(session, cercle_app::accounts::SetupStep::Terms) {
        Ok(_) => terms_form(&page, None, answering_care(&state, &headers).await),
        Err(r) => r,
    }
}

async fn accept_terms(
    State(state): State<WebState>,
    page: Page,
    headers: HeaderMap,
    session: Option<WebSession>,
) -> Response {
    let view = match at_step(session, cercle_app::accounts::SetupStep::Terms) {
        Ok(v) => v,
        Err(r) => return r,
    };
    if let Err(e) = signup::accept_terms(&state.ctx, &page.client, &view).await {
        return terms_form(&page, Some(&e), answering_care(&state, &headers).await);
    }
    // The recovery code comes right after, in the answer to this post.
    match session::reload(&state.ctx, &view).await {
        Ok(fresh) => show_new_recovery(&state, &page, &fresh).await,
        Err(_) => Redirect::to("/").into_response(),
    }
}

async fn show_new_recovery(state: &WebState, page: &Page, view: &SessionView) -> Response {
    match signup::create_recovery_code(&state.ctx, &page.client, view).await {
        Ok(code) => recovery_code_page(page, code.expose(), "/"),
        Err(e) => layout(
            page,
            &page.t("recovery-title"),
            Frame::Bare,
            card(&page.t("recovery-title"), error_notice(page.lang, &e)),
        ),
    }
}

/// The recovery code, shown once.
pub fn recovery_code_page(page: &Page, code: &str, next: &str) -> Response {
    let body = html! {
        p { (page.t("recovery-intro")) }
        div class="secret" {
            output id="recovery-code" class="mono big" data-testid="recovery-code" { (code) }
            button type="button" class="secondary" data-copy="recovery-code" data-copied=(page.t("recovery-copied")) { (page.t("recovery-copy")) }
        }
        a class="button primary" href=(next) { (page.t("recovery-saved")) }
    };
    layout(
        page,
        &page.t("recovery-title"),
        Frame::Bare,
        card(&page.t("recovery-title"), body),
    )
}

async fn recovery_intro(page: Page, session: Option<WebSession>) -> Response {
    if let Err(r) = at_step(session, cercle_app::accounts::SetupStep::RecoveryCode) {
        return r;
    }
    let body = html! {
        p { (page.t("recovery-intro")) }
        form method="post" action="/setup/recovery" {
            (page.csrf_field())
            button type="submit" class="primary" { (page.t("action-continue")) }
        }
    };
    layout(
        &page,
        &page.t("recovery-title"),
        Frame::Bare,
        card(&page.t("recovery-title"), body),
    )
}

async fn create_recovery(State(state): State<WebState>, page: Page, session: Option<WebSession>) -> Response {
    match at_step(session, cercle_app::accounts::SetupStep::RecoveryCode) {
        Ok(view) => show_new_recovery(&state, &page, &view).await,
        Err(r) => r,
    }
}

fn pin_form(page: &Page, error: Option<&AppError>) -> Response {
    let body = html! {
        p class="muted" { (page.ta("signup-steps", &[("step", "4")])) }
        p { (page.t("pin-setup-intro")) }
        @if let Some(e) = error { (error_notice(page.lang, e)) }
        form method="post" action="/setup/pin" novalidate {
            (page.csrf_field())
            (field(&page.t("field-pin"), "pin", "pin-first", "", "off"))
            (field(&page.t("field-pin-confirm"), "pin_confirm", "pin", "", "off"))
            button type="submit" class="primary" { (page.t("pin-setup-submit")) }
        }
    };
    layout(
        page,
        &page.t("pin-setup-title"),
        Frame::Bare,
        card(&page.t("pin-setup-title"), body),
    )
}

async fn pin_page(page: Page, session: Option<WebSession>) -> Response {
    match at_step(session, cercle_app::accounts::SetupStep::Pin) {
        Ok(_) => pin_form(&page, None),
        Err(r) => r,
    }
}

#[derive(Deserialize)]
pub struct PinForm {
    #[serde(default)]
    pin: String,
    #[serde(default)]
    pin_confirm: String,
}

async fn set_pin(
    State(state): State<WebState>,
    page: Page,
    session: Option<WebSession>,
    Form(f): Form<PinForm>,
) -> Response {
    let view = match at_step(session, cercle_app::accounts::SetupStep::Pin) {
        Ok(v) => v,
        Err(r) => return r,
    };
    match signup::set_first_pin(&state.ctx, &page.client, &view, &f.pin, &f.pin_confirm).await {
        Ok(device) => with_device(&state, Redirect::to("/").into_response(), device),
        Err(e) => pin_form(&page, Some(&e)),
    }
}

// ---------- shared device: accounts and lock ----------

async fn accounts_page(State(state): State<WebState>, page: Page) -> Response {
    let accounts = session::device_accounts(&state.ctx, &page.device)
        .await
        .unwrap_or_default();
    let body = html! {
        p { (page.t("accounts-intro")) }
        ul class="accounts" {
            @for a in &accounts {
                li {
                    form method="post" action="/accounts/choose" {
                        (page.csrf_field())
                        input type="hidden" name="session_id" value=(a.session_id);
                        button type="submit" class="account-choice" {
                            span class="avatar" aria-hidden="true" { (crate::ui::page::initials(&a.name)) }
                            span { strong { (a.name) } br; span class="muted" { (a.email) } }
                        }
                    }
                }
            }
        }
        a class="button secondary" href="/sign-in?other=1" { (page.t("accounts-add")) }
    };
    layout(
        &page,
        &page.t("accounts-title"),
        Frame::Bare,
        card(&page.t("accounts-title"), body),
    )
}

#[derive(Deserialize)]
pub struct ChooseForm {
    #[serde(default)]
    session_id: String,
}

async fn choose_account(State(state): State<WebState>, page: Page, Form(f): Form<ChooseForm>) -> Response {
    let done = match f.session_id.parse() {
        Ok(id) => session::switch_to(&state.ctx, &page.client, &page.device, id).await,
        Err(e) => Err(e.into()),
    };
    match done {
        Ok(()) => with_account(&state, Redirect::to("/lock").into_response(), &f.session_id),
        Err(_) => Redirect::to("/accounts").into_response(),
    }
}

fn lock_form(page: &Page, view: &SessionView, error: Option<&AppError>) -> Response {
    let body = html! {
        p { (page.ta("lock-intro", &[("name", &view.user.name)])) }
        @if let Some(e) = error { (error_notice(page.lang, e)) }
        form method="post" action="/lock" novalidate {
            (page.csrf_field())
            (field(&page.t("field-pin"), "pin", "pin-first", "", "off"))
            button type="submit" class="primary" { (page.t("lock-submit")) }
        }
        p class="muted" { (page.t("lock-forgot")) }
        div class="row" {
            a class="button secondary" href="/accounts" { (page.t("action-switch-account")) }
            form method="post" action="/sign-out" {
                (page.csrf_field())
                button type="submit" class="secondary" { (page.t("action-sign-out")) }
            }
        }
    };
    layout(
        page,
        &page.t("lock-title"),
        Frame::Bare,
        card(&page.t("lock-title"), body),
    )
}

async fn lock_page(page: Page, session: Option<WebSession>) -> Response {
    match session {
        Some(WebSession(view)) if view.state == SessionState::Locked => lock_form(&page, &view, None),
        Some(WebSession(view)) => Redirect::to(place_of(&view.state)).into_response(),
        None => Redirect::to("/sign-in").into_response(),
    }
}

#[derive(Deserialize)]
pub struct UnlockForm {
    #[serde(default)]
    pin: String,
}

async fn unlock(
    State(state): State<WebState>,
    page: Page,
    session: Option<WebSession>,
    Form(f): Form<UnlockForm>,
) -> Response {
    let view = match session {
        Some(WebSession(view)) => view,
        None => return Redirect::to("/sign-in").into_response(),
    };
    match session::unlock(&state.ctx, &page.client, &view, &f.pin).await {
        Ok(device) => with_device(&state, Redirect::to("/").into_response(), device),
        Err(AppError::SessionErased) => {
            let mut resp = redirect_with_flash(&state, "/sign-in", "error-session-erased");
            set_cookie(&mut resp, cookies::clear(cookies::ACCOUNT, state.secure_cookies));
            resp
        }
        Err(e) => lock_form(&page, &view, Some(&e)),
    }
}

async fn lock_now(State(state): State<WebState>, page: Page, session: Option<WebSession>) -> Response {
    if let Some(WebSession(view)) = session {
        if let Err(e) = session::lock(&state.ctx, &page.client, &view).await {
            return crate::error_page::failure_page(page.lang, &e);
        }
    }
    Redirect::to("/lock").into_response()
}

async fn sign_out(State(state): State<WebState>, page: Page, session: Option<WebSession>) -> Response {
    if let Some(WebSession(view)) = session {
        // A sign-out that did not happen must not look as if it had.
        if let Err(e) = session::sign_out(&state.ctx, &page.client, &view).await {
            return crate::error_page::failure_page(page.lang, &e);
        }
    }
    let others = session::device_accounts(&state.ctx, &page.device)
        .await
        .unwrap_or_default();
    let mut resp = Redirect::to(if others.is_empty() { "/sign-in" } else { "/accounts" }).into_response();
    set_cookie(&mut resp, cookies::clear(cookies::ACCOUNT, state.secure_cookies));
    resp
}

// ---------- password reset ----------

#[derive(Deserialize, Default)]
pub struct ForgotForm {
    #[serde(default)]
    email: String,
}

fn forgot_form(page: &Page, email: &str, error: Option<&AppError>, sent: bool) -> Response {
    let body = html! {
        @if sent {
            p class="notice ok" role="status" { (page.t("forgot-sent")) }
        } @else {
            p { (page.t("forgot-intro")) }
            @if let Some(e) = error { (error_notice(page.lang, e)) }
            form method="post" action="/forgot-password" novalidate {
                (page.csrf_field())
                (field(&page.t("field-email"), "email", "email", email, "username"))
                button type="submit" class="primary" { (page.t("forgot-submit")) }
            }
        }
        p { a href="/sign-in" { (page.t("action-back")) } }
    };
    layout(
        page,
        &page.t("forgot-title"),
        Frame::Bare,
        card(&page.t("forgot-title"), body),
    )
}

async fn forgot_page(page: Page) -> Response {
    forgot_form(&page, "", None, false)
}

async fn forgot(State(state): State<WebState>, page: Page, Form(f): Form<ForgotForm>) -> Response {
    match reset::request(&state.ctx, &page.client, &f.email).await {
        Ok(()) => forgot_form(&page, "", None, true),
        Err(e) => forgot_form(&page, &f.email, Some(&e), false),
    }
}

fn reset_form(page: &Page, token: &str, error: Option<&AppError>) -> Response {
    let body = html! {
        p { (page.t("reset-intro")) }
        @if let Some(e) = error { (error_notice(page.lang, e)) }
        @if !matches!(error, Some(AppError::LinkInvalid)) {
            form method="post" action=(format!("/reset-password/{token}")) novalidate {
                (page.csrf_field())
                (field(&page.t("field-new-password"), "password", "password", "", "new-password"))
                p class="hint" { (page.t("password-hint")) }
                button type="submit" class="primary" { (page.t("reset-submit")) }
            }
        } @else {
            p { a href="/forgot-password" { (page.t("forgot-title")) } }
        }
    };
    layout(
        page,
        &page.t("reset-title"),
        Frame::Bare,
        card(&page.t("reset-title"), body),
    )
}

async fn reset_page(State(state): State<WebState>, page: Page, Path(token): Path<String>) -> Response {
    match reset::check(&state.ctx, &token).await {
        Ok(()) => reset_form(&page, &token, None),
        Err(e) => reset_form(&page, &token, Some(&e)),
    }
}

#[derive(Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    password: String,
}

async fn reset(
    State(state): State<WebState>,
    page: Page,
    Path(token): Path<String>,
    Form(f): Form<ResetForm>,
) -> Response {
    match reset::complete(&state.ctx, &page.client, &token, &f.password).await {
        Ok(()) => {
            let mut resp = redirect_with_flash(&state, "/sign-in", "reset-done");
            set_cookie(&mut resp, cookies::clear(cookies::ACCOUNT, state.secure_cookies));
            // A new secret for the device the reset was made from, too.
            match device::rotate(&state.ctx, &page.device).await {
                Ok(fresh) => with_device(&state, resp, Some(fresh)),
                Err(_) => resp,
            }
        }
        Err(e) => reset_form(&page, &token, Some(&e)),
    }
}

// ---------- language ----------

#[derive(Deserialize)]
pub struct LanguageForm {
    #[serde(default)]
    language: String,
    next: Option<String>,
}

async fn set_language(
    State(state): State<WebState>,
    page: Page,
    session: Option<WebSession>,
    Form(f): Form<LanguageForm>,
) -> Response {
    let lang = Language::parse(&f.language).unwrap_or(page.lang);
    if let Some(WebSession(view)) = session {
        if let Ok(principal) = view.principal() {
            let _ = security::set_language(&state.ctx, &page.client, &principal, lang.code()).await;
        }
    }
    let mut resp = Redirect::to(&safe_next(f.next.as_deref())).into_response();
    set_cookie(
        &mut resp,
        cookies::set(cookies::LANG, lang.code(), 365 * 24 * 3600, state.secure_cookies),
    );
    resp
}
