//! The call screen (`/calls/{id}`, issue 17) and the forms that start a
//! call (from a thread, from a friend's profile). The page is rendered
//! here with what the person may do; the script (`static/js/calls.js`)
//! then takes the microphone and camera, connects to the other person
//! (WebRTC, signalling through Cercle), and drives every control through
//! the JSON API (mute, camera, screen, hand, leave, end, moderation).
//!
//! For a call of three or more (`sfu`) the screen says that sound and
//! video need the forwarding unit; its list and controls still work.

use crate::error_page::failure_page;
use crate::ui::page::{app_layout, Fields, Page, Ready};
use crate::WebState;
use axum::extract::{Form, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use cercle_app::calls::{self, CallParticipantView, CallScreen};
use cercle_app::threads::service;
use cercle_app::AppError;
use cercle_domain::calls::{CallMedia, CallPhase, CallTopology};
use maud::{html, Markup};

/// Everyone signed in: a call is reached through its thread.
pub fn routes() -> Router<WebState> {
    Router::new()
        .route("/calls/{id}", get(show))
        .route("/threads/{id}/call", post(start))
        .route("/calls/direct/{user_id}", post(start_direct))
}

/// The buttons that start an audio or a video call in a thread (a thread
/// with a call going on: they open that call).
pub fn start_buttons(page: &Page, thread_id: &str) -> Markup {
    html! {
        form method="post" action=(format!("/threads/{thread_id}/call")) class="inline call-start" data-testid="call-start" {
            (page.csrf_field())
            button type="submit" class="secondary small" name="media" value="audio" data-testid="call-start-audio" { (page.t("callv-start-audio")) }
            " "
            button type="submit" class="secondary small" name="media" value="video" data-testid="call-start-video" { (page.t("callv-start-video")) }
        }
    }
}

/// The same from a friend's profile: the direct thread's call.
pub fn start_direct_buttons(page: &Page, user_id: &str) -> Markup {
    html! {
        form method="post" action=(format!("/calls/direct/{user_id}")) class="inline call-start" data-testid="call-start-direct" {
            (page.csrf_field())
            button type="submit" class="secondary small" name="media" value="audio" { (page.t("callv-start-audio")) }
            " "
            button type="submit" class="secondary small" name="media" value="video" { (page.t("callv-start-video")) }
        }
    }
}

fn media_of(f: &Fields) -> CallMedia {
    match f.get("media") {
        "video" => CallMedia::Video,
        _ => CallMedia::Audio,
    }
}

/// Starts a call in the thread and opens it; a call already going on is
/// opened instead.
async fn start(
    State(state): State<WebState>,
    page: Page,
    Ready { principal, .. }: Ready,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let f = Fields(fields);
    let Ok(thread_id) = id.parse() else {
        return failure_page(page.lang, &AppError::NotFound);
    };
    let ctx = &state.ctx;
    match calls::start(ctx, &page.client, &principal, thread_id, media_of(&f), false, page.lang).await {
        Ok(call) => Redirect::to(&format!("/calls/{}", call.id)).into_response(),
        Err(AppError::Conflict("call-active")) => {
            match calls::active(ctx, &page.client, &principal, thread_id, page.lang).await {
                Ok(Some(call)) => Redirect::to(&format!("/calls/{}", call.id)).into_response(),
                Ok(None) => failure_page(page.lang, &AppError::Conflict("call-ended")),
                Err(e) => failure_page(page.lang, &e),
            }
        }
        Err(e) => failure_page(page.lang, &e),
    }
}

/// Calls a friend: their direct thread (made on first use), then as
/// [`start`].
async fn start_direct(
    State(state): State<WebState>,
    page: Page,
    ready: Ready,
    Path(user_id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let Ok(friend) = user_id.parse() else {
        return failure_page(page.lang, &AppError::NotFound);
    };
    let thread = match service::direct(&state.ctx, &page.client, &ready.principal, friend).await {
        Ok(t) => t,
        Err(e) => return failure_page(page.lang, &e),
    };
    start(State(state), page, ready, Path(thread.id.to_string()), Form(fields)).await
}

/// One person of the call's list (the script draws the same from events).
fn participant(page: &Page, p: &CallParticipantView, me: &str, moderator: bool) -> Markup {
    let is_me = p.user_id.to_string() == me;
    html! {
        li data-user-id=(p.user_id) data-muted=(p.muted.to_string()) data-hand=(p.hand_raised.to_string()) {
            span class="call-person" { (p.name) @if is_me { " " span class="muted small" { "(" (page.t("callv-you")) ")" } } }
            @if p.muted { " " span class="badge" data-flag="muted" { (page.t("callv-muted")) } }
            @if p.hand_raised { " " span class="badge warn" data-flag="hand" { (page.t("callv-hand-raised")) } }
            " " span class="badge ok" data-flag="speaking" hidden { (page.t("callv-speaking")) }
            @if moderator && !is_me {
                span class="call-moderation" {
                    @if !p.muted {
                        button type="button" class="linklike small" data-call-mute-person=(p.user_id) { (page.ta("callv-mute-person", &[("name", &p.name)])) }
                    }
                    button type="button" class="linklike small danger-link" data-call-remove-person=(p.user_id) data-confirm-text=(page.ta("callv-remove-confirm", &[("name", &p.name)])) { (page.ta("callv-remove-person", &[("name", &p.name)])) }
                }
            }
        }
    }
}

/// The messages the script shows, in the page's language (`{name}` filled
/// by it).
fn messages(page: &Page) -> Vec<(&'static str, String)> {
    let plain = [
        ("connecting", "callv-status-connecting"),
        ("waiting", "callv-status-waiting"),
        ("connected", "callv-status-connected"),
        ("reconnecting", "callv-status-reconnecting"),
        ("ended", "callv-status-ended"),
        ("left", "callv-status-left"),
        ("removed", "callv-status-removed"),
        ("not-in", "callv-status-not-in"),
        ("media-error", "callv-status-media-error"),
        ("mute", "callv-mute"),
        ("unmute", "callv-unmute"),
        ("camera-off", "callv-camera-off"),
        ("camera-on", "callv-camera-on"),
        ("share", "callv-share"),
        ("share-stop", "callv-share-stop"),
        ("hand-raise", "callv-hand-raise"),
        ("hand-lower", "callv-hand-lower"),
        ("you", "callv-you"),
        ("muted", "callv-muted"),
        ("hand-raised", "callv-hand-raised"),
        ("speaking", "callv-speaking"),
        ("end-confirm", "callv-end-confirm"),
    ];
    let mut out: Vec<(&'static str, String)> = plain.iter().map(|(k, id)| (*k, page.t(id))).collect();
    for (k, id) in [
        ("remote-video", "callv-remote-video"),
        ("mute-person", "callv-mute-person"),
        ("remove-person", "callv-remove-person"),
        ("remove-confirm", "callv-remove-confirm"),
    ] {
        out.push((k, page.ta(id, &[("name", "{name}")])));
    }
    out
}

async fn show(
    State(state): State<WebState>,
    page: Page,
    Ready { view, principal }: Ready,
    Path(id): Path<String>,
) -> Response {
    let Ok(call_id) = id.parse() else {
        return failure_page(page.lang, &AppError::NotFound);
    };
    let screen = match calls::screen(&state.ctx, &page.client, &principal, call_id, page.lang).await {
        Ok(s) => s,
        Err(e) => return failure_page(page.lang, &e),
    };
    let title = match screen.call.media {
        CallMedia::Audio => page.t("callv-title-audio"),
        CallMedia::Video => page.t("callv-title-video"),
    };
    let content = body(&page, &screen, &view.user.id, &title);
    app_layout(&state, &page, &view, &title, content).await
}

fn body(page: &Page, screen: &CallScreen, me: &str, title: &str) -> Markup {
    let c = &screen.call;
    let ended = c.state == CallPhase::Ended;
    let video = c.media == CallMedia::Video;
    let me_in = c.participants.iter().find(|p| p.user_id.to_string() == me);
    let (muted, hand) = me_in.map(|p| (p.muted, p.hand_raised)).unwrap_or((false, false));
    let msgs = messages(page);
    html! {
        div class="call" id="call" data-testid="call"
            data-call-id=(c.id) data-me=(me) data-thread=(c.thread_id) data-media=(c.media.as_str())
            data-topology=(c.topology.as_str()) data-state=(c.state.as_str())
            data-in-call=(screen.in_call.to_string()) data-moderator=(screen.moderator.to_string()) {
            @for (k, v) in &msgs {
                span hidden data-msg=(k) { (v) }
            }
            header class="card call-head" {
                h1 data-testid="call-title" { (title) }
                p class="muted" {
                    (page.ta("callv-started-by", &[("name", &c.started_by.name)]))
                    " · "
                    a href=(format!("/threads/{}", c.thread_id)) data-testid="call-thread" { (page.t("callv-back")) }
                }
                p class="call-status" id="call-status" role="status" aria-live="polite" data-testid="call-status" {
                    @if ended { (page.t("callv-status-ended")) }
                    @else if !screen.in_call { (page.t("callv-status-not-in")) }
                    @else { (page.t("callv-status-connecting")) }
                }
                @if c.topology == CallTopology::Sfu && !ended {
                    p class="notice" data-testid="call-sfu-notice" { (page.t("callv-sfu-notice")) }
                }
            }
            @if !ended {
                section class="call-stage" aria-label=(page.t("callv-videos")) data-testid="call-stage" {
                    figure class="call-tile call-local" hidden[!video] {
                        video id="call-local-video" autoplay muted playsinline aria-label=(page.t("callv-local-video")) {}
                        figcaption { (page.t("callv-you")) }
                    }
                    div class="call-remote" id="call-remote" data-testid="call-remote" {}
                }
                p class="call-join" {
                    button type="button" class="primary" data-call-join data-testid="call-join" hidden[screen.in_call] { (page.t("callv-join")) }
                }
                div class="call-controls" role="group" aria-label=(page.t("callv-controls")) data-testid="call-controls" hidden[!screen.in_call] {
                    button type="button" class="secondary" data-call-mic aria-pressed=(muted.to_string()) data-testid="call-mic" {
                        @if muted { (page.t("callv-unmute")) } @else { (page.t("callv-mute")) }
                    }
                    button type="button" class="secondary" data-call-camera aria-pressed="false" data-testid="call-camera" hidden[!video] { (page.t("callv-camera-off")) }
                    button type="button" class="secondary" data-call-share aria-pressed="false" data-testid="call-share" { (page.t("callv-share")) }
                    button type="button" class="secondary" data-call-hand aria-pressed=(hand.to_string()) data-testid="call-hand" {
                        @if hand { (page.t("callv-hand-lower")) } @else { (page.t("callv-hand-raise")) }
                    }
                    button type="button" class="danger" data-call-leave data-testid="call-leave" { (page.t("callv-leave")) }
                    @if screen.moderator {
                        button type="button" class="danger secondary" data-call-end data-testid="call-end" { (page.t("callv-end")) }
                    }
                }
                details class="call-devices" hidden[!screen.in_call] data-testid="call-devices" {
                    summary { (page.t("callv-devices")) }
                    p {
                        label for="call-mic-select" { (page.t("callv-microphone")) }
                        select id="call-mic-select" data-call-device="audioinput" {}
                    }
                    p hidden[!video] {
                        label for="call-camera-select" { (page.t("callv-camera")) }
                        select id="call-camera-select" data-call-device="videoinput" {}
                    }
                }
            }
            section class="card call-people" aria-labelledby="call-people-title" {
                h2 id="call-people-title" { (page.t("callv-participants")) }
                ul class="call-participants" id="call-participants" data-testid="call-participants" {
                    @for p in &c.participants {
                        (participant(page, p, me, screen.moderator && !ended))
                    }
                }
            }
        }
    }
}
