//! Patient files pages (SPEC 4): the lists ("with active threads", "where I
//! participate") and the search within one's units, a new file, and a
//! file's page (identity, consents, its discussions one takes part in,
//! change, archive and restore, links to its circle and care channels).
//! Every page calls `cercle_app::patients::files`, which audits each read.

use crate::error_page::failure_page;
use crate::guard::RouteList;
use crate::ui::page::{app_layout, error_notice, icon, redirect_with_flash, Page, Ready};
use crate::WebState;
use axum::extract::{Form, Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use cercle_app::accounts::SessionView;
use cercle_app::idempotency::{self, Answer};
use cercle_app::orgs::OrgScope;
use cercle_app::patients::files::{self, ConsentsInput, FileInput, ListQuery, PatientFile, UnitChoice};
use cercle_app::AppError;
use cercle_domain::patient::display_hin;
use cercle_domain::policy::Principal;
use cercle_domain::PatientFileId;
use maud::{html, Markup};
use serde::Deserialize;

/// Professionals only (see `crate::guard`).
pub fn routes() -> RouteList {
    RouteList::new()
        .route("/patients", get(list).post(create))
        .route("/patients/new", get(new_form))
        .route("/patients/{id}", get(show))
        .route("/patients/{id}/edit", post(edit))
        .route("/patients/{id}/archive", post(archive))
        .route("/patients/{id}/restore", post(restore))
}

fn href(id: &str) -> String {
    format!("/patients/{id}")
}

// ---------- the lists ----------

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ListParams {
    #[serde(default)]
    view: String,
    #[serde(default)]
    q: String,
    #[serde(default)]
    archived: String,
}

impl ListParams {
    fn archived(&self) -> bool {
        matches!(self.archived.as_str(), "true" | "1" | "on")
    }

    fn tab(&self) -> &str {
        match self.view.as_str() {
            "participating" => "participating",
            _ => "active",
        }
    }

    fn tab_href(&self, tab: &str) -> String {
        let mut pairs = vec![("view", tab.to_string())];
        if self.archived() {
            pairs.push(("archived", "true".into()));
        }
        format!("/patients?{}", serde_urlencoded::to_string(&pairs).unwrap_or_default())
    }
}

fn file_item(page: &Page, f: &PatientFile) -> Markup {
    html! {
        li class=(if f.archived { "pf-item pf-archived" } else { "pf-item" }) data-id=(f.id) {
            span class="pf-avatar" aria-hidden="true" { (icon("patients")) }
            div class="pf-item-main" {
                a class="pf-name" href=(href(&f.id)) { (f.last_name) ", " (f.first_name) }
                div class="muted small pf-meta" {
                    @if let Some(d) = &f.birth_date { span { (page.ta("pf-born", &[("date", &page.civil_date(d))])) } }
                    @if let Some(h) = &f.health_insurance_number { span class="mono" { (display_hin(h)) } }
                    @if let Some(n) = &f.file_number { span { (page.t("pf-file-number-short")) " " (n) } }
                }
            }
            @if f.archived { span class="badge muted-badge" { (page.t("pf-archived")) } }
        }
    }
}

async fn list(
    State(state): State<WebState>,
    page: Page,
    Ready { view, principal }: Ready,
    Query(p): Query<ListParams>,
) -> Response {
    let scope = match OrgScope::of(&state.ctx, &principal).await {
        Ok(s) => s,
        Err(e) => return failure_page(page.lang, &e),
    };
    let q = p.q.trim().to_string();
    let searching = !q.is_empty();
    let query = ListQuery {
        view: Some(if searching { "all".into() } else { p.tab().into() }),
        q: searching.then(|| q.clone()),
        archived: p.archived().then(|| "true".into()),
    };
    let found = files::list(&state.ctx, &page.client, &scope, &query).await;
    let current = |t: &str| (!searching && p.tab() == t).then_some("page");
    let title = page.t("pf-title");
    let content = html! {
        div class="pf-head" {
            h1 { (title) }
            a class="button primary pf-new" href="/patients/new" data-testid="new-patient" { (page.t("pf-new")) }
        }
        nav class="subnav pf-tabs" aria-label=(page.t("pf-tabs-label")) {
            a href=(p.tab_href("active")) aria-current=[current("active")] data-testid="tab-active" { (page.t("pf-tab-active")) }
            a href=(p.tab_href("participating")) aria-current=[current("participating")] data-testid="tab-participating" { (page.t("pf-tab-participating")) }
        }
        form class="card pf-search" method="get" action="/patients" role="search" {
            input type="hidden" name="view" value=(p.tab());
            label for="pf-q" { (page.t("pf-search-label")) }
            div class="net-search-row" {
                input id="pf-q" type="search" name="q" value=(q) maxlength="100" autocomplete="off" spellcheck="false" placeholder=(page.t("pf-search-placeholder"));
                button type="submit" class="secondary" { (page.t("pf-search-submit")) }
            }
            p class="hint pf-search-hint" { (page.t("pf-search-hint")) }
            label class="pf-check" {
                input type="checkbox" name="archived" value="true" checked[p.archived()] data-pf-autosubmit;
                " " (page.t("pf-show-archived"))
            }
        }
        section class="card" aria-labelledby="pf-results" {
            h2 id="pf-results" {
                @if searching { (page.ta("pf-search-results", &[("q", &q)])) }
                @else if p.tab() == "participating" { (page.t("pf-tab-participating")) }
                @else { (page.t("pf-tab-active")) }
            }
            @match &found {
                Err(e) => { (error_notice(page.lang, e)) }
                Ok(list) if list.is_empty() => {
                    div class="empty pf-empty" data-testid="patients-empty" {
                        (icon("patients"))
                        p { strong {
                            @if searching { (page.t("pf-none-search")) }
                            @else if p.tab() == "participating" { (page.t("pf-none-participating")) }
                            @else { (page.t("pf-none-active")) }
                        } }
                        p { a class="button secondary" href="/patients/new" { (page.t("pf-new")) } }
                    }
                }
                Ok(list) => {
                    ul class="pf-list" data-testid="patients" {
                        @for f in list { (file_item(&page, f)) }
                    }
                    @if list.len() as i64 >= files::LIST_LIMIT {
                        p class="hint pf-after" { (page.t("pf-refine")) }
                    }
                }
            }
        }
    };
    app_layout(&state, &page, &view, &title, content).await
}

// ---------- the form (new and change) ----------

/// The form as typed (kept when refused).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct FileForm {
    #[serde(default)]
    first_name: String,
    #[serde(default)]
    last_name: String,
    #[serde(default)]
    birth_date: String,
    #[serde(default)]
    health_insurance_number: String,
    #[serde(default)]
    file_number: String,
    #[serde(default)]
    unit_id: String,
    consent_care_team: Option<String>,
    consent_caregivers: Option<String>,
    consent_electronic: Option<String>,
}

impl FileForm {
    /// The form from its posted fields (a checkbox is there when ticked).
    fn from_fields(fields: &[(String, String)]) -> FileForm {
        let get = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
        FileForm {
            first_name: get("first_name").unwrap_or_default(),
            last_name: get("last_name").unwrap_or_default(),
            birth_date: get("birth_date").unwrap_or_default(),
            health_insurance_number: get("health_insurance_number").unwrap_or_default(),
            file_number: get("file_number").unwrap_or_default(),
            unit_id: get("unit_id").unwrap_or_default(),
            consent_care_team: get("consent_care_team"),
            consent_caregivers: get("consent_caregivers"),
            consent_electronic: get("consent_electronic"),
        }
    }

    fn of(f: &PatientFile) -> FileForm {
        let on = |b: bool| b.then(|| "on".to_string());
        FileForm {
            first_name: f.first_name.clone(),
            last_name: f.last_name.clone(),
            birth_date: f.birth_date.clone().unwrap_or_default(),
            health_insurance_number: f
                .health_insurance_number
                .as_deref()
                .map(display_hin)
                .unwrap_or_default(),
            file_number: f.file_number.clone().unwrap_or_default(),
            unit_id: f.unit_id.clone(),
            consent_care_team: on(f.consents.care_team),
            consent_caregivers: on(f.consents.caregivers),
            consent_electronic: on(f.consents.electronic),
        }
    }

    fn input(&self) -> FileInput {
        FileInput {
            first_name: Some(self.first_name.clone()),
            last_name: Some(self.last_name.clone()),
            birth_date: Some(self.birth_date.clone()),
            health_insurance_number: Some(self.health_insurance_number.clone()),
            file_number: Some(self.file_number.clone()),
            unit_id: Some(self.unit_id.clone()).filter(|u| !u.trim().is_empty()),
            consents: Some(ConsentsInput {
                care_team: Some(self.consent_care_team.is_some()),
                caregivers: Some(self.consent_caregivers.is_some()),
                electronic: Some(self.consent_electronic.is_some()),
            }),
        }
    }
}

fn unit_label(u: &UnitChoice) -> String {
    format!("{}{}", "\u{a0}\u{a0}".repeat(u.depth), u.name)
}

/// The identity and consent fields; `prefix` keeps ids unique on a page.
fn file_fields(page: &Page, f: &FileForm, units: &[UnitChoice], prefix: &str) -> Markup {
    let id = |name: &str| format!("{prefix}-{name}");
    html! {
        div class="field" {
            label for=(id("first")) { (page.t("pf-first-name")) }
            input id=(id("first")) name="first_name" type="text" value=(f.first_name) required maxlength="100" autocomplete="off";
        }
        div class="field" {
            label for=(id("last")) { (page.t("pf-last-name")) }
            input id=(id("last")) name="last_name" type="text" value=(f.last_name) required maxlength="100" autocomplete="off";
        }
        div class="field" {
            label for=(id("birth")) { (page.t("pf-birth-date")) }
            input id=(id("birth")) name="birth_date" type="date" value=(f.birth_date) required min="1880-01-01";
        }
        div class="field" {
            label for=(id("hin")) { (page.t("pf-hin")) " " span class="muted small" { (page.t("pf-optional")) } }
            input id=(id("hin")) class="mono" name="health_insurance_number" type="text" value=(f.health_insurance_number) maxlength="20" autocomplete="off" spellcheck="false" placeholder="ABCD 1234 5678" aria-describedby=(id("hin-hint"));
            span class="hint pf-field-hint" id=(id("hin-hint")) { (page.t("pf-hin-hint")) }
        }
        div class="field" {
            label for=(id("number")) { (page.t("pf-file-number")) " " span class="muted small" { (page.t("pf-optional")) } }
            input id=(id("number")) name="file_number" type="text" value=(f.file_number) maxlength="40" autocomplete="off" spellcheck="false" aria-describedby=(id("number-hint"));
            span class="hint pf-field-hint" id=(id("number-hint")) { (page.t("pf-file-number-hint")) }
        }
        @if units.len() > 1 {
            div class="field" {
                label for=(id("unit")) { (page.t("pf-unit")) }
                select id=(id("unit")) name="unit_id" {
                    @for u in units {
                        option value=(u.id) selected[f.unit_id == u.id] { (unit_label(u)) }
                    }
                }
            }
        }
        fieldset class="checks pf-consents" {
            legend { (page.t("pf-consents")) }
            label { input type="checkbox" name="consent_care_team" checked[f.consent_care_team.is_some()]; (page.t("pf-consent-care-team")) }
            label { input type="checkbox" name="consent_caregivers" checked[f.consent_caregivers.is_some()]; (page.t("pf-consent-caregivers")) }
            label { input type="checkbox" name="consent_electronic" checked[f.consent_electronic.is_some()]; (page.t("pf-consent-electronic")) }
        }
    }
}

async fn render_new(
    state: &WebState,
    page: &Page,
    view: &SessionView,
    principal: &Principal,
    form: &FileForm,
    error: Option<AppError>,
) -> Response {
    let scope = match OrgScope::of(&state.ctx, principal).await {
        Ok(s) => s,
        Err(e) => return failure_page(page.lang, &e),
    };
    let units = files::units(&state.ctx, &scope).await.unwrap_or_default();
    // Preselected: the unit where one manages circles, so that one can
    // invite the patient and caregivers once the file is open.
    let default_unit = files::default_unit_id(&state.ctx, &scope).await.ok();
    let mut form = form.clone();
    if form.unit_id.trim().is_empty() {
        form.unit_id = default_unit.clone().unwrap_or_default();
    }
    let moved = units.len() > 1
        && default_unit
            .as_deref()
            .is_some_and(|u| u != scope.root_unit_id.to_string());
    let title = page.t("pf-new-title");
    let content = html! {
        p class="pf-back" { a href="/patients" { "← " (page.t("pf-back")) } }
        h1 { (title) }
        p class="lead" { (page.ta("pf-new-lead", &[("org", &scope.org_name)])) }
        section class="card" {
            @if let Some(e) = &error { (error_notice(page.lang, e)) }
            form method="post" action="/patients" class="grid-form pf-form" novalidate data-testid="new-patient-form" {
                (page.csrf_field())
                (page.idempotency_field())
                (file_fields(page, &form, &units, "pf-new"))
                @if moved { p class="hint" data-testid="pf-unit-default-hint" { (page.t("pf-unit-default-hint")) } }
                div class="actions-row" { button type="submit" class="primary" { (page.t("pf-create-submit")) } }
            }
        }
    };
    app_layout(state, page, view, &title, content).await
}

async fn new_form(State(state): State<WebState>, page: Page, Ready { view, principal }: Ready) -> Response {
    render_new(&state, &page, &view, &principal, &FileForm::default(), None).await
}

async fn create(
    State(state): State<WebState>,
    page: Page,
    Ready { view, principal }: Ready,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let f = FileForm::from_fields(&fields);
    let made = match (
        OrgScope::of(&state.ctx, &principal).await,
        crate::ui::page::form_idempotency("/patients", &fields),
    ) {
        (Ok(scope), Ok((key, hash))) => {
            let (ctx, s, input) = (&state.ctx, &scope, f.input());
            // Posted twice (a double click, a retry), the file is opened once.
            idempotency::run(
                ctx,
                &page.client,
                scope.user_id,
                key.as_ref(),
                &hash,
                |client| async move {
                    let p = files::create(ctx, &client, s, &input).await?;
                    Ok(Answer::created(serde_json::json!({ "id": p.id })))
                },
            )
            .await
        }
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    match made {
        Ok(answer) => redirect_with_flash(&state, &href(answer.body["id"].as_str().unwrap_or("")), "pf-created"),
        Err(e) => render_new(&state, &page, &view, &principal, &f, Some(e)).await,
    }
}

// ---------- one file ----------

fn consent_row(page: &Page, label: &str, given: bool) -> Markup {
    html! {
        li class=(if given { "pf-consent pf-given" } else { "pf-consent" }) {
            span class="pf-mark" aria-hidden="true" { (if given { "✓" } else { "–" }) }
            span { (page.t(label)) } " "
            span class="visually-hidden" { "(" (page.t(if given { "pf-consent-given" } else { "pf-consent-not-given" })) ")" }
            span class="muted small pf-consent-state" aria-hidden="true" { (page.t(if given { "pf-consent-given" } else { "pf-consent-not-given" })) }
        }
    }
}

async fn render_show(
    state: &WebState,
    page: &Page,
    view: &SessionView,
    principal: &Principal,
    id: &str,
    edit: Option<(&FileForm, AppError)>,
    error: Option<AppError>,
) -> Response {
    let scope = match OrgScope::of(&state.ctx, principal).await {
        Ok(s) => s,
        Err(e) => return failure_page(page.lang, &e),
    };
    let fid: PatientFileId = match id.parse() {
        Ok(fid) => fid,
        Err(e) => return failure_page(page.lang, &AppError::from(e)),
    };
    let f = match files::show(&state.ctx, &page.client, &scope, fid).await {
        Ok(f) => f,
        Err(e) => return failure_page(page.lang, &e),
    };
    let threads = files::threads(&state.ctx, &scope, fid, page.lang)
        .await
        .unwrap_or_default();
    let units = files::units(&state.ctx, &scope).await.unwrap_or_default();
    let unit_name = units
        .iter()
        .find(|u| u.id == f.unit_id)
        .map(|u| u.name.clone())
        .unwrap_or_default();
    let here = href(&f.id);
    let not_given = page.t("pf-not-given");
    let form = match &edit {
        Some((form, _)) => (*form).clone(),
        None => FileForm::of(&f),
    };
    let content = html! {
        p class="pf-back" { a href="/patients" { "← " (page.t("pf-back")) } }
        @if let Some(e) = &error { (error_notice(page.lang, e)) }
        section class="card pf-file" {
            div class="pf-file-head" {
                span class="pf-avatar pf-big" aria-hidden="true" { (icon("patients")) }
                div class="pf-file-title" {
                    h1 data-testid="patient-name" { (f.first_name) " " (f.last_name) }
                    p class="muted pf-tight" {
                        @if let Some(d) = &f.birth_date { (page.ta("pf-born", &[("date", &page.civil_date(d))])) }
                        @if !unit_name.is_empty() { " · " (unit_name) }
                    }
                    @if f.archived { span class="badge muted-badge" data-testid="patient-archived" { (page.t("pf-archived")) } }
                }
            }
            @if f.archived { p class="notice pf-archived-notice" role="status" { (page.t("pf-archived-notice")) } }
            div class="pf-columns" {
                div {
                    h2 { (page.t("pf-identity")) }
                    dl class="pf-identity" {
                        dt { (page.t("pf-last-name")) } dd { (f.last_name) }
                        dt { (page.t("pf-first-name")) } dd { (f.first_name) }
                        dt { (page.t("pf-birth-date")) } dd { (f.birth_date.as_deref().map(|d| page.civil_date(d)).unwrap_or_else(|| not_given.clone())) }
                        dt { (page.t("pf-hin")) }
                        dd class="mono" data-testid="patient-hin" { (f.health_insurance_number.as_deref().map(display_hin).unwrap_or_else(|| not_given.clone())) }
                        dt { (page.t("pf-file-number")) } dd { (f.file_number.clone().unwrap_or_else(|| not_given.clone())) }
                        @if !unit_name.is_empty() { dt { (page.t("pf-unit")) } dd { (unit_name) } }
                    }
                }
                div {
                    h2 { (page.t("pf-consents")) }
                    ul class="pf-consent-list" data-testid="patient-consents" {
                        (consent_row(page, "pf-consent-care-team", f.consents.care_team))
                        (consent_row(page, "pf-consent-caregivers", f.consents.caregivers))
                        (consent_row(page, "pf-consent-electronic", f.consents.electronic))
                    }
                }
            }
            nav class="row pf-actions" aria-label=(page.t("pf-actions")) {
                a class="button secondary" href=(format!("{here}/circle")) data-testid="patient-circle" { (page.t("pf-circle")) }
                a class="button secondary" href=(format!("{here}/channels")) data-testid="patient-channels" { (page.t("pf-channels")) }
                @if f.may_edit {
                    @if f.archived {
                        form method="post" action=(format!("{here}/restore")) {
                            (page.csrf_field())
                            button type="submit" class="secondary" data-testid="patient-restore" { (page.t("pf-restore")) }
                        }
                    } @else {
                        form method="post" action=(format!("{here}/archive")) {
                            (page.csrf_field())
                            button type="submit" class="secondary pf-danger" data-testid="patient-archive" data-confirm=(page.t("pf-archive-confirm")) { (page.t("pf-archive")) }
                        }
                    }
                }
            }
        }
        @if f.may_edit && !f.archived {
            details class="card pf-edit" id="edit" open[edit.is_some()] {
                summary { (page.t("pf-edit")) }
                @if let Some((_, e)) = &edit { (error_notice(page.lang, e)) }
                form method="post" action=(format!("{here}/edit")) class="grid-form pf-form" novalidate data-testid="edit-patient-form" {
                    (page.csrf_field())
                    (file_fields(page, &form, &units, "pf-edit"))
                    div class="actions-row" { button type="submit" class="primary" { (page.t("pf-save")) } }
                }
            }
        } @else if !f.may_edit {
            p class="hint pf-readonly" { (page.t("pf-read-only")) }
        }
        section class="card" aria-labelledby="pf-threads" {
            div class="pf-section-head" {
                h2 id="pf-threads" { (page.t("pf-threads")) }
                @if !f.archived { a class="button secondary small" href="/threads/new" { (page.t("pf-new-thread")) } }
            }
            p class="hint" { (page.t("pf-threads-hint")) }
            @if threads.is_empty() {
                p class="muted" data-testid="patient-threads-none" { (page.t("pf-threads-none")) }
            } @else {
                ul class="pf-threads" data-testid="patient-threads" {
                    @for t in &threads {
                        li {
                            a href=(format!("/threads/{}", t.id)) { (t.title) }
                            " "
                            @if t.high_priority { span class="badge pf-priority" { (page.t("pf-priority")) } " " }
                            @if t.closed_at.is_some() { span class="badge muted-badge" { (page.t("pf-closed")) } " " }
                            span class="muted small" { "· " time { (page.date_time(t.last_activity_at)) } }
                        }
                    }
                }
            }
        }
    };
    let title = format!("{} {}", f.first_name, f.last_name);
    app_layout(state, page, view, &title, content).await
}

async fn show(
    State(state): State<WebState>,
    page: Page,
    Ready { view, principal }: Ready,
    Path(id): Path<String>,
) -> Response {
    render_show(&state, &page, &view, &principal, &id, None, None).await
}

async fn edit(
    State(state): State<WebState>,
    page: Page,
    Ready { view, principal }: Ready,
    Path(id): Path<String>,
    Form(f): Form<FileForm>,
) -> Response {
    let done = match (OrgScope::of(&state.ctx, &principal).await, id.parse::<PatientFileId>()) {
        (Ok(scope), Ok(fid)) => files::update(&state.ctx, &page.client, &scope, fid, &f.input()).await,
        (Err(e), _) => Err(e),
        (_, Err(e)) => Err(e.into()),
    };
    match done {
        Ok(p) => redirect_with_flash(&state, &href(&p.id), "pf-updated"),
        Err(AppError::Input(e)) => {
            render_show(
                &state,
                &page,
                &view,
                &principal,
                &id,
                Some((&f, AppError::Input(e))),
                None,
            )
            .await
        }
        Err(e) => render_show(&state, &page, &view, &principal, &id, None, Some(e)).await,
    }
}

async fn set_archived(
    state: WebState,
    page: Page,
    Ready { view, principal }: Ready,
    id: String,
    archive: bool,
) -> Response {
    let done = match (OrgScope::of(&state.ctx, &principal).await, id.parse::<PatientFileId>()) {
        (Ok(scope), Ok(fid)) if archive => files::archive(&state.ctx, &page.client, &scope, fid).await,
        (Ok(scope), Ok(fid)) => files::restore(&state.ctx, &page.client, &scope, fid).await,
        (Err(e), _) => Err(e),
        (_, Err(e)) => Err(e.into()),
    };
    match done {
        Ok(p) => redirect_with_flash(
            &state,
            &href(&p.id),
            if archive {
                "pf-archived-done"
            } else {
                "pf-restored-done"
            },
        ),
        Err(AppError::NotFound) => failure_page(page.lang, &AppError::NotFound),
        Err(e) => render_show(&state, &page, &view, &principal, &id, None, Some(e)).await,
    }
}

async fn archive(State(state): State<WebState>, page: Page, ready: Ready, Path(id): Path<String>) -> Response {
    set_archived(state, page, ready, id, true).await
}

async fn restore(State(state): State<WebState>, page: Page, ready: Ready, Path(id): Path<String>) -> Response {
    set_archived(state, page, ready, id, false).await
}
