//! Attachments in the web app (SPEC 6): the files themselves for `<img>`,
//! `<audio>` and `<video>` (the JSON API wants a CSRF header these cannot
//! send), the gallery of a thread, and the composer's controls: attach a
//! file, edit a photo before sending (crop, rotate, draw, blur), record a
//! voice message. The script (`static/js/attachments.js`) sends files to
//! `PUT /api/v1/threads/{id}/files` with the page's CSRF token.
//!
//! The thread page uses [`composer_controls`] inside its composer and
//! [`attachment_view`] inside each message; its live rendering calls
//! `window.cercleAttachments.render(attachmentJson)` for the same markup.

use crate::ui::page::{app_layout, error_notice, Page, Ready};
use crate::WebState;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use cercle_app::accounts::SessionView;
use cercle_app::threads::attachments::{self, GalleryItem};
use cercle_app::threads::service::{self, AttachmentView, ThreadView};
use cercle_app::threads::uploads::{MAX_DOCUMENT, MAX_PHOTO, MAX_VIDEO, MAX_VOICE, THUMBNAIL_MAX_SIDE};
use cercle_app::AppError;
use cercle_domain::policy::Principal;
use cercle_domain::threads::ParticipantKind;
use cercle_domain::{Language, ThreadId};
use maud::{html, Markup};

pub fn routes() -> Router<WebState> {
    Router::new()
        .route("/threads/files/{id}", get(file))
        .route("/threads/files/{id}/thumb", get(thumb))
        .route("/threads/{id}/gallery", get(gallery_page))
        .route("/threads/{id}/attach", get(attach_page))
}

/// What the file input offers (the server decides from the content anyway).
const ACCEPT: &str = "image/jpeg,image/png,image/webp,video/mp4,video/quicktime,video/webm,\
    audio/*,application/pdf,text/plain,application/rtf,.pdf,.txt,.rtf,.doc,.docx,.xls,.xlsx,.ppt,.pptx,\
    .jpg,.jpeg,.png,.webp,.mp4,.mov,.webm,.m4a,.mp3,.ogg,.opus,.wav";

/// The few icons of these controls (drawn like `ui::icon`).
fn icon(name: &str) -> Markup {
    let path = match name {
        "attach" => {
            "M20 11.5l-7.8 7.8a5 5 0 0 1-7.1-7.1l8.5-8.5a3.3 3.3 0 0 1 4.7 4.7l-8.5 8.5a1.7 1.7 0 0 1-2.4-2.4L15 7"
        }
        "voice" => "M12 3a3 3 0 0 0-3 3v6a3 3 0 0 0 6 0V6a3 3 0 0 0-3-3zM5 11a7 7 0 0 0 14 0M12 18v3",
        _ => return crate::ui::page::icon(name),
    };
    html! {
        svg class="icon" viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false" {
            path d=(path) fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" {}
        }
    }
}

/// A size for people: "820 KB", "1.4 MB" ("820 ko", "1,4 Mo" in French).
pub fn human_size(page: &Page, bytes: i64) -> String {
    let bytes = bytes.max(0) as f64;
    let (id, n) = if bytes < 1024.0 {
        ("att-size-b", format!("{bytes:.0}"))
    } else if bytes < 1024.0 * 1024.0 {
        ("att-size-kb", format!("{:.0}", (bytes / 1024.0).max(1.0)))
    } else {
        ("att-size-mb", format!("{:.1}", bytes / (1024.0 * 1024.0)))
    };
    let n = match page.lang {
        Language::Fr => n.replace('.', ","),
        Language::En => n,
    };
    page.ta(id, &[("n", &n)])
}

/// The URL of an attachment for the pages (participants only).
fn file_url(id: &str) -> String {
    format!("/threads/files/{id}")
}

/// The thumbnail's displayed size, from the stored photo's size.
fn thumb_size(width: Option<i64>, height: Option<i64>) -> Option<(i64, i64)> {
    let (w, h) = (width?, height?);
    if w <= 0 || h <= 0 {
        return None;
    }
    let max = i64::from(THUMBNAIL_MAX_SIDE);
    let long = w.max(h);
    if long <= max {
        return Some((w, h));
    }
    Some(((w * max / long).max(1), (h * max / long).max(1)))
}

/// The file's extension, shown on a document's icon.
fn doc_badge(name: &str) -> String {
    name.rsplit_once('.')
        .map(|(_, e)| e)
        .filter(|e| !e.is_empty() && e.len() <= 4)
        .unwrap_or("doc")
        .to_ascii_uppercase()
}

/// How an attachment shows inside a message: a photo's thumbnail linking
/// to the photo, a video or voice player, a document's name and size.
/// The script's `window.cercleAttachments.render(json)` builds the same.
pub fn attachment_view(page: &Page, a: &AttachmentView) -> Markup {
    let url = file_url(&a.id);
    let size = human_size(page, a.size);
    html! {
        div class=(format!("att att-{}", a.kind)) data-att-id=(a.id) data-att-kind=(a.kind) {
            @match a.kind.as_str() {
                "photo" => {
                    a class="att-photo-link" href=(url) target="_blank" rel="noopener" title=(a.name) {
                        @let src = if a.has_thumbnail { format!("{url}/thumb") } else { url.clone() };
                        @if let Some((w, h)) = thumb_size(a.width, a.height) {
                            img class="att-thumb" src=(src) alt=(page.ta("att-photo-alt", &[("name", &a.name)])) loading="lazy" width=(w) height=(h);
                        } @else {
                            img class="att-thumb" src=(src) alt=(page.ta("att-photo-alt", &[("name", &a.name)])) loading="lazy";
                        }
                    }
                },
                "video" => {
                    video class="att-video-player" controls preload="metadata" src=(url) title=(a.name) {}
                    span class="att-meta" { (a.name) " · " (size) }
                },
                "voice" => {
                    span class="att-voice-label" { (icon("voice")) (page.t("att-voice-label")) }
                    audio class="att-audio" controls preload="metadata" src=(url) data-att-audio aria-label=(page.t("att-voice-label")) {}
                },
                _ => {
                    a class="att-doc-link" href=(url) download=(a.name) data-att-type=(a.content_type) {
                        span class="att-doc-icon" aria-hidden="true" { (doc_badge(&a.name)) }
                        span class="att-doc-text" {
                            span class="att-doc-name" { (a.name) }
                            span class="att-meta" { (size) " · " (page.t("att-download")) }
                        }
                    }
                },
            }
        }
    }
}

/// The translated words the script needs to render attachments arriving
/// live (`window.cercleAttachments.render`). [`composer_controls`] includes
/// it; a page showing messages without the composer (a closed thread)
/// includes it once itself.
pub fn render_labels(page: &Page) -> Markup {
    html! {
        span hidden data-att-labels
            data-photo-alt=(page.ta("att-photo-alt", &[("name", "{name}")]))
            data-voice=(page.t("att-voice-label"))
            data-download=(page.t("att-download"))
            data-size-b=(page.ta("att-size-b", &[("n", "{n}")]))
            data-size-kb=(page.ta("att-size-kb", &[("n", "{n}")]))
            data-size-mb=(page.ta("att-size-mb", &[("n", "{n}")])) {}
    }
}

/// The composer's attachment controls: attach a file (photos open the
/// editor first), record a voice message, the progress of a sending and
/// its refusal in words. After a sending the script dispatches
/// `cercle:message-sent` on `document` with the new message (the API's
/// JSON) as `detail`; the message also arrives through the live events.
pub fn composer_controls(page: &Page, thread_id: &str) -> Markup {
    let file_id = format!("att-file-{thread_id}");
    html! {
        div class="att-controls" data-att-controls data-thread=(thread_id)
            data-max-photo=(MAX_PHOTO) data-max-video=(MAX_VIDEO) data-max-voice=(MAX_VOICE) data-max-document=(MAX_DOCUMENT)
            data-msg-file-too-large=(page.t("error-file-too-large"))
            data-msg-file-empty=(page.t("error-file-empty"))
            data-msg-file-mismatch=(page.t("error-file-mismatch"))
            data-msg-file-not-allowed=(page.t("error-file-not-allowed"))
            data-msg-file-damaged=(page.t("error-file-damaged"))
            data-msg-failed=(page.t("att-failed"))
            data-msg-sending=(page.t("att-sending"))
            data-msg-sent=(page.t("att-sent"))
            data-msg-mic=(page.t("att-mic-denied"))
            data-msg-rec-unsupported=(page.t("att-rec-unsupported"))
            data-msg-rec-ready=(page.t("att-rec-ready"))
            data-msg-hint-crop=(page.t("att-tool-hint-crop"))
            data-msg-hint-draw=(page.t("att-tool-hint-draw"))
            data-msg-hint-blur=(page.t("att-tool-hint-blur")) {
            (render_labels(page))
            div class="att-bar" {
                label class="button secondary att-button" for=(file_id) title=(page.t("att-limits")) {
                    (icon("attach"))
                    span { (page.t("att-attach")) }
                    input type="file" id=(file_id) class="visually-hidden" accept=(ACCEPT) data-att-file;
                }
                button type="button" class="secondary att-button" data-att-record {
                    (icon("voice"))
                    span { (page.t("att-record")) }
                }
            }
            div class="att-panel" data-att-panel hidden {
                div class="att-editor" data-att-editor hidden {
                    p class="att-panel-title" { strong { (page.t("att-editor-title")) } }
                    p class="hint att-hint" { (page.t("att-editor-hint")) }
                    div class="att-tools" role="toolbar" aria-label=(page.t("att-tools-label")) {
                        button type="button" class="secondary small" data-att-tool="crop" aria-pressed="false" { (page.t("att-tool-crop")) }
                        button type="button" class="secondary small" data-att-action="rotate" { (page.t("att-tool-rotate")) }
                        button type="button" class="secondary small" data-att-tool="draw" aria-pressed="false" { (page.t("att-tool-draw")) }
                        button type="button" class="secondary small" data-att-tool="blur" aria-pressed="false" { (page.t("att-tool-blur")) }
                        button type="button" class="secondary small" data-att-action="undo" disabled { (page.t("att-tool-undo")) }
                        button type="button" class="secondary small" data-att-action="reset" disabled { (page.t("att-tool-reset")) }
                    }
                    p class="att-tool-hint" data-att-tool-hint aria-live="polite" {}
                    div class="att-stage" {
                        canvas class="att-canvas" data-att-canvas width="10" height="10" role="img" aria-label=(page.t("att-canvas-label")) {}
                    }
                }
                div class="att-recorder" data-att-recorder hidden {
                    p class="att-rec-line" {
                        span class="att-rec-dot" aria-hidden="true" {}
                        span data-att-rec-state { (page.t("att-recording")) }
                        " "
                        span class="att-elapsed mono" data-att-elapsed role="timer" { "0:00" }
                    }
                    button type="button" class="secondary small" data-att-stop { (page.t("att-stop")) }
                    audio class="att-audio" controls data-att-preview hidden {}
                }
                div class="att-file" data-att-chosen hidden {
                    span class="att-doc-icon" aria-hidden="true" data-att-chosen-badge {}
                    span class="att-doc-text" {
                        span class="att-doc-name" data-att-chosen-name {}
                        span class="att-meta" data-att-chosen-size {}
                    }
                }
                div class="field att-caption" {
                    label for=(format!("att-caption-{thread_id}")) { (page.t("att-caption")) }
                    input type="text" id=(format!("att-caption-{thread_id}")) maxlength="1000" autocomplete="off" data-att-caption;
                }
                div class="row att-actions" {
                    button type="button" class="primary att-send" data-att-send { (page.t("att-send")) }
                    button type="button" class="secondary" data-att-cancel { (page.t("action-cancel")) }
                }
            }
            progress class="att-progress" max="100" value="0" data-att-progress hidden {}
            p class="att-status" role="status" aria-live="polite" data-att-status {}
        }
    }
}

/// The gallery: photos in a grid, then videos, voice messages, documents.
fn gallery_section(page: &Page, t: &ThreadView, items: &[GalleryItem], titled: bool) -> Markup {
    let name_of = |id: &str| {
        t.participants
            .iter()
            .find(|p| p.kind == ParticipantKind::User && p.id == id)
            .map(|p| p.name.clone())
    };
    let sections = [
        ("photo", "att-section-photos", "att-grid"),
        ("video", "att-section-videos", "att-list"),
        ("voice", "att-section-voice", "att-list"),
        ("document", "att-section-documents", "att-list"),
    ];
    html! {
        section class="att-gallery" data-att-gallery aria-labelledby="att-gallery-title" {
            h2 id="att-gallery-title" class=[(!titled).then_some("visually-hidden")] { (page.t("att-gallery-title")) }
            p class="muted" data-att-empty hidden[!items.is_empty()] { (page.t("att-gallery-empty")) }
            @for (kind, title, class) in sections {
                @let of_kind: Vec<&GalleryItem> = items.iter().filter(|a| a.kind == kind).collect();
                section class="card att-section" data-att-section=(kind) hidden[of_kind.is_empty()] {
                    h3 { (page.t(title)) " " span class="badge" data-att-count { (of_kind.len()) } }
                    div class=(class) data-att-list=(kind) {
                        @for a in &of_kind {
                            @let by = name_of(&a.uploaded_by);
                            div class="att-gallery-item" {
                                (attachment_view(page, &AttachmentView {
                                    id: a.id.clone(),
                                    name: a.name.clone(),
                                    kind: a.kind.clone(),
                                    content_type: a.content_type.clone(),
                                    size: a.size,
                                    width: None,
                                    height: None,
                                    has_thumbnail: a.has_thumbnail,
                                }))
                                @if let Some(by) = by.filter(|_| kind != "photo") {
                                    span class="att-by muted small" { (page.ta("att-by", &[("name", &by)])) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A refusal inside the app's frame.
async fn failure(state: &WebState, page: &Page, view: &SessionView, e: &AppError) -> Response {
    let content = html! {
        (error_notice(page.lang, e))
        p { a href="/" { (page.t("error-go-home")) } }
    };
    let resp = app_layout(state, page, view, &page.t("error-title"), content).await;
    (crate::error::status_of(e), resp).into_response()
}

/// The thread and its attachments, for a participant.
async fn load(
    state: &WebState,
    page: &Page,
    view: &SessionView,
    principal: &Principal,
    id: &str,
) -> Result<(ThreadView, Vec<GalleryItem>), Response> {
    let thread_id = match id.parse::<ThreadId>() {
        Ok(thread_id) => thread_id,
        Err(e) => return Err(failure(state, page, view, &AppError::from(e)).await),
    };
    let t = match service::show(&state.ctx, &page.client, principal, thread_id, page.lang).await {
        Ok(t) => t,
        Err(e) => return Err(failure(state, page, view, &e).await),
    };
    match attachments::gallery(&state.ctx, principal, thread_id).await {
        Ok(items) => Ok((t, items)),
        Err(e) => Err(failure(state, page, view, &e).await),
    }
}

fn heading(page: &Page, t: &ThreadView, title_id: &str) -> Markup {
    html! {
        div class="att-head" {
            p class="eyebrow" { (t.title) }
            h1 { (page.t(title_id)) }
            a class="att-back" href=(format!("/threads/{}", t.id)) { "← " (page.t("att-back")) }
        }
    }
}

/// `GET /threads/{id}/gallery`: every attachment of the thread.
async fn gallery_page(
    State(state): State<WebState>,
    page: Page,
    Ready { view, principal }: Ready,
    Path(id): Path<String>,
) -> Response {
    let (t, items) = match load(&state, &page, &view, &principal, &id).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let content = html! {
        (heading(&page, &t, "att-gallery-page-title"))
        (render_labels(&page))
        (gallery_section(&page, &t, &items, false))
        p { a href=(format!("/threads/{}/attach", t.id)) { (page.t("att-attach-link")) } }
    };
    app_layout(&state, &page, &view, &page.t("att-gallery-page-title"), content).await
}

/// `GET /threads/{id}/attach`: send files and see the gallery (handy on a
/// small screen).
async fn attach_page(
    State(state): State<WebState>,
    page: Page,
    Ready { view, principal }: Ready,
    Path(id): Path<String>,
) -> Response {
    let (t, items) = match load(&state, &page, &view, &principal, &id).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let content = html! {
        (heading(&page, &t, "att-attach-title"))
        @if t.closed.is_some() {
            p class="notice error" role="alert" { (page.t("error-thread-closed")) }
        } @else {
            section class="card att-compose" {
                p class="hint att-hint" { (page.t("att-limits")) }
                (composer_controls(&page, &t.id))
            }
        }
        (gallery_section(&page, &t, &items, true))
    };
    app_layout(&state, &page, &view, &page.t("att-attach-title"), content).await
}

async fn serve(
    state: WebState,
    page: Page,
    Ready { principal, .. }: Ready,
    id: String,
    thumbnail: bool,
    range: Option<attachments::ByteRange>,
) -> Response {
    let Ok(id) = id.parse() else {
        return crate::error_page::failure_page(page.lang, &AppError::NotFound);
    };
    match attachments::download(&state.ctx, &page.client, &principal, id, thumbnail, range).await {
        Ok(f) => crate::api::threads::file_response(f),
        Err(e) => crate::error_page::failure_page(page.lang, &e),
    }
}

/// `GET /threads/files/{id}`: the file (inline for pictures, sound and
/// video), or the byte range asked (a player seeking in a video).
async fn file(
    State(state): State<WebState>,
    page: Page,
    ready: Ready,
    Path(id): Path<String>,
    headers: axum::http::HeaderMap,
) -> Response {
    let range = crate::api::threads::range_of(&headers);
    serve(state, page, ready, id, false, range).await
}

/// `GET /threads/files/{id}/thumb`: a photo's thumbnail.
async fn thumb(State(state): State<WebState>, page: Page, ready: Ready, Path(id): Path<String>) -> Response {
    serve(state, page, ready, id, true, None).await
}
