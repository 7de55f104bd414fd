//! The integrated bubble: the SMART on FHIR EHR launch pages (launch,
//! callback, activating the link once, the patient in context) and the
//! patient file in a compact layout made for an EMR's side panel. Thin: the
//! rules are in `cercle_app::emr::launch`. Which origins may frame these
//! pages, and the cookies that work in a frame: `crate::middleware`.

use crate::cookies;
use crate::error::{message_of, status_of};
use crate::extract::WebSession;
use crate::ui::page::{error_notice, layout, place_of, set_cookie, with_account, Frame, Page, Ready};
use crate::WebState;
use axum::extract::{Form, Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use cercle_app::accounts::signin::SignIn;
use cercle_app::accounts::{session, signin, Holder, NewDeviceToken, SessionState, SessionView};
use cercle_app::emr::launch::{self, Entry};
use cercle_app::org_scope::OrgScope;
use cercle_app::patients::files;
use cercle_app::AppError;
use cercle_domain::patient::display_hin;
use cercle_domain::smart::SmartRefusal;
use cercle_domain::Language;
use cercle_i18n::t;
use maud::{html, Markup, DOCTYPE};
use serde::Deserialize;

pub fn routes() -> Router<WebState> {
    Router::new()
        .route("/smart/launch", get(launch_page))
        .route("/smart/callback", get(callback_page))
        .route("/smart/activate", get(activate_page).post(activate))
        .route("/smart/activate/code", get(code_page).post(verify_code))
        .route("/smart/activate/pin", get(pin_page).post(unlock))
        .route("/smart/patient", get(patient_page))
        .route("/smart/files/{id}", get(file_page))
}

/// A launch's refusal, said in the reader's language with the right status.
fn refusal(page: &Page, e: &AppError) -> Response {
    let body = html! {
        section class="card" data-testid="smart-refusal" data-code=(e.code()) {
            h1 { (page.t("smart-refused-title")) }
            p role="alert" class="notice error" { (message_of(e, page.lang)) }
            p class="muted" { (page.t("smart-refused-help")) }
        }
    };
    let mut resp = layout(page, &page.t("smart-refused-title"), Frame::Bare, body);
    *resp.status_mut() = status_of(e);
    resp
}

fn handle_of(headers: &HeaderMap) -> Option<String> {
    cookies::get(headers, cookies::SMART_LAUNCH)
}

#[derive(Deserialize)]
pub struct LaunchQuery {
    #[serde(default)]
    iss: String,
    #[serde(default)]
    launch: String,
}

async fn launch_page(State(state): State<WebState>, page: Page, Query(q): Query<LaunchQuery>) -> Response {
    match launch::start(&state.ctx, &page.client, &q.iss, &q.launch).await {
        Ok(url) => {
            let mut resp = Redirect::to(&url).into_response();
            // What this browser does from here on may be in an EMR's frame.
            set_cookie(&mut resp, cookies::set(cookies::EMBED, "1", 12 * 3600, true));
            resp
        }
        Err(e) => refusal(&page, &e),
    }
}

#[derive(Deserialize)]
pub struct CallbackQuery {
    #[serde(default)]
    code: String,
    #[serde(default)]
    state: String,
}

fn with_device(mut resp: Response, device: Option<NewDeviceToken>) -> Response {
    if let Some(NewDeviceToken(token)) = device {
        set_cookie(&mut resp, cookies::device(&token, true));
    }
    resp
}

async fn callback_page(State(state): State<WebState>, page: Page, Query(q): Query<CallbackQuery>) -> Response {
    let authorized = match launch::callback(&state.ctx, &page.client, &q.code, &q.state).await {
        Ok(a) => a,
        Err(e) => return refusal(&page, &e),
    };
    let entry = launch::enter(&state.ctx, &page.client, &page.device, &authorized.handle).await;
    let mut resp = match entry {
        Ok(Entry::SignedIn { session_id, device }) => with_account(
            &state,
            with_device(Redirect::to("/smart/patient").into_response(), device),
            &session_id.to_string(),
        ),
        Ok(Entry::Activate) => Redirect::to("/smart/activate").into_response(),
        Err(e) => refusal(&page, &e),
    };
    set_cookie(
        &mut resp,
        cookies::set(
            cookies::SMART_LAUNCH,
            &authorized.handle,
            launch::AFTER_CALLBACK_SECS,
            true,
        ),
    );
    resp
}

fn card(title: &str, body: Markup) -> Markup {
    html! { section class="card" { h1 { (title) } (body) } }
}

fn no_launch(page: &Page) -> Response {
    refusal(page, &AppError::SmartRefused(SmartRefusal::BadState))
}

#[derive(Deserialize, Default)]
pub struct ActivateForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

fn activate_form(page: &Page, email: &str, error: Option<&AppError>) -> Response {
    let body = html! {
        p { (page.t("smart-activate-intro")) }
        @if let Some(e) = error { (error_notice(page.lang, e)) }
        form method="post" action="/smart/activate" novalidate {
            (page.csrf_field())
            (super::auth::field(&page.t("field-email"), "email", "email", email, "username"))
            (super::auth::field(&page.t("field-password"), "password", "password", "", "current-password"))
            button type="submit" class="primary" { (page.t("smart-activate-submit")) }
        }
    };
    layout(
        page,
        &page.t("smart-activate-title"),
        Frame::Bare,
        card(&page.t("smart-activate-title"), body),
    )
}

async fn activate_page(page: Page, headers: HeaderMap) -> Response {
    if handle_of(&headers).is_none() {
        return no_launch(&page);
    }
    activate_form(&page, "", None)
}

async fn activate(
    State(state): State<WebState>,
    page: Page,
    headers: HeaderMap,
    Form(f): Form<ActivateForm>,
) -> Response {
    if handle_of(&headers).is_none() {
        return no_launch(&page);
    }
    match signin::sign_in(
        &state.ctx,
        &page.client,
        Holder::Device(&page.device),
        &f.email,
        &f.password,
    )
    .await
    {
        Ok(SignIn::Code(started)) => with_account(
            &state,
            Redirect::to("/smart/activate/code").into_response(),
            &started.session_id,
        ),
        Ok(SignIn::Pin { session_id }) => {
            with_account(&state, Redirect::to("/smart/activate/pin").into_response(), &session_id)
        }
        Err(e) => activate_form(&page, &f.email, Some(&e)),
    }
}

#[derive(Deserialize, Default)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
}

fn code_form(page: &Page, error: Option<&AppError>) -> Response {
    let field = super::auth::field(&page.t("field-code"), "code", "code", "", "one-time-code");
    step_form(
        page,
        "smart-activate-code-intro",
        "/smart/activate/code",
        field,
        "code-submit",
        error,
    )
}

/// One step of the activation (the code, the PIN): its intro, the error of
/// the last try, one field and its button.
fn step_form(
    page: &Page,
    intro: &str,
    action: &str,
    field: Markup,
    submit: &str,
    error: Option<&AppError>,
) -> Response {
    let body = html! {
        p { (page.t(intro)) }
        @if let Some(e) = error { (error_notice(page.lang, e)) }
        form method="post" action=(action) novalidate {
            (page.csrf_field())
            (field)
            button type="submit" class="primary" { (page.t(submit)) }
        }
    };
    layout(
        page,
        &page.t("smart-activate-title"),
        Frame::Bare,
        card(&page.t("smart-activate-title"), body),
    )
}

fn awaiting_code(session: Option<WebSession>) -> Option<SessionView> {
    match session {
        Some(WebSession(view)) if matches!(view.state, SessionState::AwaitingCode { sign_up: false, .. }) => Some(view),
        _ => None,
    }
}

async fn code_page(page: Page, headers: HeaderMap, session: Option<WebSession>) -> Response {
    if handle_of(&headers).is_none() {
        return no_launch(&page);
    }
    match awaiting_code(session) {
        Some(_) => code_form(&page, None),
        None => Redirect::to("/smart/activate").into_response(),
    }
}

/// After the password and code (or PIN): the link is stored, then the patient.
async fn linked(
    state: &WebState,
    page: &Page,
    view: &SessionView,
    handle: &str,
    device: Option<NewDeviceToken>,
) -> Response {
    let view = match session::reload(&state.ctx, view).await {
        Ok(v) => v,
        Err(e) => return refusal(page, &e),
    };
    if let Err(e) = launch::link(&state.ctx, &page.client, &view, handle).await {
        return refusal(page, &e);
    }
    let to = match view.state {
        SessionState::Ready(_) => "/smart/patient",
        ref other => place_of(other),
    };
    with_device(Redirect::to(to).into_response(), device)
}

async fn verify_code(
    State(state): State<WebState>,
    page: Page,
    headers: HeaderMap,
    session: Option<WebSession>,
    Form(f): Form<CodeForm>,
) -> Response {
    let Some(handle) = handle_of(&headers) else {
        return no_launch(&page);
    };
    let Some(view) = awaiting_code(session) else {
        return Redirect::to("/smart/activate").into_response();
    };
    match signin::verify_code(&state.ctx, &page.client, &view, &f.code).await {
        Ok(device) => linked(&state, &page, &view, &handle, device).await,
        Err(e) => code_form(&page, Some(&e)),
    }
}

#[derive(Deserialize, Default)]
pub struct PinForm {
    #[serde(default)]
    pin: String,
}

fn pin_form(page: &Page, error: Option<&AppError>) -> Response {
    let field = super::auth::field(&page.t("field-pin"), "pin", "pin", "", "off");
    step_form(
        page,
        "smart-activate-pin-intro",
        "/smart/activate/pin",
        field,
        "smart-activate-submit",
        error,
    )
}

fn locked(session: Option<WebSession>) -> Option<SessionView> {
    match session {
        Some(WebSession(view)) if view.state == SessionState::Locked => Some(view),
        _ => None,
    }
}

async fn pin_page(page: Page, headers: HeaderMap, session: Option<WebSession>) -> Response {
    if handle_of(&headers).is_none() {
        return no_launch(&page);
    }
    match locked(session) {
        Some(_) => pin_form(&page, None),
        None => Redirect::to("/smart/activate").into_response(),
    }
}

async fn unlock(
    State(state): State<WebState>,
    page: Page,
    headers: HeaderMap,
    session: Option<WebSession>,
    Form(f): Form<PinForm>,
) -> Response {
    let Some(handle) = handle_of(&headers) else {
        return no_launch(&page);
    };
    let Some(view) = locked(session) else {
        return Redirect::to("/smart/activate").into_response();
    };
    match session::unlock(&state.ctx, &page.client, &view, &f.pin).await {
        Ok(device) => linked(&state, &page, &view, &handle, device).await,
        Err(e) => pin_form(&page, Some(&e)),
    }
}

async fn patient_page(State(state): State<WebState>, page: Page, headers: HeaderMap, ready: Ready) -> Response {
    let Some(handle) = handle_of(&headers) else {
        return no_launch(&page);
    };
    match launch::open_patient(&state.ctx, &page.client, &ready.principal, &handle).await {
        Ok(id) => {
            let mut resp = Redirect::to(&format!("/smart/files/{id}")).into_response();
            set_cookie(&mut resp, cookies::clear(cookies::SMART_LAUNCH, true));
            resp
        }
        Err(e) => refusal(&page, &e),
    }
}

async fn file_page(State(state): State<WebState>, page: Page, ready: Ready, Path(id): Path<String>) -> Response {
    let Ok(id) = id.parse() else {
        return refusal(&page, &AppError::NotFound);
    };
    let scope = match OrgScope::of(&state.ctx, &ready.principal).await {
        Ok(s) => s,
        Err(e) => return refusal(&page, &e),
    };
    let file = match files::show(&state.ctx, &page.client, &scope, id).await {
        Ok(f) => f,
        Err(e) => return refusal(&page, &e),
    };
    let threads = files::threads(&state.ctx, &scope, id, page.lang)
        .await
        .unwrap_or_default();
    let content = html! {
        h1 data-testid="smart-patient-name" { (file.name()) }
        dl class="compact-facts" {
            @if let Some(b) = &file.birth_date {
                dt { (page.t("pf-birth-date")) } dd { (page.civil_date(b)) }
            }
            @if let Some(h) = &file.health_insurance_number {
                dt { (page.t("pf-hin")) } dd data-testid="smart-patient-hin" { (display_hin(h)) }
            }
            @if let Some(n) = &file.file_number {
                dt { (page.t("pf-file-number")) } dd { (n) }
            }
        }
        h2 { (page.t("smart-threads")) }
        @if threads.is_empty() {
            p class="muted" { (page.t("smart-no-threads")) }
        } @else {
            ul class="compact-list" {
                @for th in &threads {
                    li { a href=(format!("/threads/{}", th.id)) target="_blank" rel="noopener" { (th.title) } }
                }
            }
        }
        p { a href=(format!("/patients/{}", file.id)) target="_blank" rel="noopener" data-testid="smart-open-full" { (page.t("smart-open-full")) } }
    };
    compact_layout(&page, &ready.view, &file.name(), content)
}

/// A page made for an EMR's side panel: narrow, no navigation bar, the
/// person's name and the language switch on one line.
fn compact_layout(page: &Page, view: &SessionView, title: &str, content: Markup) -> Response {
    let lang = page.lang;
    let other = match lang {
        Language::Fr => "en",
        Language::En => "fr",
    };
    let markup = html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · " (t(lang, "app-name")) }
                link rel="stylesheet" href="/static/app.css";
                link rel="icon" href="/static/icon.svg" type="image/svg+xml";
                script type="module" src="/static/app.js" {}
            }
            body class="compact" data-csrf=(page.csrf) data-idle-lock=(page.idle_lock_secs) data-tz=(page.time.zone.name()) data-testid="smart-compact" {
                header class="compact-bar" {
                    img src="/static/icon.svg" alt=(t(lang, "app-name")) width="20" height="20";
                    span class="compact-who" { (view.user.name) }
                    form class="langswitch" method="post" action="/language" {
                        (page.csrf_field())
                        input type="hidden" name="next" value=(page.path);
                        input type="hidden" name="language" value=(other);
                        button type="submit" lang=(other) { (t(lang, "language-switch")) }
                    }
                }
                main id="main" class="compact-main" { (content) }
            }
        }
    };
    (
        [(axum::http::header::CONTENT_TYPE, "text/html; charset=utf-8")],
        markup.into_string(),
    )
        .into_response()
}
