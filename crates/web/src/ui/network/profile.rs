//! One's own profile (SPEC 3): photo, presentation, diplomas, competencies,
//! contact details, languages, the phone shared with friends, external
//! visibility, and the professions with their proof. The photo and the
//! proof documents are files: the page's script sends them to the JSON API
//! (`PUT /api/v1/network/profile/photo`, `PUT /api/v1/network/professions/{id}/proof`).

use crate::guard::RouteList;
use crate::ui::page::Fields;
use crate::ui::page::{app_layout, error_notice, initials, redirect_with_flash, Page, Ready};
use crate::WebState;
use axum::extract::{Form, Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use cercle_app::accounts::SessionView;
use cercle_app::network::professions::{self, ProfessionView, Status, MAX_PROFESSIONS};
use cercle_app::network::profile::{self, ProfileInput, ProfileView};
use cercle_app::AppError;
use cercle_domain::policy::{may, Permission as NetworkPermission, Principal};
use maud::{html, Markup};
use serde::Deserialize;

/// Professionals only (see `crate::guard`).
pub fn routes() -> RouteList {
    RouteList::new()
        .route("/network/profile", get(show).post(save))
        .route("/network/profile/photo/remove", post(remove_photo))
        .route("/network/profile/professions", post(add_profession))
        .route("/network/profile/professions/{id}/remove", post(remove_profession))
}

/// One's own photo, shown to patients and caregivers too (their care space's photo page).
pub fn shared_routes() -> Router<WebState> {
    Router::new().route("/network/profile/photo", get(my_photo))
}

/// The languages offered as checkboxes; others are typed as codes.
const COMMON_LANGUAGES: [&str; 2] = ["fr", "en"];

/// What the "about me" form shows: the saved profile, or what was typed.
struct Draft {
    presentation: String,
    diplomas: String,
    competencies: String,
    contact: String,
    languages: Vec<String>,
    other_languages: String,
    shared_phone: String,
    restrict_external: bool,
}

impl Draft {
    fn of(p: &ProfileView) -> Draft {
        Draft {
            presentation: p.presentation.clone(),
            diplomas: p.diplomas.clone(),
            competencies: p.competencies.clone(),
            contact: p.contact.clone(),
            languages: p.languages.clone(),
            other_languages: p
                .languages
                .iter()
                .filter(|l| !COMMON_LANGUAGES.contains(&l.as_str()))
                .cloned()
                .collect::<Vec<_>>()
                .join(", "),
            shared_phone: p.shared_phone.clone().unwrap_or_default(),
            restrict_external: p.restrict_external.unwrap_or(false),
        }
    }

    fn posted(f: &Fields) -> Draft {
        Draft {
            presentation: f.get("presentation").to_string(),
            diplomas: f.get("diplomas").to_string(),
            competencies: f.get("competencies").to_string(),
            contact: f.get("contact").to_string(),
            languages: f.all("languages").into_iter().map(str::to_string).collect(),
            other_languages: f.get("other_languages").to_string(),
            shared_phone: f.get("shared_phone").to_string(),
            restrict_external: matches!(f.get("restrict_external"), "on" | "1" | "true"),
        }
    }

    /// The service's input: the checked languages, then the typed codes.
    fn input(&self) -> ProfileInput {
        let mut languages: Vec<String> = self
            .languages
            .iter()
            .filter(|l| COMMON_LANGUAGES.contains(&l.as_str()))
            .cloned()
            .collect();
        languages.extend(
            self.other_languages
                .split([',', ';', ' '])
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_string),
        );
        ProfileInput {
            presentation: self.presentation.clone(),
            diplomas: self.diplomas.clone(),
            competencies: self.competencies.clone(),
            contact: self.contact.clone(),
            languages,
            shared_phone: Some(self.shared_phone.clone()),
            restrict_external: self.restrict_external,
        }
    }
}

/// A refusal shown in one section of the page, with what was typed.
#[derive(Default)]
struct Extra {
    error: Option<(&'static str, AppError)>,
    draft: Option<Draft>,
    /// The profession chosen in the "add" form.
    adding: Option<String>,
}

impl Extra {
    fn notice(&self, page: &Page, section: &str) -> Markup {
        match &self.error {
            Some((s, e)) if *s == section => error_notice(page.lang, e),
            _ => html! {},
        }
    }
    fn status(&self) -> StatusCode {
        match &self.error {
            Some((_, e)) => crate::error::status_of(e),
            None => StatusCode::OK,
        }
    }
}

/// The label of a profession's state.
pub(super) fn status_badge(page: &Page, status: Status) -> Markup {
    html! {
        span class=(format!("badge netp-status netp-status-{}", status.as_str())) data-testid="netp-status" data-status=(status.as_str()) {
            (page.t(&format!("netp-status-{}", status.as_str())))
        }
    }
}

/// How a validated profession was validated.
fn validated_via(page: &Page, via: Option<&str>) -> String {
    match via {
        Some("vouch") => page.t("netp-via-vouch"),
        Some("organization") => page.t("netp-via-organization"),
        _ => page.t("netp-via-verification-team"),
    }
}

fn textarea(page: &Page, name: &str, label: &str, hint: Option<&str>, value: &str, max: usize, rows: u8) -> Markup {
    let id = format!("netp-{name}");
    html! {
        div class="field" {
            label for=(id) { (page.t(label)) }
            @if let Some(h) = hint { p class="hint netp-hint" id=(format!("{id}-hint")) { (page.t(h)) } }
            textarea id=(id) name=(name) rows=(rows) maxlength=(max) aria-describedby=[hint.map(|_| format!("{id}-hint"))] { (value) }
        }
    }
}

fn photo_section(page: &Page, p: &ProfileView) -> Markup {
    photo_editor(
        page,
        &p.name,
        p.photo_version,
        "/network/profile/photo/remove",
        "/network/profile?sent=photo#photo",
    )
}

/// One's photo with the cropper: also the patients' and caregivers' own
/// page (`/care/photo`), who have no network profile. `remove_at` is the
/// removal form's action, `done` where to go once a new photo is saved.
pub(crate) fn photo_editor(page: &Page, name: &str, photo_version: Option<i64>, remove_at: &str, done: &str) -> Markup {
    html! {
        section class="card" id="photo" data-photo data-photo-done=(done)
            data-msg-too-large=(page.t("error-photo-too-large"))
            data-msg-not-image=(page.t("error-photo-not-an-image"))
            data-msg-failed=(page.t("netp-upload-failed"))
            data-msg-sending=(page.t("netp-photo-sending")) {
            h2 { (page.t("netp-photo-title")) }
            div class="netp-photo-row" {
                div class="netp-avatar" data-testid="netp-avatar" {
                    @if let Some(v) = photo_version {
                        img src=(format!("/network/profile/photo?v={v}")) alt=(page.ta("netp-photo-alt", &[("name", name)])) width="96" height="96" data-testid="netp-photo";
                    } @else {
                        span class="netp-initials" aria-hidden="true" { (initials(name)) }
                    }
                }
                div class="netp-photo-actions" {
                    p class="hint netp-hint" { (page.t("netp-photo-hint")) }
                    div class="row" {
                        label class="button secondary netp-file" for="netp-photo-file" {
                            (page.t(if photo_version.is_some() { "netp-photo-change" } else { "netp-photo-choose" }))
                            input type="file" id="netp-photo-file" class="visually-hidden" accept="image/jpeg,image/png,image/webp";
                        }
                        @if photo_version.is_some() {
                            form method="post" action=(remove_at) {
                                (page.csrf_field())
                                button type="submit" class="secondary netp-danger-outline" data-confirm=(page.t("netp-photo-remove-confirm")) { (page.t("netp-photo-remove")) }
                            }
                        }
                    }
                }
            }
            div class="netp-cropper" data-photo-cropper hidden {
                p class="hint netp-hint" id="netp-crop-hint" { (page.t("netp-photo-crop-hint")) }
                canvas class="netp-canvas" width="576" height="576" tabindex="0" role="img"
                    aria-label=(page.t("netp-photo-frame-label")) aria-describedby="netp-crop-hint" {}
                div class="field netp-zoom" {
                    label for="netp-zoom" { (page.t("netp-photo-zoom")) }
                    input type="range" id="netp-zoom" min="1" max="4" step="0.01" value="1";
                }
                div class="row" {
                    button type="button" class="primary netp-inline" data-photo-save { (page.t("netp-photo-save")) }
                    button type="button" class="secondary" data-photo-cancel { (page.t("action-cancel")) }
                }
            }
            progress class="netp-progress" max="100" value="0" hidden {}
            p class="netp-status-line" role="status" aria-live="polite" data-photo-status {}
        }
    }
}

fn about_section(page: &Page, d: &Draft, extra: &Extra) -> Markup {
    html! {
        section class="card" id="about" {
            h2 { (page.t("netp-about-title")) }
            (extra.notice(page, "about"))
            form method="post" action="/network/profile" novalidate {
                (page.csrf_field())
                (textarea(page, "presentation", "netp-field-presentation", Some("netp-hint-presentation"), &d.presentation, profile::MAX_PRESENTATION, 5))
                (textarea(page, "diplomas", "netp-field-diplomas", None, &d.diplomas, profile::MAX_FIELD, 3))
                (textarea(page, "competencies", "netp-field-competencies", None, &d.competencies, profile::MAX_FIELD, 3))
                (textarea(page, "contact", "netp-field-contact", Some("netp-hint-contact"), &d.contact, profile::MAX_FIELD, 3))
                fieldset class="checks" {
                    legend { (page.t("netp-field-languages")) }
                    @for code in COMMON_LANGUAGES {
                        label {
                            input type="checkbox" name="languages" value=(code) checked[d.languages.iter().any(|l| l == code)];
                            span lang=(code) { (page.t(&format!("language-{code}"))) }
                        }
                    }
                }
                div class="field" {
                    label for="netp-other-languages" { (page.t("netp-field-other-languages")) }
                    p class="hint netp-hint" id="netp-other-languages-hint" { (page.t("netp-hint-other-languages")) }
                    input id="netp-other-languages" name="other_languages" type="text" value=(d.other_languages) maxlength="60" autocomplete="off" spellcheck="false" aria-describedby="netp-other-languages-hint";
                }
                div class="field" {
                    label for="netp-shared-phone" { (page.t("netp-field-shared-phone")) }
                    p class="hint netp-hint" id="netp-shared-phone-hint" { (page.t("netp-hint-shared-phone")) }
                    input id="netp-shared-phone" name="shared_phone" type="tel" value=(d.shared_phone) maxlength="32" autocomplete="tel" aria-describedby="netp-shared-phone-hint";
                }
                div class="netp-check" {
                    input type="checkbox" id="netp-restrict" name="restrict_external" value="on" checked[d.restrict_external] aria-describedby="netp-restrict-hint";
                    div {
                        label for="netp-restrict" { (page.t("netp-field-restrict")) }
                        p class="hint netp-hint" id="netp-restrict-hint" { (page.t("netp-hint-restrict")) }
                    }
                }
                div class="actions-row" {
                    button type="submit" class="primary netp-inline" { (page.t("netp-save")) }
                }
            }
        }
    }
}

fn profession_item(page: &Page, p: &ProfessionView) -> Markup {
    let needs_proof = matches!(p.status, Status::Unverified | Status::Rejected);
    html! {
        li data-profession=(p.key) data-id=(p.id) {
            div class="item-main" {
                div class="netp-prof-head" {
                    strong { (p.name) }
                    " " (status_badge(page, p.status))
                }
                @match p.status {
                    Status::Validated => p class="muted small" { (validated_via(page, p.validated_via.as_deref())) },
                    Status::Pending => p class="muted small" {
                        (page.ta("netp-pending-detail", &[("permit", p.permit_number.as_deref().unwrap_or("—"))]))
                    },
                    Status::Rejected => div class="notice error netp-reason" {
                        strong { (page.t("netp-rejected-reason")) } " "
                        span data-testid="netp-reason" { (p.reason.as_deref().unwrap_or("")) }
                        br;
                        span class="small" { (page.t("netp-rejected-again")) }
                    },
                    Status::Unverified => p class="muted small" { (page.t("netp-unverified-detail")) },
                }
                @if needs_proof {
                    form class="netp-proof" data-proof=(p.id) novalidate
                        data-msg-no-file=(page.t("netp-proof-no-file"))
                        data-msg-too-large=(page.t("error-document-too-large"))
                        data-msg-failed=(page.t("netp-upload-failed"))
                        data-msg-sending=(page.t("netp-proof-sending")) {
                        div class="field" {
                            label for=(format!("netp-permit-{}", p.id)) { (page.t("netp-field-permit")) }
                            input id=(format!("netp-permit-{}", p.id)) name="permit_number" type="text" value=(p.permit_number.as_deref().unwrap_or("")) maxlength="30" autocomplete="off" spellcheck="false" required;
                        }
                        div class="field" {
                            label for=(format!("netp-doc-{}", p.id)) { (page.t("netp-field-document")) }
                            input id=(format!("netp-doc-{}", p.id)) name="document" type="file" accept="application/pdf,image/jpeg,image/png,.pdf,.jpg,.jpeg,.png" required aria-describedby=(format!("netp-doc-{}-hint", p.id));
                            p class="hint netp-hint netp-after" id=(format!("netp-doc-{}-hint", p.id)) { (page.t("netp-hint-document")) }
                        }
                        progress class="netp-progress" max="100" value="0" hidden {}
                        p class="netp-status-line" role="status" aria-live="polite" data-proof-status {}
                        button type="submit" class="primary netp-inline" { (page.t("netp-proof-send")) }
                    }
                }
            }
            form method="post" action=(format!("/network/profile/professions/{}/remove", p.id)) {
                (page.csrf_field())
                button type="submit" class="linklike danger-link" data-confirm=(page.ta("netp-profession-remove-confirm", &[("profession", &p.name)])) aria-label=(page.ta("netp-profession-remove-label", &[("profession", &p.name)])) { (page.t("netp-profession-remove")) }
            }
        }
    }
}

fn professions_section(page: &Page, p: &ProfileView, extra: &Extra) -> Markup {
    let declared: Vec<&str> = p.professions.iter().map(|x| x.key.as_str()).collect();
    let available: Vec<(&str, &str)> = professions::catalogue(page.lang)
        .into_iter()
        .filter(|(k, _)| !declared.contains(k))
        .collect();
    let chosen = extra.adding.as_deref().unwrap_or("");
    html! {
        section class="card" id="professions" {
            h2 { (page.t("netp-professions-title")) }
            p class="hint netp-hint" { (page.t("netp-professions-hint")) }
            (extra.notice(page, "professions"))
            @if p.professions.is_empty() {
                p class="muted" data-testid="netp-no-profession" { (page.t("netp-professions-empty")) }
            } @else {
                ul class="items netp-professions" {
                    @for prof in &p.professions { (profession_item(page, prof)) }
                }
            }
            @if p.professions.len() < MAX_PROFESSIONS && !available.is_empty() {
                form method="post" action="/network/profile/professions" class="inline-form netp-add" {
                    (page.csrf_field())
                    div class="field" {
                        label for="netp-add-profession" { (page.t("netp-profession-add-label")) }
                        select id="netp-add-profession" name="profession" required {
                            option value="" { (page.t("netp-profession-choose")) }
                            @for (key, name) in &available {
                                option value=(key) selected[*key == chosen] { (name) }
                            }
                        }
                    }
                    button type="submit" class="secondary" { (page.t("netp-profession-add")) }
                }
            }
        }
    }
}

async fn render(
    state: &WebState,
    page: &Page,
    view: &SessionView,
    principal: &Principal,
    notice: Option<&str>,
    extra: Extra,
) -> Response {
    let p = match profile::mine(&state.ctx, principal, page.lang).await {
        Ok(p) => p,
        Err(e) => return failure(state, page, view, &e).await,
    };
    let draft = match &extra.draft {
        Some(_) => None,
        None => Some(Draft::of(&p)),
    };
    let d = extra.draft.as_ref().or(draft.as_ref());
    // The verification team (and network administrators) find their queue here.
    let waiting = if may(principal, &NetworkPermission::VerifyProfessions) {
        professions::queue(&state.ctx, principal, page.lang)
            .await
            .ok()
            .map(|q| q.len())
    } else {
        None
    };
    let content = html! {
        @if let Some(id) = notice { p class="notice ok" role="status" { (page.t(id)) } }
        div class="netp-head" {
            h1 { (page.t("netp-profile-title")) }
            a class="button secondary small" href=(format!("/network/people/{}", p.id)) data-testid="netp-public-link" { (page.t("netp-profile-public")) }
        }
        p class="lead" { (page.t("netp-profile-intro")) }
        (photo_section(page, &p))
        (professions_section(page, &p, &extra))
        @if let Some(d) = d { (about_section(page, d, &extra)) }
        @if let Some(waiting) = waiting {
            section class="card subtle" {
                (crate::ui::page::icon("shield"))
                div {
                    p { strong { (page.t("netp-verify-card-title")) } }
                    p class="muted" {
                        (page.t(if waiting > 0 { "netp-verify-card" } else { "netp-verify-empty" }))
                        " " a href="/network/verification" { (page.t("netp-verify-card-link")) }
                    }
                }
            }
        }
        section class="card subtle" {
            (crate::ui::page::icon("network"))
            div {
                p { strong { (page.t("netp-invite-card-title")) } }
                p class="muted" { (page.t("netp-invite-card")) " " a href="/network/invite" { (page.t("netp-invite-card-link")) } }
            }
        }
    };
    let resp = app_layout(state, page, view, &page.t("netp-profile-title"), content).await;
    (extra.status(), resp).into_response()
}

/// A refusal outside any form, inside the app's frame.
pub(super) async fn failure(state: &WebState, page: &Page, view: &SessionView, e: &AppError) -> Response {
    let content = html! {
        (error_notice(page.lang, e))
        p { a href="/" { (page.t("error-go-home")) } }
    };
    let resp = app_layout(state, page, view, &page.t("error-title"), content).await;
    (crate::error::status_of(e), resp).into_response()
}

#[derive(Deserialize, Default)]
pub struct ShowQuery {
    /// What the script just sent (`photo`, `proof`), to confirm it.
    sent: Option<String>,
}

async fn show(
    State(state): State<WebState>,
    page: Page,
    Ready { view, principal }: Ready,
    Query(q): Query<ShowQuery>,
) -> Response {
    let notice = match q.sent.as_deref() {
        Some("photo") => Some("netp-photo-saved"),
        Some("proof") => Some("netp-proof-sent"),
        _ => None,
    };
    render(&state, &page, &view, &principal, notice, Extra::default()).await
}

async fn save(
    State(state): State<WebState>,
    page: Page,
    Ready { view, principal }: Ready,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    let draft = Draft::posted(&Fields(f));
    match profile::update(&state.ctx, &page.client, &principal, &draft.input(), page.lang).await {
        Ok(_) => redirect_with_flash(&state, "/network/profile", "netp-profile-saved"),
        Err(e) => {
            let extra = Extra {
                error: Some(("about", e)),
                draft: Some(draft),
                adding: None,
            };
            render(&state, &page, &view, &principal, None, extra).await
        }
    }
}

/// One's own photo, for the `<img>` of this page (the URL carries its version).
async fn my_photo(State(state): State<WebState>, page: Page, Ready { view, principal }: Ready) -> Response {
    let photo = match view.user_id() {
        Ok(me) => profile::photo_of(&state.ctx, &principal, me).await,
        Err(e) => Err(e),
    };
    match photo {
        Ok(jpeg) => (
            [
                (header::CONTENT_TYPE, "image/jpeg"),
                (header::CACHE_CONTROL, "private, max-age=3600"),
            ],
            jpeg,
        )
            .into_response(),
        Err(e) => crate::error_page::failure_page(page.lang, &e),
    }
}

async fn remove_photo(State(state): State<WebState>, page: Page, Ready { view, principal }: Ready) -> Response {
    match profile::remove_photo(&state.ctx, &page.client, &principal).await {
        Ok(()) => redirect_with_flash(&state, "/network/profile", "netp-photo-removed"),
        Err(e) => failure(&state, &page, &view, &e).await,
    }
}

#[derive(Deserialize)]
pub struct AddForm {
    #[serde(default)]
    profession: String,
}

async fn add_profession(
    State(state): State<WebState>,
    page: Page,
    Ready { view, principal }: Ready,
    Form(f): Form<AddForm>,
) -> Response {
    match professions::add(&state.ctx, &page.client, &principal, &f.profession, page.lang).await {
        Ok(_) => redirect_with_flash(&state, "/network/profile#professions", "netp-profession-added"),
        Err(e) => {
            let extra = Extra {
                error: Some(("professions", e)),
                draft: None,
                adding: Some(f.profession),
            };
            render(&state, &page, &view, &principal, None, extra).await
        }
    }
}

async fn remove_profession(
    State(state): State<WebState>,
    page: Page,
    Ready { view, principal }: Ready,
    Path(id): Path<String>,
) -> Response {
    let done = match id.parse() {
        Ok(id) => professions::remove(&state.ctx, &page.client, &principal, id).await,
        Err(e) => Err(e.into()),
    };
    match done {
        Ok(()) => redirect_with_flash(&state, "/network/profile#professions", "netp-profession-removed"),
        Err(e) => {
            let extra = Extra {
                error: Some(("professions", e)),
                ..Extra::default()
            };
            render(&state, &page, &view, &principal, None, extra).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_are_the_checked_ones_then_the_typed_codes() {
        let f = Fields(vec![
            ("languages".into(), "fr".into()),
            ("languages".into(), "xx-not-offered".into()),
            ("other_languages".into(), "es, de;it".into()),
            ("restrict_external".into(), "on".into()),
        ]);
        let d = Draft::posted(&f);
        let input = d.input();
        assert_eq!(input.languages, vec!["fr", "es", "de", "it"]);
        assert!(input.restrict_external);
    }
}
