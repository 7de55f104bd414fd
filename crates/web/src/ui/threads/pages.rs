//! Discussion pages (SPEC 6, and direct messages of SPEC 3): the list of
//! one's threads (open, closed, search), a new discussion, and a thread with
//! its messages. Everything is rendered here first (it works without the
//! script); the `thr-` script module (`static/js/threads.js`) then sends messages through the
//! JSON API, saves the draft, and keeps the page live through the event
//! WebSocket, fetching each new or changed message as rendered here
//! (`/threads/{id}/fragment/{seq}`), so messages are formatted in one place.

use crate::error_page::failure_page;
use crate::guard::RouteList;
use crate::ui::page::Fields;
use crate::ui::page::{app_layout, error_notice, icon, redirect_with_flash, Page, Ready};
use crate::ui::teams::{thread_team_actions, thread_teams, ThreadTeams};
use crate::WebState;
use axum::extract::{Form, Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use cercle_app::accounts::SessionView;
use cercle_app::idempotency::{self, Answer};
use cercle_app::network::directory;
use cercle_app::network::search::{self as people_search, SearchInput, SearchResult};
use cercle_app::orgs::{structure, OrgScope};
use cercle_app::threads::service::{self, ListedThread, MessageView, NewThreadInput, ParticipantRef, ThreadView};
use cercle_app::threads::{export, patients};
use cercle_app::AppError;
use cercle_domain::policy::Principal;
use cercle_domain::threads::ParticipantKind;
use maud::{html, Markup};
use serde::Deserialize;
use std::collections::HashMap;

/// Professionals only (see `crate::guard`).
pub fn routes() -> RouteList {
    RouteList::new()
        .route("/threads", post(create))
        .route("/threads/new", get(new_form))
        .route("/threads/direct/{user_id}", post(direct))
        .route("/threads/{id}/export.pdf", get(export_pdf))
        .route("/threads/{id}/close", post(close))
        .route("/threads/{id}/reopen", post(reopen))
        .route("/threads/{id}/priority", post(priority))
        .route("/threads/{id}/duplicate", post(duplicate))
        .route("/threads/{id}/leave", post(leave))
        .route("/threads/{id}/participants", post(add_participants))
        .route("/threads/{id}/participants/remove", post(remove_participant))
}

/// Reading and writing in the threads one reaches: patients and caregivers too.
pub fn shared_routes() -> Router<WebState> {
    Router::new()
        .route("/threads", get(list))
        .route("/threads/{id}", get(show))
        .route("/threads/{id}/fragment/{seq}", get(fragment))
        .route("/threads/{id}/messages", post(post_message))
        .route("/threads/{id}/unread", post(unread))
        .route("/threads/{id}/ack/{message_id}", post(acknowledge))
        .route("/threads/{id}/retract/{message_id}", post(retract))
        .route("/threads/{id}/edit/{message_id}", post(edit))
}

/// A chosen participant as a form value: `user:ID|Name` or `team:ID|Name`
/// (the name only labels the choice when the form is shown again).
pub(crate) struct Chosen {
    kind: ParticipantKind,
    id: String,
    name: String,
}

impl Chosen {
    pub(crate) fn parse(raw: &str) -> Option<Chosen> {
        let (head, name) = raw.split_once('|').unwrap_or((raw, ""));
        let (kind, id) = head.split_once(':')?;
        // People and teams are chosen for a thread; circles are not.
        let kind = match kind.parse() {
            Ok(k @ (ParticipantKind::User | ParticipantKind::Team)) => k,
            _ => return None,
        };
        if id.is_empty() || id.len() > 64 {
            return None;
        }
        Some(Chosen {
            kind,
            id: id.to_string(),
            name: name.chars().take(120).collect(),
        })
    }
    fn value(&self) -> String {
        format!("{}:{}|{}", self.kind, self.id, self.name)
    }
    fn as_ref(&self) -> ParticipantRef {
        ParticipantRef {
            kind: self.kind.as_str().into(),
            id: self.id.clone(),
        }
    }
}

fn chosen_of(f: &Fields) -> Vec<Chosen> {
    let mut out: Vec<Chosen> = Vec::new();
    for c in f.all("participant").into_iter().filter_map(Chosen::parse) {
        if !out.iter().any(|o| o.kind == c.kind && o.id == c.id) {
            out.push(c);
        }
    }
    out
}

fn me_of(view: &SessionView) -> String {
    view.user.id.clone()
}

// ---- The list ---------------------------------------------------------------

#[derive(Deserialize)]
struct ListQuery {
    #[serde(default)]
    closed: Option<String>,
    #[serde(default)]
    q: Option<String>,
}

/// A thread's label: its title, or for direct messages the other person.
fn label_of(t: &ThreadView, me: &str) -> String {
    if !t.title.is_empty() {
        return t.title.clone();
    }
    t.participants
        .iter()
        .filter(|p| p.kind == ParticipantKind::User && p.id != me)
        .map(|p| p.name.clone())
        .collect::<Vec<_>>()
        .join(", ")
}

async fn list(
    State(state): State<WebState>,
    page: Page,
    Ready { view, principal }: Ready,
    Query(q): Query<ListQuery>,
) -> Response {
    let me = me_of(&view);
    let closed = q.closed.as_deref().is_some_and(|c| c == "1" || c == "true");
    let query = q.q.unwrap_or_default();
    let query = query.trim();
    let threads = service::list(&state.ctx, &principal, closed, page.lang).await;
    // Patient names for clinical threads (one audited list), and the other
    // person's name for direct messages.
    let mut patients_by_id: HashMap<String, String> = HashMap::new();
    if let Ok(list) = &threads {
        if list.iter().any(|t| t.patient_file_id.is_some()) {
            if let Ok(scope) = OrgScope::of(&state.ctx, &principal).await {
                if let Ok(files) = patients::list(&state.ctx, &page.client, &scope).await {
                    for p in files {
                        patients_by_id.insert(p.id, format!("{} {}", p.first_name, p.last_name));
                    }
                }
            }
        }
    }
    let mut direct_names: HashMap<String, String> = HashMap::new();
    if let Ok(list) = &threads {
        // The listed ids are the store's: each parses.
        for t in list.iter().filter(|t| t.kind == "direct") {
            let Ok(id) = t.id.parse() else { continue };
            if let Ok(v) = service::show(&state.ctx, &page.client, &principal, id, page.lang).await {
                direct_names.insert(t.id.clone(), label_of(&v, &me));
            }
        }
    }
    let found = if query.is_empty() {
        None
    } else {
        Some(service::search(&state.ctx, &principal, query, page.lang).await)
    };
    let title = page.t("thr-title");
    let content = html! {
        div class="thr-list-head" {
            h1 { (title) }
            @if !view.user.circle_only {
                a class="button primary" href="/threads/new" data-testid="new-thread" { (page.t("thr-new")) }
            }
        }
        nav class="subnav thr-tabs" aria-label=(page.t("thr-title")) {
            a href="/threads" aria-current=[(!closed).then_some("page")] data-testid="tab-open" { (page.t("thr-tab-open")) }
            a href="/threads?closed=1" aria-current=[closed.then_some("page")] data-testid="tab-closed" { (page.t("thr-tab-closed")) }
        }
        form class="thr-search" method="get" action="/threads" role="search" {
            @if closed { input type="hidden" name="closed" value="1"; }
            label class="visually-hidden" for="thr-q" { (page.t("thr-search-label")) }
            div class="net-search-row" {
                input id="thr-q" type="search" name="q" value=(query) maxlength="100" placeholder=(page.t("thr-search-placeholder"));
                button type="submit" class="secondary" { (page.t("thr-search-submit")) }
            }
        }
        @if let Some(found) = &found {
            section class="card" data-testid="search-results" {
                h2 { (page.t("thr-search-results")) }
                @match found {
                    Err(e) => { (error_notice(page.lang, e)) }
                    Ok(list) if list.is_empty() => { p class="muted" { (page.t("thr-search-none")) } }
                    Ok(list) => {
                        ul class="thr-found" {
                            @for m in list {
                                li {
                                    a href=(format!("/threads/{}#m-{}", m.thread_id, m.message_id)) {
                                        strong { (if m.thread_title.is_empty() { page.t("thr-direct") } else { m.thread_title.clone() }) }
                                    }
                                    " · " time class="muted small" { (page.date_time(m.created_at)) }
                                    p class="thr-excerpt" { (m.excerpt) }
                                }
                            }
                        }
                    }
                }
            }
        }
        @match &threads {
            Err(e) => { (error_notice(page.lang, e)) }
            Ok(list) if list.is_empty() => {
                div class="empty card" data-testid="threads-empty" {
                    (icon("threads"))
                    p { strong { (if closed { page.t("thr-none-closed") } else { page.t("thr-none") }) } }
                    @if !closed && !view.user.circle_only { p { a class="button secondary" href="/threads/new" { (page.t("thr-new")) } } }
                }
            }
            Ok(list) => {
                ul class="thr-items card" data-testid="threads" {
                    @for t in list {
                        (list_item(&page, t, &patients_by_id, &direct_names))
                    }
                }
            }
        }
    };
    app_layout(&state, &page, &view, &title, content).await
}

fn list_item(
    page: &Page,
    t: &ListedThread,
    patients_by_id: &HashMap<String, String>,
    direct_names: &HashMap<String, String>,
) -> Markup {
    let label = if t.title.is_empty() {
        direct_names.get(&t.id).cloned().unwrap_or_else(|| page.t("thr-direct"))
    } else {
        t.title.clone()
    };
    let unread = t.unread > 0 || t.marked_unread;
    html! {
        li class=(if unread { "thr-item unread" } else { "thr-item" }) data-id=(t.id) {
            span class="thr-kind" aria-hidden="true" { (icon(if t.kind == "direct" { "network" } else if t.kind == "clinical" { "patients" } else { "threads" })) }
            div class="thr-item-main" {
                a class="thr-item-title" href=(format!("/threads/{}", t.id)) { (label) }
                div class="muted small" {
                    @match t.kind.as_str() {
                        "clinical" => {
                            (page.t("thr-kind-clinical"))
                            @if let Some(name) = t.patient_file_id.as_ref().and_then(|p| patients_by_id.get(p)) { " · " span class="thr-patient" { (name) } }
                        }
                        "direct" => { (page.t("thr-kind-direct")) }
                        _ => { (page.t("thr-kind-collaboration")) }
                    }
                    " · " (page.date_time(t.last_activity_at))
                }
            }
            div class="thr-item-badges" {
                @if t.high_priority { span class="badge warn" { (page.t("thr-high-priority")) } }
                @if t.unread > 0 {
                    span class="badge thr-unread" title=(page.ta("thr-unread-count", &[("count", &t.unread.to_string())])) { (t.unread) }
                } @else if t.marked_unread {
                    span class="badge thr-unread" { (page.t("thr-marked-unread")) }
                }
            }
        }
    }
}

// ---- A new discussion -------------------------------------------------------

/// What the new-discussion form shows: empty, or what was typed.
#[derive(Default)]
struct NewDraft {
    kind: String,
    patient: String,
    first_name: String,
    last_name: String,
    birth_date: String,
    title: String,
    high: bool,
    q: String,
    chosen: Vec<Chosen>,
}

impl NewDraft {
    fn posted(f: &Fields) -> NewDraft {
        NewDraft {
            kind: f.get("kind").to_string(),
            patient: f.get("patient_file_id").to_string(),
            first_name: f.get("first_name").to_string(),
            last_name: f.get("last_name").to_string(),
            birth_date: f.get("birth_date").to_string(),
            title: f.get("title").to_string(),
            high: f.on("high_priority"),
            q: f.get("q").to_string(),
            chosen: chosen_of(f),
        }
    }
}

async fn new_form(State(state): State<WebState>, page: Page, Ready { view, principal }: Ready) -> Response {
    let draft = NewDraft {
        kind: "clinical".into(),
        ..NewDraft::default()
    };
    new_page(&state, &page, &view, &principal, draft, None, None).await
}

/// A person found: id, name, first profession, in one's directory.
/// (id, name, first profession, in one's directory, "absent until …").
pub(crate) type Suggestion = (String, String, Option<String>, bool, Option<String>);

/// The people and teams one may add: one's directory, the teams of the
/// active organization, and the results of a search (directory first).
pub(crate) struct Candidates {
    directory: Vec<(String, String, Option<String>)>,
    teams: Vec<(String, String)>,
    found: Option<Result<Vec<Suggestion>, AppError>>,
}

pub(crate) async fn candidates(state: &WebState, page: &Page, principal: &Principal, q: &str) -> Candidates {
    let directory = directory::list(&state.ctx, principal, page.lang)
        .await
        .map(|d| {
            d.people
                .into_iter()
                .map(|p| (p.id.to_string(), p.name, p.professions.first().map(|b| b.name.clone())))
                .collect()
        })
        .unwrap_or_default();
    let teams = match OrgScope::of(&state.ctx, principal).await {
        Ok(scope) => structure::structure(&state.ctx, &page.client, &scope)
            .await
            .map(|s| {
                s.teams
                    .into_iter()
                    .filter(|t| t.archived_at.is_none())
                    .map(|t| (t.id.to_string(), t.name))
                    .collect()
            })
            .unwrap_or_default(),
        Err(_) => Vec::new(),
    };
    let found = if q.trim().is_empty() {
        None
    } else {
        let input = SearchInput {
            q: q.to_string(),
            kind: Some("person".into()),
            ..SearchInput::default()
        };
        Some(
            people_search::search(&state.ctx, principal, &input, page.lang)
                .await
                .map(|p| {
                    p.results
                        .into_iter()
                        .filter_map(|r| match r {
                            SearchResult::Person {
                                person,
                                in_directory,
                                absent_until,
                                ..
                            } => Some((
                                person.id.to_string(),
                                person.name,
                                person.professions.first().map(|b| b.name.clone()),
                                in_directory,
                                absent_until.map(|a| crate::ui::availability::absent_until(&page.time, &a)),
                            )),
                            SearchResult::Workplace { .. } => None,
                        })
                        .collect()
                }),
        )
    };
    Candidates {
        directory,
        teams,
        found,
    }
}

/// The participant picker: a search that suggests people as one types
/// (directory first), one's directory and the organization's teams as
/// checkboxes, and the chosen ones.
pub(crate) fn picker(
    page: &Page,
    me: &str,
    c: &Candidates,
    chosen: &[Chosen],
    q: &str,
    exclude: &[String],
    searchable: bool,
) -> Markup {
    let is_chosen = |kind: ParticipantKind, id: &str| chosen.iter().any(|x| x.kind == kind && x.id == id);
    html! {
        div class="thr-picker" data-thr-picker data-me=(me) data-msg-none=(page.t("thr-picker-none")) data-msg-directory=(page.t("thr-in-directory")) data-msg-add=(page.t("thr-picker-add")) data-msg-absent=(page.ta("avail-absent-until", &[("date", "%DATE%")])) {
            div class="field" {
                label for="thr-people-q" { (page.t("thr-picker-search")) }
                div class="net-search-row" {
                    input id="thr-people-q" class="thr-picker-q" type="search" name="q" value=(q) maxlength="100" autocomplete="off" placeholder=(page.t("thr-picker-placeholder")) aria-describedby="thr-picker-hint";
                    @if searchable {
                        button type="submit" name="op" value="search" class="secondary thr-picker-go" formnovalidate { (page.t("thr-search-submit")) }
                    }
                }
                p class="hint" id="thr-picker-hint" { (page.t("thr-picker-hint")) }
                ul class="thr-suggest" data-testid="suggestions" aria-live="polite" {}
            }
            ul class="thr-chosen" data-testid="chosen" {
                @for ch in chosen {
                    li {
                        label class="netp-check" { input type="checkbox" name="participant" value=(ch.value()) checked; " " (ch.name) }
                    }
                }
            }
            @if let Some(found) = &c.found {
                @match found {
                    Err(e) => { (error_notice(page.lang, e)) }
                    Ok(list) => {
                        fieldset class="checks" {
                            legend { (page.t("thr-search-results")) }
                            @if list.is_empty() { p class="muted" { (page.t("thr-picker-none")) } }
                            @for (id, name, prof, in_dir, away) in list.iter().filter(|p| p.0 != me && !exclude.contains(&p.0) && !is_chosen(ParticipantKind::User, &p.0)) {
                                label { input type="checkbox" name="participant" value=(format!("user:{id}|{name}")); " " (name)
                                    @if let Some(p) = prof { span class="muted small" { " · " (p) } }
                                    @if *in_dir { " " span class="badge net-dir" { (page.t("thr-in-directory")) } }
                                    @if let Some(a) = away { " " span class="badge thr-away" data-testid="absent-until" { (a) } }
                                }
                            }
                        }
                    }
                }
            }
            @let dir: Vec<_> = c.directory.iter().filter(|p| p.0 != me && !exclude.contains(&p.0) && !is_chosen(ParticipantKind::User, &p.0)).collect();
            @if !dir.is_empty() {
                fieldset class="checks" data-testid="directory-choices" {
                    legend { (page.t("thr-from-directory")) }
                    @for (id, name, prof) in dir {
                        label { input type="checkbox" name="participant" value=(format!("user:{id}|{name}")); " " (name)
                            @if let Some(p) = prof { span class="muted small" { " · " (p) } }
                        }
                    }
                }
            }
            @let teams: Vec<_> = c.teams.iter().filter(|t| !exclude.contains(&t.0) && !is_chosen(ParticipantKind::Team, &t.0)).collect();
            @if !teams.is_empty() {
                fieldset class="checks" data-testid="team-choices" {
                    legend { (page.t("thr-teams")) }
                    @for (id, name) in teams {
                        label { input type="checkbox" name="participant" value=(format!("team:{id}|{name}")); " " (name) }
                    }
                }
            }
        }
    }
}

async fn new_page(
    state: &WebState,
    page: &Page,
    view: &SessionView,
    principal: &Principal,
    d: NewDraft,
    error: Option<AppError>,
    patient_error: Option<AppError>,
) -> Response {
    let me = me_of(view);
    let scope = OrgScope::of(&state.ctx, principal).await.ok();
    let files = match &scope {
        Some(s) => patients::list(&state.ctx, &page.client, s).await.unwrap_or_default(),
        None => Vec::new(),
    };
    let c = candidates(state, page, principal, &d.q).await;
    let clinical_possible = scope.is_some();
    let kind = if clinical_possible && d.kind != "collaboration" {
        "clinical"
    } else {
        "collaboration"
    };
    let new_patient = d.patient == "new" || (files.is_empty() && d.patient.is_empty());
    let title = page.t("thr-new-title");
    let content = html! {
        p { a href="/threads" { "← " (page.t("thr-title")) } }
        h1 { (title) }
        @if let Some(e) = &error { (error_notice(page.lang, e)) }
        form class="card thr-new" method="post" action="/threads" data-testid="new-thread-form" {
            (page.csrf_field())
            (page.idempotency_field())
            // Enter in a field creates the discussion (the first submit button).
            button type="submit" name="op" value="create" class="visually-hidden" tabindex="-1" aria-hidden="true" { (page.t("thr-create")) }
            fieldset class="checks thr-kinds" {
                legend { (page.t("thr-kind")) }
                label { input type="radio" name="kind" value="clinical" checked[kind == "clinical"] disabled[!clinical_possible]; " " (page.t("thr-kind-clinical")) }
                label { input type="radio" name="kind" value="collaboration" checked[kind == "collaboration"]; " " (page.t("thr-kind-collaboration")) }
                @if !clinical_possible { p class="hint" { (page.t("thr-clinical-needs-org")) } }
            }
            @if clinical_possible {
                fieldset class="thr-patient-box" data-thr-clinical {
                    legend { (page.t("thr-patient")) }
                    @if let Some(e) = &patient_error { (error_notice(page.lang, e)) }
                    div class="field" {
                        label for="thr-patient" { (page.t("thr-patient-choose")) }
                        select id="thr-patient" name="patient_file_id" {
                            @for p in &files {
                                option value=(p.id) selected[d.patient == p.id] {
                                    (p.last_name) ", " (p.first_name)
                                    @if let Some(b) = &p.birth_date { " (" (page.civil_date(b)) ")" }
                                }
                            }
                            option value="new" selected[new_patient] { (page.t("thr-patient-new")) }
                        }
                    }
                    div class="thr-new-patient" data-thr-new-patient {
                        p class="hint" { (page.t("thr-patient-new-hint")) }
                        div class="grid-form" {
                            div class="field" { label for="thr-first" { (page.t("thr-first-name")) } input id="thr-first" name="first_name" value=(d.first_name) maxlength="100" autocomplete="off"; }
                            div class="field" { label for="thr-last" { (page.t("thr-last-name")) } input id="thr-last" name="last_name" value=(d.last_name) maxlength="100" autocomplete="off"; }
                            div class="field" { label for="thr-birth" { (page.t("thr-birth-date")) } input id="thr-birth" name="birth_date" type="date" value=(d.birth_date); }
                        }
                    }
                }
            }
            div class="field" {
                label for="thr-title" { (page.t("thr-title-label")) }
                input id="thr-title" name="title" value=(d.title) maxlength="200" required;
            }
            fieldset {
                legend { (page.t("thr-participants")) }
                (picker(page, &me, &c, &d.chosen, &d.q, &[], true))
            }
            label class="netp-check" { input type="checkbox" name="high_priority" checked[d.high]; " " (page.t("thr-high-priority")) }
            div class="actions-row" {
                button type="submit" name="op" value="create" class="primary" data-testid="create-thread" { (page.t("thr-create")) }
            }
        }
    };
    app_layout(state, page, view, &title, content).await
}

async fn create(
    State(state): State<WebState>,
    page: Page,
    Ready { view, principal }: Ready,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let f = Fields(fields);
    let mut d = NewDraft::posted(&f);
    if f.get("op") == "search" {
        return new_page(&state, &page, &view, &principal, d, None, None).await;
    }
    let (key, hash) = match crate::ui::page::form_idempotency("/threads", &f.0) {
        Ok(k) => k,
        Err(e) => return new_page(&state, &page, &view, &principal, d, Some(e), None).await,
    };
    let person = match view.user_id() {
        Ok(id) => id,
        Err(e) => return new_page(&state, &page, &view, &principal, d, Some(e), None).await,
    };
    let kind = if d.kind == "clinical" {
        "clinical"
    } else {
        "collaboration"
    };
    let (ctx, p) = (&state.ctx, &principal);
    // What the work did before a refusal: the patient file it opened (kept
    // in the form), and whether the refusal was about the patient.
    let opened: std::sync::Mutex<Option<String>> = std::sync::Mutex::new(None);
    let patient_refused = std::sync::atomic::AtomicBool::new(false);
    // A form posted twice creates once: the key is claimed in the
    // transaction of what is created first (the patient file, if new).
    let done = idempotency::run(ctx, &page.client, person, key.as_ref(), &hash, |client| {
        let (d, opened, patient_refused) = (&d, &opened, &patient_refused);
        async move {
            let mut thread_client = client.clone();
            let mut patient_file_id = None;
            if kind == "clinical" {
                if d.patient == "new" || d.patient.is_empty() {
                    let input = patients::NewPatientFile {
                        first_name: d.first_name.clone(),
                        last_name: d.last_name.clone(),
                        birth_date: Some(d.birth_date.clone()),
                    };
                    let made = match OrgScope::of(ctx, p).await {
                        Ok(scope) => patients::create(ctx, &client, &scope, &input).await,
                        Err(e) => Err(e),
                    };
                    let made =
                        made.inspect_err(|_| patient_refused.store(true, std::sync::atomic::Ordering::Relaxed))?;
                    if let Ok(mut o) = opened.lock() {
                        *o = Some(made.id.clone());
                    }
                    thread_client.idempotency = None;
                    patient_file_id = Some(made.id);
                } else {
                    patient_file_id = Some(d.patient.clone());
                }
            }
            let input = NewThreadInput {
                kind: kind.into(),
                patient_file_id,
                title: d.title.clone(),
                participants: d.chosen.iter().map(Chosen::as_ref).collect(),
                high_priority: d.high,
            };
            let t = service::create(ctx, &thread_client, p, &input).await?;
            Ok(Answer::created(serde_json::json!({ "id": t.id })))
        }
    })
    .await;
    match done {
        Ok(answer) => Redirect::to(&format!("/threads/{}", answer.body["id"].as_str().unwrap_or(""))).into_response(),
        Err(e) => {
            if let Some(id) = opened.lock().ok().and_then(|o| o.clone()) {
                d.patient = id;
            }
            if patient_refused.load(std::sync::atomic::Ordering::Relaxed) {
                new_page(&state, &page, &view, &principal, d, None, Some(e)).await
            } else {
                new_page(&state, &page, &view, &principal, d, Some(e), None).await
            }
        }
    }
}

/// "Write": the direct thread with a friend (from their profile).
async fn direct(
    State(state): State<WebState>,
    page: Page,
    Ready { principal, .. }: Ready,
    Path(user_id): Path<String>,
) -> Response {
    let Ok(user_id) = user_id.parse() else {
        return failure_page(page.lang, &AppError::NotFound);
    };
    match service::direct(&state.ctx, &page.client, &principal, user_id).await {
        Ok(t) => Redirect::to(&format!("/threads/{}", t.id)).into_response(),
        Err(e) => failure_page(page.lang, &e),
    }
}

// ---- A thread ---------------------------------------------------------------

/// Light formatting of a message, done on escaped text (maud escapes every
/// piece): **bold**, _italic_, http(s) links, @mentions, line breaks.
pub fn rich(text: &str) -> Markup {
    html! {
        @for (i, line) in text.split('\n').enumerate() {
            @if i > 0 { br; }
            (inline(&line.chars().collect::<Vec<_>>()))
        }
    }
}

fn boundary(c: Option<&char>) -> bool {
    c.is_none_or(|c| c.is_whitespace() || "([{\"'«“—-,.;:!?".contains(*c))
}

fn starts_with(s: &[char], at: usize, pat: &str) -> bool {
    let p: Vec<char> = pat.chars().collect();
    s.len() >= at + p.len() && s[at..at + p.len()] == p[..]
}

fn inline(s: &[char]) -> Markup {
    let mut out: Vec<Markup> = Vec::new();
    let mut plain = String::new();
    let mut i = 0;
    let flush = |plain: &mut String, out: &mut Vec<Markup>| {
        if !plain.is_empty() {
            out.push(html! { (plain) });
            plain.clear();
        }
    };
    while i < s.len() {
        let prev = if i == 0 { None } else { s.get(i - 1) };
        // A link: http or https only.
        if boundary(prev) && (starts_with(s, i, "https://") || starts_with(s, i, "http://")) {
            let mut end = i;
            while end < s.len() && !s[end].is_whitespace() && !"<>\"".contains(s[end]) {
                end += 1;
            }
            while end > i && ".,;:!?)]'»”".contains(s[end - 1]) {
                end -= 1;
            }
            let url: String = s[i..end].iter().collect();
            if url.len() > 8 {
                flush(&mut plain, &mut out);
                out.push(html! { a href=(url) rel="noopener noreferrer" target="_blank" { (url) } });
                i = end;
                continue;
            }
        }
        // **bold**
        if starts_with(s, i, "**") {
            if let Some(close) = (i + 2..s.len().saturating_sub(1)).find(|&j| starts_with(s, j, "**")) {
                if close > i + 2 && !s[i + 2].is_whitespace() {
                    flush(&mut plain, &mut out);
                    let inner = inline(&s[i + 2..close]);
                    out.push(html! { strong { (inner) } });
                    i = close + 2;
                    continue;
                }
            }
        }
        // _italic_ (between word boundaries)
        if s[i] == '_' && boundary(prev) {
            if let Some(close) = (i + 1..s.len()).find(|&j| s[j] == '_' && boundary(s.get(j + 1))) {
                if close > i + 1 && !s[i + 1].is_whitespace() && !s[close - 1].is_whitespace() {
                    flush(&mut plain, &mut out);
                    let inner = inline(&s[i + 1..close]);
                    out.push(html! { em { (inner) } });
                    i = close + 1;
                    continue;
                }
            }
        }
        // @mention
        if s[i] == '@' && boundary(prev) && s.get(i + 1).is_some_and(|c| c.is_alphanumeric()) {
            let mut end = i + 1;
            while end < s.len() && (s[end].is_alphanumeric() || s[end] == '-' || s[end] == '.') {
                end += 1;
            }
            while end > i + 1 && s[end - 1] == '.' {
                end -= 1;
            }
            flush(&mut plain, &mut out);
            let name: String = s[i..end].iter().collect();
            out.push(html! { span class="thr-mention" { (name) } });
            i = end;
            continue;
        }
        plain.push(s[i]);
        i += 1;
    }
    flush(&mut plain, &mut out);
    html! { @for m in out { (m) } }
}

/// Names of the people of a thread, for "seen by" and acknowledgements.
fn names_of(t: &ThreadView, messages: &[MessageView]) -> HashMap<String, String> {
    let mut names: HashMap<String, String> = HashMap::new();
    for m in messages {
        names.insert(m.author.id.clone(), m.author.name.clone());
    }
    for p in t.participants.iter().filter(|p| p.kind == ParticipantKind::User) {
        names.insert(p.id.clone(), p.name.clone());
    }
    names
}

fn joined_names(ids: &[String], names: &HashMap<String, String>) -> String {
    ids.iter()
        .filter_map(|id| names.get(id).cloned())
        .collect::<Vec<_>>()
        .join(", ")
}

/// How one message is shown (also sent alone to the page's script).
/// A file sent without a caption has its name as its text: the file shows
/// its name already, so the text is not repeated above it.
fn is_file_name_only(m: &MessageView) -> bool {
    matches!(m.attachments.as_slice(), [a] if a.name.trim() == m.body.trim())
}

fn message_item(
    page: &Page,
    thread_id: &str,
    m: &MessageView,
    me: &str,
    names: &HashMap<String, String>,
    closed: bool,
) -> Markup {
    let mine = m.author.id == me;
    let retracted = m.retracted_at.is_some();
    let acked = m.acknowledged_by.iter().any(|u| u == me);
    let mut class = String::from("thr-msg");
    if mine {
        class.push_str(" mine");
    }
    if m.priority {
        class.push_str(" priority");
    }
    if retracted {
        class.push_str(" retracted");
    }
    html! {
        li class=(class) id=(format!("m-{}", m.id)) data-id=(m.id) data-seq=(m.seq) data-author=(m.author.id) {
            div class="thr-meta" {
                strong class="thr-author" { (m.author.name) }
                @if let Some(p) = &m.author.profession { span class="muted small thr-prof" { (p) } }
                time class="muted small" data-ts=(m.created_at) { (page.date_time(m.created_at)) }
                @if m.priority { span class="badge warn" { (page.t("thr-priority-message")) } }
            }
            @if retracted {
                p class="thr-retracted" data-testid="retracted" { (page.t("thr-retracted")) }
            } @else {
                @if !m.body.is_empty() && !is_file_name_only(m) { div class="thr-body" { (rich(&m.body)) } }
                @if !m.attachments.is_empty() {
                    div class="thr-attachments" {
                        @for a in &m.attachments {
                            (super::attachments::attachment_view(page, a))
                        }
                    }
                }
            }
            @if m.edited_at.is_some() && !retracted {
                details class="thr-versions" data-versions=(m.id) data-msg-replaced=(page.t("thr-replaced")) {
                    summary { (page.t("thr-edited")) }
                    ol class="small" {}
                }
            }
            @if m.priority && !retracted {
                div class="thr-prio" {
                    span class="small thr-acks" data-ids=(m.acknowledged_by.join(" ")) data-label=(page.t("thr-acknowledged-by")) data-testid="acks" {
                        @if !m.acknowledged_by.is_empty() { (page.t("thr-acknowledged-by")) " " (joined_names(&m.acknowledged_by, names)) }
                    }
                    @if !mine && !acked && !closed {
                        form class="thr-ack-form" method="post" action=(format!("/threads/{thread_id}/ack/{}", m.id)) {
                            (page.csrf_field())
                            button type="submit" class="primary small thr-ack" data-testid="ack" { (page.t("thr-acknowledge")) }
                        }
                    }
                }
            }
            p class="small muted thr-seen" data-ids=(m.seen_by.join(" ")) data-label=(page.t("thr-seen-by")) {
                @if !m.seen_by.is_empty() { (page.t("thr-seen-by")) " " (joined_names(&m.seen_by, names)) }
            }
            @if mine && !retracted && !closed {
                div class="thr-own" {
                    details class="thr-edit" {
                        summary class="linklike small" { (page.t("thr-edit")) }
                        form class="thr-edit-form" method="post" action=(format!("/threads/{thread_id}/edit/{}", m.id)) data-message=(m.id) {
                            (page.csrf_field())
                            label class="visually-hidden" for=(format!("e-{}", m.id)) { (page.t("thr-edit")) }
                            textarea id=(format!("e-{}", m.id)) name="body" rows="3" maxlength="10000" { (m.body) }
                            button type="submit" class="secondary small" { (page.t("thr-edit-save")) }
                        }
                    }
                    form class="thr-retract-form" method="post" action=(format!("/threads/{thread_id}/retract/{}", m.id)) data-message=(m.id) {
                        (page.csrf_field())
                        button type="submit" class="linklike small danger-link" data-thr-confirm=(page.t("thr-retract-confirm")) { (page.t("thr-retract")) }
                    }
                }
            }
        }
    }
}

fn action_form(
    page: &Page,
    action: &str,
    label: String,
    class: &str,
    hidden: &[(&str, &str)],
    confirm: Option<String>,
) -> Markup {
    html! {
        form method="post" action=(action) class="thr-action" {
            (page.csrf_field())
            @for (k, v) in hidden { input type="hidden" name=(k) value=(v); }
            button type="submit" class=(class) data-thr-confirm=[confirm] { (label) }
        }
    }
}

/// The thread's header: title, patient, state, participants, actions.
fn head(page: &Page, t: &ThreadView, me: &str, c: Option<&Candidates>, circle: bool, tt: &ThreadTeams) -> Markup {
    let base = format!("/threads/{}", t.id);
    let label = label_of(t, me);
    // A patient or caregiver (SPEC 5) manages nothing: no participants
    // management, close, priority, duplicate, export, leave or patient link.
    let creator = t.created_by == me && !circle;
    let open = t.closed.is_none();
    let direct = t.kind == "direct";
    let is_me = |p: &cercle_app::threads::service::ParticipantView| p.kind == ParticipantKind::User && p.id == me;
    html! {
        header class="card thr-head" id="thr-head" {
            div class="thr-title-row" {
                h1 data-testid="thread-title" { (label) }
                @if t.high_priority { span class="badge warn" data-testid="thread-priority" { (page.t("thr-high-priority")) } }
            }
            p class="muted thr-subtitle" {
                @match t.kind.as_str() {
                    _ if circle => { (page.t("care-eyebrow")) }
                    "clinical" => { (page.t("thr-kind-clinical")) }
                    "direct" => { (page.t("thr-kind-direct")) }
                    _ => { (page.t("thr-kind-collaboration")) }
                }
                @if let Some(p) = t.patient.as_ref().filter(|_| !circle) { " · " (page.t("thr-patient-of")) " " strong data-testid="thread-patient" { (p.name) } }
            }
            @if !circle && !t.teams.is_empty() {
                ul class="tm-on-thread" data-testid="thread-teams" {
                    @for tv in &t.teams {
                        li data-team=(tv.team_id) data-state=(tv.state) {
                            (icon("teams")) " " strong { (tv.team_name) } " · "
                            @match (&tv.responsible_id, &tv.responsible_name) {
                                (Some(rid), Some(name)) => {
                                    span data-testid="thread-responsible" data-id=(rid) { (page.ta("tm-responsible", &[("name", name)])) }
                                }
                                _ => { span data-testid="thread-in-triage" { (page.t("tm-state-in-triage")) } }
                            }
                            (thread_team_actions(page, t, tv, me, tt))
                        }
                    }
                }
            }
            @if let Some(cl) = &t.closed {
                p class="notice thr-closed" data-testid="closed-by" {
                    (page.ta("thr-closed-by", &[("name", &cl.by_name), ("date", &page.date_time(cl.at))]))
                    @if !circle {
                        " "
                        a class="button secondary small" href=(format!("{base}/export.pdf")) data-testid="export-pdf" download { (page.t("thr-export")) }
                    }
                }
            }
            details class="thr-people" {
                summary { (page.ta("thr-participants-count", &[("count", &t.participants.len().to_string())])) }
                ul class="thr-participants" data-testid="participants" {
                    @for p in &t.participants {
                        li data-kind=(p.kind) data-id=(p.id) data-section=[p.section.as_deref()] class=[p.section.as_deref().map(|s| format!("thr-circle-{s}"))] {
                            @if p.kind == ParticipantKind::Team { (icon("teams")) " " } @else { (icon("network")) " " }
                            @if p.kind == ParticipantKind::User && p.id != me && !circle && p.section.is_none() { a href=(format!("/network/people/{}", p.id)) { (p.name) } } @else { (p.name) }
                            @if p.kind == ParticipantKind::User && p.id == me { " " span class="muted small" { (page.t("thr-you")) } }
                            @if let Some(section) = &p.section { " " span class="muted small" { "(" (page.t(&format!("thr-section-{section}"))) ")" } }
                            @if creator && !direct && !p.via_channel && !is_me(p) {
                                (action_form(page, &format!("{base}/participants/remove"), page.t("thr-remove"), "linklike small danger-link", &[("kind", p.kind.as_str()), ("id", &p.id)], Some(page.ta("thr-remove-confirm", &[("name", &p.name)]))))
                            }
                        }
                    }
                }
                @if open && !direct && !circle {
                    @if let Some(c) = c {
                        details class="thr-add" {
                            summary class="linklike" { (page.t("thr-add-participants")) }
                            form method="post" action=(format!("{base}/participants")) {
                                (page.csrf_field())
                                @let present: Vec<String> = t.participants.iter().map(|p| p.id.clone()).collect();
                                (picker(page, me, c, &[], "", &present, false))
                                button type="submit" class="primary small" { (page.t("thr-add")) }
                            }
                        }
                    }
                }
            }
            div class="thr-actions" {
                @if open {
                    (crate::ui::calls::start_buttons(page, &t.id.to_string()))
                }
                @if open && !direct && !circle {
                    (action_form(page, &format!("{base}/priority"), if t.high_priority { page.t("thr-priority-off") } else { page.t("thr-priority-on") }, "secondary small", &[("high", if t.high_priority { "0" } else { "1" })], None))
                }
                (action_form(page, &format!("{base}/unread"), page.t("thr-mark-unread"), "secondary small", &[], None))
                @if !direct && !circle {
                    (action_form(page, &format!("{base}/duplicate"), page.t("thr-duplicate"), "secondary small", &[], None))
                }
                @if circle {
                } @else if open {
                    (action_form(page, &format!("{base}/close"), page.t("thr-close"), "secondary small", &[], Some(page.t("thr-close-confirm"))))
                } @else {
                    (action_form(page, &format!("{base}/reopen"), page.t("thr-reopen"), "secondary small", &[], None))
                }
                @if !direct && !circle {
                    (action_form(page, &format!("{base}/leave"), page.t("thr-leave"), "linklike small danger-link", &[], Some(page.t("thr-leave-confirm"))))
                }
            }
        }
    }
}

async fn show(
    State(state): State<WebState>,
    page: Page,
    Ready { view, principal }: Ready,
    Path(id): Path<String>,
) -> Response {
    // The events after this point reach the page through the WebSocket.
    let since = state.ctx.hub.dispatched();
    let Ok(thread_id) = id.parse() else {
        return failure_page(page.lang, &AppError::NotFound);
    };
    let t = match service::show(&state.ctx, &page.client, &principal, thread_id, page.lang).await {
        Ok(t) => t,
        Err(e) => return failure_page(page.lang, &e),
    };
    let messages = match service::messages(&state.ctx, &page.client, &principal, thread_id, None, page.lang).await {
        Ok(m) => m,
        Err(e) => return failure_page(page.lang, &e),
    };
    let me = me_of(&view);
    let names = names_of(&t, &messages);
    let names_json = serde_json::to_string(&names).unwrap_or_else(|_| "{}".into());
    let closed = t.closed.is_some();
    let place = cercle_app::patients::channels::thread_place(&state.ctx, &principal, thread_id)
        .await
        .unwrap_or_default();
    let circle = place.circle.is_some();
    let observer = place.circle == Some(true);
    let c = if closed || t.kind == "direct" || circle {
        None
    } else {
        Some(candidates(&state, &page, &principal, "").await)
    };
    let tt = if circle {
        ThreadTeams::default()
    } else {
        thread_teams(&state, &principal, &t).await
    };
    let label = label_of(&t, &me);
    let muted = cercle_app::notifications::is_muted(&state.ctx, &principal, thread_id)
        .await
        .unwrap_or(false);
    let content = html! {
        div class="thr-back-row" {
            p class="thr-back" {
                @match (&place.channel_id, circle) {
                    (Some(ch), true) => { a href=(format!("/care/{ch}")) data-testid="back-to-care" { "← " (page.t("care-back")) } }
                    (Some(ch), false) => { a href=(format!("/channels/{ch}")) data-testid="back-to-channel" { "← " (page.t("chan-back")) } }
                    _ => { a href="/threads" { "← " (page.t("thr-title")) } }
                }
            }
            (crate::ui::notifications::mute_control(&page, &t.id, muted))
        }
        div class="thr-page" id="thr-root" data-thread=(t.id) data-me=(me) data-since=(since) data-names=(names_json) data-closed=(if closed { "1" } else { "0" })
            data-msg-typing=(page.ta("thr-typing", &[("name", "{name}")])) data-msg-failed=(page.t("thr-send-failed")) data-msg-offline=(page.t("thr-offline")) data-msg-saved=(page.t("thr-draft-saved")) {
            (head(&page, &t, &me, c.as_ref(), circle, &tt))
            @if messages.is_empty() {
                p class="muted thr-empty" id="thr-empty" { (page.t("thr-no-messages")) }
            }
            ol class="thr-messages" id="thr-messages" data-testid="messages" aria-live="polite" {
                @for m in &messages {
                    (message_item(&page, &t.id, m, &me, &names, closed))
                }
            }
            p class="thr-typing small muted" id="thr-typing" aria-live="polite" {}
            p class="thr-conn small" id="thr-conn" hidden { (page.t("thr-offline")) }
            @if observer {
                (super::attachments::render_labels(&page))
                p class="notice" data-testid="observer-read-only" { (page.t("care-observer-hint")) }
            } @else if !closed {
                form class="card thr-composer" id="thr-composer" method="post" action=(format!("/threads/{}/messages", t.id)) data-testid="composer" {
                    (page.csrf_field())
                    label class="visually-hidden" for="thr-body" { (page.t("thr-message")) }
                    textarea id="thr-body" name="body" rows="1" maxlength="10000" aria-describedby="thr-format-hint" placeholder=(page.t("thr-message-placeholder")) { (t.draft.clone().unwrap_or_default()) }
                    div class="thr-composer-row" {
                        @if !circle {
                            label class="netp-check thr-prio-check" { input type="checkbox" name="priority" id="thr-priority"; " " (page.t("thr-priority-message")) }
                        }
                        (super::attachments::composer_controls(&page, &t.id))
                        span class="thr-draft-state small muted" id="thr-draft-state" aria-live="polite" {}
                        button type="submit" class="primary" id="thr-send" data-testid="send" { (page.t("thr-send")) }
                    }
                    p class="thr-status small" id="thr-status" role="status" {}
                    p class="hint" id="thr-format-hint" { (page.t("thr-format-hint")) }
                }
            } @else {
                (super::attachments::render_labels(&page))
                p class="notice" { (page.t("thr-closed-hint")) }
            }
        }
    };
    app_layout(&state, &page, &view, &label, content).await
}

/// One message as rendered in the thread, for the page's script.
async fn fragment(
    State(state): State<WebState>,
    page: Page,
    Ready { view, principal }: Ready,
    Path((id, seq)): Path<(String, i64)>,
) -> Response {
    let Ok(thread_id) = id.parse() else {
        return failure_page(page.lang, &AppError::NotFound);
    };
    let t = match service::show(&state.ctx, &page.client, &principal, thread_id, page.lang).await {
        Ok(t) => t,
        Err(e) => return failure_page(page.lang, &e),
    };
    let messages = match service::messages(
        &state.ctx,
        &page.client,
        &principal,
        thread_id,
        Some(seq.saturating_add(1)),
        page.lang,
    )
    .await
    {
        Ok(m) => m,
        Err(e) => return failure_page(page.lang, &e),
    };
    let Some(m) = messages.iter().find(|m| m.seq == seq) else {
        return failure_page(page.lang, &AppError::NotFound);
    };
    let names = names_of(&t, &messages);
    let markup = message_item(&page, &t.id, m, &me_of(&view), &names, t.closed.is_some());
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "private, no-store"),
        ],
        markup.into_string(),
    )
        .into_response()
}

async fn export_pdf(
    State(state): State<WebState>,
    page: Page,
    Ready { principal, .. }: Ready,
    Path(id): Path<String>,
) -> Response {
    let Ok(thread_id) = id.parse() else {
        return failure_page(page.lang, &AppError::NotFound);
    };
    match export::pdf(&state.ctx, &page.client, &principal, thread_id, page.lang).await {
        Ok(bytes) => (
            [
                (header::CONTENT_TYPE, "application/pdf"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"cercle-discussion.pdf\"",
                ),
                (header::CACHE_CONTROL, "private, no-store"),
            ],
            bytes,
        )
            .into_response(),
        Err(e) => failure_page(page.lang, &e),
    }
}

// ---- Actions without the script (and those the script leaves to forms) ----

/// Runs an action, then back to the thread with a notice, or the error page.
async fn act<F, Fut>(
    state: &WebState,
    page: &Page,
    Ready { principal, .. }: Ready,
    to: String,
    flash: &str,
    f: F,
) -> Response
where
    F: FnOnce(Principal) -> Fut,
    Fut: std::future::Future<Output = Result<(), AppError>>,
{
    match f(principal).await {
        Ok(()) => redirect_with_flash(state, &to, flash),
        Err(e) => failure_page(page.lang, &e),
    }
}

async fn post_message(
    State(state): State<WebState>,
    page: Page,
    ready: Ready,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let f = Fields(fields);
    let to = format!("/threads/{id}");
    let (ctx, client, lang) = (&state.ctx, &page.client, page.lang);
    act(&state, &page, ready, to, "thr-sent", |p| async move {
        service::post(ctx, client, &p, id.parse()?, f.get("body"), f.on("priority"), lang)
            .await
            .map(|_| ())
    })
    .await
}

async fn close(State(state): State<WebState>, page: Page, ready: Ready, Path(id): Path<String>) -> Response {
    let to = format!("/threads/{id}");
    let (ctx, client) = (&state.ctx, &page.client);
    act(&state, &page, ready, to, "thr-closed-done", |p| async move {
        service::set_closed(ctx, client, &p, id.parse()?, true).await
    })
    .await
}

async fn reopen(State(state): State<WebState>, page: Page, ready: Ready, Path(id): Path<String>) -> Response {
    let to = format!("/threads/{id}");
    let (ctx, client) = (&state.ctx, &page.client);
    act(&state, &page, ready, to, "thr-reopened-done", |p| async move {
        service::set_closed(ctx, client, &p, id.parse()?, false).await
    })
    .await
}

async fn priority(
    State(state): State<WebState>,
    page: Page,
    ready: Ready,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let high = Fields(fields).get("high") == "1";
    let to = format!("/threads/{id}");
    let (ctx, client) = (&state.ctx, &page.client);
    act(&state, &page, ready, to, "thr-priority-done", |p| async move {
        service::set_priority(ctx, client, &p, id.parse()?, high).await
    })
    .await
}

async fn duplicate(
    State(state): State<WebState>,
    page: Page,
    Ready { principal, .. }: Ready,
    Path(id): Path<String>,
) -> Response {
    let Ok(thread_id) = id.parse() else {
        return failure_page(page.lang, &AppError::NotFound);
    };
    match service::duplicate(&state.ctx, &page.client, &principal, thread_id, page.lang).await {
        Ok(t) => redirect_with_flash(&state, &format!("/threads/{}", t.id), "thr-duplicated"),
        Err(e) => failure_page(page.lang, &e),
    }
}

async fn leave(State(state): State<WebState>, page: Page, ready: Ready, Path(id): Path<String>) -> Response {
    let me = ready.view.user.id.clone();
    let (ctx, client) = (&state.ctx, &page.client);
    act(&state, &page, ready, "/threads".into(), "thr-left", |p| async move {
        let who = ParticipantRef {
            kind: ParticipantKind::User.as_str().into(),
            id: me,
        };
        service::remove_participant(ctx, client, &p, id.parse()?, &who).await
    })
    .await
}

async fn unread(State(state): State<WebState>, page: Page, ready: Ready, Path(id): Path<String>) -> Response {
    let ctx = &state.ctx;
    act(
        &state,
        &page,
        ready,
        "/threads".into(),
        "thr-marked-unread-done",
        |p| async move { service::mark_unread(ctx, &p, id.parse()?).await },
    )
    .await
}

async fn add_participants(
    State(state): State<WebState>,
    page: Page,
    ready: Ready,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let list: Vec<ParticipantRef> = chosen_of(&Fields(fields)).iter().map(Chosen::as_ref).collect();
    let to = format!("/threads/{id}");
    let (ctx, client) = (&state.ctx, &page.client);
    act(&state, &page, ready, to, "thr-participants-added", |p| async move {
        service::add_participants(ctx, client, &p, id.parse()?, &list)
            .await
            .map(|_| ())
    })
    .await
}

async fn remove_participant(
    State(state): State<WebState>,
    page: Page,
    ready: Ready,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let f = Fields(fields);
    let who = ParticipantRef {
        kind: f.get("kind").to_string(),
        id: f.get("id").to_string(),
    };
    let to = format!("/threads/{id}");
    let (ctx, client) = (&state.ctx, &page.client);
    act(&state, &page, ready, to, "thr-participant-removed", |p| async move {
        service::remove_participant(ctx, client, &p, id.parse()?, &who).await
    })
    .await
}

async fn acknowledge(
    State(state): State<WebState>,
    page: Page,
    ready: Ready,
    Path((id, message_id)): Path<(String, String)>,
) -> Response {
    let to = format!("/threads/{id}");
    let (ctx, client) = (&state.ctx, &page.client);
    act(&state, &page, ready, to, "thr-acknowledged", |p| async move {
        service::acknowledge(ctx, client, &p, message_id.parse()?).await
    })
    .await
}

async fn retract(
    State(state): State<WebState>,
    page: Page,
    ready: Ready,
    Path((id, message_id)): Path<(String, String)>,
) -> Response {
    let to = format!("/threads/{id}");
    let (ctx, client, lang) = (&state.ctx, &page.client, page.lang);
    act(&state, &page, ready, to, "thr-retracted-done", |p| async move {
        service::retract(ctx, client, &p, message_id.parse()?, lang)
            .await
            .map(|_| ())
    })
    .await
}

async fn edit(
    State(state): State<WebState>,
    page: Page,
    ready: Ready,
    Path((id, message_id)): Path<(String, String)>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let f = Fields(fields);
    let to = format!("/threads/{id}");
    let (ctx, client, lang) = (&state.ctx, &page.client, page.lang);
    act(&state, &page, ready, to, "thr-edited-done", |p| async move {
        service::edit(ctx, client, &p, message_id.parse()?, f.get("body"), lang)
            .await
            .map(|_| ())
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::rich;

    #[test]
    fn formatting_escapes_first() {
        let out =
            rich("<script>alert(1)</script> **gras** _penché_ @Hélène https://exemple.ca/a?b=1&c=2. javascript:x")
                .into_string();
        assert!(out.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "{out}");
        assert!(out.contains("<strong>gras</strong>"), "{out}");
        assert!(out.contains("<em>penché</em>"), "{out}");
        assert!(out.contains("<span class=\"thr-mention\">@Hélène</span>"), "{out}");
        assert!(
            out.contains("<a href=\"https://exemple.ca/a?b=1&amp;c=2\" rel=\"noopener noreferrer\" target=\"_blank\">"),
            "{out}"
        );
        assert!(!out.contains("href=\"javascript"), "{out}");
        let out = rich("a_b_c snake_case **").into_string();
        assert_eq!(out, "a_b_c snake_case **");
        let out = rich("ligne 1\nligne <2>").into_string();
        assert_eq!(out, "ligne 1<br>ligne &lt;2&gt;");
    }
}
