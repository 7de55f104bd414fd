//! What the network pages share: their frame and sub-navigation, a person
//! or a workplace in a list, the small forms and labels. Each page imports
//! from here and none imports another page.

use crate::ui::page::{app_layout, initials, safe_next, Page};
use crate::WebState;
use axum::response::Response;
use cercle_app::accounts::SessionView;
use cercle_app::network::friends;
use cercle_app::network::people::{PersonSummary, ProfessionBadge};
use cercle_domain::policy::Principal;
use maud::{html, Markup, Render};
use serde::Deserialize;

/// The network page in front, marked in the sub-navigation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Tab {
    Search,
    Directory,
    Friends,
    Workplaces,
    /// A page under none of them (a profile, a workplace).
    None,
}

/// A network page: the sub-navigation (with the number of friend requests
/// waiting) above `content`, in the app's frame.
pub(super) async fn net_layout(
    state: &WebState,
    page: &Page,
    view: &SessionView,
    principal: &Principal,
    tab: Tab,
    title: &str,
    content: Markup,
) -> Response {
    let waiting = friends::overview(&state.ctx, principal, page.lang)
        .await
        .map(|f| f.incoming.len())
        .unwrap_or(0);
    let current = |t: Tab| (t == tab).then_some("page");
    let may_verify = cercle_domain::policy::may(principal, &cercle_domain::policy::Permission::VerifyProfessions);
    let nav = html! {
        nav class="subnav net-subnav" aria-label=(page.t("net-subnav-label")) {
            a href="/network" aria-current=[current(Tab::Search)] { (page.t("net-tab-search")) }
            a href="/network/directory" aria-current=[current(Tab::Directory)] { (page.t("net-tab-directory")) }
            a href="/network/friends" aria-current=[current(Tab::Friends)] data-testid="friends-tab" {
                (page.t("net-tab-friends"))
                @if waiting > 0 {
                    " " span class="net-count" title=(page.ta("net-requests-waiting", &[("count", &waiting.to_string())])) {
                        (waiting)
                        span class="visually-hidden" { " " (page.ta("net-requests-waiting", &[("count", &waiting.to_string())])) }
                    }
                }
            }
            a href="/network/workplaces" aria-current=[current(Tab::Workplaces)] { (page.t("net-tab-workplaces")) }
            a href="/network/profile" { (page.t("net-tab-profile")) }
            a href="/network/invite" { (page.t("net-tab-invite")) }
            @if may_verify {
                a href="/network/verification" { (page.t("net-tab-verification")) }
            }
        }
    };
    app_layout(state, page, view, title, html! { (nav) (content) }).await
}

/// The address of a person's profile.
pub(super) fn person_href(id: impl std::fmt::Display) -> String {
    format!("/network/people/{id}")
}

/// A round picture of the person, or their initials when there is none.
pub(super) fn avatar(id: impl std::fmt::Display, name: &str, photo_version: Option<i64>, big: bool) -> Markup {
    let class = if big { "net-avatar net-big" } else { "net-avatar" };
    html! {
        @if let Some(v) = photo_version {
            img class=(class) src=(format!("/network/people/{id}/photo?v={v}")) alt="" width=(if big { "96" } else { "44" }) height=(if big { "96" } else { "44" }) loading="lazy";
        } @else {
            span class=(class) aria-hidden="true" { (initials(name)) }
        }
    }
}

/// A person's professions as small badges; validated ones carry a check.
pub(super) fn profession_badges(page: &Page, list: &[ProfessionBadge]) -> Markup {
    html! {
        @for p in list {
            @if p.validated {
                span class="badge net-ok" title=(page.t("net-status-validated")) {
                    "✓ " (p.name)
                    span class="visually-hidden" { " (" (page.t("net-status-validated")) ")" }
                }
            } @else {
                span class="badge muted-badge" { (p.name) }
            }
        }
    }
}

/// One person in a list: picture, name (a link to the profile), professions,
/// `markers` (colleague, directory…) and `actions` (buttons) at the end.
pub(super) fn person_item(page: &Page, p: &PersonSummary, markers: Markup, actions: Markup) -> Markup {
    html! {
        li class="net-item" data-kind="person" data-id=(p.id) {
            (avatar(p.id, &p.name, p.photo_version, false))
            div class="net-item-main" {
                a class="net-name" href=(person_href(p.id)) { (p.name) }
                div class="net-badges" { (profession_badges(page, &p.professions)) (markers) }
            }
            div class="net-actions" { (actions) }
        }
    }
}

/// The label of a workplace kind.
pub(super) fn kind_label(page: &Page, kind: &str) -> String {
    page.t(&format!("workplace-kind-{kind}"))
}

/// A phone number for reading: `+15145550199` as `+1 514 555-0199`.
pub(super) fn pretty_phone(e164: &str) -> String {
    match e164.strip_prefix("+1") {
        Some(d) if d.len() == 10 && d.chars().all(|c| c.is_ascii_digit()) => {
            format!("+1 {} {}-{}", &d[..3], &d[3..6], &d[6..])
        }
        _ => e164.to_string(),
    }
}

/// Where a button sends back to: a local `next`, or `fallback`.
#[derive(Debug, Default, Deserialize)]
pub(super) struct Back {
    #[serde(default)]
    next: Option<String>,
}

impl Back {
    pub(super) fn or(&self, fallback: &str) -> String {
        match self.next.as_deref() {
            Some(n) if !n.is_empty() => safe_next(Some(n)),
            _ => fallback.to_string(),
        }
    }
}

/// A small form posting to `action` with one button (and where to come back).
pub(super) fn button_form(
    page: &Page,
    action: &str,
    next: Option<&str>,
    class: &str,
    label: impl Render,
    confirm: Option<&str>,
) -> Markup {
    html! {
        form method="post" action=(action) {
            (page.csrf_field())
            @if let Some(n) = next { input type="hidden" name="next" value=(n); }
            button type="submit" class=(class) data-confirm=[confirm] { (label) }
        }
    }
}

/// A building, in a circle the size of an avatar.
pub(super) fn place_icon(big: bool) -> Markup {
    let class = if big {
        "net-avatar net-place net-big"
    } else {
        "net-avatar net-place"
    };
    html! {
        span class=(class) aria-hidden="true" {
            svg class="icon" viewBox="0 0 24 24" width="22" height="22" focusable="false" {
                path d="M4 21V7l8-4 8 4v14M4 21h16M9 21v-5h6v5M8 10h2M14 10h2M8 13h2M14 13h2" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn phones_read_well() {
        assert_eq!(super::pretty_phone("+15145550199"), "+1 514 555-0199");
        assert_eq!(super::pretty_phone("+33612345678"), "+33612345678");
    }
}
