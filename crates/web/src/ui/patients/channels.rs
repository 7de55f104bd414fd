//! Care channel pages for professionals (SPEC 5): one's channels
//! (`/channels`), a patient file's channels with "Create a channel"
//! (`/patients/{id}/channels`), and a channel (`/channels/{id}`): its
//! threads, a new thread (the first message starts a draft channel), its
//! participants (the patient in pink, responsible persons in green, with
//! their state) and pinned documents with their versions and "update".
//! Every page calls `cercle_app::patients::channels`, which audits each read.

use crate::error_page::failure_page;
use crate::guard::RouteList;
use crate::ui::page::Fields;
use crate::ui::page::{app_layout, error_notice, icon, redirect_with_flash, Page, Ready};
use crate::ui::threads::pages::{candidates, picker, Chosen};
use crate::WebState;
use axum::extract::{Form, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use cercle_app::accounts::SessionView;
use cercle_app::orgs::OrgScope;
use cercle_app::patients::channels::{self, Channel, ChannelParticipant, CircleChoice, NewChannel, NewChannelThread};
use cercle_app::patients::files;
use cercle_app::patients::pinned::{self, Pinnable, PinnedDocument};
use cercle_app::threads::care_channels;
use cercle_app::threads::service::{ListedThread, ParticipantRef};
use cercle_app::AppError;
use cercle_domain::policy::Principal;
use cercle_domain::{ChannelId, PatientFileId};
use maud::{html, Markup};
use serde::Deserialize;

/// Professionals only (see `crate::guard`).
pub fn routes() -> RouteList {
    RouteList::new()
        .route("/channels", get(mine))
        .route("/patients/{id}/channels", get(of_file).post(create))
        .route("/channels/{id}/participants", post(add_participants))
        .route("/channels/{id}/participants/remove", post(remove_participant))
        .route("/channels/{id}/pin", post(pin))
}

/// A channel (a circle member is sent to its care-space page) and a new thread in it: everyone in it.
pub fn shared_routes() -> Router<WebState> {
    Router::new()
        .route("/channels/{id}", get(show))
        .route("/channels/{id}/threads", post(start_thread))
}

/// The participants chosen in a form: `user:ID|Name`, `team:ID|Name`,
/// `circle:ID` (each once).
fn chosen_refs(f: &Fields) -> Vec<ParticipantRef> {
    let mut out: Vec<ParticipantRef> = Vec::new();
    for raw in f.all("participant") {
        let head = raw.split_once('|').map_or(raw, |(h, _)| h);
        let Some((kind, id)) = head.split_once(':') else {
            continue;
        };
        if !matches!(kind, "user" | "team" | "circle") || id.is_empty() || id.len() > 64 {
            continue;
        }
        let r = ParticipantRef {
            kind: kind.to_string(),
            id: id.to_string(),
        };
        if !out.contains(&r) {
            out.push(r);
        }
    }
    out
}

fn chosen_people(f: &Fields) -> Vec<Chosen> {
    f.all("participant").into_iter().filter_map(Chosen::parse).collect()
}

fn circle_redirect(view: &SessionView) -> Option<Response> {
    view.user.circle_only.then(|| Redirect::to("/care").into_response())
}

// ---- Shared pieces (also on the patient's pages) ------------------------------------

/// The class and label of a circle member's state.
pub(super) fn state_label(page: &Page, state: &str) -> String {
    page.t(&format!("chan-state-{state}"))
}

/// The participant list: professionals and teams, then the patient (pink)
/// and responsible persons (green) and observers, with their state.
pub(super) fn participants_list(page: &Page, c: &Channel, remove: bool) -> Markup {
    let base = format!("/channels/{}", c.id);
    let removable = |p: &ChannelParticipant| remove && (p.kind != "circle" || c.may_manage_circle);
    html! {
        ul class="chan-people" data-testid="channel-participants" {
            @for p in &c.participants {
                @let section = p.section.clone().unwrap_or_default();
                li class=(format!("chan-person chan-{}", if p.kind == "circle" { section.as_str() } else { p.kind.as_str() })) data-kind=(p.kind) data-id=(p.id) {
                    span class="chan-avatar" aria-hidden="true" {
                        @if p.kind == "team" { (icon("teams")) } @else { (crate::ui::page::initials(&p.name)) }
                    }
                    span class="chan-person-main" {
                        span class="chan-person-name" { (p.name) }
                        span class="muted small chan-person-role" {
                            @match p.kind.as_str() {
                                "team" => { (page.t("chan-kind-team")) }
                                "user" => { (page.t("chan-kind-professional")) }
                                _ => {
                                    (page.t(&format!("chan-section-{section}")))
                                    @if let Some(st) = &p.state {
                                        " · " span class=(format!("chan-state chan-state-{st}")) data-testid="circle-state" { (state_label(page, st)) }
                                    }
                                }
                            }
                        }
                    }
                    @if removable(p) {
                        form method="post" action=(format!("{base}/participants/remove")) class="chan-remove" {
                            (page.csrf_field())
                            input type="hidden" name="kind" value=(p.kind);
                            input type="hidden" name="id" value=(p.id);
                            button type="submit" class="linklike small danger-link" data-thr-confirm=(page.ta("thr-remove-confirm", &[("name", &p.name)])) { (page.t("thr-remove")) }
                        }
                    }
                }
            }
        }
    }
}

/// A document's extension as a small badge ("PDF", "DOCX"…).
fn doc_badge(name: &str) -> String {
    match name.rsplit_once('.') {
        Some((_, ext)) if !ext.is_empty() && ext.len() <= 4 => ext.to_uppercase(),
        _ => "DOC".into(),
    }
}

/// The pinned documents with every version (download links), and for
/// professionals "update" (a new version, sent by the `chan-` script).
pub(super) fn pinned_section(
    page: &Page,
    docs: &[PinnedDocument],
    may_update: bool,
    pinnable: &[Pinnable],
    channel_id: &str,
) -> Markup {
    html! {
        section class="card chan-pinned" aria-labelledby="chan-pinned-title" data-testid="pinned" {
            h2 id="chan-pinned-title" { (page.t("chan-pinned")) }
            @if docs.is_empty() { p class="muted" { (page.t("chan-pinned-none")) } }
            @for d in docs {
                @let current = d.versions.iter().find(|v| v.version == d.current_version);
                div class="chan-doc" data-testid="pinned-doc" {
                    div class="chan-doc-head" {
                        span class="chan-doc-icon" aria-hidden="true" { (doc_badge(&d.name)) }
                        div class="chan-doc-main" {
                            @if let Some(v) = current {
                                a class="chan-doc-name" href=(format!("/threads/files/{}", v.attachment_id)) download { (d.name) }
                            } @else {
                                span class="chan-doc-name" { (d.name) }
                            }
                            span class="muted small" { (page.ta("chan-version-n", &[("n", &d.current_version.to_string())])) }
                        }
                    }
                    details class="chan-history" {
                        summary class="small" { (page.ta("chan-history", &[("count", &d.versions.len().to_string())])) }
                        ol class="chan-versions" reversed data-testid="versions" {
                            @for v in d.versions.iter().rev() {
                                li {
                                    a href=(format!("/threads/files/{}", v.attachment_id)) download { (page.ta("chan-version-n", &[("n", &v.version.to_string())])) }
                                    span class="muted small" { " · " (v.added_by_name) " · " (page.date_time(v.added_at)) }
                                    " · " a class="small" href=(format!("/threads/{}", v.thread_id)) { (page.t("chan-version-thread")) }
                                }
                            }
                        }
                    }
                    @if may_update {
                        div class="chan-update" data-chan-update=(d.id) data-name=(d.name)
                            data-msg-sending=(page.t("att-sending")) data-msg-failed=(page.t("att-failed")) data-msg-done=(page.t("chan-updated")) {
                            label class="button secondary small" for=(format!("chan-up-{}", d.id)) {
                                (page.t("chan-update"))
                                input type="file" id=(format!("chan-up-{}", d.id)) class="visually-hidden" data-chan-file;
                            }
                            span class="small chan-update-status" role="status" aria-live="polite" data-chan-status {}
                        }
                    }
                }
            }
            @if may_update && !pinnable.is_empty() {
                details class="chan-pin" {
                    summary class="linklike" { (page.t("chan-pin")) }
                    form method="post" action=(format!("/channels/{channel_id}/pin")) class="stack" {
                        (page.csrf_field())
                        div class="field" {
                            label for="chan-pin-choice" { (page.t("chan-pin-choose")) }
                            select id="chan-pin-choice" name="attachment_id" {
                                @for a in pinnable {
                                    option value=(a.attachment_id) { (a.name) " — " (a.thread_title) }
                                }
                            }
                        }
                        button type="submit" class="primary small" data-testid="pin" { (page.t("chan-pin-submit")) }
                    }
                }
            }
        }
    }
}

/// The channel's threads, open or closed, as links.
pub(super) fn thread_items(page: &Page, threads: &[ListedThread]) -> Markup {
    html! {
        ul class="thr-items card chan-threads" data-testid="channel-threads" {
            @for t in threads {
                @let unread = t.unread > 0 || t.marked_unread;
                li class=(if unread { "thr-item unread" } else { "thr-item" }) data-id=(t.id) {
                    span class="thr-kind" aria-hidden="true" { (icon("threads")) }
                    div class="thr-item-main" {
                        a class="thr-item-title" href=(format!("/threads/{}", t.id)) { (t.title) }
                        div class="muted small" { (page.date_time(t.last_activity_at)) }
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
    }
}

/// "New thread in this channel": title and first message.
pub(super) fn new_thread_form(page: &Page, action: &str, first: bool, error: Option<&AppError>) -> Markup {
    html! {
        form class="card stack chan-new-thread" method="post" action=(action) data-testid="channel-new-thread" {
            (page.csrf_field())
            h2 { (if first { page.t("chan-first-message") } else { page.t("chan-new-thread") }) }
            @if first { p class="hint" { (page.t("chan-first-message-hint")) } }
            @if let Some(e) = error { (error_notice(page.lang, e)) }
            div class="field" {
                label for="chan-thread-title" { (page.t("thr-title-label")) }
                input id="chan-thread-title" name="title" maxlength="200" required;
            }
            div class="field" {
                label for="chan-thread-body" { (page.t("thr-message")) }
                textarea id="chan-thread-body" name="body" rows="3" maxlength="10000" required placeholder=(page.t("thr-message-placeholder")) {}
            }
            div class="actions-row" {
                button type="submit" class="primary" data-testid="channel-send" { (page.t("thr-send")) }
            }
        }
    }
}

/// Tabs open / closed of a channel's threads.
pub(super) fn tabs(page: &Page, base: &str, closed: bool) -> Markup {
    html! {
        nav class="subnav thr-tabs" aria-label=(page.t("chan-threads")) {
            a href=(base) aria-current=[(!closed).then_some("page")] { (page.t("thr-tab-open")) }
            a href=(format!("{base}?closed=1")) aria-current=[closed.then_some("page")] data-testid="tab-closed" { (page.t("thr-tab-closed")) }
        }
    }
}

#[derive(Deserialize, Default)]
pub(super) struct ClosedQuery {
    #[serde(default)]
    pub(super) closed: Option<String>,
}

impl ClosedQuery {
    pub(super) fn closed(&self) -> bool {
        self.closed.as_deref().is_some_and(|c| c == "1" || c == "true")
    }
}

// ---- One's channels -------------------------------------------------------------------

fn channel_item(page: &Page, c: &Channel, href: String) -> Markup {
    html! {
        li class="thr-item chan-item" data-id=(c.id) {
            span class="thr-kind" aria-hidden="true" { (icon("channels")) }
            div class="thr-item-main" {
                a class="thr-item-title" href=(href) { (c.title) }
                div class="muted small" {
                    @if let Some(p) = &c.patient_name { span class="thr-patient" { (p) } " · " }
                    (page.ta("chan-participants-count", &[("count", &c.participants.len().to_string())]))
                }
            }
            div class="thr-item-badges" {
                @if c.draft { span class="badge" data-testid="draft" { (page.t("chan-draft")) } }
                @if c.unread > 0 { span class="badge thr-unread" { (c.unread) } }
            }
        }
    }
}

async fn mine(State(state): State<WebState>, page: Page, Ready { view, principal }: Ready) -> Response {
    if let Some(r) = circle_redirect(&view) {
        return r;
    }
    let list = channels::mine(&state.ctx, &page.client, &principal).await;
    let title = page.t("chan-title");
    let content = html! {
        h1 { (title) }
        p class="muted" { (page.t("chan-intro")) }
        @match &list {
            Err(e) => { (error_notice(page.lang, e)) }
            Ok(list) if list.is_empty() => {
                div class="empty card" data-testid="channels-empty" {
                    (icon("channels"))
                    p { strong { (page.t("chan-none")) } }
                    p { a class="button secondary" href="/patients" { (page.t("chan-go-patients")) } }
                }
            }
            Ok(list) => {
                ul class="thr-items card" data-testid="channels" {
                    @for c in list {
                        (channel_item(&page, c, if c.role == "circle" { format!("/care/{}", c.id) } else { format!("/channels/{}", c.id) }))
                    }
                }
            }
        }
    };
    app_layout(&state, &page, &view, &title, content).await
}

// ---- A patient file's channels, and "Create a channel" -------------------------------

#[derive(Default)]
struct Draft {
    title: String,
    q: String,
    chosen: Vec<ParticipantRef>,
}

async fn of_file(
    State(state): State<WebState>,
    page: Page,
    Ready { view, principal }: Ready,
    Path(id): Path<String>,
) -> Response {
    file_page(
        &state,
        &page,
        &view,
        &principal,
        &id,
        Draft::default(),
        None,
        Vec::new(),
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn file_page(
    state: &WebState,
    page: &Page,
    view: &SessionView,
    principal: &Principal,
    file_id: &str,
    d: Draft,
    error: Option<AppError>,
    chosen_people: Vec<Chosen>,
) -> Response {
    let fid: PatientFileId = match file_id.parse() {
        Ok(f) => f,
        Err(e) => return failure_page(page.lang, &AppError::from(e)),
    };
    let file = match OrgScope::of(&state.ctx, principal).await {
        Ok(scope) => files::show(&state.ctx, &page.client, &scope, fid).await,
        Err(_) => Err(AppError::NotFound),
    };
    let file = match file {
        Ok(f) => f,
        Err(e) => return failure_page(page.lang, &e),
    };
    let list = channels::list_of_file(&state.ctx, &page.client, principal, fid).await;
    let circle: Vec<CircleChoice> = channels::circle_choices(&state.ctx, principal, fid)
        .await
        .unwrap_or_default();
    let c = candidates(state, page, principal, &d.q).await;
    let me = view.user.id.clone();
    let name = format!("{} {}", file.first_name, file.last_name);
    let title = page.ta("chan-of-file", &[("name", &name)]);
    let is_chosen = |kind: &str, id: &str| d.chosen.iter().any(|r| r.kind == kind && r.id == id);
    let content = html! {
        p class="thr-back" { a href=(format!("/patients/{file_id}")) { "← " (name) } }
        h1 { (title) }
        @match &list {
            Err(e) => { (error_notice(page.lang, e)) }
            Ok(list) if list.is_empty() => { p class="muted" data-testid="file-channels-empty" { (page.t("chan-none-file")) } }
            Ok(list) => {
                ul class="thr-items card" data-testid="file-channels" {
                    @for ch in list { (channel_item(page, ch, format!("/channels/{}", ch.id))) }
                }
            }
        }
        @if file.archived {
            p class="notice" { (page.t("error-patient-archived")) }
        } @else {
            details class="card chan-create" open[error.is_some() || !d.q.is_empty()] data-testid="create-channel" {
                summary { strong { (page.t("chan-create")) } }
                @if let Some(e) = &error { (error_notice(page.lang, e)) }
                form method="post" action=(format!("/patients/{file_id}/channels")) class="stack" data-testid="create-channel-form" {
                    (page.csrf_field())
                    button type="submit" name="op" value="create" class="visually-hidden" tabindex="-1" aria-hidden="true" { (page.t("chan-create-submit")) }
                    div class="field" {
                        label for="chan-title" { (page.t("chan-title-label")) }
                        input id="chan-title" name="title" value=(d.title) maxlength="120" required aria-describedby="chan-title-hint";
                        p class="hint" id="chan-title-hint" { (page.t("chan-title-hint")) }
                    }
                    fieldset {
                        legend { (page.t("chan-professionals")) }
                        (picker(page, &me, &c, &chosen_people, &d.q, &[], true))
                    }
                    @if !circle.is_empty() {
                        fieldset class="checks chan-circle-choices" data-testid="circle-choices" {
                            legend { (page.t("chan-circle")) }
                            @for section in ["patient", "responsible", "observer"] {
                                @let members: Vec<&CircleChoice> = circle.iter().filter(|m| m.section == section).collect();
                                @if !members.is_empty() {
                                    p class="chan-section-title" { (page.t(&format!("chan-section-title-{section}"))) }
                                    @for m in members {
                                        label class=(format!("chan-choice chan-{section}")) {
                                            input type="checkbox" name="participant" value=(format!("circle:{}", m.id)) checked[is_chosen("circle", &m.id)];
                                            " " (m.name) " "
                                            span class=(format!("small chan-state chan-state-{}", m.state)) { (state_label(page, &m.state)) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                    div class="actions-row" {
                        button type="submit" name="op" value="create" class="primary" data-testid="create-channel-submit" { (page.t("chan-create-submit")) }
                    }
                }
            }
        }
    };
    app_layout(state, page, view, &title, content).await
}

async fn create(
    State(state): State<WebState>,
    page: Page,
    Ready { view, principal }: Ready,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let f = Fields(fields);
    let d = Draft {
        title: f.get("title").to_string(),
        q: f.get("q").to_string(),
        chosen: chosen_refs(&f),
    };
    let people = chosen_people(&f);
    if f.get("op") == "search" {
        return file_page(&state, &page, &view, &principal, &id, d, None, people).await;
    }
    let input = NewChannel {
        title: d.title.clone(),
        participants: d.chosen.clone(),
    };
    let created = match id.parse::<PatientFileId>() {
        Ok(fid) => channels::create(&state.ctx, &page.client, &principal, fid, &input).await,
        Err(e) => Err(e.into()),
    };
    match created {
        Ok(c) => redirect_with_flash(&state, &format!("/channels/{}", c.id), "chan-created"),
        Err(e) => file_page(&state, &page, &view, &principal, &id, d, Some(e), people).await,
    }
}

// ---- A channel ------------------------------------------------------------------------

async fn show(
    State(state): State<WebState>,
    page: Page,
    Ready { view, principal }: Ready,
    Path(id): Path<String>,
    Query(q): Query<ClosedQuery>,
) -> Response {
    channel_page(&state, &page, &view, &principal, &id, q.closed(), None).await
}

async fn channel_page(
    state: &WebState,
    page: &Page,
    view: &SessionView,
    principal: &Principal,
    id: &str,
    closed: bool,
    error: Option<AppError>,
) -> Response {
    let id: ChannelId = match id.parse() {
        Ok(id) => id,
        Err(e) => return failure_page(page.lang, &AppError::from(e)),
    };
    let c = match channels::show(&state.ctx, &page.client, principal, id).await {
        Ok(c) => c,
        Err(e) => return failure_page(page.lang, &e),
    };
    if c.role == "circle" {
        return Redirect::to(&format!("/care/{}", c.id)).into_response();
    }
    let threads = channels::threads(&state.ctx, &page.client, principal, id, closed, page.lang)
        .await
        .unwrap_or_default();
    let docs = pinned::list(&state.ctx, &page.client, principal, id)
        .await
        .unwrap_or_default();
    let pinnable = pinned::pinnable(&state.ctx, principal, id, page.lang)
        .await
        .unwrap_or_default();
    let file_id = c.patient_file_id.parse::<PatientFileId>().ok();
    let circle: Vec<CircleChoice> = if let (true, Some(fid)) = (c.may_manage_circle, file_id) {
        channels::circle_choices(&state.ctx, principal, fid)
            .await
            .unwrap_or_default()
            .into_iter()
            .filter(|m| !c.participants.iter().any(|p| p.kind == "circle" && p.id == m.id))
            .collect()
    } else {
        Vec::new()
    };
    let cand = candidates(state, page, principal, "").await;
    let me = view.user.id.clone();
    let present: Vec<String> = c.participants.iter().map(|p| p.id.clone()).collect();
    let base = format!("/channels/{}", c.id);
    let content = html! {
        p class="thr-back" {
            a href="/channels" { "← " (page.t("chan-title")) }
            @if let Some(p) = &c.patient_name { " · " a href=(format!("/patients/{}", c.patient_file_id)) { (p) } }
        }
        header class="card chan-head" {
            p class="eyebrow" { (page.t("chan-eyebrow")) }
            h1 data-testid="channel-title" { (c.title) }
            @if c.draft {
                p class="notice chan-draft-notice" data-testid="draft-notice" { (page.t("chan-draft-hint")) }
            }
        }
        div class="chan-columns" {
            div class="chan-main" {
                @if c.draft {
                    (new_thread_form(page, &format!("{base}/threads"), true, error.as_ref()))
                } @else {
                    div class="thr-list-head" {
                        h2 { (page.t("chan-threads")) }
                    }
                    (tabs(page, &base, closed))
                    @if threads.is_empty() {
                        p class="muted" { (if closed { page.t("thr-none-closed") } else { page.t("chan-no-threads") }) }
                    } @else {
                        (thread_items(page, &threads))
                    }
                    details class="chan-new" open[error.is_some()] {
                        summary class="button primary" data-testid="new-channel-thread" { (page.t("chan-new-thread")) }
                        (new_thread_form(page, &format!("{base}/threads"), false, error.as_ref()))
                    }
                }
            }
            aside class="chan-side" {
                section class="card" aria-labelledby="chan-people-title" {
                    h2 id="chan-people-title" { (page.t("chan-participants")) }
                    (participants_list(page, &c, true))
                    details class="thr-add" {
                        summary class="linklike" data-testid="add-channel-participants" { (page.t("chan-add-participants")) }
                        form method="post" action=(format!("{base}/participants")) class="stack" {
                            (page.csrf_field())
                            (picker(page, &me, &cand, &[], "", &present, false))
                            @if !circle.is_empty() {
                                fieldset class="checks chan-circle-choices" {
                                    legend { (page.t("chan-circle")) }
                                    @for m in &circle {
                                        label class=(format!("chan-choice chan-{}", m.section)) {
                                            input type="checkbox" name="participant" value=(format!("circle:{}", m.id));
                                            " " (m.name) " "
                                            span class="muted small" { (page.t(&format!("chan-section-{}", m.section))) " · " (state_label(page, &m.state)) }
                                        }
                                    }
                                }
                            }
                            button type="submit" class="primary small" { (page.t("thr-add")) }
                        }
                    }
                }
                (pinned_section(page, &docs, true, &pinnable, &c.id))
            }
        }
    };
    app_layout(state, page, view, &c.title, content).await
}

async fn start_thread(
    State(state): State<WebState>,
    page: Page,
    Ready { view, principal }: Ready,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let f = Fields(fields);
    let input = NewChannelThread {
        title: f.get("title").to_string(),
        body: f.get("body").to_string(),
        high_priority: f.on("high_priority"),
    };
    // A text that is no id names no channel: the same answer as one that
    // names none.
    let started = match id.parse::<ChannelId>() {
        Ok(cid) => care_channels::start_thread(&state.ctx, &page.client, &principal, cid, &input, page.lang).await,
        Err(e) => Err(AppError::from(e)),
    };
    match started {
        Ok(t) => Redirect::to(&format!("/threads/{}", t.id)).into_response(),
        Err(e) => {
            if view.user.circle_only {
                return failure_page(page.lang, &e);
            }
            channel_page(&state, &page, &view, &principal, &id, false, Some(e)).await
        }
    }
}

async fn add_participants(
    State(state): State<WebState>,
    page: Page,
    Ready { principal, .. }: Ready,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let cid: ChannelId = match id.parse() {
        Ok(id) => id,
        Err(e) => return failure_page(page.lang, &AppError::from(e)),
    };
    for who in chosen_refs(&Fields(fields)) {
        if let Err(e) = channels::add_participant(&state.ctx, &page.client, &principal, cid, &who).await {
            return failure_page(page.lang, &e);
        }
    }
    redirect_with_flash(&state, &format!("/channels/{id}"), "thr-participants-added")
}

async fn remove_participant(
    State(state): State<WebState>,
    page: Page,
    Ready { principal, .. }: Ready,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let f = Fields(fields);
    let who = ParticipantRef {
        kind: f.get("kind").to_string(),
        id: f.get("id").to_string(),
    };
    let removed = match id.parse::<ChannelId>() {
        Ok(cid) => care_channels::remove_participant(&state.ctx, &page.client, &principal, cid, &who).await,
        Err(e) => Err(AppError::from(e)),
    };
    match removed {
        Ok(c) if c.may_manage => redirect_with_flash(&state, &format!("/channels/{id}"), "thr-participant-removed"),
        Ok(_) => redirect_with_flash(&state, "/channels", "thr-participant-removed"),
        Err(e) => failure_page(page.lang, &e),
    }
}

async fn pin(
    State(state): State<WebState>,
    page: Page,
    Ready { principal, .. }: Ready,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let f = Fields(fields);
    let done = match (id.parse(), f.get("attachment_id").parse()) {
        (Ok(channel), Ok(attachment)) => pinned::pin(&state.ctx, &page.client, &principal, channel, attachment).await,
        _ => Err(AppError::NotFound),
    };
    match done {
        Ok(_) => redirect_with_flash(&state, &format!("/channels/{id}"), "chan-pinned-done"),
        Err(e) => failure_page(page.lang, &e),
    }
}
