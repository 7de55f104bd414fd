//! The organization's audit log: search, older pages, CSV export.

use super::{admin_layout, input, org_admin, refusal, select, unit_name, unit_options, Tab};
use crate::extract::WebSession;
use crate::ui::{error_page, Page};
use crate::WebState;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use cercle_app::audit::{self, SearchInput};
use cercle_app::orgs::structure;
use cercle_domain::Timestamp;
use maud::html;
use serde::{Deserialize, Serialize};

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
    /// `YYYY-MM-DD` (UTC), from the start of that day.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    from: String,
    /// `YYYY-MM-DD` (UTC), up to the end of that day.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    to: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    before_seq: String,
}

/// Days since 1970-01-01 of a `YYYY-MM-DD` date (Howard Hinnant's algorithm).
fn days_of(date: &str) -> Option<i64> {
    let mut parts = date.trim().splitn(3, '-');
    let y: i64 = parts.next()?.parse().ok()?;
    let m: i64 = parts.next()?.parse().ok()?;
    let d: i64 = parts.next()?.parse().ok()?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || !(1..=9999).contains(&y) {
        return None;
    }
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

impl AuditForm {
    fn blank(s: &str) -> Option<String> {
        Some(s.trim()).filter(|v| !v.is_empty()).map(str::to_string)
    }

    /// The service's query; `Err` names a date that could not be read.
    fn input(&self) -> Result<SearchInput, &'static str> {
        let from = match Self::blank(&self.from) {
            Some(d) => Some(days_of(&d).ok_or("from")? * DAY_MS),
            None => None,
        };
        // The "to" day is included: stop at the start of the next one.
        let to = match Self::blank(&self.to) {
            Some(d) => Some((days_of(&d).ok_or("to")? + 1) * DAY_MS),
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
        })
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
    session: Option<WebSession>,
    Query(form): Query<AuditForm>,
) -> Response {
    let a = match org_admin(&state, &page, session, Tab::Audit).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let s = match structure::structure(&state.ctx, &page.client, &a.scope).await {
        Ok(s) => s,
        Err(e) => return refusal(&state, &page, &a.view, Some(&a.scope), Tab::Audit, &e).await,
    };
    let (results, bad_date) = match form.input() {
        Ok(input) => (
            Some(audit::search(&state.ctx, &page.client, &a.scope, &input).await),
            false,
        ),
        Err(_) => (None, true),
    };
    let mut units = vec![(String::new(), page.t("admin-audit-all-units"))];
    units.extend(unit_options(&page, &s.units, true));
    let mut actions = vec![(String::new(), page.t("admin-audit-all-actions"))];
    actions.extend(
        ACTIONS
            .iter()
            .map(|a| (a.to_string(), page.t(&format!("audit-action-{}", a.to_lowercase())))),
    );
    let status = match &results {
        Some(Err(e)) => crate::error::status_of(e),
        _ if bad_date => axum::http::StatusCode::UNPROCESSABLE_ENTITY,
        _ => axum::http::StatusCode::OK,
    };
    let content = html! {
        section class="card" {
            form method="get" action="/admin/audit" class="grid-form audit-form" {
                (input(&page.t("admin-audit-actor"), "audit-actor", "actor_id", "text", &form.actor_id, false))
                (input(&page.t("admin-audit-patient"), "audit-patient", "patient_id", "text", &form.patient_id, false))
                (input(&page.t("admin-audit-target"), "audit-target", "target_type", "text", &form.target_type, false))
                (select(&page.t("admin-audit-action"), "audit-action", "action", &actions, &form.action))
                (select(&page.t("admin-field-unit"), "audit-unit", "unit_id", &units, &form.unit_id))
                (input(&page.t("admin-audit-from"), "audit-from", "from", "date", &form.from, false))
                (input(&page.t("admin-audit-to"), "audit-to", "to", "date", &form.to, false))
                div class="actions-row row" {
                    button type="submit" class="primary" { (page.t("admin-audit-search")) }
                    a class="button secondary" href=(format!("/admin/audit.csv?{}", form.query(None))) download data-testid="audit-csv" { (page.t("admin-audit-csv")) }
                }
            }
            p class="hint" { (page.t("admin-audit-hint")) }
        }
        @if bad_date {
            p class="notice error" role="alert" { (page.t("admin-audit-bad-date")) }
        }
        @match &results {
            Some(Err(e)) => { (crate::ui::error_notice(page.lang, e)) },
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
                                        tr {
                                            td data-label=(page.t("col-when")) { (Timestamp(e.at).to_utc_string()) }
                                            td data-label=(page.t("admin-audit-action")) { span class="badge" { (e.action) } }
                                            td data-label=(page.t("col-event")) class="mono" { (e.event) }
                                            td data-label=(page.t("admin-audit-target")) {
                                                (e.target_type)
                                                @if let Some(t) = &e.target_id { br; span class="mono small muted" title=(t) { (short(t)) } }
                                            }
                                            td data-label=(page.t("admin-field-unit")) { (e.unit_id.as_deref().map(|u| unit_name(&s.units, u)).unwrap_or("")) }
                                            td data-label=(page.t("col-actor")) {
                                                @if let Some(actor) = &e.actor_id {
                                                    a class="mono small" title=(actor) href=(format!("/admin/audit?{}", AuditForm { actor_id: actor.clone(), ..AuditForm::default() }.query(None))) { (short(actor)) }
                                                } @else {
                                                    span class="muted" { (e.actor_kind) }
                                                }
                                            }
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

/// The end of a long id (time-ordered ids differ at the end; the whole of
/// it is in the title).
fn short(id: &str) -> String {
    let n = id.chars().count();
    if n > 13 {
        let tail: String = id.chars().skip(n - 10).collect();
        format!("…{tail}")
    } else {
        id.to_string()
    }
}

pub async fn csv(
    State(state): State<WebState>,
    page: Page,
    session: Option<WebSession>,
    Query(form): Query<AuditForm>,
) -> Response {
    let a = match org_admin(&state, &page, session, Tab::Audit).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let Ok(mut input) = form.input() else {
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
    fn dates_are_utc_days() {
        assert_eq!(days_of("1970-01-01"), Some(0));
        assert_eq!(days_of("2000-03-01"), Some(11_017));
        assert_eq!(days_of("2026-11-22"), Some(1_795_362_840_000 / DAY_MS));
        assert_eq!(days_of("2026-13-01"), None);
        assert_eq!(days_of("yesterday"), None);
    }

    #[test]
    fn the_to_day_is_included() {
        let f = AuditForm {
            from: "2026-01-01".into(),
            to: "2026-01-01".into(),
            ..AuditForm::default()
        };
        let input = f.input().expect("dates");
        assert_eq!(input.to.unwrap() - input.from.unwrap(), DAY_MS);
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
