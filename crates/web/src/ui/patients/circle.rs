//! The patient's circle page (`/patients/{id}/circle`: sections Patient,
//! Responsible persons, Observers, each person with their state and the
//! manager's actions) and the page an invitation link opens
//! (`/circle/join/{token}`: create an account or sign in, then answer).

use crate::cookies;
use crate::error_page::failure_page;
use crate::extract::WebSession;
use crate::guard::RouteList;
use crate::ui::page::{
    app_layout, error_notice, initials, layout, redirect_with_flash, require_ready, set_cookie, Frame, Page, Ready,
};
use crate::WebState;
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use cercle_app::accounts::{SessionState, SessionView};
use cercle_app::orgs::OrgScope;
use cercle_app::patients::circle::{self, CircleMember, NewCircleMember, Section};
use cercle_app::patients::files;
use cercle_app::patients::invitations::{self, AcceptInput, AcceptOutcome, InvitationInfo, InviteInput};
use cercle_app::AppError;
use cercle_domain::policy::Principal;
use cercle_domain::{CircleMemberId, PatientFileId};
use maud::{html, Markup};
use serde::Deserialize;

/// Remembers a circle invitation while its guest signs up or in (one hour).
pub const CIRCLE_INVITATION: &str = "cercle_circle_invitation";
const COOKIE_SECS: i64 = 3600;

/// Professionals only (see `crate::guard`).
pub fn routes() -> RouteList {
    RouteList::new()
        .route("/patients/{id}/circle", get(show).post(add))
        .route("/patients/{id}/circle/sections/{section}", post(switch_section))
        .route("/circle-members/{id}/invite", post(invite))
        .route("/circle-members/{id}/resend", post(resend))
        .route("/circle-members/{id}/cancel", post(cancel))
}

/// Joining a circle: whoever holds the link.
pub fn shared_routes() -> Router<WebState> {
    Router::new().route("/circle/join/{token}", get(join).post(answer))
}

fn here(file_id: &str) -> String {
    format!("/patients/{file_id}/circle")
}

// ---------- state icons ----------

/// The state's icon (dotted envelope, envelope, check, …); the text label
/// always goes with it.
fn state_icon(state: &str) -> Markup {
    let (paths, dashed): (&[&str], bool) = match state {
        "preallocated" => (&["M3 6h18v12H3z", "M3 6l9 7 9-7"], true),
        "invited" => (&["M3 6h18v12H3z", "M3 6l9 7 9-7"], false),
        "joined" => (&["M5 12l5 5 9-10"], false),
        "cancelled" => (&["M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18z", "M5.6 5.6l12.8 12.8"], false),
        "expired" => (&["M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18z", "M12 7v5l3 2"], false),
        "locked" => (&["M6 11h12v10H6z", "M8 11V7a4 4 0 0 1 8 0v4"], false),
        _ => (&["M4 12h16"], false),
    };
    html! {
        svg class="icon circ-state-icon" viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false" {
            @for d in paths {
                path d=(d) fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round"
                    stroke-dasharray=[dashed.then_some("2.5 2.5")] {}
            }
        }
    }
}

fn state_badge(page: &Page, state: &str) -> Markup {
    html! {
        span class=(format!("circ-state circ-state-{state}")) data-testid="circle-state" data-state=(state) {
            (state_icon(state))
            span { (page.t(&format!("circ-state-{state}"))) }
        }
    }
}

// ---------- the circle page ----------

#[derive(Debug, Clone, Default, Deserialize)]
pub struct AddForm {
    #[serde(default)]
    section: String,
    #[serde(default)]
    first_name: String,
    #[serde(default)]
    last_name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    language: String,
    #[serde(default)]
    relationship: String,
    invite_now: Option<String>,
    #[serde(flatten)]
    invite: InviteForm,
}

/// The invitation's fields (the answer is never written back into a page).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct InviteForm {
    #[serde(default)]
    via: String,
    #[serde(default)]
    method: String,
    #[serde(default)]
    question: String,
    #[serde(default)]
    answer: String,
}

impl InviteForm {
    fn input(&self) -> InviteInput {
        InviteInput {
            via: self.via.clone(),
            method: self.method.clone(),
            question: Some(self.question.clone()),
            answer: Some(self.answer.clone()),
        }
    }
}

fn opt(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// The invitation fields: via, method, and the question's fields (shown
/// only for the question method; the code method is disabled for SMS — the
/// server refuses it anyway).
fn invite_fields(page: &Page, prefix: &str, f: &InviteForm, has_email: bool, has_phone: bool) -> Markup {
    let id = |n: &str| format!("{prefix}-{n}");
    let via = if f.via.is_empty() {
        if has_email || !has_phone {
            "email"
        } else {
            "sms"
        }
    } else {
        f.via.as_str()
    };
    let method = if f.method.is_empty() {
        "question"
    } else {
        f.method.as_str()
    };
    html! {
        fieldset class="circ-choice" {
            legend { (page.t("circ-field-via")) }
            label { input type="radio" name="via" value="email" checked[via == "email"] data-circ-via; (page.t("circ-via-email")) }
            label { input type="radio" name="via" value="sms" checked[via == "sms"] data-circ-via; (page.t("circ-via-sms")) }
        }
        fieldset class="circ-choice" {
            legend { (page.t("circ-field-method")) }
            label { input type="radio" name="method" value="question" checked[method == "question"] data-circ-method; (page.t("circ-method-question")) }
            label {
                input type="radio" name="method" value="code" checked[method == "code"] disabled[via == "sms"] data-circ-method;
                (page.t("circ-method-code"))
            }
            span class="hint circ-code-note" { (page.t("circ-code-email-only")) }
        }
        div class="circ-question-fields" hidden[method == "code"] {
            div class="field" {
                label for=(id("question")) { (page.t("circ-field-question")) }
                input id=(id("question")) name="question" type="text" maxlength="200" value=(f.question) autocomplete="off" aria-describedby=(id("question-hint"));
                span class="hint" id=(id("question-hint")) { (page.t("circ-field-question-hint")) }
            }
            div class="field" {
                label for=(id("answer")) { (page.t("circ-field-answer")) }
                input id=(id("answer")) name="answer" type="text" maxlength="200" autocomplete="off" spellcheck="false" aria-describedby=(id("answer-hint"));
                span class="hint" id=(id("answer-hint")) { (page.t("circ-field-answer-hint")) }
            }
        }
    }
}

fn person_row(page: &Page, m: &CircleMember, manage: bool, section_on: bool) -> Markup {
    let name = format!("{} {}", m.first_name, m.last_name);
    let can_invite = manage && section_on && matches!(m.state.as_str(), "preallocated" | "cancelled");
    let can_resend = manage && matches!(m.state.as_str(), "invited" | "locked" | "expired");
    let can_cancel = manage && matches!(m.state.as_str(), "preallocated" | "invited" | "locked" | "expired");
    html! {
        li class=(format!("circ-person circ-{} circ-is-{}", m.section, m.state)) data-testid="circle-member" data-id=(m.id) {
            span class=(format!("circ-avatar circ-avatar-{}", if m.state == "joined" { m.section.as_str() } else { "none" })) aria-hidden="true" {
                (initials(&name))
            }
            div class="circ-person-main" {
                div class="circ-person-head" {
                    strong class="circ-name" { (name) }
                    @if let Some(r) = &m.relationship { span class="muted small" { " · " (r) } }
                }
                (state_badge(page, &m.state))
                div class="muted small circ-contact" {
                    @if let Some(e) = &m.email { span { (e) } }
                    @if let Some(p) = &m.phone { span { (p) } }
                }
                @if let Some(i) = &m.invitation {
                    div class="muted small circ-invitation" {
                        span { (page.ta("circ-invitation-line", &[("via", &page.t(&format!("circ-via-{}", i.via))), ("method", &page.t(&format!("circ-method-{}", i.method)))])) }
                        @if let Some(q) = &i.question { span { (page.ta("circ-question-shown", &[("question", q)])) } }
                        @if i.failures > 0 { span class="circ-failures" { (page.ta("circ-failures", &[("count", &i.failures.to_string())])) } }
                        @if m.state == "invited" { span { (page.ta("circ-expires", &[("date", &page.date_time(i.expires_at))])) } }
                    }
                }
                @if can_invite || can_resend || can_cancel {
                    div class="row circ-actions" {
                        @if can_resend {
                            form method="post" action=(format!("/circle-members/{}/resend", m.id)) {
                                (page.csrf_field())
                                button type="submit" class="secondary small" data-testid="circle-resend" { (page.t("circ-action-resend")) }
                            }
                        }
                        @if can_cancel {
                            form method="post" action=(format!("/circle-members/{}/cancel", m.id)) {
                                (page.csrf_field())
                                button type="submit" class="secondary small circ-danger" data-testid="circle-cancel" data-confirm=(page.t("circ-cancel-confirm")) { (page.t("circ-action-cancel")) }
                            }
                        }
                    }
                    @if can_invite {
                        details class="circ-invite" {
                            summary data-testid="circle-invite-open" { (page.t("circ-action-invite")) }
                            form method="post" action=(format!("/circle-members/{}/invite", m.id)) class="circ-invite-form" data-circ-invite novalidate {
                                (page.csrf_field())
                                (invite_fields(page, &format!("inv-{}", m.id), &InviteForm::default(), m.email.is_some(), m.phone.is_some()))
                                button type="submit" class="primary circ-submit" data-testid="circle-invite-submit" { (page.t("circ-invite-submit")) }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn add_form(page: &Page, file_id: &str, f: &AddForm, sections_on: &[Section]) -> Markup {
    let first_on = sections_on.first().map(|s| s.as_str()).unwrap_or("patient");
    let section = if f.section.is_empty() {
        first_on
    } else {
        f.section.as_str()
    };
    let language = if f.language.is_empty() {
        page.lang.code()
    } else {
        f.language.as_str()
    };
    html! {
        form method="post" action=(here(file_id)) class="grid-form circ-add-form" data-circ-invite novalidate data-testid="circle-add-form" {
            (page.csrf_field())
            div class="field" {
                label for="circ-section" { (page.t("circ-field-section")) }
                select id="circ-section" name="section" {
                    @for s in sections_on {
                        option value=(s.as_str()) selected[section == s.as_str()] { (page.t(&format!("circ-section-{}", s.as_str()))) }
                    }
                }
            }
            div class="field" {
                label for="circ-language" { (page.t("circ-field-language")) }
                select id="circ-language" name="language" {
                    option value="fr" selected[language == "fr"] { (page.t("circ-lang-fr")) }
                    option value="en" selected[language == "en"] { (page.t("circ-lang-en")) }
                }
            }
            div class="field" {
                label for="circ-first" { (page.t("circ-field-first-name")) }
                input id="circ-first" name="first_name" type="text" required maxlength="100" value=(f.first_name) autocomplete="off";
            }
            div class="field" {
                label for="circ-last" { (page.t("circ-field-last-name")) }
                input id="circ-last" name="last_name" type="text" required maxlength="100" value=(f.last_name) autocomplete="off";
            }
            div class="field" {
                label for="circ-email" { (page.t("circ-field-email")) }
                input id="circ-email" name="email" type="email" maxlength="254" value=(f.email) autocomplete="off";
            }
            div class="field" {
                label for="circ-phone" { (page.t("circ-field-phone")) }
                input id="circ-phone" name="phone" type="tel" maxlength="30" value=(f.phone) autocomplete="off";
            }
            div class="field" {
                label for="circ-relationship" { (page.t("circ-field-relationship")) }
                input id="circ-relationship" name="relationship" type="text" maxlength="100" value=(f.relationship) autocomplete="off" aria-describedby="circ-relationship-hint";
                span class="hint" id="circ-relationship-hint" { (page.t("circ-field-relationship-hint")) }
            }
            fieldset class="circ-invite-now" {
                legend class="visually-hidden" { (page.t("circ-field-invite-now")) }
                label class="circ-check" { input type="checkbox" name="invite_now" value="on" checked[f.invite_now.is_some()] data-circ-invite-now data-testid="circle-invite-now"; (page.t("circ-field-invite-now")) }
                div class="circ-invite-fields" {
                    (invite_fields(page, "add", &f.invite, true, true))
                }
            }
            div class="actions-row" { button type="submit" class="primary" data-testid="circle-add-submit" { (page.t("circ-add-submit")) } }
        }
    }
}

async fn render(
    state: &WebState,
    page: &Page,
    view: &SessionView,
    principal: &Principal,
    file_id: &str,
    error: Option<&AppError>,
    form: &AddForm,
) -> Response {
    let scope = match OrgScope::of(&state.ctx, principal).await {
        Ok(s) => s,
        Err(e) => return failure_page(page.lang, &e),
    };
    let fid = match file_id.parse::<PatientFileId>() {
        Ok(fid) => fid,
        Err(e) => return failure_page(page.lang, &AppError::from(e)),
    };
    let file = match files::show(&state.ctx, &page.client, &scope, fid).await {
        Ok(f) => f,
        Err(e) => return failure_page(page.lang, &e),
    };
    let shown = circle::show(&state.ctx, &page.client, principal, fid).await;
    let circle::Circle { sections, members } = match shown {
        Ok(c) => c,
        Err(e) => return failure_page(page.lang, &e),
    };
    let is_on = |s: Section| sections.iter().any(|x| x.section == s.as_str() && x.on);
    let sections_on: Vec<Section> = Section::ALL.into_iter().filter(|s| is_on(*s)).collect();
    let manage = file.may_manage_circle && !file.archived;
    // Why one may not manage this circle: the file's unit, and the units
    // where one holds the role (files opened there are one's to manage).
    let (unit_name, managed_elsewhere) = if manage {
        (String::new(), Vec::new())
    } else {
        let units = files::units(&state.ctx, &scope).await.unwrap_or_default();
        let unit_name = units
            .iter()
            .find(|u| u.id == file.unit_id)
            .map(|u| u.name.clone())
            .unwrap_or_default();
        let elsewhere = units
            .iter()
            .filter(|u| {
                scope.grants.iter().any(|g| {
                    g.role
                        .allows(cercle_domain::policy::roles::Permission::ManagePatientCircle)
                        && g.unit_path.trim_end_matches('/').rsplit('/').next() == Some(u.id.as_str())
                })
            })
            .map(|u| u.name.clone())
            .collect::<Vec<_>>();
        (unit_name, elsewhere)
    };
    let name = format!("{} {}", file.first_name, file.last_name);
    let title = page.ta("circ-title", &[("name", &name)]);
    let content = html! {
        p class="circ-back" { a href=(format!("/patients/{}", file.id)) { "← " (page.t("circ-back")) } }
        h1 { (title) }
        p class="lead" { (page.t("circ-intro")) }
        @if file.archived { p class="notice" role="status" { (page.t("circ-archived")) } }
        @if let Some(e) = error { (error_notice(page.lang, e)) }
        div class="circ-sections" {
            @for s in Section::ALL {
                @let people: Vec<&CircleMember> = members.iter().filter(|m| m.section == s.as_str()).collect();
                @let on = is_on(s);
                section class={"card circ-section circ-section-" (s.as_str()) @if !on { " circ-off" }} aria-labelledby=(format!("circ-h-{}", s.as_str())) data-testid=(format!("circle-section-{}", s.as_str())) data-on=(on) {
                    h2 id=(format!("circ-h-{}", s.as_str())) { (page.t(&format!("circ-section-{}", s.as_str()))) }
                    (section_switch(page, &file.id, s, on, manage))
                    @match s {
                        Section::Responsible => p class="hint" { (page.t("circ-section-responsible-hint")) },
                        Section::Observer => p class="hint" { (page.t("circ-section-observer-hint")) },
                        Section::Patient => {},
                    }
                    @if !on {
                        p class="muted" data-testid="circle-section-off" { (page.t("circ-section-off-note")) }
                    }
                    @if people.is_empty() {
                        @if on { p class="muted" { (page.t("circ-empty")) } }
                    } @else {
                        ul class="circ-people" {
                            @for m in people { (person_row(page, m, manage, on)) }
                        }
                    }
                }
            }
        }
        @if manage {
            section class="card circ-add" aria-labelledby="circ-add-h" {
                h2 id="circ-add-h" { (page.t("circ-add-title")) }
                @if sections_on.is_empty() {
                    p class="notice" role="status" { (page.t("circ-add-all-off")) }
                } @else {
                    p class="hint" { (page.t("circ-add-hint")) }
                    (add_form(page, &file.id, form, &sections_on))
                }
            }
        } @else if !file.archived {
            div class="notice" role="status" data-testid="circle-why-not-manager" {
                p { (page.ta("circ-why-not-manager", &[("unit", &unit_name)])) }
                @if !managed_elsewhere.is_empty() {
                    p { (page.ta("circ-why-not-manager-elsewhere", &[("units", &managed_elsewhere.join(", "))])) }
                }
            }
        }
    };
    let mut resp = app_layout(state, page, view, &title, content).await;
    if error.is_some() {
        *resp.status_mut() = error.map(crate::error::status_of).unwrap_or(StatusCode::OK);
    }
    resp
}

/// A section's presence switch: a real checkbox (role switch) with its
/// label, which the script sends as soon as it is turned (the button does
/// it without the script). Whoever may not manage the circle reads the
/// section's state instead.
fn section_switch(page: &Page, file_id: &str, s: Section, on: bool, manage: bool) -> Markup {
    let id = format!("circ-switch-{}", s.as_str());
    let name = page.t(&format!("circ-section-{}", s.as_str()));
    html! {
        @if manage {
            form method="post" action=(format!("{}/sections/{}", here(file_id), s.as_str())) class="circ-switch-form" data-circ-switch {
                (page.csrf_field())
                label class="circ-switch" for=(id) {
                    input type="checkbox" role="switch" id=(id) name="on" value="on" checked[on] data-testid=(format!("circle-switch-{}", s.as_str()));
                    span { (page.ta("circ-section-switch", &[("section", &name)])) }
                }
                button type="submit" class="secondary small" data-circ-switch-apply { (page.t("circ-section-switch-apply")) }
            }
        } @else {
            p class="muted small circ-switch-state" data-testid=(format!("circle-switch-state-{}", s.as_str())) {
                (page.t(if on { "circ-section-state-on" } else { "circ-section-state-off" }))
            }
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct SwitchForm {
    /// Present when the box is checked (an unchecked box sends nothing).
    on: Option<String>,
}

async fn switch_section(
    State(state): State<WebState>,
    page: Page,
    Ready { view, principal }: Ready,
    Path((id, section)): Path<(String, String)>,
    Form(f): Form<SwitchForm>,
) -> Response {
    let on = f.on.is_some();
    let switched = match id.parse::<PatientFileId>() {
        Ok(fid) => circle::set_section(&state.ctx, &page.client, &principal, fid, &section, on).await,
        Err(e) => Err(e.into()),
    };
    match switched {
        Ok(_) => {
            let key = circle::parse_section(&section).map(|s| s.as_str()).unwrap_or("patient");
            let flash = if on {
                "circ-section-on-done"
            } else {
                "circ-section-off-done"
            };
            redirect_with_flash(&state, &format!("{}#circ-switch-{key}", here(&id)), flash)
        }
        Err(e) => render(&state, &page, &view, &principal, &id, Some(&e), &AddForm::default()).await,
    }
}

async fn show(
    State(state): State<WebState>,
    page: Page,
    Ready { view, principal }: Ready,
    Path(id): Path<String>,
) -> Response {
    render(&state, &page, &view, &principal, &id, None, &AddForm::default()).await
}

async fn add(
    State(state): State<WebState>,
    page: Page,
    Ready { view, principal }: Ready,
    Path(id): Path<String>,
    Form(f): Form<AddForm>,
) -> Response {
    let input = NewCircleMember {
        section: f.section.clone(),
        first_name: f.first_name.clone(),
        last_name: f.last_name.clone(),
        email: opt(&f.email),
        phone: opt(&f.phone),
        language: opt(&f.language),
        relationship: opt(&f.relationship),
        invite: f.invite_now.is_some().then(|| f.invite.input()),
    };
    let added = match id.parse::<PatientFileId>() {
        Ok(fid) => circle::add(&state.ctx, &page.client, &principal, fid, &input).await,
        Err(e) => Err(e.into()),
    };
    match added {
        Ok(m) => {
            let flash = if m.state == "invited" {
                "circ-invited-done"
            } else {
                "circ-added"
            };
            redirect_with_flash(&state, &here(&id), flash)
        }
        Err(e) => render(&state, &page, &view, &principal, &id, Some(&e), &f).await,
    }
}

/// Runs a manager's action on a member, then back to the circle (or the
/// page with the refusal).
async fn member_action(
    state: WebState,
    page: Page,
    Ready { view, principal }: Ready,
    member_id: String,
    action: &'static str,
    form: InviteForm,
) -> Response {
    let ctx = &state.ctx;
    let member_id: CircleMemberId = match member_id.parse() {
        Ok(id) => id,
        Err(e) => return failure_page(page.lang, &AppError::from(e)),
    };
    let (result, flash) = match action {
        "invite" => (
            invitations::invite(ctx, &page.client, &principal, member_id, &form.input()).await,
            "circ-invited-done",
        ),
        "resend" => (
            invitations::resend(ctx, &page.client, &principal, member_id).await,
            "circ-resent-done",
        ),
        _ => (
            circle::cancel(ctx, &page.client, &principal, member_id).await,
            "circ-cancelled-done",
        ),
    };
    match result {
        Ok(m) => redirect_with_flash(&state, &here(&m.patient_file_id), flash),
        Err(e) => match circle::file_of_member(ctx, &principal, member_id).await {
            Ok(file_id) => {
                render(
                    &state,
                    &page,
                    &view,
                    &principal,
                    &file_id.to_string(),
                    Some(&e),
                    &AddForm::default(),
                )
                .await
            }
            Err(_) => failure_page(page.lang, &e),
        },
    }
}

async fn invite(
    State(state): State<WebState>,
    page: Page,
    ready: Ready,
    Path(id): Path<String>,
    Form(f): Form<InviteForm>,
) -> Response {
    member_action(state, page, ready, id, "invite", f).await
}

async fn resend(State(state): State<WebState>, page: Page, ready: Ready, Path(id): Path<String>) -> Response {
    member_action(state, page, ready, id, "resend", InviteForm::default()).await
}

async fn cancel(State(state): State<WebState>, page: Page, ready: Ready, Path(id): Path<String>) -> Response {
    member_action(state, page, ready, id, "cancel", InviteForm::default()).await
}

// ---------- the invitation link ----------

/// Tokens are URL-safe base64: anything else is not one of ours.
pub fn plausible_token(token: &str) -> bool {
    !token.is_empty() && token.len() <= 100 && token.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Remembers the circle invitation being answered (sign-up keeps it too).
pub fn remember_circle(state: &WebState, resp: &mut Response, token: &str) {
    remember(state, resp, token);
}

fn remember(state: &WebState, resp: &mut Response, token: &str) {
    if plausible_token(token) {
        set_cookie(
            resp,
            cookies::set(CIRCLE_INVITATION, token, COOKIE_SECS, state.secure_cookies),
        );
    }
}

fn forget(state: &WebState, resp: &mut Response) {
    set_cookie(resp, cookies::clear(CIRCLE_INVITATION, state.secure_cookies));
}

/// For the home page: back to the circle invitation being answered, if any
/// (the cookie is used once).
pub fn pending_join(state: &WebState, headers: &HeaderMap) -> Option<Response> {
    let token = cookies::get(headers, CIRCLE_INVITATION).filter(|t| plausible_token(t))?;
    let mut resp = Redirect::to(&format!("/circle/join/{token}")).into_response();
    forget(state, &mut resp);
    Some(resp)
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct AnswerForm {
    answer: Option<String>,
    code: Option<String>,
}

fn join_card(page: &Page, body: Markup) -> Markup {
    html! {
        section class="card circ-join" {
            div class="circ-join-mark" aria-hidden="true" { (state_icon("invited")) }
            h1 { (page.t("circ-join-title")) }
            (body)
        }
    }
}

/// What is left to say when a link can no longer be answered.
fn closed_state(page: &Page, state: &str) -> Markup {
    html! {
        p class="notice error" role="alert" data-testid="circle-join-closed" data-state=(state) {
            (page.t(&format!("circ-join-state-{state}")))
        }
        @if state == "accepted" {
            p { a class="button secondary" href="/care" { (page.t("circ-join-go-care")) } }
        } @else {
            p { a href="/" { (page.t("error-go-home")) } }
        }
    }
}

fn render_join(
    page: &Page,
    token: &str,
    view: Option<&SessionView>,
    info: &InvitationInfo,
    notice: Option<Markup>,
) -> Response {
    let ready = view.filter(|v| matches!(v.state, SessionState::Ready(_)));
    let body = html! {
        p class="lead-strong" { (page.ta("circ-join-hello", &[("name", &info.first_name)])) }
        p data-testid="circle-join-intro" { (page.ta("circ-join-intro", &[("inviter", &info.inviter_name), ("org", &info.org_name)])) }
        @if info.state != "pending" {
            (closed_state(page, &info.state))
        } @else {
            @if let Some(n) = notice { (n) }
            @if ready.is_some() {
                form method="post" action=(format!("/circle/join/{token}")) class="circ-answer-form" novalidate data-testid="circle-join-form" {
                    (page.csrf_field())
                    @if info.method == "code" {
                        p class="hint" { (page.t("circ-join-explain-code")) }
                        div class="field" {
                            label for="circ-code" { (page.t("circ-join-code")) }
                            input id="circ-code" class="mono big circ-code-input" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" placeholder="1234-1234-1234" maxlength="20" required;
                        }
                    } @else {
                        div class="circ-question" {
                            span class="muted small" { (page.t("circ-join-question")) }
                            p class="circ-question-text" data-testid="circle-join-question" { (info.question.clone().unwrap_or_default()) }
                        }
                        div class="field" {
                            label for="circ-answer" { (page.t("circ-join-answer")) }
                            input id="circ-answer" name="answer" type="text" maxlength="200" autocomplete="off" required;
                        }
                    }
                    @if info.tries_left < invitations::MAX_FAILURES {
                        p class="hint circ-tries" data-testid="circle-join-tries" { (page.ta("circ-join-tries-left", &[("left", &info.tries_left.to_string())])) }
                    }
                    button type="submit" class="primary" data-testid="circle-join-submit" { (page.t("circ-join-submit")) }
                }
            } @else if let Some(v) = view {
                p { (page.t("circ-join-explain")) }
                a class="button primary" href=(crate::ui::page::place_of(&v.state)) data-testid="circle-join-continue" { (page.t("circ-join-continue")) }
            } @else {
                p { (page.t("circ-join-explain")) }
                p class="muted" {
                    @if info.method == "code" { (page.t("circ-join-explain-code")) } @else { (page.t("circ-join-explain-question")) }
                }
                div class="stack" {
                    a class="button primary" href=(format!("/sign-up?circle={token}")) data-testid="circle-join-sign-up" { (page.t("circ-join-create")) }
                    a class="button secondary" href="/sign-in" data-testid="circle-join-sign-in" { (page.t("circ-join-sign-in")) }
                }
            }
        }
    };
    layout(page, &page.t("circ-join-title"), Frame::Bare, join_card(page, body))
}

fn invalid(page: &Page, e: &AppError) -> Response {
    let body = html! {
        (error_notice(page.lang, e))
        p { a href="/" { (page.t("error-go-home")) } }
    };
    (
        crate::error::status_of(e),
        layout(page, &page.t("circ-join-title"), Frame::Bare, join_card(page, body)),
    )
        .into_response()
}

async fn join(
    State(state): State<WebState>,
    page: Page,
    session: Option<WebSession>,
    Path(token): Path<String>,
) -> Response {
    let info = match invitations::info(&state.ctx, &token).await {
        Ok(i) => i,
        Err(e) => return invalid(&page, &e),
    };
    let view = session.map(|WebSession(v)| v);
    let mut resp = render_join(&page, &token, view.as_ref(), &info, None);
    let ready = view.as_ref().is_some_and(|v| matches!(v.state, SessionState::Ready(_)));
    if ready || info.state != "pending" {
        forget(&state, &mut resp);
    } else {
        remember(&state, &mut resp, &token);
    }
    resp
}

async fn answer(
    State(state): State<WebState>,
    page: Page,
    session: Option<WebSession>,
    Path(token): Path<String>,
    Form(f): Form<AnswerForm>,
) -> Response {
    let (view, principal) = match require_ready(session) {
        Ok(v) => v,
        Err(mut r) => {
            remember(&state, &mut r, &token);
            return r;
        }
    };
    let input = AcceptInput {
        answer: f.answer.clone(),
        code: f.code.clone(),
    };
    let outcome = invitations::accept(&state.ctx, &page.client, &principal, &token, &input).await;
    let info = match invitations::info(&state.ctx, &token).await {
        Ok(i) => i,
        Err(e) => return invalid(&page, &e),
    };
    match outcome {
        Ok(AcceptOutcome::Joined { .. }) => {
            let mut resp = redirect_with_flash(&state, "/care", "circ-joined");
            forget(&state, &mut resp);
            resp
        }
        Ok(AcceptOutcome::Wrong { tries_left }) => {
            let notice = html! {
                p class="notice error" role="alert" data-testid="circle-join-wrong" {
                    (page.ta("error-answer-wrong", &[("left", &tries_left.to_string())]))
                }
            };
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                render_join(&page, &token, Some(&view), &info, Some(notice)),
            )
                .into_response()
        }
        Err(e) => {
            let notice = if info.state == "pending" {
                Some(error_notice(page.lang, &e))
            } else {
                None
            };
            (
                crate::error::status_of(&e),
                render_join(&page, &token, Some(&view), &info, notice),
            )
                .into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_url_safe_tokens_are_remembered() {
        assert!(super::plausible_token("abcDEF012-_"));
        assert!(!super::plausible_token(""));
        assert!(!super::plausible_token("../admin"));
        assert!(!super::plausible_token(&"a".repeat(101)));
    }
}
