//! The incoming-call banner, on every page of a signed-in person: hidden
//! until their stream says a call rings them (`incoming_call`), then "Marie
//! is calling you (video)" with Accept (joins through the API and opens the
//! call screen) and Decline (through the API). The script is
//! `static/js/calls.js`.
//!
//! On its own, importing nothing of the pages: `ui::page` puts it in the
//! layout, so it must not import `ui::page` (nor anything that does), or
//! the modules would import each other.

use cercle_domain::Language;
use cercle_i18n::{t, ta};
use maud::{html, Markup};

/// The banner, hidden; `{name}` in its messages is filled by the script.
pub fn banner(lang: Language) -> Markup {
    html! {
        section class="call-banner" id="call-banner" data-testid="call-banner" hidden
            aria-label=(t(lang, "callv-banner-label"))
            data-msg-audio=(ta(lang, "callv-banner-audio", &[("name", "{name}")]))
            data-msg-video=(ta(lang, "callv-banner-video", &[("name", "{name}")])) {
            p class="call-banner-text" id="call-banner-text" role="alert" aria-atomic="true" {}
            div class="call-banner-actions" {
                button type="button" class="primary small" data-call-accept data-testid="call-accept" { (t(lang, "callv-accept")) }
                button type="button" class="secondary small" data-call-decline data-testid="call-decline" { (t(lang, "callv-decline")) }
            }
        }
    }
}
