//! The network's home: one search box for people and workplaces (SPEC 3),
//! and the sub-navigation every network page shares.

use super::parts::{kind_label, net_layout, person_item, place_icon, Tab};
use crate::guard::RouteList;
use crate::ui::page::{error_notice, icon, Page, Ready};
use crate::WebState;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use cercle_app::network::search::{self, SearchInput, SearchPage, SearchResult};
use cercle_app::network::{professions, workplaces};
use maud::{html, Markup};
use serde::Deserialize;

/// Professionals only (see `crate::guard`).
pub fn routes() -> RouteList {
    RouteList::new().route("/network", get(show))
}

/// The query as typed. Every field is text, so that no address can fail
/// to parse; the service checks them.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    profession: String,
    #[serde(default)]
    workplace: String,
    #[serde(default)]
    page: String,
}

impl SearchQuery {
    fn page(&self) -> u32 {
        self.page.parse::<u32>().unwrap_or(1).clamp(1, 1000)
    }

    fn input(&self) -> SearchInput {
        let opt = |s: &str| (!s.is_empty()).then(|| s.to_string());
        SearchInput {
            q: self.q.clone(),
            kind: opt(&self.kind),
            profession: opt(&self.profession),
            workplace: opt(&self.workplace),
            page: Some(self.page()),
        }
    }

    /// The address of another page of the same search.
    fn href(&self, page: u32) -> String {
        let mut pairs: Vec<(&str, String)> = vec![("q", self.q.clone())];
        for (k, v) in [
            ("kind", &self.kind),
            ("profession", &self.profession),
            ("workplace", &self.workplace),
        ] {
            if !v.is_empty() {
                pairs.push((k, v.clone()));
            }
        }
        pairs.push(("page", page.to_string()));
        format!("/network?{}", serde_urlencoded::to_string(&pairs).unwrap_or_default())
    }
}

fn search_form(page: &Page, q: &SearchQuery, workplace_name: Option<&str>) -> Markup {
    let catalogue = professions::catalogue(page.lang);
    html! {
        form class="card net-search" method="get" action="/network" role="search" {
            div class="field" {
                label for="net-q" { (page.t("net-search-label")) }
                div class="net-search-row" {
                    input id="net-q" type="search" name="q" value=(q.q) maxlength="100" autocomplete="off" spellcheck="false" placeholder=(page.t("net-search-placeholder"));
                    button type="submit" class="primary net-inline" { (page.t("net-search-submit")) }
                }
            }
            div class="net-filters" {
                div class="field" {
                    label for="net-kind" { (page.t("net-filter-kind")) }
                    select id="net-kind" name="kind" {
                        option value="" selected[q.kind.is_empty()] { (page.t("net-kind-all")) }
                        option value="person" selected[q.kind == "person"] { (page.t("net-kind-people")) }
                        option value="workplace" selected[q.kind == "workplace"] { (page.t("net-kind-workplaces")) }
                    }
                }
                div class="field" {
                    label for="net-profession" { (page.t("net-filter-profession")) }
                    select id="net-profession" name="profession" {
                        option value="" { (page.t("net-profession-any")) }
                        @for (key, name) in &catalogue {
                            option value=(key) selected[q.profession == *key] { (name) }
                        }
                    }
                }
            }
            @if !q.workplace.is_empty() {
                input type="hidden" name="workplace" value=(q.workplace);
                p class="net-chip" {
                    (page.ta("net-filter-workplace", &[("workplace", workplace_name.unwrap_or("…"))]))
                    " "
                    a href=(SearchQuery { workplace: String::new(), page: String::new(), ..q.clone() }.href(1)) { (page.t("net-filter-clear")) }
                }
            }
        }
    }
}

fn result_item(page: &Page, r: &SearchResult) -> Markup {
    match r {
        SearchResult::Person {
            person,
            colleague,
            in_directory,
            ..
        } => {
            let markers = html! {
                @if *colleague { span class="badge net-colleague" { (page.t("net-colleague")) } }
                @if *in_directory { span class="badge net-dir" { (page.t("net-in-directory")) } }
            };
            person_item(page, person, markers, html! {})
        }
        SearchResult::Workplace {
            workplace: w,
            in_directory,
            ..
        } => html! {
            li class="net-item" data-kind="workplace" data-id=(w.id) {
                (place_icon(false))
                div class="net-item-main" {
                    a class="net-name" href=(format!("/network/workplaces/{}", w.id)) { (w.name) }
                    div class="muted small" {
                        (kind_label(page, &w.kind))
                        @if !w.address.is_empty() { " · " (w.address) }
                    }
                    div class="net-badges" {
                        @match &w.organization {
                            Some(o) => span class="badge muted-badge" { (o) },
                            None => span class="badge muted-badge" { (page.t("net-independent")) },
                        }
                        @if *in_directory { span class="badge net-dir" { (page.t("net-in-directory")) } }
                    }
                }
            }
        },
    }
}

fn results(page: &Page, q: &SearchQuery, found: &SearchPage) -> Markup {
    html! {
        @if found.notice.is_some() {
            div class="notice net-info" role="status" data-testid="validate-notice" {
                p { (page.t("error-profession-not-validated")) }
                p { a href="/network/profile" { (page.t("net-validate-link")) } }
            }
        }
        section class="card" aria-labelledby="net-results-title" {
            h2 id="net-results-title" { (page.t("net-results")) }
            @if found.results.is_empty() {
                p class="muted" data-testid="no-results" { (page.t("net-no-results")) }
            } @else {
                ul class="net-list" data-testid="results" {
                    @for r in &found.results { (result_item(page, r)) }
                }
            }
            @if found.truncated {
                p class="hint net-after" { (page.t("net-refine")) }
            }
            @if found.page > 1 || found.has_more {
                nav class="net-pager" aria-label=(page.t("net-pages")) {
                    @if found.page > 1 {
                        a class="button secondary small" rel="prev" href=(q.href(found.page - 1)) { "← " (page.t("net-previous")) }
                    } @else { span {} }
                    span class="muted small" { (page.ta("net-page-n", &[("page", &found.page.to_string())])) }
                    @if found.has_more {
                        a class="button secondary small" rel="next" href=(q.href(found.page + 1)) { (page.t("net-next")) " →" }
                    } @else { span {} }
                }
            }
        }
    }
}

async fn show(
    State(state): State<WebState>,
    page: Page,
    Ready { view, principal }: Ready,
    Query(q): Query<SearchQuery>,
) -> Response {
    let workplace_name = match q.workplace.parse() {
        Ok(id) => workplaces::show(&state.ctx, &principal, id, page.lang)
            .await
            .ok()
            .map(|w| w.workplace.name),
        // None chosen, or a text that is no workplace id.
        Err(_) => None,
    };
    let outcome = if q.q.trim().is_empty() {
        None
    } else {
        Some(search::search(&state.ctx, &principal, &q.input(), page.lang).await)
    };
    let content = html! {
        h1 { (page.t("net-search-title")) }
        p class="lead" { (page.t("net-search-lead")) }
        (search_form(&page, &q, workplace_name.as_deref()))
        @match &outcome {
            None => {
                div class="empty" {
                    (icon("network"))
                    p { strong { (page.t("net-search-empty")) } }
                    p class="muted" { (page.t("net-search-empty-hint")) }
                }
                div class="grid" {
                    a class="tile" href="/network/directory" { h2 { (page.t("net-tab-directory")) } p class="muted" { (page.t("net-tile-directory")) } }
                    a class="tile" href="/network/friends" { h2 { (page.t("net-tab-friends")) } p class="muted" { (page.t("net-tile-friends")) } }
                    a class="tile" href="/network/workplaces" { h2 { (page.t("net-tab-workplaces")) } p class="muted" { (page.t("net-tile-workplaces")) } }
                    a class="tile" href="/network/profile" { h2 { (page.t("net-tab-profile")) } p class="muted" { (page.t("net-tile-profile")) } }
                }
            }
            Some(Err(e)) => { (error_notice(page.lang, e)) }
            Some(Ok(found)) => { (results(&page, &q, found)) }
        }
    };
    let title = if q.q.trim().is_empty() {
        page.t("net-search-title")
    } else {
        page.ta("net-search-title-q", &[("q", q.q.trim())])
    };
    net_layout(&state, &page, &view, &principal, Tab::Search, &title, content).await
}
