//! Instant mobile connect: the page of a signed-in session that shows a
//! code (a QR code and its link, whose fragment is the secret), and the
//! page the phone opens (`/connect`), whose script sends the fragment to
//! `POST /api/v1/account/connect-codes/redeem` and then asks for the PIN.

use crate::ui::page::{app_layout, error_notice, layout, trusted_svg, Frame, Page, Ready};
use crate::WebState;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use cercle_app::accounts::connect::{self, ConnectCode};
use cercle_app::accounts::SessionView;
use cercle_app::AppError;
use maud::{html, Markup};

pub fn routes() -> Router<WebState> {
    Router::new()
        .route("/security/connect", get(show).post(create))
        .route("/connect", get(phone))
}

fn qr_svg(link: &str) -> Option<String> {
    let code = qrcode::QrCode::new(link.as_bytes()).ok()?;
    Some(
        code.render::<qrcode::render::svg::Color<'_>>()
            .min_dimensions(220, 220)
            .quiet_zone(true)
            .build(),
    )
}

/// The form that makes a (new) code.
fn create_form(page: &Page, label: &str, class: &str) -> Markup {
    html! {
        form method="post" action="/security/connect" {
            (page.csrf_field())
            button type="submit" class=(class) data-testid="connect-create" { (label) }
        }
    }
}

async fn render(
    state: &WebState,
    page: &Page,
    view: &SessionView,
    code: Option<&ConnectCode>,
    error: Option<&AppError>,
) -> Response {
    let title = page.t("connect-title");
    let content = html! {
        h1 { (title) }
        p class="lead" { (page.t("connect-intro")) }
        @if let Some(e) = error { (error_notice(page.lang, e)) }
        @if let Some(code) = code {
            section class="card" id="connect-code" data-connect-show
                data-connected=(page.ta("connect-connected", &[("device", "{device}")])) {
                h2 { (page.t("connect-scan")) }
                @if let Some(svg) = qr_svg(&code.link) {
                    div class="qr connect-qr" role="img" aria-label=(page.t("connect-qr-label")) { (trusted_svg(svg)) }
                }
                div class="field" {
                    label for="connect-link" { (page.t("connect-link-label")) }
                    input id="connect-link" type="text" readonly value=(code.link) data-testid="connect-link" spellcheck="false" autocomplete="off";
                }
                p data-testid="connect-expires" { (page.ta("connect-expires", &[("when", &page.date_time(code.expires_at))])) }
                p class="notice ok" role="status" aria-live="polite" data-testid="connect-status" hidden {}
                (create_form(page, &page.t("connect-new"), "secondary"))
            }
        } @else {
            section class="card" {
                h2 { (page.t("connect-how")) }
                (create_form(page, &page.t("connect-show"), "primary"))
            }
        }
        p class="muted" { (page.t("connect-note")) }
        p { a href="/security#sessions" { (page.t("connect-sessions-link")) } }
    };
    app_layout(state, page, view, &title, content).await
}

async fn show(State(state): State<WebState>, page: Page, Ready { view, .. }: Ready) -> Response {
    render(&state, &page, &view, None, None).await
}

async fn create(State(state): State<WebState>, page: Page, Ready { view, principal }: Ready) -> Response {
    match connect::create(&state.ctx, &page.client, &principal).await {
        Ok(code) => render(&state, &page, &view, Some(&code), None).await,
        Err(e) => {
            let status = crate::error::status_of(&e);
            let mut resp = render(&state, &page, &view, None, Some(&e)).await;
            *resp.status_mut() = status;
            resp
        }
    }
}

/// The page the phone opens: its script reads the fragment (never sent to
/// the server), drops it from the address bar and history, and opens the
/// session; the lock screen then asks for the PIN.
async fn phone(page: Page) -> Response {
    let title = page.t("connect-phone-title");
    let body = html! {
        section class="card" data-connect-redeem data-missing=(page.t("error-connect-malformed")) data-failed=(page.t("connect-phone-failed")) {
            h1 { (title) }
            p role="status" aria-live="polite" data-testid="connect-phone-status" { (page.t("connect-phone-working")) }
            noscript { p { (page.t("connect-noscript")) } }
            p { a href="/sign-in" { (page.t("connect-sign-in-instead")) } }
        }
    };
    layout(&page, &title, Frame::Bare, body)
}
