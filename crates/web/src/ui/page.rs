//! What every page shares: the request's [`Page`] (language, device, CSRF,
//! time), the layouts and navigation, the notices, cookies and redirects,
//! and posted [`Fields`]. Pages import from here, and `ui` (the router)
//! imports the pages, so no page imports its router.

use crate::cookies;
use crate::extract::{client_of, lang_of, DeviceToken, WebSession};
use crate::WebState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};
use cercle_app::accounts::{SessionState, SessionView, SetupStep};
use cercle_app::orgs::structure::{self, MyOrganizations};
use cercle_app::orgs::OrgScope;
use cercle_app::{AppError, Client};
use cercle_domain::local_time::{LocalTime, Zone};
use cercle_domain::policy::Principal;
use cercle_domain::Language;
use cercle_i18n::{t, ta};
use maud::{html, Markup, PreEscaped, DOCTYPE};

/// What every page needs from the request.
pub struct Page {
    pub lang: Language,
    pub device: String,
    pub csrf: String,
    pub client: Client,
    pub flash: Option<String>,
    pub path: String,
    pub idle_lock_secs: i64,
    /// How dates and times are shown to this reader: their language and
    /// time zone (their own, else their active organization's).
    pub time: LocalTime,
}

impl FromRequestParts<WebState> for Page {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, state: &WebState) -> Result<Self, Self::Rejection> {
        let device = parts
            .extensions
            .get::<DeviceToken>()
            .map(|d| d.0.clone())
            .unwrap_or_default();
        let lang = lang_of(parts);
        let zone = match cookies::get(&parts.headers, cookies::ACCOUNT) {
            Some(account) if !device.is_empty() => {
                cercle_app::time_zones::reader_zone(&state.ctx, &device, &account).await
            }
            _ => Zone::default(),
        };
        Ok(Page {
            lang,
            time: LocalTime::new(lang, zone),
            csrf: state.csrf_token(&device),
            device,
            client: client_of(parts),
            // Only known message ids are shown: the cookie cannot inject text.
            flash: cookies::get(&parts.headers, cookies::FLASH)
                .filter(|f| f.len() < 60 && f.chars().all(|c| c.is_ascii_lowercase() || c == '-')),
            path: parts.uri.path().to_string(),
            idle_lock_secs: state.ctx.config.idle_lock_secs,
        })
    }
}

impl Page {
    pub fn t(&self, id: &str) -> String {
        t(self.lang, id)
    }
    pub fn ta(&self, id: &str, args: &[(&str, &str)]) -> String {
        ta(self.lang, id, args)
    }
    /// A moment as the reader reads it: "22 novembre 2026, 14 h 05".
    pub fn date_time(&self, unix_ms: i64) -> String {
        self.time.date_time(unix_ms)
    }
    /// The reader's local date of a moment: "22 novembre 2026".
    pub fn date(&self, unix_ms: i64) -> String {
        self.time.date(unix_ms)
    }
    /// A calendar date stored as `YYYY-MM-DD` (a birth date): "12 avril 1950".
    pub fn civil_date(&self, iso: &str) -> String {
        self.time.iso_date(iso)
    }
    /// A moment in a `<time>` element: words for people, the exact instant
    /// (RFC 3339, UTC) for machines.
    pub fn time_tag(&self, unix_ms: i64) -> Markup {
        html! { time datetime=(cercle_domain::local_time::rfc3339(unix_ms)) { (self.date_time(unix_ms)) } }
    }
    /// The hidden CSRF field every form carries.
    pub fn csrf_field(&self) -> Markup {
        html! { input type="hidden" name="csrf" value=(self.csrf); }
    }
    /// A fresh idempotency key for a form that creates something: posted
    /// twice (a double click, a retry after a lost answer), it creates once.
    pub fn idempotency_field(&self) -> Markup {
        html! { input type="hidden" name=(IDEMPOTENCY_FIELD) value=(cercle_app::secrets::random_token()); }
    }
}

/// The form field that carries an idempotency key.
pub const IDEMPOTENCY_FIELD: &str = "idempotency_key";

/// A posted form's idempotency key (none if absent; refused if invalid) and
/// what identifies the request: its path and fields, less the key and the
/// CSRF token.
pub fn form_idempotency(
    path: &str,
    fields: &[(String, String)],
) -> Result<(Option<cercle_app::idempotency::IdempotencyKey>, String), AppError> {
    let key = fields
        .iter()
        .find(|(k, _)| k == IDEMPOTENCY_FIELD)
        .map(|(_, v)| cercle_app::idempotency::IdempotencyKey::parse(v))
        .transpose()?;
    let mut canonical = String::new();
    for (k, v) in fields.iter().filter(|(k, _)| k != IDEMPOTENCY_FIELD && k != "csrf") {
        canonical.push_str(&format!("{}={}\n", k.len(), k));
        canonical.push_str(&format!("{}={}\n", v.len(), v));
    }
    Ok((
        key,
        cercle_app::idempotency::request_hash("POST", path, canonical.as_bytes()),
    ))
}

/// Where a session in this state belongs.
pub fn place_of(state: &SessionState) -> &'static str {
    match state {
        SessionState::AwaitingCode { .. } => "/code",
        SessionState::Setup(SetupStep::Terms) => "/setup/terms",
        SessionState::Setup(SetupStep::RecoveryCode) => "/setup/recovery",
        SessionState::Setup(SetupStep::Pin) => "/setup/pin",
        SessionState::Locked => "/lock",
        SessionState::Ready(_) => "/",
    }
}

/// A signed-in, unlocked person: the extractor of every page that needs one.
/// Anyone else is sent where they must go first (sign-in, code, set-up,
/// lock), and a database that cannot be reached is said so (503), before the
/// handler runs.
pub struct Ready {
    pub view: SessionView,
    pub principal: Principal,
}

impl FromRequestParts<WebState> for Ready {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, state: &WebState) -> Result<Self, Self::Rejection> {
        let session =
            <WebSession as axum::extract::OptionalFromRequestParts<WebState>>::from_request_parts(parts, state).await?;
        let (view, principal) = require_ready(session)?;
        Ok(Ready { view, principal })
    }
}

/// A signed-in, unlocked person, or the redirect to where they must go first.
pub fn require_ready(session: Option<WebSession>) -> Result<(SessionView, Principal), Response> {
    let Some(WebSession(view)) = session else {
        return Err(Redirect::to("/sign-in").into_response());
    };
    match view.principal() {
        Ok(p) => Ok((view, p)),
        Err(_) => Err(Redirect::to(place_of(&view.state)).into_response()),
    }
}

pub fn set_cookie(resp: &mut Response, value: String) {
    if let Ok(v) = HeaderValue::from_str(&value) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
}

/// Redirect with a one-shot notice for the next page.
pub fn redirect_with_flash(state: &WebState, to: &str, flash: &str) -> Response {
    let mut resp = Redirect::to(to).into_response();
    set_cookie(&mut resp, cookies::set(cookies::FLASH, flash, 60, state.secure_cookies));
    resp
}

/// Makes `session_id` the account in front on this browser.
pub fn with_account(state: &WebState, mut resp: Response, session_id: &str) -> Response {
    set_cookie(
        &mut resp,
        cookies::set(cookies::ACCOUNT, session_id, 2 * 365 * 24 * 3600, state.secure_cookies),
    );
    resp
}

/// Only local paths, so a crafted link cannot send someone elsewhere.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') && n.len() < 200 => n.to_string(),
        _ => "/".to_string(),
    }
}

/// Where the page sits: with the navigation (signed in) or alone (sign-in steps).
pub enum Frame<'a> {
    App(&'a SessionView, &'a Header),
    Bare,
}

/// What the top bar shows of a signed-in person's organizations.
#[derive(Default)]
pub struct Header {
    pub orgs: Option<MyOrganizations>,
    /// Whether the Admin entry leads somewhere (the pages still ask the services).
    pub admin: bool,
    /// Unread messages over one's open discussions (the navigation badge).
    pub unread: i64,
    /// Unread notifications (the bell's badge).
    pub notifications: i64,
}

impl Header {
    /// The organizations of a ready session, and whether it administers anything.
    pub async fn of(state: &WebState, view: &SessionView) -> Header {
        let Ok(principal) = view.principal() else {
            return Header::default();
        };
        let orgs = structure::my_organizations(&state.ctx, &principal).await.ok();
        let scope = match orgs.as_ref().and_then(|o| o.active.as_ref()) {
            Some(_) => OrgScope::of(&state.ctx, &principal).await.ok(),
            None => None,
        };
        Header {
            admin: view.user.network_admin || scope.as_ref().is_some_and(crate::ui::admin_tabs::any_area),
            orgs,
            unread: cercle_app::threads::service::unread_total(&state.ctx, &principal)
                .await
                .unwrap_or(0),
            notifications: cercle_app::notifications::unread_count(&state.ctx, &principal)
                .await
                .unwrap_or(0),
        }
    }

    fn active_name(&self) -> Option<&str> {
        let orgs = self.orgs.as_ref()?;
        let active = orgs.active.as_deref()?;
        orgs.organizations
            .iter()
            .find(|o| o.id == active)
            .map(|o| o.name.as_str())
    }
}

/// A page of the signed-in app: the frame with the header's organization.
pub async fn app_layout(state: &WebState, page: &Page, view: &SessionView, title: &str, content: Markup) -> Response {
    let header = Header::of(state, view).await;
    layout(page, title, Frame::App(view, &header), content)
}

/// The active organization and the switcher to the others.
fn org_switch(page: &Page, header: &Header) -> Markup {
    let Some(orgs) = &header.orgs else {
        return html! {};
    };
    if orgs.organizations.is_empty() {
        return html! {};
    }
    let active = header.active_name();
    let label = active.map(str::to_string).unwrap_or_else(|| page.t("org-choose"));
    html! {
        @if orgs.organizations.len() == 1 && active.is_some() {
            div class="orgswitch single" title=(page.t("org-active-label")) {
                span class="visually-hidden" { (page.t("org-active-label")) " " }
                span class="org-name" data-testid="active-org" { (label) }
            }
        } @else {
            details class="orgswitch" {
                summary title=(page.t("org-switch")) {
                    span class="visually-hidden" { (page.t("org-active-label")) " " }
                    span class="org-name" data-testid="active-org" { (label) }
                    span class="caret" aria-hidden="true" { "▾" }
                }
                div class="menu" {
                    p class="menu-title" { (page.t("org-switch")) }
                    @for o in &orgs.organizations {
                        form method="post" action="/organizations/active" {
                            (page.csrf_field())
                            input type="hidden" name="org_id" value=(o.id);
                            button type="submit" class="linklike" aria-current=[(orgs.active.as_deref() == Some(o.id.as_str())).then_some("true")] { (o.name) }
                        }
                    }
                }
            }
        }
    }
}

const NAV: &[(&str, &str, &str)] = &[
    ("/", "nav-home", "home"),
    ("/threads", "nav-threads", "threads"),
    ("/patients", "nav-patients", "patients"),
    ("/channels", "nav-channels", "channels"),
    ("/teams", "nav-teams", "teams"),
    ("/network", "nav-network", "network"),
];

/// Someone only in patients' circles (a patient, a caregiver) sees their
/// care teams and nothing else (their account and security stay in the menu).
const CIRCLE_NAV: &[(&str, &str, &str)] = &[("/care", "circ-nav-care", "channels")];

/// The project's own inline icons (no icon font, nothing from elsewhere).
pub fn icon(name: &str) -> Markup {
    let path = match name {
        "home" => "M3 11l9-7 9 7v9a1 1 0 0 1-1 1h-5v-6H9v6H4a1 1 0 0 1-1-1z",
        "patients" => "M6 3h9l4 4v14H6zM9 12h7M9 16h7M9 8h3",
        "channels" => "M4 5h16v11H9l-5 4z",
        "threads" => "M3 5h12v8H8l-4 3v-3H3zM9 16h7l4 3v-3h1V8h-3",
        "teams" => "M8 11a3 3 0 1 0 0-6 3 3 0 0 0 0 6zm8 0a3 3 0 1 0 0-6 3 3 0 0 0 0 6zM2 20c0-3 3-5 6-5s6 2 6 5M14 15c3 0 8 1 8 5",
        "network" => "M12 4a2 2 0 1 0 0 4 2 2 0 0 0 0-4zM5 16a2 2 0 1 0 0 4 2 2 0 0 0 0-4zm14 0a2 2 0 1 0 0 4 2 2 0 0 0 0-4zM12 8v4M12 12l-6 4M12 12l6 4",
        "admin" => "M12 3l8 3v6c0 5-4 8-8 9-4-1-8-4-8-9V6z",
        "lock" => "M6 11h12v10H6zM8 11V7a4 4 0 0 1 8 0v4",
        "shield" => "M12 3l8 3v6c0 5-4 8-8 9-4-1-8-4-8-9V6zM9 12l2 2 4-4",
        "bell" => "M6 16V11a6 6 0 0 1 12 0v5l2 2H4zM10 20a2 2 0 0 0 4 0",
        "more" => "M5 12h.01M12 12h.01M19 12h.01",
        _ => "M4 12h16",
    };
    html! {
        svg class="icon" viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false" {
            path d=(path) fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" {}
        }
    }
}

/// Entries beyond this many go to a "more" menu on a phone.
const PHONE_NAV_SLOTS: usize = 4;

/// The main navigation, labelled at every width: its own row under the
/// header's controls; on a phone, the first entries and a "more" menu
/// holding the others (never a bar that scrolls or clips).
fn main_nav(page: &Page, view: &SessionView, header: &Header) -> Markup {
    let lang = page.lang;
    let base = if view.user.circle_only { CIRCLE_NAV } else { NAV };
    let mut entries: Vec<(&str, &str, &str)> = base.to_vec();
    if header.admin {
        entries.push(("/admin", "nav-admin", "admin"));
    }
    let current = |href: &str| {
        page.path == href
            || (href != "/" && page.path.starts_with(&format!("{href}/")))
            || (href == "/admin" && page.path.starts_with("/admin"))
    };
    let more = entries.len() > PHONE_NAV_SLOTS + 1;
    // On a phone entries from PHONE_NAV_SLOTS on are in the "more" menu;
    // below 420 px the one before them too (`nav-narrow-…`).
    let narrow = PHONE_NAV_SLOTS - 1;
    let class_of = |i: usize| match i {
        _ if !more => None,
        i if i >= PHONE_NAV_SLOTS => Some("nav-extra"),
        i if i == narrow => Some("nav-narrow-extra"),
        _ => None,
    };
    let entry = |href: &str, label: &str, ic: &str, class: Option<&str>| {
        html! {
            a href=(href) class=[class] aria-current=[current(href).then_some("page")] {
                (icon(ic)) span class="nav-label" { (t(lang, label)) }
                @if href == "/threads" && header.unread > 0 {
                    b class="thr-nav-badge" data-testid="nav-unread" title=(ta(lang, "thr-unread-count", &[("count", &header.unread.to_string())])) { (header.unread.min(99)) }
                }
            }
        }
    };
    html! {
        nav class="mainnav" aria-label=(t(lang, "nav-menu")) {
            @for (i, (href, label, ic)) in entries.iter().enumerate() {
                (entry(href, label, ic, class_of(i)))
            }
            @if more {
                details class="nav-more" {
                    summary aria-current=[entries[PHONE_NAV_SLOTS..].iter().any(|(h, _, _)| current(h)).then_some("page")] {
                        (icon("more")) span class="nav-label" { (t(lang, "nav-more")) }
                    }
                    div class="menu" {
                        @for (i, (href, label, ic)) in entries.iter().enumerate().skip(narrow) {
                            a href=(href) class=[(i == narrow).then_some("nav-narrow-only")] aria-current=[current(href).then_some("page")] { (icon(ic)) span { (t(lang, label)) } }
                        }
                    }
                }
            }
        }
    }
}

/// The page frame: header, navigation, notices, content, footer.
pub fn layout(page: &Page, title: &str, frame: Frame<'_>, content: Markup) -> Response {
    let lang = page.lang;
    // The script locks the screen after this idle delay; the server enforces it too.
    let idle_lock = match &frame {
        Frame::App(v, _) if matches!(v.state, SessionState::Ready(_)) => Some(page.idle_lock_secs.to_string()),
        _ => None,
    };
    let markup = html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="theme-color" content="#5b2e91";
                title { (title) " · " (t(lang, "app-name")) }
                link rel="stylesheet" href="/static/app.css";
                link rel="icon" href="/static/icon.svg" type="image/svg+xml";
                link rel="manifest" href="/static/manifest.webmanifest";
                script type="module" src="/static/app.js" {}
            }
            body data-csrf=(page.csrf) data-idle-lock=[idle_lock] data-tz=(page.time.zone.name()) {
                a class="skip" href="#main" { (t(lang, "skip-to-content")) }
                header class="topbar" {
                    a class="brand" href="/" {
                        img src="/static/icon.svg" alt="" width="28" height="28";
                        span class="brand-name" { (t(lang, "app-name")) }
                    }
                    @if let Frame::App(view, header) = &frame {
                        @if matches!(view.state, SessionState::Ready(_)) {
                            (org_switch(page, header))
                            a class="bell" href="/notifications" data-testid="nav-notifications" title=(t(lang, "notif-nav")) aria-current=[page.path.starts_with("/notifications").then_some("page")] {
                                (icon("bell")) span class="visually-hidden" { (t(lang, "notif-nav")) }
                                @if header.notifications > 0 {
                                    b class="thr-nav-badge" data-testid="notif-badge" title=(ta(lang, "notif-unread-count", &[("count", &header.notifications.to_string())])) { (header.notifications.min(99)) }
                                }
                            }
                            // Says the unread count when it changes live ("2 unread"); empty on load.
                            span class="visually-hidden" role="status" aria-live="polite" aria-atomic="true" data-testid="notif-live" {}
                            details class="account" {
                                summary title=(t(lang, "nav-account-menu")) {
                                    span class="avatar" aria-hidden="true" { (initials(&view.user.name)) }
                                    span class="account-name" { (view.user.name) }
                                    span class="visually-hidden" { " · " (t(lang, "nav-account-menu")) }
                                }
                                div class="menu" {
                                    p class="menu-title" { (view.user.name) }
                                    @if view.user.circle_only { a href="/care/photo" data-testid="my-photo" { (t(lang, "care-photo-title")) } }
                                    a href="/security" { (t(lang, "nav-security")) }
                                    a href="/security/connect" data-testid="nav-connect" { (t(lang, "nav-connect")) }
                                    a href="/availability" { (t(lang, "nav-availability")) }
                                    a href="/notifications/preferences" { (t(lang, "notif-preferences")) }
                                    a href="/accounts" { (t(lang, "action-switch-account")) }
                                    form method="post" action="/lock-now" { (page.csrf_field()) button type="submit" class="linklike" { (t(lang, "action-lock")) } }
                                    form method="post" action="/sign-out" { (page.csrf_field()) button type="submit" class="linklike" { (t(lang, "action-sign-out")) } }
                                }
                            }
                        }
                    }
                    form class="langswitch" method="post" action="/language" {
                        (page.csrf_field())
                        input type="hidden" name="next" value=(page.path);
                        input type="hidden" name="language" value=(match lang { Language::Fr => "en", Language::En => "fr" });
                        button type="submit" lang=(match lang { Language::Fr => "en", Language::En => "fr" }) {
                            span class="lang-short" { (match lang { Language::Fr => "EN", Language::En => "FR" }) }
                            span class="lang-long" { (t(lang, "language-switch")) }
                        }
                    }
                    @if let Frame::App(view, header) = &frame {
                        @if matches!(view.state, SessionState::Ready(_)) {
                            (main_nav(page, view, header))
                        }
                    }
                }
                main id="main" class=(match frame { Frame::App(..) => "container", Frame::Bare => "container narrow" }) {
                    @if let Frame::App(view, _) = &frame {
                        @if matches!(view.state, SessionState::Ready(_)) {
                            (crate::ui::calls_banner::banner(lang))
                        }
                    }
                    @if let Some(flash) = &page.flash {
                        p class="notice ok" role="status" { (t(lang, flash)) }
                    }
                    (content)
                }
                footer class="footer" { (t(lang, "footer-text")) }
            }
        }
    };
    let mut resp = maud_response(markup);
    if page.flash.is_some() {
        set_cookie(&mut resp, cookies::clear(cookies::FLASH, false));
    }
    resp
}

fn maud_response(markup: Markup) -> Response {
    (
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        markup.into_string(),
    )
        .into_response()
}

pub fn initials(name: &str) -> String {
    name.split_whitespace()
        .filter(|w| w.chars().next().is_some_and(char::is_alphabetic))
        .rev()
        .take(2)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .filter_map(|w| w.chars().next())
        .flat_map(char::to_uppercase)
        .collect()
}

/// A refusal shown on the form that caused it.
pub fn error_notice(lang: Language, e: &AppError) -> Markup {
    if let AppError::Internal(detail) = e {
        tracing::error!(%detail, "internal error");
    }
    html! { p class="notice error" role="alert" { (crate::error::message_of(e, lang)) } }
}

/// Inline SVG (e.g. a QR code) we generated ourselves.
pub fn trusted_svg(svg: String) -> PreEscaped<String> {
    PreEscaped(svg)
}

/// A posted form, as its fields in order (checkboxes may repeat a name).
#[derive(Debug, Default, Clone)]
pub(crate) struct Fields(pub(crate) Vec<(String, String)>);

impl Fields {
    pub(crate) fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }
    /// A field that may be left empty.
    pub(crate) fn opt(&self, name: &str) -> Option<String> {
        Some(self.get(name).trim())
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    }
    pub(crate) fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }
    /// A checkbox (or a hidden `true`/`1`).
    pub(crate) fn on(&self, name: &str) -> bool {
        matches!(self.get(name), "on" | "true" | "1")
    }
}
