//! The security settings page and its forms.

use super::auth::{field, field_as, recovery_code_page};
use super::labels::event_label;
use crate::cookies;
use crate::extract::WebSession;
use crate::ui::page::{
    app_layout, error_notice, redirect_with_flash, require_ready, set_cookie, trusted_svg, Page, Ready,
};
use crate::WebState;
use axum::extract::{Form, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use cercle_app::accounts::security::{self, TotpSetup};
use cercle_app::accounts::{session, SessionView};
use cercle_app::{admin, AppError};
use cercle_domain::local_time::{Zone, DEFAULT_TIME_ZONE};
use cercle_domain::policy::Principal;
use cercle_domain::session::SecondFactor;
use cercle_domain::Language;
use maud::{html, Markup};
use serde::Deserialize;

pub fn routes() -> Router<WebState> {
    Router::new()
        .route("/security", get(show))
        .route("/security/password", post(change_password))
        .route("/security/pin", post(change_pin))
        .route("/security/phone", post(start_phone))
        .route("/security/phone/confirm", post(confirm_phone))
        .route("/security/totp", post(start_totp))
        .route("/security/totp/confirm", post(confirm_totp))
        .route("/security/email-codes", post(use_email_codes))
        .route("/security/recovery", post(new_recovery))
        .route("/security/sessions/{id}/end", post(end_session))
        .route("/security/sign-out-everywhere", post(sign_out_everywhere))
        .route("/security/delete", post(delete_account))
        .route("/security/time-zone", post(set_time_zone))
}

/// What a form post adds to the page: an error in one section, or the next
/// step of a second-factor change.
#[derive(Default)]
struct Extra {
    error: Option<(&'static str, AppError)>,
    phone_sent: Option<String>,
    totp: Option<TotpSetup>,
    /// The time zone as typed, when it was refused.
    time_zone: Option<String>,
}

impl Extra {
    fn error(section: &'static str, e: AppError) -> Self {
        Extra {
            error: Some((section, e)),
            ..Default::default()
        }
    }
    fn notice(&self, page: &Page, section: &str) -> Markup {
        match &self.error {
            Some((s, e)) if *s == section => error_notice(page.lang, e),
            _ => html! {},
        }
    }
}

fn qr_svg(uri: &str) -> Option<String> {
    let code = qrcode::QrCode::new(uri.as_bytes()).ok()?;
    Some(
        code.render::<qrcode::render::svg::Color<'_>>()
            .min_dimensions(180, 180)
            .quiet_zone(true)
            .build(),
    )
}

async fn render(state: &WebState, page: &Page, view: &SessionView, principal: &Principal, extra: Extra) -> Response {
    let me = view.me();
    let sessions = session::list(&state.ctx, principal).await.unwrap_or_default();
    let activity = admin::audit_log(&state.ctx, principal, true, 15)
        .await
        .unwrap_or_default();
    let factor_name = page.t(&format!("factor-{}", me.second_factor.as_str()));
    let zones = cercle_app::time_zones::my_time_zone(&state.ctx, principal).await.ok();
    let now = state.ctx.clock.now().0;
    let content = html! {
        h1 { (page.t("security-title")) }
        p class="lead" { (page.t("security-intro")) }

        section class="card" id="password" {
            h2 { (page.t("section-password")) }
            (extra.notice(page, "password"))
            form method="post" action="/security/password" novalidate {
                (page.csrf_field())
                (field(&page.t("field-current-password"), "current_password", "password", "", "current-password"))
                (field(&page.t("field-new-password"), "new_password", "password", "", "new-password"))
                p class="hint" { (page.t("password-hint")) }
                button type="submit" class="primary" { (page.t("password-change-submit")) }
            }
        }

        section class="card" id="pin" {
            h2 { (page.t("section-pin")) }
            (extra.notice(page, "pin"))
            form method="post" action="/security/pin" novalidate {
                (page.csrf_field())
                (field_as("f-pin-password", &page.t("field-current-password"), "password", "password", "", "current-password"))
                (field(&page.t("field-pin"), "pin", "pin", "", "off"))
                (field(&page.t("field-pin-confirm"), "pin_confirm", "pin", "", "off"))
                button type="submit" class="primary" { (page.t("pin-change-submit")) }
            }
        }

        section class="card" id="push" data-push data-push-on=(page.t("push-enabled")) data-push-off=(page.t("push-disabled")) data-push-denied=(page.t("push-denied")) data-push-unsupported=(page.t("push-unsupported")) data-push-failed=(page.t("push-failed")) {
            h2 { (page.t("push-title")) }
            p { (page.t("push-help")) }
            p data-push-status data-testid="push-status" role="status" {}
            button type="button" class="primary" data-push-enable hidden { (page.t("push-enable")) }
            " "
            button type="button" data-push-disable hidden { (page.t("push-disable")) }
        }

        section class="card" id="factor" {
            h2 { (page.t("section-factor")) }
            p data-testid="current-factor" { (page.ta("factor-current", &[("factor", &factor_name)])) }
            (extra.notice(page, "factor"))
            @if let Some(setup) = &extra.totp {
                p { (page.t("totp-intro")) }
                @if let Some(svg) = qr_svg(&setup.uri) { div class="qr" { (trusted_svg(svg)) } }
                p { (page.t("totp-secret-label")) " : " code class="mono" data-testid="totp-secret" { (setup.secret) } }
                form method="post" action="/security/totp/confirm" novalidate {
                    (page.csrf_field())
                    (field(&page.t("field-code"), "code", "code", "", "one-time-code"))
                    button type="submit" class="primary" { (page.t("totp-confirm")) }
                }
            } @else if let Some(dest) = &extra.phone_sent {
                p { (page.ta("phone-code-sent", &[("destination", dest)])) }
                form method="post" action="/security/phone/confirm" novalidate {
                    (page.csrf_field())
                    (field(&page.t("field-code"), "code", "code", "", "one-time-code"))
                    button type="submit" class="primary" { (page.t("phone-confirm")) }
                }
            } @else {
                div class="stack" {
                    @if me.second_factor != SecondFactor::Totp {
                        form method="post" action="/security/totp" {
                            (page.csrf_field())
                            button type="submit" class="secondary" { (page.t("factor-to-totp")) }
                        }
                    }
                    @if me.second_factor != SecondFactor::Sms {
                        details {
                            summary { (page.t("factor-to-sms")) }
                            form method="post" action="/security/phone" novalidate {
                                (page.csrf_field())
                                (field(&page.t("field-phone"), "phone", "tel", me.phone.as_deref().unwrap_or(""), "tel"))
                                button type="submit" class="secondary" { (page.t("phone-send-code")) }
                            }
                        }
                    }
                    @if me.second_factor != SecondFactor::Email {
                        details {
                            summary { (page.t("factor-to-email")) }
                            form method="post" action="/security/email-codes" novalidate {
                                (page.csrf_field())
                                (field_as("f-email-password", &page.t("field-current-password"), "password", "password", "", "current-password"))
                                button type="submit" class="secondary" { (page.t("factor-to-email")) }
                            }
                        }
                    }
                }
            }
        }

        section class="card" id="recovery" {
            h2 { (page.t("section-recovery")) }
            p { (page.t("recovery-renew-intro")) }
            (extra.notice(page, "recovery"))
            form method="post" action="/security/recovery" novalidate {
                (page.csrf_field())
                (field_as("f-recovery-password", &page.t("field-current-password"), "password", "password", "", "current-password"))
                button type="submit" class="secondary" { (page.t("recovery-renew-submit")) }
            }
        }

        section class="card" id="connect" {
            h2 { (page.t("connect-title")) }
            p { (page.t("connect-security-intro")) }
            a class="button secondary" href="/security/connect" data-testid="security-connect" { (page.t("connect-open")) }
        }

        section class="card" id="sessions" {
            h2 { (page.t("section-sessions")) }
            ul class="sessions" {
                @for s in &sessions {
                    li {
                        div {
                            strong { (s.label) } @if s.current { " · " span class="badge" { (page.t("session-current")) } }
                            br;
                            span class="muted" { (page.ta("session-last-seen", &[("when", &page.date_time(s.last_seen_at))])) @if let Some(ip) = &s.ip { " · " (ip) } }
                        }
                        @if !s.current {
                            form method="post" action=(format!("/security/sessions/{}/end", s.id)) {
                                (page.csrf_field())
                                button type="submit" class="secondary small" { (page.t("session-end")) }
                            }
                        }
                    }
                }
            }
            form method="post" action="/security/sign-out-everywhere" {
                (page.csrf_field())
                button type="submit" class="secondary" data-confirm=(page.t("sessions-end-all")) { (page.t("sessions-end-all")) }
            }
        }

        section class="card" id="language" {
            h2 { (page.t("section-language")) }
            form method="post" action="/language" {
                (page.csrf_field())
                input type="hidden" name="next" value="/security";
                div class="field" {
                    label for="f-lang" { (page.t("field-language")) }
                    select id="f-lang" name="language" {
                        @for l in Language::ALL { option value=(l.code()) selected[l == me.language] { (page.t(&format!("language-{}", l.code()))) } }
                    }
                }
                button type="submit" class="secondary" { (page.t("language-save")) }
            }
        }

        @if let Some(z) = &zones {
            section class="card" id="time-zone" {
                h2 { (page.t("section-time-zone")) }
                p data-testid="time-zone-current" {
                    (page.ta("tz-current", &[("zone", z.effective.name()), ("now", &page.date_time(now))]))
                }
                (extra.notice(page, "time-zone"))
                form method="post" action="/security/time-zone" {
                    (page.csrf_field())
                    div class="field" {
                        label for="f-time-zone" { (page.t("field-time-zone")) }
                        input id="f-time-zone" name="time_zone" type="text" list="time-zone-names" maxlength="64" autocomplete="off" spellcheck="false"
                            value=(extra.time_zone.as_deref().or(z.own.as_deref()).unwrap_or(""))
                            placeholder=(z.organization.as_deref().unwrap_or(DEFAULT_TIME_ZONE))
                            aria-describedby="f-time-zone-hint";
                        datalist id="time-zone-names" { @for n in Zone::all_names() { option value=(n) {} } }
                        p class="hint" id="f-time-zone-hint" {
                            (page.ta("tz-hint", &[("zone", z.organization.as_deref().unwrap_or(DEFAULT_TIME_ZONE))]))
                        }
                    }
                    button type="submit" class="secondary" { (page.t("tz-save")) }
                }
            }
        }

        section class="card" id="activity" {
            h2 { (page.t("section-activity")) }
            @if activity.is_empty() {
                p class="muted" { (page.t("activity-empty")) }
            } @else {
                div class="table-wrap" tabindex="0" role="region" aria-label=(page.t("section-activity")) {
                    table {
                        thead { tr { th { (page.t("col-when")) } th { (page.t("col-event")) } th { (page.t("col-address")) } } }
                        tbody {
                            @for r in &activity {
                                tr { td { (page.time_tag(r.at)) } td { span title=(r.event) { (event_label(page, &r.event)) } } td { (r.ip.as_deref().unwrap_or("")) } }
                            }
                        }
                    }
                }
            }
        }

        section class="card danger" id="delete" {
            h2 { (page.t("section-delete")) }
            p { (page.t("delete-intro")) }
            (extra.notice(page, "delete"))
            form method="post" action="/security/delete" novalidate {
                (page.csrf_field())
                (field_as("f-delete-password", &page.t("field-current-password"), "password", "password", "", "current-password"))
                button type="submit" class="danger" data-confirm=(page.t("delete-intro")) { (page.t("delete-submit")) }
            }
        }
    };
    app_layout(state, page, view, &page.t("security-title"), content).await
}

async fn show(State(state): State<WebState>, page: Page, Ready { view, principal }: Ready) -> Response {
    render(&state, &page, &view, &principal, Extra::default()).await
}

/// Runs one form's service call: success goes back to the page with a
/// notice, a refusal re-renders the page with the error in its section.
macro_rules! handle {
    ($state:ident, $page:ident, $session:ident, $section:literal, $ok_flash:literal, |$principal:ident| $call:expr) => {{
        let (view, $principal) = match require_ready($session) {
            Ok(v) => v,
            Err(r) => return r,
        };
        match $call.await {
            Ok(_) => redirect_with_flash(&$state, "/security", $ok_flash),
            Err(e) => render(&$state, &$page, &view, &$principal, Extra::error($section, e)).await,
        }
    }};
}

#[derive(Deserialize)]
pub struct TimeZoneForm {
    #[serde(default)]
    time_zone: String,
}

/// One's own time zone (empty: follow the organization's).
async fn set_time_zone(
    State(state): State<WebState>,
    page: Page,
    Ready { view, principal }: Ready,
    Form(f): Form<TimeZoneForm>,
) -> Response {
    match security::set_time_zone(&state.ctx, &page.client, &principal, &f.time_zone).await {
        Ok(()) => redirect_with_flash(&state, "/security", "tz-saved"),
        Err(e) => {
            let status = crate::error::status_of(&e);
            let mut extra = Extra::error("time-zone", e);
            extra.time_zone = Some(f.time_zone.chars().take(64).collect());
            (status, render(&state, &page, &view, &principal, extra).await).into_response()
        }
    }
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
}

async fn change_password(
    State(state): State<WebState>,
    page: Page,
    session: Option<WebSession>,
    Form(f): Form<PasswordForm>,
) -> Response {
    handle!(state, page, session, "password", "password-changed", |p| {
        security::change_password(&state.ctx, &page.client, &p, &f.current_password, &f.new_password)
    })
}

#[derive(Deserialize)]
pub struct PinForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    pin: String,
    #[serde(default)]
    pin_confirm: String,
}

async fn change_pin(
    State(state): State<WebState>,
    page: Page,
    session: Option<WebSession>,
    Form(f): Form<PinForm>,
) -> Response {
    handle!(state, page, session, "pin", "pin-changed", |p| {
        security::change_pin(&state.ctx, &page.client, &p, &f.password, &f.pin, &f.pin_confirm)
    })
}

#[derive(Deserialize)]
pub struct PhoneForm {
    #[serde(default)]
    phone: String,
}

async fn start_phone(
    State(state): State<WebState>,
    page: Page,
    Ready { view, principal }: Ready,
    Form(f): Form<PhoneForm>,
) -> Response {
    let extra = match security::start_phone(&state.ctx, &page.client, &principal, &f.phone).await {
        Ok(dest) => Extra {
            phone_sent: Some(dest),
            ..Default::default()
        },
        Err(e) => Extra::error("factor", e),
    };
    render(&state, &page, &view, &principal, extra).await
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
}

async fn confirm_phone(
    State(state): State<WebState>,
    page: Page,
    Ready { view, principal }: Ready,
    Form(f): Form<CodeForm>,
) -> Response {
    match security::confirm_phone(&state.ctx, &page.client, &principal, &f.code).await {
        Ok(()) => redirect_with_flash(&state, "/security", "factor-sms-done"),
        // Keep the confirm form up for another try.
        Err(e) => {
            render(
                &state,
                &page,
                &view,
                &principal,
                Extra {
                    error: Some(("factor", e)),
                    phone_sent: Some(String::new()),
                    totp: None,
                    time_zone: None,
                },
            )
            .await
        }
    }
}

async fn start_totp(State(state): State<WebState>, page: Page, Ready { view, principal }: Ready) -> Response {
    let extra = match security::start_totp(&state.ctx, &page.client, &principal).await {
        Ok(setup) => Extra {
            totp: Some(setup),
            ..Default::default()
        },
        Err(e) => Extra::error("factor", e),
    };
    render(&state, &page, &view, &principal, extra).await
}

async fn confirm_totp(
    State(state): State<WebState>,
    page: Page,
    session: Option<WebSession>,
    Form(f): Form<CodeForm>,
) -> Response {
    handle!(state, page, session, "factor", "factor-totp-done", |p| {
        security::confirm_totp(&state.ctx, &page.client, &p, &f.code)
    })
}

#[derive(Deserialize)]
pub struct PasswordOnly {
    #[serde(default)]
    password: String,
}

async fn use_email_codes(
    State(state): State<WebState>,
    page: Page,
    session: Option<WebSession>,
    Form(f): Form<PasswordOnly>,
) -> Response {
    handle!(state, page, session, "factor", "factor-email-done", |p| {
        security::use_email_codes(&state.ctx, &page.client, &p, &f.password)
    })
}

async fn new_recovery(
    State(state): State<WebState>,
    page: Page,
    Ready { view, principal }: Ready,
    Form(f): Form<PasswordOnly>,
) -> Response {
    match security::new_recovery_code(&state.ctx, &page.client, &principal, &f.password).await {
        Ok(code) => recovery_code_page(&page, code.expose(), "/security"),
        Err(e) => render(&state, &page, &view, &principal, Extra::error("recovery", e)).await,
    }
}

async fn end_session(
    State(state): State<WebState>,
    page: Page,
    session: Option<WebSession>,
    Path(id): Path<String>,
) -> Response {
    handle!(state, page, session, "sessions", "session-ended", |p| {
        async {
            match id.parse() {
                Ok(id) => session::end(&state.ctx, &page.client, &p, id).await,
                Err(e) => Err(cercle_app::AppError::from(e)),
            }
        }
    })
}

async fn sign_out_everywhere(State(state): State<WebState>, page: Page, Ready { principal, .. }: Ready) -> Response {
    if let Err(e) = session::sign_out_everywhere(&state.ctx, &page.client, &principal).await {
        return crate::error_page::failure_page(page.lang, &e);
    }
    let mut resp = Redirect::to("/sign-in").into_response();
    set_cookie(&mut resp, cookies::clear(cookies::ACCOUNT, state.secure_cookies));
    resp
}

async fn delete_account(
    State(state): State<WebState>,
    page: Page,
    Ready { view, principal }: Ready,
    Form(f): Form<PasswordOnly>,
) -> Response {
    match security::delete_account(&state.ctx, &page.client, &principal, &f.password).await {
        Ok(()) => {
            let mut resp = redirect_with_flash(&state, "/sign-in", "delete-done");
            set_cookie(&mut resp, cookies::clear(cookies::ACCOUNT, state.secure_cookies));
            resp
        }
        Err(e) => render(&state, &page, &view, &principal, Extra::error("delete", e)).await,
    }
}
