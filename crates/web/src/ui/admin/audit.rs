//! The organization's audit log: search, older pages, CSV export.

use super::{admin_layout, input, org_admin, refusal, select, unit_name, unit_options, Tab};
use crate::error_page::error_page;
use crate::ui::labels::{action_label, event_label, target_label};
use crate::ui::page::{Page, Ready};
use crate::WebState;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use cercle_app::audit::{self, SearchInput};
use cercle_app::orgs::structure;
use cercle_domain::local_time::{parse_iso_date, Zone};
use maud::{html, Markup};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

const ACTIONS: [&str; 6] = ["CREATE", "READ", "UPDATE", "DELETE", "LIST", "EXPORT"];
const PAGE_SIZE: i64 = 50;
const DAY_MS: i64 = 86_400_000;

/// The search form, as the address carries it.
#[derive(Debug, Default, Clone, Deserialize, Serialize)]
pub struct AuditForm {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    actor_id: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    patient_id: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    target_type: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    action: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    unit_id: String,
    /// `YYYY-MM-DD` (the reader's time zone), from the start of that day.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    from: String,
    /// `YYYY-MM-DD` (the reader's time zone), up to the end of that day.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    to: String,
    /// Set (`1`) to show the reader's own page views too (hidden by default).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    own: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    before_seq: String,
}

/// The instant a local day starts, in `zone`.
fn day_start(date: &str, zone: &Zone, days_after: i64) -> Option<i64> {
    let (y, m, d) = parse_iso_date(date)?;
    if !(1..=9999).contains(&y) {
        return None;
    }
    let noon = zone.to_utc_ms(y, m, d, 12 * 60)?;
    // Noon moved by whole days stays on the right date across a change of hour.
    let (y, m, d) = zone.date_of(noon + days_after * DAY_MS);
    zone.to_utc_ms(y, m, d, 0)
}

impl AuditForm {
    fn blank(s: &str) -> Option<String> {
        Some(s.trim()).filter(|v| !v.is_empty()).map(str::to_string)
    }

    /// The service's query, days read in `zone`; `Err` names a date that
    /// could not be read.
    fn input(&self, zone: &Zone) -> Result<SearchInput, &'static str> {
        let from = match Self::blank(&self.from) {
            Some(d) => Some(day_start(&d, zone, 0).ok_or("from")?),
            None => None,
        };
        // The "to" day is included: stop at the start of the next one.
        let to = match Self::blank(&self.to) {
            Some(d) => Some(day_start(&d, zone, 1).ok_or("to")?),
            None => None,
        };
        Ok(SearchInput {
            actor_id: Self::blank(&self.actor_id),
            patient_id: Self::blank(&self.patient_id),
            target_type: Self::blank(&self.target_type),
            action: Self::blank(&self.action),
            unit_id: Self::blank(&self.unit_id),
            from,
            to,
            before_seq: self.before_seq.trim().parse().ok(),
            limit: Some(PAGE_SIZE),
            hide_own_views: !self.shows_own_views(),
        })
    }

    fn shows_own_views(&self) -> bool {
        matches!(self.own.as_str(), "1" | "on" | "true")
    }

    /// The same search as a query string, starting before `before_seq`.
    fn query(&self, before_seq: Option<i64>) -> String {
        let mut f = self.clone();
        f.before_seq = before_seq.map(|s| s.to_string()).unwrap_or_default();
        serde_urlencoded::to_string(&f).unwrap_or_default()
    }
}

pub async fn search(
    State(state): State<WebState>,
    page: Page,
    ready: Ready,
    Query(form): Query<AuditForm>,
) -> Response {
    let a = match org_admin(&state, &page, ready, Tab::Audit).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let s = match structure::structure(&state.ctx, &page.client, &a.scope).await {
        Ok(s) => s,
        Err(e) => return refusal(&state, &page, &a.view, Some(&a.scope), Tab::Audit, &e).await,
    };
    let (results, bad_date) = match form.input(&page.time.zone) {
        Ok(input) => (
            Some(audit::search(&state.ctx, &page.client, &a.scope, &input).await),
            false,
        ),
        Err(_) => (None, true),
    };
    let mut units = vec![(String::new(), page.t("admin-audit-all-units"))];
    units.extend(unit_options(&page, &s.units, true));
    let mut actions = vec![(String::new(), page.t("admin-audit-all-actions"))];
    actions.extend(ACTIONS.iter().map(|a| (a.to_string(), action_label(&page, a))));
    let mut targets = vec![(String::new(), page.t("admin-audit-all-targets"))];
    targets.extend(TARGETS.iter().map(|t| (t.to_string(), target_label(&page, t))));
    if !form.target_type.is_empty() && !TARGETS.contains(&form.target_type.as_str()) {
        targets.push((form.target_type.clone(), form.target_type.clone()));
    }
    // The person filter: the organization's people by name, and whoever the
    // search names if they are no longer among them.
    let mut people = vec![(String::new(), page.t("admin-audit-anyone"))];
    people.extend(audit::people(&state.ctx, &a.scope).await.unwrap_or_default());
    if !form.actor_id.is_empty() && !people.iter().any(|(id, _)| *id == form.actor_id) {
        let name = audit::name_of(&state.ctx, &a.scope, &form.actor_id)
            .await
            .ok()
            .flatten()
            .unwrap_or_else(|| page.t("former-user"));
        people.push((form.actor_id.clone(), name));
    }
    let status = match &results {
        Some(Err(e)) => crate::error::status_of(e),
        _ if bad_date => axum::http::StatusCode::UNPROCESSABLE_ENTITY,
        _ => axum::http::StatusCode::OK,
    };
    let names = Names {
        page: &page,
        structure: &s,
        people: match &results {
            Some(Ok(found)) => &found.names,
            _ => &EMPTY,
        },
    };
    let content = html! {
        section class="card" {
            form method="get" action="/admin/audit" class="grid-form audit-form" {
                (select(&page.t("admin-audit-actor"), "audit-actor", "actor_id", &people, &form.actor_id))
                (input(&page.t("admin-audit-patient"), "audit-patient", "patient_id", "text", &form.patient_id, false))
                (select(&page.t("admin-audit-target"), "audit-target", "target_type", &targets, &form.target_type))
                (select(&page.t("admin-audit-action"), "audit-action", "action", &actions, &form.action))
                (select(&page.t("admin-field-unit"), "audit-unit", "unit_id", &units, &form.unit_id))
                (input(&page.t("admin-audit-from"), "audit-from", "from", "date", &form.from, false))
                (input(&page.t("admin-audit-to"), "audit-to", "to", "date", &form.to, false))
                div class="field check" {
                    label for="audit-own" {
                        input id="audit-own" type="checkbox" name="own" value="1" checked[form.shows_own_views()] data-testid="audit-own";
                        " " (page.t("admin-audit-show-own"))
                    }
                }
                div class="actions-row row" {
                    button type="submit" class="primary" { (page.t("admin-audit-search")) }
                    a class="button secondary" href=(format!("/admin/audit.csv?{}", form.query(None))) download data-testid="audit-csv" { (page.t("admin-audit-csv")) }
                }
            }
            p class="hint" { (page.t("admin-audit-hint")) " " (page.ta("admin-audit-times-in", &[("zone", page.time.zone.name())])) }
        }
        @if bad_date {
            p class="notice error" role="alert" { (page.t("admin-audit-bad-date")) }
        }
        @match &results {
            Some(Err(e)) => { (crate::ui::page::error_notice(page.lang, e)) },
            Some(Ok(found)) => {
                section class="card" {
                    @if found.events.is_empty() {
                        p class="muted" { (page.t("admin-audit-empty")) }
                    } @else {
                        div class="table-wrap" tabindex="0" role="region" aria-label=(page.t("admin-tab-audit")) {
                            table class="stacked" data-testid="audit-results" {
                                thead { tr {
                                    th { (page.t("col-when")) }
                                    th { (page.t("admin-audit-action")) }
                                    th { (page.t("col-event")) }
                                    th { (page.t("admin-audit-target")) }
                                    th { (page.t("admin-field-unit")) }
                                    th { (page.t("col-actor")) }
                                    th { (page.t("col-address")) }
                                } }
                                tbody {
                                    @for e in &found.events {
                                        tr data-event=(e.event) {
                                            td data-label=(page.t("col-when")) { (page.time_tag(e.at)) }
                                            td data-label=(page.t("admin-audit-action")) { span class="badge" title=(e.action) { (action_label(&page, &e.action)) } }
                                            td data-label=(page.t("col-event")) { span title=(e.event) data-testid="audit-event" { (event_label(&page, &e.event)) } }
                                            td data-label=(page.t("admin-audit-target")) { (names.target(&e.target_type, e.target_id.as_deref())) }
                                            td data-label=(page.t("admin-field-unit")) { (e.unit_id.as_deref().map(|u| unit_name(&s.units, u)).unwrap_or("")) }
                                            td data-label=(page.t("col-actor")) data-testid="audit-actor" { (names.actor(e.actor_kind.as_str(), e.actor_id.as_deref())) }
                                            td data-label=(page.t("col-address")) class="small" { (e.ip.as_deref().unwrap_or("")) }
                                        }
                                    }
                                }
                            }
                        }
                        @if let Some(next) = found.next_before_seq {
                            p { a class="button secondary" rel="next" href=(format!("/admin/audit?{}", form.query(Some(next)))) data-testid="audit-older" { (page.t("admin-audit-older")) } }
                        }
                    }
                }
            },
            None => {},
        }
    };
    admin_layout(&state, &page, &a.view, Some(&a.scope), Tab::Audit, status, content).await
}

static EMPTY: std::sync::LazyLock<HashMap<String, String>> = std::sync::LazyLock::new(HashMap::new);

/// The target types the services record, for the filter.
const TARGETS: [&str; 17] = [
    "user",
    "session",
    "organization",
    "unit",
    "workplace",
    "team",
    "member",
    "role",
    "invitation",
    "patient_file",
    "circle_member",
    "channel",
    "thread",
    "attachment",
    "profession",
    "profile",
    "audit",
];

/// Who and what the events name, in words.
struct Names<'a> {
    page: &'a Page,
    structure: &'a structure::Structure,
    /// People by id (deleted accounts are missing).
    people: &'a HashMap<String, String>,
}

impl Names<'_> {
    fn person(&self, id: &str) -> String {
        self.people
            .get(id)
            .cloned()
            .unwrap_or_else(|| self.page.t("former-user"))
    }

    /// The actor by name, linked to the same search for them alone.
    fn actor(&self, kind: &str, id: Option<&str>) -> Markup {
        if kind == "service" {
            // A partner's service account: named as such, its id on hover.
            return html! { span title=(id.unwrap_or("")) { (self.page.t("admin-audit-actor-service")) } };
        }
        match id {
            Some(id) => html! {
                a href=(format!("/admin/audit?{}", AuditForm { actor_id: id.to_string(), ..AuditForm::default() }.query(None))) title=(id) { (self.person(id)) }
            },
            None => html! { span class="muted" { (self.page.t(&format!("admin-audit-actor-{kind}"))) } },
        }
    }

    /// The target: its kind in words, and its name when it has one here.
    fn target(&self, kind: &str, id: Option<&str>) -> Markup {
        let s = self.structure;
        let name = id.and_then(|id| match kind {
            "user" | "member" | "circle_member" => self.people.get(id).cloned(),
            "unit" => s.units.iter().find(|u| u.id.to_string() == id).map(|u| u.name.clone()),
            "workplace" => s
                .workplaces
                .iter()
                .find(|w| w.id.to_string() == id)
                .map(|w| w.name.clone()),
            "team" => s.teams.iter().find(|t| t.id.to_string() == id).map(|t| t.name.clone()),
            "organization" => Some(self.page.t("admin-audit-this-organization")),
            _ => None,
        });
        // One element: the stacked (phone) layout lays a cell's children side by side.
        html! {
            span {
                span title=[id] { (target_label(self.page, kind)) }
                @if let Some(n) = name { br; span class="small" { (n) } }
            }
        }
    }
}

pub async fn csv(State(state): State<WebState>, page: Page, ready: Ready, Query(form): Query<AuditForm>) -> Response {
    let a = match org_admin(&state, &page, ready, Tab::Audit).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let Ok(mut input) = form.input(&page.time.zone) else {
        return error_page(
            page.lang,
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            "admin-audit-bad-date",
        );
    };
    input.limit = None;
    input.before_seq = None;
    match audit::export_csv(&state.ctx, &page.client, &a.scope, &input).await {
        Ok(csv) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (header::CONTENT_DISPOSITION, "attachment; filename=\"cercle-audit.csv\""),
            ],
            csv,
        )
            .into_response(),
        Err(e) => refusal(&state, &page, &a.view, Some(&a.scope), Tab::Audit, &e).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_local_days() {
        let montreal = Zone::montreal();
        // 2026-11-22 starts at 05:00 UTC in Montreal, 04:00 UTC in Halifax.
        assert_eq!(day_start("2026-11-22", &montreal, 0), Some(1_795_323_600_000));
        let halifax = Zone::parse("America/Halifax").expect("known zone");
        assert_eq!(day_start("2026-11-22", &halifax, 0), Some(1_795_320_000_000));
        assert_eq!(day_start("2026-13-01", &montreal, 0), None);
        assert_eq!(day_start("yesterday", &montreal, 0), None);
    }

    #[test]
    fn the_to_day_is_included() {
        let f = AuditForm {
            from: "2026-01-01".into(),
            to: "2026-01-01".into(),
            ..AuditForm::default()
        };
        let input = f.input(&Zone::montreal()).expect("dates");
        assert_eq!(input.to.unwrap() - input.from.unwrap(), DAY_MS);
        // The day the clocks go forward is 23 hours long.
        let f = AuditForm {
            from: "2026-03-08".into(),
            to: "2026-03-08".into(),
            ..AuditForm::default()
        };
        let input = f.input(&Zone::montreal()).expect("dates");
        assert_eq!(input.to.unwrap() - input.from.unwrap(), DAY_MS - 3_600_000);
    }

    #[test]
    fn own_page_views_are_hidden_unless_asked() {
        let f = AuditForm::default();
        assert!(f.input(&Zone::montreal()).expect("no dates").hide_own_views);
        let f = AuditForm {
            own: "1".into(),
            ..AuditForm::default()
        };
        assert!(!f.input(&Zone::montreal()).expect("no dates").hide_own_views);
        assert_eq!(f.query(None), "own=1");
    }

    #[test]
    fn older_pages_keep_the_filters() {
        let f = AuditForm {
            action: "READ".into(),
            ..AuditForm::default()
        };
        assert_eq!(f.query(Some(42)), "action=READ&before_seq=42");
        assert_eq!(f.query(None), "action=READ");
    }
}
