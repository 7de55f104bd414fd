//! `/dev/outbox`: every email and SMS sent, so a newcomer can follow codes
//! and links without a mail server. Absent in production mode.

use crate::ui::page::{layout, Frame, Page};

use crate::error_page::error_page;
use crate::WebState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use maud::html;

pub fn routes() -> Router<WebState> {
    Router::new().route("/dev/outbox", get(show))
}

async fn show(State(state): State<WebState>, page: Page) -> Response {
    if state.ctx.config.production {
        return error_page(page.lang, StatusCode::NOT_FOUND, "error-not-found");
    }
    let messages = match cercle_app::outbox::dev_outbox(&state.ctx).await {
        Ok(m) => m,
        Err(_) => return error_page(page.lang, StatusCode::INTERNAL_SERVER_ERROR, "error-internal"),
    };
    let content = html! {
        h1 { (page.t("outbox-title")) }
        p class="muted" { (page.t("outbox-intro")) }
        @if messages.is_empty() {
            p class="empty" { (page.t("outbox-empty")) }
        }
        @for m in &messages {
            article class="card mail" data-channel=(m.channel) data-to=(m.recipient) {
                header {
                    span class="badge" { (m.channel) } " "
                    strong { (m.recipient) } " · "
                    span class="muted" { (page.date_time(m.created_at)) " · " (m.status) }
                }
                @if !m.subject.is_empty() { h2 { (m.subject) } }
                pre class="mail-body" { (m.body) }
            }
        }
    };
    layout(&page, &page.t("outbox-title"), Frame::Bare, content)
}
